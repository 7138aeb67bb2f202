"""Packaged calibration tables: schema, identities and provenance (no raw data needed)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math

import numpy as np
import pandas as pd
import pytest

from scosim.data import (
    EAEU,
    ECONOMIES,
    LISTED,
    MEMBERS,
    ROW,
    Calibration,
    load_calibration,
)
from scosim.data.calibration import TABLES_DIR, VERSIONS

METHOD_PREFIXES = ("reported", "imputed:", "fallback:", "derived:", "missing")


@pytest.fixture(scope="module")
def cal() -> Calibration:
    return load_calibration()


def test_codes_and_order(cal: Calibration) -> None:
    assert len(ECONOMIES) == 28 and len(set(ECONOMIES)) == 28
    assert ECONOMIES[-1] == ROW == "ROW"
    assert MEMBERS == ("CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ", "TJK", "UZB", "BLR")
    assert tuple(cal.countries.index) == ECONOMIES
    assert tuple(cal.trade.index) == ECONOMIES == tuple(cal.trade.columns)
    assert tuple(cal.tariffs.index) == ECONOMIES == tuple(cal.tariffs.columns)
    status = cal.countries["sco_status"]
    assert (status.loc[list(MEMBERS)] == "member").all()
    assert status.loc["ROW"] == "row" and status.loc["TKM"] == "other"
    assert set(status) == {"member", "observer", "partner", "other", "row"}


def test_loader_is_cached_and_frozen(cal: Calibration) -> None:
    assert load_calibration() is cal
    assert load_calibration("2023") is cal and cal.data_version == "2023"
    assert load_calibration("2019") is not cal
    with pytest.raises(dataclasses.FrozenInstanceError):
        cal.base_year = 1999  # type: ignore[misc]
    assert cal.base_year == 2023
    # Matrix accessors hand out copies, so callers cannot corrupt the shared cache.
    x = cal.trade_matrix()
    x[0, 0] = -1.0
    assert cal.trade.iloc[0, 0] > 0


@pytest.mark.parametrize("version", VERSIONS)
def test_manifest_hashes_match_files(version: str) -> None:
    cal = load_calibration(version)
    folder = TABLES_DIR / version
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["base_year"] == cal.base_year
    assert manifest["data_version"] == version == cal.data_version
    digest = hashlib.sha256()
    for fname, expected in sorted(manifest["tables_sha256"].items()):
        data = (folder / fname).read_bytes()
        assert hashlib.sha256(data).hexdigest() == expected, fname
        digest.update(fname.encode())
        digest.update(data)
    assert cal.version.endswith(digest.hexdigest()[:12])
    assert f"-v{version}+" in cal.version
    assert "build_date" not in json.dumps(manifest)
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert total < 1_000_000


def test_version_selection_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOSIM_DATA_VERSION", "2019")
    assert load_calibration().data_version == "2019"
    monkeypatch.setenv("SCOSIM_DATA_VERSION", "1999")
    with pytest.raises(ValueError, match=r"SCOSIM_DATA_VERSION.*'1999'.*2023, 2019"):
        load_calibration()
    monkeypatch.delenv("SCOSIM_DATA_VERSION")
    assert load_calibration().data_version == "2023"
    with pytest.raises(ValueError, match="allowed: 2023, 2019"):
        load_calibration("2020")
    with pytest.raises(ValueError, match="composition=False needs version 2023"):
        load_calibration("2019", composition=False)
    flat = load_calibration("2023", composition=False)
    assert not flat.composition and load_calibration().composition
    # Same flows and MFN rates; only the split of each importer's rate across suppliers moves.
    assert flat.trade.equals(load_calibration().trade)
    assert not flat.tariffs.equals(load_calibration().tariffs)


@pytest.mark.parametrize("version", VERSIONS)
def test_trade_cells_non_negative_and_complete(version: str) -> None:
    x = load_calibration(version).trade_matrix()
    assert x.shape == (28, 28)
    assert np.isfinite(x).all()
    assert (x >= 0).all()
    # Every economy buys from itself more than nothing.
    assert (np.diag(x) > 0).all()


@pytest.mark.parametrize("version", VERSIONS)
def test_trade_margins_match_documented_definitions(version: str) -> None:
    """Row sums = domestic sales + CIF-valued exports; column sums = domestic + imports."""
    cal = load_calibration(version)
    c = cal.countries
    x = cal.trade_matrix()
    k = len(LISTED)
    off = x - np.diag(np.diag(x))
    world_m = c["imports_usd"].sum()  # ROW closes with World, so this is WDI world imports
    world_x = c["exports_usd"].sum()
    cif = world_m / world_x
    tol = 28.0  # whole-dollar rounding of up to 28 cells
    np.testing.assert_allclose(off[:k].sum(axis=1), c["exports_usd"].iloc[:k] * cif, atol=tol)
    np.testing.assert_allclose(off[:, :k].sum(axis=0), c["imports_usd"].iloc[:k], atol=tol)
    np.testing.assert_allclose(np.diag(x)[:k], c["domestic_sales_usd"].iloc[:k], atol=1.0)
    # All international trade (incl. intra-ROW, inside X[ROW, ROW]) adds up to world imports.
    intra_row = x[k, k] - c.loc[ROW, "domestic_sales_usd"]
    assert intra_row > 0
    assert math.isclose(off.sum() + intra_row, world_m, rel_tol=1e-9)
    assert 1.0 < cif < 1.05


def test_domestic_sales_floor(cal: Calibration) -> None:
    c = cal.countries
    ratio = c["domestic_sales_usd"] / c["gdp_usd"]
    assert (ratio >= 0.1 - 1e-12).all()
    hubs = ratio[np.isclose(ratio, 0.1)].index.tolist()
    assert "ARE" in hubs  # merchandise exports exceed GDP in the UAE (re-exports)
    p = cal.provenance
    floored = p[(p["field"] == "domestic_sales_usd") & p["method"].str.startswith("imputed:floor")]
    assert sorted(floored["key"]) == sorted(hubs)


def test_tariff_matrix_2019_is_mfn_with_eaeu_zero() -> None:
    cal = load_calibration("2019")
    tau = cal.tariff_matrix()
    mfn = cal.countries["tariff_mfn"].to_numpy()
    assert np.isfinite(tau).all() and (tau >= 0).all() and (tau < 0.5).all()
    assert (np.diag(tau) == 0).all()
    idx = {e: n for n, e in enumerate(ECONOMIES)}
    for i in ECONOMIES:
        for j in ECONOMIES:
            if i == j:
                continue
            expected = 0.0 if (i in EAEU and j in EAEU) else mfn[idx[j]]
            assert tau[idx[i], idx[j]] == expected, (i, j)
    c = cal.countries
    assert (c["tariff_applied"] <= c["tariff_mfn"] + 1e-12).all()


def test_tariff_matrix_2023_bounds_and_mfn_mean(cal: Calibration) -> None:
    """Each importer's import-weighted mean over non-preferential suppliers stays near MFN."""
    tau = cal.tariff_matrix()
    assert np.isfinite(tau).all() and (tau >= 0).all() and (np.diag(tau) == 0).all()
    # Only the India-Pakistan suspension is far above any MFN rate (the next highest,
    # Egypt's on Cambodian goods, is 22.7 %).
    big = {(ECONOMIES[a], ECONOMIES[b]) for a, b in zip(*np.nonzero(tau > 0.3), strict=True)}
    assert big == {("PAK", "IND"), ("IND", "PAK")}
    flat = load_calibration(composition=False).tariffs
    mfn = cal.countries["tariff_mfn"]
    for j in ECONOMIES:
        col = flat[j].drop(j)
        # Without the composition adjustment every partner without an agreement pays MFN.
        mfn_cells = col[np.isclose(col, mfn[j])]
        assert len(mfn_cells) >= 1, j


