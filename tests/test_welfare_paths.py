"""The welfare paths figure says when trade still adjusts gradually in a year it shows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim import plots
from scosim.runstats import RunStats

YEARS = range(2025, 2036)
#: What ge_trade records of its gradual adjustment (scosim.plot_data.ADJUSTMENT).
ADJUSTMENT = "trade_adjustment_share"
CAVEAT = "adjusts gradually"


def _stats(shares: list[dict[int, float]]) -> RunStats:
    """Runs of welfare paths with the given adjustment share per year (one dict a run)."""
    rows = []
    for run, share in enumerate(shares):
        for year in YEARS:
            a = share.get(year, 0.0)
            for code, scale in (("PAK", 3.0), ("IRN", -0.6), ("NPL", 0.4)):
                rows.append({"run": run, "year": year, "country": code,
                             "indicator": "welfare_change_pct", "value": scale * a})
                rows.append({"run": run, "year": year, "country": code,
                             "indicator": ADJUSTMENT, "value": a})
    return RunStats.from_frames(pd.DataFrame(rows))


def _gradual(entry: int = 2027, short: float = 0.4, years: int = 8) -> dict[int, float]:
    """customs_union.yaml's share: 0.4 in the entry year, 1 eight years later."""
    return {y: min(1.0, short + (1 - short) * (y - entry) / years) for y in YEARS if y >= entry}


def _at_once(entry: int = 2027) -> dict[int, float]:
    return {y: 1.0 for y in YEARS if y >= entry}


def _caveats(fig) -> list:
    return [t for ax in fig.axes for t in ax.texts if CAVEAT in t.get_text()]


def _assert_placed(fig, note) -> None:
    """The footnote lies below the axis label, inside the figure, overlapping nothing."""
    fig.canvas.draw()
    box = note.get_window_extent()
    ax = fig.axes[0]
    others = [ax.xaxis.label, *ax.get_xticklabels(), ax.get_legend(), ax.title]
    assert not any(box.overlaps(o.get_window_extent()) for o in others)
    assert box.y1 < ax.xaxis.label.get_window_extent().y0  # below the axis label
    assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)


def test_adjusting_years_are_those_with_a_share_strictly_between_0_and_1():
    from scosim.plot_data import ADJUSTMENT as recorded
    from scosim.plot_data import PLOTTED, adjusting_years

    assert recorded == ADJUSTMENT and ADJUSTMENT in PLOTTED  # gathered for the figure
    assert adjusting_years(_stats([_gradual()] * 3)) == list(range(2027, 2035))
    # Runs at 0 and 1 only (no gradual adjustment) are not adjusting, whatever the mean.
    assert adjusting_years(_stats([_at_once(2027), _at_once(2030), {}])) == []
    # One run of three adjusting is enough (this one until 2037, after the last year).
    assert adjusting_years(_stats([_at_once(), _at_once(), _gradual(2029)])) == list(
        range(2029, 2036))
    assert adjusting_years(RunStats.from_frames(pd.DataFrame(
        {"run": [0], "year": [2030], "country": ["PAK"], "indicator": ["welfare_change_pct"],
         "value": [1.0]}))) == []  # not recorded: nothing said


def test_welfare_paths_caveat_when_trade_adjusts_gradually(tmp_path: Path, kept_figures: list):
    """Until trade has fully adjusted (2035 in customs_union.yaml) a path is not the
    long-run effect (China's overshoots it in 2029): the figure says so under its axis
    label, on one line that overlaps nothing."""
    plots.plot_welfare_paths(_stats([_gradual()] * 4), "t", tmp_path / "w.png")
    fig = kept_figures[-1]
    (note,) = _caveats(fig)
    text = note.get_text()
    assert text.startswith("Until 2035 trade adjusts gradually") and "\n" not in text
    assert "(short-run trade elasticity)" in text
    assert "docs/customs_union.md" in text
    _assert_placed(fig, note)


def test_welfare_paths_caveat_when_adjustment_outlasts_the_years_shown(tmp_path: Path,
                                                                      kept_figures: list):
    plots.plot_welfare_paths(_stats([_gradual(2030)] * 3), "t", tmp_path / "w.png")
    (note,) = _caveats(kept_figures[-1])
    assert note.get_text().startswith("Trade still adjusts gradually in 2035 (short-run")
    assert "have not reached full adjustment" in note.get_text()


