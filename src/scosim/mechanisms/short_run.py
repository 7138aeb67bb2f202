"""The year's GE when trade is still adjusting to tariffs: costs long-run, tariffs short-run.

While trade adjusts to a union's tariffs (adjustment share ``0 < a < 1``,
docs/customs_union.md "Gradual adjustment") the tariff change is solved at the
short-run elasticity ``sigma_a = 1 + a (sigma - 1)``. Trade-cost changes of the
year (sanctions, corridors, security) are not on the union's adjustment clock: they
keep the long-run elasticity. A trade ban an arrangement lifts (``ban_change``, an
iceberg factor: :mod:`scosim.mechanisms.suspensions`) is trade policy, solved with the
tariffs at ``sigma_a``. One hat-algebra solve has one elasticity, so a run that
has both is solved in two steps, each from the equilibrium before it (exact hat
algebra chains: the second step's baseline is the first step's counterfactual):

1. the cost changes at ``sigma``, tariffs and revenue at base, revenue kept where
   collected;
2. from there, the legal tariffs, the lifted bans and the revenue sharing at ``sigma_a``.

Changes in prices, expenditure and welfare multiply along the chain; flows, revenue,
output and deficits are the second step's; the terms of trade are recomputed from
the chained prices and the first baseline's import weights by the solver's own index
(:func:`scosim.mechanisms.ge_newton.terms_of_trade`).
Runs without a cost change, or fully adjusted, are solved in one step.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from scosim.mechanisms.ge_newton import terms_of_trade
from scosim.mechanisms.trade import GEResult, solve_ge

__all__ = ["chained", "solve_year"]


#: Changes (ratios) that multiply along the chain.
_MULTIPLY = ("price_change", "price_index_change", "expenditure_change", "welfare_change",
             "real_gdp_change")
#: Levels of the final equilibrium: the second step's.
_FINAL = ("flows", "tariff_revenue", "tariff_revenue_received", "output", "expenditure",
          "deficits", "max_residual")


def chained(
    flows: ArrayLike,
    *,
    sigma: ArrayLike,
    sigma_short: ArrayLike,
    tariffs: ArrayLike,
    new_tariffs: ArrayLike,
    cost_change: ArrayLike,
    deficits: Literal["level", "ratio"],
    revenue_sharing: ArrayLike | None,
    ban_change: ArrayLike | None = None,
) -> GEResult:
    """Cost changes at ``sigma``, then tariffs and sharing at ``sigma_short`` (module doc).

    Args:
        flows: Baseline flows ``(N, N)`` or ``(R, N, N)``.
        sigma: ``(R,)`` long-run elasticities.
        sigma_short: ``(R,)`` short-run elasticities of the tariff step.
        tariffs: Baseline tariffs ``(N, N)`` or ``(R, N, N)``.
        new_tariffs: ``(R, N, N)`` legal tariffs of the year.
        cost_change: ``(R, N, N)`` iceberg cost changes.
        deficits: The deficit closure of both steps.
        revenue_sharing: ``(R, N, N)`` sharing of the tariff step, or None.
        ban_change: ``(R, N, N)`` iceberg factors of lifted bans (the tariff step's), or None.

    Returns:
        The chained :class:`GEResult` against the first baseline.
    """
    costs = solve_ge(flows, sigma=sigma, tariffs=tariffs, cost_change=cost_change,
                     deficits=deficits)
    tar = solve_ge(costs.flows, sigma=sigma_short, tariffs=tariffs, new_tariffs=new_tariffs,
                   cost_change=ban_change, deficits=deficits, revenue_sharing=revenue_sharing)
    out: dict[str, Any] = {f.name: getattr(costs, f.name) for f in fields(costs)}
    for name in _MULTIPLY:
        out[name] = getattr(costs, name) * getattr(tar, name)
    for name in _FINAL:
        out[name] = getattr(tar, name)
    out["converged"] = costs.converged & tar.converged
    out["iterations"] = costs.iterations + tar.iterations
    out["terms_of_trade_change"] = terms_of_trade(out["price_change"], flows)
    return GEResult(**out)


def solve_year(
    flows: ArrayLike,
    *,
    sigma: ArrayLike,
    sigma_short: ArrayLike,
    tariffs: ArrayLike,
    new_tariffs: ArrayLike,
    cost_change: ArrayLike | None,
    deficits: Literal["level", "ratio"],
    revenue_sharing: ArrayLike | None,
    ban_change: ArrayLike | None = None,
) -> GEResult:
    """The year's GE of every run: one solve, or :func:`chained` where a run needs it.

    A run needs the chain when its tariff step is short-run (``sigma_short != sigma``)
    and it has a cost change; every other run is one solve at ``sigma_short`` (which is
    ``sigma`` once adjusted), bit for bit as before the chain existed. Lifted bans
    (``ban_change``) go with the tariffs: in a one-solve run they multiply the cost
    change (a run with a cost change is one solve only at ``sigma_short == sigma``).

    Args:
        flows: Baseline flows ``(N, N)`` or ``(R, N, N)``.
        sigma: Long-run elasticity, scalar or ``(R,)``.
        sigma_short: ``(R,)`` elasticity of each run's tariff step.
        tariffs: Baseline tariffs ``(N, N)`` or ``(R, N, N)`` (per run when the runs'
            sigmas differ: the suspension's equivalents, :mod:`scosim.mechanisms.suspensions`).
        new_tariffs: ``(R, N, N)`` tariffs of the year.
        cost_change: ``(R, N, N)`` cost changes or None.
        deficits: Deficit closure.
        revenue_sharing: ``(R, N, N)`` sharing or None.
        ban_change: ``(R, N, N)`` iceberg factors of lifted bans, or None.

    Returns:
        A :class:`GEResult` for every run.
    """
    short = np.asarray(sigma_short, dtype=float)
    rows = np.zeros(0, dtype=np.intp)
    if cost_change is not None:
        d = np.asarray(cost_change, dtype=float)
        short_r = np.broadcast_to(short, (len(d),))
        long = np.broadcast_to(np.asarray(sigma, dtype=float), short_r.shape)
        rows = np.flatnonzero((short_r != long) & (d != 1.0).reshape(len(d), -1).any(axis=1))
    if rows.size == 0:
        # Elementwise product (no reduction): the same bits whatever the BLAS.
        both = (cost_change if ban_change is None else ban_change if cost_change is None
                else np.asarray(cost_change, dtype=float) * np.asarray(ban_change, dtype=float))
        return solve_ge(flows, sigma=short, tariffs=tariffs, new_tariffs=new_tariffs,
                        cost_change=both, deficits=deficits,
                        revenue_sharing=revenue_sharing)
    # Each run solved once: the chained runs in two steps, the others in one (a run's
    # numbers do not depend on the other runs solved with it).
    x, t0 = np.asarray(flows, dtype=float), np.asarray(tariffs, dtype=float)
    rest = np.setdiff1d(np.arange(len(d)), rows)

    def take(a: ArrayLike | None, idx: np.ndarray) -> Any:
        return None if a is None else np.asarray(a)[idx]

    def flows_of(idx: np.ndarray) -> np.ndarray:
        return x[idx] if x.ndim == 3 else x

    def tariffs_of(idx: np.ndarray) -> np.ndarray:
        return t0[idx] if t0.ndim == 3 else t0

    sub = chained(flows_of(rows), sigma=long[rows], sigma_short=short_r[rows],
                  tariffs=tariffs_of(rows), new_tariffs=take(new_tariffs, rows),
                  cost_change=d[rows],
                  deficits=deficits, revenue_sharing=take(revenue_sharing, rows),
                  ban_change=take(ban_change, rows))
    if rest.size == 0:
        return sub
    d_rest = d[rest] if ban_change is None else d[rest] * take(ban_change, rest)
    one = solve_ge(flows_of(rest), sigma=short_r[rest], tariffs=tariffs_of(rest),
                   new_tariffs=take(new_tariffs, rest), cost_change=d_rest,
                   deficits=deficits, revenue_sharing=take(revenue_sharing, rest))
    merged = {}
    for f in fields(one):
        a, b = np.asarray(getattr(one, f.name)), np.asarray(getattr(sub, f.name))
        arr = np.empty((len(d), *a.shape[1:]), dtype=np.result_type(a, b))
        arr[rest], arr[rows] = a, b
        merged[f.name] = arr
    return GEResult(**merged)
