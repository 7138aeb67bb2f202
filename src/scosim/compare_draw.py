"""Drawing a comparison's figures in worker processes (:func:`draw_all`).

A 28-panel figure takes seconds in matplotlib, and the figures are independent, so a
report's are drawn by this process and up to three others. Moved out of
:mod:`scosim.compare_plots` (which re-exports these names) to keep that module under
600 lines; the figures themselves are drawn there.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import itertools
import multiprocessing as mp
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

__all__ = ["MAX_FIGURE_WORKERS", "MIN_PARALLEL_FIGURES", "FigureJob", "draw", "draw_all"]


#: Figures below which :func:`draw_all` draws in this process: starting a worker
#: (Python, pandas and matplotlib imports) costs about a second.
MIN_PARALLEL_FIGURES = 4

#: Default cap on drawing processes: each holds matplotlib and pandas (about 150 MiB).
MAX_FIGURE_WORKERS = 4

#: One figure: the name of a plot function of :mod:`scosim.compare_plots`, its data,
#: indicator and keyword arguments.
FigureJob = tuple[str, pd.DataFrame, str, dict[str, Any]]


def draw(name: str, summary: pd.DataFrame, indicator: str, kwargs: dict[str, Any]) -> int:
    """Draw and save one figure; return this process's id (module level: workers import it)."""
    from scosim import compare_plots

    plt = compare_plots._plt()
    fig = getattr(compare_plots, name)(summary, indicator, **kwargs)
    plt.close(fig)
    return os.getpid()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def draw_all(
    jobs: Sequence[FigureJob],
    *,
    workers: int | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> list[int]:
    """Draw figures in this process and up to ``workers - 1`` others.

    This process draws too, so up to ``workers`` processes draw in all (default: the
    usable CPUs, at most :data:`MAX_FIGURE_WORKERS`). A figure is drawn the same
    way in a worker as here, so the files are byte for byte the same. Fewer than
    :data:`MIN_PARALLEL_FIGURES` figures, or one worker, are drawn here only.
    Before starting workers this process returns its freed memory to the system
    (:func:`scosim._malloc.release_freed_memory`): reading the runs leaves hundreds
    of MiB free but held, and the workers' memory would come on top of it.

    Args:
        jobs: ``(plot function name, summary, indicator, keyword arguments)`` each,
            the keyword arguments including ``path``; give each job its own
            indicator's rows only (jobs are pickled to the workers), longest first.
        workers: Processes that draw, this one included; 1 draws here only.
        on_done: Called as ``on_done(done, total)`` after each figure (from a helper
            thread when a worker drew it).

    Returns:
        The id of the process that drew each job, in the order of ``jobs``.

    Raises:
        ValueError: ``workers`` below 1.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    n = min(workers or min(_cpus(), MAX_FIGURE_WORKERS), len(jobs))
    drawn_by = [0] * len(jobs)
    count = itertools.count(1)
    lock = threading.Lock()

    def finished(i: int, pid: int) -> None:
        drawn_by[i] = pid
        with lock:
            k = next(count)
        if on_done is not None:
            on_done(k, len(jobs))

    if n <= 1 or len(jobs) < MIN_PARALLEL_FIGURES:
        for i, job in enumerate(jobs):
            finished(i, draw(*job))
        return drawn_by
    from scosim._malloc import release_freed_memory

    release_freed_memory()
    queue = collections.deque(enumerate(jobs))  # popleft is atomic: threads share it
    errors: list[BaseException] = []
    # spawn, as the executors: no forked copies of this process's threads.
    pool = cf.ProcessPoolExecutor(max_workers=n - 1, mp_context=mp.get_context("spawn"))

    def feed(first: tuple[int, FigureJob]) -> None:
        # One figure in flight per helper thread; the first is taken before this
        # process starts drawing, so that the pool has work from its start.
        item: tuple[int, FigureJob] | None = first
        try:
            while item is not None:
                i, job = item
                finished(i, pool.submit(draw, *job).result())
                item = queue.popleft() if queue else None
        except BaseException as exc:  # reported by the calling thread
            errors.append(exc)
            queue.clear()

    feeders = [threading.Thread(target=feed, args=(queue.popleft(),), daemon=True)
               for _ in range(n - 1)]
    for t in feeders:
        t.start()
    try:
        while queue:
            try:
                i, job = queue.popleft()
            except IndexError:  # a feeder took the last one
                break
            finished(i, draw(*job))
        for t in feeders:
            t.join()
    except BaseException:
        queue.clear()
        # Wait for the figures in flight (one a worker): a worker still drawing after the
        # caller cleaned up wrote its PNG into a directory the clean-up had removed,
        # recreating the report's partial directory (Ctrl-C, SIGTERM).
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    if errors:
        raise errors[0]
    return drawn_by
