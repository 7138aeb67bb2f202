"""Why no run has a plan: the sentence's branches (review, 2026-12-07).

Where those in favour could give up the need in some runs without a plan, the answer said
"{leader}'s receipt widens its lead over them past their bars" without checking that the
leader receives, and said nothing of the other runs. Now the leader's receipt is the
cause only in the runs in which the table shows it receives (bought under consensus, or
paid to stay), a neutral cause in the others, and the runs that could not give up the
need get their own clause. The counts are checked against tables built by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scosim.cli_transfers import _why_no_plan
from scosim.side_payments_summary import capacity_why, decision_rows, leader_receives


def _table(rows: list[tuple[int, str, str, bool, float, float, float]]) -> pd.DataFrame:
    """Two voters a decision: (run, rule, country, voted_yes, paid to stay, capacity,
    required), with China the leader."""
    return pd.DataFrame([{"run": r, "year": 2026, "proposal": "p", "decision_rule": rule,
                          "status": "no_plan", "country": c, "voted_yes": y,
                          "paid_to_stay_usd": stay, "capacity_usd": cap,
                          "required_usd": need, "short_leader": "CHN"}
                         for r, rule, c, y, stay, cap, need in rows])


def test_the_leader_receives_where_it_is_bought_under_consensus_or_paid_to_stay():
    t = _table([
        (0, "consensus", "CHN", False, 0.0, 3.0, 2.0),  # bought: every no voter is
        (0, "consensus", "KAZ", True, 0.0, 3.0, 2.0),
        (1, "consensus", "CHN", True, 0.0, 3.0, 2.0),  # in favour, not paid to stay
        (1, "consensus", "KAZ", False, 0.0, 3.0, 2.0),
        (2, "qualified_majority", "CHN", False, 0.0, 3.0, 2.0),  # not known to be bought
        (2, "qualified_majority", "KAZ", True, 0.0, 3.0, 2.0),
        (3, "qualified_majority", "CHN", True, 5.0, 3.0, 2.0),  # paid to stay
        (3, "qualified_majority", "KAZ", False, 0.0, 3.0, 2.0),
    ])
    got = leader_receives(t)
    assert got.tolist() == [True, False, False, True]
    first = decision_rows(t)
    assert first["leader_receives"].tolist() == [True, False, False, True]
    # Runs 0-3 all reach the need (3 >= 2): two with the leader receiving.
    assert capacity_why(first["capacity_usd"], first["required_usd"],
                        first["leader_receives"]) == (2, pytest.approx(math.nan, nan_ok=True))
    # The largest share below the need, over the runs that do not reach it.
    assert capacity_why(np.array([1.0, 3.0, 0.5]), np.array([2.0, 2.0, 2.0]),
                        np.array([1.0, 0.0, 0.0])) == (0, 0.5)


def _s(no_plan: int, enough: int, led: int, below: float) -> dict:
    return {"no_plan": no_plan, "runs": no_plan, "capacity_why": (led, below),
            "split": {"leader": "CHN"}}


def test_the_leader_clause_only_where_the_leader_receives():
    every = " ".join(_why_no_plan(_s(5, 5, 5, math.nan), 1.2, 5).split())
    assert "China's receipt widens its lead over them past their bars." in every
    assert "respond" not in every and "In the other" not in every
    none = " ".join(_why_no_plan(_s(5, 5, 0, math.nan), 1.2, 5).split())
    assert "China" not in none and "their scores respond to the payments" in none
    some = " ".join(_why_no_plan(_s(5, 3, 1, 0.4), 1.2, 3).split())
    assert ("in 3 of the 5 runs those in favour could give up what the bought voters need"
            in some)
    assert "China's receipt widens its lead over them past their bars in 1 of them" in some
    assert "in the other 2, their scores respond to the payments" in some
    # The runs that could not give up the need: their own clause, with their reach.
    assert "In the other 2 they could give up at most 40 % of what the bought voters need." in some


def test_without_any_run_reaching_the_need_the_bars_bind():
    said = " ".join(_why_no_plan(_s(4, 0, 0, 0.016), 0.016, 0).split())
    assert "must keep their bars" in said and "at most 1.6 %" in said
