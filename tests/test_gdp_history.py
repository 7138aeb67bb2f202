"""The recorded GDP path: ``gdp_history`` and ``parameters.growth.mode: historical``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.data import load_calibration
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

HC = Path(__file__).resolve().parents[1] / "scenarios" / "hindcasts"
EAEU = HC / "eaeu_2015.yaml"

# WDI NY.GDP.MKTP.CD, current US$, as in the raw file wdi_ny_gdp_mktp_cd.csv (SOURCES.md 1).
WDI = {
    ("KGZ", 2015): 6678177511.66313,
    ("KGZ", 2020): 8270468614.24051,
    ("KGZ", 2023): 15180842369.4894,
    ("RUS", 2015): 1363482182197.71,
    ("RUS", 2020): 1493075894362.14,
    ("RUS", 2023): 2046284838151.09,
    ("AFG", 2024): 17778508875.7396,
    ("AFG", 2023): 17152234636.8715,
}


def _path(overrides: dict[str, object], path: Path = EAEU,
          calibration: object = None) -> tuple[SCOModel, np.ndarray]:
    """A model run and its GDP path ``(T, R, N)``."""
    sc = load_scenario(path, overrides={"replications": 3, **overrides})
    m = SCOModel(sc, calibration=calibration)
    m.run_model()
    return m, np.array(m.records["gdp_baseline_path_usd"])


def test_historical_path_is_wdi_ratios_times_base_level() -> None:
    m, g = _path({"parameters.growth.mode": "historical"})
    for code, year in (("KGZ", 2015), ("KGZ", 2020), ("RUS", 2015), ("RUS", 2020)):
        i, t = m.codes.index(code), m.year_index(year)
        ratio = WDI[(code, year)] / WDI[(code, 2023)]
        # the 2023 calibration level times the WDI ratio, in every run: no shock
        assert g[t, :, i] == pytest.approx(m.gdp0[i] * ratio, rel=1e-12)
    # Kyrgyzstan's 2015 GDP is the record's US$ 6.7 bn, not the 2023 level grown
    assert g[0, 0, m.codes.index("KGZ")] == pytest.approx(6.678e9, rel=1e-3)


def test_rest_of_world_is_world_minus_the_27() -> None:
    h = load_calibration().gdp_history
    listed = [c for c in h.index if c != "ROW"]
    assert h.loc["ROW", 2015] == pytest.approx(75839351828606.2 - h.loc[listed, 2015].sum(),
                                               rel=1e-12)
    # AFG and ARE are not reported for 2025, so neither is ROW's residual
    assert h.loc[["AFG", "ARE", "ROW"], 2025].isna().all()
    assert h.loc[["KGZ", "RUS"], 2025].notna().all()


def test_missing_years_follow_the_models_path() -> None:
    m, g = _path({"parameters.growth.mode": "historical"})
    t24, t25 = m.year_index(2024), m.year_index(2025)
    for code in ("AFG", "ROW"):
        i = m.codes.index(code)
        assert np.ptp(g[t24, :, i]) == 0.0  # recorded in 2024: the same in every run
        # 2025 unrecorded: the recorded 2024 level grown by trend and the run's own shock
        z = m.growth_z[:, t25, i]
        want = g[t24, :, i] * np.exp(m.trend[i] + m.vol[i] * z)
        assert g[t25, :, i] == pytest.approx(want, rel=1e-12)
        assert np.ptp(g[t25, :, i]) > 0
    i = m.codes.index("AFG")
    assert g[t24, 0, i] == pytest.approx(m.gdp0[i] * WDI[("AFG", 2024)] / WDI[("AFG", 2023)])


def test_eve_after_the_record_starts_from_its_last_year() -> None:
    # A run from 2027: the eve (2026) is the last recorded level carried along the trend
    # (2025 for Kyrgyzstan, 2024 for Afghanistan), not the 2023 level carried 3 years.
    sc = load_scenario(HC.parent / "baseline.yaml", overrides={
        "replications": 2, "years.start": 2027, "years.end": 2027,
        "parameters.growth.mode": "historical"})
    m = SCOModel(sc)
    cal = m.cal
    kgz, afg = m.codes.index("KGZ"), m.codes.index("AFG")
    assert m.gdp[0, kgz] == pytest.approx(
        m.gdp0[kgz] * cal.gdp_history_ratio(2025)[kgz] * np.exp(m.trend[kgz]), rel=1e-12)
    assert m.gdp[0, afg] == pytest.approx(
        m.gdp0[afg] * cal.gdp_history_ratio(2024)[afg] * np.exp(2 * m.trend[afg]), rel=1e-12)


def test_gdp_shock_events_stay_on_the_recorded_path() -> None:
    ev = [{"type": "gdp_shock", "year": 2017, "countries": ["KGZ"], "size": -0.1}]
    m, g = _path({"parameters.growth.mode": "historical", "events": ev})
    _, plain = _path({"parameters.growth.mode": "historical"})
    i = m.codes.index("KGZ")
    assert g[m.year_index(2016), :, i] == pytest.approx(plain[m.year_index(2016), :, i])
    # permanent: every later recorded year is 10 % below the record
    for y in (2017, 2020, 2025):
        assert g[m.year_index(y), :, i] == pytest.approx(0.9 * plain[m.year_index(y), :, i])


def test_eaeu_hindcast_runs_on_the_recorded_path() -> None:
    sc = load_scenario(EAEU)
    assert sc.parameters.growth.mode == "historical"
    m, g = _path({})
    i = m.codes.index("KGZ")
    assert g[m.year_index(2020), :, i] == pytest.approx(WDI[("KGZ", 2020)], rel=1e-9)


def test_historical_mode_needs_the_table() -> None:
    cal = dataclasses.replace(load_calibration(), gdp_history=pd.DataFrame())
    with pytest.raises(ValueError, match="no gdp_history table"):
        _path({"parameters.growth.mode": "historical"}, calibration=cal)


@pytest.mark.parametrize("mode", ["calibrated", "fixed"])
def test_every_mode_starts_from_the_recorded_eve(mode: str) -> None:
    # The shipped baseline runs from 2025: its eve, 2024, is recorded (WDI) for all 28
    # economies, so the path starts there, not at the 2023 level grown one trend year
    # (China US$19.9 tn against the recorded 18.7).
    sc = load_scenario(HC.parent / "baseline.yaml", overrides={
        "replications": 2, "parameters.growth.mode": mode})
    m = SCOModel(sc)
    ratio = m.cal.gdp_history_ratio(2024)
    assert np.isfinite(ratio).all()
    assert m.gdp[0] == pytest.approx(m.gdp0 * ratio, rel=1e-12)
    afg = m.codes.index("AFG")
    assert m.gdp[0, afg] == pytest.approx(WDI[("AFG", 2024)], rel=1e-9)


def test_first_simulated_year_is_centred_on_the_record() -> None:
    # A statistical property of the calibrated draws: over 200 runs (the baseline's
    # seed) the median log growth of 2025 against the recorded 2024 level is the
    # economy's trend, within three standard errors of a median (1.25 sd / sqrt(n)).
    # Bridged from 2023 along the trend it was off by log(19.85 / 18.73) = 0.058 for China.
    n = 200
    sc = load_scenario(HC.parent / "baseline.yaml", overrides={
        "replications": n, "years.end": 2025})
    m = SCOModel(sc)
    m.run_model()
    g25 = np.array(m.records["gdp_baseline_path_usd"])[0]
    recorded = m.gdp0 * m.cal.gdp_history_ratio(2024)
    for code in ("CHN", "RUS", "IND", "KAZ"):
        i = m.codes.index(code)
        growth = np.median(np.log(g25[:, i] / recorded[i]))
        assert abs(growth - m.trend[i]) < 3 * 1.25 * m.vol[i] / np.sqrt(n), code
