"""A task that reports how its worker process started; imports nothing of scosim.

Its own module, so that unpickling it in a worker imports no model: whether the
model was already there tells a worker forked from the fork server (which imported
it) from a spawned one (tests/test_worker_start.py).
"""

from __future__ import annotations

import os
import sys
from typing import Any


def _preloaded() -> bool:
    """Whether the model, a built-in plug-in and the calibration were there before the task."""
    cal = sys.modules.get("scosim.data.calibration")
    return ("scosim.model.model" in sys.modules and "scosim.network.corridor" in sys.modules
            and cal is not None and cal._load_cached.cache_info().currsize > 0)


def whose_child(spec: Any) -> tuple[int, str | None, str | None, bool]:
    """(parent pid, OPENBLAS_NUM_THREADS, SCOSIM_TEST_MARK, model and data loaded already)."""
    return (os.getppid(), os.environ.get("OPENBLAS_NUM_THREADS"),
            os.environ.get("SCOSIM_TEST_MARK"), _preloaded())
