"""What became of a run's proposals: one line each, read from its votes and adoptions.

Split from :mod:`scosim.run_headline` (size): the run's answer ends its vote block with
these lines, and ``scosim compare`` says in one sentence what became of the proposals in
its two runs (a comparison showing no difference often means a proposal was rejected in
every run).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from scosim.indicator_display import percent_of_runs
from scosim.result_tables import _join, read_batches
from scosim.tty_lines import ANSWER_WIDTH, answer_lines

__all__ = ["compare_outcome", "outcome_lines", "run_outcome", "wrap_answer", "zero_score_lines"]


def outcome_lines(voted: Iterable[str], adopted_runs: Mapping[str, int],
                  n_runs: int, status: Mapping[str, str] | None = None) -> list[str]:
    """One line per proposal voted on or adopted: the share of runs in which it was adopted.

    Args:
        voted: Proposals put to a vote in some run.
        adopted_runs: Runs in which each proposal was adopted.
        n_runs: The run's replications.
        status: What became of an adopted proposal after its adoption, by id (a
            corridor's "operating in 2035 in 3 of 6 (failed in 3)",
            :func:`scosim.network.corridor_status.corridor_status`): said after the
            verdict, as "adopted in every run" alone read as a line that stands.
    """
    proposals = sorted(set(voted) | set(adopted_runs))
    runs = max(n_runs, 1)
    lines = []
    for pid in proposals:
        n = adopted_runs.get(pid, 0)
        verdict = ("rejected in every run" if n == 0
                   else "adopted in every run" if n == runs
                   else f"adopted in {percent_of_runs(n / runs, runs)} % of runs")
        after = (status or {}).get(pid) if n else None
        lines += (answer_lines(f"proposal {pid}: {verdict}; {after}") if after
                  else [f"proposal {pid}: {verdict}"])
    return lines


#: What the answer says of a vote in which every term of every voter's score was 0.
ZERO_SCORE_NOTE = (
    "every voting state's score terms were 0 at its {year} vote, in every run: nothing was "
    "weighed, and the outcome is the vote rule's default at a score of 0 (yes), not a "
    "finding. An accession with no member-wide customs union in force (and the security "
    "slot empty) rests on trust in the applicant alone, neutral here (docs/model.md, "
    "Known gaps); to study it, raise parameters.weights.trust or move trust in the "
    "applicant with a trust_shock event.")


def zero_score_lines(st: Any) -> list[str]:
    """A caveat per proposal whose first vote weighed nothing: every score term was 0.

    Said under the proposal's outcome (``adopted in every run``, every member 0 % no),
    which would otherwise read as a verdict. Only where some state voted on the score
    (a committed rule, ``always_yes``, decides without it and says so elsewhere).

    Args:
        st: The run's :class:`~scosim.runstats.RunStats`.
    """
    from scosim.vote_stats import decided_by

    lines: list[str] = []
    for vote in st.ordered_first_votes():
        if not vote.terms_all_zero:
            continue
        if not any("score" in decided_by(vote.rules[c]).split() for c in vote.states):
            continue
        lines += textwrap.wrap(f"proposal {vote.proposal}: "
                               + ZERO_SCORE_NOTE.format(year=vote.year), ANSWER_WIDTH)
    return lines


def run_outcome(run: str | Path, n_runs: int) -> list[str]:
    """:func:`outcome_lines` of a finished run, read from its votes and adoptions only.

    Args:
        run: A run directory or a run's URL.
        n_runs: Its replications.

    Returns:
        The lines; none when the run voted on nothing (or keeps no events).
    """
    try:
        ev = read_batches(_join(run, "events"), types=["vote", "adopted"],
                          columns=["run", "type", "proposal"], sort=False)
    except FileNotFoundError:
        return []
    adopted = ev[ev["type"] == "adopted"]
    return outcome_lines(
        {str(p) for p in ev.loc[ev["type"] == "vote", "proposal"].dropna().unique()},
        {str(p): int(n) for p, n in
         adopted.groupby("proposal", observed=True)["run"].nunique().items()},
        n_runs)


def compare_outcome(policy: str | Path | None, baseline: str | Path | None,
                    n_runs: int) -> str:
    """What became of the proposals in the two runs of a comparison, one sentence.

    A comparison that shows no difference often means the proposal was rejected
    in every run: saying so is the answer. Empty when neither run voted (or
    neither is on disk).
    """
    said = {role: run_outcome(run, n_runs) if run is not None else []
            for role, run in (("policy", policy), ("baseline", baseline))}
    if not any(said.values()):
        return ""
    return "Votes: " + "; ".join(
        f"in the {role} runs, " + ("; ".join(lines) if lines else "no proposal was voted on")
        for role, lines in said.items()) + "."


def wrap_answer(text: str, width: int = ANSWER_WIDTH) -> list[str]:
    """``text`` wrapped for the answer, never inside a `command` nor before a ``%`` sign.

    textwrap broke "RUS 100 %" into "RUS 100" and "%", and a backticked ``--set``
    command at its space, which a reader then cannot paste whole
    (:func:`scosim.tty_lines.answer_lines`).
    """
    return answer_lines(text, width)
