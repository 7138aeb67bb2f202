"""The membership figure of a run: who was in what, and when (``membership_timeline.png``).

Its data (:func:`membership_data`) is shared with the explorer's membership figure
(:mod:`scosim.explore.figures`), and so are its titles and notes. Split from
:mod:`scosim.plots` (which re-exports these names) to keep that module small.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display needed (CI, servers)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from scosim.event_labels import BLOC_IN, VOTED_NO, event_label  # noqa: E402
from scosim.indicator_display import percent_of_runs  # noqa: E402
from scosim.plot_data import Data, _stats, membership_of  # noqa: E402
from scosim.runstats import RunStats  # noqa: E402

__all__ = [
    "EVENTS_PANEL",
    "NO_EVENTS",
    "event_rows",
    "events_placement",
    "REPEATED_VOTES_NOTE",
    "VOTE_ONLY",
    "membership_data",
    "membership_moved",
    "no_membership_text",
    "plot_membership",
    "membership_heading",
    "membership_map",
    "repeated_votes",
    "run_statuses",
    "sco_membership",
    "sco_not_drawn",
    "sco_not_drawn_note",
    "sco_rows",
    "union_rows",
]


def _wrap(text: str, width: int = 80) -> str:
    """Wrap each line of a title so it fits the figure (as :mod:`scosim.plots` does)."""
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def membership_data(
    ind: Data, events: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Data of the membership figure (shared by the PNG plot and the explorer).

    Args:
        ind: Tidy indicator table of a run, or its :class:`RunStats` (then
            ``events`` is not needed: the statistics include them).
        events: Its event log, with ``ind`` a table.

    Returns:
        ``(union, counts)``: ``union`` is the share of runs (0-1) in which each
        economy (column) is in a customs union, by year (index), for the economies
        ever in a union or in the SCO, or that voted or had one of the events
        counted (an EAEU member outside the SCO is invited to a union, and votes,
        with its bloc); ``counts`` has those economies as index and the mean
        number per run of votes against, vetoes, withdrawals from the willing's
        group after a yes, defections, exits with a bloc
        (``"left with its bloc"``: a bloc member that did not defect itself), joins,
        invitations with a bloc (``"invited with its bloc"``) and accessions as columns
        (only kinds that occur).
    """
    st = _stats(ind, events)
    union = st.mean(membership_of(st)[0])
    member = st.mean("member")
    n_runs = max(st.runs, 1)
    kinds = ("veto", "withdrew", "defection", "bloc_exit", "joined", "bloc_invited",
             "accession")
    acted = {c for _, c in st.votes_by} | {c for k, c in st.event_counts if k in kinds}
    codes = [c for c in union.columns
             if (union[c] > 0).any() or (member[c] > 0).any() or c in acted]
    counts = pd.DataFrame(index=codes)
    for kind in kinds:
        counts[event_label(kind)] = [
            st.event_counts.get((kind, c), 0) / n_runs for c in codes]
    if st.votes:
        counts[VOTED_NO] = [st.no_votes.get(c, 0) / n_runs for c in codes]
    if VOTED_NO in counts and counts[VOTED_NO].equals(counts.get("veto")):
        # Under consensus every vote against is a veto: show it once.
        counts = counts.drop(columns=VOTED_NO)
    counts = counts.loc[:, (counts > 0).any(axis=0)]
    return union[codes], counts


#: How the membership figures name an SCO status (the scenario's ``status`` values).
STATUS_WORDS = {"member": "member", "observer": "observer", "partner": "dialogue partner",
                "other": "non-member"}


