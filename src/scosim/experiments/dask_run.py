"""The Dask executor of :func:`scosim.experiments.executors.execute`.

Its own module to keep ``executors.py`` to the process and local executors and
their shared windowing; Dask itself is imported inside :func:`run_dask` only.
Settings that tests or users adjust (``DASK_CONNECT_TIMEOUT``, ``DASK_RETRIES``)
stay in :mod:`scosim.experiments.executors` and are read from there at call time.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import threading
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
#: dashboard, which no one is shown (it sits on any free port); so do the system
#: monitor and the event-loop tick
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
            # Any free port: None still binds 8787, and a second run (or any other
            # cluster) then warned "Port 8787 is already in use".
            dashboard_address=":0",
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
        # Dask bounds the connection but not the handshake after it: an address where
        # something else listens (a web server, the dashboard's port) hung for ever, and
        # one that answered with other bytes failed deep inside Dask. Ask first, bounded.
        probe_scheduler(scheduler, ex.DASK_CONNECT_TIMEOUT)
        try:
            client = Client(scheduler, timeout=ex.DASK_CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ex.ExecutorError(
                f"cannot reach the Dask scheduler at {scheduler!r} within "
                f"{ex.DASK_CONNECT_TIMEOUT:g} s ({type(exc).__name__}: {exc}); is it running "
                "(`dask scheduler`) and is the address right, e.g. tcp://host:8786?"
            ) from None
    # Losing the scheduler is reported as one line (_lost_scheduler); Dask's client
    # would log each failed reconnection with a traceback of its own before it.
    client_log = logging.getLogger("distributed.client")
    level = client_log.level
    client_log.setLevel(logging.CRITICAL)
    try:
        if scheduler is not None:
            first = next(specs, None)
            if first is None:
                return
            specs = itertools.chain([first], specs)
            if first[1].versions:
                refuse_other_versions(client, scheduler, first[1].versions)
            if not client.scheduler_info().get("workers"):
                # Not an error: an adaptive cluster starts workers when tasks wait. But a
                # run that waits in silence for workers nobody starts looks hung.
                import warnings

                from scosim.errors import ScosimWarning

                warnings.warn(
                    f"the Dask scheduler at {scheduler} has no workers: the batches wait "
                    f"until some join (start them with `dask worker {scheduler}`)",
                    ScosimWarning, stacklevel=2)
        # Task slots across the cluster (threads); an external cluster may still be
        # scaling up, so keep at least a couple of batches in flight.
        slots = max(1, sum(client.nthreads().values()))
        token = uuid.uuid4().hex[:8]  # unique keys: no stale results from earlier calls
        ex._windowed(
            specs,
            submit=lambda spec: client.submit(
                attempt, fn, spec, key=f"scosim-batch-{spec.batch_id}-{token}", pure=False,
                retries=ex.DASK_RETRIES,
            ),
            wait_first=lambda fs: _lost_scheduler(
                lambda: wait(fs, return_when="FIRST_COMPLETED").done, scheduler),
            result_of=lambda f: _lost_scheduler(lambda: _raise_lasting(f.result()), scheduler),
            cancel=lambda fs: client.cancel(fs) if fs else None,
            deliver=deliver,
            advance=advance,
            window=max(2, 2 * slots),
        )
    finally:
        client.close()
        client_log.setLevel(level)
        if cluster is not None:
            cluster.close()


class LastingError:
    """A batch's error that running it again would not change, returned as a value.

    Dask runs a task that *raises* again up to ``retries`` times, whatever it raised.
    """

    def __init__(self, exc: Exception, where: str) -> None:
        self.exc = exc
        self.where = where  # the worker's traceback (not pickled with every exception)


def attempt(fn: Callable[[BatchSpec], Any], spec: BatchSpec) -> Any:
    """Run ``fn(spec)`` as a Dask task: only transient errors are raised (and retried).

    Retried, as by the process pool: a transient error (:func:`~scosim.experiments.
    executors.is_transient`: a dropped connection, a time-out, another I/O error) and a
    worker of another version (the batch may land on a good one). A lost worker is
    rescheduled by Dask itself. Any other error (the model, its data, a plug-in the
    worker lacks) would fail the same way again: it is returned, and the run stops at once.
    """
    from scosim.experiments.versions import VersionMismatch

    try:
        return fn(spec)
    except Exception as exc:
        if ex.is_transient(exc) or isinstance(exc, VersionMismatch):
            raise
        import traceback

        return LastingError(exc, "".join(traceback.format_tb(exc.__traceback__)))


def _lost_scheduler(call: Callable[[], Any], scheduler: str | None) -> Any:
    """``call()``, with the loss of the scheduler as one :class:`ExecutorError`.

    Not Dask's ``FuturesCancelledError`` traceback: every batch in flight is cancelled
    when the client loses its scheduler.
    """
    import asyncio

    from distributed.client import FuturesCancelledError

    try:
        return call()
    except (FuturesCancelledError, asyncio.CancelledError) as exc:
        if "scheduler-connection-lost" not in str(exc) and not isinstance(
                exc, asyncio.CancelledError):
            raise
        where = f"at {scheduler}" if scheduler else "of the local cluster"
        raise ex.ExecutorError(
            f"lost the connection to the Dask scheduler {where} (stopped, or the network "
            "dropped); the batches written so far are kept and the same command resumes "
            "them once it runs again") from None


def _raise_lasting(value: Any) -> Any:
    if isinstance(value, LastingError):
        # The worker's frames, for SCOSIM_DEBUG=1: a returned exception carries none.
        value.exc.add_note(f"{ex.WORKER_TRACEBACK}\n" + value.where.rstrip())
        raise value.exc
    return value


def probe_scheduler(address: str, timeout: float) -> None:
    """Check that a Dask scheduler answers at ``address``, all within about ``timeout`` s.

    Connects as Dask does (handshake included) and asks the other end who it is, in a
    thread of its own with its own event loop (so it works under a notebook's loop too).

    Raises:
        ExecutorError: Nothing answers in time, something answers that is not a Dask
            scheduler (a worker, a web server, another protocol), or the address is
            malformed. One line, naming the address and what to check.
    """
    import asyncio

    from distributed.comm import connect, parse_address, parse_host_port
    from distributed.security import Security

    stage = ["connecting"]
    got: dict[str, Any] = {}

    async def reach(loc: str) -> None:
        # Only whether anything accepts connections there (Dask's connect also waits
        # for the handshake, so a silent listener would look unreachable). Retried like
        # Dask's own connect: a scheduler may be a moment away from listening.
        host, port = parse_host_port(loc)
        while True:
            try:
                _, writer = await asyncio.open_connection(host, port)
            except OSError as exc:
                got["refused"] = exc  # the last reason, for the message
                await asyncio.sleep(0.2)
                continue
            writer.close()
            return

    async def ask() -> Any:
        scheme, loc = parse_address(address)
        if scheme in ("tcp", "tls"):
            await reach(loc)
            stage[0] = "answering"
        comm = await connect(address, timeout=timeout,
                             **Security().get_connection_args("client"))
        stage[0] = "answering"
        try:
            await comm.write({"op": "identity"})
            return await comm.read()
        finally:
            comm.abort()

    def target() -> None:
        try:
            got["answer"] = asyncio.run(asyncio.wait_for(ask(), timeout))
        except BaseException as exc:  # reported by the caller  # noqa: BLE001
            got["error"] = exc

    thread = threading.Thread(target=target, name="scosim-scheduler-probe", daemon=True)
    thread.start()
    thread.join(timeout + 5.0)  # wait_for bounds it; this only guards against the loop
    answer, error = got.get("answer"), got.get("error")
    hint = "is it running (`dask scheduler`) and is the address right, e.g. tcp://host:8786?"
    if "answer" not in got and error is None or isinstance(error, TimeoutError):
        if stage[0] == "connecting":
            last = got.get("refused")
            why = f"{type(last).__name__}: {last}" if last is not None else "time-out"
            raise ex.ExecutorError(f"cannot reach the Dask scheduler at {address!r} within "
                                   f"{timeout:g} s ({why}); {hint}")
        raise ex.ExecutorError(
            f"no Dask scheduler answered at {address!r} within {timeout:g} s: something "
            "accepts connections there but says nothing (a web server? the dashboard's "
            f"port, 8787?); {hint}")
    if isinstance(error, ValueError) and stage[0] == "connecting":
        raise ex.ExecutorError(f"--scheduler {address!r} is not a Dask address ({error}); "
                               "it looks like tcp://host:8786")
    if error is not None:
        what = f"{type(error).__name__}: {str(error)[:200]}"
        if stage[0] == "connecting":
            raise ex.ExecutorError(
                f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s "
                f"({what}); {hint}")
        raise ex.ExecutorError(
            f"{address!r} answers, but not as a Dask scheduler ({what}); {hint}")
    kind = answer.get("type") if isinstance(answer, dict) else type(answer).__name__
    if kind != "Scheduler":
        raise ex.ExecutorError(
            f"{address!r} answers as a Dask {kind}, not a scheduler: give the scheduler's "
            "address (the one `dask scheduler` prints, and that workers were started with)")


def refuse_other_versions(client: Any, scheduler: str, expected: dict[str, str]) -> None:
    """Refuse a cluster any of whose workers runs another scosim or data version.

    Each batch checks its worker's versions too (:func:`scosim.runner.check_versions`),
    but Dask runs a refused batch again elsewhere: with one odd worker among good ones
    the run then finished, or failed, as the retries happened to fall. Asking every
    worker before the first batch makes the answer the same every time, and names them.

    Raises:
        ExecutorError: Naming each odd worker, what differs and what to do.
    """
    from scosim.experiments.versions import version_difference, versions

    answers = client.run(versions, on_error="return")
    odd = []
    for addr, got in sorted(answers.items()):
        if isinstance(got, BaseException):
            odd.append(f"{addr}: cannot tell its versions ({type(got).__name__}: {got})")
        elif version_difference(expected, got):
            odd.append(f"{addr}: {version_difference(expected, got, 'on the worker')}")
    if odd:
        raise ex.ExecutorError(
            f"{len(odd)} of the {len(answers)} workers of the Dask cluster at {scheduler} "
            f"run other versions than this client (package {expected.get('package')!r}, "
            f"data {expected.get('data')!r}), so nothing was run: " + " | ".join(odd))
