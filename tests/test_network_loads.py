"""Corridor loads follow the model's trade, and a freight project's first phase its capacity.

Until 2026-12-06 every year's network step routed the base-year trade matrix: a corridor's
load (its congestion, rationing and fees) ignored growth and the trade it creates. Now a
year routes the trade the model last solved (``scosim.network.loads.network_trade``), and a
freight project in its first ``INITIAL_PHASE_YEARS`` carries at most ``capacity_initial /
capacity`` of its edges' capacity, as an energy project delivers that share.
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.network.energy import INITIAL_PHASE_YEARS
from scosim.network.projects import edge_flows, edge_open_mask, pair_edge_use
from scosim.network.routing import arc_weights, least_cost_routes
from scosim.network.step import CorridorNetwork
from scosim.network.tables import load_network
from scosim.scenario.loader import load_scenario


@pytest.fixture(scope="module")
def net():
    return CorridorNetwork()


def _mt(net: CorridorNetwork, value: np.ndarray) -> np.ndarray:
    """US$ on an edge to Mt a year (value and weight per TEU of params.csv)."""
    return value / net.params["value_per_teu_usd"] * net.params["tonnes_per_teu"] / 1e6


@pytest.fixture(scope="module")
def cku_years():
    """corridor_cku.yaml, 2 runs: each year's solved CIF trade and the network's edge loads."""
    scenario = load_scenario("scenarios/corridor_cku.yaml")
    model = SCOModel(scenario, runs=range(2))
    out = {}
    while model.running:
        year = model.year
        model.step()
        cif = model.ge.flows / (1.0 + model.tariffs_solved)
        out[year] = (np.array(cif), np.array(model.network_step.edge_flow_mt))
    return out


def test_a_year_loads_the_trade_solved_the_year_before(net, cku_years):
    """Load on each CKU edge = the routed sum of the previous year's solved trade."""
    tables = load_network()
    p = tables.project_ids.index("CKU_RAIL")
    cols = np.flatnonzero(net.graph.edge_project == p)
    act = np.zeros((1, len(tables.project_ids)), bool)
    act[0, p] = True
    # No instability or fee in the scenario, and the line far below its 15 Mt: its routes
    # are the uncongested least-cost ones, the same every year; traced pair by pair here.
    routes = least_cost_routes(net.graph, arc_weights(
        net.graph, edge_open=edge_open_mask(net.graph, act), active_projects=act))
    use = pair_edge_use(net.graph, routes)
    years = sorted(cku_years)
    operating = [y for y in years if cku_years[y][1][:, cols].max() > 0]
    assert operating and operating[0] > years[0]
    for y in operating:
        cif_before = cku_years[y - 1][0]
        expected = _mt(net, edge_flows(net.graph, use * 2, cif_before))[:, cols]
        assert cku_years[y][1][:, cols] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # Trade grows along the GDP path (moving baseline) from the base year to the line's
    # first year: its load is that of the grown trade, not the base year's, and it moves
    # from year to year with the routed flows (until 2026-12-06 the same every year).
    base = net.step(active_projects=["CKU_RAIL"], congestion=False).edge_flow_mt[0, cols]
    first, last = cku_years[operating[0]][1][:, cols], cku_years[operating[-1]][1][:, cols]
    assert np.all(first.max(axis=1) > 1.1 * base.max())
    assert np.all(np.abs(last.max(axis=1) / first.max(axis=1) - 1.0) > 1e-3)


def test_load_is_linear_in_the_trade_routed(net):
    """Routed trade x 4 gives loads x 4 (uncapacitated); no trade given: the baseline's."""
    act = ["CKU_RAIL"]
    base = net.step(active_projects=act, congestion=False)
    same = net.step(active_projects=act, congestion=False, trade=net.trade)
    more = net.step(active_projects=act, congestion=False, trade=4.0 * net.trade)
    np.testing.assert_array_equal(same.edge_flow_mt, base.edge_flow_mt)
    np.testing.assert_array_equal(more.edge_flow_mt, 4.0 * base.edge_flow_mt)
    np.testing.assert_array_equal(more.indicators["transit_trade_usd"],
                                  4.0 * base.indicators["transit_trade_usd"])


