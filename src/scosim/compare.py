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

Every summary carries an ``interval`` column naming which of these it holds.

**Memory.** :func:`compare_results` never holds the two runs' whole tables:
keys are independent (every statistic is per year, economy and indicator), so
it pairs and summarises one group of indicators at a time, at most
:data:`CHUNK_ROWS` rows of each run (runs larger than that are first split into
those groups in one pass over their batch files, in a temporary directory). The
numbers are those of pairing the whole tables at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

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
)


#: Rows of each run :func:`compare_results` pairs at once (a group of indicators,
#: or of one indicator's years). Pairing (an outer join) and summarising take some
#: 300 MB per million rows; 500,000 kept ``compare_results`` of two 2,000-run
#: customs-union runs under 500 MiB peak RSS, whatever the replications.
CHUNK_ROWS = 500_000
#: Columns a comparison reads (never an event detail, never anything else): the
#: tidy indicator table's columns.
READ_COLUMNS: tuple[str, ...] = INDICATOR_COLUMNS


class PairingError(ValueError):
    """Two result sets cannot be compared run by run."""


def interval_label(method: str, level: float) -> str:
    """Plain-language name of an interval, e.g. ``"90% CI of the mean (t)"``."""
    pct = f"{level * 100:g}%"
    if method == "t":
        return f"{pct} CI of the mean (t)"
    if method == "bootstrap":
        return f"{pct} CI of the mean (bootstrap)"
    if method == "percentile":
        return f"{pct} of runs between"
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


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
    out, unmatched = _pair(policy, baseline, by)
    if unmatched:
        warnings.warn(_unmatched_message(unmatched), stacklevel=2)
    return out


def _check_tables(policy: pd.DataFrame, baseline: pd.DataFrame, by: list[str]) -> None:
    """Both tables have the key columns and report each (run, keys) once."""
    cols = ["run", *by, "value"]
    for name, df in (("policy", policy), ("baseline", baseline)):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise PairingError(f"{name} table is missing columns {missing}; needs {cols}")
        dup = df.duplicated(["run", *by])
        if dup.any():
            first = df.loc[dup, ["run", *by]].iloc[0].to_dict()
            raise PairingError(
                f"{name} table has {int(dup.sum())} duplicated (run, {', '.join(by)}) rows, "
                f"e.g. {first}; each run must report each key once"
            )


def _check_runs(runs_p: set[int], runs_b: set[int]) -> None:
    if runs_p != runs_b:
        only_p, only_b = sorted(runs_p - runs_b)[:5], sorted(runs_b - runs_p)[:5]
        raise PairingError(
            "policy and baseline do not hold the same runs (runs are paired by index: run r "
            "of both shares its random numbers). "
            f"Only in policy: {only_p}{'...' if len(runs_p - runs_b) > 5 else ''}; "
            f"only in baseline: {only_b}{'...' if len(runs_b - runs_p) > 5 else ''}"
        )


def _unmatched_message(n: int) -> str:
    return (
        f"{n} rows have keys present in only one of policy/baseline "
        "(e.g. an indicator only one scenario reports); they are left out of the comparison"
    )


