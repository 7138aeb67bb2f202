"""How indicators are named and scaled where people read them (comparison reports).

The tables and files keep the indicator codes and their own units (US$, percent); a
report's table and figures show a plain name beside the code, and amounts in US$ in
billions, so that a reader does not count the digits of ``5.187e+10``.
"""

from __future__ import annotations

#: Plain names of the model's indicators (the code is shown beside them).
NAMES: dict[str, str] = {
    "welfare_change_pct": "welfare change",
    "real_gdp_change_pct": "real GDP change",
    "terms_of_trade_change_pct": "terms-of-trade change",
    "welfare_tariff_revenue_pct": "welfare: tariff revenue term",
    "welfare_terms_of_trade_pct": "welfare: terms-of-trade term",
    "welfare_rest_pct": "welfare: efficiency, consumer-price and deficit term",
    "ev_usd": "equivalent variation",
    "ev_members_usd": "equivalent variation of the members together",
    "ev_outsiders_usd": "equivalent variation of the outsiders together",
    "ev_world_usd": "equivalent variation of the world",
    "gdp_usd": "GDP",
    "exports_usd": "exports",
    "imports_usd": "imports",
    "trade_creation_usd": "trade creation",
    "trade_diversion_usd": "trade diversion",
    "tariff_revenue_collected_usd": "tariff revenue collected",
    "tariff_revenue_after_sharing_usd": "tariff revenue after sharing",
    "in_customs_union": "in a customs union",
}

#: Amounts in US$ are shown in billions.
US_BN = 1e9


def display(indicator: str, units: str | None) -> tuple[str, str | None, float]:
    """How to show an indicator: its title, its displayed units and the divisor.

    Args:
        indicator: Indicator code (e.g. ``"ev_usd"``).
        units: Its units as recorded (e.g. ``"US$ (current)"``), or None if unknown.

    Returns:
        ``(title, units, divisor)``: title ``"equivalent variation (ev_usd)"`` (the code
        alone when it has no plain name); units in US$ become ``"US$ bn ..."`` with
        divisor 1e9; other units are kept, divisor 1.
    """
    name = NAMES.get(indicator)
    title = f"{name} ({indicator})" if name else indicator
    if units is not None and units.startswith("US$"):
        return title, "US$ bn" + units[len("US$"):], US_BN
    return title, units, 1.0
