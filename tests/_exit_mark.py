"""Preloaded by a test's fork server before the model: at the server's interpreter
teardown it writes the file named by ``SCOSIM_TEST_EXIT_MARK``, so a test can tell
whether the server tore its interpreter down (tests/test_worker_start.py)."""

from __future__ import annotations

import atexit
import os


def _mark() -> None:
    path = os.environ.get("SCOSIM_TEST_EXIT_MARK")
    if path:
        with open(path, "w") as fh:
            fh.write(str(os.getpid()))


atexit.register(_mark)
