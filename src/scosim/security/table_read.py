"""Reading the shipped security tables' rows, checked, with the standard library only.

Shared by :mod:`scosim.security.calibration` (the arrays of a run) and
:mod:`scosim.security.ceiling` (what ``scosim validate`` reads without numpy), so both
parse a table the same way and refuse the same malformed values with the same message.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from scosim.data.constants import ECONOMIES, LISTED

__all__ = ["TABLES_DIR", "SecurityTableError", "iso_index", "number", "table_rows", "threat_rows"]

TABLES_DIR = Path(__file__).resolve().parent / "tables"


class SecurityTableError(ValueError):
    """A security table is missing or malformed (the message names file, line and field)."""


def table_rows(path: Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """``(line, row)`` of a CSV table, after checking it exists and has ``required`` columns.

    Raises:
        SecurityTableError: The file is missing or lacks a required column.
    """
    if not path.is_file():
        raise SecurityTableError(f"{path.name}: table not found in {path.parent}")
    with path.open(newline="", encoding="utf-8") as fh:
        rd = csv.DictReader(fh)
        missing = [c for c in required if c not in (rd.fieldnames or [])]
        if missing:
            raise SecurityTableError(f"{path.name}: missing column(s) {missing}")
        return [(k, r) for k, r in enumerate(rd, start=2)]


def number(path: Path, line: int, row: dict[str, str], col: str, *, lo: float = 0.0,
           hi: float = math.inf, allow_empty: bool = False) -> float:
    """The number in ``row[col]``, within ``[lo, hi]`` (NaN for an empty cell if allowed).

    Raises:
        SecurityTableError: Naming file, line and field, if it is no number or out of range.
    """
    txt = row[col].strip()
    if txt == "" and allow_empty:
        return math.nan
    try:
        v = float(txt)
    except ValueError:
        raise SecurityTableError(
            f"{path.name}: line {line}, field {col!r}: {txt!r} is not a number") from None
    if not lo <= v <= hi or math.isnan(v):
        raise SecurityTableError(
            f"{path.name}: line {line}, field {col!r}: {v:g} outside the allowed [{lo:g}, {hi:g}]")
    return v


def iso_index(path: Path, line: int, row: dict[str, str], col: str = "iso3") -> int:
    """Position in :data:`ECONOMIES` of the economy code in ``row[col]``.

    Raises:
        SecurityTableError: If it is not a listed economy code.
    """
    code = row[col].strip()
    if code not in LISTED:
        raise SecurityTableError(
            f"{path.name}: line {line}, field {col!r}: {code!r} is not a listed economy code")
    return ECONOMIES.index(code)


def threat_rows(tables_dir: Path) -> list[tuple[int, float, float, str]]:
    """``threat.csv``'s rows: economy position, incidents a year, ``alpha``, source.

    The rate is the mean over the window in the table's ``rate_years`` column (2018-2022 as
    shipped; ``tools/build_security.py --window``). It is NaN where the table leaves it
    empty (not in GTI); the overdispersion ``alpha`` is in [0, 100].

    Raises:
        SecurityTableError: The table is missing or a value is malformed or out of range.
    """
    p = Path(tables_dir) / "threat.csv"
    return [(iso_index(p, line, r), number(p, line, r, "rate_mean", allow_empty=True),
             number(p, line, r, "overdispersion", hi=100.0), r["source"])
            for line, r in table_rows(p, ["iso3", "rate_mean", "overdispersion", "source"])]
