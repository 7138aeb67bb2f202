"""The commands that isolate an effect repeat the run (audit, 2026-12-07).

The "proposals' own effect" command and the corridor measures' one named the run's
resolved ``scenario.yaml`` whenever the run used ``--set``; as the spread line
(:func:`scosim.run_spread.run_spread`) they now name the file the user ran with the run's
own ``--set`` restated, and leave out those the command replaces: ``--set 'proposals=[]'``
replaces a run's ``--set proposals.0.year=2027``. Checked by parsing the printed command
back into overrides, as ``scosim run`` would.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from scosim.attribution import own_effect_lines
from scosim.network.answer_notes import measure_lines
from scosim.scenario import load_scenario
from scosim.scenario.overrides import parse_overrides

SCEN = Path(__file__).resolve().parents[1] / "scenarios"


def _run_dir(tmp_path: Path, name: str) -> Path:
    d = tmp_path / "run"
    d.mkdir()
    sc = load_scenario(SCEN / f"{name}.yaml").model_dump(mode="json", by_alias=True)
    sc.pop("extends", None)  # resolved, as a run saves it
    (d / "scenario.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")
    return d


def _command(lines: list[str]) -> tuple[str, dict]:
    """The first ``scosim run`` command of the lines: its scenario and its --set, parsed."""
    cmd = re.search(r"`scosim run ([^`]*)`", " ".join(lines)).group(1)
    words = shlex.split(cmd)
    sets = [words[k + 1] for k, w in enumerate(words) if w == "--set"]
    return words[0], parse_overrides(sets)


def test_the_own_effect_command_names_the_file_run_with_its_own_sets(tmp_path) -> None:
    d = _run_dir(tmp_path, "corridor_trans_afghan_high")
    manifest = {"seed": 7, "replications": 5, "run_id": "done",
                "scenario_file": "scenarios/corridor_trans_afghan_high.yaml",
                "overrides": {"parameters.trade.sigma": 4.5, "proposals.0.year": 2027,
                              "outputs.plots": False}}
    lines = own_effect_lines(d, manifest)
    scenario, sets = _command(lines)
    assert scenario == "scenarios/corridor_trans_afghan_high.yaml"  # not .../scenario.yaml
    # The run's own settings but the proposal's (proposals=[] replaces it), said so.
    assert sets == {"parameters.trade.sigma": 4.5, "proposals": []}
    flat = " ".join(lines)
    assert ("(the run's own `--set proposals.0.year=2027` left out: proposals=[] replaces "
            "them)") in flat
    assert "--seed 7 --replications 5" in flat


def test_without_sets_or_a_recorded_file(tmp_path) -> None:
    d = _run_dir(tmp_path, "corridor_trans_afghan_high")
    base = {"seed": 7, "replications": 5, "run_id": "done"}
    scenario, sets = _command(own_effect_lines(d, {**base, "scenario_file": "a b.yaml",
                                                   "overrides": {}}))
    assert scenario == "a b.yaml" and sets == {"proposals": []}
    # No file recorded: the resolved copy, which holds the run's settings already.
    scenario, _ = _command(own_effect_lines(d, {**base, "overrides": {"seed": 1}}))
    assert scenario == str(tmp_path / "done" / "scenario.yaml")


def test_the_measures_command_replaces_the_run_s_own_measures_set(tmp_path) -> None:
    d = _run_dir(tmp_path, "corridor_instc")
    manifest = {"seed": 3, "replications": 2, "run_id": "done",
                "scenario_file": "scenarios/corridor_instc.yaml",
                "overrides": {"parameters.network.measures": "all",
                              "parameters.trade.sigma": 4.5}}
    lines = measure_lines(d, manifest)
    tail = lines[next(k for k, x in enumerate(lines) if "Their part" in x):]
    scenario, sets = _command(tail)
    assert scenario == "scenarios/corridor_instc.yaml"
    assert sets == {"parameters.trade.sigma": 4.5, "parameters.network.measures": "costed"}
    assert "(in place of the run's `--set parameters.network.measures=all`)" in " ".join(tail)
