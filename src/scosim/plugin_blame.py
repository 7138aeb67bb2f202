"""The note naming the plug-in call a run-time error came from (:func:`blame`).

Split from :mod:`scosim.plugins` (size), which re-exports :func:`blame`. Errors in a
plug-in's ``preview``, ``apply``, ``step`` or ``record`` keep their type; the note
names the plug-in, the call, and, when the error was raised in the plug-in's own
package, the method scosim called there and the file and line of the innermost
frame in it, as validation errors give ``(at file.py:41)``: one line, no traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["blame"]


@contextmanager
def blame(what: str, plugin: Any = None, method: str | None = None) -> Iterator[None]:
    """Name the plug-in call an exception came from, as a note (its type is kept).

    A failed batch is reported as ``batch 0 failed: ValueError: ... (in mechanism
    'x' (network slot), step of 2027: step at /pkg/x.py:41)``
    (:class:`scosim.experiments.executors.BatchError` shows the notes): without it, an
    error in a plug-in's own code named nothing the scenario wrote. Only the innermost
    call is named.

    Args:
        what: The plug-in and the call (``"mechanism 'x' (network slot), step of 2027"``).
        plugin: The plug-in's class or instance: when the error was raised in its own
            package's code, the note adds the method scosim called there and the file
            and line of the innermost frame in that package (what the author edits).
        method: The plug-in's method scosim called (``"record"``): where the error was
            raised in scosim's own check of what the method returned or wrote (an
            undeclared indicator or lever), no frame is the plug-in's, and the note
            names the method's definition instead (``PoolExtra.record at
            /pkg/x.py:12``). Before, those notes named no file (an outside review,
            2026-12-07).
    """
    try:
        yield
    except Exception as exc:
        if not any(n.startswith("in ") for n in getattr(exc, "__notes__", ())):
            where = _plugin_frame(exc, plugin) or _definition(plugin, method)
            exc.add_note(f"in {what}{where}")
        raise


def _definition(plugin: Any, method: str | None) -> str:
    """``": Class.method at <file>:<line>"`` where the plug-in's package defines it, else ``""``.

    Empty for a method the plug-in inherits from scosim (nothing of the author's to show).
    """
    where = _package_files(plugin) if plugin is not None and method else ()
    import inspect

    func = getattr(plugin, method, None) if where and method else None
    # Unwrapped: a Mechanism subclass's step is wrapped by scosim's lever check.
    func = inspect.unwrap(getattr(func, "__func__", func)) if func is not None else None
    code = getattr(func, "__code__", None)
    if code is None:
        return ""
    file = os.path.abspath(code.co_filename)
    if not any(file == w or file.startswith(w) for w in where):
        return ""
    return f": {getattr(code, 'co_qualname', method)} at {code.co_filename}:{code.co_firstlineno}"


def _package_files(obj: Any) -> tuple[str, ...]:
    """Where the package of ``obj``'s class lives: its folder(s), or its one module's file.

    Empty for scosim's own classes (built-ins: their frames would name scosim's code).
    """
    cls = obj if isinstance(obj, type) else type(obj)
    top = str(getattr(cls, "__module__", "")).partition(".")[0]
    module = sys.modules.get(top)
    if module is None or top in ("scosim", "builtins"):
        return ()
    paths = list(getattr(module, "__path__", None) or [])  # a package (or namespace)
    if paths:
        return tuple(os.path.join(os.path.abspath(p), "") for p in paths)
    file = getattr(module, "__file__", None)
    return (os.path.abspath(file),) if file else ()


def _plugin_frame(exc: BaseException, plugin: Any) -> str:
    """``": <method> at <file>:<line>"`` for an error raised in ``plugin``'s package, else ``""``.

    The method is the outermost frame of the package's code (what scosim called), the
    line the innermost one (where it was raised).
    """
    where = _package_files(plugin) if plugin is not None else ()
    if not where:
        return ""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        file = os.path.abspath(tb.tb_frame.f_code.co_filename)
        if any(file == w or file.startswith(w) for w in where):
            frames.append((tb.tb_frame.f_code, tb.tb_lineno))
        tb = tb.tb_next
    if not frames:
        return ""
    method = getattr(frames[0][0], "co_qualname", frames[0][0].co_name)
    return f": {method} at {frames[-1][0].co_filename}:{frames[-1][1]}"
