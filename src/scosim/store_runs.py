"""Runs written to an object store: ``--out s3://bucket/results`` or any fsspec URL.

A local run (:class:`scosim.results.RunWriter`) is written into a hidden partial
directory under an ``fcntl`` lock and published by renaming it. Object stores
have neither rename nor locks, so a run there is published differently:

* Everything is written in place under ``<root>/<scenario>/<run_id>/``, with
  the same layout as a local run (``manifest.json``, ``scenario.yaml``,
  ``indicators/``, ``events/``, ``bilateral/``, ``plots/``, ``summary.csv``).
  Batch tables are written by whoever computed them (a worker process, a Dask
  worker on another machine).
* ``manifest.json`` says ``"status": "running"`` while the run is written and is
  rewritten after each batch (an object is replaced whole, so a reader sees the
  old or the new one, never half). It is rewritten with ``"status": "complete"``
  **last**, after every table, the scenario, the plots and ``summary.csv``: that
  write is the commit marker. Readers take a run as finished only when its
  manifest says ``complete``; a run that stopped half-way says ``running``.
* The lock is replaced by a *lease*: numbered objects ``_lease/00000.json``,
  ``00001.json`` ... naming the process writing the run. The writer renews its
  lease every :data:`LEASE_RENEW` seconds (a background thread) and marks it
  released when it stops on an error or Ctrl-C. A run whose newest lease is
  released, or was not renewed for :data:`LEASE_TIMEOUT` seconds (its process
  was killed), can be resumed (a lease that cannot be read, e.g. one being
  written, ages by its object's modification time instead): the resumer creates
  the next lease number with an exclusive (conditional) write, so of two
  processes resuming the same run at once exactly one wins, and a writer that
  finds a newer lease than its own stops before it writes another manifest.
  Exclusive writes need a store that supports them (S3 and moto via s3fs,
  fsspec's memory and local file systems); on a store without them the check is
  best effort (exists, then write). Lease times come from the writers' clocks,
  which must agree to well within :data:`LEASE_TIMEOUT`.
* A new run claims its directory with an exclusive write of its first lease,
  so two runs never share a directory and an existing run is never overwritten.

Plots are drawn from a local copy of the run's tables in a temporary directory
(the plotting code reads local files) and uploaded with ``summary.csv``; the
copy needs local disk about the size of the run's tables.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scosim.results import (
    MANIFEST,
    BatchManifest,
    RunInProgress,
    damaged_batches,
    utc_now,
    write_batch_parts,
)

#: Seconds between renewals of a writer's lease.
LEASE_RENEW = 30.0
#: Seconds after its last renewal that a lease counts as abandoned (its process
#: was killed without releasing it) and the run may be resumed by another process.
LEASE_TIMEOUT = 300.0
LEASE_DIR = "_lease"

#: Protocols whose data live in this process only: worker processes cannot write there.
IN_PROCESS_PROTOCOLS = ("memory",)

ALLOWED = (
    "a local directory, or an fsspec URL whose backend is installed: s3://bucket/path "
    "(needs s3fs), gs://bucket/path (gcsfs), az://container/path (adlfs), "
    "memory://path (this process only: --executor local)"
)


#: Packages whose exceptions say that a store cannot be reached or used (credentials, an
#: endpoint, the network), not that scosim is wrong: botocore's NoCredentialsError and
#: EndpointConnectionError, for one, are not OSErrors and went out as tracebacks.
STORE_BACKENDS = ("botocore", "aiobotocore", "s3fs", "gcsfs", "google", "adlfs", "azure",
                  "aiohttp", "fsspec")


def is_store_error(exc: BaseException) -> bool:
    """Whether ``exc`` is the store's (an OSError, or an error of a store back-end package)."""
    return isinstance(exc, OSError) or type(exc).__module__.split(".")[0] in STORE_BACKENDS


def _protocol(url: str) -> str:
    return url.split("://", 1)[0]


