"""Keys of the run figures say what their colours mean (legend entries and colour bars)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.colors as mcolors

from scosim import plots
from scosim.indicator_display import percent_of_runs
from scosim.plots import load_plot_data


def test_welfare_bars_have_one_key_per_colour(geometry_run: Path, tmp_path: Path,
                                              kept_figures: list) -> None:
    """The key shows a green "gain" and a red "loss" patch in the colours of the bars
    (a single patch took the colour of whichever bar came first)."""
    st = load_plot_data(geometry_run)
    plots.plot_welfare_final(st, "t", tmp_path / "w.png")
    ax = kept_figures[-1].axes[0]
    bar_colours = {mcolors.to_hex(p.get_facecolor()) for p in ax.patches}
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[:2] == ["median of runs: gain", "median of runs: loss"]
    keys = [mcolors.to_hex(h.get_facecolor()) for h in legend.legend_handles[:2]]
    assert keys == [mcolors.to_hex("C2"), mcolors.to_hex("C3")]
    assert bar_colours <= set(keys), "every bar's colour is in the key"
    assert len(bar_colours) == 2, "the fixture run has both gainers and losers"
    assert any("percentile" in t for t in texts[2:]), "the whisker entry is kept"


def test_membership_colour_bar_labels_every_bin_edge(geometry_run: Path, tmp_path: Path,
                                                     kept_figures: list) -> None:
    """The bin between none and 5 % of runs is labelled at both ends."""
    st = load_plot_data(geometry_run)
    plots.plot_membership(st, None, "t", tmp_path / "m.png")
    fig = kept_figures[-1]
    cbar_ax = next(a for a in fig.axes if a.get_ylabel() == "share of runs")
    labels = [t.get_text() for t in cbar_ax.get_yticklabels()]
    assert labels == ["0%", ">0%", "5%", "25%", "50%", "75%", "95%", "100%"]
    # The exit year is inside: the answer's "IRN 173 (2030-2035)" beside a 100 % in 2030.
    assert "outside from t+1" in fig.axes[0].get_title()


def test_welfare_labels_give_the_union_share_only_where_there_is_one(
        geometry_run: Path, tmp_path: Path, kept_figures: list) -> None:
    """An economy in a union in some runs reads "(in union 71.4%)", with the share the
    answer's table gives; an economy never in one carries its code and name alone (a
    "(0%)" on every outsider read like a share of runs with a gain)."""
    from scosim.mechanism_answer import economy_label
    from scosim.run_headline import headline_table

    st = load_plot_data(geometry_run)
    plots.plot_welfare_final(st, "t", tmp_path / "w.png")
    ax = kept_figures[-1].axes[0]
    labels = {t.get_text().split()[0]: t.get_text() for t in ax.get_yticklabels()}
    rows = headline_table(st)[0]
    inside = rows.index[rows["in_union"] > 0]
    assert len(inside) >= 2
    for code, text in labels.items():
        if code in inside:
            # Rounded as the answer's "in union" column (7 runs: one decimal).
            share = percent_of_runs(rows.loc[code, "in_union"], st.runs)
            assert text == f"{economy_label(code)}  (in union {share}%)"
        else:
            assert text == economy_label(code)
    assert "in union" in ax.get_ylabel()


def test_welfare_labels_say_nothing_of_unions_when_there_is_none(tmp_path: Path,
                                                                 kept_figures: list) -> None:
    """A corridor or security run records in_customs_union as 0 everywhere: the axis
    does not talk about customs unions."""
    import pandas as pd

    from scosim.runstats import RunStats

    ind = pd.DataFrame([(r, 2030, c, name, v) for r in range(3) for c in ("AFG", "UZB")
                        for name, v in (("welfare_change_pct", -0.2 if c == "AFG" else 0.1),
                                        ("in_customs_union", 0.0))],
                       columns=["run", "year", "country", "indicator", "value"])
    plots.plot_welfare_final(RunStats.from_frames(ind), "t", tmp_path / "w.png")
    ax = kept_figures[-1].axes[0]
    assert "union" not in ax.get_ylabel()
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["AFG Afghanistan",
                                                                    "UZB Uzbekistan"]


def test_no_blank_membership_figure_for_another_arrangement(tmp_path: Path, capsys) -> None:
    """A banking union adopted by every state leaves the customs-union timeline with
    nothing to draw: it is not drawn. A vote with votes against whose union forms still
    gets it (customs_union_shocks.yaml: Russia votes no, the willing form it); a union
    rejected in every run moves nobody's membership and gets none, its invitations
    included (customs_union_variable_geometry.yaml at 3 runs; the answer's "voted no"
    column gives the votes)."""
    from scosim.cli import main

    root = Path(__file__).resolve().parents[1] / "scenarios"
    assert main(["run", str(root / "finance_crisis_union.yaml"), "--out", str(tmp_path),
                 "--quiet", "--replications", "3", "--set", "years.end=2026"]) == 0
    drawn = next(tmp_path.glob("finance_crisis_union/*/plots"))
    assert (drawn / "vote_reasons.png").exists()
    assert not (drawn / "membership_timeline.png").exists()
    assert main(["run", str(root / "customs_union_shocks.yaml"), "--out",
                 str(tmp_path), "--quiet", "--replications", "3"]) == 0
    assert list(tmp_path.glob("customs_union_shocks/*/plots/membership_timeline.png"))
    assert main(["run", str(root / "customs_union_variable_geometry.yaml"), "--out",
                 str(tmp_path), "--quiet", "--replications", "3"]) == 0
    assert "rejected in every run" in capsys.readouterr().out
    assert not list(tmp_path.glob(
        "customs_union_variable_geometry/*/plots/membership_timeline.png"))


def test_membership_figure_without_any_union_says_so(tmp_path: Path, kept_figures: list) -> None:
    """States vote on a corridor and join it, and no union forms in any run: the left
    panel was an all-white customs-union map beside the votes, read as "a union was
    proposed and nobody joined". It now says no economy was in one (PNG and page), above
    the SCO's rows."""
    import shutil

    from scosim.explore.figures import membership_figures
    from scosim.result_tables import open_result
    from scosim.runner import run

    repo = Path(__file__).resolve().parents[1]
    shutil.copytree(repo / "scenarios", tmp_path / "scenarios")
    res = run(str(tmp_path / "scenarios" / "corridor_instc_transit_vote.yaml"),
              out=str(tmp_path / "out"), progress=False, plots=True,
              overrides={"replications": 2})
    png = Path(res.path) / "plots" / "membership_timeline.png"
    assert png.is_file()  # drawn: there are votes against and joins to show
    st = load_plot_data(res.path)
    plots.plot_membership(st, None, "t", tmp_path / "m.png")
    left = kept_figures[-1].axes[0]
    # Since 2026-12-06 the map has the SCO's rows (who is in the SCO) and no union row;
    # its title says no economy was in a customs union.
    rows = [t.get_text() for t in left.get_yticklabels()]
    assert rows and all(r.startswith("SCO: ") for r in rows)
    assert "no economy was in a customs union adopted in the run, in any run" in " ".join(
        left.get_title().split())
    heat, _ = membership_figures(open_result(res.path))
    assert list(heat.data[0].y) == rows
    assert "no economy was in a customs union" in heat.layout.title.text
    # As the PNG's title: a leaver is still inside in its year of exit.
    assert "inside in t and outside from t+1" in heat.layout.title.text