def test_every_country_figure_has_one_provenance_row(cal: Calibration) -> None:
    p = cal.provenance
    assert set(p["source_id"]) <= set(cal.sources.index)
    assert p["method"].map(lambda m: m.startswith(METHOD_PREFIXES)).all()
    cp = p[p["table"] == "countries"]
    assert not cp.duplicated(["key", "field"]).any()
    for field in cal.countries.columns.drop("name"):
        rows = cp[cp["field"] == field].set_index("key")
        assert set(rows.index) == set(ECONOMIES), field
        for iso in ECONOMIES:
            value = cal.countries.loc[iso, field]
            is_missing = value is pd.NA or (isinstance(value, float) and math.isnan(value))
            assert (rows.loc[iso, "method"] == "missing") == is_missing, (field, iso)


def test_known_gaps_are_missing_not_zero(cal: Calibration) -> None:
    c = cal.countries
    assert math.isnan(c.loc["MDV", "gti_score"])  # GTI has no Maldives
    assert math.isnan(c.loc["TKM", "drug_seizures_kg"])  # UNODC has no Turkmenistan
    assert math.isnan(c.loc["UZB", "milex_usd"])  # SIPRI '...' for Uzbekistan
    assert cal.source_of("milex_usd", "UZB")["method"] == "missing"
    tariff = load_calibration("2019").source_of("tariff_mfn", "IND")
    assert tariff["source_id"] == "heritage_2019" and tariff["method"].startswith("fallback:")
    for iso in ("TKM", "AFG", "MNG", "MDV"):  # no better source in the raw data: named
        assert cal.source_of("tariff_mfn", iso)["source_id"] == "heritage_2019", iso
    assert cal.source_of("tariff_mfn", "IND")["source_id"] == "wits_ahs"
    assert cal.source_of("tariff_mfn", "ROW")["method"].startswith("imputed:")


