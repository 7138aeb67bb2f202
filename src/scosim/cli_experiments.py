"""Parsers of ``scosim compare`` and ``scosim sweep``, without importing the library.

Building the ``scosim`` parser must not import pandas, mesa or scipy (``scosim
--version`` would pay for them), so the handlers import :mod:`scosim.api` only
when a command runs.
"""

from __future__ import annotations

import argparse
from typing import Any

#: Parameters that may vary across the runs of one batch (sweeps, sensitivity).
SWEEPABLE: tuple[str, ...] = (
    "parameters.trade.sigma",
    "parameters.council.vote_noise",
    "parameters.growth.volatility_scale",
    "parameters.weights.econ",
    "parameters.weights.sovereignty",
    "parameters.weights.trust",
    "parameters.weights.dominance",
    "parameters.weights.security",
)


def worker_count(text: str) -> int:
    """An ``argparse`` type for ``--workers``: a whole number >= 1.

    Refused at parsing, before a command reads or writes anything: a process pool of
    0 or -1 workers has nothing to run the batches (``ProcessPoolExecutor`` raised
    "max_workers must be greater than 0" from inside ``scosim sweep``).

    Raises:
        argparse.ArgumentTypeError: Not an integer, or below 1 (argparse names the
            option, prints the usage and exits with status 2).
    """
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number; give the number of worker processes, 1 or more"
        ) from None
    if n < 1:
        raise argparse.ArgumentTypeError(
            f"{n} worker processes: give 1 or more (leave the option out for the default)"
        )
    return n


def count_problem(args: argparse.Namespace) -> str | None:
    """``run --replications`` or ``--batch-size`` below 1, named as typed (None: fine).

    The runner's own check said "batch_size must be >= 1", its keyword argument, not
    the option a user typed (``hindcast`` and ``sweep`` name theirs).
    """
    for option, n in (("--replications", args.replications), ("--batch-size", args.batch_size)):
        if n is not None and n < 1:
            return f"{option} must be >= 1, got {n}"
    return None


def interval_level(text: str) -> float:
    """An ``argparse`` type for ``--level``: a fraction strictly between 0 and 1.

    Refused at parsing: ``scosim compare`` of two YAML files runs both scenarios
    before it computes an interval, so a level of 90 (meaning 90 %) or 1.5 was
    refused only after both runs had been made and written.

    Raises:
        argparse.ArgumentTypeError: Not a number, or not in (0, 1).
    """
    try:
        level = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number; give the interval level as a fraction, e.g. 0.90"
        ) from None
    if not 0.0 < level < 1.0:  # also refuses nan
        hint = f" (for {level:g} % write {level / 100:g})" if 50.0 <= level < 100.0 else ""
        raise argparse.ArgumentTypeError(
            f"{text} is not a fraction between 0 and 1 (exclusive){hint}; e.g. 0.90"
        )
    return level


def _compare_cli(args: argparse.Namespace) -> int:
    from scosim.api import compare_cli

    return compare_cli(args)


def _sweep_cli(args: argparse.Namespace) -> int:
    from scosim.api import sweep_cli

    return sweep_cli(args)


