"""Where a ``scosim`` command's resident memory goes, stage by stage (Linux only).

Runs a ``scosim`` command in this process (``scosim.cli.main``) and writes a line every
``--every`` seconds, and one at each stage's start and end, with the process's resident
size and its peak so far (``VmRSS``, ``VmHWM`` of ``/proc/self/status``, MiB), glibc's
heap (``mallinfo2``: the heap's size, the part in use and the part free but kept,
MiB; glibc 2.33 or later) and the bytes held by Arrow's memory pool. The stages are
the end of a run: gathering the statistics (``StatsFeed.result``), drawing the figures
(``plot_run``, and in it the summary table, each figure and the mechanism figures'
reading of the run's indicator names); at ``plot_run`` it also writes how many bins the
run's quantile sketches hold (16 bytes each).

Unlike ``bench_cli.py`` (the kernel's peak of the whole process tree, what the docs'
tables report) it says when the peak happens. The sampling thread costs nothing
measurable; the peak it sees matches ``bench_cli.py``'s within a few MiB.

Run (the traces of docs/performance.md, 2026-12-07):
    python benchmarks/trace_memory.py --out trace-100000.txt -- \
        run scenarios/customs_union.yaml --replications 100000 --quiet
"""

from __future__ import annotations

import argparse
import ctypes
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO


class _MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _heap() -> str:
    """glibc's heap: size, in use and free (MiB); empty where mallinfo2 is missing."""
    try:
        fn = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return ""
    fn.restype = _MallInfo2
    m = fn()
    return f" heap={m.arena >> 20} used={m.uordblks >> 20} free={m.fordblks >> 20}"


class Tracer:
    """Writes resident memory lines to ``out``, each tagged with the current stage."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.stage = "start"
        self.t0 = time.perf_counter()
        self.lock = threading.Lock()

    def line(self, note: str = "") -> None:
        """One line: seconds, resident and peak MiB, heap, Arrow's pool, stage, note."""
        status = {}
        with open("/proc/self/status") as f:
            for row in f:
                key, _, value = row.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    status[key] = int(value.split()[0]) >> 10
        arrow = ""
        if "pyarrow" in sys.modules:  # never imported here for its own sake
            arrow = f" arrow={sys.modules['pyarrow'].default_memory_pool().bytes_allocated() >> 20}"
        with self.lock:
            self.out.write(f"{time.perf_counter() - self.t0:8.1f} rss={status['VmRSS']} "
                           f"hwm={status['VmHWM']}{_heap()}{arrow} {self.stage}"
                           f"{' ' + note if note else ''}\n")
            self.out.flush()

    def wrap(self, owner: Any, name: str, before: Callable[..., str] | None = None) -> None:
        """Mark ``owner.name`` as a stage: a line at its start (with ``before``'s note)
        and one at its end."""
        fn = getattr(owner, name)

        def staged(*args: Any, **kwargs: Any) -> Any:
            outer, self.stage = self.stage, name
            self.line("start" + (f" {before(*args, **kwargs)}" if before else ""))
            try:
                return fn(*args, **kwargs)
            finally:
                self.line("end")
                self.stage = outer

        setattr(owner, name, staged)


def _sketch_bins(*args: Any, stats: Any = None, **kwargs: Any) -> str:
    """How many bins the statistics' quantile sketches hold (plot_run's ``stats``)."""
    if stats is None:
        return ""
    bins = sum(s.sketch.codes.size for s in stats.indicators.values() if not s.held_values)
    return f"sketch_bins={bins} ({bins * 16 / 2**20:.1f} MiB, {len(stats.indicators)} indicators)"


def main(argv: list[str] | None = None) -> int:
    """Trace one ``scosim`` command (the arguments after ``--``)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="trace file to write")
    ap.add_argument("--every", type=float, default=2.0, help="seconds between samples")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- then scosim's arguments")
    args = ap.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("give scosim's arguments after --, e.g. -- run scenarios/customs_union.yaml")
    with args.out.open("w") as out:
        tracer = Tracer(out)

        def sample() -> None:
            while True:
                tracer.line()
                time.sleep(args.every)

        threading.Thread(target=sample, daemon=True).start()
        import scosim.mechanism_plots as mechanism_plots
        import scosim.plots as plots
        import scosim.run_headline as run_headline
        import scosim.stats_feed as stats_feed
        from scosim.cli import main as scosim_main

        tracer.wrap(stats_feed.StatsFeed, "result")
        tracer.wrap(plots, "plot_run", _sketch_bins)
        for name in ("summary_table", "plot_gdp_paths", "plot_welfare_final",
                     "plot_welfare_paths", "plot_membership", "plot_vote_reasons",
                     "plot_mechanism_figures"):
            tracer.wrap(plots, name)
        tracer.wrap(run_headline, "write_headline")
        tracer.wrap(mechanism_plots, "indicator_names")
        tracer.stage = "batches"
        code = scosim_main(command)
        tracer.stage = "done"
        tracer.line()
    return code


if __name__ == "__main__":
    sys.exit(main())
