"""Reuse of the previous year's GE solve for runs whose policy inputs did not change.

Most years most runs keep the policy of the year before (no proposal adopted, no
defection), and the GE counterfactual then repeats the last solve exactly. The
cache keeps, per model (one batch of runs), the inputs and result of the last
solve; a run is solved again only when one of its inputs differs in any bit.
Solving a subset of runs gives bit-identical results because the solver treats
each batch element on its own (its own Newton iterations and stopping point).
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import numpy as np

from scosim.mechanisms.deficit_purge import solver_closure
from scosim.mechanisms.short_run import solve_year
from scosim.mechanisms.trade import GEResult


def _rows_equal(a: np.ndarray | None, b: np.ndarray | None, r: int) -> np.ndarray:
    """``(R,)`` bool: whether row r of ``a`` equals that of ``b`` exactly (None == None)."""
    if a is None or b is None:
        return np.full(r, a is None and b is None)
    if a.shape != b.shape:
        return np.zeros(r, dtype=bool)
    # array_equal semantics per run; NaN never equals (a NaN input is solved again).
    return (a == b).reshape(r, -1).all(axis=1)


def _take(x: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if x is None else x[rows]


class GESolveCache:
    """The last GE solve of a model, reused for the runs whose inputs are unchanged.

    Attributes:
        solved: Runs solved by the last :meth:`solve` call (for tests and counters).
        total_solved: Run-solves done since the cache was made.
        total_reused: Run-solves skipped since the cache was made.
    """

    def __init__(self) -> None:
        self._inputs: dict[str, np.ndarray | None] | None = None
        self._result: GEResult | None = None
        self.solved = 0
        self.total_solved = 0
        self.total_reused = 0

    def solve(self, solver: Any, **inputs: np.ndarray | None) -> GEResult:
        """Solve with ``solver(**inputs)`` only for runs whose inputs changed.

        Args:
            solver: Called with the same keyword arrays restricted to the runs to
                solve (leading run axis) and returning a :class:`GEResult`.
            **inputs: The per-run inputs, each with a leading run axis or None.

        Returns:
            The result for every run: the new solve where inputs changed, the
            previous one (copied) elsewhere.
        """
        r = next(len(v) for v in inputs.values() if v is not None)
        inputs = {k: None if v is None else np.array(v, copy=True) for k, v in inputs.items()}
        prev, old = self._result, self._inputs
        if prev is None or old is None or set(old) != set(inputs) or len(prev.converged) != r:
            return self._store(inputs, solver(**inputs), r, r)
        same = np.ones(r, dtype=bool)
        for k, v in inputs.items():
            same &= _rows_equal(v, old[k], r)
        changed = np.flatnonzero(~same)
        if changed.size == 0:
            result = prev
        elif changed.size == r:
            result = solver(**inputs)
        else:
            sub = solver(**{k: _take(v, changed) for k, v in inputs.items()})
            merged = {}
            for f in fields(prev):
                arr = np.copy(getattr(prev, f.name))
                if arr.ndim and arr.shape[0] == r:
                    arr[changed] = getattr(sub, f.name)
                merged[f.name] = arr
            result = replace(prev, **merged)
        return self._store(inputs, result, int(changed.size), r)

    def _store(self, inputs: dict[str, np.ndarray | None], result: GEResult, n: int,
               r: int) -> GEResult:
        """Keep inputs and result; hand out a copy.

        A caller changing the returned arrays in place cannot change what later years reuse.
        """
        self._inputs, self._result = inputs, result
        self.solved = n
        self.total_solved += n
        self.total_reused += r - n
        return replace(result, **{f.name: np.copy(getattr(result, f.name))
                                  for f in fields(result)})


def solve_cached(model: Any, policy: Any, sigma: np.ndarray | None = None) -> GEResult:
    """The GE counterfactual of ``policy`` for ``model``'s runs, solving only changed runs.

    Same result as ``model.solve_policy(policy, sigma=sigma)`` (``sigma`` default
    ``model.sigma``). The cache lives on the model
    (one batch of runs); the baseline flows, tariffs and deficit closure are fixed
    for a model's lifetime, so the per-run inputs are sigma, the policy's tariffs,
    trade-cost changes, lifted bans and revenue sharing (and each run's index, which
    picks its own base flows and tariffs where they differ between runs).
    """
    cache = getattr(model, "_ge_cache", None)
    if cache is None:
        cache = GESolveCache()
        model._ge_cache = cache
    deficits = solver_closure(model.scenario.parameters.trade.deficits)
    r = policy.tariffs.shape[0]

    def solver(sigma: np.ndarray, sigma_long: np.ndarray, tariffs: np.ndarray,
               cost_change: np.ndarray | None, sharing: np.ndarray | None,
               ban_change: np.ndarray | None, run: np.ndarray) -> GEResult:
        # sigma: the tariff step's (short-run while trade adjusts); costs keep the long run.
        # Per-run base flows and tariffs (the runs' sigmas differ) go with the runs solved.
        def own(base: np.ndarray) -> np.ndarray:
            return base[run] if base.ndim == 3 else base

        return solve_year(own(model.flows0), sigma=sigma_long, sigma_short=sigma,
                          tariffs=own(model.tau0), new_tariffs=tariffs,
                          cost_change=cost_change, deficits=deficits,
                          revenue_sharing=sharing, ban_change=ban_change)

    long = np.broadcast_to(np.asarray(model.sigma, dtype=float), (r,))
    sigma = long if sigma is None else np.broadcast_to(np.asarray(sigma, dtype=float), (r,))
    return cache.solve(solver, sigma=sigma, sigma_long=long, tariffs=policy.tariffs,
                       cost_change=policy.cost_change, sharing=policy.sharing,
                       ban_change=getattr(policy, "ban_change", None), run=np.arange(r))
