"""The process pool runs a batch again when its worker dies or it fails transiently.

Worker deaths are real: the batch function calls ``os._exit`` in the worker
process, which breaks the pool (``BrokenProcessPool``) exactly as a crash or an
out-of-memory kill does. Attempts are counted with files in a directory shared
with the workers, so the counts are the workers' own, not the parent's.
"""

from __future__ import annotations

import functools
import os
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.experiments import BatchError, BatchSpec, execute, make_batches
from scosim.experiments.executors import is_transient

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL_BASE = FIXTURES / "model" / "small_base.yaml"


def _attempt(marks: str, batch_id: int) -> int:
    """Record an attempt at a batch; return how many attempts there were before it."""
    d = Path(marks)
    before = len(list(d.glob(f"b{batch_id}-*")))
    (d / f"b{batch_id}-{os.getpid()}-{before}").touch()
    return before


def draws(spec: BatchSpec) -> list[float]:
    """A batch's numbers: random streams keyed by (run, name), never by worker or attempt."""
    return [
        float(np.random.default_rng([run, zlib.crc32(b"toy")]).normal()) for run in spec.runs
    ]


def crash(spec: BatchSpec, *, marks: str, bad: int, times: int) -> list[float]:
    """Kill the worker process during the first ``times`` attempts at batch ``bad``."""
    if spec.batch_id == bad and _attempt(marks, bad) < times:
        os._exit(3)
    return draws(spec)


def fail(spec: BatchSpec, *, marks: str, bad: int, error: str, times: int) -> list[float]:
    """Raise ``error`` during the first ``times`` attempts at batch ``bad``."""
    if spec.batch_id == bad and _attempt(marks, bad) < times:
        raise {"value": ValueError("bad data in the model"),
               "connection": ConnectionResetError("connection reset by the store")}[error]
    return draws(spec)


def _count(marks: Path, batch_id: int) -> int:
    return len(list(marks.glob(f"b{batch_id}-*")))


SPECS = [BatchSpec("", runs=r, batch_id=b) for b, r in enumerate(make_batches(10, 2))]


def test_a_batch_whose_worker_dies_once_is_run_again_with_the_same_numbers(tmp_path):
    expected = execute(SPECS, draws, executor="local", progress=False)
    fn = functools.partial(crash, marks=str(tmp_path), bad=1, times=1)
    got = execute(SPECS, fn, executor="process", workers=2, progress=False)
    assert got == expected
    assert _count(tmp_path, 1) == 2  # the crash, then the attempt that finished


def test_a_batch_that_always_kills_its_worker_fails_naming_it_not_its_neighbours(tmp_path):
    fn = functools.partial(crash, marks=str(tmp_path), bad=2, times=99)
    with pytest.raises(BatchError) as err:
        execute(SPECS, fn, executor="process", workers=2, progress=False, retries=1)
    assert err.value.batch_id == 2
    assert "worker process died" in str(err.value)
    assert "died on each of 2 attempts (retries=1)" in str(err.value)
    # Blamed only for deaths while it ran alone: at most one more attempt, in
    # company, before it was isolated.
    assert 2 <= _count(tmp_path, 2) <= 3


def test_a_deterministic_error_is_not_retried(tmp_path):
    fn = functools.partial(fail, marks=str(tmp_path), bad=3, error="value", times=99)
    with pytest.raises(BatchError, match="batch 3 failed: ValueError: bad data in the model"):
        execute(SPECS, fn, executor="process", workers=2, progress=False, retries=5)
    assert _count(tmp_path, 3) == 1


def test_a_transient_error_is_retried_up_to_the_limit(tmp_path):
    expected = execute(SPECS, draws, executor="local", progress=False)
    once = functools.partial(fail, marks=str(tmp_path / "once"), bad=4, error="connection",
                             times=2)
    (tmp_path / "once").mkdir()
    assert execute(SPECS, once, executor="process", workers=2, progress=False) == expected
    assert _count(tmp_path / "once", 4) == 3
    (tmp_path / "always").mkdir()
    always = functools.partial(fail, marks=str(tmp_path / "always"), bad=4, error="connection",
                               times=99)
    with pytest.raises(BatchError, match="batch 4 failed: ConnectionResetError"):
        execute(SPECS, always, executor="process", workers=2, progress=False, retries=1)
    assert _count(tmp_path / "always", 4) == 2


def test_which_errors_are_transient():
    from concurrent.futures.process import BrokenProcessPool

    assert is_transient(BrokenProcessPool("died"))
    assert is_transient(ConnectionResetError()) and is_transient(TimeoutError())
    assert is_transient(OSError(5, "Input/output error"))
    for lasting in (ValueError("x"), KeyError("x"), ZeroDivisionError(), RuntimeError("x"),
                    FileNotFoundError("x"), PermissionError("x")):
        assert not is_transient(lasting)


def test_negative_retries_are_refused():
    with pytest.raises(ValueError, match="retries must be a whole number >= 0"):
        execute(SPECS, draws, executor="process", retries=-1)


def crash_run_batch(spec: BatchSpec, *, marks: str, bad: int) -> object:
    """The real batch function, but the first attempt at batch ``bad`` kills its worker."""
    from scosim.runner import run_batch

    if spec.batch_id == bad and _attempt(marks, bad) == 0:
        os._exit(3)
    return run_batch(spec)


def test_a_run_whose_worker_dies_completes_with_the_same_tables(tmp_path, monkeypatch):
    import scosim.runner as runner
    from scosim.result_tables import read_batches

    kw = {"replications": 8, "batch_size": 4, "progress": False, "plots": False}
    clean = runner.run(SMALL_BASE, out=tmp_path / "clean", executor="local", **kw)
    (tmp_path / "marks").mkdir()
    monkeypatch.setattr(runner, "run_batch",
                        functools.partial(crash_run_batch, marks=str(tmp_path / "marks"), bad=1))
    crashed = runner.run(SMALL_BASE, out=tmp_path / "crashed", executor="process", workers=2,
                         **kw)
    assert _count(tmp_path / "marks", 1) == 2
    assert crashed.manifest["batches"] == [0, 1]
    for table in ("indicators", "events"):
        a = read_batches(clean.path / table)
        b = read_batches(crashed.path / table)
        pd.testing.assert_frame_equal(a, b)
        assert len(a) > 0


def test_a_pool_that_broke_before_a_submit_is_replaced_and_the_batch_run(monkeypatch):
    # A worker can die between two waits; the next pool.submit then raises
    # BrokenProcessPool itself instead of returning a future.
    from concurrent.futures.process import BrokenProcessPool

    import scosim.experiments.executors as ex

    real_new_pool = ex._new_pool
    pools: list[object] = []

    class RefusesFirstSubmit:
        def __init__(self, n: int) -> None:
            self.pool = real_new_pool(n)
            self.refuse = not pools  # only the first pool is broken
            pools.append(self)

        def submit(self, *a, **k):
            if self.refuse:
                raise BrokenProcessPool("a child process terminated abruptly")
            return self.pool.submit(*a, **k)

        def __getattr__(self, name):
            return getattr(self.pool, name)

    monkeypatch.setattr(ex, "_new_pool", RefusesFirstSubmit)
    specs = [BatchSpec("", runs=b, batch_id=i) for i, b in enumerate(make_batches(6, 2))]
    got = execute(specs, draws, executor="process", workers=2, progress=False)
    assert got == [draws(s) for s in specs]
    assert len(pools) == 2
