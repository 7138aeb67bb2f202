"""Collection rates drawn per run (``collection_rate_spread``) and swept (``scosim sweep``).

India's collection rate rests on one receipts figure (docs/trade.md, "Collection rates"),
so a user may draw it per run, as ``sigma_spread`` draws sigma, or sweep it. Checked
against outside yardsticks: the draws are uniform on the stated interval (a
Kolmogorov-Smirnov test, fixed seed), each run equals the scenario with its drawn rate
written in it, and each sweep point equals ``scosim run`` with the point's rate written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scosim.cli import main
from scosim.mechanisms.collection import collection_per_run
from scosim.model.model import SCOModel
from scosim.results import read_batches
from scosim.scenario import ScenarioError, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
RATE, SPREAD = "parameters.trade.collection_rates", "parameters.trade.collection_rate_spread"
CODES = ("CHN", "IND", "PAK", "ROW")
#: India drawn in [0.25, 0.5): the sensitivity docs/trade.md suggests.
DRAWN = {f"{RATE}.IND": 0.375, f"{SPREAD}.IND": 0.125}
SHORT = {"years.end": 2030, "parameters.rules.defect": "never_defect"}


def test_the_draws_are_uniform_on_the_interval_and_the_same_in_any_batch():
    runs = range(4000)
    c = collection_per_run({"IND": 0.375}, {"IND": 0.125}, CODES, {}, 20250101, runs)
    assert c.shape == (4000, 4)
    ind = c[:, 1]
    assert ind.min() >= 0.25 and ind.max() < 0.5
    assert stats.kstest(ind, stats.uniform(loc=0.25, scale=0.25).cdf).pvalue > 0.01
    np.testing.assert_array_equal(np.delete(c, 1, axis=1), 1.0)  # the others collect all
    # Run r draws the same rate whatever batch it is in.
    part = collection_per_run({"IND": 0.375}, {"IND": 0.125}, CODES, {}, 20250101,
                              range(1000, 1010))
    np.testing.assert_array_equal(part, c[1000:1010])
    # Each economy has its own stream: drawing China too leaves India's draws alone.
    both = collection_per_run({"IND": 0.375, "CHN": 0.7}, {"IND": 0.125, "CHN": 0.1}, CODES,
                              {}, 20250101, runs)
    np.testing.assert_array_equal(both[:, 1], ind)
    assert 0.6 <= both[:, 0].min() and both[:, 0].max() < 0.8
    # Without a spread or a sweep: one vector, as before the feature.
    np.testing.assert_array_equal(
        collection_per_run({"IND": 0.33}, {}, CODES, {}, 1, runs), [1.0, 0.33, 1.0, 1.0])
    assert collection_per_run({}, {"IND": 0.0}, CODES, {}, 1, runs) is None


def test_each_run_equals_the_scenario_with_its_drawn_rate_written():
    sc = load_scenario(SCENARIOS / "customs_union.yaml", overrides={**SHORT, **DRAWN})
    m = SCOModel(sc, runs=[0, 1])
    drawn = m.collection[:, 0, m.codes.index("IND")]
    assert drawn[0] != drawn[1] and np.all((drawn >= 0.25) & (drawn < 0.5))
    # The draw leaves sigma's own draw (stream "trade") alone.
    plain = SCOModel(load_scenario(SCENARIOS / "customs_union.yaml", overrides=SHORT),
                     runs=[0, 1])
    np.testing.assert_array_equal(m.sigma, plain.sigma)
    ones = [SCOModel(load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        **SHORT, f"{RATE}.IND": float(drawn[k])}), runs=[run]) for k, run in enumerate((0, 1))]
    for k, one in enumerate(ones):  # the base year's tariffs: the same bits
        np.testing.assert_array_equal(one.tau0, m.tau0[k])
    m.run_model()
    for k, one in enumerate(ones):
        one.run_model()
        np.testing.assert_allclose(one.ge.welfare_change[0], m.ge.welfare_change[k],
                                   rtol=1e-12, atol=1e-15)


def test_a_swept_rate_is_each_runs_rate_exactly_without_the_scenarios_draw():
    sc = load_scenario(SCENARIOS / "customs_union.yaml", overrides={**SHORT, **DRAWN})
    m = SCOModel(sc, runs=[0, 1], params={f"{RATE}.IND": np.array([0.3, 0.9])})
    np.testing.assert_array_equal(m.collection[:, 0, m.codes.index("IND")], [0.3, 0.9])
    with pytest.raises(ValueError, match=r"collection_rates.IND gives run 1 a collection "
                                         r"rate of 1.5; .* \(0, 1\]"):
        SCOModel(sc, runs=[0, 1], params={f"{RATE}.IND": np.array([0.3, 1.5])})
    with pytest.raises(ValueError, match="collection_rates.XYZ: unknown economy; allowed"):
        SCOModel(sc, runs=[0, 1], params={f"{RATE}.XYZ": np.array([0.3, 0.5])})


@pytest.mark.parametrize(("over", "field", "said"), [
    ({f"{SPREAD}.IND": 0.2}, f"{SPREAD}.IND",
     "the draw is around collection_rates.IND, 1 when not written"),
    ({f"{RATE}.IND": 0.3, f"{SPREAD}.IND": 0.3}, f"{SPREAD}.IND",
     "collection_rates.IND - collection_rate_spread.IND = 0 must stay > 0"),
    ({f"{RATE}.IND": 0.9, f"{SPREAD}.IND": 0.2}, f"{SPREAD}.IND",
     "= 1.1 must stay <= 1 (the rate is 0.9); use a spread <= 0.1"),
    ({f"{SPREAD}.IND": -0.1}, f"{SPREAD}.IND", "use a number >= 0 and below 0.5"),
    ({f"{SPREAD}.XYZ": 0.1}, f"{SPREAD}.XYZ", "unknown country code 'XYZ'; allowed: CHN"),
])
def test_a_bad_spread_names_the_field_and_what_is_allowed(over, field, said):
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCENARIOS / "baseline.yaml", overrides=over)
    assert field in str(err.value) and said in str(err.value)


def _ind_welfare(run_dir: Path) -> float:
    ind = read_batches(run_dir / "indicators")
    rows = ind[(ind["indicator"].astype(str) == "welfare_change_pct")
               & (ind["country"].astype(str) == "IND") & (ind["year"] == 2030)]
    return float(rows["value"].mean())


def test_each_sweep_point_equals_the_run_with_its_rate_written(tmp_path, capsys):
    sets = ["--set", "years.end=2030", "--set", "parameters.rules.defect=never_defect"]
    assert main(["sweep", str(SCENARIOS / "customs_union.yaml"), "--method", "grid",
                 "--param", f"{RATE}.IND=0.25,0.5", "--output", "welfare_change_pct:IND",
                 "--replications", "2", "--out", str(tmp_path / "sw"), "--quiet",
                 *sets]) == 0
    capsys.readouterr()
    table = pd.read_parquet(next((tmp_path / "sw").rglob("design_outputs.parquet")))
    table = table.set_index(f"{RATE}.IND")["welfare_change_pct:IND"]
    for rate in (0.25, 0.5):
        assert main(["run", str(SCENARIOS / "customs_union.yaml"), "--replications", "2",
                     "--out", str(tmp_path / str(rate)), "--quiet", "--no-plots", *sets,
                     "--set", f"{RATE}.IND={rate}"]) == 0
        out = capsys.readouterr().out
        run_dir = Path(out.split("results: ")[1].splitlines()[0].strip())
        assert table.loc[rate] == pytest.approx(_ind_welfare(run_dir), rel=1e-12, abs=1e-15)
    assert table.loc[0.25] > table.loc[0.5]  # India loses less the less it collects


@pytest.mark.parametrize(("args", "said"), [
    (["--param", f"{RATE}.INX=0.25:0.5"], "'INX' is not an economy of the model (did you "
                                          "mean 'IND'?)"),
    (["--param", f"{RATE}.IND=0:0.5"], "0 is not a collection rate: use a number in (0, 1]"),
    (["--param", f"{RATE}.IND=0.25:1.5"], "1.5 is not a collection rate"),
    (["--param", f"{RATE}.IND=0.25:0.5", "--set", f"{RATE}.IND=0.33"],
     f"sets {RATE}.IND, which --param sweeps"),
])
def test_a_bad_sweep_of_a_rate_is_refused_before_anything_runs(tmp_path, capsys, args, said):
    out = tmp_path / "sw"
    assert main(["sweep", str(SCENARIOS / "customs_union.yaml"), *args, "--output",
                 "welfare_change_pct:IND", "--replications", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not out.exists()


def test_a_swept_rate_the_scenario_draws_is_said_and_its_spread_not_checked(tmp_path):
    from scosim.api_sweep import check_sweep
    from scosim.sweep_text import collection_spread_note, param_label

    path = tmp_path / "drawn.yaml"
    path.write_text(f"extends: {SCENARIOS / 'customs_union.yaml'}\nparameters:\n  trade:\n"
                    "    collection_rates: {IND: 0.375}\n    collection_rate_spread: {IND: "
                    "0.125}\n")
    # 0.95 + 0.125 would leave (0, 1] as a draw; swept, no draw is made around it.
    sc = check_sweep(str(path), {f"{RATE}.IND": [0.25, 0.95]}, ["welfare_change_pct:IND"])
    note = collection_spread_note(sc, {f"{RATE}.IND": [0.25, 0.95]})
    assert "without the scenario's per-run draw (collection_rate_spread.IND 0.125)" in note
    assert collection_spread_note(sc, {"parameters.trade.sigma": [4, 6]}) is None
    assert param_label(f"{RATE}.IND", sc) == ("collection rate of India (duty collected / "
                                              "statutory duty)")


def test_the_answer_says_a_drawn_rate_varies_across_the_runs():
    import yaml

    from scosim.run_spread import scenario_spread, spread_lines
    from scosim.runstats import RunStats

    ind = pd.DataFrame([(r, 2030, "IND", "welfare_change_pct", -0.1) for r in range(2)],
                       columns=["run", "year", "country", "indicator", "value"])
    shipped = yaml.safe_load((SCENARIOS / "baseline.yaml").read_text())
    shipped["parameters"]["trade"].update(collection_rates={"IND": 0.375},
                                          collection_rate_spread={"IND": 0.125})
    said = " ".join(spread_lines(scenario_spread(shipped, "s.yaml"), RunStats.from_frames(
        ind, None), moved=True, in_arrangement=False, exits_said=False))
    assert "IND's collection rate (drawn in [0.25, 0.5))" in said
