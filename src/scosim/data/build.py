"""Rebuild the packaged calibration tables from the raw source files.

The raw files live outside the package (``/work/shared/data/raw`` in the development tree,
described file by file in its ``SOURCES.md``). :func:`build_tables` turns them into the small
tables that :func:`scosim.data.load_calibration` reads; it is deterministic (same raw files,
byte-identical tables). :func:`write_tables` replaces the packaged tables atomically and
:func:`check_tables` reports any difference between a fresh build and the packaged copy.

Definitions, imputations and their reasons are documented in ``docs/data.md``.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.data.constants import (
    EAEU,
    ECONOMIES,
    LISTED,
    MEMBERS,
    NAMES,
    ROW,
    STATUS,
)

#: Base year of levels (GDP, population, trade totals, tariffs where available).
BASE_YEAR = 2023
#: Year whose bilateral pattern (IMF DOTS) is scaled to base-year totals: last pre-COVID year.
PATTERN_YEAR = 2019
#: Window of annual log growth of nominal US$ GDP used for the stochastic baseline path.
# 2010-2023: long enough to estimate a volatility (13 changes), recent enough to
# leave out the 2000s commodity boom, which would project e.g. China's nominal US$
# GDP to triple within a decade.
GROWTH_WINDOW = (2010, BASE_YEAR)
#: Factor converting exporter-reported FOB values to CIF when the importer's report is absent.
CIF_FOB_FACTOR = 1.06
#: Floor of domestic sales as a share of GDP (re-export hubs have exports > GDP).
DOMESTIC_FLOOR = 0.10
#: Data version prefix; the packaged version appends the first 12 hex digits of a table hash.
VERSION_PREFIX = f"{BASE_YEAR}.1"

TABLES_DIR = Path(__file__).with_name("tables")
TABLE_FILES = ("countries", "trade", "tariffs", "geography", "sources", "provenance")

#: Exact raw file names used (all relative to the raw directory).
RAW_FILES: dict[str, str] = {
    "gdp": "wdi_ny_gdp_mktp_cd.csv",
    "pop": "wdi_sp_pop_totl.csv",
    "exports": "wdi_tx_val_mrch_cd_wt.csv",
    "imports": "wdi_tm_val_mrch_cd_wt.csv",
    "dots": "imf_dots_bilateral_2010_2020_long.csv",
    "tariff": "wb_wdi_tariff_weighted_means_2005_2022_partial.csv",
    "heritage": "heritage_index_of_economic_freedom_2019.csv",
    "dist": "cepii_geodist_dist_cepii.csv",
    "geo": "cepii_geodist_geo_cepii.csv",
    "gti": "gti2023_global_terrorism_index_2012_2022.csv",
    "sipri_usd": "sipri_milex_1949_2023_sheet_current_usd_m.csv",
    "sipri_gdp": "sipri_milex_1949_2023_sheet_share_of_gdp.csv",
    "wdi_milex": "wdi_ms_mil_xpnd_gd_zs.csv",
    "unodc": "unodc_wdr2024_drug_seizures_2018_2022.csv",
    "npl": "wdi_fb_ast_nper_zs.csv",
    "bankcap": "wdi_fb_bnk_capa_zs.csv",
    "credit": "wdi_fs_ast_prvt_gd_zs.csv",
    "ei_pe": "ei_statistical_review_2024_sheet_primary_energy_cons_ej.csv",
    "ei_oil": "ei_statistical_review_2024_sheet_oil_production_barrels.csv",
    "ei_gas": "ei_statistical_review_2024_sheet_gas_production_bcm.csv",
    "owid_pe": "owid_primary_energy_consumption_bp_eia_2022.csv",
    "energy_imp": "wdi_eg_imp_cons_zs.csv",
    "fuel_exp": "wdi_tx_val_fuel_zs_un.csv",
}

_WDI_REPO = (
    "github.com/datasets/world-development-indicators@4ebec5a2273f531ba238a34dbe440394dc5a6c4b"
)
_WDI_VINTAGE = "WDI via datahub core package, snapshot 2026-07-01"


def _wdi_source(sid: str, code: str, what: str, key: str) -> dict[str, str]:
    return {
        "source_id": sid,
        "publisher": "World Bank",
        "dataset": f"World Development Indicators: {what}",
        "series": code,
        "vintage": _WDI_VINTAGE,
        "licence": "CC-BY-4.0",
        "origin": _WDI_REPO + f" indicators/{code.lower()}/data.csv",
        "raw_file": RAW_FILES[key],
    }


#: The sources table: every source id used in ``provenance`` resolves to one of these rows.
SOURCES: list[dict[str, str]] = [
    _wdi_source("wdi_gdp", "NY.GDP.MKTP.CD", "GDP, current US$", "gdp"),
    _wdi_source("wdi_pop", "SP.POP.TOTL", "Population, total", "pop"),
    _wdi_source("wdi_exports", "TX.VAL.MRCH.CD.WT", "Merchandise exports, current US$", "exports"),
    _wdi_source("wdi_imports", "TM.VAL.MRCH.CD.WT", "Merchandise imports, current US$", "imports"),
    {
        "source_id": "imf_dots",
        "publisher": "International Monetary Fund",
        "dataset": "Direction of Trade Statistics (exports FOB, imports CIF), US$ millions",
        "series": "DOTS reporter workbooks, 2010-2020 reshaped to long",
        "vintage": "DOTS workbooks as of 2022-05-09",
        "licence": "IMF terms of use",
        "origin": "github.com/SamLeBlanc/Direction-of-Trade-Map"
        "@a0b40afbac7cefc59a4b35c1ebe541ac546aafad"
        " data/DOTS/DOTS_<n>.xlsx",
        "raw_file": RAW_FILES["dots"],
    },
    {
        "source_id": "wb_tariff",
        "publisher": "World Bank (WITS/TRAINS via WDI API)",
        "dataset": "Tariff rate, weighted mean, all products (%)",
        "series": "TM.TAX.MRCH.WM.AR.ZS (applied); TM.TAX.MRCH.WM.FN.ZS (MFN)",
        "vintage": "API pull 2026-01-10",
        "licence": "CC-BY-4.0 (World Bank terms)",
        "origin": "github.com/lin5698/Who-Absorbs-the-Shock-RCEP-and-Reverse-Shock-"
        "Resilience-in-the-"
        "Asia-Pacific-Trade-Network@d0e398b896848f26413cf9aa9dfca15fb4e7ce64"
        " repo/data/archive/tariffs_wb_2005_2024_20260110.csv",
        "raw_file": RAW_FILES["tariff"],
    },
    {
        "source_id": "heritage_2019",
        "publisher": "Heritage Foundation",
        "dataset": "2019 Index of Economic Freedom",
        "series": "Tariff Rate (%) (trade-weighted, c. 2016-17)",
        "vintage": "2019 edition",
        "licence": "not stated (Heritage terms)",
        "origin": "github.com/kjclarkson624/EconomicFreedomIndex"
        "@9cd3baf6ec21c4e6b4bc22211915e580e9911e49"
        " economic_freedom_index2019_data.csv",
        "raw_file": RAW_FILES["heritage"],
    },
    {
        "source_id": "cepii_geodist",
        "publisher": "CEPII",
        "dataset": "GeoDist (Mayer & Zignago 2011)",
        "series": "dist_cepii (dist, distcap, distw, contig, comlang_off, comlang_ethno, colony);"
        " geo_cepii (landlocked, lat, lon of cap==1)",
        "vintage": "GeoDist (static)",
        "licence": "Etalab open licence (as cited); credit CEPII",
        "origin": "github.com/chrisssch/world-trade@98bdac87c07a20279ad2ff7e19e1f1e9ebd5f2da"
        " data/dist_cepii.csv, data/geo_cepii.csv",
        "raw_file": RAW_FILES["dist"] + "; " + RAW_FILES["geo"],
    },
    {
        "source_id": "gti_2023",
        "publisher": "Institute for Economics & Peace",
        "dataset": "Global Terrorism Index 2023",
        "series": "Score (0-10), Incidents",
        "vintage": "2023 edition (data 2012-2022)",
        "licence": "not stated (IEP terms)",
        "origin": "github.com/yakuza-B/GTI-2@3f9636304920e22b5b05ae2a17a3cee0082f95e8"
        " Global Terrorism Index 2023.csv",
        "raw_file": RAW_FILES["gti"],
    },
    {
        "source_id": "sipri_milex",
        "publisher": "SIPRI",
        "dataset": "SIPRI Military Expenditure Database",
        "series": "current US$ m; share of GDP",
        "vintage": "1949-2023 release (2024)",
        "licence": "free use with attribution (SIPRI terms)",
        "origin": "github.com/ryanozy/csc3107-infovis@881c0f311825d5cc505a15ec81e5c91dd420d7f9"
        " SIPRI-Milex-data-1949-2023.xlsx",
        "raw_file": RAW_FILES["sipri_usd"] + "; " + RAW_FILES["sipri_gdp"],
    },
    _wdi_source("wdi_milex", "MS.MIL.XPND.GD.ZS", "Military expenditure, % of GDP", "wdi_milex"),
    {
        "source_id": "unodc_wdr2024",
        "publisher": "UNODC",
        "dataset": "World Drug Report 2024, statistical annex: drug seizures 2018-2022",
        "series": "Kilograms by DrugName",
        "vintage": "WDR 2024",
        "licence": "not stated (UNODC terms)",
        "origin": "github.com/iujiban/SNU-INFOVIS-PROJECT@a975a62d2fe820b77d17930c7ce95346e13738d6"
        " src/data/Drug_seizures_2018_2022.json",
        "raw_file": RAW_FILES["unodc"],
    },
    _wdi_source("wdi_npl", "FB.AST.NPER.ZS", "Bank non-performing loans to gross loans, %", "npl"),
    _wdi_source("wdi_bankcap", "FB.BNK.CAPA.ZS", "Bank capital to assets, %", "bankcap"),
    _wdi_source(
        "wdi_credit", "FS.AST.PRVT.GD.ZS", "Domestic credit to private sector, % GDP", "credit"
    ),
    {
        "source_id": "ei_sr2024",
        "publisher": "Energy Institute",
        "dataset": "Statistical Review of World Energy 2024",
        "series": "Primary energy consumption (EJ); oil production (kb/d); gas production (bcm)",
        "vintage": "2024 edition (data to 2023)",
        "licence": "(c) Energy Institute; cite, check terms",
        "origin": "github.com/rajaeian-fatemeh/VisualCommunication"
        "@8b52f0a105047bf885cac625f7a8f918daef35b6"
        " EI-Stats-Review-All-Data.xlsx",
        "raw_file": "; ".join(RAW_FILES[k] for k in ("ei_pe", "ei_oil", "ei_gas")),
    },
    {
        "source_id": "owid_energy",
        "publisher": "Our World in Data (BP & EIA)",
        "dataset": "Primary energy consumption BP & EIA (2022)",
        "series": "Primary energy consumption (TWh)",
        "vintage": "2022-08-09",
        "licence": "CC-BY-4.0 (OWID); third-party terms",
        "origin": "github.com/owid/energy-data@f25a51b5bb462fa2004494fc3038be1ef171f72e"
        " scripts/grapher/Primary energy consumption BP & EIA (2022).csv",
        "raw_file": RAW_FILES["owid_pe"],
    },
    _wdi_source(
        "wdi_energy_imports", "EG.IMP.CONS.ZS", "Energy imports, net, % of energy use", "energy_imp"
    ),
    _wdi_source(
        "wdi_fuel_exports",
        "TX.VAL.FUEL.ZS.UN",
        "Fuel exports, % of merchandise exports",
        "fuel_exp",
    ),
    {
        "source_id": "sco_official",
        "publisher": "SCO Secretariat",
        "dataset": "SCO official announcements (summit declarations on membership, observer and"
        " dialogue-partner status)",
        "series": "year of the summit decision",
        "vintage": "as announced up to 2024",
        "licence": "public statements",
        "origin": "http://eng.sectsc.org",
        "raw_file": "",
    },
    {
        "source_id": "seed_000",
        "publisher": "Indian Council of World Affairs (ICWA)",
        "dataset": "SCO essay collection, June 2023 (project seed 000)",
        "series": "text",
        "vintage": "June 2023",
        "licence": "quoted for facts only",
        "origin": "/work/shared/seeds/000_576ecaae129e5e46.txt",
        "raw_file": "",
    },
    {
        "source_id": "seed_004",
        "publisher": "project seed 004",
        "dataset": "SCO essay (project seed 004)",
        "series": "text",
        "vintage": "n/a",
        "licence": "quoted for facts only",
        "origin": "/work/shared/seeds/004_2ec261e7ae290272.txt",
        "raw_file": "",
    },
    {
        "source_id": "eaeu_treaty",
        "publisher": "Eurasian Economic Union",
        "dataset": "Treaty on the Eurasian Economic Union (Astana, 29 May 2014; in force 2015)",
        "series": "customs union: zero internal tariffs, common external tariff",
        "vintage": "2015",
        "licence": "public treaty",
        "origin": "https://docs.eaeunion.org",
        "raw_file": "",
    },
    {
        "source_id": "scosim_rule",
        "publisher": "scosim",
        "dataset": "scosim data layer derivation rules",
        "series": "see method column and docs/data.md",
        "vintage": VERSION_PREFIX,
        "licence": "MIT",
        "origin": "src/scosim/data/build.py; docs/data.md",
        "raw_file": "",
    },
]

# Name maps for sources that do not use ISO3 codes (verbatim labels in the raw files):
# NAMES, with each source's own spellings and without the economies it does not list.


def _spelled(overrides: dict[str, str], *, absent: tuple[str, ...] = ()) -> dict[str, str]:
    return {iso: overrides.get(iso, NAMES[iso]) for iso in LISTED if iso not in absent}


DOTS_NAMES: dict[str, str] = _spelled(
    {
        "CHN": "China, P.R.: Mainland",
        "IRN": "Iran, Islamic Rep. of",
        "KAZ": "Kazakhstan, Rep. of",
        "KGZ": "Kyrgyz Rep.",
        "TJK": "Tajikistan, Rep. of",
        "UZB": "Uzbekistan, Rep. of",
        "BLR": "Belarus, Rep. of",
        "AFG": "Afghanistan, Islamic Rep. of",
        "TUR": "Turkey",
        "AZE": "Azerbaijan, Rep. of",
        "ARM": "Armenia, Rep. of",
        "EGY": "Egypt, Arab Rep. of",
        "BHR": "Bahrain, Kingdom of",
    }
)
SIPRI_NAMES: dict[str, str] = _spelled(
    {"RUS": "Russia", "KGZ": "Kyrgyz Republic", "TUR": "Türkiye"}, absent=("MDV",)
)
EI_NAMES: dict[str, str] = _spelled(
    {"TUR": "Turkey"},
    absent=("KGZ", "TJK", "AFG", "MNG", "ARM", "NPL", "KHM", "MDV"),
)
OWID_NAMES: dict[str, str] = _spelled(
    {"KGZ": "Kyrgyzstan", "TUR": "Turkey", "IRN": "Iran", "RUS": "Russia", "EGY": "Egypt"}
)
HERITAGE_NAMES: dict[str, str] = _spelled(
    {"RUS": "Russia", "KGZ": "Kyrgyz Republic", "TUR": "Turkey", "MMR": "Burma"}
)
#: UNODC drug names summed into ``drug_seizures_kg``: opiates (heroin, illicit morphine, opium)
#: and the two main amphetamine-type stimulants. Poppy straw/plants/seeds (plant material),
#: "acetylated opium" and the "Total ATS" subtotal rows are excluded to avoid double counting.
OPIATES = ("Heroin", "Illicit morphine", "Opium")
ATS = ("Methamphetamine", "Amphetamine")
#: CEPII legacy codes mapped to WDI ISO3 (for GDP weights of Rest-of-World pairs).
CEPII_LEGACY = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "YUG": "SRB", "PAL": "PSE"}


class RawDataError(ValueError):
    """A raw source file is missing, malformed or lacks a required figure."""


# --------------------------------------------------------------------------------------
# Raw readers
# --------------------------------------------------------------------------------------


def _path(raw_dir: Path, key: str) -> Path:
    p = raw_dir / RAW_FILES[key]
    if not p.is_file():
        raise RawDataError(f"{p.name}: raw file not found in {raw_dir}")
    return p


def _read(raw_dir: Path, key: str, required: Iterable[str], **kw: object) -> pd.DataFrame:
    p = _path(raw_dir, key)
    try:
        df = pd.read_csv(p, **kw)  # type: ignore[arg-type]
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        raise RawDataError(f"{p.name}: cannot be parsed ({exc})") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise RawDataError(f"{p.name}: missing column(s) {missing}; found {list(df.columns)[:12]}")
    return df


def _numeric(df: pd.DataFrame, col: str, fname: str) -> pd.Series:
    vals = pd.to_numeric(df[col], errors="coerce")
    bad = vals.isna() & df[col].notna()
    if bad.any():
        example = df.loc[bad, col].iloc[0]
        raise RawDataError(f"{fname}: unparsable value {example!r} in column {col!r}")
    return vals


def _read_wdi(raw_dir: Path, key: str) -> dict[str, dict[int, float]]:
    """Read a WDI long file into {iso3: {year: value}}."""
    df = _read(raw_dir, key, ["Country Code", "Year", "Value"])
    fname = RAW_FILES[key]
    vals = _numeric(df, "Value", fname)
    years = _numeric(df, "Year", fname)
    out: dict[str, dict[int, float]] = {}
    for code, year, val in zip(df["Country Code"], years, vals, strict=True):
        if not math.isnan(val):
            out.setdefault(str(code), {})[int(year)] = float(val)
    return out


def _need(table: dict[str, dict[int, float]], iso: str, year: int, fname: str) -> float:
    try:
        return table[iso][year]
    except KeyError:
        raise RawDataError(f"{fname}: no value for country {iso} in {year}") from None


def _latest(
    table: dict[str, dict[int, float]], iso: str, first: int, last: int
) -> tuple[float, int | None]:
    years = [y for y in table.get(iso, {}) if first <= y <= last]
    if not years:
        return math.nan, None
    y = max(years)
    return table[iso][y], y


def _read_sheet_grid(raw_dir: Path, key: str, header_first: str | None) -> pd.DataFrame:
    """Read an EI/SIPRI sheet export: locate the header row holding the year columns.

    Returns a frame indexed by the first column (country label) with integer year columns.
    """
    p = _path(raw_dir, key)
    try:
        grid = pd.read_csv(p, header=None, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise RawDataError(f"{p.name}: cannot be parsed ({exc})") from exc
    header_row = None
    for r in range(min(len(grid), 20)):
        cells = [c.strip() for c in grid.iloc[r]]
        if "2019" in cells or "2019.0" in cells:
            if header_first is None or cells[0] == header_first:
                header_row = r
                break
    if header_row is None:
        raise RawDataError(f"{p.name}: no header row with year columns found")
    header = [c.strip() for c in grid.iloc[header_row]]
    cols: dict[int, int] = {}
    for j, c in enumerate(header):
        try:
            y = float(c)
        except ValueError:
            continue
        if y.is_integer() and 1900 < y < 2100 and int(y) not in cols:
            cols[int(y)] = j
    body = grid.iloc[header_row + 1 :]
    labels = body.iloc[:, 0].str.strip()
    data = {}
    for y, j in cols.items():
        # SIPRI uses '...' (unavailable) and 'xxx' (did not exist); EI uses '^', 'n/a', '-'.
        data[y] = pd.to_numeric(body.iloc[:, j].str.strip(), errors="coerce")
    out = pd.DataFrame(data)
    out.index = labels
    return out[~out.index.duplicated(keep="first")]


def _require_labels(grid: pd.DataFrame, labels: Iterable[str], key: str) -> None:
    """Fail loudly if a country label we map to is absent (a renamed row would become NaN)."""
    absent = sorted(set(labels) - set(grid.index))
    if absent:
        raise RawDataError(f"{RAW_FILES[key]}: country row(s) {absent} absent")


def _grid_latest(grid: pd.DataFrame, label: str, first: int, last: int) -> tuple[float, int | None]:
    if label not in grid.index:
        return math.nan, None
    row = grid.loc[label]
    for y in range(last, first - 1, -1):
        if y in row.index and not math.isnan(row[y]):
            return float(row[y]), y
    return math.nan, None


# --------------------------------------------------------------------------------------
# Pure numerical helpers
# --------------------------------------------------------------------------------------


def ras(
    seed: np.ndarray,
    row_targets: np.ndarray,
    col_targets: np.ndarray,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> np.ndarray:
    """Biproportional (RAS) scaling of a non-negative matrix to given margins.

    Finds ``diag(r) @ seed @ diag(s)`` whose row sums equal ``row_targets`` and column sums
    equal ``col_targets`` (the solution is unique when it exists; Bacharach 1970).

    Args:
        seed: Non-negative matrix (n, m) giving the pattern.
        row_targets: Required row sums (n,), non-negative.
        col_targets: Required column sums (m,), with the same total as ``row_targets``.
        tol: Relative tolerance on the largest margin error.
        max_iter: Iteration cap.

    Returns:
        The scaled matrix.

    Raises:
        ValueError: On negative input, mismatched totals, or no convergence.
    """
    a = np.asarray(seed, dtype=float)
    r_t = np.asarray(row_targets, dtype=float)
    c_t = np.asarray(col_targets, dtype=float)
    if a.ndim != 2 or r_t.shape != (a.shape[0],) or c_t.shape != (a.shape[1],):
        raise ValueError(f"ras: shapes seed {a.shape}, rows {r_t.shape}, cols {c_t.shape} disagree")
    if (a < 0).any() or (r_t < 0).any() or (c_t < 0).any():
        raise ValueError("ras: seed and targets must be non-negative")
    total = r_t.sum()
    if not math.isclose(total, c_t.sum(), rel_tol=1e-9):
        raise ValueError(f"ras: row total {total} differs from column total {c_t.sum()}")
    x = a.copy()
    for _ in range(max_iter):
        rs = x.sum(axis=1)
        x *= np.divide(r_t, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
        cs = x.sum(axis=0)
        x *= np.divide(c_t, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
        err = np.abs(x.sum(axis=1) - r_t).max()
        if err <= tol * total:
            return x
    raise ValueError("ras: did not converge (targets infeasible for the seed's zero pattern?)")


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------


class _Prov:
    """Collects provenance rows (table, key, field, source_id, method, year)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, float]] = []

    def add(
        self, table: str, key: str, field: str, source: str, method: str, year: int | None = None
    ) -> None:
        self.rows.append((table, key, field, source, method, math.nan if year is None else year))

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(
            self.rows, columns=["table", "key", "field", "source_id", "method", "year"]
        )
        df["year"] = df["year"].astype("Int64")
        return df


