"""The tick order, written once, and the phases it runs.

Every phase works on all runs of the batch at once. Security and finance
mechanisms (MODEL.md sections 5 and 6) slot in between ``implement`` and
``trade`` when they arrive; they are not stubbed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from scosim.mechanisms import customs_union as cu
from scosim.mechanisms.voting import (
    TRUST_NEUTRAL,
    UtilityTerms,
    decide,
    dominance_share,
    update_bad_years,
    utility,
)
from scosim.model.model import STATUS_CODES, WEIGHT_TERMS, Arrangement
from scosim.rules.context import DefectContext, ProposeContext, VoteContext

if TYPE_CHECKING:
    from scosim.model.model import SCOModel


def tick(model: SCOModel, year: int) -> None:
    """Advance the model by one year.

    Phases, in this order:

    1. ``events``: scheduled scenario events of the year (GDP shocks, sanctions
       that raise trade costs, border clashes and trust shocks).
    2. ``council``: the summit. Proposals tabled this year are previewed (a GE
       solve of the proposal), every eligible state votes through its rule, the
       decision rule decides; accession applications are voted on; under
       variable geometry, outsiders may ask to join an arrangement in force.
    3. ``implement``: adopted proposals enter into force after the ratification
       lag; phase-in fractions for the year; accessions take effect.
    4. ``growth``: the stochastic baseline GDP path.
    5. ``trade``: the GE counterfactual of this year's tariffs and trade costs
       against the base year, for every run at once.
    6. ``compliance``: participants compare realised gains with their exit
       threshold, count bad years, may defect; trust moves with kept
       commitments and defections.
    7. ``record``: indicators of the year.

    Args:
        model: The model (all runs of the batch).
        year: The year being simulated.
    """
    events_phase(model, year)
    council_phase(model, year)
    implement_phase(model, year)
    growth_phase(model, year)
    trade_phase(model, year)
    compliance_phase(model, year)
    record_phase(model, year)


# --------------------------------------------------------------------- events
def events_phase(model: SCOModel, year: int) -> None:
    """Apply the scenario's events scheduled for ``year``."""
    council = model.scenario.parameters.council
    for ev in model.scenario.events:
        if ev.year != year:
            continue
        if ev.type == "gdp_shock":
            idx = [model.codes.index(c) for c in ev.countries]
            model.gdp[:, idx] *= 1.0 + ev.size
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
            model.log.add(None, year, "sanctions", ev.target, by=ev.by, trade_cost=ev.trade_cost)
        else:  # pragma: no cover - the schema admits only the types above
            raise ValueError(f"unknown event type {ev.type!r}")


# -------------------------------------------------------------------- council
def chairs(model: SCOModel, year: int) -> np.ndarray:
    """Index of the member chairing the Council in ``year``, per run, ``(R,)``.

    The chair rotates every year over the members of each run (an accession in
    some runs changes the rotation there only), in alphabetical order of codes or
    in ``council.chair_order``.
    """
    order = model.scenario.parameters.council.chair_order
    member = model.is_member()
    patterns, inverse = np.unique(member, axis=0, return_inverse=True)
    out = np.empty(model.R, dtype=np.int64)
    for k, pattern in enumerate(patterns):
        members = [c for c, m in zip(model.codes, pattern, strict=True) if m]
        if not isinstance(order, str):
            listed = [c for c in order if c in members]
            members = listed + sorted(c for c in members if c not in listed)
        else:
            members = sorted(members)
        out[inverse.ravel() == k] = model.codes.index(
            members[(year - model.years[0]) % len(members)]
        )
    return out


def chair_of(model: SCOModel, year: int) -> str:
    """The chair in ``year`` of the first run of the batch (see :func:`chairs`)."""
    return model.codes[int(chairs(model, year)[0])]


