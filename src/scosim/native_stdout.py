"""Keep a compiled library's stray prints out of a command's answer.

The HiGHS bundled with SciPy 1.17 prints
``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();`` straight to
the C library's standard output whatever its options say (a debug line left in HiGHS
1.12; ERGO-Code/HiGHS issue 2783, jump-dev/HiGHS.jl issue 312). `scosim transfers` met it
at 2,000 runs and above: the line stood at the top of the printed answer. Python's
``contextlib.redirect_stdout`` cannot catch it (the C code writes to file descriptor 1,
not to ``sys.stdout``), so :func:`native_stdout_to_stderr` points descriptor 1 at
standard error while the solver runs: nothing is lost, and the answer on standard output
is the answer alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Iterator

__all__ = ["native_stdout_to_stderr"]


def _flush_c_stdio() -> None:
    """Flush the C library's stdio buffers (a pipe's are written only when full)."""
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError, TypeError):  # pragma: no cover - no C library handle
        pass


@contextlib.contextmanager
def native_stdout_to_stderr() -> Iterator[None]:
    """Within the block, what compiled code writes to descriptor 1 goes to descriptor 2.

    Python's own ``print`` is flushed first and, within the block, lands with it on
    standard error too: the block is for computing, not for printing the answer.
    """
    try:
        fd_out, fd_err = sys.__stdout__.fileno(), sys.__stderr__.fileno()
    except (AttributeError, OSError, ValueError):  # no real descriptors (a notebook)
        yield
        return
    sys.stdout.flush()
    _flush_c_stdio()
    saved = os.dup(fd_out)
    try:
        os.dup2(fd_err, fd_out)
        yield
    finally:
        sys.stdout.flush()
        _flush_c_stdio()  # the C library's buffered lines go where they were written
        os.dup2(saved, fd_out)
        os.close(saved)
