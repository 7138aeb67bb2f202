"""Paired comparison: differences, intervals (coverage, 1/sqrt(R)), result directories, report."""

from __future__ import annotations

import json
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from rich.console import Console  # noqa: E402
from scipy import stats  # noqa: E402

from scosim.compare import (  # noqa: E402
    PairingError,
    compare,
    compare_results,
    paired_differences,
    plot_difference_over_time,
    plot_final_year,
    summarise,
)
from scosim.compare_terminal import print_summary  # noqa: E402
from scosim.report import decimals, write_report  # noqa: E402

COUNTRIES = ("CHN", "IND", "KAZ", "RUS")
YEARS = (2025, 2026, 2027, 2028)


def tidy(values: np.ndarray, indicator: str = "welfare") -> pd.DataFrame:
    """values[run, year, country] -> tidy table."""
    r, t, c = np.meshgrid(
        np.arange(values.shape[0]), np.arange(values.shape[1]), np.arange(values.shape[2]),
        indexing="ij",
    )  # fmt: skip
    return pd.DataFrame(
        {
            "run": r.ravel(),
            "year": np.asarray(YEARS)[t.ravel()],
            "country": np.asarray(COUNTRIES)[c.ravel()],
            "indicator": indicator,
            "value": values.ravel(),
        }
    )


def synthetic_pair(n_runs: int, seed: int, effect: float = 0.5, spread: float = 1.0):
    """Baseline with large common noise; policy = baseline + effect + run-level variation.

    The common noise (sd 10) is shared by run index, as with common random
    numbers, so it cancels in the paired difference; the difference is
    N(effect * (1 + year index), spread).
    """
    rng = np.random.default_rng(seed)
    shape = (n_runs, len(YEARS), len(COUNTRIES))
    base = 100 + 10 * rng.normal(size=shape)
    trend = effect * (1 + np.arange(len(YEARS)))[None, :, None]
    sign = np.array([1, -1, 1, 1])[None, None, :]  # IND loses
    pol = base + sign * trend + spread * rng.normal(size=shape)
    return tidy(pol), tidy(base)


def write_run(path, df: pd.DataFrame, *, seed=20250601, replications=None, status="complete",
              scenario="s", data_version="2026.1", batch_size=25):  # fmt: skip
    """Write a results directory in the documented layout, one parquet file per batch."""
    (path / "indicators").mkdir(parents=True)
    (path / "events").mkdir()
    runs = sorted(df["run"].unique())
    for b, start in enumerate(range(0, len(runs), batch_size)):
        chunk = df[df["run"].isin(runs[start : start + batch_size])]
        chunk.to_parquet(path / "indicators" / f"batch-{b:05d}.parquet", index=False)
    manifest = {
        "scenario": scenario,
        "scenario_hash": f"hash-{scenario}",
        "seed": seed,
        "replications": len(runs) if replications is None else replications,
        "status": status,
        "package_version": "0.1.0",
        "code_version": "sha256 cccccccccccc",
        "data_version": data_version,
        "started": "2026-11-23T05:00:00Z",
        "finished": "2026-11-23T05:01:00Z",
        "executor": "local",
        "batches": list(range(b + 1)),
    }
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


# ----------------------------------------------------------------------------- differences


def test_paired_differences_pairs_by_run_and_keys():
    pol, base = synthetic_pair(5, 0)
    # Shuffle one side: pairing must be by (run, keys), not by row order.
    d = paired_differences(pol.sample(frac=1, random_state=1), base)
    assert list(d.columns) == ["run", "year", "country", "indicator", "policy", "baseline", "diff"]
    assert len(d) == len(pol)
    m = pol.merge(base, on=["run", "year", "country", "indicator"])
    expect = (m["value_x"] - m["value_y"]).sort_values().to_numpy()
    np.testing.assert_allclose(np.sort(d["diff"].to_numpy()), expect)
    np.testing.assert_allclose(d["diff"], d["policy"] - d["baseline"])