def council_phase(model: SCOModel, year: int) -> None:
    """Hold the year's summit: table proposals, vote, decide; re-votes by outsiders.

    Scheduled proposals are tabled in their year. A rejected customs union may
    be tabled again by the year's chair when the chair's ``propose`` rule says
    so (endogenous proposing); the chair is then the proposer.
    """
    chair = chairs(model, year)
    for c in np.unique(chair):
        model.log.add(chair == c, year, "summit", model.codes[int(c)])
    for k, arr in enumerate(model.arrangements):
        if arr.proposal.year == year:
            if arr.kind == "customs_union":
                _table_customs_union(model, k, arr, year)
            elif arr.kind == "accession":
                _table_accession(model, k, arr, year)
            continue
        if arr.kind != "customs_union":
            continue
        if model.scenario.parameters.council.decision_rule == "variable_geometry" and (
            arr.in_force.any()
        ):
            _revote_outsiders(model, k, arr, year)
        for c in np.unique(chair):
            _maybe_retable(model, k, arr, year, int(c), chair == c)


def _maybe_retable(
    model: SCOModel, k: int, arr: Arrangement, year: int, chair: int, runs: np.ndarray
) -> None:
    """The chair of ``runs`` may table a rejected union again (its ``propose`` rule)."""
    eligible = (arr.last_vote_year >= 0) & ~arr.adopted & ~arr.in_force & runs
    if not eligible.any():
        return
    agent = model.agents_by_code[model.codes[chair]]
    ctx = ProposeContext(
        iso3=agent.iso3,
        index=agent.index,
        year=year,
        proposal=arr.proposal,
        codes=model.codes,
        eligible=eligible,
        years_since_vote=np.where(arr.last_vote_year >= 0, year - arr.last_vote_year, -1),
        last_yes_share=arr.last_yes_share,
        trust=model.trust[:, agent.index, :],
        history=model.log,
    )
    again = agent.propose(ctx) & eligible
    if again.any():
        model.log.add(
            again, year, "retabled", agent.iso3, arr.pid, rule=agent.rule_names["propose"]
        )
        _table_customs_union(model, k, arr, year, runs=again, proposer=agent.index)


def current_tariffs(model: SCOModel, exclude: Arrangement | None = None) -> np.ndarray:
    """Tariffs of this year's policy state: base tariffs with unions in force applied."""
    t = model.tariffs_base()
    for arr in model.arrangements:
        if arr.kind != "customs_union" or arr is exclude or not arr.in_force.any():
            continue
        new = cu.union_tariffs(t, _active_or_proposed(arr), arr.cet, arr.phase)
        t = np.where(arr.in_force[:, None, None], new, t)
    return t


def current_sharing(model: SCOModel) -> np.ndarray | None:
    """Revenue-sharing matrix of the unions in force (product when several)."""
    s = None
    for arr in model.arrangements:
        if arr.kind != "customs_union" or not arr.in_force.any():
            continue
        m = _sharing(model, arr, _active_or_proposed(arr))
        m = np.where(arr.in_force[:, None, None], m, np.eye(model.N))
        s = m if s is None else m @ s
    return s


def _active_or_proposed(arr: Arrangement) -> np.ndarray:
    """Participants where the arrangement is in force, else the proposed set.

    The array kernels refuse empty participant sets; runs where the arrangement
    is not in force are masked out by the caller, so any non-empty set serves.
    """
    return np.where(arr.in_force[:, None], arr.participants, arr.proposed)


def _sharing(model: SCOModel, arr: Arrangement, participants: np.ndarray) -> np.ndarray:
    p = arr.proposal
    fixed = None
    if p.revenue_sharing == "fixed":
        fixed = np.zeros(model.N)
        for code, share in p.fixed_shares.items():
            fixed[model.codes.index(code)] = share
    return cu.sharing_matrix(
        participants,
        p.revenue_sharing,
        gdp=model.gdp0,
        imports=model.imports0,
        population=model.population,
        fixed_shares=fixed,
    )


