"""The answer's vote columns and signs (scosim.run_votes, scosim.run_headline): one statistic
whatever the decision rule, "did not vote", a committed run's own-score line, and welfare
changes that round to zero with their sign."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scosim.run_headline import headline_table, headline_text
from scosim.runstats import RunStats


def test_a_mean_that_rounds_to_zero_keeps_its_sign() -> None:
    """China lost 0.0023 % in every run of a Central Asia-India FTA and printed
    "0.00  0.00 to 0.00  0 %" (user report): a loss too small for two decimals is -0.00,
    a gain +0.00, and only an economy whose welfare did not move prints 0.00."""
    from scosim.indicator_display import signed

    assert [signed(v) for v in (-0.0023, 0.0027, 0.0, 1e-12, -0.05)] == [
        "-0.00", "+0.00", "0.00", "0.00", "-0.05"]
    ind = pd.DataFrame([(r, 2030, c, "welfare_change_pct", v) for r in range(4)
                        # most of the table in tenths: two decimals (answer_digits)
                        for c, v in (("RUS", 0.3), ("PAK", 0.4), ("IND", -0.2),
                                     ("CHN", -0.0023 - 0.0001 * r),
                                     ("KAZ", 0.002 + 0.0001 * r), ("IRN", 0.0))],
                       columns=["run", "year", "country", "indicator", "value"])
    ind = pd.concat([ind, ind.assign(indicator="member", value=1.0)])
    text = headline_text(RunStats.from_frames(ind), "t")
    cols = {line.split()[0]: line.split()[2:7] for line in text.splitlines()
            if line.split()[:1] in (["CHN"], ["KAZ"], ["IRN"])}
    assert cols["CHN"] == ["-0.00", "-0.00", "to", "-0.00", "0"]
    assert cols["KAZ"] == ["+0.00", "+0.00", "to", "+0.00", "100"]
    # no change in any run: named on one line, not a row of zeros
    assert "IRN" not in cols and "  no change in any run: IRN" in text.splitlines()


def _council(rule: str) -> RunStats:
    """Four runs of a free-trade area of KAZ, KGZ and IND that CHN and PAK, members
    outside it, do not vote on; KGZ says no in every run, KAZ in runs 0 and 1 (twice in
    run 0: tabled again in 2028); decided by ``rule``. Nothing moves (rejected)."""
    ind = pd.DataFrame([(r, 2030, c, name, v) for r in range(4)
                        for c in ("CHN", "PAK", "KAZ", "KGZ", "IND")
                        for name, v in (("welfare_change_pct", 0.0), ("member", 1.0))],
                       columns=["run", "year", "country", "indicator", "value"])
    rows = []
    for r in range(4):
        said = {"KGZ": False, "KAZ": r >= 2, "IND": True}
        rows += [(r, 2026, "vote", c, "fta", yes, None) for c, yes in said.items()]
        if rule == "consensus":
            rows += [(r, 2026, "veto", c, "fta", None, None) for c, y in said.items() if not y]
        rows.append((r, 2026, "rejected", "", "fta", None, rule))
    rows += [(0, 2028, "vote", "KAZ", "fta", False, None), (0, 2028, "vote", "KGZ", "fta", False,
                                                           None)]
    ev = pd.DataFrame(rows, columns=["run", "year", "type", "country", "proposal", "yes",
                                     "decision_rule"])
    return RunStats.from_frames(ind, ev)


@pytest.mark.parametrize("rule", ["consensus", "qualified_majority"])
def test_one_vote_statistic_whatever_the_rule_and_non_voters_marked(rule: str) -> None:
    """A user's Central Asia-India FTA under consensus listed China, Pakistan and Iran,
    outside it and not voting, at "0.00" under "vetoes: mean number a run"; qualified
    majority printed "voted no: share of the state's votes" instead. Now both print the
    share of runs in which each state voted no, and "did not vote"."""
    st = _council(rule)
    text = headline_text(st, "t")
    flat = " ".join(text.split())
    cells = {line.split()[0]: " ".join(line.split()[2:]) for line in text.splitlines()
             if line.split()[:1] in (["KGZ"], ["KAZ"], ["IND"], ["CHN"], ["PAK"])}
    # KAZ said no twice in run 0 and once in run 1: two runs of four, not 3 of 6 votes.
    assert cells["KGZ"].startswith("100 %") and cells["KAZ"].startswith("50 %")
    assert cells["IND"].startswith("0 %")
    assert cells["CHN"] == cells["PAK"] == "did not vote"
    assert "vetoes" not in text and "mean number a run" not in text
    assert "voted no: share of runs in which the state voted no" in flat
    assert ("(under consensus a member's no is a veto)" in flat) == (rule == "consensus")
    # Asked twice in a run: the number of votes against a run is given beside the share.
    rows = headline_table(st)[0]
    assert rows.loc["KAZ", "no votes"] == pytest.approx(3 / 4)
    assert rows.loc["KGZ", "no votes"] == pytest.approx(5 / 4)
    assert np.isnan(rows.loc["CHN", "no votes"])
    # Its note says the statistic and over how many runs (it gave no run count).
    assert "no votes: mean number of the state's votes against a run, over all 4 runs" in flat
    # Most no first; those that did not vote last.
    order = [line.split()[0] for line in text.splitlines() if line.split()[:1] in (
        ["KGZ"], ["KAZ"], ["IND"], ["CHN"], ["PAK"])]
    assert order[:3] == ["KGZ", "KAZ", "IND"] and set(order[3:]) == {"CHN", "PAK"}


def test_committed_votes_say_who_would_have_voted_no_on_its_own_score() -> None:
    """A committed run (always_yes) ended "the scenario decided them, not the states'
    scores", though the scores were logged (user report): it now says, from the votes'
    records, in how many runs each state's own score (with its shock) was below zero."""
    ind = pd.DataFrame([(r, 2030, c, "welfare_change_pct", 0.1) for r in range(4)
                        for c in ("IND", "KAZ", "KGZ", "RUS")],
                       columns=["run", "year", "country", "indicator", "value"])
    score = {"IND": -0.3, "KGZ": -0.01, "RUS": 0.02}  # IND proposes: a yes whatever its score
    ev = pd.DataFrame(
        [(r, 2026, "vote", c, "fta", True, "always_yes", c == "IND",
          -0.02 if (c == "KAZ" and r % 2) else score.get(c, 0.01))
         for r in range(4) for c in ("IND", "KAZ", "KGZ", "RUS")],
        columns=["run", "year", "type", "country", "proposal", "yes", "rule", "sponsor",
                 "utility"])
    text = " ".join(headline_text(RunStats.from_frames(ind, ev), "t").split())
    assert "the scenario decided them, not the states' scores." in text
    assert ("On its own score (not used: the scenario committed the votes), the share of "
            "runs in which each state would have voted no") in text
    assert ": KGZ 100 %, KAZ 50 %; the other committed voters yes in every run." in text
    assert "IND" not in text.split("On its own score")[1].split("`")[0]
    assert "`--set parameters.rules.vote=utility_vote`" in text
    # Scores that would all have said yes: said so.
    ev["utility"] = 0.5
    text = " ".join(headline_text(RunStats.from_frames(ind, ev), "t").split())
    assert "would have voted no (as utility_vote" in text
    assert "every committed voter yes in every run." in text


