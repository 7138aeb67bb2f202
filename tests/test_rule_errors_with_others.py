"""A misspelt rule is reported together with the scenario's other problems.

docs/scenarios.md promises every problem at once. Rule references are checked after
every field (a plug-in's hook is declared when its module is imported), and pydantic
skips that check when a field failed, so the rule's error came only once the rest was
fixed: two rounds of ``scosim validate`` for two typos.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.scenario import ScenarioError, load_scenario

CU = Path(__file__).resolve().parent.parent / "scenarios" / "customs_union.yaml"


def _paths(overrides: dict) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        load_scenario(CU, overrides=overrides)
    return sorted(e.path for e in err.value.errors)


def test_a_bad_rule_is_reported_beside_a_bad_field() -> None:
    assert _paths({"proposals[0].cet": "avg", "countries.KAZ.rules.vote": "nope",
                   "parameters.rules.defect": "never_defects"}) == [
        "countries.KAZ.rules.vote", "parameters.rules.defect", "proposals[0].cet"]


def test_a_rule_error_is_not_reported_twice() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(CU, overrides={"countries.KAZ.rules.vote": "nope"})
    assert [e.path for e in err.value.errors] == ["countries.KAZ.rules.vote"]
    assert "unknown vote rule 'nope'" in err.value.errors[0].message


def test_an_undeclared_hook_is_left_to_the_full_check() -> None:
    # A hook no module declared may be a plug-in's whose import failed: only the field
    # error (here the proposal's) is reported, not a guess about the hook.
    assert _paths({"proposals[0].cet": "avg", "countries.KAZ.rules.visa_open": "x:y"}) == [
        "proposals[0].cet"]