def _pair(
    policy: pd.DataFrame, baseline: pd.DataFrame, by: list[str]
) -> tuple[pd.DataFrame, int]:
    """Join on (run, keys): paired rows sorted by keys then run, and how many had no pair."""
    cols = ["run", *by, "value"]
    merged = policy[cols].merge(
        baseline[cols], on=["run", *by], how="outer", suffixes=("_p", "_b"), indicator=True
    )
    unmatched = merged["_merge"] != "both"
    n_unmatched = int(unmatched.sum())
    if n_unmatched:
        merged = merged[~unmatched]
    out = pd.DataFrame(
        {
            "run": merged["run"].to_numpy(),
            **{k: merged[k].to_numpy() for k in by},
            "policy": merged["value_p"].to_numpy(dtype=float),
            "baseline": merged["value_b"].to_numpy(dtype=float),
        }
    )
    out["diff"] = out["policy"] - out["baseline"]
    return out.sort_values([*by, "run"], kind="stable").reset_index(drop=True), n_unmatched


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
    _counts: Callable[[int], np.ndarray] | None = None,
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
        _counts: Bootstrap count matrix for a number of runs (internal: lets
            :func:`compare_results` summarise key groups one at a time with the
            resamples one call over all keys would draw).

    Returns:
        One row per key with columns ``*keys, n_runs, mean, sd, low, high,
        share_positive, method, level, interval``. ``share_positive`` is the
        share of runs whose difference is > 0; ``interval`` names what
        ``low``/``high`` are. With one run, ``t`` and ``bootstrap`` give NaN bounds.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    label = interval_label(method, level)
    keys = [c for c in diffs.columns if c not in ("run", "policy", "baseline", "diff")]
    if not keys:
        raise ValueError("diffs has no key columns besides run/policy/baseline/diff")
    wide = diffs.set_index([*keys, "run"])["diff"].unstack("run")
    v = wide.to_numpy(dtype=float)  # G keys x R runs, NaN where a run lacks a key
    n = np.sum(~np.isnan(v), axis=1)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(v, axis=1)
        sd = np.nanstd(v, axis=1, ddof=1)
    share = np.where(n > 0, np.nansum(v > 0, axis=1) / np.maximum(n, 1), np.nan)
    alpha = (1 - level) / 2
    if method == "t":
        with np.errstate(invalid="ignore", divide="ignore"):
            half = stats.t.ppf(1 - alpha, n - 1) * sd / np.sqrt(n)
        low, high = mean - half, mean + half
    elif method == "percentile":
        # Keys with no run (indicators defined only for participants) give NaN, quietly.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = np.nanquantile(v, [alpha, 1 - alpha], axis=1)
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
    out = wide.index.to_frame(index=False)
    out["n_runs"] = n
    out["mean"] = mean
    out["sd"] = sd
    out["low"] = low
    out["high"] = high
    out["share_positive"] = share
    out["method"] = method
    out["level"] = level
    out["interval"] = label
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
    #: Reads the run-level differences on demand (indicators or None for all).
    load_diffs: Callable[[Sequence[str] | None], pd.DataFrame] | None = field(
        default=None, repr=False, compare=False
    )
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
            load_diffs=None if loader is None else (lambda _=None: loader(keep)),
        )

    def table(self, year: int | None = None) -> pd.DataFrame:
        """Summary and spread side by side for one year (default: the last year)."""
        s, p = self.summary, self.spread
        keys = [c for c in s.columns if c not in SUMMARY_COLUMNS]
        if "year" in keys:
            year = int(s["year"].max()) if year is None else year
            s, p = s[s["year"] == year], p[p["year"] == year]
        t = s[[*keys, "n_runs", "mean", "low", "high", "share_positive"]].merge(
            p[[*keys, "low", "high"]].rename(columns={"low": "runs_low", "high": "runs_high"}),
            on=keys,
        )
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
    return Comparison(
        diffs=diffs,
        summary=summarise(diffs, level=level, method=method, seed=seed),
        spread=summarise(diffs, level=level, method="percentile", seed=seed),
        level=level,
        method=method,
    )


#: Reading runs from disk lives in :mod:`scosim.compare_read`; importable from here.
_FROM_DISK = (
    "check_pairable", "compare_results", "read_indicators", "read_manifest",
    "_check_common_years",
)


def __getattr__(name: str) -> Any:
    # Lazy (PEP 562): scosim.compare_read imports this module.
    if name in _FROM_DISK:
        from scosim import compare_read

        return getattr(compare_read, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


# --------------------------------------------------------------------------- plots


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: str | Path | None) -> Any:
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110, bbox_inches="tight")
    return fig


def _one_indicator(summary: pd.DataFrame, indicator: str) -> pd.DataFrame:
    d = summary[summary["indicator"] == indicator]
    if d.empty:
        have = sorted(summary["indicator"].unique())[:10]
        raise ValueError(f"indicator {indicator!r} not in the summary; have e.g. {have}")
    return d


