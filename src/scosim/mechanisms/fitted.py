"""Baseline flows fitted by structural gravity from trade costs (as gegravity builds them).

The solver's check against gegravity starts from these flows (``docs/trade.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.mechanisms.trade import GEConvergenceError, _as_float, _check_square

__all__ = ["FittedBaseline", "fitted_baseline"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class FittedBaseline:
    """Flows implied by structural gravity with given trade costs.

    Attributes:
        flows: ``X[i, j] = c[i, j] * Y_i E_j / Yw * Pi_i^(sigma-1) P_j^(sigma-1)`` (..., N, N).
        outward_mr: ``Pi_i^(1-sigma)`` (..., N), normalised so that ``P^(1-sigma)`` of
            ``reference`` is 1.
        inward_mr: ``P_j^(1-sigma)`` (..., N), same normalisation.
        iterations: scaling iterations used.
    """

    flows: FloatArray
    outward_mr: FloatArray
    inward_mr: FloatArray
    iterations: int


def fitted_baseline(
    costs: ArrayLike,
    output: ArrayLike,
    expenditure: ArrayLike,
    *,
    reference: int = -1,
    tol: float = 1e-14,
    max_iter: int = 100_000,
) -> FittedBaseline:
    """Build baseline flows from structural gravity (as gegravity does).

    Solves the multilateral resistances so that the modelled flows
    ``X[i, j] = c[i, j] (Y_i / Yw) E_j / (Pi_i^(1-sigma) P_j^(1-sigma))`` have row sums
    ``Y_i * (sum E / sum Y)`` and column sums ``E_j``. The system is a matrix-scaling
    problem, solved by alternating proportional fitting (Sinkhorn/RAS). If total output
    and total expenditure differ (as in raw data), output is rescaled proportionally to
    the expenditure total, which is what gegravity's share-based equations imply.

    Args:
        costs: ``c[..., i, j] = t_ij^(1-sigma) = exp(X beta)``, positive (..., N, N).
        output: ``Y`` (..., N), positive.
        expenditure: ``E`` (..., N), positive.
        reference: country whose inward MR is normalised to 1 (gegravity's reference
            importer); does not affect flows.
        tol: tolerance on the max relative margin error.
        max_iter: iteration cap.

    Returns:
        FittedBaseline whose ``flows`` can be passed to :func:`solve_ge`.
    """
    c = _as_float("costs", costs)
    _check_square("costs", c)
    n = c.shape[-1]
    yv = _as_float("output", output)
    ev = _as_float("expenditure", expenditure)
    if np.any(c <= 0):
        raise ValueError("costs must be positive (t^(1-sigma) = exp(X beta))")
    for name, v in (("output", yv), ("expenditure", ev)):
        if v.shape[-1:] != (n,):
            raise ValueError(f"{name} must have shape (..., {n}) to match costs; got {v.shape}")
        if np.any(v <= 0):
            raise ValueError(f"{name} must be positive for every country")
    batch = np.broadcast_shapes(c.shape[:-2], yv.shape[:-1], ev.shape[:-1])
    c = np.broadcast_to(c, batch + (n, n))
    yv = np.broadcast_to(yv, batch + (n,))
    ev = np.broadcast_to(ev, batch + (n,))
    ytot = yv.sum(axis=-1, keepdims=True)
    etot = ev.sum(axis=-1, keepdims=True)
    rows = yv * etot / ytot
    ysh = yv / ytot
    # X = diag(ysh * om) c diag(ev * im): scale om (outward) and im (inward)
    om = np.ones(batch + (n,))
    im = np.ones(batch + (n,))
    it = 0
    err = np.inf
    while err >= tol:
        it += 1
        if it > max_iter:
            raise GEConvergenceError(
                f"fitted_baseline did not converge in {max_iter} iterations "
                f"(margin error {err:.3g}, tol {tol})", np.arange(1), np.array([err]))
        im = 1.0 / np.einsum("...ij,...i->...j", c, ysh * om)
        colsum_rows = np.einsum("...ij,...j->...i", c, ev * im)
        om = etot / colsum_rows
        xr = (ysh * om)[..., :, None] * c * (ev * im)[..., None, :]
        err_r = np.abs(xr.sum(axis=-1) / rows - 1.0).max()
        err_c = np.abs(xr.sum(axis=-2) / ev - 1.0).max()
        err = max(err_r, err_c)
    # om = Pi^(sigma-1), im = P^(sigma-1) up to a common scale; fix it on the reference
    ref = np.take(im, [reference % n], axis=-1)
    im_n = im / ref
    om_n = om * ref
    return FittedBaseline(flows=xr, outward_mr=1.0 / om_n, inward_mr=1.0 / im_n, iterations=it)
