"""Keep freed memory for reuse in processes that run batches (glibc only).

A batch of runs allocates and frees the same few dozen temporary arrays of
``R x N x N`` doubles every Newton step (1.5 MB each for 250 runs of 28
economies). glibc's default adapts its mmap threshold upwards but still trims
the top of the heap whenever more than twice that threshold is free, so the
pages of those arrays go back to the kernel and are faulted in (and zeroed)
again moments later: about 20,000-30,000 page faults and 15-20 % of the CPU time
of a 250-run batch of ``customs_union.yaml``. :func:`keep_freed_memory` fixes
the mmap threshold at glibc's maximum and trims only above
:data:`TRIM_THRESHOLD` bytes of free heap, so the arrays reuse the same pages.

It changes where memory comes from, never a number the model computes. Peak
resident memory is set by what a batch holds at once, so it does not grow
(``benchmarks/bench_cli.py`` measures it). Set ``SCOSIM_MALLOC=default`` to keep
glibc's defaults. Other C libraries (musl, macOS) are left alone.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_memory", "release_freed_memory"]

#: Allocations up to this size come from the heap (glibc's largest allowed value on 64 bit).
MMAP_THRESHOLD = 32 * 1024 * 1024
#: Free heap kept before glibc returns it to the kernel.
TRIM_THRESHOLD = 256 * 1024 * 1024
# mallopt parameter numbers from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_applied: bool | None = None


def _glibc_function(name: str) -> Any:
    """A function of glibc, the C library this process already uses; None elsewhere."""
    try:
        glibc = os.confstr("CS_GNU_LIBC_VERSION")  # "glibc 2.36"; unset elsewhere
    except (ValueError, OSError, AttributeError):
        glibc = None
    if not glibc or not glibc.startswith("glibc"):
        return None
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None


def keep_freed_memory() -> bool:
    """Set glibc's malloc to keep freed memory for reuse, once per process.

    Returns:
        True if the settings are in force in this process; False on another C
        library, when glibc refused them, or with ``SCOSIM_MALLOC=default``.
    """
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if os.environ.get("SCOSIM_MALLOC", "").strip().lower() == "default":
        return False
    mallopt = _glibc_function("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success; setting the mmap threshold also ends glibc's
    # dynamic adjustment, so the trim threshold set next stays as set. If the first
    # is refused (a 32-bit glibc caps it lower), leave the trim threshold alone too.
    ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    ok = ok and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    _applied = ok
    return ok


def release_freed_memory() -> None:
    """Return freed memory of Arrow's pool and of glibc's heap to the system, now.

    For a process that is about to start others after reading much (a comparison
    before its figure workers): what it freed would otherwise stay resident beside
    theirs. Changes no value, only resident memory; a no-op where unsupported.
    """
    import sys

    if "pyarrow" in sys.modules:  # never import Arrow just to release it
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    malloc_trim = _glibc_function("malloc_trim")
    if malloc_trim is not None:
        malloc_trim(0)