def _preview(
    model: SCOModel, arr: Arrangement, participants: np.ndarray, cet: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, Any]:
    """GE preview of ``arr`` fully in force among ``participants``.

    Returns:
        ``(gain (R, N), cet (R,), result)``: gains relative to this year's
        policy state (fractions), the CET the rule gives, and the GE result.
    """
    base = current_tariffs(model, exclude=arr)
    if cet is None:
        cet = cu.cet_rate(model.mfn, model.imports0, participants, arr.proposal.cet)
    new = cu.union_tariffs(base, participants, cet, np.ones(model.R))
    s = _sharing(model, arr, participants)
    other = current_sharing(model)
    if other is not None:
        s = s @ other
    res = model.solve(new, revenue_sharing=s)
    gain = res.welfare_change / _welfare_now(model) - 1.0
    return gain, cet, res


def _welfare_now(model: SCOModel) -> np.ndarray:
    """Welfare of this year's policy state before the summit decides, ``(R, N)``.

    Solved once per year: this year's events (sanctions) may have moved trade
    costs since last year's trade phase, and a preview must compare like with like.
    """
    if model.welfare_now_year != model.year:
        res = model.solve(current_tariffs(model), revenue_sharing=current_sharing(model))
        model.welfare_now = res.welfare_change
        model.welfare_now_year = model.year
    return model.welfare_now


def _terms(
    model: SCOModel, arr: Arrangement, gain: np.ndarray, participants: np.ndarray
) -> UtilityTerms:
    depth = float(getattr(arr.proposal, "depth", 0.0))
    proposer = arr.proposer
    # Trust of every state in this run's proposer (none: neutral).
    trust = np.take_along_axis(model.trust, np.maximum(proposer, 0)[:, None, None], axis=2)[..., 0]
    trust = np.where(proposer[:, None] >= 0, trust - TRUST_NEUTRAL, 0.0)
    return UtilityTerms(
        econ=gain,
        sovereignty=np.full((model.R, model.N), depth),
        trust=trust,
        dominance=dominance_share(gain, model.expenditure0, participants, model.gdp0),
        security=np.zeros((model.R, model.N)),
    )


