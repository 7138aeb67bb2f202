"""How an amount over runs is spread: a 5th-95th percentile band, or "in k of n runs".

For an amount that is 0 in most runs and large in a few (a banking system failing in 2
of 40 runs), the 5th-95th percentile band interpolated between runs, as
:func:`numpy.percentile` does, shows values no run had: China's fiscal cost of 2028 in
``finance_crisis.yaml`` read "mean 102, 5-95 % of runs 0 to 102", where China paid
US$2,048 bn in 2 of 40 runs and nothing in the others (the interpolated 95th percentile
is 5 % of the way from 0 to 2,048), and India's "mean 2.11, 0 to 0" put the mean outside
its own band (one run at 84.6). Where at least half the runs have none (:func:`rare`),
the answer, the banking figure and ``summary.csv`` (its ``n_nonzero``, ``nonzero_min``,
``nonzero_max`` columns) give instead how many runs had one and the smallest and largest
of them: "2,048 in 2 of 40 runs", "1.2 to 84.6 in 3 of 40 runs", every number a value
some run had, and the mean (over all runs) beside it. Elsewhere the band is kept: with
most runs having a value, it is the spread of the outcome.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from scosim.tty_lines import answer_lines

if TYPE_CHECKING:
    import pandas as pd

    from scosim.indicator_stats import IndicatorStats
    from scosim.runstats import RunStats

__all__ = ["RARE_COLUMNS", "RARE_NOTE", "paired_band", "peak_line", "rare", "rare_note",
           "rare_rows", "run_places", "shown_year", "spread_cells", "spread_text",
           "with_nonzero_runs"]


#: Paired runs whose difference is not 0 and the least and most of those differences, as
#: a comparison's rows carry them (:func:`with_nonzero_runs`; :func:`paired_band` reads them).
RARE_COLUMNS = ("runs_nonzero", "runs_nonzero_min", "runs_nonzero_max")

#: Under a comparison's table with a :func:`paired_band` cell (terminal, explorer, report.md).
RARE_NOTE = ("'0 but k runs x to y': the difference is exactly 0 in at least half the "
             "paired runs and from x to y in the k others (the runs' own values, not a band "
             "interpolated between runs, which showed values no run had); the mean is over "
             "all runs.")


def shown_year(peak: int, event: int | None, years: pd.Index, otherwise: str
               ) -> tuple[int, str]:
    """The year an answer table shows, and the words its heading gives it.

    The scenario's shock year where the table has it, else the table's own ``peak``
    (which then is not called the shock year). ``otherwise`` is the heading's words for a
    table of its peak (``largest in 2028``); a table of the shock year says so, and where
    the peak differs, that too (a line gives it, :func:`peak_line`).
    """
    year = event if event is not None and event in years else peak
    if year != event:
        return year, otherwise
    return year, (f"in {year}, the scenario's shock year"
                  + ("" if peak == year else f", and largest in {peak}"))


def rare(n_runs: float, n_nonzero: float) -> bool:
    """Whether an amount is non-zero in some runs but zero in at least half of them."""
    return 0 < n_nonzero and 2 * n_nonzero <= n_runs


def spread_text(n_runs: float, n_nonzero: float, low: float, high: float, lo_nz: float,
                hi_nz: float, num: Callable[[float], str]) -> str:
    """The spread of an amount over runs, as the answer prints it.

    Args:
        n_runs: Runs.
        n_nonzero: Runs with a value beyond zero.
        low: The 5th percentile over runs.
        high: The 95th percentile.
        lo_nz: The smallest value beyond zero.
        hi_nz: The largest.
        num: How a number is written.

    Returns:
        ``"low to high"``, or where :func:`rare`, ``"x in 1 of n runs"`` or
        ``"lo_nz to hi_nz in k of n runs"``.
    """
    if not rare(n_runs, n_nonzero) or math.isnan(lo_nz):
        return f"{num(low)} to {num(high)}"
    k, n = int(round(n_nonzero)), int(round(n_runs))
    return f"{_span(k, lo_nz, hi_nz, num)} in {k} of {n} runs"


def _span(k: int, lo_nz: float, hi_nz: float, num: Callable[[float], str]) -> str:
    """The k runs' values: the one value where one run or all read alike, else lo to hi."""
    lo, hi = num(lo_nz), num(hi_nz)
    return lo if k == 1 or lo == hi else f"{lo} to {hi}"


