"""Interactive (plotly) versions of the run's figures (the comparison's: ``figures_compare``).

Every number comes from the functions the PNG plots and reports use
(:func:`scosim.plots.who_gains_data`, :func:`scosim.plots.membership_data`,
:func:`scosim.plot_votes.vote_reasons_all`); this module only draws.

The figures read a run through the same streaming statistics as ``scosim run``'s
plots (:func:`scosim.plots.load_plot_data`: the plotted indicators and event
types only, merged batch file by batch file), never the whole tables, so a page
showing a 100,000-run result holds summaries, not runs.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pandas as pd

from scosim.event_labels import event_label
from scosim.indicator_display import percent_of_runs
from scosim.plot_membership import (
    EVENTS_PANEL,
    NO_EVENTS,
    REPEATED_VOTES_NOTE,
    membership_data,
    membership_heading,
    membership_map,
    membership_moved,
    no_membership_text,
    repeated_votes,
    run_statuses,
    sco_not_drawn_note,
)
from scosim.plot_votes import (
    OTHER_COLOUR,
    SPONSOR_EDGE,
    SPONSOR_GREY,
    TERM_COLOURS,
    X_LABEL,
    VoteReasons,
    explained,
    figure_heading,
    later_votes_note,
    not_drawn_note,
    run_trust_terms,
    sponsor_trust_greyed,
    sponsor_trust_label,
    state_label,
    vote_reasons_all,
    vote_reasons_data,
)
from scosim.plots import (
    HIGH,
    LOW,
    NET_NOTE,
    WHISKERS_NOTE,
    _any_nonzero,
    load_plot_data,
    membership_kinds_of,
    membership_of,
    net_markers,
    run_nets,
    who_gains_data,
    who_gains_labels,
    year_adjustment_note,
)
from scosim.results import Result

__all__ = [
    "events_table",
    "labelled_events",
    "membership_figures",
    "vote_reasons_figure",
    "vote_reasons_figures",
    "who_gains_figure",
]

GAIN, LOSS = "#2ca02c", "#d62728"
#: The net markers' colour: matplotlib's C0, as in the PNG.
NET_COLOUR = "#1f77b4"
WELFARE_AXIS = "welfare change vs the same year without the policy, % of real expenditure"


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def _layout(fig: Any, title: str, height: int) -> Any:
    # Room for every line of the title: a taller title ran into the plot below it.
    lines = title.count("<br>") + 1
    fig.update_layout(
        title={"text": title, "font": {"size": 15}},
        height=height + 20 * max(lines - 3, 0),
        margin={"l": 70, "r": 20, "t": max(80, 34 + 26 * lines), "b": 60},
        template="plotly_white",
    )
    return fig


def run_stats(result: Result) -> Any:
    """The run's :class:`~scosim.runstats.RunStats` of the plotted indicators and events.

    Read once per result (batch file by batch file) and kept with it.
    """
    if "plot_stats" not in result.memo:
        result.memo["plot_stats"] = load_plot_data(result.path)
    return result.memo["plot_stats"]


def welfare_axis(result: Result) -> str:
    """The welfare axis title: what the change is measured against (as the PNG says)."""
    from scosim.mechanism_answer import run_welfare_versus

    versus = run_welfare_versus(result.path) if Path(str(result.path)).is_dir() else None
    if versus is None or versus == "without the policy":
        return WELFARE_AXIS
    # Wrapped: plotly does not, and a long baseline ("the policy, the trade costs of
    # insecurity ... or the transport network's changes") ran off both sides of the plot.
    text = f"welfare change vs the same year {versus}, % of real expenditure"
    return "<br>".join(textwrap.wrap(text, 70))


def scope_lines(result: Result) -> str:
    """The welfare figures' scope under their title, as the PNGs give it, or ``""``.

    When the scenario's shocks are in the welfare change with its proposals
    (:func:`scosim.attribution.run_scope`: "the scenario against the baseline: its shocks
    (...) and proposals together, not the proposals' own effect"), wrapped for plotly.
    """
    from scosim.attribution import run_scope

    scope = run_scope(result.path) if Path(str(result.path)).is_dir() else None
    return "".join(f"<br><sup>{line}</sup>" for line in textwrap.wrap(scope or "", 100))


def _run_nets(result: Result) -> list[str]:
    """The run's ``net`` indicators (:func:`scosim.plot_data.run_nets`), none without files."""
    return run_nets(result.path) if Path(str(result.path)).is_dir() else []


def _answer_year(result: Result) -> tuple[int, str] | None:
    """The year a filled mechanism names for the table (as ``summary.txt``), none without files."""
    if not Path(str(result.path)).is_dir():
        return None
    from scosim.answer_year import run_answer_year

    return run_answer_year(result.path)


def who_gains_figure(result: Result) -> Any | None:
    """Who gains, who loses: final-year welfare change by economy, 5th-95th percentile whiskers.

    Returns ``None`` when the run records no welfare change, or none beyond numerical noise
    in any run and year: ``scosim run`` then draws no welfare figure either, and a chart of
    28 zero bars would only look like a result.
    """
    st = run_stats(result)
    if not (st.has("welfare_change_pct") and _any_nonzero(st, "welfare_change_pct")):
        return None
    table, year, when, n_runs = who_gains_data(st, _answer_year(result))
    # The PNG's labels: a member in some runs only carries that share ("IRN  (in union
    # 17%)"); a bare bar of a state that left in most runs read as a member's loss.
    labels, economy_axis = who_gains_labels(table, st)
    go = _go()
    # The same statistics as the PNG (scosim.plots.plot_welfare_final) and the run's
    # answer: bars are the median over runs, whiskers the 5th-95th percentile.
    colors = [GAIN if v > 0 else LOSS for v in table["median"]]
    fig = go.Figure(
        go.Bar(
            x=table["median"],
            y=table.index,
            orientation="h",
            marker_color=colors,
            name="median of runs",
            showlegend=False,  # one key per colour below
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (table["high"] - table["median"]).clip(lower=0).to_numpy(),
                "arrayminus": (table["median"] - table["low"]).clip(lower=0).to_numpy(),
                "visible": n_runs > 1,
                "color": "black",
            },
            customdata=list(zip(labels, table["low"], table["high"], strict=True)),
            hovertemplate="%{customdata[0]}: median %{x:.3f}%<br>"
            f"{LOW}th-{HIGH}th percentile: " + "%{customdata[1]:.3f}% to %{customdata[2]:.3f}%"
            "<extra></extra>",
        )
    )
    # Keys only (no data): the bars take one colour per sign, as in the PNG.
    for colour, what in ((GAIN, "gain"), (LOSS, "loss")):
        fig.add_trace(go.Bar(x=[None], y=[None], orientation="h", marker_color=colour,
                             name=f"median of runs: {what}", hoverinfo="skip"))
    # The net of what welfare leaves out (a corridor's payments) beside the bars: the
    # PNG's open markers and the answer's "net" column, from the same functions.
    marks = net_markers(st, _run_nets(result), year, table.index)
    for mark, symbol in zip(marks, ("circle-open", "square-open", "triangle-up-open"),
                            strict=False):
        fig.add_trace(go.Scatter(
            x=mark.median, y=table.index, mode="markers", name=mark.label,
            marker={"symbol": symbol, "color": NET_COLOUR, "size": 9, "line": {"width": 1.5}},
            customdata=labels,
            hovertemplate="%{customdata}: " + f"{mark.indicator} " + "median %{x:.3f}%"
            "<extra></extra>"))
    # Who left in some run: its welfare while inside (the answer's "while in" column).
    left = [c for c in table.index if st.exit_runs.get(c, 0) and pd.notna(table.loc[c, "while"])]
    if left:
        short = membership_of(st)[1]
        fig.add_trace(go.Scatter(
            x=table.loc[left, "while"], y=left, mode="markers",
            name=f"while {short}: median welfare in its last year inside (a state that left)",
            marker={"symbol": "x", "color": "black", "size": 9},
            hovertemplate="%{y}: " + f"while {short}, median " + "%{x:.3f}%<extra></extra>"))
    note = f"{n_runs} runs; {WHISKERS_NOTE}" if n_runs > 1 else "one run"
    if marks:
        note += f"; {NET_NOTE}"
    axis = welfare_axis(result)
    fig.update_xaxes(title=axis, zeroline=True, zerolinecolor="black")
    # The bars stay keyed by economy code; the axis shows the labels.
    fig.update_yaxes(title=_wrap(economy_axis, 60), type="category",
                     tickvals=list(table.index), ticktext=labels)
    _layout(
        fig,
        f"Who gains, who loses {when}{scope_lines(result)}<br><sup>bar: median of runs, as "
        f"the run's answer; green gain, red loss; {note}</sup>",
        height=max(420, 22 * len(table) + 160),
    )
    # Room under the plot for every line of the axis title (and the caveat below it).
    extra = 18 * axis.count("<br>")
    fig.update_layout(margin={"b": 60 + extra}, height=fig.layout.height + extra)
    # The PNG's caveat when the year is still adjusting (scosim.plots.year_adjustment_note).
    caveat = year_adjustment_note(st, year)
    if caveat is not None:
        fig.add_annotation(text=f"<i>{caveat}</i>", xref="paper", yref="paper", x=0.5, y=0,
                           yshift=-58 - extra, showarrow=False,
                           font={"size": 11, "color": "#404040"},
                           xanchor="center", yanchor="top")
        fig.update_layout(margin={"b": 90 + extra}, height=fig.layout.height + 30)
    return fig


