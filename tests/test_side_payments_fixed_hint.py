"""A vote the scenario fixes (always_yes): the way to price it fits the run (audit item 14).

A customs union or banking union under consensus is priced by a shipped scenario whose
members vote on their scores; a corridor under interested_members would not be priced
even then, so no scenario is suggested; a type without such a twin gets the --set alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.side_payments import SCORED_EXAMPLES, price_votes
from test_side_payments import _events  # tests/ is on sys.path (rootdir)

ROOT = Path(__file__).resolve().parents[1]


def _reason(decision: str, kind: str | None) -> str:
    w = np.ones(2)
    votes, dec = _events({"econ": np.array([0.01, -0.01])}, w, rule="always_yes",
                         decision=decision, adopted=True)
    table = price_votes(votes, dec, np.full((1, 2), 1e12), w[None, :],
                        np.ones((1, 2), dtype=bool), ["C0", "C1"], {0: 0},
                        kinds=None if kind is None else {"p": kind})
    assert set(table["status"]) == {"not_priced"}
    return str(table["reason"].iloc[0])


@pytest.mark.parametrize("kind", sorted(SCORED_EXAMPLES))
def test_a_union_names_its_own_scored_twin(kind):
    reason = _reason("consensus", kind)
    assert reason.endswith(f"vote on their scores ({SCORED_EXAMPLES[kind]})")
    assert (ROOT / "scenarios" / SCORED_EXAMPLES[kind]).is_file()
    text = (ROOT / "scenarios" / SCORED_EXAMPLES[kind]).read_text()
    assert "vote: utility_vote" in text and "decision_rule: consensus" in text


@pytest.mark.parametrize("kind", ["free_trade_area", None])
def test_a_type_without_a_twin_gets_the_set_alone(kind):
    reason = _reason("consensus", kind)
    assert reason.endswith("price it with --set parameters.rules.vote=utility_vote")
    assert ".yaml" not in reason


def test_an_opt_in_corridor_vote_is_not_sent_to_a_scenario_that_would_not_price_it():
    reason = _reason("interested_members", "corridor")
    assert "would still not be priced" in reason and "interested_members" in reason
    assert "--set" not in reason and ".yaml" not in reason
