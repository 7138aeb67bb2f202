"""SCO Development Bank: members subscribe capital by a rule and borrow from it.

Proposed by China in 2010, stalled under consensus, agreed by the interested
members in 2025 (docs/hindcasts.md). The bank changes no tariff, so its preview
is not a GE solve: each participant's expected gain is a yearly figure, a
fraction of its GDP, like the yearly GE welfare gains of the other types:

    gain_i = (subsidy_i - capital_share_i * sum_j cost_j) / GDP_i

Loans of ``leverage * capital`` are lent to participants in proportion to the
inverse of their GDP share (smaller economies borrow more relative to size) at
``lending_rate``, on the network bank's profile (``grace_years`` of interest
only, then a level annuity to ``tenor_years``: :func:`scosim.network.finance.loan_schedule`).
``subsidy_i`` is the interest saved against borrowing at ``market_rate``: the
loan's grant element (1 less the present value at ``market_rate`` of its debt
service, per dollar; the OECD-DAC/IMF measure of concessionality) times the
loan, spread evenly over the tenor (the level yearly amount with the same
present value). The bank funds its loans with its owners' paid-in capital and with
borrowing at ``funding_rate`` (sourced: a AAA multilateral bank's USD benchmark,
docs/hindcasts.md); the paid-in capital costs the owners their own alternative,
``market_rate`` (the discount rate here), so a dollar lent costs the bank its
:func:`effective_funding_rate`, ``funding_rate`` plus the paid-in share of its loans
(``paid_in_share / leverage``, at most 1: the capital funds the same share of every loan
up to the lending limit) times ``market_rate - funding_rate``: 4.6 % at the defaults (20
percent paid in at 1:1, 4 % and 7 %). ``cost_j`` is the present value at ``market_rate``
of that rate less ``lending_rate`` on the principal outstanding of ``j``'s loan, spread
over the tenor likewise (negative: a margin). It is the bank's loss, borne by its owners
in proportion to their capital shares (from :func:`scosim.network.finance.capital_shares`
under ``capital_rule``). Since the grant element is the present value of ``market_rate -
lending_rate`` on the same principal, the gains sum over the participants (in US$) to the
value of the bank's cheaper funding, ``market_rate`` less the effective funding rate on
the principal outstanding (:func:`funding_value`), less the bank's :func:`expected_loss`
(``credit_loss_rate`` a year on the principal outstanding, also in ``cost_j`` and so borne
by the owners by capital share): what the members gain together by borrowing on the
bank's credit rather than their own; the rest moves money from its large owners to its
large borrowers. The default loss rate, 0.038 % a year, is the multilateral development
banks' record on sovereign loans (GEMs Consortium, 1984-2024: 0.77 % default rate, 95.1 %
recovery), which rests on preferred-creditor treatment: sovereigns in distress repay such
lenders first, a market custom, not a legal right. The spread the borrowers would pay
the market is largely their default premium; what of it the bank does not lose falls on
their other creditors, repaid after it, who may price that into the borrowers' other
debt, which is not counted here (docs/hindcasts.md, "Credit risk and preferred-creditor
treatment"). At ``credit_loss_rate`` = ``market_rate`` less the effective funding rate
(2.4 points at the defaults) the joint gain is 0. Until 2026-12-06 the general lending
carried no credit risk (``credit_loss_rate: 0`` gives those gains exactly).
``market_rate`` is one rate for every member, China and India included, who borrow below
it: the saving counted on their own (small) loans overstates their gain; no sovereign
yields are in the data. The grant element is also measured at the IMF/World Bank unified
5 % (:func:`grant_element_at`, :data:`IMF_DISCOUNT_RATE`): 0.0096 for the default loan,
against 0.178 at ``market_rate``, far below the 35 % from which a loan counts as
concessional. Until 2026-12-06 (the day the funding rate came in)
``paid_in_share`` did not enter: paid-in capital was costed at ``funding_rate`` as if
borrowed, which put the members' joint gain a quarter too high at the defaults (3.0
rather than 2.4 cents a year on a dollar outstanding). Until
then, too, the bank funded at ``market_rate`` (no funding rate of its own was sourced)
and the gains summed to zero; ``funding_rate = market_rate`` gives those gains exactly,
whatever ``paid_in_share``. Earlier still the gain was the present value of the saving
over the tenor, interest only, less the paid-in capital
as if spent, set against one year's GDP, and nobody paid for the subsidy. Default
decision rule: consensus.

Limits (docs/hindcasts.md, "The Development Bank's economics: limits"): the
inverse-GDP allocation is unsourced and lends the smallest members several times
more than any development bank would relative to their GDP; the default capital is
illustrative. The gain voted on appears in no realised indicator: after adoption the bank
changes no tariff, trade cost or finance lever (``in_development_bank`` records only who
owns it); corridors financed
by the bank borrow on its terms in the runs where it is in force, and its owners pay the
interest subsidy of those loans (:mod:`scosim.network.bank_link`,
:func:`scosim.network.finance.interest_subsidy`), measured otherwise than here: the spread
of the same effective funding rate over ``lending_rate`` on the principal outstanding
(a corridor loan takes the place of general lending under the limit, so the paid-in
capital funds the same share of it), valued like the rest of a corridor's finance at
the members' cost of funds, this ``market_rate`` (as here; until 2026-12-06 at the
corridors' 4 % discount rate), stopping at a project's failure for a non-recourse loan
(``credit_loss_rate`` does not enter them: a corridor loan's risk is the project's failure
hazard if non-recourse and none if guaranteed).
A corridor's host saves on the bank's loan its grant element against ``market_rate``, the
saving measured here (docs/network.md, "The hosts' cost of funds").

Lending limit (docs/network.md, "The bank's lending limit"): loans outstanding may not
exceed ``leverage`` times the subscribed capital, as a development bank's charter caps
them (AIIB Articles of Agreement, art. 12.1: 100 percent of unimpaired subscribed
capital, reserves and retained earnings). Corridor loans are approved against it first
come, first served (:mod:`scosim.network.bank_book`); a loan that does not fit is
declined, and where no other bank in force lends, the corridor's hosts pay from their
budgets, as without the bank (until 2026-12-06 the default lender lent). The general
lending of the preview above is what the limit leaves: ``leverage * capital`` less the corridor
loans outstanding in the run and year (0 before any corridor borrows, so the preview of
adopting the bank is as before). The corridor loans' own subsidy and expected loss are
charged to the owners by the corridor when it borrows (``corridor_paid_usd``,
``corridor_risk_usd``) and are not in this preview (docs/network.md says why).

Board (docs/network.md, "The bank's board"; since 2026-12-06): with ``board_approval``
on (the default) each corridor loan that fits is put to the owners, who vote by capital
share, each yes where its expected gain from the loan is at least 0 (AIIB Articles of
Agreement, arts. 26 and 28: the Board of Directors decides operations by a majority of
the votes cast); a rejected loan falls to the next bank in force, else to the hosts'
budgets (:mod:`scosim.network.bank_link`; until 2026-12-06 the default lender lent it,
its owners, all members by GDP, bearing the loss the board had refused).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from typing_extensions import override

from scosim.network.bank_book import LoanBook
from scosim.network.finance import capital_shares, loan_schedule
from scosim.proposals import register_type
from scosim.proposals.base import Preview, ProposalType
from scosim.proposals.specs import DevelopmentBankProposal, check_development_bank

if TYPE_CHECKING:
    from scosim.model.model import SCOModel

#: The IMF's and World Bank's unified discount rate for a loan's grant element, 5 % a year
#: since 11 October 2013 (IMF Press Release No. 13/408, 18 October 2013; IMF,
#: "Concessionality and the design of debt limits", imf.org/external/np/pdr/conc).
IMF_DISCOUNT_RATE = 0.05
#: The grant element from which the IMF counts a loan as concessional (ibid.; the OECD's
#: minimum for export credits, raised to 35 %).
CONCESSIONALITY_THRESHOLD = 0.35


def bank_gain(
    participants: np.ndarray,
    gdp: np.ndarray,
    *,
    capital: float | np.ndarray,
    rule: str,
    leverage: float | np.ndarray,
    lending_rate: float | np.ndarray,
    market_rate: float | np.ndarray,
    funding_rate: float | np.ndarray,
    paid_in_share: float | np.ndarray,
    tenor: int,
    grace: int,
    committed: float | np.ndarray = 0.0,
    loss_rate: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Expected yearly gain (fraction of GDP) of each participant, ``(R, N)``; outsiders 0.

    Every number but ``tenor`` and ``grace`` is a scalar or an ``(R,)`` array, one value
    per run (a swept field). ``gain * gdp`` sums over the participants of a run to the
    loans times :func:`funding_value` at the :func:`effective_funding_rate` less their
    :func:`expected_loss`, spread over the tenor (0 when the bank funds at ``market_rate``
    and loses nothing).

    Args:
        participants: ``(R, N)`` bool.
        gdp: ``(N,)`` GDP, US$.
        capital: Subscribed capital, US$.
        rule: ``gdp`` or ``equal`` capital shares (who bears the bank's loss).
        leverage: Loans as a multiple of the subscribed capital.
        lending_rate: The bank's annual rate on loans (at or above ``market_rate``
            nobody borrows: no subsidy, no loss, no gain).
        market_rate: The borrowers' alternative annual rate and the discount rate.
        funding_rate: The bank's annual cost of borrowing.
        paid_in_share: Share of the subscribed capital paid in: it funds
            ``paid_in_share / leverage`` of the loans at the owners' ``market_rate``
            (:func:`effective_funding_rate`); the owners pay the effective funding rate
            less ``lending_rate`` on the principal outstanding.
        tenor: Loan tenor in years, grace included.
        grace: Interest-only years at the start of the loan.
        committed: US$ of the lending limit ``leverage * capital`` already lent to
            corridors (:class:`~scosim.network.bank_book.LoanBook`): the general
            lending is the rest, at least 0.
        loss_rate: The bank's expected credit loss a year on the principal outstanding
            of its general lending (default probability times loss given default; 0, no
            credit risk, as until 2026-12-06), borne by the owners by capital share:
            :func:`expected_loss`.
    """
    part = np.asarray(participants, bool)
    out = np.zeros(part.shape)
    ok = part.sum(axis=1) >= 1
    if not ok.any():
        return out
    p = part[ok]

    def per_run(x: float | np.ndarray) -> np.ndarray:
        # The runs with participants, as a column against the economies.
        return np.broadcast_to(np.asarray(x, float), ok.shape)[ok][:, None]

    capital_, market, lending = per_run(capital), per_run(market_rate), per_run(lending_rate)
    # Paid-in capital funds part of the loans at the owners' own rate (until 2026-12-06
    # all of them cost funding_rate).
    funding = per_run(effective_funding_rate(funding_rate, market_rate, paid_in_share,
                                             leverage))
    shares = capital_shares(p, rule, gdp=gdp)
    inv = np.where(p, 1.0 / gdp, 0.0)
    # The general lending is what the limit leaves after the corridor loans outstanding.
    room = np.maximum(per_run(leverage) * capital_ - per_run(committed), 0.0)
    loans = room * inv / inv.sum(axis=1, keepdims=True)
    # In Python floats, once per distinct set of rates: the same numbers whether or not a
    # rate is swept.
    rates, which = np.unique(np.hstack([lending, market, funding, per_run(loss_rate)]),
                             axis=0, return_inverse=True)
    per_dollar = np.array([_yearly_subsidy_and_cost(float(lr), float(m), float(f), tenor,
                                                    grace, float(el))
                           for lr, m, f, el in rates])[which.reshape(-1)]
    subsidy = np.where(p, loans * per_dollar[:, :1], 0.0)
    cost = np.where(p, loans * per_dollar[:, 1:], 0.0)
    # The bank's loss, shared by the owners' capital: one reduction over the economies for
    # every run at once (numpy's pairwise sum, no BLAS; it was a Python loop over runs).
    loss = cost.sum(axis=1, keepdims=True)
    out[ok] = np.where(p, (subsidy - shares * loss) / gdp, 0.0)
    return out


