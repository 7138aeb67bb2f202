"""``scosim compare`` rows its intervals misdescribed: the same in every run, or skewed.

An outside audit (2026-12-07) of ``finance_crisis_union.yaml`` against
``finance_crisis.yaml``: China's fund contribution read "+15.204000 | +15.204000 |
+15.204000 to +15.204000 | +15.204000 to +15.204000", one value in every run to six
decimals without a word that it does not vary; and Belarus's and Kazakhstan's fiscal cost
had a "90 % CI of the mean (t)" across 0 while no run's difference was above 0. Checked
on synthetic pairs whose answer is known: the constant differences are set, the t interval
is computed here with scipy, and three significant figures with Python's ``.3g``.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from scipy import stats

from scosim import compare_terminal
from scosim.api import UNITS
from scosim.cli import main
from scosim.compare import compare
from scosim.number_cells import COARSE_NOTE
from scosim.report import summary_table as report_table
from scosim.same_runs import SAME_CELL, SAME_NOTE, SKEW_MARK, same_rows, skewed_rows
from test_compare import write_run  # tests/ is on sys.path

N = 40
CI = "90 % CI of the mean (t)"
RUNS = "5-95 % of runs"
#: Fund contributions the same in every run (US$): China's and India's of the audit, and
#: one small enough that its column's other rows would have given it six decimals.
SAME = {"CHN": 15.204e9, "IND": 0.626265e9, "TJK": 0.000397e9}


def _tidy(country: str, values: np.ndarray, indicator: str) -> pd.DataFrame:
    return pd.DataFrame({"run": np.arange(len(values)), "year": 2026, "country": country,
                         "indicator": indicator, "value": values})


def _skewed() -> dict[str, np.ndarray]:
    """Fiscal cost differences: mostly 0, a few far below (BLR, KAZ); others not skewed."""
    rng = np.random.default_rng(11)
    blr = np.zeros(N)
    blr[5] = -1.461e9  # one run: the t interval reaches above 0
    kaz = np.zeros(N)
    kaz[[2, 17]] = [-4.972e9, -0.3e9]
    both = rng.normal(0.0, 1e9, N)  # runs on both sides: its interval is fine
    many = -rng.uniform(1e9, 2e9, N)  # every run below 0, interval too
    return {"BLR": blr, "KAZ": kaz, "PAK": both, "RUS": many}


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(3)
    base, pol = [], []
    for c, v in SAME.items():
        # Baselines that vary by run: the difference is the same to rounding, not bitwise.
        b = rng.uniform(1e9, 5e9, N)
        base.append(_tidy(c, b, "fund_contribution_usd"))
        pol.append(_tidy(c, b + v, "fund_contribution_usd"))
    # A contribution that differs by run, beside them, in the same column.
    b = rng.uniform(1e9, 5e9, N)
    base.append(_tidy("RUS", b, "fund_contribution_usd"))
    pol.append(_tidy("RUS", b + rng.normal(0.6e9, 0.01e9, N), "fund_contribution_usd"))
    for c, d in _skewed().items():
        base.append(_tidy(c, np.full(N, 3e9), "fiscal_cost_usd"))
        pol.append(_tidy(c, 3e9 + d, "fiscal_cost_usd"))
    return pd.concat(pol), pd.concat(base)


@pytest.fixture(scope="module")
def comparison():
    return compare(*_frames())


@pytest.fixture(scope="module")
def table(comparison) -> compare_terminal.SummaryTable:
    rows = compare_terminal.terminal_rows(comparison, 2026,
                                          ["fund_contribution_usd", "fiscal_cost_usd"])
    return compare_terminal.summary_table(rows, units=UNITS)


def _row(table, country: str, indicator: str) -> dict[str, str]:
    rows = [dict(zip(table.columns, r, strict=True)) for r in table.rows]
    return next(r for r in rows if r["country"] == country and r["indicator"] == indicator)


@pytest.mark.parametrize("country", list(SAME))
def test_a_difference_the_same_in_every_run_says_so_to_three_figures(table, country) -> None:
    row = _row(table, country, "fund_contribution_usd")
    value = SAME[country] / 1e9
    want = f"{value:+.3g}"  # three significant figures, outside the code
    # Unless the column's rule is coarser: two significant digits of the varying RUS
    # row's CI half-width (scipy's t) give its decimals, fewer than TJK's three figures.
    half = stats.t.ppf(0.95, N - 1) * 0.01 / np.sqrt(N)  # sd 0.01 bn, as drawn
    column = 1 - int(np.floor(np.log10(half)))
    if column < 2 - int(np.floor(np.log10(value))):
        want = f"{value:+.{column}f}"
    assert (country == "TJK") == (want != f"{value:+.3g}")  # the design: TJK is cut
    assert row["mean"] == want and row["median"] == want, row
    assert row[CI] == SAME_CELL and row[RUNS] == SAME_CELL
    assert row["share > 0"] == "100 %"
    assert SAME_NOTE in table.notes


def test_a_row_that_varies_keeps_its_intervals_and_the_column_its_decimals(table,
                                                                          comparison) -> None:
    row = _row(table, "RUS", "fund_contribution_usd")
    assert " to " in row[CI] and " to " in row[RUNS]
    d = _frames()
    diff = (d[0][d[0]["indicator"] == "fund_contribution_usd"].set_index(["country", "run"])
            ["value"] - d[1][d[1]["indicator"] == "fund_contribution_usd"]
            .set_index(["country", "run"])["value"]).loc["RUS"] / 1e9
    half = stats.t.ppf(0.95, N - 1) * diff.std(ddof=1) / np.sqrt(N)
    lo, hi = (float(x) for x in row[CI].split(" to "))
    assert lo == pytest.approx(diff.mean() - half, abs=2e-4)
    assert hi == pytest.approx(diff.mean() + half, abs=2e-4)
    # The constant rows neither set the column's decimals nor count as "rounded to their
    # own CI": they have no CI.
    assert COARSE_NOTE not in table.notes


def test_the_same_rows_are_found_by_their_runs_not_by_rounding(comparison) -> None:
    s = comparison.summary.set_index(["indicator", "country"])
    flags = dict(zip(s.index, same_rows(s.reset_index()), strict=True))
    assert {c for (i, c), f in flags.items() if f} == set(SAME)
    # One run alone is not "the same in every run", nor is a row that never differs.
    one = compare(*(f[f["run"] == 0] for f in _frames())).summary
    assert not any(same_rows(one))


def _skew_expected() -> dict[str, bool]:
    """Which rows' t interval crosses 0 though every run is on one side, from scipy."""
    out = {}
    for c, d in _skewed().items():
        d = d / 1e9
        half = stats.t.ppf(0.95, N - 1) * d.std(ddof=1) / np.sqrt(N)
        crosses = d.mean() - half < 0 < d.mean() + half
        out[c] = bool(crosses and ((d <= 0).all() or (d >= 0).all()))
    return out


