"""Who leaves an arrangement at every exit threshold, from one ensemble with everyone kept in.

The exit rule's threshold is the model's most fragile parameter (README, "Who stays";
docs/hindcasts.md): the EAEU's record bounds it from above only. This tool runs the
scenario once with every participant kept in, recording the realised gains the exit rule
reads, and gives for a grid of thresholds the share of runs in which each state leaves at
the run's first exit (exact: ``scosim.exit_curve``), with a 90 % Wilson interval, the
share in which its rule would fire if nobody left before (an upper bound for later
exits), and the median year. It writes ``exit_curve.csv`` and ``exit_curve.png`` to
``--out`` and prints each state's shares at the thresholds given with ``--at``.

Usage: python tools/exit_threshold_curve.py scenarios/customs_union.yaml --replications 200
           --out results/exit_curve [--at=-0.0051,-0.0055,-0.006,-0.007,-0.0075,-0.01]
           [--lo -0.015] [--step 0.0001] [--record-edge=-0.0051] [--set KEY=VALUE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml

from scosim.exit_curve import curve_table, plot_curve, record_paths
from scosim.scenario import load_scenario


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    """Record the paths, write the table and the figure, print the shares."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", type=Path)
    ap.add_argument("--replications", type=int, default=200)
    ap.add_argument("--out", type=Path, required=True, help="folder for the CSV and the PNG")
    ap.add_argument("--at", type=_floats, default=None,
                    help="thresholds (fractions) to print, comma-separated (default: the "
                         "scenario's own, -0.0075 and -0.01)")
    ap.add_argument("--lo", type=float, default=-0.015, help="lowest threshold of the grid")
    ap.add_argument("--step", type=float, default=0.0001, help="grid step (fraction)")
    ap.add_argument("--record-edge", type=float, default=None,
                    help="shade the thresholds above this one, which a hindcast record "
                         "rules out (fraction)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="scenario override, as scosim run --set")
    args = ap.parse_args(argv)
    overrides = {k: yaml.safe_load(v) for k, v in (a.split("=", 1) for a in args.set)}
    overrides["replications"] = args.replications
    try:
        sc = load_scenario(args.scenario, overrides=overrides)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    own = sc.parameters.council.exit_threshold

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total} runs", end="", file=sys.stderr, flush=True)

    try:
        paths = record_paths(args.scenario, range(sc.replications), overrides=overrides,
                             progress=progress)
    except ValueError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    n_steps = int(round(-args.lo / args.step))
    grid = sorted({*(-args.step * np.arange(n_steps + 1)), own, *(args.at or [])})
    table = curve_table(paths, grid)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "exit_curve.csv", index=False, float_format="%.6g")
    at = args.at or [own, -0.0075, -0.01]
    n = len(paths.runs)
    print(f"{args.scenario.name}: {n} runs (seed {sc.seed}), leave after "
          f"{paths.k} years below the threshold; shares of runs at the run's first exit")
    for (pid, code), g in table.groupby(["proposal", "country"], sort=False):
        if not any(g[np.isclose(g["threshold_pct"], 100 * th)]["leaves_first"].iloc[0]
                   for th in at):
            continue
        cells = []
        for th in at:
            r = g[np.isclose(g["threshold_pct"], 100 * th)].iloc[0]
            year = "" if np.isnan(r["median_year"]) else f", {int(round(r['median_year']))}"
            cells.append(f"{100 * th:.2f} %: {100 * r['share']:.1f} % "
                         f"[{100 * r['share_lo']:.0f}-{100 * r['share_hi']:.0f}{year}]")
        print(f"  {code} ({pid}): " + "; ".join(cells))
    if not table.empty:
        print("  (every other state: no run at these thresholds)")
    marks = {f"scenario's threshold {100 * own:.2f} %": own}
    plot_curve(table, args.out / "exit_curve.png",
               title=f"Who leaves, by exit threshold: {sc.name or args.scenario.stem} "
                     f"({n} runs)",
               marks=marks, excluded_above=args.record_edge,
               note=(f"Rule: leave after {paths.k} years in a row below the threshold "
                     f"(a bloc leaves with its member).\nShare of runs in which the state "
                     f"leaves at its run's first exit; band: 90 % Wilson interval.\nExact for "
                     f"every threshold from one ensemble with everyone kept in (seed "
                     f"{sc.seed}); exits after a first exit are not shown."))
    print(f"wrote {args.out / 'exit_curve.csv'} and {args.out / 'exit_curve.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
