"""Lifting the India-Pakistan suspension restores about the trade it cut, at any sigma.

The yardsticks are outside the model: India's Ministry of Commerce (DGCI&S) figures for
the last full year before the measures, India's exports to Pakistan of US$2.07 bn and
imports from Pakistan of US$0.495 bn in FY2018-19 (April 2018-March 2019, as reported to
India's Parliament in July 2022: moneycontrol.com, "No progress in resuming trade with
Pakistan, Centre tells Parliament", 2022-07-28); the World Bank's estimate of the pair's
trade potential without any artificial barriers, US$37 bn both ways (Kathuria ed., "A
Glass Half Full: The Promise of Regional Trade in South Asia", 2018), an upper bound; and
the raw IMF DOTS flows of 2016-2018 carried to 2023 by each side's trade growth.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from _raw import RAW, needs_raw_file  # tests/ on sys.path
from scosim.data import load_calibration
from scosim.data.raw import RAW_FILES
from scosim.mechanisms.suspensions import lift_bans
from scosim.mechanisms.trade import solve_ge
from scosim.mechanisms.welfare_terms import decompose_welfare
from scosim.model.model import SCOModel
from scosim.model.policy import PolicyState
from scosim.scenario import load_scenario

#: The suspended pairs, exporter -> importer.
PAIRS = (("IND", "PAK"), ("PAK", "IND"))
#: DGCI&S, FY2018-19, US$ (module docstring): exporter -> importer.
PRE_SUSPENSION = {("IND", "PAK"): 2.07e9, ("PAK", "IND"): 0.495e9}
#: World Bank "Glass Half Full" (2018): potential India-Pakistan trade, both ways, US$.
POTENTIAL = 37e9


@pytest.fixture(scope="module")
def cal():
    return load_calibration("2023")


def _lifted(cal, sigma: float) -> dict[tuple[str, str], float]:
    """CIF flows of the pair after lifting the suspension alone, at ``sigma``, in 2023.

    The model's own base (its tariffs at the scenario's sigma, its tariff-inclusive flows);
    every other tariff and cost is kept; the suspended cells go to SAFTA's zero.
    """
    m = _model(cal, sigma)
    codes = list(m.codes)
    ge, new = _lift(m, sigma)
    cif = ge.flows[0] / (1.0 + new)
    return {(i, j): float(cif[codes.index(i), codes.index(j)]) for i, j in PAIRS}


def _model(cal, sigma: float) -> SCOModel:
    sc = load_scenario("scenarios/baseline.yaml", overrides={
        "parameters.trade.sigma": sigma, "parameters.trade.sigma_spread": 0.0})
    return SCOModel(sc, runs=range(1), calibration=cal)


def _lift(m: SCOModel, sigma: float, tau0=None, flows0=None):
    """Solve lifting both measures from the model's base (or the given one): India's
    duty to SAFTA's zero, Pakistan's ban removed from the trade costs as an arrangement
    removes it (:func:`lift_bans`; none where ``tau0`` carries it as a tariff)."""
    tau0 = m.tau0 if tau0 is None else tau0
    flows0 = m.flows0 if flows0 is None else flows0
    codes = list(m.codes)
    policy = PolicyState(tariffs=np.array(tau0)[None].copy(),
                         cost_change=np.ones((1, m.N, m.N)))
    lift_bans(policy, m.ban_factor, np.ones((1, m.N), dtype=bool), np.ones(1),
              np.ones(1, dtype=bool))
    for i, j in PAIRS:
        policy.tariffs[0, codes.index(i), codes.index(j)] = 0.0
    ge = solve_ge(flows0, sigma=sigma, tariffs=tau0, new_tariffs=policy.tariffs,
                  cost_change=policy.ban_change, deficits=m.scenario.parameters.trade.deficits)
    return ge, policy.tariffs[0]


@pytest.mark.parametrize("sigma", [4.0, 5.0, 8.0])
def test_lifting_the_suspension_restores_about_the_trade_before_it(cal, sigma) -> None:
    """Within a factor 2 of the last pre-suspension year's flows (both directions), and
    far below the World Bank's potential. The 200 % equivalent of before put India's
    exports to Pakistan at US$36 bn once lifted at sigma 5 (16 at 4, 211 at 8), against
    0.26 bn in 2023."""
    flows = _lifted(cal, sigma)
    for pair, before in PRE_SUSPENSION.items():
        assert 0.5 < flows[pair] / before < 2.0, (pair, flows[pair] / 1e9)
    assert sum(flows.values()) < POTENTIAL / 4


@pytest.mark.parametrize("sigma", [4.0, 5.0, 8.0])
def test_lifting_the_ban_gains_pakistan_the_revenue_it_no_longer_books(cal, sigma) -> None:
    """Closed form with the welfare decomposition. Priced as a tariff, Pakistan's ban
    booked revenue ``R = t x X`` on India's goods (US$0.12 bn at sigma 5) that lifting it
    took away: Pakistan's revenue term fell by about ``R / E``. Priced as what it is, a
    barrier that earns nothing, the revenue term loses none of it, and the welfare gain is
    larger by at least that much; the rest of the difference is the iceberg equivalent's
    larger price wedge (the same fall at elasticity ``sigma - 1``), a few hundredths of a
    point at most. Lifted either way, India's exports to Pakistan are the same."""
    m = _model(cal, sigma)
    codes = list(m.codes)
    i, p = codes.index("IND"), codes.index("PAK")
    ge, _ = _lift(m, sigma)
    # the same ban booked as a tariff (the model before the kinds were told apart)
    as_tariff = m.tau0.copy()
    as_tariff[i, p] = (1.0 + cal.tariffs.loc["IND", "PAK"]) ** (5.0 / sigma) - 1.0
    flows_t = m.trade_cif0 * (1.0 + as_tariff)
    ge_t = solve_ge(flows_t, sigma=sigma, tariffs=as_tariff, new_tariffs=_lift(m, sigma)[1][None],
                    deficits=m.scenario.parameters.trade.deficits)
    booked = as_tariff[i, p] * m.trade_cif0[i, p]
    e = float(np.asarray(ge.baseline_expenditure)[0, p])
    assert 0.05e9 < booked < 0.2e9
    rev = decompose_welfare(ge, m.flows0)["tariff_revenue"][0, p]
    rev_t = decompose_welfare(ge_t, flows_t)["tariff_revenue"][0, p]
    assert rev - rev_t == pytest.approx(booked / e, rel=0.05)
    gain = float(ge.welfare_change[0, p] - ge_t.welfare_change[0, p])
    assert booked / e * 0.95 < gain < booked / e + 0.0002
    cif = ge.flows[0, i, p]
    assert cif == pytest.approx(ge_t.flows[0, i, p], rel=1e-6)


