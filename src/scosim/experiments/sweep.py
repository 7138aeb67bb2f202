"""Parameter sweeps: designs (grid, Latin hypercube) and their evaluation in batches.

A *design* is a DataFrame with one column per parameter and one row per point.
A *model function* takes arrays over points and returns arrays over points::

    def model_fn(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]: ...

the same shape as the batched model (a leading run axis), so a batch of points
costs one vectorised call. :func:`evaluate` cuts the design into
:class:`~scosim.experiments.executors.BatchSpec` batches (point ``k`` is run
``k``) and sends them through :func:`~scosim.experiments.executors.execute`, so
sweeps run in process, in a process pool or on Dask with the same code.
A grid or Latin-hypercube sweep's figure is drawn by :mod:`scosim.experiments.sweep_plot`
(:func:`plot_sweep`, :func:`large_scale`, :func:`add_footnote`, importable from here too).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scosim.experiments.executors import (
    BatchOutput,
    BatchSpec,
    ExecutorName,
    execute,
    make_batches,
)
from scosim.experiments.sweep_plot import add_footnote, large_scale, plot_sweep

__all__ = ["BAND_SUFFIXES", "EXIT_COLUMN", "ModelFn", "Outcome", "ScenarioModelFn",
           "add_footnote", "design_specs", "evaluate", "grid", "ishigami", "large_scale",
           "latin_hypercube", "plot_sweep"]

ModelFn = Callable[[dict[str, np.ndarray]], Mapping[str, np.ndarray]]


def grid(params: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """Full factorial design: every combination of the listed values.

    Args:
        params: Parameter name to the values to try. The first parameter varies
            slowest (``itertools.product`` order).

    Returns:
        A DataFrame with one column per parameter and ``prod(len(values))`` rows.
    """
    if not params:
        raise ValueError("grid() needs at least one parameter")
    for name, values in params.items():
        if len(values) == 0:
            raise ValueError(f"parameter {name!r} has no values")
    rows = list(itertools.product(*params.values()))
    return pd.DataFrame(rows, columns=list(params), dtype=float)


def latin_hypercube(
    bounds: Mapping[str, tuple[float, float]], n: int, seed: int = 0
) -> pd.DataFrame:
    """Latin hypercube design: ``n`` points, each parameter's range cut in ``n`` strata.

    Every stratum of every parameter holds exactly one point (McKay, Beckman &
    Conover 1979); positions within strata and the pairing across parameters
    are random, drawn from ``numpy.random.default_rng(seed)``.

    Args:
        bounds: Parameter name to ``(low, high)``, with ``low < high``.
        n: Number of points, >= 1.
        seed: Seed of the design; the same seed gives the same design.

    Returns:
        A DataFrame with one column per parameter and ``n`` rows.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    _check_bounds(bounds)
    rng = np.random.default_rng(seed)
    cols = {}
    for name, (lo, hi) in bounds.items():
        u = (rng.permutation(n) + rng.random(n)) / n  # one point per stratum [k/n, (k+1)/n)
        cols[name] = lo + u * (hi - lo)
    return pd.DataFrame(cols)


def _check_bounds(bounds: Mapping[str, tuple[float, float]]) -> None:
    if not bounds:
        raise ValueError("bounds must name at least one parameter")
    for name, b in bounds.items():
        if len(b) != 2 or not (np.isfinite(b[0]) and np.isfinite(b[1])) or not b[0] < b[1]:
            raise ValueError(f"bounds of {name!r} must be (low, high) with low < high, got {b}")


def design_specs(
    design: pd.DataFrame,
    *,
    scenario_path: str = "",
    overrides: dict | None = None,
    batch_size: int = 256,
    first_batch_id: int = 0,
) -> list[BatchSpec]:
    """Cut a design into batch specs: point ``k`` (row position) becomes run ``k``.

    Use this to sweep the real model: ``execute(design_specs(d, scenario_path=...),
    run_batch, ...)``; each spec's ``params`` holds its points' values.

    Args:
        design: One column per parameter, one row per point.
        scenario_path: Scenario the points apply to ("" for plain functions).
        overrides: Overrides shared by every point.
        batch_size: Points per batch.
        first_batch_id: ``batch_id`` of the first spec (later ones count up).

    Returns:
        Specs in design order.
    """
    values = {c: design[c].to_numpy(dtype=float) for c in design.columns}
    specs = []
    for b, runs in enumerate(make_batches(len(design), batch_size)):
        sl = slice(runs[0], runs[-1] + 1)
        specs.append(
            BatchSpec(
                scenario_path=scenario_path,
                overrides=dict(overrides or {}),
                runs=runs,
                params={c: tuple(v[sl].tolist()) for c, v in values.items()},
                batch_id=first_batch_id + b,
            )
        )
    return specs


