"""A sweep's finished batches kept on disk, so that the same command resumes a stopped sweep.

A sweep is written under a hidden partial directory (``.<name>.partial``) and renamed
once complete, as runs are. Each batch's outputs are saved there as they arrive
(``batches/batch-NNNNN.parquet``); a sweep stopped by anything (Ctrl-C, SIGTERM, a
failed batch, a lost cluster) keeps them, and the same command finds the partial
directory by its key (:func:`sweep_key`: the resolved scenario, the versions, the design
and the batching) and runs only the batches that are missing. A partial sweep is locked
by the process writing it (``scosim.results``' advisory lock), so a second identical
command started meanwhile starts a sweep of its own.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SweepCheckpoint", "open_sweep_dir", "sweep_key"]

KEY_FILE = "sweep_key.json"
BATCHES = "batches"
SUFFIX = ".partial"


def sweep_key(**fields: Any) -> str:
    """A hash of everything that decides a sweep's numbers (sha256 of canonical JSON)."""
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class SweepCheckpoint:
    """The finished batches of one sweep, in ``<partial>/batches/``.

    Args:
        partial: The sweep's partial directory.
    """

    def __init__(self, partial: Path) -> None:
        self.dir = Path(partial) / BATCHES
        self.dir.mkdir(exist_ok=True)

    def _file(self, batch_id: int) -> Path:
        return self.dir / f"batch-{batch_id:05d}.parquet"

    def load(self) -> dict[int, dict[str, np.ndarray]]:
        """Outputs of every batch saved so far, by batch id."""
        done = {}
        for f in sorted(self.dir.glob("batch-*.parquet")):
            table = pd.read_parquet(f)
            done[int(f.stem.removeprefix("batch-"))] = {
                c: table[c].to_numpy() for c in table.columns}
        return done

    def save(self, batch_id: int, outputs: Mapping[str, np.ndarray]) -> None:
        """Save one batch's outputs; written aside and renamed, so never half a file."""
        from scosim.results import write_parquet_atomic

        write_parquet_atomic(pd.DataFrame({k: np.asarray(v) for k, v in outputs.items()}),
                             self._file(batch_id))

    def count(self) -> int:
        """Batches saved so far."""
        return sum(1 for _ in self.dir.glob("batch-*.parquet"))

    def remove(self) -> None:
        """Drop the saved batches (the finished sweep keeps its tables instead)."""
        shutil.rmtree(self.dir, ignore_errors=True)


def open_sweep_dir(
    sweeps: Path, name: str, key: str, *, started: str, resume: bool = True,
    progress: bool = True,
) -> tuple[Path, Any, str | None]:
    """Resume a stopped sweep with this ``key`` nobody is working on, or start a new one.

    Args:
        sweeps: ``<out>/<scenario>/sweeps``.
        name: The new sweep's directory name (its partial one is ``.<name>.partial``).
        key: :func:`sweep_key` of the sweep.
        started: When this command started (kept for a sweep it will resume).
        resume: Look for a stopped sweep to resume.
        progress: Say on stderr that a sweep is resumed.

    Returns:
        The partial directory, its lock (an open file; close it to release) and, for a
        resumed sweep, when it first started (None for a new one).
    """
    from scosim.results import _lock
    from scosim.tty_lines import to_stderr

    if resume and sweeps.is_dir():
        for p in sorted(sweeps.glob(f".*{SUFFIX}")):
            try:
                recorded = json.loads((p / KEY_FILE).read_text())
                same = recorded.get("key") == key
            except (OSError, ValueError, AttributeError):
                continue
            lock = _lock(p) if same else None
            if lock is None:
                continue  # another sweep, or this one still being written by another process
            if progress:
                to_stderr(f"scosim: resuming the stopped sweep {p}")
            return p, lock, str(recorded.get("started", started))  # as the first start
    sweeps.mkdir(parents=True, exist_ok=True)
    final, n = name, 2
    while (sweeps / final).exists() or (sweeps / f".{final}{SUFFIX}").exists():
        final, n = f"{name}-{n}", n + 1
    partial = sweeps / f".{final}{SUFFIX}"
    partial.mkdir()
    (partial / KEY_FILE).write_text(json.dumps({"key": key, "started": started}) + "\n")
    return partial, _lock(partial), None


def final_name(partial: Path) -> Path:
    """Where a finished sweep is published: its partial name without the dot and suffix."""
    return partial.with_name(partial.name.removeprefix(".").removesuffix(SUFFIX))
