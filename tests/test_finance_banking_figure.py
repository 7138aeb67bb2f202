"""The banking figure says what it draws: its key, its fund panel, its fiscal-cost title.

A new user found in ``finance_crisis.yaml``'s ``banking.png`` (no union) a key listing
"caught, refused public money ..." and "resolved before contagion" though no run had
either, a zero line on a +-0.04 axis titled "median; band 5-95th pct." beside "no deposit
insurance fund in this scenario", and in ``finance_crisis_union.yaml``'s a fiscal-cost
title "shaded: 5-95th pct." where every year was a k/n range and nothing was shaded.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from scosim.finance import plots
from scosim.finance.run_summary import PAYERS, summarise

YEARS = [2025, 2026, 2027]
R, N = 40, 2


def _arrays(fail_runs: int, cost_runs: int, fund: bool, resolved: int = 0) -> dict:
    """(R, T, N) arrays: economy 0 fails in ``fail_runs`` runs of 2026 and pays US$50 bn
    in ``cost_runs`` runs of each year; economy 1 is resolved in ``resolved`` runs."""
    shape = (R, len(YEARS), N)
    z = {name: np.zeros(shape) for name, _ in PAYERS}
    z.update(failures=np.zeros(shape), resolutions=np.zeros(shape),
             resolution_refused=np.zeros(shape), fund_balance=np.zeros(shape))
    z["failures"][:fail_runs, 1, 0] = 1.0
    z["resolutions"][:resolved, 1, 1] = 1.0
    z["fiscal_cost"][:cost_runs, :, 0] = 50e9 * (1 + np.arange(cost_runs))[:, None]
    if fund:
        z["fund_balance"][:] = 1e9 * (1 + np.arange(R))[:, None, None]
    return z


def _draw(monkeypatch, tmp_path: Path, arrays: dict) -> plt.Figure:
    kept = []
    monkeypatch.setattr(plots.plt, "close", kept.append)  # keep the figure to read it
    plots.plot_banking_summaries({"this scenario": summarise(arrays, list(range(N)))}, YEARS,
                                 tmp_path / "banking.png", title="t")
    assert (tmp_path / "banking.png").stat().st_size > 0
    return kept[0]


def test_the_key_lists_only_outcomes_some_run_had(monkeypatch, tmp_path: Path) -> None:
    fig = _draw(monkeypatch, tmp_path, _arrays(fail_runs=10, cost_runs=30, fund=False))
    keys = [t.get_text() for t in fig.legends[0].get_texts()]
    assert keys == ["failure (default in clearing)"]
    plt.close(fig)
    fig = _draw(monkeypatch, tmp_path, _arrays(10, 30, False, resolved=30))
    keys = [t.get_text() for t in fig.legends[0].get_texts()]
    assert keys == ["failure (default in clearing)", "resolved"]  # the answer's word
    plt.close(fig)


def test_without_a_fund_the_panel_is_the_sentence_alone(monkeypatch, tmp_path: Path) -> None:
    fig = _draw(monkeypatch, tmp_path, _arrays(10, 30, fund=False))
    ax = fig.axes[2]
    assert not ax.lines and not ax.collections and not ax.axison
    assert ax.get_title() == "Deposit insurance fund"  # no median or band named
    assert [t.get_text() for t in ax.texts] == ["no deposit insurance fund\nin this scenario"]
    plt.close(fig)
    fig = _draw(monkeypatch, tmp_path, _arrays(10, 30, fund=True))
    ax = fig.axes[2]
    assert ax.lines and ax.collections and "median; band 5-95th pct." in ax.get_title()
    assert not ax.texts
    plt.close(fig)


@pytest.mark.parametrize(("cost_runs", "shaded", "ranged"), [
    (30, True, False),  # most runs pay every year: bands
    (4, False, True),   # 4 of 40 every year: k/n ranges only, nothing shaded
])
def test_the_fiscal_cost_title_names_what_is_drawn(monkeypatch, tmp_path: Path,
                                                   cost_runs: int, shaded: bool,
                                                   ranged: bool) -> None:
    fig = _draw(monkeypatch, tmp_path, _arrays(10, cost_runs, fund=False))
    title = " ".join(fig.axes[1].get_title().split())  # wrapped to the panel's width
    assert ("shaded: 5-95th pct." in title) is shaded, title
    # The k/n ranges' words only where one is drawn (with several variants they were
    # said where none was).
    assert ("capped line: where most runs had none" in title) is ranged, title
    assert "under the years: runs of 40 with a cost;" in title or title.endswith(
        "under the years: runs of 40 with a cost)"), title
    # The line's statistic named, as the answer's table prints it (means of all runs).
    # (a run's own figure adds ", as summary.txt": test_finance_answer_parts.py)
    assert title.startswith("Fiscal cost, gross incl. recapitalisation (line: mean of all 40 "
                            "runs;")
    plt.close(fig)


def test_a_range_far_beyond_every_other_is_cut_not_the_others() -> None:
    # finance_crisis.yaml, 40 runs: Russia's 82 (k/n) and a band to 87, China's 2,048 in
    # three years; the means up to 114 set the top, the three China years are cut.
    top = plots.cost_axis_top([8, 93, 62, 114, 62, 13], [87], [82, 2048, 2048, 2048, 87])
    assert top is not None and 114 < top < 2048 / plots.OFF_SCALE
    # Ranges alike (the union's 54-91), or one range above only means (a rare amount's
    # mean is k/n of it by construction): nothing cut.
    assert plots.cost_axis_top([8, 20, 2], [], [82, 91, 82]) is None
    assert plots.cost_axis_top([10], [], [82]) is None
    # A band far above the rest is cut as a range is (10 runs: the members' 2026 band to
    # an interpolated 1,209 beside Russia's 82-84 in other years), not one band among alike.
    top = plots.cost_axis_top([8, 262, 0.2, 17, 8, 9], [1209], [82, 2.4, 85, 84, 85])
    assert top is not None and 262 < top < 1209
    assert plots.cost_axis_top([100], [120, 87], [82]) is None


def test_the_cut_range_shows_its_value_and_the_rest_stay_readable(monkeypatch,
                                                                    tmp_path: Path) -> None:
    z = _arrays(fail_runs=0, cost_runs=0, fund=False)
    z["fiscal_cost"][:15, 0, 0] = 80e9      # 2025: 15 of 40 runs, k/n range at 80
    z["fiscal_cost"][:30, 1, 0] = 60e9      # 2026: most runs, a shaded band
    z["fiscal_cost"][:2, 2, 1] = 2048e9     # 2027: one large system in 2 of 40 runs
    fig = _draw(monkeypatch, tmp_path, z)
    ax = fig.axes[1]
    low, high = ax.get_ylim()
    assert low == 0 and 80 < high < 2048  # the 80 and 60 readable, 2,048 off the scale
    mean_line = ax.lines[0].get_ydata()
    assert max(mean_line) <= high  # every mean on the scale (2027: 2 x 2,048 / 40 = 102)
    # Nothing written at a range (a run's own 2028 "10/40: up to 2,048" stood in the
    # middle of the plot): the runs with a cost in a row under the years, counted here
    # apart, the value cut once in the title.
    want = [str(int((z["fiscal_cost"][:, t].sum(axis=1) > 0).sum())) for t in range(3)]
    assert want == ["15", "30", "2"]
    assert [t.get_text() for t in ax.texts] == want
    assert "arrow: off the scale, up to 2,048" in " ".join(ax.get_title().split())
    plt.close(fig)


def _runs(r: int, cost: dict[tuple[int, int], list[float]]) -> dict:
    """(r, T, N) arrays without failures: ``cost[(year index, economy)]`` the US$ bn
    fiscal cost of runs 0, 1, ... (the rest none)."""
    shape = (r, len(YEARS), N)
    z = {name: np.zeros(shape) for name, _ in PAYERS}
    z.update(failures=np.zeros(shape), resolutions=np.zeros(shape),
             resolution_refused=np.zeros(shape), fund_balance=np.zeros(shape))
    for (t, i), values in cost.items():
        z["fiscal_cost"][:len(values), t, i] = 1e9 * np.asarray(values)
    return z


def _clear(fig: plt.Figure, ax: plt.Axes, label: str) -> bool:
    """Whether the text ``label`` of ``ax`` crosses none of its mean line."""
    from matplotlib.path import Path as MplPath

    renderer = fig.canvas.get_renderer()
    text = next(t for t in ax.texts if t.get_text() == label)
    line = ax.lines[0]  # the mean, drawn first
    path = MplPath(line.get_transform().transform(line.get_xydata()))
    return not path.intersects_bbox(text.get_window_extent(renderer), filled=False)


def test_a_band_far_beyond_the_rest_is_cut_with_a_run_s_value(monkeypatch,
                                                               tmp_path: Path) -> None:
    # finance_crisis.yaml at 10 runs: in 2026 Russia pays 82 in 6 runs and, in another,
    # China 2,048 with Russia's 82: not rare (7 of 10), a band, whose interpolated 95th
    # percentile (numpy, as run_summary) lies between 82 and 2,130, a value no run had.
    z = _runs(10, {(0, 0): [82.0], (1, 0): [82.0] * 7, (1, 1): [0.0] * 6 + [2048.0],
                   (2, 0): [84.0] * 2})
    fig = _draw(monkeypatch, tmp_path, z)
    ax = fig.axes[1]
    band_top = np.percentile([82.0] * 6 + [2130.0, 0, 0, 0], 95)
    assert 1000 < band_top < 2130
    low, high = ax.get_ylim()
    # The 82-84 of other years readable: the mean (262) sets the scale, not the band.
    assert low == 0 and 262 < high < band_top / 3
    texts = [t.get_text() for t in ax.texts]
    assert f"band to {band_top:,.0f};\nlargest run 2,130" in texts, texts
    assert _clear(fig, ax, f"band to {band_top:,.0f};\nlargest run 2,130")
    plt.close(fig)


def test_the_words_at_runs_above_the_band_say_which_of_the_key_s_runs() -> None:
    # "1 run 2,130 above the band" beside a key of "the 2 runs above": which of the two.
    assert plots._above_label(2, np.array([2130.2])) == "1 of the 2:\n2,130,\noff the scale"
    assert plots._above_label(1, np.array([2130.2])) == "the run:\n2,130,\noff the scale"
    assert plots._above_label(3, np.array([900.0, 2130.2, 3000.0])) == (
        "all 3:\nup to 3,000,\noff the scale")
    assert plots._above_label(5, np.array([900.0, 2130.2])) == (
        "2 of the 5:\nup to 2,130,\noff the scale")


def _paid(fig: plt.Figure, name: str) -> list[str]:
    """The texts written on the who-paid panel's row of payer ``name``."""
    ax = fig.axes[3]
    row = [n for n, _ in PAYERS].index(name)
    return [t.get_text() for t in ax.texts if round(t.get_position()[1]) == row]


