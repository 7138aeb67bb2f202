"""Benchmark what users run: the ``scosim`` command as a whole process.

Each case is one command line, run as a child process with its output thrown away.
Measured per run: wall seconds, user + system CPU seconds, and the peak resident set
size of the largest single process (the kernel's own ``ru_maxrss`` from ``wait4``,
which covers the command and the worker processes it waited for). Unlike
``tracemalloc`` this sees Arrow's buffers, matplotlib and the interpreter itself.

The cases run interleaved, round by round (A B C A B C ...), so a drift in the
machine's speed hits every case alike; medians and min-max are reported, and ratios
against the first case are formed round by round.

Run (the two records the table of docs/performance.md reads):
    .venv/bin/python benchmarks/bench_cli.py --sizes "" --rounds 10 \
        --out benchmarks/results/bench_startup.json
    .venv/bin/python benchmarks/bench_cli.py --rounds 3 --sizes 1000,10000 \
        --out benchmarks/results/bench_cli.json
and the import of the model with and without the deferred mesa modules (README prose):
    .venv/bin/python benchmarks/bench_cli.py --sizes "" --rounds 10 \
        --cases import-model,import-model-eager --out benchmarks/results/<machine>/bench_import.json

Cases (``--sizes`` sets the replications of the ``run`` cases; empty: start-up only):
    version        ``scosim --version`` (start-up cost)
    validate       ``scosim validate scenarios/customs_union.yaml``
    list           ``scosim list`` (an empty results root)
                   (these three also record ``import_ms``: the total of ``python -X
                   importtime``'s top-level imports, run right after each timed run)
    import-model   ``python -c "import scosim.runner"``: what every worker process
                   imports before its first batch
    import-model-eager  the same after ``import mesa``, which then runs the mesa modules
                   scosim defers (``scosim._mesa``): the import as it was before them
    run-N          ``scosim run scenarios/customs_union.yaml --replications N`` with plots,
                   results written to a temporary directory removed after each run
                   (``--scenario`` runs another, e.g. one that summarises every indicator,
                   and ``--set PATH=VALUE`` overrides its values as ``scosim run`` does)
    before-run-N   with ``--before-src DIR``: the same command from another source tree
                   (``PYTHONPATH=DIR``), to time a change against the code before it
    show           with ``--show RUN``: ``scosim show RUN`` of a finished run (made once
                   beforehand, left as it is): it prints the run's ``summary.txt``, or,
                   for a run made with ``--no-plots``, works the answer out from its
                   batch files; ``before-show`` with ``--before-src``

Children run with Python's bytecode caches allowed (``PYTHONDONTWRITEBYTECODE`` is
removed from their environment) and the warm-up round writes them, as an installed
package has them: otherwise every start-up would include compiling scosim's sources.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from machine import machine, summarise  # benchmarks/machine.py (script directory)

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "customs_union.yaml"
OUT = ROOT / "benchmarks" / "results" / "bench_cli.json"


def _scosim() -> list[str]:
    """The console script next to this interpreter (the project's venv), else ``-m``."""
    exe = Path(sys.executable).with_name("scosim")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "scosim.cli"]


TIME = Path("/usr/bin/time")


