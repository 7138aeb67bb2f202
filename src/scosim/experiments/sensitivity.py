"""Global sensitivity analysis with SALib (Sobol and Morris), run through the sweep machinery.

Samples come from SALib (``SALib.sample.sobol.sample``, ``SALib.sample.morris.sample``),
are evaluated by :func:`scosim.experiments.sweep.evaluate` (so in process, in a
process pool or on Dask, batch by batch) and analysed by SALib
(``SALib.analyze.sobol.analyze``, ``SALib.analyze.morris.analyze``). Results are
tidy DataFrames, one row per (parameter, output).

- **Sobol** (variance-based): ``S1`` is the share of output variance due to a
  parameter alone; ``ST`` adds all its interactions. ``*_conf`` are half-widths
  of bootstrap confidence intervals at ``conf_level``. Cost: ``n * (D + 2)``
  evaluations (``n * (2D + 2)`` with second-order indices); ``n`` must be a
  power of two (Sobol' sequence), another is refused.
- **Morris** (elementary effects, a cheap screening): ``mu_star`` is the mean
  absolute effect of moving a parameter by one grid step (in units of output
  per unit of the parameter's *normalised* range), ``sigma`` the spread of the
  effects (non-linearity or interactions). Cost: ``trajectories * (D + 1)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.experiments.executors import ExecutorName

# The figures live in scosim.experiments.sensitivity_plots (this module neared 600 lines).
from scosim.experiments.sensitivity_plots import plot_morris, plot_sobol
from scosim.experiments.sweep import ModelFn, _check_bounds, evaluate


@dataclass
class SensitivityResult:
    """Indices of a sensitivity analysis and the samples they came from.

    Attributes:
        method: ``"sobol"`` or ``"morris"``.
        indices: Tidy table. Sobol: ``parameter, output, S1, S1_conf, ST, ST_conf``.
            Morris: ``parameter, output, mu, mu_star, mu_star_conf, sigma``.
        samples: The evaluated design: parameter columns plus output columns.
        problem: The SALib problem dict (``num_vars``, ``names``, ``bounds``).
        conf_level: Confidence level of the ``*_conf`` half-widths.
        second_order: Sobol second-order indices (``parameter_i, parameter_j,
            output, S2, S2_conf``) when requested, else an empty table.
    """

    method: str
    indices: pd.DataFrame
    samples: pd.DataFrame
    problem: dict
    conf_level: float
    second_order: pd.DataFrame = field(default_factory=pd.DataFrame)

    def plot(self, output: str | None = None, path: str | Path | None = None, *,
             context: str = "", labels: Mapping[str, str] | None = None,
             replications: int | None = None, note: str = "",
             units: Mapping[str, str | None] | None = None) -> Any:
        """Bar chart of the indices with confidence whiskers (see plot_sobol/plot_morris).

        The title states the design's points (and model runs) and the labels the ranges.

        Args:
            output: One output (default: all).
            path: Save the figure there (PNG) if given.
            context: What was run (scenario, seed...), for the title.
            labels: Plain description of each output (default: its name).
            replications: Model runs a point is the mean of, for the title.
            note: What the numbers leave out, under the panels.
            units: Each output's unit (Morris axes; default: "output units").
        """
        bounds = dict(zip(self.problem["names"], self.problem["bounds"], strict=True))
        kw = {"units": units} if self.method == "morris" else {}
        return (plot_sobol if self.method == "sobol" else plot_morris)(
            self.indices, output=output, path=path, conf_level=self.conf_level,
            runs=len(self.samples), bounds=bounds, context=context, labels=labels,
            replications=replications, note=note, **kw)


def _problem(bounds: Mapping[str, tuple[float, float]]) -> dict:
    _check_bounds(bounds)
    return {
        "num_vars": len(bounds),
        "names": list(bounds),
        "bounds": [[float(lo), float(hi)] for lo, hi in bounds.values()],
    }


def _salib_seed(seed: int, output: str) -> int:
    """A non-zero seed for SALib's analyze step, from the user's seed and the output.

    Keyed by the output's name, not its position in ``outputs``, so an output's
    confidence intervals do not change when other outputs are asked for with it or in
    another order. ``SALib.analyze.sobol.analyze`` tests ``if seed:``, so seed 0 would
    silently mean "unseeded" and make confidence intervals irreproducible.
    """
    words = np.frombuffer(hashlib.sha256(output.encode()).digest(), dtype=np.uint32)
    return int(np.random.SeedSequence([seed, *words.tolist()]).generate_state(1)[0]) or 1


def _outputs(samples: pd.DataFrame, names: list[str], outputs: Sequence[str] | None) -> list[str]:
    available = [c for c in samples.columns if c not in names]
    if outputs is None:
        return available
    missing = [o for o in outputs if o not in available]
    if missing:
        raise ValueError(f"outputs {missing} not returned by the model; it returned {available}")
    return list(outputs)


def _checked_y(samples: pd.DataFrame, out: str) -> np.ndarray:
    y = samples[out].to_numpy(dtype=float)
    bad = ~np.isfinite(y)
    if bad.any():
        raise ValueError(
            f"output {out!r} is not finite at {int(bad.sum())} of {len(y)} sample points "
            f"(first at row {int(np.flatnonzero(bad)[0])}); SALib needs finite outputs. An "
            "indicator has no value (NaN) where it is not defined: a union's accounts "
            "(ev_members_usd, trade_creation_usd, ...) for an economy outside the union or "
            "at points where none formed; choose an output defined at every point"
        )
    return y


def _evaluate_sample(
    model_fn: ModelFn,
    x: np.ndarray,
    problem: dict,
    batch_size: int,
    executor: ExecutorName | str,
    workers: int | None,
    scheduler: str | None,
    progress: bool,
    checkpoint: Any = None,
) -> pd.DataFrame:
    """Run a SALib sample through the sweep machinery (batches, executors)."""
    design = pd.DataFrame(x, columns=problem["names"])
    return evaluate(
        model_fn,
        design,
        batch_size=batch_size,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        checkpoint=checkpoint,
    )


#: Spread of an output, relative to its size (at least 1), below which it does not vary:
#: the model's rounding (1e-14 in a welfare change no policy moves), as scosim.runstats
#: treats values within 1e-9 of zero. Sobol indices of such noise read like a finding (a
#: parameter "explaining" all of it), and which parameter they credit depends on the CPU's
#: BLAS kernel.
NOISE = 1e-9


def _no_variance(y: np.ndarray) -> bool:
    """Whether an output is the same at every point, within numerical noise (:data:`NOISE`)."""
    y = np.asarray(y, dtype=float)
    return bool(np.ptp(y) <= NOISE * max(1.0, float(np.max(np.abs(y)))))


def _undefined_sobol(d: int) -> dict[str, np.ndarray]:
    """Sobol indices of an output that does not vary: all NaN."""
    one, two = np.full(d, np.nan), np.full((d, d), np.nan)
    return {"S1": one, "S1_conf": one, "ST": one, "ST_conf": one, "S2": two, "S2_conf": two}


def check_sobol_n(n: Any) -> None:
    """Refuse a Sobol' base sample that is not a power of two >= 2.

    Raises:
        ValueError: Naming ``--n`` and the powers of two around ``n``.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2 or n & (n - 1):
        # SALib samples the first n points of a scrambled Sobol' sequence; its balance
        # (the estimators' convergence) needs n = 2^k, and scipy only warns.
        lo = 1 << max(int(n).bit_length() - 1, 1) if isinstance(n, int) and n > 0 else 2
        raise ValueError(
            f"the Sobol' base sample n (--n of scosim sweep) must be a power of two >= 2, "
            f"got {n!r}: e.g. {lo} or {2 * lo} (the sequence's balance needs it)")


