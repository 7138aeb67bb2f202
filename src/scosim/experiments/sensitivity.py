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
             context: str = "", labels: Mapping[str, str] | None = None) -> Any:
        """Bar chart of the indices with confidence whiskers (see plot_sobol/plot_morris).

        The title states the number of model evaluations and the labels the ranges.

        Args:
            output: One output (default: all).
            path: Save the figure there (PNG) if given.
            context: What was run (scenario, replications a point...), for the title.
            labels: Plain description of each output (default: its name).
        """
        plot = plot_sobol if self.method == "sobol" else plot_morris
        bounds = dict(zip(self.problem["names"], self.problem["bounds"], strict=True))
        return plot(self.indices, output=output, path=path, conf_level=self.conf_level,
                    runs=len(self.samples), bounds=bounds, context=context, labels=labels)


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
        fig.savefig(path, dpi=120)
    return fig


def _param_label(name: str, bounds: Mapping[str, Sequence[float]] | None) -> str:
    """``"trade.sigma, 3 to 8"``: the dotted name without ``parameters.``, and its range."""
    short = name.removeprefix("parameters.")
    if bounds is None or name not in bounds:
        return short
    lo, hi = bounds[name]
    return f"{short}, {lo:g} to {hi:g}"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _near_points(d: pd.DataFrame) -> dict[tuple[float, float], list[str]]:
    """Parameters at (nearly) the same (mu*, sigma), named once: one label, not a pile.

    Points within 2 % of the axes' spans of the first of a group join it.
    """
    span_x = max(float(d["mu_star"].max() - d["mu_star"].min()), 1e-300)
    span_y = max(float(d["sigma"].max() - d["sigma"].min()), 1e-300)
    groups: dict[tuple[float, float], list[str]] = {}
    for _, r in d.sort_values(["mu_star", "sigma"]).iterrows():
        x, y = float(r["mu_star"]), float(r["sigma"])
        name = str(r["parameter"]).removeprefix("parameters.")
        near = next((k for k in groups if abs(k[0] - x) <= 0.02 * span_x
                     and abs(k[1] - y) <= 0.02 * span_y), None)
        groups.setdefault(near or (x, y), []).append(name)
    return groups


def _head(what: str, runs: int | None, context: str, conf_level: float,
          extra: str = "") -> str:
    """The figure's title: what, on which runs, and what the whiskers are."""
    ran = f"{runs} model evaluations" if runs else ""
    return "\n".join([what, _wrap(", ".join(x for x in (context, ran) if x), 110),
                      f"whiskers: {conf_level:.0%} bootstrap confidence interval{extra}"])


