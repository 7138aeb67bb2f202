"""``gdp_two_thirds``: a Council decision rule weighting each vote by GDP (docs/model.md)."""

from __future__ import annotations

import numpy as np

from scosim.model.decision_rules import DecisionContext, DecisionRule, RuleScore


class GdpTwoThirds(DecisionRule):
    """Adopted where the states voting yes hold two thirds of the voters' GDP.

    Every voter then takes part (as under ``qualified_majority``, which counts one state
    one vote). Weights are this year's GDP of the run (``ctx.gdp``, US$). The share of
    the voters' GDP in favour is reported against the bar of two thirds (``RuleScore``:
    ``decision_score`` and ``decision_threshold`` in the run's events and ``votes.csv``).
    """

    name = "gdp_two_thirds"

    def decide(self, ctx: DecisionContext) -> tuple[np.ndarray, np.ndarray, RuleScore]:
        """``(adopted (R,), participants (R, N), RuleScore(GDP share in favour, 2/3))``."""
        weight = np.where(ctx.voters, ctx.gdp, 0.0)
        total = weight.sum(axis=1)
        yes = np.where(ctx.votes, weight, 0.0).sum(axis=1)
        # 1e-12: a yes share of exactly two thirds passes whatever the rounding.
        adopted = (total > 0) & (yes >= (2.0 / 3.0 - 1e-12) * total)
        share = np.divide(yes, total, out=np.full(total.shape, np.nan), where=total > 0)
        return adopted, ctx.voters & adopted[:, None], RuleScore(share, 2.0 / 3.0)
