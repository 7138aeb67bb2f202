"""``reciprocal_visa``: a vote rule for visa regimes (docs/rules.md)."""

from __future__ import annotations

import numpy as np

from scosim.rules import RuleScore


def reciprocal_visa(ctx) -> tuple[np.ndarray, RuleScore]:
    """Vote as ``utility_vote``, but no to a regime in which another participant loses.

    Opening a border is reciprocal: a state expects its partners to keep their side
    only if they gain too, so it says no where any participant's expected gain is
    negative (``ctx.gains``, ``ctx.participants``: ``(R, N)``). The sponsors say yes.
    The test of its own is reported (``RuleScore``: ``rule_score`` and ``rule_threshold``
    in ``votes.csv``): the smallest expected gain of a participant, against 0.
    """
    worst = np.where(ctx.participants, ctx.gains, np.inf).min(axis=1)    # (R,)
    yes = ctx.is_sponsor | ((ctx.utility + ctx.noise >= 0.0) & (worst >= 0.0))
    return yes, RuleScore(worst, 0.0)
