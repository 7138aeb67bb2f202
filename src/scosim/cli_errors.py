"""How the ``scosim`` command reports what stopped it: messages, errnos, warnings.

Kept apart from :mod:`scosim.cli`'s argument parsing. Light on purpose (standard
library only at import): the classes of the errors it recognises live in heavy
modules and are imported only when an exception reaches the clause that needs them.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path
from typing import NoReturn

#: errno values of a results directory that cannot be written: the user's to fix.
DISK_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS,
                         errno.EACCES, errno.EPERM})


class Parser(argparse.ArgumentParser):
    """``scosim``'s argument parser: its refusals wrapped on a terminal, as :func:`say`'s.

    "scosim run: error: --workers 3 is used only with --executor process ..." ran to 150
    characters; piped, it is one line as before. Subparsers are made of the same class.
    """

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """Exit with ``status``, printing ``message`` to stderr at its terminal's width."""
        if message:
            from scosim.tty_lines import message as fitted
            from scosim.tty_lines import tty_width

            message = fitted(message.rstrip("\n"), tty_width(sys.stderr)) + "\n"
        super().exit(status, message)


def say(what: str, exc: BaseException | None) -> None:
    """Print ``scosim: <what>``, then the notes the error carries (what a run left).

    On a terminal each is wrapped at its width (:func:`scosim.tty_lines.to_stderr`); piped,
    one line each, as scripts and tests match them.
    """
    from scosim.tty_lines import to_stderr

    to_stderr(f"scosim: {what}")
    for note in getattr(exc, "__notes__", ()):
        to_stderr(f"  {note}")


def has_errno(exc: BaseException | None) -> bool:
    """Whether ``exc`` is an OSError that carries an errno."""
    return isinstance(exc, OSError) and exc.errno is not None


def os_error_text(exc: OSError) -> str:
    """``strerror: file`` of an OSError, naming the part of the path that is a file.

    "[Errno 20] Not a directory: 'out/x/.partial-...'" does not say what to fix:
    the first existing part of the path that is not a directory does.
    """
    text = exc.strerror or str(exc)
    if exc.filename is None:
        return text
    text = f"{text}: {exc.filename}"
    if exc.errno == errno.ENOTDIR:
        from scosim.errors import file_in_the_way

        part = file_in_the_way(Path(os.fsdecode(exc.filename)).parent)
        if part is not None:
            text += (f" ({part} is a file, not a directory: give a directory, "
                     "or a path that does not exist yet)")
    return text


def is_terminated(exc: BaseException) -> bool:
    """Whether ``exc`` is the interruption SIGTERM raises (not Ctrl-C)."""
    from scosim.errors import Terminated

    return isinstance(exc, Terminated)


def user_errors() -> tuple[type[BaseException], ...]:
    """The error classes that are the user's to fix (reported without a traceback)."""
    # Evaluated as the except clause matches, while the exception is the one being
    # handled: a scenario error (what `validate` reports) needs only its own light class,
    # not the modules of the others (pandas, the trade kernels: 0.2-0.3 s).
    from scosim.scenario.errors import ScenarioError

    if isinstance(sys.exc_info()[1], ScenarioError):
        return (ScenarioError,)
    from scosim.errors import USER_ERRORS

    return USER_ERRORS


def is_store_error(exc: BaseException) -> bool:
    """Whether ``exc`` comes from an object store that could not be used."""
    from scosim.store_runs import is_store_error as store_error

    return store_error(exc)


def batch_error() -> type[BaseException]:
    """The class of a batch that failed in an executor."""
    from scosim.experiments.executors import BatchError

    return BatchError


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """Print a warning as ``scosim: warning: <message>`` (no file, line or category).

    A :class:`~scosim.errors.ScosimNote` as ``scosim: note: <message>``.

    On a terminal, wrapped at its width (:func:`scosim.tty_lines.to_stderr`): an
    instability warning ran to 348 characters at 80 columns, folded mid-word. Piped, one
    line: tests and scripts match ``scosim: warning: <message>`` whole.
    """
    from scosim.errors import ScosimNote
    from scosim.tty_lines import to_stderr

    # Expected, not a fault (indicators only one run records): said as a note.
    kind = "note" if issubclass(category, ScosimNote) else "warning"
    to_stderr(f"scosim: {kind}: {message}")
