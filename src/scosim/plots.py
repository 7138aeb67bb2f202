"""Plots of one run, read from its tables (never from a live model).

Every plot has a title, units and labelled axes, and says which statistic it
shows: where there are replications, bands show the 5th-95th percentile across
runs; lines and bars are medians over runs (the statistic of the run's answer).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display needed (CI, servers)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

# The events panel's names, shared with the explorer's events table (BLOC_EXIT and
# BLOC_IN stay importable from here).
from scosim.event_labels import BLOC_EXIT, BLOC_IN, event_label  # noqa: E402, F401
from scosim.member_welfare import while_name  # noqa: E402

# What the figures read lives in scosim.plot_data (no matplotlib); the names are
# re-exported here, where callers and tests import them from.
from scosim.plot_data import (  # noqa: E402, F401
    NET_NOTE,
    PATHS_NOTE,
    PLOTTED,
    PLOTTED_EVENTS,
    WHISKERS_NOTE,
    Data,
    Membership,
    Paths,
    _any_nonzero,
    _stats,
    adjusting_years,
    economy_label,
    gdp_paths_data,
    load_plot_data,
    membership_kinds,
    membership_kinds_of,
    membership_of,
    net_markers,
    run_can_defect,
    run_memberships,
    run_nets,
    run_proposal_order,
    short_run_caveat,
    summarised,
    summary_table,
    welfare_paths_data,
    who_gains_labels,
)

# The membership figure lives in its own module; its names stay importable from here.
from scosim.plot_membership import (  # noqa: E402, F401
    EVENTS_PANEL,
    NO_EVENTS,
    REPEATED_VOTES_NOTE,
    membership_data,
    no_membership_text,
    plot_membership,
    repeated_votes,
    run_statuses,
)
from scosim.plot_membership import membership_moved as _membership_moved  # noqa: E402
from scosim.plot_votes import plot_vote_reasons, run_trust_terms  # noqa: E402
from scosim.results import MANIFEST  # noqa: E402
from scosim.runstats import HIGH, LOW, YEAR0, RunStats  # noqa: E402
from scosim.vote_stats import VOTES_FILE  # noqa: E402


def _band_note(n_runs: int) -> str:
    if n_runs > 1:
        return f"line: median of {n_runs} runs; band: {LOW}th-{HIGH}th percentile"
    return "single run (no uncertainty band)"


#: What the GDP paths are: nominal, so a policy's change in prices moves them as well as
#: its change in output (India's -4.2 % against the baseline under the customs union in
#: 2035 beside a real GDP change of +0.65 %, docs/model.md "Indicators"); read beside a
#: baseline run's, a line was taken for a loss of output. The real change is per run (a
#: ratio of price indices), which the run's statistics do not hold as a path: the note
#: says where it is, briefly. Where real GDP and welfare differ in sign, the answer says
#: which part of welfare does it (scosim.welfare_split).
GDP_PATHS_NOTE = ("GDP in current US dollars, prices included: these lines are not the "
                  "policy's effect on output (that is real_gdp_change_pct, in indicators/)")


def gdp_paths_title(title: str, n_runs: int) -> str:
    """The GDP paths figure's title: what is drawn, in what unit, and how to read it."""
    return _wrap(f"{title}: nominal GDP of each SCO member under the scenario, US$ billion\n"
                 f"{GDP_PATHS_NOTE}\n{_band_note(n_runs)}", 180)


