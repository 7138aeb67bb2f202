"""Sweeps (designs, batched evaluation) and global sensitivity analysis through them."""

from __future__ import annotations

from pathlib import Path

# SALib and matplotlib are imported inside the tests that use them: process-pool
# workers import this module to find `linear`, and those imports take seconds.
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scosim.experiments import (
    INDICATOR_COLUMNS,
    BatchError,
    BatchOutput,
    BatchSpec,
    design_specs,
    evaluate,
    grid,
    latin_hypercube,
    morris_analysis,
    sobol_analysis,
)
from scosim.experiments.sensitivity import _salib_seed
from scosim.experiments.sweep import Outcome, ScenarioModelFn, ishigami

PI_BOUNDS = {k: (-np.pi, np.pi) for k in ("x1", "x2", "x3")}
# Analytic Ishigami indices for a=7, b=0.1 (Saltelli et al. 2008, The Primer).
S1_ANALYTIC = np.array([0.3139, 0.4424, 0.0])
ST_ANALYTIC = np.array([0.5576, 0.4424, 0.2437])


def linear(params):
    """y = 3a - 2b + 0c; z = a * b. Module level: picklable for process pools."""
    a, b, c = params["a"], params["b"], params["c"]
    return {"y": 3 * a - 2 * b + 0 * c, "z": a * b}


def noisy_batch(spec: BatchSpec) -> BatchOutput:
    """Fake scenario batch: value = 2 * a + noise keyed by run, two countries, two years."""
    rows = []
    for k, run in enumerate(spec.runs):
        noise = np.random.default_rng([7, run]).normal()
        for year in (2025, 2026):
            for c, country in enumerate(("X", "Y")):
                v = 2 * spec.params["a"][k] * (year - 2024) + c + noise
                rows.append((run, year, country, "w", v))
    return BatchOutput(indicators=pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS)))


def wrong_shape(params):
    return {"y": np.zeros(len(params["a"]) + 1)}


def with_nan(params):
    y = np.array(params["a"], dtype=float)
    y[0] = np.nan
    return {"y": y}


# ----------------------------------------------------------------------------- designs


def test_grid_is_the_full_product_first_parameter_slowest():
    d = grid({"a": [1, 2], "b": [10, 20, 30]})
    assert list(d.columns) == ["a", "b"]
    assert d.to_numpy().tolist() == [
        [1, 10], [1, 20], [1, 30], [2, 10], [2, 20], [2, 30],
    ]  # fmt: skip
    with pytest.raises(ValueError, match="no values"):
        grid({"a": []})


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 200), seed=st.integers(0, 2**32 - 1))
def test_latin_hypercube_puts_one_point_in_each_stratum(n, seed):
    bounds = {"a": (0.0, 2.0), "b": (-5.0, 5.0)}
    d = latin_hypercube(bounds, n, seed)
    assert len(d) == n
    for name, (lo, hi) in bounds.items():
        u = (d[name].to_numpy() - lo) / (hi - lo)
        assert ((u >= 0) & (u < 1)).all()
        assert sorted(np.floor(u * n).astype(int)) == list(range(n))


def test_latin_hypercube_is_reproducible_and_checks_bounds():
    b = {"a": (0.0, 1.0), "b": (0.0, 1.0)}
    pd.testing.assert_frame_equal(latin_hypercube(b, 20, 3), latin_hypercube(b, 20, 3))
    assert not latin_hypercube(b, 20, 3).equals(latin_hypercube(b, 20, 4))
    with pytest.raises(ValueError, match="low < high"):
        latin_hypercube({"a": (1.0, 1.0)}, 5)


def test_design_specs_point_k_is_run_k():
    d = latin_hypercube({"a": (0, 1), "b": (0, 1)}, 10, 0)
    specs = design_specs(d, scenario_path="s.yaml", overrides={"x": 1}, batch_size=4)
    assert [s.runs for s in specs] == [(0, 1, 2, 3), (4, 5, 6, 7), (8, 9)]
    assert [s.batch_id for s in specs] == [0, 1, 2]
    assert specs[1].params["b"] == tuple(d["b"].iloc[4:8])
    assert all(s.scenario_path == "s.yaml" and s.overrides == {"x": 1} for s in specs)


