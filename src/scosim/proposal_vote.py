"""The score terms of one proposal's first vote, gathered over a run's batches.

Part of a run's statistics (:attr:`scosim.runstats.RunStats.first_votes`): the vote
reasons figure and ``votes.csv`` read them. Memory grows with the voting states, not with
the runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from scosim.runstats import IndicatorStats
from scosim.vote_stats import CONTRIB_PREFIX, RULE_REPORT, add_finite, finite_mean

__all__ = ["ProposalVote"]


class ProposalVote:
    """Accumulates the score terms per voting state of one proposal's vote in one year.

    Memory grows with the voting states (and their held scores, up to
    :data:`EXACT_RUNS` each before the sketch answers), not with the batches added.

    Args:
        year: The year of the vote.
        proposal: The proposal's id.
    """

    def __init__(self, year: int, proposal: str) -> None:
        self.year = year
        self.proposal = proposal
        self.states: list[str] = []
        self.sums: dict[str, dict[str, float]] = {}
        self.n: dict[str, int] = {}
        self.yes: dict[str, int] = {}
        self.rules: dict[str, set[str]] = {}
        self.sponsor: dict[str, bool] = {}
        self.any_term: dict[str, bool] = {}
        #: Per state: sums of what its vote rule reported (``rule_score``, ...).
        self.reported: dict[str, dict[str, tuple[float, int]]] = {}
        self.runs = 0
        self.has_terms = False
        self._state_scores: dict[str, IndicatorStats] = {}

    def add(self, rows: pd.DataFrame, details: pd.DataFrame) -> None:
        """Add a batch's votes on the proposal in :attr:`year` and their detail columns."""
        self.runs += int(rows["run"].nunique())
        cols = [c for c in details.columns if c.startswith(CONTRIB_PREFIX)]
        self.has_terms = self.has_terms or bool(cols)
        # Columns are taken out of pandas once and sliced per state as arrays: selecting
        # from the frame state by state cost about 0.1 s a batch of 250 runs.
        contrib = details[cols].to_numpy(dtype=float) if cols else None
        yes = (details["yes"].fillna(True).astype(bool).to_numpy()
               if "yes" in details else None)
        rule = details["rule"].to_numpy(dtype=object) if "rule" in details else None
        sponsor = (details["sponsor"].fillna(False).astype(bool).to_numpy()
                   if "sponsor" in details else None)
        reported = {f: details[f].to_numpy(dtype=float) for f in RULE_REPORT if f in details}
        country = rows["country"].astype(str).to_numpy()
        states, first, inverse = np.unique(country, return_index=True, return_inverse=True)
        for g in np.argsort(first):  # states in order of appearance, as a groupby keeps them
            c = str(states[g])
            sel = np.flatnonzero(inverse == g)
            if c not in self.n:
                self.states.append(c)
                self.n[c], self.yes[c], self.rules[c], self.sponsor[c] = 0, 0, set(), False
                self.sums[c] = {}
                self._state_scores[c] = IndicatorStats(["score"])
            self.n[c] += sel.size
            part = contrib[sel] if contrib is not None else None
            if part is not None:
                for j, col in enumerate(cols):
                    v = part[:, j]
                    self.sums[c][col] = self.sums[c].get(col, 0.0) + math.fsum(v)
                    self.any_term[col] = self.any_term.get(col, False) or bool(np.any(v))
            if yes is not None:
                self.yes[c] += int(yes[sel].sum())
            if rule is not None:
                self.rules[c] |= {str(r) for r in rule[sel] if not pd.isna(r)}
            if sponsor is not None:
                self.sponsor[c] = self.sponsor[c] or bool(sponsor[sel].any())
            for f, v in reported.items():
                add_finite(self.reported.setdefault(c, {}), f, v[sel])
            if part is not None:
                score = part.sum(axis=1) * 100
                self._state_scores[c].add(
                    np.full(score.size, self.year), np.zeros(score.size), score)

    @property
    def terms_all_zero(self) -> bool:
        """Whether the vote carries score terms and every one was 0 for every state in every run.

        Then nothing was weighed: the score rule's yes at a score of 0 decided (an
        accession with no member-wide arrangement in force and neutral trust in the
        applicant, docs/model.md "Known gaps"), and the run's answer and vote figure
        say so rather than show an empty panel.
        """
        return self.has_terms and bool(self.states) and not any(self.any_term.values())

    def reasons(self, terms: Sequence[str]) -> dict[str, object] | None:
        """Means of the non-zero score terms (x 100), score percentiles, yes shares."""
        if not self.has_terms:
            return None
        used = [t for t in terms if self.any_term.get(CONTRIB_PREFIX + t, False)]
        means = pd.DataFrame(
            {t: [self.sums[c].get(CONTRIB_PREFIX + t, 0.0) / self.n[c] * 100
                 for c in self.states] for t in used},
            index=pd.Index(self.states, name="country"),
        )
        low = pd.Series({c: float(self._state_scores[c].quantile(0.05).iloc[0, 0])
                         for c in self.states})
        high = pd.Series({c: float(self._state_scores[c].quantile(0.95).iloc[0, 0])
                          for c in self.states})
        return {
            "means": means,
            "low": low,
            "high": high,
            "yes": pd.Series({c: self.yes[c] / self.n[c] for c in self.states}),
            "rules": pd.Series({c: self.rules[c] for c in self.states}),
            "sponsor": pd.Series({c: self.sponsor[c] for c in self.states}, dtype=bool),
            # Means of what each state's rule said of its own test (NaN: said nothing).
            **{f: pd.Series({c: finite_mean(self.reported.get(c, {}), f) for c in self.states},
                            dtype=float) for f in RULE_REPORT},
        }
