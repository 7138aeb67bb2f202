"""Depositor preference in the no-creditor-worse-off bound (BRRD art. 108; docs/finance.md 5).

Directive 2014/59/EU art. 108, as amended by Directive (EU) 2017/2399, ranks covered
deposits (and the deposit guarantee scheme subrogated to them) above the uninsured
eligible deposits of natural persons and SMEs, and those above ordinary unsecured claims.
Interbank claims are not eligible deposits (Directive 2014/49/EU art. 5(1)(a)) and rank
with the ordinary ones. So in liquidation the estate pays the deposits first: the bail-in
of uninsured deposits, and the art. 109 payment for insured ones, are capped by their own,
smaller loss. The recoveries below are laid down the ranking by hand.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from scosim.finance.liquidation import ranked_losses
from scosim.finance.system import FinanceState, FinanceSystem, Levers
from test_finance_chain import CALM, _data  # tests/ is on sys.path (rootdir)

# One failed system's claims: insured 30, uninsured 30, ordinary 40, interbank 10 (110).
INSURED, UNINSURED, ORDINARY, INTERBANK = 30.0, 30.0, 40.0, 10.0


def _ranked(estate: list[float], failed: bool = True):
    R = len(estate)
    return ranked_losses(np.array(estate)[:, None], np.full((R, 1), failed),
                         insured=[INSURED], uninsured=[UNINSURED], ordinary=[ORDINARY],
                         interbank=[INTERBANK])


def test_ordinary_debt_wiped_out_while_uninsured_deposits_lose_nothing():
    """Estate 60: 30 to the insured, 30 to the uninsured, nothing left for the 50 of
    ordinary and interbank debt. Pro rata every class would lose 50/110 = 45 %; ranked,
    the deposits lose nothing and the ordinary debt all. Estate 65: the 5 left go to
    ordinary and interbank debt 40:10, 4 to the ordinary debt, which loses 36 of 40."""
    lost = _ranked([60.0, 65.0])
    np.testing.assert_allclose(lost.insured[:, 0], [0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(lost.uninsured[:, 0], [0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(lost.ordinary[:, 0], [1.0, 36.0 / 40.0], rtol=1e-12)


def test_a_deeper_loss_reaches_the_uninsured_then_the_insured():
    """Estate 45: the insured 30 in full, the uninsured 15 of their 30 (they lose half).
    Estate 20: the insured 20 of 30 (a third lost), everyone below nothing."""
    lost = _ranked([45.0, 20.0])
    np.testing.assert_allclose(lost.insured[:, 0], [0.0, 1.0 / 3.0], rtol=1e-12)
    np.testing.assert_allclose(lost.uninsured[:, 0], [0.5, 1.0], rtol=1e-12)
    np.testing.assert_allclose(lost.ordinary[:, 0], [1.0, 1.0], rtol=1e-12)


def test_a_system_that_does_not_fail_costs_no_class_anything():
    lost = _ranked([20.0], failed=False)
    for share in (lost.insured, lost.uninsured, lost.ordinary):
        assert not share.any()


# The chain of tests/test_finance_brrd_backstop.py: A owes B 60 and its outside creditors
# 60 (15 insured deposits, 15 uninsured, 30 other), 130 of external assets, 10 of capital
# in the tables; A alone in the union, no fund, a tenth of the other debt bail-inable (3).
# A starts the year with capital K and loses X: its external assets are 130 + K - 10 - X,
# all it has, its estate in clearing (it holds no claims); TLOF 120, the 8 % is 9.6.
IN_YEAR = replace(CALM, lgd=1.0, npl_sensitivity=1.0)


def _step_a(capital: float, loss: float) -> dict[str, np.ndarray]:
    L = np.zeros((3, 3))
    L[0, 1], L[1, 2] = 60.0, 45.0
    fs = FinanceSystem(_data(np.array([130.0, 50.0, 100.0]), np.array([60.0, 45.0, 50.0]), L),
                       IN_YEAR)
    st = fs.initial_state(1)
    st = FinanceState(capital=np.array([[capital, st.capital[0, 1], st.capital[0, 2]]]),
                      npl=st.npl, fund=np.zeros((1, 3)), trade_cost_factor=st.trade_cost_factor)
    a = np.array([[True, False, False]])
    levers = Levers(np.zeros((1, 3), bool), a, a, a, np.zeros((1, 3, 3)), contribution_bp=0.0,
                    bail_in_share=0.1)
    g = np.array([[-loss / 130.0, 0.0, 0.0]])
    _, ind = fs.step(st, g, fs.no_sanctions(1), levers, np.random.default_rng(0))
    return ind


def test_uninsured_deposits_are_bailed_in_within_their_ranked_loss():
    """K 4, X 97: estate 27. Ranked: the 15 insured in full, the uninsured 12 of 15, so they
    would lose 3 in liquidation (pro rata, 15 x 93/120 = 11.6). Shareholders 4 and the
    ordinary debt 3 (a tenth of 30; it would lose more): 2.6 short of 9.6, within the 3:
    bailed in, the 8 % met, A resolved."""
    ind = _step_a(4.0, 97.0)
    assert ind["resolutions"][0, 0] == 1 and not ind["failures"].any()
    np.testing.assert_allclose(ind["bail_in_deposits"][0, 0], 9.6 - 4.0 - 3.0, atol=1e-9)
    np.testing.assert_allclose(ind["bail_in"][0, 0], 9.6 - 4.0, atol=1e-9)


def test_the_deposit_bail_in_stops_at_what_depositors_lose_in_liquidation():
    """K 1, X 94: estate 27 again, the uninsured would lose 3. Shareholders 1 and the
    ordinary debt 3 leave 5.6 short of 9.6, more than the 3: the 8 % cannot be met, so A,
    insolvent, gets no public money and fails in clearing. Pro rata the uninsured would
    have lost 11.6 and been bailed in for the 5.6 (until 2026-12-06)."""
    ind = _step_a(1.0, 94.0)
    assert ind["resolution_refused"][0, 0] == 1 and ind["failures"][0, 0] == 1
    assert ind["bail_in_deposits"][0, 0] == 0 and ind["bail_in"][0, 0] == 0
