"""Running scenarios: one batch in a worker, a whole ensemble into a run directory."""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim import __version__, worker_start
from scosim._malloc import keep_freed_memory
from scosim.errors import ScosimNote, ScosimWarning, stop_on_sigterm
from scosim.experiments.executors import (
    BatchOutput,
    BatchSpec,
    check_scheduler,
    execute,
    iter_batches,
)
from scosim.experiments.landed import check_landed
from scosim.experiments.versions import (  # noqa: F401  (re-exported: scosim.runner.versions)
    PLUGINS,
    VersionMismatch,
    check_plugins,
    check_versions,
    plugin_record,
    plugin_versions,
    scenario_versions,
    version_difference,
    versions,
)
from scosim.model.model import SCOModel
from scosim.model_tables import (  # noqa: F401  (re-exported: scosim.runner.*)
    BILATERAL_INDICATORS,
    bilateral_flows,
    tidy_indicators,
)
from scosim.plugins import plugin_origins
from scosim.results import (
    BatchManifest,
    Result,
    RunWriter,
    is_url,
    local_path,
    open_result,
    utc_now,
    write_batch_parts,
)
from scosim.run_catalogue import ensemble_key, writes_only
from scosim.run_limits import (  # noqa: F401  (re-exported: scosim.runner.*)
    BYTES_PER_REPLICATION_YEAR,
    MAX_REPLICATIONS,
    SECONDS_PER_REPLICATION_YEAR,
    check_replications,
)
from scosim.run_stop import open_writer, stopped
from scosim.run_stop import run_id as _run_id  # the name tests patch
from scosim.run_warnings import stored, warn_and_keep
from scosim.scenario import Scenario, ScenarioError, load_scenario, scenario_hash
from scosim.scenario.edits import edits_from_file
from scosim.stats_feed import feed_for_run, listen, offer_tables
from scosim.store_runs import StoreRunWriter, open_store, open_store_writer

#: Default number of runs stepped together in one batch. Large enough that the
#: vectorised kernels amortise Python overhead, small enough to bound memory.
DEFAULT_BATCH_SIZE = 250

@lru_cache(maxsize=8)
def _cached_scenario(path: str, overrides_key: str) -> Scenario:
    import json

    overrides = json.loads(overrides_key)
    return load_scenario(path, overrides=overrides or None)


@lru_cache(maxsize=4)
def _scenario_from_text(text: str) -> Scenario:
    """Validate a resolved scenario shipped as text (workers need no copy of the file).

    The client validated the same text, so what fails here is this process's own
    environment, mostly a plug-in (a rule, a mechanism) not importable on a worker: the
    error names the host and process, not the temporary file it was read from.
    """
    with tempfile.TemporaryDirectory() as td:
        path = Path(td) / "scenario.yaml"
        path.write_text(text)
        from scosim.scenario.slot_settings import resolved_text

        try:
            with resolved_text():  # where each setting was written was checked by the client
                return load_scenario(path)
        except ScenarioError as exc:
            import socket

            where = (f"the run's resolved scenario, as loaded on {socket.gethostname()} "
                     f"(pid {os.getpid()}; plug-ins must be importable on every worker)")
            raise ScenarioError([
                e._replace(file=where if e.line is None else f"{where}, line {e.line}",
                           line=None) if e.file == str(path) else e
                for e in exc.errors
            ]) from None


_BLAS_LIMITED = False


def _one_blas_thread() -> None:
    """Keep BLAS to one thread in a worker process (workers, not threads, are the parallelism)."""
    global _BLAS_LIMITED
    if _BLAS_LIMITED:
        return
    _BLAS_LIMITED = True
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the env vars set before the workers started do it
        return
    threadpool_limits(1)


