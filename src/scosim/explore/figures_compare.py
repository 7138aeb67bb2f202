"""Interactive (plotly) version of ``scosim compare``'s bar chart: who gains, who loses.

It draws the marks the PNG draws (:func:`scosim.compare_bars.bar_marks`,
:func:`scosim.compare_plots.plot_final_year`). Each bar is the mean paired difference,
coloured by the median's sign. A white diamond marks the median, the share of
runs above zero is printed at the right, and a bar is hatched where mean and median
differ in sign. Until 2026-12-07 the page drew means only, coloured by the mean, so a
bar the PNG of the same comparison drew red and hatched (India under a minimum CET: mean
+0.073, 15 of 20 runs lose) was a green gain on the page.
"""

from __future__ import annotations

import textwrap
from typing import Any

from scosim.compare_bars import ZERO_COLOUR
from scosim.explore.figures import GAIN, LOSS, _go, _layout

__all__ = ["HEX", "PATTERN", "compare_figure"]

#: The PNG's colours (matplotlib names) as plotly takes them; grey is matplotlib's "0.65".
HEX = {"tab:green": GAIN, "tab:red": LOSS, "tab:blue": "#1f77b4", ZERO_COLOUR: "#a6a6a6"}

#: plotly's pattern for the PNG's hatch (:data:`scosim.compare_bars.HATCH`, "///").
PATTERN = "/"

#: Edge and hatch colour of a flagged bar: the PNG's "0.15".
EDGE = "#262626"

#: Pixels a line of small text takes under the plot (the key, the hatched bars' note).
LINE_PX = 16


