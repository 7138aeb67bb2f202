"""Resolution before contagion under the BRRD's conditions for outside money.

:func:`resolve` is step 4 of :func:`scosim.finance.system.step`: which systems the union
catches before clearing, what their creditors are bailed in for, and who pays the rest of
the injection, the fund or the treasury, or whether nobody may and the system is left to
fail (docs/finance.md section 5). Directive 2014/59/EU (BRRD):

1. bail-in of ordinary unsecured debt, ``bail_in_share`` of the non-deposit outside debt
   (secured debt is excluded, art. 44(2)(b));
2. where shareholders and creditors have not yet absorbed 8 % of total liabilities
   including own funds (TLOF), bail-in goes on towards it into uninsured deposits, which
   rank above ordinary unsecured debt (art. 108); covered deposits (art. 44(2)(a)) and
   interbank debt (short-term, art. 44(2)(e)) are never bailed in. Each class loses at
   most what it would lose in liquidation (no creditor worse off, art. 34(1)(g), 73-75),
   its own loss with the estate laid down art. 108's ranking (finance/liquidation.py),
   and no more than in the model's failure path, which ranks the outside creditors the
   same way (system.step; with the default pari passu clearing the ranked loss is never
   the larger): uninsured deposits, ranked above ordinary debt, lose less, often nothing;
3. where the 8 % is met, the fund may pay up to 5 % of TLOF (art. 44(5)); where that cap
   is reached and every unsecured, non-preferred liability other than eligible deposits has
   been written down as far as it may be (art. 44(7)(a)-(b); here the ordinary unsecured
   debt of step 1, to its liquidation loss: eligible deposits, the uninsured ones of step
   2, are not a condition), the fund may pay on from what it still holds (art. 44(7),
   second subparagraph; EBA Q&A 2015_2172) and the treasury the rest (government
   stabilisation tools, which ask for the same 8 %, art. 37(10)(a));
4. where it is not, the deposit insurance fund may still pay what the insured depositors
   would have lost in liquidation (BRRD art. 109; DGSD art. 11(2)); beyond that the
   system gets no public money, solvent or not (``public_backstop="brrd"``): it is not
   resolved and goes through clearing, where an insolvent one fails as it would without
   the union and a solvent one goes on with the capital it has left. A precautionary
   recapitalisation outside resolution (art. 32(4)(d)(iii)) is open only to a system that
   meets its own-funds requirement, the model's ``recap_ratio`` of assets, and fills only
   a stress-test shortfall; every system the authority catches is below that ratio
   (``levers.intervene``), so failing or likely to fail (art. 32(4)(a)), and the model,
   with no stress test, has no such shortfall: it makes none (until 2026-12-06 a caught
   system with equity >= 0 was recapitalised by its treasury as "precautionary").
   With ``public_backstop="unconstrained"`` the treasury pays whatever the fund may not
   and step 2, the fund's payment past its 5 % and step 4's fund payment are skipped, the
   fund still held to art. 44(5): the rules of the morning of 2026-12-06 (before it, the
   fund paid whatever it held: no setting restores that); ``precautionary`` then records
   the treasury's money for a solvent system short of the 8 %, as those rules did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from scosim.finance.levers import (
    MAX_FUND_CONTRIBUTION,
    MIN_OWN_LOSS_ABSORPTION,
    fund_payout,
    intervene,
    own_funds_loss,
    resolution_fund_limit,
)
from scosim.finance.liquidation import ClassLosses

if TYPE_CHECKING:
    from scosim.finance.system import Levers

__all__ = ["Resolved", "own_funds_loss", "resolve"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Resolved:
    """What step 4 did, per run and economy (R, N); money in US$.

    Attributes:
        caught: Resolved (or, without a resolution authority, recapitalised) before clearing.
        bail_in: Creditor losses imposed by bail-in, uninsured deposits included.
        bail_in_deposits: Of which uninsured deposits.
        injection: Money put in from outside, the fund and the treasury.
        fund: The fund's part of it (art. 44(5), with art. 44(7) past its 5 %, or art. 109).
        fund_art109: Of ``fund``, paid where the 8 % was not met (art. 109).
        treasury: The treasury's part.
        precautionary: Of ``treasury``, a solvent system's recapitalisation where the 8 %
            was not met: only with ``public_backstop="unconstrained"`` (none under the
            BRRD, module docstring, step 4).
        refused: Caught by the resolution authority, but short of the 8 % and beyond what
            bail-in and the fund could cover: left to clearing, where an insolvent
            system fails.
        fund_after: The fund's compartments after its payments.
        fund_lendable: What each compartment may still give the other participants this
            year, for the deposit payout after clearing (``levers.fund_payout``).
        fund_given: What each compartment paid towards other participants' resolutions.
        fund_received: What each participant's resolution got from others' compartments.
    """

    caught: BoolArray
    bail_in: FloatArray
    bail_in_deposits: FloatArray
    injection: FloatArray
    fund: FloatArray
    fund_art109: FloatArray
    treasury: FloatArray
    precautionary: FloatArray
    refused: BoolArray
    fund_after: FloatArray
    fund_lendable: FloatArray
    fund_given: FloatArray
    fund_received: FloatArray


def _liquidation(liquidation_loss: Callable[..., ClassLosses], res: BoolArray,
                 by_rows: bool) -> ClassLosses:
    """:func:`resolve`'s liquidation losses, worked out only for the runs in resolution."""
    if not by_rows:
        return liquidation_loss()
    rows = np.flatnonzero(res.any(axis=1))
    some = liquidation_loss(rows)
    parts = {}
    for name in ("insured", "uninsured", "ordinary"):
        parts[name] = np.zeros(res.shape)  # ClassLosses.none shares one array
        parts[name][rows] = getattr(some, name)
    return ClassLosses(**parts)


