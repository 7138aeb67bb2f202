"""The raw data directory of the development tree, and the mark of tests that read it.

The raw files the data build reads are not shipped with the package: they sit beside the
repository in the development tree (``../shared/data/raw``, SOURCES.md there). A test
that reads one is marked with :func:`needs_raw_file` naming the file, and is skipped
where it is absent (an installed package, a checkout without the shared data).
Imported as ``from _raw import RAW, needs_raw_file`` (tests/ is on sys.path, as for
``_corridor_spies``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = ["RAW", "needs_raw_file"]

#: The raw data directory beside the repository.
RAW = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "raw"


def needs_raw_file(name: str) -> pytest.MarkDecorator:
    """Skip the marked test unless the raw file ``name`` (a name under :data:`RAW`) exists.

    Args:
        name: The file a module's tests read, e.g. ``RAW_FILES["gdp"]``; its presence
            stands for the whole directory's.
    """
    return pytest.mark.skipif(
        not (RAW / name).is_file(),
        reason=f"raw data directory {RAW} not available (only in the development tree)",
    )
