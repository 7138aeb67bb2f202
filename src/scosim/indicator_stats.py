"""Statistics over runs of one indicator, per year and economy, merged batch by batch.

:class:`IndicatorStats` keeps, per (year, economy) cell, the count and compensated sum
of the runs' values (means, shares of runs) and either the values themselves (exact
quantiles, while no cell has more than :data:`EXACT_RUNS` runs) or a log-binned sketch
of them (:mod:`scosim.sketch`). The method, and the sketch's error bound, are described
in :mod:`scosim.runstats`, whose :class:`~scosim.runstats.RunStats` holds one of these
per indicator and re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scosim.sketch import (
    _SPAN,
    ALPHA,
    ZERO,
    Sketch,
    bin_values,
    keep_derived,
    percentile_methods,
    pick,
)

#: Cells of at most this many runs keep their values and give exact quantiles
#: (about 5 MB per plotted indicator at this size); beyond it, the sketch.
EXACT_RUNS = 2000
#: First year a cell can hold (years are stored as offsets from it).
YEAR0 = 1900
#: Years a cell can hold, from :data:`YEAR0`.
_YEARS = 400


class IndicatorStats:
    """Count, compensated sum and quantile sketch per (year, economy) of one indicator.

    Args:
        countries: The economies (categories of the ``country`` column).
    """

    def __init__(self, countries: Sequence[str]) -> None:
        self.countries = list(countries)
        shape = (_YEARS, len(self.countries))
        self.count = np.zeros(shape, dtype=np.int64)
        self.total = np.zeros(shape)
        self._comp = np.zeros(shape)  # Neumaier compensation of ``total``
        # Filled only once the held values are dropped (see :attr:`sketch`): holding both
        # doubled the memory of the exact phase, the peak of a run of 2,000 or more.
        self._sketch = Sketch(_YEARS * len(self.countries))
        # (cell, value) pairs while no cell has more than EXACT_RUNS values; cells as
        # int32 (a cell id is below _YEARS times the economies), NaN left out.
        self._held: list[tuple[np.ndarray, np.ndarray]] | None = []
        #: Number of values held (0 once the sketch answers).
        self.held_values = 0
        # The held values sorted within cells, kept until the next add or until another
        # summary's quantiles are asked (scosim.sketch.keep_derived).
        self._sorted: tuple[np.ndarray, ...] | None = None

    def add(self, year: np.ndarray, country: np.ndarray, value: np.ndarray) -> None:
        """Add one batch: aligned arrays of years, country codes (ints) and values."""
        t = np.asarray(year, dtype=np.int64) - YEAR0
        if t.size and (t.min() < 0 or t.max() >= _YEARS):
            raise ValueError(f"years must be in {YEAR0}..{YEAR0 + _YEARS - 1}")
        cell = t * len(self.countries) + np.asarray(country, dtype=np.int64)
        ok = ~np.isnan(value)
        size = self.count.size
        self.count += np.bincount(cell[ok], minlength=size).reshape(self.count.shape)
        part = np.bincount(cell[ok], weights=value[ok], minlength=size).reshape(self.total.shape)
        s = self.total + part
        # Neumaier: keep what the addition rounded away, whichever operand is larger.
        self._comp += np.where(np.abs(self.total) >= np.abs(part),
                               (self.total - s) + part, (part - s) + self.total)
        self.total = s
        self._sorted = None
        if self._held is None:
            self._sketch.add(cell, np.asarray(value, dtype=float))
            return
        self._held.append((cell[ok].astype(np.int32), np.asarray(value, dtype=float)[ok]))
        self.held_values += int(ok.sum())
        if self.count.max() > EXACT_RUNS:
            self.drop_held()

    def drop_held(self) -> None:
        """Answer from the sketch from now on, in bounded memory (no-op if already).

        The sketch's counts are integers, so filling it now, batch by batch, gives the
        bins that filling it all along gave.
        """
        if self._held is None:
            return
        for c, v in self._held:
            self._sketch.add(c, v)
        self._held, self._sorted, self.held_values = None, None, 0

    @property
    def sketch(self) -> Sketch:
        """The quantile sketch of every value added.

        While the values are held (exact phase) it is built from them on each call,
        and not kept.
        """
        if self._held is None:
            return self._sketch
        sk = Sketch(self.count.size)
        for c, v in self._held:
            sk.add(c, v)
        return sk

    def drop_derived(self) -> None:
        """Forget the sorted copy of the held values (recomputed when asked)."""
        self._sorted = None

    def quantiles(self, qs: Sequence[float], method: str | Sequence[str] = "linear"
                  ) -> np.ndarray:
        """Quantiles of every cell, ``(cells, len(qs))``: exact while cells are small.

        ``method``: as :func:`numpy.percentile`'s, one for all or one per quantile:
        ``linear`` interpolates between the two order statistics, ``lower`` and ``higher``
        take one of them (a value some run had: 0 or 1 for a flag, :meth:`is_flag`).
        """
        methods = percentile_methods(method, len(qs))
        if self._held is None:
            return self._sketch.quantiles(qs, methods)
        out = np.full((self.count.size, len(qs)), np.nan)
        if not self._held:
            return out
        srt = self._sorted
        if srt is None:
            cells = np.concatenate([c for c, _ in self._held])
            vals = np.concatenate([v for _, v in self._held])
            vals = np.where(np.abs(vals) <= ZERO, 0.0, vals)  # as the sketch: noise is zero
            vals = vals[np.lexsort((vals, cells))]
            n = np.bincount(cells, minlength=self.count.size)
            srt = (vals, n, np.concatenate([[0], np.cumsum(n)[:-1]]), np.flatnonzero(n))
            self._sorted = srt
            keep_derived(self)  # one summary's sorted copy at a time (see keep_derived)
        vals, n, start, has = srt
        for j, q in enumerate(qs):
            h = (n[has] - 1) * float(q)
            lo = np.floor(h).astype(np.int64)
            hi = np.minimum(lo + 1, n[has] - 1)
            a, b = vals[start[has] + lo], vals[start[has] + hi]
            out[has, j] = pick(methods[j], a, b, h - lo)
        return out

    def is_flag(self) -> bool:
        """Whether every value recorded is 0 or 1 (a flag such as ``member``).

        Exact at any number of runs: the values lie in [0, 1] (the smallest and largest,
        within the sketch's bound) and their sum equals the number above zero, which
        holds only when each of those is 1. False when nothing is recorded.
        """
        n = int(self.count.sum())
        if n == 0:
            return False
        ext = self.quantiles([0.0, 1.0])
        ext = ext[~np.isnan(ext[:, 0])]
        if ext[:, 0].min() < 0 or ext[:, 1].max() > 1 + 2 * ALPHA:
            return False
        total = float((self.total + self._comp).sum())
        above = float(np.nansum(self.share_positive().to_numpy() *
                                self._frame(self.count.astype(float)).to_numpy()))
        return abs(total - above) <= 1e-9 * max(n, 1)

    def _frame(self, data: np.ndarray) -> pd.DataFrame:
        used_t = np.flatnonzero(self.count.any(axis=1))
        used_c = np.flatnonzero(self.count.any(axis=0))
        df = pd.DataFrame(
            data[np.ix_(used_t, used_c)],
            index=pd.Index(used_t + YEAR0, name="year"),
            columns=pd.Index([self.countries[c] for c in used_c], name="country"),
        )
        return df

    def mean(self) -> pd.DataFrame:
        """Mean over runs: rows years, columns economies."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self._frame((self.total + self._comp) / self.count)

    def quantile(self, q: float) -> pd.DataFrame:
        """The ``q`` quantile over runs (within the module's error bound)."""
        qv = self.quantiles([q])[:, 0].reshape(self.count.shape)
        return self._frame(qv)

    def nonzero_runs(self) -> dict[str, pd.DataFrame]:
        """Runs with a value beyond :data:`ZERO`, and the smallest and largest such value.

        What :mod:`scosim.rare_runs` prints instead of a 5th-95th percentile band where
        most runs have none (a banking system failing in 2 of 40 runs): every number a
        value some run had. Exact while values are held; from the sketch, the count is
        exact and the two values within its bound (:mod:`scosim.runstats`).

        Returns:
            ``n_nonzero``, ``nonzero_min``, ``nonzero_max``: rows years, columns
            economies (NaN where no run had a value beyond zero).
        """
        size = self.count.size
        if self._held is not None:
            cells = (np.concatenate([c for c, _ in self._held]) if self._held
                     else np.empty(0, np.int64))
            vals = np.concatenate([v for _, v in self._held]) if self._held else np.empty(0)
            weights = np.ones(vals.shape)
        else:  # one entry a bin, weighted by its count: memory of the bins, not the runs
            codes, weights = self._sketch.codes, self._sketch.counts.astype(float)
            cells = codes // _SPAN
            keys = codes - cells * _SPAN - _SPAN // 2
            vals = np.where(keys == 0, 0.0, bin_values(keys))
        nz = np.abs(vals) > ZERO
        cells, vals = cells[nz].astype(np.int64), vals[nz]
        k = np.bincount(cells, weights=weights[nz], minlength=size)
        lo, hi = np.full(size, np.inf), np.full(size, -np.inf)
        np.minimum.at(lo, cells, vals)
        np.maximum.at(hi, cells, vals)
        lo[k == 0], hi[k == 0] = np.nan, np.nan
        shape = self.count.shape
        return {"n_nonzero": self._frame(k.reshape(shape)),
                "nonzero_min": self._frame(lo.reshape(shape)),
                "nonzero_max": self._frame(hi.reshape(shape))}

    def share_positive(self) -> pd.DataFrame:
        """Share of runs with a value above :data:`ZERO`: rows years, columns economies.

        Exact at any number of runs: bin keys carry the value's sign, and values
        within :data:`ZERO` of zero count as zero, as everywhere in this module.
        """
        if self._held is not None:
            # A held value's bin key is positive exactly when the value is above ZERO.
            pos = [c[v > ZERO] for c, v in self._held]
            cells = np.concatenate(pos) if pos else np.empty(0, dtype=np.int32)
            above = np.bincount(cells, minlength=self.count.size).reshape(self.count.shape)
        else:
            codes, counts = self._sketch.codes, self._sketch.counts
            cell = codes // _SPAN
            positive = codes - cell * _SPAN - _SPAN // 2 > 0
            above = np.bincount(cell[positive], weights=counts[positive],
                                minlength=self.count.size).reshape(self.count.shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            return self._frame(above / self.count)
