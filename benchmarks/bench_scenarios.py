"""Batched against the lean one-by-one path for every shipped scenario, interleaved.

``bench_batched.py`` measures the README's scenario (``customs_union.yaml``) in detail;
this script measures the same ratio for each scenario in ``scenarios/`` with the same
round (:func:`bench_batched.one_round`: one batch of ``--batch-size`` runs, then
``--singles`` of its runs one by one, each checked against its run in the batch).
Rounds go round-robin over the scenarios (round ``i`` times every scenario once before
round ``i + 1`` starts), so a slow phase of a shared machine hits all of them; each
scenario's ratio is formed per round (median single-run time / batched per-run time)
and reported as median [min-max] over rounds, with its parts as in ``bench_batched``.

Run:  python benchmarks/bench_scenarios.py [--rounds 3] [--batch-size 250] [--singles 5]
                                           [--only a.yaml,b.yaml]
Writes ``benchmarks/results/bench_scenarios.json`` (or ``--out``) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

from bench_batched import AIM, ROOT, by_part, one_round, warm_up  # benchmarks/ (script directory)
from machine import machine, summarise

from scosim._malloc import keep_freed_memory
from scosim.data import load_calibration
from scosim.scenario import load_scenario

OUT = ROOT / "benchmarks" / "results" / "bench_scenarios.json"


def main(argv: list[str] | None = None) -> int:
    """Time every scenario's two sides, round-robin, and write the JSON record."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=250)
    ap.add_argument("--singles", type=int, default=5, help="single runs timed per round")
    ap.add_argument("--only", default="", help="comma-separated scenario file names")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--note", default="")
    args = ap.parse_args(argv)
    keep_freed_memory()
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    if args.only:
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = wanted - {f.name for f in files}
        if unknown:
            raise SystemExit(f"--only: no such scenario in scenarios/: {sorted(unknown)}")
        files = [f for f in files if f.name in wanted]
    cal = load_calibration()
    loaded = {}
    for f in files:
        sc = load_scenario(f)
        loaded[f.name] = (sc, warm_up(sc, cal))
        print(f"warmed up {f.name}", file=sys.stderr, flush=True)
    load_before = list(os.getloadavg())
    acc: dict[str, dict[str, Any]] = {
        name: {"batched": [], "single": [], "ratios": [], "parts_b": [], "parts_s": [],
               "checked": 0, "max_rel": 0.0, "inexact": set()} for name in loaded}
    for i in range(args.rounds):
        runs = list(range(i * args.batch_size, (i + 1) * args.batch_size))
        for name, (sc, one) in loaded.items():
            rnd = one_round(sc, cal, one, runs, args.singles)
            a = acc[name]
            single = statistics.median(rnd["times"])
            a["batched"].append(1e3 * rnd["per_run_b"])
            a["single"].append(1e3 * single)
            a["ratios"].append(single / rnd["per_run_b"])
            a["parts_b"].append(rnd["parts_b"])
            a["parts_s"].append(rnd["parts_s"])
            a["checked"] += rnd["checked"]
            a["max_rel"] = max(a["max_rel"], rnd["max_rel"])
            a["inexact"] |= rnd["inexact"]
            print(f"round {i} {name}: {a['ratios'][-1]:.1f}x", file=sys.stderr, flush=True)
    scenarios = {}
    for name, a in acc.items():
        scenarios[name] = {
            "batched_ms_per_run": summarise(a["batched"]),
            "single_ms_per_run": summarise(a["single"]),
            "ratio": summarise(a["ratios"]),
            "ratio_by_part": {part: v["ratio"] for part, v in
                              by_part(a["parts_b"], a["parts_s"]).items()},
            "single_runs_identical_to_batch": a["checked"],
            "not_bit_identical": sorted(a["inexact"]),
            "max_relative_difference": a["max_rel"],
        }
    out = {
        "machine": machine(),
        "note": args.note,
        "load_before": load_before,
        "load_after": list(os.getloadavg()),
        "rounds": args.rounds,
        "batch_size": args.batch_size,
        "singles_per_round": args.singles,
        "command": "python benchmarks/bench_scenarios.py "
                   f"--rounds {args.rounds} --batch-size {args.batch_size} "
                   f"--singles {args.singles}" + (f" --only {args.only}" if args.only else ""),
        "aim": AIM,
        "parts_note": "ge_solve: solve_ge; ras_rebase: rebase_flows; rest: everything else "
                      "(bench_batched.py). A part a scenario does not call has no ratio "
                      "(its batched time is the timer's noise).",
        "scenarios": scenarios,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print("| scenario | batched, ms a run | single, ms a run | ratio (median [min-max]) |")
    print("|---|---|---|---|")
    for name, v in sorted(scenarios.items(), key=lambda kv: kv[1]["ratio"]["median"]):
        r = v["ratio"]
        print(f"| `{name}` | {v['batched_ms_per_run']['median']:.2f} | "
              f"{v['single_ms_per_run']['median']:.1f} | "
              f"{r['median']:.1f}x [{r['min']:.1f}-{r['max']:.1f}] |")
    at_aim = sum(v["ratio"]["median"] >= AIM for v in scenarios.values())
    print(f"{at_aim} of {len(scenarios)} scenarios at {AIM:.0f}x or more; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
