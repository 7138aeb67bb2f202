"""A mergeable quantile sketch of many cells at once (the bins of DDSketch).

Masson, Rim and Lee (2019), "DDSketch: a fast and fully-mergeable quantile sketch
with relative-error guarantees", PVLDB 12(12): a value ``x`` with ``|x| > ZERO``
counts in bin ``ceil(log|x| / log gamma)`` with ``gamma = (1 + ALPHA) / (1 - ALPHA)``,
signed by ``x``; ``|x| <= ZERO`` counts as zero. The error bound and how the run
statistics use it: :mod:`scosim.runstats`.
"""

from __future__ import annotations

import math
import mmap
import weakref
from collections.abc import Sequence

import numpy as np

__all__ = ["ALPHA", "FLAG_METHODS", "ZERO", "Sketch", "bin_keys", "bin_values", "keep_derived",
           "percentile_methods", "pick"]

#: Relative accuracy of quantiles (see scosim.runstats for the bound).
ALPHA = 1e-3
#: Values with ``|x| <= ZERO`` count as zero (plots treat them as numerical noise).
ZERO = 1e-9
_GAMMA = (1.0 + ALPHA) / (1.0 - ALPHA)
_LOG_GAMMA = math.log(_GAMMA)
#: Shifts bin indices of positive values above zero (|x| from 1e-9 to 1e308 fits).
_OFFSET = 1 << 23
_SPAN = 1 << 26  # room for signed keys in one int64 code per (cell, key)
#: Codes a sketch holds back at least before a merge (0.5 MB; see ``Sketch._push``).
_MIN_PENDING = 1 << 15
#: Bins from which a sketch's arrays get pages of their own (64 KiB; see ``_bin_array``).
_MAPPED_BINS = 1 << 13


def _bin_array(n: int) -> np.ndarray:
    """``n`` int64 zeros for a sketch's bins, kept from one batch to the next.

    Large ones are mapped pages of their own, outside glibc's heap: from the heap, each
    merge put the sketches' grown arrays (kept for the whole run) among a batch's
    temporaries, where they can pin the heap's top. While the batches of 100,000 runs of
    ``customs_union.yaml`` ran, the peak rose by 57 MiB of which the bins themselves
    were 11 MiB, and the heap grew while what it had in use did not; with the bins
    mapped, 100,000 runs peak within 6 MiB of 10,000 (docs/performance.md, 2026-12-07).
    Mapped pages go back to the system as soon as an array is dropped. The values are
    the same.
    """
    if n < _MAPPED_BINS:
        return np.zeros(n, dtype=np.int64)
    return np.frombuffer(mmap.mmap(-1, n * 8), dtype=np.int64)


#: The one summary whose derived arrays are kept between calls (see keep_derived).
_kept: weakref.ref[object] | None = None


def keep_derived(owner: object) -> None:
    """Keep ``owner``'s derived arrays, dropping those of the summary kept before it.

    What quantiles are read from (bin values and cumulative counts, or sorted values)
    is as large as the summary itself. Plots and the run summary ask one summary for
    several quantiles in a row, so keeping one at a time serves them; kept for every
    indicator of a summary of all 61, they doubled its memory after a run.

    Args:
        owner: An object with a ``drop_derived()`` method.
    """
    global _kept
    prev = _kept() if _kept is not None else None
    if prev is not None and prev is not owner:
        prev.drop_derived()  # type: ignore[attr-defined]
    _kept = weakref.ref(owner)


def bin_keys(x: np.ndarray) -> np.ndarray:
    """Signed bin keys of values; increasing in the value (0 for ``|x| <= ZERO``)."""
    a = np.abs(x)
    k = np.zeros(x.shape, dtype=np.int64)
    big = a > ZERO
    k[big] = np.ceil(np.log(a[big]) / _LOG_GAMMA).astype(np.int64) + _OFFSET
    return np.where(x < 0, -k, k)


def bin_values(keys: np.ndarray) -> np.ndarray:
    """The representative value of each bin key (within ``ALPHA`` of its values)."""
    i = (np.abs(keys) - _OFFSET).astype(float)
    v = 2.0 * np.exp(i * _LOG_GAMMA) / (_GAMMA + 1.0)
    return np.where(keys == 0, 0.0, np.sign(keys) * v)


#: The percentile methods of a flag's ``p05``, median and ``p95``
#: (:meth:`scosim.runstats.RunStats.table`): values some run had, 0 or 1.
FLAG_METHODS = ("lower", "lower", "higher")
_METHODS = ("linear", "lower", "higher")


def percentile_methods(method: str | Sequence[str], n: int) -> list[str]:
    """One percentile method per quantile, checked (``linear``, ``lower`` or ``higher``)."""
    out = [method] * n if isinstance(method, str) else list(method)
    if len(out) != n or any(m not in _METHODS for m in out):
        raise ValueError(f"percentile method {method!r}: one of {', '.join(_METHODS)} "
                         f"for each of the {n} quantiles")
    return out


