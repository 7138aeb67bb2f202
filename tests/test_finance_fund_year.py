"""The fund's pooled share is a share per year (docs/finance.md section 5).

``mutualisation`` m: each compartment makes m of its balance at the start of the year's
payments available to the other participants, over all the year's payments together (a
resolution, the payment past the 5 % under BRRD art. 44(7), the deposit payout after
clearing). Until 2026-12-06 every payment could take m of what was left again, so with m
in (0, 1) a year's draws could reach m + m(1 - m) + ... of the others' compartments.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from scosim.finance.levers import fund_payout
from scosim.finance.system import FinanceState, FinanceSystem, Levers
from test_finance_chain import CALM, _data  # tests/ is on sys.path (rootdir)

ALL = [[True, True]]


def _two_draws(m: float) -> tuple[np.ndarray, np.ndarray]:
    """Compartments 2 and 10; economy 0 needs 7, then 6 more in the same year."""
    first = fund_payout([[2.0, 10.0]], [[7.0, 0.0]], ALL, mutualisation=m)
    second = fund_payout(first.fund_after, [[6.0, 0.0]], ALL, mutualisation=m,
                         lendable=first.lendable)
    return first.paid[0, 0] + second.paid[0, 0], second.fund_after[0]


def test_half_pooled_the_others_give_half_of_their_start_balance_in_a_year():
    """m 0.5: the other compartment gives 5 of its 10 over the year: 2 + 5 to the first
    need, nothing to the second. Until 2026-12-06 the second took half of the 5 left."""
    paid, after = _two_draws(0.5)
    np.testing.assert_allclose(paid, 2.0 + 0.5 * 10.0, atol=1e-12)
    np.testing.assert_allclose(after, [0.0, 5.0], atol=1e-12)


@pytest.mark.parametrize(("m", "paid", "after"), [(0.0, 2.0, [0.0, 10.0]),
                                                  (1.0, 12.0, [0.0, 0.0])])
def test_national_and_fully_pooled_funds_are_as_before(m, paid, after):
    """m 0: its own 2 only; m 1: one fund of 12, all of it paid (7 and then 5 of the 6)."""
    got, left = _two_draws(m)
    np.testing.assert_allclose(got, paid, atol=1e-12)
    np.testing.assert_allclose(left, after, atol=1e-12)


def test_a_single_draw_takes_in_proportion_to_what_compartments_may_give():
    """One draw as before: 40 from compartments of 30 and 60 at m 0.5, taken 1:2 (their
    budgets 15 and 30 shrink by what they gave; the first keeps its budget of 5, which
    its empty balance cannot give)."""
    out = fund_payout([[10.0, 30.0, 60.0]], [[50.0, 0.0, 0.0]], [[True] * 3],
                      mutualisation=0.5)
    np.testing.assert_allclose(out.fund_after, [[0.0, 30 - 40 / 3, 60 - 80 / 3]])
    np.testing.assert_allclose(out.lendable, [[5.0, 15 - 40 / 3, 30 - 80 / 3]])


# A year in the model: A (resolved) and B (failing in clearing) draw on C's compartment.
# The chain of tests/test_finance_fund_limits.py, A owes B 60 and B owes C 45; A loses 65
# (E0 -55, the 8 % met, the fund's 5 % is 6), B loses 30 of its 50 external assets (20 of
# capital): it fails and its insured depositors are paid after clearing. A and C are in
# the whole union, B in the deposit insurance only; only C's compartment holds money, 10.
# B's outside debt, 45, is all insured deposits: the 40 it pays them in clearing (80 of the
# 90 it owes, pari passu) leaves them 5 short. (With the chain's 11.25 of insured deposits
# they would be paid first, BRRD art. 108, and lose nothing.)
IN_YEAR = replace(CALM, lgd=1.0, npl_sensitivity=1.0)


def _year(m: float) -> dict[str, np.ndarray]:
    L = np.zeros((3, 3))
    L[0, 1], L[1, 2] = 60.0, 45.0
    data = _data(np.array([130.0, 50.0, 100.0]), np.array([60.0, 45.0, 50.0]), L)
    data = replace(data, deposits=np.array([30.0, 45.0, 25.0]),
                   insured=np.array([15.0, 45.0, 12.5]))
    fs = FinanceSystem(data, IN_YEAR)
    st = fs.initial_state(1)
    st = FinanceState(capital=st.capital, npl=st.npl, fund=np.array([[0.0, 0.0, 10.0]]),
                      trade_cost_factor=st.trade_cost_factor)
    ac = np.array([[True, False, True]])
    levers = Levers(np.zeros((1, 3), bool), np.ones((1, 3), bool), ac, ac, np.zeros((1, 3, 3)),
                    contribution_bp=0.0, mutualisation=m)
    g = np.array([[-65.0 / 130.0, -30.0 / 50.0, 0.0]])
    _, ind = fs.step(st, g, fs.no_sanctions(1), levers, np.random.default_rng(0))
    assert ind["resolutions"][0, 0] == 1 and ind["failures"][0, 1] == 1
    np.testing.assert_allclose(ind["insured_payout"][0, 1], 5.0, atol=1e-9)
    return ind


def test_a_resolution_and_a_deposit_payout_share_one_yearly_pool():
    """m 0.5: A's resolution takes the 5 C may give (its 5 % of 6 not reached, so no more
    under art. 44(7)); B's insured depositors get nothing from C after clearing, and C
    keeps half its 10. Until 2026-12-06 B's payout drew again on the 5 left, up to half
    of it: its insured depositors' whole loss (then 1.25 of the chain's deposits, shared
    pro rata), so C gave 6.25 of its 10."""
    ind = _year(0.5)
    np.testing.assert_allclose(ind["fund_payout"][0, 0], 5.0, atol=1e-9)
    np.testing.assert_allclose(ind["fund_payout"][0, 1], 0.0, atol=1e-9)
    np.testing.assert_allclose(ind["fund_balance"][0, 2], 5.0, atol=1e-9)


def test_fully_pooled_the_year_may_take_everything():
    """m 1: A takes its 6 and past the cap the other 4 (art. 44(7)); nothing is left."""
    ind = _year(1.0)
    np.testing.assert_allclose(ind["fund_payout"][0, 0], 10.0, atol=1e-9)
    np.testing.assert_allclose(ind["fund_balance"][0, 2], 0.0, atol=1e-9)
