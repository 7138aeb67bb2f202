"""Free-trade area: zero tariffs among participants, each keeps its own external tariffs.

Seed 000 discusses a China-backed SCO free-trade area and the Central Asian
members' caution towards it. Unlike a customs union there is no common external
tariff and no revenue pooling. Default decision rule: ``interested_members``
(the SCO's practice on economic projects: the members that want to go ahead do,
if the others do not object; see docs/model.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from typing_extensions import override

from scosim.mechanisms import customs_union as cu
from scosim.proposals import register_type
from scosim.proposals.customs_union import BlocAware
from scosim.proposals.specs import FreeTradeAreaProposal, check_free_trade_area

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState
    from scosim.proposals.base import ProposalType


@register_type
class FreeTradeArea(BlocAware):
    """Zero internal tariffs; indicator ``in_free_trade_area``; forms the accounting bloc.

    Existing customs unions take part as blocs (an EAEU or GCC free-trade
    agreement is concluded by the union: see :class:`BlocAware`). With ``ntb_cost_cut``
    it also lowers the trade costs among participants (:mod:`scosim.mechanisms.ntb`). Sweepable:
    ``depth`` (the sovereignty cost in each vote, read by the Council).
    """

    name = "free_trade_area"
    writes_levers = ()  # no lever: tariffs, costs and sharing only (lever_writers)
    spec = FreeTradeAreaProposal
    default_decision_rule = "interested_members"
    indicators = {"in_free_trade_area": "share of runs"}
    record_always = True
    membership = ("in_free_trade_area", "in FTA", "a free-trade area")
    sweepable = ("depth",)

    check = staticmethod(check_free_trade_area)

    @override
    def apply(
        self,
        policy: PolicyState,
        participants: np.ndarray,
        phase: np.ndarray,
        active: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> None:
        # On the tariffs under any customs union already applied, which then sets its CET
        # again with these preferences in force (PolicyState.set_tariffs): the same
        # tariffs whether the union comes before or after in the scenario.
        policy.grant_preferences(participants, active)
        before = policy.tariffs_under_unions
        new = cu.fta_tariffs(before, participants, phase)
        policy.set_tariffs(self.keep_suspensions(new, before, participants), active)
        self.lift_suspended_bans(policy, participants, phase, active)
        self.cut_barriers(policy, participants, phase, active)
        policy.claim_bloc(participants, active)

    @override
    @classmethod
    def record(
        cls, model: SCOModel, arrangements: list[ProposalType], policy: PolicyState
    ) -> dict[str, np.ndarray]:
        inside = np.zeros((model.R, model.N), dtype=bool)
        for arr in arrangements:
            inside |= arr.year_participants
        return {"in_free_trade_area": inside.astype(float)}