@pytest.mark.parametrize("china", [True, False])
def test_a_who_paid_bar_far_beyond_the_others_is_cut_with_its_value(
        monkeypatch, tmp_path: Path, china: bool) -> None:
    # finance_crisis.yaml at 10 runs: Russia's 82 in 6 runs and China's 2,048 beside it in
    # one set the treasuries' band (9 of 10 runs paid: not rare) to an interpolated
    # ~1,290; the creditors' losses, 10 to 90 bn, were a sliver on that scale.
    z = _runs(10, {(1, 0): [82.0] * 7, (1, 1): [0.0] * 6 + [2048.0] * china})
    z["creditor_losses"][:9, 1, 0] = 1e9 * 10.0 * np.arange(1, 10)
    fig = _draw(monkeypatch, tmp_path, z)
    ax = fig.axes[3]
    # Each run's total over the period and the group, computed apart from run_summary.
    treasury = np.array([82.0] * 6 + [82.0 + 2048.0 * china, 0, 0, 0])
    creditors = np.append(10.0 * np.arange(1, 10), 0.0)
    band_top, cred_top = np.percentile(treasury, 95), np.percentile(creditors, 95)
    right = ax.get_xlim()[1]
    assert treasury.mean() < right and creditors.mean() < right  # every mean on the scale
    assert cred_top < right  # the creditors' whisker whole: not cut, its mean after it
    assert _paid(fig, "creditor_losses") == [f" {creditors.mean():,.1f}"]
    if not china:  # bands alike (82 and 86): nothing cut, the scale holds every whisker
        assert band_top < right and "arrow" not in ax.get_title()
        assert _paid(fig, "fiscal_cost") == [f" {treasury.mean():,.1f}"]
        plt.close(fig)
        return
    assert 1000 < band_top < 2130 and right < band_top / 2  # cut: the rest readable
    label = f"{treasury.mean():,.1f}; band to {band_top:,.0f};\nlargest run 2,130"
    assert _paid(fig, "fiscal_cost") == [label]
    assert "arrow: off the scale, its value written" in ax.get_title()
    # The label, at the edge, clears the end of its mean's bar (measured as saved).
    fig.set_dpi(plots.DPI)
    renderer = fig.canvas.get_renderer()
    text = next(t for t in ax.texts if t.get_text() == label)
    bar_end = ax.transData.transform((treasury.mean(), 0))[0]
    assert text.get_window_extent(renderer).x0 > bar_end
    plt.close(fig)


