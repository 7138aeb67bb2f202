"""The vote figure and votes.csv say when a rule other than the score decided a vote.

A vote rule of a plug-in (or the built-in ``gains_only``) decides on a test of its own,
yet ``votes.csv`` (``score_pp``) and ``plots/vote_reasons.png`` showed the default
utility's terms under a subtitle saying the state "says yes when score plus a random
shock is >= 0", as if the score decided. The figure's data and ``votes.csv`` now say which
kind of rule decided each vote (``decided_by``), the row label says the bars are not that
rule's score, and the subtitle claims the score rule only where some state used it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from scosim.plot_votes import (
    EXPLAINED,
    plot_vote_reasons,
    state_label,
    vote_reasons_data,
)
from scosim.plots import load_plot_data
from scosim.results import read_batches
from scosim.vote_stats import VOTES_FILE, decided_by

TESTS = Path(__file__).resolve().parent
SMALL_CU = TESTS / "fixtures" / "model" / "small_cu.yaml"
RULE = "trust_rules:trust_or_no"


def _run(tmp_path: Path, countries: str = "") -> Path:
    """small_cu.yaml (6 runs) with every state voting by ``RULE`` but those ``countries`` set."""
    from scosim.runner import run

    path = tmp_path / "cu_trust.yaml"
    path.write_text(f"extends: {SMALL_CU}\nname: cu_trust\n"
                    f"parameters: {{rules: {{vote: '{RULE}'}}}}\n{countries}")
    return Path(run(path, out=tmp_path / "results", progress=False).path)


@pytest.fixture
def trust_rule(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``trust_rules`` importable by the scenario's dotted path."""
    monkeypatch.syspath_prepend(str(TESTS / "plugin_pkgs"))
    yield
    sys.modules.pop("trust_rules", None)


def _title(fig: Any) -> str:
    return fig._suptitle.get_text() if fig._suptitle else fig.axes[0].get_title()


def test_votes_by_a_rule_of_its_own_are_not_shown_as_the_score_s(
        trust_rule: None, tmp_path: Path, kept_figures: list[Any]) -> None:
    run_dir = _run(tmp_path, "countries: {KAZ: {rules: {vote: utility_vote}}}\n")
    ev = read_batches(run_dir / "events")
    votes = ev[ev["type"] == "vote"].assign(country=lambda d: d["country"].astype(str))
    by_rule = votes[votes["rule"] == RULE]
    # The premise: the rule's votes are not the score's (utility here includes the shock).
    differ = by_rule["yes"].astype(bool) != (by_rule["utility"] >= 0)
    assert differ.sum() >= 6
    table = pd.read_csv(run_dir / VOTES_FILE)
    # After the rules, then what rules report of their own tests (tests/test_rule_score.py).
    assert list(table.columns)[-6:] == ["decided_by", "rule_score", "rule_threshold",
                                        "decision_rule", "decision_score", "decision_threshold"]
    kinds = table.set_index("country")["decided_by"]
    assert kinds["KAZ"] == "score"
    assert set(kinds.drop("KAZ")) == {"own_rule"}
    data = vote_reasons_data(load_plot_data(run_dir))
    assert data is not None
    assert data.decided_by.to_dict() == kinds.to_dict()
    for state in data.decided_by.index:
        label = state_label(data, state)
        said = f"decided by rule {RULE}, not by this score"
        assert (said in label) == (state != "KAZ"), label
    # The subtitle claims the score rule for the states that used it, and says the others
    # voted on their rule's test.
    assert plot_vote_reasons(load_plot_data(run_dir), "t", tmp_path / "v.png") is not None
    title = _title(kept_figures[-1])  # the run drew its own figures before
    assert EXPLAINED in title and "voted on that rule's own test, not on this score" in title


def test_no_score_claimed_when_no_state_voted_on_it(trust_rule: None, tmp_path: Path,
                                                    kept_figures: list[Any]) -> None:
    run_dir = _run(tmp_path)
    assert set(pd.read_csv(run_dir / VOTES_FILE)["decided_by"]) == {"own_rule"}
    assert plot_vote_reasons(load_plot_data(run_dir), "t", tmp_path / "v.png") is not None
    title = _title(kept_figures[-1])  # the run drew its own figures before
    assert "score plus a random shock" not in title
    assert "no state voted on this score" in title


def test_utility_vote_rows_say_the_score_decided(tmp_path: Path,
                                                 kept_figures: list[Any]) -> None:
    """The default rule: every row is ``score`` and the subtitle is as before."""
    from scosim.runner import run

    run_dir = Path(run(SMALL_CU, out=tmp_path, progress=False).path)
    table = pd.read_csv(run_dir / VOTES_FILE)
    assert set(table["decided_by"]) == {"score"} and set(table["rules"]) == {"utility_vote"}
    plot_vote_reasons(load_plot_data(run_dir), "t", tmp_path / "v.png")
    assert _title(kept_figures[-1]).endswith(EXPLAINED)


@pytest.mark.parametrize(("rules", "want"), [
    ({"utility_vote"}, "score"),
    ({"scosim.rules.builtin:score_only_vote"}, "score"),
    ({"always_no"}, "committed"),
    ({"gains_only"}, "own_rule"),
    ({"no_dominant_partner", "utility_vote"}, "score own_rule"),
    (set(), ""),
])
def test_decided_by_classes_the_rules(rules: set[str], want: str) -> None:
    assert decided_by(rules) == want
