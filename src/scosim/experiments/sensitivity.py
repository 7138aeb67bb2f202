"""Global sensitivity analysis with SALib (Sobol and Morris), run through the sweep machinery.

Samples come from SALib (``SALib.sample.sobol.sample``, ``SALib.sample.morris.sample``),
are evaluated by :func:`scosim.experiments.sweep.evaluate` (so in process, in a
process pool or on Dask, batch by batch) and analysed by SALib
(``SALib.analyze.sobol.analyze``, ``SALib.analyze.morris.analyze``). Results are
tidy DataFrames, one row per (parameter, output).

- **Sobol** (variance-based): ``S1`` is the share of output variance due to a
  parameter alone; ``ST`` adds all its interactions. ``*_conf`` are half-widths
  of bootstrap confidence intervals at ``conf_level``. Cost: ``n * (D + 2)``
  evaluations (``n * (2D + 2)`` with second-order indices); ``n`` should be a
  power of two (Sobol' sequence).
- **Morris** (elementary effects, a cheap screening): ``mu_star`` is the mean
  absolute effect of moving a parameter by one grid step (in units of output
  per unit of the parameter's *normalised* range), ``sigma`` the spread of the
  effects (non-linearity or interactions). Cost: ``trajectories * (D + 1)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.experiments.executors import ExecutorName
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

    def plot(self, output: str | None = None, path: str | Path | None = None) -> Any:
        """Bar chart of the indices with confidence whiskers (see plot_sobol/plot_morris)."""
        if self.method == "sobol":
            return plot_sobol(self.indices, output=output, path=path, conf_level=self.conf_level)
        return plot_morris(self.indices, output=output, path=path, conf_level=self.conf_level)


def _problem(bounds: Mapping[str, tuple[float, float]]) -> dict:
    _check_bounds(bounds)
    return {
        "num_vars": len(bounds),
        "names": list(bounds),
        "bounds": [[float(lo), float(hi)] for lo, hi in bounds.values()],
    }


def _salib_seed(seed: int, tag: int) -> int:
    """A non-zero seed for SALib's analyze step, derived from the user's seed.

    ``SALib.analyze.sobol.analyze`` tests ``if seed:``, so seed 0 would silently
    mean "unseeded" and make confidence intervals irreproducible.
    """
    return int(np.random.SeedSequence([seed, tag]).generate_state(1)[0]) or 1


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
            f"(first at row {int(np.flatnonzero(bad)[0])}); SALib needs finite outputs"
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
    )


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
) -> SensitivityResult:
    """Sobol indices of every output with respect to every parameter.

    Args:
        model_fn: Vectorised model ``dict[name, array] -> dict[output, array]``.
        bounds: Parameter name to ``(low, high)``; parameters are uniform on it.
        n: Base sample size (a power of two); the model runs ``n * (D + 2)``
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

    Returns:
        A :class:`SensitivityResult` with ``method="sobol"``.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    problem = _problem(bounds)
    x = sobol_sample.sample(problem, n, calc_second_order=calc_second_order, seed=seed)
    samples = _evaluate_sample(
        model_fn, x, problem, batch_size, executor, workers, scheduler, progress
    )
    rows, rows2 = [], []
    names = problem["names"]
    for k, out in enumerate(_outputs(samples, names, outputs)):
        si = sobol_analyze.analyze(
            problem,
            _checked_y(samples, out),
            calc_second_order=calc_second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=_salib_seed(seed, k),
        )
        for i, p in enumerate(names):
            rows.append(
                {
                    "parameter": p,
                    "output": out,
                    "S1": float(si["S1"][i]),
                    "S1_conf": float(si["S1_conf"][i]),
                    "ST": float(si["ST"][i]),
                    "ST_conf": float(si["ST_conf"][i]),
                }
            )
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
) -> SensitivityResult:
    """Morris elementary-effects screening of every output.

    Args:
        model_fn: Vectorised model ``dict[name, array] -> dict[output, array]``.
        bounds: Parameter name to ``(low, high)``.
        trajectories: Number of Morris trajectories; the model runs
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

    Returns:
        A :class:`SensitivityResult` with ``method="morris"``.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    problem = _problem(bounds)
    x = morris_sample.sample(problem, trajectories, num_levels=num_levels, seed=seed)
    samples = _evaluate_sample(
        model_fn, x, problem, batch_size, executor, workers, scheduler, progress
    )
    rows = []
    names = problem["names"]
    for k, out in enumerate(_outputs(samples, names, outputs)):
        si = morris_analyze.analyze(
            problem,
            x,
            _checked_y(samples, out),
            num_resamples=num_resamples,
            conf_level=conf_level,
            scaled=scaled,
            num_levels=num_levels,
            seed=_salib_seed(seed, k),
        )
        for i, p in enumerate(names):
            rows.append(
                {
                    "parameter": p,
                    "output": out,
                    "mu": float(si["mu"][i]),
                    "mu_star": float(si["mu_star"][i]),
                    "mu_star_conf": float(si["mu_star_conf"][i]),
                    "sigma": float(si["sigma"][i]),
                }
            )
    return SensitivityResult(
        method="morris",
        indices=pd.DataFrame(rows),
        samples=samples,
        problem=problem,
        conf_level=conf_level,
    )


def _panels(indices: pd.DataFrame, output: str | None) -> list[str]:
    outs = list(dict.fromkeys(indices["output"]))
    if output is not None:
        if output not in outs:
            raise ValueError(f"output {output!r} not in the indices; have {outs}")
        return [output]
    return outs


def _finish(fig: Any, path: str | Path | None) -> Any:
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120, bbox_inches="tight")
    return fig


def plot_sobol(
    indices: pd.DataFrame,
    *,
    output: str | None = None,
    path: str | Path | None = None,
    conf_level: float = 0.95,
) -> Any:
    """Grouped bars of first-order (S1) and total (ST) Sobol indices with CI whiskers.

    Args:
        indices: ``SensitivityResult.indices`` of a Sobol analysis.
        output: One output to plot (default: one panel per output).
        path: Save the figure there (PNG) if given.
        conf_level: Level of the whiskers, for the caption.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outs = _panels(indices, output)
    fig, axes = plt.subplots(
        1,
        len(outs),
        figsize=(max(5.0, 1.2 * indices["parameter"].nunique()) * len(outs), 4),
        squeeze=False,
    )
    for ax, out in zip(axes[0], outs, strict=True):
        d = indices[indices["output"] == out]
        pos = np.arange(len(d))
        w = 0.38
        ax.bar(pos - w / 2, d["S1"], w, yerr=d["S1_conf"], capsize=3, label="first order S1")
        ax.bar(pos + w / 2, d["ST"], w, yerr=d["ST_conf"], capsize=3, label="total ST")
        ax.set_xticks(pos, d["parameter"], rotation=30, ha="right")
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xlabel("parameter")
        ax.set_ylabel("Sobol index (share of output variance)")
        ax.set_title(f"Sobol indices of {out!r}\nwhiskers: {conf_level:.0%} bootstrap CI")
        ax.legend(frameon=False)
    fig.tight_layout()
    return _finish(fig, path)