def test_runs_that_pull_the_mean_above_the_band_are_drawn(monkeypatch, tmp_path: Path) -> None:
    # finance_crisis.yaml, 40 runs, 2026: Russia's 82 in about half the runs, one run with
    # China's 2,048 beside it; the mean (92.7) lay above the band (to 87.0) and nothing on
    # the panel said why. Here: 82.2 in 20 runs, 87.2 in one, 2,048 + 82.2 in one.
    z = _runs(R, {(1, 0): [82.2] * 20 + [87.2], (1, 1): [2048.0]})
    totals = np.zeros(R)
    totals[:21] = [82.2] * 20 + [87.2]
    totals[0] += 2048.0
    top = np.percentile(totals, 95)  # numpy's, as the band's
    assert top < totals.mean() and sorted(totals[totals > top]) == [87.2, 2130.2]
    fig = _draw(monkeypatch, tmp_path, z)
    ax = fig.axes[1]
    # The line is the mean of all runs (what summary.txt's "SCO members together" prints).
    assert ax.lines[0].get_ydata()[1] == pytest.approx(totals.mean(), rel=1e-12)
    points = [ln for ln in ax.lines if ln.get_marker() == "x"]
    assert [list(p.get_ydata()) for p in points] == [[87.2]]  # 2,130 is off the scale...
    # ...written as the other of the key's two, clear of the mean's line.
    assert "1 of the 2:\n2,130,\noff the scale" in [t.get_text() for t in ax.texts]
    assert _clear(fig, ax, "1 of the 2:\n2,130,\noff the scale")
    title = " ".join(ax.get_title().split())
    assert "arrow: off the scale, up to 2,130" in title
    # Both are above the band, but 87.2 moves the mean by 0.006: the key does not say
    # that each pulls the mean up (it said "the 2 runs ... that pull the mean above").
    assert "x: the 2 runs above the 95th pct. in the year the mean lies above the band" in title
    assert "pull" not in title
    plt.close(fig)
    # The same run above the band in two years: two run-years, not "2 runs".
    z = _runs(R, {(1, 0): [82.2] * 20 + [87.2], (1, 1): [2048.0],
                  (2, 0): [82.2] * 20 + [87.2], (2, 1): [2048.0]})
    fig = _draw(monkeypatch, tmp_path, z)
    title = " ".join(fig.axes[1].get_title().split())
    assert ("x: runs above the 95th pct. in years the mean lies above the band "
            "(4 run-years)") in title
    assert "runs above the 95th pct. in the year" not in title
    plt.close(fig)
    # Without the large run the mean lies in its band: no points, nothing in the title.
    fig = _draw(monkeypatch, tmp_path, _runs(R, {(1, 0): [82.2] * 20 + [87.2]}))
    ax = fig.axes[1]
    assert not [ln for ln in ax.lines if ln.get_marker() == "x"]
    assert "x:" not in ax.get_title()
    plt.close(fig)