def test_source_of_errors_name_what_is_allowed(cal: Calibration) -> None:
    with pytest.raises(KeyError, match="allowed"):
        cal.source_of("gdp_per_alien", "KAZ")
    with pytest.raises(KeyError, match="unknown key"):
        cal.source_of("gdp_usd", "XXX")
    with pytest.raises(KeyError, match="unknown table"):
        cal.source_of("value", "KAZ-RUS", table="nope")
    row = load_calibration("2019").source_of("value", "KAZ-RUS", table="trade")
    assert row["source_id"] == "scosim_rule" and row["method"].startswith("derived:RAS")
    row = cal.source_of("value", "KAZ-CHN", table="trade")
    assert row["source_id"] == "wits_2023" and row["method"] == "reported:importer_cif"
    row = cal.source_of("value", "KAZ-RUS", table="trade")  # Russia did not report in 2023
    assert row["source_id"] == "wits_2023" and row["method"].startswith("fallback:exporter_fob")
    assert cal.source_of("value", "BLR-RUS", table="trade")["source_id"] == "imf_dots"
    assert cal.source_of("value", "PAK-IND", table="tariffs")["source_id"] == "ind_pak_suspension"


def test_geography(cal: Calibration) -> None:
    g = cal.geography
    assert len(g) == 28 * 28
    assert not g.duplicated(["exporter", "importer"]).any()
    assert g.notna().all().all()
    for col in ("dist_km", "distcap_km", "distw_km"):
        assert (g[col] > 0).all()
    for col in ("contig", "comlang_off", "comlang_ethno", "colony"):
        assert g[col].between(0, 1).all()
    d = cal.pair_matrix("distcap_km")
    listed = slice(0, 27)
    # Capital-to-capital great-circle distances are symmetric.
    np.testing.assert_allclose(d[listed, listed], d[listed, listed].T, rtol=1e-6)
    with pytest.raises(KeyError, match="allowed"):
        cal.pair_matrix("altitude")


def test_capital_coordinates_agree_with_geodist_distances(cal: Calibration) -> None:
    """Haversine distance between packaged capitals ~ GeoDist distcap (external identity)."""
    c = cal.countries
    d = cal.pair_matrix("distcap_km")
    idx = {e: n for n, e in enumerate(ECONOMIES)}

    def haversine(a: str, b: str) -> float:
        la1, lo1, la2, lo2 = map(
            math.radians,
            (
                c.loc[a, "capital_lat"],
                c.loc[a, "capital_lon"],
                c.loc[b, "capital_lat"],
                c.loc[b, "capital_lon"],
            ),
        )
        h = (
            math.sin((la2 - la1) / 2) ** 2
            + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
        )
        return 2 * 6371.0 * math.asin(math.sqrt(h))

    for a, b in (("CHN", "RUS"), ("IND", "UZB"), ("KAZ", "TUR"), ("EGY", "MNG"), ("LKA", "BLR")):
        assert haversine(a, b) == pytest.approx(d[idx[a], idx[b]], rel=0.01), (a, b)


def test_growth_parameters_plausible(cal: Calibration) -> None:
    c = cal.countries
    assert c["gdp_growth_sd"].gt(0).all()
    # Nominal US$ growth of the world outside the 27 over 2010-2023: a few percent a year.
    assert 0.0 < c.loc["ROW", "gdp_growth_trend"] < 0.08
    # China's nominal US$ GDP grew much faster than the rest of the world over the window.
    assert c.loc["CHN", "gdp_growth_trend"] > 2 * c.loc["ROW", "gdp_growth_trend"]


