"""One statistic in a run's answer, a leaver's welfare while a member, and the spread of runs.

A reviewer reading ``scosim run scenarios/customs_union.yaml`` found the welfare table in
means after exits (Iran -0.13 %, a smaller loser than Kazakhstan) beside bloc totals in
medians, with ``scosim compare``'s mean world gain (+4.6) against the answer's median
(+3.8), and a "left" column of exits a run in a table of percentages.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.member_welfare import member_welfare_rows, while_name
from scosim.plots import load_plot_data, who_gains_data
from scosim.run_headline import headline_table, headline_text
from scosim.runner import run
from scosim.runstats import RunStats

ROOT = Path(__file__).resolve().parents[1]
YEARS = range(2030, 2036)


def _leavers() -> RunStats:
    """Six runs of 2030-2035. IRN is in the union until its year of exit (inside in it),
    with a welfare that falls a little each year inside and is small after it; CHN stays
    in every run; MNG is never in. Run 5: IRN never leaves."""
    exit_year = {0: 2031, 1: 2032, 2: 2032, 3: 2033, 4: 2034}
    rows, events = [], []
    for r in range(6):
        out = exit_year.get(r, 9999)
        for t in YEARS:
            inside = t <= out
            irn = -0.5 - 0.03 * (t - 2030) - 0.01 * r if inside else -0.05 - 0.01 * r
            for c, w, cu in (("IRN", irn, inside), ("CHN", 0.2 + 0.01 * r, True),
                             ("MNG", -0.1 - 0.01 * r, False)):
                rows += [(r, t, c, "welfare_change_pct", w), (r, t, c, "member", 1.0),
                         (r, t, c, "in_customs_union", float(cu))]
        events += [(r, 2026, "vote", c, "cu", True) for c in ("CHN", "IRN")]
        if r in exit_year:
            events.append((r, out, "defection", "IRN", "cu", None))
    return RunStats.from_frames(
        pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"]),
        pd.DataFrame(events, columns=["run", "year", "type", "country", "proposal", "yes"]))


def test_while_in_the_union_is_a_leavers_welfare_in_its_last_year_inside() -> None:
    """IRN's "while in union" is the median, over runs, of its welfare in its year of exit
    (2035 in the run where it stayed), computed here afresh; the first column is its
    median in 2035, after most runs' exits. A state that stayed has its own figure; one
    never in the union none."""
    st = _leavers()
    rows, _, year, _, n_runs = headline_table(st)
    assert year == 2035 and n_runs == 6
    last_inside = [-0.5 - 0.03 * (out - 2030) - 0.01 * r
                   for r, out in enumerate((2031, 2032, 2032, 2033, 2034, 2035))]
    assert rows.loc["IRN", "while"] == pytest.approx(np.median(last_inside))
    after = [-0.05 - 0.01 * r for r in range(5)] + [-0.5 - 0.15 - 0.05]
    assert rows.loc["IRN", "median"] == pytest.approx(np.median(after))
    assert rows.loc["CHN", "while"] == pytest.approx(rows.loc["CHN", "median"])
    text = headline_text(st, "t")
    lines = text.splitlines()
    i = next(i for i, line in enumerate(lines) if line.lstrip().startswith("economy  "))
    # Its heading, on two lines where the table would not fit 80 columns on one: "while"
    # above "in union", ending in the same column.
    top, head = lines[i - 1], lines[i]
    assert "while in union" in head or (
        top.split() == ["while"] and head[:len(top)].endswith("in union")), (top, head)
    irn = next(line for line in text.splitlines() if line.startswith("  IRN"))
    # The member's loss stands beside the figure after its exit.
    assert f"{rows.loc['IRN', 'while']:+.2f}" in irn and f"{rows.loc['IRN', 'median']:+.2f}" in irn
    assert "while in union: median welfare change in the last year, up to 2035" in " ".join(
        text.split())


def test_the_derived_rows_carry_forward_only_within_a_run_and_economy() -> None:
    """A run that left keeps its last year inside; the next run's years are its own."""
    df = pd.DataFrame(
        [(0, 2030, "IRN", "welfare_change_pct", -0.6), (0, 2030, "IRN", "in_customs_union", 1),
         (0, 2031, "IRN", "welfare_change_pct", -0.1), (0, 2031, "IRN", "in_customs_union", 0),
         (1, 2030, "IRN", "welfare_change_pct", -0.2), (1, 2030, "IRN", "in_customs_union", 0),
         (1, 2031, "IRN", "welfare_change_pct", -0.7), (1, 2031, "IRN", "in_customs_union", 1)],
        columns=["run", "year", "country", "indicator", "value"])
    got = member_welfare_rows(df, ["in_customs_union"])
    assert set(got["indicator"]) == {while_name("in_customs_union")}
    assert [tuple(r) for r in got[["run", "year", "value"]].itertuples(index=False)] == [
        (0, 2030, -0.6), (0, 2031, -0.6), (1, 2031, -0.7)]  # run 1 was not in it in 2030