def test_an_objection_to_the_willing_is_its_own_share_not_a_no() -> None:
    """Under interested_members a state left outside may object to the willing going
    ahead (a ``veto`` event that is not a no under consensus): the share of runs in which
    it objected, in its own column, beside its no."""
    ind = pd.DataFrame([(r, 2030, c, name, v) for r in range(4) for c in ("CHN", "KAZ", "IND")
                        for name, v in (("welfare_change_pct", 0.0), ("member", 1.0))],
                       columns=["run", "year", "country", "indicator", "value"])
    rows = []
    for r in range(4):
        rows += [(r, 2026, "vote", c, "cu", c != "IND", None) for c in ("CHN", "KAZ", "IND")]
        if r < 1:
            rows.append((r, 2026, "veto", "IND", "cu", None, None))
        rows.append((r, 2026, "adopted" if r else "rejected", "", "cu", None,
                     "interested_members"))
    ev = pd.DataFrame(rows, columns=["run", "year", "type", "country", "proposal", "yes",
                                     "decision_rule"])
    st = RunStats.from_frames(ind, ev)
    table = headline_table(st)[0]
    assert table.loc["IND", "voted no"] == 100.0 and table.loc["IND", "objected"] == 25.0
    assert table.loc["KAZ", "objected"] == 0.0
    flat = " ".join(headline_text(st, "t").split())
    assert "is a veto" not in flat
    assert "objected: share of runs in which the state, left outside, objected" in flat


def test_left_is_a_share_of_runs_and_withdrew_a_mean_number_over_all_runs() -> None:
    """"left 0.75" (a mean number of exits a run) read as a share in a table otherwise in
    percent; it is now the share of runs in which the state left, whatever the number of
    exits in a run. "withdrew" stays a mean number a run, which its note says with the
    number of runs: KAZ withdrew three times in two of the four runs (0.75 a run), IRN
    left in three runs, once on its own, twice with its bloc, and once more in run 0 (four
    exits: a count would give 1.00)."""
    ind = pd.DataFrame([(r, 2030, c, name, v) for r in range(4) for c in ("KAZ", "IRN", "CHN")
                        for name, v in (("welfare_change_pct", 0.1), ("member", 1.0))],
                       columns=["run", "year", "country", "indicator", "value"])
    rows = [(r, 2026, "vote", c, "cu", True) for r in range(4) for c in ("KAZ", "IRN", "CHN")]
    rows += [(0, 2026, "withdrew", "KAZ", "cu", None), (0, 2028, "withdrew", "KAZ", "cu", None),
             (2, 2026, "withdrew", "KAZ", "cu", None), (0, 2029, "defection", "IRN", "cu", None),
             (0, 2031, "bloc_exit", "IRN", "cu", None),
             (1, 2029, "bloc_exit", "IRN", "cu", None), (3, 2029, "bloc_exit", "IRN", "cu", None)]
    st = RunStats.from_frames(ind, pd.DataFrame(
        rows, columns=["run", "year", "type", "country", "proposal", "yes"]))
    table = headline_table(st)[0]
    assert table.loc["KAZ", "withdrew"] == pytest.approx(3 / 4)
    assert table.loc["IRN", "left"] == pytest.approx(75.0)  # 3 of 4 runs, in percent
    text = headline_text(st, "t")
    row = next(line for line in text.splitlines() if line.startswith("  IRN"))
    assert row.endswith("75 %")
    flat = " ".join(text.split())
    assert "left: share of the 4 runs in which the state left, on its own or with its bloc" in flat
    assert ("withdrew: mean number of times a run, over all 4 runs, the state voted yes, then "
            "said no when asked about the smaller group") in flat
    assert "mean number a run" not in flat
