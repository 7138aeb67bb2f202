"""One vote's side-payment programme: its unknowns, bars and budget (scosim transfers).

The constraints of :mod:`scosim.side_payments_lp` (which prices the vote: the least total,
the sets to buy, the sponsors' disjunction), put apart to keep each module short: the
payers (:class:`_Payers`), the programme (:func:`_programme`) and HiGHS (:func:`_milp`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scosim.side_payments_lp import Responding

_BN = 1e9  # the programmes work in US$ bn: their tolerances are absolute
#: A rule with a strict bar (``gains_only``: yes iff the gain is above 0) is not carried by
#: a voter brought exactly to its bar: each one bought gets this much more (US$1 million,
#: an assumption; it adds at most US$0.01 bn to a vote of ten voters). A weak bar
#: (``score >= 0``) is carried at the bar itself.
STRICT_MARGIN_USD = 1e6


@dataclass(frozen=True)
class _Payers:
    """The voters in favour that may pay (``pay``) and the sponsors among them.

    ``free``: the sponsors paying out of their economic gain instead of keeping their
    bars (each pays at most ``max(g_i E_i, 0)``: one that loses pays nothing); None: none.
    ``lift``: sponsors below their bars, paying out of their gain (in ``free``), that the
    leader's payment could lift back over them: their other side keeps the bar
    (:func:`scosim.side_payments_sides._liftable`); None: none.
    """

    pay: np.ndarray
    sponsor: np.ndarray
    free: np.ndarray | None = None
    lift: np.ndarray | None = None

    @property
    def welfare(self) -> np.ndarray:
        """The sponsors paying out of their economic gain, bars dropped (bool mask)."""
        return np.zeros_like(self.pay) if self.free is None else self.free

    @property
    def lifted(self) -> np.ndarray:
        """The sponsors below their bars whose other side is the bar (bool mask)."""
        return np.zeros_like(self.pay) if self.lift is None else self.lift

    def without(self, out: np.ndarray) -> _Payers:
        """The sponsors ``out`` on their other side.

        Those keeping their bars drop them, paying at most their economic gain; those
        below their bars (``lift``) keep them instead, their payment uncapped.
        """
        up = out & self.lifted
        return _Payers(self.pay, self.sponsor, (self.welfare | out) & ~up, self.lift)


@dataclass
class _Programme:
    """One vote's programme (see :func:`_programme`); ``solve`` minimises a column sum."""

    nv: int
    r_: np.ndarray
    p_: np.ndarray
    o_: int
    lam: int
    s: np.ndarray
    rows: list[tuple[np.ndarray, float, float]]
    lb: np.ndarray
    ub: np.ndarray
    integrality: np.ndarray
    bars: dict[int, int]
    #: What each payer's share is measured against (US$ bn; the sharing convention of
    #: :func:`scosim.side_payments_lp._solve`): its surplus, or a free sponsor's gain.
    base: np.ndarray

    def solve(self, cost_cols: Any, extra: list[tuple[np.ndarray, float, float]]) -> Any:
        cost = np.zeros(self.nv)
        cost[cost_cols] = 1.0
        return _milp(cost, self.rows + extra, self.lb, self.ub, self.integrality)

    def spare(self, i: int, x: np.ndarray) -> float:
        """How far voter ``i``'s bar row clears at ``x`` (US$ bn; exact sum, no BLAS)."""
        a, lo, _ = self.rows[self.bars[i]]
        return math.fsum(a * x) - lo


