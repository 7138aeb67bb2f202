"""National-currency settlement is a partial shield: ``settlement_leakage``.

Before (outside review, 2026-12-06): settlement in national currencies was a complete and
free shield against the dollar channel of secondary sanctions, with no way to say
otherwise, although in 2024 Chinese banks refused or delayed yuan payments from Russia
at about 92 percent rouble / yuan settlement (ANCHORS.md). ``settlement_leakage`` is the
share of national-currency settlement still exposed; 0, the default, is the old shield.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scosim.finance.shocks import dollar_channel, sanctions_matrix

CODES = ("AAA", "BBB", "CCC", "ROW")
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
GAIN = "settlement_welfare_gain_pct"


def test_leaked_share_of_a_national_currency_pair_is_exposed_by_hand() -> None:
    S = sanctions_matrix([("AAA", "ROW", 1.0)], CODES, 1)
    n = np.zeros((4, 4))
    n[0, 1] = n[1, 0] = 1.0  # AAA-BBB fully in national currencies
    H, F = dollar_channel(S, n, secondary=0.4, dollar_trade_cost=0.05, settlement_leakage=0.3)
    # 30 % of the national-currency trade is treated as dollar-settled.
    assert H[0, 0, 1] == pytest.approx(0.4 * 0.3) and H[0, 1, 0] == pytest.approx(0.4 * 0.3)
    assert F[0, 0, 1] == pytest.approx(1.0 + 0.05 * 0.3)
    # Dollar-settled pairs are exposed in full whatever the leakage.
    assert H[0, 0, 2] == pytest.approx(0.4) and F[0, 0, 2] == pytest.approx(1.05)


@settings(max_examples=40, deadline=None)
@given(n=st.floats(0, 1), sev=st.floats(0, 1), lo=st.floats(0, 1), hi=st.floats(0, 1))
def test_more_leakage_never_helps_and_full_leakage_is_no_settlement(n, sev, lo, hi) -> None:
    lo, hi = min(lo, hi), max(lo, hi)
    S = sanctions_matrix([("AAA", "ROW", sev)], CODES, 1)
    shares = np.full((4, 4), n)
    H_lo, F_lo = dollar_channel(S, shares, settlement_leakage=lo)
    H_hi, F_hi = dollar_channel(S, shares, settlement_leakage=hi)
    assert np.all(H_lo <= H_hi + 1e-15) and np.all(F_lo <= F_hi + 1e-15)
    H_1, F_1 = dollar_channel(S, shares, settlement_leakage=1.0)
    H_0, F_0 = dollar_channel(S, np.zeros((4, 4)))
    np.testing.assert_allclose(H_1, H_0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(F_1, F_0, rtol=0, atol=1e-15)


def test_leakage_outside_zero_one_is_refused() -> None:
    S = sanctions_matrix([("AAA", "ROW", 1.0)], CODES, 1)
    with pytest.raises(ValueError, match="settlement_leakage"):
        dollar_channel(S, np.zeros((4, 4)), settlement_leakage=1.5)


def test_validate_names_the_leakage_field_and_its_range(capsys) -> None:
    from scosim.cli import main

    sc = str(SCENARIOS / "finance_crisis_settlement.yaml")
    assert main(["validate", sc, "--set", "parameters.finance.settlement_leakage=1.5"]) == 2
    err = capsys.readouterr().err
    assert "parameters.finance.settlement_leakage" in err and "must be <= 1" in err
    assert "Traceback" not in err
    assert main(["validate", sc, "--set", "parameters.finance.settlement_leakage=0.5"]) == 0


def _gain_2026(tmp_path: Path, leakage: float) -> pd.Series:
    from scosim.runner import run

    res = run(str(SCENARIOS / "finance_crisis_settlement.yaml"), out=str(tmp_path / str(leakage)),
              progress=False, plots=False, overrides={
                  "replications": 2, "years": {"start": 2025, "end": 2026},
                  "parameters.finance.settlement_leakage": leakage})
    ind = res.indicators
    rows = ind[(ind["indicator"] == GAIN) & (ind["year"] == 2026)]
    return rows.set_index(["run", "country"])["value"].sort_index()


def test_the_settlement_gain_falls_with_the_leakage_to_nothing(tmp_path: Path) -> None:
    """In the shipped crisis the gain of the members outside the EAEU shrinks as more of
    their national-currency trade leaks, and with all of it leaking there is none."""
    g0, g_half, g1 = (_gain_2026(tmp_path, x) for x in (0.0, 0.5, 1.0))
    uzb = [g.xs("UZB", level="country") for g in (g0, g_half, g1)]
    assert uzb[0].min() > 0.05  # a real gain with a full shield
    assert (uzb[1] < uzb[0]).all() and (uzb[1] > 0).all()
    assert (g1 == 0).all()
