"""Executors: batching, ordering, callbacks, errors, interrupts and determinism across executors."""

from __future__ import annotations

import multiprocessing as mp
import pickle
import time
import zlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scosim.experiments import BatchError, BatchOutput, BatchSpec, execute, make_batches

YEARS = (2025, 2026, 2027)
COUNTRIES = ("CHN", "KAZ", "RUS")


def toy_batch(spec: BatchSpec) -> BatchOutput:
    """A synthetic batched model: random streams keyed by (seed, run, mechanism).

    Module level so that spawned workers (process pool, Dask) can import it.
    """
    seed = int(spec.overrides.get("seed", 0))
    scale = np.asarray(spec.params.get("scale", (1.0,) * spec.size))
    rows = []
    events = []
    for k, run in enumerate(spec.runs):
        mech = zlib.crc32(b"trade")
        rng = np.random.default_rng(np.random.SeedSequence([seed, run, mech]))
        shocks = rng.normal(size=(len(YEARS), len(COUNTRIES)))
        level = np.cumsum(shocks, axis=0) * scale[k]
        for t, y in enumerate(YEARS):
            for c, country in enumerate(COUNTRIES):
                rows.append((run, y, country, "gdp", float(level[t, c])))
        events.append((run, YEARS[-1], "vote", "CHN", f"p{run}"))
    return BatchOutput(
        indicators=pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"]),
        events=pd.DataFrame(events, columns=["run", "year", "type", "country", "proposal"]),
    )


def failing_batch(spec: BatchSpec) -> int:
    if spec.batch_id == 2:
        raise ValueError("boom in the model")
    return spec.batch_id


def slow_first(spec: BatchSpec) -> int:
    # Batch 0 finishes last under a pool: return order must still follow the specs.
    if spec.batch_id == 0:
        time.sleep(0.5)
    return spec.batch_id * 10


def identity_runs(spec: BatchSpec) -> tuple[int, ...]:
    return spec.runs


def blas_threads_env(spec: BatchSpec) -> str | None:
    """The BLAS thread setting a worker process started with."""
    import os

    return os.environ.get("OPENBLAS_NUM_THREADS")


def specs_for(n_runs: int, batch_size: int, seed: int = 7) -> list[BatchSpec]:
    return [
        BatchSpec("toy.yaml", {"seed": seed}, runs, {}, b)
        for b, runs in enumerate(make_batches(n_runs, batch_size))
    ]


def concat(outputs: list[BatchOutput]) -> pd.DataFrame:
    return pd.concat([o.indicators for o in outputs], ignore_index=True)


# ----------------------------------------------------------------------------- batching


@given(st.integers(0, 500), st.integers(1, 64))
def test_make_batches_covers_every_run_once_in_order(n_runs, batch_size):
    batches = make_batches(n_runs, batch_size)
    flat = [r for b in batches for r in b]
    assert flat == list(range(n_runs))
    assert all(1 <= len(b) <= batch_size for b in batches)
    assert all(len(b) == batch_size for b in batches[:-1])


def test_make_batches_rejects_bad_sizes():
    with pytest.raises(ValueError, match="batch_size"):
        make_batches(10, 0)
    with pytest.raises(ValueError, match="n_runs"):
        make_batches(-1, 5)


def test_batch_spec_checks_params_alignment_and_pickles():
    with pytest.raises(ValueError, match="aligned with runs"):
        BatchSpec("s.yaml", {}, (0, 1, 2), {"x": (1.0, 2.0)}, 4)
    with pytest.raises(ValueError, match="duplicate"):
        BatchSpec("s.yaml", {}, (0, 0), {}, 0)
    spec = BatchSpec("s.yaml", {"a.b": 1}, (3, 4), {"x": (1.0, 2.0)}, 9)
    assert pickle.loads(pickle.dumps(spec)) == spec
    with pytest.raises(AttributeError):
        spec.batch_id = 3  # frozen


def test_batch_output_validate_names_missing_columns():
    out = BatchOutput(indicators=pd.DataFrame({"run": [0]}))
    with pytest.raises(ValueError, match="indicators.*year"):
        out.validate()
    assert BatchOutput().validate().indicators.empty


