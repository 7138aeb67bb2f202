"""The explorer's figures say what the PNGs of the same run say (defects found in an audit).

Each test runs a shipped scenario with a few replications and checks a figure of the
page against the PNG's own wording or data (:mod:`scosim.plot_votes`, :mod:`scosim.plots`).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("plotly", reason="the explorer needs the 'explore' extra")

from scosim.explore.figures import membership_figures, vote_reasons_figure  # noqa: E402
from scosim.explore.session import View, run_view  # noqa: E402
from scosim.indicator_display import percent_of_runs  # noqa: E402
from scosim.plot_votes import _vote_label, vote_reasons_data  # noqa: E402
from scosim.plots import NO_EVENTS, load_plot_data  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CU = "scenarios/customs_union.yaml"
#: Characters of one title line that fit over a half-page figure (two columns on the page).
HALF_PAGE_LINE = 90


@pytest.fixture(scope="module")
def cu_run(tmp_path_factory: pytest.TempPathFactory):
    """customs_union.yaml, 4 runs: every state's vote is committed by rule always_yes, and
    nobody leaves (``never_defect``; under the fitted threshold Iran leaves in most runs)."""
    work = tmp_path_factory.mktemp("cu")
    shutil.copytree(REPO / "scenarios", work / "scenarios")
    return run_view(View(str(work / CU), overrides={"parameters.rules.defect": "never_defect"},
                         replications=4, out=str(work / "results")))


def _plain(text: str) -> list[str]:
    """Lines of a plotly title without its markup."""
    return [re.sub(r"<[^>]+>", "", line) for line in re.split(r"<br>", text)]


def test_vote_figure_says_who_decided_the_vote_as_the_png_does(cu_run) -> None:
    """A committed vote is labelled so: a negative score with 100 % yes is not a puzzle."""
    fig = vote_reasons_figure(cu_run)
    data = vote_reasons_data(load_plot_data(cu_run.path))
    assert data is not None and fig is not None
    expected = {s: _vote_label(float(data.yes_share[s]), data.rules[s], bool(data.sponsor[s]),
                               data.n_runs)
                for s in data.contributions.index}
    # Every state votes always_yes in this scenario; some have negative scores.
    assert (data.contributions.sum(axis=1) < 0).any()
    assert all("committed by rule always_yes" in v for v in expected.values())
    shown = {a.y: a.text for a in fig.layout.annotations}
    assert shown == expected
    # The score's 5th-95th percentile over runs, as the PNG's whisker.
    score = fig.data[-1]
    total = data.contributions.sum(axis=1)
    for k, s in enumerate(score.y):
        assert score.x[k] + score.error_x.array[k] == pytest.approx(
            max(float(data.score_high[s]), float(total[s])))
        assert score.x[k] - score.error_x.arrayminus[k] == pytest.approx(
            min(float(data.score_low[s]), float(total[s])))
    # Every vote committed: titled as the PNG, what the scores would have said.
    assert fig.layout.title.text.startswith("How each state would have scored 'sco_cu'")
    assert "scores not used" in fig.layout.title.text
    assert "had a state voted on its score, it would have said yes" in fig.layout.title.text


def test_membership_titles_fit_their_half_of_the_page(cu_run) -> None:
    """Both figures sit side by side: a title line longer than that was cut off."""
    heat, bars = membership_figures(cu_run)
    for fig in (heat, bars):
        lines = _plain(fig.layout.title.text)
        assert max(len(line) for line in lines) <= HALF_PAGE_LINE, lines
    assert "adopted in the run" in heat.layout.title.text


@pytest.fixture(scope="module")
def quiet_run(tmp_path_factory: pytest.TempPathFactory):
    """customs_union.yaml without the EAEU (no bloc invited), nobody leaving, 2 runs."""
    work = tmp_path_factory.mktemp("quiet")
    shutil.copytree(REPO / "scenarios", work / "scenarios")
    return run_view(View(str(work / CU), overrides={
        "parameters.rules.defect": "never_defect",
        "proposals[0].participants": ["CHN", "IND", "PAK", "IRN", "TJK", "UZB"]},
        replications=2, out=str(work / "results")))


def test_empty_events_panel_says_so_instead_of_drawing_empty_axes(quiet_run) -> None:
    """No state voted against, left or came in with a bloc in any run: the panel says it
    in words, as the PNG."""
    _, bars = membership_figures(quiet_run)
    assert len(bars.data) == 0
    text = " ".join(_plain(" ".join(a.text for a in bars.layout.annotations)))
    assert " ".join(text.split()) == NO_EVENTS.capitalize()
    assert bars.layout.xaxis.visible is False and bars.layout.yaxis.visible is False


@pytest.fixture(scope="module")
def page_and_cli(tmp_path_factory: pytest.TempPathFactory):
    """(page run, `scosim run` directory with its PNGs) of three scenarios, 3 runs each."""
    from scosim.runner import run

    work = tmp_path_factory.mktemp("pair")
    shutil.copytree(REPO / "scenarios", work / "scenarios")
    out = {}
    for scenario in ("baseline", "corridor_energy", "customs_union"):
        path = str(work / "scenarios" / f"{scenario}.yaml")
        page = run_view(View(path, replications=3, out=str(work / "page")))
        cli = run(path, out=str(work / "cli"), progress=False, plots=True,
                  overrides={"replications": 3})
        out[scenario] = (page, Path(cli.path) / "plots")
    return out


@pytest.mark.parametrize("scenario", ["baseline", "corridor_energy", "customs_union"])
def test_membership_figure_is_drawn_when_scosim_run_draws_it(scenario: str, page_and_cli) -> None:
    """A baseline or a corridor has no union to show: the page drew a blank heatmap of it.

    The reference is the PNG `scosim run` writes (plots/membership_timeline.png) for the
    same scenario, seed and replications.
    """
    page, plots = page_and_cli[scenario]
    png = (plots / "membership_timeline.png").exists()
    assert (membership_figures(page) is not None) == png
    assert png == (scenario == "customs_union")


@pytest.mark.parametrize("scenario", ["baseline", "corridor_energy", "customs_union"])
def test_who_gains_figure_is_drawn_when_scosim_run_draws_it(scenario: str, page_and_cli) -> None:
    """The baseline moves no welfare: the page once drew 28 zero bars (for corridor_energy,
    whose deliveries were worth nothing until 2026-12-06: network.energy_value)."""
    from scosim.explore.figures import who_gains_figure

    page, plots = page_and_cli[scenario]
    png = (plots / "welfare_final_year.png").exists()
    assert (who_gains_figure(page) is not None) == png
    assert png == (scenario != "baseline")


def test_who_gains_labels_say_the_share_of_runs_in_the_union_as_the_png(
    page_and_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """customs_union, 3 runs: Iran is in the union in 1 of 3 in the last year. The PNG
    labels its bar "IRN  (in union 33.3%)"; the page showed a bare "IRN" bar, read as a
    member's loss. The page's labels and axis title are now the PNG's, bar for bar."""
    from matplotlib.figure import Figure

    from scosim.explore.figures import who_gains_figure
    from scosim.plots import plot_welfare_final, who_gains_data

    page, _ = page_and_cli["customs_union"]
    st = load_plot_data(page.path)
    table = who_gains_data(st)[0]
    share = table.loc["IRN", "in_union"]
    assert 0 < share < 1  # the case of the review: in the union in some runs only
    png: dict[str, object] = {}
    save = Figure.savefig

    def keep_labels(fig: Figure, *args, **kwargs):
        ax = fig.axes[0]
        png["labels"] = [t.get_text() for t in ax.get_yticklabels()]
        png["axis"] = ax.get_ylabel()
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep_labels)
    plot_welfare_final(st, "customs_union", page.path / "welfare_final_year.png")
    fig = who_gains_figure(page)
    axis = fig.layout.yaxis
    # Bar k of the page is bar k of the PNG (the PNG draws the table's order bottom up).
    assert list(axis.tickvals) == list(fig.data[0].y) == list(table.index)
    assert list(axis.ticktext) == png["labels"]
    assert f"IRN Iran  (in union {percent_of_runs(share, st.runs)}%)" in png["labels"]  # 33.3
    assert " ".join(_plain(axis.title.text)) == png["axis"]
    # Hovering a bar names the share too (with the bar's 5th-95th percentile).
    (irn,) = [d for d in fig.data[0].customdata if d[0].startswith("IRN")]
    assert "in union" in irn[0]


