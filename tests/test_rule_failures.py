"""A rule that raises stops the run naming the rule, its hook, the state and the year.

Before, the user read ``batch 0 failed: KeyError: 'no_such_entry'``: nothing said
that the bug was in the rule the scenario named for a given state.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scosim.rules.context import RuleFailed
from scosim.runner import run_model
from scosim.scenario import load_scenario

TESTS = Path(__file__).resolve().parent
SCENARIOS = TESTS.parent / "scenarios"


@pytest.fixture
def broken(monkeypatch):
    monkeypatch.syspath_prepend(str(TESTS / "plugin_pkgs"))
    yield
    sys.modules.pop("broken_rules", None)


def test_a_vote_rule_that_raises_is_named_with_the_state_and_year(broken):
    sc = load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "countries.KAZ.rules.vote": "broken_rules:vote_with_a_bug", "replications": 1,
        "years.end": 2029})
    with pytest.raises(RuleFailed) as err:
        run_model(sc)
    assert str(err.value) == ("vote rule 'broken_rules:vote_with_a_bug' of KAZ in 2026 raised "
                              "KeyError: 'no_such_entry'")
    assert isinstance(err.value.__cause__, KeyError)  # the rule's own error is kept


def test_a_cooperate_rule_that_raises_is_named_too(broken):
    sc = load_scenario(SCENARIOS / "afghan_instability.yaml", overrides={
        "countries.AFG.rules.cooperate": "broken_rules:effort_with_a_bug", "replications": 1,
        "years.end": 2035})
    with pytest.raises(RuleFailed, match=r"^cooperate rule 'broken_rules:effort_with_a_bug' of "
                       r"AFG in 2025 raised TypeError: "):
        run_model(sc)


@pytest.mark.parametrize(("rule", "said"), [
    ("vote_returning_none", "returned None (a missing return?)"),  # was "object values"
    ("vote_returning_floats", "returned float64 values"),
])
def test_a_rule_returning_no_decision_is_named_with_its_hook_state_and_year(broken, rule, said):
    sc = load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "countries.KAZ.rules.vote": f"broken_rules:{rule}", "replications": 1,
        "years.end": 2029})
    with pytest.raises(TypeError) as err:
        run_model(sc)
    assert str(err.value).startswith(f"vote rule of KAZ in 2026 'broken_rules:{rule}' {said}")
