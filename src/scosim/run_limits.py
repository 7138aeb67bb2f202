"""How many runs a run or a sweep accepts, and the estimate shown when it refuses more.

Split from :mod:`scosim.runner` (which still exports the public names) for size.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["BYTES_PER_REPLICATION_YEAR", "BYTES_PER_VALUE", "MAX_REPLICATIONS",
           "SECONDS_PER_REPLICATION_YEAR", "check_replications", "disk_estimate", "human_time",
           "values_per_year"]

#: Most replications a run accepts unless ``allow_large`` (``--allow-large``) is given.
MAX_REPLICATIONS = 100_000
#: Wall time of one replication-year of ``customs_union.yaml`` in a full ``scosim run``
#: with plots on one core: 212.4 s for 100,000 runs of 11 years, the README's fastest
#: record (``benchmarks/results/bench_cli_large.json``, a Zen 5 EPYC; slower machines
#: in the README's machines table took up to 4x as long). Only for the estimate shown
#: when a run is refused as too large, and a sweep's plan.
SECONDS_PER_REPLICATION_YEAR = 193e-6
#: Parquet bytes on disk per recorded value (one indicator of one economy in one year
#: of one run), events and plots included: a 1,000-run ``scosim run`` of
#: ``customs_union.yaml`` wrote 49.2 MB for 1,000 x 11 years x 40 indicators x 28
#: economies on 2026-12-07 (4.0 B a value; ``indicators/`` alone 3.8 B). It was 5.1 B
#: (50.3 MB) with 37: adding the welfare change's three parts made each 250-run batch
#: file smaller, 14.5 -> 11.7 MB, with the other values unchanged (the value column
#: compresses better; not investigated further). Its values compress least of the
#: shipped scenarios measured (``corridor_instc.yaml`` 1.9 B, ``afghan_instability.yaml``
#: 3.7 B, before that change), so the estimate is on the high side.
BYTES_PER_VALUE = 4.0
#: Values a replication-year of ``customs_union.yaml`` records (40 indicators x 28
#: economies): the estimate for a scenario not at hand.
VALUES_PER_REPLICATION_YEAR = 40 * 28
#: Disk per replication-year of ``customs_union.yaml`` (about 4.5 kB).
BYTES_PER_REPLICATION_YEAR = BYTES_PER_VALUE * VALUES_PER_REPLICATION_YEAR


def values_per_year(scenario: Any) -> int:
    """Values a run of ``scenario`` records a year: indicators x economies (+ bilateral).

    The indicators are those the scenario records (:func:`recorded_indicators`, cut to
    its ``outputs.indicators``), each for every economy of the calibration; with
    ``outputs.bilateral`` two values per pair of economies besides.
    """
    from scosim.data import load_calibration
    from scosim.scenario.outputs import recorded_indicators

    wanted = scenario.outputs.indicators
    names = [n for n in recorded_indicators(scenario) if wanted == "all" or n in wanted]
    n_econ = len(load_calibration().countries)
    return len(names) * n_econ + (2 * n_econ * n_econ if scenario.outputs.bilateral else 0)


def human_time(seconds: float) -> str:
    """``seconds`` in minutes, hours, days or years, one decimal (also a sweep's plan)."""
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds / 60:,.1f} minutes"


def _human_bytes(n: float) -> str:
    for unit, size in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n / 1e6:,.1f} MB"


def disk_estimate(n: int, years: int, scenario: Any = None) -> float:
    """Bytes ``n`` runs of ``years`` years write: recorded values x :data:`BYTES_PER_VALUE`.

    Without ``scenario``, as many values a year as ``customs_union.yaml`` records.
    """
    per_year = (values_per_year(scenario) if scenario is not None
                else VALUES_PER_REPLICATION_YEAR)
    return n * max(years, 1) * per_year * BYTES_PER_VALUE


def check_replications(
    n: int, years: int, *, allow_large: bool = False, what: str = "replications",
    scenario: Any = None,
) -> None:
    """Refuse a count of runs that is not positive, or too large without ``allow_large``.

    Args:
        n: Number of runs.
        years: Simulated years per run (for the estimate).
        allow_large: Accept counts above :data:`MAX_REPLICATIONS`.
        what: How the count is called in the message.
        scenario: The scenario run, to estimate the disk from what it records
            (:func:`disk_estimate`); worked out only when the count is refused.

    Raises:
        ValueError: With an estimate of time and disk when ``n`` is too large.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise ValueError(f"{what} must be a whole number >= 1, got {n!r}")
    if n < 1:
        raise ValueError(f"{what} must be >= 1, got {n}")
    if n > MAX_REPLICATIONS and not allow_large:
        rep_years = n * max(years, 1)
        hours = human_time(rep_years * SECONDS_PER_REPLICATION_YEAR)
        disk = disk_estimate(n, years, scenario)
        raise ValueError(
            f"{what} {n:,} is above the limit of {MAX_REPLICATIONS:,}: at about "
            f"{SECONDS_PER_REPLICATION_YEAR * 1e6:.0f} us and "
            f"{disk / rep_years / 1e3:.1f} kB per replication-year, {n:,} runs of "
            f"{years} years would take about {hours}"
            f" on one core and {_human_bytes(disk)} of disk. "
            "Pass --allow-large (allow_large=True) to run it anyway"
        )
