"""Messages for small input mistakes say what was meant and name what the user typed.

Each was already refused (exit 2), in words that did not help: a misspelt hook had no
did-you-mean, a bare indicator name was "not one of all", ``--batch-size 0`` was named
``batch_size``, and an empty ``hindcast --dir`` was reported as one missing file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scosim.cli import main
from scosim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def test_a_misspelt_hook_gets_a_did_you_mean(tmp_path):
    path = tmp_path / "hooks.yaml"
    path.write_text(f"extends: {BASELINE}\nname: hooks\n"
                    "parameters: {rules: {coperate: always_yes, defcet: never_defect}}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    said = {e.path: e.message for e in info.value.errors}
    assert said["parameters.rules.coperate"].startswith(
        "unknown hook 'coperate' (did you mean 'cooperate'?); hooks are: vote, defect")
    assert said["parameters.rules.defcet"].startswith(
        "unknown hook 'defcet' (did you mean 'defect'?); hooks are: ")


@pytest.mark.parametrize(("value", "message"), [
    ("welfare_change_pct", "'welfare_change_pct' is not a list: expected 'all' or a list of "
     "indicator names (write one name as a list too: [welfare_change_pct])"),
    ("al", "'al' is not a list (did you mean 'all'?): expected 'all' or a list of indicator "
     "names"),
])
def test_a_bare_indicator_name_is_told_to_be_a_list(capsys, value, message):
    assert main(["validate", str(BASELINE), "--set", f"outputs.indicators={value}"]) == 2
    assert capsys.readouterr().err == (
        f"scosim: error: <override>:1: outputs.indicators: {message}\n")


@pytest.mark.parametrize("option", ["--batch-size", "--replications"])
def test_run_counts_below_one_name_the_option(tmp_path, capsys, option):
    out = tmp_path / "out"
    assert main(["run", str(BASELINE), option, "0", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"scosim: error: {option} must be >= 1, got 0\n"
    assert not out.exists()


def test_an_empty_hindcast_dir_is_named_not_its_first_file(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "hindcast"
    assert main(["hindcast", "--dir", str(empty), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scosim: error: --dir {empty} holds none of the hindcast's ")
    assert "scenario files (ftz_2004.yaml, ftz_2005.yaml," in err
    assert "file not found" not in err
    assert not out.exists()


def test_a_hindcast_dir_lacking_some_files_lists_them(tmp_path, capsys):
    part = tmp_path / "part"
    shutil.copytree(ROOT / "scenarios" / "hindcasts", part)
    (part / "bank_2015.yaml").unlink()
    out = tmp_path / "hindcast"
    assert main(["hindcast", "--dir", str(part), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"--dir {part} lacks 1 of the hindcast's " in err
    assert "scenario files (bank_2015.yaml); give the directory" in err
    assert not out.exists()
