"""The compare figures say what is true of each bar and panel: hatch note, y limits.

A new user of ``afghan_instability_hardening`` minus ``afghan_instability`` (20 runs,
2035; an outside review, 2026-12-07) found the note under the bar charts explaining
every hatched bar as "a few runs pull the mean across zero, most runs go the other way":
false of Uzbekistan's incidents (14 runs 0, 6 at +1, none below 0) and of the UAE's
welfare (10 of 20 runs above 0). And the over-time panels titled "y axis -800 to 0"
drew a band down to -918.6. Each case is built here from runs whose counts are known
by construction and checked against the raw differences, not the code's own numbers.
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from scosim.compare import summarise
from scosim.compare_bars import bar_marks, flag_reason
from scosim.compare_plots import plot_difference_over_time, plot_final_year

N = 20


def _runs(**by_country: np.ndarray) -> pd.DataFrame:
    """Paired differences of one year, ``N`` runs per economy."""
    return pd.DataFrame([{"run": r, "year": 2035, "country": c, "indicator": "incidents",
                          "diff": float(v)} for c, diffs in by_country.items()
                         for r, v in enumerate(diffs)])


# Five economies, one per case; each of N runs' differences written out.
CASES = {
    # Uzbekistan's incidents: 14 runs 0, 6 at +1: median 0, mean +0.3, none below 0.
    "UZB": np.r_[np.zeros(14), np.ones(6)],
    # Median 0 with the mean below it: 12 runs 0, 8 at -1.
    "KGZ": np.r_[np.zeros(12), -np.ones(8)],
    # The UAE's split: 10 runs below 0, 10 above, one large; mean > 0 > median.
    "ARE": np.r_[np.full(10, -0.003), np.full(9, 0.001), [0.05]],
    # India under a minimum CET: 15 runs lose a little, 5 gain a lot.
    "IND": np.r_[np.full(15, -0.05), np.full(5, 0.45)],
    # Its mirror: 15 runs gain a little, 5 lose a lot.
    "KAZ": np.r_[np.full(15, 0.05), np.full(5, -0.45)],
    # Not flagged: every run above 0.
    "PAK": np.linspace(1.0, 3.0, N),
}


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return summarise(_runs(**CASES), level=0.90)


def _above(text: str) -> int:
    return int(re.search(rf"(\d+) of {N} runs above 0", text).group(1))


def test_each_hatched_bar_is_explained_by_what_its_runs_did(summary):
    s = summary.set_index("country")
    marks = bar_marks(s)
    assert set(marks.index[marks["flag"]]) == set(CASES) - {"PAK"}
    for c, diffs in CASES.items():
        if c == "PAK":
            continue
        row = s.loc[c]
        why = flag_reason(row["mean"], row["median"], row["share_positive"],
                          int(row["n_runs"]))
        # The count named is the runs' own, from the raw differences.
        assert _above(why) == int((diffs > 0).sum())
        if why.startswith("median 0"):
            assert np.median(diffs) == 0
            # The mean is said to come from the runs on its side of 0.
            assert ("from the runs below 0" in why) == (diffs.mean() < 0)
        elif "split about evenly" in why:
            assert abs((diffs > 0).mean() - 0.5) <= 0.10
        elif why.startswith("only"):  # mean above 0, most runs at or below 0
            assert diffs.mean() > 0 and (diffs <= 0).sum() > N / 2
        else:  # mean below 0, most runs above 0
            assert why.startswith("most runs above 0")
            assert diffs.mean() < 0 and (diffs > 0).sum() > N / 2
    # The cases the review named, in the words a reader gets.
    reasons = {c: flag_reason(s.loc[c, "mean"], s.loc[c, "median"],
                              s.loc[c, "share_positive"], N) for c in CASES if c != "PAK"}
    assert reasons["UZB"] == f"median 0, the mean from the 6 of {N} runs above 0"
    assert reasons["KGZ"] == f"median 0, the mean from the runs below 0 (0 of {N} runs above 0)"
    assert reasons["ARE"] == f"the runs split about evenly (10 of {N} runs above 0)"
    assert reasons["IND"].startswith(f"only 5 of {N} runs above 0 pull the mean up")
    assert reasons["KAZ"].startswith(f"most runs above 0 (15 of {N} runs above 0)")
    # "most runs go the other way" is said of no bar where it is false.
    for c in ("UZB", "KGZ", "ARE"):
        assert "most" not in reasons[c]


def test_the_bar_chart_hatches_those_bars_and_its_note_names_each_reason(summary):
    fig = plot_final_year(summary, "incidents", units="incidents a year", seed=1)
    try:
        ax = fig.axes[0]
        labels = [t.get_text().split(" ")[0] for t in ax.get_yticklabels()]
        hatched = {c for c, p in zip(labels, ax.patches, strict=False) if p.get_hatch()}
        note = " ".join(" ".join(t.get_text().split()) for t in fig.texts)
    finally:
        plt.close(fig)
    assert hatched == set(CASES) - {"PAK"}
    assert note.startswith("Hatched: the mean and the median differ in sign.")
    assert "UZB: median 0, the mean from the 6 of 20 runs above 0" in note
    assert "ARE: the runs split about evenly (10 of 20 runs above 0)" in note
    assert "most runs go the other way" not in note and "PAK" not in note


def _over_time() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three economies on scales 1000, 0.05 and 0.001 apart, as in the review's figure."""
    rng = np.random.default_rng(7)
    rows = []
    for c, scale in (("AFG", -900.0), ("PAK", -0.05), ("AZE", -0.0012)):
        for r in range(N):
            for k, year in enumerate(range(2025, 2036)):
                rows.append({"run": r, "year": year, "country": c, "indicator": "incidents",
                             "diff": scale * k / 10 * (1 + 0.25 * rng.normal())})
    d = pd.DataFrame(rows)
    return summarise(d, level=0.90), summarise(d, level=0.90, method="percentile")


def _drawn_y(ax) -> np.ndarray:
    """Every y value a panel draws: its bands' outlines and its lines."""
    ys = [p.vertices[:, 1] for coll in ax.collections for p in coll.get_paths()]
    ys += [np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()]
    y = np.concatenate(ys)
    return y[np.isfinite(y)]


def test_every_value_drawn_lies_within_the_limits_the_panel_title_states():
    s, spread = _over_time()
    fig = plot_difference_over_time(s, "incidents", spread=spread, units="incidents a year")
    try:
        panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
        assert len(panels) == 3
        for ax in panels:
            head, scale = ax.get_title().split("\n")
            lo, hi = (float(x) for x in scale.removeprefix("y axis ").split(" to "))
            y = _drawn_y(ax)
            # Within rounding: a t band of 20 zero differences reaches 2.3e-13.
            tol = 1e-9 * (hi - lo)
            assert lo - tol <= y.min() and y.max() <= hi + tol, (head, scale, y.min(), y.max())
            # The numbers titled are the axis's ends, not ticks somewhere inside them.
            assert ax.get_ylim() == pytest.approx((lo, hi), rel=0, abs=0)
        afg = next(ax for ax in panels if ax.get_title().startswith("AFG"))
        # The case the review found: a band below -900 (the old title said "-800 to 0").
        assert _drawn_y(afg).min() < -900 and afg.get_ylim()[0] <= -950
    finally:
        plt.close(fig)
