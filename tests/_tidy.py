"""Tidy indicator rows (run, year, country, indicator, value), as a run's batches hold them.

Shared by the tests that feed streamed statistics or write batch files from arrays
``{indicator: (R, T, N)}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def tidy_rows(arrays: Mapping[str, np.ndarray], run0: int, years: Sequence[int],
              codes: Sequence[str]) -> pd.DataFrame:
    """Rows of ``{name: (R, T, N)}``, runs numbered from ``run0``, the first T years and N codes."""
    parts = []
    for name, x in arrays.items():
        r, t, n = x.shape
        parts.append(pd.DataFrame({
            "run": np.repeat(np.arange(run0, run0 + r), t * n),
            "year": np.tile(np.repeat(list(years)[:t], n), r),
            "country": np.tile(list(codes)[:n], r * t), "indicator": name,
            "value": x.reshape(-1)}))
    return pd.concat(parts, ignore_index=True)
