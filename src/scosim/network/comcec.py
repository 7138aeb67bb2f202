"""The published Nhava Sheva-Moscow route comparison (COMCEC 2017, Table 58) on the network.

COMCEC (2017), *Improving Transnational Transport Corridors in the OIC Member Countries*,
Table 58 "Transit time and cost Nhava Sheva - Moscow" (source: Fimotions 2017, from the
2014 INSTC dry run): four routes with their days and US$ per TEU. The table's column is
"Transit cost/TEU" (the design notes' ANCHORS.md said "per 40-foot container", a slip;
docs/anchors.md gives TEU, as the primary source does).

Each route is written here as a path of ``node|layer`` vertices of the freight graph,
following the route descriptions of the dry-run report. Two legs are not described and are
assumptions (docs/network.md): Baku to Moscow in route 1 and Astrakhan to Moscow in route 2
go on by rail; the sea-and-rail route runs Bandar Abbas-Tehran-Qazvin-Rasht by rail, Rasht
to Astara by road (the missing rail link) and Astara-Baku-Moscow by rail (as the 2016 first
run did).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scosim.network.routing import FreightGraph, arc_weights, path_money_days

#: Published figures: route -> (days, US$ per TEU).
PUBLISHED: dict[str, tuple[float, float]] = {
    "instc_route1": (32.0, 3882.0),
    "instc_route2": (44.0, 5765.0),
    "instc_sea_rail": (26.0, 3550.0),
    "suez": (32.0, 3133.0),
}

_SEA_TO_BA = ["IND_NHAVASHEVA|src", "IND_NHAVASHEVA|sea", "SEA_HORMUZ|sea",
              "IRN_BANDARABBAS|sea"]
_AZE_RAIL_TO_MOSCOW = ["AZE_BAKU|rail", "AZE_YALAMA|rail", "RUS_YALAMA|rail",
                       "RUS_MAKHACHKALA|rail", "RUS_MOSCOW|rail", "RUS_MOSCOW|dst"]

#: Route -> vertex path.
ROUTES: dict[str, list[str]] = {
    "instc_route1": _SEA_TO_BA + [
        "IRN_BANDARABBAS|road", "IRN_TEHRAN|road", "IRN_QAZVIN|road", "IRN_RASHT|road",
        "IRN_ASTARA|road", "AZE_ASTARA|road", "AZE_BAKU|road"] + _AZE_RAIL_TO_MOSCOW,
    "instc_route2": _SEA_TO_BA + [
        "IRN_BANDARABBAS|road", "IRN_TEHRAN|road", "IRN_AMIRABAD|road",
        "IRN_AMIRABAD|inland_water", "RUS_ASTRAKHAN|inland_water", "RUS_ASTRAKHAN|rail",
        "RUS_MOSCOW|rail", "RUS_MOSCOW|dst"],
    "instc_sea_rail": _SEA_TO_BA + [
        "IRN_BANDARABBAS|rail", "IRN_BAFQ|rail", "IRN_TEHRAN|rail", "IRN_QAZVIN|rail",
        "IRN_RASHT|rail", "IRN_RASHT|road", "IRN_ASTARA|road", "IRN_ASTARA|rail",
        "AZE_ASTARA|rail"] + _AZE_RAIL_TO_MOSCOW,
    "suez": ["IND_NHAVASHEVA|src", "IND_NHAVASHEVA|sea", "SEA_BABELMANDEB|sea",
             "SAU_JEDDAH|sea", "EGY_SUEZ|sea", "EGY_PORTSAID|sea", "SEA_SICILY|sea",
             "SEA_GIBRALTAR|sea", "SEA_USHANT|sea", "ROW_ROTTERDAM|sea", "ROW_ROTTERDAM|sea_feeder",
             "SEA_SKAGEN|sea_feeder", "SEA_ORESUND|sea_feeder", "SEA_GOFINLAND|sea_feeder",
             "RUS_STPETERSBURG|sea_feeder",
             "RUS_STPETERSBURG|rail", "RUS_MOSCOW|rail", "RUS_MOSCOW|dst"],
}


@dataclass(frozen=True)
class RouteFigures:
    """Model days and US$/TEU of one route, with the published figures."""

    route: str
    days: float
    usd: float
    published_days: float
    published_usd: float


def comcec_comparison(graph: FreightGraph) -> pd.DataFrame:
    """Days and US$/TEU of the four COMCEC routes on the network, next to the published ones.

    Includes the once-per-shipment share of India's export and Russia's import time and fee.

    Returns:
        One row per route: ``days, usd, published_days, published_usd, days_ratio,
        usd_ratio``.
    """
    i, j = graph.economies.index("IND"), graph.economies.index("RUS")
    rows = []
    for name, path in ROUTES.items():
        money, days = path_money_days(graph, path)
        money += graph.endpoint_money[i, j]
        days += graph.endpoint_days[i, j]
        pd_days, pd_usd = PUBLISHED[name]
        rows.append({"route": name, "days": days, "usd": money, "published_days": pd_days,
                     "published_usd": pd_usd})
    out = pd.DataFrame(rows).set_index("route")
    out["days_ratio"] = out["days"] / out["published_days"]
    out["usd_ratio"] = out["usd"] / out["published_usd"]
    return out


def cheapest_and_fastest(graph: FreightGraph) -> tuple[list[str], list[str]]:
    """Cheapest (money only) and fastest (days only) Nhava Sheva-Moscow vertex paths.

    Searched over all existing edges of the network, not only the four COMCEC routes.
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra

    src = graph.vertex("IND_NHAVASHEVA|src")
    dst = graph.vertex("RUS_MOSCOW|dst")
    open_ = np.isfinite(arc_weights(graph)[0])
    out = []
    for values in (graph.money, graph.days):
        w = values[open_] + 1e-12  # keep zero-cost access arcs as arcs
        mat = csr_array((w, (graph.tail[open_], graph.head[open_])),
                        shape=(graph.n_vertices, graph.n_vertices))
        _, pred = dijkstra(mat, directed=True, indices=src, return_predecessors=True)
        path = [dst]
        while path[-1] != src:
            path.append(int(pred[path[-1]]))
        out.append([graph.vertex_labels[v] for v in reversed(path)])
    return out[0], out[1]
