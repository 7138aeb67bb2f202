"""Collection rates: the share of statutory duty an importer's customs actually collect.

The calibration's tariffs are statutory (MFN or preferential) rates charged on every
import. Customs collect less: exemptions, export-promotion and special-economic-zone
schemes, and goods such as crude oil with almost no basic duty. A collection rate
``c_j`` (``parameters.trade.collection_rates``, duty collected / duty at the statutory
rates on the same imports) multiplies every tariff importer ``j`` charges before the GE
solves it, so its base-year duty is ``c_j`` times the statutory duty (docs/trade.md,
"Collection rates").

What is scaled: the base year's tariffs, the agreements in force since, and every rate
a proposal sets, a customs union's common external tariff included. That a CET is
collected with the same exemptions as the rate it replaces is an assumption: the
exemption schemes are national law on imports, not on a particular schedule, and a
union that harmonised them too is a different proposal.

What is not: the cell of a trade suspension imposed as a duty (India's on goods from
Pakistan). Its rate is not a statutory schedule that customs under-collect but the tariff
equivalent of the trade the suspension cut, calibrated on the flows observed under it
(:mod:`scosim.data.suspension`): it already is what the border charges in effect, and
scaling it would make lifting the suspension restore less than the trade it cut. The cell
keeps a multiplier of 1 whatever a proposal then sets on it (the arrangements set zero
between two participants and keep a suspension of an outsider, so every built-in rate on
it is the suspension's or zero).

A rate may differ from run to run (:func:`collection_per_run`): drawn uniformly within
``parameters.trade.collection_rate_spread`` of the scenario's, as ``sigma_spread`` draws
sigma, or set by a sweep (``parameters.trade.collection_rates.<ISO3>``, each run's rate
exactly, with no draw on top).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from scosim.model.rng import RunStreams
from scosim.sweepable import SWEPT_COLLECTION

__all__ = ["collected", "collection_factors", "collection_per_run", "collection_vector",
           "draw_stream"]


def draw_stream(code: str) -> str:
    """The random stream of ``code``'s per-run draw: one per economy, none shared.

    Drawing another economy's rate, or sigma's (stream ``trade``), leaves it unchanged.
    """
    return f"collection:{code}"


def collection_vector(rates: Mapping[str, float], codes: Sequence[str]) -> np.ndarray | None:
    """Each importer's collection rate in model order, ``(N,)``, or None when none is set.

    Args:
        rates: ``{code: rate}`` as validated by the scenario (codes of the data, rates in
            ``(0, 1]``); an economy left out collects its statutory duty (rate 1).
        codes: The model's economies, in order.

    Raises:
        ValueError: A code is not one of ``codes``, or a rate is outside ``(0, 1]``
            (the scenario's schema refuses both first; this guards direct callers).
    """
    if not rates:
        return None
    unknown = sorted(set(rates) - set(codes))
    if unknown:
        raise ValueError(f"parameters.trade.collection_rates: unknown economies "
                         f"{', '.join(unknown)}; allowed: {', '.join(codes)}")
    out = np.ones(len(codes))
    for k, code in enumerate(codes):
        if code in rates:
            c = float(rates[code])
            if not 0.0 < c <= 1.0:
                raise ValueError(f"parameters.trade.collection_rates.{code} is {c:g}; a "
                                 "collection rate must be in (0, 1]")
            out[k] = c
    return out


def collection_per_run(
    rates: Mapping[str, float],
    spread: Mapping[str, float],
    codes: Sequence[str],
    params: Mapping[str, np.ndarray],
    seed: int,
    run_ids: Sequence[int],
) -> np.ndarray | None:
    """Each run's collection rate of each importer: ``(N,)`` when the runs share them.

    An importer swept (``params`` holds ``parameters.trade.collection_rates.<ISO3>``) has
    the sweep's value in each run exactly; one with a spread above zero is drawn uniformly
    in ``[rate - spread, rate + spread)`` around its scenario rate (1 when none is
    written) from its own stream (:func:`draw_stream`); any other its scenario rate.

    Args:
        rates: The scenario's ``collection_rates``.
        spread: The scenario's ``collection_rate_spread`` (half-widths, by code).
        codes: The model's economies, in order.
        params: The batch's swept values, ``{name: (R,)}``.
        seed: The scenario's seed.
        run_ids: The batch's run indices.

    Returns:
        ``(N,)`` (:func:`collection_vector` itself when nothing is drawn or swept, so such
        a scenario solves the very arrays it did before), ``(R, N)`` when the runs differ,
        or None when every rate is 1 in every run.

    Raises:
        ValueError: A swept economy the model does not have, or a swept or drawn rate
            outside ``(0, 1]``, naming the parameter.
    """
    swept = {name.removeprefix(SWEPT_COLLECTION): np.asarray(v, dtype=float)
             for name, v in params.items() if name.startswith(SWEPT_COLLECTION)}
    drawn = {c: float(s) for c, s in spread.items() if float(s) > 0 and c not in swept}
    base = collection_vector(rates, codes)
    if not swept and not drawn:
        return base
    unknown = sorted(set(swept) - set(codes))
    if unknown:
        raise ValueError(f"{SWEPT_COLLECTION}{unknown[0]}: unknown economy; allowed: "
                         f"{', '.join(codes)}")
    out = np.tile(np.ones(len(codes)) if base is None else base, (len(run_ids), 1))
    for code, values in swept.items():
        out[:, codes.index(code)] = values
    for code, half in drawn.items():
        u = RunStreams(seed, run_ids, draw_stream(code)).uniform()
        out[:, codes.index(code)] = rates.get(code, 1.0) - half + 2.0 * half * u
    bad = ~((out > 0.0) & (out <= 1.0))
    if bad.any():
        run, k = np.argwhere(bad)[0]
        name = (SWEPT_COLLECTION if codes[k] in swept
                else "parameters.trade.collection_rate_spread.")
        raise ValueError(f"{name}{codes[k]} gives run {int(run_ids[run])} a collection rate "
                         f"of {out[run, k]:g}; a collection rate must be in (0, 1]")
    if np.all(out == out[:1]):
        return out[0]  # one rate in every run: the same (N, N) arrays as a scenario's
    return out


def collection_factors(rates: np.ndarray | None,
                       exempt: np.ndarray) -> np.ndarray | None:
    """The multiplier of each tariff cell, exporter x importer: ``(N, N)`` or ``(R, N, N)``.

    Args:
        rates: ``(N,)`` or ``(R, N)`` each importer's rate (:func:`collection_per_run`);
            None: every rate 1.
        exempt: ``(N, N)`` bool cells collected in full whatever the importer's rate: the
            trade suspensions imposed as duties (module docstring).

    Returns:
        ``rates`` broadcast over the exporters, 1 on ``exempt``; None with ``rates`` None.
    """
    if rates is None:
        return None
    r = np.asarray(rates, dtype=float)
    n = r.shape[-1]
    out = np.broadcast_to(r[..., None, :], (*r.shape[:-1], n, n)).copy()
    out[..., exempt] = 1.0
    return out


def collected(tariffs: np.ndarray, factors: np.ndarray | None) -> np.ndarray:
    """``tariffs`` ``(..., N, N)`` (importer on the last axis) times the collection factors.

    Args:
        tariffs: Statutory tariffs.
        factors: :func:`collection_factors` (or an ``(N,)`` rate per importer).

    Returns ``tariffs`` itself when ``factors`` is None, so a scenario without the setting
    solves the very arrays it did before (bit for bit).
    """
    if factors is None:
        return tariffs
    return np.asarray(tariffs, dtype=float) * factors
