"""One revenue pool in closed form (scosim.mechanisms.revenue_pool) against dense algebra."""

from __future__ import annotations

import numpy as np
import pytest

from scosim.mechanisms import ge_newton, revenue_pool
from scosim.mechanisms.customs_union import sharing_matrix
from scosim.mechanisms.trade import solve_ge
from test_ge_jacobian import pooled  # tests/ is on sys.path (rootdir)
from test_trade_ge import random_flows, random_tariffs


def test_find_pool_recognises_the_unions_sharing_and_nothing_else() -> None:
    rng = np.random.default_rng(31)
    n = 7
    members = np.zeros((3, n), dtype=bool)
    members[0, [0, 2, 3]] = True
    members[1, [1, 4, 5, 6]] = True  # run 2: nobody pools (identity)
    for rule, kw in (("gdp", {"gdp": rng.uniform(1, 9, n)}),
                     ("imports", {"imports": rng.uniform(1, 9, (3, n))}),
                     ("fixed", {"fixed_shares": {0: 0.5, 1: 0.5}, "allow_departed": True})):
        share = sharing_matrix(members, rule, **kw)
        found = revenue_pool.find_pool(share)
        assert found is not None, rule
        p, s = found
        # a member whose column is its own unit vector (all the pool's shares on it, as
        # in "fixed" here) counts as keeping its own revenue: the same matrix
        assert not (p.astype(bool) & ~members).any(), rule
        if rule != "fixed":
            assert np.array_equal(p.astype(bool), members), rule
        dense = np.eye(n)[None] * (1.0 - p)[:, None, :] + s[:, :, None] * p[:, None, :]
        assert np.array_equal(dense, share), rule
    # a fixed share of 1 on one member: its column is its own unit vector, the others'
    # columns equal it; still one pool (its own revenue stays with it, as in the pool)
    one = sharing_matrix(members[:1], "fixed", fixed_shares={0: 1.0})
    assert revenue_pool.find_pool(one) is not None
    dense = rng.uniform(0.0, 1.0, (2, n, n)) + 2.0 * np.eye(n)
    assert revenue_pool.find_pool(dense / dense.sum(axis=1, keepdims=True)) is None
    two = np.eye(n)[None].copy()
    two[0][:, [0, 1]] = np.array([0.5, 0.5, 0, 0, 0, 0, 0])[:, None]
    two[0][:, [2, 3]] = np.array([0, 0, 0.3, 0.7, 0, 0, 0])[:, None]
    assert revenue_pool.find_pool(two) is None  # two pools


def test_pool_algebra_equals_dense_algebra() -> None:
    rng = np.random.default_rng(32)
    runs, n, m = 4, 8, 5
    share = pooled(rng, runs, n)
    pool = revenue_pool.find_pool(share)
    assert pool is not None
    a = rng.uniform(0.0, 0.3, (runs, n))
    x = rng.normal(0.0, 1.0, (runs, n, m))
    lhs = np.eye(n)[None] - share * a[:, None, :]
    np.testing.assert_allclose(revenue_pool.pool_solve(pool, a, x), np.linalg.solve(lhs, x),
                               rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_pooled_sharing_solves_as_the_dense_path(monkeypatch: pytest.MonkeyPatch,
                                                 deficits: str) -> None:
    rng = np.random.default_rng(33)
    runs, n = 5, 9
    x = random_flows(rng, n, (runs,))
    tau = random_tariffs(rng, n)
    new = tau * rng.uniform(0.0, 1.0, (runs, n, n))
    share = pooled(rng, runs, n)
    args = dict(sigma=rng.uniform(3.0, 8.0, runs), tariffs=tau, new_tariffs=new,
                revenue_sharing=share, deficits=deficits)
    fast = solve_ge(x, **args)
    monkeypatch.setattr(ge_newton, "find_pool", lambda s: None)  # the LU path
    slow = solve_ge(x, **args)
    for field in ("welfare_change", "price_change", "flows", "tariff_revenue",
                  "tariff_revenue_received", "expenditure", "deficits"):
        np.testing.assert_allclose(getattr(fast, field), getattr(slow, field), rtol=1e-11,
                                   atol=1e-11 * np.abs(getattr(slow, field)).max(),
                                   err_msg=field)
    # pooling moves revenue: a member's received revenue is its share of the pool
    received = fast.tariff_revenue_received
    assert not np.allclose(received, fast.tariff_revenue)
    np.testing.assert_allclose(received.sum(axis=1), fast.tariff_revenue.sum(axis=1),
                               rtol=1e-12)
