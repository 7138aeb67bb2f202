"""Walking the shortest-path trees: edge loads, transit values and path minima.

:func:`tree_loads` and :func:`path_min` read a run's routes level by level down its
shortest-path trees (:class:`~scosim.network.routing.Routes`). What they need of the trees
besides the trade (the distinct trees, each vertex's depth and predecessor level by level,
the edge each arc is on, the economies each pair's route crosses in transit) depends on the
routes alone, and a batch routes the same trees over and over: 20 INSTC runs walk 214 route
sets, of which 44 are distinct. A :class:`WalkMemo` keeps that part, as a
:class:`TreeWalk`, per distinct route set, so a repeated set is walked without finding its
levels again. The memo holds the same integers a fresh walk computes and the additions run
in the same order, so loads and transit values are the same bits with or without it
(tests/test_network_tree_walk.py).

Moved here from :mod:`scosim.network.projects` on 2026-12-07 (projects re-exports them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.network.routing import FreightGraph, Routes

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Largest number of route sets a :class:`WalkMemo` keeps (about 0.2 MB each).
WALK_MEMO_SIZE = 64


def pair_weights(graph: FreightGraph, trade: FloatArray) -> FloatArray:
    """Trade assigned to each centre pair: the economy pair's flow times both centre weights."""
    ce, cw = graph.centre_economy, graph.centre_weight
    w = trade[ce[:, None], ce[None, :]] * cw[:, None] * cw[None, :]
    w[ce[:, None] == ce[None, :]] = 0.0
    return w


@dataclass(frozen=True)
class TreeWalk:
    """What a walk of one run's trees needs besides the trade (a function of the routes).

    Attributes:
        n_trees: Number of distinct trees (T').
        tree_of: (C, C) each centre pair's row among the distinct trees.
        levels: For depth 1, 2, ...: ``(tree, vertex, predecessor, arc)`` of the vertices
            at that depth (int16 or int32 indices, in the order of ``np.nonzero``).
        edge_tree, edge_vertex, edge_of: The vertices reached by a travel arc and its
            edge, in the order of ``np.nonzero(arc >= 0)``.
        ends: (C, C, N) True where pair (a, b)'s route crosses economy n in transit.
    """

    n_trees: int
    tree_of: IntArray
    levels: tuple[tuple[NDArray[np.integer], ...], ...]
    edge_tree: NDArray[np.integer]
    edge_vertex: NDArray[np.integer]
    edge_of: NDArray[np.integer]
    ends: NDArray[np.bool_]


class WalkMemo:
    """:class:`TreeWalk` by route set, bounded at :data:`WALK_MEMO_SIZE` (cleared when full).

    Keyed by a digest of the route set's bytes and the graph's trees (a network's graphs
    share their arcs and edges: they differ in the transit restrictions, so in the trees).
    A 32-byte BLAKE2b digest rather than the 1 MB of bytes keeps the memo at the walks'
    size; two route sets share a digest with a probability of about 2**-256.
    """

    def __init__(self) -> None:
        self._walks: dict[bytes, TreeWalk] = {}

    def get(self, graph: FreightGraph, key: bytes, pred: IntArray, arc: IntArray) -> TreeWalk:
        """The walk of routes ``pred``, ``arc`` (whose bytes are ``key``) on ``graph``."""
        tree_centre, _, tree_of, _ = graph.trees()
        digest = hashlib.blake2b(key, digest_size=32)
        digest.update(tree_centre.tobytes())
        digest.update(tree_of.tobytes())
        full = digest.digest()
        walk = self._walks.get(full)
        if walk is None:
            walk = tree_walk(graph, pred, arc)
            if len(self._walks) >= WALK_MEMO_SIZE:
                self._walks.clear()
            self._walks[full] = walk
        return walk