# ----------------------------------------------------------------------------- evaluate


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_evaluate_matches_direct_call_whatever_the_batching(batch_size):
    d = latin_hypercube({"a": (0, 1), "b": (-1, 1), "c": (2, 3)}, 50, 1)
    out = evaluate(linear, d, batch_size=batch_size, progress=False)
    direct = linear({k: d[k].to_numpy() for k in d})
    np.testing.assert_array_equal(out["y"], direct["y"])
    np.testing.assert_array_equal(out["z"], direct["z"])
    pd.testing.assert_frame_equal(out[["a", "b", "c"]], d)


def test_evaluate_in_a_process_pool_equals_local():
    d = grid({"a": [0.0, 0.5, 1.0], "b": [1.0, 2.0], "c": [0.0]})
    local = evaluate(linear, d, batch_size=2, progress=False)
    pool = evaluate(linear, d, batch_size=2, executor="process", workers=2, progress=False)
    pd.testing.assert_frame_equal(local, pool)


def test_evaluate_rejects_outputs_of_the_wrong_shape_naming_the_batch():
    d = grid({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(BatchError, match=r"batch 0 failed.*shape \(4,\); expected \(3,\)"):
        evaluate(wrong_shape, d, progress=False)


# ----------------------------------------------------------------------------- scenario adapter


def test_scenario_model_fn_averages_replications_per_point():
    fn = ScenarioModelFn(
        "s.yaml",
        {"last": Outcome("w"), "first_x": Outcome("w", year=2025, countries=("X",), how="sum")},
        replications=3,
        batch_fn=noisy_batch,
    )
    d = pd.DataFrame({"a": [0.0, 1.0, 2.5, -1.0, 4.0]})
    out = evaluate(fn, d, batch_size=2, progress=False)
    # Point k is runs 3k..3k+2: its outcome is the mean over those runs.
    noise = np.array([np.random.default_rng([7, r]).normal() for r in range(15)]).reshape(5, 3)
    np.testing.assert_allclose(out["last"], 2 * d["a"] * 2 + 0.5 + noise.mean(1))
    np.testing.assert_allclose(out["first_x"], 2 * d["a"] + noise.mean(1))
    # Run indices come from the design, so batching does not change anything.
    pd.testing.assert_frame_equal(out, evaluate(fn, d, batch_size=5, progress=False))
    pool = evaluate(fn, d, batch_size=2, executor="process", workers=2, progress=False)
    pd.testing.assert_frame_equal(out, pool)


def test_outcome_errors_are_explicit():
    with pytest.raises(ValueError, match="sum' or 'mean"):
        Outcome("w", how="median")
    fn = ScenarioModelFn("s.yaml", {"y": Outcome("nope")}, batch_fn=noisy_batch)
    with pytest.raises(BatchError, match="indicator 'nope' not in the batch"):
        evaluate(fn, pd.DataFrame({"a": [1.0]}), progress=False)


def test_morris_on_the_real_scenario_model_is_reproducible():
    # Integration with the scosim model: a tiny screening, twice, same numbers.

    path = Path(__file__).parents[1] / "scenarios" / "customs_union.yaml"
    if not path.is_file():
        pytest.skip("scenario file not present")
    fn = ScenarioModelFn(str(path), {"welfare": Outcome("welfare_change_pct")}, replications=2)
    bounds = {"parameters.trade.sigma": (3.0, 8.0), "parameters.weights.econ": (0.0, 2.0)}
    kw = {"trajectories": 3, "seed": 0, "progress": False, "batch_size": 5}
    a = morris_analysis(fn, bounds, **kw)
    b = morris_analysis(fn, bounds, **kw)
    pd.testing.assert_frame_equal(a.indices, b.indices)
    assert np.isfinite(a.indices[["mu_star", "sigma"]].to_numpy()).all()


# ----------------------------------------------------------------------------- Sobol


def test_sobol_reproduces_ishigami_analytic_indices():
    # Tolerance 0.01 absolute at n=8192 (40,960 evaluations); over seeds 0-9 the
    # largest error seen was 0.006. The analytic values also lie inside the CIs.
    res = sobol_analysis(ishigami, PI_BOUNDS, n=8192, seed=1, batch_size=4096, progress=False)
    ind = res.indices
    assert list(ind.columns) == ["parameter", "output", "S1", "S1_conf", "ST", "ST_conf"]
    assert list(ind["parameter"]) == ["x1", "x2", "x3"]
    np.testing.assert_allclose(ind["S1"], S1_ANALYTIC, atol=0.01)
    np.testing.assert_allclose(ind["ST"], ST_ANALYTIC, atol=0.01)
    assert (np.abs(ind["S1"] - S1_ANALYTIC) <= ind["S1_conf"]).all()
    assert (np.abs(ind["ST"] - ST_ANALYTIC) <= ind["ST_conf"]).all()
    assert len(res.samples) == 8192 * (3 + 2)


def test_sobol_through_sweep_equals_salib_evaluated_directly():
    # Same samples, same outputs, same bootstrap seed: the batched sweep must
    # reorder or lose nothing, so the indices agree to the last bit.
    from SALib.analyze import sobol as salib_sobol_analyze
    from SALib.sample import sobol as salib_sobol_sample
    from SALib.test_functions import Ishigami

    n, seed = 1024, 5
    res = sobol_analysis(ishigami, PI_BOUNDS, n=n, seed=seed, batch_size=333, progress=False)
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = salib_sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    y = Ishigami.evaluate(x)
    np.testing.assert_array_equal(res.samples[["x1", "x2", "x3"]].to_numpy(), x)
    np.testing.assert_allclose(res.samples["y"], y, rtol=1e-14, atol=1e-14)
    si = salib_sobol_analyze.analyze(problem, y, calc_second_order=False,
                                     seed=_salib_seed(seed, "y"))
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_allclose(res.indices[key], si[key], rtol=1e-10, atol=1e-12)


def test_sobol_second_order_finds_the_x1_x3_interaction():
    res = sobol_analysis(
        ishigami, PI_BOUNDS, n=4096, seed=2, calc_second_order=True, progress=False
    )
    s2 = res.second_order.set_index(["parameter_i", "parameter_j"])["S2"]
    # Ishigami's only interaction is x1-x3: S2_13 = ST_1 - S1_1 = 0.2437.
    assert s2[("x1", "x3")] == pytest.approx(0.2437, abs=0.04)
    assert abs(s2[("x1", "x2")]) < 0.04 and abs(s2[("x2", "x3")]) < 0.04


def test_sobol_on_a_process_pool_equals_local_and_is_seeded():
    kw = {"n": 256, "seed": 3, "batch_size": 300, "progress": False}
    local = sobol_analysis(ishigami, PI_BOUNDS, **kw)
    pool = sobol_analysis(ishigami, PI_BOUNDS, executor="process", workers=2, **kw)
    again = sobol_analysis(ishigami, PI_BOUNDS, **kw)
    pd.testing.assert_frame_equal(local.indices, pool.indices)
    pd.testing.assert_frame_equal(local.indices, again.indices)


def test_sobol_rejects_non_finite_outputs_and_unknown_outputs():
    with pytest.raises(ValueError, match="not finite") as err:
        sobol_analysis(with_nan, {"a": (0, 1), "b": (0, 1)}, n=64, progress=False)
    # says why an indicator can be NaN and what to do
    assert "economy outside the union" in str(err.value)
    assert "choose an output defined at every point" in str(err.value)
    with pytest.raises(ValueError, match="not returned"):
        sobol_analysis(
            linear, {"a": (0, 1), "b": (0, 1), "c": (0, 1)}, n=64, outputs=["w"], progress=False
        )


# ----------------------------------------------------------------------------- Morris


def test_morris_recovers_linear_effects_exactly():
    # For y = 3a - 2b + 0c every elementary effect of a parameter is its
    # coefficient times its range (SALib's unscaled effects are per normalised
    # range), so mu* = |coef| * (hi - lo) and sigma = 0.
    bounds = {"a": (0.0, 2.0), "b": (1.0, 4.0), "c": (0.0, 1.0)}
    res = morris_analysis(linear, bounds, trajectories=30, seed=4, outputs=["y"], progress=False)
    ind = res.indices.set_index("parameter")
    assert list(res.indices.columns) == [
        "parameter", "output", "mu", "mu_star", "mu_star_conf", "sigma",
    ]  # fmt: skip
    np.testing.assert_allclose(ind["mu_star"], [6.0, 6.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(ind["mu"], [6.0, -6.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(ind["sigma"], 0.0, atol=1e-9)
    assert len(res.samples) == 30 * (3 + 1)


def test_morris_ranks_the_interacting_output():
    bounds = {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0)}
    res = morris_analysis(linear, bounds, trajectories=40, seed=1, outputs=["z"], progress=False)
    ind = res.indices.set_index("parameter")
    # z = a*b: a and b matter and interact (sigma > 0), c does nothing.
    assert ind.loc["c", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert ind.loc["a", "mu_star"] > 0.2 and ind.loc["b", "mu_star"] > 0.2
    assert ind.loc["a", "sigma"] > 0 and ind.loc["b", "sigma"] > 0


# ----------------------------------------------------------------------------- plots


def test_sensitivity_plots_have_titles_labels_and_files(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sob = sobol_analysis(ishigami, PI_BOUNDS, n=256, seed=0, progress=False)
    fig = sob.plot(path=tmp_path / "sobol.png")
    ax = fig.axes[0]
    head = fig._suptitle.get_text()
    assert "Sobol" in head and "confidence interval" in head and ax.get_title()
    assert "variance" in ax.get_xlabel() and ax.get_ylabel()
    assert (tmp_path / "sobol.png").stat().st_size > 1000
    plt.close(fig)

    mor = morris_analysis(linear, {"a": (0, 1), "b": (0, 1), "c": (0, 1)}, seed=0, progress=False)
    fig = mor.plot(path=tmp_path / "morris.png")
    assert len(fig.axes) == 4  # two outputs x (bars, sigma vs mu*)
    assert all(a.get_title() and a.get_xlabel() and a.get_ylabel() for a in fig.axes)
    assert (tmp_path / "morris.png").stat().st_size > 1000
    plt.close(fig)


def policy_like(params):
    """A model over the sweep's dotted parameter names (module level: picklable)."""
    s, v, w = (params[k] for k in ("parameters.trade.sigma",
                                   "parameters.growth.volatility_scale",
                                   "parameters.weights.econ"))
    return {"welfare_change_pct:KAZ": 0.01 * s + 0.02 * v * s + 0 * w,
            "gdp_usd:CHN": 3.4e13 * (1 + 0.001 * v)}


POLICY_BOUNDS = {"parameters.trade.sigma": (3.0, 8.0),
                 "parameters.growth.volatility_scale": (0.0, 2.0),
                 "parameters.weights.econ": (0.0, 2.0)}


def _drawn_texts(fig) -> list:
    """The texts a reader sees: titles, labels, tick labels in view, notes, legends."""
    texts = [fig._suptitle, fig._supxlabel, *fig.texts]
    for lg in fig.legends:
        texts += [*lg.get_texts(), lg.get_title()]  # a note may head a legend
    for ax in fig.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        if ax.get_legend() is not None:
            texts += [*ax.get_legend().get_texts(), ax.get_legend().get_title()]
        for ticks, (lo, hi), at in ((ax.get_xticklabels(), ax.get_xlim(), 0),
                                    (ax.get_yticklabels(), ax.get_ylim(), 1)):
            lo, hi = min(lo, hi), max(lo, hi)
            texts += [t for t in ticks if lo <= t.get_position()[at] <= hi]
    seen = {id(t): t for t in texts if t is not None}  # the suptitle is in fig.texts too
    return [t for t in seen.values() if t.get_visible() and t.get_text().strip()]


def _overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of texts of a figure that overlap, and texts that leave the canvas."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    box = fig.bbox
    ext = [(t.get_text(), t.get_window_extent(r)) for t in _drawn_texts(fig)]
    bad = [(a, "canvas") for a, e in ext
           if e.x0 < box.x0 - 1 or e.x1 > box.x1 + 1 or e.y0 < box.y0 - 1 or e.y1 > box.y1 + 1]
    for i, (a, ea) in enumerate(ext):
        bad += [(a, b) for b, eb in ext[i + 1:] if ea.overlaps(eb)]
    return bad


def test_sensitivity_figures_state_runs_ranges_and_have_no_overlapping_text(tmp_path):
    """The sweep's figures as a reader gets them: nothing overlaps or is cut (the Morris
    panels' titles ran into each other and its x labels too), the title says how many
    points and model runs and what was run, the labels give each parameter's range, and
    a note is written under the panels (the Sobol legend ran over it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = {"welfare_change_pct:KAZ": "welfare change (welfare_change_pct) of KAZ in "
              "2035, percent of the year's baseline real expenditure"}
    context = "customs_union (seed 20250101, the same at every point)"
    note = ("parameters.trade.sigma is swept: each run uses the point's sigma exactly, "
            "without the scenario's per-run spread (sigma_spread 1, ...)")
    mor = morris_analysis(policy_like, POLICY_BOUNDS, trajectories=6, seed=0, progress=False)
    sob = sobol_analysis(policy_like, POLICY_BOUNDS, n=16, seed=0, progress=False)
    for res, points in ((mor, 6 * 4), (sob, 16 * 5)):
        for out in ("welfare_change_pct:KAZ", "gdp_usd:CHN"):
            fig = res.plot(output=out, path=tmp_path / f"{res.method}.png", context=context,
                           labels=labels, replications=2, note=note)
            assert _overlaps(fig) == [], (res.method, out)
            head = " ".join(fig._suptitle.get_text().split())
            # "80 model evaluations" were 160 runs at 2 replications a point
            assert (f"{points} points x 2 replications = {2 * points} model runs" in head), head
            assert "customs_union (seed 20250101" in head and "95%" in head
            ticks = {t.get_text() for ax in fig.axes for t in ax.get_yticklabels()}
            assert "trade.sigma, 3 to 8" in ticks, ticks
            said = [" ".join(t.get_text().split()) for t in _drawn_texts(fig)]
            assert " ".join(note.split()) in said, said
            plt.close(fig)
        # One replication is said as the printout says it, not "1 replication(s)".
        fig = res.plot(output="gdp_usd:CHN", context=context, replications=1)
        head = " ".join(fig._suptitle.get_text().split())
        assert f"{points} points x 1 replication = {points} model runs" in head, head
        assert "(s)" not in head
        plt.close(fig)
        fig = res.plot(output="gdp_usd:CHN")  # a point of a plain function: one evaluation
        head = " ".join(fig._suptitle.get_text().split())
        assert f", {points} points" in head or f"\n{points} points" in fig._suptitle.get_text()
        assert "model runs" not in head and "sigma_spread" not in str(_drawn_texts(fig))
        plt.close(fig)


def test_morris_effects_of_money_are_shown_in_its_unit_without_an_offset(tmp_path):
    """gdp_usd's mu* was drawn as 3.4 under a "1e13" offset, in "output units": the axes
    now say the unit and the scale (trillions), and the ticks are plain numbers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mor = morris_analysis(policy_like, POLICY_BOUNDS, trajectories=6, seed=0, progress=False)
    fig = mor.plot(output="gdp_usd:CHN", units={"gdp_usd:CHN": "US$"})
    fig.canvas.draw()
    bar, scatter = fig.axes[:2]
    for ax in (bar, scatter):
        assert "US$ per full range, in billions" in " ".join(ax.get_xlabel().split())
        assert ax.xaxis.get_offset_text().get_text() == ""  # no "1e12" beside the ticks
    top = mor.indices.set_index(["output", "parameter"]).loc[
        ("gdp_usd:CHN", "parameters.growth.volatility_scale"), "mu_star"]
    assert max(p.get_width() for p in bar.patches) == pytest.approx(top / 1e9)
    plt.close(fig)


@pytest.mark.parametrize("n", [10, 100, 1, 0])
def test_sobol_refuses_a_base_sample_that_is_not_a_power_of_two(n):
    """SALib's Sobol' sample needs n = 2^k; scipy only warned and the run went on."""
    calls = []

    def counted(params):
        calls.append(1)
        return linear(params)

    with pytest.raises(ValueError, match="power of two >= 2") as info:
        sobol_analysis(counted, {"a": (0, 1), "b": (0, 1), "c": (0, 1)}, n=n, progress=False)
    assert not calls  # nothing ran
    if n == 10:
        assert "e.g. 8 or 16" in str(info.value)


def constant_and_linear(params):
    """``flat`` is 1 everywhere (a membership no parameter moves); ``y`` is linear."""
    return {"flat": np.ones(len(params["a"])), "y": linear(params)["y"]}


def test_sobol_indices_of_an_output_that_never_varies_are_undefined_not_zero():
    """0/0: SALib reported S1 = ST = 0 with a 0 interval ('no parameter matters'),
    as for a parameter that truly does nothing. NaN, and the figure says why."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bounds = {"a": (0, 1), "b": (0, 1), "c": (0, 1)}
    res = sobol_analysis(constant_and_linear, bounds, n=64, seed=1, progress=False,
                         calc_second_order=True)
    flat = res.indices[res.indices["output"] == "flat"]
    assert flat[["S1", "S1_conf", "ST", "ST_conf"]].isna().all().all()
    assert res.second_order.loc[res.second_order["output"] == "flat", "S2"].isna().all()
    y = res.indices[res.indices["output"] == "y"].set_index("parameter")
    assert y.loc["c", "ST"] == pytest.approx(0.0, abs=1e-12)  # an inert parameter: 0
    assert y.loc["a", "ST"] > 0.5
    fig = res.plot(output="flat")
    assert any("indices undefined" in t.get_text() for t in fig.axes[0].texts)
    plt.close(fig)


def test_sweep_figure_names_what_ran_and_keeps_money_readable(tmp_path):
    """The grid/LHS figure (drawn by scosim sweep): its title was cut at both edges,
    China's GDP read 3.4695 under a '1e13' and outputs had no year or unit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scosim.experiments.sweep import plot_sweep

    design = latin_hypercube({k: POLICY_BOUNDS[k] for k in list(POLICY_BOUNDS)[:2]}, 12, 1)
    table = evaluate(policy_like, design.assign(**{"parameters.weights.econ": 1.0}),
                     progress=False)
    labels = {"gdp_usd:CHN": "GDP (gdp_usd) of CHN in 2035, US$"}
    context = "customs_union (seed 20250101, the same at every point), 1 replication a point"
    fig = plot_sweep(table, list(design.columns), ["welfare_change_pct:KAZ", "gdp_usd:CHN"],
                     path=tmp_path / "sweep.png", context=context, labels=labels)
    assert _overlaps(fig) == []
    head = " ".join(fig._suptitle.get_text().split())
    assert "trade.sigma, growth.volatility_scale" in head
    assert f"{context}, 12 points" in head
    gdp = fig.axes[2]
    assert " ".join(gdp.get_ylabel().split()) == "GDP (gdp_usd) of CHN in 2035, US$ (trillions)"
    lo, hi = gdp.get_ylim()
    assert 30 < lo < hi < 40  # 3.4e13 US$ in trillions
    assert not gdp.yaxis.get_offset_text().get_text()
    assert (tmp_path / "sweep.png").stat().st_size > 1000
    plt.close(fig)


def test_sweep_figure_says_what_each_swept_parameter_is(tmp_path):
    """Its x axes read 'proposals.sco_cu.cet' and 'trade.sigma': names from the command
    line, not what a policy reader can place. They now carry the field's description from
    the scenario schema or the proposal type's spec."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scosim.api_sweep import param_label
    from scosim.experiments.sweep import plot_sweep
    from scosim.scenario import load_scenario

    sc = load_scenario(Path(__file__).parents[1] / "scenarios" / "customs_union.yaml")
    assert param_label("parameters.trade.sigma", sc) == "trade.sigma: elasticity of substitution"
    cet = param_label("proposals.sco_cu.cet", sc)
    assert cet.startswith("cet of proposal sco_cu (customs_union): common external tariff")
    assert "a fraction (0.05 = 5 %)" in cet
    assert param_label("proposals.sco_cu.depth", sc) == (
        "depth of proposal sco_cu (customs_union): sovereignty cost (tariff policy handed to "
        "the union)")
    assert param_label("proposals.nowhere.cet", sc) == "proposals.nowhere.cet"  # no such id
    table = pd.DataFrame({"proposals.sco_cu.cet": [0.0, 0.1], "parameters.trade.sigma": [4, 6],
                          "out": [1.0, 2.0]})
    params = ["proposals.sco_cu.cet", "parameters.trade.sigma"]
    fig = plot_sweep(table, params, ["out"], path=tmp_path / "sweep.png",
                     param_labels={p: param_label(p, sc) for p in params})
    assert " ".join(fig.axes[0].get_xlabel().split()) == cet
    assert fig.axes[1].get_xlabel() == "trade.sigma: elasticity of substitution"
    assert _overlaps(fig) == []
    plt.close(fig)


@pytest.mark.parametrize("trajectories", [1, 0])
def test_morris_refuses_fewer_than_two_trajectories(trajectories):
    """One trajectory gave sigma = NaN and a mu* interval of 2e-17 (a spread of one)."""
    with pytest.raises(ValueError, match="at least 2 trajectories"):
        morris_analysis(linear, {"a": (0, 1), "b": (0, 1), "c": (0, 1)},
                        trajectories=trajectories, progress=False)


def test_an_output_without_a_value_is_nan_not_zero_and_says_so(tmp_path):
    """A union's accounts where no union formed have no value: the sweep's outcome is NaN
    (a sum over economies gave 0, a mean a RuntimeWarning), and the figure says so."""
    import warnings

    from scosim.experiments.sweep import Outcome, plot_sweep

    ind = pd.DataFrame({"run": [0, 0, 1, 1], "year": 2030, "country": ["A", "B", "A", "B"],
                        "indicator": "x", "value": [np.nan, np.nan, 1.0, np.nan]})
    from types import SimpleNamespace

    model = SimpleNamespace(records={"x": [np.array([[np.nan, np.nan], [1.0, np.nan]])]},
                            years=[2030], codes=("A", "B"))
    for how in ("sum", "mean"):
        got = Outcome("x", how=how).per_run(ind)
        assert np.isnan(got.loc[0]) and got.loc[1] == 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            fm = Outcome("x", how=how).from_model(model)
        assert np.isnan(fm[0]) and fm[1] == 1.0
    table = pd.DataFrame({"parameters.trade.sigma": [3.0, 4.0, 5.0], "out": np.nan,
                          "half": [1.0, np.nan, 2.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fig = plot_sweep(table, ["parameters.trade.sigma"], ["out", "half"],
                         path=tmp_path / "s.png")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("no value at any point" in t for t in texts)
    assert any("1 of 3 points without a value" in ax.get_title() for ax in fig.axes)


@pytest.mark.parametrize("method", ["morris", "sobol"])
def test_an_outputs_intervals_do_not_depend_on_the_other_outputs_asked(method: str) -> None:
    # The bootstrap of the intervals was seeded by the output's position in the list:
    # the same output got another +- when asked with others or in another order.
    bounds = {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0)}
    if method == "morris":
        def run(outs: list[str]) -> pd.DataFrame:
            return morris_analysis(linear, bounds, trajectories=20, seed=3, outputs=outs,
                                   progress=False).indices
    else:
        def run(outs: list[str]) -> pd.DataFrame:
            return sobol_analysis(linear, bounds, n=256, seed=3, outputs=outs,
                                  progress=False).indices
    both = run(["y", "z"]).set_index(["output", "parameter"]).sort_index()
    swapped = run(["z", "y"]).set_index(["output", "parameter"]).sort_index()
    alone = run(["z"]).set_index(["output", "parameter"]).sort_index()
    pd.testing.assert_frame_equal(both, swapped)
    pd.testing.assert_frame_equal(both.loc[["z"]], alone)
