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
The programme is then needed, not the closed form.

**The vote shock responds.** The Council's shock is ``z vote_noise`` times the size of
the terms, the sum of their absolute weighted values (voting.noise_scale); the transfers
change the econ and relative-gains terms, so the size. With ``z`` held, ``c |g_i'|`` enters
the score: concave for a negative shock (linear with the econ term split by sign), convex
for a positive one, where one binary per voter picks the sign: a small mixed-integer
programme (:func:`scipy.optimize.milp`, HiGHS, deterministic).

**A voter in favour may be paid to stay.** A payment to a bought leader widens its lead
over every voter in favour, which past a ceiling would turn to no. As in a budget-balanced
side-payment scheme, where every participant's participation constraint holds and anyone
may receive, a voter in favour may then receive what keeps it at its bar (or pay out of
its surplus; the least total decides the sign). This never makes a plan dearer, and
changes none whose voters in favour all stay at their bars unpaid: a receipt raises only
its receiver's score (the leader's also widens the others' gaps), so paying a voter in
favour helps no bought voter; where the leader pays, paying more to a bought voter
narrows the gaps just as much. It pays only where a bar binds with nothing received.

**A sponsor votes yes whatever its score** (``utility_vote``), so it is never paid to
stay: it pays keeping its bar, or out of its economic gain, its bar dropped, whichever
lets it give more; :attr:`Plan.sponsor_side` says which. A disjunction, priced exactly by
solving the sides (:mod:`scosim.side_payments_sides`).

**Which no voters a majority buys.** Under consensus every no voter is bought; under a
qualified majority any set of them that reaches the threshold will do, and each set is a
programme of its own: as the relative-gains term and the shock respond, the smallest
shortfalls need not be the cheapest set. Up to :data:`MAX_SETS` sets, the cheapest is
found (:func:`_cheapest_set`); beyond, the greedy set is taken and the plan says so.

**Sharing rule (a convention).** Among the plans of least total, a second programme picks
the one in which every payer gives up the same share of its surplus as logged: one plan,
whatever the order of the voters; not a bargaining outcome.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scosim.side_payments_programme import (
    _BN,
    STRICT_MARGIN_USD,
    _milp,
    _Payers,
    _programme,
)
from scosim.side_payments_sides import (
    SET_TIE_USD,
    _gain,
    _least,
    _lift_most,
    _liftable,
    _optional,
    _subsets,
)
from scosim.side_payments_text import no_plan_reason

__all__ = ["MAX_SETS", "STRICT_MARGIN_USD", "Plan", "Responding", "price_vote"]

#: Relative tolerance of the second programme's total.
BUDGET_TOL = 1e-9
#: Under a majority, the candidate sets of no voters to buy are each solved up to this many
#: (C(no voters, votes missing)); beyond it the greedy set (smallest shortfalls) is taken
#: and the plan says so. Ten voters give at most C(10, 5) = 252.
MAX_SETS = 500


