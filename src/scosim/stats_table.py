"""The run's ``summary.csv`` table from its streamed statistics (:class:`RunStats`).

Kept apart from :mod:`scosim.runstats`, which gathers the statistics batch by batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scosim.sketch import FLAG_METHODS

if TYPE_CHECKING:
    from scosim.runstats import IndicatorStats

__all__ = ["stats_table"]

_COLUMNS = ["indicator", "year", "country", "n_runs", "mean", "p05", "median", "p95",
            "n_nonzero", "nonzero_min", "nonzero_max"]


def stats_table(indicators: Mapping[str, IndicatorStats]) -> pd.DataFrame:
    """Tidy summary: one row per indicator, year and economy.

    Columns ``indicator, year, country, n_runs, mean, p05, median, p95``: the numbers the
    plots draw (quantiles within the bound of :mod:`scosim.runstats`). For a flag (every
    value 0 or 1, :meth:`IndicatorStats.is_flag`: ``member``, the Art. XXIV check) each
    percentile is a value some run had, so 0 or 1: ``p05`` and the median the lower of
    the two runs :func:`numpy.percentile` would interpolate between, ``p95`` the higher
    (its ``lower``/``higher`` methods); interpolated, a flag set in 19 of 20 runs had a
    ``p05`` of 0.95, a value no run had. Its mean is the share of runs in which it is set.

    ``n_nonzero``, ``nonzero_min``, ``nonzero_max``: the runs with a value beyond zero and
    the smallest and largest such value (blank where none), what the answer prints in place
    of the band where at least half the runs have none (:mod:`scosim.rare_runs`).

    Args:
        indicators: Indicator name to its statistics (:attr:`RunStats.indicators`).
    """
    parts = []
    for name, st in indicators.items():
        cols = {"n_runs": st._frame(st.count.astype(float)), "mean": st.mean()}
        flag = st.is_flag()
        qs = st.quantiles([0.05, 0.5, 0.95], FLAG_METHODS if flag else "linear")
        if flag:  # the sketch's 1 is within ALPHA of 1: the value a run had is 1
            qs = np.rint(qs)
        for k, label in enumerate(("p05", "median", "p95")):
            cols[label] = st._frame(qs[:, k].reshape(st.count.shape))
        cols.update(st.nonzero_runs())
        long = pd.DataFrame({k: v.stack() for k, v in cols.items()}).reset_index()
        long.insert(0, "indicator", name)
        parts.append(long)
    if not parts:
        return pd.DataFrame(columns=_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["n_runs"] = out["n_runs"].astype("int64")
    out["n_nonzero"] = out["n_nonzero"].astype("int64")
    return out[out["n_runs"] > 0].reset_index(drop=True)
