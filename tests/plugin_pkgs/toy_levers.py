"""Toy plug-ins that write one lever, ``toy_gate``, for tests/test_lever_writers.py.

``GatePass`` is a proposal type whose ``apply`` opens the gate (1 among participants);
``SaidGate`` and ``SaidGateToo`` are mechanisms declaring the lever in ``writes_levers``
(the security one previews and writes 0.1, the network one 0.2); ``StepGate`` writes it
in its step without declaring it; ``LyingGate`` declares nothing it writes;
``IncomePreview`` previews the income lever through ``preview_levers``; ``GatePeek`` is
a type whose own preview runs the finance slot's step on a copy of its preview's state,
``CostlyPeek`` a mechanism whose ``preview_cost_factor`` runs its step on the state it is
given, ``ScribblePeek`` one whose hook writes that state itself, and ``NestedCopy`` one
whose step runs itself again on a copy (all refused: tests/test_lever_writers_preview_step.py).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from scosim.model.slots import Mechanism
from scosim.proposals import Preview, ProposalSpec, ProposalType
from scosim.scenario.schema import Participants


class GateSpec(ProposalSpec):
    """A gate opened among the participants."""

    type: Literal["gate_pass"]
    participants: Participants = "members"


class GatePass(ProposalType):
    """Writes ``toy_gate`` (R, N): 1 inside, as a visa-free regime writes its lever."""

    name = "gate_pass"
    spec = GateSpec
    default_decision_rule = "interested_members"

    def apply(self, policy, participants, phase, active, terms=None):
        """Open the gate among the participants in force."""
        inside = (participants & active[:, None]).astype(float)
        policy.levers["toy_gate"] = np.maximum(policy.levers.get("toy_gate", inside), inside)


class SaidSpec(ProposalSpec):
    """The declaring gate's spec."""

    type: Literal["gate_pass_said"]
    participants: Participants = "members"


class GatePassSaid(GatePass):
    """:class:`GatePass`, declaring the lever it writes."""

    name = "gate_pass_said"
    spec = SaidSpec
    writes_levers = ("toy_gate",)


class _Gate(Mechanism):
    """Previews and writes ``toy_gate`` at ``gate``, declaring it."""

    gate = 0.0
    writes_levers = ("toy_gate",)

    def preview_levers(self, model):
        """The gate it would write now."""
        return {"toy_gate": np.full((model.R, model.N), self.gate)}

    def step(self, model, policy, year):
        """Write the gate."""
        policy.levers["toy_gate"] = np.full((model.R, model.N), self.gate)


class SaidGate(_Gate):
    """The security slot's gate."""

    name = "said_gate"
    slot = "security"
    gate = 0.1


class SaidGateToo(_Gate):
    """The network slot's gate, the same lever (a clash both declare)."""

    name = "said_gate_too"
    slot = "network"
    gate = 0.2


class StepGate(Mechanism):
    """Writes ``toy_gate`` in its step only, declaring nothing (the run-time check's case)."""

    name = "step_gate"
    slot = "finance"

    def step(self, model, policy, year):
        """Close the gate everywhere."""
        policy.levers["toy_gate"] = np.zeros((model.R, model.N))


class LyingGate(Mechanism):
    """Declares that it writes no lever, then writes ``toy_gate``."""

    name = "lying_gate"
    slot = "finance"
    writes_levers = ()

    def step(self, model, policy, year):
        """Write what it did not declare."""
        policy.levers["toy_gate"] = np.zeros((model.R, model.N))


class IncomePreview(Mechanism):
    """Previews its income by replacing the income lever (``preview_income`` is the way)."""

    name = "income_preview"
    slot = "finance"

    def preview_levers(self, model):
        """1 % of GDP, as a lever."""
        return {"welfare_income_share": np.full((model.R, model.N), 0.01)}


class IncomeSpec(ProposalSpec):
    """An income club's spec."""

    type: Literal["income_club"]
    participants: Participants = "members"


