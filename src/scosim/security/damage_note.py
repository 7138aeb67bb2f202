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
:func:`damage_lines` gives its size in one sentence beside the welfare table: for every
economy where it rises, since with a hardening rule Afghanistan's hardening moves attacks to
Pakistan, whose damage doubles (:func:`displaced_lines` says how many incidents move where).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scosim.tty_lines import ANSWER_WIDTH

if TYPE_CHECKING:
    from scosim.runstats import RunStats

__all__ = ["LOSS_INDICATORS", "damage_lines", "displaced_lines", "incident_loss_records"]

LOSS = "incident_loss_share_gdp"
RISE = "incident_loss_rise_share_gdp"
#: Recorded with a hardening rule on (:mod:`scosim.security.hardening`).
DISPLACED = "incidents_displaced"

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


def _places(*shares: float) -> int:
    """Decimals of a percent of GDP: two from 0.1 %, three below (0.48 %, 0.025 %).

    Three at most: a state whose damage rises by less than 0.001 % of GDP (China's
    0.000013 % in the hardening scenario) is no finding, and two significant digits
    printed it as "1.3e-05 %".
    """
    return 2 if max(abs(100.0 * s) for s in shares) >= 0.1 else 3


def _pct(share: float, places: int) -> str:
    # Percent of GDP at ``places``; an exact 0 (no incidents at the base rates) is "0".
    return "0" if share == 0 else f"{100.0 * share:.{places}f}"


def _span(base: float, now: float) -> tuple[str, str]:
    """``("rises", "from 0.025 % to 0.054 %")``: the verb and the span, at the line's decimals.

    The verb is that of the printed figures: "stays" when both round alike.
    """
    d = _places(base, now)
    lo, hi = round(100.0 * base, d), round(100.0 * now, d)
    if lo == hi:
        return "stays", f"at {_pct(now, d)} %"
    return ("rises" if hi > lo else "falls"), f"from {_pct(base, d)} % to {_pct(now, d)} %"


def damage_lines(st: RunStats, width: int = ANSWER_WIDTH) -> list[str]:
    """One sentence: the incident damage welfare leaves out, from the base year to the last.

    Every economy whose median damage in the run's last year is visibly above the base
    year's (at the line's decimals, :func:`_span`), the largest rise first, each with the
    base year's damage (the median of the damage less the median of its rise: the base is
    the same in every run) and that median. Until 2026-12-07 it named only the economy with
    the largest damage: with hardening, Afghanistan's, while Pakistan's doubled from the
    attacks Afghanistan's hardening moved there. Where that economy's damage does not rise
    the sentence ends with it; where none rises, it is the sentence. Empty without the
    indicators (no security slot, or a run made before 2026-12-07).

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
    base = last - st.quantile(RISE, 0.5).loc[year].reindex(last.index).fillna(0.0)
    spans = {str(c): _span(float(base[c]), float(last[c])) for c in last.index}
    rising = sorted((c for c, (verb, _) in spans.items() if verb == "rises"),
                    key=lambda c: (-float(last[c] - base[c]), c))
    top = str(last.idxmax())
    items = [f"{spans[c][1]}{' of GDP' if k == 0 else ''} in {NAMES.get(c, c)}"
             for k, c in enumerate(rising)]
    if not items:
        verb, span = spans[top]
        text = f"{verb} {span} of GDP in {NAMES.get(top, top)}"
    else:
        text = "rises " + (items[0] if len(items) == 1
                           else ", ".join(items[:-1]) + " and " + items[-1])
        if top not in rising:  # the largest damage, which does not rise, is said too
            verb, span = spans[top]
            text += f"; it {verb} {span} in {NAMES.get(top, top)}"
    return wrap_answer(f"Not counted in welfare: expected incident damage {text} "
                       f"(median, {year}; incident_loss_share_gdp).", width)


def displaced_lines(st: RunStats, width: int = ANSWER_WIDTH) -> list[str]:
    """One sentence: the incidents a hardening rule moves to each economy, the most first.

    The run's median ``incidents_displaced`` in its last year where it rounds to at least
    one incident a year (Pakistan's 219 in the hardening scenario, which the damage line
    above shows doubling Pakistan's damage). Empty without the indicator (no hardening
    rule) or where no economy receives a whole incident.

    Args:
        st: The run's statistics.
        width: Line width.
    """
    if not st.has(DISPLACED):
        return []
    from scosim.data.constants import NAMES
    from scosim.run_outcome import wrap_answer

    med = st.quantile(DISPLACED, 0.5)
    if med.empty:
        return []
    year = int(med.index.max())
    last = med.loc[year].dropna()
    shown = sorted((str(c) for c in last.index if round(float(last[c])) >= 1),
                   key=lambda c: (-float(last[c]), c))
    if not shown:
        return []
    items = [f"{float(last[c]):,.0f}{' incidents a year' if k == 0 else ''} to "
             f"{NAMES.get(c, c)}" for k, c in enumerate(shown)]
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return wrap_answer(f"Hardening moves {listed}, from the neighbours that harden "
                       f"(median, {year}; incidents_displaced).", width)
