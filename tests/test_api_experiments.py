"""`scosim compare` and `scosim sweep` on the real model."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.api import compare_runs, parse_output, sweep
from scosim.cli import main
from scosim.scenario import load_scenario


def test_compare_scenario_files_pairs_runs_and_writes_report(tmp_path, model_fixture, capsys):
    code = main(
        [
            "compare",
            str(model_fixture("small_cu.yaml")),
            str(model_fixture("small_base.yaml")),
            "--out",
            str(tmp_path),
            "--quiet",
            "--indicator",
            "welfare_change_pct",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "report:" in out
    report = next((tmp_path / "compare").glob("*/report.html"))
    html = report.read_text()
    assert "data:image/png;base64" in html
    # The baseline was run with the policy's seed and replications: pairable.
    runs = sorted((tmp_path / "small_base").iterdir()) + sorted((tmp_path / "small_cu").iterdir())
    manifests = [json.loads((p / "manifest.json").read_text()) for p in runs]
    assert len({(m["seed"], m["replications"]) for m in manifests}) == 1


def test_compare_by_name_reuses_finished_runs(tmp_path, model_fixture):
    comp, _ = compare_runs(
        str(model_fixture("small_cu.yaml")),
        str(model_fixture("small_base.yaml")),
        out=tmp_path,
        progress=False,
    )
    comp2, _ = compare_runs("small_cu", "small_base", out=tmp_path, progress=False)
    pd.testing.assert_frame_equal(comp.summary, comp2.summary)
    # Under common random numbers the GDP baseline path is identical: its difference is zero.
    d = comp.summary[comp.summary["indicator"] == "gdp_baseline_path_usd"]
    assert (d["mean"] == 0).all()


def test_a_policy_file_against_a_finished_baseline_warns_of_nothing(tmp_path, model_fixture):
    """The planned policy run had no data version, so a finished baseline's "differed"
    ("different data versions (None vs 2023...)"), although both use the same data."""
    import warnings

    from scosim.runner import run

    base = run(str(model_fixture("small_base.yaml")), out=tmp_path, progress=False,
               plots=False, overrides={"replications": 4})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_runs(str(model_fixture("small_cu.yaml")), str(base.path), out=tmp_path,
                     progress=False, replications=4)


def test_lhs_sweep_writes_design_and_outputs(tmp_path, model_fixture):
    target = sweep(
        str(model_fixture("small_cu.yaml")),
        {"parameters.trade.sigma": (3.0, 8.0)},
        ["welfare_change_pct:ROW"],
        method="lhs",
        n=6,
        out=tmp_path,
        progress=False,
    )
    table = pd.read_parquet(target / "design_outputs.parquet")
    assert len(table) == 6 and table["parameters.trade.sigma"].between(3, 8).all()
    assert (target / "sweep.png").is_file()
    assert json.loads((target / "manifest.json").read_text())["status"] == "complete"


@pytest.mark.parametrize("method", ["grid", "sobol"])
def test_design_outputs_say_each_output_s_unit(tmp_path, model_fixture, method):
    """design_outputs.parquet held raw US$ (gdp_usd:KAZ = 2.7e11) with no unit, beside
    figures in millions and run tables in US$ bn: each output column now carries its
    unit as field metadata."""
    import pyarrow.parquet as pq

    target = sweep(str(model_fixture("small_cu.yaml")), {"parameters.trade.sigma": (3.0, 8.0)},
                   ["gdp_usd:KAZ", "welfare_change_pct:KAZ"], method=method, n=2,
                   out=tmp_path, progress=False)
    path = target / "design_outputs.parquet"
    schema = pq.read_schema(path)
    assert schema.field("gdp_usd:KAZ").metadata == {
        b"unit": b"US$ (current, of the year on the model's GDP path)"}
    assert schema.field("welfare_change_pct:KAZ").metadata == {
        b"unit": b"percent of the year's baseline real expenditure"}
    assert not schema.field("parameters.trade.sigma").metadata
    assert pd.read_parquet(path)["gdp_usd:KAZ"].min() > 1e11  # the numbers as before: US$


def test_morris_on_the_model_ranks_an_inert_parameter_last(tmp_path, model_fixture):
    # Everyone votes yes in this fixture's override, so the sovereignty weight cannot matter.
    sc = tmp_path / "yes.yaml"
    sc.write_text(
        f"extends: {model_fixture('small_cu.yaml')}\n"
        "name: all_yes\nparameters:\n  rules: {vote: always_yes, defect: never_defect}\n"
    )
    target = sweep(
        str(sc),
        {"parameters.trade.sigma": (3.0, 8.0), "parameters.weights.sovereignty": (0.0, 0.01)},
        ["welfare_change_pct:CHN"],
        method="morris",
        n=4,
        out=tmp_path,
        progress=False,
    )
    indices = pd.read_csv(target / "indices.csv")
    idx = indices.set_index("parameter")
    assert idx.loc["parameters.weights.sovereignty", "mu_star"] == 0
    assert idx.loc["parameters.trade.sigma", "mu_star"] > 0
    # ... and the terminal and the figure say it had no effect, rather than show nothing
    from scosim.api_sweep import indices_text
    from scosim.experiments.sensitivity import plot_morris

    meta = json.loads((target / "manifest.json").read_text())
    text = indices_text(indices, meta, points=12)
    assert ("no effect at any point on any output: parameters.weights.sovereignty (" in text)
    assert "trade.sigma" not in text.split("no effect")[1]
    fig = plot_morris(indices)
    bar, scatter = fig.axes[:2]
    assert [t.get_text().strip() for t in bar.texts] == ["no effect at any point"]
    # mu* and sigma cannot be negative: no negative tick beside 0
    assert scatter.get_xlim()[0] == 0 and scatter.get_ylim()[0] == 0


def test_sweep_rejects_parameters_that_cannot_vary(tmp_path, model_fixture, capsys):
    code = main(
        [
            "sweep",
            str(model_fixture("small_cu.yaml")),
            "--param",
            "parameters.council.ratification_lag=0:3",
            "--output",
            "welfare_change_pct:KAZ",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "cannot be swept" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*.parquet"))


@pytest.mark.parametrize(("given", "meant"), [("sigma", "parameters.trade.sigma"),
                                              ("weights.trust", "parameters.weights.trust"),
                                              ("parameters.trade.sigam", "parameters.trade.sigma")])
def test_a_parameter_named_by_its_last_part_gets_its_full_name(tmp_path, model_fixture,
                                                                capsys, given, meant):
    code = main(["sweep", str(model_fixture("small_cu.yaml")), "--param", f"{given}=4:8",
                 "--output", "welfare_change_pct:KAZ", "--out", str(tmp_path)])
    assert code == 2
    assert f"{given}: cannot be swept (did you mean {meant!r}?)" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["welfare:kaz", "welfare_change_pct", "x:KAZ:20"])
def test_output_spec_errors_say_what_is_allowed(bad):
    with pytest.raises(ValueError, match="INDICATOR:COUNTRY"):
        parse_output(bad)


def test_an_indicator_with_a_digit_in_its_name_can_be_a_sweep_output():
    # art24_external_tariff_raised was refused ("write INDICATOR:COUNTRY[:YEAR]")
    from scosim.scenario.blocks import indicator_names

    named = [n for n in indicator_names() if any(ch.isdigit() for ch in n)]
    assert named
    for name in named:
        assert parse_output(f"{name}:KAZ:2030").indicator == name


def test_sweep_points_share_their_random_numbers(tmp_path, model_fixture):
    # GDP paths are stochastic; the sovereignty weight does not touch them. With
    # common random numbers every point sees the same shocks, so the output is
    # identical across points: differences would only come from the parameter.
    target = sweep(
        str(model_fixture("small_cu.yaml")),
        {"parameters.weights.sovereignty": (0.0, 0.01)},
        ["gdp_baseline_path_usd:CHN"],
        method="lhs",
        n=5,
        out=tmp_path,
        progress=False,
    )
    table = pd.read_parquet(target / "design_outputs.parquet")
    assert table["gdp_baseline_path_usd:CHN"].nunique() == 1


def test_sweep_says_which_seed_is_the_design_s_and_which_the_runs(tmp_path, model_fixture,
                                                                   capsys):
    """``--seed`` seeds the design; the runs use the scenario's seed, and both are said."""
    import json

    from scosim.scenario import load_scenario

    path = model_fixture("small_cu.yaml")
    code = main(["sweep", str(path), "--param", "parameters.trade.sigma=4:6", "--n", "2",
                 "--seed", "3", "--output", "welfare_change_pct:KAZ", "--out", str(tmp_path),
                 "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    scenario_seed = load_scenario(path).seed
    assert scenario_seed != 3
    assert f"design seed 3; runs with the scenario's seed {scenario_seed}" in out
    meta = json.loads(next(tmp_path.rglob("manifest.json")).read_text())
    assert meta["seed"] == 3 and meta["scenario_seed"] == scenario_seed


def test_sweep_refuses_a_parameter_given_twice_and_a_sobol_n_off_two_s_powers(
        tmp_path, model_fixture, capsys):
    """The second range of a repeated --param used to replace the first silently; a Sobol
    --n of 10 ran with a warning. Both: one line each, exit 2, nothing written."""
    path = str(model_fixture("small_cu.yaml"))
    out = ["--output", "welfare_change_pct:KAZ", "--out", str(tmp_path / "r"), "--quiet"]
    code = main(["sweep", path, "--method", "sobol", "--n", "4",
                 "--param", "parameters.trade.sigma=3:8",
                 "--param", "parameters.trade.sigma=4:5", *out])
    assert code == 2
    err = capsys.readouterr().err
    assert ("--param:2: parameters.trade.sigma: given again (first as --param:1); "
            "give each parameter once") in err
    assert "Traceback" not in err
    code = main(["sweep", path, "--method", "sobol", "--n", "10",
                 "--param", "parameters.trade.sigma=3:8", *out])
    assert code == 2
    err = capsys.readouterr().err
    assert "must be a power of two >= 2, got 10: e.g. 8 or 16" in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(("method", "n", "said"), [
    ("sobol", "10", "must be a power of two >= 2, got 10: e.g. 8 or 16"),
    ("morris", "1", "Morris needs at least 2 trajectories (--n of scosim sweep), got 1"),
])
def test_a_sweep_s_n_is_refused_before_its_plan_is_said(tmp_path, model_fixture, capsys,
                                                        method, n, said):
    """``--method sobol --n 10`` said "sweep: 30 points x 1 replication(s) ...", then
    refused n with "no batch had finished, so nothing was kept", though nothing had started:
    the analysis checked n once the sweep's directory was made."""
    code = main(["sweep", str(model_fixture("small_cu.yaml")), "--method", method, "--n", n,
                 "--param", "parameters.trade.sigma=3:8", "--output", "welfare_change_pct:KAZ",
                 "--out", str(tmp_path / "r")])
    assert code == 2
    captured = capsys.readouterr()
    assert said in captured.err
    assert "points x" not in captured.err  # no plan: nothing is run
    assert "batch" not in captured.err and "Traceback" not in captured.err
    assert captured.out == ""
    assert not (tmp_path / "r").exists()


def test_sweep_refuses_a_grid_value_or_an_output_given_twice(tmp_path, model_fixture, capsys):
    """A repeated grid value ran the point twice and a repeated output (the default year
    is the last) wrote one column twice; both are typos for something else."""
    path = str(model_fixture("small_cu.yaml"))
    last = load_scenario(path).years.end
    code = main(["sweep", path, "--method", "grid",
                 "--param", "parameters.trade.sigma=4,5,4.0",
                 "--output", "welfare_change_pct:KAZ",
                 "--output", f"welfare_change_pct:kaz:{last}",
                 "--output", f"welfare_change_pct:KAZ:{last - 1}",
                 "--out", str(tmp_path / "r"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert ("--param:1: parameters.trade.sigma: grid value(s) 4 given twice; "
            "give each value once") in err
    assert (f"--output:2: welfare_change_pct:kaz:{last}: the same output as --output 1 "
            "(welfare_change_pct:KAZ); give each output once") in err
    assert "--output:3" not in err  # another year is another output
    assert "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_sweep_prints_what_the_indices_are_and_how_many_runs_they_rest_on(
        tmp_path, model_fixture, capsys):
    """The printed Sobol table said neither the interval's level nor the runs, in six
    decimals; now a header says both and the indices have three (as indices.csv keeps
    them in full)."""
    code = main(["sweep", str(model_fixture("small_cu.yaml")), "--method", "sobol",
                 "--n", "4", "--replications", "2",
                 "--param", "parameters.trade.sigma=3:8",
                 "--param", "parameters.growth.volatility_scale=0:2",
                 "--output", "gdp_usd:KAZ", "--output", "member:KAZ",
                 "--output", "welfare_change_pct:KAZ",
                 "--out", str(tmp_path), "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    assert ("Sobol indices (base sample n = 4; 16 points x 2 replications = 32 model "
            "runs); S1_conf, ST_conf: half-widths of 95% bootstrap confidence intervals") in out
    idx = pd.read_csv(next(tmp_path.rglob("indices.csv")))
    row = idx[(idx["output"] == "gdp_usd:KAZ")
              & (idx["parameter"] == "parameters.growth.volatility_scale")].iloc[0]
    assert row["ST"] > 0.5  # the shocks' scale moves GDP; sigma does not
    line = next(x for x in out.splitlines()
                if "parameters.growth.volatility_scale" in x and "gdp_usd:KAZ" in x)
    assert line.split()[2:] == [f"{row[c]:.3f}" for c in ("S1", "S1_conf", "ST", "ST_conf")]
    # membership of the SCO does not move: no variance, no indices; nor does the welfare of
    # an economy no policy reaches (no union forms here), whose points differ by rounding
    # (about 1e-14): its indices credited sigma with all of it (another BLAS kernel: none)
    for output in ("member:KAZ", "welfare_change_pct:KAZ"):
        assert idx.loc[idx["output"] == output, "S1"].isna().all(), output
    assert "undefined: the output is the same at every point, within numerical noise" in out
    # At n = 4 some intervals are wider than their indices: said, with a larger n.
    wide = sum(int(r[f"{c}_conf"] > abs(r[c])) for _, r in idx.iterrows() for c in ("S1", "ST")
               if r[c] == r[c])
    flat = " ".join(out.split())
    assert (wide > 0) == ("wider than the index itself" in flat)
    assert wide == 0 or f"warning: {wide} of {2 * len(idx)} indices" in flat


def test_sweep_names_the_seed_when_it_is_negative(tmp_path, model_fixture, capsys):
    """numpy said only 'expected non-negative integer', naming no option."""
    code = main(["sweep", str(model_fixture("small_cu.yaml")), "--method", "lhs", "--n", "2",
                 "--seed", "-1", "--param", "parameters.trade.sigma=3:8",
                 "--output", "welfare_change_pct:KAZ", "--out", str(tmp_path / "r"), "--quiet"])
    assert code == 2
    assert "--seed (the design's seed) must be a whole number >= 0, got -1" in (
        capsys.readouterr().err)
    assert not (tmp_path / "r").exists()


def test_compare_says_a_scenario_file_is_missing_not_that_no_run_is_finished(
        tmp_path, model_fixture, capsys):
    missing = str(tmp_path / "nope.yaml")
    code = main(["compare", str(model_fixture("small_cu.yaml")), missing,
                 "--replications", "2", "--out", str(tmp_path / "r"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"baseline scenario file {missing} not found" in err
    assert "no finished run" not in err
    assert not (tmp_path / "r").exists()  # checked before the policy is run


def test_grid_sweep_takes_n_values_of_a_range(tmp_path, model_fixture):
    """--method grid with LOW:HIGH used 5 values whatever --n said."""
    path = str(model_fixture("small_cu.yaml"))
    base = ["sweep", path, "--method", "grid", "--param", "parameters.trade.sigma=3:8",
            "--output", "welfare_change_pct:KAZ", "--quiet"]
    assert main([*base, "--n", "3", "--out", str(tmp_path / "a")]) == 0
    assert main([*base, "--out", str(tmp_path / "b")]) == 0
    three = pd.read_parquet(next((tmp_path / "a").rglob("design_outputs.parquet")))
    five = pd.read_parquet(next((tmp_path / "b").rglob("design_outputs.parquet")))
    assert three["parameters.trade.sigma"].tolist() == [3.0, 5.5, 8.0]
    assert five["parameters.trade.sigma"].tolist() == [3.0, 4.25, 5.5, 6.75, 8.0]
    meta = json.loads(next((tmp_path / "a").rglob("manifest.json")).read_text())
    assert meta["n"] == 3


def test_a_grid_sweep_s_directory_names_the_grid_it_ran(tmp_path, model_fixture, capsys):
    """A grid of three listed values was written to ``...-grid-n5-s0``: the name gave the
    --n default, which applies to ranges only."""
    path = str(model_fixture("small_cu.yaml"))
    base = ["sweep", path, "--method", "grid", "--output", "welfare_change_pct:KAZ",
            "--out", str(tmp_path), "--quiet"]
    assert main([*base, "--param", "parameters.trade.sigma=3,5,7"]) == 0
    assert main([*base, "--param", "parameters.trade.sigma=3,5,7", "--param",
                 "parameters.weights.sovereignty=0:0.01", "--n", "2", "--seed", "4"]) == 0
    capsys.readouterr()
    names = sorted(p.name.split("-", 1)[1] for p in (tmp_path / "small_cu" / "sweeps").iterdir())
    assert names == ["grid-3", "grid-3x2"]  # a grid draws nothing: no design seed
    from scosim.api_sweep import design_label

    assert design_label("lhs", {"a": (0.0, 1.0)}, 64) == "lhs-n64"
    many = {f"p{i}": [0.0, 1.0] for i in range(21)}  # a 41-character shape: too long
    assert design_label("grid", many, 5) == f"grid-{2 ** 21}pts"


def test_a_grid_sweep_s_manifest_records_what_it_ran(tmp_path, model_fixture, capsys):
    """A grid of listed values recorded ``"n": 5`` (the unused default) and its design
    seed, in its manifest and directory name, though it used neither; a range was recorded
    by its two ends, not the values run."""
    path = str(model_fixture("small_cu.yaml"))
    base = ["sweep", path, "--method", "grid", "--output", "welfare_change_pct:KAZ",
            "--quiet", "--seed", "4"]
    assert main([*base, "--param", "parameters.trade.sigma=3,5,7",
                 "--out", str(tmp_path / "a")]) == 0
    assert "a grid, no design seed; runs with the scenario's seed" in capsys.readouterr().out
    [listed] = (tmp_path / "a").rglob("manifest.json")
    meta = json.loads(listed.read_text())
    assert meta["n"] is None and meta["seed"] is None and meta["points"] == 3
    assert meta["grid_values"] == {"parameters.trade.sigma": [3.0, 5.0, 7.0]}
    assert not listed.parent.name.endswith("-s4")
    assert main([*base, "--param", "parameters.trade.sigma=3,5,7", "--param",
                 "parameters.weights.sovereignty=0:0.01", "--n", "3",
                 "--out", str(tmp_path / "b")]) == 0
    meta = json.loads(next((tmp_path / "b").rglob("manifest.json")).read_text())
    assert meta["n"] == 3 and meta["points"] == 9
    assert meta["grid_values"]["parameters.weights.sovereignty"] == [0.0, 0.005, 0.01]


def test_an_indicator_begun_is_the_one_suggested(tmp_path, model_fixture, capsys):
    """'welfare' suggested 'welfare_rest_pct' (difflib's nearest spelling), not the welfare
    change a reader means; the first indicator it begins is suggested now."""
    code = main(["compare", str(model_fixture("small_cu.yaml")),
                 str(model_fixture("small_base.yaml")), "--indicator", "welfare",
                 "--replications", "2", "--out", str(tmp_path / "r"), "--quiet"])
    assert code == 2
    assert "--indicator 'welfare' is unknown (did you mean 'welfare_change_pct'?)" in (
        capsys.readouterr().err)
    code = main(["sweep", str(model_fixture("small_cu.yaml")), "--param",
                 "parameters.trade.sigma=3:8", "--output", "incident:KAZ",
                 "--out", str(tmp_path / "r"), "--quiet"])
    assert code == 2
    assert "unknown indicator 'incident' (did you mean 'incidents'?)" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_compare_refuses_replications_it_would_ignore(tmp_path, model_fixture, capsys):
    """`scosim compare <run> <run> --replications 200` compared the runs' own 4 and said
    nothing of the 200 asked for."""
    path = str(model_fixture("small_cu.yaml"))
    assert main(["compare", path, str(model_fixture("small_base.yaml")),
                 "--replications", "2", "--out", str(tmp_path), "--quiet"]) == 0
    capsys.readouterr()
    reports = set((tmp_path / "compare").iterdir())
    code = main(["compare", "small_cu", "small_base", "--replications", "200",
                 "--out", str(tmp_path), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert ("--replications 200: only a policy given as a scenario YAML file is run with "
            "them; 'small_cu' is a finished run") in err
    assert set((tmp_path / "compare").iterdir()) == reports  # nothing new written


@pytest.mark.parametrize(("given", "said"), [
    ("welfare_change_pct:KAZZ", "unknown country code 'KAZZ' (did you mean 'KAZ'?)"),
    ("welfare_change_pct:kaz", "unknown country code 'kaz' (did you mean 'KAZ'?)"),
    # two letters swapped: difflib's nearest spelling was 'LKA' (Sri Lanka)
    ("welfare_change_pct:KZA", "unknown country code 'KZA' (did you mean 'KAZ'?)"),
    ("welfare_change_pct:KAZ:35", "year 35 is outside the simulated years"),
])
def test_sweep_output_errors_name_the_wrong_part(tmp_path, model_fixture, capsys, given, said):
    """A code of four letters or in lower case, or a short year, was "write
    INDICATOR:COUNTRY[:YEAR]": the shape was right, the code or year was not."""
    code = main(["sweep", str(model_fixture("small_cu.yaml")), "--param",
                 "parameters.trade.sigma=4:8", "--output", given, "--out", str(tmp_path)])
    assert code == 2
    assert said in capsys.readouterr().err


@pytest.mark.parametrize("method,params,n", [
    ("grid", {"a": (0.0, 1.0), "b": [1.0, 2.0, 3.0]}, 4),
    ("lhs", {"a": (0.0, 1.0), "b": (1.0, 2.0)}, 7),
    ("sobol", {"a": (0.0, 1.0), "b": (1.0, 2.0), "c": (0.0, 2.0)}, 8),
    ("morris", {"a": (0.0, 1.0), "b": (1.0, 2.0), "c": (0.0, 2.0)}, 5),
])
def test_the_planned_points_are_the_designs_points(tmp_path, method, params, n):
    """The count said (and limited) before a sweep starts is the count it runs."""
    from scosim.api_sweep import design_points
    from scosim.experiments import sensitivity
    from scosim.experiments import sweep as sw

    counted: list[int] = []

    def model(p):
        counted.append(len(next(iter(p.values()))))
        return {"y": sum(p.values())}

    if method in ("grid", "lhs"):
        if method == "grid":
            design = sw.grid({k: v if isinstance(v, list) else list(np.linspace(*v, n))
                              for k, v in params.items()})
        else:
            design = sw.latin_hypercube(params, n, 0)
        sw.evaluate(model, design, progress=False)
    elif method == "sobol":
        sensitivity.sobol_analysis(model, params, n=n, seed=0, progress=False)
    else:
        sensitivity.morris_analysis(model, params, trajectories=n, seed=0, progress=False)
    assert sum(counted) == design_points(method, params, n)


def test_a_sweep_says_its_size_first_and_refuses_a_huge_one(tmp_path, model_fixture, capsys,
                                                             monkeypatch):
    """A --n typo (655360 for 65536) was run for hours with no warning."""
    import scosim.api_sweep as api_sweep

    monkeypatch.setattr(api_sweep, "MAX_SWEEP_RUNS", 20)
    args = ["sweep", str(model_fixture("small_base.yaml")), "--param",
            "parameters.trade.sigma=3:5", "--param", "parameters.weights.econ=0:1",
            "--method", "sobol", "--output", "gdp_usd:KAZ", "--out", str(tmp_path)]
    assert main([*args, "--n", "8"]) == 2
    err = capsys.readouterr().err
    assert err == ("scosim: error: sweep: 32 points x 1 replication = 32 model runs of 4 "
                   "years, under a minute on one core: above the limit of 20 model runs. "
                   "Pass --allow-large (allow_large=True) to run it anyway\n")
    assert not any(tmp_path.iterdir())
    assert main([*args, "--n", "4"]) == 0
    assert capsys.readouterr().err.startswith(
        "sweep: 16 points x 1 replication = 16 model runs of 4 years, under a minute")
    assert main([*args, "--n", "8", "--allow-large", "--quiet"]) == 0


def test_a_swept_sigma_is_checked_without_the_per_run_spread_it_runs_without():
    # baseline.yaml has sigma_spread 1; a swept sigma drops it, so 1.5 is a valid bound
    # (was refused: "sigma - sigma_spread = 0.5 must stay > 1"); 1 itself is still not.
    from scosim.api_sweep import check_sweep
    from scosim.scenario import ScenarioError

    baseline = str(Path(__file__).parents[1] / "scenarios" / "baseline.yaml")
    out = ["welfare_change_pct:KAZ"]
    check_sweep(baseline, {"parameters.trade.sigma": (1.5, 3.0)}, out)
    with pytest.raises(ScenarioError, match="sigma"):
        check_sweep(baseline, {"parameters.trade.sigma": (1.0, 3.0)}, out)


def test_an_unknown_indicator_lists_each_name_once(tmp_path, model_fixture, capsys):
    """Compared as finished runs, the runs' declared indicators were appended to the full list:
    about 45 of 125 names were listed twice. The runs' own are listed now, each once."""
    for name in ("small_cu", "small_base"):
        assert main(["run", str(model_fixture(f"{name}.yaml")), "--replications", "2",
                     "--out", str(tmp_path), "--quiet", "--set", "outputs.plots=false"]) == 0
    capsys.readouterr()
    before = sorted(p.name for p in tmp_path.iterdir())
    runs = [str(next((tmp_path / name).iterdir())) for name in ("small_cu", "small_base")]
    code = main(["compare", *runs, "--indicator", "welfare_change_pcr",
                 "--out", str(tmp_path), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--indicator 'welfare_change_pcr' is unknown (did you mean 'welfare_change_pct'?)" in err
    assert "Traceback" not in err
    listed = err.split("; ", 1)[1].split(":", 1)[1].split(";")[0]  # the names listed
    names = [name.strip() for name in listed.split(",")]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert "gdp_usd" in names and "incidents" not in names  # the runs' own, not the others'
    assert "docs/scenarios.md" in err  # where the full list is
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no compare/ left
