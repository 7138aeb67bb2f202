"""What a corridor run's answer says of its hosts' income: energy over GDP.

Notes under the welfare table, each from the run's own per-run rows of one year
(``indicators/``; medians over runs of per-run figures, as the table's):

* :func:`energy_lines`: an energy corridor's income to each economy (``energy_value_usd``)
  in US$ and as a share of its GDP (``gdp_usd``), beside the table's percentage of real
  expenditure, which for an exporter with a large surplus (Turkmenistan) is far below GDP.

An outside review (2026-12-07) found the answer silent on it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from scosim.data.constants import NAMES

#: Largest number of economies the energy note names.
SHOWN = 6


def run_rows(run_dir: str | Path, names: Sequence[str], year: int | None = None
             ) -> tuple[int | None, dict[str, pd.DataFrame]]:
    """Per-run values of ``names`` in one year: ``(year, {name: runs x economies})``.

    Read from the run's ``indicators/`` batch files a batch at a time, only those rows.

    Args:
        run_dir: The run's directory.
        names: Indicators to read.
        year: The year; None: the last year any of them is recorded.

    Returns:
        The year (None when none is recorded) and a frame per recorded indicator.
    """
    import pyarrow.parquet as pq

    from scosim.result_tables import batch_files

    try:
        files = batch_files(Path(run_dir) / "indicators")
    except FileNotFoundError:
        return None, {}
    parts = []
    for f in files:
        filters = [("indicator", "in", list(names))]
        if year is not None:
            filters.append(("year", "=", int(year)))
        df = pq.read_table(f, columns=["run", "year", "country", "indicator", "value"],
                           filters=filters).to_pandas()
        if year is None and len(df):  # only the last year's rows are kept
            df = df[df["year"] == df["year"].max()]
        parts.append(df)
    rows = pd.concat(parts) if parts else pd.DataFrame()
    if rows.empty:
        return None, {}
    last = int(rows["year"].max())
    rows = rows[rows["year"] == last]
    out = {str(n): g.pivot_table(index="run", columns="country", values="value",
                                 aggfunc="first")
           for n, g in rows.groupby("indicator")}
    return last, out


def _usd(v: float) -> str:
    """US$ in bn above 1 bn, else m: a policy reader's form."""
    sign = "-" if v < 0 else ""
    v = abs(v)
    return f"{sign}US${v / 1e9:.2f} bn" if v >= 1e9 else f"{sign}US${v / 1e6:.0f} m"


def energy_lines(run_dir: str | Path, year: int | None = None) -> list[str]:
    """Each economy's energy income in US$ and as a share of GDP (median over runs).

    Args:
        run_dir: The run's directory.
        year: The welfare table's year; None: the last.

    Returns:
        Wrapped lines; none where no economy has energy income in any run.
    """
    from scosim.network.answer_notes import _scenario

    if _scenario(run_dir) is None:  # no corridor proposal: nothing to read
        return []
    year, rows = run_rows(run_dir, ("energy_value_usd", "gdp_usd"), year)
    value, gdp = rows.get("energy_value_usd"), rows.get("gdp_usd")
    if value is None or gdp is None or not (value.to_numpy() != 0).any():
        return []
    gdp = gdp.reindex(index=value.index, columns=value.columns)
    usd = value.median()
    share = (100.0 * value / gdp).median()  # of each run's own GDP, then the median
    shown = usd[usd != 0].abs().sort_values(ascending=False, kind="stable").index[:SHOWN]
    said = "; ".join(f"{NAMES.get(c, c)} {_usd(usd[c])}, {share[c]:.2f} % of its GDP"
                     for c in shown)
    text = (f"Energy income in {year} (energy_value_usd, what the energy corridors' "
            "deliveries are worth to the economy, and over its GDP, gdp_usd; each the median "
            f"over the {len(value)} runs): {said}. The welfare column is a percentage of real "
            "expenditure, which for an exporter with a large trade surplus is well below its "
            "GDP: the same income is a smaller share of GDP.")
    return textwrap.wrap(text, 95, break_on_hyphens=False, break_long_words=False)
