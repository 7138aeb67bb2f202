"""Purging trade deficits: the balanced world a policy counterfactual can start from.

Under the ``level`` closure (Dekle, Eaton & Kortum 2007) each economy's deficit is held
fixed in US$, so part of a welfare change is the real value of a fixed transfer; under
``ratio`` it moves with the economy's prices. The two can turn a policy's results around
where deficits are large (Kyrgyzstan's is 37 % of its expenditure in the 2023 data).
The standard remedy (Dekle, Eaton & Kortum 2008, "Global rebalancing with gravity",
IMF Staff Papers 55(3); Ossa 2014, "Trade wars and trade talks with data", AER 104(12);
Costinot & Rodriguez-Clare 2014, Handbook of International Economics vol. 4, section 4)
is to solve first the counterfactual in which every deficit is zero, tariffs unchanged,
and to use that balanced world as the baseline of the policy counterfactual. There both
closures agree: with ``D = 0`` the level closure holds ``D' = 0`` and the ratio closure
scales zero (docs/trade.md, "Deficit closures").

The purge is :func:`scosim.mechanisms.trade.solve_ge` with ``new_deficits = 0``. Where a
single step from the data's deficits fails to converge, the deficits are stepped down in
equal stages (a homotopy: each stage starts from the world the one before solved, which is
an equilibrium in its own right, so exact hat algebra chains); the balanced world is the
same whatever the number of stages (to the solver's tolerance), because world output is
the numeraire in every stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.mechanisms.trade import GEConvergenceError, baseline_accounts, solve_ge

__all__ = ["CLOSURES", "PurgedWorld", "purge_deficits", "purged_baseline", "solver_closure"]

FloatArray = NDArray[np.float64]

#: The values of ``parameters.trade.deficits``: the two closures, or a purged baseline.
CLOSURES: tuple[str, ...] = ("level", "ratio", "purged")

#: Stage counts tried in turn when ``stages="auto"`` (the first that converges is kept).
AUTO_STAGES: tuple[int, ...] = (1, 2, 4, 8, 16)


@dataclass(frozen=True)
class PurgedWorld:
    """The balanced world and how it was reached, batch shape as leading axes.

    Attributes:
        flows: Balanced flows ``X'[..., i, j]``, tariff-inclusive at the same tariffs.
        accounts: :func:`scosim.mechanisms.trade.baseline_accounts` of ``flows``:
            expenditure, output, tariff revenue and deficits (zero to the solver's
            tolerance), each (..., N).
        baseline_deficits: The deficits purged, ``D = E - Y - R`` of the input (..., N).
        price_change: Factory-gate price change from the data to the balanced world.
        welfare_change: Real expenditure change from the data to the balanced world (the
            value of losing the transfer a deficit is, and of the prices that follow).
        stages: Number of equal steps the deficits were taken to zero in.
        iterations: Newton iterations of each stage, (stages, *batch).
    """

    flows: FloatArray
    accounts: dict[str, FloatArray]
    baseline_deficits: FloatArray
    price_change: FloatArray
    welfare_change: FloatArray
    stages: int
    iterations: NDArray[np.int64]


def _purge_in(flows: FloatArray, sigma: ArrayLike, tariffs: ArrayLike | None, stages: int,
              tol: float, max_iter: int) -> PurgedWorld:
    """Step every deficit to zero in ``stages`` equal steps (raises if a stage fails)."""
    d0 = baseline_accounts(flows, tariffs)["deficits"]
    x = flows
    w = np.ones(d0.shape)
    welfare = np.ones(d0.shape)
    iters = []
    for k in range(1, stages + 1):
        # the last stage's target is exactly zero, not (1 - 1) * D rounded
        target = np.zeros_like(d0) if k == stages else (1.0 - k / stages) * d0
        res = solve_ge(x, sigma=sigma, tariffs=tariffs, new_deficits=target,
                       deficits="level", tol=tol, max_iter=max_iter)
        x = res.flows
        w = w * res.price_change
        welfare = welfare * res.welfare_change
        iters.append(res.iterations)
    return PurgedWorld(flows=x, accounts=baseline_accounts(x, tariffs), baseline_deficits=d0,
                       price_change=w, welfare_change=welfare, stages=stages,
                       iterations=np.stack(iters))


def purge_deficits(
    flows: ArrayLike,
    *,
    sigma: ArrayLike,
    tariffs: ArrayLike | None = None,
    stages: int | str = "auto",
    tol: float = 1e-12,
    max_iter: int = 5000,
) -> PurgedWorld:
    """The counterfactual with every deficit zero and tariffs unchanged.

    Args:
        flows: Baseline ``X[..., i, j]`` (exporter i, importer j), tariff-inclusive, as
            :func:`scosim.mechanisms.trade.solve_ge` takes them.
        sigma: Elasticity of substitution (> 1), broadcastable to the batch shape.
        tariffs: Ad valorem tariffs (..., N, N), fractions; default zero. They are the
            same in the balanced world.
        stages: Number of equal steps from the data's deficits to zero (an int >= 1), or
            ``"auto"``: one step, and 2, 4, 8 or 16 if fewer fail to converge.
        tol: Newton's tolerance in each stage.
        max_iter: Newton's iteration limit in each stage.

    Returns:
        The :class:`PurgedWorld`.

    Raises:
        ValueError: Invalid inputs (as ``solve_ge``'s) or an invalid ``stages``.
        GEConvergenceError: No stage count converged.
    """
    x = np.asarray(flows, dtype=np.float64)
    if isinstance(stages, str):
        if stages != "auto":
            raise ValueError(f"stages must be 'auto' or an integer >= 1; got {stages!r}")
        tries = AUTO_STAGES
    elif isinstance(stages, int | np.integer) and not isinstance(stages, bool) and stages >= 1:
        tries = (int(stages),)
    else:
        raise ValueError(f"stages must be 'auto' or an integer >= 1; got {stages!r}")
    for k, n in enumerate(tries):
        try:
            return _purge_in(x, sigma, tariffs, n, tol, max_iter)
        except GEConvergenceError:
            if k == len(tries) - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def solver_closure(deficits: str) -> Literal["level", "ratio"]:
    """The closure ``solve_ge`` is given for a scenario's ``parameters.trade.deficits``.

    A purged baseline has no deficit and holds none: the level closure (the ratio one
    gives the same answer there, to rounding; ``level`` keeps ``D' = 0`` exactly).
    """
    if deficits not in CLOSURES:
        raise ValueError(f"parameters.trade.deficits must be one of {', '.join(CLOSURES)}; "
                         f"got {deficits!r}")
    return "level" if deficits == "purged" else deficits  # type: ignore[return-value]


def purged_baseline(flows: ArrayLike, tariffs: ArrayLike, sigma: ArrayLike) -> FloatArray:
    """A model's base-year flows purged of deficits at each run's elasticity.

    Each run's balanced world depends on its sigma (and on its tariffs where they differ
    between runs), and only on them: the purge is solved once per distinct sigma with a
    shared ``(N, N)`` baseline, and run by run where the flows or tariffs are per run, so a
    run's numbers do not depend on the other runs of its batch.

    Args:
        flows: ``(N, N)`` or ``(R, N, N)`` tariff-inclusive base-year flows.
        tariffs: ``(N, N)`` or ``(R, N, N)`` tariffs.
        sigma: ``(R,)`` each run's elasticity.

    Returns:
        ``(N, N)`` when the flows and tariffs are shared and every run has one sigma,
        else ``(R, N, N)``; read-only.
    """
    x = np.asarray(flows, dtype=np.float64)
    tau = np.asarray(tariffs, dtype=np.float64)
    s = np.atleast_1d(np.asarray(sigma, dtype=np.float64))
    if x.ndim == 2 and tau.ndim == 2:
        worlds = {v: purge_deficits(x, sigma=v, tariffs=tau).flows for v in np.unique(s)}
        out = worlds[s[0]] if len(worlds) == 1 else np.stack([worlds[v] for v in s])
    else:
        xs = np.broadcast_to(x, (len(s),) + x.shape[-2:])
        ts = np.broadcast_to(tau, (len(s),) + tau.shape[-2:])
        out = np.stack([purge_deficits(xs[r], sigma=s[r], tariffs=ts[r]).flows
                        for r in range(len(s))])
    out = np.ascontiguousarray(out)
    out.flags.writeable = False
    return out
