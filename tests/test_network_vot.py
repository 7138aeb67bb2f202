"""The value of shipping time drawn per run (scosim.network.vot; corridor referee, defect 2)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from scosim.data import load_calibration
from scosim.data.constants import ECONOMIES
from scosim.model.model import SCOModel
from scosim.network.mechanism import shared_network
from scosim.network.step import CorridorNetwork
from scosim.run_spread import scenario_spread, spread_lines
from scosim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
IND, RUS, IRN = (ECONOMIES.index(c) for c in ("IND", "RUS", "IRN"))
#: Hummels and Schaur (2013): a day in transit is worth 0.6 to 2.1 percent of the goods.
HUMMELS_SCHAUR_RANGE = (0.006, 0.021)


def _instc(**over):
    return load_scenario(SCEN / "corridor_instc.yaml", {"years.end": 2033, **over})


def test_each_run_draws_its_value_of_time_across_hummels_and_schaur():
    """Every run had 0.0135 a day, so the band left out what sets most corridor gains."""
    model = SCOModel(_instc(replications=400))
    vot = shared_network(model).vot
    low, high = HUMMELS_SCHAUR_RANGE
    assert vot.shape == (400,)
    assert vot.min() >= low and vot.max() < high
    # Eight values, the midpoints of eighths of the range, so runs share route searches.
    levels = low + (high - low) * (np.arange(8) + 0.5) / 8
    np.testing.assert_allclose(np.unique(vot), levels, rtol=1e-12)
    # Uniform on [0.006, 0.021]: mean 0.0135 (sd of the mean 0.0043 / sqrt(400) = 0.0002),
    # a quarter of the runs in each quarter of the range.
    assert abs(vot.mean() - 0.0135) < 0.001
    quarters = np.histogram(vot, bins=np.linspace(low, high, 5))[0]
    assert quarters.min() > 70


def test_a_run_draws_the_same_value_in_any_batch_and_steps_at_it():
    """Run r's value is its own stream's, and its network step is that of a network built at it."""
    sc = _instc()
    batch = SCOModel(sc, runs=[0, 1, 2])
    alone = SCOModel(sc, runs=[2], calibration=copy.copy(load_calibration()))
    assert shared_network(alone).vot[0] == shared_network(batch).vot[2]
    assert len(set(shared_network(batch).vot)) >= 2
    batch.run_model()
    alone.run_model()
    inp = dict(batch.mechanisms)["network"].inputs
    for r, v in enumerate(shared_network(batch).vot):
        core = CorridorNetwork(trade=batch.trade_cif0, params={"vot_per_day": float(v)}).step(
            active_projects=inp["active"][r:r + 1],
            initial_phase=inp["initial_phase"][r:r + 1], trade=inp["trade"][r:r + 1])
        assert np.array_equal(batch.network_step.t_hat[r], core.t_hat[0])
    assert np.array_equal(alone.network_step.t_hat[0], batch.network_step.t_hat[2])


def test_a_higher_value_of_time_gives_a_larger_fall_in_india_russia_costs():
    """Time is most of India-Russia's cost: the run with the larger draw saves more."""
    model = SCOModel(_instc(), runs=[0, 1, 2, 3])
    model.run_model()
    vot = shared_network(model).vot
    fall = 1.0 - model.network_step.t_hat[:, IND, RUS]
    assert fall.min() > 0
    assert np.corrcoef(vot, fall)[0, 1] > 0.9


def test_a_fixed_value_of_time_serves_every_run():
    """``vot_per_day`` (or ``vot_range: [x, x]``) gives every run one network, at that value."""
    fixed = shared_network(SCOModel(_instc(**{"parameters.network.vot_per_day": 0.006}),
                                    runs=[0, 1]))
    assert fixed.vot is None and fixed.nets[0] is fixed.nets[1] is fixed.net
    assert fixed.net.params["vot_per_day"] == 0.006
    same = shared_network(SCOModel(_instc(**{"parameters.network.vot_range": [0.006, 0.006]}),
                                   runs=[0, 1]))
    assert same.vot is None and same.net.params["vot_per_day"] == 0.006
    narrow = shared_network(SCOModel(_instc(**{"parameters.network.vot_range": [0.01, 0.011]}),
                                     runs=[0, 1]))
    assert narrow.vot.min() >= 0.01 and narrow.vot.max() < 0.011


