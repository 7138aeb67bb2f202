"""Who left a run's arrangement and whose accession was barred: lines of the run's answer.

Split from :mod:`scosim.run_headline` (size), which prints these lines after its table and
re-exports the names here. The table's "left" column counts exits; :func:`exit_lines` says
which were a state's own and which were taken with its bloc, in which years and after what
loss, and who came in with a bloc; :func:`barred_lines` names each applicant whose accession
was not put to the vote (UN Security Council sanctions).
"""

from __future__ import annotations

from collections.abc import Mapping

from scosim.indicator_display import signed
from scosim.mechanism_answer import economy_label
from scosim.runstats import RunStats
from scosim.tty_lines import ANSWER_WIDTH, answer_lines, whole

__all__ = ["barred_lines", "exit_lines"]


def _pack(parts: list[str], first: str, width: int = ANSWER_WIDTH) -> list[str]:
    """``parts`` on lines of at most ``width``, never split, aligned after ``first``."""
    return answer_lines(" ".join(whole(p) for p in parts), width, indent=first,
                        subsequent=" " * len(first))


def _years(years: Mapping[int, int]) -> str:
    return f"{min(years)}" if len(years) == 1 else f"{min(years)}-{max(years)}"


def exit_lines(st: RunStats, n_runs: int) -> list[str]:
    """Who left, in how many runs, when and after what loss; who came in with a bloc.

    The "left" column counts exits; these lines say which were a state's own
    (``defection``: its defect rule, by default three years of realised gains below
    its exit threshold) and which were taken with its bloc (``bloc_exit``), the
    years they happened in, and the median realised gain (percent of real
    expenditure) the defections recorded in their year (the answer's one statistic). A
    state leaving in year ``t`` is outside from ``t + 1`` (the year's trade is solved
    before compliance), which the heading says: it is still in the union in its year of
    exit. A bloc's members invited because one of them was (``bloc_invited``) are named,
    so a state in the table that was never asked by the proposal is explained.

    Args:
        st: The run's statistics.
        n_runs: Its replications.

    Returns:
        Wrapped lines; none when no state left and no bloc was invited.
    """
    out: list[str] = []
    proposals = {pid for _, pid, _ in st.exits}
    for kind, heading in (("defection", "on its own:"), ("bloc_exit", "with its bloc:")):
        items = sorted(((t.runs, c, pid, t) for (k, pid, c), t in st.exits.items() if k == kind),
                       key=lambda x: (-x[0], x[1], x[2]))
        parts = []
        for runs, code, pid, t in items:
            spec = _years(t.years)
            if t.gain_n:
                spec += f"; {signed(100.0 * t.median_gain(), 2)} %"
            parts.append(f"{code}{f' from {pid}' if len(proposals) > 1 else ''} {runs} ({spec})")
        if parts:
            out += _pack([p + "," for p in parts[:-1]] + parts[-1:], f"  {heading:<16}")
    if out:
        # The median over the exits, the statistic of the rest of the answer (the mean
        # was printed here beside the table's medians).
        gain = ("; the realised welfare gain of that year, percent of real expenditure, "
                "median over its exits, for a state leaving on its own"
                if any(t.gain_n for t in st.exits.values()) else "")
        out[:0] = answer_lines(f"Who left, in how many of {n_runs} runs, in which year (each "
                               f"outside from the year after){gain}:")
        if any(k == "defection" for k, _, _ in st.exits):
            # The exit threshold is the most fragile parameter (README, "Who stays").
            out += answer_lines("These exits turn on the exit threshold: `scosim exits "
                                "<scenario file>` gives them at every threshold.")
    groups: dict[tuple[str, str], dict[str, int]] = {}
    for (pid, code, bloc), runs in st.bloc_invited.items():
        groups.setdefault((pid, bloc), {})[code] = runs
    for (pid, bloc), invited in sorted(groups.items()):
        asked = [c for c in bloc.split() if c not in invited]
        most = max(invited.values())
        when = _in_runs(most, n_runs, "up to ")
        out += answer_lines(
            f"{', '.join(sorted(invited))} {'was' if len(invited) == 1 else 'were'} invited "
            f"to {pid} with {'its' if len(invited) == 1 else 'their'} bloc's "
            f"{', '.join(asked)} (a customs union in force takes part whole; an SCO non-member's "
            f"no keeps its bloc out and vetoes nothing), {when}.")
    return out


def _in_runs(n: int, n_runs: int, bound: str = "") -> str:
    """``in every run``, or ``in {bound}n of n_runs runs``."""
    return "in every run" if n >= n_runs else f"in {bound}{n} of {n_runs} runs"


def barred_lines(st: RunStats, n_runs: int) -> list[str]:
    """One line per applicant whose accession was not put to the vote (``barred`` events)."""
    lines = []
    for (kind, code), n in sorted(st.event_counts.items()):
        if kind != "barred":
            continue
        runs = _in_runs(n, n_runs)
        lines += answer_lines(
            f"{economy_label(code).strip()}: its accession was not put to the vote {runs}: "
            f"it is under UN Security Council sanctions, which the SCO's 2010 Regulation on "
            f"admission bars from membership.")
    return lines