def test_a_title_of_several_lines_gets_the_room_above_the_plot(cu_run) -> None:
    """The events panel's title and note take five lines; the top margin grows with them."""
    from scosim.explore.figures import _layout

    go = pytest.importorskip("plotly.graph_objects")
    one = _layout(go.Figure(), "one line", 400)
    five = _layout(go.Figure(), "<br>".join(["a line"] * 5), 400)
    assert one.layout.margin.t == 80
    # About 22 px a line at these font sizes, plus the modebar above the title.
    assert five.layout.margin.t >= 30 + 22 * 5
    assert five.layout.height > one.layout.height


def test_compare_figure_names_the_indicator_and_units_as_scosim_compare(tmp_path: Path) -> None:
    """The page's axis said 'welfare_change_pct ... (percentage points)': points of what?

    The reference is ``scosim compare``'s PNG label, built from the units the model declares
    for the indicator (:func:`scosim.indicator_display.display`); US$ indicators in bn.
    """
    from scosim.api import UNITS
    from scosim.compare import compare_results
    from scosim.explore.figures_compare import compare_figure
    from scosim.indicator_display import display, resolve_units

    shutil.copytree(REPO / "scenarios", tmp_path / "scenarios")
    out = str(tmp_path / "results")
    pol = run_view(View(str(tmp_path / CU), replications=3, out=out))
    base = run_view(View(str(tmp_path / "scenarios/baseline.yaml"), replications=3, out=out))
    comp = compare_results(pol.path, base.path)
    for indicator in ("welfare_change_pct", "ev_usd"):
        name, units, div = display(indicator, resolve_units([indicator], UNITS)[indicator])
        assert units  # the model declares both
        fig = compare_figure(comp, indicator)
        axis = " ".join(_plain(fig.layout.xaxis.title.text))
        assert axis == f"{name}, policy minus baseline: {units}"
        t = comp.table()
        t = t[t["indicator"] == indicator].sort_values("mean", kind="stable")
        assert list(fig.data[0].x) == pytest.approx(list(t["mean"] / div))
    assert "of the year's baseline real expenditure" in " ".join(
        _plain(compare_figure(comp).layout.xaxis.title.text))
    keys = {t.name for t in compare_figure(comp).data if t.showlegend is not False}
    # As the PNG keys a welfare indicator (bars coloured by the median run, not the mean).
    assert keys == {"gain", "loss"}


