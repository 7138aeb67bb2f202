"""Reading a run's tables back: :class:`Result`, batch files, filtered and wide reads.

Split from :mod:`scosim.results` (which writes runs); every name here is also
importable from there.

Every reader takes a local path or an fsspec URL (``memory://run``,
``file:///data/run``, ``s3://bucket/run`` with s3fs installed): a run written to
an object store is read back where it lies. Readers read only the columns,
indicators and event types they are asked for.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scosim.results import HEADLINE_FILE, MANIFEST, PARTIAL_PREFIX

if TYPE_CHECKING:
    import pandas as pd


def _is_url(location: str | Path) -> bool:
    """Whether ``location`` is read through fsspec (any ``scheme://``, ``file://`` too).

    Readers take ``file://`` through fsspec like any URL; where a location is
    *written* (:func:`scosim.results.is_url`), ``file://`` means a local directory.
    """
    return isinstance(location, str) and "://" in location


def _fs(location: str) -> tuple[Any, str]:
    """The fsspec filesystem of a URL and the path on it."""
    import fsspec

    return fsspec.core.url_to_fs(location)


def _join(location: str | Path, *parts: str) -> str | Path:
    """``location / part / ...`` for a local path (a Path) or a URL (a string)."""
    if _is_url(location):
        return "/".join([str(location).rstrip("/"), *parts])
    return Path(location).joinpath(*parts)


def _isdir(location: str | Path) -> bool:
    if _is_url(location):
        fs, path = _fs(str(location))
        return bool(fs.isdir(path))
    return Path(location).is_dir()


def _read_text(location: str | Path) -> str:
    """A small text file's content, from a path or URL."""
    if _is_url(location):
        fs, path = _fs(str(location))
        with fs.open(path, "rb") as f:
            return f.read().decode("utf-8")
    return Path(location).read_text(encoding="utf-8")


def read_json(location: str | Path) -> Any:
    """A JSON file (a run's manifest) from a path or URL.

    Raises:
        FileNotFoundError: No such file.
        ValueError: The file is not JSON (a damaged manifest), naming it.
    """
    try:
        return json.loads(_read_text(location))
    except json.JSONDecodeError as exc:  # its own message names no file
        raise ValueError(f"{location} is damaged: not JSON ({exc.msg}, line {exc.lineno} "
                         f"column {exc.colno})") from None


def read_manifest_json(location: str | Path) -> dict[str, Any]:
    """A run's ``manifest.json`` from a path or URL: a JSON object, else a named error.

    Valid JSON that is not an object (``[]``, ``null``: a file truncated or overwritten
    by hand) ended ``scosim show``, ``list`` and ``compare`` in an AttributeError.

    Raises:
        FileNotFoundError: No such file.
        ValueError: The file is not JSON, or not a JSON object, naming it.
    """
    data = read_json(location)
    if not isinstance(data, dict):
        raise ValueError(f"{location} is damaged: it holds {json.dumps(data)[:40]}, not a JSON "
                         "object of the run's fields (restore it, or run the scenario again)")
    return data


def read_table(
    file: str,
    columns: Sequence[str] | None = None,
    *,
    indicators: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
) -> Any:
    """One batch file as an Arrow table: only ``columns``, rows of ``indicators``/``types``.

    The row filter is applied after reading on the dictionary codes of the
    ``indicator`` / ``type`` column, which is several times faster than a Parquet
    filter expression on a dictionary column (whose string comparison cost more
    than reading the whole file) and reads the file once.

    Args:
        file: A batch file (a path or an fsspec URL, as :func:`batch_files` gives).
        columns: Columns to return (default: all).
        indicators: Keep only rows of these indicators.
        types: Keep only events of these types.
    """
    import pyarrow.parquet as pq

    wanted = {"indicator": indicators, "type": types}
    need = None
    if columns is not None:
        need = list(dict.fromkeys([*columns, *(k for k, v in wanted.items() if v)]))
    if _is_url(file):
        fs, path = _fs(file)
        table = pq.read_table(path, columns=need, filesystem=fs)
    else:
        table = pq.read_table(file, columns=need)
    for col, keep in wanted.items():
        if keep:
            table = table.filter(_isin(table.column(col), keep))
    if columns is not None and list(table.column_names) != list(columns):
        table = table.select(list(columns))
    return table


def _isin(col: Any, keep: Sequence[str]) -> Any:
    """Boolean mask of ``col`` (dictionary or plain strings) being in ``keep``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    keep_set = {str(k) for k in keep}
    masks = []
    for chunk in col.chunks:
        if pa.types.is_dictionary(chunk.type):
            hit = np.array([str(v) in keep_set for v in chunk.dictionary.to_pylist()], dtype=bool)
            idx = chunk.indices.to_numpy(zero_copy_only=False)
            m = hit[idx] if hit.size else np.zeros(len(chunk), dtype=bool)
            if chunk.null_count:
                m &= chunk.is_valid().to_numpy(zero_copy_only=False)
            masks.append(pa.array(m))
        else:
            masks.append(pc.fill_null(pc.is_in(chunk, pa.array(sorted(keep_set))), False))
    return pa.chunked_array(masks, type=pa.bool_())


@dataclass
class Result:
    """A finished run, reopened from its directory.

    Attributes:
        path: The run directory (a Path), or its fsspec URL (a string).
        manifest: Its manifest.
    """

    path: Path | str
    manifest: dict[str, Any]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    #: Derived summaries front ends keep per result (e.g. the explorer's statistics).
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def table_dir(self, table: str) -> str | Path:
        """Where one of the run's tables is (``indicators``, ``events``, ``bilateral``)."""
        return _join(self.path, table)

    @property
    def indicators(self) -> pd.DataFrame:
        """The whole tidy indicator table (run, year, country, indicator, value).

        Every indicator of every run: memory grows with the replications. Prefer
        :meth:`indicator` or :func:`read_batches` with ``indicators=``/``columns=``
        for large runs; nothing inside scosim reads this on large data.
        """
        if "indicators" not in self._cache:
            self._cache["indicators"] = read_batches(self.table_dir("indicators"))
        return self._cache["indicators"]

    @property
    def events(self) -> pd.DataFrame:
        """The whole event log: run, year, type, country, proposal, one typed column per detail.

        Every event of every run; see :attr:`indicators` about memory. Runs written
        before typed detail columns (JSON ``detail`` text) come back in the same
        layout (:func:`scosim.model.events.expand_legacy_detail`).
        """
        if "events" not in self._cache:
            from scosim.model.events import expand_legacy_detail

            self._cache["events"] = expand_legacy_detail(
                read_batches(self.table_dir("events")))
        return self._cache["events"]

    @property
    def bilateral(self) -> pd.DataFrame:
        """Bilateral flows (run, year, exporter, importer, indicator, value).

        Written only when the scenario sets ``outputs.bilateral: true``.
        """
        if "bilateral" not in self._cache:
            if not _isdir(self.table_dir("bilateral")):
                raise FileNotFoundError(
                    f"{self.path} has no bilateral tables; set outputs.bilateral: true "
                    "in the scenario to write them"
                )
            self._cache["bilateral"] = read_batches(self.table_dir("bilateral"))
        return self._cache["bilateral"]

    @property
    def plots(self) -> list[Path] | list[str]:
        """PNG plots written for this run (URLs for a run read from a URL)."""
        if _is_url(self.path):
            fs, path = _fs(str(self.path))
            return sorted(fs.unstrip_protocol(p) for p in fs.glob(f"{path}/plots/*.png"))
        return sorted((Path(self.path) / "plots").glob("*.png"))

    @property
    def headline(self) -> str | None:
        """Who gains, who loses, who votes against: what ``scosim run`` printed.

        The run's ``summary.txt`` (:mod:`scosim.run_headline`); None for a run
        made without plots, or whose policy moves no economy's welfare.
        """
        try:
            return _read_text(_join(self.path, HEADLINE_FILE))
        except FileNotFoundError:
            return None

    @property
    def scenario_yaml(self) -> str:
        """The resolved scenario as YAML text."""
        return _read_text(_join(self.path, "scenario.yaml"))

    def indicator(self, name: str) -> pd.DataFrame:
        """One indicator as a wide table: rows (run, year), columns countries."""
        if "indicators" in self._cache:
            df = self.indicators
            df = df[df["indicator"] == name]
        else:
            # Read only this indicator rather than every indicator of every run.
            df = read_batches(self.table_dir("indicators"), indicators=[name],
                              columns=["run", "year", "country", "value"])
        if df.empty:
            known = sorted(indicator_names(self.table_dir("indicators")))
            raise KeyError(f"no indicator {name!r}; this run has {', '.join(known)}")
        return df.pivot_table(index=["run", "year"], columns="country", values="value")


def batch_files(d: str | Path) -> list[str]:
    """The ``batch-*.parquet`` files of a run's table directory, in batch order.

    A stray temporary file from an interrupted write (``batch-00003.parquet.tmp``)
    is never taken for data.

    Args:
        d: The directory, a local path or an fsspec URL; files of a URL are
            returned as URLs of the same scheme.

    Raises:
        FileNotFoundError: There are none.
    """
    if _is_url(d):
        fs, path = _fs(str(d))
        found = fs.glob(f"{path.rstrip('/')}/batch-*.parquet") if fs.isdir(path) else []
        files = sorted(fs.unstrip_protocol(f) for f in found if f.endswith(".parquet"))
    else:
        d = Path(d)
        files = sorted(str(f) for f in d.glob("batch-*.parquet")) if d.is_dir() else []
    if not files:
        raise FileNotFoundError(f"no tables (batch-*.parquet) in {d}")
    return files


def read_batches(
    d: str | Path,
    *,
    indicators: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    sort: bool = True,
) -> pd.DataFrame:
    """Read a run's table from its batch files (``<run>/indicators`` or ``<run>/events``).

    Args:
        d: The table's directory (a local path or an fsspec URL).
        indicators: Keep only these indicators (filtered file by file, so the
            other indicators' rows are never held together).
        types: Keep only these event types (events tables).
        columns: Read only these columns (default: all).
        sort: Order rows by run and year (stable), as a reader expects; off for
            callers that join on keys anyway.

    Returns:
        The concatenated table.
    """
    import pyarrow as pa

    parts = [
        read_table(f, columns, indicators=indicators, types=types) for f in batch_files(d)
    ]
    # Files may carry different dictionaries (each batch its own categories).
    df = pa.concat_tables(parts, promote_options="permissive").to_pandas()
    if sort:
        keys = [c for c in ("run", "year") if c in df.columns]
        df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    return df


#: Key of a batch file's Parquet metadata listing the indicators it holds rows of (a JSON
#: list; :func:`with_indicator_names`). Files written before 2026-12-07 have none.
INDICATORS_KEY = b"scosim.indicators"


def indicator_names(d: str | Path) -> set[str]:
    """Names of the indicators a run recorded, reading only that column, file by file.

    Each file's names are those listed in its metadata (:data:`INDICATORS_KEY`, written
    with it since 2026-12-07): no column data is read. A file without them (a run
    written before) has its column read one row group at a time with its dictionary
    kept, the names being the dictionary entries its codes use: no string is hashed
    and one row group's codes (4 MiB) are held at a time, not a whole file's.

    Args:
        d: A run's ``indicators`` directory (a local path or an fsspec URL).
    """
    names: set[str] = set()
    for f in batch_files(d):
        names |= _file_indicator_names(f)
    return names


def _file_indicator_names(file: str) -> set[str]:
    """The indicators one batch file holds rows of (:func:`indicator_names`).

    From the file's metadata (:data:`INDICATORS_KEY`) when it has them, else from its
    ``indicator`` column, one row group at a time.
    """
    import pyarrow.parquet as pq

    # No pre-buffering: one small column chunk is read at a time, and buffering it first
    # took longer (18 against 21 ms a file of a 10,000-run directory).
    if _is_url(file):
        fs, path = _fs(file)
        pf = pq.ParquetFile(path, filesystem=fs, read_dictionary=["indicator"],
                            pre_buffer=False)
    else:
        pf = pq.ParquetFile(file, read_dictionary=["indicator"], pre_buffer=False)
    with pf:
        listed = (pf.metadata.metadata or {}).get(INDICATORS_KEY)
        if listed is not None:
            return set(json.loads(listed))
        names: set[str] = set()
        for rg in range(pf.num_row_groups):
            names |= _column_names(
                pf.read_row_group(rg, columns=["indicator"], use_threads=False).column(0))
    return names


def _column_names(col: Any) -> set[str]:
    """The values an Arrow string column (plain or dictionary-encoded) holds, nulls aside."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names: set[str] = set()
    for chunk in col.chunks:
        if isinstance(chunk, pa.DictionaryArray):
            # Only the entries used: a dictionary may hold unused categories. The codes'
            # unique (no copy of them: a count of each widened them to 8 bytes a row).
            used = pc.unique(chunk.indices).drop_null()
            names.update(str(x) for x in chunk.dictionary.take(used).to_pylist())
        else:
            names.update(str(x) for x in pc.unique(chunk).to_pylist() if x is not None)
    return names


def with_indicator_names(table: Any) -> Any:
    """``table`` with the indicators it holds rows of listed in its metadata.

    Written into each batch file (:func:`scosim.results.write_table`), so that
    :func:`indicator_names` reads a few hundred bytes of a file's footer rather than
    decoding its ``indicator`` column (at 10,000 runs of ``customs_union.yaml``,
    1.3 s of the figures' 5 s). A table without that column is returned as it is.
    """
    if "indicator" not in table.column_names:
        return table
    names = sorted(_column_names(table.column("indicator")))
    meta = {**(table.schema.metadata or {}), INDICATORS_KEY: json.dumps(names).encode()}
    return table.replace_schema_metadata(meta)


def read_wide(d: str | Path, indicator: str) -> pd.DataFrame:
    """One indicator as a wide table, rows ``(run, year)``, columns countries.

    The same table as pivoting the whole tidy table, but read and pivoted one
    batch file at a time with only the four columns it needs, so memory holds one
    float per run, year and country instead of every indicator's tidy rows.

    Args:
        d: A run's ``indicators`` directory (a local path or an fsspec URL).
        indicator: The indicator.

    Returns:
        The wide table (empty when the run did not record ``indicator``).
    """
    import pandas as pd

    parts = []
    for f in batch_files(d):
        part = read_table(
            f, ["run", "year", "country", "value"], indicators=[indicator]
        ).to_pandas()
        if len(part):
            parts.append(part.pivot_table(
                index=["run", "year"], columns="country", values="value", observed=True
            ))
    if not parts:
        return pd.DataFrame()
    wide = parts[0] if len(parts) == 1 else pd.concat(parts)
    return wide.sort_index()


def open_result(path: str | Path) -> Result:
    """Reopen a finished run from its directory.

    Args:
        path: A run directory (``results/<scenario>/<run_id>``), or its fsspec
            URL (``memory://...``, ``file:///...``, ``s3://bucket/...``).

    Returns:
        The :class:`Result` (its ``path`` a Path for a local directory, the URL
        string otherwise).

    Raises:
        FileNotFoundError: No manifest there.
        ValueError: The run is not complete.
    """
    p: str | Path = str(path).rstrip("/") if _is_url(path) else Path(path)
    try:
        manifest = read_manifest_json(_join(p, MANIFEST))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise FileNotFoundError(f"{p} is not a scosim run directory (no {MANIFEST})") from None
    if manifest.get("status") != "complete":
        if isinstance(p, Path) and p.name.startswith(PARTIAL_PREFIX):
            # As scosim list says: its manifest says "running" until it finishes.
            from scosim.results import is_locked

            if not is_locked(p):
                raise ValueError(f"{p} is not complete: the run was interrupted, and the "
                                 "command that started it resumes it")
            raise ValueError(f"{p} is not complete: the run is still in progress")
        raise ValueError(f"{p} is not complete (status {manifest.get('status')!r})")
    return Result(path=p, manifest=manifest)


