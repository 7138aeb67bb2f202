"""``scosim compare``'s spread of runs where most paired differences are exactly 0.

A new user (2026-12-07) found the comparison of ``finance_crisis_union.yaml`` against
``finance_crisis.yaml`` printing China's fiscal cost as "mean -51, median 0, 90% of runs
between 0 to 0": US$2,048 bn less in 1 of 40 runs, the mean outside its own band, as the
run's answer had said it before it gave "x in k of n runs". The cell now says "0 but 1 run
-2048". Checked against numpy on synthetic pairs; rows where most runs differ keep the
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
from scosim.compare import compare
from scosim.rare_runs import RARE_NOTE
from scosim.report import summary_table as report_table

RUNS = "90% of runs between"
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
    return [float(x) for x in re.findall(r"[-+]?\d+(?:\.\d+)?", text)]


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
    # Each number is a run's own value (at the row's precision): the least and the most.
    places = max(len(x.split(".")[1]) if "." in x else 0
                 for x in re.findall(r"[-+]?\d+(?:\.\d+)?", cell))
    tol = 0.5 * 10.0 ** -places + 1e-12
    assert values[0] == pytest.approx(nz.min(), abs=tol)
    assert values[-1] == pytest.approx(nz.max(), abs=tol)
    # The mean lies within what the cell names (0 and the runs' values): "0 to 0" beside a
    # mean of -51 did not.
    mean = float(_cell(table, country, "mean"))
    assert min(0.0, nz.min()) <= mean <= max(0.0, nz.max())
    assert mean == pytest.approx(d.mean(), abs=tol)
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
