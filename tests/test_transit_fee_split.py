"""A route's transit fee goes to its hosts by their share of the route's km.

Before 2026-12-07 the fee was split evenly over a route's edges, so a host with 50 km of a
2,050 km route collected as much per edge as one with 2,000 km. The checks: on a
hand-built two-host route each host's take is the fee times its km share, and the takes
add up to the fee (an identity); on the shipped CKU railway a TEU over the whole route pays
each host its share of ``project_km_by_economy`` (the cost shares' km, computed apart).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scosim.network.fee_split import edge_fee_shares, edge_fee_weights
from scosim.network.projects import project_km_by_economy

ECON = ("AAA", "BBB", "CCC")


def _route() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    # Host A has 50 km, host B 2,000 km; the 2 km border edge touches both (1 km each, as
    # its blank territory_km shares it equally); edge 3 is an existing line (no project);
    # the 20 km edge 4 lies in A and C, all 20 km of it in C by its territory_km.
    edges = pd.DataFrame({
        "length_km": [50.0, 2.0, 2000.0, 700.0, 20.0],
        "territory_km": [{}, {}, {}, {}, {"CCC": 20.0}],
    })
    project = np.array([0, 0, 0, -1, 0])
    touch = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [1, 1, 0], [1, 0, 1]], bool)
    return edges, project, touch


def test_a_hosts_take_is_the_fee_times_its_share_of_the_routes_km() -> None:
    edges, project, touch = _route()
    weight = edge_fee_weights(edges, project, 1)
    share = edge_fee_shares(edges, touch, ECON)
    fee = 1500.0
    take = (fee * weight) @ share  # one TEU over the whole route
    route_km = 50 + 2 + 2000 + 20
    assert take == pytest.approx([fee * 51 / route_km, fee * 2001 / route_km,
                                  fee * 20 / route_km], rel=1e-12)
    assert take.sum() == pytest.approx(fee, rel=1e-12)  # the hosts share the whole fee
    assert weight[3] == 0.0  # an existing line charges no project fee
    assert take[1] / take[0] == pytest.approx(2001 / 51)  # not 1, as an even split gave


def test_a_route_of_zero_km_edges_splits_its_fee_evenly() -> None:
    edges = pd.DataFrame({"length_km": [0.0, 0.0], "territory_km": [{}, {}]})
    weight = edge_fee_weights(edges, np.array([0, 0]), 1)
    np.testing.assert_allclose(weight, [0.5, 0.5])


def test_the_ckus_hosts_collect_by_their_km_on_the_shipped_network() -> None:
    from scosim.network.step import CorridorNetwork

    net = CorridorNetwork()
    p = net.project_ids.index("CKU_RAIL")
    own = net.graph.edge_project == p
    flow = np.where(own, 1.0, 0.0)[None]  # 1 Mt on every CKU edge: whole-route traffic
    mask = np.zeros(len(net.project_ids), bool)
    mask[p] = True
    base = net.fee_base_teu(flow, mask)[0]
    teu = 1e6 / net.params["tonnes_per_teu"]
    km = project_km_by_economy(net.tables, "CKU_RAIL")
    np.testing.assert_allclose(base, teu * km / km.sum(), rtol=1e-12, atol=1e-9)
    assert base.sum() == pytest.approx(teu, rel=1e-12)
    # China's 213.5 km of 524 (the table's 213, half the 1 km crossing) are 41 % of the
    # fee, not the 30 % (one of five edges and half the crossing) of the even split.
    chn = net.tables.economies.index("CHN")
    assert km.sum() == pytest.approx(524.0)
    assert base[chn] / teu == pytest.approx(213.5 / 524.0, rel=1e-12)
