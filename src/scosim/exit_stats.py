"""Exits from arrangements over runs, merged batch by batch (for the run's answer).

The answer's "left" column counts exits; :func:`add_exits` keeps what it does not
say: whether a state left on its own (``defection``) or with its bloc
(``bloc_exit``), in which years, after what realised loss, and which states came
in only because their bloc did (``bloc_invited``). The tallies add up over
batches in any order, as :class:`scosim.runstats.RunStats`' counts do.
"""

from __future__ import annotations

import pandas as pd

from scosim.model.events import KEY_COLUMNS, expand_legacy_detail

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


def _field(rows: pd.DataFrame, name: str) -> pd.Series | None:
    # A typed column in today's tables; JSON ``detail`` text in a run written before.
    d = expand_legacy_detail(rows)
    return d[name] if name in d.columns and name not in KEY_COLUMNS else None


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
        gains = _field(ex, "realised_gain")
        for (pid, cty), g in ex.groupby(["proposal", "country"], sort=False,
                                        observed=True).groups.items():
            t = exits.setdefault((kind, str(pid), str(cty)), ExitTally())
            rows = ex.loc[g]
            t.runs += int(rows["run"].nunique())
            for yr, n in rows["year"].value_counts(sort=False).items():
                t.years[int(yr)] = t.years.get(int(yr), 0) + int(n)
            if gains is not None:
                got = gains.loc[g].dropna()
                t.gain_sum += float(got.sum())
                t.gain_n += len(got)
    invited = events[events["type"] == "bloc_invited"]
    if invited.empty:
        return
    invited = invited.assign(bloc=_field(invited, "bloc"))
    for (pid, cty, bloc), n in invited.groupby(["proposal", "country", "bloc"], sort=False,
                                               observed=True)["run"].nunique().items():
        key = (str(pid), str(cty), str(bloc))
        bloc_invited[key] = bloc_invited.get(key, 0) + int(n)
