"""What an outside auditor of the run's figures found, checked on the data behind them.

Each test states what a policy reader needs from a figure, on the function the PNG and
the explorer both draw from (not on pixels): the welfare paths' line is the median (as
the run's answer), a vote figure of committed votes says its scores were not used and
fits every bar, the GDP title is plain, the who-gains labels name the economies and the
whiskers say what they are, the exit curve explains its falling lines and its shading,
and ``summary.csv`` gives a flag's percentiles as values a run had.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scosim.runstats import RunStats

RUNS = 20


def _stats(rows: list[tuple]) -> RunStats:
    return RunStats.from_frames(
        pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"]))


def _leaver() -> RunStats:
    """IRN loses 0.6 % while in a union and leaves it in 15 of 20 runs (then ~0 %); CHN
    gains 0.15 % in every run. IRN's mean over runs is far from its median."""
    rows = []
    for r in range(RUNS):
        for t in (2030, 2031, 2032):
            left = r < 15 and t == 2032
            rows += [(r, t, "IRN", "welfare_change_pct", -0.03 - 0.001 * r if left
                      else -0.6 - 0.01 * r),
                     (r, t, "CHN", "welfare_change_pct", 0.15 + 0.001 * r),
                     (r, t, "IRN", "in_customs_union", 0.0 if left else 1.0),
                     (r, t, "CHN", "in_customs_union", 1.0)]
    return _stats(rows)


def test_welfare_paths_line_is_the_median_over_runs_as_the_answer() -> None:
    from scosim.plot_data import welfare_paths_data

    st = _leaver()
    data = welfare_paths_data(st)
    irn = np.array([-0.03 - 0.001 * r for r in range(15)]
                   + [-0.6 - 0.01 * r for r in range(15, RUNS)])
    # The line in 2032 is the median of the runs (most left): not the mean (about -0.18).
    assert data.centre.loc[2032, "IRN"] == np.median(irn)
    assert abs(data.centre.loc[2032, "IRN"] - irn.mean()) > 0.1
    assert data.low.loc[2032, "IRN"] == np.percentile(irn, 5)  # the band is unchanged
    assert data.codes == ["IRN", "CHN"]


def test_who_gains_labels_name_each_economy_as_the_answer_does() -> None:
    from scosim.plot_data import who_gains_labels
    from scosim.plots import who_gains_data

    st = _leaver()
    table, *_ = who_gains_data(st)
    labels, _ = who_gains_labels(table, st)
    assert labels[list(table.index).index("CHN")].startswith("CHN China")
    assert labels[list(table.index).index("IRN")].startswith("IRN Iran")


def test_the_two_kinds_of_whiskers_say_what_they_are() -> None:
    from scosim.compare import interval_label
    from scosim.compare_plots import whisker_note
    from scosim.plot_data import WHISKERS_NOTE

    assert "spread" in WHISKERS_NOTE and "90 % of runs" in WHISKERS_NOTE
    ci = whisker_note(interval_label("t", 0.9))
    assert "90 % CI of the mean" in ci and "not the spread of runs" in ci
    assert "spread of runs" in whisker_note(interval_label("percentile", 0.9))


def test_gdp_title_is_plain_and_says_nominal_and_where_the_real_effect_is() -> None:
    from scosim.plots import gdp_paths_title

    text = gdp_paths_title("customs_union (seed 1)", 20)
    assert "factory-gate" not in text and "(indicators/)" not in text
    assert "nominal GDP" in text and "US$ billion" in text and "under the scenario" in text
    assert "not the policy's effect" in text and "real_gdp_change_pct" in text


def _panel(rules: str, score: list[float], pos: list[float]) -> object:
    from scosim.plot_votes import VoteReasons

    states = ["IRN", "CHN"]
    contributions = pd.DataFrame({"econ": [-0.5, score[1] - pos[1]],
                                  "trust": [score[0] + 0.5, pos[1]]}, index=states)
    s = pd.Series(score, index=states)
    return VoteReasons(contributions=contributions, score=s, score_low=s - 0.01,
                       score_high=s + 0.01, yes_share=pd.Series(1.0, index=states),
                       rules=pd.Series([{rules}, {rules}], index=states),
                       sponsor=pd.Series(False, index=states), proposal="cu", year=2026,
                       n_runs=RUNS)