def _dots_pattern(raw_dir: Path, prov: _Prov) -> np.ndarray:
    """IMF DOTS pattern-year bilateral values (US$, CIF basis) among the 27 listed economies."""
    fname = RAW_FILES["dots"]
    cols = ["reporter_iso3", "partner_dots_name", "flow", "year", "value", "flag"]
    df = _read(raw_dir, "dots", cols)
    df = df[df["year"] == PATTERN_YEAR]
    df = df.assign(value=_numeric(df, "value", fname))
    name_to_iso = {v: k for k, v in DOTS_NAMES.items()}
    missing = sorted(set(LISTED) - set(df["reporter_iso3"]))
    if missing:
        raise RawDataError(f"{fname}: reporter(s) {missing} absent for {PATTERN_YEAR}")
    df = df[df["partner_dots_name"].isin(name_to_iso)]
    cell: dict[tuple[str, str, str], tuple[float, bool]] = {}
    for rep, part, flow, val, flag in zip(
        df["reporter_iso3"],
        df["partner_dots_name"],
        df["flow"],
        df["value"],
        df["flag"],
        strict=True,
    ):
        cell[(str(rep), name_to_iso[part], str(flow))] = (float(val) * 1e6, flag == "e")
    n = len(LISTED)
    x = np.zeros((n, n))
    for a, i in enumerate(LISTED):
        for b, j in enumerate(LISTED):
            if a == b:
                continue
            imp = cell.get((j, i, "imports_cif"))
            exp = cell.get((i, j, "exports_fob"))
            # Preference order: reported importer CIF, reported exporter FOB x factor, then the
            # same two when they are IMF estimates, else zero (neither side reports the pair).
            key = f"{i}-{j}"
            if imp is not None and not imp[1] and imp[0] > 0:
                x[a, b] = imp[0]
                prov.add(
                    "trade", key, "pattern_2019", "imf_dots", "reported:importer_cif", PATTERN_YEAR
                )
            elif exp is not None and not exp[1] and exp[0] > 0:
                x[a, b] = exp[0] * CIF_FOB_FACTOR
                prov.add(
                    "trade",
                    key,
                    "pattern_2019",
                    "imf_dots",
                    f"fallback:exporter_fob*{CIF_FOB_FACTOR}",
                    PATTERN_YEAR,
                )
            elif imp is not None and imp[0] > 0:
                x[a, b] = imp[0]
                prov.add(
                    "trade",
                    key,
                    "pattern_2019",
                    "imf_dots",
                    "imputed:imf_estimate_importer_cif",
                    PATTERN_YEAR,
                )
            elif exp is not None and exp[0] > 0:
                x[a, b] = exp[0] * CIF_FOB_FACTOR
                prov.add(
                    "trade",
                    key,
                    "pattern_2019",
                    "imf_dots",
                    f"imputed:imf_estimate_exporter_fob*{CIF_FOB_FACTOR}",
                    PATTERN_YEAR,
                )
            else:
                prov.add(
                    "trade",
                    key,
                    "pattern_2019",
                    "imf_dots",
                    "imputed:zero_not_reported",
                    PATTERN_YEAR,
                )
    return x


