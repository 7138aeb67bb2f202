"""``scosim compare``'s number columns line up on the decimal point, as printed.

Found at the 2026-12-07 last stop: right-aligned, "0" and "n/a" sat under the last
decimal of "+0.2341", and an interval's low ends moved with the width of its high ends
("-0.2615 to +3.1376" under "+17.3778 to +39.7818"). The rule: each number's units digit
(the character before its decimal point, or its last character without one) in one
screen column; "n/a" and "0" end where the integers end. Positions are read from the
printed lines, not from the code's padding.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from scosim import compare_terminal
from scosim.compare_layout import SummaryTable, decimal_aligned

COLS = ("country", "mean", "median", "90 % CI of the mean (t)", "5-95 % of runs",
        "share > 0", "runs")
ROWS = (("AAA", "+0.2341", "n/a", "-0.2615 to +3.1376", "-0.4 to +3.9", "75 %", "4"),
        ("BBB", "0", "+1.0000", "+17.3778 to +39.7818", "0 to +41.1", "100 %", "4"),
        ("CCC", "-62", "-58", "-73 to -51", "0 but 1 run -2,048", "0 %", "4"),
        ("DDD", "+9.7e-06", "0", "– to –", "+21.0 to +40.0", "50 %", "4"))


def _table() -> SummaryTable:
    return SummaryTable(title=("t",), columns=COLS, rows=ROWS, news=("green", "", "red", ""),
                        notes=(), drawn=True)


def _units_digit(line: str, cell: str, start: int) -> int:
    """Screen column of ``cell``'s units digit in ``line`` (searched from ``start``)."""
    at = line.index(cell, start)
    point = cell.find(".")
    return at + (point - 1 if point >= 0 else cell.find("e") - 1 if "e" in cell
                 else len(cell) - 1)


def _printed(table: SummaryTable, terminal: bool, width: int = 120) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=terminal, color_system=None)
    compare_terminal.print_table(table, console)
    return [x for x in out.getvalue().splitlines() if x.startswith("│")]


def _cell_start(line: str, k: int) -> int:
    """Where the ``k``-th cell of a printed row starts (after its rule)."""
    return [i for i, ch in enumerate(line) if ch == "│"][k] + 1


@pytest.mark.parametrize("terminal", [True, False])
def test_mean_and_median_cells_share_their_units_digit_column(terminal: bool) -> None:
    body = _printed(_table(), terminal)
    assert len(body) == len(ROWS)
    for k in (1, 2):  # mean, median
        digits = {_units_digit(line, row[k], _cell_start(line, k))
                  for line, row in zip(body, ROWS, strict=True)}
        assert len(digits) == 1, (COLS[k], body)


@pytest.mark.parametrize("terminal", [True, False])
def test_both_ends_of_every_interval_line_up(terminal: bool) -> None:
    body = _printed(_table(), terminal)
    for k in (3, 4):
        lows, highs = set(), set()
        for line, row in zip(body, ROWS, strict=True):
            m = re.fullmatch(r"(\S+) to (\S+)", row[k])
            if not m:  # "0 but 1 run -2,048": not an interval, right-aligned as it is
                continue
            start = _cell_start(line, k)
            lows.add(_units_digit(line, m[1], start))
            highs.add(_units_digit(line, m[2], line.index(" to ", start) + 4))
        assert len(lows) == 1 and len(highs) == 1, (COLS[k], body)


def test_only_blanks_are_added_and_counts_are_left_alone() -> None:
    aligned = decimal_aligned(_table())
    for old, new in zip(ROWS, aligned.rows, strict=True):
        assert [" ".join(c.split()) for c in new] == list(old)
        assert new[:1] == old[:1] and new[5:] == old[5:]  # keys, share and runs as they were
    # Each indicator on its own: another indicator's wider numbers do not pad this one's.
    two = SummaryTable(title=("t",), columns=("indicator", "unit", *COLS),
                       rows=(("a", "u", *ROWS[0]), ("b", "v", *ROWS[1])),
                       news=("", ""), notes=(), drawn=True)
    assert [r[3] for r in decimal_aligned(two).rows] == ["+0.2341", "0"]


def _summary(rows: dict[str, tuple[float, float]], runs: int = 20):
    """Paired differences of mean ``m`` and sd exactly ``s`` per country (t, 90 %)."""
    import numpy as np
    import pandas as pd

    from scosim.compare import summarise

    rng = np.random.default_rng(5)
    parts = []
    for country, (m, s) in rows.items():
        z = rng.standard_normal(runs)
        z = (z - z.mean()) / z.std(ddof=1)
        parts.append(pd.DataFrame({"run": np.arange(runs), "year": 2035, "country": country,
                                   "indicator": "welfare_change_pct", "diff": m + s * z}))
    out = summarise(pd.concat(parts), level=0.9)
    return out.assign(runs_low=out["low"], runs_high=out["high"])


def test_a_large_row_is_not_printed_beyond_its_interval() -> None:
    """EV in a column of 4 decimals: China's -61.87 +/- 11 was "-61.8714"."""
    import math

    from scosim.number_cells import COARSE_NOTE

    # Half-widths at 20 runs: 1.729 * sd / sqrt(20): about 11.6, 0.039 and 0.0004.
    s = _summary({"CHN": (-61.87, 30.0), "AZE": (0.5422, 0.1), "BHR": (-0.002, 0.001)})
    table = compare_terminal.summary_table(s, units={})
    mean = {r[0]: r[table.columns.index("mean")] for r in table.rows}
    half = {c: (hi - lo) / 2 for c, lo, hi in zip(s["country"], s["low"], s["high"],
                                                     strict=True)}
    own = {c: 1 - math.floor(math.log10(h)) for c, h in half.items()}  # 2 significant digits
    assert own == {"CHN": 0, "AZE": 3, "BHR": 5}
    # The column keeps BHR's five decimals; AZE two beyond its own (allowed), CHN five
    # beyond its own: rounded to its own, to the unit.
    assert len(mean["BHR"].split(".")[1]) == 5
    assert len(mean["AZE"].split(".")[1]) == 5
    assert mean["CHN"] == "-62"
    assert COARSE_NOTE in table.notes
    # Its interval too, at the row's precision.
    assert table.rows[[r[0] for r in table.rows].index("CHN")][
        table.columns.index("90 % CI of the mean (t)")] == (
        f"{round(s.set_index('country').loc['CHN', 'low']):+d} to "
        f"{round(s.set_index('country').loc['CHN', 'high']):+d}")
    # Without such a row, no note.
    plain = compare_terminal.summary_table(s[s["country"] != "CHN"], units={})
    assert COARSE_NOTE not in plain.notes
