"""Corridor projects, insecurity, sanctions and congestion as pure array functions.

Conventions: ``R`` runs, ``N`` economies, ``E`` edges (table order of ``edges.csv``), ``P``
projects (table order of ``projects.csv``). Every function is pure numpy; none reads files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from scosim.network.routing import FreightGraph, Routes, route_edges
from scosim.network.tables import NetworkTables

# The tree walks moved to network.tree_walk (2026-12-07); importable from here as before.
from scosim.network.tree_walk import (  # noqa: F401
    distinct_trees,
    path_min,
    route_groups,
    tree_loads,
)
from scosim.network.tree_walk import pair_weights as _pair_weights

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def project_mask(project_ids: Sequence[str], active: ArrayLike | Sequence[str]) -> BoolArray:
    """(R, P) bool mask of active projects from a mask or a list of project ids.

    Args:
        project_ids: Project ids in table order.
        active: (R, P) or (P,) bool, or a sequence of project ids (one run).

    Raises:
        ValueError: On an unknown project id or a wrong shape.
    """
    if isinstance(active, (list, tuple)) and all(isinstance(x, str) for x in active):
        unknown = [x for x in active if x not in project_ids]
        if unknown:
            raise ValueError(f"unknown project(s) {unknown}; allowed: {list(project_ids)}")
        return np.array([[p in active for p in project_ids]], dtype=bool)
    mask = np.atleast_2d(np.asarray(active, dtype=bool))
    if mask.shape[1] != len(project_ids):
        raise ValueError(f"active projects must be (R, {len(project_ids)}); got {mask.shape}")
    return mask


#: How the run's answer and figures name the rule behind a corridor's cost shares.
SHARE_RULES: dict[str, str] = {
    "scenario": "the scenario's host_shares",
    "published": "published shares (projects.csv host_shares, sources.csv {source})",
    # Where only part of the split is published (the CKU's Kyrgyz joint venture), the rest
    # an assumption: said so, not "published" (an outside review, 2026-12-07).
    "partly_published": "partly published shares (projects.csv host_shares: {basis}; "
                        "sources.csv {source})",
    "length": "by length of new line in each host's territory (an assumption: no published "
              "split)",
}


def default_host_shares(tables: NetworkTables, project: str) -> tuple[FloatArray, str]:
    """The hosts' cost shares of a project when its proposal gives none (N,), and the rule.

    ``projects.csv``'s ``host_shares`` where it gives them (an owners' equity or a joint
    venture's capital, with its source; ``host_shares_basis`` says what part of them is
    published where only a part is), else in proportion to the project's length in
    each territory (:func:`project_km_by_economy`), an assumption.

    Returns:
        ``(shares, rule)``: shares summing to 1 in the tables' economy order, and
        ``"published"``, ``"partly_published"`` or ``"length"`` (a key of
        :data:`SHARE_RULES`).
    """
    row = tables.projects.loc[project]
    given = row.get("host_shares") or {}
    if given:
        econ = tables.economies
        rule = "partly_published" if _basis(row) else "published"
        return np.array([float(given.get(c, 0.0)) for c in econ]), rule
    km = project_km_by_economy(tables, project)
    return km / km.sum(), "length"


def share_rule_text(tables: NetworkTables, project: str, rule: str) -> str:
    """The words of :data:`SHARE_RULES` for a project (its sources for published shares)."""
    if rule not in ("published", "partly_published"):
        return SHARE_RULES[rule]
    row = tables.projects.loc[project]
    ids = [s for s in str(row["source"]).split(";") if not s.startswith("anchors_")]
    return SHARE_RULES[rule].format(source=", ".join(ids) or "source", basis=_basis(row))


def _basis(row: pd.Series) -> str:
    """``projects.csv``'s ``host_shares_basis`` of a project row ('' when blank or absent)."""
    value = row.get("host_shares_basis", "")
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else \
        str(value).strip()


