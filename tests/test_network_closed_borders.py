"""Closed borders: no Armenian route crosses Azerbaijan, no Azerbaijani route crosses Armenia.

The Armenia-Azerbaijan border has been closed to each other's goods since the Karabakh war
(Polyakov 2001, World Bank PRWP 2593). Before 2026-12-07 the network let Armenian trade to
Moscow run Yerevan-Poti-Baku-Yalama, through Azerbaijan, and had no Upper Lars road, Armenia's
only land route to Russia (an outside referee's report, defect 4).
"""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest

from scosim.data.constants import ECONOMIES
from scosim.network.build import CLOSED_PREFIX, closed_border_rows, restriction_rows
from scosim.network.routing import (
    arc_weights,
    build_freight_graph,
    least_cost_routes,
    route_edges,
)
from scosim.network.tables import TABLES_DIR, load_network, read_network


@pytest.fixture(scope="module")
def graph():
    return build_freight_graph(load_network())


def _path_nodes(graph, routes, run: int, a: int, b: int) -> list[str]:
    """Node ids on the least-cost path from centre ``a`` to centre ``b`` (empty: no route)."""
    tree = int(graph.trees()[2][a, b])
    pred = routes.predecessors[run, tree]
    v, src = int(graph.centre_dst[b]), int(graph.centre_src[a])
    out = [v]
    while v != src:
        v = int(pred[v])
        if v < 0:
            return []
        out.append(v)
    return [graph.vertex_labels[x].split("|")[0] for x in reversed(out)]


def _crossings(graph, routes, run: int, end: str, barred: str) -> list[tuple[str, str]]:
    """(origin centre, destination centre) pairs with ``end`` at one end whose route touches
    ``barred``."""
    nodes = load_network().nodes
    econ = [graph.economies[k] for k in graph.centre_economy]
    names = [graph.vertex_labels[v].split("|")[0] for v in graph.centre_src]
    bad = []
    for a in np.flatnonzero(np.array(econ) == end):
        for b in range(len(names)):
            if econ[b] in (end, barred):
                continue
            for i, j in ((int(a), b), (b, int(a))):
                path = _path_nodes(graph, routes, run, i, j)
                assert path, f"no route from {names[i]} to {names[j]}"
                if any(nodes.loc[n, "economy"] == barred for n in path):
                    bad.append((names[i], names[j]))
    return bad


def test_no_armenian_route_crosses_azerbaijan_and_vice_versa(graph):
    """Neither way round: Russian goods to Yerevan may not come through Baku either."""
    # Run 0: the baseline network; run 1: every project built (the INSTC's Rasht-Astara link
    # and its Azerbaijani crossings among them), which must not reopen the border either.
    every_project = graph.edge_baseline_open | (graph.edge_project >= 0)
    routes = least_cost_routes(graph, np.vstack([arc_weights(graph),
                                                 arc_weights(graph, edge_open=every_project)]))
    for run in (0, 1):
        assert _crossings(graph, routes, run, "ARM", "AZE") == []
        assert _crossings(graph, routes, run, "AZE", "ARM") == []


def test_armenia_reaches_moscow_over_upper_lars(graph):
    routes = least_cost_routes(graph, arc_weights(graph))
    names = [graph.vertex_labels[v].split("|")[0] for v in graph.centre_src]
    used = [graph.edge_ids[e] for e in route_edges(graph, routes, 0, names.index("ARM_YEREVAN"),
                                                   names.index("RUS_MOSCOW"))]
    assert used == ["E209", "E210", "E211"]  # Yerevan-Tbilisi-Upper Lars-Vladikavkaz-Moscow
    # The crossing is Georgian-Russian: Georgia stands in Rest of World.
    assert load_network().edges.loc["E210", "economies"] == ("ROW", "RUS")


def test_closed_border_bans_both_ways_to_every_destination():
    rows = closed_border_rows()
    got = {(r["origin"], r["transit"], r["destination"]) for r in rows}
    # Goods from and to each side, whatever their other end, may not cross the other side.
    want = {x for end, t in (("ARM", "AZE"), ("AZE", "ARM")) for d in ECONOMIES
            if d not in (end, t) for x in ((end, t, d), (d, t, end))}
    assert got == want and len(rows) == len(want) == 4 * 26
    table = read_network(TABLES_DIR).transit_restrictions
    packaged = set(zip(table["origin"], table["transit"], table["destination"], strict=True))
    assert want <= packaged


def test_rebuild_restores_the_closed_border_rows_after_the_hand_written_ones(tmp_path):
    dest = tmp_path / "tables"
    shutil.copytree(TABLES_DIR, dest)
    path = dest / "transit_restrictions.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        hand = [r for r in csv.DictReader(fh) if not r["restriction_id"].startswith(CLOSED_PREFIX)]
    rows = restriction_rows(dest)
    assert [r["restriction_id"] for r in rows[:len(hand)]] == [r["restriction_id"] for r in hand]
    assert rows[len(hand):] == closed_border_rows()
    # Hand rows written after the generated ones keep their place among the hand rows.
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\nT99,IND,MNG,PAK,2011,aptta_2010,x\n"
    path.write_text(text, encoding="utf-8")
    ids = [r["restriction_id"] for r in restriction_rows(dest)]
    assert ids.index("T99") == len(hand) and ids[-1].startswith(CLOSED_PREFIX)


def test_ban_trees_copied_from_the_open_tree_give_the_same_routes(graph, monkeypatch):
    """A ban tree is copied from its centre's own tree when its pairs' routes avoid the barred
    economies; forcing a Dijkstra run for every ban tree must give the same costs, routes and
    loads (random edge costs, every project open, so routes move between runs)."""
    import scosim.network.rules as rules
    from scosim.network.projects import edge_flows, pair_edge_use, tree_loads

    rng = np.random.default_rng(20261207)
    every_project = graph.edge_baseline_open | (graph.edge_project >= 0)
    w = arc_weights(graph, money_mult=rng.uniform(0.3, 3.0, (6, len(graph.edge_ids))),
                    edge_open=every_project)
    fast = least_cost_routes(graph, w)
    monkeypatch.setattr(rules, "ban_tree_needed",
                        lambda pred, arc, barred, base, targets: np.ones(len(targets), bool))
    full = least_cost_routes(graph, w)
    monkeypatch.undo()
    assert np.array_equal(fast.cost, full.cost)
    n_c = len(graph.centre_src)
    for r in range(6):
        for a in range(n_c):
            for b in range(n_c):
                assert route_edges(graph, fast, r, a, b) == route_edges(graph, full, r, a, b)
    trade = rng.uniform(0.0, 1.0, (len(graph.economies), len(graph.economies)))
    np.fill_diagonal(trade, 0.0)
    loads, transit = tree_loads(graph, fast, trade)
    expected = edge_flows(graph, pair_edge_use(graph, full), trade)
    assert np.allclose(loads, expected, rtol=1e-12, atol=1e-9)
    assert np.allclose(transit, tree_loads(graph, full, trade)[1], rtol=1e-12, atol=1e-9)
    # Both cases occur: some ban trees were copied, some needed their own run.
    tree_centre, tree_set, tree_of, barred = graph.trees()
    needed = []
    for r in range(6):
        for s in range(1, barred.shape[0]):
            trees = np.flatnonzero(tree_set == s)
            targets = [graph.centre_dst[tree_of[tree_centre[t]] == t] for t in trees]
            needed.extend(rules.ban_tree_needed(full.predecessors[r], full.route_arc[r],
                                                barred[s], tree_centre[trees], targets))
    assert any(needed) and not all(needed)
