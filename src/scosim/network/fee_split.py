"""How a project route's transit fee is split over its edges and among its hosts.

A fee ``f`` (US$ a TEU over the whole route of a freight project) is charged on each of the
route's edges in proportion to the edge's length, ``f * km_e / km_route`` (the default,
``fee_split: km``; ``freight_rate`` weighs each km by the edge's freight rate, below), and
an edge's part goes to the economies it lies in by their km on it (``territory_km`` of
``edges.csv`` where the table gives it, else shared equally among the economies the edge
touches). So by km a TEU over the whole route pays each host ``f`` times the host's share
of the route's km (:func:`scosim.network.projects.project_km_by_economy`), and a TEU over
part of it pays pro rata to the km it uses.

Why length: transit charges on rail and road are levied per km (or tonne-km) of the
transit state's network, as freight tariffs are quoted per TEU-km (Reed and Trubetskoy
2019, ``reed_trubetskoy_2019``); the project's sources give no transit fee schedule for
these lines, so the per-km split is a scosim assumption, not a sourced tariff. Nor does
any source of the project (docs/anchors.md, the raw data's SOURCES.md) give a cost-based
split. The one alternative the network itself supports is by the shipper's freight rate
(``parameters.network.fee_split: freight_rate``): each edge's part in proportion to its km
times its freight rate per TEU-km (``rate_<mode>_<quality>`` of ``params.csv``, Reed and
Trubetskoy's; per tonne-km it is the same split, ``tonnes_per_teu`` being one constant), so
a low-quality section, dearer to ship over, takes more of the fee. That is what the
shipper pays, not the hosts' cost: on the Trans-Afghan railway the km split is the closer
to the hosts' own costs (``corridor_own_cost_usd``; docs/network.md gives the figures).
Where every edge of a route has the same rate (the CKU's) the two splits are one. An edge
with no freight rate (an energy route's, 0) takes its km weight: a route of such edges
splits by km under either. docs/network.md gives the Trans-Afghan railway's break-even
under both: the sensitivity.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: The ways a route's fee is split over its edges (``parameters.network.fee_split``).
FEE_SPLITS: tuple[str, ...] = ("km", "freight_rate")


def edge_rates(edges: pd.DataFrame, params: dict[str, float]) -> FloatArray:
    """Each edge's freight rate, US$ per TEU-km, as the freight graph prices it (E,).

    Road and rail by quality (``rate_rail_high``), sea and inland water by mode; 0 for an
    energy edge (a pipeline or power line carries no freight).
    """
    out = np.zeros(len(edges))
    for e, (mode, quality) in enumerate(zip(edges["mode"], edges["quality"], strict=True)):
        key = f"rate_{mode}_{quality}" if mode in ("road", "rail") else f"rate_{mode}"
        out[e] = float(params.get(key, 0.0))
    return out


def edge_fee_weights(edges: pd.DataFrame, edge_project: NDArray[np.int64],
                     n_projects: int, rates: FloatArray | None = None) -> FloatArray:
    """Each project edge's part of its project's fee (E,): its weight over the route's.

    The weight is the edge's km, or with ``rates`` its km x rate. Non-project edges get 0;
    a project's parts add up to 1. A route whose edges all have 0 km (none in the shipped
    tables) splits its fee evenly.

    Args:
        edges: The network's edge table (``length_km``), in the graph's edge order.
        edge_project: (E,) project index of each edge, -1 for none (``FreightGraph``).
        n_projects: Number of projects P.
        rates: (E,) US$ per TEU-km (:func:`edge_rates`) to split by km x the shipper's
            freight rate; None splits by km. A route whose edges all have rate 0 (an
            energy route: a pipeline carries no freight) splits by km, not evenly.
    """
    ep = np.asarray(edge_project)
    length = np.asarray(edges["length_km"], float)
    if rates is not None:
        weighted = length * np.asarray(rates, float)
        # A route with no freight rate on any edge (TAPI, CASA-1000) keeps its km
        # weights: rate 0 says nothing of where the fee is earned (review, 2026-12-07).
        own = ep >= 0
        rated = np.bincount(ep[own], weights=weighted[own],
                            minlength=n_projects)[np.maximum(ep, 0)] > 0
        length = np.where(rated, weighted, length)
    km = np.where(ep >= 0, length, 0.0)
    own = ep >= 0
    route_km = np.bincount(ep[own], weights=km[own], minlength=n_projects)
    count = np.bincount(ep[own], minlength=n_projects).astype(float)
    idx = np.maximum(ep, 0)
    by_km = km / np.where(route_km[idx] > 0, route_km[idx], 1.0)
    even = 1.0 / np.maximum(count[idx], 1.0)
    return np.where(own, np.where(route_km[idx] > 0, by_km, even), 0.0)


def edge_fee_shares(edges: pd.DataFrame, edge_economies: NDArray[np.bool_],
                    economies: Sequence[str]) -> FloatArray:
    """Who collects an edge's fee (E, N): each economy's share of the edge's km.

    ``territory_km`` where the edge table gives it (the CKU's last 50 km are all in
    Uzbekistan), else equal shares among the economies the edge touches
    (``edge_economies``). Rows add up to 1, or 0 for an edge in no economy (a sea lane).
    """
    touch = np.asarray(edge_economies, float)
    share = touch / np.maximum(touch.sum(axis=1, keepdims=True), 1.0)
    if "territory_km" not in edges:
        return share
    pos = {c: k for k, c in enumerate(economies)}
    for e, (given, length) in enumerate(zip(edges["territory_km"], edges["length_km"],
                                            strict=True)):
        if given and float(length) > 0:
            share[e] = 0.0
            for code, km in given.items():
                share[e, pos[code]] = float(km) / float(length)
    return share