def open_store(out: str, executor: str = "local") -> tuple[Any, str]:
    """Check an ``--out`` URL and return its fsspec file system and root path.

    Nothing is written.

    Args:
        out: The results root URL.
        executor: The executor that will write to it.

    Returns:
        ``(fs, root)``: the file system and the root's path on it.

    Raises:
        ValueError: Unknown protocol, a backend that is not installed, no bucket
            or path, or a memory:// URL with worker processes. The message names
            ``--out`` and what is allowed.
    """
    import fsspec

    proto = _protocol(out)
    try:
        fs, root = fsspec.core.url_to_fs(out)
    except ImportError as exc:
        raise ValueError(
            f"--out {out}: the {proto}:// file system is not installed ({exc}). "
            f"--out takes {ALLOWED}"
        ) from None
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(
            f"--out {out}: not a location scosim can write to ({exc}). --out takes {ALLOWED}"
        ) from None
    root = root.rstrip("/")
    if not root.strip("/"):
        raise ValueError(
            f"--out {out}: names no bucket or path, e.g. {proto}://bucket/results. "
            f"--out takes {ALLOWED}"
        )
    if proto in IN_PROCESS_PROTOCOLS and executor != "local":
        raise ValueError(
            f"--out {out}: a {proto}:// store lives in this process's memory, where the "
            f"worker processes of --executor {executor} cannot write: use --executor local "
            f"or a store every worker reaches. --out takes {ALLOWED}"
        )
    return fs, root


def _write_exclusive(fs: Any, path: str, data: bytes) -> bool:
    """Create ``path`` holding ``data`` unless it exists; whether it was created."""
    try:
        with fs.open(path, "xb") as f:
            f.write(data)
        return True
    except FileExistsError:
        return False
    except (NotImplementedError, ValueError, TypeError):
        # A file system without exclusive creation: check, then write (best effort).
        if fs.exists(path):
            return False
        fs.pipe_file(path, data)
        return True


def _read_json(fs: Any, path: str) -> dict[str, Any] | None:
    try:
        data = json.loads(fs.cat_file(path))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _leases(fs: Any, run_path: str) -> list[str]:
    """The run's lease objects, oldest first (empty when there are none)."""
    fs.invalidate_cache(f"{run_path}/{LEASE_DIR}")  # other processes write leases
    try:
        names = fs.ls(f"{run_path}/{LEASE_DIR}", detail=False)
    except (FileNotFoundError, OSError):
        return []
    return sorted(n for n in names if n.rsplit("/", 1)[-1].endswith(".json"))


def _lease_number(path: str) -> int:
    return int(path.rsplit("/", 1)[-1].removesuffix(".json"))


def lease_state(fs: Any, run_path: str, now: float | None = None) -> str:
    """``"live"`` (a process is writing the run), ``"released"``, ``"expired"`` or ``"none"``."""
    leases = _leases(fs, run_path)
    if not leases:
        return "none"
    lease = _read_json(fs, leases[-1]) or {}
    if lease.get("released"):
        return "released"
    renewed = lease.get("renewed_unix")
    if not isinstance(renewed, (int, float)) or isinstance(renewed, bool):
        # Unreadable (a failed GET, or a local lease being written: ``open(..., "xb")``
        # creates it empty first): its age is the object's modification time, and a
        # lease whose age cannot be told either counts as live (never taken over on a guess).
        renewed = _modified_unix(fs, leases[-1])
        if renewed is None:
            return "live"
    return "live" if (now or time.time()) - renewed < LEASE_TIMEOUT else "expired"


def _modified_unix(fs: Any, path: str) -> float | None:
    """When ``path`` was last written (Unix seconds), or None when the store cannot say."""
    try:
        return float(fs.modified(path).timestamp())
    except (OSError, NotImplementedError, ValueError, TypeError, AttributeError, KeyError):
        return None


