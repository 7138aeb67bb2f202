"""Rebuild the security tables shipped in ``scosim/security/tables`` from the raw files.

Run ``python tools/build_security.py [--raw DIR] [--check]``. Only this module (and the
tool) read raw files; the simulator reads the compact tables through
:mod:`scosim.security.calibration`.

Determinism: every sum is a :func:`math.fsum` over values taken in a fixed (sorted)
order, and every float is written with :data:`SIG_DIGITS` significant digits, so the
output is byte-identical on every machine. The Global Terrorism Database is never read
or written: the GTI file is the Institute for Economics & Peace's index table.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from scosim.data.constants import LISTED
from scosim.data.raw import (
    SIPRI_NAMES,
    RawDataError,
    grid_latest,
    read_sheet_grid,
    read_wdi,
)

__all__ = [
    "AFGHAN_BORDER_KM",
    "GTI_RECENT",
    "GTI_YEARS",
    "RATE_WINDOW",
    "SEIZURE_YEARS",
    "SIG_DIGITS",
    "build_security_tables",
    "check_window",
    "check_security_tables",
    "write_security_tables",
]

#: Significant digits of every float written (documented rounding, docs/security.md).
SIG_DIGITS = 6
#: Years of GTI history in the raw file (GTI 2023 edition, data 2012-2022).
GTI_YEARS = tuple(range(2012, 2023))
#: Default window (first, last year, inclusive) whose mean incidents set the baseline rate
#: ``B``; ``tools/build_security.py --window FIRST-LAST`` chooses another (docs/security.md
#: section 2). Kept at 2018-2022: newer counts are sourced for Pakistan only (below).
RATE_WINDOW = (2018, 2022)
#: Fewest years a base-rate window may span (the overdispersion needs a variance).
MIN_WINDOW_YEARS = 3
#: GTI counts after the raw file ends, typed in from the report (not in the raw folder), as
#: ``{(iso3, year): (incidents, deaths)}``: Institute for Economics & Peace, Global
#: Terrorism Index 2025 (March 2025), Pakistan section: attacks "more than doubled from 517
#: in 2023 to 1,099 in 2024", deaths 748 and 1,081 (as quoted from the report by e.g.
#: sakshipost.com/news/pakistan-ranked-second-global-terrorism-index-2025-384425 and
#: m.economictimes.com, 6 March 2025). No other member's 2023-2024 counts were found with a
#: citable source. Editions revise counts (GTI 2024 gave Pakistan 490 attacks in 2023), so
#: a window reaching past 2022 mixes editions: an alternative, not the default.
GTI_RECENT = {("PAK", 2023): (517.0, 748.0), ("PAK", 2024): (1099.0, 1081.0)}
#: Years of UNODC seizures (WDR 2024 annex).
SEIZURE_YEARS = tuple(range(2018, 2023))
#: Opium per kilogram of heroin used for heroin equivalents (a modelling convention,
#: see docs/security.md; morphine counts one to one).
OPIUM_PER_HEROIN = 10.0
#: WDI military-spending fallback window (SIPRI first, 2019-2023).
MILEX_WINDOW = (2019, 2023)
WDI_FALLBACK_FIRST = 2014
GDP_YEAR = 2023

RAW = {
    "gti": "gti2023_global_terrorism_index_2012_2022.csv",
    "sipri_gdp": "sipri_milex_1949_2023_sheet_share_of_gdp.csv",
    "wdi_milex": "wdi_ms_mil_xpnd_gd_zs.csv",
    "wdi_gdp": "wdi_ny_gdp_mktp_cd.csv",
    "unodc": "unodc_wdr2024_drug_seizures_2018_2022.csv",
    "cepii": "cepii_geodist_dist_cepii.csv",
    "heritage": "heritage_index_of_economic_freedom_2019.csv",
}

SOURCES = [
    ("gti_2023", "Institute for Economics & Peace, Global Terrorism Index 2023 (data 2012-2022)",
     RAW["gti"]),
    ("gti_2025", "Institute for Economics & Peace, Global Terrorism Index 2025 (March 2025), "
     "Pakistan: 517 attacks and 748 deaths in 2023, 1,099 and 1,081 in 2024", ""),
    ("sipri_milex", "SIPRI Military Expenditure Database 1949-2023, share of GDP",
     RAW["sipri_gdp"]),
    ("wdi_milex", "World Bank WDI MS.MIL.XPND.GD.ZS (military expenditure, % of GDP)",
     RAW["wdi_milex"]),
    ("wdi_gdp", "World Bank WDI NY.GDP.MKTP.CD (GDP, current US$)", RAW["wdi_gdp"]),
    ("unodc_wdr2024", "UNODC World Drug Report 2024, statistical annex, drug seizures 2018-2022",
     RAW["unodc"]),
    ("cepii_geodist", "CEPII GeoDist (Mayer and Zignago 2011), contiguity", RAW["cepii"]),
    ("cia_factbook", "CIA, The World Factbook (online edition, 2021), Afghanistan, Geography, "
     "'Land boundaries': total 5,987 km", ""),
    ("heritage_2019", "Heritage Foundation, 2019 Index of Economic Freedom, Rule of Law "
     "components (property rights, judicial effectiveness, government integrity; data c. "
     "2016-2017)", RAW["heritage"]),
    ("scosim_rule", "scosim derivation rule (docs/security.md)", ""),
]

# The key's keys are written in this order; derived tables are small enough to hold.
TABLE_NAMES = ("threat", "gti_history", "gti_recent", "harm", "capacity", "seizures",
               "borders", "afghan_borders", "sources", "meth_seizures", "enforcement")

#: Afghanistan's land borders, km: CIA, The World Factbook, "Afghanistan", Geography, "Land
#: boundaries" (online edition 2021: total 5,987 km; editions before about 2016 gave 5,529 km
#: with Pakistan 2,430). Not in the raw folder (a short published list, typed in here);
#: they weight Afghan spillover by border length (docs/security.md section 4).
AFGHAN_BORDER_KM = {"PAK": 2670.0, "TJK": 1357.0, "IRN": 921.0, "TKM": 804.0, "UZB": 144.0,
                    "CHN": 91.0}


#: CEPII contiguity without a land border today: CIA, The World Factbook, "Qatar" (land
#: boundaries: Saudi Arabia 87 km, total 87 km) and "United Arab Emirates" (Oman 609 km,
#: Saudi Arabia 457 km). The UAE's old border with Qatar at Khawr al Udayd went to Saudi
#: Arabia by the Treaty of Jeddah (1974). Typed in here, as AFGHAN_BORDER_KM.
NOT_LAND_BORDERS = frozenset({("ARE", "QAT")})


def _fmt(x: float) -> str:
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if isinstance(x, int):
        return str(x)
    return format(float(x), f".{SIG_DIGITS}g")


def _csv(header: list[str], rows: Iterable[list[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_fmt(v) for v in r])  # type: ignore[arg-type]
    return buf.getvalue()


def _file(raw_dir: Path, key: str) -> Path:
    p = raw_dir / RAW[key]
    if not p.is_file():
        raise RawDataError(f"{p.name}: raw file not found in {raw_dir}")
    return p


def _need_cols(df: pd.DataFrame, cols: list[str], key: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise RawDataError(f"{RAW[key]}: missing column(s) {missing}")


def _gti(raw_dir: Path, window: tuple[int, int]) -> tuple[str, str, str]:
    df = pd.read_csv(_file(raw_dir, "gti"))
    _need_cols(df, ["iso3c", "Country", "Score", "Incidents", "Fatalities", "Year"], "gti")
    # The file's codes are shifted against its country names in 80 of the 163 rows of
    # 2020 (the RUS row is Greece's, IRN the USA's, LKA DR Congo's); the figures fit the
    # names (each row's incidents against the same country's 2019 and 2021). So rows are
    # keyed by name, each name taking the code it carries in most rows.
    named = df.groupby("iso3c")["Country"].agg(lambda c: c.mode().iloc[0])
    code_of = {name: iso for iso, name in named.items()}
    if len(code_of) != len(named):
        raise RawDataError(f"{RAW['gti']}: two codes carry the same country name")
    hist: dict[str, dict[int, tuple[float, float]]] = {}
    deaths: dict[str, dict[int, float]] = {}
    for line, (given, name, yr, inc, sc, fat) in enumerate(
        zip(df["iso3c"], df["Country"], df["Year"], df["Incidents"], df["Score"],
            df["Fatalities"], strict=True),
        start=2,
    ):
        iso = code_of.get(name, given)
        if iso not in LISTED or yr not in GTI_YEARS:
            continue
        try:
            inc_f, sc_f, fat_f = float(inc), float(sc), float(fat)
        except (TypeError, ValueError):
            raise RawDataError(
                f"{RAW['gti']}: line {line}: Incidents/Score/Fatalities not numeric "
                f"({inc!r}, {sc!r}, {fat!r})"
            ) from None
        if inc_f < 0 or fat_f < 0 or not 0 <= sc_f <= 10:
            raise RawDataError(f"{RAW['gti']}: line {line}: Incidents or Fatalities < 0 or "
                               "Score outside 0-10")
        hist.setdefault(iso, {})[int(yr)] = (inc_f, sc_f)
        deaths.setdefault(iso, {})[int(yr)] = fat_f
    first, last = window
    hist_rows = []
    threat_rows = []
    for iso in LISTED:
        h = hist.get(iso, {})
        for y in GTI_YEARS:
            if y in h:
                hist_rows.append([iso, y, int(h[y][0]), round(h[y][1], 3)])
        raw_years = [y for y in GTI_YEARS if first <= y <= last]
        if any(y not in h for y in raw_years):
            threat_rows.append([iso, math.nan, 0.0, math.nan, "", "gti_2023",
                                "missing: not in GTI"])
            continue
        # Years after the raw file: the typed-in counts where there are any (Pakistan's).
        new_years = [y for y in range(GTI_YEARS[-1] + 1, last + 1) if (iso, y) in GTI_RECENT]
        win = [h[y][0] for y in raw_years] + [GTI_RECENT[(iso, y)][0] for y in new_years]
        used = raw_years + new_years
        span = f"{used[0]}-{used[-1]}"
        mean = math.fsum(win) / len(win)
        var = math.fsum((v - mean) ** 2 for v in win) / (len(win) - 1)
        # Method of moments for the negative binomial: var = mu + alpha mu^2; alpha >= 0.
        alpha = max(0.0, (var - mean) / mean**2) if mean > 0 else 0.0
        alpha = 0.0 if alpha < 1e-9 else alpha  # float noise when var == mean
        how = f"mean {span}"
        if new_years:
            how += f" ({new_years[0]}-{new_years[-1]} from GTI 2025)"
        elif last > GTI_YEARS[-1]:
            how += f" (no count after {GTI_YEARS[-1]} found)"
        threat_rows.append([iso, mean, alpha, h[GTI_YEARS[-1]][1], span,
                            "gti_2023;gti_2025" if new_years else "gti_2023",
                            f"{how}; alpha by method of moments; rows keyed by country name "
                            "(codes shifted in 2020)"])
    harm_rows = []
    for iso in LISTED:
        h, d = hist.get(iso, {}), deaths.get(iso, {})
        # The default window's five years, whatever --window the rates use: deaths per
        # incident are a property of the violence, kept on the years the harm table names.
        years = range(RATE_WINDOW[0], RATE_WINDOW[1] + 1)
        if not all(y in h and y in d for y in years):
            continue  # not in GTI: no incidents, so no damage to value
        inc = math.fsum(h[y][0] for y in years)
        harm_rows.append([iso, inc, math.fsum(d[y] for y in years), "gti_2023",
                          "sums 2018-2022; rows keyed by country name"])
    return (
        _csv(["iso3", "rate_mean", "overdispersion", "gti_score_2022", "rate_years", "source",
              "method"], threat_rows),
        _csv(["iso3", "year", "incidents", "score"], hist_rows),
        _csv(["iso3", "incidents_2018_2022", "fatalities_2018_2022", "source", "method"],
             harm_rows),
    )


def _gti_recent() -> str:
    """The typed-in post-2022 GTI counts (:data:`GTI_RECENT`), as a table of their own."""
    order = {c: k for k, c in enumerate(LISTED)}
    keys = sorted(GTI_RECENT, key=lambda k: (order[k[0]], k[1]))
    return _csv(["iso3", "year", "incidents", "deaths", "source"],
                [[c, y, int(GTI_RECENT[(c, y)][0]), int(GTI_RECENT[(c, y)][1]), "gti_2025"]
                 for c, y in keys])


def check_window(window: tuple[int, int]) -> tuple[int, int]:
    """``window`` if it is a valid base-rate window, else a :class:`RawDataError` saying why.

    Allowed: whole years, first from 2012 (the raw file's start), last at most the latest
    typed-in year (:data:`GTI_RECENT`), spanning at least :data:`MIN_WINDOW_YEARS` years
    and including at least two raw-file years (every economy's variance needs them).
    """
    first, last = (int(v) for v in window)
    latest = max([GTI_YEARS[-1], *(y for _, y in GTI_RECENT)])
    if not (GTI_YEARS[0] <= first and last <= latest and last - first + 1 >= MIN_WINDOW_YEARS
            and first <= GTI_YEARS[-1] - 1):
        raise RawDataError(
            f"--window {first}-{last}: allowed FIRST-LAST with {GTI_YEARS[0]} <= FIRST <= "
            f"{GTI_YEARS[-1] - 1}, LAST <= {latest} and at least {MIN_WINDOW_YEARS} years")
    return first, last


def _capacity(raw_dir: Path) -> str:
    _file(raw_dir, "sipri_gdp")
    share = read_sheet_grid(raw_dir, "sipri_gdp", "Country")
    wdi = read_wdi(raw_dir, "wdi_milex")
    gdp = read_wdi(raw_dir, "gdp")
    found: dict[str, tuple[float, int | None, str, str]] = {}
    for iso in LISTED:
        s, ys = grid_latest(share, SIPRI_NAMES.get(iso, ""), *MILEX_WINDOW)
        if not math.isnan(s):
            found[iso] = (s, ys, "sipri_milex", "reported: latest 2019-2023")
            continue
        years = [y for y in wdi.get(iso, {}) if WDI_FALLBACK_FIRST <= y <= MILEX_WINDOW[1]]
        if years:
            y = max(years)
            found[iso] = (wdi[iso][y] / 100.0, y, "wdi_milex", "fallback: WDI latest 2014-2023")
    known = sorted(v[0] for v in found.values())
    med = known[len(known) // 2] if len(known) % 2 else 0.5 * (
        known[len(known) // 2 - 1] + known[len(known) // 2])
    rows = []
    for iso in LISTED:
        s, y, src, how = found.get(
            iso, (med, None, "scosim_rule", "imputed: median of the listed economies"))
        g = gdp.get(iso, {}).get(GDP_YEAR)
        if g is None:
            raise RawDataError(f"{RAW['wdi_gdp']}: no GDP for {iso} in {GDP_YEAR}")
        rows.append([iso, s, y if y is not None else "", src, how, g, GDP_YEAR, "wdi_gdp"])
    return _csv(["iso3", "milex_share_gdp", "milex_year", "milex_source", "milex_method",
                 "gdp_usd", "gdp_year", "gdp_source"], rows)


def unodc_kilograms(kg: object, line: int) -> float | None:
    """A UNODC seizure quantity in kg (None where the annex leaves it blank).

    Raises:
        RawDataError: Not a number, or below zero (the message names the line).
    """
    try:
        v = float(kg)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RawDataError(
            f"{RAW['unodc']}: line {line}: Kilograms {kg!r} not numeric") from None
    if math.isnan(v):
        return None
    if v < 0:
        raise RawDataError(f"{RAW['unodc']}: line {line}: Kilograms {v} < 0")
    return v


def _seizures(raw_dir: Path) -> str:
    df = pd.read_csv(_file(raw_dir, "unodc"))
    _need_cols(df, ["msCode", "DrugName", "Reference year", "Kilograms"], "unodc")
    names = {"Heroin": "heroin", "Illicit morphine": "morphine", "Opium": "opium"}
    cells: dict[tuple[str, int, str], list[float]] = {}
    for line, (iso, drug, yr, kg) in enumerate(
        zip(df["msCode"], df["DrugName"], df["Reference year"], df["Kilograms"], strict=True),
        start=2,
    ):
        if iso not in LISTED or drug not in names:
            continue
        v = unodc_kilograms(kg, line)
        if v is not None:
            cells.setdefault((iso, int(yr), names[drug]), []).append(v)
    rows = []
    for iso in LISTED:
        for y in SEIZURE_YEARS:
            vals = {d: cells.get((iso, y, d)) for d in ("heroin", "morphine", "opium")}
            if all(v is None for v in vals.values()):
                continue
            # Several annex rows per drug (sub-groups) are summed in sorted order.
            kg = {d: math.fsum(sorted(v)) if v else 0.0 for d, v in vals.items()}
            eq_t = math.fsum([kg["heroin"], kg["morphine"], kg["opium"] / OPIUM_PER_HEROIN]) / 1e3
            rows.append([iso, y, kg["heroin"], kg["morphine"], kg["opium"], eq_t, "unodc_wdr2024"])
    return _csv(["iso3", "year", "heroin_kg", "morphine_kg", "opium_kg", "heroin_eq_t", "source"],
                rows)


def _borders(raw_dir: Path) -> str:
    df = pd.read_csv(_file(raw_dir, "cepii"), sep=";", usecols=["iso_o", "iso_d", "contig"])
    pairs = set()
    for a, b, c in zip(df["iso_o"], df["iso_d"], df["contig"], strict=True):
        if a in LISTED and b in LISTED and a != b and int(c) == 1:
            pairs.add((min(a, b), max(a, b)))
    pairs -= NOT_LAND_BORDERS
    order = {c: k for k, c in enumerate(LISTED)}
    rows = [[a, b, "cepii_geodist"] for a, b in sorted(pairs, key=lambda p: (order[p[0]],
                                                                            order[p[1]]))]
    return _csv(["iso_a", "iso_b", "source"], rows)


def _afghan_borders(borders_csv: str) -> str:
    """Afghanistan's border lengths, checked against the CEPII neighbours of ``borders_csv``."""
    rows = list(csv.reader(io.StringIO(borders_csv)))[1:]
    nbrs = {b if a == "AFG" else a for a, b, _ in rows if "AFG" in (a, b)}
    if nbrs != set(AFGHAN_BORDER_KM):
        raise RawDataError(
            f"{RAW['cepii']}: Afghanistan's contiguous economies {sorted(nbrs)} differ from "
            f"those with a Factbook border length {sorted(AFGHAN_BORDER_KM)}")
    order = {c: k for k, c in enumerate(LISTED)}
    return _csv(["iso3", "border_km", "source"],
                [[c, AFGHAN_BORDER_KM[c], "cia_factbook"]
                 for c in sorted(AFGHAN_BORDER_KM, key=order.__getitem__)])


def build_security_tables(raw_dir: Path,
                          window: tuple[int, int] = RATE_WINDOW) -> dict[str, str]:
    """Derive every security table from the raw folder.

    Args:
        raw_dir: Folder holding the raw files named in :data:`RAW`.
        window: First and last year (inclusive) of the base-rate mean (:func:`check_window`).

    Returns:
        ``{table name: CSV text}`` for every name in :data:`TABLE_NAMES`.

    Raises:
        RawDataError: A raw file is missing or malformed (message names file, line, field),
            or the window is not allowed.
    """
    # Imported here: build_meth reuses this module's helpers (a top-level import would cycle).
    from scosim.security.build_meth import meth_seizures_csv
    from scosim.security.weakest_link import enforcement_csv

    raw_dir = Path(raw_dir)
    threat, hist, harm = _gti(raw_dir, check_window(window))
    borders = _borders(raw_dir)
    return {
        "threat": threat,
        "gti_history": hist,
        "gti_recent": _gti_recent(),
        "harm": harm,
        "capacity": _capacity(raw_dir),
        "seizures": _seizures(raw_dir),
        "borders": borders,
        "afghan_borders": _afghan_borders(borders),
        "sources": _csv(["source_id", "citation", "raw_file"], [list(s) for s in SOURCES]),
        "meth_seizures": meth_seizures_csv(raw_dir),  # beside the opiates: docs/security.md
        # Enforcement capacity, the weakest link of the RATS pool (weakest_link.py).
        "enforcement": enforcement_csv(raw_dir),
    }


def write_security_tables(tables: dict[str, str], out_dir: Path) -> list[Path]:
    """Write tables as ``<name>.csv`` into ``out_dir`` (created if needed)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in TABLE_NAMES:
        p = out_dir / f"{name}.csv"
        p.write_text(tables[name], encoding="utf-8", newline="")
        paths.append(p)
    return paths


def check_security_tables(tables: dict[str, str], out_dir: Path) -> list[str]:
    """Names of tables whose shipped file differs from a fresh build (empty = up to date)."""
    out_dir = Path(out_dir)
    stale = []
    for name in TABLE_NAMES:
        p = out_dir / f"{name}.csv"
        if not p.is_file() or p.read_text(encoding="utf-8") != tables[name]:
            stale.append(name)
    return stale
