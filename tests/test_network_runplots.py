"""The corridor run figures show the statistic of the run's answer and its other figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.data.constants import ECONOMIES, NAMES
from scosim.runstats import HIGH, LOW, RunStats

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
YEAR = 2035
#: Per run: skewed, so that the mean and the median differ (a change in one run of five).
RUN_SHARE = np.array([1.0, 1.0, 1.0, 1.0, 4.0])


def _skewed_stats() -> RunStats:
    """Five runs of corridor_instc.yaml's network indicators, mean far from median."""
    rows = []
    for run, f in enumerate(RUN_SHARE):
        values = {
            "welfare_change_pct": {"AZE": 0.5 * f, "ARM": 0.2 * f, "IRN": -0.1 * f},
            "corridor_paid_usd": {"IRN": 5.3e9 * f, "AZE": 1.0e9 * f},
            "corridor_risk_usd": {"IRN": 0.4e9 * f},
            "corridor_operating": {"IRN": 1.0},
            "route_instability": {},
            "network_trade_cost_change_pct": {},
        }
        for name, vals in values.items():
            rows += [{"run": run, "year": YEAR, "country": c, "indicator": name,
                      "value": vals.get(c, 0.0)} for c in ECONOMIES]
    events = pd.DataFrame({"run": range(len(RUN_SHARE)), "year": 2026, "type": "adopted",
                           "country": "IND", "proposal": "instc"})
    return RunStats.from_frames(pd.DataFrame(rows), events)


def _bars(ax) -> dict[str, list[float]]:
    """Bar lengths by y tick label (economy name), in drawing order."""
    ticks = {round(t, 6): lab.get_text() for t, lab in zip(ax.get_yticks(),
                                                            ax.get_yticklabels(), strict=True)}
    out: dict[str, list[float]] = {}
    for p in ax.patches:
        y = p.get_y() + p.get_height() / 2
        near = min(ticks, key=lambda t: abs(t - y))
        out.setdefault(ticks[near], []).append(p.get_width())
    return out


def test_network_bar_figures_show_the_answers_mean(tmp_path, monkeypatch):
    """network_gains.png and network_who_pays.png bar the mean over runs, the number the
    run's answer (summary.txt) and welfare_final_year.png give, and say so; the whiskers
    span the 5th-95th percentile. They were medians: Armenia's gain in corridor_instc.yaml
    read 0.21 in the bar and 0.22 in the text."""
    import matplotlib.pyplot as plt

    from scosim.network import runplots
    from scosim.run_headline import headline_table

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "scenario.yaml").write_text(
        f"extends: {SCEN / 'corridor_instc.yaml'}\nname: x\n")
    st = _skewed_stats()
    kept, close = [], plt.close
    monkeypatch.setattr(plt, "close", kept.append)
    paths = runplots.plot_network_run(run_dir, tmp_path, st, "t")
    figs = {Path(p).name: f for p, f in zip(paths, kept, strict=True)}
    try:
        # Welfare: the answer's rows (headline_table, also welfare_final_year.png's bars).
        concerned, others, year, _, _ = headline_table(st)
        answer = pd.concat([concerned, others])
        assert year == YEAR
        ax = figs["network_gains.png"].axes[0]
        drawn = _bars(ax)
        for code in ("AZE", "ARM", "IRN"):
            mean = answer.loc[code, "mean"]
            assert abs(mean - st.quantile("welfare_change_pct", 0.5).loc[YEAR, code]) > 0.05
            assert drawn[NAMES[code]] == [pytest.approx(mean)]
        # The whiskers: from the answer's 5th to its 95th percentile.
        segs = [s for c in ax.collections for s in c.get_segments()]
        spans = {(round(s[0][0], 9), round(s[1][0], 9)) for s in segs if s[0][1] == s[1][1]}
        for code in ("AZE", "ARM", "IRN"):
            lo, hi = answer.loc[code, "low"], answer.loc[code, "high"]
            assert any(a == pytest.approx(lo) and b == pytest.approx(hi) for a, b in spans)
        assert "mean of 5 runs" in ax.get_title()
        assert all(t.get_text().startswith(("mean of 5 runs", "5th-95th"))
                   for t in ax.get_legend().get_texts())
        # Payments and expected loss: the means the answer's corridor lines print.
        table = st.table().set_index(["indicator", "year", "country"])["mean"]
        ax = figs["network_who_pays.png"].axes[0]
        drawn = _bars(ax)
        assert drawn[NAMES["IRN"]] == [
            pytest.approx(table["corridor_paid_usd", YEAR, "IRN"] / 1e9),
            pytest.approx(table["corridor_risk_usd", YEAR, "IRN"] / 1e9)]
        assert drawn[NAMES["AZE"]][0] == pytest.approx(
            table["corridor_paid_usd", YEAR, "AZE"] / 1e9)
        assert "bars: mean of 5 runs" in ax.get_xlabel()
    finally:
        for f in kept:
            close(f)


def test_final_bands_are_percentiles_around_the_mean():
    from scosim.network.runplots import final_bands

    st = _skewed_stats()
    year, bands = final_bands(st, "welfare_change_pct")
    j = ECONOMIES.index("ARM")
    values = 0.2 * RUN_SHARE
    assert year == YEAR
    assert bands[:, j] == pytest.approx([np.percentile(values, LOW), values.mean(),
                                         np.percentile(values, HIGH)])


def test_who_pays_axis_label_is_whole_and_inside_the_figure(tmp_path, monkeypatch):
    """With 200 runs the x label ran off the right edge of network_who_pays.png and ended
    at "...whiskers: 5th-95th percentile" without its closing parenthesis."""
    import matplotlib.pyplot as plt

    from scosim.network import runplots

    shares = np.resize(RUN_SHARE, 200)
    rows = []
    for run, f in enumerate(shares):
        for name, vals in (("corridor_paid_usd", {"AFG": 3.6e9 * f, "PAK": 1.2e9 * f}),
                           ("corridor_risk_usd", {"CHN": 0.25e9 * f, "AFG": 0.2e9 * f,
                                                  "RUS": 0.02e9 * f, "ARE": 0.01e9 * f})):
            rows += [{"run": run, "year": YEAR, "country": c, "indicator": name,
                      "value": vals.get(c, 0.0)} for c in ECONOMIES]
    st = RunStats.from_frames(pd.DataFrame(rows), pd.DataFrame(
        columns=["run", "year", "type", "country", "proposal"]))
    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    runplots._who_pays(st, tmp_path / "who.png",
                       "afghan_corridor (seed 20250101)", "TRANS_AFGHAN_RAIL")
    fig = kept[-1]
    try:
        label = fig.axes[0].xaxis.label
        text = label.get_text()
        assert "mean of 200 runs" in text and text.count("(") == text.count(")")
        assert text.rstrip().endswith(")")
        fig.canvas.draw()
        box = label.get_window_extent(fig.canvas.get_renderer())
        page = fig.bbox
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0
    finally:
        plt.close(fig)
