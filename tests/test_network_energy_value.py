"""What the energy corridors' deliveries are worth, and to whom (network.energy_value).

Until 2026-12-06 the gas and power TAPI and CASA-1000 deliver were reported and valued at
nothing: no economy's welfare or vote moved with them, and the energy projects read as pure
losses to their hosts. Each delivered unit is now worth the importer's saving (LNG, or the
power it would otherwise generate or import, less the price and the transit fees), the
exporter's rent (price less
cost) and the transit states' fees; the three sum to the deliveries' surplus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scosim.model.gdp_shares import expenditure_usd
from scosim.model.model import SCOModel
from scosim.network.corridor import DISCOUNT_RATE, Corridor
from scosim.network.energy import INITIAL_PHASE_YEARS, delivered_flows, energy_links
from scosim.network.energy_value import (
    MMBTU_PER_BCM,
    energy_prices,
    energy_value,
    fee_matrix,
    total_surplus_usd,
)
from scosim.network.mechanism import shared_network
from scosim.network.projects import default_host_shares
from scosim.network.tables import load_network
from scosim.network.transport_tariff import proposal_tariffs
from scosim.network.upkeep import carrier_om_share
from scosim.scenario import ScenarioError, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def net():
    t = load_network()
    links = energy_links(t)
    prices = energy_prices(t)
    return t, links, prices, fee_matrix(links, t, prices)


def _active(t, *pids: str, runs: int = 1) -> np.ndarray:
    return np.broadcast_to(np.array([p in pids for p in t.project_ids]),
                           (runs, len(t.project_ids))).copy()


def test_the_split_sums_to_the_deliveries_surplus(net) -> None:
    """Importers' saving + exporters' rent + transit fees = the surplus, computed without
    the prices paid, at random instability, phases and projects (seeded)."""
    t, links, prices, fees = net
    rng = np.random.default_rng(20261206)
    runs = 50
    act = rng.random((runs, len(t.project_ids))) < 0.7
    phase = rng.random((runs, len(t.project_ids))) < 0.5
    inst = rng.random((runs, len(t.economies))) * rng.random((runs, 1))
    flows = delivered_flows(links, act, inst, initial_phase=phase)
    v = energy_value(links, flows, prices, fees)
    split = v["importer"].sum(axis=1) + v["exporter"].sum(axis=1) + v["transit"].sum(axis=1)
    np.testing.assert_allclose(split, total_surplus_usd(links, flows, prices, fees),
                               rtol=1e-12)
    np.testing.assert_allclose(v["total"].sum(axis=1), split, rtol=1e-12)


def test_india_s_gas_is_worth_the_lng_it_replaces_less_the_production_cost(net) -> None:
    """India's 13.7 bcm all replace its 31 bcm of LNG: the three parties share
    ``13.7 bcm x (LNG price - supply cost)``, the transit fees passing from India to
    Afghanistan and Pakistan and the border price from India to Turkmenistan."""
    t, links, prices, fees = net
    k = links.link_ids.index("TAPI_TKM_IND")
    flows = np.zeros((1, len(links.link_ids)))
    flows[0, k] = 13.695
    v = energy_value(links, flows, prices, fees)
    mmbtu = 13.695 * MMBTU_PER_BCM
    c = {code: i for i, code in enumerate(t.economies)}
    cost = prices.gas_supply_cost
    assert v["total"].sum() == pytest.approx(mmbtu * (prices.lng - cost), rel=1e-12)
    assert v["exporter"][0, c["TKM"]] == pytest.approx(mmbtu * (prices.border - cost))
    assert v["transit"][0, c["AFG"]] == pytest.approx(mmbtu * 0.495)
    assert v["transit"][0, c["PAK"]] == pytest.approx(mmbtu * 0.495)
    assert v["importer"][0, c["IND"]] == pytest.approx(mmbtu * (prices.lng - 7.0 - 2 * 0.495))


def test_new_demand_met_at_a_loss_is_worth_nothing_to_its_buyer(net) -> None:
    """At LNG at its 2016 low (US$6.73, below TAPI's delivered price), Pakistan loses the
    whole margin on the gas that replaces its LNG (a take-or-pay contract) and nothing on
    the gas beyond it, demand it would not meet at that price; Afghanistan, all of whose
    gas is new demand, loses nothing. Until 2026-12-06 the rule of a half counted half the
    loss on new demand too. The split still sums to the surplus."""
    t, links, _, _ = net
    prices = energy_prices(t, 6.73)
    fees = fee_matrix(links, t, prices)
    flows = delivered_flows(links, _active(t, "TAPI"))
    v = energy_value(links, flows, prices, fees)
    pak, afg = t.economies.index("PAK"), t.economies.index("AFG")
    paid_pak = prices.border + prices.fees[("TAPI", "AFG")]
    assert 6.73 < paid_pak
    replaced = links.lng[pak] * MMBTU_PER_BCM  # Pakistan's TAPI gas exceeds its LNG
    assert v["importer"][0, pak] == pytest.approx(replaced * (6.73 - paid_pak), rel=1e-12)
    assert v["importer"][0, afg] == 0.0
    np.testing.assert_allclose(v["total"].sum(axis=1),
                               total_surplus_usd(links, flows, prices, fees), rtol=1e-12)


def test_nothing_delivered_is_worth_nothing(net) -> None:
    t, links, prices, fees = net
    flows = delivered_flows(links, _active(t, runs=2))
    v = energy_value(links, flows, prices, fees)
    for part in v.values():
        np.testing.assert_array_equal(part, 0.0)
    # A closed route delivers nothing, so is worth nothing either.
    closed = np.ones((1, len(t.edge_ids)), bool)
    closed[0, [t.edge_ids.index(e) for e in ("G001",)]] = False
    stopped = delivered_flows(links, _active(t, "TAPI"), edge_open=closed)
    np.testing.assert_array_equal(energy_value(links, stopped, prices, fees)["total"], 0.0)


def test_pakistan_s_transit_fee_from_india_is_the_published_estimate(net) -> None:
    """The Nation (Islamabad, 22 April 2012): Pakistan would get US$217 m a year of transit
    fees from India at 49.5 cents per MMBtu; scosim's India offtake (1.325 bcf/d) at the
    Energy Institute's conversion gives it within 7 %."""
    t, links, prices, fees = net
    flows = delivered_flows(links, _active(t, "TAPI"))
    pak = t.economies.index("PAK")
    got = energy_value(links, flows, prices, fees)["transit"][0, pak]
    assert got == pytest.approx(217e6, rel=0.07)


def _deterministic(**extra: Any) -> SCOModel:
    """corridor_energy, both projects in force in 2026 and operating from 2027, no shocks."""
    ov: dict[str, Any] = {
        "replications": 2, "parameters.council.ratification_lag": 0,
        "parameters.growth.mode": "fixed", "parameters.growth.rate": 0.0,
        "parameters.growth.volatility_scale": 0.0, "parameters.trade.sigma_spread": 0.0,
        "parameters.network.failure_base": 0.0, "parameters.network.failure_sensitivity": 0.0,
        "proposals.0.construction_years": 1, "proposals.1.construction_years": 1, **extra}
    return SCOModel(load_scenario(SCENARIOS / "corridor_energy.yaml", overrides=ov))


def _previews(m: SCOModel, last: int) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for arr in m.arrangements:
        if isinstance(arr, Corridor):
            def spy(*a: Any, _arr: Any = arr, _p: Any = arr.preview, **k: Any) -> Any:
                pv = _p(*a, **k)
                seen.setdefault(_arr.proposal.project, pv)
                return pv
            arr.preview = spy  # type: ignore[method-assign]
    while m.year <= last:
        m.step()
    return seen


def _tapi_tariffs(links: Any, t: Any) -> np.ndarray:
    """(1, L, N) TAPI's tariffs at _deterministic's terms: US$10 bn built in one year."""
    return proposal_tariffs(links, t, "TAPI", 10.0e9, 1, default_host_shares(t, "TAPI")[0],
                            carrier_om_share(t, "TAPI"))


def test_the_deliveries_move_welfare_by_their_value() -> None:
    """An energy corridor changes no trade cost, so each economy's welfare change in an
    operating year is what the deliveries are worth to it over its expenditure: Turkmenistan,
    India, Pakistan, Afghanistan, Tajikistan and Kyrgyzstan gain (until 2026-12-06 no
    economy's welfare moved)."""
    m = _deterministic()
    _previews(m, 2028)
    value = np.asarray(m.records["energy_value_usd"][-1], float)
    welfare = np.asarray(m.records["welfare_change_pct"][-1], float) / 100.0
    np.testing.assert_allclose(welfare * expenditure_usd(m, m.ge), value, rtol=1e-9,
                               atol=1.0)
    for code in ("TKM", "IND", "PAK", "AFG", "TJK", "KGZ"):
        assert (welfare[:, m.codes.index(code)] > 0).all(), code


def test_the_vote_counts_the_deliveries_worth(net) -> None:
    """India's vote on TAPI: an LNG price lower by US$5 a MMBtu takes ``q x 13.7 bcm x 5``
    a year off its benefit (all its TAPI gas replaces LNG); Turkmenistan's rent does not
    move with it, and its vote's energy value is its rent and its 85 % of the transport
    tariff (since 2026-12-06) over its expenditure. Its rent is the run's drawn border price
    less its supply cost on new gas, and less the netback it gives up in China on the gas
    TAPI diverts from lines A-C at full operation (since 2026-12-07; none in the first
    phase, which its spare supply covers beside what lines A-C could take)."""
    t, links, _, _ = net
    hi = _previews(_deterministic(), 2026)["TAPI"]
    lo = _previews(_deterministic(**{"parameters.network.lng_price_usd_mmbtu": 5.754}),
                   2026)["TAPI"]
    m = _deterministic()
    ind, tkm = m.codes.index("IND"), m.codes.index("TKM")
    q, e = hi.info["operating_share"], hi.info["expenditure_usd"]
    # Its first three operating years at a third of the contract (the ramp's weight).
    w = 1.0 - 1.04 ** -INITIAL_PHASE_YEARS
    ramp = w / 3.0 + 1.0 - w
    expected = q[:, ind] * ramp * 13.695 * MMBTU_PER_BCM * 5.0 / e[:, ind]
    np.testing.assert_allclose(hi.gain[:, ind] - lo.gain[:, ind], expected, rtol=1e-9)
    np.testing.assert_allclose(hi.gain[:, tkm], lo.gain[:, tkm], rtol=1e-12)
    # The tariff at the proposal's own terms: built in one year, not the table's five.
    tariff = _tapi_tariffs(links, t)[0, links.project == t.project_ids.index("TAPI")].sum(
        axis=1)[0]
    pr = shared_network(m).prices
    p, c = np.asarray(pr.border), np.asarray(pr.gas_supply_cost)
    n = np.asarray(pr.alt_netback)[:, tkm]
    spare, room = 32.985, 18.625  # params.csv: gas_spare_supply_bcm_TKM, ..._alt_capacity_
    full = 32.558
    diverted = room - min(spare - full, room)
    rent_full = diverted * (p - np.maximum(n, c)) + (full - diverted) * (p - c)
    rent = MMBTU_PER_BCM * (w * full / 3.0 * (p - c) + (1.0 - w) * rent_full
                            + ramp * full * 0.85 * tariff)
    np.testing.assert_allclose(hi.info["energy_value_share_of_expenditure"][:, tkm],
                               rent / e[:, tkm], rtol=1e-3)


def test_the_vote_values_tapi_s_first_phase_then_its_full_contract(net) -> None:
    """TAPI delivers 11 bcm of 33 in its first INITIAL_PHASE_YEARS operating years, as the
    run has it: the vote's energy value is the average of the first phase's yearly value
    and the full one, weighted by each year's discount factor at the corridor's welfare
    rate, summed here year by year (until 2026-12-06 the vote took the full value from the
    first operating year)."""
    t, links, _, fees = net
    m = _deterministic()
    preview = _previews(m, 2026)["TAPI"]
    vote = (preview.info["energy_value_share_of_expenditure"]
            * preview.info["expenditure_usd"])
    prices = shared_network(m).prices  # each run's drawn prices (since 2026-12-07)
    act = _active(t, "TAPI", runs=m.R)
    tariffs = _tapi_tariffs(links, t)  # the proposal's, built in one year
    full = energy_value(links, delivered_flows(links, act), prices, fees, tariffs)["total"]
    first = energy_value(links, delivered_flows(links, act, initial_phase=act), prices,
                         fees, tariffs)["total"]
    years = np.arange(2000)  # from the first operating year; 1.04^-2000 is nothing
    d = (1.0 + DISCOUNT_RATE) ** -(years + 1.0)
    each = np.where((years < INITIAL_PHASE_YEARS)[:, None, None], first[None], full[None])
    expected = (d[:, None, None] * each).sum(axis=0) / d.sum()
    for code in ("TKM", "IND", "PAK", "AFG"):
        i, j = m.codes.index(code), t.economies.index(code)
        assert (first[:, j] < vote[:, i]).all() and (vote[:, i] < full[:, j]).all(), code
        np.testing.assert_allclose(vote[:, i], expected[:, j], rtol=1e-9)


def test_the_lng_price_is_validated_and_left_out_of_the_hash_at_its_default() -> None:
    with pytest.raises(ScenarioError, match="lng_price_usd_mmbtu"):
        load_scenario(SCENARIOS / "corridor_energy.yaml",
                      overrides={"parameters.network.lng_price_usd_mmbtu": 0.0})
    s = load_scenario(SCENARIOS / "corridor_energy.yaml")
    assert "lng_price_usd_mmbtu" not in s.parameters.network.model_dump()
