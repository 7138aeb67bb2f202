"""Imported by the fork server before it forks workers (:mod:`scosim.worker_start`).

It does once, in the server, what every worker's first batch would otherwise do for
itself, about a second of CPU each: import the model and the built-in proposal types
and mechanisms, and read the calibration tables of the data version in use. Workers
forked afterwards share the result. Nothing here changes what a batch computes: a
worker that finds a module or table not loaded here loads it itself.

When the client stops the server, the server leaves with ``os._exit`` instead of
tearing down its interpreter: it holds no files, buffers or threads of its own, and
the teardown of everything loaded here took 0.15-0.25 s, which the client spent
waiting for it before it could exit (:func:`scosim.worker_start.stop`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from multiprocessing import forkserver

import scosim.runner  # noqa: F401
import scosim.stats_feed  # noqa: F401
import scosim.store_runs  # noqa: F401
from scosim.data import load_calibration
from scosim.model.slots import builtin_mechanisms, get_mechanism
from scosim.proposals import builtin_types, get_type


def _in_fork_server() -> bool:
    """Whether this module is being imported by multiprocessing's fork server."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is forkserver.main.__code__:
            return True
        frame = frame.f_back
    return False


#: The fork server's pid when this module was imported by one; else None.
SERVER_PID: int | None = os.getpid() if _in_fork_server() else None


def _exit_now() -> None:
    """Leave the fork server at once (its workers, forked, never run atexit handlers)."""
    if os.getpid() == SERVER_PID:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(0)


if SERVER_PID is not None:
    atexit.register(_exit_now)

# Built-ins only, found without loading installed plug-ins: a plug-in that fails to
# import must not fail the pool of a run that does not use it (one that does fails at
# validation, before any worker starts). Nothing here may fail the server either: a
# worker that needs what was not preloaded loads it and reports its own error.
for _name in builtin_types():
    with contextlib.suppress(Exception):
        get_type(_name)
for _name in builtin_mechanisms():
    with contextlib.suppress(Exception):
        get_mechanism(_name)
# The data version of the environment the server started with, which is the
# workers' (SCOSIM_DATA_VERSION); a worker reports any error with its own batch.
with contextlib.suppress(Exception):
    load_calibration()