def test_first_phase_carries_capacity_initial(net):
    """Trans-Afghan railway: 3 Mt a year in its first phase, 15 after (ANCHORS.md)."""
    tables = load_network()
    row = tables.projects.loc["TRANS_AFGHAN_RAIL"]
    p = tables.project_ids.index("TRANS_AFGHAN_RAIL")
    act = np.zeros((2, len(tables.project_ids)), bool)
    act[:, p] = True
    phase = np.zeros_like(act)
    phase[0, p] = True  # run 0 in its first phase, run 1 at full capacity
    free = net.step(active_projects=act, congestion=False, trade=4.0 * net.trade)
    demand = free.project_flow_mt[:, p]
    # Four times the base-year trade asks more of the line than its first phase and less
    # than its full capacity.
    assert row["capacity_initial"] < demand[0] < row["capacity"]
    capped = net.step(active_projects=act, initial_phase=phase, trade=4.0 * net.trade)
    assert capped.project_flow_mt[0, p] == pytest.approx(row["capacity_initial"], rel=1e-12)
    assert capped.project_flow_mt[1, p] == pytest.approx(demand[1], rel=1e-12)
    # Rationed in its first phase, the line lowers Pakistan-Uzbekistan costs less.
    i, j = tables.economies.index("PAK"), tables.economies.index("UZB")
    assert capped.t_hat[0, i, j] > capped.t_hat[1, i, j]


def test_mechanism_keys_a_freight_ramp_by_its_phase():
    """The cached step tells a freight project's first phase from its later years."""
    from scosim.network.loads import freight_ramped

    tables = load_network()
    ramped = dict(zip(tables.project_ids, freight_ramped(tables), strict=True))
    assert ramped["TRANS_AFGHAN_RAIL"]
    # Chabahar's 2.5 Mt is its capacity before the project, whose equipment lifts it to 7;
    # the CKU has no first phase; TAPI is energy, with a rule of its own.
    assert not ramped["INSTC_CHABAHAR"] and not ramped["CKU_RAIL"] and not ramped["TAPI"]
    assert INITIAL_PHASE_YEARS == 3


def test_base_year_loads_route_the_base_year_trade_in_every_year(net):
    """``parameters.network.loads: base_year`` keeps the rule of before 2026-12-06."""
    scenario = load_scenario("scenarios/corridor_cku.yaml",
                             {"parameters.network.loads": "base_year", "years.end": 2034})
    model = SCOModel(scenario, runs=range(2))
    model.run_model()
    p = net.project_ids.index("CKU_RAIL")
    cols = np.flatnonzero(net.graph.edge_project == p)
    base = net.step(active_projects=["CKU_RAIL"]).edge_flow_mt[0, cols]
    np.testing.assert_array_equal(model.network_step.edge_flow_mt[:, cols],
                                  np.broadcast_to(base, (2, cols.size)))


def test_an_unknown_loads_choice_names_the_field_and_the_choices():
    from scosim.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=r"parameters\.network\.loads: 'frozen' is not one "
                                            r"of solved, base_year"):
        load_scenario("scenarios/corridor_cku.yaml", {"parameters.network.loads": "frozen"})


def test_a_freight_initial_capacity_above_the_capacity_is_refused():
    import dataclasses

    from scosim.network.tables import NetworkDataError

    tables = load_network()
    projects = tables.projects.copy()
    projects.loc["TRANS_AFGHAN_RAIL", "capacity_initial"] = 20.0
    with pytest.raises(NetworkDataError,
                       match="capacity_initial.*TRANS_AFGHAN_RAIL: 20 above its capacity 15"):
        CorridorNetwork(tables=dataclasses.replace(tables, projects=projects))