@dataclass(frozen=True)
class Plan:
    """The cheapest side-payment plan of one vote.

    Attributes:
        status: ``carried``, ``plan``, ``no_plan``, ``not_priced`` or ``no_voters``.
        transfer_usd: ``(n,)`` US$ per voter, + received, - paid (zeros without a plan).
        total_usd: Total received (= total paid); NaN where no plan exists.
        reason: Why there is no plan, or what is not priced; for a plan, "" unless a
            majority's voters to buy were too many sets to search (:data:`MAX_SETS`).
        required_usd: What the plan's receivers get in all: the bought voters and any
            voter in favour paid to stay (``stay_usd``), in the least plan; where none
            exists, in the least plan that money from outside the voters would complete
            (NaN where nothing is bought).
        capacity_usd: What the voters in favour can give up at their logged scores (the
            sum of their surpluses; a sponsor's, or its economic gain where that is more;
            a sponsor below its bar that the leader's payment lifts (:func:`_liftable`),
            the most it can pay on its bar side with the leader paying its whole surplus,
            :func:`scosim.side_payments_sides._lift_most`, or its gain where more).
        stay_usd: Of ``required_usd``, what goes to voters in favour to keep them at their
            bars (0 where none is paid; NaN where ``required_usd`` is).
        stay_each_usd: ``(n,)`` ``stay_usd`` by voter, what each voter in favour
            receives to stay (0 for the others; their sum is ``stay_usd``); None where
            ``stay_usd`` is NaN.
        outside_usd: Where no plan exists, the least money from outside the voters that
            would carry the vote (the gap); 0 with a plan.
        capacity_gain_usd: Of ``capacity_usd``, what a sponsor's economic gain adds
            beyond its surplus (0 where no sponsor's gain is the larger; NaN where
            ``capacity_usd`` is): the answer's note on it applies only where above 0.
        sponsor_side: ``(n,)`` which side each sponsor's plan used (:func:`_sides`:
            ``bar``, ``gain`` or ``none``; "" for the other voters); None without a
            plan priced.
    """

    status: str
    transfer_usd: np.ndarray
    total_usd: float
    reason: str = ""
    required_usd: float = math.nan
    capacity_usd: float = math.nan
    outside_usd: float = math.nan
    stay_usd: float = math.nan
    stay_each_usd: np.ndarray | None = None
    capacity_gain_usd: float = math.nan
    sponsor_side: np.ndarray | None = None


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
        shock: ``(n,)`` the vote shock per unit of the size of the voter's terms,
            ``z vote_noise`` (logged noise / logged size; None or 0: the shock is held
            at its logged US$ value). Must be below 1.
        econ_usd: ``(n,)`` the logged econ term in US$ of the voter, ``g_i E_i``.
    """

    k: np.ndarray
    gap_usd: np.ndarray
    lead_usd: np.ndarray
    lead: int
    lead_ratio: np.ndarray
    shock: np.ndarray | None = None
    econ_usd: np.ndarray | None = None


def price_vote(slack_usd: Sequence[float], yes: Sequence[bool], needed: int, *,
               names: Sequence[str] | None = None, must: Sequence[bool] | None = None,
               strict: Sequence[bool] | None = None,
               respond: Responding | None = None,
               sponsor: Sequence[bool] | None = None) -> Plan:
    """The least budget-balanced transfer among the voters that gets ``needed`` yes votes.

    Args:
        slack_usd: ``(n,)`` how far each voter's score clears its bar, in US$ (a negative
            value is the shortfall a transfer must cover); NaN where money cannot move its
            score (no weight on the econ term).
        yes: ``(n,)`` its vote as cast.
        needed: Yes votes the decision rule needs among the voters not in ``must``.
            A voter in favour pays only what leaves it at or above its bar, or receives
            what keeps it there; one against is bought for its shortfall.
        names: Voters' names, for the reason given when no plan exists.
        must: ``(n,)`` voters whose yes is needed whatever the count (a non-member whose
            no would keep its bloc out of the union); default none.
        strict: ``(n,)`` voters whose rule needs a score above the bar
            (:data:`STRICT_MARGIN_USD`); default none.
        respond: The relative-gains term, to respond to the transfers; None: every
            term held at its logged value (the closed form).
        sponsor: ``(n,)`` voters whose rule votes yes whatever the score (the proposer
            under ``utility_vote``): never paid to stay; one pays what leaves it at or
            above its bar (possibly more than it gains) or, where that is more, up to its
            economic gain (``respond``'s ``econ_usd``; even below its bar; none where
            NaN); default none.

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
    # The no voters that may be bought, in the greedy order: smallest shortfall first (ties
    # by position), the cheapest with nothing responding; a voter money cannot move is
    # never bought. Which of them to buy: _cheapest_set.
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
    if respond is None:
        respond = Responding(np.zeros(n), zeros, zeros, -1, zeros)
    # Voters in favour pay out of what they have above the bar, or are paid to stay at it.
    # A sponsor is never paid; it pays keeping its bar or out of its economic gain, so one
    # below its bar that gains still pays (it is the one that wants the proposal). A gain
    # not known (NaN) has no gain side: that sponsor keeps its bar.
    spons = np.zeros(n, dtype=bool) if sponsor is None else np.asarray(sponsor, dtype=bool)
    gain = _gain(respond)
    above = yes & np.isfinite(slack) & (slack >= 0)
    free = yes & spons & np.isfinite(slack) & ~above & (gain > 0)
    # One below its bar that the leader's payment could lift back over it has a bar side
    # too (it may then pay beyond its gain); first on its gain side (at most its gain,
    # nothing where it loses, as before).
    lift = _liftable(slack, yes, spons, above | free, strict, respond)
    free = free | lift
    pays = above | free
    payer = _Payers(pays, pays & spons, free, lift)
    # A lifted sponsor can also pay on its bar side, the leader paying its whole surplus
    # (:func:`_lift_most`): that is its surplus here, its gain counting beyond it.
    led = (float(slack[respond.lead] if above[respond.lead] else gain[respond.lead])
           if lift.any() else 0.0)
    own = np.where(above, slack, 0.0)
    for i in np.flatnonzero(lift):
        own[i] = _lift_most(int(i), slack, strict, respond, led)
    extra = float(np.where(pays & spons, np.maximum(gain - own, 0.0), 0.0).sum())
    cap = float(own.sum() + extra)
    bought, note, first = _cheapest_set(slack, must & ~yes, order, missing, payer, strict,
                                        respond)
    short = float(np.maximum(-slack[bought], 0.0).sum())
    got = _solve(slack, bought, payer, strict, respond, first=first)
    if got is None:
        # What it would take from outside the voters: the least outside money, and the
        # receipts and insiders' payments of the least plan with it.
        got = _solve(slack, bought, payer, strict, respond, outside=True)
        if got is None:  # pragma: no cover - outside money can pay every bar (see _solve)
            return Plan("no_plan", zeros, math.nan, "no transfer meets every bar, even with "
                        "money from outside the voters", math.nan, cap, math.nan,
                        capacity_gain_usd=extra)
        (t, outside), chosen = got
        each = _stay(t, yes)
        kept = float(each.sum())
        # Under consensus every no voter is bought: the shortfalls are the row's short_usd.
        every = bool(bought[~yes].all())
        reason = no_plan_reason(
            [names[i] for i in np.flatnonzero(bought)], short, every,
            [names[i] for i in np.flatnonzero(yes & (t > 0))], kept, cap, extra > 0,
            [names[i] for i in np.flatnonzero(lift & (own > 0))])
        return Plan("no_plan", zeros, math.nan, reason + (f"; {note}" if note else ""),
                    float(t[t > 0].sum()), cap, outside, kept, each, extra,
                    _sides(pays, spons, chosen, t))
    t, chosen = got
    each = _stay(t, yes)
    return Plan("plan", t, float(t[t > 0].sum()), note, float(t[t > 0].sum()), cap, 0.0,
                float(each.sum()), each, extra, _sides(pays, spons, chosen, t))


