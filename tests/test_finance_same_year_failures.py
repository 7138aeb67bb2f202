"""Two and three banking systems failing in the same year: the interbank losses add up.

What defaulting debtors leave unpaid to other banks must equal what creditor banks write
off (``loss_contagion``), frozen shares included. ``interbank_unpaid`` counts at the debtor
only the part its creditor banks' capital bears: a creditor bank that fails in turn passes
the rest on to its own creditors, where it is counted (``tests/test_finance_chain.py``).
Until 2026-12-06 that rest was recorded nowhere, so wherever one failed system was another
failed system's creditor the debtors' side fell short of the creditors' side: by 34/11 of
69 owed (4.5 %) on the anchor network below, by US$2.0 bn where China and Russia both fail
in the staged crisis of ``test_finance_default_identities.py`` (run 55 of 64). It is now
``interbank_passed_on``. The clearing itself was right: it is Eisenberg and Noe's (2001)
clearing vector, checked below against the one published for the anchor network.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from scosim.finance.data import BankingData
from scosim.finance.shocks import sanctions_matrix
from scosim.finance.system import FinanceParams, FinanceState, FinanceSystem

# No income, no credit losses, no draws: the year's only loss is the one set by hand.
CALM = FinanceParams(roa_margin=0.0, idio_sd=0.0, oil_sd=0.0, npl_sensitivity=0.0,
                     secondary=0.0)


def _data(e: np.ndarray, b: np.ndarray, L: np.ndarray) -> BankingData:
    """Balance sheets with external assets ``e``, external liabilities ``b``, exposures ``L``."""
    n = len(e)
    assets = e + L.sum(axis=0)
    return BankingData(
        codes=tuple(f"B{k}" for k in range(n)), gdp=np.full(n, 1e3), assets=assets,
        capital=assets - b - L.sum(axis=1), deposits=b / 2, insured=b / 4, npl=np.zeros(n),
        fuel_exports_gdp=np.zeros(n), L=L, parameters={}, settlement=np.zeros((n, n)))


def _year(data: BankingData, own_loss: np.ndarray, severity: float = 0.0,
          params: FinanceParams = CALM) -> dict[str, np.ndarray]:
    """One year with ``own_loss`` (N,) taken from capital; B1 sanctions B0 at ``severity``."""
    fs = FinanceSystem(data, params)
    st = fs.initial_state(1)
    st = FinanceState(capital=st.capital - own_loss, npl=st.npl, fund=st.fund,
                      trade_cost_factor=st.trade_cost_factor)
    S = sanctions_matrix([("B1", "B0", severity)], data.codes, 1)
    return fs.step(st, np.zeros((1, fs.N)), S, fs.levers(1), np.random.default_rng(0))[1]


def _assert_both_sides_equal(ind: dict[str, np.ndarray], claims: float) -> None:
    """Debtors' side (kept + passed on) = creditors' side, to 1e-9 of the claims."""
    debtors = ind["interbank_unpaid"].sum(axis=1) + ind["interbank_passed_on"].sum(axis=1)
    np.testing.assert_allclose(debtors, ind["loss_contagion"].sum(axis=1), rtol=0.0,
                               atol=1e-9 * claims)


def test_the_anchor_network_two_failures_add_up():
    """ANCHORS.md "Financial contagion": e = (10, 10, 10), L = [[0, 20, 10], [5, 0, 24],
    [10, 0, 0]], no outside debt; the published clearing vector p = (270/11, 290/11, 10)
    has banks 1 and 2 failing, each the other's creditor. Each debtor pays each creditor
    its share of p: bank 1 leaves 20 - 20/30 p1 = 40/11 unpaid to bank 2 and 20/11 to bank
    3, bank 2 leaves 5/11 to bank 1 and 24/11 to bank 3. Bank 2's shortfall, 29/11, is
    laid on the 40/11 bank 1 left it, bank 1's, 60/11, on all 5/11 bank 2 left it: 34/11
    is passed on, and what bank capital keeps, 55/11 = 5, is bank 1's own hole
    (10 + 15 - 30 = -5): 1 at bank 2, all its capital, and 4 at bank 3."""
    L = np.array([[0.0, 20.0, 10.0], [5.0, 0.0, 24.0], [10.0, 0.0, 0.0]])
    data = _data(np.full(3, 10.0), np.zeros(3), L)
    ind = _year(data, np.zeros(3))
    p = np.array([270.0, 290.0, 110.0]) / 11.0  # the anchor's clearing vector
    assert ind["failures"][0].tolist() == [1.0, 1.0, 0.0]
    unpaid = L - L / L.sum(axis=1, keepdims=True) * p[:, None]
    np.testing.assert_allclose(ind["loss_contagion"][0], unpaid.sum(axis=0), rtol=1e-12)
    left = ind["interbank_unpaid"][0] + ind["interbank_passed_on"][0]
    np.testing.assert_allclose(left, unpaid.sum(axis=1) * [1, 1, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ind["interbank_passed_on"][0].sum(), 34.0 / 11.0, rtol=1e-12)
    np.testing.assert_allclose(ind["interbank_unpaid"][0].sum(), 5.0, rtol=1e-12)
    _assert_both_sides_equal(ind, L.sum())


def _chain() -> BankingData:
    """A owes B 60, B owes C 50, C owes D 40; capital 10, 25, 5 and 90."""
    L = np.zeros((4, 4))
    L[0, 1], L[1, 2], L[2, 3] = 60.0, 50.0, 40.0
    return _data(np.array([130.0, 60.0, 25.0, 100.0]), np.array([60.0, 45.0, 30.0, 50.0]), L)


def test_three_failures_in_a_chain_add_up():
    """A loses 100 and fails, then B, then C (three rounds). A holds 30 against 120 owed
    and pays everyone a quarter: B gets 15 of 60. B holds 75 against 95 and pays 15/19 of
    each claim: C gets 750/19 of 50, B's outside creditors lose 180/19. C holds 25 +
    750/19 against 70, 105/19 short: D loses 40/70 of it, 60/19. B's shortfall, 20, is
    passed on of the 45 A left it unpaid and its capital keeps 25; C's, 105/19, of B's
    200/19, and its capital keeps 5. The outside creditors' losses and what bank capital
    keeps add up to A's own hole, 90."""
    data = _chain()
    ind = _year(data, np.array([100.0, 0.0, 0.0, 0.0]))
    assert ind["failures"][0].tolist() == [1.0, 1.0, 1.0, 0.0]
    assert ind["contagion_round"][0].tolist() == [1.0, 2.0, 3.0, 0.0]
    np.testing.assert_allclose(ind["loss_contagion"][0], [0.0, 45.0, 200 / 19, 60 / 19],
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ind["interbank_unpaid"][0], [25.0, 5.0, 60 / 19, 0.0],
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ind["interbank_passed_on"][0], [20.0, 105 / 19, 0.0, 0.0],
                               rtol=1e-12, atol=1e-12)
    _assert_both_sides_equal(ind, data.L.sum())
    outside = ind["insured_payout"] + ind["depositor_losses"] + ind["creditor_losses"]
    total = outside.sum() + ind["interbank_unpaid"].sum()
    assert total == pytest.approx(90.0, rel=1e-12)


