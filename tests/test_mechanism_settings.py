"""Settings of a plug-in mechanism, written in the scenario (``Mechanism.settings_model``).

A mechanism declares a pydantic model of its settings; a scenario writes them under
``parameters.mechanism_settings.<name>``; validation checks them with the scenario's
``file:line`` and did-you-mean, and the mechanism reads them as ``self.settings``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from scosim.api import check_sweep
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario, scenario_hash

TESTS = Path(__file__).resolve().parent
MECH = "toy_settings:AfghanCosts"

# The toy mechanism is registered under its dotted path: each test's import of it goes.
pytestmark = pytest.mark.usefixtures("forget_test_plugins")


@pytest.fixture
def scenario_file(tmp_path, monkeypatch):
    """A scenario filling the security slot with the toy mechanism, named by dotted path."""
    monkeypatch.syspath_prepend(str(TESTS / "plugin_pkgs"))
    path = tmp_path / "afg.yaml"
    path.write_text(
        "name: afg\nyears: {start: 2025, end: 2026}\nseed: 3\nreplications: 2\n"
        f"parameters:\n  mechanisms: {{security: '{MECH}'}}\n"
        "  mechanism_settings:\n    toy_afghan_costs: {rise: 0.3}\n"
    )
    yield str(path)
    sys.modules.pop("toy_settings", None)


def _afg_welfare(sc) -> np.ndarray:
    model = run_model(sc)
    return np.asarray(model.welfare)[:, list(model.codes).index("AFG")]


def test_the_mechanism_reads_its_settings_from_the_scenario(scenario_file):
    sc = load_scenario(scenario_file)
    model = run_model(sc, runs=[0])
    (mech,) = [m for slot, m in model.mechanisms if slot == "security"]
    assert mech.settings.rise == 0.3
    # Unwritten settings take the model's defaults.
    bare = load_scenario(scenario_file, overrides={"parameters.mechanism_settings": {}})
    (mech,) = [m for slot, m in run_model(bare, runs=[0]).mechanisms if slot == "security"]
    assert mech.settings.rise == 0.1
    # The setting moves the numbers: a larger rise in Afghanistan's costs, a larger loss.
    assert np.all(_afg_welfare(sc) < _afg_welfare(bare))
    assert np.all(_afg_welfare(bare) < 1.0)
    assert scenario_hash(sc) != scenario_hash(bare)


def test_a_scenario_without_settings_dumps_as_before(scenario_file):
    bare = load_scenario(scenario_file, overrides={"parameters.mechanism_settings": {}})
    assert "mechanism_settings" not in bare.model_dump(mode="json")["parameters"]


@pytest.mark.parametrize(("override", "message"), [
    ("parameters.mechanism_settings.toy_afghan_costs.ris=0.2",
     "parameters.mechanism_settings.toy_afghan_costs.ris: unknown key 'ris' "
     "(did you mean 'rise'?); allowed keys: rise"),
    ("parameters.mechanism_settings.toy_afghan_costs.rise=2.0",
     "parameters.mechanism_settings.toy_afghan_costs.rise: 2.0 is out of range: must be <= 1"),
    ("parameters.mechanism_settings.ge_trade.x=1",
     "parameters.mechanism_settings.ge_trade: mechanism 'ge_trade' takes no settings here "
     "(it declares no settings_model)"),
    ("parameters.mechanism_settings.toy_afgan_costs.rise=0.2",
     "parameters.mechanism_settings.toy_afgan_costs: no mechanism named 'toy_afgan_costs' "
     "fills a slot; the scenario's mechanisms: calibrated_growth, ge_trade, toy_afghan_costs"),
])
def test_bad_settings_are_reported_where_they_are_written(scenario_file, override, message):
    key, value = override.split("=")
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario_file, overrides={key: float(value)})
    assert message in str(err.value)


KEY = "parameters.mechanism_settings.toy_afghan_costs.rise"


def test_a_swept_setting_gives_each_run_the_numbers_of_its_override(scenario_file):
    sc = load_scenario(scenario_file)
    swept = run_model(sc, runs=[0, 1, 1], params={KEY: np.array([0.05, 0.05, 0.4])})
    for row, (run, rise) in enumerate([(0, 0.05), (1, 0.05), (1, 0.4)]):
        alone = run_model(load_scenario(scenario_file, overrides={KEY: rise}), runs=[run])
        np.testing.assert_array_equal(np.asarray(swept.welfare)[row],
                                      np.asarray(alone.welfare)[0])
    afg = list(swept.codes).index("AFG")
    assert swept.welfare[2, afg] < swept.welfare[1, afg]


def test_check_sweep_accepts_a_declared_setting_and_checks_its_values(scenario_file):
    check_sweep(scenario_file, {KEY: (0.0, 0.5)}, ["welfare_change_pct:AFG"])
    with pytest.raises(ScenarioError) as err:
        check_sweep(scenario_file, {KEY: (0.0, 1.5)}, ["welfare_change_pct:AFG"])
    assert str(err.value) == (f"--param:1: {KEY}: 1.5 is out of range: must be <= 1.0 "
                              "(allowed: 0 <= rise <= 1)")


@pytest.mark.parametrize(("name", "says"), [
    ("parameters.mechanism_settings.toy_afghan_cost.rise", "no mechanism named "
     "'toy_afghan_cost' fills a slot; the scenario's mechanisms: calibrated_growth, ge_trade, "
     "toy_afghan_costs"),
    ("parameters.mechanism_settings.ge_trade.sigma", "setting 'sigma' of mechanism 'ge_trade' "
     "cannot be swept: a sweep varies a value across the runs of one batch, and the mechanism "
     "reads none of its settings per run (Mechanism.sweepable, docs/mechanisms.md)"),
    ("parameters.mechanism_settings.toy_afghan_costs",
     "write a mechanism's setting as parameters.mechanism_settings.<name>.<field>"),
])
def test_check_sweep_says_what_of_a_mechanism_may_be_swept(scenario_file, name, says):
    with pytest.raises(ScenarioError) as err:
        check_sweep(scenario_file, {name: (0.0, 0.5)}, ["welfare_change_pct:AFG"])
    assert str(err.value) == f"--param:1: {name}: {says}"


def test_sweepable_settings_are_checked_at_registration(scenario_file):
    from toy_settings import AfghanCosts

    from scosim.model.slots import _check
    from scosim.plugins import PluginError

    for attrs, says in [
        ({"sweepable": ("ris",)}, "sweepable setting 'ris' is not a number field of its "
         "settings_model; number fields: rise"),
        ({"sweepable": "rise"}, "`sweepable` must be a tuple of setting names"),
        ({"settings_model": dict}, "settings_model must be a pydantic model class"),
    ]:
        with pytest.raises(PluginError, match=says):
            _check(type("Bad", (AfghanCosts,), attrs), "toy_afghan_costs")


@pytest.mark.parametrize(("removed", "left"), [
    ("toy_afghan_costs: null", {}),
    ("toy_afghan_costs: {rise: null}", {"toy_afghan_costs": {}}),
])
def test_a_child_s_null_removes_the_parent_s_setting(scenario_file, removed, left):
    """A scenario extending one with settings could not go back to the mechanism's
    defaults: mappings merged, and null was refused (JSON Merge Patch now)."""
    child = Path(scenario_file).with_name("child.yaml")
    child.write_text("extends: afg.yaml\nname: child\nparameters:\n  mechanism_settings:\n"
                     f"    {removed}\n")
    sc = load_scenario(child)
    (mech,) = [m for slot, m in run_model(sc, runs=[0]).mechanisms if slot == "security"]
    assert mech.settings.rise == 0.1  # the settings model's default, not the parent's 0.3
    assert mech.name == "toy_afghan_costs"  # the parent's slot is kept
    # As if the parent had not written it.
    assert sc.parameters.mechanism_settings == left
    unset = load_scenario(scenario_file, overrides={"parameters.mechanism_settings": left})
    assert scenario_hash(sc) == scenario_hash(unset.model_copy(update={"name": "child"}))


def test_a_null_with_nothing_to_remove_says_so(scenario_file):
    child = Path(scenario_file).with_name("child.yaml")
    child.write_text("extends: afg.yaml\nname: child\nparameters:\n  mechanism_settings:\n"
                     "    toy_afgan_costs: null\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert str(err.value) == (
        f"{child}:5: parameters.mechanism_settings.toy_afgan_costs: expected a mapping, got "
        "nothing (null); null removes a key of the file extended, and "
        f"{Path(scenario_file).parent / 'afg.yaml'} (with the files it extends) has no "
        "'toy_afgan_costs' here (did you mean 'toy_afghan_costs'?)")
    # Without extends there is nothing a null could remove: only the value is wrong.
    alone = Path(scenario_file).read_text().replace("{rise: 0.3}", "null")
    Path(scenario_file).write_text(alone)
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario_file)
    assert str(err.value) == (
        f"{scenario_file}:8: parameters.mechanism_settings.toy_afghan_costs: expected a "
        "mapping, got nothing (null)")


def test_an_empty_mapping_of_settings_hashes_as_none(scenario_file):
    """``toy_afghan_costs: {}`` (what a child's ``{rise: null}`` leaves) gives the mechanism
    its model's defaults, as no entry does: the same model, so the same scenario hash, by
    which finished runs are reused and partial runs resumed (a review found they differed)."""
    children = {}
    for removed in ("toy_afghan_costs: null", "toy_afghan_costs: {rise: null}"):
        child = Path(scenario_file).with_name("child.yaml")
        child.write_text("extends: afg.yaml\nname: child\nparameters:\n  mechanism_settings:\n"
                         f"    {removed}\n")
        children[removed] = load_scenario(child)
    gone, emptied = children.values()
    assert emptied.parameters.mechanism_settings == {"toy_afghan_costs": {}}
    assert scenario_hash(emptied) == scenario_hash(gone)
    np.testing.assert_array_equal(_afg_welfare(emptied), _afg_welfare(gone))  # same numbers
    assert "mechanism_settings" not in emptied.model_dump(mode="json")["parameters"]
    # What is written still counts: another value, a different model and hash.
    other = load_scenario(scenario_file, overrides={KEY: 0.2})
    assert scenario_hash(other) != scenario_hash(load_scenario(
        scenario_file, overrides={"parameters.mechanism_settings.toy_afghan_costs": {}}))
