"""Batched ensemble against the lean one-by-one path, interleaved round by round.

Both sides run the same model (``scenarios/customs_union.yaml``, or ``--scenario``) in
this one process:

* batched: one ``SCOModel`` over ``--batch-size`` consecutive runs, stepped
  (``scosim.runner.run_model``); per-run time = batch time / batch size;
* lean single: :class:`scosim.single.SingleRunner` (calibration loaded once, one
  model of one run built and stepped, records kept as arrays; no batch planning,
  tidy tables or writes per run).

Round ``i`` times one batch and then ``--singles`` single runs taken from that batch's
runs, so a slow phase of a shared machine hits both sides. The ratio is formed per
round (median single-run time of the round / batched per-run time of the round) and
reported as median [min-max] over rounds.

Where the time goes: on both sides the GE solves (``solve_ge``, yearly solves and the
Council's previews) and the RAS re-basing of the baseline (``rebase_flows``) are timed
by wrappers at their call sites in the model, and the rest of the step (Council,
policy, indicators, set-up) is the remainder. The record gives each part's time per
run on both sides and its own ratio: the ratio of the rest is the ceiling that solvers
costing nothing would leave. Every timed single run is checked to give
the same indicators as the same run in the batch (within a relative 1e-12: a sum over
the batch axis may round its last digit differently from R = 1; the record names any
indicator that is not bit-identical). Table conversion and writing are
outside the timed regions on both sides.

Run:  .venv/bin/python benchmarks/bench_batched.py [--rounds 4] [--batch-size 250]
                                                   [--singles 8] [--scenario FILE]
Writes ``benchmarks/results/bench_batched.json`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from machine import machine, summarise  # benchmarks/machine.py (script directory)

from scosim._malloc import keep_freed_memory
from scosim.data import load_calibration
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario
from scosim.single import SingleRunner

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "customs_union.yaml"
OUT = ROOT / "benchmarks" / "results" / "bench_batched.json"
AIM = 30.0
#: Largest relative difference accepted between a single run and the same run in a batch.
RTOL = 1e-12


#: Solver parts timed at their call sites: (module, attribute, part).
PARTS = (("scosim.model.trade_solves", "solve_ge", "ge_solve"),
         ("scosim.mechanisms.short_run", "solve_ge", "ge_solve"),
         ("scosim.mechanisms.customs_union", "solve_ge", "ge_solve"),
         ("scosim.model.trade_solves", "rebase_flows", "ras_rebase"))


@contextmanager
def timed_parts() -> Iterator[dict[str, float]]:
    """Seconds spent in each solver part while the block runs (outermost calls only)."""
    import importlib

    acc = {part: 0.0 for _, _, part in PARTS}
    calls = dict.fromkeys(acc, 0)
    depth = [0]

    def wrap(fn: Callable[..., Any], part: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            depth[0] += 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    acc[part] += time.perf_counter() - t0
                    calls[part] += 1
        return timed

    saved = []
    for mod_name, attr, part in PARTS:
        mod = importlib.import_module(mod_name)
        saved.append((mod, attr, getattr(mod, attr)))
        setattr(mod, attr, wrap(getattr(mod, attr), part))
    try:
        yield acc
    finally:
        for mod, attr, fn in saved:
            setattr(mod, attr, fn)
    # A call site renamed or moved would silently time nothing.
    missing = [p for p, c in calls.items() if c == 0]
    if missing:
        raise SystemExit(f"no calls timed for {missing}: update PARTS to the model's call sites")


def _shown(path: Path) -> str:
    """A scenario's path relative to the checkout when inside it (no machine paths)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def breakdown(total: float, parts: dict[str, float], n_runs: int) -> dict[str, float]:
    """Milliseconds per run of each part and of the rest."""
    out = {k: 1e3 * v / n_runs for k, v in parts.items()}
    out["rest"] = 1e3 * total / n_runs - sum(out.values())
    return out


