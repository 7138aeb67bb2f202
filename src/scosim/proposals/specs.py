"""Scenario specs of the built-in proposal types, without their behaviour.

What validating a scenario needs of a proposal type: its pydantic spec and its
checks against the whole scenario. Kept apart from the types' array code (numpy and
the trade kernels) so that ``scosim validate`` imports neither; each type's module
re-exports its spec, and :mod:`scosim.proposals.builtin` registers the types lazily
with the paths of these objects, which the registry checks against the classes
when they load. The one exception: a union with ``revenue_sharing: fixed`` is checked
against the blocs of the calibration (:mod:`scosim.proposals.union_shares`), so its
validation reads the data tables.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from scosim.scenario.schema import (
    STRICT,
    DecisionRuleName,
    Issues,
    Participants,
    Slug,
    State,
    StateList,
    YearValue,
    _yv_check,
    check_cet,
    empty_list,
    outside_years,
)

__all__ = [
    "OPT_IN_RULES",
    "AccessionProposal",
    "ApplicationProposal",
    "CustomsUnionProposal",
    "DeclarationProposal",
    "DevelopmentBankProposal",
    "FreeTradeAreaProposal",
    "ProposalSpec",
    "check_accession",
    "check_application",
    "check_customs_union",
    "check_declaration",
    "check_development_bank",
    "check_free_trade_area",
    "no_checks",
    "check_rats_upgrade",
    "check_settlement",
    "needs_slot",
    "scenario_issues",
    "spec_issues",
]

Issue = tuple[Any, ...]  # (location, message[, [(other location, message), ...]])

#: Decision rules under which participation is opt-in: those who said no (or were
#: not there) may join an arrangement in force at a later summit.
OPT_IN_RULES: tuple[str, ...] = ("variable_geometry", "interested_members")


#: Whether a union or free-trade area ends a trade suspension between two participants
#: (:mod:`scosim.mechanisms.suspensions`).
Suspensions = Annotated[Literal["lifted", "kept"], Field(
    description="a trade suspension between two participants (India-Pakistan in the "
    "2023 data): 'lifted' = the zero internal tariff ends it; 'kept' = it stays, as it "
    "overrides SAFTA in the base year (GATT Art. XXI). A participant's suspension of "
    "an outsider stays in both cases",
)]


#: The fraction of the iceberg trade cost between two participants a union or free-trade
#: area removes (:mod:`scosim.mechanisms.ntb`). Left out of the dump at 0, so every
#: scenario written before the field keeps its hash (and its finished runs).
NtbCostCut = Annotated[float, Field(
    ge=0.0, lt=1.0,
    description="non-tariff barriers: the fraction of the trade cost between two "
    "participants the arrangement removes (0.05 = 5 %), phased in with the tariffs; "
    "0 (default): tariffs only. An assumption of the scenario: the published estimates "
    "(World Bank 2012, Knobel et al. 2019) are for the EAEU, not for this arrangement",
)]


def _drop_zero_cut(out: Any) -> Any:
    """A dumped spec without ``ntb_cost_cut`` where it is 0 (its default)."""
    if isinstance(out, dict) and out.get("ntb_cost_cut") == 0.0:
        out.pop("ntb_cost_cut")
    return out


class ProposalSpec(BaseModel):
    """Fields every proposal has in a scenario (subclass it for a new type).

    A subclass adds ``type: Literal["<name>"]`` and its own fields; the
    scenario's ``proposals`` list is dispatched on ``type`` through the registry.
    """

    model_config = STRICT
    type: str
    id: Slug
    year: int = Field(description="year the proposal is tabled")
    proposer: State | None = None
    co_sponsors: StateList = Field(
        default_factory=empty_list, description="states sponsoring the proposal with the proposer"
    )
    decision_rule: DecisionRuleName | None = Field(
        None,
        description="decision rule for this proposal; default: parameters.council."
        "decision_rule if set, else the type's default",
    )


class CustomsUnionProposal(ProposalSpec):
    """Customs union (Karagulov, seed 000): free trade inside, common external tariff."""

    type: Literal["customs_union"]
    proposer: State
    participants: Participants = "members"
    cet: Annotated[str | float, BeforeValidator(check_cet)] = Field(
        "weighted_mean",
        description="common external tariff: a rule over the participants' MFN rates (mean, "
        "weighted_mean, min, max), art_xxiv (the highest CET that does not raise the "
        "members' average tariff on outsiders at base-year imports, GATT Art. XXIV:5(a)) "
        "or a rate, a fraction (0.05 = 5 %)")
    revenue_sharing: Literal["collected", "gdp", "imports", "population", "fixed"] = "collected"
    fixed_shares: dict[State, float] | None = None
    phase_in: YearValue | None = None
    depth: float = Field(0.6, ge=0, le=1,
                         description="sovereignty cost (tariff policy handed to the union)")
    replace_preferences: bool = Field(
        False,
        description="the CET replaces participants' preferences with non-participants "
        "(False: a preference in force is kept where it is below the CET)",
    )
    suspensions: Suspensions = "lifted"
    ntb_cost_cut: NtbCostCut = 0.0

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _drop_zero_cut(handler(self))

    @model_validator(mode="after")
    def _consistency(self) -> CustomsUnionProposal:
        issues = spec_issues(self)
        if issues:
            raise Issues(issues)
        return self


def spec_issues(p: Any) -> list[Issue]:
    """Checks of a union-like spec that need no scenario (sharing, phase-in)."""
    issues: list[Issue] = []
    sharing = getattr(p, "revenue_sharing", "collected")
    if sharing == "fixed" and p.fixed_shares is None:
        issues.append((("fixed_shares",), (
            "missing: revenue_sharing is 'fixed', so fixed_shares {country: share} "
            "summing to 1 is required")))
    if sharing != "fixed" and getattr(p, "fixed_shares", None) is not None:
        issues.append((("fixed_shares",), (
            f"only used when revenue_sharing is 'fixed' (it is {sharing!r}); "
            "remove it or set revenue_sharing: fixed")))
    if getattr(p, "fixed_shares", None) is not None:
        for code, share in p.fixed_shares.items():
            if not 0.0 <= share <= 1.0:
                issues.append((("fixed_shares", code), f"share {share:g} must be in [0, 1]"))
        total = sum(p.fixed_shares.values())
        if abs(total - 1.0) > 1e-6:
            # As the model's own check: 100 in all is percentages.
            hint = " (give fractions, not percent)" if abs(total - 100.0) < 1e-3 else ""
            issues.append((("fixed_shares",),
                           f"shares sum to {total:.6g}; they must sum to 1{hint}"))
    if p.phase_in is not None:
        issues += [(("phase_in",), m) for m in _yv_check(p.phase_in, lo=0.0, hi=1.0)]
        pts = p.phase_in.points
        for (y0, v0), (y1, v1) in zip(pts, pts[1:], strict=False):
            if v1 < v0:
                issues.append((("phase_in", y1), (
                    f"phase_in must be non-decreasing: {v1:g} in {y1} is below "
                    f"{v0:g} in {y0}")))
        early = [y for y in p.phase_in.years if y < p.year]
        if early:
            issues.append((("phase_in", early[0]), (
                f"phase-in year {early[0]} is before the proposal is tabled ({p.year})")))
    return issues


def scenario_issues(p: Any, scenario: Any, what: str) -> list[Issue]:
    """Checks of a union-like spec against the scenario (participants, shares, years)."""
    issues: list[Issue] = []
    if len(scenario.participants_of(p)) < 2:
        # Counted with the bloc a listed state brings (RUS alone is the EAEU), which only
        # the data know: read only here, as `scosim validate` otherwise does without them.
        from scosim.proposals.union_shares import too_few_issues

        issues += too_few_issues(p, scenario, what)
    if getattr(p, "fixed_shares", None) is not None:
        # Against the participants the run will have: the listed ones or the members,
        # with the blocs they bring (Armenia with the EAEU), which only the data know.
        from scosim.proposals.union_shares import validation_share_issues

        issues += validation_share_issues(p, scenario)
    if p.phase_in is not None:
        yrs = scenario.years
        for y in p.phase_in.years:
            if y not in yrs:
                # said from the years' side too: a --set years.end=... is pointed at
                issues.append(outside_years(
                    ("phase_in", y), y, yrs,
                    f"phase-in year {y} is outside the simulated years {yrs.start}-{yrs.end}",
                    f"the phase-in year {y} of proposal {p.id!r}"))
    return issues


class FreeTradeAreaProposal(ProposalSpec):
    """Free-trade area: internal tariffs phased out, external tariffs kept."""

    type: Literal["free_trade_area"]
    participants: Participants = "members"
    phase_in: YearValue | None = None
    depth: float = Field(0.3, ge=0, le=1, description="sovereignty cost (shallower than a union)")
    suspensions: Suspensions = "lifted"
    ntb_cost_cut: NtbCostCut = 0.0

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _drop_zero_cut(handler(self))

    @model_validator(mode="after")
    def _consistency(self) -> FreeTradeAreaProposal:
        issues = spec_issues(self)
        if issues:
            raise Issues(issues)
        return self


class AccessionProposal(ProposalSpec):
    """An observer, partner or other economy applies to become a member."""

    type: Literal["accession"]
    applicant: State


class ApplicationProposal(ProposalSpec):
    """An economy's decision whether to apply for SCO membership."""

    type: Literal["application"]
    applicant: State
    depth: float = Field(0.02, ge=0, le=1, description="sovereignty cost of membership")
    commitments: dict[State, float] = Field(
        default_factory=dict,
        description="extra sovereignty cost (0-1) of a standing commitment membership would "
        "breach (e.g. permanent neutrality), keyed by the applicant's code (only the "
        "applicant votes, so no other key is allowed)",
    )


