"""Errors a user can cause, shown by the CLI as one clear line without a traceback."""

from __future__ import annotations

import signal
from typing import Any


class Terminated(KeyboardInterrupt):
    """The process was sent SIGTERM (e.g. by a job scheduler or ``kill``).

    Raised in the main thread by the CLI's SIGTERM handler, so a command stops as
    on Ctrl-C: it cleans up what it leaves (a run or a sweep keeps its finished
    batches and stays resumable) instead of dying where it stands. A
    ``KeyboardInterrupt`` so that every ``except KeyboardInterrupt`` cleanup path
    also runs for it.
    """


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated


def stop_on_sigterm() -> Any:
    """Make SIGTERM raise :class:`Terminated` in the main thread; the previous handler.

    ``None`` when the handler cannot be set (not in the main thread): nothing to restore.
    """
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not in the main thread
        return None
    return previous


def _user_errors() -> tuple[type[BaseException], ...]:
    from scosim.experiments.executors import ExecutorError
    from scosim.mechanisms.trade import GEConvergenceError, GESanityError
    from scosim.rules.registry import RuleError
    from scosim.scenario import ScenarioError

    errors: list[type[BaseException]] = [
        ScenarioError,
        RuleError,
        GEConvergenceError,
        GESanityError,
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
