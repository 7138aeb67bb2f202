"""Figures of a comparison: differences over time by economy, and who gains in one year.

Importable from :mod:`scosim.compare` as before; split out to keep matplotlib out
of the statistics module. :func:`~scosim.compare_draw.draw_all` (re-exported here)
draws a report's figures in worker processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# Re-exported: drawing in worker processes moved to compare_draw (this module < 600 lines).
from scosim.compare_draw import (  # noqa: F401
    MAX_FIGURE_WORKERS,
    MIN_PARALLEL_FIGURES,
    FigureJob,
    draw,
    draw_all,
)


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: str | Path | None, *, tight: bool = True) -> Any:
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A figure with a layout engine is laid out already; "tight" would draw it twice.
        fig.savefig(path, dpi=110, bbox_inches="tight" if tight else None)
    return fig


def _wrap(text: str, width: int) -> str:
    """Long titles and labels on several lines (a figure is 7 inches wide)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _compared(scenarios: tuple[str, str] | None) -> str:
    """``"customs_union minus baseline"`` (``"policy minus baseline"`` when not named)."""
    return f"{scenarios[0]} minus {scenarios[1]}" if scenarios else "policy minus baseline"


def _runs(n: int, seed: int | None) -> str:
    return (f"{n} paired runs" if n else "no paired run") + (
        f" (seed {seed})" if seed is not None else "")


#: Bar colours of a change that is good news, bad news, or neither (colour-blind safe
#: enough: green and red differ in lightness too; neutral is the plots' blue).
GOOD, BAD, NEUTRAL_COLOUR = "tab:green", "tab:red", "tab:blue"


def whisker_note(label: str) -> str:
    """The compare figure's whiskers in words: what kind of interval ``label`` is.

    The run's who-gains figure looks the same but its whiskers are the spread of runs
    (:data:`scosim.plot_data.WHISKERS_NOTE`); these are, by default, a confidence interval
    of the mean difference, far narrower, and a reader took one for the other.

    Args:
        label: The summary's ``interval`` (:func:`scosim.compare.interval_label`).
    """
    if "CI of the mean" in label:
        return (f"whiskers: {label}, how precisely the runs pin down the mean difference "
                "(not the spread of runs)")
    if "of runs" in label:
        return f"whiskers: {label}, the spread of runs' differences"
    return f"whiskers: {label}"


def _bar_key(indicator: str) -> tuple[str, str, list[tuple[str, str]]]:
    """Colours of a rise and a fall of ``indicator``, and the legend's (colour, label)s."""
    from scosim.indicator_display import BETTER, WELFARE, WORSE, direction

    way = direction(indicator)
    if indicator in WELFARE:
        return GOOD, BAD, [(GOOD, "gain"), (BAD, "loss")]
    if way == BETTER:
        return GOOD, BAD, [(GOOD, "rise (better)"), (BAD, "fall (worse)")]
    if way == WORSE:
        return BAD, GOOD, [(BAD, "rise (worse)"), (GOOD, "fall (better)")]
    return NEUTRAL_COLOUR, NEUTRAL_COLOUR, [(NEUTRAL_COLOUR, "change (neither better nor worse)")]


#: The over-time figure's dashed line: the median of each year across runs. Not "median
#: run": a member leaving in some runs makes it jump between runs, as no run's path does.
MEDIAN_LINE = "median difference, each year"
#: Said on a figure with nothing to draw: every difference is NaN.
NO_PAIRS = ("no run has a value in both scenarios\n"
            "(e.g. a bloc's figure against a baseline without the bloc)")