class DeclarationProposal(ProposalSpec):
    """A statement adopted at a summit (endorsement, partner status, ...)."""

    type: Literal["declaration"]
    participants: Participants = "members"
    depth: float = Field(0.05, ge=0, le=1, description="sovereignty cost of the commitment")


class DevelopmentBankProposal(ProposalSpec):
    """A development bank owned by its participants.

    The one source of the bank's defaults (until 2026-12-06 the network package held a
    second, unused ``DevelopmentBankSpec``). The default capital, US$10 bn, is
    illustrative: no capital has been published for the bank the interested members
    agreed to set up at Tianjin in September 2025. China's pledge there (2 bn yuan
    in grants and 10 bn yuan in loans, ANCHORS.md) is aid to members, not the bank's
    capital. The loan profile (``grace_years``, ``tenor_years``) is the network bank's,
    and corridors financed by the bank in force borrow on it.
    """

    type: Literal["development_bank"]
    participants: Participants = "members"
    capital_usd_bn: float = Field(10.0, gt=0, description="subscribed capital, US$ bn "
                                  "(illustrative: none has been published)")
    capital_rule: Literal["gdp", "equal"] = "gdp"
    paid_in_share: float = Field(0.2, gt=0, le=1, description="share of capital paid in: it "
                                 "funds paid_in_share / leverage of the bank's loans (at "
                                 "most all) at its owners' market_rate, the rest is "
                                 "borrowed at funding_rate (until 2026-12-06 not read)")
    leverage: float = Field(1.0, gt=0, le=5, description="lending limit: loans outstanding "
                            "at most this multiple of the subscribed capital (AIIB Articles "
                            "art. 12.1: 1, at most 2.5)")
    # Sourced (docs/hindcasts.md, "The Development Bank's economics"): funding_rate plus the
    # spread a multilateral bank charges over its own funding, the AIIB's sovereign-backed
    # loan pricing (AIIB, "Sovereign-backed loan and guarantee pricing", January 2016;
    # "Sovereign-backed financing", January 2021 update): a contractual lending spread of
    # 0.50 %, a maturity premium by average maturity (0, 0.10, 0.20, 0.30, 0.40, 0.50 % up
    # to 8, 8-10, 10-12, 12-15, 15-18, 18-20 years) and a risk premium (0.10 % up to 15
    # years, 0.15 % above); its fourth component, the projected funding spread to the
    # reference rate, is the bank's own funding cost, here funding_rate. The default loan
    # (20 years, 5 of grace, then a level annuity) has an average life of 13.9 years at
    # 4.9 % (loan_schedule; 13.0 to 14.2 at any rate from 0 to 7 %): 0.50 + 0.30 + 0.10 =
    # 0.90 points over the 4 % funding_rate. The 0.25 % front-end fee (one-time) is left
    # out. A separate field: moving funding_rate does not move it. Until 2026-12-06 0.04,
    # unsourced (below the effective funding rate: the owners lost on every loan).
    lending_rate: float = Field(0.049, ge=0, le=0.3, description="the bank's lending rate, "
                                "a year (default: the 4 % funding_rate plus the AIIB's "
                                "sovereign-backed lending spread over its funding for the "
                                "default loan's 13.9-year average life, 0.50 contractual + "
                                "0.30 maturity premium + 0.10 risk premium, AIIB loan "
                                "pricing of January 2016; front-end fee left out; until "
                                "2026-12-06 0.04, unsourced)")
    # Above 0: it is also the members' cost of funds, the rate a corridor's payments are
    # valued and annualised at (network.finance.annual_equivalent), and a perpetuity at 0
    # has no level yearly equivalent; until 2026-12-06 0 passed validation and stopped the
    # run at the first corridor preview.
    market_rate: float = Field(0.07, gt=0, le=0.5, description="borrowers' alternative rate, "
                               "a year: their saving on the bank's loans is measured and "
                               "discounted against it; also the members' cost of funds that "
                               "corridor payments are valued and annualised at (above 0)")
    # Sourced (docs/hindcasts.md, "The Development Bank's economics"): a AAA multilateral
    # bank's USD funding, the AIIB's 5-year benchmark of January 2023, US$2 bn of 4.000 %
    # notes due 2028 (AIIB Form 18-K, Exhibit 5, Q1 2023, SEC); its 5-year of January 2024
    # paid 4.125 %, 26.45 bp over the US Treasury (aiib.org, 10 January 2024). Against
    # Uzbekistan's (BB-) USD Eurobonds, 8.125 % for 5 years in October 2023 and 6.9 % for 7
    # in May 2024, which bracket market_rate. Until 2026-12-06 the bank funded at
    # market_rate.
    funding_rate: float = Field(0.04, ge=0, le=0.5, description="the bank's own cost of "
                                "borrowing, a year (default: the AIIB's 5-year USD benchmark, "
                                "January 2023); it funds its loans, corridor loans included, "
                                "at this rate on the part its paid-in capital does not fund "
                                "(that part costs the owners market_rate: together the "
                                "effective funding rate, 4.6 % at the defaults), and its "
                                "owners pay the subsidy effective funding rate - lending_rate "
                                "on the principal outstanding (negative: a margin they earn, "
                                "0.3 points at the defaults). "
                                "Above market_rate is allowed: the bank "
                                "then borrows dearer than its borrowers could, and the "
                                "members lose on it together")
    # Sourced (docs/hindcasts.md, "Credit risk and preferred-creditor treatment"): the
    # GEMs Consortium's pooled record of the multilateral development banks' sovereign and
    # sovereign-guaranteed loans, 1984-2024 (October 2025): an average yearly default rate
    # of 0.77 % and an average recovery of 95.1 %, so 0.0077 x 0.049 = 0.038 % a year on
    # the exposure. It holds for a lender whom sovereigns repay first, preferred-creditor
    # treatment; the 1984-2023 edition's 1.06 % with recoveries mostly above 90 % gives
    # up to 0.1 %. Until 2026-12-06 the bank's general lending carried no credit risk.
    credit_loss_rate: float = Field(0.000377, ge=0, le=0.2, description="the bank's "
                                    "expected credit loss on its general lending, a year "
                                    "on the principal outstanding (default probability x "
                                    "loss given default), borne by its owners by capital "
                                    "share (default: GEMs sovereign and sovereign-"
                                    "guaranteed lending 1984-2024, 0.77 % default rate x "
                                    "(1 - 95.1 % recovery), which assumes preferred-"
                                    "creditor treatment; until 2026-12-06 no credit risk)")
    # A development bank's board approves each loan by a majority of the votes cast,
    # weighted by capital (AIIB Articles of Agreement, arts. 26 and 28; IBRD Articles, art.
    # V section 3): docs/network.md, "The bank's board".
    board_approval: bool = Field(True, description="corridor loans need its board's "
                                 "approval: the owners vote, weighted by capital share, "
                                 "each yes where its expected gain from the loan is >= 0, "
                                 "and a loan needs more than half of the votes; a rejected "
                                 "loan falls to the next bank in force, else the hosts pay "
                                 "from their budgets (false: every loan within its lending "
                                 "limit is made, as until 2026-12-06)")
    tenor_years: int = Field(20, ge=1, le=50, description="loan tenor, grace included")
    grace_years: int = Field(5, ge=0, le=15, description="interest-only years at the start, "
                             "then a level annuity; at most tenor_years - 1 are used (as for "
                             "the corridors' loans)")
    # Fitted on the hindcast training years (docs/hindcasts.md, "Calibration", 2026-12-06):
    # the record bounds it from below only (0.2 and above fit; 0.25 is the smallest
    # value every training run gets right; below an FTA's 0.3). Was 0.15, unsourced.
    depth: float = Field(0.25, ge=0, le=1, description="sovereignty cost (fitted on the "
                         "hindcast: Russia's no to the bank in 2010 and 2015)")