class StoreRunWriter:
    """Writes one run into an object store in place, then commits its manifest.

    The same interface as :class:`scosim.results.RunWriter`; see the module text
    for how publication, leases and resuming work.

    Args:
        fs: The store's fsspec file system.
        root: The results root's path on ``fs``.
        scenario_name: Scenario name (directory under ``root``).
        run_id: Identifier of this run.
        manifest: Initial manifest fields.
        resume_path: An unfinished run on ``fs`` to continue instead of a new one.

    Raises:
        FileExistsError: ``run_id`` is taken (a new run).
        RunInProgress: Another process took the unfinished run first (a resume).
    """

    def __init__(
        self,
        fs: Any,
        root: str,
        scenario_name: str,
        run_id: str,
        manifest: dict[str, Any],
        resume_path: str | None = None,
    ) -> None:
        self.fs = fs
        self.run_id = run_id
        self.path = resume_path or f"{root}/{scenario_name}/{run_id}"
        self.resumed = resume_path is not None
        self.owner = uuid.uuid4().hex
        self._lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.resumed:
            old = _leases(fs, self.path)
            number = _lease_number(old[-1]) + 1 if old else 0
            self._lease = f"{self.path}/{LEASE_DIR}/{number:05d}.json"
            if not _write_exclusive(fs, self._lease, self._lease_bytes()):
                raise RunInProgress(f"{self.url} was taken over by another process")
        else:
            self._lease = f"{self.path}/{LEASE_DIR}/00000.json"
            # The exclusive write of the first lease claims the directory.
            fs.invalidate_cache(self.path)
            if fs.exists(self.path) or not _write_exclusive(fs, self._lease, self._lease_bytes()):
                raise FileExistsError(f"{self.url} exists; results are never overwritten")
        # The lease is ours from here: a set-up that fails takes it back (a new run's
        # whole directory), so no lease is left to block or look live.
        try:
            if self.resumed:
                found = _read_json(fs, f"{self.path}/{MANIFEST}")
                if found is None:
                    raise RunInProgress(f"{self.url} has no readable manifest")
                self.manifest = found
                self._drop_damaged()
            else:
                self.manifest = {**manifest, "run_id": run_id, "status": "running",
                                 "batches": []}
                self._write_manifest()
            self._start_renewing()
        except BaseException:
            self._stop_renewing()
            self._remove(self._lease if self.resumed else self.path)
            raise

    # ------------------------------------------------------------------ lease
    @property
    def url(self) -> str:
        """The run's URL (``s3://bucket/results/<scenario>/<run_id>``)."""
        return self.fs.unstrip_protocol(self.path)

    @property
    def location(self) -> str:
        """Where workers write the batch tables: the run's URL."""
        return self.url

    def _lease_bytes(self, released: bool = False) -> bytes:
        return json.dumps({
            "owner": self.owner,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "renewed": utc_now(),
            "renewed_unix": time.time(),
            "released": released,
        }, sort_keys=True).encode()

    def _check_lease(self) -> None:
        """Refuse to write when another process holds a newer lease on this run."""
        leases = _leases(self.fs, self.path)
        newest = leases[-1].rsplit("/", 1)[-1] if leases else None
        if self._lost.is_set() or newest != self._lease.rsplit("/", 1)[-1]:
            self._lost.set()
            raise RunInProgress(
                f"{self.url} was taken over by another process (its lease is newer than "
                "this one's); stopping without writing more"
            )

    def _renew(self) -> None:
        while not self._stop.wait(LEASE_RENEW):
            try:
                self._check_lease()
                self.fs.pipe_file(self._lease, self._lease_bytes())
            except RunInProgress:
                return
            except OSError:  # a network hiccup: try again at the next renewal
                continue

    def _start_renewing(self) -> None:
        self._thread = threading.Thread(target=self._renew, name="scosim-lease", daemon=True)
        self._thread.start()

    def _stop_renewing(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=LEASE_RENEW)
            self._thread = None

    # ------------------------------------------------------------------ writing
    def _write_manifest(self) -> None:
        self.fs.pipe_file(
            f"{self.path}/{MANIFEST}",
            (json.dumps(self.manifest, indent=2, sort_keys=True, default=str) + "\n").encode(),
        )

    @property
    def done_batches(self) -> set[int]:
        """Batch ids already written (for resuming)."""
        return set(self.manifest.get("batches", []))

    def _drop_damaged(self) -> None:
        """Run again any kept batch whose Parquet file cannot be read back (resuming)."""
        damaged = damaged_batches(self.fs, self.path, self.done_batches, self.url)
        if damaged:
            self.manifest["batches"] = sorted(self.done_batches - set(damaged))
            self._write_manifest()

    def write_text(self, name: str, text: str) -> None:
        """Write a small text file (e.g. the resolved scenario) into the run."""
        self.fs.pipe_file(f"{self.path}/{name}", text.encode())

    def read_text(self, name: str) -> str:
        """Read a small text file of the run back."""
        return self.fs.cat_file(f"{self.path}/{name}").decode()

    def write_batch(self, batch_id: int, indicators: Any, events: Any,
                    bilateral: Any = None) -> None:
        """Write one batch's tables here, then record it as done in the manifest."""
        self.record_batch(write_batch_parts(
            self.url, batch_id,
            {"indicators": indicators, "events": events, "bilateral": bilateral},
        ))

    def record_batch(self, done: BatchManifest) -> None:
        """Record a batch a worker has written into this run as done."""
        self._check_lease()
        self.manifest["batches"] = sorted(self.done_batches | {done.batch_id})
        self._write_manifest()

    def make_plots(self, plot: Callable[[Path, Path], list[Path]]) -> list[str]:
        """Draw plots from a local copy of the run's tables and upload them.

        Args:
            plot: ``plot(run_dir, plots_dir)`` draws into ``plots_dir`` (and may
                write ``summary.csv`` and ``summary.txt`` into ``run_dir``); returns
                the files.

        Returns:
            The names of the plots uploaded (under ``plots/``).
        """
        with tempfile.TemporaryDirectory(prefix="scosim-plots-") as td:
            stage = Path(td)
            for name in (MANIFEST, "scenario.yaml"):
                (stage / name).write_bytes(self.fs.cat_file(f"{self.path}/{name}"))
            for table in ("indicators", "events", "bilateral"):
                remote = f"{self.path}/{table}"
                self.fs.invalidate_cache(remote)  # written by worker processes
                if self.fs.exists(remote):
                    (stage / table).mkdir()
                    for f in self.fs.ls(remote, detail=False):
                        name = f.rsplit("/", 1)[-1]
                        if name.endswith(".parquet"):
                            self.fs.get_file(f, str(stage / table / name))
            (stage / "plots").mkdir()
            files = plot(stage, stage / "plots")
            for p in files:
                self.fs.put_file(str(p), f"{self.path}/plots/{p.name}")
            for extra in sorted([*stage.glob("*.csv"), *stage.glob("*.txt")]):
                self.fs.put_file(str(extra), f"{self.path}/{extra.name}")
            return [p.name for p in files]

    def publish(self, **fields: Any) -> str:
        """Commit the run: its manifest, rewritten with status complete, is the last write.

        Returns:
            The run's URL.
        """
        self._check_lease()
        self._stop_renewing()
        self.manifest.update(fields)
        self.manifest["status"] = "complete"
        self.manifest["finished"] = utc_now()
        self._write_manifest()
        # Bookkeeping after the commit: a reader never looks at leases of a complete run.
        try:
            self.fs.rm(f"{self.path}/{LEASE_DIR}", recursive=True)
        except OSError:
            pass
        return self.url

    def release(self) -> None:
        """Mark the lease released: the interrupted run can be resumed at once."""
        self._stop_renewing()
        if not self._lost.is_set():
            try:
                self.fs.pipe_file(self._lease, self._lease_bytes(released=True))
            except OSError:
                pass  # it expires after LEASE_TIMEOUT instead

    def discard(self) -> None:
        """Remove everything of this run (used when a run fails before any batch).

        A resumed run keeps its earlier batches, and a run whose lease was lost (this
        writer stalled past :data:`LEASE_TIMEOUT` and another process took it over)
        belongs to that process: both are only released.
        """
        self._stop_renewing()
        if not self.resumed and not self._lost.is_set():
            try:
                self._check_lease()  # sets _lost when a newer lease is found
            except RunInProgress:
                pass
        if self.resumed or self._lost.is_set():
            self.release()
            return
        self._remove(self.path)

    def _remove(self, path: str) -> None:
        """Remove ``path`` (recursively), best effort."""
        try:
            self.fs.rm(path, recursive=True)
        except OSError:
            pass


