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
from scosim.mechanisms.short_run import chained, solve_year
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
    partners = np.flatnonzero(inside & (m.tariffs_base()[0][:, pak] > 0.05))
    assert partners.size >= 3  # dutiable before the union
    assert (legal[0, partners, pak] == 0.0).all() and (flows[0, partners, pak] > 0.0).all()


def test_the_year_is_the_long_run_solve_at_the_short_run_elasticity(adjusting):
    m = adjusting
    a = np.asarray(m.records["trade_adjustment_share"][-1])[:, 0]
    sigma = np.broadcast_to(m.sigma, a.shape)
    short = solve_ge(m.baseline_flows(), sigma=1.0 + a * (sigma - 1.0), tariffs=m.tau0,
                     new_tariffs=m.tariffs,
                     # the ban the union lifts is trade policy: at the short-run elasticity
                     cost_change=m.policy.cost_change * m.policy.ban_change,
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


def _economy(seed: int = 3, n: int = 6):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1.0, 10.0, (n, n)) + np.diag(rng.uniform(40.0, 80.0, n))
    tau = rng.uniform(0.02, 0.15, (n, n)) * (1.0 - np.eye(n))
    cut = tau.copy()
    cut[:3, :3] = 0.0  # a union of the first three
    d = np.ones((n, n))
    d[0, 4] = d[4, 0] = 1.25  # a sanction between 0 and 4
    return x, tau, cut, d


@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_a_cost_change_keeps_its_long_run_response_while_a_union_adjusts(deficits):
    """A sanction in force is not on the union's adjustment clock (review): with the
    union's tariffs not yet moved, the year is the sanction's long-run solve, exactly as
    without any union; solved at sigma_a it 'un-adjusted' when a union entered."""
    x, tau, _, d = _economy()
    sigma = np.array([5.0, 5.0])
    long_run = solve_ge(x, sigma=5.0, tariffs=tau, cost_change=d, deficits=deficits)
    year = solve_year(x, sigma=sigma, sigma_short=np.array([2.6, 5.0]), tariffs=tau,
                      new_tariffs=np.stack([tau, tau]), cost_change=np.stack([d, d]),
                      deficits=deficits, revenue_sharing=None)
    for run in (0, 1):
        np.testing.assert_allclose(year.flows[run], long_run.flows, rtol=1e-10)
        np.testing.assert_allclose(year.welfare_change[run], long_run.welfare_change,
                                   rtol=1e-12)


def test_the_two_steps_chain_to_the_joint_solve_at_one_elasticity():
    """Exact hat algebra chains: costs first, then tariffs from that equilibrium, equal
    both at once (level deficits), in every field the model reads."""
    x, tau, cut, d = _economy(5)
    joint = solve_ge(x, sigma=4.0, tariffs=tau, new_tariffs=cut, cost_change=d)
    two = chained(x, sigma=np.array([4.0]), sigma_short=np.array([4.0]), tariffs=tau,
                  new_tariffs=cut[None], cost_change=d[None], deficits="level",
                  revenue_sharing=None)
    for name in ("welfare_change", "price_change", "price_index_change", "flows",
                 "tariff_revenue", "terms_of_trade_change", "real_gdp_change", "deficits"):
        np.testing.assert_allclose(getattr(two, name)[0], getattr(joint, name), rtol=1e-9,
                                   atol=1e-9, err_msg=name)


def test_a_sanction_in_force_does_not_change_what_the_union_does_in_its_first_year():
    """customs_union.yaml in 2027 (the union's first year, a = 0.4), with and without a
    Rest-of-World sanction on Russia from 2025: the union's effect on Russia's exports is
    about the same either way (solved at sigma_a, the sanction un-adjusted: +8.4 points
    with it against +1.2 without)."""
    def exports(union: bool, sanction: bool) -> float:
        over = {"replications": 2, "years.end": 2029,
                "parameters.rules.defect": "never_defect"}
        if not union:
            over["proposals"] = []
        if sanction:
            over["events"] = [{"type": "sanctions", "year": 2025, "target": "RUS",
                               "by": "ROW", "trade_cost": 0.2}]
        m = SCOModel(scosim.load_scenario(SCENARIOS / "customs_union.yaml", overrides=over))
        while m.year <= 2027:
            m.step()
        return float(np.median(m.records["exports_change_pct"][-1][:, m.codes.index("RUS")]))

    plain = exports(True, False) - exports(False, False)
    sanctioned = exports(True, True) - exports(False, True)
    assert abs(plain) > 0.3
    assert sanctioned == pytest.approx(plain, abs=0.5)


