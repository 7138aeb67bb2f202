"""docs/performance.md's performance table is what benchmarks/report.py makes of the records."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _bench(name: str):
    """A benchmark script as a module (its own imports, e.g. ``machine``, resolved)."""
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return mod


def _report():
    return _bench("report")


def test_readme_table_equals_the_report_of_the_committed_records() -> None:
    report = _report()
    readme = (REPO / "docs" / "performance.md").read_text()
    block = report.current_block(readme)
    assert block, "docs/performance.md lacks the generated performance block"
    assert block == report.render(REPO / "benchmarks" / "results"), (
        "docs/performance.md performance table differs from the records: run python "
        "benchmarks/report.py --write")


def test_report_follows_the_records(tmp_path: Path) -> None:
    """A changed record changes the table (the check above is not vacuous)."""
    report = _report()
    src = REPO / "benchmarks" / "results" / "bench_batched.json"
    shutil.copy(src, tmp_path / "bench_batched.json")
    rec = json.loads(src.read_text())
    rec["ratio"] = {"median": 41.25, "min": 40.0, "max": 43.0, "n": 3}
    (tmp_path / "bench_batched.json").write_text(json.dumps(rec))
    text = report.render(tmp_path)
    assert "**41.2x [40.0-43.0]**" in text
    assert "bench_ge.json" not in text  # only records present are reported
    new = report.replace_block("a\n" + report.START + "\nold\n" + report.END + "\nb", text)
    assert new == "a\n" + text + "\nb"


def test_readme_machines_table_equals_the_report_of_the_committed_records() -> None:
    report = _report()
    readme = (REPO / "docs" / "performance.md").read_text()
    block = report.current_block(readme, report.MACHINES_START, report.MACHINES_END)
    assert block, "docs/performance.md lacks the generated machines block"
    assert block == report.render_machines(REPO / "benchmarks" / "results"), (
        "docs/performance.md machines table differs from the records: run python "
        "benchmarks/report.py --write")


def test_machines_table_sets_each_folder_beside_the_main_records(tmp_path: Path) -> None:
    """A subfolder of records is a column of its own, with its machine and provenance."""
    report = _report()
    src = json.loads((REPO / "benchmarks" / "results" / "bench_batched.json").read_text())
    (tmp_path / "bench_batched.json").write_text(json.dumps(src))
    other = dict(src, ratio={"median": 12.5, "min": 12.0, "max": 13.0, "n": 2},
                 machine=dict(src["machine"], cpu_model="Test CPU", date_utc="2030-01-02T03:04"),
                 command=src["command"] + " --out benchmarks/results/box/bench_batched.json")
    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "bench_batched.json").write_text(json.dumps(other))
    (tmp_path / "empty").mkdir()  # a folder without records is not a machine
    text = report.render_machines(tmp_path)
    header = next(line for line in text.splitlines() if line.startswith("| measure"))
    assert header.count("|") == 4  # measure, main records, box/
    assert "Test CPU, 2030-01-02 (`box/`)" in header
    row = next(line for line in text.splitlines() if line.startswith("| batched"))
    main_ratio = f"{src['ratio']['median']:.1f}x"
    assert row.index(main_ratio) < row.index("12.5x [12.0-13.0]")
    assert "`python benchmarks/bench_batched.py --rounds" in text
    prov = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(prov) == 1 and "--out" not in prov[0]  # the folder's rule says where
    assert "empty" not in text


def test_batched_breakdown_times_each_solver_part_and_restores_the_model() -> None:
    """bench_batched's parts are timed at the model's real call sites, and put back after."""
    bench = _bench("bench_batched")
    import time

    import scosim.model.model as mm
    from scosim.data import load_calibration
    from scosim.scenario import load_scenario

    originals = {(m, a): getattr(importlib.import_module(m), a) for m, a, _ in bench.PARTS}
    sc = load_scenario(REPO / "scenarios" / "customs_union.yaml")
    with bench.timed_parts() as acc:
        t0 = time.perf_counter()
        mm.SCOModel(sc, runs=[0, 1], calibration=load_calibration()).run_model()
        total = time.perf_counter() - t0
    assert all(v > 0 for v in acc.values()), acc
    parts = bench.breakdown(total, acc, 2)
    assert parts["rest"] > 0
    assert abs(sum(parts.values()) - 1e3 * total / 2) < 1e-9
    for (m, a), fn in originals.items():
        assert getattr(importlib.import_module(m), a) is fn
    # A call site that times nothing is an error, not a zero in the record.
    try:
        with bench.timed_parts():
            pass
    except SystemExit as exc:
        assert "no calls timed" in str(exc)
    else:
        raise AssertionError("an empty block should be refused")


def test_report_shows_the_batched_breakdown_when_recorded(tmp_path: Path) -> None:
    report = _report()
    src = json.loads((REPO / "benchmarks" / "results" / "bench_batched.json").read_text())
    one = {"median": 2.0, "min": 1.0, "max": 3.0, "n": 3}
    src["where_the_time_goes"] = {
        "ge_solve": {"batched_ms_per_run": one, "single_ms_per_run": one, "ratio": one},
        "rest": {"batched_ms_per_run": one, "single_ms_per_run": one,
                 "ratio": {"median": 28.5, "min": 20.0, "max": 40.0, "n": 3}}}
    (tmp_path / "bench_batched.json").write_text(json.dumps(src))
    text = report.render(tmp_path)
    assert "GE solves 2.00 against 2.0 ms" in text
    assert "the rest of the step 2.00 against 2.0 ms, 28.5x [20.0-40.0]" in text
    assert report.headlines(tmp_path)[
        "batched: the rest of the step alone (GE and RAS excluded)"] == "28.5x [20.0-40.0]"


def test_report_shows_the_running_cluster_case_when_recorded(tmp_path: Path) -> None:
    """A parallel record with the running-cluster case gets its own cell and headline."""
    report = _report()
    src = json.loads((REPO / "benchmarks" / "results" / "bench_parallel.json").read_text())
    src.pop("dask_running_efficiency", None)
    (tmp_path / "bench_parallel.json").write_text(json.dumps(src))
    assert "cluster already running" not in report.render(tmp_path)
    src["dask_running_efficiency"] = {"median": 0.93, "min": 0.91, "max": 0.95, "n": 2}
    src.setdefault("tiny_tasks", {}).update({
        "running_startup_s": {"median": 0.08, "min": 0.06, "max": 0.1, "n": 2},
        "running_per_task_s": {"median": 0.0105, "min": 0.009, "max": 0.012, "n": 2}})
    (tmp_path / "bench_parallel.json").write_text(json.dumps(src))
    text = report.render(tmp_path)
    assert ("dask on a cluster already running (`--scheduler`, workers warm): "
            "**0.93 [0.91-0.95]**; connecting and 2 no-op tasks 0.08 s [0.06-0.10], "
            "10.5 ms [9.0-12.0] per no-op task") in text
    heads = report.headlines(tmp_path)
    key = (f"two-worker efficiency, {src['replications']:,} replications: Dask on a cluster "
           "already running")
    assert heads[key] == "0.93 [0.91-0.95]"


def test_report_takes_a_parallel_record_without_one_worker_cases(tmp_path: Path) -> None:
    """A large record of two-worker cases only: no overhead cell, and a headline of its own."""
    report = _report()
    src = json.loads((REPO / "benchmarks" / "results" / "bench_parallel.json").read_text())
    for key in [k for k in src if k.endswith(("_scaling", "_overhead_per_task_s"))
                or "spawn" in k or "ceiling" in k]:
        del src[key]
    src.pop("tiny_tasks", None)
    src.update(replications=16000, tasks=64,
               process_efficiency={"median": 0.95, "min": 0.87, "max": 1.03, "n": 2},
               dask_efficiency={"median": 0.84, "min": 0.82, "max": 0.86, "n": 2})
    (tmp_path / "bench_parallel_large.json").write_text(json.dumps(src))
    text = report.render(tmp_path)
    row = next(line for line in text.splitlines() if "16,000 replications in 64" in line)
    assert "process: **0.95 [0.87-1.03]**; dask: **0.84 [0.82-0.86]**" in row
    assert "overhead" not in row and "one worker against two" not in row
    heads = report.headlines(tmp_path)
    local = src["seconds"]["local"]["median"]
    assert heads["two-worker efficiency, 16,000 replications: process; Dask"] == (
        f"0.95 [0.87-1.03]; 0.84 [0.82-0.86] (local run {local:.1f} s)")


def _has_model() -> bool:
    import sys

    return "scosim.model.model" in sys.modules


def test_parallel_benchmark_counts_the_running_clusters_workers(tmp_path: Path,
                                                               monkeypatch) -> None:
    """The running-cluster case runs on a cluster started outside its timing and counts the
    CPU of that cluster's workers (not only the client's), and the cluster is gone after."""
    bench = _bench("bench_parallel")
    cluster = bench.started(tmp_path)
    try:
        # every worker has run a replication itself: the model is imported everywhere
        assert set(cluster.client.run(_has_model).values()) == {True}
        assert len(cluster.client.run(_has_model)) == 2
        before = cluster.cpu()
        cluster.client.submit(sum, range(10**7)).result()
        assert cluster.cpu() > before + 0.05  # a task's CPU shows on the workers
        address = cluster.address
    finally:
        cluster.close()
    from distributed import Client

    try:  # closed: nothing left listening at its address
        Client(address, timeout=1).close()
    except (OSError, TimeoutError):
        pass
    else:
        raise AssertionError("the cluster is still up after close()")
    # What the workers' CPU counter read around the timed run (a comparison with the local
    # run's CPU would depend on how heavy this test process is: its collector's work).
    readings: list[float] = []
    real_cpu = bench.RunningCluster.cpu

    def recorded_cpu(self) -> float:
        readings.append(real_cpu(self))
        return readings[-1]

    monkeypatch.setattr(bench.RunningCluster, "cpu", recorded_cpu)
    out = tmp_path / "rec.json"
    assert bench.main(["--rounds", "1", "--replications", "8", "--batch-size", "4",
                       "--cases", "local,dask-2-running", "--out", str(out)]) == 0
    rec = json.loads(out.read_text())
    assert set(rec["seconds"]) == {"local", "dask-2-running"}
    assert rec["dask_running_efficiency"]["n"] == 1
    # The batches ran on the workers, and the case's CPU includes what they used.
    assert len(readings) == 2
    on_workers = readings[1] - readings[0]
    assert on_workers > 0.05
    assert rec["cpu_seconds"]["dask-2-running"]["median"] >= on_workers


def test_cli_benchmark_runs_only_the_cases_asked_for(tmp_path: Path, capsys) -> None:
    """``--cases`` picks cases by name (the import pair its page cites), refuses others."""
    import pytest

    bench = _bench("bench_cli")
    with pytest.raises(SystemExit):
        bench.main(["--sizes", "", "--cases", "import-model,nope", "--out",
                    str(tmp_path / "x.json")])
    assert "unknown nope" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
    out = tmp_path / "imports.json"
    assert bench.main(["--sizes", "", "--rounds", "1", "--warmup", "0", "--cases",
                       "import-model-eager,import-model", "--out", str(out)]) == 0
    cases = json.loads(out.read_text())["cases"]
    assert list(cases) == ["import-model", "import-model-eager"]  # the script's order
    assert cases["import-model-eager"]["command"].endswith("-c 'import mesa, scosim.runner'")
    assert cases["import-model"]["peak_rss_mib"]["median"] > 50  # a real interpreter ran


def test_linalg_benchmark_times_real_solves_and_products_per_matrix(tmp_path: Path) -> None:
    """Per-matrix costs of both sizes, the ratio formed per round, and a kernel in a child."""
    import pytest

    bench = _bench("bench_linalg")
    with pytest.raises(SystemExit):
        bench.main(["--rounds", "0", "--out", str(tmp_path / "no.json")])
    assert not (tmp_path / "no.json").exists()
    out = tmp_path / "linalg.json"
    assert bench.main(["--rounds", "2", "--batch", "8", "--calls", "3",
                       "--coretypes", "Prescott", "--out", str(out)]) == 0
    record = json.loads(out.read_text())
    assert record["command"].endswith("--coretypes Prescott --out " + str(out))
    for figures in (record["default"], record["by_coretype"]["Prescott"]):
        assert sorted(figures) == ["27", "28"]
        for f in figures.values():
            assert f["max_residual"] < 1e-9  # the systems were really solved
            assert f["solve_us_per_matrix"]["n"] == 2
            assert 0 < f["solve_us_per_matrix"]["min"] <= f["solve_us_per_matrix"]["max"]
            assert f["matmul_us_per_matrix"]["min"] > 0
            ratio = f["solve_over_matmul"]
            # per-round ratios lie between the extreme quotients of the two timings
            lo = f["solve_us_per_matrix"]["min"] / f["matmul_us_per_matrix"]["max"]
            hi = f["solve_us_per_matrix"]["max"] / f["matmul_us_per_matrix"]["min"]
            assert lo * (1 - 1e-12) <= ratio["min"] <= ratio["max"] <= hi * (1 + 1e-12)


@pytest.mark.parametrize("cli", [False, True])
def test_local_pair_runs_two_whole_runs_and_reports_failures(tmp_path: Path, cli: bool) -> None:
    """The machine's ceiling case: two local runs at once, both complete, a failure raised."""
    bench = _bench("bench_parallel")
    took, cpu = bench.run_pair(6, 3, tmp_path / "ok", cli)
    assert took > 0
    assert (cpu is None) == cli and (cli or cpu > 0)
    for i in ("0", "1"):
        manifests = list((tmp_path / "ok" / i).rglob("manifest.json"))
        # one finished run each (the in-process children also made their warm-up run)
        assert len(manifests) == (1 if cli else 2), manifests
    with pytest.raises(RuntimeError, match="local pair failed"):
        bench.run_pair(0, 3, tmp_path / "bad", cli)


