"""hindcast.png's score bars: no value label overlaps a bar, an error bar or its cap.

An outside review (2026-12-07): the held-out Brier label of the Council was drawn at the
bar's top, struck through by its 90 % interval. Checked here on the rendered figure (the
artists' extents in pixels), at values chosen to provoke it, not at today's numbers.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from scosim.hindcast.report import _LABELS, _bars  # noqa: E402

FORECASTS = list(_LABELS)


def _scores(vals: list[float], lo: list[float], hi: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"forecast": FORECASTS, "brier": vals, "brier_cl_lo": lo,
                         "brier_cl_hi": hi})


def _overlaps(s: pd.DataFrame) -> list[str]:
    """What each value label overlaps, drawn at the figure's size (empty: nothing)."""
    fig = plt.figure(figsize=(16, 9.5))
    ax = fig.add_subplot(2, 3, 3)
    _bars(ax, s, "brier", "Brier score", "title", interval="brier_cl")
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    labels = [t for t in ax.texts]
    assert [t.get_text() for t in labels] == [f"{v:.3f}" for v in s["brier"]]
    obstacles = [p.get_window_extent(r) for p in ax.patches]
    for coll in ax.collections:  # the error bars' vertical segments
        for seg in coll.get_segments():
            obstacles.append(Bbox(ax.transData.transform(seg)))
    for line in ax.lines:  # the caps: one line of markers, a box around each
        half = line.get_markersize() / 2 * fig.dpi / 72
        thick = max(line.get_markeredgewidth(), 1.0) * fig.dpi / 72
        for x, y in ax.transData.transform(line.get_xydata()):
            obstacles.append(Bbox([[x - half, y - thick], [x + half, y + thick]]))
    inside = ax.get_window_extent(r)
    bad = []
    for t in labels:
        box = t.get_window_extent(r)
        if any(box.overlaps(o) for o in obstacles):
            bad.append(f"{t.get_text()} overlaps")
        if not (inside.y0 <= box.y0 and box.y1 <= inside.y1):
            bad.append(f"{t.get_text()} outside the axes")
    plt.close(fig)
    return bad


@pytest.mark.parametrize("vals,lo,hi", [
    # today's shape: a small Council bar whose interval reaches well above it
    ([0.044, 0.188, 0.812, 0.103, 0.031], [0.01, 0.188, 0.812, 0.103, 0.031],
     [0.105, 0.188, 0.812, 0.103, 0.031]),
    # a zero bar with a wide interval, the highest whisker the Council's
    ([0.0, 0.2, 0.3, 0.1, 0.05], [0.0, 0.1, 0.25, 0.05, 0.0], [0.9, 0.35, 0.31, 0.2, 0.4]),
    # no interval anywhere (lo = hi = value), and one interval missing (NaN)
    ([0.5, 0.5, 0.5, 0.5, 0.5], [0.5] * 5, [0.5] * 5),
    ([0.3, 0.1, 0.7, 0.2, 0.2], [np.nan, 0.05, 0.6, 0.1, 0.15], [np.nan, 0.4, 0.95, 0.6, 0.3]),
])
def test_no_value_label_overlaps_a_bar_or_an_error_bar(vals, lo, hi) -> None:
    assert _overlaps(_scores(vals, lo, hi)) == []


def test_no_label_overlaps_at_random_values() -> None:
    """Fixed seed: 40 draws of values in [0, 1] and intervals around them."""
    rng = np.random.default_rng(20261207)
    for _ in range(40):
        vals = rng.uniform(0, 1, 5)
        lo = vals - rng.uniform(0, 1, 5) * vals
        hi = vals + rng.uniform(0, 0.6, 5)
        assert _overlaps(_scores(list(vals), list(lo), list(hi))) == [], (vals, lo, hi)
