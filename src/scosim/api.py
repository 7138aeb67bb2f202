"""Experiments on scenarios: paired comparison runs and parameter sweeps.

This module connects the generic machinery (``scosim.compare``,
``scosim.report``, ``scosim.experiments``) to the model, and holds the
handlers of ``scosim compare`` and ``scosim sweep``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The parsers live in a module that imports nothing heavy (start-up time); re-exported here.
from scosim.cli_experiments import SWEEPABLE, add_experiment_parsers  # noqa: E402, F401
from scosim.compare_cleanup import made_run, removed_if_failed
from scosim.results import (
    PARTIAL_PREFIX,
    compact_stamp,
    is_url,
    local_path,
    unused_name,
)
from scosim.runner import run

if TYPE_CHECKING:
    from scosim.compare import Comparison
    from scosim.compare_terminal import SummaryTable

from scosim.compare_shown import (  # noqa: E402, F401  (moved; importable from here)
    REPORT_INDICATORS,
    UNITS,
    _declared_units,
    report_indicators,
)


def _local_out(out: str | Path, command: str) -> Path:
    """``out`` as a local path; an object-store URL is refused (only ``scosim run`` takes one)."""
    if is_url(str(out)):
        raise ValueError(
            f"--out {out}: scosim {command} reads and writes a local results directory; "
            "object-store URLs are taken by scosim run only"
        )
    return local_path(out)


# ------------------------------------------------------------------ compare
def _planned(ref: str, run_dir: str | Path | None, *, replications: int | None = None,
             seed: int | None = None) -> dict[str, Any]:
    """Years, seed and replications of one side of a comparison, before anything runs.

    Args:
        ref: The side as given (a scenario file when ``run_dir`` is None).
        run_dir: The finished run it names, or None for a scenario file to run.
        replications: ``--replications`` for a scenario file (else its own).
        seed: ``--seed`` for a scenario file (else its own).
    """
    if run_dir is not None:
        from scosim.compare_read import read_manifest

        return read_manifest(run_dir)
    from scosim.experiments.versions import versions
    from scosim.scenario import load_scenario

    sc = load_scenario(ref)  # a bad file fails here, with the message run() would give
    # The data the run will use: without it, a finished baseline's version "differed".
    return {"scenario": sc.name, "years": [sc.years.start, sc.years.end], "file": True,
            "data_version": versions()["data"], "network_version": versions()["network"],
            "seed": sc.seed if seed is None else seed,
            "replications": sc.replications if replications is None else replications}


def _check_planned(pol: dict[str, Any], base: dict[str, Any], year: int | None) -> None:
    """Refuse, before a scenario file is run, a comparison that would fail once it had run.

    The years must overlap (and hold ``--year``); a policy file must be run with the seed
    and replications of a finished baseline (a baseline file takes the policy's).

    Raises:
        PairingError: Years that do not overlap, or seed / replications that differ.
        ValueError: ``--year`` outside the common years.
    """
    import warnings

    from scosim.compare_read import _check_common_years, check_pairable

    _check_common_years(pol, base)
    if pol.get("file") and not base.get("file"):
        with warnings.catch_warnings():
            # Its warnings (other data or code) are said once, when the runs are read.
            warnings.simplefilter("ignore")
            check_pairable({**pol, "status": "complete"}, base)
    yp, yb = pol.get("years"), base.get("years")
    if year is not None and isinstance(yp, list) and isinstance(yb, list):
        first, last = max(yp[0], yb[0]), min(yp[1], yb[1])
        if not first <= year <= last:
            raise ValueError(f"--year {year} is not a year both runs simulated ({first}-{last})")


def _is_scenario_file(ref: str) -> bool:
    """Whether ``ref`` is a scenario to run: a YAML file, or ``scosim:<name>`` (shipped).

    A shipped name is one even when no such scenario is shipped: loading it then fails
    with the loader's one line naming the closest (a run is never named ``scosim:...``,
    whose ``:`` no scenario name may hold, so it cannot mean a finished run).
    """
    from scosim.scenario.shipped import is_shipped

    return is_shipped(ref) or (ref.endswith((".yaml", ".yml")) and Path(ref).is_file())


def _one_file(policy: str, baseline: str) -> Path | None:
    """The file both sides name, if they are one scenario file written two ways, else None.

    ``scosim:customs_union``, ``scosim:customs_union.yaml`` and, in a checkout,
    ``scenarios/customs_union.yaml``: the baseline found the policy's run (or made the same
    one), and the comparison was of one ensemble with itself, every difference zero.
    """
    from scosim.scenario.shipped import is_shipped, shipped_path

    def path(ref: str) -> Path | None:
        try:
            return (shipped_path(ref) if is_shipped(ref) else Path(ref)).resolve()
        except LookupError:
            return None  # said as one line when it is loaded

    pol = path(policy)
    return pol if pol is not None and pol == path(baseline) else None


def finished_run(scenario_file: str | Path, out: str | Path,
                 overrides: Mapping[str, Any] | None = None) -> Path | None:
    """A finished run under ``out`` that running ``scenario_file`` would repeat, or None.

    Same resolved scenario (with ``overrides``, seed and replications included), package,
    data, network and plug-in versions (:func:`scosim.run_catalogue.ensemble_key`): the
    same numbers bit for bit, whatever executor, workers and batch size made them. Used by
    ``scosim compare`` and the explorer's comparison
    (:func:`scosim.explore.session.compare_view`), so both reuse the same runs.

    Args:
        scenario_file: The scenario YAML file.
        out: Results root.
        overrides: Dotted-path overrides the run would be made with (``--set``, seed,
            replications).
    """
    from scosim.experiments.versions import scenario_versions
    from scosim.run_catalogue import ensemble_key, find_finished
    from scosim.scenario import load_scenario

    sc = load_scenario(scenario_file, overrides=overrides or None)
    return find_finished(out, sc.name, ensemble_key(sc, scenario_versions(sc)))


def _finished_run_of(ref: str, out: Path, *, replications: int | None,
                     seed: int | None) -> Path | None:
    """:func:`finished_run` of a file ``scosim compare`` would run, said on stderr when found.

    Without it, a second ``scosim compare`` of a file ran it again for the same numbers.
    """
    from scosim.compare_read import read_manifest

    given = {k: v for k, v in (("seed", seed), ("replications", replications)) if v is not None}
    found = finished_run(ref, out, given)
    if found is not None:
        m = read_manifest(found)
        from scosim.tty_lines import to_stderr

        to_stderr(f"scosim: {ref}: reusing the finished run {found} (same resolved scenario, "
                  f"seed {m['seed']}, {m['replications']} replications and versions; --rerun "
                  "runs it again)")
    return found


def _run_flags(executor: str, workers: int | None, scheduler: str | None) -> str:
    """The options given that only matter to a run (``--executor process --workers 2``).

    ``""`` when none was: the local executor is the default.
    """
    return " ".join(f"--{k} {v}" for k, v in (
        ("executor", None if executor == "local" else executor), ("workers", workers),
        ("scheduler", scheduler)) if v is not None)


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
    scheduler: str | None = None,
    progress: bool = True,
    year: int | None = None,
    plot_workers: int | None = None,
    rerun: bool = False,
) -> tuple[Any, Path]:
    """Compare a policy with a baseline, run by run, and write a report.

    Each of ``policy`` and ``baseline`` is a run directory, a run id, a scenario
    name (its latest finished run), a scenario YAML file or ``scosim:<name>`` (a shipped
    scenario, :mod:`scosim.scenario.shipped`, run as its file); a YAML file is run
    first, unless ``out`` holds a finished run that running it would repeat (same
    resolved scenario, seed, replications and versions), which is used instead. The
    baseline is run with the policy's seed and replications so that runs pair up
    (common random numbers).

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
        scheduler: Dask scheduler address for that executor (default: a LocalCluster).
        progress: Show progress.
        year: Year of the report's table and bar charts (default: the last
            year, or the year of largest effect when none is left by then).
        plot_workers: Processes drawing the report's figures, this one included
            (default: the usable CPUs, at most 4; :func:`scosim.compare_plots.draw_all`).
        rerun: Run scenario YAML files even when such a finished run exists.

    Returns:
        ``(comparison, report directory)``.
    """
    from scosim.compare import PairingError
    from scosim.compare_names import find_runs
    from scosim.compare_read import read_manifest
    from scosim.scenario.schema import indicator_names
    from scosim.scenario.shipped import shipped_hint

    if plot_workers is not None and plot_workers < 1:
        raise ValueError(f"--plot-workers must be at least 1, got {plot_workers}")
    known = indicator_names()
    first: dict[str, int] = {}
    twice = [f"--indicator:{i}: {ind}: given again (first as --indicator:{first[ind]}); "
             "give each indicator once"
             for i, ind in enumerate(indicators or [], start=1)
             if first.setdefault(ind, i) != i]
    if twice:
        # As a repeated --param of `scosim sweep`: the report would tabulate it twice.
        raise ValueError("\n".join(twice))
    if any(ind not in known for ind in indicators or []):
        # A plug-in named by dotted path is known here only through the runs compared.
        files = [r for r in (policy, baseline) if _is_scenario_file(r)]
        runs = [r for r in (policy, baseline) if r not in files]
        declared = _declared_units(runs, _local_out(out, "compare"), scenario_files=files)
        known = (*indicator_names(), *declared)  # the files' plug-ins are registered now
    for ind in indicators or []:
        if ind not in known:
            from scosim.compare_names import recorded_by, unknown_indicator_message

            recorded = recorded_by((policy, baseline), _local_out(out, "compare"))
            # The runs' own names first: the one meant is most likely among them.
            close = _closest_indicator(ind, [*(recorded or ()), *known])
            raise ValueError(unknown_indicator_message(ind, known, recorded, close))
    if policy == baseline and _is_scenario_file(policy):
        # A finished run given twice is refused once found (a folder is not a run).
        raise PairingError(
            f"policy and baseline are the same run ({policy!r}): every difference would be "
            "zero. Compare two different runs"
        )
    if _is_scenario_file(policy) and _is_scenario_file(baseline) and (
            same := _one_file(policy, baseline)) is not None:
        raise PairingError(
            f"policy and baseline are the same scenario file ({policy!r} and {baseline!r} "
            f"are both {same}): every difference would be zero. Compare two different runs")
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
        if ref.endswith((".yaml", ".yml")) and not _is_scenario_file(ref):
            # Not "no finished run 'x.yaml'": the file is what is missing.
            raise FileNotFoundError(
                f"{role} scenario file {ref} not found (looked for {Path(ref).resolve()}); "
                "give a scenario YAML file, scosim:<name> for a shipped scenario, a scenario "
                f"name, a run id or a run directory{shipped_hint(ref)}")
    run_flags = _run_flags(executor, workers, scheduler)
    if not (_is_scenario_file(policy) or _is_scenario_file(baseline)) and run_flags:
        # Ignored, they would let a reader think something was run.
        raise ValueError(
            f"{run_flags}: nothing is run; {policy!r} and {baseline!r} are finished runs. "
            "Leave them out, or give a scenario YAML file to run")
    out = _local_out(out, "compare")
    kw = {"out": out, "executor": executor, "workers": workers, "scheduler": scheduler,
          "progress": progress}
    # Finished runs are found, and what will be paired is checked, before a YAML file
    # is run: a baseline that did not exist or could not pair left the policy's run behind.
    # A name shared by runs of different scenarios is refused, not taken as the latest.
    # A side not found is said in one line with the other, and the shipped scenario meant.
    pol_dir, base_dir = find_runs([(r, ref, _is_scenario_file(ref)) for r, ref in (
        ("policy", policy), ("baseline", baseline))], out)
    if policy == baseline:
        raise PairingError(
            f"policy and baseline are the same run ({policy!r}): every difference would be "
            "zero. Compare two different runs"
        )
    if pol_dir is None and not rerun:
        pol_dir = _finished_run_of(policy, out, replications=replications, seed=seed)
    plan = _planned(policy, pol_dir, replications=replications, seed=seed)
    if base_dir is None and not rerun:
        # Run with the policy's seed and replications (below): found with them.
        base_dir = _finished_run_of(baseline, out, replications=plan["replications"],
                                    seed=plan["seed"])
    if pol_dir is not None and base_dir is not None and run_flags:
        # A note, not an error: the same command runs the files when their runs are gone.
        from scosim.tty_lines import to_stderr

        to_stderr(f"scosim: note: {run_flags} had no effect: no run was made (both sides are "
                  "finished runs)")
    plans = (plan, _planned(baseline, base_dir))
    _check_planned(*plans, year)
    # Folders the runs of scenario files would create, removed again if the compare fails.
    created = [d for d in (out, *(out / p["scenario"] for p in plans if p.get("file")))
               if not d.exists()]
    with removed_if_failed(created) as made:
        if pol_dir is None:
            pol_dir = made_run(run(policy, replications=replications, seed=seed, **kw), made)
        pm = read_manifest(pol_dir)
        if base_dir is None:
            base_dir = made_run(run(baseline, replications=pm["replications"], seed=pm["seed"],
                                **kw), made)
        return _write_comparison(pol_dir, base_dir, pm, out=out, level=level, method=method,
                                 indicators=indicators, year=year, progress=progress,
                                 plot_workers=plot_workers)


def _write_comparison(
    pol_dir: Path,
    base_dir: Path,
    pm: dict[str, Any],
    *,
    out: Path,
    level: float,
    method: str,
    indicators: list[str] | None,
    year: int | None,
    progress: bool,
    plot_workers: int | None,
) -> tuple[Any, Path]:
    """Compare two finished runs and write the report (:func:`compare_runs`' last step)."""
    from scosim.compare import compare_results, largest_effect_year
    from scosim.compare_names import report_folder_name, side_names
    from scosim.report import csv_table, write_report

    comp = compare_results(
        pol_dir, base_dir, level=level, method=method, indicators=indicators or None
    )
    # Units the runs' plug-ins declare (recorded in their manifests), where this process
    # does not know them: after the model's declarations, before UNITS' fallbacks.
    units = {**UNITS, **_declared_units([pol_dir, base_dir], out)}
    # An indicator one run records is not compared: named in the report's notes instead.
    shown = ([i for i in indicators if i not in comp.one_side] if indicators
             else report_indicators(comp, [pol_dir, base_dir]))
    comp.report_indicators = tuple(shown)
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
    # Two runs of one scenario: each side tagged from its run id (club-<hash>_vs_club-<hash>).
    name = report_folder_name(pm, comp.baseline_manifest, stamp)
    report_dir = Path(out) / "compare" / unused_name(Path(out) / "compare", name,
                                                     hidden=(PARTIAL_PREFIX,))
    # Written under a hidden name and renamed once complete, as runs are: a compare
    # that fails or is interrupted while writing (a full disk, Ctrl-C) leaves no half
    # report.
    work = report_dir.with_name(f"{PARTIAL_PREFIX}{report_dir.name}")
    work.mkdir(parents=True)
    try:
        with _figure_progress(progress, chosen=bool(indicators)) as on_figure:
            write_report(
                comp,
                work,
                title=" compared with ".join(side_names(pm, comp.baseline_manifest)),
                policy_manifest=comp.policy_manifest,
                baseline_manifest=comp.baseline_manifest,
                # Percent changes read well in a table; money levels are in the Parquet
                # summary.
                indicators=shown,
                units=units,
                year=year,
                year_note=why,
                plot_workers=plot_workers,
                on_figure=on_figure,
            )
        csv_table(comp, year=year, units=units).to_csv(work / "summary_table.csv", index=False)
        comp.summary.to_parquet(work / "summary.parquet", index=False)
        work.rename(report_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(OSError):
            report_dir.parent.rmdir()  # only if empty: "compare/" made for this report
        raise
    return comp, report_dir


@contextlib.contextmanager
def _figure_progress(enabled: bool, chosen: bool = False
                     ) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar of the report's figures on a terminal; elsewhere one line first.

    Off a terminal (a log, a pipe) the figures took a minute without a word.

    Args:
        enabled: Whether to show progress at all (not under ``--quiet``).
        chosen: Whether the user chose the indicators (``--indicator``): then no advice
            to use it.
    """
    if not enabled:
        yield None
        return
    if not sys.stderr.isatty():
        def said(done: int, total: int) -> None:
            if done == 0:  # write_report's call before drawing
                more = " (use --indicator to draw fewer)" if total > 2 and not chosen else ""
                print(f"drawing {total} report figures{more}", file=sys.stderr, flush=True)

        yield said
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("[bold]report figures"), BarColumn(), MofNCompleteColumn(),
                  transient=True) as bar:
        task = bar.add_task("figures", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def compare_table(comp: Comparison, out: str | Path, report_dir: Path,
                  indicators: Sequence[str] | None = None) -> SummaryTable:
    """The table ``scosim compare`` prints for a comparison (the explorer shows it too).

    Args:
        comp: A comparison from :func:`compare_runs` (its report year and note set).
        out: Results root the runs are in (for the units their plug-ins declare).
        report_dir: The comparison's report folder, named for the full table.
        indicators: Indicators to show (default: welfare, then what the runs'
            mechanisms and proposal types are about; the report's other trade figures
            are in report.md).

    Returns:
        A :class:`scosim.compare_terminal.SummaryTable`: the report year's rows, US$ in
        US$ bn with a unit column, rows without a change left out and counted.
    """
    from scosim.compare import no_change
    from scosim.compare_names import side_names
    from scosim.compare_terminal import summary_table, terminal_rows
    from scosim.report import ev_note

    shown = list(indicators or ["welfare_change_pct", *(
        i for i in comp.report_indicators if i not in REPORT_INDICATORS)])
    year = comp.report_year
    pm = comp.policy_manifest
    rows = terminal_rows(comp, year, shown)
    table = summary_table(
        rows,
        title=" minus ".join(side_names(pm, comp.baseline_manifest)) + ", "
        f"{year}: {comp.report_year_note} ({pm['replications']} paired runs, seed {pm['seed']})",
        units={**UNITS, **_declared_units([comp.policy_dir, comp.baseline_dir], out)},
        full_table=str(report_dir / "report.md"),
    )
    # "Minus baseline" of an EV the baseline records as zero by construction is the policy
    # run's own EV: said under the table, in report.md's words, when EV rows are shown.
    drawn = rows[~no_change(rows) & (rows["n_runs"] > 0).to_numpy()]
    note = ev_note(comp, list(dict.fromkeys(drawn["indicator"].astype(str))))
    if note is None:
        return table
    return dataclasses.replace(
        table, notes=(f"{note[0]} {note[1]}".replace("**", ""), *table.notes))


def compare_cli(args: argparse.Namespace) -> int:
    """Handler of ``scosim compare``."""
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
        scheduler=args.scheduler,
        progress=not args.quiet,
        year=args.year,
        plot_workers=args.plot_workers,
        rerun=args.rerun,
    )
    from scosim.compare_terminal import output_console, print_table

    # Piped to a file, at 100 columns: indicators grouped, each unit in its heading.
    print_table(compare_table(comp, args.out, report_dir, args.indicator), output_console())
    pm = comp.policy_manifest
    from scosim.compare_setup import overrides_note
    from scosim.tty_lines import labelled, prose, to_stderr, tty_width

    # On a terminal, at its width (piped, as before: at 95, paths on the label's line).
    width = tty_width(sys.stdout)
    # Said under the table as in report.md: a run changed with --set is not what its
    # scenario's name says (runs of different economies are warned of when read).
    if note := overrides_note(pm, comp.baseline_manifest):
        print(prose(f"Note: {note}.", width) if width else textwrap.fill(f"Note: {note}.", 95))
    from scosim.run_outcome import compare_outcome

    if votes := compare_outcome(comp.policy_dir, comp.baseline_dir, int(pm["replications"])):
        print(prose(votes, width) if width else textwrap.fill(votes, width=95))
    # Which runs were paired: a name or a reused file does not say (report.md has hashes).
    from scosim.compare_terminal import carried_warnings, compared_parts

    parts = compared_parts(comp)
    laid = [labelled(label, items, width, 10) for label, items in parts]
    if any(lines[0] == label for lines, (label, _) in zip(laid, parts, strict=True)):
        # One run's path alone under its label: the other's too, the two aligned.
        laid = [[label, *(f"  {i}" for i in items)] for label, items in parts]
    for lines in laid:
        print("\n".join(lines))
    from scosim.cli_errors import note_once

    for is_note, line, message in carried_warnings(comp):  # each run's own, from its manifest
        if is_note:  # once a command: a run made here has said it
            note_once(line, message)
        else:
            to_stderr(f"scosim: warning: {line}")
    print("\n".join(labelled("report:", [str(report_dir / "report.html"),
                                         str(report_dir / "report.md")], width, 8,
                             together=False)))
    return 0


# The sweeps live in scosim.api_sweep (this module was over 600 lines); re-exported here.
from scosim.api_sweep import (  # noqa: E402, F401
    check_sweep,
    indices_text,
    output_label,
    parse_output,
    sweep,
    sweep_cli,
)
