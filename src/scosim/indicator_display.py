"""How indicators are named, scaled and read where people read them (comparison reports).

The tables and files keep the indicator codes and their own units (US$, percent); a
report's table and figures show a plain name beside the code, amounts in US$ in
billions (so that a reader does not count the digits of ``5.187e+10``), and each
change coloured by whether it is good or bad news for the economy (:data:`DIRECTION`).
Units come from where the model declares them: each proposal type and mechanism lists
``indicators = {name: unit}`` (:func:`declared_units`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

#: Plain names of the model's indicators (the code is shown beside them).
NAMES: dict[str, str] = {
    # the model and its GE trade mechanism
    "gdp_usd": "GDP",
    "gdp_baseline_path_usd": "GDP on the baseline growth path",
    "welfare_change_pct": "welfare change",
    "real_gdp_change_pct": "real GDP change",
    "member": "SCO membership",
    "trust_received": "trust received",
    "terms_of_trade_change_pct": "terms-of-trade change",
    "welfare_tariff_revenue_pct": "welfare: tariff revenue term",
    "welfare_terms_of_trade_pct": "welfare: terms-of-trade term",
    "welfare_rest_pct": "welfare: efficiency, consumer-price and deficit term",
    "welfare_real_gdp_pct": "welfare: real GDP part",
    "welfare_deficit_pct": "welfare: deficit part",
    "welfare_other_income_pct": "welfare: income and costs outside trade",
    "ev_usd": "equivalent variation",
    "ev_members_usd": "equivalent variation of the members together",
    "ev_outsiders_usd": "equivalent variation of the outsiders together",
    "ev_world_usd": "equivalent variation of the world",
    "ev_member_usd": "equivalent variation, as a member of the bloc",
    "ev_other_members_usd": "equivalent variation of the bloc's other members together",
    "ev_members_pct": "equivalent variation of the members, percent of their expenditure",
    "ev_outsiders_pct": "equivalent variation of the outsiders, percent of their expenditure",
    "ev_world_pct": "equivalent variation of the world, percent of its expenditure",
    "exports_usd": "exports",
    "imports_usd": "imports",
    "exports_change_pct": "exports change",
    "imports_change_pct": "imports change",
    "intra_union_imports_usd": "imports from union partners",
    "intra_union_share": "share of imports from union partners",
    "trade_creation_usd": "trade creation",
    "trade_diversion_usd": "trade diversion",
    "tariff_revenue_before_usd": "tariff revenue in the base year",
    "tariff_revenue_collected_usd": "tariff revenue collected",
    "tariff_revenue_after_sharing_usd": "tariff revenue after sharing",
    "union_external_tariff_before_pct": "union's external tariff before",
    "union_external_tariff_after_pct": "union's external tariff after",
    "art24_external_tariff_raised": "external tariff raised (GATT Art. XXIV)",
    "outsiders_loss_exceeds_members_gain": "outsiders lose more than members gain",
    "trade_adjustment_share": "share of the trade response reached",
    # proposal types
    "in_customs_union": "customs-union membership",
    "in_free_trade_area": "free-trade-area membership",
    "in_banking_union": "banking-union membership",
    "in_development_bank": "development-bank membership",
    "in_settlement_arrangement": "settlement-arrangement membership",
    "settlement_welfare_gain_pct": "welfare gain from national-currency settlement",
    "corridor_operating": "hosting an operating corridor",
    "corridor_paid_usd": "paid for corridors",
    "corridor_risk_usd": "corridor failure risk borne",
    "corridor_failed": "hosting a corridor that has failed",
    "corridor_paid_expected_usd": "paid for corridors, expected at entry into force",
    "corridor_risk_expected_usd": "corridor failure risk borne, expected at entry into force",
    "corridor_gas_bcm": "pipeline gas delivered by corridors",
    "corridor_power_twh": "electricity delivered by corridors",
    "corridor_gas_sold_bcm": "pipeline gas sold through corridors",
    "corridor_power_sold_twh": "electricity sold through corridors",
    "corridor_net_welfare_pct": "welfare change net of corridor payments and risk",
    "corridor_energy_pct": "of the welfare change, energy corridors' deliveries",
    "corridor_cost_usd": "corridor cost a year (annualised payments and O&M)",
    "corridor_own_cost_usd": "corridor cost a year of the corridors it pays for",
    "corridor_fee_base_teu": "corridor traffic an access charge would bill",
    "rats_upgraded": "upgraded-RATS membership",
    # finance
    "bank_failures": "bank failures",
    "bank_resolutions": "bank resolutions",
    "depositor_losses_usd": "uninsured depositor losses in default",
    "creditor_losses_usd": "creditor losses in default",
    "interbank_unpaid_usd": "interbank debts unpaid in default",
    "insured_payout_usd": "deposit insurance payout",
    "fund_payout_usd": "deposit insurance fund payout",
    "fund_balance_usd": "deposit insurance fund balance",
    "fund_contribution_usd": "contributions to the deposit insurance fund",
    "fund_net_transfer_usd": "fund paid for other participants' systems, net",
    "fiscal_cost_usd": "fiscal cost of banking crises (gross, incl. recapitalisation)",
    "fiscal_recap_usd": "of which equity bought in recapitalised banks",
    "fiscal_cost_pct_gdp": "fiscal cost of banking crises, share of GDP",
    "bail_in_usd": "bail-in",
    "bail_in_deposits_usd": "of which uninsured deposits bailed in",
    "fund_art109_usd": "of the fund's payout, into a resolution short of BRRD's 8 % (art. 109)",
    "precautionary_recap_usd": "of the fiscal cost, precautionary recapitalisation",
    "bank_resolutions_refused": "resolution refused public money (left to clearing)",
    "contagion_round": "contagion round of default",
    "loss_credit_usd": "bank losses: credit",
    "loss_sanctions_usd": "bank losses: sanctions",
    "frozen_parked_usd": "frozen interbank claims held in blocked accounts (stock)",
    "loss_contagion_usd": "bank losses: contagion",
    "loss_default_costs_usd": "bank losses: default costs",
    "npl_ratio": "non-performing loan ratio",
    "bank_capital_ratio": "bank capital ratio",
    # network
    "network_trade_cost_change_pct": "trade-cost change from the network",
    "transit_trade_usd": "transit trade",
    "transit_fee_revenue_usd": "transit fees collected",
    "energy_value_usd": "worth of energy corridor deliveries",
    "route_instability": "route instability",
    "gas_import_dependence": "gas import dependence",
    "gas_supplier_hhi": "gas supplier concentration",
    "gas_pipeline_imports_bcm": "pipeline gas imports",
    "power_imports_twh": "power imports",
    # security
    "incidents": "terrorist incidents",
    "expected_incidents": "expected terrorist incidents",
    "seizures_t": "opiate seizures",
    "inflow_t": "opiate inflow",
    "throughflow_t": "opiate throughflow",
    "security_index": "security index",
    "effort_intel": "intelligence effort",
    "effort_border": "border effort",
    "effort_cyber": "cyber effort",
    "spending_usd": "security spending",
    "spending_share_gdp": "security spending, share of GDP",
    "rats_upgrade_cost_usd": "national cost of the RATS upgrade",
    "insecurity": "perceived insecurity",
    "cost_multiplier": "transport-edge cost multiplier from insecurity above 2018-2022",
    "trade_cost_factor_security": "trade-cost factor from insecurity above 2018-2022",
    "insecurity_rise": "rise in insecurity",
    "corridor_crossings": "trafficking crossings on freight corridors",
    "route_cost_to_pakistan_pct": "route cost to Pakistan",
    "hardening": "defensive hardening (log change of defensive spending)",
    "hardening_cost_share_gdp": "cost of defensive hardening, share of GDP",
    "incidents_displaced": "expected incidents displaced by neighbours' hardening",
    "incidents_haven_arrivals": "expected incidents arriving through safe havens",
    "incident_loss_share_gdp": "damage of expected terrorist incidents, share of GDP",
    "incident_loss_rise_share_gdp": "damage of expected terrorist incidents above 2018-2022, "
                                    "share of GDP",
    "incident_loss_avoided_share_gdp": "valued incident loss avoided by hardening, share of GDP",
    "effort_nash_intel": "intelligence effort at the Nash equilibrium",
    "effort_nash_border": "border effort at the Nash equilibrium",
    "effort_nash_cyber": "cyber effort at the Nash equilibrium",
    "effort_cooperative_intel": "intelligence effort at the cooperative optimum",
    "effort_cooperative_border": "border effort at the cooperative optimum",
    "effort_cooperative_cyber": "cyber effort at the cooperative optimum",
}

Direction = Literal["higher is better", "higher is worse", "neutral"]
BETTER: Direction = "higher is better"
WORSE: Direction = "higher is worse"
NEUTRAL: Direction = "neutral"

#: Whether a rise is good or bad news for the economy: a comparison's figures colour
#: changes by it. Neutral: a state (membership), an input (efforts, spending), a
#: transfer (payouts) or a change whose sign says nothing by itself (seizures rise with
#: both trafficking and policing).
DIRECTION: dict[str, Direction] = {
    "gdp_usd": BETTER,
    "gdp_baseline_path_usd": BETTER,
    "welfare_change_pct": BETTER,
    "real_gdp_change_pct": BETTER,
    "member": NEUTRAL,
    "trust_received": BETTER,
    "terms_of_trade_change_pct": BETTER,
    "welfare_tariff_revenue_pct": BETTER,
    "welfare_terms_of_trade_pct": BETTER,
    "welfare_rest_pct": BETTER,
    "welfare_real_gdp_pct": BETTER,
    "welfare_deficit_pct": BETTER,
    "welfare_other_income_pct": BETTER,
    "ev_usd": BETTER,
    "ev_members_usd": BETTER,
    "ev_outsiders_usd": BETTER,
    "ev_world_usd": BETTER,
    "ev_member_usd": BETTER,
    "ev_other_members_usd": BETTER,
    "ev_members_pct": BETTER,
    "ev_outsiders_pct": BETTER,
    "ev_world_pct": BETTER,
    "exports_usd": BETTER,
    "imports_usd": BETTER,
    "exports_change_pct": BETTER,
    "imports_change_pct": BETTER,
    "intra_union_imports_usd": NEUTRAL,
    "intra_union_share": NEUTRAL,
    "trade_creation_usd": BETTER,
    "trade_diversion_usd": WORSE,
    "tariff_revenue_before_usd": NEUTRAL,
    "tariff_revenue_collected_usd": NEUTRAL,
    "tariff_revenue_after_sharing_usd": NEUTRAL,
    "union_external_tariff_before_pct": WORSE,
    "union_external_tariff_after_pct": WORSE,
    "art24_external_tariff_raised": WORSE,
    "outsiders_loss_exceeds_members_gain": WORSE,
    "trade_adjustment_share": NEUTRAL,
    "in_customs_union": NEUTRAL,
    "in_free_trade_area": NEUTRAL,
    "in_banking_union": NEUTRAL,
    "in_development_bank": NEUTRAL,
    "in_settlement_arrangement": NEUTRAL,
    "settlement_welfare_gain_pct": BETTER,
    "corridor_operating": NEUTRAL,
    "corridor_paid_usd": WORSE,
    "corridor_risk_usd": WORSE,
    "corridor_failed": WORSE,
    "corridor_paid_expected_usd": WORSE,
    "corridor_risk_expected_usd": WORSE,
    "corridor_gas_bcm": NEUTRAL,
    "corridor_power_twh": NEUTRAL,
    "corridor_gas_sold_bcm": NEUTRAL,
    "corridor_power_sold_twh": NEUTRAL,
    "corridor_net_welfare_pct": BETTER,
    "corridor_energy_pct": BETTER,
    "corridor_cost_usd": WORSE,
    "corridor_own_cost_usd": WORSE,
    "corridor_fee_base_teu": NEUTRAL,
    "rats_upgraded": NEUTRAL,
    "bank_failures": WORSE,
    "bank_resolutions": NEUTRAL,
    "depositor_losses_usd": WORSE,
    "creditor_losses_usd": WORSE,
    "interbank_unpaid_usd": WORSE,
    "insured_payout_usd": NEUTRAL,
    "fund_payout_usd": NEUTRAL,
    "fund_balance_usd": NEUTRAL,
    "fund_contribution_usd": NEUTRAL,
    "fund_net_transfer_usd": NEUTRAL,
    "fiscal_cost_usd": WORSE,
    "fiscal_recap_usd": NEUTRAL,
    "fiscal_cost_pct_gdp": WORSE,
    "bail_in_usd": WORSE,
    "bail_in_deposits_usd": WORSE,
    "fund_art109_usd": NEUTRAL,
    "precautionary_recap_usd": NEUTRAL,
    "bank_resolutions_refused": WORSE,
    "contagion_round": NEUTRAL,
    "loss_credit_usd": WORSE,
    "loss_sanctions_usd": WORSE,
    "frozen_parked_usd": NEUTRAL,
    "loss_contagion_usd": WORSE,
    "loss_default_costs_usd": WORSE,
    "npl_ratio": WORSE,
    "bank_capital_ratio": BETTER,
    "network_trade_cost_change_pct": WORSE,
    "transit_trade_usd": BETTER,
    "transit_fee_revenue_usd": BETTER,
    "energy_value_usd": BETTER,
    "route_instability": WORSE,
    "gas_import_dependence": WORSE,
    "gas_supplier_hhi": WORSE,
    "gas_pipeline_imports_bcm": NEUTRAL,
    "power_imports_twh": NEUTRAL,
    "incidents": WORSE,
    "expected_incidents": WORSE,
    "seizures_t": NEUTRAL,
    "inflow_t": WORSE,
    "throughflow_t": WORSE,
    "security_index": BETTER,
    "effort_intel": NEUTRAL,
    "effort_border": NEUTRAL,
    "effort_cyber": NEUTRAL,
    "spending_usd": NEUTRAL,
    "spending_share_gdp": NEUTRAL,
    "rats_upgrade_cost_usd": NEUTRAL,
    "insecurity": WORSE,
    "cost_multiplier": WORSE,
    "trade_cost_factor_security": WORSE,
    "insecurity_rise": WORSE,
    "corridor_crossings": NEUTRAL,
    "route_cost_to_pakistan_pct": WORSE,
    "hardening": NEUTRAL,
    "hardening_cost_share_gdp": NEUTRAL,
    "incidents_displaced": WORSE,
    "incidents_haven_arrivals": WORSE,
    "incident_loss_share_gdp": WORSE,
    "incident_loss_rise_share_gdp": WORSE,
    "incident_loss_avoided_share_gdp": BETTER,
    **{f"effort_{k}_{c}": NEUTRAL for k in ("nash", "cooperative")
       for c in ("intel", "border", "cyber")},
}

#: Indicators whose change is a gain or a loss to the economy (welfare and its
#: money measure): only their figures say "who gains, who loses".
WELFARE: frozenset[str] = frozenset({
    "welfare_change_pct", "welfare_tariff_revenue_pct", "welfare_terms_of_trade_pct",
    "welfare_rest_pct", "welfare_real_gdp_pct", "welfare_deficit_pct",
    "welfare_other_income_pct", "ev_usd", "ev_members_usd", "ev_outsiders_usd", "ev_world_usd",
    "ev_member_usd", "ev_other_members_usd", "ev_members_pct", "ev_outsiders_pct",
    "ev_world_pct",
    "corridor_net_welfare_pct", "corridor_energy_pct",
})

#: What an indicator recorded with the same value in every economy's column stands
#: for, shown in place of a country (default ``"all"``). Run statistics hold each of
#: these once, from the first economy's column (:meth:`scosim.runstats.RunStats.
#: add_indicators`): a trade mechanism recording one of these names must give it one
#: value a run and year in every column, as ``ge_trade`` does.
AGGREGATE_LABELS: dict[str, str] = {
    "ev_world_usd": "world",
    "ev_members_usd": "bloc members",
    "ev_outsiders_usd": "outsiders",
    "ev_members_pct": "bloc members",
    "ev_outsiders_pct": "outsiders",
    "ev_world_pct": "world",
    "union_external_tariff_before_pct": "bloc",
    "union_external_tariff_after_pct": "bloc",
    "art24_external_tariff_raised": "bloc",
    "outsiders_loss_exceeds_members_gain": "bloc",
}

#: Amounts in US$ are shown in billions.
US_BN = 1e9

# A declared unit that only points to the docs ("see docs/network.md") says nothing.
_POINTER = re.compile(r"^see\b", re.IGNORECASE)
# A unit in percent: "percent", "percent of the year's GDP", "percent (term of ...)", or
# what is measured then its percent ("generalised cost of shipping to Pakistan, percent of
# cargo value"); not "percentage ...", nor a percent inside a description ("a loss above
# 5 percent").
_PERCENT = re.compile(r"(^|, )percent\b")
# A difference of percentages, declared as such (a settlement's welfare gain).
_POINTS = re.compile(r"(^|, )percentage points?\b")


def in_percent(units: str | None) -> bool:
    """Whether a unit is a percent of something, whose values do not add up across economies.

    ``"percent of GDP"``, ``"cost of shipping, percent of cargo value"``, ``"percentage
    points of real expenditure"``; not another ``"percentage ..."`` nor a percent inside a
    description.
    """
    return bool(units) and (_PERCENT.search(units) is not None
                            or _POINTS.search(units) is not None)


# Where a value is stored, not what it measures; the report shows such indicators once.
_STORAGE_NOTE = " (same in every column)"


def storage_free(units: str) -> str:
    """``units`` without the note that the value is stored in every economy's column."""
    return units.replace(_STORAGE_NOTE, "")


