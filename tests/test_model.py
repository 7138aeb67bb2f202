"""The model: determinism, batching, common random numbers, and the tick."""

import numpy as np
import pytest

from scosim.data import load_calibration
from scosim.model.model import SCOModel
from scosim.model.rng import RunStreams, stream
from scosim.runner import run_model, tidy_indicators
from scosim.scenario import load_scenario


def _ind(model, name):
    return np.stack(model.records[name], axis=1)  # (R, T, N)


def _calibrated(model: SCOModel, column: str) -> np.ndarray:
    """A column of the packaged calibration table, in the model's order of economies."""
    return load_calibration().countries.loc[list(model.codes), column].to_numpy(dtype=float)


def test_streams_depend_on_seed_run_and_mechanism_only():
    a = stream(1, 3, "growth").standard_normal(5)
    assert np.array_equal(a, stream(1, 3, "growth").standard_normal(5))
    assert not np.array_equal(a, stream(2, 3, "growth").standard_normal(5))
    assert not np.array_equal(a, stream(1, 4, "growth").standard_normal(5))
    assert not np.array_equal(a, stream(1, 3, "council").standard_normal(5))
    # A run's draws do not depend on the batch it is in.
    batch = RunStreams(1, [5, 3, 9], "growth").normal(5)
    assert np.array_equal(batch[1], a)


def test_streams_are_statistically_standard_normal():
    z = RunStreams(11, range(400), "growth").normal(50).ravel()
    assert abs(z.mean()) < 4 / np.sqrt(z.size)
    assert abs(z.std() - 1) < 0.02


def test_same_seed_same_numbers_different_seed_different(model_fixture):
    sc = load_scenario(model_fixture("small_base.yaml"))
    a = tidy_indicators(run_model(sc))
    b = tidy_indicators(run_model(sc))
    assert a.equals(b)
    sc2 = load_scenario(model_fixture("small_base.yaml"), overrides={"seed": 8})
    c = tidy_indicators(run_model(sc2))
    gdp_a = a[a.indicator == "gdp_usd"]["value"].to_numpy()
    gdp_c = c[c.indicator == "gdp_usd"]["value"].to_numpy()
    assert not np.allclose(gdp_a, gdp_c)


def test_batching_does_not_change_a_run(model_fixture):
    # small_cu as it stands never adopts its union (every welfare value is rounding noise),
    # so vote draws keyed by batch position would go unseen; with the willing deciding and
    # loud vote noise the union forms with different members in different runs.
    sc = load_scenario(model_fixture("small_cu.yaml"), overrides={
        "parameters.council.decision_rule": "variable_geometry",
        "parameters.council.vote_noise": 3.0})
    # (Runs 0-4: run 5 forms no union since the path starts from the recorded 2024 GDP.)
    whole = run_model(sc, runs=range(5))
    part = run_model(sc, runs=[3, 4])
    for name in ("gdp_usd", "welfare_change_pct", "in_customs_union"):
        assert np.array_equal(_ind(whole, name)[3:], _ind(part, name))
    inside = _ind(whole, "in_customs_union")[:, -1].sum(axis=1)
    w = _ind(whole, "welfare_change_pct")[:, -1]
    assert inside.min() >= 2  # a union formed in every run ...
    # ... and runs 3 and 4 differ from runs 0 and 1, the draws a batch of two would reuse
    assert np.abs(w[3:] - w[:2]).max(axis=1).min() > 1e-3


def test_policy_and_baseline_share_their_noise(model_fixture):
    base = run_model(load_scenario(model_fixture("small_base.yaml")))
    pol = run_model(load_scenario(model_fixture("small_cu.yaml")))
    # Common random numbers: the stochastic GDP path is identical; only the policy differs.
    assert np.array_equal(_ind(base, "gdp_baseline_path_usd"), _ind(pol, "gdp_baseline_path_usd"))


