"""What kind of figure each tariff cell is: the ``tariff_kinds`` table.

The tariff matrix mixes figures of different kinds in one number: most cells are applied
rates (an importer's MFN rate, an agreement's preferential rate), but the India-Pakistan
cells are the tariff equivalents of the trade a measure cut, one of a duty (which earns
revenue) and one of a ban (which earns none, and which a model prices as an iceberg trade
cost of the same fall: :func:`scosim.data.suspension.ban_factor`). ``tariff_kinds`` says
which, cell by cell, next to the data (long: one row per ordered pair of the 28):

``exporter, importer, kind, rate_without_measure``

``rate_without_measure`` is filled on the measure cells only: the rate the same cell
would have without the measure, by the rule of every other cell (the agreement in force
between the two in the WTO RTA file, ``agreements``; else the importer's MFN rate), so
that a model which takes a ban out of the tariffs (:func:`scosim.mechanisms.suspensions.
split_bans`) reads the rate the exempted goods pay instead of assuming it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["COLUMNS", "FILE", "KINDS", "MEASURE_KINDS", "check_kinds", "rates_without_measure"]

#: The table's file name in a version's directory.
FILE = "tariff_kinds.csv"
#: The table's columns.
COLUMNS: tuple[str, ...] = ("exporter", "importer", "kind", "rate_without_measure")
#: Every kind a tariff cell can be, with what it means (shown by ``scosim data show``).
KINDS: dict[str, str] = {
    "domestic": "own market: zero",
    "mfn": "applied rate: the importer's MFN rate (composition-adjusted in version 2023)",
    "mfn_row": "applied rate: the importer's MFN rate on the MFN share of the Rest of "
    "World's goods (preferences outside the 27)",
    "preferential": "applied rate: an agreement in force (CU, FTA: zero; partial scope: "
    "the MFN rate less the agreement's margin, table psa_margins)",
    "duty_equivalent": "tariff equivalent of a duty's trade fall (collects revenue)",
    "ban_equivalent": "tariff equivalent of a ban's trade fall (no revenue; an iceberg "
    "trade cost in the model)",
}
#: The kinds that are a measure's tariff equivalent, not an applied rate.
MEASURE_KINDS: tuple[str, ...] = ("duty_equivalent", "ban_equivalent")


def check_kinds(frame: pd.DataFrame, where: str, codes: Sequence[str]) -> None:
    """Refuse a ``tariff_kinds`` table that does not give every cell one allowed kind.

    Args:
        frame: The table as read.
        where: The file, named in the message.
        codes: The economies, every ordered pair of which needs one row.

    Raises:
        ValueError: Naming ``where``, the column or cell, and what is allowed.
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing}; columns: {list(COLUMNS)}")
    bad = sorted(set(frame["kind"].astype(str)) - set(KINDS))
    if bad:
        raise ValueError(f"{where}: column 'kind' has {bad}; allowed: {', '.join(KINDS)}")
    pairs = list(zip(frame["exporter"].astype(str), frame["importer"].astype(str),
                     strict=True))
    want = [(i, j) for i in codes for j in codes]
    if sorted(pairs) != sorted(want):
        extra = sorted(set(pairs) - set(want))[:3]
        lacking = sorted(set(want) - set(pairs))[:3]
        raise ValueError(f"{where}: needs one row for each of the {len(want)} ordered pairs "
                         f"(exporter, importer); lacking {lacking}, extra or repeated "
                         f"{extra or 'rows'}")
    rate = pd.to_numeric(frame["rate_without_measure"], errors="coerce")
    measure = frame["kind"].isin(MEASURE_KINDS).to_numpy()
    if np.isnan(rate[measure].to_numpy(dtype=float)).any() or (rate[measure] < 0).any():
        raise ValueError(f"{where}: column 'rate_without_measure' needs a rate >= 0 on "
                         f"every {' or '.join(MEASURE_KINDS)} cell")


def rates_without_measure(kinds: pd.DataFrame, codes: Sequence[str]) -> NDArray[np.float64]:
    """``(N, N)`` rates the measure cells would have without their measure; NaN elsewhere.

    Args:
        kinds: The calibration's ``tariff_kinds`` (empty: every cell NaN).
        codes: The model's economies, in order (exporter on the row, importer on the
            column).
    """
    idx = {c: k for k, c in enumerate(codes)}
    out = np.full((len(codes), len(codes)), np.nan)
    if kinds.empty:
        return out
    rows = kinds[kinds["kind"].isin(MEASURE_KINDS)]
    for i, j, rate in zip(rows["exporter"], rows["importer"], rows["rate_without_measure"],
                          strict=True):
        if i in idx and j in idx:
            out[idx[i], idx[j]] = float(rate)
    return out
