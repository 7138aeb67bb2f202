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
    a = np.array(a, dtype=float)
    x = np.array(b, dtype=float)
    if a.ndim != 3 or a.shape[1] != a.shape[2] or x.shape != a.shape[:2]:
        raise ValueError(f"solve_fixed needs a (K, n, n) and b (K, n); got {a.shape} and "
                         f"{x.shape}")
    K, n, _ = a.shape
    run = np.arange(K)
    singular = np.zeros(K, dtype=bool)
    for k in range(n):
        p = k + np.argmax(np.abs(a[:, k:, k]), axis=1)
        # Swap rows k and p (a no-op where p == k).
        row_p, row_k = a[run, p].copy(), a[:, k].copy()
        a[:, k], a[run, p] = row_p, row_k
        x_p, x_k = x[run, p].copy(), x[:, k].copy()
        x[:, k], x[run, p] = x_p, x_k
        piv = a[:, k, k]
        singular |= piv == 0.0
        f = a[:, k + 1:, k] / np.where(piv == 0.0, 1.0, piv)[:, None]
        # One product and one difference per element: no fused multiply-add, no sum.
        a[:, k + 1:, k + 1:] -= f[:, :, None] * a[:, None, k, k + 1:]
        x[:, k + 1:] -= f * x[:, k, None]
    for k in range(n - 1, -1, -1):
        piv = a[:, k, k]
        x[:, k] = x[:, k] / np.where(piv == 0.0, 1.0, piv)
        # Column by column from the last: each x[:, i] takes its terms in the order j = n-1..i+1.
        x[:, :k] -= a[:, :k, k] * x[:, k, None]
    x[singular] = np.nan
    return x, singular
