"""A run made with ``--set`` opens with its values in the form, so Run on the page reruns it.

The page opened on such a run with the file's values in the form and a warning that
the form did not show the edits: Run then ran another scenario. Now each edit the form
has a box for is in that box (the manifest records the edits), proposals a run added
are added on the page, and a warning names only what the form cannot show.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scosim.cli import main
from scosim.explore.forms import (
    differing_paths,
    form_of_run,
    format_set,
    scenario_schema,
    widget_state,
    widget_value,
)
from scosim.explore.session import opened_form
from scosim.scenario import load_scenario, scenario_hash

REPO = Path(__file__).resolve().parents[1]
CU = "scenarios/customs_union.yaml"
APP = REPO / "src" / "scosim" / "explore" / "app.py"

# Edits of every kind of box: a number, a whole number, a choice, a YAML value.
EDITS = {
    "parameters.trade.sigma": 4.5,
    "years.end": 2033,
    "proposals[0].revenue_sharing": "gdp",
    "proposals[0].phase_in": {2027: 0.5, 2028: 1.0},
}


def _data(path: str, overrides: dict | None = None) -> dict:
    sc = load_scenario(path, overrides=overrides)
    return sc.model_dump(mode="python", exclude={"source", "extends"})


def test_the_form_takes_the_runs_values_and_resolves_to_its_scenario(workdir: Path) -> None:
    form = form_of_run(scenario_schema(), _data(CU), _data(CU, EDITS))
    assert form.values == EDITS and not form.added
    fields = {f.path: f for f in form.fields}
    # Each box can hold its value, and gives it back as the page reads it.
    assert widget_state(fields["proposals[0].phase_in"], EDITS["proposals[0].phase_in"]) == (
        "{2027: 0.5, 2028: 1.0}")
    assert fields["proposals[0].revenue_sharing"].kind == "choice"
    # What the form runs is the run's scenario: same hash, so the same numbers.
    ran = load_scenario(CU, overrides=EDITS)
    assert scenario_hash(load_scenario(CU, overrides=form.overrides())) == scenario_hash(ran)
    assert opened_form(CU, EDITS).unshown == []


def test_a_block_set_whole_is_shown_field_by_field(workdir: Path) -> None:
    """``--set parameters.trade={...}`` has no box of its own; its fields have."""
    edits = {"parameters.trade": {"sigma": 4.5, "deficits": "ratio"}}
    opened = opened_form(CU, edits)
    assert opened.unshown == []
    assert {"parameters.trade.sigma": 4.5, "parameters.trade.deficits": "ratio"}.items() <= (
        opened.form.values.items())


def test_proposals_the_run_added_are_added_on_the_page(workdir: Path) -> None:
    data = _data(CU)
    new = {"type": "accession", "id": "new_accession_1", "year": 2028, "applicant": "TKM"}
    edits = {"proposals": [*data["proposals"], new], "proposals[1].year": 2029}
    opened = opened_form(CU, edits)
    assert opened.unshown == []
    (added,) = opened.form.added
    # The added proposal as the run had it (its year edited after it was added).
    assert (added["type"], added["applicant"], added["year"]) == ("accession", "TKM", 2029)
    assert opened.form.values == {}
    assert opened.form.overrides()["proposals"] == opened.form.listed


def test_what_the_form_cannot_show_is_named_and_the_rest_is_shown(workdir: Path) -> None:
    edits = {"name": "renamed", "parameters.trade.sigma": 4.5, "proposals": []}
    opened = opened_form(CU, edits)
    # No box for the name, and a list without the file's proposal is not the form's.
    assert opened.unshown == ["--set name=renamed", "--set proposals=[]"]
    assert opened.form.values == {"parameters.trade.sigma": 4.5}
    assert differing_paths({"a": {"b": [1, 2]}, "c": 1}, {"a": {"b": [1, 3]}, "c": 1}) == [
        "a.b[1]"]


def test_a_value_a_box_cannot_hold_is_refused(workdir: Path) -> None:
    form = form_of_run(scenario_schema(), _data(CU), _data(CU))
    fields = {f.path: f for f in form.fields}
    with pytest.raises(ValueError, match="parameters.trade.sigma"):
        widget_value(fields["parameters.trade.sigma"], "high")
    with pytest.raises(ValueError, match="revenue_sharing"):
        widget_value(fields["proposals[0].revenue_sharing"], "not a choice")
    assert widget_value(fields["years.end"], 2033.0) == 2033  # YAML's 2033.0 is a year


def _open_page(monkeypatch: pytest.MonkeyPatch):
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": None, "scenarios_dir": "scenarios", "out": "results"}))  # fmt: skip
    at = testing.AppTest.from_file(str(APP), default_timeout=240).run()
    assert not at.exception
    return at


def test_the_page_opens_a_set_run_with_its_values_and_reruns_it(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    sets = [a for k, v in EDITS.items() for a in ("--set", format_set(k, v))]
    assert main(["run", CU, "--replications", "2", "--out", "results", "--quiet",
                 "--no-plots", *sets]) == 0
    capsys.readouterr()
    (first,) = (workdir / "results" / "customs_union").iterdir()
    ran = json.loads((first / "manifest.json").read_text())
    at = _open_page(monkeypatch)
    assert at.number_input(key="customs_union--parameters.trade.sigma").value == 4.5
    assert at.number_input(key="customs_union--years.end").value == 2033
    assert at.selectbox(key="customs_union--proposals[0].revenue_sharing").value == "gdp"
    assert at.text_input(key="customs_union--proposals[0].phase_in").value == (
        "{2027: 0.5, 2028: 1.0}")
    assert not at.warning  # the form is the run: nothing it does not show
    command = next(c.value for c in at.code if c.value.startswith("scosim run"))
    assert "--set parameters.trade.sigma=4.5" in command
    # Run from the form: the same resolved scenario, seed and runs, so the same numbers.
    at.button(key="run").click().run()
    assert not at.exception
    again = json.loads((Path(at.session_state["last_run"]["path"]) / "manifest.json")
                       .read_text())
    assert again["run_id"] != ran["run_id"]
    assert again["scenario_hash"] == ran["scenario_hash"]
    assert (again["seed"], again["replications"]) == (ran["seed"], 2)


def test_the_page_names_only_the_settings_it_cannot_show(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    assert main(["run", CU, "--replications", "2", "--out", "results", "--quiet",
                 "--no-plots", "--set", "description=edited",
                 "--set", "parameters.trade.sigma=4.5"]) == 0
    capsys.readouterr()
    at = _open_page(monkeypatch)
    assert at.number_input(key="customs_union--parameters.trade.sigma").value == 4.5
    (warning,) = [w.value for w in at.warning]
    assert "`--set description=edited`" in warning and "sigma" not in warning
