"""The ceiling of the network's instability per economy, in pure Python (no numpy).

``1 - iota(x0)`` of each economy's 2018-2022 incident rate ``x0`` (``threat.csv``, read as
the security calibration reads it) at the default ``incidents_half``: no incident level
takes the network's instability above it (:mod:`scosim.security.scale`). ``scosim
validate`` says so of a scenario without importing numpy, and a run says the same, by the
same numbers (:func:`scosim.network.params.instability_series_notes`);
:func:`scosim.security.scale.instability_ceiling` is this on arrays (a test holds the two
equal for every economy).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from scosim.data.constants import ECONOMIES

__all__ = ["ceiling", "economy_ceilings"]


def ceiling(base_rate: float, half: float) -> float:
    """``1 - iota(x0)``, ``iota(x) = x / (x + half)``: the instability no incident reaches.

    Args:
        base_rate: 2018-2022 incidents a year ``x0`` (a negative rate counts as 0, as in
            :func:`scosim.security.model.insecurity_index`).
        half: ``incidents_half`` (> 0).
    """
    x = max(float(base_rate), 0.0)
    return 1.0 - x / (x + half)


def economy_ceilings(tables_dir: Path | None = None) -> dict[str, float]:
    """:func:`ceiling` of every economy at the shipped calibration and default ``incidents_half``.

    The scale the network's instability is read on when no security slot sets it
    (``parameters.network.instability``).

    Args:
        tables_dir: Folder of the security tables; defaults to the shipped ones.

    Returns:
        ``{ISO3: ceiling}`` (1 for an economy without incidents in 2018-2022).

    Raises:
        SecurityTableError: ``threat.csv`` is missing or malformed.
    """
    return dict(_ceilings(tables_dir))  # a copy: the cached one is shared


@lru_cache(maxsize=4)
def _ceilings(tables_dir: Path | None) -> dict[str, float]:
    from scosim.security.params import SecurityParams
    from scosim.security.table_read import TABLES_DIR, threat_rows

    half = SecurityParams().incidents_half
    rates = dict.fromkeys(ECONOMIES, 0.0)  # an economy the table leaves out: no incidents
    for i, rate, _alpha, _source in threat_rows(tables_dir or TABLES_DIR):
        rates[ECONOMIES[i]] = 0.0 if math.isnan(rate) else rate
    return {code: ceiling(rate, half) for code, rate in rates.items()}
