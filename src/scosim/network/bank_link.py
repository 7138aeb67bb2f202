"""Which bank lends to a corridor: a ``development_bank`` in force, else the default bank.

A corridor financed by the SCO Development Bank (``bank_guaranteed`` or
``bank_project``) borrows on the bank's terms. Where the scenario's own
``development_bank`` proposal is in force in a run, those are its terms: its
``lending_rate`` and ``tenor_years``, and capital shares by its ``capital_rule``
among its participants (who bear a ``bank_project`` loss); its ``lending_rate`` is
read run by run (a sweep may vary it), one lender per rate. In runs with no such bank
in force, the corridor uses the default terms of docs/network.md (4 %, 20 years,
capital in proportion to the members' GDP). With several banks in force in one run,
the first in scenario order lends. The grace period, recovery rate and
failure probabilities are the corridor's own in both cases (docs/network.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from scosim.network.finance import capital_shares

if TYPE_CHECKING:
    from scosim.model.model import SCOModel


@dataclass(frozen=True)
class Lender:
    """The terms a corridor borrows on in the runs ``runs``.

    Attributes:
        runs: ``(R,)`` bool, the runs these terms apply to.
        rate: Annual lending rate.
        tenor: Loan tenor in years.
        capital: ``(R, N)`` capital shares of the bank's owners (rows sum to 1).
        pid: The ``development_bank`` proposal's id, or None for the default bank.
    """

    runs: np.ndarray
    rate: float
    tenor: int
    capital: np.ndarray
    pid: str | None


def lenders(model: SCOModel, default_rate: float, default_tenor: int) -> list[Lender]:
    """The lenders of this year's corridor loans, one per group of runs (disjoint, covering).

    Args:
        model: The model (its arrangements, membership and GDP of this year).
        default_rate: Lending rate of the default bank.
        default_tenor: Tenor of the default bank.

    Returns:
        Lenders whose ``runs`` partition the batch; runs without a bank in force come last.
    """
    from scosim.proposals.development_bank import DevelopmentBank

    left = np.ones(model.R, dtype=bool)
    out: list[Lender] = []
    for arr in model.arrangements:
        if not isinstance(arr, DevelopmentBank):
            continue
        runs = left & np.asarray(arr.in_force, bool)
        if not runs.any():
            continue
        p = arr.proposal
        owners = np.asarray(arr.participants, bool).copy()
        # Runs outside ``runs`` take no loan from this bank; any owner row keeps shares valid.
        owners[~runs] = True
        capital = capital_shares(owners, p.capital_rule, gdp=model.gdp)
        # The bank's rate in each run (swept or the scenario's): one lender per rate.
        rates = (arr.value("lending_rate") if "lending_rate" in arr.sweepable
                 else np.full(model.R, float(p.lending_rate)))
        for rate in np.unique(rates[runs]):
            out.append(Lender(runs & (rates == rate), float(rate), int(p.tenor_years), capital,
                              arr.pid))
        left &= ~runs
    if left.any():
        capital = capital_shares(model.is_member(), "gdp", gdp=model.gdp)
        out.append(Lender(left, default_rate, default_tenor, capital, None))
    return out
