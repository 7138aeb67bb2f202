"""Every place that takes a decision rule's name asks the one registry.

The schema's ``decision_rule`` (council and proposals) asks
:func:`scosim.model.decision_rules.decision_rule_problem`; the quick check of
``scosim validate``, the corridor's own spec and the built-ins' kernel
(:func:`scosim.mechanisms.voting.decide`) each kept a tuple of their own until
2026-12-06: the quick check sent every plug-in rule to the slow path, and the corridor
spec refused its own type's default (``interested_members``) and every plug-in.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

import scosim
from scosim.model.decision_rules import BUILTIN_DECISION_RULES
from scosim.scenario import ScenarioError, validate_data
from scosim.scenario.quick import quick_dump

SRC = Path(scosim.__file__).resolve().parent   # the code under test, wherever it is


def _cu(rule: str | None = None, council: str | None = None) -> dict:
    proposal = {"type": "customs_union", "id": "cu", "year": 2026, "proposer": "KAZ",
                "participants": ["KAZ", "KGZ", "TJK", "UZB"]}
    if rule is not None:
        proposal["decision_rule"] = rule
    data = {"name": "names", "years": {"start": 2025, "end": 2027}, "proposals": [proposal]}
    if council is not None:
        data["parameters"] = {"council": {"decision_rule": council}}
    return data


@pytest.mark.parametrize("where", ["proposal", "council"])
def test_the_quick_check_accepts_a_plugin_rule_as_the_schema_does(visa_plugin, where) -> None:
    data = _cu("gdp_two_thirds") if where == "proposal" else _cu(council="gdp_two_thirds")
    quick = quick_dump(copy.deepcopy(data))
    assert quick is not None, "a plug-in rule the schema accepts went to the slow path"
    assert quick == validate_data(data).model_dump(mode="json", exclude={"source"})


def test_the_quick_check_leaves_an_unknown_rule_to_the_schema() -> None:
    data = _cu("gdp_two_thirds")   # the visa package is not installed here
    assert quick_dump(copy.deepcopy(data)) is None
    with pytest.raises(ScenarioError, match=r"proposals\[0\]\.decision_rule: unknown decision "
                                            r"rule 'gdp_two_thirds'; available: consensus, "
                                            r"interested_members, qualified_majority, "
                                            r"variable_geometry \("):
        validate_data(data)


def test_the_corridor_spec_takes_every_rule_the_registry_knows(visa_plugin) -> None:
    from scosim.network.specs import CorridorSpec

    for rule in (*BUILTIN_DECISION_RULES, "gdp_two_thirds"):
        assert CorridorSpec(project="TAPI", decision_rule=rule).decision_rule == rule
    with pytest.raises(ValidationError) as err:
        CorridorSpec(project="TAPI", decision_rule="gdp_two_third")
    msg = str(err.value)
    # The field, the near miss and the names allowed: the built-ins and the plug-in's.
    assert "decision_rule" in msg
    assert ("unknown decision rule 'gdp_two_third' (did you mean 'gdp_two_thirds'?); "
            "available: consensus, gdp_two_thirds, interested_members, qualified_majority, "
            "variable_geometry") in msg


def test_a_corridor_proposal_and_its_spec_agree_on_the_rules(visa_plugin) -> None:
    from scosim.network.specs import CorridorSpec

    data = {"name": "names", "years": {"start": 2025, "end": 2030},
            "parameters": {"mechanisms": {"network": "corridor_network"}},
            "proposals": [{"type": "corridor", "id": "tapi", "year": 2026, "proposer": "TKM",
                           "project": "TAPI", "decision_rule": "gdp_two_thirds"}]}
    assert validate_data(data).proposals[0].decision_rule == "gdp_two_thirds"
    assert CorridorSpec(project="TAPI", decision_rule="gdp_two_thirds")


def test_the_builtins_kernel_names_the_registry_s_builtins() -> None:
    import numpy as np

    from scosim.mechanisms import voting

    assert not hasattr(voting, "DECISION_RULES")
    with pytest.raises(ValueError, match="built-in decision rules \\(consensus, "
                                         "qualified_majority, variable_geometry, "
                                         "interested_members\\), not 'gdp_two_thirds'"):
        voting.decide(np.ones((1, 2), bool), np.ones((1, 2), bool), "gdp_two_thirds")


def test_no_module_keeps_its_own_list_of_decision_rules() -> None:
    """Only the registry's module spells the built-ins out as a list."""
    listed = re.compile(r"[\"']qualified_majority[\"'],\s*[\"']variable_geometry[\"']")
    own = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
           if listed.search(p.read_text(encoding="utf-8"))]
    assert own == ["model/decision_rules.py"]