def _programme(slack: np.ndarray, bought: np.ndarray, payer: _Payers, strict: np.ndarray,
               rs: Responding, *, outside: bool = False, alone: float | None = None,
               stay: bool = True) -> _Programme:
    """The constraints carrying the bought voters, with the payers keeping their vote.

    Unknowns, US$ bn: receipts ``r`` (bought voters, and payers but sponsors paid to stay
    at their bars unless ``stay`` is False), payments ``p`` (payers), gaps ``D``
    (voters whose relative-gains term responds), outside money ``o``, and the econ term
    after the transfers split by sign, ``y+ - y- = g_i E_i + r_i - p_i``, for voters whose
    shock is rescaled. Each voter that must vote yes afterwards (bought or paying), with
    ``c`` its shock per unit of size (the Council's noise, voting.noise_scale):
    ``slack_i - c (|g_i E_i| + k_i gap_i) + x_i + c (y+ + y-) - k_i (1 - c) D_i + k_i gap_i
    >= margin_i``. Each gap ``D_i >= lead_i + ratio_i x_L - x_i``, ``D_i >= 0``: exact
    as the score falls with ``D`` (``c < 1``). With ``c <= 0`` the score falls with
    ``y+ + y-``, which is then ``|y|`` at the bar; with ``c > 0`` a binary keeps one of
    them 0 (a mixed-integer programme, HiGHS, deterministic). Budget: ``sum r = sum p + o``
    (``o = 0`` without ``outside``). A sponsor paying out of its gain (``payer.free``)
    has no bar row but ``p_i <= max(g_i E_i, 0)``.

    With ``alone`` (US$ bn), a relaxation bounding each bought voter's receipt from below:
    only the bought voters' rows, instead of the budget the payers pay at most ``alone``
    in all (the payers' bars dropped), and for ``c > 0`` no binary but
    ``y+ + y- <= |g_i E_i| + r_i + p_i`` (true of ``|y|``): a linear programme. The payers
    are not paid there: a receipt of theirs helps no bought voter.
    """
    n = slack.size
    s = np.where(np.isfinite(slack), slack, 0.0) / _BN
    pay = payer.pay
    free = payer.welfare
    keep = bought | (pay & ~free) if alone is None else bought
    k = np.where(keep, rs.k, 0.0)
    c = np.zeros(n) if rs.shock is None else np.where(keep, rs.shock, 0.0)
    ge = np.zeros(n) if rs.econ_usd is None else rs.econ_usd / _BN
    noisy = c != 0
    # A gain not known (NaN) enters only a rescaled shock's rows: 0 elsewhere, where it
    # is multiplied by 0 (a NaN bound would make every programme infeasible).
    ge = np.where(np.isfinite(ge) | noisy, ge, 0.0)
    # The relaxation bounds |y| by |g_i E_i| + r_i + p_i (the triangle inequality): an LP.
    binary = (c > 0) & (alone is None)
    gap = rs.gap_usd / _BN
    margin = np.where(strict, np.where(bought, STRICT_MARGIN_USD,
                                       np.minimum(STRICT_MARGIN_USD, np.abs(s) * _BN / 2)),
                      0.0) / _BN
    # Columns: r, p, D, y+, y-, b (n each), o, lam.
    nv = 6 * n + 2
    r_, p_, d_, yp, ym, b_ = (np.arange(n) + j * n for j in range(6))
    o_, lam = 6 * n, 6 * n + 1
    big = 10.0 * (np.abs(s).sum() + np.abs(ge).sum() + np.abs(rs.lead_usd).sum() / _BN + 1.0)
    lb, ub = np.zeros(nv), np.zeros(nv)
    # A payer may receive too (paid to stay at its bar); the least total keeps one of its
    # r and p at 0, as both at once only add to the total.
    ub[r_] = np.where(bought | (pay & ~payer.sponsor & stay & (alone is None)), np.inf, 0.0)
    # A sponsor paying out of its economic gain keeps it at or above zero: ``p_i <= g_i E_i``
    # (its econ term alone moves with its payment). Not in the relaxation, which must
    # bound every plan, the sponsors keeping their bars too.
    gain = np.maximum(ge, 0.0)
    ub[p_] = np.where(pay, np.where(free & (alone is None), gain, np.inf), 0.0)
    ub[d_] = np.where(k > 0, np.inf, 0.0)
    ub[yp] = ub[ym] = np.where(noisy, np.inf, 0.0)
    ub[b_] = np.where(binary, 1.0, 0.0)
    ub[o_] = np.inf if outside else 0.0
    ub[lam] = np.inf
    rows: list[tuple[np.ndarray, float, float]] = []
    bars: dict[int, int] = {}

    def row(coef: dict[Any, Any], lo: float, hi: float) -> None:
        a = np.zeros(nv)
        for col, v in coef.items():
            a[col] += v
        rows.append((a, lo, hi))

    for i in np.flatnonzero(keep):
        # The voter's bar after the transfers.
        bars[int(i)] = len(rows)
        row({r_[i]: 1.0, p_[i]: -1.0, yp[i]: c[i], ym[i]: c[i], d_[i]: -k[i] * (1 - c[i])},
            margin[i] - s[i] + c[i] * (abs(ge[i]) + k[i] * gap[i]) - k[i] * gap[i], np.inf)
        if noisy[i]:
            row({yp[i]: 1.0, ym[i]: -1.0, r_[i]: -1.0, p_[i]: 1.0}, ge[i], ge[i])
        if binary[i]:
            row({yp[i]: 1.0, b_[i]: -big}, -np.inf, 0.0)
            row({ym[i]: 1.0, b_[i]: big}, -np.inf, big)
        elif alone is not None and c[i] > 0:
            row({yp[i]: 1.0, ym[i]: 1.0, r_[i]: -1.0, p_[i]: -1.0}, -np.inf, abs(ge[i]))
    for i in np.flatnonzero(k > 0):
        # The gap after the transfers: D_i + x_i - ratio_i x_L >= lead_i.
        coef = {d_[i]: 1.0, r_[i]: 1.0, p_[i]: -1.0}
        if rs.lead >= 0:
            coef[r_[rs.lead]] = coef.get(r_[rs.lead], 0.0) - rs.lead_ratio[i]
            coef[p_[rs.lead]] = coef.get(p_[rs.lead], 0.0) + rs.lead_ratio[i]
        row(coef, rs.lead_usd[i] / _BN, np.inf)
    budget = np.zeros(nv)
    if alone is None:
        budget[r_], budget[p_], budget[o_] = 1.0, -1.0, -1.0
        rows.append((budget, 0.0, 0.0))
    else:
        budget[p_] = 1.0
        rows.append((budget, -np.inf, alone))
    integrality = np.zeros(nv)
    integrality[b_] = binary
    return _Programme(nv, r_, p_, o_, lam, s, rows, lb, ub, integrality, bars,
                      np.where(free, gain, s))


def _milp(cost: np.ndarray, rows: list[tuple[np.ndarray, float, float]], lb: np.ndarray,
          ub: np.ndarray, integrality: np.ndarray) -> np.ndarray | None:
    """Solve with HiGHS (:func:`scipy.optimize.milp`); None if infeasible."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    a = np.vstack([r[0] for r in rows])
    res = milp(cost, integrality=integrality, bounds=Bounds(lb, ub),
               constraints=LinearConstraint(a, [r[1] for r in rows], [r[2] for r in rows]),
               options={"presolve": True})
    if res.status == 2:
        return None
    if res.status != 0 or res.x is None:  # pragma: no cover - HiGHS failing
        raise RuntimeError(f"side payments: HiGHS: {res.message}")
    return res.x