def check_morris_trajectories(trajectories: Any) -> None:
    """Refuse fewer than 2 Morris trajectories.

    Raises:
        ValueError: Naming ``--n`` and the least allowed.
    """
    if isinstance(trajectories, bool) or not isinstance(trajectories, int | np.integer) or (
            trajectories < 2):
        # sigma and the bootstrap interval of mu* are spreads over the trajectories.
        raise ValueError(
            f"Morris needs at least 2 trajectories (--n of scosim sweep), got {trajectories!r}:"
            " sigma and the interval of mu* are spreads over them")


def _per_parameter(names: Sequence[str], out: str, si: Mapping[str, Any],
                   keys: Sequence[str]) -> list[dict[str, Any]]:
    """The index rows of one output: a row a parameter, SALib's ``keys`` as floats."""
    return [{"parameter": p, "output": out, **{k: float(si[k][i]) for k in keys}}
            for i, p in enumerate(names)]


def sobol_analysis(
    model_fn: ModelFn,
    bounds: Mapping[str, tuple[float, float]],
    *,
    n: int = 1024,
    outputs: Sequence[str] | None = None,
    calc_second_order: bool = False,
    seed: int = 0,
    conf_level: float = 0.95,
    num_resamples: int = 100,
    batch_size: int = 1024,
    executor: ExecutorName | str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    checkpoint: Any = None,
) -> SensitivityResult:
    """Sobol indices of every output with respect to every parameter.

    Args:
        model_fn: Vectorised model ``dict[name, array] -> dict[output, array]``.
        bounds: Parameter name to ``(low, high)``; parameters are uniform on it.
        n: Base sample size, a power of two >= 2 (else ValueError, before anything
            runs); the model runs ``n * (D + 2)``
            times, or ``n * (2D + 2)`` with second-order indices.
        outputs: Outputs to analyse (default: all the model returns).
        calc_second_order: Also estimate pairwise interaction indices ``S2``.
        seed: Seeds the scrambled Sobol' sequence and the bootstrap of the
            confidence intervals; the same seed gives the same indices.
        conf_level: Level of the bootstrap confidence intervals.
        num_resamples: Bootstrap resamples for the intervals.
        batch_size: Points per executor task.
        executor: ``"local"``, ``"process"`` or ``"dask"``.
        workers: Worker count for ``"process"`` / a local Dask cluster.
        scheduler: Dask scheduler address, if any.
        progress: Show a progress bar on a terminal.
        checkpoint: Finished batches kept for a resumed sweep (see
            :func:`~scosim.experiments.sweep.evaluate`).

    Returns:
        A :class:`SensitivityResult` with ``method="sobol"``. An output that is the
        same at every sample point, within numerical noise (:data:`NOISE`), has no
        variance to apportion: its indices are NaN.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    check_sobol_n(n)
    problem = _problem(bounds)
    x = sobol_sample.sample(problem, n, calc_second_order=calc_second_order, seed=seed)
    samples = _evaluate_sample(
        model_fn, x, problem, batch_size, executor, workers, scheduler, progress,
        checkpoint,
    )
    rows, rows2 = [], []
    names = problem["names"]
    for out in _outputs(samples, names, outputs):
        y = _checked_y(samples, out)
        if _no_variance(y):
            # No variance to apportion: every index is 0/0. SALib reports 0 ("no
            # parameter matters"), which reads as a finding; undefined is the truth.
            si = _undefined_sobol(len(names))
        else:
            si = sobol_analyze.analyze(
                problem,
                y,
                calc_second_order=calc_second_order,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=_salib_seed(seed, out),
            )
        rows += _per_parameter(names, out, si, ("S1", "S1_conf", "ST", "ST_conf"))
        if calc_second_order:
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    rows2.append(
                        {
                            "parameter_i": names[i],
                            "parameter_j": names[j],
                            "output": out,
                            "S2": float(si["S2"][i, j]),
                            "S2_conf": float(si["S2_conf"][i, j]),
                        }
                    )
    return SensitivityResult(
        method="sobol",
        indices=pd.DataFrame(rows),
        samples=samples,
        problem=problem,
        conf_level=conf_level,
        second_order=pd.DataFrame(rows2),
    )


def morris_analysis(
    model_fn: ModelFn,
    bounds: Mapping[str, tuple[float, float]],
    *,
    trajectories: int = 20,
    num_levels: int = 4,
    outputs: Sequence[str] | None = None,
    seed: int = 0,
    conf_level: float = 0.95,
    num_resamples: int = 100,
    scaled: bool = False,
    batch_size: int = 1024,
    executor: ExecutorName | str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    checkpoint: Any = None,
) -> SensitivityResult:
    """Morris elementary-effects screening of every output.

    Args:
        model_fn: Vectorised model ``dict[name, array] -> dict[output, array]``.
        bounds: Parameter name to ``(low, high)``.
        trajectories: Number of Morris trajectories, >= 2; the model runs
            ``trajectories * (D + 1)`` times.
        num_levels: Grid levels per parameter (even; 4 is the usual choice).
        outputs: Outputs to analyse (default: all the model returns).
        seed: Seeds the trajectories and the bootstrap of ``mu_star_conf``.
        conf_level: Level of the ``mu_star`` bootstrap interval.
        num_resamples: Bootstrap resamples.
        scaled: Scale effects by ``sd(X) / sd(Y)`` (SALib's ``scaled``), making
            outputs with different units comparable.
        batch_size: Points per executor task.
        executor: ``"local"``, ``"process"`` or ``"dask"``.
        workers: Worker count for ``"process"`` / a local Dask cluster.
        scheduler: Dask scheduler address, if any.
        progress: Show a progress bar on a terminal.
        checkpoint: Finished batches kept for a resumed sweep (see
            :func:`~scosim.experiments.sweep.evaluate`).

    Returns:
        A :class:`SensitivityResult` with ``method="morris"``.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    check_morris_trajectories(trajectories)
    problem = _problem(bounds)
    x = morris_sample.sample(problem, trajectories, num_levels=num_levels, seed=seed)
    samples = _evaluate_sample(
        model_fn, x, problem, batch_size, executor, workers, scheduler, progress,
        checkpoint,
    )
    rows = []
    names = problem["names"]
    for out in _outputs(samples, names, outputs):
        si = morris_analyze.analyze(
            problem,
            x,
            _checked_y(samples, out),
            num_resamples=num_resamples,
            conf_level=conf_level,
            scaled=scaled,
            num_levels=num_levels,
            seed=_salib_seed(seed, out),
        )
        rows += _per_parameter(names, out, si, ("mu", "mu_star", "mu_star_conf", "sigma"))
    return SensitivityResult(
        method="morris",
        indices=pd.DataFrame(rows),
        samples=samples,
        problem=problem,
        conf_level=conf_level,
    )

