"""Corridor loads of many runs at once: the same numbers as each run alone, routed once.

Each run routes its own trade (``scosim.network.loads``), so runs no longer share network
steps. The trade-free work is shared instead: the uncongested routes are memoised by their
arc weights, and runs with the same routes load their trees together. Byte-compared outputs
must not depend on which runs share a batch, so these tests compare bit for bit.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import scosim.network.step as step_module
from scosim.network.projects import tree_loads
from scosim.network.routing import Routes, arc_weights, least_cost_routes
from scosim.network.step import CorridorNetwork, NetworkStep
from scosim.network.tables import load_network

PROJECT = "INSTC_CHABAHAR"


@pytest.fixture(scope="module")
def tables():
    return load_network()


def _trades(base: np.ndarray, scales: list[float], seed: int = 7) -> np.ndarray:
    """(R, N, N): the base trade times a scale per run and a seeded lognormal noise."""
    rng = np.random.default_rng(seed)
    noise = rng.lognormal(0.0, 0.2, size=(len(scales), *base.shape))
    return base[None] * np.asarray(scales)[:, None, None] * noise


def _fields(step: NetworkStep) -> dict[str, np.ndarray]:
    out = {f.name: getattr(step, f.name) for f in dataclasses.fields(step)
           if f.name != "indicators"}
    out.update({f"indicators.{k}": v for k, v in step.indicators.items()})
    return out


def test_a_batched_step_is_each_run_alone_bit_for_bit(tables):
    """Six runs in one step (two instability levels, trades from 0.02 to 40 times the base)."""
    batch_net = CorridorNetwork(tables=tables)
    alone_net = CorridorNetwork(tables=tables)
    p = tables.project_ids.index(PROJECT)
    runs = 6
    act = np.zeros((runs, len(tables.project_ids)), bool)
    act[:, p] = True
    inst = np.zeros((runs, len(tables.economies)))
    inst[3:, tables.economies.index("IRN")] = 0.4  # runs 3-5 route differently
    trade = _trades(batch_net.trade, [0.02, 1.0, 40.0, 0.02, 1.0, 40.0])
    batch = batch_net.step(instability=inst, active_projects=act, trade=trade)
    cols = np.flatnonzero(batch_net.graph.edge_project == p)
    cap = batch_net.tables.edges["capacity"].to_numpy(float)[cols]
    # The test covers the rationed branch (a run with an edge at its capacity) and the
    # unrationed one (a run with every edge below it).
    full = np.isclose(batch.edge_flow_mt[:, cols], cap[None]).any(axis=1)
    assert full.any() and not full.all()
    for r in range(runs):
        alone = alone_net.step(instability=inst[r:r + 1], active_projects=act[r:r + 1],
                               trade=trade[r:r + 1])
        for name, value in _fields(alone).items():
            np.testing.assert_array_equal(_fields(batch)[name][r:r + 1], value,
                                          err_msg=f"run {r}, {name}")


def test_runs_that_differ_only_in_trade_route_the_uncongested_network_once(
        tables, monkeypatch):
    """Five runs, five trades, no congestion: one route search, and none the next year."""
    net = CorridorNetwork(tables=tables)
    routed: list[int] = []

    def spy(graph, weights):
        routed.append(np.atleast_2d(weights).shape[0])
        return least_cost_routes(graph, weights)

    monkeypatch.setattr(step_module, "least_cost_routes", spy)
    act = np.zeros((5, len(tables.project_ids)), bool)
    act[:, tables.project_ids.index(PROJECT)] = True
    first = net.step(active_projects=act, congestion=False,
                     trade=_trades(net.trade, [1, 2, 3, 4, 5]))
    assert routed == [1]
    net.step(active_projects=act, congestion=False, trade=_trades(net.trade, [6] * 5, seed=8))
    assert routed == [1]
    # The same routes, different loads.
    assert len({first.edge_flow_mt[r].tobytes() for r in range(5)}) == 5


def test_tree_loads_of_runs_sharing_routes_equal_each_run_alone(tables):
    """Runs 0 and 2 share routes, run 1 has its own; each run's loads as if alone."""
    net = CorridorNetwork(tables=tables)
    g = net.graph
    w = arc_weights(g)
    other = w.copy()
    other[0, g.edge >= 0] *= 1.5  # dearer travel arcs: other trees
    routes = least_cost_routes(g, np.concatenate([w, other, w]))
    assert not np.array_equal(routes.route_arc[0], routes.route_arc[1])
    trade = _trades(net.trade, [1.0, 2.0, 3.0])
    value, transit = tree_loads(g, routes, trade)
    for r in range(3):
        one = Routes(**{f.name: getattr(routes, f.name)[r:r + 1]
                        for f in dataclasses.fields(Routes)})
        v1, t1 = tree_loads(g, one, trade[r])
        np.testing.assert_array_equal(value[r:r + 1], v1)
        np.testing.assert_array_equal(transit[r:r + 1], t1)
    assert not np.array_equal(value[0], value[2])  # same routes, other trade
    # Transit values alone (the congested pass wants no loads): the same, loads left zero.
    none, transit_only = tree_loads(g, routes, trade, edges=False)
    np.testing.assert_array_equal(transit_only, transit)
    assert not none.any() and value.any()
