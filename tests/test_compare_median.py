"""``scosim compare`` shows the median of the paired differences beside their mean.

The run's answer and the README give medians; the compare table (terminal and explorer)
and its over-time figure gave means only, so a reader saw two numbers for one run without
being told why (India under a minimum CET: mean +0.073, 15 of 20 runs lost). The median
here is checked against numpy's median of differences computed from the two input tables
directly, not from the comparison's own pairing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from scosim import compare_terminal
from scosim.api import UNITS
from scosim.compare import compare_results
from scosim.compare_plots import plot_difference_over_time
from test_compare import synthetic_pair, write_run  # tests/ is on sys.path

MEDIAN_LABEL = "median difference, each year"


def _skewed_pair(n_runs: int = 21) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A pair whose mean and median differ: in 4 runs KAZ's policy value jumps by +30.

    As a member that leaves in a few runs: most runs lose a little, the mean is pulled
    above zero by the few.
    """
    pol, base = synthetic_pair(n_runs, seed=11, effect=-0.5, spread=1.0)
    jump = (pol["country"] == "KAZ") & pol["run"].isin([2, 5, 9, 14])
    pol.loc[jump, "value"] += 30.0
    return pol.assign(indicator="welfare_change_pct"), base.assign(indicator="welfare_change_pct")


def _numpy_medians(pol: pd.DataFrame, base: pd.DataFrame, year: int) -> dict[str, float]:
    """Per country, numpy's median of policy - baseline over runs (an outside pairing)."""
    m = pol.merge(base, on=["run", "year", "country", "indicator"], suffixes=("_p", "_b"))
    m = m[m["year"] == year]
    return {str(c): float(np.median(g["value_p"].to_numpy() - g["value_b"].to_numpy()))
            for c, g in m.groupby("country")}


@pytest.fixture
def skewed(tmp_path: Path):
    pol, base = _skewed_pair()
    comp = compare_results(write_run(tmp_path / "p", pol, scenario="pol", seed=7),
                           write_run(tmp_path / "b", base, scenario="base", seed=7))
    return comp, pol, base


def test_the_table_s_median_is_numpy_s_median_of_the_paired_differences(skewed) -> None:
    comp, pol, base = skewed
    year = 2028
    rows = compare_terminal.terminal_rows(comp, year, ["welfare_change_pct"])
    table = compare_terminal.summary_table(rows, units=UNITS)
    k = table.columns.index("median")
    assert table.columns[k - 1] == "mean"  # beside the mean, named so
    want = _numpy_medians(pol, base, year)
    assert len(table.rows) == len(want)
    for cells in table.rows:
        places = len(cells[k].split(".")[1])
        assert float(cells[k]) == pytest.approx(want[cells[0]], abs=0.51 * 10 ** -places)
    kaz = next(c for c in table.rows if c[0] == "KAZ")
    # The few runs pull the mean above zero; the median run loses (what the answer says).
    assert float(kaz[k - 1]) > 0 > float(kaz[k])
    assert any(note.startswith("'mean' is the average and 'median' the middle")
               for note in table.notes)


def test_the_median_is_what_the_bar_chart_s_diamonds_draw(skewed) -> None:
    """The bars' diamonds (compare_bars.bar_marks) and the table read one median column."""
    from scosim.compare_bars import bar_marks

    comp, pol, base = skewed
    rows = comp.summary[(comp.summary["year"] == 2028)]
    marks = bar_marks(rows)
    want = _numpy_medians(pol, base, 2028)
    got = dict(zip(rows["country"].astype(str), marks["median"], strict=True))
    assert got == pytest.approx(want, abs=1e-12)


def test_a_row_without_a_median_says_n_a_and_why() -> None:
    summary = pd.DataFrame({
        "country": ["KAZ", "UZB"], "indicator": "welfare_change_pct", "n_runs": 20,
        "mean": [0.2, -0.1], "median": [np.nan, -0.12], "sd": 0.1, "low": [0.1, -0.2],
        "high": [0.3, 0.0], "share_positive": [0.6, 0.3], "interval": "t"})
    table = compare_terminal.summary_table(summary, units=UNITS)
    k = table.columns.index("median")
    assert {r[0]: r[k] for r in table.rows} == {"KAZ": "n/a", "UZB": "-0.12"}
    assert any("n/a: no median of differences without paired runs" in n for n in table.notes)
    # A summary without the column (older callers) keeps the old table.
    old = compare_terminal.summary_table(summary.drop(columns="median"), units=UNITS)
    assert "median" not in old.columns
    assert not any("'median'" in n for n in old.notes)


