"""The Council, generic over proposal types.

Table -> voters -> preview -> score -> vote -> decide -> adopt -> log.

Nothing here knows a proposal type by name: everything type-specific is asked of
the proposal object through the protocol of :mod:`scosim.proposals.base`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from scosim.mechanisms.voting import (
    TRUST_NEUTRAL,
    UtilityTerms,
    dominance_gap,
    leader_share,
    noise_scale,
    utility,
)
from scosim.model.council_decision import check_preview, checked, decide_votes, log_decision
from scosim.model.phase_in import ratification_lag
from scosim.model.policy import preview_policy
from scosim.proposals.base import Preview, ProposalType
from scosim.rules.context import ProposeContext, VoteContext
from scosim.rules.swept import rule_proposal

if TYPE_CHECKING:
    from scosim.model.model import SCOModel

__all__ = ["SIGNS", "chair_of", "chairs", "council_phase", "income_now", "table",
           "welfare_now"]

#: Sign of each term in the score (MODEL.md section 3): costs and concerns subtract.
SIGNS: dict[str, float] = {
    "econ": 1.0,
    "sovereignty": -1.0,
    "trust": 1.0,
    "dominance": -1.0,
    "security": 1.0,
}


def chairs(model: SCOModel, year: int) -> np.ndarray:
    """Index of the member chairing the Council in ``year``, per run, ``(R,)``.

    The chair rotates every year over the members of each run (an accession in
    some runs changes the rotation there only), in alphabetical order of codes or
    in ``council.chair_order``.
    """
    order = model.scenario.parameters.council.chair_order
    member = model.is_member()
    if (member == member[:1]).all():
        # Most years every run has the same members; np.unique over rows sorts them
        # (2 ms a year at 250 runs).
        patterns, inverse = member[:1], np.zeros(len(member), dtype=np.intp)
    else:
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
    """Hold the year's summit: table proposals, vote, decide; outsiders may opt in.

    Scheduled proposals are tabled in their year. Under an opt-in rule
    (variable geometry, interested members) outsiders may join an arrangement in
    force. A rejected proposal may be tabled again by the year's chair when the
    chair's ``propose`` rule says so (and the type allows it); the chair is then
    the proposer.
    """
    chair = chairs(model, year)
    for c in np.unique(chair):
        model.log.add(chair == c, year, "summit", model.codes[int(c)])
    for arr in model.arrangements:
        if arr.proposal.year == year:
            table(model, arr, year)
            continue
        if arr.opt_in and arr.in_force.any():
            _revote_outsiders(model, arr, year)
        if arr.retable:
            for c in np.unique(chair):
                _maybe_retable(model, arr, year, int(c), chair == c)


def welfare_now(model: SCOModel) -> np.ndarray:
    """Welfare of this year's policy state before the summit decides, ``(R, N)``.

    Solved once per year: this year's events (sanctions) may have moved trade
    costs since last year's trade phase, and a preview must compare like with like.
    The trade-cost factors the slots will apply this year are included
    (:func:`scosim.model.policy.preview_policy` with ``costs=True``), as in the
    preview's own solve.
    """
    if model.welfare_now_year != model.year:
        from scosim.model.policy import lever_income

        policy = preview_policy(model, costs=True)
        model.welfare_now_ge = model.solve_policy(policy)
        # What the arrangements wrote into the welfare levers (income_now's cheap case).
        model.welfare_now_income = lever_income(policy)
        model.welfare_now = model.welfare_now_ge.welfare_change
        model.welfare_now_year = model.year
    return model.welfare_now


def income_now(model: SCOModel) -> np.ndarray | float:
    """``1 + income x GDP / E'`` of this year's policy state before the summit decides.

    The net income the trade step would count this year
    (:func:`scosim.model.policy.preview_net_income`: the arrangements' welfare levers
    plus what the slots' mechanisms would add) at the GE of :func:`welfare_now`; 1.0
    when there is none.
    """
    from scosim.model.gdp_shares import income_factor
    from scosim.model.policy import preview_net_income
    from scosim.model.slots import Mechanism

    welfare_now(model)
    if all(type(m).preview_income is Mechanism.preview_income for _, m in model.mechanisms):
        return income_factor(model, model.welfare_now_ge, model.welfare_now_income)
    return income_factor(model, model.welfare_now_ge,
                         preview_net_income(model, preview_policy(model)))


def table(
    model: SCOModel,
    arr: ProposalType,
    year: int,
    *,
    runs: np.ndarray | None = None,
    proposer: int | None = None,
) -> None:
    """Preview, vote and decide ``arr`` in ``runs`` (default: every run where it can be tabled)."""
    from scosim.plugins import blame

    # A type's own code named in its errors (the built-in types' too): before, an error
    # here, or a preview of the wrong kind, named nothing the scenario wrote.
    with blame(f"proposal type {arr.name!r} (proposal {arr.pid!r}), tabled in {year}", arr):
        mask = np.asarray(arr.eligible_runs(model), dtype=bool)
        if runs is not None:
            mask = mask & runs
        invited = checked(arr.invitees(model), (model.R, model.N), "invitees")
        arr.proposed = invited
        if proposer is not None:
            arr.proposer = np.where(mask, proposer, arr.proposer)
        arr.on_tabled(model, mask, year)
        voters = checked(arr.voters(model, invited), (model.R, model.N), "voters")
        voters = voters & mask[:, None]
        pv = arr.preview(model, invited)
        check_preview(pv, voters)
    terms = _terms(model, arr, pv, invited)
    votes = _collect_votes(model, arr, year, terms, voters, invited, pv)
    adopted, participants, score = decide_votes(model, arr, year, votes, voters)
    # A decision whose timing the votes leave open (an application's yearly hazard) is
    # acted on in some of its runs only.
    adopted = adopted & np.asarray(arr.acted_on(model, adopted, year), dtype=bool)
    participants = participants & adopted[:, None]
    # Blocs that take part as one (e.g. a customs union in force) are in only if
    # all their members are; each member's vote still counts in the Council.
    combined = arr.together(model, participants, voters, year)
    shrunk = (combined != participants).any(axis=1)
    adopted &= ~shrunk | (combined.sum(axis=1) >= 2)
    participants = combined & adopted[:, None]
    objectors = np.zeros_like(voters)
    if arr.decider.opt_in and adopted.any():
        # The willing go ahead only in a group each of them still wants: terms and
        # gains are those of the smaller group.
        participants, pv2 = _confirm(model, arr, year, np.zeros_like(participants),
                                     participants, voters, invited, min_size=2,
                                     asked_about=(invited, pv))
        adopted &= participants.any(axis=1)
        willing = np.where(adopted[:, None], participants, invited)
        if arr.decider.consent:
            outsiders = voters & ~participants & adopted[:, None]
            objectors = _objections(model, arr, year, pv2, outsiders, willing)
            adopted &= ~objectors.any(axis=1)
            participants &= adopted[:, None]
        pv.gain = np.where(adopted[:, None], pv2.gain, pv.gain)
        for k, v in pv2.terms.items():
            pv.terms[k] = np.where(adopted, v, pv.terms[k])
    n_voters = np.maximum(voters.sum(axis=1), 1)
    arr.last_vote_year = np.where(mask, year, arr.last_vote_year)
    arr.last_yes_share = np.where(mask, (votes & voters).sum(axis=1) / n_voters, arr.last_yes_share)
    arr.adopted = np.where(mask, adopted, arr.adopted)
    arr.participants = np.where(mask[:, None], participants, arr.participants)
    for k, v in pv.terms.items():
        arr.terms[k] = np.where(mask, v, arr.terms.get(k, np.zeros(model.R)))
    arr.expected_gain = np.where(
        mask[:, None], np.where(participants, pv.gain, 0.0), arr.expected_gain
    )
    lag = ratification_lag(model, arr)
    arr.entry_year = np.where(mask, np.where(adopted, year + lag, -1), arr.entry_year)
    log_decision(model, arr, year, votes & mask[:, None], voters, adopted & mask, terms, mask,
                 objectors, score)


def _terms(
    model: SCOModel, arr: ProposalType, pv: Preview, participants: np.ndarray
) -> UtilityTerms:
    """The Council's default utility terms, overridden by the preview's ``scores``."""
    # A type that lists depth in `sweepable` has it per run (a sweep varies it by run).
    depth = (arr.value("depth")[:, None] if "depth" in arr.sweepable
             else float(getattr(arr.proposal, "depth", 0.0)))
    proposer = arr.proposer
    # Trust of every state in this run's proposer (none: neutral).
    trust = np.take_along_axis(model.trust, np.maximum(proposer, 0)[:, None, None], axis=2)[..., 0]
    trust = np.where(proposer[:, None] >= 0, trust - TRUST_NEUTRAL, 0.0)
    defaults = {
        "econ": pv.gain,
        "sovereignty": np.broadcast_to(np.asarray(depth, float), (model.R, model.N)).copy(),
        "trust": trust,
        "dominance": dominance_gap(pv.gain, participants, model.gdp0),
        "security": np.zeros((model.R, model.N)),
    }
    defaults.update(pv.scores)
    return UtilityTerms(**defaults)


def _sponsors(model: SCOModel, arr: ProposalType) -> np.ndarray:
    """``(R, N)`` bool: the proposer and co-sponsors of ``arr`` in each run."""
    out = np.broadcast_to(arr.co_sponsors, (model.R, model.N)).copy()
    has = arr.proposer >= 0
    out[np.flatnonzero(has), arr.proposer[has]] = True
    return out


def _collect_votes(
    model: SCOModel,
    arr: ProposalType,
    year: int,
    terms: UtilityTerms,
    voters: np.ndarray,
    participants: np.ndarray,
    pv: Preview,
    event: str | None = "vote",
    sponsored: bool = True,
) -> np.ndarray:
    """Ask every eligible state's vote rule; log each as ``event`` (None: not logged).

    ``sponsored``: whether the proposer and co-sponsors count as sponsors (they do when the
    proposal is tabled; not when outsiders are asked again to join one in force).

    Returns ``votes (R, N)``.
    """
    u = utility(terms, model.weight_arrays)
    scale = noise_scale(terms, model.weight_arrays)
    z = model.council_noise(arr.pid, year)
    noise = z * model.vote_noise[:, None] * scale
    sponsors = (_sponsors(model, arr) if sponsored
                else np.zeros((model.R, model.N), dtype=bool))
    votes = np.zeros((model.R, model.N), dtype=bool)
    td = terms.as_dict()
    info = {"leader_share": leader_share(pv.gain, model.expenditure0, participants, model.gdp0),
            **pv.info}
    # During a sweep of the proposal's fields the rules read them per run (ctx.value).
    proposal, swept = rule_proposal(arr)
    for i, code in enumerate(model.codes):
        if not voters[:, i].any():
            continue
        agent = model.agents_by_code[code]
        ctx = VoteContext(
            iso3=code,
            index=i,
            year=year,
            proposal=proposal,
            codes=model.codes,
            terms={n: v[:, i] for n, v in td.items()},
            weights={t: agent.weights[t] for t in SIGNS},
            utility=u[:, i],
            noise=noise[:, i],
            gains=pv.gain,
            participants=participants,
            trust=model.trust[:, i, :],
            preview=info,
            history=model.log,
            sponsor=sponsors[:, i],
            swept=swept,
        )
        yes, own = agent.vote_scored(ctx, arr.vote_hook)
        votes[:, i] = yes & voters[:, i]
        if event is None:
            continue
        # The number a rule with a test of its own decided on, when it says (RuleScore).
        reported = {} if own is None else {"rule_score": own[0], "rule_threshold": own[1]}
        model.log.add(
            voters[:, i],
            year,
            event,
            code,
            arr.pid,
            yes=votes[:, i],
            rule=agent.rule_names[agent.voting_hook(arr.vote_hook)],
            **reported,
            sponsor=sponsors[:, i],
            leader_share=info["leader_share"][:, i],
            utility=u[:, i] + noise[:, i],
            noise=noise[:, i],
            **{f"term_{n}": v[:, i] for n, v in td.items()},
            # Signed, weighted contributions: they add up to utility - noise.
            **{
                f"contrib_{n}": SIGNS[n] * model.weight_arrays[n][:, i] * v[:, i]
                for n, v in td.items()
            },
        )
    return votes


def _confirm(
    model: SCOModel,
    arr: ProposalType,
    year: int,
    fixed: np.ndarray,
    candidates: np.ndarray,
    asked: np.ndarray,
    fallback: np.ndarray,
    *,
    min_size: int = 0,
    terms: dict[str, np.ndarray] | None = None,
    asked_about: tuple[np.ndarray, Preview] | None = None,
    baseline: np.ndarray | None = None,
) -> tuple[np.ndarray, Preview]:
    """Candidates who said yes to a larger group confirm that they want the group they form.

    A yes is given to a group larger than the one that results (the proposal as
    tabled, with every invitee in; or every outsider joining a union at once). Each
    round previews ``fixed | candidates``, asks the candidates their ``vote`` rule
    again on that group's terms (same noise: the same state's view of the same
    proposal in the same year), and lets those who now say no withdraw (a
    ``withdrew`` event with the terms; a bloc withdraws as one). Rounds repeat until
    nobody withdraws, so every candidate left wants the group it ends up in
    (internal stability), or until fewer than ``min_size`` are left in a run (then
    none is). At most ``N`` rounds: each removes at least one in some run.

    Args:
        model: The model.
        arr: The proposal.
        year: The summit's year.
        fixed: ``(R, N)`` who is in whatever the candidates do (participants of a
            union in force; nobody for a new proposal).
        candidates: ``(R, N)`` who said yes.
        asked: ``(R, N)`` who was asked (for :meth:`ProposalType.together`).
        fallback: ``(R, N)`` a non-empty group to preview in runs with no group
            (their results are discarded).
        min_size: Fewest states the group needs (``fixed`` included).
        terms: Terms to preview at (joiners accept the negotiated ones); default
            negotiated for the group.
        asked_about: The group the candidates said yes to and its preview: where the
            first round's group is that group in every run, the yes stands (no solve).
        baseline: ``(R, N)`` gains taken off every round's preview (the preview of the
            union as it stands, for joiners: their gain is that of joining); None: none.

    Returns:
        ``(candidates left (R, N), preview of the final group)``.
    """
    cand = candidates.copy()
    for _ in range(model.N):
        alive = (fixed | cand).sum(axis=1) >= max(min_size, 1)
        group = np.where(alive[:, None], fixed | cand, fallback)
        if asked_about is not None and np.array_equal(group, asked_about[0]):
            return cand, asked_about[1]  # everyone asked said yes to this very group
        asked_about = None
        pv = arr.preview(model, group, terms=terms)
        if baseline is not None:
            pv = _less(pv, baseline)
        scores = _terms(model, arr, pv, group)
        stay = _collect_votes(model, arr, year, scores, cand, group, pv, event=None)
        if not (cand & ~stay).any():
            break
        kept = arr.together(model, cand & stay, asked, year)
        leaving = cand & ~kept
        td = scores.as_dict()
        for i, code in enumerate(model.codes):
            if leaving[:, i].any():
                model.log.add(leaving[:, i], year, "withdrew", code, arr.pid,
                              **{f"term_{n}": v[:, i] for n, v in td.items()})
        cand = kept & ((fixed | kept).sum(axis=1) >= min_size)[:, None]
        if not cand.any():
            break
    return cand, pv


def _less(pv: Preview, baseline: np.ndarray) -> Preview:
    """``pv`` with ``baseline`` ``(R, N)`` taken off its gains (the gain of a change)."""
    return replace(pv, gain=pv.gain - baseline)


def _objections(
    model: SCOModel,
    arr: ProposalType,
    year: int,
    pv: Preview,
    outsiders: np.ndarray,
    willing: np.ndarray,
) -> np.ndarray:
    """Under ``interested_members``: which opted-out voters object to the willing going ahead.

    Each outsider's ``consent`` rule sees its expected gain from the willing's
    arrangement without it (``ctx.terms["econ"]``); returns ``(R, N)`` bool objections.
    """
    objects = np.zeros((model.R, model.N), dtype=bool)
    zeros = np.zeros(model.R)
    proposal, swept = rule_proposal(arr)
    for i, code in enumerate(model.codes):
        if not outsiders[:, i].any():
            continue
        agent = model.agents_by_code[code]
        ctx = VoteContext(
            iso3=code,
            index=i,
            year=year,
            proposal=proposal,
            codes=model.codes,
            terms={"econ": pv.gain[:, i]},
            weights={t: agent.weights[t] for t in SIGNS},
            utility=pv.gain[:, i],
            noise=zeros,
            gains=pv.gain,
            participants=willing,
            trust=model.trust[:, i, :],
            preview=pv.info,
            history=model.log,
            swept=swept,
        )
        objects[:, i] = ~agent.consent(ctx) & outsiders[:, i]
        model.log.add(outsiders[:, i], year, "consent", code, arr.pid,
                      consents=~objects[:, i], gain_as_outsider=pv.gain[:, i],
                      rule=agent.rule_names["consent"])
    return objects


def _revote_outsiders(model: SCOModel, arr: ProposalType, year: int) -> None:
    """Outsiders invited to an opt-in arrangement in force may join at the negotiated terms."""
    outsiders = arr.proposed & ~arr.participants & arr.in_force[:, None]
    if not outsiders.any():
        return
    # One preview with every outsider joining at once: each outsider judges its
    # own gain from that enlarged group (cheaper than one solve per outsider).
    # Runs where it is not in force preview the proposed set (discarded).
    enlarged = np.where(arr.in_force[:, None], arr.participants | outsiders, arr.proposed)
    # The gain of joining is joining against staying out, the union fully phased in in
    # both: a preview is measured against this year's policy state, in which the union is
    # at this year's phase, so alone it also counted the rest of the union's phase-in,
    # which an outsider gets (or suffers) whether it joins or not.
    stay_out = arr.preview(model, arr.participants_in_force(), terms=arr.terms).gain
    pv = _less(arr.preview(model, enlarged, terms=arr.terms), stay_out)
    terms = _terms(model, arr, pv, enlarged)
    # A proposer that has left is an outsider like any other: "a state does not table a
    # proposal to vote it down" is about tabling, so it does not say yes unasked here
    # (it used to rejoin every year it left, on a negative score).
    votes = _collect_votes(model, arr, year, terms, outsiders, enlarged, pv, sponsored=False)
    joiners = arr.together(model, votes & outsiders, outsiders, year)
    if joiners.any():
        # Those who said yes confirm on the union they would actually enlarge (as the
        # willing do when a proposal is adopted): no solve where every outsider joins.
        fixed = arr.participants & arr.in_force[:, None]
        joiners, pv = _confirm(model, arr, year, fixed, joiners, outsiders, enlarged,
                               terms=arr.terms, asked_about=(enlarged, pv), baseline=stay_out)
    if joiners.any():
        arr.participants = arr.participants | joiners
        arr.expected_gain = np.where(joiners, pv.gain, arr.expected_gain)
        for i, code in enumerate(model.codes):
            model.log.add(joiners[:, i], year, "joined", code, arr.pid)


def _maybe_retable(
    model: SCOModel, arr: ProposalType, year: int, chair: int, runs: np.ndarray
) -> None:
    """The chair of ``runs`` may table a rejected proposal again (its ``propose`` rule)."""
    # Only where its type would table it now (eligible_runs): before, a corridor whose
    # project another proposal had built was "retabled" every year and never voted on.
    eligible = ((arr.last_vote_year >= 0) & ~arr.adopted & ~arr.in_force & runs
                & np.asarray(arr.eligible_runs(model), dtype=bool))
    if not eligible.any():
        return
    agent = model.agents_by_code[model.codes[chair]]
    proposal, swept = rule_proposal(arr)
    ctx = ProposeContext(
        iso3=agent.iso3,
        index=agent.index,
        year=year,
        proposal=proposal,
        codes=model.codes,
        eligible=eligible,
        years_since_vote=np.where(arr.last_vote_year >= 0, year - arr.last_vote_year, -1),
        last_yes_share=arr.last_yes_share,
        trust=model.trust[:, agent.index, :],
        history=model.log,
        swept=swept,
    )
    again = agent.propose(ctx) & eligible
    if again.any():
        model.log.add(
            again, year, "retabled", agent.iso3, arr.pid, rule=agent.rule_names["propose"]
        )
        table(model, arr, year, runs=again, proposer=agent.index)