def test_report_shows_the_machines_ceiling_when_recorded(tmp_path: Path) -> None:
    """A parallel record with the local-pair case states the machine's ceiling beside it."""
    report = _report()
    src = json.loads((REPO / "benchmarks" / "results" / "bench_parallel.json").read_text())
    for key in ("ceiling", "process_efficiency_over_ceiling", "dask_efficiency_over_ceiling"):
        src.pop(key, None)
    (tmp_path / "bench_parallel.json").write_text(json.dumps(src))
    assert "ceiling" not in report.render(tmp_path)
    src.update(ceiling={"median": 0.86, "min": 0.84, "max": 0.88, "n": 3},
               process_efficiency_over_ceiling={"median": 0.95, "min": 0.9, "max": 0.97, "n": 3},
               dask_efficiency_over_ceiling={"median": 0.84, "min": 0.8, "max": 0.85, "n": 3})
    (tmp_path / "bench_parallel.json").write_text(json.dumps(src))
    assert ("the machine's ceiling (two local runs at once, local time / their time): "
            "**0.86 [0.84-0.88]**, efficiency over it: process 0.95 [0.90-0.97]; "
            "dask 0.84 [0.80-0.85]") in report.render(tmp_path)
    head = report.headlines(tmp_path)["two-worker efficiency, 4,000 replications: process; Dask"]
    assert head.endswith("; the machine's ceiling (two local runs at once): 0.86 [0.84-0.88]")


