"""Side payments: what it would take to buy the consent of the states that voted no.

The Council has no bargaining and no linkage (docs/rules.md): a state votes on its own
score of the proposal. This post-run analysis asks, for every Council vote of a finished
run: had the bloc been allowed to pay its own members (intra-bloc lump-sum transfers),
what is the least it would have had to move to carry the vote, and who would have paid?

The built-in vote rules score a proposal linearly in the economic term (MODEL.md section
3): a transfer of ``x`` US$ to state ``i`` raises its econ term, a fraction of its
base-year real expenditure ``E_i``, by ``x / E_i``, and its score by ``w_econ_i x / E_i``;
a payer's falls the same way. So each voter's score, measured against its bar, converts
to US$: ``slack_i = (score_i - bar_i) E_i / w_econ_i``, a shortfall where negative. The
decision rule says how many must say yes; the cheapest set to buy is then the voters with
the smallest shortfalls (every voter already in favour is kept, as it costs nothing and
may pay), and a linear programme (:func:`scipy.optimize.linprog`, HiGHS dual simplex,
deterministic) finds the least total transfer, budget-balanced, each payer keeping its
score at or above its bar so it still votes yes. Among the plans of least total, a second
programme picks the one in which every payer gives up the same share of its surplus (one
plan, whatever the order of the voters).

External checks (tests/test_side_payments.py): with the econ term alone, a plan exists iff
the bloc's total US$ gain covers the losers' shortfalls (the Kaldor-Hicks test; Kemp and
Wan 1976: a customs union with intra-union lump-sum transfers can leave no member worse
off); a two-member closed form; budget balance to 1e-9; a carried vote needs nothing.

Assumptions (labelled in docs/rules.md, "Side payments"): the relative-gains (dominance)
term is held at its logged value (a transfer compensates, it does not change who gains
more from the arrangement: counting it would make consent cheaper); US$ are priced at the
base-year expenditure (a vote years later would cost about the GDP growth since more);
the Council counted is the members at the start of the run; the noise draw is the run's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PRICED_VOTE_RULES", "Plan", "TransferError", "price_run", "price_vote",
           "price_votes", "summarise"]

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
#: Decision rules whose count of yes votes needed is known: consensus and a qualified
#: majority count the members voting; the opt-in rules need two of the voters.
PRICED_DECISION_RULES = ("consensus", "qualified_majority", "variable_geometry",
                         "interested_members")
#: Statuses of a vote: carried (no transfer needed), plan (a transfer carries it),
#: no_plan (no budget-balanced transfer does), not_priced (a rule outside the linear
#: ones), no_voters (nobody voted: nothing a transfer can change).
STATUSES = ("carried", "plan", "no_plan", "not_priced", "no_voters")
#: Relative tolerance of the budget-balance check and of the second programme's total.
BUDGET_TOL = 1e-9
_BN = 1e9  # the programmes work in US$ bn: their tolerances are absolute
#: Event fields the analysis reads (events.py ``_CORE``).
_NEEDED = ("yes", "rule", "sponsor", "utility", "term_econ", "contrib_econ",
           "decision_rule", "decision_threshold")


class TransferError(ValueError):
    """A run that cannot be analysed (not a run, no votes); the CLI prints it in one line."""


@dataclass(frozen=True)
class Plan:
    """The cheapest side-payment plan of one vote.

    Attributes:
        status: One of :data:`STATUSES`.
        transfer_usd: ``(n,)`` US$ per voter, + received, - paid (zeros without a plan).
        total_usd: Total received (= total paid); NaN where no plan exists.
        reason: Why there is no plan, or what is not priced ("" otherwise).
    """

    status: str
    transfer_usd: np.ndarray
    total_usd: float
    reason: str = ""


def price_vote(slack_usd: Sequence[float], yes: Sequence[bool], needed: int, *,
               names: Sequence[str] | None = None) -> Plan:
    """The least budget-balanced transfer among the voters that gets ``needed`` yes votes.

    Args:
        slack_usd: ``(n,)`` how far each voter's score clears its bar, in US$ (a negative
            value is the shortfall a transfer must cover); NaN where money cannot move its
            score (no weight on the econ term).
        yes: ``(n,)`` its vote as cast.
        needed: Yes votes the decision rule needs (``n`` under consensus). A voter in
            favour pays only out of its surplus above the bar (a sponsor voting yes
            below it pays nothing); one against is bought for its shortfall.
        names: Voters' codes, for the reason given when no plan exists.

    Returns:
        The :class:`Plan`; ``carried`` with zeros when ``yes`` already has ``needed``.
    """
    slack = np.asarray(slack_usd, dtype=float)
    yes = np.asarray(yes, dtype=bool)
    n = slack.size
    names = list(names) if names is not None else [str(i) for i in range(n)]
    zeros = np.zeros(n)
    if int(yes.sum()) >= needed:
        return Plan("carried", zeros, 0.0)
    if needed > n:
        return Plan("no_plan", zeros, math.nan, f"{needed} yes votes needed of {n} voters")
    # The cheapest voters to buy: the smallest shortfalls (ties by position), since each
    # costs its shortfall and brings no surplus; a voter money cannot move is never bought.
    no = np.flatnonzero(~yes)
    buyable = no[np.isfinite(slack[no])]
    order = buyable[np.lexsort((buyable, -slack[buyable]))]
    missing = needed - int(yes.sum())
    if order.size < missing:
        stuck = [names[i] for i in no if not np.isfinite(slack[i])]
        return Plan("no_plan", zeros, math.nan,
                    f"money cannot move the vote of {', '.join(stuck)} (no weight on the "
                    "econ term)")
    bought = np.zeros(n, dtype=bool)
    bought[order[:missing]] = True
    # What a voter in favour may give up and still vote yes: its surplus above the bar.
    cap = np.where(yes & np.isfinite(slack), np.maximum(slack, 0.0), 0.0)
    result = _solve(np.where(bought, np.maximum(-slack, 0.0), 0.0), cap, bought)
    if result is None:
        short = float(np.maximum(-slack[bought], 0.0).sum())
        return Plan("no_plan", zeros, math.nan,
                    f"the shortfalls of {', '.join(names[i] for i in np.flatnonzero(bought))} "
                    f"(US${short / _BN:.3g} bn) exceed what the others can give up and still "
                    f"vote yes (US${float(cap.sum()) / _BN:.3g} bn)")
    return Plan("plan", result, float(result[result > 0].sum()))


def _solve(short: np.ndarray, cap: np.ndarray, bought: np.ndarray) -> np.ndarray | None:
    """Transfers (US$, + received) covering ``short`` out of ``cap``; None if none exist.

    Variables: receipts ``r`` (bought voters only), payments ``p`` (voters with a
    surplus only). First programme: least ``sum r`` subject to ``r_i - p_i >= short_i``,
    ``p_i - r_i <= cap_i`` and ``sum r = sum p``. Second: among plans within
    :data:`BUDGET_TOL` of that least total, the least ``lam`` with ``p_i <= lam cap_i``:
    every payer gives up the same share of its surplus (a unique plan).
    """
    from scipy.optimize import linprog

    n = short.size
    s, c = short / _BN, cap / _BN
    payer = c > 0
    bounds = ([(0.0, None) if b else (0.0, 0.0) for b in bought]
              + [(0.0, float(ci)) if p else (0.0, 0.0) for p, ci in zip(payer, c, strict=True)])
    eye = np.eye(n)
    # r_i - p_i >= s_i, written -r_i + p_i <= -s_i, for the bought voters.
    a_ub = np.hstack([-eye, eye])[bought]
    b_ub = -s[bought]
    a_eq = np.concatenate([np.ones(n), -np.ones(n)])[None, :]
    first = linprog(np.concatenate([np.ones(n), np.zeros(n)]), A_ub=a_ub, b_ub=b_ub,
                    A_eq=a_eq, b_eq=[0.0], bounds=bounds, method="highs-ds")
    if first.status == 2:
        return None
    if first.status != 0:  # pragma: no cover - HiGHS failing on a bounded, feasible LP
        raise RuntimeError(f"linprog: {first.message}")
    total = float(first.fun)
    # Second programme, variables (r, p, lam): p_i - lam cap_i <= 0, sum r <= total.
    rows = [np.hstack([a_ub, np.zeros((a_ub.shape[0], 1))]),
            np.hstack([np.zeros((n, n)), eye, -c[:, None]])[payer],
            np.concatenate([np.ones(n), np.zeros(n), [0.0]])[None, :]]
    second = linprog(np.concatenate([np.zeros(2 * n), [1.0]]), A_ub=np.vstack(rows),
                     b_ub=np.concatenate([b_ub, np.zeros(int(payer.sum())),
                                          [total * (1.0 + BUDGET_TOL)]]),
                     A_eq=np.hstack([a_eq, [[0.0]]]), b_eq=[0.0],
                     bounds=[*bounds, (0.0, 1.0)], method="highs-ds")
    x = second.x if second.status == 0 else first.x
    t = (x[:n] - x[n:2 * n]) * _BN
    # Values below HiGHS's tolerances are noise: a voter neither bought nor paying.
    t[np.abs(t) < 1e-6] = 0.0
    return t


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


def price_votes(votes: pd.DataFrame, decisions: pd.DataFrame, expenditure: np.ndarray,
                w_econ: np.ndarray, member: np.ndarray, codes: Sequence[str],
                run_pos: dict[int, int]) -> pd.DataFrame:
    """Price every Council decision of a run's events.

    Args:
        votes: ``vote`` events (``run, year, proposal, country, yes, rule, sponsor,
            utility, term_econ``).
        decisions: ``adopted``/``rejected`` events (``decision_rule``,
            ``decision_threshold``).
        expenditure: ``(R, N)`` base-year expenditure, US$.
        w_econ: ``(R, N)`` each run's weight on the econ term.
        member: ``(R, N)`` the SCO members at the start of each run.
        codes: Economy codes of the columns.
        run_pos: Run id -> row of the three arrays.

    Returns:
        One row per decision and voter counted (one row with ``country`` "" for a
        decision without voters): :func:`price_run`'s table.
    """
    col = {c: i for i, c in enumerate(codes)}
    groups = dict(iter(votes.groupby(["run", "year", "proposal"], sort=True)))
    rows: list[dict[str, Any]] = []
    for d in decisions.sort_values(["run", "year", "proposal"]).itertuples(index=False):
        key = (d.run, d.year, d.proposal)
        base = {"run": int(d.run), "year": int(d.year), "proposal": str(d.proposal),
                "decision_rule": str(d.decision_rule)}
        g = groups.get(key)
        if g is None or g.empty:
            rows.append({**base, "status": "no_voters", "country": "",
                         "reason": "nobody voted", "total_transfer_usd": math.nan,
                         "bloc_gain_usd": math.nan, "transfer_share_of_gain": math.nan,
                         "voted_yes": pd.NA, "transfer_usd": math.nan})
            continue
        rows += _price_group(base, g, d.type == "adopted", float(d.decision_threshold),
                             expenditure, w_econ, member, col, run_pos)
    return pd.DataFrame(rows)


def _price_group(base: dict[str, Any], g: pd.DataFrame, adopted: bool, threshold: float,
                 expenditure: np.ndarray, w_econ: np.ndarray, member: np.ndarray,
                 col: dict[str, int], run_pos: dict[int, int]) -> list[dict[str, Any]]:
    """The rows of one decision (its vote events ``g``)."""
    k = run_pos[base["run"]]
    idx = np.array([col[c] for c in g["country"]])
    counted = member[k, idx]
    rule = base["decision_rule"]
    if rule not in ("consensus", "qualified_majority") or not counted.any():
        counted = np.ones(idx.size, dtype=bool)  # every voter counts (as the Council does)
    g, idx = g[counted], idx[counted]
    codes = list(g["country"])
    yes = g["yes"].to_numpy(dtype=bool)
    e = expenditure[k, idx]
    gain_usd = g["term_econ"].to_numpy(dtype=float) * e
    reason, status = "", ""
    how = [_vote_rule(r) for r in g["rule"]]
    if adopted:
        status = "carried"  # whatever the rules: nothing to buy
    elif rule not in PRICED_DECISION_RULES:
        status, reason = "not_priced", f"decision rule {rule!r} is not one of " + ", ".join(
            PRICED_DECISION_RULES)
    elif any(h is None for h in how):
        bad = sorted({f"{r} ({c})" for r, c, h in zip(g["rule"], codes, how, strict=True)
                      if h is None})
        status, reason = "not_priced", ("vote rule not linear in the econ term: "
                                        + ", ".join(bad))
    needed = _needed(rule, threshold, len(codes))
    if not status and yes.sum() >= needed:
        status = "not_priced"
        reason = ("blocked by an outsider's objection (consent rules are not priced)"
                  if rule == "interested_members" else "rejected although the voters counted "
                  "said yes (the Council's membership changed during the run?)")
    if status:
        plan = Plan(status, np.zeros(len(codes)), 0.0 if adopted else math.nan, reason)
    else:
        score = np.array([u if h[0] == "utility" else t for u, t, h in
                          zip(g["utility"], g["term_econ"], how, strict=True)], dtype=float)
        weight = np.array([w if h[0] == "utility" else 1.0 for w, h in
                           zip(w_econ[k, idx], how, strict=True)])
        sponsor = np.array([bool(s) and h[1] for s, h in
                            zip(g["sponsor"].fillna(False), how, strict=True)])
        cast = sponsor | np.where([h[0] == "econ" for h in how], score > 0, score >= 0)
        if not np.array_equal(cast, yes):
            bad = ", ".join(c for c, a, b in zip(codes, cast, yes, strict=True) if a != b)
            plan = Plan("not_priced", np.zeros(len(codes)), math.nan,
                        f"the logged vote of {bad} does not follow from its score")
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                slack = np.where(weight > 0, score * e / weight, np.nan)
            plan = price_vote(slack, yes, needed, names=codes)
    in_bloc = np.ones(len(codes), dtype=bool)
    if rule in ("variable_geometry", "interested_members"):
        in_bloc = yes | (plan.transfer_usd > 0)  # only the willing (and the bought) take part
    bloc_gain = float(gain_usd[in_bloc].sum())
    share = plan.total_usd / bloc_gain if bloc_gain > 0 else math.nan
    return [{**base, "status": plan.status, "country": c, "reason": plan.reason,
             "total_transfer_usd": plan.total_usd, "bloc_gain_usd": bloc_gain,
             "transfer_share_of_gain": share, "voted_yes": bool(y), "transfer_usd": float(t)}
            for c, y, t in zip(codes, yes, plan.transfer_usd, strict=True)]


def _model_arrays(result: Any, runs: np.ndarray) -> tuple[np.ndarray, ...]:
    """Base-year expenditure, econ weights, members and codes, rebuilt from the scenario."""
    from scosim.experiments.versions import versions
    from scosim.model.model import SCOModel
    from scosim.runner import _scenario_from_text

    made, here = result.manifest.get("data_version"), versions()["data"]
    if made and made != here:
        # Another calibration has other base-year expenditure: the US$ would not be the run's.
        raise TransferError(f"{result.path} was made on data version {made}, this scosim has "
                            f"{here}; run it again with scosim run (or price it where it was "
                            "made)")
    scenario = _scenario_from_text(result.scenario_yaml)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    codes: tuple[str, ...] = ()
    for start in range(0, runs.size, 1000):  # the base flows are (R, N, N): in chunks
        model = SCOModel(scenario, runs=runs[start:start + 1000])
        shape = (model.R, model.N)
        parts.append((np.broadcast_to(model.expenditure0, shape),
                      np.broadcast_to(model.weight_arrays["econ"], shape),
                      np.asarray(model.is_member(), dtype=bool)))
        codes = model.codes
    return (*(np.concatenate([p[i] for p in parts]) for i in range(3)), np.array(codes))


def price_run(run_dir: str | Path) -> pd.DataFrame:
    """The side-payment table of a finished run (``transfers.csv``).

    Args:
        run_dir: A run directory.

    Returns:
        One row per Council decision (run, year, proposal) and voter counted: ``status``,
        ``reason``, ``total_transfer_usd``, ``bloc_gain_usd`` (the voters' econ gain in
        US$ summed over who would take part), ``transfer_share_of_gain``, ``voted_yes``
        and ``transfer_usd`` (+ received, - paid).

    Raises:
        TransferError: Not a run, or a run without Council decisions.
    """
    from scosim.result_tables import open_result

    try:
        result = open_result(run_dir)
    except (FileNotFoundError, ValueError) as exc:
        raise TransferError(str(exc)) from None
    events = result.events
    if events.empty or "type" not in events:
        raise TransferError(f"{run_dir} has no events: no Council vote to price")
    votes = events[events["type"] == "vote"]
    decisions = events[events["type"].isin(["adopted", "rejected"])]
    if decisions.empty:
        raise TransferError(f"{run_dir} has no Council decisions (no adopted or rejected "
                            "event): no vote to price")
    missing = [c for c in _NEEDED if c not in events.columns]
    if missing:
        raise TransferError(f"{run_dir}: its events lack the field(s) {', '.join(missing)} "
                            "(a run made by an older scosim); run it again with scosim run")
    runs = np.unique(decisions["run"].to_numpy(dtype=np.int64))
    expenditure, w_econ, member, codes = _model_arrays(result, runs)
    check = votes[votes["term_econ"].abs() > 0]
    pos = {int(r): i for i, r in enumerate(runs)}
    if not check.empty:
        # The rebuilt weights must be the run's: the logged contribution is w * term.
        ci = {c: i for i, c in enumerate(codes)}
        w = w_econ[[pos[int(r)] for r in check["run"]], [ci[c] for c in check["country"]]]
        logged = check["contrib_econ"].to_numpy(dtype=float) / check["term_econ"].to_numpy(
            dtype=float)
        if not np.allclose(w, logged, rtol=1e-9, atol=0.0):
            raise TransferError(f"{run_dir}: the econ weights rebuilt from its scenario are "
                                "not those its votes were scored with (a sweep point, or "
                                "another code version); run it again with scosim run")
    return price_votes(votes, decisions, expenditure, w_econ, member, list(codes), pos)


def summarise(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Per proposal and year: how often a plan exists, its size, and who pays and receives.

    Args:
        table: :func:`price_run`'s table.

    Returns:
        One dict per (proposal, year): ``runs``, ``carried``, ``plan``, ``no_plan``,
        ``not_priced``, ``no_voters`` (numbers of runs), ``plan_share`` (runs carried or
        with a plan / runs), ``total_bn`` and ``share_pct`` (median, 5 %, 95 % over the
        rejected runs with a plan; NaN without any), ``gain_bn`` (the same of the bloc's
        US$ gain over the rejected runs priced) and ``gain_positive`` (the share of them in
        which it is above zero), ``members`` (code -> median US$ bn
        over those runs, + received, - paid) and ``reasons`` (most frequent first,
        without the runs' US$ figures).
    """
    out = []
    first = table.drop_duplicates(["run", "year", "proposal"])
    for (pid, year), d in first.groupby(["proposal", "year"], sort=True):
        counts = d["status"].value_counts()
        n = len(d)
        planned = d[d["status"] == "plan"]
        priced = d[d["status"].isin(["plan", "no_plan"])]
        rows = table[(table["proposal"] == pid) & (table["year"] == year)
                     & (table["status"] == "plan")]
        members = {}
        if not rows.empty:
            med = rows.groupby("country", sort=True)["transfer_usd"].median() / _BN
            members = {c: float(v) for c, v in med.items() if c}
        out.append({
            "proposal": str(pid), "year": int(year), "runs": n,
            **{s: int(counts.get(s, 0)) for s in STATUSES},
            "plan_share": (counts.get("carried", 0) + counts.get("plan", 0)) / n,
            "total_bn": _spread(planned["total_transfer_usd"].to_numpy(dtype=float) / _BN),
            "share_pct": _spread(planned["transfer_share_of_gain"].to_numpy(dtype=float)
                                 * 100.0),
            "gain_bn": _spread(priced["bloc_gain_usd"].to_numpy(dtype=float) / _BN),
            "gain_positive": (float((priced["bloc_gain_usd"] > 0).mean()) if len(priced)
                              else math.nan),
            "members": members,
            # Without each run's own US$ figures: one line per kind of reason.
            "reasons": list(d.loc[d["reason"] != "", "reason"].str.replace(
                r" \(US\$[^)]*\)", "", regex=True).value_counts().index),
        })
    return out


def _spread(values: np.ndarray) -> tuple[float, float, float]:
    """Median, 5th and 95th percentile of the finite values (NaN without any)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return (math.nan, math.nan, math.nan)
    return (float(np.median(v)), float(np.percentile(v, 5)), float(np.percentile(v, 95)))
