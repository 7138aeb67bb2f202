"""Which bank lends to a corridor: a ``development_bank`` in force, else the default bank.

A corridor financed by the SCO Development Bank (``bank_guaranteed`` or
``bank_project``) borrows on the bank's terms. Where the scenario's own
``development_bank`` proposal is in force in a run, those are its terms: its
``lending_rate``, ``tenor_years`` and ``grace_years`` (the loan profile of its own
preview), its effective funding rate as its funding cost (``funding_rate`` and its
owners' paid-in capital at ``market_rate``:
:func:`scosim.proposals.development_bank.effective_funding_rate`), and capital shares by its
``capital_rule`` among its participants, who bear a ``bank_project`` loss and the
interest subsidy of lending below its funding cost (docs/network.md; until 2026-12-06
the bank funded at its ``market_rate``, the borrowers' alternative). Its
rates are read run by run (a sweep may vary them), one lender per pair of lending and
funding rates. In runs with no such bank in force, the corridor uses the
default terms of docs/network.md (4 %, 20 years, 5 of grace, capital in proportion to the
members' GDP), funded at the lending rate, which is the corridors' discount rate: no
subsidy. With several banks in force in one run, the first in scenario order lends.

A bank in force lends only within its lending limit, ``leverage`` times its subscribed
capital, on its corridor loans outstanding (:mod:`scosim.network.bank_book`, the charter
it follows): where the loan asked for does not fit in a run, it declines it there, and
the next bank in force in scenario order is asked. Loans are approved first come, first
served: in the order corridors enter into force, by year, and within a year in scenario
order.
Capital shares are fixed at subscription, so they weigh the owners' base-year GDP
(``model.gdp0``), as the bank's preview does. The recovery rate and failure
probabilities are the corridor's own in both cases.

A loan that fits is put to the bank's board where its ``board_approval`` is on (the
default): the owners vote, each yes where its expected gain from the loan is at least 0
(the corridor says what that gain is: ``board`` below), and the loan is approved where
the yes votes' capital shares make more than half of the votes (:func:`board_yes_share`;
docs/network.md, "The bank's board"). A loan the board rejects is treated as a declined
one: the next bank in force is asked. The default bank has no board: it stands for
lending on the terms of docs/network.md, not for an institution.

Where a bank is in force in a run and every bank in force there declines or rejects the
loan, the corridor is financed as its hosts would finance it without the bank: from
their budgets (a :class:`Lender` with ``budget`` set; ``finance_project``'s ``budget``
path). Until 2026-12-06 the default bank lent there on the same terms, its owners all
members by GDP, so a loan the board rejected for its expected loss was made anyway and
the same owners bore the same loss (China US$0.96 bn of the Trans-Afghan railway's at
Afghan instability 0.8). Runs with no bank in force keep the default bank.

Every lender carries the members' cost of funds, ``cost_of_funds``, at which the
corridor values its money flows (payments, the owners' subsidy, losses and salvage:
``finance_project``'s ``discount_rate``): a government that pays from its budget
borrows at its sovereign rate or gives up spending that returns as much, and a loan is
worth to it its grant element against that rate, the IMF/World Bank and OECD-DAC
measure of concessionality (docs/network.md, "The hosts' cost of funds"). It is a
bank's ``market_rate``, the rate its own preview measures its borrowers' grant element
and discounts at, in the runs where that bank is the first in force; elsewhere
:data:`scosim.network.finance.COST_OF_FUNDS` (7 %, the bank's default ``market_rate``).
The default bank lends at it (``default_rate``): it stands for the hosts' borrowing on
their own credit, so a guaranteed loan from it costs them what paying from their budgets
does. Until 2026-12-06 every flow was valued at the corridors' 4 % ``DISCOUNT_RATE``
and the default bank lent at 4 %: any loan above 4 % then cost a host more than its
budget (Iran US$5.64 bn for the INSTC from a bank lending at 4.9 %, against 5.30), while
the bank's own preview valued the same loan at a grant element against 7 %.

The loan is decided (the lending limit and the board) when the corridor enters into
force; its preview, in the year of the Council's vote, asks the banks expected to be in
force then (``year``, ``order``: in force now, or adopted and entering into force by
that year before the corridor) about their books in that year (until 2026-12-06 the
banks in force in the vote year, about that year's book, so a bank adopted with the
corridor was left out of the preview and then lent in the run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from scosim.network.bank_book import LoanBook
from scosim.network.finance import COST_OF_FUNDS, capital_shares, loan_schedule

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.proposals.base import ProposalType


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
        funding_rate: The bank's funding cost (its effective funding rate), or None
            when it funds at its lending rate (the default bank).
        book: The bank's corridor loans (its lending limit), None for the default bank.
        declined: ``(R,)`` bool, runs where this bank is in force and declined the loan
            (not in ``runs``), or None when it declined none.
        rejected: ``(R,)`` bool, runs where the loan fit but the bank's board rejected
            it (not in ``runs``), or None when its board rejected none.
        board_yes: ``(R,)`` capital share of the owners voting yes on the loan where the
            board voted (NaN elsewhere), or None when it did not vote.
        budget: No loan: the hosts pay from their budgets, in runs where a bank is in
            force and every bank in force declined or rejected the loan (the rate, tenor,
            grace and capital are then unused).
        cost_of_funds: The members' cost of funds in these runs, at which the corridor
            values its money flows: the first bank in force's ``market_rate``, else the
            default (:data:`scosim.network.finance.COST_OF_FUNDS`).
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
    rejected: np.ndarray | None = None
    board_yes: np.ndarray | None = None
    budget: bool = False
    cost_of_funds: float = COST_OF_FUNDS


#: The share of the votes a loan needs, strictly more than: a simple majority of the votes
#: cast (AIIB Articles of Agreement, art. 28.3(ii); IBRD Articles, art. V section 3(b)).
MAJORITY = 0.5


def board_yes_share(capital: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Capital share of the owners voting yes, ``(R,)``: each votes yes where its gain >= 0.

    Votes are weighted by capital share alone (share votes; the AIIB's basic and
    founding-member votes, which give smaller members more, are left out: docs/network.md,
    "The bank's board"). Every owner votes, so the votes cast are the whole capital.

    Args:
        capital: ``(R, N)`` the owners' capital shares (rows sum to 1, others 0).
        gain: ``(R, N)`` each economy's expected gain from the loan.
    """
    yes = np.asarray(gain, float) >= 0.0
    # numpy's pairwise sum over the economies, no matrix product.
    return np.where(yes, np.asarray(capital, float), 0.0).sum(axis=1)


