"""Banking systems, financial contagion, a banking union and national-currency settlement.

Typical use::

    from scosim.finance import FinanceSystem, Levers, clear
    fs = FinanceSystem()                      # packaged tables, default parameters
    state = fs.initial_state(R=100)
    state, indicators = fs.step(state, gdp_shocks, fs.no_sanctions(100), fs.levers(100), rng)

See ``docs/finance.md``.
"""

from scosim.finance.clearing import SENIORITY, ClearingResult, clear, clearing_map
from scosim.finance.data import BankingData, FinanceDataError, load_banking
from scosim.finance.debtrank import DebtRankResult, debtrank
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
    "DebtRankResult",
    "FinanceDataError",
    "FinanceParams",
    "FinanceState",
    "FinanceSystem",
    "Levers",
    "clear",
    "clearing_map",
    "debtrank",
    "load_banking",
    "step",
]
