"""Plots of one run, read from its tables (never from a live model).

Every plot has a title, units and labelled axes; where there are replications,
bands show the 5th-95th percentile across runs and lines the median.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display needed (CI, servers)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from scosim.data.constants import MEMBERS  # noqa: E402
from scosim.results import MANIFEST, read_batches  # noqa: E402

LOW, HIGH = 5, 95


def _band_note(n_runs: int) -> str:
    if n_runs > 1:
        return f"line: median of {n_runs} runs; band: {LOW}th-{HIGH}th percentile"
    return "single run (no uncertainty band)"


def _wide(ind: pd.DataFrame, name: str) -> pd.DataFrame:
    df = ind[ind["indicator"] == name]
    return df.pivot_table(index=["run", "year"], columns="country", values="value", observed=True)


def plot_gdp_paths(ind: pd.DataFrame, title: str, path: Path) -> Path:
    """Small multiples of GDP paths of the SCO members with uncertainty bands."""
    wide = _wide(ind, "gdp_usd") / 1e9
    n_runs = ind["run"].nunique()
    codes = [c for c in MEMBERS if c in wide.columns]
    fig, axes = plt.subplots(2, 5, figsize=(16, 6.5), sharex=True)
    for ax, code in zip(axes.flat, codes, strict=False):
        s = wide[code].unstack("year")
        years = s.columns.to_numpy()
        med = s.median(axis=0).to_numpy()
        ax.plot(years, med, color="C0")
        if n_runs > 1:
            lo, hi = np.percentile(s.to_numpy(), [LOW, HIGH], axis=0)
            ax.fill_between(years, lo, hi, color="C0", alpha=0.25)
        ax.set_title(code)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        ax.set_xlabel("year")
        ax.set_ylabel("GDP, US$ billion")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(codes) :]:
        ax.set_visible(False)
    fig.suptitle(f"{title}: GDP of SCO members (current US$ billion)\n{_band_note(n_runs)}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def who_gains_data(ind: pd.DataFrame) -> tuple[pd.DataFrame, int, str, int]:
    """Data of the who-gains figure: final-year welfare change by economy.

    Shared by the PNG plot and the browser explorer, so both show the same numbers.

    Args:
        ind: Tidy indicator table of a run.

    Returns:
        ``(table, year, when, n_runs)``: ``table`` has index economy and columns
        ``median``, ``low`` and ``high`` (5th and 95th percentiles across runs),
        sorted by median; ``year`` is the year shown and ``when`` says why it was chosen.
    """
    wide = _wide(ind, "welfare_change_pct")
    # Numerical noise (~1e-14) is not an effect; show it as zero.
    wide = wide.where(wide.abs() > 1e-9, 0.0)
    by_year = wide.abs().groupby(level="year").median().max(axis=1)
    year = int(by_year.index.max())
    when = f"in {year} (after any defections)"
    if by_year.loc[year] == 0 and by_year.max() > 0:
        # Nothing left in the last year (e.g. the union dissolved): show the
        # year of the largest effect instead, and say so.
        year = int(by_year.idxmax())
        when = f"in {year} (largest effect; none left by {by_year.index.max()})"
    last = wide.xs(year, level="year")
    table = pd.DataFrame(
        {
            "median": last.median(axis=0),
            "low": last.quantile(LOW / 100, axis=0),
            "high": last.quantile(HIGH / 100, axis=0),
        }
    ).sort_values("median", kind="stable")
    table.index = table.index.astype(str)
    table.index.name = "country"
    return table, year, when, int(last.shape[0])


def plot_welfare_final(ind: pd.DataFrame, title: str, path: Path) -> Path:
    """Who gains, who loses: final-year welfare change by economy with intervals."""
    table, _, when, n_runs = who_gains_data(ind)
    med, lo, hi = table["median"], table["low"], table["high"]
    order = table.index
    fig, ax = plt.subplots(figsize=(9, 8))
    y = np.arange(len(order))
    colors = ["C2" if med[c] > 0 else "C3" for c in order]
    ax.barh(y, med[order], color=colors, alpha=0.8)
    if n_runs > 1:
        ax.errorbar(
            med[order],
            y,
            xerr=[med[order] - lo[order], hi[order] - med[order]],
            fmt="none",
            ecolor="k",
            capsize=3,
            lw=1,
        )
    ax.set_yticks(y, order)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("welfare change vs base-year policy, % of real expenditure")
    ax.set_ylabel("economy (ROW = Rest of World)")
    note = f"whiskers: {LOW}th-{HIGH}th percentile of {n_runs} runs" if n_runs > 1 else "one run"
    ax.set_title(f"{title}: who gains, who loses {when}\n(green gain, red loss; {note})")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_welfare_paths(ind: pd.DataFrame, title: str, path: Path) -> Path:
    """Welfare change over time for the most affected economies, with bands."""
    wide = _wide(ind, "welfare_change_pct")
    n_runs = ind["run"].nunique()
    final = wide.xs(wide.index.get_level_values("year").max(), level="year").median(axis=0)
    codes = list(final.abs().sort_values(ascending=False).index[:8])
    fig, ax = plt.subplots(figsize=(10, 6))
    for k, code in enumerate(codes):
        s = wide[code].unstack("year")
        years = s.columns.to_numpy()
        ax.plot(years, s.median(axis=0).to_numpy(), color=f"C{k}", label=code)
        if n_runs > 1:
            lo, hi = np.percentile(s.to_numpy(), [LOW, HIGH], axis=0)
            ax.fill_between(years, lo, hi, color=f"C{k}", alpha=0.15)
    ax.axhline(0, color="k", lw=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")
    ax.set_ylabel("welfare change vs base-year policy, %")
    ax.set_title(
        f"{title}: welfare change of the eight most affected economies\n{_band_note(n_runs)}"
    )
    ax.legend(ncol=4, fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def membership_data(ind: pd.DataFrame, events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Data of the membership figure (shared by the PNG plot and the explorer).

    Args:
        ind: Tidy indicator table of a run.
        events: Its event log.

    Returns:
        ``(union, counts)``: ``union`` is the share of runs (0-1) in which each
        economy (column) is in a customs union, by year (index), for the economies
        ever in a union or in the SCO; ``counts`` has those economies as index and
        the mean number per run of votes against, vetoes, defections, joins and
        accessions as columns (only kinds that occur).
    """
    union = _wide(ind, "in_customs_union").groupby(level="year").mean()
    member = _wide(ind, "member").groupby(level="year").mean()
    n_runs = ind["run"].nunique()
    codes = [c for c in union.columns if (union[c] > 0).any() or (member[c] > 0).any()]
    counts = pd.DataFrame(index=codes)
    for kind in ("veto", "defection", "joined", "accession"):
        sel = events[events["type"] == kind]
        counts[kind] = sel.groupby("country").size().reindex(codes).fillna(0) / max(n_runs, 1)
    no_votes = events[events["type"] == "vote"]
    if not no_votes.empty:
        yes = no_votes["detail"].map(lambda d: json.loads(d).get("yes", True))
        counts["no vote"] = no_votes[~yes.astype(bool)].groupby("country").size().reindex(
            codes
        ).fillna(0) / max(n_runs, 1)
    if "no vote" in counts and counts["no vote"].equals(counts.get("veto")):
        # Under consensus every vote against is a veto: show it once.
        counts = counts.drop(columns="no vote")
    counts = counts.loc[:, (counts > 0).any(axis=0)]
    return union[codes], counts


