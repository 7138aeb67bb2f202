"""Statistics over runs, merged batch by batch, in memory that does not grow with runs.

Plots and the run summary need, for each year and economy, the mean over runs,
the median and the 5th/95th percentiles, and shares of runs. Holding every
run's value would take memory in proportion to the replications (100,000 runs
of 16 years and 20 economies are 32 million floats per indicator), so they are
kept as summaries that merge exactly across batches:

- **count, sum** per cell: means. Sums are compensated (Neumaier) from one
  addition to the next, so a mean agrees with the mean of all values to about 1e-15
  relative; shares of runs (means of 0/1 indicators) are exact. A run's feed adds
  its rows block by block of run ids (:mod:`scosim.run_blocks`), so its means do not
  depend on the batch size, bit for bit.
- **a log-binned histogram** per cell (the bins of DDSketch, Masson, Rim and Lee
  2019, "DDSketch: a fast and fully-mergeable quantile sketch with
  relative-error guarantees", PVLDB 12(12)): a value ``x`` with ``|x| > ZERO``
  counts in bin ``ceil(log|x| / log gamma)`` with ``gamma = (1 + ALPHA) / (1 - ALPHA)``,
  signed by ``x``; ``|x| <= ZERO`` counts as zero. Merging adds counts, so the
  summary of a run does not depend on how runs were batched or in which order
  batches finished.

While no cell has more than :data:`EXACT_RUNS` runs, and all indicators
summarised together hold no more than :data:`EXACT_VALUES` values, the values
are kept and quantiles are exact (what :func:`numpy.percentile` gives); beyond
that the sketch answers, in memory that grows only as cells gain bins (slowly: 3.1
million bins for 61 indicators at 3,000 runs, 4.9 million at 30,000). Which of the two
answers depends only on the runs and indicators summarised, never on batching
or order (the values held only grow, and the sketch's counts are integers).

**Error bound.** Bins keep order, so the ``k``-th smallest value of a cell is
in the bin where the cumulative count passes ``k``; the bin's representative
value ``2 gamma^i / (gamma + 1)`` is within ``ALPHA`` (relative) of every value
in the bin. Quantiles interpolate linearly between neighbouring order
statistics like :func:`numpy.percentile` (its default), so an estimated
quantile ``q_hat`` differs from the exact one ``q`` by at most
``ALPHA * max(|x_(k)|, |x_(k+1)|) + ZERO``, where ``x_(k), x_(k+1)`` are the two
order statistics interpolated. With ``ALPHA = 1e-3`` that is 0.1 % of the
value: invisible in a plot; a number printed to three significant figures may
differ in its last digit. (A finer ``ALPHA`` costs memory: a cell holds up to
``log(max/min) / (2 ALPHA)`` bins, so 1e-4 let 10,000 runs take 90 MB more.)

One indicator's cells are a :class:`~scosim.indicator_stats.IndicatorStats`
(:mod:`scosim.indicator_stats`); :class:`RunStats` holds one per indicator, with the
runs' events and votes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scosim.exit_stats import EXIT_EVENTS, ExitTally, add_exits
from scosim.indicator_display import AGGREGATE_LABELS
from scosim.indicator_stats import EXACT_RUNS, YEAR0, IndicatorStats  # noqa: F401  (re-exported)
from scosim.member_welfare import WELFARE, member_welfare_rows
from scosim.model.events import detail_columns
from scosim.row_groups import indicator_rows
from scosim.run_blocks import BlockedStats, count_runs
from scosim.sketch import (
    _SPAN,
    ALPHA,
    ZERO,
    Sketch,
    bin_keys,
    bin_values,
)
from scosim.vote_reasons import NoReasons
from scosim.vote_stats import VoteRuns, VoteTerms

if TYPE_CHECKING:
    from scosim.proposal_vote import ProposalVote

__all__ = ["ALPHA", "EXACT_RUNS", "EXACT_VALUES", "HIGH", "LOW", "ZERO", "IndicatorStats",
           "RunStats", "Sketch", "bin_keys", "bin_values", "run_percentiles"]

#: Values all indicators of one :class:`RunStats` may hold for exact quantiles (12
#: bytes each: about 200 MB). A summary of every indicator (``outputs.summary: all``,
#: 61 indicators in the corridor and security scenarios) held 600 MB at 2,000 runs;
#: beyond this, every indicator of it answers from the sketch.
EXACT_VALUES = 1 << 24
#: Percentiles of the bands every figure and answer shows (5th-95th across runs).
LOW, HIGH = 5, 95


class RunStats:
    """Statistics over runs of the indicators and events that plots and summaries show.

    Build it with :meth:`from_run` (reads a run's batch files one at a time) or
    :meth:`from_frames` (from tables in memory, e.g. the explorer's); both give
    the same numbers for the same runs.
    """

    def __init__(self) -> None:
        self.indicators: dict[str, IndicatorStats] = {}
        self.runs = 0
        self.event_counts: dict[tuple[str, str], int] = {}
        self.no_votes: dict[str, int] = {}
        #: Votes cast and votes against per (proposal, country): a run may vote on
        #: several proposals, and a state's share of votes against is per proposal.
        self.votes_by: dict[tuple[str, str], int] = {}
        self.no_votes_by: dict[tuple[str, str], int] = {}
        self.votes = 0
        #: Runs in which each proposal was adopted (an ``adopted`` event: once a run).
        self.adopted_runs: dict[str, int] = {}
        #: Runs in which a state withdrew from the willing's group after a yes, per
        #: (year, proposal, country): at most once a run each.
        self.withdrew_by: dict[tuple[int, str, str], int] = {}
        #: Exits per (kind, proposal, country), kind one of :data:`EXIT_EVENTS`.
        self.exits: dict[tuple[str, str, str], ExitTally] = {}
        #: Runs in which a state was invited because its bloc was, per (proposal,
        #: country, the bloc's members space-separated): ``bloc_invited`` events.
        self.bloc_invited: dict[tuple[str, str, str], int] = {}
        #: The score terms of each proposal at its first vote (the earliest year any run
        #: voted on it; later votes on it are in :attr:`vote_terms` only), by proposal id:
        #: memory grows with the proposals voted, not with the runs. In the figure's
        #: order: :meth:`ordered_first_votes`.
        self.first_votes: dict[str, ProposalVote] = {}
        #: The score terms of every vote, by proposal, year and state (``votes.csv``).
        self.vote_terms = VoteTerms()
        #: Runs in which each state voted, said no, vetoed, per proposal (the answer's).
        self.vote_runs = VoteRuns()
        #: Per proposal and state, the terms of its no votes over runs (the answer's why).
        self.no_reasons = NoReasons()
        #: ``{type name: (indicator, heading, what) or None}``: the memberships the run's
        #: manifest records for its proposal types (:func:`scosim.plots.run_memberships`),
        #: set by whoever read the run; None: not read (the registry's are shown).
        self.memberships: dict[str, tuple[str, str, str] | None] | None = None
        #: The ids of the run's proposals in its scenario's order, set by whoever read the
        #: run (:func:`scosim.plot_data.load_plot_data`); orders proposals first voted in
        #: the same year. None: not read (they keep the order the batches met them).
        self.proposal_order: tuple[str, ...] | None = None
        #: Whether some state's defect rule can make it leave (not ``never_defect``), set
        #: by whoever read the run's scenario; None: not read (said as if one could).
        self.can_defect: bool | None = None
        #: Runs in which each state left an arrangement at least once, on its own or with
        #: its bloc (the answer's "left" column, a share of runs).
        self.exit_runs: dict[str, int] = {}
        self._members: tuple[str, ...] | None = None
        #: Indicators summarised from the rows given (None: all); others are passed over in
        #: place (the run's feed, scosim.stats_feed, filtering them out copied the table).
        self.only: frozenset[str] | None = None

    # ----------------------------------------------------------------- building
    def add_indicators(self, df: pd.DataFrame) -> None:
        """Add a batch's tidy indicator rows (its runs must be new to these statistics)."""
        groups = indicator_rows(df, self.only)
        first = next(groups, None)
        if first is None:  # empty, or none of the indicators summarised
            return
        self.runs += count_runs(df["run"].to_numpy())
        # Welfare while in an arrangement (the answer's "while in" column): derived here,
        # where every year of a run is at hand (scosim.member_welfare).
        only = self.only
        derived = member_welfare_rows(df, [m for m in self._membership_names() if only is None
                                           or (WELFARE in only and m in only)])
        # Added on their own: concatenated with the batch's rows, they copied the whole
        # table and turned its categorical indicator column into strings (about 110 MB and
        # 2 s more at 1,000 runs of customs_union.yaml).
        self._add_rows(df, itertools.chain([first], groups))
        if len(derived):
            self._add_rows(derived)
        if sum(s.held_values for s in self.indicators.values()) > EXACT_VALUES:
            for s in self.indicators.values():
                s.drop_held()

    def _add_rows(self, df: pd.DataFrame,
                  groups: Iterable[tuple[str, np.ndarray]] | None = None) -> None:
        """Add tidy indicator rows, indicator by indicator (:meth:`add_indicators`).

        ``groups``: each indicator's row positions (default: every indicator's, in the
        order of :func:`scosim.row_groups.indicator_rows`).
        """
        country = df["country"]
        if not isinstance(country.dtype, pd.CategoricalDtype):
            country = country.astype("category")
        cats = [str(c) for c in country.cat.categories]
        # Rows by position (a label lookup per group took half of this method's time);
        # each group keeps the table's row order, so sums add in the same order.
        all_codes = country.cat.codes.to_numpy()
        years = df["year"].to_numpy()
        values = df["value"].to_numpy(dtype=float)
        for name, pos in indicator_rows(df) if groups is None else groups:
            if str(name) in AGGREGATE_LABELS:
                self._add_total(str(name), years, all_codes, values, pos)
                continue
            st = self.indicators.get(str(name))
            if st is None:
                st = self.indicators[str(name)] = IndicatorStats(cats)
            ccodes = all_codes[pos]
            if cats != st.countries:
                idx = {c: i for i, c in enumerate(st.countries)}
                missing = sorted(set(cats) - set(idx))
                for c in missing:  # economies first seen in a later batch
                    idx[c] = len(st.countries)
                    st = self._widen(str(name), c)
                ccodes = np.array([idx[c] for c in cats], dtype=np.int64)[ccodes]
            st.add(years[pos], ccodes, values[pos])

    def _membership_names(self) -> tuple[str, ...]:
        """The membership indicators (:func:`scosim.plot_data.membership_kinds`), once."""
        if self._members is None:
            from scosim.plot_data import membership_kinds

            self._members = tuple(m[0] for m in membership_kinds(self.memberships))
        return self._members

    def _add_total(self, name: str, years: np.ndarray, codes: np.ndarray,
                   values: np.ndarray, pos: np.ndarray) -> None:
        """A world or bloc total: one column, under the group's name, not every economy's.

        The model records such a total with the same value in every economy's column
        (:data:`scosim.indicator_display.AGGREGATE_LABELS`); held once per economy, the
        seven of a union run cost about 40 MiB at 10,000 runs for nothing. The rows of
        the batch's first economy are the total's, filed under the group (``bloc
        members``, ``world``, ...), which ``summary.csv`` then names as its country.
        """
        mine = pos[codes[pos] == codes[pos].min()]
        st = self.indicators.get(name)
        if st is None:
            st = self.indicators[name] = IndicatorStats([AGGREGATE_LABELS[name]])
        st.add(years[mine], np.zeros(mine.size, dtype=np.int64), values[mine])

    def _widen(self, name: str, country: str) -> IndicatorStats:
        # Rare (batches of one run family share categories): rebuild with one more column.
        old = self.indicators[name]
        new = IndicatorStats([*old.countries, country])
        n_old = len(old.countries)
        for attr in ("count", "total", "_comp"):
            getattr(new, attr)[:, :n_old] = getattr(old, attr)
        if old._held is None:
            codes = old._sketch.codes
            cell = codes // _SPAN
            t, c = np.divmod(cell, n_old)
            new._sketch._codes = (t * (n_old + 1) + c) * _SPAN + (codes - cell * _SPAN)
            new._sketch._counts = old._sketch.counts.copy()
            new._held = None
        else:
            new._held = []
            for cells, v in old._held:
                t, c = np.divmod(cells.astype(np.int64), n_old)
                new._held.append(((t * (n_old + 1) + c).astype(np.int32), v))
            new.held_values = old.held_values
        self.indicators[name] = new
        return new

    def add_events(self, events: pd.DataFrame) -> None:
        """Add a batch's events (any types; those the figures do not use are ignored)."""
        for (kind, cty), n in events.groupby(["type", "country"], sort=False).size().items():
            self.event_counts[(str(kind), str(cty))] = (
                self.event_counts.get((str(kind), str(cty)), 0) + int(n))
        adopted = events[events["type"] == "adopted"]
        if not adopted.empty:
            for pid, n in adopted.groupby("proposal", sort=False, observed=True)["run"].nunique(
                    ).items():
                self.adopted_runs[str(pid)] = self.adopted_runs.get(str(pid), 0) + int(n)
        withdrew = events[events["type"] == "withdrew"]
        for (yr, pid, cty), n in withdrew.groupby(["year", "proposal", "country"], sort=False,
                                                  observed=True).size().items():
            key = (int(yr), str(pid), str(cty))
            self.withdrew_by[key] = self.withdrew_by.get(key, 0) + int(n)
        add_exits(self.exits, self.bloc_invited, events)
        left = events[events["type"].isin(EXIT_EVENTS)]
        for cty, n in left.groupby("country", sort=False, observed=True)["run"].nunique().items():
            self.exit_runs[str(cty)] = self.exit_runs.get(str(cty), 0) + int(n)
        decided = events[events["type"].isin(("adopted", "rejected"))]
        if not decided.empty:
            self.vote_terms.add_decisions(decided, detail_columns(decided))
        votes = events[events["type"] == "vote"]
        details = detail_columns(votes) if not votes.empty else None
        self.vote_runs.add(events, votes, details)
        if votes.empty or details is None:
            return
        self.votes += len(votes)
        self.vote_terms.add(votes, details)
        self.no_reasons.add(votes, details)
        yes = details["yes"].fillna(True).astype(bool) if "yes" in details else None
        for key, n in votes.groupby(["proposal", "country"], sort=False, observed=True,
                                    dropna=False).size().items():
            k = (str(key[0]), str(key[1]))
            self.votes_by[k] = self.votes_by.get(k, 0) + int(n)
        if yes is not None:
            against = votes.loc[~yes.to_numpy()]
            for cty, n in against["country"].value_counts().items():
                self.no_votes[str(cty)] = self.no_votes.get(str(cty), 0) + int(n)
            for key, n in against.groupby(["proposal", "country"], sort=False, observed=True,
                                          dropna=False).size().items():
                k = (str(key[0]), str(key[1]))
                self.no_votes_by[k] = self.no_votes_by.get(k, 0) + int(n)
        # Each proposal at its earliest vote year: a later batch with an earlier year (a
        # run voting sooner) starts the proposal's terms again, a later year adds nothing.
        proposals = votes["proposal"].astype(str).to_numpy()
        years = votes["year"].to_numpy()
        for pid in pd.unique(proposals):
            mine = proposals == pid
            year = int(years[mine].min())
            kept = self.first_votes.get(str(pid))
            if kept is not None and year > kept.year:
                continue
            if kept is None or year < kept.year:
                from scosim.proposal_vote import ProposalVote  # it builds on IndicatorStats

                kept = self.first_votes[str(pid)] = ProposalVote(year, str(pid))
            at = votes[mine & (years == year)]
            kept.add(at, details.loc[at.index])

    def ordered_first_votes(self) -> list[ProposalVote]:
        """Each proposal's first vote, by year, then in the scenario's order of proposals.

        :attr:`proposal_order` when set; a proposal it does not list (or all, when it is
        not set) follows in the order the batches met them, which depends on how the runs
        were split into batches and, with several workers, on which finished first.
        """
        given = {pid: k for k, pid in enumerate(self.proposal_order or ())}
        met = {pid: k for k, pid in enumerate(self.first_votes)}
        return sorted(self.first_votes.values(), key=lambda v: (
            v.year, given.get(v.proposal, len(given)), met[v.proposal]))

    @property
    def first_vote(self) -> ProposalVote | None:
        """The run's first vote: the first of :meth:`ordered_first_votes`, None without votes."""
        votes = self.ordered_first_votes()
        return votes[0] if votes else None

    @classmethod
    def from_frames(cls, ind: pd.DataFrame | None, events: pd.DataFrame | None = None) -> RunStats:
        """Statistics of whole tables in memory (sorted by run, as read back)."""
        feed = BlockedStats(cls())
        if ind is not None:
            feed.indicators.add(ind)
        if events is not None:
            feed.events.add(events)
        return feed.finish()

    @classmethod
    def from_run(
        cls,
        run_dir: str | Path,
        indicators: Iterable[str] | None = None,
        event_types: Iterable[str] | None = None,
    ) -> RunStats:
        """Read a run's batch files one at a time and merge their statistics.

        Args:
            run_dir: The run directory.
            indicators: Indicators to summarise (default: all).
            event_types: Event types to read (default: none; ``[]`` reads none).
        """
        from scosim._malloc import release_freed_memory
        from scosim.results import batch_files

        feed = BlockedStats(cls())
        d = Path(run_dir)
        wanted = list(indicators) if indicators is not None else None
        for f in batch_files(d / "indicators"):
            # What a file's read and the last merge freed goes back to the system, not
            # kept beside the values held (Arrow's pool and glibc each kept 30-80 MiB of
            # it): the peak of a replot of 5,000 runs of customs_union.yaml fell by
            # about 35 MiB each (docs/performance.md). Changes no value.
            release_freed_memory()
            rows = cls.read_indicator_file(f, wanted)
            release_freed_memory()
            feed.indicators.add(rows)
            del rows
        types = list(event_types or [])
        if types and (d / "events").is_dir():
            for f in batch_files(d / "events"):
                feed.events.add(cls.read_event_file(f, types))
        return feed.finish()

    @staticmethod
    def read_indicator_file(path: Path, indicators: Sequence[str] | None = None
                            ) -> pd.DataFrame:
        """One batch file of indicators (only ``indicators``; default all), as a table.

        Decoded a slice at a time (:func:`scosim.batch_rows.read_rows`): a Parquet filter
        imported ``pyarrow.dataset`` and decoded the whole file first.
        """
        from scosim.batch_rows import read_rows

        return read_rows(path, ["run", "year", "country", "indicator", "value"],
                         list(indicators) if indicators else None)

    @staticmethod
    def read_event_file(path: Path, event_types: Sequence[str]) -> pd.DataFrame:
        """One batch file of events, those of ``event_types`` only, as a table."""
        from scosim.batch_rows import read_rows

        # Filtered on the dictionary codes as read: a read with ``filters`` goes through
        # pyarrow.dataset, 2-4x slower for event files (and 43 MiB to import).
        return read_rows(path, None, list(event_types), by="type")

    def add_indicator_file(self, path: Path, indicators: Sequence[str] | None = None) -> None:
        """Add one batch file of indicators (only ``indicators``; default all)."""
        self.add_indicators(self.read_indicator_file(path, indicators))

    def add_event_file(self, path: Path, event_types: Sequence[str]) -> None:
        """Add one batch file of events, those of ``event_types`` only."""
        self.add_events(self.read_event_file(path, event_types))

    # ----------------------------------------------------------------- reading
    def has(self, name: str) -> bool:
        """Whether the indicator was recorded."""
        return name in self.indicators

    def mean(self, name: str) -> pd.DataFrame:
        """Mean over runs of an indicator: rows years, columns economies."""
        return self.indicators[name].mean()

    def quantile(self, name: str, q: float) -> pd.DataFrame:
        """A quantile over runs of an indicator: rows years, columns economies."""
        return self.indicators[name].quantile(q)

    def share_positive(self, name: str) -> pd.DataFrame:
        """Share of runs in which an indicator is above zero (beyond numerical noise)."""
        return self.indicators[name].share_positive()

    def table(self) -> pd.DataFrame:
        """Tidy summary: one row per indicator, year and economy (:func:`stats_table`)."""
        from scosim.stats_table import stats_table

        return stats_table(self.indicators)


def run_percentiles(st: RunStats, name: str, economies: Sequence[str],
                    percentiles: Sequence[float]) -> np.ndarray:
    """Percentiles over runs of an indicator, ``(P, T, N)``: years in order, given economies.

    What a figure draws from a run's statistics instead of every run's values (NaN for an
    economy the indicator never recorded).
    """
    out = [st.quantile(name, p / 100.0).reindex(columns=list(economies)).to_numpy(float)
           for p in percentiles]
    return np.stack(out)
