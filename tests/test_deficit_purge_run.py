"""``parameters.trade.deficits: purged``: a run measures the policy from the balanced world.

Checked against tools/deficit_purge.py: in the customs union's entry year, with dynamics
that make the year's solve static (the union fully in force at entry, trade adjusting at
once, the base year's pattern every year, one sigma), the purged run's welfare is the
tool's purged static effect of the same year's union on the level run's baseline of that
year. The two reach the balanced world by different paths (the run purges the 2023 data,
then adds the agreements entering into force after 2023; the tool purges the year's
baseline), so they agree only because the balanced equilibrium is unique.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from scosim.mechanisms.trade import baseline_accounts
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "customs_union.yaml"
STATIC = {"years.end": 2027, "parameters.trade.sigma_spread": 0.0,
          "parameters.trade.moving_baseline": False, "parameters.trade.short_run_share": 1.0,
          "parameters.trade.adjustment_years": 0, "parameters.rules.defect": "never_defect",
          "proposals.0.phase_in": {2027: 1.0}}


def _tool():
    spec = importlib.util.spec_from_file_location("deficit_purge_tool",
                                                  ROOT / "tools" / "deficit_purge.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run(deficits: str) -> SCOModel:
    sc = load_scenario(SCENARIO, overrides={**STATIC, "parameters.trade.deficits": deficits})
    model = SCOModel(sc, runs=[0])
    model.run_model()
    return model


def test_purged_run_gives_the_tool_s_static_numbers_in_the_entry_year() -> None:
    level, purged = _run("level"), _run("purged")
    assert level.year - 1 == 2027 and bool(level.policy.bloc[0].any())
    # the purged run's year baseline is balanced, the level run's is not
    acc = baseline_accounts(purged.flows0, purged.tau0)
    assert np.abs(acc["deficits"] / acc["expenditure"]).max() < 1e-10
    acc = baseline_accounts(level.flows0, level.tau0)
    assert np.abs(acc["deficits"] / acc["expenditure"]).max() > 0.3
    policy = replace(level.policy, tariffs=level.tariffs_solved)
    static = _tool().static_effects(level, policy, 5.0)
    np.testing.assert_allclose(purged.flows0, static["purge"].flows, rtol=1e-9)
    np.testing.assert_allclose(purged.ge.welfare_change, static["purged"][0].welfare_change,
                               rtol=1e-9)
    np.testing.assert_array_equal(level.ge.welfare_change, static["level"][0].welfare_change)
    # the closure matters for this union: the purged welfare is not the level one
    assert np.abs(purged.ge.welfare_change - level.ge.welfare_change).max() > 1e-3


def test_unknown_closure_names_the_allowed_values() -> None:
    with pytest.raises(Exception, match="level, ratio, purged"):
        load_scenario(SCENARIO, overrides={"parameters.trade.deficits": "balanced"})