def _countries(raw_dir: Path, prov: _Prov) -> tuple[pd.DataFrame, dict[str, float]]:
    """Country table; also returns base-year aggregates needed by the trade builder."""
    gdp = _read_wdi(raw_dir, "gdp")
    pop = _read_wdi(raw_dir, "pop")
    mx = _read_wdi(raw_dir, "exports")
    mm = _read_wdi(raw_dir, "imports")
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
        world = _need(table, "WLD", y, fname)
        total = 0.0
        for iso in LISTED:
            v = _need(table, iso, y, fname)
            rec[iso][field] = v
            total += v
            prov.add("countries", iso, field, sid, "reported", y)
        rest = world - total
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
            row_series[t] = gdp["WLD"][t] - sum(series[i][t] for i in LISTED)
    series[ROW] = row_series
    for iso in ECONOMIES:
        s = series[iso]
        g = [math.log(s[t] / s[t - 1]) for t in range(g0 + 1, g1 + 1) if t in s and t - 1 in s]
        if len(g) < 10:
            raise RawDataError(f"{RAW_FILES['gdp']}: fewer than 10 growth years for {iso}")
        rec[iso]["gdp_growth_trend"] = float(np.mean(g))
        rec[iso]["gdp_growth_sd"] = float(np.std(g, ddof=1))
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

    _tariffs_into(raw_dir, rec, mm, prov)
    _geo_into(raw_dir, rec, prov)
    _security_into(raw_dir, rec, gdp, prov)
    _finance_energy_into(raw_dir, rec, prov)

    df = pd.DataFrame.from_dict(rec, orient="index").loc[list(ECONOMIES)]
    df.index.name = "iso3"
    df["status_since"] = df["status_since"].astype("Int64")
    df["landlocked"] = df["landlocked"].astype("boolean")
    df = df[COUNTRY_COLUMNS]
    aggregates = {
        "WLD_X": _need(mx, "WLD", y, RAW_FILES["exports"]),
        "WLD_M": _need(mm, "WLD", y, RAW_FILES["imports"]),
    }
    return df, aggregates


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


