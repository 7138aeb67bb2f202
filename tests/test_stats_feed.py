"""Plot statistics gathered while a run goes (scosim.stats_feed) equal those read afterwards."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import scosim.stats_feed as stats_feed
from scosim.bloc_answer import BLOC_INDICATORS
from scosim.indicator_display import AGGREGATE_LABELS
from scosim.member_welfare import while_name
from scosim.plot_data import WELFARE_ACCOUNTS
from scosim.plots import PLOTTED, PLOTTED_EVENTS, load_plot_data, summarised
from scosim.runner import run
from scosim.runstats import RunStats
from scosim.scenario import load_scenario
from scosim.stats_feed import StatsFeed

REPO = Path(__file__).resolve().parents[1]
# Votes each year under variable geometry (a union forms, outsiders vote again): the
# first vote's terms, yes shares and rules.
SCENARIO = REPO / "tests" / "fixtures" / "model" / "vg_union_forms.yaml"
TERMS = ["econ", "security", "sovereignty", "trust", "dominance"]


def assert_same_stats(a: RunStats, b: RunStats) -> None:
    """Bit for bit: the summary table, event counts and each proposal's first-vote reasons."""
    pd.testing.assert_frame_equal(a.table(), b.table(), check_exact=True)
    assert (a.runs, a.event_counts, a.no_votes, a.votes, a.votes_by, a.no_votes_by) == (
        b.runs, b.event_counts, b.no_votes, b.votes, b.votes_by, b.no_votes_by)
    # Runs with a vote, a no, a veto, a committed vote and a no on the own score: the
    # answer's shares of runs, counted per block of runs whatever the batches.
    assert vars(a.vote_runs) == vars(b.vote_runs) and a.vote_runs.voted
    # Who left, when and after what loss, and who came in with a bloc (the answer's lines).
    assert {k: vars(t) for k, t in a.exits.items()} == {k: vars(t) for k, t in b.exits.items()}
    assert a.bloc_invited == b.bloc_invited
    assert a.first_vote is not None and list(a.first_votes) == list(b.first_votes)
    for pid, va in a.first_votes.items():  # every proposal's first vote, not the first only
        vb = b.first_votes[pid]
        assert (va.year, va.proposal, va.states) == (vb.year, vb.proposal, vb.states)
        ra, rb = va.reasons(TERMS), vb.reasons(TERMS)
        assert ra is not None and rb is not None
        for k in ra:
            if isinstance(ra[k], pd.DataFrame):
                pd.testing.assert_frame_equal(ra[k], rb[k], check_exact=True)
            else:
                pd.testing.assert_series_equal(ra[k], rb[k], check_exact=True)


@pytest.fixture
def feeds(monkeypatch: pytest.MonkeyPatch) -> list[StatsFeed]:
    """The feeds runs make, kept after the run."""
    made: list[StatsFeed] = []
    real = stats_feed.feed_for_run

    def keep(*a: object, **k: object) -> StatsFeed | None:
        feed = real(*a, **k)
        made.append(feed)
        return feed

    monkeypatch.setattr("scosim.runner.feed_for_run", keep)
    return made


@pytest.mark.parametrize("executor", ["local", "process"])
def test_a_run_gathers_the_statistics_its_files_give(tmp_path, feeds, executor) -> None:
    res = run(SCENARIO, replications=12, batch_size=3, out=tmp_path, progress=False,
              executor=executor, workers=None if executor == "local" else 2)
    (feed,) = feeds
    assert_same_stats(feed.stats, load_plot_data(res.path))
    # In this process no batch is read back; from worker processes every one is.
    assert feed.read_back == (0 if executor == "local" else 4)
    assert (res.path / "summary.csv").exists() and (res.path / "plots").is_dir()
    # The printed answer too: the same text from the statistics read back afterwards.
    # (written again as the run writes it: with its scenario's notes, e.g. what the band
    # covers, which headline_text alone, without the run's directory, cannot know)
    from scosim.plots import run_title
    from scosim.run_headline import write_headline

    written = (res.path / "summary.txt").read_text()
    write_headline(load_plot_data(res.path), run_title(res.manifest), res.path)
    assert (res.path / "summary.txt").read_text() == written
    assert not stats_feed._feeds  # no feed left listening


