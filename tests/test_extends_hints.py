"""A new user's mistakes with ``extends:`` are answered with what to write instead.

A fresh clone, 2026-12-07: a child ``proposals: [{id: sco_cu, cet: min}]`` under ``extends:
scosim:customs_union`` failed with a bare "missing key 'type'" (the merge rule replaces the
parent's list whole, which the user did not expect), ``extends: customs_union.yaml`` in a
folder of her own with "file not found" and no word of ``scosim:customs_union``, and
``scosim validate``'s hash changed with ``--set replications=10`` though the docs call a
number of replications no change to the scenario.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from scosim.cli import main
from scosim.scenario import ScenarioError, load_scenario, parse_overrides, scenario_hash

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = yaml.safe_load((ROOT / "scenarios" / "customs_union.yaml").read_text())


def _write(folder: Path, name: str, data: dict) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _error(path: Path) -> str:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert len(exc.value.errors) == 1
    return str(exc.value.errors[0].message)


def test_a_child_item_without_type_names_the_parents_item_and_the_set_that_works(
        tmp_path) -> None:
    child = _write(tmp_path, "cu_min.yaml", {"extends": "scosim:customs_union",
                                             "proposals": [{"id": "sco_cu", "cet": "min"}]})
    said = _error(child)
    assert said.startswith("missing key 'type': ")
    assert "replaces scosim:customs_union's whole list" in said
    # The parent's item: its type and every field but type and id, in the file's order.
    fields = [k for k in SHIPPED["proposals"][0] if k not in ("type", "id")]
    assert f"'sco_cu' is type customs_union ({', '.join(fields)})" in said
    assert "copy that item whole" in said
    # The --set it suggests exists and does what the child meant: the same scenario as the
    # proposal copied whole with cet changed.
    sets = re.findall(r"--set (\S+)", said)
    assert sets == ["proposals.sco_cu.cet=min"]
    by_set = load_scenario("scosim:customs_union", overrides=parse_overrides(sets))
    whole = _write(tmp_path, "cu_copy.yaml", {
        "extends": "scosim:customs_union",
        "proposals": [{**SHIPPED["proposals"][0], "cet": "min"}]})
    assert by_set.proposals[0].cet == "min"
    assert scenario_hash(load_scenario(whole)) == scenario_hash(by_set)


def test_several_fields_give_one_set_each_that_a_shell_passes_whole(tmp_path) -> None:
    _write(tmp_path, "parent.yaml", {"extends": str(ROOT / "scenarios" / "customs_union.yaml")})
    child = _write(tmp_path, "child.yaml", {
        "extends": "parent.yaml",
        "proposals": [{"id": "sco_cu", "cet": "max", "phase_in": {2027: 1.0}}]})
    said = _error(child)
    # The item was written in the shipped file, which the parent extends by path.
    assert "customs_union.yaml's whole list" in said and "change those fields" in said
    command = said.split(" with ", 1)[1].split(" (docs/")[0]
    words = shlex.split(command)  # as a shell reads it: the mapping stays one word
    sets = [w for w in words if w != "--set"]
    assert sets == ["proposals.sco_cu.cet=max", "proposals.sco_cu.phase_in={2027: 1.0}"]
    done = load_scenario(child.with_name("parent.yaml"), overrides=parse_overrides(sets))
    whole = _write(tmp_path, "whole.yaml", {
        "extends": "parent.yaml",
        "proposals": [{**SHIPPED["proposals"][0], "cet": "max", "phase_in": {2027: 1.0}}]})
    assert done.proposals[0].cet == "max"
    assert scenario_hash(done) == scenario_hash(load_scenario(whole))


def test_an_id_the_parent_does_not_have_keeps_the_plain_message(tmp_path) -> None:
    child = _write(tmp_path, "x.yaml", {"extends": "scosim:customs_union",
                                        "proposals": [{"id": "other", "cet": "min"}]})
    said = _error(child)
    assert said.startswith("missing key 'type'; allowed types: ")
    assert "whole list" not in said


def test_the_command_says_it_in_one_line(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "cu_min.yaml", {"extends": "scosim:customs_union",
                                     "proposals": [{"id": "sco_cu", "cet": "min"}]})
    assert main(["validate", "cu_min.yaml"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("scosim: error: cu_min.yaml:")
    assert "--set proposals.sco_cu.cet=min" in err[0] and "Traceback" not in err[0]


@pytest.mark.parametrize(("written", "meant"), [
    ("customs_union.yaml", "scosim:customs_union"),
    ("apply_afg_2012.yaml", "scosim:hindcasts/apply_afg_2012"),
])
def test_a_shipped_file_name_not_found_suggests_its_scosim_name(
        tmp_path, monkeypatch, written, meant) -> None:
    monkeypatch.chdir(tmp_path)  # the file as a user names it, in a folder of her own
    _write(tmp_path, "mine.yaml", {"extends": written, "name": "mine"})
    said = _error(Path("mine.yaml"))
    assert said.startswith(f"file not found: {written!r} (looked for ")
    assert said.endswith(f"; did you mean extends: {meant}?")


def test_a_name_no_shipped_scenario_has_gets_no_suggestion(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "mine.yaml", {"extends": "my_union.yaml", "name": "m"})
    said = _error(Path("mine.yaml"))
    assert said.startswith("file not found: 'my_union.yaml'") and "did you mean" not in said


def test_validate_says_the_hash_covers_the_seed_and_replications_it_shows(capsys) -> None:
    path = str(ROOT / "scenarios" / "customs_union.yaml")
    lines = []
    for extra in ([], ["--set", "replications=10"], ["--set", "seed=3"]):
        assert main(["validate", path, *extra]) == 0
        lines.append(capsys.readouterr().out.strip())
    found = [re.search(r"(\d+) replications, seed (\d+), .*; scenario hash ([0-9a-f]{12}), of "
                       r"the scenario as run with this seed and (\d+) replications$", line)
             for line in lines]
    assert all(found), lines
    # The hash changes with them (run ids and resumption rest on it), and the line shows
    # the seed and replications it covers.
    assert len({m.group(3) for m in found}) == 3
    assert [(m.group(1), m.group(4)) for m in found] == [("20", "20"), ("10", "10"),
                                                           ("20", "20")]
    assert found[2].group(2) == "3"
