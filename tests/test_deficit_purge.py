"""Purging trade deficits (scosim.mechanisms.deficit_purge) and solve_ge's new_deficits."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import root

from scosim.mechanisms.deficit_purge import purge_deficits
from scosim.mechanisms.trade import baseline_accounts, solve_ge


def world(seed: int, n: int = 6, tariffs: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Random tariff-inclusive flows with large deficits, and tariffs (diagonal 0)."""
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0.0, 1.2, size=(n, n))
    x[np.arange(n), np.arange(n)] *= 20.0
    # one economy's purchases doubled: a deficit of about a third of its expenditure
    x[:, 0] *= 2.0
    tau = rng.uniform(0.0, 0.2, size=(n, n)) if tariffs else np.zeros((n, n))
    tau[np.arange(n), np.arange(n)] = 0.0
    return x, tau


def scipy_balanced(x: np.ndarray, tau: np.ndarray, sigma: float) -> np.ndarray:
    """The balanced world by scipy's root on prices in levels (not the Newton in logs)."""
    n = x.shape[0]
    acc = baseline_accounts(x, tau)
    y, pi = acc["output"], x / acc["expenditure"]
    rate = tau / (1.0 + tau)

    def eqs(z: np.ndarray) -> np.ndarray:
        w = np.exp(z)
        num = pi * w[:, None] ** (1.0 - sigma)
        pin = num / num.sum(axis=0)
        e_new = w * y / (1.0 - (rate * pin).sum(axis=0))  # E' = w Y + R', D' = 0
        sales = (pin / (1.0 + tau) * e_new).sum(axis=1)
        out = sales / (w * y) - 1.0
        out[np.argmax(y)] = np.log((w * y).sum() / y.sum())
        return out

    sol = root(eqs, np.zeros(n), method="hybr", tol=1e-13)
    # hybr may stop on "no further improvement" at rounding level: check the residual
    assert np.abs(eqs(sol.x)).max() < 1e-12, sol.message
    w = np.exp(sol.x)
    num = pi * w[:, None] ** (1.0 - sigma)
    pin = num / num.sum(axis=0)
    e_new = w * y / (1.0 - (rate * pin).sum(axis=0))
    return pin * e_new


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_purged_world_is_balanced_and_matches_an_independent_solve(seed):
    x, tau = world(seed)
    d0 = baseline_accounts(x, tau)["deficits"] / baseline_accounts(x, tau)["expenditure"]
    assert np.abs(d0).max() > 0.2  # a world with a large deficit to purge
    p = purge_deficits(x, sigma=5.0, tariffs=tau)
    acc = p.accounts
    # expenditure = output + tariff revenue for every economy
    gap = acc["expenditure"] - acc["output"] - acc["tariff_revenue"]
    assert np.abs(gap / acc["expenditure"]).max() < 1e-10
    np.testing.assert_allclose(p.baseline_deficits, baseline_accounts(x, tau)["deficits"])
    # world output is the numeraire throughout
    np.testing.assert_allclose(acc["output"].sum(), baseline_accounts(x, tau)["output"].sum(),
                               rtol=1e-12)
    np.testing.assert_allclose(p.flows, scipy_balanced(x, tau, 5.0), rtol=1e-9)


def test_deficit_economy_loses_surplus_economy_gains():
    """Losing the inflow a deficit is costs real expenditure; a surplus returns."""
    x, tau = world(4)
    p = purge_deficits(x, sigma=5.0, tariffs=tau)
    d = p.baseline_deficits
    big_deficit, big_surplus = int(np.argmax(d)), int(np.argmin(d))
    assert p.welfare_change[big_deficit] < 1.0 < p.welfare_change[big_surplus]


def test_solving_from_the_purged_world_gives_it_back():
    x, tau = world(5)
    p = purge_deficits(x, sigma=4.0, tariffs=tau)
    n = x.shape[0]
    # purging again: solved (D is zero only to rounding), every price unchanged
    res = solve_ge(p.flows, sigma=4.0, tariffs=tau, new_deficits=np.zeros(n))
    np.testing.assert_allclose(res.price_change, 1.0, atol=1e-10)
    np.testing.assert_allclose(res.welfare_change, 1.0, atol=1e-10)
    np.testing.assert_allclose(res.flows, p.flows, rtol=1e-10)
    # no change at all: the identity, not solved
    same = solve_ge(p.flows, sigma=4.0, tariffs=tau, new_tariffs=tau)
    assert same.iterations == 0
    np.testing.assert_array_equal(same.flows, p.flows)


