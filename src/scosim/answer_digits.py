"""How many digits an answer table's numbers get, and which of its rows say nothing.

The who-gains table printed every welfare change with two decimals, the README's. A
scenario whose changes are a few thousandths of a percent (a corridor's far members,
a banking crisis's bystanders) then read ``-0.00  -0.00 to +0.00`` in eight of eleven
rows, which tells a reader only a sign. Here the table's decimals follow its values
(:func:`welfare_places`): two where the median size of its non-zero values is at least
0.05 (customs_union, the README's figures, stays at two), three from 0.005, else
:data:`MOST_PLACES`. A value that still rounds to zero keeps its sign, and the note under
the table says what that sign means (:func:`rounded_note`).

Amounts (US$ bn, bcm) are written with three significant figures, trailing zeros kept, so
that ``3.60`` stands beside ``0.0363`` rather than ``3.6`` (:func:`sig3`). A row that is 0
in every column, in every run, is no finding: such rows are folded into one line naming
them (:func:`zero_line`), rather than six rows of ``0.00  0.00 to 0.00``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from scosim.indicator_display import SIGN_ZERO
from scosim.tty_lines import answer_lines

__all__ = ["MOST_PLACES", "is_zero_row", "places_shown", "rounded_note", "sig3", "sig3_places",
           "welfare_places", "zero_line"]

#: The most decimals a welfare table gets: below 0.00005 % a change is a sign, not a size
#: (and the table must stay within 80 columns).
MOST_PLACES = 4
#: Median size of the non-zero values at or above which two decimals do (the README's).
TWO_PLACES_FROM = 0.05


def welfare_places(values: Iterable[float]) -> int:
    """Decimals for a table of percentages: enough that most non-zero values show a digit.

    Two when the median absolute value of the non-zero values (beyond :data:`SIGN_ZERO`)
    is at least :data:`TWO_PLACES_FROM`, three when it is at least 0.005, else
    :data:`MOST_PLACES`: the median is then at least 5 in the last decimal, so every value
    down to a tenth of it, more than half the values, shows a digit.

    Args:
        values: The table's numbers (NaN ignored).
    """
    sizes = sorted(abs(v) for v in values if v == v and abs(v) > SIGN_ZERO)
    if not sizes:
        return 2
    n = len(sizes)
    median = sizes[n // 2] if n % 2 else (sizes[n // 2 - 1] + sizes[n // 2]) / 2
    if median >= TWO_PLACES_FROM:
        return 2
    # As two decimals from 0.05: the median at least 5 in its last decimal, so values
    # down to a tenth of it still show a digit (0.005: 3; 0.0049: 4).
    return min(MOST_PLACES, -math.floor(math.log10(median / 5) + 1e-9))


def places_shown(value: float, places: int) -> int:
    """``places``, or the fewest more (to :data:`MOST_PLACES`) at which ``value`` shows a digit.

    A figure said beside a table at the table's decimals ("members +0.06 %" under rows of
    "+0.04"), except one that would read as a signed zero there: the world's +0.0022 %
    under a two-decimal table is "+0.002", not "+0.00". Zero (within :data:`SIGN_ZERO`)
    and NaN keep ``places``.
    """
    if not (abs(value) > SIGN_ZERO):  # NaN too
        return places
    while places < MOST_PLACES and float(f"{abs(value):.{places}f}") == 0:
        places += 1
    return places


def rounded_note(cells: Iterable[str], places: int) -> str | None:
    """What a signed zero in the table means, or None when no cell is one.

    ``cells``: the printed cells; a band "-0.000 to +0.001" counts by its two ends.
    """
    zero = "0." + "0" * places
    words = " ".join(cells).split()
    signs = [s for s in ("-", "+") if f"{s}{zero}" in words]
    if not signs:
        return None
    half = "0." + "0" * places + "5"
    what = {"-": "a loss", "+": "a gain"}
    return "; ".join(f"{s}{zero}: {what[s]} smaller than {half} %" for s in signs)


def is_zero_row(cells: Sequence[str]) -> bool:
    """Whether a row's printed cells are all zero or blank (no change, no share of runs).

    A number is zero when it reads as 0 whatever its decimals ("0.00", "0", "0 %"); a
    signed zero ("-0.00") is a change too small to show, not none, and keeps its row.
    """
    words = " ".join(cells).replace("%", " ").split()
    words = [w for w in words if w != "to"]
    return bool(words) and all(w.replace(".", "").strip("0") == "" for w in words)


def zero_line(codes: Sequence[str], indent: str = "  ") -> list[str]:
    """One line for the rows folded away: "no change in any run: CHN RUS IRN ..."."""
    if not codes:
        return []
    return answer_lines(f"no change in any run: {' '.join(codes)}", indent=indent,
                        subsequent=indent + "  ")


def sig3(value: float, zero: float = SIGN_ZERO) -> str:
    """An amount with three significant figures, trailing zeros kept, never an exponent.

    ``3.6`` is "3.60" (beside "0.0363"), ``0.007`` "0.00700", 2,048.4 "2,048" (a whole
    number from 100 up: three figures or more). Within ``zero`` of 0: "0".
    """
    if abs(value) < zero:
        return "0"
    if abs(value) >= 99.95:
        return f"{value:,.0f}"
    return f"{value:.{sig3_places(value)}f}"


def sig3_places(value: float) -> int:
    """The decimals :func:`sig3` writes ``value`` with: three significant figures.

    None from 99.95 (written whole), one from 9.995, two from 0.9995 ...; 0 for 0, NaN
    and infinities. Shared by the bloc totals (:mod:`scosim.bloc_answer`), so an amount
    there and one in a table of the answer have as many decimals at the same size.
    """
    size = abs(value)
    if not (0 < size < 99.95):  # NaN too
        return 0
    places = max(0, 2 - math.floor(math.log10(size)))
    if places > 0 and float(f"{size:.{places}f}") >= 10 ** (3 - places):  # 9.996 -> 10.0
        places -= 1
    return places
