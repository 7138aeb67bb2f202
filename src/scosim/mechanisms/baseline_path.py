"""A baseline that moves: the trade pattern re-based along the real GDP path, gradual adjustment.

Pure array functions batched over a leading run axis ``R`` (docs/customs_union.md,
"A baseline that moves").

* :func:`rebase_flows`: the year's baseline trade matrix. Every economy's sales
  (row sums) and expenditure (column sums) grow with its real GDP; the matrix is
  found by RAS (biproportional scaling, Stone 1961) from the base-year flows.
  RAS multiplies row ``i`` by ``a_i`` and column ``j`` by ``b_j``, so it keeps
  every ratio ``X_ij X_kl / (X_il X_kj)``: in structural gravity those ratios
  depend on bilateral trade costs only, so the re-based matrix is the gravity
  equilibrium with the base year's trade costs and the new outputs and
  expenditures (the multilateral resistances are re-solved implicitly).
* :func:`adjustment_share` and :func:`adjusted_tariffs`: trade responds to a tariff
  change gradually. In the year a change enters into force trade responds with
  ``short_run_share`` of the long-run elasticity (Boehm, Levchenko and
  Pandalai-Nayar 2023 estimate a short-run trade elasticity well below the
  long-run one); the share rises linearly to 1 after ``adjustment_years`` (Baier
  and Bergstrand 2007: the effect of an agreement builds up over about a
  decade). It is applied to the tariff wedge the year is solved with:
  ``tau_eff = tau_base + a (tau_policy - tau_base)``, which is, to first order,
  the same trade response as a fraction ``a`` of the long-run elasticity.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["adjusted_tariffs", "adjustment_share", "rebase_flows"]

FloatArray = NDArray[np.float64]


def rebase_flows(
    flows: ArrayLike, growth: ArrayLike, *, tol: float = 1e-13, max_iter: int = 1000
) -> FloatArray:
    """Base-year flows re-based to new outputs and expenditures by RAS.

    Row targets are ``rowsum_i * g_i`` (sales grow with the exporter's real
    GDP); column targets ``colsum_j * g_j``, rescaled so both sum to the same
    world total (trade balances scale with the world, not one side). With equal
    growth everywhere the result is exactly ``g * flows``.

    Args:
        flows: (N, N) or (R, N, N) base-year flows, all entries >= 0, positive
            row and column sums.
        growth: (N,) or (R, N) real GDP relative to the base year, > 0.
        tol: Largest relative gap of a row or column sum to its target.
        max_iter: Iteration limit.

    Returns:
        (R, N, N) re-based flows.

    Raises:
        ValueError: Bad shapes, negative flows, non-positive growth, or no
            convergence within ``max_iter``.
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
    x = np.broadcast_to(x0, (n_runs, n, n)).copy()
    rows = x.sum(axis=2) * g
    cols = x.sum(axis=1) * g
    cols *= (rows.sum(axis=1) / cols.sum(axis=1))[:, None]
    # Runs stop at their own convergence, so a run's result does not depend on
    # the other runs in the batch.
    active = np.ones(n_runs, dtype=bool)
    gap = np.inf
    # Row sums of the active runs: the convergence check's sums are the next step's.
    rs = x.sum(axis=2)
    for _ in range(max_iter):
        # While every run is active, scale in place (same arithmetic, no copies).
        every = bool(active.all())
        xa = x if every else x[active]
        ra = rows if every else rows[active]
        xa *= (ra / rs)[:, :, None]
        xa *= ((cols if every else cols[active]) / xa.sum(axis=1))[:, None, :]
        if not every:
            x[active] = xa
        rs = xa.sum(axis=2)
        gaps = np.max(np.abs(rs / ra - 1.0), axis=1)
        idx = np.flatnonzero(active)
        done = gaps < tol
        active[idx[done]] = False
        if not active.any():
            return x
        rs = rs[~done]
        gap = float(np.max(gaps))
    raise ValueError(f"RAS did not converge in {max_iter} iterations (gap {gap:.3g})")


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


def adjusted_tariffs(base: ArrayLike, policy: ArrayLike, share: ArrayLike) -> FloatArray:
    """Tariffs the year is solved with: ``base + share * (policy - base)``.

    Args:
        base: (N, N) or (R, N, N) baseline tariffs.
        policy: (R, N, N) tariffs of the policy state.
        share: (R,) adjustment shares in [0, 1].

    Returns:
        (R, N, N) tariffs.
    """
    p = np.asarray(policy, dtype=float)
    b = np.broadcast_to(np.asarray(base, dtype=float), p.shape)
    a = np.asarray(share, dtype=float)[:, None, None]
    return b + a * (p - b)
