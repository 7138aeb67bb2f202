"""Writing and reading results: run directories, manifests, the run catalogue.

Reading runs back is in :mod:`scosim.result_tables`, the run catalogue in
:mod:`scosim.run_catalogue` (both names importable from here).

Layout of one run of a scenario::

    results/<scenario>/<run_id>/
        manifest.json                   what ran, with which data and code, when
        scenario.yaml                   the resolved scenario (loads on its own)
        indicators/batch-00000.parquet  tidy: run, year, country, indicator, value
        events/batch-00000.parquet      run, year, type, country, proposal, then one
                                        typed column per declared detail field
                                        (null where an event lacks it; the same
                                        columns in every batch: scosim.model.events)
        bilateral/batch-00000.parquet   with outputs.bilateral: run, year, exporter,
                                        importer, indicator, value

Batch files are written by whoever computed the batch (this process, a worker
process or a Dask worker), never shipped back to the client; keys are narrow
(``run`` int32, ``year`` int16; economies and indicators dictionary-encoded).
        plots/*.png
        summary.csv                     with plots: mean and percentiles per indicator,
                                        year and economy (the plotted statistics; every
                                        indicator with outputs.summary: all)
        votes.csv                       with plots, when states voted: mean terms of their
                                        scores per proposal, year and state
                                        (scosim.vote_stats)
        summary.txt                     with plots, when the policy moves welfare: who
                                        gains, who loses, who votes against, after what
                                        the filled slots' mechanisms record
                                        (scosim.run_headline; what `scosim run` prints)

A run is written into a hidden ``.partial-<run_id>`` directory and renamed
into place only when complete, so a crash never leaves a directory that looks
finished; an interrupted run can be resumed from its finished batches.
Existing runs are never overwritten. (An object store has no rename and no
locks: runs written there, ``--out s3://...``, are published by their manifest
instead, see :mod:`scosim.store_runs`.) The process writing a partial directory
holds a lock on its ``.lock`` file (released by the system when the process
ends, however it ends), so a partial run is resumed only when nobody is
writing it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported where used: `scosim list` reads only manifests and must start fast.

PARTIAL_PREFIX = ".partial-"
MANIFEST = "manifest.json"
#: The answer `scosim run` prints, kept in the run (:mod:`scosim.run_headline`).
HEADLINE_FILE = "summary.txt"
LOCK = ".lock"


class RunInProgress(RuntimeError):
    """Another process is writing this partial run (it holds the run's lock)."""


def _lock(path: Path) -> Any | None:
    """Take the lock of a partial run directory; ``None`` if another process holds it."""
    f = open(path / LOCK, "a+")  # noqa: SIM115 - held open for the run's lifetime
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks here
        return f
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return None
    f.seek(0)
    f.truncate()
    f.write(f"{os.getpid()}\n")
    f.flush()
    return f


def is_locked(path: Path) -> bool:
    """Whether a live process is writing the partial run at ``path``."""
    if not (path / LOCK).exists():
        return False
    try:
        f = _lock(path)
    except OSError:
        return False
    if f is None:
        return True
    f.close()
    return False


def remove_empty_dirs(dirs: Iterable[Path]) -> None:
    """Remove those of ``dirs`` that are empty, deepest first (left by a failed run)."""
    for d in sorted((Path(x) for x in dirs), key=lambda p: len(p.parts), reverse=True):
        try:
            d.rmdir()
        except OSError:
            pass  # not empty, or already gone: keep it


def utc_now() -> str:
    """Current UTC time in ISO 8601 with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def compact_stamp(iso: str | None = None) -> str:
    """``20261123T054558`` from an ISO 8601 UTC time (default: now), for directory names."""
    return (iso or utc_now()).replace("-", "").replace(":", "")[:15]


def unused_name(parent: Path, name: str, *, hidden: tuple[str, ...] = ()) -> str:
    """``name``, or ``name-2``, ``name-3`` ... : the first not taken under ``parent``.

    A name also counts as taken when a hidden variant (``prefix + name`` for each
    prefix in ``hidden``, e.g. an interrupted run's partial directory) exists.
    """
    candidate, n = name, 2
    while any((Path(parent) / f"{p}{candidate}").exists() for p in ("", *hidden)):
        candidate, n = f"{name}-{n}", n + 1
    return candidate


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON to ``path`` through a temporary file and an atomic rename."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)


def write_parquet_atomic(df: pd.DataFrame, path: Path, **options: Any) -> None:
    """Write a DataFrame to Parquet through a temporary file and an atomic rename.

    ``options`` go to ``pyarrow.parquet.write_table`` (e.g. :func:`parquet_options`).
    """
    tmp = path.with_name(path.name + ".tmp")
    df.to_parquet(tmp, index=False, **options)
    os.replace(tmp, path)


def parquet_options(df: pd.DataFrame) -> dict[str, list[str]]:
    """Encodings of a result table that are quick to write, for the same file size.

    Keys and labels are dictionary-encoded (few distinct values); float values are
    not: pyarrow would hash a batch's millions of values before falling back to plain
    encoding. Min/max statistics are kept for numbers and left out for labels, whose
    string comparisons were most of the statistics' cost. On a 250-run indicator table
    (2.5 million rows) the write took 0.21 s instead of 0.36 s (medians of 7), with
    the same size (12.7 MB against 12.6 MB) and read time.
    """
    import pandas as pd

    cols = [str(c) for c in df.columns]
    floats = {str(c) for c in df.columns if pd.api.types.is_float_dtype(df[c])}
    labels = {str(c) for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])}
    return {"use_dictionary": [c for c in cols if c not in floats],
            "write_statistics": [c for c in cols if c not in labels]}


def is_url(location: str) -> bool:
    """Whether an output location is an fsspec URL (``s3://...``) rather than a local path."""
    return "://" in location and not location.startswith("file://")


def local_path(location: str | Path) -> Path:
    """A local output location as a path (``file:///data/r`` is ``/data/r``)."""
    return Path(str(location).removeprefix("file://"))


#: Narrow key dtypes of the stored tables: a year fits int16, a run index int32
#: (up to 2.1 billion runs). Categorical columns are stored dictionary-encoded.
KEY_DTYPES = {"run": "int32", "year": "int16"}


def compact(df: pd.DataFrame) -> pd.DataFrame:
    """The table with narrow key dtypes (:data:`KEY_DTYPES`), for storage."""
    cast = {c: t for c, t in KEY_DTYPES.items() if c in df.columns and str(df[c].dtype) != t}
    return df.astype(cast) if cast else df


def write_table(df: pd.DataFrame, location: str, table: str, batch_id: int) -> str:
    """Write one batch's table into a run's output location; return its relative name.

    Called by whoever computed the batch (a worker process, a Dask worker on
    another machine): ``location`` is the run directory, a local path (shared by
    every worker on a cluster) or any fsspec URL (``s3://bucket/run``). A local
    file is written through a temporary name and renamed, so a crash never leaves
    a half-written part; object stores publish an object whole. The file's metadata
    lists the indicators it holds (:func:`scosim.result_tables.with_indicator_names`).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from scosim.result_tables import with_indicator_names

    name = f"{table}/batch-{batch_id:05d}.parquet"
    df = compact(df)
    # What DataFrame.to_parquet writes (the same columns, pandas metadata and
    # compression), with the names added to the metadata.
    data = with_indicator_names(pa.Table.from_pandas(df, preserve_index=False))
    options = {"compression": "snappy", **parquet_options(df)}
    if is_url(location):
        import fsspec

        fs, root = fsspec.core.url_to_fs(location)
        fs.makedirs(f"{root}/{table}", exist_ok=True)
        with fs.open(f"{root}/{name}", "wb") as f:
            pq.write_table(data, f, **options)
    else:
        path = Path(location.removeprefix("file://")) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        pq.write_table(data, tmp, **options)
        os.replace(tmp, path)
    return name


@dataclass(frozen=True)
class BatchManifest:
    """What a worker returns after writing a batch itself: names and row counts, no data.

    Attributes:
        batch_id: The batch.
        files: Table name -> file written, relative to the run directory.
        rows: Table name -> rows written.
    """

    batch_id: int
    files: dict[str, str]
    rows: dict[str, int]


def write_batch_parts(
    location: str, batch_id: int, tables: dict[str, pd.DataFrame | None]
) -> BatchManifest:
    """Write a batch's tables (``None`` ones skipped) and return its manifest."""
    files, rows = {}, {}
    for table, df in tables.items():
        if df is not None:
            files[table] = write_table(df, location, table, batch_id)
            rows[table] = len(df)
    return BatchManifest(batch_id=batch_id, files=files, rows=rows)


def damaged_batches(fs: Any, path: str, done: Iterable[int], label: str) -> list[int]:
    """Kept batches of an interrupted run whose Parquet files cannot be read back.

    Parts are written whole (a local file through a temporary name), so only damage from
    outside (a disk, a copy cut short) leaves one unreadable; kept, it was published in a
    "complete" run that no command could read. The damaged batches' files are removed
    and a warning names them: resuming runs them again.

    Args:
        fs: The fsspec file system of the run.
        path: The run's directory on ``fs``.
        done: The batch ids its manifest keeps.
        label: How to name the run in the warning.
    """
    import warnings

    import pyarrow.parquet as pq

    from scosim.errors import ScosimWarning

    damaged = []
    for batch_id in sorted(done):
        parts = [f"{path}/{table}/batch-{batch_id:05d}.parquet"
                 for table in ("indicators", "events", "bilateral")]
        parts = [p for p in parts if fs.exists(p)]
        try:
            for part in parts:
                with fs.open(part, "rb") as f:
                    pq.read_metadata(f)
        except Exception:  # noqa: BLE001 - any unreadable file: run the batch again
            damaged.append(batch_id)
            for part in parts:
                fs.rm_file(part)
    if damaged:
        warnings.warn(f"batch(es) {damaged} of {label} could not be read back (damaged "
                      "files); they are run again", ScosimWarning, stacklevel=3)
    return damaged


class RunWriter:
    """Writes one run batch by batch into a partial directory, then publishes it.

    Args:
        root: Results root (``results/``).
        scenario_name: Scenario name (directory under ``root``).
        run_id: Identifier of this run.
        manifest: Initial manifest fields.
        resume_dir: An existing partial directory to continue instead of a new one.
    """

    def __init__(
        self,
        root: Path,
        scenario_name: str,
        run_id: str,
        manifest: dict[str, Any],
        resume_dir: Path | None = None,
    ) -> None:
        self.root = Path(root)
        self.scenario_dir = self.root / scenario_name
        self.run_id = run_id
        self.final = self.scenario_dir / run_id
        if self.final.exists():
            raise FileExistsError(f"{self.final} exists; results are never overwritten")
        self.resumed = resume_dir is not None
        #: Interrupted runs of the same ensemble made with other code or data
        #: (:func:`find_superseded`), removed once this run is published.
        self.supersedes: list[Path] = []
        if resume_dir is not None:
            self.partial = resume_dir
            self._lock = _lock(resume_dir)
            if self._lock is None:
                raise RunInProgress(f"{resume_dir} is being written by another process")
            self.manifest = json.loads((resume_dir / MANIFEST).read_text())
            from fsspec.implementations.local import LocalFileSystem

            damaged = damaged_batches(LocalFileSystem(), str(resume_dir), self.done_batches,
                                      str(resume_dir))
            if damaged:
                self.manifest["batches"] = sorted(self.done_batches - set(damaged))
                write_json_atomic(resume_dir / MANIFEST, self.manifest)
        else:
            self.partial = self.scenario_dir / f"{PARTIAL_PREFIX}{run_id}"
            self.partial.mkdir(parents=True, exist_ok=False)
            self._lock = _lock(self.partial)
            (self.partial / "indicators").mkdir()
            (self.partial / "events").mkdir()
            self.manifest = {**manifest, "run_id": run_id, "status": "running", "batches": []}
            write_json_atomic(self.partial / MANIFEST, self.manifest)

    @property
    def done_batches(self) -> set[int]:
        """Batch ids already written (for resuming)."""
        return set(self.manifest.get("batches", []))

    @property
    def location(self) -> str:
        """Where workers write the batch tables: the partial directory, absolute.

        Absolute because workers may run in another directory.
        """
        return str(self.partial.resolve())

    def write_text(self, name: str, text: str) -> None:
        """Write a small text file (e.g. the resolved scenario) into the run."""
        (self.partial / name).write_text(text)

    def write_batch(
        self,
        batch_id: int,
        indicators: pd.DataFrame,
        events: pd.DataFrame,
        bilateral: pd.DataFrame | None = None,
    ) -> None:
        """Write one batch's tables here, then record it as done in the manifest."""
        self.record_batch(write_batch_parts(
            str(self.partial), batch_id,
            {"indicators": indicators, "events": events, "bilateral": bilateral},
        ))

    def record_batch(self, done: BatchManifest) -> None:
        """Record a batch a worker has written into this run as done."""
        self.manifest["batches"] = sorted(self.done_batches | {done.batch_id})
        write_json_atomic(self.partial / MANIFEST, self.manifest)

    @property
    def plots_dir(self) -> Path:
        """Where plots go (inside the partial directory until published)."""
        d = self.partial / "plots"
        d.mkdir(exist_ok=True)
        return d

    def make_plots(self, plot: Callable[[Path, Path], list[Path]]) -> list[str]:
        """Draw plots into the run (``plot(run_dir, plots_dir)``); their file names.

        The same call as :meth:`scosim.store_runs.StoreRunWriter.make_plots`,
        which draws from a local copy and uploads.
        """
        return [p.name for p in plot(self.partial, self.plots_dir)]

    def publish(self, **fields: Any) -> Path:
        """Mark the run complete and move it into place atomically."""
        self.manifest.update(fields)
        self.manifest["status"] = "complete"
        self.manifest["finished"] = utc_now()
        write_json_atomic(self.partial / MANIFEST, self.manifest)
        if self.final.exists():
            raise FileExistsError(f"{self.final} exists; results are never overwritten")
        (self.partial / LOCK).unlink(missing_ok=True)
        os.rename(self.partial, self.final)
        self.release()
        remove_superseded(self.supersedes)
        return self.final

    def release(self) -> None:
        """Let go of the run's lock (an interrupted run stays resumable)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def discard(self) -> None:
        """Remove the partial directory (used when a run fails before any batch)."""
        self.release()
        shutil.rmtree(self.partial, ignore_errors=True)


def find_resumable(
    root: Path, scenario_name: str, match: dict[str, Any], *, include_locked: bool = False
) -> Path | None:
    """Find an interrupted run whose manifest matches ``match`` on every key.

    Partial runs another live process is writing are skipped unless
    ``include_locked``.
    """
    for p, m in _partial_manifests(Path(root) / scenario_name):
        if all(version_value(m, k) == version_value(match, k) for k in match) and (
            include_locked or not is_locked(p)
        ):
            return p
    return None


def _partial_manifests(scenario_dir: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Each partial run under ``scenario_dir`` with a readable manifest, and that manifest."""
    if not scenario_dir.is_dir():
        return
    for p in sorted(scenario_dir.glob(f"{PARTIAL_PREFIX}*")):
        try:
            m = json.loads((p / MANIFEST).read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(m, dict):  # not when damaged (``[]``, ``null``): nothing to resume
            yield p, m


#: Manifest fields naming the code and data a run is made with, not the ensemble it runs.
VERSION_KEYS = (
    "package_version", "code_version", "data_version", "network_version", "plugin_versions",
)


def version_value(manifest: dict[str, Any], key: str) -> Any:
    """What a manifest (or a run's key) records of ``key``, in the form runs are compared in.

    ``plugin_versions`` is :func:`scosim.plugin_record.manifest_key`: the record
    (``plugin_record``) where there is one, else the string, as one string, so a manifest
    written before the record matches a run that writes both. The other
    :data:`VERSION_KEYS` are their value, ``""`` when absent; any other key, its value.
    """
    if key == "plugin_versions":
        from scosim.plugin_record import manifest_key

        return manifest_key(manifest)
    return (manifest.get(key) or "") if key in VERSION_KEYS else manifest.get(key)


def find_superseded(
    root: Path, scenario_name: str, match: dict[str, Any]
) -> list[tuple[Path, dict[str, Any]]]:
    """Interrupted runs of the same ensemble as ``match``, made with other code or data.

    Such a run matches ``match`` on every key but :data:`VERSION_KEYS` and differs
    in one of those (a plug-in edited since, another scosim or data version), so
    the command that started it no longer resumes it, and a run started afresh for
    ``match`` replaces it. Partial runs a live process is writing are left out.

    Returns:
        Each such partial directory, with its recorded values of the keys that differ.
    """
    found = []
    for p, m in _partial_manifests(Path(root) / scenario_name):
        if any(m.get(k) != v for k, v in match.items() if k not in VERSION_KEYS):
            continue  # another ensemble (scenario, seed, replications, batch size)
        # A scenario without plug-ins has no key in ``match`` and "" in its manifest.
        differ = {k: version_value(m, k) for k in VERSION_KEYS
                  if version_value(m, k) != version_value(match, k)}
        if differ and not is_locked(p):
            found.append((p, differ))
    return found


def remove_superseded(paths: Iterable[Path]) -> None:
    """Remove interrupted runs a published run replaces (:func:`find_superseded`).

    Each is locked first, so one taken up again meanwhile (its old code put back and
    its command run) is left to the process writing it.
    """
    for p in paths:
        try:
            lock = _lock(p)
        except OSError:
            continue  # removed already, or not ours to remove: leave it
        if lock is None:
            continue
        try:
            shutil.rmtree(p, ignore_errors=True)
        finally:
            lock.close()


#: Reading and catalogue names, defined in their own modules and importable from here.
_MOVED = {
    **dict.fromkeys(
        ("Result", "batch_files", "read_batches", "indicator_names", "read_wide", "open_result"),
        "scosim.result_tables",
    ),
    **dict.fromkeys(
        ("catalogue", "catalogue_rows", "CATALOGUE_COLUMNS", "format_overrides", "resolve_run"),
        "scosim.run_catalogue",
    ),
}


def __getattr__(name: str) -> Any:
    # Lazy (PEP 562): those modules import this one, so a plain import would be circular.
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