def test_purging_a_balanced_world_changes_nothing():
    rng = np.random.default_rng(6)
    a = rng.lognormal(0.0, 1.0, size=(5, 5))
    x = a + a.T  # symmetric flows without tariffs: every row sum is its column sum, D = 0
    assert np.abs(baseline_accounts(x)["deficits"]).max() < 1e-12
    p = purge_deficits(x, sigma=5.0)
    np.testing.assert_allclose(p.flows, x, rtol=1e-12)
    np.testing.assert_allclose(p.welfare_change, 1.0, atol=1e-12)


@pytest.mark.parametrize("seed", [7, 8])
def test_level_and_ratio_agree_from_a_purged_world(seed):
    x, tau = world(seed)
    p = purge_deficits(x, sigma=5.0, tariffs=tau)
    new = tau.copy()
    new[1:, 0] *= 2.0  # the big-deficit economy doubles its tariffs
    new[0, 2] = 0.3
    lev = solve_ge(p.flows, sigma=5.0, tariffs=tau, new_tariffs=new, deficits="level")
    rat = solve_ge(p.flows, sigma=5.0, tariffs=tau, new_tariffs=new, deficits="ratio")
    np.testing.assert_allclose(lev.welfare_change, rat.welfare_change, rtol=1e-10)
    np.testing.assert_allclose(lev.flows, rat.flows, rtol=1e-10)
    # from the data the two closures differ (the point of purging)
    lev0 = solve_ge(x, sigma=5.0, tariffs=tau, new_tariffs=new, deficits="level")
    rat0 = solve_ge(x, sigma=5.0, tariffs=tau, new_tariffs=new, deficits="ratio")
    assert np.abs(lev0.welfare_change - rat0.welfare_change).max() > 1e-4


def test_stages_reach_the_same_balanced_world():
    x, tau = world(9)
    one = purge_deficits(x, sigma=5.0, tariffs=tau, stages=1)
    four = purge_deficits(x, sigma=5.0, tariffs=tau, stages=4)
    assert four.stages == 4 and four.iterations.shape == (4,)
    np.testing.assert_allclose(four.flows, one.flows, rtol=1e-10)
    np.testing.assert_allclose(four.welfare_change, one.welfare_change, rtol=1e-10)


def test_batched_purge_equals_one_by_one():
    worlds = [world(s) for s in (10, 11)]
    x = np.stack([w[0] for w in worlds])
    tau = np.stack([w[1] for w in worlds])
    both = purge_deficits(x, sigma=np.array([4.0, 6.0]), tariffs=tau)
    for k, sigma in enumerate((4.0, 6.0)):
        alone = purge_deficits(x[k], sigma=sigma, tariffs=tau[k])
        np.testing.assert_allclose(both.flows[k], alone.flows, rtol=1e-12)


def test_new_deficits_halfway_holds_them():
    x, tau = world(12)
    d0 = baseline_accounts(x, tau)["deficits"]
    res = solve_ge(x, sigma=5.0, tariffs=tau, new_deficits=0.5 * d0)
    np.testing.assert_allclose(res.deficits, 0.5 * d0, atol=1e-10 * res.expenditure.sum())
    np.testing.assert_allclose(baseline_accounts(res.flows, tau)["deficits"], 0.5 * d0,
                               atol=1e-10 * res.expenditure.sum())
    np.testing.assert_array_equal(res.baseline_deficits, d0)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"new_deficits": np.zeros(3)}, r"new_deficits must have shape \(\.\.\., 6\)"),
    ({"new_deficits": np.eye(6)[0]}, "must sum to zero over economies"),
    ({"new_deficits": np.zeros(6), "deficits": "ratio"}, "new_deficits needs deficits='level'"),
    ({"new_deficits": np.full(6, np.nan)}, "new_deficits must be finite"),
])
def test_bad_new_deficits_raise_clear_errors(kwargs, match):
    x, tau = world(13)
    with pytest.raises(ValueError, match=match):
        solve_ge(x, sigma=5.0, tariffs=tau, **kwargs)


@pytest.mark.parametrize("stages", [0, "some", 1.5, True])
def test_bad_stages_raise(stages):
    x, tau = world(14)
    with pytest.raises(ValueError, match="stages must be 'auto' or an integer >= 1"):
        purge_deficits(x, sigma=5.0, tariffs=tau, stages=stages)
