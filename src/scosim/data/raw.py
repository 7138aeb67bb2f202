"""Raw-file layer of the calibration rebuild: file names, build constants and readers.

Every reader raises :class:`RawDataError` naming the raw file (and the row, column or
country) when a file is missing, malformed or lacks a required figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.data.constants import LISTED, NAMES

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
VERSION_PREFIX = f"{BASE_YEAR}.2"


#: Exact raw file names used (all relative to the raw directory).
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
    "wits": "wits2023_bilateral_sco27.csv",
    "wits_mirror": "wits_mirror_sco27.csv",
    "rta": "wto_rta_AllRTAs.xlsx",
    "ahs": "wits_tariffs_AHS_partner_excerpt.json",
}


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


def raw_path(raw_dir: Path, key: str) -> Path:
    """Path of raw file ``key``; :class:`RawDataError` naming the file if it is absent."""
    p = raw_dir / RAW_FILES[key]
    if not p.is_file():
        raise RawDataError(f"{p.name}: raw file not found in {raw_dir}")
    return p


def whole_csv(p: Path) -> Path:
    """``p`` if it looks whole; :class:`RawDataError` naming it if empty or cut off.

    Every raw CSV ends with a newline. A copy cut short ends in the middle of a line,
    and pandas would read the last row's missing cells as missing figures: a figure
    that may be missing (a fallback source, a partner without a record) would then be
    dropped from the tables without a word.
    """
    size = p.stat().st_size
    if size == 0:
        raise RawDataError(f"{p.name}: the file is empty")
    with p.open("rb") as fh:
        fh.seek(size - 1)
        if fh.read(1) not in (b"\n", b"\r"):
            raise RawDataError(
                f"{p.name}: does not end with a newline, so its last line may be cut off "
                "(every raw CSV ends with one): copy the file again, or add the newline if "
                "it was edited by hand"
            )
    return p


#: Said with a missing raw directory: how to point at another one.
WHERE_RAW = "pass --raw DIR or set $SCOSIM_RAW_DIR"


def require_raw_files(raw_dir: Path, names: Iterable[str]) -> None:
    """Check, before a build reads anything, that each named raw file is there and whole.

    For the builds that read the raw files with their own parsers (finance, security,
    network tools): a missing directory or file, an empty or cut-off CSV is then one
    :class:`RawDataError` naming it, not a parser's traceback or a silently wrong table.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise RawDataError(f"{raw_dir}: raw data directory not found ({WHERE_RAW})")
    for name in names:
        p = raw_dir / name
        if not p.is_file():
            raise RawDataError(f"{name}: raw file not found in {raw_dir}")
        if p.suffix == ".csv":
            whole_csv(p)


def read(raw_dir: Path, key: str, required: Iterable[str], **kw: object) -> pd.DataFrame:
    """Read a raw CSV; :class:`RawDataError` naming the file if unparsable or short of columns."""
    p = whole_csv(raw_path(raw_dir, key))
    try:
        df = pd.read_csv(p, **kw)  # type: ignore[arg-type]
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        raise RawDataError(f"{p.name}: cannot be parsed ({exc})") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise RawDataError(f"{p.name}: missing column(s) {missing}; found {list(df.columns)[:12]}")
    return df


def numeric(df: pd.DataFrame, col: str, fname: str) -> pd.Series:
    """Column as numbers; an unparsable cell raises :class:`RawDataError` naming it."""
    vals = pd.to_numeric(df[col], errors="coerce")
    bad = vals.isna() & df[col].notna()
    if bad.any():
        example = df.loc[bad, col].iloc[0]
        raise RawDataError(f"{fname}: unparsable value {example!r} in column {col!r}")
    return vals


def read_wdi(raw_dir: Path, key: str) -> dict[str, dict[int, float]]:
    """Read a WDI long file into {iso3: {year: value}}."""
    df = read(raw_dir, key, ["Country Code", "Year", "Value"])
    fname = RAW_FILES[key]
    vals = numeric(df, "Value", fname)
    years = numeric(df, "Year", fname)
    out: dict[str, dict[int, float]] = {}
    for code, year, val in zip(df["Country Code"], years, vals, strict=True):
        if not math.isnan(val):
            out.setdefault(str(code), {})[int(year)] = float(val)
    return out


def need(table: dict[str, dict[int, float]], iso: str, year: int, fname: str) -> float:
    """``table[iso][year]``, or :class:`RawDataError` naming the file, country and year."""
    try:
        return table[iso][year]
    except KeyError:
        raise RawDataError(f"{fname}: no value for country {iso} in {year}") from None


