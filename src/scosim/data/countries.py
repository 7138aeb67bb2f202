"""The ``countries`` table: levels, growth, geography, security, finance and energy.

Country-level tariffs are filled by :func:`scosim.data.tariffs.country_tariffs_into`.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from scosim.data.constants import ECONOMIES, LISTED, NAMES, ROW, STATUS
from scosim.data.raw import (
    ATS,
    BASE_YEAR,
    DOMESTIC_FLOOR,
    EI_NAMES,
    GROWTH_WINDOW,
    OPIATES,
    OWID_NAMES,
    RAW_FILES,
    SIPRI_NAMES,
    Prov,
    RawDataError,
    fuel_share,
    grid_latest,
    latest,
    need,
    numeric,
    read,
    read_sheet_grid,
    read_wdi,
    require_labels,
)


def country_records(
    raw_dir: Path, prov: Prov, totals: dict[tuple[str, str], tuple[float, str, str]] | None = None
) -> tuple[dict[str, dict[str, object]], dict[str, float]]:
    """Country figures as ``{iso3: {field: value}}`` without tariffs, plus world aggregates.

    Args:
        raw_dir: Raw data directory.
        prov: Provenance collector (one row per figure is added).
        totals: Replacements of WDI trade totals, ``{(iso3, "exports_usd" | "imports_usd"):
            (value, source_id, method)}`` (data version 2023: WITS mirror totals where the
            partners' records exceed the WDI total).

    Returns:
        The records and ``{"WLD_X", "WLD_M"}`` (world merchandise exports, imports, US$).
    """
    gdp = read_wdi(raw_dir, "gdp")
    pop = read_wdi(raw_dir, "pop")
    mx = read_wdi(raw_dir, "exports")
    mm = read_wdi(raw_dir, "imports")
    y = BASE_YEAR
    rec: dict[str, dict[str, object]] = {iso: {} for iso in ECONOMIES}

    for iso in ECONOMIES:
        status, since, sid = STATUS[iso]
        rec[iso]["name"] = NAMES[iso]
        rec[iso]["sco_status"] = status
        rec[iso]["status_since"] = since
        prov.add("countries", iso, "sco_status", sid, "reported" if iso != ROW else "derived:rule")
        prov.add("countries", iso, "status_since", sid, "reported" if since else "missing")

    for field, table, sid, key in (
        ("gdp_usd", gdp, "wdi_gdp", "gdp"),
        ("population", pop, "wdi_pop", "pop"),
        ("exports_usd", mx, "wdi_exports", "exports"),
        ("imports_usd", mm, "wdi_imports", "imports"),
    ):
        fname = RAW_FILES[key]
        world = need(table, "WLD", y, fname)
        for iso in LISTED:
            if totals and (iso, field) in totals:
                value, source, method = totals[(iso, field)]
                rec[iso][field] = value
                prov.add("countries", iso, field, source, method, y)
                continue
            rec[iso][field] = need(table, iso, y, fname)
            prov.add("countries", iso, field, sid, "reported", y)
        rest = world - math.fsum(float(rec[iso][field]) for iso in LISTED)  # type: ignore[arg-type]
        if rest <= 0:
            raise RawDataError(f"{fname}: World {y} is not larger than the sum of the 27 economies")
        rec[ROW][field] = rest
        prov.add("countries", ROW, field, sid, "derived:WLD-sum(27)", y)

    # Nominal US$ growth: mean and sd of annual log changes over the window.
    g0, g1 = GROWTH_WINDOW
    series: dict[str, dict[int, float]] = {iso: dict(gdp.get(iso, {})) for iso in LISTED}
    row_series: dict[int, float] = {}
    for t in range(g0, g1 + 1):
        if t in gdp.get("WLD", {}) and all(t in series[i] for i in LISTED):
            row_series[t] = gdp["WLD"][t] - math.fsum(series[i][t] for i in LISTED)
    series[ROW] = row_series
    for iso in ECONOMIES:
        s = series[iso]
        g = [math.log(s[t] / s[t - 1]) for t in range(g0 + 1, g1 + 1) if t in s and t - 1 in s]
        if len(g) < 10:
            raise RawDataError(f"{RAW_FILES['gdp']}: fewer than 10 growth years for {iso}")
        # Exact sums (math.fsum): the figures must not depend on the summation order.
        mean = math.fsum(g) / len(g)
        rec[iso]["gdp_growth_trend"] = mean
        rec[iso]["gdp_growth_sd"] = math.sqrt(math.fsum((v - mean) ** 2 for v in g) / (len(g) - 1))
        method = f"derived:mean/sd of dlog(GDP current US$) {g0}-{g1}, n={len(g)}"
        if iso == ROW:
            method += ", ROW=WLD-sum(27)"
        prov.add("countries", iso, "gdp_growth_trend", "wdi_gdp", method)
        prov.add("countries", iso, "gdp_growth_sd", "wdi_gdp", method)

    # Domestic sales (diagonal of the trade matrix): GDP minus merchandise exports, floored.
    for iso in ECONOMIES:
        g, x = float(rec[iso]["gdp_usd"]), float(rec[iso]["exports_usd"])  # type: ignore[arg-type]
        d = g - x
        if d < DOMESTIC_FLOOR * g:
            rec[iso]["domestic_sales_usd"] = DOMESTIC_FLOOR * g
            prov.add(
                "countries",
                iso,
                "domestic_sales_usd",
                "scosim_rule",
                f"imputed:floor {DOMESTIC_FLOOR}*gdp_usd (gdp-exports below floor)",
                y,
            )
        else:
            rec[iso]["domestic_sales_usd"] = d
            prov.add(
                "countries",
                iso,
                "domestic_sales_usd",
                "scosim_rule",
                "derived:gdp_usd-exports_usd",
                y,
            )

    _geo_into(raw_dir, rec, prov)
    _security_into(raw_dir, rec, gdp, prov)
    _finance_energy_into(raw_dir, rec, prov)
    aggregates = {
        "WLD_X": need(mx, "WLD", y, RAW_FILES["exports"]),
        "WLD_M": need(mm, "WLD", y, RAW_FILES["imports"]),
    }
    return rec, aggregates


def countries_frame(rec: dict[str, dict[str, object]]) -> pd.DataFrame:
    """The ``countries`` table from complete records, in canonical order and column order."""
    df = pd.DataFrame.from_dict(rec, orient="index").loc[list(ECONOMIES)]
    df.index.name = "iso3"
    df["status_since"] = df["status_since"].astype("Int64")
    df["landlocked"] = df["landlocked"].astype("boolean")
    return df[COUNTRY_COLUMNS]


#: Columns of the countries table, in order (units in the names or in docs/data.md).
COUNTRY_COLUMNS = [
    "name",
    "sco_status",
    "status_since",
    "gdp_usd",
    "population",
    "exports_usd",
    "imports_usd",
    "domestic_sales_usd",
    "gdp_growth_trend",
    "gdp_growth_sd",
    "tariff_mfn",
    "tariff_applied",
    "tariff_row_mfn_share",
    "landlocked",
    "capital_lat",
    "capital_lon",
    "gti_score",
    "gti_incidents",
    "milex_share_gdp",
    "milex_usd",
    "drug_seizures_kg",
    "drug_seizures_opiates_kg",
    "npl_pct",
    "bank_capital_assets_pct",
    "private_credit_pct_gdp",
    "primary_energy_ej",
    "oil_production_kbd",
    "gas_production_bcm",
    "net_energy_imports_pct",
    "fuel_exports_pct",
]


#: CEPII's landlocked flag against the Factbook's coastline (Belarus: 0 km, CEPII 0 = coast).
LANDLOCKED_CORRECTED: dict[str, bool] = {"BLR": True}


def _geo_into(raw_dir: Path, rec: dict[str, dict[str, object]], prov: Prov) -> None:
    fname = RAW_FILES["geo"]
    g = read(
        raw_dir, "geo", ["iso3", "landlocked", "lat", "lon", "cap"], sep=";", encoding="latin-1"
    )
    g = g[g["cap"] == 1]
    for iso in LISTED:
        rows = g[g["iso3"] == iso]
        if len(rows) != 1:
            raise RawDataError(
                f"{fname}: expected one capital row (cap==1) for {iso}, got {len(rows)}"
            )
        r = rows.iloc[0]
        rec[iso]["landlocked"] = bool(int(r["landlocked"]))
        rec[iso]["capital_lat"] = float(r["lat"])
        rec[iso]["capital_lon"] = float(r["lon"])
        for f in ("capital_lat", "capital_lon"):
            prov.add("countries", iso, f, "cepii_geodist", "reported")
        if iso in LANDLOCKED_CORRECTED:
            rec[iso]["landlocked"] = LANDLOCKED_CORRECTED[iso]
            prov.add("countries", iso, "landlocked", "cia_factbook",
                     f"derived:corrected (CEPII has {int(r['landlocked'])}; coastline 0 km)")
        else:
            prov.add("countries", iso, "landlocked", "cepii_geodist", "reported")
    rec[ROW]["landlocked"] = False
    rec[ROW]["capital_lat"] = math.nan
    rec[ROW]["capital_lon"] = math.nan
    prov.add("countries", ROW, "landlocked", "scosim_rule", "derived:rule (aggregate has coasts)")
    prov.add("countries", ROW, "capital_lat", "scosim_rule", "missing")
    prov.add("countries", ROW, "capital_lon", "scosim_rule", "missing")


def _set(
    rec: dict[str, dict[str, object]],
    prov: Prov,
    iso: str,
    field: str,
    value: float,
    year: int | None,
    source: str,
    method: str = "reported",
) -> None:
    rec[iso][field] = value
    if math.isnan(value):
        prov.add("countries", iso, field, source, "missing")
    else:
        prov.add("countries", iso, field, source, method, year)


#: Listed economies the Global Terrorism Index 2023 does not cover (docs/data.md).
GTI_ABSENT = ("MDV",)


def _security_into(
    raw_dir: Path,
    rec: dict[str, dict[str, object]],
    gdp: dict[str, dict[int, float]],
    prov: Prov,
) -> None:
    fname = RAW_FILES["gti"]
    gti = read(raw_dir, "gti", ["iso3c", "Score", "Incidents", "Year"])
    gti = gti.assign(Score=numeric(gti, "Score", fname), Incidents=numeric(gti, "Incidents", fname),
                     Year=numeric(gti, "Year", fname))
    # The GTI covers every listed economy but the Maldives (docs/data.md): a country
    # without a row is a file cut short at a line boundary, not a figure to leave blank.
    absent = sorted(set(LISTED) - set(GTI_ABSENT) - set(gti["iso3c"]))
    if absent:
        raise RawDataError(f"{fname}: no row for {', '.join(absent)} (only "
                           f"{', '.join(GTI_ABSENT)} is absent from the GTI 2023)")
    if gti["Year"].isna().any():
        raise RawDataError(f"{fname}: a row without a year (line "
                           f"{int(gti.index[gti['Year'].isna()][0]) + 2})")
    for iso in LISTED:
        sub = gti[gti["iso3c"] == iso]
        if sub.empty:
            _set(rec, prov, iso, "gti_score", math.nan, None, "gti_2023")
            _set(rec, prov, iso, "gti_incidents", math.nan, None, "gti_2023")
            continue
        last = sub.loc[sub["Year"].idxmax()]
        yr = int(last["Year"])
        _set(rec, prov, iso, "gti_score", float(last["Score"]), yr, "gti_2023")
        _set(rec, prov, iso, "gti_incidents", float(last["Incidents"]), yr, "gti_2023")
    _set(rec, prov, ROW, "gti_score", math.nan, None, "gti_2023")
    _set(rec, prov, ROW, "gti_incidents", math.nan, None, "gti_2023")

    usd = read_sheet_grid(raw_dir, "sipri_usd", "Country")
    share = read_sheet_grid(raw_dir, "sipri_gdp", "Country")
    wdi = read_wdi(raw_dir, "wdi_milex")
    require_labels(usd, SIPRI_NAMES.values(), "sipri_usd")
    require_labels(share, SIPRI_NAMES.values(), "sipri_gdp")
    for iso in LISTED:
        name = SIPRI_NAMES.get(iso, "")
        v, yr = grid_latest(usd, name, 2019, BASE_YEAR)
        _set(rec, prov, iso, "milex_usd", v * 1e6, yr, "sipri_milex", "reported:latest 2019-2023")
        s, ys = grid_latest(share, name, 2019, BASE_YEAR)
        if not math.isnan(s):
            _set(
                rec, prov, iso, "milex_share_gdp", s, ys, "sipri_milex", "reported:latest 2019-2023"
            )
        else:
            w, yw = latest(wdi, iso, 2019, BASE_YEAR)
            _set(
                rec, prov, iso, "milex_share_gdp", w / 100.0, yw, "wdi_milex", "fallback:wdi_milex"
            )
    w, yw = latest(wdi, "WLD", 2019, BASE_YEAR)
    _set(
        rec,
        prov,
        ROW,
        "milex_share_gdp",
        w / 100.0,
        yw,
        "wdi_milex",
        "fallback:wdi_milex World aggregate (incl. the 27)",
    )
    _set(rec, prov, ROW, "milex_usd", math.nan, None, "sipri_milex")

    fname = RAW_FILES["unodc"]
    u = read(raw_dir, "unodc", ["msCode", "DrugName", "Reference year", "Kilograms"])
    u = u.assign(kg=numeric(u, "Kilograms", fname))
    for iso in LISTED:
        sub = u[(u["msCode"] == iso) & u["DrugName"].isin(OPIATES + ATS)]
        if sub.empty:
            _set(rec, prov, iso, "drug_seizures_kg", math.nan, None, "unodc_wdr2024")
            _set(rec, prov, iso, "drug_seizures_opiates_kg", math.nan, None, "unodc_wdr2024")
            continue
        yr = int(sub["Reference year"].max())
        last = sub[sub["Reference year"] == yr]
        total = math.fsum(last["kg"])
        opi = math.fsum(last.loc[last["DrugName"].isin(OPIATES), "kg"])
        m = "derived:sum of Heroin+Illicit morphine+Opium+Methamphetamine+Amphetamine, latest year"
        _set(rec, prov, iso, "drug_seizures_kg", total, yr, "unodc_wdr2024", m)
        _set(
            rec,
            prov,
            iso,
            "drug_seizures_opiates_kg",
            opi,
            yr,
            "unodc_wdr2024",
            "derived:sum of Heroin+Illicit morphine+Opium, latest year",
        )
    _set(rec, prov, ROW, "drug_seizures_kg", math.nan, None, "unodc_wdr2024")
    _set(rec, prov, ROW, "drug_seizures_opiates_kg", math.nan, None, "unodc_wdr2024")


def _finance_energy_into(raw_dir: Path, rec: dict[str, dict[str, object]], prov: Prov) -> None:
    for field, key, sid in (
        ("npl_pct", "npl", "wdi_npl"),
        ("bank_capital_assets_pct", "bankcap", "wdi_bankcap"),
        ("private_credit_pct_gdp", "credit", "wdi_credit"),
        ("net_energy_imports_pct", "energy_imp", "wdi_energy_imports"),
        ("fuel_exports_pct", "fuel_exp", "wdi_fuel_exports"),
    ):
        tab = read_wdi(raw_dir, key)
        for iso in LISTED:
            if field == "fuel_exports_pct":
                # The tariffs' composition adjustment (and a union's external tariff
                # schedule) needs every exporter's share; the banks' build reads the same.
                v, yr, method = fuel_share(tab, iso, 2019, BASE_YEAR)
            else:
                v, yr = latest(tab, iso, 2019, BASE_YEAR)
                method = "reported:latest 2019-2023"
            _set(rec, prov, iso, field, v, yr, sid, method)
        v, yr = latest(tab, "WLD", 2019, BASE_YEAR)
        _set(rec, prov, ROW, field, v, yr, sid, "fallback:WDI World aggregate (incl. the 27)")

    pe = read_sheet_grid(raw_dir, "ei_pe", "Exajoules")
    oil = read_sheet_grid(raw_dir, "ei_oil", "Thousand barrels daily")
    gas = read_sheet_grid(raw_dir, "ei_gas", "Billion cubic metres")
    # EI lists Bahrain and Myanmar only in the production sheets.
    require_labels(pe, [EI_NAMES[i] for i in EI_NAMES if i not in ("BHR", "MMR")], "ei_pe")
    require_labels(gas, [EI_NAMES[i] for i in ("RUS", "IRN", "QAT", "TKM", "BHR", "MMR")], "ei_gas")
    require_labels(oil, [EI_NAMES[i] for i in ("RUS", "SAU", "KAZ", "AZE", "TKM")], "ei_oil")
    ofile = RAW_FILES["owid_pe"]
    col = "Primary energy consumption (TWh)"
    ow = read(raw_dir, "owid_pe", ["Country", "Year", col])
    ow = ow.assign(v=numeric(ow, col, ofile))
    for iso in LISTED:
        name = EI_NAMES.get(iso, "")
        v, yr = grid_latest(pe, name, BASE_YEAR, BASE_YEAR)
        if not math.isnan(v):
            _set(rec, prov, iso, "primary_energy_ej", v, yr, "ei_sr2024")
        else:
            sub = ow[(ow["Country"] == OWID_NAMES[iso]) & ow["v"].notna()]
            if sub.empty:
                _set(rec, prov, iso, "primary_energy_ej", math.nan, None, "owid_energy")
            else:
                last = sub.loc[sub["Year"].idxmax()]
                # 1 TWh = 3.6 PJ = 0.0036 EJ (exact).
                _set(
                    rec,
                    prov,
                    iso,
                    "primary_energy_ej",
                    float(last["v"]) * 0.0036,
                    int(last["Year"]),
                    "owid_energy",
                    "fallback:owid_energy TWh*0.0036",
                )
        for field, grid in (("oil_production_kbd", oil), ("gas_production_bcm", gas)):
            v, yr = grid_latest(grid, name, BASE_YEAR, BASE_YEAR)
            _set(rec, prov, iso, field, v, yr, "ei_sr2024")
    for field, grid, label in (
        ("primary_energy_ej", pe, "Total World"),
        ("oil_production_kbd", oil, "Total World"),
        ("gas_production_bcm", gas, "Total World"),
    ):
        world, yr = grid_latest(grid, label, BASE_YEAR, BASE_YEAR)
        listed = [float(rec[i][field]) for i in LISTED]  # type: ignore[arg-type]
        # Countries absent from the EI sheets are small; the residual slightly overstates ROW.
        rest = world - math.fsum(v for v in listed if not math.isnan(v))
        _set(rec, prov, ROW, field, rest, yr, "ei_sr2024", "derived:Total World-sum(27 listed)")
