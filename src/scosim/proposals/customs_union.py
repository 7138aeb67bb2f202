"""Customs union (Karagulov, seed 000): free trade inside, a common external tariff.

The economics are the pure kernels of :mod:`scosim.mechanisms.customs_union`
(CET rule, phased union tariffs, revenue-sharing matrix, union accounting);
this module only says how the proposal plugs into the Council and the policy
state. Default decision rule: consensus (SCO Charter art. 16; a common external
tariff binds every participant's trade policy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import BeforeValidator, Field, model_validator
from typing_extensions import override

from scosim.mechanisms import customs_union as cu
from scosim.model.events import EventField
from scosim.proposals import register_type
from scosim.proposals.base import ProposalSpec, ProposalType
from scosim.scenario.schema import (
    Issues,
    Participants,
    State,
    YearValue,
    _yv_check,
    check_cet,
)

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState

Issue = tuple[tuple[str | int, ...], str]


class CustomsUnionProposal(ProposalSpec):
    """Customs union (Karagulov, seed 000): free trade inside, common external tariff."""

    type: Literal["customs_union"]
    proposer: State
    participants: Participants = "members"
    cet: Annotated[str | float, BeforeValidator(check_cet)] = "weighted_mean"
    revenue_sharing: Literal["collected", "gdp", "imports", "population", "fixed"] = "collected"
    fixed_shares: dict[State, float] | None = None
    phase_in: YearValue | None = None
    depth: float = Field(0.6, ge=0, le=1)
    replace_preferences: bool = Field(
        False,
        description="the CET replaces participants' preferences with non-participants "
        "(False: a preference in force is kept where it is below the CET)",
    )

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
            issues.append((("fixed_shares",), f"shares sum to {total:.6g}; they must sum to 1"))
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
    """Checks of a union-like spec against the scenario (participants, years)."""
    issues: list[Issue] = []
    parts = scenario.participants_of(p)
    if len(parts) < 2:
        issues.append((("participants",), f"a {what} needs at least 2 participants, got {parts}"))
    for code in getattr(p, "fixed_shares", None) or {}:
        if code not in parts:
            issues.append((("fixed_shares", code), (
                f"{code} is not a participant of {p.id!r}; participants: {', '.join(parts)}")))
    if p.phase_in is not None:
        yrs = scenario.years
        for y in p.phase_in.years:
            if y not in yrs:
                issues.append((("phase_in", y), f"phase-in year {y} is outside the simulated "
                               f"years {yrs.start}-{yrs.end}"))
    return issues


class BlocAware(ProposalType):
    """Existing customs unions (EAEU, GCC) take part as blocs.

    Rule (docs/customs_union.md, "Blocs and agreements in force"): a bloc is the
    set of economies linked by a customs union in force in the calibration's base
    year. When any member of a bloc is invited, the whole bloc is invited (its
    trade policy is a bloc competence); the bloc says yes only if every member
    does (its members' combined decision is unanimity: one no keeps the whole
    bloc out); it joins later together, and when one member leaves the whole
    bloc leaves. Each such extension and exit is logged.
    """

    event_fields = {
        "bloc": EventField("str", "bloc_invited: the bloc's members, space-separated"),
    }

    def __init__(self, model: SCOModel, proposal: Any) -> None:
        super().__init__(model, proposal)
        cal = model.cal
        spells = getattr(cal, "agreement_spells", None)
        self.blocs = cu.customs_union_blocs(spells, model.codes, int(cal.base_year))
        self.preferences = cu.preference_pairs(spells, model.codes, int(cal.base_year))

    @override
    def invitees(self, model: SCOModel) -> np.ndarray:
        invited = super().invitees(model)
        return cu.blocs_move_together(invited, self.blocs, "any")

    @override
    def on_tabled(self, model: SCOModel, runs: np.ndarray, year: int) -> None:
        asked = super().invitees(model)
        for g in self.blocs:
            partial = runs & asked[:, g].any(axis=1) & ~asked[:, g].all(axis=1)
            for k in g:
                model.log.add(partial & ~asked[:, k], year, "bloc_invited", model.codes[k],
                              self.pid, bloc=" ".join(model.codes[j] for j in g))
        if getattr(self.proposal, "replace_preferences", False):
            # The CET would override preferences in force with non-participants.
            p = cu.blocs_move_together(asked, self.blocs, "any")
            broken = p[:, None, :] & ~p[:, :, None] & self.preferences[None]
            for k, code in enumerate(model.codes):
                hit = runs & broken[:, :, k].any(axis=1)
                model.log.add(hit, year, "breaks_agreement", code, self.pid)

    @override
    def together(
        self, model: SCOModel, votes: np.ndarray, voters: np.ndarray, year: int
    ) -> np.ndarray:
        # Bloc members that do not vote here do not block the others.
        return cu.blocs_move_together(votes | ~voters, self.blocs, "all") & votes

    @override
    def together_leave(
        self, model: SCOModel, leaving: np.ndarray, active: np.ndarray, year: int
    ) -> np.ndarray:
        out = cu.blocs_move_together(leaving, self.blocs, "any") & active
        for k, code in enumerate(model.codes):
            model.log.add(out[:, k] & ~leaving[:, k], year, "bloc_exit", code, self.pid)
        return out


@register_type
class CustomsUnion(BlocAware):
    """Zero tariffs among participants, a common external tariff, pooled revenue.

    Existing customs unions take part as blocs and preferences in force with
    non-participants are kept unless ``replace_preferences`` (see :class:`BlocAware`).

    Negotiated term: ``cet`` (R,), set by the spec's CET rule over the
    participants' MFN tariffs (``countries.tariff_mfn``) at the vote. Indicator:
    ``in_customs_union`` (1 for participants of any union in force). The union
    forms the accounting bloc of the trade indicators (first union in force).
    """

    name = "customs_union"
    spec = CustomsUnionProposal
    default_decision_rule = "consensus"
    indicators = {"in_customs_union": "share of runs"}
    record_always = True

    @override
    @classmethod
    def check(cls, proposal: Any, scenario: Any) -> list[Issue]:
        return scenario_issues(proposal, scenario, "customs union")

    @override
    def negotiate(self, model: SCOModel, participants: np.ndarray) -> dict[str, np.ndarray]:
        return {"cet": cu.cet_rate(model.mfn, model.imports0, participants, self.proposal.cet)}

    @override
    def apply(
        self,
        policy: PolicyState,
        participants: np.ndarray,
        phase: np.ndarray,
        active: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> None:
        terms = self.terms if terms is None else terms
        keep = None if self.proposal.replace_preferences else self.preferences
        new = cu.union_tariffs(policy.tariffs, participants, terms["cet"], phase, keep=keep)
        policy.set_tariffs(new, active)
        policy.share_revenue(self._sharing(participants), active)
        policy.claim_bloc(participants, active)

    def _sharing(self, participants: np.ndarray) -> np.ndarray:
        p = self.proposal
        m = self._model_vectors
        fixed = None
        if p.revenue_sharing == "fixed":
            fixed = np.zeros(len(m["codes"]))
            for code, share in p.fixed_shares.items():
                fixed[m["codes"].index(code)] = share
        return cu.sharing_matrix(
            participants,
            p.revenue_sharing,
            gdp=m["gdp"],
            imports=m["imports"],
            population=m["population"],
            fixed_shares=fixed,
        )

    def __init__(self, model: SCOModel, proposal: Any) -> None:
        super().__init__(model, proposal)
        self.terms = {"cet": np.zeros(model.R)}
        # Base-year vectors the sharing rules read (kept so apply() needs no model).
        self._model_vectors = {
            "codes": list(model.codes),
            "gdp": model.gdp0,
            "imports": model.imports0,
            "population": model.population,
        }

    @override
    @classmethod
    def record(
        cls, model: SCOModel, arrangements: list[ProposalType], policy: PolicyState
    ) -> dict[str, np.ndarray]:
        in_union = np.zeros((model.R, model.N), dtype=bool)
        for arr in arrangements:
            in_union |= arr.year_participants
        return {"in_customs_union": in_union.astype(float)}