def plot_morris(
    indices: pd.DataFrame,
    *,
    output: str | None = None,
    path: str | Path | None = None,
    conf_level: float = 0.95,
) -> Any:
    """Morris screening: bars of mu* with CI whiskers, and sigma against mu*.

    Args:
        indices: ``SensitivityResult.indices`` of a Morris analysis.
        output: One output to plot (default: one row of panels per output).
        path: Save the figure there (PNG) if given.
        conf_level: Level of the whiskers, for the caption.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outs = _panels(indices, output)
    fig, axes = plt.subplots(len(outs), 2, figsize=(10, 3.8 * len(outs)), squeeze=False)
    for (ax_bar, ax_sc), out in zip(axes, outs, strict=True):
        d = indices[indices["output"] == out].sort_values("mu_star", ascending=True)
        ax_bar.barh(d["parameter"], d["mu_star"], xerr=d["mu_star_conf"], capsize=3)
        ax_bar.set_xlabel(f"mu* (mean |elementary effect|, {out} per normalised range)")
        ax_bar.set_ylabel("parameter")
        ax_bar.set_title(f"Morris mu* of {out!r}\nwhiskers: {conf_level:.0%} bootstrap CI")
        ax_sc.scatter(d["mu_star"], d["sigma"])
        for _, r in d.iterrows():
            ax_sc.annotate(str(r["parameter"]), (r["mu_star"], r["sigma"]), fontsize=8)
        ax_sc.set_xlabel("mu* (mean |elementary effect|)")
        ax_sc.set_ylabel("sigma (sd of elementary effects)")
        ax_sc.set_title(f"{out!r}: non-linearity / interactions (sigma) vs importance (mu*)")
    fig.tight_layout()
    return _finish(fig, path)