def test_cli_benchmark_keeps_the_before_twin_of_a_chosen_run_case() -> None:
    bench = _bench("bench_cli")
    cmds = {"version": ["v"], "run-10000": ["r"], "before-run-10000": ["b"], "list": ["l"]}
    assert list(bench.chosen(cmds, "")) == list(cmds)
    assert list(bench.chosen(cmds, "run-10000")) == ["run-10000", "before-run-10000"]
    assert list(bench.chosen(cmds, "before-run-10000,run-10000")) == ["run-10000",
                                                                      "before-run-10000"]
    assert list(bench.chosen(cmds, "list,version")) == ["version", "list"]
    with pytest.raises(ValueError, match="unknown run-5"):
        bench.chosen(cmds, "run-5")



def test_bench_scenarios_records_each_scenario_and_checks_singles(tmp_path: Path,
                                                                  monkeypatch) -> None:
    """bench_scenarios times the chosen scenarios with bench_batched's checked round."""
    bench = _bench("bench_scenarios")
    out = tmp_path / "s.json"
    assert bench.main(["--rounds", "1", "--batch-size", "6", "--singles", "2",
                       "--only", "baseline.yaml", "--out", str(out)]) == 0
    rec = json.loads(out.read_text())
    (name, v), = rec["scenarios"].items()
    assert name == "baseline.yaml" and v["single_runs_identical_to_batch"] == 2
    assert v["ratio"]["median"] > 0 and set(v["ratio_by_part"]) == {
        "ge_solve", "ras_rebase", "rest"}
    assert rec["command"].endswith("--only baseline.yaml")
    with pytest.raises(SystemExit, match="no such scenario"):
        bench.main(["--only", "nope.yaml", "--out", str(out)])
    # A single run that differs from its run in the batch stops the benchmark.
    import scosim.single as single

    real = single.SingleRunner.run

    def off(self, run):  # noqa: ANN001, ANN202
        res = real(self, run)
        res.indicators["welfare_change_pct"] = res.indicators["welfare_change_pct"] + 1e-6
        return res

    monkeypatch.setattr(single.SingleRunner, "run", off)
    with pytest.raises(SystemExit, match="differs between batch and single"):
        bench.main(["--rounds", "1", "--batch-size", "4", "--singles", "1",
                    "--only", "baseline.yaml", "--out", str(out)])


