"""Who writes a lever: one writer per lever, the welfare levers added (lever_writers).

Two gaps, found and left on 2026-12-06: two mechanisms previewing one lever were refused
only at the first Council preview, after the run had started (``scosim validate`` said
nothing), and a mechanism's preview or step that wrote a lever a proposal's ``apply``
had written replaced the proposal's value without a word. Plug-ins now declare the levers
they write (``writes_levers``), validation refuses the clashes the declarations show,
and the run refuses the others naming both writers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scosim.plugins import PluginError
from scosim.runner import run_model
from scosim.scenario import ScenarioError, validate_data

PKG = "plugin_pkgs.toy_levers"
GATE_PASS = f"{PKG}:GatePass"
GATE_PASS_SAID = f"{PKG}:GatePassSaid"
SAID_GATE = f"{PKG}:SaidGate"
SAID_GATE_TOO = f"{PKG}:SaidGateToo"
STEP_GATE = f"{PKG}:StepGate"
LYING_GATE = f"{PKG}:LyingGate"
INCOME_PREVIEW = f"{PKG}:IncomePreview"
UNDECLARED_GATE = "plugin_pkgs.toy_beside:ToyGate"  # previews toy_gate, declares nothing

pytestmark = pytest.mark.usefixtures("forget_test_plugins")


def _data(mechanisms: dict, proposal: str | None = None) -> dict:
    data = {"name": "levers", "years": {"start": 2025, "end": 2026}, "replications": 2,
            "seed": 3, "parameters": {"mechanisms": mechanisms,
                                      "rules": {"vote": "always_yes",
                                                "defect": "never_defect"}}}
    if proposal is not None:
        data["proposals"] = [{"type": proposal, "id": "gate", "year": 2025, "proposer": "KAZ",
                              "participants": ["KAZ", "KGZ", "UZB"]}]
    return data


def _cli(tmp_path: Path, command: str, body: str) -> subprocess.CompletedProcess[str]:
    import scosim

    scen = tmp_path / "clash.yaml"
    scen.write_text("name: clash\nyears: {start: 2025, end: 2026}\nreplications: 1\n" + body)
    tests = Path(__file__).parent
    path = os.pathsep.join([str(tests), str(Path(scosim.__file__).parents[1])])
    argv = [sys.executable, "-m", "scosim", command, str(scen)]
    if command == "run":
        argv += ["--out", str(tmp_path / "results")]
    return subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": path})


@pytest.mark.parametrize("command", ["validate", "run"])
def test_two_mechanisms_declaring_one_lever_are_refused_before_the_run(tmp_path, command):
    """Before: validation passed, and the run failed at its first Council preview."""
    r = _cli(tmp_path, command, "parameters:\n  mechanisms:\n"
             f"    security: {SAID_GATE}\n    network: {SAID_GATE_TOO}\n")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert ("clash.yaml:7: parameters.mechanisms.network: mechanism 'said_gate_too' (network "
            "slot) writes the lever 'toy_gate', which mechanism 'said_gate' (security slot) "
            "writes too") in r.stderr.replace("\n", " ").replace("  ", " ")
    if command == "run":
        out = tmp_path / "results"
        assert not out.exists() or not any(out.rglob("*"))


def test_a_mechanism_declaring_a_proposal_type_s_lever_is_refused_at_validation():
    with pytest.raises(ScenarioError) as err:
        validate_data(_data({"security": SAID_GATE}, GATE_PASS_SAID))
    msg = " ".join(str(err.value).split())
    assert "parameters.mechanisms.security" in msg
    assert ("mechanism 'said_gate' (security slot) writes the lever 'toy_gate', which "
            "proposal type 'gate_pass_said' (proposals[0], id 'gate') writes too") in msg
    # Alone, each is fine: the clash is the pair's.
    validate_data(_data({"security": SAID_GATE}))
    validate_data(_data({}, GATE_PASS_SAID))


def test_the_welfare_levers_add_so_declaring_them_twice_is_no_clash():
    """A proposal type and a mechanism both declare the income lever: each adds its share."""
    from scosim.scenario.levers import lever_issues

    scenario = validate_data(_data({"finance": f"{PKG}:SaidGrant"}, f"{PKG}:IncomeClub"))
    assert lever_issues(scenario) == []
    m = run_model(scenario)
    (arr,) = m.arrangements
    assert arr.in_force.all()  # from 2026, the last year
    inside = arr.participants & arr.in_force[:, None]
    # The club's 0.2 % inside plus the grant's 1 % everywhere: neither replaced the other.
    np.testing.assert_allclose(m.policy.levers["welfare_income_share"],
                               0.01 + 0.002 * inside, rtol=0, atol=1e-15)
    assert inside.sum() == 3 * m.R


def test_a_mechanism_preview_replacing_a_proposal_s_lever_is_refused_naming_both():
    """Before: the preview's 0.1 replaced the proposal's 1 inside the gate, unseen."""
    from scosim.model.model import SCOModel
    from scosim.model.policy import build_policy, preview_policy

    model = SCOModel(validate_data(_data({"security": UNDECLARED_GATE}, GATE_PASS)),
                     runs=[0, 1])
    (arr,) = model.arrangements
    arr.in_force[:] = True
    arr.participants[:, [model.codes.index(c) for c in ("KAZ", "KGZ", "UZB")]] = True
    arr.phase = np.ones(model.R)
    assert build_policy(model).levers["toy_gate"].sum() == 3 * model.R  # the proposal's
    with pytest.raises(PluginError) as err:
        preview_policy(model)
    msg = str(err.value)
    assert ("mechanism 'toy_gate' (security slot) previews the lever 'toy_gate', which "
            "proposal type 'gate_pass' (proposal 'gate') writes in apply") in msg


def test_a_proposal_s_apply_over_a_previewed_lever_is_refused_in_its_preview():
    """The other order: the Council's preview applies the proposal on the slots' levers."""
    with pytest.raises(PluginError) as err:
        run_model(validate_data(_data({"security": UNDECLARED_GATE}, GATE_PASS)))
    assert ("proposal type 'gate_pass' (proposal 'gate') writes the lever 'toy_gate' in "
            "apply, which mechanism 'toy_gate' (security slot) writes too") in str(err.value)


def test_a_step_replacing_a_proposal_s_lever_is_refused_naming_both():
    """Before: the finance step closed the gate the proposal had opened, and the run went on."""
    data = _data({"finance": STEP_GATE}, GATE_PASS)
    with pytest.raises(PluginError) as err:
        run_model(validate_data(data))
    msg = str(err.value)
    assert ("mechanism 'step_gate' (finance slot) wrote the lever 'toy_gate' in its step, "
            "which proposal type 'gate_pass' (proposal 'gate') wrote in apply") in msg
    assert any("step of 2026" in n for n in err.value.__notes__)  # in force from 2026
    # Without the proposal the step is the lever's one writer.
    alone = run_model(validate_data(_data({"finance": STEP_GATE})))
    assert np.array_equal(alone.policy.levers["toy_gate"], np.zeros((2, alone.N)))


def test_a_step_changing_a_proposal_s_lever_in_place_is_refused():
    """An in-place write keeps the array's identity; the values still tell."""
    from scosim.model.model import SCOModel
    from scosim.model.phases import slots_phase
    from scosim.model.policy import build_policy

    model = SCOModel(validate_data(_data({}, GATE_PASS)), runs=[0, 1])
    (arr,) = model.arrangements
    arr.in_force[:] = True
    arr.participants[:, model.codes.index("KAZ")] = True
    arr.phase = np.ones(model.R)
    model.policy = build_policy(model)
    slots_phase(model, 2025)  # the built-ins leave toy_gate alone

    class Zero:
        name, writes_levers = "zeroing", None

        def step(self, model, policy, year):
            policy.levers["toy_gate"][:] = 0.0

    model.mechanisms = [("finance", Zero())]
    model.policy = build_policy(model)
    with pytest.raises(PluginError, match="mechanism 'zeroing' .finance slot. wrote the lever "
                                          "'toy_gate' in its step, which proposal type"):
        slots_phase(model, 2025)