def run_statuses(run_dir: str | Path | None) -> dict[str, str]:
    """Each economy's SCO status at the start of a run: the defaults, then its scenario's.

    Read from the run's ``scenario.yaml`` (``countries.<code>.status``); the defaults
    (:data:`scosim.scenario.values.DEFAULT_STATUSES`: the SCO's ten members, two
    observers and fourteen dialogue partners) when the run has none.
    """
    import yaml

    from scosim.scenario.values import DEFAULT_STATUSES

    out = dict(DEFAULT_STATUSES)
    if run_dir is None:
        return out
    try:
        doc = yaml.safe_load((Path(run_dir) / "scenario.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return out
    for code, ov in ((doc or {}).get("countries") or {}).items():
        if isinstance(ov, dict) and ov.get("status") in STATUS_WORDS and code in out:
            out[str(code)] = str(ov["status"])
    return out


#: The order of the SCO statuses on the membership figures.
STATUS_ORDER = ("member", "observer", "partner", "other")


def sco_rows(st: RunStats, statuses: dict[str, str] | None = None) -> pd.DataFrame:
    """The membership figures' SCO rows: who is in the SCO each year, share of runs.

    One column per economy that is an SCO member in some year of some run, ordered by
    its status at the start (``statuses``, :func:`run_statuses`: members, observers,
    dialogue partners, others), labelled ``"SCO: TKM Turkmenistan (observer)"``, its
    code and name as the run's other figures name it; the values are the
    share of runs (0-1) in which it is a member that year (the ``member`` indicator, as
    the union's rows read ``in_customs_union``), so an observer's row is empty until it
    accedes, and a member's is full unless it leaves. An observer or dialogue partner
    that is a member in no run has no row: its row was blank in every year (16 of the
    37 rows of ``scenarios/customs_union.yaml``); :func:`sco_not_drawn` names them and
    the figures say so.
    """
    statuses = dict(statuses or run_statuses(None))
    member = st.mean("member")
    codes = [c for c in member.columns if (member[c] > 0).any()]
    codes.sort(key=lambda c: STATUS_ORDER.index(statuses.get(c, "other")))  # stable
    from scosim.mechanism_answer import economy_label

    return member[codes].set_axis(
        [f"SCO: {economy_label(str(c))} ({STATUS_WORDS[statuses.get(c, 'other')]})"
         for c in codes], axis=1)


def sco_not_drawn(st: RunStats, statuses: dict[str, str] | None = None
                  ) -> dict[str, list[str]]:
    """The SCO's observers and dialogue partners that :func:`sco_rows` leaves out.

    Returns:
        ``{status: codes}`` (``"observer"``, ``"partner"``, in that order, only those
        with some), the economies of that status at the start that are an SCO member
        in no year of any run, in the data's order.
    """
    statuses = dict(statuses or run_statuses(None))
    member = st.mean("member")
    out: dict[str, list[str]] = {}
    for status in ("observer", "partner"):
        codes = [str(c) for c in member.columns
                 if statuses.get(str(c)) == status and not (member[c] > 0).any()]
        if codes:
            out[status] = codes
    return out


def sco_not_drawn_note(st: RunStats, statuses: dict[str, str] | None = None) -> str:
    """The membership figures' line naming the SCO's statuses without a row.

    ``"No SCO row (an SCO member in no year of any run): observers AFG Afghanistan, MNG
    Mongolia; dialogue partners TUR Turkiye, ..."``; empty when every status has a row.
    """
    from scosim.mechanism_answer import economy_label

    left = sco_not_drawn(st, statuses)
    if not left:
        return ""
    plural = {"observer": "observers", "partner": "dialogue partners"}
    # A no-break space in "TUR Turkiye": a wrapped line split the code from its name.
    parts = [f"{plural[k] if len(v) > 1 else STATUS_WORDS[k]} "
             + ", ".join(economy_label(c).replace(" ", "\u00a0", 1) for c in v)
             for k, v in left.items()]
    return f"No SCO row (an SCO member in no year of any run): {'; '.join(parts)}"


def sco_membership(ind: Data, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The share of runs (0-1) in which each economy is an SCO member, by year.

    Only the economies whose membership changes in some run (an accession, or a
    member leaving): the others are in or out throughout, and rows of 100 % for the
    ten members would crowd out the change. Empty (no columns) when none changes.
    The ``member`` indicator, as the customs union's rows read ``in_customs_union``.
    """
    st = _stats(ind, events)
    member = st.mean("member")
    moved = [c for c in member.columns
             if ((member[c] > 0) & (member[c] < 1)).any() or member[c].nunique() > 1]
    return member[moved]


#: Title of the membership figure's events panel (the PNG and the explorer), and what
#: it says when there is nothing to count.
EVENTS_PANEL = ("votes against, vetoes, withdrawals, exits (own or with a bloc), joins, "
                "invitations with a bloc")
NO_EVENTS = ("no votes against, vetoes, withdrawals, exits, joins or invitations with a "
             "bloc in any run")

#: Said under the membership figure's events panel when a state votes on one proposal
#: more than once a run.
REPEATED_VOTES_NOTE = ("a state can vote on a proposal several times a run: outsiders of a "
                       "union or project in force vote again every year, and a re-tabled "
                       "proposal is voted on again")


def no_membership_text(what: str) -> str:
    """What the membership figure says in place of a map when nobody was in ``what``."""
    return f"no economy was in {what} adopted in the run,\nin any run"


def repeated_votes(st: RunStats) -> bool:
    """Whether some state voted on one proposal more than once per run on average.

    Then "votes against per run" above 1 is not an error, and the figures say why
    (votes on several proposals are not counted here: the run's answer gives them a
    column each).
    """
    return any(n > st.runs for n in st.votes_by.values())


def plot_membership(ind: Data, events: pd.DataFrame | None, title: str, path: Path,
                    statuses: dict[str, str] | None = None) -> Path:
    """Timeline of who was in the customs union and the SCO, and when (share of runs).

    ``statuses``: each economy's SCO status at the start (:func:`run_statuses`; the
    defaults when not given), which names the SCO rows (:func:`sco_rows`).
    """
    from matplotlib.colors import BoundaryNorm

    st = _stats(ind, events)
    union, counts = membership_data(st)
    # Only economies in the union in some run: a row of 0 % in every year was blank.
    codes = union_rows(union)
    n_runs = st.runs
    # The SCO's members (and observers or partners that accede in some run) under the
    # union's rows: the union's rows alone did not say who was in the SCO (an accession
    # was a count in the events panel only).
    sco = sco_rows(st, statuses).reindex(union.index)
    # The observers and partners that never accede are named under the map, not drawn:
    # their 16 blank rows made a tall chart of empty lines.
    left_out = _wrap(sco_not_drawn_note(st, statuses), 110)
    events = event_rows(counts)
    n_map = len(codes) + len(sco.columns)
    place = events_placement(n_map, len(events))
    # The events panel had a row for every economy on the map, most of them empty, and as
    # tall as the map: few rows go under the map at their own height, none leave no panel.
    # The map's height follows the rows drawn, and the note's lines.
    map_h = 0.3 * n_map + 3 + (0.2 * (left_out.count("\n") + 2) if left_out else 0.0)
    if place == "beside":
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(15, map_h), layout="constrained",
                                      gridspec_kw={"width_ratios": [3, 2]})
    elif place == "below":
        ev_h = 0.3 * len(events) + 2
        fig, (ax, ax2) = plt.subplots(2, 1, figsize=(11, map_h + ev_h), layout="constrained",
                                      gridspec_kw={"height_ratios": [map_h, ev_h]})
    else:
        fig, ax = plt.subplots(figsize=(11, map_h + 0.4), layout="constrained")
        ax2 = None
    # Binned colours: a union in 3 % of runs must not look like none at all.
    bounds = [0, 1e-9, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0]
    cmap = plt.get_cmap("Blues", len(bounds) - 1)
    norm = BoundaryNorm(bounds, cmap.N)
    what = membership_of(st)[2]
    in_union = bool(codes)
    from scosim.mechanism_answer import economy_label

    # Code and name ("CHN China"), as the run's other figures: codes alone meant little.
    rows = [*(economy_label(str(c)) for c in codes), *sco.columns]
    shares = np.vstack([*([union[codes].T.to_numpy()] if in_union else []),
                        *([sco.T.to_numpy()] if len(sco.columns) else [])]
                       ) if rows else np.zeros((0, len(union.index)))
    # A state leaving in year t is inside that year (compliance follows the year's
    # trade): IRN read 100 % in 2030 beside "IRN 173 (2030-2035)" in the answer.
    head = membership_heading(what, in_union, bool(len(sco.columns)))
    ax.set_title(_wrap(head, 80) + "\n(blocs in force before it, such as the EAEU, are not "
                 "counted;\na state that leaves in year t is inside in t and outside from "
                 "t+1)", fontsize=10)
    if not (shares > 0).any():
        # A corridor's votes and joins, with no union anywhere: an all-white map read as
        # "a union was proposed and nobody joined".
        ax.text(0.5, 0.5, no_membership_text(what), ha="center", va="center")
        ax.set_axis_off()
    else:
        im = ax.imshow(shares, aspect="auto", cmap=cmap, norm=norm, interpolation="none")
        for (i, j), v in np.ndenumerate(shares):
            if v > 0:
                ax.text(j, i, f"{percent_of_runs(v, n_runs)}%", ha="center", va="center",
                        fontsize=7,
                        color="white" if v >= 0.5 else "black")
        ax.set_yticks(range(len(rows)), rows)
        if in_union and len(sco.columns):  # the SCO's rows apart from the union's
            ax.axhline(len(codes) - 0.5, color="k", lw=1.2)
        years = union.index.to_numpy()
        ax.set_xticks(range(len(years)), [str(y) for y in years], rotation=45)
        # The note under the years, in the map's own layout box (constrained layout
        # makes room for a label, not for free text).
        ax.set_xlabel("year" + (f"\n\n{left_out}" if left_out else ""))
        ax.set_ylabel("economy")
        # The lowest bin is exactly 0 (no run); its upper edge is labelled ">0%" so that
        # the bin below 5 % does not look unlabelled.
        cbar = fig.colorbar(im, ax=ax, label="share of runs", ticks=bounds)
        cbar.set_ticklabels(["0%", ">0%", *(f"{v:.0%}" for v in bounds[2:])])
    # Events panel: why (vetoes, votes against, defections, joins per run).
    if ax2 is None:
        # Nothing to count: said under the map (an empty 0-1 scale would read as a
        # measured zero, and a blank panel as a missing one).
        fig.supxlabel(NO_EVENTS, fontsize=10, color="0.25")
    else:
        events.set_axis([economy_label(str(c)) for c in events.index]).plot.barh(
            ax=ax2, width=0.8)
        ax2.invert_yaxis()
        if place == "beside":
            ax2.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        else:
            # Under the figure: right of the panel it widened the column's margin and
            # pushed the map's colour bar away from the map.
            ax2.get_legend().remove()
            fig.legend(*ax2.get_legend_handles_labels(), loc="outside lower center",
                       ncol=min(4, events.shape[1]), fontsize=8, frameon=False)
        ax2.set_xlabel("events per run (mean over runs)")
        ax2.set_ylabel("")
        panel = _wrap(EVENTS_PANEL, 60 if place == "beside" else 110)
        if repeated_votes(st):
            panel += "\n" + _wrap(f"({REPEATED_VOTES_NOTE})", 70 if place == "beside" else 110)
        ax2.set_title(panel, fontsize=10)
    fig.suptitle(_wrap(f"{title}: who was in what, and when ({n_runs} runs)", 110))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def event_rows(counts: pd.DataFrame) -> pd.DataFrame:
    """The events panel's rows: the economies of ``counts`` with some event, in its order.

    :func:`membership_data` lists every economy on the map (for the explorer's tables);
    a bar row for each, most of them empty, left the panel blank but for a bar or two.
    """
    if not counts.shape[1]:
        return counts.iloc[:0]
    return counts.loc[(counts > 0).any(axis=1)]


def events_placement(map_rows: int, event_rows: int) -> str:
    """Where the membership figure puts its events panel: ``beside``, ``below`` or ``none``.

    ``none`` when nothing is counted; ``below`` the map, at the height its rows need, when
    they are fewer than a third of the map's (a panel as tall as the map was mostly white);
    else ``beside`` it, a row of bars per row of the map at most.
    """
    if event_rows == 0:
        return "none"
    return "below" if 3 * event_rows < map_rows else "beside"


def membership_map(st: RunStats, statuses: dict[str, str] | None = None
                   ) -> tuple[pd.DataFrame, int]:
    """The membership map's cells (the PNG's and the explorer's), share of runs (0-1).

    Returns:
        ``(shares, n_union)``: rows are the economies in the union in some run (none when
        no union formed in any run), labelled by code and name (``"CHN China"``), and
        then the SCO's rows (:func:`sco_rows`), columns the years; ``n_union`` is how
        many rows are the union's.
    """
    from scosim.mechanism_answer import economy_label

    union, _ = membership_data(st)
    codes = union_rows(union)
    sco = sco_rows(st, statuses).reindex(union.index)
    named = union[codes].set_axis([economy_label(str(c)) for c in codes], axis=1)
    shares = pd.concat([*([named.T] if codes else []), sco.T])
    return shares, len(codes)


def union_rows(union: pd.DataFrame) -> list:
    """The membership map's union rows: the economies of ``union`` in it in some run.

    :func:`membership_data` also lists SCO members and voters that stayed out; their
    rows were 0 % in every year.
    """
    return [c for c in union.columns if (union[c] > 0).any()]


def membership_heading(what: str, in_union: bool, sco: bool) -> str:
    """What the membership map's cells are (the PNG's and the explorer's title)."""
    head = (f"share of runs in which the economy is in {what} adopted in the run" if in_union
            else f"no economy was in {what} adopted in the run, in any run")
    if sco:
        head += ("; rows 'SCO: economy (status at the start)': share of runs as an SCO "
                 "member")
    return head


#: Events panel columns the run's answer already gives per state ("voted no", "vetoed"):
#: alone beside a map that never changes, they make no membership figure.
VOTE_ONLY = frozenset({event_label("veto"), VOTED_NO})


def membership_moved(st: RunStats) -> bool:
    """Whether the membership figure has anything to draw that the answer does not say.

    A vote on another arrangement (a banking union, a settlement agreement) adopted
    by everyone leaves both of its panels empty: no customs union, no vote against,
    veto, exit or join. Such a figure was blank and read as "nothing happened".
    A proposal rejected in every run (the RATS upgrade of ``afghan_instability_rats.yaml``,
    the consensus customs union) leaves the map at 100 % for every member in every year and
    the events panel with votes against and vetoes only, which the answer's "voted no"
    column gives per state (and ``vote_reasons.png`` why): not drawn either. An invitation
    with a bloc to such a proposal (Armenia with the EAEU, in the consensus customs union)
    counts as a vote: it moves nobody's membership. Drawn when some economy is in the
    arrangement in some run, its SCO membership changes (:func:`sco_membership`), or an
    event other than a vote against happens (a withdrawal, an exit, a join, an accession,
    an invitation with a bloc to a proposal adopted in some run).
    """
    union, counts = membership_data(st)
    if bool((union.to_numpy() > 0).any()) or sco_membership(st).shape[1]:
        return True
    moved = set(counts.columns) - VOTE_ONLY
    if not any(st.adopted_runs.get(pid, 0) for pid, _, _ in st.bloc_invited):
        moved.discard(BLOC_IN)
    return bool(moved)
