"""Figures of a sensitivity analysis: Sobol indices and Morris effects.

Split from :mod:`scosim.experiments.sensitivity` (which re-exports :func:`plot_sobol`
and :func:`plot_morris`) for size. Each title says what was run, on how many points
and model runs, and what the whiskers are; a note (what the numbers leave out) goes
under the panels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.experiments.sweep_plot import add_footnote, large_scale


def _panels(indices: pd.DataFrame, output: str | None) -> list[str]:
    outs = list(dict.fromkeys(indices["output"]))
    if output is not None:
        if output not in outs:
            raise ValueError(f"output {output!r} not in the indices; have {outs}")
        return [output]
    return outs


def _finish(fig: Any, path: str | Path | None) -> Any:
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
    return fig


def _param_label(name: str, bounds: Mapping[str, Sequence[float]] | None) -> str:
    """``"trade.sigma, 3 to 8"``: the dotted name without ``parameters.``, and its range."""
    short = name.removeprefix("parameters.")
    if bounds is None or name not in bounds:
        return short
    lo, hi = bounds[name]
    return f"{short}, {lo:g} to {hi:g}"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _near_points(d: pd.DataFrame) -> dict[tuple[float, float], list[str]]:
    """Parameters at (nearly) the same (mu*, sigma), named once: one label, not a pile.

    Points within 2 % of the axes' spans of the first of a group join it.
    """
    span_x = max(float(d["mu_star"].max() - d["mu_star"].min()), 1e-300)
    span_y = max(float(d["sigma"].max() - d["sigma"].min()), 1e-300)
    groups: dict[tuple[float, float], list[str]] = {}
    for _, r in d.sort_values(["mu_star", "sigma"]).iterrows():
        x, y = float(r["mu_star"]), float(r["sigma"])
        name = str(r["parameter"]).removeprefix("parameters.")
        near = next((k for k in groups if abs(k[0] - x) <= 0.02 * span_x
                     and abs(k[1] - y) <= 0.02 * span_y), None)
        groups.setdefault(near or (x, y), []).append(name)
    return groups


#: Characters a line of a Morris x label: narrower than its panel. The constrained
#: layout sizes the margins before it narrows the panels (for the left one's tick
#: labels), so a label of 60 that fitted then ran past the figure's right edge.
_LABEL_CHARS = 46


def _name_points(ax: Any, d: pd.DataFrame) -> None:
    """Name the points of the sigma-against-mu* panel, each name inside the panel.

    Limits from 0 (mu* and sigma are never negative: a negative tick beside 0 ran
    into it) to 1.25 times the largest value. A name goes right of and above its
    point in the lower-left half of each axis, left of and below it in the upper
    half: the largest point's name ran past the figure's edge, and with margins
    around the data's span (not from 0) two close points left it no room at all.
    """
    tops = [float(d[c].max()) for c in ("mu_star", "sigma")]
    tops = [t * 1.25 if t > 0 else 1.0 for t in tops]  # all zero: an axis still drawn
    ax.set_xlim(0, tops[0])
    ax.set_ylim(0, tops[1])
    for (x, y), names in _near_points(d).items():
        right, high = x > tops[0] / 2, y > tops[1] / 2
        ax.annotate("\n".join(names), (x, y), xytext=(-4 if right else 4, -4 if high else 4),
                    textcoords="offset points", fontsize=8, ha="right" if right else "left",
                    va="top" if high else "bottom")


def _head(what: str, runs: int | None, context: str, conf_level: float,
          extra: str = "", replications: int | None = None, fig: Any = None) -> str:
    """The figure's title: what, on which points and runs, and what the whiskers are.

    ``runs`` counts the design's points (model evaluations); with ``replications``
    each is the mean of that many model runs, and both are said ("12 model
    evaluations" were 24 runs at 2 a point), the count in words as the printout's
    ("1 replication", "2 replications"). Wrapped to ``fig``'s width.
    """
    from scosim.sweep_text import replications_text  # here: it imports the sweeps

    ran = "" if not runs else (
        f"{runs} points" if replications is None
        else f"{runs} points x {replications_text(replications)} = {runs * replications} "
             "model runs")
    width = int(11 * fig.get_figwidth()) if fig is not None else 110
    return "\n".join([what, _wrap(", ".join(x for x in (context, ran) if x), width),
                      f"whiskers: {conf_level:.0%} bootstrap confidence interval{extra}"])


def plot_sobol(
    indices: pd.DataFrame,
    *,
    output: str | None = None,
    path: str | Path | None = None,
    conf_level: float = 0.95,
    runs: int | None = None,
    bounds: Mapping[str, Sequence[float]] | None = None,
    context: str = "",
    labels: Mapping[str, str] | None = None,
    replications: int | None = None,
    note: str = "",
) -> Any:
    """First-order (S1) and total (ST) Sobol indices, horizontal bars with CI whiskers.

    One panel per output; parameters are labelled with their ranges. An output
    whose indices are NaN (it does not vary over the design) says so in its panel.

    Args:
        indices: ``SensitivityResult.indices`` of a Sobol analysis.
        output: One output to plot (default: one panel per output).
        path: Save the figure there (PNG) if given.
        conf_level: Level of the whiskers, for the title.
        runs: Design points (model evaluations) the indices come from, for the title.
        bounds: Parameter ranges, for the labels.
        context: What was run (scenario, seed...), for the title.
        labels: Plain description of each output (default: its name).
        replications: Model runs a point is the mean of, for the title.
        note: What the numbers leave out, under the panels.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outs = _panels(indices, output)
    n_par = indices["parameter"].nunique()
    fig, axes = plt.subplots(len(outs), 1, figsize=(8.0, (0.6 * n_par + 1.7) * len(outs) + 1.6),
                             squeeze=False, layout="constrained")
    for ax, out in zip(axes[:, 0], outs, strict=True):
        d = indices[indices["output"] == out]
        pos = np.arange(len(d))[::-1]  # the first parameter on top
        h = 0.38
        ax.barh(pos + h / 2, d["S1"], h, xerr=d["S1_conf"], capsize=3, color="tab:blue",
                label="first order S1 (the parameter alone)")
        ax.barh(pos - h / 2, d["ST"], h, xerr=d["ST_conf"], capsize=3, color="tab:orange",
                label="total ST (with its interactions)")
        ax.set_yticks(pos, [_param_label(str(p), bounds) for p in d["parameter"]])
        ax.axvline(0, color="black", lw=0.6)
        ax.set_xlabel("Sobol index: share of the output's variance over the ranges")
        ax.set_ylabel("parameter, range")
        ax.set_title(_wrap((labels or {}).get(out, out), 65), fontsize=10)
        if d[["S1", "ST"]].isna().all().all():
            ax.text(0.5, 0.5, "the output does not vary over the design:\n"
                    "no variance to apportion, indices undefined", ha="center", va="center",
                    transform=ax.transAxes, fontsize=9, color="0.3")
    fig.suptitle(_head("Sobol sensitivity indices", runs, context, conf_level,
                       replications=replications, fig=fig), fontsize=11)
    handles, names = axes[0, 0].get_legend_handles_labels()
    legend = fig.legend(handles, names, loc="outside lower center", ncol=2, frameon=False,
                        fontsize=9)
    # The layout does not stack a note under the legend (they overlapped): it heads it.
    add_footnote(fig, note, legend)
    return _finish(fig, path)


def plot_morris(
    indices: pd.DataFrame,
    *,
    output: str | None = None,
    path: str | Path | None = None,
    conf_level: float = 0.95,
    runs: int | None = None,
    bounds: Mapping[str, Sequence[float]] | None = None,
    context: str = "",
    labels: Mapping[str, str] | None = None,
    replications: int | None = None,
    note: str = "",
    units: Mapping[str, str | None] | None = None,
) -> Any:
    """Morris screening: bars of mu* with CI whiskers, and sigma against mu*.

    Effects are in each output's unit (``units``) per full range of the parameter;
    amounts of a million or more in millions, billions or trillions, said on the axes.

    Args:
        indices: ``SensitivityResult.indices`` of a Morris analysis.
        output: One output to plot (default: one row of panels per output).
        path: Save the figure there (PNG) if given.
        conf_level: Level of the whiskers, for the title.
        runs: Design points (model evaluations) the indices come from, for the title.
        bounds: Parameter ranges, for the labels.
        context: What was run (scenario, seed...), for the title.
        labels: Plain description of each output (default: its name).
        replications: Model runs a point is the mean of, for the title.
        note: What the numbers leave out, under the panels.
        units: Each output's unit, for the axes (default: "output units").

    Returns:
        The matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outs = _panels(indices, output)
    n_par = indices["parameter"].nunique()
    fig, axes = plt.subplots(len(outs), 2, figsize=(11.0, (0.5 * n_par + 2.6) * len(outs) + 1.4),
                             squeeze=False, layout="constrained")
    for (ax_bar, ax_sc), out in zip(axes, outs, strict=True):
        d = indices[indices["output"] == out].sort_values("mu_star", ascending=True)
        # The effects in millions, billions... said on the axes (a "1e12" offset was not).
        div, said = large_scale(d[["mu_star", "sigma"]].to_numpy())
        d = d.assign(**{c: d[c] / div for c in ("mu_star", "mu_star_conf", "sigma")})
        unit = f"{(units or {}).get(out) or 'output units'} per full range" + (
            f", in {said}" if said else "")
        name = (labels or {}).get(out, out)
        ax_bar.barh([_param_label(str(p), bounds) for p in d["parameter"]], d["mu_star"],
                    xerr=d["mu_star_conf"], capsize=3)
        ax_bar.set_xlabel(_wrap(f"mu*: mean |elementary effect| ({unit})", _LABEL_CHARS))
        ax_bar.set_ylabel("parameter, range")
        ax_bar.set_title(_wrap(name, 60) + "\nimportance (mu*)", fontsize=10)
        # An empty bar reads as a missing one: say the parameter moved nothing.
        for k in np.flatnonzero(((d["mu_star"] == 0) & (d["sigma"] == 0)).to_numpy()):
            ax_bar.text(0, k, "  no effect at any point", va="center", fontsize=8, color="0.35")
        ax_sc.scatter(d["mu_star"], d["sigma"], clip_on=False, zorder=3)
        _name_points(ax_sc, d)
        ax_sc.set_xlabel(_wrap(f"mu* ({unit})", _LABEL_CHARS))
        ax_sc.set_ylabel("sigma: sd of the elementary effects\n(the same unit)")
        ax_bar.ticklabel_format(axis="x", useOffset=False, style="plain")
        ax_sc.ticklabel_format(useOffset=False, style="plain")
        ax_sc.set_title("the same output:\nnon-linearity or interactions (sigma) against mu*",
                        fontsize=10)
    fig.suptitle(_head("Morris elementary effects", runs, context, conf_level,
                       " of mu*", replications, fig), fontsize=11)
    add_footnote(fig, note)
    return _finish(fig, path)
