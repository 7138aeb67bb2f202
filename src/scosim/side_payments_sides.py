"""Which side each sponsor pays on, priced exactly (scosim transfers).

The sponsors' disjunction of :mod:`scosim.side_payments_lp` (put apart to keep each module
short): :func:`_least`, the least total over the sides, and the tests of which sides
could be cheaper (:func:`_optional`, :func:`_bar_holds`).

**A sponsor votes yes whatever its score** (``utility_vote``: ``ctx.is_sponsor | ...``),
so it is never paid to stay, and its bar does not decide its vote. It is the state that
wants the proposal, the natural payer: it pays keeping its bar, or out of its economic
gain (``p_i <= max(g_i E_i, 0)``, its bar dropped), whichever lets it give more. On the
gain side it keeps a gain >= 0; on the bar side (as before 2026-12-07) it may pay beyond
its economic gain as long as it still votes yes at its bar (where its score's other terms
are above 0). The gain side is an assumption (docs/rules.md, "Payers keep their vote"); a
gain not known (NaN) has none. :attr:`~scosim.side_payments_lp.Plan.sponsor_side` says
which side each sponsor's plan used. That is a disjunction, not a linear constraint, and
it is priced exactly by solving both sides (:func:`_least`): the sponsors paying and
keeping their bars, then any of them paying out of their gain instead; the least total
decides, ties to the bars. The second side is solved only where it could be cheaper:
where the sponsor gains and its bar would fail paying all of it, or its bar can fail
unpaid (its gap responds and the leader may receive); not where its bar holds paying up
to the first side's total (a plan paying more has more receipts); and, in a linear
programme whose optimum leaves every such bar slack, the second side is the first with
the bar dropped (optimum unchanged: the programme is convex) and a cap added, so it
cannot be cheaper. Each skip leaves out only a side that could not be taken: the plan is
that of solving both. Before 2026-12-07 a sponsor below its bar paid nothing, however
much it gained.

**A sponsor below its bar, lifted.** The leader's payment narrows every gap to it, so it
can lift a sponsor below its bar back over it; the bar row with that payment in it is
linear, so the sponsor's bar side is one more programme (:func:`_liftable`: where the
leader pays and the whole gap closed would lift it). Such a sponsor starts on its gain
side (as before); its other side keeps its bar, its payment uncapped
(:meth:`~scosim.side_payments_programme._Payers.without`). The skips above hold with the
roles swapped: its cap, not its bar, is what the other side drops, so a linear
programme whose optimum leaves its cap slack ends the search too.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from scosim.side_payments_programme import _BN, STRICT_MARGIN_USD, _Payers, _programme

if TYPE_CHECKING:
    from scosim.side_payments_lp import Responding

#: A set replaces the best so far only if cheaper by more than this (US$1,000, above the
#: solver's tolerance), so near ties keep the greedy order; a sponsor's other side too.
SET_TIE_USD = 1e3

def _gain(rs: Responding) -> np.ndarray:
    """What each voter may pay out of its economic gain (US$): ``max(g E, 0)``, 0 if NaN."""
    if rs.econ_usd is None:
        return np.zeros(rs.k.size)
    econ = np.asarray(rs.econ_usd, dtype=float)
    return np.where(np.isfinite(econ), np.maximum(econ, 0.0), 0.0)


def _least(slack: np.ndarray, bought: np.ndarray, payer: _Payers, strict: np.ndarray,
           rs: Responding, *, outside: bool = False,
           alone: float | None = None) -> tuple[float, np.ndarray, _Payers] | None:
    """The least total received (US$ bn) carrying the bought voters; None if none exists.

    With ``outside``: the least outside money instead (always feasible); with ``alone``,
    the relaxation of :func:`_programme`. The first programme of :func:`_solve` alone,
    to rank the candidate sets; returned with its solution and its payers.

    The sponsors' disjunction (module docstring): the sponsors paying and keeping their
    bars first; then, for the sponsors for which the other side could be cheaper
    (:func:`_optional`), each set of them paying out of their gains instead, taken only
    where cheaper by more than :data:`SET_TIE_USD`. Not in the relaxation, which drops
    the payers' bars and caps.

    After the first side, a sponsor whose bar holds paying anything up to that side's
    total ``T`` (or its gain, if less; :func:`_bar_holds`) is left out of the other
    sides: a plan in which it pays at most that is one of the sides keeping its bar, and
    one in which it pays more has receipts of more than ``T`` (they equal the payments,
    none negative), so neither is cheaper than the first side and the choice is that of
    solving every side. Not with ``outside``, whose least is the outside money, not the
    receipts. On the consensus union this leaves one programme a rejected vote, not two.
    """
    maybe = [] if alone is not None else _optional(bought, payer, rs, slack, strict)
    best = None
    held: list[int] = []
    for out in _subsets(maybe, slack.size):
        if out[held].any():
            continue  # it could not be cheaper than the first side (docstring)
        pr = _programme(slack, bought, payer.without(out), strict, rs, outside=outside,
                        alone=alone)
        cols = pr.o_ if outside else pr.r_
        x = pr.solve(cols, [])
        if x is None:
            continue
        total = float(np.sum(x[cols]))
        if best is None or total < best[0] - SET_TIE_USD / _BN:
            best = (total, x, payer.without(out))
        # A sponsor below its bar (lifted) is on its gain side first: its cap is the
        # constraint its other side drops, its bar the one it adds.
        up = payer.lifted
        if not out.any() and not pr.integrality.any() and all(
                (pr.ub[pr.p_[i]] - x[pr.p_[i]] if up[i] else pr.spare(i, x)) > 1e-6
                for i in maybe):
            break  # a linear programme whose sponsors' bars and caps are all slack
        if not out.any() and not outside:
            lead = _leader_receives(bought, payer, rs)
            held = [i for i in maybe if not up[i]
                    and _bar_holds(i, slack, strict, rs, lead, total * _BN)]
    return best


def _leader_receives(bought: np.ndarray, payer: _Payers, rs: Responding) -> bool:
    """Whether the leading economy may receive (bought, or a payer paid to stay)."""
    return rs.lead >= 0 and bool(bought[rs.lead] or (payer.pay & ~payer.sponsor)[rs.lead])


def _optional(bought: np.ndarray, payer: _Payers, rs: Responding, slack: np.ndarray,
              strict: np.ndarray) -> list[int]:
    """The sponsors keeping a bar for which paying out of their gain could be cheaper.

    Those that gain (they may pay up to it past their bars) unless their bar holds paying
    all of it (:func:`_bar_holds`), and those whose bar could fail unpaid (their gap
    responds, the leader may receive). Any other sponsor stays at or above its bar paying
    up to its gain (nothing else lowers its score: its shock term keeps its econ term;
    the leader's payments only narrow its gap), so every plan of the other side is one of
    this side, never cheaper.
    """
    bar = payer.sponsor & ~payer.welfare
    # A gain not known (NaN) has no gain side (:func:`price_vote`); no econ term at all
    # is a gain of 0, as before.
    known = np.ones(bar.size, dtype=bool) if rs.econ_usd is None else np.isfinite(
        rs.econ_usd)
    gains = known & (_gain(rs) > 0)
    lead = _leader_receives(bought, payer, rs)
    # A sponsor below its bar that the leader's payment could lift: its bar side.
    return [int(i) for i in np.flatnonzero((bar & known) | payer.lifted)
            if payer.lifted[i] or (gains[i] and not _bar_holds(i, slack, strict, rs, lead))
            or (lead and rs.k[i] > 0)]


def _liftable(slack: np.ndarray, yes: np.ndarray, sponsor: np.ndarray, pays: np.ndarray,
              strict: np.ndarray, rs: Responding) -> np.ndarray:
    """The sponsors below their bars that the leader's payment could lift back over them.

    Its bar row (:func:`scosim.side_payments_programme._programme`) with nothing received
    reads ``s + k (1 - c)(gap - D) - p + c (|g E - p| - |g E|) >= margin``: its own
    payment lowers it (``c < 1``), and only the leader's payment narrows its gap ``D``
    (to 0 at most), so it can hold only where the leader may pay and ``s + k (1 - c)
    gap >= margin``, the whole gap closed. Its gain must be known, as for the gain side.
    A necessary condition: where it holds the bar side is priced, and may be infeasible.
    """
    n = slack.size
    if rs.econ_usd is None or rs.lead < 0 or not pays[rs.lead]:
        return np.zeros(n, dtype=bool)
    c = np.zeros(n) if rs.shock is None else np.asarray(rs.shock, dtype=float)
    s = np.where(np.isfinite(slack), slack, -np.inf)
    margin = np.where(strict, np.minimum(STRICT_MARGIN_USD, np.abs(s) / 2), 0.0)
    with np.errstate(invalid="ignore"):
        lifts = s + rs.k * (1.0 - c) * rs.gap_usd >= margin
    return (yes & sponsor & (s < 0) & (rs.k > 0) & np.isfinite(rs.econ_usd) & lifts
            & (np.arange(n) != rs.lead))


def _lift_most(i: int, slack: np.ndarray, strict: np.ndarray, rs: Responding,
               paid: float) -> float:
    """The most a lifted sponsor ``i`` can pay on its bar side, the leader paying ``paid``.

    US$; 0 where even paying nothing it stays below its bar. Its bar row of
    :func:`scosim.side_payments_programme._programme`, receiving nothing, with the
    leader's payment ``paid`` in its gap: ``h(p) = s - c (|g E| + k gap) + k gap - p +
    c |g E - p| - k (1 - c) max(0, lead_i - ratio_i paid + p)``, piecewise linear with
    kinks at ``g E`` and ``ratio_i paid - lead_i``, and falling past both (slope ``-(1 -
    c)(1 + k)``, ``c < 1``): the largest ``p >= 0`` with ``h(p) >= margin`` is on the last
    segment that starts at or above it. What ``capacity_usd`` counts for a sponsor
    :func:`_liftable` finds (review, 2026-12-07: its bar side was left out).
    """
    k = float(rs.k[i])
    ge = 0.0 if rs.econ_usd is None else float(rs.econ_usd[i])
    s = float(slack[i])
    c = 0.0 if rs.shock is None else float(rs.shock[i])
    gap, ahead = float(rs.gap_usd[i]), float(rs.lead_usd[i])
    ratio = float(rs.lead_ratio[i])
    margin = min(STRICT_MARGIN_USD, abs(s) / 2) if strict[i] else 0.0

    def h(p: float) -> float:
        return (s - c * (abs(ge) + k * gap) + k * gap - p + c * abs(ge - p)
                - k * (1 - c) * max(0.0, ahead - ratio * paid + p))

    pts = sorted({0.0} | {x for x in (ge, ratio * paid - ahead) if x > 0})
    if h(pts[-1]) >= margin:
        return pts[-1] + (h(pts[-1]) - margin) / ((1 - c) * (1 + k))
    for a, b in zip(pts[-2::-1], pts[:0:-1], strict=True):
        if h(a) >= margin:
            return a + (h(a) - margin) * (b - a) / (h(a) - h(b))
    return 0.0


def _bar_holds(i: int, slack: np.ndarray, strict: np.ndarray, rs: Responding, lead: bool,
               upto: float = math.inf) -> bool:
    """Whether sponsor ``i`` stays at or above its bar paying anything up to its gain.

    Up to ``upto`` (US$) where that is less. Its score at the bar row of
    :func:`scosim.side_payments_programme._programme`, paying ``p`` and receiving nothing
    (a sponsor is never paid), with its gap at the most any plan gives it where the
    leader cannot receive (``max(0, lead_i + p)``; False where it may and the gap
    responds): ``h(p) = s - c (|g E| + k gap) + k gap - p + c |g E - p| - k (1 - c)
    max(0, lead_i + p)``, piecewise linear (``c < 1``), so its least over the payments
    is at an end or a kink.
    """
    k = float(rs.k[i])
    if rs.econ_usd is None or (lead and k > 0):
        return False
    ge, s = float(rs.econ_usd[i]), float(slack[i])
    c = 0.0 if rs.shock is None else float(rs.shock[i])
    gap, ahead = float(rs.gap_usd[i]), float(rs.lead_usd[i])
    margin = min(STRICT_MARGIN_USD, abs(s) / 2) if strict[i] else 0.0
    top = min(max(ge, 0.0), upto)

    def h(p: float) -> float:
        return (s - c * (abs(ge) + k * gap) + k * gap - p + c * abs(ge - p)
                - k * (1 - c) * max(0.0, ahead + p))

    return min(h(p) for p in (0.0, top, ge, -ahead) if 0.0 <= p <= top) >= margin


def _subsets(items: list[int], n: int) -> Any:
    """``(n,)`` masks of every subset of ``items``, the empty one first, smaller first."""
    for size in range(len(items) + 1):
        for combo in itertools.combinations(items, size):
            mask = np.zeros(n, dtype=bool)
            mask[list(combo)] = True
            yield mask
