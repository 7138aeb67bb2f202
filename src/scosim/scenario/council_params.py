"""Scenario blocks of the Council: ``parameters.council`` and ``parameters.application``.

Split from :mod:`scosim.scenario.blocks` (size), which re-exports these names, as does
:mod:`scosim.scenario.schema`: the Council's decision rule, majority, lag, defection,
vote noise, trust and chair order (:class:`CouncilParams`), the decision-rule names a
scenario may give (:data:`DecisionRuleName`), and the yearly hazard of applying for
membership (:class:`ApplicationParams`, :data:`APPLICATION_HAZARD`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from scosim.scenario.values import STRICT, StateList, _keyword_or_list

#: The yearly hazard of applying for SCO membership (:mod:`scosim.proposals.application`):
#: in a year in which its score says it would apply, a state applies with this
#: probability. Fitted on the training years of the hindcast only (2004-2019): 3
#: applications (Pakistan 2006, Iran 2008, India 2014) in the 29 observer-years in which
#: the state's score said it would apply in every run (Pakistan 2005-06, Iran 2005-08,
#: India 2005-14, Belarus 2015-19, Afghanistan 2012-19); 90 % Clopper-Pearson interval
#: 0.029-0.246 (``python -m scosim.hindcast.hazard --replications 10``; docs/hindcasts.md,
#: "The application decision"). A discrete-time hazard (Beck, Katz and Tucker 1998,
#: "Taking time seriously", AJPS 42(4)) held constant over years and states: an
#: assumption, its sensitivity in docs/hindcasts.md.
APPLICATION_HAZARD = 3 / 29


class ApplicationParams(BaseModel):
    """When a state that would gain from membership applies (docs/hindcasts.md)."""

    model_config = STRICT
    hazard: float = Field(
        APPLICATION_HAZARD, gt=0.0, le=1.0,
        description="probability that a state applies for membership in a year in which "
        "its score says it would (a yearly hazard, in (0, 1]; 1: it applies in the first "
        "such year). Default 3/29 = 0.103, fitted on the hindcast's training years "
        "(docs/hindcasts.md, 'The application decision')")


def _decision_rule(name: str) -> str:
    """A decision rule's name: a built-in, a registered one, or an installed plug-in's."""
    from scosim.model.decision_rules import decision_rule_problem

    problem = decision_rule_problem(name)
    if problem:
        raise ValueError(problem)
    return name


#: Where a schema's string field takes its choices from what is installed, not a fixed
#: enum (the explorer's forms offer them: :mod:`scosim.explore.forms`).
CHOICES_KEY = "x-scosim-choices"

#: Decision rules the Council knows (docs/model.md, "Decision rules"): the four built-ins
#: and any a package adds through the ``scosim.decision_rules`` entry-point group.
DecisionRuleName = Annotated[str, AfterValidator(_decision_rule),
                             Field(json_schema_extra={CHOICES_KEY: "decision_rules"})]

ChairOrder = _keyword_or_list(
    Literal["alphabetical"], StateList, "'alphabetical' or a list of member codes"
)


class CouncilParams(BaseModel):
    """Council of Heads of State: decision rule, defection, trust."""

    model_config = STRICT
    decision_rule: DecisionRuleName | None = Field(
        None,
        description="decision rule for every proposal; unset: each proposal type's default "
        "(docs/model.md); a proposal's own decision_rule takes precedence",
    )
    # Two thirds exactly: 6 of 9 voters is a two-thirds majority (0.667 refused it).
    qualified_majority: float = Field(2 / 3, gt=0.5, le=1.0)
    ratification_lag: int = Field(1, ge=0, le=100)
    defection_years: int = Field(3, ge=1)
    exit_threshold: float = Field(0.0, gt=-1.0)
    vote_noise: float = Field(
        0.25, ge=0,
        description="sd of a vote's random shock as a fraction of the size of its score's "
        "terms (sum of absolute weighted terms)")
    # A share of the gap to full trust closed in a year: above 1 it overshot (trust 3
    # gave trust_received from -37 to 77, where trust lies in [0, 1]).
    trust_gain: float = Field(0.02, ge=0, le=1)
    trust_loss: float = Field(0.1, ge=0)
    chair_order: ChairOrder = "alphabetical"
