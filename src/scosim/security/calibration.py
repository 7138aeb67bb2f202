"""Load the shipped security tables into arrays in the canonical economy order.

The tables (``scosim/security/tables/*.csv``) are derived from the raw files by
``tools/build_security.py``; see docs/security.md for every figure's source. Arrays have
one entry per economy of :data:`scosim.data.constants.ECONOMIES` (Rest of World last, with
zero threat, zero capacity and zero GDP: it is not a state and takes no decisions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scosim.data.constants import ECONOMIES, MEMBERS
from scosim.security.table_read import TABLES_DIR, SecurityTableError, threat_rows
from scosim.security.table_read import iso_index as _iso
from scosim.security.table_read import number as _num
from scosim.security.table_read import table_rows as _rows
from scosim.security.weakest_link import enforcement_capacity

__all__ = ["TABLES_DIR", "SecurityCalibration", "SecurityTableError", "load_security_calibration"]


@dataclass(frozen=True)
class SecurityCalibration:
    """Calibrated per-economy inputs of the security block, arrays of length ``N``.

    Attributes:
        codes: Economy codes in array order (:data:`ECONOMIES`).
        base_rate: Expected terrorist incidents a year: the GTI mean over ``threat.csv``'s
            ``rate_years`` (2018-2022 as shipped; 0 where missing).
        overdispersion: Negative-binomial ``alpha`` (variance ``mu + alpha mu^2``; 0 = Poisson).
        milex_share: Military spending, share of GDP (SIPRI; WDI fallback; median imputed).
        gdp_usd: GDP 2023, current US$ (WDI).
        contiguity: ``(N, N)`` bool, land borders among the listed economies (CEPII).
        members: ``(N,)`` bool, SCO members (the RATS participants at baseline).
        seizures_t: ``{year: (N,) heroin-equivalent tonnes seized}``, NaN where not reported.
        gti_incidents: ``{year: (N,) incidents}`` 2012-2022, NaN where not in GTI.
        afghan_border_km: ``(N,)`` length of each economy's land border with Afghanistan, km
            (CIA World Factbook; 0 for non-neighbours).
        enforcement: ``(N,)`` enforcement capacity in (0, 1]: the Heritage 2019 Rule of
            Law score over 100 (``enforcement.csv``; the weakest link of the RATS pool,
            :mod:`scosim.security.weakest_link`). Default: 1 everywhere (no weakest member).
        sources: Per-field ``(N,)`` arrays of source ids (docs/security.md lists them).
    """

    codes: tuple[str, ...]
    base_rate: np.ndarray
    overdispersion: np.ndarray
    milex_share: np.ndarray
    gdp_usd: np.ndarray
    contiguity: np.ndarray
    members: np.ndarray
    seizures_t: dict[int, np.ndarray]
    gti_incidents: dict[int, np.ndarray]
    afghan_border_km: np.ndarray = field(default_factory=lambda: np.zeros(0))
    enforcement: np.ndarray = field(default_factory=lambda: np.ones(0))
    sources: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of economies ``N``."""
        return len(self.codes)

    def index(self, iso3: str) -> int:
        """Array position of an economy code."""
        return self.codes.index(iso3)

    def seizure_mean_t(self, years: tuple[int, ...] = (2018, 2019, 2020, 2021, 2022)) -> np.ndarray:
        """Mean heroin-equivalent seizures over the reported years among ``years`` (NaN if none)."""
        out = np.full(self.n, np.nan)
        for i in range(self.n):
            vals = [self.seizures_t[y][i] for y in years
                    if y in self.seizures_t and not math.isnan(self.seizures_t[y][i])]
            if vals:
                out[i] = math.fsum(vals) / len(vals)
        return out


