"""Resolution past the fund's 5 % of TLOF: BRRD art. 44(7) (docs/finance.md section 5).

Once the fund has paid its 5 % (art. 44(5)(b)), the resolution authority may look for
more outside money only where "all unsecured, non-preferred liabilities, other than
eligible deposits, have been written down or converted in full" (art. 44(7)(b)), and the
fund may then pay on from ex-ante contributions not yet used (art. 44(7), second
subparagraph; EBA Q&A 2015_2172: "after the use of the fund to that amount (the 5 %) the
bail-in should continue", alternative financing thereafter under art. 44(7)). In the model
the one such class is the ordinary unsecured debt, written down at most to what it would
lose in liquidation (no creditor worse off); uninsured deposits are eligible deposits, so
more of them is not a condition. The amounts below are worked by hand on one balance
sheet, not read from the code.
"""

from __future__ import annotations

import numpy as np

from scosim.finance.liquidation import ClassLosses
from scosim.finance.resolution import resolve
from scosim.finance.system import Levers

# One banking system, after the year's losses: assets 100; debts 110 at face value,
# insured deposits 30, uninsured 30, other outside debt 40, interbank 10; equity
# E0 = 100 - 110 = -10. TLOF = debts + max(E0, 0) = 110: 8 % is 8.8, 5 % is 5.5.
# Brought to 4.5 % of assets, 4.5: the gap is 4.5 + 10 = 14.5. In liquidation outside
# creditors would lose 10 % of their claims.
ASSETS, E0, DEBTS = 100.0, -10.0, 110.0
INSURED, UNINSURED, OTHER = 30.0, 30.0, 40.0
LOSS_SHARE = 0.1
TLOF = DEBTS
GAP = 0.045 * ASSETS - E0  # 14.5


def _resolve(own_funds_before: list[float], fund: list[list[float]], *,
             mutualisation: float = 1.0, public_backstop: str = "brrd",
             n: int = 1):
    """Economy 0 as above in every run; economies 1.. hold fund money and nothing else."""
    R = len(own_funds_before)
    shape = (R, n)

    def first(v: float) -> np.ndarray:
        a = np.zeros(shape)
        a[:, 0] = v
        return a

    on = np.ones(shape, bool)
    levers = Levers(on, on, on, on, np.zeros((R, n, n)), mutualisation=mutualisation,
                    bail_in_share=0.5, trigger_info=0.03,
                    public_backstop=public_backstop)  # type: ignore[arg-type]
    equity = first(E0)
    equity[:, 1:] = 50.0  # the others are well capitalised: never caught
    own = first(0.0)
    own[:, 0] = own_funds_before
    own[:, 1:] = 50.0
    return resolve(equity, np.full(shape, ASSETS), levers=levers, target_ratio=0.045,
                   own_funds_before=own, debts=first(DEBTS), other=first(OTHER),
                   uninsured=first(UNINSURED), insured=first(INSURED),
                   fund=np.asarray(fund, float),
                   liquidation_loss=lambda: ClassLosses.pro_rata(first(LOSS_SHARE)))


