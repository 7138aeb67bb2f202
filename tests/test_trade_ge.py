"""Properties of the general-equilibrium trade solver (scosim.trade.solve_ge)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import root

from scosim.trade import (
    GEConvergenceError,
    baseline_accounts,
    fitted_baseline,
    iceberg_from_cost_index,
    solve_ge,
    tariff_inclusive_flows,
)


def random_flows(rng: np.random.Generator, n: int, batch: tuple[int, ...] = (),
                 home: float = 30.0) -> np.ndarray:
    x = rng.lognormal(0.0, 1.2, size=batch + (n, n))
    x[..., np.arange(n), np.arange(n)] *= home
    return x


def random_tariffs(rng: np.random.Generator, n: int, batch: tuple[int, ...] = (),
                   hi: float = 0.25) -> np.ndarray:
    t = rng.uniform(0.0, hi, size=batch + (n, n))
    t[..., np.arange(n), np.arange(n)] = 0.0
    return t


def market_clearing_error(res, new_tariffs: np.ndarray) -> np.ndarray:
    """Relative error of output = sum_j X'_ij / (1 + tau'_ij), from returned flows."""
    sales = (res.flows / (1.0 + new_tariffs)).sum(axis=-1)
    return np.abs(sales / res.output - 1.0)


# ---------------------------------------------------------------------------
# no change gives no change


FIELDS = ("price_change", "price_index_change", "welfare_change", "real_gdp_change",
          "expenditure_change", "terms_of_trade_change", "flows", "tariff_revenue",
          "tariff_revenue_received", "output", "expenditure", "deficits", "converged",
          "iterations", "max_residual")


@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_no_change_gives_exactly_no_change(deficits):
    rng = np.random.default_rng(1)
    x = random_flows(rng, 6)
    tau = random_tariffs(rng, 6)
    res = solve_ge(x, sigma=4.0, tariffs=tau, new_tariffs=tau.copy(), deficits=deficits,
                   revenue_sharing=np.eye(6), cost_change=np.ones((6, 6)))
    for field in ("price_change", "price_index_change", "welfare_change", "real_gdp_change",
                  "expenditure_change", "terms_of_trade_change"):
        assert (getattr(res, field) == 1.0).all(), field
    # the baseline's own accounts, bit for bit: no rounding noise from a solve
    assert np.array_equal(res.flows, x)
    assert np.array_equal(res.tariff_revenue, res.baseline_tariff_revenue)
    assert np.array_equal(res.tariff_revenue_received, res.baseline_tariff_revenue)
    assert np.array_equal(res.output, res.baseline_output)
    assert np.array_equal(res.expenditure, res.baseline_expenditure)
    assert np.array_equal(res.deficits, res.baseline_deficits)
    assert res.converged and res.iterations == 0 and res.max_residual == 0.0


@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_unchanged_elements_of_a_batch(deficits):
    """Unchanged runs get the identity; the others the bits they get when solved alone."""
    rng = np.random.default_rng(21)
    n, runs = 5, 6
    x = random_flows(rng, n, (runs,))
    tau = random_tariffs(rng, n)
    new = np.broadcast_to(tau, (runs, n, n)).copy()
    cost = np.ones((runs, n, n))
    share = np.broadcast_to(np.eye(n), (runs, n, n)).copy()
    new[1, 0, 2] = 0.0  # a tariff cut
    cost[3, 4, 1] = 0.9  # a cost change
    share[4, :, 2] = [0.5, 0.0, 0.5, 0.0, 0.0]  # only sharing changes
    sigma = rng.uniform(3.0, 7.0, runs)
    # with sharing given for every run, and without it (run 4 then unchanged too)
    for sharing, moved in ((share, (1, 3, 4)), (None, (1, 3))):
        res = solve_ge(x, sigma=sigma, tariffs=tau, new_tariffs=new, cost_change=cost,
                       revenue_sharing=sharing, deficits=deficits)
        for k in sorted(set(range(runs)) - set(moved)):
            assert (res.welfare_change[k] == 1.0).all() and res.iterations[k] == 0
            assert np.array_equal(res.flows[k], x[k])
            assert np.array_equal(res.deficits[k], res.baseline_deficits[k])
        for k in moved:
            assert res.iterations[k] > 0
            assert np.abs(res.welfare_change[k] - 1.0).max() > 1e-6  # really solved
        # alone, each takes the path it takes in the batch: runs 1 and 3 keep their own
        # revenue (the closed form) even beside run 4, which shares
        for k in moved:
            alone = solve_ge(x[k], sigma=sigma[k], tariffs=tau, new_tariffs=new[k],
                             cost_change=cost[k],
                             revenue_sharing=None if sharing is None else sharing[k],
                             deficits=deficits)
            for field in FIELDS:
                assert np.array_equal(getattr(res, field)[k], getattr(alone, field)), (k, field)


@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_identity_is_the_limit_of_small_changes(deficits):
    """The identity the solver returns unsolved is where tiny shocks take the solution."""
    rng = np.random.default_rng(22)
    n = 6
    x = random_flows(rng, n)
    tau = random_tariffs(rng, n)
    cost = np.ones((2, n, n))
    cost[1, 2, 3] = 1.0 + 1e-9
    res = solve_ge(x, sigma=5.0, tariffs=tau, cost_change=cost, deficits=deficits)
    assert res.iterations[0] == 0 and res.iterations[1] >= 1
    for field in FIELDS[:12]:
        a, b = getattr(res, field)
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9 * np.abs(b).max(),
                                   err_msg=field)


# ---------------------------------------------------------------------------
# ACR formula with balanced trade and no tariffs


@pytest.mark.parametrize("sigma", [2.5, 5.0, 9.0])
def test_acr_formula_balanced_trade(sigma):
    rng = np.random.default_rng(2)
    n = 7
    a = random_flows(rng, n)
    x = a + a.T  # symmetric flows -> row sums = column sums -> balanced trade
    d_hat = rng.uniform(0.7, 1.4, size=(n, n))
    np.fill_diagonal(d_hat, 1.0)  # ACR needs domestic costs unchanged
    res = solve_ge(x, sigma=sigma, cost_change=d_hat)
    pi = x / x.sum(axis=0)
    pi_new = res.flows / res.flows.sum(axis=0)
    acr = (np.diag(pi_new) / np.diag(pi)) ** (1.0 / (1.0 - sigma))
    np.testing.assert_allclose(res.welfare_change, acr, rtol=1e-10)
    np.testing.assert_allclose(res.welfare_change, res.real_gdp_change, rtol=1e-10)


# ---------------------------------------------------------------------------
# market clearing, accounting identities


@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_market_clearing_and_identities(deficits):
    rng = np.random.default_rng(3)
    n = 12
    x = random_flows(rng, n, (4,))
    tau = random_tariffs(rng, n, (4,))
    tau_new = tau * rng.uniform(0.0, 2.0, size=tau.shape)
    d_hat = rng.uniform(0.8, 1.2, size=(4, n, n))
    res = solve_ge(x, sigma=5.0, tariffs=tau, new_tariffs=tau_new, cost_change=d_hat,
                   deficits=deficits)
    assert res.converged.all()
    assert market_clearing_error(res, tau_new).max() < 1e-9
    # expenditure is the column sum of new flows
    np.testing.assert_allclose(res.flows.sum(axis=-2), res.expenditure, rtol=1e-12)
    # world: sum of flows = world expenditure = world output + world revenue
    world = res.flows.sum(axis=(-2, -1))
    np.testing.assert_allclose(world, res.expenditure.sum(-1), rtol=1e-12)
    np.testing.assert_allclose(world, res.output.sum(-1) + res.tariff_revenue.sum(-1),
                               rtol=1e-10)
    # tariff revenue formula from the returned flows
    np.testing.assert_allclose(res.tariff_revenue,
                               (res.flows * tau_new / (1.0 + tau_new)).sum(axis=-2), rtol=1e-12)
    np.testing.assert_allclose(res.deficits.sum(-1), 0.0, atol=1e-9 * world.max())
    if deficits == "level":
        # deficits fixed in levels (world numeraire)
        np.testing.assert_allclose(res.deficits, res.baseline_deficits,
                                   atol=1e-9 * world.max())
        np.testing.assert_allclose(res.output.sum(-1), res.baseline_output.sum(-1), rtol=1e-12)
    else:
        # non-tariff expenditure moves with the factory-gate price up to one world factor
        nontariff = res.expenditure - res.tariff_revenue_received
        base_nontariff = res.baseline_expenditure - res.baseline_tariff_revenue
        ratio = nontariff / (res.price_change * base_nontariff)
        np.testing.assert_allclose(ratio, np.broadcast_to(ratio[..., :1], ratio.shape), rtol=1e-10)


def test_welfare_definitions():
    rng = np.random.default_rng(4)
    n = 5
    x = random_flows(rng, n)
    tau = random_tariffs(rng, n)
    res = solve_ge(x, sigma=4.0, tariffs=tau, new_tariffs=0.5 * tau)
    t_hat = (1 + 0.5 * tau) / (1 + tau)
    pi = x / x.sum(0)
    p_hat = ((pi * (res.price_change[:, None] * t_hat) ** (-3.0)).sum(0)) ** (-1 / 3.0)
    np.testing.assert_allclose(res.price_index_change, p_hat, rtol=1e-12)
    np.testing.assert_allclose(res.welfare_change, res.expenditure_change / p_hat, rtol=1e-12)
    np.testing.assert_allclose(res.real_gdp_change, res.price_change / p_hat, rtol=1e-12)


# ---------------------------------------------------------------------------
# independent check: the same equations solved by scipy's root finder


def scipy_reference(x, sigma, tau, tau_new, d_hat, share, deficits):
    """Solve the model's equations with scipy.optimize.root (levels, not Newton-in-logs)."""
    n = x.shape[0]
    acc = baseline_accounts(x, tau)
    e, y, d = acc["expenditure"], acc["output"], acc["deficits"]
    pi = x / e
    t_hat = (1 + tau_new) / (1 + tau) * d_hat
    rate = tau_new / (1 + tau_new)

    def unpack(z):
        w = np.exp(z[:n])
        e_new = np.exp(z[n:])
        return w, e_new

    def eqs(z):
        w, e_new = unpack(z)
        num = pi * (w[:, None] * t_hat) ** (1 - sigma)
        pin = num / num.sum(0)
        collected = (rate * pin).sum(0) * e_new
        received = share @ collected
        if deficits == "level":
            base = w * y + d
        else:
            h = y + d
            base = (w * y).sum() / (w * h).sum() * w * h
        exp_eq = e_new - base - received
        sales = (pin / (1 + tau_new) * e_new).sum(1)
        mc = sales / (w * y) - 1.0
        mc[np.argmax(y)] = np.log((w * y).sum() / y.sum())  # numeraire replaces one equation
        return np.concatenate([mc, exp_eq / e])

    sol = root(eqs, np.concatenate([np.zeros(n), np.log(e)]), method="hybr", tol=1e-13)
    assert sol.success, sol.message
    return unpack(sol.x)


