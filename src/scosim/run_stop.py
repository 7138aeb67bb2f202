"""Opening a run's directory, and what a stopped run leaves there (:func:`scosim.runner.run`).

Split from :mod:`scosim.runner` for size. One rule for a run stopped by anything
(Ctrl-C, SIGTERM, a failed batch, a full disk) once its directory exists: with no
finished batch nothing is left; otherwise the partial run is unlocked and the same
command resumes it. The error says which, as a note the CLI prints.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scosim.results import (
    PARTIAL_PREFIX,
    RunInProgress,
    RunWriter,
    compact_stamp,
    find_resumable,
    find_superseded,
    remove_empty_dirs,
    unused_name,
    utc_now,
    version_value,
)

if TYPE_CHECKING:
    from scosim.scenario import Scenario
    from scosim.store_runs import StoreRunWriter

__all__ = ["kept_note", "open_writer", "run_id", "stopped"]


def run_id(started: str, digest: str, seed: int, replications: int) -> str:
    """A run's directory name: start time, scenario hash, seed, replications."""
    return f"{compact_stamp(started)}-{digest[:8]}-s{seed}-r{replications}"


def open_writer(
    root: Path,
    sc: Scenario,
    digest: str,
    match: dict[str, Any],
    manifest: dict[str, Any],
    resume: bool,
    progress: bool,
) -> RunWriter:
    """Resume an interrupted run nobody is working on, or start a new one.

    A partial run is locked by the process writing it, so a second identical
    command started meanwhile starts its own run instead of taking over. An
    interrupted run of the same ensemble made with other code or data (a plug-in
    edited since) cannot be resumed: this run says so (with ``progress``) and
    removes it once published (:func:`~scosim.results.find_superseded`).
    """
    started = utc_now()
    # Partial runs of this ensemble made with other code or data: never resumed by this
    # command again, so replaced by this run (kept until it is complete, so that an edit
    # made by mistake can still be undone and the old run resumed).
    superseded = find_superseded(root, sc.name, match) if resume else []
    from scosim.tty_lines import to_stderr

    if progress:
        for path, recorded in superseded:
            to_stderr(f"scosim: the interrupted run {path} was made with "
                      f"{_differences(recorded, match)}, so it is not resumed; it is removed "
                      "once this run is complete")
    while resume:
        resume_dir = find_resumable(root, sc.name, match)
        if resume_dir is None:
            break
        try:
            writer = RunWriter(root, sc.name, resume_dir.name.removeprefix(PARTIAL_PREFIX), {},
                               resume_dir=resume_dir)
        except RunInProgress:
            continue  # taken by another process between the check and the lock
        if progress:
            to_stderr(f"scosim: resuming the interrupted run {resume_dir}")
        writer.supersedes = [path for path, _ in superseded]
        return writer
    busy = find_resumable(root, sc.name, match, include_locked=True)
    if busy is not None and progress:
        to_stderr(f"scosim: an identical run is in progress in {busy} (another process holds "
                  "its lock); starting a separate run")
    for _ in range(100):
        name = unused_name(
            root / sc.name,
            run_id(started, digest, sc.seed, sc.replications),
            hidden=(PARTIAL_PREFIX,),
        )
        try:
            writer = RunWriter(root, sc.name, name, {**manifest, "started": started})
            writer.supersedes = [path for path, _ in superseded]
            return writer
        except FileExistsError:
            continue  # another process took this name a moment ago
        except OSError as exc:
            if exc.errno == errno.ENOTDIR:
                raise  # the CLI names the part of the path that is a file
            # same type (same exit status), saying it is --out
            raise type(exc)(f"--out {root}: cannot write a run there "
                            f"({exc.strerror or exc}: {exc.filename or root})") from None
    raise FileExistsError(f"no free run directory name under {root / sc.name}")


#: How :func:`open_writer` names the fields of :data:`~scosim.results.VERSION_KEYS`.
_VERSION_NAMES = {"package_version": "scosim", "code_version": "scosim code",
                  "data_version": "data",
                  "network_version": "network tables", "plugin_versions": "plug-ins"}


def _differences(recorded: dict[str, Any], match: dict[str, Any]) -> str:
    """``other plug-ins ('<there>' there, '<here>' here)``, for each field that differs."""
    return "; ".join(f"other {_VERSION_NAMES.get(k, k)} ({v or ''!r} there, "
                     f"{version_value(match, k)!r} here)" for k, v in recorded.items())


def stopped(writer: RunWriter | StoreRunWriter, created: list[Path], n_batches: int,
            exc: BaseException, *, resume: bool = True) -> None:
    """Leave a stopped run as the docs promise, and say in ``exc`` what was left.

    No finished batch: nothing is kept (the partial directory, and the results
    folders this run created, are removed). Otherwise the partial run is unlocked
    and the same command resumes it (without ``--no-resume``, if it was given). The
    sentence is added to ``exc`` as a note, which the CLI prints after its message.
    """
    done = len(writer.done_batches)
    if not done:
        writer.discard()
        remove_empty_dirs(created)
    else:
        writer.release()
    where = getattr(writer, "partial", None) or writer.location
    command = "the same command" if resume else "the same command without --no-resume"
    exc.add_note(kept_note(done, n_batches, where, command=command,
                           finishes="finishes the run"))


def kept_note(done: int, total: int, where: object, *, finishes: str,
              command: str = "the same command") -> str:
    """What a stopped run or sweep kept, and what the same command does with it.

    Args:
        done: Batches finished (0: nothing was kept).
        total: Batches in all.
        where: The partial directory (or URL) that keeps them.
        finishes: What the command does once every batch is done ("finishes the run").
        command: How to call the command again.
    """
    if not done:
        return "no batch had finished, so nothing was kept"
    if done >= total:
        return f"all {total} batches had finished and are kept in {where}; {command} {finishes}"
    return (f"{done} of {total} batches had finished and are kept in {where}; "
            f"{command} resumes from them")
