"""tools/route_risk_shares.py: the route-cost shares docs/security.md section 11 quotes.

The means leave out each economy's own pair and the pairs without a route, whose shares
are 0 by construction (:func:`scosim.security.route_pricing.route_risk_pricing`) and would
pull a landlocked or isolated economy's mean towards 0.
"""

from __future__ import annotations

import numpy as np

from _tools import load_tool
from scosim.security.route_pricing import RouteRiskPricing


def test_means_leave_out_own_pairs_and_pairs_without_a_route() -> None:
    tool = load_tool("route_risk_shares")
    inf = np.inf
    cost = np.array([[0.0, 0.2, inf],
                     [0.3, 0.0, 0.1],
                     [inf, 0.4, 0.0]])
    exp = np.array([[0.9, 0.5, 0.0],
                    [0.2, 0.9, 0.4],
                    [0.0, 0.6, 0.9]])
    imp = np.array([[0.9, 0.1, 0.0],
                    [0.3, 0.9, 0.7],
                    [0.0, 0.8, 0.9]])
    pricing = RouteRiskPricing(cost, exp, imp, np.zeros((3, 3)), 1.0)
    as_exp, as_imp, overall = tool.end_shares(pricing)
    # Economy 0 exports only to 1 (no route to 2), economy 2 only to 1.
    np.testing.assert_allclose(as_exp, [0.5, (0.2 + 0.4) / 2, 0.6])
    np.testing.assert_allclose(as_imp, [0.3, (0.1 + 0.8) / 2, 0.7])
    pairs = [(0, 1), (1, 0), (1, 2), (2, 1)]
    want = (np.mean([exp[p] for p in pairs]) + np.mean([imp[p] for p in pairs])) / 2
    assert overall == want


def test_an_economy_without_any_route_has_no_mean() -> None:
    tool = load_tool("route_risk_shares")
    cost = np.array([[0.0, np.inf], [np.inf, 0.0]])
    z = np.zeros((2, 2))
    as_exp, as_imp, overall = tool.end_shares(RouteRiskPricing(cost, z, z, z, 1.0))
    assert np.isnan(as_exp).all() and np.isnan(as_imp).all() and np.isnan(overall)
