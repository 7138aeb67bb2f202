"""How a corridor is financed: who lends, on what terms, and what each economy pays.

Split from :mod:`scosim.network.corridor` (size), which re-exports these names:
:class:`CorridorFinancing` holds the methods of :class:`~scosim.network.corridor.Corridor`
that find the corridor's lenders (a ``development_bank`` in force, its board's vote, else
the hosts' budgets or the default bank), work out the expected payments, subsidy and risk
on each lender's terms (:func:`scosim.network.finance.finance_project`), and turn them
into the annualised cost share of expenditure the preview and the run's net welfare take
off. docs/network.md describes the financing terms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from scosim.network.bank_link import Lender, lenders
from scosim.network.finance import (
    COST_OF_FUNDS,
    FinanceOutcome,
    annual_equivalent,
    failure_probability,
    finance_project,
)

if TYPE_CHECKING:
    from scosim.model.model import SCOModel

#: Bank terms used by corridor financing until a ``development_bank`` proposal sets them
#: (docs/network.md): the default bank lends at the members' cost of funds
#: (:data:`~scosim.network.finance.COST_OF_FUNDS`; until 2026-12-06 at 4 %, the
#: discount rate), 20 years with 5 of grace. The failure hazard and the recovery are the
#: corridor's whoever lends: the scenario's ``parameters.network.failure_base``,
#: ``failure_sensitivity`` and ``recovery`` (defaults and sources in
#: :mod:`scosim.network.hazard`; until 2026-12-06 module constants here, which no scenario
#: or sweep could vary), read per run by :meth:`Corridor.__init__`.
_BANK = {"rate": COST_OF_FUNDS, "tenor": 20, "grace": 5}
#: Years from the start of construction of the failure probabilities a corridor tabulates;
#: the hazard goes on after them at the last year's rate for as long as the project stands
#: (finance_project, operating_share), as its benefits do, so at a route's constant hazard
#: nothing depends on this length. Until 2026-12-06 no failure counted after it (q and the
#: expected loss of a perpetual project cut at 20 years); until 2026-12-05 a bank loan's
#: tenor set it, so a 10-year bank shrank the expected loss, which financing only moves.
FAILURE_WINDOW_YEARS = 20


class CorridorFinancing:
    """The financing methods of :class:`~scosim.network.corridor.Corridor`.

    A mixin: the methods read what ``Corridor.__init__`` sets (``proposal``, ``route``,
    ``hosts``, ``host_shares``, ``cost_usd``, ``hazard``, and once in force ``paid``,
    ``risk``, ``recovered``, ``owners_risk``, ``known``, ``funds_rate``) and call its
    ``invitees`` and ``_value``.
    """

    def _failure_prob(self, instability: np.ndarray) -> np.ndarray:
        """Annual failure probabilities (R, FAILURE_WINDOW_YEARS) at the route's instability."""
        route = np.where(self.route, instability, 0.0).max(axis=1)
        return failure_probability(route, FAILURE_WINDOW_YEARS, self.hazard.base,
                                   self.hazard.sensitivity)

    def _bank_share(self) -> float:
        """Share of the cost a bank lends (0 for a budget-financed project)."""
        p = self.proposal
        return p.core.bank_share if p.financing != "budget" else 0.0

    def _lenders(self, model: SCOModel, pf: np.ndarray | None = None,
                 value: Callable[[], dict[str, np.ndarray]] | None = None,
                 year: int | None = None) -> list[Lender]:
        """Who would lend in ``year``: banks in force within their limit, as their boards vote.

        Each bank in force then checks its lending limit in that year, and its board votes
        on the loan where ``pf`` and ``value`` are given
        (:func:`scosim.network.bank_link.lenders`).

        Args:
            model: The model.
            pf: The failure probabilities (:meth:`_failure_prob`), for the board's vote.
            value: Returns :meth:`_value` (called only if a board votes).
            year: The year the corridor borrows, when it enters into force; None: this
                year (the entry year, in :meth:`enter_into_force`).
        """
        share = self._bank_share()
        loan = np.full(model.R, self.cost_usd * share) if share > 0 else None
        board = None
        if loan is not None and pf is not None and value is not None:
            def board(lender: Lender) -> np.ndarray:
                return self._owners_gain(model, value(), self._finance_one(model, pf, lender))
        return lenders(model, _BANK["rate"], _BANK["tenor"], _BANK["grace"], loan=loan,
                       board=board, year=year, order=next(
                           (k for k, arr in enumerate(model.arrangements) if arr is self),
                           None))

    def _owners_gain(self, model: SCOModel, value: dict[str, np.ndarray],
                     fin: FinanceOutcome) -> np.ndarray:
        """Each economy's expected gain from the corridor's loan on one bank's terms, (R, N).

        For a host or an invitee, its preview gain with the loan (the one its Council vote
        reads), which nets its share of the bank's subsidy and expected loss; for any
        other economy, minus its share of them (what it pays, ``corridor_paid_usd``, is
        then the subsidy alone). The same units as the preview: annualised, over the
        economy's expenditure.
        """
        cost = self._cost_share(fin, value["expenditure_usd"])
        asked = self.invitees(model) | self.hosts[None, :]
        return np.where(asked, value["benefit"] - cost, -cost)

    @staticmethod
    def _cost_share(fin: FinanceOutcome, expenditure: np.ndarray) -> np.ndarray:
        """Annualised payments net of the salvage, plus the owners' risk, over expenditure.

        What the hosts get back of their stake after a failure is theirs (``recovery``):
        left out until 2026-12-05, their whole payment counted as lost in a failure. The
        present values are at the members' cost of funds and are annualised at the same
        rate (:func:`~scosim.network.finance.annual_equivalent`), the one function the
        preview and the run's net welfare use; until 2026-12-06 at the welfare discount
        rate, 4/7 of the level yearly charge that finances them at 7 %.
        """
        pv = fin.paid - fin.recovered + fin.owners_risk
        return annual_equivalent(pv, fin.discount_rate[:, None]) / expenditure

    def _annual_cost(self, expenditure: np.ndarray, year: int | None = None) -> np.ndarray:
        """What the run's net welfare takes off: :meth:`_cost_share` of the finance.

        The payments, salvage and owners' risk as the run knows them in ``year`` (its
        failure drawn: :mod:`scosim.network.failure_draw`), or with ``year`` None the
        expected values fixed when the corridor entered into force (zero in runs where it
        has not), annualised at their rate and over ``expenditure`` (the year's) exactly
        as the preview's cost share is.
        """
        zero = np.zeros_like(self.paid)
        paid, risk, recovered, owners = ((self.paid, self.risk, self.recovered,
                                          self.owners_risk) if year is None
                                         else self.known.at(year))
        fin = FinanceOutcome(paid=paid, risk=risk, bank_loss=zero[:, 0], owners_risk=owners,
                             recovered=recovered, owners_subsidy=zero,
                             discount_rate=self.funds_rate)
        return self._cost_share(fin, expenditure)

    def _finance(self, model: SCOModel, pf: np.ndarray,
                 found: list[Lender] | None = None) -> FinanceOutcome:
        """Expected payments and risk (R, N) under the proposal's financing.

        Bank loans are on the terms of a ``development_bank`` in force in the run whose
        lending limit the loan fits (and whose board approves it), else, where a bank is
        in force, from the hosts' budgets, and where none is, the default bank's
        (:mod:`scosim.network.bank_link`); a bank funding at a rate above its lending
        rate charges its owners the interest subsidy, in ``paid``.

        Args:
            model: The model.
            pf: (R, FAILURE_WINDOW_YEARS) annual failure probabilities
                (:meth:`_failure_prob`), computed once by the caller, which uses them too.
            found: The lenders (:meth:`_lenders`), when the caller has them already.
        """
        out: FinanceOutcome | None = None
        for lender in self._lenders(model) if found is None else found:
            if not lender.runs.any():  # a bank that declined the loan wherever it is in force
                continue
            fin = self._finance_one(model, pf, lender)
            if out is None:  # the first lender's runs; the others' are filled in below
                out = fin
                continue
            runs = lender.runs
            out = FinanceOutcome(discount_rate=np.where(runs, fin.discount_rate,
                                                        out.discount_rate),
                                 paid=np.where(runs[:, None], fin.paid, out.paid),
                                 risk=np.where(runs[:, None], fin.risk, out.risk),
                                 bank_loss=np.where(runs, fin.bank_loss, out.bank_loss),
                                 owners_risk=np.where(runs[:, None], fin.owners_risk,
                                                      out.owners_risk),
                                 recovered=np.where(runs[:, None], fin.recovered,
                                                    out.recovered),
                                 owners_subsidy=np.where(runs[:, None], fin.owners_subsidy,
                                                         out.owners_subsidy))
        assert out is not None  # lenders() covers every run
        return out

    def _finance_one(self, model: SCOModel, pf: np.ndarray, lender: Lender) -> FinanceOutcome:
        """Expected payments and risk (R, N) on ``lender``'s terms, in every run."""
        # The project fails or not whoever lends: its hazard is its own, not the loan's
        # (finance_project follows a loan longer than the table at its last year's hazard).
        # Where every bank in force said no, the hosts pay from their budgets.
        financing = "budget" if lender.budget else self.proposal.financing
        return finance_project(np.full(model.R, self.cost_usd), self.host_shares,
                               financing, capital=lender.capital,
                               bank_share=self._bank_share(), rate=lender.rate,
                               tenor=lender.tenor,
                               # The bank's grace, shortened to fit a shorter tenor (a
                               # grace as long stopped the run). Until 2026-12-06 always
                               # the default 5 years, whatever the bank in force said.
                               grace=min(lender.grace, lender.tenor - 1),
                               recovery=self.hazard.recovery, failure_prob=pf,
                               # Money flows at the members' cost of funds: a loan is
                               # worth its grant element against it (until 2026-12-06
                               # at DISCOUNT_RATE, where a loan above 4 % cost a host
                               # more than its budget).
                               discount_rate=lender.cost_of_funds,
                               funding_rate=lender.funding_rate)
