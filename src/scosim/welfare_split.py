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
prints as zero): the parts with the welfare change's sign are what explains it. One whose
welfare or real GDP change's 5-95 % range of runs spans zero is only named, its sign not
settled. The
figures are medians over runs, each of its own part, so they need not add up; per run the
parts add up to the welfare change to rounding (tests/test_welfare_split.py). Nothing is
said where the signs agree, or where the run did not record the parts (a run made before
2026-12-07, or ``outputs.indicators`` leaving them out).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from scosim.data.constants import NAMES as ECONOMY_NAMES
from scosim.indicator_display import signed
from scosim.runstats import HIGH, LOW, RunStats
from scosim.tty_lines import ANSWER_WIDTH, answer_lines

__all__ = ["PARTS", "REAL_GDP", "WELFARE", "divergent", "split_lines", "unsettled"]

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
WIDTH = ANSWER_WIDTH


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


def unsettled(st: RunStats, year: int, codes: Iterable[str]) -> dict[str, list[str]]:
    """Of ``codes``, those whose welfare or real GDP change's 5-95 % range spans zero.

    Their median's sign is not what most runs share by a margin (customs_union.yaml, 2035:
    Russia's welfare -0.02 %, -0.04 to +0.02, a gain in 40 % of runs), so what "turns"
    it is not said.

    Returns:
        ``{code: ["welfare -0.04 to +0.02", ...]}``, each range that spans zero, in the
        order of ``codes``.
    """
    out: dict[str, list[str]] = {}
    for name, word in ((WELFARE, "welfare"), (REAL_GDP, "real GDP")):
        lo, hi = (st.quantile(name, q / 100) for q in (LOW, HIGH))
        if year not in lo.index:
            continue
        for c in codes:
            a, b = lo.at[year, c], hi.at[year, c]
            if pd.notna(a) and pd.notna(b) and a < 0 < b:
                out.setdefault(str(c), []).append(f"{word} {signed(a, 2)} to {signed(b, 2)}")
    return {c: out[c] for c in map(str, codes) if c in out}


def _alone(row: pd.Series) -> bool:
    """Whether the largest part with the welfare change's sign outweighs, alone, those against.

    India's tariff revenue (-1.30) outweighs real GDP's part and the deficit (+0.58 +0.38);
    Russia's (-0.47) does not outweigh its real GDP part (+0.49): only with the deficit
    (-0.03) does the sign flip, so Russia is said in full, not listed with India.
    """
    parts, for_, against = _sided(row)
    return bool(for_) and abs(parts[for_[0]]) > sum(abs(parts[n]) for n in against)


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
    if not against:
        return head
    if sum(abs(parts[n]) for n in for_) <= sum(abs(parts[n]) for n in against):
        # Medians of parts need not add up: here those for do not outweigh those against.
        return f"{head}, against {say(against)} (medians of the parts need not add up)"
    verb = "outweighs" if len(for_) == 1 else "outweigh"
    return f"{head} {verb} {say(against)}"


def split_lines(st: RunStats, year: int, codes: Iterable[str],
                names: Mapping[str, str] | None = None) -> list[str]:
    """The answer's lines on why real GDP and welfare move apart (empty where they do not).

    Economies are grouped by the direction of the gap and the largest part that explains
    it (tariff revenue, mostly), where that part alone outweighs the parts against it (as
    India's tariff revenue does; :func:`_alone`). The economy with the largest gap in each
    group is said in full; the others of its group are listed after it with that part's
    median, so six members that lose tariff revenue take one line, not six. An economy
    whose sign flips only with a second part is said in full on its own line. One whose
    welfare or real GDP change's 5-95 % range of runs spans zero (:func:`unsettled`) is not
    explained, only named as such at the end: its sign is not settled (until 2026-12-07
    the line listed Russia "by tariff revenue", though its revenue part, -0.47, is smaller
    than its real GDP part, +0.49, and its welfare, -0.02, gains in 40 % of runs).

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
    unsure = unsettled(st, year, list(rows.index))
    groups: dict[tuple[bool, str], list[str]] = {}
    for code, row in rows.iterrows():
        if str(code) in unsure:
            continue
        _, for_, _ = _sided(row)
        # An economy no single part explains stands alone (its own code as the key).
        key = (bool(row[WELFARE] > 0), for_[0] if _alone(row) else f"own:{code}")
        groups.setdefault(key, []).append(str(code))
    # One line: what the parts are is in the README ("Reading the answer") and the docs.
    out = answer_lines(f"Why real GDP and welfare differ in sign in {year} (medians over "
                       "runs; welfare's parts in points):", WIDTH)
    gap = (rows[WELFARE] - rows[REAL_GDP]).abs()
    for (_, part), members in sorted(groups.items(), key=lambda g: -gap[g[1]].max()):
        lead = max(members, key=lambda c: gap[c])
        row = rows.loc[lead]
        text = (f"{names.get(lead, lead)}: real GDP {signed(row[REAL_GDP], 2)} % but welfare "
                f"{signed(row[WELFARE], 2)} %: {_because(row)}")
        rest = sorted((c for c in members if c != lead), key=lambda c: -abs(rows.at[c, part]))
        if rest:
            text += f"; likewise, {PARTS[part]} alone outweighing the parts against it: " + (
                ", ".join(f"{c} {signed(rows.at[c, part], 2)}" for c in rest))
        out += answer_lines(text + ".", WIDTH, indent="  ", subsequent="    ")
    if unsure:
        text = (f"Not explained, the sign not settled (the {LOW}-{HIGH} % range of runs spans "
                "zero): "
                + "; ".join(f"{names.get(c, c)}, {', '.join(r)}" for c, r in unsure.items()))
        out += answer_lines(text + ".", WIDTH, indent="  ", subsequent="    ")
    return out