def test_a_t_interval_across_zero_that_no_run_crosses_is_marked(table) -> None:
    want = _skew_expected()
    assert want == {"BLR": True, "KAZ": True, "PAK": False, "RUS": False}  # the design
    for c, marked in want.items():
        cell = _row(table, c, "fiscal_cost_usd")[CI]
        assert cell.endswith(SKEW_MARK) == marked, (c, cell)
    note = next(n for n in table.notes if n.startswith(f"{SKEW_MARK} "))
    assert "every run's difference is <= 0" in note


def test_the_interval_kept_is_the_t_interval(table) -> None:
    d = _skewed()["BLR"] / 1e9
    half = stats.t.ppf(0.95, N - 1) * d.std(ddof=1) / np.sqrt(N)
    lo, hi = (float(x) for x in _row(table, "BLR", "fiscal_cost_usd")[CI]
              .rstrip(SKEW_MARK).split(" to "))
    assert lo == pytest.approx(d.mean() - half, abs=1e-3)
    assert hi == pytest.approx(d.mean() + half, abs=1e-3)


def test_a_positive_skew_is_said_the_other_way() -> None:
    rows = pd.DataFrame({"low": [-0.1, -0.1], "high": [0.5, 0.5], "method": ["t", "newcombe"],
                         "share_positive": [0.05, 0.05], "runs_nonzero": [2, 2],
                         "runs_nonzero_min": [0.3, 0.3], "runs_nonzero_max": [4.0, 4.0]})
    assert skewed_rows(rows) == [">= 0", None]  # Newcombe's interval is not a t interval


