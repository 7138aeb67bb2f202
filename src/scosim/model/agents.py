"""State agents: one per economy, holding views on the batch arrays and deciding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from scosim._mesa import load_mesa
from scosim.rules.context import (
    DefectContext,
    ProposeContext,
    VoteContext,
    as_decision,
    call_rule,
)
from scosim.rules.registry import resolve_rule
from scosim.rules.score import split_score

mesa = load_mesa()  # mesa without its unused submodules' imports (see scosim._mesa)

if TYPE_CHECKING:
    from scosim.model.model import SCOModel


class State(mesa.Agent):
    """An economy of the model (SCO member, observer, partner, other, or Rest of World).

    The agent does not copy state: its properties read its column of the batch
    arrays, so the same agent speaks for all runs of the batch at once. Its
    decisions go through the rules the scenario chose for it (by name, by dotted
    import path, or from an installed package).

    Attributes:
        iso3: Economy code.
        index: Column of this economy in every ``(R, N)`` array.
        rules: Hook name -> callable decision rule.
        rule_names: Hook name -> the spec the scenario gave.
        weights: Scoring weights per term.
        exit_threshold: Realised welfare gain below which a year counts as bad.
    """

    def __init__(
        self,
        model: SCOModel,
        iso3: str,
        index: int,
        rule_names: dict[str, str],
        weights: dict[str, float],
        exit_threshold: float,
    ) -> None:
        super().__init__(model)
        self.iso3 = iso3
        self.index = index
        self.rule_names = dict(rule_names)
        self.rules = {hook: resolve_rule(hook, spec) for hook, spec in self.rule_names.items()}
        self.weights = dict(weights)
        self.exit_threshold = float(exit_threshold)

    @property
    def status(self) -> np.ndarray:
        """Status code per run (see ``scosim.model.model.STATUS_CODES``)."""
        return self.model.status[:, self.index]

    @property
    def is_member(self) -> np.ndarray:
        """Whether this economy is an SCO member, per run."""
        return self.model.is_member()[:, self.index]

    @property
    def gdp(self) -> np.ndarray:
        """Current GDP path value (US$), per run."""
        return self.model.gdp[:, self.index]

    def vote(self, ctx: VoteContext, hook: str = "vote") -> np.ndarray:
        """Vote on a proposal through this state's rule for ``hook``.

        Args:
            ctx: The documented vote context.
            hook: ``"vote"``, or a hook whose rules take a vote context (``"apply"``):
                the proposal type's ``vote_hook``. Without a rule for it, the
                ``vote`` rule decides.

        Returns:
            ``(R,)`` bool, True = yes (a :class:`~scosim.rules.RuleScore` the rule
            appended is dropped: :meth:`vote_scored` keeps it).
        """
        return self.vote_scored(ctx, hook)[0]

    def vote_scored(
        self, ctx: VoteContext, hook: str = "vote"
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        """:meth:`vote`, with the score the rule reported.

        Returns:
            ``(yes (R,) bool, (score (R,), threshold (R,)) or None)``: None when the rule
            returned its answer alone.
        """
        return self._decide(self.voting_hook(hook), ctx, ctx.n_runs, scored=True)

    def voting_hook(self, hook: str) -> str:
        """The hook whose rule decides a vote asked through ``hook`` (``hook`` or ``vote``)."""
        return hook if hook in self.rules else "vote"

    def defect(self, ctx: DefectContext) -> np.ndarray:
        """Decide whether to leave an arrangement, through the ``defect`` rule.

        Args:
            ctx: The documented defection context.

        Returns:
            ``(R,)`` bool, True = leave.
        """
        return self._decide("defect", ctx, ctx.realised.shape[0])

    def propose(self, ctx: ProposeContext) -> np.ndarray:
        """As chair, decide whether to table a rejected proposal again (``propose`` rule).

        Args:
            ctx: The documented proposing context.

        Returns:
            ``(R,)`` bool, True = table it again this year.
        """
        return self._decide("propose", ctx, ctx.n_runs)

    def consent(self, ctx: VoteContext) -> np.ndarray:
        """Under ``interested_members``, whether this state (opted out) lets the willing go ahead.

        Args:
            ctx: A vote context whose ``terms["econ"]`` is the state's gain as an outsider.

        Returns:
            ``(R,)`` bool, True = does not object.
        """
        return self._decide("consent", ctx, ctx.n_runs)

    def _decide(self, hook: str, ctx: Any, n_runs: int, scored: bool = False) -> Any:
        name = self.rule_names[hook]
        year = getattr(ctx, "year", None)
        where = f"{hook} rule of {self.iso3}" + (f" in {year}" if year is not None else "")
        answer, score = split_score(call_rule(self.rules[hook], ctx, hook, name, self.iso3))
        if score is not None and not scored:
            # Refused, not dropped: a score nobody records would look recorded.
            raise TypeError(f"{where} {name!r} returned a RuleScore: only a vote rule's "
                            "score is recorded (votes.csv); return the decision alone")
        yes = as_decision(answer, n_runs, name, where)
        if not scored:
            return yes
        return yes, None if score is None else score.arrays(n_runs, f"{where} {name!r}")

    def describe(self) -> dict[str, Any]:
        """A short summary for logs and debugging."""
        return {"iso3": self.iso3, "rules": self.rule_names, "weights": self.weights}
