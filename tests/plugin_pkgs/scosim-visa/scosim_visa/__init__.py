"""A third-party proposal type for scosim: a visa-free travel regime.

This package is the worked example of docs/proposals.md, docs/mechanisms.md and
docs/model.md (a Council decision rule). It lives outside ``src/scosim`` and reaches
scosim only through entry points (``pyproject.toml``: the type here, the mechanism
``visa_mobility``, the vote rule ``reciprocal_visa`` and the decision rule
``gdp_two_thirds``); tests/test_visa_package.py installs it with pip and runs them.

Economics: visa requirements act like a trade cost on the services and goods
trade that needs people to travel (business visits, tourism, traders carrying
goods). Lifting them among the participants lowers their bilateral iceberg
trade costs by ``cost_cut`` (a fraction; the scenario author's number), in both
directions, phased in. The structural-gravity GE then gives each economy's
welfare change, so the Council's preview is the same GE solve as for tariffs.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from scosim.proposals import ProposalSpec, ProposalType
from scosim.scenario.schema import Participants


class VisaFreeProposal(ProposalSpec):
    """Scenario schema: ``type: visa_free`` plus the fields below."""

    type: Literal["visa_free"]
    participants: Participants = "members"
    cost_cut: float = Field(0.03, gt=0, lt=1, description="fall in bilateral trade costs")
    depth: float = Field(0.2, ge=0, le=1, description="sovereignty cost (border control)")


def visa_free_costs(
    cost_change: np.ndarray, participants: np.ndarray, cut: np.ndarray
) -> np.ndarray:
    """Pure kernel: trade-cost factors ``(R, N, N)`` with ``cut (R,)`` among participants."""
    pair = participants[:, :, None] & participants[:, None, :]
    n = cost_change.shape[-1]
    pair[:, np.arange(n), np.arange(n)] = False
    return np.where(pair, cost_change * (1.0 - cut[:, None, None]), cost_change)


class VisaFree(ProposalType):
    """Visa-free travel among the participants; indicator ``visa_free``."""

    name = "visa_free"
    spec = VisaFreeProposal
    default_decision_rule = "interested_members"
    indicators = {"visa_free": "share of runs"}
    # The run's answer shows who is in it ("in visa": share of runs), as for a union.
    membership = ("visa_free", "in visa", "a visa-free regime")
    # A sweep may vary the cut across runs (scosim sweep --param proposals.<id>.cost_cut=...).
    sweepable = ("cost_cut",)
    # The levers apply writes: validation refuses a mechanism that writes them too.
    writes_levers = ("visa_free",)

    def apply(self, policy, participants, phase, active, terms=None):
        """Lower trade costs among participants (phase-in scales the cut)."""
        cut = self.value("cost_cut") * np.asarray(phase, dtype=float)  # (R,): per run
        new = visa_free_costs(policy.cost_change, participants, cut)
        policy.cost_change = np.where(active[:, None, None], new, policy.cost_change)
        # Who is inside, scaled by the phase-in: the lever visa_mobility reads (mobility.py).
        inside = np.where(active[:, None], participants * np.asarray(phase, float)[:, None], 0.0)
        policy.levers["visa_free"] = np.maximum(policy.levers.get("visa_free", inside), inside)

    def preview(self, model, participants, terms=None):
        """The default GE preview, plus the cut shown to vote rules."""
        pv = super().preview(model, participants, terms)
        pv.info["cost_cut"] = np.broadcast_to(self.value("cost_cut")[:, None], pv.gain.shape)
        return pv

    @classmethod
    def record(cls, model, arrangements, policy):
        """1 for participants of a visa-free regime in force."""
        inside = np.zeros((model.R, model.N), dtype=bool)
        for arr in arrangements:
            inside |= arr.year_participants
        return {"visa_free": inside.astype(float)}