def lenders(model: SCOModel, default_rate: float, default_tenor: int,
            default_grace: int, loan: np.ndarray | None = None,
            board: Callable[[Lender], np.ndarray] | None = None,
            year: int | None = None, order: int | None = None) -> list[Lender]:
    """The lenders of a corridor loan made in ``year``, one per group of runs (disjoint, covering).

    Args:
        model: The model (its arrangements, membership and base-year GDP, the year).
        default_rate: Lending rate of the default bank, and the cost of funds of the runs
            with no bank in force (it stands for the hosts' borrowing on their own credit).
        default_tenor: Tenor of the default bank.
        default_grace: Grace years of the default bank.
        loan: ``(R,)`` US$ the corridor asks to borrow, checked against each bank's
            lending limit in ``year``; None: no check (no loan, or the terms alone).
        board: Each owner's expected gain ``(R, N)`` from the loan on a bank's terms
            (the lender as it would lend), for the board's vote of a bank whose
            ``board_approval`` is on; None: no vote (every loan that fits is approved).
        year: The year the loan is made, when the corridor enters into force; None: the
            model's year. A later year (a preview before ratification) counts the banks
            expected in force then (:func:`in_force_by`).
        order: The corridor's index in ``model.arrangements``: a bank entering into force
            in ``year`` lends only if it comes first (arrangements enter in scenario order).

    Returns:
        Lenders whose ``runs`` partition the batch; runs without a bank in force (the
        default bank) and runs whose banks in force all declined or rejected the loan
        (``budget``) come last. A bank that declined or
        rejected the loan in every run it is in force in is listed with no runs, for its
        ``declined`` and ``rejected``.
    """
    from scosim.proposals.development_bank import DevelopmentBank, effective_funding_rate

    when = model.year if year is None else int(year)
    gdp0 = np.asarray(model.gdp0, float)
    left = np.ones(model.R, dtype=bool)
    banked = np.zeros(model.R, dtype=bool)  # runs with a bank in force
    # The members' cost of funds, run by run: the first bank in force's market_rate.
    cost = np.full(model.R, float(default_rate))
    out: list[Lender] = []
    for k_arr, arr in enumerate(model.arrangements):
        if not isinstance(arr, DevelopmentBank):
            continue
        runs = left & in_force_by(arr, when, k_arr, order)
        if not runs.any():
            continue
        market = np.broadcast_to(np.asarray(arr.value("market_rate"), float), model.R)
        cost = np.where(runs & ~banked, market, cost)
        banked |= runs
        declined = None
        if loan is not None:
            no = runs & ~arr.book.fits(loan, when)
            if no.any():
                declined, runs = no, runs & ~no
        p = arr.proposal
        owners = np.asarray(arr.participants, bool).copy()
        # Runs outside ``runs`` take no loan from this bank; any owner row keeps shares valid.
        owners[~runs] = True
        capital = capital_shares(owners, p.capital_rule, gdp=gdp0)
        # The bank's rates in each run (swept or the scenario's): one lender per triple. It
        # funds a corridor loan as its other loans, with its paid-in capital at the
        # owners' market rate and its borrowing (until 2026-12-06 at funding_rate alone).
        funding = effective_funding_rate(*(arr.value(k) for k in (
            "funding_rate", "market_rate", "paid_in_share", "leverage")))
        rates = np.column_stack([
            np.broadcast_to(np.asarray(arr.value("lending_rate"), float), model.R),
            np.broadcast_to(funding, model.R), cost])
        terms = [tuple(float(x) for x in row) for row in np.unique(rates[runs], axis=0)] \
            or [tuple(float(x) for x in rates[0])]
        for k, (rate, fund, funds_cost) in enumerate(terms):
            same = runs & (rates[:, 0] == rate) & (rates[:, 1] == fund) & (
                rates[:, 2] == funds_cost)
            # The declined runs go with the bank's first group of rates (only the record).
            lender = Lender(same, rate, int(p.tenor_years), int(p.grace_years), capital,
                            arr.pid, fund, arr.book, declined if k == 0 else None,
                            cost_of_funds=funds_cost)
            if board is not None and p.board_approval and same.any():
                lender = _vote(lender, board(lender))
            out.append(lender)
            # Runs whose board rejected the loan stay open for the next bank.
            left &= ~lender.runs
    if left.any():
        capital = capital_shares(model.is_member(), "gdp", gdp=gdp0)
        if (left & ~banked).any():
            out.append(Lender(left & ~banked, default_rate, default_tenor, default_grace,
                              capital, None, cost_of_funds=float(default_rate)))
        for funds_cost in np.unique(cost[left & banked]):
            # Every bank in force said no: the hosts pay from their budgets, as without the
            # bank (until 2026-12-06 the default bank lent, its owners bearing the loss).
            out.append(Lender(left & banked & (cost == funds_cost), default_rate,
                              default_tenor, default_grace, capital, None, budget=True,
                              cost_of_funds=float(funds_cost)))
    return out