def test_the_adjustment_clock_starts_with_the_union_not_an_earlier_settlement():
    """A settlement in force from 2026 moved no tariff; the union's tariffs move from
    2027. The clock started with the first arrangement of any kind, so the union began
    at a = 0.475 instead of the short-run share 0.4 (economist's review)."""
    settle = {"type": "national_currency_settlement", "id": "ncs", "year": 2025,
              "proposer": "RUS", "participants": "members", "share": 0.8}
    sc = scosim.load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 2, "parameters.rules.defect": "never_defect", "years.end": 2029})
    sc2 = scosim.load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 2, "parameters.rules.defect": "never_defect", "years.end": 2029,
        "parameters.mechanisms.finance": "banking_systems",
        "proposals": [settle, *[p.model_dump(exclude_unset=True) for p in sc.proposals]]})
    for scenario in (sc, sc2):
        m = SCOModel(scenario)
        m.run_model()
        share = np.stack(m.records["trade_adjustment_share"])[:, :, 0]  # (years, runs)
        years = list(m.years)
        np.testing.assert_array_equal(share[years.index(2027)], 0.4)
        np.testing.assert_array_equal(share[years.index(2029)], 0.55)
    # the settlement was in force from 2026 in the second
    assert any(a.name == "national_currency_settlement" and a.in_force.all()
               for a in m.arrangements)


def test_the_adjustment_clock_starts_again_with_a_union_after_one_dissolved():
    """The ten-member union leaves and dissolves (exit threshold 0: in 2029 since the
    India-Pakistan suspension was calibrated to the trade it cut, 2026-12-06; 2032 before);
    a China-Uzbekistan union tabled the year after enters two years after the dissolution.
    Its trade starts at the short-run share again: the clock ran from the first union's
    2027, so it began at 0.7 (trade economist's review)."""
    sc = scosim.load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 1, "parameters.council.exit_threshold": 0.0})
    second = {"type": "customs_union", "id": "cu2", "year": 2030, "proposer": "CHN",
              "participants": ["CHN", "UZB"], "cet": "weighted_mean"}
    sc = scosim.load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 1, "parameters.council.exit_threshold": 0.0,
        "proposals": [*[p.model_dump(exclude_unset=True) for p in sc.proposals], second]})
    m = SCOModel(sc)
    m.run_model()
    ev = m.log.to_frame()
    assert ((ev.type == "dissolved") & (ev.proposal == "sco_cu") & (ev.year == 2029)).any()
    assert ((ev.type == "in_force") & (ev.proposal == "cu2") & (ev.year == 2031)).any()
    share = dict(zip(m.years, np.stack(m.records["trade_adjustment_share"])[:, 0, 0],
                     strict=True))
    assert share[2028] == pytest.approx(0.475, abs=1e-15) and share[2030] == 0.0
    assert share[2031] == 0.4 and share[2032] == pytest.approx(0.475, abs=1e-15)


