"""``scosim compare``'s spread of runs where most paired differences are exactly 0.

A new user (2026-12-07) found the comparison of ``finance_crisis_union.yaml`` against
``finance_crisis.yaml`` printing China's fiscal cost as "mean -51, median 0, 90% of runs
between 0 to 0": US$2,048 bn less in 1 of 40 runs, the mean outside its own band, as the
run's answer had said it before it gave "x in k of n runs". The cell now says "0 but 1 run
-2,048". Checked against numpy on synthetic pairs; rows where most runs differ keep the
interpolated band.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from scosim import compare_terminal
from scosim.api import UNITS
from scosim.compare import SUMMARY_COLUMNS, compare
from scosim.number_cells import decimals
from scosim.rare_runs import RARE_NOTE, rare_rows, with_nonzero_runs
from scosim.report import summary_table as report_table

RUNS = "5-95 % of runs"
N = 40


def _tidy(country: str, values: np.ndarray, indicator: str = "fiscal_cost_usd") -> pd.DataFrame:
    return pd.DataFrame({"run": np.arange(len(values)), "year": 2026, "country": country,
                         "indicator": indicator, "value": values})


def _diffs() -> dict[str, np.ndarray]:
    """Policy minus baseline per economy: mostly 0 and a few large, and ordinary ones."""
    rng = np.random.default_rng(7)
    rare_one = np.zeros(N)
    rare_one[11] = -2048e9  # one failure the policy avoids
    rare_few = np.zeros(N)
    rare_few[[3, 9, 30]] = [-84.6e9, -1.2e9, 9.1e9]  # mixed signs
    half = np.zeros(N)
    half[:20] = rng.uniform(1e9, 5e9, 20)  # exactly half: still "rare", as the answer's
    most = np.zeros(N)
    most[:21] = rng.uniform(1e9, 5e9, 21)  # most runs differ: a band
    return {"CHN": rare_one, "IND": rare_few, "RUS": half, "KAZ": most,
            "PAK": rng.normal(3e9, 1e9, N)}


@pytest.fixture(scope="module")
def comparison():
    base = pd.concat([_tidy(c, np.full(N, 5e9)) for c in _diffs()])
    pol = pd.concat([_tidy(c, 5e9 + d) for c, d in _diffs().items()])
    return compare(pol, base)


@pytest.fixture(scope="module")
def table(comparison) -> compare_terminal.SummaryTable:
    rows = compare_terminal.terminal_rows(comparison, 2026, ["fiscal_cost_usd"])
    return compare_terminal.summary_table(rows, units=UNITS)


def _cell(table: compare_terminal.SummaryTable, country: str, column: str = RUNS) -> str:
    row = next(r for r in table.rows if r[0] == country)
    return row[table.columns.index(column)]


def _numbers(text: str) -> list[float]:
    # Thousands separated as the run's answer writes them: "-2,048".
    return [float(x.rstrip(",").replace(",", ""))
            for x in re.findall(r"[-+]?\d[\d,]*(?:\.\d+)?", text)]


def _places(text: str) -> list[int]:
    """The decimals of each number in ``text``."""
    return [len(x.split(".")[1]) if "." in x else 0
            for x in re.findall(r"[-+]?\d+(?:\.\d+)?", text)]


def _tol(text: str) -> float:
    """Half a unit of the last decimal ``text`` writes: what rounding may move."""
    return 0.5 * 10.0 ** -max(_places(text)) + 1e-12


def test_the_spread_counts_runs_that_differ_as_numpy_does(comparison) -> None:
    sp = comparison.spread.set_index("country")
    for country, d in _diffs().items():
        nz = d[d != 0]
        assert sp.loc[country, "n_nonzero"] == np.count_nonzero(d)
        assert sp.loc[country, "nonzero_min"] == pytest.approx(nz.min())
        assert sp.loc[country, "nonzero_max"] == pytest.approx(nz.max())


@pytest.mark.parametrize("country", ["CHN", "IND", "RUS"])
def test_mostly_zero_rows_say_how_many_runs_differ_and_by_what(table, country) -> None:
    d = _diffs()[country] / 1e9  # the table is in US$ bn
    nz = d[d != 0]
    cell = _cell(table, country)
    k = len(nz)
    assert cell.startswith(f"0 but {k} run{'s' if k > 1 else ''} "), cell
    values = _numbers(cell.split(" run", 1)[1])
    # Each number is a run's own value (at the cell's precision): the least and the most.
    assert values[0] == pytest.approx(nz.min(), abs=_tol(cell))
    assert values[-1] == pytest.approx(nz.max(), abs=_tol(cell))
    # The mean lies within what the cell names (0 and the runs' values): "0 to 0" beside a
    # mean of -51 did not.
    mean = float(_cell(table, country, "mean"))
    assert min(0.0, nz.min()) <= mean <= max(0.0, nz.max())
    assert mean == pytest.approx(d.mean(), abs=_tol(_cell(table, country, "mean")))
    assert RARE_NOTE in table.notes


@pytest.mark.parametrize("country", ["KAZ", "PAK"])
def test_rows_where_most_runs_differ_keep_the_band(table, country) -> None:
    d = _diffs()[country] / 1e9
    lo, hi = _numbers(_cell(table, country))
    q = np.quantile(d, [0.05, 0.95])
    assert (lo, hi) == pytest.approx(tuple(q), abs=0.05)


def test_a_table_without_such_rows_has_no_note(comparison) -> None:
    rows = compare_terminal.terminal_rows(comparison, 2026, ["fiscal_cost_usd"])
    table = compare_terminal.summary_table(rows[rows["country"] == "PAK"], units=UNITS)
    assert RARE_NOTE not in table.notes
    assert " but " not in " ".join(" ".join(r) for r in table.rows)


def test_report_md_table_says_it_the_same_way(comparison, table) -> None:
    rep = report_table(comparison, year=2026, units=UNITS).set_index("country")
    for country in _diffs():
        assert rep.loc[country, RUNS] == _cell(table, country)


def _drawn(table: compare_terminal.SummaryTable, width: int, terminal: bool) -> list[str]:
    console = Console(record=True, width=width, force_terminal=terminal, file=io.StringIO())
    compare_terminal.print_table(table, console)
    return console.export_text().splitlines()


def _wide_table() -> compare_terminal.SummaryTable:
    """A row of six decimals whose runs mostly do not differ: "0 but 3 runs -0.000350 to
    +0.000709" does not fit beside the others at 80 columns on one line."""
    d = np.zeros(N)
    d[[1, 2, 3]] = [-350e3, 100e3, 709e3]
    e = np.random.default_rng(2).normal(0.02e9, 0.005e9, N)
    base = pd.concat([_tidy(c, np.zeros(N)) for c in ("TKM", "BLR")])
    pol = pd.concat([_tidy("TKM", d), _tidy("BLR", e)])
    rows = compare_terminal.terminal_rows(compare(pol, base), 2026, ["fiscal_cost_usd"])
    return compare_terminal.summary_table(rows, units=UNITS)