def _merge_pair(policy: pd.DataFrame, baseline: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Reference pairing: a pandas outer merge, then the documented sort."""
    by = ["year", "country", "indicator"]
    m = policy.merge(baseline, on=["run", *by], how="outer", suffixes=("_p", "_b"),
                     indicator=True)
    n_unmatched = int((m["_merge"] != "both").sum())
    m = m[m["_merge"] == "both"]
    out = pd.DataFrame({"run": m["run"].to_numpy(), **{k: m[k].to_numpy() for k in by},
                        "policy": m["value_p"].to_numpy(dtype=float),
                        "baseline": m["value_b"].to_numpy(dtype=float)})
    out["diff"] = out["policy"] - out["baseline"]
    return out.sort_values([*by, "run"], kind="stable").reset_index(drop=True), n_unmatched


@pytest.mark.parametrize("categorical", ["both", "policy", "none"])
def test_pairing_equals_an_outer_merge(categorical):
    from scosim.compare import _pair

    pol, base = synthetic_pair(7, 3)
    # Keys only one side has, both ways; rows in different orders.
    pol = pd.concat([pol, pol.head(5).assign(indicator="only_policy")], ignore_index=True)
    base = pd.concat([base[base["country"] != "KAZ"],
                      base[base["country"] == "CHN"].head(3).assign(country="ZZZ")],
                     ignore_index=True)
    pol, base = pol.sample(frac=1, random_state=2), base.sample(frac=1, random_state=3)
    if categorical in ("both", "policy"):
        # Categories in order of appearance, different on each side (as Arrow reads them).
        pol = pol.astype({"country": "category", "indicator": "category"})
        pol["country"] = pol["country"].cat.reorder_categories(["RUS", "CHN", "KAZ", "IND"])
    if categorical == "both":
        base = base.astype({"country": "category", "indicator": "category"})
    keys = ["year", "country", "indicator"]
    got, n_got, layout = _pair(pol, base, keys)
    want, n_want = _merge_pair(pol, base)
    assert n_got == n_want == 5 + 7 * 4 + 3  # policy-only rows, KAZ (7 runs x 4 years), ZZZ
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # The keys x runs table from the layout is the unstack's, with a run missing for a key.
    from scosim.compare import _wide

    part = got.drop(index=[3, 40]).reset_index(drop=True)
    keep = np.ones(len(got), bool)
    keep[[3, 40]] = False
    sub = type(layout)(layout.key[keep], layout.run[keep])
    for frame, lay in ((got, layout), (part, sub)):
        index, v = _wide(frame, keys, lay)
        wide = frame.set_index([*keys, "run"])["diff"].unstack("run")
        pd.testing.assert_frame_equal(index, wide.index.to_frame(index=False), check_exact=True)
        np.testing.assert_array_equal(v, wide.to_numpy(dtype=float))


def test_common_random_numbers_cancel_in_the_difference():
    # Noise sd 10 in levels, but the paired difference only has sd 1.
    pol, base = synthetic_pair(400, 1, spread=1.0)
    s = summarise(paired_differences(pol, base))
    assert s["sd"].between(0.85, 1.15).all()
    assert (pol["value"].std() > 9) and (base["value"].std() > 9)


def test_paired_differences_refuses_unpaired_runs_and_duplicates():
    pol, base = synthetic_pair(5, 0)
    with pytest.raises(PairingError, match="same runs.*paired by index.*Only in policy: \\[4\\]"):
        paired_differences(pol, base[base["run"] < 4])
    with pytest.raises(PairingError, match="duplicated"):
        paired_differences(pd.concat([pol, pol.head(1)]), base)
    with pytest.raises(PairingError, match="missing columns"):
        paired_differences(pol.drop(columns="year"), base)


def test_keys_in_only_one_table_are_dropped_with_a_warning():
    pol, base = synthetic_pair(3, 0)
    extra = pol.head(6).assign(indicator="tariff_revenue")
    # An indicator the baseline does not record: expected, said as a note.
    with pytest.warns(UserWarning, match="not compared, as expected: 1 indicator .*"
                                         "does not have; only the policy run records: "
                                         "tariff_revenue$"):
        d = paired_differences(pd.concat([pol, extra]), base)
    assert set(d["indicator"]) == {"welfare"}


def test_no_policy_change_gives_zero_differences():
    _, base = synthetic_pair(20, 0)
    for method in ("t", "bootstrap", "percentile"):
        s = summarise(paired_differences(base, base.sample(frac=1, random_state=0)), method=method)
        assert (s[["mean", "low", "high", "share_positive"]] == 0).all().all()


# ----------------------------------------------------------------------------- summaries


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=40),
    shift=st.floats(-1e3, 1e3),
    method=st.sampled_from(["t", "bootstrap", "percentile"]),
)
def test_summaries_shift_with_the_data_and_bracket_the_mean(values, shift, method):
    d = pd.DataFrame({"run": range(len(values)), "country": "A", "diff": values})
    a = summarise(d, method=method, seed=1).iloc[0]
    b = summarise(d.assign(diff=d["diff"] + shift), method=method, seed=1).iloc[0]
    tol = 1e-6 * (1 + abs(shift) + max(abs(v) for v in values))
    for col in ("mean", "low", "high"):
        assert b[col] == pytest.approx(a[col] + shift, abs=tol)
    assert a["low"] <= a["high"] + tol
    if method != "percentile":  # a CI of the mean contains the sample mean
        assert a["low"] - tol <= a["mean"] <= a["high"] + tol


def test_t_interval_and_share_on_a_hand_example():
    d = pd.DataFrame({"run": [0, 1, 2, 3], "country": "A", "diff": [1.0, 2.0, 3.0, -4.0]})
    s = summarise(d, level=0.90, method="t").iloc[0]
    mean, sd = 0.5, np.std([1, 2, 3, -4], ddof=1)
    half = stats.t.ppf(0.95, 3) * sd / 2
    assert s["mean"] == pytest.approx(mean)
    assert (s["low"], s["high"]) == pytest.approx((mean - half, mean + half))
    assert s["share_positive"] == 0.75 and s["n_runs"] == 4
    assert s["interval"] == "90 % CI of the mean (t)"
    p = summarise(d, level=0.5, method="percentile").iloc[0]
    assert (p["low"], p["high"]) == pytest.approx(tuple(np.quantile([1, 2, 3, -4], [0.25, 0.75])))
    assert p["interval"] == "25-75 % of runs"
    b = summarise(d, method="bootstrap").iloc[0]
    assert b["interval"] == "90 % CI of the mean (bootstrap)"
    with pytest.raises(ValueError, match="unknown method"):
        summarise(d, method="normal")
    with pytest.raises(ValueError, match="level"):
        summarise(d, level=90)


def many_keys(n_keys: int, n_runs: int, seed: int, mu: float = 0.5, sd: float = 2.0):
    """n_keys independent experiments, each R runs of N(mu, sd) paired differences."""
    rng = np.random.default_rng(seed)
    v = rng.normal(mu, sd, size=(n_keys, n_runs))
    return pd.DataFrame(
        {
            "run": np.tile(np.arange(n_runs), n_keys),
            "country": np.repeat(np.arange(n_keys), n_runs).astype(str),
            "diff": v.ravel(),
        }
    )


@pytest.mark.parametrize(("method", "n_runs", "lower"), [("t", 20, 0.87), ("bootstrap", 50, 0.85)])
def test_ci_of_the_mean_covers_the_true_mean_at_nominal_rate(method, n_runs, lower):
    # 1,000 independent experiments: coverage has sd ~ 0.0095 around 0.90 (3 sd
    # band for t). The percentile bootstrap under-covers a little at small R
    # (about 0.885 on average at R=50 over seeds 0-7), hence its lower bound.
    s = summarise(many_keys(1000, n_runs, seed=11), level=0.90, method=method, seed=3)
    coverage = ((s["low"] <= 0.5) & (0.5 <= s["high"])).mean()
    assert lower <= coverage <= 0.93, coverage


def test_percentile_spread_holds_the_nominal_share_of_run_outcomes():
    # The percentile interval describes runs, not the mean: a fresh run's
    # difference falls inside it with probability ~ level.
    s = summarise(many_keys(500, 200, seed=5), level=0.90, method="percentile")
    inside = stats.norm.cdf(s["high"], 0.5, 2.0) - stats.norm.cdf(s["low"], 0.5, 2.0)
    assert inside.mean() == pytest.approx(0.90, abs=0.01)


def test_bootstrap_is_seeded_and_handles_ragged_runs():
    d = many_keys(5, 30, seed=2)
    d = d[~((d["country"] == "0") & (d["run"] >= 20))]  # key "0" has only 20 runs
    a = summarise(d, method="bootstrap", seed=1)
    pd.testing.assert_frame_equal(a, summarise(d, method="bootstrap", seed=1))
    assert not a.equals(summarise(d, method="bootstrap", seed=2))
    assert a.set_index("country").loc["0", "n_runs"] == 20
    assert a[["low", "high"]].notna().all().all()


@pytest.mark.parametrize("method", ["t", "bootstrap"])
def test_ci_width_shrinks_as_one_over_sqrt_runs(method):
    w = {}
    for r in (50, 200):
        s = summarise(many_keys(20, r, seed=r), method=method, seed=0)
        w[r] = (s["high"] - s["low"]).mean()
    assert 1.6 <= w[50] / w[200] <= 2.5


def test_percentile_spread_does_not_shrink_with_runs():
    w = {}
    for r in (50, 200):
        s = summarise(many_keys(20, r, seed=r), method="percentile")
        w[r] = (s["high"] - s["low"]).mean()
    assert 0.8 <= w[50] / w[200] <= 1.25


# ----------------------------------------------------------------------------- result directories


def test_compare_results_ci_shrinks_with_replications(tmp_path):
    widths = {}
    for r in (50, 200):
        pol, base = synthetic_pair(r, seed=r)
        p = write_run(tmp_path / f"policy{r}", pol, scenario="cu")
        b = write_run(tmp_path / f"base{r}", base, scenario="baseline")
        comp = compare_results(p, b, level=0.90)
        assert comp.policy_manifest["scenario"] == "cu"
        assert set(comp.summary["n_runs"]) == {r}
        widths[r] = (comp.summary["high"] - comp.summary["low"]).mean()
        # The effect is recovered: IND loses, others gain, growing by year.
        last = comp.summary[comp.summary["year"] == 2028].set_index("country")["mean"]
        assert last["IND"] == pytest.approx(-2.0, abs=0.4)
        assert last["CHN"] == pytest.approx(2.0, abs=0.4)
    assert 1.6 <= widths[50] / widths[200] <= 2.5


def test_compare_results_explains_why_runs_cannot_be_paired(tmp_path):
    pol, base = synthetic_pair(10, seed=0)
    b = write_run(tmp_path / "base", base)
    p_seed = write_run(tmp_path / "p_seed", pol, seed=43)
    msg = r"different seed \(43 vs 20250601\).*common random numbers"
    with pytest.raises(PairingError, match=msg):
        compare_results(p_seed, b)
    p_rep = write_run(tmp_path / "p_rep", pol, replications=20)
    with pytest.raises(PairingError, match="different replications"):
        compare_results(p_rep, b)
    # both at once, as the options to re-run with (one at a time sent users back twice)
    p_both = write_run(tmp_path / "p_both", pol, seed=43, replications=20, scenario="cu")
    with pytest.raises(PairingError, match=(
            r"different seed \(43 vs 20250601\) and replications \(20 vs 10\).*"
            r"Re-run the policy \(cu\) with --seed 20250601 --replications 10 "
            r"\(or the baseline \(s\) with --seed 43 --replications 20\)")):
        compare_results(p_both, b)
    p_run = write_run(tmp_path / "p_run", pol, status="running")
    with pytest.raises(PairingError, match="'running'.*resume"):
        compare_results(p_run, b)
    p_data = write_run(tmp_path / "p_data", pol, data_version="2027.1")
    with pytest.warns(UserWarning, match="different data versions"):
        compare_results(p_data, b)
    with pytest.raises(FileNotFoundError, match="manifest.json"):
        compare_results(tmp_path / "nowhere", b)


def test_compare_results_with_categorical_columns_and_an_indicator_filter(tmp_path):
    # The runner writes country/indicator as categoricals, whose categories can
    # differ between runs and batches; a stray .tmp file must be ignored.
    pol, base = synthetic_pair(30, seed=9)
    pol = pd.concat([pol, pol.assign(indicator="exports")])
    pol["country"] = pd.Categorical(pol["country"], categories=sorted(COUNTRIES, reverse=True))
    pol["indicator"] = pol["indicator"].astype("category")
    base["country"] = base["country"].astype("category")
    p = write_run(tmp_path / "p", pol)
    b = write_run(tmp_path / "b", base)
    (p / "indicators" / "batch-00009.parquet.tmp").write_bytes(b"not parquet")
    comp = compare_results(p, b, indicators=["welfare"])
    plain = compare(
        pol[pol["indicator"] == "welfare"].astype({"country": str, "indicator": str}),
        base.astype({"country": str, "indicator": str}),
    )
    assert len(comp.summary) == len(YEARS) * len(COUNTRIES)
    got = comp.summary.astype({"country": str, "indicator": str})
    pd.testing.assert_frame_equal(
        got.sort_values(["year", "country"]).reset_index(drop=True),
        plain.summary.sort_values(["year", "country"]).reset_index(drop=True),
    )


def test_compare_refuses_percentile_as_the_ci_method():
    pol, base = synthetic_pair(5, 0)
    with pytest.raises(ValueError, match="spread"):
        compare(pol, base, method="percentile")


# ----------------------------------------------------------------------------- plots, report


@pytest.fixture
def comparison(tmp_path):
    pol, base = synthetic_pair(40, seed=3)
    pol2, base2 = synthetic_pair(40, seed=4, effect=-0.1)
    pol = pd.concat([pol, pol2.assign(indicator="exports")])
    base = pd.concat([base, base2.assign(indicator="exports")])
    return compare_results(
        write_run(tmp_path / "p", pol, scenario="customs_union"),
        write_run(tmp_path / "b", base, scenario="baseline"),
    )


def test_difference_plots_have_titles_labels_and_bands(comparison, tmp_path):
    fig = plot_difference_over_time(
        comparison.summary, "welfare", units="% of baseline", path=tmp_path / "t.png"
    )
    assert "policy minus baseline" in fig._suptitle.get_text()
    visible = [a for a in fig.axes if a.get_visible()]
    assert len(visible) == len(COUNTRIES)
    assert all(a.get_xlabel() == "year" for a in visible)
    assert "% of baseline" in fig._supylabel.get_text()  # one shared y label
    assert all(a.collections for a in visible)  # the interval band is drawn
    plt.close(fig)
    fig = plot_final_year(comparison.summary, "welfare", path=tmp_path / "f.png")
    ax = fig.axes[0]
    # "welfare" here is no indicator of the model: no gains and losses, a change.
    assert ax.get_title().startswith("Change in welfare, 2028")
    assert ax.get_xlabel() and ax.get_ylabel() == "economy"  # as the run's figure
    plt.close(fig)
    assert (tmp_path / "t.png").stat().st_size > 1000 and (tmp_path / "f.png").exists()
    with pytest.raises(ValueError, match="not in the summary"):
        plot_final_year(comparison.summary, "nope")


def test_write_report_markdown_and_self_contained_html(comparison, tmp_path):
    md_path = write_report(
        comparison, tmp_path / "report", title="Customs union vs baseline",
        units={"welfare": "% change"},
    )  # fmt: skip
    md = md_path.read_text()
    html = (tmp_path / "report" / "report.html").read_text()
    assert md.startswith("# Customs union vs baseline")
    links = re.findall(r"!\[[^\]]*\]\((plots/[^)]+\.png)\)", md)
    assert len(links) == 4  # 2 indicators x (over time, final year)
    assert all((tmp_path / "report" / link).is_file() for link in links)
    assert html.count("data:image/png;base64,") == 4 and 'src="plots/' not in html
    assert "| seed | 20250601 | 20250601 |" in md  # seeds verbatim, not 2.025e+07
    for text in (md, html):
        assert "90 % CI of the mean (t)" in text and "5-95 % of runs" in text
        assert "share of runs above baseline" in text
        assert "hash-customs_union" in text and "hash-baseline" in text and "2026.1" in text
        assert "common random numbers" in text
        assert all(c in text for c in COUNTRIES)


def test_write_report_accepts_explicit_manifests_and_indicator_subset(comparison, tmp_path):
    md = write_report(
        comparison, tmp_path / "r", title="T", indicators=["exports"],
        policy_manifest={"scenario": "X", "scenario_hash": "abc", "seed": 1},
        baseline_manifest={"scenario": "Y", "scenario_hash": "def", "seed": 1},
    ).read_text()  # fmt: skip
    assert "| exports |" in md and "| welfare |" not in md
    assert "abc" in md and "def" in md


def test_print_summary_renders_a_table():
    d = many_keys(3, 10, seed=0)
    console = Console(record=True, width=120)
    print_summary(summarise(d), console=console, max_rows=2)
    out = console.export_text()
    assert "90 % CI of the mean (t)" in out and "1 more rows not shown" in out


def test_terminal_table_shows_units_and_us_dollar_amounts_in_billions():
    """``scosim compare`` prints the same units as the report: a unit column, US$ in
    billions (the value divided by 1e9), percent changes as they are."""
    rng = np.random.default_rng(4)
    d = pd.DataFrame({
        "run": np.tile(np.arange(30), 2),
        "country": "CHN",
        "indicator": np.repeat(["ev_usd", "welfare_change_pct"], 30),
        "diff": np.concatenate([rng.normal(7.6e10, 1e10, 30), rng.normal(0.16, 0.02, 30)]),
    })
    s = summarise(d, level=0.90)
    units = {"ev_usd": "US$ (current)", "welfare_change_pct": "percentage points"}
    console = Console(record=True, width=200)
    print_summary(s, console=console, units=units)
    out = console.export_text()
    ev = s[s["indicator"] == "ev_usd"].iloc[0]
    pct = s[s["indicator"] == "welfare_change_pct"].iloc[0]
    ev_line = next(line for line in out.splitlines() if "ev_usd" in line)
    pct_line = next(line for line in out.splitlines() if "welfare_change_pct" in line)
    # ev_usd's units are ge_trade's declaration (the table given is only a fallback)
    assert "US$ bn (current, of the year on the model's GDP path; against the year's " \
        "baseline)" in ev_line
    d = decimals(ev["low"] / 1e9, ev["high"] / 1e9)  # to the precision of the CI
    assert d is not None and f"{ev['mean'] / 1e9:.{d}f}" in ev_line
    assert "e+10" not in out
    d = decimals(pct["low"], pct["high"])
    assert "percentage points" in pct_line and f"{pct['mean']:.{d}f}" in pct_line
    # without units the table is as before: raw values, no unit column
    plain = Console(record=True, width=200)
    print_summary(s, console=plain)
    plain_out = plain.export_text()
    d = decimals(ev["low"], ev["high"])
    assert "US$ bn" not in plain_out and f"{ev['mean']:,.{d}f}" in plain_out  # thousands separated


def test_terminal_table_says_a_shared_year_and_indicator_once_in_its_title():
    """One year and one indicator (what ``scosim compare`` prints by default): both go to
    the title with the unit, so the rows carry country and numbers only; with two
    indicators the unit stays a column."""
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"run": np.tile(np.arange(30), 2), "year": 2035,
                      "country": np.repeat(["CHN", "KAZ"], 30),
                      "indicator": "welfare_change_pct",
                      "diff": np.concatenate([rng.normal(0.16, 0.02, 30),
                                              rng.normal(-0.2, 0.05, 30)])})
    s = summarise(d, level=0.90)
    units = {"welfare_change_pct": "percentage points"}
    console = Console(record=True, width=200)
    print_summary(s, console=console, units=units, title="cu minus base")
    lines = console.export_text().splitlines()
    assert "cu minus base, 2035" in lines[0]
    assert "welfare_change_pct: percentage points" in lines[1]
    header = next(line for line in lines if "country" in line)
    assert "year" not in header and "unit" not in header and "indicator" not in header
    row = next(line for line in lines if "KAZ" in line)
    assert "2035" not in row and "percentage" not in row
    kaz = s[s["country"] == "KAZ"].iloc[0]
    # At the column's decimals: those of the row whose CI wants most (CHN's here).
    places = max(decimals(lo, hi) for lo, hi in zip(s["low"], s["high"], strict=True))
    assert f"{kaz['mean']:+.{places}f}" in row
    # A title that already names the year does not name it twice.
    again = Console(record=True, width=200)
    print_summary(s, console=again, units=units, title="cu minus base, 2035: the last year")
    assert again.export_text().count("2035") == 1
    # Two indicators: each row keeps its indicator and unit.
    two = pd.concat([d, d.assign(indicator="ev_usd", diff=d["diff"] * 1e11)])
    both = Console(record=True, width=200)
    print_summary(summarise(two, level=0.90), console=both, units=units)
    out = both.export_text()
    header = next(line for line in out.splitlines() if "country" in line)
    assert "indicator" in header and "unit" in header and "year" not in header


def test_report_shows_us_dollar_amounts_in_billions_with_a_plain_name(comparison, tmp_path):
    """An indicator in US$ reads "US$ bn" in the report's table, its values divided by
    1e9 (summary_table.csv keeps US$); other units are left as they are."""
    from scosim.indicator_display import display
    from scosim.report import summary_table

    units = {"exports": "US$ (base-year prices)", "welfare": "% change"}
    table = summary_table(comparison, units=units)
    raw = comparison.table(None).set_index(["country", "indicator"])
    assert set(table["indicator"]) == {"exports", "welfare"}
    for _, row in table.iterrows():
        r = raw.loc[(row["country"], row["indicator"])]
        div = 1e9 if row["indicator"] == "exports" else 1.0
        assert row["unit"] == ("US$ bn (base-year prices)" if div > 1 else "% change")
        # to the precision of its CI: within a tenth of the half-width, not further
        half = (r["high"] - r["low"]) / 2 / div
        assert abs(float(row["mean change"]) - r["mean"] / div) <= half / 10
    md = write_report(comparison, tmp_path / "r", title="T", units=units).read_text()
    assert "US$ bn (base-year prices)" in md
    assert display("ev_usd", "US$ (current)") == (
        "equivalent variation (ev_usd)", "US$ bn (current)", 1e9)
    assert display("made_up", None) == ("made_up", None, 1.0)


def test_terminal_table_leaves_out_rows_no_paired_run_changed():
    """28 economies per indicator, most unchanged: the changed rows are not cut off."""
    rng = np.random.default_rng(5)
    rows = []
    for c in range(28):
        for r in range(10):
            moved = c in (3, 17)
            rows.append((r, f"C{c:02d}", "power_imports_twh",
                         rng.normal(4.2, 0.3) if moved else 0.0))
    d = pd.DataFrame(rows, columns=["run", "country", "indicator", "diff"])
    console = Console(record=True, width=200)
    print_summary(summarise(d), console=console, max_rows=5)
    out = console.export_text()
    assert "C03" in out and "C17" in out
    assert "C00" not in out
    assert "26 rows without a change in any paired run not shown" in out
    assert "more rows not shown" not in out


def test_tables_round_each_change_to_the_precision_its_interval_supports():
    """'0.0002263 | -0.00853 to 0.008983' gave four digits of noise: a row's numbers now
    have the decimals of two significant digits of its CI's half-width."""
    from scosim.report import _fixed

    assert decimals(-0.00853, 0.008983) == 4
    assert [_fixed(x, 4) for x in (0.0002263, -0.00853, 0.008983)] == [
        "+0.0002", "-0.0085", "+0.0090"]
    assert decimals(2.259, 2.818) == 2 and _fixed(2.539, 2) == "+2.54"
    assert decimals(73.73, 78.37) == 1 and _fixed(76.05, 1) == "+76.0"
    assert decimals(-120.0, 480.0) == 0 and _fixed(181.7, 0) == "+182"
    assert decimals(1.0, 1.0) is None and _fixed(1.0, None) == "+1"  # no interval: 4 digits
    # An interval of rounding noise around a value identical in every run (a network
    # cost) printed twelve digits: "1.94852549301e-01 to 1.94852549301e-01".
    x = 0.19485254930123
    assert decimals(x, x + 3e-15) is None and _fixed(x, None) == "+0.1949"
    assert decimals(-1e-6, 1e-6) == 7  # a true interval near zero keeps its digits
    assert _fixed(-0.00001, 3) == "-0.000"  # a change that rounds to zero keeps its sign
    assert _fixed(2.138e-10, 12) == "+2.14e-10"
    # in the terminal, as printed by scosim compare
    d = pd.DataFrame({"run": np.arange(40), "country": "RUS",
                      "indicator": "welfare_change_pct",
                      "diff": np.random.default_rng(2).normal(0.0002, 0.03, 40)})
    s = summarise(d, level=0.90)
    console = Console(record=True, width=200)
    print_summary(s, console=console)
    line = next(x for x in console.export_text().splitlines() if "RUS" in x)
    r = s.iloc[0]
    k = decimals(r["low"], r["high"])
    assert k == 1 - int(np.floor(np.log10((r["high"] - r["low"]) / 2)))
    assert f"{r['low']:+.{k}f} to {r['high']:+.{k}f}" in line
