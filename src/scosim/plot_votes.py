"""The vote-reasons figure of a run: why each state voted as it did, proposal by proposal.

Bars are the mean weighted terms of each state's score over runs (they add up to the
score before the idiosyncratic shock) at each proposal's first vote, read from the
run's statistics (:class:`scosim.runstats.RunStats`); the explorer draws the same data
(:func:`vote_reasons_all`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")  # files only; no display needed (CI, servers)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.transforms import ScaledTranslation  # noqa: E402

from scosim.indicator_display import percent_of_runs  # noqa: E402
from scosim.plugins import DEFAULT_TRUST_TERM  # noqa: E402
from scosim.runstats import HIGH, LOW, RunStats  # noqa: E402
from scosim.vote_stats import (  # noqa: E402
    COMMITTED_RULES,
    SCORE_RULES,
    VOTES_FILE,
    decided_by,
    rule_name,
)

if TYPE_CHECKING:
    from scosim.proposal_vote import ProposalVote

__all__ = ["COMMITTED_RULES", "DRAWN_SHARE", "SCORE_RULES", "SPONSOR_EDGE", "SPONSOR_GREY",
           "TERM_COLOURS", "TERM_LABELS", "VoteReasons", "all_committed", "explained",
           "figure_heading", "later_votes_note", "not_drawn_note", "panel_xlim",
           "plot_vote_reasons", "run_trust_terms", "sponsor_trust_greyed", "sponsor_trust_label",
           "state_label", "vote_reasons_all", "vote_reasons_data", "years_text"]

#: Names of the score terms in the figure and the explorer (the trust term's is the
#: Council's default; a proposal type may say otherwise: :func:`run_trust_terms`).
TERM_LABELS = {
    "econ": "expected welfare gain",
    "sovereignty": "sovereignty cost",
    "trust": DEFAULT_TRUST_TERM,
    "dominance": "relative gains: how much more the largest participant gains",
    "security": "security gain",
}

#: Colour of each score term, the same in every panel, figure and the explorer (a
#: colour by position made a term change colour when another term was absent).
TERM_COLOURS = {
    "econ": "#1f77b4",
    "sovereignty": "#ff7f0e",
    "trust": "#2ca02c",
    "dominance": "#d62728",
    "security": "#9467bd",
}
#: Colour of a term :data:`TERM_COLOURS` does not list.
OTHER_COLOUR = "#7f7f7f"
#: A sponsor's greyed trust bar (:func:`sponsor_trust_greyed`): fill and hatch.
SPONSOR_GREY, SPONSOR_EDGE = "#d9d9d9", "#969696"

def _vote_label(yes: float, rules: set[str], sponsor: bool, runs: int = 0) -> str:
    """``yes in 43 %``, plus who decided the vote when it was not the score.

    ``runs``: the runs the share is of, rounded as the run's answer rounds it
    (:func:`~scosim.indicator_display.percent_of_runs`).
    """
    text = f"yes in {percent_of_runs(yes, runs)} %"
    committed = sorted(r for r in rules if rule_name(r) in COMMITTED_RULES)
    own = sorted(r for r in rules if rule_name(r) not in SCORE_RULES and r not in committed)
    if committed:
        text += f" - committed by rule {', '.join(committed)}: score not used"
    elif own:
        # The bars are the default utility's terms; this rule decided on a test of its own.
        text += f" - decided by rule {', '.join(own)}, not by this score"
    elif sponsor:
        text += " - proposer: votes for its own proposal"
    return text


@dataclass
class VoteReasons:
    """Why states voted as they did at a proposal's first vote (one panel of the figure).

    Attributes:
        contributions: Mean weighted terms of each state's score over runs, in
            percentage points of real expenditure; index states (sorted by score),
            columns the terms of :data:`TERM_LABELS` drawn: non-zero, and wide enough to
            see (:data:`DRAWN_SHARE`; the others are in :attr:`not_drawn`).
        score: Mean score over runs (the sum of every term, those not drawn included).
        score_low: 5th percentile of the score (sum of terms) over runs, per state.
        score_high: 95th percentile of the score over runs, per state.
        yes_share: Share of runs in which each state voted yes.
        rules: The vote rules each state used (:attr:`decided_by` says whether they
            decided on the score drawn).
        sponsor: Whether each state proposed or co-sponsored the proposal.
        proposal: Id of the proposal voted on.
        year: Year of the vote.
        n_runs: Runs averaged over.
        withdrew: Share of runs in which each state, having said yes, withdrew from
            the smaller group the willing would form (opt-in rules).
        labels: The name of each term (:data:`TERM_LABELS`, with the trust term's as
            the voted proposal's type declares it).
        later_years: Years after :attr:`year` in which the proposal was voted again (in
            some run); their terms are in ``votes.csv``, not in the figure.
        not_drawn: Non-zero terms too small to see beside the panel's longest bar
            (:data:`DRAWN_SHARE`), each with its largest mean over states in absolute
            value; the score includes them, and ``votes.csv`` holds them.
        rule_score: Mean over runs of the score each state's vote rule reported of its
            own test (:class:`scosim.rules.RuleScore`), NaN where it reported none.
        rule_threshold: Mean of the bar it compared that score with (NaN: none).
        vetoed: Under a decision rule that gives a veto (consensus): the share of runs in
            which each state's no was one (the answer's ``no was a veto``); None under
            other rules. A state that said no and vetoed nothing is a non-member asked
            with its bloc, which keeps only itself and its bloc out.
    """

    contributions: pd.DataFrame
    score: pd.Series
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
    later_years: tuple[int, ...] = ()
    not_drawn: dict[str, float] = field(default_factory=dict)
    rule_score: pd.Series | None = None
    rule_threshold: pd.Series | None = None
    vetoed: pd.Series | None = None

    @property
    def decided_by(self) -> pd.Series:
        """What decided each state's votes (:func:`scosim.vote_stats.decided_by`).

        ``score`` where its rule voted on the score drawn; ``committed`` or ``own_rule``
        (a rule such as ``gains_only`` or a plug-in's, with a test of its own) where the
        bars are not what decided.
        """
        return pd.Series({c: decided_by(r) for c, r in self.rules.items()}, dtype=object)


#: A term is drawn when some state's mean of it is at least this share of the panel's
#: longest bar (its stack on one side of zero). The panel's axes are about 720 pixels
#: wide in the PNG and span at least that bar, so a smaller term is under a pixel: not
#: seen, yet listed in the legend (India's -0.00002 pp "relative gains" beside 0.15 pp
#: of security gain). A rule by the axis' tick digits dropped terms that can be seen
#: (a 0.025 pp trust term on an axis labelled in tenths).
DRAWN_SHARE = 1e-3


def _drawn(means: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, float]]:
    """The terms wide enough to see (:data:`DRAWN_SHARE`), and the others' largest size."""
    longest = float(max(means.clip(lower=0).sum(axis=1).max(),
                        -means.clip(upper=0).sum(axis=1).min(), 0.0)) if len(means) else 0.0
    largest = means.abs().max()
    small = [t for t in means.columns if largest[t] < DRAWN_SHARE * longest]
    return means.drop(columns=small), {t: float(largest[t]) for t in small}


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


def _stats(events: pd.DataFrame | RunStats) -> RunStats:
    """The statistics of events given as a table (or the statistics given)."""
    return events if isinstance(events, RunStats) else RunStats.from_frames(None, events)


def _reasons(st: RunStats, vote: ProposalVote,
             trust_terms: Mapping[str, str] | None) -> VoteReasons | None:
    """The figure's data of one proposal's first vote (None when it carries no terms)."""
    data = vote.reasons(list(TERM_LABELS))
    if data is None:
        return None
    means = data["means"]
    score = means.sum(axis=1)
    order = score.sort_values().index
    drawn, not_drawn = _drawn(means)
    pid, year = vote.proposal, vote.year
    return VoteReasons(
        contributions=drawn.loc[order],
        score=score.loc[order],
        score_low=data["low"].loc[order],
        score_high=data["high"].loc[order],
        yes_share=data["yes"].loc[order],
        rules=data["rules"].loc[order],
        sponsor=data["sponsor"].loc[order].astype(bool),
        proposal=pid,
        year=year,
        n_runs=vote.runs,
        withdrew=pd.Series({c: st.withdrew_by.get((year, pid, c), 0) / max(vote.runs, 1)
                            for c in order}),
        labels={**TERM_LABELS, "trust": (trust_terms or {}).get(pid, TERM_LABELS["trust"])},
        later_years=tuple(sorted({y for p, y, _ in st.vote_terms.n if p == pid and y > year})),
        not_drawn=not_drawn,
        rule_score=data["rule_score"].loc[order],
        rule_threshold=data["rule_threshold"].loc[order],
        vetoed=_vetoed(st, pid, order, vote.runs),
    )


def _vetoed(st: RunStats, pid: str, order: Sequence[str], runs: int) -> pd.Series | None:
    """Share of runs in which each state's no on ``pid`` was a veto; None without vetoes."""
    from scosim.run_votes import veto_rule_of

    if veto_rule_of(st, pid) is None:
        return None
    return pd.Series({c: st.vote_runs.vetoed.get((pid, c), 0) / max(runs, 1) for c in order})


def vote_reasons_all(events: pd.DataFrame | RunStats,
                     trust_terms: Mapping[str, str] | None = None) -> list[VoteReasons]:
    """The weighted terms of each state's score at each proposal's first vote, over runs.

    One :class:`VoteReasons` per proposal voted, at the earliest year any run voted on it,
    ordered by that year, then in the scenario's order of proposals (``st.proposal_order``,
    set when the statistics were read from a run; else as the batches met them);
    proposals whose votes carry no terms are left out. Shared by the PNG plot and the
    explorer. ``trust_terms`` (:func:`run_trust_terms`) names each proposal's trust term;
    without it, or for a proposal it does not list, the Council's default.
    """
    st = _stats(events)
    found = (_reasons(st, v, trust_terms) for v in st.ordered_first_votes())
    return [r for r in found if r is not None]


def vote_reasons_data(events: pd.DataFrame | RunStats,
                      trust_terms: Mapping[str, str] | None = None,
                      proposal: str | None = None) -> VoteReasons | None:
    """The weighted terms of each state's score at one proposal's first vote, over runs.

    ``proposal``: its id; default, the run's first vote. ``None`` when that vote carries
    no terms (or was not held). ``trust_terms``: as :func:`vote_reasons_all`'s.
    """
    st = _stats(events)
    vote = st.first_vote if proposal is None else st.first_votes.get(proposal)
    return None if vote is None else _reasons(st, vote, trust_terms)


def years_text(years: Sequence[int]) -> str:
    """``2028-2031, 2033``: sorted years with runs of consecutive years as ranges."""
    parts: list[str] = []
    ys = sorted(set(years))
    k = 0
    while k < len(ys):
        j = k
        while j + 1 < len(ys) and ys[j + 1] == ys[j] + 1:
            j += 1
        parts.append(str(ys[k]) if j == k else f"{ys[k]}-{ys[j]}")
        k = j + 1
    return ", ".join(parts)


def later_votes_note(data: VoteReasons) -> str:
    """What the figure leaves out of a proposal voted again: ``""`` when voted once."""
    if not data.later_years:
        return ""
    return (f"its first vote; it was voted on again in {years_text(data.later_years)}"
            f" (every vote's terms: {VOTES_FILE})")


def not_drawn_note(data: VoteReasons) -> str:
    """What the panel leaves out as too small to see: ``""`` when it draws every term.

    Said so that the bars need not add up to the score beyond what can be seen.
    """
    if not data.not_drawn:
        return ""
    terms = "; ".join(
        f"'{data.labels.get(t, t)}' (at most "
        f"{np.format_float_positional(v, precision=1, unique=False, fractional=False)} pp)"
        for t, v in data.not_drawn.items())
    them = "them" if len(data.not_drawn) > 1 else "it"
    return (f"Too small to draw (under 1/{1 / DRAWN_SHARE:,.0f} of the longest bar): {terms}. "
            f"The score marker includes {them}; every term is in {VOTES_FILE}.")


def _own_score(data: VoteReasons, state: str) -> str:
    """`` (its own score 0.0123 against 0)``: what the state's rule reported, if it did."""
    score = np.nan if data.rule_score is None else float(data.rule_score.get(state, np.nan))
    if score != score:
        return ""
    bar = (np.nan if data.rule_threshold is None
           else float(data.rule_threshold.get(state, np.nan)))
    return f" (its own score {score:.3g}" + (f" against {bar:.3g})" if bar == bar else ")")


def state_label(data: VoteReasons, state: str) -> str:
    """``yes in 43 % - ...; withdrew in 5 %``: what a state's row says after its bars."""
    label = _vote_label(float(data.yes_share[state]), data.rules[state],
                        bool(data.sponsor[state]), data.n_runs)
    label += _own_score(data, state)
    said_no = 1.0 - float(data.yes_share[state])
    if data.vetoed is not None and said_no > 0:
        # Under consensus only a member's no is a veto: say which kind this no was.
        vetoed = float(data.vetoed[state])
        # "its no a veto in 100% (a member's)" did not read (a new user, 2026-12-07).
        no = percent_of_runs(said_no, data.n_runs)
        veto = percent_of_runs(vetoed, data.n_runs)
        label += ((f"; votes no in {no} % of runs: a veto" if veto == no
                   else f"; votes no in {no} % of runs, a veto in {veto} %") if vetoed > 0
                  else "; its no vetoed nothing (a non-member: keeps only its bloc out)")
    if data.withdrew is not None and data.withdrew[state] > 0:
        label += f"; withdrew in {percent_of_runs(data.withdrew[state], data.n_runs)} %"
    return label


#: What the figure's subtitle says of the bars and the rule behind them.
EXPLAINED = ("a state voting on its score says yes when score plus a random shock is >= 0")
#: Added to :data:`EXPLAINED` when some state voted by a rule with a test of its own.
OWN_RULE_NOTE = ("a state marked 'decided by rule' voted on that rule's own test, not on "
                 "this score")
#: The subtitle when no state voted on its score and some voted by a rule of its own.
NO_SCORE_VOTER = ("no state voted on this score: the bars are the default utility's terms; "
                  "each row names the rule that decided")


#: The subtitle when the scenario committed every vote drawn (:func:`all_committed`).
COMMITTED_NOTE = ("had a state voted on its score, it would have said yes when score plus a "
                  "random shock is >= 0")


def _kinds(panels: Sequence[VoteReasons]) -> set[str]:
    """What decided the votes drawn in ``panels`` (:attr:`VoteReasons.decided_by`'s words)."""
    return {k for p in panels for v in p.decided_by for k in str(v).split()}


def all_committed(panels: Sequence[VoteReasons]) -> bool:
    """Whether a rule that reads no score (``always_yes``, ...) cast every vote drawn.

    Then no score decided anything: the figure shows what the scores would have said,
    and its title says so (:func:`figure_heading`), not "why states voted as they did".
    """
    return _kinds(panels) == {"committed"}


def figure_heading(panels: Sequence[VoteReasons]) -> str:
    """The figure's title after the run's name: what its bars are, in words.

    "why states voted as they did" when some score decided a vote; when the scenario
    committed every vote (:func:`all_committed`), "how each state would have scored" the
    proposal, with the scores said not to have been used.
    """
    one = panels[0] if len(panels) == 1 else None
    what = (f"'{one.proposal}' in {one.year}" if one is not None
            else "each proposal at its first vote")
    if all_committed(panels):
        return (f"how each state would have scored {what} (votes committed by the "
                "scenario; scores not used)")
    if one is not None:
        return f"why states voted as they did on {what}"
    return "why states voted as they did, one panel per proposal at its first vote"


def panel_xlim(data: VoteReasons, margin: float = 0.05) -> tuple[float, float]:
    """The x-axis range of a panel: every bar stack, score and whisker, with a margin.

    matplotlib's automatic limits stopped at the end of a stacked bar (China's in
    customs_union.yaml), so its last term was cut by the frame.

    Args:
        data: The panel's data.
        margin: Added on each side, as a share of the range drawn.

    Returns:
        ``(left, right)``, with 0 inside.
    """
    c = data.contributions
    ends = [0.0, float(c.clip(lower=0).sum(axis=1).max()) if len(c) else 0.0,
            float(c.clip(upper=0).sum(axis=1).min()) if len(c) else 0.0,
            *(float(s.min()) for s in (data.score, data.score_low) if len(s)),
            *(float(s.max()) for s in (data.score, data.score_high) if len(s))]
    lo, hi = float(np.nanmin(ends)), float(np.nanmax(ends))
    pad = margin * ((hi - lo) or 1.0)
    return lo - pad, hi + pad


def explained(panels: Sequence[VoteReasons]) -> str:
    """What the subtitle says decided the votes drawn in ``panels``.

    :data:`EXPLAINED` claims the score rule only for the states that used it; where a rule
    with a test of its own (``gains_only``, a plug-in's) decided, the bars are the default
    utility's terms and not what it decided on, and the subtitle says so; where the
    scenario committed every vote, it says what the score would have done
    (:data:`COMMITTED_NOTE`).
    """
    kinds = _kinds(panels)
    if kinds == {"committed"}:
        return COMMITTED_NOTE
    if "own_rule" not in kinds:
        return EXPLAINED
    if "score" not in kinds:
        return NO_SCORE_VOTER
    return f"{EXPLAINED}; {OWN_RULE_NOTE}"
#: The x-axis of every panel.
X_LABEL = "contribution to the state's score, percentage points of real expenditure"
# The legend sits this far below a panel's axes, in points: under the tick labels and
# the axis label (10 pt text), whatever the panel's height. A fraction of the axes put
# it over the axis label in a panel of one or two states.
_LEGEND_DROP_PT = 40


def _draw_panel(ax: plt.Axes, data: VoteReasons) -> None:
    """One proposal's bars, score whiskers, state labels and legend on ``ax``."""
    means = data.contributions
    order = means.index
    y = np.arange(len(order))
    pos = np.zeros(len(order))
    neg = np.zeros(len(order))
    own = sponsor_trust_greyed(data)[order].to_numpy()
    for t in means.columns:
        v = means.loc[order, t].to_numpy()
        left = np.where(v >= 0, pos, neg)
        # A sponsor's trust term is no view of the proposal's merits (the proposer's is its
        # trust in itself, 1.0) and it votes yes whatever its score: greyed, keyed apart.
        ax.barh(y, v, left=left, color=TERM_COLOURS.get(t, OTHER_COLOUR), label=data.labels[t])
        grey = np.flatnonzero(own & (v != 0)) if t == "trust" else []
        for n, k in enumerate(grey):
            # Laid over the bar (its container keeps one bar a state, the key its colour).
            ax.add_patch(Rectangle((left[k], y[k] - 0.4), v[k], 0.8, facecolor=SPONSOR_GREY,
                                   edgecolor=SPONSOR_EDGE, hatch="///",
                                   label=sponsor_trust_label(data, len(grey)) if n == 0
                                   else "_nolegend_"))
        pos += np.clip(v, 0, None)
        neg += np.clip(v, None, 0)
    total = data.score[order].to_numpy()  # every term, those too small to draw included
    ax.errorbar(
        total, y,
        # The mean can sit a rounding error outside the percentiles (one run): clip at 0.
        xerr=[np.clip(total - data.score_low[order].to_numpy(), 0, None),
              np.clip(data.score_high[order].to_numpy() - total, 0, None)],
        fmt="k|", markersize=14, capsize=3, lw=1,
        label=f"score before the random shock (mean; whisker {LOW}th-{HIGH}th pct of runs)",
    )
    for k, c in enumerate(order):
        # Outside the axes, on the right: labels never cover the bars.
        ax.text(1.01, k, state_label(data, c), va="center", fontsize=8,
                transform=ax.get_yaxis_transform())
    # Code and name, as the who-gains figure: codes alone (KGZ, TJK) meant little to a
    # policy reader.
    from scosim.mechanism_answer import economy_label

    ax.set_yticks(y, [economy_label(str(c)) for c in order])
    ax.set_xlim(*panel_xlim(data))  # the automatic limits cut the end of a stacked bar
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel(X_LABEL)
    ax.set_ylabel("voting state")
    below = ax.transAxes + ScaledTranslation(0, -_LEGEND_DROP_PT / 72, ax.figure.dpi_scale_trans)
    legend = ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, 0),
                       bbox_transform=below, ncol=2)
    if data.not_drawn:
        # A footnote under the legend: the key lists the terms drawn, this the others.
        # Wrapped to about the axes' width (8 pt italic), so it does not widen the figure.
        ax.annotate(textwrap.fill(not_drawn_note(data), 115), xy=(0.5, 0), xycoords=legend,
                    xytext=(0, -4),
                    textcoords="offset points", ha="center", va="top", fontsize=8,
                    fontstyle="italic", color="#404040")
    ax.grid(axis="x", alpha=0.3)
    if means.columns.empty and not data.not_drawn and len(order):
        # No bar at all: said in words, not left as an empty panel that reads "no data".
        ax.text(0.5, 0.5, textwrap.fill(ALL_ZERO_PANEL, 80), transform=ax.transAxes,
                ha="center", va="center", fontsize=9, color="#404040",
                bbox={"facecolor": "white", "edgecolor": "0.6", "boxstyle": "round"})


