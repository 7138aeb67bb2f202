"""How worker processes start (scosim.worker_start): from a fork server on Linux, else spawned.

The checks are on the workers themselves: whose child a worker is (a spawned pool
worker is this process's child, one from the fork server the server's), which
environment it sees, and that results do not depend on how it started.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
from multiprocessing import forkserver
from pathlib import Path

import pandas as pd
import pytest

from _worker_probe import whose_child
from scosim import worker_start
from scosim.experiments import BatchSpec, execute
from scosim.runner import run

ROOT = Path(__file__).resolve().parents[1]
CU = ROOT / "scenarios" / "customs_union.yaml"

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the fork server is the default on Linux only")


def _workers(executor: str, n: int = 4) -> list[tuple[int, str | None, str | None, bool]]:
    specs = [BatchSpec("", runs=(i,), batch_id=i) for i in range(n)]
    return execute(specs, whose_child, executor=executor, workers=2, progress=False, keep=True)


def _server_pid() -> int | None:
    return forkserver._forkserver._forkserver_pid


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch):
    """No fork server of ours before or after the test; the default start method."""
    monkeypatch.delenv(worker_start.START_METHOD_ENV, raising=False)
    monkeypatch.delenv("SCOSIM_TEST_MARK", raising=False)
    worker_start.stop()
    yield
    worker_start.stop()


def test_start_method_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(worker_start.START_METHOD_ENV, "Spawn ")
    assert worker_start.start_method() == "spawn"
    assert worker_start.method(4) == "spawn"
    monkeypatch.setenv(worker_start.START_METHOD_ENV, "threads")
    with pytest.raises(worker_start.StartMethodError,
                       match=r"SCOSIM_START_METHOD='threads'.*auto, forkserver, spawn"):
        worker_start.start_method()
    monkeypatch.delenv(worker_start.START_METHOD_ENV)
    expect = "forkserver" if sys.platform.startswith("linux") else "spawn"
    assert worker_start.start_method() == expect
    # one worker, the local executor and a remote cluster never use it
    assert worker_start.method(1) == "spawn"
    assert worker_start.local_workers("local", 4) == 0
    assert worker_start.local_workers("dask", 4, "tcp://h:8786") == 0
    assert worker_start.local_workers("dask", None) == 2


@linux_only
def test_process_workers_come_from_the_fork_server(fresh: None) -> None:
    got = _workers("process")
    server = _server_pid()
    assert server is not None and server != os.getpid()
    assert {ppid for ppid, *_ in got} == {server}
    # the server's environment keeps BLAS to one thread; it loaded the model and its data
    assert {blas for _, blas, _, _ in got} == {"1"}
    assert all(pre for *_, pre in got)
    # and the server is reused by the next pool
    assert {ppid for ppid, *_ in _workers("process")} == {server}


@linux_only
def test_changed_environment_falls_back_to_spawn(fresh: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert worker_start.start_early("process", 2)
    monkeypatch.setenv("SCOSIM_TEST_MARK", "set after the server started")
    assert worker_start.method(2) == "spawn"
    got = _workers("process")
    # spawned by this process, and they see the variable (the server's children would not)
    assert {ppid for ppid, *_ in got} == {os.getpid()}
    assert {mark for _, _, mark, _ in got} == {"set after the server started"}
    monkeypatch.delenv("SCOSIM_TEST_MARK")
    assert worker_start.method(2) == "forkserver"


def test_spawn_when_asked(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(worker_start.START_METHOD_ENV, "spawn")
    got = _workers("process")
    assert {ppid for ppid, *_ in got} == {os.getpid()}
    assert not any(pre for *_, pre in got)
    assert _server_pid() is None or not worker_start.start_early("process", 2)


@linux_only
def test_someone_elses_fork_server_is_not_used(fresh: None) -> None:
    ctx = mp.get_context("forkserver")
    forkserver.set_forkserver_preload([])
    p = ctx.Process(target=os.getpid)
    p.start()
    p.join()
    try:
        assert _server_pid() is not None
        assert worker_start.method(2) == "spawn"
        assert not worker_start.start_early("process", 2)
    finally:
        forkserver._forkserver._stop()


@linux_only
def test_dask_workers_come_from_the_fork_server(fresh: None) -> None:
    pytest.importorskip("distributed")
    got = _workers("dask")
    server = _server_pid()
    assert server is not None
    assert {ppid for ppid, *_ in got} == {server}
    assert {blas for _, blas, _, _ in got} == {"1"}


@pytest.mark.parametrize("method", ["spawn", "auto"])
def test_same_numbers_however_workers_start(fresh: None, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path, method: str) -> None:
    monkeypatch.setenv(worker_start.START_METHOD_ENV, method)
    kw = dict(replications=6, batch_size=2, progress=False, plots=False)
    ref = run(CU, out=tmp_path / "local", **kw)
    par = run(CU, out=tmp_path / "par", executor="process", workers=2, **kw)
    key = ["run", "year", "country", "indicator"]
    a = ref.indicators.sort_values(key).reset_index(drop=True)
    b = par.indicators.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_cli_refuses_an_unknown_start_method(tmp_path: Path) -> None:
    env = {**os.environ, worker_start.START_METHOD_ENV: "threads"}
    out = tmp_path / "runs"
    r = subprocess.run(
        [sys.executable, "-m", "scosim.cli", "run", str(CU), "--replications", "2",
         "--executor", "process", "--workers", "2", "--out", str(out), "--quiet"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert r.returncode == 2, r.stderr
    assert "SCOSIM_START_METHOD='threads'" in r.stderr and "allowed" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()


@linux_only
def test_cli_starts_the_server_before_the_model_is_imported(fresh: None,
                                                            tmp_path: Path) -> None:
    # The point of starting early: the server imports while this process does.
    code = (
        "import sys\n"
        "from scosim import worker_start\n"
        "seen = []\n"
        "real = worker_start._start\n"
        "def spy(**kw):\n"
        "    seen.append('scosim.runner' in sys.modules)\n"
        "    return real(**kw)\n"
        "worker_start._start = spy\n"
        "from scosim.cli import main\n"
        f"rc = main(['run', {str(CU)!r}, '--replications', '2', '--executor', 'process',\n"
        "            '--workers', '2', '--out', sys.argv[1], '--quiet', '--no-plots'])\n"
        "print(rc, seen)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                       text=True, timeout=180)
    last = r.stdout.strip().splitlines()[-1]
    # started once before the model was imported; later calls find it running
    assert last.startswith("0 [False"), (r.stdout, r.stderr)


@linux_only
def test_the_fork_server_runs_no_threads_of_its_own(fresh: None) -> None:
    # Forking is safe only if no thread of the server can hold a lock at the fork: it
    # may run jemalloc's background thread (pyarrow's allocator, fork-aware), nothing else.
    _workers("process", 2)
    server = _server_pid()
    assert server is not None
    tasks = Path(f"/proc/{server}/task")
    names = [(t / "comm").read_text().strip() for t in tasks.iterdir()]
    assert len([n for n in names if n != "jemalloc_bg_thd"]) == 1, names


@linux_only
def test_a_local_cluster_leaves_the_environment_as_it_was(fresh: None) -> None:
    # Dask's nannies write their pre-spawn variables into this process's environment;
    # left there, every later pool would be spawned (the environment differs from the
    # fork server's) and every later child would inherit them.
    pytest.importorskip("distributed")
    from scosim.experiments.dask_run import local_cluster

    before = dict(os.environ)
    cluster = local_cluster(2)
    cluster.close()
    assert dict(os.environ) == before
    assert worker_start.method(2, dask=True) == "forkserver"


@linux_only
@pytest.mark.parametrize("with_model", [True, False])
def test_the_fork_server_leaves_without_tearing_down(fresh: None,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path, with_model: bool) -> None:
    # Its teardown only delayed the client, which waits for it to exit. A handler
    # registered before the model's preload runs at the teardown, so it must not run;
    # without the model's preload (the control) it does.
    mark = tmp_path / "teardown-ran"
    monkeypatch.setenv("SCOSIM_TEST_EXIT_MARK", str(mark))
    # the server imports its preload from its own sys.path, which the environment sets
    here = str(Path(__file__).parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [here, os.environ.get(
        "PYTHONPATH")])))
    preload = ("_exit_mark", *worker_start.PRELOAD) if with_model else ("_exit_mark",)
    monkeypatch.setattr(worker_start, "PRELOAD", preload)
    got = _workers("process", 2)
    assert {ppid for ppid, *_ in got} == {_server_pid()}
    assert all(pre for *_, pre in got) == with_model
    worker_start.stop()
    assert mark.exists() != with_model


def test_importing_the_preload_elsewhere_keeps_the_normal_exit() -> None:
    # Only the fork server itself may leave early: any other importer (a user, a test)
    # keeps its own exit handlers.
    code = ("import atexit, scosim._worker_preload as w\n"
            "atexit.register(print, 'handler ran')\n"
            "print('server pid', w.SERVER_PID)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["server pid None", "handler ran"]


@linux_only
def test_compare_starts_the_server_only_when_it_runs(fresh: None, tmp_path: Path) -> None:
    """``scosim compare --executor process`` of two scenarios already run reuses the runs:
    the fork server the command line started on reading its arguments loaded the model
    for nothing (and stayed until exit). It starts when compare does run a scenario."""
    from scosim.cli import main

    base = ROOT / "scenarios" / "baseline.yaml"
    for sc in (CU, base):
        run(sc, replications=2, out=tmp_path / "done", progress=False, plots=False)
    assert _server_pid() is None
    args = ["compare", str(CU), str(base), "--replications", "2", "--executor", "process",
            "--workers", "2", "--quiet", "--plot-workers", "1"]
    assert main([*args, "--out", str(tmp_path / "done")]) == 0
    assert _server_pid() is None  # both runs reused: no worker was needed
    assert main([*args, "--out", str(tmp_path / "new")]) == 0
    assert _server_pid() is not None  # the runs made: their workers came from it
