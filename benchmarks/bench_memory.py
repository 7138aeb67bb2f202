"""Peak memory and time of ``scosim run`` for every shipped scenario, at two sizes.

``bench_cli.py`` measures the README's scenario in detail; this script runs the same
command, ``scosim run <scenario> --replications N`` with plots and a temporary output
folder, for each scenario in ``scenarios/`` (or ``--only``) at each of ``--sizes``
(default 2,000 and 10,000), and records each command's peak resident memory and wall
time with :func:`bench_cli.measure` (GNU ``time``'s ``%M``, else ``wait4``).

Why two sizes: the run statistics hold exact values up to 2,000 runs a cell and then
answer from mergeable sketches (``scosim.runstats``), so a run's peak should stop growing
at 2,000 replications. The record gives, per scenario, the peak at each size and their
ratio (largest size over smallest): about 1 when memory is flat in the replications.

The commands of one round go size by size and, within a size, scenario by scenario;
``--rounds`` repeats that and reports median [min-max]. Peak memory barely depends on
the machine's load; wall times do, so compare them only within one record.

Run:  python benchmarks/bench_memory.py [--sizes 2000,10000] [--rounds 1]
                                        [--only a.yaml,b.yaml]
Writes ``benchmarks/results/bench_memory.json`` (or ``--out``) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_cli import ROOT, _scosim, measure  # benchmarks/ (script directory)
from machine import machine, summarise

OUT = ROOT / "benchmarks" / "results" / "bench_memory.json"
#: The issue's memory aim for a 10,000-replication run with plots (MiB).
AIM_MIB = 1024.0


def scenario_files(only: str = "") -> list[Path]:
    """The shipped scenarios (``scenarios/*.yaml``), or those ``only`` names.

    Raises:
        ValueError: ``only`` names a file that is not a shipped scenario.
    """
    found = sorted((ROOT / "scenarios").glob("*.yaml"))
    if not only:
        return found
    wanted = [w for w in only.split(",") if w]
    names = {p.name: p for p in found}
    unknown = [w for w in wanted if w not in names]
    if unknown:
        raise ValueError(f"--only: not in scenarios/: {', '.join(unknown)}; "
                         f"choose from {', '.join(names)}")
    return [names[w] for w in wanted]


def command(scenario: Path, n: int, out: Path) -> list[str]:
    """The user's command: a run with plots, its results written under ``out``."""
    return [*_scosim(), "run", str(scenario), "--replications", str(n),
            "--out", str(out), "--quiet"]


def summary(raw: dict[str, dict[int, list[dict[str, float]]]],
            sizes: list[int]) -> dict[str, Any]:
    """Per scenario and size: medians [min-max] of peak MiB and wall s; the peak ratio."""
    out: dict[str, Any] = {}
    lo, hi = min(sizes), max(sizes)
    for name, by_size in raw.items():
        rec: dict[str, Any] = {}
        for n in sizes:
            runs = by_size[n]
            rec[str(n)] = {"peak_rss_mib": summarise([r["peak_rss_mib"] for r in runs]),
                           "wall_s": summarise([r["wall_s"] for r in runs])}
        if hi != lo:
            rec[f"peak_ratio_{hi}_to_{lo}"] = summarise(
                [b["peak_rss_mib"] / a["peak_rss_mib"]
                 for a, b in zip(by_size[lo], by_size[hi], strict=True)])
        out[name] = rec
    return out


def main(argv: list[str] | None = None) -> int:
    """Run every scenario at every size and write the JSON record."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,10000", help="replications, comma-separated")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--only", default="", help="scenario file names in scenarios/")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--note", default="", help="free text stored with the record")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if not sizes or min(sizes) < 1:
        ap.error(f"--sizes {args.sizes!r}: give positive replication counts, e.g. 2000,10000")
    try:
        files = scenario_files(args.only)
    except ValueError as err:
        ap.error(str(err))
    raw: dict[str, dict[int, list[dict[str, float]]]] = {p.name: {n: [] for n in sizes}
                                                         for p in files}
    load_before = list(os.getloadavg())
    work = Path(tempfile.mkdtemp(prefix="scosim-bench-memory-"))
    try:
        for rnd in range(1, args.rounds + 1):
            for n in sizes:
                for path in files:
                    m = measure(command(path, n, work / "out"), ROOT)
                    shutil.rmtree(work / "out", ignore_errors=True)
                    raw[path.name][n].append(m)
                    print(f"round {rnd} {path.name} {n}: {m['wall_s']:.1f} s, "
                          f"{m['peak_rss_mib']:.0f} MiB peak", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    record: dict[str, Any] = {
        "machine": machine(), "note": args.note, "rounds": args.rounds, "sizes": sizes,
        "load_before": load_before, "load_after": list(os.getloadavg()),
        "command": "scosim run scenarios/<scenario> --replications N --out <tmp> --quiet",
        "aim_mib": AIM_MIB, "rss_source": next(iter(raw.values()))[sizes[0]][0]["rss_source"],
        "scenarios": summary(raw, sizes),
    }
    for name, rec in record["scenarios"].items():
        cells = "  ".join(f"{n}: {rec[str(n)]['peak_rss_mib']['median']:5.0f} MiB "
                          f"{rec[str(n)]['wall_s']['median']:6.1f} s" for n in sizes)
        print(f"{name:<38} {cells}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