# --------------------------------------------------------------------------- checks
# Each is a type's ``check`` (a staticmethod on the class): cross-field checks of
# one proposal against the whole scenario, as ``(location in the proposal, message)``.


def no_checks(proposal: Any, scenario: Any) -> list[Issue]:
    """No checks beyond the spec's own."""
    return []


def _at_least_two(proposal: Any, scenario: Any, what: str) -> list[Issue]:
    parts = scenario.participants_of(proposal)
    if len(parts) < 2:
        return [(("participants",), f"a {what} needs at least 2 participants, got {parts}")]
    return []


def needs_slot(scenario: Any, slot: str, what: str, fill: str) -> list[Issue]:
    """The mechanism slot a type's decision acts through must be filled.

    Without it the proposal is voted on and adopted, and nothing reads what it decides
    (a settlement floor, a pooling level): the run reports no effect, for no reason a
    reader could see.
    """
    if dict(scenario.parameters.mechanisms).get(slot) is None:
        return [(("type",), f"a {what} needs the {slot} slot filled (nothing else reads "
                 f"what it decides): parameters.mechanisms: {{{slot}: {fill}}}")]
    return []


def check_rats_upgrade(proposal: Any, scenario: Any) -> list[Issue]:
    """A RATS upgrade acts through the security slot and pools among at least two states."""
    return (needs_slot(scenario, "security", "RATS upgrade", "security")
            + _at_least_two(proposal, scenario, "RATS upgrade"))


