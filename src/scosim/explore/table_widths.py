"""Column widths for the page's tables, where the grid would clip a cell.

Streamlit's table (glide-data-grid) sizes a column to fit its heading and a sample of
its cells: the first nine rows and the last one (all rows of a table of ten or
fewer), and, in a sample of more than five cells, not a cell at least twice the
sample's mean width. A longer cell elsewhere is cut off: in the comparison of
``customs_union`` with ``baseline`` the country column read "bloc member", its
second-to-last row. :func:`clipped_widths` gives such a column the width of its
widest cell, and leaves the other columns to the grid.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["CELL_PADDING", "clipped_widths", "measured_rows", "text_width"]

#: Pixels of padding on each side of a cell's text (Streamlit's ``spacing.sm``).
CELL_PADDING = 8

# Upper bounds of the advance widths, in px, of the grid's font (Source Sans, 14 px, the
# weight of a cell), measured in Chromium with canvas measureText: characters grouped
# by width, each group at its widest member (digits, lowercase and most signs are at
# most 7.8 px; "m" is 11.6, "@" 11.9).
_NARROW = (4.0, frozenset(" !',.:;Iijl|"))
_THIN = (5.0, frozenset("()[]{}-/\\frt"))
_SMALL = (6.0, frozenset('"*?sz'))
_WIDE = (11.9, frozenset("%@MWmw"))
_CAPITAL = 9.3  # other capitals and "&"
_OTHER = 7.8
_NON_ASCII = 14.0  # one em: the widest glyphs of the font (CJK, dashes) are at most that
#: Margin over the estimate: a heading is drawn a little bolder than a cell.
MARGIN = 1.05


def _char_width(c: str) -> float:
    for width, chars in (_NARROW, _THIN, _SMALL, _WIDE):
        if c in chars:
            return width
    if not c.isascii():
        return _NON_ASCII
    if c.isupper() or c == "&":
        return _CAPITAL
    return _OTHER


def text_width(text: str) -> float:
    """An upper bound of the width, in px, of ``text`` in a cell of the page's tables."""
    return sum(_char_width(c) for c in text) * MARGIN


def measured_rows(widths: list[float]) -> list[int]:
    """Rows (positions) whose cells the grid measures to size a column, given their widths.

    The first nine and the last of more than ten, else all; of more than five, not one at
    least twice their mean width (see the module's docstring).
    """
    n = len(widths)
    rows = [*range(9), n - 1] if n > 10 else list(range(n))
    if len(rows) > 5:
        mean = sum(widths[i] for i in rows) / len(rows)
        rows = [i for i in rows if widths[i] < 2 * mean]
    return rows


#: :func:`text_width` is 10-19 % above the widths Chromium measures (for the comparison
#: table's cells): a cell within that of the widest one the grid measures may be wider.
SLACK = 0.9


def clipped_widths(frame: pd.DataFrame) -> dict[str, int]:
    """Widths, in px, for the columns whose widest cell the grid would cut off.

    Args:
        frame: The table as the page shows it (its cells' text is what is measured).

    Returns:
        ``{column: width}`` for each column with a cell the grid does not measure that
        may be wider (by :func:`text_width`, within :data:`SLACK`) than its heading and
        every cell the grid measures. The width fits that cell, the heading and their
        padding. Other columns are left out: the grid sizes them itself.
    """
    out: dict[str, int] = {}
    for column in frame.columns:
        widths = [text_width(str(v)) for v in frame[column]]
        heading = text_width(str(column))
        rows = set(measured_rows(widths))
        measured = max([heading, *(widths[i] for i in rows)])
        unmeasured = max((w for i, w in enumerate(widths) if i not in rows), default=0.0)
        if unmeasured > SLACK * measured:
            out[str(column)] = math.ceil(max(heading, *widths) + 2 * CELL_PADDING)
    return out
