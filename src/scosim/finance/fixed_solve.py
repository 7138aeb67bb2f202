"""Small batched linear solves with the same bits on every machine.

The clearing's defaulting subsystems (:mod:`scosim.finance.clearing`) are at most ``N`` by
``N`` (``N`` the banking systems, 11), solved for every draw of the vote's ensemble. LAPACK
(``np.linalg.solve``) gives their solutions to within a few units in the last place, but
which bits depends on the BLAS kernel the library picks for the CPU (OpenBLAS's Haswell and
SkylakeX kernels give different last digits on the same machine), and those last digits
reach the Council vote's economic term of a banking union. :func:`solve_fixed` is Gaussian
elimination with partial pivoting written with numpy's elementwise operations in a fixed
order: each is one correctly rounded IEEE 754 operation (no BLAS, no fused multiply-add, no
reduction whose order depends on the CPU), so the same inputs give the same bits on any
machine with the same numpy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["solve_fixed"]


def solve_fixed(
    a: NDArray[np.float64], b: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Solve ``a[k] @ x[k] = b[k]`` for every ``k`` in a fixed order of operations.

    Gaussian elimination with partial pivoting (the first largest pivot in a column, as
    LAPACK's ``getrf`` takes it), then back substitution, each step one elementwise numpy
    operation across the batch. A matrix whose pivot is exactly 0 is flagged singular, as
    ``getrf`` flags it, and its solution is NaN; the others are not affected (every member
    of the batch is worked on its own, so a member gets the same bits in any batch).

    Args:
        a: (K, n, n) matrices.
        b: (K, n) right-hand sides.

    Returns:
        ``x`` (K, n), NaN for the singular members, and the (K,) mask of those.

    Raises:
        ValueError: If the shapes do not match.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 3 or a.shape[1] != a.shape[2] or b.shape != a.shape[:2]:
        raise ValueError(f"solve_fixed needs a (K, n, n) and b (K, n); got {a.shape} and "
                         f"{b.shape}")
    K, n, _ = a.shape
    # The batch on the last axis: every operation below runs over contiguous memory.
    # (Each element's arithmetic is the same in either layout.)
    m = np.ascontiguousarray(np.moveaxis(a, 0, -1))  # (n, n, K)
    x = np.ascontiguousarray(b.T)  # (n, K)
    singular = np.zeros(K, dtype=bool)
    piv = np.empty((n, K))
    for k in range(n):
        p = np.abs(m[k:, k]).argmax(axis=0)
        if p.any():
            # Swap rows k and k + p where p > 0. The clearing's matrices are column
            # diagonally dominant, so partial pivoting exchanges no row there and this is
            # skipped.
            run = np.flatnonzero(p)
            q = k + p[run]
            m[k, :, run], m[q, :, run] = m[q, :, run], m[k, :, run].copy()
            x[k, run], x[q, run] = x[q, run], x[k, run].copy()
        d = m[k, k]
        zero = d == 0.0
        if zero.any():
            singular |= zero
            d = np.where(zero, 1.0, d)
        piv[k] = d
        if k + 1 < n:
            f = m[k + 1:, k] / d
            # One product and one difference per element: no fused multiply-add, no sum.
            m[k + 1:, k + 1:] -= f[:, None] * m[k, k + 1:][None]
            x[k + 1:] -= f * x[k]
    for k in range(n - 1, -1, -1):
        x[k] /= piv[k]
        if k:
            # Column by column from the last: x[i] takes its terms in the order
            # j = n-1, ..., i+1.
            x[:k] -= m[:k, k] * x[k]
    x = np.ascontiguousarray(x.T)
    x[singular] = np.nan
    return x, singular
