"""An unknown proposal type says that a newly added entry point needs a reinstall.

A plug-in author adds a type to her package's ``pyproject.toml`` and runs the scenario:
the editable install picks up the code but not the entry point, and the scenario said
only "unknown type 'energy_club'; allowed types: ...".
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from scosim.scenario import ScenarioError, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
HINT = "(a type just added to a package's entry points needs `pip install -e <package>` again)"


def _load_error(tmp_path: Path, name: str, body: str) -> str:
    """The error loading a scenario named ``name`` that extends the baseline with ``body``."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: {name}\n{body}")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    return str(err.value)


def _unknown_type_error(tmp_path: Path) -> str:
    return _load_error(tmp_path, "club", "proposals:\n"
                       "  - {type: energy_club, id: club, year: 2026, proposer: KAZ}\n")


@pytest.mark.usefixtures("visa_plugin")
def test_with_a_plugin_installed_the_error_says_to_reinstall(tmp_path):
    message = _unknown_type_error(tmp_path)
    assert "unknown type 'energy_club'" in message
    assert "visa_free" in message  # the installed plug-in's type is allowed
    assert message.rstrip().endswith(HINT)


def test_without_plugins_no_reinstall_hint(tmp_path, monkeypatch):
    monkeypatch.setattr(importlib.metadata, "distributions", lambda: iter(()))
    message = _unknown_type_error(tmp_path)
    assert "unknown type 'energy_club'" in message and HINT not in message


def _unknown_names_error(tmp_path: Path) -> str:
    return _load_error(tmp_path, "typo", "parameters:\n"
                       "  mechanisms: {network: power_pool}\n  rules: {vote: power_vote}\n")


@pytest.mark.usefixtures("visa_plugin")
def test_an_unknown_mechanism_or_vote_rule_says_to_reinstall_too(tmp_path):
    """Only the unknown type said it: a mechanism or vote rule just added to a package's
    entry points was offered a near miss alone (an outside review, 2026-12-07)."""
    lines = _unknown_names_error(tmp_path).splitlines()
    mechanism = next(line for line in lines if "unknown mechanism 'power_pool'" in line)
    assert mechanism.endswith(HINT.replace("a type", "a mechanism"))
    assert "visa_mobility" in mechanism  # the installed plug-in's mechanism is offered
    rule = next(line for line in lines if "unknown vote rule 'power_vote'" in line)
    assert rule.endswith(HINT.replace("a type", "a vote rule"))


def test_without_plugins_no_reinstall_hint_for_a_mechanism_or_rule(tmp_path, monkeypatch):
    monkeypatch.setattr(importlib.metadata, "distributions", lambda: iter(()))
    message = _unknown_names_error(tmp_path)
    assert "unknown mechanism 'power_pool'" in message and "unknown vote rule" in message
    assert "pip install -e" not in message
