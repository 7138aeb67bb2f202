"""Benchmark ensembles of the full model: batching, memory, time per replication-year.

Measured in this one process (compare ratios, not absolute seconds; the machine
may be shared, so timings of the two sides are interleaved round by round):

(1) ``scenarios/customs_union.yaml``, 1,000 replications batched (four
    ``run_model(sc, runs=<250 runs>)`` calls, the runner's default batch size)
    against the same code one run at a time (``run_model(sc, runs=[r])``). Only
    a subset of single runs is timed (default 100, spread over the 1,000) and
    scaled to 1,000; the script says so in its output. The model's stepping is
    timed; turning records into tidy tables is not (it happens outside the
    timed region on both sides). The single runs' tidy indicators and event
    logs are checked to be identical to the same runs' rows in the batches.
(2) Peak memory of a full ``scosim.run(...)`` (results written per batch to a
    temporary directory, no plots) for 1,000 and 10,000 replications. Reported:
    the ``tracemalloc`` peak (Python and numpy allocations made during the call;
    numpy reports its buffers to tracemalloc). Also recorded: growth of the
    process's ``ru_maxrss`` during the call, which only moves when the call
    exceeds every earlier peak of the process, so it is a lower bound on the
    call's resident peak beyond what the process already had. For contrast,
    the tracemalloc peak of holding one model of 1,000 runs at once.
(3) Time per replication-year: batched model, single runs, and a full
    ``scosim.run`` (model, tidy tables, Parquet writes), untraced.
Run:  .venv/bin/python benchmarks/bench_ensemble.py [--quick] [--out PATH] [--profile]
Full sizes write ``benchmarks/results/bench_ensemble.json`` (or ``--out``).
``--quick`` uses small sizes for a smoke run and writes JSON only with ``--out``.
``--profile`` adds a cProfile of one batch: where the batched model spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from machine import machine  # benchmarks/machine.py (script directory)

from scosim.runner import DEFAULT_BATCH_SIZE, run, run_model, tidy_indicators
from scosim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "customs_union.yaml"
OUT = ROOT / "benchmarks" / "results" / "bench_ensemble.json"

#: Aims from the project brief.
AIM_SPEEDUP = 10.0
AIM_PEAK_BYTES = 2 * 1024**3


def _canonical_events(df: pd.DataFrame) -> pd.DataFrame:
    cols = list(df.columns)
    return df.sort_values(cols, kind="stable").reset_index(drop=True)


def bench_batched_vs_single(
    sc: Scenario, n_runs: int, batch_size: int, n_single: int
) -> dict[str, Any]:
    """Batched model runs against one-at-a-time runs, interleaved round by round.

    Round ``i`` times one batch (``batch_size`` consecutive runs) and then the
    single runs of that batch's share of the subset, so slow phases of a shared
    machine hit both sides alike.

    Args:
        sc: The scenario.
        n_runs: Replications batched (multiple of ``batch_size``).
        batch_size: Runs per batched ``run_model`` call.
        n_single: Single runs timed (spread evenly over ``n_runs``), scaled to ``n_runs``.

    Returns:
        Timings, the speed-up and the identity check.
    """
    if n_runs % batch_size:
        raise ValueError("n_runs must be a multiple of batch_size")
    rounds = n_runs // batch_size
    per_round = max(1, n_single // rounds)
    step = batch_size // per_round
    # Warm-up: imports, calibration cache, first-call costs on both paths.
    run_model(sc, runs=[0])
    run_model(sc, runs=range(min(batch_size, 10)))
    t_batched: list[float] = []
    t_single: list[float] = []
    single_ids: list[int] = []
    mismatches: list[int] = []
    max_abs_diff = 0.0
    for i in range(rounds):
        runs = list(range(i * batch_size, (i + 1) * batch_size))
        t0 = time.perf_counter()
        model = run_model(sc, runs=runs)
        t_batched.append(time.perf_counter() - t0)
        ind_b = tidy_indicators(model)
        ev_b = model.log.to_frame()
        del model
        ids = runs[::step][:per_round]
        singles = []
        for r in ids:
            t0 = time.perf_counter()
            m1 = run_model(sc, runs=[r])
            t_single.append(time.perf_counter() - t0)
            singles.append(m1)
        for r, m1 in zip(ids, singles, strict=True):
            a = tidy_indicators(m1).reset_index(drop=True)
            b = ind_b[ind_b["run"] == r].reset_index(drop=True)
            ea = _canonical_events(m1.log.to_frame())
            eb = _canonical_events(ev_b[ev_b["run"] == r])
            same = a.equals(b) and ea.equals(eb)
            if not same:
                mismatches.append(r)
                if len(a) == len(b):
                    max_abs_diff = max(
                        max_abs_diff,
                        float(np.nanmax(np.abs(a["value"].to_numpy() - b["value"].to_numpy()))),
                    )
        single_ids.extend(ids)
    total_batched = sum(t_batched)
    per_run_single = statistics.fmean(t_single)
    per_run_batched = total_batched / n_runs
    years = sc.years.end - sc.years.start + 1
    return {
        "scenario": str(SCENARIO.relative_to(ROOT)),
        "years": years,
        "runs_batched": n_runs,
        "batch_size": batch_size,
        "single_runs_timed": len(t_single),
        "single_runs_note": (
            f"{len(t_single)} single runs timed (every {step}th run) and scaled to {n_runs}"
        ),
        "batched_total_s": total_batched,
        "batched_per_batch_s": t_batched,
        "single_per_run_s_mean": per_run_single,
        "single_per_run_s_median": statistics.median(t_single),
        "single_scaled_total_s": per_run_single * n_runs,
        "per_run_batched_ms": 1e3 * per_run_batched,
        "per_run_single_ms": 1e3 * per_run_single,
        "speedup": per_run_single / per_run_batched,
        "speedup_median_based": statistics.median(t_single)
        / statistics.median([t / batch_size for t in t_batched]),
        "aim_speedup": AIM_SPEEDUP,
        "identical_runs_checked": len(single_ids),
        "identical": not mismatches,
        "mismatched_runs": mismatches[:20],
        "max_abs_value_diff": max_abs_diff,
    }


def _traced_peak(fn: Any) -> tuple[Any, int, int, float]:
    """Call ``fn`` under tracemalloc; return (result, peak bytes, ru_maxrss growth, seconds)."""
    gc.collect()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    try:
        out = fn()
    finally:
        seconds = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return out, peak, (rss1 - rss0) * 1024, seconds  # ru_maxrss is in KiB on Linux


def bench_memory(sizes: tuple[int, ...], batch_size: int, one_model_runs: int) -> dict[str, Any]:
    """Peak memory of full ``scosim.run`` calls, written per batch to a temporary directory.

    Args:
        sizes: Replications per call, e.g. ``(1000, 10000)``.
        batch_size: Runs per batch.
        one_model_runs: Runs of the contrast case (one model holding every run).

    Returns:
        One row per size, the growth ratio, and the contrast case.
    """
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-ensemble-") as tmp:
        # Warm-up so that import-time caches are not charged to the first size.
        run(SCENARIO, replications=2, out=Path(tmp) / "warm", progress=False, plots=False)
        for n in sizes:
            out_dir = Path(tmp) / f"r{n}"
            res, peak, rss, secs = _traced_peak(
                lambda n=n, out_dir=out_dir: run(
                    SCENARIO,
                    replications=n,
                    batch_size=batch_size,
                    out=out_dir,
                    progress=False,
                    plots=False,
                )
            )
            files = sorted((res.path / "indicators").glob("batch-*.parquet"))
            rows.append(
                {
                    "replications": n,
                    "batch_size": batch_size,
                    "batches_written": len(files),
                    "tracemalloc_peak_bytes": peak,
                    "tracemalloc_peak_mib": peak / 2**20,
                    "ru_maxrss_growth_bytes": rss,
                    "ru_maxrss_growth_mib": rss / 2**20,
                    "results_on_disk_mib": sum(
                        f.stat().st_size for f in res.path.rglob("*") if f.is_file()
                    )
                    / 2**20,
                    "seconds_traced": secs,
                }
            )
            del res
    sc = load_scenario(SCENARIO)

    def one_model() -> int:
        m = run_model(sc, runs=range(one_model_runs))
        return len(tidy_indicators(m))

    peak_one = _traced_peak(one_model)[1] if one_model_runs else 0
    small, large = rows[0], rows[-1]
    growth = large["tracemalloc_peak_bytes"] / small["tracemalloc_peak_bytes"]
    extra = large["replications"] - small["replications"]
    return {
        "reported": "tracemalloc peak during the call (ru_maxrss growth recorded alongside)",
        "runs": rows,
        "replication_ratio": large["replications"] / small["replications"],
        "peak_growth_ratio": growth,
        "marginal_bytes_per_replication": (
            large["tracemalloc_peak_bytes"] - small["tracemalloc_peak_bytes"]
        )
        / extra,
        "sublinear": growth < large["replications"] / small["replications"],
        "bounded_by_batch": growth < 1.25,
        "aim_peak_bytes": AIM_PEAK_BYTES,
        "under_aim": all(r["tracemalloc_peak_bytes"] < AIM_PEAK_BYTES for r in rows),
        "one_model_all_runs": {
            "runs": one_model_runs,
            "tracemalloc_peak_mib": peak_one / 2**20,
            "note": "contrast: one run_model() of every run at once plus its tidy table",
        }
        if one_model_runs
        else None,
    }


def bench_full_run(n: int, batch_size: int, years: int) -> dict[str, Any]:
    """Untraced wall time of a full ``scosim.run`` (model, tables, Parquet writes)."""
    with tempfile.TemporaryDirectory(prefix="bench-ensemble-run-") as tmp:
        t0 = time.perf_counter()
        run(SCENARIO, replications=n, batch_size=batch_size, out=tmp, progress=False, plots=False)
        secs = time.perf_counter() - t0
    return {
        "replications": n,
        "batch_size": batch_size,
        "seconds": secs,
        "per_replication_year_us": 1e6 * secs / (n * years),
    }


def profile_batch(sc: Scenario, runs: int, top: int = 12) -> dict[str, Any]:
    """cProfile one batched ``run_model`` call.

    Args:
        sc: The scenario.
        runs: Runs in the batch.
        top: Functions listed.

    Returns:
        Total seconds, the ``top`` functions by own time, and the share of the
        batch spent in the GE solver and in ``numpy.linalg.solve``.
    """
    run_model(sc, runs=range(min(runs, 10)))  # warm-up
    prof = cProfile.Profile()
    prof.enable()
    run_model(sc, runs=range(runs))
    prof.disable()
    st = pstats.Stats(prof, stream=io.StringIO())
    total = st.total_tt  # type: ignore[attr-defined]
    rows = []
    cum: dict[str, float] = {}
    for (file, line, name), (_, ncalls, tt, ct, _) in st.stats.items():  # type: ignore[attr-defined]
        label = f"{Path(file).name}:{line}({name})"
        rows.append({"function": label, "calls": ncalls, "tottime_s": tt, "cumtime_s": ct})
        if name in ("solve_ge", "solve") and file.endswith(("trade.py", "_linalg.py")):
            cum[f"{Path(file).name}:{name}"] = ct
    rows.sort(key=lambda r: -r["tottime_s"])
    return {
        "runs": runs,
        "total_s": total,
        "share_in_solve_ge": cum.get("trade.py:solve_ge", 0.0) / total,
        "share_in_numpy_linalg_solve": cum.get("_linalg.py:solve", 0.0) / total,
        "top_by_tottime": rows[:top],
    }


def _profile_lines(prof: dict[str, Any], title: str) -> list[str]:
    lines = [
        f"profile, {title}: one batch of {prof['runs']} runs, {prof['total_s']:.2f} s under "
        f"cProfile; GE solver {100 * prof['share_in_solve_ge']:.0f}%, numpy.linalg.solve "
        f"{100 * prof['share_in_numpy_linalg_solve']:.0f}%",
    ]
    for r in prof["top_by_tottime"][:8]:
        lines.append(
            f"    {r['tottime_s']:7.3f} s own  {r['cumtime_s']:7.3f} s cum  {r['calls']:>6} calls"
            f"  {r['function']}"
        )
    return lines


def measure(sc: Scenario, sizes: dict[str, Any], *, contrast: bool) -> dict[str, Any]:
    """Run sections (1) to (3) once with the code as it is loaded now.

    Args:
        sc: The scenario.
        sizes: ``n_runs``, ``batch``, ``n_single``, ``mem_sizes``, ``mem_batch``, ``full_n``.
        contrast: Also measure one model holding every run.

    Returns:
        ``batched_vs_single``, ``full_run``, ``memory`` and ``per_replication_year_us``.
    """
    years = sc.years.end - sc.years.start + 1
    out: dict[str, Any] = {}
    out["batched_vs_single"] = bench_batched_vs_single(
        sc, sizes["n_runs"], sizes["batch"], sizes["n_single"]
    )
    out["full_run"] = bench_full_run(sizes["full_n"], sizes["mem_batch"], years)
    out["memory"] = bench_memory(
        sizes["mem_sizes"], sizes["mem_batch"], one_model_runs=sizes["n_runs"] if contrast else 0
    )
    b = out["batched_vs_single"]
    out["per_replication_year_us"] = {
        "batched_model": 1e3 * b["per_run_batched_ms"] / years,
        "single_run_model": 1e3 * b["per_run_single_ms"] / years,
        "full_run": out["full_run"]["per_replication_year_us"],
    }
    return out


def table(res: dict[str, Any], title: str) -> str:
    """Plain-text summary of one configuration's results."""
    b, m, f = res["batched_vs_single"], res["memory"], res["full_run"]
    y = b["years"]
    lines = [
        f"== {title}: {b['scenario']}, {y} years",
        "(1) batched vs one at a time (model stepping only)",
        f"    batched: {b['runs_batched']} runs in batches of {b['batch_size']}: "
        f"{b['batched_total_s']:.2f} s ({b['per_run_batched_ms']:.2f} ms/run)",
        f"    single:  {b['single_runs_note']}: {b['single_scaled_total_s']:.2f} s "
        f"({b['per_run_single_ms']:.2f} ms/run)",
        f"    speed-up {b['speedup']:.1f}x (median-based {b['speedup_median_based']:.1f}x; "
        f"aim >= {AIM_SPEEDUP:g}x: {'met' if b['speedup'] >= AIM_SPEEDUP else 'MISSED'})",
        f"    identical numbers and events for {b['identical_runs_checked']} runs compared: "
        f"{b['identical']}",
        f"(2) peak memory of scosim.run (batch {m['runs'][0]['batch_size']}, no plots); "
        "reported: tracemalloc peak",
    ]
    for r in m["runs"]:
        lines.append(
            f"    {r['replications']:>6} replications: peak {r['tracemalloc_peak_mib']:8.1f} MiB"
            f"  (ru_maxrss growth {r['ru_maxrss_growth_mib']:7.1f} MiB; "
            f"{r['batches_written']} batches, {r['results_on_disk_mib']:.0f} MiB on disk, "
            f"{r['seconds_traced']:.1f} s traced)"
        )
    lines.append(
        f"    replications x{m['replication_ratio']:g} -> peak x{m['peak_growth_ratio']:.2f}, "
        f"{m['marginal_bytes_per_replication'] / 1024:.1f} KiB per extra replication "
        f"(sub-linear: {m['sublinear']}; bounded by batch: {m['bounded_by_batch']}; "
        f"under 2 GiB: {m['under_aim']})"
    )
    if m.get("one_model_all_runs"):
        o = m["one_model_all_runs"]
        lines.append(
            f"    contrast, one model of {o['runs']} runs at once: "
            f"{o['tracemalloc_peak_mib']:.1f} MiB"
        )
    lines += [
        "(3) time per replication-year",
        f"    batched model:     {1e3 * b['per_run_batched_ms'] / y:8.1f} us",
        f"    single-run model:  {1e3 * b['per_run_single_ms'] / y:8.1f} us",
        f"    full scosim.run:   {f['per_replication_year_us']:8.1f} us "
        f"({f['replications']} replications in {f['seconds']:.2f} s, tables and Parquet included)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a table and write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    ap.add_argument("--out", type=Path, default=None, help=f"JSON output (default {OUT})")
    ap.add_argument("--profile", action="store_true", help="cProfile one batch")
    args = ap.parse_args(argv)
    if args.quick:
        sizes = {"n_runs": 200, "batch": 100, "n_single": 20, "mem_sizes": (200, 800),
                 "mem_batch": 100, "full_n": 200}  # fmt: skip
    else:
        sizes = {"n_runs": 1000, "batch": DEFAULT_BATCH_SIZE, "n_single": 100,
                 "mem_sizes": (1000, 10000), "mem_batch": DEFAULT_BATCH_SIZE,
                 "full_n": 1000}  # fmt: skip
    sc = load_scenario(SCENARIO)
    res: dict[str, Any] = {"machine": machine(), "quick": bool(args.quick), "sizes": sizes}
    print(f"{res['machine']['cpu_model']}, {res['machine']['cpu_count']} cores, "
          f"numpy {np.__version__}, Python {platform.python_version()}")  # fmt: skip
    res["results"] = measure(sc, sizes, contrast=True)
    print(table(res["results"], "scosim " + res["machine"].get("scosim", "")), flush=True)
    ok = res["results"]["batched_vs_single"]["identical"]
    if args.profile:
        res["profile"] = profile_batch(sc, sizes["batch"])
        print("\n".join(_profile_lines(res["profile"], "one batch")))
    res["machine"]["load_average_after"] = list(os.getloadavg())
    out = args.out if args.out is not None else (None if args.quick else OUT)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(res, indent=1, default=str) + "\n")
        print(f"\nwrote {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
