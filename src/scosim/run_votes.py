"""The vote columns and lines of a run's answer: in how many runs each state voted no.

Split from :mod:`scosim.run_headline` (size). One statistic whatever the Council's
decision rule: the **share of runs in which the state voted no** on a proposal (under
consensus a member's no is a veto, which the notes say), per proposal when a run votes on
several. A state that was not among a proposal's voters is marked "did not vote", not
given a share: a member outside a free-trade area was listed at "0.00", as if it had
accepted it. Where a proposal came to a vote again in a later year, so that a state
voted more than once in a run, the mean number of its votes against a run is given
beside the share ("no votes"); where a state left outside objected to the willing going
ahead (the ``interested_members`` rule), the share of runs it objected ("objected").

When the scenario committed the votes (``always_yes``, ``always_no``), the states'
scores were still computed and logged: :func:`committed_lines` says who would have
voted no on its own score, from those records.
"""

from __future__ import annotations

from collections.abc import Sequence

from scosim.indicator_display import percent_of_runs
from scosim.run_outcome import wrap_answer
from scosim.runstats import RunStats
from scosim.tty_lines import whole
from scosim.vote_stats import COMMITTED_RULES, rule_name

__all__ = ["A_VETO", "DID_NOT_VOTE", "NO_ON", "committed_lines", "is_share", "veto_rule_of",
           "vote_cell", "vote_columns", "vote_notes"]

#: The prefix of a per-proposal share of runs with a no, when a run votes on several.
NO_ON = "no: "
#: Under a rule that gives a veto (consensus): the share of runs in which the state's no was
#: one, beside ``voted no`` where some no was not (a non-member asked with its bloc).
A_VETO = "no was a veto"
#: A share column's cell for a state that was not among the proposal's voters.
DID_NOT_VOTE = "did not vote"
#: Share columns (percent of runs) and, after them, mean numbers a run.
_SHARES = ("voted no", NO_ON, A_VETO, "objected", "left")
_COUNTS = ("no votes", "withdrew")


def is_share(heading: str) -> bool:
    """Whether a vote column is a share of runs (printed in percent), not a number a run."""
    return heading in ("voted no", A_VETO, "objected", "left") or heading.startswith(
        (NO_ON, "objected: ", f"{A_VETO}: "))


def vote_cell(heading: str, value: float, width: int, runs: int = 0) -> str:
    """A vote column's cell, right-aligned in ``width``: ``100 %``, ``0.50``, did not vote.

    ``runs``: the runs a share is of (one decimal above 100, :func:`percent_of_runs`).
    """
    if value != value:  # NaN: the state was not among the voters (blank for "left")
        return (f"{DID_NOT_VOTE:>{width}}" if is_share(heading) and heading != "left"
                else " " * width)
    if is_share(heading):
        return f"{percent_of_runs(value / 100, runs):>{width - 2}} %"
    return f"{value:>{width}.2f}"


def _proposals(st: RunStats) -> list[str]:
    """The proposals voted on, in the order of the vote figure (first vote, scenario)."""
    first = [v.proposal for v in st.ordered_first_votes()]
    return first + sorted({p for p, _ in st.vote_runs.voted} - set(first))


def _veto_rule(name: str) -> bool:
    """Whether the decision rule ``name`` makes a voter's no a veto (consensus)."""
    try:
        from scosim.model.decision_rules import get_decision_rule

        return bool(get_decision_rule(name).veto)
    except Exception:  # a plug-in rule not installed here: known by name only
        return rule_name(name) == "consensus"


def veto_rule_of(st: RunStats, pid: str) -> str | None:
    """The decision rule under which a no on ``pid`` was a veto; None when it was not.

    Read from the decisions' records; a run that recorded none (made before they were
    logged) counts a no as a veto when every veto matches a no.
    """
    rules = {r for (p, _), names in st.vote_terms.decision_rules.items() if p == pid
             for r in names}
    if rules:
        return " or ".join(sorted(rules)) if all(_veto_rule(r) for r in rules) else None
    runs = st.vote_runs
    vetoes = {c: n for (p, c), n in runs.vetoed.items() if p == pid}
    return ("its decision rule" if vetoes and all(n <= runs.no.get((pid, c), 0)
                                          for c, n in vetoes.items()) else None)


