"""The transport tariff an energy project's buyers pay its owners (network.transport_tariff).

Until 2026-12-06 the value of TAPI's, line D's and CASA-1000's transport went to the buyers
while the hosts paid the build and the upkeep: India was credited with the pipeline's return
and Turkmenistan debited with its whole cost. The importer now pays each unit's levelised
cost of transport to the owners, in their shares of the build cost: a transfer, so the
deliveries' surplus does not move.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scosim.network.energy import INITIAL_PHASE_YEARS, delivered_flows, energy_links
from scosim.network.energy_value import (
    KWH_PER_TWH,
    MMBTU_PER_BCM,
    energy_prices,
    energy_value,
    fee_matrix,
    total_surplus_usd,
)
from scosim.network.finance import COST_OF_FUNDS
from scosim.network.tables import NetworkDataError, load_network
from scosim.network.transport_tariff import (
    levelised_tariff,
    main,
    project_tariffs,
    tariff_matrix,
)


@pytest.fixture(scope="module")
def net():
    t = load_network()
    links = energy_links(t)
    prices = energy_prices(t)
    return t, links, prices, fee_matrix(links, t, prices), tariff_matrix(links, t)


def _active(t, *pids: str, runs: int = 1) -> np.ndarray:
    return np.broadcast_to(np.array([p in pids for p in t.project_ids]),
                           (runs, len(t.project_ids))).copy()


def _annuity_pv(rate: float, years: int) -> float:
    """Present value of 1 a year for ``years`` years, paid at each year's end."""
    return (1.0 - (1.0 + rate) ** -years) / rate


def test_the_tariff_is_the_hand_annuity_of_the_build_and_upkeep() -> None:
    """Without a ramp the tariff times the yearly deliveries is the build cost carried to
    the first operating year, ``C (1 + r)^T``, repaid as a level annuity over the life,
    plus the O&M ``m C``; with a ramp, the build cost and the O&M's present value over the
    present value of the deliveries (closed-form annuities; seeded random inputs)."""
    rng = np.random.default_rng(20261206)
    for _ in range(50):
        c, m = rng.uniform(0.5e9, 20e9), rng.uniform(0.0, 0.03)
        r, life, build = rng.uniform(0.01, 0.12), int(rng.integers(10, 60)), int(
            rng.integers(0, 7))
        q = rng.uniform(1e8, 1e12)
        crf = r / (1.0 - (1.0 + r) ** -life)
        flat = levelised_tariff(c, m, r, life, build, q, q)
        assert flat * q == pytest.approx(c * (1.0 + r) ** build * crf + m * c, rel=1e-12)
        q0 = q * rng.uniform(0.1, 1.0)
        ramp = levelised_tariff(c, m, r, life, build, q, q0)
        v = (1.0 + r) ** -build
        first = _annuity_pv(r, min(INITIAL_PHASE_YEARS, life))
        pv_units = v * (q0 * first + q * (_annuity_pv(r, life) - first))
        pv_cost = c + m * c * v * _annuity_pv(r, life)
        assert ramp == pytest.approx(pv_cost / pv_units, rel=1e-12)
        assert ramp > flat  # the first phase's fewer units carry the same cost


def test_tapi_s_and_casa_s_tariffs_from_their_tables(net) -> None:
    """CASA-1000: US$1.2 bn over 4 years, 2 % O&M, 40 years at 7 %, 5.5 TWh a year;
    TAPI: US$10 bn over 5 years, 1.5 %, 50 years, 32.558 bcm (10.853 in its first phase)."""
    t, links, *_ = net
    got = project_tariffs(links, t)
    r = COST_OF_FUNDS
    casa = (1.2e9 * (1 + r) ** 4 * r / (1 - (1 + r) ** -40) + 0.02 * 1.2e9) / (5.5 * KWH_PER_TWH)
    assert got["CASA1000"] == pytest.approx(casa, rel=1e-12)
    v, a50, a3 = (1 + r) ** -5, _annuity_pv(r, 50), _annuity_pv(r, 3)
    q = 32.558 * MMBTU_PER_BCM
    tapi = (10e9 + 0.015 * 10e9 * v * a50) / (v * (q * 11 / 33 * a3 + q * (a50 - a3)))
    assert got["TAPI"] == pytest.approx(tapi, rel=1e-12)


