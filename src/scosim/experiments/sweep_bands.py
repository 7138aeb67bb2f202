"""What a sweep's figure adds to each point's mean: the spread of its runs and its exits.

A point of a grid or Latin-hypercube sweep is the mean of its replications, and those
runs are after any exits the scenario's defect rule allows; :func:`draw_band` and
:func:`draw_exits` show both (the exits on a thin panel of their own, left out when no
run at any point had one), :func:`band_note` says what the band is (or
why there is none), and :func:`percent_axis` writes a tariff given as a fraction in %.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scosim.experiments.sweep import BAND_SUFFIXES, EXIT_COLUMN

__all__ = ["band_note", "draw_band", "draw_exits", "has_exits", "percent_axis"]


def band_note(replications: int) -> str:
    """What the shaded band on a sweep's figure is, or why it has none."""
    if replications < 2:
        return ("One run a point: no band of the runs' spread can be drawn (give "
                "--replications 20 or more for a 5-95 % band).")
    rough = (f" From only {replications} runs a point it is close to their range and a "
             "rough guide." if replications < 20 else "")
    return (f"Each point is the mean of {replications} runs; the band spans 5-95 % of "
            f"those runs.{rough}")


def draw_band(ax: Any, table: pd.DataFrame, param: str, output: str, div: float) -> bool:
    """Shade (a line plot) or bar (scattered points) 5-95 % of each point's runs.

    Returns:
        Whether a band was drawn (the design has the percentile columns).
    """
    lo_col, hi_col = (output + s for s in BAND_SUFFIXES)
    if lo_col not in table or hi_col not in table:
        return False
    x = table[param].to_numpy(dtype=float)
    lo, hi = table[lo_col].to_numpy(dtype=float) / div, table[hi_col].to_numpy(dtype=float) / div
    if len(np.unique(x)) == len(x):  # one point per value (a one-parameter grid, an LHS)
        order = np.argsort(x, kind="stable")
        ax.fill_between(x[order], lo[order], hi[order], color="C0", alpha=0.18, lw=0,
                        label="5-95 % of runs")
    else:  # several points share a value (a grid of two parameters): one bar each
        ax.vlines(x, lo, hi, color="C0", alpha=0.25, lw=3, label="5-95 % of runs")
    return True


def has_exits(table: pd.DataFrame) -> bool:
    """Whether some point's runs had an exit (a design without :data:`EXIT_COLUMN`: no)."""
    return EXIT_COLUMN in table and bool((table[EXIT_COLUMN] > 0).any())


def draw_exits(ax: Any, table: pd.DataFrame, param: str) -> Any:
    """The share of each point's runs in which any state left, on its own thin panel (0-100 %).

    Drawn on a right-hand axis of the output's panel, the markers sat among the output's
    points and, at 0 %, on its left-hand scale; a panel of their own reads apart.

    Returns:
        The markers' artist (None: the design has no :data:`EXIT_COLUMN`).
    """
    if EXIT_COLUMN not in table:
        return None
    from matplotlib.ticker import PercentFormatter

    x = table[param].to_numpy(dtype=float)
    share = table[EXIT_COLUMN].to_numpy(dtype=float) * 100.0
    marks = ax.scatter(x, share, marker="x", s=22, color="0.35")
    if len(np.unique(x)) == len(x):
        order = np.argsort(x, kind="stable")
        ax.plot(x[order], share[order], color="0.45", lw=0.8, ls=":")
    ax.set_ylim(-8, 108)
    ax.set_yticks([0, 50, 100])
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    ax.set_ylabel("runs in which\nany state left", fontsize=8, color="0.25")
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    return marks


def percent_axis(ax: Any) -> None:
    """Write the x axis's fractions (0.05) as percentages (5 %), as a tariff is read."""
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=None))