def plot_sobol(
    indices: pd.DataFrame,
    *,
    output: str | None = None,
    path: str | Path | None = None,
    conf_level: float = 0.95,
    runs: int | None = None,
    bounds: Mapping[str, Sequence[float]] | None = None,
    context: str = "",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """First-order (S1) and total (ST) Sobol indices, horizontal bars with CI whiskers.

    One panel per output; parameters are labelled with their ranges. An output
    whose indices are NaN (it does not vary over the design) says so in its panel.

    Args:
        indices: ``SensitivityResult.indices`` of a Sobol analysis.
        output: One output to plot (default: one panel per output).
        path: Save the figure there (PNG) if given.
        conf_level: Level of the whiskers, for the title.
        runs: Model evaluations the indices come from, for the title.
        bounds: Parameter ranges, for the labels.
        context: What was run (scenario, replications...), for the title.
        labels: Plain description of each output (default: its name).

    Returns:
        The matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outs = _panels(indices, output)
    n_par = indices["parameter"].nunique()
    fig, axes = plt.subplots(len(outs), 1, figsize=(8.0, (0.6 * n_par + 1.7) * len(outs) + 1.6),
                             squeeze=False, layout="constrained")
    for ax, out in zip(axes[:, 0], outs, strict=True):
        d = indices[indices["output"] == out]
        pos = np.arange(len(d))[::-1]  # the first parameter on top
        h = 0.38
        ax.barh(pos + h / 2, d["S1"], h, xerr=d["S1_conf"], capsize=3, color="tab:blue",
                label="first order S1 (the parameter alone)")
        ax.barh(pos - h / 2, d["ST"], h, xerr=d["ST_conf"], capsize=3, color="tab:orange",
                label="total ST (with its interactions)")
        ax.set_yticks(pos, [_param_label(str(p), bounds) for p in d["parameter"]])
        ax.axvline(0, color="black", lw=0.6)
        ax.set_xlabel("Sobol index: share of the output's variance over the ranges")
        ax.set_ylabel("parameter, range")
        ax.set_title(_wrap((labels or {}).get(out, out), 65), fontsize=10)
        if d[["S1", "ST"]].isna().all().all():
            ax.text(0.5, 0.5, "the output does not vary over the design:\n"
                    "no variance to apportion, indices undefined", ha="center", va="center",
                    transform=ax.transAxes, fontsize=9, color="0.3")
    fig.suptitle(_head("Sobol sensitivity indices", runs, context, conf_level), fontsize=11)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=2, frameon=False, fontsize=9)
    return _finish(fig, path)


def plot_morris(
    indices: pd.DataFrame,
    *,
    output: str | None = None,
    path: str | Path | None = None,
    conf_level: float = 0.95,
    runs: int | None = None,
    bounds: Mapping[str, Sequence[float]] | None = None,
    context: str = "",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """Morris screening: bars of mu* with CI whiskers, and sigma against mu*.

    Args:
        indices: ``SensitivityResult.indices`` of a Morris analysis.
        output: One output to plot (default: one row of panels per output).
        path: Save the figure there (PNG) if given.
        conf_level: Level of the whiskers, for the title.
        runs: Model evaluations the indices come from, for the title.
        bounds: Parameter ranges, for the labels.
        context: What was run (scenario, replications...), for the title.
        labels: Plain description of each output (default: its name).

    Returns:
        The matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outs = _panels(indices, output)
    n_par = indices["parameter"].nunique()
    fig, axes = plt.subplots(len(outs), 2, figsize=(11.0, (0.5 * n_par + 2.6) * len(outs) + 1.4),
                             squeeze=False, layout="constrained")
    for (ax_bar, ax_sc), out in zip(axes, outs, strict=True):
        d = indices[indices["output"] == out].sort_values("mu_star", ascending=True)
        name = (labels or {}).get(out, out)
        ax_bar.barh([_param_label(str(p), bounds) for p in d["parameter"]], d["mu_star"],
                    xerr=d["mu_star_conf"], capsize=3)
        ax_bar.set_xlabel("mu*: mean |elementary effect|\n(output units per full range)")
        ax_bar.set_ylabel("parameter, range")
        ax_bar.set_title(_wrap(name, 60) + "\nimportance (mu*)", fontsize=10)
        # An empty bar reads as a missing one: say the parameter moved nothing.
        for k in np.flatnonzero(((d["mu_star"] == 0) & (d["sigma"] == 0)).to_numpy()):
            ax_bar.text(0, k, "  no effect at any point", va="center", fontsize=8, color="0.35")
        ax_sc.scatter(d["mu_star"], d["sigma"], clip_on=False, zorder=3)
        for (x, y), names in _near_points(d).items():
            ax_sc.annotate("\n".join(names), (x, y), xytext=(4, 4),
                           textcoords="offset points", fontsize=8, va="bottom")
        ax_sc.margins(x=0.25, y=0.2)  # room for the names beside the points
        # mu* and sigma are never negative: the margin goes on the far side only (a
        # negative tick beside 0 ran into it)
        ax_sc.set_xlim(left=0)
        ax_sc.set_ylim(bottom=0)
        ax_sc.set_xlabel("mu* (output units per full range)")
        ax_sc.set_ylabel("sigma: sd of the elementary effects")
        ax_sc.set_title("the same output:\nnon-linearity or interactions (sigma) against mu*",
                        fontsize=10)
    fig.suptitle(_head("Morris elementary effects", runs, context, conf_level,
                       " of mu*"), fontsize=11)
    return _finish(fig, path)
