"""What the corridors carry each year: the model's trade of the year, and first-phase capacity.

Two pieces of the yearly network step (docs/network.md, "Capacity and congestion"):

* :func:`network_trade`, the (R, N, N) trade the network routes in a year. Until 2026-12-06
  every year routed the base-year trade matrix (``model.trade_cif0``), so corridor loads,
  congestion, rationing and transit fees ignored growth and the trade a corridor or a customs
  union creates. Now each year routes the trade the model last solved: the network's costs
  enter the year's own trade solve, so the year cannot route its own solution, and it routes
  the previous year's (its GE flows valued before the importer's tariff, as
  ``model_tables.bilateral_flows`` reports them). Before any year is solved it routes the
  year's baseline trade (the base-year pattern re-based to the GDP path when
  ``parameters.trade.moving_baseline`` is on). **Assumption**: the one-year lag leaves out
  one year's growth of the loads, about the trend growth of the economies concerned (the
  calibration's ``gdp_growth_trend``: 2.8 to 6.6 percent a year between its quartiles, -0.5
  for Iran to 8.9 for Kyrgyzstan); it understates the congestion term ``0.15 (v / c)^4`` by
  about four times that growth, relatively, and overstates a rationed pair's corridor share
  by about that growth.
* :func:`phase_capacity`, each freight edge's capacity (Mt a year) in the year: an edge of a
  freight project in its first ``INITIAL_PHASE_YEARS`` of operation carries the share
  ``capacity_initial / capacity`` of ``projects.csv`` of its ``edges.csv`` capacity, as an
  energy link delivers that share of its contract (:mod:`scosim.network.energy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.network.routing import FreightGraph
    from scosim.network.tables import NetworkTables

FloatArray = NDArray[np.float64]


def network_trade(model: SCOModel) -> FloatArray:
    """The (R, N, N) CIF trade (US$) the year's network step routes.

    The trade of the last year the model solved (``model.ge.flows`` over one plus the tariffs
    it was solved with), else, before the first solve (or with the trade slot empty), the
    year's baseline flows over one plus the baseline tariffs. The diagonal (domestic sales)
    is kept: routing ignores it.

    Args:
        model: The model, between the growth slot and the trade slot of a year (or in the
            Council phase before them: previews route the same trade as the year's step).

    Returns:
        A fresh (R, N, N) array.
    """
    shape = (model.R, model.N, model.N)
    ge = getattr(model, "ge", None)
    if ge is not None:
        solved = getattr(model, "tariffs_solved", None)
        tariffs = model.tariffs if solved is None else solved
        flows = np.broadcast_to(np.asarray(ge.flows, float), shape)
        return flows / (1.0 + np.broadcast_to(np.asarray(tariffs, float), shape))
    base = np.asarray(model.baseline_flows(), float) / (1.0 + np.asarray(model.tau0, float))
    return np.broadcast_to(base, shape).copy()


def project_phase_share(tables: NetworkTables) -> FloatArray:
    """(P,) each project's first-phase share ``capacity_initial / capacity`` (1 without a ramp).

    Raises:
        NetworkDataError: On an initial capacity above the capacity, naming the project
            (the energy links refuse the same for energy projects).
    """
    from scosim.network.tables import NetworkDataError

    rows = tables.projects.loc[list(tables.project_ids)]
    cap = rows["capacity"].to_numpy(float)
    initial = rows["capacity_initial"].to_numpy(float)
    bad = initial > cap
    if np.any(bad):
        pid = rows.index[int(np.argmax(bad))]
        raise NetworkDataError("projects", None, "capacity_initial",
                               f"{pid}: {initial[bad][0]:g} above its capacity "
                               f"{cap[bad][0]:g}; allowed: 0 to capacity")
    return np.where(cap > 0, initial / np.where(cap > 0, cap, 1.0), 1.0)


def freight_ramped(tables: NetworkTables) -> NDArray[np.bool_]:
    """(P,) freight projects whose first phase runs below their capacity."""
    carrier = tables.projects.loc[list(tables.project_ids), "carrier"].to_numpy()
    return (carrier == "freight") & (project_phase_share(tables) < 1.0)


def phase_capacity(graph: FreightGraph, capacity: FloatArray, share: FloatArray,
                   initial_phase: NDArray[np.bool_] | None) -> FloatArray:
    """(R, E) freight capacity of each edge in the year, Mt a year.

    Args:
        graph: The freight graph (``edge_project``: each edge's project, -1 for none).
        capacity: (E,) ``edges.csv`` capacity, inf where unconstrained.
        share: (P,) first-phase share of each project (:func:`project_phase_share`).
        initial_phase: (R, P) bool, projects in their first phase; None: none.

    Returns:
        ``capacity`` times the share of the edge's project where that project is in its
        first phase, else ``capacity`` (elementwise: no sum, nothing order-dependent).
    """
    cap = np.asarray(capacity, float)[None, :]
    if initial_phase is None:
        return cap
    phase = np.atleast_2d(np.asarray(initial_phase, bool))
    ep = graph.edge_project
    on = (ep >= 0)[None, :] & phase[:, np.maximum(ep, 0)]
    return np.where(on, cap * share[np.maximum(ep, 0)][None, :], cap)