def check_settlement(proposal: Any, scenario: Any) -> list[Issue]:
    """A settlement arrangement acts through the finance slot, between at least two states."""
    return (needs_slot(scenario, "finance", "national-currency settlement", "banking_systems")
            + _at_least_two(proposal, scenario, "national-currency settlement"))


def check_declaration(proposal: Any, scenario: Any) -> list[Issue]:
    """A summit declaration is made by at least two states."""
    return _at_least_two(proposal, scenario, "declaration")


def check_development_bank(proposal: Any, scenario: Any) -> list[Issue]:
    """A development bank is owned by at least two states (capital shares, loans among them)."""
    return _at_least_two(proposal, scenario, "development bank")


def check_customs_union(proposal: Any, scenario: Any) -> list[Issue]:
    """The trade slot, participants, revenue shares and phase-in years of a customs union."""
    return (needs_slot(scenario, "trade", "customs union", "ge_trade")
            + scenario_issues(proposal, scenario, "customs union"))


def check_free_trade_area(proposal: Any, scenario: Any) -> list[Issue]:
    """The trade slot, participants and phase-in years of a free-trade area."""
    return (needs_slot(scenario, "trade", "free-trade area", "ge_trade")
            + scenario_issues(proposal, scenario, "free-trade area"))


def check_accession(proposal: Any, scenario: Any) -> list[Issue]:
    """The applicant must not already be a member."""
    if scenario.statuses()[proposal.applicant] == "member":
        return [(("applicant",), (
            f"{proposal.applicant} is already a member; the applicant must be an "
            "observer, partner or other economy"))]
    return []


def check_application(proposal: Any, scenario: Any) -> list[Issue]:
    """The applicant must not be a member; commitment costs lie in [0, 1]; no sponsors.

    The decision is the applicant's own score: a proposer or co-sponsor that is the
    applicant would vote yes as a sponsor whatever its score (and only it votes).
    """
    issues = check_accession(proposal, scenario)
    for field in ("proposer", "co_sponsors"):
        value = getattr(proposal, field, None)
        if value:
            issues.append(((field,), (
                f"an application is the applicant's own decision, taken on its score; "
                f"remove {field} (a sponsor votes yes whatever its score)")))
    for code, cost in proposal.commitments.items():
        if code != proposal.applicant:
            # Only the applicant votes, on its own commitments: another's would be ignored.
            issues.append((("commitments", code), (
                f"{code} is not the applicant; only the applicant's commitment is read "
                f"(write it under {proposal.applicant}, or table an application by {code})")))
        elif not 0.0 <= cost <= 1.0:
            issues.append((("commitments", code), f"cost {cost:g} must be in [0, 1]"))
    return issues
