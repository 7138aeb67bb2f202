"""Two-worker parallel efficiency of the process and Dask executors, and per-task overhead.

Each case is one full ``scosim.run(...)`` of ``scenarios/customs_union.yaml`` (results
written to a temporary directory, no plots), timed whole, including starting the
worker pool or the Dask LocalCluster; with ``--cli`` it is instead the command a user
types, ``scosim run ... --no-plots``, in a new process, so the interpreter's start and
the client's imports are timed too (the local case pays them as well):

    local       one process, batched (the reference)
    process-1   process executor, 1 worker      process-2   2 workers
    dask-1      Dask LocalCluster, 1 worker     dask-2      2 workers
    process-2-spawn, dask-2-spawn   2 workers spawned (``SCOSIM_START_METHOD=spawn``)
    dask-2-running  2 workers of a cluster already running (``--scheduler``)
    local-pair  two local runs at the same time, in two processes (no executor)

All but the last start and stop their workers within the timed run, as
``--executor process`` and ``--executor dask`` do. On Linux two workers start from a
fork server that has imported the model (:mod:`scosim.worker_start`); each case starts
its own server within its timing and stops it after, so no case finds one warm. The
``-spawn`` cases start their workers as every case did before the fork server, in the
same rounds: the change's own record. ``dask-2-running`` is the cluster
use (``scosim run ... --executor dask --scheduler tcp://...``): in each round a
two-worker LocalCluster (the one ``--executor dask`` starts) is started before the
timing and warmed by a small run and by one replication on every worker, so its
workers have imported and set up the model when the timed run starts, as those of a
long-lived cluster have; it is stopped after its case. Its CPU adds the workers' own
(``resource.getrusage`` on each worker).

``local-pair`` measures the machine, not an executor: two independent local runs,
each in its own process with one BLAS thread (as a worker has), started together
once both have imported the model and made a warm-up run (or, with ``--cli``, two
``scosim run`` commands started together); its time is until both are done. Two
cores that each ran as fast as one alone would finish the pair in the local time, so

    ceiling = T(local) / T(local-pair)

is the two-process efficiency the machine itself allows (shared caches, memory
bandwidth, a virtual machine's vCPUs); no executor can exceed it.

Cases run interleaved round by round (a drift of a shared machine hits all alike).
Per round:

    efficiency(executor) = T(local) / (2 * T(executor, 2 workers))
    scaling(executor)    = T(executor, 1 worker) / (2 * T(executor, 2 workers))
    overhead per task    = (T(executor, 1 worker) - T(local)) / number of batches
    CPU(case)            = user + system CPU of this process and its workers

reported as median [min-max] over rounds. Efficiency 1 means two workers halve the
local time; scaling is the usual strong-scaling efficiency of the executor itself (one
worker against two, both with one BLAS thread per worker, while the local process may use
more); the overhead is what shipping a batch to a worker and its results back
costs beyond computing it (pool or cluster start-up included, spread over the tasks).
Needs as many free cores as workers: on a loaded machine the efficiency measures the
load, not the executor. Three measures hold up better under load: the ratio
T(dask, 2 workers) / T(process, 2 workers) within a round, the CPU each case used
(against local's: what the executor adds in work), and the cost of tiny tasks
(``--tiny N``): per executor with two workers, ``execute()`` of 2 and of N tasks that
do nothing, interleaved, giving

    start-up         = T(2 tasks)                    (pool or cluster up and down)
    per-task cost    = (T(N tasks) - T(2 tasks)) / (N - 2)

(two tasks, not one, so that both workers of a process pool, which starts them on
demand, are started in both).

Run:  .venv/bin/python benchmarks/bench_parallel.py [--rounds 3] [--replications 1000]
          [--batch-size 125] [--cases process-2,dask-2] [--cli] [--tiny 64]
Writes ``benchmarks/results/bench_parallel.json`` (or ``--out``). The record of docs/performance.md:
``python benchmarks/bench_parallel.py --rounds 2 --replications 4000 --batch-size 250
--tiny 64`` on a quiet machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from machine import machine, summarise  # benchmarks/machine.py (script directory)

from scosim import worker_start
from scosim.experiments import BatchSpec, execute
from scosim.runner import run
from scosim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "customs_union.yaml"
OUT = ROOT / "benchmarks" / "results" / "bench_parallel.json"
AIM = 0.8

CASES: dict[str, tuple[str, int | None]] = {
    "local": ("local", None),
    "process-1": ("process", 1),
    "process-2": ("process", 2),
    "process-2-spawn": ("process", 2),
    "dask-1": ("dask", 1),
    "dask-2": ("dask", 2),
    "dask-2-spawn": ("dask", 2),
    "dask-2-running": ("dask", 2),
    "local-pair": ("local", None),
}
#: Cases whose workers are spawned (``SCOSIM_START_METHOD=spawn``), as before the fork
#: server; the others start as ``scosim run`` starts them here (on Linux two or more
#: workers fork from a fork server started within the timed run).
SPAWNED = ("process-2-spawn", "dask-2-spawn")
#: Cases run on a cluster started (and warmed) before their timing.
RUNNING = ("dask-2-running",)
#: The case of two independent local runs at once (the machine's ceiling).
PAIR = "local-pair"

#: A child of the ``local-pair`` case (in-process mode): imports the model, makes a
#: warm-up run, says so, waits for "go", times one run and prints its seconds and CPU.
PAIR_CHILD = """
import resource, sys, time
from pathlib import Path
from scosim.runner import run
scenario, reps, batch, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
run(scenario, replications=4, batch_size=2, out=out / "warm", progress=False, plots=False)
print("ready", flush=True)
sys.stdin.readline()
def cpu():
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime
t0, c0 = time.perf_counter(), cpu()
run(scenario, replications=reps, batch_size=batch, out=out / "run", progress=False,
    plots=False, resume=False)
