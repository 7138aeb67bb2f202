"""Issue 9: each bad input gives one clear message, exit status 2 and nothing written.

Every test here reproduces a defect found by trying scosim as a new user would
(a traceback, a silent acceptance, a message that does not say what is wrong,
or a directory left behind) and checks the fix.
"""

from __future__ import annotations

import errno
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scosim
from scosim.cli import main
from scosim.results import PARTIAL_PREFIX, _lock, catalogue, resolve_run
from scosim.runner import run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL_BASE = FIXTURES / "model" / "small_base.yaml"
SMALL_CU = FIXTURES / "model" / "small_cu.yaml"


def _nothing_under(root: Path) -> bool:
    return not root.exists() or not any(root.rglob("*"))


def _user_error(capsys: pytest.CaptureFixture[str], code: int) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith("scosim: error: "), err
    return err


# ------------------------------------------------------------------ scenario files


def test_hundred_thousand_nested_brackets_are_an_error_not_a_recursion_error(tmp_path, capsys):
    path = tmp_path / "nested.yaml"
    path.write_text("name: nested\nseed: " + "[" * 100_000 + "]" * 100_000 + "\n")
    err = _user_error(capsys, main(["validate", str(path)]))
    assert f"{path}:2: <syntax>: nesting deeper than 64 levels" in err


