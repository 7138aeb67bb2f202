"""Shocks, the dollar channel and the banking-union levers as pure functions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scosim.finance.levers import backstop, fund_contributions, fund_payout, intervene, npl_flow
from scosim.finance.shocks import (
    asset_shocks,
    dollar_channel,
    sanctions_matrix,
    settlement_shares,
)

CODES = ("AAA", "BBB", "CCC", "ROW")


# ----------------------------------------------------------------------------- shocks
def test_asset_shocks_statistics():
    R, N = 20_000, 3
    g = np.zeros((R, N))
    g[:, 0] = 0.1 * np.random.default_rng(5).standard_normal(R)
    fuel = np.array([0.0, 0.5, 0.0])
    x, c = asset_shocks(g, fuel, np.random.default_rng(7), oil_sd=0.3, idio_sd=0.02,
                        commodity_beta=1.0)
    assert np.std(c) == pytest.approx(0.3, rel=0.03)
    # Non-exporter without GDP shock: only its own noise.
    assert np.std(x[:, 2]) == pytest.approx(0.02, rel=0.03)
    # Exporter: x = 0.5 c + noise, so corr(x, c) = 0.15 / sqrt(0.15^2 + 0.02^2).
    assert np.corrcoef(x[:, 1], c)[0, 1] == pytest.approx(0.15 / np.hypot(0.15, 0.02), abs=0.01)
    # GDP shocks pass one for one.
    assert np.corrcoef(x[:, 0], g[:, 0])[0, 1] == pytest.approx(0.1 / np.hypot(0.1, 0.02),
                                                               abs=0.01)


def test_per_run_generators_do_not_depend_on_batch():
    g = np.zeros((3, 2))
    gens = [np.random.default_rng(s) for s in (1, 2, 3)]
    x3, _ = asset_shocks(g, [0.1, 0.0], gens, oil_sd=0.3)
    x1, _ = asset_shocks(g[1:2], [0.1, 0.0], [np.random.default_rng(2)], oil_sd=0.3)
    np.testing.assert_array_equal(x3[1], x1[0])


def test_sanctions_matrix_combines_and_validates():
    S = sanctions_matrix([("AAA", "ROW", 0.5), ("AAA", "ROW", 0.5)], CODES, 2)
    assert S.shape == (2, 4, 4)
    assert S[0, 3, 0] == pytest.approx(0.75)
    with pytest.raises(ValueError, match="'ZZZ'"):
        sanctions_matrix([("ZZZ", "ROW", 1.0)], CODES, 1)
    with pytest.raises(ValueError, match="severity"):
        sanctions_matrix([("AAA", "ROW", 1.5)], CODES, 1)


def test_dollar_channel_by_hand():
    S = sanctions_matrix([("AAA", "ROW", 1.0)], CODES, 1)
    n = np.zeros((4, 4))
    n[0, 1] = n[1, 0] = 1.0  # AAA-BBB fully in national currencies
    H, F = dollar_channel(S, n, secondary=0.4, dollar_trade_cost=0.05)
    assert H[0, 3, 0] == 1.0 and H[0, 0, 3] == 1.0  # direct freeze both ways
    assert H[0, 1, 0] == 0.0 and H[0, 0, 1] == 0.0  # national-currency pair untouched
    assert H[0, 2, 0] == pytest.approx(0.4) and H[0, 0, 2] == pytest.approx(0.4)
    assert H[0, 1, 2] == 0.0  # pairs without the target unaffected
    assert F[0, 0, 2] == pytest.approx(1.05) and F[0, 2, 0] == pytest.approx(1.05)
    assert F[0, 0, 1] == 1.0 and F[0, 0, 3] == 1.0  # sanctioner pair: the trade event's job
    assert np.all(np.diagonal(H, axis1=1, axis2=2) == 0)


@settings(max_examples=40, deadline=None)
@given(lo=st.floats(0, 1), hi=st.floats(0, 1), sev=st.floats(0, 1))
def test_more_national_currency_settlement_never_hurts(lo, hi, sev):
    lo, hi = min(lo, hi), max(lo, hi)
    S = sanctions_matrix([("AAA", "ROW", sev)], CODES, 1)
    H_lo, F_lo = dollar_channel(S, np.full((4, 4), lo))
    H_hi, F_hi = dollar_channel(S, np.full((4, 4), hi))
    assert np.all(H_hi <= H_lo + 1e-15) and np.all(F_hi <= F_lo + 1e-15)


def test_settlement_shares_only_between_participants():
    base = np.zeros((4, 4))
    base[0, 3] = base[3, 0] = 0.3
    p = np.array([[True, True, False, False]])
    s = settlement_shares(base, p, 0.8)
    assert s[0, 0, 1] == 0.8 and s[0, 1, 0] == 0.8
    assert s[0, 0, 2] == 0.0 and s[0, 0, 3] == 0.3
    assert np.all(np.diagonal(s, axis1=1, axis2=2) == 1.0)


# ----------------------------------------------------------------------------- levers
def test_npl_flow_supervision_factor():
    base = np.array([[0.01, 0.02]])
    x = np.array([[-0.2, 0.1]])
    off = npl_flow(base, x, sensitivity=0.5, supervised=[[False, False]], supervision_effect=0.3)
    on = npl_flow(base, x, sensitivity=0.5, supervised=[[True, False]], supervision_effect=0.3)
    np.testing.assert_allclose(off, [[0.11, 0.02]])
    np.testing.assert_allclose(on, [[0.7 * 0.11, 0.02]])


def test_contributions_in_basis_points():
    c = fund_contributions([[1e9, 2e9]], [[True, False]], 10.0)
    np.testing.assert_allclose(c, [[1e6, 0.0]])


@settings(max_examples=60, deadline=None)
@given(
    fund=st.lists(st.floats(0, 100), min_size=4, max_size=4),
    need=st.lists(st.floats(0, 150), min_size=4, max_size=4),
    part=st.lists(st.booleans(), min_size=4, max_size=4),
    m=st.floats(0, 1),
)
def test_fund_payout_conserves_money(fund, need, part, m):
    F = np.array([fund])
    D = np.array([need])
    P = np.array([part])
    paid, after, unc, *_ = fund_payout(F, D, P, mutualisation=m)
    assert np.all(after >= -1e-9) and np.all(paid >= -1e-12)
    assert F.sum() - after.sum() == pytest.approx(paid.sum(), abs=1e-9)
    np.testing.assert_allclose(paid + unc, np.maximum(D, 0.0), atol=1e-9)
    assert np.all(paid[~P] == 0)
    np.testing.assert_allclose(after[~P], F[~P])  # outsiders' balances untouched
    if m == 0:
        assert np.all(paid <= np.where(P, F, 0.0) + 1e-12)


def test_fund_pooling_by_hand():
    paid, after, unc, *_ = fund_payout([[10.0, 30.0, 60.0]], [[50.0, 0.0, 0.0]], [[True] * 3],
                                   mutualisation=0.5)
    # Own 10, then half of the other 90 = 45 available, 40 needed, taken 30:60 = 1:2.
    np.testing.assert_allclose(paid, [[50.0, 0.0, 0.0]])
    np.testing.assert_allclose(after, [[0.0, 30 - 40 / 3, 60 - 80 / 3]])
    np.testing.assert_allclose(unc, 0.0)


def test_backstop_modes():
    unc = np.array([[90.0, 0.0, 10.0]])
    gdp = np.array([[1.0, 2.0, 7.0]])
    part = np.array([[True, True, False]])
    np.testing.assert_allclose(backstop(unc, gdp, part, "national"), unc)
    np.testing.assert_allclose(backstop(unc, gdp, part, "mutual"), [[30.0, 60.0, 10.0]])


def test_intervene_bails_in_first_and_info_triggers_early():
    E = np.array([[-5.0, 2.0, 2.0, -5.0]])
    A = np.array([100.0, 100.0, 100.0, 100.0])
    caught, bail, inject = intervene(
        E, A, resolution=[[True, True, False, False]], information=[[False, True, True, False]],
        trigger_info=0.03, target_ratio=0.08, bail_in_capacity=[[6.0, 6.0, 6.0, 6.0]])
    assert caught.tolist() == [[True, True, True, False]]
    np.testing.assert_allclose(bail, [[6.0, 6.0, 0.0, 0.0]])  # no bail-in powers without RA
    np.testing.assert_allclose(inject, [[7.0, 0.0, 6.0, 0.0]])


def test_intervene_counts_no_resolution_where_there_is_nothing_to_restore():
    """A trigger above the target ratio: systems between the two are not 'resolved'.

    The second and third systems are below the 10 percent trigger but hold 6 and 4.5
    percent, at or above the 4.5 percent a resolution restores; until 2026-12-05 both
    were counted as resolutions with no money moved. The first (2 percent) is resolved.
    """
    E = np.array([[2.0, 6.0, 4.5, -1.0]])
    A = np.full(4, 100.0)
    caught, bail, inject = intervene(
        E, A, resolution=[[True, True, True, False]], information=[[True, True, True, True]],
        trigger_info=0.10, target_ratio=0.045, bail_in_capacity=[[1.0, 1.0, 1.0, 1.0]])
    assert caught.tolist() == [[True, False, False, True]]
    np.testing.assert_allclose(bail, [[1.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(inject, [[1.5, 0.0, 0.0, 5.5]])
    # a resolution always moves money (bail-in or injection), and only a resolution does
    assert ((bail + inject > 0) == caught).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-20, 20), min_size=4, max_size=4), st.floats(0, 0.2),
       st.floats(0, 0.5), st.lists(st.booleans(), min_size=8, max_size=8))
def test_intervene_resolves_only_with_money(equity, trigger, target, flags):
    res, info = [flags[:4]], [flags[4:]]
    caught, bail, inject = intervene(
        np.array([equity]), np.full(4, 100.0), resolution=res, information=info,
        trigger_info=trigger, target_ratio=target, bail_in_capacity=np.full((1, 4), 3.0))
    assert ((bail + inject > 0) == caught).all()
    assert (bail >= 0).all() and (inject >= 0).all()
