"""Argument checks shared by the customs-union array functions (run-axis broadcasting)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _participants(participants: ArrayLike) -> BoolArray:
    """Return participants as a (R, N) bool array; a (N,) vector is one run."""
    p = np.asarray(participants)
    if p.ndim == 1:
        p = p[np.newaxis, :]
    if p.ndim != 2 or p.shape[1] == 0:
        raise ValueError(
            f"participants must be a (R, N) boolean array (or (N,) for one run); "
            f"got shape {np.shape(participants)}"
        )
    if p.dtype == np.bool_:
        return p
    if np.issubdtype(p.dtype, np.integer) and np.all((p == 0) | (p == 1)):
        return p.astype(bool)
    raise ValueError(
        f"participants must be boolean (True = in the union) or 0/1 integers; got dtype {p.dtype}"
    )


def _runs_vector(x: ArrayLike, name: str, n_runs: int, n: int) -> FloatArray:
    """Broadcast a (N,) or (R, N) country vector to (R, N) floats, checked finite."""
    a = np.asarray(x, dtype=float)
    if a.shape == (n,):
        a = np.broadcast_to(a, (n_runs, n))
    elif a.shape != (n_runs, n):
        raise ValueError(
            f"{name} must have shape ({n},) or ({n_runs}, {n}) to match participants; got {a.shape}"
        )
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite; got NaN or inf")
    return a


def _runs_matrix(x: ArrayLike, name: str, n_runs: int, n: int) -> FloatArray:
    """Broadcast a (N, N) or (R, N, N) matrix to (R, N, N) floats, checked finite."""
    a = np.asarray(x, dtype=float)
    if a.shape not in ((n, n), (n_runs, n, n)):
        raise ValueError(
            f"{name} must have shape ({n}, {n}) or ({n_runs}, {n}, {n}) to match "
            f"participants; got {a.shape}"
        )
    # checked on its own shape: a shared (N, N) matrix once, not once per run
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite; got NaN or inf")
    return np.broadcast_to(a, (n_runs, n, n))


def _runs_scalar(x: ArrayLike, name: str, n_runs: int) -> FloatArray:
    """Broadcast a scalar or (R,) value to (R,) floats, checked finite."""
    a = np.asarray(x, dtype=float)
    if a.ndim == 0:
        a = np.full(n_runs, float(a))
    elif a.shape != (n_runs,):
        raise ValueError(f"{name} must be a scalar or have shape ({n_runs},); got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite; got NaN or inf")
    return a


def _require_nonempty(p: BoolArray) -> None:
    empty = np.flatnonzero(~p.any(axis=1))
    if empty.size:
        raise ValueError(
            f"participant set is empty in run(s) {empty.tolist()}: a customs union needs "
            f"at least one participant (skip those runs; there is no union to preview)"
        )


def _country(k: int, names: Sequence[str] | None) -> str:
    return f"{names[k]} (index {k})" if names is not None else f"index {k}"
