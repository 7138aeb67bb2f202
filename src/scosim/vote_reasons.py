"""Why a state votes no: the logged terms of its score, medians over the runs it said no.

Readers of ``customs_union_consensus.yaml`` asked why Pakistan, which gains from the
union, vetoes it. The Council's score of a proposal is a weighted sum of terms plus a
random shock (docs/model.md, "The Council", steps 3-4), and every ``vote`` event logs
the weighted terms (``contrib_econ``, ``contrib_dominance``, ...), the shock (``noise``)
and their sum (``utility``), which the vote rule compares with 0. This module reads those
fields, never the model: :func:`decompose` lays one vote's score out term by term (in
every vote the terms and the shock add up to ``utility``, the identity
tests/test_vote_reasons.py checks against the logged votes), :class:`NoReasons` keeps
their quantiles over runs, block by block of whole runs, and :func:`why_no_lines` says
in the run's answer which terms outweigh the gain.

Which vote of a run: a failed proposal can come back in a later year, so a state may
vote on it several times in a run. Per run and state, the state's first no (its first
vote when it never said no); "votes no in n of N runs" then counts the runs with a no,
as the answer's "voted no" column does. Only votes decided by the score count (the
rules of :data:`scosim.vote_stats.SCORE_RULES`, the proposer and co-sponsors excepted):
a committed vote (``always_no``) has no reason in its terms.

Units: the score's, shown x 100, in points of real expenditure (the econ term is the
preview's welfare gain, a fraction of real expenditure, weighted 1 by default; the other
terms are weighted into the same units: docs/model.md). Medians are each term's own over
the runs, so they need not add up; within each run they do.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scosim.indicator_display import SIGN_ZERO, signed
from scosim.indicator_stats import YEAR0, IndicatorStats
from scosim.tty_lines import ANSWER_WIDTH
from scosim.vote_stats import CONTRIB_PREFIX, SCORE_RULES, rule_name

if TYPE_CHECKING:
    from scosim.runstats import RunStats

__all__ = ["SERIES", "TERMS", "NoReasons", "decompose", "figure", "leaders", "outweighed",
           "why_no_lines"]

#: The Council's weighted terms (voting.UtilityTerms), in the order the answer lists them.
TERMS = ("econ", "dominance", "sovereignty", "trust", "security")
#: What :class:`NoReasons` keeps per vote: the raw econ gain (``gain``), the weighted
#: terms, ``other`` (whatever else the logged score holds: 0 for the Council's own
#: score), the shock and the score, all x 100.
SERIES = ("gain", *TERMS, "other", "shock", "score")
#: How the answer names a term; ``dominance`` names the leading economy.
LABELS = {"econ": "econ", "dominance": "concern at {lead}'s lead", "sovereignty": "sovereignty",
          "trust": "trust", "security": "security", "other": "other terms", "shock": "shock"}
#: Short names of the terms, after the full ones.
SHORT = {"dominance": "concern", "other": "other terms"}
#: Median terms smaller than this (points) are left out of the answer's line.
SHOWN = 0.0005
#: A term smaller than this (points) is printed with 3 significant figures, not 2 decimals:
#: at 2 decimals it reads 0.00, 0.01 or 0.02, and a RATS upgrade's no (sovereignty -0.0150
#: against trust +0.0100) read "-0.00, -0.01" for every state.
TWO_DECIMALS_FROM = 0.02
#: In a no-voter's full line, terms below this share of its score are left out.
SHARE_OF_SCORE = 0.01
#: Gaps within this of the Council's formula (fractions of expenditure) find the leader.
_TOL = 1e-12


def decompose(votes: pd.DataFrame) -> pd.DataFrame:
    """Each vote's score, term by term, from its logged fields (fractions, not x 100).

    Args:
        votes: ``vote`` events with their detail columns (``utility``, ``noise``,
            ``contrib_*``; a term not logged counts 0).

    Returns:
        Same index: one column per :data:`TERMS`, ``other`` (the score less the terms and
        the shock: 0 unless a rule or plug-in logs a score of its own), ``shock`` and
        ``score`` (``utility``). The columns before ``score`` add up to it.
    """
    out = pd.DataFrame(index=votes.index)
    for t in TERMS:
        col = CONTRIB_PREFIX + t
        out[t] = (votes[col].astype(float).fillna(0.0) if col in votes
                  else pd.Series(0.0, index=votes.index))
    out["shock"] = (votes["noise"].astype(float).fillna(0.0) if "noise" in votes
                    else pd.Series(0.0, index=votes.index))
    out["score"] = votes["utility"].astype(float)
    # Whatever the logged score holds beyond the Council's terms (a plug-in's own).
    out.insert(len(TERMS), "other",
               out["score"] - out[list(TERMS)].sum(axis=1) - out["shock"])
    return out


def leaders(votes: pd.DataFrame) -> pd.Series:
    """The leading economy of each vote (``run, year, proposal``), read off the log.

    The relative-gains term of voter ``i`` is ``max(0, gain[L] - gain[i])`` (docs/model.md),
    so every voter with a gap puts ``gain[L]`` at ``term_econ + term_dominance``; ``L`` is
    the voter without a gap whose own gain is that. Votes where nobody has a gap, or the
    gaps do not point at one voter, have no leader (left out).

    Returns:
        The leader's code, indexed by ``(run, year, proposal)``.
    """
    need = {"run", "year", "proposal", "country", "term_econ", "term_dominance"}
    if votes.empty or not need <= set(votes.columns):
        return pd.Series(dtype=object)
    v = votes[list(need)].copy()
    v["gain"] = v["term_econ"].astype(float)
    gap = v["term_dominance"].astype(float).fillna(0.0)
    key = ["run", "year", "proposal"]
    top = (v["gain"] + gap).where(gap > _TOL).groupby([v[k] for k in key]).max()
    v = v.join(top.rename("top"), on=key)
    hit = v[(gap <= _TOL) & ((v["gain"] - v["top"]).abs() <= _TOL)]
    found = hit.groupby(key)["country"].agg(lambda s: s.iloc[0] if len(s) == 1 else "")
    return found[found != ""]


class NoReasons:
    """Per proposal and state: runs voted, runs with a no, and the no's terms over runs.

    Fed block by block of whole runs (:class:`scosim.run_blocks.BlockedStats`); memory
    grows with the states and the runs held for exact medians (up to
    :data:`scosim.indicator_stats.EXACT_RUNS`, then a sketch), as the answer's other
    statistics.
    """

    def __init__(self) -> None:
        #: Runs in which the state's score decided a vote on the proposal, and with a no.
        self.voted: dict[tuple[str, str], int] = {}
        self.no: dict[tuple[str, str], int] = {}
        #: The no's series (:data:`SERIES`) per (proposal, state), x 100.
        self.stats: dict[tuple[str, str], IndicatorStats] = {}
        #: Years of the votes counted, per proposal, and the leaders found, with counts.
        self.years: dict[str, set[int]] = {}
        self.lead: dict[str, dict[str, int]] = {}
        #: Per proposal, the states logged as its proposer or a co-sponsor.
        self.sponsors: dict[str, set[str]] = {}

    def add(self, votes: pd.DataFrame, details: pd.DataFrame) -> None:
        """Add a block's ``vote`` events and their detail columns (same index)."""
        if votes.empty or not {"utility", "yes", "rule"} <= set(details.columns):
            return
        d = details.assign(run=votes["run"].to_numpy(), year=votes["year"].to_numpy(),
                           proposal=votes["proposal"].astype(str).to_numpy(),
                           country=votes["country"].astype(str).to_numpy())
        for (run, year, pid), code in leaders(d).items():
            del run, year
            tally = self.lead.setdefault(str(pid), {})
            tally[code] = tally.get(code, 0) + 1
        if "sponsor" in d:
            own = d[d["sponsor"].fillna(False).astype(bool).to_numpy()]
            for pid, code in zip(own["proposal"], own["country"], strict=True):
                self.sponsors.setdefault(str(pid), set()).add(str(code))
        by_score = d["rule"].map(lambda r: isinstance(r, str) and rule_name(r) in SCORE_RULES)
        if "sponsor" in d:
            by_score &= ~d["sponsor"].fillna(False).astype(bool)
        d = d[by_score.to_numpy(dtype=bool)]
        if d.empty:
            return
        d = d.assign(no=~d["yes"].fillna(True).astype(bool), order=np.arange(len(d)))
        # Per run and state its first no, else its first vote (stable: years in order).
        first = d.sort_values(["proposal", "country", "run", "no", "year", "order"],
                              ascending=[True, True, True, False, True, True], kind="stable"
                              ).drop_duplicates(["proposal", "country", "run"])
        parts = decompose(first) * 100.0
        parts.insert(0, "gain", first["term_econ"].astype(float) * 100.0
                     if "term_econ" in first else np.nan)
        for (pid, code), rows in first.groupby(["proposal", "country"], sort=False).groups.items():
            key = (str(pid), str(code))
            said = first.loc[rows, "no"].to_numpy(dtype=bool)
            self.voted[key] = self.voted.get(key, 0) + len(rows)
            self.no[key] = self.no.get(key, 0) + int(said.sum())
            if not said.any():
                continue
            self.years.setdefault(key[0], set()).update(
                int(y) for y in first.loc[rows, "year"].to_numpy()[said])
            values = parts.loc[rows, list(SERIES)].to_numpy(dtype=float)[said]
            st = self.stats.setdefault(key, IndicatorStats(list(SERIES)))
            n = values.shape[0]
            st.add(np.full(n * len(SERIES), YEAR0), np.tile(np.arange(len(SERIES)), n),
                   values.ravel())

    def medians(self, proposal: str, state: str) -> pd.Series:
        """Median over the runs it voted no of each :data:`SERIES` (x 100); empty if none."""
        st = self.stats.get((proposal, state))
        if st is None:
            return pd.Series(dtype=float)
        return st.quantile(0.5).iloc[0].reindex(list(SERIES))

    def leader(self, proposal: str) -> str:
        """The leading economy found most often in the proposal's votes ("" if none)."""
        tally = self.lead.get(proposal, {})
        return min(tally, key=lambda c: (-tally[c], c)) if tally else ""