def _left_out(rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Economies with nothing to draw: no paired run changed, or no run is paired.

    Args:
        rows: One indicator's summary rows (any years).

    Returns:
        ``(unchanged, unpaired)``: economies whose difference is 0 in every paired run
        of every year given (years without a pair aside), and economies without a pair
        in any of those years.
    """
    from scosim.compare import no_change

    still = pd.Series(no_change(rows), index=rows.index)
    unpaired = rows["mean"].isna()
    nothing = (still | unpaired).groupby(rows["country"].astype(str), sort=True).all()
    none_paired = unpaired.groupby(rows["country"].astype(str), sort=True).all()
    return ([str(c) for c in nothing.index[nothing & ~none_paired]],
            [str(c) for c in none_paired.index[none_paired]])


def _left_out_note(unchanged: Sequence[str], unpaired: Sequence[str], n: int,
                   when: str, shown: int = 0) -> str:
    """``"Not shown, no difference in any of the 40 paired runs in any year: AFG, ARE"``.

    With ``shown`` economies drawn, fewer than those left out and none unpaired, the
    note says "every other economy (27)": the figure names the few it draws.
    """
    parts = []
    if unchanged and not unpaired and 0 < shown < len(unchanged):
        parts.append(f"Not shown, no difference in any of the {n} paired runs {when}: "
                     f"every other economy ({len(unchanged)})")
    elif unchanged:
        parts.append(f"Not shown, no difference in any of the {n} paired runs {when}: "
                     f"{', '.join(unchanged)}"
                     + (f" ({len(unchanged)} economies)" if len(unchanged) > 3 else ""))
    if unpaired:
        parts.append(f"Not shown, no run has a value in both scenarios {when}: "
                     f"{', '.join(unpaired)}")
    return ". ".join(parts)


def _nothing_to_draw(fig: Any, ax: Any, unchanged: Sequence[str], unpaired: Sequence[str],
                     n: int, when: str) -> None:
    """One message in place of panels or bars: every economy is unchanged or unpaired."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, nothing_said(unchanged, unpaired, n, when), ha="center", va="center",
            transform=ax.transAxes, fontsize=10, color="0.2")


def nothing_said(unchanged: Sequence[str], unpaired: Sequence[str], n: int, when: str) -> str:
    """The message of :func:`_nothing_to_draw`, its lines broken (the page's figure says it too)."""
    if unchanged and not unpaired:
        return (f"No difference in any of the {n} paired runs {when},\n"
                "for any economy: both scenarios give the same values.")
    if unpaired and not unchanged:
        return NO_PAIRS
    return _wrap(_left_out_note(unchanged, unpaired, n, when), 70)


def _one_indicator(summary: pd.DataFrame, indicator: str) -> pd.DataFrame:
    d = summary[summary["indicator"] == indicator]
    if d.empty:
        have = sorted(summary["indicator"].unique())[:10]
        raise ValueError(f"indicator {indicator!r} not in the summary; have e.g. {have}")
    return d


