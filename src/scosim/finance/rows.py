"""Rows of a batch that are all the same: work them out once (bit for bit the same numbers).

A vote's preview (:mod:`scosim.finance.union_value`) steps an ensemble whose draws all
face the same sanctions and settlement shares, and often the same frozen claims. The
functions of the step that depend on those alone work row by row with no sum across
rows, so computing one row and repeating it gives every row the bits it would get on
its own (tests/test_finance_rows.py checks each against the full computation).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["repeat_row", "same_rows"]


def same_rows(*arrays: NDArray[np.float64]) -> bool:
    """Whether every array has at least two rows and all its rows equal its first.

    Args:
        *arrays: Arrays with a leading row axis (a broadcast one counts as uniform).

    Returns:
        True if each array's rows are all equal (NaN never equals, so never uniform).
    """
    for a in arrays:
        if a.shape[0] < 2:
            return False
        if a.strides[0] != 0 and not bool((a == a[:1]).all()):
            return False
    return True


def repeat_row(x: NDArray[np.float64], n: int) -> NDArray[np.float64]:
    """A writable array of ``n`` copies of the one-row array ``x`` (first axis of length 1)."""
    return np.repeat(x, n, axis=0)
