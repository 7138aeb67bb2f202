"""Financing corridor projects: national budgets or the SCO Development Bank.

Pure array functions batched over runs ``R`` (``N`` economies, ``T`` years from the start of
construction). Three financing modes are compared (docs/network.md, "Who pays, who bears
the risk"):

* ``budget``: the host economies pay the build cost up front, in their host shares; if the
  project fails they lose the unrecovered investment.
* ``bank_guaranteed``: the bank lends ``bank_share`` of the cost to the hosts; the hosts pay
  the rest up front and repay the loan (an annuity after a grace period) from their budgets
  whatever happens to the project (a sovereign guarantee). The hosts still bear the project
  risk; the bank's shareholders bear none of it (sovereign default is not modelled).
* ``bank_project``: as above, but the loan is repaid from the project's revenue and is
  written off when the project fails (non-recourse project finance): the bank loses the
  outstanding principal and that year's interest, which the hosts do not pay, less
  recoveries, and its shareholders bear that loss in proportion to their capital shares.

"Paid" is the expected present value of what each economy pays; "risk" is its expected
present-value loss from a project failure. Failures happen with an annual probability that
rises with instability on the route (:mod:`scosim.network.hazard`: defaults inside the
ranges of published default, cancellation and loss rates, the slope a modelling choice).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.network.hazard import FAILURE_BASE, FAILURE_SENSITIVITY, RECOVERY

FloatArray = NDArray[np.float64]
Financing = Literal["budget", "bank_guaranteed", "bank_project"]
FINANCING_MODES: tuple[str, ...] = ("budget", "bank_guaranteed", "bank_project")
CAPITAL_RULES: tuple[str, ...] = ("gdp", "equal", "fixed")
#: The members' cost of funds, a year, where no ``development_bank`` is in force: the rate
#: at which a corridor values its money flows (docs/network.md, "The hosts' cost of
#: funds"). A government paying from its budget borrows at its sovereign rate or gives up
#: spending that returns as much, and a loan is worth to it its grant element against
#: that rate (IMF/World Bank grant element; the OECD-DAC discounts loans to a
#: lower-middle-income country at 7 %: its 5 % base plus a 2-point risk adjustment). It
#: is the default ``market_rate`` of a ``development_bank`` proposal (a test holds them
#: equal), bracketed by Uzbekistan's USD Eurobonds (8.125 % for 5 years, October 2023;
#: 6.9 % for 7, May 2024); where a bank is in force its ``market_rate`` takes its place.
COST_OF_FUNDS = 0.07


def capital_shares(members: ArrayLike, rule: str = "gdp", gdp: ArrayLike | None = None,
                   fixed: ArrayLike | None = None) -> FloatArray:
    """Members' shares of the bank's capital (R, N); rows sum to 1, non-members 0.

    Args:
        members: (R, N) or (N,) bool membership.
        rule: ``gdp`` (in proportion to GDP), ``equal`` or ``fixed``.
        gdp: (N,) or (R, N) GDP, required for ``gdp``.
        fixed: (N,) or (R, N) non-negative weights, required for ``fixed`` (rescaled over the
            members).

    Raises:
        ValueError: On an unknown rule, a missing input, no member, or zero weights.
    """
    m = np.atleast_2d(np.asarray(members, bool))
    if rule not in CAPITAL_RULES:
        raise ValueError(f"unknown capital rule {rule!r}; allowed: {list(CAPITAL_RULES)}")
    if rule == "gdp":
        if gdp is None:
            raise ValueError("rule 'gdp' needs gdp")
        w = np.broadcast_to(np.asarray(gdp, float), m.shape)
    elif rule == "fixed":
        if fixed is None:
            raise ValueError("rule 'fixed' needs fixed weights")
        w = np.broadcast_to(np.asarray(fixed, float), m.shape)
    else:
        w = np.ones(m.shape)
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("capital weights must be finite and >= 0")
    w = np.where(m, w, 0.0)
    total = w.sum(axis=1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("every run needs at least one member with a positive weight")
    return w / total


def annuity_payment(principal: ArrayLike, rate: float, years: int) -> FloatArray:
    """Level annual payment repaying ``principal`` over ``years`` at ``rate``."""
    p = np.asarray(principal, float)
    if years < 1:
        raise ValueError("years must be >= 1")
    if rate < 0:
        raise ValueError("rate must be >= 0")
    if rate == 0:
        return p / years
    return p * rate / (1.0 - (1.0 + rate) ** (-years))


def loan_schedule(principal: ArrayLike, rate: float, tenor: int, grace: int, horizon: int,
                  ) -> tuple[FloatArray, FloatArray]:
    """Payments and outstanding principal (R, T) of a loan disbursed at t = 0.

    Interest only during ``grace`` years, then a level annuity over ``tenor - grace`` years.

    Returns:
        ``(payments, outstanding)``: payment at the end of year t and principal outstanding
        at the start of year t.
    """
    p = np.atleast_1d(np.asarray(principal, float))
    if not 0 <= grace < tenor:
        raise ValueError("need 0 <= grace < tenor")
    pay = np.zeros((p.size, horizon))
    out = np.zeros((p.size, horizon))
    bal = p.copy()
    level = annuity_payment(p, rate, tenor - grace)
    for t in range(horizon):
        out[:, t] = bal
        if t < grace:
            pay[:, t] = bal * rate
        elif t < tenor:
            pay[:, t] = level
            bal = bal * (1.0 + rate) - level
            bal = np.where(np.abs(bal) < 1e-9 * np.maximum(p, 1.0), 0.0, bal)
    return pay, out


def failure_probability(route_instability: ArrayLike, horizon: int,
                        base: ArrayLike = FAILURE_BASE,
                        sensitivity: ArrayLike = FAILURE_SENSITIVITY) -> FloatArray:
    """Annual failure probability (R, T): ``base + sensitivity x instability``, clipped to [0, 1].

    Args:
        route_instability: (R,) or (R, T) highest instability (0-1) on the project's route.
        horizon: Number of years.
        base: Annual failure probability at route instability 0, the route's economies at
            their base-year risk (:data:`~scosim.network.hazard.FAILURE_BASE`, 0.01; sourced
            range 0.002-0.03). A failure stops the project for good, which a restructured
            loan default does not.
        sensitivity: Extra annual probability at instability 1
            (:data:`~scosim.network.hazard.FAILURE_SENSITIVITY`, 0.1: a modelling choice
            between about 0.02 and 1).

    ``base`` and ``sensitivity`` are numbers or ``(R,)`` arrays, one value per run (a
    sweep's: ``parameters.network.failure_base`` and ``failure_sensitivity``).
    """
    s = np.asarray(route_instability, float)
    s = np.broadcast_to(s[:, None] if s.ndim == 1 else s, (s.shape[0], horizon))
    b, k = (np.asarray(v, float) for v in (base, sensitivity))
    # One value per run goes along the run axis (a column); a number broadcasts as it is.
    b, k = (v[:, None] if v.ndim == 1 else v for v in (b, k))
    return np.clip(b + k * s, 0.0, 1.0)


@dataclass(frozen=True)
class FinanceOutcome:
    """Who pays and who bears the risk of one project (expected present values, US$).

    Attributes:
        paid: (R, N) payments by each economy: the hosts' up-front share and loan service,
            and ``owners_subsidy``.
        risk: (R, N) expected loss from a failure borne by each economy.
        bank_loss: (R,) expected loss of the bank (already spread over ``risk`` by capital):
            at a failure, the principal outstanding and that year's interest at the lending
            rate, less the recovery.
        owners_risk: (R, N) the part of ``risk`` that is the bank's loss borne by its owners
            (zero unless ``bank_project``). The rest of ``risk`` is the hosts' own stake,
            money they have paid (in ``paid``): a net value counts it once, as a payment.
        recovered: (R, N) expected present value the hosts get back of their own stake
            after a failure (``recovery`` of it; the bank's owners' recovery is already net
            in ``bank_loss``): a net value credits it against ``paid``.
        owners_subsidy: (R, N) the interest subsidy of a bank that funds its loan at a
            rate other than its lending rate (:func:`interest_subsidy`), borne by its
            owners by capital share (in ``paid``; negative: a margin they earn). Zero for
            a bank funding at its lending rate, and under ``budget``.
        discount_rate: (R,) the rate every present value above is taken at (the members'
            cost of funds), which :func:`annual_equivalent` annualises them at.
    """

    paid: FloatArray
    risk: FloatArray
    bank_loss: FloatArray
    owners_risk: FloatArray
    recovered: FloatArray
    owners_subsidy: FloatArray
    discount_rate: FloatArray


def finance_project(cost: ArrayLike, host_shares: ArrayLike, financing: Financing,
                    capital: ArrayLike | None = None, bank_share: float = 0.7,
                    rate: float = 0.04, tenor: int = 20, grace: int = 5,
                    recovery: ArrayLike = RECOVERY,
                    failure_prob: ArrayLike | None = None, discount_rate: float = 0.04,
                    funding_rate: float | None = None) -> FinanceOutcome:
    """Expected payments and risk by economy for one project under one financing mode.

    Args:
        cost: (R,) build cost in US$ (disbursed at t = 0).
        host_shares: (R, N) or (N,) shares of the hosts in the cost (rows sum to 1).
        financing: ``budget``, ``bank_guaranteed`` or ``bank_project``.
        capital: (R, N) bank capital shares (needed for ``bank_project``).
        bank_share: Share of the cost lent by the bank.
        rate: Lending rate.
        tenor: Loan tenor in years (incl. grace).
        grace: Interest-only years.
        recovery: Share of the loss recovered after a failure
            (:data:`~scosim.network.hazard.RECOVERY`, 0.4: Moody's mean recovery of the
            project-finance defaults that lose money, 0.4-0.5); a number or ``(R,)``, one
            value per run.
        failure_prob: (R, T) annual failure probabilities from the start of construction
            (default: none, T = tenor). The hazard goes on after year T at its year-T rate
            for as long as the project stands (it is a perpetuity, as its benefits are in
            :func:`operating_share`): a loan longer than T is followed to its end at that
            hazard, and failures after the loan is repaid lose the whole stake, summed in
            closed form (:func:`_tail_failure_pv`).
        discount_rate: Rate for present values (>= 0). At 0 with a positive hazard the
            project fails some day for certain: a failure after the horizon counts
            undiscounted, with the probability the project stands then (the loss of a
            budget-financed project is then the whole stake less what is recovered).
        funding_rate: The bank's funding cost, when it is not ``rate``: its owners bear
            the interest subsidy of lending at ``rate`` (:func:`interest_subsidy`: the
            spread on the principal outstanding while the loan is serviced, valued at
            ``discount_rate`` like every other flow here) by their ``capital`` shares, in
            ``paid``. Hosts and owners together then pay the up-front share and the
            present value of servicing the loan at ``funding_rate``: the lending rate
            moves money between them (exactly, for an interest-only loan; an annuity's
            repayment profile still depends on it). Under ``bank_project`` this holds in
            expectation, counting what the owners pay in ``risk``: the hosts service the
            loan in the years the project runs through; in the year it fails the bank
            still funds the principal outstanding, so the owners pay the spread on it
            (in the subsidy) and lose the principal and that year's interest at ``rate``
            less the recovery (``bank_loss``), and the service at ``funding_rate`` is of
            a loan repaid at the failure (``paid`` + ``bank_loss / (1 - recovery)``, the
            exposure at default, sums to it). None: the bank funds at its lending rate
            (no subsidy).

    Returns:
        :class:`FinanceOutcome`.
    """
    if financing not in FINANCING_MODES:
        raise ValueError(f"unknown financing {financing!r}; allowed: {list(FINANCING_MODES)}")
    rec_in = np.asarray(recovery, float)
    if not 0 <= bank_share <= 1 or np.any(rec_in < 0) or np.any(rec_in > 1):
        raise ValueError("bank_share and recovery must be in [0, 1]")
    c = np.atleast_1d(np.asarray(cost, float))
    runs = c.size
    # (R,) for the per-run sums, a column against the (R, T) tables.
    rec = np.broadcast_to(rec_in, (runs,))
    rec_t = rec[:, None]
    hs = np.broadcast_to(np.atleast_2d(np.asarray(host_shares, float)), (runs, np.shape(
        np.atleast_2d(host_shares))[1]))
    if not np.allclose(hs.sum(axis=1), 1.0):
        raise ValueError("host shares must sum to 1 in every run")
    pf = np.zeros((runs, tenor)) if failure_prob is None else np.broadcast_to(
        np.atleast_2d(np.asarray(failure_prob, float)), (runs, np.shape(
            np.atleast_2d(failure_prob))[1]))
    if pf.shape[1] < tenor:
        # A table shorter than the loan: the loan runs on after it, at the table's last
        # hazard (until 2026-12-06 at none, while the benefits were a perpetuity).
        pf = np.pad(pf, ((0, 0), (0, tenor - pf.shape[1])), mode="edge")
    horizon = pf.shape[1]
    alive = np.cumprod(np.concatenate([np.ones((runs, 1)), 1.0 - pf[:, :-1]], axis=1), axis=1)
    fail_at = alive * pf  # probability the project fails in year t
    # Disbursement at the start of year 0; payments and losses at the end of each year.
    disc = (1.0 + discount_rate) ** -(np.arange(horizon) + 1.0)
    # Failures after the horizon, at its last hazard, when the loan is repaid and the whole
    # cost is the hosts' stake: the present value of a failure then, per dollar sunk, (R,).
    tail = _tail_failure_pv(alive[:, -1] * (1.0 - pf[:, -1]), pf[:, -1], horizon,
                            discount_rate)
    # A failure in year t loses what is sunk in the project then, valued at the end of that
    # year: the same present value whoever financed it (financing moves the loss, it does
    # not shrink it). Until 2026-12-05 only the bank's loss was discounted, and the hosts'
    # repaid principal was not counted as lost.
    lost_pv = fail_at * disc * (1.0 - rec_t)  # per dollar sunk, (R, T)
    back_pv = fail_at * disc * rec_t  # what is recovered of it
    bank_loss = np.zeros(runs)
    at = np.full(runs, float(discount_rate))  # the rate of the present values, per run
    # Where the hosts repay whatever happens (budget, a guaranteed loan), a failure costs
    # them the whole investment: their loss and what they recover of it, (R, N).
    whole_risk = (c * (lost_pv.sum(axis=1) + tail * (1.0 - rec)))[:, None] * hs
    whole_back = (c * (back_pv.sum(axis=1) + tail * rec))[:, None] * hs
    if financing == "budget":
        return FinanceOutcome(paid=c[:, None] * hs, risk=whole_risk, bank_loss=bank_loss,
                              owners_risk=np.zeros_like(whole_risk), recovered=whole_back,
                              owners_subsidy=np.zeros_like(whole_risk), discount_rate=at)
    loan = c * bank_share
    pay, outstanding = loan_schedule(loan, rate, tenor, grace, horizon)
    upfront = c * (1.0 - bank_share)
    subsidised = funding_rate is not None and funding_rate != rate
    if capital is None and (financing == "bank_project" or subsidised):
        raise ValueError(f"{financing} financing needs the bank's capital shares"
                         + (" to share its interest subsidy" if subsidised else ""))
    cap = (np.zeros(hs.shape) if capital is None
           else np.broadcast_to(np.atleast_2d(np.asarray(capital, float)), hs.shape))
    # Serviced from the project, a year's payment is made if the project runs through it;
    # a guaranteed loan is repaid whatever happens.
    serviced = alive * (1.0 - pf) if financing == "bank_project" else np.ones_like(pf)
    owners_subsidy = np.zeros(hs.shape)
    if subsidised:
        assert funding_rate is not None
        # Valued at the corridors' discount rate, as the hosts' service is: the lending
        # rate then only moves money between hosts and owners (until 2026-12-06 at the
        # funding rate, so a cheaper loan seemed to cost the members less together).
        # The bank funds the principal outstanding in every year the loan stands at its
        # start, the year of a non-recourse failure included (its interest at the lending
        # rate is in the bank's loss, below; until 2026-12-06 the spread of that year was
        # left out, and so was the year's interest from the loss).
        funded = alive if financing == "bank_project" else None
        owners_subsidy = interest_subsidy(outstanding, rate, funding_rate, funded,
                                          discount_rate=discount_rate)[:, None] * cap
    if financing == "bank_guaranteed":
        service = (pay * disc).sum(axis=1)
        paid = (upfront + service)[:, None] * hs + owners_subsidy
        return FinanceOutcome(paid=paid, risk=whole_risk, bank_loss=bank_loss,
                              owners_risk=np.zeros_like(whole_risk), recovered=whole_back,
                              owners_subsidy=owners_subsidy, discount_rate=at)
    service = (serviced * pay * disc).sum(axis=1)
    paid = (upfront + service)[:, None] * hs + owners_subsidy
    # At a failure in year t the bank loses its exposure at default, the principal
    # outstanding and the year's interest at the lending rate, which the hosts do not pay
    # (until 2026-12-06 the principal only: that year's interest was in nobody's bill);
    # the hosts lose their own stake: the up-front share and the principal they have repaid.
    bank_loss = (lost_pv * outstanding).sum(axis=1) * (1.0 + rate)
    stake = upfront[:, None] + loan[:, None] - outstanding
    # After the horizon the loan is repaid (horizon >= tenor): the stake is the whole cost.
    host_loss = (lost_pv * stake).sum(axis=1) + c * tail * (1.0 - rec)
    owners_risk = bank_loss[:, None] * cap
    risk = host_loss[:, None] * hs + owners_risk
    recovered = (back_pv * stake).sum(axis=1) + c * tail * rec
    return FinanceOutcome(paid=paid, risk=risk, bank_loss=bank_loss, owners_risk=owners_risk,
                          recovered=recovered[:, None] * hs, owners_subsidy=owners_subsidy,
                          discount_rate=at)


def interest_subsidy(outstanding: ArrayLike, rate: float, funding_rate: float,
                     serviced: ArrayLike | None = None,
                     discount_rate: float | None = None) -> FloatArray:
    """Present value of a bank's interest spread on a loan (R,).

    ``sum_t w_t (f - l) O_t / (1 + r)^(t + 1)``: the bank pays ``f`` on the principal
    ``O_t`` outstanding in year ``t`` and earns ``l`` on it, in the years it funds the
    loan (``w_t``, 1 for all of them by default), valued at ``r``. At ``r = f``
    with every year serviced this is the loan's grant element times its principal, the
    OECD-DAC measure the ``development_bank`` preview uses: the principal is the present
    value at ``f`` of any repayment of it at ``f``, so the principal less the present
    value of the service at ``l`` is the spread's present value. Corridors value it at
    their own discount rate (:func:`finance_project`). Negative when ``l > f`` (a
    margin), where the grant element is counted as 0.

    Args:
        outstanding: (R, T) principal outstanding at the start of each year
            (:func:`loan_schedule`).
        rate: The lending rate ``l``.
        funding_rate: The bank's funding cost ``f`` (> -1).
        serviced: (R, T) probability the bank funds the loan in each year: a project
            loan stands at the start of the year (it is written off at the end of the
            year of a failure, whose principal and interest at ``l`` are the bank's
            loss, counted apart, while the spread of that year is here).
        discount_rate: The rate ``r`` of the present value (> -1); None: ``f``.
    """
    o = np.atleast_2d(np.asarray(outstanding, float))
    w = np.ones_like(o) if serviced is None else np.broadcast_to(
        np.asarray(serviced, float), o.shape)
    r = funding_rate if discount_rate is None else discount_rate
    disc = (1.0 + r) ** -(np.arange(o.shape[1]) + 1.0)
    return (funding_rate - rate) * (w * o * disc).sum(axis=1)


def _tail_failure_pv(standing: FloatArray, hazard: FloatArray, start: int,
                     rate: float) -> FloatArray:
    """Present value of a failure in year ``start`` or later, at a constant hazard (R,).

    ``sum_{t >= start} standing (1 - h)^(t - start) h / (1 + r)^(t + 1)
    = standing h / ((1 + r)^start (r + h))``: the project stands at the start of year
    ``start`` with probability ``standing`` and fails in each later year with probability
    ``h`` (valued at the end of that year, as in :func:`finance_project`). Zero where
    ``h = 0`` (also at ``r = 0``, where the sum would otherwise be 0 / 0).
    """
    denom = (1.0 + rate) ** float(start) * (rate + hazard)
    return np.divide(standing * hazard, denom, out=np.zeros_like(hazard),
                     where=hazard > 0)


def operating_share(failure_prob: ArrayLike, discount_rate: float = 0.04,
                    first_year: int = 0) -> FloatArray:
    """Expected present value of 1 a year while the project operates, times the rate (R,).

    ``r * sum_{t >= k} S_t / (1 + r)^(t+1)`` with ``S_t`` the probability that the project
    still stands at the end of year ``t`` (timing as in :func:`finance_project`: a failure
    in year ``t`` stops that year's benefit) and benefits from year ``k = first_year`` on
    (the years of construction bring none). The benefit is a perpetuity, so the hazard runs
    as long: after the ``T`` years given it goes on at its year-``T`` rate ``h``, and the
    years from ``a = max(k, T)`` on sum in closed form to
    ``S_{T-1} (1 - h)^(a - T + 1) / ((1 + r)^a (r + h))``. At a constant hazard ``h`` from
    year 0 the share is ``r (1 + r) x^(k+1) / (r + h)`` with ``x = (1 - h) / (1 + r)``,
    whatever ``T``; without failure risk ``(1 + r)^-k``, 1 for a project operating at once:
    a perpetual yearly gain ``B`` is worth ``B / r``, and ``B x`` this share is its annual
    equivalent when the project is late and may fail (the probability-weighted benefit of
    an expected NPV). Until 2026-12-06 no failure was counted after year ``T``, so a
    benefit that runs forever was exposed to a hazard that stopped after 20 years.

    Args:
        failure_prob: (R, T) or (T,) annual failure probabilities from the start of
            construction (T >= 1); the last year's goes on after them.
        discount_rate: Discount rate ``r`` (> 0).
        first_year: Years from the start of construction before the first benefit (the
            construction years; >= 0).

    Raises:
        ValueError: If the rate is not positive, ``first_year`` negative or no year given.
    """
    if discount_rate <= 0:
        raise ValueError("discount_rate must be > 0")
    if first_year < 0:
        raise ValueError(f"first_year must be >= 0, got {first_year}")
    pf = np.atleast_2d(np.asarray(failure_prob, float))
    if pf.shape[1] < 1:
        raise ValueError("failure_prob needs at least one year")
    survive = np.cumprod(1.0 - pf, axis=1)
    t = np.arange(pf.shape[1])
    disc = np.where(t >= first_year, (1.0 + discount_rate) ** -(t + 1.0), 0.0)
    years = pf.shape[1]
    after = max(first_year, years)  # the first year past the table with a benefit
    hazard = pf[:, -1]
    # The years from `after` on: standing at the end of year T - 1, then (1 - h) a year.
    tail = (survive[:, -1] * (1.0 - hazard) ** float(after - years + 1)
            / ((1.0 + discount_rate) ** float(after) * (discount_rate + hazard)))
    return discount_rate * ((survive * disc).sum(axis=1) + tail)


def annual_equivalent(present_value: ArrayLike, rate: ArrayLike) -> FloatArray:
    """The level yearly flow, forever, whose present value at ``rate`` is ``present_value``.

    ``A = rate x PV``: the equivalent annual cost (capital recovery factor) of a perpetual
    horizon, flows at the end of each year as in :func:`finance_project`, so
    ``sum_{t >= 1} A / (1 + rate)^t = PV``. The rate must be the one the present value was
    taken at: then a stream of ``A`` a year annualises back to ``A`` exactly, and a loan at
    that rate (no grant element: its service is worth its principal) to what paying the
    principal up front does. Corridors annualise their payments at the members' cost of
    funds, the rate of :class:`FinanceOutcome`'s present values (docs/network.md, "One
    rate for a present value and its annual equivalent"); until 2026-12-06 at the 4 %
    welfare discount rate, which charged a host 4/7 of a payment it makes each year.

    Args:
        present_value: Present values (any shape).
        rate: The rate they were taken at (> 0), broadcast against them: a number, or
            ``(R, 1)`` for one rate per run of ``(R, N)`` values.

    Raises:
        ValueError: If a rate is not positive (a perpetuity at 0 has no level equivalent).
    """
    r = np.asarray(rate, float)
    if np.any(~(r > 0)):
        raise ValueError(f"rate must be > 0, got {r.min() if r.size else r}")
    return np.asarray(present_value, float) * r


def host_cost_shares(edge_km_by_economy: ArrayLike) -> FloatArray:
    """Host shares of a project's cost in proportion to its length in each territory (N,)."""
    km = np.asarray(edge_km_by_economy, float)
    total = km.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("the project has no length in any economy")
    return km / total
