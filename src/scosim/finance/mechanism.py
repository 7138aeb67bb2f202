"""The ``finance`` slot: banking systems, contagion and the dollar channel in the model.

:class:`BankingSystems` wires the pure core (:func:`scosim.finance.system.step`) into
the yearly tick (docs/mechanisms.md, docs/finance.md section 9). Each year, for every
run at once, it

1. takes the run's GDP shocks, ``model.gdp_shock`` (the growth slot's draw plus
   ``log(1 + size)`` of the year's ``gdp_shock`` events);
2. builds the sanctions severities from the year's ``sanctions`` events
   (``severity``, default 1);
3. reads the levers written by adopted ``banking_union`` and
   ``national_currency_settlement`` proposals (:mod:`scosim.finance.proposals`);
4. steps the core with draws from its own stream (``finance``, one generator per run,
   so run ``r`` gets the same numbers in any batch);
5. multiplies the dollar-channel trade-cost factor into ``policy.cost_change``, which
   the trade slot reads next;
6. records the indicators of :data:`FINANCE_INDICATORS` per economy and year.

Fiscal cost is reported (US$ and percent of GDP) but is not subtracted from the trade
welfare change (``welfare_change_pct`` is the GE's real expenditure); see docs/finance.md.
Its share of GDP is of the base-year GDP the balance sheets are built on (the tables'
``gdp_usd``): the balance sheets do not grow, so the year's GDP path would understate it
as GDP grows (China's path is 1.9 times its 2023 level by 2030) and overstate it after a
GDP shock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from typing_extensions import override

from scosim.finance.contagion import ExternalAssetsShortfall
from scosim.finance.proposals import COMPONENTS
from scosim.finance.shocks import dollar_channel, sanctions_matrix
from scosim.finance.system import FinanceSystem, Levers
from scosim.model.rng import stream
from scosim.model.slots import Mechanism, register_mechanism

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState

__all__ = ["FINANCE_INDICATORS", "BankingSystems", "run_year"]

#: Recorded indicator -> (core indicator, unit). Money in base-year US$.
FINANCE_INDICATORS: dict[str, tuple[str, str]] = {
    "bank_failures": ("failures", "1 if the banking system defaulted in clearing"),
    "bank_resolutions": ("resolutions", "1 if resolved/recapitalised before contagion"),
    "depositor_losses_usd": ("depositor_losses",
                             "US$ (uninsured deposits lost in default: paid after insured "
                             "deposits, before other creditors, BRRD art. 108)"),
    "creditor_losses_usd": ("creditor_losses",
                            "US$ (non-deposit outside creditors' loss in the system's default: "
                            "paid after all deposits, BRRD art. 108)"),
    "interbank_unpaid_usd": ("interbank_unpaid",
                             "US$ (interbank debts the defaulting system leaves unpaid, borne "
                             "by its creditor banks' capital)"),
    "insured_payout_usd": ("insured_payout",
                           "US$ (insured deposits lost in default, paid by the fund or the "
                           "treasury: paid first, BRRD art. 108)"),
    "fund_payout_usd": ("fund_payout", "US$"),
    "fund_balance_usd": ("fund_balance", "US$ (the economy's compartment, year end)"),
    "fund_contribution_usd": ("fund_contribution",
                              "US$ (the economy's banks' ex-ante contributions to the fund "
                              "this year, paid out of their capital)"),
    "fund_net_transfer_usd": ("fund_net_transfer",
                              "US$ (what the economy's compartment paid for other "
                              "participants' systems less what theirs paid for its own; "
                              "sums to zero over participants)"),
    "fiscal_cost_usd": ("fiscal_cost",
                        "US$ (treasury, gross: insured deposits it backs and its money put "
                        "into failed or resolved systems; the equity bought is also shown apart)"),
    "fiscal_recap_usd": ("fiscal_recap",
                         "US$ (of the fiscal cost, the equity the treasury buys in the systems "
                         "it recapitalises, an asset; the rest, insured deposits backed and the "
                         "hole a resolution fills beyond bail-in and the fund, is lost)"),
    "bail_in_usd": ("bail_in", "US$"),
    "bail_in_deposits_usd": ("bail_in_deposits",
                             "US$ (of the bail-in, uninsured deposits, bailed in towards "
                             "BRRD's 8 % of liabilities incl. own funds)"),
    "fund_art109_usd": ("fund_art109",
                        "US$ (of the fund's payout, paid into a resolution short of the 8 %: "
                        "at most what insured depositors would lose in liquidation, BRRD "
                        "art. 109)"),
    "precautionary_recap_usd": ("precautionary_recap",
                                "US$ (of the fiscal cost, a solvent system's recapitalisation "
                                "short of the 8 %: only with public_backstop unconstrained; "
                                "the BRRD allows none below the own-funds requirement)"),
    "bank_resolutions_refused": ("resolution_refused",
                                 "1 if resolution was refused public money (short of the "
                                 "8 %) and the system was left to clearing: an insolvent one "
                                 "fails, a solvent one keeps the capital it has"),
    "contagion_round": ("contagion_round", "round of default, 0 = none"),
    "loss_credit_usd": ("loss_credit", "US$"),
    "loss_sanctions_usd": ("loss_sanctions",
                           "US$ (interbank claims newly frozen this year, written off the "
                           "payee's capital and parked)"),
    "frozen_parked_usd": ("frozen_parked",
                          "US$ (stock at year end of the payee's interbank claims held in "
                          "blocked accounts; a claim frozen again in a later year counts "
                          "once)"),
    "loss_contagion_usd": ("loss_contagion", "US$"),
    "loss_default_costs_usd": ("loss_default_costs", "US$"),
    "npl_ratio": ("npl_ratio", "fraction"),
    "bank_capital_ratio": ("capital_ratio", "fraction"),
}

_DEFAULTS = Levers.none(1, 1)


def run_year(model: SCOModel, row: int, year: int) -> str:
    """``run R, seed S, YEAR``: where in a scenario a finance error arose.

    The batch's row is the model's run number only in a batch that starts at 0, and
    ``scosim run --seed S --replications R+1`` reproduces run ``R``.
    """
    return f"run {int(model.run_ids[row])}, seed {model.scenario.seed}, {year}"


def _scalar(policy: PolicyState, name: str, default: float) -> float:
    """A union parameter: the value of the runs where a union is in force (one per scenario)."""
    v = policy.levers.get(f"finance.{name}")
    if v is None:
        return default
    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v)]
    return float(v[0]) if v.size else default


@register_mechanism
class BankingSystems(Mechanism):
    """National banking systems with Eisenberg-Noe contagion (docs/finance.md)."""

    name = "banking_systems"
    slot = "finance"
    writes_levers = ()  # it reads the finance.* levers the proposals write
    # It acts on the events' shocks only (docs/finance.md): no event, no change.
    passive = True
    # It multiplies the dollar channel's factors into the year's trade costs (step 5).
    welfare_versus = "the dollar channel's trade costs of sanctions"
    # docs/finance.md, "Fiscal cost and welfare": reported beside welfare, not in it.
    welfare_excludes = ("what failing or resolved banks cost treasuries, creditors and "
                        "depositors (fiscal_cost_usd, creditor_losses_usd, "
                        "depositor_losses_usd)")
    indicators = {
        **{k: unit for k, (_, unit) in FINANCE_INDICATORS.items()},
        "fiscal_cost_pct_gdp": "percent of base-year GDP (of the balance sheets' economy)",
    }
    # What a finance scenario asks (docs/finance.md section 9): do banks fail, are they
    # resolved instead, and who pays. Every payer of the banking figure's "who paid"
    # (scosim.finance.run_summary.PAYERS) is here: with the treasuries and bailed-in
    # creditors alone, a run without a union showed its creditors' and depositors'
    # losses in default nowhere, and a union's bail-in read as a cost it had added.
    headline = {
        "bank_failures": "share",
        "bank_resolutions": "share",
        "bank_resolutions_refused": "share",
        "fiscal_cost_usd": "total",
        "fiscal_recap_usd": "total",
        "precautionary_recap_usd": "total",
        "fund_payout_usd": "total",
        # Who paid into the fund (the payout is recorded at the system it paid for).
        "fund_contribution_usd": "total",
        "bail_in_usd": "total",
        "creditor_losses_usd": "total",
        "depositor_losses_usd": "total",
        "interbank_unpaid_usd": "total",
        # Whose compartment paid for whom, per economy: not a payer of the group's losses
        # (it sums to zero over the participants), so not a bar of the figure.
        "fund_net_transfer_usd": "total",
    }
    # "Of which" indicators, part of another in every run (scosim.answer_parts): where
    # one equals its whole everywhere the answer prints one table and says so. What the
    # equality means is the part's own: the rest of the gross (insured deposits backed,
    # a resolution's hole filled; or any recapitalisation not precautionary) was nil.
    headline_parts = {
        "fiscal_recap_usd": ("fiscal_cost_usd",
                             "all of it equity bought (recapitalisation), no treasury "
                             "money backed insured deposits or filled a resolution's hole"),
        "precautionary_recap_usd": ("fiscal_cost_usd",
                                    "all of it precautionary recapitalisation of solvent "
                                    "systems"),
    }
    # The answer's who-gains table is of the crisis year, the first of the events it reads
    # (scosim.answer_year): a union's cover and settlement's shield act then; by the last
    # year only the sanctions' lasting trade costs were left, the same with either policy.
    answer_year = ("gdp_shock", "sanctions")

    @override
    def setup(self, model: SCOModel) -> None:
        from scosim.finance.spec import FinanceSettings

        settings = FinanceSettings.model_validate(model.scenario.parameters.finance)
        self.fs = FinanceSystem(params=settings.params())
        if tuple(self.fs.codes) != tuple(model.codes):
            raise ValueError("finance tables and calibration list different economies: "
                             f"{self.fs.codes} vs {model.codes}")
        # The banks price the GDP shocks they face (the risk-based margin, docs/finance.md
        # section 3): the calibrated volatility times the first year's volatility scale.
        _, scale = model.growth_parameters(model.years[0])
        self.fs = self.fs.with_gdp_sd(np.asarray(scale, float)[:, None] * model.vol[None, :])
        self.state = self.fs.initial_state(model.R)
        #: GDP of the base year (US$, ``(N,)``), the scale of the balance sheets, which are
        #: kept in base-year US$: money of the core is a share of this, not of the path.
        self.base_gdp = np.asarray(self.fs.data.gdp, dtype=float)
        seed = model.scenario.seed
        self.gens = [stream(seed, int(r), self.slot) for r in model.run_ids]
        self.last: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------------ inputs
    def sanctions(self, model: SCOModel, year: int) -> np.ndarray:
        """Severities ``S[r, b, t]`` of the year's sanctions events, ``(R, N, N)``."""
        evs = [(e.target, e.by, float(e.severity)) for e in model.scenario.events
               if e.type == "sanctions" and e.year == year]
        return sanctions_matrix(evs, model.codes, model.R)

    def levers(self, policy: PolicyState, R: int) -> Levers:
        """The year's :class:`Levers` from ``policy.levers`` (see scosim.finance.proposals)."""
        N = self.fs.N
        base = np.broadcast_to(self.fs.data.settlement, (R, N, N))
        floor = policy.levers.get("finance.settlement_floor")
        shares = base.copy() if floor is None else np.maximum(base, floor)
        masks = {c: np.asarray(policy.levers.get(f"finance.{c}", np.zeros((R, N)))) > 0
                 for c in COMPONENTS}
        d = _DEFAULTS
        return Levers(
            **masks,
            settlement=shares,
            supervision_effect=_scalar(policy, "supervision_effect", d.supervision_effect),
            contribution_bp=_scalar(policy, "contribution_bp", d.contribution_bp),
            mutualisation=_scalar(policy, "mutualisation", d.mutualisation),
            backstop="mutual" if _scalar(policy, "backstop_mutual", 0.0) > 0 else "national",
            fund_resolves=_scalar(policy, "fund_resolves", 1.0) > 0,
            bail_in_share=_scalar(policy, "bail_in_share", d.bail_in_share),
            public_backstop="brrd" if _scalar(policy, "public_backstop_brrd", 1.0) > 0
            else "unconstrained",
            trigger_info=_scalar(policy, "trigger", d.trigger_info),
        )

    # -------------------------------------------------------------------- year
    @override
    def step(self, model: SCOModel, policy: PolicyState, year: int) -> None:
        g = np.asarray(model.gdp_shock, dtype=float)
        S = self.sanctions(model, year)
        lev = self.levers(policy, model.R)
        try:
            self.state, self.last = self.fs.step(self.state, g, S, lev, self.gens)
        except ExternalAssetsShortfall as exc:
            raise ValueError(exc.located(run_year(model, exc.row, year))) from None
        policy.cost_change = policy.cost_change * self.state.trade_cost_factor

    @override
    def preview_cost_factor(self, model: SCOModel, policy: PolicyState) -> np.ndarray | None:
        """The dollar channel's trade-cost factors of this year's sanctions under ``policy``."""
        return self.trade_cost_factor(model, policy)

    @override
    def record(self, model: SCOModel, policy: PolicyState) -> dict[str, np.ndarray]:
        out = {k: np.asarray(self.last[src], dtype=float).copy()
               for k, (src, _) in FINANCE_INDICATORS.items()}
        out["fiscal_cost_pct_gdp"] = 100.0 * out["fiscal_cost_usd"] / self.base_gdp
        return out

    # ------------------------------------------------------------- for votes
    def fiscal_saving(self, model: SCOModel, without: PolicyState,
                      with_: PolicyState) -> np.ndarray:
        """Treasury money a change of levers would save this year, ``(R, N)`` US$.

        One step of the core from the current state with what the summit knows of the
        year: its sanctions and its GDP-shock events (``model.gdp_shock`` before the growth
        slot adds its draw), once under each policy, with the same draws from a separate
        stream (``finance:preview:<year>``, so the mechanism's own draws are untouched).
        """
        S = self.sanctions(model, model.year)
        g = np.asarray(model.gdp_shock, dtype=float)
        out = []
        for pol in (without, with_):
            gens = [stream(model.scenario.seed, int(r), f"finance:preview:{model.year}")
                    for r in model.run_ids]
            try:
                _, ind = self.fs.step(self.state, g, S, self.levers(pol, model.R), gens)
            except ExternalAssetsShortfall as exc:
                where = run_year(model, exc.row, model.year)
                raise ValueError(f"{exc.located(where)} (the vote's preview of the year)") \
                    from None
            out.append(ind["fiscal_cost"])
        return out[0] - out[1]

    def trade_cost_factor(self, model: SCOModel, policy: PolicyState) -> np.ndarray:
        """Dollar-channel trade-cost factors ``(R, N, N)`` of this year's sanctions.

        Under ``policy``'s settlement shares; what :meth:`step` multiplies into
        ``policy.cost_change``.
        """
        S = self.sanctions(model, model.year)
        _, factor = dollar_channel(S, self.levers(policy, model.R).settlement,
                                   secondary=self.fs.params.secondary,
                                   dollar_trade_cost=self.fs.params.dollar_trade_cost,
                                   settlement_leakage=self.fs.params.settlement_leakage)
        return factor
