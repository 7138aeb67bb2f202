"""Two-worker parallel efficiency of the process and Dask executors, and per-task overhead.

Each case is one full ``scosim.run(...)`` of ``scenarios/customs_union.yaml`` (results
written to a temporary directory, no plots), timed whole, including starting the
worker pool or the Dask LocalCluster:

    local       one process, batched (the reference)
    process-1   process executor, 1 worker      process-2   2 workers
    dask-1      Dask LocalCluster, 1 worker     dask-2      2 workers

Cases run interleaved round by round (a drift of a shared machine hits all alike).
Per round:

    efficiency(executor) = T(local) / (2 * T(executor, 2 workers))
    scaling(executor)    = T(executor, 1 worker) / (2 * T(executor, 2 workers))
    overhead per task    = (T(executor, 1 worker) - T(local)) / number of batches

reported as median [min-max] over rounds. Efficiency 1 means two workers halve the
local time; scaling is the usual strong-scaling efficiency of the executor itself (one
worker against two, both with one BLAS thread per worker, while the local process may use
more); the overhead is what shipping a batch to a worker and its results back
costs beyond computing it (pool or cluster start-up included, spread over the tasks).
Needs as many free cores as workers: on a loaded machine the efficiency measures the
load, not the executor.

Run:  .venv/bin/python benchmarks/bench_parallel.py [--rounds 3] [--replications 1000]
                                                    [--batch-size 125]
Writes ``benchmarks/results/bench_parallel.json`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from machine import machine  # benchmarks/machine.py (script directory)

from scosim.runner import run

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "customs_union.yaml"
OUT = ROOT / "benchmarks" / "results" / "bench_parallel.json"
AIM = 0.8

CASES: dict[str, tuple[str, int | None]] = {
    "local": ("local", None),
    "process-1": ("process", 1),
    "process-2": ("process", 2),
    "dask-1": ("dask", 1),
    "dask-2": ("dask", 2),
}


def summarise(values: list[float]) -> dict[str, float]:
    """Median, min and max."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def main(argv: list[str] | None = None) -> int:
    """Run the cases interleaved and write the JSON record."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--replications", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=125)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--note", default="")
    args = ap.parse_args(argv)
    n_batches = -(-args.replications // args.batch_size)
    work = Path(tempfile.mkdtemp(prefix="scosim-bench-par-"))
    load_before = list(os.getloadavg())
    times: dict[str, list[float]] = {k: [] for k in CASES}
    try:
        run(SCENARIO, replications=4, batch_size=2, out=work / "warm", progress=False,
            plots=False)
        for rnd in range(args.rounds):
            for name, (executor, workers) in CASES.items():
                out = work / name
                t0 = time.perf_counter()
                run(SCENARIO, replications=args.replications, batch_size=args.batch_size,
                    executor=executor, workers=workers, out=out, progress=False, plots=False,
                    resume=False)
                times[name].append(time.perf_counter() - t0)
                shutil.rmtree(out, ignore_errors=True)
                print(f"round {rnd} {name}: {times[name][-1]:.2f} s", file=sys.stderr,
                      flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    local = times["local"]
    result: dict[str, Any] = {
        "machine": machine(),
        "note": args.note,
        "load_before": load_before,
        "load_after": list(os.getloadavg()),
        "command": f"python benchmarks/bench_parallel.py --rounds {args.rounds} "
                   f"--replications {args.replications} --batch-size {args.batch_size}",
        "scenario": str(SCENARIO.relative_to(ROOT)),
        "replications": args.replications,
        "batch_size": args.batch_size,
        "tasks": n_batches,
        "seconds": {k: summarise(v) for k, v in times.items()},
        "aim_efficiency": AIM,
    }
    for ex in ("process", "dask"):
        one, two = times[f"{ex}-1"], times[f"{ex}-2"]
        result[f"{ex}_efficiency"] = summarise(
            [lo / (2 * t2) for lo, t2 in zip(local, two, strict=True)])
        result[f"{ex}_scaling"] = summarise(
            [t1 / (2 * t2) for t1, t2 in zip(one, two, strict=True)])
        result[f"{ex}_overhead_per_task_s"] = summarise(
            [(t1 - lo) / n_batches for lo, t1 in zip(local, one, strict=True)])
        e, o = result[f"{ex}_efficiency"], result[f"{ex}_overhead_per_task_s"]
        sc = result[f"{ex}_scaling"]
        print(f"{ex}: efficiency {e['median']:.2f} [{e['min']:.2f}-{e['max']:.2f}], "
              f"scaling {sc['median']:.2f} [{sc['min']:.2f}-{sc['max']:.2f}], "
              f"overhead {o['median']:.2f} s/task [{o['min']:.2f}-{o['max']:.2f}]")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
