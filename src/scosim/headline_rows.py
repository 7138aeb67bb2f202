"""Which economies a run's answer lists, with their welfare, membership and vote figures.

Split from :mod:`scosim.run_headline` (size), which prints these rows and re-exports the
names here. :func:`headline_table` picks the economies the proposal concerns (SCO members
that year, economies in a customs union that year in any run, every state that voted) and
the largest gains and losses among the others (a union's trade diversion), all from the
statistics the plots and ``summary.csv`` are drawn from (:class:`scosim.runstats.RunStats`);
:func:`has_answer` says whether a run has anything to print.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from scosim.answer_digits import welfare_places
from scosim.indicator_display import SIGN_ZERO
from scosim.mechanism_answer import HeadlineIndicator, has_mechanism_answer
from scosim.plots import _any_nonzero, who_gains_data
from scosim.run_votes import vote_columns
from scosim.runstats import RunStats

__all__ = ["OTHERS", "SHOWN", "WELFARE_COLUMNS", "has_answer", "headline_table", "shown_at"]

#: Largest gains and largest losses listed among economies the proposal does not concern.
OTHERS = 3
#: Smallest median welfare change (percent) listed among them at two decimals, the
#: fewest a table gets (what prints as +-0.01); at three or four decimals
#: (:func:`scosim.answer_digits.welfare_places`) half of the last decimal
#: (:func:`shown_at`).
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


def shown_at(value: float, places: int) -> bool:
    """Whether ``value`` shows a digit at ``places`` decimals (not ``-0.00``, ``+0.000``)."""
    return float(f"{abs(value):.{places}f}") > 0


def headline_table(st: RunStats, at: tuple[int, str] | None = None,
                   beside: Callable[[int, list[str]], Iterable[float]] | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame, int, str, int]:
    """Rows of the answer: the economies concerned, then the most affected others.

    Args:
        st: A run's statistics with ``welfare_change_pct`` (and, when recorded,
            ``member``, ``in_customs_union`` and the vote events).
        at: The year to show and its words (:func:`scosim.plots.who_gains_data`).
        beside: The other numbers the table prints for the economies given, in the
            year given (its ``net`` columns, :func:`scosim.net_columns.net_columns`):
            they count in its decimals (:func:`scosim.answer_digits.welfare_places`),
            which decide which others show a digit. None: the welfare columns only.

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
        largest gains and :data:`OTHERS` largest losses among the other economies,
        those whose median shows a digit at the table's decimals (:func:`_others`).
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
    return rows, _others(rows, rest, year, beside), year, when, n_runs


def _others(rows: pd.DataFrame, rest: pd.DataFrame, year: int,
            beside: Callable[[int, list[str]], Iterable[float]] | None) -> pd.DataFrame:
    """The largest gains and losses of ``rest`` (sorted by median) that show a digit.

    At the decimals the answer's table gets (:func:`welfare_places` of what it prints:
    ``rows``, these others, and ``beside``), not at two: corridor_trans_afghan_high's
    table, at four decimals with members at -0.0003, listed Turkmenistan (-0.0132) alone,
    leaving out Qatar's +0.0006 and Turkiye's -0.0003. Dropping a row can
    only raise the median size the decimals follow, hence fewer decimals: repeated until
    every row left shows a digit at the decimals of the rows left.
    """
    others = pd.concat([rest[rest["median"] > SIGN_ZERO].head(OTHERS),
                        rest[rest["median"] < -SIGN_ZERO].tail(OTHERS)])
    cols = ["median", "low", "high"]
    while True:
        shown = [*rows[cols].to_numpy().ravel(), *others[cols].to_numpy().ravel()]
        if beside is not None:
            shown += list(beside(year, [*map(str, rows.index), *map(str, others.index)]))
        places = welfare_places(shown)
        kept = others[[shown_at(v, places) for v in others["median"]]]
        if len(kept) == len(others):
            return others
        others = kept

