"""The Council's decision rules as plug-ins (``scosim.decision_rules`` entry points).

The four built-ins are registered through the registry, and give the answers of
:func:`scosim.mechanisms.voting.decide`; a package's rule (the example's GDP-weighted two
thirds, tests/plugin_pkgs/scosim-visa) is validated by name with a near miss, decides a
run's proposals, and a rule whose answer is malformed stops the run naming it. Before,
``decision_rule`` was a closed list of the four.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.mechanisms.voting import decide
from scosim.model.decision_rules import (
    BUILTIN_DECISION_RULES,
    DecisionContext,
    DecisionRule,
    available_decision_rules,
    decision_rule_origin,
    get_decision_rule,
)
from scosim.runner import run_model
from scosim.scenario import ScenarioError, validate_data

CENTRAL_ASIA = ["KAZ", "KGZ", "TJK", "UZB"]
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _ctx(votes, voters, gdp, threshold=2 / 3) -> DecisionContext:
    votes, voters = np.asarray(votes, bool), np.asarray(voters, bool)
    return DecisionContext(votes=votes & voters, voters=voters, threshold=threshold,
                           gdp=np.broadcast_to(np.asarray(gdp, float), votes.shape),
                           codes=tuple("ABCDE"[: votes.shape[1]]), year=2026, proposal=None)


def test_the_builtins_are_registered_and_decide_as_before() -> None:
    assert set(BUILTIN_DECISION_RULES) <= set(available_decision_rules())
    rng = np.random.default_rng(3)
    votes, voters = rng.random((200, 5)) < 0.6, rng.random((200, 5)) < 0.8
    for name in BUILTIN_DECISION_RULES:
        assert decision_rule_origin(name) == "builtin"
        got = get_decision_rule(name)().decide(_ctx(votes, voters, np.ones(5)))
        want = decide(votes, voters, name, threshold=2 / 3)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
    flags = {n: (get_decision_rule(n).opt_in, get_decision_rule(n).consent,
                 get_decision_rule(n).veto) for n in BUILTIN_DECISION_RULES}
    assert flags == {"consensus": (False, False, True), "qualified_majority": (False, False, False),
                     "variable_geometry": (True, False, False),
                     "interested_members": (True, True, False)}


def test_gdp_two_thirds_weighs_votes_by_gdp(visa_plugin) -> None:
    rule = get_decision_rule("gdp_two_thirds")()
    gdp = [200.0, 40.0, 30.0, 30.0]          # the first holds 2/3 of the four's GDP exactly
    everyone = np.ones((4, 4), bool)
    votes = [[1, 0, 0, 0],                   # 2/3 of GDP, 1 of 4 states: adopted
             [0, 1, 1, 1],                   # 3 of 4 states, 1/3 of GDP: rejected
             [1, 1, 1, 1],
             [0, 0, 0, 0]]
    adopted, participants, score = rule.decide(_ctx(votes, everyone, gdp))
    assert adopted.tolist() == [True, False, True, False]
    assert (participants == adopted[:, None]).all()  # every voter takes part where adopted
    # It reports the GDP share in favour against its bar.
    np.testing.assert_allclose(score.score, [2 / 3, 1 / 3, 1.0, 0.0])
    assert score.threshold == 2 / 3
    # Only voters' GDP counts: without the first as a voter, the others decide.
    voters = np.array([[0, 1, 1, 1]] * 4, bool)
    adopted, participants, _ = rule.decide(_ctx(votes, voters, gdp))
    assert adopted.tolist() == [False, True, True, False]
    assert not participants[:, 0].any()


def _scenario(rule: str, **countries) -> dict:
    return {"name": "visa", "years": {"start": 2025, "end": 2027}, "seed": 7,
            "replications": 2,
            "parameters": {"council": {"decision_rule": rule}, "rules": {"vote": "always_no"}},
            "countries": {c: {"rules": {"vote": "always_yes"}} for c in countries},
            "proposals": [{"type": "visa_free", "id": "ca_visa", "year": 2026,
                           "proposer": "KAZ", "participants": CENTRAL_ASIA}]}


def test_a_plugin_decision_rule_decides_a_run(visa_plugin, forget_test_plugins) -> None:
    """Kazakhstan and Uzbekistan say yes: two states in four, but most of the four's GDP."""
    m = run_model(validate_data(_scenario("gdp_two_thirds", KAZ=True, UZB=True)))
    gdp = np.asarray(m.gdp)[:, [m.codes.index(c) for c in CENTRAL_ASIA]]
    assert (gdp[:, [0, 3]].sum(axis=1) >= 2 / 3 * gdp.sum(axis=1)).all()  # the data's GDP
    ev = m.log.to_frame()
    assert set(ev.loc[ev["type"] == "adopted", "run"]) == {0, 1}
    assert m.arrangements[0].rule == "gdp_two_thirds"
    assert m.arrangements[0].participants[:, [m.codes.index(c) for c in CENTRAL_ASIA]].all()
    assert "veto" not in set(ev["type"])              # a no is not a veto under it
    # One state one vote: the same yes is a half, short of two thirds.
    m = run_model(validate_data(_scenario("qualified_majority", KAZ=True, UZB=True)))
    ev = m.log.to_frame()
    assert set(ev.loc[ev["type"] == "rejected", "run"]) == {0, 1}


