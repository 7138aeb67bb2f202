"""A scenario that declares its route instability a stress test: a note, not a warning.

``corridor_trans_afghan_high.yaml`` sets Afghan instability 0.8 on purpose, above the
0.332 no incident level of the security model reaches (docs/security.md, "One instability
scale"). ``validate``, ``run`` and ``compare`` each printed a 348-character warning as if
it were a mistake. ``parameters.network.stress_test: true`` now says it is meant: one
short ``scosim: note:`` (level and ceiling kept), once per command; without it, the
warning as before (tests/test_security_scale.py). The run's answer (summary.txt) says it
is a stress test either way.

The ceiling is checked against the security model's own (numpy) calibration, not the
pure-Python one the message is built from.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scosim.cli import main
from scosim.cli_errors import note_once, notes_said_once

ROOT = Path(__file__).resolve().parents[1]
HIGH = ROOT / "scenarios" / "corridor_trans_afghan_high.yaml"
FIELD = "parameters.network.stress_test"


@pytest.fixture(scope="module")
def ceiling() -> str:
    """Afghanistan's ceiling, 1 - iota(x0), from the security model's arrays, as shown."""
    from scosim.security.model import SecuritySystem
    from scosim.security.scale import instability_ceiling

    system = SecuritySystem()
    a = system.codes.index("AFG")
    value = float(instability_ceiling(system.cal.base_rate[a], system.params.incidents_half))
    assert 0.3 < value < 0.34  # docs/security.md: 0.332
    return f"{value:.3f}"


def test_the_shipped_stress_test_declares_itself_and_validate_notes_it(ceiling, capsys):
    assert main(["validate", str(HIGH)]) == 0
    err = capsys.readouterr().err
    (line,) = err.splitlines()  # one message, piped on one line
    assert line.startswith("scosim: note: parameters.network.instability.AFG 0.8 is above "
                           f"{ceiling}, ")
    assert "stress test" in line and FIELD in line
    assert "warning" not in err and len(line) < 200  # the warning ran to 348 characters
    # Without the declaration the same check warns, at length (the level and bound alike).
    assert main(["validate", str(HIGH), "--set", f"{FIELD}=false"]) == 0
    (warned,) = capsys.readouterr().err.splitlines()
    assert warned.startswith("scosim: warning: parameters.network.instability.AFG 0.8 is "
                             f"above {ceiling}, ") and len(warned) > 300


def test_a_declaration_changes_no_number_and_false_keeps_the_hash():
    """The field is left out of the dump at its default: no scenario's hash moved."""
    from scosim.scenario import load_scenario
    from scosim.scenario.loader import scenario_hash

    declared = load_scenario(HIGH)
    assert declared.parameters.network.stress_test is True
    plain = load_scenario(HIGH, overrides={FIELD: False})
    assert "stress_test" not in plain.model_dump(mode="json")["parameters"]["network"]
    assert scenario_hash(plain) != scenario_hash(declared)  # the file as run says it
    assert plain.parameters.network.instability == declared.parameters.network.instability