def sponsor_trust_greyed(data: VoteReasons) -> pd.Series:
    """Whether each state's trust bar is greyed (the PNG's and the explorer's rule).

    A sponsor whose rule does not decide on a test of its own votes yes whatever its score,
    and its trust term is no view of the proposal (the proposer's is its trust in itself).
    """
    states = data.contributions.index
    return pd.Series(data.sponsor.reindex(states, fill_value=False).to_numpy(dtype=bool)
                     & ~data.decided_by.reindex(states).astype(str).str.contains("own_rule")
                     .to_numpy(), index=states)


def sponsor_trust_label(data: VoteReasons, greyed: int = 1) -> str:
    """The key's entry for the sponsors' greyed trust bars (``greyed`` of them)."""
    term = data.labels.get("trust", DEFAULT_TRUST_TERM)
    if term != DEFAULT_TRUST_TERM:
        return f"greyed: a sponsor's {term}; a sponsor votes yes whatever its score"
    if greyed == 1:
        return "greyed: the proposer's trust in itself (1.0), no view of the proposal"
    return ("greyed: trust terms of the proposer (in itself, 1.0) and co-sponsors, who vote "
            "yes whatever their score")


#: Written inside a panel in which every term of every state's score is 0.
ALL_ZERO_PANEL = (
    "No bars: every term of every state's score is 0 here, in every run. Nothing was "
    "weighed; the vote is the rule's default at a score of 0. An accession with no "
    "member-wide customs union in force rests on trust in the applicant alone, neutral "
    "here: raise weights.trust or add a trust_shock to study it.")


