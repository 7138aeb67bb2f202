"""The proposal-type protocol.

What the generic Council, implementation, compliance and recording code asks
of every kind of proposal.

A proposal type is a subclass of :class:`ProposalType`. The class declares its
scenario schema (``spec``, a pydantic model whose ``type`` field is
``Literal[name]``) and its behaviour; one instance is made per proposal in a
scenario and carries that proposal's life over the batch (tabled, adopted, in
force, left, dissolved), every array with a leading run axis ``R``.

The generic code in :mod:`scosim.model.council` and :mod:`scosim.model.phases`
calls, in this order in a year:

* council: :meth:`eligible_runs`, :meth:`invitees`, :meth:`voters`,
  :meth:`on_tabled`, :meth:`preview` (which calls :meth:`negotiate` and
  :meth:`apply` on a copy of the policy state), :meth:`decision_rule`, :meth:`acted_on`;
* implement: :meth:`enter_into_force`, :meth:`phase_at`, and on other
  arrangements :meth:`admit_member` when a state accedes;
* every consumer of the policy state: :meth:`apply`;
* compliance (when ``exit_allowed``): the generic stay-or-leave loop;
* record: :meth:`record` (a classmethod over all instances of the type).

Every method has a default, so a new type writes only what differs. Nothing
here, nor in the generic code, branches on a type's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from scosim.plugins import DEFAULT_TRUST_TERM, SweptValues

# The scenario-facing half (no numpy) lives in a light module that validation imports.
from scosim.proposals.specs import OPT_IN_RULES, ProposalSpec

if TYPE_CHECKING:
    from scosim.model.events import EventField
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState

__all__ = ["OPT_IN_RULES", "Preview", "ProposalSpec", "ProposalType", "membership_gain"]

@dataclass
class Preview:
    """What a proposal would bring if adopted among given participants, over runs.

    Attributes:
        gain: ``(R, N)`` expected welfare gain of every economy (fraction) against
            this year's policy state without the proposal.
        terms: Negotiated terms per run, each ``(R,)`` (e.g. the CET); stored at
            adoption and passed back to :meth:`ProposalType.apply`.
        scores: Overrides of the Council's utility terms, each ``(R, N)``
            (``sovereignty``, ``trust``, ``dominance``, ``security``); terms not
            given take the Council's defaults (see docs/model.md).
        info: Further ``(R, N)`` indicators shown to vote rules as ``ctx.preview``.
    """

    gain: np.ndarray
    terms: dict[str, np.ndarray] = field(default_factory=dict)
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    info: dict[str, np.ndarray] = field(default_factory=dict)


class ProposalType(SweptValues):
    """Base class of a proposal type; one instance per proposal of a scenario.

    Class attributes (checked when the type is registered):
        name: The ``type:`` value in scenarios.
        spec: The pydantic schema (a :class:`ProposalSpec` subclass).
        default_decision_rule: Used when neither the proposal nor
            ``parameters.council.decision_rule`` names one.
        ratification_lag: Years from adoption to entry into force; None takes
            ``parameters.council.ratification_lag``.
        exit_allowed: Participants judge realised gains yearly and may leave.
        retable: The chair may table the proposal again after a rejection.
        vote_hook: The rule hook through which the voters decide: ``"vote"``, or
            ``"apply"`` for an applicant deciding whether to apply (a state with no
            rule for the hook decides by its ``vote`` rule).
        indicators: ``{name: unit}`` recorded every year by :meth:`record`.
        record_always: Record the indicators even when no proposal of the type
            is in the scenario (built-ins: every results table has the same columns).
        event_fields: Detail fields of the events the type logs beyond the core
            ones, ``{name: EventField}`` (:mod:`scosim.model.events`); each becomes
            a typed column of the run's events table.
        membership: ``(indicator, heading, what)`` when one of ``indicators`` is 1 for
            the economies inside the arrangement: the run's answer gives the share of
            runs each economy is in it under ``heading`` (at most 8 characters, e.g.
            ``"in union"``) and the membership figure calls it ``what`` (e.g. ``"a
            customs union"``); :func:`scosim.plots.membership_kinds`. None: not shown.
        sweepable: Numeric fields of ``spec`` (or fields taking a number or a name, e.g.
            a customs union's ``cet``) that a sweep may vary across the runs of a batch
            (``scosim sweep --param proposals.<id>.<field>=...``); the type must read
            them through :meth:`value`, which gives each run its own value. The Council
            reads a ``depth`` listed here per run as each vote's sovereignty cost.
        trust_term: What the ``trust`` term of its votes measures, for figures and the
            explorer (``"trust in the proposer"``, the Council's default; a type whose
            preview sets ``scores["trust"]`` to something else says what).
        headline: Indicators of ``indicators`` that answer what the proposal is for,
            named in the run's answer when the scenario has a proposal of the type, by
            kind (``share``, ``total``, ``level``, ``final`` or ``net``), as ``Mechanism.headline``
            names a mechanism's (:mod:`scosim.mechanism_answer`); e.g. what a corridor's
            hosts pay, and the welfare change net of it (``net``: beside the welfare
            change in the who-gains table). An indicator the run did not record is left
            out.
        welfare_excludes: What adopting a proposal of the type costs economies that
            ``welfare_change_pct`` does not count, as ``Mechanism.welfare_excludes``
            (e.g. what a corridor's hosts pay, ``corridor_paid_usd``).
        writes_levers: The names of the ``policy.levers`` its :meth:`apply` writes, or
            None (the default) when it does not declare them. Declared, a lever a
            mechanism of the same scenario also writes is refused when the scenario is
            validated, and a write it leaves out stops the run
            (:mod:`scosim.model.lever_writers`; docs/proposals.md, "What apply may write").

    Instance attributes (arrays over runs ``(R,)`` or runs x economies ``(R, N)``):
        proposal, pid, proposer, adopted, in_force, entry_year, participants,
        proposed, expected_gain, bad_years, phase, last_vote_year,
        last_yes_share, terms (negotiated terms by name, each ``(R,)``),
        rule and threshold (the decision rule in force for this proposal), decider
        (an instance of that rule's :class:`scosim.model.decision_rules.DecisionRule`).
    """

    name: ClassVar[str] = ""
    spec: ClassVar[type[ProposalSpec]] = ProposalSpec
    default_decision_rule: ClassVar[str] = "consensus"
    ratification_lag: ClassVar[int | None] = None
    exit_allowed: ClassVar[bool] = True
    retable: ClassVar[bool] = True
    vote_hook: ClassVar[str] = "vote"
    indicators: ClassVar[dict[str, str]] = {}
    record_always: ClassVar[bool] = False
    event_fields: ClassVar[dict[str, EventField]] = {}
    membership: ClassVar[tuple[str, str, str] | None] = None
    sweepable: ClassVar[tuple[str, ...]] = ()
    trust_term: ClassVar[str] = DEFAULT_TRUST_TERM
    headline: ClassVar[dict[str, str]] = {}
    welfare_excludes: ClassVar[str] = ""
    writes_levers: ClassVar[tuple[str, ...] | None] = None
    _kind = "proposal type"
    _noun = "field"

    def __init__(self, model: SCOModel, proposal: ProposalSpec) -> None:
        R, N = model.R, model.N
        self.proposal = proposal
        self.pid = proposal.id
        proposer = proposal.proposer
        self.proposer = np.full(R, model.codes.index(proposer) if proposer else -1, dtype=np.int64)
        self.co_sponsors = np.zeros(N, dtype=bool)
        for c in proposal.co_sponsors:
            self.co_sponsors[model.codes.index(c)] = True
        self.adopted = np.zeros(R, dtype=bool)
        self.in_force = np.zeros(R, dtype=bool)
        self.entry_year = np.full(R, -1, dtype=np.int64)
        self.participants = np.zeros((R, N), dtype=bool)
        self.proposed = np.zeros((R, N), dtype=bool)
        self.expected_gain = np.zeros((R, N))
        self.bad_years = np.zeros((R, N), dtype=np.int64)
        self.phase = np.zeros(R)
        self.last_vote_year = np.full(R, -1, dtype=np.int64)
        self.last_yes_share = np.zeros(R)
        self.terms: dict[str, np.ndarray] = {}
        # Participants the current year's trade is solved with (set by implement).
        self.year_participants = np.zeros((R, N), dtype=bool)
        council = model.scenario.parameters.council
        requested = proposal.decision_rule or council.decision_rule or self.default_decision_rule
        self.rule, self.threshold = self.decision_rule(requested, council.qualified_majority)
        from scosim.model.decision_rules import get_decision_rule

        # The Council's aggregation of the votes (built-in or a plug-in's).
        self.decider = get_decision_rule(self.rule)()
        from scosim.proposals.sweep import sweep_key

        # value(f): the sweep's (R,) values of a swept field (proposals.<id>.<field>), else
        # the scenario's value in every run.
        self._read_swept(model, lambda f: sweep_key(self.pid, f), proposal)

    # ------------------------------------------------------------ validation
    @classmethod
    def check(
        cls, proposal: ProposalSpec, scenario: Any
    ) -> list[tuple[Any, ...]]:
        """Cross-field checks against the whole scenario (default: none).

        Returns:
            ``(location relative to the proposal, message)`` pairs; a location is a
            tuple of keys (``("participants", 0)``) or one key (``"participants"``). A
            problem between
            the proposal and another part of the scenario may add a third element,
            ``[(location in the scenario, message), ...]``, the same problem said from
            that part's side (e.g. ``(("years", "end"), "end 2027 leaves out ...")``):
            the error is then reported where the most derived file or a ``--set``
            override wrote one of them (:class:`scosim.scenario.values.Issues`).
        """
        return []

    def decision_rule(self, requested: str, threshold: float) -> tuple[str, float]:
        """The rule and qualified-majority threshold this type applies when asked for ``requested``.

        Default: the requested rule as it is.
        """
        return requested, threshold

    @property
    def opt_in(self) -> bool:
        """Whether participation is opt-in (outsiders may join later)."""
        return bool(self.decider.opt_in)

    # --------------------------------------------------------------- council
    def eligible_runs(self, model: SCOModel) -> np.ndarray:
        """Runs where the proposal can be tabled now, ``(R,)`` (default: all)."""
        return np.ones(model.R, dtype=bool)

    def invitees(self, model: SCOModel) -> np.ndarray:
        """Who is invited to take part, ``(R, N)``, read when the proposal is tabled.

        Default: the spec's ``participants`` (``members``,
        ``members_and_observers`` or a list of codes) with statuses as they are
        in each run now, so a state that acceded earlier is invited too;
        members when the spec has no ``participants``.
        """
        from scosim.model.model import STATUS_CODES

        parts = getattr(self.proposal, "participants", "members")
        if parts == "members":
            return model.is_member().copy()
        if parts == "members_and_observers":
            return model.status >= STATUS_CODES["observer"]
        listed = np.zeros(model.N, dtype=bool)
        listed[[model.codes.index(c) for c in parts]] = True
        return np.broadcast_to(listed, (model.R, model.N)).copy()

    def voters(self, model: SCOModel, invited: np.ndarray) -> np.ndarray:
        """Who votes, ``(R, N)`` (default: the invitees)."""
        return invited.copy()

    def together(
        self, model: SCOModel, votes: np.ndarray, voters: np.ndarray, year: int
    ) -> np.ndarray:
        """Who takes part ``(R, N)`` once groups that take part as one have combined.

        ``votes`` is the set that would take part (the yes votes, joiners);
        ``voters`` who was asked. Default: every state decides for itself
        (``votes`` unchanged).
        """
        return votes

    def together_leave(
        self, model: SCOModel, leaving: np.ndarray, active: np.ndarray, year: int
    ) -> np.ndarray:
        """Defections ``(R, N)`` after groups that leave as one have combined theirs.

        Default: every participant leaves alone (``leaving`` unchanged).
        """
        return leaving

    def on_tabled(self, model: SCOModel, runs: np.ndarray, year: int) -> None:
        """Called when tabled in ``runs`` (log type-specific events; default: nothing)."""

    def acted_on(self, model: SCOModel, adopted: np.ndarray, year: int) -> np.ndarray:
        """Runs ``(R,)`` of ``adopted`` in which the decision is acted on this year.

        Default: every one. A type whose timing the votes do not settle (an
        application's yearly hazard, :mod:`scosim.proposals.application`) keeps some
        back; the votes stand as cast and the decision counts as not taken there.
        """
        return adopted

    def negotiate(self, model: SCOModel, participants: np.ndarray) -> dict[str, np.ndarray]:
        """Terms the participants would agree, each ``(R,)`` (default: none)."""
        return {}

    def preview(
        self,
        model: SCOModel,
        participants: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> Preview:
        """Expected gains if adopted among ``participants`` ``(R, N)``, fully in force.

        Default: the policy state without this proposal, :meth:`apply` the
        proposal on a copy (terms from :meth:`negotiate` unless given: joiners
        accept the negotiated terms), one GE solve for every run; gains are
        relative to this year's policy state before the summit decides. Both
        states carry the levers and trade-cost factors the filled slots would
        write this year (:func:`scosim.model.policy.preview_policy`,
        :func:`scosim.model.policy.with_slot_costs`), and each side's welfare counts the
        income the slots' mechanisms say their steps would add
        (:meth:`scosim.model.slots.Mechanism.preview_income`) and the net income
        :meth:`apply` wrote into ``levers["welfare_income_share"]`` and
        ``levers["welfare_cost_share"]`` (:func:`scosim.model.policy.preview_net_income`),
        so the gain is the one the year's trade step would realise.
        """
        from scosim.model.council import income_now, welfare_now
        from scosim.model.gdp_shares import income_factor
        from scosim.model.policy import preview_net_income, preview_policy, with_slot_costs

        terms = self.negotiate(model, participants) if terms is None else terms
        adopted = self.policy_if_adopted(model, participants, terms,
                                         without=preview_policy(model, exclude=self))
        res = model.solve_policy(with_slot_costs(model, adopted))
        gain = res.welfare_change / welfare_now(model) - 1.0
        now = income_now(model)
        income = preview_net_income(model, adopted)
        if income is not None or not isinstance(now, float):
            # Income outside the GE, on both sides as the trade step adds it: welfare x
            # (1 + income x GDP / E'); a mechanism's (Mechanism.preview_income) and what
            # apply wrote into the welfare levers (a plug-in type's own income).
            gain = (1.0 + gain) * income_factor(model, res, income) / now - 1.0
        info = {"welfare_change": res.welfare_change}
        # Negotiated terms are shown to vote rules on every column (e.g. ctx.preview["cet"]).
        info.update({k: np.broadcast_to(v[:, None], gain.shape) for k, v in terms.items()})
        return Preview(gain=gain, terms=terms, info=info)

    def policy_if_adopted(
        self,
        model: SCOModel,
        participants: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
        without: PolicyState | None = None,
    ) -> PolicyState:
        """This year's policy state with the proposal fully in force among ``participants``.

        Built on ``without`` (copied) when given, else on the policy state of every other
        arrangement (:func:`scosim.model.policy.build_policy` excluding this one).
        """
        from scosim.model.policy import build_policy
        from scosim.model.policy_check import apply_checked

        policy = build_policy(model, exclude=self) if without is None else without.copy()
        apply_checked(self, policy, participants, np.ones(model.R),
                      np.ones(model.R, dtype=bool), terms, R=model.R, N=model.N,
                      where="apply in its preview")
        return policy

    # ------------------------------------------------------------ the policy
    def apply(
        self,
        policy: PolicyState,
        participants: np.ndarray,
        phase: np.ndarray,
        active: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> None:
        """Write what the arrangement changes into ``policy`` in the ``active`` runs.

        Args:
            policy: The policy state being built (a copy; write to it).
            participants: ``(R, N)`` participants (non-empty in every run).
            phase: ``(R,)`` phase-in fraction in [0, 1].
            active: ``(R,)`` runs where it applies.
            terms: Negotiated terms (default: those stored at adoption).

        What it may write, and how the Council's preview sees it: docs/proposals.md,
        "What apply may write". The state is checked right after (shapes, dtypes; NaN in
        tariffs and costs, non-finite welfare levers): :mod:`scosim.model.policy_check`.
        """

    def participants_in_force(self) -> np.ndarray:
        """Participants where in force, else the proposed set (never empty: kernels refuse it)."""
        return np.where(self.in_force[:, None], self.participants, self.proposed)

    # ------------------------------------------------------------- implement
    def phase_at(self, year: int) -> float:
        """Phase-in fraction in ``year`` (the spec's ``phase_in``, else 1)."""
        phase_in = getattr(self.proposal, "phase_in", None)
        return 1.0 if phase_in is None else float(phase_in.at(year))

    def enter_into_force(self, model: SCOModel, starting: np.ndarray, year: int) -> None:
        """Enter into force in ``starting`` runs (default: log ``in_force`` per participant)."""
        self.in_force |= starting
        for i, code in enumerate(model.codes):
            model.log.add(starting & self.participants[:, i], year, "in_force", code, self.pid)

    def open_to_members(self) -> bool:
        """Whether every member is invited (``participants: members`` or with observers)."""
        return getattr(self.proposal, "participants", None) in ("members", "members_and_observers")

    def admit_member(self, model: SCOModel, runs: np.ndarray, member: int, year: int) -> None:
        """A state became a member in ``runs``: member-wide arrangements take it in.

        Default: arrangements open to all members (in force or adopted and
        pending) count it among the invited; unless participation is opt-in, it
        joins with their terms and obligations at once.
        """
        if not self.open_to_members():
            return
        pending = self.adopted & ~self.in_force & (self.entry_year >= year)
        joining = runs & (self.in_force | pending) & ~self.participants[:, member]
        if not joining.any():
            return
        group = self.joining_with(member)
        self.proposed[np.ix_(joining, group)] = True
        if self.opt_in:
            # Opt-in arrangements only invite the new member; it may join at a later summit.
            return
        for k in group:
            new = joining & ~self.participants[:, k]
            self.participants[new, k] = True
            model.log.add(new, year, "joined", model.codes[k], self.pid)

    def joining_with(self, member: int) -> list[int]:
        """Who joins with ``member`` when a new SCO member comes in (default: itself alone).

        A customs union in force elsewhere takes part whole (:class:`BlocAware`).
        """
        return [member]

    def gain_if_member(self, model: SCOModel, member: int) -> np.ndarray | None:
        """Expected gains ``(R, N)`` if ``member`` joined as a new SCO member, or None.

        Default: for an arrangement open to all members, in force and not
        opt-in, the preview of it enlarged by the new member at the negotiated
        terms minus the preview of it as it stands; zero in runs where it is not
        in force. The difference is the joining's own gain whatever a type's
        preview is measured against: a preview against no arrangement (a banking
        union's fiscal saving) would otherwise count the whole arrangement, and
        one of an arrangement still phasing in (fully in force, against this
        year's phase) its remaining phase-in.
        """
        if self.opt_in or not self.open_to_members() or not self.in_force.any():
            return None
        joining = self.participants.copy()
        joining[:, self.joining_with(member)] = True
        on = self.in_force[:, None]
        enlarged = np.where(on, joining, self.proposed)
        current = np.where(on, self.participants, self.proposed)
        g = (self.preview(model, enlarged, terms=self.terms).gain
             - self.preview(model, current, terms=self.terms).gain)
        return np.where(on, g, 0.0)

    # ---------------------------------------------------------------- record
    @classmethod
    def record(
        cls, model: SCOModel, arrangements: list[ProposalType], policy: PolicyState
    ) -> dict[str, np.ndarray]:
        """This year's indicators, each ``(R, N)``: all of :meth:`recorded_indicators`."""
        return {}

    @classmethod
    def recorded_indicators(cls, scenario: Any) -> dict[str, str]:
        """``{name: unit}`` of ``indicators`` that a run of ``scenario`` records every year.

        All of them by default; see :meth:`scosim.model.slots.Mechanism.recorded_indicators`.
        """
        return dict(cls.indicators)


def membership_gain(model: SCOModel, member: int) -> np.ndarray:
    """Expected gains ``(R, N)`` if ``member`` became an SCO member: what it would join.

    The sum over every arrangement of :meth:`ProposalType.gain_if_member` (those open to
    all members, in force and not opt-in; zeros without one). Each is previewed against
    this year's policy state, so the sum leaves out how two enlargements interact in
    general equilibrium (a first-order approximation); it does not depend on the order
    of the arrangements in the scenario.
    """
    gain = np.zeros((model.R, model.N))
    for arr in model.arrangements:
        g = arr.gain_if_member(model, member)
        if g is not None:
            gain = gain + g
    return gain