def test_vector_accessor(cal: Calibration) -> None:
    gdp = cal.vector("gdp_usd")
    assert gdp.shape == (28,) and gdp.dtype == float
    # ROW closes World: the 28 entries add up to WDI's world GDP of the base year
    # (NY.GDP.MKTP.CD, WLD, 2023, raw file wdi_ny_gdp_mktp_cd.csv, SOURCES.md 1), and the
    # listed entries are WDI's own figures (Kyrgyzstan's, from the same file).
    world_2023 = 107348614073350.0
    assert cal.base_year == 2023
    assert gdp.sum() == pytest.approx(world_2023, rel=1e-12)
    assert gdp[ECONOMIES.index("KGZ")] == pytest.approx(15180842369.4894, rel=1e-12)
    assert gdp[-1] == pytest.approx(world_2023 - gdp[:-1].sum(), rel=1e-12)
    assert np.isnan(cal.vector("milex_usd")[ECONOMIES.index("UZB")])
    gdp[0] = 0.0
    assert cal.countries.loc["CHN", "gdp_usd"] > 0
    with pytest.raises(KeyError, match="allowed"):
        cal.vector("sco_status")


def test_belarus_is_landlocked(cal: Calibration) -> None:
    # CEPII's geo file gives Belarus a coast; the Factbook's coastline is 0 km
    assert bool(cal.countries.loc["BLR", "landlocked"]) is True
    assert cal.source_of("landlocked", "BLR")["source_id"] == "cia_factbook"
    assert bool(cal.countries.loc["KAZ", "landlocked"]) is True  # CEPII's own, reported


def test_fuel_shares_are_read_before_a_reporting_break_and_alike_in_both_builds(
    cal: Calibration,
) -> None:
    # Bahrain's WDI share falls from 30 % (2020) to 0.05 % (2021): a change of reporting.
    # Read as 0.25 % (2023), it made India's tariff on Bahraini goods 15.7 % against the
    # AHS excerpt's 10.1 % and cut Bahrain's banks off from the oil price.
    from scosim.data.raw import fuel_share
    from scosim.finance.system import FinanceSystem

    tab = {"BHR": {2019: 42.0, 2020: 29.8, 2021: 0.05, 2023: 0.25},
           "TKM": {2000: 81.0}, "KAZ": {2022: 60.0, 2023: 55.0}}
    assert fuel_share(tab, "BHR", 2019, 2023)[:2] == (29.8, 2020)
    assert fuel_share(tab, "KAZ", 2019, 2023)[:2] == (55.0, 2023)
    v, yr, how = fuel_share(tab, "TKM", 2019, 2023)
    assert (v, yr) == (81.0, 2000) and how.startswith("fallback:")
    assert 25 < cal.countries.loc["BHR", "fuel_exports_pct"] < 35
    fs = FinanceSystem()
    gdp_share = fs.data.fuel_exports_gdp[fs.codes.index("BHR")]
    assert gdp_share > 0.1  # fuel exports against GDP, was 0.0014
    bahrain = cal.tariffs.loc["BHR", "IND"]  # India's tariff on Bahrain's exports
    assert 0.09 < bahrain < 0.12  # the AHS excerpt: 10.1 %


def test_a_misspelt_column_is_said_with_its_near_miss(cal: Calibration) -> None:
    """A plug-in author's typo dumped the 27 columns as a quoted Python list, no near
    miss (an outside review, 2026-12-07). Still a KeyError, which callers catch."""
    with pytest.raises(KeyError) as err:
        cal.vector("net_energy_import_pct")
    said = str(err.value)
    assert said.startswith("unknown or non-numeric countries column 'net_energy_import_pct' "
                           "(did you mean 'net_energy_imports_pct'?); allowed: gdp_usd, ")
    assert "[" not in said and not said.startswith('"')
    # Every numeric column is listed, and text columns are not.
    listed = said.split("allowed: ")[1].split(", ")
    assert listed == [c for c in cal.countries.columns
                      if c not in ("name", "sco_status", "status_since")]
    with pytest.raises(KeyError, match="'name'; allowed"):  # a text column: no near miss
        cal.vector("name")
