"""Operation and maintenance (O&M) of a corridor project: what its hosts pay a year.

A new line's freight rate is an iceberg cost in the GE: shippers pay it, it is used up, and
no economy collects it (docs/network.md, "Who pays for the line's upkeep"). Its rate per
TEU-km is the network average of existing railways' tariffs, not a charge that pays the
new line's upkeep to its owner; so the line's yearly O&M is not paid inside the model and
falls on its hosts, as the Afghan state pays for the Hairatan-Mazar line's. It is charged
as a share of the build cost a year, by carrier (``params.csv``: ``om_share_rail``,
``om_share_road``, ``om_share_pipeline``, ``om_share_power``), from the first operating
year while the project operates, in the hosts' cost shares. A scenario's
``parameters.network.om_share`` sets one share for every carrier, and a sweep may vary it
per run (:data:`SWEPT_UPKEEP`). An energy project's buyers pay it back to the hosts through
the transport tariff (:mod:`scosim.network.transport_tariff`), a transfer: it is charged
here once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scosim.network.tables import NetworkDataError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from scosim.model.model import SCOModel
    from scosim.network.tables import NetworkTables

#: The sweep's name of the O&M share (``scosim sweep --param NAME=LOW:HIGH``).
SWEPT_UPKEEP = "parameters.network.om_share"
#: Largest yearly O&M share of the build cost a scenario or ``params.csv`` may give: above
#: it the line would cost its build cost again in five years, no upkeep.
OM_SHARE_MAX = 0.2
#: The edge modes a project can build and their ``params.csv`` rows.
OM_PARAMS: dict[str, str] = {"rail": "om_share_rail", "road": "om_share_road",
                             "pipeline": "om_share_pipeline", "power": "om_share_power"}


def carrier_om_share(tables: NetworkTables, project: str) -> float:
    """A project's yearly O&M as a share of its build cost, from its edges' carriers.

    The ``params.csv`` share of each edge's mode, weighted by the edge's length (a project
    of one mode, as all shipped ones are, has that mode's share).

    Raises:
        NetworkDataError: A mode's share is missing from ``params.csv`` or outside
            ``[0, OM_SHARE_MAX]``.
        KeyError: The project has no edges.
    """
    edges = tables.edges[tables.edges["project"] == project]
    if edges.empty:
        raise KeyError(f"project {project!r} has no edges; known: {list(tables.project_ids)}")
    total, weighted = 0.0, 0.0
    for mode, length in zip(edges["mode"], edges["length_km"], strict=True):
        name = OM_PARAMS.get(str(mode))
        if name is None or name not in tables.params:
            raise NetworkDataError("params", None, "name", (
                f"no yearly O&M share for mode {mode!r} of project {project!r}; allowed: "
                f"a row {name or 'om_share_' + str(mode)} in [0, {OM_SHARE_MAX:g}]"))
        share = float(tables.params[name])
        if not 0.0 <= share <= OM_SHARE_MAX:
            line = int(list(tables.params_table.index).index(name)) + 2
            raise NetworkDataError("params", line, "value",
                                   f"{name} = {share:g}; allowed: [0, {OM_SHARE_MAX:g}]")
        total += float(length)
        weighted += float(length) * share
    if edges["mode"].nunique() == 1:
        # One carrier: its share exactly (the length-weighted mean can be off in the last
        # bit, so a scenario writing the same share would not give the same numbers).
        return share
    return weighted / total


def run_om_share(model: SCOModel, tables: NetworkTables, project: str) -> NDArray[np.float64]:
    """Each run's O&M share ``(R,)``: swept, else the scenario's, else the carrier's."""
    from scosim.network.mechanism import network_params

    given = network_params(model).om_share
    default = carrier_om_share(tables, project) if given is None else float(given)
    return model._param(SWEPT_UPKEEP, default)


def upkeep_usd(om_share: NDArray[np.float64], cost_usd: float,
               host_shares: NDArray[np.float64]) -> NDArray[np.float64]:
    """US$ a year each economy pays for a project's O&M while it operates, ``(R, N)``.

    ``m x C`` a year in all, in the hosts' cost shares: who pays for the line keeps it up.

    Args:
        om_share: Yearly O&M as a share of the build cost, per run ``(R,)``.
        cost_usd: The build cost, US$.
        host_shares: Each economy's share of the cost ``(N,)`` (summing to 1).
    """
    return np.asarray(om_share, float)[:, None] * cost_usd * np.asarray(host_shares,
                                                                        float)[None, :]
