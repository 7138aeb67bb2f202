"""Streaming statistics over runs (scosim.runstats): exact merging, bounded quantile error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scosim.runstats import ALPHA, ZERO, IndicatorStats, RunStats, Sketch


def _tidy(values: np.ndarray, years: list[int], countries: list[str], run0: int = 0
          ) -> pd.DataFrame:
    """Tidy rows (run, year, country, indicator, value) of an (R, T, N) array."""
    R, T, N = values.shape
    return pd.DataFrame({
        "run": np.repeat(np.arange(run0, run0 + R), T * N),
        "year": np.tile(np.repeat(years, N), R),
        "country": pd.Categorical.from_codes(np.tile(np.arange(N), R * T), categories=countries),
        "indicator": pd.Categorical(["x"] * (R * T * N)),
        "value": values.reshape(-1),
    })


@pytest.mark.parametrize("dist", ["lognormal", "normal", "mixed_sign_zero"])
def test_quantiles_within_the_stated_bound_of_exact_ones(dist: str) -> None:
    rng = np.random.default_rng(7)
    n = 3001
    x = {
        "lognormal": rng.lognormal(20, 1.5, n),
        "normal": rng.normal(0.3, 2.0, n),
        "mixed_sign_zero": np.where(rng.random(n) < 0.3, 0.0, rng.standard_t(3, n)),
    }[dist]
    sk = Sketch(1)
    for part in np.array_split(x, 7):  # merged from unequal batches
        sk.add(np.zeros(part.size, dtype=np.int64), part)
    qs = [0.0, 0.05, 0.25, 0.5, 0.95, 1.0]
    est = sk.quantiles(qs)[0]
    xs = np.sort(x)
    for q, e in zip(qs, est, strict=True):
        exact = np.percentile(x, q * 100)
        h = (n - 1) * q
        k = int(np.floor(h))
        bound = ALPHA * max(abs(xs[k]), abs(xs[min(k + 1, n - 1)])) * (1 + 1e-9) + ZERO
        assert abs(e - exact) <= bound, (q, e, exact, bound)
    # The bound is not vacuous: the estimates are not exact in general.
    assert dist == "mixed_sign_zero" or not np.allclose(est, np.percentile(x, np.array(qs) * 100),
                                                        rtol=1e-9, atol=0)


def test_merging_is_independent_of_batching_and_order() -> None:
    rng = np.random.default_rng(1)
    vals = rng.normal(5, 3, (40, 3, 4))
    years, ctys = [2030, 2031, 2032], ["A", "B", "C", "D"]
    whole = RunStats.from_frames(_tidy(vals, years, ctys))
    pieces = RunStats()
    for s in (slice(30, 40), slice(0, 13), slice(13, 30)):  # out of order, unequal
        pieces.add_indicators(_tidy(vals[s], years, ctys, run0=s.start))
    assert whole.runs == pieces.runs == 40
    a, b = whole.indicators["x"], pieces.indicators["x"]
    assert np.array_equal(a.sketch.codes, b.sketch.codes)
    assert np.array_equal(a.sketch.counts, b.sketch.counts)
    exact = pd.DataFrame(vals.mean(axis=0), index=pd.Index(years, name="year"),
                         columns=pd.Index(ctys, name="country"))
    pd.testing.assert_frame_equal(pieces.mean("x"), exact, rtol=1e-14, atol=0)
    pd.testing.assert_frame_equal(whole.mean("x"), exact, rtol=1e-14, atol=0)


def test_sketch_merges_held_back_give_the_counts_of_merging_every_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import scosim.sketch as sketch

    rng = np.random.default_rng(3)
    batches = [(rng.integers(0, 50, 400), rng.lognormal(0, 2, 400)) for _ in range(30)]
    eager = Sketch(50)
    for cells, vals in batches:
        eager.add(cells, vals)
        _ = eager.codes  # reading merges: one merge per batch, as before batching merges
    # A small threshold makes the held-back merges happen mid-stream, several times.
    monkeypatch.setattr(sketch, "_MIN_PENDING", 500)
    lazy = Sketch(50)
    merges = 0
    for cells, vals in batches:
        held = len(lazy._pending)
        lazy.add(cells, vals)
        merges += len(lazy._pending) < held + 1
        # Memory bounded: what is held back stays within an eighth of the bins.
        assert lazy._pending_size <= max(lazy._codes.size // 8, 500) + 400
    assert merges >= 3
    assert np.array_equal(lazy.codes, eager.codes)
    assert np.array_equal(lazy.counts, eager.counts)
    # Both against the bins counted at once from every value, outside the sketch's merges.
    cells = np.concatenate([c for c, _ in batches]).astype(np.int64)
    keys = sketch.bin_keys(np.concatenate([v for _, v in batches]))
    codes, counts = np.unique(cells * sketch._SPAN + keys + sketch._SPAN // 2,
                              return_counts=True)
    assert np.array_equal(lazy.codes, codes)
    assert np.array_equal(lazy.counts, counts)
    assert lazy.counts.sum() == 30 * 400
    np.testing.assert_array_equal(lazy.quantiles([0.05, 0.5, 0.95]),
                                  eager.quantiles([0.05, 0.5, 0.95]))


def test_counts_read_before_a_merge_are_not_changed_by_it() -> None:
    sk = Sketch(3)
    sk.add(np.array([0, 1, 2]), np.array([1.0, 2.0, 3.0]))
    before = sk.counts
    kept = before.copy()
    sk.add(np.array([0, 1]), np.array([1.0, 5.0]))  # one bin seen, one new
    assert sk.counts.sum() == 5
    assert np.array_equal(before, kept)


def test_shares_of_runs_are_exact_and_nan_is_skipped() -> None:
    st = IndicatorStats(["A"])
    v = np.array([1.0, 0.0, 1.0, np.nan, 1.0])
    st.add(np.full(5, 2030), np.zeros(5, dtype=int), v)
    assert st.mean().iloc[0, 0] == 0.75
    assert st.count.sum() == 4
    assert st.quantile(0.5).iloc[0, 0] == pytest.approx(1.0, rel=ALPHA * (1 + 1e-9))


@pytest.mark.parametrize("n", [300, 5000])  # values held, and the sketch alone
def test_share_of_runs_above_zero_is_exact_at_any_size(n: int) -> None:
    """Signs survive binning: the share of runs with a gain is exact, noise counts as zero."""
    rng = np.random.default_rng(11)
    x = rng.normal(0.1, 1.0, (n, 2, 3))
    x[: n // 10, 0, 0] = ZERO / 2  # numerical noise, not a gain
    x[n // 10: n // 5, 0, 1] = -ZERO / 2
    x[n // 5, 1, 2] = np.nan
    st = RunStats()
    for k, part in enumerate(np.array_split(x, 7)):
        st.add_indicators(_tidy(part, [2030, 2031], ["A", "B", "C"],
                                run0=sum(len(p) for p in np.array_split(x, 7)[:k])))
    got = st.share_positive("x")
    for t, year in enumerate((2030, 2031)):
        for c, code in enumerate("ABC"):
            v = x[:, t, c][~np.isnan(x[:, t, c])]
            assert got.loc[year, code] == np.mean(v > ZERO), (year, code)


def test_new_economy_in_a_later_batch_keeps_earlier_cells() -> None:
    st = RunStats()
    st.add_indicators(_tidy(np.full((2, 1, 1), 3.0), [2030], ["A"]))
    st.add_indicators(_tidy(np.full((2, 1, 2), 5.0), [2030], ["A", "B"], run0=2))
    m = st.mean("x")
    assert m.loc[2030, "A"] == 4.0 and m.loc[2030, "B"] == 5.0
    assert st.quantile("x", 0.0).loc[2030, "A"] == pytest.approx(3.0, rel=ALPHA * (1 + 1e-9))


def test_small_cells_are_exact_and_large_ones_switch_to_the_bounded_sketch() -> None:
    from scosim.runstats import EXACT_RUNS

    rng = np.random.default_rng(3)
    qs = [0.05, 0.5, 0.95]
    for n, exact in ((EXACT_RUNS, True), (EXACT_RUNS + 1, False)):
        x = rng.lognormal(0, 1, n)
        st = IndicatorStats(["A"])
        for part in np.array_split(x, 5):
            st.add(np.full(part.size, 2030), np.zeros(part.size, dtype=int), part)
        got = np.array([st.quantile(q).iloc[0, 0] for q in qs])
        want = np.percentile(x, np.array(qs) * 100)
        if exact:
            np.testing.assert_allclose(got, want, rtol=1e-14)
        else:
            assert not np.allclose(got, want, rtol=1e-12, atol=0)
            np.testing.assert_allclose(got, want, rtol=ALPHA * 1.0001)


@pytest.mark.parametrize("n", [300, 10000])  # exact quantiles; the sketch from batch one
def test_quantiles_asked_between_batches_see_every_later_batch(n: int) -> None:
    """Quantiles are kept between calls, and a batch added after a call is never missed."""
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 2.0, (n, 2))
    asked, fresh = IndicatorStats(["A", "B"]), IndicatorStats(["A", "B"])
    qs = [0.05, 0.5, 0.95]
    before = None
    for part in np.array_split(x, 4):
        years = np.full(part.size, 2030)
        country = np.tile([0, 1], len(part))
        for st in (asked, fresh):
            st.add(years, country, part.ravel())
        got = asked.quantiles(qs)  # asked after every batch, as a run's plots might
        assert before is None or not np.array_equal(got, before, equal_nan=True)
        before = got
    assert np.array_equal(asked.quantiles(qs), fresh.quantiles(qs), equal_nan=True)
    want = np.percentile(x, np.array(qs) * 100, axis=0).T
    used = np.flatnonzero(asked.count.ravel())
    np.testing.assert_allclose(asked.quantiles(qs)[used], want, rtol=ALPHA * 1.0001)


def test_batches_with_other_country_categories_land_in_the_right_columns() -> None:
    """A batch whose categories come in another order, or add an economy, is added by name."""
    rng = np.random.default_rng(3)
    vals = rng.normal(2, 1, (6, 2, 3))
    years = [2030, 2031]
    first = _tidy(vals[:3, :, :2], years, ["A", "B"])
    # Same economies named in another order, plus C: values keyed by name, not position.
    later = _tidy(vals[3:, :, [1, 0, 2]], years, ["B", "A", "C"], run0=3)
    st = RunStats()
    st.add_indicators(first)
    st.add_indicators(later)
    mean = st.mean("x")
    assert list(mean.columns) == ["A", "B", "C"]
    np.testing.assert_allclose(mean[["A", "B"]].to_numpy(), vals[:, :, :2].mean(axis=0))
    np.testing.assert_allclose(mean["C"].to_numpy(), vals[3:, :, 2].mean(axis=0))


def _many(values: np.ndarray, names: list[str], run0: int = 0) -> pd.DataFrame:
    """Tidy rows of several indicators, ``values`` (K, R, T, N), years from 2030."""
    k, r, t, n = values.shape
    parts = [_tidy(values[i], list(range(2030, 2030 + t)), [f"E{j}" for j in range(n)], run0)
             .assign(indicator=name) for i, name in enumerate(names)]
    out = pd.concat(parts, ignore_index=True)
    out["indicator"] = out["indicator"].astype("category")
    return out


def test_values_held_for_exact_quantiles_are_bounded_across_indicators(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Many indicators summarised together hold at most the budget (then all use the sketch).

    A summary of every indicator (61 in the corridor and security scenarios) used to hold
    every value of 2,000 runs, and a sketch of them besides: the peak of such a run.
    """
    import scosim.runstats as rs

    monkeypatch.setattr(rs, "EXACT_VALUES", 1000)
    rng = np.random.default_rng(5)
    x = rng.lognormal(0.0, 1.0, (3, 60, 2, 4))  # 3 indicators, 60 runs: 1,440 values
    names = ["a", "b", "c"]
    qs = [0.05, 0.5, 0.95]

    def stats(splits: int, which: list[str]) -> RunStats:
        st, run0 = RunStats(), 0
        idx = [names.index(w) for w in which]
        for part in np.array_split(x[idx], splits, axis=1):
            st.add_indicators(_many(part, which, run0))
            run0 += part.shape[1]
            assert sum(s.held_values for s in st.indicators.values()) <= 1000
        return st

    one = stats(3, ["a"])  # 480 values: under the budget, exact
    want = np.percentile(x[0], np.array(qs) * 100, axis=0)  # (q, T, N)
    got = np.stack([one.quantile("a", q).to_numpy() for q in qs])
    np.testing.assert_allclose(got, want, rtol=1e-14)
    # 1,440 values: over the budget of 1,000 with the last batch
    for splits in (3, 6):
        every = stats(splits, names)
        assert all(s.held_values == 0 for s in every.indicators.values())
        for i, name in enumerate(names):
            got = np.stack([every.quantile(name, q).to_numpy() for q in qs])
            want = np.percentile(x[i], np.array(qs) * 100, axis=0)
            assert not np.allclose(got, want, rtol=1e-12, atol=0)
            np.testing.assert_allclose(got, want, rtol=ALPHA * 1.0001)
        if splits == 3:
            first = every
        else:  # the same numbers however the runs were batched
            pd.testing.assert_frame_equal(every.table(), first.table())


