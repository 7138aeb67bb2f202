"""Running scenarios: one batch in a worker, a whole ensemble into a run directory."""

from __future__ import annotations

import gc
import os
import signal
import tempfile
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim import __version__
from scosim.experiments.executors import BatchOutput, BatchSpec, execute, make_batches
from scosim.model.model import SCOModel
from scosim.results import (
    PARTIAL_PREFIX,
    Result,
    RunWriter,
    compact_stamp,
    find_resumable,
    open_result,
    unused_name,
    utc_now,
)
from scosim.scenario import Scenario, load_scenario, scenario_hash

#: Default number of runs stepped together in one batch. Large enough that the
#: vectorised kernels amortise Python overhead, small enough to bound memory.
DEFAULT_BATCH_SIZE = 250


def tidy_indicators(model: SCOModel) -> pd.DataFrame:
    """Turn a finished model's records into the tidy table.

    Args:
        model: A model that has been stepped.

    Returns:
        Columns ``run`` (int64), ``year`` (int64), ``country`` (category),
        ``indicator`` (category), ``value`` (float64), sorted by run, year.
    """
    wanted = model.scenario.outputs.indicators
    names = [n for n in model.records if wanted == "all" or n in wanted]
    if not names:
        raise ValueError("no indicator selected: outputs.indicators names none the model records")
    T = len(model.records[names[0]])
    R, N = model.R, model.N
    # Shape (indicator, run, year, country) flattened once: no Python loop over rows.
    data = np.stack([np.stack(model.records[n], axis=1) for n in names])  # (I, R, T, N)
    data = data.transpose(1, 2, 0, 3)  # (R, T, I, N)
    years = np.asarray(model.years[:T], dtype=np.int64)
    run = np.repeat(model.run_ids, T * len(names) * N)
    year = np.tile(np.repeat(years, len(names) * N), R)
    ind = np.tile(np.repeat(np.arange(len(names)), N), R * T)
    cty = np.tile(np.arange(N), R * T * len(names))
    return pd.DataFrame(
        {
            "run": run,
            "year": year,
            "country": pd.Categorical.from_codes(cty, categories=list(model.codes)),
            "indicator": pd.Categorical.from_codes(ind, categories=names),
            "value": data.reshape(-1),
        }
    )


@lru_cache(maxsize=8)
def _cached_scenario(path: str, overrides_key: str) -> Scenario:
    import json

    overrides = json.loads(overrides_key)
    return load_scenario(path, overrides=overrides or None)


def run_batch(spec: BatchSpec) -> BatchOutput:
    """Run one batch of runs of a scenario (module-level: workers import it by name).

    Args:
        spec: The batch: scenario path, overrides, run indices, per-run params.

    Returns:
        The batch's tidy indicators and events.
    """
    import json

    scenario = _cached_scenario(spec.scenario_path, json.dumps(spec.overrides, sort_keys=True))
    params = {k: np.asarray(v, dtype=float) for k, v in spec.params.items()}
    model = SCOModel(scenario, runs=spec.runs, params=params)
    model.run_model()
    out = BatchOutput(indicators=tidy_indicators(model), events=model.log.to_frame())
    del model
    # mesa's Model refers to itself (a reference cycle): free the batch's arrays now,
    # not whenever the cycle collector next runs, so memory stays one batch deep.
    gc.collect()
    return out


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


