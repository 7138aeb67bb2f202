"""Feeding a batch to the run's statistics: the same numbers, without copies of its table.

The feed filtered each batch's table down to the indicators it summarises (a copy of
most of it), grouped the rows with ``groupby().indices`` (8 bytes a row) and counted
the runs with ``pandas.unique`` and ``np.bincount`` (an int64 copy of the run column
each): about twice the table at once, at the moment the run's memory peaks.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest

import scosim.run_blocks as run_blocks
from scosim.member_welfare import while_name
from scosim.row_groups import indicator_rows
from scosim.run_blocks import count_runs, runs_present
from scosim.runner import run_model, tidy_indicators
from scosim.runstats import RunStats
from scosim.scenario import load_scenario
from scosim.stats_feed import feed_for_run, listen


def _table(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Rows of indicators in a shuffled order, one category unused, some missing (NaN)."""
    cats = ["d", "a", "unused", "c", "b"]
    codes = rng.choice([0, 1, 3, 4, -1], size=n).astype(np.int8)
    return pd.DataFrame({
        "run": rng.integers(0, 40, n).astype(np.int32),
        "indicator": pd.Categorical.from_codes(codes, categories=cats),
        "value": rng.normal(size=n),
    })


@pytest.mark.parametrize("only", [None, frozenset({"a", "b", "unused", "not there"})])
def test_rows_of_each_indicator_are_those_groupby_gives_in_its_order(only) -> None:
    df = _table(np.random.default_rng(3), 5000)
    ref = df.groupby("indicator", observed=True, sort=False).indices
    got = list(indicator_rows(df, only))
    want = [(str(k), v) for k, v in ref.items() if only is None or str(k) in only]
    assert [k for k, _ in got] == [k for k, _ in want]
    assert list(ref)[0] != sorted(ref)[0]  # first-appearance order, not the categories'
    for (_, a), (_, b) in zip(got, want, strict=True):
        assert a.dtype == np.int64 and np.array_equal(a, b)
    # A table whose indicator column is not categorical (the derived while-in rows).
    plain = df.dropna().astype({"indicator": str})
    assert [k for k, _ in indicator_rows(plain)] == list(
        plain.groupby("indicator", sort=False).indices)


def test_runs_are_counted_as_pandas_counts_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_blocks, "_CHUNK", 7)  # several chunks
    rng = np.random.default_rng(5)
    run = rng.integers(1000, 1300, 500).astype(np.int32)
    assert count_runs(run) == pd.unique(run).size
    seen = runs_present(run, 1000, 300)
    assert np.array_equal(np.flatnonzero(seen) + 1000, np.unique(run))
    far = np.array([0, 5, 10**9, 5], dtype=np.int64)  # ids far apart: hashed
    assert count_runs(far) == 3 and count_runs(run[:0]) == 0


def test_statistics_passing_over_other_indicators_equal_those_of_the_filtered_table(
        model_fixture) -> None:
    # A union forms in some runs: there are years inside it to derive while-in welfare of.
    model = run_model(load_scenario(model_fixture("vg_union_forms.yaml")), runs=range(30))
    df = tidy_indicators(model)
    wanted = ["welfare_change_pct", "in_customs_union", "gdp_usd", "ev_world_pct"]
    assert set(wanted) <= set(df["indicator"].cat.categories)
    filtered = RunStats.from_frames(df[df["indicator"].isin(wanted)])
    stats = RunStats()
    stats.only = frozenset(wanted)
    passed = _fed(stats, df)
    pd.testing.assert_frame_equal(passed.table(), filtered.table(), check_exact=True)
    assert passed.runs == filtered.runs == 30
    # The while-in welfare is derived from the two it needs, and only when both are kept.
    assert while_name("in_customs_union") in passed.indicators
    alone = RunStats()
    alone.only = frozenset({"gdp_usd", "in_customs_union"})
    assert set(_fed(alone, df).indicators) == {"gdp_usd", "in_customs_union"}


def _fed(stats: RunStats, df: pd.DataFrame) -> RunStats:
    """``stats`` fed ``df`` the way a run feeds them (blocks of run ids)."""
    feed = run_blocks.BlockedStats(stats)
    feed.indicators.add(df)
    return feed.finish()


def test_feeding_a_batch_holds_less_than_half_its_table(model_fixture, tmp_path) -> None:
    sc = load_scenario(model_fixture("small_cu.yaml"))
    model = run_model(sc, runs=range(250))
    df, events = tidy_indicators(model), model.log.to_frame()
    feed = feed_for_run(str(tmp_path), 2, set(), sc.outputs.summary,
                        sc.parameters.mechanisms, [p.type for p in sc.proposals])
    assert feed is not None and feed.indicators is not None
    try:
        feed.tables(0, df, events)
        for st in feed.stats.indicators.values():
            st.drop_held()  # past the first runs, the statistics are sketches
        later = df.assign(run=df["run"] + 250)
        later_events = events.assign(run=events["run"] + 250)
        tracemalloc.start()
        try:
            feed.tables(1, later, later_events)
            kept, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        listen(str(tmp_path), None)
    table = int(df.memory_usage(index=True, deep=False).sum())
    # Was 2.1 times the table (its filtered copy, groupby positions, run counts).
    assert peak - kept < 0.5 * table, (peak, kept, table)
    assert feed.stats.runs == 500
