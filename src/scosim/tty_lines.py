"""Lines printed around a table, fitted to the terminal's width when they go to one.

``scosim compare``'s table fits an 80-column terminal (:func:`scosim.compare_terminal.
fit_terminal`), but the lines around it did not: "Votes: ..." was wrapped at 95, the
``policy:``, ``baseline:`` and ``report:`` lines ran to 88-121 characters, and stderr's
"reusing the finished run ..." to 230, each folded by the terminal mid-word. On a
terminal, prose is now wrapped at its width (never inside a path or a `command`, which a
reader copies whole), and a labelled path that does not fit beside its label goes on a
line of its own. A path longer than the terminal is left whole: broken at a slash it
could not be pasted, and the terminal's own folding keeps it one string to select.
Piped or redirected, every line is as before: scripts and logs read them.

A run's answer (``summary.txt``, what ``scosim run`` and ``scosim show`` print) is laid
out once, at :data:`ANSWER_WIDTH`, by :func:`answer_lines` and its modules' own wrapping:
the file and the printout are the same text, piped or not.

What goes to stderr (``scosim: warning: ...``, ``scosim: error: ...``, "resuming the
interrupted run ...") is written by :func:`to_stderr`: on a terminal each line is wrapped
at its width, its continuation lines indented so a wrapped warning reads as one item (a
348-character instability warning was one line, folded mid-word); piped, each message
stays one line, as tests and scripts match ``scosim: warning: <message>`` line by line.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Sequence
from typing import TextIO

__all__ = ["ANSWER_WIDTH", "PROSE_WIDTH", "answer_lines", "labelled", "message", "prose",
           "to_stderr", "tty_width", "whole"]

#: The widest prose is wrapped at, as the piped output wraps it: longer lines are hard to
#: read even on a wide terminal.
PROSE_WIDTH = 95
#: The width of a run's answer (``summary.txt``, what ``scosim run`` and ``scosim show``
#: print): its prose fits an 80-column terminal. One width, not the terminal's: the
#: answer is written into the run once and printed as written, so what a user sees is
#: what the file holds, piped or not.
ANSWER_WIDTH = 80
#: An option and its value, kept on one line on a terminal: ``--set key=value`` always,
#: another option where its value looks like one (a number, a path, ``k=v``, a quote,
#: ``<x>``): "--rerun to" may part, "--workers 4" and "--out results/x" may not.
_OPTION = re.compile(r"(--set|--[a-z][a-z-]*(?= [-0-9./~'\"<]| \S*[0-9=/:])) ")
#: A number as the answer prints it: "-0.08", "+1,119", "US$412", "2035".
_NUMBER = r"[-+\u2212]?(?:US\$)?\d[\d,]*(?:\.\d+)?"
#: The space before a number: a line never begins with one ("concern" / "-0.27"); one in
#: brackets may ("(-0.55 %)"), or "runs (5-95 % of runs)" would go down as one piece.
_NUM_AFTER = re.compile(rf"(?<=\S) (?={_NUMBER})")
#: A range or count, "-0.08 to +0.01", "2.18 -> 3.89", "1 of 6" (its second space is
#: glued by _NUM_AFTER first).
_RANGE = re.compile(rf"(?<![\w.])[(]?{_NUMBER}[%)]? (?:to|->|of)(?=\0)")
#: The space between a number and its unit: "100 %", "6 runs", "2 years", "US$ 4 bn".
_UNIT = re.compile(r"(?<=\d) (?=(?:%|pp|bn|m|runs?|years?|points?|replications?|TEU)(?![\w-]))")

#: "1 replication a point" is one figure: at 80 columns the sweep's closing line put
#: "a point" under "1 replication" (the last-word rule keeps only "a point" together).
_PER = re.compile(r"\b(replications?) a (point)\b")


def _glued(text: str, *, options: bool = True) -> str:
    """``text`` with NULs for the spaces a line must not break at.

    Those inside a `command` and (with ``options``) between an option and its value.
    """
    text = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), text)
    return _OPTION.sub("\\1\0", text) if options else text


def tty_width(stream: TextIO) -> int | None:
    """The width of the terminal ``stream`` writes to; None where it is not a terminal."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return None
    return shutil.get_terminal_size().columns


def prose(text: str, width: int | None, *, indent: str = "") -> str:
    """``text`` wrapped at ``width`` (at most :data:`PROSE_WIDTH`); as it is where None.

    Never broken inside a word (a path), at a hyphen (``--rerun``), inside a
    backticked command nor between ``--set`` and its ``key=value``. ``indent`` begins
    each line after the first.
    """
    if width is None:
        return text
    glued = _glued(text)
    lines = textwrap.wrap(glued, min(width, PROSE_WIDTH), subsequent_indent=indent,
                          break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines).replace("\0", " ") if lines else text


