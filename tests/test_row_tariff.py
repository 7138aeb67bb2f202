"""Preferences outside the 27: the Rest of World's MFN share (scosim.data.row_tariff)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.data.calibration import Calibration, load_calibration
from scosim.data.constants import ECONOMIES, ROW
from scosim.data.tariffs import ROW_SHARE, SUSPENSION_PAIRS
from scosim.mechanisms import customs_union as cu
from scosim.model.model import SCOModel
from scosim.scenario.loader import validate_data

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
#: Importers outside a customs union whose tariff_mfn and tariff_applied are both WDI
#: figures of one year (no EAEU or AHS override): their target is the WDI applied rate.
WDI_BOTH = ("CHN", "TUR", "EGY", "MMR", "TJK", "UZB")
EAEU = ("RUS", "KAZ", "KGZ", "BLR", "ARM")
GCC = ("SAU", "QAT", "ARE", "KWT", "BHR")


@pytest.fixture(scope="module")
def cal() -> Calibration:
    return load_calibration("2023")


def _weighted_mean(cal: Calibration, tariffs: pd.DataFrame) -> pd.Series:
    """Each importer's import-weighted tariff, the suspended India-Pakistan pair left out."""
    x = cal.trade.loc[list(ECONOMIES), list(ECONOMIES)].to_numpy(dtype=float).copy()
    t = tariffs.loc[list(ECONOMIES), list(ECONOMIES)].to_numpy(dtype=float)
    np.fill_diagonal(x, 0.0)
    for i, j in SUSPENSION_PAIRS:
        x[ECONOMIES.index(i), ECONOMIES.index(j)] = 0.0
    return pd.Series([math.fsum(x[:, b] * t[:, b]) / math.fsum(x[:, b])
                      for b in range(len(ECONOMIES))], index=list(ECONOMIES))


def _target(cal: Calibration, iso: str) -> float:
    """The target its provenance states, ``... = X %`` (two decimals)."""
    prov = cal.provenance
    row = prov[(prov["table"] == "countries") & (prov["field"] == ROW_SHARE)
               & (prov["key"] == iso)]
    return float(row["method"].iloc[0].split("= ")[-1].split(" %")[0]) / 100


def test_calibrated_importers_reach_their_target(cal: Calibration) -> None:
    share = cal.countries[ROW_SHARE]
    mean = _weighted_mean(cal, cal.tariffs)
    applied = cal.countries["tariff_applied"]
    for iso in WDI_BOTH:
        assert 0.0 < share[iso] < 1.0, iso
        assert mean[iso] == pytest.approx(_target(cal, iso), abs=5e-5), iso
        # A median of recent years' applied/MFN, so near the latest WDI applied rate.
        assert abs(mean[iso] - applied[iso]) < 0.006, iso
    # Before: Türkiye 7.5 % against 4.3 % applied (the EU customs union was missing).
    assert mean["TUR"] < 0.047 and cal.tariffs.loc[ROW, "TUR"] < 0.6 * cal.countries.loc[
        "TUR", "tariff_mfn"]


@pytest.mark.skipif(not RAW.is_dir(), reason="needs ../shared/data/raw")
def test_calibrated_importers_charge_the_wdi_share_of_their_mfn_rate(cal: Calibration) -> None:
    from scosim.data.row_tariff import preference_ratios

    ratios = preference_ratios(RAW)
    mean = _weighted_mean(cal, cal.tariffs)
    for iso in WDI_BOTH:
        target = ratios[iso].value * cal.countries.loc[iso, "tariff_mfn"]
        assert mean[iso] == pytest.approx(target, rel=1e-12), iso


def test_shares_are_fractions_and_one_where_nothing_is_calibrated(cal: Calibration) -> None:
    share = cal.countries[ROW_SHARE]
    assert ((share >= 0) & (share <= 1)).all()
    mean = _weighted_mean(cal, cal.tariffs)
    prov = cal.provenance
    rows = prov[(prov["table"] == "countries") & (prov["field"] == ROW_SHARE)].set_index("key")
    for iso in ECONOMIES:
        method = rows.loc[iso, "method"]
        if iso in EAEU + GCC:
            continue
        if rows.loc[iso, "source_id"] != "wb_tariff":  # Heritage applied rates, ROW itself
            assert share[iso] == 1.0, iso
        elif share[iso] == 1.0:  # agreements among the 27 already at or below the target
            assert "bring the mean to or below the target" in method, iso
            assert mean[iso] <= _target(cal, iso) + 5e-5, iso
    assert share[ROW] == 1.0 and share["IND"] == 1.0  # India's applied rate is Heritage c. 2017
    assert share["PAK"] == share["NPL"] == 1.0