print(time.perf_counter() - t0, cpu() - c0, flush=True)
"""


def noop(spec: BatchSpec) -> int:
    """A task that does nothing (module level: pool workers import it by name)."""
    return spec.batch_id


def tiny_tasks(n: int, rounds: int, running: bool = False) -> dict[str, Any]:
    """Start-up and per-task cost of each executor with two workers, from no-op tasks.

    With ``running`` also ``running``: connecting to a two-worker cluster that is
    already up (started before the timing, stopped after) and dispatching tasks to it.
    """
    kinds = ("process", "dask", "process_spawn", "dask_spawn") + (("running",) if running else ())
    times: dict[str, list[float]] = {f"{ex}-{k}": [] for ex in kinds for k in (2, n)}
    for rnd in range(rounds):
        for name in times:
            ex, k = name.split("-")
            specs = [BatchSpec("", runs=(i,), batch_id=i) for i in range(int(k))]
            with start_method(ex.endswith("_spawn")):
                on = RunningCluster() if ex == "running" else None
                try:
                    t0 = time.perf_counter()
                    execute(specs, noop, executor="dask" if on else ex.split("_")[0], workers=2,
                            scheduler=on.address if on else None, progress=False, keep=False)
                    times[name].append(time.perf_counter() - t0)
                finally:
                    if on is not None:
                        on.close()
            print(f"tiny round {rnd} {name}: {times[name][-1]:.2f} s", file=sys.stderr,
                  flush=True)
    out: dict[str, Any] = {"tasks": n, "seconds": {k: summarise(v) for k, v in times.items()}}
    for ex in kinds:
        two, many = times[f"{ex}-2"], times[f"{ex}-{n}"]
        out[f"{ex}_startup_s"] = summarise(two)
        out[f"{ex}_per_task_s"] = summarise(
            [(t - t2) / (n - 2) for t2, t in zip(two, many, strict=True)])
        st, pt = out[f"{ex}_startup_s"], out[f"{ex}_per_task_s"]
        print(f"{ex} tiny tasks: start-up {st['median']:.2f} s [{st['min']:.2f}-{st['max']:.2f}],"
              f" per task {pt['median'] * 1e3:.1f} ms [{pt['min'] * 1e3:.1f}-"
              f"{pt['max'] * 1e3:.1f}]")
    return out


def worker_cpu() -> float:
    """User + system CPU of the calling process (run on each Dask worker)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


