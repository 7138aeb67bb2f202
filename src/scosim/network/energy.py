"""Energy corridors: gas and power flows on pipeline and power-line links, and indicators.

Baseline gas flows are the Energy Institute 2023 pipeline trade matrix (``energy_links.csv``,
rebuilt by ``tools/build_network.py``). A project link (TAPI, line D, CASA-1000) carries its
contracted flow once the project operates at full capacity. In its first
:data:`INITIAL_PHASE_YEARS` years of operation a project runs at its initial phase,
``capacity_initial`` of ``projects.csv`` (TAPI: 11 bcm of 33, the free-flow first phase before
the compressor stations of the second; ANCHORS.md), and each of its links delivers the share
``capacity_initial / capacity`` of its contract: the phase's capacity shared pro rata to the
contracts, so no year's deliveries exceed that year's capacity. Insecurity in an economy a
link crosses (other than its own exporter and importer) lowers what is delivered:
``delivered = flow x (1 - disruption x max transit instability)``; a closed edge on the route
stops the link. An exporter's project gas links together sell no more than its spare supply
(``gas_spare_supply_bcm_<ISO3>``, :mod:`scosim.network.gas_supply`): beyond it each delivers
the same share of its contract (since 2026-12-07; TAPI and line D sold 62.6 bcm of Turkmen gas
a year before). Delivered project gas first replaces a consumer's LNG imports; any excess
adds to its consumption (demand met that was not met before).

Indicators per consumer (R, N):

* ``gas_pipeline_imports_bcm``: delivered pipeline gas;
* ``gas_import_dependence``: (consumption - production) / consumption, with the project
  adjustment above (nan where the Review lists no consumption);
* ``gas_supplier_hhi``: Herfindahl-Hirschman index (0-1) of import shares by supplier. Each
  pipeline exporter is one supplier; other pipeline imports not on a modelled link count as
  one supplier; LNG counts as fully diversified (its share enters the denominator but adds
  nothing), because the raw files give LNG imports without origins; nan where the Review
  gives the economy's pipeline imports only inside a regional total (blank in the table);
* ``power_imports_twh``: electricity delivered by the project power lines;
* ``gas_project_bcm``: the part of ``gas_pipeline_imports_bcm`` delivered by project
  pipelines (what the projects add; the corridor proposal type reports it).

Per exporter (R, N), what the same deliveries sell (the corridor type reports them):

* ``gas_project_exports_bcm``: project pipeline gas delivered from the economy;
* ``power_exports_twh``: electricity delivered from the economy by the project power lines.

Summed over economies, each equals its importers' counterpart (``gas_project_bcm``,
``power_imports_twh``): the same flows, counted at the other end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.network.gas_supply import alternative_capacity, cap_sales, spare_supply
from scosim.network.tables import NetworkDataError, NetworkTables

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Years of operation at ``capacity_initial`` before full capacity, a scosim assumption: no
#: source dates TAPI's second phase (six compressor stations in Afghanistan and Pakistan
#: raising the free-flow 11 bcm to 33; Pakistan's Petroleum Division and TAPI Pipeline
#: Company, 2022-2023), and compressor stations take about three years to build. Projects
#: whose ``capacity_initial`` equals ``capacity`` (CASA-1000, line D) have no ramp.
INITIAL_PHASE_YEARS = 3


@dataclass(frozen=True)
class EnergyLinks:
    """Arrays of the energy links (build with :func:`energy_links`).

    Attributes:
        link_ids: (L,) link ids.
        exporter, importer: (L,) economy indices.
        is_gas: (L,) True for gas (bcm/yr), False for power (TWh/yr).
        flow: (L,) baseline flow (existing) or contracted flow at full operation (project).
        project: (L,) project index, -1 for existing links.
        phase_share: (L,) share of the contracted ``flow`` a project link delivers in its
            project's initial phase, ``capacity_initial / capacity`` (1 for existing links).
        route: (L, E) bool, edges on each link's route.
        transit: (L, N) bool, economies the route touches other than exporter and importer.
        production, consumption, lng: (N,) gas balance in bcm (nan where not listed).
        other_pipeline: (N,) pipeline imports in the Review not on a modelled link.
        pipeline_total: (N,) pipeline imports in the Review (nan: inside a regional total).
        spare_supply: (N,) bcm a year each exporter can sell on projects (inf: no cap;
            :mod:`scosim.network.gas_supply`); None: no cap.
        alt_capacity: (N,) bcm a year of spare capacity on each exporter's existing
            route to its next-best market (0: none); None: none.
    """

    link_ids: tuple[str, ...]
    exporter: NDArray[np.int64] = field(repr=False)
    importer: NDArray[np.int64] = field(repr=False)
    is_gas: BoolArray = field(repr=False)
    flow: FloatArray = field(repr=False)
    project: NDArray[np.int64] = field(repr=False)
    phase_share: FloatArray = field(repr=False)
    route: BoolArray = field(repr=False)
    transit: BoolArray = field(repr=False)
    production: FloatArray = field(repr=False)
    consumption: FloatArray = field(repr=False)
    lng: FloatArray = field(repr=False)
    other_pipeline: FloatArray = field(repr=False)
    pipeline_total: FloatArray = field(repr=False)
    spare_supply: FloatArray | None = field(default=None, repr=False)
    alt_capacity: FloatArray | None = field(default=None, repr=False)


def energy_links(tables: NetworkTables) -> EnergyLinks:
    """Arrays of the energy links and gas balances of the tables.

    Raises:
        NetworkDataError: A project's initial capacity above its capacity, or its links'
            contracts above its capacity where both are in the same unit (bcm/yr).
    """
    econ = {c: k for k, c in enumerate(tables.economies)}
    links = tables.energy_links
    edge_pos = {e: k for k, e in enumerate(tables.edges.index)}
    pids = {p: k for k, p in enumerate(tables.projects.index)}
    n_l, n_e, n = len(links), len(edge_pos), len(econ)
    route = np.zeros((n_l, n_e), bool)
    transit = np.zeros((n_l, n), bool)
    for k, (_, row) in enumerate(links.iterrows()):
        for e in row["edges"]:
            route[k, edge_pos[e]] = True
            for code in tables.edges.loc[e, "economies"]:
                if code in econ and code not in (row["exporter"], row["importer"]):
                    transit[k, econ[code]] = True
    gb = tables.gas_balance.reindex(tables.economies)
    exporter = np.array([econ[c] for c in links["exporter"]], np.int64)
    importer = np.array([econ[c] for c in links["importer"]], np.int64)
    is_gas = (links["carrier"] == "gas").to_numpy()
    flow = links["flow"].to_numpy(float)
    existing = (links["status"] == "existing").to_numpy() & is_gas
    modelled = np.bincount(importer[existing], weights=flow[existing], minlength=n)
    total_pipe = gb["pipeline_imports_bcm"].to_numpy(float)
    other = np.where(np.isfinite(total_pipe), np.maximum(total_pipe - modelled, 0.0), 0.0)
    project = np.array([pids.get(p, -1) if p else -1 for p in links["project"]], np.int64)
    phase_share = np.ones(n_l)
    for pid, row in tables.projects.iterrows():
        mine = project == pids[pid]
        if not mine.any():
            continue
        cap, initial = float(row["capacity"]), float(row["capacity_initial"])
        if initial > cap:
            raise NetworkDataError("projects", None, "capacity_initial",
                                   f"{pid}: {initial:g} above its capacity {cap:g}; "
                                   "allowed: 0 to capacity")
        contracted = float(links["flow"].to_numpy(float)[mine].sum())
        same_unit = set(links["unit"][mine]) == {row["capacity_unit"]}
        if same_unit and contracted > cap * (1.0 + 1e-9):
            raise NetworkDataError("energy_links", None, "flow",
                                   f"{pid}'s links contract {contracted:g} "
                                   f"{row['capacity_unit']}, above its capacity {cap:g} "
                                   "(projects.csv); allowed: at most the capacity")
        phase_share[mine] = initial / cap if cap > 0 else 1.0
    return EnergyLinks(
        link_ids=tuple(links.index),
        exporter=exporter,
        importer=importer,
        is_gas=is_gas,
        flow=flow,
        project=project,
        phase_share=phase_share,
        route=route,
        transit=transit,
        production=gb["production_bcm"].to_numpy(float),
        consumption=gb["consumption_bcm"].to_numpy(float),
        lng=gb["lng_imports_bcm"].to_numpy(float),
        other_pipeline=other,
        pipeline_total=total_pipe,
        spare_supply=spare_supply(tables),
        alt_capacity=alternative_capacity(tables),
    )


def delivered_flows(links: EnergyLinks, active_projects: ArrayLike,
                    instability: ArrayLike | None = None, edge_open: ArrayLike | None = None,
                    disruption: float = 1.0,
                    initial_phase: ArrayLike | None = None) -> FloatArray:
    """Delivered flow on each link (R, L).

    Args:
        links: Energy link arrays.
        active_projects: (R, P) bool, projects operating.
        instability: (R, N) in [0, 1]; default all 0.
        edge_open: (R, E) bool; a link with a closed edge delivers nothing. Default all open.
        disruption: Share of the flow lost at transit instability 1 (a modelling choice).
        initial_phase: (R, P) bool, operating projects still in their initial phase (their
            first :data:`INITIAL_PHASE_YEARS` years): their links deliver ``phase_share`` of
            the contract. Default: none (full capacity).

    An exporter's project gas links together deliver at most its spare supply
    (:func:`~scosim.network.gas_supply.cap_sales`).
    """
    act = np.atleast_2d(np.asarray(active_projects, bool))
    runs = act.shape[0]
    col = np.maximum(links.project, 0)
    on = np.where(links.project[None, :] >= 0, act[:, col], True)
    flow = np.where(on, links.flow[None, :], 0.0)
    if initial_phase is not None:
        ph = np.atleast_2d(np.asarray(initial_phase, bool))
        early = (links.project[None, :] >= 0) & ph[:, col]
        flow = np.where(early, flow * links.phase_share[None, :], flow)
        runs = max(runs, flow.shape[0])
    if instability is not None:
        s = np.atleast_2d(np.asarray(instability, float))
        worst = np.max(np.where(links.transit[None], s[:, None, :], 0.0), axis=2)
        flow = flow * np.clip(1.0 - disruption * worst, 0.0, 1.0)
    if edge_open is not None:
        op = np.atleast_2d(np.asarray(edge_open, bool))
        blocked = np.any(links.route[None] & ~op[:, None, :], axis=2)
        flow = np.where(blocked, 0.0, flow)
    flow = np.broadcast_to(flow, (runs, flow.shape[-1])).copy()
    # What is sold, within the exporter's spare supply (network.gas_supply).
    return cap_sales(flow, links.exporter, links.project, links.is_gas, links.spare_supply)


def energy_indicators(links: EnergyLinks, flows: ArrayLike) -> dict[str, FloatArray]:
    """Import dependence, supplier HHI, imports and project exports per economy (R, N)."""
    f = np.atleast_2d(np.asarray(flows, float))
    runs, n = f.shape[0], len(links.production)
    gas = links.is_gas
    baseline_gas = np.where(links.project < 0, links.flow, 0.0)
    pipe = np.zeros((runs, n))
    project_gas = np.zeros((runs, n))
    by_supplier = np.zeros((runs, n, n))  # importer x exporter
    power = np.zeros((runs, n))
    project_gas_out = np.zeros((runs, n))
    power_out = np.zeros((runs, n))
    for k in range(len(links.link_ids)):
        i, j = links.importer[k], links.exporter[k]
        if gas[k]:
            pipe[:, i] += f[:, k]
            by_supplier[:, i, j] += f[:, k]
            if links.project[k] >= 0:
                project_gas[:, i] += f[:, k]
                project_gas_out[:, j] += f[:, k]
        else:
            power[:, i] += f[:, k]
            power_out[:, j] += f[:, k]
    base_pipe = np.bincount(links.importer[gas], weights=baseline_gas[gas], minlength=n)
    extra = pipe - base_pipe[None, :]  # project gas and disruptions relative to the data
    lng0 = np.nan_to_num(links.lng)
    lng = np.maximum(lng0[None, :] - np.maximum(extra, 0.0), 0.0)
    excess = np.maximum(extra - lng0[None, :], 0.0)
    consumption = links.consumption[None, :] + excess + np.minimum(extra, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dependence = np.clip((consumption - links.production[None, :]) / consumption, 0.0, 1.0)
    other = links.other_pipeline[None, :]
    imports = pipe + other + lng
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = by_supplier / imports[:, :, None]
        hhi = np.sum(shares**2, axis=2) + (other / imports) ** 2
    # Pipeline imports the Review gives only inside a regional total: the supplier shares
    # are not known (the modelled links alone would make one supplier the only one).
    known = np.isfinite(links.pipeline_total)[None, :]
    hhi = np.where((imports > 0) & known, hhi, np.nan)
    return {
        "gas_pipeline_imports_bcm": pipe + other,
        "gas_import_dependence": dependence,
        "gas_supplier_hhi": hhi,
        "power_imports_twh": power,
        "gas_project_bcm": project_gas,
        "gas_project_exports_bcm": project_gas_out,
        "power_exports_twh": power_out,
    }
