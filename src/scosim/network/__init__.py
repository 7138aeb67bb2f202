"""Connectivity: the multimodal transport and energy network, corridors and their finance.

Typical use::

    from scosim.network import CorridorNetwork
    net = CorridorNetwork()                       # packaged tables + calibration trade
    out = net.step(instability, active_projects)  # (R, N) and (R, P) in
    out.t_hat                                     # (R, N, N) iceberg cost changes
    out.indicators["gas_supplier_hhi"]            # (R, N)

See docs/network.md for the tables, the calibration and the economics.

The names below are imported on first use (PEP 562): importing a light submodule
(``scosim.network.specs``, ``scosim.network.params``) for scenario validation must not
pull in pandas and scipy through the routing and tables modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scosim._lazy import lazy_exports

if TYPE_CHECKING:
    from scosim.network.finance import (
        FinanceOutcome,
        annuity_payment,
        capital_shares,
        failure_probability,
        finance_project,
        host_cost_shares,
        loan_schedule,
    )
    from scosim.network.specs import CorridorSpec
    from scosim.network.step import CorridorNetwork, NetworkStep, trade_weighted_change
    from scosim.network.tables import NetworkDataError, NetworkTables, load_network, read_network

_EXPORTS = {
    "CorridorNetwork": "step",
    "CorridorSpec": "specs",
    "FinanceOutcome": "finance",
    "NetworkDataError": "tables",
    "NetworkStep": "step",
    "NetworkTables": "tables",
    "annuity_payment": "finance",
    "capital_shares": "finance",
    "failure_probability": "finance",
    "finance_project": "finance",
    "host_cost_shares": "finance",
    "load_network": "tables",
    "loan_schedule": "finance",
    "read_network": "tables",
    "trade_weighted_change": "step",
}

__all__ = [
    "CorridorNetwork",
    "CorridorSpec",
    "FinanceOutcome",
    "NetworkDataError",
    "NetworkStep",
    "NetworkTables",
    "annuity_payment",
    "capital_shares",
    "failure_probability",
    "finance_project",
    "host_cost_shares",
    "load_network",
    "loan_schedule",
    "read_network",
    "trade_weighted_change",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
