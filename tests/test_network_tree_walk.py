"""The memo of tree walks and the packed route memo: less work, the same bits.

A batch walks the same shortest-path trees over and over (network.tree_walk), so the walk's
trade-free part is kept per route set, and the uncongested route memo keeps its trees in
small integers (network.step). Byte-compared outputs must not depend on either, so these
tests compare bit for bit with a fresh walk, and check that the memo is really used.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import scosim.network.tree_walk as tree_walk_module
from scosim.network.iceberg import economy_costs
from scosim.network.routing import Routes, arc_weights, least_cost_routes
from scosim.network.step import CorridorNetwork, _packed, _unpacked
from scosim.network.tables import load_network
from scosim.network.tree_walk import WalkMemo, path_min, tree_loads


@pytest.fixture(scope="module")
def net():
    return CorridorNetwork(tables=load_network())


@pytest.fixture(scope="module")
def routes(net):
    g = net.graph
    w = arc_weights(g)
    other = w.copy()
    other[0, g.edge >= 0] *= 1.5  # dearer travel arcs: other trees
    return least_cost_routes(g, np.concatenate([w, other, w]))


def _trades(base: np.ndarray, runs: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return base[None] * rng.lognormal(0.0, 0.3, size=(runs, *base.shape))


def test_a_memoised_walk_gives_a_fresh_walks_bits_and_is_not_walked_again(net, routes,
                                                                           monkeypatch):
    g = net.graph
    memo = WalkMemo()
    walked = []
    real = tree_walk_module.tree_walk
    monkeypatch.setattr(tree_walk_module, "tree_walk",
                        lambda *a: walked.append(1) or real(*a))
    for seed in (1, 2):  # the second call finds both route sets in the memo
        trade = _trades(net.trade, 3, seed)
        fresh = tree_loads(g, routes, trade, memo=None)
        kept = tree_loads(g, routes, trade, memo=memo)
        for a, b in zip(fresh, kept, strict=True):
            np.testing.assert_array_equal(a, b)
    # two distinct route sets among the three runs: walked once each with the memo, and
    # once per call without it
    assert len(walked) == 2 * 2 + 2
    ratio = np.where(np.arange(len(g.edge_ids)) % 3 == 0, 0.5, 1.0)
    np.testing.assert_array_equal(path_min(g, routes, ratio),
                                  path_min(g, routes, ratio, memo=memo))
    assert len(walked) == 2 * 2 + 2 + 2  # path_min without the memo walked; with it, not


def test_the_walk_memo_tells_graphs_with_other_trees_apart(net, routes):
    """A lifted transit restriction changes the trees: its graph's walk is its own."""
    lifted = net.tables.transit_restrictions.index[:1]
    open_graph = net.graph_for(list(lifted))
    assert not np.array_equal(open_graph.trees()[2], net.graph.trees()[2])
    open_routes = least_cost_routes(open_graph, arc_weights(open_graph))
    memo = WalkMemo()
    trade = net.trade
    tree_loads(net.graph, routes, trade, memo=memo)
    np.testing.assert_array_equal(tree_loads(open_graph, open_routes, trade, memo=memo)[1],
                                  tree_loads(open_graph, open_routes, trade)[1])


def test_packed_routes_are_half_the_size_and_unpack_to_the_same_values(routes):
    one = Routes(**{f.name: getattr(routes, f.name)[1:2].copy()
                    for f in dataclasses.fields(Routes)})
    packed = _packed(one)
    assert packed.predecessors.nbytes * 2 == one.predecessors.nbytes
    assert packed.route_arc.nbytes * 2 == one.route_arc.nbytes
    back = _unpacked(packed)
    assert back.predecessors.dtype == np.int32 and back.route_arc.dtype == np.int32
    np.testing.assert_array_equal(back.predecessors, one.predecessors)
    np.testing.assert_array_equal(back.route_arc, one.route_arc)
    assert (one.predecessors == -9999).any()  # the unreached marker survives packing


def test_economy_costs_sum_centre_pairs_in_the_loops_order(net):
    """The vectorised sum is the pair loop it replaced, bit for bit (inf where no route)."""
    g = net.graph
    rng = np.random.default_rng(3)
    n_c = len(g.centre_src)
    cc = rng.uniform(0.05, 2.0, size=(4, n_c, n_c)) * 10.0 ** rng.integers(-3, 3, (4, 1, 1))
    cc[1, 0, 5] = np.inf
    n = len(g.economies)
    ref = np.zeros((4, n, n))
    ce, cw = g.centre_economy, g.centre_weight
    for a in range(n_c):
        for b in range(n_c):
            if ce[a] != ce[b]:
                ref[:, ce[a], ce[b]] += cw[a] * cw[b] * cc[:, a, b]
    ref += g.generalized(g.endpoint_money, g.endpoint_days)[None]
    ref[:, np.arange(n), np.arange(n)] = 0.0
    got = economy_costs(g, cc)
    assert np.array_equal(got, ref) and got.tobytes() == ref.tobytes()
    assert np.isinf(got[1]).any() and np.isfinite(got[0]).all()