def tree_walk(graph: FreightGraph, pred: IntArray, arc: IntArray) -> TreeWalk:
    """The :class:`TreeWalk` of one run's trees ``pred``, ``arc`` (T, V)."""
    pred, arc, tree_of = distinct_trees(graph, pred, arc)
    n_t, nv = pred.shape
    n_c, n = len(graph.centre_src), len(graph.economies)
    depth = _depths(pred)
    levels = []
    for level in range(1, int(depth.max()) + 1):
        c, v = np.nonzero(depth == level)
        levels.append((c, v, pred[c, v], arc[c, v]))
    c, v = np.nonzero(arc >= 0)
    arcs = arc[c, v]
    on_edge = graph.edge[arcs] >= 0
    # push the touched economies down the trees
    arc_touch = np.zeros((len(graph.tail), n), bool)
    travel = graph.edge >= 0
    arc_touch[travel] = graph.edge_economies[graph.edge[travel]]
    touched = np.zeros((n_t, nv, n), bool)
    for lc, lv, lp, la in levels:
        touched[lc, lv] = touched[lc, lp] | arc_touch[la]
    ce = graph.centre_economy
    ends = touched[tree_of, np.broadcast_to(graph.centre_dst[None, :], (n_c, n_c))]
    ends[np.arange(n_c), :, ce] = False  # the exporter is not a transit economy
    ends[:, np.arange(n_c), ce] = False  # nor is the importer

    # The smallest integers that hold the indices (int16 for 584 vertices and 1,310 arcs):
    # a quarter of the memo int64 would take, the same values.
    kind = np.int16 if max(nv, len(graph.tail), n_t) < np.iinfo(np.int16).max else np.int32

    def small(x: IntArray) -> NDArray[np.integer]:
        return x.astype(kind)

    return TreeWalk(n_trees=n_t, tree_of=tree_of,
                    levels=tuple(tuple(small(x) for x in lv) for lv in levels),
                    edge_tree=small(c[on_edge]), edge_vertex=small(v[on_edge]),
                    edge_of=small(graph.edge[arcs[on_edge]]), ends=ends)


def tree_loads(graph: FreightGraph, routes: Routes, trade: ArrayLike, edges: bool = True,
               memo: WalkMemo | None = None) -> tuple[FloatArray, FloatArray]:
    """Edge loads and transit values from the shortest-path trees, without tracing paths.

    Same results as :func:`scosim.network.projects.edge_flows` and
    :func:`~scosim.network.projects.transit_value` (all-or-nothing assignment), computed
    level by level on each centre's shortest-path tree: demands at the sinks are pushed up
    the tree to get arc loads, and the set of economies touched on the way is pushed down
    the tree.

    Args:
        graph: The freight graph.
        routes: Output of :func:`scosim.network.routing.least_cost_routes`.
        trade: (N, N) or (R, N, N) trade flows in US$.
        edges: Load the edges; False leaves ``edge_value`` zero (for a caller that needs
            only the transit values: the push up the trees is most of the work).
        memo: Keeps each route set's :class:`TreeWalk` (same numbers, less work where
            route sets repeat); None: walk afresh.

    Returns:
        ``(edge_value, transit)``: (R, E) trade value on each edge and (R, N) trade value
        crossing each economy in transit.
    """
    t = np.asarray(trade, float)
    runs, _, nv = routes.route_arc.shape
    n_c = len(graph.centre_src)
    dst = np.broadcast_to(graph.centre_dst[None, :], (n_c, n_c))
    t = np.broadcast_to(t, (runs, *t.shape[-2:]))
    n_e, n = len(graph.edge_ids), len(graph.economies)
    edge_value = np.zeros((runs, n_e))
    transit = np.zeros((runs, n))
    for runs_of, walk in _walks(graph, routes, memo):
        # Runs with the same routes share the trees' levels and the economies each route
        # touches; their demands go up the trees together (_push_up, a run per column), in
        # the same order of additions as a run alone (ufunc.at adds its indices in turn).
        w = np.stack([pair_weights(graph, t[r]) for r in runs_of], axis=-1)  # (C, C, G)
        if edges:
            edge_value[runs_of] = _push_up(walk, nv, n_e, w, dst).T
        ends = walk.ends.astype(float)
        for g, r in enumerate(runs_of):
            transit[r] = np.einsum("ab,abn->n", np.ascontiguousarray(w[..., g]), ends)
    return edge_value, transit


def _walks(graph: FreightGraph, routes: Routes, memo: WalkMemo | None,
           ) -> list[tuple[list[int], TreeWalk]]:
    """Each group of runs with the same routes, with its :class:`TreeWalk`."""
    out = []
    for key, runs_of in route_groups_keyed(routes).items():
        pred, arc = routes.predecessors[runs_of[0]], routes.route_arc[runs_of[0]]
        walk = (tree_walk(graph, pred, arc) if memo is None
                else memo.get(graph, key, pred, arc))
        out.append((runs_of, walk))
    return out


def _push_up(walk: TreeWalk, nv: int, n_e: int, w: FloatArray, dst: IntArray) -> FloatArray:
    """(E, G) trade value on each edge: the pairs' demands ``w`` (C, C, G) pushed up."""
    acc = np.zeros((walk.n_trees, nv, w.shape[-1]))
    np.add.at(acc, (walk.tree_of, dst), w)  # each pair's demand at its sink in its tree
    for c, v, p, _ in reversed(walk.levels):
        np.add.at(acc, (c, p), acc[c, v])
    value = np.zeros((n_e, w.shape[-1]))
    np.add.at(value, walk.edge_of, acc[walk.edge_tree, walk.edge_vertex])
    return value