def plot_difference_over_time(
    summary: pd.DataFrame,
    indicator: str,
    *,
    spread: pd.DataFrame | None = None,
    units: str | None = None,
    countries: Sequence[str] | None = None,
    ncols: int = 4,
    title: str | None = None,
    scenarios: tuple[str, str] | None = None,
    seed: int | None = None,
    path: str | Path | None = None,
) -> Any:
    """Small multiples, one per country: mean difference over years with its interval band.

    With the summary's ``median`` (the median of the same paired differences), a dashed
    line draws it beside the mean: year by year, so not one run's path.

    An indicator shown once for all economies (a world or bloc total, country
    ``"world"`` etc.) is one panel.

    Args:
        summary: Output of :func:`summarise` (keys year, country, indicator).
        indicator: Indicator to plot.
        spread: Optional percentile summary (``method="percentile"``), drawn as a
            lighter outer band: where the run-level outcomes fall.
        units: Units of the indicator, for the axis label.
        countries: Countries to show (default: all in the summary).
        ncols: Panels per row.
        title: What the indicator is, for the title (default: its code).
        scenarios: ``(policy, baseline)`` scenario names, for the title.
        seed: Seed of the paired runs, for the subtitle.
        path: Save the figure there (PNG) if given.

    Returns:
        The matplotlib Figure.
    """
    plt = _plt()
    d = _one_indicator(summary, indicator)
    asked = list(countries) if countries is not None else sorted(d["country"].unique())
    d = d[d["country"].astype(str).isin([str(c) for c in asked])]
    # An economy no paired run changed in any year would be an empty panel (a flat
    # line at 0): it is named below the panels instead.
    unchanged, unpaired = _left_out(d)
    cs = [c for c in asked if str(c) not in {*unchanged, *unpaired}]
    n = int(d["n_runs"].max()) if len(d) else 0
    when = f"in any year {int(d['year'].min())}-{int(d['year'].max())}" if len(d) else ""
    from scosim.indicator_display import direction

    if not cs:
        fig, ax = plt.subplots(figsize=(7.0, 3.4), layout="constrained")
        _nothing_to_draw(fig, ax, unchanged, unpaired, n, when)
        fig.suptitle(_wrap(f"{title or indicator}", 70) + "\n" + _wrap(
            f"{_compared(scenarios)} ({direction(indicator)}), {_runs(n, seed)}", 70),
            fontsize=12)
        return _save(fig, path, tight=False)
    nrows = -(-len(cs) // ncols)
    ncols = min(ncols, len(cs))
    # One panel (a world or bloc total) is drawn at the width of a page, not of a panel.
    size = (7.0, 4.8) if len(cs) == 1 else (3.2 * ncols, 2.3 * nrows + 1.2)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=size,
        sharex=True,
        squeeze=False,
        layout="constrained",  # room for the suptitle and the legend below
    )
    from matplotlib.ticker import MaxNLocator

    label = str(d["interval"].iloc[0])
    median = "median" in d and bool(d["median"].notna().any())
    sp = _one_indicator(spread, indicator) if spread is not None else None
    for ax, c in zip(axes.flat, cs, strict=False):
        if sp is not None:
            f = sp[sp["country"] == c].sort_values("year")
            ax.fill_between(
                f["year"], f["low"], f["high"], color="tab:blue", alpha=0.12,
                label=str(sp["interval"].iloc[0]),
            )  # fmt: skip
        e = d[d["country"] == c].sort_values("year")
        ax.fill_between(e["year"], e["low"], e["high"], color="tab:blue", alpha=0.35, label=label)
        ax.plot(e["year"], e["mean"], color="tab:blue", lw=1.6, label="mean difference")
        if median:
            # The same paired runs' median: the run's answer reports medians, and a few
            # runs in which a member leaves pull the mean away from the typical run. Each
            # year's median may come from a different run: not one run's path.
            ax.plot(e["year"], e["median"], color="tab:orange", lw=1.4, ls="--",
                    label=MEDIAN_LINE)
        ax.axhline(0, color="black", lw=0.6)
        # At most 5 year ticks: a tick a year (9 years, 4 panels a row) ran together.
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        # y given: matplotlib's automatic title placement (which clears top tick labels,
        # absent here) costs a quarter of this figure's time and lands on y = 1 anyway.
        # Code and name, as the run's figures title a panel (economy_label): codes
        # alone (KHM, BHR, MDV) meant nothing to a policy reader.
        ax.set_title(bar_labels([c])[0], fontsize=10, y=1.0)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(cs) :]:
        ax.set_visible(False)
    scales = _y_scales(list(axes.flat)[: len(cs)])
    # The lowest panel of each column carries the years (sharex shows them on the
    # last row only, which may be empty in some columns).
    for col in range(ncols):
        shown = [ax for ax in axes[:, col] if ax.get_visible()]
        if shown:
            shown[-1].xaxis.set_tick_params(labelbottom=True)
            shown[-1].set_xlabel("year", fontsize=8)
    # One shared y label: repeated on every panel it overlaps its neighbours.
    # Wrapped to the figure's height: a long unit on one panel ran off both ends.
    fig.supylabel(_wrap(f"policy − baseline ({units or 'indicator units'})",
                        int(10 * size[1])), fontsize=10)
    width = max(70, 28 * ncols)  # characters a line of the title holds
    note = _left_out_note(unchanged, unpaired, n, when, len(cs))
    from scosim.data.constants import NAMES

    # A total's one panel is titled by the total ("outsiders"); said again after a title
    # that names it already it read "... of the outsiders together (...), outsiders".
    where = ("by country" if len(cs) > 1 else bar_labels(cs)[0] if str(cs[0]) in NAMES
             else "")
    fig.suptitle(
        _wrap(f"{title or indicator}" + (f", {where}" if where else ""), width) + "\n"
        + _wrap(f"{_compared(scenarios)} ({direction(indicator)})", width) + "\n"
        + _wrap(f"line: mean of {_runs(n, seed)}"
                + ("; dashed: their median in each year (each year's median run, not "
                   "one run's path)" if median else "")
                + f"; band: {label}"
                + (f"; light band: {sp['interval'].iloc[0]}" if sp is not None else "")
                + ("" if len(cs) == 1 else f"; {scales}"), width)
        # Below the title, not the panels: the legend holds the bottom of the figure.
        + (f"\n{_wrap(note, width)}" if note else ""),
        fontsize=12,
    )
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(3, max(ncols, 2)),
               frameon=False)
    return _save(fig, path, tight=False)


