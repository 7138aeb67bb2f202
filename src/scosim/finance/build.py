"""Rebuild the banking tables of :mod:`scosim.finance` from the raw World Bank files.

Run ``python tools/build_finance.py [--raw DIR] [--check]``. The raw files are those of
``SOURCES.md`` section 6 (banking ratios), section 1 (GDP) and the fuel-export and
energy-import series; bilateral trade comes from the packaged
``scosim/data/tables/<default version>/trade.csv``
and the oil price from the Energy Institute Statistical Review workbook.

Every figure written gets a provenance row ``(table, key, field, source_id, method, year)``;
``method`` is ``reported``, ``derived:<formula>``, ``imputed:<rule>`` or ``assumed:<value>``.
Output is deterministic: fixed-order sums (``math.fsum`` in economy order) and every float
written with 6 significant digits (``%.6g``). Definitions and reasons: ``docs/finance.md``.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.data.constants import EAEU, ECONOMIES, LISTED, ROW
from scosim.data.flows import ras
from scosim.data.raw import RawDataError, fuel_share
from scosim.finance.data import TABLE_FILES, TABLES_DIR

#: Latest year of the ratios and of GDP (the data layer's base year).
BASE_YEAR = 2023
#: Oldest year a ratio may come from (latest available in the window is used).
FIRST_YEAR = 2015
#: Cross-border interbank claims (and liabilities) = KAPPA * domestic assets * openness.
KAPPA = 0.10
#: Trade openness (exports + imports) / GDP is capped here (re-export hubs exceed 1).
OPENNESS_CAP = 1.0
#: Share of non-capital, non-interbank liabilities that are deposits (assumption).
DEPOSIT_SHARE = 0.75
#: Share of deposits covered by deposit insurance (assumption).
INSURED_SHARE = 0.5
#: Share of intra-EAEU settlements in national currencies, 2023: roubles 81.3 + tenge 2.7
#: percent (Eurasian Economic Commission, source ``eec_ncs_2023``). The other members'
#: currencies are not reported (each under 1 percent in 2021), so it is a lower bound. It is
#: the union's aggregate, mostly trade with Russia, and is given to every pair of members.
EAEU_NCS_SHARE = 0.84
#: Years of Brent prices whose annual log changes give the commodity-shock volatility.
OIL_WINDOW = (2000, 2023)

RAW_FILES: dict[str, str] = {
    "gdp": "wdi_ny_gdp_mktp_cd.csv",
    "npl": "wdi_fb_ast_nper_zs.csv",
    "capital": "wdi_fb_bnk_capa_zs.csv",
    "doms": "wdi_fs_ast_doms_gd_zs.csv",
    "prvt": "wdi_fs_ast_prvt_gd_zs.csv",
    "fuel": "wdi_tx_val_fuel_zs_un.csv",
    "energy_imp": "wdi_eg_imp_cons_zs.csv",
    "ei": "ei_statistical_review_2024_all_data.xlsx",
}

#: Peer groups for imputing a missing ratio (median of reporting peers when >= 2 report).
PEERS: dict[str, tuple[str, ...]] = {
    "central_asia": ("KAZ", "KGZ", "TJK", "UZB", "TKM"),
    "gulf": ("SAU", "ARE", "KWT", "QAT", "BHR"),
    "south_asia": ("IND", "PAK", "AFG", "NPL", "LKA", "MDV"),
    "southeast_asia": ("KHM", "MMR"),
}

_WDI = "github.com/datasets/world-development-indicators@4ebec5a2273f531ba238a34dbe440394dc5a6c4b"

SOURCES: list[tuple[str, str, str, str]] = [
    ("wdi_gdp", "World Bank WDI NY.GDP.MKTP.CD, GDP current US$", _WDI, RAW_FILES["gdp"]),
    ("wdi_npl", "World Bank WDI FB.AST.NPER.ZS, bank NPLs to gross loans %", _WDI,
     RAW_FILES["npl"]),
    ("wdi_bankcap", "World Bank WDI FB.BNK.CAPA.ZS, bank capital to assets %", _WDI,
     RAW_FILES["capital"]),
    ("wdi_doms", "World Bank WDI FS.AST.DOMS.GD.ZS, domestic credit by financial sector % GDP",
     _WDI, RAW_FILES["doms"]),
    ("wdi_credit", "World Bank WDI FS.AST.PRVT.GD.ZS, domestic credit to private sector % GDP",
     _WDI, RAW_FILES["prvt"]),
    ("wdi_fuel_exports", "World Bank WDI TX.VAL.FUEL.ZS.UN, fuel exports % merchandise exports",
     _WDI, RAW_FILES["fuel"]),
    ("wdi_energy_imports", "World Bank WDI EG.IMP.CONS.ZS, net energy imports % energy use",
     _WDI, RAW_FILES["energy_imp"]),
    ("scosim_trade", "scosim packaged bilateral trade, base year (docs/data.md)",
     "scosim/data/tables/2023/trade.csv", "trade.csv"),
    ("ei_sr2024", "Energy Institute Statistical Review of World Energy 2024, crude oil prices "
     "1861-2023 (Brent dated from 1984), $ money of the day",
     "github.com/rajaeian-fatemeh/VisualCommunication@8b52f0a105047bf885cac625f7a8f918daef35b6",
     RAW_FILES["ei"]),
    ("anchors_ncs", "ANCHORS.md 'National currencies': over 80 percent of Russia-China payments "
     "in roubles and yuan by mid 2023 (92 percent by early 2024, Russian officials)",
     "scosim design notes", ""),
    ("eec_ncs_2023", "Eurasian Economic Commission: in 2023 the share of EAEU members' mutual "
     "settlements for exports and imports of goods and services in Russian roubles rose to "
     "81.3 percent, in tenge to 2.7 percent, in US dollars fell to 11 percent (Interfax, "
     "24 May 2024)", "interfax.com/newsroom/top-stories/102649/", ""),
    ("assumption", "modelling assumption, documented in docs/finance.md", "", ""),
]


class FinanceBuildError(RawDataError):
    """A raw file needed for the banking tables is missing or lacks a figure."""


def _read_wdi(raw: Path, key: str) -> dict[str, dict[int, float]]:
    p = raw / RAW_FILES[key]
    if not p.is_file():
        raise FinanceBuildError(f"{p.name}: raw file not found in {raw}")
    df = pd.read_csv(p)
    for col in ("Country Code", "Year", "Value"):
        if col not in df.columns:
            raise FinanceBuildError(f"{p.name}: missing column {col!r}")
    out: dict[str, dict[int, float]] = {}
    for code, year, val in zip(df["Country Code"], df["Year"], df["Value"], strict=True):
        v = float(val)
        if not math.isnan(v):
            out.setdefault(str(code), {})[int(year)] = v
    return out


def _pairs(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every unordered pair of ``codes``, each in the order of ``ECONOMIES`` (deterministic)."""
    ordered = sorted(codes, key=ECONOMIES.index)
    return [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:]]


