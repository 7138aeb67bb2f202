"""The who-gains table's ``net`` columns: a ``net`` headline indicator beside the welfare.

Split from :mod:`scosim.mechanism_answer` (which re-exports these names): a ``net``
indicator (the welfare change less what the owner's ``welfare_excludes`` names) is no
block of the answer's own, but columns of the who-gains table, in its year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from scosim.runstats import HIGH, LOW, RunStats

if TYPE_CHECKING:
    from scosim.mechanism_answer import HeadlineIndicator

__all__ = ["NetColumn", "has_year", "net_columns", "net_label"]


@dataclass(frozen=True)
class NetColumn:
    """A ``net`` headline indicator as the who-gains table shows it (:func:`net_columns`)."""

    name: str  #: the indicator
    what: str  #: what it is: its declared unit after the first ": " (or the whole unit)
    values: pd.DataFrame  #: ``median``, ``low``, ``high`` (percent) by economy, in the year


def has_year(st: RunStats, name: str, year: int) -> bool:
    """Whether the run recorded a value of ``name`` in ``year`` for some economy.

    An indicator blank wherever it does not apply (``corridor_energy_pct`` of a
    transport corridor) has no row in the run's statistics.
    """
    if not st.has(name):
        return False
    median = st.quantile(name, 0.5)
    return year in median.index and bool(median.loc[year].notna().any())


def net_label(name: str) -> str:
    """The heading of a ``net`` indicator's column in the who-gains table.

    ``net`` for a welfare change net of what an economy pays (a name with the word
    ``net``: ``corridor_net_welfare_pct``), else the word after the indicator's prefix, a
    part of the welfare change (``corridor_energy_pct``: ``energy``).
    """
    words = name.split("_")
    return "net" if "net" in words or len(words) < 2 else words[1]


def net_columns(st: RunStats, declared: Mapping[str, HeadlineIndicator], year: int,
                codes: Iterable[str]) -> list[NetColumn]:
    """The ``net`` headline indicators a run recorded, for the who-gains table's rows.

    Args:
        st: The run's statistics.
        declared: :func:`declared_headline` of the run's mechanisms and proposal types.
        year: The year of the welfare columns (:func:`scosim.plots.who_gains_data`).
        codes: The economies of the table's rows.

    Returns:
        One :class:`NetColumn` per recorded ``net`` indicator, in declared order: its
        median over runs and 5th-95th percentile across runs in ``year``, as the welfare
        columns are (NaN for an economy it has no value for: shown blank).
    """
    out = []
    codes = list(codes)
    for name, h in declared.items():
        if h.kind != "net" or not has_year(st, name, year):
            continue
        frame = pd.DataFrame({
            "median": st.quantile(name, 0.5).loc[year],
            "low": st.quantile(name, LOW / 100).loc[year],
            "high": st.quantile(name, HIGH / 100).loc[year]})
        frame.index = frame.index.astype(str)
        unit = h.unit or ""
        out.append(NetColumn(name, unit.partition(": ")[2] or unit,
                             frame.reindex(codes)))
    return out
