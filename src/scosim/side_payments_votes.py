"""The vote events of a run, split once by decision into plain arrays (``scosim transfers``).

:func:`scosim.side_payments.price_votes` prices every Council decision of a run; reading
each decision's votes as a pandas group cost about 3 ms a decision in column look-ups and
``fillna`` (docs/performance.md, "``scosim transfers`` at scale"). Here each field the
pricing reads is converted once for the whole table, with the conversion it had per
group (element by element, so the values are the same), and a decision's votes are
positional slices of those arrays, in the order of the events within the decision (as
``groupby`` keeps them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["TERMS", "DecisionVotes", "VoteTable"]

#: The Council's terms (voting.UtilityTerms), logged as ``contrib_<term>``.
TERMS = ("econ", "sovereignty", "trust", "dominance", "security")


@dataclass(frozen=True)
class DecisionVotes:
    """One decision's votes, one entry per voter (the event order).

    Attributes:
        country: Voters' codes.
        yes: The votes cast.
        rule: The logged vote rule of each voter.
        sponsor: Sponsors (missing: not one).
        utility: Logged scores.
        term_econ: Logged econ terms (shares of expenditure).
        noise: Logged vote shocks, missing as 0 (None: not logged).
        term_dominance: Logged relative-gains gaps, as logged (None: not logged).
        contrib: ``contrib_<term>`` -> weighted term, missing as 0 (the fields logged).
    """

    country: list[str]
    yes: np.ndarray
    rule: list[Any]
    sponsor: np.ndarray
    utility: np.ndarray
    term_econ: np.ndarray
    noise: np.ndarray | None
    term_dominance: np.ndarray | None
    contrib: dict[str, np.ndarray]

    def fields(self, names: Sequence[str]) -> np.ndarray | None:
        """The named ``contrib_*``/``noise`` fields, ``(n, len(names))``; None if one is absent."""
        cols = []
        for name in names:
            v = self.noise if name == "noise" else self.contrib.get(name)
            if v is None:
                return None
            cols.append(v)
        return np.column_stack(cols) if cols else np.zeros((len(self.country), 0))


class VoteTable:
    """The ``vote`` events of a run, looked up by decision ``(run, year, proposal)``."""

    def __init__(self, votes: pd.DataFrame) -> None:
        """Convert the fields once and index the decisions.

        Args:
            votes: ``vote`` events (the fields :func:`scosim.side_payments.price_votes`
                documents).
        """
        self._pos: dict[Any, np.ndarray] = (
            votes.groupby(["run", "year", "proposal"], sort=True).indices
            if not votes.empty else {})

        def floats(name: str, fill: bool) -> np.ndarray | None:
            if name not in votes:
                return None
            s = votes[name].fillna(0.0) if fill else votes[name]
            return s.to_numpy(dtype=float)

        self._country = votes["country"].to_numpy(dtype=object)
        self._rule = votes["rule"].to_numpy(dtype=object)
        self._yes = votes["yes"].to_numpy(dtype=bool)
        self._sponsor = votes["sponsor"].fillna(False).to_numpy(dtype=bool)
        self._utility = votes["utility"].to_numpy(dtype=float)
        self._term_econ = votes["term_econ"].to_numpy(dtype=float)
        self._noise = floats("noise", True)
        self._term_dominance = floats("term_dominance", False)
        self._contrib = {f"contrib_{t}": floats(f"contrib_{t}", True) for t in TERMS}

    def get(self, key: tuple[Any, Any, Any]) -> DecisionVotes | None:
        """The votes of decision ``key``; None if nobody voted in it."""
        p = self._pos.get(key)
        if p is None or p.size == 0:
            return None
        return DecisionVotes(
            country=self._country[p].tolist(), yes=self._yes[p], rule=self._rule[p].tolist(),
            sponsor=self._sponsor[p], utility=self._utility[p], term_econ=self._term_econ[p],
            noise=None if self._noise is None else self._noise[p],
            term_dominance=(None if self._term_dominance is None
                            else self._term_dominance[p]),
            contrib={c: v[p] for c, v in self._contrib.items() if v is not None})
