"""How worker processes start: from a fork server that has loaded the model, or spawned.

A spawned worker is a fresh interpreter: it imports numpy, pandas, pyarrow, the
model (and Dask's worker) and, in its first batch, the built-in plug-ins and the
calibration tables, about 1.5 s of CPU per worker, while the client is itself
importing and setting up. On Linux, workers that share the machine (two or more)
start instead from a *fork server*: one process, started with the variables that
keep BLAS to one thread, that loads all of that once (:mod:`scosim._worker_preload`)
and forks a worker per request. The server runs no Python threads and no BLAS
threads; its one native thread, the background thread of the jemalloc allocator
pyarrow loads (spawned workers have it too), is stopped and restarted around a fork
by jemalloc's own fork handlers. That is why forking it is safe where forking the
client is not (the client runs Dask's event loop and progress threads, which may
hold a lock at the moment of the fork). ``scosim
run`` starts the server as soon as it has read its arguments (:func:`start_early`),
so it loads while the client imports and plans the run.

Results never depend on how a worker started (tests/test_worker_start.py). A worker
from the fork server has the server's environment, not the client's at the time the
worker starts; so when the client's environment has changed since the server started
(say a script set ``SCOSIM_DATA_VERSION`` between two runs), workers are spawned, as
they are on macOS and Windows, for a single worker, and with
``SCOSIM_START_METHOD=spawn``. Python 3.14 makes the fork server the default on Linux.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing as mp
import os
import sys
import threading
from collections.abc import Iterator
from multiprocessing import forkserver
from multiprocessing.context import BaseContext

#: Environment variables that keep BLAS/OpenMP to one thread in worker processes:
#: with several workers, workers are the parallelism (and results never depend on
#: BLAS threads). Read by the BLAS library when a worker imports numpy.
ONE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}

#: Environment variable choosing how workers start: ``auto`` (default), ``forkserver``, ``spawn``.
START_METHOD_ENV = "SCOSIM_START_METHOD"
START_METHODS = ("auto", "forkserver", "spawn")

#: Modules the fork server imports before forking workers: the model, its built-in
#: plug-ins and the calibration tables (what a worker's first batch would load).
PRELOAD = ("scosim._worker_preload",)
#: Imported by the fork server as well when Dask workers are to start from it.
DASK_PRELOAD = ("distributed", "distributed.nanny", "distributed.worker")

_lock = threading.Lock()
#: The environment the fork server was started with by this module; None: not started.
_started_env: dict[str, str] | None = None
#: The modules it was started with.
_preload: list[str] = []


class StartMethodError(ValueError):
    """``SCOSIM_START_METHOD`` names no start method this platform has."""


def start_method() -> str:
    """How workers that share the machine start here: ``"forkserver"`` or ``"spawn"``.

    Raises:
        StartMethodError: ``SCOSIM_START_METHOD`` is not one of :data:`START_METHODS`,
            or asks for the fork server where the platform has none.
    """
    raw = os.environ.get(START_METHOD_ENV, "auto")
    want = raw.strip().lower() or "auto"
    if want not in START_METHODS:
        raise StartMethodError(
            f"{START_METHOD_ENV}={raw!r} is not a start method; allowed: {', '.join(START_METHODS)}"
        )
    has_server = "forkserver" in mp.get_all_start_methods()
    if want == "forkserver" and not has_server:
        raise StartMethodError(
            f"{START_METHOD_ENV}=forkserver: this platform ({sys.platform}) has no fork server; "
            "use spawn or auto"
        )
    if want == "auto":
        # macOS has a fork server too, but its system libraries are not fork-safe once used.
        return "forkserver" if has_server and sys.platform.startswith("linux") else "spawn"
    return want


def _server_env() -> dict[str, str]:
    """The environment a worker should see: this process's, with the one-thread variables."""
    env = dict(os.environ)
    for k, v in ONE_THREAD_ENV.items():
        env.setdefault(k, v)
    return env


@contextlib.contextmanager
def one_thread_vars() -> Iterator[None]:
    """Add the one-thread variables this process lacks while workers (or the server) start.

    Only adds and then removes keys: another thread reading the environment meanwhile
    never sees one of its variables missing. Variables the user set are kept.
    """
    added = {k: v for k, v in ONE_THREAD_ENV.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for k in added:
            os.environ.pop(k, None)


def local_workers(executor: str, workers: int | None, scheduler: str | None = None) -> int:
    """How many worker processes ``executor`` starts on this machine (0: none).

    ``local`` and a Dask cluster at ``scheduler`` start none; the process pool defaults
    to one worker per CPU, a local Dask cluster to two (as the executors do).
    """
    if executor == "process":
        return workers or os.cpu_count() or 1
    if executor == "dask" and scheduler is None:
        return workers or 2
    return 0


def start_early(executor: str = "process", workers: int | None = None,
                scheduler: str | None = None) -> bool:
    """Start the fork server now if ``executor`` will start workers from it; return at once.

    The server imports :data:`PRELOAD` (and :data:`DASK_PRELOAD` for Dask) in its own
    process while this one goes on. Calling it again does nothing.

    Args:
        executor: ``local``, ``process`` or ``dask``.
        workers: Worker processes asked for (None: the executor's default).
        scheduler: A Dask scheduler address (its workers are not started here).

    Returns:
        Whether workers of this run will start from the fork server.
    """
    if local_workers(executor, workers, scheduler) < 2 or start_method() != "forkserver":
        return False
    return _start(dask=executor == "dask")


def _start(*, dask: bool) -> bool:
    """Whether workers can start from our fork server now; starts it (or restarts it if it died).

    False when another's server is running (its environment is unknown) or when this
    process's environment has changed since ours started.
    """
    global _started_env, _preload
    with _lock:
        if _started_env is None:
            if getattr(forkserver._forkserver, "_forkserver_pid", None) is not None:
                return False  # someone else's server, with an environment we do not know
            _preload = list(PRELOAD) + (list(DASK_PRELOAD) if dask else [])
            atexit.unregister(stop)  # once, however often it is stopped and started
            atexit.register(stop)
        elif _started_env != _server_env():
            return False
        # The server inherits the environment it is started with. Dask replaces the preload
        # list when it asks for a fork server; ours is set again for a restart.
        with one_thread_vars():
            forkserver.set_forkserver_preload(_preload)
            forkserver.ensure_running()  # does nothing while it runs
        # Wait for it at exit (atexit above): its workers' CPU and memory then count as
        # this process's children's (time -v, getrusage), and no server outlives its client.
        _started_env = _server_env()
        return True


def stop() -> None:
    """Stop the fork server this module started, if any (the next workers start a new one).

    Called at exit, and by tests and benchmarks. Workers have ended with their pools
    (or clusters) by then; the server ends when told to, and is waited for.
    """
    global _started_env
    with _lock:
        if _started_env is None:
            return
        forkserver._forkserver._stop()
        _started_env = None


def context(workers: int, *, dask: bool = False) -> BaseContext:
    """The multiprocessing context for ``workers`` worker processes about to start.

    The fork server's (started now if :func:`start_early` was not called) when
    workers share the machine and the environment is the one the server started
    with; else spawn.
    """
    return mp.get_context(method(workers, dask=dask))


def method(workers: int, *, dask: bool = False) -> str:
    """The start method's name for ``workers`` worker processes (see :func:`context`)."""
    if workers < 2 or start_method() != "forkserver" or not _start(dask=dask):
        return "spawn"
    return "forkserver"
