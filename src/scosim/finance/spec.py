"""Proposal specifications: an SCO banking union and national-currency settlement.

Pydantic models (strict, no extra keys) on the proposal-type protocol: the specs of the
``banking_union`` and ``national_currency_settlement`` types (:mod:`scosim.finance.proposals`).
:func:`levers_from` turns adopted specs into the :class:`~scosim.finance.system.Levers`
of one year (the stand-alone ensemble uses it; the model reads the policy levers).

Example (YAML)::

    - type: banking_union
      id: sco-banking-union
      year: 2026
      proposer: KAZ
      participants: members
      deposit_insurance: {contribution_bp: 10, backstop: mutual}
      resolution: {bail_in_share: 0.5}
      information: {}
      supervision: {effect: 0.3}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from scosim.data.constants import MEMBERS, OBSERVERS
from scosim.proposals.specs import ProposalSpec
from scosim.scenario.schema import STRICT, Participants, State

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from scosim.finance.system import FinanceParams, Levers

# numpy and the kernels are imported by the functions that use them: validating a
# scenario reads these specs (the proposal-type registry) and stays light.

__all__ = [
    "BankingUnionProposal",
    "DepositInsurance",
    "FinanceSettings",
    "InformationExchange",
    "Resolution",
    "SettlementProposal",
    "SingleSupervision",
    "check_banking_union",
    "levers_from",
    "participant_codes",
]

#: Sovereignty weight of each component in ``depth`` (what members give up; the legal
#: framework itself is the base). Documented in docs/finance.md.
DEPTH_WEIGHTS: dict[str, float] = {
    "framework": 0.1,
    "supervision": 0.35,
    "deposit_insurance": 0.2,
    "resolution": 0.25,
    "information": 0.1,
}


class SingleSupervision(BaseModel):
    """Unified supervision mechanism: slower build-up of bad loans.

    ``effect`` is an assumption, not an estimate: no source was found for the share of new
    bad loans a single supervisor removes. It applies from the first year the union is in
    force (no lag). Whether the union saves public money depends on it (docs/finance.md
    section 5, "The supervision effect is an assumption": members' fiscal cost in
    ``finance_crisis_union.yaml`` is US$106.2 bn at 0, 84.8 at 0.15, 55.5 at 0.3 and 44.6
    at 0.45, against 106.2 without the union).
    """

    model_config = STRICT
    effect: float = Field(0.3, ge=0, le=1, description=(
        "share of NPL build-up removed, from the first year in force (an assumption, "
        "unsourced: docs/finance.md section 5)"))


class DepositInsurance(BaseModel):
    """Deposit insurance fund financed ex ante by member banks."""

    model_config = STRICT
    contribution_bp: float = Field(10.0, ge=0, le=500, description="bp of insured deposits a year")
    mutualisation: float = Field(1.0, ge=0, le=1, description=(
        "share of each other compartment usable, per year (all payments together)"))
    backstop: Literal["national", "mutual"] = "national"
    fund_resolves: bool = Field(
        True, description="fund also finances resolution after bail-in, within BRRD art. "
        "44(5): once 8 % of liabilities are absorbed, at most 5 % of them; short of the 8 %, "
        "what the insured depositors would lose in liquidation (art. 109)")


class Resolution(BaseModel):
    """Resolution authority: bail-in and recapitalisation before losses spread."""

    model_config = STRICT
    bail_in_share: float = Field(0.5, ge=0, le=1, description="bail-inable share of other debt")
    public_backstop: Literal["brrd", "unconstrained"] = Field(
        "brrd", description="brrd: public money only once shareholders and creditors have "
        "absorbed 8 % of liabilities incl. own funds (BRRD art. 37(10), 44(5)); short of it "
        "none, solvent or not (a caught system is below its own-funds requirement, so no "
        "precautionary recapitalisation); unconstrained: the treasury pays whatever the fund "
        "may not (the fund still held "
        "to art. 44(5): the rules of the morning of 2026-12-06)")


class InformationExchange(BaseModel):
    """Information sharing among supervisors: distress is seen, and met, earlier.

    A system below ``trigger`` is recapitalised to ``parameters.finance.recap_ratio``; a
    trigger above that ratio catches nothing more (docs/finance.md section 5).
    """

    model_config = STRICT
    trigger: float = Field(0.03, ge=0, le=0.2,
                           description="capital ratio triggering intervention (effective up "
                                       "to parameters.finance.recap_ratio)")


class BankingUnionProposal(ProposalSpec):
    """SCO banking union (Karagulov, seed 000) with switchable components.

    A component left out (``null``) is not part of the proposal.
    """

    type: Literal["banking_union"]
    proposer: State
    participants: Participants = "members"
    supervision: SingleSupervision | None = None
    deposit_insurance: DepositInsurance | None = None
    resolution: Resolution | None = None
    information: InformationExchange | None = None

    def components(self) -> tuple[str, ...]:
        """Names of the components switched on."""
        return tuple(c for c in ("supervision", "deposit_insurance", "resolution", "information")
                     if getattr(self, c) is not None)

    @property
    def depth(self) -> float:
        """Sovereignty depth in [0, 1] for the vote's sovereignty cost (from the components)."""
        return DEPTH_WEIGHTS["framework"] + sum(DEPTH_WEIGHTS[c] for c in self.components())


