"""Batches of runs and the executors that run them: in process, process pool or Dask.

A *batch* is a set of runs stepped in lockstep by the vectorised model (every
state array carries a leading run axis). Executors ship whole batches, never
single runs: per-task overhead (pickling, scheduling) is as large as a small
run, so one task per :class:`BatchSpec` keeps the overhead per run small.

All three executors call the same function on the same specs, so results do
not depend on the executor: the model keys its random streams by
``(seed, run, mechanism)``, never by batch or worker.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import pandas as pd

from scosim import worker_start
from scosim.model.events import KEY_COLUMNS

T = TypeVar("T")

ExecutorName = Literal["local", "process", "dask"]
EXECUTORS: tuple[str, ...] = ("local", "process", "dask")

#: Columns of the tidy indicator table (one row per run, year, country, indicator).
INDICATOR_COLUMNS: tuple[str, ...] = ("run", "year", "country", "indicator", "value")
#: Key columns of the event log (each event's detail fields follow as typed columns,
#: one per declared field: :mod:`scosim.model.events`).
EVENT_COLUMNS: tuple[str, ...] = KEY_COLUMNS

log = logging.getLogger(__name__)

#: Seconds to wait for a remote Dask scheduler before giving up.
DASK_CONNECT_TIMEOUT = 10.0
#: Times Dask runs a batch again after it failed (e.g. its worker died). Results
#: do not depend on where a batch runs, and a retried batch overwrites its files.
DASK_RETRIES = 2


@dataclass(frozen=True)
class BatchSpec:
    """Everything a worker needs to run one batch; small and picklable.

    Attributes:
        scenario_path: Path of the scenario YAML (resolved by the worker, so the
            spec stays small). Empty for synthetic models (sweeps of plain functions).
        overrides: Dotted-path overrides applied on top of the scenario.
        runs: Run indices in this batch. Random streams are keyed by
            ``(seed, run, mechanism)``, so a run's numbers do not depend on the
            batch it lands in.
        params: Per-run parameter values for sweeps, each tuple aligned with
            ``runs`` (``params[name][k]`` is the value for run ``runs[k]``).
        batch_id: Position of this batch in the experiment; names output files
            (``batch-00007.parquet``) and errors.
        scenario_yaml: The resolved scenario as YAML text; when given it is used
            instead of ``scenario_path``, so a worker on another machine needs no
            copy of the file (a few kB per task).
        out: Output location of the run (absolute path or fsspec URL): when
            given, the worker writes the batch's tables there itself and returns
            only a small manifest.
        versions: The client's ``{"package": ..., "data": ...}`` versions; a
            worker with others refuses the batch.
    """

    scenario_path: str
    overrides: dict = field(default_factory=dict)
    runs: tuple[int, ...] = ()
    params: dict[str, tuple[float, ...]] = field(default_factory=dict)
    batch_id: int = 0
    scenario_yaml: str = ""
    out: str = ""
    versions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check that parameter columns are aligned with runs."""
        if len(set(self.runs)) != len(self.runs):
            raise ValueError(f"batch {self.batch_id}: duplicate run indices in {self.runs}")
        for name, values in self.params.items():
            if len(values) != len(self.runs):
                raise ValueError(
                    f"batch {self.batch_id}: parameter {name!r} has {len(values)} values "
                    f"but the batch has {len(self.runs)} runs; params must be aligned with runs"
                )

    @property
    def size(self) -> int:
        """Number of runs in the batch."""
        return len(self.runs)