def _run_points(model_fn: ModelFn, spec: BatchSpec) -> dict[str, np.ndarray]:
    """Evaluate one batch of points (module level so that it pickles for workers)."""
    params = {k: np.asarray(v, dtype=float) for k, v in spec.params.items()}
    if getattr(model_fn, "needs_runs", False):
        # Stochastic models key their random streams by run: give them the point indices.
        out = model_fn(params, runs=np.asarray(spec.runs, dtype=np.int64))
    else:
        out = model_fn(params)
    checked = {}
    for name, arr in out.items():
        arr = np.asarray(arr, dtype=float)
        if arr.shape != (spec.size,):
            raise ValueError(
                f"model output {name!r} has shape {arr.shape}; expected ({spec.size},), "
                "one value per point of the batch"
            )
        checked[name] = arr
    return checked


def evaluate(
    model_fn: ModelFn,
    design: pd.DataFrame,
    *,
    batch_size: int = 256,
    executor: ExecutorName | str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    checkpoint: Any = None,
) -> pd.DataFrame:
    """Evaluate a vectorised model function over a design, batch by batch.

    Args:
        model_fn: ``dict[name, array over points] -> dict[output, array over points]``.
            For ``"process"``/``"dask"`` it must be picklable (module level).
        design: Points to evaluate (see :func:`grid`, :func:`latin_hypercube`).
        batch_size: Points per batch (one executor task per batch).
        executor: ``"local"``, ``"process"`` or ``"dask"`` (see
            :func:`~scosim.experiments.executors.execute`).
        workers: Worker count for ``"process"`` / a local Dask cluster.
        scheduler: Dask scheduler address, if any.
        progress: Show a progress bar on a terminal.
        checkpoint: Where finished batches are kept
            (:class:`~scosim.experiments.sweep_resume.SweepCheckpoint`): the batches
            it holds are not run again, and each new one is saved as it arrives.

    Returns:
        The design (reset to a 0..n-1 index) with one added column per output,
        rows in design order.
    """
    if len(design) == 0:
        raise ValueError("the design has no points")
    design = design.reset_index(drop=True)
    specs = design_specs(design, batch_size=batch_size)
    known = getattr(model_fn, "versions", None)  # the scenario model's (ScenarioModelFn)
    if known:
        # So that a cluster with a worker of another version is refused before any point
        # runs (scosim.experiments.dask_run), as for scosim run.
        specs = [dataclasses.replace(s, versions=dict(known)) for s in specs]
    done = checkpoint.load() if checkpoint is not None else {}
    todo = [s for s in specs if s.batch_id not in done]
    new = execute(
        todo,
        functools.partial(_run_points, model_fn),
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        on_result=None if checkpoint is None else (
            lambda spec, part: checkpoint.save(spec.batch_id, part)),
    ) if todo else []
    by_id = {**done, **{s.batch_id: part for s, part in zip(todo, new, strict=True)}}
    parts = [by_id[s.batch_id] for s in specs]
    names = list(parts[0])
    for spec, part in zip(specs, parts, strict=True):
        if list(part) != names:
            raise ValueError(
                f"batch {spec.batch_id} returned outputs {list(part)}, batch 0 returned {names}"
            )
    clash = set(names) & set(design.columns)
    if clash:
        raise ValueError(f"outputs {sorted(clash)} have the same names as parameters")
    outputs = {n: np.concatenate([p[n] for p in parts]) for n in names}
    return pd.concat([design, pd.DataFrame(outputs)], axis=1)


def ishigami(params: Mapping[str, np.ndarray], a: float = 7.0, b: float = 0.1) -> dict:
    """Ishigami-Homma test function, vectorised: a benchmark for the sensitivity machinery.

    ``y = sin(x1) + a sin(x2)^2 + b x3^4 sin(x1)`` on ``[-pi, pi]^3``. Analytic
    Sobol indices for a=7, b=0.1: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424,
    0.2437) (Saltelli et al. 2008, *Global Sensitivity Analysis: The Primer*).

    Args:
        params: Arrays ``x1``, ``x2``, ``x3`` over points.
        a: First constant.
        b: Second constant.

    Returns:
        ``{"y": array over points}``.
    """
    x1, x2, x3 = (np.asarray(params[k]) for k in ("x1", "x2", "x3"))
    return {"y": np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)}


