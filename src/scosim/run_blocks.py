"""A run's rows regrouped into fixed blocks of run ids, so statistics do not depend on batching.

The statistics over runs (:class:`scosim.runstats.RunStats`) sum each cell's values in
row order within what they are given at once, and compensate between one addition and
the next. Given batch by batch, a mean's last bit then depended on where the batch
boundaries fell: 20 runs of the same value 1.2690000000000001 averaged to
1.2689999999999995 in one batch and to 1.2690000000000001 in twenty, and a printed
total of five years read 6.34 in one run and 6.35 in the other (``--batch-size 1``).
:class:`RunBlocks` (through :class:`BlockedStats`, which the run's feed,
:meth:`~scosim.runstats.RunStats.from_run` and ``from_frames`` use) hands the
statistics the rows of run ids ``[k B, (k + 1) B)`` at once,
``B`` = :data:`STAT_BLOCK_RUNS`, whatever the batches that computed them: batches
arrive in run order, so a block's rows, concatenated, are in the order one batch of
those runs gives them, and every sum adds the same values in the same order.

``B`` is the default batch size, so a run made with it (every batch a whole block)
gives the statistics exactly what it gave them before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["STAT_BLOCK_RUNS", "BlockedStats", "RunBlocks", "count_runs", "runs_present"]

#: Runs per block of the statistics (the default batch size, scosim.runner).
STAT_BLOCK_RUNS = 250
#: Rows whose run ids :func:`runs_present` marks at once (2 MiB of positions).
_CHUNK = 1 << 18


def runs_present(run: np.ndarray, lo: int, n: int) -> np.ndarray:
    """Which of the run ids ``lo .. lo + n - 1`` occur in ``run`` (all of it in that range).

    A chunk of rows at a time: ``np.bincount`` of a batch's run column (or
    ``pandas.unique``) made an int64 copy of it, 8 bytes a row, as much as the batch's
    whole table at the moment the run's statistics are fed.
    """
    seen = np.zeros(n, dtype=bool)
    for start in range(0, run.size, _CHUNK):
        seen[run[start:start + _CHUNK].astype(np.int64) - lo] = True
    return seen


def count_runs(run: np.ndarray) -> int:
    """The number of distinct run ids in ``run`` (:func:`runs_present`'s way)."""
    if run.size == 0:
        return 0
    lo, hi = int(run.min()), int(run.max())
    if hi - lo >= _CHUNK * 16:  # ids far apart (not a batch's): hashing them is smaller
        import pandas as pd

        return int(pd.unique(run).size)
    return int(np.count_nonzero(runs_present(run, lo, hi - lo + 1)))


class RunBlocks:
    """Collects row tables with a ``run`` column and hands them on a whole block at a time.

    A block is handed on as soon as it holds all of its runs, or when rows of a later
    block arrive, or at :meth:`flush`; a block missing some runs' rows (events: a run
    without any) waits for one of the last two. Memory: the rows of one block at most.

    Args:
        sink: Called with each block's rows, in block order.
    """

    def __init__(self, sink: Callable[[pd.DataFrame], None]) -> None:
        self._sink = sink
        self._block: int | None = None
        self._parts: list[pd.DataFrame] = []
        self._seen = np.zeros(STAT_BLOCK_RUNS, dtype=bool)  # the block's runs with rows

    def add(self, rows: pd.DataFrame) -> None:
        """Add a batch's rows (runs after those added before, in run order)."""
        if rows.empty:
            return
        runs = rows["run"].to_numpy()
        first, last = int(runs.min()) // STAT_BLOCK_RUNS, int(runs.max()) // STAT_BLOCK_RUNS
        # Block numbers of the rows only when they span blocks (a batch size other than
        # STAT_BLOCK_RUNS): a copy of the run column.
        blocks = runs // STAT_BLOCK_RUNS if first != last else None
        for b in range(first, last + 1):
            mine = None if blocks is None else blocks == b
            part = rows if mine is None else rows[mine]
            if part.empty:
                continue
            if self._block is not None and b != self._block:
                self.flush()
            self._block = b
            self._parts.append(part)
            # which of the block's runs have rows (a linear pass; np.unique would sort)
            self._seen |= runs_present(runs if mine is None else runs[mine],
                                       b * STAT_BLOCK_RUNS, STAT_BLOCK_RUNS)
            if self._seen.all():
                self.flush()

    def flush(self) -> None:
        """Hand on the block being collected, whole or not."""
        if not self._parts:
            return
        import pandas as pd

        parts = self._parts
        rows = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        self._block, self._parts = None, []
        self._seen = np.zeros(STAT_BLOCK_RUNS, dtype=bool)
        self._sink(rows)


class BlockedStats:
    """Feeds run statistics (:class:`scosim.runstats.RunStats`) block by block of run ids.

    Args:
        stats: The statistics to feed (their ``add_indicators`` and ``add_events``).
    """

    def __init__(self, stats: Any) -> None:
        self.stats = stats
        #: Batches' indicator rows, in run order.
        self.indicators = RunBlocks(stats.add_indicators)
        #: Batches' event rows, in run order.
        self.events = RunBlocks(stats.add_events)

    def finish(self) -> Any:
        """Hand on what still waits for the rest of its block; returns the statistics."""
        self.indicators.flush()
        self.events.flush()
        return self.stats
