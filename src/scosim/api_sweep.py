"""Parameter sweeps of a scenario: ``scosim sweep`` and :func:`sweep` (re-exported by scosim.api).

Connects the sampling and analysis of :mod:`scosim.experiments` (grid, Latin hypercube,
Sobol and Morris designs with SALib) to the model runner, and holds the command's handler.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.cli_experiments import SWEEPABLE, add_experiment_parsers  # noqa: E402, F401

# The parsers live in a module that imports nothing heavy (start-up time); re-exported here.
from scosim.errors import ScosimWarning
from scosim.results import (
    LOCK,
    compact_stamp,
    remove_empty_dirs,
    utc_now,
    write_json_atomic,
)
from scosim.sweep_checks import flat_outputs_warning, score_only_warning
from scosim.sweep_files import sweep_versions, write_design, write_indices
from scosim.sweep_request import (  # noqa: F401  (re-exported: scosim.api, tests)
    check_sweep,
    closest_economy,
    instability_param_problem,
    parse_output,
)
from scosim.sweep_text import (  # noqa: F401
    _OUT,
    after_runs_note,
    collection_spread_note,
    defect_rules,
    design_text,
    exits_note,
    indices_text,
    output_label,
    output_unit,
    output_years,
    param_label,
    percent_params,
    replications_text,
    sigma_spread_note,
    wide_intervals_note,
)

MAX_SWEEP_RUNS = 10_000_000
"""Model runs (points x replications) a sweep runs without ``allow_large``."""


def sweep_plan(points: int, replications: int, years: int) -> str:
    """``"sweep: 1,280 points x 2 replications = 2,560 model runs of 11 years, about ..."``."""
    from scosim.run_limits import SECONDS_PER_REPLICATION_YEAR, human_time

    runs = points * replications
    seconds = runs * years * SECONDS_PER_REPLICATION_YEAR
    took = "under a minute" if seconds < 60 else "about " + human_time(seconds)
    from scosim.sweep_text import replications_text as reps

    return (f"sweep: {points:,} points x {reps(replications)} = {runs:,} model runs "
            f"of {years} years, {took} on one core")


def plan_lines(plan: str, width: int | None) -> str:
    """:func:`sweep_plan`'s line as stderr shows it: one line piped or where it fits.

    On a narrower terminal the time goes on a line of its own (wrapped, "on one core"
    was left alone) and each line is wrapped by the rule of the closing line
    (:func:`scosim.tty_lines.message` with ``figures``): a count stays with its unit
    and the word before it ("of 11 years", "= 2,560 model runs"), never ending a line
    with its unit on the next.
    """
    from scosim.tty_lines import message

    if width is None or len(plan) <= width:
        return plan
    head, took = plan.rsplit(", ", 1)
    # "model runs" is the count's unit, two words: kept with it as "points" is.
    head = re.sub(r"(\d) model runs", "\\1\0model\0runs", head)
    return message(f"{head},\n  {took}", width, figures=True)


def design_points(method: str, params: dict[str, Any], n: int) -> int:
    """The number of points a sweep's design has, before it is drawn.

    grid: the product of the value counts (``n`` for a range); lhs: ``n``; Sobol
    (Saltelli, first and total order): ``n (D + 2)``; Morris: ``n (D + 1)``, for
    ``D`` parameters.
    """
    d = len(params)
    if method == "grid":
        # Python integers: np.prod wrapped around at 2**63 (65536 values of four ranges
        # gave 0 points, under the limit, and the grid then filled the memory).
        return math.prod(len(v) if isinstance(v, list) else n for v in params.values())
    return {"lhs": n, "sobol": n * (d + 2), "morris": n * (d + 1)}[method]


def design_label(method: str, params: dict[str, Any], n: int) -> str:
    """A sweep's design as its directory name gives it: ``lhs-n64``, ``grid-3x5``.

    A grid by its values per parameter (``n`` for a range: ``grid-n5`` named three listed
    values by the unused default), or by its point count if long (``grid-4096pts``).
    """
    if method != "grid":
        return f"{method}-n{n}"
    shape = "x".join(str(len(v) if isinstance(v, list) else n) for v in params.values())
    return f"grid-{shape}" if len(shape) <= 40 else f"grid-{design_points(method, params, n)}pts"


def grid_values(params: dict[str, Any], n: int) -> dict[str, list[float]]:
    """A grid's values per parameter: a list as given, a range as ``n`` evenly spaced values."""
    return {k: list(v) if isinstance(v, list) else [float(x) for x in np.linspace(*v, n)]
            for k, v in params.items()}


