"""Batch files a worker says it wrote, checked where the run is recorded.

A worker writes its batch into the run directory as *it* sees it. On a cluster of
several machines without a file system mounted at the same path on all of them, the
files land on the worker's own disk: the client must notice before it records the batch.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from scosim.experiments.executors import ExecutorError
from scosim.results import BatchManifest

#: Seconds to wait for a batch file a worker wrote to appear on this machine (a shared
#: file system may show another machine's new file a moment late).
LANDED_WAIT = 5.0


def check_landed(location: str, done: BatchManifest) -> None:
    """Refuse to record a batch whose files this machine does not see in the run directory.

    A worker on another machine writes into the run directory *as it sees it*: without
    a file system mounted there on both, its files land on its own disk, and the run
    used to be published as complete with no tables at all.

    Raises:
        ExecutorError: Naming the missing file and what ``--out`` must be on a cluster.
    """
    for rel in done.files.values():
        path = Path(location) / rel
        deadline = time.monotonic() + LANDED_WAIT
        while not path.is_file():
            if time.monotonic() > deadline:
                raise ExecutorError(
                    f"batch {done.batch_id} was written by a worker to {path}, which this "
                    "machine does not see: workers on other machines write to their own "
                    "disks. On such a cluster --out must be a file system mounted at the "
                    "same path on this machine and every worker (NFS, a shared home), or an "
                    "object store (--out s3://bucket/results)")
            with contextlib.suppress(OSError):
                os.listdir(path.parent)  # a fresh listing: NFS caches failed lookups
            time.sleep(0.2)
