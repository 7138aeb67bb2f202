"""Deciding a tabled proposal: the decision rule on the votes, and the decision logged.

Split from :mod:`scosim.model.council` for size: :func:`decide_votes` asks the proposal's
decision rule (:mod:`scosim.model.decision_rules`) and checks its answer,
:func:`log_decision` logs vetoes, adoption or rejection; :func:`checked` and
:func:`check_preview` check what a proposal type's methods return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scosim.mechanisms.voting import majority_voters
from scosim.proposals.base import Preview, ProposalType

if TYPE_CHECKING:
    from scosim.mechanisms.voting import UtilityTerms
    from scosim.model.model import SCOModel

__all__ = ["Score", "check_preview", "checked", "decide_votes", "log_decision"]


#: A decision rule's reported score and threshold, each ``(R,)``; None: none reported.
Score = tuple[np.ndarray, np.ndarray] | None


def decide_votes(
    model: SCOModel, arr: ProposalType, year: int, votes: np.ndarray, voters: np.ndarray
) -> tuple[np.ndarray, np.ndarray, Score]:
    """The proposal's decision rule on the votes.

    A plug-in rule's answer is checked (shapes, booleans, participants among the voters),
    so that a slip in it stops the run naming the rule, not a kernel years later.

    Returns:
        ``(adopted (R,), participants (R, N), score)``: ``score`` is the
        :class:`~scosim.rules.score.RuleScore` the rule appended, as arrays, or None.
    """
    from scosim.model.decision_rules import DecisionContext
    from scosim.plugins import blame
    from scosim.rules.score import split_score

    ctx = DecisionContext(votes=votes & voters, voters=voters, threshold=arr.threshold,
                          gdp=np.asarray(model.gdp, dtype=float), codes=tuple(model.codes),
                          year=year, proposal=arr.proposal, members=model.is_member())
    with blame(f"decision rule {arr.rule!r} (proposal {arr.pid!r}), decide in {year}",
               arr.decider):
        out, reported = split_score(arr.decider.decide(ctx))
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("decide must return (adopted (R,), participants (R, N)), "
                            "optionally followed by a RuleScore, got "
                            f"{type(out).__name__}")
        score = (None if reported is None
                 else reported.arrays(model.R, f"decision rule {arr.rule!r}"))
        adopted = np.asarray(out[0])
        if adopted.shape != (model.R,) or adopted.dtype != bool:
            raise TypeError(f"decide's adopted must be a boolean array of shape ({model.R},) "
                            f"(runs), got {adopted.dtype} of shape {adopted.shape}")
        participants = checked(out[1], (model.R, model.N), "decide's participants")
        if (participants & ~voters).any():
            raise ValueError("decide's participants must be among the voters")
    return adopted, participants & adopted[:, None], score


def checked(value: object, shape: tuple[int, int], what: str) -> np.ndarray:
    """A type's ``invitees`` / ``voters``: booleans of the runs-by-economies shape."""
    arr = np.asarray(value)
    if arr.shape != shape or arr.dtype != bool:
        raise TypeError(f"{what} must return a boolean array of shape {shape} (runs x "
                        f"economies), got {arr.dtype} of shape {arr.shape}")
    return arr


def check_preview(pv: object, voters: np.ndarray) -> None:
    """A type's ``preview``: a Preview whose gain is finite for every voter."""
    if not isinstance(pv, Preview):
        raise TypeError(f"preview must return a scosim.proposals.Preview, got "
                        f"{type(pv).__name__}")
    gain = np.asarray(pv.gain, dtype=float)
    if gain.shape != voters.shape:
        raise TypeError(f"preview's gain must have shape {voters.shape} (runs x economies), "
                        f"got {gain.shape}")
    bad = voters & ~np.isfinite(gain)
    if bad.any():
        raise ValueError(f"preview's gain is not finite for {int(bad.sum())} voter(s) (a "
                         "vote on NaN would reject the proposal in every run, unseen)")


def log_decision(
    model: SCOModel,
    arr: ProposalType,
    year: int,
    votes: np.ndarray,
    voters: np.ndarray,
    adopted: np.ndarray,
    terms: UtilityTerms,
    runs: np.ndarray,
    objectors: np.ndarray,
    score: Score = None,
) -> None:
    """Log vetoes (consensus no votes; objections to the willing), adoption or rejection.

    A sole voter's no (an applicant that does not apply) blocks nobody else: it is a
    rejection, not a veto, and costs it no trust; nor does a non-member's no (Armenia
    asked with the EAEU), which the Council does not count. ``adopted`` and ``rejected`` name the
    decision rule and carry its ``score`` (from :func:`decide_votes`) when it gave one.
    """
    td = terms.as_dict()
    no = voters & ~votes
    others_voted = voters.sum(axis=1, keepdims=True) > 1
    # Only a member's no vetoes: a non-member asked with its bloc just stays out.
    vetoing = no & others_voted & majority_voters(voters, model.is_member())
    blocking = (vetoing if arr.decider.veto else np.zeros_like(no)) | objectors
    for i, code in enumerate(model.codes):
        if blocking[:, i].any():
            # Every blocking state's reasons are logged, and the others trust it less.
            model.log.add(
                blocking[:, i],
                year,
                "veto",
                code,
                arr.pid,
                **{f"term_{n}": v[:, i] for n, v in td.items()},
            )
            others = np.arange(model.N) != i
            model.trust[:, others, i] = np.where(
                blocking[:, i : i + 1],
                np.clip(
                    model.trust[:, others, i] - model.scenario.parameters.council.trust_loss, 0, 1
                ),
                model.trust[:, others, i],
            )
    decision: dict[str, object] = {"decision_rule": arr.rule}
    if score is not None:
        decision.update(decision_score=score[0], decision_threshold=score[1])
    model.log.add(adopted, year, "adopted", "", arr.pid, n_participants=arr.participants.sum(1),
                  **decision)
    model.log.add(~adopted & runs, year, "rejected", "", arr.pid, n_no=no.sum(axis=1),
                  **decision)
