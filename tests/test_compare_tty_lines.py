"""The lines around ``scosim compare``'s table on an 80-column terminal.

A new user (2026-12-07), in a real terminal at 80 columns: the table fitted, but "Votes:"
ran to 87-92 characters (wrapped at 95), the ``policy:``, ``baseline:`` and ``report:``
lines to 88-121 and stderr's "reusing the finished run ..." to 230, each folded by the
terminal mid-word. On a terminal, prose is now wrapped at its width and a path that does
not fit beside its label gets a line of its own (a path longer than the terminal is left
whole: it cannot be broken and still pasted). Piped, every line is as before. A terminal
is simulated as the table's tests do: streams that say they are one, ``COLUMNS=80``.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from scosim.cli import main
from scosim.cli_errors import show_warning
from scosim.tty_lines import labelled, prose

WIDTH = 80
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _compare(model_fixture, root: Path) -> int:
    return main(["compare", str(model_fixture("small_cu.yaml")),
                 str(model_fixture("small_base.yaml")), "--out", str(root), "--quiet",
                 "--indicator", "welfare_change_pct", "--plot-workers", "1"])


@pytest.fixture(scope="module")
def said(tmp_path_factory, model_fixture_module) -> dict[str, str]:
    """stdout and stderr of a second compare (the runs reused), on an 80-column tty,
    under a results root deep enough that every path is longer than the terminal."""
    root = tmp_path_factory.mktemp("tty") / ("results_of_a_long_project_name" * 2)
    assert _compare(model_fixture_module, root) == 0  # runs both
    mp = pytest.MonkeyPatch()
    out, err = _Tty(), _Tty()
    try:
        mp.setenv("COLUMNS", str(WIDTH))
        mp.setattr(sys, "stdout", out)
        mp.setattr(sys, "stderr", err)
        assert _compare(model_fixture_module, root) == 0
    finally:
        mp.undo()
    return {"out": ANSI.sub("", out.getvalue()), "err": ANSI.sub("", err.getvalue()),
            "root": str(root)}


@pytest.fixture(scope="module")
def model_fixture_module():
    model = Path(__file__).resolve().parent / "fixtures" / "model"
    return lambda name: model / name


def _is_path_line(line: str, root: str) -> bool:
    """A path alone on its line (two spaces in), or after its label."""
    words = line.split()
    return root in line and (len(words) == 1 or (len(words) == 2 and words[0].endswith(":")))


def test_every_line_but_a_path_fits_80_columns(said) -> None:
    lines = [x.rstrip() for x in (said["out"] + said["err"]).splitlines()]
    assert any(len(x) > WIDTH for x in lines)  # the premise: the paths are longer
    long = [x for x in lines if len(x) > WIDTH and not _is_path_line(x, said["root"])]
    assert long == []
    assert "Votes:" in said["out"]
    assert "reusing the finished run" in " ".join(said["err"].split())


def test_long_paths_stand_alone_under_their_labels(said) -> None:
    lines = said["out"].splitlines()
    for label in ("policy:", "baseline:", "report:"):
        at = lines.index(label)  # the label alone: its path would not fit beside it
        assert lines[at + 1].startswith(f"  {said['root']}")
        assert " " not in lines[at + 1].strip()  # whole, not broken
    at = lines.index("report:")
    assert lines[at + 1].endswith("report.html") and lines[at + 2].endswith("report.md")
    # The scenario file, shorter than the terminal, on its own line after its run.
    at = lines.index("policy:")
    assert lines[at + 2].strip().startswith("(") and lines[at + 2].endswith("small_cu.yaml)")


def test_reusing_is_wrapped_with_its_path_whole(said) -> None:
    lines = said["err"].splitlines()
    for scenario in ("small_cu", "small_base"):
        (run,) = [p for p in (Path(said["root"]) / scenario).iterdir()
                  if not p.name.startswith(".")]
        assert any(f"{run} " in x or x.endswith(str(run)) for x in lines)  # never broken
    assert len([x for x in lines if x.startswith("scosim: ")]) < len(lines)  # wrapped


def test_piped_lines_are_as_before(tmp_path, model_fixture, capsys) -> None:
    assert _compare(model_fixture, tmp_path) == 0
    capsys.readouterr()
    assert _compare(model_fixture, tmp_path) == 0
    got = capsys.readouterr()
    lines = got.out.splitlines()
    pol = next(x for x in lines if x.startswith("policy:"))
    assert re.fullmatch(r"policy:   \S+small_cu\S+ \(\S+small_cu\.yaml\)", pol)
    at = next(k for k, x in enumerate(lines) if x.startswith("report: "))
    assert lines[at].endswith("report.html") and lines[at + 1].startswith("        ")
    assert lines[at + 1].endswith("report.md")
    # stderr's reusing line is one line, as scripts and logs read it.
    assert all(x.startswith("scosim: ") for x in got.err.splitlines() if x)


def test_warnings_are_wrapped_on_a_terminal_only(monkeypatch) -> None:
    text = ("parameters.network.instability.AFG 0.8 is above the 0.6 of the most unstable "
            "route observed: a stress test, not a forecast; the route's trade cost rises by "
            "`scosim run scenarios/afghan_instability.yaml --set parameters.network."
            "instability.AFG=0.6` for the observed one")
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    show_warning(text, UserWarning, "x.py", 1)
    lines = tty.getvalue().splitlines()
    # Every line fits but the command, longer than the terminal, kept whole to be pasted.
    assert len(lines) > 1 and all(len(x) <= WIDTH or re.fullmatch(r"  `[^`]+`", x)
                                  for x in lines)
    assert "`scosim run scenarios/afghan_instability.yaml --set parameters.network." in (
        " ".join(lines))  # the command never broken
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    show_warning(text, UserWarning, "x.py", 1)
    assert piped.getvalue() == f"scosim: warning: {text}\n"


def test_prose_and_labels() -> None:
    assert prose("a b", None) == "a b"
    words = "Votes: in the policy runs, proposal sco_banking_union: adopted in every run"
    assert all(len(x) <= 40 for x in prose(words * 3, 40).splitlines())
    # A word longer than the width is kept whole.
    assert prose("see /a/very/long/path/that/goes/on/and/on now", 10).splitlines()[1] == (
        "/a/very/long/path/that/goes/on/and/on")
    assert labelled("policy:", ["p" * 20, "(f.yaml)"], None, 10) == [
        "policy:   " + "p" * 20 + " (f.yaml)"]
    assert labelled("policy:", ["p" * 20, "(f.yaml)"], 35, 10) == [
        "policy:   " + "p" * 20, " " * 10 + "(f.yaml)"]
    assert labelled("policy:", ["p" * 30, "(f.yaml)"], 35, 10) == [
        "policy:", "  " + "p" * 30, "  (f.yaml)"]
    assert labelled("report:", ["a.html", "a.md"], None, 8, together=False) == [
        "report: a.html", "        a.md"]
