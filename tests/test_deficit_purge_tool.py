"""tools/deficit_purge.py: the customs union's static effect from level, ratio and purged.

The identities checked on the bundled 2023 data: the purged world has no deficit; from it
the level and ratio closures give the same answer to the union (so the purged row does not
depend on the closure); from the data they do not.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np

from scosim.mechanisms.short_run import solve_year
from scosim.mechanisms.trade import baseline_accounts

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "deficit_purge.py"
SCENARIO = ROOT / "scenarios" / "customs_union.yaml"


def _tool():
    spec = importlib.util.spec_from_file_location("deficit_purge_tool", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _model():
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    sc = load_scenario(SCENARIO, overrides={"parameters.trade.sigma": 5.0,
                                            "parameters.trade.sigma_spread": 0.0})
    return SCOModel(sc, runs=[0])


def test_purged_baseline_is_balanced_and_closures_agree_from_it() -> None:
    tool = _tool()
    model = _model()
    policy, bloc = tool.union_policy(model)
    assert bloc.sum() >= 10  # the ten members (and the blocs they bring)
    eff = tool.static_effects(model, policy, 5.0)
    acc = eff["purge"].accounts
    assert np.abs(acc["deficits"] / acc["expenditure"]).max() < 1e-10
    # the data's deficits are large (Kyrgyzstan's over a third of its expenditure)
    d0 = eff["purge"].baseline_deficits / baseline_accounts(model.flows0,
                                                            model.tau0)["expenditure"]
    assert d0[list(model.codes).index("KGZ")] > 0.3
    purged, flows = eff["purged"]
    ratio = solve_year(flows, sigma=5.0, sigma_short=np.array([5.0]), tariffs=model.tau0,
                       new_tariffs=policy.tariffs, cost_change=policy.cost_change,
                       deficits="ratio", revenue_sharing=policy.sharing,
                       ban_change=policy.ban_change)
    np.testing.assert_allclose(ratio.welfare_change, purged.welfare_change, rtol=1e-10)
    # from the data the closures differ by far more than that
    level, ratio0 = eff["level"][0], eff["ratio"][0]
    assert np.abs(level.welfare_change - ratio0.welfare_change).max() > 1e-3
    # the union changes tariffs: the static effect is not the identity
    assert np.abs(purged.welfare_change - 1.0).max() > 1e-3


def test_level_row_is_the_model_s_own_solve_at_base_year_flows() -> None:
    """The tool's level baseline solves what the model's solve_policy solves."""
    tool = _tool()
    model = _model()
    policy, _ = tool.union_policy(model)
    own = solve_year(model.flows0, sigma=model.sigma, sigma_short=model.sigma,
                     tariffs=model.tau0, new_tariffs=policy.tariffs,
                     cost_change=policy.cost_change, deficits="level",
                     revenue_sharing=policy.sharing, ban_change=policy.ban_change)
    level = tool.static_effects(model, policy, 5.0)["level"][0]
    np.testing.assert_array_equal(level.welfare_change, own.welfare_change)


def test_scenario_without_a_union_and_bad_sigma_exit_2() -> None:
    for args, msg in ((["--scenario", str(ROOT / "scenarios" / "baseline.yaml")],
                       "has no customs_union proposal"),
                      (["--sigma", "1"], "--sigma must be > 1")):
        out = subprocess.run([sys.executable, str(TOOL), *args], capture_output=True,
                             text=True, cwd=ROOT, timeout=300)
        assert out.returncode == 2, out.stderr
        assert msg in out.stderr
        assert "Traceback" not in out.stderr
