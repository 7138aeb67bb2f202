"""Dask as on a cluster: workers in other directories, no shared scenario file, versions checked.

A ``LocalCluster`` with worker *processes* stands in for remote machines: each
worker runs in its own temporary directory, different from the client's, the
scenario is given by a path relative to the client's directory only (workers
could not open it), and the output root is relative too. The numbers must be
identical to the local executor's, and the workers must write the batch files
into the run directory themselves.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from scosim.experiments.executors import BatchSpec, ExecutorError, execute
from scosim.results import BatchManifest
from scosim.runner import VersionMismatch, run, run_batch, versions

FIXTURES = Path(__file__).parent / "fixtures" / "model"

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Two worker processes, each chdir'ed into its own empty directory."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cl, Client(cl) as client:
        dirs = {}
        for i, addr in enumerate(sorted(client.scheduler_info()["workers"])):
            d = tmp_path_factory.mktemp(f"worker{i}")
            client.run(os.chdir, str(d), workers=[addr])
            dirs[addr] = d
        yield cl, client, dirs


def _scenario_here(dest: Path) -> str:
    """Copy the fixture scenario (and the file it extends) next to the client only."""
    for name in ("small_cu.yaml", "small_base.yaml"):
        shutil.copy(FIXTURES / name, dest / name)
    return "small_cu.yaml"


def test_workers_in_other_directories_give_the_local_numbers(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cl, client, dirs = cluster
    worker_cwds = client.run(os.getcwd)
    assert set(worker_cwds.values()) == {str(d) for d in dirs.values()}
    client_dir = tmp_path / "client"
    client_dir.mkdir()
    monkeypatch.chdir(client_dir)
    assert all(Path(c) != client_dir for c in worker_cwds.values())
    scen = _scenario_here(client_dir)

    ref = run(scen, out="local", progress=False, plots=False, batch_size=2)
    res = run(scen, out="results", executor="dask", scheduler=cl.scheduler_address,
              batch_size=2, progress=False, plots=False)
    assert res.path.resolve().is_relative_to(client_dir / "results")
    assert res.manifest["batches"] == [0, 1, 2]
    pd.testing.assert_frame_equal(res.indicators, ref.indicators, check_exact=True)
    pd.testing.assert_frame_equal(res.events, ref.events, check_exact=True)
    # The files themselves are byte for byte those of the local executor.
    for table in ("indicators", "events"):
        for f in sorted((ref.path / table).glob("batch-*.parquet")):
            assert (res.path / table / f.name).read_bytes() == f.read_bytes(), f
    assert str(res.indicators["year"].dtype) == "int16"
    assert str(res.indicators["run"].dtype) == "int32"
    # Nothing landed in the workers' own directories: they wrote into the run.
    assert all(not any(d.iterdir()) for d in dirs.values())


def test_workers_write_the_batch_and_return_only_a_manifest(cluster: Any, tmp_path: Path) -> None:
    cl, client, _ = cluster
    text = (FIXTURES / "small_cu.yaml").read_text().replace(
        "extends: small_base.yaml", "extends: " + str(FIXTURES / "small_base.yaml"))
    from scosim.scenario import load_scenario

    resolved = tmp_path / "s.yaml"
    resolved.write_text(text)
    yaml = load_scenario(resolved).resolved_yaml()
    spec = BatchSpec("", {}, (0, 1), {}, 4, scenario_yaml=yaml, out=str(tmp_path / "run"),
                     versions=versions())
    [manifest] = execute([spec], run_batch, executor="dask", scheduler=cl.scheduler_address,
                         progress=False)
    assert isinstance(manifest, BatchManifest)
    assert manifest.files["indicators"] == "indicators/batch-00004.parquet"
    written = pd.read_parquet(tmp_path / "run" / manifest.files["indicators"])
    assert len(written) == manifest.rows["indicators"] > 0
    assert sorted(written["run"].unique()) == [0, 1]
    # A worker with another package version refuses, naming both versions.
    other = BatchSpec("", {}, (0,), {}, 5, scenario_yaml=yaml, out=str(tmp_path / "run2"),
                      versions={**versions(), "package": "0.0.0-other"})
    with pytest.raises(VersionMismatch,
                       match=r"refuses the batch: package version .* '0\.0\.0-other'"):
        client.submit(run_batch, other, pure=False).result()
    # Through execute, the cluster is asked before any batch is sent: every worker named.
    with pytest.raises(ExecutorError, match=r"2 of the 2 workers .* nothing was run"):
        execute([other], run_batch, executor="dask", scheduler=cl.scheduler_address,
                progress=False)
    assert not (tmp_path / "run2").exists()


# ------------------------------------------------ sweeps and comparisons from the CLI


def _only(root: Path, pattern: str) -> Path:
    [found] = [p for p in root.glob(pattern) if not p.name.startswith(".")]
    return found


def _here_and_on_the_cluster(cluster: Any, args: list[str], tmp_path: Path) -> int:
    """``scosim ARGS`` with ``--out local``, then on the cluster with ``--out remote``.

    The second command is given ``--scheduler`` alone: it implies the Dask executor.

    Returns the number of tasks the cluster ran (its own record, so the command cannot
    have run here), after checking they ran on its workers and left their directories
    empty.
    """
    from distributed import get_task_stream

    from scosim.cli import main

    cl, client, dirs = cluster
    assert main([*args, "--out", "local"]) == 0
    with get_task_stream(client) as stream:
        assert main([*args, "--out", "remote", "--scheduler", cl.scheduler_address]) == 0
    assert {t["worker"] for t in stream.data} <= set(dirs)
    assert all(not any(d.iterdir()) for d in dirs.values())
    return len(stream.data)


def test_a_run_given_only_a_scheduler_runs_on_that_cluster(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: `scosim run --scheduler ADDR` was refused until --executor dask was added."""
    monkeypatch.chdir(tmp_path)
    scen = _scenario_here(tmp_path)
    args = ["run", scen, "--replications", "4", "--batch-size", "2", "--no-plots", "--quiet"]
    assert _here_and_on_the_cluster(cluster, args, tmp_path) >= 2
    local, remote = (pd.read_parquet(_only(tmp_path / where / "small_cu", "*") / "indicators")
                     for where in ("local", "remote"))
    pd.testing.assert_frame_equal(remote, local, check_exact=True)


