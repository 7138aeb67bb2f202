"""A toy mechanism adding income outside the trade GE (tests/test_income_lever.py).

Every economy receives ``share`` of its GDP a year, written to
``levers["welfare_income_share"]``, or, with ``as_cost``, the same as a negative
``levers["welfare_cost_share"]``; ``bad`` writes a lever of the wrong shape.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from scosim.model.slots import Mechanism


class ToyIncomeSettings(BaseModel):
    """Settings of ``toy_income``."""

    model_config = ConfigDict(extra="forbid", strict=True)
    share: float = Field(0.01, ge=-0.5, le=0.5, description="income, share of GDP")
    as_cost: bool = False
    bad: bool = False


class ToyIncome(Mechanism):
    """``share`` of GDP a year, as income (or as a negative cost)."""

    name = "toy_income"
    slot = "finance"
    settings_model = ToyIncomeSettings

    def step(self, model, policy, year):
        """Write the lever the trade step adds to welfare."""
        s = self.settings
        if s.bad:
            policy.levers["welfare_income_share"] = np.full(model.N, s.share)
            return
        lever, sign = (("welfare_cost_share", -1.0) if s.as_cost
                       else ("welfare_income_share", 1.0))
        policy.levers[lever] = (policy.levers.get(lever, np.zeros((model.R, model.N)))
                                + sign * s.share)
