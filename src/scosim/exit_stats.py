"""Exits from arrangements over runs, merged batch by batch (for the run's answer).

The answer's "left" column counts exits; :func:`add_exits` keeps what it does not
say: whether a state left on its own (``defection``) or with its bloc
(``bloc_exit``), in which years, after what realised loss, and which states came
in only because their bloc did (``bloc_invited``). The tallies add up over
batches in any order, as :class:`scosim.runstats.RunStats`' counts do.
"""

from __future__ import annotations

import pandas as pd

from scosim.model.events import detail_columns

__all__ = ["EXIT_EVENTS", "ExitTally", "add_exits"]

#: Event types counted as exits: a state's own and one with its bloc.
EXIT_EVENTS = ("defection", "bloc_exit")


class ExitTally:
    """Exits of one kind by one state from one proposal, over runs.

    Attributes:
        runs: Runs with at least one such exit.
        years: Exits per year.
        gain_sum: Sum of the realised gains (fraction of real expenditure) the exits
            record (a defection's ``realised_gain``; none for an exit with a bloc).
        gain_n: How many exits recorded one.
    """

    def __init__(self) -> None:
        self.runs = 0
        self.years: dict[int, int] = {}
        self.gain_sum = 0.0
        self.gain_n = 0


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
        per = ex.groupby(keys, sort=False, observed=True).agg(
            runs=("run", "nunique"), gain_sum=("gain", "sum"), gain_n=("gain", "count"))
        for (pid, cty), r in per.iterrows():
            t = exits.setdefault((kind, str(pid), str(cty)), ExitTally())
            t.runs += int(r["runs"])
            t.gain_sum += float(r["gain_sum"])
            t.gain_n += int(r["gain_n"])
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