@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_matches_scipy_root_with_tariffs_and_sharing(deficits):
    rng = np.random.default_rng(5)
    n = 6
    x = random_flows(rng, n, home=10.0)
    tau = random_tariffs(rng, n)
    tau_new = tau.copy()
    # a customs union of 0..2: free internal trade, common external tariff 0.1
    tau_new[:3, :3] = 0.0
    tau_new[3:, :3] = 0.1
    d_hat = rng.uniform(0.9, 1.1, size=(n, n))
    share = np.eye(n)
    share[:3, :3] = 1.0 / 3.0  # pooled and split equally among union members
    w_ref, e_ref = scipy_reference(x, 5.0, tau, tau_new, d_hat, share, deficits)
    res = solve_ge(x, sigma=5.0, tariffs=tau, new_tariffs=tau_new, cost_change=d_hat,
                   revenue_sharing=share, deficits=deficits)
    np.testing.assert_allclose(res.price_change, w_ref, rtol=1e-9)
    np.testing.assert_allclose(res.expenditure, e_ref, rtol=1e-9)
    np.testing.assert_allclose(res.tariff_revenue_received, share @ res.tariff_revenue,
                               rtol=1e-12)
    np.testing.assert_allclose(res.tariff_revenue_received.sum(), res.tariff_revenue.sum(),
                               rtol=1e-12)


