"""The answer's line on Pakistan's terrorism baseline, below its 2023-2024 surge.

The security model's incident rates are 2018-2022 means of the Global Terrorism Index
(``threat.csv``, docs/security.md section 2): Pakistan's is 207.8 a year, where GTI 2025
reports 517 attacks in 2023 and 1,099 in 2024 (``gti_recent.csv``). A run's Pakistan
panel of ``security_incidents_routes.png`` shows those two years as diamonds far above its
band; the answer said nothing. :func:`pakistan_lines` says it in one sentence, with the
run's own median in its last year, the table's mean and GTI 2025's counts, and that the
baseline is not recalibrated (docs/security.md section 13).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from scosim.security.table_read import TABLES_DIR
from scosim.tty_lines import ANSWER_WIDTH

if TYPE_CHECKING:
    from scosim.runstats import RunStats

__all__ = ["gti_recent", "pakistan_lines", "threat_rate"]

#: The economy whose baseline the note is about: the only one with a sourced 2023-2024 count.
CODE = "PAK"


def threat_rate(code: str = CODE, tables_dir: Path = TABLES_DIR
                ) -> tuple[float, str, str] | None:
    """``(mean incidents a year, its years, its source)`` of ``threat.csv``, or None.

    The source as the answer names it: ``gti_2023`` is "GTI 2023".
    """
    path = tables_dir / "threat.csv"
    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("iso3") == code and row.get("rate_mean"):
                source = str(row.get("source") or "").replace("gti_", "GTI ").replace("_", " ")
                return float(row["rate_mean"]), str(row.get("rate_years") or ""), source
    return None


def gti_recent(code: str = CODE, tables_dir: Path = TABLES_DIR) -> dict[int, float]:
    """``{year: attacks}`` of ``gti_recent.csv`` (GTI 2025) for ``code``, by year."""
    path = tables_dir / "gti_recent.csv"
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        return {int(r["year"]): float(r["incidents"]) for r in csv.DictReader(fh)
                if r.get("iso3") == code and r.get("incidents")}


def _count(value: float) -> str:
    # Counts as GTI prints them: 1,099; a mean keeps its one decimal (207.8).
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def pakistan_lines(st: RunStats, width: int = ANSWER_WIDTH) -> list[str]:
    """One sentence: Pakistan's modelled incidents beside GTI 2025's 2023 and 2024 counts.

    Empty when the run records no ``incidents`` for Pakistan (the security slot empty)
    or the tables give no recent count.

    Args:
        st: The run's statistics.
        width: Line width.
    """
    if not st.has("incidents"):
        return []
    med = st.quantile("incidents", 0.5)
    recent = gti_recent()
    rate = threat_rate()
    if CODE not in med.columns or not recent or rate is None:
        return []
    path = med[CODE].dropna()
    if path.empty:
        return []
    from scosim.run_outcome import wrap_answer

    last = int(path.index.max())
    mean, years, source = rate
    latest = max(recent)
    share = mean / recent[latest]
    earlier = ", ".join(f"{_count(recent[y])} in {y}" for y in sorted(recent) if y != latest)
    median = float(path[last])
    return wrap_answer(
        f"Pakistan's terrorist incidents are modelled at their {years} GTI mean "
        f"({_count(mean)} a year, {source}; median of the runs {median:,.0f} in "
        f"{last}, security_incidents_routes.png), about {100 * share:.0f} % of the "
        f"{_count(recent[latest])} attacks GTI 2025 reports for {latest}"
        + (f" ({earlier})" if earlier else "") + ". The baseline predates that surge and is "
        "not recalibrated (docs/security.md sections 2 and 13)" + _against_recent(median, last,
                                                                                recent),
        width)


def _against_recent(median: float, last: int, recent: dict[int, float]) -> str:
    """The sentence's end: understated only if the run's median is below every GTI 2025 count.

    A scenario can lift Pakistan's median above the 2023 count, and "understated" then
    contradicted the number printed beside it: ``afghan_instability_hardening.yaml`` gave
    686 in 2035 (an outside review, 2026-12-07) until hardening was measured from the
    2018-2022 defence; since, 471 (default 20 runs), below 517, so its answer says
    "understated" again.
    """
    first = min(recent)
    if median < recent[first]:
        return (": Pakistan's incidents are understated, and what a RATS upgrade or hardening "
                "avoids there scales with them.")
    above = [y for y in sorted(recent) if median >= recent[y]]
    below = [y for y in sorted(recent) if median < recent[y]]
    text = (f"; the run's median in {last} is above the "
            + " and ".join(f"{_count(recent[y])} of {y}" for y in above))
    if below:
        text += " (below the " + " and ".join(f"{_count(recent[y])} of {y}" for y in below) + ")"
    return text + ": what the scenario adds raises it there, not a recalibrated baseline."
