"""The ``corridor_network`` mechanism (slot ``network``): corridors and routes to trade costs.

Each year corridors in operation, route insecurity and route sanctions become trade-cost changes.

Wiring only; the array work is :meth:`scosim.network.step.CorridorNetwork.step`.

Levers read from the policy state (docs/network.md, "Running corridors in a scenario"):

* ``policy.levers["corridor_operating_year"]`` (R, P) int: first year each project operates,
  -1 where it is not built; written by ``corridor`` proposals in their ``apply``. A
  project's first ``INITIAL_PHASE_YEARS`` years from it run at its initial capacity.
* ``policy.levers["corridor_failure_year"]`` (R, P) int: the year a project drawn to fail
  stops for good, -1 where it does not (:mod:`scosim.network.failure_draw`); from that year
  on it does not operate.
* ``policy.levers["corridor_transit_fee"]`` (R, P) float: US$ per TEU on each project route.
* ``policy.levers["insecurity"]`` (R, N) in [0, 1]: instability per economy, written by a
  security mechanism if one fills the ``security`` slot; otherwise the scenario series
  ``parameters.network.instability`` is used.

Writes: ``policy.cost_change *= t_hat`` (R, N, N), and where transit fees are charged,
``policy.levers["welfare_income_share"]`` (R, N): each economy's fee revenue and the value of
the energy corridors' deliveries to it (:mod:`scosim.network.energy_value`) over its GDP,
income its realised welfare counts as the GE counts tariff revenue. Route sanctions and
closures come from ``parameters.network`` (``sanctions`` and ``closures``).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import numpy as np
from typing_extensions import override

from scosim.data.calibration import derived
from scosim.model.lever_writers import add_to_lever
from scosim.model.slots import Mechanism, register_mechanism
from scosim.network.energy import INITIAL_PHASE_YEARS
from scosim.network.energy_value import (
    drawn_prices,
    energy_prices,
    energy_value,
    fee_matrix,
    phased_value_usd,
)
from scosim.network.finance import COST_OF_FUNDS
from scosim.network.loads import freight_ramped, network_trade
from scosim.network.step import CorridorNetwork, NetworkStep
from scosim.network.transport_tariff import tariff_matrix
from scosim.network.vot import fixed_vot, run_vot
from scosim.sweepable import SWEPT_INSTABILITY

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState

#: Lever names (documented contract with proposal types and the security slot).
LEVER_OPERATING = "corridor_operating_year"
LEVER_FEE = "corridor_transit_fee"
LEVER_FAILED = "corridor_failure_year"
LEVER_INSECURITY = "insecurity"
#: Income out of the GE's sight, share of GDP (R, N), added to the realised welfare
#: (``scosim.model.builtin_mechanisms``); written here for transit fees.
LEVER_INCOME = "welfare_income_share"

#: Energy indicators recorded (name in the core -> reported name).
_ENERGY = {
    "gas_import_dependence": "gas_import_dependence",
    "gas_supplier_hhi": "gas_supplier_hhi",
    "gas_pipeline_imports_bcm": "gas_pipeline_imports_bcm",
    "power_imports_twh": "power_imports_twh",
}


def network_params(model: SCOModel):
    """The scenario's ``parameters.network`` (a :class:`~scosim.network.params.NetworkParams`)."""
    from scosim.network.params import NetworkParams

    p = getattr(model.scenario.parameters, "network", None)
    return p if isinstance(p, NetworkParams) else NetworkParams.model_validate(p or {})


def scenario_instability(model: SCOModel, year: int) -> np.ndarray:
    """(R, N) instability of the scenario series ``parameters.network.instability``.

    A sweep may give an economy its own value in each run
    (``parameters.network.instability.<ISO3>``, :data:`SWEPT_INSTABILITY`), held over
    the years: it replaces that economy's series.
    """
    inst = np.zeros(model.N)
    for code, series in network_params(model).instability.items():
        inst[model.codes.index(code)] = series.at(year)
    out = np.broadcast_to(inst, (model.R, model.N)).copy()
    for name, values in model.params.items():
        if name.startswith(SWEPT_INSTABILITY):
            out[:, model.codes.index(name.removeprefix(SWEPT_INSTABILITY))] = values
    return out


