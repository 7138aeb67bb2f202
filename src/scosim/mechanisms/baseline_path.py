"""A baseline that moves: the trade pattern re-based along the GDP path, gradual adjustment.

Pure array functions batched over a leading run axis ``R`` (docs/customs_union.md,
"A baseline that moves").

* :func:`rebase_flows`: the year's baseline trade matrix. Every economy's sales
  (row sums) and expenditure (column sums) grow with its GDP (the model's path
  in current US$, docs/model.md); the matrix is
  found by RAS (biproportional scaling, Stone 1961) from the base-year flows.
  RAS multiplies row ``i`` by ``a_i`` and column ``j`` by ``b_j``, so it keeps
  every ratio ``X_ij X_kl / (X_il X_kj)``: in structural gravity those ratios
  depend on bilateral trade costs only, so the re-based matrix is the gravity
  equilibrium with the base year's trade costs and the new outputs and
  expenditures (the multilateral resistances are re-solved implicitly).
* :func:`adjustment_share` and :func:`short_run_inputs`: trade responds to a tariff
  change gradually. In the year a change enters into force trade responds with
  ``short_run_share`` of the long-run elasticity (Boehm, Levchenko and
  Pandalai-Nayar 2023 estimate a short-run trade elasticity well below the
  long-run one); the share rises linearly to 1 after ``adjustment_years`` (Baier
  and Bergstrand 2007: the effect of an agreement builds up over about a
  decade). The year is solved at the legal tariffs with the elasticity
  ``sigma_a = 1 + a (sigma - 1)``: the trade elasticity is the share ``a`` of the
  long-run one, and duties are collected at the legal rates.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.mechanisms.axis_sums import col_sums, row_sums
from scosim.mechanisms.linsolve import solve_each

__all__ = ["RASConvergenceError", "adjustment_share", "short_run_inputs", "rebase_flows"]

FloatArray = NDArray[np.float64]


#: Largest change of a log scale factor in one Newton step (a factor of e), a safeguard.
_MAX_LOG_STEP = 2.0
#: Newton steps before the runs still apart fall back to plain RAS sweeps.
_MAX_NEWTON = 30


class RASConvergenceError(ValueError):
    """The re-basing did not reach its tolerance for some runs.

    Attributes:
        runs: Positions (in the ``growth`` rows) of the runs that did not converge.
        gap: The largest relative gap of a row or column sum to its target left.
    """

    def __init__(self, message: str, runs: NDArray[np.intp], gap: float) -> None:
        super().__init__(message)
        self.runs = runs
        self.gap = gap

    def __reduce__(self) -> tuple[type, tuple[str, NDArray[np.intp], float]]:
        # Raised in a worker process, it is pickled back with all three arguments.
        return type(self), (str(self), self.runs, self.gap)


def rebase_flows(
    flows: ArrayLike,
    growth: ArrayLike,
    *,
    start: ArrayLike | None = None,
    tol: float = 1e-13,
    max_iter: int = 1000,
) -> FloatArray:
    """Base-year flows re-based to new outputs and expenditures by RAS.

    Row targets are ``rowsum_i * g_i`` (sales grow with the exporter's
    GDP); column targets ``colsum_j * g_j``, rescaled so both sum to the same
    world total (trade balances scale with the world, not one side). With equal
    growth everywhere the result is ``g * flows``.

    The RAS matrix ``x_ij = a_i b_j x0_ij`` is found by Newton's method on the
    log scale factors (the row and column sum conditions are linear in
    ``x`` and the step is solved through the ``N x N`` Schur complement on the
    column factors, the last one pinned: ``a t, b / t`` is the same matrix). It
    converges quadratically, in three to five steps where alternating RAS sweeps
    (Stone 1961) take 100-150 to reach ``tol``; runs that Newton does not bring
    within ``tol`` in ``_MAX_NEWTON`` steps finish with RAS sweeps. Both
    approach the same unique matrix. The linear solves use LAPACK, so results
    agree across machines to about 1e-15, not bit for bit (as the GE solve).

    ``start`` (a matrix of the same RAS family, e.g. the previous year's re-based
    flows of the same runs) only changes where the iteration begins. It saves less
    than one might expect: the yearly draws of nominal US$ growth move a run's largest
    margin by about a third (median over runs, ``customs_union.yaml``), and Newton
    takes 3.2 steps a year from the previous year's flows against 3.9 from the
    base year's (250 runs, eleven years). The answer is the same unique matrix within
    ``tol``; a run's result depends on its own start only, never on the batch.

    Args:
        flows: (N, N) or (R, N, N) base-year flows, all entries >= 0, positive
            row and column sums.
        growth: (N,) or (R, N) GDP relative to the base year, > 0.
        start: (R, N, N) flows to start from, ``diag(a) flows diag(b)`` for some
            positive ``a``, ``b`` (zero exactly where ``flows`` is zero); default
            ``flows``.
        tol: Largest relative gap of a row or column sum to its target.
        max_iter: Iteration limit of the RAS sweeps.

    Returns:
        (R, N, N) re-based flows.

    Raises:
        ValueError: Bad shapes, negative flows or non-positive growth.
        RASConvergenceError: No convergence (a ``ValueError``): growth paths so far apart
            that the zero pattern of ``flows`` can hardly meet the targets.
    """
    g = np.asarray(growth, dtype=float)
    if g.ndim == 1:
        g = g[None, :]
    x0 = np.asarray(flows, dtype=float)
    n_runs, n = g.shape
    if x0.shape not in ((n, n), (n_runs, n, n)):
        raise ValueError(f"flows must be ({n}, {n}) or ({n_runs}, {n}, {n}); got {x0.shape}")
    if np.any(x0 < 0) or not np.all(np.isfinite(x0)):
        raise ValueError("flows must be finite and >= 0")
    if np.any(g <= 0) or not np.all(np.isfinite(g)):
        raise ValueError("growth factors must be finite and > 0")
    base = np.broadcast_to(x0, (n_runs, n, n))
    # margins on the flows' own shape: a shared (N, N) matrix is summed once, not per run
    rows = x0.sum(axis=-1) * g
    cols = x0.sum(axis=-2) * g
    if start is None:
        x = base.copy()
    else:
        x = np.array(start, dtype=float)
        if x.shape != (n_runs, n, n):
            raise ValueError(f"start must be ({n_runs}, {n}, {n}); got {x.shape}")
        if not np.array_equal(x > 0, base > 0) or not np.all(np.isfinite(x)):
            raise ValueError("start must be finite and positive exactly where flows are")
    cols *= (rows.sum(axis=1) / cols.sum(axis=1))[:, None]
    # Geometric-mean pre-scaling: halfway between a row and a column RAS sweep, it
    # takes most of the gap out for the cost of one pass (Newton then needs fewer steps).
    x *= np.sqrt(rows / row_sums(x))[:, :, None]
    x *= np.sqrt(cols / col_sums(x))[:, None, :]
    left = _newton(x, rows, cols, tol)
    if left.size:
        _ras(x, rows, cols, left, tol, max_iter)
    return x


def _gaps(rs: FloatArray, cs: FloatArray, rows: FloatArray, cols: FloatArray) -> FloatArray:
    return np.maximum(np.max(np.abs(rs / rows - 1.0), axis=1),
                      np.max(np.abs(cs / cols - 1.0), axis=1))


def _newton(x: FloatArray, rows: FloatArray, cols: FloatArray, tol: float) -> NDArray[np.intp]:
    """Newton steps on the log scale factors, in place; the runs not converged.

    Each run stops at its own convergence, so a run's result does not depend on
    the other runs in the batch.
    """
    n_runs, n = rows.shape
    active = np.arange(n_runs)
    xa = x
    diag = np.arange(n)
    swept: list[NDArray[np.intp]] = []  # runs whose Newton system was singular
    for _ in range(_MAX_NEWTON):
        # einsum's sums: a third of np.sum's cost on these stacks (axis_sums)
        rs, cs = row_sums(xa), col_sums(xa)
        ra, ca = rows[active], cols[active]
        done = _gaps(rs, cs, ra, ca) < tol
        if done.any():
            if xa is not x:
                x[active[done]] = xa[done]
            keep = ~done
            active, xa, rs, cs, ra, ca = (
                active[keep], xa[keep], rs[keep], cs[keep], ra[keep], ca[keep])
            if active.size == 0:
                break
        # log(rs) + du + (x/rs) dv = log(ra) and log(cs) + (x'/cs) du + dv = log(ca),
        # linearised; eliminating du leaves the symmetric system
        # (X' R^-1 X - C) dv = X' lr - C lc (R, C the diagonals of rs, cs), singular
        # along dv = 1 (X 1 = rs, X' 1 = cs), so the last dv is pinned.
        lr, lc = np.log(ra / rs), np.log(ca / cs)
        xt = np.swapaxes(xa, 1, 2)  # a transposed view BLAS reads directly
        q = xa / np.sqrt(rs)[:, :, None]
        s = np.matmul(np.swapaxes(q, 1, 2), q)
        s[:, diag, diag] -= cs
        rhs = np.matmul(xt, lr[:, :, None])[:, :, 0] - cs * lc
        dv = np.zeros_like(lr)
        part, singular = solve_each(s[:, :-1, :-1], rhs[:, :-1, None])
        dv[:, :-1] = part[:, :, 0]
        if singular.any():
            # A degenerate pattern (disconnected blocks): RAS sweeps finish those runs
            # alone; the others go on with Newton, as they would in any other batch.
            x[active[singular]] = xa[singular]
            swept.append(active[singular])
            keep = ~singular
            active, xa, ra, rs, lr, dv = (
                active[keep], xa[keep], ra[keep], rs[keep], lr[keep], dv[keep])
            if active.size == 0:
                break
        du = lr - np.matmul(xa, dv[:, :, None])[:, :, 0] / rs
        big = np.maximum(np.abs(du).max(axis=1), np.abs(dv).max(axis=1))
        damp = np.minimum(1.0, _MAX_LOG_STEP / np.maximum(big, 1e-300))[:, None]
        xa *= np.exp(damp * du)[:, :, None]
        xa *= np.exp(damp * dv)[:, None, :]
    if active.size and xa is not x:
        x[active] = xa
    return np.sort(np.concatenate([active, *swept]))


def _ras(x: FloatArray, rows: FloatArray, cols: FloatArray, runs: NDArray[np.intp],
         tol: float, max_iter: int) -> None:
    """Alternating RAS sweeps on ``runs``, in place, each stopping at its own convergence."""
    xa = x[runs]
    ra_all, ca_all = rows[runs], cols[runs]
    active = np.ones(runs.size, dtype=bool)
    gap = np.inf
    for _ in range(max_iter):
        xs = xa[active]
        ra, ca = ra_all[active], ca_all[active]
        xs *= (ra / xs.sum(axis=2))[:, :, None]
        xs *= (ca / xs.sum(axis=1))[:, None, :]
        xa[active] = xs
        gaps = _gaps(xs.sum(axis=2), xs.sum(axis=1), ra, ca)
        idx = np.flatnonzero(active)
        active[idx[gaps < tol]] = False
        gap = float(np.max(gaps))
        if not active.any():
            x[runs] = xa
            return
    raise RASConvergenceError(
        f"RAS did not converge in {max_iter} iterations (gap {gap:.3g})",
        runs[np.flatnonzero(active)], gap)


def adjustment_share(
    years_since: ArrayLike, short_run_share: float, adjustment_years: int
) -> FloatArray:
    """Share of the long-run trade response reached ``years_since`` years after a change.

    ``a = min(1, s + (1 - s) * k / T)`` for ``k >= 0`` (``s`` the short-run
    share, ``T`` the adjustment years); 0 before the change (``k < 0``); 1 at
    once when ``T == 0``.

    Args:
        years_since: Years since entry into force, any shape (negative: not yet).
        short_run_share: ``s`` in (0, 1].
        adjustment_years: ``T`` >= 0.

    Returns:
        Shares in [0, 1], the shape of ``years_since``.
    """
    if not 0.0 < short_run_share <= 1.0:
        raise ValueError(f"short_run_share must be in (0, 1]; got {short_run_share}")
    if adjustment_years < 0:
        raise ValueError(f"adjustment_years must be >= 0; got {adjustment_years}")
    k = np.asarray(years_since, dtype=float)
    if adjustment_years == 0:
        a = np.ones_like(k)
    else:
        a = np.minimum(1.0, short_run_share + (1.0 - short_run_share) * k / adjustment_years)
    return np.where(k < 0, 0.0, a)


def short_run_inputs(
    base: ArrayLike, policy: ArrayLike, sigma: ArrayLike, share: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Tariffs and elasticity the year is solved with, given the adjustment share.

    Runs that respond (``share > 0``) are solved at their legal tariffs with the
    short-run elasticity ``sigma_a = 1 + share (sigma - 1)``: the trade elasticity
    ``sigma - 1`` is scaled by the share, prices move by the whole legal change at
    once and duties are collected at the legal rates. Runs with ``share == 0``
    (nothing in force yet) are solved at the base tariffs and ``sigma``.

    Args:
        base: (N, N) or (R, N, N) baseline tariffs.
        policy: (R, N, N) legal tariffs of the policy state.
        sigma: scalar or (R,) long-run elasticity of substitution (> 1).
        share: (R,) adjustment shares in [0, 1].

    Returns:
        ``(R, N, N)`` tariffs and ``(R,)`` elasticities.
    """
    p = np.asarray(policy, dtype=float)
    a = np.asarray(share, dtype=float)
    s = np.broadcast_to(np.asarray(sigma, dtype=float), a.shape)
    responds = a > 0.0
    tariffs = np.where(responds[:, None, None], p, np.broadcast_to(base, p.shape))
    # share 1 keeps sigma's own bits (1 + (sigma - 1) may round differently)
    short = np.where(a == 1.0, s, 1.0 + a * (s - 1.0))
    return tariffs, np.where(responds, short, s)
