"""What a CASA-1000 buyer's power would cost it otherwise (network.energy_value).

Until 2026-12-06 both buyers' alternative was the LNG fuel of a combined-cycle plant alone:
Pakistan's saving left out the plant's capital and fixed O&M, so it lost on the line, and
Afghanistan, which imports no LNG, was valued as if it could burn it. Since then Pakistan's
alternative is the plant's levelised cost (fuel, capital recovery over NEPRA's 30-year term
at the members' 7 % cost of funds, fixed O&M, over the line's full-load hours) and
Afghanistan's is the tariff at which it imports power from Tajikistan.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scosim.network.energy import delivered_flows, energy_links
from scosim.network.energy_value import (
    energy_prices,
    energy_value,
    fee_matrix,
    power_alternatives,
    total_surplus_usd,
)
from scosim.network.tables import NetworkDataError, load_network
from scosim.network.transport_tariff import tariff_matrix

#: Published inputs, restated here so that the test does not read them back from the code:
#: Haveli Bahadur Shah's reference cost and capacity (NEPRA, The Nation, 21 February 2020),
#: the Danish Energy Agency's combined-cycle fixed O&M, NEPRA's 30-year tariff term,
#: CASA-1000's 5.5 TWh over 1,300 MW (docs/anchors.md) and Tajikistan's 2022 price to
#: Afghanistan (Trend, 15 February 2022).
HBS_COST_USD, HBS_KW = 857.986e6, 1230.54e3
FOM, LIFE, RATE = 0.033392, 30, 0.07
CASA_TWH, CASA_MW = 5.5, 1300.0
TJK_AFG_USD_KWH = 0.0467


@pytest.fixture(scope="module")
def casa():
    t = load_network()
    links = energy_links(t)
    prices = energy_prices(t)
    active = np.array([[p == "CASA1000" for p in t.project_ids]])
    return t, links, prices, delivered_flows(links, active)


def _annuity(capital: float) -> float:
    """The level yearly payment whose present value over LIFE years at RATE is capital."""
    return capital / sum((1.0 + RATE) ** -k for k in range(1, LIFE + 1))


def _pakistan_levelised(prices) -> float:
    """Fuel + (capital annuity + fixed O&M) a kW over CASA-1000's full-load hours, US$/kWh,
    from the published inputs by a present-value sum."""
    per_kw = HBS_COST_USD / HBS_KW
    plant = _annuity(per_kw) + FOM * per_kw  # US$ a kW a year
    hours = CASA_TWH * 1e6 / CASA_MW
    return prices.lng * prices.heat_rate / 1e6 + plant / hours


def test_pakistan_s_alternative_is_the_levelised_cost_of_an_lng_combined_cycle(casa) -> None:
    """Fuel + (capital annuity + fixed O&M) a kW over the line's 4,231 full-load hours."""
    t, links, prices, _ = casa
    expected = _pakistan_levelised(prices)
    alt = power_alternatives(links, prices)
    pak = [k for k, i in enumerate(links.importer) if t.economies[i] == "PAK"
           and not links.is_gas[k] and links.project[k] >= 0]
    assert pak
    np.testing.assert_allclose(alt[pak], expected, rtol=1e-6)
    assert expected - prices.power_alternative == pytest.approx(0.0188, abs=2e-4)


def test_each_buyer_saves_its_delivered_energy_times_its_alternative_less_what_it_pays(
        casa) -> None:
    """The identity: a buyer's yearly saving = energy delivered x (alternative - energy
    charge - transit fees - transport tariff), link by link; Afghanistan's alternative is
    its import tariff from Tajikistan, not LNG it cannot buy."""
    t, links, prices, flows = casa
    fees = fee_matrix(links, t, prices)
    tariffs = tariff_matrix(links, t)
    v = energy_value(links, flows, prices, fees, tariffs)
    for code, alt in (("PAK", _pakistan_levelised(prices)), ("AFG", TJK_AFG_USD_KWH)):
        i = t.economies.index(code)
        mine = (links.importer == i) & ~links.is_gas & (links.project >= 0)
        kwh = flows[0, mine] * 1e9
        paid = prices.energy_charge + fees[mine].sum(axis=1) + tariffs[mine].sum(axis=1)
        assert v["importer"][0, i] == pytest.approx(float(np.sum(kwh * (alt - paid))),
                                                    rel=1e-6)
    # Pakistan gains on the line once the plant it saves is counted; Afghanistan, paying
    # more for CASA-1000 power than for Tajik imports, loses as a buyer (its transit fees
    # and its share of the tariff are counted elsewhere).
    assert v["importer"][0, t.economies.index("PAK")] > 0.0
    assert v["importer"][0, t.economies.index("AFG")] < 0.0
    np.testing.assert_allclose(v["total"].sum(axis=1),
                               total_surplus_usd(links, flows, prices, fees), rtol=1e-12)


def test_afghanistan_s_gain_moves_one_for_one_with_its_import_tariff(casa) -> None:
    """The sensitivity the docs give: each US cent on the import tariff moves Afghanistan's
    saving by its 1.269 TWh x 1 cent; at the diesel of Kabul's Tarakhil plant (23 cents)
    it gains."""
    t, links, prices, flows = casa
    fees = fee_matrix(links, t, prices)
    afg = t.economies.index("AFG")
    imports = np.asarray(prices.power_import, float).copy()
    base = energy_value(links, flows, prices, fees)["importer"][0, afg]
    imports[afg] = 0.23
    diesel = dataclasses.replace(prices, power_import=tuple(imports))
    moved = energy_value(links, flows, diesel, fees)["importer"][0, afg]
    delivered = flows[0, (links.importer == afg) & ~links.is_gas].sum() * 1e9
    assert delivered == pytest.approx(1.269e9)
    assert moved - base == pytest.approx(delivered * (0.23 - TJK_AFG_USD_KWH), rel=1e-12)
    assert moved > 0.0


def test_bad_power_alternative_rows_are_named() -> None:
    t = load_network()
    params = dict(t.params)
    params["power_import_XYZ"] = 0.05
    with pytest.raises(NetworkDataError, match="power_import_XYZ"):
        energy_prices(dataclasses.replace(t, params=params))
    params = dict(t.params)
    del params["power_alt_capital_usd_kw"]
    with pytest.raises(NetworkDataError, match="power_alt_capital_usd_kw"):
        energy_prices(dataclasses.replace(t, params=params))
    projects = t.projects.copy()
    projects.loc["CASA1000", "capacity_unit"] = "GW"
    with pytest.raises(NetworkDataError, match="CASA1000.*MW"):
        energy_prices(dataclasses.replace(t, projects=projects))