def _latest(tab: dict[str, dict[int, float]], iso: str) -> tuple[float, int | None]:
    years = [y for y in tab.get(iso, {}) if FIRST_YEAR <= y <= BASE_YEAR]
    if not years:
        return math.nan, None
    y = max(years)
    return tab[iso][y], y


class _Prov:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, str]] = []

    def add(self, table: str, key: str, field: str, sid: str, method: str, year=None) -> None:
        self.rows.append((table, key, field, sid, method, "" if year is None else str(year)))


def _ratio_with_imputation(
    tab: dict[str, dict[int, float]], field: str, sid: str, prov: _Prov, world: str | None
) -> dict[str, float]:
    """Latest reported value per economy; missing ones from peers or the listed median."""
    vals: dict[str, float] = {}
    for iso in LISTED:
        v, y = _latest(tab, iso)
        if not math.isnan(v):
            vals[iso] = v
            prov.add("banks", iso, field, sid, "reported:latest 2015-2023", y)
    reporting = [vals[i] for i in LISTED if i in vals]
    listed_median = float(np.median(reporting))
    out = dict(vals)
    for iso in LISTED:
        if iso in vals:
            continue
        group = next((g for g, members in PEERS.items() if iso in members), None)
        peers = [vals[p] for p in PEERS.get(group or "", ()) if p in vals]
        if len(peers) >= 2:
            out[iso] = float(np.median(peers))
            prov.add("banks", iso, field, sid, f"imputed:median of {group} peers reporting")
        else:
            out[iso] = listed_median
            prov.add("banks", iso, field, sid, "imputed:median of the listed economies reporting")
    wv, wy = _latest(tab, world) if world else (math.nan, None)
    if not math.isnan(wv):
        out[ROW] = wv
        prov.add("banks", ROW, field, sid, "reported:WDI World aggregate (incl. the 27)", wy)
    else:
        out[ROW] = listed_median
        prov.add("banks", ROW, field, sid, "imputed:median of the listed economies reporting")
    return out


