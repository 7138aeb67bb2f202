"""The GE Newton solver's analytic Jacobian equals finite differences of its own system.

A wrong Jacobian would still let the damped Newton solver converge (more slowly, through
its line search and tatonnement steps), so the solution tests alone would not notice one.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import scosim.mechanisms.trade as trade
from scosim.mechanisms import ge_newton


def pooled(rng: np.random.Generator, runs: int, n: int) -> np.ndarray:
    """Sharing matrices of one pool per run: members' columns all equal to shares ``s``."""
    out = np.broadcast_to(np.eye(n), (runs, n, n)).copy()
    for r in range(runs):
        members = rng.permutation(n)[: 2 + r]
        s = np.zeros(n)
        s[members] = rng.uniform(0.1, 1.0, members.size)
        out[r][:, members] = (s / s.sum())[:, None]
    return out


def _problem(monkeypatch: pytest.MonkeyPatch, deficits: str, sharing: str,
             numeraire: str | int) -> ge_newton._Problem:
    """The flattened problem ``solve_ge`` hands its Newton solver for a random 6-economy world."""
    rng = np.random.default_rng(11)
    n, runs = 6, 3
    x = rng.lognormal(0.0, 1.5, (runs, n, n)) + np.eye(n) * 20.0
    tau = rng.uniform(0.0, 0.15, (n, n)) * (1.0 - np.eye(n))
    tau_new = tau * rng.uniform(0.0, 1.5, (runs, n, n))
    cost = rng.uniform(0.8, 1.2, (runs, n, n))
    share = None
    if sharing == "dense":
        s = rng.uniform(0.0, 1.0, (runs, n, n)) + 2.0 * np.eye(n)
        share = s / s.sum(axis=-2, keepdims=True)
    elif sharing == "pool":
        share = pooled(rng, runs, n)
    seen: list[ge_newton._Problem] = []
    real = ge_newton._newton

    def capture(p: ge_newton._Problem, tol: float, max_iter: int):  # noqa: ANN202
        seen.append(p)
        return real(p, tol, max_iter)

    monkeypatch.setattr(ge_newton, "_newton", capture)
    trade.solve_ge(x, sigma=rng.uniform(3.0, 7.0, runs), tariffs=tau, new_tariffs=tau_new,
                   cost_change=cost, revenue_sharing=share, deficits=deficits,
                   numeraire=numeraire)
    return seen[0]


def _system(p: ge_newton._Problem, u: np.ndarray) -> np.ndarray:
    """What Newton drives to zero: log excess demands, one row replaced by the normalisation."""
    st = ge_newton._evaluate(p, u)
    g = st.gap.copy()
    g[np.arange(len(g)), p.drop_row] = st.norm
    return g


@pytest.mark.parametrize("numeraire", ["world", 2])
@pytest.mark.parametrize("sharing", ["own", "dense", "pool"])
@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_analytic_jacobian_matches_central_differences(
        monkeypatch: pytest.MonkeyPatch, deficits: str, sharing: str,
        numeraire: str | int) -> None:
    p = _problem(monkeypatch, deficits, sharing, numeraire)
    assert (p.share is not None) == (sharing == "dense") and p.ratio == (deficits == "ratio")
    assert (p.pool is not None) == (sharing == "pool")
    b, n = p.y.shape
    u = np.random.default_rng(5).normal(0.0, 0.1, (b, n))
    st = ge_newton._evaluate(p, u)
    assert st.valid.all()
    jac = ge_newton._jacobian(p, u, st)
    h = 1e-6
    fd = np.empty_like(jac)
    for k in range(n):
        du = np.zeros_like(u)
        du[:, k] = h
        fd[:, :, k] = (_system(p, u + du) - _system(p, u - du)) / (2.0 * h)
    scale = np.abs(fd).max()
    np.testing.assert_allclose(jac, fd, rtol=0.0, atol=1e-7 * scale)


@pytest.mark.parametrize("numeraire", ["world", 2])
@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_pooled_jacobian_equals_the_dense_sharing_jacobian(
        monkeypatch: pytest.MonkeyPatch, deficits: str, numeraire: str | int) -> None:
    """The pool's closed form (own-revenue product plus a rank-one term) is the LU path's
    Jacobian of the same sharing matrix, to rounding: an algebra slip in either would show
    here at far below the finite differences' 1e-7."""
    p = _problem(monkeypatch, deficits, "pool", numeraire)
    assert p.pool is not None and p.pool_rfac is not None
    b, n = p.y.shape
    members, shares = p.pool
    dense = np.where(members[:, None, :] > 0, shares[:, :, None], np.eye(n)[None])
    as_dense = dataclasses.replace(p, share=dense, pool=None, pool_rfac=None)
    u = np.random.default_rng(6).normal(0.0, 0.1, (b, n))
    st = ge_newton._evaluate(p, u)
    # the two paths evaluate the same state (pool_solve and LU agree to rounding)
    st_dense = ge_newton._evaluate(as_dense, u)
    np.testing.assert_allclose(st.e_new, st_dense.e_new, rtol=1e-13)
    jac = ge_newton._jacobian(p, u, st)
    ref = ge_newton._jacobian(as_dense, u, st)
    np.testing.assert_allclose(jac, ref, rtol=0.0, atol=1e-13 * np.abs(ref).max())
    # the pool's rank-one term matters: without it the Jacobians differ far beyond rounding
    monkeypatch.setattr(ge_newton, "_pool_term", lambda *a: 0.0)
    assert np.abs(ge_newton._jacobian(p, u, st) - ref).max() > 1e-6 * np.abs(ref).max()
