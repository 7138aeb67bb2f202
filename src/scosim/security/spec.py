"""The scenario spec of the RATS-upgrade proposal and the security mechanism's settings.

No numpy here: validation reads it.

The upgrade itself (pooling levels, each state's expected security gain) is in
:mod:`scosim.security.proposal`; the type in :mod:`scosim.security.rats_type`.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scosim.proposals.specs import ProposalSpec
from scosim.scenario.schema import State
from scosim.scenario.values import StateList, _keyword_or_list

__all__ = ["POOL_RHO_FINITE_MIN", "RatsUpgradeProposal", "SecuritySettings", "Unit"]

#: The smallest finite ``pool_rho`` taken: below it a small contribution raised to ``rho``
#: can overflow (0.001 ** -103 is past the largest float), and at -20 the pool is already
#: within a few percent of the weakest link; ``-inf`` gives the pure weakest link exactly.
POOL_RHO_FINITE_MIN: float = -20.0

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
    """``parameters.mechanism_settings.security``: the block's assumptions a scenario varies.

    The security block's inputs stay in ``parameters.security`` (the instability path, the
    opiate supply). ``instability_change_scale`` is read per run, so a sweep may vary it
    across the runs of one batch. The others are the assumptions of
    :class:`scosim.security.params.SecurityParams` that docs/security.md (section 10) gives
    a range to vary over; each defaults to the value there (a test checks they agree).
    ``haven_share``, ``transnational_share``, ``haven_gamma`` and ``haven_floor`` enter
    only the year's expected incidents, so a sweep varies them per run too. The others are
    the same in every run of a batch: the block is built once per batch from them
    (:mod:`scosim.security.settings_system`), so a sweep refuses them and a sensitivity run
    sets each with ``--set`` and runs once per value.
    """

    model_config = ConfigDict(extra="forbid", strict=True)
    instability_change_scale: float = Field(
        1.0, ge=0, le=10,
        description="multiplies every year's change of Afghan instability from 2018-2022 "
        "conditions (1): 0 holds it at 1, 2 doubles the rise of parameters.security.instability "
        "(a fall scaled past 0 is held at 0, no Afghan incidents)")
    pool_rho: float = Field(
        -1.0,
        description="CES exponent of the RATS pool over the poolers' effective enforcement: 1 "
        "is summation, 0 the geometric mean, -1 (default) the harmonic mean, -.inf (YAML's "
        f"negative infinity; also the text '-inf') the pure weakest link; finite values in "
        f"[{POOL_RHO_FINITE_MIN:g}, 1]; an assumption")
    enforcement_weight: float = Field(
        1.0, ge=0, le=5,
        description="exponent on a pooler's enforcement capacity (Heritage 2019 Rule of Law, "
        "scaled so today's members pool the calibrated level): 1 (default) counts effort in "
        "proportion to capacity, 0 ignores capacity; an assumption")
    pool_size_exponent: float = Field(
        1.0, ge=0, le=1,
        description="how the RATS pool grows with the number of poolers n: n_ref * "
        "(n / n_ref) ** exponent * the CES mean; 1 (default) is n times the mean, 0 the mean "
        "alone (at pool_rho -.inf the smallest contribution, whatever n); an assumption")
    haven_share: float = Field(
        0.25, ge=0, le=1,
        description="share of the transnational incidents that enforcement above 2018-2022 "
        "stops which move to less-protected neighbours (safe havens, weighted by haven_gamma); "
        "0 turns the channel off; default 0.25, an assumption")
    haven_gamma: float = Field(
        2.0, ge=0, le=1000,
        description="how strongly a weaker neighbour draws the groups enforcement displaces: "
        "they are shared among the land neighbours less protected than the state in "
        "proportion to (2018-2022 incidents + haven_floor) * exp(-haven_gamma * security "
        "index); 0 "
        "spreads them by incidents alone, 1000 sends them all to the least-protected "
        "neighbour; default 2, an assumption")
    # Capped at Afghanistan's 2018-2022 rate, 503 a year, the largest of any economy: there
    # b0 at least doubles every neighbour's weight, so the weights are close to
    # exp(-haven_gamma S) alone, which larger values only approach.
    haven_floor: float = Field(
        1.0, ge=0, le=500,
        description="b0, incidents a year added to every candidate haven's 2018-2022 "
        "incidents in the weights above, so a neighbour with none recorded receives a little; "
        "0 gives such neighbours nothing, 500 (about Afghanistan's 503, the largest rate) "
        "leaves the weights close to exp(-haven_gamma * security index) alone; default 1, "
        "an assumption")
    transnational_share: float = Field(
        0.15, ge=0, le=1,
        description="share of each state's 2018-2022 incidents that is transnational, the "
        "part RATS pooling acts on; default 0.15, an assumption")
    k_pool_scale: float = Field(
        1.0, ge=0, le=10,
        description="multiplies the RATS pooling returns k_pool (0.6, 0.4, 0.3 for intel, "
        "border, cyber); 1 (default) keeps them; an assumption")
    beta: float = Field(
        2.0, gt=0, le=10,
        description="semi-elasticity of incidents to the security index (incidents fall by "
        "exp(-beta dS)); default 2, an assumption")

    @field_validator("pool_rho", mode="before")
    @classmethod
    def _pool_rho(cls, v: Any) -> Any:
        # -inf is the pure weakest link: YAML writes it -.inf; a --set value '-inf' is text.
        if isinstance(v, str) and v.strip().lower() in ("-inf", "-.inf", "-infinity"):
            return -math.inf
        if isinstance(v, (int, float)) and not isinstance(v, bool) and not (
                v == -math.inf or POOL_RHO_FINITE_MIN <= v <= 1):
            raise ValueError(f"pool_rho must be in [{POOL_RHO_FINITE_MIN:g}, 1] or -.inf (the "
                             f"pure weakest link; '-inf' also works), got {v}")
        return v