def plot_difference_over_time(
    summary: pd.DataFrame,
    indicator: str,
    *,
    spread: pd.DataFrame | None = None,
    units: str | None = None,
    countries: Sequence[str] | None = None,
    ncols: int = 4,
    path: str | Path | None = None,
) -> Any:
    """Small multiples, one per country: mean difference over years with its interval band.

    Args:
        summary: Output of :func:`summarise` (keys year, country, indicator).
        indicator: Indicator to plot.
        spread: Optional percentile summary (``method="percentile"``), drawn as a
            lighter outer band: where the run-level outcomes fall.
        units: Units of the indicator, for the axis label.
        countries: Countries to show (default: all in the summary).
        ncols: Panels per row.
        path: Save the figure there (PNG) if given.

    Returns:
        The matplotlib Figure.
    """
    plt = _plt()
    d = _one_indicator(summary, indicator)
    cs = list(countries) if countries is not None else sorted(d["country"].unique())
    nrows = -(-len(cs) // ncols)
    ncols = min(ncols, len(cs))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(3.2 * ncols, 2.3 * nrows + 1.2),
        sharex=True,
        squeeze=False,
        layout="constrained",  # room for the suptitle and the legend below
    )
    from matplotlib.ticker import MaxNLocator

    label = str(d["interval"].iloc[0])
    sp = _one_indicator(spread, indicator) if spread is not None else None
    for ax, c in zip(axes.flat, cs, strict=False):
        if sp is not None:
            f = sp[sp["country"] == c].sort_values("year")
            ax.fill_between(
                f["year"], f["low"], f["high"], color="tab:blue", alpha=0.12,
                label=str(sp["interval"].iloc[0]),
            )  # fmt: skip
        e = d[d["country"] == c].sort_values("year")
        ax.fill_between(e["year"], e["low"], e["high"], color="tab:blue", alpha=0.35, label=label)
        ax.plot(e["year"], e["mean"], color="tab:blue", lw=1.6, label="mean difference")
        ax.axhline(0, color="black", lw=0.6)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(str(c), fontsize=10)
        ax.set_xlabel("year", fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(cs) :]:
        ax.set_visible(False)
    # One shared y label: repeated on every panel it overlaps its neighbours.
    fig.supylabel(f"policy − baseline ({units or 'indicator units'})", fontsize=10)
    n = int(d["n_runs"].max())
    fig.suptitle(
        f"{indicator}: policy minus baseline, by country\n"
        f"line: mean of {n} paired runs; band: {label}"
        + (f"; light band: {sp['interval'].iloc[0]}" if sp is not None else "")
    )
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, frameon=False)
    return _save(fig, path)


def plot_final_year(
    summary: pd.DataFrame,
    indicator: str,
    *,
    year: int | None = None,
    units: str | None = None,
    path: str | Path | None = None,
) -> Any:
    """Who gains, who loses: mean difference per country in one year, with interval whiskers.

    Args:
        summary: Output of :func:`summarise`.
        indicator: Indicator to plot.
        year: Year to show (default: the last year).
        units: Units of the indicator, for the axis label.
        path: Save the figure there (PNG) if given.

    Returns:
        The matplotlib Figure.
    """
    plt = _plt()
    d = _one_indicator(summary, indicator)
    year = int(d["year"].max()) if year is None else year
    d = d[d["year"] == year].sort_values("mean")
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(d) + 1.6))
    colors = np.where(d["mean"] >= 0, "tab:green", "tab:red")
    err = np.vstack([d["mean"] - d["low"], d["high"] - d["mean"]])
    ax.barh(d["country"].astype(str), d["mean"], xerr=err, color=colors, capsize=3)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel(f"change in {indicator}, policy minus baseline ({units or 'indicator units'})")
    ax.set_ylabel("country")
    label = str(d["interval"].iloc[0]) if len(d) else ""
    ax.set_title(f"Who gains, who loses: {indicator} in {year}\nbars: mean; whiskers: {label}")
    fig.tight_layout()
    return _save(fig, path)