def _run_id(started: str, digest: str, seed: int, replications: int) -> str:
    return f"{compact_stamp(started)}-{digest[:8]}-s{seed}-r{replications}"


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
    on_batch: Callable[[int, int], None] | None = None,
) -> Result:
    """Run a scenario's ensemble and write a new run directory.

    Args:
        scenario: A :class:`Scenario` or the path of a scenario YAML.
        seed: Override the scenario's seed.
        replications: Override the number of replications.
        out: Results root; the run goes to ``<out>/<scenario name>/<run id>/``.
        executor: ``local`` (one process, batched), ``process`` or ``dask``.
        workers: Worker processes for ``process`` / a local Dask cluster.
        scheduler: Dask scheduler address (default: a LocalCluster).
        batch_size: Runs per batch (default ``DEFAULT_BATCH_SIZE``).
        progress: Show progress bars.
        plots: Write plots (default: the scenario's ``outputs.plots``).
        resume: Continue an interrupted run of the same resolved scenario, seed,
            replications and batch size instead of starting again.
        overrides: Dotted-path overrides (``{"parameters.trade.sigma": 4}``),
            validated like the file; the run's ``scenario.yaml`` records the result.
        on_batch: Called as ``on_batch(done, total)`` (batches) once before the first
            batch and after each one is written, e.g. to drive a progress bar in
            another front end (the browser explorer); it does not change results.

    Returns:
        The finished :class:`Result`, reopened from its directory.
    """
    overrides = dict(overrides or {})
    if seed is not None:
        overrides["seed"] = int(seed)
    if replications is not None:
        overrides["replications"] = int(replications)
    if isinstance(scenario, Scenario):
        path = str(scenario.source) if scenario.source is not None else "<in memory>"
        sc = scenario
        if overrides:
            # Apply overrides on top of this object (not the file it came from, which
            # may differ from it): through its resolved YAML, validated as usual.
            with tempfile.TemporaryDirectory() as td:
                tmp = Path(td) / "scenario.yaml"
                tmp.write_text(scenario.resolved_yaml())
                sc = load_scenario(tmp, overrides=overrides)
    else:
        path = str(scenario)
        sc = load_scenario(path, overrides=overrides or None)
    digest = scenario_hash(sc)
    bs = int(batch_size or min(DEFAULT_BATCH_SIZE, sc.replications))
    if bs < 1:
        raise ValueError(f"batch_size must be >= 1, got {bs}")
    from scosim.data import load_calibration

    cal = load_calibration()
    root = Path(out)
    match = {
        "scenario_hash": digest,
        "seed": sc.seed,
        "replications": sc.replications,
        "batch_size": bs,
        "data_version": cal.version,
        "package_version": __version__,
    }
    resume_dir = find_resumable(root, sc.name, match) if resume else None
    started = utc_now()
    if resume_dir is not None:
        run_id = resume_dir.name.removeprefix(PARTIAL_PREFIX)
    else:
        run_id = unused_name(
            root / sc.name,
            _run_id(started, digest, sc.seed, sc.replications),
            hidden=(PARTIAL_PREFIX,),
        )
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
        "data_version": cal.version,
        "data_base_year": int(cal.base_year),
        "started": started,
    }
    writer = RunWriter(root, sc.name, run_id, manifest, resume_dir=resume_dir)
    writer.write_text("scenario.yaml", sc.resolved_yaml())
    # Workers load the resolved scenario from the run directory, so every
    # executor runs exactly what the manifest's hash describes.
    resolved = str((writer.partial / "scenario.yaml").resolve())
    batches = make_batches(sc.replications, bs)
    specs = [
        BatchSpec(scenario_path=resolved, overrides={}, runs=b, batch_id=i)
        for i, b in enumerate(batches)
        if i not in writer.done_batches
    ]

    def on_result(spec: BatchSpec, outp: BatchOutput) -> None:
        writer.write_batch(spec.batch_id, outp.indicators, outp.events)
        if on_batch is not None:
            on_batch(len(writer.done_batches), len(batches))

    if on_batch is not None:
        on_batch(len(writer.done_batches), len(batches))

    previous = signal.getsignal(signal.SIGTERM)
    try:
        # SIGTERM (e.g. a job scheduler) stops like Ctrl-C: finished batches stay resumable.
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    except ValueError:  # not in the main thread
        previous = None
    try:
        execute(
            specs,
            run_batch,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            on_result=on_result,
            keep=False,
        )
    except BaseException:
        if not writer.done_batches:
            writer.discard()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    want_plots = sc.outputs.plots if plots is None else plots
    files: list[str] = []
    if want_plots:
        from scosim.plots import plot_run

        files = [p.name for p in plot_run(writer.partial, writer.plots_dir, progress=progress)]
    final = writer.publish(plots=files, resumed=resume_dir is not None)
    return open_result(final)


def _raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
