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

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
