"""Interactive (plotly) versions of the run's paths figures: welfare and GDP over time.

``scosim run`` draws ``welfare_paths.png`` and ``gdp_paths.png``; the page showed
only the last year (who gains, who loses), so an effect that had passed by then, such
as a banking crisis's (finance_crisis_union.yaml, 40 runs, medians: Mongolia -0.31 % of
real expenditure in 2026, +0.01 % in 2030; Russia -1.68 %, then -1.24 %), was not on the page
at all. The
numbers come from the functions behind the PNGs (:func:`scosim.plot_data.welfare_paths_data`,
:func:`scosim.plot_data.gdp_paths_data`); this module only draws.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from scosim.explore.figures import _go, _layout, run_stats, scope_lines
from scosim.plot_data import (
    PATHS_NOTE,
    Paths,
    _any_nonzero,
    economy_label,
    gdp_paths_data,
    welfare_paths_data,
)
from scosim.plots import GDP_PATHS_NOTE, adjustment_note, exits_note
from scosim.results import Result
from scosim.runstats import HIGH, LOW

__all__ = ["gdp_paths_figure", "welfare_paths_figure"]

#: matplotlib's default cycle (C0..C9), so a line has the colour it has in the PNG.
CYCLE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
         "#7f7f7f", "#bcbd22", "#17becf")


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[k:k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _band(go: Any, data: Paths, code: str, colour: str, alpha: float, **where: Any) -> Any:
    """The 5th-95th percentile band of one economy: a closed polygon, no hover."""
    years = [int(y) for y in data.centre.index]
    return go.Scatter(
        x=years + years[::-1],
        y=list(data.high[code].to_numpy()) + list(data.low[code].to_numpy()[::-1]),
        mode="lines", fill="toself", fillcolor=_rgba(colour, alpha), line={"width": 0},
        hoverinfo="skip", showlegend=False, legendgroup=code, **where,
    )


def welfare_paths_figure(result: Result) -> Any | None:
    """Welfare change over time of the eight most affected economies (median, 5th-95th band).

    ``None`` when ``scosim run`` draws no ``welfare_paths.png`` either: the run records no
    welfare, or none moved beyond numerical noise in any run and year.
    """
    from scosim.mechanism_answer import run_welfare_versus

    st = run_stats(result)
    if not (st.has("welfare_change_pct") and _any_nonzero(st, "welfare_change_pct")):
        return None
    data = welfare_paths_data(st)
    go = _go()
    fig = go.Figure()
    years = [int(y) for y in data.centre.index]
    for k, code in enumerate(data.codes):
        colour = CYCLE[k % len(CYCLE)]
        if data.n_runs > 1:
            fig.add_trace(_band(go, data, code, colour, 0.12))
        fig.add_trace(go.Scatter(
            x=years, y=data.centre[code].to_numpy(), mode="lines+markers",
            name=economy_label(code),
            legendgroup=code, line={"color": colour}, marker={"size": 5},
            customdata=list(zip(data.low[code], data.high[code], strict=True)),
            hovertemplate=f"{code} %{{x}}: median %{{y:.3f}}%<br>{LOW}th-{HIGH}th percentile: "
            "%{customdata[0]:.3f}% to %{customdata[1]:.3f}%<extra></extra>",
        ))
    versus = (run_welfare_versus(result.path) if Path(str(result.path)).is_dir() else None)
    against = f"welfare change against the same year {versus or 'without the policy'}"
    lines = textwrap.wrap(against, 100)
    fig.update_xaxes(title="year<br>" + "<br>".join(lines), dtick=1 if len(years) <= 12 else None)
    fig.update_yaxes(title="welfare change, % of real expenditure", zeroline=True,
                     zerolinecolor="black")
    note = (f"{PATHS_NOTE.format(n=data.n_runs)}; band: {LOW}th-{HIGH}th percentile of runs"
            if data.n_runs > 1 else "single run (no uncertainty band)")
    left = exits_note(st, data.codes)
    extra = "".join(f"<br><sup>{line}</sup>" for line in textwrap.wrap(left or "", 120))
    _layout(fig, f"Welfare change over time: the {len(data.codes)} most affected economies"
                 f"{scope_lines(result)}<br><sup>{note}</sup>{extra}", height=480)
    fig.update_layout(legend={"title": "economy (line: median)"})
    # Room under the plot for the axis title's lines, and the PNG's adjustment caveat.
    bottom = 60 + 18 * len(lines)
    caveat = adjustment_note(st, years)
    if caveat is not None:
        fig.add_annotation(text=f"<i>{caveat}</i>", xref="paper", yref="paper", x=0.5, y=0,
                           yshift=-bottom, showarrow=False, xanchor="center", yanchor="top",
                           font={"size": 11, "color": "#404040"})
        bottom += 30
    fig.update_layout(margin={"b": bottom}, height=fig.layout.height + bottom - 60)
    return fig


def gdp_paths_figure(result: Result) -> Any | None:
    """GDP of each SCO member over time, US$ bn: median over runs, 5th-95th band.

    Small multiples, one economy each, as ``gdp_paths.png``; ``None`` when the run does
    not record GDP (``outputs.indicators`` left it out), as ``scosim run`` then draws none.
    """
    from plotly.subplots import make_subplots

    st = run_stats(result)
    if not st.has("gdp_usd"):
        return None
    data = gdp_paths_data(st)
    if not data.codes:
        return None
    go = _go()
    cols = 5
    rows = -(-len(data.codes) // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=data.codes, shared_xaxes=True,
                        horizontal_spacing=0.06, vertical_spacing=0.14)
    years = [int(y) for y in data.centre.index]
    colour = CYCLE[0]
    for k, code in enumerate(data.codes):
        where = {"row": k // cols + 1, "col": k % cols + 1}
        if data.n_runs > 1:
            fig.add_trace(_band(go, data, code, colour, 0.25), **where)
        fig.add_trace(go.Scatter(
            x=years, y=data.centre[code].to_numpy(), mode="lines", line={"color": colour},
            showlegend=False,
            customdata=list(zip(data.low[code], data.high[code], strict=True)),
            hovertemplate=f"{code} %{{x}}: median US$ %{{y:,.1f}} bn<br>{LOW}th-{HIGH}th "
            "percentile: %{customdata[0]:,.1f} to %{customdata[1]:,.1f}<extra></extra>",
        ), **where)
    for r in range(1, rows + 1):
        fig.update_yaxes(title="US$ bn", row=r, col=1)
    for k in range(len(data.codes) - cols, len(data.codes)):  # the lowest panel of each column
        if k >= 0:
            fig.update_xaxes(title="year", showticklabels=True, row=k // cols + 1,
                             col=k % cols + 1)
    fig.update_xaxes(nticks=4)
    note = (f"line: median of {data.n_runs} runs; band: {LOW}th-{HIGH}th percentile"
            if data.n_runs > 1 else "single run (no uncertainty band)")
    return _layout(fig, "Nominal GDP of each SCO member under the scenario (US$ billion)"
                        f"<br><sup>{GDP_PATHS_NOTE}</sup><br><sup>{note}; each panel has its "
                        "own scale</sup>", height=220 * rows + 140)
