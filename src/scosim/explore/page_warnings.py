"""scosim's warnings, kept while the page runs or compares and shown on the page.

``scosim run`` and ``scosim compare`` print them as ``scosim: warning: ...``; a
Streamlit server sent them to its stderr only, out of the reader's sight ("the
instability is above the ceiling: a stress test", "policy and baseline simulate
different economies"). :func:`recorded` keeps them; :func:`show` draws them by the
result they belong to. A :class:`~scosim.errors.ScosimNote` (``scosim: note: ...``, e.g.
the indicators only one run records) is kept as a :class:`Note` and drawn as a note, not
among the warnings.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import streamlit as st

from scosim.errors import ScosimNote
from scosim.run_warnings import is_own

__all__ = ["Note", "markdown_text", "recorded", "show"]


class Note(str):
    """A kept message the CLI prints as ``scosim: note: ...``: expected, not a fault.

    A ``str`` still (the page's lists, their membership tests and JSON keep working); its
    type tells :func:`show` to draw it as a note rather than a warning.
    """

    __slots__ = ()

#: Characters Streamlit's Markdown would read as markup: ``$...$`` as LaTeX, ``:name:`` as
#: an emoji, ``*``/``_`` as emphasis; escaped so the warning reads as the CLI prints it.
_MARKUP = re.compile(r"([\\`*_\[\]<>#|~$:])")

#: Each thread's open sections (innermost last): the messages each has kept so far.
_local = threading.local()
#: Guards the hook's installation and the filter's, across threads.
_lock = threading.Lock()
#: What ``warnings.showwarning`` was when :func:`_hook` took its place.
_original: Any = None
#: The filter a section makes sure of: at the end of the list, so that a filter the
#: process set (an ignored warning) still applies; without it the once-per-location
#: registry would keep from a section a warning another session (or an earlier run)
#: raised at the same line.
_ALWAYS = ("always", None, UserWarning, None, 0)


def _stack() -> list[list[str]]:
    """This thread's open sections' lists, innermost last."""
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def _hook(message: Warning | str, category: type[Warning], filename: str, lineno: int,
          file: TextIO | None = None, line: str | None = None) -> None:
    """``warnings.showwarning`` of the process: keeps a recording thread's scosim warnings.

    Any other warning (a library's ``UserWarning`` too: it means nothing to the policy
    reader), or one raised in a thread with no open section, goes to the hook this one
    replaced (the server's log).
    """
    stack = _stack()
    if stack and issubclass(category, UserWarning) and is_own(category, filename):
        text = str(message)
        # The CLI's "note:" rather than "warning:" (cli_errors): the page tells them apart too.
        if issubclass(category, ScosimNote):
            text = Note(text)
        if text not in stack[-1]:
            stack[-1].append(text)
        return
    _original(message, category, filename, lineno, file, line)


def _install() -> None:
    """Make :func:`_hook` the process's ``showwarning`` and :data:`_ALWAYS` a filter.

    Again where a ``catch_warnings`` (pytest's, a test's) has put back what it found; the
    filter stays once added (taking it out while another thread's section is open would
    lose that section's repeated warnings; the server's log shows each one every time).
    """
    global _original
    with _lock:
        if warnings.showwarning is not _hook:
            _original = warnings.showwarning
            warnings.showwarning = _hook
        if _ALWAYS not in warnings.filters:
            # Also clears the registries (the filters changed), as catch_warnings did.
            warnings.filterwarnings("always", category=UserWarning, append=True)


# At import, before any session runs: the library's own catch_warnings() blocks, in
# session threads, then save and put back this hook, never one from before it.
_install()


@contextmanager
def recorded(into: list[str]) -> Iterator[list[str]]:
    """Append to ``into`` the text of each scosim warning this thread raises inside, once each.

    Streamlit serves each session in its own thread, so a section keeps its own thread's
    warnings only: a process-wide ``warnings.catch_warnings(record=True)`` (until
    2026-12-06) swapped ``warnings.showwarning`` for every thread, and two overlapping
    sessions left the first one's recorder installed, which then swallowed every later
    warning of the process. Here one hook, installed once, keeps a warning for the
    thread's innermost open section and passes every other to the hook it replaced. A
    lock around the section would have been simpler, but would run one session at a time.

    Only scosim's own warnings are kept (:func:`scosim.run_warnings.is_own`: a
    :class:`~scosim.errors.ScosimWarning`, or raised from a file of the package). Other
    warnings (a library's ``FutureWarning`` or ``UserWarning``) are for the server's log:
    they are printed there as before. The process's filters still apply (an ignored warning stays
    ignored); a UserWarning no filter decides is shown every time, in every thread, so
    that each section sees its own even if raised before. Warnings of threads or
    processes the section starts are not kept.

    Args:
        into: The page's list of warnings; messages already in it are not added again.

    Yields:
        ``into``, filled as the section exits.
    """
    caught: list[str] = []
    _install()
    _stack().append(caught)
    try:
        yield into
    finally:
        _stack().pop()
        for text in caught:
            if text not in into:  # a comparison read twice warns twice
                into.append(text)


def markdown_text(message: str) -> str:
    """``message`` escaped for Streamlit's Markdown, so the page shows it verbatim."""
    return _MARKUP.sub(r"\\\1", message)


def show(messages: list[str], key: str) -> None:
    """One ``st.warning`` per warning, then one ``st.info`` per :class:`Note`, keyed ``key``.

    Notes in a container of their own (``key`` + ``-notes``), after the warnings: "the
    indicators only one run records" is expected of a corridor against a baseline without
    one, and sat in the yellow warnings as if something had gone wrong.

    Args:
        messages: Warnings and notes kept by :func:`recorded`.
        key: The warnings' container key (``page-warnings-run``, ``page-warnings-compare``).
    """
    said = [m for m in messages if not isinstance(m, Note)]
    notes = [m for m in messages if isinstance(m, Note)]
    if said:
        with st.container(key=key):
            for message in said:
                st.warning(markdown_text(message))
    if notes:
        with st.container(key=f"{key}-notes"):
            for message in notes:
                st.info(markdown_text(f"Note: {message}"))