def _figures_kept(text: str, width: int) -> str:
    """``text`` with NULs where a break would part a figure from what reads with it.

    A number never begins a line (its label, "to", "US$" or "in" stays with it), a range
    "x to y" or "x -> y" is one item, a number keeps its unit ("6 runs", "100 %"), and
    the last word of a paragraph is not left alone on its line where it and the word
    before fit in half the width (not a `command`, which may be wider than a line).
    """
    text = _NUM_AFTER.sub("\0", text)
    text = _RANGE.sub(lambda m: m.group(0).replace(" ", "\0"), text)
    text = _UNIT.sub("\0", text)
    text = _PER.sub("\\1\0a\0\\2", text)
    head, sep, last = text.rpartition(" ")
    tail = head[head.rfind(" ") + 1:] + " " + last
    if sep and "`" not in tail and len(tail) <= width // 2:
        text = f"{head}\0{last}"
    return text


def answer_lines(text: str, width: int = ANSWER_WIDTH, *, indent: str = "",
                 subsequent: str | None = None) -> list[str]:
    """``text`` wrapped for the run's answer, never inside a `command` nor in a figure.

    As :func:`prose` at a fixed ``width``, a figure kept with its label, range and unit
    (:func:`_figures_kept`: "welfare -0.08 to +0.01", "RUS 100 %", "6 runs") and no
    word alone on the last line; empty for an empty ``text``. ``indent`` begins the
    first line, ``subsequent`` (default ``indent``) the others: a paragraph of the
    answer is one string wrapped once here, so no word is left alone on a line
    between its pieces.
    """
    # Options are not glued: the answer's layout (summary.txt) is as it was.
    glued = _figures_kept(_glued(text, options=False), width)
    return [line.replace("\0", " ") for line in textwrap.wrap(
        glued, width, initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_on_hyphens=False, break_long_words=False)]


def whole(text: str) -> str:
    """``text`` that :func:`answer_lines` keeps on one line ("members +38.4 (+31.1 to +45.1)").

    A figure and its band read as one item; broken after "to", the band is split from
    its figure.
    """
    return text.replace(" ", "\0")


def labelled(label: str, items: Sequence[str], width: int | None, pad: int, *,
             together: bool = True) -> list[str]:
    """A label and its paths: ``label`` padded to ``pad``, then the items, as fits ``width``.

    Piped (``width`` None) or where it fits: the items after the label on one line (with
    ``together``; else each on its own line aligned at ``pad``, as ``report:``'s two
    files). Where that does not fit, each item on its own line aligned at ``pad``, or,
    where one would not fit there, the label alone and each item on its own line
    indented by two. An item longer than that is left whole (see the module docstring).

    Args:
        label: ``"policy:"``.
        items: The path and what follows it (``"(scenarios/x.yaml)"``).
        width: The terminal's width, or None.
        pad: The column the items begin at after the label.
        together: Whether the items share a line where they fit.
    """
    one = f"{label:<{pad}}" + " ".join(items)
    stacked = [f"{label:<{pad}}{items[0]}", *(" " * pad + i for i in items[1:])]
    if together and (width is None or len(one) <= width):
        return [one]
    if width is None or all(pad + len(i) <= width for i in items):
        return stacked
    return [label, *(f"  {i}" for i in items)]


def message(text: str, width: int | None, *, indent: str = "  ",
            figures: bool = False) -> str:
    """A message for stderr, each of its lines wrapped as :func:`prose`; as it is where None.

    A line's own leading spaces are kept, and its continuation lines are indented by
    ``indent`` more, so a wrapped warning or error reads as one item and the problems of
    a multi-line error stay one to a line. With ``figures``, a figure stays with its label,
    range and unit and no word is left alone on a line, as in :func:`answer_lines`
    (:func:`_figures_kept`): ``scosim sweep``'s prose ended a line with a lone "1"
    ("... seed 20250101, 1" above "replication a point").
    """
    if width is None:
        return text
    out = []
    for line in text.split("\n"):
        own = line[:len(line) - len(line.lstrip(" "))]
        glued = _glued(line[len(own):])
        if figures:
            glued = _figures_kept(glued, min(width, PROSE_WIDTH) - len(own))
        # The line's own indent is given as initial_indent: textwrap keeps leading spaces.
        wrapped = textwrap.wrap(glued, min(width, PROSE_WIDTH),
                                initial_indent=own, subsequent_indent=own + indent,
                                break_long_words=False, break_on_hyphens=False)
        out.append("\n".join(wrapped).replace("\0", " ") if wrapped else line)
    return "\n".join(out)


def to_stderr(text: str) -> None:
    """Print ``text`` to stderr: at its terminal's width (:func:`message`), else as it is."""
    import sys

    print(message(text, tty_width(sys.stderr)), file=sys.stderr)
