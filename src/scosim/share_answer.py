"""The answer's block for a ``share`` headline indicator: the share of runs, by economy.

Split from :mod:`scosim.mechanism_answer`. A share that reaches its peak and stays there
to the last year (a club in force in every run from 2027 to 2035) read "share of runs,
most in 2027", as if it fell after; it now reads "100 % from 2027 to 2035". Rows that
are the same for every economy (every party in every run) are one row, "all 9
economies", with the economies named under it, not four rows and "and 4 more: ...".
"""

from __future__ import annotations

from typing import Any

from scosim.indicator_display import percent_of_runs
from scosim.rare_runs import shown_year
from scosim.runstats import RunStats
from scosim.tty_lines import answer_lines

__all__ = ["share_lines"]


def _steady(share: Any, rows: Any, year: int) -> bool:
    """Whether every row's share is at its maximum in each year from ``year`` to the last."""
    after = share.loc[year:, rows]
    peak = share[rows].max(axis=0)
    return bool((after == peak).all().all())


def share_lines(st: RunStats, name: str, title: str, width: int,
                event: int | None = None) -> list[str]:
    """Heading, column titles and rows of a ``share`` indicator.

    Args:
        st: The run's statistics.
        name: The indicator.
        title: Its name as the answer shows it.
        width: Width of the economy column.
        event: The year of the scenario's shock: the column is of it when the run has
            that year; the heading names the year of the largest share when it differs,
            and a line its largest share then, as an amount's table does.

    Returns:
        The block's lines: the year of the largest share among the SCO members (or
        the years it holds from then to the last), then a row per economy.
    """
    from scosim.mechanism_answer import _focus, _members, _more, _pick, economy_label

    share = st.share_positive(name).fillna(0.0)
    members = set(_members(st))
    focus = _focus(share, members)
    peak = int(share[focus].sum(axis=1).idxmax())
    year, when = shown_year(peak, event, share.index, f"most in {peak}")
    per_run = st.mean(name).fillna(0.0).sum(axis=0)  # mean number of such years a run
    first, last = int(share.index.min()), int(share.index.max())
    span = f"{first}-{last}"
    rows = share.columns[(share > 0).any(axis=0).to_numpy()]
    # SCO members first: the answer is about them; then the largest among the others.
    order = sorted(rows, key=lambda c: (c not in members, -share.loc[year, c], -per_run[c],
                                        str(c)))

    def cells(c: Any) -> str:
        pct = percent_of_runs(share.loc[year, c], st.runs)
        return f"  {pct:>4} %  {per_run[c]:>34.2f}"

    same = len(order) > 1 and len({cells(c) for c in order}) == 1
    if year == peak and year < last and len(order) and _steady(share, order, year):
        # At its peak from `year` to the last year: "most in 2027" read as a fall after.
        pct = percent_of_runs(share.loc[year, order[0]], st.runs)
        when = f"{pct} % from {year} to {last}" if same else f"at its most from {year} to {last}"
    out = answer_lines(f"{title}: share of runs, {when}", indent="  ", subsequent="    ")
    mine, others, rest = _pick(order, members, share.loc[year] > 0)
    if members and not mine:
        out.append("    no SCO member in any run or year; other economies:")
    out.append(f"    {'economy':<{width}}  {year:>6}  {span + ', mean number of years a run':>34}")
    largest = []
    if peak != year:  # the shock year shown: where it is largest, with its figure, as amounts
        top = max(focus, key=lambda c: (share.loc[peak, c], -focus.index(c)))
        largest = [f"    largest in {peak}: most {economy_label(str(top))}, "
                   f"{percent_of_runs(share.loc[peak, top], st.runs)} % of runs"]
    if same:
        # One row for identical rows: four of them and "and 4 more: ..." hid that they agree.
        label = f"all {len(order)} economies"
        return [*out, f"    {label:<{width}}{cells(order[0])}",
                f"      ({' '.join(str(c) for c in order)})", *largest]

    def row(c: Any) -> str:
        return f"    {economy_label(str(c)):<{width}}{cells(c)}"

    more_mine, more_others = _more(rest, members)
    out += [row(c) for c in mine] + more_mine  # the members not listed, with the members
    if mine and (others or more_others):
        out.append("    other economies:")
    return out + [row(c) for c in others] + more_others + largest
