"""Banking systems, financial contagion, a banking union and national-currency settlement.

Typical use::

    from scosim.finance import FinanceSystem, Levers, clear
    fs = FinanceSystem()                      # packaged tables, default parameters
    state = fs.initial_state(R=100)
    state, indicators = fs.step(state, gdp_shocks, fs.no_sanctions(100), fs.levers(100), rng)

DebtRank is in :mod:`scosim.finance.debtrank`. See ``docs/finance.md``.

The names below are imported on first use (PEP 562), so that scenario validation,
which needs only :mod:`scosim.finance.spec`, loads no more than it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scosim._lazy import lazy_exports

if TYPE_CHECKING:
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

_EXPORTS = {
    "INDICATORS": "system",
    "SENIORITY": "clearing",
    "BankingData": "data",
    "ClearingResult": "clearing",
    "FinanceDataError": "data",
    "FinanceParams": "system",
    "FinanceState": "system",
    "FinanceSystem": "system",
    "Levers": "system",
    "clear": "clearing",
    "clearing_map": "clearing",
    "load_banking": "data",
    "step": "system",
}

__all__ = [
    "BankingData",
    "ClearingResult",
    "FinanceDataError",
    "FinanceParams",
    "FinanceState",
    "FinanceSystem",
    "INDICATORS",
    "Levers",
    "SENIORITY",
    "clear",
    "clearing_map",
    "load_banking",
    "step",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
