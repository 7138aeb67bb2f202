"""compare_results reads by group of keys, yet gives the numbers of pairing the whole tables.

The reference is the whole-table computation the command used before: read both
runs' complete indicator tables and pair them at once (``compare`` on the two
tables). The grouped path must match it exactly for the t interval and the
percentile spread (each key's statistics use only that key's runs), and to
rounding for the bootstrap (the same resamples; only the matrix product's
blocking may differ).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from scosim import compare as cmp
from scosim import compare_read
from scosim.compare import compare, compare_results
from scosim.result_tables import read_batches

COUNTRIES = ("CHN", "IND", "KAZ", "RUS", "UZB")
YEARS = tuple(range(2025, 2031))
INDICATORS = ("welfare", "exports", "gdp", "member")


def tidy(rng: np.random.Generator, n_runs: int, indicator: str, shift: float) -> pd.DataFrame:
    r, t, c = np.meshgrid(np.arange(n_runs), np.arange(len(YEARS)), np.arange(len(COUNTRIES)),
                          indexing="ij")
    return pd.DataFrame({
        "run": r.ravel().astype("int32"),
        "year": np.asarray(YEARS, dtype="int16")[t.ravel()],
        "country": np.asarray(COUNTRIES)[c.ravel()],
        "indicator": indicator,
        "value": shift + rng.normal(size=r.size),
    })


def write_run(path, df: pd.DataFrame, *, batch_size: int, scenario: str):
    (path / "indicators").mkdir(parents=True)
    runs = sorted(df["run"].unique())
    for b, start in enumerate(range(0, len(runs), batch_size)):
        part = df[df["run"].isin(runs[start:start + batch_size])].copy()
        # As the runner writes: categorical keys, categories differing between batches.
        part["country"] = pd.Categorical(part["country"],
                                         categories=sorted(set(part["country"]), reverse=b % 2))
        part["indicator"] = part["indicator"].astype("category")
        part.to_parquet(path / "indicators" / f"batch-{b:05d}.parquet", index=False)
    (path / "manifest.json").write_text(json.dumps({
        "scenario": scenario, "seed": 7, "replications": len(runs), "status": "complete",
        "data_version": "x", "code_version": "sha256 cccccccccccc",
        "years": [YEARS[0], YEARS[-1]],
    }))
    return path


def tidy01(rng: np.random.Generator, n_runs: int, indicator: str, share: float) -> pd.DataFrame:
    """A 0/1 indicator (a membership): 1 in about ``share`` of the rows."""
    df = tidy(rng, n_runs, indicator, 0.0)
    df["value"] = (rng.random(len(df)) < share).astype(float)
    return df


@pytest.fixture
def runs(tmp_path):
    """Policy and baseline with awkward content: an indicator only the policy records,
    a country the baseline lacks in some runs, NaN values, different batch sizes; a 0/1
    indicator (``in_union``) and one that is 0/1 but for one value in its last year
    (``count``), both larger than the smallest groups (split by years)."""
    rng = np.random.default_rng(3)
    n = 40
    pol = pd.concat([tidy(rng, n, i, 0.3 * k) for k, i in enumerate(INDICATORS)]
                    + [tidy(rng, n, "policy_only", 1.0), tidy01(rng, n, "in_union", 0.6),
                       tidy01(rng, n, "count", 0.3)], ignore_index=True)
    pol.loc[(pol["indicator"] == "count") & (pol["year"] == YEARS[-1])
            & (pol["run"] == 7) & (pol["country"] == "KAZ"), "value"] = 2.0
    base = pd.concat([tidy(rng, n, i, 0.0) for i in INDICATORS]
                     + [tidy01(rng, n, "in_union", 0.3), tidy01(rng, n, "count", 0.3)],
                     ignore_index=True)
    base = base[~((base["country"] == "UZB") & (base["run"] % 3 == 0)
                  & (base["indicator"] == "gdp"))]
    pol.loc[(pol["indicator"] == "exports") & (pol["run"] == 5), "value"] = np.nan
    # Shuffle rows: pairing must not rely on file order.
    pol = pol.sample(frac=1, random_state=1).reset_index(drop=True)
    p = write_run(tmp_path / "p", pol, batch_size=16, scenario="cu")
    b = write_run(tmp_path / "b", base, batch_size=10, scenario="baseline")
    return p, b


def whole_table(p, b, method: str, indicators=None, own=()):
    """The reference: both whole tables in memory, paired at once (``own``: the baseline's
    values of these indicators taken as zero, as compare_results takes a no-policy EV)."""
    pol = read_batches(p / "indicators", indicators=indicators, sort=False)
    base = read_batches(b / "indicators", indicators=indicators, sort=False)
    base.loc[base["indicator"].isin(own), "value"] = 0.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ref = compare(pol, base, method=method, seed=11)
    return ref, [str(w.message) for w in caught]


@pytest.mark.parametrize("chunk_rows", [10**9, 1_500, 700, 300])
@pytest.mark.parametrize("method", ["t", "bootstrap"])
def test_grouped_comparison_equals_the_whole_table_one(runs, monkeypatch, chunk_rows, method):
    # 10**9: one group read directly; 1,500: several indicators a group, spilled;
    # 700 and 300: one indicator split by years (each indicator has 40 x 6 x 5 = 1,200 rows).
    p, b = runs
    ref, ref_warnings = whole_table(p, b, method)
    monkeypatch.setattr(cmp, "CHUNK_ROWS", chunk_rows)
    held = []
    real_pair = cmp._pair

    def spy(pol, base, by):
        held.append((len(pol), len(base), set(pol["indicator"].astype(str))))
        return real_pair(pol, base, by)

    monkeypatch.setattr(cmp, "_pair", spy)
    reads = []
    real_read = compare_read.read_table

    def read_spy(f, columns=None, **kw):
        reads.append((str(f), tuple(columns or ())))
        return real_read(f, columns, **kw)

    monkeypatch.setattr(compare_read, "read_table", read_spy)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = compare_results(p, b, method=method, seed=11)
    # The same warning about rows without a counterpart, with the same count.
    assert [m for m in map(str, (w.message for w in caught)) if "only one" in m] == \
        [m for m in ref_warnings if "only one" in m]
    spread_ref, summary_ref = ref.spread, ref.summary
    # The 0/1 indicator has Newcombe's interval in every year, whatever the groups; the
    # one with a single 2 (in a group of its own when split by years) in none.
    kind = got.summary.groupby("indicator", observed=True)["method"].unique()
    assert list(kind["in_union"]) == ["newcombe"]
    assert list(kind["count"]) == [method] and list(kind["welfare"]) == [method]
    pd.testing.assert_frame_equal(got.spread, spread_ref)
    if method == "t":
        pd.testing.assert_frame_equal(got.summary, summary_ref)
    else:
        pd.testing.assert_frame_equal(got.summary, summary_ref, rtol=1e-12, atol=1e-12)
    # Every batch file's values are read once, whatever the method and the groups
    # (the bootstrap's second pass over several groups reads the spilled files).
    files = sorted(str(f) for d in (p, b) for f in (d / "indicators").glob("batch-*.parquet"))
    assert sorted(f for f, cols in reads if "value" in cols) == files
    # Never more than a group's rows at once, and more than one group when asked.
    # (The bootstrap pairs each of several groups twice: once for the sizes, once to
    # resample; one group is paired once.)
    assert max(max(a, c) for a, c, _ in held) <= max(chunk_rows, 1)
    twice = method == "bootstrap" and chunk_rows < 10**9
    groups = len(held) // (2 if twice else 1)
    if chunk_rows < 10**9:
        assert groups >= (1_200 * 4 + chunk_rows - 1) // chunk_rows
    else:
        assert groups == 1


def test_the_run_level_differences_are_read_only_when_asked(runs, monkeypatch):
    p, b = runs
    calls = []
    real = compare_read.read_indicators
    monkeypatch.setattr(compare_read, "read_indicators",
                        lambda *a, **k: calls.append(a) or real(*a, **k))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = compare_results(p, b)
        assert calls == []  # the summary never needed the whole tables
        ref, _ = whole_table(p, b, "t")
        pd.testing.assert_frame_equal(got.diffs, ref.diffs)
        sub = got.subset(["gdp"])
    assert set(sub.summary["indicator"]) == {"gdp"}
    assert set(sub.diffs["indicator"]) == {"gdp"}
    assert "diffs" not in repr(got)


def test_compare_reads_only_key_and_value_columns(runs, monkeypatch):
    p, b = runs
    (p / "events").mkdir()
    seen = []
    real = compare_read.read_table

    def spy(f, columns=None, **kw):
        seen.append((str(f), None if columns is None else tuple(columns), kw.get("indicators")))
        return real(f, columns, **kw)

    monkeypatch.setattr(compare_read, "read_table", spy)
    monkeypatch.setattr(cmp, "CHUNK_ROWS", 10**9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_results(p, b, indicators=["gdp", "member"])
    assert seen and all(c is not None and set(c) <= set(cmp.READ_COLUMNS) for _, c, _ in seen)
    assert all("/indicators/" in f for f, _, _ in seen)
    # The value column is read only with the indicator filter.
    assert all(ind == ["gdp", "member"] for _, c, ind in seen if "value" in c)


def test_a_real_ensemble_compares_as_the_whole_tables(tmp_path, monkeypatch):
    from scosim.api import run

    kw = {"replications": 6, "seed": 5, "out": tmp_path, "progress": False}
    pol = run("scenarios/customs_union.yaml", **kw).path
    base = run("scenarios/baseline.yaml", **kw).path
    monkeypatch.setattr(cmp, "CHUNK_ROWS", 2_000)  # several groups, spilled
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = compare_results(pol, base)
        ref, _ = whole_table(pol, base, "t", own=got.own_baseline)
    pd.testing.assert_frame_equal(got.summary, ref.summary)
    pd.testing.assert_frame_equal(got.spread, ref.spread)
    assert (got.summary["indicator"] == "welfare_change_pct").any()
    # The baseline has no trade policy: its EV is zero and the members' EV is compared.
    assert got.own_baseline == compare_read.OWN_BASELINE
    assert (got.summary.loc[got.summary["indicator"] == "ev_members_usd", "n_runs"] > 0).any()


def test_plain_string_keys_group_as_categorical_ones(tmp_path, monkeypatch):
    # Batch files written with plain-string keys (not categorical) take the other branch
    # of the row-to-group lookup; the numbers must not change.
    rng = np.random.default_rng(4)
    pol = pd.concat([tidy(rng, 12, i, 0.5) for i in INDICATORS], ignore_index=True)
    base = pd.concat([tidy(rng, 12, i, 0.0) for i in INDICATORS], ignore_index=True)
    for name, df in (("p", pol), ("b", base)):
        (tmp_path / name / "indicators").mkdir(parents=True)
        for k, start in enumerate(range(0, 12, 5)):
            part = df[df["run"].between(start, start + 4)]
            part.to_parquet(tmp_path / name / "indicators" / f"batch-{k:05d}.parquet",
                            index=False)
        (tmp_path / name / "manifest.json").write_text(json.dumps({
            "scenario": name, "seed": 7, "replications": 12, "status": "complete",
            "data_version": "x", "code_version": "sha256 cccccccccccc",
            "years": [YEARS[0], YEARS[-1]],
        }))
    p, b = tmp_path / "p", tmp_path / "b"
    ref, _ = whole_table(p, b, "t")
    monkeypatch.setattr(cmp, "CHUNK_ROWS", 400)  # several groups, spilled
    got = compare_results(p, b, seed=11)
    pd.testing.assert_frame_equal(got.summary, ref.summary)
    pd.testing.assert_frame_equal(got.spread, ref.spread)


def test_a_group_read_directly_keeps_categorical_keys(runs):
    # Batches carry different categories: concatenated in Arrow, the keys stay categorical
    # (pd.concat of the per-file frames would make them plain strings).
    p, _ = runs
    files = [str(f) for f in sorted((p / "indicators").glob("batch-*.parquet"))]
    df = compare_read._read_files(files, ["gdp", "member"])
    assert isinstance(df["country"].dtype, pd.CategoricalDtype)
    assert isinstance(df["indicator"].dtype, pd.CategoricalDtype)
    assert set(df["indicator"].astype(str)) == {"gdp", "member"}
