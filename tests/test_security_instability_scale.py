"""The security mechanism's sweepable setting ``instability_change_scale``.

``parameters.mechanism_settings.security.instability_change_scale`` multiplies every
year's change of Afghan instability from 2018-2022 conditions (1). Checked against the
shipped scenarios themselves: at 0 the rising-instability world of ``afghan_corridor.yaml``
is, indicator by indicator and bit for bit, the stable world of
``afghan_corridor_stable.yaml`` (instability 1 throughout); at 1 nothing changes; a swept
run has the numbers of the run with the same value set by override; and a larger scale
means more expected incidents next to Afghanistan.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.api import check_sweep
from scosim.data.constants import ECONOMIES
from scosim.model.model import SCOModel
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario
from scosim.security.mechanism import scaled_instability

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
KEY = "parameters.mechanism_settings.security.instability_change_scale"
TJK = ECONOMIES.index("TJK")
RUNS = [0, 1]


def _records(model: SCOModel) -> dict[str, np.ndarray]:
    return {k: np.stack(v, axis=1) for k, v in model.records.items()}


def _assert_same(a: SCOModel, b: SCOModel, rows: tuple[int, int] = (slice(None), slice(None))):
    ra, rb = _records(a), _records(b)
    assert ra.keys() == rb.keys()
    for k in ra:
        np.testing.assert_array_equal(ra[k][rows[0]], rb[k][rows[1]], err_msg=k)


def test_scale_0_is_the_stable_world_and_1_changes_nothing() -> None:
    stable = run_model(load_scenario(SCEN / "afghan_corridor_stable.yaml"), runs=RUNS)
    held = run_model(load_scenario(SCEN / "afghan_corridor.yaml", overrides={KEY: 0.0}),
                     runs=RUNS)
    _assert_same(held, stable)
    plain = run_model(load_scenario(SCEN / "afghan_corridor.yaml"), runs=RUNS)
    one = run_model(load_scenario(SCEN / "afghan_corridor.yaml", overrides={KEY: 1.0}),
                    runs=RUNS)
    _assert_same(one, plain)
    # ... and the rising instability does move the run (the comparison compares something).
    assert not np.array_equal(_records(plain)["expected_incidents"],
                              _records(stable)["expected_incidents"])


def test_a_swept_scale_gives_each_run_the_numbers_of_its_override() -> None:
    sc = load_scenario(SCEN / "afghan_instability.yaml")
    scales = np.array([0.5, 2.0, 2.0])
    runs = [0, 0, 1]
    swept = run_model(sc, runs=runs, params={KEY: scales})
    for row, (run, s) in enumerate(zip(runs, scales, strict=True)):
        alone = run_model(load_scenario(SCEN / "afghan_instability.yaml",
                                        overrides={KEY: float(s)}), runs=[run])
        _assert_same(swept, alone, rows=(slice(row, row + 1), slice(0, 1)))
    # Twice the rise means more expected incidents in Tajikistan by 2035 than half of it.
    lam = _records(swept)["expected_incidents"][:, -1, TJK]
    assert lam[1] > lam[0]


def test_the_scaled_path() -> None:
    # 2.5 in 2035 in the shipped scenarios: half the rise is 1.75, twice is 4.
    np.testing.assert_array_equal(scaled_instability(2.5, np.array([0.0, 0.5, 1.0, 2.0])),
                                  [1.0, 1.75, 2.5, 4.0])
    # At 1 the path is returned as written, bits included.
    assert scaled_instability(0.3, np.array([1.0]))[0] == 0.3
    # A fall scaled past 0 is held at 0 (no Afghan incidents), not -0.2 for 0.4 at 2.
    np.testing.assert_allclose(scaled_instability(0.4, np.array([0.0, 1.0, 1.5, 2.0, 10.0])),
                               [1.0, 0.4, 0.1, 0.0, 0.0], rtol=1e-12, atol=1e-15)


def test_a_fall_scaled_past_zero_runs_as_the_calmest_world() -> None:
    """A path of 0.4 (in [0, 10]) and a scale of 2 (in [0, 10]) passed validation and then
    stopped the run in its first year ("instability index must be >= 0"), naming neither
    field. Now the scaled index is held at 0, which is a run at instability 0, and a sweep
    over the scale levels off there instead of failing at its upper points."""
    calm = run_model(load_scenario(SCEN / "afghan_instability.yaml",
                                   overrides={"parameters.security.instability": 0.0}),
                     runs=[0])
    sc = load_scenario(SCEN / "afghan_instability.yaml",
                       overrides={"parameters.security.instability": 0.4})
    swept = run_model(sc, runs=[0, 0, 0], params={KEY: np.array([1.0, 2.0, 3.0])})
    _assert_same(swept, calm, rows=(slice(1, 2), slice(0, 1)))
    _assert_same(swept, calm, rows=(slice(2, 3), slice(0, 1)))
    # ... and at 1 the fall to 0.4 itself, with fewer Afghan incidents than 2018-2022's
    # but more than at 0.
    lam = _records(swept)["expected_incidents"][:, :, ECONOMIES.index("AFG")]
    assert (lam[1] == 0).all() and (lam[0] > 0).all()


def test_out_of_range_and_without_the_slot_are_refused() -> None:
    with pytest.raises(ScenarioError, match="instability_change_scale"):
        load_scenario(SCEN / "afghan_instability.yaml", overrides={KEY: -1.0})
    with pytest.raises(ScenarioError, match="no mechanism named 'security' fills a slot"):
        load_scenario(SCEN / "customs_union.yaml", overrides={KEY: 2.0})
    # The sweep's own check says the same before anything runs.
    with pytest.raises((ScenarioError, ValueError)):
        check_sweep(str(SCEN / "customs_union.yaml"), {KEY: [0.5, 2.0]},
                    ["welfare_change_pct:KAZ"])
