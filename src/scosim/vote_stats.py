"""Why states voted as they did, at every vote: mean terms of their scores over runs.

Each ``vote`` event records the weighted terms of the voting state's score
(``contrib_econ``, ``contrib_sovereignty``, ...: they add up to the score before the
random shock; docs/model.md, event log) and how it voted. ``plots/vote_reasons.png``
draws them at each proposal's first vote only (one panel a proposal);
:class:`VoteTerms` keeps their sums for every (proposal, year, state), batch by batch,
so that the run's ``votes.csv`` gives the reasons of every vote, repeated ones too,
without reading every event again (memory grows with the votes held, never with the
runs).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COMMITTED_RULES", "CONTRIB_PREFIX", "DECISION_REPORT", "DECISIVE", "RULE_REPORT",
           "SCORE_RULES", "VOTES_FILE", "VoteRuns", "VoteTerms", "add_finite", "decided_by",
           "finite_mean", "rule_name"]

#: Vote fields holding a weighted term of the score.
CONTRIB_PREFIX = "contrib_"
#: Vote fields holding a term before its weight (``term_dominance``: the relative-gains gap).
RAW_PREFIX = "term_"
#: The share of a vote's distance from its bar (|utility|, the score with its shock) a
#: weight change must move its score by for the weight to be worth varying. The exact
#: flip is 1; a tenth keeps a term within an order of magnitude of deciding (other runs
#: draw other shocks, nearer the bar), and leaves out a gap of 1e-9 that moves nothing.
DECISIVE = 0.1
#: The run's table of vote reasons (written with the plots and ``summary.csv``).
VOTES_FILE = "votes.csv"
#: Terms in the order the vote-reasons figure lists them; others follow, by name.
ORDER = ("econ", "sovereignty", "trust", "dominance", "security")

Key = tuple[str, int, str]

#: Vote rules that decide on the score the terms add up to (plus the random shock).
SCORE_RULES = ("utility_vote", "score_only_vote")
#: Vote rules that ignore the state's score: the scenario commits the vote.
COMMITTED_RULES = ("always_yes", "always_no")


def rule_name(rule: str) -> str:
    """``always_yes`` for ``always_yes`` and ``scosim.rules.builtin:always_yes``."""
    return rule.rsplit(":", 1)[-1] if rule.startswith("scosim.rules.builtin:") else rule


def decided_by(rules: set[str] | frozenset[str]) -> str:
    """What decided votes cast by ``rules`` (the names or paths the events log).

    ``score``: a rule of :data:`SCORE_RULES`, deciding on the score the terms add up to
    (plus the shock); ``committed``: a rule of :data:`COMMITTED_RULES`, which reads no
    score; ``own_rule``: any other rule (built in, such as ``gains_only``, or a user's),
    which decides on a test of its own, so the terms are not the score it decided on.
    Several, space-separated, when the votes used rules of several kinds; ``""`` when
    no rule was logged.
    """
    kinds = {"score" if rule_name(r) in SCORE_RULES
             else "committed" if rule_name(r) in COMMITTED_RULES else "own_rule"
             for r in rules}
    return " ".join(k for k in ("score", "committed", "own_rule") if k in kinds)


#: What a vote rule reports of its own test (:class:`scosim.rules.RuleScore`), per vote.
RULE_REPORT = ("rule_score", "rule_threshold")
#: What the Council's decision rule reports, per proposal and year (adopted/rejected).
DECISION_REPORT = ("decision_score", "decision_threshold")


def add_finite(sums: dict[str, tuple[float, int]], name: str, v: object) -> None:
    """Add the non-NaN values ``v`` to ``sums[name]`` (a missing value is not a zero)."""
    import numpy as np

    v = np.asarray(v, dtype=float)
    v = v[~np.isnan(v)]
    total, count = sums.get(name, (0.0, 0))
    sums[name] = (total + math.fsum(v), count + v.size)


def finite_mean(sums: dict[str, tuple[float, int]], name: str) -> float:
    """The mean of what :func:`add_finite` summed under ``name``; NaN when nothing."""
    total, count = sums.get(name, (0.0, 0))
    return total / count if count else float("nan")


class VoteTerms:
    """Sums over runs of each vote's score terms, by proposal, year and voting state."""

    def __init__(self) -> None:
        self.n: dict[Key, int] = {}
        self.yes: dict[Key, int] = {}
        #: Per key and term: (sum of the term, number of votes that carry it).
        self.sums: dict[Key, dict[str, tuple[float, int]]] = {}
        self.rules: dict[Key, set[str]] = {}
        self.terms: list[str] = []
        #: Per key and reported field (``rule_score``, ``rule_threshold``): (sum, votes).
        self.reported: dict[Key, dict[str, tuple[float, int]]] = {}
        #: Per (proposal, year): the decision rules logged and the sums of their reports.
        self.decision_rules: dict[tuple[str, int], set[str]] = {}
        self.decided: dict[tuple[str, int], dict[str, tuple[float, int]]] = {}
        #: The raw (unweighted) terms the votes logged (``term_<name>``), and those of them
        #: non-zero in some vote its rule could decide on: a weight on a term zero in every
        #: such vote changes no vote (:meth:`term_moves`).
        self.raw_logged: set[str] = set()
        self.raw_nonzero: set[str] = set()
        #: Per raw term: the largest, over those votes, of |term| / |utility| (the score
        #: with its shock, whose bar is 0): how far a unit of weight on the term moves
        #: that vote's score, as a share of its distance from the bar (:meth:`term_decides`).
        self.raw_leverage: dict[str, float] = {}

    def term_moves(self, name: str) -> bool | None:
        """Whether the raw term ``name`` was non-zero in some vote its rule could decide on.

        Committed votes (``always_yes``, ``always_no``) and a sponsor's vote under
        ``utility_vote`` read no score, so a term there moves nothing. None: never logged
        (a run whose events carry no ``term_<name>``).
        """
        if name not in self.raw_logged:
            return None
        return name in self.raw_nonzero

    def term_decides(self, name: str, change: float) -> bool | None:
        """Whether changing the weight on ``name`` by ``change`` could turn some vote.

        True where, in some vote its rule could decide on, the change moves the score by
        at least :data:`DECISIVE` of that vote's distance from its bar; None where the
        term was never logged. A vote logged without its utility counts as on its bar.
        """
        if name not in self.raw_logged:
            return None
        return abs(change) * self.raw_leverage.get(name, 0.0) >= DECISIVE

    def add(self, votes: pd.DataFrame, details: pd.DataFrame) -> None:
        """Add a batch's vote events and their detail columns (same index)."""
        import numpy as np

        cols = [c for c in details.columns if c.startswith(CONTRIB_PREFIX)]
        for c in cols:
            if c[len(CONTRIB_PREFIX):] not in self.terms:
                self.terms.append(c[len(CONTRIB_PREFIX):])
        yes = (details["yes"].fillna(True).astype(bool).to_numpy() if "yes" in details
               else None)
        rule = details["rule"].to_numpy(dtype=object) if "rule" in details else None
        values = {c: details[c].to_numpy(dtype=float) for c in cols}
        reported = {c: details[c].to_numpy(dtype=float) for c in RULE_REPORT if c in details}
        # Votes whose rule could turn on a term: not a committed vote, nor a sponsor's
        # under utility_vote (a sponsor votes for its own proposal whatever its score).
        names = [rule_name(str(r)) for r in rule] if rule is not None else []
        sponsor = (details["sponsor"].fillna(False).astype(bool).to_numpy()
                   if "sponsor" in details else np.zeros(len(details), bool))
        reads = np.array([n not in COMMITTED_RULES and not (n == "utility_vote" and sp)
                          for n, sp in zip(names, sponsor, strict=True)]
                         if names else ~sponsor, dtype=bool)
        util = (np.abs(details["utility"].to_numpy(dtype=float))[reads]
                if "utility" in details else np.full(int(reads.sum()), np.nan))
        for c in details.columns:
            if str(c).startswith(RAW_PREFIX):
                raw = details[c].to_numpy(dtype=float)[reads]
                name = str(c)[len(RAW_PREFIX):]
                self.raw_logged.add(name)
                moved = ~np.isnan(raw) & (raw != 0)
                if moved.any():
                    self.raw_nonzero.add(name)
                    # A vote on its bar (utility 0) or without one logged: any term decides.
                    with np.errstate(divide="ignore"):
                        lev = np.where(np.isnan(util[moved]), np.inf,
                                       np.abs(raw[moved]) / util[moved])
                    self.raw_leverage[name] = max(self.raw_leverage.get(name, 0.0),
                                                  float(lev.max()))
        # Positions of each (proposal, year, state), in the order met: one pass in pandas,
        # then a loop over the few hundred groups, not the votes of every run.
        keyed = votes.assign(proposal=votes["proposal"].astype(str),
                             country=votes["country"].astype(str),
                             year=votes["year"].astype(int))
        groups = keyed.groupby(["proposal", "year", "country"], sort=False).indices
        for key, rows in sorted(groups.items(), key=lambda kv: kv[1][0]):
            k: Key = (str(key[0]), int(key[1]), str(key[2]))
            self.n[k] = self.n.get(k, 0) + len(rows)
            if yes is not None:
                self.yes[k] = self.yes.get(k, 0) + int(yes[rows].sum())
            if rule is not None:
                self.rules.setdefault(k, set()).update(
                    str(r) for r in rule[rows] if isinstance(r, str))
            sums = self.sums.setdefault(k, {})
            for c in cols:
                add_finite(sums, c, values[c][rows])
            for c, v in reported.items():
                add_finite(self.reported.setdefault(k, {}), c, v[rows])

    def add_decisions(self, decided: pd.DataFrame, details: pd.DataFrame) -> None:
        """Add a batch's ``adopted`` and ``rejected`` events and their detail columns."""
        if decided.empty:
            return
        keys = list(zip(decided["proposal"].astype(str), decided["year"].astype(int),
                        strict=True))
        rule = (details["decision_rule"].to_numpy(dtype=object)
                if "decision_rule" in details else None)
        values = {c: details[c].to_numpy(dtype=float) for c in DECISION_REPORT
                  if c in details}
        groups: dict[tuple[str, int], list[int]] = {}
        for row, key in enumerate(keys):
            groups.setdefault(key, []).append(row)
        for key, rows in groups.items():
            if rule is not None:
                self.decision_rules.setdefault(key, set()).update(
                    str(r) for r in rule[rows] if isinstance(r, str))
            for c, v in values.items():
                add_finite(self.decided.setdefault(key, {}), c, v[rows])

    def table(self) -> pd.DataFrame:
        """One row per proposal, year and voting state, in the order votes were met.

        Columns: ``proposal, year, country, votes`` (votes cast over all runs),
        ``yes_share``, ``score_pp`` (mean of the terms' sum) and ``contrib_<term>_pp``
        per term (mean over the votes that carry it), both in percentage points of
        real expenditure, as in ``plots/vote_reasons.png``; ``rules`` (the vote rules
        used, space-separated: a rule that ignores the score commits the vote);
        ``decided_by`` (:func:`decided_by`: ``score`` when the rules decided on this
        score, ``committed`` or ``own_rule`` when not). Then what the rules said of
        their own tests (:class:`scosim.rules.RuleScore`; NaN or empty where a rule said
        nothing): ``rule_score`` and ``rule_threshold``, the means over the votes whose
        rule reported them, in the rule's own units; ``decision_rule`` (the Council's
        decision rule, space-separated if several), ``decision_score`` and
        ``decision_threshold``, the decision rule's means over the runs that decided the
        proposal that year, the same in each of its rows. Added after ``decided_by``, so
        that the others read as before.
        """
        import pandas as pd

        terms = [t for t in ORDER if t in self.terms] + sorted(
            t for t in self.terms if t not in ORDER)
        rows = []
        for k, n in self.n.items():
            sums = self.sums.get(k, {})
            means = {t: (100.0 * sums[CONTRIB_PREFIX + t][0] / sums[CONTRIB_PREFIX + t][1]
                         if sums.get(CONTRIB_PREFIX + t, (0.0, 0))[1] else float("nan"))
                     for t in terms}
            score = math.fsum(v for v in means.values() if v == v) if terms else float("nan")
            rows.append({"proposal": k[0], "year": k[1], "country": k[2], "votes": n,
                         "yes_share": self.yes[k] / n if k in self.yes else float("nan"),
                         "score_pp": score,
                         **{f"{CONTRIB_PREFIX}{t}_pp": means[t] for t in terms},
                         "rules": " ".join(sorted(self.rules.get(k, set()))),
                         "decided_by": decided_by(self.rules.get(k, set())),
                         **{c: finite_mean(self.reported.get(k, {}), c) for c in RULE_REPORT},
                         "decision_rule": " ".join(sorted(self.decision_rules.get(k[:2],
                                                                               set()))),
                         **{c: finite_mean(self.decided.get(k[:2], {}), c)
                            for c in DECISION_REPORT}})
        cols = ["proposal", "year", "country", "votes", "yes_share", "score_pp",
                *[f"{CONTRIB_PREFIX}{t}_pp" for t in terms], "rules", "decided_by",
                *RULE_REPORT, "decision_rule", *DECISION_REPORT]
        return pd.DataFrame(rows, columns=cols)


Pair = tuple[str, str]


def _add_runs(tally: dict[Pair, int], rows: pd.DataFrame) -> None:
    """Add to ``tally[(proposal, country)]`` the runs in which ``rows`` have one."""
    if rows.empty:
        return
    for key, n in rows.groupby(["proposal", "country"], sort=False, observed=True,
                               dropna=False)["run"].nunique().items():
        k = (str(key[0]), str(key[1]))
        tally[k] = tally.get(k, 0) + int(n)


class VoteRuns:
    """Runs, not votes: per (proposal, state), in how many runs it voted, said no, vetoed.

    A proposal that fails may come to a vote again in a later year, so a state can vote
    several times in a run; the answer counts runs (in how many the state said no), as it
    counts the runs in which a proposal was adopted. Fed block by block of whole runs
    (:class:`scosim.run_blocks.BlockedStats`), so the runs of one batch are new to it.
    """

    def __init__(self) -> None:
        #: Runs in which the state voted on the proposal.
        self.voted: dict[Pair, int] = {}
        #: Runs in which it voted no at least once.
        self.no: dict[Pair, int] = {}
        #: Runs with a ``veto`` event: its no under a rule that gives a veto (consensus),
        #: or its objection, left outside, to the willing going ahead (its consent rule).
        self.vetoed: dict[Pair, int] = {}
        #: Runs in which a rule of :data:`COMMITTED_RULES` cast its vote, and of those the
        #: runs in which its own score said no (``utility``, the score with its shock,
        #: below zero, the proposer and co-sponsors excepted, as :func:`utility_vote`).
        self.committed: dict[Pair, int] = {}
        self.score_no: dict[Pair, int] = {}

    def add(self, events: pd.DataFrame, votes: pd.DataFrame,
            details: pd.DataFrame | None) -> None:
        """Add a batch's events, its ``vote`` events and their detail columns (same index).

        ``details`` is None when the batch has no vote.
        """
        _add_runs(self.vetoed, events[events["type"] == "veto"])
        if votes.empty or details is None:
            return
        _add_runs(self.voted, votes)
        if "yes" in details:
            _add_runs(self.no, votes[~details["yes"].fillna(True).astype(bool).to_numpy()])
        if "rule" not in details:
            return
        rule = details["rule"].map(lambda r: isinstance(r, str)
                                   and rule_name(r) in COMMITTED_RULES).to_numpy(dtype=bool)
        _add_runs(self.committed, votes[rule])
        if "utility" in details:
            sponsor = (details["sponsor"].fillna(False).astype(bool).to_numpy()
                       if "sponsor" in details else False)
            said_no = rule & ~sponsor & (details["utility"].to_numpy(dtype=float) < 0.0)
            _add_runs(self.score_no, votes[said_no])
