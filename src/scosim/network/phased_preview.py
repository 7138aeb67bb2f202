"""A corridor vote's yearly benefit over a freight project's first phase and after.

A freight project whose ``capacity_initial`` is below its ``capacity`` (the Trans-Afghan
railway: 3 Mt a year, then 15) carries at most its first phase's capacity in its first
:data:`~scosim.network.energy.INITIAL_PHASE_YEARS` operating years, and pays the congestion
of that capacity (:func:`~scosim.network.loads.phase_capacity`). The Council's preview values
the project as a perpetual yearly benefit from its first operating year, so it weighs the two
phases by their years' discount factors: the first phase's share of the present value of a
perpetuity at the rate ``r`` is ``w = 1 - (1 + r)^-INITIAL_PHASE_YEARS`` (0.111 at 4 percent
and three years), the full capacity's ``1 - w``, as the energy deliveries' value is weighed
over TAPI's ramp (:func:`~scosim.network.energy_value.phased_value_usd`). Each phase is its
own GE solve, network step and expenditure, as the run's years in that phase have them, so
in a run without growth or failure the preview is the discounted mean of what the run
realises (``tests/test_corridor_phased_preview.py``). Until 2026-12-06 the preview valued
the full capacity from the first operating year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from scosim.network.energy import INITIAL_PHASE_YEARS

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState
    from scosim.network.step import NetworkStep


def first_phase_weight(rate: float, years: int = INITIAL_PHASE_YEARS) -> float:
    """The first ``years`` operating years' share of a perpetuity's present value at ``rate``.

    Raises:
        ValueError: A rate not above 0 (a perpetuity has no present value then).
    """
    if rate <= 0:
        raise ValueError(f"the discount rate must be > 0; got {rate}")
    return 1.0 - (1.0 + rate) ** -float(years)


def phase_benefits(model: SCOModel, policy: PolicyState, base: NDArray[np.float64],
                   w0: NDArray[np.float64], without: NetworkStep,
                   phases: list[tuple[float, NetworkStep]],
                   upkeep_usd: NDArray[np.float64]) -> dict[str, Any]:
    """The yearly GE gain, fees and O&M of a project, each phase weighted, over expenditure.

    Args:
        model: The model (its GE solves and expenditure).
        policy: The year's policy state without the project, the other slots' costs on.
        base: (R, N, N) ``policy.cost_change`` before the network's factor.
        w0: (R, N) GE welfare without the project.
        without: The network step without the project.
        phases: ``(weight, step)`` of each phase, the weights summing to 1: the step with
            the project at full capacity alone, or its first phase and its full capacity.
        upkeep_usd: (R, N) the hosts' yearly O&M, US$, paid in every operating year.

    Returns:
        ``ge_gain``, ``fees`` and ``upkeep`` (the last two over the phase's expenditure),
        each the weighted sum over the phases; ``expenditure_usd`` and ``ge``, those of the
        full capacity (the last phase).
    """
    from scosim.model.gdp_shares import expenditure_usd

    out = {"ge_gain": 0.0, "fees": 0.0, "upkeep": 0.0}
    for weight, step in phases:
        ge = model.solve_policy(policy.with_costs(base * step.t_hat))
        expenditure = expenditure_usd(model, ge)  # E', US$, the phase's
        out["ge_gain"] = out["ge_gain"] + weight * (ge.welfare_change / w0 - 1.0)
        # The fees shippers pay on each edge of the routes, to the economies the edges are
        # in, with the project against without it (diverted traffic's fees included).
        out["fees"] = out["fees"] + weight * (
            step.fee_revenue_usd - without.fee_revenue_usd) / expenditure
        out["upkeep"] = out["upkeep"] + weight * upkeep_usd / expenditure
    out["expenditure_usd"], out["ge"] = expenditure, ge
    return out
