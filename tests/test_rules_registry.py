"""Rule registry: names, dotted paths, entry points and the error messages."""

from __future__ import annotations

import importlib.metadata
import sys
import types

import pytest

from scosim.rules import RuleError, available_rules, register_hook, resolve_rule, rule
from scosim.rules import registry as reg


def test_builtins_registered_lazily() -> None:
    assert {"utility_vote"} <= set(available_rules("vote"))
    assert {"threshold_defect"} <= set(available_rules("defect"))
    assert resolve_rule("vote", "utility_vote").__name__ == "utility_vote"


def test_register_and_resolve_by_name() -> None:
    @rule("cooperate", name="test_tit_for_tat")
    def tft() -> str:
        return "ok"

    assert resolve_rule("cooperate", "test_tit_for_tat") is tft
    assert "test_tit_for_tat" in available_rules("cooperate")
    # Same name under another hook is a different rule.
    with pytest.raises(RuleError, match="unknown vote rule 'test_tit_for_tat'"):
        resolve_rule("vote", "test_tit_for_tat")


def test_name_clash_rejected() -> None:
    @rule("apply", name="test_clash")
    def first() -> None: ...

    with pytest.raises(RuleError, match="already registered"):
        @rule("apply", name="test_clash")
        def second() -> None: ...


def test_unknown_hook() -> None:
    with pytest.raises(RuleError, match="unknown hook 'fly'; hooks are: vote, defect"):
        rule("fly")
    with pytest.raises(RuleError, match="unknown hook"):
        resolve_rule("fly", "x")


def test_register_hook_adds_hook(monkeypatch) -> None:
    # Restore the hooks and registry afterwards: other tests quote the hook list.
    monkeypatch.setattr(reg, "HOOKS", reg.HOOKS)
    monkeypatch.setattr(reg, "_REGISTRY", {h: dict(v) for h, v in reg._REGISTRY.items()})
    register_hook("test_newhook")
    assert "test_newhook" in reg.HOOKS
    rule("test_newhook", name="noop")(lambda: None)
    assert available_rules("test_newhook") == ["noop"]
    with pytest.raises(RuleError):
        register_hook("not an identifier")


def test_unknown_name_lists_registered_and_suggests() -> None:
    with pytest.raises(RuleError) as info:
        resolve_rule("defect", "threshold_defekt")
    msg = str(info.value)
    assert "did you mean 'threshold_defect'" in msg and "threshold_defect" in msg
    assert isinstance(info.value, ValueError)


def test_dotted_paths() -> None:
    mod = types.ModuleType("scosim_test_rules_mod")
    mod.vote = lambda: "voted"  # type: ignore[attr-defined]
    mod.NUMBER = 3  # type: ignore[attr-defined]
    sys.modules[mod.__name__] = mod
    try:
        assert resolve_rule("vote", "scosim_test_rules_mod:vote")() == "voted"
        with pytest.raises(RuleError, match="'NUMBER' is not callable"):
            resolve_rule("vote", "scosim_test_rules_mod:NUMBER")
        with pytest.raises(RuleError, match="has no attribute 'nope'"):
            resolve_rule("vote", "scosim_test_rules_mod:nope")
    finally:
        del sys.modules[mod.__name__]
    with pytest.raises(RuleError, match="module 'no_such_pkg_zz' not found"):
        resolve_rule("vote", "no_such_pkg_zz:f")
    with pytest.raises(RuleError, match="write it as 'package.module:function'"):
        resolve_rule("vote", "os:")
    with pytest.raises(RuleError, match="dotted paths are written"):
        resolve_rule("vote", "os.path.join")


def test_entry_point_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    ep = importlib.metadata.EntryPoint(
        name="vote.ep_rule", value="os.path:join", group=reg.ENTRY_POINT_GROUP)
    broken = importlib.metadata.EntryPoint(
        name="vote.ep_broken", value="no_such_pkg_zz:f", group=reg.ENTRY_POINT_GROUP)

    def fake(group: str) -> list[importlib.metadata.EntryPoint]:
        return [ep, broken] if group == reg.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(reg.importlib.metadata, "entry_points", fake)
    import os.path

    assert resolve_rule("vote", "ep_rule") is os.path.join
    assert "ep_rule" in available_rules("vote") and "ep_rule" not in available_rules("defect")
    with pytest.raises(RuleError, match="failed to load"):
        resolve_rule("vote", "ep_broken")


def test_per_run_rules_keep_their_identity_for_the_duplicate_check(monkeypatch):
    from scosim.rules import registry
    from scosim.rules.context import per_run
    from scosim.rules.registry import RuleError, rule

    # Work on a copy of the registry: nothing registered here leaks into other tests.
    monkeypatch.setattr(registry, "_REGISTRY", {h: dict(v) for h, v in registry._REGISTRY.items()})

    def first(ctx):
        return True

    def second(ctx):
        return False

    a, b = per_run(first), per_run(second)
    assert a.__qualname__.endswith("first") and b.__qualname__.endswith("second")
    rule("vote", name="per_run_identity_test")(a)
    with pytest.raises(RuleError, match="already registered"):
        rule("vote", name="per_run_identity_test")(b)


def test_no_dominant_partner_votes_no_where_the_leader_takes_over_half(tmp_path) -> None:
    """The README's example rule runs on a batch of runs and says no exactly where the
    vote detail's leader_share is above 0.5 (it crashed on any batch of more than one run:
    the preview is (R, N), the rule compared it whole)."""
    from pathlib import Path

    import numpy as np

    from scosim.runner import run
    from scosim.scenario import load_scenario

    root = Path(__file__).resolve().parents[1]
    sc = load_scenario(root / "scenarios" / "customs_union_consensus.yaml", overrides={
        "replications": 5, "countries": {"KAZ": {"rules": {"vote": "no_dominant_partner"}},
                                         "PAK": {"rules": {"vote": "no_dominant_partner"}}}})
    res = run(sc, out=tmp_path, progress=False, plots=False)
    votes = res.events[res.events["type"] == "vote"]
    for code in ("KAZ", "PAK"):
        mine = votes[votes["country"] == code]
        assert len(mine) == 5
        over = mine["leader_share"].to_numpy(dtype=float) > 0.5
        yes = mine["yes"].to_numpy(dtype=bool)
        assert not np.any(yes & over)
    pak = votes[votes["country"] == "PAK"]
    # Pakistan gains in the union; it says no only where China takes over half the gains.
    assert np.array_equal(pak["yes"].to_numpy(dtype=bool),
                          pak["leader_share"].to_numpy(dtype=float) <= 0.5)