def in_force_by(arr: ProposalType, year: int, index: int, order: int | None) -> np.ndarray:
    """Runs where ``arr`` is in force when a corridor borrows in ``year``, ``(R,)``.

    In force now, or adopted and entering into force before ``year``, or in ``year``
    ahead of the corridor (``index < order``: arrangements enter into force in scenario
    order, :func:`scosim.model.phases.implement_phase`). With ``year`` the model's year
    that is the banks in force when the corridor enters into force (those entering later
    in the year's order are not yet); with a later year, those expected then.
    """
    ahead = order is None or index < order
    entry = np.asarray(arr.entry_year, np.int64)
    coming = np.asarray(arr.adopted, bool) & (entry >= 0) & (
        (entry < year) | ((entry == year) & ahead))
    return np.asarray(arr.in_force, bool) | coming


def _vote(lender: Lender, gain: np.ndarray) -> Lender:
    """``lender`` after its board's vote on the loan, in its runs, on the owners' ``gain``."""
    share = board_yes_share(lender.capital, gain)
    approved = lender.runs & (share > MAJORITY)
    rejected = lender.runs & ~approved
    return replace(lender, runs=approved, rejected=rejected if rejected.any() else None,
                   board_yes=np.where(lender.runs, share, np.nan))


def book_corridor_loans(corridor: Any, model: SCOModel, starting: np.ndarray, year: int,
                        found: list[Lender]) -> None:
    """Enter a corridor's loan in its bank's book; record where a bank declined it.

    The loan is disbursed when construction starts (the later of the spec's
    ``start_year`` and the entry year) and repaid on the bank's profile
    (:func:`loan_schedule`), which frees room under the limit for later corridors; a
    non-recourse loan is written off after the run's drawn failure of its corridor
    (:func:`scosim.network.failure_draw.written_off`).

    Args:
        corridor: The :class:`~scosim.network.corridor.Corridor` entering into force.
        model: The model.
        starting: ``(R,)`` the runs it enters into force in.
        year: The year of entry into force.
        found: Its lenders (:func:`lenders`).
    """
    from scosim.network.failure_draw import construction_start, written_off

    share = corridor._bank_share()
    if share <= 0:
        return
    begin = np.full(model.R, construction_start(corridor.proposal.start_year, year))
    for lender in found:
        if lender.declined is not None:
            for i, code in enumerate(model.codes):
                model.log.add(starting & lender.declined & corridor.hosts[i], year,
                              "bank_loan_declined", code, corridor.pid, bank=str(lender.pid))
        if lender.rejected is not None and lender.board_yes is not None:
            for i, code in enumerate(model.codes):
                model.log.add(starting & lender.rejected & corridor.hosts[i], year,
                              "bank_loan_rejected", code, corridor.pid,
                              bank=str(lender.pid), board_yes=lender.board_yes)
        runs = starting & lender.runs
        if lender.book is None or not runs.any():
            continue
        _, schedule = loan_schedule(np.full(model.R, corridor.cost_usd * share), lender.rate,
                                    lender.tenor, min(lender.grace, lender.tenor - 1),
                                    lender.tenor)
        if corridor.proposal.financing == "bank_project":  # a failure's loan written off
            schedule = written_off(schedule, corridor.fail_year, begin)
        lender.book.book(runs, year, begin, schedule)
