"""What a run's figures are drawn from: the indicators and events read, and which membership.

The statistics over runs (:class:`scosim.runstats.RunStats`) that :mod:`scosim.plots`,
the run's answer (:mod:`scosim.run_headline`) and the explorer draw, and the arrangement
whose membership they show. Nothing here draws, so it needs no matplotlib; the names
are re-exported by :mod:`scosim.plots`, where they were first defined.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.data.constants import MEMBERS
from scosim.indicator_display import percent_of_runs
from scosim.mechanism_answer import economy_label
from scosim.runstats import HIGH, LOW, RunStats

#: Share of the long-run trade response reached (``ge_trade``'s gradual adjustment): the
#: welfare paths figure says when it is below 1 (:func:`adjusting_years`).
ADJUSTMENT = "trade_adjustment_share"
#: Indicators the run plots read, besides the membership indicators the proposal types
#: declare (:func:`membership_kinds`); :func:`summarised` gives them all.
PLOTTED = ("gdp_usd", "welfare_change_pct", "member", ADJUSTMENT)
#: Each economy's welfare change in US$ and its three terms (docs/customs_union.md,
#: "Explained results"): recorded by the GE trade mechanism in every run, and what the
#: README quotes beside the answer's percentages, so ``summary.csv`` has them by default
#: (at 10,000 runs of customs_union.yaml they add 27-51 MiB to the statistics' peak:
#: docs/scenarios.md, ``summary``).
WELFARE_ACCOUNTS = ("ev_usd", "welfare_terms_of_trade_pct", "welfare_tariff_revenue_pct",
                    "welfare_rest_pct",
                    # The real GDP change and the welfare change's other parts (with the
                    # revenue term they add up to it): the answer's line on why real GDP
                    # and welfare move apart (scosim.welfare_split).
                    "real_gdp_change_pct", "welfare_real_gdp_pct", "welfare_deficit_pct",
                    "welfare_other_income_pct")
#: Event types the run plots and its answer read (``rejected`` with ``adopted``: the
#: decision rule's score, ``votes.csv``).
PLOTTED_EVENTS = ("vote", "veto", "withdrew", "defection", "bloc_exit", "joined", "accession",
                  "adopted", "rejected", "bloc_invited", "barred")

#: The welfare paths' line, in the PNG's title and the explorer's (``{n}``: the runs).
PATHS_NOTE = "line: median of {n} runs (as the run's answer)"

#: What the who-gains figure's whiskers are, in words (the PNG's and the explorer's): not
#: the compare figure's, an interval of the mean (:func:`scosim.compare_plots.whisker_note`).
WHISKERS_NOTE = (f"whiskers: {LOW}th-{HIGH}th percentile of runs, the spread of outcomes "
                 f"({HIGH - LOW} % of runs lie between)")

#: What the data functions accept: the tidy tables of a run, or their statistics.
Data = pd.DataFrame | RunStats


def _stats(ind: Data, events: pd.DataFrame | None = None) -> RunStats:
    """Statistics over runs (:class:`RunStats`) of tidy tables, or the ones given."""
    if isinstance(ind, RunStats):
        return ind
    return RunStats.from_frames(ind, events)


#: ``(indicator, heading, what)``: a proposal type's ``ProposalType.membership``.
Membership = tuple[str, str, str]


def membership_kinds(
    recorded: Mapping[str, Membership | None] | None = None,
) -> tuple[Membership, ...]:
    """``(indicator, heading, what)`` of every known proposal type that declares one.

    ``ProposalType.membership``: the built-in types by name (the customs union before the
    free-trade area), then the others by name: registered or installed ones (a plug-in
    that fails to load is left out, as its run's other figures are still drawn) and
    those a run records.

    Args:
        recorded: ``{type name: membership or None}`` a run's manifest records
            (:func:`run_memberships`); for those types the record is used, not the
            registry, so the run is shown as it was made.
    """
    from scosim.plugins import PluginError
    from scosim.proposals import available_types, builtin_types, get_type

    recorded = recorded or {}
    builtin = builtin_types()
    others = sorted((set(available_types()) | set(recorded)) - set(builtin))
    out: list[Membership] = []
    for name in [*builtin, *others]:
        if name in recorded:
            m = recorded[name]
        else:
            try:
                m = get_type(name).membership
            except (PluginError, ImportError):
                continue
        if m is not None and m not in out:
            out.append(m)
    return tuple(out)


def run_memberships(run_dir: str | Path) -> dict[str, Membership | None]:
    """``{type name: membership or None}`` of the proposal types a run's manifest records.

    Empty for a run made before the manifest recorded them (or without a manifest):
    then only the types this process knows are shown.

    Raises:
        scosim.plugins.PluginError: A malformed record (names the file and field).
    """
    from scosim.plugins import read_declarations

    types = read_declarations(run_dir)["proposal_types"]
    return {name: rec["membership"] for name, rec in types.items()}


def membership_kinds_of(st: RunStats) -> tuple[Membership, ...]:
    """:func:`membership_kinds` with what the run ``st`` was read from records.

    ``st.memberships`` (:func:`load_plot_data`, :func:`scosim.plots.plot_run`): a process that
    cannot import a plug-in type named by dotted path still shows its membership.
    """
    return membership_kinds(st.memberships)


def membership_of(st: RunStats) -> Membership:
    """The arrangement whose membership a run shows (one of :func:`membership_kinds_of`).

    The first that had anyone in it in some run, else the first recorded (a customs
    union by default).
    """
    kinds = membership_kinds_of(st)
    recorded = [m for m in kinds if st.has(m[0])]
    for m in recorded:
        if (st.mean(m[0]).to_numpy() > 0).any():
            return m
    return recorded[0] if recorded else kinds[0]


def who_gains_labels(table: pd.DataFrame, st: RunStats) -> tuple[list[str], str]:
    """Economy labels and axis title of the who-gains figure (the PNG's and the explorer's).

    When a union forms in only some runs, an economy in it in some run of the year shown
    carries that share of runs (``"IRN Iran  (in union 17%)"``): a bare bar read as a
    member's loss. Only those economies carry it: a "(0%)" on every outsider read like a
    share of runs with a gain. Each economy is named by code and name, as the run's answer
    lists it (:func:`scosim.mechanism_answer.economy_label`): codes alone (LKA, KHM, BHR)
    meant nothing to a policy reader.

    Args:
        table: The table of :func:`scosim.plots.who_gains_data` (its ``in_union`` column).
        st: The run's statistics (which arrangement, :func:`membership_of`).

    Returns:
        ``(labels, axis title)``, the labels in the table's order.
    """
    share = table["in_union"].fillna(0.0)
    if not (share > 0).any():
        return [economy_label(str(c)) for c in table.index], "economy"
    _, short, what = membership_of(st)
    # Rounded as the answer's "in union" column (percent_of_runs with the run count).
    labels = [f"{economy_label(str(c))}  ({short} {percent_of_runs(share[c], st.runs)}%)"
              if share[c] > 0 else economy_label(str(c)) for c in table.index]
    return labels, f"economy ({short}: share of runs in {what} that year)"


#: The who-gains figure's words for its net markers (the PNG's title, the explorer's).
NET_NOTE = "open markers: net of what the bars do not count"


@dataclass(frozen=True)
class NetMarker:
    """One ``net`` headline indicator as the who-gains figure marks it beside the bars.

    Attributes:
        indicator: Its name (e.g. ``corridor_net_welfare_pct``).
        label: The legend's words, ``"<display name>: median over runs"``.
        median: Its median over runs in the figure's year (the bars' statistic), in the
            table's order of economies.
    """

    indicator: str
    label: str
    median: np.ndarray


def run_nets(run_dir: str | Path, declared: Mapping[str, Any] | None = None) -> list[str]:
    """A run's ``net`` headline indicators: what its answer puts in the "net" column.

    The welfare change net of what it leaves out (a corridor's payments), declared by the
    run's proposal types and mechanisms.

    Args:
        run_dir: The run's directory.
        declared: Its :func:`scosim.mechanism_answer.run_headline_indicators`, when the
            caller has read them (else read here).
    """
    if declared is None:
        from scosim.mechanism_answer import run_headline_indicators

        declared = run_headline_indicators(run_dir)
    return [n for n, h in declared.items() if h.kind == "net"]


def net_markers(st: RunStats, nets: Iterable[str], year: int,
                order: Iterable[str]) -> list[NetMarker]:
    """The who-gains figure's open markers: each recorded ``net`` indicator's mean by economy.

    Shared by the PNG (:func:`scosim.plots.plot_welfare_final`) and the explorer, so both
    mark the same numbers as the answer's "net" column. At most three (the PNG's marker
    shapes); an indicator the run did not record is left out.

    Args:
        st: The run's statistics.
        nets: Names of ``net`` indicators (:func:`run_nets`).
        year: The year the figure shows (:func:`scosim.plots.who_gains_data`).
        order: The economies in the figure's order.
    """
    from scosim.indicator_display import NAMES
    from scosim.mechanism_answer import has_year

    order = list(order)
    # The median, as the bars and the answer's "net" column.
    return [NetMarker(n, f"{NAMES.get(n, n)}: median over runs",
                      st.quantile(n, 0.5).loc[year].reindex(order).to_numpy(float))
            for n in [n for n in nets if has_year(st, n, year)][:3]]


def _any_nonzero(st: RunStats, name: str) -> bool:
    """Whether any value of an indicator is beyond numerical noise (|x| > 1e-9)."""
    ext = np.concatenate([st.quantile(name, 0.0).to_numpy(), st.quantile(name, 1.0).to_numpy()])
    return bool(ext.size) and bool(np.nanmax(np.abs(ext)) > 1e-9)


def adjusting_years(st: RunStats) -> list[int]:
    """Years in which trade still adjusts gradually in some run, in order.

    ``ge_trade`` solves such a year at the short-run trade elasticity
    (``trade_adjustment_share`` strictly between 0 and 1; docs/customs_union.md). A
    share lies in [0, 1], so some run of a year is strictly inside exactly when the
    share of runs above 0 exceeds the mean. Empty when the run does not record the
    indicator (another trade mechanism, or ``outputs.indicators`` leaves it out).
    """
    if not st.has(ADJUSTMENT):
        return []
    partial = (st.share_positive(ADJUSTMENT) - st.mean(ADJUSTMENT).fillna(0.0)) > 1e-9
    return [int(y) for y in partial.index[partial.any(axis=1).to_numpy()]]


def short_run_caveat(st: RunStats, year: int) -> str | None:
    """What the welfare of ``year`` is when trade still adjusts in it, else None.

    The footnote of ``welfare_final_year.png`` and a line of the printed answer (and
    ``summary.txt``), which gave the same numbers without it.
    """
    if int(year) not in adjusting_years(st):
        return None
    return (f"In {int(year)} trade still adjusts gradually (short-run trade elasticity): "
            "not yet the long-run effect (docs/customs_union.md)")


@dataclass(frozen=True)
class Paths:
    """One indicator over the years for the economies a paths figure shows.

    Shared by the PNGs (``gdp_paths.png``, ``welfare_paths.png``) and the browser
    explorer, so both draw the same numbers. Frames have rows years, columns economies.

    Attributes:
        centre: The line: the median over runs (the run's answer's statistic).
        low: The band's lower edge, the 5th percentile over runs.
        high: The band's upper edge, the 95th percentile over runs.
        codes: The economies drawn, in the figure's order.
        n_runs: Runs in the ensemble (no band is drawn for one).
    """

    centre: pd.DataFrame
    low: pd.DataFrame
    high: pd.DataFrame
    codes: list[str]
    n_runs: int


def welfare_paths_data(ind: Data, n: int = 8) -> Paths:
    """Welfare change over time of the ``n`` most affected economies, median over runs.

    The median, as the run's answer and the who-gains figure: a mean mixed runs in which a
    state stayed in a union with runs in which it had left (Iran in customs_union.yaml,
    20 runs: a 2035 mean of -0.13 % beside the answer's median of -0.04 %). Most
    affected: the largest median effect in any year, not only the last (which is zero
    everywhere once a union has dissolved, or a crisis has passed).
    """
    st = _stats(ind)
    name = "welfare_change_pct"
    median = st.quantile(name, 0.5)
    effect = median.abs().max(axis=0)
    codes = list(effect.sort_values(ascending=False, kind="stable").index[:n])
    return Paths(median, st.quantile(name, LOW / 100), st.quantile(name, HIGH / 100),
                 [str(c) for c in codes], st.runs)


def gdp_paths_data(ind: Data) -> Paths:
    """GDP of the SCO members over time, in US$ bn: median over runs, in the members' order."""
    st = _stats(ind)
    median = st.quantile("gdp_usd", 0.5) / 1e9
    low, high = st.quantile("gdp_usd", LOW / 100) / 1e9, st.quantile("gdp_usd", HIGH / 100) / 1e9
    codes = [c for c in MEMBERS if c in median.columns]
    return Paths(median, low, high, codes, st.runs)


def summarised(summary: str, headline: Iterable[str] = (),
               kinds: Iterable[Membership] | None = None) -> tuple[str, ...] | None:
    """The indicators a run's statistics gather for ``outputs.summary`` (None: all).

    ``headline``: the indicators the run's mechanisms name for its answer
    (:mod:`scosim.mechanism_answer`), gathered (and in ``summary.csv``) in any case;
    ``kinds``: the memberships the run may show (default: :func:`membership_kinds`).
    The bloc totals and Art. XXIV check the answer states under its welfare table
    (:data:`scosim.bloc_answer.BLOC_INDICATORS`) and each economy's welfare in US$ and
    its terms (:data:`WELFARE_ACCOUNTS`) are gathered too, where recorded.
    """
    from scosim.bloc_answer import BLOC_INDICATORS

    memberships = [m[0] for m in (membership_kinds() if kinds is None else kinds)]
    # NaN values are not held: without a bloc only the world's total costs.
    return None if summary == "all" else tuple(dict.fromkeys(
        [*PLOTTED, *memberships, *headline, *BLOC_INDICATORS, *WELFARE_ACCOUNTS]))


def summary_table(st: RunStats, run_dir: str | Path) -> pd.DataFrame:
    """The run's ``summary.csv``: :meth:`RunStats.table` with each indicator's ``unit``.

    Columns ``indicator, year, country, n_runs, mean, p05, median, p95, unit, n_nonzero,
    nonzero_min, nonzero_max``: those added since come after ``unit``.

    The values are kept as recorded (US$, not the answer's US$ bn; percent), so the unit
    says which: as the model declares it, else as the run's manifest records its
    plug-ins' declarations, else :data:`scosim.api.UNITS` (as ``scosim compare`` resolves
    them); empty where none is known. A world or bloc total is one row under its group,
    so its unit drops the note that it is stored in every economy's column.
    """
    from scosim.api import UNITS
    from scosim.indicator_display import resolve_units, storage_free
    from scosim.member_welfare import while_unit
    from scosim.plugin_manifest import read_declarations
    from scosim.plugins import PluginError

    table = st.table()
    recorded: dict[str, str] = {}
    try:
        for section in read_declarations(run_dir).values():
            for rec in section.values():
                recorded.update(rec["indicators"])
    except PluginError:  # a malformed record names itself where the run is read
        pass
    names = table["indicator"].astype(str).unique()
    units = resolve_units(names, {**UNITS, **recorded})
    # Welfare while in an arrangement is derived by the statistics, not recorded.
    units.update({n: while_unit(n) for n in names if while_unit(n)})
    # `unit` stays the 9th column, where scripts reading by position found it before
    # n_nonzero, nonzero_min and nonzero_max (2026-12-07) were added: those follow it.
    table.insert(table.columns.get_loc("p95") + 1, "unit", table["indicator"].astype(str).map(
        {k: storage_free(v) if v else "" for k, v in units.items()}))
    return table


def load_plot_data(run_dir: Path) -> RunStats:
    """Statistics over runs of the plotted indicators and events of a run.

    Read one batch file at a time and merged, so memory holds summaries (per
    year and economy), never every run. With ``outputs.summary: all`` in the
    run's scenario, every indicator (for ``summary.csv``).

    Args:
        run_dir: A run directory.

    Returns:
        The :class:`RunStats` of :data:`PLOTTED` (or every indicator), the membership
        indicators (those the run's manifest records too: :func:`membership_kinds_of`
        knows them) and :data:`PLOTTED_EVENTS`.
    """
    import yaml

    saved = Path(run_dir) / "scenario.yaml"
    outputs = (yaml.safe_load(saved.read_text()) or {}).get("outputs") if saved.exists() else None
    summary = (outputs or {}).get("summary", "plotted")
    from scosim.mechanism_answer import run_headline_indicators

    recorded = run_memberships(run_dir)
    st = RunStats.from_run(run_dir, indicators=summarised(
        summary, run_headline_indicators(run_dir), membership_kinds(recorded)),
        event_types=PLOTTED_EVENTS)
    st.memberships = recorded
    st.proposal_order = run_proposal_order(run_dir)
    st.can_defect = run_can_defect(run_dir)
    return st


def run_proposal_order(run_dir: str | Path) -> tuple[str, ...]:
    """The proposal ids of a run's saved scenario (``scenario.yaml``), in its order.

    The vote figure's panels and the run's answer follow it for proposals first voted in
    the same year (:meth:`scosim.runstats.RunStats.ordered_first_votes`). Empty without
    the file.
    """
    import yaml

    saved = Path(run_dir) / "scenario.yaml"
    scenario = yaml.safe_load(saved.read_text()) if saved.is_file() else None
    proposals = scenario.get("proposals") if isinstance(scenario, dict) else None
    return tuple(str(p["id"]) for p in proposals or () if isinstance(p, dict) and "id" in p)


def run_can_defect(run_dir: str | Path) -> bool | None:
    """Whether a state of a run can leave: an arrangement lets it, and its rule may.

    Read from the run's saved, resolved scenario (``scenario.yaml``): some proposal of a
    type whose participants may leave (``ProposalType.exit_allowed``: not a corridor, a
    settlement or a declaration), and a defect rule other than ``never_defect`` (the
    council's, ``parameters.rules.defect``, or an economy's own,
    ``countries.<CODE>.rules``). The welfare figure and the answer say "after any
    defections" only then. None without the file.
    """
    import yaml

    from scosim.plugins import PluginError
    from scosim.proposals import get_type

    saved = Path(run_dir) / "scenario.yaml"
    scenario = yaml.safe_load(saved.read_text()) if saved.is_file() else None
    if not isinstance(scenario, dict):
        return None
    types = [str(p.get("type")) for p in scenario.get("proposals") or () if isinstance(p, dict)]
    try:
        leavable = any(get_type(t).exit_allowed for t in types)
    except PluginError:  # a plug-in type that cannot be loaded here: said, as before
        leavable = True
    if not leavable:  # nothing to leave (a corridor, a settlement, no proposal at all)
        return False
    rules = ((scenario.get("parameters") or {}).get("rules") or {})
    council = rules.get("defect", "threshold_defect")  # the default if none was resolved
    own = [((c or {}).get("rules") or {}).get("defect")
           for c in (scenario.get("countries") or {}).values() if isinstance(c, dict)]
    # An economy without a rule of its own follows the council's; one economy is enough.
    return council != "never_defect" or any(r not in (None, "never_defect") for r in own)
