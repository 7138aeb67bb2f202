"""The resolution fund's limits (BRRD art. 44(5), (7); SRMR art. 27(6)-(7), (9)-(10)).

The fund may contribute to a resolution only after shareholders and creditors have
absorbed at least 8 % of the system's total liabilities including own funds (TLOF), and
at most 5 % of them (art. 44(5)); past that cap it may pay on from what it holds once the
unsecured, non-preferred debt other than eligible deposits has been written down as far
as it may be (art. 44(7), tests/test_finance_past_the_cap.py), which in the model it
always has. The treasury pays what the fund may not. Until 2026-12-06 the fund paid
whatever it held, whatever the two had absorbed and however large the payment; later that
day, and still with ``public_backstop: unconstrained``, never more than the 5 %.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from scosim.finance.levers import equity_bought, resolution_fund_limit
from scosim.finance.system import FinanceState, FinanceSystem, Levers
from test_finance_chain import CALM, _data  # tests/ is on sys.path (rootdir)

# A's loss this year: credit losses of |g| x its 130 of external assets (lgd 1, one unit of
# new NPLs per unit of negative shock, no income), so the loss falls within the year and
# the shareholders' capital at the start of it (10) absorbs its first part.
IN_YEAR = replace(CALM, lgd=1.0, npl_sensitivity=1.0)


def test_limit_by_hand():
    """TLOF is the debts plus the equity left (none when negative). Shareholders count
    with the bail-in: what the year's losses took of their starting equity."""
    equity = np.array([[-55.0, 2.2, -16.0, 5.0, -30.0]])
    before = np.array([[10.0, 10.0, 10.0, 5.0, -2.0]])
    bail_in = np.array([[13.75, 0.0, 4.0, 9.7, 9.5]])
    debts = np.full((1, 5), 120.0)
    limit = resolution_fund_limit(equity, before, bail_in, debts)
    # 1. 10 + 13.75 >= 9.6: 5 % of 120. 2. 7.8 < 8 % of 122.2 = 9.776: nothing.
    # 3. 10 + 4 >= 9.6 (the bail-in alone would not do). 4. 0 + 9.7 < 8 % of 125 = 10.
    # 5. shareholders had nothing left to lose: 9.5 < 9.6.
    np.testing.assert_allclose(limit, [[6.0, 0.0, 6.0, 0.0, 0.0]], atol=1e-12)


def _chain_step(losses: list[float], fund: list[float],
                public_backstop: str = "brrd") -> dict[str, np.ndarray]:
    """The chain A owes B 60, B owes C 45 (tests/test_finance_chain.py), one run per
    loss of A; A alone is under the union (deposit insurance with the fund ``fund``,
    resolution, information exchange), no contributions."""
    L = np.zeros((3, 3))
    L[0, 1], L[1, 2] = 60.0, 45.0
    data = _data(np.array([130.0, 50.0, 100.0]), np.array([60.0, 45.0, 50.0]), L)
    fs = FinanceSystem(data, IN_YEAR)
    R = len(losses)
    st = fs.initial_state(R)
    st = FinanceState(capital=st.capital, npl=st.npl,
                      fund=np.array([[f, 0.0, 0.0] for f in fund]),
                      trade_cost_factor=st.trade_cost_factor)
    a = np.broadcast_to([True, False, False], (R, 3))
    levers = Levers(np.zeros((R, 3), bool), a, a, a, np.zeros((R, 3, 3)), contribution_bp=0.0,
                    public_backstop=public_backstop)  # type: ignore[arg-type]
    g = np.zeros((R, 3))
    g[:, 0] = -np.asarray(losses) / 130.0
    _, ind = fs.step(st, g, fs.no_sanctions(R), levers, np.random.default_rng(0))
    return ind


