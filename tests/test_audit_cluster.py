"""Ensembles on a Dask cluster as a user runs them: what must fail cleanly, and what must not.

Workers are processes in directories of their own (a ``LocalCluster`` with
``processes=True``, each worker moved into an empty temporary directory, as in
tests/test_executors_cluster.py), and for versions real ``dask worker`` processes
that import a *copy* of the package (a bumped ``__version__``, or an edited
calibration table) through ``PYTHONPATH``, as a worker with another installation
would. Each test here failed on the code before its fix; the docstrings say how.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import scosim
from scosim.cli import main
from scosim.experiments import executors as ex
from scosim.experiments.executors import BatchError, BatchSpec, ExecutorError, execute
from scosim.experiments.sweep import Outcome, ScenarioModelFn, evaluate, grid
from scosim.runner import VersionMismatch, check_versions, versions

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, list[Path]]]:
    """Two worker processes, each chdir'ed into its own empty directory."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cl, Client(cl) as client:
        dirs = []
        for i, addr in enumerate(sorted(client.scheduler_info()["workers"])):
            d = tmp_path_factory.mktemp(f"audit-worker{i}")
            client.run(os.chdir, str(d), workers=[addr])
            dirs.append(d)
        yield cl, client, dirs


def _scenario_in(dest: Path) -> str:
    """The fixture scenario (and the file it extends) next to the client only."""
    for name in ("small_cu.yaml", "small_base.yaml"):
        shutil.copy(FIXTURES / name, dest / name)
    return "small_cu.yaml"


# ---------------------------------------------------------------------------- sweeps


@pytest.mark.parametrize("crn", [True, False], ids=["common-random-numbers", "distinct-runs"])
def test_a_sweep_on_a_cluster_needs_no_copy_of_the_scenario(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crn: bool
) -> None:
    """Before: ScenarioModelFn sent the scenario's path, so every worker in another
    directory (or on another machine) failed with 'file not found'."""
    cl, _, dirs = cluster
    monkeypatch.chdir(tmp_path)
    scen = _scenario_in(tmp_path)
    # Committed members who stay, so the union forms and lasts and sigma moves welfare
    # (with none, every point differed only by rounding noise; since the India-Pakistan
    # suspension's recalibration, 2026-12-06, the union dissolved within the 4 years at
    # sigma 3 and 5).
    fn = ScenarioModelFn(scen, {"w": Outcome("welfare_change_pct", how="sum")},
                         overrides={"parameters.rules.vote": "always_yes",
                                    "parameters.rules.defect": "never_defect"},
                         replications=2, common_random_numbers=crn)
    design = grid({"parameters.trade.sigma": [3.0, 5.0, 7.0]})
    local = evaluate(fn, design, batch_size=1, progress=False)
    remote = evaluate(fn, design, batch_size=1, executor="dask",
                      scheduler=cl.scheduler_address, progress=False)
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
    # sigma moves the outcome: the points really ran
    assert local["w"].nunique() == 3 and (local["w"].abs() > 1e-3).all()
    assert all(not any(d.iterdir()) for d in dirs)


