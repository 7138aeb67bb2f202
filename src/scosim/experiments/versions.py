"""Package and calibration data versions, and the check that keeps runs from mixing them.

Every batch of a run carries the client's :func:`versions`; a worker with others
refuses it (:func:`check_versions`), and a Dask cluster is asked before the first batch
(:func:`scosim.experiments.dask_run.refuse_other_versions`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from scosim import __version__


class VersionMismatch(RuntimeError):
    """A worker runs another scosim or data version than the client: never mix them."""


def versions() -> dict[str, str]:
    """This process's package and calibration data versions (checked by workers).

    The data version is the calibration's version string, which names the tables by a
    hash of their contents *when they were built*. A table edited since (a worker whose
    copy of ``countries.csv`` was changed by hand) would keep that string and mix other
    numbers into a run unseen, so the files are checked against the hashes the tables'
    ``manifest.json`` records and an edited one is named in the version, with its hash.
    """
    from scosim.data import load_calibration

    cal = load_calibration()
    return {"package": __version__, "data": str(cal.version) + _edited_tables(cal.data_version)}


def _edited_tables(data_version: str) -> str:
    """What to add to the data version for calibration tables edited since they were built.

    ``""``, or ``", edited: <file> (sha256 <prefix>), ..."`` naming each table of
    ``scosim/data/tables/<version>/`` whose bytes differ from its ``manifest.json`` hash.
    """
    from scosim.data import calibration

    return _edited_in(str(calibration.TABLES_DIR / data_version))


@lru_cache(maxsize=4)
def _edited_in(directory: str) -> str:
    # Cached per process: the calibration itself is read once per process too. Hashing
    # the eight tables (about 0.4 MB) takes about a millisecond.
    import hashlib
    import json

    folder = Path(directory)
    try:
        recorded = json.loads((folder / "manifest.json").read_text()).get("tables_sha256", {})
    except (OSError, ValueError):
        return ""  # loading the calibration reports a missing or broken manifest
    edited = []
    for name, want in sorted(recorded.items()):
        try:
            got = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        except OSError:
            got = "missing"
        if got != want:
            edited.append(f"{name} (sha256 {got[:12]})")
    return f", edited: {', '.join(edited)}" if edited else ""


def check_versions(expected: Mapping[str, str]) -> None:
    """Refuse to run a batch when this process's versions differ from the client's.

    Raises:
        VersionMismatch: Naming both versions and the host.
    """
    if not expected:
        return
    differs = version_difference(expected, versions())
    if differs:
        import socket

        raise VersionMismatch(
            f"worker on {socket.gethostname()} (pid {os.getpid()}) refuses the batch: {differs}"
        )


def version_difference(
    client: Mapping[str, str], worker: Mapping[str, str], here: str = "here"
) -> str:
    """What differs between the client's and a worker's :func:`versions`, and what to do.

    Empty when the worker has every version the client names. ``here`` says where the
    worker's versions are (``"here"`` in the worker itself, ``"on the worker"`` elsewhere).
    """
    wrong = {k: (v, worker.get(k)) for k, v in client.items() if worker.get(k) != v}
    if not wrong:
        return ""
    said = "; ".join(f"{k} version {got!r} {here}, {want!r} on the client"
                     for k, (want, got) in wrong.items())
    hints = []
    if "package" in wrong:
        hints.append("install the same scosim on every worker as on the client")
    if "data" in wrong:
        from scosim.data.calibration import VERSION_ENV

        want, got = (str(v or "") for v in wrong["data"])
        if want.split(", edited: ")[0] != got.split(", edited: ")[0]:
            hints.append(f"install the same data on every worker as on the client, and give "
                         f"every worker the client's ${VERSION_ENV}")
        if ", edited: " in want + got:
            hints.append("restore the edited calibration tables (or rebuild them the same "
                         "everywhere: python tools/build_calibration.py)")
    if not hints:
        hints.append("install the same scosim and data on every worker as on the client")
    return f"{said}. To fix: {'; '.join(hints)}"
