"""Consensus and a qualified majority count the member states, not a partner with its bloc.

Found by a policy analyst: ``customs_union_consensus.yaml`` under ``council:
{decision_rule: qualified_majority}`` logged a ``decision_score`` of 0.0909 = 1/11, so
Armenia, a dialogue partner asked only because the EAEU takes part whole, counted in the
Council's majority (and a majority could bind it). The SCO's bodies decide by their member
states (Charter art. 16); Armenia votes on its own entry, and with it its bloc's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scosim.mechanisms.voting import decide
from scosim.model.decision_rules import Consensus, DecisionContext, QualifiedMajority
from scosim.runner import run

REPO = Path(__file__).resolve().parents[1]


def _context(votes: list[bool], voters: list[bool], members: list[bool]) -> DecisionContext:
    return DecisionContext(votes=np.array([votes]), voters=np.array([voters]),
                           threshold=2 / 3, gdp=np.ones((1, len(votes))),
                           codes=tuple("ABCD"[: len(votes)]), year=2026, proposal=None,
                           members=np.array([members]))


def test_the_majority_is_of_the_members_voting() -> None:
    # A, B, C members; D a partner asked with its bloc. Two of three members say yes:
    # two thirds of the Council, adopted (two of four voters would not be).
    ctx = _context([True, True, False, False], [True] * 4, [True, True, True, False])
    adopted, participants, score = QualifiedMajority().decide(ctx)
    assert adopted.tolist() == [True]
    assert score.score[0] == 2 / 3
    # The majority binds the members (C too); the partner said no: it stays out.
    assert participants.tolist() == [[True, True, True, False]]
    # A partner's yes neither counts nor is needed; it takes part by its own yes.
    ctx = _context([True, False, False, True], [True] * 4, [True, True, True, False])
    adopted, participants, score = QualifiedMajority().decide(ctx)
    assert adopted.tolist() == [False] and score.score[0] == 1 / 3
    ctx = _context([True, True, True, True], [True] * 4, [True, True, True, False])
    assert QualifiedMajority().decide(ctx)[1].tolist() == [[True] * 4]
    # Without the members given, or where no member votes, every voter counts.
    votes, voters = np.array([[True, True, False, False]]), np.ones((1, 4), bool)
    assert not decide(votes, voters, "qualified_majority")[0][0]
    assert not decide(votes, voters, "qualified_majority",
                      council=np.zeros((1, 4), bool))[0][0]


def test_armenias_no_keeps_the_eaeu_out_but_does_not_count_in_the_council(
        tmp_path: Path) -> None:
    """The ten-member union under a qualified majority, every member for it and Armenia
    against: adopted by all ten members (score 1, not 10/11), without the EAEU, which
    takes part only whole (Armenia is not bound by a Council it has no seat in)."""
    res = run(REPO / "scenarios" / "customs_union.yaml", replications=2, out=tmp_path,
              progress=False, plots=False,
              overrides={"parameters.council.decision_rule": "qualified_majority",
                         "countries.ARM.rules.vote": "always_no",
                         "parameters.rules.defect": "never_defect"})
    ev = res.events
    adopted = ev[(ev["type"] == "adopted") & (ev["proposal"] == "sco_cu")]
    assert len(adopted) == 2
    np.testing.assert_array_equal(adopted["decision_score"].astype(float), [1.0, 1.0])
    ind = res.indicators
    cu = ind[(ind["indicator"] == "in_customs_union") & (ind["year"] == 2035)]
    inside = cu.groupby(cu["country"].astype(str), observed=True)["value"].min()
    for code in ("ARM", "RUS", "KAZ", "KGZ", "BLR"):  # the EAEU, whole, stays out
        assert inside[code] == 0, code
    for code in ("CHN", "IND", "PAK", "IRN", "TJK", "UZB"):
        assert inside[code] == 1, code


def test_under_consensus_a_partner_asked_with_its_bloc_vetoes_nothing() -> None:
    """Consensus is of the member states too (Charter art. 16): a partner's no (D) blocks
    nothing and is not counted in the score; a member's no (C) still blocks."""
    members = [True, True, True, False]
    adopted, participants, score = Consensus().decide(
        _context([True, True, True, False], [True] * 4, members))
    assert adopted.tolist() == [True] and score.score[0] == 1.0
    assert participants.tolist() == [[True, True, True, False]]  # D stays out
    adopted, _, score = Consensus().decide(
        _context([True, True, False, True], [True] * 4, members))
    assert adopted.tolist() == [False] and score.score[0] == 2 / 3
    # Without the members given, every voter is counted: anyone's no blocks.
    votes, voters = np.array([[True, True, True, False]]), np.ones((1, 4), bool)
    assert not decide(votes, voters, "consensus")[0][0]


def test_armenias_no_under_consensus_is_no_veto(tmp_path: Path) -> None:
    """The union under consensus, every state for it but Armenia: until 2026-12-06
    Armenia's no vetoed the union for the whole SCO and cost it the members' trust. Now
    the ten members adopt it, without the EAEU (which takes part only whole), and no
    veto is logged."""
    res = run(REPO / "scenarios" / "customs_union.yaml", replications=2, out=tmp_path,
              progress=False, plots=False,
              overrides={"parameters.council.decision_rule": "consensus",
                         "parameters.rules.vote": "always_yes",
                         "countries.ARM.rules.vote": "always_no",
                         "parameters.rules.defect": "never_defect"})
    ev = res.events
    sco = ev[ev["proposal"] == "sco_cu"]
    assert (sco["type"] == "veto").sum() == 0
    adopted = sco[sco["type"] == "adopted"]
    assert len(adopted) == 2
    np.testing.assert_array_equal(adopted["decision_score"].astype(float), [1.0, 1.0])
    ind = res.indicators
    cu = ind[(ind["indicator"] == "in_customs_union") & (ind["year"] == 2035)]
    inside = cu.groupby(cu["country"].astype(str), observed=True)["value"].min()
    for code in ("ARM", "RUS", "KAZ", "KGZ", "BLR"):
        assert inside[code] == 0, code
    for code in ("CHN", "IND", "PAK", "IRN", "TJK", "UZB"):
        assert inside[code] == 1, code
