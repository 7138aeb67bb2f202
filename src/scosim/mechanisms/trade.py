"""Structural gravity in general equilibrium: counterfactuals in changes.

One-sector Armington model (Anderson & van Wincoop 2003; Yotov, Piermartini,
Monteiro & Larch 2016) solved with exact hat algebra (Dekle, Eaton & Kortum
2007). See ``docs/trade.md`` and MODEL.md section 2 for the equations. Its
arguments are checked by :mod:`scosim.mechanisms.ge_inputs`, its Newton iteration is
:mod:`scosim.mechanisms.ge_newton`.

Everything here is a pure function over numpy arrays. Leading axes of every
array argument are batch axes: one call solves many runs (e.g. 1,000 ensemble
members with different elasticities or tariffs) at once.

Notation (per batch element, ``i`` exporter, ``j`` importer):

* ``X[i, j]`` baseline flows at the importer's tariff-inclusive prices,
  ``E[j] = sum_i X[i, j]``, ``Y[i] = sum_j X[i, j] / (1 + tau[i, j])``,
  ``R[j] = sum_i tau[i, j] / (1 + tau[i, j]) X[i, j]``, ``D[j] = E[j] - Y[j] - R[j]``.
* ``t_hat[i, j] = (1 + tau'[i, j]) / (1 + tau[i, j]) * d_hat[i, j]``.
* unknowns ``w_hat[i]`` (factory-gate price changes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.mechanisms.axis_sums import col_sums, row_sums
from scosim.mechanisms.ge_inputs import (  # _as_float, _check_square: also fitted.py's
    _as_float,
    _check_square,
    _new_deficits,
    _unit_or_none,
)
from scosim.mechanisms.ge_newton import solve_flat

__all__ = [
    "GEConvergenceError",
    "GEResult",
    "GESanityError",
    "baseline_accounts",
    "iceberg_from_cost_index",
    "solve_ge",
    "tariff_inclusive_flows",
]

FloatArray = NDArray[np.float64]



class GEConvergenceError(RuntimeError):
    """The GE fixed point did not converge for some batch elements.

    Attributes:
        failed: flat indices (row-major over the batch shape) that failed.
        residuals: their max relative market-clearing residuals.
    """

    def __init__(self, message: str, failed: NDArray[np.intp], residuals: FloatArray):
        super().__init__(message)
        self.failed = failed
        self.residuals = residuals

    def __reduce__(self) -> tuple[type, tuple[str, NDArray[np.intp], FloatArray]]:
        # Raised in a worker process, it is pickled back with all three arguments.
        return type(self), (str(self), self.failed, self.residuals)


class GESanityError(RuntimeError):
    """A converged solution failed a sanity check (prices, flows or welfare)."""


@dataclass(frozen=True)
class GEResult:
    """Counterfactual equilibrium, all arrays with the batch shape as leading axes.

    Changes are ratios (counterfactual / baseline; 1.0 = unchanged). Elements
    that did not converge (only possible with ``on_fail="flag"``) hold NaN.

    Attributes:
        price_change: factory-gate price change ``w_hat`` (..., N).
        price_index_change: consumer (CES) price index change ``P_hat`` (..., N).
        expenditure_change: nominal expenditure change ``E'/E`` (..., N).
        welfare_change: real expenditure change ``E_hat / P_hat`` (..., N).
        real_gdp_change: ``w_hat / P_hat``, real output as gegravity reports it (..., N).
        terms_of_trade_change: ``w_hat[i]`` over the Laspeyres index of foreign
            factory-gate prices weighted by i's baseline import shares (..., N).
        flows: counterfactual flows, tariff-inclusive (..., N, N).
        tariff_revenue: tariff revenue collected by each importer, new (..., N).
        tariff_revenue_received: revenue each country receives after sharing (..., N).
        baseline_tariff_revenue: revenue collected in the baseline (..., N).
        output: counterfactual output at factory-gate prices ``w_hat * Y`` (..., N).
        expenditure: counterfactual expenditure ``E'`` (..., N).
        baseline_output: baseline output ``Y`` (..., N).
        baseline_expenditure: baseline expenditure ``E`` (..., N).
        deficits: counterfactual deficits ``E' - Y' - R'_received`` (..., N).
        baseline_deficits: baseline deficits ``E - Y - R`` (..., N).
        converged: whether each batch element converged (batch shape).
        iterations: Newton iterations used by each batch element (batch shape).
        max_residual: max relative market-clearing residual (batch shape).
    """

    price_change: FloatArray
    price_index_change: FloatArray
    expenditure_change: FloatArray
    welfare_change: FloatArray
    real_gdp_change: FloatArray
    terms_of_trade_change: FloatArray
    flows: FloatArray
    tariff_revenue: FloatArray
    tariff_revenue_received: FloatArray
    baseline_tariff_revenue: FloatArray
    output: FloatArray
    expenditure: FloatArray
    baseline_output: FloatArray
    baseline_expenditure: FloatArray
    deficits: FloatArray
    baseline_deficits: FloatArray
    converged: NDArray[np.bool_]
    iterations: NDArray[np.int64]
    max_residual: FloatArray


def baseline_accounts(
    flows: ArrayLike, tariffs: ArrayLike | None = None
) -> dict[str, FloatArray]:
    """National accounts implied by tariff-inclusive flows (MODEL.md section 2).

    Args:
        flows: ``X[..., i, j]`` exporter i to importer j, tariff-inclusive.
        tariffs: ad valorem tariffs ``tau[..., i, j]`` (fractions), default zero.

    Returns:
        Dict with ``expenditure`` E, ``output`` Y (factory-gate), ``tariff_revenue`` R
        and ``deficits`` D = E - Y - R, each (..., N).
    """
    x = np.asarray(flows, dtype=np.float64)
    tau = np.zeros_like(x) if tariffs is None else np.asarray(tariffs, dtype=np.float64)
    gross = 1.0 + tau
    e = col_sums(x)
    y = row_sums(x / gross)
    r = col_sums(x * (tau / gross))
    return {"expenditure": e, "output": y, "tariff_revenue": r, "deficits": e - y - r}


def tariff_inclusive_flows(flows_at_import_prices: ArrayLike, tariffs: ArrayLike) -> FloatArray:
    """Convert flows valued before tariffs (e.g. CIF customs values) to tariff-inclusive.

    ``solve_ge`` wants flows at the importer's tariff-inclusive prices:
    ``X[i, j] = V[i, j] * (1 + tau[i, j])``.

    Args:
        flows_at_import_prices: ``V[..., i, j]`` >= 0, before tariffs.
        tariffs: ``tau[..., i, j]`` ad valorem fractions (> -1).

    Returns:
        Tariff-inclusive flows.
    """
    v = _as_float("flows_at_import_prices", flows_at_import_prices)
    tau = _as_float("tariffs", tariffs)
    if np.any(v < 0):
        raise ValueError("flows_at_import_prices must be non-negative")
    if np.any(tau <= -1):
        raise ValueError("tariffs must be > -1 (ad valorem fractions, e.g. 0.05 for 5%)")
    return v * (1.0 + tau)


def iceberg_from_cost_index(cost_index_ratio: ArrayLike, sigma: ArrayLike) -> FloatArray:
    """Convert a change in ``t^(1-sigma)`` (e.g. ``exp(X' b - X b)``) to iceberg ``d_hat``.

    Args:
        cost_index_ratio: new over old ``t^(1-sigma)``, positive.
        sigma: elasticity of substitution (> 1), broadcastable.

    Returns:
        ``d_hat = ratio ** (1 / (1 - sigma))``.
    """
    ratio = np.asarray(cost_index_ratio, dtype=np.float64)
    s = np.asarray(sigma, dtype=np.float64)
    if np.any(~np.isfinite(ratio)) or np.any(ratio <= 0):
        raise ValueError("cost_index_ratio must be positive and finite")
    if np.any(s <= 1):
        raise ValueError(f"sigma must be > 1; got min {s.min()}")
    if s.ndim:
        s = s.reshape(s.shape + (1, 1))
    return ratio ** (1.0 / (1.0 - s))


def _log_t_hat(
    tau: FloatArray | None, tau_new: FloatArray | None, d: FloatArray | None, n: int
) -> tuple[NDArray[np.intp], FloatArray | None, NDArray[np.bool_] | bool]:
    """Importers whose ``t_hat`` differs from 1 somewhere, ``log t_hat`` on them, and where.

    Returns:
        ``(cols, log_t, moved)``: the columns ``j`` where some run changes a tariff or a
        cost; ``log t_hat[..., :, cols]`` (``None`` when nothing changes); and whether
        each element of the arguments' broadcast leading axes changes anything (a bool
        array of those axes, or a plain bool when they have none).
    """
    changed = np.zeros(n, dtype=bool)
    moved: NDArray[np.bool_] | bool = False
    for diff in (None if tau_new is None else tau_new != (0.0 if tau is None else tau),
                 None if d is None else d != 1.0):
        if diff is None:
            continue
        changed |= diff.reshape(-1, n, n).any(axis=(0, 1))
        moved = moved | diff.reshape(diff.shape[:-2] + (n * n,)).any(axis=-1)
    cols = np.flatnonzero(changed)
    if cols.size == 0:
        return cols, None, moved
    log_t: FloatArray | float = 0.0
    if tau_new is not None:
        log_t = np.log1p(tau_new[..., cols]) - (
            0.0 if tau is None else np.log1p(tau[..., cols]))
    if d is not None:
        log_t = log_t + np.log(d[..., cols])
    return cols, np.asarray(log_t, dtype=np.float64), moved


def solve_ge(
    flows: ArrayLike,
    *,
    sigma: ArrayLike,
    tariffs: ArrayLike | None = None,
    new_tariffs: ArrayLike | None = None,
    cost_change: ArrayLike | None = None,
    deficits: Literal["level", "ratio"] = "level",
    new_deficits: ArrayLike | None = None,
    revenue_sharing: ArrayLike | None = None,
    tol: float = 1e-12,
    max_iter: int = 5000,
    numeraire: Literal["world"] | int = "world",
    on_fail: Literal["raise", "flag"] = "raise",
) -> GEResult:
    """Solve the counterfactual equilibrium in changes (exact hat algebra).

    Market clearing ``w_hat[i] Y[i] = sum_j pi'[i, j] E'[j] / (1 + tau'[i, j])`` with
    ``pi'[i, j] = pi[i, j] (w_hat[i] t_hat[i, j])^(1-sigma) / P_hat[j]^(1-sigma)``
    is solved by a damped Newton method on log prices with an analytic Jacobian,
    vectorised over the batch; batch elements leave the computation once converged.
    A batch element whose tariffs, costs and revenue sharing are all unchanged is not
    solved: it gets the exact identity (every change 1, flows, revenue, output,
    expenditure and deficits those of the baseline, 0 iterations, residual 0).

    Expenditure ``E'[j] = B[j] + R'_received[j]`` where ``R'_received = S @ R'`` and
    ``R'[k] = sum_i tau'[i, k]/(1+tau'[i, k]) pi'[i, k] E'[k]``, and

    * ``deficits="level"`` (Dekle, Eaton & Kortum 2007): ``B[j] = w_hat[j] Y[j] + D[j]``,
      ``D`` fixed in units of the numeraire.
    * ``deficits="ratio"``: non-tariff expenditure moves with the factory-gate price,
      ``B[j] = kappa * w_hat[j] (Y[j] + D[j])`` (Yotov et al. 2016, gegravity:
      ``E' = (E/Y) Y'`` when there are no tariffs). Tariff revenue is added on top,
      not scaled. ``kappa`` is one world scalar that keeps world expenditure equal to
      world output plus revenue (without it the N market-clearing conditions are
      inconsistent); it is 1 to first order and 1 exactly when trade is balanced.
    * ``new_deficits`` (level closure only): ``B[j] = w_hat[j] Y[j] + D'[j]`` with ``D'``
      given, in units of the numeraire; ``D' = 0`` purges the deficits (Dekle, Eaton &
      Kortum 2008; :mod:`scosim.mechanisms.deficit_purge`).

    Args:
        flows: baseline ``X[..., i, j]`` (exporter i, importer j), tariff-inclusive,
            diagonal = domestic sales. Leading axes are batch axes.
        sigma: elasticity of substitution (> 1), scalar or broadcastable to the batch shape.
        tariffs: baseline ad valorem tariffs (..., N, N), fractions > -1; default 0.
        new_tariffs: counterfactual tariffs (..., N, N); default = ``tariffs``.
        cost_change: iceberg cost change ``d_hat`` (..., N, N) > 0; default 1.
        deficits: ``"level"`` or ``"ratio"`` (see above).
        new_deficits: counterfactual deficits ``D'`` (..., N), level closure only, summing
            to zero over economies (relative 1e-9 of world expenditure); default ``D``.
        revenue_sharing: column-stochastic ``S[..., j, k]``: share of revenue collected by k
            that j receives. Default: each keeps its own (identity).
        tol: convergence threshold on the max relative market-clearing residual
            ``|F_i / (w_hat_i Y_i) - 1|`` (and the normalisation).
        max_iter: maximum Newton iterations.
        numeraire: ``"world"`` (world factory-gate output ``sum w_hat Y = sum Y``) or the
            index of the country whose ``w_hat`` is 1.
        on_fail: ``"raise"`` raises :class:`GEConvergenceError` if any element fails;
            ``"flag"`` returns them with ``converged=False`` and NaN results.

    Returns:
        GEResult with the batch shape as leading axes.

    Raises:
        ValueError: invalid inputs (message names the argument and what is allowed).
        GEConvergenceError: non-convergence with ``on_fail="raise"``.
        GESanityError: a converged solution with non-positive prices, negative flows
            or non-finite welfare.
    """
    x = _as_float("flows", flows)
    _check_square("flows", x)
    n = x.shape[-1]
    if n < 2:
        raise ValueError(f"flows must describe at least 2 economies; got N={n}")
    if np.any(x < 0):
        raise ValueError("flows must be non-negative")
    s_arr = _as_float("sigma", sigma)
    if np.any(s_arr <= 1):
        raise ValueError(f"sigma must be > 1 (elasticity of substitution); got min {s_arr.min()}")

    def _matrix(name: str, value: ArrayLike | None) -> FloatArray | None:
        if value is None:
            return None
        arr = _as_float(name, value)
        _check_square(name, arr, n)
        return arr

    tau_in = _matrix("tariffs", tariffs)
    tau_new_in = _matrix("new_tariffs", new_tariffs)
    for name, arr in (("tariffs", tau_in), ("new_tariffs", tau_new_in)):
        if arr is not None and np.any(arr <= -1):
            raise ValueError(f"{name} must be > -1 (ad valorem fractions, e.g. 0.05 for 5%)")
    # Unchanged costs (all 1, the model's default) and identity sharing (each keeps its
    # own revenue) are valid as they are and change nothing: found first, they skip the
    # checks and every pass over them below.
    d_in = _unit_or_none(cost_change, n, lambda a: a == 1.0)
    if d_in is not None:
        d_in = _matrix("cost_change", d_in)
        if np.any(d_in <= 0):
            raise ValueError("cost_change must be > 0 (iceberg d_hat; 1 = unchanged)")
    sh_in = _unit_or_none(revenue_sharing, n, lambda a: a == np.eye(n))
    if sh_in is not None:
        sh_in = _matrix("revenue_sharing", sh_in)
        if np.any(sh_in < 0):
            raise ValueError("revenue_sharing must be non-negative")
        col = sh_in.sum(axis=-2)
        if np.any(np.abs(col - 1.0) > 1e-9):
            raise ValueError("revenue_sharing must be column-stochastic: every column "
                             "S[..., :, k] must sum to 1 (what k collects is fully distributed); "
                             f"column sums range {col.min():.6g}..{col.max():.6g}")

    # the batch shape is the broadcast of every argument's leading axes, so one
    # baseline can be solved against many policies (or many sigmas) at once
    shapes = {"flows": x.shape[:-2], "sigma": s_arr.shape}
    # a neutral cost change or sharing dropped above still spans its batch axes
    for name, value in (("cost_change", cost_change), ("revenue_sharing", revenue_sharing)):
        if value is not None:
            shapes[name] = np.shape(value)[:-2]
    for name, arr in (("tariffs", tau_in), ("new_tariffs", tau_new_in), ("cost_change", d_in),
                      ("revenue_sharing", sh_in)):
        if arr is not None:
            shapes[name] = arr.shape[:-2]
    try:
        batch = np.broadcast_shapes(*shapes.values())
    except ValueError:
        desc = ", ".join(f"{k} {v}" for k, v in shapes.items())
        raise ValueError(f"batch (leading) axes of the arguments do not broadcast: {desc}; "
                         "sigma must broadcast to the batch shape, matrices to (..., N, N)"
                         ) from None
    if deficits not in ("level", "ratio"):
        raise ValueError(f"deficits must be 'level' or 'ratio'; got {deficits!r}")
    if on_fail not in ("raise", "flag"):
        raise ValueError(f"on_fail must be 'raise' or 'flag'; got {on_fail!r}")
    num_idx: int | None
    if isinstance(numeraire, str):
        if numeraire != "world":
            raise ValueError(f"numeraire must be 'world' or an integer index; got {numeraire!r}")
        num_idx = None
    elif isinstance(numeraire, int | np.integer) and not isinstance(numeraire, bool):
        if not -n <= int(numeraire) < n:
            raise ValueError(f"numeraire index must be in [0, {n}); got {numeraire}")
        num_idx = int(numeraire) % n
    else:
        raise ValueError(f"numeraire must be 'world' or an integer index; got {numeraire!r}")
    if not (tol > 0 and np.isfinite(tol)):
        raise ValueError(f"tol must be positive; got {tol}")
    if int(max_iter) < 1:
        raise ValueError(f"max_iter must be >= 1; got {max_iter}")

    # accounts on the arguments' own shapes (a shared baseline is computed once)
    acc = baseline_accounts(x, tau_in)
    e, y, r0, d0 = acc["expenditure"], acc["output"], acc["tariff_revenue"], acc["deficits"]
    if np.any(e <= 0):
        raise ValueError("flows: every importer needs positive expenditure (column sums > 0); "
                         "found a zero column")
    if np.any(y <= 0):
        raise ValueError("flows: every exporter needs positive output (row sums > 0); "
                         "found a zero row")
    if deficits == "ratio" and np.any(y + d0 <= 0):
        raise ValueError("deficits='ratio' needs positive non-tariff expenditure E - R for "
                         "every country")
    d_next, d_moved = _new_deficits(new_deficits, deficits, d0, e, n)
    if d_next is not None:
        try:
            batch = np.broadcast_shapes(batch, d_next.shape[:-1])
        except ValueError:
            raise ValueError(f"new_deficits' leading axes {d_next.shape[:-1]} do not broadcast "
                             f"to the batch shape {batch}") from None
    tau_next = tau_in if tau_new_in is None else tau_new_in
    # log t_hat on the importers whose tariffs or costs change in some run (the others'
    # t_hat is 1): logs and powers are the costliest passes of the set-up
    cols, log_t, moved = _log_t_hat(tau_in, tau_new_in, d_in, n)
    shares = False
    if sh_in is not None:
        shares = (sh_in != np.eye(n)).reshape(sh_in.shape[:-2] + (n * n,)).any(axis=-1)
        moved = moved | shares
    moved = moved | d_moved

    bsz = int(np.prod(batch)) if batch else 1
    # An element whose tariffs, costs and sharing are all unchanged has the identity as
    # its exact equilibrium (every change 1, the baseline's own accounts): it is not
    # solved, so its numbers are exact rather than Newton's rounding noise. The others
    # are solved in two groups: those that keep their own revenue (the closed form) and
    # those that share it, so an element's path, and its bits, never depend on its batch.
    moved_flat = np.broadcast_to(moved, batch).reshape(bsz)
    shares_flat = np.broadcast_to(shares, batch).reshape(bsz)
    groups = [(g, sh) for g, sh in ((np.flatnonzero(moved_flat & ~shares_flat), None),
                                    (np.flatnonzero(shares_flat), sh_in)) if g.size]

    def flat_all(arr: FloatArray, trailing: tuple[int, ...]) -> FloatArray:
        return np.ascontiguousarray(np.broadcast_to(arr, batch + trailing)).reshape(
            (bsz,) + trailing)

    def gather(idx: NDArray[np.intp]) -> Callable[[FloatArray, tuple[int, ...]], FloatArray]:
        def flat(arr: FloatArray, trailing: tuple[int, ...]) -> FloatArray:
            # the elements solved: all of them, or a gathered copy of some
            if idx.size == bsz:
                return flat_all(arr, trailing)
            return np.broadcast_to(arr, batch + trailing).reshape((bsz,) + trailing)[idx]
        return flat

    nn = (n, n)
    ef_all, yf_all = flat_all(e, (n,)), flat_all(y, (n,))
    rf_all, df_all = flat_all(r0, (n,)), flat_all(d0, (n,))
    # the deficits the solve holds: the baseline's, or the new ones given
    dn_all = df_all if d_next is None else flat_all(d_next, (n,))
    pi = x / e[..., None, :] if groups else x
    solved = [(idx, solve_flat(
        x, gather(idx), s_arr, pi, (cols, log_t), tau_next, sh,
        (ef_all[idx], yf_all[idx], rf_all[idx], dn_all[idx]), deficits == "ratio",
        num_idx, float(tol), int(max_iter)))
        for idx, sh in groups]
    failed = [(idx[~sol["converged"]], sol["max_residual"][~sol["converged"]])
              for idx, sol in solved]
    bad = np.concatenate([f[0] for f in failed]) if failed else np.zeros(0, dtype=np.intp)
    if bad.size and on_fail == "raise":
        resid_bad = np.concatenate([f[1] for f in failed])[np.argsort(bad)]
        bad = np.sort(bad)
        shown = ", ".join(f"{i}: {r:.3g}" for i, r in zip(bad[:10], resid_bad[:10], strict=True))
        raise GEConvergenceError(
            f"solve_ge did not converge for {bad.size} of {bsz} batch elements "
            f"(tol={tol}, max_iter={max_iter}); index: residual -> {shown}",
            bad, resid_bad)
    for idx, sol in solved:
        _check_sane(sol, idx)

    identity = {
        "price_change": None, "price_index_change": None, "expenditure_change": None,
        "welfare_change": None, "real_gdp_change": None, "terms_of_trade_change": None,
        "flows": lambda: np.array(flat_all(x, nn), copy=True),
        "tariff_revenue": rf_all.copy, "tariff_revenue_received": rf_all.copy,
        "output": yf_all.copy, "expenditure": ef_all.copy, "deficits": df_all.copy,
        "converged": lambda: np.ones(bsz, dtype=bool),
        "iterations": lambda: np.zeros(bsz, dtype=np.int64),
        "max_residual": lambda: np.zeros(bsz),
    }
    ok = np.ones(bsz, dtype=bool)
    ok[bad] = False

    def out(name: str) -> NDArray[Any]:
        make = identity[name]
        if len(solved) == 1 and solved[0][0].size == bsz:
            full = solved[0][1][name]  # freshly computed: masked in place, no copy
        else:
            full = np.ones((bsz, n)) if make is None else make()
            for idx, sol in solved:
                full[idx] = sol[name]
        if name not in ("converged", "iterations", "max_residual") and not ok.all():
            full[~ok] = np.nan
        return full.reshape(batch + full.shape[1:])

    return GEResult(
        price_change=out("price_change"),
        price_index_change=out("price_index_change"),
        expenditure_change=out("expenditure_change"),
        welfare_change=out("welfare_change"),
        real_gdp_change=out("real_gdp_change"),
        terms_of_trade_change=out("terms_of_trade_change"),
        flows=out("flows"),
        tariff_revenue=out("tariff_revenue"),
        tariff_revenue_received=out("tariff_revenue_received"),
        baseline_tariff_revenue=rf_all.reshape(batch + (n,)).copy(),
        output=out("output"),
        expenditure=out("expenditure"),
        baseline_output=yf_all.reshape(batch + (n,)).copy(),
        baseline_expenditure=ef_all.reshape(batch + (n,)).copy(),
        deficits=out("deficits"),
        baseline_deficits=df_all.reshape(batch + (n,)).copy(),
        converged=out("converged"),
        iterations=out("iterations"),
        max_residual=out("max_residual"),
    )


def _check_sane(sol: dict[str, Any], idx: NDArray[np.intp]) -> None:
    """Raise :class:`GESanityError` for a converged element with impossible numbers.

    Args:
        sol: The flat solution of :func:`scosim.mechanisms.ge_newton.solve_flat`.
        idx: Each solved element's flat index in the call's batch (for the message).
    """
    ok = sol["converged"]
    if not ok.any():
        return
    w, p_hat, flows_new = sol["price_change"], sol["price_index_change"], sol["flows"]
    with np.errstate(invalid="ignore"):
        good_w = np.all(np.isfinite(w) & (w > 0), axis=1)
        bad_p = ~(good_w & np.all(np.isfinite(p_hat) & (p_hat > 0), axis=1))
        # non-finite somewhere <=> a non-finite row sum (NaN and inf propagate); one pass
        # for the sign and one for the sums instead of three
        bad_f = ~(np.all(np.isfinite(row_sums(flows_new)), axis=1)
                  & (flows_new.min(axis=(1, 2)) >= 0))
        bad_w = ~np.all(np.isfinite(sol["welfare_change"]), axis=1)
    for label, mask in (("non-positive or non-finite prices", bad_p),
                        ("negative or non-finite flows", bad_f),
                        ("non-finite welfare", bad_w)):
        hit = idx[np.flatnonzero(mask & ok)]
        if hit.size:
            raise GESanityError(f"solve_ge produced {label} for batch elements "
                                f"{hit[:10].tolist()}")
