"""How insecurity at a pair's two ends prices into its trade cost, from the corridor network.

Without the network slot filled, the security mechanism prices the rise of insecurity
above its 2018-2022 level itself, on each pair's baseline least-cost route, with the
network's own scale (docs/security.md section 11): :func:`route_risk_pricing` measures the
shares of each route's cost on edges touching the exporter, the importer and both (one
network step per economy), :func:`shared_route_risk_pricing` computes them once per network,
and :func:`pair_cost_factor` turns a year's rises into bilateral trade-cost factors. Moved
out of :mod:`scosim.security.mechanism` unchanged (that module re-exports the names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scosim.model.model import SCOModel

__all__ = ["RouteRiskPricing", "pair_cost_factor", "route_risk_pricing",
           "shared_route_risk_pricing"]


@dataclass(frozen=True)
class RouteRiskPricing:
    """How a pair's transport cost responds to insecurity at its two ends, from the network.

    Attributes:
        transport_cost: ``(N, N)`` baseline generalised transport cost of each pair, share
            of cargo value (``CorridorNetwork.baseline_cost``; inf = no route).
        share_exp: ``(N, N)`` share of pair ``(i, j)``'s transport cost on edges touching
            the exporter ``i`` (the edges the network marks up when ``i`` is insecure).
        share_imp: ``(N, N)`` the same for edges touching the importer ``j``.
        share_both: ``(N, N)`` share on edges touching both ends (a border link).
        factor: The network's ``insecurity_cost_factor``: an edge costs ``1 + factor x
            instability`` times its base-year cost (docs/network.md).
    """

    transport_cost: np.ndarray
    share_exp: np.ndarray
    share_imp: np.ndarray
    share_both: np.ndarray
    factor: float


def shared_route_risk_pricing(model: SCOModel) -> RouteRiskPricing:
    """:func:`route_risk_pricing`, computed once per network and shared by every model.

    It depends on the network alone (built once per calibration, trade matrix and value
    of time, :class:`scosim.network.mechanism.CachedNetwork`) and took 0.4 s: paid by
    every model, it was most of the time of a one-run model and 0.4 s of every batch.
    """
    from scosim.data.calibration import derived, read_only
    from scosim.network.mechanism import shared_network

    def compute() -> RouteRiskPricing:
        p = route_risk_pricing(model)
        return RouteRiskPricing(read_only(p.transport_cost), read_only(p.share_exp),
                                read_only(p.share_imp), read_only(p.share_both), p.factor)

    net = shared_network(model).net
    # The network object is itself kept by ``derived`` for the calibration's lifetime,
    # so its id names it while this entry lives.
    return derived(model.cal, ("route_risk_pricing", id(net)), compute)


def route_risk_pricing(model: SCOModel, step: float = 1e-4) -> RouteRiskPricing:
    """The network's response of every pair's cost to each end's insecurity, at baseline.

    One network step with economy ``k`` alone at instability ``step`` (one run per ``k``)
    gives the share of each route's cost on edges touching ``k``; one more with both ends of
    every pair of bordering economies gives the share on their common edges. The network's
    edge costs are linear in the multiplier on a given route, so these shares reproduce its
    pricing exactly while routes do not change (docs/security.md section 11).
    """
    from scosim.network.mechanism import shared_network

    net = shared_network(model).net
    c0 = np.asarray(net.baseline_cost, dtype=float)
    f = float(net.params["insecurity_cost_factor"])
    n = c0.shape[0]
    ok = np.isfinite(c0) & (c0 > 0)
    den = np.where(ok, c0, 1.0) * step * max(f, 1e-12)

    def share(cost: np.ndarray) -> np.ndarray:
        return np.where(ok, (cost - c0) / den, 0.0)

    one = net.step(np.eye(n) * step).cost  # (k, i, j): economy k alone insecure
    ar = np.arange(n)
    share_exp = share(one[ar, ar, :])  # row i of the step where i is insecure
    share_imp = share(one[ar, :, ar].T)  # column j of the step where j is insecure
    touch = np.asarray(net.graph.edge_economies, bool)
    pairs = sorted({(int(a), int(b)) for row in touch for a in np.flatnonzero(row)
                    for b in np.flatnonzero(row) if a < b})
    share_both = np.zeros((n, n))
    if pairs:
        shock = np.zeros((len(pairs), n))
        for k, (a, b) in enumerate(pairs):
            shock[k, [a, b]] = step
        both = net.step(shock).cost
        for k, (a, b) in enumerate(pairs):
            joint = share(both[k])
            share_both[a, b] = share_exp[a, b] + share_imp[a, b] - joint[a, b]
            share_both[b, a] = share_exp[b, a] + share_imp[b, a] - joint[b, a]
    clean = [np.clip(np.round(x, 9), 0.0, 1.0) for x in (share_exp, share_imp, share_both)]
    return RouteRiskPricing(c0, *clean, f)


def pair_cost_factor(rise: np.ndarray, pricing: RouteRiskPricing) -> np.ndarray:
    """Bilateral trade-cost factor ``(R, N, N)`` from each economy's insecurity rise ``(R, N)``.

    One scale with the network (docs/security.md section 11): the network multiplies an
    edge's cost by ``1 + factor x max instability of the economies it touches``
    (:func:`scosim.network.projects.insecurity_multiplier`). Without a network in the run
    the route is the network tables' baseline least-cost route and only its two ends are
    priced, so the pair's transport cost ``c`` changes by ``g = 1 + factor x (s_exp r_i +
    s_imp r_j - s_both min(r_i, r_j))``, with ``r`` the rise of insecurity above its
    2018-2022 level and ``s`` the route's cost shares on edges touching the exporter, the
    importer and both (:func:`route_risk_pricing`): exactly the network's change for rises
    at the ends while the route stands. Falls (``r < 0``) are priced by the same rule (the
    network clips its index at 0). The iceberg cost ``1 + c`` then changes by ``(1 + g c) /
    (1 + c) = 1 + (g - 1) c / (1 + c)``, the network's rule
    (:func:`scosim.network.routing.t_hat_from_costs`): insecurity raises freight, not the
    cargo's value. Where no route exists (``c`` inf) the whole cost is transport.
    Domestic sales are untouched.

    Args:
        rise: ``(R, N)`` insecurity rise above the 2018-2022 level (may be < 0).
        pricing: The network's cost shares and scale (:func:`route_risk_pricing`).
    """
    r = np.asarray(rise, dtype=float)
    ri, rj = r[:, :, None], r[:, None, :]
    g = 1.0 + pricing.factor * (ri * pricing.share_exp[None] + rj * pricing.share_imp[None]
                                - np.minimum(ri, rj) * pricing.share_both[None])
    c = pricing.transport_cost
    with np.errstate(invalid="ignore"):
        share = np.where(np.isfinite(c), c / (1.0 + c), 1.0)
    f = 1.0 + (g - 1.0) * share[None]
    n = f.shape[-1]
    return np.where(np.eye(n, dtype=bool)[None], 1.0, f)
