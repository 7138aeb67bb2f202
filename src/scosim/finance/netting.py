"""What national-currency settlement can clear: bilateral and multilateral netting of trade.

Settling a pair's trade in the two national currencies works without a third currency only
as far as the flows offset: India's importers pay Russia's exporters in rupees, and those
rupees are only worth what Russia can buy from India with them. Of a pair's trade
``x_ij + x_ji`` (``x_ij`` what ``i`` exports to ``j``), ``min(x_ij, x_ji)`` each way clears
bilaterally; the rest, ``|x_ij - x_ji|``, piles up as a balance the surplus economy cannot
spend (the rupee balances Russia held in 2023) unless it is settled in a third currency.

A multilateral clearing among the participants (Keynes's clearing union, the European
Payments Union of 1950-58) offsets each member's bilateral surpluses against its deficits
with the others: what is left to settle is each member's net position with the clearing,
``net_i = sum_j x_ij - sum_j x_ji`` over participants ``j``; the net positions sum to zero
and the creditors' side, ``sum_i max(net_i, 0)``, is what must still be paid in a third
currency (or lent, as the EPU's quotas did). By the triangle inequality it never exceeds the
bilateral residual ``sum_{i<j} |x_ij - x_ji|``, so a multilateral clearing nets at least as
much as bilateral settlement.

Ratios are of the participants' mutual trade ``T = sum_{i != j} x_ij``:

* bilateral netting ratio ``= sum_{i<j} 2 min(x_ij, x_ji) / T``;
* multilateral netting ratio ``= 1 - sum_i max(net_i, 0) / T``.

The share of a pair's trade that can be settled in national currencies (:func:`clearable_shares`):
bilaterally ``b_ij = 2 min(x_ij, x_ji) / (x_ij + x_ji)``; with a multilateral clearing the
bilateral residual of every pair is netted in the same proportion ``rho`` (what the clearing
nets beyond the bilateral offsets, over the bilateral residual), ``b_ij + (1 - b_ij) rho``,
so that the pairs' cleared trade adds up to the multilateral netting ratio. Which pair's
residual the clearing nets is not determined by the arithmetic; pro rata is an assumption
(docs/finance.md section 4). Sums are ``math.fsum`` in economy order, so the figures do not
depend on summation order.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CLEARING",
    "bilateral_netting_ratio",
    "clearable_shares",
    "multilateral_netting_ratio",
    "net_positions",
]

FloatArray = NDArray[np.float64]
Clearing = Literal["bilateral", "multilateral", "uncapped"]
#: How a settlement arrangement clears: ``bilateral`` (no clearing institution: each pair
#: settles in its currencies what its mutual trade offsets), ``multilateral`` (the
#: participants run a clearing that nets their positions across all of them, as the EPU
#: did), ``uncapped`` (the floor applies whatever the imbalance: the surpluses are assumed
#: usable, the figures before 2026-12-06).
CLEARING: tuple[str, ...] = ("bilateral", "multilateral", "uncapped")


def _mutual(trade: ArrayLike, members: ArrayLike | None) -> FloatArray:
    """The members' mutual trade ``(N, N)``: zero diagonal, zero outside the members."""
    x = np.array(trade, dtype=float)
    if x.ndim != 2 or x.shape[0] != x.shape[1]:
        raise ValueError(f"trade must be a square (N, N) matrix, got shape {x.shape}")
    if not np.isfinite(x).all() or (x < 0).any():
        raise ValueError("trade flows must be finite and >= 0")
    n = x.shape[0]
    m = np.ones(n, bool) if members is None else np.asarray(members, bool)
    if m.shape != (n,):
        raise ValueError(f"members must be ({n},) booleans, got shape {m.shape}")
    x[~(m[:, None] & m[None, :])] = 0.0
    np.fill_diagonal(x, 0.0)
    return x


def _fsum(a: FloatArray) -> float:
    return math.fsum(a.ravel().tolist())