def test_a_customs_union_in_force_has_one_share(cal: Calibration) -> None:
    share = cal.countries[ROW_SHARE]
    # One trade policy: the EAEU's five members charge the Rest of World the same rate.
    assert len({share[c] for c in EAEU}) == 1 and 0 < share["RUS"] < 1
    row = cal.tariffs.loc[ROW]
    flat = load_calibration("2023", composition=False).tariffs.loc[ROW]
    assert len({round(flat[c], 15) for c in EAEU}) == 1  # the CET times the share
    assert len({share[c] for c in GCC}) == 1 and 0 < share["SAU"] < 1
    assert row["KGZ"] > 0  # Kyrgyzstan alone would have been fitted to 0


@pytest.mark.skipif(not RAW.is_dir(), reason="needs ../shared/data/raw")
def test_the_eaeu_is_fitted_on_its_members_wdi_targets(cal: Calibration) -> None:
    from scosim.data.row_tariff import preference_ratios

    ratios = preference_ratios(RAW)
    fitted = [c for c in EAEU if c in ratios]
    assert fitted == ["RUS", "KAZ", "KGZ"]  # Belarus and Armenia: Heritage applied rates
    x = cal.trade.loc[list(ECONOMIES), list(ECONOMIES)].to_numpy(dtype=float).copy()
    np.fill_diagonal(x, 0.0)
    imports = pd.Series(x.sum(axis=0), index=list(ECONOMIES))
    mean = _weighted_mean(cal, cal.tariffs)
    mfn = cal.countries["tariff_mfn"]
    aim = sum(ratios[c].value * mfn[c] * imports[c] for c in fitted)
    got = sum(mean[c] * imports[c] for c in fitted)
    assert got == pytest.approx(aim, rel=1e-12)


def test_only_the_rest_of_worlds_row_moves(cal: Calibration) -> None:
    share = cal.countries[ROW_SHARE]
    plain = load_calibration("2023").countries.drop(columns=[ROW_SHARE])
    from scosim.data.psa_margins import margin_map
    from scosim.data.suspension import from_tariffs
    from scosim.data.tariffs import fuel_shares, tariffs_2023

    fuel = fuel_shares(cal.countries)
    susp = {pair: (t, "") for pair, t in from_tariffs(cal.tariffs).items()}
    before = tariffs_2023(plain, cal.trade, cal.agreement_spells, fuel, None, suspension=susp,
                          margins=margin_map(cal.psa_margins))
    # The tables hold 15 significant digits.
    np.testing.assert_allclose(cal.tariffs.drop(index=ROW), before.drop(index=ROW), rtol=1e-14)
    np.testing.assert_allclose(cal.tariffs.loc[ROW], before.loc[ROW] * share, rtol=1e-14)
    assert (cal.tariffs.loc[ROW] < before.loc[ROW] * (1 - 1e-12)).sum() == (share < 1).sum() == 16
    # The flat matrix uses the same shares (one share of imports, whatever the rates).
    flat = load_calibration("2023", composition=False).tariffs
    mfn = cal.countries["tariff_mfn"]
    np.testing.assert_allclose(flat.loc[ROW].drop(ROW), (mfn * share).drop(ROW), rtol=1e-14)


@pytest.mark.skipif(not RAW.is_dir(), reason="needs ../shared/data/raw")
def test_ratios_are_medians_of_the_raw_wdi_years() -> None:
    from scosim.data.row_tariff import RATIO_YEARS, preference_ratios

    raw = pd.read_csv(RAW / "wb_wdi_tariff_weighted_means_2005_2022_partial.csv")
    wide = raw.pivot_table(index=["country_code", "year"], columns="series", values="value")
    ratios = preference_ratios(RAW)
    for iso, r in ratios.items():
        rows = wide.loc[iso].dropna()
        rows = rows[rows.index.isin(list(RATIO_YEARS))]
        app, mfn = rows["TM.TAX.MRCH.WM.AR.ZS"], rows["TM.TAX.MRCH.WM.FN.ZS"]
        assert set(r.years) | set(r.dropped) == set(rows.index), iso
        assert r.value == pytest.approx((app / mfn).loc[list(r.years)].median(), rel=1e-12)
        # A year left out is one with applied = MFN while another year shows a gap.
        assert all(app[y] == mfn[y] and (app < mfn).any() for y in r.dropped), iso
    assert ratios["SAU"].dropped == ratios["KWT"].dropped == (2022,)
    assert ratios["IRN"].dropped == () and ratios["IRN"].value == 1.0  # equal every year
    assert "IND" not in ratios and "BLR" not in ratios  # no WDI weighted means at all