def test_batches_out_of_turn_wait_or_are_read_back_in_batch_order(tmp_path) -> None:
    res = run(SCENARIO, replications=15, batch_size=3, out=tmp_path, progress=False,
              plots=False)
    whole = RunStats.from_run(res.path, PLOTTED, PLOTTED_EVENTS)
    ind = pd.read_parquet(res.path / "indicators")
    feed = StatsFeed(res.path, 5, {1}, PLOTTED, PLOTTED_EVENTS)  # batch 1 from an earlier go

    def tables(b: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        name = f"batch-{b:05d}.parquet"
        return (pd.read_parquet(res.path / "indicators" / name),
                pd.read_parquet(res.path / "events" / name))

    feed.written(4)  # finished first, waits: batch 0 comes first
    assert feed.next == 0
    feed.tables(3, *tables(3))  # out of turn: ignored, read from its file later
    feed.tables(0, *tables(0))  # in turn: taken from memory, then 1 (on disk) is read
    assert feed.next == 2 and feed.read_back == 1
    feed.written(0)  # its files, after its tables: nothing more to do
    assert feed.next == 2 and feed.read_back == 1
    stats = feed.result()  # 2 and 3 never reported: read now, then 4
    assert feed.read_back == 4
    assert stats.runs == ind["run"].nunique() == 15
    assert_same_stats(stats, whole)


def test_summary_all_gathers_every_indicator_the_run_writes(tmp_path, feeds) -> None:
    """outputs.summary: all -> summary.csv holds every indicator, with the tables' means."""
    from scosim.scenario import load_scenario

    sc = load_scenario(SCENARIO)
    assert sc.outputs.summary == "plotted"  # the default: the plotted indicators only
    plotted = run(SCENARIO, replications=6, batch_size=3, out=tmp_path / "p", progress=False)
    # the plotted ones, the built-in arrangements' memberships (a plug-in type another
    # test registered in this process may declare one that this run does not record) and
    # the bloc totals the answer states (the union forms here: every one has values)
    # and each economy's US$ welfare and its terms; and, derived from the welfare change
    # and the union's membership, the welfare while in it (scosim.member_welfare)
    plotted_names = {*PLOTTED, "in_customs_union", "in_free_trade_area", *BLOC_INDICATORS,
                     *WELFARE_ACCOUNTS}
    assert plotted_names <= set(summarised("plotted"))
    derived = {while_name("in_customs_union")}
    assert set(pd.read_csv(plotted.path / "summary.csv").indicator) == plotted_names | derived
    res = run(SCENARIO, replications=6, batch_size=3, out=tmp_path / "a", progress=False,
              overrides={"outputs.summary": "all"})
    summary = pd.read_csv(res.path / "summary.csv")
    ind = res.indicators
    assert set(summary.indicator) == set(ind.indicator.astype(str)) | derived > plotted_names
    summary = summary[~summary.indicator.isin(list(derived))]  # not in the raw rows
    # The means are those of the raw rows (to the six digits summary.csv keeps). A world
    # or bloc total, the same in every economy's column, is held once, under its group.
    raw = ind.assign(indicator=ind.indicator.astype(str), country=ind.country.astype(str),
                     year=ind.year.astype("int64"))
    total = raw.indicator.isin(list(AGGREGATE_LABELS))
    assert (raw[total].groupby(["indicator", "run", "year"])["value"].nunique(dropna=False)
            == 1).all()  # the same value in every column: one is the total
    first = raw[total].country.min()
    raw = pd.concat([raw[~total], raw[total & (raw.country == first)].assign(
        country=lambda d: d.indicator.map(AGGREGATE_LABELS))])
    raw = raw.groupby(["indicator", "year", "country"])["value"].mean()
    held = summary[summary.indicator.isin(list(AGGREGATE_LABELS))]
    assert set(held.country) == {"bloc members", "outsiders", "world", "bloc"}
    assert not held.duplicated(["indicator", "year"]).any()
    got = summary.set_index(["indicator", "year", "country"])["mean"]
    pd.testing.assert_series_equal(got.sort_index(), raw.loc[got.index].sort_index(),
                                   check_names=False, rtol=1e-5, atol=1e-9)
    # Read back from the files afterwards (a replot, `scosim show`): the same statistics.
    (feed,) = feeds[1:]
    pd.testing.assert_frame_equal(feed.stats.table(), load_plot_data(res.path).table(),
                                  check_exact=True)


def test_exits_gathered_while_running_equal_those_read_back(tmp_path, feeds) -> None:
    """Exits (own and with a bloc) and bloc invitations, over batches, both ways alike."""
    # Threshold 0: members leave on their own and the EAEU with them, whatever the default.
    sc = load_scenario(REPO / "scenarios" / "customs_union_central_asia.yaml",
                       overrides={"parameters.council.exit_threshold": 0.0})
    res = run(sc, replications=6, batch_size=2, out=tmp_path, progress=False)
    (feed,) = feeds
    got = load_plot_data(res.path)
    assert {k for k, _, _ in got.exits} == {"defection", "bloc_exit"}
    assert got.bloc_invited and all(n <= 6 for n in got.bloc_invited.values())
    assert {k: vars(t) for k, t in feed.stats.exits.items()} == {
        k: vars(t) for k, t in got.exits.items()}
    assert feed.stats.bloc_invited == got.bloc_invited
    # The runs each state left in (the answer's "left" share), over batches of 2 runs: a
    # run is counted once, whatever its exits, and the same both ways.
    ev = res.events
    left = ev[ev["type"].isin(["defection", "bloc_exit"])]
    assert feed.stats.exit_runs == got.exit_runs == {
        str(c): int(n) for c, n in left.groupby("country", observed=True)["run"].nunique().items()
        if n}
    assert "Who left, in how many of 6 runs" in (res.path / "summary.txt").read_text()
