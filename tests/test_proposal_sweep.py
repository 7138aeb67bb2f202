"""Sweeping a field of a plug-in proposal type (``ProposalType.sweepable``).

The worked example of docs/proposals.md (tests/plugin_pkgs/scosim-visa) declares its
``cost_cut`` sweepable. A swept point must give the numbers of a run with the same
value set by override, and the names a sweep refuses must say what may be swept.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from scosim.api import check_sweep
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario

TESTS = Path(__file__).resolve().parent
KEY = "proposals.ca_visa.cost_cut"


@pytest.fixture
def visa_yaml(tmp_path, visa_plugin):
    """The visa-free package installed through its entry point, and a scenario using it."""
    path = tmp_path / "visa.yaml"
    path.write_text(yaml.safe_dump({
        "name": "visa", "years": {"start": 2025, "end": 2029}, "seed": 7, "replications": 2,
        "parameters": {"council": {"decision_rule": "interested_members"}},
        "proposals": [{"type": "visa_free", "id": "ca_visa", "year": 2026, "proposer": "KAZ",
                       "participants": ["KAZ", "KGZ", "TJK", "UZB"], "cost_cut": 0.05}],
    }))
    return str(path)


def _welfare(model) -> np.ndarray:
    """Last year's welfare change of every run, (R, N)."""
    return np.asarray(model.welfare) - 1.0


def test_a_swept_field_gives_each_run_the_numbers_of_its_override(visa_yaml):
    sc = load_scenario(visa_yaml)
    swept = run_model(sc, runs=[0, 0, 1], params={KEY: np.array([0.02, 0.08, 0.08])})
    for row, (run, cut) in enumerate([(0, 0.02), (0, 0.08), (1, 0.08)]):
        alone = run_model(load_scenario(visa_yaml, overrides={KEY: cut}), runs=[run])
        np.testing.assert_array_equal(_welfare(swept)[row], _welfare(alone)[0])
    # ... and the cut moves welfare: a larger cut, a larger gain for the participants.
    kaz = list(swept.codes).index("KAZ")
    assert _welfare(swept)[1, kaz] > _welfare(swept)[0, kaz] > 0


def test_check_sweep_accepts_a_declared_field_and_checks_its_values(visa_yaml):
    check_sweep(visa_yaml, {KEY: (0.01, 0.09)}, ["welfare_change_pct:KAZ"])
    with pytest.raises(ScenarioError) as err:
        check_sweep(visa_yaml, {KEY: (0.01, 1.5)}, ["welfare_change_pct:KAZ"])
    assert str(err.value) == (f"--param:1: {KEY}: 1.5 is out of range: must be < 1.0 "
                              "(allowed: 0 < cost_cut < 1)")


@pytest.mark.parametrize(("name", "says"), [
    ("proposals[0].cost_cut", f"name the proposal by its id: {KEY}"),
    ("proposals.0.cost_cut", f"name the proposal by its id: {KEY}"),
    ("proposals.nope.cost_cut", "no proposal has id 'nope'; ids: ca_visa"),
    ("proposals.ca_visa.depth", "field 'depth' of proposal 'ca_visa' (type visa_free) cannot "
     f"be swept: a sweep varies a value across the runs of one batch, and its type reads "
     f"only these per run: {KEY} (ProposalType.sweepable, docs/proposals.md)"),
    ("proposals.ca_visa", f"write a proposal's field as proposals.<id>.<field>, e.g. {KEY}"),
])
def test_check_sweep_says_what_of_a_proposal_may_be_swept(visa_yaml, name, says):
    with pytest.raises(ScenarioError) as err:
        check_sweep(visa_yaml, {name: (0.01, 0.05)}, ["welfare_change_pct:KAZ"])
    assert str(err.value) == f"--param:1: {name}: {says}"


def test_sweepable_is_checked_at_registration():
    from scosim.plugins import PluginError
    from scosim.proposals import _check

    sys.path.insert(0, str(TESTS / "plugin_pkgs" / "scosim-visa"))
    try:
        from scosim_visa import VisaFree
    finally:
        sys.path.remove(str(TESTS / "plugin_pkgs" / "scosim-visa"))
        sys.modules.pop("scosim_visa", None)
    for bad, says in [(("participants",), "sweepable field 'participants' is not a number "
                        "field of its spec; number fields: year, cost_cut, depth"),
                      ("cost_cut", "`sweepable` must be a tuple of field names")]:
        cls = type("Bad", (VisaFree,), {"sweepable": bad})
        with pytest.raises(PluginError, match=says):
            _check(cls, "visa_free")


def test_vote_rules_see_each_run_s_swept_value_in_the_preview(visa_yaml):
    """The worked example showed vote rules the scenario's cost_cut (0.05) in every run of
    a sweep; ctx.preview["cost_cut"] is each run's own value now (self.value)."""
    from scosim.model.model import SCOModel

    sc = load_scenario(visa_yaml)
    model = SCOModel(sc, runs=[0, 0], params={KEY: np.array([0.02, 0.08])})
    arr = next(a for a in model.arrangements if a.pid == "ca_visa")
    pv = arr.preview(model, arr.invitees(model))
    assert pv.info["cost_cut"].shape == (2, model.N)
    np.testing.assert_array_equal(pv.info["cost_cut"][:, 0], [0.02, 0.08])