def test_the_settlement_gain_is_solved_at_the_years_short_run_elasticity():
    """A settlement's gain in a year its members' union still adjusts (a = 0.475) is two
    solves of the year as its trade step solves it: the costs (the sanction and the
    dollar channel) at sigma, then from there the legal tariffs (and Pakistan's ban on
    Indian goods, which the union lifts: trade policy) at ``sigma_a = 1 + a (sigma - 1)``.
    Rebuilt here from ``solve_ge``; at the long-run sigma the gain differed by up to 0.008
    points (of Belarus's 0.9 before its EAEU pairs got their own share, 2026-12-06), far
    outside the check."""
    from scosim.model.phases import tick

    # Uncapped: the full 80 % floor on every member pair, a gain large enough for the
    # check below to tell the two elasticities apart (capped by what clears, Russia's
    # gain is a quarter of it, 2026-12-06).
    settle = {"type": "national_currency_settlement", "id": "ncs", "year": 2025,
              "proposer": "RUS", "participants": "members", "share": 0.8,
              "clearing": "uncapped"}
    union = scosim.load_scenario(SCENARIOS / "customs_union.yaml").proposals
    sc = scosim.load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 2, "parameters.rules.defect": "never_defect", "years.end": 2029,
        "parameters.mechanisms.finance": "banking_systems",
        "events": [{"type": "sanctions", "year": 2028, "target": "RUS", "by": "ROW",
                    "trade_cost": 0.2, "severity": 1.0}],
        "proposals": [settle, *[p.model_dump(exclude_unset=True) for p in union]]})
    m = SCOModel(sc)
    while m.year < 2028:
        m.step()
    tick(m, 2028)  # the sanctions' year, with m.year left at it for the factors below
    a = np.asarray(m.records["trade_adjustment_share"][-1])[:, 0]
    np.testing.assert_allclose(a, 0.475, rtol=1e-12)  # the union's second year
    gain = np.asarray(m.records["settlement_welfare_gain_pct"][-1])
    assert gain[:, m.codes.index("UZB")].min() > 0.05  # not Belarus: EAEU, above the floor

    # The year's costs without the settlement floors: the dollar channel's factors
    # under the base settlement shares in place of those the floors raised.
    (mech,) = [mech for slot, mech in m.mechanisms if slot == "finance"]
    policy = m.policy
    without = policy.copy()
    del without.levers["finance.settlement_floor"]
    costs = policy.cost_change
    costs_without = costs / mech.trade_cost_factor(m, policy) * mech.trade_cost_factor(m, without)
    assert not np.allclose(costs, costs_without)

    sigma = np.broadcast_to(m.sigma, a.shape)
    deficits = m.scenario.parameters.trade.deficits

    def welfare(cost: np.ndarray, tariff_sigma: np.ndarray) -> np.ndarray:
        first = solve_ge(m.baseline_flows(), sigma=sigma, tariffs=m.tau0, cost_change=cost,
                         deficits=deficits)
        second = solve_ge(first.flows, sigma=tariff_sigma, tariffs=m.tau0,
                          new_tariffs=m.tariffs, cost_change=policy.ban_change,
                          deficits=deficits, revenue_sharing=policy.sharing)
        return first.welfare_change * second.welfare_change

    short = 1.0 + a * (sigma - 1.0)
    np.testing.assert_allclose(welfare(costs, short), m.ge.welfare_change, rtol=1e-12)
    expected = (welfare(costs, short) - welfare(costs_without, short)) * 100.0
    np.testing.assert_allclose(gain, expected, rtol=0, atol=1e-9)
    long_run = (welfare(costs, sigma) - welfare(costs_without, sigma)) * 100.0
    assert np.abs(long_run - expected).max() > 1e-3  # the check tells the two apart


def test_a_mixed_batch_solves_each_run_as_alone():
    """Runs that chain (a cost change while trade adjusts) and runs that do not, solved
    together, give each run the bits it gets alone: each is solved once, in its own way."""
    from dataclasses import fields

    rng = np.random.default_rng(3)
    n, r = 8, 6
    flows = rng.uniform(1, 10, (n, n))
    tau = np.full((n, n), 0.05)
    np.fill_diagonal(tau, 0.0)
    new = np.broadcast_to(tau, (r, n, n)).copy()
    new[:, :3, :3] = 0.0
    cost = np.ones((r, n, n))
    cost[[1, 4]] *= rng.uniform(1.0, 1.2, (n, n))
    short = np.array([3.0, 3.0, 5.0, 3.0, 5.0, 5.0])  # run 1 chains, run 4 is adjusted
    kw = {"sigma": 5.0, "tariffs": tau, "deficits": "level", "revenue_sharing": None}
    both = solve_year(flows, sigma_short=short, new_tariffs=new, cost_change=cost, **kw)
    for k in range(r):
        alone = solve_year(flows, sigma_short=short[k:k + 1], new_tariffs=new[k:k + 1],
                           cost_change=cost[k:k + 1], **kw)
        for f in fields(both):
            np.testing.assert_array_equal(np.asarray(getattr(both, f.name))[k],
                                          np.asarray(getattr(alone, f.name))[0])
