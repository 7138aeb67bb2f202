"""Plot banking outcomes over runs: failures, fiscal cost, fund balance and who pays."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from scosim.finance.paid_panel import (  # noqa: E402
    PaidBar,
    draw_paid,
    fit_paid_labels,
    merged_parts,
    payer_label,
)
from scosim.finance.plot_scale import DPI, OFF_SCALE, cost_axis_top  # noqa: E402
from scosim.finance.run_summary import (  # noqa: E402
    PAYERS,
    RUN_INDICATORS,
    BankingStream,
    BankingSummary,
)
from scosim.finance.run_summary import summarise as summarise_banking  # noqa: E402
from scosim.rare_runs import rare  # noqa: E402
from scosim.runstats import HIGH, LOW  # noqa: E402

__all__ = ["DPI", "OFF_SCALE", "PAYERS", "RUN_INDICATORS", "PaidBar", "cost_axis_top",
           "draw_paid", "fit_paid_labels", "plot_banking", "plot_banking_summaries",
           "plot_finance_run", "wilson_interval"]


#: The first panel's outcomes, bottom to top: summary field, legend label, bar style.
OUTCOMES: tuple[tuple[str, str, dict], ...] = (
    ("failed", "failure (default in clearing)", {"alpha": 1.0}),
    ("undercapitalised", "caught, refused public money,\nleft undercapitalised",
     {"alpha": 0.45, "hatch": "///"}),
    # The answer's word (finance/crisis_outcomes.py): one wording for one outcome.
    ("resolved", "resolved", {"alpha": 0.2}),
)


def wilson_interval(k: NDArray[np.float64], n: int, z: float = 1.96) -> tuple[NDArray, NDArray]:
    """Wilson score interval for a binomial share ``k / n`` (95 percent by default)."""
    p = np.asarray(k, float) / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def _cut_label(ax: plt.Axes, x: float, top: float, text: str, colour: str) -> plt.Text:
    """An arrow at the panel's top above ``x`` and ``text`` upright beside it.

    Upright along its line: years one apart leave no room for it written across. Placed
    clear of the means later (:func:`_clear_of_lines`), once the layout is final.
    """
    ax.plot([x], [top], ls="none", marker="^", ms=6, color=colour, clip_on=False)
    return ax.text(x + 0.04, 0.95 * top, text, fontsize=7, color=colour, va="top",
                   ha="right", rotation=90, rotation_mode="anchor")


def _above_key(above: Sequence[tuple[float, NDArray[np.float64], str]]) -> str:
    """The key's words for the runs drawn above their band (x), counted as what they are.

    In one year of one variant they are distinct runs; over several, a run above the
    band in two years would be counted twice, so the count is of run-years, and says
    so. Not a count of runs: the band is known only once every run is in, so a per-run
    flag cannot be set as the batches stream past (flat memory, 100,000 runs).
    """
    n = sum(v.size for _, v, _ in above)
    if len(above) == 1:
        runs = "the run" if n == 1 else f"the {n} runs"
        return f"x: {runs} above the {HIGH}th pct. in the year the mean lies above the band"
    return (f"x: runs above the {HIGH}th pct. in years the mean lies above the band "
            f"({n} run-years)")


def _above_label(n: int, off: NDArray[np.float64]) -> str:
    """The words at the arrow of runs above the band that lie off the scale.

    Said as which of the ``n`` runs the key counts they are ("1 of the 2: 2,130"): "1 run
    2,130 above the band" beside a key counting 2 (the other, 87.2, drawn as an x) read
    as a contradiction (an outside review, 2026-12-07).
    """
    value = f"{off.max():,.0f}" if off.size == 1 else f"up to {off.max():,.0f}"
    which = ("the run" if n == 1 else f"all {n}") if off.size == n else f"{off.size} of the {n}"
    return f"{which}:\n{value},\noff the scale"  # three short lines: clear of the mean


def _draw_cost_ranges(ax: plt.Axes, ranges: Sequence[tuple[float, int, float, float, str]],
                      bands: Sequence[tuple[float, float, float, str]],
                      means: Sequence[float],
                      above: Sequence[tuple[float, NDArray[np.float64], str]] = (),
                      labelled: bool = True) -> tuple[list[plt.Text], float]:
    """Draw the fiscal-cost panel's k/n ranges; those and bands off the scale cut.

    Nothing is written at a range, cut or not: how many runs had a cost is written under
    the years (:func:`_runs_with_cost`) and the largest value cut once in the title (each
    year's "k/n" and "k/n: up to 2,048" upright beside every column were too dense to read
    with three variants, docs/img/finance_crisis.png until 2026-12-07, and one stood in
    the middle of a run's own 2028 plot).

    Args:
        ax: The fiscal-cost panel (its bands already drawn, clipped at its top).
        ranges: ``(x, k, smallest, largest, colour)`` of each k/n range.
        bands: ``(x, 95th percentile, largest run, colour)`` of each shaded band.
        means: The means drawn.
        above: ``(x, values, colour)``: the runs above a band whose mean lies above it
            (:attr:`BankingSummary.cost_above`), drawn as points; those off the
            scale cut, as a range is.
        labelled: One variant: a band cut and runs above the band off the scale are
            written at their arrow (what makes that year's band or mean); with several,
            only the arrow.

    Returns:
        The labels written at a cut (placed clear of the means later), and the largest
        value cut (0 where none is).
    """
    top = cost_axis_top(means, [b for _, b, _, _ in bands],
                        [hi for _, _, _, hi, _ in ranges] + [float(v.max()) for _, v, _ in above])
    labels: list[plt.Text] = []
    largest = 0.0

    def arrow(x: float, colour: str) -> None:
        ax.plot([x], [top], ls="none", marker="^", ms=6, color=colour, clip_on=False)

    for x, values, colour in above:
        on = values if top is None else values[values <= top]
        ax.plot(np.full(on.size, x), on, ls="none", marker="x", ms=6, mew=1.5, color=colour)
        off = values[values > top] if top is not None else values[:0]
        if not off.size:
            continue
        largest = max(largest, float(off.max()))
        if labelled:  # the run that pulls the mean up, written: the answer's "2,048 in 1"
            labels.append(_cut_label(ax, x, top, _above_label(values.size, off), colour))
        else:
            arrow(x, colour)
    for x, _k, lo, hi, colour in ranges:
        if top is None or hi <= top:
            ax.vlines(x, lo, hi, color=colour, lw=2, alpha=0.5)
            ax.plot([x, x], [lo, hi], ls="none", marker="_", ms=9, color=colour)
            continue
        # Cut at the top, an arrow saying it goes on; its value in the title.
        ax.vlines(x, min(lo, top), top, color=colour, lw=2, alpha=0.5)
        if lo < top:
            ax.plot([x], [lo], ls="none", marker="_", ms=9, color=colour)
        largest = max(largest, hi)
        arrow(x, colour)
    for x, hi, run_max, colour in bands:
        if top is None or hi <= top:
            continue
        largest = max(largest, run_max)
        if labelled:
            # The band's top is interpolated between runs: the largest run beside it is a
            # value a run had (the answer's "2,048 in 1 of 10 runs" is one member's part).
            labels.append(_cut_label(ax, x, top, f"band to {hi:,.0f};\nlargest run "
                                     f"{run_max:,.0f}", colour))
        else:
            arrow(x, colour)
    if top is not None:
        ax.set_ylim(0, top)
    return labels, largest


def _runs_with_cost(ax: plt.Axes, columns: Sequence[tuple[NDArray, NDArray, str]]) -> None:
    """Under each year, a row per variant: how many runs had a fiscal cost (its colour).

    Several variants' k/n written upright above each range were too dense to read; a
    small table under the years reads across (k of the same n in every column). One
    variant too, a row: its "k/40: up to 2,048" upright at each year, one in the middle of
    the 2028 plot, read no better.

    Args:
        ax: The fiscal-cost panel.
        columns: Each variant's ``(x, runs with a cost, colour)``, in its row's order.
    """
    for row, (xs, ks, colour) in enumerate(columns):
        for x, k in zip(xs, ks, strict=True):
            ax.annotate(f"{int(k)}", (x, 0), xycoords=("data", "axes fraction"),
                        xytext=(0, -20 - 9 * row), textcoords="offset points", ha="center",
                        va="top", fontsize=7, color=colour)
    ax.set_xlabel("year", labelpad=9 * len(columns) + 4)


def _clear_of_lines(fig: plt.Figure, labels: Sequence[plt.Text],
                    lines: Sequence[plt.Line2D]) -> None:
    """Move each upright label off the mean ``lines``, where one of its places is clear.

    Tried in turn: under the arrow right of its line, at the foot right of it, then the
    same left of it (at 40 runs of ``finance_crisis.yaml`` the first crossed the mean of
    2028, 114 on a panel to 142). Measured on the final layout, in pixels.
    """
    renderer = fig.canvas.get_renderer()
    paths = [MplPath(ln.get_transform().transform(ln.get_xydata())) for ln in lines]
    for label in labels:
        x, y = label.get_position()
        top = y / 0.95
        for dx, at, ha, va in ((0.04, 0.95, "right", "top"), (0.04, 0.04, "left", "top"),
                               (-0.04, 0.95, "right", "bottom"),
                               (-0.04, 0.04, "left", "bottom")):
            label.set(position=(x - 0.04 + dx, at * top), ha=ha, va=va)
            box = label.get_window_extent(renderer).padded(2)
            if not any(p.intersects_bbox(box, filled=False) for p in paths):
                break
        else:  # nowhere clear: where it was
            label.set(position=(x, y), ha="right", va="top")


def plot_banking(
    results: Mapping[str, Mapping[str, NDArray[np.float64]]],
    years: Sequence[int],
    codes: Sequence[str],
    path: str | Path,
    *,
    title: str,
    group: Sequence[str] | None = None,
    group_label: str = "SCO members",
) -> Path:
    """Four panels, one colour per variant (e.g. with and without a banking union).

    1. share of runs in a banking crisis, per year, stacked by each run's worst outcome
       over the group (:func:`scosim.finance.run_summary.outcomes`): a system fails
       (defaults in clearing); else one is caught, refused public money and left, solvent,
       undercapitalised; else one is resolved before contagion; with a 95 percent Wilson
       interval of the whole bar;
    2. fiscal cost per year (mean over all runs, the answer's statistic; band 5th-95th
       percentile; where the mean lies above the band, the runs above it as points, an
       off-scale one written);
    3. deposit insurance fund at year end (median, band);
    4. who paid over the whole period (bar: mean over runs; whisker: 5th-95th
       percentile): the treasuries (gross, and beneath it the equity bought in
       recapitalised systems and the recapitalisations of solvent systems short of the
       BRRD's 8 %, which only
       ``public_backstop: unconstrained`` makes), the fund and, beside it, the group's
       banks' contributions to it, and the creditors, uninsured depositors and creditor
       banks of the group's systems, bailed in or losing in default
       (:data:`scosim.finance.run_summary.PAYERS`).

    Args:
        results: Variant label -> indicators as returned by
            :func:`scosim.finance.ensemble.simulate` ((R, T, N) arrays).
        years: The T years.
        codes: The N economy codes.
        path: PNG to write.
        title: First line of the figure title.
        group: Economies summed in each panel (all if omitted).
        group_label: How the group is named on the axes.

    Returns:
        The path written.
    """
    idx = [list(codes).index(c) for c in (group or codes)]
    summaries = {label: summarise_banking(res, idx) for label, res in results.items()}
    return plot_banking_summaries(summaries, years, path, title=title, group_label=group_label)


def plot_banking_summaries(summaries: Mapping[str, BankingSummary], years: Sequence[int],
                           path: str | Path, *, title: str,
                           group_label: str = "SCO members", answer: str | None = None
                           ) -> Path:
    """:func:`plot_banking` from each variant's statistics over runs.

    Args:
        summaries: Variant label -> :class:`BankingSummary` (from
            :func:`scosim.finance.run_summary.summarise` or a :class:`BankingStream`).
        years: The T years.
        path: PNG to write.
        title: First line of the figure title.
        group_label: How the group summed in each panel is named on the axes.
        answer: The printed answer whose means the fiscal-cost line is (a run's
            ``summary.txt``), named in the panel's title; None for a figure without one.

    Returns:
        The path written.
    """
    yrs = np.asarray(years)
    # Room for the fiscal-cost key; with variants side by side, for the who-paid panel's
    # three labels a row (at 5.8 inches one variant's ran under the next one's).
    fig, axes = plt.subplots(1, 4, figsize=(19, 5.8 if len(summaries) == 1 else 6.8))
    n_runs = 0
    paid: list[PaidBar] = []  # the who-paid panel's bars, drawn once all are known
    shaded = ranged = False  # what the fiscal-cost panel draws, for its title
    # The fiscal-cost panel's k/n ranges (x, k, smallest, largest, colour), shaded bands
    # (x, top, largest run, colour) and means, which set its scale; the means' lines, which
    # the labels of what is cut keep clear of.
    ranges: list[tuple[float, int, float, float, str]] = []
    bands: list[tuple[float, float, float, str]] = []
    means: list[float] = []
    above: list[tuple[float, NDArray[np.float64], str]] = []
    mean_lines: list[plt.Line2D] = []
    counts: list[tuple[NDArray, NDArray, str]] = []  # runs with a cost, under the years
    k_var = len(summaries)
    # A scenario without a fund: the sentence alone, not a zero line on a +-0.04 axis.
    fund = any(sm.fund_any for sm in summaries.values())
    width = 0.8 / max(k_var, 1)
    # A run's own figure has one variant: a key of "variants" would name one that is not there.
    one = k_var == 1
    # A part equal to its whole in every run, year and economy of every variant: one bar,
    # labelled so, as summary.txt prints one table (finance_crisis: all equity bought).
    merged, parts = merged_parts(summaries)
    rows = [p for p, (name, _) in enumerate(PAYERS) if name not in merged]
    for k, sm in enumerate(summaries.values()):
        colour = f"C{k}"
        # Nudge variants sideways so that overlapping lines stay visible.
        dx = (k - (k_var - 1) / 2) * 0.06
        # The fiscal-cost panel's variants a quarter year apart, as the first panel's bars:
        # at 0.06 three variants' upright labels of what is cut ran into one another.
        dx_cost = (k - (k_var - 1) / 2) * min(0.27, 0.8 / k_var)
        n_runs = sm.n_runs
        # Stacked: each run once, at its worst outcome, so the bar is the share in crisis
        # and the printed answer's line of outcomes (finance/crisis_outcomes.py) reads it.
        ax = axes[0]
        x0 = yrs + (k - (k_var - 1) / 2) * width  # variants' bars side by side
        bottom = np.zeros(len(yrs))
        for field, name, style in OUTCOMES:
            part = 100 * getattr(sm, field) / n_runs
            ax.bar(x0, part, width * 0.9, bottom=bottom, color=colour, edgecolor=colour,
                   label=name if one and part.any() else None, **style)
            bottom = bottom + part
        crisis = sm.failed + sm.undercapitalised + sm.resolved
        lo, hi = wilson_interval(crisis, n_runs)
        ax.errorbar(x0, bottom, yerr=[bottom - 100 * lo, 100 * hi - bottom], fmt="none",
                    ecolor="0.2", capsize=3, lw=1)
        mean_lines += axes[1].plot(yrs + dx_cost, sm.cost_mean, color=colour, marker="o", ms=3)
        # Where most runs had no cost, the band interpolated between runs showed values
        # no run had: the range of the runs with one instead, and how many (rare_runs).
        k_c, lo_c, hi_c = sm.cost_nonzero
        counts.append((yrs + dx_cost, k_c, colour))
        few = np.array([rare(n_runs, k) for k in k_c], dtype=bool)
        # A bar a year (not a filled band): a year between two rare ones stands alone.
        lo_b, hi_b = sm.cost_band[:, ~few]
        # A year no run had a cost draws a bar of height 0: nothing shaded to name.
        shaded = shaded or bool((hi_b - lo_b > 0).any())
        ranged = ranged or bool(few.any())
        axes[1].bar(yrs[~few] + dx_cost, hi_b - lo_b, 0.5 / k_var, bottom=lo_b, color=colour,
                    alpha=0.2, linewidth=0)
        # Drawn after the loop, once the scale is known (cost_axis_top).
        ranges += [(x, int(kk), lo, hi, colour) for x, kk, lo, hi in
                   zip(yrs[few] + dx_cost, k_c[few], lo_c[few], hi_c[few], strict=True)]
        means += list(sm.cost_mean)
        # A band whose mean lies above it: the runs above it that pull the mean up, drawn.
        above += [(x, v, colour) for x, v, shade in zip(yrs + dx_cost, sm.cost_above, ~few,
                                                        strict=True) if shade and v.size]
        bands += list(zip(yrs[~few] + dx_cost, hi_b, hi_c[~few], [colour] * len(hi_b), strict=True))
        if fund:
            axes[2].plot(yrs + dx, sm.fund_median, color=colour, marker="o", ms=3)
            axes[2].fill_between(yrs, *sm.fund_band, color=colour, alpha=0.15, linewidth=0)
        for row, p in enumerate(rows):
            m, (lo_p, hi_p) = sm.payer_mean[p], sm.payer_band[:, p]
            y = row + (k - (k_var - 1) / 2) * width
            if not np.isfinite(m):  # a run recorded before this payer was (NaN, not 0)
                axes[3].text(0, y, " not recorded", va="center", fontsize=7, color=colour)
                continue
            if PAYERS[p][0] in sm.same_as_whole:  # this variant's alone: its bar would repeat
                axes[3].text(0, y, " = gross in every run, year and economy", va="center",
                             fontsize=7, color=colour)
                continue
            k_p, lo_nz, hi_nz = sm.payer_nonzero[:, p]
            few_p = rare(n_runs, k_p)
            if few_p:  # the range of the runs that paid, as the answer's "in k of n runs"
                lo_p, hi_p = lo_nz, hi_nz
            # Drawn after the loop, once the scale is known (cost_axis_top).
            paid.append(PaidBar(y, m, lo_p, hi_p, int(k_p) if few_p else None, hi_nz, colour))
    cut, off_max = _draw_cost_ranges(axes[1], ranges, bands, means, above, labelled=one)
    paid_cut = draw_paid(axes[3], paid, width, n_runs, two_lines=one)
    axes[0].set_title("Runs in a banking crisis, by worst outcome")
    axes[0].set_ylabel(f"share of runs, % ({group_label})\n"
                       "whiskers: 95% Wilson interval of the whole bar")
    # Both bands are the run's 5th-95th percentiles over runs (run_summary: LOW, HIGH).
    band = f"band {LOW}-{HIGH}th pct."
    # The title says what is drawn: shaded bars, k/n ranges, or both (not a band never drawn).
    # The line is the mean over all runs, as the answer's table (summary.txt) prints it;
    # where it lies above the band, the runs above the band are drawn (x). Not all of
    # them pull it there (finance_crisis, 2026: 87.2 over a top of 86.95 moved it by
    # 0.006; the 2,130 run did it), and the summaries keep no run ids: in several years
    # or variants one run may be counted twice, so those are counted as run-years.
    drawn = [f"line: mean of all {n_runs} runs" + (f", as {answer}" if answer else ""),
             *([f"shaded: {LOW}-{HIGH}th pct."] if shaded else []),
             *([_above_key(above)] if above else []),
             *(["capped line: where most runs had none, the range of those with one"]
               if ranged else []),
             # k under the years, the largest value cut in the key (_draw_cost_ranges).
             f"under the years: runs of {n_runs} with a cost" + ("" if one else ", by colour"),
             *([f"arrow: off the scale, up to {off_max:,.0f}"] if off_max > 0 else [])]
    # Wrapped to the panel's width (about 60 characters at this size): one long line ran
    # over the neighbouring panels.
    # "5-95th pct." kept on one line (a NUL holds its space while wrapping).
    key = textwrap.fill(f"({'; '.join(drawn)})".replace(" pct.", "\0pct."), 62,
                        break_on_hyphens=False).replace("\0", " ")
    axes[1].set_title(f"Fiscal cost, gross incl. recapitalisation\n{key}", fontsize=10)
    axes[1].set_ylabel(f"US$ billion per year ({group_label})")
    if fund:
        axes[2].set_title(f"Deposit insurance fund (median; {band})")
        axes[2].set_ylabel(f"US$ billion at year end ({group_label})")
    else:  # no axis, line or band to read a zero off: the sentence alone
        axes[2].set_title("Deposit insurance fund")
        axes[2].text(0.5, 0.5, "no deposit insurance fund\nin this scenario",
                     transform=axes[2].transAxes, ha="center", va="center", color="0.3",
                     fontsize=11)
        axes[2].set_axis_off()
    for ax in axes[:3]:
        ax.set_xlabel("year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    _runs_with_cost(axes[1], counts)
    arrow = ";\narrow: off the scale, its value written" if paid_cut else ""
    # The bar is the mean (summary.txt's "mean total"), the whisker the band.
    axes[3].set_title(f"Who paid, {years[0]}-{years[-1]} (bar: mean of all runs;\nwhisker: "
                      f"5th-95th pct.; k/n runs: most runs\npaid none, the range of the k "
                      f"that paid{arrow})", fontsize=10)
    axes[3].set_yticks(range(len(rows)), [payer_label(PAYERS[p][0], merged, parts) for p in rows],
                       fontsize=8)
    axes[3].invert_yaxis()  # treasuries first, as listed
    axes[3].set_xlabel(f"US$ billion over the period ({group_label})")
    axes[3].grid(alpha=0.3, axis="x")
    handles, labels = axes[0].get_legend_handles_labels()
    if not one:
        # Colour says the variant, shading the outcome: a key of variants x outcomes (nine
        # entries for three variants) ran over the panels' axis labels.
        # Only the outcomes some variant had: a key of outcomes no run reached misreads.
        had = [o for o in OUTCOMES if any(getattr(sm, o[0]).any() for sm in summaries.values())]
        handles = [Patch(color=f"C{k}") for k in range(k_var)] + [
            Patch(facecolor="0.35", edgecolor="0.35", **style) for _, _, style in had]
        labels = [*summaries, *(f"first panel: {name}" for _, name, _ in had)]
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8,
               title=("first panel: each run counted once, at its worst outcome in the year"
                      if one else "colour = variant (the same in every panel); first panel: "
                      "each run counted once, at its worst outcome"), title_fontsize=8)
    fig.suptitle(f"{title}\n{n_runs} runs{'' if one else ' per variant'}; "
                 f"the fund's payouts are part of its balance, not of the fiscal cost")
    fig.tight_layout(rect=(0, 0.13, 1, 1))
    _clear_of_lines(fig, cut, mean_lines)
    fit_paid_labels(fig, axes[3], paid_cut)
    out = Path(path)
    fig.savefig(out, dpi=DPI)
    plt.close(fig)
    if not math.isfinite(float(n_runs)):  # pragma: no cover - defensive
        raise ValueError("no runs to plot")
    return out


def plot_finance_run(stream: BankingStream, title: str, path: str | Path) -> Path | None:
    """Banking outcomes of one model run (``scosim run`` with the finance slot filled).

    Args:
        stream: The run's batches, added in batch order (:class:`BankingStream`).
        title: Figure title (scenario and seed).
        path: PNG to write.

    Returns:
        The path written, or None when the run has no finance indicators.
    """
    summary = stream.summary()
    if summary is None:
        return None
    return plot_banking_summaries({"this scenario": summary}, stream.years, path,
                                  title=f"{title}: banking systems",
                                  group_label="SCO members" if stream.group else "all economies",
                                  answer="summary.txt")
