"""How ``scosim compare``'s table is laid out on a terminal: cells, columns, groups.

:class:`SummaryTable` (the table as text, which the terminal and the explorer show), its
split into one table per indicator (:func:`indicator_groups`), the column widths that
fit a terminal (:func:`fitting`), and the rich table drawn from it (:func:`rich_table`),
whose number columns line up on the decimal point (:func:`decimal_aligned`). Moved out
of :mod:`scosim.compare_terminal` (which re-exports the public names) to keep that
module under 600 lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

__all__ = ["SummaryTable", "decimal_aligned", "fitting", "indicator_groups", "rich_table"]


@dataclass(frozen=True)
class SummaryTable:
    """The table ``scosim compare`` prints, as text: what the terminal and the explorer show.

    Attributes:
        title: Lines above the table (the year and a shared indicator's unit included).
        columns: Headings: the keys (a unit column after the indicator), then ``mean``,
            ``median`` (of the same paired differences, when the summary has it), the
            interval's name, the spread of runs (``5-95 % range of runs``, when the
            rows carry it), ``share > 0`` and ``runs``.
        rows: Each row's cells as printed (US$ in US$ bn, shares in percent).
        news: Per row, the colour of its mean: ``"green"`` good news, ``"red"`` bad,
            ``""`` neither.
        notes: What was left out and why (rows without a change, without a paired run,
            beyond ``max_rows``), one sentence each.
        drawn: Whether the table is shown: an empty table's frame says nothing.
    """

    title: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    news: tuple[str, ...]
    notes: tuple[str, ...]
    drawn: bool

    def frame(self) -> pd.DataFrame:
        """The rows as a table of text, under the printed headings."""
        return pd.DataFrame(list(self.rows), columns=list(self.columns), dtype=object)


def indicator_groups(table: SummaryTable) -> list[SummaryTable]:
    """A table with indicator and unit columns, as one table per indicator.

    Each group's title is ``"<indicator>: <unit>"`` (as a table of one indicator says it)
    and its rows keep the other columns: the unit, up to 85 characters, was repeated on
    every row. Groups are in the order the indicators first appear (the table's order).
    A table without both columns is returned as it is, in a list of one.
    """
    cols = list(table.columns)
    if "indicator" not in cols or "unit" not in cols:
        return [table]
    i, u = cols.index("indicator"), cols.index("unit")
    keep = [k for k in range(len(cols)) if k not in (i, u)]
    groups: dict[tuple[str, str], list[int]] = {}
    for k, row in enumerate(table.rows):
        groups.setdefault((row[i], row[u]), []).append(k)
    return [SummaryTable(
        title=(f"{ind}: {unit}" if unit else ind,),
        columns=tuple(cols[k] for k in keep),
        rows=tuple(tuple(table.rows[r][k] for k in keep) for r in rows),
        news=tuple(table.news[r] for r in rows),
        notes=(), drawn=True) for (ind, unit), rows in groups.items()]


def parts(table: SummaryTable) -> list[SummaryTable]:
    """The tables a terminal draws: the table whole, or one per indicator."""
    groups = indicator_groups(table)
    return [table] if len(groups) == 1 else groups


#: Columns of counts and shares, right-aligned as they are (no decimals to line up).
_NOT_ALIGNED = ("share > 0", "runs")
#: An interval's cell: its low end, then its high end.
_INTERVAL = re.compile(r"^(\S+) to (\S+)$")


def _on_the_point(cells: Sequence[str]) -> list[str]:
    """``cells`` (numbers, "0", "n/a", "–") padded so that their decimal points line up.

    The part before the point right-aligned, the point and what follows left-aligned: a
    cell without a point ("0", "n/a", "+62", "+12,340") ends where the others' integers
    end, blanks in place of their decimals.
    """
    split = [c.partition(".") for c in cells]
    left = max(len(a) for a, _, _ in split)
    right = max(len(p + b) for _, p, b in split)
    return [a.rjust(left) + (p + b).ljust(right) for a, p, b in split]


def _aligned_column(cells: Sequence[str]) -> list[str]:
    """A column's cells on the decimal point; an interval's two ends each on theirs.

    A cell that is neither a number nor an interval ("0 but 1 run -2,048": most runs do
    not differ) is left as it is, right-aligned by the table.
    """
    out = list(cells)
    single = [k for k, c in enumerate(cells) if " " not in c.strip()]
    pairs = [(k, m) for k, c in enumerate(cells) if (m := _INTERVAL.match(c))]
    if single:
        for k, c in zip(single, _on_the_point([cells[k] for k in single]), strict=True):
            out[k] = c
    if pairs:
        lows = _on_the_point([m[1] for _, m in pairs])
        highs = _on_the_point([m[2] for _, m in pairs])
        for (k, _), lo, hi in zip(pairs, lows, highs, strict=True):
            out[k] = f"{lo} to {hi}"
    return out


def decimal_aligned(table: SummaryTable) -> SummaryTable:
    """``table`` with its number and interval cells padded to line up on the decimal point.

    Each indicator's rows apart (its decimals are its own, :mod:`scosim.number_cells`):
    right-aligned, "0" and "n/a" sat under the last decimal of "+0.2341", an interval's
    low ends moved with the width of its high ends ("-0.2615 to +3.1376" under "+17.3778
    to +39.7818"), and a row rounded to its own CI ("-62") would have put its units
    digit under the others' last decimal. Rows keep their text otherwise.
    """
    cols = list(table.columns)
    if not table.rows or "mean" not in cols:
        return table
    first = cols.index("mean")
    keys = [cols.index(c) for c in ("indicator", "unit") if c in cols]
    groups: dict[tuple[str, ...], list[int]] = {}
    for k, row in enumerate(table.rows):
        groups.setdefault(tuple(row[j] for j in keys), []).append(k)
    rows = [list(r) for r in table.rows]
    for j in range(first, len(cols)):
        if cols[j] in _NOT_ALIGNED:
            continue
        for members in groups.values():
            for k, cell in zip(members, _aligned_column([rows[k][j] for k in members]),
                               strict=True):
                rows[k][j] = cell
    return replace(table, rows=tuple(tuple(r) for r in rows))


class _Right:
    """A cell right-aligned in its column, its own blanks kept (rich strips a line's end).

    Rich's right justification strips trailing blanks, which undid
    :func:`decimal_aligned`'s padding of "0" and "n/a". Never folded: it measures as
    wide as its longest line.
    """

    def __init__(self, text: str, style: str = "") -> None:
        self.lines = text.split("\n")
        self.style = style

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        n = max(len(line) for line in self.lines)
        return Measurement(n, n)

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from rich.segment import Segment
        from rich.style import Style

        style = Style.parse(self.style) if self.style else None
        for line in self.lines:
            yield Segment(" " * max(options.max_width - len(line), 0))
            yield Segment(line, style)
            yield Segment.line()


def rich_table(table: SummaryTable, widths: Sequence[int] | None = None) -> Any:
    """``table``'s rows as a rich Table, each mean coloured as news (min. column widths).

    The statistics' cells (:class:`_Right`) keep :func:`decimal_aligned`'s blanks.
    """
    from rich.table import Table

    out = Table()
    n_keys = table.columns.index("mean")  # the keys, then the statistics
    for k, c in enumerate(table.columns):
        out.add_column(c, justify="right" if k >= n_keys else "left",
                       width=widths[k] if widths else None)
    for cells, colour in zip(table.rows, table.news, strict=True):
        out.add_row(*cells[:n_keys], _Right(cells[n_keys], colour),
                    *(_Right(c) for c in cells[n_keys + 1:]))
    return out


def fitting(groups: Sequence[SummaryTable], width: int) -> list[int] | None:
    """Column widths for ``groups`` within ``width``: headings whole, else folded, else None.

    Folded, a heading is as wide as its longest word; a cell is never folded.
    """
    heads = groups[0].columns
    cells = [max([cell_width(r[k]) for g in groups for r in g.rows]
                 + [len(w) for w in heads[k].split()]) for k in range(len(heads))]
    whole = [max(w, len(c)) for w, c in zip(cells, heads, strict=True)]
    frame = 3 * len(cells) + 1  # borders and padding
    return next((w for w in (whole, cells) if sum(w) + frame <= width), None)


#: A cell of :func:`~scosim.rare_runs.paired_band`: its count, then its values.
RARE_CELL = re.compile(r"^(0 but \d+ runs?) (.+)$")


def cell_width(cell: str) -> int:
    """A cell's width: its longest line (a fitted table may put one on two)."""
    return max(len(line) for line in cell.split("\n"))
