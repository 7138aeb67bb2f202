"""Banking-union levers as pure array functions (Karagulov, seed 000).

Karagulov's essay in seed 000 proposes an SCO banking union in steps: a legal framework, a
unified supervision mechanism, a deposit insurance scheme "funded by contributions from
member banks or a central fund", a resolution body that can "intervene in bank failures"
and "use public funds to recapitalize banks if necessary", and "a mechanism for exchanging
information". Each component here is one function, batched over runs; ``participants``
masks are (R, N) booleans, money is US$.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MAX_FUND_CONTRIBUTION",
    "MIN_OWN_LOSS_ABSORPTION",
    "Payout",
    "backstop",
    "equity_bought",
    "fund_contributions",
    "fund_payout",
    "intervene",
    "npl_flow",
    "own_funds_loss",
    "resolution_fund_limit",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Loss absorption by shareholders and creditors, as a share of total liabilities including
#: own funds, required before the resolution fund may contribute (BRRD art. 44(5)(a)).
MIN_OWN_LOSS_ABSORPTION = 0.08
#: Most the resolution fund may contribute, same base (BRRD art. 44(5)(b)).
MAX_FUND_CONTRIBUTION = 0.05


def npl_flow(
    base_flow: ArrayLike,
    asset_shock: ArrayLike,
    *,
    sensitivity: float,
    supervised: ArrayLike,
    supervision_effect: float,
) -> FloatArray:
    """New non-performing loans this year, as a share of loans.

    ``(1 - effect * supervised) * (base + sensitivity * max(0, -x))``: bad years create bad
    loans; single supervision slows their build-up (stricter underwriting and earlier
    recognition across borders) by the share ``supervision_effect``, from the first year it
    is in force (an assumed share with no source; its default, 0.3, is the spec's).

    Args:
        base_flow: Calibrated yearly inflow of NPLs (R, N) or (N,).
        asset_shock: Asset shock ``x`` (R, N); negative is bad.
        sensitivity: New NPL share per unit of negative asset shock.
        supervised: (R, N) booleans, economies under the single supervisor.
        supervision_effect: Share of the build-up removed by single supervision, in [0, 1].

    Returns:
        New NPL share (R, N), in [0, 1].
    """
    if not 0.0 <= supervision_effect <= 1.0:
        raise ValueError(f"supervision_effect {supervision_effect} must lie in [0, 1]")
    x = np.asarray(asset_shock, float)
    raw = np.asarray(base_flow, float) + sensitivity * np.maximum(0.0, -x)
    factor = 1.0 - supervision_effect * np.asarray(supervised, bool)
    return np.clip(factor * raw, 0.0, 1.0)


def fund_contributions(insured: ArrayLike, participants: ArrayLike, bp: float) -> FloatArray:
    """Ex-ante contributions to the deposit insurance fund (R, N).

    ``bp`` basis points of the insured deposits of each participating banking system.
    """
    if bp < 0:
        raise ValueError(f"contribution {bp} bp must be >= 0")
    return np.where(np.asarray(participants, bool), bp * 1e-4 * np.asarray(insured, float), 0.0)


class Payout(NamedTuple):
    """What :func:`fund_payout` paid, per run and economy (R, N); US$.

    Attributes:
        paid: What the fund paid for each economy.
        fund_after: The compartments after payment.
        uncovered: The need left for the fiscal backstop.
        lendable: What each compartment may still give the other participants this year.
        given: What each compartment gave towards other participants' needs.
        received: What each participant's need got from the other compartments; summed
            over a run it equals ``given``'s sum (a transfer between compartments).
    """

    paid: FloatArray
    fund_after: FloatArray
    uncovered: FloatArray
    lendable: FloatArray
    given: FloatArray
    received: FloatArray


def fund_payout(
    fund: ArrayLike,
    need: ArrayLike,
    participants: ArrayLike,
    *,
    mutualisation: float = 1.0,
    lendable: ArrayLike | None = None,
) -> Payout:
    """Pay ``need`` from the fund: own compartment first, then the pooled share of others.

    The fund is held in national compartments (R, N); a participant's need is met from its
    own compartment, then from the other compartments. ``mutualisation`` is the share of
    its balance at the start of the year's payments that each compartment makes available
    to the other participants over the whole year (0 = national compartments only, 1 = one
    fully pooled fund, as in the staged European Deposit Insurance Scheme proposal). A year
    with several payments (a resolution, the payment past its 5 % under BRRD art. 44(7),
    the deposit payout after clearing) passes ``lendable`` from one to the next, so that
    together they take no more than that share; each payment takes from the compartments
    in proportion to what they may still give.

    Args:
        fund: Compartment balances (R, N), >= 0.
        need: Amount each economy needs paid (R, N), >= 0.
        participants: (R, N) booleans; non-participants get nothing and pay nothing.
        mutualisation: Share of other compartments available in the year, in [0, 1].
        lendable: What each compartment may still give others this year (R, N), from an
            earlier payment of the year; None: ``mutualisation * fund`` (the year's first).

    Returns:
        A :class:`Payout`; non-participants' balances and ``lendable`` are untouched.
    """
    if not 0.0 <= mutualisation <= 1.0:
        raise ValueError(f"mutualisation {mutualisation} must lie in [0, 1]")
    p = np.asarray(participants, bool)
    fund_in = np.asarray(fund, float)
    F = np.where(p, fund_in, 0.0)
    budget_in = mutualisation * fund_in if lendable is None else np.asarray(lendable, float)
    budget = np.where(p, np.maximum(budget_in, 0.0), 0.0)
    need_a = np.maximum(np.asarray(need, float), 0.0)
    own = np.where(p, np.minimum(F, need_a), 0.0)
    F_after = F - own
    rest = np.where(p, need_a - own, 0.0)
    # What each compartment may still give: its budget for the year, within its balance
    # (fully pooled, its whole balance: no budget to round against).
    avail = F_after if mutualisation >= 1.0 else np.minimum(budget, F_after)
    pool = avail.sum(axis=1)  # (R,)
    ask = rest.sum(axis=1)
    scale = np.divide(np.minimum(pool, ask), ask, out=np.zeros_like(ask), where=ask > 0)
    pooled = rest * scale[:, None]
    drawn = pooled.sum(axis=1)
    share = np.divide(avail, pool[:, None], out=np.zeros_like(avail), where=pool[:, None] > 0)
    give = share * drawn[:, None]
    F_after = F_after - give
    paid = own + pooled
    keep = np.where(p, 0.0, fund_in)  # non-participants' balances untouched
    return Payout(paid=paid, fund_after=np.maximum(F_after, 0.0) + keep,
                  uncovered=need_a - paid,
                  lendable=np.where(p, np.maximum(budget - give, 0.0),
                                    np.broadcast_to(budget_in, F.shape)),
                  given=give, received=pooled)


def backstop(
    uncovered: ArrayLike,
    gdp: ArrayLike,
    participants: ArrayLike,
    mode: Literal["national", "mutual"] = "national",
) -> FloatArray:
    """Fiscal cost of the backstop by economy (R, N).

    ``"national"``: each economy's treasury covers its own remaining need. ``"mutual"``: the
    participants' remaining needs are shared in proportion to their GDP; non-participants
    always pay their own.
    """
    u = np.asarray(uncovered, float)
    p = np.asarray(participants, bool)
    if mode == "national":
        return u.copy()
    if mode != "mutual":
        raise ValueError(f"backstop mode must be 'national' or 'mutual', got {mode!r}")
    w = np.where(p, np.asarray(gdp, float), 0.0)
    tot = w.sum(axis=1, keepdims=True)
    share = np.divide(w, tot, out=np.zeros_like(w), where=tot > 0)
    pooled = np.where(p, u, 0.0).sum(axis=1, keepdims=True)
    return np.where(p, 0.0, u) + share * pooled


def intervene(
    equity: ArrayLike,
    assets: ArrayLike,
    *,
    resolution: ArrayLike,
    information: ArrayLike,
    trigger_info: float,
    target_ratio: ArrayLike,
    bail_in_capacity: ArrayLike,
) -> tuple[BoolArray, FloatArray, FloatArray]:
    """Resolve distressed banking systems before their losses spread.

    A system is caught before contagion when its equity (after its own losses, assuming
    its debtors pay) is below ``trigger * assets`` and below ``target_ratio * assets``.
    The trigger is 0 (insolvency) unless the economy shares information, when distress
    is seen earlier at ``trigger_info``. Caught systems are brought back to
    ``target_ratio * assets``: with a resolution authority, creditors are bailed in first
    (up to ``bail_in_capacity``); the rest is public or fund money. With information
    exchange but no resolution authority, the national authority recapitalises alone (no
    bail-in powers).

    A trigger above the target catches nothing more: a system between the two already
    holds the capital a resolution would restore, so nothing is done and no resolution is
    counted. Recapitalising to the trigger instead would hand public money to solvent
    systems year after year (docs/finance.md section 5).

    Args:
        equity: Equity before contagion (R, N).
        assets: Total assets (R, N) or (N,).
        resolution: (R, N) booleans, under the resolution authority.
        information: (R, N) booleans, in the information exchange.
        trigger_info: Capital ratio that triggers early intervention with information.
        target_ratio: Capital ratio restored by intervention (R, N) or (N,).
        bail_in_capacity: Bail-inable liabilities (R, N), >= 0.

    Returns:
        ``(caught, bail_in, injection)``: which systems were handled (R, N), the creditor
        losses imposed by bail-in and the capital injected from the fund or the treasury;
        ``bail_in + injection > 0`` wherever ``caught``.
    """
    E = np.asarray(equity, float)
    A = np.broadcast_to(np.asarray(assets, float), E.shape)
    res = np.asarray(resolution, bool)
    info = np.asarray(information, bool)
    trig = np.where(info, trigger_info, 0.0)
    target = np.asarray(target_ratio, float) * A
    # Below the trigger but at or above the target there is nothing to restore: such a
    # system is not "resolved" (it was, with no money moved, until 2026-12-05).
    caught = (res | info) & (E < trig * A) & (E < target)
    gap = np.where(caught, target - E, 0.0)
    cap = np.maximum(np.asarray(bail_in_capacity, float), 0.0)
    bail_in = np.where(caught & res, np.minimum(cap, gap), 0.0)
    return caught, bail_in, gap - bail_in


def own_funds_loss(equity: ArrayLike, own_funds_before: ArrayLike) -> FloatArray:
    """The shareholders' contribution to loss absorption (R, N).

    The own funds the year's losses wrote off, ``max(own_funds_before, 0) - max(equity,
    0)``, at least 0: equity left with the old shareholders is diluted, not contributed.
    """
    return np.maximum(np.maximum(np.asarray(own_funds_before, float), 0.0)
                      - np.maximum(np.asarray(equity, float), 0.0), 0.0)


def resolution_fund_limit(
    equity: ArrayLike,
    own_funds_before: ArrayLike,
    bail_in: ArrayLike,
    liabilities: ArrayLike,
    *,
    min_absorption: float = MIN_OWN_LOSS_ABSORPTION,
    max_contribution: float = MAX_FUND_CONTRIBUTION,
) -> FloatArray:
    """Most the resolution fund may put into each resolution (R, N): BRRD art. 44(5).

    The resolution financing arrangement may contribute only where "(a) a contribution to
    loss absorption and recapitalisation equal to an amount not less than 8 % of the total
    liabilities including own funds of the institution under resolution, measured at the
    time of resolution action in accordance with the valuation provided for in Article 36,
    has been made by the shareholders and the holders of other instruments of ownership,
    the holders of relevant capital instruments and other bail-inable liabilities through
    write down, conversion or otherwise" and "(b) the contribution ... does not exceed 5 %
    of the total liabilities including own funds" (Directive 2014/59/EU art. 44(5);
    Regulation 806/2014 art. 27(6)-(7) for the Single Resolution Fund). In the model:

    * total liabilities including own funds (TLOF) = ``liabilities + max(equity, 0)``:
      the system's debts at face value and its equity as valued at resolution, i.e. its
      valued assets when solvent, its debts when not (own funds are not negative);
    * the shareholders' contribution is the own funds the year's losses wrote off,
      ``max(own_funds_before, 0) - max(equity, 0)`` (at least 0); the creditors' is the
      bail-in. Deposit insurance money does not count (EBA Q&A 2015_1784).

    So the limit is ``max_contribution * TLOF`` where the two contributions reach
    ``min_absorption * TLOF``, and 0 where they do not: there the BRRD leaves the fund out.

    Args:
        equity: Equity before the intervention, after the year's losses (R, N).
        own_funds_before: Equity at the start of the year, before its losses and after
            the year's fund contributions (R, N).
        bail_in: Creditor losses imposed by bail-in (R, N), >= 0.
        liabilities: Debts at face value, deposits, other and interbank (R, N).
        min_absorption: Required loss absorption, share of TLOF (8 % in the BRRD).
        max_contribution: Cap on the fund's contribution, share of TLOF (5 %).

    Returns:
        The largest contribution the fund may make (R, N), >= 0.
    """
    E = np.asarray(equity, float)
    tlof = np.asarray(liabilities, float) + np.maximum(E, 0.0)
    absorbed = own_funds_loss(E, np.asarray(own_funds_before, float)) + np.asarray(bail_in,
                                                                                  float)
    return np.where(absorbed >= min_absorption * tlof, max_contribution * tlof, 0.0)


def equity_bought(equity: ArrayLike, bail_in: ArrayLike, injection: ArrayLike, *,
                  filled_before: ArrayLike = 0.0) -> FloatArray:
    """The part of a resolution's injection that buys equity; the rest fills a hole (R, N).

    A system caught with equity ``E0 < 0`` is brought to the target equity ``T``: the gap
    ``T - E0`` is the hole ``-E0`` (losses) and ``T`` (new equity). Losses are absorbed
    before capital is restored, in this order (Directive 2014/59/EU, BRRD):

    1. creditors' bail-in (art. 34(1)(a)-(b); art. 46(1): write-down to bring the net asset
       value to zero, (a), before conversion to restore the capital ratio, (b));
    2. the resolution fund, drawn before the treasury, which may "cover any losses which
       have not been absorbed by eligible liabilities and restore the net asset value ...
       to zero" (art. 44(4)(a)) and only then "purchase shares" (art. 44(4)(b));
    3. the treasury, which fills any hole left and buys shares with the rest (public
       equity support, art. 57(1): capital in exchange for Common Equity Tier 1).

    So money put in ahead of this injection (``filled_before``, the fund's) fills the
    hole first; the injection fills what is left of it, ``max(-E0 - bail_in -
    filled_before, 0)``, money lost, and buys equity with the rest. A system caught with
    ``E0 >= 0`` has no hole: all its injection buys equity.

    Args:
        equity: Equity before the intervention (R, N).
        bail_in: Creditor losses imposed by bail-in (R, N).
        injection: This payer's money injected (R, N): the whole injection, or the
            treasury's part when the fund paid ``filled_before`` ahead of it.
        filled_before: Money injected ahead of this one (R, N), >= 0; 0 for the whole.

    Returns:
        The injection's equity part, in ``[0, injection]``.
    """
    inj = np.asarray(injection, float)
    hole = np.maximum(-np.asarray(equity, float) - np.asarray(bail_in, float)
                      - np.asarray(filled_before, float), 0.0)
    return np.clip(inj - hole, 0.0, inj)