def _parse_param(text: str) -> tuple[str, tuple[float, float] | list[float]]:
    """``name=lo:hi`` (a range) or ``name=a,b,c`` (grid values)."""
    if "=" not in text:
        raise ValueError(f"--param {text!r}: write NAME=LOW:HIGH or NAME=V1,V2,...")
    name, spec = text.split("=", 1)
    try:
        if ":" in spec:
            lo, hi = (float(x) for x in spec.split(":"))
            if not lo < hi:
                raise ValueError
            return name, (lo, hi)
        return name, [float(x) for x in spec.split(",")]
    except ValueError:
        raise ValueError(
            f"--param {text!r}: LOW:HIGH needs two numbers with LOW < HIGH; a grid needs numbers"
        ) from None


def sweep(
    scenario_path: str,
    params: dict[str, Any],
    outputs: list[str],
    *,
    method: str = "lhs",
    n: int | None = None,
    seed: int = 0,
    out: str | Path = "results",
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int = 256,
    replications: int = 1,
    progress: bool = True,
    allow_large: bool = False,
    resume: bool = True,
    overrides: dict[str, Any] | None = None,
) -> Path:
    """Sweep or analyse the sensitivity of a scenario's outputs to parameters.

    Args:
        scenario_path: Scenario YAML, or ``scosim:<name>`` for a shipped scenario.
        params: Name -> ``(low, high)`` (lhs, sobol, morris) or list of values (grid).
        outputs: Output specs ``INDICATOR:COUNTRY[:YEAR]`` (default year: the last).
        method: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        n: Points (lhs), base sample (sobol, a power of two) or trajectories (morris),
            default 64; for grid, the values of each ``(low, high)`` range, evenly
            spaced, default 5 (a list of values is used as given).
        seed: Seed of the design, not of the runs: every point runs with the same seed
            (common random numbers), the scenario's unless ``overrides`` sets ``seed``
            (``scosim sweep --run-seed``).
        out: Results root; writes ``<out>/<scenario>/sweeps/<id>/`` (start time,
            :func:`design_label`, then the design seed but for a grid, which draws
            nothing: ``20261205T085416-lhs-n64-s0``, ``20261205T085416-grid-3``).
        executor: ``local``, ``process`` or ``dask``.
        workers: Workers.
        scheduler: Dask scheduler address (``executor="dask"`` only; default: a
            LocalCluster of ``workers`` processes).
        batch_size: Points per batch.
        replications: Runs per design point (outputs are averaged over them).
        progress: Show progress.
        allow_large: Accept more than :data:`MAX_SWEEP_RUNS` model runs in all
            (points times replications), as ``scosim run --allow-large``.
        resume: Resume a stopped sweep of the same scenario, versions, design and
            batching (its finished batches are kept in its partial directory), if
            no other process is writing it.
        overrides: Dotted-path assignments applied to the scenario at every point, as
            ``scosim run --set`` (e.g. ``{"parameters.rules.defect": "never_defect"}``);
            one that sets a swept parameter, or a mapping holding it, is refused.

    Returns:
        The directory with ``design_outputs.parquet``, indices and plots.
    """
    from scosim.api import _local_out  # api re-exports this module
    from scosim.experiments.sweep import ScenarioModelFn

    out = _local_out(out, "sweep")
    if method not in ("grid", "lhs", "sobol", "morris"):
        raise ValueError(f"method {method!r} is not one of grid, lhs, sobol, morris")
    if not outputs:
        raise ValueError("give at least one --output INDICATOR:COUNTRY[:YEAR]")
    from scosim.experiments.executors import check_scheduler

    check_scheduler(executor, scheduler)  # else the sweep would run here, the cluster idle
    if n is None:
        n = 5 if method == "grid" else 64
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"--batch-size must be a whole number >= 1, got {batch_size!r}")
    sc = check_sweep(scenario_path, params, outputs, replications=replications, n=n,
                     seed=seed, overrides=overrides)
    ranges = [k for k, v in params.items() if not isinstance(v, list)]
    if method == "grid" and n < 2 and ranges:
        # np.linspace(LOW, HIGH, 1) is [LOW]: HIGH was dropped without a word.
        raise ValueError(
            f"--n {n}: a grid takes n evenly spaced values from LOW to HIGH of {ranges[0]}, "
            "so n must be 2 or more (1 would run LOW alone); to run one value, write "
            f"{ranges[0]}=VALUE")
    from scosim.experiments.sensitivity import check_morris_trajectories, check_sobol_n

    # Checked again by the analyses, but only once the plan was said and the sweep's
    # directory made ("no batch had finished, so nothing was kept"): said first now.
    if method == "sobol":
        check_sobol_n(n)
    elif method == "morris":
        check_morris_trajectories(n)
    points = design_points(method, params, n)
    plan = sweep_plan(points, replications, sc.years.end - sc.years.start + 1)
    if points * replications > MAX_SWEEP_RUNS and not allow_large:
        # A typo in --n (655360 for 65536) is said before hours of runs start.
        raise ValueError(f"{plan}: above the limit of {MAX_SWEEP_RUNS:,} model runs. "
                         "Pass --allow-large (allow_large=True) to run it anyway")
    if progress:
        from scosim.tty_lines import tty_width

        print(plan_lines(plan, tty_width(sys.stderr)), file=sys.stderr)
    if (unread := score_only_warning(sc, params)) is not None:
        warnings.warn(unread, ScosimWarning, stacklevel=2)
    from scosim.scenario.shipped import is_shipped

    fn = ScenarioModelFn(
        # A shipped scenario's name resolves in any process (made a path, it named no file).
        scenario_path if is_shipped(scenario_path) else str(Path(scenario_path).resolve()),
        {o: parse_output(o) for o in outputs},
        overrides=dict(overrides or {}),
        replications=replications,
        # Grid and LHS figures and tables: each point's spread of runs and its exits.
        spread=method in ("grid", "lhs"),
        # Same random streams at every point: differences come from the parameters.
        common_random_numbers=True,
    )
    from scosim.experiments.sweep_resume import (
        KEY_FILE,
        SweepCheckpoint,
        final_name,
        open_sweep_dir,
        sweep_key,
    )
    from scosim.run_stop import kept_note

    started = utc_now()
    sweeps = Path(out) / sc.name / "sweeps"
    created = [d for d in (Path(out), Path(out) / sc.name, sweeps) if not d.exists()]
    # Everything that decides the numbers: a stopped sweep is resumed only by the same.
    # A grid draws nothing (no design seed) and uses n only to space a range's values:
    # left out of its key, a stopped grid resumes whatever --seed or unused --n is given.
    grid = method == "grid"
    key = sweep_key(scenario=fn.scenario_yaml, versions=fn.versions, method=method,
                    n=None if grid and not ranges else n, seed=None if grid else seed,
                    params=params, outputs=outputs, replications=replications,
                    batch_size=batch_size)
    # A grid is the same whatever the seed: naming one said it had been drawn with it.
    seeded = "" if method == "grid" else f"-s{seed}"
    dir_name = f"{compact_stamp(started)}-{design_label(method, params, n)}{seeded}"
    tmp, lock, first = open_sweep_dir(sweeps, dir_name, key, started=started, resume=resume,
                                      progress=progress)
    now, started = started, first or started
    checkpoint = SweepCheckpoint(tmp)
    n_batches = -(-points // batch_size)
    notes = [x for x in (sigma_spread_note(sc, params), collection_spread_note(sc, params))
             if x]
    try:
        _run_sweep(sc, fn, params, outputs, method, n, seed, batch_size, tmp, {
            "executor": executor, "workers": workers, "scheduler": scheduler,
            "progress": progress, "checkpoint": checkpoint}, " ".join(notes))
        meta: dict[str, Any] = {
            "scenario": sc.name,
            "scenario_file": scenario_path,
            # What the numbers come from, as a run's manifest says (the resume key
            # hashes the same versions; the manifest recorded none).
            **sweep_versions(sc, dict(fn.versions)),
            "method": method,
            # What the design used: a grid of listed values alone uses neither n nor a
            # seed (its manifest said "n": 5, the unused default), and a grid's values
            # are recorded as run (a range's n values, not its two ends).
            "n": None if method == "grid" and not ranges else n,
            "points": points,
            **({"grid_values": grid_values(params, n)} if method == "grid" else {}),
            # The design's seed (points, bootstrap); the runs use the scenario's.
            "seed": None if method == "grid" else seed,
            "scenario_seed": sc.seed,
            # What every point ran with beyond the file, as scosim run --set gives them.
            "overrides": dict(overrides or {}),
            "defect_rule": defect_rules(sc),
            "percent_params": percent_params(params, sc),
            "params": {k: list(v) if isinstance(v, list | tuple) else v
                       for k, v in params.items()},
            "outputs": outputs,
            "output_years": output_years(outputs, sc),
            "replications_per_point": replications,
            "started": started,
            "finished": utc_now(),
            "status": "complete",
        }
        if notes:
            meta["notes"] = notes  # printed under the results' header, and on the figures
        if first is not None:
            meta["resumed"] = now  # when the stopped sweep was taken up again
        table = pd.read_parquet(tmp / "design_outputs.parquet")
        flat = flat_outputs_warning(table, outputs, list(params), sc)
        if (exited := exits_note(sc, table)) is not None:
            meta["notes"] = [*notes, exited]  # printed with the table, as on the figure
        if flat is not None:
            meta["warnings"] = [flat]
        write_json_atomic(tmp / "manifest.json", meta)
        checkpoint.remove()
        lock.close()
        for name in (KEY_FILE, LOCK):
            (tmp / name).unlink(missing_ok=True)
        target = final_name(tmp)
        tmp.rename(target)
        if flat is not None:  # said once the sweep is in place, its results beside it
            warnings.warn(flat, ScosimWarning, stacklevel=2)
    except BaseException as exc:
        lock.close()
        kept = checkpoint.count()
        ran_all = kept >= n_batches and not isinstance(exc, KeyboardInterrupt | OSError)
        if ran_all or not kept:
            # Every point ran and the analysis or a file failed: running the same
            # command again would fail the same way, so nothing is kept (as before).
            shutil.rmtree(tmp, ignore_errors=True)
            remove_empty_dirs(created)
        exc.add_note(after_runs_note(method, points, replications) if ran_all else
                     kept_note(kept, n_batches, tmp,
                               finishes="finishes the sweep without running them again"))
        raise
    return target


def _run_sweep(
    sc: Any,
    fn: Any,
    params: dict[str, Any],
    outputs: list[str],
    method: str,
    n: int,
    seed: int,
    batch_size: int,
    tmp: Path,
    kw: dict[str, Any],
    note: str = "",
) -> None:
    from scosim.experiments import sensitivity
    from scosim.experiments import sweep as sw

    if method in ("grid", "lhs"):
        if method == "grid":
            design = sw.grid(grid_values(params, n))
        else:
            design = sw.latin_hypercube({k: tuple(v) for k, v in params.items()}, n, seed)
        table = sw.evaluate(fn, design, batch_size=batch_size, **kw)
        write_design(table, tmp / "design_outputs.parquet", outputs)
        note = " ".join(x if x.endswith(".") else x + "."  # sentences, run together
                        for x in (note, exits_note(sc, table)) if x)
        figs = [sw.plot_sweep(table, list(params), outputs, path=tmp / "sweep.png",
                              context=_sweep_context(sc, fn),
                              labels={o: output_label(o, sc) for o in outputs},
                              param_labels={p: param_label(p, sc) for p in params},
                              note=note, replications=fn.replications,
                              percent_params=percent_params(params, sc))]
    elif method in ("sobol", "morris"):
        bounds = {k: tuple(v) for k, v in params.items()}
        if method == "sobol":
            res = sensitivity.sobol_analysis(
                fn, bounds, n=n, seed=seed, batch_size=batch_size, **kw
            )
        else:
            res = sensitivity.morris_analysis(
                fn, bounds, trajectories=n, seed=seed, batch_size=batch_size, **kw
            )
        write_design(res.samples, tmp / "design_outputs.parquet", outputs)
        write_indices(res, tmp / "indices.csv")
        if method == "sobol" and (wide := wide_intervals_note(res.indices, n)):
            # Under each figure too: the bars alone look like findings.
            note = " ".join(x for x in (note, wide) if x)
        # The title counts the points and the runs: the replications are said there.
        context = f"{sc.name} (seed {sc.seed}, the same at every point)"
        labels = {o: output_label(o, sc) for o in outputs}
        safe = {o: re.sub(r"[^A-Za-z0-9_]+", "_", o) for o in outputs}
        figs = [res.plot(output=o, path=tmp / f"{method}_{safe[o]}.png", context=context,
                         labels=labels, replications=fn.replications, note=note,
                         units={o: output_unit(o) for o in outputs}) for o in outputs]
    import matplotlib.pyplot as plt

    for fig in figs:
        plt.close(fig)


def _sweep_context(sc: Any, fn: Any) -> str:
    """What a sweep's figures say was run: the scenario, its seed, the replications."""
    return (f"{sc.name} (seed {sc.seed}, the same at every point), "
            f"{replications_text(fn.replications)} a point")


def sweep_cli(args: argparse.Namespace) -> int:
    """Handler of ``scosim sweep``."""
    parsed = [_parse_param(p) for p in args.param]
    params = dict(parsed)
    if len(params) < len(parsed):
        # dict() would keep the last range silently and sweep something else than asked.
        first: dict[str, int] = {}
        twice = [f"--param:{i}: {name}: given again (first as --param:{first[name]}); "
                 "give each parameter once"
                 for i, (name, _) in enumerate(parsed, start=1)
                 if first.setdefault(name, i) != i]
        raise ValueError("\n".join(twice))
    if not params:
        raise ValueError("give at least one --param NAME=LOW:HIGH")
    from scosim.scenario import parse_overrides

    # Parsed as scosim run --set parses them, with the same errors.
    overrides = parse_overrides(args.set) if getattr(args, "set", None) else None
    run_seed = getattr(args, "run_seed", None)
    if run_seed is not None:
        # Every point runs with one seed (common random numbers), this one: as --set seed.
        if overrides and "seed" in overrides:
            raise ValueError(f"--run-seed {run_seed} and --set seed={overrides['seed']}: both "
                             "set the runs' seed; give one")
        overrides = {**(overrides or {}), "seed": run_seed}
    if args.method != "grid":
        for name, v in params.items():
            if isinstance(v, list):
                # lhs is the default: a list of values was most likely meant for a grid.
                raise ValueError(f"--param {name}: method {args.method} needs a range "
                                 "LOW:HIGH; a list of values V1,V2,... is for --method grid")
    target = sweep(
        args.scenario,
        params,
        args.output,
        method=args.method,
        n=args.n,
        seed=args.seed,
        out=args.out,
        executor=args.executor,
        workers=args.workers,
        scheduler=args.scheduler,
        replications=args.replications,
        progress=not args.quiet,
        allow_large=args.allow_large,
        resume=not args.no_resume,
        batch_size=args.batch_size,
        overrides=overrides,
    )
    meta = json.loads((target / "manifest.json").read_text())
    from scosim.tty_lines import labelled, message, tty_width

    width = tty_width(sys.stdout)  # None piped: every line as before, scripts read them
    if (target / "indices.csv").is_file():
        print(indices_text(pd.read_csv(target / "indices.csv"), meta,
                           points=len(pd.read_parquet(target / "design_outputs.parquet",
                                                      columns=[next(iter(params))])),
                           width=width))
    else:  # grid, lhs: the outputs over the points
        print(design_text(pd.read_parquet(target / "design_outputs.parquet"), meta, width))
    seeded = "a grid, no design seed" if meta["seed"] is None else f"design seed {meta['seed']}"
    print(*labelled("sweep:", [str(target)], width, 7), sep="\n")
    # A figure kept with its label: at 72 columns the line ended with a lone "1".
    print(message(f"       {seeded}; runs with the scenario's seed {meta['scenario_seed']}, "
                  f"{replications_text(meta['replications_per_point'])} a point", width,
                  figures=True))
    return 0
