"""Runs written to an object store (``--out s3://...``): a real S3 protocol on localhost.

moto's threaded server speaks the S3 HTTP API on a local port; s3fs talks to it
through ``AWS_ENDPOINT_URL``, which worker processes inherit, so workers write
their own batch tables there as they would to a bucket on a cluster. A few
checks of leases and bad URLs use fsspec's ``memory://`` store (this process
only), which needs no server.

Tables are read back with pyarrow through fsspec directly, so that these tests
do not depend on the readers (tests/test_result_urls.py checks those on URLs).
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from scosim.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL_BASE = FIXTURES / "model" / "small_base.yaml"
KW = {"replications": 8, "batch_size": 4, "progress": False}


@pytest.fixture(scope="module")
def s3():
    """A bucket on a local S3 server; yields the s3fs file system."""
    server_mod = pytest.importorskip("moto.server")
    s3fs = pytest.importorskip("s3fs")
    with pytest.MonkeyPatch.context() as mp:
        for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_DEFAULT_REGION": "us-east-1"}.items():
            mp.setenv(k, v)
        server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        mp.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
        s3fs.S3FileSystem.clear_instance_cache()
        fs = s3fs.S3FileSystem()
        fs.mkdir("scosim-test")
        try:
            yield fs
        finally:
            s3fs.S3FileSystem.clear_instance_cache()
            server.stop()


@pytest.fixture
def mem():
    """A fresh memory:// store; yields (file system, a results root URL)."""
    import fsspec

    root = f"memory://scosim-{time.monotonic_ns()}/results"
    fs, path = fsspec.core.url_to_fs(root)
    yield fs, root
    if fs.exists(path):
        fs.rm(path, recursive=True)


def _manifest(fs, path: str) -> dict:
    return json.loads(fs.cat_file(f"{path}/manifest.json"))


def _frame(data: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(data))


def _path(url: str) -> str:
    """The path of a URL on its file system."""
    import fsspec

    return fsspec.core.url_to_fs(url)[1]