def _terms_text(m: pd.Series, lead: str, places: int = 3) -> str:
    """``econ +0.034, concern at China's lead -0.077, ...``: the terms shown, in order."""
    parts = []
    for t in (*TERMS, "other"):
        if t == "econ" or abs(float(m[t])) >= SHOWN:
            parts.append(f"{LABELS[t].format(lead=lead)} {signed(float(m[t]), places)}")
    return ", ".join(parts)


def figure(value: float) -> str:
    """A term in the answer: 2 decimals, or 3 significant figures under :data:`TWO_DECIMALS_FROM`.

    ``-0.48`` stays ``-0.48``; ``-0.015`` is ``-0.0150``, not ``-0.01``. Signed as
    :func:`scosim.indicator_display.signed` signs (a term within ``SIGN_ZERO`` of 0 is 0.00).
    """
    size = abs(value)
    if size >= TWO_DECIMALS_FROM or size <= SIGN_ZERO or not math.isfinite(value):
        return signed(value, 2)
    # Decimals for 3 significant figures: 0.0150 -> 4, 0.000580 -> 6.
    return signed(value, 2 - math.floor(math.log10(size)))


def outweighed(m: pd.Series) -> bool:
    """Whether a term in favour outweighs the no-voter's expected loss (its econ term).

    Then the loss alone does not explain the no: what the terms against must outweigh is
    the term in favour (a RATS upgrade: sovereignty -0.0150 against trust +0.0100 and
    econ -0.00547), and the answer lists every term (:func:`_against`).
    """
    favour = [float(m[t]) for t in (*TERMS[1:], "other") if float(m[t]) > SHOWN]
    return bool(favour) and max(favour) > -float(m["econ"])


