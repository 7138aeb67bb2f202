"""Plot banking outcomes over runs: failures, fiscal cost, fund balance and who pays."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

__all__ = ["PAYERS", "plot_banking", "wilson_interval"]

LOW, HIGH = 5, 95
#: Who bears the cost of failures and resolutions (indicator, label).
PAYERS: tuple[tuple[str, str], ...] = (
    ("fiscal_cost", "treasuries"),
    ("fund_payout", "deposit insurance fund"),
    ("bail_in", "bailed-in creditors"),
    ("depositor_losses", "uninsured depositors"),
)


def wilson_interval(k: NDArray[np.float64], n: int, z: float = 1.96) -> tuple[NDArray, NDArray]:
    """Wilson score interval for a binomial share ``k / n`` (95 percent by default)."""
    p = np.asarray(k, float) / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def plot_banking(
    results: Mapping[str, Mapping[str, NDArray[np.float64]]],
    years: Sequence[int],
    codes: Sequence[str],
    path: str | Path,
    *,
    title: str,
    group: Sequence[str] | None = None,
    group_label: str = "SCO members",
) -> Path:
    """Four panels, one colour per variant (e.g. with and without a banking union).

    1. share of runs in which at least one banking system of the group fails (defaults in
       clearing), per year, with a 95 percent Wilson interval, and (dashed) the share in
       which one is resolved before contagion; 2. fiscal cost per year (mean over runs, band
       5th-95th percentile); 3. deposit insurance fund at year end (median, band);
    4. who paid over the whole period (mean over runs, bars 5th-95th percentile).

    Args:
        results: Variant label -> indicators as returned by
            :func:`scosim.finance.ensemble.simulate` ((R, T, N) arrays).
        years: The T years.
        codes: The N economy codes.
        path: PNG to write.
        title: First line of the figure title.
        group: Economies summed in each panel (all if omitted).
        group_label: How the group is named on the axes.

    Returns:
        The path written.
    """
    idx = [list(codes).index(c) for c in (group or codes)]
    yrs = np.asarray(years)
    fig, axes = plt.subplots(1, 4, figsize=(19, 5.2))
    n_runs = 0
    k_var = len(results)
    width = 0.8 / max(k_var, 1)
    # A run's own figure has one variant: a key of "variants" would name one that is not there.
    one = k_var == 1
    for k, (label, res) in enumerate(results.items()):
        colour = f"C{k}"
        # Nudge variants sideways so that overlapping lines stay visible.
        dx = (k - (k_var - 1) / 2) * 0.06
        fail = res["failures"][:, :, idx].sum(axis=2) > 0  # (R, T)
        n_runs = fail.shape[0]
        share = fail.mean(axis=0)
        lo, hi = wilson_interval(fail.sum(axis=0), n_runs)
        ax = axes[0]
        ax.errorbar(yrs + dx, 100 * share, yerr=[100 * (share - lo), 100 * (hi - share)],
                    color=colour, marker="o", ms=4, capsize=3,
                    label="failure" if one else f"{label}: failure")
        resolved = res["resolutions"][:, :, idx].sum(axis=2) > 0
        if resolved.any():
            ax.plot(yrs + dx, 100 * resolved.mean(axis=0), color=colour, ls="--", marker="o",
                    mfc="white", ms=4, label="resolved before contagion" if one
                    else f"{label}: resolved before contagion")
        cost = res["fiscal_cost"][:, :, idx].sum(axis=2) / 1e9
        axes[1].plot(yrs + dx, cost.mean(axis=0), color=colour, marker="o", ms=3)
        lo, hi = np.percentile(cost, [LOW, HIGH], axis=0)
        axes[1].fill_between(yrs, lo, hi, color=colour, alpha=0.15, linewidth=0)
        fund = res["fund_balance"][:, :, idx].sum(axis=2) / 1e9
        axes[2].plot(yrs + dx, np.median(fund, axis=0), color=colour, marker="o", ms=3)
        lo, hi = np.percentile(fund, [LOW, HIGH], axis=0)
        axes[2].fill_between(yrs, lo, hi, color=colour, alpha=0.15, linewidth=0)
        for p, (name, _) in enumerate(PAYERS):
            tot = res[name][:, :, idx].sum(axis=(1, 2)) / 1e9
            lo, hi = np.percentile(tot, [LOW, HIGH])
            m = tot.mean()
            axes[3].bar(p + (k - (k_var - 1) / 2) * width, m, width, color=colour,
                        yerr=[[m - min(lo, m)], [max(hi, m) - m]], capsize=3)
    axes[0].set_title("Runs with a banking-system failure or resolution")
    axes[0].set_ylabel(f"share of runs, % ({group_label})\nbars: 95% Wilson interval")
    axes[1].set_title("Fiscal cost (mean; band 5th-95th pct.)")
    axes[1].set_ylabel(f"US$ billion per year ({group_label})")
    if not any(np.any(res["fund_balance"]) for res in results.values()):
        axes[2].text(0.5, 0.5, "no deposit insurance fund\nin this scenario",
                     transform=axes[2].transAxes, ha="center", va="center", color="0.4")
    axes[2].set_title("Deposit insurance fund (median; band)")
    axes[2].set_ylabel(f"US$ billion at year end ({group_label})")
    for ax in axes[:3]:
        ax.set_xlabel("year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    axes[3].set_title(f"Who paid, {years[0]}-{years[-1]} (mean; bars 5th-95th pct.)")
    axes[3].set_xticks(range(len(PAYERS)), [lab for _, lab in PAYERS], rotation=15, fontsize=8)
    axes[3].set_ylabel(f"US$ billion over the period ({group_label})")
    axes[3].grid(alpha=0.3, axis="y")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(3, len(labels)), fontsize=8,
               title=("first panel: share of runs with a failure, or a resolution" if one
                      else "colour = variant (the same in every panel)"), title_fontsize=8)
    fig.suptitle(f"{title}\n{n_runs} runs{'' if one else ' per variant'}; "
                 f"the fund's payouts are part of its balance, not of the fiscal cost")
    fig.tight_layout(rect=(0, 0.13, 1, 1))
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    if not math.isfinite(float(n_runs)):  # pragma: no cover - defensive
        raise ValueError("no runs to plot")
    return out


#: Recorded indicator (results table) -> the name :func:`plot_banking` reads.
RUN_INDICATORS: dict[str, str] = {
    "bank_failures": "failures",
    "bank_resolutions": "resolutions",
    "fiscal_cost_usd": "fiscal_cost",
    "fund_balance_usd": "fund_balance",
    "fund_payout_usd": "fund_payout",
    "bail_in_usd": "bail_in",
    "depositor_losses_usd": "depositor_losses",
}


def plot_finance_run(ind: object, title: str, path: str | Path) -> Path | None:
    """Banking outcomes of one model run (``scosim run`` with the finance slot filled).

    Args:
        ind: The run's indicators, a long table with columns run, year, country,
            indicator, value (a pandas DataFrame).
        title: Figure title (scenario and seed).
        path: PNG to write.

    Returns:
        The path written, or None when the run has no finance indicators.
    """
    import pandas as pd

    df = ind if isinstance(ind, pd.DataFrame) else pd.DataFrame(ind)
    have = set(df["indicator"].unique())
    if not set(RUN_INDICATORS) <= have:
        return None
    runs = np.sort(df["run"].unique())
    years = sorted(int(y) for y in df["year"].unique())
    codes = list(dict.fromkeys(df[df["indicator"] == "bank_failures"]["country"].astype(str)))
    arrays = {}
    for name, key in RUN_INDICATORS.items():
        sub = df[df["indicator"] == name]
        wide = sub.pivot_table(index=["run", "year"], columns="country", values="value",
                               observed=True)
        wide = wide.reindex(columns=codes)
        arrays[key] = wide.to_numpy(dtype=float).reshape(len(runs), len(years), len(codes))
    group = None
    if "member" in have:
        first = df[(df["indicator"] == "member") & (df["year"] == years[0])
                   & (df["run"] == runs[0]) & (df["value"] > 0)]
        group = [c for c in codes if c in set(first["country"].astype(str))] or None
    return plot_banking({"this scenario": arrays}, years, codes, path,
                        title=f"{title}: banking systems",
                        group=group, group_label="SCO members" if group else "all economies")
