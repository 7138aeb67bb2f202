"""How ``scosim list`` draws its runs on a terminal: the overrides get the width left over.

rich shares a too-narrow terminal among the folding columns alike: on 120 columns the
overrides (the one column that says what a run changed) were folded into 5 characters,
a line per 5 letters, and on 80 every column but the ids was drawn 0 wide. Here the ids
and scenario names are kept whole, the short columns get what they need (the time
``finished`` folds to its date first), columns that say nothing are left out, and the
overrides get the rest. Where even that leaves them too little, each run is printed as a
block of lines instead of a table. Piped output (tab-separated rows) is not drawn here.

Nothing is cut where a reader would misread it (a new user's findings, 2026-12-07): the
overrides break between overrides (at ``, ``), an override wider than its column at its
spaces or after its ``=``, never inside a word (``parameters.trade.deficit`` / ``s="ratio"``
read as two settings); ``finished`` folds between its date and its time, never inside
either; the caption's command (``scosim list | cat``) is never split over two lines; and a
``status`` that is ``complete`` on every row is left out, the caption saying so.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

__all__ = ["MIN_OVERRIDES", "WIDE_OVERRIDES", "ListLayout", "draw_list", "list_layout",
           "wrap_overrides"]

#: Columns never folded: an id or a name over two lines cannot be copied.
WHOLE = ("scenario", "run_id")
#: Narrowest the overrides column is drawn; below it the runs are printed as blocks.
MIN_OVERRIDES = 16
#: Width below which the other columns fold to give the overrides more (about one
#: ``--set`` a line).
WIDE_OVERRIDES = 40
#: Between two overrides in a cell (``format_overrides`` joins ``key=value`` with ``, ``); a
#: ``, `` inside a value (a list's) is not followed by a dotted path and ``=``.
_BETWEEN = re.compile(r", (?=[A-Za-z_][\w.\[\]-]*=)")
#: The caption's command, kept on one line.
EVERY_COLUMN = "scosim list | cat"


class ListLayout(NamedTuple):
    """The drawn list's shape.

    Attributes:
        widths: Each drawn column's text width, in order; ``None`` when the terminal is
            too narrow for a table (one block of lines per run).
        left_out: Columns not drawn because every row says nothing there or repeats
            the run id (``seed``, ``replications``); the caption names them.
    """

    widths: dict[str, int] | None
    left_out: list[str]


def _cells(rows: Sequence[Mapping[str, Any]], col: str) -> list[str]:
    return [_text(row.get(col)) for row in rows]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _in_run_id(row: Mapping[str, Any]) -> bool:
    """Whether the run id ends with the run's seed and replications (``...-s7-r200``)."""
    return _text(row.get("run_id")).endswith(
        f"-s{_text(row.get('seed'))}-r{_text(row.get('replications'))}")


def _longest_word(cells: list[str]) -> int:
    return max((len(w) for c in cells for w in re.split(r"\s+", c) if w), default=0)


def list_layout(rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
                width: int) -> ListLayout:
    """The widths the drawn list gives its columns on a terminal ``width`` characters wide.

    Args:
        rows: The catalogue rows (``scosim.run_catalogue.catalogue_rows``).
        columns: The columns to draw, in order (``overrides`` among them).
        width: The terminal's width in characters.

    Returns:
        The layout: every column its natural width (its longest cell or heading) where the
        terminal allows, the overrides whatever is left; ``widths=None`` when less than
        :data:`MIN_OVERRIDES` would be left with every other column at its narrowest.
    """
    left_out = []
    if rows and all(_in_run_id(r) for r in rows):
        left_out += [c for c in ("seed", "replications") if c in columns]
    # A status the same on every row says nothing a column should be given room for.
    if rows and "status" in columns and all(_text(r.get("status")) == "complete" for r in rows):
        left_out.append("status")
    left_out += [c for c in columns if c == "plugins" and not any(_cells(rows, c))]
    drawn = [c for c in columns if c not in left_out]
    natural = {c: max([len(c), *map(len, _cells(rows, c))]) for c in drawn}
    narrowest = {}
    for c in drawn:
        if c in WHOLE or c == "overrides":
            narrowest[c] = natural[c]
        elif c == "finished":  # its date over its time, each whole
            narrowest[c] = min(natural[c], max([len(c), *(
                len(part) for cell in _cells(rows, c) for part in _date_time(cell))]))
        else:  # a short column folds at its words, its heading kept whole
            narrowest[c] = min(natural[c], max(len(c), _longest_word(_cells(rows, c))))
    # rich's default box: a rule before each column and after the last, one space of
    # padding either side of each cell.
    room = width - (3 * len(drawn) + 1)
    widths = {c: natural[c] for c in drawn}
    others = [c for c in drawn if c != "overrides"]
    if "overrides" not in drawn:
        return ListLayout(widths, left_out)
    # What the overrides lack of WIDE_OVERRIDES, or of their longest override when that
    # is wider (each then on a line of its own); the others fold to give it, the longest
    # first (finished: 25 characters, 14 at its narrowest). Wider than that, the others
    # stay whole on one line and the overrides get all that is left.
    cells = _cells(rows, "overrides")
    longest = max((len(o) + 1 for c in cells for o in _BETWEEN.split(c)), default=0)
    need = min(natural["overrides"], max(WIDE_OVERRIDES, longest))
    short = need - (room - sum(widths[c] for c in others))
    for c in sorted(others, key=lambda c: natural[c] - narrowest[c], reverse=True):
        if short <= 0:
            break
        cut = min(short, widths[c] - narrowest[c])
        widths[c] -= cut
        short -= cut
    widths["overrides"] = min(natural["overrides"], room - sum(widths[c] for c in others))
    # Narrower than a part that cannot be broken, an override would be cut mid-word.
    unbroken = max((len(u) for c in cells for u in _units(c)), default=0)
    if widths["overrides"] < max(min(natural["overrides"], MIN_OVERRIDES), unbroken):
        return ListLayout(None, left_out)
    return ListLayout(widths, left_out)


