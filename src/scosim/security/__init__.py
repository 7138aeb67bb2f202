"""Security cooperation (MODEL.md section 5): RATS, terrorism, drug routes, information security.

Pure, run-batched kernels plus a small :class:`SecuritySystem` holding the calibrated
set-up, and the ``security_cooperation`` mechanism (slot ``security``). See docs/security.md.

The names below are imported on first use (PEP 562), so that scenario validation loads
only the light modules it needs (:mod:`scosim.security.params`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scosim._lazy import lazy_exports

if TYPE_CHECKING:
    from scosim.security.calibration import (
        SecurityCalibration,
        SecurityTableError,
        load_security_calibration,
    )
    from scosim.security.game import (
        HERO,
        PREEMPTION,
        WEAKEST_LINK,
        Technology,
        payoff,
        pure_nash,
    )
    from scosim.security.model import INDICATORS, SecuritySystem, simulate
    from scosim.security.params import CHANNELS, SecurityParams
    from scosim.security.proposal import (
        RatsUpgradeProposal,
        adopt,
        expected_security_gain,
        rats_levels,
    )
    from scosim.security.rules import EFFORT_RULES, EffortContext, register_cooperate_rules
    from scosim.security.state import (
        SecurityState,
        edge_cost_multiplier,
        insecurity_index,
        trust_effect,
    )

_EXPORTS = {
    "CHANNELS": "params",
    "EFFORT_RULES": "rules",
    "HERO": "game",
    "INDICATORS": "model",
    "PREEMPTION": "game",
    "WEAKEST_LINK": "game",
    "adopt": "proposal",
    "EffortContext": "rules",
    "RatsUpgradeProposal": "proposal",
    "SecurityCalibration": "calibration",
    "SecurityParams": "params",
    "SecurityState": "state",
    "SecuritySystem": "model",
    "SecurityTableError": "calibration",
    "Technology": "game",
    "edge_cost_multiplier": "state",
    "expected_security_gain": "proposal",
    "insecurity_index": "state",
    "load_security_calibration": "calibration",
    "payoff": "game",
    "pure_nash": "game",
    "rats_levels": "proposal",
    "register_cooperate_rules": "rules",
    "simulate": "model",
    "trust_effect": "state",
}

__all__ = [
    "CHANNELS",
    "EFFORT_RULES",
    "EffortContext",
    "HERO",
    "INDICATORS",
    "PREEMPTION",
    "RatsUpgradeProposal",
    "SecurityCalibration",
    "SecurityParams",
    "SecurityState",
    "SecuritySystem",
    "SecurityTableError",
    "Technology",
    "WEAKEST_LINK",
    "adopt",
    "edge_cost_multiplier",
    "expected_security_gain",
    "insecurity_index",
    "load_security_calibration",
    "payoff",
    "pure_nash",
    "rats_levels",
    "register_cooperate_rules",
    "simulate",
    "trust_effect",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
