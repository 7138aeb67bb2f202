"""``scosim exits``: who leaves an arrangement at every exit threshold (docs/model.md).

The exit threshold is the model's most fragile parameter (README, "Who stays";
docs/hindcasts.md): the EAEU's record bounds it from above only. The command runs the
scenario once with every participant kept in, recording the realised gains the exit rule
reads, and gives for a grid of thresholds the share of runs in which each state leaves at
the run's first exit (exact: :mod:`scosim.exit_curve`), with a 90 % Wilson interval, the
share in which its rule would fire had nobody left before (an upper bound for later
exits), and the median year. It writes ``exit_curve.csv`` and ``exit_curve.png`` to
``OUT/<scenario>/exits-s<seed>-r<replications>/`` and prints each state's shares at the
thresholds given with ``--at``. A curve of the scenario changed with ``--set`` goes to
``OUT/<scenario>/exits-<hash>-s<seed>-r<replications>/`` instead (``<hash>``: the first
eight digits of the changed scenario's hash, as in a ``scosim run`` directory), so that it
never replaces the curve of the file as written; the overrides are printed in the header,
shown in the figure's title and recorded in ``exit_curve.json`` beside the table. A grid
(``--lo``, ``--step``, ``--at`` off it) or ``--record-edge`` other than the defaults adds
``-<hash>`` of them to the folder's name, for the same reason. Thresholds beyond 10 %
either way are refused as a percentage written as a fraction.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_exits_parser", "exits_cli"]


#: What a curve's ``exit_curve.json`` records (not ``manifest.json``: the run catalogue
#: would take the folder for a run of the scenario).
RECORD_FILE = "exit_curve.json"

#: The grid's and figure's defaults (``--lo``, ``--step``, ``--at``): a curve made with
#: other options goes to a folder of its own.
DEFAULT_LO, DEFAULT_STEP, DEFAULT_AT = -0.015, 0.0001, (-0.0075, -0.01)

#: Most thresholds on the grid (``--lo`` / ``--step``): 0.01-point steps over -1.5 % are 151.
MAX_GRID = 20_001


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or not -1.0 < value < 1.0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a fraction between -1 and 1, e.g. -0.0055 for -0.55 %")
    return value


def _threshold(text: str) -> float:
    """A threshold as a fraction, refused beyond 10 % either way (a percent slip)."""
    from scosim.scenario.thresholds import percent_slip

    value = _fraction(text)
    slip = percent_slip(value, "")
    if slip is not None:
        raise argparse.ArgumentTypeError(f"{slip} (at most 0.1 either way)")
    return value


def _fractions(text: str) -> list[float]:
    values = [x for x in text.split(",") if x.strip()]
    if not values:
        raise argparse.ArgumentTypeError(f"{text!r}: give fractions separated by commas, "
                                         "e.g. -0.0055,-0.01")
    return [_threshold(x) for x in values]


def _negative(text: str) -> float:
    value = _threshold(text)
    if not value < 0:
        raise argparse.ArgumentTypeError(f"{text}: must be below 0 (a fraction, e.g. -0.015)")
    return value


def _step(text: str) -> float:
    value = _fraction(text)
    if not 0 < value <= 0.01:
        raise argparse.ArgumentTypeError(f"{text}: must be in (0, 0.01] (a fraction)")
    return value


def _pct(th: float) -> str:
    """A threshold in percent with the decimals it needs (at least two): -0.55, -0.555."""
    text = f"{100 * th:.4f}".rstrip("0")
    head, _, tail = text.partition(".")
    return f"{head}.{tail:0<2}"


def add_exits_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``exits`` on the ``scosim`` parser."""
    e = sub.add_parser("exits", help="who leaves an arrangement at every exit threshold, "
                       "from one ensemble with everyone kept in")
    e.add_argument("scenario", help="scenario YAML file, or scosim:<name> (a shipped scenario)")
    e.add_argument("--replications", type=int, help="override the number of replications")
    e.add_argument("--seed", type=int, help="override the scenario's seed")
    e.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a scenario value, as with scosim run (repeatable)")
    e.add_argument("--out", default="results",
                   help="results root; the table and figure go to "
                   "OUT/<scenario>/exits-s<seed>-r<replications>/, or with --set to "
                   "OUT/<scenario>/exits-<hash>-s<seed>-r<replications>/; a grid "
                   "(--lo, --step, --at off it) or --record-edge other than the "
                   "defaults adds -<hash> of them to the name, so that no call replaces "
                   "another's curve (default: results)")
    e.add_argument("--at", type=_fractions, default=None,
                   help="thresholds to print, fractions separated by commas (default: the "
                   "scenario's own, -0.0075 and -0.01)")
    e.add_argument("--lo", type=_negative, default=DEFAULT_LO,
                   help="lowest threshold of the grid, a fraction (default -0.015)")
    e.add_argument("--step", type=_step, default=DEFAULT_STEP,
                   help="grid step, a fraction (default 0.0001: 0.01 points)")
    e.add_argument("--record-edge", type=_threshold, default=None,
                   help="shade the thresholds above this one, which a hindcast record rules "
                   "out (a fraction; -0.0051 for the EAEU record, docs/hindcasts.md)")
    e.add_argument("--quiet", action="store_true", help="no progress line")
    e.add_argument("--allow-large", action="store_true",
                   help="accept more than 100,000 replications (refused by default, as by "
                   "scosim run)")
    e.set_defaults(func=exits_cli)