def effective_funding_rate(funding_rate: float | np.ndarray, market_rate: float | np.ndarray,
                           paid_in_share: float | np.ndarray,
                           leverage: float | np.ndarray) -> np.ndarray:
    """The bank's cost of funding a dollar lent: its borrowing and its owners' paid-in capital.

    ``funding_rate + e (market_rate - funding_rate)`` with ``e = min(paid_in_share /
    leverage, 1)``, the share of its loans (at the lending limit, ``leverage`` times the
    subscribed capital, which the preview's general lending and the corridor loans fill
    together) that the paid-in capital funds. The owners' paid-in capital costs them
    ``market_rate``, their own alternative and the preview's discount rate; the rest is
    borrowed at ``funding_rate``. 0.046 at the defaults (0.2 paid in, 1:1, 4 % and 7 %).
    Exactly ``funding_rate`` when it equals ``market_rate``. Scalars or ``(R,)`` arrays.
    """
    f = np.asarray(funding_rate, float)
    equity = np.minimum(np.asarray(paid_in_share, float) / np.asarray(leverage, float), 1.0)
    return f + equity * (np.asarray(market_rate, float) - f)


def _yearly_subsidy_and_cost(lending_rate: float, market_rate: float, funding_rate: float,
                             tenor: int, grace: int, loss_rate: float = 0.0
                             ) -> tuple[float, float]:
    """The borrowers' saving and the bank's cost per dollar lent, each a level yearly amount.

    The cost is the grant element less the value of the bank's cheaper funding (the
    present value at ``market_rate`` of ``funding_rate - lending_rate`` on the principal
    outstanding) plus its :func:`expected_loss` at ``loss_rate``. Written so, it is the
    grant element itself, bit for bit, when the bank funds at ``market_rate`` and loses
    nothing (the funding value and the loss are then sums of zeros).
    """
    annuity = _annuity(market_rate, tenor)
    ge = grant_element(lending_rate, market_rate, tenor, grace)
    value = funding_value(lending_rate, market_rate, funding_rate, tenor, grace)
    loss = expected_loss(lending_rate, market_rate, loss_rate, tenor, grace)
    return ge / annuity, (ge - value + loss) / annuity