def load_security_calibration(tables_dir: Path | None = None) -> SecurityCalibration:
    """Read the security tables.

    Args:
        tables_dir: Folder of the tables; defaults to the shipped :data:`TABLES_DIR`.

    Returns:
        The calibration.

    Raises:
        SecurityTableError: A table is missing or a value is malformed or out of range.
    """
    d = Path(tables_dir) if tables_dir is not None else TABLES_DIR
    n = len(ECONOMIES)
    rate = np.zeros(n)
    alpha = np.zeros(n)
    src_rate = np.full(n, "none", dtype=object)
    for i, v, a, source in threat_rows(d):
        rate[i] = 0.0 if math.isnan(v) else v
        alpha[i] = a
        src_rate[i] = source if not math.isnan(v) else "missing"

    milex = np.zeros(n)
    gdp = np.zeros(n)
    src_milex = np.full(n, "none", dtype=object)
    p = d / "capacity.csv"
    for line, r in _rows(p, ["iso3", "milex_share_gdp", "milex_source", "gdp_usd"]):
        i = _iso(p, line, r)
        milex[i] = _num(p, line, r, "milex_share_gdp", hi=0.5)
        gdp[i] = _num(p, line, r, "gdp_usd", lo=1e6)
        src_milex[i] = r["milex_source"]

    contig = np.zeros((n, n), dtype=bool)
    p = d / "borders.csv"
    for line, r in _rows(p, ["iso_a", "iso_b"]):
        a, b = _iso(p, line, r, "iso_a"), _iso(p, line, r, "iso_b")
        contig[a, b] = contig[b, a] = True

    seiz: dict[int, np.ndarray] = {}
    p = d / "seizures.csv"
    for line, r in _rows(p, ["iso3", "year", "heroin_eq_t"]):
        i = _iso(p, line, r)
        y = int(_num(p, line, r, "year", lo=1990, hi=2100))
        seiz.setdefault(y, np.full(n, np.nan))[i] = _num(p, line, r, "heroin_eq_t")

    gti: dict[int, np.ndarray] = {}
    p = d / "gti_history.csv"
    for line, r in _rows(p, ["iso3", "year", "incidents"]):
        i = _iso(p, line, r)
        y = int(_num(p, line, r, "year", lo=1990, hi=2100))
        gti.setdefault(y, np.full(n, np.nan))[i] = _num(p, line, r, "incidents")

    afg = ECONOMIES.index("AFG")
    border_km = np.zeros(n)
    p = d / "afghan_borders.csv"
    for line, r in _rows(p, ["iso3", "border_km", "source"]):
        i = _iso(p, line, r)
        if not contig[afg, i]:
            raise SecurityTableError(
                f"{p.name}: line {line}, field 'iso3': {ECONOMIES[i]} has no land border with "
                f"AFG in borders.csv")
        border_km[i] = _num(p, line, r, "border_km", lo=1.0, hi=1e5)
    missing = [ECONOMIES[j] for j in np.flatnonzero(contig[afg]) if border_km[j] == 0]
    if missing:
        raise SecurityTableError(f"{p.name}: no border length for AFG neighbour(s) {missing}")

    enforcement = np.zeros(n)
    p = d / "enforcement.csv"
    for line, r in _rows(p, ["iso3", "rule_of_law"]):
        enforcement[_iso(p, line, r)] = _num(p, line, r, "rule_of_law", lo=1.0, hi=100.0)
    unscored = [ECONOMIES[j] for j in range(n - 1) if enforcement[j] == 0]
    if unscored:
        raise SecurityTableError(f"{p.name}: no rule_of_law for {unscored}")
    enforcement[-1] = 100.0  # ROW never pools: any value; full capacity

    members = np.array([c in MEMBERS for c in ECONOMIES])
    return SecurityCalibration(
        codes=ECONOMIES, base_rate=rate, overdispersion=alpha, milex_share=milex, gdp_usd=gdp,
        contiguity=contig, members=members, seizures_t=seiz, gti_incidents=gti,
        afghan_border_km=border_km, enforcement=enforcement_capacity(enforcement),
        sources={"base_rate": src_rate, "milex_share": src_milex},
    )