def test_pair_factors_scale_the_external_tariff() -> None:
    base = np.full((3, 3), 0.1) - 0.1 * np.eye(3)
    pf = np.ones((3, 3))
    pf[2, 0] = 0.25  # a quarter of member 0's imports from economy 2 pays the CET
    out = cu.union_tariffs(base, [True, True, False], 0.2, 1.0, pair_factors=pf)[0]
    assert out[2, 0] == pytest.approx(0.05) and out[2, 1] == pytest.approx(0.2)
    half = cu.union_tariffs(base, [True, True, False], 0.2, 0.5, pair_factors=pf)[0]
    assert half[2, 0] == pytest.approx(0.1 + 0.5 * (0.05 - 0.1))
    with pytest.raises(ValueError, match=r"pair_factors must be \(3, 3\) in \[0, 1\]"):
        cu.union_tariffs(base, [True, True, False], 0.2, 1.0, pair_factors=pf * 5)


def _union(replace: bool) -> SCOModel:
    sc = validate_data({
        "name": "row", "years": {"start": 2025, "end": 2026}, "replications": 1,
        "parameters": {"rules": {"vote": "always_yes", "defect": "never_defect"}},
        "proposals": [{"type": "customs_union", "id": "cu", "year": 2025, "proposer": "CHN",
                       "participants": ["CHN", "TUR"], "replace_preferences": replace,
                       "phase_in": 1.0, "cet": 0.05}],
    })
    m = SCOModel(sc)
    m.run_model()
    return m


def test_a_union_keeps_the_preferences_with_the_rest_of_the_world(cal: Calibration) -> None:
    share = cal.countries[ROW_SHARE]
    kept, replaced = _union(False), _union(True)
    r, tur, chn = (kept.codes.index(c) for c in (ROW, "TUR", "CHN"))
    t_kept, t_repl = kept.tariffs[0], replaced.tariffs[0]
    for j, iso in ((tur, "TUR"), (chn, "CHN")):
        # The same CET schedule, of which the Rest of World's MFN share pays.
        assert t_kept[r, j] == pytest.approx(share[iso] * t_repl[r, j], rel=1e-12), iso
    ev = replaced.log.to_frame()
    assert "TUR" in set(ev.loc[ev["type"] == "breaks_agreement", "country"])
    assert not (kept.log.to_frame()["type"] == "breaks_agreement").any()


def test_replacing_preferences_outside_the_27_is_logged() -> None:
    # None of these has an agreement among the 27 with an outsider that the CET would
    # override except Iran: the others break only their preferences with the Rest of World.
    sc = validate_data({
        "name": "row", "years": {"start": 2025, "end": 2025}, "replications": 1,
        "parameters": {"rules": {"vote": "always_yes", "defect": "never_defect"}},
        "proposals": [{"type": "customs_union", "id": "cu", "year": 2025, "proposer": "RUS",
                       "participants": ["RUS", "TJK", "UZB", "AZE", "TKM", "IRN"],
                       "replace_preferences": True, "phase_in": 1.0, "cet": 0.05}],
    })
    m = SCOModel(sc)
    m.run_model()
    ev = m.log.to_frame()
    broken = set(ev.loc[ev["type"] == "breaks_agreement", "country"])
    # Tajikistan and Uzbekistan (shares below 1) and the EAEU bloc Russia brings in.
    assert {"TJK", "UZB", "RUS", "KAZ", "KGZ", "BLR", "ARM"} <= broken
    assert not {"AZE", "TKM"} & broken  # share 1 and no preference with an outsider


def test_a_joiner_that_replaces_its_preferences_is_logged() -> None:
    from scosim.scenario import load_scenario

    base = load_scenario(SCENARIOS / "customs_union.yaml")
    props = [p.model_dump(exclude_none=True) for p in base.proposals]
    props[0]["replace_preferences"] = True
    sc = load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 1, "years.end": 2030, "parameters.rules.defect": "never_defect",
        "proposals": [*props, {"type": "accession", "id": "tur", "year": 2029,
                               "applicant": "TUR"}]})
    m = SCOModel(sc)
    m.run_model()
    ev = m.log.to_frame()
    assert set(ev.loc[ev["type"] == "joined", "country"]) == {"TUR"}
    joined = int(ev.loc[ev["type"] == "joined", "year"].iloc[0])
    broke = ev[(ev["type"] == "breaks_agreement") & (ev["country"] == "TUR")]
    assert list(broke["year"]) == [joined]