@pytest.mark.parametrize("shares", [[_at_once()] * 3, [_at_once(2027), _at_once(2031)]])
def test_welfare_paths_no_caveat_when_trade_adjusts_at_once(tmp_path: Path, kept_figures: list,
                                                            shares):
    plots.plot_welfare_paths(_stats(shares), "t", tmp_path / "w.png")
    fig = kept_figures[-1]
    assert _caveats(fig) == []
    assert not [t for t in fig.texts if CAVEAT in t.get_text()]
    assert np.isfinite(fig.axes[0].get_ylim()).all()


def test_welfare_final_year_caveat_when_its_year_still_adjusts(tmp_path: Path, kept_figures: list):
    """welfare_final_year.png had no footnote while the paths figure had one: its bars in a
    year trade still adjusts are not the full effect (customs_union.yaml to 2032)."""
    plots.plot_welfare_final(_stats([_gradual(2030)] * 4), "t", tmp_path / "f.png")
    fig = kept_figures[-1]
    (note,) = _caveats(fig)
    text = note.get_text()
    assert text.startswith("In 2035 trade still adjusts gradually") and "\n" not in text
    assert "(short-run trade elasticity)" in text
    assert text.endswith(": not yet the long-run effect (docs/customs_union.md)")
    _assert_placed(fig, note)


@pytest.mark.parametrize("shares", [[_gradual()] * 3, [_at_once()] * 3, [{}] * 2])
def test_welfare_final_year_no_caveat_when_its_year_has_adjusted(tmp_path: Path, kept_figures: list,
                                                                shares):
    """Adjusted by 2035 (the default end of customs_union.yaml), at once, or not recorded."""
    plots.plot_welfare_final(_stats(shares), "t", tmp_path / "f.png")
    assert _caveats(kept_figures[-1]) == []


def test_no_adjustment_when_the_arrangements_in_force_leave_tariffs_at_base(tmp_path: Path):
    """A settlement changes no tariff: its runs are not 'still adjusting' (review).

    Before, any arrangement in force started the gradual adjustment clock, and the finance
    runs' welfare figure carried the customs union's caveat about a trade response that
    had not yet reached its long-run level. Welfare is the same either way (tariffs equal
    the base ones).
    """
    from scosim.plot_data import adjusting_years, load_plot_data
    from scosim.runner import run

    root = Path(__file__).resolve().parents[1] / "scenarios"
    res = run(str(root / "finance_crisis_settlement.yaml"), out=str(tmp_path), progress=False,
              plots=False, overrides={"replications": 2})
    ind = res.indicators
    share = ind[ind["indicator"] == "trade_adjustment_share"]
    in_force = ind[(ind["indicator"] == "in_settlement_arrangement") & (ind["value"] > 0)]
    assert len(in_force) and (share[share["year"] >= 2026]["value"] == 1.0).all()
    assert adjusting_years(load_plot_data(Path(res.path))) == []
    # A customs union still adjusts from its entry into force.
    cu = run(str(root / "customs_union.yaml"), out=str(tmp_path), progress=False,
             plots=False, overrides={"replications": 2})
    assert 2030 in adjusting_years(load_plot_data(Path(cu.path)))


def test_welfare_paths_say_which_lines_include_exits(tmp_path: Path, kept_figures: list):
    """Iran's path in customs_union.yaml jumps towards zero in the year it leaves (16 of 20
    runs): read as a recovery unless the figure says the medians count runs after exits."""
    from scosim.plot_data import load_plot_data
    from scosim.runner import run
    from scosim.scenario import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "customs_union.yaml",
                       overrides={"replications": 6})
    res = run(sc, out=tmp_path, progress=False, plots=False)
    st = load_plot_data(Path(res.path))
    ev = res.events
    left = ev[ev["type"].isin(["defection", "bloc_exit"]) & (ev["country"] == "IRN")]
    n = left["run"].nunique()
    assert n > 0
    plots.plot_welfare_paths(st, "t", tmp_path / "w.png")
    title = kept_figures[-1].axes[0].get_title()
    assert f"IRN left in {n} of 6 runs" in title.replace("\n", " ")
    # a run without exits says nothing of them
    sc0 = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "customs_union.yaml",
                        overrides={"replications": 2, "parameters.rules.defect": "never_defect"})
    res0 = run(sc0, out=tmp_path / "none", progress=False, plots=False)
    plots.plot_welfare_paths(load_plot_data(Path(res0.path)), "t", tmp_path / "w0.png")
    assert "exits" not in kept_figures[-1].axes[0].get_title()
