"""What ``scosim transfers`` prints, gathered a chunk of runs at a time in typed columns.

:func:`scosim.side_payments_summary.summarise` reads the whole table (one row per
decision and voter). Pricing a run in chunks (:mod:`scosim.side_payments_chunks`), the
command kept the rows it reads as pandas frames, about 3 KB a run of peak memory held to
the end (docs/performance.md, "``scosim transfers`` at scale"). :class:`SummaryTally`
keeps instead, per proposal and vote year, counts and one float64 column per figure
whose median or percentiles are printed (8 bytes a run each: those need every value),
and gives the same dicts as :func:`~scosim.side_payments_summary.summarise` of the whole
table: the same values, put through the same median and percentile functions
(tests/test_side_payments_chunks.py checks it against ``summarise``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scosim.side_payments_summary import (
    _BN,
    _NOISE_SHORT_USD,
    _UNIT,
    SPLIT_PARTS,
    STATUSES,
    _spread,
    _stay,
    capacity_reach,
    capacity_why,
    clean_reasons,
    decision_rows,
)

__all__ = ["SummaryTally"]

_KEY = ["run", "year", "proposal"]
#: A decision's figures kept (its first row's; paid_to_stay_usd summed over its rows), by
#: the statuses whose runs they are over.
_PLAN = ("total_transfer_usd", "transfer_share_of_gain", "noise_rescaled_short_usd")
_PRICED = ("required_usd", "capacity_usd", "bloc_gain_usd", "paid_to_stay_usd",
           "capacity_gain_usd")
_SHORT = ("short_usd", *(f"short_{p}_usd" for p in SPLIT_PARTS))


def _floats(d: pd.DataFrame, name: str) -> np.ndarray:
    """The column as float64; all NaN where the chunk lacks it (as in the whole table)."""
    if name in d:
        return d[name].to_numpy(dtype=float)
    return np.full(len(d), math.nan)


@dataclass
class _Group:
    """The running figures of one proposal and vote year."""

    rule: Any
    priced_at: Any
    counts: dict[str, int] = field(default_factory=dict)
    adopted: int = 0
    gain_positive: int = 0
    cols: dict[str, list[np.ndarray]] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    leaders: dict[str, int] = field(default_factory=dict)
    #: country -> (its transfers, the same as % of its expenditure), runs with a plan.
    members: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = field(
        default_factory=dict)

    def keep(self, name: str, values: np.ndarray) -> None:
        if values.size:
            self.cols.setdefault(name, []).append(values)

    def col(self, name: str) -> np.ndarray:
        parts = self.cols.get(name)
        return np.concatenate(parts) if parts else np.array([])


class SummaryTally:
    """The printed summary of a run's table, gathered chunk by chunk in bounded memory.

    :meth:`add` the chunks in the table's order (a chunk holds every row of its
    decisions); :meth:`summary` then gives :func:`scosim.side_payments_summary.summarise`
    of the whole table and :attr:`runs` its number of runs.
    """

    def __init__(self) -> None:
        """An empty tally."""
        self._groups: dict[tuple[str, int], _Group] = {}
        self._runs: list[np.ndarray] = []
        self._has_unit = False
        self._has_adopted = False
        self._has_split = False

    def add(self, part: pd.DataFrame) -> None:
        """Take a chunk of the table (one or more rows per decision, in the table's order)."""
        first = decision_rows(part)  # paid_to_stay_usd: the decision's total
        self._runs.append(np.unique(first["run"].to_numpy(dtype=np.int64)))
        self._has_unit |= "priced_at" in first
        self._has_adopted |= "adopted" in first
        self._has_split |= "short_usd" in first
        plan = part.loc[part["status"] == "plan"]
        for (pid, year), d in first.groupby(["proposal", "year"], sort=False):
            g = self._groups.get((pid, year))
            if g is None:
                # Printed from a group's first row, as summarise reads them.
                g = self._groups[(pid, year)] = _Group(
                    *(d[c].iloc[0] if c in d else math.nan for c in ("decision_rule",
                                                                     "priced_at")))
            self._add_group(g, d, plan[(plan["proposal"] == pid) & (plan["year"] == year)])

    def _add_group(self, g: _Group, d: pd.DataFrame, voters: pd.DataFrame) -> None:
        status = d["status"].astype(str)
        for s, k in status.value_counts(sort=False).items():
            g.counts[s] = g.counts.get(s, 0) + int(k)
        g.adopted += (int(d["adopted"].sum()) if "adopted" in d
                      else int((status == "carried").sum()))
        planned, priced = d[status == "plan"], d[status.isin(["plan", "no_plan"])]
        for name in _PLAN:
            g.keep(name, _floats(planned, name))
        for name in _PRICED:
            g.keep(name, _floats(priced, name))
        g.keep("outside_usd", _floats(d[status == "no_plan"], "outside_usd"))
        # capacity_reach and capacity_why, without a plan.
        for name in ("capacity_usd", "required_usd", "leader_receives"):
            g.keep(f"no_plan_{name}", _floats(d[status == "no_plan"], name))
        g.gain_positive += int((_floats(priced, "bloc_gain_usd") > 0).sum())
        short = _floats(priced, "short_usd")
        split = priced[np.isfinite(short)]
        for name in _SHORT:
            g.keep(name, _floats(split, name))
        if len(split) and "short_leader" in split:
            for who in split["short_leader"].dropna():
                g.leaders[who] = g.leaders.get(who, 0) + 1
        # In the order they first appear, as value_counts keys them before it sorts.
        for r in clean_reasons(d["reason"]) if "reason" in d else []:
            g.reasons[r] = g.reasons.get(r, 0) + 1
        if voters.empty:
            return
        t = _floats(voters, "transfer_usd")
        pct = 100.0 * t / _floats(voters, "expenditure_usd")
        country = voters["country"].to_numpy()
        for c in pd.unique(country):
            m = country == c
            got = g.members.setdefault(str(c), ([], []))
            got[0].append(t[m])
            got[1].append(pct[m])

    @property
    def runs(self) -> int:
        """The number of runs in the table."""
        return int(np.unique(np.concatenate(self._runs)).size) if self._runs else 0

    def summary(self) -> list[dict[str, Any]]:
        """:func:`scosim.side_payments_summary.summarise`'s dicts, one per proposal and year."""
        return [self._summary(pid, year, self._groups[(pid, year)])
                for pid, year in sorted(self._groups)]

    def _summary(self, pid: str, year: int, g: _Group) -> dict[str, Any]:
        n = sum(g.counts.values())
        share = (g.counts.get("carried", 0) + g.counts.get("plan", 0)) / n
        n_priced = g.counts.get("plan", 0) + g.counts.get("no_plan", 0)
        noise = g.col("noise_rescaled_short_usd")
        short = noise[noise > _NOISE_SHORT_USD] / _BN
        reasons = sorted(g.reasons.items(), key=lambda kv: -kv[1])
        members = {}
        for c in sorted(g.members):
            t, pct = (np.concatenate(x) for x in g.members[c])
            if c:
                members[c] = (float(pd.Series(t).median() / _BN), float(pd.Series(pct).median()),
                              int((t > 0).sum()), int((t < 0).sum()))
        return {
            "proposal": str(pid), "year": int(year), "runs": n,
            **{s: int(g.counts.get(s, 0)) for s in STATUSES},
            "adopted": g.adopted if self._has_adopted else int(g.counts.get("carried", 0)),
            "plan_share": share,
            "plan_share_se": math.sqrt(share * (1.0 - share) / n),
            "total_bn": _spread(g.col("total_transfer_usd") / _BN),
            "share_pct": _spread(g.col("transfer_share_of_gain") * 100.0),
            "required_bn": _spread(g.col("required_usd") / _BN),
            "capacity_bn": _spread(g.col("capacity_usd") / _BN),
            "capacity_gain_runs": int((g.col("capacity_gain_usd") > 0).sum()),
            "stay": _stay(g.col("paid_to_stay_usd")),
            "outside_bn": _spread(g.col("outside_usd") / _BN),
            "outside_runs": int(np.isfinite(g.col("outside_usd")).sum()),
            "required_runs": int(np.isfinite(g.col("required_usd")).sum()),
            "gain_bn": _spread(g.col("bloc_gain_usd") / _BN),
            "gain_positive": g.gain_positive / n_priced if n_priced else math.nan,
            "noise_short": (int(short.size), float(np.median(short)) if short.size
                            else math.nan, float(short.max()) if short.size else math.nan),
            "members": members,
            "split": self._split(g),
            "priced_at": str(g.priced_at) if self._has_unit else _UNIT,
            "decision_rule": g.rule,
            # Most frequent first; ties in the order they first appear (a stable sort).
            "reasons": [r for r, _ in reasons],
            "reason_runs": [k for _, k in reasons],
            "capacity_reach": capacity_reach(g.col("no_plan_capacity_usd"),
                                             g.col("no_plan_required_usd")),
            "capacity_why": capacity_why(g.col("no_plan_capacity_usd"),
                                         g.col("no_plan_required_usd"),
                                         g.col("no_plan_leader_receives")),
        }

    def _split(self, g: _Group) -> dict[str, Any]:
        short = g.col("short_usd")
        if not self._has_split or short.size == 0:
            return {"runs": 0}
        # The mode, the first in sorted order among the most frequent (Series.mode).
        most = max(g.leaders.values())
        out: dict[str, Any] = {"runs": int(short.size),
                               "leader": str(min(w for w, k in g.leaders.items() if k == most)),
                               "short_bn": float(pd.Series(short).median()) / _BN}
        out.update({f"{p}_bn": float(pd.Series(g.col(f"short_{p}_usd")).median()) / _BN
                    for p in SPLIT_PARTS})
        return out