def net_positions(trade: ArrayLike, members: ArrayLike | None = None) -> FloatArray:
    """Each member's net position in a clearing of the members' mutual trade.

    Args:
        trade: ``x[i, j]`` what ``i`` exports to ``j`` (N, N), >= 0; the diagonal is ignored.
        members: (N,) booleans, the economies in the clearing (all if omitted).

    Returns:
        (N,) exports to members less imports from members (0 outside the members); they
        sum to zero.
    """
    x = _mutual(trade, members)
    return np.array([math.fsum(x[i].tolist()) - math.fsum(x[:, i].tolist())
                     for i in range(x.shape[0])])


def bilateral_netting_ratio(trade: ArrayLike, members: ArrayLike | None = None) -> float:
    """Share of the members' mutual trade that offsets pair by pair.

    Args:
        trade: ``x[i, j]`` what ``i`` exports to ``j`` (N, N), >= 0.
        members: (N,) booleans (all if omitted).

    Returns:
        ``sum_{i<j} 2 min(x_ij, x_ji) / T`` in [0, 1]; 1 when the members do not trade.
    """
    x = _mutual(trade, members)
    total = _fsum(x)
    return 1.0 if total == 0.0 else _fsum(np.minimum(x, x.T)) / total


def multilateral_netting_ratio(trade: ArrayLike, members: ArrayLike | None = None) -> float:
    """Share of the members' mutual trade that a multilateral clearing among them nets.

    Args:
        trade: ``x[i, j]`` what ``i`` exports to ``j`` (N, N), >= 0.
        members: (N,) booleans (all if omitted).

    Returns:
        ``1 - sum_i max(net_i, 0) / T`` in [0, 1], at least the bilateral ratio; 1 when the
        members do not trade.
    """
    x = _mutual(trade, members)
    total = _fsum(x)
    if total == 0.0:
        return 1.0
    net = net_positions(x)
    return 1.0 - math.fsum(np.maximum(net, 0.0).tolist()) / total


def _pair_shares(x: FloatArray, m: NDArray[np.bool_], clearing: str) -> FloatArray:
    """Clearable share of each pair among members ``m`` (1 for other pairs and no trade)."""
    xm = _mutual(x, m)
    pair_trade = xm + xm.T
    both = np.minimum(xm, xm.T)
    out = np.ones_like(xm)
    traded = pair_trade > 0
    out[traded] = 2.0 * both[traded] / pair_trade[traded]
    if clearing == "multilateral":
        total = _fsum(xm)
        residual_bil = total - _fsum(both)
        residual_mult = math.fsum(np.maximum(net_positions(xm), 0.0).tolist())
        rho = 0.0 if residual_bil <= 0.0 else min(1.0, 1.0 - residual_mult / residual_bil)
        out = out + (1.0 - out) * max(rho, 0.0)
    return out


def clearable_shares(trade: ArrayLike, participants: ArrayLike,
                     clearing: str = "bilateral") -> FloatArray:
    """Share of each participant pair's trade that national-currency settlement can cover.

    Args:
        trade: ``x[i, j]`` what ``i`` exports to ``j`` (N, N), >= 0.
        participants: (R, N) booleans, the arrangement's participants in each run.
        clearing: One of :data:`CLEARING`.

    Returns:
        (R, N, N) symmetric shares in [0, 1]: the bilaterally balanced share of the pair's
        trade, raised pro rata by what a multilateral clearing among the run's participants
        nets (``multilateral``), or 1 (``uncapped``). 1 for pairs that are not both
        participants, for pairs that do not trade and on the diagonal (nothing to clear).
    """
    if clearing not in CLEARING:
        raise ValueError(f"clearing {clearing!r} is not one of {', '.join(CLEARING)}")
    p = np.asarray(participants, bool)
    if p.ndim != 2:
        raise ValueError(f"participants must be (R, N), got shape {p.shape}")
    R, N = p.shape
    x = np.asarray(trade, dtype=float)
    if x.shape != (N, N):
        raise ValueError(f"trade must be ({N}, {N}) for {N} economies, got shape {x.shape}")
    out = np.ones((R, N, N))
    if clearing == "uncapped":
        return out
    cache: dict[bytes, FloatArray] = {}  # runs usually share their participants
    for r in range(R):
        key = p[r].tobytes()
        if key not in cache:
            cache[key] = _pair_shares(x, p[r], clearing)
        out[r] = cache[key]
    return out