def _tariffs_into(
    raw_dir: Path,
    rec: dict[str, dict[str, object]],
    imports: dict[str, dict[int, float]],
    prov: _Prov,
) -> None:
    fname = RAW_FILES["tariff"]
    t = _read(raw_dir, "tariff", ["country_code", "year", "series", "value"])
    t = t.assign(value=_numeric(t, "value", fname), year=_numeric(t, "year", fname))
    # The file's indicator_name labels are swapped; only the series code is trusted.
    codes = {"tariff_applied": "TM.TAX.MRCH.WM.AR.ZS", "tariff_mfn": "TM.TAX.MRCH.WM.FN.ZS"}
    tab: dict[str, dict[str, dict[int, float]]] = {f: {} for f in codes}
    for f, code in codes.items():
        sub = t[(t["series"] == code) & t["value"].notna()]
        if sub.empty:
            raise RawDataError(f"{fname}: series {code} absent")
        for iso, yr, v in zip(sub["country_code"], sub["year"], sub["value"], strict=True):
            tab[f].setdefault(str(iso), {})[int(yr)] = float(v) / 100.0
    hfile = RAW_FILES["heritage"]
    h = _read(raw_dir, "heritage", ["Country Name", "Tariff Rate (%)"], encoding="latin-1")
    h = h.assign(rate=_numeric(h, "Tariff Rate (%)", hfile))
    hmap = dict(zip(h["Country Name"].str.strip(), h["rate"], strict=True))
    for iso in LISTED:
        for f in codes:
            v, yr = _latest(tab[f], iso, 2005, BASE_YEAR)
            if not math.isnan(v):
                rec[iso][f] = v
                prov.add("countries", iso, f, "wb_tariff", f"reported:latest<= {BASE_YEAR}", yr)
                continue
            hv = hmap.get(HERITAGE_NAMES[iso], math.nan)
            if math.isnan(hv):
                raise RawDataError(
                    f"{hfile}: no Tariff Rate (%) for {HERITAGE_NAMES[iso]!r} ({iso})"
                )
            rec[iso][f] = hv / 100.0
            prov.add(
                "countries",
                iso,
                f,
                "heritage_2019",
                "fallback:heritage_2019 trade-weighted tariff c.2017",
                2017,
            )
    # Rest of World: import-weighted mean (WDI base-year imports) of the latest weighted-mean
    # tariffs of the reporters in the same file that are not among the 27.
    others = sorted(set(t["country_code"]) - set(LISTED))
    for f in codes:
        num = den = 0.0
        for iso in others:
            v, _ = _latest(tab[f], iso, 2005, BASE_YEAR)
            w, _ = _latest(imports, iso, BASE_YEAR - 2, BASE_YEAR)
            if not (math.isnan(v) or math.isnan(w)):
                num += v * w
                den += w
        if den <= 0:
            raise RawDataError(f"{fname}: no non-listed reporters to build the ROW tariff")
        rec[ROW][f] = num / den
        prov.add(
            "countries",
            ROW,
            f,
            "wb_tariff",
            f"imputed:import-weighted mean of {len(others)} non-listed reporters",
            BASE_YEAR,
        )


