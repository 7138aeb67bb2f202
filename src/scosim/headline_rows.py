"""Which economies a run's answer lists, with their welfare, membership and vote figures.

Split from :mod:`scosim.run_headline` (size), which prints these rows and re-exports the
names here. :func:`headline_table` picks the economies the proposal concerns (SCO members
that year, economies in a customs union that year in any run, every state that voted) and
the largest gains and losses among the others (a union's trade diversion), all from the
statistics the plots and ``summary.csv`` are drawn from (:class:`scosim.runstats.RunStats`);
:func:`has_answer` says whether a run has anything to print.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from scosim.mechanism_answer import HeadlineIndicator, has_mechanism_answer
from scosim.plots import _any_nonzero, who_gains_data
from scosim.run_votes import vote_columns
from scosim.runstats import RunStats

__all__ = ["OTHERS", "SHOWN", "WELFARE_COLUMNS", "has_answer", "headline_table"]

#: Largest gains and largest losses listed among economies the proposal does not concern.
OTHERS = 3
#: Smallest median welfare change (percent) listed among them: what prints as +-0.01.
SHOWN = 0.005
#: The welfare and membership columns of :func:`headline_table`'s rows; the vote
#: columns (:func:`scosim.run_votes.vote_columns`) follow them.
WELFARE_COLUMNS = ("median", "low", "high", "gains", "while", "in_union")


def _vote_columns(rows: pd.DataFrame) -> list[str]:
    """The vote columns ``rows`` has, in the order they are printed."""
    return [str(h) for h in rows.columns if h not in WELFARE_COLUMNS]


def has_answer(st: RunStats, mechanisms: Mapping[str, HeadlineIndicator] | None = None) -> bool:
    """Whether a run has an answer to print.

    Welfare moved (its figure is drawn), states voted, an accession was barred, or a
    filled slot's mechanism recorded the indicators it names for the answer (``mechanisms``, from
    :func:`scosim.mechanism_answer.run_headline_indicators`).
    """
    if mechanisms and has_mechanism_answer(st, mechanisms):
        return True
    return st.has("welfare_change_pct") and (
        bool(st.votes) or any(kind == "barred" for kind, _ in st.event_counts)
        or _any_nonzero(st, "welfare_change_pct"))


def headline_table(st: RunStats, at: tuple[int, str] | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame, int, str, int]:
    """Rows of the answer: the economies concerned, then the most affected others.

    Args:
        st: A run's statistics with ``welfare_change_pct`` (and, when recorded,
            ``member``, ``in_customs_union`` and the vote events).
        at: The year to show and its words (:func:`scosim.plots.who_gains_data`).

    Returns:
        ``(concerned, others, year, when, n_runs)``. ``concerned`` has one row per
        economy concerned, sorted by median welfare change (largest first), with
        columns ``median``, ``low``, ``high`` (percent; 5th and 95th percentile
        across runs), ``gains`` (share of runs with a gain, 0-1), ``while`` (median of
        the welfare change in the last year inside the arrangement, NaN for an economy
        never in it: :func:`scosim.plots.who_gains_data`), ``in_union``
        (share of runs in the run's customs union or free-trade area that year,
        :func:`scosim.plots.membership_of`; NaN when not recorded) and
        the vote columns that occur (:func:`scosim.run_votes.vote_columns`: ``voted no``,
        the share of runs with a no in percent, NaN where the state did not vote, or
        ``no: <proposal>`` columns when the runs voted on several proposals).
        ``others`` has the same welfare columns for at most :data:`OTHERS`
        largest gains and :data:`OTHERS` largest losses among the other economies.
        ``year``, ``when`` and ``n_runs`` are those of :func:`who_gains_data`.
    """
    table, year, when, n_runs = who_gains_data(st, at)
    table = table.sort_values("median", ascending=False, kind="stable")
    table["gains"] = st.share_positive("welfare_change_pct").loc[year].reindex(table.index)
    runs = max(st.runs, 1)
    voted = {c for (kind, c) in st.event_counts if kind == "vote"}
    member = (st.mean("member").loc[year] if st.has("member")
              else pd.Series(0.0, index=table.index))
    in_union = table["in_union"].fillna(0.0)
    concerned = [c for c in table.index
                 if c in voted or member.get(c, 0.0) > 0 or in_union[c] > 0]
    rows = table.loc[concerned, list(WELFARE_COLUMNS)].copy()
    for heading, values in vote_columns(st, concerned, runs).items():
        rows[heading] = values
    rest = table.drop(index=concerned)[["median", "low", "high", "gains"]]
    # A gain or loss that prints as 0.00 is not one of the largest: leave it out.
    gains = rest[rest["median"] >= SHOWN].head(OTHERS)
    losses = rest[rest["median"] <= -SHOWN].tail(OTHERS)
    return rows, pd.concat([gains, losses]), year, when, n_runs