def test_bench_memory_runs_the_users_command_per_scenario_and_size(tmp_path: Path,
                                                                   capsys) -> None:
    """bench_memory runs `scosim run` per scenario and size and forms the peak ratio."""
    bench = _bench("bench_memory")
    out = tmp_path / "m.json"
    with pytest.raises(SystemExit):
        bench.main(["--only", "nope.yaml", "--out", str(out)])
    assert "not in scenarios/: nope.yaml" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench.main(["--sizes", "0", "--out", str(out)])
    assert not out.exists()
    assert bench.main(["--sizes", "3,6", "--only", "baseline.yaml", "--out", str(out)]) == 0
    rec = json.loads(out.read_text())
    (name, v), = rec["scenarios"].items()
    assert name == "baseline.yaml" and rec["sizes"] == [3, 6]
    small, large = v["3"]["peak_rss_mib"]["median"], v["6"]["peak_rss_mib"]["median"]
    assert small > 100 and large > 100  # whole interpreters with matplotlib ran
    assert v["peak_ratio_6_to_3"]["median"] == pytest.approx(large / small)
    cmd = bench.command(REPO / "scenarios" / "baseline.yaml", 6, tmp_path / "o")
    assert cmd[-5:] == ["--replications", "6", "--out", str(tmp_path / "o"), "--quiet"]
    assert "--no-plots" not in cmd  # the plots are part of what users run


