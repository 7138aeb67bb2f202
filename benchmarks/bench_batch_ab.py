"""One batch of the model, this source tree against another, in interleaved processes.

For a change to the batched path (``SCOModel`` over a batch of runs), this times the same
work from two source trees: round ``i`` starts one process with this tree's ``src/`` and
then one with ``--before-src`` (e.g. ``git worktree add ../before <commit>`` and
``--before-src ../before/src``). Each process loads the scenario and the calibration, warms
up on a few runs, then times ``--batches`` batches of ``--batch-size`` consecutive runs and
reports the fastest, per run; the ratio now / before is formed per round and reported as
median [min-max]. Every process gets ``OPENBLAS_NUM_THREADS=1`` and the process-wide
memory setting batches run with (``scosim._malloc.keep_freed_memory``), as worker
processes do. Unlike ``bench_batched.py`` nothing is checked against single runs: both
trees run their own code.

Run:  python benchmarks/bench_batch_ab.py --before-src ../before/src [--rounds 10]
Writes ``--out`` (JSON) when given.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from machine import machine, summarise  # benchmarks/machine.py (script directory)

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "customs_union.yaml"

#: What each process runs: prints the fastest batch's seconds.
CHILD = r"""
import sys, time
from scosim._malloc import keep_freed_memory
from scosim.data import load_calibration
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario
keep_freed_memory()
scenario, size, batches = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sc = load_scenario(scenario)
cal = load_calibration()
SCOModel(sc, runs=range(8), calibration=cal).run_model()
best = float("inf")
for i in range(batches):
    t0 = time.perf_counter()
    SCOModel(sc, runs=range(size * i, size * (i + 1)), calibration=cal).run_model()
    best = min(best, time.perf_counter() - t0)
print(best)
"""


def _time(src: Path, scenario: Path, size: int, batches: int) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(src), OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", CHILD, str(scenario), str(size), str(batches)],
                         env=env, capture_output=True, text=True, check=True).stdout
    return float(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Time both trees round by round and print (and optionally write) the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before-src", type=Path, required=True,
                    help="the other tree's src/ folder (the code before the change)")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=250)
    ap.add_argument("--batches", type=int, default=3, help="batches timed per process")
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--note", default="")
    args = ap.parse_args(argv)
    before = args.before_src.resolve()
    if not (before / "scosim" / "__init__.py").is_file():
        ap.error(f"--before-src {args.before_src}: no scosim package there")
    load_before = list(os.getloadavg())
    now_ms: list[float] = []
    before_ms: list[float] = []
    for i in range(args.rounds):
        for src, acc in ((ROOT / "src", now_ms), (before, before_ms)):
            acc.append(1e3 * _time(src, args.scenario.resolve(), args.batch_size,
                                   args.batches) / args.batch_size)
        print(f"round {i}: now {now_ms[-1]:.3f} ms a run, before {before_ms[-1]:.3f}",
              file=sys.stderr, flush=True)
    ratios = [n / b for n, b in zip(now_ms, before_ms, strict=True)]
    out: dict[str, Any] = {
        "machine": machine(),
        "note": args.note,
        "load_before": load_before,
        "load_after": list(os.getloadavg()),
        "scenario": str(args.scenario),
        "batch_size": args.batch_size,
        "batches_per_process": args.batches,
        "rounds": args.rounds,
        "now_ms_per_run": summarise(now_ms),
        "before_ms_per_run": summarise(before_ms),
        "ratio_now_to_before": summarise(ratios),
    }
    r = out["ratio_now_to_before"]
    print(f"now / before: {r['median']:.3f} [{r['min']:.3f}-{r['max']:.3f}] "
          f"({out['now_ms_per_run']['median']:.3f} against "
          f"{out['before_ms_per_run']['median']:.3f} ms a run)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
