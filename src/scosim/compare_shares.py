"""Intervals for indicators that are 0 or 1 in every run (shares of runs), paired.

A membership, an adoption or a failure is 0 or 1 in each run; its mean over runs
is a share of runs, and the paired difference ``policy - baseline`` of run ``r``
is -1, 0 or +1. The Student-t interval of the mean of such differences is
badly calibrated with few runs or shares near 0 or 1: it can reach past -1 or
+1, and it has zero width whenever every run agrees (0 to 0 after 10 runs in
which a union never formed, as if it never could). For these indicators
:func:`scosim.compare.summarise` gives instead the standard interval for the
difference of two *paired* proportions: Newcombe's hybrid score interval
(Newcombe R.G. 1998, "Improved confidence intervals for the difference between
binomial proportions based on paired data", Statistics in Medicine
17:2635-2650, method 10). It combines the Wilson score intervals of the two
shares (statsmodels' ``proportion_confint(method="wilson")``) with a
correction for their correlation across the paired runs, stays within
[-1, 1], and has positive width even when every run agrees.

Which indicators: those whose every value in both runs is 0 or 1 (NaN aside)
and that take both values somewhere (:func:`zero_one_indicators`). An indicator
at 0 everywhere (a union that never formed in either run) is left to the t
interval: every difference is 0 and the row is reported as "no change".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "NEWCOMBE",
    "apply_share_intervals",
    "ci_heading",
    "combine_flags",
    "indicator_of",
    "newcombe_paired",
    "pair_counts",
    "share_method_text",
    "zero_one_flags",
    "zero_one_indicators",
]

#: The ``method`` of a summary row holding Newcombe's paired interval.
NEWCOMBE = "newcombe"


def newcombe_paired(both: np.ndarray, only_policy: np.ndarray, only_baseline: np.ndarray,
                    neither: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's (1998, method 10) interval for a difference of paired proportions.

    The counts are of runs: 1 in both scenarios, in the policy only, in the
    baseline only, in neither (Newcombe's e, f, g, h). The difference is that of
    the policy's share ``(e + f) / n`` and the baseline's ``(e + g) / n``,
    i.e. the mean paired difference ``(f - g) / n``.

    Args:
        both: Runs at 1 in both (any shape; the four arrays broadcast together).
        only_policy: Runs at 1 in the policy only.
        only_baseline: Runs at 1 in the baseline only.
        neither: Runs at 0 in both.
        level: Confidence level in (0, 1), e.g. 0.90.

    Returns:
        ``(low, high)``, within [-1, 1]; NaN where there is no run.
    """
    from statsmodels.stats.proportion import proportion_confint

    e, f, g, h = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                       for x in (both, only_policy, only_baseline, neither)))
    n = e + f + g + h
    ok = n > 0
    n1 = np.where(ok, n, 1.0)  # placeholders where there is no run; masked below
    p1, p2 = (e + f) / n1, (e + g) / n1
    l1, u1 = proportion_confint(e + f, n1, alpha=1 - level, method="wilson")
    l2, u2 = proportion_confint(e + g, n1, alpha=1 - level, method="wilson")
    # Newcombe's phi: the correlation of the pairs, its positive part corrected by n/2
    # (continuity), 0 when a margin is empty.
    a = (e + f) * (g + h) * (e + g) * (f + h)
    b = e * h - f * g
    c = np.where(b > n / 2, b - n / 2, np.where(b < 0, b, 0.0))
    phi = np.where(a > 0, c / np.sqrt(np.where(a > 0, a, 1.0)), 0.0)
    d = p1 - p2
    below = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    above = (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2
    # max(., 0): rounding of a square that is 0 (every run at 1 on one side).
    low = np.clip(d - np.sqrt(np.maximum(below, 0.0)), -1.0, 1.0)
    high = np.clip(d + np.sqrt(np.maximum(above, 0.0)), -1.0, 1.0)
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def pair_counts(policy: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Runs at (1, 1), (1, 0), (0, 1), (0, 0) in each row of two keys x runs tables.

    Returns a (keys x 4) float array, Newcombe's e, f, g, h; NaN (a run without
    that key) counts in no cell.
    """
    p, b = np.asarray(policy), np.asarray(baseline)
    cells = [(p == 1) & (b == 1), (p == 1) & (b == 0), (p == 0) & (b == 1), (p == 0) & (b == 0)]
    return np.stack([c.sum(axis=1) for c in cells], axis=1).astype(float)


def indicator_of(rows: pd.DataFrame) -> np.ndarray:
    """Each row's indicator as text ("" for a table without an indicator key: one kind)."""
    if "indicator" in rows:
        return rows["indicator"].astype(str).to_numpy()
    return np.full(len(rows), "", dtype=object)


def apply_share_intervals(summary: pd.DataFrame, counts: np.ndarray, binary: Collection[str],
                          level: float) -> None:
    """Give the rows of ``binary`` indicators Newcombe's interval, in place.

    Args:
        summary: Rows of :func:`scosim.compare.summarise` (t or bootstrap).
        counts: :func:`pair_counts` of those rows (NaN rows: not a candidate).
        binary: Indicators 0 or 1 in every run (:func:`zero_one_indicators`).
        level: Confidence level.
    """
    rows = np.isin(indicator_of(summary), list(binary)) & np.isfinite(counts).all(axis=1)
    if not rows.any():
        return
    from scosim.compare import interval_label

    low, high = newcombe_paired(*counts[rows].T, level=level)
    at = summary.index[rows]
    summary.loc[at, "low"] = low
    summary.loc[at, "high"] = high
    for col, value in (("method", NEWCOMBE), ("interval", interval_label(NEWCOMBE, level))):
        summary[col] = summary[col].astype(object)
        summary.loc[at, col] = value


def zero_one_flags(table: pd.DataFrame) -> pd.DataFrame:
    """Per indicator of a tidy table: any value not 0 or 1 (NaN aside), any 0, any 1.

    Columns ``other, zero, one`` (bool), indexed by indicator name (str). Flags of
    several tables (batch files) combine with ``|`` (:func:`zero_one_indicators`).
    """
    v = table["value"].to_numpy(dtype=float)
    flags = pd.DataFrame({"other": ~((v == 0) | (v == 1) | np.isnan(v)),
                          "zero": v == 0, "one": v == 1})
    out = flags.groupby(table["indicator"].astype(str).to_numpy(), sort=True).any()
    out.index.name = "indicator"
    return out


def combine_flags(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """:func:`zero_one_flags` of several tables of one side (its batch files) as one."""
    parts = list(parts)
    if not parts:
        return pd.DataFrame({"other": [], "zero": [], "one": []}, dtype=bool)
    return pd.concat(parts).groupby(level=0).any()


def zero_one_indicators(policy: pd.DataFrame, baseline: pd.DataFrame, *,
                        both_values: bool = True) -> set[str]:
    """Indicators both sides record, 0 or 1 in every run of both, taking both values.

    Args:
        policy: :func:`zero_one_flags` of the policy (:func:`combine_flags` of its files).
        baseline: The same of the baseline.
        both_values: Require both a 0 and a 1 somewhere (False: candidates only,
            e.g. in one group of rows of a larger comparison).

    Returns:
        The indicator names.
    """
    common = policy.index.intersection(baseline.index)
    p, b = policy.loc[common], baseline.loc[common]
    keep = ~(p["other"] | b["other"])
    if both_values:
        keep &= (p["zero"] | b["zero"]) & (p["one"] | b["one"])
    return {str(i) for i in common[keep.to_numpy(dtype=bool)]}


def ci_heading(labels: Sequence[str] | pd.Series, default: str) -> str:
    """The heading of a column of intervals of the mean: their one label, or both kinds.

    Rows of 0/1 indicators hold Newcombe's paired interval, the others t or bootstrap
    (``interval`` column of a summary): a mixed column is headed, e.g., "90 % CI of the
    mean (t; Newcombe for 0/1 indicators)".
    """
    kinds = list(dict.fromkeys(str(x) for x in labels))
    if len(kinds) <= 1:
        return kinds[0] if kinds else default
    others = [k for k in kinds if "Newcombe" not in k]
    head = (others[0] if others else default).removesuffix(")")
    return f"{head}; Newcombe for 0/1 indicators)"


def share_method_text(summary: pd.DataFrame, level: float) -> list[str]:
    """The report's paragraph on the 0/1 indicators of ``summary`` (none: no paragraph)."""
    lvl = f"{level * 100:g}%"
    shares = (sorted({str(i) for i in summary.loc[summary["method"] == NEWCOMBE, "indicator"]})
              if "indicator" in summary else [])
    if not shares:
        return []
    return [
        f"**0/1 indicators** ({', '.join(shares)}) are 0 or 1 in every run (a membership, "
        "an adoption): their mean change is a difference of two shares of runs, and its "
        f"{lvl} CI is Newcombe's paired score interval (Newcombe 1998, Statistics in "
        "Medicine 17:2635, method 10: the Wilson intervals of both shares, corrected for "
        "their correlation across the paired runs). It stays within -1 to 1 and does not "
        "shrink to zero width when every run agrees, as the t interval of -1/0/+1 "
        "differences does."]
