"""The Dask executor of :func:`scosim.experiments.executors.execute`.

Its own module to keep ``executors.py`` to the process and local executors and
their shared windowing; Dask itself is imported inside :func:`run_dask` only.
Settings that tests or users adjust (``DASK_CONNECT_TIMEOUT``, ``DASK_RETRIES``)
stay in :mod:`scosim.experiments.executors` and are read from there at call time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from scosim.experiments import executors as ex
from scosim.experiments.executors import BatchSpec, _Advance, _Deliver, _Numbered

#: Dask settings for the ``LocalCluster`` that :func:`execute` starts itself.
#: ``MALLOC_TRIM_THRESHOLD_: None`` drops Dask's default ``MALLOC_TRIM_THRESHOLD_=65536``
#: from the workers' environment (it turns off glibc's adaptive mmap threshold, so
#: every temporary array above 128 kB would be mapped afresh); every process that
#: runs a batch sets glibc's thresholds itself anyway (:mod:`scosim._malloc`), which
#: also covers workers of clusters started elsewhere. The statistical
#: profiler (a thread sampling the task's stack every 10 ms) only feeds the
#: dashboard, which is off; so do the system monitor and the event-loop tick
#: (blocked-loop warnings), and a memory check each second is plenty for tasks
#: of seconds. With Dask's defaults an idle two-worker cluster took 7 % of a core
#: (client 3.9 %, each worker 1.7 %); with these 2 %.
LOCAL_DASK_CONFIG: dict[str, Any] = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.tick.interval": "200ms",
    "distributed.admin.system-monitor.interval": "2s",
}


@contextlib.contextmanager
def _environ_restored() -> Iterator[None]:
    """Undo changes to this process's environment made inside the block.

    Dask's nanny writes its ``pre-spawn-environ`` (BLAS threads, ``PYTHONHASHSEED``)
    into the *client's* ``os.environ`` before spawning a worker; left there, they
    would reach every process this program starts later (say a process pool).
    """
    saved = dict(os.environ)
    try:
        yield
    finally:
        for k in set(os.environ) - set(saved):
            del os.environ[k]
        for k, v in saved.items():
            if os.environ.get(k) != v:
                os.environ[k] = v


def local_cluster(workers: int) -> Any:
    """A ``LocalCluster`` of ``workers`` single-threaded processes with :data:`LOCAL_DASK_CONFIG`.

    The cluster ``execute(executor="dask")`` starts when given no scheduler (and the
    one the parallel benchmark keeps running for its ``dask-2-running`` case).
    """
    import dask
    from distributed import LocalCluster

    from scosim import worker_start

    start = {"distributed.worker.multiprocessing-method": worker_start.method(workers, dask=True)}
    # The nannies write their pre-spawn variables (and PYTHONHASHSEED) into this process's
    # environment; left there, the next workers would not be started from the fork server
    # (its environment would differ) and every later child process would inherit them.
    with dask.config.set({**LOCAL_DASK_CONFIG, **start}), _environ_restored():
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,  # the model is numpy-bound; processes give parallelism
            processes=True,
            dashboard_address=None,  # no port to clash with another run's dashboard
            silence_logs=logging.ERROR,
        )


@_environ_restored()  # a fresh context per call (contextmanager objects are decorators)
def run_dask(
    specs: _Numbered,
    fn: Callable[[BatchSpec], Any],
    deliver: _Deliver,
    advance: _Advance,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Run the batches on a Dask cluster.

    A LocalCluster of ``workers`` processes, or the cluster at ``scheduler``; see
    :func:`scosim.experiments.executors.execute`.
    """
    from distributed import Client, wait

    cluster = None
    if scheduler is None:
        cluster = local_cluster(workers or 2)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=ex.DASK_CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ex.ExecutorError(
                f"cannot reach the Dask scheduler at {scheduler!r} within "
                f"{ex.DASK_CONNECT_TIMEOUT:g} s ({type(exc).__name__}: {exc}); is it running "
                "(`dask scheduler`) and is the address right, e.g. tcp://host:8786?"
            ) from None
    try:
        # Task slots across the cluster (threads); an external cluster may still be
        # scaling up, so keep at least a couple of batches in flight.
        slots = max(1, sum(client.nthreads().values()))
        token = uuid.uuid4().hex[:8]  # unique keys: no stale results from earlier calls
        ex._windowed(
            specs,
            submit=lambda spec: client.submit(
                fn, spec, key=f"scosim-batch-{spec.batch_id}-{token}", pure=False,
                retries=ex.DASK_RETRIES,
            ),
            wait_first=lambda fs: wait(fs, return_when="FIRST_COMPLETED").done,
            result_of=lambda f: f.result(),
            cancel=lambda fs: client.cancel(fs) if fs else None,
            deliver=deliver,
            advance=advance,
            window=max(2, 2 * slots),
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
