"""Toy mechanisms listed beside another in one slot (tests/test_slot_lists.py).

``ToyDraws`` draws one number a run from its own stream and writes nothing to the
policy state; ``ToyRoute`` fills the network slot and does nothing; ``ToyGrant`` and
``ToyLevy`` add income (a cost) outside the trade GE, and say so to previews;
``ToyClash`` records the toy security mechanism's indicator; ``ToyGate`` and ``ToyGateToo``
preview one lever name.
"""

from __future__ import annotations

import numpy as np

from scosim.model.slots import Mechanism


class ToyDraws(Mechanism):
    """A U(0, 1) draw per run from its stream, recorded for the first economy."""

    name = "toy_draws"
    slot = "security"
    indicators = {"toy_draw": "U(0, 1)"}
    headline = {"toy_draw": "level"}

    def setup(self, model):
        """Draw once, as the toy insecurity does."""
        self.draw = self.streams(model).uniform()

    def record(self, model, policy):
        """The run's draw, in the first economy's column."""
        out = np.zeros((model.R, model.N))
        out[:, 0] = self.draw
        return {"toy_draw": out}


class _Income(Mechanism):
    """``share`` of GDP a year as income in the finance slot, previewed as it is paid."""

    slot = "finance"
    share = 0.0

    def step(self, model, policy, year):
        """Add to the income lever (what the trade step adds to welfare)."""
        levers = policy.levers
        levers["welfare_income_share"] = (
            levers.get("welfare_income_share", np.zeros((model.R, model.N))) + self.share)

    def preview_income(self, model, policy):
        """What :meth:`step` adds, for previews."""
        return np.full((model.R, model.N), self.share)


class ToyGrant(_Income):
    """1 % of GDP a year."""

    name = "toy_grant"
    share = 0.01


class ToyLevy(_Income):
    """-0.4 % of GDP a year."""

    name = "toy_levy"
    share = -0.004


class ToyClash(Mechanism):
    """Records ``insecurity_rise``, as the toy insecurity does (a clash)."""

    name = "toy_clash"
    slot = "security"
    indicators = {"insecurity_rise": "fraction"}

    def record(self, model, policy):
        """Zeros."""
        return {"insecurity_rise": np.zeros((model.R, model.N))}


class ToyRoute(Mechanism):
    """A network-slot mechanism that is not the corridor network; it does nothing."""

    name = "toy_route"
    slot = "network"
    passive = True


class _Gate(Mechanism):
    """Previews the lever ``toy_gate`` (0.1 for the security one, 0.2 for the network one)."""

    gate = 0.0

    def preview_levers(self, model):
        """The gate it would write now."""
        return {"toy_gate": np.full((model.R, model.N), self.gate)}


class ToyGate(_Gate):
    """The security slot's gate."""

    name = "toy_gate"
    slot = "security"
    gate = 0.1


class ToyGateToo(_Gate):
    """The network slot's gate: the same lever name as :class:`ToyGate` (a clash)."""

    name = "toy_gate_too"
    slot = "network"
    gate = 0.2
