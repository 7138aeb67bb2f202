"""How many runs a run or a sweep accepts, and the estimate shown when it refuses more.

Split from :mod:`scosim.runner` (which still exports the public names) for size.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BYTES_PER_REPLICATION_YEAR", "MAX_REPLICATIONS", "SECONDS_PER_REPLICATION_YEAR",
           "check_replications", "human_time"]

#: Most replications a run accepts unless ``allow_large`` (``--allow-large``) is given.
MAX_REPLICATIONS = 100_000
#: Cost of one replication-year of ``customs_union.yaml`` in a full ``scosim run``
#: (README "Performance", 2-core machine) and its Parquet size on disk: used
#: only for the estimate shown when a run is refused as too large.
SECONDS_PER_REPLICATION_YEAR = 162e-6
BYTES_PER_REPLICATION_YEAR = 1_700


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


def check_replications(
    n: int, years: int, *, allow_large: bool = False, what: str = "replications"
) -> None:
    """Refuse a count of runs that is not positive, or too large without ``allow_large``.

    Args:
        n: Number of runs.
        years: Simulated years per run (for the estimate).
        allow_large: Accept counts above :data:`MAX_REPLICATIONS`.
        what: How the count is called in the message.

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
        raise ValueError(
            f"{what} {n:,} is above the limit of {MAX_REPLICATIONS:,}: at about "
            f"{SECONDS_PER_REPLICATION_YEAR * 1e6:.0f} us and "
            f"{BYTES_PER_REPLICATION_YEAR / 1e3:.1f} kB per replication-year, {n:,} runs of "
            f"{years} years would take about {hours}"
            f" on one core and {_human_bytes(rep_years * BYTES_PER_REPLICATION_YEAR)} of disk. "
            "Pass --allow-large (allow_large=True) to run it anyway"
        )