def _no_without_veto(st: RunStats, pid: str, concerned: Sequence[str]) -> list[str]:
    """The states whose no on ``pid`` was no veto in some run, under a rule giving vetoes.

    Empty when ``pid``'s decision rule gives no veto: then no no is one, and the column
    ``voted no`` says all. A state is listed when it said no in more runs than it vetoed.
    """
    if veto_rule_of(st, pid) is None:
        return []
    vr = st.vote_runs
    return [c for c in concerned if vr.no.get((pid, c), 0) > vr.vetoed.get((pid, c), 0)]


def vote_columns(st: RunStats, concerned: Sequence[str],
                 n_runs: int) -> dict[str, list[float]]:
    """The vote columns of the answer's rows ``concerned``, in the order printed.

    Args:
        st: The run's statistics.
        concerned: The table's economies.
        n_runs: The run's replications (the shares' denominator: every run).

    Returns:
        ``{heading: values}``: shares of runs in percent (``voted no``, or ``no: <id>``
        per proposal; ``objected``), NaN where the state did not vote on the proposal;
        ``left``, the share of runs in percent in which the state left, on its own or
        with its bloc; mean numbers a run (``no votes``, where a state voted more than
        once in a run; ``withdrew``). Only the columns that occur; no share column when no
        state voted no in any run.
    """
    runs, vr = max(n_runs, 1), st.vote_runs
    proposals = _proposals(st)
    many = len(proposals) > 1
    out: dict[str, list[float]] = {}

    def share(tally: dict[tuple[str, str], int], pid: str) -> list[float]:
        return [100.0 * tally.get((pid, c), 0) / runs if vr.voted.get((pid, c), 0)
                else float("nan") for c in concerned]

    if any(vr.no.get((p, c), 0) for p in proposals for c in concerned):
        for pid in proposals:
            out[f"{NO_ON}{pid}" if many else "voted no"] = share(vr.no, pid)
            if _no_without_veto(st, pid, concerned):
                # Under consensus only a member's no is a veto: beside the no, whether it
                # was one (a non-member asked with its bloc blocks nothing).
                out[f"{A_VETO}: {pid}" if many else A_VETO] = share(vr.vetoed, pid)
        for pid in proposals:
            # Asked again in a later year (re-tabled; outsiders asked to join one in
            # force): then the number of votes against, too.
            if any(st.votes_by.get((pid, c), 0) > vr.voted.get((pid, c), 0)
                   for c in concerned):
                out[f"no votes: {pid}" if many else "no votes"] = [
                    st.no_votes_by.get((pid, c), 0) / runs if vr.voted.get((pid, c), 0)
                    else float("nan") for c in concerned]
    for pid in proposals:
        # Vetoes that are not a no under consensus: objections of those left outside.
        if veto_rule_of(st, pid) is None and any(vr.vetoed.get((pid, c), 0)
                                                 for c in concerned):
            out[f"objected: {pid}" if many else "objected"] = [
                100.0 * vr.vetoed.get((pid, c), 0) / runs for c in concerned]
    withdrew = [st.event_counts.get(("withdrew", c), 0) for c in concerned]
    if any(withdrew):
        out["withdrew"] = [n / runs for n in withdrew]
    # The share of runs in which the state left, on its own or with its bloc: a mean number
    # of exits a run ("0.75") read as a share in a table otherwise in percent.
    left = [st.exit_runs.get(c, 0) for c in concerned]
    if any(left):
        out["left"] = [100.0 * n / runs for n in left]
    return out


