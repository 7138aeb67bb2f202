"""What a new user meets at an 80-column terminal outside a run's answer; piped, as before.

``scosim run`` listed each plot as its own ~100-column ``  plot: <path>`` line,
``scosim validate`` printed one line of 222 characters, ``scosim hindcast``'s notes ran
to 113 and its ``written:`` line to 127, and ``scosim data``'s errors to 158, each folded
by the terminal mid-word; ``scosim hindcast``'s tables ran to 130 and ``scosim sweep``'s
row to 98 (its unit's prose). On a terminal (a real one: :mod:`pty`, 80 columns) every line
of prose now fits, a path or `command` is never broken (one longer than the line stands
alone), and only the spaces move: the words are those printed piped, in order. Piped,
each line is as before: scripts and tests read them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from _pty import on_pty
from scosim.plot_list import plot_lines

ROOT = Path(__file__).resolve().parents[1]
SMALL_CU = ROOT / "tests" / "fixtures" / "model" / "small_cu.yaml"
CUSTOMS_UNION = ROOT / "scenarios" / "customs_union.yaml"
WIDTH = 80


def _env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": str(WIDTH),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}


def _scosim(args: list[str], cwd: Path, *, tty: bool) -> tuple[int, str]:
    """``python -m scosim ARGS``: its exit status and all it wrote, stdout then stderr piped,
    both on one pty of 80 columns where ``tty`` (a progress bar's redraws dropped)."""
    cmd = [sys.executable, "-m", "scosim", *args]
    if not tty:
        run = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=_env())
        return run.returncode, run.stdout + run.stderr
    status, text = on_pty(cmd, width=WIDTH, cwd=cwd, env=_env())
    return status, "\n".join(x.split("\r")[-1] for x in text.split("\n"))


def _too_wide(lines: list[str], width: int = WIDTH) -> list[str]:
    """The lines over ``width`` columns that are more than one unbreakable unit (a path)."""
    return [x for x in lines if len(x) > width and not re.fullmatch(r"\S+", x.strip())]


def _words(text: str) -> str:
    return " ".join(text.split())


# --- scosim run: the plots ---------------------------------------------------------------

LONG = "/tmp/results/customs_union/20261207T190812-d4316372-s20250101-r4/plots"
NAMES = ["gdp_paths.png", "membership_timeline.png", "vote_reasons.png",
         "welfare_final_year.png", "welfare_paths.png"]


@pytest.mark.parametrize("folder", [LONG, "results/cu/20261207T190812-d4316372-s7-r4/plots"])
@pytest.mark.parametrize("width", [40, 80, 120])
def test_plots_are_one_item_on_a_terminal_with_the_folder_whole(folder: str, width: int) -> None:
    lines = plot_lines([Path(folder) / n for n in NAMES], width)
    assert lines[0].startswith("plots (5) in")
    assert all(x.startswith("  ") for x in lines[1:])  # continuations: one item
    assert _too_wide(lines, width) == [] and all(
        len(x) <= width or x.strip() == f"{folder}:" for x in lines), lines
    # The folder never broken, each name whole: what a reader pastes.
    assert any(f"{folder}:" in x for x in lines)
    assert all(any(f" {n}" in x for x in lines) for n in NAMES)
    assert _words("\n".join(lines)) == f"plots (5) in {folder}: {', '.join(NAMES)}"


def test_plots_piped_keep_a_line_each_and_a_url_its_folder() -> None:
    paths = [Path(LONG) / n for n in NAMES]
    assert plot_lines(paths, None) == [f"  plot: {p}" for p in paths]  # as before
    assert plot_lines([], 80) == [] and plot_lines([], None) == []
    url = "s3://bucket/results/cu/20261207T190812-d4316372-s7-r4"
    assert plot_lines([f"{url}/plots/gdp_paths.png"], 200) == [
        f"plot in {url}/plots: gdp_paths.png"]


@pytest.fixture(scope="module")
def run_on_a_terminal(tmp_path_factory) -> tuple[Path, list[str]]:
    """``scosim run`` of a small customs union on an 80-column pty: its run and lines."""
    tmp = tmp_path_factory.mktemp("tty_run")
    code, text = _scosim(["run", str(SMALL_CU), "--replications", "2", "--out",
                          str(tmp / "results")], tmp, tty=True)
    assert code == 0, text
    (run,) = (tmp / "results" / "small_cu").iterdir()
    return run, text.splitlines()


