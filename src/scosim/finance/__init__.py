"""Banking systems, financial contagion, a banking union and national-currency settlement.

Typical use::

    from scosim.finance import FinanceSystem, Levers, clear
    fs = FinanceSystem()                      # packaged tables, default parameters
    state = fs.initial_state(R=100)
    state, indicators = fs.step(state, gdp_shocks, fs.no_sanctions(100), fs.levers(100), rng)

DebtRank is in :mod:`scosim.finance.debtrank`. See ``docs/finance.md``.
"""

from scosim.finance.clearing import SENIORITY, ClearingResult, clear, clearing_map
from scosim.finance.data import BankingData, FinanceDataError, load_banking
from scosim.finance.system import (
    INDICATORS,
    FinanceParams,
    FinanceState,
    FinanceSystem,
    Levers,
    step,
)

__all__ = [
    "INDICATORS",
    "SENIORITY",
    "BankingData",
    "ClearingResult",
    "FinanceDataError",
    "FinanceParams",
    "FinanceState",
    "FinanceSystem",
    "Levers",
    "clear",
    "clearing_map",
    "load_banking",
    "step",
]