def test_identity_sharing_equals_no_sharing():
    rng = np.random.default_rng(6)
    n = 8
    x = random_flows(rng, n, (3,))
    tau = random_tariffs(rng, n, (3,))
    kw = dict(sigma=5.0, tariffs=tau, new_tariffs=tau[..., ::-1, ::-1].copy())
    for i in range(n):
        kw["new_tariffs"][..., i, i] = 0.0
    a = solve_ge(x, **kw)
    b = solve_ge(x, revenue_sharing=np.eye(n), **kw)
    np.testing.assert_allclose(b.price_change, a.price_change, rtol=1e-12)
    np.testing.assert_allclose(b.welfare_change, a.welfare_change, rtol=1e-12)
    np.testing.assert_allclose(b.tariff_revenue_received, a.tariff_revenue, rtol=1e-12)


def test_revenue_transfer_moves_welfare():
    """Giving k's tariff revenue to j raises j's welfare and lowers k's."""
    rng = np.random.default_rng(7)
    n = 5
    x = random_flows(rng, n)
    tau = random_tariffs(rng, n)
    share = np.eye(n)
    share[:, 1] = 0.0
    share[0, 1] = 1.0  # all of country 1's revenue goes to country 0
    own = solve_ge(x, sigma=5.0, tariffs=tau)
    moved = solve_ge(x, sigma=5.0, tariffs=tau, revenue_sharing=share)
    assert moved.welfare_change[0] > own.welfare_change[0] + 1e-4
    assert moved.welfare_change[1] < own.welfare_change[1] - 1e-4
    assert moved.tariff_revenue_received[1] == 0.0