def _overrides(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """The overrides to load the scenario with, and those of them that change it.

    A seed or a number of replications, given with ``--seed``/``--replications`` or with
    ``--set``, is the ensemble's own (named in the folder, as by ``scosim run``), not a
    change to the scenario; everything else given with ``--set`` is.

    Raises:
        ValueError: ``--seed`` or ``--replications`` given with a ``--set`` of it too.
    """
    from scosim.scenario import parse_overrides

    overrides = parse_overrides(args.set) if args.set else {}
    for key in ("seed", "replications"):
        value = getattr(args, key)
        if value is None:
            continue
        if key in overrides:  # one would be run and the other recorded
            raise ValueError(f"{key} is given twice, as --{key} {value} and as --set "
                             f"{key}={overrides[key]}; give one")
        overrides[key] = value
    changes = {k: v for k, v in overrides.items() if k not in ("seed", "replications")}
    return overrides, changes


def _sets(changes: dict[str, Any]) -> str:
    """``--set a=1; --set b=2``: the overrides as they were given ("" without any)."""
    return "; ".join(f"--set {k}={v}" for k, v in changes.items())


def _grid(lo: float, step: float, own: float, at: list[float]) -> list[float]:
    """One grid of exact decimals: ``lo`` to 0 by ``step``, the scenario's own and ``at``.

    The thresholds printed (``at``, which a coarse step misses) are on it, once.
    """
    import numpy as np

    n_steps = int(round(-lo / step))
    return sorted({round(x, 10) for x in (*(-step * np.arange(n_steps + 1)), own, *at)})


def _options_tag(grid: list[float], own: float, record_edge: float | None) -> str:
    """``-<hash>`` of a grid or figure other than the defaults' ("" for those).

    Two calls with the same scenario, seed and runs but another grid or shading wrote
    the same folder: the later replaced the earlier's curve without a word.
    """
    import hashlib

    default = _grid(DEFAULT_LO, DEFAULT_STEP, own, [own, *DEFAULT_AT])
    if grid == default and record_edge is None:
        return ""
    text = json.dumps([grid, record_edge])
    return "-" + hashlib.sha256(text.encode()).hexdigest()[:8]


def _record(folder: Path, sc: Any, digest: str, changes: dict[str, Any],
            options: dict[str, Any]) -> None:
    """Write ``exit_curve.json``: what the curve beside it was made of.

    A side file rather than comment lines in the CSV, which ``pandas.read_csv`` and
    spreadsheets would read as rows.
    """
    from scosim import __version__
    from scosim.experiments.versions import scenario_versions

    versions = scenario_versions(sc)
    record = {
        "scenario": sc.name,
        "scenario_file": str(sc.source) if sc.source is not None else None,
        "scenario_hash": digest,
        "seed": sc.seed,
        "replications": sc.replications,
        "exit_threshold": sc.parameters.council.exit_threshold,
        # The --set overrides, as scosim run's manifest.json records them: {} for the
        # scenario file as written.
        "overrides": changes,
        # What shaped the table and figure (the folder's -<hash> when not the defaults).
        "options": options,
        "package_version": __version__,
        "data_version": versions["data"],
        "network_version": versions["network"],
    }
    (folder / RECORD_FILE).write_text(json.dumps(record, indent=2, default=str) + "\n")


def exits_cli(args: argparse.Namespace) -> int:
    """Record the paths, write the table and the figure, print the shares."""
    import numpy as np

    from scosim.errors import file_in_the_way
    from scosim.exit_curve import ANY, curve_table, plot_curve, reading_note, record_paths
    from scosim.proposals import get_type
    from scosim.run_limits import check_replications
    from scosim.scenario import load_scenario, scenario_hash

    overrides, changes = _overrides(args)
    n_steps = int(round(-args.lo / args.step))
    if n_steps + 1 > MAX_GRID:
        raise ValueError(f"--lo {args.lo} with --step {args.step} makes {n_steps + 1:,} "
                         f"thresholds; at most {MAX_GRID:,} (a larger --step or --lo)")
    sc = load_scenario(args.scenario, overrides=overrides)
    from scosim.scenario.thresholds import scenario_slips
    from scosim.tty_lines import to_stderr

    for slip in scenario_slips(sc):  # --set ...exit_threshold=-0.55 meant as -0.55 %
        to_stderr(f"scosim: warning: {slip}")
    # The paths are held in memory (years x runs per participant): scosim run's limit.
    check_replications(sc.replications, sc.years.end - sc.years.start + 1,
                       allow_large=args.allow_large)
    digest = scenario_hash(sc)
    # A changed scenario's curve beside the plain one, never over it: named by the hash
    # of what was run, as a run directory is (the same --set spelled otherwise, e.g.
    # sigma=4.0, resolves to the same scenario and the same folder).
    tag = f"{digest[:8]}-" if changes else ""
    own = sc.parameters.council.exit_threshold
    at = [round(x, 10) for x in (args.at or [own, *DEFAULT_AT])]
    grid = _grid(args.lo, args.step, own, at)
    options = _options_tag(grid, own, args.record_edge)
    out = Path(args.out) / sc.name / f"exits-{tag}s{sc.seed}-r{sc.replications}{options}"
    blocked = file_in_the_way(out)
    if blocked is not None:  # found before the ensemble runs, not after
        raise NotADirectoryError(f"--out {args.out}: {blocked} is a file, not a directory")
    from scosim.tty_lines import message, tty_width

    width = tty_width(sys.stdout)  # None piped: every line as before, scripts read them
    if not any(get_type(p.type).exit_allowed for p in sc.proposals):
        # Known from the scenario alone: the ensemble ran to the end before saying so.
        print(message(f"Who leaves, by exit threshold: {sc.name}\nno arrangement that allows exits "
              "was in force in any run: no proposal of the scenario is of a type whose "
              "participants may leave; nobody could leave, at any threshold (nothing run, "
              "nothing written)", width))
        return 0

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(f"\r{done:,}/{total:,} runs", end="", file=sys.stderr, flush=True)

    paths = record_paths(args.scenario, range(sc.replications), overrides=overrides,
                         progress=progress)
    if not args.quiet:
        print(file=sys.stderr)
    n = len(paths.runs)
    sets = _sets(changes)
    head = (f"Who leaves, by exit threshold: {sc.name} (seed {sc.seed}, {n} runs"
            f"{'; ' + sets if sets else ''}; leave after {paths.k} years in a row below "
            "the threshold)")
    if not paths.realised:
        print(message(f"{head}\nno arrangement that allows exits was in force in any run: "
                      "nobody could leave, at any threshold (nothing written)", width))
        return 0
    table = curve_table(paths, grid, order_at=own)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "exit_curve.csv", index=False, float_format="%.6g")
    _record(out, sc, digest, changes, {"lo": args.lo, "step": args.step,
                                       "thresholds": len(grid),
                                       "record_edge": args.record_edge})
    said = [f"{_pct(th)} %" for th in at]
    # Echoed in percent: a fraction given as a percentage shows at once.
    print(message(f"{head}\nthresholds printed: {', '.join(said)} (grid {_pct(args.lo)} % to "
                  f"0 in steps of {_pct(args.step)} points)\nshare of runs in which each state "
                  "leaves at its run's first exit, by its own rule or with its bloc\n[90 % "
                  "interval, median year, and by its own rule where some leave with their "
                  "bloc]:", width))
    shown = 0
    for (pid, code), g in table.groupby(["proposal", "country"], sort=False):
        rows = [g[np.isclose(g["threshold_pct"], 100 * th)].iloc[0] for th in at]
        if not any(r["leaves"] for r in rows):
            continue
        cells = []
        for th, r in zip(at, rows, strict=True):
            year = "" if np.isnan(r["median_year"]) else f", {int(round(r['median_year']))}"
            own_rule = (f", {100 * r['leaves_own'] / r['runs']:.1f} % by its own rule"
                        if code != ANY and r["leaves_with_bloc"] else "")
            cells.append(f"{_pct(th)} %: {r['share_pct']:.1f} % "
                         f"[{r['share_lo_pct']:.1f}-{r['share_hi_pct']:.1f}{year}{own_rule}]")
        row = f"  {code} ({pid}): " + "; ".join(cells)
        if width is not None and len(row) > width:  # a threshold a line, never split
            row = f"  {code} ({pid}): " + ";\n    ".join(cells)
        print(row)
        shown += 1
    if not shown:
        print(f"  nobody leaves at {' or '.join(said)}")
    fixed = ", ".join(f"{c} {_pct(v)} %" for c, v in sorted(paths.fixed.items()))
    if fixed:
        print(message(f"states with a threshold of their own keep it: {fixed}", width))
    plot_curve(table, out / "exit_curve.png",
               title=(f"Who leaves, by exit threshold: {sc.name} ({n} runs)"
                      + (f"\nscenario changed with {sets}" if sets else "")),
               marks={f"scenario's threshold {_pct(own)} %": own},
               excluded_above=args.record_edge,
               note=(f"Rule: leave after {paths.k} years in a row below the threshold; a "
                     f"bloc's members leave with it"
                     + (f"; own thresholds kept: {fixed}" if fixed else "") + ".\n"
                     "Share of runs in which the state leaves at its run's first exit; band: "
                     "90 % Wilson interval.\nExact for every threshold from one ensemble "
                     f"with everyone kept in (seed {sc.seed}); exits after a first exit are "
                     "not shown."
                     + (f"\n{read}" if (read := reading_note(table, own, args.record_edge))
                        else "")))
    print(message(f"table: {out / 'exit_curve.csv'} (what it was made of: {RECORD_FILE})\n"
                  f"figure: {out / 'exit_curve.png'}", width))
    return 0