def test_held_values_give_the_sketch_and_shares_the_sketch_would() -> None:
    """While values are held no sketch is kept; the one built from them is the one kept later."""
    rng = np.random.default_rng(8)
    x = rng.normal(0.0, 1.0, (50, 2, 3))
    held, swept = RunStats(), RunStats()
    for st in (held, swept):
        for k, part in enumerate(np.array_split(x, 5)):
            st.add_indicators(_tidy(part, [2030, 2031], ["A", "B", "C"], run0=10 * k))
    swept.indicators["x"].drop_held()
    h, s = held.indicators["x"], swept.indicators["x"]
    assert h.held_values == 50 * 6 and s.held_values == 0
    assert h._sketch.codes.size == 0  # nothing but the values while they are held
    assert np.array_equal(h.sketch.codes, s.sketch.codes)
    assert np.array_equal(h.sketch.counts, s.sketch.counts)
    pd.testing.assert_frame_equal(h.share_positive(), s.share_positive())


@pytest.mark.parametrize("runs", [50, 2500])  # values held (exact), and the sketch
def test_one_summary_at_a_time_keeps_what_its_quantiles_derive(runs: int) -> None:
    rng = np.random.default_rng(11)
    years, ctys = [2024, 2025], ["CHN", "KAZ", "RUS"]
    frames = []
    for k in range(4):
        df = _tidy(rng.lognormal(k, 1.0, (runs, 2, 3)), years, ctys)
        df["indicator"] = pd.Categorical([f"x{k}"] * len(df))
        frames.append(df)
    st = RunStats.from_frames(pd.concat(frames, ignore_index=True))
    first = st.table()

    def derived() -> int:
        return sum((s._sorted is not None) + (s._sketch._ranks is not None)
                   for s in st.indicators.values())

    # Derived arrays are as large as the summary: kept for every indicator they doubled
    # a run's memory after the run; one is enough for quantiles asked in a row.
    assert derived() == 1
    again = st.table()  # the dropped ones are derived again: same numbers
    pd.testing.assert_frame_equal(again, first)
    assert derived() == 1
