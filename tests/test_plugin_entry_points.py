"""Installed plug-ins that cannot be used are reported with the reason, at validation.

Two mistakes a package author makes: an entry point whose module fails to import
(a missing dependency), and an entry point named otherwise than the class's ``name``.
Before, the first read "unknown type 'x' (did you mean 'x'?)", and the second
validated and ran locally, then failed in every worker process (the resolved scenario
names the class's name, which no entry point provides).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scosim.scenario import ScenarioError, validate_data

TESTS = Path(__file__).resolve().parent


def _install(tmp_path: Path, monkeypatch, entry_points: str) -> None:
    """A distribution 'plugdist' with ``entry_points`` on sys.path (as pip leaves one)."""
    dist = tmp_path / "plugdist-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: plugdist\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(entry_points)
    monkeypatch.syspath_prepend(str(TESTS / "plugin_pkgs"))
    monkeypatch.syspath_prepend(str(TESTS / "plugin_pkgs" / "scosim-visa"))
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.fixture(autouse=True)
def _forget_modules():
    """Leave no module and no registration behind: the registries are process-wide, and
    a type registered here from 'plugdist' would keep that origin in later tests."""
    from scosim.model.slots import _REGISTRY as MECHANISMS
    from scosim.proposals import _REGISTRY as TYPES

    yield
    for registry in (TYPES, MECHANISMS):
        for name in [n for n, o in registry._origins.items() if o.startswith("plugdist ")]:
            registry._items.pop(name, None)
            registry._origins.pop(name, None)
    for m in ("scosim_visa", "toy_settings", "plugin_with_missing_dep"):
        sys.modules.pop(m, None)


def _scenario(type_: str = "customs_union", security: str | None = None) -> dict:
    return {"name": "p", "years": {"start": 2025, "end": 2027},
            "parameters": {"mechanisms": {"security": security}},
            "proposals": [{"type": type_, "id": "x", "year": 2026, "proposer": "KAZ",
                           "participants": ["KAZ", "KGZ"]}]}


def _errors(data: dict) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        validate_data(data)
    return [f"{e.path}: {e.message}" for e in err.value.errors]


def test_a_type_whose_import_fails_is_reported_with_the_import_error(tmp_path, monkeypatch):
    (tmp_path / "plugin_with_missing_dep.py").write_text("import a_dependency_not_installed\n")
    _install(tmp_path, monkeypatch,
             "[scosim.proposals]\nbroken_type = plugin_with_missing_dep:Broken\n")
    assert _errors(_scenario("broken_type")) == [
        "proposals[0]: proposal type 'broken_type' from entry point "
        "'plugin_with_missing_dep:Broken' failed to load: ModuleNotFoundError: No module "
        "named 'a_dependency_not_installed'"]


def test_a_type_under_another_entry_point_name_is_refused(tmp_path, monkeypatch):
    _install(tmp_path, monkeypatch, "[scosim.proposals]\nvisa = scosim_visa:VisaFree\n")
    assert _errors(_scenario("visa")) == [
        "proposals[0]: proposal type 'visa': entry point visa = 'scosim_visa:VisaFree' "
        "(group 'scosim.proposals') loads a class whose name is 'visa_free'; name the entry "
        "point 'visa_free', as scenarios write it"]


def test_a_mechanism_under_another_entry_point_name_is_refused(tmp_path, monkeypatch):
    _install(tmp_path, monkeypatch, "[scosim.mechanisms]\nafghan = toy_settings:AfghanCosts\n")
    assert _errors(_scenario(security="afghan")) == [
        "parameters.mechanisms.security: mechanism 'afghan': entry point afghan = "
        "'toy_settings:AfghanCosts' (group 'scosim.mechanisms') loads a class whose name is "
        "'toy_afghan_costs'; name the entry point 'toy_afghan_costs', as scenarios write it"]


def test_entry_points_named_as_their_classes_still_work(tmp_path, monkeypatch):
    _install(tmp_path, monkeypatch, "[scosim.proposals]\nvisa_free = scosim_visa:VisaFree\n"
             "[scosim.mechanisms]\ntoy_afghan_costs = toy_settings:AfghanCosts\n")
    data = _scenario("visa_free", security="toy_afghan_costs")
    sc = validate_data(data)
    assert sc.proposals[0].type == "visa_free"
    assert sc.parameters.mechanisms["security"] == "toy_afghan_costs"


def test_a_broken_installed_plugin_leaves_other_scenarios_valid(tmp_path, monkeypatch):
    """A plug-in that fails to load, and that the scenario does not use, changes nothing.

    Before, listing the indicators a run may write loaded every installed plug-in, so
    any scenario with an ``outputs.indicators`` list was refused with its import error.
    """
    (tmp_path / "plugin_with_missing_dep.py").write_text("import a_dependency_not_installed\n")
    _install(tmp_path, monkeypatch,
             "[scosim.proposals]\nbroken_type = plugin_with_missing_dep:Broken\n"
             "[scosim.mechanisms]\nbroken_mech = plugin_with_missing_dep:Broken\n")
    data = {**_scenario(), "outputs": {"indicators": ["welfare_change_pct"]}}
    assert validate_data(data).outputs.indicators == ["welfare_change_pct"]


def test_a_broken_installed_plugin_leaves_units_and_indicator_messages(tmp_path, monkeypatch):
    """Listing every plug-in's units (what each compare reads) skips one that fails to load.

    Before, ``scosim compare`` of two runs that used no plug-in stopped with that
    plug-in's import error, and so did the message for an indicator a scenario does not
    record.
    """
    from scosim.indicator_display import declared_units
    from scosim.scenario.outputs import not_recorded_reason

    (tmp_path / "plugin_with_missing_dep.py").write_text("import a_dependency_not_installed\n")
    _install(tmp_path, monkeypatch,
             "[scosim.proposals]\nbroken_type = plugin_with_missing_dep:Broken\n"
             "[scosim.mechanisms]\nbroken_mech = plugin_with_missing_dep:Broken\n")
    assert declared_units()["incidents"] == "terrorist incidents a year (GTI definition)"
    reason = not_recorded_reason(validate_data(_scenario()), "incidents")
    assert reason.startswith("'incidents' is not recorded in this scenario: it comes from "
                             "mechanism security (slot security)")


def test_what_an_unknown_name_is_offered_leaves_out_plugins_that_cannot_load(
        tmp_path, monkeypatch):
    """An entry point whose import fails is not offered as a choice (it cannot be one)."""
    (tmp_path / "plugin_with_missing_dep.py").write_text("import a_dependency_not_installed\n")
    _install(tmp_path, monkeypatch,
             "[scosim.proposals]\nbroken_type = plugin_with_missing_dep:Broken\n"
             "visa_free = scosim_visa:VisaFree\n"
             "[scosim.mechanisms]\nbroken_mech = plugin_with_missing_dep:Broken\n")
    [types] = _errors(_scenario("no_such_type"))
    assert "allowed types: " in types and "visa_free" in types
    assert "broken_type" not in types
    [mechs] = _errors(_scenario(security="broken_mec"))
    # A misspelt name of a broken plug-in still finds it (named right, it says why it
    # does not load), but the list of choices leaves it out.
    assert "unknown mechanism 'broken_mec' (did you mean 'broken_mech'?); available: " in mechs
    offered = mechs.split("available: ", 1)[1].split(" (or a dotted path")[0].split(", ")
    assert "security" in offered and "broken_mech" not in offered
