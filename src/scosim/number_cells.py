"""How ``scosim compare`` writes a change: one notation down each indicator's column.

The rule every table of changes follows (the terminal's, the explorer's, report.md's):
decimals from the CI of the mean (:func:`decimals`), a sign on every change, zero "0",
thousands separated, and per indicator either fixed decimals, one count down the column
so that its decimal points line up, or powers of ten (:func:`sci_rows`,
:func:`column_formats`), written by :func:`_fixed`. Moved here from
:mod:`scosim.report` (which re-exports it) to keep that module under 600 lines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from scosim.indicator_display import SIGN_ZERO
from scosim.rare_runs import RARE_COLUMNS
from scosim.same_runs import same_places, same_rows

__all__ = ["COARSE_NOTE", "MAX_EXTRA", "MAX_FIXED", "SCI_BELOW", "SHOWN_VALUES", "coarse_rows",
           "column_formats", "decimals", "sci_rows"]


def decimals(low: float, high: float) -> int | None:
    """Decimals that show a change as precisely as its interval supports, no more.

    Two significant digits of the interval's half-width (``0.0088`` -> 4 decimals,
    ``2.3`` -> 1): a mean of 0.0002263 with an interval of -0.00853 to 0.008983 reads
    0.0002 (-0.0085 to 0.0090). None when the interval is empty or unknown (one run,
    every run alike, or a width of rounding noise): then :func:`_fmt`'s four significant
    digits. A network cost identical in every run had an interval of 1e-14, printed to
    twelve digits ("1.94852549301e-01 to 1.94852549301e-01").
    """
    half = (high - low) / 2
    if not math.isfinite(half) or half <= 1e-9 * max(abs(low), abs(high)):
        return None
    return min(max(1 - math.floor(math.log10(half)), 0), 12)


#: Above this many decimals an indicator's numbers are printed in powers of ten
#: (:func:`_fixed`, :func:`sci_rows`).
MAX_FIXED = 6


def _fixed(x: float, places: int | None, sci: bool = False) -> str:
    """A change ``x`` with ``places`` decimals (:func:`decimals`) and its sign; NaN as "–".

    One rule for every cell of an indicator's column (terminal, explorer, report.md):

    * 0 (within :data:`~scosim.indicator_display.SIGN_ZERO`) is "0", never "0.000";
    * as the run's answer (:func:`~scosim.indicator_display.signed`), a positive change
      prints "+", and one that rounds to zero keeps its sign ("-0.0000", "+0.0000"), so an
      interval "-0.0000 to +0.0048" shows whether it includes zero;
    * thousands separated as the run's answer writes them ("-2,048", not "-2048");
    * without ``places`` (no interval), four significant digits, in fixed decimals from
      10,000 on ("+12,340", not "+1.234e+04") and, outside a column in powers of ten,
      below 1e-4 too, to :data:`MAX_FIXED` decimals ("+0.000012");
    * with ``sci`` (an indicator of tiny changes, :func:`sci_rows`) or beyond
      :data:`MAX_FIXED` decimals (:func:`column_formats` caps a fixed column's), powers
      of ten with a mantissa in [1, 10) to the same absolute precision 10^-places
      ("+9.7e-06", "-8e-07"), and a value that rounds to 0 there as "0": a column read
      "+0.000107", "+0.97e-05" and "-0.08e-05".
    """
    if x != x:
        return "–"
    if places is not None and (sci or places > MAX_FIXED):
        rounded = round(x, places)
        if rounded == 0:
            return "0"
        # The power of the rounded value: 9.97e-06 at 1e-07 is 1.00e-05, not 10.0e-06.
        e = math.floor(math.log10(abs(rounded)))
        return f"{rounded / 10.0 ** e:+.{max(places + e, 0)}f}e{e:+03d}"
    if abs(x) <= SIGN_ZERO:
        return "0"
    if places is not None:
        return f"{x:+,.{places}f}"
    # Four significant digits, fixed with thousands where "g" would switch to e-notation:
    # "+12,340" beside "+9,876", not "+1.234e+04"; in a fixed column below 1e-4, at most
    # MAX_FIXED decimals as its rows with an interval ("+0.000012", not "+1.2e-05").
    r = float(f"{x:.4g}")
    if abs(r) >= 1e4:
        return f"{r:+,.0f}"
    return f"{r:+,.{MAX_FIXED}f}" if abs(r) < 1e-4 and not sci else f"{x:+,.4g}"


#: A comparison's columns of changes, every one of which a cell shows.
SHOWN_VALUES = ("mean", "median", "low", "high", "runs_low", "runs_high", *RARE_COLUMNS[1:])


#: An indicator whose values all stay below this, with a row beyond :data:`MAX_FIXED`
#: decimals, is printed in powers of ten (:func:`sci_rows`); from it on, fixed decimals.
SCI_BELOW = 1e-3


def sci_rows(rows: pd.DataFrame, div: Sequence[float]) -> list[bool]:
    """Which rows print in powers of ten (:func:`_fixed`'s ``sci``): one notation a column.

    Every row of an indicator, or none. In powers of ten where a row needs more than
    :data:`MAX_FIXED` decimals (its interval's, or four significant digits without one)
    and no value of the indicator reaches :data:`SCI_BELOW`: a column of tiny changes
    ("+1.07e-04" above "+9.7e-06"). An indicator with a value of 0.001 or more is in
    fixed decimals, its tiny rows too (:func:`column_formats` caps their decimals): a
    policy reader compares a column by its digits' position, so "-0.98" above
    "+0.000055" shows at a glance which change matters, where "-0.98" above "+5.5e-05"
    asks them to decode each exponent, and a power of ten for the whole column would
    print -0.98 as "-98,000" under a multiplier easily missed.

    Args:
        rows: A comparison's rows (``low``, ``high``, ``indicator`` and the values shown).
        div: What each row's values are divided by to be shown.
    """
    d = np.asarray(div, dtype=float)
    places = [decimals(a, b) for a, b in zip(rows["low"].astype(float) / d,
                                             rows["high"].astype(float) / d, strict=True)]
    means = (rows["mean"].to_numpy(dtype=float) / d if "mean" in rows
             else np.full(len(rows), np.nan))
    same = same_rows(rows)
    own = [(same_places(m) if s else _sig_places(m) if p is None else p) > MAX_FIXED
           for p, m, s in zip(places, means, same, strict=True)]
    cols = [c for c in SHOWN_VALUES if c in rows]
    v = np.abs(rows[cols].to_numpy(dtype=float) / d[:, None]) if len(rows) else np.zeros((0, 1))
    big = np.where(np.isfinite(v), v, 0.0).max(axis=1, initial=0.0)
    groups = list(rows["indicator"]) if "indicator" in rows else [None] * len(rows)
    top: dict[Any, float] = {}
    for g, x in zip(groups, big, strict=True):
        top[g] = max(top.get(g, 0.0), float(x))
    tiny = {g for g, o in zip(groups, own, strict=True) if o and top[g] < SCI_BELOW}
    return [g in tiny for g in groups]


def _sig_places(x: float) -> int:
    """Decimals four significant digits of ``x`` need (0 for 0 or NaN)."""
    if not math.isfinite(x) or abs(x) <= SIGN_ZERO:
        return 0
    return 3 - math.floor(math.log10(abs(float(f"{x:.4g}"))))


#: Digits beyond its own interval's precision (:func:`decimals`) a row may show to keep its
#: column's one count of decimals; a row that would show more is rounded to its own.
MAX_EXTRA = 2

#: Under a table with such a row (:func:`coarse_rows`).
COARSE_NOTE = ("Rows whose number ends before the column's last decimal are rounded to "
               "their own CI: the column's decimals would show digits their interval does "
               "not support.")


def column_formats(rows: pd.DataFrame, div: Sequence[float]) -> tuple[list[int | None],
                                                                        list[bool]]:
    """Each row's decimals and notation (:func:`sci_rows`), for :func:`_fixed`.

    An indicator printed in fixed decimals has one count of decimals down its column,
    so that, right-aligned, its decimal points line up: that of the row needing most
    (its interval's, :func:`decimals`, or four significant digits of a change without
    one), at most :data:`MAX_FIXED`. Row by row, "+0.478" sat above "+0.1525" and
    "+0.00417", "+0.002" under "+0.0052". The coarser rows so show digits their own
    interval does not support; the full precision is in ``summary_table.csv``. A change
    below a millionth of the unit beside changes of 0.001 or more reads "+0.000002", its
    sign kept when it rounds to zero. Rows in powers of ten keep their own decimals
    (the same absolute precision, a mantissa in [1, 10)).

    Except a row that would so show more than :data:`MAX_EXTRA` digits beyond its own
    interval's: it keeps its own decimals (a terminal pads it so that its decimal point
    stays in line, :mod:`scosim.compare_layout`). In a column spanning orders of magnitude
    (EV in US$ bn, -61.9 with a CI of +/-11 beside +0.1147 of +/-0.04) the column's four
    decimals printed China's as "-61.8714". Two is the most that the column's order may
    cost a row: "+0.5327" with a CI of +/-0.19 keeps its column's look.

    A row whose difference is the same in every run (:func:`~scosim.same_runs.same_rows`)
    has three significant figures (its column's decimals where fewer) and does not set
    its column's: China's fund contribution of 15.204 beside India's 0.626265 printed
    "+15.204000" from a smaller row's four significant digits.
    """
    d = np.asarray(div, dtype=float)
    places = [decimals(a, b) for a, b in zip(rows["low"].astype(float) / d,
                                             rows["high"].astype(float) / d, strict=True)]
    sci = sci_rows(rows, div)
    means = (rows["mean"].to_numpy(dtype=float) / d if "mean" in rows
             else np.full(len(rows), np.nan))
    groups = list(rows["indicator"]) if "indicator" in rows else [None] * len(rows)
    same = same_rows(rows)
    column: dict[Any, int] = {}
    for g, p, m, e, s in zip(groups, places, means, sci, same, strict=True):
        if not e and not s:
            column[g] = max(column.get(g, 0), min(_sig_places(m) if p is None else p, MAX_FIXED))
    out: list[int | None] = []
    for g, p, m, e, s in zip(groups, places, means, sci, same, strict=True):
        if s:  # one value in every run: three significant figures, or its column's fewer
            own = same_places(m)
            out.append(own if e or g not in column else min(own, column[g]))
        else:
            out.append(p if e or (p is not None and column[g] - p > MAX_EXTRA) else column[g])
    return out, sci


def coarse_rows(rows: pd.DataFrame, places: Sequence[int | None],
                sci: Sequence[bool]) -> list[bool]:
    """Which rows :func:`column_formats` rounded to their own decimals, coarser than their column's.

    For :data:`COARSE_NOTE`: a row in fixed decimals with fewer than the most of its
    indicator's fixed rows, unless it is the same in every run
    (:func:`~scosim.same_runs.same_rows`).
    """
    groups = list(rows["indicator"]) if "indicator" in rows else [None] * len(rows)
    most: dict[Any, int] = {}
    for g, p, e in zip(groups, places, sci, strict=True):
        if not e and p is not None:
            most[g] = max(most.get(g, 0), p)
    # A row the same in every run has its own note (scosim.same_runs.SAME_NOTE).
    return [not e and not s and p is not None and p < most[g]
            for g, p, e, s in zip(groups, places, sci, same_rows(rows), strict=True)]