def test_a_welfare_lever_in_preview_levers_is_refused():
    """Income is previewed by preview_income; as a lever it replaced what apply wrote."""
    from scosim.model.model import SCOModel
    from scosim.model.policy import preview_policy

    model = SCOModel(validate_data(_data({"finance": INCOME_PREVIEW})), runs=[0, 1])
    with pytest.raises(PluginError, match=r"mechanism 'income_preview' \(finance slot\) "
                                          r"previews the lever 'welfare_income_share'.*"
                                          r"preview_income"):
        preview_policy(model)


def test_a_write_the_declaration_leaves_out_stops_the_run():
    with pytest.raises(PluginError, match=r"mechanism 'lying_gate' \(finance slot\) wrote the "
                                          r"lever 'toy_gate', which its `writes_levers` does "
                                          r"not declare \(declared: none\)"):
        run_model(validate_data(_data({"finance": LYING_GATE})))


def test_writes_levers_must_be_a_tuple_of_names():
    from scosim.model.slots import Mechanism, register_mechanism

    class Loose(Mechanism):
        name = "loose_gate"
        slot = "finance"
        writes_levers = "toy_gate"  # a string: its letters would be the levers

    with pytest.raises(PluginError, match="`writes_levers` must be None .* or a tuple of lever "
                                          "names, got 'toy_gate'"):
        register_mechanism(Loose)


def test_scosim_s_own_plugins_declare_their_levers_and_share_none_but_the_welfare_ones():
    """What lets every built-in scenario validate and run as before."""
    from scosim.model.gdp_shares import WELFARE_LEVERS
    from scosim.model.lever_writers import ADDITIVE_LEVERS
    from scosim.model.mechanism_names import LAZY, WRITES
    from scosim.model.slots import get_mechanism
    from scosim.proposals import builtin_types, get_type
    from scosim.proposals.builtin import WRITES as TYPE_WRITES

    assert ADDITIVE_LEVERS == WELFARE_LEVERS
    mechanisms = {m: get_mechanism(m).writes_levers for m in LAZY}
    types = {t: get_type(t).writes_levers for t in builtin_types()}
    assert mechanisms == WRITES and types == TYPE_WRITES  # declared as the classes say
    owner: dict[str, str] = {}
    for who, levers in [*types.items(), *mechanisms.items()]:
        assert levers is not None, who
        for lever in levers:
            if lever in ADDITIVE_LEVERS:
                continue
            # Types may share one (composed in the scenario's order); a mechanism may not.
            assert lever not in owner or (who in types and owner[lever] in types), (lever, who)
            owner[lever] = who
    assert {"insecurity", "rats_pooling", "finance.settlement_floor"} <= set(owner)