def _oil_volatility(raw: Path) -> float:
    p = raw / RAW_FILES["ei"]
    if not p.is_file():
        raise FinanceBuildError(f"{p.name}: raw file not found in {raw}")
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - the build extra installs it
        raise FinanceBuildError("openpyxl is needed to read the EI workbook") from exc
    wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    sheet = "Oil crude prices since 1861"
    if sheet not in wb.sheetnames:
        raise FinanceBuildError(f"{p.name}: sheet {sheet!r} not found")
    prices: dict[int, float] = {}
    for row in wb[sheet].iter_rows(values_only=True):
        if isinstance(row[0], int | float) and isinstance(row[1], int | float):
            prices[int(row[0])] = float(row[1])
    wb.close()
    years = list(range(OIL_WINDOW[0], OIL_WINDOW[1] + 1))
    missing = [y for y in years if y not in prices]
    if missing:
        raise FinanceBuildError(f"{p.name}: sheet {sheet!r} lacks prices for {missing}")
    changes = [math.log(prices[y] / prices[y - 1]) for y in years[1:]]
    mean = math.fsum(changes) / len(changes)
    return math.sqrt(math.fsum((c - mean) ** 2 for c in changes) / (len(changes) - 1))


def _trade() -> np.ndarray:
    from scosim.data.build import DEFAULT_VERSION  # the calibration the model runs on

    path = Path(__file__).resolve().parents[1] / "data" / "tables" / DEFAULT_VERSION / "trade.csv"
    df = pd.read_csv(path, index_col=0)
    if list(df.index) != list(ECONOMIES) or list(df.columns) != list(ECONOMIES):
        raise FinanceBuildError(f"{path.name}: rows/columns are not the 28 economies in order")
    return df.to_numpy(dtype=float)