class SettlementProposal(ProposalSpec):
    """Raise the share of mutual trade settled in national currencies (SCO roadmap, seed 000)."""

    type: Literal["national_currency_settlement"]
    proposer: State
    participants: Participants = "members"
    share: float = Field(0.8, ge=0, le=1, description="national-currency share of mutual trade")
    # What a pair can settle in its currencies is what clears (scosim.finance.netting):
    # bilateral by default, since the SCO runs no clearing institution.
    clearing: Literal["bilateral", "multilateral", "uncapped"] = Field(
        "bilateral",
        description="what caps a pair's share: its bilaterally balanced trade (bilateral), "
                    "that plus what a clearing among the participants nets (multilateral), "
                    "or nothing (uncapped)")
    depth: float = Field(0.1, ge=0, le=1)


class FinanceSettings(BaseModel):
    """Scenario-level settings of the financial mechanism (see FinanceParams)."""

    model_config = STRICT
    kernel: Literal["clearing", "debtrank"] = "clearing"
    seniority: Literal["pari_passu", "external_senior"] = "pari_passu"
    alpha: float = Field(1.0, gt=0, le=1)
    beta: float = Field(1.0, gt=0, le=1)
    lgd: float = Field(0.45, ge=0, le=1)
    cure_rate: float = Field(0.25, ge=0, le=1)
    npl_sensitivity: float = Field(0.565, ge=0)  # tools/calibrate_finance.py
    gdp_beta: float = Field(1.0, ge=0)
    commodity_beta: float = Field(0.5, ge=0)
    idio_sd: float = Field(0.16, ge=0)  # maximum likelihood, docs/finance.md section 6
    roa_margin: float = Field(0.01, ge=0, le=0.2)
    recap_ratio: float = Field(0.045, ge=0, le=0.5)
    secondary: float = Field(0.5, ge=0, le=1)
    # A rise of the iceberg cost of dollar-settled trade with a fully sanctioned economy,
    # per sanctioned side: 1 doubles that cost, an order of magnitude above the 0.05
    # assumed and five times the shipped crisis's own sanctions trade_cost (0.2); above it
    # a value is a typo (5 for 5 percent), not a scenario (docs/finance.md section 4).
    dollar_trade_cost: float = Field(0.05, ge=0, le=1,
                                     description="trade cost rise at severity 1, in [0, 1]")
    # 0: national-currency settlement is a full shield (the figures' assumption); the 2024
    # refusals of yuan payments from Russia by Chinese banks say it is not (section 4).
    settlement_leakage: float = Field(
        0.0, ge=0, le=1,
        description="share of national-currency settlement still exposed to secondary "
                    "sanctions, in [0, 1]")

    def params(self) -> FinanceParams:
        """The kernel parameters."""
        from scosim.finance.system import FinanceParams

        return FinanceParams(**self.model_dump())


