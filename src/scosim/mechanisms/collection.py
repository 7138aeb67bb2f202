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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["collected", "collection_vector"]


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


def collected(tariffs: np.ndarray, rates: np.ndarray | None) -> np.ndarray:
    """``tariffs`` ``(..., N, N)`` (importer on the last axis) times each importer's rate.

    Returns ``tariffs`` itself when ``rates`` is None, so a scenario without the setting
    solves the very arrays it did before (bit for bit).
    """
    if rates is None:
        return tariffs
    return np.asarray(tariffs, dtype=float) * rates
