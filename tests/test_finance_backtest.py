"""The NPL response to a fall of US$ GDP, backtested on 2014-2016 (outside review, 2026-12-06).

Before: the shipped crisis was called "2015-sized", a fall of Russia's US$ GDP as in
2014-15, but the model turns that fall (mostly the rouble's devaluation) into new bad loans
one for one: +22.6 points of NPLs in the year, where WDI records +1.6 for Russia in 2015
(6.81 -> 8.38 percent) and the system did not fail. ``scosim.finance.backtest`` and
``tools/finance_backtest.py`` put the two side by side, and the docs now call the scenario
a hypothetical severe stress, saying how many times the recorded rise it is.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from _raw import RAW, needs_raw_file  # tests/ on sys.path
from scosim.finance.backtest import Episode, backtest, fit_gdp_beta, npl_path, reproducing_beta
from scosim.finance.system import FinanceParams

ROOT = Path(__file__).resolve().parents[1]
needs_raw = needs_raw_file("wdi_fb_ast_nper_zs.csv")


def test_npl_path_is_the_model_equation_by_hand() -> None:
    p = FinanceParams(npl_sensitivity=0.5, cure_rate=0.25, gdp_beta=1.0)
    path = npl_path(0.05, np.array([-0.4, 0.1, 0.0]), p)
    # Year 1: the calibrated inflow keeps 5 %, the fall adds 0.5 x 0.4.
    assert path[0] == pytest.approx(0.05 + 0.2)
    # A good year adds no bad loans; a quarter of the excess is cured each year.
    assert path[1] == pytest.approx(0.05 + 0.75 * 0.2)
    assert path[2] == pytest.approx(0.05 + 0.75 ** 2 * 0.2)
    half = npl_path(0.05, np.array([-0.4]), replace(p, gdp_beta=0.5))
    assert half[0] == pytest.approx(0.05 + 0.1)


def test_the_reproducing_beta_reproduces_the_first_year() -> None:
    gdp = {"AAA": {2014: 100.0, 2015: 60.0, 2016: 65.0}}
    npl = {"AAA": {2014: 5.0, 2015: 6.5, 2016: 7.0}}
    p = FinanceParams()
    (res,) = backtest(gdp, npl, p, (Episode("AAA", 2014, 2016),))
    assert res.first_year_ratio > 1  # one for one overshoots a 1.5-point rise
    beta = reproducing_beta(res, p)
    (again,) = backtest(gdp, npl, replace(p, gdp_beta=beta), (Episode("AAA", 2014, 2016),))
    assert again.model_npl[0] == pytest.approx(0.065)
    with pytest.raises(KeyError, match="AAA in 2017"):
        backtest(gdp, npl, p, (Episode("AAA", 2014, 2017),))


@needs_raw
def test_russia_2015_the_model_gives_many_times_the_recorded_npl_rise() -> None:
    from scosim.finance.build import _read_wdi

    gdp, npl = _read_wdi(RAW, "gdp"), _read_wdi(RAW, "npl")
    p = FinanceParams()
    results = {r.episode.code: r for r in backtest(gdp, npl, p)}
    rus = results["RUS"]
    assert rus.gdp_log_change[0] == pytest.approx(math.log(1363.48 / 2059.24), abs=1e-4)
    assert rus.wdi_npl[0] - rus.npl_start == pytest.approx(0.0156, abs=5e-4)  # WDI
    assert rus.first_year_ratio > 10
    # Kazakhstan's recorded NPL ratio fell through the tenge's devaluation.
    assert math.isnan(results["KAZ"].first_year_ratio)
    # docs/finance.md quotes what the backtest gives (section 8).
    doc = " ".join((ROOT / "docs" / "finance.md").read_text().split())
    beta = reproducing_beta(rus, p)
    assert f"{rus.first_year_ratio:.1f} times the rise WDI records" in doc
    assert f"`gdp_beta` {beta:.3f}" in doc
    assert f"Belarus {results['BLR'].first_year_ratio:.1f} times" in doc


def test_no_file_calls_the_crisis_2015_sized_or_a_replay() -> None:
    files = [ROOT / "README.md", ROOT / "tools" / "finance_demo.py",
             *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "scenarios").glob("*.yaml"))]
    for f in files:
        text = " ".join(f.read_text().split())
        assert not re.search(r"2015-sized|(?<!not a )replay of 201[45]|the 2014-15 fall\)", text), f
    crisis = (ROOT / "scenarios" / "finance_crisis.yaml").read_text()
    assert "hypothetical severe stress" in crisis


def test_the_least_squares_beta_recovers_a_response_the_record_was_made_with() -> None:
    """Records made by the model with gdp_beta 0.2 from two episodes give back 0.2; a
    record whose NPLs fall with GDP gives 0, the smallest response allowed."""
    p = FinanceParams()
    gdp = {"AAA": {2014: 100.0, 2015: 60.0, 2016: 55.0, 2017: 70.0},
           "BBB": {2014: 100.0, 2015: 80.0, 2016: 90.0, 2017: 85.0}}
    eps = (Episode("AAA", 2014, 2017), Episode("BBB", 2014, 2017))
    start = {"AAA": 0.05, "BBB": 0.10}
    npl = {}
    for ep in eps:
        g = [math.log(gdp[ep.code][y] / gdp[ep.code][y - 1]) for y in (2015, 2016, 2017)]
        path = npl_path(start[ep.code], np.array(g), replace(p, gdp_beta=0.2))
        npl[ep.code] = {2014: 100 * start[ep.code],
                        **{y: 100 * v for y, v in zip((2015, 2016, 2017), path, strict=True)}}
    beta, n = fit_gdp_beta(gdp, npl, p, eps)
    assert n == 6 and beta == pytest.approx(0.2, rel=1e-9)
    falling = {"AAA": {2014: 5.0, 2015: 4.0}}  # as Kazakhstan's, 2015
    assert fit_gdp_beta(gdp, falling, p, (Episode("AAA", 2014, 2015),))[0] == 0.0


@needs_raw
def test_the_fitted_response_is_of_the_recorded_size() -> None:
    """Least squares over the nine recorded country-years (Russia, Kazakhstan, Belarus,
    2015-17; docs/finance.md section 6 quotes it): the fit is a minimum of the squared gap,
    and with it the model's first-year NPL rise is within half to twice the recorded one in
    Russia and Belarus (23.5 and 12.1 times at the default gdp_beta 1)."""
    from scosim.finance.build import _read_wdi

    gdp, npl = _read_wdi(RAW, "gdp"), _read_wdi(RAW, "npl")
    p = FinanceParams()
    beta, n = fit_gdp_beta(gdp, npl, p)
    assert n == 9

    def sse(b: float) -> float:
        return sum(float(np.nansum((r.model_npl - r.wdi_npl) ** 2))
                   for r in backtest(gdp, npl, replace(p, gdp_beta=b)))

    assert sse(beta) < min(sse(beta - 0.005), sse(beta + 0.005))
    fitted = {r.episode.code: r for r in backtest(gdp, npl, replace(p, gdp_beta=beta))}
    for code in ("RUS", "BLR"):
        assert 0.5 <= fitted[code].first_year_ratio <= 2.0, code
    doc = " ".join((ROOT / "docs" / "finance.md").read_text().split())
    assert f"gives `k` = {p.npl_sensitivity * beta:.3f}" in doc
