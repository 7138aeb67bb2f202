"""Routing kernels: properties on random small graphs, the packaged network and COMCEC 2017."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scosim.network.comcec import PUBLISHED, cheapest_and_fastest, comcec_comparison
from scosim.network.routing import (
    FreightGraph,
    arc_weights,
    build_freight_graph,
    least_cost_routes,
    path_money_days,
    t_hat_from_costs,
)
from scosim.network.tables import load_network


def small_graph(n_nodes: int, edges: list[tuple[int, int, float, float]],
                symmetric: bool = True, n_econ: int | None = None) -> FreightGraph:
    """A graph of one layer per node plus a source and sink per node; node k is economy k.

    Each edge (a, b, w_ab, w_ba) gives arcs a->b and b->a (w_ba ignored when symmetric).
    """
    n_econ = n_nodes if n_econ is None else n_econ
    labels = []
    for k in range(n_nodes):
        labels += [f"N{k}|road", f"N{k}|src", f"N{k}|dst"]
    tail, head, edge, money = [], [], [], []
    for e, (a, b, w1, w2) in enumerate(edges):
        tail += [3 * a, 3 * b]
        head += [3 * b, 3 * a]
        edge += [e, e]
        money += [w1, w1 if symmetric else w2]
    for k in range(n_nodes):  # access arcs, zero cost
        tail += [3 * k + 1, 3 * k]
        head += [3 * k, 3 * k + 2]
        edge += [-1, -1]
        money += [0.0, 0.0]
    n_arcs = len(tail)
    return FreightGraph(
        vertex_labels=tuple(labels),
        tail=np.array(tail), head=np.array(head), edge=np.array(edge),
        kind=np.zeros(n_arcs, np.int64), money=np.array(money, float), days=np.zeros(n_arcs),
        edge_ids=tuple(f"E{k}" for k in range(len(edges))),
        edge_project=np.full(len(edges), -1),
        edge_economies=np.zeros((len(edges), n_econ), bool),
        edge_baseline_open=np.ones(len(edges), bool),
        economies=tuple(f"C{k}" for k in range(n_econ)),
        centre_src=3 * np.arange(n_econ) + 1, centre_dst=3 * np.arange(n_econ) + 2,
        centre_economy=np.arange(n_econ), centre_weight=np.ones(n_econ),
        endpoint_money=np.zeros((n_econ, n_econ)), endpoint_days=np.zeros((n_econ, n_econ)),
        value_per_teu=1.0, vot_per_day=0.0,
    )


@st.composite
def random_graphs(draw, symmetric: bool = True):
    n = draw(st.integers(3, 7))
    m = draw(st.integers(1, 14))
    edges = []
    for _ in range(m):
        a = draw(st.integers(0, n - 1))
        b = draw(st.integers(0, n - 1).filter(lambda x, a=a: x != a))
        w1 = draw(st.floats(0.01, 10.0))
        w2 = draw(st.floats(0.01, 10.0))
        edges.append((a, b, w1, w2))
    return n, edges


@settings(max_examples=60, deadline=None)
@given(random_graphs(symmetric=False), st.data())
def test_adding_an_edge_never_raises_and_removing_never_lowers_any_cost(spec, data):
    n, edges = spec
    g = small_graph(n, edges, symmetric=False)
    k = data.draw(st.integers(0, len(edges) - 1))
    with_k = np.ones(len(edges), bool)
    without_k = with_k.copy()
    without_k[k] = False
    c_with = least_cost_routes(g, arc_weights(g, edge_open=with_k)).cost[0]
    c_without = least_cost_routes(g, arc_weights(g, edge_open=without_k)).cost[0]
    # Adding edge k (without -> with) never raises a cost; removing it never lowers one.
    assert np.all(c_with <= c_without)


@settings(max_examples=60, deadline=None)
@given(random_graphs(symmetric=True))
def test_symmetric_networks_give_symmetric_costs(spec):
    n, edges = spec
    g = small_graph(n, edges, symmetric=True)
    c = least_cost_routes(g, arc_weights(g)).cost[0]
    finite = np.isfinite(c)
    assert np.array_equal(finite, finite.T)
    np.testing.assert_allclose(c[finite], c.T[finite], rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(random_graphs(symmetric=False))
def test_unchanged_network_gives_t_hat_exactly_one(spec):
    n, edges = spec
    g = small_graph(n, edges, symmetric=False)
    base = least_cost_routes(g, arc_weights(g)).cost[0]
    again = least_cost_routes(g, arc_weights(g, money_mult=np.ones((3, len(edges))))).cost
    t_hat = t_hat_from_costs(again, base, max_t_hat=5.0)
    assert np.all(t_hat == 1.0)


def test_least_cost_matches_hand_computed_shortest_path():
    # 0 -1- 1 -1- 2 and a direct 0-2 edge of 3: the two-hop route (2) wins.
    g = small_graph(3, [(0, 1, 1.0, 1.0), (1, 2, 1.0, 1.0), (0, 2, 3.0, 3.0)])
    c = least_cost_routes(g, arc_weights(g)).cost[0]
    assert c[0, 2] == pytest.approx(2.0)
    # Doubling the cost of edge 0-1 makes the direct edge (3) the best.
    mult = np.array([2.0, 1.0, 1.0])
    c2 = least_cost_routes(g, arc_weights(g, money_mult=mult)).cost[0]
    assert c2[0, 2] == pytest.approx(3.0)


@pytest.fixture(scope="module")
def graph():
    return build_freight_graph(load_network())


def test_packaged_baseline_has_finite_costs_and_t_hat_one(graph):
    routes = least_cost_routes(graph, arc_weights(graph))
    n = len(graph.economies)
    off = ~np.eye(n, dtype=bool)
    assert np.all(np.isfinite(routes.cost)) and np.all(routes.cost[0][off] > 0)
    again = least_cost_routes(graph, arc_weights(graph, np.ones((2, len(graph.edge_ids)))))
    assert np.all(t_hat_from_costs(again.cost, routes.cost[0]) == 1.0)


@settings(max_examples=8, deadline=None)
@given(st.lists(st.floats(1.0, 3.0), min_size=1, max_size=1), st.integers(0, 10**6))
def test_packaged_network_costlier_edges_never_lower_costs(scale, seed):
    g = build_freight_graph(load_network())
    rng = np.random.default_rng(seed)
    mult = 1.0 + (scale[0] - 1.0) * rng.random(len(g.edge_ids))
    base = least_cost_routes(g, arc_weights(g)).cost[0]
    higher = least_cost_routes(g, arc_weights(g, mult, mult)).cost[0]
    assert np.all(higher >= base - 1e-12)
    assert np.all(t_hat_from_costs(higher[None], base) >= 1.0)


def test_calibration_comcec_days_and_costs_within_eight_percent(graph):
    """A calibration check, not an out-of-sample test: tools/calibrate_network.py fits the
    eleven ``calibrated=yes`` parameters of params.csv to exactly these 8 COMCEC 2017 figures
    (docs/network.md). The fit reaches 7.5 % at worst (route 1's days); 8 % holds it there,
    so an edit of the tables or a fitted value that is not refitted shows up here."""
    table = comcec_comparison(graph)
    assert set(table.index) == set(PUBLISHED)
    for route, (days, usd) in PUBLISHED.items():
        assert abs(table.loc[route, "days"] / days - 1) <= 0.08, route
        assert abs(table.loc[route, "usd"] / usd - 1) <= 0.08, route


#: Median freight rates of five studies, US$ per TEU-km (Reed and Trubetskoy 2019, World Bank
#: PRWP 8815; ANCHORS.md). Not fitted: calibrate_network.py leaves them at their source.
REED_TRUBETSKOY = {("road", "low"): 0.85, ("road", "high"): 0.63, ("rail", "low"): 0.47,
                   ("rail", "high"): 0.23, ("sea", "main"): 0.04}


def test_unfitted_freight_rates_are_reed_and_trubetskoys(graph):
    """Every travel arc of a domestic edge without a gauge break costs its length times the
    published rate of its mode and quality: the rates the COMCEC fit does not touch, and
    which its four routes, on high-quality roads, would not notice if they changed."""
    tables = load_network()
    edges = tables.edges
    econ = tables.nodes["economy"]
    seen = set()
    for arc in np.flatnonzero(graph.kind == 0):  # travel arcs
        e = edges.iloc[graph.edge[arc]]
        key = (e["mode"], e["quality"])
        if key not in REED_TRUBETSKOY or e["gauge_break"]:
            continue
        if econ[e["from_node"]] != econ[e["to_node"]]:
            continue  # a crossing also pays a share of the border fees
        assert graph.money[arc] == pytest.approx(e["length_km"] * REED_TRUBETSKOY[key],
                                                 rel=1e-12), (graph.edge_ids[graph.edge[arc]])
        seen.add(key)
    assert seen == set(REED_TRUBETSKOY)


def test_trans_afghan_railway_transit_is_the_published_three_to_five_days(graph):
    """Out of sample: ANCHORS.md's 2025 reports say the Trans-Afghan railway brings
    Uzbekistan-Pakistan transit to 3-5 days. Nothing in the COMCEC fit sees this line; its
    days come from the fitted rail speed, gauge-break time and transit border share applied
    to the project's own lengths and Doing Business border hours. Termez to Peshawar by the
    railway (transit: without the once-per-shipment customs at origin and destination) must
    lie in the published range itself (4.9 days today); the range is the claim's precision,
    so no wider band is allowed."""
    path = ["UZB_TERMEZ|src", "UZB_TERMEZ|rail", "AFG_HAIRATAN|rail", "AFG_MAZAR|rail",
            "AFG_LOGAR|rail", "AFG_KHARLACHI|rail", "PAK_KHARLACHI|rail", "PAK_PESHAWAR|rail",
            "PAK_PESHAWAR|dst"]
    _, days = path_money_days(graph, path)
    assert 3.0 <= days <= 5.0


def test_comcec_ordering_suez_cheapest_instc_sea_rail_fastest(graph):
    table = comcec_comparison(graph)
    assert table["usd"].idxmin() == "suez"
    assert table["days"].idxmin() == "instc_sea_rail"
    # Over the whole network, not only the four routes: the cheapest path goes through Suez,
    # the fastest through Bandar Abbas by rail.
    cheap, fast = cheapest_and_fastest(graph)
    assert "EGY_SUEZ|sea" in cheap and "IRN_BANDARABBAS|sea" not in cheap
    assert "IRN_BANDARABBAS|rail" in fast


@settings(max_examples=40, deadline=None)
@given(random_graphs(symmetric=False))
def test_routing_matches_floyd_warshall(spec):
    # A second algorithm on the plain node graph (parallel edges collapsed to their minimum).
    from scipy.sparse.csgraph import floyd_warshall

    n, edges = spec
    g = small_graph(n, edges, symmetric=False)
    dense = np.full((n, n), np.inf)
    for a, b, w1, w2 in edges:
        dense[a, b] = min(dense[a, b], w1)
        dense[b, a] = min(dense[b, a], w2)
    expected = floyd_warshall(np.where(np.isfinite(dense), dense, 0.0), directed=True)
    got = least_cost_routes(g, arc_weights(g)).cost[0]
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_transit_fee_revenue_is_what_shippers_pay_edge_by_edge():
    # US$50 a TEU on the INSTC route, spread over its three edges (all in Iran) by km: the
    # revenue is each edge's carried TEU times its km share of the fee, about half of the fee on
    # the busiest edge's traffic, which the corridor's preview used to credit.
    from scosim.network.projects import edge_open_mask, insecurity_multiplier
    from scosim.network.step import CorridorNetwork

    net = CorridorNetwork()
    p = net.project_ids.index("INSTC_CHABAHAR")
    act = np.zeros((1, len(net.project_ids)), bool)
    act[0, p] = True
    fee = np.zeros(act.shape)
    fee[0, p] = 50.0
    step = net.step(active_projects=act, transit_fee=fee)
    g = net.graph
    per_edge = net._edge_fee(fee)
    mult = insecurity_multiplier(np.zeros((1, len(net.tables.economies))), g.edge_economies,
                                 net.params["insecurity_cost_factor"])
    _, _, loads = net._assign(g, mult, edge_open_mask(g, act, None), per_edge, act)
    carried = np.minimum(loads, net._capacity_mt[None])[0]
    teu = carried * 1e6 / net.params["tonnes_per_teu"]
    expected = float((teu * per_edge[0]).sum())
    irn = net.tables.economies.index("IRN")
    assert step.fee_revenue_usd[0, irn] == pytest.approx(expected, rel=1e-12)
    assert step.fee_revenue_usd.sum() == pytest.approx(expected, rel=1e-12)  # Iran's edges only
    busiest = step.project_flow_mt[0, p] * 1e6 / net.params["tonnes_per_teu"] * 50.0
    assert expected < 0.6 * busiest
    no_fee = net.step(active_projects=act, transit_fee=np.zeros(act.shape))
    assert not no_fee.fee_revenue_usd.any()


def test_cost_to_t_hat_functions_live_in_iceberg_and_stay_importable_from_routing():
    """The two are defined in scosim.network.iceberg; callers importing them from routing
    get the very same functions."""
    from scosim.network import iceberg, routing

    assert routing.economy_costs is iceberg.economy_costs
    assert routing.t_hat_from_costs is iceberg.t_hat_from_costs