def _against(m: pd.Series) -> str:
    """``econ -0.48, concern -0.33``: the econ term and the largest other term against.

    Where a term in favour outweighs the econ term (:func:`outweighed`), every term of at
    least :data:`SHARE_OF_SCORE` of the score, the shock likewise, and the score:
    ``econ -0.00547, sovereignty -0.0150, trust +0.0100 (score -0.0104)``.
    """
    if outweighed(m):
        floor = SHARE_OF_SCORE * abs(float(m["score"]))
        shown = [t for t in (*TERMS[1:], "other", "shock") if abs(float(m[t])) >= floor]
        return (", ".join(f"{SHORT.get(t, t)} {figure(float(m[t]))}" for t in ("econ", *shown))
                + f" (score {figure(float(m['score']))})")
    others = sorted((t for t in (*TERMS[1:], "other") if float(m[t]) < -SHOWN),
                    key=lambda t: float(m[t]))[:1]
    return ", ".join(f"{SHORT.get(t, t)} {figure(float(m[t]))}" for t in ("econ", *others))


def _proposed(sponsors: set[str]) -> str:
    """``Kazakhstan proposed it; below, `` from the logged sponsors ("" where none voted)."""
    from scosim.data.constants import NAMES

    names = [NAMES.get(c, c) for c in sorted(sponsors)]
    if not names:
        return ""
    if len(names) == 1:
        return f"{names[0]} proposed it; below, "
    return f"{', '.join(names[:-1])} and {names[-1]} proposed or co-sponsored it; below, "


