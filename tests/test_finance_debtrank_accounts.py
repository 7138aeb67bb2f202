"""DebtRank's accounts on a three-bank network worked by hand (docs/finance.md section 2).

DebtRank (Battiston et al. 2012) has no payment vector: it values a claim at ``1 - h`` of
its face value when the debtor has lost the share ``h`` of its capital. In ``step`` a
system fails when its own losses leave it insolvent, and pays every creditor the same
share of what it owes. Until 2026-12-06 sanctions parked the frozen share of what a
debtor *owed*, so a defaulter's unpaid debt was parked as if it had been paid into a
blocked account, and the debtor's distress was counted again on the frozen part of a
claim already written off as frozen. Until 2026-12-06 too, a failed debtor's distress (1)
devalued the whole unfrozen claim, so its creditor wrote off the payment it received.

The network: A owes B 60, B owes C 45. External assets (130, 150, 100), external
liabilities (60, 45, 50), so capital is 130 - 60 - 60 = 10 for A, 210 - 45 - 45 = 120 for
B and 145 - 50 = 95 for C. B sanctions A with severity 0.5 (half of the payments between
them frozen; no secondary sanctions). A loses 70 of its external assets.

By hand:

* A: equity 10 - 70 = -60, it fails. It owes 120 (60 outside, 60 to B) and has 60, so it
  pays everyone half: its outside creditors lose 30, B is paid 30 of 60.
* Freeze: half of what A pays B is parked for B, 15 (the old count: half of the 60 owed,
  30). B receives the other 15.
* B's equity before contagion: 120 less the frozen half of its claim, 30: 90, distress
  h0 = 30 / 120 = 1/4. C: h0 = 0.
* DebtRank round 1 (A at h = 1, B at 1/4 propagate once): B's impact from A is the
  unfrozen part of what A does not pay, 1/2 x 1/2 x 60 = 15, over its capital: 1/8, so
  h_B = 1/4 + 1/8 = 3/8 (until 2026-12-06 the unfrozen claim, 30 / 120, h_B = 1/2; before
  that the whole claim, 60 / 120, h_B = 3/4). C's impact from B is 45 / 95, C gains
  45/95 x 1/4 of distress: C loses 45 x 1/4 = 11.25 of capital. Round 2: C owes nobody.
* B's capital after: 90 - (3/8 - 1/4) x 120 = 75. It has lost its claim on A less what A
  paid it, 60 - 15 = 45: 30 frozen (15 parked, 15 unpaid) + 15 distress (until 2026-12-06
  60, writing off the 15 it received; before that 90, more than the claim).
* Losses by cause: B's sanctions loss is what is parked, 15; its contagion loss is its
  distress loss, 15, plus the frozen half of what A did not pay, 15: 30, what A left it
  unpaid. C's: 11.25.
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.finance.shocks import sanctions_matrix
from scosim.finance.system import FinanceState, FinanceSystem
from test_finance_chain import CALM, _data  # tests/ is on sys.path (rootdir)


def _year():
    L = np.zeros((3, 3))
    L[0, 1], L[1, 2] = 60.0, 45.0
    data = _data(np.array([130.0, 150.0, 100.0]), np.array([60.0, 45.0, 50.0]), L)
    params = CALM.__class__(**{**CALM.__dict__, "kernel": "debtrank", "secondary": 0.0})
    fs = FinanceSystem(data, params)
    st = fs.initial_state(1)
    st = FinanceState(capital=st.capital - np.array([[70.0, 0.0, 0.0]]), npl=st.npl,
                      fund=st.fund, trade_cost_factor=st.trade_cost_factor,
                      parked=st.parked)
    S = sanctions_matrix([("B0", "B1", 0.5)], data.codes, 1)
    new, ind = fs.step(st, np.zeros((1, 3)), S, fs.levers(1), np.random.default_rng(0))
    return data, new, ind


def test_the_hand_worked_network():
    data, new, ind = _year()
    assert ind["failures"][0].tolist() == [1.0, 0.0, 0.0]
    np.testing.assert_allclose(ind["loss_sanctions"][0], [0.0, 15.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ind["frozen_parked"][0], [0.0, 15.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ind["loss_contagion"][0], [0.0, 30.0, 11.25], atol=1e-12)
    np.testing.assert_allclose(ind["interbank_unpaid"][0], [30.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(new.capital[0, 1:], [75.0, 95.0 - 11.25], atol=1e-12)
    # B's loss on its claim on A is the claim less the 15 it received, not more.
    assert ind["loss_sanctions"][0, 1] + ind["loss_contagion"][0, 1] == pytest.approx(45.0)
    assert data.capital[1] - new.capital[0, 1] == pytest.approx(45.0)
    # B's capital plus its parked claim is what it started with less what A left unpaid.
    assert new.capital[0, 1] + new.parked[0, 1] == pytest.approx(data.capital[1] - 30.0)


def test_the_identities_debtrank_keeps():
    """(1) Interbank money out = money in + parked, with the payments its recovery rule
    implies: A pays 30, B pays 45; B receives 15, C 45; 15 is parked: 75 = 60 + 15.
    (2) Who paid: A's outside creditors and the banks it leaves unpaid bear its hole, 60,
    once (no system fails through contagion under DebtRank: distress is at most 1).
    (3) Each creditor's capital lost to the network is its sanctions plus contagion loss."""
    data, new, ind = _year()
    paid = data.interbank_liabilities - ind["interbank_unpaid"][0]
    received = np.array([0.0, 15.0, 45.0])  # by hand, above
    assert paid.sum() == pytest.approx(received.sum() + ind["frozen_parked"][0].sum())
    outside = ind["insured_payout"] + ind["depositor_losses"] + ind["creditor_losses"]
    assert (outside + ind["interbank_unpaid"]).sum() == pytest.approx(60.0)
    lost = data.capital - new.capital[0]
    np.testing.assert_allclose(lost[1:], (ind["loss_sanctions"] + ind["loss_contagion"])[0, 1:],
                               atol=1e-12)


def test_the_identity_it_cannot_keep_is_the_valuation_gap():
    """DebtRank's losses on a distressed debtor that does not fail are valuations, not
    payments missed: creditor banks' capital falls by more than what defaulters leave
    unpaid. The gap here is 11.25: C writes off 11.25 of a claim B pays in full. A failed
    debtor's creditors lose what it does not pay, as under clearing (until 2026-12-06 B
    also wrote off the 15 of A's payment it received: the gap was 26.25). Under clearing
    the gap is 0 when no creditor bank defaults (tests/test_finance_who_paid.py), so money
    out = money in + parked holds for capital too; under DebtRank it holds for payments
    and for the creditors of failed debtors."""
    _, _, ind = _year()
    gap = ind["loss_contagion"].sum() - ind["interbank_unpaid"].sum()
    assert gap == pytest.approx(11.25)
