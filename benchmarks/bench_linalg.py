"""What one small linear solve and one small matrix product cost, per matrix, on this machine.

A batch of the model spends much of its time in two numpy calls on stacks of small
matrices: ``np.linalg.solve`` on (250, n, n) Newton systems (n = 27 and 28: the RAS
re-basing and the GE solve) and ``@`` on (250, 28, 28) stacks (the GE Jacobian). numpy
hands each matrix of a stack to LAPACK's ``gesv`` or BLAS's ``gemm`` in turn, so what a
call costs per matrix is mostly the library's fixed cost of a small call, which depends on
the machine and on the kernels OpenBLAS picked for it. That cost explains much of why the
batched ratio differs between machines (docs/performance.md, "Where the aims stand").

Per round, for each n: one timed loop of ``--calls`` solves of a (``--batch``, n, n) stack
with one right-hand side each, then one of ``--calls`` products of two such stacks;
figures are microseconds per matrix, median [min-max] over rounds, with the ratio of the
two formed per round. ``--coretypes`` repeats the measurement in child processes with
``OPENBLAS_CORETYPE`` set (OpenBLAS's kernel choice; ``Prescott`` is its generic x86-64
kernel), to show how much is the kernels' fixed cost.

Run:  .venv/bin/python benchmarks/bench_linalg.py [--rounds 7] [--coretypes Haswell,Prescott]
Writes ``benchmarks/results/bench_linalg.json`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from machine import machine, summarise  # benchmarks/machine.py (script directory)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "bench_linalg.json"
SIZES = (27, 28)


def measure(rounds: int, batch: int, calls: int) -> dict[str, Any]:
    """Microseconds per matrix of a stacked solve and a stacked product, for each size.

    The matrices are diagonally dominant (well conditioned, like the Newton systems), and
    every solve is checked to solve its system.
    """
    import numpy as np

    rng = np.random.default_rng(20250101)
    out: dict[str, Any] = {}
    for n in SIZES:
        a = rng.standard_normal((batch, n, n)) + n * np.eye(n)
        b = rng.standard_normal((batch, n, 1))
        c = rng.standard_normal((batch, n, n))
        x = np.linalg.solve(a, b)
        residual = float(np.abs(a @ x - b).max())
        if not residual < 1e-9:
            raise SystemExit(f"solve gave a residual of {residual:g} for n={n}")
        for _ in range(3):  # warm caches and the library's first-call set-up
            np.linalg.solve(a, b)
            a @ c
        solve_us, matmul_us, ratio = [], [], []
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(calls):
                np.linalg.solve(a, b)
            t1 = time.perf_counter()
            for _ in range(calls):
                a @ c
            t2 = time.perf_counter()
            solve_us.append(1e6 * (t1 - t0) / (calls * batch))
            matmul_us.append(1e6 * (t2 - t1) / (calls * batch))
            ratio.append(solve_us[-1] / matmul_us[-1])
        out[str(n)] = {"solve_us_per_matrix": summarise(solve_us),
                       "matmul_us_per_matrix": summarise(matmul_us),
                       "solve_over_matmul": summarise(ratio),
                       "max_residual": residual}
    return out


def main(argv: list[str] | None = None) -> int:
    """Measure, optionally for other OpenBLAS kernels, and write the record."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--batch", type=int, default=250, help="matrices in a stack")
    ap.add_argument("--calls", type=int, default=40, help="calls timed per round and size")
    ap.add_argument("--coretypes", default="",
                    help="comma-separated OPENBLAS_CORETYPE values to measure as well")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    for name in ("rounds", "batch", "calls"):
        if getattr(args, name) < 1:
            ap.error(f"--{name} must be at least 1")
    if args.child:  # one kernel's figures, as JSON on stdout
        print(json.dumps(measure(args.rounds, args.batch, args.calls)))
        return 0
    record: dict[str, Any] = {
        "machine": machine(),
        "command": shlex.join(["python", "benchmarks/bench_linalg.py",
                               *(sys.argv[1:] if argv is None else argv)]),
        "batch": args.batch,
        "calls": args.calls,
        "rounds": args.rounds,
        "default": measure(args.rounds, args.batch, args.calls),
    }
    coretypes = [c.strip() for c in args.coretypes.split(",") if c.strip()]
    if coretypes:
        record["by_coretype"] = {}
    for core in coretypes:
        env = {**os.environ, "OPENBLAS_CORETYPE": core}
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--rounds", str(args.rounds),
             "--batch", str(args.batch), "--calls", str(args.calls)],
            env=env, capture_output=True, text=True, check=True)
        record["by_coretype"][core] = json.loads(done.stdout.strip().splitlines()[-1])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=1) + "\n")
    for label, figures in [("default", record["default"]),
                           *record.get("by_coretype", {}).items()]:
        for n, f in figures.items():
            s, m = f["solve_us_per_matrix"], f["matmul_us_per_matrix"]
            print(f"{label:>9} n={n}: solve {s['median']:.1f} us [{s['min']:.1f}-{s['max']:.1f}]"
                  f", matmul {m['median']:.1f} us [{m['min']:.1f}-{m['max']:.1f}] a matrix")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