def grant_element(lending_rate: float, market_rate: float, tenor: int, grace: int) -> float:
    """Grant element of one dollar lent against the borrowers' ``market_rate``.

    :func:`grant_element_at` discounted at ``market_rate``; 0 when the bank's rate is not
    below the market's (nobody borrows from it).
    """
    if lending_rate >= market_rate:
        return 0.0
    return grant_element_at(lending_rate, market_rate, tenor, grace)


def grant_element_at(lending_rate: float, discount_rate: float, tenor: int, grace: int
                     ) -> float:
    """Grant element of one dollar lent: 1 less the present value of its debt service.

    Debt service at ``lending_rate`` on the profile of
    :func:`scosim.network.finance.loan_schedule` (interest only for ``grace`` years, then
    a level annuity), paid at the end of each year and discounted at ``discount_rate``
    (the IMF/World Bank measure of concessionality: at :data:`IMF_DISCOUNT_RATE` a loan
    is concessional from :data:`CONCESSIONALITY_THRESHOLD`). Negative for a loan dearer
    than the discount rate, 0 (to rounding) for one at it.
    """
    pay, _ = loan_schedule(1.0, lending_rate, tenor, grace, tenor)
    return 1.0 - math.fsum(float(x) / (1.0 + discount_rate) ** (t + 1)
                           for t, x in enumerate(pay[0]))


