"""The rows of each indicator of a tidy table, by position, one indicator at a time.

The run statistics (:class:`scosim.runstats.RunStats`) add a batch's rows indicator by
indicator. ``DataFrame.groupby(...).indices`` gave every indicator's positions at once,
as int64 (8 bytes a row) besides the sort it made them with: 68 MiB at the peak for the
43.5 MiB table of a 250-run batch of ``customs_union.yaml`` (tracemalloc). Here the
positions of one indicator are made when it is its turn, from the table's category
codes (1 byte a row), and only for the indicators wanted, so the feed of a run's plot
statistics (:mod:`scosim.stats_feed`) no longer copies the table to leave the others
out. The positions and their order are those of ``groupby(sort=False, observed=True)``:
each indicator's rows in table order, indicators in the order they first appear.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

import numpy as np
import pandas as pd

__all__ = ["indicator_rows"]


def indicator_rows(df: pd.DataFrame, only: Collection[str] | None = None
                   ) -> Iterator[tuple[str, np.ndarray]]:
    """Each indicator of ``df`` with the positions of its rows (only those of ``only``).

    Args:
        df: A table with an ``indicator`` column (categorical, or any other dtype).
        only: Indicators to give (None: every one); others are passed over.

    Yields:
        ``(name, positions)``: indicators in the order they first appear in ``df``,
        positions (int64) in increasing order.
    """
    col = df["indicator"]
    if not isinstance(col.dtype, pd.CategoricalDtype):  # small derived tables: as before
        for name, pos in col.groupby(col, observed=True, sort=False).indices.items():
            if only is None or str(name) in only:
                yield str(name), pos
        return
    codes = col.cat.codes.to_numpy()
    cats = col.cat.categories
    # First appearance of each category, one comparison at a time (1 byte a row; a
    # bincount or argsort of the codes would take 8).
    first: dict[int, int] = {}
    for k in range(len(cats)):
        at = int(np.argmax(codes == k))
        if codes.size and codes[at] == k:
            first[k] = at
    for k in sorted(first, key=first.__getitem__):
        name = str(cats[k])
        if only is None or name in only:
            yield name, np.flatnonzero(codes == k)

