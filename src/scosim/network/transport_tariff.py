"""The transport tariff an energy project's buyers pay its owners (US$ per unit delivered).

A pipeline's or power line's owners recover their capital and upkeep through a transport
tariff that the buyers pay on each unit delivered. scosim charges the build cost and the
yearly operation and maintenance (O&M) to the hosts, in their cost shares
(``corridor_paid_usd``, :mod:`scosim.network.upkeep`); without the tariff the buyers were
credited with the asset's whole return and the hosts debited with its whole cost
(docs/network.md, "Who pays for the transport: the tariff").

The tariff here is the **levelised cost of transport**: the one price per unit delivered
whose receipts, discounted at the members' cost of funds
(:data:`~scosim.network.finance.COST_OF_FUNDS`, 7 %), repay the build cost paid at the start
of construction and the O&M over the asset's life, at the project's contracted deliveries
(its first :data:`~scosim.network.energy.INITIAL_PHASE_YEARS` operating years at its initial
phase: TAPI's 11 bcm of 33). With ``C`` the build cost, ``m`` the yearly O&M share, ``r``
the rate, ``T`` the construction years, ``L`` the asset life and ``q_k`` the units delivered
in operating year ``k`` (received at the end of year ``T + k``)::

    tariff = (C + m C sum_k (1 + r)^-(T + k)) / sum_k q_k (1 + r)^-(T + k),  k = 1..L

Without a ramp it is the familiar ``(C (1 + r)^T CRF(r, L) + m C) / q``, ``CRF`` the capital
recovery factor (the test checks the two agree). The buyers pay it to the **owners** in the
shares that pay the build. A corridor proposal's tariff (:func:`proposal_tariffs`) is set on
that proposal's own terms: its build cost (``build_cost_usd_bn`` or ``cost_case``), its
construction years, each run's O&M share and its ``host_shares`` (else ``projects.csv``'s:
the published equity where there is one, else by length,
:func:`~scosim.network.projects.default_host_shares`); until 2026-12-06 it was always the
table's. It is a transfer between buyers and owners: the deliveries' surplus does not change.

One postage-stamp rate per project, the same per unit for every buyer whatever the distance
its gas travels (a **scosim assumption**; a distance-based tariff would charge India, at the
far end of TAPI, more and Afghanistan less).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.network.energy import INITIAL_PHASE_YEARS, EnergyLinks
from scosim.network.energy_value import KWH_PER_TWH, MMBTU_PER_BCM
from scosim.network.finance import COST_OF_FUNDS
from scosim.network.projects import default_host_shares
from scosim.network.tables import NetworkDataError, NetworkTables
from scosim.network.upkeep import carrier_om_share

FloatArray = NDArray[np.float64]

#: The ``params.csv`` row of each energy carrier's asset life, years.
LIFE_PARAMS: dict[str, str] = {"gas": "life_pipeline_years", "power": "life_power_years"}
#: Longest asset life a ``params.csv`` row may give, years.
LIFE_MAX = 100
#: Units (MMBtu of gas, kWh of power) in one unit of flow (bcm, TWh).
UNITS_PER_FLOW: dict[bool, float] = {True: MMBTU_PER_BCM, False: KWH_PER_TWH}


def levelised_tariff(cost_usd: float, om_share: float, rate: float, life: int,
                     construction_years: int, full_units: float, initial_units: float,
                     initial_years: int = INITIAL_PHASE_YEARS) -> float:
    """The levelised cost of transport, US$ per unit delivered (see the module docstring).

    Args:
        cost_usd: The build cost ``C``, paid at the start of construction, US$.
        om_share: Yearly O&M as a share of the build cost ``m``, paid while it operates.
        rate: The discount rate ``r`` (>= 0).
        life: The asset life ``L``, operating years (>= 1).
        construction_years: Years from the start of construction to the first operating
            year ``T`` (>= 0).
        full_units: Units delivered a year at full operation (MMBtu or kWh, > 0).
        initial_units: Units delivered a year in the initial phase.
        initial_years: Operating years at the initial phase.

    Raises:
        ValueError: A life below 1, a negative rate or no deliveries.
    """
    if life < 1 or rate < 0 or full_units <= 0:
        raise ValueError(f"need life >= 1, rate >= 0 and deliveries > 0; got life {life}, "
                         f"rate {rate}, deliveries {full_units}")
    disc = [(1.0 + rate) ** -(construction_years + k) for k in range(1, life + 1)]
    units = [initial_units if k <= initial_years else full_units for k in range(1, life + 1)]
    # math.fsum: exact sums, the same bits on any machine (no BLAS order).
    pv_units = math.fsum(q * d for q, d in zip(units, disc, strict=True))
    pv_cost = cost_usd + om_share * cost_usd * math.fsum(disc)
    return pv_cost / pv_units


def asset_life(tables: NetworkTables, carrier: str) -> int:
    """The ``params.csv`` asset life of an energy carrier (``gas`` or ``power``), years.

    Raises:
        NetworkDataError: The row is missing, or not a whole number in ``[1, LIFE_MAX]``.
    """
    name = LIFE_PARAMS.get(carrier)
    if name is None or name not in tables.params:
        raise NetworkDataError("params", None, "name", (
            f"no asset life for carrier {carrier!r}; allowed: a row "
            f"{name or 'life_<carrier>_years'} with a whole number of years in [1, {LIFE_MAX}]"))
    value = float(tables.params[name])
    if not (value.is_integer() and 1 <= value <= LIFE_MAX):
        line = int(list(tables.params_table.index).index(name)) + 2
        raise NetworkDataError("params", line, "value",
                               f"{name} = {value:g}; allowed: a whole number in [1, {LIFE_MAX}]")
    return int(value)


def _project_units(links: EnergyLinks, p: int) -> tuple[bool, float, float]:
    """Whether project ``p`` carries gas, and its units a year at full and initial phase."""
    mine = links.project == p
    gas = bool(links.is_gas[mine][0])
    per_flow = UNITS_PER_FLOW[gas]
    full = float(math.fsum(links.flow[mine])) * per_flow
    initial = float(math.fsum(links.flow[mine] * links.phase_share[mine])) * per_flow
    return gas, full, initial


def project_tariffs(links: EnergyLinks, tables: NetworkTables, rate: float = COST_OF_FUNDS,
                    om_share: float | None = None, life: int | None = None) -> dict[str, float]:
    """Each energy project's levelised tariff, US$ per MMBtu of gas or per kWh of power.

    At the terms of ``projects.csv``: a proposal's own terms are :func:`proposal_tariffs`'.

    Args:
        links: Energy link arrays.
        tables: The network tables (``projects.csv``'s base build cost and construction
            years, ``params.csv``'s asset life and O&M share).
        rate: The discount rate (default the members' cost of funds).
        om_share: One yearly O&M share for every project (a scenario's
            ``parameters.network.om_share``); default each carrier's ``params.csv`` share,
            as the hosts' upkeep has it.
        life: One asset life for every project, years; default each carrier's
            ``params.csv`` row (:func:`asset_life`).
    """
    out: dict[str, float] = {}
    for p, pid in enumerate(tables.project_ids):
        if not (links.project == p).any():
            continue
        row = tables.projects.loc[pid]
        gas, full, initial = _project_units(links, p)
        m = carrier_om_share(tables, pid) if om_share is None else float(om_share)
        out[pid] = levelised_tariff(float(row["build_cost_usd_bn"]) * 1e9, m, rate,
                                    life or asset_life(tables, "gas" if gas else "power"),
                                    int(row["construction_years"]), full, initial)
    return out


def tariff_matrix(links: EnergyLinks, tables: NetworkTables, rate: float = COST_OF_FUNDS,
                  om_share: float | None = None) -> FloatArray:
    """(L, N) tariff per unit each owner receives on each project link.

    The project's tariff at the terms of ``projects.csv`` (:func:`project_tariffs`) in its
    owners' shares of the build cost (:func:`~scosim.network.projects.default_host_shares`);
    a row sums to the tariff the link's importer pays. Existing links: zeros. A corridor
    proposal replaces its project's rows with its own terms (:func:`proposal_tariffs`).
    """
    out = np.zeros(links.transit.shape)
    for pid, tariff in project_tariffs(links, tables, rate, om_share).items():
        shares = default_host_shares(tables, pid)[0]
        out[links.project == tables.project_ids.index(pid)] = tariff * shares
    return out


def proposal_tariffs(links: EnergyLinks, tables: NetworkTables, project: str,
                     cost_usd: float, construction_years: int, owner_shares: ArrayLike,
                     om_share: ArrayLike, rate: float = COST_OF_FUNDS,
                     life: int | None = None) -> FloatArray:
    """(R, L, N) tariff per unit each owner receives, at one proposal's own terms.

    The levelised tariff that recovers THIS proposal's build cost (its ``cost_case`` or
    ``build_cost_usd_bn``) over its construction years, with each run's O&M share (a sweep
    may vary it), paid to the economies in the shares they pay the build (the proposal's
    ``host_shares``, else the published or by-length ones). Zero outside the project's
    links, and everywhere for a project without energy links (a railway).

    Args:
        links: Energy link arrays.
        tables: The network tables (the asset life of the project's carrier).
        project: The project id.
        cost_usd: The proposal's build cost, US$.
        construction_years: Its years from the start of construction to operation.
        owner_shares: (N,) each economy's share of the build cost (summing to 1).
        om_share: Yearly O&M share of the build cost, a number or one per run ``(R,)``.
        rate: The discount rate (default the members' cost of funds).
        life: The asset life, years; default the carrier's ``params.csv`` row.
    """
    m = np.atleast_1d(np.asarray(om_share, float))
    shares = np.asarray(owner_shares, float)
    out = np.zeros((m.size, *links.transit.shape))
    p = tables.project_ids.index(project)
    mine = links.project == p
    if not mine.any():
        return out
    gas, full, initial = _project_units(links, p)
    span = life or asset_life(tables, "gas" if gas else "power")
    # One levelised tariff per distinct O&M share (a sweep's runs share few values).
    tariff = {v: levelised_tariff(cost_usd, v, rate, span, construction_years, full, initial)
              for v in np.unique(m).tolist()}
    for r, v in enumerate(m.tolist()):
        out[r, mine] = tariff[v] * shares
    return out


def main(argv: list[str] | None = None) -> int:
    """Print each energy project's tariff and what it raises a year (docs/network.md).

    ``python -m scosim.network.transport_tariff [asset life, years]`` (default the
    ``params.csv`` lives): the members' cost of funds, the base build cost, each carrier's
    O&M share; US$ bn a year at full operation (the first phase raises its share of it).
    """
    import sys

    from scosim.network.energy import energy_links
    from scosim.network.tables import load_network

    args = sys.argv[1:] if argv is None else argv
    try:
        life = int(args[0]) if args else None
    except ValueError:
        print(f"error: the asset life must be a whole number of years; got {args[0]!r}")
        return 2
    if life is not None and not 1 <= life <= LIFE_MAX:
        print(f"error: the asset life must be in [1, {LIFE_MAX}] years; got {life}")
        return 2
    t = load_network()
    links = energy_links(t)
    span = f"{life} years" if life else "each carrier's life (params.csv)"
    print(f"levelised transport tariff at {100 * COST_OF_FUNDS:g} % over {span}; "
          "US$ bn a year at full operation")
    for pid, tariff in project_tariffs(links, t, life=life).items():
        mine = links.project == t.project_ids.index(pid)
        gas = bool(links.is_gas[mine][0])
        units = float(math.fsum(links.flow[mine])) * UNITS_PER_FLOW[gas]
        unit = "US$ a MMBtu" if gas else "US cents a kWh"
        shown = tariff if gas else 100 * tariff
        print(f"  {pid}: {shown:.3f} {unit}; raises {tariff * units / 1e9:.3f} a year")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
