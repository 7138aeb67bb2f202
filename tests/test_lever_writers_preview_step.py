"""A step called from a preview is checked as the year's step is (lever_writers.run_step).

Until 2026-12-07 only the year's slots phase checked the levers a mechanism's step
wrote: a proposal type's own ``preview`` that ran a mechanism's step (to see what the
year would do to its state), or a mechanism's preview hook that ran its own step on the
state it was given, wrote any lever unchecked: one a proposal wrote, one the step's
``writes_levers`` leaves out, or the preview's own state, which later slots and the
preview's welfare read.
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.plugins import PluginError
from scosim.runner import run_model
from scosim.scenario import validate_data

PKG = "plugin_pkgs.toy_levers"

pytestmark = pytest.mark.usefixtures("forget_test_plugins")


def _data(finance: str, proposal: str | None = f"{PKG}:GatePeek") -> dict:
    data = {"name": "peek", "years": {"start": 2025, "end": 2026}, "replications": 2,
            "seed": 3, "parameters": {"mechanisms": {"finance": finance},
                                      "rules": {"vote": "always_yes",
                                                "defect": "never_defect"}}}
    if proposal is not None:
        data["proposals"] = [{"type": proposal, "id": "gate", "year": 2025, "proposer": "KAZ",
                              "participants": ["KAZ", "KGZ", "UZB"]}]
    return data


def _model(finance: str, proposal: str | None = f"{PKG}:GatePeek"):
    from scosim.model.model import SCOModel

    model = SCOModel(validate_data(_data(finance, proposal)), runs=[0, 1])
    model.year = 2025
    return model


def _peek(model):
    (arr,) = model.arrangements
    part = np.zeros((model.R, model.N), dtype=bool)
    part[:, [model.codes.index(c) for c in ("KAZ", "KGZ", "UZB")]] = True
    return arr.preview(model, part)


def test_a_preview_s_step_over_a_proposal_s_lever_is_refused_naming_both():
    """Before: the step closed the gate in the preview's copy and the vote read it closed."""
    with pytest.raises(PluginError) as err:
        _peek(_model(f"{PKG}:StepGate"))
    assert ("mechanism 'step_gate' (finance slot) wrote the lever 'toy_gate' in its step, "
            "which proposal type 'gate_peek' (proposal 'gate') wrote in apply") in str(err.value)
    # No false alarm: a declared step that adds to a welfare lever (twice, through a nested
    # super().step, checked once) leaves the gate open for the three participants.
    pv = _peek(_model(f"{PKG}:DoubleGrant"))
    assert (pv.gain > 0).sum() == 3 * 2
    m = run_model(validate_data(_data(f"{PKG}:DoubleGrant", proposal=None)))
    np.testing.assert_allclose(m.policy.levers["welfare_income_share"], 0.02, rtol=0,
                               atol=1e-15)


def test_a_preview_s_step_writing_an_undeclared_lever_stops_the_run_at_the_preview():
    """Before: the preview went on, and the run stopped only at the year's step."""
    with pytest.raises(PluginError) as err:
        run_model(validate_data(_data(f"{PKG}:LyingGate")))
    assert ("mechanism 'lying_gate' (finance slot) wrote the lever 'toy_gate', which its "
            "`writes_levers` does not declare (declared: none); add it there") in str(err.value)
    notes = " ".join(getattr(err.value, "__notes__", ()))
    assert "proposal type 'gate_peek' (proposal 'gate'), tabled in 2025" in notes
    assert "step of" not in notes


def test_a_preview_hook_that_steps_on_the_state_it_is_given_is_refused():
    """Before: the hook's step raised the preview state's costs, which later slots and
    the preview's welfare read; the factor it returned was multiplied in on top."""
    from scosim.model.policy import preview_policy, with_slot_costs

    model = _model(f"{PKG}:CostlyPeek", proposal=None)
    policy = preview_policy(model)
    with pytest.raises(PluginError) as err:
        with_slot_costs(model, policy)
    assert str(err.value).startswith(
        "mechanism 'costly_peek' (finance slot) changed cost_change of the preview's policy "
        "state in preview_cost_factor: a preview hook returns what its step would do")
    assert "policy.copy()" in str(err.value)


def test_scosim_run_names_the_plugin_the_lever_and_what_is_declared(tmp_path):
    """The CLI's one-line error, without a traceback, pointing at the preview's line."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import scosim

    scen = tmp_path / "peek.yaml"
    scen.write_text(
        "name: peek\nyears: {start: 2025, end: 2026}\nreplications: 1\n"
        f"parameters:\n  mechanisms: {{finance: '{PKG}:LyingGate'}}\n"
        "  rules: {vote: always_yes, defect: never_defect}\n"
        f"proposals:\n  - {{type: '{PKG}:GatePeek', id: gate, year: 2025, proposer: KAZ,"
        " participants: [KAZ, KGZ, UZB]}\n")
    path = os.pathsep.join([str(Path(__file__).parent), str(Path(scosim.__file__).parents[1])])
    r = subprocess.run([sys.executable, "-m", "scosim", "run", str(scen), "--out",
                        str(tmp_path / "out"), "--no-plots", "--quiet"],
                       capture_output=True, text=True, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": path})
    assert r.returncode != 0 and "Traceback" not in r.stderr
    err = " ".join(r.stderr.split())
    assert ("mechanism 'lying_gate' (finance slot) wrote the lever 'toy_gate', which its "
            "`writes_levers` does not declare (declared: none)") in err
    assert "(in proposal type 'gate_peek' (proposal 'gate'), tabled in 2025: GatePeek.preview" \
        in err