# A: 130 of assets, 60 owed to outside creditors (15 insured deposits, 15 uninsured, 30
# other), 60 to B, 10 of capital; target equity 0.045 x 130 = 5.85. With a hole h = -E0
# its estate in clearing is 120 - h. The bail-in takes at most half the other debt (15) and
# never more than those creditors would lose in liquidation: the estate pays the 30 of
# deposits first (BRRD art. 108) and the rest to the other debt and the interbank debt
# pari passu, 30 x (120 - h - 30) / 90, so they lose h / 3 (no more than in the model's
# own default, where they get what is left of the outside creditors' half, 60 - h / 2,
# after the deposits: they lose h / 2). Until the failure path was ranked (2026-12-06)
# their bound was the pro rata share, h / 4.
# Rows: loss, fund, equity E0, bail-in, fund's payment (old code in brackets), treasury.
# 1. 7.8: E0 2.2, caught early by the 3 % trigger (3.9); would not fail, so no bail-in;
#    shareholders lost 7.8 < 8 % of TLOF 122.2: the floor binds, fund 0 (3.65). Under
#    art. 44(5) alone the treasury pays 3.65, all equity; under the BRRD (``brrd``) no
#    public money at all: A is below its own-funds requirement (4.5 %), so no
#    precautionary recapitalisation either (until 2026-12-06 the treasury's 3.65 was one).
# 2. 65: E0 -55, bail-in 15 (half the other debt; they would lose 55 / 3 = 18.33 in
#    liquidation): as far as it may be written down; 10 + 15 absorbed; the cap binds:
#    fund 6 of the 45.85 injected (45.85), and past it, art. 44(7), the other 39.85 from
#    the 54 it still holds; so the treasury pays nothing. Under art. 44(5) alone
#    (``unconstrained``) the treasury pays the 39.85, which fills 40 - 6 = 34 of the
#    hole, buys 5.85.
# 3. 26: E0 -16, bail-in 16 / 3 (the bail-in alone is 4.4 % of TLOF, with the
#    shareholders' 10 it is 12.8 %); fund 5, all it holds (5): neither binds, as before.
#    Treasury 5.85 + 16 - 16 / 3 - 5 = 11.52, fills 16 - 16 / 3 - 5 = 5.67, buys 5.85.
# 4. 13: E0 -3, bail-in 1, hole 2; the cap binds: fund 6 (7.85) fills the hole and
#    buys 4, then 1.85 more past it; under art. 44(5) alone the treasury's 1.85 is all
#    equity.
LOSSES = [7.8, 65.0, 26.0, 13.0]
FUND = [60.0, 60.0, 5.0, 60.0]
E0 = np.array([2.2, -55.0, -16.0, -3.0])
BAIL_IN = np.array([0.0, 15.0, 16.0 / 3.0, 1.0])
AT_THE_CAP = {  # art. 44(5) alone: fund, treasury, equity the treasury bought
    "fund": np.array([0.0, 6.0, 5.0, 6.0]),
    "treasury": np.array([3.65, 39.85, 5.85 + 16.0 - 16.0 / 3.0 - 5.0, 1.85]),
    "equity": np.array([3.65, 5.85, 5.85, 1.85]),
}
PAST_THE_CAP = {  # with art. 44(7): the fund pays on where the cap bound (rows 2 and 4)
    "fund": np.array([0.0, 6.0 + 39.85, 5.0, 6.0 + 1.85]),
    "treasury": np.array([0.0, 0.0, 5.85 + 16.0 - 16.0 / 3.0 - 5.0, 0.0]),
    "equity": np.array([0.0, 0.0, 5.85, 0.0]),
}
RESOLVED = {"brrd": np.array([False, True, True, True]), "unconstrained": np.ones(4, bool)}


@pytest.mark.parametrize(("backstop", "want"), [("brrd", PAST_THE_CAP),
                                                ("unconstrained", AT_THE_CAP)])
def test_floor_and_cap_by_hand(backstop, want):
    """Rows above: the 8 % floor binds in 1, the 5 % cap in 2 and 4, neither in 3."""
    ind = _chain_step(LOSSES, FUND, backstop)
    resolved = RESOLVED[backstop]
    assert ((ind["resolutions"][:, 0] == 1) == resolved).all() and not ind["failures"].any()
    assert ((ind["resolution_refused"][:, 0] == 1) == ~resolved).all()
    np.testing.assert_allclose(ind["bail_in"][:, 0], np.where(resolved, BAIL_IN, 0.0),
                               atol=1e-9)
    np.testing.assert_allclose(ind["fund_payout"][:, 0], want["fund"], atol=1e-9)
    np.testing.assert_allclose(ind["fiscal_cost"][:, 0], want["treasury"], atol=1e-9)
    np.testing.assert_allclose(ind["fiscal_recap"][:, 0], want["equity"], atol=1e-9)
    np.testing.assert_allclose(ind["fund_balance"][:, 0], np.array(FUND) - want["fund"],
                               atol=1e-9)
    assert not ind["fund_payout"][:, 1:].any() and not ind["fiscal_cost"][:, 1:].any()