@pytest.mark.parametrize(("value", "said"), [
    ("maybe", "expected true or false, got string 'maybe'"),
    ("'true'", "expected true or false, got string 'true'"),
    ("1", "expected true or false, got number 1"),
])
def test_a_value_that_is_not_true_or_false_is_refused_naming_the_field(
        tmp_path, capsys, value, said):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {HIGH}\nname: bad\nparameters:\n  network:\n"
                   f"    stress_test: {value}\n")
    out = tmp_path / "out"
    for args in (["validate", str(bad)], ["run", str(bad), "--out", str(out), "--quiet"]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert f"{bad}:5: {FIELD}: {said}" in err and "Traceback" not in err
    assert not out.exists()  # refused before anything was written


def test_a_misspelt_field_is_refused_with_the_right_name(tmp_path, capsys):
    bad = tmp_path / "typo.yaml"
    bad.write_text(f"extends: {HIGH}\nname: typo\nparameters:\n  network:\n"
                   "    stress_tests: true\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "parameters.network.stress_tests: unknown key 'stress_tests' (did you mean " \
           "'stress_test'?)" in err


def test_a_run_notes_it_once_and_its_answer_says_it_is_a_stress_test(ceiling, tmp_path, capsys):
    assert main(["run", str(HIGH), "--replications", "1", "--set", "years.end=2027",
                 "--out", str(tmp_path), "--quiet"]) == 0
    err = capsys.readouterr().err
    notes = [x for x in err.splitlines() if "is above" in x]
    assert len(notes) == 1 and notes[0].startswith("scosim: note: ") and "warning" not in err
    (run_dir,) = (tmp_path / "corridor_trans_afghan_high").iterdir()
    (kept,) = json.loads((run_dir / "manifest.json").read_text())["warnings"]
    assert kept["category"] == "ScosimNote" and notes[0] == f"scosim: note: {kept['message']}"
    # A reader of the answer alone learns it too (it said only "route instability AFG 0.8").
    answer = " ".join((run_dir / "summary.txt").read_text().split())
    # One sentence that says "stress test" once (it said it twice, a new user's review).
    assert (f"This run is a stress test of the routes (parameters.network.stress_test): "
            f"parameters.network.instability.AFG 0.8 is above {ceiling}, the most any "
            f"incident level gives AFG.") in answer
    assert answer.count("stress test") == 1


def test_the_answer_says_a_warned_stress_test_too():
    """A run that did not declare it keeps the warning: its answer says the same."""
    from scosim.run_warnings import stress_lines

    warned = {"message": "parameters.network.instability.AFG 0.8 is above 0.332, the most "
              "AFG's instability reaches ...: a stress test", "category": "ScosimWarning",
              "module": "scosim.network.params", "count": 1}
    slip = {**warned, "message": "exit_threshold -0.55 ...", "module":
            "scosim.scenario.thresholds"}
    lines = stress_lines({"warnings": [slip, warned]})
    assert " ".join(lines).startswith("This run is a stress test: parameters.network.")
    assert " ".join(lines).count("stress test") == 1
    # The warning's own words, as it is made: what the level means first, said once.
    full = {**warned, "message": "parameters.network.instability.AFG 0.8 is above 0.332, "
            "the most AFG's instability reaches at any incident level (1 - iota): beyond "
            "any incident level the security model has seen: a stress test of the routes' "
            "costs and failure hazard, not a level of violence"}
    said = " ".join(" ".join(stress_lines({"warnings": [full]})).split())
    assert said == ("This run is a stress test of the routes' costs and failure hazard, not "
                    "a level of violence: parameters.network.instability.AFG 0.8 is above "
                    "0.332, the most AFG's instability reaches at any incident level "
                    "(1 - iota).")
    assert all(len(x) <= 80 for x in lines) and "exit_threshold" not in " ".join(lines)
    assert stress_lines({}) == [] and stress_lines({"warnings": "bad"}) == []


def test_compare_says_a_note_both_runs_keep_once(capsys):
    """Each run of it, then each compared run's manifest: one line in all."""
    from scosim.run_warnings import carried_said

    note = {"message": "AFG 0.8 is above 0.332: a stress test", "category": "ScosimNote",
            "module": "scosim.network.params", "count": 1}
    slip = {"message": "a slip", "category": "ScosimWarning", "module": "m", "count": 2}
    said = carried_said([("policy", {"warnings": [note, slip]}, "p"),
                         ("baseline", {"warnings": [note]}, "b")])
    assert said == [(False, "policy run (2 times): a slip", "a slip"),
                    (True, f"policy and baseline runs: {note['message']}", note["message"])]
    one = carried_said([("baseline", {"warnings": [note]}, "b")])
    assert one == [(True, f"baseline run: {note['message']}", note["message"])]

    def command() -> int:
        note_once(note["message"])  # as a run made by the command says it
        note_once(said[1][1], said[1][2])  # then compare, from the manifests
        note_once("another note")
        return 0

    assert notes_said_once(command) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"scosim: note: {note['message']}", "scosim: note: another note"]
    # Outside a command (a notebook, a test) nothing is held back.
    note_once("another note")
    note_once("another note")
    assert capsys.readouterr().err.count("another note") == 2
