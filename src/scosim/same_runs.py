"""Two rows of ``scosim compare``'s tables that its intervals would misdescribe.

* A paired difference that is **the same in every run** (a fund contribution fixed by
  the scenario: China's US$15.204 bn in each of 40 runs) has no spread: both intervals
  read "+15.204000 to +15.204000", to the six decimals its column took from its other
  rows, with no word that it does not vary. :func:`same_rows` finds them; the tables
  print their numbers to three significant figures, as the run's answer writes amounts
  (:func:`~scosim.answer_digits.sig3_places`), or to their column's decimals where those
  are fewer (:func:`scosim.number_cells.column_formats`), and :data:`SAME_CELL` in place
  of both intervals.
* A **t interval that crosses zero although every run's difference has one sign**: a
  fiscal cost that is 0 in most runs and large and negative in a few has a mean below 0
  and a symmetric ``mean ± t·sd/√R`` reaching above 0, which no run did (Belarus in
  ``finance_crisis_union.yaml`` against ``finance_crisis.yaml``). The interval is kept,
  it is what it says; :func:`skewed_rows` marks its cell with :data:`SKEW_MARK` and
  :func:`skew_note` says why under the table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from scosim.answer_digits import sig3_places

__all__ = ["SAME_CELL", "SAME_NOTE", "SKEW_MARK", "same_places", "same_rows", "skew_bars",
           "skew_note", "skewed_rows"]

#: Both intervals' cells of a row whose paired difference is one value in every run.
SAME_CELL = "same in every run"

#: Under a table with such a row (terminal, explorer, report.md).
SAME_NOTE = ("'same in every run': the paired difference is the same value in every run, "
             "so it has no interval; it is shown to three significant figures "
             "(summary_table.csv has it in full).")

#: After the high end of a CI that :func:`skewed_rows` finds.
SKEW_MARK = "*"

#: Relative spread below which the runs' differences count as one value (rounding noise:
#: a mean of 40 equal floats need not equal them to the last bit).
SAME_TOL = 1e-9


def same_rows(rows: pd.DataFrame) -> list[bool]:
    """Which rows' paired difference is one value, not 0, in each of at least two runs.

    By the differences' ``sd`` (0 up to :data:`SAME_TOL` of the mean) and a CI of zero
    width (a t or bootstrap interval has it only if the sd is 0). Newcombe's interval of
    0/1 rows never has: 20 runs that all agree read 0.831 to 1.000, a statement about
    the share of runs that is kept. Rows where every difference is 0 are
    :func:`scosim.compare.no_change`'s, not these.

    Args:
        rows: A comparison's rows (``n_runs``, ``mean``, and ``sd`` or ``low``/``high``).
    """
    if not all(c in rows for c in ("n_runs", "mean", "low", "high")):
        return [False] * len(rows)  # rows that do not say how many runs they are of
    n = rows["n_runs"].to_numpy(dtype=float)
    mean = rows["mean"].to_numpy(dtype=float)
    width = np.abs(rows["high"].to_numpy(dtype=float) - rows["low"].to_numpy(dtype=float))
    spread = rows["sd"].to_numpy(dtype=float) if "sd" in rows else width
    with np.errstate(invalid="ignore"):
        tol = SAME_TOL * np.abs(mean)
        same = ((n >= 2) & np.isfinite(mean) & (mean != 0) & (spread <= tol)
                & (width <= tol))
    return [bool(s) for s in same]


def same_places(value: float) -> int:
    """Decimals of a value that is the same in every run: three significant figures.

    As the run's answer writes amounts (:func:`~scosim.answer_digits.sig3_places`):
    15.204 is "15.2", 0.626265 "0.626", 2,048.4 "2,048".
    """
    if not math.isfinite(value) or value == 0:
        return 0
    return sig3_places(value)


def skewed_rows(rows: pd.DataFrame) -> list[str | None]:
    """Per row, ``"<= 0"`` or ``">= 0"`` where its t interval crosses 0 but no run does.

    A t interval (``method`` ``"t"``) with ``low < 0 < high`` while every run's
    difference is at most 0 (the runs that differ from 0, :data:`~scosim.rare_runs.RARE_COLUMNS`,
    are all below it; without those columns, as in a summary, no run above 0) or at least 0
    (every run above 0, without them); else None.

    Args:
        rows: A comparison's rows (``low``, ``high``, ``method``, ``share_positive``).
    """
    if not all(c in rows for c in ("low", "high")):
        return [None] * len(rows)
    out: list[str | None] = []
    has_nz = all(c in rows for c in ("runs_nonzero", "runs_nonzero_min", "runs_nonzero_max"))
    for r in rows.to_dict("records"):
        low, high = float(r["low"]), float(r["high"])
        if str(r.get("method", "t")) != "t" or not (low < 0 < high):
            out.append(None)
            continue
        lo_nz = float(r["runs_nonzero_min"]) if has_nz else math.nan
        hi_nz = float(r["runs_nonzero_max"]) if has_nz else math.nan
        if has_nz and math.isfinite(hi_nz) and hi_nz <= 0:
            out.append("<= 0")
        elif has_nz and math.isfinite(lo_nz) and lo_nz >= 0:
            out.append(">= 0")
        elif not has_nz and float(r.get("share_positive", math.nan)) == 0:
            out.append("<= 0")
        elif not has_nz and float(r.get("share_positive", math.nan)) == 1:
            out.append(">= 0")
        else:
            out.append(None)
    return out


def skew_note(signs: Sequence[str | None]) -> str | None:
    """The note under a table with :func:`skewed_rows`' marks (None without one).

    The marks say which rows; the note what they mean, with the side each row's runs are
    on (a table listed 27 rows by name in five lines).

    Args:
        signs: :func:`skewed_rows` of the table's rows.
    """
    sides = sorted({s for s in signs if s})
    if not sides:
        return None
    return (f"{SKEW_MARK} t interval of a skewed mean: it crosses 0, but every run's "
            f"difference is {' or '.join(sides)} (the mean's side): most runs do not differ "
            "and a few differ far, so the interval, symmetric about the mean, reaches where "
            "no run is; the runs' column shows what the runs did.")


def skew_bars(bars: pd.DataFrame) -> str:
    """The line under the compare bar chart naming whiskers that :func:`skewed_rows` finds.

    The chart draws the same t interval as the table; where it crosses 0 and no run does,
    it says so, as the table's mark does ("" when no whisker is such).

    Args:
        bars: The rows drawn, in the order to name them (``country``, ``low``, ``high``,
            ``method``, ``share_positive``).
    """
    named = [str(c) for c, s in zip(bars["country"], skewed_rows(bars), strict=True) if s]
    if not named:
        return ""
    return (f"Whiskers across 0 ({', '.join(named)}): t interval of a skewed mean; no run's "
            "difference is on the other side of 0 from the mean (see the share of runs "
            "above 0)")