def build_tables(
    raw_dir: str | os.PathLike[str], aggregates: dict[str, float] | None = None
) -> dict[str, pd.DataFrame]:
    """Build the banking tables from raw files.

    Args:
        raw_dir: Directory with the raw files listed in :data:`RAW_FILES`.
        aggregates: Optional published cross-border interbank claims (US$) by economy,
            replacing the openness-based marginal of that economy (none are shipped: no
            BIS locational statistics are in the raw folder).

    Returns:
        Tables by name (see :data:`scosim.finance.data.TABLE_FILES`).
    """
    raw = Path(raw_dir)
    prov = _Prov()
    gdp_tab = _read_wdi(raw, "gdp")
    gdp: dict[str, float] = {}
    for iso in LISTED:
        try:
            gdp[iso] = gdp_tab[iso][BASE_YEAR]
        except KeyError:
            raise FinanceBuildError(
                f"{RAW_FILES['gdp']}: no value for {iso} in {BASE_YEAR}") from None
        prov.add("banks", iso, "gdp_usd", "wdi_gdp", "reported", BASE_YEAR)
    gdp[ROW] = gdp_tab["WLD"][BASE_YEAR] - math.fsum(gdp[i] for i in LISTED)
    prov.add("banks", ROW, "gdp_usd", "wdi_gdp", "derived:World minus the 27", BASE_YEAR)

    npl = _ratio_with_imputation(_read_wdi(raw, "npl"), "npl_pct", "wdi_npl", prov, "WLD")
    cap = _ratio_with_imputation(
        _read_wdi(raw, "capital"), "capital_assets_pct", "wdi_bankcap", prov, "WLD")
    prvt = _ratio_with_imputation(
        _read_wdi(raw, "prvt"), "private_credit_pct_gdp", "wdi_credit", prov, "WLD")

    # Domestic assets: domestic credit by the financial sector where reported, else private
    # credit times the median ratio of the two among economies reporting both.
    doms_tab = _read_wdi(raw, "doms")
    doms: dict[str, float] = {}
    ratios = []
    for iso in LISTED:
        v, y = _latest(doms_tab, iso)
        if not math.isnan(v):
            doms[iso] = v
            prov.add("banks", iso, "domestic_credit_pct_gdp", "wdi_doms",
                     "reported:latest 2015-2023", y)
            ratios.append(v / prvt[iso])
    ratio = float(np.median(ratios))
    for iso in ECONOMIES:
        if iso not in doms:
            doms[iso] = prvt[iso] * ratio
            prov.add("banks", iso, "domestic_credit_pct_gdp", "wdi_credit",
                     f"imputed:private credit x median DOMS/PRVT of reporters ({ratio:.4g})")

    trade = _trade()
    N = len(ECONOMIES)
    exports = [math.fsum(trade[i, j] for j in range(N) if j != i) for i in range(N)]
    imports = [math.fsum(trade[j, i] for j in range(N) if j != i) for i in range(N)]

    fuel_tab = _read_wdi(raw, "fuel")
    eimp = _read_wdi(raw, "energy_imp")
    fuel: dict[str, float] = {}
    for iso in LISTED:
        # The calibration's rule (scosim.data.raw.fuel_share): Bahrain's before its
        # reporting break, Turkmenistan's latest (2000) rather than an imputed median.
        v, y, how = fuel_share(fuel_tab, iso, FIRST_YEAR, BASE_YEAR)
        if not math.isnan(v):
            fuel[iso] = v
            prov.add("banks", iso, "fuel_exports_pct", "wdi_fuel_exports", how, y)
    exporters = [fuel[i] for i in LISTED if i in fuel and _latest(eimp, i)[0] < 0]
    for iso in LISTED:
        if iso not in fuel:
            own = _latest(eimp, iso)[0]
            if own < 0:
                fuel[iso] = float(np.median(exporters))
                prov.add("banks", iso, "fuel_exports_pct", "wdi_energy_imports",
                         "imputed:median of listed net energy exporters (EG.IMP.CONS.ZS < 0)")
            else:
                fuel[iso] = float(np.median([fuel[i] for i in fuel]))
                prov.add("banks", iso, "fuel_exports_pct", "wdi_fuel_exports",
                         "imputed:median of the listed economies reporting")
    wv, wy = _latest(fuel_tab, "WLD")
    fuel[ROW] = wv
    prov.add("banks", ROW, "fuel_exports_pct", "wdi_fuel_exports", "reported:WDI World", wy)

    # Marginals of the cross-border interbank matrix (claims = liabilities per economy).
    dom_assets = np.array([doms[c] / 100.0 * gdp[c] for c in ECONOMIES])
    openness = np.array(
        [min(OPENNESS_CAP, (exports[i] + imports[i]) / gdp[c]) for i, c in enumerate(ECONOMIES)])
    claims = KAPPA * dom_assets * openness
    for i, c in enumerate(ECONOMIES):
        if aggregates and c in aggregates:
            claims[i] = float(aggregates[c])
    seed = trade + trade.T
    np.fill_diagonal(seed, 0.0)
    listed = np.array([c != ROW for c in ECONOMIES])
    k = ECONOMIES.index(ROW)
    # ROW's margins close the system: each listed economy's links to ROW in the trade
    # pattern's proportion (seed[k, i] / column sum of seed over all partners).
    share_row = seed[k, :] / seed.sum(axis=0)
    claims[k] = math.fsum(float(claims[i] * share_row[i]) for i in range(N) if listed[i])
    L = ras(seed, claims, claims)
    np.fill_diagonal(L, 0.0)
    L = np.array([[float(f"{x:.6g}") for x in row] for row in L])
    ib_claims = [math.fsum(L[j, i] for j in range(N)) for i in range(N)]
    ib_liab = [math.fsum(L[i, j] for j in range(N)) for i in range(N)]

    rows = []
    for i, c in enumerate(ECONOMIES):
        assets = float(f"{dom_assets[i] + ib_claims[i]:.6g}")
        capital = float(f"{cap[c] / 100.0 * assets:.6g}")
        deposits = float(f"{DEPOSIT_SHARE * (assets - capital - ib_liab[i]):.6g}")
        insured = float(f"{INSURED_SHARE * deposits:.6g}")
        fuel_gdp = fuel[c] / 100.0 * exports[i] / gdp[c]
        rows.append({
            "iso3": c, "gdp_usd": gdp[c], "private_credit_pct_gdp": prvt[c],
            "domestic_credit_pct_gdp": doms[c], "npl_pct": npl[c],
            "capital_assets_pct": cap[c], "trade_openness": openness[i],
            "fuel_exports_pct": fuel[c], "fuel_exports_gdp": fuel_gdp, "assets_usd": assets,
            "capital_usd": capital, "deposits_usd": deposits, "insured_deposits_usd": insured,
        })
        prov.add("banks", c, "trade_openness", "scosim_trade",
                 f"derived:(exports+imports)/GDP, capped at {OPENNESS_CAP:g}")
        prov.add("banks", c, "fuel_exports_gdp", "wdi_fuel_exports",
                 "derived:fuel_exports_pct/100 x exports/GDP")
        prov.add("banks", c, "assets_usd", "wdi_doms",
                 "derived:domestic_credit_pct_gdp/100 x GDP + interbank claims")
        prov.add("banks", c, "capital_usd", "wdi_bankcap", "derived:capital_assets_pct x assets")
        prov.add("banks", c, "deposits_usd", "assumption",
                 f"assumed:{DEPOSIT_SHARE:g} x (assets - capital - interbank liabilities)")
        prov.add("banks", c, "insured_deposits_usd", "assumption",
                 f"assumed:{INSURED_SHARE:g} x deposits")
    banks = pd.DataFrame(rows)
    exp_rows = [
        {"debtor": ECONOMIES[i], "creditor": ECONOMIES[j], "usd": L[i, j]}
        for i in range(N) for j in range(N) if L[i, j] > 0
    ]
    exposures = pd.DataFrame(exp_rows)
    prov.add("exposures", "*", "usd", "scosim_trade",
             f"derived:RAS of bilateral trade (both directions) to margins {KAPPA:g} x domestic "
             "assets x openness; ROW margin from the trade share with ROW")
    sigma_oil = _oil_volatility(raw)
    params = pd.DataFrame([
        {"name": "oil_log_change_sd", "value": sigma_oil, "unit": "log points per year",
         "source_id": "ei_sr2024",
         "method": f"derived:sd of annual log change of Brent {OIL_WINDOW[0]}-{OIL_WINDOW[1]}"},
        {"name": "kappa_interbank", "value": KAPPA, "unit": "fraction", "source_id": "assumption",
         "method": "assumed:cross-border interbank claims / (domestic assets x openness)"},
        {"name": "deposit_share", "value": DEPOSIT_SHARE, "unit": "fraction",
         "source_id": "assumption", "method": "assumed"},
        {"name": "insured_share", "value": INSURED_SHARE, "unit": "fraction",
         "source_id": "assumption", "method": "assumed"},
    ])
    settlement = pd.DataFrame([
        {"economy_a": "CHN", "economy_b": "RUS", "share": 0.8, "year": 2023,
         "source_id": "anchors_ncs"},
        *({"economy_a": a, "economy_b": b, "share": EAEU_NCS_SHARE, "year": 2023,
           "source_id": "eec_ncs_2023"} for a, b in _pairs(EAEU)),
    ])
    provenance = pd.DataFrame(
        prov.rows, columns=["table", "key", "field", "source_id", "method", "year"])
    sources = pd.DataFrame(SOURCES, columns=["source_id", "description", "origin", "raw_file"])
    return {"banks": banks, "exposures": exposures, "parameters": params,
            "settlement": settlement, "provenance": provenance, "sources": sources}


