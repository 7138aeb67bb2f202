"""A grid or Latin-hypercube sweep's figure: each output against each parameter.

Split from :mod:`scosim.experiments.sweep` (size), which re-exports its names.
:func:`plot_sweep` draws the points of an evaluated design (the table
:func:`scosim.experiments.sweep.evaluate` returns), with the band of each point's runs and
its exits where the design has them (:mod:`scosim.experiments.sweep_bands`);
:func:`large_scale` and :func:`add_footnote` are figure conventions the sensitivity
figures share (:mod:`scosim.experiments.sensitivity_plots`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["add_footnote", "large_scale", "plot_sweep"]


def plot_sweep(
    table: pd.DataFrame,
    params: Sequence[str],
    outputs: Sequence[str],
    *,
    path: str | Path | None = None,
    context: str = "",
    labels: Mapping[str, str] | None = None,
    param_labels: Mapping[str, str] | None = None,
    note: str = "",
    replications: int = 1,
    percent_params: Sequence[str] = (),
) -> Any:
    """Each output against each parameter over the design's points (a grid or LHS sweep).

    Where the design has them (:class:`ScenarioModelFn` with ``spread``), a band of
    5-95 % of each point's runs and, on a thin panel under the others, the share of its
    runs in which any state left (none where no run had an exit: the footnote says so;
    :mod:`scosim.experiments.sweep_bands`).

    Args:
        table: The design with one column per output (:func:`evaluate`'s result).
        params: Parameter columns (x axes).
        outputs: Output columns (y axes).
        path: Save the figure there (PNG) if given.
        context: What was run (scenario, seed, replications a point), for the title.
        labels: Plain description of each output, with its unit (default: its name).
        param_labels: Plain description of each parameter, for its axis (default: its
            name without ``parameters.``).
        note: What the numbers leave out, written under the panels (:func:`add_footnote`).
        replications: Runs a point, said under the panels with what the band is.
        percent_params: Parameters that are fractions read as percentages (a tariff):
            their axis is written in %.

    Returns:
        The matplotlib Figure.
    """
    import textwrap

    import matplotlib

    # Here, not at the top: scosim.experiments.sweep imports this module to re-export it.
    from scosim.experiments.sweep import BAND_SUFFIXES, EXIT_COLUMN
    from scosim.experiments.sweep_bands import (
        band_note,
        draw_band,
        draw_exits,
        has_exits,
        percent_axis,
    )

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Exits, where any run had one, on a thin bottom row of their own (one per parameter).
    exits = has_exits(table)
    fig, axes = plt.subplots(len(outputs) + exits, len(params), squeeze=False,
                             layout="constrained",
                             figsize=(max(4.8 * len(params), 7.0),
                                      3.4 * len(outputs) + 1.2 + 1.2 * exits),
                             height_ratios=[1.0] * len(outputs) + [0.3] * exits)
    for i, o in enumerate(outputs):
        # Large amounts (US$) in thousands of millions or millions of millions, said in
        # the label: not 3.4695 under a "1e13" the eye misses.
        vals = table[o].to_numpy(dtype=float)
        defined = ~np.isnan(vals)
        div, said = large_scale(vals)
        for j, p in enumerate(params):
            ax = axes[i][j]
            banded = draw_band(ax, table, p, o, div)
            ax.scatter(table[p], table[o] / div, s=12, alpha=0.7,
                       label="mean of runs" if banded else None)
            if banded:  # above the panel: the points fill it
                ax.legend(fontsize=7, loc="lower left", ncols=3, bbox_to_anchor=(0.0, 1.0),
                          frameon=False)
            xlabel = (param_labels or {}).get(p, str(p).removeprefix("parameters."))
            if p in percent_params:
                percent_axis(ax)
                xlabel += " (axis in %)"
            ax.set_xlabel("\n".join(textwrap.wrap(xlabel, 60)), fontsize=9)
            ax.ticklabel_format(axis="y", useOffset=False, style="plain")
            ax.tick_params(labelsize=8)
            ax.grid(alpha=0.3)
            if not defined.any():  # a union's accounts where no union formed, say
                ax.text(0.5, 0.5, "no value at any point\n(the indicator is not defined "
                        "there)", ha="center", va="center", transform=ax.transAxes,
                        fontsize=9, color="0.4")
                ax.set_xticks([])  # an empty scale would read as measured values
                ax.set_yticks([])
            elif not defined.all():
                ax.set_title(f"{int((~defined).sum())} of {len(vals)} points without a "
                             "value (not drawn)", fontsize=8, color="0.4")
        label = (labels or {}).get(o, o) + (f" ({said})" if said else "")
        axes[i][0].set_ylabel("\n".join(textwrap.wrap(label, 34)), fontsize=9)
    for j, p in enumerate(params[:len(params) * exits]):
        draw_exits(axes[-1][j], table, p)
        axes[-1][j].set_xlim(axes[-2][j].get_xlim())
        if p in percent_params:
            percent_axis(axes[-1][j])
    # The label's head ("network instability of Afghanistan (0-1, every year)"), not the
    # dotted name; the axis carries the rest of the description.
    names = [(param_labels or {}).get(p, str(p).removeprefix("parameters.")).split(": ")[0]
             for p in params]
    head = [f"Sweep of {', '.join(names)}",
            *textwrap.wrap(", ".join(x for x in (context, f"{len(table)} points") if x),
                           int(11 * fig.get_figwidth()))]
    fig.suptitle("\n".join(head), fontsize=11)
    # Said only where true: a design without the runs' percentiles has no band to explain.
    banded = replications < 2 or any(o + BAND_SUFFIXES[0] in table for o in outputs)
    none_left = ("No state left in any run at any point." if EXIT_COLUMN in table and not exits
                 else "")
    add_footnote(fig, " ".join(x for x in (band_note(replications) if banded else "",
                                           none_left, note) if x))
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
    return fig


def large_scale(values: Any) -> tuple[float, str]:
    """The divisor and word of amounts of a million or more: ``(1e9, "billions")``.

    By the largest absolute value defined (NaN ignored); ``(1.0, "")`` below a million.
    A figure shows 3.4695 trillions, not 3.4695 under a "1e13" offset the eye misses.
    """
    vals = np.abs(np.asarray(values, dtype=float))
    top = float(np.nanmax(vals)) if np.isfinite(vals).any() else 0.0
    return next(((d, w) for d, w in ((1e12, "trillions"), (1e9, "billions"),
                                     (1e6, "millions")) if top >= d), (1.0, ""))


def add_footnote(fig: Any, note: str, legend: Any = None) -> None:
    """Write ``note`` under a figure's panels, wrapped to its width (nothing if empty).

    As the figure's ``supxlabel``, for which a constrained layout makes room (text
    placed with ``fig.text`` ran into the axes' labels), or as the title of a
    ``legend`` placed outside below them, which that layout would draw over the note.
    """
    if not note:
        return
    import textwrap

    text = "\n".join(textwrap.wrap(note, int(13 * fig.get_figwidth())))
    if legend is not None:
        legend.set_title(text, prop={"size": 8})
        legend.get_title().set_color("0.3")
    else:
        fig.supxlabel(text, fontsize=8, color="0.3")