def test_a_plugin_missing_on_the_workers_is_named_as_theirs(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the error named the worker's temporary copy of the scenario
    (``/tmp/tmpab12cd/scenario.yaml:44: ...``), a file the user never saw."""
    from scosim.runner import run

    cl, _, _ = cluster
    (tmp_path / "audit_client_rules.py").write_text(
        "from scosim.rules.builtin import utility_vote\n\n\n"
        "def my_vote(*args, **kwargs):\n    return utility_vote(*args, **kwargs)\n")
    monkeypatch.syspath_prepend(str(tmp_path))  # the client has it, the workers do not
    monkeypatch.chdir(tmp_path)
    scen = _scenario_in(tmp_path)
    with (tmp_path / scen).open("a") as f:
        f.write("parameters:\n  rules: {vote: audit_client_rules:my_vote}\n")
    with pytest.raises(BatchError) as info:
        run(scen, out="res", executor="dask", scheduler=cl.scheduler_address, replications=2,
            progress=False, plots=False)
    msg = str(info.value)
    assert "the run's resolved scenario, as loaded on " in msg
    assert "plug-ins must be importable on every worker" in msg
    assert "module 'audit_client_rules' not found" in msg
    assert "/tmp" not in msg.split("plug-ins")[0], msg  # no temporary file named
    assert not (tmp_path / "res").exists()


def _count_attempt(spec: BatchSpec) -> int:
    """One line per attempt in the file ``spec.scenario_path``; the attempts so far."""
    with open(spec.scenario_path, "a") as f:
        f.write("attempt\n")
    return len(Path(spec.scenario_path).read_text().splitlines())


def fails_always(spec: BatchSpec) -> None:
    """A batch with a bug: the same error every time (module level: workers import it)."""
    _count_attempt(spec)
    raise ValueError("a bug in the model")


def fails_once(spec: BatchSpec) -> int:
    """A batch whose first attempt loses its connection (module level: workers import it)."""
    if _count_attempt(spec) == 1:
        raise ConnectionResetError("connection reset by peer")
    return spec.batch_id


def test_dask_runs_again_only_a_batch_that_may_pass(cluster: Any, tmp_path: Path) -> None:
    """Before: every error was retried DASK_RETRIES times, a bug in the model too (three
    times its run time before the run stopped); docs promise retries for lost workers
    and transient errors, as the process pool does."""
    cl, _, _ = cluster
    counter = tmp_path / "always.txt"
    with pytest.raises(BatchError, match="batch 3 failed: ValueError: a bug in the model"):
        execute([BatchSpec(str(counter), batch_id=3)], fails_always, executor="dask",
                scheduler=cl.scheduler_address, progress=False)
    assert counter.read_text().splitlines() == ["attempt"]
    counter = tmp_path / "once.txt"
    got = execute([BatchSpec(str(counter), batch_id=4)], fails_once, executor="dask",
                  scheduler=cl.scheduler_address, progress=False)
    assert got == [4]
    assert len(counter.read_text().splitlines()) == 2


def test_batches_a_worker_wrote_where_this_machine_cannot_see_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """Before: a worker on another machine without a shared file system wrote into the
    run directory *on its own disk*, and the run was published as complete with no
    tables at all (seen with a worker in its own mount namespace). The worker here
    writes its batch into a directory of its own, as such a worker does."""
    import scosim.runner as runner
    from scosim.results import write_batch_parts

    elsewhere = tmp_path / "worker-disk"
    real = runner.run_batch

    def its_own_disk(spec: BatchSpec) -> Any:
        out = real(dataclasses.replace(spec, out=""))
        where = str(elsewhere / Path(spec.out).relative_to(tmp_path))
        return write_batch_parts(where, spec.batch_id, {"indicators": out.indicators,
                                                        "events": out.events})

    monkeypatch.setattr(runner, "run_batch", its_own_disk)
    monkeypatch.chdir(tmp_path)
    code = main(["run", _scenario_in(tmp_path), "--replications", "2", "--no-plots",
                 "--quiet", "--out", str(tmp_path / "res")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "batch 0 was written by a worker to " in err and "which this machine does not see" in err
    assert "--out must be a file system mounted at the same path" in err
    assert not (tmp_path / "res").exists()  # nothing recorded, nothing published


def test_two_threads_loading_the_built_in_plugins_both_see_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the registry was marked loaded before its built-ins' module had run, so a
    second thread (a Dask worker with two threads, first two batches) found it empty:
    'unknown type 'customs_union'; allowed types: ..., customs_union, ...'."""
    from scosim.plugins import Registry

    (tmp_path / "audit_holder.py").write_text("REG = None\n")
    (tmp_path / "audit_slow_builtins.py").write_text(
        "import time\n\nimport audit_holder\n\ntime.sleep(0.5)  # a slow import\n"
        "audit_holder.REG.register('thing', 42)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import audit_holder  # type: ignore[import-not-found]

    reg: Registry[int] = Registry("thing", "scosim.audit-none", lambda obj, name: None,
                                  "audit_slow_builtins")
    monkeypatch.setattr(audit_holder, "REG", reg, raising=False)
    got: dict[int, Any] = {}

    def look(i: int) -> None:
        try:
            got[i] = reg.get("thing")
        except Exception as exc:  # noqa: BLE001  (the failure is the point)
            got[i] = exc

    threads = [threading.Thread(target=look, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.1)  # the second looks while the first is importing
    for t in threads:
        t.join(10)
    assert got == {0: 42, 1: 42}


@pytest.fixture
def two_thread_worker() -> Iterator[str]:
    """A fresh worker process with two threads: two batches load the model side by side."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                      dashboard_address=":0") as cl:
        yield cl.scheduler_address


def test_a_worker_with_two_threads_gives_the_local_numbers(
    two_thread_worker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scosim.runner import run

    monkeypatch.chdir(tmp_path)
    scen = _scenario_in(tmp_path)
    ref = run(scen, out="local", progress=False, plots=False, batch_size=1, replications=4)
    res = run(scen, out="res", executor="dask", scheduler=two_thread_worker, batch_size=1,
              replications=4, progress=False, plots=False)
    for table in ("indicators", "events"):
        for f in sorted((ref.path / table).glob("batch-*.parquet")):
            assert (res.path / table / f.name).read_bytes() == f.read_bytes(), f


# ---------------------------------------------------------------------------- versions


def _edited_tables(dest: Path) -> Path:
    """A copy of the packaged 2023 tables with one figure of countries.csv changed."""
    from scosim.data import calibration

    src = calibration.TABLES_DIR / "2023"
    out = dest / "tables"
    shutil.copytree(src, out / "2023")
    csv = out / "2023" / "countries.csv"
    text = csv.read_text()
    line = next(row for row in text.splitlines() if row.startswith("KAZ,"))
    fields = line.split(",")
    fields[4] = str(float(fields[4]) * 1.5)  # gdp_usd of Kazakhstan
    csv.write_text(text.replace(line, ",".join(fields)))
    return out


def test_an_edited_calibration_table_changes_the_data_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the data version was the string in the tables' manifest.json, which an
    edit of a table leaves as it was, so a worker with edited data ran the batch."""
    import scosim.experiments.versions as vmod
    from scosim.data import calibration

    clean = versions()
    assert ", edited" not in clean["data"]
    monkeypatch.setattr(calibration, "TABLES_DIR", _edited_tables(tmp_path))
    edited = versions()
    assert edited["package"] == clean["package"]
    assert edited["data"].startswith(clean["data"] + ", edited: countries.csv (sha256 ")
    with pytest.raises(VersionMismatch, match=r"data version .*edited: countries\.csv.* here, "
                       r".* on the client\. To fix: restore the edited calibration tables"):
        check_versions(clean)
    vmod._edited_in.cache_clear()
    monkeypatch.undo()
    assert versions() == clean


def test_a_run_on_edited_tables_records_them_in_its_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers' check named an edited table, but the run's own manifest (what scosim
    list, compare and a resume read) kept the clean version string of the tables'
    manifest.json: a run on other numbers looked like one on the packaged data."""
    import json

    import scosim.experiments.versions as vmod
    from scosim.data import calibration, load_calibration
    from scosim.runner import run

    clean = versions()["data"]
    monkeypatch.setattr(calibration, "TABLES_DIR", _edited_tables(tmp_path))
    load_calibration.cache_clear()
    try:
        res = run(tmp_path / _scenario_in(tmp_path), out=tmp_path / "res", progress=False,
                  plots=False, overrides={"replications": 2})
        recorded = json.loads((Path(res.path) / "manifest.json").read_text())["data_version"]
    finally:
        monkeypatch.undo()
        load_calibration.cache_clear()
        vmod._edited_in.cache_clear()
    assert recorded.startswith(clean + ", edited: countries.csv (sha256 ")
    assert versions()["data"] == clean


def _package_copy(dest: Path, kind: str) -> Path:
    """A copy of the installed package with another version or an edited table."""
    root = dest / f"pkg-{kind}"
    shutil.copytree(Path(scosim.__file__).parent, root / "scosim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    if kind == "package":
        init = root / "scosim" / "__init__.py"
        init.write_text(init.read_text().replace(
            f'__version__ = "{scosim.__version__}"', '__version__ = "0.0.0-other"'))
    else:
        tables = root / "scosim" / "data" / "tables"
        shutil.rmtree(tables / "2023")
        shutil.copytree(_edited_tables(dest) / "2023", tables / "2023")
    return root


@pytest.fixture(params=["package", "data"])
def odd_cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A cluster of one good worker and one ``dask worker`` importing an odd copy."""
    from distributed import Client, LocalCluster

    kind = request.param
    pkg = _package_copy(tmp_path, kind)
    wdir = tmp_path / "odd-worker"
    wdir.mkdir()
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cl, Client(cl) as client:
        env = {**os.environ, "PYTHONPATH": str(pkg)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", cl.scheduler_address,
             "--nthreads", "1", "--no-nanny", "--no-dashboard"],
            cwd=wdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client.wait_for_workers(2, timeout=120)
            yield kind, cl.scheduler_address
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_a_cluster_with_a_worker_of_another_version_is_refused_before_any_batch(
    odd_cluster: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Before: Dask ran a refused batch again on another worker, so the run finished or
    failed as the retries fell (a bumped version); a worker with an edited table was
    not refused at all and its batches were mixed into the run."""
    kind, address = odd_cluster
    monkeypatch.chdir(tmp_path)
    scen = _scenario_in(tmp_path)
    code = main(["run", scen, "--replications", "8", "--batch-size", "2", "--no-plots",
                 "--quiet", "--executor", "dask", "--scheduler", address, "--out", "res"])
    err = capsys.readouterr().err
    assert code == 2, err
    # one line, and the note every stopped run gets (scosim.run_stop): nothing kept
    assert "Traceback" not in err, err
    assert err.strip().splitlines()[1:] == ["  no batch had finished, so nothing was kept"], err
    assert "1 of the 2 workers" in err and "nothing was run" in err
    said = ("package version '0.0.0-other' on the worker" if kind == "package"
            else "edited: countries.csv")
    assert said in err
    assert not (tmp_path / "res").exists()


# ---------------------------------------------------------------------------- addresses


class _Listener:
    """A TCP port that accepts connections and then says nothing, or ``reply``."""

    def __init__(self, reply: bytes = b"") -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.reply = reply
        self.address = f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.reply:
                conn.sendall(self.reply)

    def close(self) -> None:
        for c in [*self.conns, self.sock]:
            c.close()


def _run_bounded(args: list[str], limit: float) -> tuple[int | None, float]:
    """``main(args)`` in a thread; its exit code (None if still running) and time taken."""
    got: dict[str, int] = {}
    t0 = time.monotonic()
    thread = threading.Thread(target=lambda: got.setdefault("code", main(args)), daemon=True)
    thread.start()
    thread.join(limit)
    return got.get("code"), time.monotonic() - t0


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (b"", "something accepts connections there but says nothing"),
        (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 4,
         "answers, but not as a Dask scheduler"),
    ],
    ids=["silent", "other-protocol"],
)
def test_an_address_where_no_scheduler_answers_is_a_bounded_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    reply: bytes, said: str,
) -> None:
    """Before: a silent listener (a web server, the dashboard's port) hung the run for
    ever (Dask bounds the connection, not the handshake after it), and a listener of
    another protocol ended in a traceback (MemoryError: 3 EiB for a frame)."""
    monkeypatch.setattr(ex, "DASK_CONNECT_TIMEOUT", 2.0)
    monkeypatch.chdir(tmp_path)
    listener = _Listener(reply)
    try:
        code, took = _run_bounded(
            ["run", _scenario_in(tmp_path), "--replications", "2", "--no-plots", "--quiet",
             "--executor", "dask", "--scheduler", listener.address, "--out", "res"], 40.0)
    finally:
        listener.close()
    err = capsys.readouterr().err
    assert code == 2, (code, took, err)
    assert took < 15.0
    assert "Traceback" not in err and said in err and listener.address in err, err
    assert not (tmp_path / "res").exists()


def test_a_workers_address_given_as_the_scheduler_is_named(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Before: given a worker's address, the run waited for ever."""
    _, client, _ = cluster
    worker = sorted(client.scheduler_info()["workers"])[0]
    monkeypatch.chdir(tmp_path)
    code, _ = _run_bounded(
        ["run", _scenario_in(tmp_path), "--replications", "2", "--no-plots", "--quiet",
         "--executor", "dask", "--scheduler", worker, "--out", "res"], 60.0)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "answers as a Dask Worker, not a scheduler" in err and "Traceback" not in err
    assert not (tmp_path / "res").exists()


def test_the_probe_accepts_a_real_scheduler(cluster: Any) -> None:
    from scosim.experiments.dask_run import probe_scheduler

    cl, _, _ = cluster
    probe_scheduler(cl.scheduler_address, 10.0)  # no error
    with pytest.raises(ExecutorError, match="is not a Dask address"):
        probe_scheduler("127.0.0.1:87x6", 2.0)


def test_losing_the_scheduler_mid_run_is_one_line_and_leaves_nothing_unfinished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """Before: Dask's FuturesCancelledError ('scheduler-connection-lost') went out of
    scosim run as a traceback, after the client had logged tracebacks of its own."""
    from distributed import LocalCluster

    monkeypatch.chdir(tmp_path)
    scen = _scenario_in(tmp_path)
    # No workers: the batches wait on the scheduler until it stops under them.
    cl = LocalCluster(n_workers=0, processes=True, dashboard_address=":0")
    timer = threading.Timer(3.0, cl.close)
    timer.start()
    try:
        code, took = _run_bounded(
            ["run", scen, "--replications", "4", "--batch-size", "2", "--no-plots", "--quiet",
             "--executor", "dask", "--scheduler", cl.scheduler_address, "--out", "res"], 60.0)
    finally:
        timer.join()
        cl.close()
    err = capsys.readouterr().err
    assert code == 2, (code, took, err)
    warning, error, *note = err.strip().splitlines()
    assert note == ["  no batch had finished, so nothing was kept"]  # as every stopped run
    assert warning == (f"scosim: warning: the Dask scheduler at {cl.scheduler_address} has no "
                       "workers: the batches wait until some join (start them with `dask "
                       f"worker {cl.scheduler_address}`)")
    assert error.startswith("scosim: error: lost the connection to the Dask scheduler at ")
    assert "Traceback" not in err
    assert not (tmp_path / "res").exists()  # no batch had finished: nothing to resume


# ---------------------------------------------------------------------------- stores


@pytest.mark.parametrize("creds", [False, True], ids=["no-credentials", "no-endpoint"])
def test_an_object_store_that_cannot_be_reached_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    creds: bool,
) -> None:
    """Before: botocore's NoCredentialsError and EndpointConnectionError (not OSErrors)
    went out of ``scosim run --out s3://...`` as tracebacks with exit status 1."""
    s3fs = pytest.importorskip("s3fs")
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
              "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-role lookup
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    if creds:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    s3fs.S3FileSystem.clear_instance_cache()
    monkeypatch.chdir(tmp_path)
    scen = _scenario_in(tmp_path)
    try:
        code = main(["run", scen, "--replications", "2", "--no-plots", "--quiet",
                     "--out", "s3://bucket/results"])
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err, err
    assert err.startswith("scosim: error: --out s3://bucket/results: cannot write a run there")
    assert ("NoCredentialsError" if not creds else "EndpointConnectionError") in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small_base.yaml", "small_cu.yaml"]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_local_out_that_cannot_be_created_names_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """Before: '[Errno 2] No such file or directory: '/proc/scosim-out'', naming no option."""
    monkeypatch.chdir(tmp_path)
    code = main(["run", _scenario_in(tmp_path), "--replications", "2", "--no-plots",
                 "--quiet", "--out", "/proc/scosim-out"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.strip() == ("scosim: error: --out /proc/scosim-out: cannot write a run there "
                           "(No such file or directory: /proc/scosim-out)")
