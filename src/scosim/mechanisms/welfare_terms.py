"""Explained results: welfare change split into its terms, US$ EV, group totals, Art. XXIV check.

Pure array functions over a leading run axis ``R`` (docs/customs_union.md,
"Explained results").

Welfare is real expenditure, ``W_hat = E' / (E P_hat)``, with expenditure
``E' = w_hat Y + R'_received + D'`` (output at factory-gate prices, tariff revenue
after sharing, the deficit). Hence, exactly,

``W_hat - 1 = (Y/E)(w_hat/P_hat - 1) + (R'/P_hat - R)/E + (D'/P_hat - D)/E``

and the terms of trade are taken out of the output term (Huff and Hertel 2000,
"Decomposing welfare changes in the GTAP model", GTAP Technical Paper 5: exports
times the change in their price less imports times the change in theirs):

* ``tariff_revenue``: ``(R'_received / P_hat - R) / E``, the real change in
  tariff revenue received, as a share of base expenditure;
* ``terms_of_trade``: ``[X (w_hat - 1) - M (P_m - 1)] / E``, with ``X`` and ``M``
  the baseline exports and imports and ``P_m = w_hat / T`` the Laspeyres index of
  import prices (``T`` the solver's ``terms_of_trade_change``, weighted by the same
  baseline flows). Summed over the world in US$ these net out exactly: one
  economy's dearer exports are another's dearer imports;
* ``rest`` (efficiency and price index): ``(Y/E)(w_hat/P_hat - 1) + (D'/P_hat - D)/E``
  less the terms of trade: substitution, the tariffs in the consumer price, the
  domestic output whose price moves income and the consumer price index alike,
  and the real value of a fixed deficit.

The same identity read by the three parts of expenditure (the second grouping, which
the run's answer uses where real GDP and welfare move apart, :mod:`scosim.welfare_split`):

* ``real_gdp``: ``(Y/E)(w_hat/P_hat - 1)``, income at factory-gate prices over the
  consumer price index: the real GDP change ``w_hat/P_hat - 1`` weighted by output's
  share of expenditure;
* ``tariff_revenue`` as above;
* ``deficit``: ``(D'/P_hat - D)/E``, the real value of the deficit (a fixed level
  deficit is worth more when consumer prices fall).

``real_gdp + deficit = terms_of_trade + rest`` exactly, so either grouping adds up to
the welfare change.

Until 2026-12-05 the terms of trade were ``(Y/E)(T - 1)``, weighted by all output
instead of trade: five to ten times too large (China's +1.25 points in the
ten-member union instead of +0.2), with ``rest`` offsetting them.

The three terms are computed from the solver's accounts; their sum equals the
solver's ``welfare_change - 1`` only if those accounts are consistent, which is
what the tests check (to 1e-9).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "average_external_tariff", "average_external_tariffs", "decompose_welfare", "group_totals",
]

FloatArray = NDArray[np.float64]


def decompose_welfare(result: Any, flows: ArrayLike) -> dict[str, FloatArray]:
    """Split each economy's welfare change into tariff revenue, terms of trade and the rest.

    Args:
        result: A :class:`scosim.mechanisms.trade.GEResult` (or any object with
            its fields), batch shape ``(R,)``.
        flows: The baseline flows the solve started from, ``(N, N)`` or ``(R, N, N)``
            (exporter x importer, as the solver's import-price weights).

    Returns:
        ``(R, N)`` fractions: ``total`` (``welfare_change - 1``),
        ``tariff_revenue``, ``terms_of_trade``, ``rest``; and ``real_gdp`` and
        ``deficit``, which with ``tariff_revenue`` add up to ``total`` too.
    """
    e = np.asarray(result.baseline_expenditure, dtype=float)
    y = np.asarray(result.baseline_output, dtype=float)
    r0 = np.asarray(result.baseline_tariff_revenue, dtype=float)
    d0 = np.asarray(result.baseline_deficits, dtype=float)
    p = np.asarray(result.price_index_change, dtype=float)
    w = np.asarray(result.price_change, dtype=float)
    r1 = np.asarray(result.tariff_revenue_received, dtype=float)
    d1 = np.asarray(result.deficits, dtype=float)
    tot = np.asarray(result.terms_of_trade_change, dtype=float)
    x = np.asarray(flows, dtype=float)
    n = x.shape[-1]
    trade = x * (1.0 - np.eye(n))
    exports, imports = trade.sum(axis=-1), trade.sum(axis=-2)
    # the Laspeyres import price index, P_m = w_hat / T (1 where nothing is imported)
    p_m = np.divide(w, tot, out=np.ones_like(w), where=tot != 0)
    tot_term = (exports * (w - 1.0) - imports * (p_m - 1.0)) / e
    real_gdp = (y / e) * (w / p - 1.0)
    deficit = (d1 / p - d0) / e
    return {
        "total": np.asarray(result.welfare_change, dtype=float) - 1.0,
        "tariff_revenue": (r1 / p - r0) / e,
        "terms_of_trade": tot_term,
        "rest": real_gdp + deficit - tot_term,
        "real_gdp": real_gdp,
        "deficit": deficit,
    }


def fixed_order_sum(x: ArrayLike) -> FloatArray:
    """Sums over the last axis in a fixed pairwise order, the same on every machine.

    The axis is padded with zeros to a power of two and halved by elementwise
    additions until one element is left. Each addition is one IEEE-754 operation
    on every CPU and SIMD width, so unlike ``np.sum`` (whose unrolling depends on
    the build) or BLAS (whose order depends on the kernel) the result depends
    only on the values; and each run's sum only on that run's row. Its rounding
    error is that of pairwise summation, about ``log2(n)`` ulps at most.

    Args:
        x: ``(..., n)`` values.

    Returns:
        ``(...)`` sums.
    """
    a = np.asarray(x, dtype=float)
    n = a.shape[-1]
    if n == 0:
        return np.zeros(a.shape[:-1])
    width = 1 << (n - 1).bit_length()
    if width != n:
        # The first halving against implicit zero padding: element k meets k + width/2
        # when that exists and stays as it is otherwise (x + 0 = x), no padded copy.
        width //= 2
        head = a[..., :width].copy()
        head[..., : n - width] += a[..., width:]
        a = head
    while width > 1:
        width //= 2
        a = a[..., :width] + a[..., width:]
    return a[..., 0].copy()  # never a view of the caller's array (n = 1)


def group_totals(ev: ArrayLike, group: ArrayLike) -> dict[str, FloatArray]:
    """EV totals of a group (e.g. union members), the others and the world, per run.

    Sums run in a fixed pairwise order of elementwise additions
    (:func:`fixed_order_sum`), so they depend neither on BLAS nor on the batch.

    Args:
        ev: ``(R, N)`` equivalent variations.
        group: ``(R, N)`` bool, the group (all False: nobody in it).

    Returns:
        ``(R,)`` arrays ``group``, ``others``, ``world`` (``group + others``).
    """
    v = np.asarray(ev, dtype=float)
    g = np.asarray(group, dtype=bool)
    ins = fixed_order_sum(np.where(g, v, 0.0))
    out = fixed_order_sum(np.where(g, 0.0, v))
    world = fixed_order_sum(v)
    return {"group": ins, "others": out, "world": world}


def average_external_tariff(
    tariffs: ArrayLike, weights: ArrayLike, group: ArrayLike
) -> FloatArray:
    """The group's average tariff on imports from outside it, per run (GATT Art. XXIV:5(a)).

    Weighted by the same imports (before tariffs) before and after, as the WTO's
    Understanding on Art. XXIV asks for the assessment of duties before and after a
    customs union.

    Args:
        tariffs: ``(R, N, N)`` tariffs, exporter x importer.
        weights: ``(N, N)`` or ``(R, N, N)`` imports, exporter x importer (the model
            passes the year's baseline imports, re-based with a moving baseline).
        group: ``(R, N)`` bool.

    Returns:
        ``(R,)`` trade-weighted mean tariff (fraction); NaN without a group or
        without external imports.
    """
    return average_external_tariffs([tariffs], weights, group)[0]


def average_external_tariffs(
    tariffs: Sequence[ArrayLike], weights: ArrayLike, group: ArrayLike
) -> list[FloatArray]:
    """:func:`average_external_tariff` of several tariff matrices with the same weights.

    The weights' external sum is formed once (before and after a union share it).

    Args:
        tariffs: ``(R, N, N)`` tariff matrices (a shared ``(N, N)`` broadcast is fine).
        weights: ``(N, N)`` or ``(R, N, N)`` imports, exporter x importer (the model
            passes the year's baseline imports, re-based with a moving baseline).
        group: ``(R, N)`` bool.

    Returns:
        One ``(R,)`` array per tariff matrix, as :func:`average_external_tariff`.
    """
    g = np.asarray(group, dtype=bool)
    n_runs = len(g)
    mask = ((~g[:, :, None]) & g[:, None, :]).reshape(n_runs, -1)
    shape = (n_runs, g.shape[1], g.shape[1])
    w = np.broadcast_to(np.asarray(weights, dtype=float), shape)
    wf = np.where(mask, w.reshape(n_runs, -1), 0.0)
    den = fixed_order_sum(wf)
    out = []
    for tariff in tariffs:
        t = np.broadcast_to(np.asarray(tariff, dtype=float), shape).reshape(n_runs, -1)
        # wf is zero off the mask, so t * wf is the masked product (t is finite)
        num = fixed_order_sum(t * wf)
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan))
    return out
