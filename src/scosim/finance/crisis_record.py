"""Which economies had systemic banking crises, and how often the model says they do.

The record: Laeven & Valencia (2012, IMF WP/12/163, "Systemic Banking Crises Database: An
Update"), the starting years of systemic banking crises, 1970-2011, as transcribed in the
public GitHub repository ``FGCH/amcData``, file ``BaseFiles/LaeVal2012/LVAllCrises.csv``,
commit ``0e0c17ed490bcd15c3b586019e8ee1e780fdd064`` (the database's "Crisis Years" sheet;
one transcription, not checked against a second). The raw data of this project hold no
crisis record, and the 2018 update (WP/18/206), whose world frequency the calibration
targets (:mod:`scosim.finance.calibration`), was not available economy by economy.

:func:`compare` sets the model's per-economy frequency of crisis starts in the no-event
baseline beside this record: the expected number of crises over the years each economy is
in the record, and the Poisson probability of the recorded number or more (or fewer),
which says where the model puts too little or too much mass (docs/finance.md, section 6,
"Who fails").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scosim.finance.calibration import CALIBRATION_SEED, CALIBRATION_YEARS, crisis_starts
from scosim.finance.ensemble import simulate
from scosim.finance.system import FinanceSystem

__all__ = ["FIRST_YEAR", "LAST_YEAR", "LV2012_STARTS", "RATE_FLOOR", "SOVIET", "CountryCheck",
           "compare", "frequency_by_economy", "log_likelihood", "years_in_record"]

FloatArray = NDArray[np.float64]

#: The record's first and last year.
FIRST_YEAR, LAST_YEAR = 1970, 2011
#: Crisis starting years of the listed economies in the database (a row with no crisis is
#: an empty tuple). AFG, QAT, SAU, ARE and BHR have no row: they are not compared.
LV2012_STARTS: dict[str, tuple[int, ...]] = {
    "CHN": (1998,), "RUS": (1998, 2008), "IND": (1993,), "PAK": (), "IRN": (),
    "KAZ": (2008,), "KGZ": (1995,), "TJK": (), "UZB": (), "BLR": (1995,),
    "MNG": (2008,), "TUR": (1982, 2000), "AZE": (1995,), "ARM": (1994,), "NPL": (1988,),
    "LKA": (1989,), "KHM": (), "EGY": (1980,), "KWT": (1982,), "MDV": (), "MMR": (),
    "TKM": (),
}
#: Economies that became independent at the end of 1991: in the record from 1992 (an
#: assumption about the database's years at risk; their first crises are 1994-1995).
SOVIET = frozenset({"RUS", "KAZ", "KGZ", "TJK", "UZB", "BLR", "AZE", "ARM", "TKM"})
#: Floor of the model's rate in :func:`log_likelihood`, one crisis in 10,000 years: a rate
#: of 0 would make a recorded crisis impossible (log-likelihood minus infinity).
RATE_FLOOR = 1e-4


def years_in_record(code: str) -> int:
    """Years the economy is at risk in the record (1970-2011, or 1992-2011)."""
    return LAST_YEAR - (1992 if code in SOVIET else FIRST_YEAR) + 1


@dataclass(frozen=True)
class CountryCheck:
    """One economy: the model's frequency against the record.

    Attributes:
        code: ISO3 code.
        model_rate: Crisis starts per year in the model's no-event baseline.
        recorded: Crises in the record.
        years: Years the economy is in the record.
        expected: ``model_rate * years``: the model's expected number over those years.
        p_at_least: Poisson probability of ``recorded`` or more at ``expected``.
        p_at_most: Poisson probability of ``recorded`` or fewer at ``expected``.
    """

    code: str
    model_rate: float
    recorded: int
    years: int
    expected: float
    p_at_least: float
    p_at_most: float


def _poisson_cdf(k: int, mu: float) -> float:
    """P(X <= k) for X ~ Poisson(mu), summed term by term (k is small)."""
    return float(sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k + 1)))


def frequency_by_economy(fs: FinanceSystem, runs: int, *, seed: int = CALIBRATION_SEED,
                         years: Sequence[int] = CALIBRATION_YEARS) -> dict[str, float]:
    """Crisis starts per year of each economy in the no-event baseline.

    The calibration's count (:func:`scosim.finance.calibration.crisis_starts`), economy by
    economy: its mean over the listed economies is the calibrated frequency.

    Args:
        fs: The system.
        runs: Number of runs.
        seed: Scenario seed of the ensemble.
        years: Simulated years.

    Returns:
        Code -> crisis starts per year.
    """
    out = simulate(fs, list(years), runs, seed=seed)
    starts = crisis_starts(out["failures"]).mean(axis=(0, 1))
    return {c: float(starts[i]) for i, c in enumerate(fs.codes)}


def compare(rates: dict[str, float]) -> list[CountryCheck]:
    """Set the model's rates beside the record, economy by economy (those in it)."""
    rows = []
    for code, starts in LV2012_STARTS.items():
        n = len(starts)
        years = years_in_record(code)
        mu = rates[code] * years
        rows.append(CountryCheck(code, rates[code], n, years, mu,
                                 1.0 - _poisson_cdf(n - 1, mu) if n else 1.0,
                                 _poisson_cdf(n, mu)))
    return rows


def log_likelihood(rows: Sequence[CountryCheck]) -> float:
    """Poisson log-likelihood of the record at the model's rates (higher is closer).

    Each economy's recorded number of crises is taken as Poisson with mean the model's
    rate (floored at :data:`RATE_FLOOR`) times its years in the record, the economies
    independent. The sum over economies is what the own shock's size was chosen to
    maximise (docs/finance.md, section 6, "Who fails").

    Args:
        rows: The comparison, from :func:`compare`.

    Returns:
        The log-likelihood (natural logarithm).
    """
    total = 0.0
    for r in rows:
        mu = max(r.model_rate, RATE_FLOOR) * r.years
        total += r.recorded * math.log(mu) - mu - math.lgamma(r.recorded + 1)
    return total
