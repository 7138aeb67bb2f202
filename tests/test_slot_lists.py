"""A slot holding a list of mechanisms: a plug-in beside a built-in, not instead of it.

``parameters.mechanisms: {network: [corridor_network, power_pool]}`` steps both, in list
order. The first keeps the slot's random stream (every scenario written before lists
draws what it drew), the others get streams keyed by slot and name; the manifest, the
run's answer and the previews count each.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scosim.model.rng import RunStreams
from scosim.runner import run_model
from scosim.scenario import ScenarioError, validate_data

INSECURITY = "plugin_pkgs.toy_security:ToyInsecurity"
DRAWS = "plugin_pkgs.toy_beside:ToyDraws"
GRANT = "plugin_pkgs.toy_beside:ToyGrant"
LEVY = "plugin_pkgs.toy_beside:ToyLevy"
ROUTE = "plugin_pkgs.toy_beside:ToyRoute"
CLASH = "plugin_pkgs.toy_beside:ToyClash"
GATE = "plugin_pkgs.toy_beside:ToyGate"
GATE_TOO = "plugin_pkgs.toy_beside:ToyGateToo"

pytestmark = pytest.mark.usefixtures("forget_test_plugins")


def _scenario(**mechanisms):
    return validate_data({
        "name": "lists", "years": {"start": 2025, "end": 2027}, "replications": 4,
        "seed": 11, "parameters": {"mechanisms": mechanisms},
    })


def _rec(model, name: str) -> np.ndarray:
    return np.stack(model.records[name], axis=1)


def test_a_name_is_a_one_element_list_with_the_same_hash():
    from scosim.scenario.loader import scenario_hash

    one, listed = _scenario(security=INSECURITY), _scenario(security=[INSECURITY])
    assert listed.parameters.mechanisms == one.parameters.mechanisms
    assert scenario_hash(listed) == scenario_hash(one)
    assert _scenario(security=[]).parameters.mechanisms["security"] is None


def test_a_second_mechanism_draws_its_own_stream_and_leaves_the_first_unchanged():
    alone = run_model(_scenario(security=INSECURITY))
    both = run_model(_scenario(security=[INSECURITY, DRAWS]))
    # The first's draws and everything recorded are bit for bit those it gave alone.
    for name in ("insecurity_rise", "welfare_change_pct", "gdp_usd"):
        assert np.array_equal(_rec(both, name), _rec(alone, name)), name
    assert "toy_draw" not in alone.records
    # The second draws from the stream keyed "security/toy_draws", not the slot's.
    draws = _rec(both, "toy_draw")[:, 0, 0]
    want = RunStreams(11, both.run_ids, "security/toy_draws").uniform()
    assert np.array_equal(draws, want)
    first_u = RunStreams(11, both.run_ids, "security").uniform()
    assert np.allclose(_rec(alone, "insecurity_rise")[:, 0, alone.codes.index("AFG")],
                       0.2 * (0.5 + first_u))
    assert not np.isin(draws, first_u).any()


def test_the_first_in_the_list_has_the_slot_s_stream():
    """Listed first, the same mechanism draws what the slot's mechanism drew alone."""
    alone = run_model(_scenario(security=DRAWS))
    first = run_model(_scenario(security=[DRAWS, INSECURITY]))
    assert np.array_equal(_rec(first, "toy_draw"), _rec(alone, "toy_draw"))
    assert [(s, m.name) for s, m in first.mechanisms][1:3] == [
        ("security", "toy_draws"), ("security", "toy_insecurity")]


def test_previews_add_the_income_of_every_mechanism_in_a_slot():
    from scosim.model.model import SCOModel
    from scosim.model.policy import preview_policy, slot_income

    model = SCOModel(_scenario(finance=[GRANT, LEVY]), runs=[0, 1])
    income = slot_income(model, preview_policy(model))
    np.testing.assert_allclose(income, 0.01 - 0.004, rtol=0, atol=1e-15)
    model.step()
    np.testing.assert_allclose(model.policy.levers["welfare_income_share"], 0.006,
                               rtol=0, atol=1e-15)


def test_two_mechanisms_previewing_one_lever_are_refused_naming_both():
    """Merged by name, the later preview silently replaced the earlier one's lever."""
    from scosim.model.model import SCOModel
    from scosim.model.policy import preview_policy
    from scosim.plugins import PluginError

    alone = SCOModel(_scenario(security=GATE), runs=[0, 1])
    assert np.array_equal(preview_policy(alone).levers["toy_gate"], np.full((2, alone.N), 0.1))
    model = SCOModel(_scenario(security=GATE, network=GATE_TOO), runs=[0, 1])
    with pytest.raises(PluginError) as err:
        preview_policy(model)
    msg = str(err.value)
    assert "mechanism 'toy_gate_too' (network slot)" in msg
    assert "mechanism 'toy_gate' (security slot)" in msg
    assert "lever 'toy_gate'" in msg


