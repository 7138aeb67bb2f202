"""A mechanism and a proposal type with bugs of their own (tests/test_plugin_blame.py)."""

from __future__ import annotations

from typing import Literal

from scosim.model.slots import Mechanism
from scosim.proposals import ProposalSpec, ProposalType


class BrokenStep(Mechanism):
    """Fails in its third year."""

    name = "broken_step"
    slot = "finance"

    def step(self, model, policy, year):
        """Divide by zero in 2027."""
        if year == 2027:
            raise ZeroDivisionError("a bug in my mechanism")


class BrokenApplySpec(ProposalSpec):
    """``type: broken_apply``."""

    type: Literal["broken_apply"]


class BrokenApply(ProposalType):
    """Fails when its policy is built."""

    name = "broken_apply"
    spec = BrokenApplySpec

    def apply(self, policy, participants, phase, active, terms=None):
        """Look up a lever nobody wrote."""
        policy.levers["no_such_lever"] *= 2