def plot_gdp_paths(ind: Data, title: str, path: Path) -> Path:
    """Small multiples of GDP paths of the SCO members with uncertainty bands."""
    data = gdp_paths_data(ind)  # the explorer draws the same numbers
    median, low, high, codes, n_runs = data.centre, data.low, data.high, data.codes, data.n_runs
    fig, axes = plt.subplots(2, 5, figsize=(16, 6.5), sharex=True)
    for ax, code in zip(axes.flat, codes, strict=False):
        years = median.index.to_numpy()
        ax.plot(years, median[code].to_numpy(), color="C0")
        if n_runs > 1:
            ax.fill_between(years, low[code].to_numpy(), high[code].to_numpy(),
                            color="C0", alpha=0.25)
        ax.set_title(economy_label(code), y=1.0)  # fixed: automatic placement is slow
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        ax.set_ylabel("GDP, US$ billion")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(codes) :]:
        ax.set_visible(False)
    # sharex shows years on the bottom row only: label the lowest visible panel of
    # each column there, with its tick labels (a bottom panel may be empty).
    for col in range(axes.shape[1]):
        shown = [ax for ax in axes[:, col] if ax.get_visible()]
        if shown:
            shown[-1].xaxis.set_tick_params(labelbottom=True)
            shown[-1].set_xlabel("year")
    fig.suptitle(gdp_paths_title(title, n_runs), fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _wrap(text: str, width: int = 80) -> str:
    """Wrap each line of a title so it fits the figure instead of being cut off."""
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def _effect_year(mean: pd.DataFrame, can_defect: bool | None = None) -> tuple[int, str]:
    """Last year, or the year of largest mean effect when nothing is left by then.

    The last year is said to be "after any defections" unless no state could leave
    (``can_defect`` False: every defect rule ``never_defect``), where it would suggest
    that some did; None (not known) says it.
    """
    by_year = mean.abs().max(axis=1)
    year = int(by_year.index.max())
    if by_year.loc[year] > 1e-9 or not (by_year > 1e-9).any():
        return year, f"in {year}" + ("" if can_defect is False else " (after any defections)")
    peak = int(by_year.idxmax())
    return peak, f"in {peak} (largest effect; none left by {year})"


def who_gains_data(ind: Data, at: tuple[int, str] | None = None
                   ) -> tuple[pd.DataFrame, int, str, int]:
    """Data of the who-gains figure: welfare change by economy in one year, over runs.

    Shared by the PNG plot and the browser explorer, so both show the same numbers.

    Args:
        ind: Tidy indicator table of a run, or its :class:`RunStats`.
        at: ``(year, when)`` to show instead of the default year, when a filled
            mechanism names the year its policies act
            (:func:`scosim.answer_year.run_answer_year`); None: the default.

    Returns:
        ``(table, year, when, n_runs)``: ``table`` has index economy and columns
        ``mean``, ``median``, ``low`` and ``high`` (5th and 95th percentiles across
        runs, within the bound of :mod:`scosim.runstats`), ``in_union`` (share of
        runs in a customs union that year, NaN when the run does not record it) and
        ``while``, ``while_low``, ``while_high``: the median and 5th-95th percentile of
        the welfare change in the last year up to ``year`` each run had the economy in
        that arrangement (:mod:`scosim.member_welfare`; NaN for an economy never in it,
        or when the run does not record it), sorted by median (the answer's statistic,
        the README's); ``year`` is the year shown (the last, or the year of
        largest effect when nothing is left by then) and ``when`` says which.
    """
    st = _stats(ind)
    name = "welfare_change_pct"
    mean = st.mean(name)
    # Numerical noise (~1e-14) is not an effect; show it as zero.
    mean = mean.where(mean.abs() > 1e-9, 0.0)
    year, when = at if at is not None else _effect_year(mean, st.can_defect)
    table = pd.DataFrame(
        {
            "mean": mean.loc[year],
            "median": st.quantile(name, 0.5).loc[year],
            "low": st.quantile(name, LOW / 100).loc[year],
            "high": st.quantile(name, HIGH / 100).loc[year],
        }
    )
    inside = membership_of(st)[0]
    if st.has(inside):
        share = st.mean(inside).loc[year]
        table["in_union"] = share.reindex(table.index).fillna(0.0)
    else:
        table["in_union"] = np.nan
    member = while_name(inside)
    for col, q in (("while", 0.5), ("while_low", LOW / 100), ("while_high", HIGH / 100)):
        table[col] = (st.quantile(member, q).loc[year].reindex(table.index)
                      if st.has(member) and year in st.mean(member).index else np.nan)
    table = table.sort_values("median", kind="stable")
    table.index = table.index.astype(str)
    table.index.name = "country"
    stats = st.indicators[name]
    return table, year, when, int(stats.count[year - YEAR0].max())


def plot_welfare_final(ind: Data, title: str, path: Path,
                       versus: str = "without the policy", scope: str | None = None,
                       nets: Iterable[str] = (), at: tuple[int, str] | None = None) -> Path:
    """Who gains, who loses: welfare change by economy in one year, over runs.

    Bars are the median over runs, whiskers the 5th-95th percentile: the statistics of
    the run's answer (``summary.txt``) and of the README's figures. A state that left the
    union in some run carries a cross at the median of its welfare in its last year inside
    (the answer's "while in" column, :mod:`scosim.member_welfare`): its bar counts it after
    its exit. When a union forms in only some runs, the share of runs in which each
    economy is in it that year is written beside its bar. ``versus`` says what welfare is
    measured against, after "the same year"
    (:func:`scosim.mechanism_answer.run_welfare_versus`). When trade still adjusts
    gradually in the year shown, a footnote says so (:func:`year_adjustment_note`).
    ``scope``, when the scenario's shocks are in the bars with its proposals
    (:func:`scosim.attribution.run_scope`), is added to the title. ``nets``: the run's
    ``net`` headline indicators (the welfare change net of a corridor's payments), each
    drawn as an open marker at its median, as the answer's "net" column.
    ``at``: the year to show and its words, as :func:`who_gains_data`'s.
    """
    st = _stats(ind)
    table, year, when, n_runs = who_gains_data(st, at)
    med, lo, hi = table["median"], table["low"], table["high"]
    order = table.index
    fig, ax = plt.subplots(figsize=(11.5, 8.5), layout="constrained")
    y = np.arange(len(order))
    colors = ["C2" if med[c] > 0 else "C3" for c in order]
    ax.barh(y, med[order], color=colors, alpha=0.8, label="median of runs")
    if n_runs > 1:
        ax.errorbar(
            med[order],
            y,
            xerr=[(med[order] - lo[order]).clip(lower=0), (hi[order] - med[order]).clip(lower=0)],
            fmt="none",
            ecolor="k",
            capsize=3,
            lw=1,
            label=f"whiskers: {LOW}th-{HIGH}th percentile of runs",  # the title says more
        )
    # Who left in some run: its welfare while in the union, beside its bar after exits.
    left = [c for c in order if st.exit_runs.get(c, 0) and pd.notna(table.loc[c, "while"])]
    if left:
        _, short, _ = membership_of(st)
        ax.plot(table.loc[left, "while"], [order.get_loc(c) for c in left], "X", color="k",
                ms=7, ls="none", label=f"while {short}: median welfare in its last year "
                "inside (a state that left)")
    # The net of what welfare leaves out, beside the gross bar: the answer's "net" column.
    marks = net_markers(st, nets, year, order)
    for mark, shape in zip(marks, "os^", strict=False):
        ax.plot(mark.median, y, shape, mfc="none", mec="C0", ms=6, ls="none", label=mark.label)
    # The share of runs in a union beside each member's bar (the explorer's labels too).
    labels, economy_axis = who_gains_labels(table, st)
    ax.set_yticks(y, labels)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel(_wrap(f"welfare change vs the same year {versus}, % of real expenditure",
                        90))
    ax.set_ylabel(economy_axis)
    ax.set_title(_wrap(
        f"{title}: who gains, who loses {when}\n"
        + (f"{scope}\n" if scope else "")
        + f"bars: median of {n_runs} runs (green gain, red loss), as the run's answer"
        + (f"; {NET_NOTE}" if marks else "")
        + (f"; {WHISKERS_NOTE}" if n_runs > 1 else "")
    ), fontsize=11)
    # One legend entry per bar colour: a single patch would take the first bar's colour.
    handles, names = ax.get_legend_handles_labels()
    keep = [(h, n) for h, n in zip(handles, names, strict=True) if n != "median of runs"]
    bars = [Patch(color="C2", alpha=0.8), Patch(color="C3", alpha=0.8)]
    # Right of the axes: inside ("best") it sat on the top bars' left ends (Nepal,
    # Maldives), as among 28 bars no corner is free. Wrapped to keep the bars wide.
    ax.legend([*bars, *(h for h, _ in keep)],
              [_wrap(n, 28) for n in ["median of runs: gain", "median of runs: loss",
                                      *(n for _, n in keep)]],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    _footnote(ax, year_adjustment_note(st, year))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _footnote(ax: plt.Axes, text: str | None) -> None:
    """One line under ``ax``'s x-axis label, if ``text``: a figure's caveat.

    Placed relative to the label, so they never overlap however many lines it has; the
    constrained layout makes room for it as for the label.
    """
    if text is not None:
        ax.annotate(text, xy=(0.5, 0.0), xycoords=ax.xaxis.label, xytext=(0, -6),
                    textcoords="offset points", ha="center", va="top", fontsize=9,
                    style="italic", color="0.25")


def year_adjustment_note(st: RunStats, year: int) -> str | None:
    """The welfare final-year figure's footnote when trade still adjusts in its year.

    The bars are then the effect at the short-run trade elasticity
    (:func:`scosim.plot_data.adjusting_years`), not the long-run one: as on the paths
    figure (:func:`adjustment_note`), which showed it while this one did not.

    Args:
        st: The run's statistics.
        year: The year the figure shows.

    Returns:
        One line naming the year, or None when trade is not adjusting in it.
    """
    return short_run_caveat(st, year)


def adjustment_note(st: RunStats, years: Iterable[int]) -> str | None:
    """The welfare paths figure's footnote when trade still adjusts in a year it shows.

    While trade adjusts gradually the year is solved at the legal tariffs with the
    short-run trade elasticity (:func:`scosim.plot_data.adjusting_years`): revenue
    changes at once, trade only in part, and terms-of-trade effects are larger at a lower
    elasticity, so a path can overshoot its long-run level (China in customs_union.yaml,
    2029) or undershoot it.

    Args:
        st: The run's statistics.
        years: The years the figure shows.

    Returns:
        One line naming the year of full adjustment (or that it is not reached by the
        last year shown), or None when no year shown is adjusting.
    """
    shown = sorted(int(y) for y in years)
    adjusting = sorted(set(adjusting_years(st)) & set(shown))
    if not adjusting:
        return None
    how = "(short-run trade elasticity)"
    if adjusting[-1] < shown[-1]:
        return (f"Until {adjusting[-1] + 1} trade adjusts gradually {how}: the paths before "
                "are not the long-run effect (docs/customs_union.md)")
    return (f"Trade still adjusts gradually in {shown[-1]} {how}: the paths have not reached "
            "full adjustment (docs/customs_union.md)")


def exits_note(st: RunStats, codes: Iterable[str]) -> str | None:
    """Which of ``codes`` left an arrangement in some run, and in how many runs.

    The paths' medians count a state after any exit: a line that jumps towards zero in
    the year a state leaves reads as a recovery unless the figure says so.

    Args:
        st: The run's statistics (their exit tallies; none for a bare table).
        codes: The economies the figure shows, in its order.

    Returns:
        ``"medians count the years after exits: IRN left in 16 of 20 runs (...)"``, or
        None when none of them left.
    """
    runs: dict[str, int] = {}
    for (_, _, country), tally in st.exits.items():
        runs[country] = runs.get(country, 0) + tally.runs
    shown = [f"{c} left in {min(runs[c], st.runs)}" for c in codes if runs.get(c)]
    if not shown:
        return None
    return (f"medians count the years after exits: {', '.join(shown)} of {st.runs} runs "
            "(on its own or with its bloc)")


def plot_welfare_paths(ind: Data, title: str, path: Path,
                       versus: str = "without the policy", scope: str | None = None) -> Path:
    """Welfare change over time for the most affected economies: median over runs, with bands.

    ``versus`` and ``scope`` as in :func:`plot_welfare_final`. When trade still adjusts
    gradually in a year shown, a footnote says so (:func:`adjustment_note`).
    """
    st = _stats(ind)
    # The eight most affected in any year (the explorer draws the same numbers).
    data = welfare_paths_data(st)
    median, low, high, codes, n_runs = data.centre, data.low, data.high, data.codes, data.n_runs
    fig, ax = plt.subplots(figsize=(11, 6), layout="constrained")
    years = median.index.to_numpy()
    for k, code in enumerate(codes):
        ax.plot(years, median[code].to_numpy(), color=f"C{k}", label=economy_label(code))
        if n_runs > 1:
            ax.fill_between(years, low[code].to_numpy(), high[code].to_numpy(),
                            color=f"C{k}", alpha=0.12)
    ax.axhline(0, color="k", lw=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    # What welfare is measured against (and leaves out) runs to several lines in runs
    # with mechanisms: under the years, where it has the figure's width, not up the axis.
    ax.set_xlabel("year\n" + _wrap(f"welfare change against the same year {versus}", 130))
    ax.set_ylabel("welfare change, % of real expenditure")
    note = (f"{PATHS_NOTE.format(n=n_runs)}; band: {LOW}th-{HIGH}th percentile of runs"
            if n_runs > 1 else "single run (no uncertainty band)")
    left = exits_note(st, codes)
    ax.set_title(_wrap(
        f"{title}: welfare change of the eight most affected economies\n"
        + (f"{scope}\n" if scope else "") + note
    ) + (f"\n{_wrap(left, 110)}" if left else ""), fontsize=11)
    ax.legend(title="economy (line: median)", fontsize=9, loc="upper left",
              bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)
    _footnote(ax, adjustment_note(st, years))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


#: The run's summary table (written with the plots, from the same statistics).
SUMMARY_FILE = "summary.csv"


def run_title(manifest: dict) -> str:
    """Scenario name, seed and ``--set`` overrides: the title of a run's figures and answer.

    A run changed with ``--set`` says so wherever it is shown, so that its figures are
    not read as those of the scenario file; a ``--set outputs...`` changes none of them,
    and is not said.
    """
    from scosim.run_catalogue import model_overrides

    # Seed and replications are said elsewhere (the seed here, the run count in the text);
    # what a run writes (outputs:) changes none of its numbers.
    sets = "".join(f"; --set {k}={v}" for k, v in
                   model_overrides(manifest.get("overrides")).items()
                   if k not in ("seed", "replications"))
    return f"{manifest['scenario']} (seed {manifest['seed']}{sets})"


def plot_run(run_dir: str | Path, plots_dir: str | Path, *, progress: bool = False,
             stats: RunStats | None = None) -> list[Path]:
    """Write every plot that fits a run's content.

    The plotted statistics are merged batch file by batch file
    (:class:`scosim.runstats.RunStats`), so memory does not grow with the runs.
    The same statistics are written as the run's summary table
    (``summary.csv``: mean, 5th/50th/95th percentile per indicator, year and economy)
    and, when the policy moves welfare, as the short answer ``scosim run`` prints
    (``summary.txt``, :mod:`scosim.run_headline`).

    Args:
        run_dir: Directory with ``manifest.json``, ``indicators/`` and ``events/``.
        plots_dir: Where PNG files go; created if missing (with its parents).
        progress: Unused for now; plotting is quick.
        stats: The run's statistics of :data:`PLOTTED` and :data:`PLOTTED_EVENTS` when
            already gathered (:mod:`scosim.stats_feed`); default: read from the run.

    Returns:
        The files written.
    """
    # docs/proposals.md tells plug-in authors to call this: str paths failed with
    # "unsupported operand type(s) for /", a missing folder at the first figure.
    run_dir, plots_dir = Path(run_dir), Path(plots_dir)
    plots_dir.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((run_dir / MANIFEST).read_text())
    title = run_title(manifest)
    if stats is None:
        st = load_plot_data(run_dir)
    else:  # gathered while the run ran: still show it as its manifest records it
        st = stats
        if st.memberships is None:
            st.memberships = run_memberships(run_dir)
        if st.proposal_order is None:
            st.proposal_order = run_proposal_order(run_dir)
        if st.can_defect is None:
            st.can_defect = run_can_defect(run_dir)
    summary_table(st, run_dir).to_csv(run_dir / SUMMARY_FILE, index=False, float_format="%.6g")
    if st.vote_terms.n:  # why states voted as they did, at every vote (scosim.vote_stats)
        st.vote_terms.table().to_csv(Path(run_dir) / VOTES_FILE, index=False,
                                     float_format="%.6g")
    names = set(st.indicators)
    out = []
    # outputs.indicators may leave an indicator out: draw only what the run has.
    if "gdp_usd" in names:
        out.append(plot_gdp_paths(st, title, plots_dir / "gdp_paths.png"))
    from scosim.mechanism_answer import run_headline_indicators
    from scosim.run_headline import has_answer, write_headline  # it imports this module

    declared = run_headline_indicators(run_dir)  # read once: the answer's two steps use it
    from scosim.mechanism_plots import gather

    # The mechanism figures' rows, read once: the answer's banking line counts from them.
    mechanisms = gather(run_dir, st)
    if has_answer(st, declared):  # summary.txt: `scosim run` prints it
        write_headline(st, title, Path(run_dir), declared,
                       None if mechanisms is None else mechanisms.outcomes)
    if "welfare_change_pct" in names and _any_nonzero(st, "welfare_change_pct"):
        from scosim.attribution import run_scope
        from scosim.mechanism_answer import run_welfare_versus

        versus, scope = run_welfare_versus(run_dir), run_scope(run_dir)
        from scosim.answer_year import run_answer_year

        # The name is kept where the answer's year is the shock's (a finance crisis, 2026):
        # scripts, the explorer and earlier runs' manifests read it; its title names the year.
        out.append(plot_welfare_final(st, title, plots_dir / "welfare_final_year.png", versus,
                                      scope, run_nets(run_dir, declared),
                                      run_answer_year(run_dir)))
        out.append(plot_welfare_paths(st, title, plots_dir / "welfare_paths.png", versus,
                                      scope))
    if "member" in names and any(m[0] in names for m in membership_kinds_of(st)) and any(
        kind in ("vote", "accession") for kind, _ in st.event_counts
    ) and _membership_moved(st):
        out.append(plot_membership(st, None, title, plots_dir / "membership_timeline.png",
                                   run_statuses(run_dir)))
    reasons = plot_vote_reasons(st, title, plots_dir / "vote_reasons.png", run_trust_terms(run_dir))
    if reasons is not None:
        out.append(reasons)
    return out + plot_mechanism_figures(run_dir, title, plots_dir, st, mechanisms)


# The mechanisms' figures live in their own module (it imports this one's run_title).
from scosim.mechanism_plots import mechanism_figures, plot_mechanism_figures  # noqa: E402,F401