# ----------------------------------------------------------------------------- local


def test_local_returns_in_spec_order_and_calls_on_result_per_batch():
    specs = specs_for(10, 3)
    seen = []
    out = execute(specs, identity_runs, on_result=lambda s, r: seen.append((s.batch_id, r)))
    assert out == [s.runs for s in specs]
    assert sorted(seen) == [(s.batch_id, s.runs) for s in specs]


def test_keep_false_returns_nothing_but_delivers_everything():
    specs = specs_for(10, 2)
    seen = []
    out = execute(specs, identity_runs, keep=False, on_result=lambda s, r: seen.append(r))
    assert out == []
    assert sorted(seen) == [s.runs for s in specs]


def test_empty_specs_and_bad_arguments():
    assert execute([], identity_runs) == []
    with pytest.raises(ValueError, match="unknown executor"):
        execute(specs_for(2, 1), identity_runs, executor="threads")
    dup = [BatchSpec("s", {}, (0,), {}, 1), BatchSpec("s", {}, (1,), {}, 1)]
    with pytest.raises(ValueError, match="unique"):
        execute(dup, identity_runs)


@pytest.mark.parametrize("executor", ["local", "process", "dask"])
@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_workers_below_one_are_refused_in_the_api_as_on_the_command_line(
    executor: str, workers: object
) -> None:
    # The command line refuses them at parsing; through the API the pool said
    # "max_workers must be greater than 0" (or Dask started a cluster of none).
    with pytest.raises(ValueError, match=r"workers must be a whole number >= 1"):
        execute(specs_for(2, 1), identity_runs, executor=executor, workers=workers)


def test_local_error_names_the_batch_and_chains_the_cause():
    with pytest.raises(BatchError, match="batch 2 failed: ValueError: boom") as info:
        execute(specs_for(10, 2), failing_batch)
    assert info.value.batch_id == 2
    assert isinstance(info.value.__cause__, ValueError)


def test_local_keyboard_interrupt_is_not_wrapped():
    def interrupt(spec):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(specs_for(4, 2), interrupt)


def test_runs_do_not_depend_on_batching():
    # Streams are keyed by run, not by batch: re-batching changes nothing.
    a = concat(execute(specs_for(12, 1), toy_batch, progress=False))
    b = concat(execute(specs_for(12, 5), toy_batch, progress=False))
    pd.testing.assert_frame_equal(a, b)
    # ...and a different seed does change the draws.
    c = concat(execute(specs_for(12, 5, seed=8), toy_batch, progress=False))
    assert not np.allclose(a["value"], c["value"])


def test_progress_bar_off_a_terminal_is_harmless():
    out = execute(specs_for(4, 2), identity_runs, progress=True)
    assert len(out) == 2


# ----------------------------------------------------------------------------- process pool


def test_process_pool_keeps_spec_order():
    specs = specs_for(8, 2)
    assert execute(specs, slow_first, executor="process", workers=2) == [0, 10, 20, 30]


def test_process_error_names_the_batch():
    with pytest.raises(BatchError, match="batch 2 failed") as info:
        execute(specs_for(10, 2), failing_batch, executor="process", workers=2)
    assert info.value.batch_id == 2


def test_process_pool_is_shut_down_on_keyboard_interrupt():
    def stop(spec, result):
        raise KeyboardInterrupt

    before = set(mp.active_children())
    with pytest.raises(KeyboardInterrupt):
        execute(specs_for(20, 1), slow_first, executor="process", workers=2, on_result=stop)
    # The pool's worker processes are gone (terminated and joined), nothing left running.
    # Process exit is asynchronous on a loaded machine: allow it a bounded time.
    deadline = time.monotonic() + 20
    while not set(mp.active_children()) <= before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(mp.active_children()) <= before


# ----------------------------------------------------------------------------- determinism


