"""What ``scosim transfers`` prints: per proposal and year, over a run's replications.

Reads the table of :func:`scosim.side_payments.price_run` (one row per vote and voter
priced) and summarises it: how often a plan exists (with its Monte Carlo standard error),
the total where one does, the total required and the payers' capacity over every
rejected run, the gap where no plan exists, and each voter's median receipt or payment
in US$ and as a percentage of its expenditure (conditional on a plan).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SPLIT_PARTS", "STATUSES", "clean_reasons", "decision_rows", "shortfall_split",
           "summarise", "summarise_parts"]

#: Statuses of a vote: carried (no transfer needed), plan (a transfer carries it),
#: no_plan (no budget-balanced transfer does), not_priced (a rule outside the linear
#: ones), no_voters (nobody voted: nothing a transfer can change).
STATUSES = ("carried", "plan", "no_plan", "not_priced", "no_voters")
_BN = 1e9
#: A plan whose voters, with the vote shock rescaled, fall short by more than this (US$)
#: counts as one the held shock decided (US$1 million: below it, solver tolerance).
_NOISE_SHORT_USD = 1e6
#: The parts of the bought voters' shortfall: the Council's terms (voting.UtilityTerms)
#: and the vote shock, as ``transfers.csv`` columns ``short_<part>_usd``.
SPLIT_PARTS = ("econ", "dominance", "sovereignty", "trust", "security", "noise")
#: The unit said of a table without ``priced_at``.
_UNIT = "US$ of the expenditure the preview is a share of"


def shortfall_split(contrib: np.ndarray | None, term_econ: np.ndarray, e: np.ndarray,
                    weight: np.ndarray, slack: np.ndarray, econ_rule: np.ndarray,
                    bought: np.ndarray, leader: str) -> dict[str, Any]:
    """The bought voters' shortfall at their logged scores, split by the Council's terms.

    A voter ``i`` scoring on the whole utility (weight ``w_i`` on the econ term, its
    preview's gain a share of ``E_i``) falls short by ``-utility_i E_i / w_i`` US$; term
    ``x`` contributes ``-contrib_x E_i / w_i`` and the shock ``-noise E_i / w_i``. The
    logged contributions and shock add up to the logged utility (voting.py), so the parts
    add up to the shortfall; tests/test_side_payments.py checks it on runs. A voter on the
    econ term alone (``gains_only``) falls short by its US$ loss, all of it economic.

    Args:
        contrib: ``(n, 6)`` each voter's logged ``contrib_<part>`` for the terms of
            :data:`SPLIT_PARTS` and its ``noise`` (missing as 0); None if not logged.
        term_econ: Each voter's logged econ term (a share of ``e``).
        e: Each voter's expenditure the pricing uses, US$.
        weight: Each voter's weight on what its rule compares with 0.
        slack: What the pricing's score is worth in US$ (``score E / weight``).
        econ_rule: Voters whose rule compares the econ term alone.
        bought: The voters whose shortfall is summed.
        leader: Code of the largest economy voting (whose lead the dominance term is).

    Returns:
        ``short_usd`` (the sum of ``-slack``) and ``short_<part>_usd`` for each of
        :data:`SPLIT_PARTS`, and ``short_leader``; NaN when the events lack the fields.
    """
    out: dict[str, Any] = {"short_usd": math.nan, "short_leader": leader,
                           **{f"short_{p}_usd": math.nan for p in SPLIT_PARTS}}
    if contrib is None:
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        part = -contrib * np.where(weight > 0, e / weight, np.nan)[:, None]
    # gains_only compares the econ term alone (weight 1): its whole loss is economic.
    loss = -term_econ * e
    part[econ_rule] = 0.0
    part[econ_rule, 0] = loss[econ_rule]
    out["short_usd"] = float(-slack[bought].sum())
    out.update({f"short_{p}_usd": float(part[bought, i].sum())
                for i, p in enumerate(SPLIT_PARTS)})
    return out


def summarise(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Per proposal and year: how often a plan exists, its size, and who pays and receives.

    Args:
        table: :func:`scosim.side_payments.price_run`'s table.

    Returns:
        One dict per (proposal, year): ``runs``, ``carried``, ``plan``, ``no_plan``,
        ``not_priced``, ``no_voters`` (numbers of runs), ``plan_share`` (runs carried or
        with a plan / runs) and ``plan_share_se`` (its Monte Carlo standard error),
        ``total_bn`` and ``share_pct`` (median, 5 %, 95 % over the rejected runs with a
        plan; NaN without any), ``required_bn`` and ``capacity_bn`` (the same over every
        rejected run priced: what the bought voters must receive, what the voters in
        favour can give up), ``capacity_gain_runs`` (those runs in which a sponsor's
        economic gain, above its surplus, is what it can give up), ``stay`` (the
        rejected runs priced in which the least plan
        pays voters in favour to keep them at their bars, part of ``required_bn``, and the
        median, 5 %, 95 % of that payment over them), ``outside_bn`` (the same over the
        runs without a plan: the
        least money from outside the voters that would carry the vote), ``outside_runs`` (the
        runs without a plan that such money would carry), ``gain_bn`` (the
        bloc's US$ gain over the rejected runs priced) and ``gain_positive`` (the share of
        them in which it is above zero), ``noise_short`` (plans that leave a voter short
        with the vote shock rescaled, and the median and largest shortfall, US$ bn),
        ``members`` (code -> (median US$ bn, median % of its expenditure, runs in which
        it receives, runs in which it pays) over the runs with a plan, + received,
        - paid), ``priced_at`` (the unit), ``decision_rule`` (the first decision's) and
        ``reasons`` (most frequent first, without the runs' US$ figures) and
        ``reason_runs`` (the runs of each),
        ``split`` (``runs``: the rejected runs priced with the split logged, ``leader``:
        the largest economy voting in most of them, ``short_bn`` and each ``<part>_bn``
        of :data:`SPLIT_PARTS`: the median over them of the bought voters' shortfall at
        their logged scores and its parts, :func:`shortfall_split`),
        ``capacity_reach`` (:func:`capacity_reach` over the runs without a plan).
    """
    return summarise_parts(decision_rows(table), table[table["status"] == "plan"])


def decision_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The first row of each decision (run, year, proposal), in the table's order.

    Its ``paid_to_stay_usd`` is the sum over the decision's rows (each row holds what
    that voter receives to stay in favour); NaN where every row's is. With
    ``leader_receives`` (:func:`leader_receives`) where the table has what it reads.
    """
    key = ["run", "year", "proposal"]
    first = table.drop_duplicates(key)
    if "paid_to_stay_usd" not in table or first.empty:
        return first
    total = table.groupby(key, sort=False)["paid_to_stay_usd"].sum(min_count=1)
    at = pd.MultiIndex.from_frame(first[key])
    first = first.assign(paid_to_stay_usd=total.reindex(at).to_numpy(dtype=float))
    if not {"short_leader", "voted_yes", "country", "decision_rule"} <= set(table):
        return first
    return first.assign(leader_receives=leader_receives(table).reindex(at, fill_value=False)
                        .to_numpy(dtype=bool))


def leader_receives(table: pd.DataFrame) -> pd.Series:
    """Per decision (run, year, proposal): whether the leading economy receives.

    Known from the table where it is paid to stay (its ``paid_to_stay_usd`` above 0) or
    votes no under consensus, where every no voter is bought (transfers.csv does not
    say which no voters a majority's least plan buys: there False, so the answer does
    not assert it). The leader is the row's ``short_leader``.
    """
    key = ["run", "year", "proposal"]
    rows = table[table["country"].astype(str) == table["short_leader"].astype(str)]
    paid = rows["paid_to_stay_usd"].to_numpy(dtype=float) > 0
    bought = ~rows["voted_yes"].astype(bool).to_numpy() & (
        rows["decision_rule"].astype(str).to_numpy() == "consensus")
    return pd.Series(paid | bought, index=pd.MultiIndex.from_frame(rows[key])).groupby(
        level=key, sort=False).any()


def summarise_parts(first: pd.DataFrame, voters: pd.DataFrame) -> list[dict[str, Any]]:
    """:func:`summarise` from the parts of the table it reads.

    ``scosim transfers`` gathers the same figures chunk by chunk instead
    (:class:`scosim.side_payments_tally.SummaryTally`, checked against this).

    Args:
        first: The first row of each decision (run, year, proposal), in the table's order,
            with the decision's total ``paid_to_stay_usd`` (:func:`decision_rows`).
        voters: The rows with a plan (at least ``proposal``, ``year``, ``country``,
            ``transfer_usd``, ``expenditure_usd``), in the table's order.
    """
    out = []
    for (pid, year), d in first.groupby(["proposal", "year"], sort=True):
        counts = d["status"].value_counts()
        n = len(d)
        planned = d[d["status"] == "plan"]
        priced = d[d["status"].isin(["plan", "no_plan"])]
        rows = voters[(voters["proposal"] == pid) & (voters["year"] == year)]
        members = {}
        if not rows.empty:
            by = rows.assign(pct=100.0 * rows["transfer_usd"] / rows["expenditure_usd"]
                             ).groupby("country", sort=True)
            med = by["transfer_usd"].median() / _BN
            pct = by["pct"].median()
            # Under a majority a voter can be bought in some runs only (its median 0).
            got = by["transfer_usd"].agg(lambda t: int((t > 0).sum()))
            paid = by["transfer_usd"].agg(lambda t: int((t < 0).sum()))
            members = {c: (float(v), float(pct[c]), int(got[c]), int(paid[c]))
                       for c, v in med.items() if c}
        share = (counts.get("carried", 0) + counts.get("plan", 0)) / n
        noise = planned.get("noise_rescaled_short_usd", pd.Series(dtype=float))
        short = noise[noise > _NOISE_SHORT_USD].to_numpy(dtype=float) / _BN
        reasons = clean_reasons(d["reason"]).value_counts()
        out.append({
            "proposal": str(pid), "year": int(year), "runs": n,
            **{s: int(counts.get(s, 0)) for s in STATUSES},
            # Adopted runs, whatever their status (one fixed by always_yes is not priced).
            "adopted": int(d["adopted"].sum()) if "adopted" in d else int(counts.get(
                "carried", 0)),
            "plan_share": share,
            "plan_share_se": math.sqrt(share * (1.0 - share) / n),
            "total_bn": _spread(planned["total_transfer_usd"].to_numpy(dtype=float) / _BN),
            "share_pct": _spread(planned["transfer_share_of_gain"].to_numpy(dtype=float)
                                 * 100.0),
            "required_bn": _spread(_col(priced, "required_usd") / _BN),
            "capacity_bn": _spread(_col(priced, "capacity_usd") / _BN),
            "capacity_gain_runs": int((_col(priced, "capacity_gain_usd") > 0).sum()),
            "stay": _stay(_col(priced, "paid_to_stay_usd")),
            "outside_bn": _spread(_col(d[d["status"] == "no_plan"], "outside_usd") / _BN),
            # The runs without a plan that outside money would carry (the rest: none would).
            "outside_runs": int(np.isfinite(_col(d[d["status"] == "no_plan"],
                                                 "outside_usd")).sum()),
            # The priced runs with a least plan (none where no money carries the vote).
            "required_runs": int(np.isfinite(_col(priced, "required_usd")).sum()),
            "gain_bn": _spread(priced["bloc_gain_usd"].to_numpy(dtype=float) / _BN),
            "gain_positive": (float((priced["bloc_gain_usd"] > 0).mean()) if len(priced)
                              else math.nan),
            "noise_short": (int(short.size), float(np.median(short)) if short.size
                            else math.nan, float(short.max()) if short.size else math.nan),
            "members": members,
            "split": _split(priced),
            "priced_at": str(d["priced_at"].iloc[0]) if "priced_at" in d else _UNIT,
            # Without each run's own US$ figures: one line per kind of reason.
            "reasons": list(reasons.index),
            "reason_runs": [int(k) for k in reasons.to_numpy()],
            "decision_rule": d["decision_rule"].iloc[0] if "decision_rule" in d else math.nan,
            "capacity_reach": capacity_reach(_col(d[d["status"] == "no_plan"], "capacity_usd"),
                                             _col(d[d["status"] == "no_plan"], "required_usd")),
            "capacity_why": capacity_why(*(_col(d[d["status"] == "no_plan"], c) for c in (
                "capacity_usd", "required_usd", "leader_receives"))),
        })
    return out


def capacity_reach(capacity: np.ndarray, required: np.ndarray) -> tuple[float, int]:
    """How far the voters in favour's bars bind, over the runs without a plan.

    The largest share, over those runs, of what the bought voters need (``required``)
    that the voters in favour could give up at their logged scores (``capacity``), and
    in how many runs it is all of it (where, still, no plan exists: the leader's
    receipt widens its lead over them). NaN and 0 where no run has both.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = np.asarray(capacity, dtype=float) / np.asarray(required, dtype=float)
    reach = reach[np.isfinite(reach)]
    return (float(reach.max()) if reach.size else math.nan, int((reach >= 1.0).sum()))


