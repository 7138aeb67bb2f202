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
from pathlib import Path

import pytest

from scosim.data import load_calibration
from scosim.data.raw import RAW_FILES
from scosim.mechanisms.trade import solve_ge
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

#: The suspended pairs, exporter -> importer.
PAIRS = (("IND", "PAK"), ("PAK", "IND"))
#: DGCI&S, FY2018-19, US$ (module docstring): exporter -> importer.
PRE_SUSPENSION = {("IND", "PAK"): 2.07e9, ("PAK", "IND"): 0.495e9}
#: World Bank "Glass Half Full" (2018): potential India-Pakistan trade, both ways, US$.
POTENTIAL = 37e9
RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"


@pytest.fixture(scope="module")
def cal():
    return load_calibration("2023")


def _lifted(cal, sigma: float) -> dict[tuple[str, str], float]:
    """CIF flows of the pair after lifting the suspension alone, at ``sigma``, in 2023.

    The model's own base (its tariffs at the scenario's sigma, its tariff-inclusive flows);
    every other tariff and cost is kept; the suspended cells go to SAFTA's zero.
    """
    sc = load_scenario("scenarios/baseline.yaml", overrides={
        "parameters.trade.sigma": sigma, "parameters.trade.sigma_spread": 0.0})
    m = SCOModel(sc, runs=range(1), calibration=cal)
    codes = list(m.codes)
    new = m.tau0.copy()
    for i, j in PAIRS:
        new[codes.index(i), codes.index(j)] = 0.0
    ge = solve_ge(m.flows0, sigma=sigma, tariffs=m.tau0, new_tariffs=new,
                  deficits=sc.parameters.trade.deficits)
    cif = ge.flows / (1.0 + new)
    return {(i, j): float(cif[codes.index(i), codes.index(j)]) for i, j in PAIRS}


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


@pytest.mark.skipif(not (RAW / RAW_FILES["dots"]).is_file(),
                    reason=f"raw data directory {RAW} not available")
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
