"""``scosim compare``'s number columns: one notation an indicator, big values with thousands.

Found by the 2026-12-07 review of `corridor_trans_afghan_high` against `baseline`:

1. the welfare column printed AFG's -0.98 and TJK's -0.111 in fixed decimals and QAT's
   5.5e-04, CHN's -1.7e-06 in powers of ten, so a reader could not compare down it;
2. a value of 10,000 or more without an interval printed as "+1.234e+04";
3. 23 indicators only the corridor run records (its routes' costs, energy, fees) were
   warned of as "14,168 rows have keys present in only one of policy/baseline", which
   read as a fault in the pairing.

The expected strings follow from the rules (fixed decimals capped at six in a column
with a value of 0.001 or more, powers of ten with a mantissa in [1, 10) in a column of
tiny values, four significant digits without an interval, thousands separated), and
the unpaired counts from the frames built here, not from the code's output.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from scosim import compare_terminal
from scosim.cli_errors import show_warning
from scosim.compare import compare, compare_results, paired_differences, summarise
from scosim.compare_pairs import POLICY_ONLY
from scosim.errors import ScosimNote, ScosimWarning
from scosim.number_cells import MAX_FIXED, _fixed, column_formats
from test_compare import synthetic_pair, write_run  # tests/ is on sys.path (rootdir)

SCI = re.compile(r"^[-+](\d)(?:\.(\d+))?e([-+]\d\d)$")
FIXED = re.compile(r"^[-+]\d{1,3}(?:,\d{3})*(?:\.(\d+))?$")
IND = "welfare_change_pct"


def _tidy(country: str, values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"run": np.arange(len(values)), "year": 2035, "country": country,
                         "indicator": IND, "value": values})


def _table(scale: dict[str, float]) -> tuple[pd.DataFrame, compare_terminal.SummaryTable]:
    """A welfare-like column, each economy's change about its scale (sd 30%), 20 runs."""
    rng = np.random.default_rng(5)
    base = pd.concat([_tidy(c, np.full(20, 1.0)) for c in scale])
    pol = pd.concat([_tidy(c, 1.0 + s * (1 + 0.3 * rng.standard_normal(20)))
                     for c, s in scale.items()])
    comp = compare(pol, base)
    rows = compare_terminal.terminal_rows(comp, 2035, [IND])
    return rows, compare_terminal.summary_table(rows, units={})


def _cells(table: compare_terminal.SummaryTable, row: tuple[str, ...]) -> list[str]:
    """A row's numbers: mean, median, both ends of both intervals."""
    cols = list(table.columns)
    m = cols.index("mean")
    return [row[m], row[m + 1], *row[m + 2].split(" to "), *row[m + 3].split(" to ")]


#: The corridor's welfare column (pp): AFG near -1, tiny changes down to 1e-6 and below.
CORRIDOR = {"AFG": -0.98, "TJK": -0.11, "QAT": 5.5e-4, "MMR": 5e-6, "CHN": -1.7e-6,
            "ROW": 3e-8}


def test_a_column_with_large_and_tiny_changes_is_in_fixed_decimals() -> None:
    rows, table = _table(CORRIDOR)
    s = rows.set_index("country")
    for row in table.rows:
        r = s.loc[row[0]]
        values = [r["mean"], r["median"], r["low"], r["high"], r["runs_low"], r["runs_high"]]
        for cell, v in zip(_cells(table, row), values, strict=True):
            if cell == "0":  # within 1e-9 of zero, as everywhere
                assert abs(v) <= 1e-9
                continue
            m = FIXED.match(cell)
            assert m, (row[0], cell)  # no "e-06" beside "-0.98"
            d = len(m[1] or "")
            assert d <= MAX_FIXED
            # Read back, the value to the decimals shown.
            assert abs(float(cell.replace(",", "")) - v) <= 0.5 * 10.0 ** -d * (1 + 1e-9)
    # The tiny rows at six decimals; a reader sees the order of magnitude by position.
    mean = {row[0]: row[table.columns.index("mean")] for row in table.rows}
    assert mean["MMR"].startswith("+0.00000") and len(mean["MMR"]) == len("+0.000005")
    assert mean["AFG"].startswith("-0.9") or mean["AFG"].startswith("-1.0")
    # ROW's change (3e-8) is below the column's precision: zero to six decimals, signed.
    assert mean["ROW"] == "+0.000000"


def test_a_column_of_tiny_changes_is_in_powers_of_ten_every_row() -> None:
    tiny = {c: s for c, s in CORRIDOR.items() if abs(s) < 1e-3}
    rows, table = _table(tiny)
    s = rows.set_index("country")
    places, sci = column_formats(rows, [1.0] * len(rows))
    assert all(sci)  # one notation, though QAT alone would fit six decimals
    for row in table.rows:
        for cell in _cells(table, row):
            m = SCI.match(cell)
            assert cell == "0" or m, (row[0], cell)
            assert cell == "0" or 1 <= int(m[1]) <= 9
        assert abs(float(row[table.columns.index("mean")]) - s.loc[row[0], "mean"]) <= (
            0.5 * 10.0 ** -places[list(rows["country"]).index(row[0])] * (1 + 1e-9))


