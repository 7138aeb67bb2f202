"""Security cooperation (MODEL.md section 5): RATS, terrorism, drug routes, information security.

Pure, run-batched kernels plus a small :class:`SecuritySystem` holding the calibrated
set-up. See docs/security.md. Not yet wired into the model's phases: that waits for the
mechanism plug-in protocol (issue 11).
"""

from scosim.security.calibration import (
    SecurityCalibration,
    SecurityTableError,
    load_security_calibration,
)
from scosim.security.game import HERO, PREEMPTION, WEAKEST_LINK, Technology, payoff, pure_nash
from scosim.security.model import (
    INDICATORS,
    SecurityState,
    SecuritySystem,
    edge_cost_multiplier,
    insecurity_index,
    simulate,
    trust_effect,
)
from scosim.security.params import CHANNELS, SecurityParams
from scosim.security.proposal import (
    RatsUpgradeProposal,
    adopt,
    expected_security_gain,
    rats_levels,
)
from scosim.security.rules import EFFORT_RULES, EffortContext, register_cooperate_rules

__all__ = [
    "CHANNELS",
    "EFFORT_RULES",
    "HERO",
    "INDICATORS",
    "PREEMPTION",
    "WEAKEST_LINK",
    "adopt",
    "EffortContext",
    "RatsUpgradeProposal",
    "SecurityCalibration",
    "SecurityParams",
    "SecurityState",
    "SecuritySystem",
    "SecurityTableError",
    "Technology",
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
