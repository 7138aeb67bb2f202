"""Exits from arrangements over runs, merged batch by batch (for the run's answer).

The answer's "left" column counts exits; :func:`add_exits` keeps what it does not
say: whether a state left on its own (``defection``) or with its bloc
(``bloc_exit``), in which years, after what realised loss, and which states came
in only because their bloc did (``bloc_invited``). The tallies add up over
batches in any order, as :class:`scosim.runstats.RunStats`' counts do.

The realised gain the answer prints beside a defection is the **median** over the
exits, the statistic of every other figure of the answer and of the README (it was the
mean, and read as a second statistic beside the table's medians). The gains are kept
exactly while there are at most :data:`EXACT_GAINS` of them, so the median is
:func:`numpy.median`'s; beyond that they are counted in the log bins of
:mod:`scosim.sketch` (within 0.1 % of the value: a printed -0.70 does not move), so
memory does not grow with the runs. Either way the result does not depend on how the
runs were batched: the values are sorted before the median is read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scosim.model.events import detail_columns
from scosim.sketch import bin_keys, bin_values

__all__ = ["EXACT_GAINS", "EXIT_EVENTS", "ExitTally", "add_exits"]

#: Event types counted as exits: a state's own and one with its bloc.
EXIT_EVENTS = ("defection", "bloc_exit")

#: Most realised gains a tally keeps exactly (the runs' statistics keep 2,000 values a
#: cell exactly, :data:`scosim.runstats.EXACT_RUNS`); beyond, log bins.
EXACT_GAINS = 2000


class ExitTally:
    """Exits of one kind by one state from one proposal, over runs.

    Attributes:
        runs: Runs with at least one such exit.
        years: Exits per year.
        gain_n: How many exits recorded a realised gain (a defection's
            ``realised_gain``; none for an exit with a bloc).
    """

    def __init__(self) -> None:
        self.runs = 0
        self.years: dict[int, int] = {}
        self.gain_n = 0
        #: The realised gains (fraction of real expenditure), while at most EXACT_GAINS.
        self._gains: list[float] = []
        #: Their counts per log bin (:func:`scosim.sketch.bin_keys`) beyond that.
        self._bins: dict[int, int] = {}

    def add_gains(self, gains: np.ndarray) -> None:
        """Add realised gains (fractions; NaN for an exit without one is skipped)."""
        gains = np.asarray(gains, dtype=float)
        gains = gains[~np.isnan(gains)]
        if not gains.size:
            return
        self.gain_n += int(gains.size)
        if self._bins or self.gain_n > EXACT_GAINS:
            # Past the cap every value is binned, those kept so far included: which of the
            # two a tally holds depends on its count only, never on the batches.
            keys = bin_keys(np.concatenate([np.asarray(self._gains), gains]))
            self._gains = []
            for k, n in zip(*np.unique(keys, return_counts=True), strict=True):
                self._bins[int(k)] = self._bins.get(int(k), 0) + int(n)
        else:
            self._gains.extend(float(g) for g in gains)
            self._gains.sort()  # the same state whatever order the batches came in

    def median_gain(self) -> float:
        """The median realised gain (fraction) over the exits that recorded one; NaN if none."""
        if not self.gain_n:
            return float("nan")
        if self._bins:
            keys = np.array(sorted(self._bins), dtype=np.int64)
            return float(np.median(np.repeat(bin_values(keys),
                                              [self._bins[int(k)] for k in keys])))
        return float(np.median(np.asarray(self._gains)))


def add_exits(exits: dict[tuple[str, str, str], ExitTally],
              bloc_invited: dict[tuple[str, str, str], int], events: pd.DataFrame) -> None:
    """Add a batch's exits and bloc invitations to the tallies (its runs must be new).

    Args:
        exits: Per (kind, proposal, country), kind one of :data:`EXIT_EVENTS`; updated.
        bloc_invited: Runs in which a state was invited because its bloc was, per
            (proposal, country, the bloc's members space-separated); updated.
        events: The batch's events (any types).
    """
    for kind in EXIT_EVENTS:
        ex = events[events["type"] == kind]
        if ex.empty:
            continue
        keys = ["proposal", "country"]
        gains = detail_columns(ex).get("realised_gain")  # none for an exit with a bloc
        ex = ex.assign(gain=float("nan") if gains is None else gains)
        for (pid, cty), g in ex.groupby(keys, sort=False, observed=True):
            t = exits.setdefault((kind, str(pid), str(cty)), ExitTally())
            t.runs += int(g["run"].nunique())
            t.add_gains(g["gain"].to_numpy(dtype=float))
        for (pid, cty, yr), n in ex.groupby([*keys, "year"], sort=False,
                                            observed=True).size().items():
            years = exits[(kind, str(pid), str(cty))].years
            years[int(yr)] = years.get(int(yr), 0) + int(n)
    invited = events[events["type"] == "bloc_invited"]
    if invited.empty:
        return
    invited = invited.assign(bloc=detail_columns(invited).get("bloc"))
    for (pid, cty, bloc), n in invited.groupby(["proposal", "country", "bloc"], sort=False,
                                               observed=True)["run"].nunique().items():
        key = (str(pid), str(cty), str(bloc))
        bloc_invited[key] = bloc_invited.get(key, 0) + int(n)
