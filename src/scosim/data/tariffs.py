"""Tariffs: the importers' MFN rates and the bilateral matrix ``tau[i, j]``.

``tau[i, j]`` is the ad valorem tariff (fraction) importer ``j`` (column) applies to goods
from exporter ``i`` (row), in the base year.

Data version ``2023`` (default):

1. the importer's MFN rate ``tariff_mfn`` (see :func:`country_tariffs_into`);
2. the composition adjustment (switchable): fuels and minerals enter most importers near
   duty-free, so the rate on exporter ``i`` scales with ``i``'s non-fuel export share,
   normalised so that the import-weighted mean over all suppliers still equals the
   importer's MFN rate: ``tau[i, j] = mfn_j (1 - f_i) / sum_k w_kj (1 - f_k)`` with ``f``
   the WDI fuel-export share and ``w_kj`` the supplier shares of ``j``'s imports;
3. agreements in force on 31 December of the base year (:mod:`scosim.data.agreements`):
   zero inside customs unions and FTAs, ``(1 - margin)`` times the rate inside a
   partial-scope scheme, with the scheme's own margin (:mod:`scosim.data.psa_margins`: from
   the WITS AHS excerpt where it covers the scheme's pairs, else an assumption);
4. India-Pakistan, from 2019: the suspension's tariff equivalent both ways, calibrated to
   the trade it cut (:mod:`scosim.data.suspension`);
5. preferences outside the 27: the importer's rate on the Rest of World times
   ``countries.tariff_row_mfn_share`` (:func:`scosim.data.row_tariff.row_mfn_shares`), the
   share of its imports from there that pays MFN, calibrated so that the import-weighted
   mean tariff equals the WDI applied/MFN ratio (median of 2019-2023) times the model's MFN
   rate; one share for each customs union in force.

Data version ``2019``: ``tariff_mfn`` of the importer on every partner, zero inside the
EAEU (the earlier calibration).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.data.agreements import deepest
from scosim.data.constants import EAEU, ECONOMIES, LISTED, ROW
from scosim.data.psa_margins import psa_margin
from scosim.data.raw import (
    BASE_YEAR,
    HERITAGE_NAMES,
    RAW_FILES,
    Prov,
    RawDataError,
    latest,
    numeric,
    raw_path,
    read,
    read_wdi,
)
from scosim.data.suspension import KINDS as SUSPENSION_KINDS
from scosim.data.suspension import PAIRS, SUSPENSION_FROM

#: Exporter -> importer pairs under the India-Pakistan suspension (:mod:`scosim.data.suspension`).
SUSPENSION_PAIRS = PAIRS
#: Importers whose MFN rate the 2023 version takes from the WITS AHS excerpt.
AHS_MFN = ("IND", "AZE", "BHR")
#: Partners outside the 27 in the AHS excerpt used for an MFN rate (no agreement with any of
#: the AHS importers that use them).
AHS_OUTSIDE = ("USA", "DEU")
#: Countries column: share of imports from the Rest of World paying MFN
#: (:mod:`scosim.data.row_tariff`; absent or 1: all of them).
ROW_SHARE = "tariff_row_mfn_share"
#: WDI series of the two weighted means (the raw file's indicator_name labels are swapped;
#: only the series code is trusted).
WDI_TARIFF_SERIES = {"tariff_applied": "TM.TAX.MRCH.WM.AR.ZS",
                     "tariff_mfn": "TM.TAX.MRCH.WM.FN.ZS"}


def country_tariffs_into(
    raw_dir: Path,
    rec: dict[str, dict[str, object]],
    prov: Prov,
    version: str,
    spells: pd.DataFrame | None = None,
) -> None:
    """Fill ``tariff_mfn`` and ``tariff_applied`` of every economy (with provenance).

    Both versions: the latest WDI weighted means (series codes, not the swapped labels),
    Heritage 2019 where the WDI file has none, ROW as an import-weighted mean of the
    non-listed reporters. Version ``2023`` then corrects the importer's MFN rate
    (``tariff_mfn``, the rate the tariff matrix and the CET rules use):

    * EAEU members charge the EAEU common external tariff: Russia's MFN weighted mean
      (Russia's schedule is the CET), instead of applied rates that average in duty-free
      EAEU imports (Belarus and Armenia had Heritage applied rates);
    * importers whose rate was a Heritage fallback and that the WITS AHS excerpt covers
      (India, Azerbaijan, Bahrain) take the mean AHS rate on their partners outside the 27
      (USA, Germany) where the excerpt has them, else on their partners among the 27 with no
      agreement in force in the base year and a positive rate (a post-2018 applied MFN rate).

    Args:
        raw_dir: Raw data directory.
        rec: Country records (modified in place).
        prov: Provenance collector.
        version: ``"2023"`` or ``"2019"``.
        spells: Agreement spells (needed for version 2023).
    """
    imports = read_wdi(raw_dir, "imports")
    overrides: dict[str, tuple[float, str, str, int | None]] = {}
    fname = RAW_FILES["tariff"]
    t, tab = _wdi_tariff_table(raw_dir)
    codes = WDI_TARIFF_SERIES
    hfile = RAW_FILES["heritage"]
    h = read(raw_dir, "heritage", ["Country Name", "Tariff Rate (%)"], encoding="latin-1")
    h = h.assign(rate=numeric(h, "Tariff Rate (%)", hfile))
    hmap = dict(zip(h["Country Name"].str.strip(), h["rate"], strict=True))
    if version == "2023":
        assert spells is not None
        overrides = _mfn_2023(raw_dir, tab["tariff_mfn"], spells)
    for iso in LISTED:
        for f in codes:
            if f == "tariff_mfn" and iso in overrides:
                value, source, method, year = overrides[iso]
                rec[iso][f] = value
                prov.add("countries", iso, f, source, method, year)
                continue
            v, yr = latest(tab[f], iso, 2005, BASE_YEAR)
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
            v, _ = latest(tab[f], iso, 2005, BASE_YEAR)
            w, _ = latest(imports, iso, BASE_YEAR - 2, BASE_YEAR)
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


def _wdi_tariff_table(raw_dir: Path) -> tuple[pd.DataFrame, dict[str, dict[str, dict[int, float]]]]:
    """The WDI tariff file and ``{field: {iso3: {year: fraction}}}`` of its two series."""
    fname = RAW_FILES["tariff"]
    t = read(raw_dir, "tariff", ["country_code", "year", "series", "value"])
    t = t.assign(value=numeric(t, "value", fname), year=numeric(t, "year", fname))
    tab: dict[str, dict[str, dict[int, float]]] = {f: {} for f in WDI_TARIFF_SERIES}
    for f, code in WDI_TARIFF_SERIES.items():
        sub = t[(t["series"] == code) & t["value"].notna()]
        if sub.empty:
            raise RawDataError(f"{fname}: series {code} absent")
        for iso, yr, v in zip(sub["country_code"], sub["year"], sub["value"], strict=True):
            tab[f].setdefault(str(iso), {})[int(yr)] = float(v) / 100.0
    return t, tab


def _mfn_2023(
    raw_dir: Path, wb_mfn: dict[str, dict[int, float]], spells: pd.DataFrame
) -> dict[str, tuple[float, str, str, int | None]]:
    """``{iso3: (rate, source_id, method, year)}`` replacing MFN rates in version 2023."""
    out: dict[str, tuple[float, str, str, int | None]] = {}
    cet, year = latest(wb_mfn, "RUS", 2005, BASE_YEAR)
    if math.isnan(cet):
        raise RawDataError(f"{RAW_FILES['tariff']}: no MFN weighted mean for RUS (EAEU CET)")
    for iso in EAEU:
        method = (
            "reported:latest<= 2023 (RUS schedule = EAEU CET)"
            if iso == "RUS"
            else ("derived:EAEU common external tariff = RUS MFN weighted mean")
        )
        out[iso] = (cet, "wb_tariff", method, year)
    ahs = read_ahs(raw_dir)
    pref = deepest(spells, year)
    for iso in AHS_MFN:
        rates = ahs.get(iso)
        if not rates:
            raise RawDataError(f"{RAW_FILES['ahs']}: importer {iso} absent")
        outside = [rates[p] for p in AHS_OUTSIDE if p in rates]
        if outside:
            used = [p for p in AHS_OUTSIDE if p in rates]
        else:
            # A partner the excerpt shows duty-free without an agreement in the WTO file
            # would hold an unrecorded preference, not an MFN rate (none since the 1994 CIS
            # FTA is kept with states outside the 2011 treaty: agreements.SUPERSEDED_BY).
            used = [p for p in LISTED if p in rates and (p, iso) not in pref and rates[p] > 0]
        if not used:
            raise RawDataError(f"{RAW_FILES['ahs']}: no non-preferential partner for {iso}")
        value = math.fsum(rates[p] for p in used) / len(used) / 100.0
        out[iso] = (
            value,
            "wits_ahs",
            f"derived:mean AHS on {len(used)} partners without agreement ({' '.join(used)})",
            BASE_YEAR,
        )
    return out


def read_ahs(raw_dir: Path) -> dict[str, dict[str, float]]:
    """WITS AHS excerpt as ``{importer: {exporter: percent}}`` (underscored keys dropped).

    Raises:
        RawDataError: If the file is not JSON, lacks ``reporters`` or holds a non-numeric
            or negative rate (naming importer and exporter).
    """
    path = raw_path(raw_dir, "ahs")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RawDataError(f"{path.name}: not valid JSON ({exc})") from exc
    reps = doc.get("reporters") if isinstance(doc, dict) else None
    if not isinstance(reps, dict) or not reps:
        raise RawDataError(f"{path.name}: object 'reporters' (importer -> exporter -> %) absent")
    out: dict[str, dict[str, float]] = {}
    for imp, row in reps.items():
        if not isinstance(row, dict):
            raise RawDataError(f"{path.name}: reporters.{imp} is not an object")
        out[imp] = {}
        for exp, v in row.items():
            if exp.startswith("_"):
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not v >= 0:
                raise RawDataError(
                    f"{path.name}: reporters.{imp}.{exp} must be a rate >= 0 (percent), got {v!r}"
                )
            out[imp][exp] = float(v)
    return out


def fuel_shares(countries: pd.DataFrame) -> np.ndarray:
    """Fuel share of each economy's merchandise exports (fraction, canonical order).

    ``fuel_exports_pct`` of the countries table, which already holds Turkmenistan's
    latest value (2000, named a fallback there: :mod:`scosim.data.countries`).

    Raises:
        RawDataError: An economy has no fuel share.
    """
    f = countries["fuel_exports_pct"].to_numpy(dtype=float) / 100.0
    if np.isnan(f).any():
        missing = [iso for iso, v in zip(ECONOMIES, f, strict=True) if math.isnan(v)]
        raise RawDataError(f"{RAW_FILES['fuel_exp']}: no fuel export share for {missing}")
    return np.clip(f, 0.0, 1.0)


def composition_factors(trade: pd.DataFrame, fuel: np.ndarray) -> np.ndarray:
    """``(N, N)`` factors ``s[i, j] = (1 - f_i) / sum_k w_kj (1 - f_k)`` (diagonal 1).

    ``w_kj`` are the supplier shares of importer ``j``'s imports (off-diagonal trade), so
    that ``sum_i w_ij s[i, j] = 1`` for every importer: the adjustment moves the rate
    between suppliers and leaves each importer's import-weighted mean rate unchanged.
    The normalisers are those a customs union's external tariff schedule uses
    (:func:`scosim.mechanisms.cet_schedule.composition_weights`).
    """
    from scosim.mechanisms.cet_schedule import composition_weights

    _, norm, nonfuel = composition_weights(trade.to_numpy(dtype=float), fuel)
    s = nonfuel[:, None] / norm[None, :]
    np.fill_diagonal(s, 1.0)
    return s


def tariffs_2019(countries: pd.DataFrame, prov: Prov,
                 kinds: list[dict[str, object]] | None = None) -> pd.DataFrame:
    """Data version 2019: importer ``tariff_mfn`` on every partner, zero inside the EAEU.

    ``kinds``, if given, receives one ``tariff_kinds`` row a cell (as :func:`tariffs_2023`).
    """
    mfn = countries["tariff_mfn"].to_numpy(dtype=float)
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
                method, src = "derived:zero (domestic)", "scosim_rule"
            elif i in EAEU and j in EAEU:
                method, src = "derived:zero inside EAEU customs union", "eaeu_treaty"
            else:
                method, src = "derived:importer tariff_mfn", "scosim_rule"
            prov.add("tariffs", f"{i}-{j}", "value", src, method)
            if kinds is not None:
                kinds.append({"exporter": i, "importer": j, "rate_without_measure": math.nan,
                              "kind": "domestic" if i == j else
                              "preferential" if i in EAEU and j in EAEU else "mfn"})
    return _frame(tau)


def _frame(tau: np.ndarray) -> pd.DataFrame:
    df = pd.DataFrame(tau, index=list(ECONOMIES), columns=list(ECONOMIES))
    df.index.name = "exporter"
    return df


def tariffs_2023(
    countries: pd.DataFrame,
    trade: pd.DataFrame,
    spells: pd.DataFrame,
    fuel: np.ndarray,
    prov: Prov | None,
    *,
    suspension: Mapping[tuple[str, str], tuple[float, str]],
    margins: Mapping[int, float],
    composition: bool = True,
    year: int = BASE_YEAR,
    kinds: list[dict[str, object]] | None = None,
) -> pd.DataFrame:
    """Data version 2023: MFN x composition, agreements in force, India-Pakistan suspension.

    Args:
        countries: Countries table (``tariff_mfn`` of version 2023).
        trade: Trade table of version 2023 (supplier shares of the composition adjustment).
        spells: Agreement spells (:func:`scosim.data.agreements.build_agreements`).
        fuel: Fuel-export shares (:func:`fuel_shares`).
        prov: Provenance collector (``None``: record nothing).
        suspension: ``(exporter, importer) -> (tariff equivalent, provenance method)`` of
            every pair in :data:`SUSPENSION_PAIRS` (:mod:`scosim.data.suspension`; the
            method must contain :data:`scosim.mechanisms.suspensions.SUSPENSION_METHOD`).
        margins: ``{rta_id: margin}`` of every partial-scope agreement in force
            (:func:`scosim.data.psa_margins.margin_map` of the ``psa_margins`` table).
        composition: Apply the composition adjustment (default on).
        year: Year whose agreements (in force on 31 December) and India-Pakistan suspension
            (from :data:`SUSPENSION_FROM`) apply; default the base year. Other years keep
            the base year's MFN rates and trade (the hindcast's tariffs of an era).
        kinds: If given, one row of the ``tariff_kinds`` table is appended for each cell
            (:mod:`scosim.data.tariff_kinds`): its kind, and on a suspended cell the rate
            the agreement in force (else the MFN rule) gives the pair without the measure.

    Returns:
        Exporter x importer tariffs (fractions).
    """
    mfn = countries["tariff_mfn"].to_numpy(dtype=float)
    n = len(ECONOMIES)
    s = composition_factors(trade, fuel) if composition else np.ones((n, n))
    tau = mfn[None, :] * s
    row = ECONOMIES.index(ROW)
    share = (countries[ROW_SHARE].to_numpy(dtype=float) if ROW_SHARE in countries
             else np.ones(n))
    tau[row] *= share  # preferences outside the 27 (scosim.data.row_tariff)
    pref = deepest(spells, year)
    comp = " x composition (1-fuel share)/importer mean" if composition else ""
    for a, i in enumerate(ECONOMIES):
        for b, j in enumerate(ECONOMIES):
            key = f"{i}-{j}"
            under = math.nan  # the rate without a measure, on a measure's cell only
            if a == row and b != row and share[b] != 1.0:
                method = (f"derived:importer tariff_mfn{comp} x tariff_row_mfn_share "
                          f"{share[b]:.4f} (preferences outside the 27)")
                cell, src = "mfn_row", "wb_tariff"
            elif a == b:
                tau[a, b] = 0.0
                method, src, cell = "derived:zero (domestic)", "scosim_rule", "domestic"
            else:
                # The agreement's (or MFN) rate first: a suspension overrides it, and the
                # rate stays recorded as what the pair would pay without the measure.
                if (i, j) in pref:
                    kind, rid = pref[(i, j)]
                    if kind == "PSA":
                        margin = psa_margin(margins, rid)
                        tau[a, b] *= 1.0 - margin
                        method = (f"derived:partial scope RTA {rid}: (1-{margin:.4g}) x "
                                  f"MFN{comp} (margin: psa_margins)")
                    else:
                        tau[a, b] = 0.0
                        method = f"derived:zero, {kind} RTA {rid} in force {year}"
                    src, cell = "wto_rta", "preferential"
                else:
                    method, src, cell = f"derived:importer tariff_mfn{comp}", "scosim_rule", "mfn"
                if (i, j) in SUSPENSION_PAIRS and year >= SUSPENSION_FROM:
                    under = float(tau[a, b])
                    tau[a, b], method = suspension[(i, j)]
                    src = "ind_pak_suspension"
                    cell = ("ban_equivalent" if SUSPENSION_KINDS[(i, j)] == "ban"
                            else "duty_equivalent")
            if prov is not None:
                prov.add("tariffs", key, "value", src, method, year)
            if kinds is not None:
                kinds.append({"exporter": i, "importer": j, "kind": cell,
                              "rate_without_measure": under})
    return _frame(tau)


def tariff_revenue(trade: pd.DataFrame, tariffs: pd.DataFrame,
                   no_revenue: Iterable[tuple[str, str]] = ()) -> float:
    """Base-year tariff revenue ``sum_ij X_ij tau_ij`` (US$, flows at border prices).

    Args:
        trade: Trade table (CIF flows).
        tariffs: Tariff table.
        no_revenue: Exporter -> importer cells whose tariff equivalent earns no revenue
            (a ban: :data:`scosim.data.suspension.KINDS`), left out.
    """
    x = trade.to_numpy(dtype=float)
    t = tariffs.loc[trade.index, trade.columns].to_numpy(dtype=float).copy()
    rows, cols = list(trade.index), list(trade.columns)
    for i, j in no_revenue:
        if i in rows and j in cols:
            t[rows.index(i), cols.index(j)] = 0.0
    return math.fsum((x * t).ravel())
