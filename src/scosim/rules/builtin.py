"""Built-in decision rules, registered by name (scenarios refer to these names).

Every rule takes a documented context (:class:`scosim.rules.context.VoteContext`
or :class:`scosim.rules.context.DefectContext`) whose arrays have a leading run
axis, and returns a boolean array over runs (or one bool for every run).
"""

from __future__ import annotations

import numpy as np

from scosim.rules.context import DefectContext, ProposeContext, VoteContext
from scosim.rules.registry import rule


@rule("vote")
def utility_vote(ctx: VoteContext) -> np.ndarray:
    """Vote yes when the weighted score plus the idiosyncratic shock is >= 0.

    The score is MODEL.md section 3's ``U = a_econ gain + a_sec security
    - a_sov depth + a_trust (trust - 0.5) - a_dom dominance``. The proposer and
    co-sponsors vote for their own proposal: a state does not table a proposal at
    the summit to vote it down (use :func:`score_only_vote` to let them score it).
    """
    return ctx.is_sponsor | (ctx.utility + ctx.noise >= 0.0)


@rule("vote")
def score_only_vote(ctx: VoteContext) -> np.ndarray:
    """Like :func:`utility_vote`, but sponsors vote on their score like everyone else."""
    return ctx.utility + ctx.noise >= 0.0


@rule("vote")
def always_yes(ctx: VoteContext) -> np.ndarray:
    """Support every proposal (a committed integrationist; useful in experiments)."""
    return np.ones(ctx.n_runs, dtype=bool)


@rule("vote")
def always_no(ctx: VoteContext) -> np.ndarray:
    """Oppose every proposal (a sovereignty-first state; blocks under consensus)."""
    return np.zeros(ctx.n_runs, dtype=bool)


@rule("vote")
def gains_only(ctx: VoteContext) -> np.ndarray:
    """Vote yes when the expected welfare gain alone is positive (no politics)."""
    return ctx.terms["econ"] > 0.0


@rule("vote")
def no_dominant_partner(ctx: VoteContext) -> np.ndarray:
    """Utility vote, but never accept a bloc whose largest economy takes over half the gains.

    The share is ``ctx.preview["leader_share"]`` (the largest participant's share
    of the bloc's positive US$ gains).

    Seed 000 reports Central Asian caution towards a China-led free trade area;
    this rule writes that caution as a hard limit on top of :func:`utility_vote`.
    """
    return utility_vote(ctx) & (ctx.preview["leader_share"][:, ctx.index] <= 0.5)


@rule("defect")
def threshold_defect(ctx: DefectContext) -> np.ndarray:
    """Leave after ``k`` consecutive years whose realised gain is below the exit threshold."""
    return ctx.bad_years >= ctx.defection_years


@rule("defect")
def never_defect(ctx: DefectContext) -> np.ndarray:
    """Stay whatever happens (a fully committed participant)."""
    return np.zeros(ctx.realised.shape[0], dtype=bool)


@rule("propose")
def never_retable(ctx: ProposeContext) -> np.ndarray:
    """A rejected proposal stays off the table (the default)."""
    return np.zeros(ctx.n_runs, dtype=bool)


@rule("propose")
def retable_near_miss(ctx: ProposeContext) -> np.ndarray:
    """The chair tables a rejected proposal again two years on if most voters backed it."""
    return ctx.eligible & (ctx.years_since_vote >= 2) & (ctx.last_yes_share >= 0.5)


@rule("propose")
def retable_every_two_years(ctx: ProposeContext) -> np.ndarray:
    """The chair tables a rejected proposal again every second year."""
    return ctx.eligible & (ctx.years_since_vote >= 2)


#: A state that opted out objects to the willing going ahead only when their
#: arrangement would cost it more than this fraction of real expenditure (0.1 %).
HARM_TOLERANCE = 0.001


@rule("consent")
def consent_unless_harmed(ctx: VoteContext) -> np.ndarray:
    """Let the interested members go ahead unless it costs this state over 0.1 % of income.

    ``ctx.terms["econ"]`` is the state's expected welfare gain from the willing's
    arrangement without it (usually a small loss from trade diversion).
    """
    return ctx.terms["econ"] >= -HARM_TOLERANCE


@rule("consent")
def always_consent(ctx: VoteContext) -> np.ndarray:
    """Never stand in the way of the interested members."""
    return np.ones(ctx.n_runs, dtype=bool)


@rule("consent")
def never_consent(ctx: VoteContext) -> np.ndarray:
    """Block any arrangement this state stays out of (India on the BRI paragraph)."""
    return np.zeros(ctx.n_runs, dtype=bool)


# Effort rules of the security mechanism (docs/security.md section 5): the
# ``cooperate`` hook returns efforts (R, C) in [0, 1], not booleans.
from scosim.security.rules import register_cooperate_rules  # noqa: E402

register_cooperate_rules()
