"""``visa_mobility``: what visitors spend in the economies of a visa-free regime.

The worked example of docs/mechanisms.md. Economies inside a visa-free regime in force
(the lever ``visa_free`` that :class:`scosim_visa.VisaFree` writes, 1 inside, scaled by
the phase-in) receive extra spending by visitors, net of what their own residents spend
abroad: ``receipts_share_gdp`` of GDP a year times a per-run factor drawn once from
U(0.5, 1.5). This is an assumption of the example, not a sourced figure. It is income
the trade GE does not see, so the mechanism writes it to ``welfare_income_share`` and
tells the Council's previews what a proposal would change in it (``preview_income``).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from scosim.model.slots import Mechanism


class MobilitySettings(BaseModel):
    """``parameters.mechanism_settings.visa_mobility``."""

    model_config = ConfigDict(extra="forbid", strict=True)   # a misspelt key is an error
    receipts_share_gdp: float = Field(
        0.002, ge=0, le=0.05, description="net visitor spending inside a regime, share of GDP")


def visitor_income(open_: np.ndarray, share: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Pure kernel: income ``(R, N)``, share of GDP, for ``open_ (R, N)`` in [0, 1]."""
    return open_ * (share * scale)[:, None]


class VisaMobility(Mechanism):
    """Visitor spending inside visa-free regimes, as income outside the trade GE."""

    name = "visa_mobility"
    slot = "network"
    settings_model = MobilitySettings
    sweepable = ("receipts_share_gdp",)          # --param parameters.mechanism_settings...
    indicators = {"visa_receipts_usd": "US$ a year"}
    headline = {"visa_receipts_usd": "total"}
    writes_levers = ("welfare_income_share",)    # adds to it, as every writer does
    passive = True                               # no income without a regime in force

    def setup(self, model):
        """Draw each run's factor once from the slot's own stream."""
        rng = self.streams(model)                # RunStreams keyed by (seed, run, "network")
        self.scale = 0.5 + rng.uniform()         # (R,): run r's draw whatever its batch
        self.last = np.zeros((model.R, model.N))

    def _income(self, model, policy):
        open_ = policy.levers.get("visa_free", np.zeros((model.R, model.N)))
        return visitor_income(open_, self.value("receipts_share_gdp"), self.scale)

    def step(self, model, policy, year):
        """Add the year's visitor spending to the income the trade step adds to welfare."""
        income = self._income(model, policy)
        policy.add_to_lever("welfare_income_share", income)   # adds; never replaces
        self.last = income * model.gdp

    def preview_income(self, model, policy):
        """What :meth:`step` would add under ``policy`` (no draws): the Council votes on it."""
        return self._income(model, policy)

    def record(self, model, policy):
        """The year's visitor spending, US$."""
        return {"visa_receipts_usd": self.last}