def _empty(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


@dataclass
class BatchOutput:
    """Results of one batch, as tidy tables.

    Attributes:
        indicators: Columns ``run:int, year:int, country:str, indicator:str, value:float``.
        events: Columns ``run, year, type, country, proposal``, then one typed
            column per declared detail field (:mod:`scosim.model.events`).
        bilateral: Bilateral flows ``run, year, exporter, importer, indicator, value``
            when the scenario asks for them (``outputs.bilateral``), else ``None``.
    """

    indicators: pd.DataFrame = field(default_factory=lambda: _empty(INDICATOR_COLUMNS))
    events: pd.DataFrame = field(default_factory=lambda: _empty(EVENT_COLUMNS))
    bilateral: pd.DataFrame | None = None

    def validate(self) -> BatchOutput:
        """Raise ``ValueError`` if a table misses a required column; return self."""
        for name, cols in (("indicators", INDICATOR_COLUMNS), ("events", EVENT_COLUMNS)):
            missing = [c for c in cols if c not in getattr(self, name).columns]
            if missing:
                raise ValueError(f"BatchOutput.{name} is missing columns {missing}")
        return self


#: Opens the note that carries a remote worker's frames (shown with SCOSIM_DEBUG=1 only).
WORKER_TRACEBACK = "traceback on the worker:"


class BatchError(RuntimeError):
    """A batch failed; ``batch_id`` names it and ``__cause__`` is the original error."""

    def __init__(self, batch_id: int, cause: BaseException) -> None:
        self.batch_id = batch_id
        self._cause = cause
        # Notes name the plug-in call that raised (scosim.plugins.blame); a worker's
        # frames are for SCOSIM_DEBUG's traceback, not for the one-line message.
        notes = "".join(f" ({n})" for n in getattr(cause, "__notes__", ())
                        if not n.startswith(WORKER_TRACEBACK))
        super().__init__(f"batch {batch_id} failed: {type(cause).__name__}: {cause}{notes}")

    def __reduce__(self) -> tuple[type, tuple[int, BaseException]]:
        return type(self), (self.batch_id, self._cause)


def iter_batches(n_runs: int, batch_size: int) -> Iterator[tuple[int, ...]]:
    """Yield consecutive batches of run indices ``0 .. n_runs-1``, one at a time.

    Lazy, so the number of batches costs nothing until they are run.

    Raises:
        ValueError: ``n_runs < 0`` or ``batch_size < 1``.
    """
    if n_runs < 0:
        raise ValueError(f"n_runs must be >= 0, got {n_runs}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    return (
        tuple(range(s, min(s + batch_size, n_runs))) for s in range(0, n_runs, batch_size)
    )


def make_batches(n_runs: int, batch_size: int) -> list[tuple[int, ...]]:
    """Split run indices ``0 .. n_runs-1`` into consecutive batches.

    Args:
        n_runs: Number of runs (replications or design points); >= 0.
        batch_size: Maximum runs per batch; >= 1. The last batch may be smaller.

    Returns:
        A list of tuples of run indices, covering every run exactly once, in order.
    """
    return list(iter_batches(n_runs, batch_size))


def _progress(enabled: bool, executor: str) -> Any:
    """A rich progress bar, or a no-op stand-in when disabled or not on a terminal."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    # Progress bars in logs or CI output are noise: only draw on a real terminal.
    disable = not (enabled and sys.stderr.isatty())
    return Progress(
        TextColumn(f"[bold]batches ({executor})"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=disable,
        transient=False,
    )


def check_scheduler(executor: str, scheduler: str | None) -> None:
    """Refuse a scheduler address with any executor but Dask (it would sit idle).

    Checked by every command before anything is written, and again by :func:`execute`.

    Raises:
        ValueError: Naming the address and the option to add.
    """
    if scheduler is not None and executor != "dask":
        raise ValueError(
            f"--scheduler {scheduler} is only used with the Dask executor; add --executor dask"
        )


def execute(
    specs: Iterable[BatchSpec],
    fn: Callable[[BatchSpec], T],
    *,
    executor: ExecutorName | str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    on_result: Callable[[BatchSpec, T], None] | None = None,
    keep: bool = True,
    total: int | None = None,
    retries: int | None = None,
) -> list[T]:
    """Run ``fn`` on every batch spec with the chosen executor.

    Results reach ``on_result`` as batches complete (in completion order), so a
    caller can write each batch to disk and let it go; with ``keep=False`` no
    result is held and an empty list is returned, so memory stays bounded by the
    batches in flight (at most two per worker are submitted at a time).

    Args:
        specs: Batches to run; their ``batch_id`` values must be unique. Any
            iterable: specs are drawn from it only as workers free up, so a
            generator of specs is never built up front.
        fn: Function run on each spec. For ``"process"`` and ``"dask"`` it must
            be picklable: a module-level function (or a ``functools.partial`` of
            one), because workers are started with *spawn* and import it by name.
        executor: ``"local"`` (in this process, sequential), ``"process"``
            (``ProcessPoolExecutor``) or ``"dask"`` (``distributed``).
        workers: Worker processes for ``"process"`` (default: CPU count) and for a
            local Dask cluster (default 2). Ignored when ``scheduler`` is given.
        scheduler: Address of a running Dask scheduler (``"tcp://host:8786"``);
            when ``None`` with ``executor="dask"``, a ``LocalCluster`` is started
            and shut down afterwards.
        progress: Show a rich progress bar (only drawn when stderr is a terminal).
        on_result: Called in the calling process as ``on_result(spec, result)``
            for each completed batch.
        keep: Keep results and return them in spec order. ``False`` returns ``[]``.
        total: Number of specs, for the progress bar, when ``specs`` has no length.
        retries: For ``"process"``: times a batch is run again after its worker
            process died or it raised a transient error (default
            :data:`PROCESS_RETRIES`); see :func:`is_transient`.

    Returns:
        Results in the order of ``specs`` (not completion order), or ``[]`` when
        ``keep`` is false.

    Raises:
        BatchError: A batch raised; the message names its ``batch_id`` and the
            original exception is chained. Pending batches are cancelled.
        ValueError: Unknown executor name, ``workers`` below 1, a scheduler without
            the Dask executor, or duplicated ``batch_id``.
        ExecutorError: The Dask scheduler cannot be reached.

    An exception raised by ``on_result`` itself (say, a full disk) is not a
    batch failure: it propagates unchanged, after pending batches are cancelled.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    check_scheduler(executor, scheduler)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        # Not the pool's "max_workers must be greater than 0", nor Dask's own words.
        raise ValueError(f"workers must be a whole number >= 1 (None: the default), "
                         f"got {workers!r}")
    if retries is not None and (isinstance(retries, bool) or retries < 0):
        raise ValueError(f"retries must be a whole number >= 0, got {retries!r}")
    if total is None and hasattr(specs, "__len__"):
        total = len(specs)  # type: ignore[arg-type]
    seen: set[int] = set()

    def numbered() -> Iterator[tuple[int, BatchSpec]]:
        for i, spec in enumerate(specs):
            if spec.batch_id in seen:
                raise ValueError("batch_id values must be unique within one execute() call")
            seen.add(spec.batch_id)
            yield i, spec

    results: dict[int, T] = {}

    def deliver(i: int, spec: BatchSpec, value: T) -> None:
        if on_result is not None:
            on_result(spec, value)
        if keep:
            results[i] = value

    bar = _progress(progress, executor)
    with bar:
        task = bar.add_task("run", total=total)

        def advance() -> None:
            bar.advance(task)

        if executor == "local":
            _run_local(numbered(), fn, deliver, advance)
        elif executor == "process":
            _run_process(numbered(), fn, deliver, advance, workers,
                         PROCESS_RETRIES if retries is None else retries)
        else:
            from scosim.experiments.dask_run import run_dask

            run_dask(numbered(), fn, deliver, advance, workers, scheduler)
    return [results[i] for i in range(len(results))] if keep else []


class ExecutorError(RuntimeError):
    """An executor cannot start (e.g. the Dask scheduler is unreachable)."""


_Deliver = Callable[[int, BatchSpec, Any], None]
_Advance = Callable[[], None]
_Numbered = Iterator[tuple[int, BatchSpec]]


def _run_local(
    specs: _Numbered, fn: Callable[[BatchSpec], Any], deliver: _Deliver, advance: _Advance
) -> None:
    for i, spec in specs:
        try:
            value = fn(spec)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            raise BatchError(spec.batch_id, exc) from exc
        deliver(i, spec, value)
        advance()


def _windowed(
    specs: _Numbered,
    submit: Callable[[BatchSpec], Any],
    wait_first: Callable[[list[Any]], Iterable[Any]],
    result_of: Callable[[Any], Any],
    cancel: Callable[[list[Any]], Any],
    deliver: _Deliver,
    advance: _Advance,
    window: int,
) -> None:
    """Submit at most ``window`` tasks at a time; hand results over as they finish.

    The window bounds memory (finished results are dropped once delivered) while
    keeping every worker busy.
    """
    pending: dict[Any, tuple[int, BatchSpec]] = {}
    exhausted = False
    try:
        while not exhausted or pending:
            while not exhausted and len(pending) < window:
                nxt = next(specs, None)
                if nxt is None:
                    exhausted = True
                    break
                pending[submit(nxt[1])] = nxt
            if not pending:
                break
            done = wait_first(list(pending))
            for fut in done:
                i, spec = pending.pop(fut)
                try:
                    value = result_of(fut)
                except ExecutorError:
                    raise  # the executor failed (say, its scheduler is gone), not the batch
                except Exception as exc:
                    raise BatchError(spec.batch_id, exc) from exc
                deliver(i, spec, value)
                advance()
    except BaseException:
        # Error or Ctrl-C: do not leave work queued behind us.
        cancel(list(pending))
        raise


#: Times the process pool runs a batch again after its worker process died or it
#: raised a transient error (as Dask does, :data:`DASK_RETRIES`). Results do not
#: depend on where or how often a batch runs, and a retried batch overwrites its files.
PROCESS_RETRIES = 2

#: Errors of the operating system that say something about the file or the
#: model's input, not a passing condition: never retried.
_LASTING_OS_ERRORS = (
    FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError, NotADirectoryError,
)


class WorkerDied(RuntimeError):
    """The worker process running a batch died (killed, out of memory, a crash)."""


def is_transient(exc: BaseException) -> bool:
    """Whether a batch's failure may pass when it is run again.

    Transient: its worker process died (the pool broke), a dropped connection, a
    time-out, another operating-system error (e.g. writing to an object store).
    Not transient, and never retried: every other exception (a bug in the
    model, bad data, a bad scenario) and a missing file or permission.
    """
    if isinstance(exc, BrokenProcessPool | WorkerDied):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, _LASTING_OS_ERRORS)


