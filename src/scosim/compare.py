"""Paired comparison of a policy run against a baseline run, with uncertainty.

Runs are paired by run index. A baseline and a policy with the same seed draw
the same random numbers in run ``r`` (streams keyed by seed, run and
mechanism: *common random numbers*), so the run-level difference
``d_r = policy_r - baseline_r`` is the effect of the policy in that run, not
luck. Summaries are over the ``R`` paired differences:

- ``method="t"``: confidence interval for the **mean** difference,
  ``mean ± t_{(1+level)/2, R-1} * sd / sqrt(R)``. Narrows as ``1/sqrt(R)``:
  more runs, sharper estimate of the average effect.
- ``method="bootstrap"``: confidence interval for the **mean** difference by
  percentile bootstrap (resampling runs with replacement). Same target as
  ``"t"``, no normality assumption.
- ``method="percentile"``: the spread of the **run-level** differences, the
  central ``level`` share of runs ("90 % of runs fall between"). It does not
  shrink with more runs: it describes how much the outcome varies from one
  possible world to another.

For an indicator that is 0 or 1 in every run of both scenarios (a membership,
an adoption: a share of runs) ``"t"`` and ``"bootstrap"`` give instead
Newcombe's paired score interval of the difference of the two shares
(:mod:`scosim.compare_shares`; row ``method`` ``"newcombe"``): the t interval of
-1/0/+1 differences can pass -1 or +1 and has zero width whenever every run agrees.

Every summary row carries an ``interval`` column naming which interval it holds.

**Memory.** :func:`compare_results` never holds the two runs' whole tables:
keys are independent (every statistic is per year, economy and indicator), so
it pairs and summarises one group of indicators at a time, at most
:data:`CHUNK_ROWS` rows of each run (runs larger than that are first split into
those groups in one pass over their batch files, in a temporary directory). The
numbers are those of pairing the whole tables at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from scosim.compare_pairs import (  # noqa: F401  (the pairing helpers, importable from here)
    PairingError,
    _check_runs,
    _check_tables,
    _Layout,
    _pair,
    _unmatched_message,
    _unpaired,
    warn_unmatched,
)
from scosim.compare_shares import (
    NEWCOMBE,
    apply_share_intervals,
    indicator_of,
    pair_counts,
    zero_one_flags,
    zero_one_indicators,
)
from scosim.experiments.executors import INDICATOR_COLUMNS

KEYS: tuple[str, ...] = ("year", "country", "indicator")
Method = Literal["t", "bootstrap", "percentile"]
METHODS: tuple[str, ...] = ("t", "bootstrap", "percentile")
#: Columns :func:`summarise` adds to the key columns.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "n_runs",
    "mean",
    "sd",
    "low",
    "high",
    "share_positive",
    "method",
    "level",
    "interval",
    "median",
)


#: Rows of each run :func:`compare_results` pairs at once (a group of indicators,
#: or of one indicator's years). Pairing (an outer join) and summarising take some
#: 300 MB per million rows; 500,000 kept ``compare_results`` of two 2,000-run
#: customs-union runs under 500 MiB peak RSS, whatever the replications.
CHUNK_ROWS = 500_000
#: Columns a comparison reads (never an event detail, never anything else): the
#: tidy indicator table's columns.
READ_COLUMNS: tuple[str, ...] = INDICATOR_COLUMNS


def interval_label(method: str, level: float) -> str:
    """Plain-language name of an interval, e.g. ``"90 % CI of the mean (t)"``.

    The spread of runs (``"percentile"``) is named by its ends, ``"5-95 % of runs"``, as
    the run's answer and the sweep's figures name that band; "90% of runs between" beside
    "the 5-95 % range of runs" read as two bands. "%" with a space, as the project writes it.
    """
    pct = f"{level * 100:g} %"
    if method == NEWCOMBE:
        return f"{pct} CI of the mean (Newcombe, paired 0/1)"
    if method == "t":
        return f"{pct} CI of the mean (t)"
    if method == "bootstrap":
        return f"{pct} CI of the mean (bootstrap)"
    if method == "percentile":
        return runs_band(level)
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def runs_band(level: float) -> str:
    """The central ``level`` share of runs by its ends: ``"5-95 % of runs"`` at 0.9."""
    return f"{(1 - level) * 50:g}-{(1 + level) * 50:g} % of runs"


def paired_differences(
    policy: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    by: Sequence[str] = KEYS,
) -> pd.DataFrame:
    """Run-by-run differences ``policy - baseline`` on matching keys.

    Args:
        policy: Tidy indicators of the policy (columns ``run``, ``by...``, ``value``).
        baseline: Tidy indicators of the baseline, same layout.
        by: Key columns besides ``run`` (default year, country, indicator).

    Returns:
        Columns ``run, *by, policy, baseline, diff``, sorted by keys then run.
        Keys present in only one table (e.g. an indicator only the policy
        reports) are dropped with a warning.

    Raises:
        PairingError: Missing columns, duplicated (run, keys) rows, or the two
            tables do not hold the same run indices.
    """
    by = list(by)
    _check_tables(policy, baseline, by)
    _check_runs(
        {int(r) for r in policy["run"].unique()}, {int(r) for r in baseline["run"].unique()}
    )
    out, unmatched, _ = _pair(policy, baseline, by)
    if unmatched:
        warn_unmatched(unmatched, _unpaired(policy, baseline, out), by)
    return out


def _wide(diffs: pd.DataFrame, keys: list[str],
          layout: _Layout | None, col: str = "diff") -> tuple[pd.DataFrame, np.ndarray]:
    """Keys table and differences as keys x runs (NaN where a run lacks a key).

    What ``set_index([*keys, "run"])["diff"].unstack("run")`` gives, keys and runs in
    sorted order. With the layout of :func:`_pair`'s output the rows are placed by
    their codes instead (the unstack was three quarters of summarising).
    """
    if layout is None or len(diffs) == 0:
        wide = diffs.set_index([*keys, "run"])[col].unstack("run")
        return wide.index.to_frame(index=False), wide.to_numpy(dtype=float)
    new = np.ones(len(diffs), dtype=bool)
    new[1:] = layout.key[1:] != layout.key[:-1]
    starts = np.flatnonzero(new)
    _, at = np.unique(layout.run, return_inverse=True)  # only runs that have a row
    v = np.full((len(starts), int(at.max()) + 1), np.nan)
    v[np.cumsum(new) - 1, at] = diffs[col].to_numpy(dtype=float)
    return diffs[keys].iloc[starts].reset_index(drop=True), v


def _bootstrap_counts(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` resamples of ``n`` runs as a multinomial count matrix (n_boot x n)."""
    return rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)


