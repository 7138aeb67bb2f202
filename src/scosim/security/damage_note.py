"""The damage of terrorist incidents beside welfare: recorded in every run, sized in the answer.

The model prices an incident for the votes and the hardening rules at ``c = 160 x deaths
per incident / population`` of GDP (Robinson, Hammitt and O'Keeffe 2019; GTI deaths per
incident 2018-2022; :func:`scosim.security.damage.incident_damage_share_gdp`). Welfare
does not count that damage (``SecurityMechanism.welfare_excludes``), and until 2026-12-07
a run recorded it only with a hardening rule on, so the answer said "not counting the
direct harm of terrorist incidents" without its size, which for Afghanistan is some three
times the welfare loss it reports. :func:`incident_loss_records` records it in every run
with the security mechanism, with its change from the base year (the run's start at
2018-2022 conditions, where expected incidents are the GTI base rates), and
:func:`damage_lines` gives its size in one sentence beside the welfare table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scosim.tty_lines import ANSWER_WIDTH

if TYPE_CHECKING:
    from scosim.runstats import RunStats

__all__ = ["LOSS_INDICATORS", "damage_lines", "incident_loss_records"]

LOSS = "incident_loss_share_gdp"
RISE = "incident_loss_rise_share_gdp"

#: The two indicators and their units (``SecurityMechanism.indicators``).
LOSS_INDICATORS: dict[str, str] = {
    LOSS: "share of GDP a year, damage of the expected terrorist incidents at the votes' "
          "price (160 x GDP per head a death x GTI deaths per incident); not in welfare",
    RISE: "share of GDP a year, that damage above the base year's (2018-2022 conditions, "
          "the GTI base rates); not in welfare",
}


def incident_loss_records(damage_share_gdp: np.ndarray, incidents: np.ndarray,
                          base_loss: np.ndarray) -> dict[str, np.ndarray]:
    """``incident_loss_share_gdp`` ``c lam`` and its rise ``c lam - base_loss`` ``(R, N)``.

    Args:
        damage_share_gdp: ``(N,)`` damage of one incident, share of GDP.
        incidents: ``(R, N)`` the year's expected incidents.
        base_loss: ``(R, N)`` the damage at the run's start at 2018-2022 conditions.
    """
    loss = np.asarray(damage_share_gdp, dtype=float) * np.asarray(incidents, dtype=float)
    return {LOSS: loss, RISE: loss - np.asarray(base_loss, dtype=float)}


def _pct(share: float) -> str:
    # Percent of GDP, two decimals, or two significant digits where that shows nothing.
    x = 100.0 * share
    return f"{x:.2f}" if abs(x) >= 0.1 else f"{x:.2g}"


def damage_lines(st: RunStats, width: int = ANSWER_WIDTH) -> list[str]:
    """One sentence: the incident damage welfare leaves out, from the base year to the last.

    For the economy with the largest median damage in the run's last year: the base
    year's damage (the median of the damage less the median of its rise: the base is the
    same in every run) and that median. Empty without the indicators (no security slot,
    or a run made before 2026-12-07).

    Args:
        st: The run's statistics.
        width: Line width.
    """
    if not (st.has(LOSS) and st.has(RISE)):
        return []
    from scosim.data.constants import NAMES
    from scosim.run_outcome import wrap_answer

    med = st.quantile(LOSS, 0.5)
    if med.empty:
        return []
    year = int(med.index.max())
    last = med.loc[year].dropna()
    if last.empty or not float(last.max()) > 0:
        return []
    code = str(last.idxmax())
    now = float(last[code])
    base = now - float(st.quantile(RISE, 0.5).loc[year, code])
    verb = "rises" if now > base else "falls" if now < base else "stays"
    name = NAMES.get(code, code)
    span = f"at {_pct(now)} %" if verb == "stays" else f"from {_pct(base)} % to {_pct(now)} %"
    return wrap_answer(
        f"Not counted in welfare: expected incident damage {verb} {span} of GDP in {name} "
        f"(median, {year}; incident_loss_share_gdp).", width)
