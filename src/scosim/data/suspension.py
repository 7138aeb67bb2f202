"""The India-Pakistan trade suspension as a tariff equivalent calibrated to the trade it cut.

India has charged 200 % on goods from Pakistan since February 2019 and Pakistan suspended
trade with India in August 2019 (source ``ind_pak_suspension``). The base-year (2023) flows
are those after the suspension (US$258 m India to Pakistan, mostly exempted medicines, and
US$8 m back), so what lifting it does in exact hat algebra depends only on the tariff
equivalent: lifting ``t`` multiplies a flow at border prices by ``(1 + t)^sigma``.

The equivalent is set so that lifting it restores the trade the pair had before the
suspension, relative to the rest of the two economies' trade:

* ``pre``: the importer-reported CIF flow (IMF DOTS, the rule of the trade table) in each
  of the last three full years before the measures, 2016-2018, carried to 2023 the way
  structural gravity scales a flow when sizes change and trade costs do not (the rule the
  trade table uses for pairs without a 2023 record): ``X_ij(y) gX_i gM_j / gW``, growth of
  the exporter's WDI exports, the importer's WDI imports and world imports from ``y`` to
  2023; their mean;
* ``observed``: the 2023 cell of the trade table (WITS, importer-reported CIF);
* the fall ``F = pre / observed`` and the tariff equivalent ``t = F^(1/sigma) - 1``.

The packaged table holds ``t`` at :data:`SUSPENSION_SIGMA` (5, the scenarios' sigma); a
model run on another sigma re-computes it from the same fall
(:func:`at_sigma`), so that lifting the suspension restores the same trade at any sigma.

The two measures are of different kinds (:data:`KINDS`): India's is a customs duty, which
earns revenue, Pakistan's a ban (medicines exempted), which earns none. The table states
both as the tariff equivalent of their fall; the provenance of each cell names its kind
(:data:`DUTY_METHOD`, :data:`BAN_METHOD`), and a model prices a ban as an iceberg trade
cost of the same fall (:func:`ban_factor`), not as a tariff.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from scosim.data.raw import (
    BASE_YEAR,
    DOTS_NAMES,
    RAW_FILES,
    Prov,
    RawDataError,
    need,
    read,
    read_wdi,
)

__all__ = ["BAN_METHOD", "DUTY_METHOD", "KINDS", "PAIRS", "PRE_YEARS", "SUSPENSION_FROM",
           "SUSPENSION_SIGMA", "Fall", "at_sigma", "ban_factor", "falls", "from_tariffs",
           "record"]

#: Exporter -> importer pairs under the suspension.
PAIRS: tuple[tuple[str, str], ...] = (("IND", "PAK"), ("PAK", "IND"))
#: First year the suspension is in force on 31 December (both measures date from 2019).
SUSPENSION_FROM = 2019
#: Full years before the measures whose flows, carried to the base year, are the trade the
#: suspension cut (2019 is partial: India's duty from February, Pakistan's ban from August).
PRE_YEARS = (2016, 2017, 2018)
#: Elasticity at which the packaged table states the tariff equivalent (the scenarios'
#: default ``parameters.trade.sigma``).
SUSPENSION_SIGMA = 5.0
#: The kind of each pair's measure (source ``ind_pak_suspension``): India's 200 % on goods
#: from Pakistan is a customs duty (revenue); Pakistan's suspension of trade with India is a
#: ban with medicines exempted (no revenue).
KINDS: dict[tuple[str, str], str] = {("IND", "PAK"): "ban", ("PAK", "IND"): "duty"}
#: Text in a suspended tariff cell's provenance ``method`` saying its measure is a duty.
DUTY_METHOD = "[duty: tariff revenue]"
#: Text in a suspended tariff cell's provenance ``method`` saying its measure is a ban: the
#: cell holds its tariff equivalent, and a model prices it as an iceberg trade cost.
BAN_METHOD = "[ban: no revenue, an iceberg trade cost in the model]"


@dataclass(frozen=True)
class Fall:
    """How far the suspension cut one flow (US$, CIF at the importer, base year)."""

    pre: float
    observed: float
    by_year: tuple[float, ...]

    @property
    def ratio(self) -> float:
        """``F = pre / observed``: what lifting the suspension should multiply the flow by."""
        return self.pre / self.observed

    @property
    def tariff(self) -> float:
        """The tariff equivalent at :data:`SUSPENSION_SIGMA`: ``F^(1/sigma) - 1``."""
        return self.ratio ** (1.0 / SUSPENSION_SIGMA) - 1.0


def falls(raw_dir: Path, trade: pd.DataFrame) -> dict[tuple[str, str], Fall]:
    """The fall of each suspended flow (module formula).

    Args:
        raw_dir: Raw data directory (IMF DOTS long file, WDI merchandise totals).
        trade: Trade table of version 2023 (its cells are the observed flows).

    Raises:
        RawDataError: If DOTS has no importer-reported value for a pair and year, a WDI
            total is missing, or the 2023 flow is not positive.
    """
    fname = RAW_FILES["dots"]
    df = read(raw_dir, "dots", ["reporter_iso3", "partner_dots_name", "flow", "year", "value"])
    mx, mm = read_wdi(raw_dir, "exports"), read_wdi(raw_dir, "imports")
    fx, fm = RAW_FILES["exports"], RAW_FILES["imports"]
    by = BASE_YEAR
    out: dict[tuple[str, str], Fall] = {}
    for i, j in PAIRS:
        rows = df[(df["reporter_iso3"] == j) & (df["partner_dots_name"] == DOTS_NAMES[i])
                  & (df["flow"] == "imports_cif")]
        scaled = []
        for y in PRE_YEARS:
            hit = pd.to_numeric(rows.loc[rows["year"] == y, "value"], errors="coerce")
            if len(hit) != 1 or not float(hit.iloc[0]) > 0:
                raise RawDataError(f"{fname}: need one positive imports_cif of reporter {j} "
                                   f"from partner {DOTS_NAMES[i]!r} in {y}; found {list(hit)}")
            g = (need(mx, i, by, fx) / need(mx, i, y, fx)) * (need(mm, j, by, fm)
                 / need(mm, j, y, fm)) / (need(mm, "WLD", by, fm) / need(mm, "WLD", y, fm))
            scaled.append(float(hit.iloc[0]) * 1e6 * g)
        observed = float(trade.loc[i, j])
        if not observed > 0:
            raise RawDataError(f"trade table: the {by} flow {i}-{j} must be positive to "
                               f"calibrate the suspension; got {observed}")
        out[(i, j)] = Fall(pre=math.fsum(scaled) / len(scaled), observed=observed,
                           by_year=tuple(scaled))
    return out


def record(found: dict[tuple[str, str], Fall], prov: Prov) -> dict[tuple[str, str], str]:
    """Provenance rows of the falls; returns each pair's tariff-cell method text."""
    methods: dict[tuple[str, str], str] = {}
    years = f"{PRE_YEARS[0]}-{PRE_YEARS[-1]}"
    for (i, j), f in found.items():
        key = f"{i}-{j}"
        each = ", ".join(f"{v / 1e9:.3f}" for v in f.by_year)
        prov.add("tariffs", key, "pre_suspension_usd", "imf_dots",
                 f"derived:mean of DOTS {years} importer CIF x gX_i*gM_j/gW to {BASE_YEAR} "
                 f"(US$ bn {each}) = {f.pre / 1e9:.3f}", BASE_YEAR)
        methods[(i, j)] = (
            f"derived:tariff equivalent of the fall, (1+t)^{SUSPENSION_SIGMA:g} = "
            f"{f.ratio:.4g} = US$ {f.pre / 1e9:.3f} bn before ({years}, scaled) / "
            f"{f.observed / 1e9:.4f} bn in {BASE_YEAR} (trade suspension) "
            f"{BAN_METHOD if KINDS[(i, j)] == 'ban' else DUTY_METHOD}")
    return methods


