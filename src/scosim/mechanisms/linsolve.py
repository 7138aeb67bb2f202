"""Batched linear solves whose singular members do not change the others' answers.

``np.linalg.solve`` on a stack raises ``LinAlgError`` if any one matrix is singular,
and a fallback applied to the whole stack (least squares, other iterations) would
change the last digits of every other run's answer: a run's numbers would then
depend on the batch it lands in. :func:`solve_each` solves the stack, and only when
that raises, solves matrix by matrix and flags the singular ones, so every regular
member gets exactly the bits it would get alone (numpy calls LAPACK's ``gesv`` on
each matrix of a stack in turn, so a stack and its members give the same bits).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["solve_each"]


def solve_each(
    a: NDArray[np.float64], b: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Solve ``a[k] @ x[k] = b[k]`` for every ``k``; flag singular systems instead of raising.

    Args:
        a: (K, n, n) matrices.
        b: (K, n, m) right-hand sides.

    Returns:
        ``x`` (K, n, m), NaN for the singular members, and the (K,) mask of those.
    """
    singular = np.zeros(a.shape[0], dtype=bool)
    try:
        return np.linalg.solve(a, b), singular
    except np.linalg.LinAlgError:
        pass
    x = np.full(b.shape, np.nan)
    for k in range(a.shape[0]):
        try:
            x[k] = np.linalg.solve(a[k], b[k])
        except np.linalg.LinAlgError:
            singular[k] = True
    return x, singular