def _listed(outweighed_n: int, n: int) -> str:
    """What each no-voter's figures are, in plain words (:func:`_against`).

    Until 2026-12-07 one parenthetical said all of it: "(their econ term and the largest
    other term against; where a term in favour outweighs the econ term, every term of at
    least 1 % of the score, and the score)", which a new user could not read.
    """
    share = f"{100 * SHARE_OF_SCORE:g} %"
    every = f"every term and the shock of at least {share} of its score, then its score"
    if outweighed_n == 0:
        return "; each is listed with its econ term and its largest other term against"
    if outweighed_n == n:
        return (", yet for each a term in favour is larger than that loss, so each is listed "
                f"with {every}")
    return ("; each is listed with its econ term and its largest other term against, or, "
            f"where a term in favour is larger than that loss, with {every}")


def why_no_lines(st: RunStats, width: int = ANSWER_WIDTH) -> list[str]:
    """The answer's lines on why states vote no, from :attr:`RunStats.no_reasons`.

    For each proposal: one sentence per state that votes no in most runs although its
    median economic gain (over those runs) is positive, with every term of its score
    and the shock; then, in one sentence, the other states voting no in most runs, each
    with its econ term and the largest other term against, or, where a term in favour
    outweighs its econ term, every term and its score (:func:`_against`). Terms under
    0.02 points get 3 significant figures (:func:`figure`). None when no state said no
    in most runs.

    Args:
        st: The run's statistics.
        width: Line width.
    """
    from scosim.data.constants import NAMES
    from scosim.run_outcome import wrap_answer

    nr: NoReasons | None = getattr(st, "no_reasons", None)
    if nr is None:
        return []
    out: list[str] = []
    proposals = list(dict.fromkeys(p for p, _ in nr.voted))
    for pid in proposals:
        mostly = [c for (p, c), n in nr.voted.items()
                  if p == pid and 2 * nr.no.get((p, c), 0) > n]
        if not mostly:
            continue
        code = nr.leader(pid)
        lead = NAMES.get(code, code) if code else "the leading economy"
        med = {c: nr.medians(pid, c) for c in mostly}
        winners = sorted((c for c in mostly if med[c]["gain"] > 0),
                         key=lambda c: (-med[c]["gain"], c))
        losers = sorted((c for c in mostly if c not in winners),
                        key=lambda c: (float(med[c]["score"]), c))
        years = sorted(nr.years.get(pid, set()))
        when = (f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}") if years else ""
        on = f" on {pid!r}" if len(proposals) > 1 else ""
        out += wrap_answer(
            f"Why states vote no{on} ({when} vote): {_proposed(nr.sponsors.get(pid, set()))}"
            "the weighted terms of each no-voter's score, in percentage points of real "
            "expenditure (the econ term is the gain it expects; the concern at the leader's "
            "lead is vote_reasons.png's relative gains), medians over the runs it voted no; "
            "as medians they need not add up, but in every run the terms and the shock add up "
            "to the score, below 0 for a no.", width)
        for c in winners:
            m = med[c]
            out += ["  " + t for t in wrap_answer(
                f"{NAMES.get(c, c)} votes no in {nr.no[(pid, c)]} of {nr.voted[(pid, c)]} runs "
                f"though it expects to gain {signed(float(m['gain']), 3)} %: "
                f"{_terms_text(m, lead)}, shock {signed(float(m['shock']), 3)} "
                f"(score {signed(float(m['score']), 3)}).", width - 2)]
        if losers:
            listed = [_against(med[c]) for c in losers]
            gloss = (f" (concern: at {lead}'s lead)" if any(SHORT["dominance"] in t
                                                           for t in listed) else "")
            out += ["  " + t for t in wrap_answer(
                ("The others" if winners else "The states") + " voting no in most runs expect "
                f"no gain{_listed(sum(outweighed(med[c]) for c in losers), len(losers))}{gloss}: "
                + "; ".join(f"{NAMES.get(c, c)} {t}"
                            for c, t in zip(losers, listed, strict=True)) + ".",
                width - 2)]
    return out