class RunningCluster:
    """A two-worker LocalCluster started once, with the settings ``execute`` uses."""

    def __init__(self) -> None:
        from distributed import Client

        from scosim.experiments.dask_run import local_cluster

        self.cluster = local_cluster(2)
        self.address = self.cluster.scheduler_address
        self.client = Client(self.address)

    def cpu(self) -> float:
        """CPU seconds used so far by the cluster's workers."""
        return sum(self.client.run(worker_cpu).values())

    def close(self) -> None:
        """Stop the client and the cluster."""
        self.client.close()
        self.cluster.close()


def warm_worker(scenario_yaml: str) -> int:
    """Run one replication in this process without writing (model imported and set up)."""
    from scosim.runner import run_batch

    run_batch(BatchSpec(scenario_path="", runs=(0,), scenario_yaml=scenario_yaml))
    return os.getpid()


def started(work: Path) -> RunningCluster:
    """A running two-worker cluster whose workers have each run a replication.

    A small run through the client warms the client's side; the scheduler may give all
    of its batches to one worker, so every worker also runs one replication itself
    (``Client.run``), as the workers of a long-lived cluster have done before.
    """
    cluster = RunningCluster()
    try:
        run(SCENARIO, replications=4, batch_size=2, out=work / "warm-running",
            executor="dask", scheduler=cluster.address, progress=False, plots=False,
            resume=False)
        cluster.client.run(warm_worker, load_scenario(SCENARIO).resolved_yaml())
    except BaseException:
        cluster.close()
        raise
    shutil.rmtree(work / "warm-running", ignore_errors=True)
    return cluster


@contextlib.contextmanager
def start_method(spawned: bool) -> Iterator[None]:
    """Workers spawned, or the default start; no fork server is left running after it.

    Every case starts its own fork server inside its timing, as a ``scosim run`` does,
    and stops it after: its CPU (and its workers', which it waits for) then counts in
    ``RUSAGE_CHILDREN``, and the next case gains nothing from a server already warm.
    """
    saved = os.environ.get(worker_start.START_METHOD_ENV)
    if spawned:
        os.environ[worker_start.START_METHOD_ENV] = "spawn"
    try:
        yield
    finally:
        worker_start.stop()
        if saved is None:
            os.environ.pop(worker_start.START_METHOD_ENV, None)
        else:
            os.environ[worker_start.START_METHOD_ENV] = saved


def run_cli(replications: int, batch_size: int, executor: str, workers: int | None,
            out: Path, scheduler: str | None) -> None:
    """One ``scosim run`` command in a new process, as a user types it (without plots)."""
    cmd = [sys.executable, "-m", "scosim.cli", "run", str(SCENARIO), "--replications",
           str(replications), "--batch-size", str(batch_size), "--executor", executor,
           "--out", str(out), "--no-plots", "--quiet", "--no-resume"]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    if scheduler is not None:
        cmd += ["--scheduler", scheduler]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")