def spread_cells(stats: IndicatorStats, year: int, divisor: float, low: pd.Series,
                 high: pd.Series, num: Callable[[float], str]) -> dict[str, str]:
    """:func:`spread_text` of each economy of an indicator in ``year``, in display units.

    Args:
        stats: The indicator's statistics over runs.
        year: The year.
        divisor: What the values are divided by to be shown (1e9 for US$ bn).
        low: The 5th percentile of each economy in ``year``, already divided.
        high: The 95th, likewise.
        num: How a number is written.
    """
    nz = stats.nonzero_runs()
    runs = stats._frame(stats.count.astype(float)).loc[year]
    k, lo, hi = (nz[c].loc[year] for c in ("n_nonzero", "nonzero_min", "nonzero_max"))
    return {str(c): spread_text(runs[c], k[c], low[c], high[c], lo[c] / divisor,
                                hi[c] / divisor, num) for c in runs.index}


def peak_line(st: RunStats, name: str, peak: int, divisor: float, mean: pd.DataFrame,
              members: list[str], num: Callable[[float], str],
              total: Callable[[float], str]) -> list[str]:
    """The line under an amount's table of the scenario's shock year: its largest year.

    A failure drawn in a few runs in another year (China's in 2028 in
    ``finance_crisis.yaml``) led the table until 2026-12-07 and hid the scenario's own
    crisis; it is now one line, the members' mean and the largest member's spread.

    Args:
        st: The run's statistics.
        name: The indicator.
        peak: The year the members' means sum to most.
        divisor: As :func:`spread_cells`.
        mean: Mean over runs, rows years, columns economies, already divided.
        members: The SCO members the table lists.
        num: How a number is written.
        total: How a sum is written.
    """
    from scosim.mechanism_answer import economy_label
    from scosim.runstats import HIGH, LOW

    if not members:
        return []
    top = max(members, key=lambda c: (abs(float(mean.loc[peak, c])), c))
    low = st.quantile(name, LOW / 100).loc[peak] / divisor
    high = st.quantile(name, HIGH / 100).loc[peak] / divisor
    spread = spread_cells(st.indicators[name], peak, divisor, low, high, num)[str(top)]
    text = (f"largest in {peak}: SCO members together {total(mean.loc[peak, members].sum())} "
            f"(mean); most {economy_label(str(top))}, mean {num(mean.loc[peak, top])}, "
            f"{spread if ' in ' in spread else spread + ' (5-95 % of runs)'}")
    return answer_lines(text, indent="    ", subsequent="      ")


def rare_note(lines: list[str], n_runs: int) -> list[str]:
    """The note a block of amounts ends with when a row says "in k of n runs" (none else).

    Args:
        lines: The block's lines so far.
        n_runs: The run's runs.
    """
    if not any(f" of {n_runs} runs" in line for line in lines):
        return []
    return answer_lines(
        f'"x in k of {n_runs} runs", "x to y in k of {n_runs} runs": where at least half the '
        "runs had none, the value each of the k runs that had one had (or the smallest to "
        "the largest), in place of a 5-95 % band interpolated between runs, which showed "
        f"values no run had; the mean is over all {n_runs} (summary.csv: n_nonzero, nonzero_min, "
        "nonzero_max)", indent="  ", subsequent="    ")


