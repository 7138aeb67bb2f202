"""Warnings, errors and notes at an 80-column terminal; one line each when piped.

``python -m scosim run scenarios/corridor_trans_afghan_high.yaml`` printed a 348-character
warning, the argument parser's refusals ran to 150 and an installed scosim's note on the
pages it cites to ~95, each folded by the terminal mid-word. On a terminal they are now
wrapped at its width, continuation lines indented (one item), never inside a path, a
`command` nor a ``--set key=value``. Piped, each stays one line: tests and scripts match
``scosim: warning: <message>`` whole (tests/test_run_warnings.py, test_sweep_flat.py).
A real terminal is a pty (:mod:`pty`); in-process, a stream that says it is one.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from _pty import on_pty
from scosim import cited_docs
from scosim.cited_docs import docs_note
from scosim.cli_errors import say
from scosim.tty_lines import message

ROOT = Path(__file__).resolve().parents[1]
AFGHAN = ROOT / "scenarios" / "corridor_trans_afghan_high.yaml"
WIDTH = 80


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": str(WIDTH),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}


def _scosim(args: list[str], cwd: Path, *, tty: bool) -> tuple[int, str]:
    """``python -m scosim ARGS``: exit status and stderr (on a pty of 80 columns: all it
    wrote), its terminal a real one where ``tty``."""
    cmd = [sys.executable, "-m", "scosim", *args]
    if not tty:
        run = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=_env())
        return run.returncode, run.stderr
    return on_pty(cmd, width=WIDTH, cwd=cwd, env=_env(), stdout=False)


def _fits(lines: list[str]) -> list[str]:
    """The lines over 80 columns that are more than one unbreakable unit."""
    return [x for x in lines if len(x) > WIDTH
            and not re.fullmatch(r"\S+|`[^`]*`\S*|--set \S+", x.strip())]


def _one_item(text: str) -> None:
    """Each message begins "scosim" at column 0; its continuation lines are indented."""
    lines = text.splitlines()
    assert lines and lines[0].startswith("scosim")
    assert all(x.startswith(("scosim", "  ")) for x in lines), text


def test_the_instability_warning_fits_a_terminal_and_is_one_line_piped(tmp_path) -> None:
    # The shipped file declares its 0.8 a stress test (a note): undeclared, it warns.
    args = ["validate", str(AFGHAN), "--set", "parameters.network.stress_test=false"]
    code, piped = _scosim(args, tmp_path, tty=False)
    warned = [x for x in piped.splitlines() if x.startswith("scosim: warning: ")]
    assert code == 0 and len(warned) == 1 and len(warned[0]) > 300  # as before, grep-able
    assert "parameters.network.instability.AFG 0.8 is above" in warned[0]
    code, shown = _scosim(args, tmp_path, tty=True)
    lines = shown.splitlines()
    assert code == 0 and 4 <= len(lines) <= 6, shown  # 348 characters over 80-column lines
    assert _fits(lines) == []
    _one_item(shown)
    # Only the spaces moved: the same words, in order (the identity wrapping keeps).
    assert " ".join(shown.split()) == " ".join(warned[0].split())


def test_the_declared_stress_test_is_a_note_that_fits_a_terminal(tmp_path) -> None:
    code, piped = _scosim(["validate", str(AFGHAN)], tmp_path, tty=False)
    (noted,) = piped.splitlines()
    assert code == 0 and noted.startswith("scosim: note: ") and WIDTH < len(noted) < 200
    assert "AFG 0.8 is above 0.332" in noted
    code, shown = _scosim(["validate", str(AFGHAN)], tmp_path, tty=True)
    lines = shown.splitlines()
    assert code == 0 and 2 <= len(lines) <= 3 and _fits(lines) == [], shown  # not 4-6
    _one_item(shown)
    assert " ".join(shown.split()) == " ".join(noted.split())


def test_a_parser_refusal_fits_a_terminal(tmp_path) -> None:
    args = ["run", str(AFGHAN), "--workers", "3", "--out", str(tmp_path / "out")]
    code, piped = _scosim(args, tmp_path, tty=False)
    assert code == 2 and len(piped.splitlines()) == 1 and len(piped) > 120
    code, shown = _scosim(args, tmp_path, tty=True)
    assert code == 2 and len(shown.splitlines()) == 2 and _fits(shown.splitlines()) == []
    _one_item(shown)
    assert " ".join(shown.split()) == " ".join(piped.split())
    assert not (tmp_path / "out").exists()  # nothing left behind


@pytest.mark.parametrize("width", [40, 60, 80])
def test_message_never_breaks_a_path_an_option_or_a_command(width: int) -> None:
    path = "/tmp/results/corridor_trans_afghan_high/20261207T163326-ab5626af-s20250101-r2"
    text = (f"scosim: warning: the run {path} is above the observed range; try "
            "--set parameters.network.instability.AFG=0.3 with --workers 4 or "
            "`scosim run scenarios/x.yaml --set seed=1` for the observed one, or --rerun to "
            "run it again\n  a second problem, " + "its own line " * 8)
    units = [path, "--set parameters.network.instability.AFG=0.3", "--workers 4",
             "`scosim run scenarios/x.yaml --set seed=1`"]
    lines = message(text, width).splitlines()
    assert all(any(u in x for x in lines) for u in units), lines
    # Longer than the line only where one unit alone is.
    assert all(len(x) <= width or x.strip() in units for x in lines), lines
    # The second problem begins its own line, its continuations indented under it.
    second = next(k for k, x in enumerate(lines) if x.startswith("  a second"))
    assert all(x.startswith("    ") for x in lines[second + 1:])
    assert all(x.startswith("  ") for x in lines[1:second])
    assert " ".join(message(text, width).split()) == " ".join(text.split())
    assert message(text, None) == text  # piped: as it is


def test_an_error_and_its_notes_fit_a_terminal(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    exc = ValueError("x")
    exc.add_note("the partial run /tmp/results/x/.partial-20261207T163326-ab5626af was kept; "
                 "`scosim run x.yaml` resumes it from its last finished batch")
    what = "error: " + "parameters.trade.sigma: expected a number, got string 'abc' " * 3
    for stream, many in ((_Tty(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stderr", stream)
        say(what, exc)
        lines = stream.getvalue().splitlines()
        assert (len(lines) > 2) is many
        assert all(len(x) <= WIDTH for x in lines) is many
    assert lines == [f"scosim: {what}", f"  {exc.__notes__[0]}"]  # piped: as before


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run as a wheel would, its pages under a site-packages path as long as a real one."""
    shipped = tmp_path / "venv" / "lib" / "python3.12" / "site-packages" / "scosim" / "shipped"
    monkeypatch.setattr(cited_docs, "source_root", lambda: None)
    monkeypatch.setattr(cited_docs, "PACKAGED", shipped)
    (shipped / "docs").mkdir(parents=True)
    (shipped / "README.md").write_text("x\n")
    return shipped


def test_the_docs_note_fits_a_terminal(installed: Path) -> None:
    page = installed / "docs" / "hindcasts.md"
    piped = docs_note("as docs/hindcasts.md says")
    assert len(piped) > WIDTH and piped.count("\n") == 1  # one line, as tests read it
    shown = docs_note("as docs/hindcasts.md says", WIDTH).splitlines()
    # The path does not fit beside its label: alone on its own line, never broken.
    assert len(f"{piped.split(': ')[0]}: {page}") > WIDTH
    assert shown == ["docs/hindcasts.md, cited above, ships with this install:", f"  {page}"]
    both = docs_note("README and docs/rules.md", WIDTH)
    assert str(installed) in both and all(
        len(x) <= WIDTH or str(installed) in x for x in both.splitlines())
    assert " ".join(both.split()) == " ".join(docs_note("README and docs/rules.md").split())
