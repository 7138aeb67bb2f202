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
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

#: errno values of a results directory that cannot be written: the user's to fix.
DISK_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS,
                         errno.EACCES, errno.EPERM})


#: 128 + SIGPIPE (13 on Linux and macOS): the status a shell reports for a writer killed by
#: its closed pipe (``yes | head``), so ``set -o pipefail`` scripts recognise it. Not 1,
#: which ``scosim`` gives a failed batch, nor 2, a user error.
EXIT_PIPE_CLOSED = 141


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

    try:
        to_stderr(f"scosim: {what}")
        for note in getattr(exc, "__notes__", ()):
            to_stderr(f"  {note}")
    except BrokenPipeError:
        # Stderr's reader has gone (`2>&1 | head`): nowhere to say it, and nothing is
        # flushed into the closed pipe at exit (a traceback about the error message).
        _to_devnull(sys.stderr)


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
    if issubclass(category, ScosimNote):
        note_once(str(message))
        return
    to_stderr(f"scosim: warning: {message}")


#: The notes said by the command running (:func:`note_once`); None outside a command
#: (:func:`notes_said_once`), where every note is printed.
_NOTES_SAID: list[set[str]] = []


def note_once(text: str, key: str | None = None) -> None:
    """Print ``scosim: note: <text>`` unless the command has said the note ``key`` already.

    A declared stress test is noted by each run of it, then by ``scosim compare`` again
    from each compared run's manifest: four lines of one fact. ``key``: what identifies
    the note (default ``text``), e.g. the run's message without its "policy run: ".
    """
    from scosim.tty_lines import to_stderr

    key = text if key is None else key
    if _NOTES_SAID:
        if key in _NOTES_SAID[-1]:
            return
        _NOTES_SAID[-1].add(key)
    to_stderr(f"scosim: note: {text}")


def notes_said_once(main: Callable[..., int | None], *args: Any) -> int | None:
    """``main(*args)`` with each note said once (:func:`note_once`): a command's scope.

    Not a module-wide memory: a second command in one process (a test, a notebook
    calling :func:`scosim.cli.main` twice) says its notes again.
    """
    _NOTES_SAID.append(set())
    try:
        return main(*args)
    finally:
        _NOTES_SAID.pop()


def _gone(stream: Any) -> bool | None:
    """Whether ``stream``'s reader has closed its end (``| head`` has read enough).

    A BrokenPipeError can also come from a worker's or a cluster's connection: that one
    is an error to report. poll() flags a pipe or socket without a reader with POLLERR
    (Linux) or POLLHUP (macOS). None where poll() is missing (Windows): it cannot be
    told from here.
    """
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a test's capture
        return False
    import select

    if not hasattr(select, "poll"):
        return None
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(ev & (select.POLLERR | select.POLLHUP) for _, ev in poller.poll(0))


def _streams() -> tuple[Any, Any]:
    """Standard output and error as the process holds them (under a guard, the stream)."""
    return tuple(getattr(s, "_stream", s) for s in (sys.stdout, sys.stderr))  # type: ignore[return-value]


def closed_output() -> tuple[type[BaseException], ...]:
    """For an except clause: the exception being handled, if it is a closed output's.

    A BrokenPipeError of standard output or error (``2>&1 | head``), or the SystemExit
    rich raises for one (its ``Console.on_broken_pipe`` has already pointed standard
    output at devnull). Empty (matching nothing) for any other exception, which goes on
    to the clauses after: a worker's BrokenPipeError, and, without poll() (Windows),
    one that escaped the guards of :func:`run_printing`, whose pipe cannot be told.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, BrokenPipeError) and any(_gone(s) for s in _streams()):
        return (BrokenPipeError,)
    if (isinstance(exc, SystemExit) and exc.code == 1
            and isinstance(exc.__context__, BrokenPipeError)):
        return (SystemExit,)
    return ()


def _to_devnull(stream: Any) -> None:
    """Point ``stream``'s descriptor at devnull: its buffer is not flushed into a closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - no descriptor
        pass


def output_closed_exit() -> int:
    """Stop writing to a closed standard output or error; :data:`EXIT_PIPE_CLOSED`.

    As the Python docs' "Note on SIGPIPE" (module signal) says: the closed stream is
    pointed at devnull, so that what is still buffered is not flushed into the closed pipe
    at exit ("Exception ignored ... BrokenPipeError", status 120). No message: the reader
    chose to stop reading, and stderr may be the pipe that closed.
    """
    for stream in _streams():
        if _gone(stream) is not False:  # closed, or not to be told (no poll)
            _to_devnull(stream)
    return EXIT_PIPE_CLOSED


class _PrintingStops:
    """``sys.stdout`` or ``sys.stderr`` while a command runs: a reader gone stops the printing.

    The first write that meets a closed stream points it at devnull (:func:`_to_devnull`);
    the command goes on and writes its results (a run's tables and plots, ``scosim
    exits``' figure, drawn after its table is printed) as if it were read, and its exit
    status is then :data:`EXIT_PIPE_CLOSED`. A warning written to a stderr whose reader
    has gone (``2>&1 | head -2``) stops nothing either. Everything else is the stream's own.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.gone = False

    def _guarded(self, method: str, *args: Any) -> Any:
        if self.gone:
            return len(args[0]) if method == "write" else None
        try:
            return getattr(self._stream, method)(*args)
        except BrokenPipeError:
            # Raised by this stream's own write: its pipe, unless poll() says the stream
            # is fine (a replaced stream's); without poll() (Windows) taken at its word.
            if _gone(self._stream) is False:
                raise
            self.gone = True
            _to_devnull(self._stream)
            return len(args[0]) if method == "write" else None

    def write(self, text: str) -> int:
        """Write ``text``; once the reader has gone, nothing (and no error)."""
        return self._guarded("write", text)

    def writelines(self, lines: Any) -> None:
        """Write each of ``lines``, as :meth:`write`."""
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Flush the stream; once the reader has gone, nothing (and no error)."""
        self._guarded("flush")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def run_printing(main: Callable[..., int | None], *args: Any) -> int | None:
    """``main(*args)`` with a closed standard output or error stopping only its printing.

    Its exit status, or :data:`EXIT_PIPE_CLOSED` when it succeeded but a reader had gone
    (a failure's own status stands). Both streams are flushed here, so a pipe closed
    after the last print is found now rather than at exit. A BrokenPipeError that still
    escapes (a write to ``sys.stdout.buffer``) is the caller's to take with
    :func:`closed_output`.
    """
    guards = _PrintingStops(sys.stdout), _PrintingStops(sys.stderr)
    sys.stdout, sys.stderr = guards
    try:
        code = main(*args)
        for guard in guards:
            guard.flush()
    finally:
        if sys.stdout is guards[0]:
            sys.stdout = guards[0]._stream
        if sys.stderr is guards[1]:
            sys.stderr = guards[1]._stream
    gone = any(guard.gone for guard in guards)
    return EXIT_PIPE_CLOSED if gone and not code else code


def run_command(main: Callable[..., int | None], *args: Any) -> int | None:
    """``main(*args)``, its exit status; :data:`EXIT_PIPE_CLOSED` if its reader stopped reading.

    For every ``python -m scosim.X`` and ``tools/*.py`` entry point:
    ``sys.exit(run_command(main, sys.argv[1:]))``. The work goes on to its end
    (:func:`run_printing`); no message, no traceback.
    """
    try:
        return run_printing(main, *args)
    except closed_output():
        return output_closed_exit()