def test_growth_path_follows_calibrated_trend(model_fixture):
    sc = load_scenario(
        model_fixture("small_base.yaml"),
        overrides={"replications": 400, "parameters.growth.volatility_scale": 0.0},
    )
    m = run_model(sc, runs=range(3))
    g = _ind(m, "gdp_baseline_path_usd")
    growth = np.log(g[:, 1:, :] / g[:, :-1, :])
    # Against the packaged table (mean log growth of WDI GDP), not the model's own copy.
    assert np.allclose(growth, _calibrated(m, "gdp_growth_trend"), rtol=1e-12, atol=0.0)


def test_growth_shocks_have_calibrated_volatility(model_fixture):
    sc = load_scenario(model_fixture("small_base.yaml"), overrides={"replications": 400})
    m = run_model(sc)
    g = _ind(m, "gdp_baseline_path_usd")
    growth = np.log(g[:, 1:, :] / g[:, :-1, :]) - _calibrated(m, "gdp_growth_trend")
    sd = growth.reshape(-1, m.N).std(axis=0)
    # 1200 draws per economy: the sample sd's standard error is 1/sqrt(2 * 1200) = 2 %,
    # so 8 % is 4 standard errors; a shock scaled 2x (or 0.5x) is far outside.
    assert np.allclose(sd, _calibrated(m, "gdp_growth_sd"), rtol=0.08, atol=0.0)


def test_no_policy_means_no_trade_effect(model_fixture):
    m = run_model(load_scenario(model_fixture("small_base.yaml")))
    assert np.allclose(_ind(m, "welfare_change_pct"), 0.0, atol=1e-9)
    assert np.allclose(_ind(m, "real_gdp_change_pct"), 0.0, atol=1e-9)


def test_agents_one_per_economy_with_rules(model_fixture):
    m = SCOModel(load_scenario(model_fixture("small_base.yaml")))
    assert len(m.agents) == m.N == 28
    kaz = m.agents_by_code["KAZ"]
    assert kaz.is_member.all() and kaz.rule_names["vote"] == "utility_vote"
    assert not m.agents_by_code["TUR"].is_member.any()


def test_params_must_align_with_runs(model_fixture):
    sc = load_scenario(model_fixture("small_base.yaml"))
    with pytest.raises(ValueError, match="expected"):
        SCOModel(sc, runs=[0, 1], params={"parameters.trade.sigma": np.array([4.0])})


def test_per_run_sigma_from_sweep_params(model_fixture):
    sc = load_scenario(
        model_fixture("small_cu.yaml"),
        overrides={
            "parameters.rules.vote": "always_yes",
            "parameters.rules.defect": "never_defect",
        },
    )
    m = run_model(sc, runs=[0, 1], params={"parameters.trade.sigma": np.array([3.0, 8.0])})
    w = _ind(m, "welfare_change_pct")[:, -1, :]
    # Different elasticities give different welfare effects of the same union.
    assert not np.allclose(w[0], w[1])
    assert np.array_equal(m.sigma, [3.0, 8.0])


def test_fitted_baseline_keeps_margins_and_changes_the_answer(model_fixture):
    over = {"parameters.rules.vote": "always_yes", "parameters.rules.defect": "never_defect"}
    actual = SCOModel(load_scenario(model_fixture("small_cu.yaml"), overrides=over), runs=[0])
    fitted = SCOModel(
        load_scenario(
            model_fixture("small_cu.yaml"),
            overrides={**over, "parameters.trade.baseline": "fitted"},
        ),
        runs=[0],
    )
    assert np.allclose(fitted.flows0.sum(axis=1), actual.flows0.sum(axis=1), rtol=1e-9)
    assert np.allclose(fitted.flows0.sum(axis=0), actual.flows0.sum(axis=0), rtol=1e-9)
    assert not np.allclose(fitted.flows0, actual.flows0)
    actual.run_model()
    fitted.run_model()
    wa = _ind(actual, "welfare_change_pct")[0, -1]
    wf = _ind(fitted, "welfare_change_pct")[0, -1]
    assert not np.allclose(wa, wf)


