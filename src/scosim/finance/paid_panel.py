"""The banking figure's who-paid panel: a bar per payer and variant, far whiskers cut.

Split from :mod:`scosim.finance.plots` (its size); the panel's title and placement are
drawn there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402

from scosim.finance.plot_scale import DPI, cost_axis_top  # noqa: E402
from scosim.finance.run_summary import PARTS, PAYERS  # noqa: E402

__all__ = ["PaidBar", "draw_paid", "fit_paid_labels", "merged_parts", "payer_label"]


def merged_parts(summaries: Mapping[str, Any]
                 ) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """The parts drawn as their whole's one bar, and every variant's parts.

    A part equal to its whole in every run, year and economy of every variant, among the
    parts the runs recorded (:attr:`~scosim.finance.run_summary.BankingSummary.part_map`,
    as summary.txt reads them); one bar, labelled so, as summary.txt prints one table.
    """
    parts = {k: v for sm in summaries.values() for k, v in sm.part_map.items()}
    merged = [n for n in parts if n in dict(PAYERS)
              and all(n in sm.same_as_whole for sm in summaries.values())]
    return merged, parts


class PaidBar(NamedTuple):
    """One bar of the who-paid panel: a payer's total over the period, one variant."""

    y: float
    mean: float
    low: float  # whisker's left: 5th percentile, or the smallest of the k runs that paid
    high: float  # whisker's right: 95th percentile, or the largest of the k runs
    k: int | None  # the runs that paid, where most paid none (the whisker is their range)
    largest: float  # the largest run's total (beside an interpolated band's top)
    colour: str


def draw_paid(ax: plt.Axes, bars: Sequence[PaidBar], width: float, n_runs: int,
              two_lines: bool = True) -> list[tuple[plt.Text, float]]:
    """Draw the who-paid bars; a whisker far beyond the others cut at the right edge.

    The fiscal-cost panel's rule (:func:`cost_axis_top`): at 10 runs of
    ``finance_crisis.yaml`` the treasuries' band reached an interpolated 1,286 (one run's
    2,133, China's failure) and set a scale on which the creditors' 104 and the banks' 3.6
    were slivers. A cut whisker runs into the edge under an arrow, its mean and top written
    beside the arrow.

    Args:
        ax: The who-paid panel.
        bars: Its bars.
        width: A bar's height (the variants' bars side by side in a payer's row).
        n_runs: Runs.
        two_lines: A cut bar's label in two lines (one variant: its row has room).

    Returns:
        Each cut bar's label and its mean (:func:`fit_paid_labels` makes room for it).
    """
    top = cost_axis_top([b.mean for b in bars], [b.high for b in bars if b.k is None],
                        [b.high for b in bars if b.k is not None])
    x_max, noted, cut = 0.0, False, []
    for b in bars:
        right = max(b.high, b.mean)
        if top is not None and right > top:
            ax.barh(b.y, b.mean, width, color=b.colour)
            # Into the edge wherever the scale ends (fit_paid_labels may widen it, to at
            # most five times the mean): clipped there; the arrow and label sit at it.
            ax.hlines(b.y, min(b.low, b.mean), 10 * right, color="black", lw=1.5)
            ax.plot([min(b.low, b.mean)], [b.y], ls="none", marker="|", ms=6, color="black")
            edge = ax.get_yaxis_transform()  # x in axes fraction, y in data
            ax.plot([1.0], [b.y], ls="none", marker=">", ms=6, color="black",
                    transform=edge, clip_on=False)
            # Two short lines where the row has room: one long line left room on the
            # scale for little else; beside another variant's bar, one line.
            sep = "\n" if two_lines else " "
            span = (f"band to {b.high:,.0f};{sep}largest run {b.largest:,.0f}" if b.k is None
                    else f"{b.k}/{n_runs} runs:{sep}{b.low:,.0f} to {b.high:,.0f}")
            # Over the whisker, on white: the arrow says it goes on beneath.
            label = ax.text(0.985, b.y, f"{b.mean:,.1f}; {span}", transform=edge,
                            ha="right", va="center", fontsize=7, color=b.colour,
                            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
            cut.append((label, b.mean))
            continue
        ax.barh(b.y, b.mean, width, color=b.colour,
                xerr=[[b.mean - min(b.low, b.mean)], [right - b.mean]], capsize=3)
        # The mean written out, past the band: each run's figure has its own scale,
        # and a zero bar (no loss) is otherwise invisible beside a missing one.
        note = f" ({b.k}/{n_runs} runs)" if b.k is not None else ""
        noted = noted or b.k is not None
        ax.text(right, b.y, f" {b.mean:,.1f}{note}", va="center", fontsize=7, color=b.colour)
        x_max = max(x_max, right)
    # Room for the written means, and for "(k/n runs)" after them.
    edge_x = (1.2 + 0.3 * noted) * x_max if x_max > 0 else 1.0
    ax.set_xlim(0, edge_x if top is None else max(edge_x, top))
    return cut


def fit_paid_labels(fig: plt.Figure, ax: plt.Axes, cut: Sequence[tuple[plt.Text, float]]
                    ) -> None:
    """Widen the who-paid panel's scale until each cut bar's label clears its mean's bar.

    Measured on the final layout, in pixels: the label is right-aligned at the edge, so
    the scale's end ``E`` must put the bar's end ``m`` left of it: ``m / E <= 1 - w / W``.
    """
    if not cut:
        return
    # At the dpi it is saved at: text does not scale with dpi exactly (at 100 dpi the
    # label measured 0.344 of the panel, drawn at 110 it was 0.373 and hid the bar's end).
    dpi = fig.dpi
    fig.set_dpi(DPI)
    try:
        renderer = fig.canvas.get_renderer()
        panel = ax.get_window_extent(renderer).width
        end = ax.get_xlim()[1]
        for label, mean in cut:
            free = 1.0 - (label.get_window_extent(renderer).width + 0.03 * panel) / panel
            end = max(end, mean / max(free, 0.2))  # wider than the panel: bar at a fifth
    finally:
        fig.set_dpi(dpi)
    ax.set_xlim(0, end)


def payer_label(name: str, merged: Sequence[str],
                parts: Mapping[str, tuple[str, str]] = PARTS) -> str:
    """A who-paid row's label; a whole's says which parts equal it (drawn as its one bar).

    ``parts``: part -> (whole, words), the run's (:func:`merged_parts`).
    """
    label = dict(PAYERS)[name]
    same = [parts[p][1] for p in merged if parts[p][0] == name]
    if not same:
        return label
    # summary.txt's line in short ("equal to fiscal_cost_usd above in every run, year and
    # economy"), in three lines: a fourth ran into the next row's label.
    return (f"{label.splitlines()[0]}\n= {' and '.join(same)}: all of it,\n"
            "every run, year, economy")
