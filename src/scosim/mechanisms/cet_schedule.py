"""What a common external tariff charges each outside exporter (the composition adjustment).

The base tariffs of data version 2023 are MFN rates adjusted for what each exporter
sells: fuels and minerals enter most importers near duty-free, so importer ``j`` charges
exporter ``i``

    tau[i, j] = mfn[j] * (1 - f[i]) / n[j],   n[j] = sum_k w[k, j] (1 - f[k]),

with ``f`` the exporter's fuel share of merchandise exports and ``w[k, j]`` the supplier
shares of ``j``'s imports (docs/data.md, "Tariffs"). ``n[j]`` keeps ``j``'s
import-weighted mean rate equal to its MFN rate.

A customs union's common external tariff is one schedule for the whole union, and a
real schedule has the same structure (the EAEU's, like China's, has zero or near-zero
lines on crude oil and natural gas). So the union charges outside exporter ``i``

    cet * kappa[i],   kappa[i] = (1 - f[i]) / n_P,
    n_P = sum_{j in P} M[j] n[j] / sum_{j in P} M[j],

one normaliser for the union, with ``M[j]`` the member's imports from all suppliers.
Then the union's import-weighted mean rate over all its suppliers, at base-year
weights, is the CET, as each member's was its MFN rate. Charging every outsider the
CET itself (``kappa = 1``) would tax a Gulf state's oil as if it were manufactures.

A union that adds no one to an existing tariff territory (its participants are one
economy, or all in one customs union in force: a union of exactly the EAEU) keeps that
territory's schedule: member ``j`` charges ``cet * (1 - f[i]) / n[j]``, its own
normaliser, as the base tariffs do (:func:`schedule_factors`). The data build gives each
EAEU member its own ``n[j]``, so pooling them would re-harmonise the EAEU's common tariff
(by up to 0.92 percentage points: Kyrgyzstan on Cambodia, 6.85 % to 5.93 %) in a union
that changes nothing; at the bloc's own rate the territory's tariffs are reproduced.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.mechanisms._cu_checks import _participants
from scosim.mechanisms.welfare_terms import fixed_order_sum

__all__ = ["cet_factors", "composition_weights", "schedule_factors"]

FloatArray = NDArray[np.float64]


def composition_weights(trade: ArrayLike, fuel_share: ArrayLike) -> tuple[FloatArray, FloatArray,
                                                                           FloatArray]:
    """Imports, normalisers and non-fuel shares of the composition adjustment.

    Args:
        trade: ``(N, N)`` base-year trade, exporter x importer (the table the tariffs were
            built from); the diagonal is ignored.
        fuel_share: ``(N,)`` fuel share of each economy's merchandise exports, fractions
            in [0, 1].

    Returns:
        ``(imports, normalisers, nonfuel)``, each ``(N,)``: ``M[j]``, ``n[j]`` and
        ``1 - f`` of the module's formulas.

    Raises:
        ValueError: Shapes that do not match, fuel shares outside [0, 1] or missing, or
            an importer with no imports.
    """
    x = np.array(trade, dtype=np.float64)
    f = np.asarray(fuel_share, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] != x.shape[1] or f.shape != (x.shape[0],):
        raise ValueError(f"trade must be (N, N) and fuel shares (N,); got {x.shape} and {f.shape}")
    if not np.all(np.isfinite(f)) or np.any((f < 0) | (f > 1)):
        raise ValueError("fuel shares must be fractions in [0, 1] for every economy "
                         "(the countries table's fuel_exports_pct / 100)")
    np.fill_diagonal(x, 0.0)
    nonfuel = 1.0 - f
    n = x.shape[0]
    imports = np.array([math.fsum(x[:, j]) for j in range(n)])
    if np.any(imports <= 0):
        raise ValueError("every importer needs positive imports to weight its suppliers")
    # Exact sums in a fixed order, as the data build forms n[j] (no BLAS).
    norm = np.array([math.fsum(x[:, j] * nonfuel) / imports[j] for j in range(n)])
    return imports, norm, nonfuel


def cet_factors(
    participants: ArrayLike, imports: ArrayLike, normalisers: ArrayLike, nonfuel: ArrayLike
) -> FloatArray:
    """``kappa[r, i]``: the CET multiple the union of run ``r`` charges exporter ``i``.

    Args:
        participants: ``(R, N)`` bool (a ``(N,)`` vector is one run).
        imports: ``(N,)`` imports ``M`` (:func:`composition_weights`).
        normalisers: ``(N,)`` normalisers ``n``.
        nonfuel: ``(N,)`` non-fuel shares ``1 - f``.

    Returns:
        ``(R, N)`` factors; a run with no participant gets ones (it has no CET).
    """
    p = _participants(participants)
    m = np.where(p, np.asarray(imports, dtype=np.float64), 0.0)
    # Sums in a fixed order: the tariffs, and so every result, must not depend on the
    # machine's summation kernels.
    total = fixed_order_sum(m)
    weighted = fixed_order_sum(m * np.asarray(normalisers, dtype=np.float64))
    has = total > 0
    n_p = np.where(has, weighted / np.where(has, total, 1.0), 1.0)
    out = np.asarray(nonfuel, dtype=np.float64)[np.newaxis, :] / n_p[:, np.newaxis]
    return np.where(has[:, np.newaxis], out, 1.0)


def schedule_factors(
    participants: ArrayLike, imports: ArrayLike, normalisers: ArrayLike, nonfuel: ArrayLike,
    territory: ArrayLike,
) -> FloatArray:
    """``kappa[r, i, j]``: the CET multiple member ``j`` of run ``r`` charges exporter ``i``.

    Args:
        participants: ``(R, N)`` bool (a ``(N,)`` vector is one run).
        imports: ``(N,)`` imports ``M`` (:func:`composition_weights`).
        normalisers: ``(N,)`` normalisers ``n``.
        nonfuel: ``(N,)`` non-fuel shares ``1 - f``.
        territory: ``(R,)`` bool, runs whose union adds no one to an existing tariff
            territory (:func:`scosim.mechanisms.blocs.within_one_bloc`).

    Returns:
        ``(R, N, N)`` factors, exporter x importer: :func:`cet_factors` on every importer
        of a run, except in ``territory`` runs, where importer ``j`` keeps its own
        ``(1 - f[i]) / n[j]`` (the base tariffs' schedule). Where no run is one territory
        (the usual union), :func:`cet_factors`' ``(R, N)``, by exporter alone:
        :func:`scosim.mechanisms.customs_union.union_tariffs` takes either, and the
        ``(R, N, N)`` copy would cost a pass over the stack for nothing.
    """
    pooled = cet_factors(participants, imports, normalisers, nonfuel)
    n_runs, n = pooled.shape
    own = np.asarray(territory, dtype=bool)
    if own.shape != (n_runs,):
        raise ValueError(f"territory must be ({n_runs},) to match participants; got {own.shape}")
    if not own.any():
        return pooled
    out = np.repeat(pooled[:, :, np.newaxis], n, axis=2)
    # The build's own formula, (1 - f[i]) / n[j] (scosim.data.tariffs.composition_factors).
    out[own] = (np.asarray(nonfuel, dtype=np.float64)[:, np.newaxis]
                / np.asarray(normalisers, dtype=np.float64)[np.newaxis, :])
    return out
