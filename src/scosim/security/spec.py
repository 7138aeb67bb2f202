"""The scenario spec of the RATS-upgrade proposal and the security mechanism's settings.

No numpy here: validation reads it.

The upgrade itself (pooling levels, each state's expected security gain) is in
:mod:`scosim.security.proposal`; the type in :mod:`scosim.security.rats_type`.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scosim.proposals.specs import ProposalSpec
from scosim.scenario.schema import State
from scosim.scenario.values import StateList, _keyword_or_list

__all__ = ["POOL_RHO_FINITE_MIN", "REPLACED_SETTINGS", "RatsUpgradeProposal", "SecuritySettings",
           "Unit"]

#: The smallest finite ``pool_rho`` taken: below it a small contribution raised to ``rho``
#: can overflow (0.001 ** -103 is past the largest float), and at -20 the pool is already
#: within a few percent of the weakest link; ``-inf`` gives the pure weakest link exactly.
POOL_RHO_FINITE_MIN: float = -20.0

#: Settings that were replaced, with what replaced them: the error a scenario or a sweep
#: naming one gets (rather than "extra inputs" or "cannot be swept").
REPLACED_SETTINGS: dict[str, str] = {
    old: (f"{old} was replaced on 2026-12-06: havens are now weighted by border length and "
          f"the gap in enforcement capacity; use haven_slope (0-1000, default 7.5) and "
          f"haven_blowback (0-1, default 0.5) instead (docs/security.md section 4)")
    for old in ("haven_gamma", "haven_floor")}

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
    ``haven_share``, ``transnational_share``, ``haven_slope`` and ``haven_blowback`` enter
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
        "stops which move across a border with a far less capable neighbour (safe havens, "
        "weighted by border length and haven_slope); 0 turns the channel off; default 0.25, "
        "an assumption")
    haven_slope: float = Field(
        7.5, ge=0, le=1000,
        description="how strongly a neighbour less able to police its territory draws the "
        "groups enforcement displaces: each land border takes its length share times "
        "1 / (1 + exp(-haven_slope * (capacity of the state - capacity of the neighbour))), "
        "capacity the Heritage Rule of Law score over 100; 0 is border length alone, 1000 "
        "only the less capable neighbours; default 7.5, an assumption")
    haven_blowback: float = Field(
        0.5, ge=0, le=1,
        description="share of the displaced groups' attacks from a haven aimed back at the "
        "state they left; the rest strike the haven and, a little, its neighbours; default "
        "0.5, an assumption")
    transnational_share: float = Field(
        0.15, ge=0, le=1,
        description="share of each state's 2018-2022 incidents that is transnational, the "
        "part RATS pooling acts on; default 0.15, an assumption")
    k_pool_scale: float = Field(
        1.0, ge=0, le=10,
        description="multiplies the RATS pooling returns k_pool (0.6, 0.4, 0.3 for intel, "
        "border, cyber); 1 (default) keeps them; an assumption")
    incidents_half: float = Field(
        250.0, gt=0, le=100_000,
        description="incidents a year at which a state's insecurity index is one half "
        "(index = incidents / (incidents + incidents_half)); its rise above 2018-2022 is what "
        "trade and transport costs price. Not monotone: the rise from x0 to x incidents is "
        "largest at incidents_half = sqrt(x x0), so a smaller value weighs the rise of states "
        "with few incidents more and Afghanistan's less; default 250, an assumption "
        "(docs/security.md section 12)")
    beta: float = Field(
        2.0, gt=0, le=10,
        description="semi-elasticity of incidents to the security index (incidents fall by "
        "exp(-beta dS)); default 2, an assumption")

    effort_rule: Literal["rules", "best_response", "cooperative"] = Field(
        "rules",
        description="how states choose their counter-terrorism efforts: 'rules' (default) "
        "each state's cooperate rule; 'best_response' the Nash equilibrium of the proactive "
        "game (each state's best response to the others' efforts, given its payoff V S - "
        "spending); 'cooperative' the efforts maximising the states' joint payoff. With "
        "either of the two, both are recorded (docs/security.md section 5)")
    effort_value_share_gdp: float = Field(
        0.0014, gt=0, le=0.1,
        description="V in the proactive game's payoff V S - spending: the value of full "
        "security a year, share of GDP, the same for every state; default 0.0014, inside the "
        "band (about 0.00125-0.00161) where sharing more intelligence alone does not pay and "
        "all sharing more does; an assumption, read only with effort_rule best_response or "
        "cooperative")

    @model_validator(mode="before")
    @classmethod
    def _replaced(cls, v: Any) -> Any:
        # haven_gamma and haven_floor weighted havens by the security index and incident
        # history until 2026-12-06; say what replaced them rather than "extra inputs".
        if isinstance(v, dict):
            for old, says in REPLACED_SETTINGS.items():
                if old in v:
                    raise ValueError(says)
        return v

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
