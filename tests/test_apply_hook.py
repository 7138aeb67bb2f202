"""The ``apply`` hook: an applicant decides whether to apply through its own rule.

Before, ``apply`` was a hook that rules could be registered under but that no phase
called: a scenario giving an economy an ``apply`` rule changed nothing. An
``application`` proposal now asks the applicant's ``apply`` rule, and its ``vote`` rule
only when the scenario gives it no ``apply`` rule (the behaviour before, which the
hindcasts keep).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.rules.registry import RuleError, available_rules, resolve_rule, rule_origin
from scosim.scenario import load_scenario
from scosim.scenario.errors import ScenarioError

HC = Path(__file__).resolve().parents[1] / "scenarios" / "hindcasts"
#: Mongolia without its non-alignment commitment: by its score (and its vote rule) it
#: applies (at hazard 1, in the year it would: the rule is what is tested here).
APPLIES = {"replications": 4, "parameters.application.hazard": 1.0,
           "proposals": [{"id": "a", "year": 2010, "type": "application", "applicant": "MNG"}]}


def _run(rules: dict[str, str] | None, overrides: dict | None = None) -> SCOModel:
    over = {**APPLIES, **(overrides or {})}
    if rules is not None:
        over["countries"] = {"MNG": {"rules": rules}}
    m = SCOModel(load_scenario(HC / "apply_mng_2010.yaml", overrides=over))
    m.run_model()
    return m


def _applied(m: SCOModel) -> np.ndarray:
    return np.asarray(m.arrangements[0].adopted)


def _vote_rules_logged(m: SCOModel) -> set[str]:
    return {e["rule"] for e in m.log.records() if e["type"] == "vote"}


def test_the_apply_rule_decides_and_the_vote_rule_does_not() -> None:
    # Without an apply rule the vote rule decides, as before: by its score it applies.
    m = _run(None)
    assert _applied(m).all() and _vote_rules_logged(m) == {"utility_vote"}
    # An apply rule overrides it both ways, and the log names the rule that decided.
    m = _run({"apply": "always_no"})
    assert not _applied(m).any() and _vote_rules_logged(m) == {"always_no"}
    m = _run({"vote": "always_no", "apply": "always_yes"})
    assert _applied(m).all() and _vote_rules_logged(m) == {"always_yes"}


def test_an_apply_rule_does_not_vote_on_other_proposals() -> None:
    """Mongolia's apply rule is not asked when it votes as a member on something else."""
    sc = load_scenario(HC / "apply_mng_2010.yaml", overrides={
        "replications": 2,
        "countries": {"KAZ": {"rules": {"vote": "always_yes", "apply": "always_no"}}},
        "proposals": [{"id": "d", "year": 2010, "type": "declaration", "proposer": "CHN",
                       "depth": 0.0}]})
    m = SCOModel(sc)
    m.run_model()
    kaz = {e["rule"] for e in m.log.records() if e["type"] == "vote" and e["country"] == "KAZ"}
    assert kaz == {"always_yes"}


def test_a_dotted_path_apply_rule_gets_the_applicants_vote_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_apply.py").write_text(textwrap.dedent("""
        import numpy as np
        SEEN = []

        def wary(ctx):
            SEEN.append((ctx.iso3, ctx.proposal.type, ctx.terms["sovereignty"].copy()))
            return np.zeros(ctx.n_runs, dtype=bool)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        m = _run({"apply": "my_apply:wary"})
        seen = sys.modules["my_apply"].SEEN
        assert not _applied(m).any()
        assert [(iso, kind) for iso, kind, _ in seen] == [("MNG", "application")]
        # The context carries the applicant's own terms (its depth as the sovereignty cost).
        np.testing.assert_array_equal(seen[0][2], np.full(4, m.arrangements[0].proposal.depth))
        assert rule_origin("apply", "my_apply:wary") == "path my_apply:wary"
    finally:
        sys.modules.pop("my_apply", None)


def test_every_vote_rule_is_an_apply_rule_and_a_misspelt_one_is_named() -> None:
    assert set(available_rules("vote")) <= set(available_rules("apply"))
    assert resolve_rule("apply", "gains_only") is resolve_rule("vote", "gains_only")
    assert rule_origin("apply", "gains_only") == "builtin"
    with pytest.raises(RuleError, match=r"unknown apply rule 'always_nope' \(did you mean "
                       r"'always_no'\?\); registered apply rules: .*utility_vote"):
        resolve_rule("apply", "always_nope")
    # Another hook's rules are not apply rules (their context is not a vote's).
    with pytest.raises(RuleError, match="unknown apply rule 'threshold_defect'"):
        resolve_rule("apply", "threshold_defect")


def test_a_scenario_with_a_bad_apply_rule_fails_validation() -> None:
    with pytest.raises(ScenarioError, match=r"countries\.MNG\.rules.*apply.*'threshold_defect'"):
        load_scenario(HC / "apply_mng_2010.yaml", overrides={
            **APPLIES, "countries": {"MNG": {"rules": {"apply": "threshold_defect"}}}})


def test_a_type_whose_voters_decide_through_another_hook_is_refused() -> None:
    from scosim.plugins import PluginError
    from scosim.proposals import _check
    from scosim.proposals.application import Application

    class Defecting(Application):
        vote_hook = "defect"  # defect rules take a defection context, not a vote's

    with pytest.raises(PluginError, match=r"proposal type 'application': `vote_hook` "
                       r"'defect' is not a hook whose rules take a vote context; "
                       r"allowed: vote, apply"):
        _check(Defecting, "application")
    _check(Application, "application")  # the built-in passes