def _bootstrap_means(v: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Bootstrap means of each row of ``v`` (G x n): resample counts times values.

    A multinomial count matrix (B x n) turns B resamples of all G rows into one
    matrix product, instead of G*B Python-level resamples.
    """
    return v @ counts.T / v.shape[1]


def summarise(
    diffs: pd.DataFrame,
    *,
    level: float = 0.90,
    method: Method | str = "t",
    seed: int = 0,
    n_boot: int = 2000,
    binary: Collection[str] | None = None,
    _counts: Callable[[int], np.ndarray] | None = None,
    _layout: _Layout | None = None,
) -> pd.DataFrame:
    """Summarise paired differences per key: mean, interval, runs, share above zero.

    Args:
        diffs: Output of :func:`paired_differences` (columns ``run``, keys, ``diff``;
            ``policy``/``baseline`` are optional).
        level: Interval level in (0, 1), e.g. 0.90.
        method: ``"t"`` or ``"bootstrap"`` (confidence interval of the *mean*
            difference) or ``"percentile"`` (central ``level`` share of the
            *run-level* differences); see the module docstring.
        seed: Seed of the bootstrap resampling (``method="bootstrap"`` only).
        n_boot: Bootstrap resamples.
        binary: Indicators that are 0 or 1 in every run: with ``"t"`` or
            ``"bootstrap"`` their rows get Newcombe's paired interval instead
            (``method`` "newcombe"; :mod:`scosim.compare_shares`). Default: those
            of ``diffs`` whose ``policy`` and ``baseline`` values are all 0 or 1
            and take both values (none without those columns).
        _counts: Bootstrap count matrix for a number of runs (internal: lets
            :func:`compare_results` summarise key groups one at a time with the
            resamples one call over all keys would draw).
        _layout: Row layout of ``diffs`` as :func:`_pair` returned it (internal).

    Returns:
        One row per key with columns ``*keys, n_runs, mean, sd, low, high,
        share_positive, method, level, interval, median`` (with ``"percentile"`` also
        ``n_nonzero, nonzero_min, nonzero_max``: runs whose difference is not 0, the
        smallest and largest such). ``share_positive`` is the
        share of runs whose difference is > 0, ``median`` the median run's difference;
        ``method`` and ``interval`` name what each row's ``low``/``high`` are. With one
        run, ``t`` and ``bootstrap`` give NaN bounds (Newcombe's interval is defined
        from one run).
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    label = interval_label(method, level)
    keys = [c for c in diffs.columns if c not in ("run", "policy", "baseline", "diff")]
    if not keys:
        raise ValueError("diffs has no key columns besides run/policy/baseline/diff")
    index, v = _wide(diffs, keys, _layout)  # G keys x R runs, NaN where a run lacks a key
    n = np.sum(~np.isnan(v), axis=1)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(v, axis=1)
        sd = np.nanstd(v, axis=1, ddof=1)
        # The typical run beside the mean: a few runs in which a member leaves pulled
        # India's mean above zero while 15 of 20 runs lost (the bar chart's marker).
        median = np.nanmedian(v, axis=1)
    share = np.where(n > 0, np.nansum(v > 0, axis=1) / np.maximum(n, 1), np.nan)
    alpha = (1 - level) / 2
    if method == "t":
        with np.errstate(invalid="ignore", divide="ignore"):
            half = stats.t.ppf(1 - alpha, n - 1) * sd / np.sqrt(n)
        low, high = mean - half, mean + half
    elif method == "percentile":
        # Keys with no run (indicators defined only for participants) give NaN, quietly.
        # Rows without a missing run take np.quantile (the same numbers: nanquantile
        # drops the NaNs of each row and calls it), vectorised, 15x faster.
        full = ~np.isnan(v).any(axis=1)
        low, high = np.full(len(v), np.nan), np.full(len(v), np.nan)
        if full.any():
            low[full], high[full] = np.quantile(v[full], [alpha, 1 - alpha], axis=1)
        if not full.all():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                low[~full], high[~full] = np.nanquantile(v[~full], [alpha, 1 - alpha], axis=1)
    else:
        rng = np.random.default_rng(seed)
        draw = _counts or (lambda size: _bootstrap_counts(size, n_boot, rng))
        low, high = np.full(len(v), np.nan), np.full(len(v), np.nan)
        # Rows share a resampling scheme per run count; ragged rows are compacted.
        for size in np.unique(n):
            if size < 2:
                continue
            rows = np.flatnonzero(n == size)
            block = np.stack([r[~np.isnan(r)] for r in v[rows]])
            boot = _bootstrap_means(block, draw(int(size)))
            low[rows], high[rows] = np.quantile(boot, [alpha, 1 - alpha], axis=1)
    out = index
    out["n_runs"] = n
    out["mean"] = mean
    out["sd"] = sd
    out["low"] = low
    out["high"] = high
    out["share_positive"] = share
    out["method"] = method
    out["level"] = level
    out["interval"] = label
    out["median"] = median
    if method == "percentile":
        # Where most runs' differences are exactly 0, a band interpolated between runs
        # shows values no run had: how many differ, and the least and most they do.
        hit = ~np.isnan(v) & (v != 0)
        some = hit.any(axis=1)
        out["n_nonzero"] = hit.sum(axis=1)
        lo = np.min(np.where(hit, v, np.inf), axis=1, initial=np.inf)
        hi = np.max(np.where(hit, v, -np.inf), axis=1, initial=-np.inf)
        out["nonzero_min"] = np.where(some, lo, np.nan)
        out["nonzero_max"] = np.where(some, hi, np.nan)
    else:
        # Shares of runs, after the t or bootstrap bounds of every row: the bootstrap
        # draws (so the other rows' bounds) do not depend on which rows they are.
        if binary is None:
            binary = _zero_one_in(diffs)
        if binary:
            counts = share_counts(diffs, _layout, candidates=binary)
            apply_share_intervals(out, counts, binary, level)
    return out


def _zero_one_in(diffs: pd.DataFrame) -> set[str]:
    """The 0/1 indicators of paired differences, from their policy and baseline values."""
    if "policy" not in diffs or "baseline" not in diffs:
        return set()
    table = diffs if "indicator" in diffs else diffs.assign(indicator="")
    return zero_one_indicators(zero_one_flags(table.rename(columns={"policy": "value"})),
                               zero_one_flags(table.rename(columns={"baseline": "value"})))


def share_counts(diffs: pd.DataFrame, layout: _Layout | None, *,
                 candidates: Collection[str]) -> np.ndarray:
    """Runs at (1, 1), (1, 0), (0, 1), (0, 0) per key of ``diffs``, in summary order.

    Only for keys of the ``candidates`` indicators (others: NaN), from the ``policy``
    and ``baseline`` columns (:func:`scosim.compare_shares.pair_counts`).
    """
    keys = [c for c in diffs.columns if c not in ("run", "policy", "baseline", "diff")]
    if "policy" not in diffs or "baseline" not in diffs:
        return np.full((len(_wide(diffs, keys, layout)[0]), 4), np.nan)
    index, policy = _wide(diffs, keys, layout, "policy")
    out = np.full((len(index), 4), np.nan)
    rows = np.isin(indicator_of(index), list(candidates))
    if rows.any():
        out[rows] = pair_counts(policy[rows], _wide(diffs, keys, layout, "baseline")[1][rows])
    return out


@dataclass
class Comparison:
    """A policy compared with a baseline, run by run.

    Attributes:
        diffs: Run-level paired differences (see :func:`paired_differences`).
            A comparison read from disk (:func:`compare_results`) does not hold
            them: they are read and paired on first access, every indicator of
            every run, in memory that grows with the replications.
        summary: Confidence interval of the mean difference per key
            (``method`` "t" or "bootstrap").
        spread: Central ``level`` share of run-level differences per key
            (``method="percentile"``).
        level: Interval level.
        method: Method of ``summary``.
        policy_manifest: Manifest of the policy run ({} if not read from disk).
        baseline_manifest: Manifest of the baseline run.
        policy_dir: Where the policy results are, if read from disk.
        baseline_dir: Where the baseline results are, if read from disk.
        report_year: Year a report tabulates (set by ``scosim compare``).
        report_year_note: Why that year (the last, the largest effect, chosen).
        report_indicators: Indicators a report shows, in order (set by ``scosim compare``:
            those asked for, else the trade ones and what the runs' mechanisms and
            proposal types name, :func:`scosim.api.report_indicators`).
        own_baseline: Indicators whose differences are the policy run's own values.
        own_policy: Those of them zero by construction in the policy run too (neither run
            has a trade policy): every difference is 0.
        one_side: Indicators only one run records, not compared, each with which run
            (``"only the policy run records"``, :func:`scosim.compare_pairs.one_side`): a
            mechanism or proposal type that only one of the scenarios has.
    """

    # repr and == leave it out: it may be unread (see the property below the class).
    diffs: pd.DataFrame | None = field(repr=False, compare=False)
    summary: pd.DataFrame
    spread: pd.DataFrame
    level: float
    method: str
    policy_manifest: dict = field(default_factory=dict)
    baseline_manifest: dict = field(default_factory=dict)
    policy_dir: Path | None = None
    baseline_dir: Path | None = None
    report_year: int | None = None
    report_year_note: str = ""
    report_indicators: tuple[str, ...] = ()
    #: Reads the run-level differences on demand (indicators or None for all).
    load_diffs: Callable[[Sequence[str] | None], pd.DataFrame] | None = field(
        default=None, repr=False, compare=False
    )
    #: Indicators compared by the policy run's own values: the baseline run's are zero
    #: by construction (see :data:`scosim.compare_read.OWN_BASELINE`).
    own_baseline: tuple[str, ...] = ()
    own_policy: tuple[str, ...] = ()
    one_side: dict[str, str] = field(default_factory=dict)
    _diffs: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    def subset(self, indicators: Sequence[str]) -> Comparison:
        """The comparison of only these indicators (run-level differences still lazy)."""
        keep = list(indicators)
        held = self._diffs
        loader = self.load_diffs
        return Comparison(
            diffs=None if held is None else held[held["indicator"].isin(keep)],
            summary=self.summary[self.summary["indicator"].isin(keep)],
            spread=self.spread[self.spread["indicator"].isin(keep)],
            level=self.level,
            method=self.method,
            policy_manifest=self.policy_manifest,
            baseline_manifest=self.baseline_manifest,
            policy_dir=self.policy_dir,
            baseline_dir=self.baseline_dir,
            report_year=self.report_year,
            report_year_note=self.report_year_note,
            report_indicators=tuple(i for i in self.report_indicators if i in keep),
            own_baseline=tuple(i for i in self.own_baseline if i in keep),
            own_policy=tuple(i for i in self.own_policy if i in keep),
            one_side=self.one_side,  # still not compared: named whatever is kept
            load_diffs=None if loader is None else (lambda _=None: loader(keep)),
        )

    def table(self, year: int | None = None) -> pd.DataFrame:
        """Summary and spread side by side for one year (default: the last year).

        Columns: keys, ``n_runs, mean, median, low, high, share_positive, runs_low,
        runs_high, sd, interval`` (``interval`` names each row's ``low``/``high``;
        ``median``, of the same paired differences, when the summary has it).
        """
        s, p = self.summary, self.spread
        keys = [c for c in s.columns if c not in SUMMARY_COLUMNS]
        if "year" in keys:
            year = int(s["year"].max()) if year is None else year
            s, p = s[s["year"] == year], p[p["year"] == year]
        mid = ["median"] if "median" in s else []
        t = s[[*keys, "n_runs", "mean", *mid, "low", "high", "share_positive"]].merge(
            p[[*keys, "low", "high"]].rename(columns={"low": "runs_low", "high": "runs_high"}),
            on=keys,
        )
        t = t.merge(s[[*keys, "sd", "interval"]], on=keys)
        return t.reset_index(drop=True)


def _get_diffs(self: Comparison) -> pd.DataFrame:
    if self._diffs is None and self.load_diffs is not None:
        self._diffs = self.load_diffs(None)
    if self._diffs is None:
        raise AttributeError("this comparison holds no run-level differences")
    return self._diffs


def _set_diffs(self: Comparison, value: pd.DataFrame | None) -> None:
    self._diffs = value


# After the dataclass is built, so that ``Comparison(diffs=...)`` goes through the setter
# and the field stays the constructor's first argument.
Comparison.diffs = property(_get_diffs, _set_diffs)  # type: ignore[assignment]


def _check_method(method: str) -> None:
    """Refuse a comparison method other than a CI of the mean (``"t"``, ``"bootstrap"``)."""
    if method not in ("t", "bootstrap"):
        raise ValueError(
            f"method {method!r}: the comparison's summary is a CI of the mean ('t' or "
            "'bootstrap'); the percentile spread of runs is always computed as `spread`"
        )


def compare(
    policy: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    by: Sequence[str] = KEYS,
    level: float = 0.90,
    method: Method | str = "t",
    seed: int = 0,
) -> Comparison:
    """Paired comparison of two in-memory indicator tables (see :func:`compare_results`)."""
    _check_method(method)
    diffs = paired_differences(policy, baseline, by=by)
    # 0/1 indicators judged on every value of both tables, paired or not (as
    # compare_results does from the batch files).
    binary = (zero_one_indicators(zero_one_flags(policy), zero_one_flags(baseline))
              if "indicator" in by else None)
    return Comparison(
        diffs=diffs,
        summary=summarise(diffs, level=level, method=method, seed=seed, binary=binary),
        spread=summarise(diffs, level=level, method="percentile", seed=seed),
        level=level,
        method=method,
    )


#: Reading runs from disk lives in :mod:`scosim.compare_read`; importable from here.
_FROM_DISK = (
    "check_pairable", "compare_results", "read_indicators", "read_manifest",
    "_check_common_years",
)


_PLOTS = ("plot_difference_over_time", "plot_final_year")


def __getattr__(name: str) -> Any:
    # Lazy (PEP 562): scosim.compare_read imports this module; the plots need matplotlib.
    if name in _FROM_DISK:
        from scosim import compare_read

        return getattr(compare_read, name)
    if name in _PLOTS:
        from scosim import compare_plots

        return getattr(compare_plots, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def no_change(rows: pd.DataFrame) -> np.ndarray:
    """Rows (of a summary or its :meth:`Comparison.table`) where no paired run changed.

    True where at least one run is paired and every paired difference is exactly 0:
    the mean and the differences' sd are 0, or the mean of a single run is 0.
    Without an ``sd`` column, the mean and the interval are 0 (a t or bootstrap
    interval is 0 only if the sd is; Newcombe's interval of 0/1 indicators is
    never, so their rows need the ``sd``). Rows without a pair (NaN) are not "no
    change": there is nothing to compare.

    Args:
        rows: Columns ``n_runs``, ``mean`` and ``sd`` (or ``low`` and ``high``).

    Returns:
        One bool per row.
    """
    n = rows["n_runs"].to_numpy()
    mean = rows["mean"].to_numpy(dtype=float)
    if "sd" in rows:
        same = rows["sd"].to_numpy(dtype=float) == 0
    else:
        same = (rows["low"].to_numpy(dtype=float) == 0) & (rows["high"].to_numpy(dtype=float) == 0)
    return (n > 0) & (mean == 0) & (same | (n == 1))


def largest_effect_year(summary: pd.DataFrame, indicator: str) -> tuple[int, str]:
    """The year to report for ``indicator``: the last one, unless nothing is left by then.

    A policy whose effect has vanished by the last year (a union that
    dissolved) would read "0 to 0" everywhere; then the year with the largest
    mean effect (in absolute value, over countries) is reported instead, as the
    run plots do.

    Returns:
        ``(year, note)``, the note saying why this year.
    """
    d = summary[summary["indicator"] == indicator]
    if d.empty:
        d = summary
    by_year = d.assign(a=d["mean"].abs()).groupby("year")["a"].max()
    last = int(by_year.index.max())
    if by_year.loc[last] > 1e-9 or not (by_year > 1e-9).any():
        return last, "the last simulated year"
    peak = int(by_year.idxmax())
    return peak, f"the year of largest effect on {indicator}; none is left by {last}"
