"""A toy mechanism with settings read from the scenario (tests/test_mechanism_settings.py).

Afghanistan's trade costs rise by ``rise`` (a fraction) with everyone, in every run:
``parameters.mechanism_settings.toy_afghan_costs: {rise: 0.3}``; a sweep may vary it.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from scosim.model.slots import Mechanism


class AfghanCostSettings(BaseModel):
    """Settings of ``toy_afghan_costs``."""

    model_config = ConfigDict(extra="forbid", strict=True)
    rise: float = Field(0.1, ge=0, le=1, description="rise of Afghanistan's trade costs")


class AfghanCosts(Mechanism):
    """Afghanistan's trade costs rise by ``settings.rise``."""

    name = "toy_afghan_costs"
    slot = "security"
    settings_model = AfghanCostSettings
    sweepable = ("rise",)

    def setup(self, model):
        """Afghanistan's column in the (R, N, N) cost factors."""
        self.who = model.codes.index("AFG")

    def step(self, model, policy, year):
        """Raise the costs of Afghanistan's exports and imports (not its own trade)."""
        f = np.repeat(1.0 + self.value("rise")[:, None], policy.n, axis=1)  # (R, N): per run
        f[:, self.who] = 1.0
        out = policy.cost_change.copy()
        out[:, self.who, :] *= f
        out[:, :, self.who] *= f
        policy.cost_change = out