def test_past_the_five_percent_the_fund_pays_on_before_the_treasury():
    """Two runs, the loss beyond 8 % + 5 % of TLOF in both (shareholders and the gap
    together 19.5 and 17.5, against 8.8 + 5.5 = 14.3).

    Run 0: own funds 5, all lost. Ordinary unsecured debt bailed in 4 (its liquidation
    loss; half of 40 would be 20): 5 + 4 = 9 >= 8.8, the 8 % is met without deposits. The
    fund holds 8: 5.5 (5 % of TLOF), then, the cap reached and the ordinary debt written
    down as far as it may be, the 2.5 it has left; the treasury the rest of the injection
    14.5 - 4 = 10.5, i.e. 10.5 - 8 = 2.5. Uninsured deposits (3 to lose in liquidation) are
    not touched. Until the change: fund 5.5, treasury 5.0.

    Run 1: own funds 3: 3 + 4 = 7 < 8.8, so uninsured deposits are bailed in 1.8 (of the 3
    they would lose) to reach the 8 %; the injection is 14.5 - 5.8 = 8.7, and the fund,
    holding 20, pays its 5.5 and then the 3.2 left: no public money. Until the change:
    fund 5.5, treasury 3.2."""
    rv = _resolve([5.0, 3.0], [[8.0], [20.0]])
    shareholders = np.array([5.0, 3.0])
    ordinary = np.array([4.0, 4.0])
    deposits = np.maximum(0.08 * TLOF - shareholders - ordinary, 0.0)  # 0, 1.8
    np.testing.assert_allclose(deposits, [0.0, 1.8])
    injection = GAP - ordinary - deposits  # 10.5, 8.7
    cap = 0.05 * TLOF  # 5.5
    fund_held = np.array([8.0, 20.0])
    fund = cap + np.minimum(fund_held - cap, injection - cap)  # 5.5 + 2.5, 5.5 + 3.2
    treasury = injection - fund  # 2.5, 0

    assert rv.caught[:, 0].all() and not rv.refused.any()
    np.testing.assert_allclose(rv.bail_in[:, 0], ordinary + deposits, atol=1e-12)
    np.testing.assert_allclose(rv.bail_in_deposits[:, 0], deposits, atol=1e-12)
    np.testing.assert_allclose(rv.injection[:, 0], injection, atol=1e-12)
    np.testing.assert_allclose(rv.fund[:, 0], [8.0, 8.7], atol=1e-12)
    np.testing.assert_allclose(rv.fund[:, 0], fund, atol=1e-12)
    np.testing.assert_allclose(rv.treasury[:, 0], treasury, atol=1e-12)
    np.testing.assert_allclose(rv.treasury[:, 0], [2.5, 0.0], atol=1e-12)
    np.testing.assert_allclose(rv.fund_after[:, 0], fund_held - fund, atol=1e-12)
    assert not rv.fund_art109.any() and not rv.precautionary.any()
    # Every payer together: shareholders, creditors, fund, treasury cover the loss and
    # the new capital, 0.045 * 100 + 10 plus the own funds lost.
    np.testing.assert_allclose(shareholders + rv.bail_in[:, 0] + rv.fund[:, 0]
                               + rv.treasury[:, 0], shareholders + GAP, atol=1e-12)
    # No class loses more than in liquidation.
    assert (rv.bail_in_deposits[:, 0] <= LOSS_SHARE * UNINSURED + 1e-12).all()
    assert (rv.bail_in[:, 0] - rv.bail_in_deposits[:, 0] <= LOSS_SHARE * OTHER + 1e-12).all()


def test_short_of_the_five_percent_the_fund_pays_nothing_more():
    """Art. 44(7)(a): more only once the 5 % has been paid. Two economies, half-pooled
    fund: economy 0's compartment holds 2, the other's 10 and 4, of which it may give half
    over the year (5 and 2). First run: 2 + 5 >= 5.5, the cap is reached with 2 + 3.5, and
    past it the 1.5 the other may still give (5.5 + 1.5 = 7 in all; the treasury 10.5 - 7 =
    3.5). Second run: 2 + 2 = 4 < 5.5, the cap not reached, nothing more. Until 2026-12-06
    the payment past the cap took half of what the other then held, 0.5 x 6.5 = 3.25, so
    the year's draws took 6.75 of its 10, more than the half pooled."""
    rv = _resolve([5.0, 5.0], [[2.0, 10.0], [2.0, 4.0]], mutualisation=0.5, n=2)
    year_pool = 0.5 * np.array([10.0, 4.0])  # what the other compartment gives in the year
    first = np.minimum(2.0 + year_pool, 0.05 * TLOF)  # 5.5, 4.0
    np.testing.assert_allclose(first, [5.5, 4.0])
    left_pool = year_pool - (first - 2.0)  # 1.5, 0
    more = np.where(first >= 0.05 * TLOF, np.minimum(left_pool, 10.5 - first), 0.0)
    np.testing.assert_allclose(rv.fund[:, 0], first + more, atol=1e-12)
    np.testing.assert_allclose(rv.fund[:, 0], [7.0, 4.0], atol=1e-12)
    np.testing.assert_allclose(rv.treasury[:, 0], [3.5, 6.5], atol=1e-12)
    np.testing.assert_allclose(rv.fund_after[:, 1], [5.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(rv.fund_lendable[:, 1], [0.0, 0.0], atol=1e-12)


def test_unconstrained_keeps_the_fund_at_five_percent():
    """``public_backstop: unconstrained`` keeps the rules of the morning of 2026-12-06: the
    fund within art. 44(5) only, the treasury the rest (run 0 above: 5.5 and 5.0)."""
    rv = _resolve([5.0], [[8.0]], public_backstop="unconstrained")
    np.testing.assert_allclose(rv.fund[:, 0], [5.5], atol=1e-12)
    np.testing.assert_allclose(rv.treasury[:, 0], [5.0], atol=1e-12)