def pick(method: str, a: np.ndarray, b: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """A quantile between neighbouring order statistics ``a <= b``, ``frac`` of the way.

    ``linear`` interpolates as :func:`numpy.percentile`; ``lower`` takes ``a``, ``higher``
    ``b`` (``a`` when the quantile falls on it exactly), as its methods of those names.
    """
    if method == "lower":
        return a
    if method == "higher":
        return np.where(frac > 0, b, a)
    return a + frac * (b - a)


class Sketch:
    """Mergeable quantile summaries of many cells at once (sparse bin counts).

    Args:
        n_cells: Number of cells (cell ids are ``0 .. n_cells - 1``).
    """

    def __init__(self, n_cells: int) -> None:
        self.n_cells = n_cells
        self._codes = np.empty(0, dtype=np.int64)  # cell * _SPAN + key + _SPAN // 2, sorted
        self._counts = np.empty(0, dtype=np.int64)
        # Counts added since the last merge, merged in bulk (see _push).
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_size = 0
        # What quantiles() derives from the bins, kept until the next add: a run's plots
        # and summary ask the same sketch for several quantiles, one call each.
        self._ranks: tuple[np.ndarray, ...] | None = None

    @property
    def codes(self) -> np.ndarray:
        """Sorted unique codes ``cell * _SPAN + key + _SPAN // 2`` of the non-empty bins."""
        self._compact()
        return self._codes

    @property
    def counts(self) -> np.ndarray:
        """Values counted in each bin of :attr:`codes`."""
        self._compact()
        return self._counts

    def add(self, cells: np.ndarray, values: np.ndarray) -> None:
        """Count ``values`` (NaN skipped) into ``cells``."""
        ok = ~np.isnan(values)
        codes = cells[ok].astype(np.int64) * _SPAN + bin_keys(values[ok]) + _SPAN // 2
        # A batch's own repeats are counted at once (0/1 indicators: one bin a cell).
        codes, counts = np.unique(codes, return_counts=True)
        self._push(codes, counts.astype(np.int64))

    def merge(self, other: Sketch) -> None:
        """Add another sketch's counts (same cells) into this one."""
        self._push(other.codes, other.counts)

    def _push(self, codes: np.ndarray, counts: np.ndarray) -> None:
        # Codes arrive in batches and are merged into the sorted bins in bulk: merging
        # costs a pass over every bin held, so merging each batch at once made the cost
        # grow with the runs (2 s of 14 at 10,000 replications), while holding batches
        # back until they outnumbered the bins kept up to twice the bins in memory.
        # Held back until they pass an eighth of the bins and merged by insertion (not
        # a re-sort), each bin is copied about eight times over a run, and memory stays
        # within 1.125 times the bins plus one batch.
        # Counts are integers: the bins do not depend on when merges happen.
        self._pending.append((codes, counts))
        self._pending_size += codes.size
        self._ranks = None
        if self._pending_size > max(self._codes.size >> 3, _MIN_PENDING):
            self._compact()

    def _compact(self) -> None:
        if not self._pending:
            return
        if len(self._pending) == 1:
            new, add = self._pending[0]
        else:
            allc = np.concatenate([c for c, _ in self._pending])
            allw = np.concatenate([w for _, w in self._pending])
            new, inv = np.unique(allc, return_inverse=True)
            add = np.bincount(inv, weights=allw, minlength=new.size).astype(np.int64)
        self._pending, self._pending_size = [], 0
        # ``new`` is sorted and unique: add into the bins held, insert the others in
        # order (one pass over the bins, no re-sort of them).
        at = np.searchsorted(self._codes, new)
        seen = at < self._codes.size
        seen[seen] = self._codes[at[seen]] == new[seen]
        fresh = ~seen
        put = at[fresh]  # new bins go before these old ones (np.insert's positions)
        size = self._codes.size + put.size
        # New arrays: callers may hold the old ones (``counts``).
        counts = _bin_array(size)
        if put.size:
            codes = _bin_array(size)
            pos = put + np.arange(put.size)  # where the new bins land
            old = np.ones(size, dtype=bool)
            old[pos] = False
            codes[old], codes[pos] = self._codes, new[fresh]
            counts[old], counts[pos] = self._counts, add[fresh]
            self._codes = codes
        else:
            counts[:] = self._counts
        # An old bin at ``i`` moved up by the new bins put at or before it.
        counts[at[seen] + np.searchsorted(put, at[seen], side="right")] += add[seen]
        self._counts = counts

    def drop_derived(self) -> None:
        """Forget what :meth:`quantiles` derived from the bins (recomputed when asked)."""
        self._ranks = None

    def quantiles(self, qs: Sequence[float], methods: Sequence[str] | None = None
                  ) -> np.ndarray:
        """Quantiles of every cell, interpolated like :func:`numpy.percentile`.

        ``methods``: one per quantile, ``linear`` (the default), ``lower`` or ``higher``
        (:meth:`scosim.runstats.IndicatorStats.quantiles`).

        Returns:
            ``(n_cells, len(qs))``; NaN for empty cells.
        """
        out = np.full((self.n_cells, len(qs)), np.nan)
        if not self.codes.size:
            return out
        ranks = self._ranks
        if ranks is None:
            cell = self.codes // _SPAN
            keys = self.codes - cell * _SPAN - _SPAN // 2
            n = np.bincount(cell, weights=self.counts, minlength=self.n_cells).astype(np.int64)
            ranks = (bin_values(keys), np.cumsum(self.counts), n,
                     np.concatenate([[0], np.cumsum(n)[:-1]]), np.flatnonzero(n))
            self._ranks = ranks
            keep_derived(self)
        vals, cum, n, before, has = ranks
        for j, q in enumerate(qs):
            h = (n[has] - 1) * float(q)
            lo = np.floor(h).astype(np.int64)
            hi = np.minimum(lo + 1, n[has] - 1)
            x_lo = vals[np.searchsorted(cum, before[has] + lo, side="right")]
            x_hi = vals[np.searchsorted(cum, before[has] + hi, side="right")]
            out[has, j] = pick("linear" if methods is None else methods[j], x_lo, x_hi,
                               h - lo)
        return out
