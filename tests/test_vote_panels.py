"""The vote figure has a panel for every proposal voted, not for the first vote only.

afghan_corridor_rats.yaml votes on a corridor and on a RATS upgrade in 2026; the figure
showed the corridor alone. The statistics now keep each proposal's terms at its first
vote (:attr:`scosim.runstats.RunStats.first_votes`), merged batch by batch, and the PNG
and the explorer draw one panel (figure) per proposal, each term in a fixed colour.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.container import BarContainer

from scosim.plot_votes import TERM_COLOURS, TERM_LABELS, plot_vote_reasons, vote_reasons_all
from scosim.plots import load_plot_data
from scosim.results import read_batches
from scosim.runstats import RunStats

REPO = Path(__file__).resolve().parents[1]
PROPOSALS = ["trans_afghan", "rats-universal-centre"]


@pytest.fixture(scope="module")
def two_votes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """afghan_corridor_rats.yaml, 6 runs in 3 batches, no plots: two proposals in 2026."""
    from scosim.runner import run

    res = run(REPO / "scenarios" / "afghan_corridor_rats.yaml", replications=6, batch_size=2,
              out=tmp_path_factory.mktemp("votes"), progress=False, plots=False)
    return Path(res.path)


@pytest.fixture(scope="module")
def small_dominance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """As :func:`two_votes` with the relative-gains weight at a twenty-fifth (0.02):
    Kazakhstan's term of the RATS upgrade is then about -0.000012 pp beside bars of 0.025 pp
    (at a tenth it is -0.000031, above the 1/1,000 of the bar since the safe havens were
    weighted by border length and capacity on 2026-12-06; at a fifth it was already above
    since the weakest link and the havens of before moved the members' gains)."""
    from scosim.runner import run
    from scosim.scenario import load_scenario

    sc = load_scenario(REPO / "scenarios" / "afghan_corridor_rats.yaml",
                       overrides={"parameters.weights.dominance": 0.02})
    res = run(sc, replications=6, batch_size=2, out=tmp_path_factory.mktemp("small"),
              progress=False, plots=False)
    return Path(res.path)


def _votes(run: Path) -> pd.DataFrame:
    ev = read_batches(run / "events")
    return ev.assign(proposal=ev["proposal"].astype(str), country=ev["country"].astype(str))


def _bars(ax: Any) -> dict[str, dict[str, float]]:
    """``{legend label: {state: bar width}}`` of a panel's stacked bars."""
    states = [t.get_text().split()[0] for t in ax.get_yticklabels()]  # "KAZ Kazakhstan"
    return {c.get_label(): {s: p.get_width() for s, p in zip(states, c.patches, strict=True)}
            for c in ax.containers if isinstance(c, BarContainer)}


def test_both_proposals_are_kept_and_drawn(two_votes: Path, tmp_path: Path,
                                           kept_figures: list[Any]) -> None:
    st = load_plot_data(two_votes)
    votes = _votes(two_votes)
    votes = votes[votes["type"] == "vote"]
    assert sorted(st.first_votes) == sorted(PROPOSALS)
    panels = vote_reasons_all(st)
    assert [p.proposal for p in panels] == PROPOSALS  # the order the Council voted them
    assert plot_vote_reasons(st, "t", tmp_path / "v.png") == tmp_path / "v.png"
    (fig,) = kept_figures
    axes = fig.axes
    assert len(axes) == 2
    for ax, data in zip(axes, panels, strict=True):
        assert f"'{data.proposal}' in 2026" in ax.get_title()
        raw = votes[(votes["proposal"] == data.proposal) & (votes["year"] == data.year)]
        assert data.n_runs == raw["run"].nunique() == 6
        bars = _bars(ax)
        for term in data.contributions.columns:
            # Bars drawn = the vote events' mean weighted terms, percentage points.
            want = 100 * raw.groupby("country")[f"contrib_{term}"].mean()
            got = pd.Series(bars[data.labels[term]])
            pd.testing.assert_series_equal(got, want[got.index], check_names=False,
                                           rtol=1e-12, atol=1e-15)
    # The RATS upgrade's security gain is drawn (the corridor's vote has none).
    assert TERM_LABELS["security"] in _bars(axes[1])


def _split(events: pd.DataFrame, groups: list[list[int]]) -> RunStats:
    st = RunStats()
    for runs in groups:
        st.add_events(events[events["run"].isin(runs)])
    return st


def _same(a: RunStats, b: RunStats) -> None:
    assert list(a.first_votes) == list(b.first_votes)
    for pid, va in a.first_votes.items():
        vb = b.first_votes[pid]
        assert (va.year, va.runs, va.states, va.n, va.yes, va.rules) == (
            vb.year, vb.runs, vb.states, vb.n, vb.yes, vb.rules)
        for c in va.states:
            assert va.sums[c].keys() == vb.sums[c].keys()
            for col, s in va.sums[c].items():
                assert vb.sums[c][col] == pytest.approx(s, rel=1e-12, abs=1e-18)
        ra, rb = va.reasons(list(TERM_LABELS)), vb.reasons(list(TERM_LABELS))
        assert ra is not None and rb is not None
        pd.testing.assert_frame_equal(ra["means"], rb["means"], rtol=1e-12)
        pd.testing.assert_series_equal(ra["low"], rb["low"])
        pd.testing.assert_series_equal(ra["high"], rb["high"])


def test_batches_merge_to_the_sums_of_one_batch(two_votes: Path) -> None:
    events = _votes(two_votes)
    runs = sorted(events["run"].unique())
    whole = _split(events, [runs])
    assert sorted(whole.first_votes) == sorted(PROPOSALS)
    _same(whole, _split(events, [[r] for r in runs]))
    _same(whole, _split(events, [runs[:4], runs[4:]]))
    # A batch whose runs voted later (here: two years later) comes first: the proposal's
    # terms start again at the earlier year of the next batch, as if read in one piece.
    late = events.assign(year=events["year"].where(~events["run"].isin(runs[:2]),
                                                   events["year"] + 2))
    first = _split(late, [runs])
    assert {v.year for v in first.first_votes.values()} == {2026}
    assert {v.runs for v in first.first_votes.values()} == {len(runs) - 2}
    _same(first, _split(late, [runs[:2], runs[2:]]))
    # Memory: one record per proposal, however many batches.
    assert len(_split(events, [[r] for r in runs]).first_votes) == 2


def _colours(fig: Any) -> dict[str, tuple[float, ...]]:
    return {c.get_label(): c.patches[0].get_facecolor() for ax in fig.axes
            for c in ax.containers if isinstance(c, BarContainer)}


def test_a_term_keeps_its_colour_whichever_terms_are_drawn(two_votes: Path, tmp_path: Path,
                                                           kept_figures: list[Any]) -> None:
    events = _votes(two_votes)
    rats = events[(events["type"] != "vote") | (events["proposal"] == PROPOSALS[1])]
    plot_vote_reasons(rats, "t", tmp_path / "all.png")
    # Without the trust and sovereignty terms the security gain was drawn in the third
    # colour (a colour by position), the one of trust.
    fewer = rats.assign(contrib_trust=0.0, contrib_sovereignty=0.0)
    plot_vote_reasons(fewer, "t", tmp_path / "fewer.png")
    every, some = (_colours(f) for f in kept_figures)
    assert TERM_LABELS["trust"] not in some
    for term, colour in TERM_COLOURS.items():
        for seen in (every, some):
            if TERM_LABELS[term] in seen:
                assert seen[TERM_LABELS[term]] == to_rgba(colour)
    assert TERM_LABELS["security"] in some


def test_the_legend_stays_under_the_axis_label_of_a_small_panel(
        two_votes: Path, tmp_path: Path, kept_figures: list[Any]) -> None:
    events = _votes(two_votes)
    one = events[(events["type"] != "vote") | ((events["proposal"] == PROPOSALS[0])
                                                & (events["country"] == "AFG"))]
    plot_vote_reasons(one, "t", tmp_path / "one.png")
    (fig,) = kept_figures
    (ax,) = fig.axes
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    label = ax.xaxis.label.get_window_extent()
    assert legend.y1 < label.y0  # below it (pixels grow upwards), not over it


def test_the_explorer_has_a_figure_per_proposal(two_votes: Path) -> None:
    from scosim.explore.figures import vote_reasons_figures
    from scosim.results import open_result

    figs = vote_reasons_figures(open_result(two_votes))
    assert [PROPOSALS[k] in f.layout.title.text for k, f in enumerate(figs)] == [True, True]
    for fig in figs:
        for bar in fig.data[:-1]:
            if bar.name.startswith("greyed: "):  # a sponsor's trust (test_vote_reasons_sponsor)
                continue
            term = next(t for t, label in TERM_LABELS.items() if label == bar.name)
            assert bar.marker.color == TERM_COLOURS[term]


def test_proposals_voted_in_one_year_keep_the_scenario_s_order(two_votes: Path,
                                                                tmp_path: Path) -> None:
    """Panels of proposals first voted in the same year followed the order the batches met
    them: a first batch whose runs voted on the corridor later (its events in year order,
    as a run logs them) put the RATS upgrade's panel first. They follow the scenario now."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from scosim.result_tables import batch_files

    run = tmp_path / "run"
    shutil.copytree(two_votes, run)
    first = batch_files(run / "events")[0]
    table = pq.read_table(first)
    ev = table.to_pandas()
    late = (ev["type"].astype(str) == "vote") & (ev["proposal"].astype(str) == PROPOSALS[0])
    ev.loc[late, "year"] += 2
    ev = ev.sort_values(["run", "year"], kind="stable")
    pq.write_table(pa.Table.from_pandas(ev, schema=table.schema, preserve_index=False), first)
    st = load_plot_data(run)
    assert list(st.first_votes) == PROPOSALS[::-1]  # the order met
    assert {v.year for v in st.first_votes.values()} == {2026}
    assert [p.proposal for p in vote_reasons_all(st)] == PROPOSALS
    # The run's answer names the committed votes in the same order.
    from scosim.run_headline import headline_text

    text = " ".join(headline_text(st, "t").split())
    assert text.index(f"on '{PROPOSALS[0]}'") < text.index(f"on '{PROPOSALS[1]}'")


def test_a_term_too_small_to_see_is_not_drawn_and_the_footnote_says_so(
        small_dominance: Path, tmp_path: Path, kept_figures: list[Any]) -> None:
    """India's 'relative gains' term of the RATS upgrade (about -0.00002 pp beside bars of
    0.1 pp) was in the legend with no bar one could see (a review). Since the security
    term values damage avoided in levels (2026-12-06) the longest bar is 0.025 pp and
    that term is drawn; at a twenty-fifth of the weight it is too small again."""
    two_votes = small_dominance
    from scosim.explore.figures import vote_reasons_figures
    from scosim.results import open_result

    st = load_plot_data(two_votes)
    plot_vote_reasons(st, "t", tmp_path / "v.png")
    (fig,) = kept_figures
    legends = [[t.get_text() for t in ax.get_legend().get_texts()] for ax in fig.axes]
    # Drawn for the corridor (Afghanistan's about -0.07 pp at this weight), not for the RATS
    # upgrade.
    assert TERM_LABELS["dominance"] in legends[0] and TERM_LABELS["dominance"] not in legends[1]
    notes = [[t.get_text() for t in ax.texts if "Too small to draw" in t.get_text()]
             for ax in fig.axes]
    assert notes[0] == []
    (note,) = notes[1]
    note = " ".join(note.split())
    assert note.startswith("Too small to draw (under 1/1,000 of the longest bar): "
                           f"'{TERM_LABELS['dominance']}' (at most 0.0000")
    assert note.endswith(" pp). The score marker includes it; every term is in votes.csv.")
    # The explorer's figure: no bar for it, and the same words under the title.
    figs = vote_reasons_figures(open_result(two_votes))
    assert TERM_LABELS["dominance"] not in [b.name for b in figs[1].data]
    assert "Too small to draw" in figs[1].layout.title.text
    assert TERM_LABELS["dominance"] in [b.name for b in figs[0].data]

    from scosim.plot_votes import DRAWN_SHARE

    corridor, rats = vote_reasons_all(st)
    votes = _votes(two_votes)
    raw = votes[(votes["type"] == "vote") & (votes["proposal"] == PROPOSALS[1])]
    dominance = 100 * raw.groupby("country")["contrib_dominance"].mean()
    assert 0 < dominance.abs().max() < DRAWN_SHARE * rats.contributions.abs().sum(axis=1).max()
    assert "dominance" not in rats.contributions.columns
    assert rats.not_drawn == {"dominance": pytest.approx(dominance.abs().max(), rel=1e-9)}
    # The score is every term's: what the vote read, the term not drawn included.
    terms = [c for c in raw.columns if c.startswith("contrib_")]
    score = 100 * raw[terms].sum(axis=1).groupby(raw["country"]).mean()
    pd.testing.assert_series_equal(rats.score, score[rats.score.index], check_names=False,
                                   rtol=1e-9)
    # The corridor's thin terms are seen and kept: sovereignty, -0.005 pp beside -1.1 pp.
    assert {"dominance", "sovereignty", "trust"} <= set(corridor.contributions.columns)
    assert not corridor.not_drawn


def test_states_are_named_on_the_png_and_the_page(two_votes: Path, tmp_path: Path,
                                                  kept_figures: list[Any]) -> None:
    """Each state by code and name ("KAZ Kazakhstan"), as the who-gains figure: the vote
    figure's axis read KGZ, TJK. The page keeps its bars keyed by code, labelled alike."""
    from scosim.data.constants import NAMES
    from scosim.explore.figures import vote_reasons_figures
    from scosim.result_tables import open_result

    st = load_plot_data(two_votes)
    plot_vote_reasons(st, "t", tmp_path / "v.png")
    (fig,) = kept_figures
    pages = vote_reasons_figures(open_result(two_votes))
    assert len(pages) == len(fig.axes) == 2
    for ax, page, data in zip(fig.axes, pages, vote_reasons_all(st), strict=True):
        labels = [t.get_text() for t in ax.get_yticklabels()]
        codes = [lab.split()[0] for lab in labels]
        assert sorted(codes) == sorted(str(c) for c in data.contributions.index)
        assert labels == [f"{c} {NAMES[c]}" for c in codes]
        axis = page.layout.yaxis
        assert [f"{c} {NAMES[c]}" for c in axis.tickvals] == list(axis.ticktext)
        assert sorted(axis.ticktext) == sorted(labels)