def test_a_sweep_given_a_scheduler_runs_on_that_cluster(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: `scosim sweep` had no --scheduler; a Sobol sweep could not use a cluster."""
    monkeypatch.chdir(tmp_path)
    _scenario_here(tmp_path)
    # Committed members who stay: the union forms and lasts, so sigma moves welfare (under
    # the fixture's consensus nothing forms and every point is zero; since the suspension's
    # recalibration, 2026-12-06, the union dissolved within the fixture's years at sigma 3
    # and 5 unless its members stay).
    (tmp_path / "adopted.yaml").write_text(
        "extends: small_cu.yaml\nname: adopted\n"
        "parameters: {rules: {vote: always_yes, defect: never_defect}}\n")
    args = ["sweep", "adopted.yaml", "--param", "parameters.trade.sigma=3,5,7", "--method", "grid",
            "--output", "welfare_change_pct:PAK", "--replications", "2", "--quiet"]
    assert _here_and_on_the_cluster(cluster, args, tmp_path) >= 1
    local, remote = (pd.read_parquet(_only(tmp_path / where / "adopted" / "sweeps", "*")
                                     / "design_outputs.parquet") for where in ("local", "remote"))
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
    out = local["welfare_change_pct:PAK"]
    assert out.nunique() == 3 and (out.abs() > 1e-3).all()  # the points really ran


def test_a_comparison_given_a_scheduler_runs_both_scenarios_on_that_cluster(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: `scosim compare` had no --scheduler; its YAML files ran on a LocalCluster."""
    monkeypatch.chdir(tmp_path)
    _scenario_here(tmp_path)
    args = ["compare", "small_cu.yaml", "small_base.yaml", "--replications", "4", "--quiet",
            "--indicator", "gdp_usd"]
    # A batch of each scenario at least, run by the cluster.
    assert _here_and_on_the_cluster(cluster, args, tmp_path) >= 2
    local, remote = (pd.read_parquet(_only(tmp_path / where / "compare", "*")
                                     / "summary.parquet") for where in ("local", "remote"))
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
