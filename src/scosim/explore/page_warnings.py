"""The library's warnings, kept while the page runs or compares and shown on the page.

``scosim run`` and ``scosim compare`` print them as ``scosim: warning: ...``; a
Streamlit server sent them to its stderr only, out of the reader's sight ("the
instability is above the ceiling: a stress test", "policy and baseline simulate
different economies"). :func:`recorded` keeps them; :func:`show` draws them by the
result they belong to.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

__all__ = ["markdown_text", "recorded", "show"]

#: Characters Streamlit's Markdown would read as markup: ``$...$`` as LaTeX, ``:name:`` as
#: an emoji, ``*``/``_`` as emphasis; escaped so the warning reads as the CLI prints it.
_MARKUP = re.compile(r"([\\`*_\[\]<>#|~$:])")


@contextmanager
def recorded(into: list[str]) -> Iterator[list[str]]:
    """Append to ``into`` the text of each ``UserWarning`` raised inside, once each.

    Other warnings (a library's ``FutureWarning``) are for the server's log: they are
    printed there as before. The process's filters still apply (an ignored warning stays
    ignored). Python's warning state is the process's: a warning another session raises
    at the same moment may be kept here too.

    Args:
        into: The page's list of warnings; messages already in it are not added again.

    Yields:
        ``into``.
    """
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            yield into
    finally:
        for w in caught:
            if issubclass(w.category, UserWarning):
                text = str(w.message)
                if text not in into:  # a comparison read twice warns twice
                    into.append(text)
            else:
                warnings.showwarning(w.message, w.category, w.filename, w.lineno,
                                     w.file, w.line)


def markdown_text(message: str) -> str:
    """``message`` escaped for Streamlit's Markdown, so the page shows it verbatim."""
    return _MARKUP.sub(r"\\\1", message)


def show(messages: list[str], key: str) -> None:
    """One ``st.warning`` per message, in a container keyed ``key`` (none if no message).

    Args:
        messages: Warnings kept by :func:`recorded`.
        key: The container's key (``page-warnings-run``, ``page-warnings-compare``).
    """
    if not messages:
        return
    with st.container(key=key):
        for message in messages:
            st.warning(markdown_text(message))