def test_report_names_the_scenario_with_the_largest_peak_and_growth(tmp_path: Path) -> None:
    """The memory row reads every scenario's record: extremes, count under 1 GiB, growth."""
    report = _report()

    def cell(mib: float) -> dict:
        s = {"median": mib, "min": mib, "max": mib, "n": 1}
        return {"peak_rss_mib": s, "wall_s": {**s, "median": 1.0}}

    peaks = {"a.yaml": (400.0, 410.0), "b.yaml": (700.0, 1100.0), "c.yaml": (300.0, 290.0)}
    rec = {"machine": {}, "rounds": 1, "sizes": [2000, 10000], "aim_mib": 1024.0,
           "scenarios": {k: {"2000": cell(lo), "10000": cell(hi),
                             "peak_ratio_10000_to_2000": cell(hi / lo)["peak_rss_mib"]}
                         for k, (lo, hi) in peaks.items()}}
    (tmp_path / "bench_memory.json").write_text(json.dumps(rec))
    text = report.render(tmp_path)
    assert "largest **1100 MiB** (`b.yaml`), smallest 290 MiB (`c.yaml`)" in text
    assert "2 of 3 under 1 GiB" in text
    assert "at most **1.57** (`b.yaml`)" in text
    assert "python benchmarks/bench_memory.py --sizes 2000,10000 --rounds 1" in text
    heads = report.headlines(tmp_path)
    assert "1100 MiB (`b.yaml`, 3 scenarios)" in heads.values()


