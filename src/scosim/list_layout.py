"""How ``scosim list`` draws its runs on a terminal: the overrides get the width left over.

rich shares a too-narrow terminal among the folding columns alike: on 120 columns the
overrides (the one column that says what a run changed) were folded into 5 characters,
a line per 5 letters, and on 80 every column but the ids was drawn 0 wide. Here the ids
and scenario names are kept whole, the short columns get what they need (the time
``finished`` folds to its date first), columns that say nothing are left out, and the
overrides get the rest. Where even that leaves them too little, each run is printed as a
block of lines instead of a table. Piped output (tab-separated rows) is not drawn here.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

__all__ = ["MIN_OVERRIDES", "WIDE_OVERRIDES", "ListLayout", "draw_list", "list_layout"]

#: Columns never folded: an id or a name over two lines cannot be copied.
WHOLE = ("scenario", "run_id")
#: Narrowest the overrides column is drawn; below it the runs are printed as blocks.
MIN_OVERRIDES = 16
#: Width below which the other columns fold to give the overrides more (about one
#: ``--set`` a line).
WIDE_OVERRIDES = 40
#: Narrowest ``finished`` folds to: its date (``2026-12-07``), the time on the next lines.
MIN_FINISHED = 10


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
    left_out += [c for c in columns if c == "plugins" and not any(_cells(rows, c))]
    drawn = [c for c in columns if c not in left_out]
    natural = {c: max([len(c), *map(len, _cells(rows, c))]) for c in drawn}
    narrowest = {}
    for c in drawn:
        if c in WHOLE or c == "overrides":
            narrowest[c] = natural[c]
        elif c == "finished":
            narrowest[c] = min(natural[c], max(MIN_FINISHED, len(c)))
        else:  # a short column folds at its words, its heading kept whole
            narrowest[c] = min(natural[c], max(len(c), _longest_word(_cells(rows, c))))
    # rich's default box: a rule before each column and after the last, one space of
    # padding either side of each cell.
    room = width - (3 * len(drawn) + 1)
    widths = {c: natural[c] for c in drawn}
    others = [c for c in drawn if c != "overrides"]
    if "overrides" not in drawn:
        return ListLayout(widths, left_out)
    # What the overrides lack of WIDE_OVERRIDES; the others fold to give it, the longest
    # first (finished: 25 characters, 10 at its narrowest). Wider than that, the others
    # stay whole on one line and the overrides get all that is left.
    need = min(natural["overrides"], WIDE_OVERRIDES)
    short = need - (room - sum(widths[c] for c in others))
    for c in sorted(others, key=lambda c: natural[c] - narrowest[c], reverse=True):
        if short <= 0:
            break
        cut = min(short, widths[c] - narrowest[c])
        widths[c] -= cut
        short -= cut
    widths["overrides"] = min(natural["overrides"], room - sum(widths[c] for c in others))
    if widths["overrides"] < min(natural["overrides"], MIN_OVERRIDES):
        return ListLayout(None, left_out)
    return ListLayout(widths, left_out)


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

    table = Table(title=title, caption=note)
    for col, w in layout.widths.items():
        table.add_column(col, width=w, no_wrap=col in WHOLE,
                         # Folded, not cut: a cut --set ("decision_rule="qual...") hid what
                         # the run was.
                         overflow="fold")
    for row in rows:
        table.add_row(*[_text(row.get(c)) for c in layout.widths])
    Console(width=width).print(table)


def _note(left_out: list[str]) -> str | None:
    """The caption saying where the columns left out are."""
    if not left_out:
        return None
    said = []
    if "seed" in left_out:
        said.append("seed, replications: in the run id (-s, -r)")
    if "plugins" in left_out:
        said.append("plugins: none")
    return "; ".join(said) + "; every column: scosim list | cat"


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
            print(textwrap.fill(f"{c}: {value}", width=max(width, 20), initial_indent="  ",
                                subsequent_indent="    ", break_long_words=False,
                                break_on_hyphens=False))
    if note:
        print()
        print(textwrap.fill(note, width=max(width, 20)))