def paired_band(n_runs: float, n_nonzero: float, lo_nz: float, hi_nz: float,
                num: Callable[[float], str]) -> str | None:
    """The spread of paired differences the answer's way, where most of them are 0.

    ``scosim compare``'s "90% of runs between" read "0 to 0" for China's fiscal cost in
    ``finance_crisis_union.yaml`` against ``finance_crisis.yaml`` (mean -51: US$2,048 bn
    less in 1 of 40 runs), the mean outside its own band. Where :func:`rare`, the cell
    says instead that the difference is 0 but in k runs, and the least and most there.

    Args:
        n_runs: Paired runs.
        n_nonzero: Runs whose difference is not 0.
        lo_nz: The smallest of those differences.
        hi_nz: The largest.
        num: How a difference is written (the row's precision).

    Returns:
        ``"0 but 1 run -2,048"``, ``"0 but 3 runs -84.6 to +1.2"``; None where most runs
        differ (or none does): the band is then the spread.
    """
    if not rare(n_runs, n_nonzero) or math.isnan(lo_nz):
        return None
    k = int(round(n_nonzero))
    return f"0 but {k} run{'s' if k > 1 else ''} {_span(k, lo_nz, hi_nz, num)}"


def rare_rows(rows: pd.DataFrame) -> list[bool]:
    """Which rows of a comparison :func:`paired_band` writes (its :data:`RARE_COLUMNS`)."""
    if not all(c in rows for c in (*RARE_COLUMNS, "n_runs")):
        return [False] * len(rows)
    return [rare(n, k) and not math.isnan(lo) for n, k, lo in zip(
        rows["n_runs"].astype(float), rows["runs_nonzero"].astype(float),
        rows["runs_nonzero_min"].astype(float), strict=True)]


def run_places(rows: pd.DataFrame, div: Sequence[float], places: Sequence[int | None],
               sci: Sequence[bool]) -> list[int | None]:
    """Decimals of each row's :func:`paired_band` values: one format down a column.

    When a row's decimals followed its CI of the mean, one indicator's column read "0 but
    18 runs -1.00" beside "0 but 1 run -1.000", the same value of a 0/1 indicator. The k
    runs' values are runs' own, not estimates: those of one indicator take its finest
    row's decimals (a fixed column's one count,
    :func:`~scosim.number_cells.column_formats`), no more than four significant digits
    of the cell's largest value need (US$2,048 bn stays "-2,048", not "-2,048.0" beside
    "-84.6"). Rows in powers of ten (``sci``), without decimals or without such a cell
    keep theirs.

    Args:
        rows: A comparison's rows with :data:`RARE_COLUMNS` (and ``indicator``).
        div: What each row's values are divided by to be shown.
        places: Each row's decimals.
        sci: Whether each row is printed in powers of ten.
    """
    groups = list(rows["indicator"]) if "indicator" in rows else [None] * len(rows)
    big = [max(abs(float(lo)), abs(float(hi))) / v if m else math.nan for m, lo, hi, v in zip(
        rare_rows(rows), rows.get(RARE_COLUMNS[1], [math.nan] * len(rows)),
        rows.get(RARE_COLUMNS[2], [math.nan] * len(rows)), div, strict=True)]
    fixed = [math.isfinite(v) and v > 0 and d is not None and not e
             for v, d, e in zip(big, places, sci, strict=True)]
    finest: dict[object, int] = {}
    for g, d, f in zip(groups, places, fixed, strict=True):
        if f:
            finest[g] = max(finest.get(g, 0), int(d))
    return [min(finest[g], max(3 - math.floor(math.log10(v)), 0)) if f else d
            for g, v, d, f in zip(groups, big, places, fixed, strict=True)]


def with_nonzero_runs(rows: pd.DataFrame, spread: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``rows`` with :data:`RARE_COLUMNS` from a comparison's ``spread`` (matched on ``keys``).

    ``rows`` as they are where the spread does not count them (a comparison made before
    :func:`scosim.compare.summarise` did).
    """
    if "n_nonzero" not in spread or not all(k in spread for k in keys):
        return rows
    names = dict(zip(("n_nonzero", "nonzero_min", "nonzero_max"), RARE_COLUMNS, strict=True))
    return rows.merge(spread[[*keys, *names]].rename(columns=names), on=keys, how="left")