@dataclass(frozen=True)
class Outcome:
    """A scalar outcome per run, read from a batch's tidy indicator table.

    Attributes:
        indicator: Indicator name (e.g. ``"welfare_change_pct"``).
        year: Year to read (default: the last year of the run).
        countries: Countries to aggregate over (default: all).
        how: ``"sum"`` or ``"mean"`` over the countries.
    """

    indicator: str
    year: int | None = None
    countries: tuple[str, ...] | None = None
    how: str = "mean"

    def __post_init__(self) -> None:
        """Reject unknown aggregations early, before any run."""
        if self.how not in ("sum", "mean"):
            raise ValueError(f"Outcome.how must be 'sum' or 'mean', got {self.how!r}")

    def per_run(self, indicators: pd.DataFrame) -> pd.Series:
        """The outcome of every run in ``indicators``, indexed by run."""
        d = indicators[indicators["indicator"] == self.indicator]
        if d.empty:
            have = sorted(map(str, indicators["indicator"].unique()))[:12]
            raise ValueError(f"indicator {self.indicator!r} not in the batch; have e.g. {have}")
        year = int(d["year"].max()) if self.year is None else self.year
        d = d[d["year"] == year]
        if self.countries is not None:
            d = d[d["country"].astype(str).isin(self.countries)]
        g = d.groupby("run", observed=True)["value"]
        # NaN where the indicator has no value in the run (min_count: not a sum of 0).
        return g.sum(min_count=1) if self.how == "sum" else g.mean()

    def from_model(self, model: Any) -> np.ndarray:
        """The outcome of every run of a stepped model, by position, ``(R,)``."""
        if self.indicator not in model.records:
            have = sorted(model.records)[:12]
            raise ValueError(f"indicator {self.indicator!r} not in the model; have e.g. {have}")
        t = -1 if self.year is None else model.years.index(self.year)
        vals = np.asarray(model.records[self.indicator][t], dtype=float)
        if self.countries is not None:
            vals = vals[:, [model.codes.index(c) for c in self.countries]]
        # np.nansum and np.nanmean, but NaN (not 0, nor a warning) for a run in which
        # the indicator has no value for any of the economies (a union's accounts where
        # no union formed); the same bits elsewhere (NaN counted as 0, as numpy does).
        have = (~np.isnan(vals)).sum(axis=1)
        total = np.where(np.isnan(vals), 0.0, vals).sum(axis=1)
        out = total if self.how == "sum" else total / np.maximum(have, 1)
        return np.where(have > 0, out, np.nan)