@pytest.mark.parametrize("severity", [0.5, 1.0])
def test_frozen_shares_are_on_both_sides(severity):
    """B sanctions A in the chain of three failures: the frozen share of what A pays B is
    parked, of what A does not pay lost in default. What creditors lose to defaulters,
    frozen or not, is what the defaulters leave unpaid, kept or passed on; with the parked
    payments it is everything the debtors owed less what reached their creditors."""
    data = _chain()
    ind = _year(data, np.array([100.0, 0.0, 0.0, 0.0]), severity)
    assert ind["failures"][0, :3].all() and ind["loss_sanctions"][0, 1] > 0
    assert ind["interbank_passed_on"][0, 0] > 0
    _assert_both_sides_equal(ind, data.L.sum())
    # A holds 30 against 120 and pays a quarter: B receives (1 - s) x 15 of its 60.
    lost_by_b = ind["loss_contagion"][0, 1] + ind["loss_sanctions"][0, 1]
    assert lost_by_b == pytest.approx(60.0 - (1.0 - severity) * 15.0, rel=1e-12)


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
@pytest.mark.parametrize("cost", [1.0, 0.7])
def test_any_number_of_failures_adds_up(seniority, cost):
    """Random dense networks with large own losses, sanctions in two pairs: both sides
    equal, and the part passed on is nothing in a run with a single failure (pari
    passu without default costs: 0 to 5 failures a run, up to three rounds deep)."""
    rng = np.random.default_rng(7)
    n, R = 6, 64
    L = rng.uniform(0, 40, (n, n)) * (rng.uniform(size=(n, n)) < 0.7)
    np.fill_diagonal(L, 0.0)
    e = rng.uniform(60, 120, n)
    b = rng.uniform(0.3, 0.8, n) * (e + L.sum(axis=0) - L.sum(axis=1)).clip(1.0)
    data = _data(e, b, L)
    fs = FinanceSystem(data, replace(CALM, seniority=seniority, alpha=cost, beta=cost))
    st = fs.initial_state(R)
    own = rng.uniform(0, 1, (R, n)) ** 3 * e
    st = FinanceState(capital=st.capital - own, npl=st.npl, fund=st.fund,
                      trade_cost_factor=st.trade_cost_factor)
    S = sanctions_matrix([("B1", "B0", 0.5), ("B3", "B2", 1.0)], data.codes, R)
    ind = fs.step(st, np.zeros((R, n)), S, fs.levers(R), np.random.default_rng(0))[1]
    failures = ind["failures"].sum(axis=1)
    assert {1, 2, 3} <= set(failures.astype(int).tolist())
    _assert_both_sides_equal(ind, L.sum())
    assert not ind["interbank_passed_on"][failures <= 1].any()
    assert (ind["interbank_passed_on"].sum(axis=1)[failures >= 3] > 0).any()