def test_alias_bomb_is_refused_before_it_is_expanded(tmp_path, capsys, monkeypatch):
    import scosim.scenario.yamlread as yamlread

    # Ten levels of nine: 3.5 billion values. Building even one level's worth
    # beyond the cap would be caught by the spy below.
    lines = ["name: bomb", 'l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 9)}]" for k in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    built = {"n": 0}
    real = yamlread._build

    def counting(*args, **kwargs):
        built["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(yamlread, "_build", counting)
    err = _user_error(capsys, main(["validate", str(path)]))
    assert "more than 100,000 values once aliases" in err
    assert f"{path}:" in err
    assert built["n"] == 0  # rejected from the event stream, before composing


def test_output_indicators_of_only_typos_fail_validation_not_the_run(tmp_path, capsys):
    path = tmp_path / "typos.yaml"
    path.write_text("name: typos\noutputs:\n  indicators: [welfare, gdp]\n")
    out = tmp_path / "results"
    err = _user_error(capsys, main(["run", str(path), "--out", str(out), "--quiet"]))
    assert f"{path}:3: outputs.indicators[0]: unknown indicator 'welfare'" in err
    assert "outputs.indicators[1]" in err
    assert _nothing_under(out)


def test_indicator_names_are_exactly_what_the_model_records():
    from scosim.proposals import builtin_types, get_type
    from scosim.scenario.schema import INDICATOR_NAMES, indicator_names

    sc = scosim.load_scenario(SMALL_CU)
    model = scosim.run_model(sc, runs=[0])
    # What each type recorded in every run records in this scenario: the corridor type
    # records its net only where the network slot is filled (recorded_indicators).
    always = {i for t in builtin_types() if get_type(t).record_always
              for i in get_type(t).recorded_indicators(sc)}
    assert set(model.records) == set(INDICATOR_NAMES) | always
    assert set(model.records) <= set(indicator_names())


def test_a_subset_of_indicators_runs_and_plots_what_it_has(tmp_path):
    sc = scosim.load_scenario(
        SMALL_CU, overrides={"outputs.indicators": ["welfare_change_pct", "in_customs_union",
                                                    "member"]},
    )
    res = run(sc, replications=2, out=tmp_path, progress=False)
    assert set(res.indicators["indicator"].astype(str)) == {
        "welfare_change_pct", "in_customs_union", "member"}
    assert "gdp_paths.png" not in {p.name for p in res.plots}  # gdp_usd was not recorded


# ------------------------------------------------------------------ rule paths


def _marker_module(tmp_path: Path, name: str) -> Path:
    marker = tmp_path / f"{name}.ran"
    (tmp_path / f"{name}.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('imported')\n"
        "def vote(ctx):\n    return ctx.utility >= 0\n"
        "def two(ctx, other):\n    return ctx.utility >= 0\n"
    )
    return marker


def test_validate_no_import_checks_rule_paths_without_running_them(tmp_path, capsys, monkeypatch):
    name = "user_rules_hardening_a"
    marker = _marker_module(tmp_path, name)
    monkeypatch.syspath_prepend(str(tmp_path))
    sc = tmp_path / "sc.yaml"
    sc.write_text(f'name: sc\nparameters:\n  rules: {{vote: "{name}:vote"}}\n')
    assert main(["validate", str(sc), "--no-import"]) == 0
    assert "checked without importing" in capsys.readouterr().out
    assert not marker.exists()
    for attr, expect in (("nothere", "defines no 'nothere'"), ("two", "wrong signature")):
        sc.write_text(f'name: sc\nparameters:\n  rules: {{vote: "{name}:{attr}"}}\n')
        err = _user_error(capsys, main(["validate", str(sc), "--no-import"]))
        assert f"{sc}:3: parameters.rules.vote: " in err and expect in err
    sc.write_text('name: sc\nparameters:\n  rules: {vote: "no_such_mod_hardening:vote"}\n')
    err = _user_error(capsys, main(["validate", str(sc), "--no-import"]))
    assert "module 'no_such_mod_hardening' not found" in err
    assert not marker.exists()
    # Without the flag validation imports the module: it runs, as documented.
    sc.write_text(f'name: sc\nparameters:\n  rules: {{vote: "{name}:vote"}}\n')
    assert main(["validate", str(sc)]) == 0
    assert marker.exists()


# ------------------------------------------------------------------ replications


@pytest.mark.parametrize("value", ["0", "-3"])
def test_non_positive_replications_are_clean_errors_everywhere(tmp_path, capsys, value):
    out = tmp_path / "r"
    err = _user_error(capsys, main(["run", str(SMALL_BASE), "--replications", value,
                                    "--out", str(out), "--quiet"]))
    assert "replications" in err and ">= 1" in err
    err = _user_error(capsys, main(["sweep", str(SMALL_BASE), "--param",
                                    "parameters.trade.sigma=3:5", "--output",
                                    "gdp_usd:KAZ", "--replications", value,
                                    "--out", str(out), "--quiet"]))
    assert "--replications (runs per point) must be >= 1" in err
    with pytest.raises(ValueError, match=">= 1"):
        run(SMALL_BASE, replications=int(value), out=out, progress=False)
    sc = scosim.load_scenario(SMALL_BASE)
    with pytest.raises(ValueError, match=">= 1"):
        run(sc, replications=int(value), out=out, progress=False)
    assert _nothing_under(out)


def test_huge_replications_are_refused_with_an_estimate(tmp_path, capsys):
    out = tmp_path / "r"
    err = _user_error(capsys, main(["run", str(SMALL_BASE), "--replications",
                                    "1000000000000", "--out", str(out), "--quiet"]))
    assert "above the limit of 100,000" in err
    assert "years" in err and "PB of disk" in err and "--allow-large" in err
    assert _nothing_under(out)


def test_batches_are_drawn_lazily(tmp_path):
    from scosim.experiments.executors import BatchSpec, execute

    drawn = {"n": 0}

    def endless():
        k = 0
        while True:
            drawn["n"] += 1
            yield BatchSpec(scenario_path="", runs=(k,), batch_id=k)
            k += 1

    class Enough(Exception):
        pass

    def stop_after_three(spec, value):
        if spec.batch_id == 2:
            raise Enough

    with pytest.raises(Enough):
        execute(endless(), lambda s: s.runs, on_result=stop_after_three, progress=False)
    assert drawn["n"] == 3  # never built ahead of the work


# ------------------------------------------------------------------ collisions, cleanup


def test_a_partial_run_held_by_a_live_process_is_not_resumed(
    tmp_path, monkeypatch, capsys, count_batches,
):
    import scosim.runner as runner

    real = runner.run_batch
    count_batches(fail_on_call=2)
    with pytest.raises(KeyboardInterrupt):
        run(SMALL_BASE, out=tmp_path, progress=False, plots=False, batch_size=2)
    monkeypatch.setattr(runner, "run_batch", real)
    (partial,) = (tmp_path / "small_base").glob(f"{PARTIAL_PREFIX}*")
    held = _lock(partial)  # another process is still writing it
    assert held is not None
    assert list(catalogue(tmp_path)["status"]) == ["running"]
    res = run(SMALL_BASE, out=tmp_path, progress=True, plots=False, batch_size=2)
    assert not res.manifest.get("resumed")
    assert partial.is_dir()  # left alone
    assert "an identical run is in progress" in capsys.readouterr().err
    held.close()  # that process ends
    again = run(SMALL_BASE, out=tmp_path, progress=False, plots=False, batch_size=2)
    assert again.manifest["resumed"] is True
    assert again.indicators.equals(res.indicators)


def test_a_failed_run_leaves_no_directories(tmp_path, monkeypatch, capsys):
    import scosim.runner as runner

    def broken(spec):
        raise RuntimeError("model blew up")

    monkeypatch.setattr(runner, "run_batch", broken)
    out = tmp_path / "results"
    code = main(["run", str(SMALL_BASE), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "batch 0 failed: RuntimeError: model blew up" in err
    assert not out.exists()


def test_a_failed_sweep_leaves_no_partial_directory(tmp_path, monkeypatch):
    import scosim.experiments.sweep as sw

    def broken(*args, **kwargs):
        raise RuntimeError("model blew up")

    monkeypatch.setattr(sw, "evaluate", broken)
    out = tmp_path / "results"
    with pytest.raises(RuntimeError):
        scosim.api.sweep(str(SMALL_BASE), {"parameters.trade.sigma": (3.0, 5.0)},
                         ["gdp_usd:KAZ"], n=2, out=out, progress=False)
    assert not out.exists()


def test_read_only_results_are_a_clean_error(tmp_path, monkeypatch, capsys):
    import scosim.results as results

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(results.Path, "mkdir", read_only)
    err = _user_error(capsys, main(["run", str(SMALL_BASE), "--out", str(tmp_path / "ro"),
                                    "--quiet"]))
    assert "Read-only file system" in err and str(tmp_path / "ro") in err


# ------------------------------------------------------------------ executors


@pytest.mark.parametrize("command", ["run", "sweep", "compare", "explore"])
@pytest.mark.parametrize("executor", ["local", "process"])
def test_a_scheduler_with_another_executor_named_is_refused(tmp_path, capsys, command,
                                                            executor):
    """--scheduler alone implies Dask; naming another executor would leave the cluster idle."""
    out = tmp_path / "r"
    args = {"run": [str(SMALL_BASE)], "compare": [str(SMALL_CU), str(SMALL_BASE)],
            "explore": [],
            "sweep": [str(SMALL_BASE), "--param", "parameters.trade.sigma=3:5",
                      "--output", "gdp_usd:KAZ"]}[command]
    with pytest.raises(SystemExit) as info:
        main([command, *args, "--executor", executor, "--scheduler", "tcp://h:8786",
              "--out", str(out), *([] if command == "explore" else ["--quiet"])])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == (f"scosim {command}: error: --scheduler tcp://h:8786 runs the batches on "
                   f"the Dask cluster there, but --executor {executor} would run them on this "
                   "machine; leave out --executor (--scheduler implies dask)\n"), err
    assert _nothing_under(out)


@pytest.mark.parametrize("command", ["run", "sweep", "compare", "explore"])
def test_the_executor_left_out_is_dask_with_a_scheduler_and_local_without(command):
    from scosim.cli import _resolve_executor, build_parser

    parser = build_parser()
    args = {"run": ["x.yaml"], "compare": ["a.yaml", "b.yaml"], "explore": [],
            "sweep": ["x.yaml", "--output", "gdp_usd:KAZ"]}[command]
    for extra, expected in (([], "local"), (["--scheduler", "tcp://h:8786"], "dask"),
                            (["--executor", "process"], "process")):
        ns = parser.parse_args([command, *args, *extra])
        assert ns.executor is None or extra[:1] == ["--executor"]
        _resolve_executor(parser, ns)
        assert ns.executor == expected, (command, extra)


def test_the_api_still_refuses_a_scheduler_without_dask(tmp_path):
    """scosim.run has no "left out": executor defaults to local there, so it must say so."""
    with pytest.raises(ValueError, match=r"--scheduler tcp://h:8786 is only used with the "
                       r"Dask executor; add --executor dask"):
        run(SMALL_BASE, scheduler="tcp://h:8786", out=tmp_path / "r", progress=False)
    assert _nothing_under(tmp_path / "r")


@pytest.mark.parametrize("command", ["run", "sweep", "compare", "explore"])
def test_workers_with_a_scheduler_are_refused(tmp_path, capsys, command):
    """Before: --workers 4 was silently ignored; the cluster's own workers ran the batches."""
    out = tmp_path / "r"
    args = {"run": [str(SMALL_BASE)], "compare": [str(SMALL_CU), str(SMALL_BASE)],
            "explore": [],
            "sweep": [str(SMALL_BASE), "--param", "parameters.trade.sigma=3:5",
                      "--output", "gdp_usd:KAZ"]}[command]
    with pytest.raises(SystemExit) as info:
        main([command, *args, "--executor", "dask", "--workers", "4", "--scheduler",
              "tcp://h:8786", "--out", str(out)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scosim {command}: error: --workers 4 starts workers on this "
                          "machine, but the batches run on the workers of the cluster at "
                          "--scheduler tcp://h:8786; leave out --workers"), err
    assert _nothing_under(out)


@pytest.mark.parametrize("flags", [["--executor", "process"], ["--workers", "2"],
                                   ["--executor", "dask", "--scheduler", "tcp://h:8786"]],
                         ids=["executor", "workers", "scheduler"])
def test_compare_of_finished_runs_refuses_options_that_run(tmp_path, capsys, flags):
    """Comparing two finished runs runs nothing: the options were silently ignored."""
    out = tmp_path / "r"
    for scen in (SMALL_CU, SMALL_BASE):
        assert main(["run", str(scen), "--replications", "2", "--out", str(out), "--quiet",
                     "--no-plots"]) == 0
    capsys.readouterr()
    if flags == ["--workers", "2"]:
        flags = ["--executor", "process", *flags]
    err = _user_error(capsys, main(["compare", "small_cu", "small_base", "--out", str(out),
                                    "--quiet", *flags]))
    assert "nothing is run; 'small_cu' and 'small_base' are finished runs" in err, err
    assert not (out / "compare").exists()


def test_unreachable_dask_scheduler_is_a_clean_error(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    import scosim.experiments.executors as ex

    monkeypatch.setattr(ex, "DASK_CONNECT_TIMEOUT", 1.0)
    out = tmp_path / "r"
    err = _user_error(capsys, main(["run", str(SMALL_BASE), "--executor", "dask",
                                    "--scheduler", "tcp://127.0.0.1:9", "--out", str(out),
                                    "--quiet"]))
    assert "cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in err
    assert _nothing_under(out)


# ------------------------------------------------------------------ sweeps


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("parameters.growth.volatility_scale=-1:2", "every value must be in [0, 10]"),
        ("parameters.council.vote_noise=-0.1:0.1", "-0.1 is out of range: must be >= 0"),
        ("parameters.weights.econ=-1:1", "-1.0 is out of range: must be >= 0"),
        ("parameters.trade.sigma=0.5:3", "0.5 is out of range: must be > 1"),
        ("parameters.trade.sigmaa=2:3", "cannot be swept (did you mean 'parameters.trade.sigma'?)"),
    ],
)
def test_sweep_bounds_are_checked_against_the_schema_before_running(
    tmp_path, capsys, monkeypatch, param, message,
):
    import scosim.runner as runner

    monkeypatch.setattr(runner, "run_model", lambda *a, **k: pytest.fail("the model ran"))
    out = tmp_path / "r"
    err = _user_error(capsys, main(["sweep", str(SMALL_BASE), "--param", param, "--output",
                                    "gdp_usd:KAZ", "--out", str(out), "--quiet", "--n", "4"]))
    assert f"--param:1: {param.split('=')[0]}: " in err and message in err
    assert _nothing_under(out)


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("welfare_chnage_pct:KAZ", "did you mean 'welfare_change_pct'"),
        ("gdp_usd:XKZ", "unknown country code 'XKZ'"),
        ("gdp_usd:KAZ:2050", "year 2050 is outside the simulated years 2025-2028"),
        ("gdp_usd", "write INDICATOR:COUNTRY[:YEAR]"),
    ],
)
def test_sweep_outputs_are_checked_before_running(tmp_path, capsys, output, message):
    out = tmp_path / "r"
    err = _user_error(capsys, main(["sweep", str(SMALL_BASE), "--param",
                                    "parameters.trade.sigma=3:5", "--output", "gdp_usd:KAZ",
                                    "--output", output, "--out", str(out), "--quiet"]))
    assert f"--output:2: {output}: " in err and message in err
    assert _nothing_under(out)


# ------------------------------------------------------------------ overrides


def test_overrides_are_recorded_listed_and_not_taken_for_the_scenario(tmp_path, capsys):
    out = str(tmp_path)
    args = ["--out", out, "--quiet", "--no-plots"]
    assert main(["run", str(SMALL_BASE), *args]) == 0
    plain = resolve_run("small_base", tmp_path)
    assert main(["run", str(SMALL_BASE), "--set", "parameters.trade.sigma=4", *args]) == 0
    capsys.readouterr()
    cat = catalogue(tmp_path)
    changed = cat[cat["overrides"] != ""]
    assert list(changed["overrides"]) == ["parameters.trade.sigma=4"]
    m = json.loads((Path(changed["path"].iloc[0]) / "manifest.json").read_text())
    assert m["overrides"] == {"parameters.trade.sigma": 4}
    assert main(["list", "--out", out]) == 0
    assert "parameters.trade.sigma=4" in capsys.readouterr().out
    # By name, the newer run with an override is not taken for the scenario as written.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_run("small_base", tmp_path) == plain
    # When only changed runs exist, one is used with a warning that says so.
    import shutil

    shutil.rmtree(plain)
    with pytest.warns(UserWarning, match=r"changed with --set.*parameters.trade.sigma=4"):
        resolve_run("small_base", tmp_path)


# ------------------------------------------------------------------ bilateral tables


@pytest.mark.parametrize("adjustment", [
    {},
    # Trade still adjusting (as in baseline.yaml): the year is solved at the legal
    # tariffs with the short-run elasticity, and the flows are valued at those tariffs.
    {"parameters.trade.short_run_share": 0.4, "parameters.trade.adjustment_years": 8},
], ids=["full-response", "gradual-response"])
def test_bilateral_tables_add_up_to_each_importers_imports(tmp_path, adjustment):
    # Every member votes yes and stays (the fixture's union dissolves within its four
    # years otherwise since the suspension's recalibration, 2026-12-06), so the union is in
    # force from 2026 and flows move.
    sc = scosim.load_scenario(SMALL_CU, overrides={"outputs.bilateral": True,
                                                   "outputs.plots": False,
                                                   "parameters.rules.vote": "always_yes",
                                                   "parameters.rules.defect": "never_defect",
                                                   **adjustment})
    res = run(sc, replications=2, out=tmp_path, progress=False)
    bil = res.bilateral
    assert list(bil.columns) == ["run", "year", "exporter", "importer", "indicator", "value"]
    flows = bil[bil["indicator"] == "trade_flow_usd"]
    assert (flows["exporter"] != flows["importer"]).all()
    assert len(flows) == 2 * 4 * 28 * 27  # runs x years x ordered pairs
    total = flows.groupby(["run", "year", "importer"], observed=True)["value"].sum()
    imports = res.indicators[res.indicators["indicator"] == "imports_usd"].set_index(
        ["run", "year", "country"])["value"]
    imports.index = imports.index.set_names(["run", "year", "importer"])
    joined = pd.concat([total.rename("flows"), imports.rename("imports")], axis=1, join="inner")
    assert len(joined) == 2 * 4 * 28
    np.testing.assert_allclose(joined["flows"], joined["imports"], rtol=1e-12)
    first = bil[(bil["year"] == 2025) & (bil["indicator"] == "trade_flow_change_pct")]
    assert np.nanmax(np.abs(first["value"])) < 1e-6  # nothing has changed in the first year
    last = bil[(bil["year"] == 2028) & (bil["indicator"] == "trade_flow_change_pct")]
    assert np.nanmax(np.abs(last["value"])) > 1.0  # the union moved flows by then
    plain = run(SMALL_CU, replications=2, out=tmp_path, progress=False, plots=False)
    with pytest.raises(FileNotFoundError, match="outputs.bilateral: true"):
        _ = plain.bilateral


# ------------------------------------------------------------------ compare


def _results(root: Path, scenario: str, values: np.ndarray, years: tuple[int, ...],
             indicator: str = "welfare_change_pct") -> Path:
    """A finished run directory: values[run, year] for two countries."""
    d = root / scenario / f"run-{scenario}"
    (d / "indicators").mkdir(parents=True)
    (d / "events").mkdir()
    rows = [
        {"run": r, "year": y, "country": c, "indicator": indicator,
         "value": float(values[r, t]) * (1 if c == "CHN" else -1)}
        for r in range(values.shape[0]) for t, y in enumerate(years) for c in ("CHN", "KAZ")
    ]
    pd.DataFrame(rows).to_parquet(d / "indicators" / "batch-00000.parquet", index=False)
    (d / "manifest.json").write_text(json.dumps({
        "scenario": scenario, "run_id": d.name, "status": "complete", "seed": 1,
        "replications": values.shape[0], "years": [years[0], years[-1]],
        "data_version": "x", "code_version": "sha256 cccccccccccc",
        "started": "2026-01-01T00:00:00+00:00",
    }))
    return d


def test_compare_refuses_a_run_against_itself(tmp_path, capsys):
    d = _results(tmp_path, "a", np.ones((4, 3)), (2025, 2026, 2027))
    err = _user_error(capsys, main(["compare", str(d), str(d), "--out", str(tmp_path)]))
    assert "the same run" in err
    err = _user_error(capsys, main(["compare", "a", "a", "--out", str(tmp_path)]))
    assert "the same run" in err
    assert not (tmp_path / "compare").exists()


def test_compare_refuses_runs_that_start_in_different_years(tmp_path, capsys):
    """Run r draws its numbers year after year from its start, so two runs starting in
    different years do not share their noise: a baseline compared with itself started two
    years later read as a significant difference. Runs that only end apart still pair."""
    a = _results(tmp_path, "a", np.ones((4, 3)), (2025, 2026, 2027))
    late = _results(tmp_path, "late", np.ones((4, 2)), (2027, 2028))
    err = _user_error(capsys, main(["compare", str(a), str(late), "--out", str(tmp_path)]))
    assert "start in different years" in err and "years.start=2027" in err
    assert not (tmp_path / "compare").exists()
    short = _results(tmp_path, "short", np.zeros((4, 2)), (2025, 2026))
    assert main(["compare", str(a), str(short), "--out", str(tmp_path), "--quiet"]) == 0


def test_compare_unknown_indicator_and_no_common_years_are_clean_errors(tmp_path, capsys):
    a = _results(tmp_path, "a", np.ones((4, 3)), (2025, 2026, 2027))
    b = _results(tmp_path, "b", np.zeros((4, 3)), (2025, 2026, 2027))
    err = _user_error(capsys, main(["compare", str(a), str(b), "--indicator", "welfare",
                                    "--out", str(tmp_path)]))
    assert "--indicator 'welfare' is unknown" in err and "welfare_change_pct" in err
    err = _user_error(capsys, main(["compare", str(a), str(b), "--indicator",
                                    "welfare_change_pc", "--out", str(tmp_path)]))
    assert "did you mean 'welfare_change_pct'" in err
    c = _results(tmp_path, "c", np.zeros((4, 2)), (2040, 2041))
    err = _user_error(capsys, main(["compare", str(a), str(c), "--out", str(tmp_path)]))
    assert "no common year" in err and "2025-2027" in err and "2040-2041" in err
    err = _user_error(capsys, main(["compare", str(a), str(b), "--year", "2030",
                                    "--out", str(tmp_path)]))
    assert "--year 2030 is not a year both runs simulated (2025-2027)" in err
    assert not (tmp_path / "compare").exists()


def test_compare_that_fails_while_writing_its_report_leaves_nothing(tmp_path, monkeypatch,
                                                                    capsys):
    import scosim.report as report

    a = _results(tmp_path, "a", np.ones((4, 3)), (2025, 2026, 2027))
    b = _results(tmp_path, "b", np.zeros((4, 3)), (2025, 2026, 2027))
    real = report.draw_all

    def disk_full_after_one_figure(jobs, *args, **kwargs):
        real(jobs[:1], *args, **kwargs)  # one figure is on disk when the disk fills
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "compare"))

    monkeypatch.setattr(report, "draw_all", disk_full_after_one_figure)
    err = _user_error(capsys, main(["compare", str(a), str(b), "--out", str(tmp_path),
                                    "--quiet"]))
    assert "No space left on device" in err
    assert not (tmp_path / "compare").exists()
    # With earlier reports there, they stay and the failed one is gone.
    monkeypatch.setattr(report, "draw_all", real)
    assert main(["compare", str(a), str(b), "--out", str(tmp_path), "--quiet"]) == 0
    (kept,) = (tmp_path / "compare").iterdir()
    monkeypatch.setattr(report, "draw_all", disk_full_after_one_figure)
    _user_error(capsys, main(["compare", str(a), str(b), "--out", str(tmp_path), "--quiet"]))
    assert list((tmp_path / "compare").iterdir()) == [kept]
    assert sorted(p.name for p in (kept / "plots").iterdir())  # the kept one is whole


