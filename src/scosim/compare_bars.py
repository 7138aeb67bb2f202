"""What the compare bar chart draws besides each mean: the median, how often, a flag.

A mean can be pulled across zero by a few runs: in ``cu_min_cet`` (the shipped customs
union with ``cet: min``) minus ``customs_union``, 20 runs, 2035, India's mean welfare
change was +0.073 while 15 of 20 runs lost, the 5 others those in which it leaves. The
bar chart (:func:`scosim.compare_plots.plot_final_year`) drew it as a green gain. These
are the chart's marks, as data, so that they can be checked without pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from scosim.compare_plots import BAD, GOOD, whisker_note

__all__ = ["ABOUT_HALF", "HATCH", "NO_CHANGE", "ZERO_COLOUR", "bar_caption", "bar_marks",
           "bars_note", "drawn_bars", "flag_note", "flag_reason", "key_entries",
           "median_words"]

#: Colour of a bar whose median is unchanged (0): neither gain nor loss is typical.
ZERO_COLOUR = "0.65"

#: The key's word for :data:`ZERO_COLOUR`.
NO_CHANGE = "median: no change"

#: matplotlib's hatch of a flagged bar (plotly's pattern ``"/"`` is the explorer's).
HATCH = "///"


def drawn_bars(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The economies the bar chart draws, and those it leaves out: one rule, PNG and page.

    A bar of 0 for an economy no paired run changed says nothing a list cannot, so such
    economies, and those without a paired run, are named under the chart instead (the
    report's table leaves the same rows out). The explorer's figure drew them as empty
    bars while the PNG of the same comparison left them out (an outside review,
    2026-12-07).

    Args:
        rows: One indicator's summary rows in one year (``country``, ``n_runs``, ``mean``
            and ``sd``, or ``low`` and ``high``).

    Returns:
        ``(bars, unchanged, unpaired)``: the rows drawn, smallest mean first (the bottom
        bar), and the economies left out (:func:`scosim.compare_plots._left_out`).
    """
    from scosim.compare_plots import _left_out

    unchanged, unpaired = _left_out(rows)
    bars = rows[~rows["country"].astype(str).isin({*unchanged, *unpaired})]
    return bars.sort_values("mean", kind="stable"), unchanged, unpaired


def bars_note(bars: pd.DataFrame, flags: Sequence[bool], unchanged: Sequence[str],
              unpaired: Sequence[str], n: int, year: int) -> str:
    """The note under the bar chart: the economies left out, then the hatched bars.

    Args:
        bars: The rows drawn, bottom bar first (:func:`drawn_bars`).
        flags: Per bar, whether it is hatched (:func:`bar_marks`' ``flag``).
        unchanged: Economies left out, no paired run changed.
        unpaired: Economies left out, no paired run.
        n: Paired runs, for the note.
        year: The chart's year.
    """
    from scosim.compare_plots import _left_out_note
    from scosim.same_runs import skew_bars

    # Top bar first, as the chart reads (bars are drawn from the bottom).
    top = bars.iloc[::-1]
    why = [flag_reason(float(r["mean"]), float(r["median"]), float(r["share_positive"]),
                       int(r["n_runs"])) if f else ""
           for (_, r), f in zip(top.iterrows(), list(flags)[::-1], strict=True)]
    return ". ".join(x for x in (
        _left_out_note(unchanged, unpaired, n, f"in {year}", len(bars)),
        flag_note(list(top["country"]), list(flags)[::-1], why),
        skew_bars(top)) if x)


def bar_marks(rows: pd.DataFrame, rise: str = GOOD, fall: str = BAD) -> pd.DataFrame:
    """What the bar chart draws besides each bar's mean: the typical run, and how often.

    A mean can be pulled across zero by a few runs (India under a minimum CET: mean
    +0.073 while 15 of 20 runs lose, the 5 others those in which it leaves), so each bar
    carries the median of its runs (a marker), the share of runs above zero as the compare table
    prints it, and a flag where mean and median differ in sign. The bar is coloured by
    the median's sign, not the mean's: colour is read first, and green said "gain" where
    most runs lost.

    Args:
        rows: Summary rows (``mean``, ``share_positive``, ``n_runs``; ``median`` when the
            summary has it, else the colour follows the mean and nothing is flagged).
        rise: Colour of a rise (:func:`scosim.compare_plots._bar_key`).
        fall: Colour of a fall.

    Returns:
        One row per input row (same index): ``median``, ``share_text`` (as the table's
        ``share > 0``), ``flag`` (bool) and ``colour``.
    """
    from scosim.report import _share

    mean = rows["mean"].to_numpy(dtype=float)
    median = (rows["median"].to_numpy(dtype=float) if "median" in rows
              else np.full(len(rows), np.nan))
    known = ~np.isnan(median)
    typical = np.where(known, median, mean)
    flag = known & (np.sign(mean) != np.sign(median))
    colour = np.where(typical > 0, rise, np.where(typical < 0, fall, ZERO_COLOUR))
    # A summary without a median keeps the old colouring: a mean of 0 is a rise.
    colour = np.where(~known & (mean == 0), rise, colour)
    share = [_share(float(x), int(r)) for x, r in zip(rows["share_positive"],
                                                      rows["n_runs"], strict=True)]
    return pd.DataFrame({"median": median, "share_text": share, "flag": flag,
                         "colour": colour}, index=rows.index)