def test_two_fixed_values_of_time_in_one_process_keep_their_own_steps():
    """A ``vot_range: [x, x]`` steps at x, not from another fixed value's memo."""
    N = len(ECONOMIES)

    def india_russia(over):  # noqa: ANN001, ANN202
        cn = shared_network(SCOModel(_instc(**over), runs=[0]))
        P, E = len(cn.net.project_ids), len(cn.net.edge_ids)
        active = np.zeros((1, P), bool)
        active[0, cn.net.project_ids.index("INSTC_CHABAHAR")] = True
        step = cn.step(np.zeros((1, N)), active, np.zeros((1, P)), np.ones((1, N)),
                       np.zeros((1, E), bool))
        return step.t_hat[0, IND, RUS]

    low = india_russia({"parameters.network.vot_range": [0.006, 0.006]})
    high = india_russia({"parameters.network.vot_range": [0.021, 0.021]})
    assert low == india_russia({"parameters.network.vot_per_day": 0.006})
    assert high == india_russia({"parameters.network.vot_per_day": 0.021})
    assert high < low < 1.0


@pytest.mark.parametrize(("over", "words"), [
    ({"parameters.network.vot_range": [0.03, 0.01]},
     ["parameters.network.vot_range", "0 < low <= high <= 0.1"]),
    ({"parameters.network.vot_range": [0.0, 0.01]},
     ["parameters.network.vot_range", "0 < low"]),
    ({"parameters.network.vot_range": [0.006, 0.021], "parameters.network.vot_per_day": 0.01},
     ["parameters.network", "vot_per_day", "vot_range", "allowed: one of them"]),
])
def test_a_bad_value_of_time_names_the_field_and_what_is_allowed(over, words, tmp_path):
    import subprocess
    import sys

    sets = [a for k, v in over.items() for a in ("--set", f"{k}={v}")]
    out = subprocess.run([sys.executable, "-m", "scosim", "validate",
                          str(SCEN / "corridor_instc.yaml"), *sets],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode != 0
    said = out.stdout + out.stderr
    assert "Traceback" not in said
    for w in words:
        assert w in said, (w, said)


def test_the_answer_s_how_sure_line_names_the_value_of_time_and_its_commands():
    """The band's line said "the network mechanism's draws", which drew nothing."""
    import pandas as pd
    import yaml

    from scosim.runstats import RunStats

    ev = pd.DataFrame([(r, 2026, "vote", c, "instc", True) for r in range(2)
                       for c in ("IRN", "IND")],
                      columns=["run", "year", "type", "country", "proposal", "yes"])
    ind = pd.DataFrame([(r, 2035, "IRN", "welfare_change_pct", 0.2) for r in range(2)],
                       columns=["run", "year", "country", "indicator", "value"])
    stats = RunStats.from_frames(ind, ev)
    raw = yaml.safe_load((SCEN / "corridor_instc.yaml").read_text())
    raw.setdefault("parameters", {}).setdefault("mechanisms", {})["network"] = "corridor_network"
    said = " ".join(spread_lines(scenario_spread(raw, "scenarios/corridor_instc.yaml"),
                                 stats, moved=True, in_arrangement=False,
                                 exits_said=False))
    assert "value of shipping time (drawn in [0.6, 2.1] %" in said
    assert "network mechanism's draws" not in said
    assert "--set parameters.network.vot_per_day=0.006" in said
    raw["parameters"]["network"] = {**(raw["parameters"].get("network") or {}),
                                    "vot_per_day": 0.0135}
    said = " ".join(spread_lines(scenario_spread(raw, "scenarios/corridor_instc.yaml"),
                                 stats, moved=True, in_arrangement=False,
                                 exits_said=False))
    assert "the value of shipping time (1.35 % of the cargo's value a day)" in said


def test_a_network_copied_at_a_value_of_time_is_one_built_at_it():
    """The per-run networks copy the scenario's graph at the run's value instead of rebuilding."""
    base = CorridorNetwork()
    for vot in (0.006, 0.0173, 0.021):
        built = CorridorNetwork(params={"vot_per_day": vot})
        copied = base.with_value_of_time(vot)
        assert np.array_equal(copied.baseline_cost, built.baseline_cost)
        assert copied.graph.vot_per_day == vot and base.graph.vot_per_day == 0.0135
        a = copied.step(active_projects=["INSTC_CHABAHAR"], lifted=["T01"])
        b = built.step(active_projects=["INSTC_CHABAHAR"], lifted=["T01"])
        assert np.array_equal(a.t_hat, b.t_hat) and np.array_equal(a.cost, b.cost)
