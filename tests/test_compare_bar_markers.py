"""The compare bar chart tells the typical run too; the piped table groups by indicator.

A reader of ``cu_min_cet`` minus ``customs_union`` (20 runs) saw India drawn as a green
gain, its mean +0.073 pulled up by the 5 runs in which it leaves, while 15 of 20 runs
lost (share > 0: 25 %). The bar chart now marks each economy's median run, prints the
table's share of runs above zero beside each bar, colours the bar by the median's sign
and hatches bars whose mean and median differ in sign. Piped, ``scosim compare`` printed
one table about 215 columns wide repeating the unit on every row.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from scosim.compare import summarise
from scosim.compare_bars import bar_marks
from scosim.compare_plots import BAD, GOOD, plot_final_year
from scosim.compare_terminal import PIPED_WIDTH, output_console, print_summary, summary_table

WELFARE_UNIT = "percentage points of the year's baseline real expenditure"


def _sample(seed: int = 3) -> pd.DataFrame:
    """20 paired runs: India loses a little in 15 and gains a lot in 5 (it leaves);
    China gains in every run. India's mean is above zero, its median below."""
    rng = np.random.default_rng(seed)
    india = np.concatenate([rng.normal(-0.05, 0.01, 15), rng.normal(0.45, 0.03, 5)])
    china = rng.normal(0.10, 0.02, 20)
    return pd.DataFrame({"run": np.tile(np.arange(20), 2), "year": 2035,
                         "country": np.repeat(["IND", "CHN"], 20),
                         "indicator": "welfare_change_pct",
                         "diff": np.concatenate([india, china])})


def test_marks_of_a_sample_whose_mean_and_median_differ_in_sign():
    d = _sample()
    s = summarise(d, level=0.90).set_index("country")
    # The summary's median is the median run's difference (numpy's, from the raw runs).
    for c in ("IND", "CHN"):
        assert s.loc[c, "median"] == np.median(d.loc[d["country"] == c, "diff"])
    assert s.loc["IND", "mean"] > 0 > s.loc["IND", "median"]
    m = bar_marks(s)
    # India: flagged, coloured as a loss (the median run's sign), 25% of runs above 0.
    assert bool(m.loc["IND", "flag"]) and m.loc["IND", "colour"] == BAD
    assert m.loc["IND", "median"] < 0
    assert m.loc["IND", "share_text"] == "25 %"
    # China: mean and median agree, a gain, not flagged.
    assert not m.loc["CHN", "flag"] and m.loc["CHN", "colour"] == GOOD
    assert m.loc["CHN", "share_text"] == "100 %"
    # Same numbers as the terminal's table ("share > 0").
    t = summary_table(s.reset_index()).frame().set_index("country")
    assert t.loc["IND", "share > 0"] == m.loc["IND", "share_text"]


def test_a_summary_without_a_median_keeps_the_mean_colour_and_flags_nothing():
    s = summarise(_sample(), level=0.90).drop(columns="median").set_index("country")
    m = bar_marks(s)
    assert m.loc["IND", "colour"] == GOOD and not m["flag"].any()
    assert m["median"].isna().all()


def test_the_bar_chart_draws_median_share_and_flag_and_says_what_they_are():
    s = summarise(_sample(), level=0.90)
    fig = plot_final_year(s, "welfare_change_pct", units=WELFARE_UNIT,
                          scenarios=("cu_min_cet", "customs_union"), seed=1)
    ax = fig.axes[0]
    rows = s.sort_values("mean")  # the chart's order, bottom up
    labels = [t.get_text() for t in ax.get_yticklabels()]
    bars = dict(zip(labels, ax.patches, strict=False))
    india = next(k for k in bars if k.startswith("IND"))
    china = next(k for k in bars if k.startswith("CHN"))
    assert bars[india].get_hatch() and not bars[china].get_hatch()
    assert mcolors.to_hex(bars[india].get_facecolor()) == mcolors.to_hex(BAD)
    # The markers sit at the median runs, bar by bar.
    markers = next(line for line in ax.get_lines() if line.get_marker() == "D")
    assert np.allclose(markers.get_xdata(), rows["median"])
    shares = [t.get_text() for t in ax.texts]
    assert shares == (["25 %", "100 %"] if rows["country"].iloc[0] == "IND"
                      else ["100 %", "25 %"])
    title = ax.get_title().replace("\n", " ")
    assert "coloured by the median's sign" in title
    assert "\u25c7: median (midway between the middle two of 20 runs)" in title
    assert "share of runs above 0" in title and "whiskers: 90 % CI of the mean" in title
    assert any("Hatched" in t.get_text() and "IND" in t.get_text() for t in fig.texts)
    plt.close(fig)


def _two_indicators() -> pd.DataFrame:
    d = _sample()
    ev = d.assign(indicator="ev_usd", diff=d["diff"] * 1e11)
    return summarise(pd.concat([d, ev]), level=0.90)


def test_a_piped_table_groups_rows_by_indicator_with_the_unit_in_each_heading():
    out = io.StringIO()
    console = Console(file=out, width=PIPED_WIDTH, force_terminal=False)
    print_summary(_two_indicators(), console=console,
                  units={"welfare_change_pct": WELFARE_UNIT})
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= PIPED_WIDTH
    # Each unit once, in its group's heading, not on every row.
    heading = f"welfare_change_pct: {WELFARE_UNIT}"
    assert sum(heading in line for line in lines) == 1
    assert sum("US$ bn" in line for line in lines) == 1
    header = next(line for line in lines if "country" in line)
    assert "unit" not in header and "indicator" not in header
    # Each heading is followed by its own group's rows, India's and China's.
    starts = [k for k, line in enumerate(lines) if line.startswith(("ev_usd:", heading))]
    assert len(starts) == 2
    for a, b in zip(starts, [*starts[1:], len(lines)], strict=True):
        group = "\n".join(lines[a:b])
        assert group.count("IND") == 1 and group.count("CHN") == 1


def test_scosim_compare_lays_out_a_piped_table_at_100_columns():
    # Under pytest stdout is captured, not a terminal: what a pipe gets.
    assert output_console().width == PIPED_WIDTH == 100


@pytest.mark.parametrize("runs", [20, 21])
def test_the_caption_says_what_the_diamond_is_for_an_even_and_an_odd_number_of_runs(runs):
    """The diamond is numpy's median: of 20 runs the midpoint of the 10th and 11th
    differences, which no run has (it was captioned "median run"); of 21, the 11th."""
    rng = np.random.default_rng(runs)
    diff = rng.normal(-0.05, 0.2, runs)
    d = pd.DataFrame({"run": np.arange(runs), "year": 2035, "country": "IND",
                      "indicator": "welfare_change_pct", "diff": diff})
    s = summarise(d, level=0.90)
    fig = plot_final_year(s, "welfare_change_pct", units=WELFARE_UNIT, seed=1)
    try:
        title = " ".join(fig.axes[0].get_title().split())
        (marker,) = [x for line in fig.axes[0].get_lines() if line.get_marker() == "D"
                     for x in line.get_xdata()]
    finally:
        plt.close(fig)
    ordered = np.sort(diff)
    if runs % 2 == 0:
        assert marker == pytest.approx((ordered[runs // 2 - 1] + ordered[runs // 2]) / 2)
        assert not np.isclose(diff, marker).any()  # no run's difference
        assert "\u25c7: median (midway between the middle two of 20 runs);" in title
    else:
        assert marker == ordered[runs // 2]  # one run's difference
        assert "\u25c7: median (the middle run of 21);" in title
    assert "median run" not in title