def project_km_by_economy(tables: NetworkTables, project: str) -> FloatArray:
    """Length (km) of a project's edges in each economy (N,).

    An edge's km are those in each territory where ``edges.csv`` gives them
    (``territory_km``: the CKU's 50 km Uzbek section, TAPI's Multan-Fazilka section in
    Pakistan), else shared equally among the economies it touches. This is the default
    basis of the hosts' cost shares (:func:`scosim.network.finance.host_cost_shares`).

    Raises:
        KeyError: If the project has no edges.
    """
    econ = tables.economies
    edges = tables.edges[tables.edges["project"] == project]
    if edges.empty:
        raise KeyError(f"project {project!r} has no edges; known: {list(tables.project_ids)}")
    km = np.zeros(len(econ))
    split = edges["territory_km"] if "territory_km" in edges else [{}] * len(edges)
    for crossed, length, given in zip(edges["economies"], edges["length_km"], split,
                                      strict=True):
        if given:
            for c, part in given.items():
                km[econ.index(c)] += part
            continue
        codes = [c for c in crossed if c in econ]
        for c in codes:
            km[econ.index(c)] += length / len(codes)
    return km


def project_route_economies(graph: FreightGraph, project: int) -> BoolArray:
    """(N,) True for the economies a project's edges touch: the territory its route crosses.

    The same edge-economy incidence the network prices insecurity with
    (:func:`insecurity_multiplier`), so a project is as exposed as its most unstable edge.
    It is not the set of economies that pay: a host with no track of its own (Uzbekistan on
    the Trans-Afghan railway) is not on the route, and a payer's share does not move the
    route (docs/network.md, "Who pays, who bears the risk").

    Args:
        graph: The freight graph.
        project: Index of the project in table order (``graph.edge_project``).

    Raises:
        ValueError: If the project has no edges in the graph.
    """
    own = graph.edge_project == project
    if not own.any():
        raise ValueError(f"project index {project} has no edges in the graph")
    return graph.edge_economies[own].any(axis=0)


def project_operating(year: int, start_year: ArrayLike, construction_years: ArrayLike
                      ) -> BoolArray:
    """True where a project started in ``start_year`` is operating in ``year``.

    A project built over ``k`` years from year ``s`` operates from year ``s + k`` on; a start
    year of ``-1`` (or any negative) means never started.
    """
    s = np.asarray(start_year, dtype=np.int64)
    k = np.asarray(construction_years, dtype=np.int64)
    return (s >= 0) & (year >= s + k)


def edge_open_mask(graph: FreightGraph, active_projects: ArrayLike,
                   closed_edges: ArrayLike | None = None,
                   opened_edges: ArrayLike | None = None) -> BoolArray:
    """(R, E) open edges: existing edges, plus edges of active projects, minus closed ones.

    Args:
        graph: The freight graph.
        active_projects: (R, P) bool.
        closed_edges: (R, E) or (E,) bool edges closed by sanctions or conflict.
        opened_edges: (R, E) or (E,) bool edges opened although closed in the baseline
            (e.g. the Attari-Wagah crossing).
    """
    act = np.atleast_2d(np.asarray(active_projects, bool))
    ep = graph.edge_project
    open_ = np.where(ep[None, :] >= 0, act[:, np.maximum(ep, 0)], graph.edge_baseline_open)
    if opened_edges is not None:
        open_ = open_ | np.atleast_2d(np.asarray(opened_edges, bool))
    if closed_edges is not None:
        open_ = open_ & ~np.atleast_2d(np.asarray(closed_edges, bool))
    return open_


def insecurity_multiplier(instability: ArrayLike, edge_economies: ArrayLike,
                          factor: float = 1.0) -> FloatArray:
    """Edge cost multipliers (R, E) from an instability index per economy.

    ``m[r, e] = 1 + factor * max_{n touched by e} instability[r, n]``: an edge is as risky as
    the most unstable economy it touches (escorts, insurance, delays). A modelling choice with
    a named parameter (``insecurity_cost_factor`` in params.csv), not an estimate.

    Args:
        instability: (R, N) in [0, 1] (0 = secure).
        edge_economies: (E, N) bool, economies each edge touches.
        factor: Extra cost at instability 1, as a multiple of the secure cost.

    Raises:
        ValueError: If instability is outside [0, 1] or factor is negative.
    """
    s = np.atleast_2d(np.asarray(instability, float))
    if np.any(~np.isfinite(s)) or np.any(s < 0) or np.any(s > 1):
        raise ValueError("instability must be in [0, 1]")
    if factor < 0:
        raise ValueError("factor must be >= 0")
    touch = np.asarray(edge_economies, bool)
    worst = np.max(np.where(touch[None, :, :], s[:, None, :], 0.0), axis=2)
    return 1.0 + factor * worst