def _dots_importer_cif(importer: str, partner: str, year: int) -> float:
    with open(RAW / RAW_FILES["dots"], newline="") as fh:
        for row in csv.DictReader(fh):
            if (row["reporter_iso3"], row["partner_dots_name"], row["flow"],
                    row["year"]) == (importer, partner, "imports_cif", str(year)):
                return float(row["value"]) * 1e6
    raise AssertionError(f"no DOTS imports of {importer} from {partner} in {year}")


def _wdi(key: str, code: str, year: int) -> float:
    with open(RAW / RAW_FILES[key], newline="") as fh:
        for row in csv.DictReader(fh):
            if row["Country Code"] == code and row["Year"] == str(year):
                return float(row["Value"])
    raise AssertionError(f"no WDI {key} for {code} in {year}")


@needs_raw_file(RAW_FILES["dots"])
@pytest.mark.parametrize("sigma", [4.0, 5.0, 8.0])
def test_lifted_flows_match_dots_2018_grown_with_the_importers_imports(cal, sigma) -> None:
    """A scaling the build does not use: the importer's 2018 report (DOTS) times the growth
    of its WDI imports to 2023 (the pair keeps its 2018 share of the importer's imports).
    Within 30 %: the build's gravity scaling, averaged over 2016-2018, and the general
    equilibrium differ from it by less."""
    flows = _lifted(cal, sigma)
    names = {"IND": "India", "PAK": "Pakistan"}
    for i, j in PAIRS:
        share_2018 = _dots_importer_cif(j, names[i], 2018) / _wdi("imports", j, 2018)
        target = share_2018 * _wdi("imports", j, 2023)
        assert abs(flows[(i, j)] / target - 1.0) < 0.3, ((i, j), flows[(i, j)] / 1e9,
                                                         target / 1e9)
