"""The LocalCluster that execute() starts: its workers' environment, and the client's left alone."""

from __future__ import annotations

import os

import pytest

from scosim.experiments import BatchSpec, execute

pytest.importorskip("distributed")

WATCHED = ("MALLOC_TRIM_THRESHOLD_", "OPENBLAS_NUM_THREADS", "PYTHONHASHSEED")


def worker_settings(spec: BatchSpec) -> dict:
    """What a worker process started with. Module level: workers import it by name."""
    import os

    import dask

    return {
        "env": {k: os.environ.get(k) for k in WATCHED},
        "profile": dask.config.get("distributed.worker.profile.enabled"),
    }


def test_local_cluster_workers_keep_glibc_malloc_defaults_and_one_blas_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for k in WATCHED:
        monkeypatch.delenv(k, raising=False)
    before = dict(os.environ)
    [got] = execute([BatchSpec("", runs=(0,))], worker_settings, executor="dask", workers=1,
                    progress=False)
    # Dask's default MALLOC_TRIM_THRESHOLD_=65536 turns off glibc's adaptive mmap
    # threshold (every large temporary array mapped afresh): not in our workers.
    assert got["env"]["MALLOC_TRIM_THRESHOLD_"] is None
    assert got["env"]["OPENBLAS_NUM_THREADS"] == "1"
    assert got["profile"] is False
    # The nanny writes its spawn environment into the client's os.environ: undone,
    # so processes this program starts later do not inherit it.
    assert dict(os.environ) == before


def test_a_malloc_setting_the_user_made_is_passed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    [got] = execute([BatchSpec("", runs=(0,))], worker_settings, executor="dask", workers=1,
                    progress=False)
    assert got["env"]["MALLOC_TRIM_THRESHOLD_"] == "1000000"
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == "1000000"
