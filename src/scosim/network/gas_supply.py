"""The gas exporter's side of a project's sales: its spare supply and its next-best market.

Until 2026-12-07 the exporter of a gas project earned ``border price - supply cost`` on
every unit it sold (:mod:`scosim.network.energy_value`), as if the gas had no other buyer
and its fields no limit: Turkmenistan gained 17 % of its real income from TAPI, and 30 %
with line D added, selling 62.6 bcm a year of new gas against 76 produced. An appraisal
values the exporter's gain against what the gas would earn without the project and caps
what its fields can supply (docs/network.md, "What the exporter gives up"):

* **Spare supply, a cap on sales.** ``gas_spare_supply_bcm_<ISO3>`` (``params.csv``) is the
  gas a year the exporter can sell on new projects beyond its domestic use and its exports
  on existing pipelines. Where its projects together would sell more, each of its project
  gas links delivers the same share of its contract, so their sum is the cap
  (:func:`cap_sales`; the cap is shared pro rata to the deliveries, as an initial phase is).
* **The next-best market.** ``gas_alt_capacity_bcm_<ISO3>`` is the spare capacity of the
  exporter's existing export route (Turkmenistan: lines A-C of the Central Asia-China gas
  pipeline), ``gas_alt_price_usd_mmbtu_<ISO3>`` the price at that market's border and
  ``gas_alt_transport_usd_mmbtu_<ISO3>`` the cost of getting the gas there; their difference
  is the netback at the exporter's border. Without the projects the exporter would sell
  ``min(spare supply, route capacity)`` there. With them it sells what its spare supply
  leaves, ``min(max(spare - project sales, 0), capacity)``; the fall is the gas the
  projects divert from it (:func:`diverted_share`). A diverted unit earns the exporter the
  project's price less the netback it gives up (less its supply cost where the netback is
  below it: it would not have sold it); a unit beyond, new volume, earns price less
  supply cost (:func:`exporter_cost`).

An exporter with no rows has no cap and no alternative (no project exporter but
Turkmenistan sells gas on a shipped project).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scosim.network.tables import NetworkDataError, NetworkTables

FloatArray = NDArray[np.float64]

#: ``params.csv`` prefixes of the per-exporter rows (``<prefix><ISO3>``).
SPARE_PREFIX = "gas_spare_supply_bcm_"
CAPACITY_PREFIX = "gas_alt_capacity_bcm_"
ALT_PRICE_PREFIX = "gas_alt_price_usd_mmbtu_"
ALT_LOW_PREFIX = "gas_alt_price_low_usd_mmbtu_"
ALT_HIGH_PREFIX = "gas_alt_price_high_usd_mmbtu_"
TRANSPORT_PREFIX = "gas_alt_transport_usd_mmbtu_"
#: ``params.csv`` rows of the ranges the ensemble draws the prices from, uniformly and
#: independently in each run (:func:`draw_uniform`; docs/network.md).
RANGE_PARAMS: dict[str, tuple[str, str]] = {
    "border": ("gas_border_price_low_usd_mmbtu", "gas_border_price_high_usd_mmbtu"),
    "supply": ("gas_supply_cost_low_usd_mmbtu", "gas_supply_cost_high_usd_mmbtu"),
}
#: The random stream of the price draws (:class:`scosim.model.rng.RunStreams`): its own
#: key, so the draws move no other number of a run.
STREAM = "network:energy_prices"


def per_economy(tables: NetworkTables, prefix: str, fill: float) -> FloatArray:
    """(N,) the ``<prefix><ISO3>`` rows of ``params.csv``, ``fill`` where there is none.

    Raises:
        NetworkDataError: A row naming no economy of the tables.
    """
    out = np.full(len(tables.economies), fill)
    for name, value in tables.params.items():
        if not name.startswith(prefix):
            continue
        code = name.removeprefix(prefix)
        if code not in tables.economies:
            raise NetworkDataError("params", None, "name",
                                   f"{name}: allowed: {prefix}<ISO3> with an economy of "
                                   "the tables")
        out[tables.economies.index(code)] = float(value)
    return out


def spare_supply(tables: NetworkTables) -> FloatArray:
    """(N,) bcm a year each exporter can sell on new projects (inf: no cap)."""
    return per_economy(tables, SPARE_PREFIX, np.inf)


def alternative_capacity(tables: NetworkTables) -> FloatArray:
    """(N,) bcm a year of spare capacity on each exporter's existing route (0: none)."""
    return per_economy(tables, CAPACITY_PREFIX, 0.0)


def netback(tables: NetworkTables, price: FloatArray | None = None) -> FloatArray:
    """(N,) or (R, N) each exporter's netback in its next-best market, US$/MMBtu (nan: none).

    ``price``: the market's border price, (N,) or (R, N) (a run's draws); default the
    ``gas_alt_price_usd_mmbtu_`` rows. The netback is it less the transport to that border.
    """
    if price is None:
        price = per_economy(tables, ALT_PRICE_PREFIX, np.nan)
    return np.asarray(price, float) - per_economy(tables, TRANSPORT_PREFIX, 0.0)


