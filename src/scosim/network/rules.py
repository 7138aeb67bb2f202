"""Transit restrictions and project facilitation measures: reading and checking their tables.

Two tables complete the physical network (docs/network.md, "Transit restrictions" and
"What a project upgrades"):

* ``transit_restrictions.csv``: one row per (origin, destination, transit economy): goods of
  the origin bound for the destination may not cross the transit economy (e.g. Pakistan bars
  Indian goods to and from Afghanistan and Central Asia). Routing honours it per ordered pair.
* ``project_measures.csv``: what a project improves besides its new edges: port handling
  (fee and dwell) at a port, or the border share (customs time and fee) at a port or on a
  crossing edge, as factors in [0, 1] applied while the project operates.

Every problem raises :class:`~scosim.network.tables.NetworkDataError` naming the table, the
CSV line, the field and what is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scosim.data.constants import ECONOMIES
from scosim.network.params import MEASURE_CHOICES
from scosim.network.tables import (
    FREIGHT_MODES,
    SEA,
    NetworkDataError,
    _check_unique,
    _number,
    _read,
)

#: Kinds of project measures.
MEASURE_KINDS: tuple[str, ...] = ("port_handling", "border")
#: Years a restriction's ``from_year`` may take.
YEAR_RANGE: tuple[int, int] = (1900, 2100)


def read_restrictions(d: Path, economies: Sequence[str] = ECONOMIES) -> pd.DataFrame:
    """Read and check ``transit_restrictions.csv``.

    Columns ``restriction_id, origin, destination, transit, from_year, source, note``; the
    frame is indexed by ``restriction_id`` and keeps ``_line``.
    """
    t = "transit_restrictions"
    f = _read(d / "transit_restrictions.csv", t, ["restriction_id", "origin", "destination",
                                                  "transit", "from_year", "source"])
    if "note" not in f.columns:
        f["note"] = ""
    _check_unique(f, t, "restriction_id")
    seen: dict[tuple[str, str, str], int] = {}
    years = []
    for _, r in f.iterrows():
        line = int(r["_line"])
        for col in ("origin", "destination", "transit"):
            if r[col] not in economies:
                raise NetworkDataError(t, line, col, f"unknown economy {r[col]!r}; allowed: "
                                       "one of the 28 scosim codes")
        if r["origin"] == r["destination"]:
            raise NetworkDataError(t, line, "destination", "equals origin; a restriction is "
                                   "between two different economies")
        if r["transit"] in (r["origin"], r["destination"]):
            raise NetworkDataError(t, line, "transit", f"{r['transit']!r} is an end of the "
                                   "pair; allowed: a third economy")
        year = _number(t, r, "from_year")
        if year != int(year) or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise NetworkDataError(t, line, "from_year", f"{r['from_year']!r}; allowed: a "
                                   f"whole year in {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
        years.append(int(year))
        key = (r["origin"], r["destination"], r["transit"])
        if key in seen:
            raise NetworkDataError(t, line, "transit", f"duplicates line {seen[key]} "
                                   f"({'-'.join(key[:2])} through {key[2]})")
        seen[key] = line
        if not r["source"].strip():
            raise NetworkDataError(t, line, "source", "blank; every row needs a source id")
    f["from_year"] = years
    return f.set_index("restriction_id")


def read_measures(d: Path, nodes: pd.DataFrame, edges: pd.DataFrame,
                  project_ids: set[str]) -> pd.DataFrame:
    """Read and check ``project_measures.csv``.

    Columns ``measure_id, project, kind, target, money_factor, time_factor, costed, source,
    note``; the frame is indexed by ``measure_id`` and keeps ``_line``.

    ``kind``: ``port_handling`` (target a port node: its port fee and dwell) or ``border``
    (target a port node: the customs share paid at its sea-land transfers; or a crossing
    edge: the border share paid on it). Factors lie in [0, 1]: a measure never raises a cost.
    ``costed``: ``yes`` where the project's build cost (``projects.csv``) pays for the
    measure (equipment), ``no`` for a reform of procedures the cost does not include; read
    as a bool.
    """
    t = "project_measures"
    f = _read(d / "project_measures.csv", t, ["measure_id", "project", "kind", "target",
                                              "money_factor", "time_factor", "costed",
                                              "source"])
    if "note" not in f.columns:
        f["note"] = ""
    _check_unique(f, t, "measure_id")
    water = edges[edges["mode"].isin(("sea", "inland_water"))]
    ports = set(water["from_node"]) | set(water["to_node"])
    money, time = [], []
    for _, r in f.iterrows():
        line = int(r["_line"])
        if r["project"] not in project_ids:
            raise NetworkDataError(t, line, "project", f"unknown project {r['project']!r}; "
                                   f"allowed: {sorted(project_ids)}")
        if r["kind"] not in MEASURE_KINDS:
            raise NetworkDataError(t, line, "kind", f"unknown kind {r['kind']!r}; allowed: "
                                   f"{list(MEASURE_KINDS)}")
        target = r["target"]
        if target in nodes.index:
            if target not in ports:
                raise NetworkDataError(t, line, "target", f"node {target!r} is not a port "
                                       "(no sea or Caspian edge); allowed: a port node_id or, "
                                       "for kind 'border', a crossing edge_id")
        elif target in edges.index:
            e = edges.loc[target]
            ends = {nodes.loc[e["from_node"], "economy"], nodes.loc[e["to_node"], "economy"]}
            if r["kind"] != "border":
                raise NetworkDataError(t, line, "target", f"edge {target!r} for kind "
                                       f"{r['kind']!r}; allowed: a port node_id")
            if e["mode"] not in FREIGHT_MODES or len(ends - {SEA}) < 2:
                raise NetworkDataError(t, line, "target", f"edge {target!r} crosses no "
                                       "border; allowed: a freight edge between two economies")
        else:
            raise NetworkDataError(t, line, "target", f"unknown target {target!r}; allowed: "
                                   "a node_id of nodes.csv or an edge_id of edges.csv")
        for col, out in (("money_factor", money), ("time_factor", time)):
            v = _number(t, r, col, minimum=0.0)
            if v > 1.0:
                raise NetworkDataError(t, line, col, f"{v:g} > 1; allowed: a factor in "
                                       "[0, 1] (a measure lowers costs)")
            out.append(v)
        if r["costed"] not in ("yes", "no"):
            raise NetworkDataError(t, line, "costed", f"{r['costed']!r}; allowed: 'yes' (the "
                                   "project's build cost pays for it) or 'no'")
        if not r["source"].strip():
            raise NetworkDataError(t, line, "source", "blank; every row needs a source id")
    f["money_factor"], f["time_factor"] = money, time
    f["costed"] = f["costed"] == "yes"
    return f.set_index("measure_id")


def select_measures(measures: pd.DataFrame, choice: str | Sequence[str]) -> pd.DataFrame:
    """The rows of ``project_measures.csv`` a scenario keeps (``parameters.network.measures``).

    Args:
        measures: The measures table (:func:`read_measures`, index ``measure_id``).
        choice: ``"all"`` (every row), ``"costed"`` (only those the project's build cost
            pays for: the investment without the reforms of procedures bundled with it),
            ``"none"``, or a list of measure ids to keep.

    Returns:
        The kept rows, in table order (a measure's project still decides when it applies).

    Raises:
        ValueError: On an unknown choice or measure id, naming what is allowed.
    """
    if isinstance(choice, str):
        if choice not in MEASURE_CHOICES:
            raise ValueError(f"unknown choice {choice!r}; allowed: "
                             f"{list(MEASURE_CHOICES)} or a list of measure ids")
        if choice == "all":
            return measures
        if choice == "none":
            return measures.iloc[0:0]
        return measures[measures["costed"].astype(bool)]
    unknown = [m for m in choice if m not in measures.index]
    if unknown:
        raise ValueError(f"unknown measure id(s) {unknown}; allowed: ids of "
                         f"project_measures.csv {list(measures.index)}")
    return measures[measures.index.isin(list(choice))]


def check_restricted_paths(nodes: pd.DataFrame, edges: pd.DataFrame,
                           restrictions: pd.DataFrame) -> None:
    """Every restricted pair must still be connected on existing freight edges.

    Raises:
        NetworkDataError: Naming the restriction's line when its origin cannot reach its
            destination once the barred transit economies are left out.
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    freight = edges[(edges["status"] == "existing") & edges["mode"].isin(FREIGHT_MODES)]
    econ = nodes["economy"]
    centres = nodes[nodes["kind"].isin(("centre", "gateway"))]
    groups = restrictions.groupby(["origin", "destination"], sort=False)
    links = [(a, b, set(crossed)) for a, b, crossed in zip(
        freight["from_node"], freight["to_node"], freight["economies"], strict=True)]
    # The components depend on the barred set alone, and the closed borders give 115 pairs
    # a handful of sets: one graph per set (was one per pair, 0.37 s of the tables' 0.54).
    components: dict[frozenset[str], tuple[dict[str, int], np.ndarray]] = {}
    for (o, dst), rows in groups:
        barred = set(rows["transit"])
        if frozenset(barred) not in components:
            keep = nodes.index[~econ.isin(barred)]
            index = {n: k for k, n in enumerate(keep)}
            pairs = [(index[a], index[b]) for a, b, crossed in links
                     if a in index and b in index and not barred & crossed]
            rr = [a for a, _ in pairs]
            cc = [b for _, b in pairs]
            g = coo_array(([1.0] * len(rr), (rr, cc)), shape=(len(index), len(index)))
            components[frozenset(barred)] = (index, connected_components(g, directed=False)[1])
        index, label = components[frozenset(barred)]
        src = [index[n] for n in centres.index[centres["economy"] == o]]
        dst_ = [index[n] for n in centres.index[centres["economy"] == dst]]
        if not any(label[a] == label[b] for a in src for b in dst_):
            line = int(rows["_line"].iloc[0])
            raise NetworkDataError("transit_restrictions", line, "transit",
                                   f"with {sorted(barred)} barred there is no freight path "
                                   f"from {o} to {dst} on existing edges")


def barred_pairs(restrictions: pd.DataFrame, economies: Sequence[str],
                 year: int | None = None) -> dict[tuple[int, int], frozenset[int]]:
    """Ordered economy pairs (i, j) -> indices of the economies their goods may not cross.

    Args:
        restrictions: ``NetworkTables.transit_restrictions``.
        economies: Economy codes (the index order).
        year: Keep rows in force in this year (``from_year <= year``); None keeps all.
    """
    out: dict[tuple[int, int], set[int]] = {}
    if restrictions is None or restrictions.empty:
        return {}
    pos = {c: k for k, c in enumerate(economies)}
    for _, r in restrictions.iterrows():
        if year is not None and int(r["from_year"]) > year:
            continue
        out.setdefault((pos[r["origin"]], pos[r["destination"]]), set()).add(pos[r["transit"]])
    return {k: frozenset(v) for k, v in out.items()}


def transit_trees(centre_economy: NDArray[np.int64],
                  barred: dict[tuple[int, int], frozenset[int]],
                  arc_economy: NDArray[np.bool_]):
    """Shortest-path trees that honour per-pair transit bans.

    Every centre roots one tree on the full graph; an origin centre whose economy has banned
    transits for some destinations roots one more tree per distinct banned set, on the graph
    without the arcs touching the banned economies. Pair (a, b) reads its route from tree
    ``tree_of[a, b]``.

    Args:
        centre_economy: (C,) economy index of each centre.
        barred: Output of :func:`barred_pairs`.
        arc_economy: (A, N) True where an arc touches an economy (land edges through their
            economies, transfers and accesses through their node's economy).

    Returns:
        ``(tree_centre (T,), tree_set (T,), tree_of (C, C), barred_arcs (S, A))``; set 0 is
        the unrestricted graph (no arc barred).
    """
    ce = np.asarray(centre_economy, np.int64)
    n_c = len(ce)
    sets: list[frozenset[int]] = [frozenset()]
    tree_centre = list(range(n_c))
    tree_set = [0] * n_c
    tree_of = np.tile(np.arange(n_c, dtype=np.int64)[:, None], (1, n_c))
    made: dict[tuple[int, int], int] = {}
    for a in range(n_c):
        for b in range(n_c):
            ban = barred.get((int(ce[a]), int(ce[b])))
            if not ban:
                continue
            if ban not in sets:
                sets.append(ban)
            s = sets.index(ban)
            if (a, s) not in made:
                made[(a, s)] = len(tree_centre)
                tree_centre.append(a)
                tree_set.append(s)
            tree_of[a, b] = made[(a, s)]
    touch = np.asarray(arc_economy, bool)
    barred_arcs = np.zeros((len(sets), touch.shape[0]), bool)
    for s, ban in enumerate(sets):
        if ban:
            barred_arcs[s] = touch[:, sorted(ban)].any(axis=1)
    return (np.asarray(tree_centre, np.int64), np.asarray(tree_set, np.int64), tree_of,
            barred_arcs)


def ban_tree_needed(pred: NDArray[np.int64], arc: NDArray[np.int64], barred: NDArray[np.bool_],
                    base: NDArray[np.int64], targets: Sequence[NDArray[np.int64]],
                    ) -> NDArray[np.bool_]:
    """Whether tree ``base[k]``'s path to any vertex of ``targets[k]`` uses a barred arc.

    A transit-ban tree needs its own Dijkstra run only then: otherwise its pairs' routes on
    the whole graph avoid the barred economies and are shortest without them too. Walks the
    predecessor chains of all the targets at once (a few dozen steps, the longest route's
    length), so only the vertices the pairs read are looked at: ``pred`` and ``arc`` are one
    run's (T, V) arrays as in :class:`~scosim.network.routing.Routes`; returns (K,).
    """
    sizes = np.array([len(x) for x in targets], dtype=np.int64)
    row = np.repeat(np.asarray(base, np.int64), sizes)
    cur = np.concatenate([np.asarray(x, np.int64) for x in targets]) if sizes.sum() else \
        np.zeros(0, np.int64)
    hit = np.zeros(len(cur), bool)
    live = np.ones(len(cur), bool)
    for _ in range(pred.shape[1]):  # a path visits each vertex at most once
        a = arc[row, cur]
        hit |= live & (a >= 0) & barred[np.maximum(a, 0)]
        nxt = pred[row, cur]
        live &= nxt >= 0
        if not live.any():
            break
        cur = np.where(live, nxt, cur)
    out = np.zeros(len(targets), bool)
    np.logical_or.at(out, np.repeat(np.arange(len(targets)), sizes), hit)
    return out


def measure_arrays(measures: pd.DataFrame, project_ids: Sequence[str],
                   edge_ids: Sequence[str], arc_edge: Sequence[int], arc_node: Sequence[str],
                   money: Sequence[float], days: Sequence[float],
                   port_part: Sequence[tuple[float, float]],
                   border_part: Sequence[tuple[float, float]]):
    """Arcs a project's measures change, with their money and days while it operates.

    A ``port_handling`` measure scales the port fee and dwell of the transfers and accesses at
    its port; a ``border`` measure scales the customs share paid there, or the border share on
    a crossing edge's two arcs. Measures of one project on one arc add up (they scale disjoint
    parts).

    Returns:
        ``(arc (K,), project (K,), money (K,), days (K,))``, one row per (project, arc).
    """
    cut: dict[tuple[int, int], list[float]] = {}
    if measures is None or measures.empty:
        empty = np.zeros(0)
        return empty.astype(np.int64), empty.astype(np.int64), empty, empty
    edge_pos = {e: k for k, e in enumerate(edge_ids)}
    arc_edge_a = np.asarray(arc_edge, np.int64)
    node_a = np.asarray(arc_node, dtype=object)
    port_a = np.asarray(port_part, float).reshape(-1, 2)
    border_a = np.asarray(border_part, float).reshape(-1, 2)
    for _, r in measures.iterrows():
        proj = list(project_ids).index(r["project"])
        target = r["target"]
        if target in edge_pos:
            arcs = np.flatnonzero(arc_edge_a == edge_pos[target])
        else:
            arcs = np.flatnonzero(node_a == target)
        part = port_a if r["kind"] == "port_handling" else border_a
        for k in arcs:
            dm = (1.0 - r["money_factor"]) * part[k, 0]
            dd = (1.0 - r["time_factor"]) * part[k, 1]
            if dm == 0.0 and dd == 0.0:
                continue
            acc = cut.setdefault((proj, int(k)), [0.0, 0.0])
            acc[0] += dm
            acc[1] += dd
    keys = sorted(cut)
    arc = np.array([k for _, k in keys], np.int64)
    proj_a = np.array([p for p, _ in keys], np.int64)
    m = np.array([money[k] - cut[(p, k)][0] for p, k in keys], float)
    d = np.array([days[k] - cut[(p, k)][1] for p, k in keys], float)
    return arc, proj_a, m, d
