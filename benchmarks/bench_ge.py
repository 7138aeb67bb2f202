"""Benchmark the GE trade solver.

(a) scosim vs gegravity 0.3 on the gegravity example (30 countries, Canada-Japan PTA).
(b) 1,000 batched solves vs the same 1,000 solved one by one (N = 28, scosim's
    calibration when available, else a synthetic 28-economy problem), with random
    elasticities and tariff scenarios per run.

All timings are taken in this one process, the two sides interleaved round by round;
ratios are formed per round and reported as median [min-max]. Next to the ratio
against gegravity stands the share of gegravity's own time spent in its solver
(``scipy.optimize.root``): the rest is its pandas set-up and bookkeeping.
Run:  .venv/bin/python benchmarks/bench_ge.py [--rounds 7] [--quick]
Writes benchmarks/results/bench_ge.json (or ``--out``).
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
from machine import summarise

from scosim.trade import solve_ge
from scosim.validation.gegravity import SIGMA, run_gegravity, run_scosim

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "gegravity" / "sample_data_set.csv"
OUT = ROOT / "benchmarks" / "results" / "bench_ge.json"
AIM_GE = 100.0


def timeit(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _solver_clock() -> tuple[list[float], object]:
    """Time gegravity's calls of ``scipy.optimize.root`` (its solver), in place.

    Returns:
        The list that collects seconds per call, and a function restoring the original.
    """
    import sys

    import gegravity  # noqa: F401 - loads gegravity.OneSectorGE

    mod = sys.modules["gegravity.OneSectorGE"]
    real = mod.root
    spent: list[float] = []

    def timed_root(*a, **k):
        t0 = time.perf_counter()
        try:
            return real(*a, **k)
        finally:
            spent.append(time.perf_counter() - t0)

    mod.root = timed_root

    def restore() -> None:
        mod.root = real

    return spent, restore


def bench_gegravity(rounds: int, inner: int) -> dict:
    """gegravity 0.3 against scosim on the same counterfactual, interleaved round by round.

    Round i: one gegravity run (baseline, experiment, simulate), then ``inner`` runs of
    scosim's pipeline doing the same work (costs from data, fitted baseline,
    counterfactual) and ``inner`` bare ``solve_ge`` calls; the round's ratio uses the
    median of the scosim runs. gegravity's time inside ``scipy.optimize.root`` (its
    solver) is measured in the same runs, so the share of its time that is solving
    stands next to the ratio.
    """
    data = pd.read_csv(FIXTURE)
    fixed = run_scosim(data)  # published coefficients, as gegravity gets

    def run_scosim_solve():
        return solve_ge(fixed["fb"].flows, sigma=SIGMA, cost_change=fixed["d_hat"],
                        deficits="ratio")

    run_gegravity(data)  # warm-up (imports, pandas caches) on both sides
    run_scosim(data)
    spent, restore = _solver_clock()
    t_ge, t_full, t_solve, share, r_full, r_solve = [], [], [], [], [], []
    try:
        for _ in range(rounds):
            spent.clear()
            t0 = time.perf_counter()
            model = run_gegravity(data)
            t_ge.append(time.perf_counter() - t0)
            share.append(sum(spent) / t_ge[-1])
            full, solve = [], []
            for _ in range(inner):
                t0 = time.perf_counter()
                res = run_scosim(data)["res"]
                full.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                run_scosim_solve()
                solve.append(time.perf_counter() - t0)
            t_full.append(statistics.median(full))
            t_solve.append(statistics.median(solve))
            r_full.append(t_ge[-1] / t_full[-1])
            r_solve.append(t_ge[-1] / t_solve[-1])
    finally:
        restore()
    names = fixed["names"]
    can = names.index("CAN")
    return {
        "problem": "gegravity example: 30 countries, CAN-JPN PTA, sigma=5",
        "rounds": rounds,
        "scosim_runs_per_round": inner,
        "gegravity_s": summarise(t_ge),
        "gegravity_solver_share": summarise(share),
        "gegravity_solver_note": "share of gegravity's wall time inside scipy.optimize.root "
                                 "(baseline multilateral resistances and full GE solve)",
        "scosim_pipeline_s": summarise(t_full),
        "scosim_solve_ge_s": summarise(t_solve),
        "ratio_pipeline": summarise(r_full),
        "ratio_solve_ge": summarise(r_solve),
        "aim_ratio_pipeline": AIM_GE,
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 rounds, 200 runs")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else args.rounds
    runs = 200 if args.quick else 1000
    import os

    out = {"machine": machine(), "note": args.note, "load_before": list(os.getloadavg()),
           "command": "python benchmarks/bench_ge.py"
                      + (" --quick" if args.quick else f" --rounds {rounds}")}
    try:
        out["a_vs_gegravity"] = bench_gegravity(rounds, inner=5)
    except ImportError:
        out["a_vs_gegravity"] = {"skipped": "gegravity not installed"}
    out["b_batched_vs_loop"] = bench_batch(runs, rounds)
    out["load_after"] = list(os.getloadavg())

    a, b = out["a_vs_gegravity"], out["b_batched_vs_loop"]
    if "gegravity_s" in a:
        r, sh = a["ratio_pipeline"], a["gegravity_solver_share"]
        print(f"(a) gegravity {a['gegravity_s']['median']:.3f} s, scosim pipeline "
              f"{1e3 * a['scosim_pipeline_s']['median']:.2f} ms: {r['median']:.0f}x "
              f"[{r['min']:.0f}-{r['max']:.0f}]; gegravity's solver share "
              f"{100 * sh['median']:.0f}% [{100 * sh['min']:.0f}-{100 * sh['max']:.0f}]")
    print(f"(b) {runs} solves: batched {b['speedup']:.1f}x faster than one by one; "
          f"max |welfare diff| = {b['max_abs_welfare_diff']:.2e}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
