"""Experiments on scenarios: paired comparison runs and parameter sweeps.

This module connects the generic machinery (``scosim.compare``,
``scosim.report``, ``scosim.experiments``) to the model, and holds the
handlers of ``scosim compare`` and ``scosim sweep``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# The parsers live in a module that imports nothing heavy (start-up time); re-exported here.
from scosim.cli_experiments import SWEEPABLE, add_experiment_parsers  # noqa: E402, F401
from scosim.results import (
    PARTIAL_PREFIX,
    compact_stamp,
    is_url,
    local_path,
    remove_empty_dirs,
    resolve_run,
    unused_name,
    utc_now,
    write_json_atomic,
)
from scosim.runner import run
from scosim.scenario import load_scenario

#: Indicators in the report when none are named.
REPORT_INDICATORS: tuple[str, ...] = (
    "welfare_change_pct",
    "real_gdp_change_pct",
    "terms_of_trade_change_pct",
    # Explained results (docs/customs_union.md): the welfare change's terms and US$ EV.
    "welfare_tariff_revenue_pct",
    "welfare_terms_of_trade_pct",
    "welfare_rest_pct",
    "ev_usd",
)

#: Units of indicators whose declaration does not give one (the model declares units
#: where it defines indicators: ``indicators = {name: unit}`` of each proposal type and
#: mechanism, read by :func:`scosim.indicator_display.resolve_units`). A fallback only:
#: these record none, or only a pointer to the docs (docs/model.md, docs/network.md).
UNITS = {
    "member": "share of runs",
    "trust_received": "index 0-1, mean trust of the other economies",
    "gas_import_dependence": "fraction of gas consumption imported",
    "gas_supplier_hhi": "index 0-1 (Herfindahl-Hirschman, import shares)",
    "gas_pipeline_imports_bcm": "bcm a year",
    "power_imports_twh": "TWh a year",
}


def _local_out(out: str | Path, command: str) -> Path:
    """``out`` as a local path; an object-store URL is refused (only ``scosim run`` takes one)."""
    if is_url(str(out)):
        raise ValueError(
            f"--out {out}: scosim {command} reads and writes a local results directory; "
            "object-store URLs are taken by scosim run only"
        )
    return local_path(out)


# ------------------------------------------------------------------ compare
def _is_scenario_file(ref: str) -> bool:
    return ref.endswith((".yaml", ".yml")) and Path(ref).is_file()


def _closest_indicator(name: str, known: Sequence[str]) -> str | None:
    """The indicator meant by an unknown ``name``, for a did-you-mean.

    The first one ``name`` begins (``welfare`` -> ``welfare_change_pct``, not difflib's
    ``welfare_rest_pct``), else the closest spelling, else None.
    """
    import difflib

    begun = [k for k in known
             if k.startswith(f"{name}_") or (len(name) > 3 and k.startswith(name))]
    if begun:
        return begun[0]
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def compare_runs(
    policy: str,
    baseline: str,
    *,
    replications: int | None = None,
    seed: int | None = None,
    out: str | Path = "results",
    level: float = 0.90,
    method: str = "t",
    indicators: list[str] | None = None,
    executor: str = "local",
    workers: int | None = None,
    progress: bool = True,
    year: int | None = None,
    plot_workers: int | None = None,
) -> tuple[Any, Path]:
    """Compare a policy with a baseline, run by run, and write a report.

    Each of ``policy`` and ``baseline`` is a run directory, a run id, a scenario
    name (its latest finished run) or a scenario YAML file; a YAML file is run
    first. The baseline is run with the policy's seed and replications so that
    runs pair up (common random numbers).

    Args:
        policy: The policy run or scenario.
        baseline: The baseline run or scenario.
        replications: Replications for scenarios that must be run.
        seed: Seed for scenarios that must be run.
        out: Results root.
        level: Interval level.
        method: Interval of the mean: ``t`` or ``bootstrap``.
        indicators: Indicators to compare (default: all).
        executor: Executor for scenarios that must be run.
        workers: Workers for that executor.
        progress: Show progress.
        year: Year of the report's table and bar charts (default: the last
            year, or the year of largest effect when none is left by then).
        plot_workers: Processes drawing the report's figures, this one included
            (default: the usable CPUs, at most 4; :func:`scosim.compare_plots.draw_all`).

    Returns:
        ``(comparison, report directory)``.
    """
    from scosim.compare import PairingError, compare_results, largest_effect_year
    from scosim.report import write_report
    from scosim.scenario.schema import indicator_names

    if plot_workers is not None and plot_workers < 1:
        raise ValueError(f"--plot-workers must be at least 1, got {plot_workers}")
    known = indicator_names()
    for ind in indicators or []:
        if ind not in known:
            close = _closest_indicator(ind, known)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise ValueError(
                f"--indicator {ind!r} is unknown{hint}; indicators: {', '.join(known)}"
            )
    if policy == baseline:
        raise PairingError(
            f"policy and baseline are the same run ({policy!r}): every difference would be "
            "zero. Compare two different runs"
        )
    if (replications is not None or seed is not None) and not _is_scenario_file(policy):
        # Only a policy YAML file is run with them (the baseline then with its manifest's):
        # ignored, they would let a reader think the comparison had other runs.
        given = " and ".join(f"--{k} {v}" for k, v in (("replications", replications),
                                                         ("seed", seed)) if v is not None)
        raise ValueError(
            f"{given}: only a policy given as a scenario YAML file is run with them; "
            f"{policy!r} is a finished run, compared with its own seed and replications "
            "(the baseline must match them). Leave them out, or give the policy's YAML file")
    for role, ref in (("policy", policy), ("baseline", baseline)):
        if ref.endswith((".yaml", ".yml")) and not Path(ref).is_file():
            # Not "no finished run 'x.yaml'": the file is what is missing.
            raise FileNotFoundError(
                f"{role} scenario file {ref} not found (looked for {Path(ref).resolve()}); "
                "give a scenario YAML file, a scenario name, a run id or a run directory")
    out = _local_out(out, "compare")
    kw = {"out": out, "executor": executor, "workers": workers, "progress": progress}
    if _is_scenario_file(policy):
        pol_dir = run(policy, replications=replications, seed=seed, **kw).path
    else:
        pol_dir = resolve_run(policy, out)
    pm = json.loads((pol_dir / "manifest.json").read_text())
    if _is_scenario_file(baseline):
        base_dir = run(baseline, replications=pm["replications"], seed=pm["seed"], **kw).path
    else:
        base_dir = resolve_run(baseline, out)
    comp = compare_results(
        pol_dir, base_dir, level=level, method=method, indicators=indicators or None
    )
    shown = list(indicators or REPORT_INDICATORS)
    years = sorted(int(y) for y in comp.summary["year"].unique())
    if year is None:
        year, why = largest_effect_year(comp.summary, shown[0])
    elif year not in years:
        raise ValueError(
            f"--year {year} is not a year both runs simulated ({years[0]}-{years[-1]})"
        )
    else:
        why = "chosen with --year"
    comp.report_year, comp.report_year_note = year, why
    stamp = compact_stamp()
    name = f"{pm['scenario']}_vs_{comp.baseline_manifest['scenario']}_{stamp}"
    report_dir = Path(out) / "compare" / unused_name(Path(out) / "compare", name,
                                                     hidden=(PARTIAL_PREFIX,))
    # Written under a hidden name and renamed once complete, as runs are: a compare
    # that fails or is interrupted while writing (a full disk, Ctrl-C) leaves no half
    # report.
    work = report_dir.with_name(f"{PARTIAL_PREFIX}{report_dir.name}")
    work.mkdir(parents=True)
    try:
        with _figure_progress(progress) as on_figure:
            write_report(
                comp,
                work,
                title=f"{pm['scenario']} compared with {comp.baseline_manifest['scenario']}",
                policy_manifest=comp.policy_manifest,
                baseline_manifest=comp.baseline_manifest,
                # Percent changes read well in a table; money levels are in the Parquet
                # summary.
                indicators=shown,
                units=UNITS,
                year=year,
                year_note=why,
                plot_workers=plot_workers,
                on_figure=on_figure,
            )
        comp.table(year).to_csv(work / "summary_table.csv", index=False)
        comp.summary.to_parquet(work / "summary.parquet", index=False)
        work.rename(report_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(OSError):
            report_dir.parent.rmdir()  # only if empty: "compare/" made for this report
        raise
    return comp, report_dir


@contextlib.contextmanager
def _figure_progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar of the report's figures (drawn on a terminal only)."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("[bold]report figures"), BarColumn(), MofNCompleteColumn(),
                  transient=True) as bar:
        task = bar.add_task("figures", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def compare_cli(args: argparse.Namespace) -> int:
    """Handler of ``scosim compare``."""
    from scosim.report import print_summary, terminal_rows

    comp, report_dir = compare_runs(
        args.policy,
        args.baseline,
        replications=args.replications,
        seed=args.seed,
        out=args.out,
        level=args.level,
        method=args.method,
        indicators=args.indicator,
        executor=args.executor,
        workers=args.workers,
        progress=not args.quiet,
        year=args.year,
        plot_workers=args.plot_workers,
    )
    shown = args.indicator or ["welfare_change_pct"]
    year = comp.report_year
    from rich.console import Console

    pm = comp.policy_manifest
    print_summary(
        terminal_rows(comp, year, shown),
        console=Console(width=None if sys.stdout.isatty() else 160),
        title=f"{pm['scenario']} minus {comp.baseline_manifest['scenario']}, "
        f"{year}: {comp.report_year_note} ({pm['replications']} paired runs, seed {pm['seed']})",
        units=UNITS,
        full_table=str(report_dir / "report.md"),
    )
    print(f"report: {report_dir / 'report.html'}")
    print(f"        {report_dir / 'report.md'}")
    return 0


# -------------------------------------------------------------------- sweeps
_OUT = re.compile(r"^(?P<ind>[a-z_]+):(?P<c>[A-Z]{3})(?::(?P<y>\d{4}))?$")


def parse_output(spec: str) -> Any:
    """``indicator:COUNTRY[:YEAR]`` -> an :class:`~scosim.experiments.sweep.Outcome`."""
    from scosim.experiments.sweep import Outcome

    m = _OUT.match(spec)
    if not m:
        raise ValueError(
            f"output {spec!r} is not INDICATOR:COUNTRY[:YEAR], e.g. welfare_change_pct:KAZ:2035"
        )
    return Outcome(m["ind"], year=int(m["y"]) if m["y"] else None, countries=(m["c"],))


def check_sweep(
    scenario_path: str,
    params: dict[str, Any],
    outputs: list[str],
    *,
    replications: int = 1,
    n: int = 1,
    seed: int = 0,
) -> Any:
    """Check a sweep against the scenario schema before anything runs.

    Every sweep bound (or grid value) is validated as an override of the
    scenario, so it obeys the same ranges as a value written in the file;
    every output names a recorded indicator, an economy and a simulated year.

    Returns:
        The loaded scenario.

    Raises:
        ScenarioError: One ``--param:N`` / ``--output:N`` line per problem.
        ValueError: Non-positive replications or ``n``, a negative design seed.
    """
    import difflib

    from scosim.runner import check_replications
    from scosim.scenario import ErrorItem, ScenarioError
    from scosim.scenario.schema import ECONOMIES, indicator_names

    sc = load_scenario(scenario_path)
    years = sc.years.end - sc.years.start + 1
    check_replications(replications, years, what="--replications (runs per point)")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"--n must be a whole number >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        # numpy's own message ("expected non-negative integer") names no option.
        raise ValueError(f"--seed (the design's seed) must be a whole number >= 0, got {seed!r}")
    errors: list[ErrorItem] = []
    for i, (name, v) in enumerate(params.items(), start=1):
        if name not in SWEEPABLE:
            close = difflib.get_close_matches(name, SWEEPABLE, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            errors.append(ErrorItem("--param", i, name, (
                f"cannot be swept{hint}; sweepable: {', '.join(SWEEPABLE)}")))
            continue
        for value in v:
            try:
                load_scenario(scenario_path, overrides={name: float(value)})
            except ScenarioError as exc:
                errors += [ErrorItem("--param", i, name, e.message)
                           for e in exc.errors]
    wanted = sc.outputs.indicators
    for i, spec in enumerate(outputs, start=1):
        m = _OUT.match(spec)
        if not m:
            errors.append(ErrorItem("--output", i, spec, (
                "write INDICATOR:COUNTRY[:YEAR], e.g. welfare_change_pct:KAZ:2035")))
            continue
        ind, code, year = m["ind"], m["c"], m["y"]
        if ind not in indicator_names():
            close = _closest_indicator(ind, indicator_names())
            hint = f" (did you mean {close!r}?)" if close else ""
            errors.append(ErrorItem("--output", i, spec, (
                f"unknown indicator {ind!r}{hint}; indicators: {', '.join(indicator_names())}")))
        elif wanted != "all" and ind not in wanted:
            errors.append(ErrorItem("--output", i, spec, (
                f"{ind!r} is not among the scenario's outputs.indicators ({', '.join(wanted)})")))
        if code not in ECONOMIES:
            errors.append(ErrorItem("--output", i, spec, (
                f"unknown country code {code!r}; allowed: {', '.join(ECONOMIES)}")))
        if year is not None and int(year) not in sc.years:
            errors.append(ErrorItem("--output", i, spec, (
                f"year {year} is outside the simulated years {sc.years.start}-{sc.years.end}")))
    if errors:
        raise ScenarioError(errors)
    return sc


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
    batch_size: int = 256,
    replications: int = 1,
    progress: bool = True,
) -> Path:
    """Sweep or analyse the sensitivity of a scenario's outputs to parameters.

    Args:
        scenario_path: Scenario YAML.
        params: Name -> ``(low, high)`` (lhs, sobol, morris) or list of values (grid).
        outputs: Output specs ``INDICATOR:COUNTRY[:YEAR]`` (default year: the last).
        method: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        n: Points (lhs), base sample (sobol, a power of two) or trajectories (morris),
            default 64; for grid, the values of each ``(low, high)`` range, evenly
            spaced, default 5 (a list of values is used as given).
        seed: Seed of the design.
        out: Results root; writes ``<out>/<scenario>/sweeps/<id>/``.
        executor: ``local``, ``process`` or ``dask``.
        workers: Workers.
        batch_size: Points per batch.
        replications: Runs per design point (outputs are averaged over them).
        progress: Show progress.

    Returns:
        The directory with ``design_outputs.parquet``, indices and plots.
    """
    from scosim.experiments.sweep import ScenarioModelFn

    out = _local_out(out, "sweep")
    if method not in ("grid", "lhs", "sobol", "morris"):
        raise ValueError(f"method {method!r} is not one of grid, lhs, sobol, morris")
    if not outputs:
        raise ValueError("give at least one --output INDICATOR:COUNTRY[:YEAR]")
    if n is None:
        n = 5 if method == "grid" else 64
    sc = check_sweep(scenario_path, params, outputs, replications=replications, n=n,
                     seed=seed)
    fn = ScenarioModelFn(
        str(Path(scenario_path).resolve()),
        {o: parse_output(o) for o in outputs},
        replications=replications,
        # Same random streams at every point: differences come from the parameters.
        common_random_numbers=True,
    )
    started = utc_now()
    stamp = compact_stamp(started)
    sweeps = Path(out) / sc.name / "sweeps"
    target = sweeps / unused_name(sweeps, f"{stamp}-{method}-n{n}-s{seed}")
    tmp = target.with_name("." + target.name + ".partial")
    created = [d for d in (Path(out), Path(out) / sc.name, sweeps) if not d.exists()]
    tmp.mkdir(parents=True)
    try:
        _run_sweep(sc, fn, params, outputs, method, n, seed, batch_size, tmp, {
            "executor": executor, "workers": workers, "progress": progress})
        meta: dict[str, Any] = {
            "scenario": sc.name,
            "scenario_file": scenario_path,
            "method": method,
            "n": n,
            # The design's seed (points, bootstrap); the runs use the scenario's.
            "seed": seed,
            "scenario_seed": sc.seed,
            "params": {k: list(v) if isinstance(v, list | tuple) else v
                       for k, v in params.items()},
            "outputs": outputs,
            "replications_per_point": replications,
            "started": started,
            "finished": utc_now(),
            "status": "complete",
        }
        write_json_atomic(tmp / "manifest.json", meta)
        tmp.rename(target)
    except BaseException:
        # A failed or interrupted sweep keeps nothing: it cannot be resumed.
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        remove_empty_dirs(created)
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
) -> None:
    from scosim.experiments import sensitivity
    from scosim.experiments import sweep as sw

    if method in ("grid", "lhs"):
        if method == "grid":
            grid_params = {
                k: (list(v) if isinstance(v, list) else list(np.linspace(*v, n)))
                for k, v in params.items()
            }
            design = sw.grid(grid_params)
        else:
            design = sw.latin_hypercube({k: tuple(v) for k, v in params.items()}, n, seed)
        table = sw.evaluate(fn, design, batch_size=batch_size, **kw)
        table.to_parquet(tmp / "design_outputs.parquet", index=False)
        figs = [sw.plot_sweep(table, list(params), outputs, path=tmp / "sweep.png",
                              context=_sweep_context(sc, fn),
                              labels={o: output_label(o, sc) for o in outputs})]
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
        res.samples.to_parquet(tmp / "design_outputs.parquet", index=False)
        res.indices.to_csv(tmp / "indices.csv", index=False)
        context = _sweep_context(sc, fn)
        labels = {o: output_label(o, sc) for o in outputs}
        safe = {o: re.sub(r"[^A-Za-z0-9_]+", "_", o) for o in outputs}
        figs = [res.plot(output=o, path=tmp / f"{method}_{safe[o]}.png", context=context,
                         labels=labels) for o in outputs]
    import matplotlib.pyplot as plt

    for fig in figs:
        plt.close(fig)


def _sweep_context(sc: Any, fn: Any) -> str:
    """What a sweep's figures say was run: the scenario, its seed, the replications."""
    return (f"{sc.name} (seed {sc.seed}, the same at every point), "
            f"{fn.replications} replication(s) a point")