def test_the_column_rule_decides_per_indicator() -> None:
    rows = pd.DataFrame({"indicator": ["tiny"] * 3 + ["mixed"] * 2 + ["flat"],
                         "low": [1e-5, 1e-4, 1e-8, 1e-8, 1.0, 1.234e-5],
                         "high": [3e-5, 3e-4, 3e-8, 3e-8, 2.0, 1.234e-5],
                         "mean": [2e-5, 2e-4, 2e-8, 2e-8, 1.5, 1.234e-5]})
    places, sci = column_formats(rows, [1.0] * 6)
    # "tiny": its 1e-8 row needs 9 decimals, all its values below 0.001: powers of ten,
    # the 2e-4 row too, each row to its own precision. "mixed": 1.5 keeps it fixed, one
    # count of decimals down the column, its 1e-8 row's, capped at six.
    # "flat": no interval, four significant digits of 1.234e-5 need 8 decimals.
    assert sci == [True, True, True, False, False, True]
    # Its 1.5 (CI 1 to 2: two significant digits of the half-width 0.5, 2 decimals) would
    # show four digits more than its CI supports at six: it keeps its own two (MAX_EXTRA).
    assert places == [6, 5, 9, MAX_FIXED, 2, None]
    assert [_fixed(m, p, e) for m, p, e in zip(rows["mean"], places, sci, strict=True)] == [
        "+2.0e-05", "+2.0e-04", "+2.0e-08", "+0.000000", "+1.50", "+1.234e-05"]


@pytest.mark.parametrize(("x", "want"), [
    (12340.0, "+12,340"), (-12345.678, "-12,350"), (123456789.0, "+123,500,000"),
    (9999.6, "+10,000"),  # rounds up into the next power: still fixed
    (9876.0, "+9,876"), (-2048.0, "-2,048"), (0.1949, "+0.1949"), (1.0, "+1"),
])
def test_a_big_value_without_an_interval_has_thousands_and_four_digits(x, want) -> None:
    assert _fixed(x, None) == want


def test_a_big_value_without_an_interval_in_the_printed_table() -> None:
    # Every run alike (no interval) at 12,345.678, beside a row with one.
    rng = np.random.default_rng(2)
    parts = [pd.DataFrame({"run": np.arange(10), "country": "AAA", "indicator": "containers",
                           "diff": np.full(10, 12345.678)}),
             pd.DataFrame({"run": np.arange(10), "country": "BBB", "indicator": "containers",
                           "diff": rng.normal(9876.0, 50.0, 10)})]
    s = summarise(pd.concat(parts), level=0.9)
    s = s.assign(runs_low=s["low"], runs_high=s["high"])
    table = compare_terminal.summary_table(s, units={})
    row = next(r for r in table.rows if r[0] == "AAA")
    m = table.columns.index("mean")
    # The column's decimals: BBB's interval (about +-30) supports none, nor does AAA's
    # 12,345.678 to four digits: whole units, AAA's exact value rounded.
    assert row[m] == "+12,346"
    assert "e+" not in "".join(c for r in table.rows for c in r)
    # Its intervals, of zero width, say what they are (scosim.same_runs; an audit of
    # 2026-12-07): "+12,346 to +12,346" until then.
    assert row[m + 2] == row[m + 3] == "same in every run"


# ---------------------------------------------------------------- keys in one run only


def test_indicators_one_run_records_are_a_one_line_note() -> None:
    pol, base = synthetic_pair(3, 0)
    extra = pd.concat([pol.assign(indicator="corridor_cost_usd"),
                       pol.assign(indicator="route_instability")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        d = paired_differences(pd.concat([pol, extra]), base)
    assert set(d["indicator"]) == {"welfare"} and len(d) == len(pol)
    (w,) = caught
    assert w.category is ScosimNote
    text = str(w.message)
    assert "\n" not in text
    assert text == (
        "not compared, as expected: 2 indicators recorded by one run only, for a mechanism "
        "or proposal the other scenario does not have; "
        f"{POLICY_ONLY}: corridor_cost_usd, route_instability")
    # Which indicators, not how many rows on which keys.
    assert "rows" not in text and "keys" not in text and "(" not in text


def test_keys_missing_from_an_indicator_both_runs_record_stay_a_warning() -> None:
    pol, base = synthetic_pair(3, 0)
    short = base[~((base["country"] == base["country"].iloc[0]) & (base["year"] == 2028))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paired_differences(pol, short)
    (w,) = caught
    assert w.category is ScosimWarning  # may be a fault: not a note
    assert str(w.message).startswith(f"{len(pol) - len(short):,} rows have keys present in "
                                     "only one of policy/baseline")


def test_reading_runs_notes_a_corridor_s_own_indicators(tmp_path, capsys) -> None:
    pol, base = synthetic_pair(4, 1)
    own = pol.assign(indicator="corridor_operating")
    p = write_run(tmp_path / "p", pd.concat([pol, own]), scenario="corridor", seed=7)
    b = write_run(tmp_path / "b", base, scenario="baseline", seed=7)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        comp = compare_results(p, b)
    assert comp.one_side == {"corridor_operating": POLICY_ONLY}
    (w,) = [w for w in caught if issubclass(w.category, ScosimWarning)]
    assert w.category is ScosimNote
    assert str(w.message).endswith(f"does not have; {POLICY_ONLY}: corridor_operating")
    # The CLI says it as a note, on one line when piped.
    show_warning(w.message, w.category, "", 0)
    err = capsys.readouterr().err
    assert err.startswith("scosim: note: not compared, as expected: 1 indicator ")
    assert err.count("\n") == 1
