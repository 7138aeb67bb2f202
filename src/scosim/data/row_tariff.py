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
import statistics
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from scosim.data.constants import ECONOMIES, ROW
from scosim.data.raw import BASE_YEAR, Prov
from scosim.data.tariffs import ROW_SHARE, SUSPENSION_PAIRS, _wdi_tariff_table, tariffs_2023
from scosim.mechanisms.blocs import customs_union_blocs

#: Years whose WDI ratios are pooled (their median): the five years to the base year.
RATIO_YEARS = range(BASE_YEAR - 4, BASE_YEAR + 1)


class Ratio(NamedTuple):
    """An importer's share of MFN duty collected, from the WDI's two weighted means."""

    value: float  # median over ``years`` of applied / MFN
    years: tuple[int, ...]  # years used
    dropped: tuple[int, ...]  # years with applied = MFN while another year shows a gap

    def describe(self) -> str:
        """How the ratio was formed, for provenance."""
        span = "-".join(map(str, sorted({self.years[0], self.years[-1]})))
        text = (f"WDI applied/MFN {self.value:.4f} (median of {len(self.years)}: {span})"
                if len(self.years) > 1 else f"WDI applied/MFN {self.value:.4f} ({span})")
        if self.dropped:
            text += (f", {' '.join(map(str, self.dropped))} left out (applied = MFN: no "
                     "preference data that year)")
        return text


def preference_ratios(raw_dir: Path) -> dict[str, Ratio]:
    """``{iso3: Ratio}``: the median applied / MFN ratio of the years in :data:`RATIO_YEARS`.

    Each year's two means share their weights, so each year's ratio is a like-for-like
    share; the median of the window's years damps the series' year-to-year jumps
    (Tajikistan 0.54 in 2020, 0.36 in 2021; Kyrgyzstan's MFN mean of 17.5 % in 2019). A
    year whose applied mean equals its MFN mean exactly, while another year of the window
    shows applied below MFN, is left out: WITS computes the applied rate without
    preferences when a year has no preferential data (Saudi Arabia, Kuwait and Cambodia in
    2022). Economies with no year of both in the window are left out.
    """
    _, tab = _wdi_tariff_table(raw_dir)
    app, mfn = tab["tariff_applied"], tab["tariff_mfn"]
    out: dict[str, Ratio] = {}
    for iso in ECONOMIES:
        if iso == ROW:
            continue
        years = [y for y in RATIO_YEARS
                 if y in app.get(iso, {}) and y in mfn.get(iso, {}) and mfn[iso][y] > 0]
        if not years:
            continue
        gap = any(app[iso][y] < mfn[iso][y] for y in years)
        dropped = tuple(y for y in years if gap and app[iso][y] == mfn[iso][y])
        kept = tuple(y for y in years if y not in dropped)
        value = statistics.median(app[iso][y] / mfn[iso][y] for y in kept)
        out[iso] = Ratio(value, kept, dropped)
    return out


def row_mfn_shares(
    countries: pd.DataFrame,
    trade: pd.DataFrame,
    spells: pd.DataFrame,
    fuel: np.ndarray,
    ratios: dict[str, Ratio],
    prov: Prov | None,
    suspension: Mapping[tuple[str, str], tuple[float, str]],
    margins: Mapping[int, float],
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
        suspension: The India-Pakistan suspension's tariff cells (``suspension`` of
            :func:`scosim.data.tariffs.tariffs_2023`; their flows are left out of the weights).
        margins: Partial-scope margins (``margins`` of :func:`scosim.data.tariffs.tariffs_2023`).

    Returns:
        Shares in [0, 1] by ISO3, canonical order.
    """
    base_c = countries.drop(columns=[ROW_SHARE], errors="ignore")
    tau = tariffs_2023(base_c, trade, spells, fuel, None,
                       suspension=suspension, margins=margins).to_numpy(dtype=float)
    x = trade.loc[list(ECONOMIES), list(ECONOMIES)].to_numpy(dtype=float).copy()
    np.fill_diagonal(x, 0.0)
    idx = {c: a for a, c in enumerate(ECONOMIES)}
    for i, j in SUSPENSION_PAIRS:
        x[idx[i], idx[j]] = 0.0
    r = idx[ROW]
    # Per importer with ratios: target x imports, duties from the 27, and the Rest of World's
    # duties at MFN (the quantities of the module formula).
    parts: dict[str, tuple[float, float, float]] = {}
    for b, iso in enumerate(ECONOMIES):
        if iso in ratios and iso != ROW:
            target = ratios[iso].value * float(countries.loc[iso, "tariff_mfn"])
            others = math.fsum(x[a, b] * tau[a, b] for a in range(len(ECONOMIES)) if a != r)
            parts[iso] = (target * math.fsum(x[:, b]), others, x[r, b] * tau[r, b])
    # A customs union in force has one trade policy: its members share one share, fitted
    # on the members with WDI ratios (the EAEU's and the GCC's agreements are the bloc's);
    # any other importer is a group of one.
    blocs = [[ECONOMIES[k] for k in g] for g in customs_union_blocs(spells, ECONOMIES, BASE_YEAR)]
    in_bloc = {iso: g for g in blocs for iso in g}
    fits: dict[tuple[str, ...], tuple[float, str, int]] = {}
    for group in {tuple(in_bloc.get(iso, [iso])) for iso in parts}:
        fitted = [c for c in group if c in parts]
        aim, others, row_duty = (math.fsum(parts[c][k] for c in fitted) for k in range(3))
        imports = math.fsum(math.fsum(x[:, idx[c]]) for c in fitted)
        need = (aim - others) / row_duty
        share = min(1.0, max(0.0, need))
        if need >= 1.0:
            what = "agreements among the 27 bring the mean to or below the target"
        elif need <= 0.0:
            what = "the 27's tariffs alone exceed the target"
        else:
            what = "mean equals the target"
        reached = f"{what} ({100.0 * (others + row_duty * share) / imports:.2f} %)"
        if len(group) > 1:
            each = "; ".join(f"{c} {ratios[c].describe()}" for c in fitted)
            method = (f"derived:calibrated for the customs union {' '.join(group)} jointly "
                      f"on {' '.join(fitted)} ({each}): their import-weighted target "
                      f"{100 * aim / imports:.2f} %; {reached}")
        else:
            (iso,) = group
            target = ratios[iso].value * float(countries.loc[iso, "tariff_mfn"])
            method = (f"derived:calibrated, target {ratios[iso].describe()} x "
                      f"tariff_mfn = {100 * target:.2f} %; {reached}")
        fits[group] = (share, method, max(ratios[c].years[-1] for c in fitted))
    out: dict[str, float] = {}
    for iso in ECONOMIES:
        group = tuple(in_bloc.get(iso, [iso]))
        if group in fits:
            share, method, year = fits[group]
            source: str = "wb_tariff"
        elif iso == ROW:
            share, year, source = 1.0, None, "scosim_rule"
            method = "derived:1 (the Rest of World's own preferences are its internal trade)"
        else:
            share, year, source = 1.0, None, "scosim_rule"
            method = (f"derived:1 (no WDI applied and MFN weighted means of one year in "
                      f"{RATIO_YEARS[0]}-{RATIO_YEARS[-1]}: tariff_applied is not a WDI figure)")
        out[iso] = share
        if prov is not None:
            prov.add("countries", iso, ROW_SHARE, source, method, year)
    return pd.Series(out, name=ROW_SHARE).loc[list(ECONOMIES)]
