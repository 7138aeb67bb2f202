"""The ``psa_margins`` table: the preference margin of each partial-scope agreement.

A partial-scope agreement (WTO type PSA: APTA, GSTP, ECO, PTN, SAPTA, India-Nepal,
India-Afghanistan, the 1968 Tripartite; and EAEU-Iran's 2019 interim agreement, which cut
duties on a list of goods only) lowers the importer's rate on a list of goods, by a margin
negotiated item by item. The raw files hold no tariff lines, so the margin of an agreement
is read from the WITS applied-tariff (AHS) excerpt (SOURCES.md 9d) where the excerpt covers
pairs to which the agreement applies:

* the pairs of an agreement are the ordered pairs whose deepest agreement in force in the
  base year is that one (:func:`scosim.data.agreements.deepest`: the rule that applies the
  margin in :func:`scosim.data.tariffs.tariffs_2023`), less the India-Pakistan suspension;
* on each pair the excerpt covers, the margin is ``max(0, 1 - AHS / level)``, with ``level``
  the importer's median AHS on its listed partners without an agreement in force
  (:func:`ahs_levels`, the level of the like-for-like check in
  :mod:`scosim.data.ahs_check`). A negative margin is no preference, not a surcharge: the
  partner's line mix puts its simple average above the importer's level;
* the agreement's margin is the median over its covered pairs.

An agreement with no covered pair keeps :data:`ASSUMED_MARGIN`, labelled an assumption. The
excerpt is of about 2022-23; the build applies each margin in every year the agreement is
in force (the hindcast's eras too), an assumption the table's method says.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping

import pandas as pd

from scosim.data.agreements import deepest
from scosim.data.constants import LISTED
from scosim.data.raw import BASE_YEAR, RawDataError
from scosim.data.suspension import PAIRS as SUSPENSION_PAIRS

#: Margin of a partial-scope agreement the AHS excerpt gives no evidence on: a quarter of
#: the MFN rate, a modelling assumption (the flat share every PSA had until 2026-12-06).
ASSUMED_MARGIN = 0.25
#: File name of the packaged table (data version 2023).
FILE = "psa_margins.csv"
#: Columns of the table: ``kind`` is ``applied`` (from the excerpt) or ``assumption``.
COLUMNS = ("rta_id", "name", "margin", "kind", "pairs", "pairs_in_excerpt", "source_id",
           "method")

Rates = dict[str, dict[str, float]]


def ahs_cells(ahs: Rates) -> list[tuple[str, str, float]]:
    """(importer, exporter, AHS %) for every pair of listed economies in the excerpt."""
    return [
        (imp, exp, v)
        for imp in sorted(ahs)
        if imp in LISTED
        for exp, v in sorted(ahs[imp].items())
        if exp in LISTED and exp != imp
    ]


def ahs_levels(ahs: Rates, spells: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Leave-one-out simple-average level of each importer, per checked cell (percent).

    ``level[(imp, exp)]`` = median AHS of ``imp`` on its listed partners other than ``exp``
    that have no agreement with it in force in the base year (and are not suspended).
    """
    pref = deepest(spells, BASE_YEAR)
    out: dict[tuple[str, str], float] = {}
    for imp, exp, _ in ahs_cells(ahs):
        others = [
            v
            for i, e, v in ahs_cells({imp: ahs[imp]})
            if e != exp and (e, i) not in pref and (e, i) not in SUSPENSION_PAIRS
        ]
        out[(imp, exp)] = statistics.median(others)
    return out


def build_psa_margins(ahs: Rates, spells: pd.DataFrame) -> pd.DataFrame:
    """One row per partial-scope agreement in ``spells`` (module rule), sorted by RTA id.

    Args:
        ahs: WITS AHS excerpt (:func:`scosim.data.tariffs.read_ahs`).
        spells: Agreement spells (:func:`scosim.data.agreements.build_agreements`).

    Returns:
        Columns :data:`COLUMNS`; ``margin`` a fraction of the importer's rate, ``pairs`` the
        ordered pairs it applies to in the base year, ``pairs_in_excerpt`` those the
        excerpt covers.
    """
    pref = deepest(spells, BASE_YEAR)
    levels = ahs_levels(ahs, spells)
    psa = spells[spells["type"] == "PSA"]
    names = dict(zip(psa["rta_id"].astype(int), psa["name"].astype(str), strict=True))
    recs = []
    for rid in sorted(names):
        pairs = sorted(k for k, v in pref.items() if v == ("PSA", rid)
                       and k not in SUSPENSION_PAIRS)
        seen = [(e, i) for e, i in pairs if (i, e) in levels]
        each = [max(0.0, 1.0 - ahs[i][e] / levels[(i, e)]) for e, i in seen]
        if each:
            margin = statistics.median(each)
            cells = ", ".join(f"{i}<-{e} {100 * m:.1f}" for (e, i), m in zip(seen, each,
                                                                           strict=True))
            kind, source = "applied", "wits_ahs"
            n = f"{len(each)} pair" + ("s" if len(each) > 1 else "")
            method = (f"derived:median over {n} of max(0, 1 - AHS / importer's "
                      f"median AHS on partners without agreement) ({cells} %); applied in "
                      "every year in force (assumption: the excerpt is of about 2022-23)")
        else:
            margin, kind, source = ASSUMED_MARGIN, "assumption", "scosim_rule"
            why = (f"its {len(pairs)} pairs are not in the excerpt" if pairs else
                   f"no pair has it as its deepest agreement in {BASE_YEAR}")
            method = (f"assumption:{ASSUMED_MARGIN:g} of the MFN rate, no applied-tariff "
                      f"evidence ({why})")
        recs.append((rid, names[rid], margin, kind, len(pairs), len(each), source, method))
    return pd.DataFrame(recs, columns=list(COLUMNS))


def margin_map(table: pd.DataFrame) -> dict[int, float]:
    """``{rta_id: margin}`` of a ``psa_margins`` table (empty table: empty mapping)."""
    if table.empty:
        return {}
    return {int(r): float(m) for r, m in zip(table["rta_id"], table["margin"], strict=True)}


def psa_margin(margins: Mapping[int, float], rta_id: int, name: str = "") -> float:
    """The margin of partial-scope agreement ``rta_id``.

    Raises:
        RawDataError: If the table has no row for it (tables older than the agreements).
    """
    try:
        return float(margins[int(rta_id)])
    except KeyError:
        raise RawDataError(
            f"{FILE}: no margin for partial-scope agreement RTA {rta_id} {name}".rstrip()
            + "; rebuild the tables (tools/build_calibration.py)"
        ) from None


__all__ = [
    "ASSUMED_MARGIN",
    "COLUMNS",
    "FILE",
    "ahs_cells",
    "ahs_levels",
    "build_psa_margins",
    "margin_map",
    "psa_margin",
]