def output_label(spec: str, sc: Any) -> str:
    """``"welfare change (welfare_change_pct) of KAZ in 2035, percent"``: a sweep output."""
    from scosim.indicator_display import NAMES, resolve_units

    m = _OUT.match(spec)
    if not m:
        return spec
    ind = m["ind"]
    year = m["y"] or sc.years.end
    name = f"{NAMES[ind]} ({ind})" if ind in NAMES else ind
    unit = resolve_units([ind], UNITS)[ind]
    return f"{name} of {m['c']} in {year}" + (f", {unit}" if unit else "")


def indices_text(indices: pd.DataFrame, meta: dict[str, Any], *, points: int) -> str:
    """The indices ``scosim sweep`` prints: what they are, from how many runs, rounded.

    Sobol indices are shares of variance: three decimals are more than their
    intervals support at any affordable n. Morris effects are in output units:
    four significant digits. NaN (an output that never varies) reads "undefined".
    """
    reps = meta["replications_per_point"]
    runs = f"{points} points x {reps} replication(s) = {points * reps} model runs"
    if meta["method"] == "sobol":
        head = (f"Sobol indices (base sample n = {meta['n']}; {runs}); S1_conf, ST_conf: "
                "half-widths of 95% bootstrap confidence intervals")
        cols = {c: "{:.3f}" for c in ("S1", "S1_conf", "ST", "ST_conf")}
    else:
        head = (f"Morris elementary effects ({meta['n']} trajectories; {runs}); in output "
                "units per full range of the parameter; mu_star_conf: half-width of the "
                "95% bootstrap confidence interval of mu_star")
        cols = {c: "{:.4g}" for c in ("mu", "mu_star", "mu_star_conf", "sigma")}
    shown = indices.copy()
    for c, f in cols.items():
        shown[c] = [("undefined" if v != v else f.format(v)) for v in shown[c]]
    text = head + "\n" + shown.to_string(index=False)
    if meta["method"] == "sobol" and (shown[list(cols)] == "undefined").any().any():
        text += "\nundefined: the output is the same at every point (no variance to apportion)"
    return text


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
    if args.method != "grid":
        for name, v in params.items():
            if isinstance(v, list):
                raise ValueError(f"--param {name}: method {args.method} needs a range LOW:HIGH")
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
        replications=args.replications,
        progress=not args.quiet,
    )
    meta = json.loads((target / "manifest.json").read_text())
    if (target / "indices.csv").is_file():
        print(indices_text(pd.read_csv(target / "indices.csv"), meta,
                           points=len(pd.read_parquet(target / "design_outputs.parquet",
                                                      columns=[next(iter(params))]))))
    print(f"sweep: {target}\n       design seed {meta['seed']}; runs with the scenario's seed "
          f"{meta['scenario_seed']}, {meta['replications_per_point']} replication(s) a point")
    return 0
