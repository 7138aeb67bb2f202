"""A run's indicator names are read from each file's dictionary, a row group at a time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scosim.result_tables import indicator_names
from scosim.results import write_table

ROW_GROUP = 50


def _write(path: Path, names: list[str], categories: list[str] | None, rows: int) -> None:
    """A batch file with ``rows`` rows cycling through ``names``, in small row groups."""
    ind = [names[i % len(names)] for i in range(rows)]
    col = pd.Categorical(ind, categories=categories) if categories else ind
    df = pd.DataFrame({"run": range(rows), "indicator": col, "value": 1.0})
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path,
                   row_group_size=ROW_GROUP)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    d = tmp_path / "indicators"
    d.mkdir()
    # A dictionary with a category no row uses (it must not be named), a plain string
    # column (an older writer) and a null.
    _write(d / "batch-00000.parquet", ["gdp_usd", "incidents"],
           ["gdp_usd", "incidents", "never_written"], 180)
    _write(d / "batch-00001.parquet", ["security_index"], None, 120)
    pq.write_table(pa.table({"run": [0, 1], "indicator": pa.array(["gdp_usd", None]),
                             "value": [1.0, 2.0]}), d / "batch-00002.parquet")
    return d


def test_names_are_the_values_the_rows_hold(run_dir: Path) -> None:
    whole = pd.concat(pd.read_parquet(f) for f in sorted(run_dir.glob("*.parquet")))
    assert indicator_names(run_dir) == set(whole["indicator"].dropna().astype(str))
    assert indicator_names(run_dir) == {"gdp_usd", "incidents", "security_index"}


def _spy_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows of every table read from a Parquet file from now on."""
    rows: list[int] = []

    def spy_table(*args: object, **kwargs: object) -> pa.Table:
        t = real_table(*args, **kwargs)
        rows.append(t.num_rows)
        return t

    def spy_group(self: pq.ParquetFile, *args: object, **kwargs: object) -> pa.Table:
        t = real_group(self, *args, **kwargs)
        rows.append(t.num_rows)
        return t

    real_table, real_group = pq.read_table, pq.ParquetFile.read_row_group
    monkeypatch.setattr(pq, "read_table", spy_table)
    monkeypatch.setattr(pq.ParquetFile, "read_row_group", spy_group)
    monkeypatch.setattr(pq.ParquetFile, "read", None)  # not used: would read a whole file
    return rows


def test_no_read_holds_more_than_one_row_group(run_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a file's whole column at once held every row's code (11 MiB a batch)."""
    rows = _spy_reads(monkeypatch)
    indicator_names(run_dir)
    assert rows and max(rows) <= ROW_GROUP
    assert sum(rows) == 180 + 120 + 2  # each row read once


def _batch(runs: range, names: list[str]) -> pd.DataFrame:
    """A batch's tidy table, its categories holding one indicator no row has."""
    n = len(runs) * len(names)
    return pd.DataFrame({
        "run": [r for r in runs for _ in names], "year": 2025,
        "country": pd.Categorical(["CHN"] * n),
        "indicator": pd.Categorical(names * len(runs), categories=[*names, "unused"]),
        "value": 1.0})


def test_written_batches_list_their_names_and_none_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_table(_batch(range(0, 3), ["gdp_usd", "incidents"]), str(tmp_path), "indicators", 0)
    write_table(_batch(range(3, 6), ["security_index"]), str(tmp_path), "indicators", 1)
    d = tmp_path / "indicators"
    whole = pd.concat(pd.read_parquet(f) for f in sorted(d.glob("*.parquet")))
    assert len(whole) == 9  # the files hold the rows as before
    rows = _spy_reads(monkeypatch)
    assert indicator_names(d) == {"gdp_usd", "incidents", "security_index"}
    assert rows == []  # from the files' footers only


def test_new_and_old_files_of_one_run_give_every_name(run_dir: Path) -> None:
    """A resumed run written before and after: names from metadata and from columns."""
    write_table(_batch(range(400, 402), ["bank_failures"]), str(run_dir.parent), "indicators", 3)
    assert indicator_names(run_dir) == {"gdp_usd", "incidents", "security_index", "bank_failures"}
