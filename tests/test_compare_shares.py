"""Intervals of 0/1 indicators (shares of runs): Newcombe's paired score interval.

Checked against the worked examples of Newcombe (1998, Statistics in Medicine
17:2635-2650, Table II, method 10), its properties over every small 2x2 table,
and in :func:`scosim.compare.summarise`, where the t interval of -1/0/+1
differences reached past +1 and had zero width when every run agreed.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from scosim.compare import compare, no_change, summarise
from scosim.compare_shares import NEWCOMBE, newcombe_paired

#: Newcombe (1998), Table II: (e, f, g, h) = runs at 1 in both, in the first only, in the
#: second only, in neither; the 95 % interval of method 10 (hybrid score, no continuity
#: correction), as published to 4 decimals.
NEWCOMBE_1998 = [
    ((36, 12, 2, 0), (0.0569, 0.3404)),
    ((18, 12, 2, 18), (0.0562, 0.3290)),
    ((53, 0, 0, 1), (-0.0729, 0.0729)),
    ((0, 30, 0, 0), (0.8395, 1.0)),
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_1998)
def test_newcombe_reproduces_the_published_worked_examples(counts, published):
    low, high = newcombe_paired(*counts, level=0.95)
    assert float(low) == pytest.approx(published[0], abs=5e-5)
    assert float(high) == pytest.approx(published[1], abs=5e-5)


def test_newcombe_without_correlation_is_the_square_and_add_of_two_wilson_intervals():
    # When a margin is empty (phi = 0) method 10 reduces to Newcombe's square-and-add of
    # the Wilson intervals of the two shares (computed here by statsmodels).
    e, f, g, h = 0, 7, 0, 13  # the baseline is never 1: its margin is empty
    n = e + f + g + h
    l1, u1 = proportion_confint(e + f, n, alpha=0.1, method="wilson")
    l2, u2 = proportion_confint(e + g, n, alpha=0.1, method="wilson")
    p1, p2 = (e + f) / n, (e + g) / n
    low, high = newcombe_paired(e, f, g, h, level=0.9)
    assert float(low) == pytest.approx(p1 - p2 - np.hypot(p1 - l1, u2 - p2), abs=1e-12)
    assert float(high) == pytest.approx(p1 - p2 + np.hypot(p2 - l2, u1 - p1), abs=1e-12)


def test_newcombe_is_within_minus_one_and_one_and_holds_the_observed_difference():
    tables = np.array([c for n in range(1, 13)
                       for c in itertools.product(range(n + 1), repeat=4) if sum(c) == n],
                      dtype=float)
    for level in (0.8, 0.9, 0.95):
        low, high = newcombe_paired(*tables.T, level=level)
        d = (tables[:, 1] - tables[:, 2]) / tables.sum(axis=1)
        assert (low >= -1).all() and (high <= 1).all()
        assert (low <= d + 1e-12).all() and (d <= high + 1e-12).all()
        # Never of zero width: R runs that all agree do not prove that none could differ.
        assert (high - low > 0).all()


def test_newcombe_narrows_with_runs_and_has_no_interval_without_a_run():
    widths = []
    for k in (1, 4, 16, 64):
        low, high = newcombe_paired(3 * k, 4 * k, 1 * k, 2 * k, level=0.9)
        widths.append(float(high - low))
    assert widths == sorted(widths, reverse=True)
    # Roughly as 1/sqrt(R) once R is large: 16 times the runs, about a quarter the width.
    assert widths[3] / widths[1] == pytest.approx(0.25, abs=0.03)
    low, high = newcombe_paired(0, 0, 0, 0, level=0.9)
    assert np.isnan(low) and np.isnan(high)


def membership(policy: np.ndarray, baseline: np.ndarray, name: str = "in_union"
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two tidy tables of one economy and year, one value per run."""
    def tidy(v: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({"run": np.arange(len(v)), "year": 2030, "country": "KAZ",
                             "indicator": name, "value": np.asarray(v, dtype=float)})
    return tidy(policy), tidy(baseline)


@pytest.mark.parametrize("method", ["t", "bootstrap"])
def test_a_share_of_runs_gets_newcombe_and_not_an_interval_past_one(method):
    # Three runs: in the union in two of them under the policy, never in the baseline. The
    # t interval of the mean of (1, 1, 0) reaches 1.64, past what any run could show.
    p, b = membership(np.array([1, 1, 0]), np.zeros(3))
    d = p["value"] - b["value"]
    half = stats.t.ppf(0.95, 2) * d.std(ddof=1) / np.sqrt(3)
    assert d.mean() + half > 1.6  # what the t interval was
    row = compare(p, b, method=method).summary.iloc[0]
    assert row["method"] == NEWCOMBE
    assert row["interval"] == "90 % CI of the mean (Newcombe, paired 0/1)"
    low, high = newcombe_paired(0, 2, 0, 1, level=0.9)
    assert (row["low"], row["high"]) == (pytest.approx(float(low)), pytest.approx(float(high)))
    assert -1 <= row["low"] < row["mean"] < row["high"] <= 1


def test_runs_that_all_agree_leave_a_share_uncertain_but_are_no_change():
    # Every run joins the union under the policy and none under the baseline: the t
    # interval was 1 to 1 (certain); Newcombe's keeps the share below 1 possible.
    p, b = membership(np.ones(10), np.zeros(10))
    row = compare(p, b).summary.iloc[0]
    assert row["mean"] == 1 and row["high"] == 1 and 0.5 < row["low"] < 1
    # Every run in the union in both: no change (the report names it, does not tabulate).
    p, b = membership(np.r_[np.ones(9), 0], np.r_[np.ones(9), 0])
    comp = compare(p, b)
    assert comp.summary["low"].iloc[0] < 0 < comp.summary["high"].iloc[0]
    assert no_change(comp.summary).tolist() == [True]
    assert no_change(comp.table()).tolist() == [True]


def test_continuous_and_constant_indicators_keep_the_t_interval():
    rng = np.random.default_rng(1)
    p1, b1 = membership(rng.normal(size=8), rng.normal(size=8), "welfare")
    p2, b2 = membership(np.zeros(8), np.zeros(8), "never")  # a union in neither run
    p3, b3 = membership(np.r_[np.ones(7), 2.0], np.ones(8), "count")  # one run at 2
    p4, b4 = membership(rng.integers(0, 2, 8), rng.integers(0, 2, 8), "member")
    s = compare(pd.concat([p1, p2, p3, p4]), pd.concat([b1, b2, b3, b4])).summary
    s = s.set_index("indicator")
    assert s.loc[["welfare", "never", "count"], "method"].tolist() == ["t", "t", "t"]
    assert s.loc["member", "method"] == NEWCOMBE
    d = p1["value"] - b1["value"]
    half = stats.t.ppf(0.95, 7) * d.std(ddof=1) / np.sqrt(8)
    assert s.loc["welfare", "high"] == pytest.approx(d.mean() + half)
    # The table says which interval each row holds.
    labels = compare(pd.concat([p1, p4]), pd.concat([b1, b4])).table().set_index(
        "indicator")["interval"]
    assert labels.to_dict() == {"member": "90 % CI of the mean (Newcombe, paired 0/1)",
                                "welfare": "90 % CI of the mean (t)"}


def test_summarise_detects_shares_from_the_paired_values_and_takes_them_when_named():
    p, b = membership(np.array([1, 0, 1, 1]), np.array([0, 0, 1, 0]))
    diffs = compare(p, b).diffs
    assert summarise(diffs)["method"].tolist() == [NEWCOMBE]
    assert summarise(diffs, binary=())["method"].tolist() == ["t"]
    # Without the policy and baseline values nothing tells a share from a difference.
    assert summarise(diffs.drop(columns=["policy", "baseline"]))["method"].tolist() == ["t"]
    # The percentile spread of run-level differences is what it was.
    assert summarise(diffs, method="percentile")["method"].tolist() == ["percentile"]


@pytest.mark.parametrize(("cells", "runs", "t_coverage_below"), [
    ((0.4, 0.2, 0.1), 10, 0.86),  # few runs
    ((0.0, 0.05, 0.0), 20, 0.70),  # a rare event: a member leaves in 1 run of 20
    ((0.4, 0.2, 0.1), 50, None),  # enough runs: both near 0.90
])
def test_newcombe_covers_the_true_difference_where_the_t_interval_does_not(
        cells, runs, t_coverage_below):
    # 4,000 paired experiments with known cell probabilities (1-1, 1-0, 0-1): how often
    # each 90 % interval holds the true difference of shares p(1-0) - p(0-1).
    rng = np.random.default_rng(0)
    probs = [*cells, 1 - sum(cells)]
    c = rng.multinomial(runs, probs, size=4_000).astype(float)
    true = cells[1] - cells[2]
    low, high = newcombe_paired(*c.T, level=0.9)
    newcombe = np.mean((low <= true) & (true <= high))
    mean = (c[:, 1] - c[:, 2]) / runs  # differences are +1, -1 or 0
    sd = np.sqrt(np.maximum((c[:, 1] + c[:, 2] - runs * mean**2) / (runs - 1), 0))
    half = stats.t.ppf(0.95, runs - 1) * sd / np.sqrt(runs)
    t = np.mean((mean - half <= true) & (true <= mean + half))
    assert 0.88 <= newcombe <= 1.0
    if t_coverage_below is not None:
        assert t < t_coverage_below < newcombe
    else:
        assert t == pytest.approx(0.9, abs=0.025) and newcombe == pytest.approx(0.9, abs=0.025)


def test_tables_name_both_intervals_and_the_report_says_which_rows_hold_newcombes(tmp_path):
    import io

    from rich.console import Console

    from scosim.compare_terminal import print_summary
    from scosim.report import summary_table, write_report

    rng = np.random.default_rng(2)
    p1, b1 = membership(rng.normal(size=12), rng.normal(size=12), "welfare_change_pct")
    p2, b2 = membership(np.r_[np.ones(9), np.zeros(3)], np.zeros(12), "in_customs_union")
    comp = compare(pd.concat([p1, p2]), pd.concat([b1, b2]))
    heading = "90 % CI of the mean (t; Newcombe for 0/1 indicators)"
    table = summary_table(comp)
    assert heading in table.columns
    # The membership row's bounds are Newcombe's (within 0 to 1), not the t interval's.
    row = table.set_index("indicator").loc["in_customs_union"]
    low, high = newcombe_paired(0, 9, 0, 3, level=0.9)
    assert row[heading] == f"{float(low):+.2f} to {float(high):+.2f}"
    out = io.StringIO()
    print_summary(comp.summary, console=Console(file=out, width=200))
    assert "Newcombe for 0/1" in out.getvalue()
    md = write_report(comp, tmp_path, title="t", indicators=["in_customs_union"]).read_text()
    assert "90 % CI of the mean (Newcombe, paired 0/1)" in md
    assert "**0/1 indicators** (in_customs_union)" in md and "Newcombe 1998" in md


def test_the_terminal_heading_names_only_the_intervals_of_the_rows_it_shows():
    import io

    from rich.console import Console

    from scosim.compare_terminal import print_summary

    # A membership unchanged in every paired run (in the union in both for KAZ, out of it
    # in both for MNG) is hidden; the rows shown are t intervals, and the heading says so.
    rng = np.random.default_rng(5)
    p1, b1 = membership(rng.normal(size=12), rng.normal(size=12), "welfare_change_pct")
    p2, b2 = membership(np.ones(12), np.ones(12), "in_customs_union")
    p3, b3 = (df.assign(country="MNG") for df in membership(np.zeros(12), np.zeros(12),
                                                            "in_customs_union"))
    comp = compare(pd.concat([p1, p2, p3]), pd.concat([b1, b2, b3]))
    assert (comp.summary["method"] == NEWCOMBE).sum() == 2  # both 0/1 rows hold Newcombe's
    out = io.StringIO()
    print_summary(comp.summary, console=Console(file=out, width=200))
    text = out.getvalue()
    assert "Policy minus baseline (90 % CI of the mean (t))" in text
    assert "Newcombe" not in text and "2 rows without a change" in text


def test_the_explorers_compare_figure_names_its_own_indicators_interval():
    pytest.importorskip("plotly")
    from scosim.explore.figures_compare import compare_figure

    rng = np.random.default_rng(3)
    p1, b1 = membership(rng.normal(size=6), rng.normal(size=6), "welfare_change_pct")
    p2, b2 = membership(np.r_[np.ones(4), np.zeros(2)], np.zeros(6), "in_customs_union")
    # The summary's first row is the membership's (sorted by indicator): not welfare's label.
    comp = compare(pd.concat([p1, p2]), pd.concat([b1, b2]))
    assert comp.summary["interval"].iloc[0].endswith("(Newcombe, paired 0/1)")
    hover = compare_figure(comp).data[0].hovertemplate
    assert "90 % CI of the mean (t)" in hover and "Newcombe" not in hover