def plot_membership(ind: pd.DataFrame, events: pd.DataFrame, title: str, path: Path) -> Path:
    """Timeline of who was in the customs union and SCO, and when (share of runs)."""
    union, counts = membership_data(ind, events)
    codes = list(union.columns)
    n_runs = ind["run"].nunique()
    fig, (ax, ax2) = plt.subplots(
        1, 2, figsize=(14, 0.35 * len(codes) + 2.5), gridspec_kw={"width_ratios": [3, 2]}
    )
    im = ax.imshow(
        union[codes].T.to_numpy(), aspect="auto", cmap="Blues", vmin=0, vmax=1, interpolation="none"
    )
    ax.set_yticks(range(len(codes)), codes)
    years = union.index.to_numpy()
    ax.set_xticks(range(len(years)), [str(y) for y in years], rotation=45)
    ax.set_xlabel("year")
    ax.set_ylabel("economy")
    ax.set_title("share of runs in which the economy is in a customs union")
    fig.colorbar(im, ax=ax, label="share of runs (0-1)")
    # Right panel: why. Vetoes / no votes and defections per economy.
    if counts.shape[1]:
        counts.plot.barh(ax=ax2, width=0.8)
        ax2.invert_yaxis()
        ax2.legend(fontsize=8)
    else:
        ax2.text(0.5, 0.5, "no vetoes, defections or accessions", ha="center", va="center")
    ax2.set_xlabel("events per run (mean over runs)")
    ax2.set_ylabel("")
    ax2.set_title("votes against, vetoes, defections, joins")
    fig.suptitle(f"{title}: who was in what, and when ({n_runs} runs)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


TERM_LABELS = {
    "econ": "expected welfare gain",
    "sovereignty": "sovereignty cost",
    "trust": "trust in the proposer",
    "dominance": "fear of domination",
    "security": "security gain",
}


@dataclass
class VoteReasons:
    """Why states voted as they did at the first vote (data of the vote-reasons figure).

    Attributes:
        contributions: Mean weighted terms of each state's score over runs, in
            percentage points of real expenditure; index states (sorted by total),
            columns the terms of :data:`TERM_LABELS` that are non-zero.
        yes_share: Share of runs in which each state voted yes.
        proposal: Id of the proposal voted on.
        year: Year of the vote.
        n_runs: Runs averaged over.
    """

    contributions: pd.DataFrame
    yes_share: pd.Series
    proposal: str
    year: int
    n_runs: int


def vote_reasons_data(events: pd.DataFrame) -> VoteReasons | None:
    """The weighted terms of each state's score at the first vote, mean over runs.

    Shared by the PNG plot and the explorer. ``None`` when no vote carries its terms.
    """
    votes = events[events["type"] == "vote"]
    if votes.empty:
        return None
    first = votes[votes["year"] == votes["year"].min()]
    pid = first["proposal"].iloc[0]
    first = first[first["proposal"] == pid]
    detail = pd.DataFrame([json.loads(d) for d in first["detail"]], index=first.index)
    if not any(c.startswith("contrib_") for c in detail.columns):
        return None
    detail["country"] = first["country"].to_numpy()
    terms = [t for t in TERM_LABELS if f"contrib_{t}" in detail and detail[f"contrib_{t}"].any()]
    means = detail.groupby("country")[[f"contrib_{t}" for t in terms]].mean() * 100
    means.columns = terms
    order = means.sum(axis=1).sort_values().index
    return VoteReasons(
        contributions=means.loc[order],
        yes_share=detail.groupby("country")["yes"].mean().loc[order],
        proposal=str(pid),
        year=int(first["year"].iloc[0]),
        n_runs=int(first["run"].nunique()),
    )


def plot_vote_reasons(events: pd.DataFrame, title: str, path: Path) -> Path | None:
    """Why each state voted as it did: the weighted terms of its score at the first vote.

    Bars are the mean signed contributions over runs (they add up to the score
    before the idiosyncratic shock); the label gives the share of runs voting yes.
    """
    data = vote_reasons_data(events)
    if data is None:
        return None
    means, yes = data.contributions, data.yes_share
    order = means.index
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(order) + 3.2))
    y = np.arange(len(order))
    pos = np.zeros(len(order))
    neg = np.zeros(len(order))
    for k, t in enumerate(means.columns):
        v = means[t].to_numpy()
        left = np.where(v >= 0, pos, neg)
        ax.barh(y, v, left=left, color=f"C{k}", label=TERM_LABELS[t])
        pos += np.clip(v, 0, None)
        neg += np.clip(v, None, 0)
    total = means.sum(axis=1).to_numpy()
    ax.plot(total, y, "k|", markersize=14, label="score before the random shock")
    for k, c in enumerate(order):
        ax.text(max(pos.max(), 0) * 1.02 + 1e-6, k, f"yes in {yes[c]:.0%}", va="center", fontsize=9)
    ax.set_yticks(y, order)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("contribution to the state's score, percentage points of real expenditure")
    ax.set_ylabel("voting state")
    ax.set_title(
        f"{title}: why states voted as they did on '{data.proposal}' in {data.year}\n"
        f"mean weighted terms over {data.n_runs} runs; a state votes yes when its score plus "
        "a random shock is >= 0"
    )
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_run(run_dir: Path, plots_dir: Path, *, progress: bool = False) -> list[Path]:
    """Write every plot that fits a run's content.

    Args:
        run_dir: Directory with ``manifest.json``, ``indicators/`` and ``events/``.
        plots_dir: Where PNG files go.
        progress: Unused for now; plotting is quick.

    Returns:
        The files written.
    """
    manifest = json.loads((run_dir / MANIFEST).read_text())
    title = f"{manifest['scenario']} (seed {manifest['seed']})"
    ind = read_batches(run_dir / "indicators")
    events = read_batches(run_dir / "events")
    out = [plot_gdp_paths(ind, title, plots_dir / "gdp_paths.png")]
    names = set(ind["indicator"].unique())
    welfare = ind[ind["indicator"] == "welfare_change_pct"]["value"]
    if "welfare_change_pct" in names and np.abs(welfare.to_numpy()).max() > 1e-9:
        out.append(plot_welfare_final(ind, title, plots_dir / "welfare_final_year.png"))
        out.append(plot_welfare_paths(ind, title, plots_dir / "welfare_paths.png"))
    if {"in_customs_union", "member"} <= names and (
        not events[events["type"].isin(["vote", "accession"])].empty
    ):
        out.append(plot_membership(ind, events, title, plots_dir / "membership_timeline.png"))
    reasons = plot_vote_reasons(events, title, plots_dir / "vote_reasons.png")
    if reasons is not None:
        out.append(reasons)
    return out