def draw_uniform(tables: NetworkTables, u: FloatArray) -> dict[str, FloatArray]:
    """Each run's border price, supply cost and next-best border price (US$/MMBtu).

    Args:
        tables: The network tables (the ranges are ``params.csv`` rows).
        u: (R, 3) uniform [0, 1) draws, one row per run.

    Returns:
        ``border`` and ``supply`` (R,), ``alt_price`` (R, N) (nan where an exporter has
        no next-best market), each uniform over its range.

    Raises:
        NetworkDataError: A range row missing, or its low above its high.
    """
    p = tables.params
    out: dict[str, FloatArray] = {}
    for k, (key, (lo_name, hi_name)) in enumerate(RANGE_PARAMS.items()):
        if lo_name not in p or hi_name not in p:
            raise NetworkDataError("params", None, "name",
                                   f"missing {lo_name} or {hi_name} (network.gas_supply)")
        lo, hi = float(p[lo_name]), float(p[hi_name])
        if lo > hi:
            raise NetworkDataError("params", None, "value",
                                   f"{lo_name} {lo:g} above {hi_name} {hi:g}; allowed: "
                                   "low <= high")
        out[key] = lo + (hi - lo) * u[:, k]
    lo = per_economy(tables, ALT_LOW_PREFIX, np.nan)
    hi = per_economy(tables, ALT_HIGH_PREFIX, np.nan)
    if np.any(lo > hi):
        raise NetworkDataError("params", None, "value",
                               f"a {ALT_LOW_PREFIX} row above its {ALT_HIGH_PREFIX} row; "
                               "allowed: low <= high")
    out["alt_price"] = lo[None, :] + (hi - lo)[None, :] * u[:, 2:3]
    return out


def _project_gas(project: NDArray[np.int64], is_gas: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Indices of the project gas links."""
    return np.flatnonzero(is_gas & (project >= 0))


def _sales(f: FloatArray, exporter: NDArray[np.int64], gas: NDArray[np.int64],
           n: int) -> FloatArray:
    """(R, N) project gas each exporter sells, summed link by link (a fixed order)."""
    q = np.zeros((f.shape[0], n))
    for k in gas:
        q[:, exporter[k]] += f[:, k]
    return q


def cap_sales(flow: FloatArray, exporter: NDArray[np.int64], project: NDArray[np.int64],
              is_gas: NDArray[np.bool_], spare: FloatArray | None) -> FloatArray:
    """(R, L) ``flow`` with each exporter's project gas sales within its spare supply.

    Where an exporter's project gas links deliver more than ``spare`` together, each
    delivers ``spare / sales`` of its flow (the cap shared pro rata to the deliveries).
    """
    if spare is None or not np.isfinite(spare).any():
        return flow
    gas = _project_gas(project, is_gas)
    q = _sales(flow, exporter, gas, len(spare))
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(q > spare[None, :], spare[None, :] / q, 1.0)
    out = flow.copy()
    out[:, gas] = flow[:, gas] * scale[:, exporter[gas]]
    return out


def diverted_share(f: FloatArray, exporter: NDArray[np.int64], project: NDArray[np.int64],
                   is_gas: NDArray[np.bool_], spare: FloatArray,
                   capacity: FloatArray) -> FloatArray:
    """(R, L) share of each project gas link's sales diverted from the next-best market.

    ``min(spare, capacity) - min(max(spare - sales, 0), capacity)`` of the exporter's
    sales (module docstring), the same share on each of its links; 0 on other links.
    """
    gas = _project_gas(project, is_gas)
    out = np.zeros(f.shape)
    if not gas.size:
        return out
    q = _sales(f, exporter, gas, len(spare))
    before = np.minimum(spare, capacity)[None, :]
    after = np.minimum(np.maximum(spare[None, :] - q, 0.0), capacity[None, :])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(q > 0, np.clip((before - after) / q, 0.0, 1.0), 0.0)
    out[:, gas] = share[:, exporter[gas]]
    return out


def exporter_cost(diverted: FloatArray, exporter: NDArray[np.int64], supply_cost: FloatArray,
                  alt_netback: FloatArray) -> FloatArray:
    """(R, L) what a unit of each gas link's sales costs the exporter, US$/MMBtu.

    A diverted unit costs the netback it gives up, or its supply cost where that is
    higher (it would not have sold it there); a new unit its supply cost.

    Args:
        diverted: (R, L) :func:`diverted_share`.
        exporter: (L,) exporter indices.
        supply_cost: (R, 1) or scalar, the supply cost.
        alt_netback: (N,) or (R, N) :func:`netback` (nan: no next-best market).
    """
    back = np.atleast_2d(np.asarray(alt_netback, float))[:, exporter]
    given_up = np.fmax(np.where(np.isfinite(back), back, -np.inf), supply_cost)
    # Exactly the supply cost where nothing is diverted (the rule of 2026-12-06).
    return np.where(diverted > 0, diverted * given_up + (1.0 - diverted) * supply_cost,
                    supply_cost)
