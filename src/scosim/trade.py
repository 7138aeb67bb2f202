"""Public entry point for the trade mechanism: general equilibrium and gravity.

Re-exports :mod:`scosim.mechanisms.trade` (GE solver) and
:mod:`scosim.mechanisms.gravity` (PPML) so that ``scosim.trade.solve_ge`` works.
"""

from scosim.mechanisms.fitted import FittedBaseline, fitted_baseline
from scosim.mechanisms.gravity import (
    PPMLResult,
    TradeCostEstimate,
    cost_index,
    estimate_trade_costs,
    gravity_frame,
    ppml,
)
from scosim.mechanisms.trade import (
    GEConvergenceError,
    GEResult,
    GESanityError,
    baseline_accounts,
    iceberg_from_cost_index,
    solve_ge,
    tariff_inclusive_flows,
)

__all__ = [
    "PPMLResult",
    "TradeCostEstimate",
    "cost_index",
    "estimate_trade_costs",
    "gravity_frame",
    "ppml",
    "FittedBaseline",
    "GEConvergenceError",
    "GEResult",
    "GESanityError",
    "baseline_accounts",
    "fitted_baseline",
    "iceberg_from_cost_index",
    "solve_ge",
    "tariff_inclusive_flows",
]
