"""A table of the run's answer laid out within :data:`~scosim.tty_lines.ANSWER_WIDTH`.

The welfare table of ``summary.txt`` ran to 96 columns (customs_union: "economy  median
5-95 % of runs  gains  while in union  in union  left", each heading padded to a fixed
width) and a terminal folded every row. Here each column is as wide as its widest cell
or heading; where the table would not fit, a heading wider than its cells goes on two
lines ("while" over "in union"), never beside another split one (customs_union's "while"
and "in" above "in union  union" read across as "while in"), and where it is still too
wide, the economy's name, not its ISO code, is cut to fit and ends in "." ("ARE United
Arab Emira."): the code names the economy alone. The numbers are never cut: a table
whose columns alone overflow is left wider, its names whole (:func:`layout`).
"""

from __future__ import annotations

from collections.abc import Sequence

from scosim.tty_lines import ANSWER_WIDTH

__all__ = ["cut_label", "head_split", "layout"]

#: Between two columns.
GAP = "  "
#: The narrowest an economy's label is cut to: its ISO code and a letter of its name.
MIN_LABEL = 5


def head_split(head: str, width: int) -> tuple[str, str]:
    """``head`` as (top line, bottom line): on the bottom alone where it fits ``width``.

    Else split at the space that makes its longer line shortest ("while in union":
    "while" over "in union"); a single word stays whole on one line.
    """
    if len(head) <= width or " " not in head:
        return "", head
    words = head.split(" ")
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    return min(splits, key=lambda s: (max(map(len, s)), len(s[0])))


def cut_label(label: str, width: int) -> str:
    """``label`` ("RUS Russian Federation") cut to ``width``, ending in "." where cut.

    Never shorter than the code and a letter (:data:`MIN_LABEL`).
    """
    if len(label) <= width:
        return label
    width = max(width, MIN_LABEL)
    return label[:width - 1].rstrip() + "."


def layout(first: str, heads: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]],
           width: int = ANSWER_WIDTH, indent: str = "  ",
           label_width: int = 0) -> tuple[list[str], list[str]]:
    """A table's heading lines and rows, right-aligned columns after a left-aligned label.

    Args:
        first: The label column's heading ("economy").
        heads: The other columns' headings.
        rows: Each row's label and cells; a row may have fewer cells than ``heads`` (the
            rest blank), and a blank cell is "".
        width: The widest line wanted; the labels are cut to meet it (:func:`cut_label`).
        indent: Before each line.
        label_width: The label column's least width (a sub-table's, to align with it).

    Returns:
        The heading (one line, or two where a heading is split) and the rows' lines, with
        no trailing spaces.
    """
    cells = [max([len(c[i]) for _, c in rows if i < len(c)] + [1]) for i in range(len(heads))]
    natural = max([len(first), label_width, *(len(label) for label, _ in rows)])
    split = [("", h) for h in heads]

    def used() -> int:
        return len(indent) + natural + sum(
            len(GAP) + max(w, len(t), len(b)) for w, (t, b) in zip(cells, split, strict=True))

    # Headings on two lines only where the table would not fit, the most saving first.
    saving = sorted(range(len(heads)), key=lambda i: max(cells[i], len(heads[i])) - max(
        cells[i], *map(len, head_split(heads[i], cells[i]))), reverse=True)
    for i in saving:
        if used() <= width:
            break
        # Never two split headings side by side: their top words read across as one
        # heading ("while" beside "in" read "while in"); names are cut instead.
        if any(split[j][0] for j in (i - 1, i + 1) if 0 <= j < len(split)):
            continue
        split[i] = head_split(heads[i], cells[i])
    widths = [max(w, len(t), len(b)) for w, (t, b) in zip(cells, split, strict=True)]
    rest = len(indent) + sum(len(GAP) + w for w in widths)
    # Names are cut only where that makes the table fit: where the columns alone overflow
    # (corridor_energy's two net columns), "TKM Tu." would lose the name for nothing.
    lab = natural if rest + MIN_LABEL > width else max(len(first), min(natural, width - rest))
    tops = [t for t, _ in split]
    head_rows = ([[""] + tops] if any(tops) else []) + [[first] + [b for _, b in split]]

    def line(label: str, row: Sequence[str]) -> str:
        text = indent + f"{cut_label(label, lab):<{lab}}"
        text += "".join(f"{GAP}{c:>{w}}" for c, w in zip(row, widths, strict=False))
        return text.rstrip()

    return [line(h[0], h[1:]) for h in head_rows], [line(label, c) for label, c in rows]
