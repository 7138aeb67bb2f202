"""Gradual adjustment: the short run is the legal tariffs at a lower trade elasticity.

While trade adjusts (``0 < a < 1``, docs/customs_union.md "Gradual adjustment") the
year is solved at the legal tariffs with ``sigma_a = 1 + a (sigma - 1)``. Until
2026-12-05 it was solved at tariffs part-way between the base and the legal ones,
which collected duty on imports the union had made duty-free (Pakistan's revenue
term in ``customs_union.yaml`` rose to +1.09 points in 2033 and fell to -0.58 in
2035, when the last of that duty went).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import scosim
from scosim.mechanisms.baseline_path import short_run_inputs
from scosim.mechanisms.trade import solve_ge
from scosim.model.model import SCOModel

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def adjusting() -> SCOModel:
    """``customs_union.yaml`` stepped to 2029: the union in force, trade 55 % adjusted."""
    sc = scosim.load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 2, "parameters.rules.defect": "never_defect"})
    m = SCOModel(sc)
    while m.year <= 2029:
        m.step()
    share = np.asarray(m.records["trade_adjustment_share"][-1])[:, 0]
    assert np.all((share > 0.5) & (share < 0.6))
    return m


def test_duty_is_collected_at_the_legal_rates_while_trade_adjusts(adjusting):
    m = adjusting
    legal = np.asarray(m.tariffs)
    flows = np.asarray(m.ge.flows)
    collected = (legal / (1.0 + legal) * flows).sum(axis=-2)
    np.testing.assert_allclose(m.ge.tariff_revenue, collected, rtol=1e-12)
    # ...so a member collects nothing on imports the union made duty-free.
    arr = m.arrangements[0]
    inside = arr.participants[0] & arr.in_force[0]
    pak = m.codes.index("PAK")
    assert inside[pak]
    partners = np.flatnonzero(inside & (m.tau0[:, pak] > 0.05))
    assert partners.size >= 3  # dutiable before the union
    assert (legal[0, partners, pak] == 0.0).all() and (flows[0, partners, pak] > 0.0).all()


def test_the_year_is_the_long_run_solve_at_the_short_run_elasticity(adjusting):
    m = adjusting
    a = np.asarray(m.records["trade_adjustment_share"][-1])[:, 0]
    sigma = np.broadcast_to(m.sigma, a.shape)
    short = solve_ge(m.baseline_flows(), sigma=1.0 + a * (sigma - 1.0), tariffs=m.tau0,
                     new_tariffs=m.tariffs, cost_change=m.policy.cost_change,
                     deficits=m.scenario.parameters.trade.deficits,
                     revenue_sharing=m.policy.sharing)
    np.testing.assert_allclose(m.ge.welfare_change, short.welfare_change, rtol=1e-12)


@pytest.mark.parametrize("a", [0.4, 0.7])
def test_the_short_run_trade_elasticity_is_the_share_a_of_the_long_run_one(a):
    """The definition the share carries (Boehm, Levchenko and Pandalai-Nayar 2023): the
    gravity equation of the year's solve, ``X'_ij / X'_kj`` against the delivered
    prices ``w_hat t_hat``, has the elasticity ``a (sigma - 1)``."""
    rng = np.random.default_rng(7)
    n = 6
    x = rng.uniform(1.0, 10.0, (n, n)) + np.diag(rng.uniform(40.0, 80.0, n))
    tau = np.full((n, n), 0.10) * (1.0 - np.eye(n))
    new = tau.copy()
    new[1, 0] = new[2, 0] = 0.0  # importer 0 frees two partners
    sigma = 5.0
    tariffs, sig = short_run_inputs(tau, new[None], np.array([sigma]), np.array([a]))
    for s, expected in ((sigma, sigma - 1.0), (sig[0], a * (sigma - 1.0))):
        res = solve_ge(x, sigma=s, tariffs=tau, new_tariffs=tariffs[0])
        price = np.log(res.price_change[[1, 3]] * (1.0 + tariffs[0][[1, 3], 0]) / 1.1)
        flow = np.log(res.flows[[1, 3], 0] / x[[1, 3], 0])
        elasticity = -(flow[0] - flow[1]) / (price[0] - price[1])
        assert elasticity == pytest.approx(expected, rel=1e-9)


def test_nothing_in_force_is_solved_at_the_base_tariffs_and_full_elasticity():
    tau = np.full((3, 3), 0.1) * (1.0 - np.eye(3))
    policy = np.zeros((2, 3, 3))
    tariffs, sig = short_run_inputs(tau, policy, np.array([4.0, 6.0]), np.array([0.0, 1.0]))
    np.testing.assert_array_equal(tariffs[0], tau)
    np.testing.assert_array_equal(tariffs[1], policy[1])
    np.testing.assert_array_equal(sig, [4.0, 6.0])


def test_the_welfare_path_no_longer_peaks_before_full_adjustment():
    """Pakistan's welfare in customs_union.yaml peaked in 2034 (+2.91) and fell in 2035
    (+2.75), when the last duty on duty-free imports went; its revenue term rose to
    +1.09 points in 2033. Now its welfare is largest at full adjustment."""
    sc = scosim.load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 2, "parameters.rules.defect": "never_defect"})
    m = SCOModel(sc)
    m.run_model()
    pak = m.codes.index("PAK")
    welfare = np.stack(m.records["welfare_change_pct"])[:, :, pak]  # (years, runs)
    revenue = np.stack(m.records["welfare_tariff_revenue_pct"])[:, :, pak]
    share = np.stack(m.records["trade_adjustment_share"])[:, :, pak]
    assert (share[-1] == 1.0).all() and ((share > 0) & (share < 1)).sum() >= 2 * 6
    np.testing.assert_array_equal(welfare.argmax(axis=0), len(m.years) - 1)
    assert revenue.max() < 0.1