def test_run_on_a_terminal_names_every_plot_in_lines_that_fit(run_on_a_terminal) -> None:
    run, lines = run_on_a_terminal
    # Up to the answer (laid out once at 80 columns by its own modules and tests).
    before = lines[:lines.index("")]
    assert _too_wide(before) == [], before
    assert not any(x.startswith("  plot:") for x in before)
    written = sorted(p.name for p in (run / "plots").glob("*.png"))
    head = next(k for k, x in enumerate(before) if x.startswith("plots ("))
    item = "\n".join(before[head:])
    assert item.startswith(f"plots ({len(written)}) in") and len(written) >= 2
    assert f"{run / 'plots'}:" in item.split()  # the folder whole, on one line
    assert sorted(w.rstrip(",") for w in item.split()[4:]) == written


# --- scosim validate -----------------------------------------------------------------------

@pytest.mark.parametrize("extra", [[], ["--no-import"]])
def test_validate_fits_a_terminal_and_is_one_line_piped(tmp_path: Path, extra) -> None:
    args = ["validate", *extra, str(CUSTOMS_UNION)]
    code, piped = _scosim(args, tmp_path, tty=False)
    assert code == 0 and piped.count("\n") == 1 and len(piped) > 200  # scripts grep it
    assert piped.startswith(f"{CUSTOMS_UNION}: valid scenario 'customs_union' (2025-2035")
    code, shown = _scosim(args, tmp_path, tty=True)
    lines = shown.strip("\n").splitlines()
    assert code == 0 and len(lines) >= 3 and _too_wide(lines) == [], lines
    assert all(x.startswith("  ") for x in lines[1:])
    assert str(CUSTOMS_UNION) in lines[0].split(" ")[0]  # the path whole
    assert _words(shown) == _words(piped)


# --- scosim data and hindcast: errors ---------------------------------------------------------

@pytest.mark.parametrize(("args", "field"), [
    (["data", "show", "XYZ"], "unknown economy 'XYZ'; allowed: CHN RUS"),
    (["data", "rebuild", "--raw", "/no/such/raw"], "/no/such/raw"),
    (["hindcast", "--replications", "0"], "--replications must be >= 1, got 0"),
    (["hindcast", "--dir", str(ROOT / "scenarios")], "holds none of the hindcast's"),
])
def test_an_error_fits_a_terminal_and_is_one_line_piped(tmp_path: Path, args, field) -> None:
    args = [*args, "--out", str(tmp_path / "out")] if args[0] == "hindcast" else args
    code, piped = _scosim(args, tmp_path, tty=False)
    assert code == 2 and piped.count("\n") == 1 and piped.startswith("scosim: error: ")
    assert field in piped and "Traceback" not in piped
    code, shown = _scosim(args, tmp_path, tty=True)
    lines = shown.strip("\n").splitlines()
    assert code == 2 and _too_wide(lines) == [], lines
    assert lines[0].startswith("scosim: error: ") and all(x.startswith("  ") for x in lines[1:])
    assert _words(shown) == _words(piped)
    assert not (tmp_path / "out").exists()  # nothing left behind


# --- scosim hindcast: its notes and tables ---------------------------------------------------