def capacity_why(capacity: np.ndarray, required: np.ndarray,
                 leader: np.ndarray) -> tuple[int, float]:
    """Over the runs without a plan, why those in favour's bars bind where they do.

    Of the runs in which they could give up all the need (:func:`capacity_reach`), those
    in which the leading economy receives (``leader``, :func:`leader_receives`; NaN or
    0: not known to), whose receipt widens its lead over them; and the largest share of
    the need they could give up in the other runs (NaN where none).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = np.asarray(capacity, dtype=float) / np.asarray(required, dtype=float)
    led = np.nan_to_num(np.asarray(leader, dtype=float)) > 0
    if led.size != reach.size:  # a table without what leader_receives reads
        led = np.zeros(reach.size, dtype=bool)
    ok = np.isfinite(reach)
    below = reach[ok & (reach < 1.0)]
    return (int((ok & (reach >= 1.0) & led).sum()),
            float(below.max()) if below.size else math.nan)


def clean_reasons(reason: pd.Series) -> pd.Series:
    """The decisions' reasons given, without the runs' US$ figures (one kind a line)."""
    return reason.fillna("").astype(str).loc[lambda r: r != ""].str.replace(
        r" \(US\$[^)]*\)", "", regex=True)


def _split(priced: pd.DataFrame) -> dict[str, Any]:
    """Medians over the priced runs of the bought voters' shortfall and its parts, US$ bn."""
    if "short_usd" not in priced:
        return {"runs": 0}
    d = priced[np.isfinite(priced["short_usd"].to_numpy(dtype=float))]
    if d.empty:
        return {"runs": 0}
    out: dict[str, Any] = {"runs": len(d), "leader": str(d["short_leader"].mode().iloc[0]),
                           "short_bn": float(d["short_usd"].median()) / _BN}
    out.update({f"{p}_bn": float(d[f"short_{p}_usd"].median()) / _BN for p in SPLIT_PARTS})
    return out


def _stay(paid: np.ndarray) -> tuple[int, tuple[float, float, float]]:
    """The runs paying voters in favour to stay, and the spread of the payment over them."""
    some = paid[paid > 0] / _BN
    return int(some.size), _spread(some)


def _col(d: pd.DataFrame, name: str) -> np.ndarray:
    return d[name].to_numpy(dtype=float) if name in d else np.array([])


def _spread(values: np.ndarray) -> tuple[float, float, float]:
    """Median, 5th and 95th percentile of the finite values (NaN without any)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return (math.nan, math.nan, math.nan)
    return (float(np.median(v)), float(np.percentile(v, 5)), float(np.percentile(v, 95)))
