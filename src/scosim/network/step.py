"""The yearly network step: projects, insecurity and sanctions in; ``t_hat`` and indicators out.

:class:`CorridorNetwork` is set up once from the calibration and the network tables; its
:meth:`CorridorNetwork.step` is batched over runs and pure given its inputs (no I/O, no
randomness, no state changed), ready for a mechanism slot of the model:

* inputs: instability (R, N) in [0, 1], active projects (R, P) bool, optional closed edges
  (R, E) and per-economy sanction multipliers (R, N);
* outputs: ``t_hat`` (R, N, N), iceberg trade-cost changes relative to the baseline network
  (exactly 1 for the baseline), and a dict of (R, N) indicators.

Capacity: edges with a freight capacity (Mt a year, edges.csv) carry at most their capacity
and cost the BPR volume-delay factor of the load they carry. Loads come from an all-or-nothing
assignment of the year's trade (``step(trade=...)``; the mechanism passes the trade the model
last solved, :func:`scosim.network.loads.network_trade`) to least-cost routes; where demand
exceeds capacity it is rationed in proportion (each pair sends the share capacity / demand
through the corridor and the rest by its best route without the over-full edges), and the
pair's cost is the share-weighted mean of the two routes' costs (docs/network.md).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.data.constants import ECONOMIES, ROW
from scosim.network.energy import EnergyLinks, delivered_flows, energy_indicators, energy_links
from scosim.network.fee_split import (
    FEE_SPLITS,
    edge_fee_shares,
    edge_fee_weights,
    edge_rates,
)
from scosim.network.loads import phase_capacity, project_phase_share
from scosim.network.projects import (
    congestion_multiplier,
    edge_open_mask,
    insecurity_multiplier,
    project_mask,
    sanction_multiplier,
)
from scosim.network.routing import (
    FreightGraph,
    Routes,
    arc_weights,
    build_freight_graph,
    economy_costs,
    least_cost_routes,
    t_hat_from_costs,
)
from scosim.network.tables import NetworkTables, load_network
from scosim.network.tree_walk import WalkMemo, path_min, tree_loads

FloatArray = NDArray[np.float64]

#: Largest number of single-run uncongested route sets kept per network (0.25 MB each,
#: packed: :func:`_packed`).
ROUTE_MEMO_SIZE = 128


@dataclass(frozen=True)
class NetworkStep:
    """Result of one network step.

    Attributes:
        t_hat: (R, N, N) iceberg cost change relative to the baseline network.
        cost: (R, N, N) generalised cost (ad valorem fraction of a TEU's value).
        indicators: (R, N) arrays: ``trade_cost_change`` (trade-weighted mean of t_hat - 1
            over an economy's exports and imports), ``transit_trade_usd`` (trade crossing the
            economy in transit), and the energy indicators of
            :func:`scosim.network.energy.energy_indicators`.
        project_flow_mt: (R, P) freight carried on the busiest edge of each project, Mt a
            year (the year's trade value converted with value and weight per TEU, at most
            the capacity).
        congestion: (R, P) largest BPR factor over each project's edges at the carried load.
        fee_revenue_usd: (R, N) transit fees a year: on every edge the TEU carried times the
            edge's part of its project's fee (its share of the route's km), credited to the
            economies the edge lies in by their km on it (:mod:`scosim.network.fee_split`;
            zeros without fees).
        edge_flow_mt: (R, E) freight carried on each edge, Mt a year (``project_flow_mt`` is
            its largest value over a project's edges): the map labels the edge it is on.
        energy_flow: (R, L) gas (bcm) and power (TWh) delivered on each energy link, which
            :mod:`scosim.network.energy_value` values.
    """

    t_hat: FloatArray
    cost: FloatArray
    indicators: dict[str, FloatArray]
    project_flow_mt: FloatArray
    congestion: FloatArray
    fee_revenue_usd: FloatArray
    edge_flow_mt: FloatArray
    energy_flow: FloatArray


class CorridorNetwork:
    """The transport and energy network of a scenario, set up once, stepped each year.

    Args:
        tables: Network tables (default: the packaged ones).
        trade: (N, N) baseline trade flows in US$ (exporter x importer) that weight the
            indicators and load corridors where a step is given no trade of its own (default:
            the packaged calibration's trade matrix).
        params: Overrides of ``params.csv`` values (e.g. ``{"vot_per_day": 0.006}``).
        economies: Economy codes; must match the tables' (default the 28 of scosim).
        year: Transit restrictions in force in this year apply (``from_year <= year``);
            None applies every row of ``transit_restrictions.csv``.
        fee_split: How a route's fee is split over its edges: ``km`` (by length, the
            default) or ``freight_rate`` (km x the edge's freight rate per TEU-km;
            :mod:`scosim.network.fee_split`).
    """

    def __init__(self, tables: NetworkTables | None = None, trade: ArrayLike | None = None,
                 params: dict[str, float] | None = None,
                 economies: Sequence[str] = ECONOMIES, year: int | None = None,
                 fee_split: str = "km"):
        self.tables = tables if tables is not None else load_network()
        if tuple(economies) != self.tables.economies:
            raise ValueError("economies differ from the network tables' economies")
        self.params = {**self.tables.params, **(params or {})}
        self.graph: FreightGraph = build_freight_graph(self.tables, self.params, year)
        self._year = year
        self._open_graphs: dict[frozenset[str], FreightGraph] = {}
        self._interested: dict[tuple[str, float], tuple[str, ...]] = {}
        self.links: EnergyLinks = energy_links(self.tables)
        if trade is None:
            from scosim.data import load_calibration

            trade = load_calibration().trade_matrix()
        self.trade = np.asarray(trade, float)
        n = len(economies)
        if self.trade.shape != (n, n):
            raise ValueError(f"trade must be ({n}, {n}); got {self.trade.shape}")
        base = least_cost_routes(self.graph, arc_weights(self.graph))
        self.baseline_cost: FloatArray = base.cost[0]
        edges = self.tables.edges
        cap = edges["capacity"].to_numpy(float)
        freight_cap = (edges["capacity_unit"] == "Mt/yr").to_numpy() & np.isfinite(cap)
        self._capacity_mt = np.where(freight_cap, cap, np.inf)
        # A freight project's first phase carries this share of its edges' capacity.
        self._phase_share = project_phase_share(self.tables)
        # A route's fee by km (or km x freight rate) over its edges, and an edge's part by km to its
        # economies.
        if fee_split not in FEE_SPLITS:
            raise ValueError(f"fee_split {fee_split!r}; allowed: {', '.join(FEE_SPLITS)}")
        self.fee_split = fee_split
        self._fee_weight = edge_fee_weights(
            edges, self.graph.edge_project, len(self.tables.project_ids),
            edge_rates(edges, self.params) if fee_split == "freight_rate" else None)
        self._fee_share = edge_fee_shares(edges, self.graph.edge_economies,
                                          self.tables.economies)
        # Uncongested routes by graph and arc weights: they do not depend on the trade, so
        # runs that differ only in their trade (and a run's years with the same inputs)
        # route once (see _free_routes).
        self._route_memo: dict[bytes, Routes] = {}
        # The trees' levels by route set (network.tree_walk), a function of the routes
        # alone: shared with this network's copies at other values of time.
        self._walks = WalkMemo()

    def graph_for(self, lifted: Sequence[str] = ()) -> FreightGraph:
        """The freight graph with the transit restrictions ``lifted`` (ids) taken out.

        Built once per distinct set and cached; the baseline costs stay those of the full
        restrictions, so lifting one lowers the costs of its pair through ``t_hat``.

        Raises:
            ValueError: On an unknown restriction id.
        """
        ids = frozenset(lifted)
        if not ids:
            return self.graph
        known = self.tables.transit_restrictions.index
        unknown = sorted(ids - set(known))
        if unknown:
            raise ValueError(f"unknown transit restriction(s) {unknown}; allowed: {list(known)}")
        if ids not in self._open_graphs:
            rows = self.tables.transit_restrictions.drop(index=sorted(ids))
            tables = dataclasses.replace(self.tables, transit_restrictions=rows)
            self._open_graphs[ids] = build_freight_graph(tables, self.params, self._year)
        return self._open_graphs[ids]

    def with_value_of_time(self, vot: float) -> CorridorNetwork:
        """This network at value of time ``vot``: the same as one built with it, cheaper.

        The value of time enters the freight graph only as its ``vot_per_day`` (arcs keep
        money and days apart), so the graph is copied with it rather than rebuilt (most of
        a network's 0.05 s of set-up); the baseline routes are searched again at it. Graph
        and route memos start empty; the tables, links and trade are shared (read-only),
        and so is the memo of tree walks, which depend on the routes, not on their costs.
        """
        import copy

        net = copy.copy(self)
        net.params = {**self.params, "vot_per_day": float(vot)}
        net.graph = dataclasses.replace(self.graph, vot_per_day=float(vot))
        net._open_graphs = {}
        net._interested = {}
        net._route_memo = {}
        net.baseline_cost = least_cost_routes(net.graph, arc_weights(net.graph)).cost[0]
        return net

    @property
    def fee_weights(self) -> FloatArray:
        """(E,) each project edge's part of its route's fee (``fee_split``'s; 0 elsewhere)."""
        return self._fee_weight

    @property
    def project_ids(self) -> tuple[str, ...]:
        """Project ids in the column order of (R, P) project arrays."""
        return self.tables.project_ids

    @property
    def edge_ids(self) -> tuple[str, ...]:
        """Edge ids in the column order of (R, E) edge arrays."""
        return self.tables.edge_ids

    def interested_economies(self, project: str, threshold: float = 1e-4) -> tuple[str, ...]:
        """The hosts of a project plus every economy whose trade costs it lowers.

        The default participants of a corridor proposal (``participants: interested``):
        economies whose trade-weighted cost change is below ``-threshold`` when the project
        operates (no insecurity, no congestion), in canonical order. Rest of World never
        takes part.
        """
        memo = (project, float(threshold))
        if memo not in self._interested:  # a pure function of the network: once per network
            hosts = set(self.tables.projects.loc[project, "host_economies"])
            change = self.step(active_projects=[project], congestion=False).indicators[
                "trade_cost_change"][0]
            self._interested[memo] = tuple(
                c for k, c in enumerate(self.tables.economies)
                if c != ROW and (c in hosts or change[k] < -threshold))
        return self._interested[memo]

    def _free_routes(self, graph: FreightGraph, weights: FloatArray) -> Routes:
        """:func:`least_cost_routes` with each distinct row of ``weights`` routed once.

        Rows are memoised by their exact bytes and the graph (the lifted restrictions): a
        run's routes are a function of its arc weights alone, computed one run at a time,
        so a memoised row is the same, bit for bit, as a fresh one.
        """
        w = np.ascontiguousarray(weights, dtype=float)
        tag = str(id(graph)).encode()  # the network keeps each of its graphs alive
        keys = [tag + b"|" + row.tobytes() for row in w]
        fresh: dict[bytes, int] = {}
        for r, k in enumerate(keys):
            if k not in self._route_memo and k not in fresh:
                fresh[k] = r
        found: dict[bytes, Routes] = {}
        if fresh:
            got = least_cost_routes(graph, w[list(fresh.values())])
            if len(self._route_memo) + len(fresh) > ROUTE_MEMO_SIZE:
                self._route_memo.clear()
            for i, k in enumerate(fresh):
                self._route_memo[k] = found[k] = _packed(_routes_row(got, i))
            del got
        # Joined packed and widened once: the batch's trees are held once at full width.
        rows = [found[k] if k in found else self._route_memo[k] for k in keys]
        if len(rows) == 1:
            return _unpacked(rows[0])
        return _unpacked(Routes(**{f.name: np.concatenate([getattr(x, f.name) for x in rows])
                                   for f in dataclasses.fields(Routes)}))

    def _assign(self, graph: FreightGraph, mult: FloatArray, edge_open: NDArray[np.bool_],
                fee: FloatArray | None, act: NDArray[np.bool_] | None = None,
                trade: FloatArray | None = None, memo: bool = False, edges: bool = True):
        """Route, then load each edge (Mt a year) with the trade its routes carry.

        ``memo``: route through :meth:`_free_routes` (the uncongested pass, whose weights
        recur across runs and years); ``edges``: False leaves the loads zero (only the
        transit values wanted).
        """
        weights = arc_weights(graph, mult, mult, edge_open, fee, act)
        routes = (self._free_routes(graph, weights) if memo
                  else least_cost_routes(graph, weights))
        value, transit = tree_loads(graph, routes, self.trade if trade is None else trade,
                                    edges=edges, memo=self._walks)
        loads = value / self.params["value_per_teu_usd"] * self.params["tonnes_per_teu"] / 1e6
        return routes, transit, loads

    def _edge_fee(self, fee: FloatArray) -> FloatArray:
        """Spread each project's fee (R, P) over its edges (R, E) by ``fee_split``'s weights.

        Each edge's share of the route's km, or of its km x freight rate
        (:func:`scosim.network.fee_split.edge_fee_weights`).
        """
        ep = self.graph.edge_project
        return np.where(ep[None, :] >= 0, fee[:, np.maximum(ep, 0)] * self._fee_weight, 0.0)

    def _congestion(self, loads: FloatArray, cap: FloatArray) -> FloatArray:
        """BPR factor per edge (R, E); edges without a freight capacity get 1."""
        return congestion_multiplier(loads, np.broadcast_to(cap, loads.shape),
                                     self.params["bpr_alpha"], self.params["bpr_beta"])

    def _by_project(self, per_edge: FloatArray) -> FloatArray:
        """Largest value over each project's edges (R, P)."""
        ep = self.graph.edge_project
        out = np.zeros((per_edge.shape[0], len(self.project_ids)))
        for p in range(len(self.project_ids)):
            cols = np.flatnonzero(ep == p)
            if cols.size:
                out[:, p] = per_edge[:, cols].max(axis=1)
        return out

    def step(self, instability: ArrayLike | None = None,
             active_projects: ArrayLike | Sequence[str] = (),
             closed_edges: ArrayLike | None = None,
             sanctions: ArrayLike | None = None, transit_fee: ArrayLike | None = None,
             congestion: bool = True, lifted: Sequence[str] = (),
             initial_phase: ArrayLike | None = None,
             trade: ArrayLike | None = None) -> NetworkStep:
        """One year of the network, batched over runs.

        Args:
            instability: (R, N) instability index in [0, 1] (default 0 everywhere).
            active_projects: (R, P) bool of operating projects, or a list of project ids.
            closed_edges: (R, E) bool edges closed (sanctions, conflict).
            sanctions: (R, N) per-economy cost multipliers >= 1 for edges touching them.
            transit_fee: (R, P) US$ per TEU charged for using a whole project route, spread
                over the project's edges by their km (a partial use pays pro rata to its km).
            congestion: Apply capacities (rationing and the BPR factor); False treats every
                edge as uncapacitated.
            lifted: Ids of transit restrictions lifted this year (``transit_restrictions.csv``;
                the same for every run).
            initial_phase: (R, P) bool, operating projects in their initial phase: an energy
                project delivers, a freight project's edges carry at most, the share
                ``capacity_initial / capacity`` (:func:`scosim.network.energy.delivered_flows`,
                :func:`scosim.network.loads.phase_capacity`); default none.
            trade: (N, N) or (R, N, N) trade in US$ routed this year (loads, congestion,
                rationing, fees, transit trade); default the network's baseline ``trade``.
                The indicators' weights stay the baseline trade.

        Returns:
            :class:`NetworkStep`.
        """
        n = len(self.tables.economies)
        act = project_mask(self.project_ids, list(active_projects)
                           if isinstance(active_projects, tuple) else active_projects)
        runs = act.shape[0]
        for arr in (instability, closed_edges, sanctions):
            if arr is not None:
                runs = max(runs, np.atleast_2d(np.asarray(arr)).shape[0])
        inst = np.zeros((runs, n)) if instability is None else np.broadcast_to(
            np.atleast_2d(np.asarray(instability, float)), (runs, n))
        act = np.broadcast_to(act, (runs, act.shape[1]))
        edge_open = np.broadcast_to(edge_open_mask(self.graph, act, closed_edges),
                                    (runs, len(self.edge_ids)))
        mult = insecurity_multiplier(inst, self.graph.edge_economies,
                                     self.params["insecurity_cost_factor"])
        if sanctions is not None:
            mult = mult * sanction_multiplier(np.broadcast_to(
                np.atleast_2d(np.asarray(sanctions, float)), (runs, n)),
                self.graph.edge_economies)
        fee = None if transit_fee is None else self._edge_fee(
            np.broadcast_to(np.atleast_2d(np.asarray(transit_fee, float)), (runs, len(act[0]))))
        graph = self.graph_for(lifted)
        flows = None if trade is None else np.broadcast_to(
            np.asarray(trade, float), (runs, n, n))
        routes, transit, loads = self._assign(graph, mult, edge_open, fee, act, flows,
                                              memo=True)
        cost = routes.cost
        phase = None if initial_phase is None else np.broadcast_to(
            np.atleast_2d(np.asarray(initial_phase, bool)), act.shape)
        cap = np.broadcast_to(phase_capacity(self.graph, self._capacity_mt, self._phase_share,
                                             phase), loads.shape)
        over = np.isfinite(cap) & (loads > cap) & edge_open
        carried = np.minimum(loads, cap)
        cong = self._congestion(carried, cap) if congestion else np.ones_like(loads)
        if congestion and np.any(np.isfinite(cap) & edge_open & (loads > 0)):
            # Capacitated edges run at most at capacity and cost the BPR factor of the load
            # they carry. Where demand exceeds capacity it is rationed in proportion: a pair
            # sends the share min(capacity / demand) along its route through the corridor and
            # the rest along its best route without the over-full edges.
            priced = mult * cong
            # The uncongested trees are done with (their cost is kept): not held beside
            # the congested ones (2 x R x 106 trees x 584 vertices of int32).
            del routes
            routes, transit, _ = self._assign(graph, priced, edge_open, fee, act, flows,
                                              edges=False)
            cost = routes.cost
            if np.any(over):
                # Only the runs with an over-full edge are rationed (the others keep their
                # routes' costs, as they would in a batch of their own).
                hit = np.flatnonzero(over.any(axis=1))
                share = path_min(graph, routes,
                                 np.where(over, cap / np.where(over, loads, 1.0), 1.0),
                                 memo=self._walks)[hit]
                alt = least_cost_routes(graph, arc_weights(
                    graph, priced[hit], priced[hit], (edge_open & ~over)[hit],
                    None if fee is None else fee[hit], act[hit])).centre_cost
                # Where nothing but the corridor connects a pair, it keeps the corridor.
                alt = np.where(np.isfinite(alt), alt, routes.centre_cost[hit])
                mixed = share * routes.centre_cost[hit] + (1.0 - share) * alt
                cost = cost.copy()
                cost[hit] = economy_costs(self.graph, mixed)
            loads = carried
        t_hat = t_hat_from_costs(cost, self.baseline_cost, self.graph.max_t_hat)
        indicators = {
            "trade_cost_change": trade_weighted_change(t_hat, self.trade),
            "transit_trade_usd": transit,
        }
        energy = delivered_flows(self.links, act, inst, edge_open, initial_phase=initial_phase)
        indicators.update(energy_indicators(self.links, energy))
        return NetworkStep(t_hat=t_hat, cost=cost, indicators=indicators,
                           project_flow_mt=self._by_project(loads),
                           congestion=self._by_project(cong),
                           fee_revenue_usd=self._fee_revenue(loads, fee, runs, n),
                           edge_flow_mt=np.asarray(loads, float),
                           energy_flow=np.asarray(energy, float))

    def fee_base_teu(self, edge_flow_mt: FloatArray, projects: NDArray[np.bool_]
                     ) -> FloatArray:
        """What a fee of US$1 a TEU on each of ``projects``' routes brings each economy, (R, N).

        The traffic ``fee_revenue_usd`` credits, per US$ of a route's fee: a TEU over a
        whole route counts 1, over one of its edges the edge's part of the route's fee
        (its share of the km, or of km x freight rate: ``fee_split``),
        shared by the economies the edge lies in by their km on it. So a fee ``f`` collects
        ``f`` times this at the same traffic: the access charge that recovers a cost ``C``
        at that traffic is ``C`` over it.

        Args:
            edge_flow_mt: (R, E) freight carried on each edge (``NetworkStep.edge_flow_mt``).
            projects: (P,) bool, the projects whose routes count.
        """
        flow = np.atleast_2d(np.asarray(edge_flow_mt, float))
        unit = np.broadcast_to(np.asarray(projects, float), (flow.shape[0], len(projects)))
        return self._fee_revenue(flow, self._edge_fee(unit), flow.shape[0],
                                 len(self.tables.economies))

    def _fee_revenue(self, loads: FloatArray, fee: FloatArray | None, runs: int,
                     n: int) -> FloatArray:
        """Fees a year (R, N): carried TEU x each edge's fee, to the economies it lies in."""
        if fee is None:
            return np.zeros((runs, n))
        teu = loads * 1e6 / self.params["tonnes_per_teu"]
        return np.einsum("re,en->rn", teu * fee, self._fee_share)


def _packed(routes: Routes) -> Routes:
    """``routes`` with its (T, V) trees in the smallest integer type that holds them.

    The memo keeps a run's 106 trees of 584 vertices (two int32 arrays, 0.5 MB) in half
    of that; :func:`_unpacked` gives back the same int32 values.
    """
    small = np.int16 if max(routes.predecessors.shape[-1], routes.weights.shape[-1]) < \
        np.iinfo(np.int16).max else np.int32
    return dataclasses.replace(routes, predecessors=routes.predecessors.astype(small),
                               route_arc=routes.route_arc.astype(small))


def _unpacked(routes: Routes) -> Routes:
    """A memo entry of :func:`_packed` as the int32 routes it was made from."""
    return dataclasses.replace(routes, predecessors=routes.predecessors.astype(np.int32),
                               route_arc=routes.route_arc.astype(np.int32))


def _routes_row(routes: Routes, r: int) -> Routes:
    """Run ``r`` of a batch of routes, as a batch of one (copies, not views)."""
    return Routes(**{f.name: getattr(routes, f.name)[r:r + 1].copy()
                     for f in dataclasses.fields(Routes)})


def trade_weighted_change(t_hat: ArrayLike, trade: ArrayLike) -> FloatArray:
    """Trade-weighted mean of ``t_hat - 1`` over each economy's exports and imports (R, N).

    Domestic sales are left out; weights are baseline flows. Sums use ``math.fsum`` order-free
    accumulation over a fixed partner order, so results do not depend on BLAS.
    """
    th = np.asarray(t_hat, float)
    th = th[None] if th.ndim == 2 else th
    x = np.asarray(trade, float).copy()
    np.fill_diagonal(x, 0.0)
    runs, n = th.shape[0], th.shape[1]
    out = np.zeros((runs, n))
    for i in range(n):
        w = np.concatenate([x[i, :], x[:, i]])
        total = math.fsum(w)
        for r in range(runs):
            ch = np.concatenate([th[r, i, :], th[r, :, i]]) - 1.0
            out[r, i] = math.fsum(w * ch) / total if total > 0 else 0.0
    return out