def run_batch(spec: BatchSpec) -> BatchOutput | BatchManifest:
    """Run one batch of runs of a scenario (module-level: workers import it by name).

    Args:
        spec: The batch: the resolved scenario (text, or a path), overrides, run
            indices, per-run params; with ``spec.out`` the run's output location.

    Returns:
        With ``spec.out``: the tables are written there by this process and only
        a small :class:`BatchManifest` is returned. Without: the batch's tidy
        indicators, events and bilateral flows.

    Raises:
        VersionMismatch: ``spec.versions`` differ from this process's.
    """
    import json

    check_versions(spec.versions)
    keep_freed_memory()  # every process that runs batches: reuse pages (scosim._malloc)
    if spec.out:
        _one_blas_thread()
    if spec.scenario_yaml:
        scenario = _scenario_from_text(spec.scenario_yaml)
    else:
        scenario = _cached_scenario(spec.scenario_path,
                                    json.dumps(spec.overrides, sort_keys=True))
    check_plugins(spec.versions, scenario)
    params = {k: np.asarray(v, dtype=float) for k, v in spec.params.items()}
    model = SCOModel(scenario, runs=spec.runs, params=params)
    flows: list[pd.DataFrame] = []
    while model.running:
        year = model.year
        model.step()
        if scenario.outputs.bilateral:
            flows.append(bilateral_flows(model, year))
    out = BatchOutput(
        indicators=tidy_indicators(model),
        events=model.log.to_frame(),
        bilateral=pd.concat(flows, ignore_index=True) if flows else None,
    )
    if spec.out:  # the run's plot statistics, when it runs in this very process
        offer_tables(spec.out, spec.batch_id, out.indicators, out.events)
    # mesa's Model refers to itself (a reference cycle): drop the batch's arrays now
    # by emptying the model, not by a full garbage collection per batch; the small
    # cycle left is collected whenever the collector next runs.
    vars(model).clear()
    del model
    if not spec.out:
        return out
    return write_batch_parts(spec.out, spec.batch_id, {
        "indicators": out.indicators, "events": out.events, "bilateral": out.bilateral,
    })


def run_model(
    scenario: Scenario, *, runs: Any = None, params: Mapping[str, Any] | None = None
) -> SCOModel:
    """Build and step a model in this process (for notebooks and tests).

    Args:
        scenario: A loaded scenario.
        runs: Run indices (default: all replications).
        params: Per-run parameter arrays for sweeps.

    Returns:
        The stepped :class:`SCOModel`.
    """
    model = SCOModel(scenario, runs=runs, params=dict(params or {}))
    model.run_model()
    return model