# ---------------------------------------------------------------------------
# symmetry, batching, numeraire


def test_symmetric_countries_get_symmetric_results():
    n = 5
    # countries 0 and 1 identical in every respect, including their relation to others
    x = np.full((n, n), 2.0)
    np.fill_diagonal(x, 40.0)
    x[:, 4] = 5.0
    x[4, 4] = 80.0
    d_hat = np.ones((n, n))
    d_hat[[0, 1], 2] = 0.8
    res = solve_ge(x, sigma=6.0, cost_change=d_hat)
    for field in ("price_change", "welfare_change", "price_index_change"):
        v = getattr(res, field)
        assert v[0] == pytest.approx(v[1], rel=1e-12)
    assert res.flows[0, 2] == pytest.approx(res.flows[1, 2], rel=1e-12)


def test_permutation_equivariance():
    rng = np.random.default_rng(8)
    n = 9
    x = random_flows(rng, n)
    tau = random_tariffs(rng, n)
    d_hat = rng.uniform(0.8, 1.2, (n, n))
    perm = rng.permutation(n)
    a = solve_ge(x, sigma=4.0, tariffs=tau, cost_change=d_hat)
    b = solve_ge(x[np.ix_(perm, perm)], sigma=4.0, tariffs=tau[np.ix_(perm, perm)],
                 cost_change=d_hat[np.ix_(perm, perm)])
    np.testing.assert_allclose(b.welfare_change, a.welfare_change[perm], rtol=1e-10)
    np.testing.assert_allclose(b.flows, a.flows[np.ix_(perm, perm)], rtol=1e-9)


@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_batched_equals_one_by_one(deficits):
    rng = np.random.default_rng(9)
    n, b = 10, 6
    x = random_flows(rng, n, (2, 3))
    tau = random_tariffs(rng, n, (2, 3))
    tau_new = tau * rng.uniform(0, 2, tau.shape)
    sig = rng.uniform(2.0, 9.0, size=(2, 3))
    res = solve_ge(x, sigma=sig, tariffs=tau, new_tariffs=tau_new, deficits=deficits)
    assert res.welfare_change.shape == (2, 3, n)
    assert res.flows.shape == (2, 3, n, n)
    assert res.converged.shape == (2, 3)
    for k in range(b):
        i, j = divmod(k, 3)
        one = solve_ge(x[i, j], sigma=sig[i, j], tariffs=tau[i, j], new_tariffs=tau_new[i, j],
                       deficits=deficits)
        np.testing.assert_allclose(res.welfare_change[i, j], one.welfare_change, rtol=1e-10)
        np.testing.assert_allclose(res.flows[i, j], one.flows, rtol=1e-10)


