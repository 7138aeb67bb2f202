"""DebtRank (Battiston, Puliga, Kaushik, Tasca & Caldarelli 2012), batched over runs.

Distress ``h[r, i]`` in ``[0, 1]`` is the share of bank ``i``'s capital lost. The impact of
``i`` on ``j`` is ``W[i, j] = min(1, L[i, j] / K[j])``: the share of ``j``'s capital that is
its claim on ``i`` (``L[i, j]``, owed by ``i`` to ``j``, as in :mod:`scosim.finance.clearing`).
Each node is *undistressed*, *distressed* or *inactive*; a distressed node passes its
distress on once, in the round after it became distressed, and is then inactive:

    h_j(t) = min(1, h_j(t-1) + sum_{i distressed at t-1} W[i, j] h_i(t-1)).

DebtRank is ``sum_j h_j(T) v_j - sum_j h_j(1) v_j``, the value-weighted distress caused by
propagation beyond the initial shock. Unlike clearing, DebtRank counts losses in capital
before any default; a bank with ``h = 1`` has lost all its capital.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["DebtRankResult", "debtrank", "impact_matrix"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class DebtRankResult:
    """Outcome of DebtRank, batched over runs.

    Attributes:
        distress: Final distress ``h`` (R, N), in [0, 1].
        debtrank: Value-weighted distress added by propagation (R,).
        rounds: Number of propagation rounds that raised some distress (R,).
        distress_round: Round in which a node first became distressed, 0 if never (R, N);
            nodes distressed by the initial shock have round 1.
        capital_loss: ``h * K`` (R, N).
    """

    distress: FloatArray
    debtrank: FloatArray
    rounds: NDArray[np.int64]
    distress_round: NDArray[np.int64]
    capital_loss: FloatArray


def impact_matrix(L: ArrayLike, capital: ArrayLike) -> FloatArray:
    """``W[r, i, j] = min(1, L[r, i, j] / K[r, j])``; a creditor with no capital gets 1.

    Args:
        L: Interbank liabilities, row owes column (R, N, N).
        capital: Capital ``K`` (R, N), ``>= 0``.

    Returns:
        Impact matrix (R, N, N) with zero diagonal.
    """
    L_a = np.asarray(L, float)
    K = np.asarray(capital, float)
    safe = np.where(K > 0, K, 1.0)
    w = np.where(K[..., None, :] > 0, L_a / safe[..., None, :], np.where(L_a > 0, 1.0, 0.0))
    return np.minimum(1.0, w)


def debtrank(
    initial_distress: ArrayLike,
    L: ArrayLike,
    capital: ArrayLike,
    value: ArrayLike | None = None,
) -> DebtRankResult:
    """Propagate initial distress through the network.

    Args:
        initial_distress: ``h(1)`` (R, N) or (N,), in [0, 1] (e.g. direct loss / capital).
        L: Interbank liabilities, row owes column (R, N, N) or (N, N), non-negative.
        capital: Capital before the shock (R, N) or (N,), non-negative.
        value: Economic value weights ``v`` (R, N); default each bank's share of total
            interbank liabilities (Battiston et al. 2012).

    Returns:
        A :class:`DebtRankResult`; with (N,) input the run axis is dropped.

    Raises:
        ValueError: On shapes that disagree, distress outside [0, 1] or negative exposures.
    """
    h0 = np.asarray(initial_distress, float)
    single = h0.ndim == 1
    h0 = np.atleast_2d(h0)
    R, N = h0.shape
    L_a = np.broadcast_to(np.asarray(L, float), (R, N, N))
    K = np.broadcast_to(np.asarray(capital, float), (R, N))
    if (h0 < 0).any() or (h0 > 1).any() or not np.all(np.isfinite(h0)):
        raise ValueError("initial_distress must lie in [0, 1]")
    if (L_a < 0).any() or (K < 0).any():
        raise ValueError("L and capital must be non-negative")
    if value is None:
        out = L_a.sum(axis=2)
        tot = out.sum(axis=1, keepdims=True)
        v = np.divide(out, tot, out=np.full_like(out, 1.0 / N), where=tot > 0)
    else:
        v = np.broadcast_to(np.asarray(value, float), (R, N))
    W = impact_matrix(L_a, K)
    h = h0.copy()
    distressed = h0 > 0
    ever = distressed.copy()
    dround = np.where(distressed, 1, 0).astype(np.int64)
    rounds = np.zeros(R, dtype=np.int64)
    for t in range(2, N + 2):
        if not distressed.any():
            break
        push = np.einsum("rij,ri->rj", W, np.where(distressed, h, 0.0))
        h_new = np.minimum(1.0, h + push)
        grew = (h_new > h).any(axis=1)
        rounds[grew] = t - 1
        newly = (h_new > 0) & ~ever
        dround[newly] = t
        ever |= newly
        # Distressed nodes become inactive; nodes distressed now propagate next round.
        distressed = newly
        h = h_new
    dr = (h * v).sum(axis=1) - (h0 * v).sum(axis=1)
    res = DebtRankResult(h, dr, rounds, dround, h * K)
    if single:
        return DebtRankResult(*(getattr(res, f)[0] for f in res.__dataclass_fields__))
    return res