def test_hindcast_fits_a_terminal_with_the_same_scores_as_piped(tmp_path: Path) -> None:
    """An outside review (80 columns): 176 item rows of 130 columns and a 97-column score
    table folded into ~350 lines. On a terminal every line now fits (a path may stand
    alone): the items furthest from the record in six columns, every item in the CSV, and
    the scores with only the spaces moved. Piped, every item's row as before."""
    import pandas as pd

    args = ["hindcast", "--replications", "1", "--out", str(tmp_path / "h")]
    code, piped = _scosim(args, tmp_path, tty=False)
    assert code == 0
    code, shown = _scosim(args, tmp_path, tty=True)
    lines = shown.rstrip("\n").splitlines()
    assert code == 0 and _too_wide(lines) == [], _too_wide(lines)
    items = pd.read_csv(tmp_path / "h" / "hindcast_items.csv")
    # Piped: a row per item, after the two lines of the legend (scripts read them).
    out = piped.splitlines()
    assert out.index("") == 3 + len(items)
    # On a terminal: the misses, largest squared error first, in the six columns read.
    head = next(k for k, x in enumerate(lines) if x.split() == [
        "item", "kind", "year", "observed", "p", "sample"])
    rows = [x.split() for x in lines[head + 1:lines.index("")]]
    err = (items["p"] - items["observed"]) ** 2
    assert 0 < len(rows) <= min(12, int((err > 0).sum()))
    by_item = items.set_index("item")
    for r in rows:  # each row as the CSV has it
        assert (int(r[3]), float(r[4]), r[5]) == (
            by_item.loc[r[0], "observed"], round(by_item.loc[r[0], "p"], 2),
            by_item.loc[r[0], "sample"])
    got = [(float(r[4]) - int(r[3])) ** 2 for r in rows]
    assert got == sorted(got, reverse=True) and got[0] == pytest.approx(err.max(), abs=1e-4)
    csv = f"{tmp_path / 'h' / 'hindcast_items.csv'}:"  # named where every item is
    assert csv in " ".join(lines[:head]).split()
    # The scores: the same words and numbers as piped, only the spaces moved.
    def scores(text: str) -> str:
        return re.sub(r"\s+", "", text[text.index("Brier score on the"):])
    assert scores(shown) == scores(piped)
    # Each file whole (a path of ~85 characters on a line of its own, its note after it).
    written = lines[next(k for k, x in enumerate(lines) if x.startswith("written:")):]
    tokens = [w.rstrip(",") for x in written for w in x.split()]
    assert all(str(tmp_path / "h" / f) in tokens for f in
               ("hindcast_items.csv", "hindcast_scores.csv", "hindcast.png")), written
    # Piped, the lines a reader of the old output knew: one row of the skill scores whole.
    assert any(x.startswith("  held out, every kind       base rate ") and "; persistence " in x
               for x in out)
    assert out[-1] == (f"written: {tmp_path / 'h' / 'hindcast_items.csv'}, "
                       f"{tmp_path / 'h' / 'hindcast_scores.csv'} (with the log-loss), "
                       f"{tmp_path / 'h' / 'hindcast.png'}")


# --- scosim sweep and scosim exits -----------------------------------------------------------

def _rows(lines: list[str]) -> set[int]:
    """Indices of a sweep's table rows: the lines from a table's header ("output ..." or
    "parameter ...", either as to_string writes it) up to the next line of prose."""
    rows: set[int] = set()
    inside = False
    for k, x in enumerate(lines):
        if re.match(r"\s*(output|parameter(s\.\S+)?)\s{2,}", x) or re.match(
                r"\s*parameter\s+output\s", x) or re.match(r"parameters\.\S+ \S", x):
            inside = True
        elif inside and not re.match(r"\s*[-\w.:]+\s+[-+\w.%]", x):
            inside = False
        if inside:
            rows.add(k)
    return rows


def _same_but_spaces(shown: str, piped: str, out: Path) -> None:
    """Only the spaces moved, once the run's own folder (a timestamp) is set aside."""
    def norm(text: str) -> str:
        return re.sub(r"\s+", "", re.sub(r"[0-9]{8}T[0-9]{6}", "T", text))
    assert norm(shown) == norm(piped), (shown, piped)


@pytest.mark.parametrize("how", [
    ["--method", "grid", "--n", "3", "--param", "parameters.trade.sigma=3:8"],
    ["--method", "sobol", "--n", "8", "--param", "parameters.trade.sigma=3:8",
     "--param", "parameters.growth.volatility_scale=0:2"]])
