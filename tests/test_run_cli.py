"""End to end: `scosim run`, results on disk, the catalogue, and user errors."""

import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import scosim
from scosim.cli import main
from scosim.results import catalogue, open_result, resolve_run
from scosim.runner import run

ROOT = Path(__file__).resolve().parents[1]
BROKEN = Path(__file__).resolve().parent / "fixtures" / "scenarios" / "bad"


def test_run_writes_manifest_tables_and_plots(tmp_path, model_fixture, capsys):
    code = main(["run", str(model_fixture("small_cu.yaml")), "--out", str(tmp_path), "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    run_dir = Path(out.split("results: ")[1].splitlines()[0].strip())
    assert run_dir.parent == tmp_path / "small_cu"
    m = json.loads((run_dir / "manifest.json").read_text())
    for key in (
        "scenario_hash",
        "seed",
        "replications",
        "package_version",
        "data_version",
        "started",
        "finished",
    ):
        assert m[key] not in (None, "")
    assert m["status"] == "complete"
    ind = pd.read_parquet(run_dir / "indicators")
    assert list(ind.columns) == ["run", "year", "country", "indicator", "value"]
    assert ind["run"].nunique() == 6 and ind["year"].min() == 2025
    assert not ind["value"].isna().all()
    ev = pd.read_parquet(run_dir / "events")
    assert {"vote", "summit"} <= set(ev["type"])
    assert (run_dir / "plots" / "gdp_paths.png").stat().st_size > 10_000
    # Votes were cast: the plot of why each state voted as it did is there.
    assert (run_dir / "plots" / "vote_reasons.png").stat().st_size > 10_000
    # Details are typed columns, read across batch files as one table.
    vote = ev[ev["type"] == "vote"].iloc[0]
    contrib = sum(vote[k] for k in ev.columns if k.startswith("contrib_"))
    assert abs(contrib + vote["noise"] - vote["utility"]) < 1e-12
    # The resolved scenario in the run directory loads on its own and hashes the same.
    again = scosim.load_scenario(run_dir / "scenario.yaml")
    assert scosim.scenario.scenario_hash(again) == m["scenario_hash"]


def test_result_reopens_and_same_seed_gives_identical_tables(tmp_path, model_fixture):
    a = run(model_fixture("small_base.yaml"), out=tmp_path, progress=False, plots=False)
    b = run(model_fixture("small_base.yaml"), out=tmp_path, progress=False, plots=False)
    assert a.path != b.path  # never overwritten: a second run gets its own directory
    ra, rb = open_result(a.path), open_result(b.path)
    assert ra.indicators.equals(rb.indicators)
    c = run(model_fixture("small_base.yaml"), seed=99, out=tmp_path, progress=False, plots=False)
    gdp = ra.indicator("gdp_usd")
    assert not gdp.equals(open_result(c.path).indicator("gdp_usd"))
    cat = catalogue(tmp_path)
    assert len(cat) == 3 and set(cat["status"]) == {"complete"}
    assert resolve_run("small_base", tmp_path) in {a.path, b.path, c.path}


def test_batch_size_and_executor_do_not_change_numbers(tmp_path, model_fixture):
    # small_cu as it stands never adopts its union (no GE solve moves): with the willing
    # deciding under loud noise, unions of different members form in different runs.
    # Members stay: one run's union was left by its members before 2028 since the GDP path
    # starts from the 2024 record (2026-12-06).
    union_forms = {"parameters.council.decision_rule": "variable_geometry",
                   "parameters.council.vote_noise": 3.0,
                   "parameters.rules.defect": "never_defect"}
    a = run(model_fixture("small_cu.yaml"), out=tmp_path, progress=False, plots=False,
            overrides=union_forms)
    b = run(
        model_fixture("small_cu.yaml"),
        out=tmp_path,
        progress=False,
        plots=False,
        batch_size=4,
        executor="process",
        workers=2,
        overrides=union_forms,
    )
    inside = a.indicator("in_customs_union").xs(2028, level="year").sum(axis=1)
    assert inside.min() >= 2 and inside.nunique() >= 2
    assert a.indicators.equals(b.indicators)
    ea = a.events.sort_values(["run", "year", "type", "country"]).reset_index(drop=True)
    eb = b.events.sort_values(["run", "year", "type", "country"]).reset_index(drop=True)
    assert ea.equals(eb)


def test_interrupted_run_is_not_listed_complete_and_resumes(
    tmp_path, model_fixture, monkeypatch, count_batches,
):
    import scosim.runner as runner

    real = runner.run_batch
    count_batches(fail_on_call=2)
    with pytest.raises(KeyboardInterrupt):
        run(model_fixture("small_base.yaml"), out=tmp_path, progress=False, batch_size=2)
    cat = catalogue(tmp_path)
    assert list(cat["status"]) == ["interrupted"]
    assert not [p for p in (tmp_path / "small_base").iterdir() if not p.name.startswith(".")]
    monkeypatch.setattr(runner, "run_batch", real)
    res = run(model_fixture("small_base.yaml"), out=tmp_path, progress=False, batch_size=2)
    assert res.manifest["resumed"] is True
    full = run(model_fixture("small_base.yaml"), out=tmp_path, progress=False, plots=False)
    assert res.indicators.equals(full.indicators)


def test_a_damaged_batch_file_is_run_again_on_resume(
    tmp_path, model_fixture, monkeypatch, count_batches,
):
    """A kept batch whose file was cut short was published in a "complete" run that no
    command could read ("Parquet magic bytes not found")."""
    import scosim.runner as runner

    real = runner.run_batch
    count_batches(fail_on_call=2)
    with pytest.raises(KeyboardInterrupt):
        run(model_fixture("small_base.yaml"), out=tmp_path, progress=False, batch_size=2)
    (kept,) = (tmp_path / "small_base").glob(".*/indicators/batch-00000.parquet")
    kept.write_bytes(kept.read_bytes()[:100])
    monkeypatch.setattr(runner, "run_batch", real)
    with pytest.warns(UserWarning, match=r"batch\(es\) \[0\] .* are run again"):
        res = run(model_fixture("small_base.yaml"), out=tmp_path, progress=False, batch_size=2)
    assert res.manifest["resumed"] is True
    full = run(model_fixture("small_base.yaml"), out=tmp_path, progress=False, plots=False)
    assert res.indicators.equals(full.indicators)


@pytest.mark.parametrize("fixture", sorted(p.name for p in BROKEN.glob("*.yaml")))
def test_validate_broken_fixture_exits_2_without_traceback(tmp_path, fixture):
    path = BROKEN / fixture
    proc = subprocess.run(
        [sys.executable, "-m", "scosim.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "scosim: error:" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "scosim.cli", "run", str(path), "--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").rglob("*"))


def test_cli_version_list_and_validate(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert scosim.__version__ in capsys.readouterr().out
    assert main(["list", "--out", str(tmp_path)]) == 0
    assert "no runs" in capsys.readouterr().out
    assert main(["validate", str(ROOT / "scenarios" / "customs_union.yaml")]) == 0
    out = capsys.readouterr().out
    assert "valid scenario 'customs_union'" in out and " 1 proposal, " in out  # not "1 proposals"
    assert main(["validate", str(ROOT / "scenarios" / "baseline.yaml")]) == 0
    assert " 0 proposals, " in capsys.readouterr().out


def test_validate_refuses_the_data_version_run_refuses(tmp_path, monkeypatch, capsys):
    """`validate` accepts and refuses what `run` does: $SCOSIM_DATA_VERSION included."""
    path = str(ROOT / "scenarios" / "customs_union.yaml")
    monkeypatch.setenv("SCOSIM_DATA_VERSION", "2019")
    assert main(["validate", path]) == 0
    assert "data version 2019)" in capsys.readouterr().out
    monkeypatch.setenv("SCOSIM_DATA_VERSION", "1999")
    said = {}
    for argv in (["validate", path],
                 ["run", path, "--replications", "2", "--no-plots", "--quiet",
                  "--out", str(tmp_path / "r")]):
        assert main(argv) == 2, argv
        said[argv[0]] = capsys.readouterr().err.strip()
    assert said["validate"] == said["run"], said
    assert "$SCOSIM_DATA_VERSION" in said["run"] and "'1999'" in said["run"]
    assert "2023, 2019" in said["run"]
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").rglob("*"))


def test_missing_run_reference_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match="scosim list"):
        resolve_run("nothing_here", tmp_path)


def test_results_are_never_overwritten(tmp_path, model_fixture):
    from scosim.results import RunWriter

    w = RunWriter(tmp_path, "x", "id1", {"scenario": "x"})
    w.write_batch(0, pd.DataFrame({"run": [0]}), pd.DataFrame({"run": [0]}))
    w.publish()
    with pytest.raises(FileExistsError, match="never overwritten"):
        RunWriter(tmp_path, "x", "id1", {"scenario": "x"})
    shutil.rmtree(tmp_path / "x")


def test_set_overrides_reach_the_run_and_bad_ones_are_rejected(tmp_path, model_fixture, capsys):
    path = str(model_fixture("small_base.yaml"))
    assert main(["validate", path, "--set", "parameters.trade.sigma=0.5"]) == 2
    assert "<override>:1: parameters.trade.sigma" in capsys.readouterr().err
    code = main(
        ["run", path, "--set", "replications=2", "--set", "parameters.trade.sigma=4",
         "--out", str(tmp_path), "--quiet", "--no-plots"]
    )  # fmt: skip
    assert code == 0
    run_dir = next((tmp_path / "small_base").iterdir())
    sc = scosim.load_scenario(run_dir / "scenario.yaml")
    assert sc.replications == 2 and sc.parameters.trade.sigma == 4.0


def test_run_keeps_the_overrides_of_a_scenario_object(tmp_path, model_fixture):
    sc = scosim.load_scenario(model_fixture("small_base.yaml"), overrides={"seed": 3})
    res = run(sc, replications=2, out=tmp_path, progress=False, plots=False)
    assert res.manifest["seed"] == 3 and res.manifest["replications"] == 2
    assert res.manifest["scenario_file"].endswith("small_base.yaml")


def test_overrides_of_a_loaded_scenario_are_recorded_and_flagged_as_set_is(
        tmp_path, model_fixture, capsys):
    """A run of a scenario loaded with overrides recorded none, so `list` showed none and
    `show` by name took it for the file as written; recorded and flagged as --set is."""
    from scosim.scenario import scenario_hash

    path = model_fixture("small_cu.yaml")
    sc = scosim.load_scenario(path, overrides={"parameters.trade.sigma": 4, "seed": 3})
    res = run(sc, replications=2, out=tmp_path, progress=False, plots=False)
    m = json.loads((Path(res.path) / "manifest.json").read_text())
    # the seed is the run's own, as --seed is (test_a_seed_given_through_the_api_...)
    assert m["overrides"] == {"parameters.trade.sigma": 4} and m["seed"] == 3
    # the overrides are not hashed as such: the values they set are
    assert m["scenario_hash"] == scenario_hash(scosim.load_scenario(res.path / "scenario.yaml"))
    assert m["scenario_hash"] != scenario_hash(scosim.load_scenario(path))
    assert main(["list", "--out", str(tmp_path)]) == 0
    assert "parameters.trade.sigma=4" in capsys.readouterr().out
    assert main(["show", "small_cu", "--out", str(tmp_path)]) == 0
    said = capsys.readouterr()
    assert f"run: {res.path}" in said.out
    assert ("every finished run was changed with --set; using the latest, "
            f"{res.path.name}, run with parameters.trade.sigma=4. Give") in said.err
    # A later word replaces the loaded one: this call's overrides, its seed (recorded
    # as the run's seed, as --seed is).
    res = run(sc, seed=5, replications=2, overrides={"parameters.trade.sigma": 6},
              out=tmp_path, progress=False, plots=False)
    assert res.manifest["seed"] == 5
    assert res.manifest["overrides"] == {"parameters.trade.sigma": 6}


def test_a_seed_given_through_the_api_is_the_runs_own_as_cli_seed_is(
        tmp_path, model_fixture, capsys):
    """The README's `load_scenario(..., overrides={"seed": 3})` was recorded as an
    override (`list` showed seed=3), so `show` or `compare` by name passed the run over
    as not the file as written, while `scosim run --seed 1` counted as the file."""
    path = model_fixture("small_cu.yaml")
    kw = {"out": tmp_path, "progress": False, "plots": False}
    api = run(scosim.load_scenario(path, overrides={"seed": 3, "replications": 2}), **kw)
    assert api.manifest["overrides"] == {}
    assert (api.manifest["seed"], api.manifest["replications"]) == (3, 2)
    assert main(["run", str(path), "--seed", "1", "--replications", "2", "--no-plots",
                 "--out", str(tmp_path)]) == 0
    cli = max((tmp_path / "small_cu").iterdir(), key=lambda p: p.stat().st_mtime)
    assert json.loads((cli / "manifest.json").read_text())["overrides"] == {}
    # Given as `--set seed=5` or as `run(..., overrides=...)`, a seed is the same.
    by_set = run(path, overrides={"seed": 5, "replications": 2}, **kw)
    assert by_set.manifest["overrides"] == {} and by_set.manifest["seed"] == 5
    capsys.readouterr()
    assert main(["list", "--out", str(tmp_path)]) == 0
    listed = capsys.readouterr().out
    assert api.path.name in listed and "seed=" not in listed and "replications=" not in listed
    # With only the API's run left, the name finds it as the file as written (no warning
    # that every run was changed with --set).
    for other in (cli, by_set.path):
        shutil.rmtree(other)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_run("small_cu", tmp_path) == api.path


def test_changes_made_in_code_after_loading_are_recorded_as_overrides(
        tmp_path, model_fixture, capsys):
    """A scenario object changed in code (an attribute set, a model_copy) was recorded
    as the file with its load overrides, so `show` by name took the run for the file as
    written; the changes are recorded as the --set overrides that reproduce it."""
    from scosim.scenario import scenario_hash

    path = model_fixture("small_cu.yaml")
    sc = scosim.load_scenario(path, overrides={"seed": 3})
    sc.parameters.trade.sigma = 4.5
    sc = sc.model_copy(update={"replications": 2})
    res = run(sc, out=tmp_path, progress=False, plots=False)
    m = json.loads((Path(res.path) / "manifest.json").read_text())
    assert m["overrides"] == {"parameters.trade.sigma": 4.5}
    assert (m["seed"], m["replications"]) == (3, 2)
    again = scosim.load_scenario(path, overrides={
        **m["overrides"], "seed": m["seed"], "replications": m["replications"]})
    assert scenario_hash(again) == m["scenario_hash"] == scenario_hash(sc)
    assert main(["show", "small_cu", "--out", str(tmp_path)]) == 0
    assert "run with parameters.trade.sigma=4.5. Give" in capsys.readouterr().err
    # unchanged objects record only their own overrides, as before (a seed is none)
    plain = scosim.load_scenario(path, overrides={"seed": 3, "parameters.trade.sigma": 6})
    res = run(plain, replications=2, out=tmp_path, progress=False, plots=False)
    assert res.manifest["overrides"] == {"parameters.trade.sigma": 6}


def test_unused_name_skips_taken_and_hidden_names(tmp_path):
    from scosim.results import PARTIAL_PREFIX, unused_name

    assert unused_name(tmp_path, "r") == "r"
    (tmp_path / "r").mkdir()
    (tmp_path / f"{PARTIAL_PREFIX}r-2").mkdir()
    assert unused_name(tmp_path, "r") == "r-2"
    assert unused_name(tmp_path, "r", hidden=(PARTIAL_PREFIX,)) == "r-3"


def test_console_script_exits_with_mains_code_after_freezing_the_collector(monkeypatch):
    # The interpreter's last collection walked every object a run left (0.15-0.25 s);
    # the console script freezes them first, and still exits with main's code.
    import gc
    from importlib.metadata import entry_points

    from scosim import cli

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "scosim"]
    assert script.value == "scosim.cli:console"
    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    for argv, code in ((["scosim", "validate", "no/such.yaml"], 2), (["scosim", "list"], 0)):
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as done:
            cli.console()
        assert done.value.code == code
    assert frozen == [True, True]


def test_run_with_nothing_to_answer_says_so_as_show_does(tmp_path, capsys):
    """A run with no proposal and no mechanism (baseline.yaml) has no answer: ``scosim run``
    ends with the same sentence as ``scosim show`` instead of a list of plots alone."""
    code = main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--replications", "2",
                 "--out", str(tmp_path), "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    run_dir = out.split("results: ")[1].splitlines()[0].strip()
    assert " ".join(out.split()).endswith("nothing to show beyond its tables (summary.csv, "
                                          "`scosim compare`)")
    assert main(["show", run_dir]) == 0
    shown = capsys.readouterr().out
    assert shown.splitlines()[-1] == out.rstrip().splitlines()[-1]


#: Every command that takes --workers, with the arguments it needs to get that far.
WORKER_COMMANDS = {
    "run": ["run", "scenarios/baseline.yaml"],
    "compare": ["compare", "scenarios/customs_union.yaml", "scenarios/baseline.yaml"],
    "sweep": ["sweep", "scenarios/baseline.yaml", "--param", "parameters.trade.sigma=3:5",
              "--output", "welfare_change_pct:KAZ"],
    "explore": ["explore"],
}


@pytest.mark.parametrize("workers", ["0", "-1"])
@pytest.mark.parametrize("command", sorted(WORKER_COMMANDS))
def test_workers_below_one_are_refused_before_anything_is_written(tmp_path, capsys, command,
                                                                  workers):
    # --executor process --workers 0 used to start (run, compare: an error from the runner
    # without the option's name; sweep: "max_workers must be greater than 0" from the pool).
    argv = [*WORKER_COMMANDS[command], "--executor", "process", f"--workers={workers}",
            "--out", str(tmp_path / "out")]
    argv = [str(ROOT / a) if a.endswith(".yaml") else a for a in argv]
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --workers: {workers} worker processes: give 1 or more" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_repeated_indicator_is_refused_as_a_repeated_param_is(tmp_path, capsys):
    policy, baseline = (str(ROOT / "scenarios" / f) for f in ("customs_union.yaml",
                                                                "baseline.yaml"))
    code = main(["compare", policy, baseline, "--indicator", "ev_usd", "--indicator",
                 "welfare_change_pct", "--indicator", "ev_usd", "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert ("--indicator:3: ev_usd: given again (first as --indicator:1); give each "
            "indicator once") in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_run_without_welfare_does_not_say_nothing_moved(tmp_path, model_fixture, capsys):
    """outputs.indicators without welfare_change_pct: the run has votes, so "no economy's
    welfare moved and no state voted" was false; it says welfare was not recorded."""
    scenario = str(model_fixture("small_cu.yaml"))
    args = [scenario, "--out", str(tmp_path), "--quiet", "--replications", "2"]
    assert main(["run", *args, "--set", "outputs.indicators=[gdp_usd]"]) == 0
    said = capsys.readouterr().out
    assert "did not record welfare_change_pct" in said and "no state voted" not in said
    run_dir = next(p.parent for p in tmp_path.rglob("manifest.json"))
    events = pd.read_parquet(run_dir / "events")
    assert (events["type"] == "vote").any()  # what the old sentence denied
    assert main(["show", str(run_dir)]) == 0
    assert "did not record welfare_change_pct" in capsys.readouterr().out
    # with welfare recorded, the answer is printed as before
    assert main(["run", *args, "--set", "outputs.indicators=[welfare_change_pct]"]) == 0
    assert "did not record" not in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["twenty", "-4"])
def test_a_bad_field_is_refused_though_an_override_replaces_it(tmp_path, model_fixture, capsys,
                                                               bad):
    """``--replications 3`` over ``replications: twenty``: refused as ``validate`` refuses it."""
    path = tmp_path / "copy.yaml"
    text = model_fixture("small_base.yaml").read_text()
    lines = text.splitlines()
    line = next(i for i, s in enumerate(lines, start=1) if s.startswith("replications:"))
    lines[line - 1] = f"replications: {bad}"
    path.write_text("\n".join(lines) + "\n")
    assert main(["validate", str(path)]) == 2
    said = capsys.readouterr().err
    assert f"copy.yaml:{line}: replications" in said
    out = tmp_path / "r"
    assert main(["run", str(path), "--replications", "3", "--out", str(out), "--quiet",
                 "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert f"copy.yaml:{line}: replications" in err and "valid as written" in err
    assert not out.exists() or not any(out.rglob("*"))
    assert main(["validate", str(path), "--set", "replications=3"]) == 2
    # A value the file does not write is still the override's to give.
    path.write_text("\n".join(s for s in lines if not s.startswith("replications:")) + "\n")
    assert main(["validate", str(path), "--set", "replications=3"]) == 0


def test_an_exit_threshold_given_in_percent_is_warned_by_validate_and_run(
        tmp_path, model_fixture, capsys):
    """``--set parameters.council.exit_threshold=-0.55`` (-55 %) ran without a word."""
    path = str(model_fixture("small_base.yaml"))
    slip = ["--set", "parameters.council.exit_threshold=-0.55"]
    meant = "did you mean -0.0055 (-0.55 %)?"
    assert main(["validate", path, *slip]) == 0
    assert meant in capsys.readouterr().err
    assert main(["run", path, "--replications", "2", "--out", str(tmp_path), "--quiet",
                 "--no-plots", *slip]) == 0
    assert "parameters.council.exit_threshold -0.55 is a threshold of -55 %" in \
        capsys.readouterr().err
    assert main(["validate", path, "--set", "countries.BLR.exit_threshold=0.5"]) == 0
    assert "countries.BLR.exit_threshold 0.5" in capsys.readouterr().err
    assert main(["validate", path, "--set", "parameters.council.exit_threshold=-0.0055"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_list_shows_every_override_whole(tmp_path, capsys, monkeypatch):
    """A long --set is folded in `scosim list` on a narrow terminal, not cut with '...'."""
    argv = ["run", str(ROOT / "scenarios" / "baseline.yaml"), "--replications", "2",
            "--quiet", "--no-plots", "--out", str(tmp_path)]
    for s in ("parameters.council.decision_rule=qualified_majority",
              "parameters.council.qualified_majority=0.75", "years.end=2026"):
        argv += ["--set", s]
    assert main(argv) == 0
    capsys.readouterr()
    # A terminal of 120 columns: the overrides column is narrower than its longest word.
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["list", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\u2026" not in out and "..." not in out
    # Every character of the overrides is shown: the folded pieces, read down the column.
    rows = [line.split("\u2502") for line in out.splitlines() if line.startswith("\u2502")]
    header = [line.split("\u2503") for line in out.splitlines() if line.startswith("\u2503")]
    col = next(i for h in header for i, cell in enumerate(h)
               if re.sub(r"\x1b\[[0-9;]*m", "", cell).strip() == "overrides")
    shown = "".join(cell[col].strip() for cell in rows if len(cell) > col)
    assert 'parameters.council.decision_rule="qualified_majority",' in shown
    assert "parameters.council.qualified_majority=0.75," in shown