def _sides(pays: np.ndarray, spons: np.ndarray, chosen: _Payers,
           t: np.ndarray) -> np.ndarray:
    """Which side each sponsor's plan used: ``bar``, ``gain`` or ``none``; "" for others.

    ``gain``: it pays out of its economic gain, its bar dropped (keeping a gain >= 0);
    ``bar``: it keeps its bar (it may then pay beyond its gain); ``none``: it pays nothing
    in the plan ``t`` (US$, + received), or can pay on neither side (below its bar,
    gaining nothing or not known). A sponsor that pays nothing used no side: a review
    found one that loses labelled ``gain`` (2026-12-07). The label only: the plan is not
    changed.
    """
    side = np.where(chosen.welfare, "gain", np.where(pays, "bar", "none"))
    # ``t`` is exactly 0 where nothing is paid: _solve zeroes values below HiGHS's noise.
    side = np.where(t < 0, side, "none")
    return np.where(spons, side, "").astype(object)


def _stay(t: np.ndarray, yes: np.ndarray) -> np.ndarray:
    """What each voter in favour receives (US$), paid to stay at its bar; 0 for others."""
    return np.where(yes & (t > 0), t, 0.0)


def _cheapest_set(slack: np.ndarray, base: np.ndarray, order: np.ndarray, missing: int,
                  payer: _Payers, strict: np.ndarray,
                  rs: Responding) -> tuple[np.ndarray, str, Any]:
    """The voters to buy: ``base`` and the ``missing`` no voters of ``order`` costing least.

    Each candidate set's least total is a programme of its own (the relative-gains term
    and the shock respond to the payments, so the smallest shortfalls need not be the
    cheapest set). Up to :data:`MAX_SETS` sets, each is priced; the sets run in the
    greedy order (``order``, smallest shortfall first, so the greedy set comes first) and
    a later one replaces the best so far only if cheaper by more than :data:`SET_TIE_USD`.
    A set is skipped where its voters' lower bounds (each bought alone, the payers paying
    at most the greedy total: the ``alone`` relaxation of :func:`_programme`) add up to
    more than the best so far: it could not replace it, so the choice is that of pricing
    every set. The bound holds as a voter's score never rises with the leader's receipt
    (its gap widens; ``c < 1``). Where the greedy set has no plan, the other sets are
    priced, then, where none has one, the set needing the least money from outside; a set
    is skipped there too where its voters' lower bounds (the payers paying at most what
    they can give up in all, :func:`_most_paid`) add up to more than that, or leave an
    outside gap no smaller than the best so far.

    Returns:
        The bought voters (``(n,)`` bool); a note ("" unless the sets were too many to
        search and the greedy set was taken); and the solution of their first programme
        with its payers where the search solved it with a plan (None otherwise), not to
        solve it twice.
    """
    greedy = base.copy()
    greedy[order[:missing]] = True
    sets = math.comb(order.size, missing)
    if sets <= 1:
        return greedy, "", None
    if sets > MAX_SETS:
        return greedy, (f"the voters bought are the {missing} smallest shortfalls, not "
                        f"necessarily the cheapest set: {sets} sets to choose from, more than the "
                        f"{MAX_SETS} searched"), None
    tie = SET_TIE_USD / _BN
    candidates = []
    for combo in itertools.combinations(order.tolist(), missing):
        b = base.copy()
        b[list(combo)] = True
        candidates.append(b)
    got = _least(slack, greedy, payer, strict, rs)
    if got is not None:
        least, first = got[0], got[1:]
        # In a set within the tie of the greedy one the payers pay at most its total plus
        # the tie, so each voter it buys receives at least its need with that much paid
        # alone: a set whose needs add up to more cannot be the cheapest (its programme
        # is skipped; the result is that of solving every set).
        need = _needs(slack, order, payer, strict, rs, least + tie)
        best = greedy
        for b in candidates[1:]:
            if need[b & ~base].sum() > least:
                continue
            got = _least(slack, b, payer, strict, rs)
            if got is not None and got[0] < least - tie:
                best, least, first = b, got[0], got[1:]
        return best, "", first
    # No plan for the greedy set. The payers can give up at most ``most`` in all (their
    # bars alone, nobody bought: a bought leader only widens their gaps), so every bought
    # voter receives at least its need with that much paid (the ``alone`` relaxation), and
    # a set's receipts, which the payers fund, are at least its needs' sum: where that is
    # above ``most`` it has no plan, and with outside money it needs at least the excess.
    # Sets that cannot have a plan, or cannot beat the best so far, are not solved, so the
    # choice is that of solving every set, in the same order (a review found the unpruned
    # search solving up to 665 programmes a vote).
    most = _most_paid(slack, payer, strict, rs)
    need = _needs(slack, order, payer, strict, rs, most + tie)
    found, least = None, math.inf
    for b in candidates[1:]:  # the greedy set is known to have no plan
        if need[b & ~base].sum() > most + tie:
            continue
        got = _least(slack, b, payer, strict, rs)
        if got is not None and got[0] < least - tie:
            found, least, first = b, got[0], got[1:]
    if found is not None:
        return found, "", first
    for b in candidates:
        if need[b & ~base].sum() - most >= least - tie:
            continue
        got = _least(slack, b, payer, strict, rs, outside=True)
        if got is not None and got[0] < least - tie:
            found, least = b, got[0]
    if found is not None:
        return found, "", None
    # Not reached (outside money completes every set): the greedy set.
    return greedy, "", None  # pragma: no cover