#: Panels share one y scale when the widest panel's range is at most this many times the
#: narrowest's (an assumption: beyond it, a shared scale flattens the small economies'
#: lines; each panel then keeps its own, said in its title).
SHARE_Y_WITHIN = 3.0


def _y_scales(axes: list) -> str:
    """One y scale for all panels where their ranges are alike, else each its own, titled.

    Own scales let a small change fill its panel as a large one does: a reader comparing
    heights across panels (welfare, 28 economies) misread them. Returns what the title
    says of the scales.
    """
    lims = [ax.get_ylim() for ax in axes]
    spans = [hi - lo for lo, hi in lims]
    if max(spans) <= SHARE_Y_WITHIN * min(spans):
        shared = (min(lo for lo, _ in lims), max(hi for _, hi in lims))
        for ax in axes:
            ax.set_ylim(shared)
        return "one y scale for all panels"
    for ax in axes:
        ax.set_title(f"{ax.get_title()}\ny axis {_round_limits(ax)}", fontsize=9, y=1.0)
    return "each panel has its own y scale (in its title)"


def _round_limits(ax: Any) -> str:
    """Set ``ax``'s y limits to the ticks just beyond what it draws; say them.

    The title named the outermost ticks inside matplotlib's limits ("y axis -800 to 0")
    where the band reached -918.6 (an outside review, 2026-12-07). The limits are now
    ticks of the axis's own locator: the last at or below the lowest value drawn and
    the first at or above the highest (-918.6 to 0: -1000 to 0), so that the title's
    numbers are the axis's ends, labelled, and everything drawn lies between them.

    Returns:
        ``"-1000 to 0"``: the limits set, exactly as set.
    """
    lo, hi = (float(x) for x in ax.dataLim.intervaly)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        lo, hi = ax.get_ylim()
        return f"{lo:g} to {hi:g}"
    ticks = np.asarray(ax.yaxis.get_major_locator().tick_values(lo, hi), dtype=float)
    # Ticks are multiples of their step, to its decimals: -1000 + 4 * 250 came out
    # 4.5e-13, titled as such, and -19 * 0.05 is -0.9500000000000001.
    step = float(ticks[1] - ticks[0])
    places = max(0, int(-np.floor(np.log10(step)))) + 1
    # One more tick each side: the locator's need not reach past the values.
    ticks = np.round(np.r_[ticks[0] - step, ticks, ticks[-1] + step], places) + 0.0  # no "-0"
    # A band at 2.3e-13 (a t interval of zeros) is at the tick 0, not past it.
    tol = 1e-9 * step
    low = float(max(t for t in ticks if t <= lo + tol))
    high = float(min(t for t in ticks if t >= hi - tol))
    ax.set_ylim(low, high)
    return " to ".join(f"{x:.{places}f}".rstrip("0").rstrip(".") for x in (low, high))


