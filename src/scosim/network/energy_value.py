"""What the energy corridors' deliveries are worth, and to whom (US$ a year per economy).

The GE model has no energy sector, so the gas and power a project delivers
(:func:`scosim.network.energy.delivered_flows`) would be worth nothing to anybody. This
module values each delivered unit on a project link with the published contract terms and
splits it between the three parties to the contract and the line's owners (docs/network.md,
"What the energy deliveries are worth"):

* the **importer** saves what its alternative supply would cost less what it pays:
  gas, the LNG import price less the border price and the transit fees; power, the cost of
  the power it no longer generates or imports (below) less the energy charge and the
  transit fees. The gas that replaces LNG saves this margin, a loss
  too where LNG is the cheaper (the buyer is held by its take-or-pay contract). Project gas
  beyond the importer's LNG imports is demand met that was not met before: worth half the
  margin where it is positive, nothing where not (the rule of a half: a buyer meets new
  demand only where it values the gas above its price). From every unit it then pays the
  transport tariff (below). An importer with no LNG imports
  (Afghanistan) cannot buy LNG: its new demand is valued at a shadow price taken equal to
  the LNG price, a scosim assumption (:attr:`EnergyPrices.no_lng_shadow`). Power: the
  levelised cost of the generation it avoids (:func:`power_alternatives`), an LNG-fired
  combined cycle's fuel, capital recovery and fixed O&M, or, for an importer with a
  ``power_import_<ISO3>`` row (Afghanistan), the tariff at which it imports power from its
  neighbours. Until 2026-12-06 power was valued against the LNG fuel alone, for every buyer;
* the **exporter** earns the price less what the unit costs it
  (:func:`~scosim.network.gas_supply.exporter_cost`): its full-cycle supply cost (upstream
  development included, a scosim assumption) on new volume, and the netback it gives up in
  its next-best market on gas a project diverts from there (Turkmenistan: China through lines
  A-C of the Central Asia-China gas pipeline). Until 2026-12-07 every unit earned the price
  less the supply cost, as if the gas had no other buyer;
* each **transit state** with a published fee earns it (TAPI: Afghanistan and Pakistan;
  CASA-1000: Afghanistan, and Tajikistan's wheeling of Kyrgyz power);
* the **owners** earn the transport tariff the importer pays on each unit, the levelised
  cost that repays the build and the upkeep they pay (:mod:`scosim.network.transport_tariff`),
  in their shares of the build cost. Since 2026-12-06; until then the importer kept it, and
  the hosts paid for the line and earned nothing from it.

The price, the fees and the tariff pass from the importer to the others, so the four sum to
the surplus of the deliveries, ``delivered x (alternative price - supply cost)`` where the
gas replaces LNG (:func:`total_surplus_usd`, the check of the split). The build cost and the
upkeep stay charged to the hosts (``corridor_paid_usd``, the O&M); the tariff is what the
buyers pay them back, a transfer, so nothing is counted twice. Existing (baseline) links are
not valued: a scenario does not change them.

Prices are ``params.csv`` rows (sources in ``sources.csv``); a scenario may set the LNG
price (``parameters.network.lng_price_usd_mmbtu``), which moves both alternatives. In a run
the border price, the supply cost and the next-best market's price are drawn in each run
from their ranges (:func:`drawn_prices`; since 2026-12-07, when they were the same in every
run): a price may be a scalar or one value per run, (R,).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.network.energy import INITIAL_PHASE_YEARS, EnergyLinks
from scosim.network.finance import COST_OF_FUNDS
from scosim.network.gas_supply import (
    diverted_share,
    draw_uniform,
    exporter_cost,
    netback,
    per_economy,
)
from scosim.network.tables import NetworkDataError, NetworkTables

FloatArray = NDArray[np.float64]

#: Million Btu in a billion cubic metres of natural gas: 34.12 trillion Btu (Energy
#: Institute Statistical Review 2024, "Approximate conversion factors", net calorific value).
MMBTU_PER_BCM = 34.12141633128092e6
#: kWh in a TWh.
KWH_PER_TWH = 1e9
#: Btu in a kWh (Energy Institute Statistical Review 2024, "Approximate conversion factors").
BTU_PER_KWH = 3412.0
#: Prefix of a ``params.csv`` transit fee: ``fee_<project>_<economy>``, per unit delivered
#: (US$/MMBtu of gas, US$/kWh of power) through the economy on the project's links.
FEE_PREFIX = "fee_"
#: The ``params.csv`` rows of the prices (docs/network.md gives each one's source).
PRICE_PARAMS: tuple[str, ...] = (
    "lng_price_usd_mmbtu", "gas_border_price_usd_mmbtu", "gas_supply_cost_usd_mmbtu",
    "power_energy_charge_usd_kwh", "power_cost_usd_kwh", "power_heat_rate_btu_kwh",
    "power_alt_capital_usd_kw", "power_alt_fom_share", "power_alt_life_years")
#: Prefix of a ``params.csv`` import tariff: ``power_import_<economy>``, US$/kWh, the price at
#: which the economy imports power from its neighbours, its alternative to a project's power.
IMPORT_PREFIX = "power_import_"


@dataclass(frozen=True)
class EnergyPrices:
    """Contract terms of the energy projects, per unit (see the module docstring).

    Attributes:
        lng: LNG import price, US$/MMBtu: the importer's alternative gas.
        border: Pipeline gas price at the exporter's border, US$/MMBtu (a scalar, or (R,)
            one per run).
        gas_supply_cost: The exporter's full-cycle supply cost of the gas (upstream
            development and production), US$/MMBtu (a scalar, or (R,)).
        energy_charge: The seller's price of power, US$/kWh.
        power_cost: The seller's cost of the power, US$/kWh.
        heat_rate: Btu of LNG a kWh of the importer's alternative generation burns.
        fees: ``(project, economy) -> fee`` per unit delivered through the economy.
        plant_usd_kw_year: The alternative plant's capital recovery and fixed O&M, US$ a kW
            a year (:func:`power_alternatives`).
        full_load_hours: (P,) hours a year each power project delivers at its capacity
            (its links' contracts over its MW; nan for gas projects).
        power_import: (N,) the tariff at which each economy imports power instead, US$/kWh
            (nan: none; its alternative is the LNG-fired plant).
        alt_netback: (N,) or (R, N) each gas exporter's netback in its next-best market,
            US$/MMBtu (nan: none; :func:`~scosim.network.gas_supply.netback`); empty: none.
    """

    lng: float
    border: float | FloatArray
    gas_supply_cost: float | FloatArray
    energy_charge: float
    power_cost: float
    heat_rate: float
    fees: dict[tuple[str, str], float]
    plant_usd_kw_year: float = 0.0
    full_load_hours: tuple[float, ...] = ()
    power_import: tuple[float, ...] = ()
    alt_netback: FloatArray | tuple[float, ...] = ()

    @property
    def no_lng_shadow(self) -> float:
        """What new gas demand is worth to an importer with no LNG imports, US$/MMBtu.

        A scosim assumption: the LNG price (:attr:`lng`), the value of gas to a buyer that
        has no LNG terminal (Afghanistan) being unpublished. Range: the border price it
        pays (7: no saving) to the LNG high of 2022 (16.98); docs/network.md.
        """
        return self.lng

    @property
    def power_alternative(self) -> float:
        """The fuel cost of the LNG-fired alternative power, US$/kWh (LNG x heat rate)."""
        return self.lng * self.heat_rate / 1e6


def energy_prices(tables: NetworkTables, lng: float | None = None,
                  gas_supply_cost: float | None = None) -> EnergyPrices:
    """The prices of ``tables.params``, the LNG price and gas supply cost replaced if given.

    ``lng`` and ``gas_supply_cost`` (US$/MMBtu) replace their rows where not None.

    Raises:
        NetworkDataError: A price row missing from ``params.csv``, a ``fee_`` row naming no
            project or no economy of the tables, a ``power_import_`` row naming no economy,
            or a power project whose capacity is not in MW.
    """
    p = tables.params
    missing = [k for k in PRICE_PARAMS if k not in p]
    if missing:
        raise NetworkDataError("params", None, "name",
                               f"missing energy prices {missing} (network.energy_value)")
    fees: dict[tuple[str, str], float] = {}
    for name, value in p.items():
        if not name.startswith(FEE_PREFIX):
            continue
        project, _, code = name.removeprefix(FEE_PREFIX).rpartition("_")
        if project not in tables.project_ids or code not in tables.economies:
            raise NetworkDataError("params", None, "name",
                                   f"{name}: allowed: fee_<project_id>_<ISO3> with a project "
                                   f"of projects.csv and an economy of the tables")
        fees[(project, code)] = float(value)
    imports = per_economy(tables, IMPORT_PREFIX, np.nan)
    rate, life = COST_OF_FUNDS, float(p["power_alt_life_years"])
    if life <= 0:
        raise NetworkDataError("params", None, "value",
                               f"power_alt_life_years is {life:g}; allowed: above 0")
    crf = rate / (1.0 - (1.0 + rate) ** -life)  # capital recovery factor
    plant = float(p["power_alt_capital_usd_kw"]) * (crf + float(p["power_alt_fom_share"]))
    return EnergyPrices(lng=float(p["lng_price_usd_mmbtu"] if lng is None else lng),
                        border=float(p["gas_border_price_usd_mmbtu"]),
                        gas_supply_cost=float(p["gas_supply_cost_usd_mmbtu"]
                                              if gas_supply_cost is None else gas_supply_cost),
                        energy_charge=float(p["power_energy_charge_usd_kwh"]),
                        power_cost=float(p["power_cost_usd_kwh"]),
                        heat_rate=float(p["power_heat_rate_btu_kwh"]), fees=fees,
                        plant_usd_kw_year=plant, full_load_hours=_full_load_hours(tables),
                        power_import=tuple(float(x) for x in imports),
                        alt_netback=netback(tables))


def drawn_prices(prices: EnergyPrices, tables: NetworkTables, u: ArrayLike) -> EnergyPrices:
    """``prices`` with each run's border price, supply cost and next-best netback drawn.

    Each uniform over its ``params.csv`` range
    (:func:`~scosim.network.gas_supply.draw_uniform`), so a run's 5-95 % band spans them;
    independent draws, though the border price and the next-best market's price are both
    oil-indexed, a scosim assumption that widens the band of their difference.

    Args:
        prices: The central prices (:func:`energy_prices`).
        tables: The network tables.
        u: (R, 3) uniform [0, 1) draws, one row per run.
    """
    import dataclasses

    d = draw_uniform(tables, np.atleast_2d(np.asarray(u, float)))
    return dataclasses.replace(prices, border=d["border"], gas_supply_cost=d["supply"],
                               alt_netback=netback(tables, d["alt_price"]))


def _per_run(x: float | FloatArray) -> FloatArray:
    """A price as a column, (1, 1) or (R, 1), to broadcast against (R, L)."""
    return np.atleast_1d(np.asarray(x, float)).reshape(-1, 1)


def _unit_cost(links: EnergyLinks, f: FloatArray, prices: EnergyPrices) -> FloatArray:
    """(R, L) what a unit sold costs its exporter.

    Gas: its supply cost, or the netback a diverted unit gives up
    (:func:`~scosim.network.gas_supply.exporter_cost`); power: its cost.
    """
    supply = _per_run(prices.gas_supply_cost)
    if links.spare_supply is None or links.alt_capacity is None or not len(prices.alt_netback):
        gas = np.broadcast_to(supply, f.shape)
    else:
        diverted = diverted_share(f, links.exporter, links.project, links.is_gas,
                                  links.spare_supply, links.alt_capacity)
        gas = exporter_cost(diverted, links.exporter, supply, np.asarray(prices.alt_netback))
    return np.where(links.is_gas[None, :], gas, prices.power_cost)


def _full_load_hours(tables: NetworkTables) -> tuple[float, ...]:
    """(P,) hours a year each power project's contracts fill its capacity (nan: gas)."""
    links = tables.energy_links
    out = []
    for pid, row in tables.projects.iterrows():
        mine = (links["project"] == pid) & (links["carrier"] == "power")
        if not mine.any():
            out.append(float("nan"))
            continue
        if row["capacity_unit"] != "MW" or float(row["capacity"]) <= 0:
            raise NetworkDataError("projects", None, "capacity_unit",
                                   f"{pid}: a power project's capacity must be in MW and "
                                   f"above 0; got {row['capacity']} {row['capacity_unit']}")
        twh = float(links.loc[mine, "flow"].astype(float).sum())
        out.append(twh * 1e6 / float(row["capacity"]))  # TWh / MW = million hours
    return tuple(out)


def power_alternatives(links: EnergyLinks, prices: EnergyPrices) -> FloatArray:
    """(L,) what each power link's importer would pay for the power otherwise, US$/kWh.

    Where the importer has an import tariff (``power_import_<ISO3>``), that tariff: the
    power it would import from its neighbours (Afghanistan). Otherwise the levelised cost of
    an LNG-fired combined-cycle plant run for the same hours: its fuel (LNG x heat rate)
    plus its capital recovery and fixed O&M a kW
    (:attr:`EnergyPrices.plant_usd_kw_year`) over the line's full-load hours, a scosim
    assumption that each MW of the line's supply saves a MW of plant (CASA-1000 delivers in
    the summer, when Pakistan's demand peaks). Gas links: nan.
    """
    hours = np.asarray(prices.full_load_hours, float)
    col = np.maximum(links.project, 0)
    h = np.where(links.project >= 0, hours[col] if hours.size else np.nan, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        levelised = prices.power_alternative + prices.plant_usd_kw_year / h
    imports = np.asarray(prices.power_import, float)
    tariff = imports[links.importer] if imports.size else np.full(len(links.importer), np.nan)
    return np.where(links.is_gas, np.nan, np.where(np.isfinite(tariff), tariff, levelised))


def fee_matrix(links: EnergyLinks, tables: NetworkTables, prices: EnergyPrices) -> FloatArray:
    """(L, N) fee per unit each transit economy earns on each project link."""
    out = np.zeros(links.transit.shape)
    for k in range(len(links.link_ids)):
        if links.project[k] < 0:
            continue
        pid = tables.project_ids[links.project[k]]
        for n in np.flatnonzero(links.transit[k]):
            out[k, n] = prices.fees.get((pid, tables.economies[n]), 0.0)
    return out


def _units(links: EnergyLinks) -> FloatArray:
    """(L,) units (MMBtu or kWh) in one unit of flow (bcm or TWh)."""
    return np.where(links.is_gas, MMBTU_PER_BCM, KWH_PER_TWH)


def _replaced(links: EnergyLinks, f: FloatArray) -> FloatArray:
    """(R, L) share of each project gas link's delivery that replaces LNG imports.

    Each importer's project gas replaces its LNG imports first (as
    :func:`~scosim.network.energy.energy_indicators` has it), pro rata over its links;
    power is all replaced generation (1).
    """
    runs, n = f.shape[0], len(links.production)
    gas = links.is_gas & (links.project >= 0)
    total = np.zeros((runs, n))
    for k in np.flatnonzero(gas):
        total[:, links.importer[k]] += f[:, k]
    lng = np.nan_to_num(links.lng)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, np.minimum(total, lng) / total, 1.0)
    return np.where(gas[None, :], share[:, links.importer], 1.0)


def _alternative(links: EnergyLinks, prices: EnergyPrices) -> FloatArray:
    """(L,) the importer's alternative price per unit of each link.

    Gas: LNG, or :attr:`EnergyPrices.no_lng_shadow` where the importer has no LNG imports
    (all its project gas is then new demand, :func:`_replaced`); power:
    :func:`power_alternatives` (existing links, not valued: 0).
    """
    no_lng = np.nan_to_num(links.lng)[links.importer] <= 0.0
    gas = np.where(no_lng, prices.no_lng_shadow, prices.lng)
    power = np.nan_to_num(power_alternatives(links, prices))
    return np.where(links.is_gas, gas, power)


def energy_value(links: EnergyLinks, flows: ArrayLike, prices: EnergyPrices,
                 fees: FloatArray, tariffs: FloatArray | None = None) -> dict[str, FloatArray]:
    """What the project links' deliveries are worth to each economy, US$ a year (R, N).

    Args:
        links: Energy link arrays.
        flows: (R, L) delivered flows (:func:`~scosim.network.energy.delivered_flows`).
        prices: The contract terms (:func:`energy_prices`).
        fees: (L, N) fee per unit to each transit economy (:func:`fee_matrix`).
        tariffs: (L, N) transport tariff per unit to each owner
            (:func:`~scosim.network.transport_tariff.tariff_matrix`), or (R, L, N), one
            per run (a proposal's own terms,
            :func:`~scosim.network.transport_tariff.proposal_tariffs`); None: no tariff.

    Returns:
        ``importer`` (the saving), ``exporter`` (the rent), ``transit`` (the fees),
        ``owners`` (the tariff) and ``total``, their sum, each (R, N).
    """
    f = np.atleast_2d(np.asarray(flows, float))
    runs, n = f.shape[0], len(links.production)
    on = links.project >= 0
    units = np.where(on, _units(links), 0.0)[None, :] * f  # (R, L) MMBtu or kWh
    fee_sum = fees.sum(axis=1)
    # (1, L) or (R, L): the border price may be drawn per run.
    price = np.where(links.is_gas[None, :], _per_run(prices.border), prices.energy_charge)
    alternative = _alternative(links, prices)
    cost = _unit_cost(links, f, prices)
    margin = alternative[None, :] - price - fee_sum[None, :]
    tariff = np.zeros(fees.shape) if tariffs is None else np.asarray(tariffs, float)
    # (R, L, N): each run's tariffs (the (L, N) of every run repeated).
    tariff = np.broadcast_to(tariff if tariff.ndim == 3 else tariff[None], (runs, *fees.shape))
    replaced = _replaced(links, f)
    # The gas that replaces LNG saves the whole margin, a loss too where LNG is cheaper:
    # the buyer is bound by its take-or-pay contract. Gas beyond it is demand newly met,
    # which a buyer meets only where it is worth the price: half the margin, never below 0
    # (the rule of a half). An importer with no LNG imports values it at the LNG price
    # (EnergyPrices.no_lng_shadow, an assumption). The transport tariff comes off every
    # unit: the rule of a half is taken at the contract price before it, so that the
    # tariff, paid to the owners, is a transfer and the surplus does not move.
    saving = units * (replaced * margin + (1.0 - replaced) * 0.5 * np.maximum(margin, 0.0)
                      - tariff.sum(axis=2))
    rent = units * (price - cost)
    importer = np.zeros((runs, n))
    exporter = np.zeros((runs, n))
    for k in np.flatnonzero(on):
        importer[:, links.importer[k]] += saving[:, k]
        exporter[:, links.exporter[k]] += rent[:, k]
    transit = np.zeros((runs, n))
    for k, m in zip(*np.nonzero(fees), strict=True):  # a fixed order: no BLAS sum
        transit[:, m] += units[:, k] * fees[k, m]
    owners = np.zeros((runs, n))
    for k, m in zip(*np.nonzero(tariff.any(axis=0)), strict=True):
        owners[:, m] += units[:, k] * tariff[:, k, m]
    return {"importer": importer, "exporter": exporter, "transit": transit, "owners": owners,
            "total": importer + exporter + transit + owners}


def total_surplus_usd(links: EnergyLinks, flows: ArrayLike, prices: EnergyPrices,
                      fees: FloatArray) -> FloatArray:
    """(R,) surplus of the deliveries, computed without splitting it, US$ a year.

    ``delivered x (alternative - cost)`` where a unit replaces the alternative,
    and ``paid + max(alternative - paid, 0) / 2 - cost`` where it is demand newly met
    (the rule of a half on the buyer's surplus, never negative; ``paid`` the price and the
    fees), ``cost`` what the unit costs its exporter (its supply cost, or the netback a
    diverted unit gives up): the price, the fees and the transport tariff are transfers and cancel
    (the tariff is not in ``paid``: :func:`energy_value`). The split of :func:`energy_value`
    must sum to it.
    """
    f = np.atleast_2d(np.asarray(flows, float))
    on = links.project >= 0
    units = np.where(on, _units(links), 0.0)[None, :] * f
    alternative = _alternative(links, prices)[None, :]
    cost = _unit_cost(links, f, prices)
    paid = (np.where(links.is_gas[None, :], _per_run(prices.border), prices.energy_charge)
            + fees.sum(axis=1)[None, :])
    replaced = _replaced(links, f)
    new_demand = paid + 0.5 * np.maximum(alternative - paid, 0.0)
    per_unit = replaced * alternative + (1.0 - replaced) * new_demand - cost
    return (units * per_unit).sum(axis=1)


def phased_value_usd(links: EnergyLinks, flows: ArrayLike, prices: EnergyPrices,
                     fees: FloatArray, project: int, rate: float,
                     tariffs: FloatArray | None = None) -> FloatArray:
    """The level yearly value of a project's deliveries over its ramp, US$ a year (R, N).

    ``flows`` has the project at full operation; in its first :data:`INITIAL_PHASE_YEARS`
    operating years its links deliver ``phase_share`` of that (TAPI: 11 bcm of 33), as the
    run has it (:func:`~scosim.network.energy.delivered_flows`). The value is the average
    of the two, each weighted by its years' discount factors at ``rate`` from the first
    operating year: the first phase's share of the present value of a perpetuity is
    ``w = 1 - (1 + rate)^-INITIAL_PHASE_YEARS``, so the value is ``w x first + (1 - w) x
    full``, its annual equivalent (the construction years and the failure hazard are the
    vote's operating share's, which multiplies it). A project without a ramp is worth its
    full value. The Council's vote on a corridor reads it; until 2026-12-06 it took the full
    value from the first operating year.

    Args:
        links: Energy link arrays.
        flows: (R, L) delivered flows with the project operating at full capacity.
        prices: The contract terms (:func:`energy_prices`).
        fees: (L, N) fee per unit to each transit economy (:func:`fee_matrix`).
        project: Index of the project (``links.project``).
        rate: The discount rate of the benefits (> 0).
        tariffs: (L, N) or (R, L, N) transport tariff per unit to each owner
            (:func:`energy_value`).
    """
    f = np.atleast_2d(np.asarray(flows, float))
    full = energy_value(links, f, prices, fees, tariffs)["total"]
    mine = links.project == project
    early = np.where(mine[None, :], f * links.phase_share[None, :], f)
    w = 1.0 - (1.0 + rate) ** -float(INITIAL_PHASE_YEARS)
    return w * energy_value(links, early, prices, fees, tariffs)["total"] + (1.0 - w) * full


def main(argv: list[str] | None = None) -> int:
    """Print each project's yearly value at full operation, per economy (docs/network.md).

    ``python -m scosim.network.energy_value [LNG price [gas supply cost]] [name=value ...]``
    (US$/MMBtu; the ``params.csv`` values by default; each ``name=value`` replaces a
    ``params.csv`` row, e.g. ``power_import_AFG=0.23``, for the sensitivities of
    docs/network.md): no instability, every project at its contracts, US$ bn a year,
    importer + exporter + transit + owners (the transport tariff) = total; then every
    project at once, each gas exporter's sales within its spare supply.
    """
    import dataclasses
    import sys

    from scosim.network.energy import delivered_flows, energy_links
    from scosim.network.tables import load_network
    from scosim.network.transport_tariff import tariff_matrix

    args = sys.argv[1:] if argv is None else argv
    rows = [a for a in args if "=" in a]
    args = [a for a in args if "=" not in a]
    try:
        lng, supply = (float(a) for a in [*args[:2], "nan", "nan"][:2])
    except ValueError:
        print(f"error: the LNG price and the gas supply cost must be numbers (US$/MMBtu); "
              f"got {args[:2]!r}")
        return 2
    t = load_network()
    params = dict(t.params)
    for row in rows:
        name, _, text = row.partition("=")
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if name not in params and not name.startswith(IMPORT_PREFIX) or not np.isfinite(value):
            print(f"error: {row!r}: allowed: name=number, with a row name of params.csv")
            return 2
        params[name] = value
    t = dataclasses.replace(t, params=params)
    try:
        prices = energy_prices(t, None if np.isnan(lng) else lng,
                               None if np.isnan(supply) else supply)
    except NetworkDataError as err:
        print(f"error: {err}")
        return 2
    links = energy_links(t)
    fees = fee_matrix(links, t, prices)
    tariffs = tariff_matrix(links, t)
    print(f"LNG US$ {prices.lng:g}/MMBtu; gas supply cost US$ {prices.gas_supply_cost:g}/MMBtu;"
          " US$ bn a year at full operation")
    alt = power_alternatives(links, prices)
    for k in np.flatnonzero(~links.is_gas & (links.project >= 0)):
        print(f"  {links.link_ids[k]}: {t.economies[links.importer[k]]}'s alternative power "
              f"{100 * alt[k]:.2f} US cents/kWh (LNG fuel alone "
              f"{100 * prices.power_alternative:.2f})")
    for pid in sorted({t.project_ids[p] for p in links.project if p >= 0}):
        flows = delivered_flows(links, np.array([[q == pid for q in t.project_ids]]))
        v = energy_value(links, flows, prices, fees, tariffs)
        parts = ", ".join(f"{c} {v['total'][0, i] / 1e9:+.3f}"
                          for i, c in enumerate(t.economies) if v["total"][0, i] != 0.0)
        print(f"  {pid}: {parts}; surplus "
              f"{total_surplus_usd(links, flows, prices, fees)[0] / 1e9:.3f}; of which "
              f"transport tariff to the owners {v['owners'][0].sum() / 1e9:.3f}")
    # Every project at once: the gas exporters' spare supply shared between their projects
    # (network.gas_supply), which no project alone may reach.
    flows = delivered_flows(links, np.ones((1, len(t.project_ids)), bool))
    v = energy_value(links, flows, prices, fees, tariffs)
    sold = np.zeros(len(t.economies))
    for k in np.flatnonzero(links.is_gas & (links.project >= 0)):
        sold[links.exporter[k]] += flows[0, k]
    print("  all together: " + ", ".join(
        f"{c} {v['total'][0, i] / 1e9:+.3f}" for i, c in enumerate(t.economies)
        if v["total"][0, i] != 0.0) + "; gas sold on projects, bcm a year: " + ", ".join(
        f"{c} {sold[i]:.3f}" for i, c in enumerate(t.economies) if sold[i] > 0))
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