def test_only_who_pays_changes():
    """Bail-in, fund and treasury cover the same gap as before, ``0.045 x 130 - E0``; the
    system ends at the target; the equity bought by the fund and the treasury together
    is what the whole injection buys, whoever pays it (BRRD order: the fund's part first).
    Row 1 is refused public money under the BRRD: it keeps its equity, 2.2."""
    ind = _chain_step(LOSSES, FUND)
    np.testing.assert_allclose(ind["capital_ratio"][0, 0] * 130.0, 2.2, atol=1e-9)
    ind = {k: v[1:] for k, v in ind.items()}
    e0, bail = E0[1:], BAIL_IN[1:]
    gap = 5.85 - e0
    moved = ind["bail_in"][:, 0] + ind["fund_payout"][:, 0] + ind["fiscal_cost"][:, 0]
    np.testing.assert_allclose(moved, gap, atol=1e-9)
    np.testing.assert_allclose(ind["capital_ratio"][:, 0] * 130.0, 5.85, atol=1e-9)
    fund, treasury = ind["fund_payout"][:, 0], ind["fiscal_cost"][:, 0]
    both = (equity_bought(e0, bail, fund)
            + equity_bought(e0, bail, treasury, filled_before=fund))
    np.testing.assert_allclose(both, equity_bought(e0, bail, fund + treasury), atol=1e-9)
    np.testing.assert_allclose(ind["fiscal_recap"][:, 0],
                               both - equity_bought(e0, bail, fund), atol=1e-9)


@pytest.mark.parametrize("backstop", ["brrd", "unconstrained"])
@pytest.mark.parametrize("mutualisation", [0.0, 1.0])
def test_the_calibrated_crisis_keeps_the_limits(mutualisation, backstop):
    """Russia's 2026-style crisis on the packaged tables, members in a full union: the
    fund pays nothing where the shareholders' loss and the bail-in fall short of 8 % of
    TLOF; at most 5 % of it under art. 44(5) alone (``unconstrained``); past the 5 %
    (art. 44(7), ``brrd``) only once it has paid the 5 %, and then the treasury pays only
    what the fund's reachable compartments no longer hold."""
    from scosim.data.constants import MEMBERS
    from scosim.finance.shocks import sanctions_matrix

    # The shock sizes were chosen for the calibration before 2026-12-06 (npl_sensitivity
    # 0.89, own shock 0.01), kept: at the defaults' own shock of 0.16 a year which regime
    # each run is in is a draw (docs/finance.md section 6).
    fs = FinanceSystem().with_params(npl_sensitivity=0.89, idio_sd=0.01)
    R, N = 32, fs.N
    rus = fs.codes.index("RUS")
    part = np.broadcast_to(np.isin(fs.codes, MEMBERS), (R, N))
    levers = Levers.union(part, fs.data.settlement, mutualisation=mutualisation,
                          public_backstop=backstop)
    st = fs.initial_state(R)
    # A fund of 20 % of insured deposits, so that its balance is not what limits it.
    st = replace(st, fund=np.broadcast_to(0.2 * fs.data.insured, (R, N)).copy())
    g = np.zeros((R, N))
    g[:, rus] = np.linspace(-0.65, -0.35, R)
    S = sanctions_matrix([("RUS", "ROW", 1.0)], fs.codes, R)
    _, ind = fs.step(st, g, S, levers, [np.random.default_rng(r) for r in range(R)])
    res = ind["resolutions"][:, rus] > 0
    refused = ind["resolution_refused"][:, rus] > 0
    assert (res | refused).all()
    d = fs.data
    debts = d.assets[rus] - d.capital[rus]
    paid = ind["fund_payout"][:, rus]  # no failures, so all of it is for resolution
    assert not ind["failures"][:, rus].any()
    cap = 0.05 * debts  # 5 % of TLOF when the equity is gone, as in the deep losses
    if backstop == "unconstrained":
        assert (paid <= 0.05 * (debts + d.capital[rus]) + 1e-6).all()
        # Deep losses: the cap binds, 5 % of the debts.
        np.testing.assert_allclose(paid[:3], cap, rtol=1e-9)
    else:
        # Deep losses: the fund pays past the cap, and the treasury only what the
        # compartments it may draw on (Russia's own, or all members' pooled) no longer hold.
        assert (paid[:3] > cap * (1 + 1e-9)).all()
        reach = ind["fund_balance"][:, rus] if mutualisation == 0 else (
            ind["fund_balance"][:, part[0]].sum(axis=1))
        treasury = ind["fiscal_cost"][:, rus]
        assert ((treasury[:3] == 0) | (reach[:3] <= 1e-6)).all()
        over = paid > 0.05 * (debts + d.capital[rus]) + 1e-6
        assert (ind["bail_in"][over, rus] > 0).all()
    # Shallow losses caught early: the shareholders lost less than 8 % and no creditor is
    # bailed in, so the fund pays nothing; the treasury pays it all under art. 44(5)
    # alone, nothing under the BRRD (no precautionary recapitalisation below the
    # own-funds requirement).
    assert (paid == 0).any()
    if backstop == "brrd":
        assert refused.any() and not ind["fiscal_cost"][refused, rus].any()
        assert not ind["precautionary_recap"].any()