def test_cli_benchmark_refuses_a_bad_override_before_any_round(tmp_path: Path,
                                                               capsys) -> None:
    """``--set parameters.trade.sigma=abc`` ended in a RuntimeError traceback from the
    first timed round (an outside review, 2026-12-07): now checked once by ``scosim
    validate`` before the rounds, its one-line message after ``--set:``, exit 2."""
    bench = _bench("bench_cli")
    out = tmp_path / "x.json"
    with pytest.raises(SystemExit) as exc:
        bench.main(["--sizes", "2", "--cases", "run-2", "--rounds", "1", "--warmup", "0",
                    "--set", "parameters.trade.sigma=abc", "--out", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "round " not in err  # no round was timed
    assert ("--set: <override>:1: parameters.trade.sigma: expected a number, got string "
            "'abc'") in err
    assert not out.exists()
    assert "write overrides as dotted.path=value" in bench.invalid_overrides(
        bench.SCENARIO, ("nonsense",))
    assert bench.invalid_overrides(bench.SCENARIO, ("parameters.trade.sigma=4",)) == ""


@pytest.mark.parametrize(("args", "said"), [
    (["--sizes", "abc"], "argument --sizes: expected a whole number, got 'abc'"),
    (["--sizes", "1000,1e4"], "argument --sizes: expected a whole number, got '1e4'"),
    (["--sizes", "0"], "argument --sizes: expected at least 1, got 0"),
    (["--rounds", "0"], "argument --rounds: expected at least 1, got 0"),
    (["--rounds", "three"], "argument --rounds: expected a whole number, got 'three'"),
    (["--warmup", "-1"], "argument --warmup: expected at least 0, got -1"),
])
def test_cli_benchmark_refuses_bad_numbers_in_one_line(tmp_path: Path, capsys, args,
                                                       said) -> None:
    """``--sizes abc`` ended in a ValueError traceback, ``--rounds 0`` in an IndexError
    after the rounds, ``--warmup -1`` silently skipped the first counted round (an outside
    review, 2026-12-07): each is now argparse's one-line error, exit 2, before any round."""
    bench = _bench("bench_cli")
    out = tmp_path / "x.json"
    with pytest.raises(SystemExit) as exc:
        bench.main([*args, "--cases", "version", "--out", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and "round " not in err
    assert not out.exists()


def test_cli_benchmark_times_show_of_a_finished_run(tmp_path: Path, capsys,
                                                    geometry_run: Path) -> None:
    """``--show RUN`` adds the ``show`` case (docs/performance.md's show and replot
    section); a directory that is not a run is refused in one line before any round."""
    bench = _bench("bench_cli")
    out = tmp_path / "show.json"
    with pytest.raises(SystemExit) as exc:
        bench.main(["--sizes", "", "--show", str(tmp_path), "--out", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--show" in err and "no manifest.json" in err and "Traceback" not in err
    assert not out.exists()
    assert bench.main(["--sizes", "", "--rounds", "1", "--warmup", "0", "--cases", "show",
                       "--show", str(geometry_run), "--out", str(out)]) == 0
    cases = json.loads(out.read_text())["cases"]
    assert list(cases) == ["show"]
    assert cases["show"]["command"].endswith(f"show {geometry_run}")
    # A real interpreter ran (16 MiB when another test's plot_run left summary.txt there).
    assert cases["show"]["peak_rss_mib"]["median"] > 10