def vote_reasons_figures(result: Result) -> list[Any]:
    """Why states voted as they did: one figure per proposal voted, at its first vote.

    The panels of the PNG (:func:`scosim.plot_votes.plot_vote_reasons`), in its order;
    empty when no vote carries its terms.
    """
    trust = run_trust_terms(result.path) if Path(str(result.path)).is_dir() else None
    return [_vote_figure(d) for d in vote_reasons_all(run_stats(result), trust)]


def vote_reasons_figure(result: Result, proposal: str | None = None) -> Any | None:
    """Why states voted as they did on one proposal (default: the run's first vote).

    ``None`` when that vote carries no terms (or was not held).
    """
    trust = run_trust_terms(result.path) if Path(str(result.path)).is_dir() else None
    data = vote_reasons_data(run_stats(result), trust, proposal)
    return None if data is None else _vote_figure(data)


def _add_sponsor_trust(fig: Any, data: VoteReasons, x: pd.Series, states: list[Any],
                       greyed: int) -> None:
    """The sponsors' trust bars, greyed and hatched, keyed and explained as in the PNG.

    Stacked right after the trust term's own trace, so each sits where its green bar was.
    """
    label = sponsor_trust_label(data, greyed)
    fig.add_bar(
        x=x, y=states, orientation="h", name=label, marker_color=SPONSOR_GREY,
        marker_line={"color": SPONSOR_EDGE, "width": 1},
        marker_pattern={"shape": "/", "fgcolor": SPONSOR_EDGE, "bgcolor": SPONSOR_GREY},
        hovertemplate=f"%{{y}}: %{{x:.4f}} pp, {label.removeprefix('greyed: ')}; it votes "
                      "yes whatever its score<extra></extra>",
    )