def _br(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters (plotly does not wrap)."""
    return "<br>".join(textwrap.wrap(text, width))


def compare_figure(comparison: Any, indicator: str = "welfare_change_pct") -> Any | None:
    """Policy minus baseline in the report's year, by economy: mean, median, share > 0.

    Named, measured and marked as ``scosim compare``'s PNG of the same indicator
    (:func:`scosim.indicator_display.display`: "welfare change (welfare_change_pct)",
    "percentage points of the year's baseline real expenditure"; US$ in bn): bars of the
    mean coloured by the median's sign, whiskers of the interval, a diamond at the
    median, the share of runs above 0 at the right, hatching where mean and median
    differ in sign (:func:`scosim.compare_bars.bar_marks`), and the PNG's caption, key
    and note (:func:`~scosim.compare_bars.bar_caption`, :func:`~scosim.compare_bars.key_entries`,
    :func:`~scosim.compare_bars.bars_note`). The economies drawn are the PNG's
    (:func:`~scosim.compare_bars.drawn_bars`): one no paired run changed is named in the
    note, not drawn.

    Args:
        comparison: A :class:`scosim.compare.Comparison`.
        indicator: Indicator to draw.

    Returns:
        The plotly figure, or None when the comparison has no row of ``indicator``.
    """
    from scosim.api import UNITS
    from scosim.compare_bars import bar_caption, bar_marks, bars_note, drawn_bars, key_entries
    from scosim.compare_plots import _bar_key, _runs, bar_labels, nothing_said
    from scosim.indicator_display import display, resolve_units

    # The report's year, as its PNG and the page's table (the last year unless the effect
    # is gone by then, scosim.compare.largest_effect_year); the last for a bare comparison.
    year = comparison.report_year
    year = int(comparison.summary["year"].max()) if year is None else int(year)
    t = comparison.table(year)
    t = t[t["indicator"] == indicator]
    if t.empty:
        return None
    n = int(t["n_runs"].max())
    nothing = not (t[["mean", "low", "high"]].abs().to_numpy() > 0).any()
    # This indicator's interval: a 0/1 indicator's rows hold Newcombe's, others t's.
    label = str(t["interval"].iloc[0])
    seed = comparison.policy_manifest.get("seed")
    # The PNG's bars: an economy no paired run changed, or unpaired, is named in the note
    # under the chart, not drawn as an empty bar (until 2026-12-07 the page drew them).
    t, unchanged, unpaired = drawn_bars(t)
    title = (f"Who gains, who loses against the baseline in {year}"
             + (" (no difference in any run: the policy changed nothing)" if nothing else ""))
    if t.empty:  # no bar: the PNG's sentence in their place
        return _nothing_figure(title, _runs(n, seed),
                               nothing_said(unchanged, unpaired, n, f"in {year}"))
    go = _go()
    name, units, div = display(indicator, resolve_units([indicator], UNITS)[indicator])
    # The PNG's colours and key: a rise of an indicator where more is worse is red.
    rise, fall, key = _bar_key(indicator)
    marks = bar_marks(t, rise, fall)
    mean, low, high = (t[c].to_numpy() / div for c in ("mean", "low", "high"))
    median = marks["median"].to_numpy() / div
    has_median = bool(marks["median"].notna().any())
    # As the PNG's bars: code and name ("KAZ Kazakhstan"), bottom bar first.
    labels = bar_labels(t["country"])
    flags = marks["flag"].to_numpy(dtype=bool)
    colours = [HEX[c] for c in marks["colour"]]
    said = [f"{v:.4f}" if v == v else "n/a" for v in median]  # NaN: no paired run
    fig = go.Figure(go.Bar(
        x=mean, y=labels, orientation="h", name="mean", showlegend=False,
        marker={"color": colours,
                "pattern": {"shape": [PATTERN if f else "" for f in flags], "fgcolor": EDGE,
                            "solidity": 0.3},
                "line": {"color": [EDGE if f else c for f, c in zip(flags, colours, strict=True)],
                         "width": [1.2 if f else 0 for f in flags]}},
        error_x={"type": "data", "symmetric": False, "array": high - mean,
                 "arrayminus": mean - low, "color": "black"},
        customdata=list(zip(low, high, said, marks["share_text"], strict=True)),
        hovertemplate="%{y}<br>mean %{x:.4f}<br>median %{customdata[2]}<br>" + label
        + ": %{customdata[0]:.4f} to %{customdata[1]:.4f}<br>share of runs above 0: "
        "%{customdata[3]}<extra></extra>",
    ))
    if has_median:
        fig.add_trace(go.Scatter(
            x=median, y=labels, mode="markers", name="median", showlegend=False,
            marker={"symbol": "diamond", "size": 9, "color": "white",
                    "line": {"color": "black", "width": 1.5}},
            hovertemplate="%{y}<br>median %{x:.4f}<extra></extra>",
        ))
    # The table's "share > 0" beside each bar, bold where flagged, as the PNG prints it.
    for y, text, flag in zip(labels, marks["share_text"], flags, strict=True):
        fig.add_annotation(x=1.0, xref="paper", xanchor="left", xshift=6, y=y, yref="y",
                           text=f"<b>{text}</b>" if flag else text, showarrow=False,
                           font={"size": 11})
    # The key: one entry per colour, in the PNG's words; drawn bars carry none.
    for colour, what in key_entries(key, marks["colour"]):
        fig.add_trace(go.Bar(x=[None], y=[None], orientation="h", marker_color=HEX[colour],
                             name=what, hoverinfo="skip"))
    fig.update_xaxes(title=f"{name}, policy minus baseline:<br>{units or 'indicator units'}",
                     zeroline=True, zerolinecolor="black")
    fig.update_yaxes(title="economy", type="category", automargin=True)
    caption = bar_caption(_runs(n, seed), label, has_median, len(t), t["n_runs"])
    _layout(
        fig, f"{title}<br><sup>{_br(caption, 110)}</sup>",
        height=max(420, 22 * len(t) + 160),
    )
    # Below the axis title: the key, then the PNG's note (economies left out, hatched bars).
    note = _br(bars_note(t, flags, unchanged, unpaired, n, year), 110)
    note_px = (note.count("<br>") + 1) * LINE_PX + 8 if note else 0
    extra = 30 + note_px
    height, top = int(fig.layout.height) + extra, int(fig.layout.margin.t)
    bottom = int(fig.layout.margin.b) + 20 + extra
    fig.update_layout(
        height=height, margin={"b": bottom, "r": 60},  # right: room for the shares
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "yref": "container",
                "y": (note_px + 4) / height, "yanchor": "bottom"},
    )
    if note:
        fig.add_annotation(text=note, x=0.5, xref="paper", xanchor="center", align="center",
                           y=-(bottom - 6) / (height - top - bottom), yref="paper",
                           yanchor="bottom", showarrow=False, font={"size": 11, "color": "#404040"})
    return fig


def _nothing_figure(title: str, runs: str, said: str) -> Any:
    """The figure when no economy has a bar: the PNG's sentence where the bars would be."""
    go = _go()
    fig = go.Figure()
    fig.add_annotation(text=said.replace("\n", "<br>"), x=0.5, y=0.5, xref="paper",
                       yref="paper", showarrow=False, font={"size": 13, "color": "#333333"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, f"{title}<br><sup>{runs}</sup>", height=320)