def test_compare_reports_the_largest_effect_year_when_the_effect_is_gone(tmp_path, capsys):
    # A union that formed in 2026 and dissolved by 2027: the last year shows nothing.
    effect = np.tile([0.0, 0.3, 0.0], (6, 1)) + np.linspace(0, 0.01, 6)[:, None] * [0, 1, 0]
    a = _results(tmp_path, "policy", effect, (2025, 2026, 2027))
    b = _results(tmp_path, "base", np.zeros((6, 3)), (2025, 2026, 2027))
    assert main(["compare", str(a), str(b), "--out", str(tmp_path), "--quiet"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long titles
    assert "2026: the year of largest effect on welfare_change_pct; none is left by 2027" in out
    (report,) = (tmp_path / "compare").iterdir()
    table = pd.read_csv(report / "summary_table.csv")
    chn = table[(table["country"] == "CHN") & (table["indicator"] == "welfare_change_pct")]
    assert chn["mean"].iloc[0] == pytest.approx(0.305)
    assert "changes in 2026 (the year of largest effect" in (report / "report.md").read_text()
    assert main(["compare", str(a), str(b), "--year", "2027", "--out", str(tmp_path),
                 "--quiet"]) == 0
    assert "2027: chosen with --year" in " ".join(capsys.readouterr().out.split())


def test_the_disk_estimate_of_a_refused_run_matches_a_real_run(tmp_path, capsys):
    """The estimate a refused run prints is within 1.25x of what a real run writes.

    Before, 1.7 kB per replication-year (a constant) understated the ~4.5 kB that
    ``customs_union.yaml`` writes by 2.6x; the estimate now counts what the scenario
    records (indicators x economies x years), so a scenario recording less is estimated
    smaller.
    """
    from scosim.run_limits import MAX_REPLICATIONS, disk_estimate

    cu = FIXTURES.parents[1] / "scenarios" / "customs_union.yaml"
    sc = scosim.load_scenario(cu)
    years = sc.years.end - sc.years.start + 1
    res = run(cu, replications=250, out=tmp_path / "r", progress=False, plots=False)
    written = sum(p.stat().st_size for p in Path(res.path).rglob("*") if p.is_file())
    assert 1 / 1.25 < disk_estimate(250, years, sc) / written < 1.25
    # What the refusal prints is that estimate, scaled to the runs refused.
    n = MAX_REPLICATIONS + 1
    err = _user_error(capsys, main(["run", str(cu), "--replications", str(n),
                                    "--out", str(tmp_path / "big"), "--quiet"]))
    per_year = written / (250 * years) / 1e3
    said = float(err.split(" kB per replication-year")[0].rsplit(" ", 1)[1])
    assert 1 / 1.25 < said / per_year < 1.25
    gb = float(err.split(" GB of disk")[0].rsplit(" ", 1)[1])
    assert 1 / 1.25 < gb * 1e9 / (written * n / 250) < 1.25
    # A scenario recording fewer indicators is estimated smaller.
    lean = scosim.load_scenario(cu, overrides={"outputs.indicators": ["welfare_change_pct"]})
    assert disk_estimate(n, years, lean) < disk_estimate(n, years, sc) / 10
