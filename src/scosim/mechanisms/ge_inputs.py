"""Checks of :func:`scosim.mechanisms.trade.solve_ge`'s arguments.

Split from :mod:`scosim.mechanisms.trade` (size; it imports them, and
:mod:`scosim.mechanisms.fitted` imports ``_as_float`` and ``_check_square`` from
there). Each raises ``ValueError`` naming the argument and what is allowed, before
anything is solved: finite floats, square ``(..., N, N)`` matrices, a neutral cost
change or revenue sharing recognised (and skipped), and counterfactual deficits that
sum to zero over economies.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def _as_float(name: str, value: ArrayLike) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf); got non-finite entries")
    return arr


def _check_square(name: str, arr: FloatArray, n: int | None = None) -> None:
    if arr.ndim < 2 or arr.shape[-1] != arr.shape[-2]:
        raise ValueError(f"{name} must have shape (..., N, N) with square trailing axes; "
                         f"got shape {arr.shape}")
    if n is not None and arr.shape[-1] != n:
        raise ValueError(f"{name} must be (..., {n}, {n}) to match flows; got shape {arr.shape}")


def _unit_or_none(value: ArrayLike | None, n: int, is_unit: Any) -> ArrayLike | None:
    """``None`` when ``value`` is the neutral element everywhere (``is_unit`` of it), else it.

    Only a float array of shape ``(..., n, n)`` is tested; anything else goes on to the
    full checks as it is.
    """
    if value is None:
        return None
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return value
    if arr.ndim < 2 or arr.shape[-2:] != (n, n):
        return value
    return None if bool(is_unit(arr).all()) else value


def _new_deficits(
    value: ArrayLike | None, closure: str, d0: FloatArray, e: FloatArray, n: int
) -> tuple[FloatArray | None, NDArray[np.bool_] | bool]:
    """Validated counterfactual deficits and where they differ from the baseline's.

    Returns:
        ``(d_new, moved)``: ``d_new`` (..., N), or None when not given; ``moved``, a bool
        of the broadcast leading axes (or a plain bool) saying where some ``D'`` differs
        from ``D`` (those elements must be solved, not taken as the identity).
    """
    if value is None:
        return None, False
    if closure != "level":
        raise ValueError("new_deficits needs deficits='level' (D' is a level in units of the "
                         f"numeraire); got deficits={closure!r}")
    arr = _as_float("new_deficits", value)
    if arr.ndim < 1 or arr.shape[-1] != n:
        raise ValueError(f"new_deficits must have shape (..., {n}), one per economy; "
                         f"got shape {arr.shape}")
    try:
        lead = np.broadcast_shapes(e.shape[:-1], arr.shape[:-1])
    except ValueError:
        raise ValueError(f"new_deficits' leading axes {arr.shape[:-1]} do not broadcast with "
                         f"the flows' {e.shape[:-1]}") from None
    # world deficits are zero in any baseline (sum E = sum Y + sum R); D' must keep that
    scale = np.broadcast_to(e.sum(axis=-1), lead)
    gap = np.abs(np.broadcast_to(arr.sum(axis=-1), scale.shape)) / scale
    if np.any(gap > 1e-9):
        raise ValueError("new_deficits must sum to zero over economies (one's deficit is "
                         f"another's surplus); the sum is up to {gap.max():.3g} of world "
                         "expenditure")
    moved = (arr != d0).any(axis=-1)
    return arr, moved