def test_fitted_baseline_keeps_the_margins_of_each_calibrations_tariffs():
    """The fitted flows were cached by data version: a calibration of the same version
    with other tariffs (the flat matrix the hindcasts use) got the first one's flows,
    whose margins are another matrix's tariff-inclusive output and expenditure."""
    from scosim.data import load_calibration
    from scosim.model.model import fitted_flows

    default, flat = load_calibration("2023"), load_calibration("2023", composition=False)
    assert default.version == flat.version
    for cal in (default, flat, default):
        flows = cal.trade.to_numpy() * (1.0 + cal.tariffs.to_numpy())
        got = fitted_flows(cal, flows)
        assert np.allclose(got.sum(axis=1), flows.sum(axis=1), rtol=1e-9, atol=0)
        assert np.allclose(got.sum(axis=0), flows.sum(axis=0), rtol=1e-9, atol=0)
    assert not np.allclose(default.tariffs.to_numpy(), flat.tariffs.to_numpy())


@pytest.mark.parametrize("rule", ["variable_geometry", "interested_members"])
def test_a_batch_with_the_union_in_some_runs_only_gives_each_run_its_own_numbers(
        model_fixture, rule):
    """Runs of one batch where the union forms next to runs where it does not: each run
    alone gives its own row (the batching test above has a union in every run, so a step
    taken only when every run of the batch has the union in force, or asking an outsider's
    consent only where it is outside in every run, passed it)."""
    from scosim.proposals.contract import check_batch_consistency

    sc = load_scenario(model_fixture("small_cu.yaml"), overrides={
        "parameters.council.decision_rule": rule,
        "parameters.council.vote_noise": 1.0, "years.end": 2030})
    m = run_model(sc, runs=range(6))
    formed = _ind(m, "in_customs_union")[:, -1].any(axis=1)
    assert formed.any() and not formed.all()
    check_batch_consistency(sc, runs=list(range(6)))


def test_each_scenario_event_moves_what_it_names(model_fixture):
    """GDP shocks, trust shocks, border clashes and sanctions against the same runs without
    them (common random numbers). Only their loading and logging were tested: a GDP shock
    that raised GDP, a clash that raised trust or sanctions that cheapened one direction
    of trade passed the suite."""
    events = [
        {"type": "gdp_shock", "year": 2026, "countries": ["RUS"], "size": -0.34},
        {"type": "trust_shock", "year": 2026, "countries": ["IND", "CHN"], "size": 0.2},
        {"type": "border_clash", "year": 2027, "countries": ["KGZ", "TJK"], "severity": 0.5},
        {"type": "sanctions", "year": 2027, "target": "RUS", "by": "ROW", "trade_cost": 0.2},
    ]
    runs = {}
    for name, ev in (("base", []), ("events", events)):
        sc = load_scenario(model_fixture("small_base.yaml"),
                           overrides={"replications": 2, "events": ev})
        runs[name] = SCOModel(sc)
        runs[name].run_model()
    base, m = runs["base"], runs["events"]
    i = m.codes.index
    # A permanent level shift of Russia's GDP from 2026, nobody else's.
    ratio = _ind(m, "gdp_baseline_path_usd") / _ind(base, "gdp_baseline_path_usd")
    np.testing.assert_allclose(ratio[:, 1:, i("RUS")], 0.66, rtol=1e-12)
    ratio[:, 1:, i("RUS")] = 1.0
    np.testing.assert_array_equal(ratio, 1.0)
    # Mutual trust: +0.2 between India and China, -trust_loss x severity after the clash.
    want = np.zeros((m.N, m.N))
    want[i("IND"), i("CHN")] = want[i("CHN"), i("IND")] = 0.2
    loss = sc.parameters.council.trust_loss
    want[i("KGZ"), i("TJK")] = want[i("TJK"), i("KGZ")] = -loss * 0.5
    np.testing.assert_allclose(m.trust - base.trust, np.broadcast_to(want, m.trust.shape),
                               rtol=0, atol=1e-12)
    # Sanctions: Russia's trade with the Rest of World costs 20 % more both ways.
    want = np.ones((m.N, m.N))
    want[i("RUS"), i("ROW")] = want[i("ROW"), i("RUS")] = 1.2
    np.testing.assert_allclose(m.cost_change, np.broadcast_to(want, m.cost_change.shape),
                               rtol=1e-12)
    np.testing.assert_array_equal(base.cost_change, 1.0)
