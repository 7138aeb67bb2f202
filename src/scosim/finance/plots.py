"""Plot banking outcomes over runs: failures, fiscal cost and fund balance with bands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

__all__ = ["plot_banking"]

LOW, HIGH = 5, 95


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
    """Three panels over years, one line and band per variant (e.g. with/without union).

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
    idx = [codes.index(c) for c in (group or codes)]
    yrs = np.asarray(years)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    panels = (
        ("failures", 1.0, f"banking systems failing\n({group_label}, number per year)",
         "Failures (mean, 5th-95th pct.)"),
        ("fiscal_cost", 1e-9, f"fiscal cost, US$ billion\n({group_label}, per year)",
         "Fiscal cost (median, 5th-95th pct.)"),
        ("fund_balance", 1e-9, f"deposit insurance fund, US$ billion\n({group_label}, year end)",
         "Fund balance (median, 5th-95th pct.)"),
    )
    n_runs = 0
    for k, (label, res) in enumerate(results.items()):
        colour = f"C{k}"
        for ax, (name, scale, ylabel, ptitle) in zip(axes, panels, strict=True):
            v = res[name][:, :, idx].sum(axis=2) * scale  # (R, T)
            n_runs = v.shape[0]
            centre = v.mean(axis=0) if name == "failures" else np.median(v, axis=0)
            lo, hi = np.percentile(v, [LOW, HIGH], axis=0)
            ax.plot(yrs, centre, color=colour, label=label, marker="o", ms=3)
            ax.fill_between(yrs, lo, hi, color=colour, alpha=0.18, linewidth=0)
            ax.set_title(ptitle)
            ax.set_ylabel(ylabel)
            ax.set_xlabel("year")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(alpha=0.3)
    axes[0].legend(loc="upper left", fontsize=8)
    fig.suptitle(f"{title}\nlines: mean (failures) or median over {n_runs} runs; "
                 f"bands: {LOW}th-{HIGH}th percentile across runs")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