def test_at_80_columns_a_long_cell_takes_two_lines_not_the_table() -> None:
    table = _wide_table()
    cell = _cell(table, "TKM")
    assert re.fullmatch(r"0 but 3 runs -0\.000350 to \+0\.000709", cell), cell
    fitted = compare_terminal.fit_terminal(table, 80)
    assert RUNS in fitted.columns and len(fitted.columns) == len(table.columns) - 1
    assert _cell(fitted, "TKM") == "0 but 3 runs\n-0.000350 to +0.000709"
    assert "\n" not in _cell(fitted, "BLR")  # an ordinary row stays on one line
    lines = _drawn(table, 80, terminal=True)
    assert max(len(line.rstrip()) for line in lines) <= 80
    body = [line for line in lines if line.startswith("│")]
    assert len(body) == len(table.rows) + 1
    at = next(k for k, line in enumerate(body) if line.startswith("│ TKM "))
    assert "0 but 3 runs" in body[at] and "-0.000350 to +0.000709" in body[at + 1]
    assert "one whose runs mostly do not differ on two lines" in " ".join(fitted.notes)


def test_piped_keeps_each_row_on_one_line() -> None:
    table = _wide_table()
    lines = _drawn(table, compare_terminal.PIPED_WIDTH, terminal=False)
    body = [line for line in lines if line.startswith("│")]
    assert len(body) == len(table.rows)
    assert any("0 but 3 runs -0.000350 to +0.000709" in line for line in body)