def test_over_time_figure_draws_the_median_line_beside_the_mean(skewed) -> None:
    import matplotlib.pyplot as plt

    comp, pol, base = skewed
    fig = plot_difference_over_time(comp.summary, "welfare_change_pct", spread=comp.spread,
                                    scenarios=("pol", "base"), seed=7)
    try:
        panels = {ax.get_title().split("\n")[0].split(" ")[0]: ax
                  for ax in fig.axes if ax.get_visible() and ax.get_title()}
        assert set(panels) == {"CHN", "IND", "KAZ", "RUS"}
        for country, ax in panels.items():
            lines = {ln.get_label(): ln for ln in ax.get_lines()}
            assert {"mean difference", MEDIAN_LABEL} <= set(lines)
            years = lines[MEDIAN_LABEL].get_xdata()
            want = [_numpy_medians(pol, base, int(y))[country] for y in years]
            np.testing.assert_allclose(lines[MEDIAN_LABEL].get_ydata(), want, atol=1e-12)
        # The dashed line is a median year by year: KAZ's follows no one run's differences
        # (its runs jump by +30 in 4 of 21 runs; the year's median run changes).
        diff = (pol.merge(base, on=["run", "year", "country", "indicator"])
                .query("country == 'KAZ'").assign(d=lambda f: f["value_x"] - f["value_y"])
                .pivot(index="run", columns="year", values="d"))
        line = {ln.get_label(): ln for ln in panels["KAZ"].get_lines()}[MEDIAN_LABEL]
        dashed = np.asarray(line.get_ydata())
        runs = diff[[int(y) for y in line.get_xdata()]].to_numpy()
        assert not any(np.allclose(row, dashed) for row in runs)
        kaz = {ln.get_label(): ln.get_ydata() for ln in panels["KAZ"].get_lines()}
        assert (np.asarray(kaz["mean difference"]) > np.asarray(kaz[MEDIAN_LABEL])).all()
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert "mean difference" in legend and MEDIAN_LABEL in legend
        title = " ".join(fig._suptitle.get_text().split())
        assert ("line: mean of 21 paired runs (seed 7); dashed: their median in each year "
                "(each year's median run, not one run's path)") in title
        assert "(median run)" not in title and "median run)" not in " ".join(legend)
    finally:
        plt.close(fig)


def test_the_table_with_the_median_fits_80_and_100_columns_grouped(skewed) -> None:
    """Piped (100 columns) each indicator's group is whole on one line a row; at 80 too,
    at the group's natural width (piped, cells are never folded: audit 2026-12-07);
    nothing is cut off at either width."""
    comp, _, _ = skewed
    rows = compare_terminal.terminal_rows(comp, 2028, ["welfare_change_pct"])
    two = pd.concat([rows, rows.assign(indicator="ev_usd", mean=rows["mean"] * 1e9,
                                       median=rows["median"] * 1e9, low=rows["low"] * 1e9,
                                       high=rows["high"] * 1e9,
                                       runs_low=rows["runs_low"] * 1e9,
                                       runs_high=rows["runs_high"] * 1e9)])
    table = compare_terminal.summary_table(two, units=UNITS)
    for width in (80, 100):
        console = Console(record=True, width=width, file=open("/dev/null", "w"))  # noqa: SIM115
        compare_terminal.print_table(table, console)
        text = console.export_text()
        # Wider than 80 only by what the widest group needs with its headings whole.
        natural = max(sum(max([len(r[k]) for r in g.rows] + [len(c)])
                          for k, c in enumerate(g.columns)) + 3 * len(g.columns) + 1
                      for g in compare_terminal.indicator_groups(table))
        assert max(len(line.rstrip()) for line in text.splitlines()) <= max(width, natural)
        heads = [line for line in text.splitlines() if line.startswith("┃")]
        assert sum(h.endswith(" runs ┃") for h in heads) == 2  # two groups, last column whole
        assert text.count("welfare_change_pct:") == 1 and text.count("ev_usd:") == 1
        body = [line for line in text.splitlines() if line.startswith("│")]
        assert len(body) == len(table.rows)  # each row's numbers on one line
        # Blanks between a cell's words line its numbers up on the decimal point.
        words = [" ".join(line.split()) for line in body]
        for cells in table.rows:
            assert any(all(c in line for c in cells[3:-1]) for line in words)  # after unit


def test_report_md_s_table_carries_the_median_too(skewed) -> None:
    """The terminal's note points to report.md for the full table: it has the median too."""
    from scosim import report

    comp, pol, base = skewed
    t = report.summary_table(comp, year=2028, units=UNITS)
    cols = list(t.columns)
    assert cols[cols.index("mean change") + 1] == "median change"
    want = _numpy_medians(pol, base, 2028)
    for country, shown in zip(t["country"], t["median change"], strict=True):
        places = len(shown.split(".")[1])
        assert float(shown) == pytest.approx(want[country], abs=0.51 * 10 ** -places)
    # And its method section says what the column is (it defined only the mean's).
    from scosim.report_notes import _method_text

    method = " ".join(_method_text(comp))
    assert "**Median change** is the middle of the same paired differences" in method
