"""Calibration of ``npl_sensitivity`` to the frequency of systemic banking crises.

Laeven & Valencia (2018, IMF WP/18/206, "Systemic Banking Crises Revisited") date 151
systemic banking crises in 1970-2017; their database lists 165 countries (the rows of its
"Crisis Years" sheet). So a crisis starts in 151 / (165 x 48) = 1.91 percent of
country-years. The model's counterpart is the baseline (no events) of the stand-alone
ensemble over the 27 listed economies (the Rest of World is an aggregate of all other
economies, not a country), counting a crisis where a system fails in a year after one in
which it did not: Laeven & Valencia count episodes, and a system failing again the next
year is still in the same crisis. ``tools/calibrate_finance.py`` solves for the
sensitivity; ``docs/finance.md`` (section 6) gives the result and its Monte Carlo error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from scosim.finance.ensemble import simulate
from scosim.finance.system import FinanceSystem

__all__ = [
    "CALIBRATION_RUNS",
    "CALIBRATION_SEED",
    "CALIBRATION_YEARS",
    "LV_COUNTRIES",
    "LV_CRISES",
    "LV_YEARS",
    "TARGET",
    "baseline_crisis_frequency",
    "crisis_starts",
]

FloatArray = NDArray[np.float64]

#: Systemic banking crises 1970-2017 (Laeven & Valencia 2018, abstract).
LV_CRISES = 151
#: Countries in their database (rows of the "Crisis Years" sheet of the WP/18/206 data).
LV_COUNTRIES = 165
#: Years 1970-2017.
LV_YEARS = 2017 - 1970 + 1
#: Crisis starts per country-year, 151 / 7,920 = 0.0191.
TARGET = LV_CRISES / (LV_COUNTRIES * LV_YEARS)

#: The simulated window: the rate rises with the years since the calibrated start
#: (docs/finance.md, section 6), so the target holds for this window.
CALIBRATION_YEARS: tuple[int, ...] = tuple(range(2025, 2033))
#: 4,000 runs: a step of 0.005 in the sensitivity then moves the frequency by about two
#: standard errors (0.03 points); at 1,000 the seed's noise picked between neighbours.
CALIBRATION_RUNS = 4000
CALIBRATION_SEED = 123


def crisis_starts(failures: FloatArray) -> FloatArray:
    """Mark the years in which a crisis starts.

    Args:
        failures: (R, T, N) 1 where the system failed in the year.

    Returns:
        (R, T, N) 1 where the system failed and had not failed the year before (the
        first simulated year follows a year without failure: the calibrated start).
    """
    failed = np.asarray(failures, dtype=float) > 0
    before = np.zeros_like(failed)
    before[:, 1:] = failed[:, :-1]
    return (failed & ~before).astype(float)


def baseline_crisis_frequency(
    fs: FinanceSystem,
    runs: int = CALIBRATION_RUNS,
    *,
    seed: int = CALIBRATION_SEED,
    years: Sequence[int] = CALIBRATION_YEARS,
) -> tuple[float, float, float]:
    """Crisis starts per country-year of the listed economies, without events.

    Args:
        fs: The system (its parameters are the ones calibrated).
        runs: Number of runs.
        seed: Scenario seed of the ensemble.
        years: Simulated years.

    Returns:
        ``(frequency, binomial_se, run_se)``: the share of country-years of the listed
        economies in which a crisis starts, its binomial standard error (country-years
        independent) and its standard error from the spread of the runs' own shares
        (which allows for the years and economies of a run sharing the oil shock and
        the capital carried over).
    """
    listed = np.array([c != "ROW" for c in fs.codes])
    out = simulate(fs, list(years), runs, seed=seed)
    starts = crisis_starts(out["failures"])[:, :, listed]
    p = float(starts.mean())
    binomial_se = float(np.sqrt(p * (1.0 - p) / starts.size))
    per_run = starts.mean(axis=(1, 2))
    run_se = float(per_run.std(ddof=1) / np.sqrt(runs)) if runs > 1 else float("nan")
    return p, binomial_se, run_se
