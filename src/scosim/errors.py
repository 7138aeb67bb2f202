"""Errors a user can cause, shown by the CLI as one clear line without a traceback."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any


class ScosimWarning(UserWarning):
    """A warning scosim itself gives the reader (a stress test, a slip, a damaged batch).

    A ``UserWarning``, so filters and ``pytest.warns(UserWarning)`` still catch it; its
    own class so that the explorer shows the reader scosim's warnings and sends a
    library's ``UserWarning`` to the server's log (:mod:`scosim.run_warnings`).
    """


class ScosimNote(ScosimWarning):
    """Something expected the reader should know, not a fault: ``scosim: note: ...``.

    A :class:`ScosimWarning` (filters, the explorer and ``pytest.warns`` still see it),
    printed by the CLI as a note: indicators a corridor scenario records and the
    baseline does not, left out of a comparison, were told as a warning of 14,168
    rows "present in only one" of the runs, which read as a fault in the pairing.
    """


class Terminated(KeyboardInterrupt):
    """The process was sent SIGTERM (e.g. by a job scheduler or ``kill``).

    Raised in the main thread by the CLI's SIGTERM handler, so a command stops as
    on Ctrl-C: it cleans up what it leaves (a run or a sweep keeps its finished
    batches and stays resumable) instead of dying where it stands. A
    ``KeyboardInterrupt`` so that every ``except KeyboardInterrupt`` cleanup path
    also runs for it.
    """


def file_in_the_way(path: str | os.PathLike[str]) -> Path | None:
    """The part of ``path`` (itself or a parent) that is a file, where a directory goes.

    An output path under a file cannot be made; the commands say which part to fix
    before they run anything. None when every existing part is a directory.
    """
    p = Path(path)
    return next((q for q in (p, *p.parents) if q.exists() and not q.is_dir()), None)


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated


def _redeliver_lost_stop(unraisable: Any) -> None:
    """``sys.unraisablehook``: send SIGTERM again when its :class:`Terminated` was swallowed.

    A signal handler's exception raised while Python runs a finalizer or a weakref
    callback (during garbage collection) cannot propagate: Python prints "Exception
    ignored in ..." and carries on, and the command ran to the end with status 0
    although it had been told to stop. The signal is sent again from another thread,
    a moment later, so the handler runs once the callback has returned, in ordinary code
    (if it lands in another callback, this hook sends it again).
    """
    if isinstance(unraisable.exc_value, Terminated) and signal.getsignal(
            signal.SIGTERM) is _raise_terminated:
        again = threading.Timer(0.05, os.kill, args=(os.getpid(), signal.SIGTERM))
        again.daemon = True
        again.start()
        return
    _previous_hook(unraisable)


_previous_hook = sys.unraisablehook


def stop_on_sigterm() -> Any:
    """Make SIGTERM raise :class:`Terminated` in the main thread; the previous handler.

    ``None`` when the handler cannot be set (not in the main thread): nothing to restore.
    A stop swallowed by a finalizer is sent again (:func:`_redeliver_lost_stop`).
    """
    global _previous_hook
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not in the main thread
        return None
    if sys.unraisablehook is not _redeliver_lost_stop:
        _previous_hook = sys.unraisablehook
        sys.unraisablehook = _redeliver_lost_stop
    return previous


def _user_errors() -> tuple[type[BaseException], ...]:
    from scosim.experiments.executors import ExecutorError
    from scosim.mechanisms.trade import GEConvergenceError, GESanityError
    from scosim.rules.registry import RuleError
    from scosim.scenario import ScenarioError
    from scosim.security.hardening import HardeningConvergenceError

    errors: list[type[BaseException]] = [
        ScenarioError,
        RuleError,
        GEConvergenceError,
        GESanityError,
        HardeningConvergenceError,
        ExecutorError,
        FileNotFoundError,
        FileExistsError,
        NotADirectoryError,
        PermissionError,
        KeyError,
        ValueError,
    ]
    try:
        from scosim.data.build import RawDataError

        errors.append(RawDataError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


def __getattr__(name: str) -> Any:
    # USER_ERRORS imports the modules that define those errors (numpy, the trade
    # kernels): built on first use, so importing Terminated stays cheap.
    if name == "USER_ERRORS":
        value = _user_errors()
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Exceptions the CLI turns into a one-line message and exit status 2 (built on first
#: use, see ``__getattr__``). Set SCOSIM_DEBUG=1 to see the traceback instead.
USER_ERRORS: tuple[type[BaseException], ...]
