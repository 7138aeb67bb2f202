"""Connectivity: the multimodal transport and energy network, corridors and their finance.

Typical use::

    from scosim.network import CorridorNetwork
    net = CorridorNetwork()                       # packaged tables + calibration trade
    out = net.step(instability, active_projects)  # (R, N) and (R, P) in
    out.t_hat                                     # (R, N, N) iceberg cost changes
    out.indicators["gas_supplier_hhi"]            # (R, N)

See docs/network.md for the tables, the calibration and the economics.
"""

from scosim.network.finance import (
    FinanceOutcome,
    annuity_payment,
    capital_shares,
    draw_failure_year,
    failure_probability,
    finance_project,
    host_cost_shares,
    loan_schedule,
)
from scosim.network.specs import CorridorSpec, DevelopmentBankSpec
from scosim.network.step import CorridorNetwork, NetworkStep, trade_weighted_change
from scosim.network.tables import NetworkDataError, NetworkTables, load_network, read_network

__all__ = [
    "CorridorNetwork",
    "CorridorSpec",
    "DevelopmentBankSpec",
    "FinanceOutcome",
    "NetworkDataError",
    "NetworkStep",
    "NetworkTables",
    "annuity_payment",
    "capital_shares",
    "draw_failure_year",
    "failure_probability",
    "finance_project",
    "host_cost_shares",
    "load_network",
    "loan_schedule",
    "read_network",
    "trade_weighted_change",
]