def test_sweep_prose_fits_a_terminal_and_piped_is_as_before(tmp_path: Path, how) -> None:
    args = ["sweep", str(CUSTOMS_UNION), *how, "--output", "welfare_change_pct:KAZ",
            "--replications", "2", "--quiet", "--out", str(tmp_path / "r")]
    code, piped = _scosim(args, tmp_path, tty=False)
    assert code == 0
    # Piped: the notes one line each, as tests/test_sweep_flat.py and scripts match them.
    assert any(x.startswith("note: parameters.trade.sigma is swept: ") and len(x) > 200
               for x in piped.splitlines())
    code, shown = _scosim(args, tmp_path, tty=True)
    lines = shown.rstrip("\n").splitlines()
    assert code == 0
    tables = _rows(lines)
    assert tables, lines  # the table is found, and kept whole
    prose = [x for k, x in enumerate(lines) if k not in tables]
    assert _too_wide(prose) == [], _too_wide(prose)
    assert any(x.startswith("note: parameters.trade.sigma is swept: ") for x in lines)
    assert any(x.startswith("  with --set parameters.trade.sigma_spread=0")
               or "--set parameters.trade.sigma_spread=0" in x for x in lines)
    # An indices table too wide for the terminal leaves out the common "parameters."
    # prefix and says so once above it (sweep_text._index_table); piped keeps it.
    dropped = re.compile(r'parameter: each path without its leading "parameters\."\s+'
                         r"\(to fit the\s+terminal\)\n")
    if dropped.search(shown):
        shown, piped = (x.replace("parameters.", "") for x in (dropped.sub("", shown), piped))
    _same_but_spaces(shown, piped, tmp_path)


def test_exits_fit_a_terminal_and_piped_is_as_before(tmp_path: Path) -> None:
    args = ["exits", str(CUSTOMS_UNION), "--replications", "4", "--quiet",
            "--out", str(tmp_path / "r")]
    code, piped = _scosim(args, tmp_path, tty=False)
    assert code == 0
    out = piped.splitlines()
    assert out[0].startswith("Who leaves, by exit threshold: customs_union (seed ")
    rows = [x for x in out if x.startswith("  IRN (sco_cu): ")]
    assert len(rows) == 1 and rows[0].count("; ") == 2  # a state's thresholds on its line
    code, shown = _scosim(args, tmp_path, tty=True)
    lines = shown.rstrip("\n").splitlines()
    assert code == 0 and _too_wide(lines) == [], _too_wide(lines)
    # A state's row: a threshold a line, each cell whole ("-0.75 %: 0.0 % [0.0-40.3]").
    head = lines.index(next(x for x in lines if x.startswith("  IRN (sco_cu): ")))
    cells = [c.strip() for c in rows[0].split(": ", 1)[1].split("; ")]
    assert [lines[head].split(": ", 1)[1].rstrip(";"),
            *(x.strip().rstrip(";") for x in lines[head + 1:head + 3])] == cells
    for written in ("exit_curve.csv", "exit_curve.png"):  # each path whole
        assert str(next((tmp_path / "r").rglob(written))) in shown.split()
    _same_but_spaces(shown, piped, tmp_path)


def test_a_grid_sweep_s_rows_fit_a_terminal_with_the_unit_under_the_table(tmp_path: Path) -> None:
    """The review's sweep: its row ran to 98 columns (the unit's prose in a column), the
    plan left "  on one core" alone on a line, and it said "replication(s)", "note:
    Values" and "100.0% over all points (100% to 100% by point"."""
    args = ["sweep", str(CUSTOMS_UNION), "--method", "grid", "--n", "3", "--param",
            "proposals.sco_cu.cet=0:0.2", "--output", "welfare_change_pct:KAZ",
            "--replications", "4", "--out", str(tmp_path / "r")]
    code, shown = _scosim(args, tmp_path, tty=True)
    lines = [x for x in shown.rstrip("\n").splitlines() if "━" not in x]  # the bar's redraws
    assert code == 0 and _too_wide(lines) == [], _too_wide(lines)
    assert "sweep: 3 points x 4 replications = 12 model runs of 11 years," in lines
    assert "  under a minute on one core" in lines
    row = next(x for x in lines if x.startswith("welfare_change_pct:KAZ "))
    assert len(row.split()) == 4  # output, min, median, max: no unit column
    assert lines[lines.index(row) + 1] == "unit: percent of the year's baseline real expenditure"
    assert "replication(s)" not in shown and "note: Values" not in shown
    assert any(x.startswith("note: values are after exits") for x in lines)
    assert any(x.startswith("runs with an exit: 100% at every point (") for x in lines)