def check_banking_union(proposal: Any, scenario: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """One banking union per scenario, with at least one component (the type's check)."""
    # The union's parameters are one value per run: two different unions in one
    # scenario would need per-run parameters in the kernels.
    others = [p.id for p in scenario.proposals if p.type == "banking_union"]
    if len(others) > 1 and others[0] != proposal.id:
        return [(("type",), f"only one banking_union per scenario (first: {others[0]!r}); "
                 "compare alternatives in separate scenarios with extends:")]
    if not proposal.components():
        return [(("type",), "a banking union needs at least one component: supervision, "
                 "deposit_insurance, resolution or information")]
    from scosim.proposals.specs import _at_least_two, needs_slot

    return (needs_slot(scenario, "finance", "banking union", "banking_systems")
            + _at_least_two(proposal, scenario, "banking union"))


def participant_codes(participants: str | list[str]) -> tuple[str, ...]:
    """Resolve ``members`` / ``members_and_observers`` / a list to codes."""
    if participants == "members":
        return MEMBERS
    if participants == "members_and_observers":
        return MEMBERS + OBSERVERS
    return tuple(participants)


def _mask(codes: Sequence[str], who: Sequence[str], R: int, active: ArrayLike | None):
    import numpy as np

    m = np.isin(np.asarray(codes), list(who))
    out = np.broadcast_to(m, (R, len(codes))).copy()
    if active is not None:
        out &= np.asarray(active, bool)
    return out


def levers_from(
    codes: Sequence[str],
    R: int,
    base_settlement: ArrayLike,
    union: BankingUnionProposal | None = None,
    settlement: SettlementProposal | None = None,
    union_active: ArrayLike | None = None,
    settlement_active: ArrayLike | None = None,
) -> Levers:
    """Levers of one year from the adopted proposals.

    Args:
        codes: Economy codes in model order.
        R: Number of runs.
        base_settlement: Baseline national-currency settlement shares (N, N).
        union: Adopted banking union, if any.
        settlement: Adopted settlement proposal, if any.
        union_active: (R, N) who takes part in the union in each run (after votes and
            defections); default everyone named in the proposal.
        settlement_active: (R, N) likewise for settlement.

    Returns:
        The :class:`Levers` to pass to :func:`scosim.finance.system.step`.
    """
    import numpy as np

    from scosim.finance.shocks import settlement_shares
    from scosim.finance.system import Levers

    N = len(codes)
    shares = np.broadcast_to(np.asarray(base_settlement, float), (R, N, N)).copy()
    if settlement is not None:
        p = _mask(codes, participant_codes(settlement.participants), R, settlement_active)
        shares = settlement_shares(shares, p, settlement.share)
    if union is None:
        return Levers.none(R, N, shares[0]) if settlement is None else Levers(
            *(np.zeros((R, N), bool) for _ in range(4)), settlement=shares)
    p = _mask(codes, participant_codes(union.participants), R, union_active)
    kw: dict[str, object] = {}
    if union.supervision is not None:
        kw["supervision_effect"] = union.supervision.effect
    if union.deposit_insurance is not None:
        d = union.deposit_insurance
        kw.update(contribution_bp=d.contribution_bp, mutualisation=d.mutualisation,
                  backstop=d.backstop, fund_resolves=d.fund_resolves)
    if union.resolution is not None:
        kw["bail_in_share"] = union.resolution.bail_in_share
        kw["public_backstop"] = union.resolution.public_backstop
    if union.information is not None:
        kw["trigger_info"] = union.information.trigger
    return Levers.union(p, shares, union.components(), **kw)
