"""What users saw wrong in three figures: bare codes, a legend on bars, an empty panel.

- The compare figure's bars named economies by ISO code only (``LKA``, ``KHM``); they now
  read as the run's who-gains figure, code and name.
- ``welfare_final_year.png`` placed its legend automatically, over the left end of the
  top bars (Nepal, Maldives in customs_union); it now covers no bar.
- ``membership_timeline.png`` drew a bar row per economy of the map in its events panel,
  most of them empty, as tall as the map; only economies with an event are rows now, under
  the map when they are few, and no panel at all when nothing is counted.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from scosim.compare_plots import plot_final_year  # noqa: E402
from scosim.data.constants import NAMES  # noqa: E402
from scosim.plot_membership import NO_EVENTS  # noqa: E402
from scosim.plots import plot_membership, plot_welfare_final  # noqa: E402
from scosim.runstats import RunStats  # noqa: E402
from test_answer_statistic import _leavers  # noqa: E402  (tests/ is on sys.path)
from test_compare_display import _membership  # noqa: E402


def test_compare_bars_are_labelled_with_code_and_name(tmp_path: Path) -> None:
    comp = _membership(tmp_path)
    fig = plot_final_year(comp.summary, "in_customs_union")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    plt.close(fig)
    # Two bars, CHN and RUS (the others never differ), named as the run's answer names them.
    assert labels == [f"CHN {NAMES['CHN']}", f"RUS {NAMES['RUS']}"]
    assert NAMES["RUS"] == "Russian Federation"  # a name, not a code repeated


def _crowded() -> RunStats:
    """28 economies, 4 runs of 2030-2031: 27 gain 1-1.3 %, one loses 0.1 %. The bars
    fill the axes from near its left edge to its right one, so no corner is free (as Nepal's
    and the Maldives' bars in customs_union, where the legend sat on their left ends)."""
    codes = sorted(c for c in NAMES if len(c) == 3 and c.isupper())[:28]
    rows = []
    for r in range(4):
        for k, c in enumerate(codes):
            w = (1 + 0.01 * k if k else -0.1) + 0.001 * r
            for t in (2030, 2031):
                rows += [(r, t, c, "welfare_change_pct", w), (r, t, c, "member", 0.0),
                         (r, t, c, "in_customs_union", 0.0)]
    return RunStats.from_frames(
        pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"]),
        pd.DataFrame(columns=["run", "year", "type", "country", "proposal", "yes"]))


def test_the_who_gains_legend_covers_no_bar(kept_figures: list, tmp_path: Path) -> None:
    plot_welfare_final(_crowded(), "t", tmp_path / "w.png")
    fig = kept_figures[-1]
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    bars = [p.get_window_extent(renderer) for p in ax.patches]
    assert len(bars) == 28
    covered = [b for b in bars if legend.overlaps(b)]
    assert covered == []
    # Still the legend of all it says (two bar colours and the whiskers).
    texts = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "gain" in texts and "loss" in texts and "whiskers" in texts


def test_event_rows_keep_the_economies_with_an_event_only() -> None:
    from scosim.plot_membership import event_rows, events_placement

    counts = pd.DataFrame({"left on its own": [0.0, 0.8, 0.0],
                           "joined": [0.0, 0.0, 1.0]}, index=["CHN", "IRN", "ARM"])
    assert list(event_rows(counts).index) == ["IRN", "ARM"]
    assert event_rows(counts.iloc[:, :0]).empty
    assert events_placement(30, 0) == "none"
    assert events_placement(30, 2) == "below"
    assert events_placement(12, 11) == "beside"


def _axes_by_role(fig) -> tuple:  # noqa: ANN001
    events = [a for a in fig.axes if a.get_xlabel().startswith("events per run")]
    return fig.axes[0], events


def test_the_events_panel_shows_who_had_an_event_under_the_map(
        kept_figures: list, tmp_path: Path) -> None:
    # IRN leaves the union in 5 of 6 runs; CHN and MNG have no event.
    plot_membership(_leavers(), None, "t", tmp_path / "m.png")
    fig = kept_figures[-1]
    heat, events = _axes_by_role(fig)
    assert len(events) == 1
    assert [t.get_text() for t in events[0].get_yticklabels()] == ["IRN Iran"]
    # One row of bars beside a map of several: under it, not as tall as it beside it.
    fig.canvas.draw()
    assert events[0].get_position().y1 < heat.get_position().y0


def test_no_events_panel_when_nothing_is_counted(kept_figures: list, tmp_path: Path) -> None:
    # Everyone votes yes and nobody leaves: no panel, and the figure says why.
    votes = pd.DataFrame(
        [(r, 2026, "vote", c, "cu", True) for r in range(6) for c in ("CHN", "IRN")],
        columns=["run", "year", "type", "country", "proposal", "yes"])
    plot_membership(RunStats.from_frames(_calm_frame(), votes), None, "t", tmp_path / "m.png")
    fig = kept_figures[-1]
    _, events = _axes_by_role(fig)
    assert events == []
    assert len([a for a in fig.axes if a.axison]) == 2  # the map and its colour bar
    assert fig._supxlabel is not None and fig._supxlabel.get_text() == NO_EVENTS


def _calm_frame() -> pd.DataFrame:
    """The indicators of :func:`_leavers` with nobody leaving: IRN stays in every run."""
    rows = []
    for r in range(6):
        for t in range(2030, 2036):
            for c, w, cu in (("IRN", -0.5, True), ("CHN", 0.2, True), ("MNG", -0.1, False)):
                rows += [(r, t, c, "welfare_change_pct", w), (r, t, c, "member", 1.0),
                         (r, t, c, "in_customs_union", float(cu))]
    return pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"])
