"""Side payments: what it would take to buy the consent of the states that voted no.

The Council has no bargaining and no linkage (docs/rules.md): a state votes on its own
score of the proposal. This post-run analysis asks, for every Council vote of a finished
run: had the voters been allowed to pay one another (lump-sum transfers among them), what
is the least they would have had to move to carry the vote, and who would have paid?

The built-in vote rules score a proposal linearly in the economic term (MODEL.md section
3): a transfer of ``x`` US$ to state ``i`` raises its econ term, a share of the
expenditure ``E_i`` its preview's gain is a share of, by ``x / E_i``, and its score by
``w_econ_i x / E_i``; a payer's falls the same way. ``E_i`` is that of the vote's year:
with ``parameters.trade.moving_baseline`` the preview is solved on the base flows re-based
to the run's GDP path of the year before (docs/customs_union.md, "A baseline that
moves"), rebuilt here as the model builds it (:func:`vote_expenditure`). The Council's
relative-gains term responds to the transfers (a payment from the leading economy narrows
every gap to it); the programme is :mod:`scosim.side_payments_lp`.

Checks (tests/test_side_payments.py, tests/test_side_payments_model.py): with the econ
term alone, a plan exists iff the voters' total US$ gain covers the losers' shortfalls
(Kaldor-Hicks among the voters; outsiders are not compensated); a two-member closed form;
a leader paying one member with the gap responding (closed form); budget balance to 1e-9;
in a run, term_econ x the expenditure used equals the model's own US$ gain of the preview.

The vote shock is rescaled too: the Council draws it as ``z vote_noise`` times the size
of the terms (voting.noise_scale), and a transfer changes two of them; the draw ``z`` is
held (as the Council holds it when it asks the willing again, council.py ``_confirm``).

Assumptions (labelled in docs/rules.md, "Side payments"): no transfer-problem effect (a
transfer moves no price and no trade deficit); the Council counted is the members at the
start of the run, with the non-members whose no would keep their bloc out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.data.constants import NAMES
from scosim.side_payments_lp import Plan, Responding, price_vote
from scosim.side_payments_summary import SPLIT_PARTS, STATUSES, shortfall_split, summarise
from scosim.side_payments_votes import TERMS as _TERMS
from scosim.side_payments_votes import DecisionVotes, VoteTable

__all__ = ["PRICED_VOTE_RULES", "STATUSES", "Plan", "TransferError", "price_run", "price_vote",
           "price_votes", "summarise", "vote_expenditure"]

#: Vote rules whose answer is linear in the econ term, and what they compare with 0:
#: ``utility`` (the logged score, noise included; weight ``w_econ``) or ``econ`` (the
#: econ term alone; weight 1). ``utility_vote`` lets sponsors vote yes whatever their
#: score. Any other rule (a constant one, a hard limit on the leader's share, a plug-in)
#: cannot be priced this way and is refused by name.
PRICED_VOTE_RULES: dict[str, tuple[str, bool]] = {
    "utility_vote": ("utility", True),
    "score_only_vote": ("utility", False),
    "gains_only": ("econ", False),
}
#: Decision rules priced: consensus and a qualified majority count the members voting.
#: Under the opt-in rules (variable geometry, interested members) the Council previews
#: the willing group again on its own terms; until that group is re-previewed here,
#: their votes are reported as not priced.
PRICED_DECISION_RULES = ("consensus", "qualified_majority")
OPT_IN_REASON = ("the willing group is previewed again on its own terms under {rule} "
                 "(docs/model.md, \"The Council\"); pricing it needs that group's preview, "
                 "which this analysis does not solve")
#: Shipped scenarios whose members vote on their scores under consensus, by proposal type:
#: named where a run's scenario fixes the votes (always_yes) of that type.
SCORED_EXAMPLES = {"customs_union": "customs_union_consensus.yaml",
                   "banking_union": "finance_crisis_union_consensus.yaml"}
_BN = 1e9
#: Event fields the analysis reads (events.py ``_CORE``).
_NEEDED = ("yes", "rule", "sponsor", "utility", "noise", "term_econ", "contrib_econ",
           "term_dominance", "decision_rule", "decision_threshold")
#: Logged gaps within this of the Council's formula (fractions of expenditure) are its.
_GAP_TOL = 1e-12
#: The shortfall split of a vote not priced (side_payments_summary.shortfall_split).
#: The fields the split reads: each term's contribution and the shock (SPLIT_PARTS order).
_SPLIT_FIELDS = [f"contrib_{p}" for p in SPLIT_PARTS[:-1]] + ["noise"]
_NO_SPLIT: dict[str, Any] = {"short_usd": math.nan, "short_leader": "",
                             **{f"short_{p}_usd": math.nan for p in SPLIT_PARTS}}


class TransferError(ValueError):
    """A run that cannot be analysed (not a run, no votes); the CLI prints it in one line."""


def _vote_rule(name: Any) -> tuple[str, bool] | None:
    """How a logged vote rule scores, if it is linear in the econ term (by name or path)."""
    text = str(name) if isinstance(name, str) else ""
    for prefix in ("scosim.rules.builtin.", "scosim.rules.builtin:"):
        text = text.removeprefix(prefix)
    return PRICED_VOTE_RULES.get(text)


def _needed(rule: str, threshold: float, n_counted: int) -> int:
    if rule == "consensus":
        return n_counted
    if rule == "qualified_majority":
        return max(1, math.ceil(threshold * n_counted - 1e-12))
    return 2


def price_votes(votes: pd.DataFrame, decisions: pd.DataFrame,
                expenditure: np.ndarray | dict[int, np.ndarray], w_econ: np.ndarray,
                member: np.ndarray, codes: Sequence[str], run_pos: dict[int, int], *,
                w_dom: np.ndarray | None = None, gdp: np.ndarray | None = None,
                together: Callable[..., np.ndarray] | None = None,
                kinds: dict[str, str] | None = None) -> pd.DataFrame:
    """Price every Council decision of a run's events.

    Args:
        votes: ``vote`` events (``run, year, proposal, country, yes, rule, sponsor,
            utility, term_econ``, and ``noise``, ``term_dominance``, ``contrib_*`` when
            the relative-gains term is to respond).
        decisions: ``adopted``/``rejected`` events (``decision_rule``,
            ``decision_threshold``).
        expenditure: ``(R, N)`` expenditure the previews' gains are shares of, US$, or a
            dict of them by the vote's year.
        w_econ: ``(R, N)`` each run's weight on the econ term.
        member: ``(R, N)`` the SCO members at the start of each run.
        codes: Economy codes of the columns.
        run_pos: Run id -> row of the arrays.
        w_dom: ``(R, N)`` weights on the relative-gains term (None: it is held).
        gdp: ``(N,)`` or ``(R, N)`` GDP the Council finds the leading economy by.
        together: ``(run row, year, proposal, take_part (N,), voters (N,)) -> (N,)``, who
            takes part once blocs have combined (the proposal type's ``together``);
            None: every state for itself.
        kinds: Proposal id -> its type (``customs_union``, ...), to name a shipped
            scenario that prices a vote the run's scenario fixes; None: none named.

    Returns:
        One row per decision and voter priced (one row with ``country`` "" for a
        decision without voters): :func:`price_run`'s table.
    """
    col = {c: i for i, c in enumerate(codes)}
    ctx = {"expenditure": expenditure, "w_econ": w_econ, "w_dom": w_dom, "gdp": gdp,
           "member": member, "together": together, "col": col, "run_pos": run_pos,
           "codes": list(codes), "kinds": kinds or {},
           "n": len(codes)}
    groups = VoteTable(votes)  # one conversion for all decisions, not a pandas group each
    rows: list[dict[str, Any]] = []
    for d in decisions.sort_values(["run", "year", "proposal"]).itertuples(index=False):
        key = (d.run, d.year, d.proposal)
        base = {"run": int(d.run), "year": int(d.year), "proposal": str(d.proposal),
                "decision_rule": str(d.decision_rule), "adopted": d.type == "adopted"}
        g = groups.get(key)
        if g is None:
            rows.append({**base, "status": "no_voters", "country": "",
                         "reason": "nobody voted", "total_transfer_usd": math.nan,
                         "bloc_gain_usd": math.nan, "transfer_share_of_gain": math.nan,
                         "voted_yes": pd.NA, "transfer_usd": math.nan})
            continue
        rows += _price_group(base, g, d.type == "adopted", float(d.decision_threshold), ctx)
    return pd.DataFrame(rows)


def _expenditure(ctx: dict[str, Any], k: int, year: int, idx: np.ndarray) -> np.ndarray:
    e = ctx["expenditure"]
    return (e[year] if isinstance(e, dict) else e)[k, idx]


def _bloc_voters(ctx: dict[str, Any], base: dict[str, Any], k: int, idx: np.ndarray,
                 counted: np.ndarray, yes: np.ndarray) -> tuple[np.ndarray, str]:
    """Voters not counted whose no would keep a counted voter out (a bloc joins whole).

    Asks the proposal type's own ``together`` who takes part once every counted voter
    says yes; adds the uncounted voters whose yes brings more counted voters in, until
    every counted voter takes part. Returns the mask and, if that cannot be reached, why.
    """
    must = np.zeros(idx.size, dtype=bool)
    if ctx["together"] is None:
        return must, ""
    n = ctx["n"]
    voters = np.zeros(n, dtype=bool)
    voters[idx] = True

    def kept(extra: np.ndarray) -> np.ndarray:
        part = np.zeros(n, dtype=bool)
        part[idx] = counted | yes | extra
        return ctx["together"](k, base["year"], base["proposal"], part, voters)[idx]

    for _ in range(idx.size):
        now = kept(must)
        if (now | ~counted).all():
            return must, ""
        added = False
        for j in np.flatnonzero(~counted & ~yes & ~must):
            trial = must.copy()
            trial[j] = True
            if (kept(trial) & counted).sum() > (now & counted).sum():
                must, added = trial, True
        if not added:
            break
    out = kept(must)
    return must, "buying the members would not bring in " + ", ".join(
        ctx["codes"][i] for i, o, c in zip(idx, out, counted, strict=True) if c and not o)


def _responding(g: DecisionVotes, ctx: dict[str, Any], k: int, idx: np.ndarray,
                e: np.ndarray, weight: np.ndarray, econ_rule: np.ndarray) -> Responding | str:
    """The relative-gains term of the voters ``g`` as the Council computes it, or why not."""
    n = idx.size
    # The econ term in US$ even where nothing responds: a sponsor may pay out of its gain.
    none = Responding(np.zeros(n), np.zeros(n), np.zeros(n), -1, np.ones(n), None,
                      g.term_econ * e)
    if ctx["w_dom"] is None or ctx["gdp"] is None or g.term_dominance is None:
        return none
    gain = g.term_econ
    logged = g.term_dominance
    gdp = np.broadcast_to(ctx["gdp"], ctx["member"].shape)[k, idx]
    lead = int(np.argmax(gdp))  # the group's largest economy (voting.dominance_gap)
    gap = np.maximum(gain[lead] - gain, 0.0)
    gap[lead] = 0.0
    if not np.allclose(gap, logged, rtol=0.0, atol=_GAP_TOL):
        return ("the relative-gains term logged is not the Council's gap to the largest "
                "economy voting (a proposal type's own score?)")
    w_dom = ctx["w_dom"][k, idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(weight > 0, w_dom / weight, 0.0)
    k_usd = np.where(econ_rule | (np.arange(n) == lead), 0.0, ratio)
    shock = None
    contrib = g.fields([f"contrib_{t}" for t in _TERMS])
    if contrib is not None:
        # The Council's shock is z vote_noise times the size of the terms (voting.py
        # noise_scale); a transfer changes the econ and relative-gains terms, so the size.
        size = np.abs(contrib).sum(axis=1)
        noise = g.noise if g.noise is not None else np.zeros(n)
        with np.errstate(divide="ignore", invalid="ignore"):
            shock = np.where(econ_rule | (size <= 0), 0.0, noise / size)
        if (shock >= 1.0).any():
            return ("a vote shock as large as the terms it scales (the score would rise "
                    "with the gap): not priced")
    return Responding(k_usd, gap * e, (gain[lead] - gain) * e, lead, e / e[lead], shock,
                      gain * e)


def _fixed_hint(rule: str, kind: str) -> str:
    """How to price a vote the scenario fixes, fitting its decision rule and proposal type."""
    if rule not in PRICED_DECISION_RULES:
        # Scored votes would not be priced either: say why rather than send the user on.
        return ("with scored votes it would still not be priced: " + (
            OPT_IN_REASON.format(rule=rule) if rule in ("variable_geometry",
                                                        "interested_members")
            else f"decision rule {rule!r} is not one of " + ", ".join(PRICED_DECISION_RULES)))
    scored = SCORED_EXAMPLES.get(kind)
    return ("price it with --set parameters.rules.vote=utility_vote" + (
        f" or a scenario whose members vote on their scores ({scored})" if scored else ""))


def _price_group(base: dict[str, Any], g: DecisionVotes, adopted: bool, threshold: float,
                 ctx: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of one decision (its vote events ``g``)."""
    k = ctx["run_pos"][base["run"]]
    idx = np.array([ctx["col"][c] for c in g.country])
    counted = ctx["member"][k, idx].astype(bool)
    rule = base["decision_rule"]
    if rule not in ("consensus", "qualified_majority") or not counted.any():
        counted = np.ones(idx.size, dtype=bool)  # every voter counts (as the Council does)
    codes = list(g.country)
    yes = g.yes
    e = _expenditure(ctx, k, base["year"], idx)
    how = [_vote_rule(r) for r in g.rule]
    status, reason = "", ""
    must = np.zeros(idx.size, dtype=bool)
    fixed = sorted({str(r) for r, h, c in zip(g.rule, how, counted, strict=True)
                    if h is None and c})
    if adopted and fixed:
        # Carried by rules that ignore the score (always_yes): "nothing to buy" would
        # read as consent the scores never gave (new user, 2026-12-07).
        status, reason = "not_priced", (
            "adopted because the scenario fixes the votes (" + ", ".join(fixed) + "), not on "
            "the scores: " + _fixed_hint(rule, ctx["kinds"].get(base["proposal"], "")))
    elif adopted:
        status = "carried"  # whatever the rules: nothing to buy
    elif rule in ("variable_geometry", "interested_members"):
        status, reason = "not_priced", OPT_IN_REASON.format(rule=rule)
    elif rule not in PRICED_DECISION_RULES:
        status, reason = "not_priced", f"decision rule {rule!r} is not one of " + ", ".join(
            PRICED_DECISION_RULES)
    else:
        must, reason = _bloc_voters(ctx, base, k, idx, counted, yes)
        if reason:
            status = "no_plan"
    inside = counted | must
    if not status and any(h is None for h, c in zip(how, inside, strict=True) if c):
        bad = sorted({f"{r} ({c})" for r, c, h, m in zip(g.rule, codes, how, inside,
                                                          strict=True) if h is None and m})
        status, reason = "not_priced", ("vote rule not linear in the econ term: "
                                        + ", ".join(bad))
    needed = _needed(rule, threshold, int(counted.sum()))
    if not status and yes[counted].sum() >= needed and yes[must].all():
        status = "not_priced"
        reason = ("rejected although the voters counted said yes (the Council's membership "
                  "changed during the run?)")
    plan = Plan(status, np.zeros(idx.size), 0.0 if adopted else math.nan, reason)
    side = np.full(idx.size, "", dtype=object)  # which side each sponsor's plan used
    rescaled = math.nan
    split: dict[str, Any] = {}
    if not status:
        how_ = [h if h is not None else ("utility", False) for h in how]
        econ_rule = np.array([h[0] == "econ" for h in how_])
        score = np.where(econ_rule, g.term_econ, g.utility)
        weight = np.where(econ_rule, 1.0, ctx["w_econ"][k, idx])
        sponsor = g.sponsor & np.array([h[1] for h in how_])
        cast = sponsor | np.where(econ_rule, score > 0, score >= 0)
        rs = _responding(g, ctx, k, idx, e, weight, econ_rule)
        if not np.array_equal(cast[inside], yes[inside]):
            bad = ", ".join(c for c, a, b, m in zip(codes, cast, yes, inside, strict=True)
                            if a != b and m)
            plan = Plan("not_priced", np.zeros(idx.size), math.nan,
                        f"the logged vote of {bad} does not follow from its score")
        elif isinstance(rs, str):
            plan = Plan("not_priced", np.zeros(idx.size), math.nan, rs)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                slack = np.where(weight > 0, score * e / weight, np.nan)
            sub = Responding(rs.k[inside], rs.gap_usd[inside], rs.lead_usd[inside],
                             int(np.flatnonzero(inside).tolist().index(rs.lead))
                             if rs.lead >= 0 and inside[rs.lead] else -1,
                             rs.lead_ratio[inside],
                             None if rs.shock is None else rs.shock[inside],
                             None if rs.econ_usd is None else rs.econ_usd[inside])
            got = price_vote(slack[inside], yes[inside], needed, names=[
                NAMES.get(c, c) for c, m in zip(codes, inside, strict=True) if m],
                must=must[inside],
                strict=econ_rule[inside], respond=sub, sponsor=sponsor[inside])
            t = np.zeros(idx.size)
            t[inside] = got.transfer_usd
            each = None
            if got.stay_each_usd is not None:
                each = np.zeros(idx.size)
                each[inside] = got.stay_each_usd
            plan = Plan(got.status, t, got.total_usd, got.reason, got.required_usd,
                        got.capacity_usd, got.outside_usd, got.stay_usd, each,
                        got.capacity_gain_usd)
            if got.sponsor_side is not None:
                side[inside] = got.sponsor_side
            if got.status in ("plan", "no_plan"):
                # Bought: the no votes priced (with a plan, those it pays: a majority
                # leaves some unbought); without one, every no vote priced.
                bought = inside & ~yes & ((t > 0) if got.status == "plan" else True)
                split = shortfall_split(g.fields(_SPLIT_FIELDS), g.term_econ, e, weight,
                                        slack, econ_rule, bought,
                                        codes[rs.lead] if rs.lead >= 0 else "")
            if got.status == "plan":
                # Who must vote yes after the plan: the bought, those in favour and a
                # sponsor whose plan keeps its bar (sponsor_side "bar"; one paying out of
                # its gain, or nothing, votes yes whatever its score); not the no voters
                # left unbought. The side the programme took, not payment against gain.
                must_yes = inside & ((yes & ~sponsor) | (t > 0) | (side == "bar"))
                rescaled = _rescaled_shortfall(g, t, e, weight, rs, econ_rule, must_yes)
    gain_usd = g.term_econ * e
    # Each voter's own receipt to stay in favour: the vote's total is the sum of its rows.
    stay = (plan.stay_each_usd if plan.stay_each_usd is not None
            else np.full(idx.size, math.nan))
    bloc_gain = float(gain_usd[inside].sum())
    share = plan.total_usd / bloc_gain if bloc_gain > 0 else math.nan
    return [{**base, "status": plan.status, "country": c, "reason": plan.reason,
             "total_transfer_usd": plan.total_usd, "bloc_gain_usd": bloc_gain,
             "transfer_share_of_gain": share, "required_usd": plan.required_usd,
             "capacity_usd": plan.capacity_usd, "outside_usd": plan.outside_usd,
             "noise_rescaled_short_usd": rescaled, "counted": bool(cn),
             "voted_yes": bool(y), "transfer_usd": float(t), "expenditure_usd": float(x),
             "gain_usd": float(gu), **(split or _NO_SPLIT),
             "paid_to_stay_usd": float(st), "capacity_gain_usd": plan.capacity_gain_usd,
             "sponsor_side": sd}
            for c, cn, y, t, x, gu, st, sd, m in zip(codes, counted, yes, plan.transfer_usd,
                                                     e, gain_usd, stay, side, inside,
                                                     strict=True) if m]


def _rescaled_shortfall(g: DecisionVotes, t: np.ndarray, e: np.ndarray, weight: np.ndarray,
                        rs: Responding, econ_rule: np.ndarray, keep: np.ndarray) -> float:
    """Largest shortfall (US$) a plan leaves with the vote shock rescaled as the Council does.

    A check apart from the programme: the Council draws the shock as ``z sigma`` times the
    sum of the absolute weighted terms (voting.noise_scale). Here ``z sigma`` is held and
    the size recomputed with the econ and relative-gains terms after the transfers, the
    scores recomputed from the logged contributions. NaN when the run did not log them.
    """
    contrib = g.fields([f"contrib_{n}" for n in _TERMS])
    if contrib is None:
        return math.nan
    size = np.abs(contrib).sum(axis=1)
    noise = g.noise if g.noise is not None else np.zeros(size.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        zs = np.where(size > 0, noise / size, 0.0)
    gain = g.term_econ + t / e
    gap = g.term_dominance if g.term_dominance is not None else 0.0 * gain
    w_dom = np.where(rs.k > 0, rs.k * weight, 0.0)
    if rs.lead >= 0:
        new_gap = np.maximum(gain[rs.lead] - gain, 0.0)
        gap_after = np.where(rs.k > 0, new_gap, gap)
    else:
        gap_after = gap
    econ_after = weight * gain
    dom_after = contrib[:, 3] - w_dom * (gap_after - gap)
    size_after = size - np.abs(contrib[:, 0]) - np.abs(contrib[:, 3]) + np.abs(
        econ_after) + np.abs(dom_after)
    score = (g.utility - noise + weight * t / e
             - w_dom * (gap_after - gap) + zs * size_after)
    short = np.where(keep & ~econ_rule, np.maximum(-score, 0.0) * e / weight, 0.0)
    return float(short.max())


def vote_expenditure(model: Any, years: Sequence[int], gdp_path: pd.DataFrame) -> dict[
        int, np.ndarray]:
    """``(R, N)`` expenditure each vote year's previews are shares of, rebuilt as the model does.

    The summit of year ``y`` comes before the year's growth: the preview is solved on the
    year's baseline flows (the calibration's agreements in force by ``y``), re-based with
    ``parameters.trade.moving_baseline`` to the GDP path at the end of ``y - 1`` (the
    model's eve GDP in the first year); its gain is a share of their column sums.

    Args:
        model: A fresh model of the run's scenario and runs.
        years: The votes' years.
        gdp_path: ``gdp_baseline_path_usd`` rows (``run, year, country, value``) of the
            years before them (unused without a moving baseline).
    """
    from scosim.model.dated_agreements import agreements_phase

    moving = model.scenario.parameters.trade.moving_baseline
    out: dict[int, np.ndarray] = {}
    col = {c: i for i, c in enumerate(model.codes)}
    pos = {int(r): i for i, r in enumerate(model.run_ids)}
    for year in range(model.years[0], max(years) + 1):
        agreements_phase(model, year)
        if year not in years:
            continue
        if moving and year > model.years[0]:
            prev = gdp_path[gdp_path["year"] == year - 1]
            # Only this model's runs: price_run builds the model a chunk of runs at a time.
            prev = prev[prev["run"].isin(list(pos))]
            gdp = np.full((model.R, model.N), np.nan)
            gdp[prev["run"].map(pos).to_numpy(), prev["country"].map(col).to_numpy()] = (
                prev["value"].to_numpy(dtype=float))
            if np.isnan(gdp).any():
                raise TransferError(f"the run did not record gdp_baseline_path_usd for "
                                    f"every economy in {year - 1}, which its {year} vote was "
                                    "previewed on; run it again with that indicator")
            model.gdp = gdp
        flows = model.baseline_flows() if moving else model.flows0
        out[year] = np.broadcast_to(np.asarray(flows).sum(axis=-2),
                                    (model.R, model.N)).copy()
    return out


def _model_arrays(result: Any, runs: np.ndarray, years: Sequence[int] = (),
                  gdp_path: pd.DataFrame | None = None) -> dict[str, Any]:
    """Vote-year expenditure, weights, members, GDP, codes and blocs, rebuilt from the run.

    ``gdp_path``: the ``gdp_baseline_path_usd`` rows of ``runs`` in the years before the
    votes (None: read from the run; only a moving baseline reads them).
    """
    from scosim.experiments.versions import versions
    from scosim.model.model import SCOModel
    from scosim.runner import _scenario_from_text
    from scosim.side_payments_chunks import MODEL_CHUNK, _gdp_path

    made, here = result.manifest.get("data_version"), versions()["data"]
    if made and made != here:
        # Another calibration has other base-year expenditure: the US$ would not be the run's.
        raise TransferError(f"{result.path} was made on data version {made}, this scosim has "
                            f"{here}; run it again with scosim run (or price it where it was "
                            "made)")
    scenario = _scenario_from_text(result.scenario_yaml)
    if gdp_path is None and years and scenario.parameters.trade.moving_baseline:
        gdp_path = _gdp_path(result.table_dir("indicators"), [y - 1 for y in years])
    parts: list[dict[str, Any]] = []
    model = None
    if gdp_path is None:
        gdp_path = pd.DataFrame(columns=["run", "year", "country", "value"])
    for start in range(0, runs.size, MODEL_CHUNK):  # the base flows are (R, N, N): in chunks
        model = SCOModel(scenario, runs=runs[start:start + MODEL_CHUNK])
        shape = (model.R, model.N)
        parts.append({
            "expenditure": vote_expenditure(model, list(years), gdp_path) if years else {},
            "w_econ": np.broadcast_to(model.weight_arrays["econ"], shape),
            "w_dom": np.broadcast_to(model.weight_arrays["dominance"], shape),
            "member": np.asarray(model.is_member(), dtype=bool),
            "gdp": np.broadcast_to(model.gdp0, shape)})
    assert model is not None
    arrays = {k: np.concatenate([p[k] for p in parts]) for k in ("w_econ", "w_dom",
                                                                 "member", "gdp")}
    arrays["expenditure"] = {y: np.concatenate([p["expenditure"][y] for p in parts])
                             for y in years}
    arrays["codes"] = np.array(model.codes)
    moving = scenario.parameters.trade.moving_baseline
    # The unit the figures are in: the expenditure of the vote's preview.
    arrays["priced_at"] = {y: (f"current US$ of {y - 1} on each run's GDP path" if moving
                               else f"US$ of the data's base year {model.cal.base_year}")
                           for y in years}
    types = {arr.pid: arr for arr in model.arrangements}

    def together(k: int, year: int, pid: str, part: np.ndarray, voters: np.ndarray
                 ) -> np.ndarray:
        arr = types.get(pid)
        if arr is None:
            return part
        shape = (model.R, model.N)
        return np.asarray(arr.together(model, np.broadcast_to(part, shape).copy(),
                                       np.broadcast_to(voters, shape).copy(), year))[0]

    arrays["together"] = together
    return arrays


def price_run(run_dir: str | Path) -> pd.DataFrame:
    """The side-payment table of a finished run (``transfers.csv``).

    Priced a chunk of runs at a time: :func:`scosim.side_payments_chunks.price_run`.
    """
    from scosim.side_payments_chunks import price_run as _price_run

    return _price_run(run_dir)
