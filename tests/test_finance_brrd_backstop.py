"""Public money in resolution under the BRRD's conditions (docs/finance.md section 5).

The 8 % of total liabilities including own funds (TLOF) that shareholders and creditors
must absorb (art. 44(5)(a)) conditions the government stabilisation tools too (art.
37(10)(a)), not only the resolution fund. The shareholders' part is this year's loss of
their own funds, counted after the deposit insurance contributions, which are a cost of
the year and not a loss absorbed in resolution.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from scosim.finance.system import FinanceState, FinanceSystem, Levers
from test_finance_chain import CALM, _data  # tests/ is on sys.path (rootdir)

# A's loss falls within the year (lgd 1, one unit of new NPLs per unit of negative
# shock, no income): tests/test_finance_fund_limits.py.
IN_YEAR = replace(CALM, lgd=1.0, npl_sensitivity=1.0)


def _chain(capital_a: float = 10.0) -> FinanceSystem:
    """The chain A owes B 60, B owes C 45; A: 130 of assets, 60 of outside debt (30
    deposits, 15 of them insured, 30 other), ``capital_a`` of capital."""
    L = np.zeros((3, 3))
    L[0, 1], L[1, 2] = 60.0, 45.0
    data = _data(np.array([130.0, 50.0, 100.0]), np.array([60.0, 45.0, 50.0]), L)
    return FinanceSystem(data, IN_YEAR)


def _step_a(losses: list[float], *, capital: float, fund: float, bp: float,
            **kw: object) -> dict[str, np.ndarray]:
    """One year, one run per loss of A; A alone in a full union."""
    fs = _chain()
    R = len(losses)
    st = fs.initial_state(R)
    cap = st.capital.copy()
    cap[:, 0] = capital
    st = FinanceState(capital=cap, npl=st.npl, fund=np.tile([fund, 0.0, 0.0], (R, 1)),
                      trade_cost_factor=st.trade_cost_factor)
    a = np.broadcast_to([True, False, False], (R, 3))
    levers = Levers(np.zeros((R, 3), bool), a, a, a, np.zeros((R, 3, 3)), contribution_bp=bp,
                    **kw)  # type: ignore[arg-type]
    g = np.zeros((R, 3))
    g[:, 0] = -np.asarray(losses) / 130.0
    _, ind = fs.step(st, g, fs.no_sanctions(R), levers, np.random.default_rng(0))
    return ind


def test_contributions_are_not_the_shareholders_loss():
    """Paying 500 bp of A's 15 of insured deposits (0.75) into the fund out of its capital
    of 10 is the same as starting the year with 9.25 and a fund 0.75 richer: the
    shareholders then lose 9.25 in a deep loss, short of 8 % of TLOF (9.6), where the
    capital of 10 would have met it. Until 2026-12-06 the contribution counted as their
    loss, and the first case met the 8 % while the second did not."""
    losses = [65.0, 26.0, 13.0]
    paid = _step_a(losses, capital=10.0, fund=60.0, bp=500.0, bail_in_share=0.0)
    same = _step_a(losses, capital=9.25, fund=60.75, bp=0.0, bail_in_share=0.0)
    for k in set(paid) - {"fund_contribution"}:  # 0.75 paid in against none
        np.testing.assert_allclose(paid[k], same[k], atol=1e-9, err_msg=k)
    np.testing.assert_allclose(paid["fund_contribution"][:, 0], 0.75, atol=1e-12)


# Rows of _step_a at a start capital and a loss (fund 60, no contributions). A's equity
# E0 = capital - loss; TLOF 120 when E0 < 0, so the 8 % is 9.6; in clearing A would pay its
# creditors 120 + E0 in all. Laid down the ranking of BRRD art. 108 the estate pays the 15
# insured and the 15 uninsured deposits first, then the 30 of other debt and the 60
# owed to B pari passu, so the other debt would lose 30 x (-E0) / 90 in liquidation, which
# caps its bail-in (no creditor worse off; in the model's own default, which ranks only
# the outside creditors' half of the estate, it would lose -E0 / 2: more). While the
# estate exceeds 30 the deposits would lose nothing and none is bailed in
# (tests/test_finance_depositor_preference.py works the deep losses where they would).
# 1. capital 7, loss 13: E0 -6; ordinary bail-in 2 (half of 30 would be 15), shareholders
#    7 + 2 = 9 < 9.6, and the uninsured deposits, paid in full from the estate of 114,
#    may not be bailed in: no public money, so no resolution; A fails in clearing.
# 2. capital 4, loss 10: E0 -6 again; 4 + 2 = 6 < 9.6: no public money, so no
#    resolution: A fails in clearing as it would without the union. There A pays its
#    outside creditors half of 114, 57: the deposits in full, the other debt 27 of 30.
# 3. capital 10, loss 7.8: E0 2.2, caught early (3 % trigger, 3.9), solvent: no creditor
#    would lose in liquidation, so no bail-in; the shareholders' 7.8 < 8 % of 122.2.
#    A holds 1.7 % of its assets, below its own-funds requirement (recap_ratio, 4.5 %):
#    failing or likely to fail (BRRD art. 32(4)(a)), so no precautionary
#    recapitalisation (art. 32(4)(d), for a system that meets it) and no public money;
#    until 2026-12-06 the treasury paid 3.65 as a "precautionary" one.
# 4. capital 10, loss 4: E0 6 = 4.6 % of assets, above the requirement: not caught
#    even with a trigger of 6 % (nothing to restore), and no public money either.
# Until the failure path was ranked (2026-12-06) the other debt's bound was its pro rata
# share, 1.5 in rows 1 and 2, and in row 2 the insured depositors lost 0.75 in default.


def test_uninsured_deposits_paid_in_full_in_liquidation_are_not_bailed_in():
    """Row 1: the 0.6 the 8 % lacks may not come from depositors the estate pays in full."""
    ind = _step_a([13.0], capital=7.0, fund=60.0, bp=0.0)
    assert ind["resolution_refused"][0, 0] == 1 and ind["failures"][0, 0] == 1
    assert ind["bail_in"][0, 0] == 0 and ind["bail_in_deposits"][0, 0] == 0
    assert ind["fund_art109"][0, 0] == 0


def test_an_insolvent_system_short_of_the_8_percent_gets_no_public_money():
    """The union does not rescue it: its creditors, depositors and creditor banks lose
    what they lose without the union; the deposits are paid in full (no fund payout) and
    the treasury only recapitalises the failed system."""
    ind = _step_a([10.0], capital=4.0, fund=60.0, bp=0.0)
    fs = _chain()
    st = fs.initial_state(1)
    st = FinanceState(capital=np.array([[4.0, st.capital[0, 1], st.capital[0, 2]]]),
                      npl=st.npl, fund=np.zeros((1, 3)), trade_cost_factor=st.trade_cost_factor)
    g = np.array([[-10.0 / 130.0, 0.0, 0.0]])
    _, none = fs.step(st, g, fs.no_sanctions(1), fs.levers(1), np.random.default_rng(0))
    assert ind["resolution_refused"][0, 0] == 1 and ind["resolutions"][0, 0] == 0
    assert ind["failures"][0, 0] == 1 and ind["bail_in"][0, 0] == 0
    for k in ("creditor_losses", "depositor_losses", "interbank_unpaid", "insured_payout"):
        np.testing.assert_allclose(ind[k], none[k], atol=1e-9, err_msg=k)
    np.testing.assert_allclose(ind["creditor_losses"][0, 0], 3.0, atol=1e-9)
    assert ind["insured_payout"][0, 0] == 0 and ind["depositor_losses"][0, 0] == 0
    assert ind["fund_payout"][0, 0] == 0
    np.testing.assert_allclose(ind["fiscal_cost"][0, 0], 0.045 * 130.0, atol=1e-9)
    np.testing.assert_allclose(none["fiscal_cost"][0, 0], 0.045 * 130.0, atol=1e-9)


def test_no_precautionary_recapitalisation_below_the_own_funds_requirement():
    """Rows 3 and 4: public money for a solvent system short of the 8 % on neither side
    of the own-funds requirement. Below it, A is refused and left to clearing, where it
    does not fail and keeps its 2.2 (its creditors lose nothing, as without the union);
    above it, it is not caught."""
    below = _step_a([7.8], capital=10.0, fund=60.0, bp=0.0)
    assert below["resolution_refused"][0, 0] == 1 and below["resolutions"][0, 0] == 0
    assert below["failures"][0, 0] == 0 and below["bail_in"][0, 0] == 0
    for k in ("fiscal_cost", "precautionary_recap", "fund_payout", "creditor_losses"):
        assert below[k][0, 0] == 0, k
    np.testing.assert_allclose(below["capital_ratio"][0, 0] * 130.0, 2.2, atol=1e-9)
    above = _step_a([4.0], capital=10.0, fund=60.0, bp=0.0, trigger_info=0.06)
    assert above["resolutions"][0, 0] == 0 and above["resolution_refused"][0, 0] == 0
    assert above["fiscal_cost"][0, 0] == 0 and above["precautionary_recap"][0, 0] == 0
    np.testing.assert_allclose(above["capital_ratio"][0, 0] * 130.0, 6.0, atol=1e-9)
    # The unconstrained rules (the morning of 2026-12-06) still pay the 3.65 below it.
    old = _step_a([7.8], capital=10.0, fund=60.0, bp=0.0, public_backstop="unconstrained")
    np.testing.assert_allclose(old["precautionary_recap"][0, 0], 3.65, atol=1e-9)
    np.testing.assert_allclose(old["fiscal_cost"][0, 0], 3.65, atol=1e-9)


def test_unconstrained_keeps_the_fund_limit_but_not_the_treasury_condition():
    """``public_backstop="unconstrained"``: no bail-in of deposits, the treasury pays
    whatever the fund may not, insolvent or not (rows 1 and 2 above: bail-in 2, the
    shareholders' 7 or 4 short of the 8 %, so no fund; the treasury 11.85 - 2)."""
    for capital, loss in ((7.0, 13.0), (4.0, 10.0)):
        ind = _step_a([loss], capital=capital, fund=60.0, bp=0.0,
                      public_backstop="unconstrained")
        assert ind["resolutions"][0, 0] == 1 and not ind["failures"].any()
        assert not ind["bail_in_deposits"].any() and not ind["fund_payout"].any()
        np.testing.assert_allclose(ind["bail_in"][0, 0], 2.0, atol=1e-9)
        np.testing.assert_allclose(ind["fiscal_cost"][0, 0], 9.85, atol=1e-9)


def test_the_two_backstops_differ_where_resolution_is_refused_or_past_the_cap():
    """Russia's 2026-style crisis on the packaged tables, members in a full union: the
    BRRD's conditions change nothing in runs whose resolution they allow (the 8 % met;
    the deposit bail-in is capped at no more than those depositors would lose, which here
    is never needed) but who pays where the fund's 5 % binds: past it the BRRD fund pays
    on (art. 44(7)) what the unconstrained union's treasury pays; where they refuse it,
    the unconstrained union resolves the system and the BRRD one leaves it to clearing:
    an insolvent one fails, a solvent one (no longer recapitalised as "precautionary")
    goes on below the 4.5 % it would have been restored to, at no public cost."""
    from scosim.data.constants import MEMBERS
    from scosim.finance.shocks import sanctions_matrix

    # The shock sizes were chosen for the calibration before 2026-12-06 (npl_sensitivity
    # 0.89, own shock 0.01), kept: at the defaults' own shock of 0.16 a year which regime
    # each run is in is a draw (docs/finance.md section 6).
    fs = FinanceSystem().with_params(npl_sensitivity=0.89, idio_sd=0.01)
    R, N = 24, fs.N
    rus = fs.codes.index("RUS")
    part = np.broadcast_to(np.isin(fs.codes, MEMBERS), (R, N))
    st = fs.initial_state(R)
    # Start capital from the calibrated level down to a fifth of it: some runs meet the
    # 8 % through the shareholders' loss alone, some cannot.
    cap = st.capital.copy()
    cap[:, rus] *= np.linspace(0.2, 1.0, R)
    st = replace(st, capital=cap, fund=np.broadcast_to(0.02 * fs.data.insured, (R, N)).copy())
    g = np.zeros((R, N))
    g[:, rus] = np.tile([-0.5, -0.3, -0.12], R // 3)
    S = sanctions_matrix([("RUS", "ROW", 1.0)], fs.codes, R)
    out = {}
    for mode in ("brrd", "unconstrained"):
        levers = Levers.union(part, fs.data.settlement, public_backstop=mode)
        _, out[mode] = fs.step(st, g, S, levers, [np.random.default_rng(r) for r in range(R)])
    b, u = out["brrd"], out["unconstrained"]
    refused = b["resolution_refused"][:, rus] > 0
    assert refused.any() and (~refused & (b["resolutions"][:, rus] > 0)).any()
    assert not u["resolution_refused"].any() and not u["failures"][:, rus].any()
    assert (u["resolutions"][refused, rus] == 1).all()
    left = refused & (b["failures"][:, rus] == 0)
    assert left.any() and (refused & ~left).any()
    assert not b["fiscal_cost"][left, rus].any()
    assert (b["capital_ratio"][left, rus] < 0.045).all()
    # Past the cap: the unconstrained fund paid its 5 % of TLOF (of the debts: the equity
    # is gone), and the BRRD one more.
    past = ~refused & (np.abs(b["fund_payout"][:, rus] - u["fund_payout"][:, rus]) > 1e-6)
    # (Every resolution allowed here passes the cap: those within it were precautionary.)
    assert past.any()
    debts = fs.data.assets[rus] - fs.data.capital[rus]
    np.testing.assert_allclose(u["fund_payout"][past, rus], 0.05 * debts, rtol=1e-12)
    assert (b["fund_payout"][past, rus] > u["fund_payout"][past, rus]).all()
    same = ~refused & ~past
    for k in b:
        np.testing.assert_allclose(b[k][same], u[k][same], atol=1e-6, err_msg=k)
    whom = {"fund_payout", "fund_balance", "fiscal_cost", "fiscal_recap", "fund_net_transfer"}
    for k in set(b) - whom:
        np.testing.assert_allclose(b[k][past], u[k][past], atol=1e-6, err_msg=k)
    np.testing.assert_allclose(b["fund_payout"][past, rus] + b["fiscal_cost"][past, rus],
                               u["fund_payout"][past, rus] + u["fiscal_cost"][past, rus],
                               rtol=1e-12)
    assert (b["fiscal_cost"][past, rus] < u["fiscal_cost"][past, rus]).all()


def test_no_deposit_bail_in_where_it_cannot_reach_the_8_percent():
    """Review, 2026-12-06: a solvent system caught early whose creditors would still lose
    2 % in this year's clearing (through contagion) had its uninsured deposits bailed in
    (0.3) although that could not bring shareholders and creditors to the 8 %, and was then
    recapitalised as a precautionary case, outside resolution, where deposits are not bailed
    in. Deposits are bailed in only where that reaches the 8 % or leaves no outside money
    to find (and since the evening of 2026-12-06 a system short of both is refused)."""
    from scosim.finance.liquidation import ClassLosses
    from scosim.finance.resolution import resolve
    from scosim.finance.system import Levers

    on = np.ones((1, 1), bool)
    lev = Levers(np.zeros((1, 1), bool), on, on, on, np.zeros((1, 1, 1)), bail_in_share=0.5)

    def case(own_before: float, loss: float):
        return resolve(np.array([[1.0]]), np.array([130.0]), levers=lev, target_ratio=0.08,
                       own_funds_before=np.array([[own_before]]), debts=np.array([[120.0]]),
                       other=np.array([[30.0]]), uninsured=np.array([[15.0]]),
                       insured=np.array([[15.0]]), fund=np.array([[0.0]]),
                       liquidation_loss=lambda: ClassLosses.pro_rata([[loss]]))

    # Shareholders lose 2, ordinary debt 30 x 2 % = 0.6, deposits at most 15 x 2 % = 0.3:
    # 2.9 against 8 % of 121 = 9.68. No deposit bail-in; refused: no public money and,
    # not resolved, no bail-in either.
    rv = case(3.0, 0.02)
    assert not rv.caught[0, 0] and rv.refused[0, 0]
    assert rv.bail_in_deposits[0, 0] == 0.0 and rv.bail_in[0, 0] == 0.0
    assert rv.treasury[0, 0] == 0.0 and rv.precautionary[0, 0] == 0.0
    # Where they do reach it (shareholders lost 9: 9 + 0.6 + 0.3 >= 9.68), they are,
    # for what is short: 0.08.
    rv = case(10.0, 0.02)
    np.testing.assert_allclose(rv.bail_in_deposits[0, 0], 9.68 - 9.0 - 0.6, atol=1e-9)
    assert rv.precautionary[0, 0] == 0.0
