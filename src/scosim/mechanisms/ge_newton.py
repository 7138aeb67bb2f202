"""The Newton solver behind :func:`scosim.mechanisms.trade.solve_ge` (private).

Market clearing of the one-sector Armington model in changes, solved for log
factory-gate prices by a damped Newton method with an analytic Jacobian,
vectorised over a flattened batch axis ``B``; batch elements leave the
computation once converged. ``solve_ge`` validates the inputs and picks the
elements whose tariffs, costs or sharing change; :func:`solve_flat` gathers them
into a :class:`_Problem`, solves it and returns the solution's fields of a
``GEResult``; see ``docs/trade.md`` for the equations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.mechanisms.axis_sums import col_sums
from scosim.mechanisms.linsolve import solve_each
from scosim.mechanisms.revenue_pool import find_pool, pool_solve

FloatArray = NDArray[np.float64]

# Newton safeguards: a step never moves a log price by more than this, and a
# step whose merit does not fall is halved at most this many times.
_MAX_LOG_STEP = 1.0
_MAX_HALVINGS = 30
# below this step fraction Newton is deemed stuck and a tatonnement step is taken
_MIN_ALPHA = 2.0**-12


@dataclass
class _Problem:
    """Flattened, validated inputs: batch axis B first."""

    a_base: FloatArray  # (B,N,N) pi * t_hat^(1-sigma)
    one_minus_sigma: FloatArray  # (B,1)
    y: FloatArray  # (B,N) baseline output
    e: FloatArray  # (B,N) baseline expenditure
    h: FloatArray  # (B,N) non-tariff expenditure Y + D (ratio mode)
    d: FloatArray  # (B,N) baseline deficits
    r_base: FloatArray  # (B,N) baseline revenue
    inv_new: FloatArray | None  # (B,N,N) 1/(1+tau'); None = no counterfactual tariffs
    ab_inv: FloatArray  # (B,N,N) a_base / (1+tau'), precomputed: the hot loop's one product
    share: FloatArray | None  # (B,N,N) revenue sharing, None = own revenue (or a pool)
    ratio: bool
    numeraire: int | None  # None = world output
    drop_row: NDArray[np.intp]  # (B,) equation replaced by the normalisation
    # sharing that is one pool (revenue_pool): (P, s), each (B,N); ``share`` is then None
    pool: tuple[FloatArray, FloatArray] | None = None
    # with a pool: (B,N,N) 1 + tau'_kj where j is in the pool, else 1 (pi' = m * this there)
    pool_rfac: FloatArray | None = None


@dataclass
class _State:
    wpow: FloatArray
    den: FloatArray
    a: FloatArray
    kappa: FloatArray
    e_new: FloatArray
    f: FloatArray
    s_out: FloatArray
    resid: FloatArray  # relative market-clearing residual F/S - 1
    gap: FloatArray  # log excess demand log(F/S): what Newton drives to zero
    norm: FloatArray  # normalisation residual
    valid: NDArray[np.bool_]


def _subset(p: _Problem, idx: NDArray[np.intp]) -> _Problem:
    return _Problem(
        a_base=p.a_base[idx], one_minus_sigma=p.one_minus_sigma[idx],
        y=p.y[idx], e=p.e[idx], h=p.h[idx], d=p.d[idx], r_base=p.r_base[idx],
        inv_new=None if p.inv_new is None else p.inv_new[idx],
        ab_inv=p.ab_inv[idx],
        share=None if p.share is None else p.share[idx],
        ratio=p.ratio, numeraire=p.numeraire, drop_row=p.drop_row[idx],
        pool=None if p.pool is None else (p.pool[0][idx], p.pool[1][idx]),
        pool_rfac=None if p.pool_rfac is None else p.pool_rfac[idx],
    )


def _evaluate(p: _Problem, u: FloatArray) -> _State:
    """Market-clearing residuals at log prices ``u`` (B,N)."""
    w = np.exp(u)
    wpow = np.exp(p.one_minus_sigma * u)
    # P_hat^(1-sigma), (B,N) over importers; batched matmul beats einsum here
    den = (wpow[:, None, :] @ p.a_base)[:, 0, :]
    # With m = pi'/(1+tau') = ab_inv wpow_i / den_j, every sum over m is a
    # matrix-vector product with ab_inv: no (B,N,N) array is built here (the
    # Jacobian builds m, _sales_shares).
    if p.inv_new is None:
        a = np.zeros_like(den)
    else:
        # revenue share of expenditure: sum_i pi' tau'/(1+tau') = 1 - sum_i pi'/(1+tau')
        a = 1.0 - (wpow[:, None, :] @ p.ab_inv)[:, 0, :] / den
    s_out = w * p.y
    if p.ratio:
        wh = w * p.h
        # kappa keeps world expenditure = world output + revenue (Walras' law);
        # it equals 1 to first order (see docs/trade.md).
        kappa = s_out.sum(axis=1) / wh.sum(axis=1)
        base = kappa[:, None] * wh
    else:
        kappa = np.ones(u.shape[0])
        base = s_out + p.d
    if p.pool is not None:
        e_new = pool_solve(p.pool, a, base[:, :, None])[:, :, 0]
    elif p.share is None:
        e_new = base / (1.0 - a)
    else:
        n = u.shape[1]
        lhs = np.eye(n)[None] - p.share * a[:, None, :]
        e_new = np.linalg.solve(lhs, base[:, :, None])[:, :, 0]
    f = wpow * (p.ab_inv @ (e_new / den)[:, :, None])[:, :, 0]
    valid = np.all(e_new > 0, axis=1) & np.all(np.isfinite(f), axis=1) & np.all(f > 0, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        resid = f / s_out - 1.0
        gap = np.log(f / s_out)
    if p.numeraire is None:
        norm = np.log(s_out.sum(axis=1) / p.y.sum(axis=1))
    else:
        norm = u[:, p.numeraire].copy()
    return _State(wpow, den, a, kappa, e_new, f, s_out, resid, gap, norm, valid)


def _sales_shares(p: _Problem, st: _State) -> FloatArray:
    """``m = pi' / (1 + tau')`` (B,N,N): factory-gate sales per unit of expenditure."""
    m = p.ab_inv * st.wpow[:, :, None]
    m /= st.den[:, None, :]
    return m


def _pin(p: _Problem, st: _State) -> FloatArray:
    """New import shares ``pi'`` (B,N,N) at the state's prices."""
    return p.a_base * st.wpow[:, :, None] / st.den[:, None, :]


def _merit(st: _State, drop_row: NDArray[np.intp]) -> FloatArray:
    """Squared norm of the system Newton solves (the dropped row replaced by the normalisation).

    Using exactly that system makes every Newton direction a descent direction.
    """
    g2 = st.gap**2
    g2[np.arange(len(g2)), drop_row] = st.norm**2
    m = g2.sum(axis=1)
    return np.where(st.valid & np.isfinite(m), m, np.inf)


def _jacobian(p: _Problem, u: FloatArray, st: _State) -> FloatArray:
    """Analytic Jacobian of the log excess demands w.r.t. log prices (B,N,N)."""
    b, n = u.shape
    oms = p.one_minus_sigma[:, :, None]
    w = np.exp(u)
    m = _sales_shares(p, st)  # (B,N,N) i,j: sales per unit of j's expenditure
    if p.ratio:
        wh = w * p.h
        swy = st.s_out.sum(axis=1, keepdims=True)
        swh = wh.sum(axis=1, keepdims=True)
        dkappa = st.kappa[:, None] * (st.s_out / swy - wh / swh)  # (B,N) over k
        db_diag = st.kappa[:, None] * wh
    else:
        db_diag = st.s_out
        wh = dkappa = None
    diag = np.arange(n)
    if p.share is None:
        # With own revenue, E'_j = B_j / (1 - a_j) and d a_j / d u_k = (1-sigma) pi'_kj
        # (r_kj - a_j); both E'-channels collapse into one product:
        # dF/du = (1-sigma) [diag F - M diag(E'/(1-a)) M^T] + M diag(dB/(1-a)).
        # One pool (revenue_pool) is the same with d_j = 1 - (1 - P_j) a_j for 1 - a_j,
        # pi' for M^T's pooled columns, and one rank-one term (_pool_term; docs/trade.md).
        # Divided by F row by row (below) as it is built: the rows of M are scaled once
        # and both terms reuse them (fewer passes over the (B, N, N) stack).
        if p.pool is None:
            inv1a = 1.0 / (1.0 - st.a)
            right = m
        else:
            inv1a = 1.0 / (1.0 - (1.0 - p.pool[0]) * st.a)
            right = m if p.pool_rfac is None else m * p.pool_rfac
        ms = m * (-oms / st.f[:, :, None])  # -(1-sigma) M_ij / F_i
        jac = (ms * (st.e_new * inv1a)[:, None, :]) @ right.transpose(0, 2, 1)
        ms *= (db_diag * inv1a)[:, None, :] / -oms
        jac += ms
        jac[:, diag, diag] += p.one_minus_sigma
        if dkappa is not None:
            jac += (np.einsum("bij,bj->bi", m, wh * inv1a) / st.f)[:, :, None] \
                * dkappa[:, None, :]
        if p.pool is not None:
            jac += _pool_term(p, st, m, right, inv1a, db_diag, wh, dkappa)
    else:
        # general sharing S: E' = (I - S diag(a))^-1 B
        eye = np.eye(n)[None]
        pin = _pin(p, st)
        term1 = oms * (eye * st.f[:, :, None]
                       - (m * st.e_new[:, None, :]) @ pin.transpose(0, 2, 1))
        rate_new = 0.0 if p.inv_new is None else 1.0 - p.inv_new
        g = oms * (pin * (rate_new - st.a[:, None, :])).transpose(0, 2, 1)
        db = eye * db_diag[:, :, None]
        if dkappa is not None:
            db = db + wh[:, :, None] * dkappa[:, None, :]
        lhs = eye - p.share * st.a[:, None, :]
        de = np.linalg.solve(lhs, db + p.share @ (st.e_new[:, :, None] * g))
        jac = term1 + m @ de
        jac /= st.f[:, :, None]
    # d log(F/S) / du = J_F / F - I  (log excess demand is close to linear in log prices,
    # which makes Newton robust far from the solution)
    jac[:, diag, diag] -= 1.0
    # replace one (redundant by Walras' law) equation with the normalisation
    rows = np.arange(b)
    if p.numeraire is None:
        jac[rows, p.drop_row, :] = st.s_out / st.s_out.sum(axis=1, keepdims=True)
    else:
        jac[rows, p.drop_row, :] = 0.0
        jac[rows, p.drop_row, p.numeraire] = 1.0
    return jac


def _pool_term(p: _Problem, st: _State, m: FloatArray, right: FloatArray,
               inv_d: FloatArray, db_diag: FloatArray, wh: FloatArray | None,
               dkappa: FloatArray | None) -> FloatArray:
    """The pool's rank-one part of the Jacobian, divided by F: ``(M (s/d) / F) z'``.

    With ``S = diag(1 - P) + s P'`` the pooled revenue ``T`` moves every sharer's
    expenditure by ``s_j dT / d_j``; ``dT/du_k = z_k`` collects what the pool's members
    collect more: ``z = (q + P a dB_diag + (sum P a wh) dkappa) / (1 - sum P a s)``
    with ``q_k = (1-sigma) sum_j P_j E'_j ((1 - a_j) pi'_kj - M_kj)``.
    """
    pp, s = p.pool  # type: ignore[misc]
    pe = pp * st.e_new
    q = (right @ (pe * (1.0 - st.a))[:, :, None] - m @ pe[:, :, None])[:, :, 0]
    q *= p.one_minus_sigma
    pa = pp * st.a
    z = q + pa * db_diag
    if dkappa is not None:
        z += (pa * wh).sum(axis=1, keepdims=True) * dkappa
    z /= (1.0 - (pa * s).sum(axis=1))[:, None]
    v = (m @ (s * inv_d)[:, :, None])[:, :, 0] / st.f
    return v[:, :, None] * z[:, None, :]


def _newton(p: _Problem, tol: float, max_iter: int) -> tuple[
        FloatArray, NDArray[np.bool_], NDArray[np.int64], FloatArray, _State]:
    """Damped Newton on log prices; converged batch elements leave the computation.

    Returns:
        ``(u, converged, iterations, residual, state)``: the state is every element's
        :func:`_evaluate` at its final ``u``, kept as each leaves (no evaluation again).
    """
    bsz, n = p.y.shape
    u = np.zeros((bsz, n))
    converged = np.zeros(bsz, dtype=bool)
    iterations = np.zeros(bsz, dtype=np.int64)
    resid = np.full(bsz, np.inf)
    active = np.arange(bsz)
    sub = p
    st = _evaluate(sub, u)
    final = _subset_state(st, active)  # a copy of every field, overwritten as elements leave
    boost = np.ones(bsz)  # tatonnement step multiplier, grows while Newton is stuck
    for it in range(max_iter + 1):
        err = np.where(st.valid, np.maximum(np.abs(st.resid).max(axis=1), np.abs(st.norm)),
                       np.inf)
        resid[active] = err
        iterations[active] = it
        done = err < tol
        converged[active[done]] = True
        if done.all() or it == max_iter:
            _assign(final, active, st)
            break
        if done.any():
            _assign(final, active[done], _subset_state(st, np.flatnonzero(done)))
            keep = np.flatnonzero(~done)
            active = active[keep]
            sub = _subset(p, active)
            st = _subset_state(st, keep)
            boost = boost[keep]
        u_act = u[active]
        jac = _jacobian(sub, u_act, st)
        rhs = st.gap.copy()
        rhs[np.arange(len(active)), sub.drop_row] = st.norm
        step, singular = solve_each(jac, rhs[:, :, None])
        step = -step[:, :, 0]
        # a singular element (degenerate input) steps by least squares; the others keep
        # the bits they would have alone (a run's numbers never depend on its batch)
        for k in np.flatnonzero(singular):
            step[k] = -np.linalg.lstsq(jac[k], rhs[k], rcond=None)[0]
        step = np.where(np.isfinite(step), step, 0.0)
        big = np.abs(step).max(axis=1, keepdims=True)
        step *= np.minimum(1.0, _MAX_LOG_STEP / np.maximum(big, 1e-300))
        # backtracking on the squared residual, vectorised over the batch
        m0 = _merit(st, sub.drop_row)
        alpha = np.ones(len(active))
        # trial points are projected onto the normalisation exactly: its curvature
        # (log of a sum of prices) would otherwise block long Newton steps
        u_try = _renormalise(sub, u_act + step)
        st_try = _evaluate(sub, u_try)
        m_new = _merit(st_try, sub.drop_row)
        bad = ~(m_new < m0 * (1.0 - 1e-4 * alpha)) & np.isfinite(m0)
        for _ in range(_MAX_HALVINGS):
            # near the solution rounding noise can block a decrease; accept then
            bad &= m0 > (tol * 1e-2) ** 2
            if not bad.any():
                break
            alpha[bad] *= 0.5
            idx = np.flatnonzero(bad)
            sub_b = _subset(sub, idx)
            u_b = _renormalise(sub_b, u_act[idx] + alpha[idx, None] * step[idx])
            st_b = _evaluate(sub_b, u_b)
            u_try[idx] = u_b
            _assign(st_try, idx, st_b)
            m_new[idx] = _merit(st_b, sub_b.drop_row)
            ok = m_new[idx] < m0[idx] * (1.0 - 1e-4 * alpha[idx])
            bad[idx[ok]] = False
        # Newton can stall in a local minimum of the residual norm when deficits make
        # excess demand non-monotone; then step along excess demand (tatonnement),
        # growing the step geometrically while the stall lasts
        stuck = (bad | (alpha < _MIN_ALPHA) | ~(m_new < 0.9 * m0)) & (m0 > (tol * 1e-2) ** 2)
        boost = np.where(stuck, boost, 1.0)
        if stuck.any():
            idx = np.flatnonzero(stuck)
            sub_b = _subset(sub, idx)
            t_step = boost[idx, None] * st.gap[idx] / (1.0 - sub_b.one_minus_sigma)
            big = np.abs(t_step).max(axis=1, keepdims=True)
            t_step *= np.minimum(1.0, _MAX_LOG_STEP / np.maximum(big, 1e-300))
            u_b = _renormalise(sub_b, u_act[idx] + t_step)
            boost[idx] = np.minimum(2.0 * boost[idx], 1e6)
            u_try[idx] = u_b
            _assign(st_try, idx, _evaluate(sub_b, u_b))
        u[active] = u_try
        st = st_try
    return u, converged, iterations, resid, final


def _renormalise(p: _Problem, u: FloatArray) -> FloatArray:
    """Shift log prices so the normalisation holds exactly."""
    if p.numeraire is None:
        return u - np.log((np.exp(u) * p.y).sum(axis=1, keepdims=True) / p.y.sum(axis=1,
                                                                                 keepdims=True))
    return u - u[:, p.numeraire:p.numeraire + 1]


def _subset_state(st: _State, idx: NDArray[np.intp]) -> _State:
    return _State(*(getattr(st, f)[idx] for f in _STATE_FIELDS))


_STATE_FIELDS = ("wpow", "den", "a", "kappa", "e_new", "f", "s_out", "resid", "gap",
                 "norm",
                 "valid")


def _assign(dst: _State, idx: NDArray[np.intp], src: _State) -> None:
    for field in _STATE_FIELDS:
        getattr(dst, field)[idx] = getattr(src, field)


def terms_of_trade(
    w: FloatArray, flows: ArrayLike,
    flat: Callable[[FloatArray, tuple[int, ...]], FloatArray] | None = None,
) -> FloatArray:
    """``w_j`` over the Laspeyres index of its foreign suppliers' factory-gate prices.

    The index weights are the baseline imports (the diagonal left out); an importer with
    none has terms of trade 1. The weights are taken from the flows on their own shape,
    so a baseline shared by every run is summed once and not copied per run.

    Args:
        w: Factory-gate price changes ``(..., N)``; with ``flat``, ``(B, N)``.
        flows: Baseline flows ``(N, N)`` or ``(..., N, N)``, broadcasting against ``w``.
        flat: Gathers an argument to ``w``'s flat batch (:func:`solve_flat`'s), or None
            when ``w`` already has the flows' batch shape.

    Returns:
        Terms-of-trade changes, ``w``'s shape.
    """
    x = np.asarray(flows, dtype=float)
    n = x.shape[-1]
    imp = x * (1.0 - np.eye(n))
    tot = col_sums(imp)
    if flat is not None:
        tot = flat(tot, (n,))
        imp = imp if imp.ndim == 2 else flat(imp, (n, n))
    # w / index is discarded (1) where an importer has no foreign imports
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.einsum("...ij,...i->...j", imp, w) / np.where(tot > 0, tot, 1.0)
        return np.where(tot > 0, w / index, 1.0)


def solve_flat(
    x: FloatArray, flat: Callable[[FloatArray, tuple[int, ...]], FloatArray],
    s_arr: FloatArray, pi: FloatArray,
    log_t_hat: tuple[NDArray[np.intp], FloatArray | None], tau_next: FloatArray | None,
    sh_in: FloatArray | None, accounts: tuple[FloatArray, ...], ratio: bool,
    num_idx: int | None, tol: float, max_iter: int,
) -> dict[str, Any]:
    """Newton's solution and its accounts for the elements ``flat`` gathers (flat, B first).

    Args:
        x: Baseline flows on their own shape.
        flat: Broadcasts an argument to the batch and gathers the solved elements.
        s_arr: Elasticities on their own shape.
        pi: Baseline import shares on the flows' own shape.
        log_t_hat: ``(cols, log t_hat[..., :, cols])`` from :func:`_log_t_hat`.
        tau_next: Counterfactual tariffs, or None for none.
        sh_in: Revenue sharing, or None for each keeping its own.
        accounts: Baseline ``(E, Y, R, D)`` of the solved elements, each ``(B, N)``.
        ratio: The ratio deficit closure.
        num_idx: The numeraire's index, or None for world output.
        tol: Newton's tolerance.
        max_iter: Newton's iteration limit.

    Returns:
        Every ``GEResult`` field that depends on the solution, flat with the solved
        elements first (the caller sets NaN where one did not converge).
    """
    n = x.shape[-1]
    nn = (n, n)
    cols, log_t = log_t_hat
    ef, yf, rf, df = accounts
    oms = (1.0 - flat(s_arr, ()))[:, None]
    pif = flat(pi, nn)
    if log_t is None:
        a_base = pif
    else:
        # pi * t_hat^(1-sigma), computed on the changed columns only (x * 1 = x elsewhere)
        a_base = pif.copy()
        a_base[:, :, cols] = pif[:, :, cols] * np.exp(
            oms[:, :, None] * flat(log_t, (n, cols.size)))
    inv_new = None if tau_next is None else flat(1.0 / (1.0 + tau_next), nn)
    # Identity sharing (None here) takes the closed-form path: the same equilibrium
    # without two batched linear solves per Newton step.
    shf = None if sh_in is None else flat(sh_in, nn)
    # a customs union's pool takes the closed form of revenue_pool, not LU solves
    pool = None if shf is None else find_pool(shf)
    rfac = None
    if pool is not None and inv_new is not None:
        # pi'_kj = m_kj (1 + tau'_kj): the pooled columns' right factor in the Jacobian
        rfac = np.where(pool[0][:, None, :] > 0, 1.0 / inv_new, 1.0)
    prob = _Problem(
        a_base=a_base, one_minus_sigma=oms, y=yf, e=ef, h=yf + df, d=df, r_base=rf,
        inv_new=inv_new, ab_inv=a_base if inv_new is None else a_base * inv_new,
        share=shf if pool is None else None, pool=pool, pool_rfac=rfac, ratio=ratio,
        numeraire=num_idx,
        drop_row=np.argmax(yf, axis=1) if num_idx is None else np.full(len(yf), num_idx),
    )
    u, conv, iters, resid, st = _newton(prob, tol, max_iter)

    w = np.exp(u)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_hat = st.den ** (1.0 / oms)
        # pi' E' = a_base w^(1-sigma)_i E'_j / den_j: one outer product, one pass
        flows_new = prob.a_base * (st.wpow[:, :, None] * (st.e_new / st.den)[:, None, :])
        collected = st.a * st.e_new
        received = collected.copy() if shf is None else np.einsum("bjk,bk->bj", shf, collected)
        e_hat = st.e_new / ef
    return {
        "price_change": w,
        "price_index_change": p_hat,
        "expenditure_change": e_hat,
        "welfare_change": e_hat / p_hat,
        "real_gdp_change": w / p_hat,
        "terms_of_trade_change": terms_of_trade(w, x, flat),
        "flows": flows_new,
        "tariff_revenue": collected,
        "tariff_revenue_received": received,
        "output": w * yf,
        "expenditure": st.e_new,
        "deficits": st.e_new - w * yf - received,
        "converged": conv,
        "iterations": iters,
        "max_residual": resid,
    }
