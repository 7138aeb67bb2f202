"""Existing blocs (EAEU, GCC) and agreements in force, from the agreement-spell table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.mechanisms._cu_checks import _participants

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _in_force(spells: Any, year: int) -> Any:
    """Rows of an agreement-spell table in force on 31 December of ``year``."""
    end = f"{int(year)}-12-31"
    to = spells["to_date"].fillna("").astype(str)
    return spells[(spells["from_date"].astype(str) <= end) & ((to == "") | (to > end))]


def customs_union_blocs(spells: Any, codes: Sequence[str], year: int) -> list[NDArray[np.int64]]:
    """Existing customs unions among ``codes`` in force at the end of ``year``.

    A bloc is a connected set of economies linked pairwise by agreements of
    WTO type ``CU`` (or ``CU & EIA``) in force (2023: the EAEU of ARM, BLR, KAZ,
    KGZ, RUS; the GCC of ARE, BHR, KWT, QAT, SAU, as far as they are among
    ``codes``).

    Args:
        spells: Agreement spells with columns ``exporter, importer, type,
            from_date, to_date`` (``Calibration.agreement_spells``).
        codes: Economy codes in model order.
        year: Year whose end the agreements must be in force at.

    Returns:
        Index arrays (model order) of blocs with at least two economies, sorted.
    """
    if spells is None or len(spells) == 0:
        return []
    idx = {c: k for k, c in enumerate(codes)}
    rows = _in_force(spells, year)
    rows = rows[rows["type"].astype(str).str.startswith("CU")]
    parent = list(range(len(codes)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for e, m in zip(rows["exporter"], rows["importer"], strict=True):
        if e in idx and m in idx:
            parent[find(idx[e])] = find(idx[m])
    groups: dict[int, list[int]] = {}
    for k in range(len(codes)):
        groups.setdefault(find(k), []).append(k)
    return sorted(
        (np.array(g, dtype=np.int64) for g in groups.values() if len(g) > 1),
        key=lambda g: int(g[0]),
    )


def within_one_bloc(participants: ArrayLike, blocs: Sequence[NDArray[np.int64]]) -> BoolArray:
    """``(R,)``: runs whose participants are one economy or all members of one bloc.

    Such an arrangement adds no one to an existing tariff territory: it is that
    economy, that customs union or part of it (the EAEU of the hindcast). A run with no
    participant is False.

    Args:
        participants: (R, N) bool (a (N,) vector is one run).
        blocs: Index arrays of blocs (:func:`customs_union_blocs`).

    Returns:
        (R,) bool.
    """
    p = _participants(participants)
    count = p.sum(axis=1)
    out = count == 1
    for g in blocs:
        out |= (count > 0) & (p[:, g].sum(axis=1) == count)
    return out


def preference_pairs(spells: Any, codes: Sequence[str], year: int) -> BoolArray:
    """``(N, N)`` bool, exporter x importer: an agreement in force at the end of ``year``."""
    n = len(codes)
    out = np.zeros((n, n), dtype=bool)
    if spells is None or len(spells) == 0:
        return out
    idx = {c: k for k, c in enumerate(codes)}
    rows = _in_force(spells, year)
    for e, m in zip(rows["exporter"], rows["importer"], strict=True):
        if e in idx and m in idx and e != m:
            out[idx[e], idx[m]] = True
    return out


def blocs_move_together(
    mask: ArrayLike, blocs: Sequence[NDArray[np.int64]], how: str,
    within: ArrayLike | None = None,
) -> BoolArray:
    """Combine the decisions of every bloc's members, ``(R, N)``.

    Args:
        mask: (R, N) bool decisions (a yes vote, joining, leaving).
        blocs: Index arrays of blocs (:func:`customs_union_blocs`).
        how: ``"all"``: a bloc is True only if every member is (a yes vote,
            joining: one member's no keeps the whole bloc out); ``"any"``: one
            member's True makes the whole bloc True (leaving: one member's exit
            takes the bloc out).
        within: (R, N) bool, the arrangement's participants (or voters). A bloc
            moves as one only in the runs where the arrangement reaches beyond it:
            an arrangement all of whose participants are in one bloc is that bloc
            (the EAEU of the hindcast) or part of it, and there each member decides
            alone (one member leaving the EAEU does not take the others out of it).
            Default: every bloc moves as one in every run.

    Returns:
        (R, N) bool with every bloc's members equal in each run where it moves as one.
    """
    out = np.array(_participants(mask), copy=True)
    part = None if within is None else np.asarray(within, bool)
    for g in blocs:
        sub = out[:, g]
        joint = sub.all(axis=1) if how == "all" else sub.any(axis=1)
        if part is None:
            out[:, g] = joint[:, None]
            continue
        outside = part.copy()
        outside[:, g] = False
        moves = outside.any(axis=1)
        out[:, g] = np.where(moves[:, None], joint[:, None], sub)
    return out
