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

from scosim.data.calibration import Calibration, load_calibration, load_calibration_from
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