def expected_loss(lending_rate: float, market_rate: float, loss_rate: float, tenor: int,
                  grace: int) -> float:
    """The bank's expected credit loss on one dollar lent, a present value at ``market_rate``.

    ``sum_t loss_rate O_t / (1 + market_rate)^(t + 1)`` over the principal ``O_t``
    outstanding at the start of each year (:func:`scosim.network.finance.loan_schedule`
    at ``lending_rate``): a yearly default probability times the loss given default on
    the exposure, as a lender provisions for it. Spread over the tenor (divided by the
    annuity factor) it is ``loss_rate`` exactly while the whole principal is outstanding
    (``grace = tenor - 1``) and less as the loan amortises. 0 when the bank's rate is not
    below the market's (nobody borrows from it) or ``loss_rate`` is 0.
    """
    if lending_rate >= market_rate:
        return 0.0
    _, outstanding = loan_schedule(1.0, lending_rate, tenor, grace, tenor)
    return math.fsum(loss_rate * float(o) / (1.0 + market_rate) ** (t + 1)
                     for t, o in enumerate(outstanding[0]))


def funding_value(lending_rate: float, market_rate: float, funding_rate: float, tenor: int,
                  grace: int) -> float:
    """What the bank's own funding saves on one dollar lent: PV of the rate gap it earns.

    ``sum_t (market_rate - funding_rate) O_t / (1 + market_rate)^(t + 1)`` over the
    principal ``O_t`` outstanding at the start of each year on the loan's profile
    (:func:`scosim.network.finance.loan_schedule` at ``lending_rate``): borrowing on the
    bank's credit instead of the borrowers' own. Negative when the bank funds above
    ``market_rate``; 0 when its rate is not below the market's (nobody borrows from it).
    """
    if lending_rate >= market_rate:
        return 0.0
    _, outstanding = loan_schedule(1.0, lending_rate, tenor, grace, tenor)
    gap = market_rate - funding_rate
    return math.fsum(gap * float(o) / (1.0 + market_rate) ** (t + 1)
                     for t, o in enumerate(outstanding[0]))


