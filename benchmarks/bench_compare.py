"""Benchmark ``scosim compare`` as users run it: figures drawn in several processes or one.

Two runs are made first (``scenarios/customs_union.yaml`` and ``scenarios/baseline.yaml``,
``--replications N --no-plots``, same seed) in a temporary results root. Then, interleaved
round by round, each case compares them as a whole command:

    default      ``scosim compare customs_union baseline``: figures drawn by this process
                 and up to three others (the usable CPUs, at most 4)
    one-process  the same with ``--plot-workers 1``: every figure drawn in this process
    before       with ``--before-src DIR``: the same command run from another source tree
                 (``PYTHONPATH=DIR``, e.g. ``git worktree add ../before <commit>`` and
                 ``--before-src ../before/src``), to time a change against the code
                 before it

Measured per run: wall seconds and the peak of the resident memory summed over the
command's process tree (psutil, sampled every 20 ms: the figure workers' memory comes on
top of the main process's, which the kernel's per-process peak would not show). Reported
as median [min-max] over rounds, with the ratios one-process / default (and before /
default) formed per round.
Every report is checked to hold the same figures, byte for byte, in both cases.

Run:  .venv/bin/python benchmarks/bench_compare.py [--replications 2000] [--rounds 2]
          [--before-src DIR]
Writes ``benchmarks/results/bench_compare.json`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from machine import machine, summarise  # benchmarks/machine.py (script directory)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "bench_compare.json"
CASES: dict[str, list[str]] = {"default": [], "one-process": ["--plot-workers", "1"]}


def _env(src: str = "") -> dict[str, str]:
    # Bytecode caches allowed, as an installed package has them.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if src:
        env["PYTHONPATH"] = src
    return env


def measure(cmd: list[str], src: str = "") -> dict[str, float]:
    """Run ``cmd``; wall seconds and the peak summed RSS (MiB) of its process tree."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=_env(src))
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.Error:  # a process ended between listing and reading it
            pass
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{err[-2000:]}")
    return {"wall_s": wall, "peak_tree_rss_mib": peak / 2**20}


def _figures(report_root: Path) -> dict[str, str]:
    """Digest of every PNG of the one report under ``report_root``."""
    (report,) = list(report_root.iterdir())
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((report / "plots").glob("*.png"))}


def main(argv: list[str] | None = None) -> int:
    """Make the two runs, time the cases interleaved and write the JSON record."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--note", default="")
    ap.add_argument("--before-src", type=Path,
                    help="a source tree (its src/ folder) whose compare is timed as 'before'")
    args = ap.parse_args(argv)
    cases = dict(CASES)
    if args.before_src:
        if not (args.before_src / "scosim" / "__init__.py").is_file():
            ap.error(f"--before-src {args.before_src}: no scosim package there")
        cases["before"] = []
    base = [sys.executable, "-m", "scosim.cli"]  # PYTHONPATH picks the tree
    work = Path(tempfile.mkdtemp(prefix="scosim-bench-compare-"))
    load_before = list(os.getloadavg())
    results: dict[str, list[dict[str, float]]] = {k: [] for k in cases}
    digests: dict[str, dict[str, str]] = {}
    try:
        for name in ("customs_union", "baseline"):
            subprocess.run([*base, "run", str(ROOT / "scenarios" / f"{name}.yaml"),
                            "--replications", str(args.replications), "--no-plots",
                            "--quiet", "--out", str(work / "results")],
                           check=True, stdout=subprocess.DEVNULL, env=_env())
        for rnd in range(args.rounds):
            for case, extra in cases.items():
                shutil.rmtree(work / "results" / "compare", ignore_errors=True)
                m = measure([*base, "compare", "customs_union", "baseline", "--out",
                             str(work / "results"), "--quiet", *extra],
                            str(args.before_src) if case == "before" else "")
                results[case].append(m)
                figs = _figures(work / "results" / "compare")
                if digests.setdefault(case, figs) != figs or figs != next(
                        iter(digests.values())):
                    raise RuntimeError(f"round {rnd} {case}: figures differ between cases")
                print(f"round {rnd} {case}: {m['wall_s']:.1f} s, tree peak "
                      f"{m['peak_tree_rss_mib']:.0f} MiB", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    record: dict[str, Any] = {
        "machine": machine(),
        "note": args.note,
        "load_before": load_before,
        "load_after": list(os.getloadavg()),
        "command": f"python benchmarks/bench_compare.py --replications {args.replications} "
                   f"--rounds {args.rounds}"
                   + (" --before-src <tree of the code before>" if args.before_src else ""),
        "replications": args.replications,
        "figures": len(next(iter(digests.values()))),
        "figures_identical_between_cases": True,
        "cases": {case: {k: summarise([r[k] for r in runs]) for k in runs[0]}
                  for case, runs in results.items()},
    }
    for case in cases:
        if case != "default":
            record[f"{case.replace('-', '_')}_over_default_wall"] = summarise(
                [b["wall_s"] / a["wall_s"]
                 for a, b in zip(results["default"], results[case], strict=True)])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    r = record["one_process_over_default_wall"]
    print(f"one-process / default wall: {r['median']:.2f} [{r['min']:.2f}-{r['max']:.2f}]; "
          f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
