"""The freight graph: the multimodal network expanded into (node, mode) layers.

Split from :mod:`scosim.network.routing` (size), which searches it for least-cost routes and
re-exports the names here. The freight network is expanded into a directed graph whose
vertices are (node, mode) layers plus a source and a sink per node:

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
transit economy pays ``s`` of its own (:attr:`FreightGraph.endpoint_money`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.network.tables import FREIGHT_MODES, SEA, NetworkTables

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

__all__ = ["ACCESS", "LAYERS", "TRANSFER", "TRAVEL", "FreightGraph", "build_freight_graph"]

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