def find_resumable_store(
    fs: Any, root: str, scenario_name: str, match: dict[str, Any], *, include_live: bool = False
) -> list[str]:
    """Unfinished runs under ``<root>/<scenario_name>`` whose manifest matches ``match``.

    Runs whose writer's lease is live are left out unless ``include_live``.

    Returns:
        Their paths on ``fs``, oldest run id first.
    """
    found = []
    for m, path in _manifests(fs, f"{root}/{scenario_name}"):
        if m.get("status") != "running" or not all(m.get(k) == v for k, v in match.items()):
            continue
        if include_live or lease_state(fs, path) != "live":
            found.append(path)
    return found


def _manifests(fs: Any, scenario_path: str) -> list[tuple[dict[str, Any], str]]:
    fs.invalidate_cache(scenario_path)  # runs are written by other processes
    try:
        runs = sorted(fs.ls(scenario_path, detail=False))
    except (FileNotFoundError, OSError):
        return []
    out = []
    for path in runs:
        m = _read_json(fs, f"{path}/{MANIFEST}")
        if m is not None:
            out.append((m, path.rstrip("/")))
    return out


def store_catalogue_rows(out: str) -> list[dict[str, Any]]:
    """The runs under a results root URL, as :func:`scosim.run_catalogue.catalogue_rows`.

    Status is ``complete`` only for a run whose manifest says so (the commit
    marker); an unfinished one is ``running`` while its writer's lease is live,
    else ``interrupted`` (resumable).
    """
    from scosim.run_catalogue import catalogue_row

    fs, root = open_store(out)
    rows = []
    fs.invalidate_cache(root)
    try:
        scenarios = sorted(fs.ls(root, detail=False))
    except (FileNotFoundError, OSError):
        return []
    for sdir in scenarios:
        for m, path in _manifests(fs, sdir.rstrip("/")):
            status = m.get("status", "?")
            if status == "running":
                status = "running" if lease_state(fs, path) == "live" else "interrupted"
            rows.append(catalogue_row(
                m, scenario=sdir.rsplit("/", 1)[-1], run_id=path.rsplit("/", 1)[-1],
                status=status, path=fs.unstrip_protocol(path),
            ))
    return rows


