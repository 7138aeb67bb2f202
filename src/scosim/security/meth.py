"""Methamphetamine seizures beside the modelled opiates (reported data, not a mechanism).

The drug routes (:mod:`scosim.security.routes`) carry Afghan opiates only, and the RATS
anti-drug unit acts on them only. Since the April 2022 ban Afghan opium production is about
6 % of its 2022 level (``routes.POST_BAN_SUPPLY_INDEX``), while methamphetamine seizures in
the region have grown: Iran alone seized 30.4 t in 2022 (UNODC), more than the model's whole
post-ban opiate supply of about 26 t heroin equivalent. No sourced estimate of how much
methamphetamine Afghanistan or its neighbours make exists to drive a route model with
(UNODC's 2023 report on Afghan methamphetamine says there is no robust or systematic
estimate; docs/security.md section 4), so methamphetamine is **reported, not modelled**:
its seizures, from ``tables/meth_seizures.csv`` (built by
:mod:`scosim.security.build_meth`), are shown beside the opiates in the security figure's
route panels and in the table :func:`beside_opiates_rows` gives (docs/security.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from scosim.data.constants import ECONOMIES
from scosim.security.table_read import (
    TABLES_DIR,
    SecurityTableError,
    iso_index,
    number,
    table_rows,
)

__all__ = ["OPIATES_ONLY", "ROUTES_OPIATES_ONLY", "ROUTE_ECONOMIES", "SHOWN_YEAR", "MethSeizures",
           "beside_opiates_rows", "load_meth_seizures", "markdown"]

#: The statement every output that shows the drug unit carries.
OPIATES_ONLY = ("The anti-drug unit's modelled effect covers Afghan opiates only; "
                "methamphetamine is not modelled (UNODC seizures shown for scale).")
#: Its words where the scenario tables no anti-drug unit: the routes, not a unit, carry
#: opiates only (the hardening scenario's title named a unit it does not have, 2026-12-07).
ROUTES_OPIATES_ONLY = ("The drug routes carry Afghan opiates only; methamphetamine is not "
                       "modelled (UNODC seizures shown for scale).")
#: The year of methamphetamine seizures shown beside the opiates: the annex's last.
SHOWN_YEAR = 2022
_STATUSES = ("reported", "ats_total_only", "not_reported", "absent")


@dataclass(frozen=True)
class MethSeizures:
    """Methamphetamine seized, kilograms as reported by UNODC (WDR 2024 annex).

    Attributes:
        kg: ``{(iso3, year): kg}`` for the economy-years with a methamphetamine figure.
        status: ``{(iso3, year): status}`` for every listed economy and year 2018-2022:
            ``reported``, ``ats_total_only``, ``not_reported`` or ``absent``
            (:mod:`scosim.security.build_meth`). Only ``kg``'s keys have a figure; the
            others are not zeros.
    """

    kg: dict[tuple[str, int], float]
    status: dict[tuple[str, int], str]

    def tonnes(self, code: str, year: int) -> float:
        """Tonnes seized by ``code`` in ``year``; NaN where UNODC has no methamphetamine figure."""
        v = self.kg.get((code, year))
        return math.nan if v is None else v / 1e3

    def gap(self, code: str, year: int) -> str:
        """Why there is no figure, in words (``""`` when there is one)."""
        if (code, year) in self.kg:
            return ""
        return {"ats_total_only": "only a total of amphetamine-type stimulants",
                "not_reported": "no methamphetamine reported",
                "reported": "tablets (\"Yaba\") only",
                }.get(self.status.get((code, year), "absent"), "not in the UNODC annex")


def load_meth_seizures(tables_dir: Path = TABLES_DIR) -> MethSeizures:
    """Read ``meth_seizures.csv``.

    Raises:
        SecurityTableError: The table is missing, or a row has an unknown status, a
            negative or non-numeric quantity, or a ``reported`` row no quantity (the
            message names file, line and field).
    """
    p = Path(tables_dir) / "meth_seizures.csv"
    kg: dict[tuple[str, int], float] = {}
    status: dict[tuple[str, int], str] = {}
    for line, r in table_rows(p, ["iso3", "year", "status", "methamphetamine_kg", "yaba_kg"]):
        code = ECONOMIES[iso_index(p, line, r)]
        year = int(number(p, line, r, "year", lo=1990, hi=2100))
        st = r["status"].strip()
        if st not in _STATUSES:
            raise SecurityTableError(f"{p.name}: line {line}, field 'status': {st!r} is not "
                                     f"one of {', '.join(_STATUSES)}")
        status[(code, year)] = st
        v = number(p, line, r, "methamphetamine_kg", allow_empty=True)
        if st == "reported" and math.isnan(v) and math.isnan(
                number(p, line, r, "yaba_kg", allow_empty=True)):
            raise SecurityTableError(f"{p.name}: line {line}: status 'reported' but neither "
                                     f"'methamphetamine_kg' nor 'yaba_kg' has a figure")
        if not math.isnan(v):
            if st != "reported":
                raise SecurityTableError(f"{p.name}: line {line}, field "
                                         f"'methamphetamine_kg': a figure needs status "
                                         f"'reported', not {st!r}")
            kg[(code, year)] = v
    return MethSeizures(kg=kg, status=status)


def beside_opiates_rows(opiates_t: dict[int, object], codes: tuple[str, ...],
                        meth: MethSeizures | None = None,
                        year: int = SHOWN_YEAR) -> list[dict[str, object]]:
    """Opiates and methamphetamine seized by each of ``codes`` in ``year`` (both UNODC).

    Args:
        opiates_t: ``SecurityCalibration.seizures_t``: ``{year: (N,) t heroin
            equivalent}`` in :data:`ECONOMIES` order, NaN where not reported.
        codes: Economies, in the order of the rows.
        meth: The methamphetamine table (default: the shipped one).
        year: Year of both figures.

    Returns:
        Rows ``economy, opiates_t, methamphetamine_t, note``; a figure UNODC does not
        have is NaN and ``note`` says why.
    """
    meth = load_meth_seizures() if meth is None else meth
    op = opiates_t.get(year)
    rows: list[dict[str, object]] = []
    for c in codes:
        o = math.nan if op is None else float(op[ECONOMIES.index(c)])  # type: ignore[index]
        rows.append({"economy": c, "opiates_t": o, "methamphetamine_t": meth.tonnes(c, year),
                     "note": meth.gap(c, year)})
    return rows


#: The economies of the table in docs/security.md: the opiate route economies, upstream first.
ROUTE_ECONOMIES = ("AFG", "PAK", "IRN", "TUR", "AZE", "TJK", "KGZ", "UZB", "TKM", "KAZ", "RUS",
                   "BLR")


def markdown(year: int = SHOWN_YEAR) -> str:
    """docs/security.md's table: :func:`beside_opiates_rows` of the route economies."""
    from scosim.security.calibration import load_security_calibration

    def cell(x: object) -> str:
        v = float(x)  # type: ignore[arg-type]
        return "no figure" if math.isnan(v) else f"{v:.3g}"

    out = [f"| economy | opiates seized {year}, t heroin eq. | methamphetamine seized {year}, t "
           "| why no methamphetamine figure |", "|---|---|---|---|"]
    for r in beside_opiates_rows(load_security_calibration().seizures_t, ROUTE_ECONOMIES,
                                 year=year):
        out.append(f"| {r['economy']} | {cell(r['opiates_t'])} | "
                   f"{cell(r['methamphetamine_t'])} | {r['note'] or '-'} |")
    return "\n".join(out)


if __name__ == "__main__":  # python -m scosim.security.meth: the table of docs/security.md
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(print, markdown()))
