"""The explorer's compare bars mark what the PNG of the same comparison marks.

``scosim compare``'s PNG bar chart draws, for each economy, the mean paired difference
coloured by the median run's sign, a diamond at the median run, the share of runs above
zero, and hatches a bar whose mean and median differ in sign. The page's plotly version
drew means only, coloured by the mean: KAZ in the skewed pair below (4 of 21 runs jump by
+30) was a green gain on the page and a red hatched loss in the PNG. The medians are
checked against numpy's median of differences paired here from the two input tables, the
hatched set and the words against the PNG drawn from the same comparison.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("plotly")

from scosim.compare import compare, compare_results
from scosim.compare_bars import ZERO_COLOUR
from scosim.compare_plots import plot_final_year
from scosim.compare_terminal import summary_table
from scosim.explore.figures_compare import HEX, PATTERN, compare_figure
from test_compare import write_run  # tests/ is on sys.path
from test_compare_median import _numpy_medians, _skewed_pair

WELFARE = "welfare_change_pct"
UNIT = "percentage points of the year's baseline real expenditure"


def _plain(html: str) -> str:
    """Text of a plotly label without its tags and line breaks, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(scope="module")
def skewed(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("skewed")
    pol, base = _skewed_pair()
    comp = compare_results(write_run(tmp / "p", pol, scenario="pol", seed=7),
                           write_run(tmp / "b", base, scenario="base", seed=7))
    return comp, pol, base


@pytest.fixture(scope="module")
def png(skewed):
    """The PNG's bars of the same comparison: label -> (hatched, colour), and its texts."""
    comp = skewed[0]
    fig = plot_final_year(comp.summary, WELFARE, units=UNIT, scenarios=("pol", "base"),
                          seed=7)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    bars = {k: (bool(p.get_hatch()), mcolors.to_hex(p.get_facecolor()))
            for k, p in zip(labels, ax.patches, strict=False)}
    out = {"bars": bars, "title": " ".join(ax.get_title().split()),
           "shares": [t.get_text() for t in ax.texts],
           "bold": [t.get_fontweight() == "bold" for t in ax.texts],
           "key": [t.get_text() for t in fig.legends[0].get_texts()],
           "notes": [" ".join(t.get_text().split()) for t in fig.texts]}
    plt.close(fig)
    return out


def _traces(fig) -> dict[str, object]:
    return {t.name: t for t in fig.data}


def test_the_diamonds_are_numpy_s_median_of_the_paired_differences(skewed) -> None:
    comp, pol, base = skewed
    fig = compare_figure(comp)
    year = int(comp.summary["year"].max())
    want = _numpy_medians(pol, base, year)
    diamonds = _traces(fig)["median"]
    assert diamonds.marker.symbol == "diamond" and diamonds.marker.color == "white"
    got = {y.split(" ")[0]: x for x, y in zip(diamonds.x, diamonds.y, strict=True)}
    assert got == pytest.approx(want, abs=1e-12)
    # Each diamond on its own bar; KAZ's mean is above zero, its median run below.
    bars = _traces(fig)["mean"]
    assert list(bars.y) == list(diamonds.y)
    kaz = list(bars.y).index(next(y for y in bars.y if y.startswith("KAZ")))
    assert bars.x[kaz] > 0 > diamonds.x[kaz]


def test_hatched_bars_and_colours_are_the_png_s(skewed, png) -> None:
    fig = compare_figure(skewed[0])
    bars = _traces(fig)["mean"]
    hatched = {y for y, s in zip(bars.y, bars.marker.pattern.shape, strict=True) if s == PATTERN}
    assert hatched == {k for k, (h, _) in png["bars"].items() if h}
    assert {h.split(" ")[0] for h in hatched} == {"KAZ"}  # mean > 0 > median (numpy's, above)
    # Same colour per bar: KAZ red (its median run loses), not green as its mean said.
    colours = dict(zip(bars.y, bars.marker.color, strict=True))
    assert colours == {k: c for k, (_, c) in png["bars"].items()}
    # The hex of each PNG colour is matplotlib's, grey included.
    assert all(mcolors.to_hex(k) == v for k, v in HEX.items())


def test_hover_gives_mean_median_and_the_table_s_share(skewed) -> None:
    comp, pol, base = skewed
    fig = compare_figure(comp)
    bars = _traces(fig)["mean"]
    hover = bars.hovertemplate
    assert "mean %{x:.4f}" in hover and "median %{customdata[2]}" in hover
    assert "share of runs above 0: %{customdata[3]}" in hover
    assert "90 % CI of the mean (t)" in hover
    want = _numpy_medians(pol, base, int(comp.summary["year"].max()))
    table = summary_table(comp.table()).frame().set_index("country")
    for y, (_, _, median, share) in zip(bars.y, bars.customdata, strict=True):
        country = y.split(" ")[0]
        assert float(median) == pytest.approx(want[country], abs=1e-4)
        assert share == table.loc[country, "share > 0"]


def test_caption_key_shares_and_note_read_as_the_png(skewed, png) -> None:
    fig = compare_figure(skewed[0])
    caption = _plain(fig.layout.title.text).split(" in 2028 ", 1)[1]
    assert caption.startswith("bars: mean of 21 paired runs (seed 7), coloured by the median's "
                              "sign")
    assert caption in png["title"] and "\u25c7: median (the middle run of 21);" in caption
    keys = [t.name for t in fig.data if t.showlegend is not False]
    assert keys == png["key"] == ["gain", "loss"]
    notes = [_plain(a.text) for a in fig.layout.annotations if a.yref == "paper"]
    assert notes == png["notes"] and notes[0].startswith("Hatched: ")
    # The shares at the right: the PNG's, bottom bar first, bold where hatched.
    shares = [a for a in fig.layout.annotations if a.yref == "y"]
    assert [_plain(a.text) for a in shares] == png["shares"]
    assert [a.text.startswith("<b>") for a in shares] == png["bold"]


def test_the_figure_dict_carries_the_marks(skewed) -> None:
    """What the browser is sent: plotly's JSON, validated by plotly on the way."""
    import json

    import plotly.io as pio

    sent = json.loads(pio.to_json(compare_figure(skewed[0])))
    bars = next(t for t in sent["data"] if t.get("name") == "mean")
    assert sorted(bars["marker"]["pattern"]["shape"]) == ["", "", "", PATTERN]
    assert any(t.get("marker", {}).get("symbol") == "diamond" for t in sent["data"])


def test_a_median_run_of_zero_is_grey_keyed_and_hatched_as_in_the_png() -> None:
    """KAZ's union membership changes in 2 of 9 runs: mean above 0, median run 0."""
    def tidy(values, country):
        return pd.DataFrame({"run": np.arange(9), "year": 2030, "country": country,
                             "indicator": WELFARE, "value": np.asarray(values, float)})

    rng = np.random.default_rng(5)
    base = pd.concat([tidy(np.zeros(9), "KAZ"), tidy(np.zeros(9), "UZB")])
    pol = pd.concat([tidy([0, 0, 0, 0.8, 0, 0, 0.5, 0, 0], "KAZ"),
                     tidy(rng.normal(-0.4, 0.05, 9), "UZB")])
    comp = compare(pol, base)
    fig = compare_figure(comp)
    bars = _traces(fig)["mean"]
    kaz = [y.startswith("KAZ") for y in bars.y].index(True)
    assert bars.marker.color[kaz] == HEX[ZERO_COLOUR]
    assert bars.marker.pattern.shape[kaz] == PATTERN
    assert _traces(fig)["median"].x[kaz] == 0.0
    keys = [t.name for t in fig.data if t.showlegend is not False]
    png = plot_final_year(comp.summary, WELFARE)
    try:
        assert keys == [t.get_text() for t in png.legends[0].get_texts()]
        assert keys[-1] == "median: no change"
    finally:
        plt.close(png)


def test_a_summary_without_a_median_draws_means_as_before(skewed) -> None:
    """A comparison read from an older report: coloured by the mean, no diamond, no hatch."""
    import dataclasses

    comp = skewed[0]
    old = dataclasses.replace(comp, summary=comp.summary.drop(columns="median"),
                              diffs=None)
    fig = compare_figure(old)
    assert "median" not in _traces(fig)
    bars = _traces(fig)["mean"]
    assert set(bars.marker.pattern.shape) == {""}
    assert [c == HEX["tab:green"] for c in bars.marker.color] == [x >= 0 for x in bars.x]
    assert "\u25c7" not in fig.layout.title.text
    assert not [a for a in fig.layout.annotations if a.yref == "paper"]
    assert [m for _, _, m, _ in bars.customdata] == ["n/a"] * len(bars.y)



def test_the_figure_shows_the_report_s_year_as_its_png_and_table(skewed) -> None:
    """``scosim compare`` may report an earlier year than the last (the effect gone by
    then); the page's figure drew the last year whatever the table beside it said."""
    import dataclasses

    comp, pol, base = skewed
    chosen = dataclasses.replace(comp, report_year=2026, diffs=None)
    fig = compare_figure(chosen)
    assert "in 2026" in fig.layout.title.text
    diamonds = _traces(fig)["median"]
    got = {y.split(" ")[0]: x for x, y in zip(diamonds.x, diamonds.y, strict=True)}
    assert got == pytest.approx(_numpy_medians(pol, base, 2026), abs=1e-12)


def test_the_page_draws_the_year_its_table_gives(tmp_path, monkeypatch) -> None:
    """The page re-reads the comparison without its report year: it must carry it over."""
    import json
    import shutil

    import scosim.compare

    testing = pytest.importorskip("streamlit.testing.v1")
    repo = Path(__file__).resolve().parents[1]
    (tmp_path / "scenarios").mkdir()
    shutil.copy(repo / "tests/fixtures/model/small_base.yaml", tmp_path / "scenarios")
    # The policy: another file of the scenario (the page does not compare a file with itself).
    (tmp_path / "scenarios/twin.yaml").write_text("extends: small_base.yaml\nname: small_base\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": "scenarios/twin.yaml", "scenarios_dir": "scenarios", "out": "results"}))
    # As when the effect is gone by the last year: scosim compare reports an earlier one.
    monkeypatch.setattr(scosim.compare, "largest_effect_year",
                        lambda summary, indicator: (2026, "the effect is gone by 2028"))
    at = testing.AppTest.from_file(str(repo / "src/scosim/explore/app.py"),
                                   default_timeout=180).run()
    at.number_input(key="twin--replications").set_value(2).run()
    at.number_input(key="twin--parameters.trade.sigma").set_value(4.5).run()
    at.selectbox(key="baseline").set_value("scenarios/small_base.yaml").run()
    at.button(key="compare").click().run()
    assert not at.exception
    info = at.session_state["last_compare"]
    assert info["year"] == 2026 and "2026: the effect is gone" in " ".join(info["table"].title)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"]
              for c in at.get("plotly_chart")]
    drawn = [t for t in titles if t.startswith("Who gains, who loses against the baseline")]
    assert len(drawn) == 1 and re.match(r"[^<]* in 2026\b", drawn[0]), titles