def add_experiment_parsers(sub: Any) -> None:
    """Register ``compare``, ``sweep`` and ``exits`` on the ``scosim`` parser."""
    c = sub.add_parser(
        "compare",
        help="paired comparison of a policy with a baseline (runs, run ids, names or YAML files)",
    )
    c.add_argument("policy", help="policy: run directory, run id, scenario name, YAML file "
                   "or scosim:<name> (a shipped scenario)")
    c.add_argument("baseline", help="baseline: run directory, run id, scenario name, YAML "
                   "file or scosim:<name> (a shipped scenario)")
    c.add_argument("--replications", type=int, help="replications when a YAML file must be run")
    c.add_argument("--seed", type=int, help="seed when a YAML file must be run")
    c.add_argument("--level", type=interval_level, default=0.90,
                   help="interval level, a fraction in (0, 1) (default 0.90)")
    c.add_argument("--method", choices=("t", "bootstrap"), default="t", help="CI of the mean")
    c.add_argument("--indicator", action="append", help="indicator(s) to compare (repeatable)")
    c.add_argument(
        "--year",
        type=int,
        help="year of the table and bar charts (default: the last year, or the year of "
        "largest effect when none is left by then)",
    )
    c.add_argument("--out", default="results",
                   help="results root: where runs are looked up and YAML files run, and the "
                   "report is written to OUT/compare/ (default: results)")
    c.add_argument("--executor", choices=("local", "process", "dask"),
                   help="executor when a YAML file must be run (default: local, or dask "
                   "with --scheduler)")
    c.add_argument("--workers", type=worker_count,
                   help="worker processes when a YAML file must be run (process / local Dask)")
    c.add_argument("--scheduler",
                   help="Dask scheduler address when a YAML file must be run (implies "
                   "--executor dask; without it --executor dask starts a LocalCluster)")
    c.add_argument(
        "--plot-workers",
        type=int,
        help="processes drawing the report's figures, this one included (default: the "
        "usable CPUs, at most 4); 1 draws them all here, with less memory (each other "
        "process holds about 200 MiB)",
    )
    c.add_argument("--rerun", action="store_true",
                   help="run YAML files even when OUT holds a finished run of the same "
                   "resolved scenario, seed, replications and versions (used by default)")
    c.add_argument("--quiet", action="store_true", help="no progress bars")
    c.set_defaults(func=_compare_cli)

    s = sub.add_parser("sweep", help="parameter sweep or global sensitivity (Sobol, Morris)")
    s.add_argument("scenario", help="scenario YAML file, or scosim:<name> (a shipped scenario)")
    s.add_argument(
        "--param",
        action="append",
        default=[],
        help="NAME=LOW:HIGH (or NAME=V1,V2 for grid); NAME one of " + ", ".join(SWEEPABLE)
        + ", parameters.trade.collection_rates.<ISO3> (one importer's duty collected / "
        "statutory duty, in (0, 1]), parameters.network.instability.<ISO3> (one economy's "
        "instability on the "
        "corridor network, every year), parameters.network.failure_base, "
        "failure_sensitivity or recovery (the corridors' failure hazard and recovery), "
        "parameters.network.om_share (the corridors' yearly O&M, share of build cost), "
        "or proposals.<id>.<field> "
        "(parameters.mechanism_settings.<name>.<field>) for a field the proposal's type (the "
        "mechanism) declares sweepable. A swept parameters.trade.sigma is each run's sigma "
        "exactly: the scenario's sigma_spread (a per-run draw around it) is not applied; "
        "likewise a swept collection rate and its collection_rate_spread",
    )
    s.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help="override a scenario value at every point, as scosim run --set, e.g. --set "
        "parameters.rules.defect=never_defect to hold every member in (repeatable); a "
        "swept parameter cannot also be set",
    )
    s.add_argument(
        "--output",
        action="append",
        required=True,
        help="INDICATOR:COUNTRY[:YEAR], e.g. welfare_change_pct:KAZ (repeatable)",
    )
    s.add_argument("--replications", type=int, default=1, help="runs per point (averaged)")
    s.add_argument("--method", choices=("grid", "lhs", "sobol", "morris"), default="lhs")
    s.add_argument("--n", type=int, default=None,
                   help="lhs: points; sobol: base sample, a power of two; morris: "
                   "trajectories (default 64 each); grid: values of each LOW:HIGH range "
                   "(default 5)")
    s.add_argument("--seed", type=int, default=0,
                   help="seed of the design (sample points, bootstrap), not of the runs: "
                   "every point runs with the same seed, the scenario's unless --run-seed "
                   "gives another (common random numbers: points differ by their "
                   "parameters, not by luck)")
    s.add_argument("--run-seed", type=int, default=None, metavar="SEED",
                   help="seed of the runs at every point, as scosim run --seed (default: "
                   "the scenario's); the same as --set seed=SEED")
    s.add_argument("--out", default="results",
                   help="results root; the sweep is written to OUT/<scenario>/sweeps/ "
                   "(default: results)")
    s.add_argument("--executor", choices=("local", "process", "dask"),
                   help="where the batches run (default: local, or dask with --scheduler)")
    s.add_argument("--workers", type=worker_count,
                   help="worker processes (process / local Dask)")
    s.add_argument("--scheduler",
                   help="Dask scheduler address (implies --executor dask; without it "
                   "--executor dask starts a LocalCluster)")
    s.add_argument("--batch-size", type=int, default=256,
                   help="design points per batch, one executor task each (default 256)")
    s.add_argument("--quiet", action="store_true",
                   help="no progress bar, and no line saying the sweep's size")
    s.add_argument("--allow-large", action="store_true",
                   help="run more than 10,000,000 model runs in all (points x replications)")
    s.add_argument("--no-resume", action="store_true",
                   help="start afresh even where a stopped sweep of the same design could be "
                   "resumed (that one is left as it is)")
    s.set_defaults(func=_sweep_cli)

    from scosim.exit_curve_cli import add_exits_parser

    add_exits_parser(sub)