def key_entries(key: Sequence[tuple[str, str]], colours: Sequence[str]) -> list[tuple[str, str]]:
    """The bar chart's key: the indicator's colours, and grey when a median is 0.

    One list for the PNG and the explorer's figure, so that their keys say the same.

    Args:
        key: The indicator's ``(colour, label)`` s (:func:`scosim.compare_plots._bar_key`).
        colours: The bars' colours (:func:`bar_marks`' ``colour``).
    """
    zero = any(str(c) == ZERO_COLOUR for c in colours)
    return [*key, *([(ZERO_COLOUR, NO_CHANGE)] if zero else [])]


#: Runs above 0 within this many of half (a share) are "about half": mean and median then
#: sit either side of 0 because the runs split, not because a few runs pull the mean.
ABOUT_HALF = 0.10


def flag_reason(mean: float, median: float, share_positive: float, n_runs: int) -> str:
    """Why a hatched bar's mean and median differ in sign, in words true of that bar.

    The note said of every hatched bar "a few runs pull the mean across zero, most runs
    go the other way", false of both bars it named in ``afghan_instability_hardening``
    minus ``afghan_instability`` (an outside review, 2026-12-07): Uzbekistan's incidents
    (14 of 20 runs 0, 6 at +1, none below 0) and the UAE's welfare (10 of 20 runs above
    0). Three cases, each stated only with what the summary pins down (a median below 0
    means at least half the runs are below 0; the mean's sign says which runs outweigh):

    - median 0: the middle of the runs is no change; the mean comes from the runs on
      its side, counted when they are the runs above 0;
    - runs above 0 within :data:`ABOUT_HALF` of half: the runs split about evenly;
    - otherwise most runs are on the median's side, a minority pulls the mean across 0.

    Args:
        mean: The bar's mean difference.
        median: The median of its runs' differences (its sign differs from the mean's).
        share_positive: Share of its runs above 0.
        n_runs: Its paired runs.

    Returns:
        A clause such as ``"median 0, the mean from the 6 of 20 runs above 0"``.
    """
    k = round(share_positive * n_runs)
    above = f"{k} of {n_runs} runs above 0"
    if mean == 0:
        return f"mean 0 while the median is {'above' if median > 0 else 'below'} 0 ({above})"
    if median == 0:
        return (f"median 0, the mean from the {above}" if mean > 0
                else f"median 0, the mean from the runs below 0 ({above})")
    if abs(share_positive - 0.5) <= ABOUT_HALF:
        return f"the runs split about evenly ({above})"
    if mean > 0:  # median < 0: at least half the runs below 0
        return f"only {above} pull the mean up, most runs are at or below 0"
    return f"most runs above 0 ({above}), those below 0 pull the mean down"


def flag_note(countries: Sequence[Any], flags: Sequence[bool],
              reasons: Sequence[str] | None = None) -> str:
    """The line under the bar chart naming its hatched bars ("" when none is flagged).

    Args:
        countries: The bars' economies, in the chart's order.
        flags: Per bar, whether its mean and median differ in sign (:func:`bar_marks`).
        reasons: Per bar, why (:func:`flag_reason`; "" or None: the economy alone).
    """
    why = list(reasons) if reasons is not None else [""] * len(flags)
    named = [f"{c}: {w}" if w else str(c)
             for c, f, w in zip(countries, flags, why, strict=True) if f]
    if not named:
        return ""
    return f"Hatched: the mean and the median differ in sign. {'; '.join(named)}"


def median_words(runs_each: Sequence[int]) -> str:
    """What the diamond is: ``"median (midway between the middle two of 20 runs)"``.

    The diamond is the table's ``median`` column, numpy's median of the paired
    differences: with an odd number of runs one run's difference, with an even number
    the mean of the two middle ones, which no run need have. Called "median run", it
    read as one run's outcome where there were 20 (an outside review, 2026-12-07).

    Args:
        runs_each: The bars' numbers of paired runs.
    """
    sizes = {int(k) for k in runs_each if int(k) > 0}
    if len(sizes) != 1:  # totals over fewer runs (a bloc that did not always exist)
        return ("median (with an even number of runs, midway between the middle two)"
                if any(k % 2 == 0 for k in sizes) else "median (the middle run)")
    (k,) = sizes
    return (f"median (midway between the middle two of {k} runs)" if k % 2 == 0
            else f"median (the middle run of {k})")


def bar_caption(runs: str, interval: str, median: bool, bars: int,
                runs_each: Sequence[int] = ()) -> str:
    """What the bar chart's bar, colour, whisker, marker and numbers at right are.

    Args:
        runs: The runs drawn ("20 paired runs (seed 1)").
        interval: The whiskers' interval (the summary's ``interval``).
        median: Whether the summary has the median (else bars are coloured by mean).
        bars: Bars drawn (none: only the runs are said).
        runs_each: The bars' numbers of paired runs, for what the median is
            (:func:`median_words`).
    """
    if not bars:
        return runs
    if not median:
        return f"bars: mean of {runs}; {whisker_note(interval)}; right: share of runs above 0"
    return (f"bars: mean of {runs}, coloured by the median's sign; {whisker_note(interval)}; "
            f"\u25c7: {median_words(runs_each)}; right: share of runs above 0")
