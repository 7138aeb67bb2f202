"""The ``gdp_history`` table: each economy's GDP in current US$, year by year.

Read by ``parameters.growth.mode: historical`` (docs/model.md, "Baseline GDP path"),
which puts a run's GDP on the record in the years the table covers: the path of
economy ``i`` in year ``t`` is its base-year calibration level times
``GDP_i[t] / GDP_i[base year]`` from this table.

Only reported figures are stored; a cell is empty where WDI has no value (Afghanistan and
the United Arab Emirates in 2025 in the bundled vintage). The Rest of World is World
minus the 27 economies, as in the ``countries`` table, in the years in which all 27 and
World are reported (not in 2025, since two of the 27 are missing): an imputed Afghan or
Emirati figure would enter ROW's residual, and the table stores none.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from scosim.data.constants import ECONOMIES, LISTED, ROW
from scosim.data.raw import RAW_FILES, Prov, RawDataError, read_wdi

#: First year of the table: the earliest hindcast record starts in 2004, whose eve
#: (2003) the path needs; 2000 is Afghanistan's first WDI year.
HISTORY_START = 2000


def build_gdp_history(raw_dir: Path, prov: Prov) -> pd.DataFrame:
    """GDP in current US$ by economy (rows, canonical order) and year (columns ``"2000"``...).

    The years run from :data:`HISTORY_START` to the last year World GDP is reported.

    Args:
        raw_dir: Raw data directory (``wdi_ny_gdp_mktp_cd.csv``).
        prov: Provenance collector: one row per economy and year, the field being the year,
            ``missing`` where the cell is empty.

    Returns:
        The table, index ``iso3``; NaN where no value is reported.

    Raises:
        RawDataError: If World has no value in or after :data:`HISTORY_START`.
    """
    gdp = read_wdi(raw_dir, "gdp")
    world = gdp.get("WLD", {})
    last = max((y for y in world if y >= HISTORY_START), default=None)
    if last is None:
        raise RawDataError(f"{RAW_FILES['gdp']}: no World GDP from {HISTORY_START}")
    years = range(HISTORY_START, last + 1)
    rows: dict[str, dict[str, float]] = {}
    for iso in LISTED:
        series = gdp.get(iso, {})
        rows[iso] = {str(t): series.get(t, math.nan) for t in years}
        for t in years:
            prov.add("gdp_history", iso, str(t), "wdi_gdp",
                     "reported" if t in series else "missing", t)
    rows[ROW] = {}
    for t in years:
        # ROW only where every one of the 27 is reported: its residual must not carry
        # a figure the table does not hold.
        if t in world and all(t in gdp.get(iso, {}) for iso in LISTED):
            rows[ROW][str(t)] = world[t] - math.fsum(gdp[iso][t] for iso in LISTED)
            prov.add("gdp_history", ROW, str(t), "wdi_gdp", "derived:WLD-sum(27)", t)
        else:
            rows[ROW][str(t)] = math.nan
            prov.add("gdp_history", ROW, str(t), "wdi_gdp",
                     "missing (one of the 27 not reported)", t)
    frame = pd.DataFrame.from_dict(rows, orient="index").reindex(list(ECONOMIES))
    frame.index.name = "iso3"
    return frame