def measure(cmd: list[str], cwd: Path, pythonpath: str = "") -> dict[str, float]:
    """Run ``cmd`` once; return wall, cpu and peak RSS (MiB) from the kernel's accounting.

    With GNU time installed the command runs under ``/usr/bin/time`` (a small process),
    whose ``%M`` is the peak resident size of the command and the workers it waited for.
    Without it, ``os.wait4`` gives the same figure, but a child's peak then starts from
    this script's own resident size at fork (Linux), so this script imports nothing heavy.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath  # another source tree's scosim (--before-src)
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ([str(TIME), "-f", "%M %U %S", "-o", tf.name, *cmd] if TIME.exists()
                else cmd)
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=env)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{err[-2000:]}")
        if TIME.exists():
            kib, user, sys_ = tf.read().split()[-3:]
            return {"wall_s": wall, "cpu_s": float(user) + float(sys_),
                    "peak_rss_mib": int(kib) / 1024.0, "rss_source": "/usr/bin/time %M"}
    return {
        "wall_s": wall,
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "peak_rss_mib": ru.ru_maxrss / 1024.0,  # Linux reports KiB
        "rss_source": "wait4 ru_maxrss",
    }


def cases(sizes: list[int], workdir: Path, scenario: Path = SCENARIO,
          overrides: tuple[str, ...] = (), show: Path | None = None) -> dict[str, list[str]]:
    """Command lines by case name; run cases (of ``scenario``, with ``--set`` each of
    ``overrides``) write into ``workdir/out``; ``show``: a finished run to show."""
    base = _scosim()
    out: dict[str, list[str]] = {
        "version": [*base, "--version"],
        "validate": [*base, "validate", str(SCENARIO)],
        "list": [*base, "list", "--out", str(workdir / "empty")],
        "import-model": [sys.executable, "-c", "import scosim.runner"],
        "import-model-eager": [sys.executable, "-c", "import mesa, scosim.runner"],
    }
    for n in sizes:
        out[f"run-{n}"] = [*base, "run", str(scenario), "--replications", str(n),
                           *(a for o in overrides for a in ("--set", o)),
                           "--out", str(workdir / "out"), "--quiet"]
    if show is not None:
        out["show"] = [*base, "show", str(show)]
    return out


#: Cases whose imports are also timed with ``python -X importtime`` (start-up cases).
STARTUP = ("version", "validate", "list")


def import_ms(cmd: list[str], cwd: Path) -> float:
    """Total import time (ms) of a command, from ``python -X importtime``.

    The sum of the cumulative times of the top-level imports (including those a
    command makes lazily while it works): how much of start-up is importing. It is
    measured in wall time inside the process, so it too grows with the machine's
    load; compare it between commits measured on the same machine at the same load.
    """
    args = cmd[1:] if Path(cmd[0]).name == "scosim" else cmd[3:]  # [exe] or [py, -m, mod]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "scosim.cli", *args],
                          cwd=cwd, capture_output=True, text=True, env=env)
    total = 0
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|", 2)
            if cumulative.strip().isdigit() and not name[1:].startswith(" "):
                total += int(cumulative)  # a top-level import (no indentation)
    return total / 1000.0


def chosen(cmds: dict[str, list[str]], cases_arg: str) -> dict[str, list[str]]:
    """The cases ``--cases`` names (all when empty), in the order of ``cmds``.

    A chosen ``run-N`` brings its ``before-run-N`` twin along when there is one
    (``--before-src``): the comparison needs both sides.

    Raises:
        ValueError: A name that is not a case.
    """
    wanted = [c for c in cases_arg.split(",") if c]
    if not wanted:
        return cmds
    unknown = sorted(set(wanted) - set(cmds))
    if unknown:
        raise ValueError(f"--cases: unknown {', '.join(unknown)}; choose from "
                         f"{', '.join(cmds)}")
    wanted += [f"before-{c}" for c in wanted if f"before-{c}" in cmds]
    return {k: v for k, v in cmds.items() if k in wanted}


def invalid_overrides(scenario: Path, overrides: tuple[str, ...]) -> str:
    """What ``scosim validate`` says of ``scenario`` with the ``--set`` ``overrides``.

    Run as a child, as the cases are (this script imports nothing heavy: see
    :func:`measure`).

    Returns:
        Its error lines, joined; empty where the scenario and its overrides are valid.
    """
    proc = subprocess.run([*_scosim(), "validate", str(scenario),
                           *(a for o in overrides for a in ("--set", o))],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode == 0:
        return ""
    lines = [x.removeprefix("scosim: error: ") for x in proc.stderr.splitlines() if x.strip()]
    return "; ".join(lines[-3:]) or f"scosim validate exited {proc.returncode}"


def _count(least: int) -> Any:
    """An argparse type: a whole number of at least ``least`` (else a one-line error, exit 2)."""
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if n < least:
            raise argparse.ArgumentTypeError(f"expected at least {least}, got {n}")
        return n
    return parse


def _sizes(text: str) -> list[int]:
    """``--sizes``: comma-separated replications, each at least 1 (empty: start-up only)."""
    try:
        return [_count(1)(s.strip()) for s in text.split(",") if s.strip()]
    except argparse.ArgumentTypeError as err:
        raise argparse.ArgumentTypeError(
            f"{err} (give comma-separated replications, e.g. 1000,10000, or \"\")") from None


def main(argv: list[str] | None = None) -> int:
    """Run the cases interleaved and write a JSON record."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=_count(1), default=3,
                    help="counted rounds (after one warm-up)")
    ap.add_argument("--sizes", type=_sizes, default="1000,10000",
                    help="replications of the run cases")
    ap.add_argument("--warmup", type=_count(0), default=1,
                    help="uncounted rounds first (0 for a single long case, e.g. 100000)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--scenario", type=Path, default=SCENARIO,
                    help="scenario of the run cases (default scenarios/customs_union.yaml)")
    ap.add_argument("--set", dest="overrides", action="append", default=[],
                    metavar="PATH=VALUE",
                    help="a scenario override for the run cases, as scosim run's --set "
                         "(repeatable)")
    ap.add_argument("--note", default="", help="free text stored with the result (e.g. the load)")
    ap.add_argument("--cases", default="",
                    help="comma-separated case names to run (default: all), e.g. "
                         "import-model,import-model-eager")
    ap.add_argument("--before-src", type=Path,
                    help="also time each run case from this source tree (its src/ folder, "
                         "e.g. of `git worktree add ../before <commit>`) as before-run-N")
    ap.add_argument("--show", type=Path,
                    help="also time `scosim show RUN` of this finished run directory (the "
                         "show case; before-show with --before-src)")
    args = ap.parse_args(argv)
    if args.before_src and not (args.before_src / "scosim" / "__init__.py").is_file():
        ap.error(f"--before-src {args.before_src}: no scosim package there")
    if args.show and not (args.show / "manifest.json").is_file():
        ap.error(f"--show {args.show}: not a finished run directory (no manifest.json)")
    sizes = args.sizes
    work = Path(tempfile.mkdtemp(prefix="scosim-bench-"))
    load_before = list(os.getloadavg())
    (work / "empty").mkdir()
    try:
        cmds = cases(sizes, work, args.scenario.resolve(), tuple(args.overrides),
                     args.show.resolve() if args.show else None)
        if args.before_src:
            for n in sizes:
                cmds[f"before-run-{n}"] = cmds[f"run-{n}"]
            if args.show:
                cmds["before-show"] = cmds["show"]
        try:
            cmds = chosen(cmds, args.cases)
        except ValueError as err:
            ap.error(str(err))
        if args.overrides and any(k.startswith(("run-", "before-run-")) for k in cmds):
            # Once, before any round: a bad override then stops the benchmark with
            # scosim's own one-line message (until 2026-12-07 it surfaced mid-round as a
            # RuntimeError traceback).
            bad = invalid_overrides(args.scenario.resolve(), tuple(args.overrides))
            if bad:
                ap.error(f"--set: {bad}")
        before = str(args.before_src.resolve()) if args.before_src else ""
        raw: dict[str, list[dict[str, float]]] = {k: [] for k in cmds}
        for rnd in range(1 - args.warmup, args.rounds + 1):
            for name, cmd in cmds.items():
                m = measure(cmd, ROOT, before if name.startswith("before-") else "")
                if name in STARTUP:
                    m["import_ms"] = import_ms(cmd, ROOT)
                shutil.rmtree(work / "out", ignore_errors=True)
                if rnd > 0:  # rounds up to 0 are the warm-up
                    raw[name].append(m)
                print(f"round {rnd} {name}: {m['wall_s']:.2f} s wall, "
                      f"{m['peak_rss_mib']:.0f} MiB peak", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    first = next(iter(cmds))
    result: dict[str, Any] = {"machine": machine(), "rounds": args.rounds, "note": args.note,
                              "scenario": str(args.scenario.resolve().relative_to(ROOT))
                              if args.scenario.resolve().is_relative_to(ROOT)
                              else str(args.scenario),
                              "load_before": load_before, "load_after": list(os.getloadavg()),
                              "cases": {}}
    for name, runs in raw.items():
        result["cases"][name] = {
            "command": " ".join(Path(c).name if i == 0 else shlex.quote(c)
                                for i, c in enumerate(cmds[name]))
                       .replace(str(ROOT) + "/", "").replace(str(work), "<tmp>"),
            **{k: summarise([r[k] for r in runs])
               for k in ("wall_s", "cpu_s", "peak_rss_mib", "import_ms") if k in runs[0]},
            "rss_source": runs[0]["rss_source"],
            f"wall_ratio_to_{first}": summarise(
                [r["wall_s"] / f["wall_s"] for r, f in zip(runs, raw[first], strict=True)]),
        }
    paired = [f"run-{n}" for n in sizes] + ["show"]
    for case in paired if args.before_src else []:
        if case not in raw or f"before-{case}" not in raw:
            continue
        now, old = raw[case], raw[f"before-{case}"]
        result["cases"][f"before-{case}"]["wall_ratio_to_now"] = summarise(
            [b["wall_s"] / a["wall_s"] for a, b in zip(now, old, strict=True)])
        result["before_src"] = "<tree of the code before>"
    for name, c in result["cases"].items():
        print(f"{name:>12}: wall {c['wall_s']['median']:.2f} s "
              f"[{c['wall_s']['min']:.2f}-{c['wall_s']['max']:.2f}], "
              f"peak RSS {c['peak_rss_mib']['median']:.0f} MiB "
              f"[{c['peak_rss_mib']['min']:.0f}-{c['peak_rss_mib']['max']:.0f}]"
              + (f", imports {c['import_ms']['median']:.0f} ms "
                 f"[{c['import_ms']['min']:.0f}-{c['import_ms']['max']:.0f}]"
                 if "import_ms" in c else ""))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
