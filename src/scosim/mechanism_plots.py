"""The figures of a run's filled mechanism slots: security, the corridor network, banking.

Called by :func:`scosim.plots.plot_run` (and by the explorer for runs made without
plots). Each figure is drawn from statistics over runs merged batch file by batch file,
never from every run's values at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scosim.results import MANIFEST, indicator_names
from scosim.run_blocks import BlockedStats
from scosim.runstats import RunStats

if TYPE_CHECKING:
    from scosim.finance.crisis_outcomes import OutcomeCounts
    from scosim.finance.run_summary import BankingStream

__all__ = ["Gathered", "gather", "mechanism_figures", "plot_mechanism_figures"]


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


@dataclass
class Gathered:
    """What the mechanism figures draw, read from a run's batch files in one pass.

    Attributes:
        names: The indicators the run recorded.
        stats: Statistics over runs of the security and network figures' indicators, with
            the votes and adoptions.
        banking: The banking figure's statistics (empty without the finance slot).
        outcomes: The banking answer's counts of each run's worst outcome
            (:mod:`scosim.finance.crisis_outcomes`), from the same rows; empty without
            the finance slot.
    """

    names: set[str]
    stats: RunStats
    banking: BankingStream
    outcomes: OutcomeCounts


def gather(run_dir: Path, stats: RunStats | None = None) -> Gathered | None:
    """Read what the figures of the mechanisms a run used draw (None: it used none).

    Runs without a mechanism slot read nothing more. The batch files are read one at a
    time into statistics over runs (:class:`RunStats` for the security and network
    figures, :class:`scosim.finance.run_summary.BankingStream` for the banking one,
    and the answer's banking outcomes from the same rows, where both read every file:
    one read, not two), so memory does not grow with the replications. ``stats``: the
    run's statistics already gathered (with their events); when they hold the figures'
    indicators (``outputs.summary: all``) they are used, not gathered again. The votes
    and adoptions (:data:`VOTE_EVENTS`) come from ``stats`` when it holds events, else
    from the run's event files, so the security figure's title says which proposals
    were rejected in every run whichever front end draws it.
    """
    from scosim.batch_rows import read_rows
    from scosim.finance.crisis_outcomes import OutcomeCounts, drawable
    from scosim.finance.run_summary import RUN_INDICATORS as FINANCE
    from scosim.finance.run_summary import BankingStream, figure_parts
    from scosim.result_tables import _file_indicator_names
    from scosim.results import batch_files

    d = Path(run_dir) / "indicators"
    names = indicator_names(d)
    if not names & set(_MECHANISM_MARKERS):
        return None
    # Only what the figures draw: their indicators, and the adoptions.
    wanted = [n for n in _mechanism_indicators(names) if n in names]
    banking = "bank_failures" in names
    summarised = [n for n in wanted if n not in FINANCE and n != "member"]
    reuse = stats is not None and all(stats.has(n) for n in summarised)
    st = stats if reuse and stats is not None else RunStats()
    read = [n for n in wanted if n not in summarised] if reuse else wanted
    # The figure's merged bar follows the run's recorded headline_parts, as summary.txt.
    stream = BankingStream(figure_parts(run_dir) if banking else None)
    outcomes = OutcomeCounts()
    files = batch_files(d) if banking or not reuse else []
    # The answer's counts as outcome_counts reads them: only when the first file records
    # failures, the membership (the group) from the first file only.
    counted = banking and "bank_failures" in _file_indicator_names(files[0])
    if counted:
        outcomes.drawable = drawable(files[0])
    feed = BlockedStats(st)  # sums by blocks of run ids, as the run's own statistics
    for i, f in enumerate(files):
        df = read_rows(f, ["run", "year", "country", "indicator", "value"], read)
        if not reuse:
            feed.indicators.add(df[df["indicator"].isin(summarised)])
        if banking:
            stream.add(df)
        if counted:
            outcomes.add(df if i == 0 or outcomes.years else df[df["indicator"] != "member"])
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
    return Gathered(names, st, stream, outcomes)


def plot_mechanism_figures(run_dir: Path, title: str, plots_dir: Path,
                           stats: RunStats | None = None,
                           gathered: Gathered | None = None) -> list[Path]:
    """Figures of the mechanisms a run used (security, network, finance).

    Each is drawn only when the run recorded its mechanism's indicators (its slot
    was filled). ``gathered``: what they draw, when :func:`gather` already read it
    (:func:`scosim.plots.plot_run`, whose answer uses its banking outcomes); else read
    here (``stats`` as in :func:`gather`).
    """
    got = gathered if gathered is not None else gather(run_dir, stats)
    if got is None:
        return []
    from scosim.security.plots import has_anti_drug_unit, plot_security_run

    st = got.stats
    # The title names the anti-drug unit only where the scenario tables one.
    drawn = [plot_security_run(st, title, plots_dir / "security_incidents_routes.png",
                               anti_drug=has_anti_drug_unit(run_dir))]
    if "network_trade_cost_change_pct" in got.names:
        # Runs with the network slot filled: map, gains and who pays (docs/network.md).
        from scosim.network.runplots import plot_network_run

        drawn.extend(plot_network_run(run_dir, plots_dir, st, title))
    if "bank_failures" in got.names:  # the finance slot was filled (docs/finance.md)
        from scosim.finance.plots import plot_finance_run

        drawn.append(plot_finance_run(got.banking, title, plots_dir / "banking.png"))
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