def direction(indicator: str) -> Direction:
    """Whether a rise of ``indicator`` is good news (:data:`DIRECTION`; unknown: neutral)."""
    return DIRECTION.get(indicator, NEUTRAL)


def declared_units() -> dict[str, str]:
    """Units the known proposal types and mechanisms declare for their indicators.

    Built-in, registered and installed plug-ins alike (the indicators of
    :func:`scosim.scenario.schema.indicator_names`); a unit that only points to the
    docs is left out. The first declaration of an indicator wins. An installed plug-in
    that fails to load declares nothing (before, it stopped every compare).
    """
    from scosim.model.slots import get_mechanism, loadable_mechanisms
    from scosim.proposals import get_type, loadable_types

    out: dict[str, str] = {}
    declared = [get_type(t).indicators for t in loadable_types()]
    declared += [get_mechanism(m).indicators for m in loadable_mechanisms()]
    for table in declared:
        for name, unit in table.items():
            if unit and not _POINTER.match(unit):
                out.setdefault(name, unit)
    return out


def resolve_units(
    indicators: Iterable[str], fallback: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """Each indicator's units: as the model declares them, else ``fallback``'s, else None.

    Args:
        indicators: Indicator codes.
        fallback: Units of indicators the model does not declare (or declares only by
            a pointer to the docs), e.g. :data:`scosim.api.UNITS`.
    """
    declared = declared_units()
    fb = fallback or {}
    return {str(i): declared.get(str(i), fb.get(str(i))) for i in indicators}


def display(indicator: str, units: str | None, *, difference: bool = True
            ) -> tuple[str, str | None, float]:
    """How to show the change of an indicator: its title, units of the change, divisor.

    Args:
        indicator: Indicator code (e.g. ``"ev_usd"``).
        units: Its units as recorded (e.g. ``"US$ (current)"``), or None if unknown.
        difference: The values shown are differences (a comparison), so percentages are
            in percentage points; False for levels (a run's own answer).

    Returns:
        ``(title, units, divisor)``: title ``"equivalent variation (ev_usd)"`` (the code
        alone when it has no plain name); units in US$ become ``"US$ bn ..."`` with
        divisor 1e9; a difference of percentages is in percentage points
        (``"percent of GDP"`` becomes ``"percentage points of GDP"``, ``"cost of
        shipping, percent of cargo value"`` ``"cost of shipping, percentage points of
        cargo value"``), a percent change against a fixed reference too (``"percent
        (vs the baseline network)"``: two runs' changes from one reference differ by
        points of that reference); other units are kept, divisor 1.
    """
    name = NAMES.get(indicator)
    title = f"{name} ({indicator})" if name else indicator
    if units is not None:
        units = storage_free(units)
        if difference:
            units = _PERCENT.sub(r"\1percentage points", units, count=1)
    if units is not None and units.startswith("US$"):
        return title, "US$ bn" + units[len("US$"):], US_BN
    return title, units, 1.0


def caption(indicator: str, units: str | None) -> str:
    """How a report's caption names an indicator: in words, its unit, the code once.

    ``"Equivalent variation (ev_usd), US$ bn (...)"``: a policy reader reads the name and
    the unit; the code, in brackets, finds the indicator in the tables and files. An
    indicator without a plain name (a plug-in's) is named by its code alone.

    Args:
        indicator: Indicator code.
        units: The units shown (:func:`display`'s), or None if unknown.
    """
    name = NAMES.get(indicator)
    head = f"{name[:1].upper()}{name[1:]} ({indicator})" if name else indicator
    return f"{head}, {measure(units)}" if units else head


def measure(units: str) -> str:
    """The unit of ``units`` without the definition a declared unit may add after ": ".

    ``"percent of the year's baseline real expenditure: the welfare change less ..."``
    is ``"percent of the year's baseline real expenditure"``; a colon inside brackets
    (``"US$ (treasury, gross: insured deposits ...)"``) is part of the unit.
    """
    depth = 0
    for k, ch in enumerate(units):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and units.startswith(": ", k):
            return units[:k]
    return units


def aggregate_indicators(summary: Any) -> dict[str, str]:
    """Indicators whose change is one value for all economies, each with what it stands for.

    An indicator recorded with the same value in every economy's column (a world or
    bloc total, e.g. ``ev_world_usd``) summarises to identical rows: in every year,
    every economy's statistics are equal (NaN equal to NaN). Those are shown once.

    Args:
        summary: A comparison summary (keys year, country, indicator; its statistics).

    Returns:
        ``{indicator: label}``, the label from :data:`AGGREGATE_LABELS` (default ``"all"``).
    """
    if "country" not in summary or summary["country"].nunique() < 2:
        return {}
    stats = [c for c in ("n_runs", "mean", "sd", "low", "high", "share_positive")
             if c in summary]
    keys = ["indicator", *(["year"] if "year" in summary else [])]
    distinct = summary.groupby(keys, observed=True)[stats].nunique(dropna=False)
    same = (distinct <= 1).all(axis=1).groupby(level="indicator", observed=True).all()
    # An economy-level indicator that no run changed anywhere is also "the same in every
    # column"; only a declared total (AGGREGATE_LABELS) is taken as one when it is all 0.
    moved = (summary[["mean", "low", "high"]].fillna(0.0) != 0).any(axis=1)
    changed = set(summary.loc[moved.to_numpy(), "indicator"].astype(str))
    return {str(i): AGGREGATE_LABELS.get(str(i), "all") for i in same[same].index
            if str(i) in AGGREGATE_LABELS or str(i) in changed}


def one_row_each(frame: Any, aggregates: Mapping[str, str]) -> Any:
    """``frame`` with each aggregate indicator's rows once per year, its label as country.

    Args:
        frame: Rows with ``country`` and ``indicator`` columns (a summary or its table).
        aggregates: From :func:`aggregate_indicators`.
    """
    if not aggregates or "country" not in frame:
        return frame
    inds = frame["indicator"].astype(str)
    agg = inds.isin(list(aggregates)).to_numpy()
    keys = [c for c in ("year", "indicator") if c in frame]
    first = ~frame[keys].assign(indicator=inds).duplicated().to_numpy()
    out = frame[~agg | first].copy()
    is_agg = out["indicator"].astype(str).isin(list(aggregates))
    out["country"] = out["country"].astype(str)
    out.loc[is_agg, "country"] = out.loc[is_agg, "indicator"].astype(str).map(aggregates)
    return out


#: Above this many runs a share of runs is always printed with one decimal: 7 of 200 runs
#: is 3.5 %, which whole percent printed as "4".
WHOLE_PERCENT_RUNS = 100


def share_places(runs: int) -> int:
    """Decimals of a share of ``runs`` runs in percent: 0 only when every share is whole.

    A share of ``runs`` runs moves in steps of 100/runs percent: whole per cent is exact
    only when ``runs`` divides 100 (20 runs: steps of 5 %); otherwise one decimal (200
    runs: steps of 0.5 %, 7 of them 3.5 %, not "4"; 40 runs: 2.5 %, not "2"), which is
    every count above :data:`WHOLE_PERCENT_RUNS`. One rule for the run's answer,
    ``scosim compare``'s terminal table, ``report.md`` and the figures' labels, so that
    they print a share alike. ``runs`` 0 (not known): whole per cent.
    """
    return 0 if runs <= 0 or 100 % runs == 0 else 1


def percent_of_runs(share: float, runs: int = 0) -> str:
    """A share (0 to 1) in percent, never "0" or "100" when it is not exactly that.

    With the decimals of :func:`share_places` for ``runs`` (the runs the share is of):
    a share of 200 runs moves in steps of 0.5 %. One run in 200 is "0.5", one in 2,000
    "<0.1", never "0", which would read as "in no run". None and every run are whole,
    "0" and "100", at any number of runs: "100.0 %" of 6 runs beside "100 %" of 20 read as
    two styles. NaN (no run had a value) is "–".
    """
    if share != share:
        return "–"
    pct = 100.0 * float(share)
    if pct in (0.0, 100.0):  # exact: no decimal says anything
        return f"{pct:.0f}"
    places = share_places(runs)
    step = 10.0 ** -places
    if 0.0 < pct < step:
        return f"<{step:g}"
    if 100.0 - step < pct < 100.0:
        return f">{100.0 - step:g}"
    return f"{pct:.{places}f}"


#: Below this (in the printed unit) a value is zero, not a change: the statistics' own
#: zero (:data:`scosim.sketch.ZERO`), so a solver's rounding noise prints no sign.
SIGN_ZERO = 1e-9


def signed(value: float, places: int = 2) -> str:
    """``value`` with ``places`` decimals and its sign, kept when it rounds to zero.

    A change that rounds to zero keeps its sign (``-0.00``, ``+0.00``): "0.00" for a
    mean of -0.0023 % read as "no change" beside a band drawn in red. Only a value
    within :data:`SIGN_ZERO` of zero prints as ``0.00``, without a sign.

    Args:
        value: The number, in the printed unit (NaN prints as ``nan``).
        places: Decimals.
    """
    if abs(value) <= SIGN_ZERO:
        return f"{0.0:.{places}f}"
    return f"{value:+.{places}f}"
