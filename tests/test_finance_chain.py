"""Who paid, on hand-computable networks: a loss passed along a chain is counted once.

A creditor bank that fails in turn passes on to its own creditors the part of its unpaid
claims that its capital cannot absorb; until 2026-12-05 that part was counted both at the
first debtor (``interbank_unpaid``, "other banks") and again among the second bank's
creditors' losses.
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.finance.data import BankingData
from scosim.finance.system import FinanceParams, FinanceState, FinanceSystem

# No income, no credit losses, no draws: a year's losses are the capital taken away in the
# initial state (an own loss), so every figure below can be worked out by hand.
CALM = FinanceParams(roa_margin=0.0, idio_sd=0.0, oil_sd=0.0, npl_sensitivity=0.0)


def _data(e: np.ndarray, b: np.ndarray, L: np.ndarray) -> BankingData:
    """Balance sheets with external assets ``e``, external liabilities ``b``, exposures ``L``."""
    n = len(e)
    assets = e + L.sum(axis=0)
    capital = assets - b - L.sum(axis=1)
    return BankingData(
        codes=tuple(f"B{k}" for k in range(n)), gdp=np.full(n, 1e3), assets=assets,
        capital=capital, deposits=b / 2, insured=b / 4, npl=np.zeros(n),
        fuel_exports_gdp=np.zeros(n), L=L, parameters={}, settlement=np.zeros((n, n)))


def _step(data: BankingData, own_loss: np.ndarray, params: FinanceParams = CALM):
    """One year with ``own_loss`` (R, N) taken from capital before clearing."""
    fs = FinanceSystem(data, params)
    R, N = own_loss.shape
    st = fs.initial_state(R)
    st = FinanceState(capital=st.capital - own_loss, npl=st.npl, fund=st.fund,
                      trade_cost_factor=st.trade_cost_factor)
    _, ind = fs.step(st, np.zeros((R, N)), fs.no_sanctions(R), fs.levers(R),
                     np.random.default_rng(0))
    return fs, ind


def _outside(ind: dict[str, np.ndarray]) -> np.ndarray:
    """Outside creditors' losses in default: insured and uninsured depositors, the rest."""
    return ind["insured_payout"] + ind["depositor_losses"] + ind["creditor_losses"]


def test_a_chain_of_three_banks_counts_the_passed_on_loss_once():
    """A owes B 60, B owes C 45. A loses 70 of its 130 external assets and defaults.

    Pari passu, A pays 60 of the 120 it owes: 30 to its outside creditors (who lose 30)
    and 30 to B. B had 20 of equity; with 30 of its 60 claim unpaid it holds 80 against 90
    owed and pays 40 + 40: its outside creditors and C lose 5 each. C absorbs 5. So B's
    capital bears 20 of A's 30 unpaid and passes 10 on (5 + 5, counted at B), and the
    loss borne by everyone is A's hole, 60 (30 + 20 outside A, 5 + 5 at B); the old count
    put all 30 at A and gave 70.
    """
    L = np.zeros((3, 3))
    L[0, 1], L[1, 2] = 60.0, 45.0
    data = _data(np.array([130.0, 50.0, 100.0]), np.array([60.0, 45.0, 50.0]), L)
    _, ind = _step(data, np.array([[70.0, 0.0, 0.0]]))
    assert ind["failures"][0].tolist() == [1.0, 1.0, 0.0]
    np.testing.assert_allclose(_outside(ind)[0], [30.0, 5.0, 0.0], rtol=1e-12)
    np.testing.assert_allclose(ind["interbank_unpaid"][0], [20.0, 5.0, 0.0], rtol=1e-12)
    # What creditors lose by cause is unchanged: B is not paid 30, C is not paid 5.
    np.testing.assert_allclose(ind["loss_contagion"][0], [0.0, 30.0, 5.0], atol=1e-12)
    total = _outside(ind).sum() + ind["interbank_unpaid"].sum()
    assert total == pytest.approx(60.0, rel=1e-12)


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
@pytest.mark.parametrize("cost", [1.0, 0.7])
@pytest.mark.parametrize("seed", range(6))
def test_who_paid_adds_up_to_the_holes_and_the_default_costs(seniority, cost, seed):
    """On random dense networks with large own losses (contagion several rounds deep),
    outside creditors' losses plus what creditor banks' capital bears equal the holes of
    the systems insolvent on their own plus the value destroyed by default costs: every
    unit lost is borne once, by a creditor outside the network or by a bank's capital."""
    rng = np.random.default_rng(seed)
    n, R = 6, 8
    L = rng.uniform(0, 40, (n, n)) * (rng.uniform(size=(n, n)) < 0.7)
    np.fill_diagonal(L, 0.0)
    e = rng.uniform(60, 120, n)
    b = rng.uniform(0.3, 0.8, n) * (e + L.sum(axis=0) - L.sum(axis=1)).clip(1.0)
    data = _data(e, b, L)
    own = rng.uniform(0, 1, (R, n)) ** 4 * e  # a few large losses
    params = CALM.__class__(**{**CALM.__dict__, "seniority": seniority, "alpha": cost,
                               "beta": cost})
    _, ind = _step(data, own, params)
    if seed == 0:
        assert (ind["contagion_round"] >= 2).any(), "the networks must spread defaults"
    hole = np.maximum(own - data.capital, 0.0)  # equity before interbank losses < 0
    total = _outside(ind).sum(axis=1) + ind["interbank_unpaid"].sum(axis=1)
    expect = hole.sum(axis=1) + ind["loss_default_costs"].sum(axis=1)
    np.testing.assert_allclose(total, expect, rtol=1e-9, atol=1e-9)
