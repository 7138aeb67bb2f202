"""Load and validate the transport and energy network tables shipped with scosim.

The tables live in ``scosim/network/tables`` (one CSV each, documented in
``docs/network.md``). Every problem found while loading raises
:class:`NetworkDataError` naming the table, the CSV line, the field and what is
allowed, so a user who edits a table can fix it without reading code.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.data.constants import ECONOMIES

TABLES_DIR = Path(__file__).with_name("tables")

#: Node kinds. Centres and gateways are where an economy's trade starts and ends.
NODE_KINDS: tuple[str, ...] = ("centre", "gateway", "port", "border", "gauge_break", "junction",
                               "waypoint")
#: Economy code of sea waypoints (they belong to no economy).
SEA: str = "SEA"
#: Freight modes (containers) and energy modes.
FREIGHT_MODES: tuple[str, ...] = ("road", "rail", "sea", "inland_water")
ENERGY_MODES: tuple[str, ...] = ("pipeline", "power")
MODES: tuple[str, ...] = FREIGHT_MODES + ENERGY_MODES
QUALITIES: dict[str, tuple[str, ...]] = {
    "road": ("high", "low"),
    "rail": ("high", "low"),
    "sea": ("main", "feeder"),
    "inland_water": ("na",),
    "pipeline": ("na",),
    "power": ("na",),
}
#: ``closed``: the link exists but is closed to trade in the baseline (a scenario may open it).
STATUSES: tuple[str, ...] = ("existing", "project", "closed")
CARRIERS: tuple[str, ...] = ("freight", "gas", "power")

#: Parameters every ``params.csv`` must define (see docs/network.md for each one).
REQUIRED_PARAMS: tuple[str, ...] = (
    "rate_road_high", "rate_road_low", "rate_rail_high", "rate_rail_low", "rate_sea",
    "rate_inland_water", "speed_road", "speed_rail", "speed_sea", "speed_inland_water",
    "circuity_road", "circuity_rail", "circuity_sea", "circuity_inland_water",
    "circuity_pipeline", "circuity_power", "port_fee_usd", "port_days", "intermodal_fee_usd",
    "intermodal_days", "gauge_fee_usd", "gauge_days", "transit_border_share",
    "value_per_teu_usd", "vot_per_day", "max_t_hat", "insecurity_cost_factor",
    "tonnes_per_teu", "bpr_alpha", "bpr_beta",
    "om_share_rail", "om_share_road", "om_share_pipeline", "om_share_power",
)

EARTH_RADIUS_KM = 6371.0088


class NetworkDataError(ValueError):
    """Bad network data: names the table, the CSV line, the field and what is allowed."""

    def __init__(self, table: str, line: int | None, field: str, problem: str):
        self.table = table
        self.line = line
        self.field = field
        self.problem = problem
        where = f"{table}.csv" + (f" line {line}" if line is not None else "")
        super().__init__(f"{where}, field {field!r}: {problem}")

    def __reduce__(self) -> tuple[type, tuple[str, int | None, str, str]]:
        return type(self), (self.table, self.line, self.field, self.problem)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius) in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class NetworkTables:
    """The validated network tables (treat the frames as read-only).

    Attributes:
        nodes: One row per node, index ``node_id``: ``name, kind, economy, lat, lon,
            centre_weight, source``.
        edges: One row per edge in file order, index ``edge_id``: ``from_node, to_node, mode,
            quality, length_km`` (filled from coordinates x circuity where the table leaves it
            blank), ``length_from`` (``"table"`` or ``"great_circle"``), ``gauge_break``
            (bool), ``capacity, capacity_unit, status, project, economies`` (tuple of codes),
            ``source, note``, ``territory_km`` (dict code -> km where the table gives an
            edge's km in each territory, else empty).
        borders: Doing Business border time (hours) and fee (US$) per economy, index
            ``economy``; economies missing from the table get the median (``source`` says so).
        projects: One row per project, index ``project_id``; ``host_shares`` is a dict of
            published cost shares by host, empty where the table gives none (then the
            shares are by length in each territory).
        params: Parameter name -> value.
        params_table: The full ``params.csv`` (units, sources, calibrated flag).
        energy_links: Producer-consumer links (see :mod:`scosim.network.energy`).
        gas_balance: Gas production, consumption and imports per economy (bcm, 2023).
        sources: Source table, index ``source_id``.
        economies: The economies the tables were validated for.
        transit_restrictions: Transit bans per ordered pair, index ``restriction_id``:
            ``origin, destination, transit, from_year, source, note``
            (:mod:`scosim.network.rules`).
        measures: Project facilitation measures, index ``measure_id``: ``project, kind,
            target, money_factor, time_factor, costed, source, note``
            (:mod:`scosim.network.rules`).
    """

    nodes: pd.DataFrame = field(repr=False)
    edges: pd.DataFrame = field(repr=False)
    borders: pd.DataFrame = field(repr=False)
    projects: pd.DataFrame = field(repr=False)
    params: dict[str, float] = field(repr=False)
    params_table: pd.DataFrame = field(repr=False)
    energy_links: pd.DataFrame = field(repr=False)
    gas_balance: pd.DataFrame = field(repr=False)
    sources: pd.DataFrame = field(repr=False)
    economies: tuple[str, ...] = ECONOMIES
    transit_restrictions: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    measures: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def edge_ids(self) -> tuple[str, ...]:
        """Edge ids in table order (the column order of (R, E) edge arrays)."""
        return tuple(self.edges.index)

    @property
    def project_ids(self) -> tuple[str, ...]:
        """Project ids in table order (the column order of (R, P) project arrays)."""
        return tuple(self.projects.index)


def _read(path: Path, table: str, required: Sequence[str]) -> pd.DataFrame:
    if not path.is_file():
        raise NetworkDataError(table, None, "*", f"file not found: {path.name}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise NetworkDataError(table, 1, missing[0], f"missing column; required: {list(required)}")
    frame["_line"] = np.arange(len(frame)) + 2  # header is line 1
    return frame


def _number(table: str, row: pd.Series, col: str, *, allow_blank: bool = False,
            minimum: float | None = None, strict: bool = False) -> float:
    text = str(row[col]).strip()
    if text == "":
        if allow_blank:
            return math.nan
        raise NetworkDataError(table, int(row["_line"]), col, "is blank; a number is required")
    try:
        value = float(text)
    except ValueError:
        raise NetworkDataError(table, int(row["_line"]), col,
                               f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise NetworkDataError(table, int(row["_line"]), col, f"{text!r} is not finite")
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        rel = ">" if strict else ">="
        what = "negative" if value < 0 else "too small"
        raise NetworkDataError(table, int(row["_line"]), col,
                               f"{value:g} is {what}; allowed: a number {rel} {minimum:g}")
    return value


def _check_unique(frame: pd.DataFrame, table: str, col: str) -> None:
    dup = frame[frame[col].duplicated()]
    if not dup.empty:
        r = dup.iloc[0]
        raise NetworkDataError(table, int(r["_line"]), col, f"duplicate id {r[col]!r}")


def _nodes(d: Path, economies: Sequence[str]) -> pd.DataFrame:
    t = "nodes"
    f = _read(d / "nodes.csv", t,
              ["node_id", "name", "kind", "economy", "lat", "lon", "centre_weight", "source"])
    _check_unique(f, t, "node_id")
    allowed_econ = set(ECONOMIES) | {SEA}
    lat, lon, weight = [], [], []
    for _, r in f.iterrows():
        line = int(r["_line"])
        if r["kind"] not in NODE_KINDS:
            raise NetworkDataError(t, line, "kind",
                                   f"unknown kind {r['kind']!r}; allowed: {list(NODE_KINDS)}")
        if r["economy"] not in allowed_econ:
            raise NetworkDataError(t, line, "economy", f"unknown economy {r['economy']!r}; "
                                   f"allowed: the 28 scosim codes or {SEA!r}")
        la = _number(t, r, "lat")
        lo = _number(t, r, "lon")
        if not -90 <= la <= 90:
            raise NetworkDataError(t, line, "lat", f"{la:g} outside [-90, 90]")
        if not -180 <= lo <= 180:
            raise NetworkDataError(t, line, "lon", f"{lo:g} outside [-180, 180]")
        w = _number(t, r, "centre_weight", allow_blank=True, minimum=0.0, strict=True)
        is_centre = r["kind"] in ("centre", "gateway")
        if is_centre and math.isnan(w):
            raise NetworkDataError(t, line, "centre_weight",
                                   "blank for a centre or gateway; a weight > 0 is required")
        if not is_centre and not math.isnan(w):
            raise NetworkDataError(t, line, "centre_weight",
                                   f"set for a {r['kind']!r} node; only centres and gateways "
                                   "carry a weight")
        lat.append(la)
        lon.append(lo)
        weight.append(w)
        if not r["source"].strip():
            raise NetworkDataError(t, line, "source", "blank; every row needs a source id")
    f["lat"], f["lon"], f["centre_weight"] = lat, lon, weight
    centres = f[f["kind"].isin(("centre", "gateway"))]
    for code in economies:
        if code not in set(centres["economy"]):
            raise NetworkDataError(t, None, "economy",
                                   f"economy {code!r} has no centre or gateway node")
    return f.set_index("node_id")


def _edges(d: Path, nodes: pd.DataFrame, params: dict[str, float],
           project_ids: set[str]) -> pd.DataFrame:
    t = "edges"
    f = _read(d / "edges.csv", t, ["edge_id", "from_node", "to_node", "mode", "quality",
                                   "length_km", "gauge_break", "capacity", "capacity_unit",
                                   "status", "project", "economies", "source"])
    for optional in ("note", "territory_km"):
        if optional not in f.columns:
            f[optional] = ""
    _check_unique(f, t, "edge_id")
    lengths, length_from, gauge, capacity, crossed, split = [], [], [], [], [], []
    for _, r in f.iterrows():
        line = int(r["_line"])
        for col in ("from_node", "to_node"):
            if r[col] not in nodes.index:
                raise NetworkDataError(t, line, col, f"unknown node {r[col]!r}; allowed: a "
                                       "node_id of nodes.csv")
        if r["from_node"] == r["to_node"]:
            raise NetworkDataError(t, line, "to_node", "equals from_node (a loop)")
        mode = r["mode"]
        if mode not in MODES:
            raise NetworkDataError(t, line, "mode",
                                   f"unknown mode {mode!r}; allowed: {list(MODES)}")
        if r["quality"] not in QUALITIES[mode]:
            raise NetworkDataError(t, line, "quality", f"{r['quality']!r} for mode {mode!r}; "
                                   f"allowed: {list(QUALITIES[mode])}")
        length = _number(t, r, "length_km", allow_blank=True, minimum=0.0, strict=True)
        if math.isnan(length):
            a, b = nodes.loc[r["from_node"]], nodes.loc[r["to_node"]]
            gc = great_circle_km(a["lat"], a["lon"], b["lat"], b["lon"])
            length = gc * params[f"circuity_{mode}"]
            length_from.append("great_circle")
        else:
            length_from.append("table")
        lengths.append(length)
        if r["gauge_break"] not in ("0", "1"):
            raise NetworkDataError(t, line, "gauge_break",
                                   f"{r['gauge_break']!r}; allowed: 0 or 1")
        if r["gauge_break"] == "1" and mode != "rail":
            raise NetworkDataError(t, line, "gauge_break", "set on a non-rail edge")
        gauge.append(r["gauge_break"] == "1")
        capacity.append(_number(t, r, "capacity", allow_blank=True, minimum=0.0, strict=True))
        if r["status"] not in STATUSES:
            raise NetworkDataError(t, line, "status",
                                   f"{r['status']!r}; allowed: {list(STATUSES)}")
        if r["status"] == "project" and r["project"] not in project_ids:
            raise NetworkDataError(t, line, "project", f"unknown project {r['project']!r}; "
                                   f"allowed: {sorted(project_ids)}")
        if r["status"] != "project" and r["project"]:
            raise NetworkDataError(t, line, "project", f"set on a {r['status']!r} edge")
        ends = [nodes.loc[r[c], "economy"] for c in ("from_node", "to_node")]
        ends = [e for e in dict.fromkeys(ends) if e != SEA]
        listed = tuple(x for x in r["economies"].split(";") if x)
        for code in listed:
            if code not in ECONOMIES:
                raise NetworkDataError(t, line, "economies", f"unknown economy {code!r}")
        if listed and not set(ends) <= set(listed):
            raise NetworkDataError(t, line, "economies", f"{list(listed)} omits an endpoint "
                                   f"economy; the endpoints are in {ends}")
        crossed.append(listed or tuple(ends))
        split.append(_territory(t, r, crossed[-1], length))
        if not r["source"].strip():
            raise NetworkDataError(t, line, "source", "blank; every row needs a source id")
    f["length_km"], f["length_from"] = lengths, length_from
    f["gauge_break"], f["capacity"], f["economies"] = gauge, capacity, crossed
    f["territory_km"] = split
    return f.set_index("edge_id")


def _territory(t: str, row: pd.Series, crossed: tuple[str, ...], length: float
               ) -> dict[str, float]:
    """An edge's km in each economy it crosses, where the table says (``CODE:km;...``).

    Blank: not given (a project's cost shares then split the edge equally among its
    economies, :func:`scosim.network.projects.project_km_by_economy`). Given, the km must
    be those of the edge's economies and add up to its length.
    """
    text = str(row["territory_km"]).strip()
    if not text:
        return {}
    line, out = int(row["_line"]), {}
    for part in text.split(";"):
        code, _, km = part.partition(":")
        if code not in crossed:
            raise NetworkDataError(t, line, "territory_km", f"{code!r} is not among the "
                                   f"edge's economies {list(crossed)}")
        try:
            out[code] = float(km)
        except ValueError:
            raise NetworkDataError(t, line, "territory_km",
                                   f"{part!r}; allowed: CODE:km, ';'-separated") from None
        if not out[code] >= 0:
            raise NetworkDataError(t, line, "territory_km", f"{part!r}: km must be >= 0")
    if abs(sum(out.values()) - length) > 0.5:
        raise NetworkDataError(t, line, "territory_km", f"adds up to {sum(out.values()):g} "
                               f"km; the edge is {length:g} km")
    return out


def _params(d: Path) -> tuple[dict[str, float], pd.DataFrame]:
    t = "params"
    f = _read(d / "params.csv", t, ["name", "value", "unit", "source", "calibrated"])
    _check_unique(f, t, "name")
    values = {r["name"]: _number(t, r, "value", minimum=0.0) for _, r in f.iterrows()}
    missing = [p for p in REQUIRED_PARAMS if p not in values]
    if missing:
        raise NetworkDataError(t, None, "name", f"missing parameters {missing}")
    for name in ("value_per_teu_usd",) + tuple(p for p in values if p.startswith("speed_")):
        if values[name] <= 0:
            line = int(f.loc[f["name"] == name, "_line"].iloc[0])
            raise NetworkDataError(t, line, "value", f"{name} must be > 0")
    share = values["transit_border_share"]
    if share > 1:
        line = int(f.loc[f["name"] == "transit_border_share", "_line"].iloc[0])
        raise NetworkDataError(t, line, "value", "transit_border_share must be in [0, 1]")
    return values, f.drop(columns="_line").set_index("name")


def _borders(d: Path, economies: Sequence[str]) -> pd.DataFrame:
    t = "borders"
    cols = ["export_hours", "export_usd", "import_hours", "import_usd"]
    f = _read(d / "borders.csv", t, ["economy", *cols, "source"])
    _check_unique(f, t, "economy")
    for _, r in f.iterrows():
        if r["economy"] not in ECONOMIES:
            raise NetworkDataError(t, int(r["_line"]), "economy",
                                   f"unknown economy {r['economy']!r}")
        for c in cols:
            _number(t, r, c, minimum=0.0)
    f[cols] = f[cols].astype(float)
    f = f.drop(columns="_line").set_index("economy")
    # Economies without a published figure get the median of those with one (documented).
    med = f[cols].median()
    missing = [code for code in ECONOMIES if code not in f.index]
    rows = [{**{c: float(med[c]) for c in cols}, "source": "median_of_listed"} for _ in missing]
    fill = pd.DataFrame(rows, index=missing)
    out = pd.concat([f, fill]) if len(fill) else f
    out.index.name = "economy"
    return out.loc[list(ECONOMIES)]


def _projects(d: Path) -> pd.DataFrame:
    t = "projects"
    f = _read(d / "projects.csv", t, ["project_id", "name", "carrier", "build_cost_usd_bn",
                                      "construction_years", "capacity", "capacity_unit",
                                      "capacity_initial", "host_economies", "source"])
    _check_unique(f, t, "project_id")
    shares: list[dict[str, float]] = []
    for _, r in f.iterrows():
        line = int(r["_line"])
        if r["carrier"] not in CARRIERS:
            raise NetworkDataError(t, line, "carrier",
                                   f"{r['carrier']!r}; allowed: {list(CARRIERS)}")
        for c in ("build_cost_usd_bn", "construction_years", "capacity", "capacity_initial"):
            _number(t, r, c, minimum=0.0, strict=True)
        for code in r["host_economies"].split(";"):
            if code not in ECONOMIES:
                raise NetworkDataError(t, line, "host_economies", f"unknown economy {code!r}")
        shares.append(_host_shares(t, r))
    for c in ("build_cost_usd_bn", "build_cost_high_usd_bn", "capacity", "capacity_initial"):
        if c in f.columns:
            f[c] = pd.to_numeric(f[c])
    f["construction_years"] = f["construction_years"].astype(int)
    f["host_economies"] = f["host_economies"].map(lambda s: tuple(s.split(";")))
    f["host_shares"] = shares
    return f.drop(columns="_line").set_index("project_id")


def _host_shares(t: str, row: pd.Series) -> dict[str, float]:
    """A project's published cost shares (``CODE:share;...``), or {} (blank: by length).

    Given, the shares must be those of hosts, in [0, 1], and add up to 1.
    """
    text = str(row.get("host_shares", "")).strip()
    if not text:
        return {}
    line, hosts, out = int(row["_line"]), row["host_economies"].split(";"), {}
    for part in text.split(";"):
        code, _, value = part.partition(":")
        try:
            share = float(value)
        except ValueError:
            share = math.nan
        if not 0.0 <= share <= 1.0:
            raise NetworkDataError(t, line, "host_shares", f"{part!r}; allowed: CODE:share "
                                   "with a share in [0, 1], separated by ';'")
        if code not in hosts:
            raise NetworkDataError(t, line, "host_shares", f"{code!r} does not host the "
                                   f"project; allowed: one of its host_economies {hosts}")
        out[code] = share
    if abs(sum(out.values()) - 1.0) > 1e-6:
        raise NetworkDataError(t, line, "host_shares", f"the shares add up to "
                               f"{sum(out.values()):g}; allowed: shares adding up to 1")
    return out


def _energy(d: Path, nodes_edges: pd.DataFrame, project_ids: set[str]
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    t = "energy_links"
    f = _read(d / "energy_links.csv", t, ["link_id", "exporter", "importer", "carrier",
                                           "edges", "flow", "unit", "status", "project",
                                           "source"])
    _check_unique(f, t, "link_id")
    flows, routes = [], []
    for _, r in f.iterrows():
        line = int(r["_line"])
        for c in ("exporter", "importer"):
            if r[c] not in ECONOMIES:
                raise NetworkDataError(t, line, c, f"unknown economy {r[c]!r}")
        if r["carrier"] not in ("gas", "power"):
            raise NetworkDataError(t, line, "carrier", f"{r['carrier']!r}; allowed: gas, power")
        route = tuple(x for x in r["edges"].split(";") if x)
        for e in route:
            if e not in nodes_edges.index:
                raise NetworkDataError(t, line, "edges", f"unknown edge {e!r}")
            want = "pipeline" if r["carrier"] == "gas" else "power"
            if nodes_edges.loc[e, "mode"] != want:
                raise NetworkDataError(t, line, "edges", f"edge {e!r} is not a {want} edge")
        routes.append(route)
        flows.append(_number(t, r, "flow", minimum=0.0))
        if r["status"] not in STATUSES:
            raise NetworkDataError(t, line, "status", f"{r['status']!r}")
        if r["status"] == "project" and r["project"] not in project_ids:
            raise NetworkDataError(t, line, "project", f"unknown project {r['project']!r}")
    f["edges"], f["flow"] = routes, flows
    links = f.drop(columns="_line").set_index("link_id")
    gb = _read(d / "gas_balance.csv", "gas_balance",
               ["economy", "production_bcm", "consumption_bcm", "lng_imports_bcm",
                "pipeline_imports_bcm", "source"])
    for _, r in gb.iterrows():
        if r["economy"] not in ECONOMIES:
            raise NetworkDataError("gas_balance", int(r["_line"]), "economy",
                                   f"unknown economy {r['economy']!r}")
        for c in ("production_bcm", "consumption_bcm", "lng_imports_bcm",
                  "pipeline_imports_bcm"):
            _number("gas_balance", r, c, allow_blank=True, minimum=0.0)
    for c in ("production_bcm", "consumption_bcm", "lng_imports_bcm", "pipeline_imports_bcm"):
        gb[c] = pd.to_numeric(gb[c].replace("", np.nan))
    return links, gb.drop(columns="_line").set_index("economy")


def _check_sources(tables: dict[str, pd.DataFrame], sources: pd.DataFrame) -> None:
    known = set(sources.index)
    for table, frame in tables.items():
        col = frame["source"] if "source" in frame.columns else pd.Series(dtype=str)
        for pos, value in enumerate(col):
            for sid in str(value).split(";"):
                if sid and sid not in known and sid != "median_of_listed":
                    raise NetworkDataError(table, pos + 2, "source", f"unknown source id "
                                           f"{sid!r}; allowed: an id of sources.csv")


def _check_paths(nodes: pd.DataFrame, edges: pd.DataFrame, economies: Sequence[str]) -> None:
    """Every economy must reach every other on existing freight edges (any modes)."""
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    freight = edges[(edges["status"] == "existing") & edges["mode"].isin(FREIGHT_MODES)]
    index = {n: k for k, n in enumerate(nodes.index)}
    rows = [index[n] for n in freight["from_node"]]
    cols = [index[n] for n in freight["to_node"]]
    graph = coo_array((np.ones(len(rows)), (rows, cols)), shape=(len(index), len(index)))
    _, label = connected_components(graph, directed=False)
    centres = nodes[nodes["kind"].isin(("centre", "gateway"))]
    first = centres[centres["economy"] == economies[0]].index[0]
    for node_id, r in centres.iterrows():
        if r["economy"] in economies and label[index[node_id]] != label[index[first]]:
            raise NetworkDataError("nodes", int(r["_line"]), "node_id",
                                   f"no freight path from {node_id!r} ({r['economy']}) to "
                                   f"{first!r} ({economies[0]}) on existing edges")


def read_network(tables_dir: str | Path, economies: Sequence[str] = ECONOMIES) -> NetworkTables:
    """Read and validate the network tables in ``tables_dir``.

    Args:
        tables_dir: Directory with ``nodes.csv, edges.csv, borders.csv, projects.csv,
            params.csv, energy_links.csv, gas_balance.csv, transit_restrictions.csv,
            project_measures.csv, sources.csv``.
        economies: Economies that must have a centre and a path to each other.

    Raises:
        NetworkDataError: On any bad value, naming table, line and field.
    """
    d = Path(tables_dir)
    sources = _read(d / "sources.csv", "sources", ["source_id", "citation"])
    _check_unique(sources, "sources", "source_id")
    sources = sources.drop(columns="_line").set_index("source_id")
    params, params_table = _params(d)
    projects = _projects(d)
    pids = set(projects.index)
    nodes = _nodes(d, economies)
    edges = _edges(d, nodes, params, pids)
    borders = _borders(d, economies)
    links, gas = _energy(d, edges, pids)
    from scosim.network.rules import check_restricted_paths, read_measures, read_restrictions

    restrictions = read_restrictions(d, economies)
    measures = read_measures(d, nodes, edges, pids)
    _check_sources({"nodes": nodes, "edges": edges, "params": params_table,
                    "energy_links": links, "projects": projects, "gas_balance": gas,
                    "transit_restrictions": restrictions, "project_measures": measures},
                   sources)
    _check_paths(nodes, edges, economies)
    check_restricted_paths(nodes, edges, restrictions)
    return NetworkTables(
        nodes=nodes.drop(columns="_line"),
        edges=edges.drop(columns="_line"),
        borders=borders,
        projects=projects,
        params=params,
        params_table=params_table,
        energy_links=links,
        gas_balance=gas,
        sources=sources,
        economies=tuple(economies),
        transit_restrictions=restrictions.drop(columns="_line"),
        measures=measures.drop(columns="_line"),
    )


@functools.cache
def load_network() -> NetworkTables:
    """The packaged network tables (cached; do not mutate the frames)."""
    return read_network(TABLES_DIR)