def scenario_tables(params: Any):
    """The packaged network tables with the measures ``parameters.network.measures`` keeps.

    Args:
        params: The scenario's :class:`~scosim.network.params.NetworkParams`.

    Returns:
        A :class:`~scosim.network.tables.NetworkTables`: the packaged one itself when every
        measure is kept, else a copy whose ``measures`` are the kept rows.
    """
    import dataclasses

    from scosim.network.rules import select_measures
    from scosim.network.tables import load_network

    tables = load_network()
    if params.measures == "all":
        return tables
    return dataclasses.replace(tables, measures=select_measures(tables.measures, params.measures))


def measures_key(params: Any) -> tuple[str, ...]:
    """``parameters.network.measures`` as a hashable part of a network's memo key."""
    return (params.measures,) if isinstance(params.measures, str) else tuple(params.measures)


def split_key(params: Any) -> tuple[str, ...]:
    """``parameters.network.fee_split`` as a part of a network's memo key: () for km."""
    return () if params.fee_split == "km" else (f"fee_split={params.fee_split}",)


def network_key(codes: tuple[str, ...], vot_per_day: float | None, trade: np.ndarray,
                measures: tuple[str, ...]) -> tuple[Any, ...]:
    """The key of a :class:`CorridorNetwork` in its calibration's memo (``derived``).

    One network per economies, value of time, trade matrix (by its bytes) and the
    measures kept: :class:`CachedNetwork` builds it under this key, and the answer's note
    on bundled measures (:mod:`scosim.network.answer_notes`) takes it from there when
    the run built it on the same calibration and trade.
    """
    return ("corridor_network", codes, vot_per_day,
            hashlib.sha256(np.asarray(trade, float).tobytes()).hexdigest(), measures)


#: Largest number of single-run network steps kept per network (about 15 KB each).
STEP_MEMO_SIZE = 512
#: Networks at a drawn value of time kept by the process beyond its models' lifetimes.
VOT_NETWORKS = 64


