"""Entry points of ``scosim.rules`` whose name cannot be a rule are reported, once.

A name is ``"<hook>.<rule name>"``. Before, ``"nohook_rule"`` and ``"vot.typo_rule"`` were
skipped in silence (the reviewer's package scosim-revext-broken3): the author learnt
only that the rule was unknown. Now a warning names the distribution and entry point.
"""

from __future__ import annotations

import warnings

import pytest

from scosim.rules import registry


@pytest.fixture
def broken_dist(tmp_path, monkeypatch):
    dist = tmp_path / "rulebroken-0.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: rulebroken\nVersion: 0.3\n")
    (dist / "entry_points.txt").write_text(
        "[scosim.rules]\nnohook_rule = rulebroken:yes\nvot.typo_rule = rulebroken:yes\n"
        "vote.fine_rule = rulebroken:yes\n")
    (tmp_path / "rulebroken.py").write_text("def yes(ctx):\n    return True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_WARNED", set())


def test_malformed_names_warn_once_naming_the_distribution(broken_dist) -> None:
    with pytest.warns(UserWarning) as caught:
        names = registry.available_rules("vote")
    said = [str(w.message) for w in caught if "rulebroken" in str(w.message)]
    assert "fine_rule" in names  # the well-formed one is found as before
    assert len(said) == 2, said
    nohook, typo = sorted(said)
    assert nohook.startswith("entry point 'nohook_rule' = 'rulebroken:yes' of distribution "
                             "rulebroken 0.3 (group 'scosim.rules') is ignored: its name has "
                             "no hook")
    assert "entry point 'vot.typo_rule'" in typo
    assert "unknown hook 'vot' (did you mean 'vote'?)" in typo
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second look-up says nothing again
        registry.available_rules("vote")
        registry.resolve_rule("vote", "fine_rule")
