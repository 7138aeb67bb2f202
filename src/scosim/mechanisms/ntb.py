"""Non-tariff barriers among the participants of a customs union or free-trade area.

The regional studies credit the gains of the region's unions to lower non-tariff
barriers rather than to tariffs (World Bank 2012 on Kazakhstan in the Customs Union:
real income -0.2 % a year from the tariffs alone, gains only from lower non-tariff
barriers and trade facilitation; Knobel et al. 2019 on the EAEU's deep integration).
A proposal's ``ntb_cost_cut`` ``c`` says how much of the iceberg trade cost between two
participants the arrangement removes (border procedures, standards, customs clearance):
the pair's trade cost is multiplied by ``1 - c p``, ``p`` the arrangement's phase-in
share, so the cut comes in as the tariff cut does (docs/customs_union.md, "Non-tariff
barriers").

The factor goes into the policy's ``cost_change``, the trade-cost factors a corridor's
routes and a sanction also write, and the year's GE solves it at the long-run
elasticity, as it solves those (:mod:`scosim.mechanisms.short_run`). A Council preview
applies the proposal as the year does, so the vote sees the cut too.

The default, 0, changes nothing, bit for bit: no estimate of the non-tariff barriers an
SCO union or free-trade area would remove exists, so a scenario that assumes one states it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from scosim.model.policy import PolicyState

__all__ = ["cut_ntb", "ntb_factors"]


def ntb_factors(
    participants: NDArray[np.bool_],
    phase: float | NDArray[np.float64],
    cut: float,
    held: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """The iceberg trade-cost factors of a cut ``cut`` of the barriers among participants.

    Args:
        participants: ``(R, N)`` bool (a ``(N,)`` vector is one run).
        phase: Scalar or ``(R,)`` share of the way to the arrangement's full terms.
        cut: The fraction of the trade cost removed at full phase-in, in [0, 1).
        held: ``(N, N)`` bool pairs the arrangement leaves as they were (a suspension
            it keeps, :mod:`scosim.mechanisms.suspensions`), or None.

    Returns:
        ``(R, N, N)`` factors, exporter x importer: ``1 - cut * phase`` between two
        different participants, 1 elsewhere (the diagonal, a pair with an outsider).

    Raises:
        ValueError: ``cut`` outside [0, 1) or ``phase`` outside [0, 1].
    """
    if not 0.0 <= cut < 1.0:
        raise ValueError(f"ntb_cost_cut {cut!r} must be in [0, 1) (a fraction of the "
                         "trade cost, 0.05 = 5 %)")
    p = np.asarray(participants, dtype=bool)
    if p.ndim == 1:
        p = p[None, :]
    ph = np.broadcast_to(np.asarray(phase, dtype=float), (p.shape[0],))
    if ((ph < 0.0) | (ph > 1.0)).any():
        raise ValueError(f"phase must be in [0, 1], got {ph.min():g} to {ph.max():g}")
    pairs = p[:, :, None] & p[:, None, :] & ~np.eye(p.shape[1], dtype=bool)
    if held is not None:
        pairs = pairs & ~np.asarray(held, dtype=bool)
    return np.where(pairs, 1.0 - cut * ph[:, None, None], 1.0)


def cut_ntb(
    policy: PolicyState,
    participants: NDArray[np.bool_],
    phase: float | NDArray[np.float64],
    active: NDArray[np.bool_],
    cut: float,
    held: NDArray[np.bool_] | None = None,
) -> None:
    """Multiply ``policy.cost_change`` by :func:`ntb_factors` in the ``active`` runs.

    A cut of 0 leaves ``policy`` untouched (not multiplied by ones), so a scenario
    without the field gives the same bits as before it existed. The product is a new
    array: ``policy.cost_change`` may be shared with another policy state.

    Args:
        policy: The policy state being built.
        participants: ``(R, N)`` bool.
        phase: Scalar or ``(R,)`` phase-in share.
        active: ``(R,)`` bool runs where the arrangement applies.
        cut: The proposal's ``ntb_cost_cut``.
        held: As for :func:`ntb_factors`.
    """
    if cut == 0.0 or not np.any(active):
        return
    factor = ntb_factors(participants, phase, cut, held)
    factor = np.where(np.asarray(active, dtype=bool)[:, None, None], factor, 1.0)
    policy.cost_change = policy.cost_change * factor