def from_tariffs(tariffs: pd.DataFrame) -> dict[tuple[str, str], float]:
    """The packaged tariff equivalents (at :data:`SUSPENSION_SIGMA`) read back from a table."""
    return {(i, j): float(tariffs.loc[i, j]) for i, j in PAIRS}


def at_sigma(tau: ArrayLike, sigma: float) -> NDArray[np.float64]:
    """Tariff equivalents stated at :data:`SUSPENSION_SIGMA` re-stated at ``sigma``.

    The same fall ``F = (1 + tau)^SUSPENSION_SIGMA`` at another elasticity:
    ``F^(1/sigma) - 1`` (elementwise; 0 stays 0).
    """
    t = np.asarray(tau, dtype=float)
    return np.power(1.0 + t, SUSPENSION_SIGMA / float(sigma)) - 1.0


def ban_factor(tau: ArrayLike, sigma: float) -> NDArray[np.float64]:
    """The iceberg trade-cost factor of a ban whose tariff equivalent at sigma 5 is ``tau``.

    A tariff ``t`` lifted multiplies a flow at border prices by ``(1 + t)^sigma``; an
    iceberg cost ``b`` lifted multiplies it by ``b^(sigma - 1)`` (the delivered value
    carries the cost, so its elasticity is the trade elasticity ``sigma - 1``). The same
    fall ``F = (1 + tau)^SUSPENSION_SIGMA`` is therefore ``b = F^(1/(sigma - 1))``
    (elementwise; 0 gives 1, no barrier).

    Raises:
        ValueError: If ``sigma <= 1``.
    """
    if not float(sigma) > 1.0:
        raise ValueError(f"trade elasticity sigma must be > 1; got {sigma}")
    t = np.asarray(tau, dtype=float)
    return np.power(1.0 + t, SUSPENSION_SIGMA / (float(sigma) - 1.0))
