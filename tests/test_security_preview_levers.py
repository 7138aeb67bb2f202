"""Previews and corridor financing see the security slot's insecurity (preview_levers).

With the security and network slots both filled, the network prices the routes at the
security mechanism's expected insecurity, not at ``parameters.network.instability``
(docs/security.md section 12). A corridor's preview and the financing it fixes when it
enters into force run before the slots, so they ask the mechanism what it would write now
(:meth:`Mechanism.preview_levers`, :func:`scosim.model.policy.preview_policy`). Checked
against the step itself: with efforts at their fixed point, what the mechanism says at the
start of a year is what its step then writes; and the Trans-Afghan railway's failure risk
rises with Afghan instability, as it does when the network reads the scenario's series.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scosim.data.constants import ECONOMIES
from scosim.model.model import SCOModel
from scosim.model.policy import build_policy, preview_policy
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
AFG = ECONOMIES.index("AFG")


def _model(name: str, runs: list[int] | None = None) -> SCOModel:
    return SCOModel(load_scenario(SCENARIOS / f"{name}.yaml"), runs=runs or [0, 1])


def _security(model: SCOModel):
    return next(m for slot, m in model.mechanisms if slot == "security")


def test_what_the_mechanism_says_before_the_year_is_what_its_step_writes() -> None:
    model = _model("afghan_corridor")
    mech = _security(model)
    for _ in range(4):  # 2025-2028: the instability rises every year
        said = mech.preview_levers(model)["insecurity"]
        model.step()
        np.testing.assert_array_equal(said, model.policy.levers["insecurity"])
    assert (said[:, AFG] > 0.02).all()


def test_preview_policy_carries_it_and_build_policy_does_not() -> None:
    model = _model("afghan_corridor")
    model.step()
    assert "insecurity" not in build_policy(model).levers
    np.testing.assert_array_equal(preview_policy(model).levers["insecurity"],
                                  _security(model).preview_levers(model)["insecurity"])
    # Without the network slot the step prices insecurity itself: no lever to preview.
    alone = _model("afghan_instability")
    assert _security(alone).preview_levers(alone) == {}


def test_railway_failure_risk_rises_with_afghan_instability() -> None:
    """The railway's expected loss from failure, fixed when it enters into force (2027),
    is larger where Afghan instability rises than where it stays at 2018-2022 levels."""
    risk = {}
    for name in ("afghan_corridor_stable", "afghan_corridor"):
        model = _model(name)
        while model.year <= 2027:
            model.step()
        arr = next(a for a in model.arrangements if a.pid == "trans_afghan")
        assert arr.in_force.all()
        risk[name] = arr.risk.sum(axis=1)
    assert (risk["afghan_corridor"] > risk["afghan_corridor_stable"] * 1.05).all(), risk
