"""The corridor failure hazard and recovery as scenario parameters (``parameters.network``).

``failure_base``, ``failure_sensitivity`` and ``recovery`` default to the sourced values of
scosim.network.hazard and may be written in a scenario, set with ``--set`` or swept. The
expected capital a failure loses has a closed form (docs/network.md, "The SCO Development
Bank"): at a constant yearly hazard ``h`` from the start of construction, valued at the
cost of funds ``r``, a budget-financed project loses ``cost x (1 - recovery) x h / (r + h)``
(the sum over years ``t`` of ``(1 - h)^t h / (1 + r)^(t + 1)``). The tests compute it here,
from the project's cost in projects.csv, not through the corridor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.model.model import SCOModel
from scosim.network.finance import COST_OF_FUNDS, failure_probability
from scosim.network.hazard import FAILURE_BASE, FAILURE_SENSITIVITY, RECOVERY
from scosim.network.params import NetworkParams
from scosim.network.tables import load_network
from scosim.results import read_batches
from scosim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HIGH = ROOT / "scenarios" / "corridor_trans_afghan_high.yaml"  # Afghan instability 0.8
NET = "parameters.network."
#: Short runs: the corridor is agreed in 2026 and its finance fixed when it enters into force.
SHORT: dict[str, Any] = {"replications": 1, "years": {"start": 2025, "end": 2028},
                         "proposals.0.financing": "budget"}


def _capital_lost(base: float, slope: float, recovery: float) -> float:
    """Expected present value of the capital lost, closed form, US$ (at instability 0.8)."""
    cost = float(load_network().projects.loc["TRANS_AFGHAN_RAIL", "build_cost_usd_bn"])
    h = base + slope * 0.8
    return cost * 1e9 * (1.0 - recovery) * h / (COST_OF_FUNDS + h)


def _corridor(model: SCOModel) -> Any:
    return next(a for a in model.arrangements if a.name == "corridor")


def test_the_scenario_defaults_are_the_sourced_values():
    p = NetworkParams()
    assert (p.failure_base, p.failure_sensitivity, p.recovery) == (
        FAILURE_BASE, FAILURE_SENSITIVITY, RECOVERY)


@pytest.mark.parametrize(("base", "slope", "recovery"), [
    (0.01, 0.02, 0.4), (0.01, 1.0, 0.4), (0.002, 0.1, 0.4), (0.03, 0.1, 0.4),
    (0.01, 0.1, 0.5)])
def test_a_scenario_s_hazard_gives_the_closed_form_capital_lost(base, slope, recovery):
    # Budget financing: the hosts' expected loss is the whole capital lost.
    sc = load_scenario(HIGH, overrides={**SHORT, NET + "failure_base": base,
                                        NET + "failure_sensitivity": slope,
                                        NET + "recovery": recovery})
    m = SCOModel(sc)
    m.run_model()
    arr = _corridor(m)
    assert arr.in_force.all()
    assert arr.risk[0].sum() == pytest.approx(_capital_lost(base, slope, recovery), rel=1e-12)


def test_per_run_values_are_each_run_s_hazard():
    # A sweep hands the corridor one value per run: each run loses what the closed form
    # says, and a run equals the scenario with its value written in.
    cases = [(0.01, 0.02, 0.4), (0.01, 0.1, 0.4), (0.01, 1.0, 0.4), (0.002, 0.1, 0.4),
             (0.03, 0.1, 0.4), (0.01, 0.1, 0.5)]
    base, slope, rec = (np.array(c) for c in zip(*cases, strict=True))
    sc = load_scenario(HIGH, overrides={**SHORT, "replications": len(cases)})
    m = SCOModel(sc, params={NET + "failure_base": base, NET + "failure_sensitivity": slope,
                             NET + "recovery": rec})
    m.run_model()
    got = _corridor(m).risk.sum(axis=1)
    want = [_capital_lost(*c) for c in cases]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    one = SCOModel(load_scenario(HIGH, overrides={**SHORT, NET + "failure_sensitivity": 1.0}))
    one.run_model()
    assert np.array_equal(_corridor(one).risk[0], _corridor(m).risk[2])


def test_per_run_hazard_tables_equal_one_call_per_run():
    inst = np.array([0.0, 0.8, 0.5])
    base, slope = np.array([0.002, 0.01, 0.03]), np.array([1.0, 0.02, 0.1])
    table = failure_probability(inst, 4, base, slope)
    for r in range(3):
        assert np.array_equal(table[r], failure_probability(inst[r:r + 1], 4, float(base[r]),
                                                             float(slope[r]))[0])


def _indicators(tmp_path: Path, capsys: pytest.CaptureFixture[str], *sets: str) -> pd.DataFrame:
    args = ["run", str(HIGH), "--out", str(tmp_path), "--quiet", "--no-plots",
            "--replications", "2"]
    for s in sets:
        args += ["--set", s]
    assert main(args) == 0
    out = capsys.readouterr().out
    run_dir = Path(out.split("results: ")[1].splitlines()[0].strip())
    return read_batches(run_dir / "indicators")


def test_the_defaults_written_out_change_no_byte_and_keep_the_documented_figures(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    default = _indicators(tmp_path / "a", capsys)
    written = _indicators(tmp_path / "b", capsys, f"{NET}failure_base=0.01",
                          f"{NET}failure_sensitivity=0.1", f"{NET}recovery=0.4")
    pd.testing.assert_frame_equal(default, written, check_exact=True)
    # docs/network.md's table (bank, repaid from the project, Afghan instability 0.8):
    # Afghanistan pays 2.57 and bears 0.53, Pakistan 0.83 and 0.19, China bears 0.87.
    last = default[default["year"] == 2035]

    def bn(name: str, code: str) -> float:
        rows = last[(last["indicator"].astype(str) == name)
                    & (last["country"].astype(str) == code)]
        return round(float(rows["value"].mean()) / 1e9, 2)

    # The expected values the Council priced (since 2026-12-07 corridor_paid_usd and
    # corridor_risk_usd are what the run's drawn failure leaves, and average to these).
    paid, risk = "corridor_paid_expected_usd", "corridor_risk_expected_usd"
    assert (bn(paid, "AFG"), bn(risk, "AFG")) == (2.57, 0.53)
    assert (bn(paid, "PAK"), bn(risk, "PAK")) == (0.83, 0.19)
    assert bn(risk, "CHN") == 0.87


def test_a_sweep_of_the_slope_gives_the_closed_form(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]):
    scenario = tmp_path / "budget.yaml"
    scenario.write_text(f"extends: {HIGH}\nname: budget\nreplications: 1\n"
                        "years: {start: 2025, end: 2028}\n"
                        "proposals:\n  - type: corridor\n    id: trans_afghan\n"
                        "    year: 2026\n    proposer: UZB\n    project: TRANS_AFGHAN_RAIL\n"
                        "    financing: budget\n")
    args = ["sweep", str(scenario), "--param", f"{NET}failure_sensitivity=0.02,1",
            "--method", "grid", "--out", str(tmp_path / "sw"), "--quiet",
            "--output", "corridor_risk_expected_usd:AFG",
            "--output", "corridor_risk_expected_usd:PAK"]
    assert main(args) == 0
    capsys.readouterr()
    table = pd.read_parquet(next((tmp_path / "sw").rglob("design_outputs.parquet")))
    table = table.set_index(f"{NET}failure_sensitivity")
    for slope in (0.02, 1.0):
        lost = (table.loc[slope, "corridor_risk_expected_usd:AFG"]
                + table.loc[slope, "corridor_risk_expected_usd:PAK"])
        assert lost == pytest.approx(_capital_lost(0.01, slope, 0.4), rel=1e-12)


@pytest.mark.parametrize(("scenario", "sets", "said"), [
    (HIGH, [f"{NET}failure_sensitivity=1.5"],
     "<override>:1: parameters.network.failure_sensitivity: 1.5 is out of range: must be "
     "<= 1.0 (allowed: 0 <= failure_sensitivity <= 1)"),
    (HIGH, [f"{NET}failure_base=-0.01"],
     "<override>:1: parameters.network.failure_base: -0.01 is out of range: must be >= 0.0 "
     "(allowed: 0 <= failure_base <= 1)"),
    (HIGH, [f"{NET}recovery=1.2"],
     "<override>:1: parameters.network.recovery: 1.2 is out of range: must be <= 1.0 "
     "(allowed: 0 <= recovery <= 1)"),
    (HIGH, [f"{NET}failure_sensitivity=1", f"{NET}instability.AFG=1"],
     "<override>:1: parameters.network.failure_sensitivity: failure_base + "
     "failure_sensitivity x the largest route instability = 0.01 + 1 x 1 (AFG in 2025) = "
     "1.01 must stay <= 1 (a yearly failure probability); allowed: failure_sensitivity "
     "<= 0.99"),
    # The security slot sets the routes' instability, up to 1.
    (ROOT / "scenarios" / "afghan_corridor.yaml", [f"{NET}failure_base=0.2",
                                                   f"{NET}failure_sensitivity=0.9"],
     "<override>:2: parameters.network.failure_sensitivity: failure_base + "
     "failure_sensitivity x the largest route instability = 0.2 + 0.9 x 1 (the security "
     "slot sets the routes' instability, in [0, 1]) = 1.1 must stay <= 1 (a yearly failure "
     "probability); allowed: failure_sensitivity <= 0.8"),
])
def test_a_hazard_that_is_no_probability_is_refused(capsys, scenario, sets, said):
    args = ["validate", str(scenario)]
    for s in sets:
        args += ["--set", s]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"scosim: error: {said}\n" in err and "Traceback" not in err


def test_the_refusal_points_at_the_line_written(tmp_path: Path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {HIGH}\nname: bad\nparameters:\n  network:\n"
                   "    instability: {AFG: {2025: 0.5, 2030: 1.0}}\n"
                   "    failure_base: 0.05\n    failure_sensitivity: 0.99\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert (f"{bad}:7: parameters.network.failure_sensitivity: failure_base + "
            "failure_sensitivity x the largest route instability = 0.05 + 0.99 x 1 (AFG in "
            "2030) = 1.04 must stay <= 1") in err


@pytest.mark.parametrize(("scenario", "params", "said"), [
    (HIGH, [f"{NET}failure_sensitivity=0.5:0.95", f"{NET}failure_base=0.002:0.3"],
     "--param:1: parameters.network.failure_sensitivity, parameters.network.failure_base: "
     "at the highest values swept together (failure_sensitivity 0.95, failure_base 0.3): "
     "failure_base + failure_sensitivity x the largest route instability = 0.3 + 0.95 x 0.8 "
     "(AFG in 2025) = 1.06 must stay <= 1 (a yearly failure probability); allowed: "
     "failure_sensitivity <= 0.875"),
    (ROOT / "scenarios" / "customs_union.yaml", [f"{NET}recovery=0.4:0.5"],
     "--param:1: parameters.network.recovery: no corridor proposal in this scenario reads "
     "the failure hazard, the recovery or the O&M share"),
    (HIGH, [f"{NET}recover=0.4:0.5"],
     "--param:1: parameters.network.recover: cannot be swept (did you mean "
     "'parameters.network.recovery'?)"),
])
def test_a_sweep_the_hazard_cannot_take_is_refused_before_any_run(tmp_path, capsys,
                                                                  scenario, params, said):
    args = ["sweep", str(scenario), "--output", "welfare_change_pct:UZB",
            "--out", str(tmp_path / "sw")]
    for p in params:
        args += ["--param", p]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"scosim: error: {said}" in err and "Traceback" not in err
    assert not (tmp_path / "sw").exists()


def test_the_bank_figures_tool_runs_its_cases_at_the_hazard_set(monkeypatch):
    # tools/bank_corridor_figures.py --set parameters.network.failure_sensitivity=1: every
    # case's corridor reads the value (its financing and the board's vote with it).
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bank_corridor_figures", ROOT / "tools" / "bank_corridor_figures.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    m, default = tool.run("corridor_trans_afghan_low.yaml", 0.8, None)
    monkeypatch.setitem(tool.SETS, f"{NET}failure_sensitivity", 1.0)
    _, steep = tool.run("corridor_trans_afghan_low.yaml", 0.8, None)
    assert np.all(steep.hazard.sensitivity == 1.0) and np.all(default.hazard.sensitivity == 0.1)
    chn = m.codes.index("CHN")
    assert steep.risk[0, chn] > 1.5 * default.risk[0, chn] > 0