@dataclass(frozen=True)
class ScenarioModelFn:
    """The scenario model as a sweep model function (for :func:`evaluate` and SALib).

    Point ``k`` of the design becomes runs ``k*replications .. k*replications +
    replications - 1`` of the scenario, with the point's parameter values (dotted
    names the model reads, e.g. ``"parameters.trade.sigma"``); each outcome is
    averaged over the point's replications, which damps the model's own noise
    in the sensitivity indices. With ``common_random_numbers=True`` every point
    uses the same runs ``0 .. replications - 1`` instead (the same random
    streams), so differences between points come from the parameters alone:
    the right choice for sensitivity analysis of stochastic outcomes. Frozen and
    made of plain data, so it pickles to process-pool and Dask workers.

    Attributes:
        scenario_path: Scenario YAML.
        outcomes: Output name to :class:`Outcome`.
        overrides: Overrides applied to the scenario for every point.
        replications: Runs per design point.
        batch_fn: Function running one :class:`BatchSpec` (module level);
            default ``scosim.runner.run_batch``.
        common_random_numbers: Every point uses runs ``0 .. replications - 1``
            (the model is stepped directly; ``batch_fn`` is not used).
        scenario_yaml: The scenario with ``overrides`` applied, resolved as YAML text.
            Filled in when the function is made (for the real model: no ``batch_fn``,
            or common random numbers), so the file is read here, once, and workers on
            other machines or in other directories need no copy of it or of the files
            it ``extends``, as for ``scosim run``.
        versions: This process's package and data versions (:func:`scosim.runner.versions`),
            filled in with ``scenario_yaml``; a worker with others refuses the points.
        spread: With common random numbers, return beside each outcome's mean the 5th
            and 95th percentiles of the point's runs (``"<output> p05"``, ``"<output>
            p95"``) and :data:`EXIT_COLUMN`, the share of its runs in which a state left
            an arrangement: a sweep's outputs are after those exits (the scenario's defect
            rule), which the mean alone hides.
    """

    scenario_path: str
    outcomes: Mapping[str, Outcome]
    overrides: Mapping = field(default_factory=dict)
    replications: int = 1
    batch_fn: Callable[[BatchSpec], BatchOutput] | None = None
    common_random_numbers: bool = False
    scenario_yaml: str = ""
    versions: Mapping[str, str] = field(default_factory=dict)
    spread: bool = False

    needs_runs = True  # _run_points passes the design's point indices

    def __post_init__(self) -> None:
        """Resolve the scenario here for the real model (a worker may not reach the file)."""
        if self.scenario_yaml or (self.batch_fn is not None and not self.common_random_numbers):
            return
        from scosim.experiments.versions import scenario_versions
        from scosim.scenario import load_scenario

        sc = load_scenario(self.scenario_path, overrides=dict(self.overrides) or None)
        object.__setattr__(self, "scenario_yaml", sc.resolved_yaml())
        if not self.versions:
            object.__setattr__(self, "versions", scenario_versions(sc))

    def _scenario(self) -> Any:
        """The scenario, in the process that runs the points (cached per process)."""
        from scosim.experiments.versions import check_plugins, check_versions
        from scosim.runner import _scenario_from_text

        check_versions(self.versions)
        sc = _scenario_from_text(self.scenario_yaml)
        check_plugins(self.versions, sc)
        return sc

    def __call__(self, params: dict[str, np.ndarray], runs: np.ndarray) -> dict[str, np.ndarray]:
        """Run the points ``runs`` with parameter arrays ``params``; outcomes per point."""
        r = self.replications
        if r < 1:
            raise ValueError(f"replications must be >= 1, got {r}")
        if self.common_random_numbers:
            return self._common_random_numbers(params, len(runs))
        model_runs = tuple(int(k) * r + j for k in runs for j in range(r))
        spec = BatchSpec(
            scenario_path=self.scenario_path,
            overrides=dict(self.overrides),
            runs=model_runs,
            params={
                n: tuple(np.repeat(np.asarray(v, float), r).tolist()) for n, v in params.items()
            },
            batch_id=int(runs[0]) if len(runs) else 0,
            scenario_yaml=self.scenario_yaml,  # used instead of the path when given
            versions=dict(self.versions),
        )
        batch_fn = self.batch_fn
        if batch_fn is None:
            from scosim.runner import run_batch as batch_fn
        ind = batch_fn(spec).indicators
        out = {}
        for name, outcome in self.outcomes.items():
            v = outcome.per_run(ind).reindex(list(model_runs)).to_numpy(dtype=float)
            out[name] = v.reshape(len(runs), r).mean(axis=1)
        return out

    def _common_random_numbers(
        self, params: dict[str, np.ndarray], n_points: int
    ) -> dict[str, np.ndarray]:
        # Runs repeat across points, so results are read by position from the
        # model's records rather than keyed by run in a tidy table.
        from scosim.runner import run_model

        r = self.replications
        sc = self._scenario()
        model = run_model(
            sc,
            runs=[j for _ in range(n_points) for j in range(r)],
            params={n: np.repeat(np.asarray(v, float), r) for n, v in params.items()},
        )
        out = {}
        for name, outcome in self.outcomes.items():
            per_run = outcome.from_model(model).reshape(n_points, r)
            out[name] = per_run.mean(axis=1)
            if self.spread:
                out[name + BAND_SUFFIXES[0]], out[name + BAND_SUFFIXES[1]] = _band(per_run)
        if self.spread:
            from scosim.exit_stats import EXIT_EVENTS

            exits = sum(model.log.count(kind) for kind in EXIT_EVENTS)
            out[EXIT_COLUMN] = (np.asarray(exits).reshape(n_points, r) > 0).mean(axis=1)
        return out


#: The design's column of the share of a point's runs with an exit (a defection or a
#: bloc's exit, :data:`scosim.exit_stats.EXIT_EVENTS`), 0 to 1.
EXIT_COLUMN = "share of runs with an exit"
#: The suffixes of an output's columns of the 5th and 95th percentiles of a point's runs.
BAND_SUFFIXES = (" p05", " p95")


def _band(per_run: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 5th and 95th percentiles of each row's runs (NaN where a row has no value).

    Linear interpolation between order statistics (numpy's default): with few runs the
    band is close to their range. Sorting, not summing, so it is the same on any machine.
    """
    lo = np.full(per_run.shape[0], np.nan)
    hi = lo.copy()
    have = ~np.isnan(per_run).all(axis=1)
    if have.any():
        lo[have], hi[have] = np.nanquantile(per_run[have], [0.05, 0.95], axis=1)
    return lo, hi
