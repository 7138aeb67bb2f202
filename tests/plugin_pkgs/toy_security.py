"""A toy security mechanism filling the ``security`` slot (used by tests/test_mechanism_slots.py).

Insecurity raises the iceberg cost of Afghanistan's trade with everyone by a
fixed fraction; a random draw from the slot's own stream scales it per run.
"""

from __future__ import annotations

import numpy as np

from scosim.model.slots import Mechanism


def insecurity_costs(cost_change: np.ndarray, who: int, rise: np.ndarray) -> np.ndarray:
    """Pure kernel: multiply row and column ``who`` of ``(R, N, N)`` costs by ``1 + rise (R,)``."""
    out = cost_change.copy()
    f = (1.0 + rise)[:, None]
    out[:, who, :] *= f
    out[:, :, who] *= f
    out[:, who, who] = cost_change[:, who, who]
    return out


class ToyInsecurity(Mechanism):
    """Afghanistan's trade costs rise by 20 % x U(0.5, 1.5) per run."""

    name = "toy_insecurity"
    slot = "security"
    indicators = {"insecurity_rise": "fraction"}

    def setup(self, model):
        """Draw each run's scale once from the slot's stream."""
        self.who = model.codes.index("AFG")
        self.rise = 0.2 * (0.5 + self.streams(model).uniform())

    def step(self, model, policy, year):
        """Raise the costs in the policy state (trade reads them after us)."""
        policy.cost_change = insecurity_costs(policy.cost_change, self.who, self.rise)

    def preview_cost_factor(self, model, policy):
        """What :meth:`step` multiplies into the costs, for Council previews (no draws)."""
        return insecurity_costs(np.ones_like(policy.cost_change), self.who, self.rise)

    def record(self, model, policy):
        """The run's rise, for Afghanistan only."""
        out = np.zeros((model.R, model.N))
        out[:, self.who] = self.rise
        return {"insecurity_rise": out}