def test_casa_s_tariff_is_near_its_published_transmission_charge(net) -> None:
    """A check against a published figure from published inputs: CASA-1000's transmission
    charge, the part of its 9.41-cent tariff that repays the line, is 2.91 US cents a kWh
    (NTDC's filing to NEPRA, Dawn, 9 November 2015); the levelised cost of its US$1.2 bn
    (ANCHORS.md) at 5.5 TWh a year comes within 15 % of it (2.58)."""
    t, links, *_ = net
    assert project_tariffs(links, t)["CASA1000"] == pytest.approx(0.0291, rel=0.15)


def test_the_split_with_the_tariff_still_sums_to_the_surplus(net) -> None:
    """Importers + exporters + transit states + owners = the surplus, and the surplus is
    the one without the tariff (a transfer), at random instability, phases and projects
    and at LNG's 2016 low, where Pakistan and Afghanistan meet new demand (seeded)."""
    t, links, prices, fees, tariffs = net
    rng = np.random.default_rng(20261207)
    for lng in (None, 6.73):
        p = energy_prices(t, lng)
        act = rng.random((40, len(t.project_ids))) < 0.7
        phase = rng.random((40, len(t.project_ids))) < 0.5
        inst = rng.random((40, len(t.economies))) * rng.random((40, 1))
        flows = delivered_flows(links, act, inst, initial_phase=phase)
        v = energy_value(links, flows, p, fees, tariffs)
        parts = sum(v[k].sum(axis=1) for k in ("importer", "exporter", "transit", "owners"))
        surplus = total_surplus_usd(links, flows, p, fees)
        np.testing.assert_allclose(parts, surplus, rtol=1e-12)
        np.testing.assert_allclose(v["total"].sum(axis=1), surplus, rtol=1e-12)
        without = energy_value(links, flows, p, fees)
        np.testing.assert_allclose(v["total"].sum(axis=1), without["total"].sum(axis=1),
                                   rtol=1e-12)
        # The owners earn exactly where a project delivers something.
        delivering = (flows[:, links.project >= 0] > 0).any(axis=1)
        np.testing.assert_array_equal(v["owners"].sum(axis=1) > 0, delivering)


def test_india_pays_the_tariff_and_the_owners_get_it_in_their_equity(net) -> None:
    """On TAPI at full operation India pays the tariff on its 13.7 bcm; the tariff on all
    32.6 bcm goes 85 % to Turkmenistan and 5 % each to Afghanistan, Pakistan and India
    (TAPI Pipeline Company's equity, the shares that pay the build)."""
    t, links, prices, fees, tariffs = net
    flows = delivered_flows(links, _active(t, "TAPI"))
    with_t = energy_value(links, flows, prices, fees, tariffs)
    without = energy_value(links, flows, prices, fees)
    tau = project_tariffs(links, t)["TAPI"]
    c = {code: i for i, code in enumerate(t.economies)}
    paid = tau * 13.695 * MMBTU_PER_BCM
    revenue = tau * 32.558 * MMBTU_PER_BCM
    assert without["importer"][0, c["IND"]] - with_t["importer"][0, c["IND"]] == (
        pytest.approx(paid, rel=1e-12))
    for code, share in (("TKM", 0.85), ("AFG", 0.05), ("PAK", 0.05), ("IND", 0.05)):
        assert with_t["owners"][0, c[code]] == pytest.approx(share * revenue, rel=1e-12)
    assert with_t["owners"].sum() == pytest.approx(revenue, rel=1e-12)


def test_a_bad_asset_life_is_named(net) -> None:
    """A missing or fractional asset life names params.csv, the row and what is allowed;
    the command line refuses a bad life without a traceback."""
    t, links, *_ = net
    missing = dataclasses.replace(
        t, params={k: v for k, v in t.params.items() if k != "life_pipeline_years"})
    with pytest.raises(NetworkDataError, match=r"params\.csv.*life_pipeline_years"):
        project_tariffs(links, missing)
    frac = dataclasses.replace(t, params={**t.params, "life_power_years": 37.5})
    with pytest.raises(NetworkDataError, match=r"params\.csv line \d+.*whole number"):
        project_tariffs(links, frac)
    assert main(["thirty"]) == 2
    assert main(["0"]) == 2
