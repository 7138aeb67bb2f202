"""The run's answer at an 80-column terminal, and the last line of a worked-out answer.

``scosim run`` and ``scosim show`` printed prose wrapped at 92-100 columns, which an
80-column terminal folded mid-word; and a run made with plots whose ``summary.txt`` was
removed said it "was made without plots" beside its figures.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest

from scosim.cli import main
from scosim.run_headline import FROM_TABLES, MISSING, WITH_PLOTS
from scosim.tty_lines import ANSWER_WIDTH

SMALL_CU = Path(__file__).resolve().parent / "fixtures" / "model" / "small_cu.yaml"
#: A table row: indented cells separated by runs of two or more spaces.
CELLS = re.compile(r"\S {2,}\S")
#: A line that is one unbreakable unit: a word or path, or a backticked command.
WHOLE = re.compile(r"\S+|\S*`[^`]*`\S*")
#: A label and its path on one line, as piped output keeps them.
LABELLED = re.compile(r"(results|plot|run):\s+\S+")


def _cli(args: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(args) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def plotted(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """``scosim run`` of small_cu.yaml (6 runs, with plots): what it printed, its run."""
    out = tmp_path_factory.mktemp("width")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", "80")
        printed = _cli(["run", str(SMALL_CU), "--out", str(out), "--quiet"])
    run_dir = next(p.parent for p in out.rglob("manifest.json"))
    return printed, run_dir


def _too_wide(printed: str, piped: bool) -> list[str]:
    """The lines over 80 columns that are neither a table's row nor one unbreakable unit."""
    bad, in_table = [], False
    for line in printed.splitlines():
        if re.match(r" +economy  ", line):
            in_table = True
        elif not line.startswith(" "):
            in_table = False
        if len(line) <= ANSWER_WIDTH:
            continue
        if in_table and CELLS.search(line.strip()):
            continue
        if WHOLE.fullmatch(line.strip()) or (piped and LABELLED.fullmatch(line.strip())):
            continue
        bad.append(line)
    return bad


def _whole(printed: str, run_dir: Path) -> None:
    """No path nor command is broken across lines."""
    lines = printed.splitlines()
    assert all(line.count("`") % 2 == 0 for line in lines), "a command broken across lines"
    assert any(str(run_dir) in line for line in lines)
    for png in (run_dir / "plots").glob("*.png"):
        assert any(str(png) in line for line in lines), png
    assert any(f"`scosim run {SMALL_CU}" in line for line in lines)


@pytest.mark.parametrize("terminal", [False, True])
def test_the_answer_fits_80_columns_and_breaks_no_path_or_command(
        plotted: tuple[str, Path], terminal: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """COLUMNS=80: every printed line fits, but a table's rows and a path or command
    longer than the line (never broken: it could not be pasted). Piped, a path stays
    beside its label (scripts read "results: <path>"); on a terminal it goes on its own
    line where it does not fit there."""
    printed, run_dir = plotted
    monkeypatch.setenv("COLUMNS", "80")
    if terminal:  # as if stdout were a terminal of $COLUMNS columns
        monkeypatch.setattr("scosim.tty_lines.tty_width",
                            lambda stream: shutil.get_terminal_size().columns)
    shown = _cli(["show", str(run_dir)])
    kept = (run_dir / "summary.txt").read_text()
    assert shown.split("\n\n", 1)[1] == kept == printed.split("\n\n", 1)[1]
    assert kept.rstrip().splitlines()[-1] == WITH_PLOTS
    assert len(kept.splitlines()) > 20  # an answer, not an error
    _whole(printed, run_dir)
    assert _too_wide(printed, piped=True) == []
    assert _too_wide(shown, piped=not terminal) == []
    assert str(run_dir) in shown.split("\n\n", 1)[0]


def test_the_checks_catch_a_long_prose_line_and_a_broken_command() -> None:
    """The test's own rules: a long prose line fails, a long table row or path does not."""
    prose = "word " * 20
    row = "  economy  " + "x" * 30 + "\n  CHN China  " + "  ".join(["+0.15"] * 20)
    assert _too_wide(prose, piped=True) == [prose]
    assert _too_wide(row, piped=True) == []
    assert _too_wide("/" + "p" * 90, piped=False) == []
    assert _too_wide("results: /" + "p" * 90, piped=False) != []
    with pytest.raises(AssertionError, match="broken"):
        _whole("`scosim run\nx.yaml`", Path("/nowhere"))


def test_a_run_with_plots_whose_summary_is_gone_says_so(
        plotted: tuple[str, Path], tmp_path: Path) -> None:
    """It said "(it was made without plots)" beside the run's figures. The worked-out
    answer is the one the run kept but for that last line."""
    _, run_dir = plotted
    copy = tmp_path / run_dir.name
    shutil.copytree(run_dir, copy)
    kept = (copy / "summary.txt").read_text().splitlines()
    (copy / "summary.txt").unlink()
    shown = _cli(["show", str(copy)]).splitlines()
    assert shown[-1] == MISSING == "summary.txt is missing; worked out from the run's tables " \
        "(figures: plots/)."
    assert "without plots" not in "\n".join(shown)
    assert shown[2:-1] == kept[:-1]
    assert not (copy / "summary.txt").exists()  # show writes nothing into the run


def test_a_run_made_without_plots_says_so(tmp_path: Path) -> None:
    printed = _cli(["run", str(SMALL_CU), "--out", str(tmp_path), "--quiet", "--no-plots",
                    "--replications", "2"])
    run_dir = next(p.parent for p in tmp_path.rglob("manifest.json"))
    assert f"scosim show {run_dir}" in printed
    shown = _cli(["show", str(run_dir)])
    assert shown.splitlines()[-1] == FROM_TABLES
    assert "made without plots" in FROM_TABLES
    assert _too_wide(shown, piped=True) == []


def test_a_percent_stays_with_its_number_and_whole_keeps_the_economy_too() -> None:
    """answer_lines' docstring says "RUS 100 %" stays on one line: the number and its
    sign never part, and since a number never begins a line, the economy stays with its
    share too (:func:`whole` keeps all three together as well)."""
    from scosim.tty_lines import answer_lines, whole

    text = "in union: " + ", ".join(f"C{k:02d} 100 %" for k in range(20))
    for width in range(12, 40):
        lines = answer_lines(text, width)
        # The words are the text's, in order; no line begins with "%" or ends with "100".
        assert " ".join(lines).split() == text.split()
        assert not [x for x in lines if x.startswith("%") or x.endswith("100")]
    # The economy stays with its share: "in union:" over "C00 100 %, ...", never a
    # line ending in a code whose share begins the next.
    assert answer_lines(text, 15)[:2] == ["in union:", "C00 100 %,"]
    for width in range(12, 40):
        assert not [x for x in answer_lines(text, width) if re.search(r"C\d\d$", x)]
    glued = ", ".join(whole(f"C{k:02d} 100 %") for k in range(20))
    for width in range(12, 40):
        assert all(re.fullmatch(r"(C\d\d 100 %,? ?)+", x.strip())
                   for x in answer_lines(glued, width))