def test_one_indicator_s_run_values_share_one_format() -> None:
    # finance_crisis_union against finance_crisis, 2026: bank failures of 0/1 read "0 but
    # 18 runs -1.00" (a CI of 2 decimals) beside "0 but 1 run -1.000" (3): the same run
    # value. Here Russia's 18 of 40 and China's 1 of 40, and a fiscal cost of 2,048 bn.
    fail = {"RUS": np.r_[-np.ones(18), np.zeros(N - 18)], "CHN": np.r_[-1.0, np.zeros(N - 1)]}
    cost = {"CHN": np.r_[-2048e9, np.zeros(N - 1)], "IND": np.r_[-84.6e9, np.zeros(N - 1)]}
    base = pd.concat([_tidy(c, np.ones(N), "bank_failures") for c in fail]
                     + [_tidy(c, np.full(N, 3e12)) for c in cost])
    pol = pd.concat([_tidy(c, 1 + d, "bank_failures") for c, d in fail.items()]
                    + [_tidy(c, 3e12 + d) for c, d in cost.items()])
    comp = compare(pol, base)
    rows = compare_terminal.terminal_rows(comp, 2026, ["bank_failures", "fiscal_cost_usd"])
    table = compare_terminal.summary_table(rows, units=UNITS)
    runs = {(r[0], r[1]): r[table.columns.index(RUNS)] for r in table.rows}
    mean = {(r[0], r[1]): r[table.columns.index("mean")] for r in table.rows}
    # The rows' CIs want different decimals (that of a mean of 18 runs is wider), the mean
    # column has one count of them (number_cells.column_formats)...
    s = rows.set_index(["country", "indicator"])
    own = {c: decimals(s.loc[(c, "bank_failures"), "low"], s.loc[(c, "bank_failures"), "high"])
           for c in ("RUS", "CHN")}
    assert own["RUS"] != own["CHN"]
    assert (_places(mean[("RUS", "bank_failures")]) == _places(mean[("CHN", "bank_failures")])
            == [max(own.values())])
    # ...the runs' own -1 reads alike down the column, at the finer of the two.
    assert runs[("RUS", "bank_failures")] == "0 but 18 runs -1.000"
    assert runs[("CHN", "bank_failures")] == "0 but 1 run -1.000"
    # Four significant digits at most (2,048 bn whole), and no finer than the column's
    # finest row (India's, one decimal).
    assert runs[("CHN", "fiscal_cost_usd")] == "0 but 1 run -2,048"  # as the answer writes it
    assert runs[("IND", "fiscal_cost_usd")] == "0 but 1 run -84.6"
    rep = report_table(comp, year=2026, units=UNITS)
    for (country, ind), cell in runs.items():
        row = rep[(rep["country"] == country) & (rep["indicator"] == ind)]
        assert row[RUNS].item() == cell  # report.md says it the same way


def test_the_note_follows_the_counts_and_no_line_ends_in_a_space(comparison, table) -> None:
    # report.md adds the note where rare_rows says a row is "0 but k runs", from the
    # counts: the same rows the table writes so, exactly half the runs (RUS) included.
    keys = [c for c in comparison.summary.columns if c not in SUMMARY_COLUMNS]
    rows = with_nonzero_runs(comparison.table(2026), comparison.spread, keys)
    said = dict(zip(rows["country"], rare_rows(rows), strict=True))
    assert said == {c: _cell(table, c).startswith("0 but ") for c in _diffs()}
    assert said["RUS"] and "in at least half the paired runs" in RARE_NOTE
    # At 80 columns rich's own wrapping left a space at the end of each broken line.
    lines = _drawn(table, 80, terminal=True)
    assert any("at least half" in line for line in lines)
    assert [line for line in lines if line != line.rstrip()] == []
