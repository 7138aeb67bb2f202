"""Benchmark the GE trade solver.

(a) scosim vs gegravity 0.3 on the gegravity example (30 countries, Canada-Japan PTA).
(b) 1,000 batched solves vs the same 1,000 solved one by one (N = 28, scosim's
    calibration when available, else a synthetic 28-economy problem), with random
    elasticities and tariff scenarios per run.

All timings are taken in this one process; compare ratios, not absolute seconds.
Run:  .venv/bin/python benchmarks/bench_ge.py [--quick]
Writes benchmarks/results/bench_ge.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
from machine import machine as machine_info  # benchmarks/machine.py (script directory)

from scosim.trade import solve_ge
from scosim.validation.gegravity import SIGMA, run_gegravity, run_scosim

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "gegravity" / "sample_data_set.csv"
OUT = ROOT / "benchmarks" / "results" / "bench_ge.json"


def timeit(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def bench_gegravity(repeat: int) -> dict:
    data = pd.read_csv(FIXTURE)

    def run_ge():
        return run_gegravity(data)

    def run_scosim_full():
        # same work as gegravity: costs from data, fitted baseline, counterfactual
        return run_scosim(data)["res"]

    fixed = run_scosim(data)  # published coefficients, as gegravity gets

    def run_scosim_solve():
        return solve_ge(fixed["fb"].flows, sigma=SIGMA, cost_change=fixed["d_hat"],
                        deficits="ratio")

    names = fixed["names"]
    t_ge, model = timeit(run_ge, repeat)
    t_full, res = timeit(run_scosim_full, repeat * 5)
    t_solve, _ = timeit(run_scosim_solve, repeat * 20)
    can = names.index("CAN")
    return {
        "problem": "gegravity example: 30 countries, CAN-JPN PTA, sigma=5",
        "gegravity_s": t_ge,
        "scosim_pipeline_s": t_full,
        "scosim_solve_ge_s": t_solve,
        "speedup_pipeline": t_ge / t_full,
        "speedup_solve_ge": t_ge / t_solve,
        "can_real_gdp_pct": {"scosim": 100 * (res.real_gdp_change[can] - 1),
                             "gegravity": float(model.country_results.loc["CAN",
                                                                          "GDP change (percent)"])},
        "scosim_iterations": int(res.iterations),
    }


def n28_problem(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, str]:
    try:
        from scosim.data.calibration import load_calibration

        cal = load_calibration()
        tau = cal.tariff_matrix()
        # calibration trade is at prices without tariffs; the solver wants tariff-inclusive
        return cal.trade_matrix() * (1.0 + tau), tau, f"scosim calibration {cal.version}"
    except Exception:  # noqa: BLE001 - any failure: fall back to a synthetic problem
        n = 28
        x = rng.lognormal(0, 1.5, (n, n))
        x[np.arange(n), np.arange(n)] *= 200
        tau = rng.uniform(0, 0.15, (n, n))
        np.fill_diagonal(tau, 0)
        return x * (1 + tau), tau, "synthetic 28-economy problem"


def bench_batch(runs: int, repeat: int) -> dict:
    rng = np.random.default_rng(0)
    x, tau, label = n28_problem(rng)
    n = x.shape[0]
    # per run: a random elasticity and a random "customs union" among a random subset
    sig = rng.uniform(3.0, 7.0, runs)
    tau_new = np.broadcast_to(tau, (runs, n, n)).copy()
    cet = rng.uniform(0.02, 0.10, runs)
    for r in range(runs):
        members = rng.random(n - 1) < 0.4  # never ROW (last)
        idx = np.flatnonzero(members)
        tau_new[r][np.ix_(idx, idx)] = 0.0
        outs = np.flatnonzero(~members)
        tau_new[r][np.ix_(outs, idx)] = cet[r]
        np.fill_diagonal(tau_new[r], 0.0)
    d_hat = np.exp(rng.normal(0.0, 0.05, (runs, n, n)))

    def batched():
        return solve_ge(x, sigma=sig, tariffs=tau, new_tariffs=tau_new, cost_change=d_hat)

    def one_by_one():
        return [solve_ge(x, sigma=sig[r], tariffs=tau, new_tariffs=tau_new[r],
                         cost_change=d_hat[r]) for r in range(runs)]

    # Interleave the two sides round by round, so load from other work on a shared
    # machine falls on both alike; report medians.
    tb, tl = [], []
    for _ in range(repeat):
        t, res = timeit(batched, 1)
        tb.append(t)
        t, singles = timeit(one_by_one, 1)
        tl.append(t)
    t_batch, t_loop = statistics.median(tb), statistics.median(tl)
    diff = max(np.abs(res.welfare_change[r] - singles[r].welfare_change).max()
               for r in range(runs))
    return {
        "problem": f"{runs} runs, N={n}, {label}; random sigma, customs union, iceberg shocks",
        "batched_s": t_batch,
        "one_by_one_s": t_loop,
        "speedup": t_loop / t_batch,
        "per_run_batched_ms": 1000 * t_batch / runs,
        "max_abs_welfare_diff": float(diff),
        "max_iterations": int(res.iterations.max()),
        "max_residual": float(res.max_residual.max()),
    }


def machine() -> dict:
    info = machine_info()
    try:
        import gegravity

        info["gegravity"] = getattr(gegravity, "__version__", "0.3")
    except ImportError:
        info["gegravity"] = None
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 200 runs")
    args = parser.parse_args()
    repeat = 1 if args.quick else 7
    runs = 200 if args.quick else 1000
    out = {"machine": machine()}
    try:
        out["a_vs_gegravity"] = bench_gegravity(repeat)
    except ImportError:
        out["a_vs_gegravity"] = {"skipped": "gegravity not installed"}
    out["b_batched_vs_loop"] = bench_batch(runs, repeat)

    a, b = out["a_vs_gegravity"], out["b_batched_vs_loop"]
    print(f"{'benchmark':<46}{'seconds':>12}{'ratio':>10}")
    if "gegravity_s" in a:
        print(f"{'(a) gegravity 0.3 counterfactual':<46}{a['gegravity_s']:>12.4f}{1.0:>10.1f}")
        print(f"{'(a) scosim costs+baseline+solve_ge':<46}{a['scosim_pipeline_s']:>12.5f}"
              f"{a['speedup_pipeline']:>10.0f}x")
        print(f"{'(a) scosim solve_ge only':<46}{a['scosim_solve_ge_s']:>12.5f}"
              f"{a['speedup_solve_ge']:>10.0f}x")
    print(f"{'(b) ' + str(runs) + ' solves one by one':<46}{b['one_by_one_s']:>12.3f}{1.0:>10.1f}")
    print(f"{'(b) ' + str(runs) + ' solves batched':<46}{b['batched_s']:>12.3f}"
          f"{b['speedup']:>10.1f}x")
    print(f"max |welfare batched - one by one| = {b['max_abs_welfare_diff']:.2e}; "
          f"max Newton iterations {b['max_iterations']}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