def latest(
    table: dict[str, dict[int, float]], iso: str, first: int, last: int
) -> tuple[float, int | None]:
    """Latest value of ``iso`` in ``first..last`` and its year (NaN, None if none)."""
    years = [y for y in table.get(iso, {}) if first <= y <= last]
    if not years:
        return math.nan, None
    y = max(years)
    return table[iso][y], y


#: WDI TX.VAL.FUEL.ZS.UN (fuel exports, % of merchandise exports) breaks where a country's
#: reporting changes, not its exports: Bahrain's runs 53 % (2018), 42 % (2019), 30 % (2020),
#: then 0.05, 0.04 and 0.25 % (2021-2023), while it still refines and exports oil (its
#: crude and products, EI). The share is read before the break's year.
FUEL_REPORTING_BREAK: dict[str, int] = {"BHR": 2021}


def fuel_share(
    table: dict[str, dict[int, float]], iso: str, first: int, last: int
) -> tuple[float, int | None, str]:
    """An economy's fuel-export share, its year and how it was read (both builds' rule).

    The latest value in ``first..last``, before a reporting break
    (:data:`FUEL_REPORTING_BREAK`); an economy with none then takes its latest since 1990
    (Turkmenistan's series ends in 2000).
    """
    if iso in FUEL_REPORTING_BREAK:
        brk = FUEL_REPORTING_BREAK[iso]
        v, yr = latest(table, iso, first, brk - 1)
        return v, yr, f"fallback:latest before the {brk} reporting break (then under 0.3 %)"
    v, yr = latest(table, iso, first, last)
    if not math.isnan(v):
        return v, yr, f"reported:latest {first}-{last}"
    v, yr = latest(table, iso, 1990, last)
    return v, yr, f"fallback:latest available year {yr}"


def read_sheet_grid(raw_dir: Path, key: str, header_first: str | None) -> pd.DataFrame:
    """Read an EI/SIPRI sheet export: locate the header row holding the year columns.

    Returns a frame indexed by the first column (country label) with integer year columns.
    """
    p = whole_csv(raw_path(raw_dir, key))
    try:
        grid = pd.read_csv(p, header=None, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
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


def require_labels(grid: pd.DataFrame, labels: Iterable[str], key: str) -> None:
    """Fail loudly if a country label we map to is absent (a renamed row would become NaN)."""
    absent = sorted(set(labels) - set(grid.index))
    if absent:
        raise RawDataError(f"{RAW_FILES[key]}: country row(s) {absent} absent")


def grid_latest(grid: pd.DataFrame, label: str, first: int, last: int) -> tuple[float, int | None]:
    """Latest value of a sheet row in ``first..last`` and its year (NaN, None if none)."""
    if label not in grid.index:
        return math.nan, None
    row = grid.loc[label]
    for y in range(last, first - 1, -1):
        if y in row.index and not math.isnan(row[y]):
            return float(row[y]), y
    return math.nan, None


#: Significant digits of every float written to the packaged tables (trade cells are whole
#: dollars, written as integers). 15 digits (DBL_DIG) reproduce every source figure exactly
#: and drop the last-bit noise a different libm or summation order could leave in derived
#: figures; the sums themselves use math.fsum, so none depends on the BLAS kernel.
FLOAT_DIGITS = 15


def fsum_rows(x: np.ndarray) -> np.ndarray:
    """Row sums of a 2-D array with :func:`math.fsum` (exact, independent of SIMD/BLAS)."""
    return np.array([math.fsum(r) for r in np.asarray(x, dtype=float)])


def fsum_cols(x: np.ndarray) -> np.ndarray:
    """Column sums of a 2-D array with :func:`math.fsum`."""
    return fsum_rows(np.asarray(x, dtype=float).T)


def fdot(a: Iterable[float], b: Iterable[float]) -> float:
    """Dot product in a fixed, exact order (``math.fsum`` of the products)."""
    return math.fsum(float(u) * float(v) for u, v in zip(a, b, strict=True))


class Prov:
    """Collects provenance rows (table, key, field, source_id, method, year)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, float]] = []

    def add(
        self, table: str, key: str, field: str, source: str, method: str, year: int | None = None
    ) -> None:
        """Record one provenance row."""
        self.rows.append((table, key, field, source, method, math.nan if year is None else year))

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (``year`` as nullable integers)."""
        df = pd.DataFrame(
            self.rows, columns=["table", "key", "field", "source_id", "method", "year"]
        )
        df["year"] = df["year"].astype("Int64")
        return df