def test_the_manifest_and_the_answer_name_each_mechanism():
    from scosim.mechanism_answer import declared_headline, welfare_versus
    from scosim.model.slots import keyed
    from scosim.plugin_manifest import declared_mechanisms, recorded_mechanisms
    from scosim.plugins import plugin_origins

    sc = _scenario(security=[INSECURITY, DRAWS])
    decl = declared_mechanisms(sc)
    assert [(k, r["name"]) for k, r in decl.items()] == [
        ("growth", "calibrated_growth"), ("security", "toy_insecurity"),
        ("security[1]", "toy_draws"), ("trade", "ge_trade")]
    assert list(plugin_origins(sc)["mechanisms"]) == list(decl)
    # Read back from a manifest, as the run's answer reads it.
    manifest = {"plugins": {"declared": {"mechanisms": decl}}}
    recorded = recorded_mechanisms(manifest, "manifest.json")
    head = declared_headline(keyed(sc.parameters.mechanisms), recorded)
    assert head["toy_draw"].heading == "toy_draws (the security slot)"
    assert welfare_versus(keyed(sc.parameters.mechanisms), recorded=recorded).startswith(
        "without the policy")


def test_corridor_net_welfare_is_recorded_only_beside_the_corridor_network():
    from scosim.network.corridor import Corridor
    from scosim.network.corridor_record import NET

    assert Corridor.recorded_indicators(_scenario(network=ROUTE)) == {}
    assert list(Corridor.recorded_indicators(_scenario(network="corridor_network"))) == [NET]
    beside = _scenario(network=["corridor_network", ROUTE])
    assert list(Corridor.recorded_indicators(beside)) == [NET]


def test_settings_and_sweeps_reach_a_mechanism_listed_second():
    from scosim.model.slots import setting_param_problem

    toy = "plugin_pkgs.toy_settings:AfghanCosts"
    sc = validate_data({
        "name": "lists", "years": {"start": 2025, "end": 2026}, "replications": 2,
        "parameters": {"mechanisms": {"security": [INSECURITY, toy]},
                       "mechanism_settings": {"toy_afghan_costs": {"rise": 0.3}}}})
    key = "parameters.mechanism_settings.toy_afghan_costs.rise"
    assert setting_param_problem(sc, key) is None


def _validate_cli(tmp_path: Path, mechanisms: str) -> subprocess.CompletedProcess[str]:
    import scosim

    scen = tmp_path / "lists.yaml"
    scen.write_text("name: lists\nyears: {start: 2025, end: 2026}\nreplications: 1\n"
                    f"parameters:\n  mechanisms:\n{mechanisms}")
    tests = Path(__file__).parent
    path = os.pathsep.join([str(tests), str(Path(scosim.__file__).parents[1])])
    return subprocess.run([sys.executable, "-m", "scosim", "validate", str(scen)],
                          capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": path})


def test_a_mechanism_twice_or_in_another_slot_is_refused_at_its_line(tmp_path):
    r = _validate_cli(tmp_path, f"    security: [{INSECURITY}, {DRAWS}, {INSECURITY}]\n"
                                f"    network: [corridor_network, {GRANT}]\n")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert ("lists.yaml:6: parameters.mechanisms.security[2]: mechanism 'toy_insecurity' is "
            "listed twice in the security slot") in r.stderr
    assert ("lists.yaml:7: parameters.mechanisms.network[1]: mechanism "
            f"'{GRANT}' fills slot 'finance', not 'network'") in r.stderr


def test_two_mechanisms_recording_one_indicator_are_refused(tmp_path):
    r = _validate_cli(tmp_path, f"    security: [{INSECURITY}, {CLASH}]\n")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "lists.yaml:6: parameters.mechanisms.security[1]:" in r.stderr
    assert "records 'insecurity_rise'" in r.stderr
    with pytest.raises(ScenarioError, match="records 'insecurity_rise'"):
        _scenario(security=[INSECURITY, CLASH])


def test_the_routes_couplings_ask_for_the_corridor_network_not_a_filled_slot():
    """A plug-in alone in the network slot routes no freight: a corridor proposal is refused
    at validation, and the security slot prices insecurity on its own (no network routes)."""
    from scosim.model.slots import holds
    from scosim.security.mechanism import SecurityMechanism

    corridor = {"type": "corridor", "id": "instc", "year": 2026, "proposer": "IND",
                "project": "INSTC_CHABAHAR"}
    data = {"name": "lists", "years": {"start": 2025, "end": 2027}, "replications": 2,
            "seed": 11, "proposals": [corridor],
            "parameters": {"mechanisms": {"network": ROUTE, "security": "security"}}}
    with pytest.raises(ScenarioError, match="corridor network in the network slot"):
        validate_data(data)
    data["parameters"]["mechanisms"]["network"] = ["corridor_network", ROUTE]
    beside = validate_data(data)
    assert holds(beside.parameters.mechanisms, "network", "corridor_network")
    alone = _scenario(network=ROUTE, security="security")
    # The route cost to Pakistan is the corridor network's shortest route: not without it.
    assert "route_cost_to_pakistan_pct" not in SecurityMechanism.recorded_indicators(alone)
    assert "route_cost_to_pakistan_pct" in SecurityMechanism.recorded_indicators(beside)