def run(
    scenario: Scenario | str | os.PathLike[str],
    *,
    seed: int | None = None,
    replications: int | None = None,
    out: str | os.PathLike[str] = "results",
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int | None = None,
    progress: bool = True,
    plots: bool | None = None,
    resume: bool = True,
    overrides: dict[str, Any] | None = None,
    allow_large: bool = False,
    on_batch: Callable[[int, int], None] | None = None,
    retries: int | None = None,
) -> Result:
    """Run a scenario's ensemble and write a new run directory.

    Args:
        scenario: A :class:`Scenario` (the overrides it was loaded with are recorded
            in the manifest, except a seed or replications, recorded as the run's own)
            or the path of a scenario YAML.
        seed: Override the scenario's seed.
        replications: Override the number of replications.
        out: Results root; the run goes to ``<out>/<scenario name>/<run id>/``. A
            local directory, or any fsspec URL (``s3://bucket/results``) whose
            backend is installed: the run is then written in place in the object
            store and committed by its manifest (:mod:`scosim.store_runs`).
        executor: ``local`` (one process, batched), ``process`` or ``dask``.
        workers: Worker processes for ``process`` / a local Dask cluster.
        scheduler: Dask scheduler address (default: a LocalCluster).
        batch_size: Runs per batch (default ``DEFAULT_BATCH_SIZE``).
        progress: Show progress bars.
        plots: Write plots (default: the scenario's ``outputs.plots``).
        resume: Continue an interrupted run of the same resolved scenario, seed,
            replications and batch size instead of starting again.
        overrides: Dotted-path overrides (``{"parameters.trade.sigma": 4}``),
            validated like the file; the run's ``scenario.yaml`` records the
            result and its manifest lists them under ``overrides`` (a ``seed`` or
            ``replications`` among them under ``seed``/``replications`` only, as the
            arguments above are).
        allow_large: Accept more than :data:`MAX_REPLICATIONS` replications.
        on_batch: Called as ``on_batch(done, total)`` (batches) once before the first
            batch and after each one is written, e.g. to drive a progress bar in
            another front end (the browser explorer); it does not change results.
        retries: Times the process pool runs a batch again after its worker
            process died or it raised a transient error (default
            :data:`~scosim.experiments.executors.PROCESS_RETRIES`).

    Returns:
        The finished :class:`Result`, reopened from its directory (for a URL
        ``out``, from the run's URL).

    Raises:
        ValueError: Bad replications, batch size, executor, scheduler or
            ``out`` URL; too many replications without ``allow_large`` (the
            message estimates time and disk). Nothing is written then.
    """
    if replications is not None:
        check_replications(replications, 1, allow_large=True)
    if batch_size is not None and (isinstance(batch_size, bool) or batch_size < 1):
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    check_scheduler(executor, scheduler)
    # Workers start importing the model while the scenario is read and the run planned.
    worker_start.start_early(executor, workers, scheduler)
    store = is_url(str(out))
    if store:
        fs, store_root = open_store(str(out), executor)  # checked before anything is written
    recorded = {str(k): v for k, v in (overrides or {}).items()}
    for key, value in (("seed", seed), ("replications", replications)):
        # Both given: one would be run and the other recorded in the manifest.
        if value is not None and key in recorded:
            raise ValueError(
                f"{key} is given twice, as --{key} {value} and as --set {key}="
                f"{recorded[key]}; give one"
            )
    overrides = dict(overrides or {})
    if seed is not None:
        overrides["seed"] = int(seed)
    if replications is not None:
        overrides["replications"] = int(replications)
    if isinstance(scenario, Scenario):
        # Overrides the object was loaded with are recorded as --set is (show, list and
        # compare by name would take the run for the file as written), before this
        # call's own, which replace them as a later word.
        # Changes made to the object in code after loading count as overrides too: the
        # run is not the file as written, and these reproduce it from the file.
        recorded = {**scenario.overrides, **edits_from_file(scenario), **recorded}
        path = str(scenario.source) if scenario.source is not None else "<in memory>"
        sc = scenario
        if overrides:
            # Apply overrides on top of this object (not the file it came from, which
            # may differ from it): through its resolved YAML, validated as usual.
            with tempfile.TemporaryDirectory() as td:
                tmp = Path(td) / "scenario.yaml"
                tmp.write_text(scenario.resolved_yaml())
                try:
                    sc = load_scenario(tmp, overrides=overrides)
                except ScenarioError as exc:
                    # Name the scenario, not a temporary file that no longer exists.
                    raise ScenarioError([
                        e._replace(file=f"{path} (resolved)", line=None)
                        if e.file == str(tmp) else e
                        for e in exc.errors
                    ]) from None
    else:
        path = str(scenario)
        sc = load_scenario(path, overrides=overrides or None)
    # A seed or a number of replications, however given (--seed, --set seed=3, a
    # scenario loaded with overrides={"seed": 3} or changed in code), is the run's own:
    # the manifest records it as `seed`/`replications` and the run id names it, so a run
    # that changes nothing else is the file as written for `show`, `list` and `compare`
    # by name, as a CLI run with --seed is.
    recorded = {k: v for k, v in recorded.items() if k not in ("seed", "replications")}
    # What the run writes (outputs:) changes no number: recorded apart, so that the run
    # still counts as the file as written (list, its heading, compare and show by name).
    written = {k: v for k, v in recorded.items() if writes_only(k)}
    recorded = {k: v for k, v in recorded.items() if not writes_only(k)}
    digest = scenario_hash(sc)
    n_years = sc.years.end - sc.years.start + 1
    check_replications(sc.replications, n_years, allow_large=allow_large, scenario=sc)
    from scosim.scenario.thresholds import scenario_slips

    # Said, and kept in the manifest so that they travel with the run (the explorer
    # opening it later, compare, the report): scosim.run_warnings.
    said: list[tuple[str, str, str]] = []
    for slip in scenario_slips(sc):  # -0.55 meant as -0.55 %: said, not refused
        warn_and_keep(said, slip, "scosim.scenario.thresholds")
    if getattr(sc.parameters.network, "instability", None):
        from scosim.network.params import instability_notes

        # A stress test: said, not refused; a note where the scenario declares it.
        meant = getattr(sc.parameters.network, "stress_test", False)
        kind = ScosimNote if meant else ScosimWarning
        for note in instability_notes(sc):
            warn_and_keep(said, note, "scosim.network.params", category=kind)
    bs = int(batch_size or min(DEFAULT_BATCH_SIZE, sc.replications))
    from scosim.data import load_calibration

    cal = load_calibration()
    # What workers check: a table edited since the build is named (recorded and matched
    # on resume), not hidden behind the version string its manifest still carries, and
    # so is every plug-in scosim does not ship, by its code's hash.
    expected = scenario_versions(sc)
    data_version = expected["data"]
    plugins = expected.get(PLUGINS, "")
    root = local_path(out)
    # An interrupted run is resumed only with the same numbers (and batches) to come: a
    # plug-in edited between an interrupted run and its resumption would mix numbers.
    match = {**ensemble_key(sc, expected), "batch_size": bs}
    manifest = {
        "scenario": sc.name,
        "scenario_file": path,
        "scenario_hash": digest,
        "seed": sc.seed,
        "replications": sc.replications,
        "years": [sc.years.start, sc.years.end],
        "batch_size": bs,
        "executor": executor,
        "package_version": __version__,
        "code_version": expected["code"],
        "data_version": data_version,
        "network_version": expected["network"],
        "data_base_year": int(cal.base_year),
        "overrides": recorded,
        "output_settings": written,
        "plugins": plugin_origins(sc),
        "plugin_versions": plugins,
        # The same, what -> origin, distribution, version, module hash: compared as the
        # string (scosim.plugin_record.plugins_key); it tells what to install.
        "plugin_record": plugin_record(sc),
        "warnings": stored(said),
    }
    # SIGTERM (e.g. a job scheduler) stops like Ctrl-C, from before the run directory
    # is opened: finished batches stay resumable and a run with none leaves nothing.
    previous = stop_on_sigterm()
    try:
        return _write_run(sc, out, root, digest, match, manifest, resume, progress,
                          plots, executor, workers, scheduler, retries, on_batch,
                          fs_root=(fs, store_root) if store else None, expected=expected)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _write_run(
    sc: Scenario,
    out: str | os.PathLike[str],
    root: Path,
    digest: str,
    match: dict[str, Any],
    manifest: dict[str, Any],
    resume: bool,
    progress: bool,
    plots: bool | None,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    retries: int | None,
    on_batch: Callable[[int, int], None] | None,
    fs_root: tuple[Any, str] | None,
    expected: dict[str, str],
) -> Result:
    """Open the run's directory, run its batches into it, draw its plots, publish it."""
    bs = match["batch_size"]
    n_batches = -(-sc.replications // bs)
    writer: RunWriter | StoreRunWriter
    if fs_root is not None:
        created: list[Path] = []
        started = utc_now()
        writer = open_store_writer(
            str(out), fs_root[0], fs_root[1], sc.name,
            _run_id(started, digest, sc.seed, sc.replications),
            match, {**manifest, "started": started}, resume=resume, progress=progress,
        )
    else:
        created = [d for d in (root, root / sc.name) if not d.exists()]
        writer = open_writer(root, sc, digest, match, manifest, resume, progress)
    # Tasks carry the resolved scenario itself (what the manifest's hash describes),
    # so workers need no copy of any file; they write their tables straight into the
    # run directory (an absolute path or a URL: workers may run in another directory
    # or on another machine) and refuse to run with another package or data version.
    location = writer.location
    want_plots = sc.outputs.plots if plots is None else plots
    feed = None
    try:
        resolved_text = sc.resolved_yaml()
        writer.write_text("scenario.yaml", resolved_text)
        done = writer.done_batches
        specs = (
            BatchSpec(scenario_path="", overrides={}, runs=b, batch_id=i,
                      scenario_yaml=resolved_text, out=location, versions=expected)
            for i, b in enumerate(iter_batches(sc.replications, bs))
            if i not in done
        )
        # Plot statistics gathered as batches finish (a run directory on this machine).
        feed = (feed_for_run(location, n_batches, done, sc.outputs.summary,
                             sc.parameters.mechanisms, [p.type for p in sc.proposals])
                if want_plots else None)

        def on_result(spec: BatchSpec, outp: BatchManifest | BatchOutput) -> None:
            if isinstance(outp, BatchManifest):
                if fs_root is None:  # a local --out: the files must be visible here
                    check_landed(location, outp)
                writer.record_batch(outp)
            else:  # a run_batch replaced by a caller (tests) may return tables
                writer.write_batch(spec.batch_id, outp.indicators, outp.events, outp.bilateral)
            if feed is not None:
                feed.written(spec.batch_id)
            if on_batch is not None:
                on_batch(len(writer.done_batches), n_batches)

        if on_batch is not None:
            on_batch(len(writer.done_batches), n_batches)
        execute(
            specs,
            run_batch,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            on_result=on_result,
            keep=False,
            total=n_batches - len(done),
            retries=retries,
        )
    except BaseException as exc:
        # Whatever stopped it (Ctrl-C, SIGTERM, a failed batch, a full disk), from the
        # moment the directory exists: one rule for what is left, said in the error.
        stopped(writer, created, n_batches, exc, resume=resume)
        raise
    finally:
        listen(location, None)
    files: list[str] = []
    if want_plots:
        from scosim.plots import plot_run

        try:
            stats = feed.result() if feed is not None else None
            # In an object store, drawn from a local copy of the tables, then uploaded.
            files = writer.make_plots(lambda d, p: plot_run(d, p, progress=progress,
                                                             stats=stats))
        except BaseException as exc:
            # Every batch is done: resumable.
            stopped(writer, created, n_batches, exc, resume=resume)
            raise
    final = writer.publish(plots=files, resumed=writer.resumed)
    return open_result(final)  # a local directory or the run's URL: readers take both