def test_shared_baseline_broadcasts_against_batched_policy():
    rng = np.random.default_rng(10)
    n = 6
    x = random_flows(rng, n)
    tau_new = random_tariffs(rng, n, (4,))
    res = solve_ge(x, sigma=5.0, new_tariffs=tau_new)
    assert res.price_change.shape == (4, n)
    one = solve_ge(x, sigma=5.0, new_tariffs=tau_new[2])
    np.testing.assert_allclose(res.price_change[2], one.price_change, rtol=1e-10)


def test_numeraire_choice():
    rng = np.random.default_rng(11)
    n = 6
    x = random_flows(rng, n)
    d_hat = rng.uniform(0.8, 1.2, (n, n))
    # ratio deficits: homogeneous system, real outcomes independent of the numeraire
    a = solve_ge(x, sigma=5.0, cost_change=d_hat, deficits="ratio")
    b = solve_ge(x, sigma=5.0, cost_change=d_hat, deficits="ratio", numeraire=3)
    assert b.price_change[3] == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(b.welfare_change, a.welfare_change, rtol=1e-10)
    np.testing.assert_allclose(b.price_change / a.price_change,
                               b.price_change[0] / a.price_change[0], rtol=1e-10)
    c = solve_ge(x, sigma=5.0, cost_change=d_hat, deficits="level", numeraire=-1)
    assert c.price_change[-1] == pytest.approx(1.0, abs=1e-14)
    assert market_clearing_error(c, np.zeros((n, n))).max() < 1e-9


# ---------------------------------------------------------------------------
# economics that could be wrong


def test_uniform_fall_in_trade_costs_raises_everyones_welfare():
    rng = np.random.default_rng(12)
    n = 8
    a = random_flows(rng, n)
    x = a + a.T
    d_hat = np.full((n, n), 0.9)
    np.fill_diagonal(d_hat, 1.0)
    res = solve_ge(x, sigma=5.0, cost_change=d_hat)
    assert np.all(res.welfare_change > 1.0)
    # and international trade rises relative to domestic sales for everyone
    share_dom_new = np.diag(res.flows) / res.expenditure
    assert np.all(share_dom_new < np.diag(x) / x.sum(0))


def test_small_unilateral_tariff_raises_imposers_welfare():
    """Terms-of-trade gain: a small tariff from free trade helps a large importer."""
    rng = np.random.default_rng(13)
    n = 6
    a = random_flows(rng, n)
    x = a + a.T
    x[0, 0] *= 5  # a large country
    tau_new = np.zeros((n, n))
    tau_new[1:, 0] = 0.02
    res = solve_ge(x, sigma=5.0, new_tariffs=tau_new)
    assert res.welfare_change[0] > 1.0
    assert res.terms_of_trade_change[0] > 1.0
    assert np.all(res.welfare_change[1:] < 1.0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 9),
    seed=st.integers(0, 2**32 - 1),
    sigma=st.floats(1.5, 12.0),
    deficits=st.sampled_from(["level", "ratio"]),
    shock=st.floats(0.0, 0.5),
)
def test_property_random_problems(n, seed, sigma, deficits, shock):
    rng = np.random.default_rng(seed)
    x = random_flows(rng, n, home=rng.uniform(1.0, 50.0))
    tau = random_tariffs(rng, n, hi=0.3)
    tau_new = tau * rng.uniform(0.0, 2.0, tau.shape)
    d_hat = np.exp(rng.uniform(-shock, shock, (n, n)))
    res = solve_ge(x, sigma=sigma, tariffs=tau, new_tariffs=tau_new, cost_change=d_hat,
                   deficits=deficits)
    assert market_clearing_error(res, tau_new).max() < 1e-9
    assert np.all(res.flows >= 0) and np.all(res.price_change > 0)
    np.testing.assert_allclose(res.flows.sum(), res.expenditure.sum(), rtol=1e-12)


