"""The scenario spec of the RATS-upgrade proposal and the security mechanism's settings.

No numpy here: validation reads it.

The upgrade itself (pooling levels, each state's expected security gain) is in
:mod:`scosim.security.proposal`; the type in :mod:`scosim.security.rats_type`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scosim.proposals.specs import ProposalSpec
from scosim.scenario.schema import State
from scosim.scenario.values import StateList, _keyword_or_list

__all__ = ["RatsUpgradeProposal", "SecuritySettings", "Unit"]

Unit = Literal["anti_drug", "information_security", "organized_crime"]
# Tagged like the other proposals' participants, so an error names the field, not pydantic's
# union branches ("participants.list[function-after[<lambda>(), str]]").
RatsParticipants = _keyword_or_list(Literal["members"], StateList,
                                    "'members' or a list of country codes")


class RatsUpgradeProposal(ProposalSpec):
    """Upgrade RATS to a universal centre with new units (seed 000)."""

    type: Literal["rats_upgrade"]
    proposer: State
    participants: RatsParticipants = "members"
    units: list[Unit] = Field(
        default_factory=lambda: ["anti_drug", "information_security", "organized_crime"])
    intel_gain: float = Field(0.5, ge=0, le=5, description="added intelligence pooling level")
    # Not RATS's budget: the Executive Committee (a few dozen staff) is paid from the SCO's
    # regular budget on a fixed scale of shares, a negligible share of members' GDP. This is
    # each participant's national cost of running the upgraded cooperation, an assumption
    # (docs/security.md, "What the upgrade costs").
    upgrade_cost_share_gdp: float = Field(
        5e-5, ge=0, le=0.01,
        description="each participant's yearly national cost of the upgraded cooperation "
        "(liaison staff, shared systems, joint operations), share of its GDP; an assumption, "
        "not RATS's budget")
    depth: float = Field(0.3, ge=0, le=1, description="sovereignty cost of the pooling")

    @field_validator("units")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError(f"units must be distinct, got {v}")
        return v


class SecuritySettings(BaseModel):
    """``parameters.mechanism_settings.security``: what a sweep may vary run by run.

    The security block's inputs stay in ``parameters.security`` (the instability path, the
    opiate supply); a setting here is a number the mechanism reads per run, so a sweep or
    a sensitivity analysis can vary it across the runs of one batch.
    """

    model_config = ConfigDict(extra="forbid", strict=True)
    instability_change_scale: float = Field(
        1.0, ge=0, le=10,
        description="multiplies every year's change of Afghan instability from 2018-2022 "
        "conditions (1): 0 holds it at 1, 2 doubles the rise of parameters.security.instability "
        "(a fall scaled past 0 is held at 0, no Afghan incidents)")