def test_a_run_to_s3_with_worker_processes_equals_the_local_run(s3, tmp_path):
    from scosim.runner import run

    local = run(SMALL_BASE, out=tmp_path, executor="local", **KW)
    remote = run(SMALL_BASE, out="s3://scosim-test/results", executor="process", workers=2, **KW)
    assert remote.path == f"s3://scosim-test/results/small_base/{remote.manifest['run_id']}"
    path = _path(str(remote.path))
    m = _manifest(s3, path)
    assert m["status"] == "complete" and m["batches"] == [0, 1]
    assert m["scenario_hash"] == local.manifest["scenario_hash"]
    names = {f.removeprefix(path + "/") for f in s3.find(path)}
    assert names == {
        "manifest.json", "scenario.yaml", "summary.csv", "plots/gdp_paths.png",
        *(f"{t}/batch-0000{b}.parquet" for t in ("indicators", "events") for b in (0, 1)),
    }  # no lease left behind in a complete run
    for name in sorted(names - {"manifest.json", "plots/gdp_paths.png"}):
        got = s3.cat_file(f"{path}/{name}")
        want = (local.path / name).read_bytes()
        assert got == want, name  # byte for byte: tables, resolved scenario, summary
        if name.endswith(".parquet"):
            pd.testing.assert_frame_equal(_frame(got), pd.read_parquet(local.path / name))
    assert s3.cat_file(f"{path}/plots/gdp_paths.png")[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_interrupted_s3_run_is_never_taken_for_complete_and_resumes(
    s3, tmp_path, monkeypatch, capsys, count_batches,
):
    import scosim.runner as runner
    from scosim.store_runs import lease_state, store_catalogue_rows

    root = "s3://scosim-test/interrupted"
    real = runner.run_batch
    count_batches(fail_on_call=2)
    with pytest.raises(KeyboardInterrupt):
        runner.run(SMALL_BASE, out=root, plots=False, **KW)
    (row,) = store_catalogue_rows(root)
    assert row["status"] == "interrupted"
    assert main(["list", "--out", root]) == 0
    assert "interrupted" in capsys.readouterr().out
    path = _path(row["path"])
    m = _manifest(s3, path)
    assert m["status"] == "running" and m["batches"] == [0]
    assert lease_state(s3, path) == "released"
    # The reader of local directories does not take the URL for a finished run either.
    from scosim.result_tables import open_result

    with pytest.raises((FileNotFoundError, ValueError)):
        open_result(row["path"])

    ran: list[int] = []

    def counting(spec):
        ran.append(spec.batch_id)
        return real(spec)

    monkeypatch.setattr(runner, "run_batch", counting)
    res = runner.run(SMALL_BASE, out=root, plots=False, **KW)
    assert ran == [1]  # batch 0 was kept
    assert res.manifest["resumed"] is True and res.path == row["path"]
    assert [r["status"] for r in store_catalogue_rows(root)] == ["complete"]
    monkeypatch.setattr(runner, "run_batch", real)
    whole = runner.run(SMALL_BASE, out=tmp_path, plots=False, **KW)
    for table in ("indicators", "events"):
        for b in (0, 1):
            name = f"{table}/batch-0000{b}.parquet"
            assert s3.cat_file(f"{path}/{name}") == (whole.path / name).read_bytes()


def test_a_live_lease_is_left_alone_and_an_expired_one_is_taken_over(
    mem, monkeypatch, capsys, count_batches,
):
    import scosim.runner as runner
    import scosim.store_runs as store

    fs, root = mem
    count_batches(fail_on_call=2)
    with pytest.raises(KeyboardInterrupt):
        runner.run(SMALL_BASE, out=root, plots=False, **KW)
    monkeypatch.undo()
    (row,) = store.store_catalogue_rows(root)
    path = _path(row["path"])
    # Another process is writing it: a newer lease, renewed just now.
    lease = {"owner": "other", "host": "elsewhere", "pid": 1, "released": False,
             "renewed_unix": time.time()}
    fs.pipe_file(f"{path}/_lease/00001.json", json.dumps(lease).encode())
    assert [r["status"] for r in store.store_catalogue_rows(root)] == ["running"]
    separate = runner.run(SMALL_BASE, out=root, plots=False, **{**KW, "progress": True})
    assert not separate.manifest["resumed"] and separate.path != row["path"]
    assert "an identical run is in progress" in capsys.readouterr().err
    assert _manifest(fs, path)["status"] == "running"  # left alone
    # That process was killed: its lease was not renewed for longer than the timeout.
    lease["renewed_unix"] = time.time() - store.LEASE_TIMEOUT - 1
    fs.pipe_file(f"{path}/_lease/00001.json", json.dumps(lease).encode())
    resumed = runner.run(SMALL_BASE, out=root, plots=False, **KW)
    assert resumed.manifest["resumed"] is True and resumed.path == row["path"]
    statuses = {r["path"]: r["status"] for r in store.store_catalogue_rows(root)}
    assert statuses == {row["path"]: "complete", str(separate.path): "complete"}


def test_a_writer_whose_run_was_taken_over_stops(mem, monkeypatch):
    import scosim.store_runs as store
    from scosim.results import BatchManifest, RunInProgress

    fs, root = mem
    base = _path(root)
    first = store.StoreRunWriter(fs, base, "sc", "r1", {"scenario": "sc"})
    try:
        first.record_batch(BatchManifest(0, {}, {}))
        monkeypatch.setattr(store, "LEASE_TIMEOUT", 0.0)  # the first one counts as dead
        assert store.find_resumable_store(fs, base, "sc", {"scenario": "sc"}) == [first.path]
        second = store.StoreRunWriter(fs, base, "sc", "r1", {}, resume_path=first.path)
        assert second.done_batches == {0}
        with pytest.raises(RunInProgress, match="taken over by another process"):
            first.record_batch(BatchManifest(1, {}, {}))
        # Of two processes resuming at once (both saw lease 0 as the newest), one
        # wins: the next lease number is created exclusively.
        seen = store._leases(fs, first.path)[:1]
        monkeypatch.setattr(store, "_leases", lambda *a: seen)
        with pytest.raises(RunInProgress):
            store.StoreRunWriter(fs, base, "sc", "r1", {}, resume_path=first.path)
        monkeypatch.undo()
        second.record_batch(BatchManifest(1, {}, {}))
        second.publish()
        assert _manifest(fs, first.path)["batches"] == [0, 1]
    finally:
        first.release()


def test_a_live_writer_renews_its_lease(mem, monkeypatch):
    import scosim.store_runs as store

    fs, root = mem
    monkeypatch.setattr(store, "LEASE_RENEW", 0.05)
    monkeypatch.setattr(store, "LEASE_TIMEOUT", 1.0)
    writer = store.StoreRunWriter(fs, _path(root), "sc", "r1", {})
    try:
        time.sleep(1.5)  # longer than the timeout: only renewals keep it live
        assert store.lease_state(fs, writer.path) == "live"
    finally:
        writer.release()
    assert store.lease_state(fs, writer.path) == "released"
    assert writer._thread is None


def test_an_existing_run_is_never_overwritten(mem, monkeypatch):
    import scosim.runner as runner
    import scosim.store_runs as store

    fs, root = mem
    base = _path(root)
    with pytest.raises(FileExistsError):
        fs.pipe_file(f"{base}/sc/taken/manifest.json", b'{"status": "complete"}')
        store.StoreRunWriter(fs, base, "sc", "taken", {})
    assert fs.cat_file(f"{base}/sc/taken/manifest.json") == b'{"status": "complete"}'
    monkeypatch.setattr(runner, "_run_id", lambda *a: "fixed")
    fs.pipe_file(f"{base}/small_base/fixed/manifest.json", b'{"status": "complete"}')
    res = runner.run(SMALL_BASE, out=root, plots=False, **KW)
    assert res.manifest["run_id"] == "fixed-2"
    assert fs.cat_file(f"{base}/small_base/fixed/manifest.json") == b'{"status": "complete"}'


def test_a_run_that_fails_before_any_batch_leaves_nothing_in_the_store(
    mem, monkeypatch, capsys,
):
    import scosim.runner as runner

    fs, root = mem

    def broken(spec):
        raise RuntimeError("model blew up")

    monkeypatch.setattr(runner, "run_batch", broken)
    code = main(["run", str(SMALL_BASE), "--out", root, "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "batch 0 failed: RuntimeError: model blew up" in err
    assert not fs.exists(_path(root)) or not fs.find(
        _path(root))


def _user_error(capsys, code: int) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and err.startswith("scosim: error: --out "), err
    return err


@pytest.mark.parametrize(
    ("url", "executor", "said"),
    [
        ("nosuch://bucket/results", "local", "Protocol not known: nosuch"),
        ("s3://", "local", "names no bucket"),
        ("memory://results", "process", "worker processes of --executor process cannot"),
    ],
)
def test_bad_out_urls_are_clean_errors_and_write_nothing(
    tmp_path, monkeypatch, capsys, url, executor, said,
):
    monkeypatch.chdir(tmp_path)
    code = main(["run", str(SMALL_BASE), "--out", url, "--executor", executor, "--quiet"])
    err = _user_error(capsys, code)
    assert said in err and "s3://bucket/path" in err
    assert list(tmp_path.iterdir()) == []


def test_s3_without_s3fs_names_the_package(tmp_path, monkeypatch, capsys):
    import importlib

    registry = importlib.import_module("fsspec.registry")._registry  # classes imported so far
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "s3fs", None)  # as if it were not installed
    monkeypatch.delitem(registry, "s3", raising=False)
    code = main(["run", str(SMALL_BASE), "--out", "s3://bucket/results", "--quiet"])
    err = _user_error(capsys, code)
    assert "s3:// file system is not installed" in err and "s3fs" in err
    assert list(tmp_path.iterdir()) == []


def test_a_missing_bucket_is_a_clean_error(s3, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(["run", str(SMALL_BASE), "--out", "s3://no-such-bucket/results", "--quiet"])
    err = _user_error(capsys, code)
    assert "cannot write a run there" in err
    assert list(tmp_path.iterdir()) == [] and not s3.exists("no-such-bucket")


def test_compare_and_sweep_refuse_an_object_store_root():
    import scosim.api as api

    with pytest.raises(ValueError, match="--out s3://b/r: scosim compare reads and writes a local"):
        api.compare_runs("a", "b", out="s3://b/r")
    with pytest.raises(ValueError, match="--out s3://b/r: scosim sweep"):
        api.sweep(str(SMALL_BASE), {"parameters.trade.sigma": (3.0, 5.0)}, ["gdp_usd:KAZ"],
                  out="s3://b/r")


def test_the_cli_prints_the_runs_url_and_its_plots(mem, capsys):
    from scosim.store_runs import store_catalogue_rows

    fs, root = mem
    assert main(["run", str(SMALL_BASE), "--out", root, "--replications", "4", "--quiet"]) == 0
    out = capsys.readouterr().out
    (row,) = store_catalogue_rows(root)
    assert f"results: {row['path']}" in out
    assert f"plot: {row['path']}/plots/gdp_paths.png" in out
    assert fs.exists(f"{_path(row['path'])}/plots/gdp_paths.png")


def test_discard_leaves_a_run_another_process_took_over_alone(mem, monkeypatch):
    import scosim.store_runs as store

    fs, root = mem
    base = _path(root)
    first = store.StoreRunWriter(fs, base, "sc", "r1", {"scenario": "sc"})
    monkeypatch.setattr(store, "LEASE_TIMEOUT", 0.0)  # the first writer stalled: counts as dead
    second = store.StoreRunWriter(fs, base, "sc", "r1", {}, resume_path=first.path)
    monkeypatch.undo()
    try:
        # The stalled writer fails before any batch without having noticed the takeover.
        first.discard()
        assert _manifest(fs, first.path)["status"] == "running"  # the run is still there
        assert [p.rsplit("/", 1)[-1] for p in store._leases(fs, first.path)] == [
            "00000.json", "00001.json"]
        assert store.lease_state(fs, first.path) == "live"  # second's lease, untouched
        second.publish()
        assert _manifest(fs, first.path)["status"] == "complete"
    finally:
        second.release()


def test_a_failed_set_up_leaves_no_lease_behind(mem, monkeypatch):
    import scosim.store_runs as store
    from scosim.results import RunInProgress

    fs, root = mem
    base = _path(root)

    # A new run whose first manifest cannot be written: its run id stays free.
    def no_manifest(self):
        raise OSError("store went away")

    with monkeypatch.context() as mp:
        mp.setattr(store.StoreRunWriter, "_write_manifest", no_manifest)
        with pytest.raises(OSError, match="store went away"):
            store.StoreRunWriter(fs, base, "sc", "r1", {})
    assert not fs.exists(f"{base}/sc/r1")
    writer = store.StoreRunWriter(fs, base, "sc", "r1", {})  # not FileExistsError
    writer.release()

    # A resume that finds no readable manifest takes its new lease back.
    path = f"{base}/sc/r2"
    lease = {"owner": "gone", "released": True, "renewed_unix": time.time()}
    fs.pipe_file(f"{path}/_lease/00000.json", json.dumps(lease).encode())
    fs.pipe_file(f"{path}/manifest.json", b"{not json")
    with pytest.raises(RunInProgress, match="no readable manifest"):
        store.StoreRunWriter(fs, base, "sc", "r2", {}, resume_path=path)
    assert [p.rsplit("/", 1)[-1] for p in store._leases(fs, path)] == ["00000.json"]
    assert store.lease_state(fs, path) == "released"


@pytest.mark.parametrize("where", ["local", "s3"])
@pytest.mark.parametrize("content", [b"", b'{"owner": "other", "renew'])
def test_an_unreadable_lease_ages_by_its_modification_time(request, tmp_path, where, content):
    import fsspec

    import scosim.store_runs as store

    if where == "s3":
        fs = request.getfixturevalue("s3")
        base = f"scosim-test/unreadable-{time.monotonic_ns()}"
    else:
        fs, base = fsspec.core.url_to_fs(f"file://{tmp_path}/results")
    path = f"{base}/sc/r1"
    fs.makedirs(f"{path}/_lease", exist_ok=True)  # a local fs does not make them itself
    fs.pipe_file(f"{path}/manifest.json", json.dumps({"status": "running"}).encode())
    # A lease being written (created empty first) or a half-written one: its
    # writer is alive, so the run is neither expired nor resumable.
    fs.pipe_file(f"{path}/_lease/00000.json", content)
    assert store.lease_state(fs, path) == "live"
    assert store.find_resumable_store(fs, base, "sc", {}) == []
    assert store.find_resumable_store(fs, base, "sc", {}, include_live=True) == [path]
    # Not rewritten for longer than the timeout: abandoned after all.
    later = time.time() + store.LEASE_TIMEOUT + 5
    assert store.lease_state(fs, path, now=later) == "expired"