def _collect_votes(
    model: SCOModel,
    k: int,
    arr: Arrangement,
    year: int,
    terms: UtilityTerms,
    voters: np.ndarray,
    participants: np.ndarray,
    gain: np.ndarray,
    preview: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Ask every eligible state's vote rule; log each vote. Returns (votes, utility)."""
    u = utility(terms, model.weight_arrays)
    noise = model.council_z[:, k, model.year_index(year), :] * model.vote_noise[:, None]
    votes = np.zeros((model.R, model.N), dtype=bool)
    td = terms.as_dict()
    for i, code in enumerate(model.codes):
        if not voters[:, i].any():
            continue
        agent = model.agents_by_code[code]
        ctx = VoteContext(
            iso3=code,
            index=i,
            year=year,
            proposal=arr.proposal,
            codes=model.codes,
            terms={n: v[:, i] for n, v in td.items()},
            weights={t: agent.weights[t] for t in WEIGHT_TERMS},
            utility=u[:, i],
            noise=noise[:, i],
            gains=gain,
            participants=participants,
            trust=model.trust[:, i, :],
            preview=preview,
            history=model.log,
        )
        votes[:, i] = agent.vote(ctx) & voters[:, i]
        model.log.add(
            voters[:, i],
            year,
            "vote",
            code,
            arr.pid,
            yes=votes[:, i],
            rule=agent.rule_names["vote"],
            utility=u[:, i] + noise[:, i],
            noise=noise[:, i],
            **{f"term_{n}": v[:, i] for n, v in td.items()},
            # Signed, weighted contributions: they add up to utility - noise.
            **{
                f"contrib_{n}": SIGNS[n] * model.weight_arrays[n][:, i] * v[:, i]
                for n, v in td.items()
            },
        )
    return votes, u + noise


#: Sign of each term in the score (MODEL.md section 3): costs and concerns subtract.
SIGNS: dict[str, float] = {
    "econ": 1.0,
    "sovereignty": -1.0,
    "trust": 1.0,
    "dominance": -1.0,
    "security": 1.0,
}


def _log_decision(
    model: SCOModel,
    arr: Arrangement,
    year: int,
    votes: np.ndarray,
    voters: np.ndarray,
    adopted: np.ndarray,
    terms: UtilityTerms,
    runs: np.ndarray | None = None,
) -> None:
    rule = model.scenario.parameters.council.decision_rule
    runs = np.ones(model.R, dtype=bool) if runs is None else runs
    td = terms.as_dict()
    no = voters & ~votes
    for i, code in enumerate(model.codes):
        if rule == "consensus" and no[:, i].any():
            # Under consensus every no is a veto; log the vetoing state's reasons.
            model.log.add(
                no[:, i],
                year,
                "veto",
                code,
                arr.pid,
                **{f"term_{n}": v[:, i] for n, v in td.items()},
            )
            others = np.arange(model.N) != i
            model.trust[:, others, i] = np.where(
                no[:, i : i + 1],
                np.clip(
                    model.trust[:, others, i] - model.scenario.parameters.council.trust_loss, 0, 1
                ),
                model.trust[:, others, i],
            )
    model.log.add(adopted, year, "adopted", "", arr.pid, n_participants=arr.participants.sum(1))
    model.log.add(~adopted & runs, year, "rejected", "", arr.pid, n_no=no.sum(axis=1))


def _table_customs_union(
    model: SCOModel,
    k: int,
    arr: Arrangement,
    year: int,
    *,
    runs: np.ndarray | None = None,
    proposer: int | None = None,
) -> None:
    """Preview, vote and decide a customs union in ``runs`` (default: every run)."""
    sc = model.scenario
    council = sc.parameters.council
    mask = np.ones(model.R, dtype=bool) if runs is None else runs
    proposed_rn = _proposed_participants(model, arr)
    arr.proposed = proposed_rn
    if proposer is not None:
        arr.proposer = np.where(mask, proposer, arr.proposer)
    gain, cet, res = _preview(model, arr, proposed_rn)
    terms = _terms(model, arr, gain, proposed_rn)
    preview = {
        "welfare_change": res.welfare_change,
        "cet": np.broadcast_to(cet[:, None], gain.shape),
    }
    voters = proposed_rn & mask[:, None]
    votes, _ = _collect_votes(model, k, arr, year, terms, voters, proposed_rn, gain, preview)
    adopted, participants = decide(
        votes, voters, council.decision_rule, threshold=council.qualified_majority
    )
    if council.decision_rule == "variable_geometry" and adopted.any():
        # The willing go ahead: the CET and gains are those of the smaller union.
        # Runs where it failed keep the full proposal in the preview (any non-empty
        # set will do: their results are discarded below).
        willing = np.where(adopted[:, None], participants, proposed_rn)
        gain2, cet2, _ = _preview(model, arr, willing)
        gain = np.where(adopted[:, None], gain2, gain)
        cet = np.where(adopted, cet2, cet)
    n_voters = np.maximum(voters.sum(axis=1), 1)
    arr.last_vote_year = np.where(mask, year, arr.last_vote_year)
    arr.last_yes_share = np.where(mask, (votes & voters).sum(axis=1) / n_voters, arr.last_yes_share)
    arr.adopted = np.where(mask, adopted, arr.adopted)
    arr.participants = np.where(mask[:, None], participants, arr.participants)
    arr.cet = np.where(mask, cet, arr.cet)
    arr.expected_gain = np.where(
        mask[:, None], np.where(participants, gain, 0.0), arr.expected_gain
    )
    arr.entry_year = np.where(
        mask, np.where(adopted, year + council.ratification_lag, -1), arr.entry_year
    )
    _log_decision(model, arr, year, votes & mask[:, None], voters, adopted & mask, terms, mask)


def _proposed_participants(model: SCOModel, arr: Arrangement) -> np.ndarray:
    """Who the proposal invites, ``(R, N)``, with statuses as they are in each run now.

    ``members`` and ``members_and_observers`` are read when the proposal is
    tabled, so a state that acceded earlier in the run is invited too.
    """
    parts = arr.proposal.participants
    if parts == "members":
        return model.is_member().copy()
    if parts == "members_and_observers":
        return model.status >= STATUS_CODES["observer"]
    listed = np.zeros(model.N, dtype=bool)
    listed[[model.codes.index(c) for c in parts]] = True
    return np.broadcast_to(listed, (model.R, model.N)).copy()


def _revote_outsiders(model: SCOModel, k: int, arr: Arrangement, year: int) -> None:
    outsiders = arr.proposed & ~arr.participants & arr.in_force[:, None]
    if not outsiders.any():
        return
    # One preview with every outsider joining at once: each outsider judges its
    # own gain from that enlarged union (cheaper than one solve per outsider).
    # Runs where the union is not in force preview the proposed set (discarded).
    enlarged = np.where(arr.in_force[:, None], arr.participants | outsiders, arr.proposed)
    # Joiners accept the union's negotiated CET rather than reopening it.
    gain, _, res = _preview(model, arr, enlarged, cet=arr.cet)
    terms = _terms(model, arr, gain, enlarged)
    preview = {"welfare_change": res.welfare_change}
    votes, _ = _collect_votes(model, k, arr, year, terms, outsiders, enlarged, gain, preview)
    joiners = votes & outsiders
    if joiners.any():
        arr.participants = arr.participants | joiners
        arr.expected_gain = np.where(joiners, gain, arr.expected_gain)
        for i, code in enumerate(model.codes):
            model.log.add(joiners[:, i], year, "joined", code, arr.pid)


def _table_accession(model: SCOModel, k: int, arr: Arrangement, year: int) -> None:
    council = model.scenario.parameters.council
    app = model.codes.index(arr.proposal.applicant)
    voters = model.is_member() & (np.arange(model.N) != app)
    eligible_app = model.status[:, app] != STATUS_CODES["member"]
    voters &= eligible_app[:, None]
    zeros = np.zeros((model.R, model.N))
    gain = _accession_gain(model, app)
    terms = UtilityTerms(
        econ=gain,
        sovereignty=zeros,
        trust=model.trust[:, :, app] - TRUST_NEUTRAL,
        dominance=zeros,
        security=zeros,
    )
    participants = voters.copy()
    participants[:, app] = True
    model.log.add(eligible_app, year, "application", model.codes[app], arr.pid)
    votes, _ = _collect_votes(model, k, arr, year, terms, voters, participants, gain, {})
    adopted, _ = decide(votes, voters, council.decision_rule, threshold=council.qualified_majority)
    if council.decision_rule == "variable_geometry":
        # Membership is all or nothing: variable geometry falls back to a majority.
        adopted, _ = decide(votes, voters, "qualified_majority", threshold=0.5 + 1e-9)
    adopted &= eligible_app
    arr.adopted = adopted
    arr.entry_year = np.where(adopted, year + 1, -1)
    arr.extra["applicant"] = app
    _log_decision(model, arr, year, votes, voters, adopted, terms)


def _accession_gain(model: SCOModel, app: int) -> np.ndarray:
    """Each economy's expected gain from the applicant joining, ``(R, N)``.

    A new member joins the customs unions open to all members (with their
    tariffs and obligations), so where such a union is in force the gain is a
    GE preview of the union enlarged by the applicant, at the negotiated CET.
    Without one, membership has no trade effect in the model and the gain is 0.
    Under variable geometry the new member is only invited, so the gain is 0 too.
    """
    gain = np.zeros((model.R, model.N))
    if model.scenario.parameters.council.decision_rule == "variable_geometry":
        return gain
    for arr in model.arrangements:
        if arr.kind != "customs_union" or not arr.in_force.any():
            continue
        if arr.proposal.participants not in ("members", "members_and_observers"):
            continue
        joining = arr.participants.copy()
        joining[:, app] = True
        enlarged = np.where(arr.in_force[:, None], joining, arr.proposed)
        g, _, _ = _preview(model, arr, enlarged, cet=arr.cet)
        # The first member-wide union in force counts; runs without one gain nothing.
        return np.where(arr.in_force[:, None], g, 0.0)
    return gain


# ------------------------------------------------------------------ implement
def implement_phase(model: SCOModel, year: int) -> None:
    """Bring ratified proposals into force, set phase-in fractions, apply accessions."""
    for arr in model.arrangements:
        starting = arr.adopted & (arr.entry_year == year) & ~arr.in_force
        if arr.kind == "accession":
            if starting.any():
                app = arr.extra["applicant"]
                model.status[starting, app] = STATUS_CODES["member"]
                model.log.add(starting, year, "accession", model.codes[app], arr.pid)
                _join_member_unions(model, starting, app, year)
                arr.in_force |= starting
            continue
        if starting.any():
            arr.in_force |= starting
            for i, code in enumerate(model.codes):
                model.log.add(starting & arr.participants[:, i], year, "in_force", code, arr.pid)
        phase_in = arr.proposal.phase_in
        frac = 1.0 if phase_in is None else float(phase_in.at(year))
        arr.phase = np.where(arr.in_force, frac, 0.0)


def _join_member_unions(model: SCOModel, runs: np.ndarray, app: int, year: int) -> None:
    """A new member joins unions open to all members, with their tariffs and obligations."""
    for arr in model.arrangements:
        if arr.kind != "customs_union":
            continue
        if arr.proposal.participants not in ("members", "members_and_observers"):
            continue
        pending = arr.adopted & ~arr.in_force & (arr.entry_year >= year)
        joining = runs & (arr.in_force | pending) & ~arr.participants[:, app]
        if not joining.any():
            continue
        arr.proposed[joining, app] = True
        if model.scenario.parameters.council.decision_rule == "variable_geometry":
            # Under variable geometry membership of the SCO is an invitation, not an
            # obligation: the new member may join at a later summit, like others.
            continue
        arr.participants[joining, app] = True
        model.log.add(joining, year, "joined", model.codes[app], arr.pid)


# --------------------------------------------------------------------- growth
def growth_phase(model: SCOModel, year: int) -> None:
    """Baseline GDP path: log growth = trend + volatility * shock (nominal US$)."""
    t = model.year_index(year)
    z = model.growth_z[:, t, :]
    trend, scale = model.growth_parameters(year)
    g = trend + model.vol * scale[:, None] * z
    model.gdp *= np.exp(g)


# ---------------------------------------------------------------------- trade
def trade_phase(model: SCOModel, year: int) -> None:
    """Solve the GE counterfactual of this year's policy state against the base year."""
    new = current_tariffs(model)
    s = current_sharing(model)
    model.tariffs = new
    model.ge = model.solve(new, revenue_sharing=s)
    model.welfare = model.ge.welfare_change
    model.real_gdp_change = model.ge.real_gdp_change


# ----------------------------------------------------------------- compliance
def compliance_phase(model: SCOModel, year: int) -> None:
    """Participants judge realised gains; bad years accumulate; defections; trust."""
    council = model.scenario.parameters.council
    realised = model.welfare - 1.0
    for arr in model.arrangements:
        if arr.kind != "customs_union" or not arr.in_force.any():
            continue
        active = arr.participants & arr.in_force[:, None]
        arr.bad_years = update_bad_years(arr.bad_years, realised, model.exit_thresholds, active)
        leaving = np.zeros_like(active)
        for i, code in enumerate(model.codes):
            if not active[:, i].any():
                continue
            agent = model.agents_by_code[code]
            ctx = DefectContext(
                iso3=code,
                index=i,
                year=year,
                proposal=arr.proposal,
                codes=model.codes,
                realised=realised[:, i],
                expected=arr.expected_gain[:, i],
                threshold=agent.exit_threshold,
                bad_years=arr.bad_years[:, i],
                defection_years=council.defection_years,
                active=active[:, i],
                trust=model.trust[:, i, :],
                history=model.log,
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
        stay = active & ~leaving
        # Kept commitments build trust among those who stay; a defection costs the
        # defector the others' trust.
        pair_stay = stay[:, :, None] & stay[:, None, :]
        model.trust = np.where(
            pair_stay, model.trust + council.trust_gain * (1.0 - model.trust), model.trust
        )
        lost = (active & ~leaving)[:, :, None] & leaving[:, None, :]
        model.trust = np.where(lost, np.clip(model.trust - council.trust_loss, 0, 1), model.trust)
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
    """Record the year's indicators (see docs/model.md for definitions)."""
    ge = model.ge
    in_union = np.zeros((model.R, model.N), dtype=bool)
    # Union accounting (intra-union trade, creation, diversion) follows, in each
    # run, the first customs union in force there.
    union = np.zeros((model.R, model.N), dtype=bool)
    taken = np.zeros(model.R, dtype=bool)
    for arr in model.arrangements:
        if arr.kind == "customs_union":
            part = arr.participants & arr.in_force[:, None]
            in_union |= part
            first = arr.in_force & ~taken
            union = np.where(first[:, None], part, union)
            taken |= arr.in_force
    ind: dict[str, np.ndarray] = {
        "gdp_usd": model.gdp * model.real_gdp_change,
        "gdp_baseline_path_usd": model.gdp.copy(),
        "welfare_change_pct": (model.welfare - 1.0) * 100.0,
        "real_gdp_change_pct": (model.real_gdp_change - 1.0) * 100.0,
        "member": model.is_member().astype(float),
        "in_customs_union": in_union.astype(float),
        "trust_received": _trust_received(model),
    }
    extra = cu.union_indicators(
        np.broadcast_to(model.flows0, (model.R, model.N, model.N)),
        ge,
        union,
        np.broadcast_to(model.tau0, (model.R, model.N, model.N)),
        model.tariffs,
    )
    for name, reported in REPORTED_TRADE_INDICATORS.items():
        ind[reported] = np.asarray(extra[name], dtype=float)
    for name, values in ind.items():
        model.record(name, values)


def _trust_received(model: SCOModel) -> np.ndarray:
    """Mean trust the other economies place in each economy, ``(R, N)``."""
    off = ~np.eye(model.N, dtype=bool)
    return (model.trust * off).sum(axis=1) / (model.N - 1)


#: Indicators taken from the customs-union accounting (docs/customs_union.md),
#: renamed so that money values say their unit (US$, base-year prices).
REPORTED_TRADE_INDICATORS: dict[str, str] = {
    "exports": "exports_usd",
    "imports": "imports_usd",
    "exports_change_pct": "exports_change_pct",
    "imports_change_pct": "imports_change_pct",
    "intra_union_imports": "intra_union_imports_usd",
    "intra_union_share": "intra_union_share",
    "trade_creation": "trade_creation_usd",
    "trade_diversion": "trade_diversion_usd",
    "tariff_revenue_before": "tariff_revenue_before_usd",
    "tariff_revenue_collected": "tariff_revenue_collected_usd",
    "tariff_revenue_after_sharing": "tariff_revenue_after_sharing_usd",
    "terms_of_trade_change_pct": "terms_of_trade_change_pct",
}
