"""The trade gain a change of insecurity brings, priced as the security mechanism prices it.

The security mechanism turns the rise of each economy's expected insecurity above its
2018-2022 level into trade costs every year (docs/security.md section 11): with the
network slot filled through the network's edge costs (``levers["insecurity"]``), without
it through :func:`scosim.security.mechanism.pair_cost_factor` on the pair's baseline
route. A proposal that lowers expected incidents (a ``rats_upgrade``) therefore lowers
trade costs in the years it is in force, and the realised welfare of the run counts it.
:func:`insecurity_trade_gain` gives a preview that same gain: two GE solves of the year's
policy state, one at the insecurity rise without the proposal and one with it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState
    from scosim.proposals.base import ProposalType
    from scosim.security.mechanism import SecurityMechanism

__all__ = ["insecurity_trade_gain", "insecurity_trade_solves"]


def insecurity_trade_gain(model: SCOModel, mech: SecurityMechanism,
                          incidents_without: np.ndarray, incidents_with: np.ndarray,
                          exclude: ProposalType | None = None) -> np.ndarray:
    """Welfare gain ``(R, N)`` (fraction of real expenditure) of expected incidents moving.

    The gain of :func:`insecurity_trade_solves`, which documents the arguments.
    """
    return insecurity_trade_solves(model, mech, incidents_without, incidents_with,
                                   exclude=exclude)[0]


def insecurity_trade_solves(model: SCOModel, mech: SecurityMechanism,
                            incidents_without: np.ndarray, incidents_with: np.ndarray,
                            exclude: ProposalType | None = None) -> tuple[np.ndarray, Any]:
    """The welfare gain of expected incidents moving, and the GE solve with the move.

    Args:
        model: The model, at the year of the preview.
        mech: The security mechanism filling the slot (its reference insecurity
            ``iota0``, pricing and whether the network slot is filled).
        incidents_without: ``(R, N)`` expected incidents a year without the proposal.
        incidents_with: ``(R, N)`` the same with it.
        exclude: An arrangement to leave out of the year's policy (the proposal itself,
            when it is already in force in some runs).

    Returns:
        ``W_with / W_without - 1`` ``(R, N)`` for every economy, ``W`` the GE welfare
        change of the year's policy state with the trade costs of the insecurity rise each
        count gives and the other slots' trade-cost factors (``welfare_change`` of
        :meth:`SCOModel.solve_policy`); runs where the two counts are equal get exactly 0.
        And the GE result with ``incidents_with`` (its expenditure prices a cost that is a
        share of GDP, :func:`scosim.model.gdp_shares.gdp_over_expenditure`).
    """
    from scosim.model.policy import preview_policy, with_slot_costs

    rises = [mech.insecurity_rise(np.asarray(lam, dtype=float))
             for lam in (incidents_without, incidents_with)]
    # The other slots' trade-cost factors (the finance slot's dollar channel of the
    # year's sanctions, a plug-in's) on both sides, as the year's trade step applies
    # them; the security and network factors are the ones priced here.
    policy = with_slot_costs(model, preview_policy(model, exclude=exclude),
                             skip=("security", "network"))
    costs = [_cost_change(model, mech, policy, rise) for rise in rises]
    ge0, ge1 = (model.solve_policy(policy.with_costs(c)) for c in costs)
    same = np.all(rises[0] == rises[1], axis=1)
    return np.where(same[:, None], 0.0, ge1.welfare_change / ge0.welfare_change - 1.0), ge1


def _cost_change(model: SCOModel, mech: SecurityMechanism, policy: PolicyState,
                 rise: np.ndarray) -> np.ndarray:
    """The year's trade-cost change with the mechanism's pricing of ``rise`` on top."""
    if not mech.network_filled:
        from scosim.security.mechanism import pair_cost_factor

        return policy.cost_change * pair_cost_factor(rise, mech.pricing)
    # The network prices the clipped rise on its edges (the mechanism writes it as the
    # network's instability lever); everything else of the year's network step as is.
    from scosim.network.mechanism import LEVER_INSECURITY, network_inputs, shared_network

    pol = replace(policy, levers={**policy.levers, LEVER_INSECURITY: np.clip(rise, 0.0, 1.0)})
    step = shared_network(model).step_inputs(network_inputs(model, pol, model.year))
    return policy.cost_change * step.t_hat
