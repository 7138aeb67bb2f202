"""Calibration data for scosim: packaged tables, their sources and the loader.

Typical use::

    from scosim.data import load_calibration, ECONOMIES, MEMBERS
    cal = load_calibration()      # data version 2023 (or $SCOSIM_DATA_VERSION)
    X = cal.trade_matrix()        # (28, 28) US$, exporter x importer, CIF, no tariffs
    tau = cal.tariff_matrix()     # (28, 28) fractions applied by the importer
    cal.agreements                # ordered pair x year -> agreements in force (WTO RTA ids)
    cal.source_of("gdp_usd", "KAZ")
    load_calibration("2019")      # the 2019-pattern calibration, for comparison
"""

# The calibration loader (pandas) is imported on first use (PEP 562): the scenario
# schema imports the economy lists from scosim.data.constants, which must not pull
# pandas into `scosim validate` and `scosim --version`.
from scosim._lazy import lazy_exports
from scosim.data.constants import (
    EAEU,
    ECONOMIES,
    LISTED,
    MEMBERS,
    NAMES,
    OBSERVERS,
    OTHERS,
    PARTNERS,
    ROW,
    STATUS,
)

_LAZY = {
    "Calibration": "calibration",
    "load_calibration": "calibration",
    "load_calibration_from": "calibration",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = [
    "EAEU",
    "ECONOMIES",
    "LISTED",
    "MEMBERS",
    "NAMES",
    "OBSERVERS",
    "OTHERS",
    "PARTNERS",
    "ROW",
    "STATUS",
    "Calibration",
    "load_calibration",
    "load_calibration_from",
]
