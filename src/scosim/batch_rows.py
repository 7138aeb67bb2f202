"""Rows of one local batch file, some columns, of some indicators (or event types).

The readers of a finished run's statistics (:meth:`scosim.runstats.RunStats.read_indicator_file`,
the mechanism figures, the banking answer) read every batch file once and keep a few
indicators' rows. ``pyarrow.parquet.read_table(..., filters=...)`` did it through
``pyarrow.dataset``, whose import alone costs 43 MiB of resident memory, and decoded each
column of the whole file at once: with the batch's table it made most of the peak of
``scosim show`` or a replot of a 5,000-run ``customs_union.yaml`` (docs/performance.md).
Here a file is decoded a slice of rows at a time and each slice filtered (``pc.is_in`` on
the ``by`` column's values, dictionary-encoded or plain) before the next is decoded, so
what is held is the kept rows and one slice. The
table is the same: same rows in the same order, same dtypes and categories
(tests/test_batch_rows.py checks it against an independent pandas read).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

__all__ = ["SLICE_ROWS", "read_rows"]

#: Rows decoded at once: 1.3 MB of ``value`` doubles; larger slices only hold more.
SLICE_ROWS = 1 << 17


def read_rows(path: str | Path, columns: Sequence[str] | None, keep: Sequence[str] | None = None,
              by: str = "indicator") -> pd.DataFrame:
    """The rows of one batch file whose ``by`` column is in ``keep``, as pandas.

    Args:
        path: A local batch file (indicators or events).
        columns: Columns to return, in this order (None: all the file's).
        keep: Values of ``by`` to keep (default: every row).
        by: The column ``keep`` selects on (``indicator``, or ``type`` for events).

    Returns:
        What ``pyarrow.parquet.read_table(path, columns=columns, filters=[(by, "in",
        keep)]).to_pandas()`` gives.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = None if keep is None else pa.array([str(k) for k in keep], pa.string())
    with pq.ParquetFile(path, pre_buffer=False) as pf:
        cols = list(pf.schema_arrow.names if columns is None else columns)
        read = cols if keep is None or by in cols else [*cols, by]
        # The file's pandas metadata kept, as read_table keeps it for to_pandas.
        schema = pa.schema([pf.schema_arrow.field(c) for c in cols],
                           metadata=pf.schema_arrow.metadata)
        parts = []
        for part in pf.iter_batches(batch_size=SLICE_ROWS, columns=read, use_threads=False):
            if wanted is not None:
                part = part.filter(pc.is_in(part.column(by), value_set=wanted))
            parts.append(part.select(cols))
    table = pa.Table.from_batches(parts, schema=schema)
    del parts
    return table.to_pandas()