class CachedNetwork:
    """A :class:`CorridorNetwork` whose steps are cached per distinct run input.

    ``step`` is deterministic in its inputs, so runs with identical projects, instability,
    fees, sanctions, closures and congestion setting share one solve; run r alone equals
    row r of a batch. The memo belongs to the network, which every model of the process
    with the same calibration, trade matrix and value of time shares: runs made one by
    one, and the batches of a worker, reuse the steps earlier models computed (a run's
    numbers are the same bits either way). The measures the scenario keeps
    (``parameters.network.measures``) are part of the network, so of its key.
    """

    def __init__(self, model: SCOModel) -> None:
        params = network_params(model)
        # One value of time for every run (vot_per_day, or a vot_range [x, x]), else None:
        # the network at the table's value, and each run its own below.
        fixed = fixed_vot(params)
        over = {} if fixed is None else {"vot_per_day": fixed}
        trade = np.array(model.trade_cif0, dtype=float)
        codes = tuple(model.codes)
        # Building the freight graph and its baseline routes takes 0.1 s and depends on
        # none of the runs: one network per calibration, trade matrix and value of time,
        # shared by every model (its steps are pure; only graph memos are added to it).
        # The measures a scenario keeps change the graph's arcs: part of the key.
        # The fee's split weighs the edges' fees (and so the routes at a fee): part of the
        # key where it is not the default km, so a km run's key is the same as before.
        key = network_key(codes, fixed, trade, measures_key(params)) + split_key(params)
        self.net = derived(model.cal, key, lambda: CorridorNetwork(
            tables=scenario_tables(params), trade=trade, params=over, economies=codes,
            fee_split=params.fee_split))
        # Each run's value of time (scosim.network.vot): None where every run has the
        # network's. The network above keeps the structure every run shares (projects,
        # links, graph) and, at the table's value, the security slot's pricing without the
        # network, so scenarios that never step it are unchanged.
        self.vot = run_vot(model, params)
        self.nets = ([self.net] * model.R if self.vot is None
                     else [self._network_at(model, params, float(v), trade) for v in self.vot])
        self.congestion = params.congestion
        # The contract terms the deliveries are valued at (the scenario may set the LNG
        # price): outside the step's memo, which holds flows, not values.
        # The gas border price, the supply cost and the next-best market's price are drawn
        # in each run from their ranges, on a stream of their own (network.gas_supply), so
        # the answer's band spans them; until 2026-12-07 the same in every run.
        from scosim.model.rng import RunStreams
        from scosim.network.gas_supply import STREAM

        u = RunStreams(model.scenario.seed, model.run_ids, STREAM).uniform(3)
        self.prices = drawn_prices(energy_prices(self.net.tables, params.lng_price_usd_mmbtu),
                                   self.net.tables, u)
        self.fees = fee_matrix(self.net.links, self.net.tables, self.prices)
        # The transport tariff the buyers pay the owners, at the members' cost of funds and
        # the scenario's O&M share where it sets one (network.transport_tariff), (R, L, N):
        # a corridor in force replaces its project's rows with its own terms in its runs
        # (set_tariffs; until 2026-12-06 every run had the terms of projects.csv).
        self.tariffs = np.broadcast_to(
            tariff_matrix(self.net.links, self.net.tables, COST_OF_FUNDS, params.om_share),
            (model.R, *self.net.links.transit.shape))
        # Projects whose initial phase changes a delivery or a capacity: only they key a
        # step by it, so the first years of a project without a ramp (the INSTC, the CKU
        # railway, CASA-1000, line D) share the memo with its later ones.
        links = self.net.links
        self._ramped = freight_ramped(self.net.tables)
        self._ramped[links.project[(links.project >= 0) & (links.phase_share < 1.0)]] = True
        # one memo per network, beside it in the calibration's memo (see the class)
        self._cache: dict[bytes, NetworkStep] = derived(model.cal, (*key, "steps"), dict)

    def _network_at(self, model: SCOModel, params: Any, vot: float,
                    trade: np.ndarray) -> CorridorNetwork:
        """The network at value of time ``vot``: one per value in a bounded memo.

        A drawn value is a run's own, so its network serves that run (and the same run of
        another model of the process, e.g. a corridor proposal's previews and a rerun):
        its baseline routes are searched again (:meth:`CorridorNetwork.with_value_of_time`),
        the graph only copied. The memo keeps the
        latest :data:`VOT_NETWORKS` of them; a model holds its own runs' for its lifetime.
        """
        codes = tuple(model.codes)
        memo: dict[tuple[Any, ...], CorridorNetwork] = derived(
            model.cal, ("corridor_networks_by_vot",), dict)
        key = network_key(codes, vot, trade, measures_key(params)) + split_key(params)
        net = memo.pop(key, None)  # re-inserted last: the memo drops its oldest
        if net is None:  # the scenario's network at the run's value (a test: the same bits)
            net = self.net.with_value_of_time(vot)
        memo[key] = net
        while len(memo) > VOT_NETWORKS:
            memo.pop(next(iter(memo)))
        return net

    def step_inputs(self, inputs: dict[str, Any]) -> NetworkStep:
        """:meth:`step` on the inputs :func:`network_inputs` assembles."""
        return self.step(inputs["instability"], inputs["active"], inputs["fee"],
                         inputs["sanctions"], inputs["closed"], inputs["lifted"],
                         inputs.get("initial_phase"), inputs.get("trade"))

    def step(self, instability: np.ndarray, active: np.ndarray, fee: np.ndarray,
             sanctions: np.ndarray, closed: np.ndarray, lifted: tuple[str, ...] = (),
             initial_phase: np.ndarray | None = None,
             trade: np.ndarray | None = None) -> NetworkStep:
        """Batched step (R runs) assembled from cached single-run steps.

        ``lifted``: transit restrictions lifted this year (the same for every run);
        ``initial_phase``: (R, P) bool, operating projects in their initial phase (none
        by default); ``trade``: (R, N, N) trade routed this year (default the network's
        baseline trade), part of each run's key, its exact bytes.
        """
        lifted = tuple(sorted(lifted))
        phase = np.zeros(active.shape, bool) if initial_phase is None else (
            np.broadcast_to(np.asarray(initial_phase, bool), active.shape) & self._ramped)
        rows: list[NetworkStep | None] = [None] * active.shape[0]
        todo: dict[bytes, int] = {}  # each missing key, its first run
        inst = np.round(instability, 12)
        keys = []
        for r in range(active.shape[0]):
            parts = (inst[r], active[r], fee[r], sanctions[r], closed[r], phase[r])
            key = b"|".join(np.ascontiguousarray(a).tobytes() for a in parts)
            if trade is not None:
                key += b"|" + np.ascontiguousarray(trade[r], dtype=float).tobytes()
            key += ("|" + ",".join(lifted) + f"|{self.congestion}").encode()
            if self.vot is not None:  # the run's own network
                key += b"|vot" + np.float64(self.vot[r]).tobytes()
            keys.append(key)
            rows[r] = self._cache.get(key)
            if rows[r] is None and key not in todo:
                todo[key] = r
        if todo:
            # The missing runs in one batched step: its runs are computed one at a time
            # where order matters (routes, loads, fsum'd indicators) and elementwise
            # elsewhere, so each is bit for bit the step of that run alone; the uncongested
            # routes are shared by runs that differ only in their trade.
            # Runs with their own value of time step on their own network, a group per
            # network (each run's row is the same bits in any group).
            groups: dict[int, list[tuple[bytes, int]]] = {}
            for key, r in todo.items():
                groups.setdefault(id(self.nets[r]), []).append((key, r))
            fresh: dict[bytes, NetworkStep] = {}
            for group in groups.values():
                miss = [r for _, r in group]
                got = self.nets[miss[0]].step(
                    instability=inst[miss], active_projects=active[miss],
                    closed_edges=closed[miss], sanctions=sanctions[miss],
                    transit_fee=fee[miss], congestion=self.congestion, lifted=lifted,
                    initial_phase=phase[miss],
                    trade=None if trade is None else np.asarray(trade, float)[miss])
                fresh.update({key: _step_row(got, i) for i, (key, _) in enumerate(group)})
            for key, hit in fresh.items():
                if len(self._cache) >= STEP_MEMO_SIZE:
                    self._cache.clear()
                self._cache[key] = hit
            rows = [fresh[k] if h is None else h for k, h in zip(keys, rows, strict=True)]
        return NetworkStep(
            t_hat=np.concatenate([h.t_hat for h in rows]),
            cost=np.concatenate([h.cost for h in rows]),
            indicators={k: np.concatenate([h.indicators[k] for h in rows])
                        for k in rows[0].indicators},
            project_flow_mt=np.concatenate([h.project_flow_mt for h in rows]),
            congestion=np.concatenate([h.congestion for h in rows]),
            fee_revenue_usd=np.concatenate([h.fee_revenue_usd for h in rows]),
            edge_flow_mt=np.concatenate([h.edge_flow_mt for h in rows]),
            energy_flow=np.concatenate([h.energy_flow for h in rows]),
        )

    def with_tariffs(self, project: int, tariffs: np.ndarray,
                     runs: np.ndarray | None = None) -> np.ndarray:
        """(R, L, N) the tariffs with ``project``'s links at ``tariffs`` in ``runs`` (all).

        The network's own (a read-only view until a corridor sets one) where the project
        has no energy links: a railway allocates nothing.
        """
        mine = self.net.links.project == project
        if not mine.any():
            return self.tariffs
        rows = mine[None, :, None]
        if runs is not None:
            rows = rows & np.asarray(runs, bool)[:, None, None]
        return np.where(rows, tariffs, self.tariffs)

    def set_tariffs(self, project: int, tariffs: np.ndarray, runs: np.ndarray) -> None:
        """A corridor entering into force in ``runs`` charges its own tariffs there."""
        self.tariffs = self.with_tariffs(project, tariffs, runs)

    def energy_value_usd(self, step: NetworkStep, ramp: tuple[int, float] | None = None,
                         tariffs: np.ndarray | None = None) -> np.ndarray:
        """What the step's energy deliveries are worth to each economy, US$ a year (R, N).

        The importers' saving, the exporters' rent, the transit fees and the owners'
        transport tariff at the scenario's prices (:mod:`scosim.network.energy_value`);
        zeros where no project delivers.
        ``ramp``: ``(project, rate)``, the step having the project at full operation: its
        level yearly value over its first phase and after, discounted at ``rate``
        (:func:`~scosim.network.energy_value.phased_value_usd`; a corridor's vote).
        ``tariffs``: (R, L, N) instead of the network's (a proposal's preview,
        :meth:`with_tariffs`).
        """
        tariffs = self.tariffs if tariffs is None else tariffs
        if ramp is not None:
            return phased_value_usd(self.net.links, step.energy_flow, self.prices,
                                    self.fees, *ramp, tariffs=tariffs)
        return energy_value(self.net.links, step.energy_flow, self.prices,
                            self.fees, tariffs)["total"]


