"""A mechanism's step is the year's: called from a preview it is refused (run_step).

Until 2026-12-07 a step a preview called (a proposal type's own ``preview`` running a
mechanism's step on a copy of its state, to see what the year would do; a preview hook
running its own step) was checked only for the levers it wrote, and ran. But a step
moves more than levers: the banking systems' balance sheets and random draws, the
network's step, the security incidents. With the finance slot's ``banking_systems`` and
a preview that called its step, a 2025-2027 run's fiscal cost fell from 2.09e12 to
3.72e10, without an error. Now such a call stops the run, naming the mechanism and the
preview hooks to use instead.
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


REFUSED = "its step was called outside the year's slots phase"
INSTEAD = "preview_levers, preview_cost_factor or preview_income"


def test_a_proposal_s_preview_that_calls_a_step_is_refused_naming_the_mechanism():
    """Before: the step ran on the preview's copy, unchecked but for its levers."""
    for finance, name in (("DoubleGrant", "double_grant"), ("StepGate", "step_gate")):
        with pytest.raises(PluginError) as err:
            _peek(_model(f"{PKG}:{finance}"))
        msg = str(err.value)
        assert msg.startswith(f"mechanism {name!r} (finance slot): {REFUSED}"), msg
        assert INSTEAD in msg


def test_the_year_s_step_is_not_refused_nested_super_step_included():
    """No false alarm: the year's step, adding twice through super().step, runs."""
    m = run_model(validate_data(_data(f"{PKG}:DoubleGrant", proposal=None)))
    np.testing.assert_allclose(m.policy.levers["welfare_income_share"], 0.02, rtol=0,
                               atol=1e-15)


def test_a_preview_calling_the_banking_systems_step_stops_the_run():
    """The reviewer's case: before, the preview used up the systems' draws and moved their
    balance sheets, and the run went on with other numbers; now it stops at the preview."""
    with pytest.raises(PluginError) as err:
        run_model(validate_data(_data("banking_systems")))
    assert str(err.value).startswith(f"mechanism 'banking_systems' (finance slot): {REFUSED}")
    notes = " ".join(getattr(err.value, "__notes__", ()))
    assert "proposal type 'gate_peek' (proposal 'gate'), tabled in 2025" in notes


def test_a_step_nested_in_itself_on_another_state_is_refused():
    """Before: the nested call, keyed by the mechanism alone, ran unchecked on the copy
    and wrote a lever its writes_levers leaves out."""
    with pytest.raises(PluginError) as err:
        run_model(validate_data(_data(f"{PKG}:NestedCopy", proposal=None)))
    assert str(err.value).startswith(f"mechanism 'nested_copy' (finance slot): {REFUSED}")


def test_a_preview_hook_that_steps_on_the_state_it_is_given_is_refused():
    """Before: the hook's step raised the preview state's costs, which later slots and
    the preview's welfare read; the factor it returned was multiplied in on top."""
    from scosim.model.policy import preview_policy, with_slot_costs

    model = _model(f"{PKG}:CostlyPeek", proposal=None)
    with pytest.raises(PluginError) as err:
        with_slot_costs(model, preview_policy(model))
    assert str(err.value).startswith(f"mechanism 'costly_peek' (finance slot): {REFUSED}")


def test_a_preview_hook_that_writes_the_state_it_is_given_is_refused_without_copy_advice():
    """Its message used to advise running the step on policy.copy(), which moves the
    mechanism's own state as much as the year's step does."""
    from scosim.model.policy import preview_policy, with_slot_costs

    model = _model(f"{PKG}:ScribblePeek", proposal=None)
    with pytest.raises(PluginError) as err:
        with_slot_costs(model, preview_policy(model))
    msg = str(err.value)
    assert msg.startswith(
        "mechanism 'scribble_peek' (finance slot) changed cost_change of the preview's "
        "policy state in preview_cost_factor: a preview hook returns what its step would do")
    assert "copy" not in msg


def test_scosim_run_refuses_a_preview_s_step_in_one_line(tmp_path):
    """The CLI's one-line error, without a traceback, pointing at the preview's line."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import scosim

    scen = tmp_path / "peek.yaml"
    scen.write_text(
        "name: peek\nyears: {start: 2025, end: 2026}\nreplications: 1\n"
        f"parameters:\n  mechanisms: {{finance: '{PKG}:DoubleGrant'}}\n"
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
    assert f"mechanism 'double_grant' (finance slot): {REFUSED}" in err
    assert INSTEAD in err
    assert "(in proposal type 'gate_peek' (proposal 'gate'), tabled in 2025: GatePeek.preview" \
        in err
