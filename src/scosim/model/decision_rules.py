"""The Council's decision rules: how the states' votes on a proposal become a decision.

A *decision rule* aggregates: given every voter's yes or no on a proposal (the states'
own *rules*, :mod:`scosim.rules`, made those), it says in which runs the proposal is
adopted and who takes part. ``parameters.council.decision_rule`` (or a proposal's own
``decision_rule``) names one. The four built-ins are registered here; a package adds
more through the entry-point group ``scosim.decision_rules`` (docs/model.md, "Decision
rules as plug-ins"), a module with :func:`register_decision_rule`, or a dotted path.

A rule is a subclass of :class:`DecisionRule`: a ``name``, three flags the Council reads
(``opt_in``, ``consent``, ``veto``) and :meth:`DecisionRule.decide`, a pure function of
a :class:`DecisionContext`, which may append a :class:`RuleScore` (the number it decided
on) to its answer. This module imports no numpy: validating a scenario reads
the rules' names from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from scosim.plugins import PluginError, Registry
from scosim.rules.score import RuleScore

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "BUILTIN_DECISION_RULES",
    "ENTRY_POINT_GROUP",
    "DecisionContext",
    "DecisionRule",
    "Decided",
    "RuleScore",
    "available_decision_rules",
    "decision_rule_origin",
    "decision_rule_problem",
    "get_decision_rule",
    "register_decision_rule",
]

#: Entry-point group scanned for third-party decision rules.
ENTRY_POINT_GROUP = "scosim.decision_rules"

#: The built-in rules, in the order the docs list them.
BUILTIN_DECISION_RULES: tuple[str, ...] = (
    "consensus", "qualified_majority", "variable_geometry", "interested_members")


@dataclass(frozen=True)
class DecisionContext:
    """What a decision rule sees of one vote on one proposal, over a batch of runs.

    Attributes:
        votes: ``(R, N)`` bool, True = yes; False wherever the state has no vote.
        voters: ``(R, N)`` bool, who voted (the proposal type's ``voters``).
        threshold: ``parameters.council.qualified_majority`` (or what the proposal type
            made of it), the yes share a majority rule needs.
        gdp: ``(R, N)`` each economy's GDP this year, US$ (the run's path): weights.
        codes: Economy codes in array order.
        year: The summit's year.
        proposal: The proposal as the scenario writes it.
        members: ``(R, N)`` bool, the SCO's member states this year: the Council, whom
            ``qualified_majority`` counts (a voter outside it, asked with its bloc, votes
            on its own entry only); None: every voter counts.
    """

    votes: np.ndarray
    voters: np.ndarray
    threshold: float
    gdp: np.ndarray
    codes: tuple[str, ...]
    year: int
    proposal: Any
    members: np.ndarray | None = None

    @property
    def n_runs(self) -> int:
        """``R``."""
        return int(self.votes.shape[0])


class DecisionRule:
    """Base class of a Council decision rule.

    Class attributes:
        name: What scenarios write in ``decision_rule``.
        opt_in: Only those who said yes take part (they confirm on the smaller group's
            terms, and outsiders may join at a later summit): variable geometry.
        consent: With ``opt_in``, the voters left outside are then asked whether they
            object to the willing going ahead (their ``consent`` rule); one objection
            stops it: ``interested_members``.
        veto: A voter's no blocks the proposal by itself: it is logged as a ``veto``
            and costs the voter the others' trust (``consensus``).
    """

    name: ClassVar[str] = ""
    opt_in: ClassVar[bool] = False
    consent: ClassVar[bool] = False
    veto: ClassVar[bool] = False

    def decide(self, ctx: DecisionContext) -> Decided:
        """Aggregate the votes.

        Returns:
            ``(adopted (R,) bool, participants (R, N) bool)``: the runs where the
            proposal is adopted and who takes part there (only voters; nobody where it
            is not adopted). Under ``opt_in`` the participants are who said yes. A rule
            may append a :class:`~scosim.rules.score.RuleScore`, the number it decided on
            and its bar, which the run records (``decision_score``,
            ``decision_threshold``): ``(adopted, participants, RuleScore(...))``.
        """
        raise NotImplementedError


#: What :meth:`DecisionRule.decide` returns: the pair, or the pair and a RuleScore.
Decided = tuple[Any, ...]


def _builtin(ctx: DecisionContext, rule: str) -> Decided:
    """The built-in rule's answer and its score, as a plug-in's would give it.

    The unanimity and majority rules score the share of voters in favour (against 1 and
    ``ctx.threshold``; of the SCO members among the voters, ``ctx.members``), the
    opt-in rules the number in favour (against 2); NaN in a run without voters.
    """
    import numpy as np

    from scosim.mechanisms.voting import decide, majority_voters

    adopted, participants = decide(ctx.votes, ctx.voters, rule, threshold=ctx.threshold,
                                   council=ctx.members)
    counted = (majority_voters(ctx.voters, ctx.members)
               if rule in ("consensus", "qualified_majority") else ctx.voters)
    n_yes = (ctx.votes & counted).sum(axis=1).astype(float)
    n_voters = counted.sum(axis=1)
    if rule in ("consensus", "qualified_majority"):
        score = np.divide(n_yes, n_voters, out=np.full(n_yes.shape, np.nan),
                          where=n_voters > 0)
        bar = 1.0 if rule == "consensus" else float(ctx.threshold)
    else:
        score, bar = np.where(n_voters > 0, n_yes, np.nan), 2.0
    return adopted, participants, RuleScore(score, bar)


class Consensus(DecisionRule):
    """Every member state voting says yes (SCO Charter art. 16); a member's no is a veto.

    A non-member asked with its bloc (Armenia with the EAEU) does not vote in the
    Council: its no blocks nobody and it takes part only if it said yes (its bloc then
    moves with it, as under :class:`QualifiedMajority`).
    """

    name = "consensus"
    veto = True

    def decide(self, ctx: DecisionContext) -> Decided:
        """Adopted where no member voting said no; the members voting take part."""
        return _builtin(ctx, self.name)


class QualifiedMajority(DecisionRule):
    """A share ``threshold`` of the member states voting, one state one vote.

    The members voting all take part; a non-member asked with its bloc (Armenia with
    the EAEU) is not counted and takes part only if it said yes (its bloc then moves
    with it: :meth:`scosim.proposals.base.ProposalType.together`).
    """

    name = "qualified_majority"

    def decide(self, ctx: DecisionContext) -> Decided:
        """Adopted where the yes share of the members voting reaches ``ctx.threshold``."""
        return _builtin(ctx, self.name)


class VariableGeometry(DecisionRule):
    """The willing go ahead if at least two say yes; only they take part."""

    name = "variable_geometry"
    opt_in = True

    def decide(self, ctx: DecisionContext) -> Decided:
        """Adopted where two or more say yes; they are the participants."""
        return _builtin(ctx, self.name)


class InterestedMembers(VariableGeometry):
    """As variable geometry, unless a voter left outside objects (its ``consent`` rule)."""

    name = "interested_members"
    consent = True


def _check(cls: Any, name: str) -> None:
    if not (isinstance(cls, type) and issubclass(cls, DecisionRule)):
        raise PluginError(f"decision rule {name!r} must be a subclass of "
                          "scosim.model.decision_rules.DecisionRule")
    if not cls.name or not isinstance(cls.name, str):
        raise PluginError(f"decision rule {cls.__qualname__} has no `name`")
    if cls.decide is DecisionRule.decide:
        raise PluginError(f"decision rule {cls.name!r} does not define decide(self, ctx)")
    for flag in ("opt_in", "consent", "veto"):
        if not isinstance(getattr(cls, flag), bool):
            raise PluginError(f"decision rule {cls.name!r}: `{flag}` must be True or False; "
                              f"got {getattr(cls, flag)!r}")
    if cls.consent and not cls.opt_in:
        raise PluginError(f"decision rule {cls.name!r}: `consent` asks the voters left "
                          "outside, so it needs `opt_in = True`")


_REGISTRY: Registry[type[DecisionRule]] = Registry(
    "decision rule", ENTRY_POINT_GROUP, _check, "scosim.model.decision_rules"
)


def register_decision_rule(cls: type[DecisionRule]) -> type[DecisionRule]:
    """Class decorator registering a decision rule under ``cls.name``."""
    module = str(getattr(cls, "__module__", ""))
    own = module == "scosim" or module.startswith("scosim.")
    return _REGISTRY.register(cls.name, cls, "builtin" if own else f"module {module}")


for _cls in (Consensus, QualifiedMajority, VariableGeometry, InterestedMembers):
    register_decision_rule(_cls)


def get_decision_rule(name: str) -> type[DecisionRule]:
    """The decision rule a scenario names (registered name, dotted path or entry point).

    Raises:
        PluginError: Naming the rules available, with a near miss.
    """
    return _REGISTRY.get(name)


def available_decision_rules() -> list[str]:
    """Names of the known decision rules (built-in, registered and installed)."""
    return _REGISTRY.available()


def decision_rule_origin(name: str) -> str:
    """Where a decision rule came from (``builtin``, a path, or a distribution)."""
    return _REGISTRY.origin(name)


def decision_rule_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a decision rule; None when it names one."""
    if name in BUILTIN_DECISION_RULES:
        return None
    # Imported past the built-ins: scosim.scenario.values imports pydantic, which the quick
    # check of a scenario naming a built-in rule must not (tests/test_startup.py).
    from scosim.scenario.values import not_imported

    problem = not_imported("decision rule", name)
    if problem:
        return problem
    try:
        get_decision_rule(name)
    except PluginError as exc:
        return str(exc)
    return None