def _step_row(step: NetworkStep, r: int) -> NetworkStep:
    """Run ``r`` of a batched step, as a step of one run (copies, not views)."""
    return NetworkStep(
        t_hat=step.t_hat[r:r + 1].copy(), cost=step.cost[r:r + 1].copy(),
        indicators={k: v[r:r + 1].copy() for k, v in step.indicators.items()},
        project_flow_mt=step.project_flow_mt[r:r + 1].copy(),
        congestion=step.congestion[r:r + 1].copy(),
        fee_revenue_usd=step.fee_revenue_usd[r:r + 1].copy(),
        edge_flow_mt=step.edge_flow_mt[r:r + 1].copy(),
        energy_flow=step.energy_flow[r:r + 1].copy())


def shared_network(model: SCOModel) -> CachedNetwork:
    """The model's cached network, shared by the mechanism and proposals.

    One wrapper per model; its memo of steps is the network's, shared by the models of
    the process (:class:`CachedNetwork`).
    """
    net = getattr(model, "_corridor_network", None)
    if net is None:
        net = CachedNetwork(model)
        model._corridor_network = net
    return net


def operating_projects(levers: dict[str, Any], year: int) -> np.ndarray | None:
    """(R, P) bool, projects operating in ``year``: built, and not failed (None: no corridor).

    Every reader of the operating-year lever goes through here (the network step, the
    corridor indicators, the security slot's served crossings), so a failed project stops
    everywhere at once.
    """
    ops = levers.get(LEVER_OPERATING)
    if ops is None:
        return None
    ops = np.asarray(ops)
    on = (ops >= 0) & (year >= ops)
    failed = levers.get(LEVER_FAILED)
    if failed is not None:
        failed = np.asarray(failed)
        on &= ~((failed >= 0) & (year >= failed))
    return on