def vote_notes(st: RunStats, headings: Sequence[str], concerned: Sequence[str],
               n_runs: int) -> list[str]:
    """The notes that say what the vote columns ``headings`` count (joined with "; ")."""
    notes: list[str] = []
    vr, proposals = st.vote_runs, _proposals(st)
    if "voted no" in headings or any(h.startswith(NO_ON) for h in headings):
        one = "voted no" in headings
        text = ("voted no: share of runs in which the state voted no" if one
                else "no: share of runs in which the state voted no on that proposal")
        vetoes = {p: r for p in proposals if (r := veto_rule_of(st, p))}
        if vetoes:
            rules = " or ".join(sorted(set(vetoes.values())))
            text += (f" (under {rules} a member's no is a veto)"
                     if one or len(vetoes) == len(proposals)
                     else f" (a member's no on {', '.join(vetoes)} is a veto, under {rules})")
        notes.append(text)
        some = sorted({f"{c} {vr.voted[(p, c)]}" for p in proposals for c in concerned
                       if 0 < vr.voted.get((p, c), 0) < n_runs})
        if some:
            notes.append(f"voted in only some of the {n_runs} runs (shares are of all "
                         f"runs): {', '.join(some)}")
        if any(vr.voted.get((p, c), 0) == 0 for p in proposals for c in concerned):
            notes.append(f"{DID_NOT_VOTE}: not among the proposal's voters in any run")
    if any(h == A_VETO or h.startswith(f"{A_VETO}: ") for h in headings):
        kept = sorted({c for p in proposals for c in _no_without_veto(st, p, concerned)})
        notes.append(f"{A_VETO}: share of runs in which the state's no was a veto, which "
                     "blocks the proposal for all (a member's no); a no that was not "
                     f"({', '.join(kept)}) blocks nothing: a non-member asked with its bloc "
                     "(Armenia with the EAEU) keeps only itself and its bloc out, a state "
                     "asked later to join a union in force only itself")
    if any(h == "no votes" or h.startswith("no votes: ") for h in headings):
        notes.append(f"no votes: mean number of the state's votes against a run, over all "
                     f"{n_runs} runs (a number, not a share of runs: a state can be asked "
                     "again in a later year, a proposal tabled again or those outside a "
                     "union in force asked to join it)")
    if any(h == "objected" or h.startswith("objected: ") for h in headings):
        notes.append("objected: share of runs in which the state, left outside, objected to "
                     "the willing going ahead (its consent rule; a veto)")
    return notes


def committed_lines(st: RunStats, n_runs: int) -> list[str]:
    """Who voted by a rule that ignores the score, and who would have voted no on its own.

    One line per proposal when several were voted, at each proposal's first vote (the
    first proposal only used to be read). The votes' records keep each state's score
    (``utility``, with its shock): below zero, the state would have voted no under
    ``utility_vote`` (the proposer and co-sponsors excepted, as that rule excepts them).
    The answer used to end "the scenario decided them, not the states' scores", with no
    pointer to who would have said no.

    Args:
        st: The run's statistics.
        n_runs: Its replications.

    Returns:
        Wrapped lines; none when no rule committed a vote.
    """
    lines = []
    votes = st.ordered_first_votes()
    for vote in votes:
        by_rule: dict[str, list[str]] = {}
        for c in vote.states:
            for rule in sorted(r for r in vote.rules[c] if rule_name(r) in COMMITTED_RULES):
                by_rule.setdefault(rule, []).append(c)
        if not by_rule:
            continue
        parts = [f"{'every state' if len(cs) == len(vote.states) else ', '.join(cs)} "
                 f"by rule {r}" for r, cs in by_rule.items()]
        on = f" on {vote.proposal!r}" if len(votes) > 1 else ""
        lines.append(f"Votes{on} in {vote.year} were committed ({'; '.join(parts)})")
    if not lines:
        return []
    # One paragraph, wrapped once: a line per piece left "the scenario decided them" alone.
    said = "; ".join([lines[0], *(line[0].lower() + line[1:] for line in lines[1:])])
    out = wrap_answer(said + ": the scenario decided them, not the states' scores.")
    return out + _own_score_lines(st, n_runs)


def _own_score_lines(st: RunStats, n_runs: int) -> list[str]:
    """Who would have voted no on its own score, where a rule committed its vote."""
    vr, runs = st.vote_runs, max(n_runs, 1)
    proposals = [p for p in _proposals(st) if any(q == p for q, _ in vr.committed)]
    if not proposals:
        return []
    parts = []
    for pid in proposals:
        said = sorted(((n, c) for (p, c), n in vr.score_no.items() if p == pid and n),
                      key=lambda x: (-x[0], x[1]))
        bound = sum(1 for (p, _), n in vr.committed.items() if p == pid and n)
        on = f"on {pid!r}: " if len(proposals) > 1 else ""
        # "PAK 100 %" on one line: "PAK" at a line's end and "100 %" under it read apart.
        shares = ", ".join(whole(f"{c} {percent_of_runs(n / runs, runs)} %") for n, c in said)
        parts.append(on + (f"{shares}; the other committed voters yes in every run"
                           if said and len(said) < bound else shares if said
                           else "every committed voter yes in every run"))
    text = ("On its own score (not used: the scenario committed the votes), the share of runs "
            "in which each state would have voted no (as utility_vote: the score with its "
            f"shock below zero, the proposer excepted): {'; '.join(parts)}. "
            "`--set parameters.rules.vote=utility_vote` lets the scores decide (a state "
            "given its own rule under `countries` keeps it).")
    return wrap_answer(text)
