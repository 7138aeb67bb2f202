"""``scosim compare``'s numbers: one rule down an indicator's column (new user, 2026-12-07).

Since the later review the same day a column with a value of 0.001 or more is in fixed
decimals throughout (tests/test_compare_columns.py); powers of ten are for a column of
tiny values.

The corridor comparison's net-welfare column mixed "+0.000107", "+0.97e-05", "+0.2e-07"
and "-0.08e-05" (a mantissa below 1), zero was "0", "0.000000" or "0.00000", and US$2,048
bn read "-2048" where the run's answer writes "2,048". The expected strings below follow
from the rule (a mantissa in [1, 10) with the digits of the row's precision 10^-places,
zero "0", thousands separated), not from the code's output.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from scosim import compare_terminal
from scosim.api import UNITS
from scosim.compare import compare
from scosim.report import MAX_FIXED, _fixed, sci_rows
from scosim.report import summary_table as report_table

SCI = re.compile(r"^[-+](\d)(?:\.(\d+))?e([-+]\d\d)$")


@pytest.mark.parametrize(("x", "places", "sci", "want"), [
    (0.0, 4, False, "0"), (0.0, None, False, "0"), (0.0, 8, True, "0"), (-0.0, 2, False, "0"),
    # 1e-7 precision: 9.7e-06 has one digit after the point (10^-7 / 10^-6).
    (9.7e-06, 7, False, "+9.7e-06"), (2e-08, 8, False, "+2e-08"), (-8e-07, 7, False, "-8e-07"),
    (2048.0, 0, False, "+2,048"), (-2048.0, None, False, "-2,048"),
    (-2048.0, 1, False, "-2,048.0"), (0.000107, 6, False, "+0.000107"),
    # The same value in a column of small values in powers of ten: 1.07 x 10^-4.
    (0.000107, 6, True, "+1.07e-04"),
    # Rounding carries into the next power: 9.97e-06 at 1e-07 is 1.00e-05, not 10.0e-06.
    (9.97e-06, 7, True, "+1.00e-05"),
    (2e-10, 8, True, "0"),  # rounds to 0 at the row's precision
    (-0.00001, 3, False, "-0.000"),  # fixed point keeps the sign of a rounded change
])
def test_edge_values_follow_the_rule(x, places, sci, want) -> None:
    assert _fixed(x, places, sci) == want


def test_powers_of_ten_have_a_mantissa_in_1_to_10_and_the_row_s_precision() -> None:
    rng = np.random.default_rng(11)
    for x in rng.choice([-1, 1], 400) * 10.0 ** rng.uniform(-11, -1, 400):
        for places in range(MAX_FIXED + 1, 13):
            cell = _fixed(float(x), places, True)
            if cell == "0":
                assert abs(x) < 0.5 * 10.0 ** -places * (1 + 1e-9)
                continue
            m = SCI.match(cell)
            assert m, cell
            assert len(m[2] or "") == places + int(m[3])  # the row's absolute precision
            assert abs(float(cell) - x) <= 0.5 * 10.0 ** -places * (1 + 1e-9)


def test_small_values_of_a_column_share_one_notation_and_from_0_001_stay_fixed() -> None:
    rows = pd.DataFrame({"indicator": ["small"] * 3 + ["mixed"] * 2,
                         "low": [1e-5, -3e-4, 1e-8, 1e-8, 1.0],
                         "high": [3e-5, -1e-4, 3e-8, 3e-8, 2.0],
                         "mean": [2e-5, -2e-4, 2e-8, 2e-8, 1.5]})
    # "small": its 1e-8 row needs 9 decimals and no value reaches 0.001, so every row is
    # in powers of ten. "mixed": 1.5 keeps the whole column fixed, its tiny row too
    # (tests/test_compare_columns.py: one notation a column, 2026-12-07 review).
    assert sci_rows(rows, [1.0] * 5) == [True, True, True, False, False]


def _tidy(country: str, values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"run": np.arange(len(values)), "year": 2035, "country": country,
                         "indicator": "welfare_change_pct", "value": values})


@pytest.fixture(scope="module")
def comparison():
    """A net-welfare-like column: changes from 3e-2 down to 2e-8 pp, one economy at 0."""
    rng = np.random.default_rng(5)
    scale = {"AFG": 3e-2, "ARE": 1e-4, "AZE": 1e-5, "BHR": 1.6e-6, "ROW": 3e-8, "IND": 0.0}
    base = pd.concat([_tidy(c, np.full(20, 1.0)) for c in scale])
    pol = pd.concat([_tidy(c, 1.0 + s * (1 + rng.standard_normal(20))) for c, s in scale.items()])
    return compare(pol, base)


def test_terminal_and_report_write_one_column_alike(comparison) -> None:
    rows = compare_terminal.terminal_rows(comparison, 2035, ["welfare_change_pct"])
    table = compare_terminal.summary_table(rows, units=UNITS)
    rep = report_table(comparison, year=2035, units=UNITS, leave_out=True)
    mean = table.columns.index("mean")
    cells = {r[0]: r[mean] for r in table.rows}
    assert cells == dict(zip(rep["country"], rep["mean change"], strict=True))
    # AFG's change (about 0.03) keeps the column in fixed decimals, its tiny rows at
    # most MAX_FIXED decimals: one notation down the column, no "e-05" beside "+0.03".
    for r in table.rows:
        for cell in [r[mean], *r[mean + 2].split(" to ")]:
            assert "e" not in cell, cell
            assert cell == "0" or len(cell.split(".")[1]) <= MAX_FIXED, cell
    assert cells["AFG"].startswith(("+0.0", "-0.0"))
    assert "IND" not in cells  # identical in every run: left out, as before
