"""Why an economy's real GDP and its welfare move in opposite directions: the answer's line.

A run records two measures of an economy's gain: ``real_gdp_change_pct``, factory-gate
income over the consumer price index (``w_hat / P_hat``, gegravity's real GDP), and
``welfare_change_pct``, real expenditure. They differ by what expenditure holds besides
factory-gate income. Expenditure is ``E' = w_hat Y + R' + D'`` (output at factory-gate
prices, tariff revenue received after any sharing, the trade deficit), plus the income a
slot adds out of the trade solve (transit fees, energy deliveries) less the costs it takes
(security spending above its baseline). Divided by ``E P_hat``, exactly::

    W_hat - 1 = (Y/E)(w_hat/P_hat - 1)    real GDP part      welfare_real_gdp_pct
              + (R'/P_hat - R)/E          tariff revenue     welfare_tariff_revenue_pct
              + (D'/P_hat - D)/E          deficit            welfare_deficit_pct
              + net GDP/(E P_hat)         other income       welfare_other_income_pct

each a share of the year's baseline real expenditure ``E``, recorded by ``ge_trade``
(:func:`scosim.mechanisms.welfare_terms.decompose_welfare`, docs/customs_union.md,
"Explained results"; the revenue term is the one the three-term split has). A customs union
that cuts a high-tariff member's external tariff (India's 11.28 % to 4.49 % in
``customs_union.yaml``) lowers its consumer prices, so its real GDP rises, but costs it
tariff revenue, which its welfare counts and real GDP does not.

:func:`split_lines` says so after the answer's table, for each economy of the table whose
median real GDP change and median welfare change have opposite signs (each beyond what
prints as zero): the parts with the welfare change's sign are what explains it. The
figures are medians over runs, each of its own part, so they need not add up; per run the
parts add up to the welfare change to rounding (tests/test_welfare_split.py). Nothing is
said where the signs agree, or where the run did not record the parts (a run made before
2026-12-07, or ``outputs.indicators`` leaving them out).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

import pandas as pd

from scosim.data.constants import NAMES as ECONOMY_NAMES
from scosim.indicator_display import signed
from scosim.runstats import RunStats

__all__ = ["PARTS", "REAL_GDP", "WELFARE", "divergent", "split_lines"]

#: The welfare change and the real GDP change the line sets side by side.
WELFARE = "welfare_change_pct"
REAL_GDP = "real_gdp_change_pct"
#: The parts of the welfare change, with the words the line gives each.
PARTS: dict[str, str] = {
    "welfare_real_gdp_pct": "real GDP's part",
    "welfare_tariff_revenue_pct": "tariff revenue",
    "welfare_deficit_pct": "the deficit's real value",
    "welfare_other_income_pct": "income and costs outside trade",
}
#: A median smaller than this (percent) prints as 0.00: it has no sign to compare.
SHOWN = 0.005
#: Width the lines are wrapped to, as the answer's notes.
WIDTH = 95


def _medians(st: RunStats, year: int, codes: list[str]) -> pd.DataFrame | None:
    """Medians over runs in ``year``: rows economies, columns the indicators (None: missing)."""
    names = [WELFARE, REAL_GDP, *PARTS]
    # Other income is recorded with the rest; the three other parts are needed.
    needed = [n for n in names if n != "welfare_other_income_pct"]
    if not all(st.has(n) for n in needed):
        return None
    out = {}
    for n in names:
        if not st.has(n):
            continue
        med = st.quantile(n, 0.5)
        if year not in med.index:
            return None
        out[n] = med.loc[year].reindex(codes)
    return pd.DataFrame(out)


def divergent(st: RunStats, year: int, codes: Iterable[str]) -> pd.DataFrame:
    """Economies whose median real GDP and welfare changes in ``year`` have opposite signs.

    Args:
        st: The run's statistics.
        year: The answer's year.
        codes: The economies to look at (the answer table's), in its order.

    Returns:
        Their medians (columns ``welfare_change_pct``, ``real_gdp_change_pct`` and the
        :data:`PARTS` recorded), in the order of ``codes``; empty when none diverges or
        the run did not record the parts.
    """
    codes = [str(c) for c in codes]
    med = _medians(st, year, codes)
    if med is None:
        return pd.DataFrame()
    w, g = med[WELFARE], med[REAL_GDP]
    apart = (w.abs() >= SHOWN) & (g.abs() >= SHOWN) & ((w > 0) != (g > 0))
    return med[apart.fillna(False)]


def _sided(row: pd.Series) -> tuple[dict[str, float], list[str], list[str]]:
    """The parts' medians, those with the welfare change's sign and the others, largest first.

    The first list explains the gap: real GDP's part has the real GDP change's sign (it is
    that change times output's share of expenditure), so the parts with the welfare
    change's sign are what turned it.
    """
    up = row[WELFARE] > 0
    parts = {n: float(row[n]) for n in PARTS if n in row.index and pd.notna(row[n])}
    shown = sorted((n for n, v in parts.items() if abs(v) >= SHOWN), key=lambda n: -abs(parts[n]))
    return parts, [n for n in shown if (parts[n] > 0) == up], [
        n for n in shown if (parts[n] > 0) != up]


def _because(row: pd.Series) -> str:
    """``"tariff revenue -1.30 points outweighs real GDP's part +0.58 and ..."`` for one economy."""
    parts, for_, against = _sided(row)
    if not for_:  # medians of parts need not add up: none with the welfare's sign
        return "the parts' medians single none out (summary.csv has them)"

    def say(names: list[str], unit: str = "") -> str:
        said = [f"{PARTS[n]} {signed(parts[n], 2)}" for n in names]
        said[0] += unit
        return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]

    head = say(for_, " points")  # the unit once, after the first figure
    verb = "outweighs" if len(for_) == 1 else "outweigh"
    return f"{head} {verb} {say(against)}" if against else head


def split_lines(st: RunStats, year: int, codes: Iterable[str],
                names: Mapping[str, str] | None = None) -> list[str]:
    """The answer's lines on why real GDP and welfare move apart (empty where they do not).

    Economies are grouped by the direction of the gap and the largest part that explains
    it (tariff revenue, mostly). The economy with the largest gap in each group is said in
    full; the others of its group are listed after it with that part's median, so eight
    members that lose tariff revenue take one line, not eight.

    Args:
        st: The run's statistics.
        year: The answer's year.
        codes: The economies of the answer's table, in its order.
        names: Economy names by code (default: the data's, ``scosim.data.constants.NAMES``).

    Returns:
        A heading saying what the figures are (year, medians, unit), then one item per
        group, each wrapped at :data:`WIDTH`; empty when no economy of ``codes`` diverges.
    """
    rows = divergent(st, year, codes)
    if rows.empty:
        return []
    names = ECONOMY_NAMES if names is None else names
    groups: dict[tuple[bool, str], list[str]] = {}
    for code, row in rows.iterrows():
        _, for_, _ = _sided(row)
        # An economy no part explains stands alone (its own code as the key).
        key = (bool(row[WELFARE] > 0), for_[0] if for_ else f"none:{code}")
        groups.setdefault(key, []).append(str(code))
    # One line: what the parts are is in the README ("Reading the answer") and the docs.
    out = [f"Why real GDP and welfare differ in sign in {year} (medians over runs; welfare's "
           "parts in points):"]
    gap = (rows[WELFARE] - rows[REAL_GDP]).abs()
    for (_, part), members in sorted(groups.items(), key=lambda g: -gap[g[1]].max()):
        lead = max(members, key=lambda c: gap[c])
        row = rows.loc[lead]
        text = (f"{names.get(lead, lead)}: real GDP {signed(row[REAL_GDP], 2)} % but welfare "
                f"{signed(row[WELFARE], 2)} %: {_because(row)}")
        rest = sorted((c for c in members if c != lead), key=lambda c: -abs(rows.at[c, part]))
        if rest:
            text += f"; likewise, by {PARTS[part]}: " + ", ".join(
                f"{c} {signed(rows.at[c, part], 2)}" for c in rest)
        out += textwrap.wrap(text + ".", WIDTH, initial_indent="  ", subsequent_indent="    ")
    return out