def test_an_unknown_decision_rule_is_named_with_a_near_miss(visa_plugin) -> None:
    with pytest.raises(ScenarioError) as err:
        validate_data(_scenario("gdp_two_third"))
    msg = str(err.value)
    assert "parameters.council.decision_rule" in msg
    assert "unknown decision rule 'gdp_two_third' (did you mean 'gdp_two_thirds'?)" in msg
    assert "scosim.decision_rules" in msg  # where a package adds one
    data = _scenario("consensus")
    data["proposals"][0]["decision_rule"] = "consensu"
    with pytest.raises(ScenarioError, match=r"proposals\[0\]\.decision_rule: unknown decision "
                                            r"rule 'consensu' \(did you mean 'consensus'\?\)"):
        validate_data(data)


class _BadShape(DecisionRule):
    name = "bad_shape_rule"

    def decide(self, ctx):
        return np.ones(ctx.votes.shape, bool), ctx.voters   # adopted per state, not per run


def test_a_malformed_answer_stops_the_run_naming_the_rule(visa_plugin, monkeypatch) -> None:
    from scosim.model.decision_rules import _REGISTRY

    monkeypatch.setitem(_REGISTRY._items, "bad_shape_rule", _BadShape)
    monkeypatch.setitem(_REGISTRY._origins, "bad_shape_rule", "module tests")
    sc = validate_data(_scenario("bad_shape_rule", KAZ=True))
    with pytest.raises(TypeError, match=r"(?s)decide's adopted must be a boolean array of "
                                        r"shape \(2,\).*decision rule 'bad_shape_rule'"):
        run_model(sc)


def test_a_rule_class_is_checked_when_registered() -> None:
    from scosim.model.decision_rules import register_decision_rule
    from scosim.plugins import PluginError

    class NoDecide(DecisionRule):
        name = "no_decide_rule"

    class ConsentAlone(DecisionRule):
        name = "consent_alone_rule"
        consent = True

        def decide(self, ctx):
            return ctx.votes.all(axis=1), ctx.voters

    with pytest.raises(PluginError, match="does not define decide"):
        register_decision_rule(NoDecide)
    with pytest.raises(PluginError, match="needs `opt_in = True`"):
        register_decision_rule(ConsentAlone)


class _TwoYesOptIn(DecisionRule):
    """Opt-in: adopted where at least two say yes, who said yes take part."""

    name = "two_yes_opt_in"
    opt_in = True

    def decide(self, ctx: DecisionContext) -> tuple[np.ndarray, np.ndarray]:
        adopted = ctx.votes.sum(axis=1) >= 2
        return adopted, ctx.votes & adopted[:, None]


def test_an_opt_in_plugin_rule_cannot_admit_a_member_to_some_members_only(monkeypatch) -> None:
    """Membership is all or nothing: an accession under an opt-in rule is decided by the
    fallback the built-in opt-in rules have (consensus). Before, only the built-in names
    were mapped, and a plug-in's opt-in rule admitted Afghanistan with some members."""
    from scosim.model.decision_rules import _REGISTRY
    from scosim.model.model import SCOModel
    from scosim.proposals.accession import Accession
    from scosim.scenario import load_scenario

    monkeypatch.setitem(_REGISTRY._items, "two_yes_opt_in", _TwoYesOptIn)
    monkeypatch.setitem(_REGISTRY._origins, "two_yes_opt_in", "module tests")
    sc = load_scenario(SCENARIOS / "baseline.yaml", overrides={
        "replications": 2, "years.end": 2027,
        "proposals": [{"id": "join", "year": 2026, "type": "accession", "applicant": "AFG",
                       "proposer": "UZB", "decision_rule": "two_yes_opt_in"}]})
    model = SCOModel(sc)
    acc = next(a for a in model.arrangements if isinstance(a, Accession))
    assert (acc.rule, acc.decider.opt_in) == ("consensus", False)


class _Raises(DecisionRule):
    name = "raises_rule"

    def decide(self, ctx: DecisionContext) -> tuple[np.ndarray, np.ndarray]:
        return {}["nope"]


def test_an_error_in_a_plugin_rule_names_its_method_and_line(monkeypatch) -> None:
    """The note names the rule's method and the line in its own code, as for a mechanism's
    or a proposal type's error (before: only the rule's name and the year)."""
    from scosim.model.decision_rules import _REGISTRY

    monkeypatch.setitem(_REGISTRY._items, "raises_rule", _Raises)
    monkeypatch.setitem(_REGISTRY._origins, "raises_rule", "module tests")
    sc = load_scenario_for_rule("raises_rule")
    with pytest.raises(KeyError) as info:
        run_model(sc)
    note = " ".join(getattr(info.value, "__notes__", ()))
    assert "decision rule 'raises_rule'" in note
    assert "_Raises.decide at " in note and "test_decision_rule_plugins.py:" in note


def load_scenario_for_rule(rule: str):
    """A short customs-union scenario decided by ``rule``."""
    from scosim.scenario import load_scenario

    return load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 1, "years.end": 2029, "parameters.council.decision_rule": rule})
