"""Amounts in words for ``scosim transfers``: its answer and transfers.csv's reasons.

No numpy: the CLI imports it while printing. Amounts keep three significant figures, as
a median over runs with bn-wide ranges has no more (a review found "IND 18,479.2" in the
per-voter table and "US$2,038,253,157" in a reason, 2026-12-07).
"""

from __future__ import annotations

import math

__all__ = ["dollars", "no_plan_reason", "sig3"]


def sig3(x: float) -> str:
    """``x`` to 3 significant figures, thousands separated: "18,800", "2.04", "0.00313".

    Rounded first, so 999.6 reads "1,000", not "999.6" or "1,000.0".
    """
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    r = float(f"{x:.3g}")
    decimals = max(0, 2 - math.floor(math.log10(abs(r))))
    return f"{r:,.{decimals}f}"


def dollars(v: float, column: str = "") -> str:
    """A reason's amount, 3 significant figures in its unit, and the column it is from.

    "US$2.04 bn in capacity_usd", "US$3.13 million", "US$0": the figure is the row's
    ``column`` (transfers.csv) rounded, so text and table agree without false precision.
    """
    a = abs(v)
    sign = "-" if v < 0 else ""
    if a == 0:
        text = "US$0"
    elif a >= 1e9:
        text = f"{sign}US${sig3(a / 1e9)} bn"
    elif a >= 1e6:
        text = f"{sign}US${sig3(a / 1e6)} million"
    else:
        text = f"{sign}US${sig3(a)}"
    return f"{text} in {column}" if column else text


def no_plan_reason(bought: list[str], short: float, every: bool, kept_by: list[str],
                   kept: float, capacity: float, gain: bool,
                   lifted: list[str] | None = None) -> str:
    """Why a vote has no plan: the shortfalls exceed what the voters in favour can give.

    Args:
        bought: The names of the voters bought.
        short: Their shortfalls in all, US$.
        every: They are all the no voters (under consensus), so ``short`` is the row's
            ``short_usd``.
        kept_by: Voters in favour paid to stay in the least plan outside money completes.
        kept: What they receive (the vote's ``paid_to_stay_usd`` summed), US$.
        capacity: What the voters in favour could give up (``capacity_usd``).
        gain: A sponsor's economic gain is more than its surplus (it gives that instead:
            ``capacity_gain_usd`` above 0), worded as the answer's capacity line.
        lifted: Sponsors below their bars that the leader's payment lifts back over them,
            counted in ``capacity`` by what they can pay so lifted (not at their logged
            scores, where they could give nothing on their bar side).
    """
    also = "" if kept == 0 else (
        f", and what would keep {', '.join(kept_by)} in favour "
        f"({dollars(kept, 'paid_to_stay_usd, summed')}),")
    sponsor = ", a sponsor its economic gain instead where that is more" if gain else ""
    if lifted:
        sponsor += (f", {', '.join(lifted)} (a sponsor below its bar) what it could pay once "
                    "the leading economy's payment lifts it back over its bar")
    return (f"the shortfalls of {', '.join(bought)} "
            f"({dollars(short, 'short_usd' if every else '')}){also} exceed what the "
            "voters in favour could give up and still vote yes at their logged scores"
            f"{sponsor} ({dollars(capacity, 'capacity_usd')})")