@pytest.fixture(scope="module")
def union_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """customs_union.yaml, 6 runs, with plots (summary.txt, summary.csv)."""
    res = run(ROOT / "scenarios" / "customs_union.yaml", replications=6,
              out=tmp_path_factory.mktemp("cu"), progress=False)
    return Path(res.path)


def test_the_answer_states_one_statistic_and_prints_summary_csvs_medians(union_run: Path) -> None:
    """Every member's figure is the median of summary.csv's runs, as the bloc totals; the
    heading says so once; the figure's bars are the same medians."""
    text = (union_run / "summary.txt").read_text()
    flat = " ".join(text.split())
    assert flat.count("the median over all 6 runs") == 1
    assert "mean (not the median)" not in flat
    assert "here and in the bloc totals below" in flat
    csv = pd.read_csv(union_run / "summary.csv")
    st = load_plot_data(union_run)
    table, year, _, _ = who_gains_data(st)
    w = csv[(csv["indicator"] == "welfare_change_pct") & (csv["year"] == year)].set_index(
        "country")
    # The table's row of each economy: its first line (a wrapped later line, e.g. the CET
    # line's "  CHN 2.18 -> 3.89 %", can also start with a code).
    lines: dict[str, str] = {}
    for line in text.splitlines():
        if line[:2] == "  ":
            lines.setdefault(line[2:5], line)
    for code in ("CHN", "IND", "KAZ", "IRN"):
        median = w.loc[code, "median"]
        assert table.loc[code, "median"] == pytest.approx(median, rel=1e-5)
        cells = lines[code].split()
        # code, name words, then the median: the first signed number on the line.
        first = next(c for c in cells if c[0] in "+-" and c[1:2].isdigit())
        assert first == f"{median:+.2f}", code
        if not math.isclose(w.loc[code, "mean"], median, abs_tol=0.006):
            assert first != f"{w.loc[code, 'mean']:+.2f}"
    # The bloc totals' line says median too: one statistic throughout.
    assert "median over 6 runs" in flat
    # The figure's bars: its subtitle names the median.
    assert (union_run / "plots" / "welfare_final_year.png").exists()


def test_the_figure_draws_the_tables_medians() -> None:
    """plots/welfare_final_year.png: bars at the medians the table prints, its title saying so."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scosim.plots import plot_welfare_final

    st = _leavers()
    captured = {}
    real = plt.Figure.savefig

    def keep(fig, *a, **k):  # noqa: ANN001, ANN002, ANN003
        captured["fig"] = fig

    plt.Figure.savefig = keep
    try:
        plot_welfare_final(st, "t", Path("unused.png"))
    finally:
        plt.Figure.savefig = real
    ax = captured["fig"].axes[0]
    table = who_gains_data(st)[0]
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == pytest.approx(sorted(table["median"]))
    assert "bars: median of 6 runs" in ax.get_title()
    assert any("while in union" in t.get_text() for t in ax.get_legend().get_texts())
