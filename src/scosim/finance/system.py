"""The yearly step of the banking systems: shocks, levers, contagion, who pays.

:func:`step` is a pure function of the state, this year's GDP shocks and sanctions, the
levers in force and a random generator; :class:`FinanceSystem` sets it up from the packaged
tables. Order within a year (``docs/finance.md``):

1. ex-ante contributions to the deposit insurance fund (paid out of bank capital);
2. asset shocks (GDP, oil, own) -> new non-performing loans (slower under single supervision)
   -> credit losses net of the income that prices expected losses (the calibrated NPL
   inflow's and, with a risk-based margin, the year's shocks': :func:`risk_premium`);
3. sanctions freeze payments on the dollar channel (less with national-currency settlement);
4. early intervention before contagion (resolution authority, information exchange);
5. contagion: Eisenberg-Noe / Rogers-Veraart clearing or DebtRank;
6. failures: what a defaulter pays its outside creditors goes down art. 108's ranking
   (covered deposits, uninsured deposits, ordinary debt); insured depositors' losses are
   paid by the fund, then the fiscal backstop; uninsured depositors, the other outside
   creditors and the creditor banks bear theirs; failed systems are recapitalised by the
   treasury.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.finance.contagion import contagion, unfrozen_network
from scosim.finance.data import BankingData, load_banking
from scosim.finance.levers import (
    backstop,
    equity_bought,
    fund_contributions,
    fund_payout,
    npl_flow,
)
from scosim.finance.liquidation import ClassLosses, outside_losses, ranked_losses, smaller
from scosim.finance.resolution import resolve
from scosim.finance.shocks import Drawn, Rng, asset_shock_sd, asset_shocks, dollar_channel

__all__ = [
    "INDICATORS",
    "FinanceParams",
    "FinanceState",
    "FinanceSystem",
    "Levers",
    "calibrated_gdp_sd",
    "risk_premium",
    "step",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Names of the (R, N) indicators returned by :func:`step` (US$ unless stated).
INDICATORS: tuple[str, ...] = (
    "failures",  # 1.0 where the banking system defaulted in clearing
    "resolutions",  # 1.0 where it was resolved/recapitalised before contagion
    "depositor_losses",  # uninsured deposits lost (paid after insured, before other debt)
    "creditor_losses",  # non-deposit outside creditors' loss in default (paid after deposits)
    "interbank_unpaid",  # what a defaulting system does not pay that creditor banks' capital bears
    "interbank_passed_on",  # the rest of it: creditor banks failing in turn pass it on
    "insured_payout",  # insured deposits lost in default, paid out (fund + treasury)
    "fund_payout",  # paid by the deposit insurance fund (payouts and resolution)
    "fund_art109",  # of which for a resolution short of the 8 % (BRRD art. 109)
    "fund_balance",  # the economy's compartment of the fund at year end
    "fund_contribution",  # the economy's banks' ex-ante contributions to the fund this year
    "fund_net_transfer",  # its compartment's payments for others' systems less theirs for it
    "fiscal_cost",  # treasury money, gross: backstop of insured deposits and recapitalisation
    "fiscal_recap",  # of which the equity it buys (the rest, deposits and holes, is lost)
    "bail_in",  # creditor losses imposed by the resolution authority
    "bail_in_deposits",  # of which uninsured deposits (bailed in towards BRRD's 8 %)
    "precautionary_recap",  # treasury money for a solvent system short of the 8 % (unconstrained)
    "resolution_refused",  # 1.0 where resolution was refused public money: left to clearing
    "contagion_round",  # round of contagion in which the system defaulted (0 = none)
    "loss_credit",  # credit losses beyond the income that prices expected losses
    "loss_sanctions",  # interbank claims newly frozen this year (parked, below)
    "frozen_parked",  # stock of claims parked for the payee; a claim frozen again counts once
    "loss_contagion",  # interbank claims not paid by defaulting debtors
    "loss_default_costs",  # Rogers-Veraart default costs
    "npl_ratio",  # non-performing loans / loans (fraction)
    "capital_ratio",  # capital / assets at year end (fraction)
)


@dataclass(frozen=True)
class FinanceParams:
    """Behavioural parameters (defaults and reasons in ``docs/finance.md``).

    Attributes:
        kernel: ``"clearing"`` (Eisenberg-Noe / Rogers-Veraart) or ``"debtrank"``.
        seniority: ``"pari_passu"`` or ``"external_senior"`` (clearing only).
        alpha: Share of external assets realised in default (1 = no default cost).
        beta: Share of interbank receivables realised in default (1 = no default cost).
        lgd: Loss given default on new NPLs (Basel II foundation IRB, senior unsecured: 45%).
        cure_rate: Share of the NPL stock written off or cured each year.
        npl_sensitivity: New NPL share per unit of negative asset shock (0.565: the
            no-event baseline, with the risk-based margin and ``idio_sd`` 0.16, has crises
            starting in 1.93 percent of the listed economies' country-years, 2025-2032,
            against Laeven & Valencia's 151 in 165 countries x 48 years, 1.91 percent;
            ``tools/calibrate_finance.py``, docs/finance.md, section 6; 0.89 with the old
            own shock of 0.01).
        roa_margin: Return on external assets after expected losses and after the year's
            interest to creditors (rebuilds capital); the obligations cleared at year end
            are therefore the face values ``L`` and ``b``, with no interest on top.
        price_shock_risk: Whether the lending margin also prices the expected credit loss
            of the yearly shocks (a risk-based margin, :func:`risk_premium`); False is the
            rule until 2026-12-06, under which capital drifted down (docs/finance.md,
            section 6).
        gdp_beta: Asset shock per unit of GDP shock.
        commodity_beta: Asset shock per unit of (fuel exports / GDP x oil log change); 0.5
            because the nominal US$ GDP shocks already carry part of the oil-price effect.
        idio_sd: Standard deviation of each system's own yearly shock (0.16: the size on
            a grid of 0.01-0.25 that, with ``npl_sensitivity`` re-solved to the pooled
            target, gives Laeven & Valencia's per-economy record its highest Poisson
            likelihood, ``tools/finance_crisis_by_country.py``; docs/finance.md section 6).
        oil_sd: Standard deviation of the oil price log change (None: from the tables).
        recap_ratio: Capital ratio to which the treasury recapitalises a failed system.
        secondary: Share of a sanctioned economy's dollar payments with third economies
            blocked by correspondent banks.
        dollar_trade_cost: Trade cost added to a sanctioned economy's dollar-settled trade
            with third economies at severity 1.
        settlement_leakage: Share of national-currency settlement still exposed to secondary
            sanctions (0: a full shield, the default; docs/finance.md section 4).
    """

    kernel: Literal["clearing", "debtrank"] = "clearing"
    seniority: Literal["pari_passu", "external_senior"] = "pari_passu"
    alpha: float = 1.0
    beta: float = 1.0
    lgd: float = 0.45
    cure_rate: float = 0.25
    npl_sensitivity: float = 0.565
    roa_margin: float = 0.01
    price_shock_risk: bool = True
    gdp_beta: float = 1.0
    commodity_beta: float = 0.5
    idio_sd: float = 0.16
    oil_sd: float | None = None
    recap_ratio: float = 0.045
    secondary: float = 0.5
    dollar_trade_cost: float = 0.05
    settlement_leakage: float = 0.0


@dataclass(frozen=True)
class Levers:
    """Banking-union components and settlement in force this year, per run and economy.

    Attributes:
        supervision: (R, N) under the single supervisor.
        deposit_insurance: (R, N) in the deposit insurance fund.
        resolution: (R, N) under the resolution authority.
        information: (R, N) in the information exchange.
        settlement: National-currency settlement share of each pair's trade (R, N, N).
        supervision_effect: Share of NPL build-up removed by single supervision.
        contribution_bp: Yearly fund contributions, basis points of insured deposits.
        mutualisation: Share of each other compartment's balance at the start of the
            year that participants may draw on over the year (levers.fund_payout).
        backstop: ``"national"`` or ``"mutual"`` fiscal backstop when the fund runs dry.
        fund_resolves: Whether the fund also pays for resolution (after bail-in, within BRRD
            art. 44(5)'s limits, levers.resolution_fund_limit, and with ``"brrd"`` past
            them under art. 44(7)).
        bail_in_share: Share of other (non-deposit) external liabilities that can be bailed in.
        trigger_info: Capital ratio at which information exchange triggers intervention.
        public_backstop: ``"brrd"``: public money in resolution only once shareholders and
            creditors have absorbed 8 % of TLOF (BRRD art. 37(10), 44(5)), bail-in of
            uninsured deposits towards it, the fund past its 5 % once the ordinary debt is
            written down (art. 44(7)), otherwise none: the system is left to clearing
            (no precautionary recapitalisation below the own-funds requirement);
            ``"unconstrained"``: the treasury pays what the fund may not, the fund still
            held to art. 44(5) (the rules of the morning of 2026-12-06). See
            :mod:`scosim.finance.resolution`.
    """

    supervision: BoolArray
    deposit_insurance: BoolArray
    resolution: BoolArray
    information: BoolArray
    settlement: FloatArray
    supervision_effect: float = 0.3
    contribution_bp: float = 10.0
    mutualisation: float = 1.0
    backstop: Literal["national", "mutual"] = "national"
    fund_resolves: bool = True
    bail_in_share: float = 0.5
    trigger_info: float = 0.03
    public_backstop: Literal["brrd", "unconstrained"] = "brrd"

    @classmethod
    def none(cls, R: int, N: int, settlement: ArrayLike | None = None) -> Levers:
        """No banking union; settlement shares as given (zero if omitted)."""
        off = np.zeros((R, N), dtype=bool)
        s = np.zeros((N, N)) if settlement is None else np.asarray(settlement, float)
        return cls(off, off, off, off, np.broadcast_to(s, (R, N, N)).copy())

    @classmethod
    def union(
        cls,
        participants: ArrayLike,
        settlement: ArrayLike,
        components: Sequence[str] = ("supervision", "deposit_insurance", "resolution",
                                     "information"),
        **kw: object,
    ) -> Levers:
        """A banking union of ``participants`` (R, N) with the named components."""
        p = np.asarray(participants, bool)
        R, N = p.shape
        known = {"supervision", "deposit_insurance", "resolution", "information"}
        bad = set(components) - known
        if bad:
            raise ValueError(f"unknown banking-union components {sorted(bad)}; allowed {known}")
        masks = {c: (p if c in components else np.zeros_like(p)) for c in known}
        s = np.broadcast_to(np.asarray(settlement, float), (R, N, N)).copy()
        return cls(settlement=s, **masks, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class FinanceState:
    """Dynamic state, batched over runs.

    Attributes:
        capital: Bank capital (R, N), US$.
        npl: Non-performing loans / loans (R, N).
        fund: Deposit insurance fund compartments (R, N), US$.
        trade_cost_factor: This year's sanctions trade-cost factors (R, N, N), >= 1, for
            the trade mechanism to multiply into its trade costs.
        parked: Frozen interbank receipts held in blocked accounts (R, N), US$, by payee:
            its claim, unusable while frozen (no lifting is modelled); None = nothing.
        frozen: The same by debtor and payee (R, N, N), ``[r, i, j]`` paid by ``i`` for
            ``j``: these claims are out of the network while parked; None = nothing.
        written_off: The frozen share of claims a debtor left unpaid in default (R, N, N),
            by debtor and payee: lost, and out of the network as parked ones are (not
            owed, frozen and written off again the next year); None = nothing.
    """

    capital: FloatArray
    npl: FloatArray
    fund: FloatArray
    trade_cost_factor: FloatArray = field(repr=False)
    parked: FloatArray | None = field(default=None, repr=False)
    frozen: FloatArray | None = field(default=None, repr=False)
    written_off: FloatArray | None = field(default=None, repr=False)


def risk_premium(data: BankingData, params: FinanceParams, gdp_sd: ArrayLike) -> FloatArray:
    """Expected credit loss of the yearly shocks, per unit of external assets.

    Loan rates cover expected loss, capital covers unexpected loss (the Basel IRB split,
    BCBS 2005, "An Explanatory Note on the Basel II IRB Risk Weight Functions"). A bad
    year adds ``npl_sensitivity * max(0, -x)`` of new NPLs, a good one takes none away, so
    with ``x ~ N(0, sd_x**2)`` the expected yearly loss beyond the calibrated NPL inflow is

        lgd * npl_sensitivity * E[max(0, -x)] = lgd * npl_sensitivity * sd_x / sqrt(2 pi)

    (:func:`scosim.finance.shocks.asset_shock_sd` for ``sd_x``). Banks price it at set-up
    from the shock distribution they face; single supervision, which later slows the
    build-up, does not lower it. Without it, a margin that prices only the calibrated
    inflow leaves every economy whose shocks' expected loss exceeds ``roa_margin`` losing
    capital year after year (docs/finance.md, section 6).

    Args:
        data: The tables (fuel exports / GDP, the oil price's volatility).
        params: ``lgd``, ``npl_sensitivity``, the shock loadings; 0 when
            ``price_shock_risk`` is False.
        gdp_sd: Standard deviation of the yearly GDP shocks, (N,) or (R, N).

    Returns:
        The premium, shaped as ``gdp_sd``.
    """
    sd_g = np.asarray(gdp_sd, float)
    if not params.price_shock_risk:
        return np.zeros_like(sd_g)
    oil_sd = params.oil_sd if params.oil_sd is not None else data.parameters["oil_log_change_sd"]
    sd_x = asset_shock_sd(sd_g, data.fuel_exports_gdp, oil_sd=oil_sd, gdp_beta=params.gdp_beta,
                          commodity_beta=params.commodity_beta, idio_sd=params.idio_sd)
    return params.lgd * params.npl_sensitivity * sd_x / math.sqrt(2.0 * math.pi)


def step(
    data: BankingData,
    params: FinanceParams,
    state: FinanceState,
    gdp_shocks: ArrayLike,
    sanctions: ArrayLike,
    levers: Levers,
    rng: Rng | Drawn,
    *,
    premium: ArrayLike = 0.0,
) -> tuple[FinanceState, dict[str, FloatArray]]:
    """Advance the banking systems by one year.

    Args:
        data: Calibrated balance sheets (static parts: assets, liabilities, exposures).
        params: Behavioural parameters.
        state: Capital, NPLs and fund at the start of the year.
        gdp_shocks: Deviation of log GDP growth from trend this year (R, N).
        sanctions: Severity ``S[r, b, t]`` of sanctions by ``b`` on ``t`` (R, N, N).
        levers: Banking-union components and settlement shares in force.
        rng: Generator(s) of the finance stream.
        premium: The part of the lending margin that prices the shocks' expected credit
            loss, per unit of external assets, (N,) or (R, N) (:func:`risk_premium`;
            :class:`FinanceSystem` passes its own). 0 prices only the calibrated inflow.

    Returns:
        ``(new_state, indicators)``; indicators are the (R, N) arrays named in
        :data:`INDICATORS`.
    """
    g = np.asarray(gdp_shocks, float)
    R, N = g.shape
    if state.capital.shape != (R, N):
        raise ValueError(f"state is for shape {state.capital.shape}, shocks are {(R, N)}")
    A = data.assets[None, :]
    K0 = data.capital[None, :]
    L = data.L
    l_out = data.interbank_liabilities[None, :]
    c_in = data.interbank_claims[None, :]
    b0 = data.external_liabilities[None, :]
    e0 = data.external_assets[None, :]
    dep = data.deposits[None, :]
    ins = data.insured[None, :]
    oil_sd = params.oil_sd if params.oil_sd is not None else data.parameters["oil_log_change_sd"]

    # 1. ex-ante contributions.
    contrib = fund_contributions(np.broadcast_to(ins, (R, N)), levers.deposit_insurance,
                                 levers.contribution_bp)
    fund = state.fund + contrib
    K = state.capital - contrib

    # 2. asset shocks and credit losses; income prices the calibrated NPL inflow's loss and
    # the shocks' expected loss (the premium), plus the margin that rebuilds capital.
    x, _ = asset_shocks(g, data.fuel_exports_gdp, rng, oil_sd=oil_sd, gdp_beta=params.gdp_beta,
                        commodity_beta=params.commodity_beta, idio_sd=params.idio_sd)
    base = params.cure_rate * data.npl[None, :]
    new_npl = npl_flow(base, x, sensitivity=params.npl_sensitivity,
                       supervised=levers.supervision,
                       supervision_effect=levers.supervision_effect)
    npl = np.clip((1.0 - params.cure_rate) * state.npl + new_npl, 0.0, 1.0)
    income = (params.lgd * base + params.roa_margin + np.asarray(premium, float)) * e0
    credit = params.lgd * new_npl * e0
    K = K + income - credit

    # 3. sanctions on the dollar channel.
    S = np.asarray(sanctions, float)
    haircut, trade_factor = dollar_channel(S, levers.settlement, secondary=params.secondary,
                                           dollar_trade_cost=params.dollar_trade_cost,
                                           settlement_leakage=params.settlement_leakage)
    # Claims frozen in earlier years, parked or lost in default, are out of this year's
    # network (the same claims, still frozen: not frozen, written off and parked again).
    F = np.zeros((R, N, N)) if state.frozen is None else state.frozen
    W = np.zeros((R, N, N)) if state.written_off is None else state.written_off
    # Not floored at 0: a floor would add assets (and equity) from nothing. The tables keep
    # e0 + K - K0 above what a system can have parked (unfrozen_network, which refuses it).
    net = unfrozen_network(L, haircut, F + W, e0 + (K - K0), c_in, l_out, codes=data.codes)
    L, haircut, e, c_in, l_out = net.L, net.haircut, net.e, net.c_in, net.l_out
    frozen_full = net.frozen_full
    E0 = e + c_in - frozen_full - l_out - b0

    # 4. early intervention before contagion: bail-in, the fund and the treasury under the
    # BRRD's conditions (finance/resolution.py). "No creditor worse off than in
    # liquidation" (FSB Key Attributes 5.2; BRRD art. 34(1)(g), 73-75): each bail-inable
    # class loses at most what it would lose if the authority did nothing and the system
    # went through this year's clearing; a system that would not fail has no creditor to
    # bail in, so it meets the 8 % through its shareholders' loss or gets no public money.
    def liquidation_loss(rows: NDArray[np.intp] | None = None) -> ClassLosses:
        # Only for the runs where a system is resolved (``rows``): the clearing works run
        # by run, and elsewhere the bound is not read (finance/resolution.py).
        def pick(x: FloatArray) -> FloatArray:
            return x if rows is None or x.shape[0] == 1 else x[rows]

        cf = contagion(params, pick(L), pick(e), b0, pick(c_in), pick(frozen_full),
                       pick(l_out), pick(haircut), pick(state.capital))
        # The law's bound lays the whole estate down art. 108's ranking, interbank debt
        # pari passu with the ordinary debt (finance/liquidation.py); the model's failure
        # path (step 6) ranks only what the clearing pays outside creditors. Each class is
        # held to the smaller of the two: pari passu the ranked loss, external-senior the
        # failure path's.
        ranked = ranked_losses(cf.ext_recovery * b0 + cf.interbank_paid, cf.failed,
                               insured=ins, uninsured=dep - ins,
                               ordinary=np.maximum(b0 - dep, 0.0), interbank=pick(l_out))
        failure = outside_losses(cf.ext_recovery * b0, cf.failed, insured=ins,
                                 uninsured=dep - ins, ordinary=np.maximum(b0 - dep, 0.0))
        return smaller(ranked, failure)

    # The shareholders' loss is counted from the capital left after this year's
    # contributions to the fund: those are a cost of the year, not loss absorption.
    rv = resolve(E0, A, levers=levers, target_ratio=params.recap_ratio,
                 own_funds_before=state.capital - contrib, debts=b0 + l_out,
                 other=np.maximum(b0 - dep, 0.0), uninsured=np.broadcast_to(dep - ins, (R, N)),
                 insured=np.broadcast_to(ins, (R, N)), fund=fund,
                 liquidation_loss=liquidation_loss, by_rows=True)
    caught, bail_in, fund, fiscal = rv.caught, rv.bail_in, rv.fund_after, rv.treasury
    # Bail-in, then the fund (drawn first) fill the hole; the treasury fills what is left
    # of it and buys equity with the rest (BRRD art. 44(4)(a)-(b), 57: levers.equity_bought).
    fiscal_recap = equity_bought(E0, bail_in, fiscal, filled_before=rv.fund)
    e = e + rv.injection
    b = b0 - bail_in

    # 5. contagion.
    c = contagion(params, L, e, b, c_in, frozen_full, l_out, haircut, state.capital)
    failed, ext_recovery, K_after = c.failed, c.ext_recovery, c.K_after

    # 6. failures: depositors, other creditors, fund, treasury, recapitalisation.
    # What the clearing pays outside creditors goes down art. 108's ranking (the
    # interbank creditors' part is the clearing's): covered deposits, then uninsured
    # deposits, then the ordinary debt (finance/liquidation.py, docs/finance.md section 5).
    # Uninsured deposits and ordinary debt bailed in are no longer owed.
    uninsured_owed = dep - ins - rv.bail_in_deposits
    ordinary_owed = np.maximum(b - dep + rv.bail_in_deposits, 0.0)
    lost = outside_losses(ext_recovery * b, failed, insured=ins, uninsured=uninsured_owed,
                          ordinary=ordinary_owed)
    insured_loss = lost.insured * ins
    depositor_losses = lost.uninsured * uninsured_owed
    # The ordinary debt's loss in default is what a bail-in is held against (step 4), so
    # "who paid" can set the two side by side (docs/finance.md section 9).
    creditor_losses = lost.ordinary * ordinary_owed
    di = levers.deposit_insurance
    # The pooled share left after this year's resolutions (one budget for the year).
    dep_pay = fund_payout(fund, np.where(di, insured_loss, 0.0), di,
                          mutualisation=levers.mutualisation, lendable=rv.fund_lendable)
    paid_dep, fund, uncovered = dep_pay.paid, dep_pay.fund_after, dep_pay.uncovered
    uncovered = np.where(di, uncovered, insured_loss)
    fiscal = fiscal + backstop(uncovered, np.broadcast_to(data.gdp, (R, N)), di, levers.backstop)
    recap = np.where(failed, params.recap_ratio * A, 0.0)
    fiscal = fiscal + recap
    # A system resolved before clearing that fails in it lost the equity its injection
    # bought; what the treasury holds at year end is the recapitalisation after failure.
    fiscal_recap = np.where(failed, recap, fiscal_recap)
    K_next = np.where(failed, params.recap_ratio * A, np.minimum(K_after, K0))

    # Frozen payments are parked, not destroyed (docs/finance.md section 4): the debtor has
    # paid into a blocked account, the money is the payee's claim, which it cannot use, so
    # it is not in its capital while frozen; the stock is carried and counted once.
    frozen = F + c.parked_pairs
    parked = frozen.sum(axis=1)
    new_state = FinanceState(capital=K_next, npl=npl, fund=fund, trade_cost_factor=trade_factor,
                             parked=parked, frozen=frozen,
                             written_off=W + c.written_off_pairs)
    ind = {
        "failures": failed.astype(float),
        "resolutions": caught.astype(float),
        "depositor_losses": depositor_losses,
        "creditor_losses": creditor_losses,
        "interbank_unpaid": c.interbank_unpaid,
        "interbank_passed_on": c.interbank_passed_on,
        "insured_payout": insured_loss,
        "fund_payout": paid_dep + rv.fund,
        "fund_art109": rv.fund_art109,
        "fund_balance": fund,
        "fund_contribution": contrib,
        # Positive: the economy's compartment paid more for other participants' systems
        # than theirs paid for its own (sums to zero over participants each year).
        "fund_net_transfer": (rv.fund_given + dep_pay.given)
        - (rv.fund_received + dep_pay.received),
        "fiscal_cost": fiscal,
        "fiscal_recap": fiscal_recap,
        "bail_in": bail_in,
        "bail_in_deposits": rv.bail_in_deposits,
        "precautionary_recap": rv.precautionary,
        "resolution_refused": rv.refused.astype(float),
        "contagion_round": c.contagion_round,
        "loss_credit": np.maximum(credit - income, 0.0),
        "loss_sanctions": c.loss_sanctions,
        "frozen_parked": parked,
        "loss_contagion": c.loss_contagion,
        "loss_default_costs": c.loss_default_costs,
        "npl_ratio": npl,
        "capital_ratio": K_next / A,
    }
    return new_state, ind


class FinanceSystem:
    """Banking systems of the model's economies, set up from the packaged tables.

    Example::

        fs = FinanceSystem()
        state = fs.initial_state(R=100)
        levers = fs.levers(R=100)  # no union
        state, ind = fs.step(state, gdp_shocks, fs.no_sanctions(100), levers, rng)
    """

    def __init__(self, data: BankingData | None = None,
                 params: FinanceParams | None = None,
                 gdp_sd: ArrayLike | None = None) -> None:
        """Set up the systems and the margin that prices their shocks.

        Args:
            data: The tables; the packaged ones if omitted.
            params: Behavioural parameters; the defaults if omitted.
            gdp_sd: Standard deviation of the yearly GDP shocks the banks price, (N,) or
                (R, N): the model's (calibrated volatility times the volatility scale).
                Omitted: the calibrated volatility for the packaged tables, 0 for tables
                given by hand (their economies have no calibrated volatility).
        """
        self.data = data if data is not None else load_banking()
        self.params = params if params is not None else FinanceParams()
        self.codes = self.data.codes
        self.N = len(self.codes)
        if gdp_sd is None:
            gdp_sd = calibrated_gdp_sd(self.codes) if data is None else np.zeros(self.N)
        self.gdp_sd = np.asarray(gdp_sd, dtype=float)
        #: The margin's price of the shocks' expected loss (:func:`risk_premium`).
        self.premium = risk_premium(self.data, self.params, self.gdp_sd)

    def with_params(self, **kw: object) -> FinanceSystem:
        """A copy with some parameters changed (the premium priced again)."""
        return FinanceSystem(self.data, replace(self.params, **kw),  # type: ignore[arg-type]
                             self.gdp_sd)

    def with_gdp_sd(self, gdp_sd: ArrayLike) -> FinanceSystem:
        """A copy whose banks price GDP shocks of standard deviation ``gdp_sd``."""
        return FinanceSystem(self.data, self.params, gdp_sd)

    def initial_state(self, R: int) -> FinanceState:
        """Calibrated capital and NPLs, an empty fund, no trade-cost change."""
        N = self.N
        return FinanceState(
            capital=np.broadcast_to(self.data.capital, (R, N)).copy(),
            npl=np.broadcast_to(self.data.npl, (R, N)).copy(),
            fund=np.zeros((R, N)),
            trade_cost_factor=np.ones((R, N, N)),
            parked=np.zeros((R, N)),
            frozen=np.zeros((R, N, N)),
            written_off=np.zeros((R, N, N)),
        )

    def levers(self, R: int) -> Levers:
        """No banking union, baseline settlement shares from the tables."""
        return Levers.none(R, self.N, self.data.settlement)

    def no_sanctions(self, R: int) -> FloatArray:
        """An all-zero sanctions severity array (R, N, N)."""
        return np.zeros((R, self.N, self.N))

    def step(self, state: FinanceState, gdp_shocks: ArrayLike, sanctions: ArrayLike,
             levers: Levers, rng: Rng | Drawn) -> tuple[FinanceState, dict[str, FloatArray]]:
        """One year: see :func:`step` (with this system's premium)."""
        return step(self.data, self.params, state, gdp_shocks, sanctions, levers, rng,
                    premium=self.premium)


def calibrated_gdp_sd(codes: Sequence[str]) -> FloatArray:
    """The calibrated standard deviation of yearly log US$ GDP growth (``gdp_growth_sd``)."""
    # Imported here: the calibration loader is not needed by the pure step.
    from scosim.data.calibration import load_calibration

    c = load_calibration().countries
    return c.loc[list(codes), "gdp_growth_sd"].to_numpy(dtype=float)
