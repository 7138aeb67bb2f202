"""Build ``meth_seizures.csv``: methamphetamine seized by each listed economy, 2018-2022.

Called by :func:`scosim.security.build.build_security_tables` (``python
tools/build_security.py [--check]``). The input is the UNODC World Drug Report 2024 annex,
"Drug seizures 2018-2022" (``unodc_wdr2024``, the same file as the opiate seizures).

What the figures are, and are not:

* **Seizures, not supply.** What a state's police and customs took, in the year reported.
  It rises with enforcement as well as with trafficking; nothing here estimates how much
  methamphetamine is made or moved (docs/security.md section 4, "Methamphetamine").
* **Kilograms as reported.** UNODC's drug name ``Methamphetamine`` (sub-group
  "Methamphetamine" of "Amphetamines and Stimulants"), summed over the annex's rows for the
  same economy, year and name (it lists some seizures in several rows). "Yaba" tablets
  (methamphetamine mixed with caffeine, same sub-group) are weighed as tablets and kept in a
  column of their own; amphetamine and "Captagon" are other drugs and are left out.
* **A missing report is not a zero.** Every listed economy has a row for every year, with a
  ``status``: ``reported`` (a methamphetamine or "Yaba" row), ``ats_total_only`` (only a
  total of amphetamine-type stimulants, in ``ats_total_kg``: methamphetamine is inside it
  but cannot be separated), ``not_reported`` (the economy reported other drugs that year,
  no methamphetamine) or ``absent`` (no row of any drug that year). Only ``reported`` rows
  carry a methamphetamine figure.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from scosim.data.constants import LISTED
from scosim.data.raw import RawDataError
from scosim.security.build import (
    RAW,
    SEIZURE_YEARS,
    _csv,
    _file,
    _need_cols,
    unodc_kilograms,
)

__all__ = ["METH_NAMES", "METH_STATUSES", "meth_seizures_csv"]

#: UNODC drug names kept, and their column (kilograms as reported).
METH_NAMES: dict[str, str] = {
    "Methamphetamine": "methamphetamine_kg",
    "\u201cYaba\u201d": "yaba_kg",  # the annex writes it in curly quotes
    "Total amphetamine-type stimulants (ATS) (including the above, all other ATS, and any "
    "unspecified/undistinguished quantities of ATS)": "ats_total_kg",
}
#: The ``status`` values of the table, in the order of the module docstring.
METH_STATUSES: tuple[str, ...] = ("reported", "ats_total_only", "not_reported", "absent")
HEADER = ["iso3", "year", "status", "methamphetamine_kg", "yaba_kg", "ats_total_kg", "source"]


def meth_seizures_csv(raw_dir: Path) -> str:
    """The CSV text of ``meth_seizures.csv`` from the raw UNODC annex.

    Args:
        raw_dir: Folder holding :data:`scosim.security.build.RAW` ``["unodc"]``.

    Raises:
        RawDataError: The file is missing, lacks a column, or a quantity is not a
            number >= 0 (the message names file, line and field).
    """
    path = _file(Path(raw_dir), "unodc")
    df = pd.read_csv(path)
    _need_cols(df, ["msCode", "DrugName", "Reference year", "Kilograms"], "unodc")
    cells: dict[tuple[str, int, str], list[float]] = {}
    seen: set[tuple[str, int]] = set()  # economy-years with any row of any drug
    for line, (iso, drug, yr, kg) in enumerate(
        zip(df["msCode"], df["DrugName"], df["Reference year"], df["Kilograms"], strict=True),
        start=2,
    ):
        if iso not in LISTED:
            continue
        try:
            year = int(yr)
        except (TypeError, ValueError):
            raise RawDataError(
                f"{RAW['unodc']}: line {line}: Reference year {yr!r} is not a year") from None
        seen.add((iso, year))
        if drug not in METH_NAMES:
            continue
        v = unodc_kilograms(kg, line)
        if v is not None:
            cells.setdefault((iso, year, METH_NAMES[drug]), []).append(v)
    rows = []
    for iso in LISTED:
        for y in SEIZURE_YEARS:
            # Several annex rows of one name are summed in sorted order (deterministic).
            kg = {col: math.fsum(sorted(cells[(iso, y, col)])) if (iso, y, col) in cells
                  else math.nan for col in METH_NAMES.values()}
            if not math.isnan(kg["methamphetamine_kg"]) or not math.isnan(kg["yaba_kg"]):
                status = "reported"
            elif not math.isnan(kg["ats_total_kg"]):
                status = "ats_total_only"
            elif (iso, y) in seen:
                status = "not_reported"
            else:
                status = "absent"
            rows.append([iso, y, status, kg["methamphetamine_kg"], kg["yaba_kg"],
                         kg["ats_total_kg"], "unodc_wdr2024"])
    return _csv(HEADER, rows)
