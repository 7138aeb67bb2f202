"""``scosim exits``: who leaves an arrangement at every exit threshold (docs/model.md).

The exit threshold is the model's most fragile parameter (README, "Who stays";
docs/hindcasts.md): the EAEU's record bounds it from above only. The command runs the
scenario once with every participant kept in, recording the realised gains the exit rule
reads, and gives for a grid of thresholds the share of runs in which each state leaves at
the run's first exit (exact: :mod:`scosim.exit_curve`), with a 90 % Wilson interval, the
share in which its rule would fire had nobody left before (an upper bound for later
exits), and the median year. It writes ``exit_curve.csv`` and ``exit_curve.png`` to
``OUT/<scenario>/exits-s<seed>-r<replications>/`` and prints each state's shares at the
thresholds given with ``--at``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_exits_parser", "exits_cli"]


def _fractions(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give thresholds as fractions separated by commas, e.g. "
            "-0.0055,-0.01") from None


def _negative(text: str) -> float:
    value = float(text)
    if not value < 0:
        raise argparse.ArgumentTypeError(f"{text}: must be below 0 (a fraction, e.g. -0.015)")
    return value


def _step(text: str) -> float:
    value = float(text)
    if not 0 < value <= 0.01:
        raise argparse.ArgumentTypeError(f"{text}: must be in (0, 0.01] (a fraction)")
    return value


def add_exits_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``exits`` on the ``scosim`` parser."""
    e = sub.add_parser("exits", help="who leaves an arrangement at every exit threshold, "
                       "from one ensemble with everyone kept in")
    e.add_argument("scenario", help="scenario YAML")
    e.add_argument("--replications", type=int, help="override the number of replications")
    e.add_argument("--seed", type=int, help="override the scenario's seed")
    e.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a scenario value, as with scosim run (repeatable)")
    e.add_argument("--out", default="results",
                   help="results root; the table and figure go to "
                   "OUT/<scenario>/exits-s<seed>-r<replications>/ (default: results)")
    e.add_argument("--at", type=_fractions, default=None,
                   help="thresholds to print, fractions separated by commas (default: the "
                   "scenario's own, -0.0075 and -0.01)")
    e.add_argument("--lo", type=_negative, default=-0.015,
                   help="lowest threshold of the grid, a fraction (default -0.015)")
    e.add_argument("--step", type=_step, default=0.0001,
                   help="grid step, a fraction (default 0.0001: 0.01 points)")
    e.add_argument("--record-edge", type=float, default=None,
                   help="shade the thresholds above this one, which a hindcast record rules "
                   "out (a fraction; -0.0051 for the EAEU record, docs/hindcasts.md)")
    e.add_argument("--quiet", action="store_true", help="no progress line")
    e.set_defaults(func=exits_cli)


def exits_cli(args: argparse.Namespace) -> int:
    """Record the paths, write the table and the figure, print the shares."""
    import numpy as np

    from scosim.exit_curve import curve_table, plot_curve, record_paths
    from scosim.scenario import load_scenario, parse_overrides

    overrides = parse_overrides(args.set) if args.set else {}
    if args.replications is not None:
        overrides["replications"] = args.replications
    if args.seed is not None:
        overrides["seed"] = args.seed
    sc = load_scenario(args.scenario, overrides=overrides)
    own = sc.parameters.council.exit_threshold

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(f"\r{done:,}/{total:,} runs", end="", file=sys.stderr, flush=True)

    paths = record_paths(args.scenario, range(sc.replications), overrides=overrides,
                         progress=progress)
    if not args.quiet:
        print(file=sys.stderr)
    n_steps = int(round(-args.lo / args.step))
    grid = sorted({*(-args.step * np.arange(n_steps + 1)), own, *(args.at or [])})
    table = curve_table(paths, grid)
    out = Path(args.out) / sc.name / f"exits-s{sc.seed}-r{sc.replications}"
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "exit_curve.csv", index=False, float_format="%.6g")
    at = args.at or [own, -0.0075, -0.01]
    n = len(paths.runs)
    print(f"Who leaves, by exit threshold: {sc.name} (seed {sc.seed}, {n} runs; leave after "
          f"{paths.k} years in a row below the threshold)\nshare of runs in which each "
          "state leaves at its run's first exit [90 % interval, median year]:")
    shown = 0
    for (pid, code), g in table.groupby(["proposal", "country"], sort=False):
        rows = [g[np.isclose(g["threshold_pct"], 100 * th)].iloc[0] for th in at]
        if not any(r["leaves_first"] for r in rows):
            continue
        cells = []
        for th, r in zip(at, rows, strict=True):
            year = "" if np.isnan(r["median_year"]) else f", {int(round(r['median_year']))}"
            cells.append(f"{100 * th:.2f} %: {100 * r['share']:.1f} % "
                         f"[{100 * r['share_lo']:.0f}-{100 * r['share_hi']:.0f}{year}]")
        print(f"  {code} ({pid}): " + "; ".join(cells))
        shown += 1
    if not shown:
        print("  nobody leaves at these thresholds")
    plot_curve(table, out / "exit_curve.png",
               title=f"Who leaves, by exit threshold: {sc.name} ({n} runs)",
               marks={f"scenario's threshold {100 * own:.2f} %": own},
               excluded_above=args.record_edge,
               note=(f"Rule: leave after {paths.k} years in a row below the threshold "
                     f"(a bloc leaves with its member).\nShare of runs in which the state "
                     f"leaves at its run's first exit; band: 90 % Wilson interval.\nExact for "
                     f"every threshold from one ensemble with everyone kept in (seed "
                     f"{sc.seed}); exits after a first exit are not shown."))
    print(f"table: {out / 'exit_curve.csv'}\nfigure: {out / 'exit_curve.png'}")
    return 0