def test_page_and_png_draw_the_same_economies_leaving_out_the_unchanged(monkeypatch) -> None:
    """TJK's policy values are its baseline's in every run: no bar in either figure, named
    in the note of both. The page drew it as an empty bar while the PNG left it out."""
    import scosim.compare_bars as bars_module

    def tidy(values, country):
        return pd.DataFrame({"run": np.arange(8), "year": 2030, "country": country,
                             "indicator": WELFARE, "value": np.asarray(values, float)})

    rng = np.random.default_rng(11)
    same = rng.normal(1.0, 0.2, 8)
    base = pd.concat([tidy(np.zeros(8), "KAZ"), tidy(np.zeros(8), "UZB"), tidy(same, "TJK")])
    pol = pd.concat([tidy(rng.normal(0.3, 0.1, 8), "KAZ"), tidy(rng.normal(-0.2, 0.1, 8), "UZB"),
                     tidy(same, "TJK")])
    calls = []
    shared = bars_module.drawn_bars
    monkeypatch.setattr(bars_module, "drawn_bars",
                        lambda rows: calls.append(len(rows)) or shared(rows))
    comp = compare(pol, base)
    page = compare_figure(comp)
    png = plot_final_year(comp.summary, WELFARE)
    try:
        ticks = [t.get_text() for t in png.axes[0].get_yticklabels()]
        texts = [" ".join(t.get_text().split()) for t in png.texts]
    finally:
        plt.close(png)
    drawn = list(_traces(page)["mean"].y)
    assert drawn == ticks  # the same bars, bottom first
    assert [y.split(" ")[0] for y in drawn] == ["UZB", "KAZ"]
    notes = [_plain(a.text) for a in page.layout.annotations if a.yref == "paper"]
    assert notes == texts
    assert notes[0].startswith("Not shown, no difference in any of the 8 paired runs in 2030: TJK")
    assert calls == [3, 3]  # one rule: each figure asked it, with all three economies


def test_no_bar_to_draw_the_page_says_what_the_png_says() -> None:
    """Every economy unchanged: neither figure draws a bar; both say so in one sentence."""
    runs = pd.concat([pd.DataFrame({"run": np.arange(4), "year": 2030, "country": c,
                                    "indicator": WELFARE, "value": np.arange(4.0)})
                      for c in ("KAZ", "UZB")])
    comp = compare(runs, runs.copy())
    page = compare_figure(comp)
    png = plot_final_year(comp.summary, WELFARE)
    try:
        said = [" ".join(t.get_text().split()) for t in png.axes[0].texts]
    finally:
        plt.close(png)
    assert "mean" not in _traces(page)
    assert [_plain(a.text) for a in page.layout.annotations] == said
    assert said[0].startswith("No difference in any of the 4 paired runs in 2030, for any")
    assert "the policy changed nothing" in page.layout.title.text