def serialise(tables: dict[str, pd.DataFrame]) -> dict[str, bytes]:
    """CSV bytes per file name; floats at 6 significant digits, newline line ends."""
    out = {}
    for name in TABLE_FILES:
        buf = io.StringIO()
        tables[name].to_csv(buf, index=False, lineterminator="\n", float_format="%.6g")
        out[f"{name}.csv"] = buf.getvalue().encode("utf-8")
    return out


def write_tables(raw_dir: str | os.PathLike[str], out_dir: Path | None = None) -> Path:
    """Build and write the tables (all built in memory first, so a failure writes nothing)."""
    files = serialise(build_tables(raw_dir))
    out = Path(out_dir) if out_dir is not None else TABLES_DIR
    out.mkdir(parents=True, exist_ok=True)
    for fname, data in files.items():
        tmp = out / f".{fname}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, out / fname)
    return out


def check_tables(raw_dir: str | os.PathLike[str], tables_dir: Path | None = None) -> list[str]:
    """File names whose packaged bytes differ from a fresh build (empty when up to date)."""
    files = serialise(build_tables(raw_dir))
    d = Path(tables_dir) if tables_dir is not None else TABLES_DIR
    return [f for f, b in files.items() if not (d / f).is_file() or (d / f).read_bytes() != b]
