"""Writing and reading results: run directories, manifests, the run catalogue.

Layout of one run of a scenario::

    results/<scenario>/<run_id>/
        manifest.json                   what ran, with which data and code, when
        scenario.yaml                   the resolved scenario (loads on its own)
        indicators/batch-00000.parquet  tidy: run, year, country, indicator, value
        events/batch-00000.parquet      run, year, type, country, proposal, detail
        bilateral/batch-00000.parquet   with outputs.bilateral: run, year, exporter,
                                        importer, indicator, value

Batch files are written by whoever computed the batch (this process, a worker
process or a Dask worker), never shipped back to the client; keys are narrow
(``run`` int32, ``year`` int16; economies and indicators dictionary-encoded).
        plots/*.png
        summary.csv                     with plots: mean and percentiles per indicator,
                                        year and economy (the plotted statistics)

A run is written into a hidden ``.partial-<run_id>`` directory and renamed
into place only when complete, so a crash never leaves a directory that looks
finished; an interrupted run can be resumed from its finished batches.
Existing runs are never overwritten. The process writing a partial directory
holds a lock on its ``.lock`` file (released by the system when the process
ends, however it ends), so a partial run is resumed only when nobody is
writing it.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported where used: `scosim list` reads only manifests and must start fast.

PARTIAL_PREFIX = ".partial-"
MANIFEST = "manifest.json"
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


def write_parquet_atomic(df: pd.DataFrame, path: Path) -> None:
    """Write a DataFrame to Parquet through a temporary file and an atomic rename."""
    tmp = path.with_name(path.name + ".tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def is_url(location: str) -> bool:
    """Whether an output location is an fsspec URL (``s3://...``) rather than a local path."""
    return "://" in location and not location.startswith("file://")


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
    a half-written part; object stores publish an object whole.
    """
    name = f"{table}/batch-{batch_id:05d}.parquet"
    df = compact(df)
    if is_url(location):
        import fsspec

        fs, root = fsspec.core.url_to_fs(location)
        fs.makedirs(f"{root}/{table}", exist_ok=True)
        with fs.open(f"{root}/{name}", "wb") as f:
            df.to_parquet(f, index=False)
    else:
        path = Path(location.removeprefix("file://")) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_parquet_atomic(df, path)
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
        if resume_dir is not None:
            self.partial = resume_dir
            self._lock = _lock(resume_dir)
            if self._lock is None:
                raise RunInProgress(f"{resume_dir} is being written by another process")
            self.manifest = json.loads((resume_dir / MANIFEST).read_text())
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
    d = Path(root) / scenario_name
    if not d.is_dir():
        return None
    for p in sorted(d.glob(f"{PARTIAL_PREFIX}*")):
        try:
            m = json.loads((p / MANIFEST).read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if all(m.get(k) == v for k, v in match.items()) and (
            include_locked or not is_locked(p)
        ):
            return p
    return None


@dataclass
class Result:
    """A finished run, reopened from its directory.

    Attributes:
        path: The run directory.
        manifest: Its manifest.
    """

    path: Path
    manifest: dict[str, Any]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def indicators(self) -> pd.DataFrame:
        """Tidy indicator table (run, year, country, indicator, value)."""
        if "indicators" not in self._cache:
            self._cache["indicators"] = read_batches(self.path / "indicators")
        return self._cache["indicators"]

    @property
    def events(self) -> pd.DataFrame:
        """Event log (run, year, type, country, proposal, detail)."""
        if "events" not in self._cache:
            self._cache["events"] = read_batches(self.path / "events")
        return self._cache["events"]

    @property
    def bilateral(self) -> pd.DataFrame:
        """Bilateral flows (run, year, exporter, importer, indicator, value).

        Written only when the scenario sets ``outputs.bilateral: true``.
        """
        if "bilateral" not in self._cache:
            if not (self.path / "bilateral").is_dir():
                raise FileNotFoundError(
                    f"{self.path} has no bilateral tables; set outputs.bilateral: true "
                    "in the scenario to write them"
                )
            self._cache["bilateral"] = read_batches(self.path / "bilateral")
        return self._cache["bilateral"]

    @property
    def plots(self) -> list[Path]:
        """PNG plots written for this run."""
        return sorted((self.path / "plots").glob("*.png"))

    @property
    def scenario_yaml(self) -> str:
        """The resolved scenario as YAML text."""
        return (self.path / "scenario.yaml").read_text()

    def indicator(self, name: str) -> pd.DataFrame:
        """One indicator as a wide table: rows (run, year), columns countries."""
        if "indicators" in self._cache:
            df = self.indicators
            df = df[df["indicator"] == name]
        else:
            # Read only this indicator rather than every indicator of every run.
            df = read_batches(self.path / "indicators", indicators=[name])
        if df.empty:
            known = sorted(indicator_names(self.path / "indicators"))
            raise KeyError(f"no indicator {name!r}; this run has {', '.join(known)}")
        return df.pivot_table(index=["run", "year"], columns="country", values="value")


def batch_files(d: str | Path) -> list[str]:
    """The ``batch-*.parquet`` files of a run's table directory, in batch order.

    A stray temporary file from an interrupted write (``batch-00003.parquet.tmp``)
    is never taken for data.

    Raises:
        FileNotFoundError: There are none.
    """
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
        d: The table's directory.
        indicators: Keep only these indicators (read with a Parquet filter).
        types: Keep only these event types (events tables; a Parquet filter).
        columns: Read only these columns (default: all).
        sort: Order rows by run and year (stable), as a reader expects; off for
            callers that join on keys anyway.

    Returns:
        The concatenated table.
    """
    import pyarrow.dataset as ds

    files = batch_files(d)
    flt = ds.field("indicator").isin(list(indicators)) if indicators else None
    if types:
        by_type = ds.field("type").isin(list(types))
        flt = by_type if flt is None else flt & by_type
    cols = list(columns) if columns is not None else None
    df = ds.dataset(files, format="parquet").to_table(columns=cols, filter=flt).to_pandas()
    if sort:
        keys = [c for c in ("run", "year") if c in df.columns]
        df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    return df


def indicator_names(d: str | Path) -> set[str]:
    """Names of the indicators a run recorded, reading only that column, file by file."""
    import pyarrow.parquet as pq

    names: set[str] = set()
    for f in batch_files(d):
        names.update(pq.read_table(f, columns=["indicator"]).column(0).unique().to_pylist())
    return names


def read_wide(d: str | Path, indicator: str) -> pd.DataFrame:
    """One indicator as a wide table, rows ``(run, year)``, columns countries.

    The same table as pivoting the whole tidy table, but read and pivoted one
    batch file at a time with only the four columns it needs, so memory holds one
    float per run, year and country instead of every indicator's tidy rows.

    Args:
        d: A run's ``indicators`` directory.
        indicator: The indicator.

    Returns:
        The wide table (empty when the run did not record ``indicator``).
    """
    import pandas as pd
    import pyarrow.parquet as pq

    parts = []
    for f in batch_files(d):
        part = pq.read_table(
            f, columns=["run", "year", "country", "value"],
            filters=[("indicator", "==", indicator)],
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
        path: A run directory (``results/<scenario>/<run_id>``).

    Returns:
        The :class:`Result`.

    Raises:
        FileNotFoundError: No manifest there.
        ValueError: The run is not complete.
    """
    p = Path(path)
    mf = p / MANIFEST
    if not mf.is_file():
        raise FileNotFoundError(f"{p} is not a scosim run directory (no {MANIFEST})")
    manifest = json.loads(mf.read_text())
    if manifest.get("status") != "complete":
        raise ValueError(f"{p} is not complete (status {manifest.get('status')!r})")
    return Result(path=p, manifest=manifest)


def catalogue(root: str | Path = "results") -> pd.DataFrame:
    """Every run under ``root``: finished ones and interrupted (resumable) ones.

    Returns:
        One row per run: scenario, run_id, status, scenario_hash, seed,
        replications, started, finished, path.
    """
    import pandas as pd

    return pd.DataFrame(catalogue_rows(root), columns=list(CATALOGUE_COLUMNS))


#: Columns of :func:`catalogue`.
CATALOGUE_COLUMNS: tuple[str, ...] = (
    "scenario",
    "run_id",
    "status",
    "scenario_hash",
    "seed",
    "replications",
    "overrides",
    "started",
    "finished",
    "path",
)


def catalogue_rows(root: str | Path = "results") -> list[dict[str, Any]]:
    """The rows of :func:`catalogue` as dicts (no pandas: ``scosim list`` uses this)."""
    rows = []
    for mf in sorted(Path(root).glob(f"*/*/{MANIFEST}")):
        try:
            m = json.loads(mf.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        partial = mf.parent.name.startswith(PARTIAL_PREFIX)
        status = m.get("status", "?")
        if partial:
            status = "running" if is_locked(mf.parent) else "interrupted"
        rows.append(
            {
                "scenario": m.get("scenario", mf.parent.parent.name),
                "run_id": m.get("run_id", mf.parent.name),
                "status": status,
                "scenario_hash": str(m.get("scenario_hash", ""))[:12],
                "seed": m.get("seed"),
                "replications": m.get("replications"),
                "overrides": format_overrides(m.get("overrides")),
                "started": m.get("started", ""),
                "finished": m.get("finished", ""),
                "path": str(mf.parent),
            }
        )
    return rows


def format_overrides(overrides: Any) -> str:
    """``{"a.b": 1}`` as ``a.b=1`` (comma-separated); empty when there are none."""
    if not overrides or not isinstance(overrides, dict):
        return ""
    return ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in overrides.items())


def resolve_run(ref: str | Path, root: str | Path = "results") -> Path:
    """Find a finished run by path, by run id, or by scenario name.

    A scenario name picks its latest finished run made without ``--set``
    overrides; if every run has overrides, the latest one, with a warning.

    Args:
        ref: A directory, a run id, or a scenario name.
        root: Results root.

    Returns:
        The run directory.
    """
    p = Path(ref)
    if (p / MANIFEST).is_file():
        return p
    cat = catalogue(root)
    done = cat[cat["status"] == "complete"]
    hit = done[done["run_id"] == str(ref)]
    by_name = hit.empty
    if by_name:
        hit = done[done["scenario"] == str(ref)].sort_values("started")
        plain = hit[hit["overrides"] == ""]
        if not plain.empty:
            # A name means the scenario as written: prefer runs without --set overrides.
            hit = plain
    if hit.empty:
        raise FileNotFoundError(
            f"no finished run {str(ref)!r} under {root}/ (give a run directory, a run id "
            "or a scenario name; `scosim list` shows what is there)"
        )
    row = hit.iloc[-1]
    if by_name and row["overrides"]:
        warnings.warn(
            f"{str(ref)!r} names a scenario whose every finished run was changed with --set; "
            f"using the latest, {row['run_id']}, run with {row['overrides']}. Give a run id "
            "to choose, or run the scenario as written",
            UserWarning,
            stacklevel=2,
        )
    return Path(row["path"])