def sanction_multiplier(economy_multiplier: ArrayLike, edge_economies: ArrayLike
                        ) -> FloatArray:
    """Edge multipliers (R, E) from per-economy sanction multipliers (R, N) >= 1.

    An edge takes the largest multiplier of the economies it touches (e.g. insurance and
    payment frictions for routes through a sanctioned economy).
    """
    m = np.atleast_2d(np.asarray(economy_multiplier, float))
    if np.any(~np.isfinite(m)) or np.any(m < 1):
        raise ValueError("sanction multipliers must be finite and >= 1 (close edges instead)")
    touch = np.asarray(edge_economies, bool)
    return np.max(np.where(touch[None, :, :], m[:, None, :], 1.0), axis=2)


def congestion_multiplier(flow: ArrayLike, capacity: ArrayLike, alpha: float = 0.15,
                          beta: float = 4.0) -> FloatArray:
    """Bureau of Public Roads (1964) volume-delay factor ``1 + alpha (flow/capacity)^beta``.

    Applied to the time and money cost of a corridor's edges: at capacity a corridor costs
    15 % more, at twice its capacity 3.4 times as much (defaults). Uncapacitated edges
    (capacity ``nan`` or ``inf``) get 1.

    Raises:
        ValueError: On negative flows or non-positive capacities.
    """
    v = np.asarray(flow, float)
    c = np.asarray(capacity, float)
    if np.any(v < 0):
        raise ValueError("flows must be >= 0")
    if np.any(c <= 0):
        raise ValueError("capacities must be > 0")
    ratio = np.where(np.isfinite(c), v / np.where(np.isfinite(c), c, 1.0), 0.0)
    return 1.0 + alpha * ratio**beta


def pair_edge_use(graph: FreightGraph, routes: Routes) -> list[list[list[int]]]:
    """Edge lists of every centre-to-centre least-cost route: ``use[r][a * C + b]``."""
    n_c = len(graph.centre_src)
    out = []
    for r in range(routes.centre_cost.shape[0]):
        out.append([route_edges(graph, routes, r, a, b) if a != b else []
                    for a in range(n_c) for b in range(n_c)])
    return out


def edge_flows(graph: FreightGraph, use: list[list[list[int]]], trade: ArrayLike,
               ) -> FloatArray:
    """Trade value (US$) on each edge (R, E): all-or-nothing assignment to least-cost routes.

    Args:
        graph: The freight graph.
        use: Output of :func:`pair_edge_use`.
        trade: (N, N) or (R, N, N) trade flows in US$ (exporter x importer).
    """
    t = np.asarray(trade, float)
    runs = len(use)
    t = np.broadcast_to(t, (runs, *t.shape[-2:]))
    n_c = len(graph.centre_src)
    out = np.zeros((runs, len(graph.edge_ids)))
    for r in range(runs):
        w = _pair_weights(graph, t[r]).ravel()
        for k in range(n_c * n_c):
            if w[k] > 0 and use[r][k]:
                np.add.at(out[r], use[r][k], w[k])
    return out


def transit_value(graph: FreightGraph, use: list[list[list[int]]], trade: ArrayLike
                  ) -> FloatArray:
    """Trade value (US$) crossing each economy in transit (R, N).

    A pair's flow transits economy ``n`` when its route uses an edge touching ``n`` and ``n``
    is neither the exporter nor the importer; the base for transit fees.
    """
    t = np.asarray(trade, float)
    runs = len(use)
    t = np.broadcast_to(t, (runs, *t.shape[-2:]))
    n_c, n = len(graph.centre_src), len(graph.economies)
    out = np.zeros((runs, n))
    ce = graph.centre_economy
    for r in range(runs):
        w = _pair_weights(graph, t[r])
        for a in range(n_c):
            for b in range(n_c):
                edges = use[r][a * n_c + b]
                if w[a, b] <= 0 or not edges:
                    continue
                touched = graph.edge_economies[edges].any(axis=0)
                touched[[ce[a], ce[b]]] = False
                out[r, touched] += w[a, b]
    return out


def edges_touching(graph: FreightGraph, codes: Sequence[str]) -> BoolArray:
    """(E,) True for edges touching any of the economies ``codes``.

    Land edges, pipelines and power lines count; sea lanes touch no economy. Use it to close
    a sanctioned economy's links (``CorridorNetwork.step(closed_edges=...)``).

    Raises:
        ValueError: On an unknown economy code.
    """
    unknown = [c for c in codes if c not in graph.economies]
    if unknown:
        raise ValueError(f"unknown economy code(s) {unknown}")
    cols = [graph.economies.index(c) for c in codes]
    return graph.edge_economies[:, cols].any(axis=1)
