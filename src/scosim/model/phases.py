"""The tick order, written once, and the generic phases it runs.

Every phase works on all runs of the batch at once and is generic over proposal
types (:mod:`scosim.proposals`) and mechanisms (:mod:`scosim.model.slots`):
nothing here branches on a type's or a mechanism's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from scosim.mechanisms.axis_sums import col_sums
from scosim.mechanisms.voting import update_bad_years
from scosim.model.council import chair_of, chairs, council_phase
from scosim.model.dated_agreements import agreements_phase
from scosim.model.phase_in import phase_in_year
from scosim.model.policy import build_policy
from scosim.plugins import blame
from scosim.rules.context import DefectContext
from scosim.rules.swept import rule_proposal

if TYPE_CHECKING:
    from scosim.model.model import SCOModel

__all__ = [
    "agreements_phase",
    "chair_of",
    "chairs",
    "compliance_phase",
    "council_phase",
    "events_phase",
    "implement_phase",
    "record_phase",
    "slots_phase",
    "tick",
]


def tick(model: SCOModel, year: int) -> None:
    """Advance the model by one year.

    Phases, in this order:

    0. ``agreements``: trade agreements of the calibration entering into force by this
       year after its base year join the year's baseline (tariffs, flows, preferences;
       :mod:`scosim.model.dated_agreements`), in every scenario alike.
    1. ``events``: scheduled scenario events of the year (GDP shocks, sanctions
       that raise trade costs, border clashes and trust shocks).
    2. ``council``: the summit (:mod:`scosim.model.council`). Proposals tabled
       this year are previewed, every eligible state votes through its rule, the
       proposal's decision rule decides; under opt-in rules outsiders may join an
       arrangement in force; the chair may re-table a rejected proposal.
    3. ``implement``: adopted proposals enter into force after their
       ratification lag (an accession changes a state's status, and member-wide
       arrangements take the new member in); phase-in fractions for the year;
       then the year's policy state is built from the baseline and every
       arrangement in force.
    4. the mechanism slots, in the order of :data:`scosim.model.slots.SLOTS`:
       ``growth`` (baseline GDP path), ``security``, ``network``, ``finance``
       (empty unless a scenario fills them), ``trade`` (the GE counterfactual of
       the policy state against the base year).
    5. ``compliance``: participants of arrangements that allow exit compare
       realised gains with their exit threshold, count bad years, may defect;
       trust moves with kept commitments and defections.
    6. ``record``: indicators of the year (core, each proposal type's, each
       mechanism's).

    Args:
        model: The model (all runs of the batch).
        year: The year being simulated.
    """
    agreements_phase(model, year)
    events_phase(model, year)
    council_phase(model, year)
    implement_phase(model, year)
    slots_phase(model, year)
    compliance_phase(model, year)
    record_phase(model, year)


# --------------------------------------------------------------------- events
def events_phase(model: SCOModel, year: int) -> None:
    """Apply the scenario's events scheduled for ``year``."""
    council = model.scenario.parameters.council
    model.gdp_shock = np.zeros((model.R, model.N))
    for ev in model.scenario.events:
        if ev.year != year:
            continue
        if ev.type == "gdp_shock":
            idx = [model.codes.index(c) for c in ev.countries]
            model.gdp[:, idx] *= 1.0 + ev.size
            model.gdp_shock[:, idx] += np.log1p(ev.size)
            for c in ev.countries:
                model.log.add(None, year, "gdp_shock", c, size=ev.size)
        elif ev.type in ("trust_shock", "border_clash"):
            idx = [model.codes.index(c) for c in ev.countries]
            delta = ev.size if ev.type == "trust_shock" else -council.trust_loss * ev.severity
            for a in idx:
                for b in idx:
                    if a != b:
                        model.trust[:, a, b] = np.clip(model.trust[:, a, b] + delta, 0.0, 1.0)
            for c in ev.countries:
                model.log.add(None, year, ev.type, c, change=delta, with_=list(ev.countries))
        elif ev.type == "sanctions":
            t = model.codes.index(ev.target)
            b = model.codes.index(ev.by)
            model.cost_change[:, t, b] *= 1.0 + ev.trade_cost
            model.cost_change[:, b, t] *= 1.0 + ev.trade_cost
            model.log.add(None, year, "sanctions", ev.target, by=ev.by, trade_cost=ev.trade_cost,
                          severity=ev.severity)
        else:  # pragma: no cover - the schema admits only the types above
            raise ValueError(f"unknown event type {ev.type!r}")


# ------------------------------------------------------------------ implement
def implement_phase(model: SCOModel, year: int) -> None:
    """Bring ratified proposals into force, set phase-in fractions, build the policy state."""
    for arr in model.arrangements:
        starting = arr.adopted & (arr.entry_year == year) & ~arr.in_force
        if starting.any():
            arr.enter_into_force(model, starting, year)
        # The schedule runs from entry into force: a union adopted late starts at step one.
        arr.phase = phase_in_year(model, arr, year, arr.in_force)
    model.policy = build_policy(model)
    # One year, one state: the year's indicators describe the membership the
    # year's trade is solved with (a defector is inside in its last year).
    for arr in model.arrangements:
        arr.year_participants = arr.participants & arr.in_force[:, None]


# ---------------------------------------------------------------------- slots
def slots_phase(model: SCOModel, year: int) -> None:
    """Run the mechanism filling each slot, in slot order, on the year's policy state."""
    from scosim.model.gdp_shares import check_welfare_levers
    from scosim.model.lever_writers import run_step

    for slot, mech in model.mechanisms:
        label = f"mechanism {mech.name!r} ({slot} slot)"
        with blame(f"{label}, step of {year}", mech, "step"):
            # A lever a proposal or an earlier slot wrote, replaced unseen, or one its
            # writes_levers leaves out, stops the run (lever_writers).
            run_step(mech, mech.step, model, model.policy, year, label, year_step=True)
            check_welfare_levers(model, model.policy.levers)


# ----------------------------------------------------------------- compliance
def compliance_phase(model: SCOModel, year: int) -> None:
    """Participants judge realised gains; bad years accumulate; defections; trust."""
    council = model.scenario.parameters.council
    realised = model.welfare - 1.0
    for arr in model.arrangements:
        if not arr.exit_allowed or not arr.in_force.any():
            continue
        active = arr.participants & arr.in_force[:, None]
        arr.bad_years = update_bad_years(arr.bad_years, realised, model.exit_thresholds, active)
        leaving = np.zeros_like(active)
        # During a sweep of the proposal's fields the rules read them per run (ctx.value).
        proposal, swept = rule_proposal(arr)
        for i, code in enumerate(model.codes):
            if not active[:, i].any():
                continue
            agent = model.agents_by_code[code]
            ctx = DefectContext(
                iso3=code,
                index=i,
                year=year,
                proposal=proposal,
                codes=model.codes,
                realised=realised[:, i],
                expected=arr.expected_gain[:, i],
                threshold=agent.exit_threshold,
                bad_years=arr.bad_years[:, i],
                defection_years=council.defection_years,
                active=active[:, i],
                trust=model.trust[:, i, :],
                history=model.log,
                swept=swept,
            )
            leaving[:, i] = agent.defect(ctx) & active[:, i]
            model.log.add(
                leaving[:, i],
                year,
                "defection",
                code,
                arr.pid,
                bad_years=arr.bad_years[:, i],
                realised_gain=realised[:, i],
            )
        # Blocs leave together (a bloc member's exit takes its partners out of an
        # arrangement beyond the bloc).
        leaving = arr.together_leave(model, leaving, active, year)
        stay = active & ~leaving
        # Kept commitments build trust among those who stay; a defection costs the
        # defector the others' trust.
        pair_stay = stay[:, :, None] & stay[:, None, :]
        model.trust = np.where(
            pair_stay, model.trust + council.trust_gain * (1.0 - model.trust), model.trust
        )
        if leaving.any():  # most years nobody leaves: no pass over the (R, N, N) trust
            lost = (active & ~leaving)[:, :, None] & leaving[:, None, :]
            model.trust = np.where(lost, np.clip(model.trust - council.trust_loss, 0, 1),
                                   model.trust)
        np.einsum("rii->ri", model.trust)[...] = 1.0
        arr.participants = arr.participants & ~leaving
        arr.bad_years = np.where(leaving, 0, arr.bad_years)
        dissolved = arr.in_force & (arr.participants.sum(axis=1) < 2)
        if dissolved.any():
            arr.in_force = arr.in_force & ~dissolved
            arr.participants[dissolved] = False
            model.log.add(dissolved, year, "dissolved", "", arr.pid)


# --------------------------------------------------------------------- record
def record_phase(model: SCOModel, year: int) -> None:
    """Record the year's indicators (see docs/model.md for definitions).

    Core indicators first, then each proposal type's (types in the scenario and
    built-ins, which every results table carries), then each mechanism's.
    """
    # Union accounting follows the participants the year's trade was solved
    # with (defections take effect from the next year: docs/customs_union.md).
    policy = model.policy
    ind: dict[str, np.ndarray] = {
        "member": model.is_member().astype(float),
        "trust_received": _trust_received(model),
    }
    shape = (model.R, model.N)
    owner = dict.fromkeys(ind, "the model itself")

    def take(label: str, recorded: dict[str, np.ndarray]) -> None:
        # Validation refuses two owners of a name (scenario.outputs.ownership_issues);
        # a class changed after validation must not overwrite another's column either.
        for name in recorded:
            if name in owner:
                raise ValueError(f"{label} records {name!r}, which {owner[name]} records "
                                 "too; give the plug-in's indicator another name")
            owner[name] = label
        ind.update(recorded)

    for cls, arrangements in model.proposal_types():
        with blame(f"proposal type {cls.name!r}, record of {year}", cls, "record"):
            take(f"proposal type {cls.name!r}",
                 _declared(cls.record(model, arrangements, policy), cls, model, shape))
    for slot, mech in model.mechanisms:
        with blame(f"mechanism {mech.name!r} ({slot} slot), record of {year}", mech,
                   "record"):
            take(f"mechanism {mech.name!r} ({slot} slot)",
                 _declared(mech.record(model, policy), type(mech), model, shape))
    for name, values in ind.items():
        model.record(name, values)


def _declared(recorded: dict[str, np.ndarray], owner: Any, model: SCOModel,
              shape: tuple[int, int]) -> dict[str, np.ndarray]:
    """A plug-in's record: exactly the indicators it records in this scenario, each R x N.

    An undeclared one was written to the tables unseen (with no unit or label); a
    declared one left out went missing from the tables without a word, or, returned in
    some years only, broke the tables when the run ended; a wrong shape was reported
    without the plug-in or the shape expected.
    """
    expected = owner.recorded_indicators(model.scenario)
    if recorded.keys() != expected.keys():
        declared = owner.indicators
        if undeclared := [n for n in recorded if n not in declared]:
            raise ValueError(f"record returned {undeclared[0]!r}, which is not among its "
                             f"declared indicators ({', '.join(declared) or 'none'})")
        if extra := [n for n in recorded if n not in expected]:
            raise ValueError(f"record returned {extra[0]!r}, which its "
                             "recorded_indicators(scenario) leaves out of this scenario")
        missing = [n for n in expected if n not in recorded]
        raise ValueError(
            f"record did not return {', '.join(map(repr, missing))}: every indicator of "
            "recorded_indicators(scenario) (by default all it declares) is recorded every "
            "year; one recorded only in some scenarios is left out there by overriding "
            "recorded_indicators")
    for name, values in recorded.items():
        got = np.shape(values)
        if got != shape:
            raise ValueError(f"record returned {name!r} of shape {got}; expected {shape} "
                             "(runs x economies)")
    return recorded


def _trust_received(model: SCOModel) -> np.ndarray:
    """Mean trust the other economies place in each economy, ``(R, N)``."""
    off = ~np.eye(model.N, dtype=bool)
    return col_sums(model.trust * off) / (model.N - 1)