def yearly_subsidy(lending_rate: float, market_rate: float, tenor: int, grace: int) -> float:
    """The grant element per dollar as a level yearly amount over the tenor (same PV)."""
    return grant_element(lending_rate, market_rate, tenor, grace) / _annuity(market_rate, tenor)


def _annuity(rate: float, tenor: int) -> float:
    """Present value of 1 a year over ``tenor`` years at ``rate`` (``tenor`` at 0)."""
    return (1.0 - (1.0 + rate) ** -tenor) / rate if rate > 0 else tenor


@register_type
class DevelopmentBank(ProposalType):
    """A development bank; no trade effect; gain = interest subsidy less its share of the cost.

    Sweepable: the numbers of :func:`bank_gain` that its preview reads per run
    (``capital_usd_bn``, ``leverage``, ``lending_rate``, ``market_rate``,
    ``funding_rate``, ``paid_in_share``, ``credit_loss_rate``), and ``depth`` (the
    sovereignty cost in each vote, read by the Council). A swept ``lending_rate`` is also
    the rate corridors financed by the bank borrow at, and the swept rates, ``paid_in_share`` and
    ``leverage`` set the bank's funding cost on those loans in each run, its
    :func:`effective_funding_rate` (:mod:`scosim.network.bank_link`).
    ``tenor_years`` and ``grace_years`` are not: they are whole numbers, and a sweep's
    values are not.
    """

    name = "development_bank"
    writes_levers = ()  # it lends to corridors, writes no lever (lever_writers)
    spec = DevelopmentBankProposal
    check = staticmethod(check_development_bank)
    default_decision_rule = "consensus"
    exit_allowed = False
    indicators = {"in_development_bank": "share of runs"}
    sweepable = ("capital_usd_bn", "leverage", "lending_rate", "market_rate", "funding_rate",
                 "paid_in_share", "credit_loss_rate", "depth")

    def __init__(self, model: SCOModel, proposal: DevelopmentBankProposal) -> None:
        super().__init__(model, proposal)
        # Its corridor loans outstanding, run by run and year, against its lending limit:
        # leverage x subscribed capital, per run (either may be swept).
        limit = np.asarray(self.value("leverage"), float) * np.asarray(
            self.value("capital_usd_bn"), float) * 1e9
        self.book = LoanBook(model.R, list(model.years), np.broadcast_to(limit, model.R))

    @override
    def preview(
        self,
        model: SCOModel,
        participants: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> Preview:
        """Gain from :func:`bank_gain` (no GE solve)."""
        return Preview(gain=self._gain(model, participants), terms={} if terms is None else terms)

    def _gain(self, model: SCOModel, participants: np.ndarray) -> np.ndarray:
        p, v = self.proposal, self.value
        return bank_gain(
            participants, np.asarray(model.gdp0, float),
            capital=v("capital_usd_bn") * 1e9, rule=p.capital_rule, leverage=v("leverage"),
            lending_rate=v("lending_rate"), market_rate=v("market_rate"),
            funding_rate=v("funding_rate"), paid_in_share=v("paid_in_share"),
            loss_rate=v("credit_loss_rate"), tenor=p.tenor_years,
            # A short tenor shortens the grace, as for the corridors' loans (corridor.py).
            grace=min(p.grace_years, p.tenor_years - 1),
            committed=self.book.outstanding(model.year),
        )

    @override
    def gain_if_member(self, model: SCOModel, member: int) -> np.ndarray | None:
        """The change in every gain if ``member`` joined the bank in force.

        :meth:`preview` measures the bank against no bank; a new member changes an
        existing bank's capital shares and loans, so the gain from its joining is
        the bank's gain with it minus the bank's gain without it (the default
        would count the whole bank as the accession's gain).
        """
        if self.opt_in or not self.open_to_members() or not self.in_force.any():
            return None
        joining = self.participants.copy()
        joining[:, member] = True
        g = self._gain(model, joining) - self._gain(model, self.participants)
        return np.where(self.in_force[:, None], g, 0.0)

    @override
    @classmethod
    def record(cls, model: SCOModel, arrangements: list[ProposalType], policy: object
               ) -> dict[str, np.ndarray]:
        inside = np.zeros((model.R, model.N), dtype=bool)
        for arr in arrangements:
            inside |= arr.participants & arr.in_force[:, None]
        return {"in_development_bank": inside.astype(float)}
