"""Least-cost container routing on the freight graph and iceberg cost changes.

The graph (:class:`FreightGraph`, :func:`build_freight_graph`) is built in
:mod:`scosim.network.freight_graph`: the multimodal network expanded into (node, mode)
layers, with travel, transfer and access arcs, plus a source and a sink per node (its names
are re-exported here). This module weights its arcs for a batch of runs
(:func:`arc_weights`), finds the least-cost routes between all centres
(:func:`least_cost_routes`) and reads them (:func:`route_edges`, :func:`path_money_days`).

Generalised cost of a route, as an ad valorem fraction of the value of a TEU:
``money / value_per_teu + days x vot_per_day`` (Hummels and Schaur 2013). The cost between
two economies is the weighted mean over their centres (most have one; Rest of World has
gateways). The iceberg change fed to the trade model is
``t_hat = (1 + c_new) / (1 + c_baseline)``: the baseline network gives exactly 1
(:mod:`scosim.network.iceberg`; ``economy_costs`` and ``t_hat_from_costs`` are re-exported
here).

All kernels take arc weights batched over runs ``(R, A)`` and loop over runs with
scipy's Dijkstra (a graph of a few hundred vertices takes about a millisecond per run).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.network.freight_graph import (
    ACCESS,
    LAYERS,
    TRANSFER,
    TRAVEL,
    FreightGraph,
    IntArray,
    build_freight_graph,
)
from scosim.network.iceberg import economy_costs, t_hat_from_costs

FloatArray = NDArray[np.float64]

__all__ = [
    "ACCESS", "LAYERS", "TRANSFER", "TRAVEL", "FreightGraph", "Routes", "arc_weights",
    "build_freight_graph", "economy_costs", "least_cost_routes", "path_money_days",
    "route_edges", "t_hat_from_costs",
]


def arc_weights(graph: FreightGraph, money_mult: ArrayLike | None = None,
                time_mult: ArrayLike | None = None, edge_open: ArrayLike | None = None,
                edge_fee: ArrayLike | None = None, active_projects: ArrayLike | None = None,
                ) -> FloatArray:
    """Generalised arc weights (R, A) from per-edge multipliers.

    Args:
        graph: The freight graph.
        money_mult: (R, E) or (E,) multipliers on each edge's money cost (default 1).
        time_mult: (R, E) or (E,) multipliers on each edge's travel time (default 1).
        edge_open: (R, E) or (E,) bool; a closed edge's arcs get weight ``inf``. Default: every
            existing edge open, every project and closed edge closed.
        edge_fee: (R, E) or (E,) US$ per TEU added to each traversal of an edge (e.g. a
            corridor's transit fee), not scaled by the multipliers.
        active_projects: (R, P) or (P,) bool: operating projects whose measures (port
            handling, border procedures) replace the money and days of the arcs they change
            (the cheapest where several projects change one arc). Default: none.

    Returns:
        (R, A) weights; transfer and access arcs are never scaled.
    """
    n_edges = len(graph.edge_ids)
    if edge_open is None:
        edge_open = graph.edge_baseline_open
    mm = np.atleast_2d(np.ones(n_edges) if money_mult is None else np.asarray(money_mult, float))
    tm = np.atleast_2d(np.ones(n_edges) if time_mult is None else np.asarray(time_mult, float))
    op = np.atleast_2d(np.asarray(edge_open, bool))
    runs = max(mm.shape[0], tm.shape[0], op.shape[0])
    for name, arr in (("money_mult", mm), ("time_mult", tm), ("edge_open", op)):
        if arr.shape[1] != n_edges or arr.shape[0] not in (1, runs):
            raise ValueError(f"{name} must be (R, {n_edges}) or ({n_edges},); got {arr.shape}")
    if np.any(mm < 0) or np.any(tm < 0) or not (np.all(np.isfinite(mm)) and
                                                np.all(np.isfinite(tm))):
        raise ValueError("edge cost multipliers must be finite and >= 0; close an edge instead")
    travel = graph.edge >= 0
    e = np.where(travel, graph.edge, 0)
    base_m, base_d = graph.money[None, :], graph.days[None, :]
    if active_projects is not None and graph.measure_arc.size:
        act = np.atleast_2d(np.asarray(active_projects, bool))
        on = act[:, graph.measure_project]  # (R', K)
        base_m = np.broadcast_to(base_m, (act.shape[0], base_m.shape[1])).copy()
        base_d = np.broadcast_to(base_d, base_m.shape).copy()
        rows = np.arange(act.shape[0])[:, None]
        cols = np.broadcast_to(graph.measure_arc[None, :], on.shape)
        np.minimum.at(base_m, (np.broadcast_to(rows, on.shape), cols),
                      np.where(on, graph.measure_money[None, :], np.inf))
        np.minimum.at(base_d, (np.broadcast_to(rows, on.shape), cols),
                      np.where(on, graph.measure_days[None, :], np.inf))
        runs = max(runs, act.shape[0])
    m = np.where(travel, mm[:, e], 1.0) * base_m
    if edge_fee is not None:
        fee = np.atleast_2d(np.asarray(edge_fee, float))
        if fee.shape[1] != n_edges or np.any(fee < 0) or not np.all(np.isfinite(fee)):
            raise ValueError(f"edge_fee must be finite, >= 0 and (R, {n_edges})")
        m = m + np.where(travel, fee[:, e], 0.0)
        runs = max(runs, fee.shape[0])
    d = np.where(travel, tm[:, e], 1.0) * base_d
    w = graph.generalized(m, d)
    closed = travel & ~op[:, e]
    w = np.where(closed, np.inf, w)
    return np.broadcast_to(w, (runs, w.shape[-1])).copy()


@dataclass(frozen=True)
class Routes:
    """Least-cost routes for a batch of runs.

    Attributes:
        centre_cost: (R, C, C) generalised cost between centres (inf: no route).
        cost: (R, N, N) generalised cost between economies incl. the endpoint charges; zero
            diagonal.
        predecessors: (R, T, V) Dijkstra predecessor of each vertex in each shortest-path
            tree (-9999 where none); tree ``graph.trees()[2][a, b]`` holds the route of centre
            pair (a, b) (one tree per centre unless transit bans add some); use
            :func:`route_edges` to read a path. int32, as scipy gives them (half of int64's
            memory: 30 runs' 106 trees take 7.4 MB an array).
        weights: (R, A) the arc weights the routes were computed with.
        route_arc: (R, T, V) index of the arc each vertex is reached by in each tree (the
            cheapest of parallel arcs; -1 for the root and for unreached vertices); int32.
    """

    centre_cost: FloatArray
    cost: FloatArray
    predecessors: NDArray[np.int32]
    weights: FloatArray
    route_arc: NDArray[np.int32]


def _collapse(graph: FreightGraph) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Group parallel arcs (same tail and head): order, group starts, group tails, heads."""
    order = np.lexsort((graph.head, graph.tail))
    t, h = graph.tail[order], graph.head[order]
    new = np.ones(len(order), bool)
    new[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    starts = np.flatnonzero(new)
    return order, starts, t[starts], h[starts]


def least_cost_routes(graph: FreightGraph, weights: ArrayLike) -> Routes:
    """Least-cost routes between all centres for each run.

    Args:
        graph: The freight graph.
        weights: (R, A) or (A,) arc weights from :func:`arc_weights` (``inf`` = closed).

    Returns:
        :class:`Routes` with economy costs ``cost[r, i, j]``.
    """
    # Imported here: runs without a corridor never route (scipy.sparse is 0.1-0.3 s to import).
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra

    from scosim.network.rules import ban_tree_needed

    w = np.atleast_2d(np.asarray(weights, float))
    if w.shape[1] != len(graph.tail):
        raise ValueError(f"weights must have {len(graph.tail)} arcs; got {w.shape}")
    if np.any(np.isnan(w)) or np.any(w < 0):
        raise ValueError("arc weights must be >= 0 (inf closes an arc)")
    order, starts, gt, gh = _collapse(graph)
    runs, nv = w.shape[0], graph.n_vertices
    n_c = len(graph.centre_src)
    tree_centre, tree_set, tree_of, barred = graph.trees()
    n_t = len(tree_centre)
    centre_cost = np.empty((runs, n_c, n_c))
    preds = np.empty((runs, n_t, nv), dtype=np.int32)
    route_arc = np.full((runs, n_t, nv), -1, dtype=np.int32)
    group_of = np.empty(len(order), dtype=np.int64)
    group_of[order] = np.cumsum(np.isin(np.arange(len(order)), starts)) - 1
    # Each (tail, head) pair's group, by a dense lookup (one gather a tree, not a search).
    group_at = np.full(nv * nv, -1, dtype=np.int64)
    group_at[gt * nv + gh] = np.arange(len(gt))
    dst_of = graph.centre_dst[None, :]
    # The destination sinks each transit-ban tree serves (its pairs' only use of it).
    served = [graph.centre_dst[tree_of[tree_centre[t]] == t] for t in range(n_t)]
    for r in range(runs):
        dist = np.empty((n_t, nv))
        for s in range(barred.shape[0]):
            trees = np.flatnonzero(tree_set == s)
            if s:
                # A ban tree whose pairs' unrestricted routes already avoid the barred arcs
                # is the unrestricted tree for those pairs (a shortest path that avoids them
                # is shortest without them too): copy it instead of running Dijkstra again.
                own = ban_tree_needed(preds[r], route_arc[r], barred[s], tree_centre[trees],
                                      [served[t] for t in trees])
                copy = trees[~own]
                dist[copy] = dist[tree_centre[copy]]
                preds[r, copy] = preds[r, tree_centre[copy]]
                route_arc[r, copy] = route_arc[r, tree_centre[copy]]
                trees = trees[own]
            if trees.size == 0:
                continue
            # A transit ban routes its pairs on the graph without the banned economies' arcs.
            ws = np.where(barred[s], np.inf, w[r]) if s else w[r]
            gw = np.minimum.reduceat(ws[order], starts)
            # the cheapest arc of each group (ties: the first in table order)
            hit = ws == gw[group_of]
            candidates = np.where(hit, np.arange(len(order)), len(order))
            best = np.minimum.reduceat(candidates[order], starts)
            keep = np.isfinite(gw)
            # Explicit zeros are kept as arcs by csgraph when given in sparse form.
            mat = csr_array((gw[keep], (gt[keep], gh[keep])), shape=(nv, nv))
            d_s, pred = dijkstra(mat, directed=True, indices=graph.centre_src[tree_centre[trees]],
                                 return_predecessors=True)
            dist[trees] = d_s
            preds[r, trees] = pred
            has = pred >= 0
            pos = group_at[np.where(has, pred, 0).astype(np.int64) * nv + np.arange(nv)[None, :]]
            route_arc[r, trees] = np.where(has, best[pos], -1)
        centre_cost[r] = dist[tree_of, dst_of]
    return Routes(centre_cost=centre_cost, cost=economy_costs(graph, centre_cost),
                  predecessors=preds, weights=w, route_arc=route_arc)


def route_edges(graph: FreightGraph, routes: Routes, run: int, origin: int, destination: int,
                ) -> list[int]:
    """Edge indices on the least-cost path between two centres (in travel order).

    Args:
        graph: The freight graph.
        routes: Output of :func:`least_cost_routes`.
        run: Run index.
        origin: Centre index of the origin (position in ``graph.centre_src``).
        destination: Centre index of the destination.

    Returns:
        Edge indices of the travel arcs; empty if there is no route.
    """
    tree = int(graph.trees()[2][origin, destination])
    pred = routes.predecessors[run, tree]
    v = int(graph.centre_dst[destination])
    src = int(graph.centre_src[origin])
    vertices = [v]
    while v != src:
        v = int(pred[v])
        if v < 0:
            return []
        vertices.append(v)
    vertices.reverse()
    w = routes.weights[run] if routes.weights.shape[0] > 1 else routes.weights[0]
    barred = graph.trees()[3][int(graph.trees()[1][tree])]
    w = np.where(barred, np.inf, w)
    out: list[int] = []
    for u, x in zip(vertices[:-1], vertices[1:], strict=True):
        arcs = graph.arc_edge_of.get((u, x), ())
        if arcs:
            best = min(arcs, key=lambda k: w[k])  # the parallel edge the route really uses
            out.append(int(graph.edge[best]))
    return out


def path_money_days(graph: FreightGraph, labels: Sequence[str]) -> tuple[float, float]:
    """Baseline money (US$/TEU) and days along a given vertex path (cheapest parallel arc).

    Args:
        graph: The freight graph.
        labels: Vertex labels ``"node|layer"`` in order, from a ``src`` to a ``dst`` vertex.

    Raises:
        KeyError: If two consecutive vertices have no arc between them.
    """
    idx = [graph.vertex(x) for x in labels]
    parts_m: list[float] = []
    parts_d: list[float] = []
    for a, b, la, lb in zip(idx[:-1], idx[1:], labels[:-1], labels[1:], strict=True):
        arcs = np.flatnonzero((graph.tail == a) & (graph.head == b))
        if arcs.size == 0:
            raise KeyError(f"no arc from {la!r} to {lb!r}")
        best = arcs[np.argmin(graph.generalized(graph.money[arcs], graph.days[arcs]))]
        parts_m.append(float(graph.money[best]))
        parts_d.append(float(graph.days[best]))
    return math.fsum(parts_m), math.fsum(parts_d)