def plot_vote_reasons(events: pd.DataFrame | RunStats, title: str, path: Path,
                      trust_terms: Mapping[str, str] | None = None) -> Path | None:
    """Why each state voted as it did: the weighted terms of its score, one panel a proposal.

    Each proposal voted has a panel at its first vote (the earliest year any run voted
    on it; a proposal voted again later says so in its panel's title, and ``votes.csv``
    holds every vote's terms), in the order of those votes (the scenario's order within
    a year). Bars are the mean signed
    contributions over runs (they add up to the score before the idiosyncratic shock),
    each term in its own colour (:data:`TERM_COLOURS`); the whisker spans the 5th-95th
    percentile of the score over runs. The label gives the share of runs voting yes and
    says when the vote was not decided by the score: a rule that commits the state
    (``always_yes``, ...), a rule with a test of its own (``gains_only``, a plug-in's:
    the bars are then not what it decided on, and the subtitle says so: :func:`explained`)
    or the proposer supporting its own proposal, and, under an
    opt-in rule, the share of runs in which the state then withdrew from the smaller
    group the willing would form (the terms shown are those of the whole proposal).
    ``trust_terms``: as :func:`vote_reasons_all`'s.

    Returns:
        ``path``, or None when no vote carries its terms (nothing drawn).
    """
    panels = vote_reasons_all(events, trust_terms)
    if not panels:
        return None
    # Inches: 0.45 a state, plus each panel's title, axis and legend (and the figure's).
    heights = [0.45 * len(p.contributions) + 3.0 + 0.3 * bool(p.not_drawn) for p in panels]
    fig, axes = plt.subplots(len(panels), 1, squeeze=False,
                             figsize=(11, sum(heights) + 0.4 * (len(panels) > 1)),
                             gridspec_kw={"height_ratios": heights})
    for ax, data in zip(axes[:, 0], panels, strict=True):
        _draw_panel(ax, data)
        # A proposal voted again says so on a line of its own: the figure shows one year.
        note = "\n" + later_votes_note(data) if data.later_years else ""
        if len(panels) == 1:
            ax.set_title(f"{title}: {figure_heading(panels)}\nmean weighted terms over "
                         f"{data.n_runs} runs; "
                         f"{explained(panels)}{note}", fontsize=10)
        else:
            # Bold: the panel's own heading, apart from the figure's title above it.
            own = " (votes committed; scores not used)" if all_committed([data]) else ""
            ax.set_title(f"'{data.proposal}' in {data.year}{own}: mean weighted terms over "
                         f"{data.n_runs} runs{note}", fontsize=10, fontweight="bold")
    if len(panels) > 1:
        fig.suptitle(f"{title}: {figure_heading(panels)}\n{explained(panels)}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