def run_pair(replications: int, batch_size: int, out: Path,
             cli: bool) -> tuple[float, float | None]:
    """Two local runs at once in two processes: seconds until both are done, and CPU.

    With ``cli`` two ``scosim run`` commands started together (their start-up
    included, as in the ``--cli`` local case; CPU None: counted as a finished
    child's); else two warmed processes told to start at the same moment (as the
    in-process local case, whose process is warm), with the CPU of their timed runs.
    """
    env = {**os.environ, **worker_start.ONE_THREAD_ENV}
    if cli:
        cmds = [[sys.executable, "-m", "scosim.cli", "run", str(SCENARIO), "--replications",
                 str(replications), "--batch-size", str(batch_size), "--out",
                 str(out / str(i)), "--no-plots", "--quiet", "--no-resume"] for i in (0, 1)]
        t0 = time.perf_counter()
        procs = [subprocess.Popen(c, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for c in cmds]
        errs = [p.communicate()[1] for p in procs]
        took, used = time.perf_counter() - t0, None
    else:
        procs = [subprocess.Popen(
            [sys.executable, "-c", PAIR_CHILD, str(SCENARIO), str(replications),
             str(batch_size), str(out / str(i))], env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in (0, 1)]
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready", \
                p.communicate()[1]
        t0 = time.perf_counter()
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        done = [p.communicate() for p in procs]
        took = time.perf_counter() - t0
        errs = [err for _, err in done]
        used = sum(float(o.split()[1]) for o, _ in done if not any(p.returncode for p in procs))
    for p, err in zip(procs, errs, strict=True):
        if p.returncode:
            raise RuntimeError(f"a run of the local pair failed ({p.returncode}):\n{err}")
    return took, used


def cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children (the workers).

    Workers (pool processes, Dask worker processes) are children of this process,
    or of the fork server that is, and are waited for when the executor shuts down
    (the fork server when :func:`start_method` stops it), so the difference around a
    case is all the CPU the case used: a measure of work that, unlike wall time,
    does not grow with other jobs' load on a shared machine.
    """
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                 resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _shown(path: Path) -> str:
    """A path as the command line shows it: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    """Run the cases interleaved and write the JSON record."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--replications", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=125)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--note", default="")
    ap.add_argument("--cases", default=",".join(CASES),
                    help=f"comma-separated subset of {', '.join(CASES)} (default: all)")
    ap.add_argument("--cli", action="store_true",
                    help="run every case as the command users run, `scosim run ... --no-plots`, "
                    "in a new process (its start-up and imports timed too)")
    ap.add_argument("--tiny", type=int, default=0, metavar="N",
                    help="also time 2 and N no-op tasks per executor (two workers)")
    args = ap.parse_args(argv)
    cases = {k: CASES[k] for k in args.cases.split(",") if k}
    unknown = set(args.cases.split(",")) - set(CASES) - {""}
    if unknown or not cases:
        ap.error(f"--cases: unknown {sorted(unknown)}; choose from {', '.join(CASES)}")
    if 0 < args.tiny < 4 or args.tiny < 0:
        ap.error("--tiny needs at least 4 tasks (or 0 to skip)")
    n_batches = -(-args.replications // args.batch_size)
    work = Path(tempfile.mkdtemp(prefix="scosim-bench-par-"))
    load_before = list(os.getloadavg())
    times: dict[str, list[float]] = {k: [] for k in cases}
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    tiny = None
    try:
        run(SCENARIO, replications=4, batch_size=2, out=work / "warm", progress=False,
            plots=False)
        for rnd in range(args.rounds):
            for name, (executor, workers) in cases.items():
                out = work / name
                # A running cluster exists only during its case: idle workers would
                # otherwise take CPU from the other cases.
                with start_method(name in SPAWNED):
                    on = started(work) if name in RUNNING else None
                    try:
                        c0 = cpu_seconds() + (on.cpu() if on else 0.0)
                        t0 = time.perf_counter()
                        if name == PAIR:
                            took, pair_cpu = run_pair(args.replications, args.batch_size,
                                                      out, args.cli)
                            times[name].append(took)
                        elif args.cli:
                            run_cli(args.replications, args.batch_size, executor, workers,
                                    out, on.address if on else None)
                        else:
                            run(SCENARIO, replications=args.replications,
                                batch_size=args.batch_size, executor=executor,
                                workers=workers, out=out, progress=False, plots=False,
                                resume=False, scheduler=on.address if on else None)
                        if name != PAIR:
                            times[name].append(time.perf_counter() - t0)
                        if on is not None:  # its workers' CPU, asked while they run
                            cpu[name].append(cpu_seconds() + on.cpu() - c0)
                    finally:
                        if on is not None:
                            on.close()
                if name == PAIR and pair_cpu is not None:  # the timed runs' own CPU
                    cpu[name].append(pair_cpu)
                elif on is None:  # a stopped fork server has counted its workers' CPU
                    cpu[name].append(cpu_seconds() - c0)
                shutil.rmtree(out, ignore_errors=True)
                print(f"round {rnd} {name}: {times[name][-1]:.2f} s, CPU {cpu[name][-1]:.2f} s",
                      file=sys.stderr, flush=True)
        if args.tiny:
            tiny = tiny_tasks(args.tiny, args.rounds, running=any(c in RUNNING for c in cases))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result: dict[str, Any] = {
        "machine": machine(),
        "note": args.note,
        "load_before": load_before,
        "load_after": list(os.getloadavg()),
        "command": f"python benchmarks/bench_parallel.py --rounds {args.rounds} "
                   f"--replications {args.replications} --batch-size {args.batch_size}"
                   + (f" --cases {args.cases}" if len(cases) < len(CASES) else "")
                   + (" --cli" if args.cli else "")
                   + (f" --tiny {args.tiny}" if args.tiny else "")
                   + (f" --out {_shown(args.out)}" if args.out.resolve() != OUT.resolve() else ""),
        "scenario": str(SCENARIO.relative_to(ROOT)),
        "how": "each case a `scosim run` command in a new process" if args.cli
               else "each case a scosim.run() call in this process",
        "replications": args.replications,
        "batch_size": args.batch_size,
        "tasks": n_batches,
        "seconds": {k: summarise(v) for k, v in times.items()},
        "cpu_seconds": {k: summarise(v) for k, v in cpu.items()},
        "aim_efficiency": AIM,
    }

    def ratios(key: str, num: str, den: str, f: Any, table: dict = times) -> None:
        if num in table and den in table:
            result[key] = summarise([f(a, b) for a, b in zip(table[num], table[den],
                                                               strict=True)])
            r = result[key]
            print(f"{key}: {r['median']:.3f} [{r['min']:.3f}-{r['max']:.3f}]")

    for ex in ("process", "dask"):
        ratios(f"{ex}_efficiency", "local", f"{ex}-2", lambda lo, t2: lo / (2 * t2))
        ratios(f"{ex}_scaling", f"{ex}-1", f"{ex}-2", lambda t1, t2: t1 / (2 * t2))
        ratios(f"{ex}_overhead_per_task_s", f"{ex}-1", "local",
               lambda t1, lo: (t1 - lo) / n_batches)
    # The machine's own two-process efficiency, and each executor's share of it.
    ratios("ceiling", "local", PAIR, lambda lo, pr: lo / pr)
    for ex in ("process", "dask"):
        ratios(f"{ex}_efficiency_over_ceiling", f"{ex}-2", PAIR, lambda t2, pr: pr / (2 * t2))
    ratios("dask_running_efficiency", "local", "dask-2-running", lambda lo, t2: lo / (2 * t2))
    ratios("dask_running_cpu_over_local", "dask-2-running", "local", lambda d, lo: d / lo, cpu)
    # Within a round both ran under the same load: robust on a shared machine.
    for ex in ("process", "dask"):
        # The fork server's gain: spawned over forked workers' time, within a round.
        ratios(f"{ex}_spawn_over_forkserver", f"{ex}-2-spawn", f"{ex}-2", lambda a, b: a / b)
        ratios(f"{ex}_spawn_efficiency", "local", f"{ex}-2-spawn", lambda lo, t2: lo / (2 * t2))
    ratios("dask_over_process_2_workers", "dask-2", "process-2", lambda d, p: d / p)
    ratios("dask_over_process_2_workers_cpu", "dask-2", "process-2", lambda d, p: d / p, cpu)
    ratios("dask_2_workers_cpu_over_local", "dask-2", "local", lambda d, lo: d / lo, cpu)
    ratios("process_2_workers_cpu_over_local", "process-2", "local", lambda p, lo: p / lo, cpu)
    if tiny is not None:
        result["tiny_tasks"] = tiny
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
