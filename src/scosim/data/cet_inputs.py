"""The rates a customs union's CET rules compare: one kind of tariff for every economy.

``countries.tariff_mfn`` mixes kinds (docs/data.md, "What kind each rate is"): for most
importers it is the WDI MFN trade-weighted mean (``TM.TAX.MRCH.WM.FN.ZS``), for India,
Azerbaijan and Bahrain a simple average of applied (AHS) rates from the WITS excerpt, for
Afghanistan, Mongolia, the Maldives and Turkmenistan Heritage's applied trade-weighted rate
with preferences included. The matrix of base tariffs keeps those rates (they are the best
level the raw files give for each importer); the CET rules (``mean``, ``weighted_mean``,
``min``, ``max``) must not compare a simple mean with trade-weighted ones, nor an applied
rate with MFN ones: a simple mean is usually the higher, and an applied rate with
preferences the lower, so ``max`` and ``min`` would pick a statistic, not a schedule.

So the CET rules read :func:`cet_inputs`: the MFN applied trade-weighted mean, all
products, for every economy whose ``tariff_mfn`` is one (WDI, source ``wb_tariff``; the
EAEU members charge Russia's, the union's common tariff). Where it is not, the same
statistic from a published source where one is stored here (:data:`PUBLISHED`: India,
from the WTO's World Tariff Profiles, which the raw files lack), else the economy's
``tariff_mfn`` as it is, with its own kind as the label: a fallback, named in the CET
line of the answer whenever such an economy is in a union.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["KIND", "KINDS", "PUBLISHED", "CetInputs", "cet_inputs"]

#: The kind every CET rule compares.
KIND = "mfn_weighted"
#: Each kind of rate, in words (the CET line of the answer and docs/customs_union.md).
KINDS: dict[str, str] = {
    KIND: "MFN applied rate, trade-weighted mean, all products",
    "ahs_simple": "applied (AHS) rate on partners without a preference, simple mean over "
                  "tariff lines, not trade-weighted",
    "applied_weighted": "applied trade-weighted rate with preferences included, not an "
                        "MFN rate",
    "unlabelled": "the calibration's tariff_mfn, of a kind its provenance does not say",
}
#: Kind of ``countries.tariff_mfn`` by its provenance source (``provenance.csv``).
SOURCE_KIND: dict[str, str] = {"wb_tariff": KIND, "wits_ahs": "ahs_simple",
                               "heritage_2019": "applied_weighted"}
#: Source of the kind the rules compare, where the data give it (docs/data.md).
WDI_SOURCE = "WDI TM.TAX.MRCH.WM.FN.ZS (MFN weighted mean)"
#: The same statistic, published, for economies whose ``tariff_mfn`` is of another kind:
#: ``{iso3: (fraction, year of the import weights, source)}``. India: WTO, ITC and UNCTAD,
#: World Tariff Profiles 2022, India, Part A.1 "Summary": trade-weighted average of MFN
#: applied duties, total 12.6 % on 2020 imports (agricultural 63.3 % on US$22.8 bn,
#: non-agricultural 9.4 % on US$370.1 bn; the test checks the total against them). The
#: raw files have no trade-weighted MFN rate for India (SOURCES.md 3a lists it missing).
PUBLISHED: dict[str, tuple[float, int, str]] = {
    "IND": (0.126, 2020, "the WTO's World Tariff Profiles 2022"),
}


@dataclass(frozen=True)
class CetInputs:
    """Each economy's rate for the CET rules, with its kind and source.

    Attributes:
        rates: ``(N,)`` fractions, in the calibration's order of ``codes``.
        kinds: Each rate's kind, a key of :data:`KINDS`.
        sources: Each rate's source in words.
        fallback: ``{code: note}`` for the economies whose rate is not the WDI figure:
            what stands in for it and of which kind.
    """

    rates: NDArray[np.float64]
    kinds: tuple[str, ...]
    sources: tuple[str, ...]
    fallback: dict[str, str]


def _source_ids(cal: Any) -> dict[str, str]:
    """The provenance source of each economy's ``countries.tariff_mfn`` (the last recorded).

    One pass over the provenance table: a filter per economy cost 0.04 s a model.
    """
    p = cal.provenance
    hit = p[(p["table"] == "countries") & (p["field"] == "tariff_mfn")]
    return {str(k): str(s) for k, s in zip(hit["key"], hit["source_id"], strict=True)}


def cet_inputs(cal: Any, codes: Sequence[str]) -> CetInputs:
    """The rates the CET rules compare, one kind for all (:data:`KIND`) where it exists.

    Args:
        cal: The calibration (``countries.tariff_mfn`` and ``provenance``).
        codes: The model's economies, in order.

    Returns:
        The :class:`CetInputs`.
    """
    mfn = cal.countries["tariff_mfn"]
    rates, kinds, sources, fallback = [], [], [], {}
    source_of = _source_ids(cal)
    for code in codes:
        src = source_of.get(code)
        kind = SOURCE_KIND.get(src or "", "unlabelled")
        if kind == KIND:
            rates.append(float(mfn[code]))
            kinds.append(KIND)
            sources.append(WDI_SOURCE)
        elif code in PUBLISHED:
            rate, year, where = PUBLISHED[code]
            rates.append(rate)
            kinds.append(KIND)
            sources.append(where)
            fallback[code] = (f"{100 * rate:.2f} %, the same statistic from {where} "
                              f"({year} imports)")
        else:
            rates.append(float(mfn[code]))
            kinds.append(kind)
            sources.append(src or "unrecorded")
            # Labelled as what it is; no figure of the compared kind is stored for it.
            fallback[code] = f"{100 * float(mfn[code]):.2f} %, {KINDS[kind]}"
    return CetInputs(rates=np.array(rates, dtype=float), kinds=tuple(kinds),
                     sources=tuple(sources), fallback=fallback)