def _needs(slack: np.ndarray, order: np.ndarray, payer: _Payers, strict: np.ndarray,
           rs: Responding, paid: float) -> np.ndarray:
    """Each voter's least receipt bought alone, the payers paying at most ``paid`` (US$ bn).

    A lower bound on its receipt in any plan in which they pay no more; inf where even
    that cannot buy it. Zero for voters not in ``order``.
    """
    need = np.zeros(slack.size)
    for i in order:
        one = np.zeros(slack.size, dtype=bool)
        one[i] = True
        alone = _least(slack, one, payer, strict, rs, alone=paid)
        need[i] = math.inf if alone is None else alone[0]
    return need


def _most_paid(slack: np.ndarray, payer: _Payers, strict: np.ndarray,
               rs: Responding) -> float:
    """The most the payers can pay in all and still vote yes, nobody bought (US$ bn).

    An upper bound on what they pay in any plan: a bought voter's receipt enters their
    scores only through the leader's, which widens their gaps. The voters in favour are
    not paid here (``stay=False``, else one could pay and receive without bound): in a
    plan, those paid to stay with their receipts set to 0 leave the others' payments
    feasible (a receipt raises only its own score, and the leader's narrows no gap), so
    what the payers pay net, which is what the plan pays out, is still at most this. The
    most over the sponsors' two sides (keeping their bars or paying out of their gains),
    as a plan may take either.
    """
    most = 0.0
    nobody = np.zeros(slack.size, dtype=bool)
    # The most over the sponsors' two sides (keeping a bar, or paying out of a gain).
    for out in _subsets(_optional(nobody, payer, rs, slack, strict), slack.size):
        pr = _programme(slack, nobody, payer.without(out), strict, rs, stay=False)
        cost = np.zeros(pr.nv)
        cost[pr.p_] = -1.0
        # Without the budget row (the last), which ties payments to receipts (none here).
        x = _milp(cost, pr.rows[:-1], pr.lb, pr.ub, pr.integrality)
        # HiGHS stops a mixed-integer programme within a relative gap of 1e-4 of the
        # optimum: the bound is raised by twice that, to stay above the true maximum.
        if x is not None:
            most = max(most, float(np.sum(x[pr.p_])) * (1.0 + 2e-4))
    return most