# Pixels under the plot: the x-axis title, then the legend (its long names take a row
# each: seven rows with every term, the score and a sponsor's greyed trust, which fit).
_AXIS_TITLE_PX, _LEGEND_PX = 60, 120


def _vote_figure(data: VoteReasons) -> Any:
    """Stacked weighted terms of each state's score at one proposal's first vote.

    Each state is labelled as in the PNG: the share of runs voting yes, and who decided
    the vote when the score did not (a rule that commits the state, a rule with a test of
    its own, the proposer backing its own proposal), so a state with a negative score and
    a 100 % yes is not left unexplained. Terms keep the PNG's colours
    (:data:`scosim.plot_votes.TERM_COLOURS`), and a sponsor's trust term is greyed,
    hatched and keyed apart as in the PNG (:func:`scosim.plot_votes.sponsor_trust_greyed`).
    """
    go = _go()
    fig = go.Figure()
    states = list(data.contributions.index)
    greyed = sponsor_trust_greyed(data) & (data.contributions.get("trust", 0.0) != 0)
    for term in data.contributions.columns:
        x = data.contributions[term]
        grey = term == "trust" and bool(greyed.any())
        fig.add_bar(
            x=x.where(~greyed) if grey else x, y=states, orientation="h",
            name=data.labels[term], marker_color=TERM_COLOURS.get(term, OTHER_COLOUR),
        )
        if grey:
            _add_sponsor_trust(fig, data, x.where(greyed), states, int(greyed.sum()))
    total = data.score[states]  # every term, those too small to draw included
    labels = [state_label(data, s) for s in states]
    # The mean can sit a rounding error outside the percentiles (one run): clip at 0.
    fig.add_scatter(
        x=total,
        y=states,
        mode="markers",
        marker={"symbol": "line-ns-open", "size": 16, "color": "black"},
        name=f"score before the random shock (mean; whisker {LOW}th-{HIGH}th pct of runs)",
        error_x={
            "type": "data",
            "symmetric": False,
            "array": (data.score_high[states] - total).clip(lower=0).to_numpy(),
            "arrayminus": (total - data.score_low[states]).clip(lower=0).to_numpy(),
            "visible": data.n_runs > 1,
            "color": "black",
        },
        customdata=labels,
        hovertemplate="%{y}: score %{x:.3f}; %{customdata}<extra></extra>",
    )
    # The labels go outside the axes on the right, as in the PNG: never over the bars.
    for s, label in zip(states, labels, strict=True):
        fig.add_annotation(x=1.01, xref="paper", xanchor="left", y=s, yref="y", text=label,
                           showarrow=False, font={"size": 11})
    # The legend at the foot of the figure (container), under the axis title: placed as
    # a share of the plot's height, it covered that title in a figure of one or two states.
    fig.update_layout(barmode="relative", legend={"orientation": "h", "yref": "container",
                                                  "y": 0, "yanchor": "bottom"})
    fig.update_xaxes(title=X_LABEL, zeroline=True, zerolinecolor="black")
    # The bars stay keyed by code; the axis names each state as the PNG does.
    from scosim.mechanism_answer import economy_label

    fig.update_yaxes(title="voting state", type="category", tickvals=states,
                     ticktext=[economy_label(str(s)) for s in states])
    note = f"<br><sup>{later_votes_note(data)}</sup>" if data.later_years else ""
    heading = figure_heading([data])
    if data.not_drawn:  # as the PNG's footnote: the bars are the terms one can see
        note += "".join(f"<br><sup>{line}</sup>"
                        for line in textwrap.wrap(not_drawn_note(data), 140))
    _layout(
        fig,
        # As the PNG's: "how each state would have scored" when the scenario committed the votes.
        f"{heading[:1].upper()}{heading[1:]}<br><sup>mean weighted "
        f"terms over {data.n_runs} runs; {explained([data])}</sup>{note}",
        height=max(420, 26 * len(states) + 220) + _LEGEND_PX,
    )
    fig.update_layout(margin={"r": 20 + 7 * max(len(x) for x in labels),
                              "b": _AXIS_TITLE_PX + _LEGEND_PX})
    return fig


