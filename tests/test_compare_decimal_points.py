"""``scosim compare``'s columns line up on the decimal point: one count of decimals each.

Found by the 2026-12-07 new-user review: each row's decimals followed its own CI, so a
column read "+0.478", "+0.1525", "+0.00417" and "+0.002" under "+0.0052", and right-aligned
its decimal points did not line up. The frames here are built with intervals of chosen
half-widths; the decimals expected follow from the rule stated in the docs (two
significant digits of the half-width, the row needing most, at most six), computed
here from the half-widths, not read from the code's output.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
from rich.console import Console

from scosim import compare_terminal
from scosim.compare import summarise
from scosim.number_cells import MAX_EXTRA, MAX_FIXED, column_formats

IND = "welfare_change_pct"


def _summary(sds: dict[str, tuple[float, float]], runs: int = 20) -> pd.DataFrame:
    """Paired differences of mean ``m`` and sd ``s`` per country, summarised (t, 90 %)."""
    rng = np.random.default_rng(11)
    parts = []
    for country, (m, s) in sds.items():
        z = rng.standard_normal(runs)
        z = (z - z.mean()) / z.std(ddof=1)  # the sample's own sd is exactly s
        parts.append(pd.DataFrame({"run": np.arange(runs), "year": 2035, "country": country,
                                   "indicator": IND, "diff": m + s * z}))
    s = summarise(pd.concat(parts), level=0.9)
    return s.assign(runs_low=s["low"], runs_high=s["high"])


#: Means and sds whose CIs want different decimals: about 3, 4 and 5 (half-widths of
#: 0.03, 0.003 and 0.0003 at 20 runs: 1.729 * sd / sqrt(20)).
ROWS = {"AAA": (0.478, 0.08), "BBB": (0.1525, 0.008), "CCC": (0.00417, 0.0008),
        "AFG": (0.002, 0.008), "BHR": (0.0052, 0.0008)}


def _wanted(low: float, high: float) -> int:
    """Two significant digits of the half-width, counted by hand: 0.0031 -> 4 decimals."""
    half = (high - low) / 2
    return 1 - math.floor(math.log10(half))


def _point_from_right(cell: str) -> int:
    """Characters after the decimal point (where it sits in a right-aligned cell)."""
    return len(cell) - cell.index(".") - 1


def test_one_count_of_decimals_down_a_fixed_column() -> None:
    s = _summary(ROWS)
    own = [_wanted(lo, hi) for lo, hi in zip(s["low"], s["high"], strict=True)]
    assert len(set(own)) >= 3  # the frame does want different decimals row by row
    places, sci = column_formats(s, [1.0] * len(s))
    assert not any(sci)
    assert places == [max(own)] * len(s)


def test_the_column_is_capped_at_six_decimals() -> None:
    s = _summary({"AAA": (0.5, 0.1), "BBB": (3e-8, 1e-8)})
    assert _wanted(s["low"].iloc[1], s["high"].iloc[1]) > MAX_FIXED
    places, sci = column_formats(s, [1.0, 1.0])
    # AAA's CI wants 3 decimals, 3 fewer than the column's six: more than MAX_EXTRA (2)
    # digits its interval does not support, so it keeps its own.
    own = _wanted(s["low"].iloc[0], s["high"].iloc[0])
    assert MAX_FIXED - own > MAX_EXTRA
    assert places == [own, MAX_FIXED] and sci == [False, False]


def test_the_decimal_points_line_up_in_every_number_column() -> None:
    s = _summary(ROWS)
    table = compare_terminal.summary_table(s, units={})
    cols = list(table.columns)
    m = cols.index("mean")
    want = max(_wanted(lo, hi) for lo, hi in zip(s["low"], s["high"], strict=True))
    for k in (m, m + 1):  # mean, median
        assert {_point_from_right(r[k]) for r in table.rows} == {want}, cols[k]
    # Both intervals' ends at the value column's decimals.
    for k in (m + 2, m + 3):
        ends = [e for r in table.rows for e in r[k].split(" to ")]
        assert {_point_from_right(e) for e in ends} == {want}, cols[k]
    # As printed: the mean column's points in one screen column, at 80 columns too.
    for width in (80, 120):
        out = io.StringIO()
        compare_terminal.print_table(
            table, Console(file=out, width=width, force_terminal=True, color_system=None))
        means = {r[m] for r in table.rows}
        points = set()
        for line in out.getvalue().splitlines():
            cells = [c.strip() for c in line.split("│")]
            hit = [c for c in cells if c in means]
            if hit:
                points.add(line.index(hit[0]) + hit[0].index("."))
        assert len(points) == 1, (width, out.getvalue())
        assert max(len(x) for x in out.getvalue().splitlines()) <= width


def test_a_share_of_runs_is_written_with_a_space_before_the_percent_sign() -> None:
    s = _summary({"AAA": (0.5, 0.1)})
    table = compare_terminal.summary_table(s, units={})
    assert table.rows[0][table.columns.index("share > 0")] == "100 %"