def test_equity_bought_equal_to_the_gross_is_one_bar_labelled_so(monkeypatch,
                                                                 tmp_path: Path) -> None:
    # finance_crisis.yaml: every run's treasury money bought equity; the two bars were
    # identical with nothing on the figure saying why (summary.txt says it in one line).
    z = _runs(R, {(1, 0): [82.2] * 20})
    z["fiscal_recap"] = z["fiscal_cost"].copy()
    fig = _draw(monkeypatch, tmp_path, z)
    ax = fig.axes[3]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(PAYERS) - 1 and dict(PAYERS)["fiscal_recap"] not in labels
    assert labels[0] == "treasuries, gross\n= equity bought: all of it,\nevery run, year, economy"
    mean = f" {20 * 82.2 / R:,.1f}"  # the mean over all runs, in the treasuries' row alone
    assert [round(t.get_position()[1]) for t in ax.texts
            if t.get_text().startswith(mean)] == [0]
    plt.close(fig)
    # One run short of it: two bars, as summary.txt prints two tables.
    z["fiscal_recap"][3, 1, 0] -= 1e6
    fig = _draw(monkeypatch, tmp_path, z)
    assert [t.get_text() for t in fig.axes[3].get_yticklabels()] == [lab for _, lab in PAYERS]
    plt.close(fig)
    # Equal in one variant of two: both bars' rows kept, that variant's says so in words.
    kept: list = []
    monkeypatch.setattr(plots.plt, "close", kept.append)
    same = _runs(R, {(1, 0): [82.2] * 20})
    same["fiscal_recap"] = same["fiscal_cost"].copy()
    plots.plot_banking_summaries({"a": summarise(same, [0, 1]), "b": summarise(z, [0, 1])},
                                 YEARS, tmp_path / "two.png", title="t")
    ax = kept[0].axes[3]
    assert len(ax.get_yticklabels()) == len(PAYERS)
    assert " = gross in every run, year and economy" in [t.get_text() for t in ax.texts]
    plt.close(kept[0])


