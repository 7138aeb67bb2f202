"""The batch readers of show and replot return what pandas reads from the run's files.

:func:`scosim.batch_rows.read_rows` replaced ``pyarrow.parquet.read_table(filters=...)``
in :meth:`RunStats.read_indicator_file` and :meth:`RunStats.read_event_file` to cut the
peak memory of ``scosim show`` and of a replot (docs/performance.md). The figures and
tables must not move: each read is checked against an independent ``pandas.read_parquet``
of the same file, and the run's statistics against those of the whole table so read.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from scosim.batch_rows import read_rows
from scosim.results import batch_files
from scosim.runstats import RunStats

COLUMNS = ["run", "year", "country", "indicator", "value"]


def _pandas_rows(path: Path, column: str, keep: list[str] | None,
                 columns: list[str] | None = None) -> pd.DataFrame:
    """pandas' own read of the file, rows kept by a boolean mask, not by Arrow."""
    df = pd.read_parquet(path, columns=columns)
    if keep is not None:
        df = df[df[column].astype(str).isin(keep)].reset_index(drop=True)
    return df


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert a.dtypes.equals(b.dtypes)
    assert a.equals(b)


@pytest.mark.parametrize("keep", [None, ["welfare_change_pct", "member"], ["not_recorded"]])
def test_indicator_rows_are_pandas_rows(geometry_run: Path, keep: list[str] | None) -> None:
    files = batch_files(geometry_run / "indicators")
    assert len(files) == 3
    for f in files:
        mine = RunStats.read_indicator_file(Path(f), keep)
        theirs = _pandas_rows(Path(f), "indicator", keep, COLUMNS)
        _same(mine, theirs)
        if keep == ["welfare_change_pct", "member"]:
            assert set(mine["indicator"].astype(str)) == set(keep)  # not an empty pass
        for col in ("country", "indicator"):  # the codes the statistics index by
            assert list(mine[col].cat.categories) == list(theirs[col].cat.categories)


def test_event_rows_are_pandas_rows(geometry_run: Path) -> None:
    types = ["vote", "adopted", "rejected"]
    seen = 0
    for f in batch_files(geometry_run / "events"):
        mine = RunStats.read_event_file(Path(f), types)
        _same(mine, _pandas_rows(Path(f), "type", types))
        seen += len(mine)
    assert seen > 0
    f = Path(batch_files(geometry_run / "events")[0])
    # A few columns, selected on one not returned.
    _same(read_rows(f, ["run", "year"], ["vote"], by="type"),
          _pandas_rows(f, "type", ["vote"])[["run", "year"]])


def test_run_statistics_are_those_of_the_whole_table(geometry_run: Path) -> None:
    names = ["welfare_change_pct", "gdp_usd", "member"]
    whole = pd.concat([pd.read_parquet(f, columns=COLUMNS)
                       for f in batch_files(geometry_run / "indicators")], ignore_index=True)
    whole = whole[whole["indicator"].astype(str).isin(names)].reset_index(drop=True)
    theirs = RunStats.from_frames(whole)
    mine = RunStats.from_run(geometry_run, indicators=names)
    assert mine.runs == theirs.runs == 7
    for name in names:
        assert mine.mean(name).equals(theirs.mean(name))
        for q in (0.05, 0.5, 0.95):
            assert mine.quantile(name, q).equals(theirs.quantile(name, q))
        assert mine.share_positive(name).equals(theirs.share_positive(name))


def test_reading_a_run_does_not_import_pyarrow_dataset(geometry_run: Path) -> None:
    # Its import alone is 43 MiB resident; a fresh process, as other tests may import it.
    code = ("import sys; from scosim.runstats import RunStats; "
            f"RunStats.from_run({str(geometry_run)!r}, event_types=['vote']); "
            "print('pyarrow.dataset' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def _row_groups_file(path: Path) -> Path:
    """Two row groups whose ``indicator`` dictionaries differ ({x, y}, then {z, y, w}), and a
    plain (not dictionary) string column: what one slice of one group never exercises."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def group(start: int, names: list[str]) -> pa.Table:
        n = len(names)
        return pa.table({
            "run": pa.array(range(start, start + n), pa.int64()),
            "indicator": pa.array(names).dictionary_encode(),
            "label": pa.array([f"l{(start + i) % 3}" for i in range(n)], pa.string()),
            "value": pa.array([0.5 * (start + i) for i in range(n)], pa.float64()),
        })

    first = group(0, ["x", "y", "x", "x", "y", "y", "x", "y", "x", "x"])
    second = group(10, ["z", "y", "w", "w", "z", "y", "z", "w", "y", "z", "w", "z", "y"])
    with pq.ParquetWriter(path, first.schema) as writer:
        writer.write_table(first)
        writer.write_table(second.cast(first.schema))
    return path


@pytest.mark.parametrize("by, keep", [("indicator", ["w", "y"]), ("indicator", ["absent"]),
                                      ("indicator", None), ("label", ["l0", "l2"])])
def test_several_slices_and_row_groups_are_pandas_rows(tmp_path: Path, monkeypatch,
                                                       by: str, keep: list[str] | None) -> None:
    import pyarrow.parquet as pq

    from scosim import batch_rows

    f = _row_groups_file(tmp_path / "groups.parquet")
    monkeypatch.setattr(batch_rows, "SLICE_ROWS", 4)
    with pq.ParquetFile(f) as pf:  # the case: two groups, each over several slices
        assert pf.metadata.num_row_groups == 2
        assert pf.metadata.row_group(0).num_rows > 4
        assert pf.read_row_group(0).column("indicator").chunk(0).dictionary.to_pylist() \
            != pf.read_row_group(1).column("indicator").chunk(0).dictionary.to_pylist()
    columns = ["run", "indicator", "label", "value"]
    mine = batch_rows.read_rows(f, columns, keep, by=by)
    theirs = _pandas_rows(f, by, keep, columns)
    _same(mine, theirs)
    assert str(mine["indicator"].dtype) == "category"
    assert list(mine["indicator"].cat.categories) == list(theirs["indicator"].cat.categories)
    assert mine["label"].dtype == theirs["label"].dtype
    assert mine["indicator"].dtype != mine["label"].dtype  # the plain column stays plain
    # Counted by hand: y 4 + 4, w 4; runs 0-22 less the 8 with run % 3 == 1.
    expected = {("indicator", None): 23, ("indicator", ("absent",)): 0,
                ("indicator", ("w", "y")): 12, ("label", ("l0", "l2")): 15}
    assert len(mine) == expected[(by, None if keep is None else tuple(keep))]
    if len(mine):  # in the file's order
        assert mine["run"].is_monotonic_increasing
    # A few columns, selected on one not returned.
    _same(batch_rows.read_rows(f, ["value"], keep, by=by), theirs[["value"]])
