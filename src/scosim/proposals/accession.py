"""Accession: an observer, partner or other economy applies to become a member.

Members other than the applicant vote. Membership is all or nothing, so the
opt-in rules do not apply: asked for variable geometry, the Council decides by
simple majority; asked for ``interested_members``, by consensus. Default
decision rule: consensus (SCO Charter art. 13 and the 2010 Regulation on
admission: new members are admitted by a decision of the Council of Heads of
State, by consensus). An adopted accession takes effect at the next year's
summit; the new member joins the arrangements open to all members
(:meth:`ProposalType.admit_member`) and, with the security slot filled, RATS,
which the vote weighs as its ``security`` term. A rejected application is not
re-tabled by the chair: an applicant re-applies with a new proposal entry.
From 2010 the same Regulation bars a state under UN Security Council sanctions
(``countries.<CODE>.un_sanctions`` in the scenario): its accession is not put to
the vote, and a ``barred`` event says so (Iran in 2010, docs/hindcasts.md). The
Regulation's other conditions are not modelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from typing_extensions import override

from scosim.mechanisms.voting import TRUST_NEUTRAL
from scosim.proposals import register_type
from scosim.proposals.base import Preview, ProposalType, membership_gain
from scosim.proposals.specs import AccessionProposal, check_accession

if TYPE_CHECKING:
    from scosim.model.model import SCOModel


#: The year of the SCO's Regulation on the procedure for admission of new members
#: (Tashkent summit, June 2010), which bars states under UN Security Council sanctions.
ADMISSION_REGULATION_YEAR = 2010


@register_type
class Accession(ProposalType):
    """Membership of the SCO for ``applicant``."""

    name = "accession"
    writes_levers = ()  # membership only (lever_writers)
    spec = AccessionProposal
    trust_term = "trust in the applicant"
    default_decision_rule = "consensus"
    ratification_lag = 1
    exit_allowed = False
    retable = False

    check = staticmethod(check_accession)

    def __init__(self, model: SCOModel, proposal: Any) -> None:
        super().__init__(model, proposal)
        self.applicant = model.codes.index(proposal.applicant)
        # The scenario says who is under UN Security Council sanctions (the record's
        # years: the hindcast files); from the 2010 Regulation on they cannot be admitted.
        over = model.scenario.countries.get(proposal.applicant)
        self.barred = (over is not None and over.un_sanctions
                       and proposal.year >= ADMISSION_REGULATION_YEAR)

    @override
    def decision_rule(self, requested: str, threshold: float) -> tuple[str, float]:
        from scosim.model.decision_rules import get_decision_rule

        # Membership is all or nothing: an opt-in rule (built in or a plug-in's) would
        # admit the applicant to some members only. Variable geometry falls back to a
        # majority; the interested members' rule, and any other opt-in rule, which asks
        # the others' consent or names no fallback, to consensus.
        if requested == "variable_geometry":
            return "qualified_majority", 0.5 + 1e-9
        if requested == "interested_members" or get_decision_rule(requested).opt_in:
            return "consensus", threshold
        return requested, threshold

    @override
    def eligible_runs(self, model: SCOModel) -> np.ndarray:
        from scosim.model.model import STATUS_CODES

        # A barred applicant's accession is not put to the vote.
        return (model.status[:, self.applicant] != STATUS_CODES["member"]) & (not self.barred)

    @override
    def invitees(self, model: SCOModel) -> np.ndarray:
        out = model.is_member().copy()
        out[:, self.applicant] = True
        return out

    @override
    def voters(self, model: SCOModel, invited: np.ndarray) -> np.ndarray:
        out = invited & model.is_member()
        out[:, self.applicant] = False
        return out

    @override
    def on_tabled(self, model: SCOModel, runs: np.ndarray, year: int) -> None:
        model.log.add(runs, year, "application", model.codes[self.applicant], self.pid)
        if self.barred:
            from scosim.model.model import STATUS_CODES

            outside = model.status[:, self.applicant] != STATUS_CODES["member"]
            model.log.add(outside, year, "barred", model.codes[self.applicant], self.pid)

    def preview(
        self,
        model: SCOModel,
        participants: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> Preview:
        """Each economy's expected gain from the applicant joining.

        A new member joins the arrangements open to all members (with their
        terms and obligations), so the gain is the sum over those in force of
        each enlarged by the applicant (:func:`membership_gain`). Without one,
        membership has no trade effect in the model and the gain is 0. The trust
        term is trust in the applicant; no sovereignty or dominance term. With the
        security slot filled, the new member would join RATS, so the security term
        is the damage each state expects to avoid (:func:`membership_security`), and
        the gain adds
        the trade gain of the expected incidents that change brings, priced as the
        mechanism prices insecurity into trade costs
        (:func:`scosim.security.trade_gain.insecurity_trade_gain`,
        ``info["trade_gain"]``); without the slot, both are 0.
        """
        zeros = np.zeros((model.R, model.N))
        security, trade, info = membership_security(
            model, self.applicant, self.eligible_runs(model),
            model.year + self.ratification_lag, exclude=self)
        gain = membership_gain(model, self.applicant) + trade
        return Preview(
            gain=gain,
            scores={
                "sovereignty": zeros,
                "trust": model.trust[:, :, self.applicant] - TRUST_NEUTRAL,
                "dominance": zeros,
                "security": security,
            },
            info=info,
        )

    @override
    def enter_into_force(self, model: SCOModel, starting: np.ndarray, year: int) -> None:
        from scosim.model.model import STATUS_CODES

        app = self.applicant
        model.status[starting, app] = STATUS_CODES["member"]
        model.log.add(starting, year, "accession", model.codes[app], self.pid)
        for other in model.arrangements:
            other.admit_member(model, starting, app, year)
        self.in_force |= starting


def membership_security(
    model: SCOModel, applicant: int, runs: np.ndarray, entry: int,
    exclude: ProposalType | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """What ``applicant`` joining RATS with SCO membership does to security, ``(R, N)`` each.

    The ``security`` term (the damage each state expects to avoid: the incidents avoided
    of :func:`scosim.security.proposal.accession_security_gain` times the damage of an
    incident, :func:`scosim.security.damage.vote_security_term`), the trade gain of the
    expected incidents that change brings, priced as the security mechanism prices
    insecurity into trade costs (:func:`scosim.security.trade_gain.insecurity_trade_gain`),
    and the info (``incidents_avoided``, ``trade_gain``). Shared by the accession's
    preview and the applicant's own (:mod:`scosim.proposals.application`), so both weigh
    the same membership. Zeros and no info without the security slot.

    Args:
        model: The model, at the year of the preview.
        applicant: Index of the applicant.
        runs: ``(R,)`` bool, the runs where membership is decided (others get 0).
        entry: The year the applicant would enter (the arrangements in force then set its
            RATS pooling levels, :func:`levers_as_member`).
        exclude: The proposal asking, left out of the arrangements.
    """
    zeros = np.zeros((model.R, model.N))
    if not any(slot == "security" for slot, _ in model.mechanisms):
        return zeros, zeros, {}
    # Imported here: the security tables load only for scenarios that fill the slot.
    from scosim.model.gdp_shares import year_gdp_over_expenditure
    from scosim.security.damage import vote_security_term
    from scosim.security.hardening_year import preview_hardening
    from scosim.security.mechanism import security_mechanism, security_state
    from scosim.security.proposal import accession_security_gain
    from scosim.security.trade_gain import insecurity_trade_gain

    system, state, inst = security_state(model)
    pooling = levers_as_member(model, applicant, entry, exclude).get("rats_pooling")
    # With a hardening rule, expected incidents at the year's hardening (the step's).
    eg = accession_security_gain(
        system, state, applicant, inst, runs=runs,
        pooling=None if pooling is None else pooling[:, applicant],
        hardening=preview_hardening(model))
    mech = security_mechanism(model)
    trade = zeros if mech is None else insecurity_trade_gain(
        model, mech, eg["incidents_without"], eg["incidents_with"])
    # The damage avoided in levels, out of expenditure like the econ term (as a
    # rats_upgrade's, docs/security.md section 6); until 2026-12-06 the index change.
    security = vote_security_term(eg["incidents_avoided"], model.population,
                                  year_gdp_over_expenditure(model))
    return security, trade, {"incidents_avoided": eg["incidents_avoided"],
                             "trade_gain": trade, "security_index_gain": eg["gain"]}


def levers_as_member(model: SCOModel, applicant: int, entry: int,
                     exclude: ProposalType | None = None) -> dict[str, np.ndarray]:
    """The policy levers of the year ``entry`` with ``applicant`` inside, ``{name: array}``.

    Built as ``build_policy`` builds a year's policy, from the arrangements in force
    then (in force now, or adopted and entering by ``entry``), at their phase of that
    year, with the applicant among the participants of those that take a new member in
    at once (:meth:`ProposalType.admit_member`: open to all members, not opt-in). A
    member-wide ``rats_upgrade`` thus gives the applicant its upgraded pooling levels,
    as the run will. ``exclude`` (the proposal asking) is left out.
    """
    from scosim.model.phase_in import phase_in_year
    from scosim.model.policy import baseline_policy
    from scosim.model.policy_check import apply_checked

    policy = baseline_policy(model)
    for arr in model.arrangements:
        if arr is exclude:
            continue
        due = (arr.entry_year >= 0) & (arr.entry_year <= entry)
        active = arr.in_force | (arr.adopted & due)
        if not active.any():
            continue
        part = np.where(active[:, None], arr.participants, arr.proposed)
        if arr.open_to_members() and not arr.opt_in:
            part[:, applicant] |= active
        phase = phase_in_year(model, arr, entry, active)
        apply_checked(arr, policy, part, phase, active, R=model.R, N=model.N,
                      where=f"apply for {model.codes[applicant]}'s levers as a member")
    return policy.levers
