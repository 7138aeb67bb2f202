"""The ``rats_upgrade`` proposal type on the proposal protocol (docs/proposals.md).

* Decided by consensus by default: RATS is an SCO body, set up and changed by the
  Council of Heads of State by consensus (SCO Charter art. 10 and 16; seed 004).
* Preview: the economic term is each state's trade gain from lower insecurity, as the
  security mechanism prices it into trade costs (two GE solves; 0 when the slot is
  empty), minus each participant's contribution (a cost out of income,
  ``upgrade_cost_share_gdp`` of GDP, which the run's welfare takes out of expenditure:
  ``-upgrade_cost_share_gdp x GDP / E'``, :mod:`scosim.model.gdp_shares`, at the GE
  with the upgrade, or the year's when the slot is empty);
  ``Preview.scores["security"]`` is the damage each state expects to avoid, in levels:
  the expected incidents avoided a year (:func:`expected_security_gain`, at the security
  state of the year: the security mechanism's, or the calibrated baseline when the slot
  is empty) times the damage of an incident (deaths per incident times a value of a
  statistical life, share of GDP, :mod:`scosim.security.damage`), out of expenditure
  like the econ term. A state that faces no incidents gains nothing from it. Until
  2026-12-06 it was the change of the 0-1 security index, whatever the incidents at
  risk (``info["security_index_gain"]`` keeps it). With a hardening rule the expected
  incidents, and so both terms, are at the year's hardening
  (:mod:`scosim.security.hardening_year`). The upgrade changes no tariff or trade cost
  directly.
* Apply: writes the RATS pooling levels ``levers["rats_pooling"]`` ``(R, N, C)`` and
  the contributions ``levers["rats_contribution"]`` ``(R, N)`` (share of GDP) read by
  the security mechanism, phased in with the proposal's phase.
* No exit: leaving RATS means leaving the SCO, which accession/defection of trade
  arrangements does not model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from scosim.model.gdp_shares import gdp_over_expenditure, year_gdp_over_expenditure
from scosim.proposals import Preview, ProposalType, register_type
from scosim.proposals.specs import check_rats_upgrade
from scosim.security.damage import vote_security_term
from scosim.security.hardening_year import preview_hardening
from scosim.security.mechanism import baseline_levers, security_mechanism, security_state
from scosim.security.proposal import (
    RatsUpgradeProposal,
    expected_security_gain,
    rats_levels_per_run,
)

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState

__all__ = ["RatsUpgrade"]


@register_type
class RatsUpgrade(ProposalType):
    """Upgrade RATS to a universal centre with anti-drug and information-security units."""

    name = "rats_upgrade"
    # Read by the security mechanism (scosim.model.lever_writers).
    writes_levers = ("rats_pooling", "rats_contribution")
    spec = RatsUpgradeProposal
    check = staticmethod(check_rats_upgrade)  # declared to validation (proposals/builtin)
    default_decision_rule = "consensus"
    exit_allowed = False
    indicators: ClassVar[dict[str, str]] = {"rats_upgraded": "1 if in the upgraded RATS"}
    sweepable = ("depth", "intel_gain", "upgrade_cost_share_gdp")

    def _levels(self) -> np.ndarray:
        """Each run's pooling levels after the upgrade ``(R, C)`` (``intel_gain`` per run)."""
        return rats_levels_per_run(self.proposal, tuple(_baseline()), self.value("intel_gain"))

    def _share(self) -> np.ndarray:
        """Each run's yearly contribution, share of GDP ``(R,)``."""
        return np.asarray(self.value("upgrade_cost_share_gdp"), dtype=float)

    def preview(self, model: SCOModel, participants: np.ndarray,
                terms: dict[str, np.ndarray] | None = None) -> Preview:
        """Damage avoided (vote term ``security``); trade gain minus contribution (``econ``).

        With the security slot filled, fewer expected incidents lower trade costs as the
        mechanism prices them, and the run's welfare counts it: the economic term adds
        that gain (:func:`scosim.security.trade_gain.insecurity_trade_gain`, two GE
        solves of the year's policy state; ``info["trade_gain"]``). Without the slot,
        nothing prices insecurity into trade and the term is the contribution alone.
        The contribution, a share of GDP, is counted as the run's welfare counts it, a
        cost out of expenditure (``info["contribution_share_of_expenditure"]``): until
        2026-12-06 the share of GDP itself, 1.6 times the realised cost for Kyrgyzstan,
        whose expenditure is 1.6 times its GDP.
        """
        system, state, inst = security_state(model)
        part = np.asarray(participants, dtype=bool)
        # The year's hardening, as the step will choose it (none without a rule).
        eg = expected_security_gain(system, self.proposal, state, inst, participants=part,
                                    levels=self._levels(), contribution=self._share(),
                                    hardening=preview_hardening(model))
        cost = np.where(part, eg["cost_share_gdp"], 0.0)
        mech = security_mechanism(model)
        if mech is None:
            trade = np.zeros_like(cost)
            per_gdp = year_gdp_over_expenditure(model, exclude=self)
        else:
            from scosim.security.trade_gain import insecurity_trade_solves

            trade, ge_with = insecurity_trade_solves(model, mech, eg["incidents_without"],
                                                     eg["incidents_with"], exclude=self)
            per_gdp = gdp_over_expenditure(model, ge_with)
        spent = cost * per_gdp
        # The damage avoided, in the econ term's unit (docs/security.md section 6).
        security = vote_security_term(eg["incidents_avoided"], model.population, per_gdp)
        return Preview(
            gain=trade - spent,
            terms={} if terms is None else dict(terms),
            scores={"security": security},
            info={"incidents_avoided": eg["incidents_avoided"], "upgrade_cost_share_gdp": cost,
                  "contribution_share_of_expenditure": spent, "trade_gain": trade,
                  "security_index_gain": eg["gain"]},
        )

    def gain_if_member(self, model: SCOModel, member: int) -> np.ndarray | None:
        """A new member's contribution to an upgrade of all members in force (its cost).

        What its upgraded pooling does to security, and the trade gain of that, are the
        accession's own terms (``Accession.preview`` previews the new member at the
        levels the upgrade will write for it), so they are not counted here again. The
        contribution is a share of GDP out of expenditure, as in :meth:`preview`, at the
        GE of the year's policy state (one solve, where someone joins).
        """
        if self.opt_in or not self.open_to_members() or not self.in_force.any():
            return None
        out = np.zeros((model.R, model.N))
        joins = self.in_force & ~self.participants[:, member]
        if joins.any():
            per_gdp = year_gdp_over_expenditure(model)[:, member]
            out[joins, member] = -(self._share() * per_gdp)[joins]
        return out

    def apply(self, policy: PolicyState, participants: np.ndarray, phase: np.ndarray,
              active: np.ndarray, terms: dict[str, np.ndarray] | None = None) -> None:
        """Raise the participants' pooling levels and contributions in the active runs."""
        r = policy.n_runs
        base_rats, base_contrib = baseline_levers(r)
        written = policy.levers.get("rats_pooling")
        # Participants phase in from today's levels; nobody else pools unless another
        # upgrade wrote it: the mechanism raises each run's members to today's levels. (The
        # calibration's members here made a state that is no member in the run pool.)
        rats = base_rats if written is None else written
        contrib = policy.levers.get("rats_contribution", base_contrib)
        levels = self._levels()
        ph = np.asarray(phase, dtype=float)[:, None, None]
        target = np.maximum(rats, levels[:, None, :])
        on = (np.asarray(participants, bool) & np.asarray(active, bool)[:, None])
        others = np.zeros_like(rats) if written is None else written
        policy.levers["rats_pooling"] = np.where(on[:, :, None], rats + ph * (target - rats),
                                                 others)
        policy.levers["rats_contribution"] = np.where(
            on, contrib + ph[:, :, 0] * self._share()[:, None], contrib)

    @classmethod
    def record(cls, model: SCOModel, arrangements: list[ProposalType],
               policy: PolicyState) -> dict[str, np.ndarray]:
        """``rats_upgraded``: 1 for participants of an upgrade in force."""
        inside = np.zeros((model.R, model.N), dtype=bool)
        for arr in arrangements:
            inside |= arr.participants & arr.in_force[:, None]
        return {"rats_upgraded": inside.astype(float)}


def _baseline() -> np.ndarray:
    from scosim.security.mechanism import _system

    return np.asarray(_system().params.rats_baseline, dtype=float)