def plot_final_year(
    summary: pd.DataFrame,
    indicator: str,
    *,
    year: int | None = None,
    units: str | None = None,
    title: str | None = None,
    scenarios: tuple[str, str] | None = None,
    seed: int | None = None,
    path: str | Path | None = None,
) -> Any:
    """Mean difference per country in one year, with interval whiskers.

    Bars are coloured by what the change means (:data:`scosim.indicator_display.DIRECTION`):
    good news green, bad news red (a rise of incidents is red), one neutral colour for an
    indicator that is neither; a key says which. Only welfare indicators
    (:data:`~scosim.indicator_display.WELFARE`) are titled "Who gains, who loses"; others
    "Change in <indicator>".

    Args:
        summary: Output of :func:`summarise`.
        indicator: Indicator to plot.
        year: Year to show (default: the last year).
        units: Units of the indicator, for the axis label.
        title: What the indicator is, for the title and axis (default: its code).
        scenarios: ``(policy, baseline)`` scenario names, for the title.
        seed: Seed of the paired runs, for the subtitle.
        path: Save the figure there (PNG) if given.

    Returns:
        The matplotlib Figure.
    """
    from matplotlib.patches import Patch

    from scosim.compare_bars import (
        HATCH,
        bar_caption,
        bar_marks,
        bars_note,
        drawn_bars,
        key_entries,
    )
    from scosim.indicator_display import WELFARE

    plt = _plt()
    d = _one_indicator(summary, indicator)
    year = int(d["year"].max()) if year is None else year
    d = d[d["year"] == year]
    label = str(d["interval"].iloc[0]) if len(d) else ""
    n = int(d["n_runs"].max()) if len(d) else 0
    # Economies no paired run changed, or unpaired, are named below the key, not drawn:
    # the rule the explorer's figure uses.
    d, unchanged, unpaired = drawn_bars(d)
    rise, fall, key = _bar_key(indicator)
    m = bar_marks(d, rise, fall)
    note = (_wrap(bars_note(d, m["flag"], unchanged, unpaired, n, year), 100)
            if len(d) else "")
    note_h = 0.16 * (note.count("\n") + 1) + 0.1 if note else 0.0  # inches
    fig, ax = plt.subplots(figsize=(8.6, 0.32 * max(len(d), 3) + 2.4 + note_h))
    if len(d):
        err = np.vstack([d["mean"] - d["low"], d["high"] - d["mean"]])
        y = np.arange(len(d))
        # Code and name, as the run's who-gains figure: codes alone (LKA, KHM, BHR) meant
        # nothing to a policy reader. Positions, not labels: two labels never merge.
        bars = ax.barh(y, d["mean"], xerr=err, color=m["colour"], capsize=3)
        for bar, flag in zip(bars, m["flag"], strict=True):
            if flag:  # mean and typical run disagree: hatched, named under the key
                bar.set_hatch(HATCH)
                bar.set_edgecolor("0.15")
        if m["median"].notna().any():
            ax.plot(m["median"], y, "D", color="black", markerfacecolor="white", ms=5,
                    zorder=3)
        # Beside each bar, the table's "share > 0" (same rounding): how often, not how much.
        from matplotlib.transforms import blended_transform_factory

        at = blended_transform_factory(ax.transAxes, ax.transData)
        for k, text in enumerate(m["share_text"]):
            ax.text(1.02, k, text, transform=at, ha="left", va="center", fontsize=8,
                    fontweight="bold" if m["flag"].iloc[k] else "normal")
        ax.set_yticks(y, bar_labels(d["country"]))
        ax.axvline(0, color="black", lw=0.6)
    else:
        _nothing_to_draw(fig, ax, unchanged, unpaired, n, f"in {year}")
    what = title or indicator
    ax.set_xlabel(_wrap(f"change, policy minus baseline: {units or 'indicator units'}", 70))
    # "economy", as the run's who-gains figure: the rows include the rest of the world.
    ax.set_ylabel("economy" if len(d) > 1 else "")
    head = (f"Who gains, who loses in {year}: {what}" if indicator in WELFARE
            else f"{what[:1].upper()}{what[1:]}, {year}" if _is_a_change(indicator)
            else f"Change in {what}, {year}")
    drawn = bar_caption(_runs(n, seed), label, bool(m["median"].notna().any()), len(d),
                        d["n_runs"])
    ax.set_title(_wrap(head, 60) + "\n" + _wrap(_compared(scenarios), 70) + "\n"
                 + _wrap(drawn, 80), fontsize=11)
    h = fig.get_figheight()
    if note:
        fig.text(0.5, 0.05 / h, note, ha="center", va="bottom", fontsize=8, color="0.25")
    if len(d):
        # The key goes below the axes: among 28 bars no corner of the axes is free.
        handles = [Patch(facecolor=c, label=t) for c, t in key_entries(key, m["colour"])]
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, note_h / h),
                   ncol=len(handles), fontsize=9, frameon=False)
    # Right margin: the shares beside the bars lie outside the axes, and tight_layout
    # does not make room for them.
    fig.tight_layout(rect=(0, (0.35 + note_h) / h, 0.92 if len(d) else 1, 1))
    return _save(fig, path)


def _is_a_change(indicator: str) -> bool:
    """Whether ``indicator``'s name says it is a change already ("real GDP change").

    Its bar chart was titled "Change in real GDP change"; the axis says "change, policy
    minus baseline" either way.
    """
    from scosim.indicator_display import NAMES

    return NAMES.get(indicator, "").endswith("change")


def bar_labels(countries: Sequence[Any]) -> list[str]:
    """The compare figure's bar labels: ``"KAZ Kazakhstan"``, code and short name.

    As the run's who-gains figure names economies (:func:`scosim.plot_data.who_gains_labels`);
    a total (``"world"``, a bloc) has no name and keeps its label.
    """
    from scosim.mechanism_answer import economy_label

    return [economy_label(str(c)) for c in countries]