def one_round(sc: Any, cal: Any, one: SingleRunner, runs: list[int],
              singles: int) -> dict[str, Any]:
    """One batch of ``runs`` timed by parts, then ``singles`` of its runs one by one.

    Every timed single run is checked against the same run in the batch (``RTOL``).

    Returns:
        ``per_run_b`` (s), ``times`` (s, the single runs), ``parts_b`` and
        ``parts_s`` (ms per run by part: the batch's, the singles' medians),
        ``max_rel`` and ``inexact`` (indicators not bit-identical), ``checked``.
    """
    with timed_parts() as acc:
        t0 = time.perf_counter()
        model = SCOModel(sc, runs=runs, calibration=cal)
        model.run_model()
        total = time.perf_counter() - t0
    parts_b = breakdown(total, acc, len(runs))
    step = max(1, len(runs) // singles)
    times: list[float] = []
    single_parts = []
    max_rel, inexact, checked = 0.0, set(), 0
    for r in runs[::step][:singles]:
        with timed_parts() as acc:
            t0 = time.perf_counter()
            res = one.run(r)
            total_s = time.perf_counter() - t0
        times.append(total_s)
        single_parts.append(breakdown(total_s, acc, 1))
        col = r - runs[0]
        for name, rows in model.records.items():
            a, b = res.indicators[name], np.stack(rows)[:, col, :]
            if np.array_equal(a, b, equal_nan=True):
                continue
            # Sums over a batch axis may round differently from R = 1 (last digit).
            if not np.allclose(a, b, rtol=RTOL, atol=0.0, equal_nan=True):
                raise SystemExit(f"run {r}: {name} differs between batch and single")
            rel = np.abs(a - b) / np.maximum(np.abs(b), np.finfo(float).tiny)
            max_rel = max(max_rel, float(np.nanmax(rel)))
            inexact.add(name)
        checked += 1
    return {
        "per_run_b": total / len(runs), "times": times, "parts_b": parts_b,
        "parts_s": {k: statistics.median(p[k] for p in single_parts) for k in single_parts[0]},
        "max_rel": max_rel, "inexact": inexact, "checked": checked,
    }


def by_part(parts_b: list[dict[str, float]], parts_s: list[dict[str, float]]
            ) -> dict[str, dict[str, Any]]:
    """Each part's batched and single ms a run and its ratio, summarised over rounds."""
    return {
        part: {
            "batched_ms_per_run": summarise([p[part] for p in parts_b]),
            "single_ms_per_run": summarise([p[part] for p in parts_s]),
            "ratio": summarise([s[part] / b[part] for s, b in zip(parts_s, parts_b, strict=True)]),
        }
        for part in parts_b[0]
    }


def warm_up(sc: Any, cal: Any) -> SingleRunner:
    """The lean single path of ``sc``, both paths run once (first-call caches, imports)."""
    one = SingleRunner(sc, cal)
    one.run(0)
    SCOModel(sc, runs=range(4), calibration=cal).run_model()
    return one


def main(argv: list[str] | None = None) -> int:
    """Time the two sides interleaved and write the JSON record."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=250)
    ap.add_argument("--singles", type=int, default=8, help="single runs timed per round")
    ap.add_argument("--scenario", type=Path, default=SCENARIO,
                    help="scenario YAML (default: scenarios/customs_union.yaml, the README's)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--note", default="")
    args = ap.parse_args(argv)
    # As scosim.runner.run_batch does in every process that runs batches.
    keep_freed_memory()
    scenario = args.scenario.resolve()
    sc = load_scenario(scenario)
    cal = load_calibration()
    one = warm_up(sc, cal)
    load_before = list(os.getloadavg())
    batched, single_med, ratios, checked = [], [], [], 0
    parts_b: list[dict[str, float]] = []
    parts_s: list[dict[str, float]] = []
    max_rel, inexact = 0.0, set()
    for i in range(args.rounds):
        runs = list(range(i * args.batch_size, (i + 1) * args.batch_size))
        rnd = one_round(sc, cal, one, runs, args.singles)
        per_run_b = rnd["per_run_b"]
        parts_b.append(rnd["parts_b"])
        parts_s.append(rnd["parts_s"])
        max_rel = max(max_rel, rnd["max_rel"])
        inexact |= rnd["inexact"]
        checked += rnd["checked"]
        batched.append(per_run_b)
        single_med.append(statistics.median(rnd["times"]))
        ratios.append(single_med[-1] / per_run_b)
        print(f"round {i}: batched {1e3 * per_run_b:.1f} ms/run, single "
              f"{1e3 * single_med[-1]:.0f} ms/run, ratio {ratios[-1]:.1f}", file=sys.stderr,
              flush=True)
    years = sc.years.end - sc.years.start + 1
    where = by_part(parts_b, parts_s)
    out: dict[str, Any] = {
        "machine": machine(),
        "note": args.note,
        "load_before": load_before,
        "load_after": list(os.getloadavg()),
        "scenario": _shown(scenario),
        "years": years,
        "rounds": args.rounds,
        "batch_size": args.batch_size,
        "singles_per_round": args.singles,
        "command": "python benchmarks/bench_batched.py "
                   f"--rounds {args.rounds} --batch-size {args.batch_size} "
                   f"--singles {args.singles}"
                   + ("" if scenario == SCENARIO else f" --scenario {_shown(scenario)}"),
        "batched_ms_per_run": summarise([1e3 * t for t in batched]),
        "single_ms_per_run": summarise([1e3 * t for t in single_med]),
        "ratio": summarise(ratios),
        "aim": AIM,
        "where_the_time_goes": where,
        "where_note": "ge_solve: solve_ge (yearly solves and Council previews); ras_rebase: "
                      "rebase_flows (the moving baseline); rest: everything else of the step. "
                      "Each part's ratio is single / batched per run within a round; the "
                      "ratio of the rest is what solvers costing nothing would leave.",
        "single_runs_identical_to_batch": checked,
        "identity_note": f"every indicator equal within relative {RTOL:g}; not bit-identical: "
                         f"{sorted(inexact) or 'none'} (max relative difference {max_rel:.1e})",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    r = out["ratio"]
    for part, v in where.items():
        print(f"  {part}: {v['batched_ms_per_run']['median']:.2f} ms batched, "
              f"{v['single_ms_per_run']['median']:.1f} ms single, "
              f"{v['ratio']['median']:.1f}x [{v['ratio']['min']:.1f}-{v['ratio']['max']:.1f}]")
    print(f"batched vs lean single: {r['median']:.1f}x [{r['min']:.1f}-{r['max']:.1f}] "
          f"(aim {AIM:.0f}x); wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