# ---------------------------------------------------------------------------
# failure modes


def test_non_convergence_raises_or_flags():
    rng = np.random.default_rng(14)
    n = 6
    x = random_flows(rng, n, (3,))
    d_hat = np.ones((3, n, n))
    d_hat[1] = rng.uniform(0.3, 3.0, (n, n))
    with pytest.raises(GEConvergenceError) as info:
        solve_ge(x, sigma=5.0, cost_change=d_hat, max_iter=1)
    assert info.value.failed.tolist() == [1]  # the index in the whole batch
    res = solve_ge(x, sigma=5.0, cost_change=d_hat, max_iter=1, on_fail="flag")
    assert res.converged.tolist() == [True, False, True]
    assert np.isnan(res.welfare_change[1]).all() and np.isnan(res.flows[1]).all()
    # the unchanged elements beside it: the identity, exactly
    assert (res.welfare_change[[0, 2]] == 1.0).all()
    assert np.array_equal(res.flows[[0, 2]], x[[0, 2]])
    assert res.max_residual[1] > 1e-12


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(flows=-np.ones((3, 3))), "flows must be non-negative"),
        (dict(flows=np.full((3, 3), np.nan)), "flows must be finite"),
        (dict(flows=np.ones((3, 4))), "flows must have shape"),
        (dict(flows=np.ones(3)), "flows must have shape"),
        (dict(sigma=1.0), "sigma must be > 1"),
        (dict(sigma=np.ones(5) * 4, tariffs=np.zeros((2, 3, 3))), "do not broadcast"),
        (dict(tariffs=np.full((3, 3), -1.0)), "tariffs must be > -1"),
        (dict(new_tariffs=np.zeros((4, 4))), "new_tariffs must be"),
        (dict(cost_change=np.zeros((3, 3))), "cost_change must be > 0"),
        (dict(revenue_sharing=np.full((3, 3), 0.5)), "column-stochastic"),
        (dict(deficits="fixed"), "deficits must be"),
        (dict(numeraire="usd"), "numeraire must be"),
        (dict(numeraire=7), "numeraire index"),
        (dict(on_fail="ignore"), "on_fail must be"),
        (dict(flows=np.array([[1.0, 0, 0], [0, 0, 0], [1.0, 0, 1.0]])), "positive"),
    ],
)
def test_bad_inputs_raise_clear_errors(kwargs, match):
    args = dict(flows=np.ones((3, 3)) + np.eye(3), sigma=5.0)
    args.update(kwargs)
    flows = args.pop("flows")
    with pytest.raises(ValueError, match=match):
        solve_ge(flows, **args)


# ---------------------------------------------------------------------------
# fitted baseline


def test_fitted_baseline_margins_and_structure():
    rng = np.random.default_rng(15)
    n = 7
    costs = np.exp(rng.normal(0, 1, (n, n)))
    y = rng.uniform(1, 10, n)
    e = y * rng.uniform(0.8, 1.2, n)
    fb = fitted_baseline(costs, y, e, reference=2)
    np.testing.assert_allclose(fb.flows.sum(0), e, rtol=1e-12)
    np.testing.assert_allclose(fb.flows.sum(1), y * e.sum() / y.sum(), rtol=1e-12)
    assert fb.inward_mr[2] == pytest.approx(1.0)
    # structural gravity: X_ij = c_ij (Y_i/Yw) E_j / (Pi_i^(1-s) P_j^(1-s))
    model = costs * (y / y.sum())[:, None] * e[None, :] / fb.outward_mr[:, None] \
        / fb.inward_mr[None, :]
    np.testing.assert_allclose(fb.flows, model, rtol=1e-11)
    # log-flows minus log-costs are additive in exporter and importer effects
    z = np.log(fb.flows / costs)
    interaction = z - z.mean(0) - z.mean(1)[:, None] + z.mean()
    np.testing.assert_allclose(interaction, 0.0, atol=1e-10)
    # usable as solve_ge input: no shock, no change
    res = solve_ge(fb.flows, sigma=5.0)
    np.testing.assert_allclose(res.welfare_change, 1.0, atol=1e-12)