def resolve(
    equity: FloatArray,
    assets: FloatArray,
    *,
    levers: Levers,
    target_ratio: float,
    own_funds_before: FloatArray,
    debts: FloatArray,
    other: FloatArray,
    uninsured: FloatArray,
    insured: FloatArray,
    fund: FloatArray,
    liquidation_loss: Callable[..., ClassLosses],
    by_rows: bool = False,
) -> Resolved:
    """Intervene before contagion; bail-in, fund and treasury in the BRRD's order.

    Args:
        equity: Equity before the intervention, after the year's losses, ``E0`` (R, N).
        assets: Total assets (R, N) or (N,).
        levers: The union in force (masks, ``bail_in_share``, ``trigger_info``,
            ``fund_resolves``, ``mutualisation``, ``public_backstop``).
        target_ratio: Capital ratio a caught system is brought to.
        own_funds_before: Capital at the start of the year after the year's fund
            contributions (R, N): the shareholders lose what of it ``equity`` lacks.
        debts: Debts at face value, deposits, other outside and interbank (R, N).
        other: Non-deposit outside debt (R, N).
        uninsured: Uninsured deposits (R, N).
        insured: Insured (covered) deposits (R, N).
        fund: Fund compartments before the payments (R, N).
        liquidation_loss: Returns the share of its claims each class of outside creditors
            would lose if the system went through this year's clearing untouched, the
            estate laid down art. 108's ranking and no more than the failure path's
            loss (0 where it would not fail), (R, N) each;
            called only if the resolution authority catches a system.
        by_rows: Call ``liquidation_loss(rows)`` with the runs (indices) where the
            resolution authority catches a system, for those runs' rows only: elsewhere
            the losses are not read (no bail-in, deposit bail-in or fund payment is made
            for a system the authority does not resolve), so the others are 0.

    Returns:
        A :class:`Resolved`.
    """
    E = np.asarray(equity, float)
    res_on = np.asarray(levers.resolution, bool)

    def caught_gap(capacity: FloatArray) -> tuple[BoolArray, FloatArray, FloatArray]:
        return intervene(E, assets, resolution=res_on, information=levers.information,
                         trigger_info=levers.trigger_info, target_ratio=target_ratio,
                         bail_in_capacity=capacity)

    ordinary = levers.bail_in_share * other
    caught, bail_ord, inject = caught_gap(ordinary)
    res = caught & res_on
    loss = ClassLosses.none(E.shape)
    if np.any(res):  # the counterfactual clearing only in a year with a resolution
        loss = _liquidation(liquidation_loss, res, by_rows)
        caught, bail_ord, inject = caught_gap(np.minimum(ordinary, other * loss.ordinary))
        res = caught & res_on
    brrd = levers.public_backstop == "brrd"

    tlof = debts + np.maximum(E, 0.0)
    floor = MIN_OWN_LOSS_ABSORPTION * tlof
    shareholders = own_funds_loss(E, own_funds_before)
    # 2. Towards the 8 %: uninsured deposits, within what they would lose in liquidation.
    short = np.maximum(floor - shareholders - bail_ord, 0.0)
    reach = np.minimum(np.minimum(short, inject), uninsured * loss.uninsured)
    tol = 1e-12 * tlof  # bail_dep fills the shortfall to the cent; rounding is not a miss
    # Only where it serves: it reaches the 8 % (outside money may follow) or leaves no
    # outside money to find. Short of both, the system gets none and is refused.
    serves = (shareholders + bail_ord + reach >= floor - tol) | (inject - reach <= tol)
    bail_dep = np.where(res & brrd & serves, reach, 0.0)
    inject = inject - bail_dep
    bail_in = bail_ord + bail_dep
    met = shareholders + bail_in >= floor - tol

    # 3.-4. The fund: art. 44(5) where the 8 % is met, art. 109 where it is not.
    fund_res = levers.deposit_insurance & res_on & bool(levers.fund_resolves)
    if brrd:
        limit = np.where(met, MAX_FUND_CONTRIBUTION * tlof, insured * loss.insured)
    else:  # the rules of the morning of 2026-12-06 (the fund within art. 44(5)), to the cent
        limit = resolution_fund_limit(E, own_funds_before, bail_in, debts)
    need = np.where(fund_res & caught, np.minimum(inject, limit), 0.0)
    # Every payment of the year shares one pooled budget, mutualisation x the compartments
    # at its start (levers.fund_payout); a payment made again replaces, not adds to, one.
    lendable = levers.mutualisation * np.asarray(fund, float)
    pay = fund_payout(fund, need, fund_res, mutualisation=levers.mutualisation,
                      lendable=lendable)
    # No public money short of the 8 %, solvent or not: a caught system is below its
    # own-funds requirement (recap_ratio), so failing or likely to fail (art. 32(4)(a)),
    # and a precautionary recapitalisation (art. 32(4)(d)) is not open to it.
    paid = pay.paid
    refused = res & ~met & (inject - paid > tol) if brrd else np.zeros_like(res)
    if np.any(refused):
        # It is left to clearing
        # (the fund's payments are made again without it, so pooling may give others more).
        need = np.where(refused, 0.0, need)
        pay = fund_payout(fund, need, fund_res, mutualisation=levers.mutualisation,
                          lendable=lendable)
        paid = pay.paid
        caught = caught & ~refused
        inject = np.where(refused, 0.0, inject)
        bail_in = np.where(refused, 0.0, bail_in)
        bail_dep = np.where(refused, 0.0, bail_dep)
    fund_after, lent, given, received = pay.fund_after, pay.lendable, pay.given, pay.received
    if brrd:
        # 3. Past the fund's 5 % (art. 44(7)): once the cap is reached and the ordinary
        # unsecured debt, the one unsecured, non-preferred class other than eligible
        # deposits, is written down to its liquidation loss (no creditor worse off), the
        # fund may pay on from what its ex-ante contributions left unused (second
        # subparagraph), drawn after every resolution's 5 % as the deposit payout after
        # clearing is, before the treasury. Uninsured deposits are eligible deposits: more
        # bail-in of them is not a condition (art. 44(7)(b)), and art. 108 ranks them above.
        exhausted = bail_ord >= np.minimum(ordinary, other * loss.ordinary) - tol
        on = fund_res & caught & met & exhausted & (paid >= limit - tol) & (inject - paid > tol)
        if np.any(on):
            more = fund_payout(fund_after, np.where(on, inject - paid, 0.0), fund_res,
                               mutualisation=levers.mutualisation, lendable=lent)
            fund_after, lent = more.fund_after, more.lendable
            paid = paid + more.paid
            given, received = given + more.given, received + more.received
    treasury = inject - paid
    # Only the unconstrained rules pay a solvent system short of the 8 % (under "brrd"
    # every such system was refused above).
    precautionary = np.where(caught & res_on & ~met & (E >= 0) & (not brrd), treasury, 0.0)
    return Resolved(caught=caught, bail_in=bail_in, bail_in_deposits=bail_dep,
                    injection=inject, fund=paid, fund_art109=np.where(met, 0.0, paid),
                    treasury=treasury, precautionary=precautionary, refused=refused,
                    fund_after=fund_after, fund_lendable=lent, fund_given=given,
                    fund_received=received)
