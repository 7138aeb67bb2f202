"""The seed of a sweep's runs: one for every point, the scenario's or ``--run-seed``'s.

A sweep runs every point with the same seed (common random numbers: two points differ by
their parameters, not by their luck), by design. ``--seed`` is the design's seed (LHS
points, the bootstrap), so ``scosim run --seed`` had no counterpart: a grid given
``--seed 11`` still ran with the scenario's seed, silently. ``--run-seed`` sets the runs'
seed at every point, as ``--set seed=`` does.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from scosim.cli import main
from scosim.scenario import load_scenario


def _sweep(path, out, *extra: str) -> tuple[pd.DataFrame, dict]:
    code = main(["sweep", str(path), "--method", "grid", "--param",
                 "parameters.weights.sovereignty=0,0.5", "--replications", "2",
                 "--output", "gdp_usd:KAZ",
                 "--out", str(out), "--quiet", *extra])
    assert code == 0
    [manifest] = out.rglob("manifest.json")
    return (pd.read_parquet(manifest.parent / "design_outputs.parquet"),
            json.loads(manifest.read_text()))


def test_run_seed_seeds_every_point_as_set_seed_does(tmp_path, model_fixture, capsys):
    path = model_fixture("small_cu.yaml")
    assert load_scenario(path).seed != 11
    default, meta0 = _sweep(path, tmp_path / "default")
    seeded, meta = _sweep(path, tmp_path / "run_seed", "--run-seed", "11")
    assert meta["scenario_seed"] == 11 and meta0["scenario_seed"] == load_scenario(path).seed
    assert "runs with the scenario's seed 11" in capsys.readouterr().out
    same, _ = _sweep(path, tmp_path / "set", "--set", "seed=11")
    pd.testing.assert_frame_equal(seeded, same, check_exact=True)
    # The runs' growth draws moved with the seed (every point at once): GDP differs.
    assert not seeded.equals(default)


def test_run_seed_and_set_seed_together_are_refused(tmp_path, model_fixture, capsys):
    code = main(["sweep", str(model_fixture("small_cu.yaml")), "--method", "grid",
                 "--param", "parameters.weights.sovereignty=0,0.5",
                 "--output", "welfare_change_pct:KAZ", "--out", str(tmp_path), "--quiet",
                 "--run-seed", "7", "--set", "seed=8"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--run-seed 7 and --set seed=8" in err and "Traceback" not in err


def test_the_help_says_every_point_runs_with_one_seed(capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "every point runs with the same seed" in text
    assert "--run-seed" in text and "common random numbers" in text