def test_several_variants_write_their_runs_under_the_years_not_at_each_range(
        monkeypatch, tmp_path: Path) -> None:
    # docs/img/finance_crisis.png: three variants' k/n and "k/200: up to ..." written
    # upright at every year and variant (16 labels) were too dense to read.
    z = _runs(R, {(0, 0): [80.0] * 15, (1, 1): [2048.0] * 2, (2, 0): [60.0] * 30})
    w = _runs(R, {(0, 0): [70.0] * 5, (2, 0): [50.0] * 8})
    kept: list = []
    monkeypatch.setattr(plots.plt, "close", kept.append)
    plots.plot_banking_summaries({"a": summarise(z, [0, 1]), "b": summarise(w, [0, 1])},
                                 YEARS, tmp_path / "two.png", title="t")
    ax = kept[0].axes[1]
    texts = [t for t in ax.texts if t.get_text().strip()]
    assert not [t for t in texts if "/" in t.get_text()]  # no k/n at a range or cut
    # Under the years, a row per variant: its runs with a cost (counted here, apart).
    for colour, arr in (("C0", z), ("C1", w)):
        want = [str(int((arr["fiscal_cost"][:, t].sum(axis=1) > 0).sum())) for t in range(3)]
        assert [t.get_text() for t in texts if t.get_color() == colour] == want
    title = " ".join(ax.get_title().split())
    assert "under the years: runs of 40 with a cost, by colour" in title
    assert "arrow: off the scale, up to 2,048" in title  # the cut's value, once
    assert ax.get_ylim()[1] < 2048
    plt.close(kept[0])
