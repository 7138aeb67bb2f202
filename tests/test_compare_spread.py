"""What ``scosim compare`` prints beside the CI of the mean, and shares of many runs.

A reviewer found the terminal table showed the precision of the mean only (world +4.6,
+3.3 to +5.9, against the run's own +3.8, -1.3 to +9.7 across runs), the spread of runs
being in report.md alone, and shares of 200 runs rounded to whole percent (7 of 200 as
"4 %").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from scosim import compare_terminal
from scosim.api import UNITS
from scosim.compare import compare_results
from scosim.indicator_display import percent_of_runs
from test_compare import synthetic_pair, write_run  # tests/ is on sys.path


@pytest.mark.parametrize(("share", "runs", "shown"), [
    (7 / 200, 200, "3.5"), (1 / 200, 200, "0.5"), (1 / 2000, 2000, "<0.1"),
    (1999 / 2000, 2000, ">99.9"), (1.0, 200, "100"), (0.0, 200, "0"), (1.0, 6, "100"),
    (1 / 6, 6, "16.7"), (7 / 20, 20, "35"), (1 / 200, 0, "<1")])
def test_shares_of_more_than_100_runs_have_one_decimal(share: float, runs: int,
                                                       shown: str) -> None:
    """7 of 200 runs printed as "4 %"; never "0" for a share above zero.

    None and every run are whole at any number of runs: "100.0 %" of 6 runs stood
    beside "100 %" of 20 in another answer.
    """
    assert percent_of_runs(share, runs) == shown


@pytest.mark.parametrize(("share", "runs", "shown"), [
    (1 / 40, 40, "2.5"), (2 / 3, 3, "66.7"), (1 / 7, 7, "14.3"), (1 / 20, 20, "5"),
    (3 / 50, 50, "6"), (37 / 100, 100, "37"), (float("nan"), 200, "–")])
def test_a_share_has_a_decimal_unless_every_share_of_its_runs_is_a_whole_percent(
        share: float, runs: int, shown: str) -> None:
    """1 of 40 runs is 2.5 %, which whole percent printed as "2" (steps of 2.5 %); 20
    runs move in steps of 5 %, and a decimal would be noise."""
    assert percent_of_runs(share, runs) == shown


def test_report_and_terminal_print_a_share_of_runs_alike(tmp_path: Path) -> None:
    """report.md rounded shares to whole percent ("4%") where the terminal printed 3.5%
    for the same row of 200 runs: both now print what the run's answer prints."""
    from scosim.report import summary_table

    pol, base = synthetic_pair(200, seed=1, effect=0.0, spread=1.0)  # CHN 97 of 200: 48.5 %
    comp = compare_results(write_run(tmp_path / "p", pol.assign(indicator="welfare_change_pct"),
                                     scenario="pol", seed=7),
                           write_run(tmp_path / "b", base.assign(indicator="welfare_change_pct"),
                                     scenario="base", seed=7))
    year = 2028
    report = summary_table(comp, year=year, units=UNITS)
    term = compare_terminal.summary_table(
        compare_terminal.terminal_rows(comp, year, ["welfare_change_pct"]), units=UNITS)
    k = term.columns.index("share > 0")
    terminal = {cells[0]: cells[k] for cells in term.rows}
    d = comp.diffs
    half = 0
    for _, r in report.iterrows():
        runs = d[(d["year"] == year) & (d["country"] == r["country"])
                 & (d["indicator"] == "welfare_change_pct")]["diff"]
        assert len(runs) == 200
        want = f"{percent_of_runs(float((runs > 1e-9).mean()), 200)} %"
        assert r["share of runs above baseline"] == terminal[r["country"]] == want
        half += (runs > 1e-9).sum() % 2  # an odd count of 200 is a half percent
    assert half, "some share is not a whole percent, or the test shows nothing"


def test_compare_prints_the_spread_of_runs_beside_the_ci_of_the_mean(tmp_path: Path) -> None:
    """The terminal showed the precision of the mean only; the runs' 5-95 % band was in
    report.md. Now a column '5-95 % of runs' holds the 5th-95th percentile of the runs'
    paired differences, wider than the CI, and a note says what each is."""
    pol, base = synthetic_pair(40, seed=3, effect=0.5, spread=2.0)
    comp = compare_results(write_run(tmp_path / "p", pol.assign(indicator="welfare_change_pct"),
                                     scenario="pol", seed=7),
                           write_run(tmp_path / "b", base.assign(indicator="welfare_change_pct"),
                                     scenario="base", seed=7))
    rows = compare_terminal.terminal_rows(comp, 2028, ["welfare_change_pct"])
    table = compare_terminal.summary_table(rows, units=UNITS)
    assert "5-95 % of runs" in table.columns
    k = table.columns.index("5-95 % of runs")
    assert table.columns[k - 1].startswith("90 % CI of the mean")
    d = comp.diffs
    for cells in table.rows:
        country = cells[0]
        runs = d[(d["year"] == 2028) & (d["country"] == country)
                 & (d["indicator"] == "welfare_change_pct")]["diff"]
        low, high = np.percentile(runs, [5, 95])
        lo, hi = (float(x) for x in cells[k].split(" to "))
        places = len(cells[k].split(" to ")[0].split(".")[1])
        assert (lo, hi) == pytest.approx((low, high), abs=0.6 * 10 ** -places)
        ci = [float(x) for x in cells[k - 1].split(" to ")]
        assert lo < ci[0] and hi > ci[1]  # the runs spread wider than the mean's CI
    console = Console(record=True, width=250)
    compare_terminal.print_table(table, console)
    out = " ".join(console.export_text().split())
    assert "5-95 % of runs" in out
    assert "The 90 % CI is the precision of the mean of the simulated runs" in out
