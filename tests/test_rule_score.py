"""A rule reports the number it decided on (``RuleScore``): events, ``votes.csv``, figure.

Until 2026-12-06 ``votes.csv`` and the vote figure could only say that a rule with a test
of its own decided (``decided_by`` = ``own_rule``), not what that test found, and a
decision rule's tally was nowhere. Now a vote rule may return ``(yes, RuleScore(score,
threshold))`` and a decision rule ``(adopted, participants, RuleScore(...))``; the
built-in decision rules report theirs (share or number in favour against their bar). The
example package's rules (tests/plugin_pkgs/scosim-visa) report the worst partner's
expected gain against 0 (``reciprocal_visa``) and the GDP share in favour against two
thirds (``gdp_two_thirds``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.rules.score import RuleScore, split_score
from scosim.runner import run, run_model
from scosim.scenario import validate_data

CENTRAL_ASIA = ["KAZ", "KGZ", "TJK", "UZB"]
#: votes.csv's columns before the reports were added, in their order.
OLD_COLUMNS = ["proposal", "year", "country", "votes", "yes_share", "score_pp"]
NEW_COLUMNS = ["rule_score", "rule_threshold", "decision_rule", "decision_score",
               "decision_threshold"]


def _visa(decision_rule: str, vote: str = "reciprocal_visa", replications: int = 12) -> dict:
    return {"name": "visa_scores", "years": {"start": 2025, "end": 2027}, "seed": 11,
            "replications": replications,
            "parameters": {"council": {"decision_rule": decision_rule, "vote_noise": 2.0},
                           "rules": {"vote": vote}},
            "proposals": [{"type": "visa_free", "id": "ca_visa", "year": 2026,
                           "proposer": "KAZ", "participants": CENTRAL_ASIA,
                           "cost_cut": 0.05}]}


def test_a_vote_rule_s_own_score_is_logged_and_decides_as_it_says(visa_plugin) -> None:
    m = run_model(validate_data(_visa("gdp_two_thirds")))
    ev = m.log.to_frame()
    votes = ev[ev["type"] == "vote"]
    assert votes["rule_score"].notna().all() and (votes["rule_threshold"] == 0.0).all()
    # The number is the worst participant's expected gain: each participant's own gain is
    # its econ term, so the smallest of the four in each run.
    ca = votes[votes["country"].isin(CENTRAL_ASIA)]
    assert set(ca["country"]) == set(CENTRAL_ASIA)
    worst = ca.groupby("run")["term_econ"].min()
    np.testing.assert_array_equal(votes["rule_score"], worst.loc[votes["run"]].to_numpy())
    # And the vote is the rule's test on it: yes where score plus shock and that number are
    # both >= 0, for every state that is not a sponsor.
    others = votes[~votes["sponsor"].astype(bool)]
    want = (others["utility"] >= 0) & (others["rule_score"] >= 0)
    assert (others["yes"].astype(bool) == want).all()


def test_the_decision_rule_s_score_is_logged_and_matches_its_decision(visa_plugin) -> None:
    m = run_model(validate_data(_visa("gdp_two_thirds", vote="utility_vote")))
    ev = m.log.to_frame()
    decided = ev[ev["type"].isin(["adopted", "rejected"])]
    assert len(decided) == 12 and (decided["decision_rule"] == "gdp_two_thirds").all()
    assert (decided["decision_threshold"] == 2 / 3).all()
    passed = decided["decision_score"] >= 2 / 3 - 1e-12
    assert (passed == (decided["type"] == "adopted")).all()


@pytest.mark.parametrize(("rule", "bar"), [("qualified_majority", 2 / 3), ("consensus", 1.0),
                                           ("variable_geometry", 2.0)])
def test_a_builtin_decision_rule_reports_its_tally(visa_plugin, rule, bar) -> None:
    """The share of voters in favour (the count, under an opt-in rule) against its bar,
    recounted here from the vote events."""
    m = run_model(validate_data(_visa(rule, vote="utility_vote")))
    ev = m.log.to_frame()
    votes = ev[ev["type"] == "vote"]
    tally = votes.groupby("run")["yes"].agg(
        "mean" if rule != "variable_geometry" else "sum").astype(float)
    decided = ev[ev["type"].isin(["adopted", "rejected"])].set_index("run")
    assert (decided["decision_rule"] == rule).all()
    np.testing.assert_allclose(decided["decision_score"], tally.loc[decided.index],
                               rtol=0, atol=1e-15)
    assert (decided["decision_threshold"] == bar).all()


def test_votes_csv_and_the_figure_carry_the_reports(visa_plugin, tmp_path: Path) -> None:
    import json

    from scosim.plot_votes import state_label, vote_reasons_data
    from scosim.runstats import RunStats

    path = tmp_path / "visa_scores.yaml"
    path.write_text(json.dumps(_visa("gdp_two_thirds")))
    run_dir = Path(run(str(path), out=tmp_path / "results", progress=False).path)
    table = pd.read_csv(run_dir / "votes.csv")
    cols = list(table.columns)
    assert cols[:6] == OLD_COLUMNS and cols[-7:] == ["rules", "decided_by", *NEW_COLUMNS]
    ev = pd.read_parquet(run_dir / "events")
    votes = ev[ev["type"] == "vote"]
    want = votes.groupby("country")["rule_score"].mean()
    got = table.set_index("country")["rule_score"]
    np.testing.assert_allclose(got.loc[want.index], want, rtol=1e-5)  # %.6g in the file
    assert (table["rule_threshold"] == 0.0).all()
    decided = ev[ev["type"].isin(["adopted", "rejected"])]
    assert (table["decision_rule"] == "gdp_two_thirds").all()
    np.testing.assert_allclose(table["decision_score"], decided["decision_score"].mean(),
                               rtol=1e-5)
    assert np.allclose(table["decision_threshold"], 2 / 3)
    # The figure's row of a state says what its rule found.
    data = vote_reasons_data(RunStats.from_frames(None, ev))
    label = state_label(data, "KGZ")
    assert f"its own score {want['KGZ']:.3g} against 0" in label


def test_votes_csv_of_rules_that_report_nothing_has_empty_reports(tmp_path: Path) -> None:
    """A built-in vote rule reports nothing; the built-in decision rule does."""
    small = Path(__file__).resolve().parent / "fixtures" / "model" / "small_cu.yaml"
    run_dir = Path(run(str(small), out=tmp_path, progress=False).path)
    table = pd.read_csv(run_dir / "votes.csv")
    assert table["rule_score"].isna().all() and table["rule_threshold"].isna().all()
    assert table["decision_rule"].notna().all() and table["decision_score"].notna().all()


def test_a_rule_score_is_checked_and_split_off() -> None:
    yes = np.array([True, False])
    assert split_score((yes, RuleScore(0.5)))[0] is yes
    answer, score = split_score((yes, yes, RuleScore([0.1, 0.2], 0.0)))
    assert isinstance(answer, tuple) and len(answer) == 2 and score.threshold == 0.0
    assert split_score(yes) == (yes, None)
    s, t = RuleScore(0.5).arrays(3, "r")
    assert s.tolist() == [0.5] * 3 and np.isnan(t).all()
    with pytest.raises(TypeError, match=r"vote rule 'x' returned a RuleScore whose score is "
                                        r"shape \(2, 2\); it must be a number or an array of "
                                        r"shape \(3,\)"):
        RuleScore(np.ones((2, 2))).arrays(3, "vote rule 'x'")


def test_only_a_vote_rule_may_report_a_score() -> None:
    """A defect rule's score would be recorded nowhere: refused, naming the rule."""
    from types import SimpleNamespace

    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    small = Path(__file__).resolve().parent / "fixtures" / "model" / "small_cu.yaml"
    model = SCOModel(load_scenario(small, overrides={"replications": 2}))
    agent = model.agents_by_code["KAZ"]
    agent.rules["defect"] = lambda ctx: (np.zeros(2, bool), RuleScore(0.0))
    ctx = SimpleNamespace(realised=np.zeros(2), year=2027)
    with pytest.raises(TypeError, match=r"defect rule of KAZ in 2027 'threshold_defect' "
                                        r"returned a RuleScore: only a vote rule's score is "
                                        r"recorded"):
        agent.defect(ctx)