def test_committed_votes_are_titled_as_what_the_scores_would_have_said() -> None:
    from scosim.plot_votes import all_committed, explained, figure_heading

    committed = _panel("always_yes", [-0.4, 0.19], [0.0, 0.03])
    assert all_committed([committed])
    heading = figure_heading([committed])
    assert heading.startswith("how each state would have scored 'cu' in 2026")
    assert "scores not used" in heading and "why" not in heading
    assert explained([committed]).startswith("had a state voted on its score")
    scored = _panel("utility_vote", [-0.4, 0.19], [0.0, 0.03])
    assert not all_committed([scored])
    assert figure_heading([scored]) == "why states voted as they did on 'cu' in 2026"


def test_vote_panel_axis_holds_every_bar_and_whisker() -> None:
    from scosim.plot_votes import panel_xlim

    # CHN's stack: econ, then trust on top of it, ending at 0.215 (China's clipped bar).
    data = _panel("always_yes", [-0.4, 0.215], [0.0, 0.025])
    lo, hi = panel_xlim(data)
    stack_right = float(data.contributions.clip(lower=0).sum(axis=1).max())
    assert hi > stack_right and hi > float(data.score_high.max())
    assert lo < float(data.contributions.clip(upper=0).sum(axis=1).min())
    assert lo < float(data.score_low.min())


def _curve() -> pd.DataFrame:
    """IND rises to 60 % and falls to 10 % as the threshold rises (another leaves first);
    IRN only rises."""
    ths = [-1.0, -0.6, -0.5, -0.4, -0.3]
    rows = []
    for th, ind, irn in zip(ths, [0, 20, 60, 30, 10], [0, 40, 80, 100, 100], strict=True):
        for code, n in (("IND", ind), ("IRN", irn), ("any", max(ind, irn))):
            rows.append({"proposal": "cu", "country": code, "threshold_pct": th, "runs": 100,
                         "leaves": n, "share_pct": float(n)})
    return pd.DataFrame(rows)


def test_exit_curve_note_explains_a_falling_line_and_the_shading() -> None:
    from scosim.exit_curve import falling_curves, reading_note

    table = _curve()
    assert falling_curves(table) == ["IND India"]
    note = " ".join(reading_note(table, own=-0.0055, excluded_above=-0.0051).split())
    assert "IND India" in note and "IRN" not in note
    assert "first exit" in note and "another state then leaves first" in note
    assert "Shaded: thresholds above -0.51 %" in note
    assert "just above the scenario's -0.55 %" in note
    assert reading_note(table.assign(share_pct=0.0), own=-0.0055) == ""


def _flags(n_set: int) -> RunStats:
    """A 0/1 flag set in ``n_set`` of 20 runs, and a share that is not a flag."""
    rows = []
    for r in range(RUNS):
        rows += [(r, 2035, "bloc", "art24_external_tariff_raised", float(r < n_set)),
                 (r, 2035, "CHN", "trade_adjustment_share", 0.5 * (r < n_set))]
    return _stats(rows)


def test_summary_gives_a_flags_percentiles_as_values_some_run_had() -> None:
    st = _flags(19)
    table = st.table().set_index("indicator")
    flag = table.loc["art24_external_tariff_raised"]
    values = np.array([1.0] * 19 + [0.0])
    # Interpolated, the 5th percentile of 19 ones and a zero is 0.95: no run had it.
    assert 0 < np.percentile(values, 5) < 1
    assert flag["p05"] == 0.0 and flag["median"] == 1.0 and flag["p95"] == 1.0
    assert flag["mean"] == 0.95  # the share of runs, as before
    # An indicator that is not 0/1 keeps numpy's interpolated percentiles.
    other = table.loc["trade_adjustment_share"]
    share = 0.5 * values
    assert other["p05"] == pytest.approx(np.percentile(share, 5), abs=1e-12)
    assert 0 < other["p05"] < 0.5
    assert not st.indicators["trade_adjustment_share"].is_flag()


def test_flag_percentiles_are_0_or_1_from_the_sketch_too() -> None:
    st = _flags(1)
    ind = st.indicators["art24_external_tariff_raised"]
    ind.drop_held()  # as beyond EXACT_RUNS
    assert ind.is_flag()
    table = st.table().set_index("indicator").loc["art24_external_tariff_raised"]
    assert (table["p05"], table["median"], table["p95"]) == (0.0, 0.0, 1.0)