class IncomeClub(ProposalType):
    """Adds 0.2 % of GDP to its participants' income lever in ``apply``, declaring it."""

    name = "income_club"
    spec = IncomeSpec
    default_decision_rule = "interested_members"
    writes_levers = ("welfare_income_share",)

    def apply(self, policy, participants, phase, active, terms=None):
        """Add the club's income (the documented idiom: get or zeros, plus its own)."""
        s = np.where(active[:, None] & participants, 0.002 * np.asarray(phase)[:, None], 0.0)
        policy.levers["welfare_income_share"] = (
            policy.levers.get("welfare_income_share", np.zeros_like(s)) + s)


class SaidGrant(Mechanism):
    """Adds 1 % of GDP a year to every economy's income lever, declaring it."""

    name = "said_grant"
    slot = "finance"
    writes_levers = ("welfare_income_share",)

    def step(self, model, policy, year):
        """Add its share to what the proposals wrote."""
        levers = policy.levers
        levers["welfare_income_share"] = (
            levers.get("welfare_income_share", np.zeros((model.R, model.N))) + 0.01)

    def preview_income(self, model, policy):
        """What :meth:`step` adds."""
        return np.full((model.R, model.N), 0.01)


class PeekSpec(ProposalSpec):
    """The peeking gate's spec."""

    type: Literal["gate_peek"]
    participants: Participants = "members"


class GatePeek(GatePass):
    """:class:`GatePass`, declaring its lever, whose preview asks the finance slot's step.

    The preview runs the step on a copy of the state with the gate open (what the year
    will do to it) and scores the gate the step leaves: a custom preview that calls a
    step, which the run refuses (a step is the year's; it moves the mechanism's state).
    """

    name = "gate_peek"
    spec = PeekSpec
    writes_levers = ("toy_gate",)

    def preview(self, model, participants, terms=None):
        """Each participant's gain: the gate left open after the finance slot's step."""
        from scosim.model.policy import preview_policy

        policy = self.policy_if_adopted(model, participants,
                                        without=preview_policy(model, exclude=self))
        peek = policy.copy()
        for slot, mech in model.mechanisms:
            if slot == "finance":
                mech.step(model, peek, model.year)
        gate = peek.levers.get("toy_gate", np.zeros((model.R, model.N)))
        return Preview(gain=0.001 * gate * participants)


class CostlyPeek(Mechanism):
    """Raises every trade cost 1 % a year; previews it by running its step on the state."""

    name = "costly_peek"
    slot = "finance"
    writes_levers = ()

    def step(self, model, policy, year):
        """One per cent on every pair."""
        policy.cost_change = policy.cost_change * 1.01

    def preview_cost_factor(self, model, policy):
        """The step's factor, read off the state it stepped (the state is then changed)."""
        before = policy.cost_change
        self.step(model, policy, model.year)
        return policy.cost_change / before


class DoubleGrant(SaidGrant):
    """:class:`SaidGrant`'s step twice (``super().step`` nested: checked once)."""

    name = "double_grant"

    def step(self, model, policy, year):
        """Two grants of 1 %."""
        super().step(model, policy, year)
        super().step(model, policy, year)


class ScribblePeek(CostlyPeek):
    """Previews its factor by writing it into the state it is given, without a step."""

    name = "scribble_peek"

    def preview_cost_factor(self, model, policy):
        """The factor, also multiplied into the preview's state (which it must leave)."""
        policy.cost_change = policy.cost_change * 1.01
        return np.full_like(policy.cost_change, 1.01)


class NestedCopy(Mechanism):
    """Declares no lever; its step runs itself once more on a copy, which writes a gate."""

    name = "nested_copy"
    slot = "finance"
    writes_levers = ()

    def step(self, model, policy, year):
        """On the year's state nothing; on a copy, the gate (what it did not declare)."""
        if policy is model.policy:
            self.step(model, policy.copy(), year)
        else:
            policy.levers["toy_gate"] = np.zeros((model.R, model.N))