def test_iceberg_from_cost_index():
    ratio = np.array([[1.0, 1.6], [0.5, 1.0]])
    d_hat = iceberg_from_cost_index(ratio, 5.0)
    np.testing.assert_allclose(d_hat ** (1 - 5.0), ratio, rtol=1e-14)
    with pytest.raises(ValueError, match="sigma"):
        iceberg_from_cost_index(ratio, 0.5)


def test_tariff_inclusive_flows():
    v = np.array([[10.0, 2.0], [3.0, 20.0]])
    tau = np.array([[0.0, 0.1], [0.25, 0.0]])
    x = tariff_inclusive_flows(v, tau)
    np.testing.assert_allclose(x, [[10.0, 2.2], [3.75, 20.0]])
    acc = baseline_accounts(x, tau)
    np.testing.assert_allclose(acc["tariff_revenue"], [0.75, 0.2])
    np.testing.assert_allclose(acc["output"], v.sum(axis=1))
    with pytest.raises(ValueError, match="tariffs must be > -1"):
        tariff_inclusive_flows(v, -2 * np.ones((2, 2)))


def test_actual_calibration_baseline_with_customs_union():
    """scosim's own data as an 'actual' baseline: an SCO customs union converges and clears."""
    calibration = pytest.importorskip("scosim.data.calibration")
    try:
        cal = calibration.load_calibration()
    except FileNotFoundError:
        pytest.skip("calibration tables not built")
    tau = cal.tariff_matrix()
    x = tariff_inclusive_flows(cal.trade_matrix(), tau)
    n = x.shape[0]
    members = np.arange(10)  # the ten SCO members come first in canonical order
    tau_new = tau.copy()
    tau_new[np.ix_(members, members)] = 0.0
    others = np.setdiff1d(np.arange(n), members)
    # common external tariff: the members' mean applied MFN rate
    cet = tau[np.ix_(others, members)].mean()
    tau_new[np.ix_(others, members)] = cet
    share = np.eye(n)
    gdp_w = x.sum(axis=1)[members] / x.sum(axis=1)[members].sum()
    share[np.ix_(members, members)] = gdp_w[:, None]  # pooled, split by output share
    res = solve_ge(x, sigma=5.0, tariffs=tau, new_tariffs=tau_new, revenue_sharing=share)
    assert res.converged
    assert market_clearing_error(res, tau_new).max() < 1e-9
    intra_before = x[np.ix_(members, members)].sum() - np.trace(x[np.ix_(members, members)])
    intra_after = res.flows[np.ix_(members, members)].sum() - np.trace(
        res.flows[np.ix_(members, members)])
    assert intra_after > intra_before  # trade creation inside the union
    np.testing.assert_allclose(res.tariff_revenue_received.sum(), res.tariff_revenue.sum(),
                               rtol=1e-12)


@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_non_monotone_excess_demand_hard_case(deficits):
    """Two nearly closed economies with deficits, domestic costs halved and tariffs tripled.

    Excess demand is non-monotone here (income effects of deficits), so plain Newton stalls
    in a local minimum of the residual norm; the tatonnement fallback must escape it and
    land on the equilibrium an independent root finder finds (relative prices move 2x).
    """
    x = np.array([[144.4228, 0.4330], [0.4705, 188.2764]])
    tau = np.array([[0.0, 0.3583], [0.7519, 0.0]])
    tau_new = np.array([[0.0, 0.9103], [1.7619, 0.0]])
    d_hat = np.array([[0.4890, 1.5791], [1.6994, 0.5084]])
    sigma = 3.764
    w_ref, e_ref = scipy_reference(x, sigma, tau, tau_new, d_hat, np.eye(2), deficits)
    res = solve_ge(x, sigma=sigma, tariffs=tau, new_tariffs=tau_new, cost_change=d_hat,
                   deficits=deficits)
    assert res.price_change[1] / res.price_change[0] > 2.0
    np.testing.assert_allclose(res.price_change, w_ref, rtol=1e-9)
    np.testing.assert_allclose(res.expenditure, e_ref, rtol=1e-9)