def _geo_into(raw_dir: Path, rec: dict[str, dict[str, object]], prov: _Prov) -> None:
    fname = RAW_FILES["geo"]
    g = _read(
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
        for f in ("landlocked", "capital_lat", "capital_lon"):
            prov.add("countries", iso, f, "cepii_geodist", "reported")
    rec[ROW]["landlocked"] = False
    rec[ROW]["capital_lat"] = math.nan
    rec[ROW]["capital_lon"] = math.nan
    prov.add("countries", ROW, "landlocked", "scosim_rule", "derived:rule (aggregate has coasts)")
    prov.add("countries", ROW, "capital_lat", "scosim_rule", "missing")
    prov.add("countries", ROW, "capital_lon", "scosim_rule", "missing")


def _set(
    rec: dict[str, dict[str, object]],
    prov: _Prov,
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


def _security_into(
    raw_dir: Path,
    rec: dict[str, dict[str, object]],
    gdp: dict[str, dict[int, float]],
    prov: _Prov,
) -> None:
    fname = RAW_FILES["gti"]
    gti = _read(raw_dir, "gti", ["iso3c", "Score", "Incidents", "Year"])
    gti = gti.assign(
        Score=_numeric(gti, "Score", fname), Incidents=_numeric(gti, "Incidents", fname)
    )
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

    usd = _read_sheet_grid(raw_dir, "sipri_usd", "Country")
    share = _read_sheet_grid(raw_dir, "sipri_gdp", "Country")
    wdi = _read_wdi(raw_dir, "wdi_milex")
    _require_labels(usd, SIPRI_NAMES.values(), "sipri_usd")
    _require_labels(share, SIPRI_NAMES.values(), "sipri_gdp")
    for iso in LISTED:
        name = SIPRI_NAMES.get(iso, "")
        v, yr = _grid_latest(usd, name, 2019, BASE_YEAR)
        _set(rec, prov, iso, "milex_usd", v * 1e6, yr, "sipri_milex", "reported:latest 2019-2023")
        s, ys = _grid_latest(share, name, 2019, BASE_YEAR)
        if not math.isnan(s):
            _set(
                rec, prov, iso, "milex_share_gdp", s, ys, "sipri_milex", "reported:latest 2019-2023"
            )
        else:
            w, yw = _latest(wdi, iso, 2019, BASE_YEAR)
            _set(
                rec, prov, iso, "milex_share_gdp", w / 100.0, yw, "wdi_milex", "fallback:wdi_milex"
            )
    w, yw = _latest(wdi, "WLD", 2019, BASE_YEAR)
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
    u = _read(raw_dir, "unodc", ["msCode", "DrugName", "Reference year", "Kilograms"])
    u = u.assign(kg=_numeric(u, "Kilograms", fname))
    for iso in LISTED:
        sub = u[(u["msCode"] == iso) & u["DrugName"].isin(OPIATES + ATS)]
        if sub.empty:
            _set(rec, prov, iso, "drug_seizures_kg", math.nan, None, "unodc_wdr2024")
            _set(rec, prov, iso, "drug_seizures_opiates_kg", math.nan, None, "unodc_wdr2024")
            continue
        yr = int(sub["Reference year"].max())
        last = sub[sub["Reference year"] == yr]
        total = float(last["kg"].sum())
        opi = float(last.loc[last["DrugName"].isin(OPIATES), "kg"].sum())
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


def _finance_energy_into(raw_dir: Path, rec: dict[str, dict[str, object]], prov: _Prov) -> None:
    for field, key, sid in (
        ("npl_pct", "npl", "wdi_npl"),
        ("bank_capital_assets_pct", "bankcap", "wdi_bankcap"),
        ("private_credit_pct_gdp", "credit", "wdi_credit"),
        ("net_energy_imports_pct", "energy_imp", "wdi_energy_imports"),
        ("fuel_exports_pct", "fuel_exp", "wdi_fuel_exports"),
    ):
        tab = _read_wdi(raw_dir, key)
        for iso in LISTED:
            v, yr = _latest(tab, iso, 2019, BASE_YEAR)
            _set(rec, prov, iso, field, v, yr, sid, "reported:latest 2019-2023")
        v, yr = _latest(tab, "WLD", 2019, BASE_YEAR)
        _set(rec, prov, ROW, field, v, yr, sid, "fallback:WDI World aggregate (incl. the 27)")

    pe = _read_sheet_grid(raw_dir, "ei_pe", "Exajoules")
    oil = _read_sheet_grid(raw_dir, "ei_oil", "Thousand barrels daily")
    gas = _read_sheet_grid(raw_dir, "ei_gas", "Billion cubic metres")
    # EI lists Bahrain and Myanmar only in the production sheets.
    _require_labels(pe, [EI_NAMES[i] for i in EI_NAMES if i not in ("BHR", "MMR")], "ei_pe")
    _require_labels(
        gas, [EI_NAMES[i] for i in ("RUS", "IRN", "QAT", "TKM", "BHR", "MMR")], "ei_gas"
    )
    _require_labels(oil, [EI_NAMES[i] for i in ("RUS", "SAU", "KAZ", "AZE", "TKM")], "ei_oil")
    ofile = RAW_FILES["owid_pe"]
    col = "Primary energy consumption (TWh)"
    ow = _read(raw_dir, "owid_pe", ["Country", "Year", col])
    ow = ow.assign(v=_numeric(ow, col, ofile))
    for iso in LISTED:
        name = EI_NAMES.get(iso, "")
        v, yr = _grid_latest(pe, name, BASE_YEAR, BASE_YEAR)
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
            v, yr = _grid_latest(grid, name, BASE_YEAR, BASE_YEAR)
            _set(rec, prov, iso, field, v, yr, "ei_sr2024")
    for field, grid, label in (
        ("primary_energy_ej", pe, "Total World"),
        ("oil_production_kbd", oil, "Total World"),
        ("gas_production_bcm", gas, "Total World"),
    ):
        world, yr = _grid_latest(grid, label, BASE_YEAR, BASE_YEAR)
        listed = [float(rec[i][field]) for i in LISTED]  # type: ignore[arg-type]
        # Countries absent from the EI sheets are small; the residual slightly overstates ROW.
        rest = world - float(np.nansum(listed))
        _set(rec, prov, ROW, field, rest, yr, "ei_sr2024", "derived:Total World-sum(27 listed)")


def _trade(
    raw_dir: Path, countries: pd.DataFrame, agg: dict[str, float], prov: _Prov
) -> pd.DataFrame:
    """Bilateral matrix (exporter x importer), US$, CIF, no tariffs; diagonal domestic sales."""
    x27 = _dots_pattern(raw_dir, prov)
    n = len(ECONOMIES)
    seed = np.zeros((n, n))
    k = len(LISTED)
    seed[:k, :k] = x27
    # Pattern-year flows with the Rest of World: WDI pattern-year totals minus the listed
    # partners. WDI totals rather than DOTS "World" rows, because some DOTS own-reported
    # totals are incomplete (e.g. Kuwait 2019: 21 bn US$ in DOTS against 64 bn in WDI).
    mx = _read_wdi(raw_dir, "exports")
    mm = _read_wdi(raw_dir, "imports")
    py = PATTERN_YEAR
    cif_p = _need(mm, "WLD", py, RAW_FILES["imports"]) / _need(mx, "WLD", py, RAW_FILES["exports"])
    for a, i in enumerate(LISTED):
        for tag, value, cell in (
            ("X", _need(mx, i, py, RAW_FILES["exports"]) * cif_p - x27[a].sum(), (a, k)),
            ("M", _need(mm, i, py, RAW_FILES["imports"]) - x27[:, a].sum(), (k, a)),
        ):
            seed[cell] = max(value, 0.0)
            pair = f"{i}-{ROW}" if tag == "X" else f"{ROW}-{i}"
            method = (
                "derived:WDI total minus listed partners"
                if value > 0
                else "imputed:zero (listed partners exceed WDI total)"
            )
            prov.add("trade", pair, "pattern_2019", "imf_dots", method, py)
    seed[k, k] = max(_need(mm, "WLD", py, RAW_FILES["imports"]) - seed.sum(), 0.0)
    prov.add(
        "trade",
        f"{ROW}-{ROW}",
        "pattern_2019",
        "imf_dots",
        "derived:intra-ROW = WDI world imports minus all other cells",
        py,
    )
    # Base-year margins: exports valued CIF with the world CIF/FOB ratio of WDI totals so that
    # world exports equal world imports; ROW closes both with World.
    cif = agg["WLD_M"] / agg["WLD_X"]
    rows = np.append(countries.loc[list(LISTED), "exports_usd"].to_numpy() * cif, 0.0)
    cols = np.append(countries.loc[list(LISTED), "imports_usd"].to_numpy(), 0.0)
    rows[k] = agg["WLD_M"] - rows[:k].sum()
    cols[k] = agg["WLD_M"] - cols[:k].sum()
    flows = ras(seed, rows, cols)
    for a, i in enumerate(ECONOMIES):
        for b, j in enumerate(ECONOMIES):
            if a != b:
                prov.add(
                    "trade",
                    f"{i}-{j}",
                    "value",
                    "scosim_rule",
                    f"derived:RAS of {PATTERN_YEAR} pattern to {BASE_YEAR} WDI totals "
                    f"(exports*{cif:.6f} world CIF/FOB)",
                    BASE_YEAR,
                )
    dom = countries["domestic_sales_usd"].to_numpy()
    out = flows.copy()
    out[np.diag_indices(n)] = np.diag(flows) + dom
    for i in ECONOMIES:
        extra = " + intra-ROW international trade" if i == ROW else ""
        prov.add(
            "trade",
            f"{i}-{i}",
            "value",
            "scosim_rule",
            f"derived:domestic_sales_usd{extra}",
            BASE_YEAR,
        )
    # Whole dollars: the tables are read back exactly and sub-dollar digits carry no information.
    df = pd.DataFrame(np.round(out), index=list(ECONOMIES), columns=list(ECONOMIES))
    df.index.name = "exporter"
    return df


def _tariff_matrix(countries: pd.DataFrame, prov: _Prov) -> pd.DataFrame:
    mfn = countries["tariff_mfn"].to_numpy()
    n = len(ECONOMIES)
    tau = np.tile(mfn, (n, 1))  # column j holds importer j's rate
    np.fill_diagonal(tau, 0.0)
    idx = {c: a for a, c in enumerate(ECONOMIES)}
    for i in EAEU:
        for j in EAEU:
            tau[idx[i], idx[j]] = 0.0
    for i in ECONOMIES:
        for j in ECONOMIES:
            if i == j:
                method = "derived:zero (domestic)"
                src = "scosim_rule"
            elif i in EAEU and j in EAEU:
                method, src = "derived:zero inside EAEU customs union", "eaeu_treaty"
            else:
                method, src = "derived:importer tariff_mfn", "scosim_rule"
            prov.add("tariffs", f"{i}-{j}", "value", src, method)
    df = pd.DataFrame(tau, index=list(ECONOMIES), columns=list(ECONOMIES))
    df.index.name = "exporter"
    return df


def _geography(raw_dir: Path, gdp_w: dict[str, float], prov: _Prov) -> pd.DataFrame:
    fname = RAW_FILES["dist"]
    fields = ["dist", "distcap", "distw", "contig", "comlang_off", "comlang_ethno", "colony"]
    # GeoDist writes '.' for a missing value (e.g. distw for a few small territories).
    d = _read(raw_dir, "dist", ["iso_o", "iso_d", *fields], sep=";", na_values=["."])
    for f in fields:
        d[f] = _numeric(d, f, fname)
    d = d.drop_duplicates(["iso_o", "iso_d"])
    cube = d.set_index(["iso_o", "iso_d"])[fields]
    codes = sorted(set(d["iso_o"]))
    missing = sorted(set(LISTED) - set(codes))
    if missing:
        raise RawDataError(f"{fname}: country code(s) {missing} absent")
    # Rest-of-World members: every GeoDist country outside the 27 with a base-year WDI GDP.
    rest = [c for c in codes if c not in LISTED and CEPII_LEGACY.get(c, c) in gdp_w]
    w = np.array([gdp_w[CEPII_LEGACY.get(c, c)] for c in rest])
    w = w / w.sum()
    full = {f: cube[f].unstack().reindex(index=codes, columns=codes) for f in fields}
    out_names = {"dist": "dist_km", "distcap": "distcap_km", "distw": "distw_km"}
    recs = []
    for i in ECONOMIES:
        for j in ECONOMIES:
            row: dict[str, object] = {"exporter": i, "importer": j}
            for f in fields:
                m = full[f]
                if i != ROW and j != ROW:
                    v = float(m.loc[i, j])
                    if math.isnan(v):
                        raise RawDataError(f"{fname}: pair {i}-{j} has no {f}")
                elif i == ROW and j == ROW:
                    v = _wmean2(m.loc[rest, rest].to_numpy(), w)
                elif i == ROW:
                    v = _wmean(m.loc[rest, j].to_numpy(), w)
                else:
                    v = _wmean(m.loc[i, rest].to_numpy(), w)
                row[out_names.get(f, f)] = v
            recs.append(row)
            if ROW in (i, j):
                prov.add(
                    "geography",
                    f"{i}-{j}",
                    "*",
                    "cepii_geodist",
                    f"imputed:GDP-weighted mean over {len(rest)} ROW countries "
                    f"(WDI {BASE_YEAR} GDP weights)",
                )
            else:
                prov.add("geography", f"{i}-{j}", "*", "cepii_geodist", "reported")
    df = pd.DataFrame(recs)
    for f in ("contig", "comlang_off", "comlang_ethno", "colony"):
        # Listed pairs are 0/1 dummies; ROW pairs are GDP-weighted shares in [0, 1].
        df[f] = df[f].astype(float)
    return df


def _wmean(v: np.ndarray, w: np.ndarray) -> float:
    """Weighted mean ignoring missing entries (weights renormalised over the present ones)."""
    ok = ~np.isnan(v)
    return float(v[ok] @ w[ok] / w[ok].sum())


def _wmean2(m: np.ndarray, w: np.ndarray) -> float:
    """Weighted mean over pairs (a, b) with weight w_a * w_b, ignoring missing entries."""
    ww = np.outer(w, w)
    ok = ~np.isnan(m)
    return float((m[ok] * ww[ok]).sum() / ww[ok].sum())


def build_tables(raw_dir: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Build every calibration table from the raw files.

    Args:
        raw_dir: Directory holding the raw files listed in :data:`RAW_FILES`.

    Returns:
        Mapping of table name (``countries``, ``trade``, ``tariffs``, ``geography``,
        ``sources``, ``provenance``) to DataFrame.

    Raises:
        RawDataError: If a raw file is missing, malformed or lacks a required figure.
    """
    raw = Path(raw_dir)
    if not raw.is_dir():
        raise RawDataError(f"{raw}: raw data directory not found")
    prov = _Prov()
    countries, agg = _countries(raw, prov)
    trade = _trade(raw, countries, agg, prov)
    tariffs = _tariff_matrix(countries, prov)
    gdp = _read_wdi(raw, "gdp")
    gdp_w = {iso: v[BASE_YEAR] for iso, v in gdp.items() if BASE_YEAR in v}
    geography = _geography(raw, gdp_w, prov)
    sources = pd.DataFrame(SOURCES).set_index("source_id")
    provenance = prov.frame()
    unknown = set(provenance["source_id"]) - set(sources.index)
    if unknown:  # pragma: no cover - programming error guard
        raise RuntimeError(f"provenance uses unknown source ids {sorted(unknown)}")
    return {
        "countries": countries,
        "trade": trade,
        "tariffs": tariffs,
        "geography": geography,
        "sources": sources,
        "provenance": provenance,
    }


# --------------------------------------------------------------------------------------
# Serialisation
# --------------------------------------------------------------------------------------


def _to_csv(df: pd.DataFrame, name: str) -> bytes:
    buf = io.StringIO()
    keep_index = name in ("countries", "trade", "tariffs", "sources")
    # repr-precision floats so that reading back gives the same numbers.
    df.to_csv(buf, index=keep_index, lineterminator="\n", float_format="%.17g")
    return buf.getvalue().encode("utf-8")


def _raw_hashes(raw_dir: Path) -> dict[str, str]:
    out = {}
    for key in sorted(RAW_FILES):
        p = _path(raw_dir, key)
        out[RAW_FILES[key]] = hashlib.sha256(p.read_bytes()).hexdigest()
    return dict(sorted(out.items()))


def serialise(tables: dict[str, pd.DataFrame], raw_dir: str | os.PathLike[str]) -> dict[str, bytes]:
    """Render tables plus ``manifest.json`` as file name -> bytes (deterministic)."""
    files = {f"{name}.csv": _to_csv(tables[name], name) for name in TABLE_FILES}
    digest = hashlib.sha256()
    for fname in sorted(files):
        digest.update(fname.encode())
        digest.update(files[fname])
    manifest = {
        "base_year": BASE_YEAR,
        "pattern_year": PATTERN_YEAR,
        "version": f"{VERSION_PREFIX}+{digest.hexdigest()[:12]}",
        "tables_sha256": {f: hashlib.sha256(b).hexdigest() for f, b in sorted(files.items())},
        "raw_sha256": _raw_hashes(Path(raw_dir)),
        "economies": list(ECONOMIES),
        "members": list(MEMBERS),
        "cif_fob_factor": CIF_FOB_FACTOR,
        "domestic_floor": DOMESTIC_FLOOR,
        "growth_window": list(GROWTH_WINDOW),
    }
    files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    return files


def write_tables(
    raw_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Build and write the tables, replacing ``out_dir`` atomically.

    Everything is first written to a temporary sibling directory; only a complete set replaces
    the old one, so a failure never leaves half a table behind.

    Args:
        raw_dir: Raw data directory.
        out_dir: Target directory (default: the packaged ``scosim/data/tables``).

    Returns:
        The target directory.
    """
    target = Path(out_dir) if out_dir is not None else TABLES_DIR
    files = serialise(build_tables(raw_dir), raw_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tables-", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp creates 0700; the packaged directory must stay readable
    try:
        for fname, data in files.items():
            (tmp / fname).write_bytes(data)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}-old-{os.getpid()}")
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    if target.resolve() == TABLES_DIR.resolve():
        _clear_loader_cache()  # the packaged tables changed; a cached Calibration is stale
    return target


def check_tables(
    raw_dir: str | os.PathLike[str], tables_dir: str | os.PathLike[str] | None = None
) -> list[str]:
    """Rebuild in memory and compare with the packaged tables byte for byte.

    Returns:
        Human-readable differences; an empty list means the packaged tables are up to date.
    """
    target = Path(tables_dir) if tables_dir is not None else TABLES_DIR
    fresh = serialise(build_tables(raw_dir), raw_dir)
    diffs = []
    for fname, data in sorted(fresh.items()):
        p = target / fname
        if not p.is_file():
            diffs.append(f"{fname}: missing from {target}")
            continue
        old = p.read_bytes()
        if old != data:
            diffs.append(f"{fname}: differs from a fresh build ({_first_diff(old, data)})")
    extra = sorted({p.name for p in target.glob("*") if p.is_file()} - set(fresh))
    diffs.extend(f"{name}: unexpected file in {target}" for name in extra)
    return diffs


def _first_diff(old: bytes, new: bytes) -> str:
    a, b = old.decode().splitlines(), new.decode().splitlines()
    for n, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        if x != y:
            return f"line {n}: packaged {x[:60]!r} vs fresh {y[:60]!r}"
    return f"{len(a)} vs {len(b)} lines"


def _clear_loader_cache() -> None:
    loader: Callable[[], object] | None
    try:
        from scosim.data.calibration import load_calibration as loader
    except ImportError:  # pragma: no cover
        loader = None
    if loader is not None and hasattr(loader, "cache_clear"):
        loader.cache_clear()


# --------------------------------------------------------------------------------------
# Comparison with the facts quoted in the seed essays (docs/data.md, section "Seed facts")
# --------------------------------------------------------------------------------------

#: SCO members in 2021 (before Iran 2023 and Belarus 2024), the membership behind seed figures.
MEMBERS_2021 = ("CHN", "RUS", "IND", "PAK", "KAZ", "KGZ", "TJK", "UZB")


def seed_facts(raw_dir: str | os.PathLike[str] | None = None) -> dict[str, float]:
    """Compute the figures compared with the seed essays in ``docs/data.md``.

    Args:
        raw_dir: Raw directory; the DOTS-based figures are computed only when given.

    Returns:
        Mapping of figure name to value (US$ for trade, fractions for shares).
    """
    from scosim.data.calibration import load_calibration

    cal = load_calibration()
    c, x = cal.countries, cal.trade
    members = list(MEMBERS)
    block = x.loc[members, members].to_numpy(copy=True)
    np.fill_diagonal(block, 0.0)
    out = {
        "intra_sco10_base_usd": float(block.sum()),
        "pop_share_members": float(c.loc[members, "population"].sum() / c["population"].sum()),
        "gdp_share_members": float(c.loc[members, "gdp_usd"].sum() / c["gdp_usd"].sum()),
        "uzb_ind_base_usd": float(x.loc["UZB", "IND"] + x.loc["IND", "UZB"]),
    }
    if raw_dir is None:
        return out
    df = _read(
        Path(raw_dir), "dots", ["reporter_iso3", "partner_dots_name", "flow", "year", "value"]
    )
    df = df.assign(value=_numeric(df, "value", RAW_FILES["dots"]) * 1e6)
    iso_of = {v: k for k, v in DOTS_NAMES.items()}
    df = df[df["partner_dots_name"].isin(iso_of)]
    df = df.assign(partner=df["partner_dots_name"].map(iso_of))

    def turnover(year: int, group: Iterable[str]) -> float:
        g = list(group)
        sub = df[(df["year"] == year) & df["reporter_iso3"].isin(g) & df["partner"].isin(g)]
        # Each member's reported exports plus imports with the others: every flow counted twice.
        return float(sub.loc[sub["reporter_iso3"] != sub["partner"], "value"].sum())

    def side(year: int, reporter: str, partner: str, flow: str) -> float:
        sub = df[
            (df["year"] == year)
            & (df["reporter_iso3"] == reporter)
            & (df["partner"] == partner)
            & (df["flow"] == flow)
        ]
        return float(sub["value"].sum())

    for yr in (2017, 2019, 2020):
        out[f"turnover_sco8_{yr}_usd"] = turnover(yr, MEMBERS_2021)
        out[f"uzb_ind_{yr}_uzb_reported_usd"] = side(yr, "UZB", "IND", "exports_fob") + side(
            yr, "UZB", "IND", "imports_cif"
        )
        out[f"uzb_ind_{yr}_ind_reported_usd"] = side(yr, "IND", "UZB", "exports_fob") + side(
            yr, "IND", "UZB", "imports_cif"
        )
        out[f"uzb_ind_{yr}_importers_cif_usd"] = side(yr, "UZB", "IND", "imports_cif") + side(
            yr, "IND", "UZB", "imports_cif"
        )
    out["turnover_sco10_2019_usd"] = turnover(2019, MEMBERS)
    return out
