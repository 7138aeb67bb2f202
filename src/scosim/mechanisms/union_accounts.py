"""Customs-union indicators: trade, welfare and revenue before and after, per economy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.mechanisms._cu_checks import _participants, _runs_matrix, _runs_vector
from scosim.mechanisms.axis_sums import col_sums, row_sums

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class GEResultLike(Protocol):
    """The fields of ``scosim.mechanisms.trade.GEResult`` that this module reads."""

    flows: FloatArray
    welfare_change: FloatArray
    real_gdp_change: FloatArray
    terms_of_trade_change: FloatArray
    tariff_revenue: FloatArray
    tariff_revenue_received: FloatArray


def _offdiag(x: FloatArray) -> FloatArray:
    out = np.array(x, dtype=float, copy=True)
    idx = np.arange(out.shape[-1])
    out[..., idx, idx] = 0.0
    return out


def _pct_change(new: FloatArray, old: FloatArray) -> FloatArray:
    """100 * (new / old - 1), NaN where the old value is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(old != 0, (new / np.where(old != 0, old, 1.0) - 1.0) * 100.0, np.nan)


def _cif(flows: FloatArray, tariffs: FloatArray) -> FloatArray:
    """Bilateral trade at values before tariffs (CIF), domestic sales zeroed."""
    return _offdiag(flows / _own(tariffs, lambda t: 1.0 + t))


def _own(a: FloatArray, fn: Callable[[FloatArray], FloatArray]) -> FloatArray:
    """``fn(a)`` on a broadcast array's own data (a shared (N, N) matrix once, not per run)."""
    if a.ndim == 3 and a.strides[0] == 0:
        return fn(a[0])
    return fn(a)


def bloc_summary(
    flows: ArrayLike, tariffs: ArrayLike, participants: ArrayLike
) -> dict[str, FloatArray]:
    """Bloc-level trade of the union's participants, per run.

    Args:
        flows: (N, N) or (R, N, N) flows at tariff-inclusive prices.
        tariffs: (N, N) or (R, N, N) tariffs under which ``flows`` were observed.
        participants: (R, N) bool.

    Returns:
        Dict of (R,) arrays, all at values before tariffs (CIF):
        ``intra_union_trade`` (sum of flows between distinct participants),
        ``participants_exports``, ``participants_imports`` (to and from
        anywhere but themselves), and ``intra_union_share`` =
        2 * intra_union_trade / (participants_exports + participants_imports),
        the intra-regional trade share of UNCTAD / ADB (each intra-union flow
        counts once as an export and once as an import); NaN if the
        participants do not trade.
    """
    p = _participants(participants)
    n_runs, n = p.shape
    cif = _cif(_runs_matrix(flows, "flows", n_runs, n), _runs_matrix(tariffs, "tariffs", n_runs, n))
    pair = p[:, :, np.newaxis] & p[:, np.newaxis, :]
    intra = np.sum(np.where(pair, cif, 0.0), axis=(1, 2))
    exports = np.sum(np.where(p, cif.sum(axis=2), 0.0), axis=1)
    imports = np.sum(np.where(p, cif.sum(axis=1), 0.0), axis=1)
    denom = exports + imports
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(denom > 0, 2.0 * intra / np.where(denom > 0, denom, 1.0), np.nan)
    return {
        "intra_union_trade": intra,
        "participants_exports": exports,
        "participants_imports": imports,
        "intra_union_share": share,
    }


def union_indicators(
    base_flows: ArrayLike,
    result: GEResultLike,
    participants: ArrayLike,
    base_tariffs: ArrayLike,
    new_tariffs: ArrayLike,
) -> dict[str, FloatArray]:
    """Per-country indicators of a customs-union counterfactual.

    Trade values are at prices before tariffs (CIF): a flow at
    tariff-inclusive prices ``X[i, j]`` is ``X[i, j] / (1 + tau[i, j])``;
    domestic sales are excluded. Values are in the GE solver's numeraire.
    Indicators defined only for participants (``intra_union_imports``,
    ``intra_union_share``, ``trade_creation``, ``trade_diversion``) are NaN
    for non-participants. Percent changes are NaN where the base value is 0.

    Args:
        base_flows: (N, N) or (R, N, N) baseline flows (tariff-inclusive).
        result: Result of ``solve_ge`` for the union (flows, welfare, revenue).
        participants: (R, N) bool.
        base_tariffs: (N, N) or (R, N, N) tariffs of the baseline.
        new_tariffs: (N, N) or (R, N, N) tariffs under the union.

    Returns:
        Dict of (R, N) arrays: ``welfare_change_pct``, ``real_gdp_change_pct``,
        ``terms_of_trade_change_pct``, ``exports``, ``imports``,
        ``exports_before``, ``imports_before``, ``exports_change_pct``,
        ``imports_change_pct``, ``intra_union_imports``, ``intra_union_share``,
        ``trade_creation``, ``trade_diversion``, ``tariff_revenue_before``,
        ``tariff_revenue_collected``, ``tariff_revenue_after_sharing``.
        See ``docs/customs_union.md`` for the formulas.
    """
    p = _participants(participants)
    n_runs, n = p.shape
    x0 = _runs_matrix(base_flows, "base_flows", n_runs, n)
    t0 = _runs_matrix(base_tariffs, "base_tariffs", n_runs, n)
    t1 = _runs_matrix(new_tariffs, "new_tariffs", n_runs, n)
    x1 = _runs_matrix(result.flows, "result.flows", n_runs, n)

    cif0 = _cif(x0, t0)
    cif1 = _cif(x1, t1)
    exp_in = p[:, :, np.newaxis]
    nan = np.full((n_runs, n), np.nan)

    def participants_only(v: FloatArray) -> FloatArray:
        return np.where(p, v, nan)

    # einsum's sums (axis_sums): column sums bit for bit those of np.sum, at a third of
    # its cost on these stacks
    imports0, imports1 = col_sums(cif0), col_sums(cif1)
    exports0, exports1 = row_sums(cif0), row_sums(cif1)
    from_members0 = col_sums(np.where(exp_in, cif0, 0.0))
    from_members1 = col_sums(np.where(exp_in, cif1, 0.0))
    from_outside0 = imports0 - from_members0
    from_outside1 = imports1 - from_members1
    with np.errstate(divide="ignore", invalid="ignore"):
        intra_share = np.where(
            imports1 > 0, from_members1 / np.where(imports1 > 0, imports1, 1.0), np.nan
        )

    def vec(name: str) -> FloatArray:
        return _runs_vector(getattr(result, name), f"result.{name}", n_runs, n)

    revenue_before = col_sums(_own(t0, lambda t: t / (1.0 + t)) * x0)
    return {
        "welfare_change_pct": (vec("welfare_change") - 1.0) * 100.0,
        "real_gdp_change_pct": (vec("real_gdp_change") - 1.0) * 100.0,
        "terms_of_trade_change_pct": (vec("terms_of_trade_change") - 1.0) * 100.0,
        "exports": exports1,
        "imports": imports1,
        "exports_before": exports0,
        "imports_before": imports0,
        "exports_change_pct": _pct_change(exports1, exports0),
        "imports_change_pct": _pct_change(imports1, imports0),
        "intra_union_imports": participants_only(from_members1),
        "intra_union_share": participants_only(intra_share),
        "trade_creation": participants_only(from_members1 - from_members0),
        "trade_diversion": participants_only(from_outside0 - from_outside1),
        "tariff_revenue_before": revenue_before,
        "tariff_revenue_collected": vec("tariff_revenue"),
        "tariff_revenue_after_sharing": vec("tariff_revenue_received"),
    }