def open_store_writer(
    out: str,
    fs: Any,
    root: str,
    scenario_name: str,
    run_id: str,
    match: dict[str, Any],
    manifest: dict[str, Any],
    *,
    resume: bool = True,
    progress: bool = True,
) -> StoreRunWriter:
    """Resume an unfinished run whose lease is free, or start a new one.

    Args:
        out: The results root URL as given (for messages).
        fs: Its file system.
        root: Its path on ``fs``.
        scenario_name: The scenario.
        run_id: The new run's id (``-2``, ``-3`` ... appended while taken).
        match: Manifest fields an unfinished run must have to be resumed.
        manifest: A new run's manifest fields (with ``started``).
        resume: Look for an unfinished run to resume first.
        progress: Say on stderr what was resumed or left alone.

    Raises:
        OSError: The store cannot be written (a missing bucket, no credentials,
            no network); the message names ``--out``.
    """
    from scosim.tty_lines import to_stderr

    try:
        if resume:
            for path in find_resumable_store(fs, root, scenario_name, match):
                try:
                    writer = StoreRunWriter(fs, root, scenario_name, path.rsplit("/", 1)[-1],
                                            {}, resume_path=path)
                except RunInProgress:
                    continue  # another process resumed it a moment ago
                if progress:
                    to_stderr(f"scosim: resuming the interrupted run {writer.url}")
                return writer
            busy = find_resumable_store(fs, root, scenario_name, match, include_live=True)
            if busy and progress:
                to_stderr(f"scosim: an identical run is in progress in "
                          f"{fs.unstrip_protocol(busy[0])} (its writer's lease is live); "
                          "starting a separate run")
        for n in range(1, 101):
            name = run_id if n == 1 else f"{run_id}-{n}"
            try:
                return StoreRunWriter(fs, root, scenario_name, name, manifest)
            except FileExistsError:
                continue  # taken (by another process a moment ago)
    except FileExistsError:
        raise
    except Exception as exc:
        if not is_store_error(exc):
            raise
        raise OSError(f"--out {out}: cannot write a run there ({type(exc).__name__}: "
                      f"{exc})") from None
    raise FileExistsError(f"no free run name under {out}/{scenario_name}")
