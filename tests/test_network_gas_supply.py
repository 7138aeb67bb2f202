"""The gas exporter's side of a project's sales: spare supply and next-best market.

Until 2026-12-07 the exporter of a gas project earned ``border price - supply cost`` on
every unit (network.energy_value): the gas had no other buyer and the fields no limit, so
Turkmenistan sold 62.6 bcm a year more with TAPI and line D (against 76 produced) and gained
17 % of its real income from TAPI, 30 % with line D (referee report on the corridors,
defect 1). Its sales on projects are now capped by its spare supply, and the gas a project
diverts from its existing route to China earns only the price less the netback given up
there (network.gas_supply).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.network.energy import delivered_flows, energy_links
from scosim.network.energy_value import (
    MMBTU_PER_BCM,
    drawn_prices,
    energy_prices,
    energy_value,
    fee_matrix,
    total_surplus_usd,
)
from scosim.network.gas_supply import RANGE_PARAMS, netback
from scosim.network.mechanism import shared_network
from scosim.network.tables import NetworkDataError, load_network
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def tables():
    return load_network()


def _with(tables, **rows: float):
    """The tables with ``params.csv`` rows replaced or added."""
    return dataclasses.replace(tables, params={**tables.params, **rows})


def _active(tables, *pids: str, runs: int = 1) -> np.ndarray:
    return np.broadcast_to(np.array([p in pids for p in tables.project_ids]),
                           (runs, len(tables.project_ids))).copy()


def _tkm_sales(tables, links, flows: np.ndarray) -> np.ndarray:
    """(R,) Turkmen gas sold on project links."""
    mine = (links.exporter == tables.economies.index("TKM")) & (links.project >= 0)
    return flows[:, mine].sum(axis=1)


def test_tapi_and_line_d_together_never_sell_more_than_the_spare_supply(tables) -> None:
    """At random instability and phases (seeded), Turkmenistan's sales on TAPI and line D
    stay within gas_spare_supply_bcm_TKM; where the cap binds both projects deliver the
    same share of what they would have delivered without it (the cap shared pro rata), and
    where it does not nothing changes."""
    links = energy_links(tables)
    free = dataclasses.replace(links, spare_supply=None)
    cap = tables.params["gas_spare_supply_bcm_TKM"]
    rng = np.random.default_rng(20261207)
    runs = 200
    act = np.broadcast_to(_active(tables, "TAPI", "CAGP_LINE_D"), (runs, len(tables.project_ids)))
    phase = rng.random(act.shape) < 0.5
    inst = rng.random((runs, len(tables.economies))) * rng.random((runs, 1))
    capped = delivered_flows(links, act, inst, initial_phase=phase)
    uncapped = delivered_flows(free, act, inst, initial_phase=phase)
    sold, wanted = _tkm_sales(tables, links, capped), _tkm_sales(tables, links, uncapped)
    assert (sold <= cap * (1.0 + 1e-12)).all()
    binds = wanted > cap
    assert binds.any() and (~binds).any()  # both cases drawn
    np.testing.assert_allclose(sold[binds], cap, rtol=1e-12)
    np.testing.assert_array_equal(capped[~binds], uncapped[~binds])
    tapi = links.project == tables.project_ids.index("TAPI")
    line_d = links.project == tables.project_ids.index("CAGP_LINE_D")
    share_tapi = capped[binds][:, tapi].sum(axis=1) / uncapped[binds][:, tapi].sum(axis=1)
    share_d = capped[binds][:, line_d].sum(axis=1) / uncapped[binds][:, line_d].sum(axis=1)
    np.testing.assert_allclose(share_tapi, share_d, rtol=1e-12)
    np.testing.assert_allclose(share_tapi, cap / wanted[binds], rtol=1e-12)
    # Other exporters' links are untouched.
    other = links.exporter != tables.economies.index("TKM")
    np.testing.assert_array_equal(capped[:, other], uncapped[:, other])


def test_the_exporter_earns_nothing_where_the_project_pays_its_netback(tables) -> None:
    """With a spare supply no larger than lines A-C's spare capacity, all TAPI's gas is
    diverted from China: at a border price equal to the netback there, Turkmenistan's rent
    is zero, and at a border price US$1 above it, US$1 a MMBtu of what TAPI sells (until
    2026-12-07 it earned the price less its supply cost, US$6 a MMBtu)."""
    t = _with(tables, gas_spare_supply_bcm_TKM=10.0)
    links = energy_links(t)
    prices = energy_prices(t)
    back = float(netback(t)[t.economies.index("TKM")])
    fees = fee_matrix(links, t, prices)
    flows = delivered_flows(links, _active(t, "TAPI"))
    tkm = t.economies.index("TKM")
    assert _tkm_sales(t, links, flows)[0] == pytest.approx(10.0, rel=1e-12)
    at = energy_value(links, flows, dataclasses.replace(prices, border=back), fees)
    assert at["exporter"][0, tkm] == pytest.approx(0.0, abs=1e-3)
    above = energy_value(links, flows, dataclasses.replace(prices, border=back + 1.0), fees)
    assert above["exporter"][0, tkm] == pytest.approx(10.0 * MMBTU_PER_BCM, rel=1e-9)


def test_gas_beyond_what_the_existing_route_could_take_is_new_volume(tables) -> None:
    """Only the gas lines A-C could have carried to China is diverted: with the spare
    supply large enough for both, TAPI diverts nothing and earns the price less the supply
    cost on every unit; with the route's spare capacity at 0 the same. With the shipped
    rows it diverts 18.2 bcm, whose netback in China (US$7.31) is above TAPI's price: it
    earns less (until 2026-12-07 the same as new volume)."""
    prices = energy_prices(tables)
    tkm = tables.economies.index("TKM")
    links = energy_links(tables)
    flows = delivered_flows(links, _active(tables, "TAPI"))
    shipped = energy_value(links, flows, prices, fee_matrix(links, tables, prices))
    new = _tkm_sales(tables, links, flows)[0] * MMBTU_PER_BCM * (
        prices.border - prices.gas_supply_cost)
    assert shipped["exporter"][0, tkm] < 0.5 * new
    for rows in ({"gas_spare_supply_bcm_TKM": 100.0}, {"gas_alt_capacity_bcm_TKM": 0.0}):
        t = _with(tables, **rows)
        links = energy_links(t)
        flows = delivered_flows(links, _active(t, "TAPI"))
        v = energy_value(links, flows, prices, fee_matrix(links, t, prices))
        sold = _tkm_sales(t, links, flows)[0]
        expected = sold * MMBTU_PER_BCM * (prices.border - prices.gas_supply_cost)
        assert v["exporter"][0, tkm] == pytest.approx(expected, rel=1e-12), rows


def test_the_shares_sum_to_the_surplus_net_of_the_netback_given_up(tables) -> None:
    """Importers + exporters + transit + owners = the surplus, with TAPI and line D both
    operating and each run's drawn prices; and the surplus is the one of 2026-12-06 (every
    unit at its supply cost) less, on the gas diverted from lines A-C, the netback given
    up above the supply cost: ``min(spare, room) - min(max(spare - sales, 0), room)`` bcm."""
    links = energy_links(tables)
    rng = np.random.default_rng(7)
    runs = 40
    prices = drawn_prices(energy_prices(tables), tables, rng.random((runs, 3)))
    fees = fee_matrix(links, tables, prices)
    act = np.broadcast_to(_active(tables, "TAPI", "CAGP_LINE_D", "CASA1000"),
                          (runs, len(tables.project_ids)))
    inst = rng.random((runs, len(tables.economies))) * 0.6
    flows = delivered_flows(links, act, inst)
    v = energy_value(links, flows, prices, fees)
    surplus = total_surplus_usd(links, flows, prices, fees)
    np.testing.assert_allclose(v["total"].sum(axis=1), surplus, rtol=1e-9)
    parts = sum(v[k] for k in ("importer", "exporter", "transit", "owners"))
    np.testing.assert_allclose(parts, v["total"], rtol=1e-12)
    # The surplus counted at the supply cost alone, the old rule, less the netback given up.
    free = dataclasses.replace(links, alt_capacity=None)
    old = total_surplus_usd(free, flows, prices, fees)
    spare = tables.params["gas_spare_supply_bcm_TKM"]
    room = tables.params["gas_alt_capacity_bcm_TKM"]
    sold = _tkm_sales(tables, links, flows)
    diverted = min(spare, room) - np.minimum(np.maximum(spare - sold, 0.0), room)
    back = np.asarray(prices.alt_netback)[:, tables.economies.index("TKM")]
    given_up = diverted * MMBTU_PER_BCM * np.maximum(back - prices.gas_supply_cost, 0.0)
    np.testing.assert_allclose(surplus, old - given_up, rtol=1e-9)
    assert (given_up > 0).any()


def test_the_route_s_spare_capacity_is_lines_a_c_less_their_2023_flows(tables) -> None:
    """gas_alt_capacity_bcm_TKM is the capacity of lines A-C (edges.csv) less the existing
    links' 2023 flows on them (energy_links.csv, the Energy Institute's matrix)."""
    edges = tables.edges
    route = ["P001", "P002", "P003", "P004"]
    capacity = min(float(edges.loc[e, "capacity"]) for e in route)
    links = tables.energy_links
    on = links[(links["status"] == "existing")
               & links["edges"].map(lambda es: "P004" in es)]
    assert tables.params["gas_alt_capacity_bcm_TKM"] == pytest.approx(
        capacity - on["flow"].astype(float).sum(), abs=1e-3)


def test_the_transport_to_china_is_lines_a_c_levelised(tables) -> None:
    """gas_alt_transport_usd_mmbtu_TKM: US$17 bn at 7 % over 50 years plus the pipeline O&M
    share, over 55 bcm a year (params.csv's note)."""
    r, life = 0.07, tables.params["life_pipeline_years"]
    crf = r / (1.0 - (1.0 + r) ** -life)
    per_mmbtu = 17e9 * (crf + tables.params["om_share_pipeline"]) / (55.0 * MMBTU_PER_BCM)
    assert tables.params["gas_alt_transport_usd_mmbtu_TKM"] == pytest.approx(per_mmbtu,
                                                                             abs=0.005)


def _model(**extra) -> SCOModel:
    ov = {"replications": 400, "parameters.growth.volatility_scale": 0.0, **extra}
    return SCOModel(load_scenario(SCENARIOS / "corridor_energy.yaml", overrides=ov))


def test_each_run_draws_the_prices_from_their_ranges() -> None:
    """The border price, the supply cost and China's border price are uniform over their
    params.csv ranges across runs (mean within 4 standard errors of the middle), run r's
    draw is the same in a batch of runs as alone, and the draws move no other stream."""
    m = _model()
    prices, t = shared_network(m).prices, shared_network(m).net.tables
    tkm = t.economies.index("TKM")
    drawn = {"border": np.asarray(prices.border), "supply": np.asarray(prices.gas_supply_cost),
             "alt": np.asarray(prices.alt_netback)[:, tkm]
             + t.params["gas_alt_transport_usd_mmbtu_TKM"]}
    ranges = {k: (t.params[lo], t.params[hi]) for k, (lo, hi) in RANGE_PARAMS.items()}
    ranges["alt"] = (t.params["gas_alt_price_low_usd_mmbtu_TKM"],
                     t.params["gas_alt_price_high_usd_mmbtu_TKM"])
    for key, (lo, hi) in ranges.items():
        x = drawn[key]
        assert x.shape == (m.R,)
        assert (x >= lo).all() and (x < hi).all(), key
        se = (hi - lo) / np.sqrt(12.0 * m.R)
        assert abs(x.mean() - (lo + hi) / 2.0) < 4.0 * se, key
        assert np.std(x) > 0.2 * (hi - lo), key
    # Independent draws: no strong correlation between them.
    assert abs(np.corrcoef(drawn["border"], drawn["alt"])[0, 1]) < 0.2
    one = shared_network(_model(replications=1)).prices
    assert float(np.asarray(one.border)[0]) == drawn["border"][0]
    assert float(np.asarray(one.gas_supply_cost)[0]) == drawn["supply"][0]


def test_a_range_with_its_low_above_its_high_is_refused(tables) -> None:
    lo, hi = RANGE_PARAMS["border"]
    t = _with(tables, **{lo: 9.0, hi: 8.0})
    with pytest.raises(NetworkDataError, match=lo):
        drawn_prices(energy_prices(t), t, np.zeros((1, 3)))
