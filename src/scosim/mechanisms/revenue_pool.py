"""Revenue sharing with one pool: the GE solver's linear algebra in closed form.

A customs union that pools its tariff revenue (``sharing_matrix``) shares it with a
matrix ``S`` whose column ``k`` is ``e_k`` for an economy outside the pool (it keeps
what it collects) and the same vector ``s`` for every economy in it (what any member
collects is split by the shares ``s``): ``S = diag(1 - P) + s P'`` with ``P`` the
pool's indicator. The GE solver needs ``(I - S diag(a))^-1 X`` at every evaluation;
for a dense ``S`` that is an LU factorisation, for a pool it is a diagonal plus one
rank-one term:

``(I - S diag(a)) Z = X`` row by row is ``d_j Z_j - s_j T = X_j`` with
``d_j = 1 - (1 - P_j) a_j`` and ``T = sum_k P_k a_k Z_k`` (the pooled revenue);
``d_k = 1`` in the pool, so ``T = sum_k P_k a_k X_k / (1 - sum_k P_k a_k s_k)`` and
``Z_j = (X_j + s_j T) / d_j``. The denominator is positive: ``a_k < 1`` (revenue is
a share of expenditure) and the shares sum to at most 1. The Newton Jacobian uses
the same algebra in closed form (``ge_newton._pool_term``: the own-revenue Jacobian
with ``d_j`` for ``1 - a_j`` plus one rank-one term).

Nothing here rounds like LAPACK: results agree with the dense solve to about 1e-15,
not bit for bit (``tests/test_revenue_pool.py``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

__all__ = ["find_pool", "pool_solve"]


def find_pool(share: FloatArray) -> tuple[FloatArray, FloatArray] | None:
    """``(P, s)`` when every element's sharing matrix is one pool, else None.

    Args:
        share: ``(B, N, N)`` column-stochastic sharing matrices ``S[b, j, k]``.

    Returns:
        ``P`` (B, N), 1.0 for the economies whose column is not their own unit vector,
        and ``s`` (B, N), the column they share; None when some element's pooled
        columns differ (two pools, or shares that depend on the collector).
    """
    b, n, _ = share.shape
    own = np.all(share == np.eye(n, dtype=bool)[None], axis=1)  # (B, N): column k is e_k
    first = np.argmax(~own, axis=1)  # a pooled column (0 when none: then unused)
    s = share[np.arange(b), :, first]
    same = np.all((share == s[:, :, None]) | own[:, None, :], axis=(1, 2))
    if not same.all():
        return None
    return (~own).astype(np.float64), np.ascontiguousarray(s)


def pool_solve(pool: tuple[FloatArray, FloatArray], a: FloatArray, x: FloatArray
               ) -> FloatArray:
    """``(I - S diag(a))^-1 X`` for ``S = diag(1 - P) + s P'``, ``a`` (B, N), ``X`` (B, N, M)."""
    p, s = pool
    pa = p * a
    total = np.einsum("bk,bkm->bm", pa, x) / (1.0 - np.einsum("bk,bk->b", pa, s))[:, None]
    d = 1.0 - (1.0 - p) * a
    return (x + s[:, :, None] * total[:, None, :]) / d[:, :, None]
