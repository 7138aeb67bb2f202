"""When a bloc (the EAEU) takes part in a union, under each decision rule.

A new user, 2026-12-07: docs/customs_union.md said the bloc "takes part only if every
member's vote is yes", yet under ``qualified_majority`` Russia voted no in 100 % of runs
and was in the union in 100 %. The bloc's all-in condition is on who takes part under
the rule (:func:`scosim.mechanisms.voting.decide`), not on the votes: an outvoted member
is bound (SCO practice as docs/model.md gives it), so its bloc stays in. Checked here on
the two functions the Council applies in turn, and against the docs' wording.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from scosim.mechanisms.voting import decide
from scosim.proposals.customs_union import BlocAware

ROOT = Path(__file__).resolve().parents[1]
CODES = ["CHN", "IND", "RUS", "KAZ", "BLR", "ARM"]
BLOC = np.array([2, 3, 4, 5])  # the EAEU: three SCO members and Armenia, not one
COUNCIL = np.array([[c != "ARM" for c in CODES]])
VOTERS = np.ones((1, len(CODES)), dtype=bool)


def _in_union(rule: str, no: str) -> set[str]:
    """Who takes part when everyone but ``no`` votes yes, after the bloc moves as one."""
    votes = np.array([[c != no for c in CODES]])
    adopted, participants = decide(votes, VOTERS, rule, threshold=2 / 3, council=COUNCIL)
    together = BlocAware.together(SimpleNamespace(blocs=[BLOC]), None, participants,
                                  VOTERS, 2026)
    return {c for c, p in zip(CODES, together[0], strict=True) if p and adopted[0]}


def test_an_outvoted_member_is_bound_and_its_bloc_stays_in() -> None:
    assert _in_union("qualified_majority", "RUS") == set(CODES)


@pytest.mark.parametrize("rule", ["variable_geometry", "interested_members"])
def test_under_an_opt_in_rule_one_members_no_keeps_the_bloc_out(rule) -> None:
    assert _in_union(rule, "RUS") == {"CHN", "IND"}


def test_under_consensus_a_members_no_blocks_everyone() -> None:
    assert _in_union("consensus", "RUS") == set()


@pytest.mark.parametrize("rule", ["consensus", "qualified_majority"])
def test_a_non_member_in_the_bloc_keeps_it_out_by_its_no(rule) -> None:
    # Armenia is not counted in the Council: it is in only by its own yes.
    assert _in_union(rule, "ARM") == {"CHN", "IND"}


def test_the_docs_say_under_which_rules_the_bloc_needs_every_yes() -> None:
    text = (ROOT / "docs" / "customs_union.md").read_text(encoding="utf-8")
    rule2 = " ".join(text.split("*The bloc's vote*", 1)[1].split("3. *Joining later*")[0]
                     .split())
    assert "only if **every** member's vote is yes" not in rule2
    for rule in ("variable_geometry", "interested_members", "consensus",
                 "qualified_majority"):
        assert f"`{rule}`" in rule2
    assert re.search(r"outvoted member too, bound", rule2)