def test_same_specs_same_outputs_local_process_dask():
    specs = specs_for(9, 4)
    local = execute(specs, toy_batch, executor="local", progress=False)
    process = execute(specs, toy_batch, executor="process", workers=2, progress=False)
    written = []
    dask = execute(
        specs,
        toy_batch,
        executor="dask",
        workers=2,
        progress=False,
        on_result=lambda s, r: written.append(s.batch_id),
    )
    assert sorted(written) == [0, 1, 2]
    for other in (process, dask):
        pd.testing.assert_frame_equal(concat(local), concat(other))
        pd.testing.assert_frame_equal(
            pd.concat([o.events for o in local], ignore_index=True),
            pd.concat([o.events for o in other], ignore_index=True),
        )
    assert sorted(concat(local)["run"].unique()) == list(range(9))


def test_dask_error_names_the_batch_and_cluster_shuts_down():
    before = set(mp.active_children())
    with pytest.raises(BatchError, match="batch 2 failed: ValueError: boom") as info:
        execute(specs_for(8, 2), failing_batch, executor="dask", workers=1, progress=False)
    assert set(mp.active_children()) <= before
    # One line, as under the other executors; the worker's frames stay on the cause, for
    # SCOSIM_DEBUG=1's traceback (they were printed inside the message)
    assert "traceback on the worker" not in str(info.value) and "\n" not in str(info.value)
    assert any("failing_batch" in n for n in info.value.__cause__.__notes__)


def test_dask_keyboard_interrupt_closes_the_local_cluster():
    def stop(spec, result):
        raise KeyboardInterrupt

    before = set(mp.active_children())
    with pytest.raises(KeyboardInterrupt):
        execute(specs_for(8, 1), identity_runs, executor="dask", workers=1, on_result=stop)
    assert set(mp.active_children()) <= before


def test_dask_with_an_external_scheduler_address():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        specs = specs_for(6, 2)
        out = execute(specs, identity_runs, executor="dask", scheduler=cluster.scheduler_address)
        assert out == [s.runs for s in specs]
        # The cluster is the caller's: execute() must leave it running.
        assert cluster.status.name == "running"


@pytest.mark.slow
def test_scenario_batches_identical_under_local_process_dask():
    # The same check on the scosim model itself (the runner's run_batch); slow
    # (~20 s) because every spawned worker imports the model and its data.
    from pathlib import Path

    path = Path(__file__).parents[1] / "scenarios" / "customs_union.yaml"
    if not path.is_file():
        pytest.skip("scenario file not present")
    from scosim.runner import run_batch

    specs = [BatchSpec(str(path), {}, runs, {}, i) for i, runs in enumerate([(0, 1), (2, 3)])]
    outs = {
        ex: execute(specs, run_batch, executor=ex, workers=2, progress=False)
        for ex in ("local", "process", "dask")
    }
    for ex in ("process", "dask"):
        pd.testing.assert_frame_equal(concat(outs["local"]), concat(outs[ex]))
    assert sorted(concat(outs["local"])["run"].unique()) == [0, 1, 2, 3]


def test_pool_workers_start_with_one_blas_thread_and_the_caller_env_is_restored(monkeypatch):
    import os

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    out = execute(specs_for(4, 1), blas_threads_env, executor="process", workers=2,
                  progress=False)
    assert out == ["1"] * 4
    assert "OPENBLAS_NUM_THREADS" not in os.environ
    # A setting the user made is left alone.
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    assert execute(specs_for(2, 1), blas_threads_env, executor="process", workers=2,
                   progress=False) == ["3", "3"]


def test_the_local_cluster_does_not_want_port_8787(recwarn):
    """Before: ``dashboard_address=None`` still bound Dask's default 8787, so a second run
    (or any other cluster) warned "Port 8787 is already in use"."""
    import socket

    from scosim.experiments.dask_run import local_cluster

    held = socket.socket()
    try:
        held.bind(("127.0.0.1", 8787))
        held.listen()
    except OSError:
        pass  # already taken by something else: as good for this test
    try:
        with local_cluster(1) as cluster:
            assert cluster.scheduler.http_server.port != 8787
    finally:
        held.close()
    assert not [w for w in recwarn if "8787" in str(w.message)]
