"""Least-cost container routing on the multimodal network and iceberg cost changes.

The freight network is expanded into a directed graph whose vertices are (node, mode)
layers plus a source and a sink per node:

* travel arcs follow an edge in its mode, in both directions; money = length x rate per
  TEU-km (by mode and quality), time = length / speed; an edge whose endpoints lie in two
  economies adds a border crossing (a share of the Doing Business export time and fee of
  the economy left plus the import time and fee of the economy entered) and a gauge break
  where flagged;
* transfer arcs change mode at a node: sea or Caspian to land pays the port fee and dwell
  (plus the customs share of the port's economy), road to rail the intermodal fee;
* the source of a node enters its land layers free and its water layers through the port;
  the sink is the mirror image, so no path can pass through a source or a sink.

The rest of the Doing Business time and fee (``1 - transit_border_share``) is paid once,
at the origin's export and the destination's import, whatever the route; with
``transit_border_share = s`` a direct crossing pays the full published figures and each
transit economy pays ``s`` of its own.

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
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.network.iceberg import economy_costs, t_hat_from_costs
from scosim.network.tables import FREIGHT_MODES, SEA, NetworkTables

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

__all__ = [
    "ACCESS", "LAYERS", "TRANSFER", "TRAVEL", "FreightGraph", "Routes", "arc_weights",
    "build_freight_graph", "economy_costs", "least_cost_routes", "path_money_days",
    "route_edges", "t_hat_from_costs",
]

#: Vertex layers: the freight modes, with feeder sea services apart from mainline ones so
#: that moving between them is a transshipment at a hub port.
LAYERS: tuple[str, ...] = ("road", "rail", "sea", "sea_feeder", "inland_water")
_WATER = ("sea", "sea_feeder", "inland_water")


def _layer(mode: str, quality: str) -> str:
    return "sea_feeder" if mode == "sea" and quality == "feeder" else mode
#: Arc kinds.
TRAVEL, TRANSFER, ACCESS = 0, 1, 2


@dataclass(frozen=True)
class FreightGraph:
    """The expanded directed graph (arrays only; build with :func:`build_freight_graph`).

    Attributes:
        vertex_labels: ``"node|layer"`` for each vertex (layer: a mode, ``src`` or ``dst``).
        tail, head: Arc endpoints, (A,) vertex indices.
        edge: Edge index of a travel arc, -1 for transfer and access arcs, (A,).
        kind: TRAVEL, TRANSFER or ACCESS, (A,).
        money: US$ per TEU on the arc at baseline, (A,).
        days: Days on the arc at baseline, (A,).
        edge_ids: Edge ids in table order (freight and energy), (E,).
        edge_project: Project index of each edge, -1 for existing and closed edges, (E,).
        edge_baseline_open: (E,) True for existing edges (closed and project edges False).
        edge_economies: (E, N) True where the edge touches economy n (land edges, pipelines
            and power lines; sea and Caspian lanes touch none).
        economies: Economy codes, (N,).
        centre_src, centre_dst: Source / sink vertex of each centre, (C,).
        centre_economy: Economy index of each centre, (C,).
        centre_weight: Weight of each centre within its economy (sums to 1), (C,).
        endpoint_money, endpoint_days: (N, N) charges paid once per shipment (origin export and
            destination import share); zero diagonal.
        value_per_teu: US$ value of a TEU used to express money ad valorem.
        vot_per_day: Ad valorem value of a day.
        arc_edge_of: (tail, head) -> travel arcs between two vertices (several where edges
            run in parallel); used to report which edges a route uses.
        max_t_hat: Cap on iceberg changes (also used when no route is left).
        tree_centre, tree_set, tree_of, barred_arcs: Shortest-path trees honouring transit
            bans (:func:`scosim.network.rules.transit_trees`); None: one tree per centre.
        measure_arc, measure_project, measure_money, measure_days: (K,) arcs whose money and
            days a project's measures change while it operates
            (:func:`scosim.network.rules.measure_arrays`).
    """

    vertex_labels: tuple[str, ...] = field(repr=False)
    tail: IntArray = field(repr=False)
    head: IntArray = field(repr=False)
    edge: IntArray = field(repr=False)
    kind: IntArray = field(repr=False)
    money: FloatArray = field(repr=False)
    days: FloatArray = field(repr=False)
    edge_ids: tuple[str, ...] = field(repr=False)
    edge_project: IntArray = field(repr=False)
    edge_economies: BoolArray = field(repr=False)
    edge_baseline_open: BoolArray = field(repr=False)
    economies: tuple[str, ...] = ()
    centre_src: IntArray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    centre_dst: IntArray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    centre_economy: IntArray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    centre_weight: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    endpoint_money: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    endpoint_days: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    arc_edge_of: dict[tuple[int, int], tuple[int, ...]] = field(default_factory=dict,
                                                                repr=False)
    value_per_teu: float = 54500.0
    vot_per_day: float = 0.0135
    max_t_hat: float = 5.0
    tree_centre: IntArray | None = field(default=None, repr=False)
    tree_set: IntArray | None = field(default=None, repr=False)
    tree_of: IntArray | None = field(default=None, repr=False)
    barred_arcs: BoolArray | None = field(default=None, repr=False)
    measure_arc: IntArray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    measure_project: IntArray = field(default_factory=lambda: np.zeros(0, np.int64),
                                      repr=False)
    measure_money: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    measure_days: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)

    def trees(self) -> tuple[IntArray, IntArray, IntArray, BoolArray]:
        """``(tree_centre, tree_set, tree_of, barred_arcs)``; one tree per centre if unset."""
        if self.tree_of is not None:
            return self.tree_centre, self.tree_set, self.tree_of, self.barred_arcs
        n_c = len(self.centre_src)
        ident = np.arange(n_c, dtype=np.int64)
        return (ident, np.zeros(n_c, np.int64), np.tile(ident[:, None], (1, n_c)),
                np.zeros((1, len(self.tail)), bool))

    @property
    def n_vertices(self) -> int:
        """Number of vertices."""
        return len(self.vertex_labels)

    def vertex(self, label: str) -> int:
        """Index of the vertex ``"node|layer"``."""
        try:
            return self.vertex_labels.index(label)
        except ValueError:
            raise KeyError(f"no vertex {label!r} in the freight graph") from None

    def generalized(self, money: ArrayLike, days: ArrayLike) -> FloatArray:
        """Money (US$/TEU) and days to an ad valorem cost fraction."""
        return (np.asarray(money, float) / self.value_per_teu
                + np.asarray(days, float) * self.vot_per_day)


def _rate(p: dict[str, float], mode: str, quality: str) -> float:
    if mode in ("road", "rail"):
        return p[f"rate_{mode}_{quality}"]
    return p[f"rate_{mode}"]


def build_freight_graph(tables: NetworkTables, params: dict[str, float] | None = None,
                        year: int | None = None) -> FreightGraph:
    """Expand the network tables into the directed freight graph.

    Args:
        tables: Validated tables (:func:`scosim.network.tables.load_network`).
        params: Parameter values overriding ``tables.params`` (e.g. a scenario's
            ``vot_per_day`` or a calibration trial); missing names keep the table value.
        year: Apply the transit restrictions in force in this year (``from_year <= year``);
            None applies every row of ``transit_restrictions.csv``.

    Returns:
        The :class:`FreightGraph` (project edges included; switch them with masks).
    """
    p = {**tables.params, **(params or {})}
    nodes, edges, borders = tables.nodes, tables.edges, tables.borders
    economies = tables.economies
    eidx = {c: k for k, c in enumerate(economies)}
    share = p["transit_border_share"]
    exp_usd = borders["export_usd"].reindex(economies).to_numpy(float)
    imp_usd = borders["import_usd"].reindex(economies).to_numpy(float)
    exp_days = borders["export_hours"].reindex(economies).to_numpy(float) / 24.0
    imp_days = borders["import_hours"].reindex(economies).to_numpy(float) / 24.0

    freight = edges[edges["mode"].isin(FREIGHT_MODES)]
    layers: dict[str, list[str]] = {n: [] for n in nodes.index}
    for _, e in freight.iterrows():
        for n in (e["from_node"], e["to_node"]):
            layer = _layer(e["mode"], e["quality"])
            if layer not in layers[n]:
                layers[n].append(layer)
    labels: list[str] = []
    index: dict[str, int] = {}
    for n in nodes.index:
        for layer in [*sorted(layers[n], key=LAYERS.index), "src", "dst"]:
            index[f"{n}|{layer}"] = len(labels)
            labels.append(f"{n}|{layer}")

    tail: list[int] = []
    head: list[int] = []
    arc_edge: list[int] = []
    kind: list[int] = []
    money: list[float] = []
    days: list[float] = []

    # Components a project measure can scale (rules.py): port fee and dwell, border share.
    port_part: list[tuple[float, float]] = []
    border_part: list[tuple[float, float]] = []
    arc_node: list[str] = []

    def add(a: str, b: str, m: float, d: float, k: int, e: int = -1,
            port: tuple[float, float] = (0.0, 0.0),
            border: tuple[float, float] = (0.0, 0.0)) -> None:
        tail.append(index[a])
        head.append(index[b])
        money.append(m)
        days.append(d)
        kind.append(k)
        arc_edge.append(e)
        port_part.append(port)
        border_part.append(border)
        arc_node.append(a.split("|")[0] if k != TRAVEL else "")

    edge_pos = {eid: k for k, eid in enumerate(edges.index)}
    econ_of = nodes["economy"].to_dict()
    for eid, e in freight.iterrows():
        mode = e["mode"]
        layer = _layer(mode, e["quality"])
        base_m = e["length_km"] * _rate(p, mode, e["quality"])
        base_d = e["length_km"] / p[f"speed_{mode}"]
        if e["gauge_break"]:
            base_m += p["gauge_fee_usd"]
            base_d += p["gauge_days"]
        a, b = e["from_node"], e["to_node"]
        for u, v in ((a, b), (b, a)):
            bm, bd = 0.0, 0.0
            eu, ev = econ_of[u], econ_of[v]
            # Ships cross no land border: customs are paid at the ports' transfers.
            if eu != ev and SEA not in (eu, ev) and mode not in ("sea", "inland_water"):
                iu, iv = eidx[eu], eidx[ev]
                bm = share * (exp_usd[iu] + imp_usd[iv])
                bd = share * (exp_days[iu] + imp_days[iv])
            add(f"{u}|{layer}", f"{v}|{layer}", base_m + bm, base_d + bd, TRAVEL,
                edge_pos[eid], border=(bm, bd))

    for n, present in layers.items():
        econ = econ_of[n]
        k = eidx.get(econ, -1)
        ex_m = share * exp_usd[k] if k >= 0 else 0.0
        ex_d = share * exp_days[k] if k >= 0 else 0.0
        im_m = share * imp_usd[k] if k >= 0 else 0.0
        im_d = share * imp_days[k] if k >= 0 else 0.0
        port = (p["port_fee_usd"], p["port_days"])
        land = [m for m in present if m not in _WATER]
        water = [m for m in present if m in _WATER]
        for m1 in present:
            for m2 in present:
                if m1 == m2:
                    continue
                if m1 in _WATER and m2 in _WATER:
                    add(f"{n}|{m1}", f"{n}|{m2}", p["port_fee_usd"], p["port_days"], TRANSFER,
                        port=port)
                elif m1 in _WATER:  # unloading: port plus import customs share
                    add(f"{n}|{m1}", f"{n}|{m2}", p["port_fee_usd"] + im_m,
                        p["port_days"] + im_d, TRANSFER, port=port, border=(im_m, im_d))
                elif m2 in _WATER:  # loading: port plus export customs share
                    add(f"{n}|{m1}", f"{n}|{m2}", p["port_fee_usd"] + ex_m,
                        p["port_days"] + ex_d, TRANSFER, port=port, border=(ex_m, ex_d))
                else:
                    add(f"{n}|{m1}", f"{n}|{m2}", p["intermodal_fee_usd"],
                        p["intermodal_days"], TRANSFER)
        for m in land:
            add(f"{n}|src", f"{n}|{m}", 0.0, 0.0, ACCESS)
            add(f"{n}|{m}", f"{n}|dst", 0.0, 0.0, ACCESS)
        for m in water:
            add(f"{n}|src", f"{n}|{m}", p["port_fee_usd"] + ex_m, p["port_days"] + ex_d,
                ACCESS, port=port, border=(ex_m, ex_d))
            add(f"{n}|{m}", f"{n}|dst", p["port_fee_usd"] + im_m, p["port_days"] + im_d,
                ACCESS, port=port, border=(im_m, im_d))

    centres = nodes[nodes["kind"].isin(("centre", "gateway")) & nodes["economy"].isin(economies)]
    c_econ = np.array([eidx[c] for c in centres["economy"]], dtype=np.int64)
    weights = centres["centre_weight"].to_numpy(float)
    totals = np.bincount(c_econ, weights=weights, minlength=len(economies))
    ep_m = (1.0 - share) * (exp_usd[:, None] + imp_usd[None, :])
    ep_d = (1.0 - share) * (exp_days[:, None] + imp_days[None, :])
    np.fill_diagonal(ep_m, 0.0)
    np.fill_diagonal(ep_d, 0.0)
    project_pos = {pid: k for k, pid in enumerate(tables.projects.index)}
    edge_econ = np.zeros((len(edges), len(economies)), dtype=bool)
    # Sea and Caspian lanes are international waters: ports touch an economy through their
    # transfers, so a ship passing a port's sea vertex neither transits nor risks that economy.
    for k, (crossed, mode) in enumerate(zip(edges["economies"], edges["mode"], strict=True)):
        if mode in ("sea", "inland_water"):
            continue
        for code in crossed:
            if code in eidx:
                edge_econ[k, eidx[code]] = True
    graph = FreightGraph(
        vertex_labels=tuple(labels),
        tail=np.asarray(tail, np.int64),
        head=np.asarray(head, np.int64),
        edge=np.asarray(arc_edge, np.int64),
        kind=np.asarray(kind, np.int64),
        money=np.asarray(money, float),
        days=np.asarray(days, float),
        edge_ids=tuple(edges.index),
        edge_project=np.array([project_pos.get(x, -1) if x else -1 for x in edges["project"]],
                              dtype=np.int64),
        edge_economies=edge_econ,
        edge_baseline_open=(edges["status"] == "existing").to_numpy(),
        economies=tuple(economies),
        centre_src=np.array([index[f"{n}|src"] for n in centres.index], dtype=np.int64),
        centre_dst=np.array([index[f"{n}|dst"] for n in centres.index], dtype=np.int64),
        centre_economy=c_econ,
        centre_weight=weights / totals[c_econ],
        endpoint_money=ep_m,
        endpoint_days=ep_d,
        arc_edge_of=_travel_arcs(tail, head, arc_edge),
        value_per_teu=float(p["value_per_teu_usd"]),
        vot_per_day=float(p["vot_per_day"]),
        max_t_hat=float(p["max_t_hat"]),
    )
    from scosim.network.rules import barred_pairs, measure_arrays, transit_trees

    # An arc touches an economy through its edge (land edges) or its node (transfers).
    arc_econ = np.zeros((len(tail), len(economies)), bool)
    travel = np.asarray(arc_edge) >= 0
    arc_econ[travel] = edge_econ[np.asarray(arc_edge)[travel]]
    for k, n in enumerate(arc_node):
        if n and econ_of[n] in eidx:
            arc_econ[k, eidx[econ_of[n]]] = True
    trees = transit_trees(c_econ, barred_pairs(tables.transit_restrictions, economies, year),
                          arc_econ)
    marc, mproj, mm, md = measure_arrays(tables.measures, tuple(tables.projects.index),
                                         tuple(edges.index), arc_edge, arc_node, money, days,
                                         port_part, border_part)
    return replace(graph, tree_centre=trees[0], tree_set=trees[1], tree_of=trees[2],
                   barred_arcs=trees[3], measure_arc=marc, measure_project=mproj,
                   measure_money=mm, measure_days=md)


def _travel_arcs(tail: list[int], head: list[int], edge: list[int]
                 ) -> dict[tuple[int, int], tuple[int, ...]]:
    out: dict[tuple[int, int], tuple[int, ...]] = {}
    for k, (t, h, e) in enumerate(zip(tail, head, edge, strict=True)):
        if e >= 0:
            out[(t, h)] = (*out.get((t, h), ()), k)
    return out


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