def _new_pool(n: int) -> cf.ProcessPoolExecutor:
    # Never a fork of this process (fork with threads can deadlock): spawned, or forked
    # by a fork server without threads of its own that has loaded the model (worker_start).
    return cf.ProcessPoolExecutor(max_workers=n, mp_context=worker_start.context(n))


def _exit_codes(pool: cf.ProcessPoolExecutor) -> list[int]:
    procs = getattr(pool, "_processes", None) or {}
    return sorted({p.exitcode for p in procs.values() if p.exitcode not in (None, 0)})


def _stop_pool(pool: cf.ProcessPoolExecutor, wait: bool) -> None:
    """Shut a pool down; without ``wait``, stop its worker processes at once."""
    if wait:
        pool.shutdown(wait=True)
        return
    # On error or KeyboardInterrupt do not wait for running batches: drop the
    # queue and stop our own worker processes.
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(timeout=5)
        if p.is_alive():  # still starting up or ignoring SIGTERM under load
            p.kill()
            p.join(timeout=5)


def _run_process(
    specs: _Numbered,
    fn: Callable[[BatchSpec], Any],
    deliver: _Deliver,
    advance: _Advance,
    workers: int | None,
    retries: int = PROCESS_RETRIES,
) -> None:
    """Run batches on a process pool, retrying failed ones up to ``retries`` times each.

    Retried: a batch whose worker died or that failed transiently (:func:`is_transient`).

    When a worker process dies the whole pool breaks and every batch in flight
    fails with it. Those batches are run again on a fresh pool one at a time, so
    that the batch that kills its worker is found: only a batch whose worker
    dies while it runs alone counts a failed attempt (a batch that fails with it
    in company is not blamed for another's crash), and it keeps running alone
    until it finishes. A deterministic error fails the batch at once, naming it.
    """
    n = workers or os.cpu_count() or 1
    again: collections.deque[tuple[int, BatchSpec]] = collections.deque()
    failures: dict[int, int] = {}
    suspects: set[int] = set()  # in flight when a worker died: rerun alone
    exhausted = False

    def charge(spec: BatchSpec, exc: BaseException) -> None:
        failures[spec.batch_id] = failures.get(spec.batch_id, 0) + 1
        attempts = failures[spec.batch_id]
        if attempts > retries:
            if isinstance(exc, WorkerDied):
                exc = WorkerDied(
                    f"{exc}; it died on each of {attempts} attempts (retries={retries}): the "
                    "batch itself kills its process (out of memory? a crash in compiled code?)"
                )
            raise BatchError(spec.batch_id, exc) from exc
        log.warning("batch %d failed (%s: %s); running it again (attempt %d of %d)",
                    spec.batch_id, type(exc).__name__, exc, attempts + 1, retries + 1)

    def next_spec() -> tuple[int, BatchSpec] | None:
        nonlocal exhausted
        # Batches to run again first, suspects before the others.
        for k, item in enumerate(again):
            if item[1].batch_id in suspects:
                del again[k]
                return item
        if again:
            return again.popleft()
        if exhausted:
            return None
        item = next(specs, None)
        exhausted = item is None
        return item

    pool = _new_pool(n)
    ok = False
    try:
        # Workers are spawned as tasks are submitted: they inherit the environment then.
        with worker_start.one_thread_vars() if n > 1 else contextlib.nullcontext():
            pending: dict[cf.Future[Any], tuple[int, BatchSpec]] = {}
            while True:
                # One batch at a time while a crash is being traced to its batch.
                window = 1 if suspects else 2 * n
                while len(pending) < window:
                    item = next_spec()
                    if item is None:
                        break
                    try:
                        pending[pool.submit(fn, item[1])] = item
                    except BrokenProcessPool:
                        # A worker died since the last wait: the pool refuses new work
                        # (this batch never ran, so it is not charged).
                        again.appendleft(item)
                        if pending:
                            break  # the batches in flight report the break below
                        _stop_pool(pool, wait=False)
                        pool = _new_pool(n)
                if not pending:
                    break
                done = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED).done
                broken = any(isinstance(f.exception(), BrokenProcessPool)
                             for f in done)
                if broken:
                    # Every batch in flight failed with the pool: wait for all of them.
                    done = cf.wait(list(pending)).done
                lost: list[tuple[int, BatchSpec]] = []
                for fut in sorted(done, key=lambda f: pending[f][0]):
                    i, spec = pending.pop(fut)
                    exc = fut.exception()
                    if exc is None:
                        suspects.discard(spec.batch_id)
                        deliver(i, spec, fut.result())
                        advance()
                    elif isinstance(exc, BrokenProcessPool):
                        lost.append((i, spec))
                    elif is_transient(exc):
                        charge(spec, exc)
                        again.append((i, spec))
                    else:
                        raise BatchError(spec.batch_id, exc) from exc
                if lost:
                    codes = _exit_codes(pool)
                    _stop_pool(pool, wait=False)
                    pool = _new_pool(n)
                    died = WorkerDied(
                        "its worker process died"
                        + (f" (exit code {', '.join(map(str, codes))})" if codes else "")
                    )
                    if len(lost) == 1:
                        # Alone: this batch killed its worker. It stays alone until it
                        # finishes, so that no other batch is lost with it again.
                        charge(lost[0][1], died)
                        suspects.add(lost[0][1].batch_id)
                    else:
                        suspects.update(spec.batch_id for _, spec in lost)
                        log.warning("a worker process died with batches %s in flight; running "
                                    "them again one at a time",
                                    ", ".join(str(s.batch_id) for _, s in lost))
                    again.extendleft(reversed(lost))
        ok = True
    finally:
        _stop_pool(pool, wait=ok)