def _solve(slack: np.ndarray, bought: np.ndarray, payer: _Payers, strict: np.ndarray,
           rs: Responding, *, outside: bool = False, first: Any = None) -> Any:
    """Transfers (US$, + received) carrying the bought voters; None if none exist.

    First the least ``o`` (only with ``outside``; else ``o = 0``), then the least ``sum r``;
    then among plans within :data:`BUDGET_TOL` of it the least ``lam`` with
    ``p_i <= lam slack_i`` (the sharing convention). The programme: :func:`_programme`,
    with the payers of the least first programme (:func:`_least`: which sponsors pay);
    ``first``: that solution and its payers, already found.

    Returns the transfers, or ``(transfers, o in US$)`` with ``outside``, with the payers
    of the plan (which sponsors pay out of their gain); None where none exist (never with
    ``outside``: outside money can pay every bought voter's shortfall and every voter in
    favour what the leader's receipt takes from it).
    """
    if first is None:
        got = _least(slack, bought, payer, strict, rs, outside=outside)
        if got is None:
            return None
        first = got[1:]
    first, payer = first
    pr = _programme(slack, bought, payer, strict, rs, outside=outside)
    nv, r_, p_, o_, lam = pr.nv, pr.r_, pr.p_, pr.o_, pr.lam
    o_star = 0.0
    if outside:
        # ``first`` is the least outside money; then the least total with it.
        o_star = float(first[o_])
        pr.ub[o_] = o_star * (1.0 + BUDGET_TOL) + 1e-12
        first = pr.solve(r_, [])
        if first is None:  # pragma: no cover - the least o's solution is feasible
            return None
    total = float(first[r_].sum())
    # Second programme: p_i - lam slack_i <= 0, sum r <= total.
    extra = []
    for i in np.flatnonzero(payer.pay & (pr.base >= 0)):
        # A sponsor lifted over its bar by the leader's payment has no surplus to share
        # (its base is below 0): the convention does not bind it.
        a = np.zeros(nv)
        a[p_[i]], a[lam] = 1.0, -pr.base[i]
        extra.append((a, -np.inf, 0.0))
    a = np.zeros(nv)
    a[r_] = 1.0
    extra.append((a, -np.inf, total * (1.0 + BUDGET_TOL) + 1e-12))
    second = pr.solve(lam, extra)
    x = second if second is not None else first
    t = (x[r_] - x[p_]) * _BN
    # Values below HiGHS's tolerances are noise: a voter neither bought nor paying.
    t[np.abs(t) < 1e-3] = 0.0
    return ((t, o_star * _BN) if outside else t), payer
