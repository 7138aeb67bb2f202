"""The least budget-balanced transfer that carries one Council vote (scosim transfers).

A transfer of ``x`` US$ to voter ``i`` raises its econ term by ``x / E_i`` (``E_i`` the
expenditure its preview's gain is a share of) and its score by ``w_econ_i x / E_i``. Each
voter's score against its bar converts to US$: ``slack_i = score_i E_i / w_econ_i``.

**Closed form, nothing responding.** With the bought set fixed and every other term held,
a bought voter needs exactly its shortfall ``-slack_i``, a voter in favour can give up at
most its surplus ``slack_i``, and bought voters pay nothing, so the least total is the sum
of the shortfalls and a plan exists iff the payers' surpluses cover it.

**The relative-gains term responds.** The Council's dominance term is
``w_dom_i max(0, g_L - g_i)``, ``L`` the largest economy of the group previewed
(:func:`scosim.mechanisms.voting.dominance_gap`): a payment from ``L`` to ``i`` narrows the
gap from both sides. The gap is convex and piecewise linear and enters the score with a
minus sign, so the constraint ``score_i >= bar`` stays linear with one more variable per
voter, ``D_i >= 0`` and ``D_i >= (g_L' - g_i') E_i`` (the gap after the transfers, in US$
of ``i``): at the optimum ``D_i`` is the gap itself, as a larger one only lowers the score.
The programme (:func:`scipy.optimize.linprog`, HiGHS dual simplex, deterministic) is then
needed, not the closed form.

**Sharing rule (a convention).** Among the plans of least total, a second programme picks
the one in which every payer gives up the same share of its surplus as logged: one plan,
whatever the order of the voters; not a bargaining outcome.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["STRICT_MARGIN_USD", "Plan", "Responding", "price_vote"]

#: Relative tolerance of the second programme's total.
BUDGET_TOL = 1e-9
_BN = 1e9  # the programmes work in US$ bn: their tolerances are absolute
#: A rule with a strict bar (``gains_only``: yes iff the gain is above 0) is not carried by
#: a voter brought exactly to its bar: each one bought gets this much more (US$1 million,
#: an assumption; it adds at most US$0.01 bn to a vote of ten voters). A weak bar
#: (``score >= 0``) is carried at the bar itself.
STRICT_MARGIN_USD = 1e6


@dataclass(frozen=True)
class Plan:
    """The cheapest side-payment plan of one vote.

    Attributes:
        status: ``carried``, ``plan``, ``no_plan``, ``not_priced`` or ``no_voters``.
        transfer_usd: ``(n,)`` US$ per voter, + received, - paid (zeros without a plan).
        total_usd: Total received (= total paid); NaN where no plan exists.
        reason: Why there is no plan, or what is not priced ("" otherwise).
        required_usd: What the bought voters receive in the least plan; where none
            exists, in the least plan that money from outside the voters would complete
            (NaN where nothing is bought).
        capacity_usd: What the voters in favour can give up at their logged scores (the
            sum of their surpluses).
        outside_usd: Where no plan exists, the least money from outside the voters that
            would carry the vote (the gap); 0 with a plan.
    """

    status: str
    transfer_usd: np.ndarray
    total_usd: float
    reason: str = ""
    required_usd: float = math.nan
    capacity_usd: float = math.nan
    outside_usd: float = math.nan


@dataclass(frozen=True)
class Responding:
    """The Council's relative-gains term, for it to respond to the transfers.

    Attributes:
        k: ``(n,)`` US$ of score per US$ of gap, ``w_dom_i / w_econ_i`` (0 where the voter's
            gap does not respond: the leader itself, a voter outside the group previewed,
            a rule scoring the econ term alone).
        gap_usd: ``(n,)`` logged gap ``max(0, g_L - g_i) E_i``, US$.
        lead_usd: ``(n,)`` ``(g_L - g_i) E_i``, US$ (the gap before the floor at 0).
        lead: Position of the leader ``L`` among the voters (-1: not among them, its gain
            does not move).
        lead_ratio: ``(n,)`` ``E_i / E_L``: a US$ paid by ``L`` raises ``i``'s gap in US$
            of ``i`` by this much less.
    """

    k: np.ndarray
    gap_usd: np.ndarray
    lead_usd: np.ndarray
    lead: int
    lead_ratio: np.ndarray


def price_vote(slack_usd: Sequence[float], yes: Sequence[bool], needed: int, *,
               names: Sequence[str] | None = None, must: Sequence[bool] | None = None,
               strict: Sequence[bool] | None = None,
               respond: Responding | None = None) -> Plan:
    """The least budget-balanced transfer among the voters that gets ``needed`` yes votes.

    Args:
        slack_usd: ``(n,)`` how far each voter's score clears its bar, in US$ (a negative
            value is the shortfall a transfer must cover); NaN where money cannot move its
            score (no weight on the econ term).
        yes: ``(n,)`` its vote as cast.
        needed: Yes votes the decision rule needs among the voters not in ``must``.
            A voter in favour pays only what leaves it at or above its bar (a sponsor
            voting yes below it pays nothing); one against is bought for its shortfall.
        names: Voters' codes, for the reason given when no plan exists.
        must: ``(n,)`` voters whose yes is needed whatever the count (a non-member whose
            no would keep its bloc out of the union); default none.
        strict: ``(n,)`` voters whose rule needs a score above the bar
            (:data:`STRICT_MARGIN_USD`); default none.
        respond: The relative-gains term, to respond to the transfers; None: every
            term held at its logged value (the closed form).

    Returns:
        The :class:`Plan`; ``carried`` with zeros when ``yes`` already suffices.
    """
    slack = np.asarray(slack_usd, dtype=float)
    yes = np.asarray(yes, dtype=bool)
    n = slack.size
    names = list(names) if names is not None else [str(i) for i in range(n)]
    must = np.zeros(n, dtype=bool) if must is None else np.asarray(must, dtype=bool)
    strict = np.zeros(n, dtype=bool) if strict is None else np.asarray(strict, dtype=bool)
    zeros = np.zeros(n)
    free = ~must
    if int((yes & free).sum()) >= needed and (yes | free).all():
        return Plan("carried", zeros, 0.0)
    if needed > int(free.sum()):
        return Plan("no_plan", zeros, math.nan, f"{needed} yes votes needed of {n} voters")
    # The cheapest voters to buy: the smallest shortfalls (ties by position), since each
    # costs its shortfall and brings no surplus; a voter money cannot move is never bought.
    no = np.flatnonzero(~yes & free)
    buyable = no[np.isfinite(slack[no])]
    order = buyable[np.lexsort((buyable, -slack[buyable]))]
    missing = max(needed - int((yes & free).sum()), 0)
    stuck = [names[i] for i in np.flatnonzero(~yes & (must | free))
             if not np.isfinite(slack[i])]
    if order.size < missing or any(not np.isfinite(slack[i]) for i in np.flatnonzero(
            must & ~yes)):
        return Plan("no_plan", zeros, math.nan,
                    f"money cannot move the vote of {', '.join(stuck)} (no weight on the "
                    "econ term)")
    bought = must & ~yes
    bought[order[:missing]] = True
    # Voters in favour pay out of what they have above the bar (a sponsor below it: nothing).
    payer = yes & np.isfinite(slack) & (slack >= 0)
    short = float(np.maximum(-slack[bought], 0.0).sum())
    cap = float(np.where(payer, slack, 0.0).sum())
    if respond is None:
        respond = Responding(np.zeros(n), zeros, zeros, -1, zeros)
    t = _solve(slack, bought, payer, strict, respond)
    if t is None:
        # What it would take from outside the voters: the least outside money, and the
        # receipts and insiders' payments of the least plan with it.
        t, outside = _solve(slack, bought, payer, strict, respond, outside=True)
        return Plan("no_plan", zeros, math.nan,
                    f"the shortfalls of {', '.join(names[i] for i in np.flatnonzero(bought))} "
                    f"(US${short / _BN:.3g} bn) exceed what the others can give up and still "
                    f"vote yes (US${cap / _BN:.3g} bn)", float(t[t > 0].sum()), cap, outside)
    return Plan("plan", t, float(t[t > 0].sum()), "", float(t[t > 0].sum()), cap, 0.0)


def _solve(slack: np.ndarray, bought: np.ndarray, payer: np.ndarray, strict: np.ndarray,
           rs: Responding, *, outside: bool = False) -> Any:
    """Transfers (US$, + received) carrying the bought voters; None if none exist.

    Variables, US$ bn: receipts ``r`` (bought voters), payments ``p`` (payers), gaps ``D``
    (voters whose relative-gains term responds). Each voter that must vote yes afterwards
    (bought or paying): ``slack_i + r_i - p_i - k_i (D_i - gap_i) >= margin_i``; each gap
    ``D_i >= lead_i + ratio_i (r_L - p_L) - (r_i - p_i)``, ``D_i >= 0``; ``sum r = sum p``.
    First programme: least ``sum r``. Second: among plans within :data:`BUDGET_TOL` of it,
    the least ``lam`` with ``p_i <= lam slack_i`` (the sharing convention).

    ``outside``: money ``o >= 0`` from outside the voters may complete the budget
    (``sum r = sum p + o``); first the least ``o``, then the least ``sum r`` with it.
    Returns ``(transfers, o in US$)`` then (always feasible: ``o`` pays every shortfall).
    """
    from scipy.optimize import linprog

    n = slack.size
    s = np.where(np.isfinite(slack), slack, 0.0) / _BN
    k = np.where(bought | payer, rs.k, 0.0)
    resp = k > 0
    margin = np.where(strict, np.where(bought, STRICT_MARGIN_USD,
                                       np.minimum(STRICT_MARGIN_USD, np.abs(s) * _BN / 2)),
                      0.0) / _BN
    bounds = ([(0.0, None) if b else (0.0, 0.0) for b in bought]
              + [(0.0, None) if p else (0.0, 0.0) for p in payer]
              + [(0.0, None) if q else (0.0, 0.0) for q in resp]
              + [(0.0, None) if outside else (0.0, 0.0)])
    eye = np.eye(n)
    keep = bought | payer
    # -r + p + k D <= s + k gap - margin (the voter's bar after the transfers).
    a_bar = np.hstack([-eye, eye, np.diag(k), np.zeros((n, 1))])[keep]
    b_bar = (s + k * rs.gap_usd / _BN - margin)[keep]
    # -D - r + p + ratio (r_L - p_L) <= -lead (the gap after the transfers).
    lead_cols = np.zeros((n, 3 * n + 1))
    if rs.lead >= 0:
        lead_cols[:, rs.lead] = rs.lead_ratio
        lead_cols[:, n + rs.lead] = -rs.lead_ratio
    a_gap = (np.hstack([-eye, eye, -eye, np.zeros((n, 1))]) + lead_cols)[resp]
    b_gap = (-rs.lead_usd / _BN)[resp]
    a_ub = np.vstack([a_bar, a_gap])
    b_ub = np.concatenate([b_bar, b_gap])
    a_eq = np.concatenate([np.ones(n), -np.ones(n), np.zeros(n), [-1.0]])[None, :]
    receipts = np.concatenate([np.ones(n), np.zeros(2 * n + 1)])
    o_star = 0.0
    if outside:
        least_o = linprog(np.concatenate([np.zeros(3 * n), [1.0]]), A_ub=a_ub, b_ub=b_ub,
                          A_eq=a_eq, b_eq=[0.0], bounds=bounds, method="highs-ds")
        if least_o.status != 0:  # pragma: no cover - outside money always suffices
            raise RuntimeError(f"linprog: {least_o.message}")
        o_star = float(least_o.x[-1])
        bounds[-1] = (0.0, o_star * (1.0 + BUDGET_TOL) + 1e-12)
    first = linprog(receipts, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[0.0], bounds=bounds,
                    method="highs-ds")
    if first.status == 2:
        return None
    if first.status != 0:  # pragma: no cover - HiGHS failing on a bounded, feasible LP
        raise RuntimeError(f"linprog: {first.message}")
    total = float(first.fun)
    # Second programme, variables (r, p, D, o, lam): p_i - lam slack_i <= 0, sum r <= total.
    pay_rows = np.hstack([np.zeros((n, n)), eye, np.zeros((n, n + 1)), -s[:, None]])[payer]
    rows = [np.hstack([a_ub, np.zeros((a_ub.shape[0], 1))]), pay_rows,
            np.concatenate([receipts, [0.0]])[None, :]]
    second = linprog(np.concatenate([np.zeros(3 * n + 1), [1.0]]), A_ub=np.vstack(rows),
                     b_ub=np.concatenate([b_ub, np.zeros(int(payer.sum())),
                                          [total * (1.0 + BUDGET_TOL) + 1e-12]]),
                     A_eq=np.hstack([a_eq, [[0.0]]]), b_eq=[0.0],
                     bounds=[*bounds, (0.0, None)], method="highs-ds")
    x = second.x if second.status == 0 else first.x
    t = (x[:n] - x[n:2 * n]) * _BN
    # Values below HiGHS's tolerances are noise: a voter neither bought nor paying.
    t[np.abs(t) < 1e-3] = 0.0
    return (t, o_star * _BN) if outside else t