def membership_figures(result: Result) -> tuple[Any, Any] | None:
    """Membership over time (share of runs in the run's customs union or free-trade area).

    With the events behind it. ``None`` when ``scosim run`` draws no membership figure
    either (no vote or accession moved anyone).
    """
    st = run_stats(result)
    if not (any(st.has(m[0]) for m in membership_kinds_of(st)) and st.has("member")):
        return None
    # Drawn when `scosim run` draws membership_timeline.png (scosim.plots.plot_run): after a
    # vote or an accession that moved someone. Otherwise both panels are blank (a baseline, a
    # corridor) and read as "a customs union was proposed and nobody joined".
    voted = any(kind in ("vote", "accession") for kind, _ in st.event_counts)
    if not (voted and membership_moved(st)):
        return None
    what = membership_of(st)[2]
    _, counts = membership_data(st)
    # The union's rows, then the SCO's members, observers and dialogue partners (as the PNG).
    statuses = run_statuses(result.path)
    shares, n_union = membership_map(st, statuses)
    # The observers and partners that never accede have no row, as on the PNG: named.
    left_out = sco_not_drawn_note(st, statuses)
    n_runs = st.runs
    go = _go()
    if (shares.to_numpy() > 0).any():
        # Hover text rounded as the run's answer rounds a share of runs (percent_of_runs).
        where = [f"in {what}"] * n_union + ["an SCO member"] * (len(shares) - n_union)
        hover = [[f"{row} in {y}: {w} in {percent_of_runs(v, n_runs)} % of runs"
                  for y, v in r.items()] for (row, r), w in zip(shares.iterrows(), where,
                                                                 strict=True)]
        heat = go.Figure(
            go.Heatmap(
                z=shares.to_numpy(),
                x=[str(y) for y in shares.columns],
                y=list(shares.index),
                zmin=0,
                zmax=1,
                colorscale="Blues",
                colorbar={"title": "share of runs"},
                text=hover,
                hovertemplate="%{text}<extra></extra>",
            )
        )
        if n_union and n_union < len(shares):  # the SCO's rows apart from the union's
            heat.add_hline(y=n_union - 0.5, line={"color": "black", "width": 1.5})
        heat.update_xaxes(title="year", type="category")
        heat.update_yaxes(title="economy", autorange="reversed", type="category")
    else:  # as the PNG: words, not an all-white map
        heat = go.Figure()
        heat.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                            text=no_membership_text(what).replace("\n", "<br>"),
                            font={"size": 13})
        heat.update_xaxes(visible=False)
        heat.update_yaxes(visible=False)
    # Two lines: the heatmap is half the page wide, and one line was cut at its edge.
    _layout(
        heat,
        f"Membership over time ({n_runs} runs)<br><sup>"
        # A clause a line (half the page wide): "is in a visa-free regime" stays whole.
        + "<br>".join(line for part in membership_heading(what, bool(n_union),
                                                          len(shares) > n_union).split("; ")
                      for line in textwrap.wrap(part + ";", 80))
        + "<br>blocs in force before it, such as the EAEU, are not counted;<br>a state "
        "that leaves in year t is inside in t and outside from t+1"
        + (f"<br>{_wrap(left_out, 80)}" if left_out else "") + "</sup>",
        height=max(380, 20 * len(shares) + 200),
    )
    from scosim.mechanism_answer import economy_label

    bars = go.Figure()
    named = [economy_label(str(c)) for c in counts.index]  # as the PNG: "IRN Iran"
    for kind in counts.columns:
        bars.add_bar(x=counts[kind], y=named, orientation="h", name=kind)
    bars.update_layout(showlegend=True, legend={"title": "event"})
    bars.update_xaxes(title="events per run (mean over runs)")
    bars.update_yaxes(title="economy", autorange="reversed", type="category")
    if counts.shape[1]:
        note = f"<br><sup>{_wrap(REPEATED_VOTES_NOTE, 70)}</sup>" if repeated_votes(st) else ""
        _layout(bars, f"Events per run<br><sup>{_wrap(EVENTS_PANEL, 70)}</sup>{note}",
                height=max(380, 20 * len(counts) + 160))
    else:
        # As the PNG: say that nothing happened, rather than draw empty axes.
        bars.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                            text=_wrap(NO_EVENTS.capitalize(), 40), font={"size": 13})
        bars.update_xaxes(visible=False)
        bars.update_yaxes(visible=False)
        _layout(bars, "Events per run", height=max(380, 20 * len(counts) + 160))
    return heat, bars


