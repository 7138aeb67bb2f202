"""The vote-reasons figure of a run: why each state voted as it did at the first vote.

Bars are the mean weighted terms of each state's score over runs (they add up to the
score before the idiosyncratic shock), read from the run's statistics
(:class:`scosim.runstats.RunStats`); the explorer draws the same data
(:func:`vote_reasons_data`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display needed (CI, servers)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from scosim.indicator_display import percent_of_runs  # noqa: E402
from scosim.plugins import DEFAULT_TRUST_TERM  # noqa: E402
from scosim.runstats import HIGH, LOW, RunStats  # noqa: E402

__all__ = ["COMMITTED_RULES", "SCORE_RULES", "TERM_LABELS", "VoteReasons",
           "plot_vote_reasons", "run_trust_terms", "vote_reasons_data"]

#: Names of the score terms in the figure and the explorer (the trust term's is the
#: Council's default; a proposal type may say otherwise: :func:`run_trust_terms`).
TERM_LABELS = {
    "econ": "expected welfare gain",
    "sovereignty": "sovereignty cost",
    "trust": DEFAULT_TRUST_TERM,
    "dominance": "relative gains: how much more the largest member gains",
    "security": "security gain",
}

#: Vote rules that read the score (utility plus shock).
SCORE_RULES = ("utility_vote", "score_only_vote")
#: Vote rules that ignore the state's score: the scenario commits the vote. Any other
#: rule (built in, such as gains_only, or a user's) may read the score in its own way.
COMMITTED_RULES = ("always_yes", "always_no")


def _rule_name(rule: str) -> str:
    """``always_yes`` for ``always_yes`` and ``scosim.rules.builtin:always_yes``."""
    return rule.rsplit(":", 1)[-1] if rule.startswith("scosim.rules.builtin:") else rule


def _vote_label(yes: float, rules: set[str], sponsor: bool) -> str:
    """``yes in 43%``, plus who decided the vote when it was not the score."""
    text = f"yes in {percent_of_runs(yes)}%"
    committed = sorted(r for r in rules if _rule_name(r) in COMMITTED_RULES)
    own = sorted(r for r in rules if r not in SCORE_RULES and r not in committed)
    if committed:
        text += f" - committed by rule {', '.join(committed)}: score not used"
    elif own:
        text += f" - by rule {', '.join(own)}"
    elif sponsor:
        text += " - proposer: votes for its own proposal"
    return text


@dataclass
class VoteReasons:
    """Why states voted as they did at the first vote (data of the vote-reasons figure).

    Attributes:
        contributions: Mean weighted terms of each state's score over runs, in
            percentage points of real expenditure; index states (sorted by total),
            columns the terms of :data:`TERM_LABELS` that are non-zero.
        score_low: 5th percentile of the score (sum of terms) over runs, per state.
        score_high: 95th percentile of the score over runs, per state.
        yes_share: Share of runs in which each state voted yes.
        rules: The vote rules each state used (a rule other than the score rules
            commits the vote).
        sponsor: Whether each state proposed or co-sponsored the proposal.
        proposal: Id of the proposal voted on.
        year: Year of the vote.
        n_runs: Runs averaged over.
        withdrew: Share of runs in which each state, having said yes, withdrew from
            the smaller group the willing would form (opt-in rules).
        labels: The name of each term (:data:`TERM_LABELS`, with the trust term's as
            the voted proposal's type declares it).
    """

    contributions: pd.DataFrame
    score_low: pd.Series
    score_high: pd.Series
    yes_share: pd.Series
    rules: pd.Series
    sponsor: pd.Series
    proposal: str
    year: int
    n_runs: int
    withdrew: pd.Series | None = None
    labels: dict[str, str] = field(default_factory=lambda: dict(TERM_LABELS))


def run_trust_terms(run_dir: str | Path) -> dict[str, str]:
    """What the trust term of each of a run's proposals measures: ``{proposal id: phrase}``.

    From the run's saved scenario (each proposal's type) and its manifest's record of the
    types (``ProposalType.trust_term``): an accession's voters weigh their trust in the
    applicant, not in the proposer. A type the manifest does not record (a run made before
    the record) takes the registry's, else the Council's default.

    Raises:
        scosim.plugins.PluginError: A malformed manifest record (names the file and field).
    """
    import json

    import yaml

    from scosim.plugin_manifest import recorded_types

    saved = Path(run_dir) / "scenario.yaml"
    scenario = yaml.safe_load(saved.read_text()) if saved.is_file() else None
    proposals = (scenario.get("proposals") or []) if isinstance(scenario, dict) else []
    path = Path(run_dir) / "manifest.json"
    manifest = json.loads(path.read_text()) if path.is_file() else {}
    recorded = recorded_types(manifest, str(path))
    # The saved scenario names a plug-in type by its dotted path; the record, by its name
    # (the manifest's origins map one to the other: "path pkg.mod:Type").
    origins = (manifest.get("plugins") or {}).get("proposal_types")
    by_path = {str(o)[5:]: name for name, o in (origins or {}).items()
               if isinstance(o, str) and o.startswith("path ")}
    out: dict[str, str] = {}
    for p in proposals:
        if not isinstance(p, dict) or "id" not in p:
            continue
        kind = str(p.get("type", ""))
        term = recorded.get(by_path.get(kind, kind), {}).get("trust_term")
        if term is None:
            from scosim.plugins import PluginError
            from scosim.proposals import get_type

            try:
                term = get_type(kind).trust_term
            except (PluginError, ImportError, KeyError):
                term = DEFAULT_TRUST_TERM
        out[str(p["id"])] = str(term)
    return out


def vote_reasons_data(events: pd.DataFrame | RunStats,
                      trust_terms: Mapping[str, str] | None = None) -> VoteReasons | None:
    """The weighted terms of each state's score at the first vote, over runs.

    Shared by the PNG plot and the explorer. ``None`` when no vote carries its terms.
    ``trust_terms`` (:func:`run_trust_terms`) names the trust term of the voted proposal;
    without it, or for a proposal it does not list, the Council's default.
    """
    st = events if isinstance(events, RunStats) else RunStats.from_frames(None, events)
    first = st.first_vote
    data = None if first is None else first.reasons(list(TERM_LABELS))
    if first is None or data is None:
        return None
    means = data["means"]
    order = means.sum(axis=1).sort_values().index
    return VoteReasons(
        contributions=means.loc[order],
        score_low=data["low"].loc[order],
        score_high=data["high"].loc[order],
        yes_share=data["yes"].loc[order],
        rules=data["rules"].loc[order],
        sponsor=data["sponsor"].loc[order].astype(bool),
        proposal=first.proposal,
        year=first.year,
        n_runs=first.runs,
        withdrew=pd.Series({c: st.withdrew_by.get((first.year, first.proposal, c), 0)
                            / max(first.runs, 1) for c in order}),
        labels={**TERM_LABELS, "trust": (trust_terms or {}).get(first.proposal,
                                                                TERM_LABELS["trust"])},
    )


def plot_vote_reasons(events: pd.DataFrame | RunStats, title: str, path: Path,
                      trust_terms: Mapping[str, str] | None = None) -> Path | None:
    """Why each state voted as it did: the weighted terms of its score at the first vote.

    Bars are the mean signed contributions over runs (they add up to the score
    before the idiosyncratic shock); the whisker spans the 5th-95th percentile of
    the score over runs. The label gives the share of runs voting yes and says
    when the vote was not decided by the score: a rule that commits the state
    (``always_yes``, ...) or the proposer supporting its own proposal, and, under an
    opt-in rule, the share of runs in which the state then withdrew from the smaller
    group the willing would form (the terms shown are those of the whole proposal).
    ``trust_terms``: as :func:`vote_reasons_data`'s.
    """
    data = vote_reasons_data(events, trust_terms)
    if data is None:
        return None
    means, order, terms = data.contributions, data.contributions.index, list(data.contributions)
    lo, hi, yes = data.score_low, data.score_high, data.yes_share
    pid, n_runs = data.proposal, data.n_runs
    fig, ax = plt.subplots(figsize=(11, 0.45 * len(order) + 3.4))
    y = np.arange(len(order))
    pos = np.zeros(len(order))
    neg = np.zeros(len(order))
    for k, t in enumerate(terms):
        v = means.loc[order, t].to_numpy()
        left = np.where(v >= 0, pos, neg)
        ax.barh(y, v, left=left, color=f"C{k}", label=data.labels[t])
        pos += np.clip(v, 0, None)
        neg += np.clip(v, None, 0)
    total = means.loc[order].sum(axis=1).to_numpy()
    ax.errorbar(
        total, y,
        # The mean can sit a rounding error outside the percentiles (one run): clip at 0.
        xerr=[np.clip(total - lo[order].to_numpy(), 0, None),
              np.clip(hi[order].to_numpy() - total, 0, None)],
        fmt="k|", markersize=14, capsize=3, lw=1,
        label=f"score before the random shock (mean; whisker {LOW}th-{HIGH}th pct of runs)",
    )
    for k, c in enumerate(order):
        label = _vote_label(yes[c], data.rules[c], bool(data.sponsor[c]))
        if data.withdrew is not None and data.withdrew[c] > 0:
            label += f"; withdrew in {percent_of_runs(data.withdrew[c])}%"
        # Outside the axes, on the right: labels never cover the bars.
        ax.text(1.01, k, label, va="center", fontsize=8, transform=ax.get_yaxis_transform())
    ax.set_yticks(y, order)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("contribution to the state's score, percentage points of real expenditure")
    ax.set_ylabel("voting state")
    year = data.year
    ax.set_title(
        f"{title}: why states voted as they did on '{pid}' in {year}\n"
        f"mean weighted terms over {n_runs} runs; a state voting on its score says yes "
        "when score plus a random shock is >= 0",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