def _date_time(cell: str) -> list[str]:
    """An ISO time's date and time (``2026-12-07``, ``06:47:13+00:00``); else the cell."""
    date, sep, time = cell.partition("T")
    return [date, time] if sep and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else [cell]


def _units(cell: str) -> list[str]:
    """The parts of an overrides cell no line may split.

    Each override's words, a word cut after its first ``=`` (a path, then its value).
    """
    return [u for word in cell.split() for u in re.split(r"(?<==)(?=.)", word, maxsplit=1)]


def wrap_overrides(cell: str, width: int) -> list[str]:
    """An overrides cell on lines of at most ``width``, broken between overrides.

    An override wider than ``width`` is broken at its spaces (inside a list value), and a
    word of it still too wide after its ``=`` (``parameters.council.decision_rule=`` /
    ``"qualified_majority"``); a part wider than ``width`` alone stays whole.
    """
    items = _BETWEEN.split(cell)
    lines: list[str] = []
    line = ""
    for k, item in enumerate(items):
        piece = item + ("," if k < len(items) - 1 else "")
        if len(line) + bool(line) + len(piece) <= width:
            line += (" " if line else "") + piece
            continue
        if line:
            lines.append(line)
        if len(piece) <= width:
            line = piece
            continue
        line = ""
        for unit in _units(piece):
            glue = " " if line and not line.endswith("=") else ""
            if line and len(line) + len(glue) + len(unit) > width:
                lines.append(line)
                line, glue = "", ""
            line += glue + unit
    return [*lines, line] if line else lines


def _finished(cell: str, width: int) -> str:
    """``finished`` whole, or its date over its time when ``width`` is narrower."""
    return cell if len(cell) <= width else "\n".join(_date_time(cell))


def draw_list(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str,
              width: int) -> None:
    """Print the runs for a terminal ``width`` wide, as :func:`list_layout` lays them out."""
    layout = list_layout(rows, columns, width)
    note = _note(layout.left_out)
    if layout.widths is None:
        _print_blocks(rows, [c for c in columns if c not in layout.left_out], title, width,
                      note)
        return
    # rich is imported only for a table to draw (it is most of the command's start-up).
    from rich.console import Console
    from rich.table import Table

    widths = layout.widths
    table = Table(title=title)
    for col, w in widths.items():
        table.add_column(col, width=w, no_wrap=col in WHOLE,
                         # Folded, not cut: a cut --set ("decision_rule="qual...") hid what
                         # the run was. The overrides and finished come broken already.
                         overflow="fold")
    for row in rows:
        cells = []
        for c in widths:
            text = _text(row.get(c))
            if c == "overrides":
                text = "\n".join(wrap_overrides(text, widths[c]))
            elif c == "finished":
                text = _finished(text, widths[c])
            cells.append(text)
        table.add_row(*cells)
    console = Console(width=width)
    console.print(table)
    if note:  # not rich's caption, which split the command over two lines
        print("\n".join(_fill(note, width)))


def _fill(text: str, width: int) -> list[str]:
    """``text`` on lines of at most ``width`` (20 at least), its command never split."""
    glued = text.replace(EVERY_COLUMN, EVERY_COLUMN.replace(" ", "\0"))
    return [line.replace("\0", " ") for line in textwrap.wrap(
        glued, width=max(width, 20), break_long_words=False, break_on_hyphens=False)]


def _note(left_out: list[str]) -> str | None:
    """The caption saying where the columns left out are."""
    if not left_out:
        return None
    said = []
    if "seed" in left_out:
        said.append("seed, replications: in the run id (-s, -r)")
    if "status" in left_out:
        said.append("status: complete on every run")
    if "plugins" in left_out:
        said.append("plugins: none")
    return "; ".join(said) + f"; every column: {EVERY_COLUMN}"


def _print_blocks(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str,
                  width: int, note: str | None) -> None:
    """Each run as lines: scenario and run id whole, then its other columns, wrapped."""
    print(title)
    for row in rows:
        print()
        print("  ".join(_text(row.get(c)) for c in WHOLE if c in columns))
        for c in columns:
            value = _text(row.get(c))
            if c in WHOLE or not value:
                continue
            if c == "overrides":  # broken between overrides, as in the table
                lines = wrap_overrides(f"{c}: {value}", max(width, 20) - 4)
                print("\n".join(("  " if k == 0 else "    ") + x for k, x in enumerate(lines)))
                continue
            print(textwrap.fill(f"{c}: {value}", width=max(width, 20), initial_indent="  ",
                                subsequent_indent="    ", break_long_words=False,
                                break_on_hyphens=False))
    if note:
        print()
        print("\n".join(_fill(note, width)))