def _wrap(text: str, width: int) -> str:
    """Break ``text`` into lines of at most ``width`` characters (plotly titles do not wrap)."""
    import textwrap

    return "<br>".join(textwrap.wrap(text, width))


def events_table(result: Result) -> pd.DataFrame:
    """Events per run by year and type (votes, vetoes, incidents, ...), for a table.

    Counted batch file by batch file from the year and type columns only.
    """
    from scosim.result_tables import batch_files, read_table

    try:
        files = batch_files(result.table_dir("events"))
    except FileNotFoundError:
        return pd.DataFrame()
    counts: pd.Series | None = None
    for f in files:
        part = read_table(f, ["year", "type"]).to_pandas()
        part["type"] = part["type"].astype(str)
        n = part.groupby(["year", "type"]).size()
        counts = n if counts is None else counts.add(n, fill_value=0)
    if counts is None or counts.empty:
        return pd.DataFrame()
    n_runs = max(int(result.manifest["replications"]), 1)
    t = counts.astype("int64").unstack("type", fill_value=0)
    t.columns.name = "type"
    return (t / n_runs).round(3)


def labelled_events(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The table of :func:`events_table` under readable headings, and each heading's code.

    The headings are the membership figure's names of the same events
    (:func:`scosim.event_labels.event_label`): the log's codes (``bloc_invited``,
    ``in_force``) read as internal names. The codes stay with the table for a reader
    who looks them up in the run's ``events/`` or in docs/model.md.

    Returns:
        ``(table, {heading: event type})``.
    """
    codes = {event_label(str(c)): str(c) for c in table.columns}
    out = table.rename(columns=lambda c: event_label(str(c)))
    out.columns.name = "event"
    return out, codes