def distinct_trees(graph: FreightGraph, pred: IntArray, arc: IntArray,
                   ) -> tuple[IntArray, IntArray, IntArray]:
    """One run's trees without the transit-ban trees that repeat their centre's own tree.

    A ban tree is a copy of its centre's unrestricted tree when the pairs it serves already
    avoid the barred economies (:func:`scosim.network.routing.least_cost_routes`); walking it
    again would only repeat the work.

    Args:
        graph: The freight graph.
        pred: (T, V) predecessors of one run (:class:`Routes`).
        arc: (T, V) route arcs of the same run.

    Returns:
        ``(pred', arc', tree_of')``: the distinct trees' rows (T', V) and each centre pair's
        row among them (C, C).
    """
    tree_centre, _, tree_of, _ = graph.trees()
    n_t = pred.shape[0]
    alias = np.arange(n_t)
    same = ((tree_centre != alias) & np.all(pred == pred[tree_centre], axis=1)
            & np.all(arc == arc[tree_centre], axis=1))
    alias[same] = tree_centre[same]
    keep = np.flatnonzero(alias == np.arange(n_t))
    row = np.full(n_t, -1, dtype=np.int64)
    row[keep] = np.arange(len(keep))
    return pred[keep], arc[keep], row[alias[tree_of]]


def route_groups_keyed(routes: Routes) -> dict[bytes, list[int]]:
    """The runs of ``routes`` by identical routes (trees and arcs), keyed by their bytes."""
    groups: dict[bytes, list[int]] = {}
    for r in range(routes.route_arc.shape[0]):
        key = routes.route_arc[r].tobytes() + routes.predecessors[r].tobytes()
        groups.setdefault(key, []).append(r)
    return groups


def route_groups(routes: Routes) -> list[list[int]]:
    """The runs of ``routes`` grouped by identical routes (trees and arcs), in run order."""
    return list(route_groups_keyed(routes).values())


def _depths(pred: IntArray) -> IntArray:
    """Depth of each vertex in predecessor trees (..., V) (0 for roots and unreached ones).

    Pointer jumping: log2(V) rounds of ``depth += depth[jump]; jump = jump[jump]``.
    """
    nv = pred.shape[-1]
    flat = pred.reshape(-1, nv)
    own = np.broadcast_to(np.arange(nv), flat.shape)
    rows = np.arange(flat.shape[0])[:, None]
    depth = (flat >= 0).astype(np.int64)
    jump = np.where(flat >= 0, flat, own)
    for _ in range(int(np.ceil(np.log2(max(nv, 2)))) + 1):
        depth = depth + depth[rows, jump]
        jump = jump[rows, jump]
    return depth.reshape(pred.shape)


def path_min(graph: FreightGraph, routes: Routes, edge_value: ArrayLike,
             memo: WalkMemo | None = None) -> FloatArray:
    """Smallest edge value along each centre-to-centre least-cost route (R, C, C).

    Args:
        graph: The freight graph.
        routes: Output of :func:`scosim.network.routing.least_cost_routes`.
        edge_value: (R, E) or (E,) values (e.g. capacity / load ratios); transfer and access
            arcs count as 1.
        memo: As for :func:`tree_loads`.

    Returns:
        (R, C, C); 1 on the diagonal and where a route uses no edge with a value below 1.
    """
    runs, _, nv = routes.route_arc.shape
    n_c = len(graph.centre_src)
    dst = np.broadcast_to(graph.centre_dst[None, :], (n_c, n_c))
    ev = np.broadcast_to(np.atleast_2d(np.asarray(edge_value, float)),
                         (runs, len(graph.edge_ids)))
    out = np.ones((runs, n_c, n_c))
    travel = graph.edge >= 0
    for runs_of, walk in _walks(graph, routes, memo):
        # Runs with the same routes go down the trees together, a run per column (a
        # minimum: elementwise, the same as a run alone).
        arc_val = np.where(travel[:, None], ev[runs_of].T[np.maximum(graph.edge, 0)], 1.0)
        val = np.ones((walk.n_trees, nv, len(runs_of)))
        for c, v, p, a in walk.levels:
            val[c, v] = np.minimum(val[c, p], arc_val[a])
        out[runs_of] = np.moveaxis(val[walk.tree_of, dst], -1, 0)
    return out
