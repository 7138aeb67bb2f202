"""From route costs to the trade model's iceberg cost changes.

:func:`scosim.network.routing.least_cost_routes` gives the generalised cost between
centres; this module averages those over each economy's centres, adds the charges paid
once per shipment, and turns costs into the iceberg change fed to the trade model:
``t_hat = (1 + c_new) / (1 + c_baseline)``, so the baseline network gives exactly 1.

Both functions are also importable from :mod:`scosim.network.routing`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:  # annotations only: routing imports this module
    from scosim.network.routing import FreightGraph

FloatArray = NDArray[np.float64]


def economy_costs(graph: FreightGraph, centre_cost: ArrayLike) -> FloatArray:
    """Centre-to-centre costs (R, C, C) to economy costs (R, N, N) (weighted mean + endpoints).

    Sums run in a fixed order (one centre pair at a time), so results do not depend on BLAS.
    """
    cc = np.asarray(centre_cost, float)
    cc = cc[None] if cc.ndim == 2 else cc
    n = len(graph.economies)
    out = np.zeros((cc.shape[0], n, n))
    ce, cw = graph.centre_economy, graph.centre_weight
    for a in range(len(ce)):
        for b in range(len(ce)):
            if ce[a] != ce[b]:
                out[:, ce[a], ce[b]] += cw[a] * cw[b] * cc[:, a, b]
    out += graph.generalized(graph.endpoint_money, graph.endpoint_days)[None]
    idx = np.arange(n)
    out[:, idx, idx] = 0.0
    return out


def t_hat_from_costs(cost: ArrayLike, baseline_cost: ArrayLike, max_t_hat: float = 5.0
                     ) -> FloatArray:
    """Iceberg cost changes ``(1 + cost) / (1 + baseline)``; exactly 1 where equal.

    Args:
        cost: (R, N, N) generalised costs (inf where no route is left).
        baseline_cost: (N, N) generalised costs of the baseline network (finite).
        max_t_hat: Cap, also used where ``cost`` is inf.
    """
    c = np.asarray(cost, float)
    b = np.asarray(baseline_cost, float)
    with np.errstate(invalid="ignore"):
        ratio = (1.0 + c) / (1.0 + b)
    ratio = np.where(c == b, 1.0, ratio)
    return np.minimum(np.where(np.isfinite(ratio), ratio, max_t_hat), max_t_hat)