def test_compare_says_when_edits_apply_to_the_policy_only(tmp_path: Path, monkeypatch) -> None:
    """sigma edited on the page reaches the policy run, not the baseline (its command has no
    --set): the page said nothing, and the difference looked like the policy's alone."""
    import json

    testing = pytest.importorskip("streamlit.testing.v1")
    shutil.copytree(REPO / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": CU, "scenarios_dir": "scenarios", "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=180).run()
    at.number_input(key="customs_union--replications").set_value(2).run()
    at.button(key="compare").click().run()
    assert not at.exception
    assert not any("apply to the policy run only" in w.value for w in at.warning)
    at.number_input(key="customs_union--parameters.trade.sigma").set_value(4.0).run()
    at.button(key="compare").click().run()
    assert not at.exception
    (note,) = [w.value for w in at.warning if "apply to the policy run only" in w.value]
    assert "parameters.trade.sigma" in note and "scenarios/baseline.yaml" in note
    base_cmd = next(c.value for c in at.code if c.value.count("\n") == 2).splitlines()[1]
    assert "--set" not in base_cmd  # what the note says


@pytest.mark.parametrize("end", [2032, 2035])
def test_who_gains_figure_carries_the_pngs_adjustment_caveat(end: int, tmp_path: Path) -> None:
    """In 2032 trade still adjusts: the PNG says so under the bars, and now the page too."""
    from scosim.explore.figures import who_gains_figure
    from scosim.plots import who_gains_data, year_adjustment_note

    work = tmp_path / "w"
    shutil.copytree(REPO / "scenarios", work / "scenarios")
    page = run_view(View(str(work / CU), overrides={"years.end": end}, replications=2,
                         out=str(work / "results")))
    st = load_plot_data(page.path)
    note = year_adjustment_note(st, who_gains_data(st)[1])
    fig = who_gains_figure(page)
    shown = [a.text for a in fig.layout.annotations]
    if end == 2032:
        assert note is not None and f"<i>{note}</i>" in shown
    else:
        assert note is None and not any("adjusts" in t for t in shown)


def test_a_long_welfare_axis_title_is_wrapped(tmp_path: Path, monkeypatch) -> None:
    """afghan_corridor_rats' baseline wording ran off both sides of the who-gains plot."""
    import scosim.mechanism_answer as answer
    from scosim.explore.figures import welfare_axis

    long = ("without the policy, the trade costs of insecurity above its 2018-2022 level or "
            "the transport network's changes (corridors, route insecurity, sanctions and "
            "closures)")
    monkeypatch.setattr(answer, "run_welfare_versus", lambda path: long)

    class Run:
        path = tmp_path

    lines = welfare_axis(Run()).split("<br>")
    assert len(lines) > 2 and max(len(line) for line in lines) <= 70
    assert " ".join(lines) == f"welfare change vs the same year {long}, % of real expenditure"