def network_inputs(model: SCOModel, policy: PolicyState, year: int,
                   exclude: str | None = None) -> dict[str, np.ndarray]:
    """The (R, ...) inputs of the year's network step from the policy state and scenario."""
    cn = shared_network(model)
    R, P, E = model.R, len(cn.net.project_ids), len(cn.net.edge_ids)
    ops = policy.levers.get(LEVER_OPERATING)
    on = operating_projects(policy.levers, year)
    active = np.zeros((R, P), bool) if on is None else on
    # A project's first years run at its initial capacity (network.energy, network.loads).
    initial_phase = (np.zeros((R, P), bool) if ops is None
                     else active & (year - ops < INITIAL_PHASE_YEARS))
    fee = policy.levers.get(LEVER_FEE, np.zeros((R, P)))
    inst = policy.levers.get(LEVER_INSECURITY)
    inst = scenario_instability(model, year) if inst is None else np.clip(
        np.broadcast_to(np.asarray(inst, float), (R, model.N)), 0.0, 1.0)
    params = network_params(model)
    sanc = np.ones(model.N)
    for s in params.sanctions:
        if s.year <= year and (s.until is None or year <= s.until):
            k = model.codes.index(s.target)
            sanc[k] = max(sanc[k], s.multiplier)
    closed = np.zeros(E, bool)
    for c in params.closures:
        if c.year <= year and (c.until is None or year <= c.until):
            closed[cn.net.edge_ids.index(c.edge)] = True
    lifted = tuple(o.restriction for o in params.transit_opened
                   if o.year <= year and (o.until is None or year <= o.until))
    return {"instability": inst, "active": active, "fee": np.asarray(fee, float),
            "sanctions": np.broadcast_to(sanc, (R, model.N)),
            "closed": np.broadcast_to(closed, (R, E)), "lifted": lifted,
            "initial_phase": initial_phase,
            # The trade the model last solved, which loads the corridors (network.loads);
            # None: the network's base-year trade (parameters.network.loads: base_year).
            "trade": network_trade(model) if params.loads == "solved" else None}


