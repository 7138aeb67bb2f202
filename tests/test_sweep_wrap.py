"""What ``scosim sweep`` says of its replications, and how its prose wraps on a terminal.

The sweep's figure titles said "1 replication(s)" where the printout says "1 replication";
at a 72-column terminal its closing line ended with a lone "1" ("... seed 20250101, 1" above
"replication a point"), and at 80 with a lone "point". Its prose now wraps by the rule of
the run's answer (:func:`scosim.tty_lines.answer_lines`): a figure stays with its label
and unit, and no word is left alone on the last line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from _pty import on_pty
from scosim.api_sweep import _sweep_context, plan_lines, sweep_plan
from scosim.tty_lines import message

ROOT = Path(__file__).resolve().parents[1]
SMALL_CU = ROOT / "tests" / "fixtures" / "model" / "small_cu.yaml"
#: A figure as the answer prints one ("7,", "20250101", "1").
NUMBER = re.compile(r"[-+]?\d[\d,.]*[,;]?")


@pytest.mark.parametrize(("reps", "said"), [(1, "1 replication a point"),
                                            (3, "3 replications a point")])
def test_a_sweep_figure_counts_its_replications_in_words(reps: int, said: str) -> None:
    sc = SimpleNamespace(name="customs_union", seed=20250101)
    context = _sweep_context(sc, SimpleNamespace(replications=reps))
    assert context == f"customs_union (seed 20250101, the same at every point), {said}"


def _broken_figures(lines: list[str]) -> list[str]:
    """Lines that end with a figure (its label or unit on the next line) or begin with one
    (its label on the line before)."""
    return [x for x in lines if x.split() and (NUMBER.fullmatch(x.split()[-1])
                                               or NUMBER.fullmatch(x.split()[0]))]


@pytest.mark.parametrize("width", [60, 72, 80])
@pytest.mark.parametrize("seed", ["design seed 0", "a grid, no design seed"])
@pytest.mark.parametrize("reps", ["1 replication", "20 replications"])
def test_the_closing_line_keeps_each_figure_with_its_label(width: int, seed: str,
                                                           reps: str) -> None:
    line = f"       {seed}; runs with the scenario's seed 20250101, {reps} a point"
    # Without the rule this line broke "seed | 20250101" at 60 and "1 | replication" at 72.
    assert _broken_figures(message(line, width).split("\n")) or width == 80
    lines = message(line, width, figures=True).split("\n")
    assert len(lines) > 1 and all(len(x) <= width for x in lines), lines
    assert _broken_figures(lines) == [], lines
    assert len(lines[-1].split()) > 1, lines  # no word alone on the last line
    assert " ".join(" ".join(lines).split()) == " ".join(line.split())
    assert message(line, None, figures=True) == line  # piped: one line, as before


def _env(width: int) -> dict[str, str]:
    return {**os.environ, "COLUMNS": str(width),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}


def test_a_sweep_s_closing_prose_on_a_terminal_keeps_figures_with_their_labels(
        tmp_path: Path) -> None:
    """On a real terminal (:mod:`pty`) of 60, 72 and 80 columns: the words are those printed
    piped, no line of the closing ends or begins with a figure, none over the width."""
    args = [sys.executable, "-m", "scosim", "sweep", str(SMALL_CU), "--method", "grid",
            "--param", "parameters.trade.sigma=4,5", "--output", "welfare_change_pct:CHN",
            "--out", str(tmp_path / "r"), "--quiet"]
    piped = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=_env(80),
                           check=True).stdout.splitlines()
    closing = piped[-1]
    assert closing == ("       a grid, no design seed; runs with the scenario's seed 7, "
                       "1 replication a point")
    for width in (60, 72, 80):  # the sweep is finished: each later call reuses it
        code, shown = on_pty(args, width=width, cwd=tmp_path, env=_env(width))
        lines = shown.rstrip("\n").splitlines()
        assert code == 0, shown
        start = next(i for i, x in enumerate(lines) if x.startswith("       a grid"))
        ends = next((i for i, x in enumerate(lines) if i > start and x.startswith("scosim:")),
                    len(lines))
        mine = lines[start:ends]
        assert len(mine) > 1 and all(len(x) <= width for x in mine), (width, mine)
        assert _broken_figures(mine) == [], (width, mine)
        assert " ".join(" ".join(mine).split()) == " ".join(closing.split())


@pytest.mark.parametrize("width", [40, 60, 72, 80])
@pytest.mark.parametrize(("points", "reps"), [(2, 20), (1_280, 2), (655_360, 20)])
def test_the_size_line_keeps_each_figure_with_its_unit(width: int, points: int,
                                                       reps: int) -> None:
    """The run-size estimate by the closing line's rule: "of 4" above "years," is gone,
    the time is on a line of its own, and piped it is one line as before."""
    plan = sweep_plan(points, reps, 11)
    lines = plan_lines(plan, width).split("\n")
    assert all(len(x) <= width for x in lines), lines
    assert _broken_figures(lines) == [], lines
    assert not any(x.rstrip().endswith(" model") for x in lines), lines  # "N model | runs"
    assert " ".join(" ".join(lines).split()) == plan
    took = plan.rsplit(", ", 1)[1]
    assert lines[-1] == f"  {took}"  # the time whole, on its own line
    assert plan_lines(plan, None) == plan and plan_lines(plan, len(plan)) == plan


def test_a_sweep_s_size_line_on_a_terminal_keeps_figures_with_their_units(
        tmp_path: Path) -> None:
    """On a real terminal of 60 and 80 columns, the size line said before the runs: at 60
    it ended a line with "of 4" and began the next with "years," (stderr's plain prose
    wrap); now no line ends or begins with a figure, and the words are those piped."""
    args = [sys.executable, "-m", "scosim", "sweep", str(SMALL_CU), "--method", "grid",
            "--param", "parameters.trade.sigma=4,5", "--output", "welfare_change_pct:CHN",
            "--replications", "20", "--out", str(tmp_path / "r")]
    piped = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=_env(80),
                           check=True).stderr.splitlines()
    plan = piped[0]
    assert plan == ("sweep: 2 points x 20 replications = 40 model runs of 4 years, "
                    "under a minute on one core")
    for width in (60, 80):  # the sweep is finished: each later call reuses it
        code, shown = on_pty(args, width=width, cwd=tmp_path, env=_env(width), stdout=False)
        lines = [x for x in shown.rstrip("\n").splitlines() if "━" not in x]  # the bar
        assert code == 0, shown
        start = next(i for i, x in enumerate(lines) if x.startswith("sweep: 2 points"))
        ends = next(i for i, x in enumerate(lines) if i > start and not x.startswith("  "))
        mine = lines[start:ends]
        assert all(len(x) <= width for x in mine), (width, mine)
        assert _broken_figures(mine) == [], (width, mine)
        assert " ".join(" ".join(mine).split()) == plan, (width, mine)
        assert mine[-1] == "  under a minute on one core", (width, mine)
        assert any("40 model runs of 4 years," in x for x in mine), (width, mine)


MORRIS = ["sweep", str(ROOT / "scenarios" / "customs_union.yaml"), "--method", "morris",
          "--n", "4", "--replications", "1", "--param", "parameters.trade.sigma=4:6",
          "--param", "parameters.council.vote_noise=0:1", "--output", "welfare_change_pct:KAZ",
          "--output", "gdp_usd:CHN", "--quiet"]


def test_a_morris_table_fits_an_80_column_terminal(tmp_path: Path) -> None:
    """docs/experiments.md's Morris sweep at 80 columns: its rows ran to 84-89 and wrapped.
    On a terminal the "parameters." prefix is left out (said once); piped, the rows are
    as before (scripts read them); the closing line keeps "1 replication a point"."""
    args = [sys.executable, "-m", "scosim", *MORRIS, "--out", str(tmp_path / "r")]
    piped = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=_env(80),
                           check=True).stdout.splitlines()
    rows = [x.split() for x in piped if x.split()[:1] in (["parameters.trade.sigma"],
                                                           ["parameters.council.vote_noise"])]
    assert len(rows) == 4 and max(len(x) for x in piped if "parameters.trade.sigma " in x) > 80
    code, shown = on_pty(args, width=80, cwd=tmp_path, env=_env(80))
    lines = shown.rstrip("\n").splitlines()
    # A path is left whole (tty_lines: broken at a slash it could not be pasted).
    assert code == 0 and all(len(x) <= 80 for x in lines if "/" not in x), shown
    assert 'parameter: each path without its leading "parameters." (to fit the terminal)' \
        in lines
    head = next(i for i, x in enumerate(lines) if x.split()[:2] == ["parameter", "output"])
    # The same rows, cell for cell, the prefix aside.
    assert [x.split() for x in lines[head + 1:head + 5]] == [
        [r[0].removeprefix("parameters."), *r[1:]] for r in rows]
    assert any(x.strip().endswith("1 replication a point") for x in lines), shown


def test_an_index_table_too_wide_without_its_prefix_is_one_per_output() -> None:
    from scosim.sweep_text import _index_table

    shown = pd.DataFrame({"parameter": ["parameters.a_very_long_parameter_name_indeed", "x"],
                          "output": ["welfare_change_pct:KAZ", "gdp_usd:CHN"],
                          "mu": ["0.1", "0.2"], "mu_star": ["0.1", "0.2"],
                          "mu_star_conf": ["0.01", "0.02"], "sigma": ["0.3", "0.4"]})
    assert _index_table(shown, None) == shown.to_string(index=False).splitlines()
    lines = _index_table(shown, 80)
    assert all(len(x) <= 80 for x in lines)
    # Not every name has the prefix ("x"): kept whole, one table per output instead.
    assert lines[0] == "welfare_change_pct:KAZ:" and "gdp_usd:CHN:" in lines
    assert "parameters.a_very_long_parameter_name_indeed" in lines[2]
