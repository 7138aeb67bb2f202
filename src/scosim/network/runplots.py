"""Run-level plots of a scenario whose ``network`` slot is filled (called by scosim.plots).

Three figures from a run's results:

* ``network_map.png``: the network with the corridors adopted in most runs highlighted (by
  name), what they carry (a freight corridor: the Mt a year on its busiest edge, labelled on
  that edge with its capacity; an energy corridor: its capacity and its initial phase's) and
  the trade-cost changes of the first
  corridor's proposer with each partner in the last year. The changes are recomputed with
  :class:`CorridorNetwork` from the scenario (projects operating in the last year, the median
  recorded ``route_instability``): the network is deterministic, so this equals the run's own.
* ``network_gains.png``: welfare change (real expenditure) per economy in the last year, median
  and 5th-95th percentile over runs (relative to no corridor: the run's ``welfare_change_pct``);
  not drawn when no economy's welfare moved in any run and year (an energy corridor).
* ``network_who_pays.png``: present value each economy pays for the adopted corridors and
  the loss it bears from their failure, as known in the last year (paid and lost where a
  corridor has failed in the run, expected where it stands; mean and 5th-95th percentile
  over runs): a host's loss hatched inside its payments, of which it is part; a bank
  owner's after them (:mod:`scosim.network.who_pays_run`).

The gains figure's bars are medians over runs, the statistic of the run's welfare table
(``summary.txt``) and of its welfare bar chart (``welfare_final_year.png``); the who-pays
figure's are means, as the answer's corridor lines (payments add up over members and years),
so a reader finds the same number in each; :func:`final_bands` gives what they draw.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import numpy as np  # noqa: E402

from scosim.attribution import run_shocks  # noqa: E402
from scosim.data.constants import ECONOMIES, NAMES  # noqa: E402
from scosim.network.energy import INITIAL_PHASE_YEARS  # noqa: E402
from scosim.network.plot import plot_gains_bands, plot_network, project_name  # noqa: E402
from scosim.network.who_pays_run import plot_who_pays_run  # noqa: E402
from scosim.plot_data import _any_nonzero  # noqa: E402
from scosim.runstats import HIGH, LOW, RunStats, run_percentiles  # noqa: E402

#: The indicator that says the network slot ran.
MARKER = "network_trade_cost_change_pct"
#: Indicators these figures draw (scosim.plots reads only these from a run).
RUN_INDICATORS: tuple[str, ...] = (
    MARKER, "route_instability", "corridor_operating", "welfare_change_pct",
    "corridor_paid_usd", "corridor_risk_usd", "corridor_failed",
)


def final_bands(st: RunStats, name: str, stat: str = "mean") -> tuple[int, np.ndarray]:
    """What the gains and who-pays figures draw of an indicator: its last year over runs.

    Args:
        st: The run's statistics.
        name: An indicator they hold.
        stat: The middle band: ``"mean"`` (the answer's corridor lines) or ``"median"``
            (its welfare table).

    Returns:
        ``(year, bands)``: the indicator's last year and ``(3, N)`` 5th percentile,
        ``stat`` and 95th percentile over runs that year, economies in canonical order
        (:data:`ECONOMIES`; one the indicator never recorded counts as 0): what the run's
        answer reports.
    """
    mean = st.mean(name)
    year = int(mean.index.max())
    lo, hi = run_percentiles(st, name, ECONOMIES, (LOW, HIGH))[:, -1, :]
    middle = mean if stat == "mean" else st.quantile(name, 0.5)
    mid = middle.reindex(columns=list(ECONOMIES)).loc[year].to_numpy(float)
    return year, np.nan_to_num(np.stack([lo, mid, hi]), nan=0.0)


def _mean_of(runs: int, stat: str = "mean") -> str:
    """How the figures name their bars' statistic: "mean of 40 runs" (or "one run")."""
    return f"{stat} of {runs} runs" if runs > 1 else "one run"


def _corridors(scenario, st: RunStats) -> list:
    """Corridor proposals adopted in at least half of the run's runs."""
    runs = max(1, st.runs)
    return [p for p in scenario.proposals
            if p.type == "corridor" and st.adopted_runs.get(p.id, 0) * 2 >= runs]


def plot_network_run(run_dir: Path, plots_dir: Path, st: RunStats, title: str) -> list[Path]:
    """Write the network run plots (none when the run has no network indicators).

    Args:
        run_dir: The run directory (its ``scenario.yaml``).
        plots_dir: Where the PNG files go.
        st: The run's statistics of :data:`RUN_INDICATORS` and its ``adopted`` events.
        title: Figure title (scenario and seed).
    """
    if not st.has(MARKER):
        return []
    from scosim.network.mechanism import scenario_tables
    from scosim.network.step import CorridorNetwork
    from scosim.network.vot import fixed_vot
    from scosim.scenario.loader import load_scenario

    scenario = load_scenario(run_dir / "scenario.yaml")
    corridors = _corridors(scenario, st)
    out: list[Path] = []
    year = int(st.mean("route_instability").index.max())
    inst = st.quantile("route_instability", 0.5).reindex(columns=list(ECONOMIES))
    inst = np.nan_to_num(inst.loc[year].to_numpy(float), nan=0.0)
    params = scenario.parameters.network
    # The map at the scenario's one value of time, else the table's (runs draw their own).
    fixed = fixed_vot(params)
    over = {} if fixed is None else {"vot_per_day": fixed}
    net = CorridorNetwork(tables=scenario_tables(params), params=over)
    ops = (st.share_positive("corridor_operating").loc[year]
           if st.has("corridor_operating") else None)
    operating = ([p.project for p in corridors]
                 if ops is not None and bool((ops > 0).any()) else [])
    lifted = [o.restriction for o in params.transit_opened
              if o.year <= year and (o.until is None or year <= o.until)]
    # The year each corridor first operates in the run: the map's capacity is that of the
    # map's year (a first phase binds in its first years: the run's, here too).
    first = first_operating_years(run_dir, corridors, net.tables)
    phase = np.array([[pid in operating and pid in first
                       and 0 <= year - first[pid] < INITIAL_PHASE_YEARS
                       for pid in net.project_ids]])
    step = net.step(instability=inst[None], active_projects=operating,
                    congestion=params.congestion, lifted=lifted, initial_phase=phase)
    flows, flow_edges = _flow_labels(net, step, [p.project for p in corridors], year, first,
                                     route_medians(run_dir, corridors, net.tables, year))
    focus = next((p.proposer for p in corridors if p.proposer), "IND")
    names = (", ".join(project_name(net.tables, p.project) for p in corridors)
             or "no corridor adopted")
    # With route instability or sanctions the map is not the corridor's alone: say so.
    shocks = run_shocks(run_dir)
    mixed = (f" with {', '.join(shocks)} (together: not the corridor's own effect)"
             if shocks else "")
    out.append(plot_network(
        net.tables, plots_dir / "network_map.png", highlight=[p.project for p in corridors],
        t_hat=step.t_hat[0], focus=focus, flows=flows, flow_edges=flow_edges,
        title=f"{title}: {names} in {year}{mixed}\nright: {NAMES.get(focus, focus)}'s trade-cost "
              "changes vs the baseline network (no corridor, no instability);\n"
              "projects, instability and sanctions of the run (median instability over runs); "
              "lines are schematic links"))
    # As welfare_final_year.png: no figure of zero bars when no welfare moved (an energy
    # corridor: the answer says so in words).
    if st.has("welfare_change_pct") and _any_nonzero(st, "welfare_change_pct"):
        _, w = final_bands(st, "welfare_change_pct", "median")
        out.append(plot_gains_bands(
            w, st.runs, ECONOMIES, plots_dir / "network_gains.png",
            title=f"{title}\nwelfare change (real expenditure) in {year}: the run's corridors, "
                  "instability and\nroute sanctions together vs none of them, "
                  "before corridor costs\n"
                  f"(bars: {_mean_of(st.runs, 'median')}, as in summary.txt)\n"
                  + whisker_caption(run_dir, st)
                  + _bundled_note(scenario, net.tables),
            stat="median"))
    if st.has("corridor_paid_usd"):
        from scosim.network.answer_notes import lender_name, payer_rules

        project_of = {p.id: p.project for p in scenario.proposals if p.type == "corridor"}
        rules = "; ".join(f"{project_name(net.tables, project_of.get(pid, pid))}: {short}"
                          for pid, _, short, _ in payer_rules(scenario))
        hosts = {c for p in corridors for c in net.tables.projects.loc[p.project,
                                                                         "host_economies"]}
        out.append(plot_who_pays_run(
            st, plots_dir / "network_who_pays.png", title, names, hosts,
            project_finance=any(p.financing == "bank_project" for p in corridors),
            rules=rules, failed_runs=_failed_runs(st, corridors, hosts),
            lender=lender_name(scenario)))
    return out


def whisker_caption(run_dir: Path, st: RunStats, width: int = 80) -> str:
    """The gains figure's line on its whiskers: what the runs they span draw.

    The answer's list (:func:`scosim.run_spread.drawn_quantities`, read from the run's
    ``scenario.yaml``), without its ranges. Until 2026-12-07 the figure said "which draw
    the trade elasticity and growth" whatever the run drew (an outside review: the value
    of time, the corridors' failures and an energy run's gas prices were left out).
    """
    import json
    import textwrap

    from scosim.run_spread import _join, drawn_quantities, run_spread

    try:
        manifest = json.loads((Path(run_dir) / "manifest.json").read_text())
    except (OSError, ValueError):
        manifest = {}
    sp = run_spread(run_dir, manifest)
    items = [] if sp is None else [w for w, _ in drawn_quantities(sp, voted=bool(st.votes))]
    said = (f"which differ only in {_join(items)}" if items
            else "which draw nothing different")
    return "\n".join(textwrap.wrap(f"whiskers: 5th-95th percentile over runs, {said}", width,
                                    break_on_hyphens=False))


def _failed_runs(st: RunStats, corridors: list, hosts: set[str]) -> int | None:
    """In how many runs the one adopted corridor has failed by the last year (else None).

    ``corridor_failed`` is 1 for a host in a run whose corridor has failed, 0 otherwise,
    so its mean over runs times their number counts them; with several corridors a host's
    flag does not say which failed, and the title says nothing.
    """
    if len(corridors) != 1 or not st.has("corridor_failed"):
        return None
    _, bands = final_bands(st, "corridor_failed")
    share = max(bands[1][ECONOMIES.index(c)] for c in hosts)
    return int(round(share * st.runs))


def _bundled_note(scenario, tables) -> str:
    """The gains figure's line on reforms a corridor brings free (empty when none)."""
    from scosim.network.answer_notes import bundled_measures

    parts = []
    for b in bundled_measures(scenario):
        top = list(b.share.items())[:2]
        said = " and ".join(f"{100 * s:.0f} % of {NAMES.get(c, c)}'s" for c, (s, _) in top)
        parts.append(f"{project_name(tables, b.project)} includes {len(b.ids)} customs "
                     f"reforms its cost does not pay for:\n{said} trade-cost fall "
                     "(summary.txt says more)")
    return "".join(f"\n{p}" for p in parts)


def first_operating_years(run_dir: Path, corridors: list, tables) -> dict[str, int]:
    """``{project: year}`` each adopted corridor first operates, the median over runs.

    Its construction starts in the year its ``construction_start`` events are dated (the
    later of its ``start_year`` and its entry into force, which may vary by run) and it
    operates ``construction_years`` later; a run without the events (none written) leaves
    the project out.
    """
    from scosim.result_tables import batch_files

    ids = {p.id: p for p in corridors}
    if not ids:
        return {}
    try:
        files = batch_files(Path(run_dir) / "events")
    except FileNotFoundError:
        return {}
    from scosim.batch_rows import read_rows

    starts: dict[str, dict[int, int]] = {}
    for f in files:
        # A slice at a time, without pyarrow.dataset's 43 MiB import (scosim.batch_rows).
        df = read_rows(f, ["run", "year", "type", "proposal"], ["construction_start"],
                       by="type")
        for pid, runs in df[df["proposal"].isin(list(ids))].groupby("proposal"):
            seen = starts.setdefault(str(pid), {})
            for run, y in runs.groupby("run")["year"].min().items():
                seen[int(run)] = min(int(y), seen.get(int(run), int(y)))
    out: dict[str, int] = {}
    for pid, runs in starts.items():
        p = ids[pid]
        build = int(p.construction_years or tables.projects.loc[p.project,
                                                                "construction_years"])
        # Median of integers: an integer year (the lower middle when the runs split evenly).
        years = sorted(runs.values())
        out[p.project] = years[(len(years) - 1) // 2] + build
    return out


_ORDINAL = ("first", "second", "third", "fourth", "fifth")


def _capacity_text(full: float, unit: str, share: float, year: int,
                   first: int | None) -> str:
    """A capacity as of ``year``: a first phase (``share`` of ``full``) binds in its years.

    Until 2026-12-07 the map said "capacity 15 Mt/yr (3 in its first 3 years of operation)"
    in 2035, the Trans-Afghan railway's third year (opening 2033), when 3 bound (an outside
    review).
    """
    n = INITIAL_PHASE_YEARS
    initial = full * share
    if share >= 1.0:
        return f"capacity {full:g} {unit}"
    if first is None:
        return f"capacity {full:g} {unit} ({initial:g} in its first {n} years of operation)"
    if year < first:
        return (f"capacity {initial:g} {unit} from {first}, its first {n} years, "
                f"then {full:g}")
    if year - first < n:
        k = year - first
        which = _ORDINAL[k] if k < len(_ORDINAL) else f"year {k + 1}"
        return (f"capacity {initial:g} {unit} in {year}, its {which} year of operation "
                f"({full:g} from {first + n})")
    return (f"capacity {full:g} {unit} in {year} ({initial:g} in its first {n} years, "
            f"{first}-{first + n - 1})")


def route_medians(run_dir: Path, corridors: list, tables, year: int
                  ) -> dict[str, tuple[float, int, int]]:
    """``{project: (median TEU, runs operating, runs)}`` of each freight corridor's route.

    The whole-route TEU equivalents a year (the hosts' ``corridor_fee_base_teu`` summed,
    each edge's TEU weighted by its share of the route's km), median over the runs in
    which the line operates in ``year`` (carries traffic): the statistic and the runs of
    ``python -m scosim.network.report --edges``'s route row and of the answer's break-even.
    A project sharing a host with another freight corridor is left out (the hosts' records
    mix them).
    """
    from scosim.network.access_answer import run_rows

    _, rows = run_rows(run_dir, ("corridor_fee_base_teu",), year)
    base = rows.get("corridor_fee_base_teu")
    if base is None:
        return {}
    hosts = {p.project: set(tables.projects.loc[p.project, "host_economies"])
             for p in corridors if tables.projects.loc[p.project, "carrier"] == "freight"}
    out: dict[str, tuple[float, int, int]] = {}
    for pid, mine in hosts.items():
        if any(mine & h for q, h in hosts.items() if q != pid):
            continue
        b = base[[c for c in mine if c in base.columns]].fillna(0.0).sum(axis=1)
        if (b > 0).any():
            out[pid] = (float(np.median(b[b > 0])), int((b > 0).sum()), len(b))
    return out


def _flow_labels(net, step, projects: list[str], year: int,
                 first: dict[str, int] | None = None,
                 routes: dict[str, tuple[float, int, int]] | None = None
                 ) -> tuple[dict[str, str], dict[str, str]]:
    """What each project's map label says, and the edge it sits on.

    A freight project's label gives the flow on its busiest edge (``project_flow_mt``) and
    sits on that edge, with the edge's capacity in ``year`` beside it; an energy project's
    gives its capacity in ``year``, next to its longest edge. ``first``: the year each
    project first operates (:func:`first_operating_years`; without it the label gives both
    phases' capacities). ``routes``: a run's :func:`route_medians`; where a project has
    one, its label gives that, the runs' median, not the map's one network state (which
    read "1.1 Mt/yr" where ``--edges`` gave the runs' median 1.39 Mt on the same link:
    a new user's review, 2026-12-07).
    """
    first = first or {}
    routes = routes or {}
    edges, nodes = net.tables.edges, net.tables.nodes
    flows: dict[str, str] = {}
    at: dict[str, str] = {}
    for pid in projects:
        row = net.tables.projects.loc[pid]
        share = float(row["capacity_initial"] / row["capacity"])
        if row["capacity_unit"] == "Mt/yr":
            cols = [net.edge_ids.index(e) for e in edges.index[edges["project"] == pid]]
            if not cols:
                continue
            k = cols[int(np.argmax(step.edge_flow_mt[0, cols]))]
            e = edges.iloc[k]
            ends = "-".join(str(nodes.loc[e[c], "name"]).split(" (")[0]
                            for c in ("from_node", "to_node"))
            cap = (", " + _capacity_text(float(e["capacity"]), str(e["capacity_unit"]), share,
                                         year, first.get(pid))
                   if np.isfinite(e["capacity"]) else "")
            if pid in routes:  # the runs' median, as --edges gives it, not one state
                teu, n_on, n_all = routes[pid]
                mt = teu * float(net.params["tonnes_per_teu"]) / 1e6
                flows[pid] = (f"{teu / 1e3:,.0f} thousand TEU ({mt:.2g} Mt) a year along the "
                              f"route in {year}\n(km-weighted; median of the {n_on} of {n_all} "
                              f"runs it operates in)\nbusiest link {ends}{cap}")
            else:
                flows[pid] = (f"{step.edge_flow_mt[0, k]:.1f} Mt/yr carried in {year}\n"
                              f"on {ends}, its busiest link{cap}")
            at[pid] = net.edge_ids[k]
        else:
            # Two lines: one long box covered the other corridor's (corridor_energy's map).
            flows[pid] = _capacity_text(float(row["capacity"]), str(row["capacity_unit"]),
                                        share, year, first.get(pid)).replace(" (", "\n(", 1)
    return flows, at
