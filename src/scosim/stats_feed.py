"""A run's plot statistics, gathered batch by batch while the run goes.

Plots and the run summary need statistics over runs of a few indicators
(:class:`scosim.runstats.RunStats`). Gathered after the run, they meant reading
every batch file back: 40 % of the drawing time at 10,000 replications, and
growing with them. Gathered here as batches finish, a batch computed in this
process (the local executor) is summarised from its tables in memory and never
read back; a batch written by another process is read while the workers go on
with the next ones.

Batches are added in batch order, as :meth:`RunStats.from_run` reads them, so
the statistics are the same bit for bit (both regroup the rows by blocks of run ids,
:mod:`scosim.run_blocks`, so not even the batch size matters): a batch that finishes
early waits as a file name, and one whose tables arrive out of turn is read from its
file in turn.

The feed also decides when the process gives the heap its batches freed back to the
system (:func:`scosim._malloc.release_freed_memory`): glibc keeps up to 256 MiB of it
for reuse (:mod:`scosim._malloc`), which is what makes a batch cheap, but what stays
free beyond one batch's needs only adds to the run's peak. It is returned when the
statistics stop holding every value (the exact phase's arrays, the largest the feed
holds, are gone), every :data:`RELEASE_EVERY` batches after that, and once every batch
is in, before the figures are drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scosim._malloc import release_freed_memory
from scosim.run_blocks import BlockedStats
from scosim.runstats import RunStats

if TYPE_CHECKING:
    import pandas as pd

#: Batches between two returns of freed heap once the exact phase is over. A return
#: costs the next batch the page faults of its working set, so not every batch.
#: An assumption (8 batches, 2,000 runs at the default batch size), checked only on one
#: machine by the whole run's CPU time and peak (docs/performance.md, 2026-12-07).
RELEASE_EVERY = 8

#: Feeds of the runs going on in this process, by output location (see :func:`offer_tables`).
_feeds: dict[str, StatsFeed] = {}


class StatsFeed:
    """Statistics of ``indicators`` and ``event_types`` over a run's batches.

    Args:
        run_dir: The run's (partial) directory, where batch files are written.
        n_batches: Batches of the run (ids ``0 .. n_batches - 1``).
        written: Batches already on disk (a resumed run's earlier ones).
        indicators: Indicators to summarise (None: every indicator).
        event_types: Event types to summarise.
    """

    def __init__(self, run_dir: Path, n_batches: int, written: set[int],
                 indicators: Sequence[str] | None, event_types: Sequence[str]) -> None:
        self.run_dir = Path(run_dir)
        self.n_batches = n_batches
        self.indicators = None if indicators is None else list(indicators)
        self.event_types = list(event_types)
        self.stats = RunStats()
        # Other indicators' rows are passed over in place: filtered out of a batch's table
        # here, they copied most of it (RunStats.only).
        self.stats.only = None if indicators is None else frozenset(indicators)
        self._blocks = BlockedStats(self.stats)
        self.next = 0  # the batch to add next
        self._on_disk = set(written)
        self.read_back = 0  # batches read from their files (for tests)
        self._held = False  # whether the statistics held exact values after the last batch
        self._since_release = 0  # batches added since freed heap was last returned
        #: Times freed heap was returned to the system (for tests).
        self.releases = 0

    def tables(self, batch_id: int, indicators: pd.DataFrame, events: pd.DataFrame) -> None:
        """A batch's tables, as computed in this process (before they are written)."""
        if batch_id != self.next:
            return  # out of turn: read from its file when its turn comes
        self._blocks.indicators.add(indicators)
        if "type" in events.columns:
            self._blocks.events.add(events[events["type"].isin(self.event_types)])
        self.next += 1
        self._added()
        self._drain()

    def written(self, batch_id: int) -> None:
        """A batch's files are on disk."""
        if batch_id >= self.next:
            self._on_disk.add(batch_id)
            self._drain()

    def _drain(self) -> None:
        while self.next in self._on_disk:
            self._read(self.next)

    def _read(self, batch_id: int) -> None:
        name = f"batch-{batch_id:05d}.parquet"
        self._blocks.indicators.add(
            RunStats.read_indicator_file(self.run_dir / "indicators" / name, self.indicators))
        events = self.run_dir / "events" / name
        if events.exists():
            self._blocks.events.add(RunStats.read_event_file(events, self.event_types))
        self._on_disk.discard(batch_id)
        self.read_back += 1
        self.next += 1
        self._added()

    def _added(self) -> None:
        """After each batch: return freed heap at the end of the exact phase, then often.

        Every :data:`RELEASE_EVERY` batches (see the module's docstring).
        """
        held = any(s.held_values for s in self.stats.indicators.values())
        self._since_release += 1
        if (self._held and not held) or (not held and self._since_release >= RELEASE_EVERY):
            self._release()
        self._held = held

    def _release(self) -> None:
        release_freed_memory()
        self.releases += 1
        self._since_release = 0

    def result(self) -> RunStats:
        """The statistics of every batch (those not seen yet are read now)."""
        while self.next < self.n_batches:
            self._read(self.next)
        stats = self._blocks.finish()
        stats.only = None  # whoever adds to them later (a figure's reader) adds what it gives
        # The batches' freed heap is not what the figures allocate (matplotlib, Arrow's
        # reads): kept, it sat under their peak (at 10,000 runs 160 MiB of it).
        self._release()
        return stats


def listen(location: str, feed: StatsFeed | None) -> None:
    """Let ``feed`` take the tables of batches written to ``location`` here (None: stop)."""
    if feed is None:
        _feeds.pop(location, None)
    else:
        _feeds[location] = feed


def offer_tables(location: str, batch_id: int, indicators: pd.DataFrame,
                 events: pd.DataFrame) -> None:
    """Hand a batch's tables computed in this process to its run's feed, if one listens.

    In a worker process no feed listens: the caller reads the batch's files instead.
    """
    feed = _feeds.get(location)
    if feed is not None:
        feed.tables(batch_id, indicators, events)


def feed_for_run(location: str, n_batches: int, done: set[int],
                 summary: str = "plotted",
                 mechanisms: Mapping[str, str | list[str] | None] | None = None,
                 types: Iterable[str] = ()) -> StatsFeed | None:
    """A listening feed of the plot statistics of a run written to ``location``.

    ``summary`` is the scenario's ``outputs.summary``: ``"all"`` gathers every
    indicator (for ``summary.csv``), ``"plotted"`` the plotted ones and those the
    filled slots' ``mechanisms`` (``{slot: name or [names]}``) and the scenario's proposal ``types``
    name for the run's answer (:mod:`scosim.mechanism_answer`). None for a run in
    an object store: its plots are drawn from a local copy of the tables
    (:meth:`scosim.store_runs.StoreRunWriter.make_plots`).
    """
    from scosim.mechanism_answer import declared_headline
    from scosim.plots import PLOTTED_EVENTS, summarised
    from scosim.results import is_url

    if is_url(location):
        return None
    from scosim.model.slots import keyed

    filled = keyed(mechanisms or {})  # a slot may hold several
    feed = StatsFeed(Path(location), n_batches, set(done),
                     summarised(summary, declared_headline(filled, types=types)),
                     PLOTTED_EVENTS)
    listen(location, feed)
    return feed