def test_report_md_table_says_it_the_same_way(comparison, table) -> None:
    rep = report_table(comparison, year=2026, units=UNITS)
    for r in rep.to_dict("records"):
        row = _row(table, r["country"], r["indicator"])
        assert r["mean change"] == row["mean"]
        assert r[CI] == row[CI] and r[RUNS] == row[RUNS]
    assert rep.attrs["below"][0] == SAME_NOTE
    assert rep.attrs["below"][1].startswith(f"{SKEW_MARK} ")


def _drawn(table, width: int, terminal: bool) -> str:
    console = Console(record=True, width=width, force_terminal=terminal, file=io.StringIO())
    compare_terminal.print_table(table, console)
    return console.export_text()


def test_piped_and_80_columns_say_it(table) -> None:
    piped = _drawn(table, compare_terminal.PIPED_WIDTH, terminal=False)
    assert "15.204000" not in piped and "+15.2 " in piped
    assert piped.count(SAME_CELL) >= 2 * len(SAME)
    blr = _row(table, "BLR", "fiscal_cost_usd")[CI]
    assert blr.endswith(SKEW_MARK) and blr in " ".join(piped.split())
    narrow = _drawn(table, 80, terminal=True)
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert "same in every run" in narrow
    # At 80 columns the CI is left out, its marks with it, and so the note about them.
    fitted = compare_terminal.fit_terminal(compare_terminal.decimal_aligned(table), 80)
    if CI not in fitted.columns:
        assert not any(n.startswith(f"{SKEW_MARK} ") for n in fitted.notes)
        assert SKEW_MARK not in " ".join(" ".join(r) for r in fitted.rows)


def test_the_cli_report_and_figure_say_it(tmp_path, capsys) -> None:
    pol, base = _frames()
    p = write_run(tmp_path / "p", pol, scenario="union", seed=5)
    b = write_run(tmp_path / "b", base, scenario="crisis", seed=5)
    assert main(["compare", str(p), str(b), "--out", str(tmp_path / "c"),
                 "--indicator", "fund_contribution_usd", "--indicator", "fiscal_cost_usd",
                 "--plot-workers", "1"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "+15.2 " in out and SAME_CELL in out and "15.204000" not in out
    md = next((tmp_path / "c").rglob("report.md")).read_text(encoding="utf-8")
    assert "| +15.2 | +15.2 | same in every run | same in every run | 100 % | 40 |" in md
    # Escaped: a line starting "* " is a list item in Markdown.
    assert "\n\\* t interval of a skewed mean" in md
    assert SAME_NOTE in md


def test_the_bar_chart_names_the_skewed_whiskers(comparison) -> None:
    from scosim.compare_bars import bar_marks, bars_note, drawn_bars

    s = comparison.summary
    rows = s[(s["indicator"] == "fiscal_cost_usd") & (s["year"] == 2026)]
    bars, unchanged, unpaired = drawn_bars(rows)
    note = bars_note(bars, bar_marks(bars)["flag"], unchanged, unpaired, N, 2026)
    said = note.split("Whiskers across 0 (", 1)[1].split(")", 1)[0].split(", ")
    assert sorted(said) == sorted(c for c, k in _skew_expected().items() if k)
