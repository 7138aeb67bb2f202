"""In how many runs each adopted corridor operates, and has failed, in the answer's year.

The answer's "proposal trans_afghan: adopted in every run" sat above the welfare table
while the railway had failed by 2035 in 3 of 6 runs, said only deep in the fee paragraph
and in network_who_pays.png's title (a new user's review, 2026-12-07). A corridor can fail
in any run (its yearly hazard, docs/network.md), so its outcome line says in how many runs
it operates in the table's year, and in how many it has failed, from the run's own
``corridor_operating`` and ``corridor_failed`` indicators.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["corridor_status", "status_text"]


def status_text(year: int, operating: int, failed: int, runs: int) -> str:
    """``operating in 2035 in 3 of 6 (failed in 3)``; runs not yet built said too.

    Args:
        year: The answer's year.
        operating: Runs in which the corridor operates in ``year``.
        failed: Runs in which it has failed by ``year``.
        runs: The run's replications.
    """
    # A run neither operating nor failed has not opened the line yet (construction).
    unbuilt = runs - operating - failed
    tail = f"; not yet open in {unbuilt}" if unbuilt > 0 else ""
    return f"operating in {year} in {operating} of {runs} (failed in {failed}{tail})"


def corridor_status(run_dir: str | Path, year: int | None) -> dict[str, str]:
    """``{proposal id: status_text}`` for each corridor proposal whose hosts are its own.

    A host's ``corridor_operating`` and ``corridor_failed`` do not say which corridor
    they are of, so a proposal sharing a host with another corridor proposal is left out
    (nothing said rather than another line's state).

    Args:
        run_dir: The run's directory.
        year: The answer's year; None: the last recorded.

    Returns:
        The text per proposal; empty without a corridor proposal or those indicators.
    """
    from scosim.network.access_answer import run_rows
    from scosim.network.answer_notes import _scenario
    from scosim.network.tables import load_network

    scenario = _scenario(run_dir)
    if scenario is None:
        return {}
    projects = load_network().projects
    corridors = [p for p in scenario.proposals if p.type == "corridor"]
    hosts = {p.id: set(projects.loc[p.project, "host_economies"]) for p in corridors}
    year, rows = run_rows(run_dir, ("corridor_operating", "corridor_failed"), year)
    on, off = rows.get("corridor_operating"), rows.get("corridor_failed")
    if year is None or on is None or off is None:
        return {}
    out: dict[str, str] = {}
    for pid, mine in hosts.items():
        if any(mine & h for q, h in hosts.items() if q != pid):
            continue
        cols = [c for c in mine if c in on.columns and c in off.columns]
        if not cols:
            continue
        runs = on.index.union(off.index)
        # Any host's flag: every host of a line records it alike.
        n_on = int((on.reindex(runs)[cols].fillna(0.0).max(axis=1) > 0).sum())
        n_off = int((off.reindex(runs)[cols].fillna(0.0).max(axis=1) > 0).sum())
        out[pid] = status_text(year, n_on, n_off, len(runs))
    return out
