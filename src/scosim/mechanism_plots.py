"""The figures of a run's filled mechanism slots: security, the corridor network, banking.

Called by :func:`scosim.plots.plot_run` (and by the explorer for runs made without
plots). Each figure is drawn from statistics over runs merged batch file by batch file,
never from every run's values at once.
"""

from __future__ import annotations

import json
from pathlib import Path

from scosim.results import MANIFEST, indicator_names
from scosim.run_blocks import BlockedStats
from scosim.runstats import RunStats

__all__ = ["mechanism_figures", "plot_mechanism_figures"]


#: Event types the mechanism figures read when the run's statistics carry none.
VOTE_EVENTS = ("vote", "adopted", "rejected")

#: An indicator each mechanism records whenever its slot is filled: it marks runs to draw.
_MECHANISM_MARKERS = ("security_index", "network_trade_cost_change_pct", "bank_failures")


def _mechanism_indicators(names: set[str]) -> list[str]:
    """Indicators the mechanism figures of a run with these indicators read."""
    from scosim.finance.plots import RUN_INDICATORS as FINANCE
    from scosim.network.runplots import RUN_INDICATORS as NETWORK
    from scosim.security.plots import RUN_INDICATORS as SECURITY

    out = list(SECURITY)
    if "network_trade_cost_change_pct" in names:
        out += NETWORK
    if "bank_failures" in names:
        out += [*FINANCE, "member"]
    return list(dict.fromkeys(out))


def plot_mechanism_figures(run_dir: Path, title: str, plots_dir: Path,
                           stats: RunStats | None = None) -> list[Path]:
    """Figures of the mechanisms a run used (security, network, finance).

    Each is drawn only when the run recorded its mechanism's indicators (its slot
    was filled); runs without a mechanism slot read nothing more. The batch files are
    read one at a time into statistics over runs (:class:`RunStats` for the security
    and network figures, :class:`scosim.finance.run_summary.BankingStream` for the
    banking one), so memory does not grow with the replications. ``stats``: the run's
    statistics already gathered (with their events); when they hold the figures'
    indicators (``outputs.summary: all``) they are used, not gathered again. The votes
    and adoptions (:data:`VOTE_EVENTS`) come from ``stats`` when it holds events, else
    from the run's event files, so the security figure's title says which proposals
    were rejected in every run whichever front end draws it.
    """
    import pyarrow.parquet as pq

    from scosim.finance.run_summary import RUN_INDICATORS as FINANCE
    from scosim.finance.run_summary import BankingStream
    from scosim.results import batch_files

    d = Path(run_dir) / "indicators"
    names = indicator_names(d)
    if not names & set(_MECHANISM_MARKERS):
        return []
    # Only what the figures draw: their indicators, and the adoptions.
    wanted = [n for n in _mechanism_indicators(names) if n in names]
    banking = "bank_failures" in names
    summarised = [n for n in wanted if n not in FINANCE and n != "member"]
    reuse = stats is not None and all(stats.has(n) for n in summarised)
    st = stats if reuse and stats is not None else RunStats()
    read = [n for n in wanted if n not in summarised] if reuse else wanted
    stream = BankingStream()
    feed = BlockedStats(st)  # sums by blocks of run ids, as the run's own statistics
    for f in batch_files(d) if banking or not reuse else []:
        df = pq.read_table(f, columns=["run", "year", "country", "indicator", "value"],
                           filters=[("indicator", "in", read)]).to_pandas()
        if not reuse:
            feed.indicators.add(df[df["indicator"].isin(summarised)])
        if banking:
            stream.add(df)
        del df
    # The figures' events: the adoptions (the network's corridors) and the first votes
    # (the security title's "proposal X rejected in N of N runs", rejected_note). Taken
    # from the run's statistics when they hold events (scosim run gathers them); read
    # otherwise (the explorer, which passes none): until 2026-12-07 it read only the
    # adoptions, and only with the network slot, so its figure lacked that line.
    given = stats is not None and bool(stats.event_counts)
    if not given and (Path(run_dir) / "events").is_dir():
        for f in batch_files(Path(run_dir) / "events"):
            feed.events.add(RunStats.read_event_file(f, VOTE_EVENTS))
    feed.finish()
    if not reuse and given and stats is not None:
        st.adopted_runs, st.first_votes = stats.adopted_runs, stats.first_votes
        st.proposal_order = stats.proposal_order
    if st.proposal_order is None:
        from scosim.plot_data import run_proposal_order

        st.proposal_order = run_proposal_order(run_dir)
    from scosim.security.plots import plot_security_run

    drawn = [plot_security_run(st, title, plots_dir / "security_incidents_routes.png")]
    if "network_trade_cost_change_pct" in names:
        # Runs with the network slot filled: map, gains and who pays (docs/network.md).
        from scosim.network.runplots import plot_network_run

        drawn.extend(plot_network_run(run_dir, plots_dir, st, title))
    if banking:  # the finance slot was filled (docs/finance.md)
        from scosim.finance.plots import plot_finance_run

        drawn.append(plot_finance_run(stream, title, plots_dir / "banking.png"))
    return [p for p in drawn if p is not None]


def mechanism_figures(run_dir: Path) -> list[Path]:
    """Draw and return the mechanism figures of a finished run.

    For front ends that run without plots (the browser explorer): the files are the
    ones ``scosim run`` writes, in the run's ``plots/`` directory.
    """
    plots_dir = Path(run_dir) / "plots"
    manifest = json.loads((Path(run_dir) / MANIFEST).read_text())
    plots_dir.mkdir(exist_ok=True)
    from scosim.plots import run_title

    title = run_title(manifest)
    return plot_mechanism_figures(Path(run_dir), title, plots_dir)
