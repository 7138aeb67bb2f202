"""Preferences outside the 27: what share of an importer's imports from the Rest of World pays MFN.

The Rest of World is one economy, and the agreements table covers the 27 only, so the
built tariff matrix charges the importer's full MFN rate on everything from the Rest of
World: Türkiye's customs union with the EU, Egypt's agreement with the EU, Kazakhstan's
and Kyrgyzstan's CIS free trade with Ukraine and Moldova, Myanmar's and Cambodia's ASEAN
partners are all missing. The WDI publishes, for each importer and year, its applied and its
MFN tariff as means weighted by the *same* imports, so their ratio is the share of the MFN
duty the importer actually collects, over all partners.

For an importer ``j`` with both WDI means reported in the same year, the target of its
import-weighted tariff is ``rho_j * tariff_mfn_j`` with ``rho_j = applied_j / mfn_j`` (WDI,
that year): the model's MFN rate (which the EAEU's common external tariff or an AHS rate may
have replaced) times the share WDI says is collected. The agreements among the 27 already
lower the mean; what is left is put on the Rest of World, read as a mix of partners at MFN
and partners duty-free under agreements outside the 27:

    tau[ROW, j] = s_j * base[ROW, j],
    s_j = (rho_j mfn_j sum_i X_ij - sum_{i != ROW} X_ij tau_ij) / (X_ROW,j base[ROW, j]),

clipped to ``[0, 1]``: ``s_j`` is the share of ``j``'s imports from the Rest of World that
pays MFN (``countries.tariff_row_mfn_share``). A customs union in force (the EAEU, the GCC)
has one trade policy, so one share: the sums are taken over its members with WDI ratios and
the share applies to every member. Where the agreements among the 27 already bring the
mean to the target or below (they count as zero on every line; sensitive lists
are not modelled), ``s_j = 1``; where the 27's tariffs alone exceed it, ``s_j = 0``. Weights
are the base-year trade matrix without the diagonal and without India-Pakistan's suspended
pair. Importers whose applied rate is not a WDI figure of the MFN's year (Heritage
fallbacks: India, Azerbaijan, Afghanistan, Mongolia, Maldives, Turkmenistan; Belarus,
Armenia and Bahrain take their union's share) and the Rest of World itself (whose applied
mean averages in the preferences its economies give each other, which are its internal
trade here) keep ``s = 1``.

A customs union keeps the preferential share (``scosim.proposals.customs_union``): its
members charge the Rest of World ``s_j`` times the common external tariff unless the proposal
says ``replace_preferences: true``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.data.constants import ECONOMIES, ROW
from scosim.data.raw import BASE_YEAR, Prov, latest
from scosim.data.tariffs import PROHIBITIVE_PAIRS, ROW_SHARE, _wdi_tariff_table, tariffs_2023
from scosim.mechanisms.blocs import customs_union_blocs

#: The countries column this module fills.
COLUMN = ROW_SHARE


def preference_ratios(raw_dir: Path) -> dict[str, tuple[float, int]]:
    """``{iso3: (applied / MFN, year)}`` where WDI reports both weighted means in one year.

    The latest year up to the base year in which both series have a value; economies whose
    latest values are of different years are left out (their ratio would mix two years).
    """
    _, tab = _wdi_tariff_table(raw_dir)
    out: dict[str, tuple[float, int]] = {}
    for iso in ECONOMIES:
        if iso == ROW:
            continue
        app, ya = latest(tab["tariff_applied"], iso, 2005, BASE_YEAR)
        mfn, ym = latest(tab["tariff_mfn"], iso, 2005, BASE_YEAR)
        if ya is None or ym is None or ya != ym or not mfn > 0:
            continue
        out[iso] = (app / mfn, ya)
    return out


def row_mfn_shares(
    countries: pd.DataFrame,
    trade: pd.DataFrame,
    spells: pd.DataFrame,
    fuel: np.ndarray,
    ratios: dict[str, tuple[float, int]],
    prov: Prov | None,
) -> pd.Series:
    """Each importer's share of imports from the Rest of World paying MFN (module formula).

    Args:
        countries: Countries table of version 2023 (``tariff_mfn``, ``tariff_applied``);
            a ``tariff_row_mfn_share`` column, if present, is ignored (the base is MFN).
        trade: Trade table of version 2023.
        spells: Agreement spells.
        fuel: Fuel-export shares (the composition adjustment).
        ratios: :func:`preference_ratios`.
        prov: Provenance collector for ``countries.tariff_row_mfn_share`` (``None``: none).

    Returns:
        Shares in [0, 1] by ISO3, canonical order.
    """
    base_c = countries.drop(columns=[COLUMN], errors="ignore")
    tau = tariffs_2023(base_c, trade, spells, fuel, None).to_numpy(dtype=float)
    x = trade.loc[list(ECONOMIES), list(ECONOMIES)].to_numpy(dtype=float).copy()
    np.fill_diagonal(x, 0.0)
    idx = {c: a for a, c in enumerate(ECONOMIES)}
    for i, j in PROHIBITIVE_PAIRS:
        x[idx[i], idx[j]] = 0.0
    r = idx[ROW]
    # Per importer with ratios: target x imports, duties from the 27, and the Rest of World's
    # duties at MFN (the quantities of the module formula).
    parts: dict[str, tuple[float, float, float]] = {}
    for b, iso in enumerate(ECONOMIES):
        if iso in ratios and iso != ROW:
            target = ratios[iso][0] * float(countries.loc[iso, "tariff_mfn"])
            others = math.fsum(x[a, b] * tau[a, b] for a in range(len(ECONOMIES)) if a != r)
            parts[iso] = (target * math.fsum(x[:, b]), others, x[r, b] * tau[r, b])
    # A customs union in force has one trade policy: its members share one share, fitted
    # on the members with WDI ratios (the EAEU's and the GCC's agreements are the bloc's).
    blocs = [[ECONOMIES[k] for k in g] for g in customs_union_blocs(spells, ECONOMIES, BASE_YEAR)]
    in_bloc = {iso: g for g in blocs for iso in g}
    out: dict[str, float] = {}
    for iso in ECONOMIES:
        group = in_bloc.get(iso, [iso])
        fitted = [c for c in group if c in parts]
        share, year, source = 1.0, None, "scosim_rule"
        if iso == ROW:
            method = "derived:1 (the Rest of World's own preferences are its internal trade)"
        elif not fitted:
            method = ("derived:1 (no WDI applied and MFN weighted means of one year: "
                      "tariff_applied is not a WDI figure)")
        else:
            aim = math.fsum(parts[c][0] for c in fitted)
            others = math.fsum(parts[c][1] for c in fitted)
            row_duty = math.fsum(parts[c][2] for c in fitted)
            need = (aim - others) / row_duty
            share = min(1.0, max(0.0, need))
            source = "wb_tariff"
            if need >= 1.0:
                what = "agreements among the 27 bring the mean to or below the target"
            elif need <= 0.0:
                what = "the 27's tariffs alone exceed the target"
            else:
                what = "mean equals the target"
            if len(group) > 1:
                years = sorted({ratios[c][1] for c in fitted})
                imports = math.fsum(math.fsum(x[:, idx[c]]) for c in fitted)
                mean = 100.0 * (others + row_duty * share) / imports
                method = (f"derived:calibrated for the customs union {' '.join(group)} jointly "
                          f"on {' '.join(fitted)} (WDI applied/MFN, {'-'.join(map(str, years))})"
                          f": their import-weighted target {100 * aim / imports:.2f} %; {what} "
                          f"({mean:.2f} %)")
                year = years[-1]
            else:
                rho, year = ratios[iso]
                target = rho * float(countries.loc[iso, "tariff_mfn"])
                b = idx[iso]
                total = math.fsum(x[:, b])
                mean = 100.0 * (parts[iso][1] + parts[iso][2] * share) / total
                method = (f"derived:calibrated, target WDI applied/MFN {rho:.4f} ({year}) x "
                          f"tariff_mfn = {100 * target:.2f} %; {what} ({mean:.2f} %)")
        out[iso] = share
        if prov is not None:
            prov.add("countries", iso, COLUMN, source, method, year)
    return pd.Series(out, name=COLUMN).loc[list(ECONOMIES)]
