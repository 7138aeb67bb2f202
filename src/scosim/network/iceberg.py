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

    Sums run in a fixed order (one centre pair at a time, origin-major), so results do not
    depend on BLAS: ``ufunc.at`` adds its indices in turn, the order of the pair loop it
    replaced on 2026-12-07 (a third of a route search's time), so the bits are the same.
    """
    cc = np.asarray(centre_cost, float)
    cc = cc[None] if cc.ndim == 2 else cc
    n = len(graph.economies)
    ce, cw = graph.centre_economy, graph.centre_weight
    a, b = np.nonzero(ce[:, None] != ce[None, :])  # row-major: a, then b
    terms = (cw[a] * cw[b])[:, None] * cc[:, a, b].T  # (pairs, R)
    acc = np.zeros((n * n, cc.shape[0]))
    np.add.at(acc, ce[a] * n + ce[b], terms)
    out = np.ascontiguousarray(acc.T).reshape(cc.shape[0], n, n)
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
