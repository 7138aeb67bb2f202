"""Which bank lends to a corridor: a ``development_bank`` in force, else the default bank.

A corridor financed by the SCO Development Bank (``bank_guaranteed`` or
``bank_project``) borrows on the bank's terms. Where the scenario's own
``development_bank`` proposal is in force in a run, those are its terms: its
``lending_rate``, ``tenor_years`` and ``grace_years`` (the loan profile of its own
preview), its ``funding_rate`` as its funding cost, and capital shares by its
``capital_rule`` among its participants, who bear a ``bank_project`` loss and the
interest subsidy of lending below its funding cost (docs/network.md; until 2026-12-06
the bank funded at its ``market_rate``, the borrowers' alternative). Its
``lending_rate`` and ``funding_rate`` are read run by run (a sweep may vary them), one
lender per pair of rates. In runs with no such bank in force, the corridor uses the
default terms of docs/network.md (4 %, 20 years, 5 of grace, capital in proportion to the
members' GDP), funded at the lending rate, which is the corridors' discount rate: no
subsidy. With several banks in force in one run, the first in scenario order lends.

A bank in force lends only within its lending limit, ``leverage`` times its subscribed
capital, on its corridor loans outstanding (:mod:`scosim.network.bank_book`, the charter
it follows): where the loan asked for does not fit in a run, it declines it there, and
the next bank in force in scenario order is asked, else the default bank lends, as in a
run with no bank in force. Loans are approved first come, first served: in the order
corridors enter into force, by year, and within a year in scenario order.
Capital shares are fixed at subscription, so they weigh the owners' base-year GDP
(``model.gdp0``), as the bank's preview does. The recovery rate and failure
probabilities are the corridor's own in both cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from scosim.network.bank_book import LoanBook
from scosim.network.finance import capital_shares

if TYPE_CHECKING:
    from scosim.model.model import SCOModel


@dataclass(frozen=True)
class Lender:
    """The terms a corridor borrows on in the runs ``runs``.

    Attributes:
        runs: ``(R,)`` bool, the runs these terms apply to.
        rate: Annual lending rate.
        tenor: Loan tenor in years, grace included.
        grace: Interest-only years at the start of the loan (before any shortening to fit
            the tenor).
        capital: ``(R, N)`` capital shares of the bank's owners (rows sum to 1).
        pid: The ``development_bank`` proposal's id, or None for the default bank.
        funding_rate: The bank's funding cost (its ``funding_rate``), or None when it
            funds at its lending rate (the default bank).
        book: The bank's corridor loans (its lending limit), None for the default bank.
        declined: ``(R,)`` bool, runs where this bank is in force and declined the loan
            (not in ``runs``), or None when it declined none.
    """

    runs: np.ndarray
    rate: float
    tenor: int
    grace: int
    capital: np.ndarray
    pid: str | None
    funding_rate: float | None = None
    book: LoanBook | None = None
    declined: np.ndarray | None = None


def lenders(model: SCOModel, default_rate: float, default_tenor: int,
            default_grace: int, loan: np.ndarray | None = None) -> list[Lender]:
    """The lenders of this year's corridor loans, one per group of runs (disjoint, covering).

    Args:
        model: The model (its arrangements, membership and base-year GDP, the year).
        default_rate: Lending rate of the default bank.
        default_tenor: Tenor of the default bank.
        default_grace: Grace years of the default bank.
        loan: ``(R,)`` US$ the corridor asks to borrow this year, checked against each
            bank's lending limit; None: no check (no loan, or the terms alone).

    Returns:
        Lenders whose ``runs`` partition the batch; runs without a bank in force, or
        whose banks declined the loan, come last. A bank that declined the loan in
        every run it is in force in is listed with no runs, for its ``declined``.
    """
    from scosim.proposals.development_bank import DevelopmentBank

    gdp0 = np.asarray(model.gdp0, float)
    left = np.ones(model.R, dtype=bool)
    out: list[Lender] = []
    for arr in model.arrangements:
        if not isinstance(arr, DevelopmentBank):
            continue
        runs = left & np.asarray(arr.in_force, bool)
        if not runs.any():
            continue
        declined = None
        if loan is not None:
            no = runs & ~arr.book.fits(loan, model.year)
            if no.any():
                declined, runs = no, runs & ~no
        p = arr.proposal
        owners = np.asarray(arr.participants, bool).copy()
        # Runs outside ``runs`` take no loan from this bank; any owner row keeps shares valid.
        owners[~runs] = True
        capital = capital_shares(owners, p.capital_rule, gdp=gdp0)
        # The bank's rates in each run (swept or the scenario's): one lender per pair.
        rates = np.column_stack([np.broadcast_to(np.asarray(arr.value(k), float), model.R)
                                 for k in ("lending_rate", "funding_rate")])
        terms = [(float(rate), float(funding)) for rate, funding
                 in np.unique(rates[runs], axis=0)] or [(float(p.lending_rate),
                                                         float(p.funding_rate))]
        for k, (rate, funding) in enumerate(terms):
            same = runs & (rates[:, 0] == rate) & (rates[:, 1] == funding)
            # The declined runs go with the bank's first group of rates (only the record).
            out.append(Lender(same, rate, int(p.tenor_years), int(p.grace_years), capital,
                              arr.pid, funding, arr.book, declined if k == 0 else None))
        left &= ~runs
    if left.any():
        capital = capital_shares(model.is_member(), "gdp", gdp=gdp0)
        out.append(Lender(left, default_rate, default_tenor, default_grace, capital, None))
    return out
