"""The security block wired into the model: slot, rules, proposal type, scenarios, errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from scosim.proposals.contract import check_batch_consistency, check_policy_contract
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario
from scosim.security.mechanism import pair_cost_factor

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
# Three years; a constant instability replaces the shipped 2025-2035 series.
SHORT = {"years.end": 2027, "parameters.security.instability": 1.3}


def _records(model) -> dict[str, np.ndarray]:
    return {k: np.stack(v, axis=1) for k, v in model.records.items()}


@pytest.mark.parametrize("name", ["afghan_instability", "afghan_instability_rats"])
def test_shipped_scenario_validates_and_runs(name: str) -> None:
    sc = load_scenario(SCENARIOS / f"{name}.yaml", overrides=SHORT)
    model = run_model(sc, runs=[0, 1])
    rec = _records(model)
    for key in ("incidents", "seizures_t", "throughflow_t", "security_index", "effort_intel",
                "effort_border", "effort_cyber", "spending_usd", "insecurity"):
        assert rec[key].shape == (2, 3, model.N), key
        assert np.isfinite(rec[key]).all() and (rec[key] >= 0).all(), key
    ins = model.policy.levers["insecurity"]
    assert ins.shape == (2, model.N) and ((ins >= 0) & (ins <= 1)).all()
    # Instability 1.3 raises Afghanistan's expected incidents above its 2018-2022 rate.
    afg = model.codes.index("AFG")
    assert (rec["expected_incidents"][:, :, afg] > 1.1 * 503.0).all()


def test_security_mechanism_passes_the_contract_kit() -> None:
    sc = load_scenario(SCENARIOS / "afghan_instability_rats.yaml", overrides=SHORT)
    check_batch_consistency(sc, runs=[0, 1, 2])
    check_policy_contract(sc, runs=[0, 1])


def test_vote_security_term_is_nonzero_for_rats_upgrade() -> None:
    sc = load_scenario(SCENARIOS / "afghan_instability_rats.yaml", overrides=SHORT)
    model = run_model(sc, runs=[0, 1, 2])
    ev = model.log.to_frame()
    votes = ev[(ev["type"] == "vote") & (ev["proposal"] == "rats-universal-centre")]
    assert len(votes) == 3 * 10  # the ten members vote in every run
    sec = votes["term_security"].to_numpy(dtype=float)
    contrib = votes["contrib_security"].to_numpy(dtype=float)
    assert (sec > 0).all() and (contrib > 0).all()
    # Pooling adds detection: a member gains more than the upgrade's cost in index points.
    assert sec.min() > 0.01


def test_free_riding_raises_incidents_over_conditional_cooperation() -> None:
    """Every state free-riding vs every state conditionally cooperating: 30 paired runs,
    2025-2029; one-sided 99 % t-interval of the difference in total incidents above 0."""
    base = {"years.end": 2029, "parameters.security.instability": 1.0, "countries": {}}
    coop = load_scenario(SCENARIOS / "afghan_instability.yaml",
                         overrides={**base,
                                    "parameters.rules.cooperate": "conditional_cooperation"})
    free = load_scenario(SCENARIOS / "afghan_instability.yaml",
                         overrides={**base, "parameters.rules.cooperate": "free_riding"})
    runs = list(range(30))
    tot_c = _records(run_model(coop, runs=runs))["incidents"].sum(axis=(1, 2))
    tot_f = _records(run_model(free, runs=runs))["incidents"].sum(axis=(1, 2))
    d = tot_f - tot_c
    lower = d.mean() - stats.t.ppf(0.99, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    assert lower > 0


def test_pair_cost_factor_is_one_at_baseline_and_domestic() -> None:
    m0 = np.array([[1.2, 1.0, 1.1]])
    cost = np.array([[0.0, 0.25, 0.4], [0.25, 0.0, np.inf], [0.4, np.inf, 0.0]])
    f = pair_cost_factor(m0, m0, cost)
    assert np.array_equal(f, np.ones((1, 3, 3)))
    f = pair_cost_factor(np.array([[1.32, 1.0, 1.1]]), m0, cost)
    # Economy 0's edges cost 10 % more: a pair whose transport costs a quarter of the
    # cargo's value costs 0.1 x 0.25 / 1.25 = 2 % more, not 10 %.
    assert f[0, 0, 0] == 1.0 and math.isclose(f[0, 0, 1], 1.02)
    assert math.isclose(f[0, 2, 0], 1.0 + 0.1 * 0.4 / 1.4)
    assert np.array_equal(f[0, 1:, 1:], np.ones((2, 2)))  # neither end moved
    f = pair_cost_factor(np.array([[1.2, 1.1, 1.1]]), m0, cost)
    assert math.isclose(f[0, 1, 2], 1.1), "no route (inf): the whole cost is transport"


def test_bad_instability_series_gives_file_line_error(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "name: s\nyears: {start: 2025, end: 2030}\nparameters:\n"
        "  mechanisms: {security: security}\n"
        "  security:\n    instability: {2025: 1.0, 2028: -2.0}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.yaml")
    (item,) = info.value.errors
    assert item.file.endswith("s.yaml") and item.line == 6
    assert item.path == "parameters.security.instability"
    assert "in [0, 10]" in item.message and "-2" in item.message
    (tmp_path / "t.yaml").write_text(
        "name: t\nyears: {start: 2025, end: 2030}\nparameters:\n  security:\n"
        "    instability:\n      2026: 1.0\n      2040: 2.0\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "t.yaml")
    msgs = {(e.line, e.path): e.message for e in info.value.errors}
    assert any("after years.start 2025" in m for m in msgs.values())
    assert (7, "parameters.security.instability[2040]") in msgs


def test_trade_costs_follow_the_expected_rate_not_the_noise_of_observed_counts() -> None:
    """Without a network the trade-cost factor is priced at the expected incident rate:
    an economy whose rate does not move keeps its trade costs in every run, so noise in
    its observed counts gives no welfare change. (Priced at the concave index of noisy
    observed counts, Myanmar's factor averaged 0.96 and its welfare rose 1.7 % in
    ``afghan_instability.yaml``, where only Afghanistan's instability moves.)"""
    from scosim.security.model import edge_cost_multiplier, insecurity_index

    sc = load_scenario(SCENARIOS / "afghan_instability.yaml")
    model = run_model(sc, runs=range(40))
    rec = _records(model)
    mech = next(m for _, m in model.mechanisms if hasattr(m, "mult0"))
    p = mech.system.params
    last = {k: v[:, -1] for k, v in rec.items()}
    # The identity: the recorded factor is the pair factor of the expected rate's multiplier.
    mult = edge_cost_multiplier(insecurity_index(last["expected_incidents"], p.incidents_half),
                                p.cost_markup)
    f = pair_cost_factor(mult, mech.mult0, mech.transport_cost)
    n = model.N
    off = ~np.eye(n, dtype=bool)
    np.testing.assert_allclose(last["trade_cost_factor_security"],
                               (f * off).sum(axis=2) / (n - 1), rtol=1e-12)
    mmr = model.codes.index("MMR")
    assert np.std(last["incidents"][:, mmr]) > 10  # its observed counts are noisy
    assert abs(last["trade_cost_factor_security"][:, mmr].mean() - 1.0) < 0.005
    assert abs(last["welfare_change_pct"][:, mmr].mean()) < 0.2


def test_insecurity_prices_freight_not_the_cargo_without_a_network() -> None:
    """Without a network, insecurity multiplies a pair's transport cost, a share
    ``c / (1 + c)`` of its iceberg cost (``c`` from the network tables), not the whole
    iceberg cost. Multiplying the whole cost raised China's trade costs with every
    partner by about 1 % on eight incidents a year of Afghan spillover (its trade fell
    3-4 %, Mongolia's welfare 0.9 %). Checked on Pakistan, which takes the largest share of
    the spillover (border length: 45 %)."""
    from scosim.network.step import CorridorNetwork
    from scosim.security.model import edge_cost_multiplier, insecurity_index

    sc = load_scenario(SCENARIOS / "afghan_instability.yaml", overrides=SHORT)
    model = run_model(sc, runs=[0, 1])
    last = {k: v[:, -1] for k, v in _records(model).items()}
    mech = next(m for _, m in model.mechanisms if hasattr(m, "mult0"))
    p = mech.system.params
    mult = edge_cost_multiplier(insecurity_index(last["expected_incidents"], p.incidents_half),
                                p.cost_markup)
    ratio = mult / mech.mult0
    g = ratio[:, :, None] * ratio[:, None, :]
    cost = CorridorNetwork().baseline_cost
    n = model.N
    off = ~np.eye(n, dtype=bool)
    pak = model.codes.index("PAK")
    assert (ratio[:, pak] > 1.001).all(), "Afghan spillover raises Pakistan's expected rate"
    # The recorded factor is the change of the transport cost, partner by partner.
    expect = 1.0 + (g - 1.0) * cost / (1.0 + cost)
    np.testing.assert_allclose(last["trade_cost_factor_security"],
                               (expect * off).sum(axis=2) / (n - 1), rtol=1e-12)
    # So Pakistan's factor rises by less than its multiplier: freight is a fraction of value.
    share = (cost / (1.0 + cost))[pak][off[pak]].max()
    rise = last["trade_cost_factor_security"][:, pak] - 1.0
    assert (rise <= share * ((g[:, pak] - 1.0) * off[pak]).max(axis=1) + 1e-12).all()
    assert (rise < 0.5 * (ratio[:, pak] - 1.0)).all()


def test_bad_rats_participants_name_the_field_not_pydantic_branches(tmp_path: Path) -> None:
    """A bad code or a bare string in ``participants`` gives one error at the field (it gave
    two, at ``participants.literal['members']`` and ``participants.list[function-after[
    <lambda>(), str]][1]``, pydantic's union branches)."""
    base = ("name: s\nyears: {start: 2025, end: 2030}\nparameters:\n"
            "  mechanisms: {security: security}\nproposals:\n"
            "  - {type: rats_upgrade, id: r, year: 2026, proposer: KAZ, participants: %s}\n")
    for value, path, words in (("[KAZ, XXX]", "proposals[0].participants[1]",
                                ("unknown country code 'XXX'", "allowed: CHN")),
                               ("KAZ", "proposals[0].participants", ("'KAZ'", "members"))):
        (tmp_path / "s.yaml").write_text(base % value)
        with pytest.raises(ScenarioError) as info:
            load_scenario(tmp_path / "s.yaml")
        (item,) = info.value.errors
        assert item.path == path and item.line == 6
        assert all(w in item.message for w in words), item.message
    (tmp_path / "s.yaml").write_text(base % "[KAZ, TJK]")
    assert load_scenario(tmp_path / "s.yaml").proposals[0].participants == ["KAZ", "TJK"]