@register_mechanism
class CorridorNetworkMechanism(Mechanism):
    """Corridor projects, route insecurity and route sanctions -> ``policy.cost_change``."""

    name = "corridor_network"
    slot = "network"
    writes_levers = (LEVER_INCOME,)  # transit fees and energy, added (lever_writers)
    # No project, instability or closure: t_hat = 1 exactly (tests/test_attribution.py).
    passive = True
    welfare_versus = ("the transport network's changes (corridors, route insecurity, "
                      "sanctions and closures)")
    indicators = {
        "network_trade_cost_change_pct": "percent (trade-weighted, vs the baseline network)",
        "transit_trade_usd": "US$ (trade crossing the economy in transit)",
        "route_instability": "index 0-1 (the instability the network used)",
        # Said in the unit (the answer, compare and the report show it), not "see the docs".
        "gas_import_dependence": "share 0-1 of gas consumption imported, net of production "
                                 "(empty where the Energy Institute Review lists none)",
        "gas_supplier_hhi": "Herfindahl-Hirschman index 0-1 of gas imports by supplier, LNG "
                            "counted as diversified (empty where not computed)",
        "gas_pipeline_imports_bcm": "bcm a year (pipeline gas delivered to the economy)",
        "power_imports_twh": "TWh a year (electricity delivered by corridor power lines)",
        "transit_fee_revenue_usd": "US$ a year (transit fees collected on corridor routes in "
                                   "the economy's territory, counted in its welfare)",
        "energy_value_usd": "US$ a year (what the energy corridors' deliveries are worth to "
                            "the economy: a buyer's saving on LNG, or on the power it "
                            "would otherwise generate or import, net of the transport "
                            "tariff, a seller's rent, a transit state's "
                            "fees, an owner's share of the tariff; counted in its welfare)",
    }

    @override
    def setup(self, model: SCOModel) -> None:
        self.net = shared_network(model)
        self.last: NetworkStep | None = None
        self.last_energy: np.ndarray | None = None  # the year's energy value, (R, N) US$
        self.inputs: dict[str, np.ndarray] = {}

    @override
    def step(self, model: SCOModel, policy: PolicyState, year: int) -> None:
        self.inputs = network_inputs(model, policy, year)
        self.last = self.net.step_inputs(self.inputs)
        policy.cost_change = policy.cost_change * self.last.t_hat
        fees = self.last.fee_revenue_usd
        # What the energy projects' deliveries are worth (importers' saving, exporters'
        # rent, transit fees): income the GE, which has no energy sector, does not see.
        # Until 2026-12-06 they were worth nothing, and TAPI a pure loss to its hosts.
        energy = self.last_energy = self.net.energy_value_usd(self.last)
        income = fees + energy
        if np.any(income != 0):
            # The GE prices a fee as a trade cost that uses up resources; the host collects
            # it, as an importer collects its tariffs, so its income rises by the fee revenue
            # (the corridor preview adds the same revenue). Until 2026-12-05 the realised
            # welfare left it out: Iran's fell as its INSTC fee rose.
            share = income / np.maximum(model.gdp, 1.0)
            add_to_lever(policy, LEVER_INCOME, share)  # the same sum, bit for bit
        # The year's network output for proposal types and run plots (not a lever in votes);
        # the energy value too, which a corridor records as its part of the welfare change.
        model.network_step = self.last
        model.network_energy_usd = energy

    @override
    def preview_cost_factor(self, model: SCOModel, policy: PolicyState) -> np.ndarray | None:
        """The network's ``t_hat`` this year under ``policy``'s levers (corridors, insecurity)."""
        return self.net.step_inputs(network_inputs(model, policy, model.year)).t_hat

    @override
    def record(self, model: SCOModel, policy: PolicyState) -> dict[str, np.ndarray]:
        if self.last is None:
            return {}
        ind = self.last.indicators
        out = {
            "network_trade_cost_change_pct": ind["trade_cost_change"] * 100.0,
            "transit_trade_usd": ind["transit_trade_usd"],
            "route_instability": np.asarray(self.inputs["instability"], float),
            "transit_fee_revenue_usd": np.asarray(self.last.fee_revenue_usd, float),
            "energy_value_usd": np.asarray(self.last_energy, float),
        }
        for k, v in _ENERGY.items():
            if k in ind:
                out[v] = np.asarray(ind[k], float)
        return out
