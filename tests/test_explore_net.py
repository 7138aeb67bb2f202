"""The explorer's welfare figures say what they measure, as ``scosim run``'s do.

A corridor run's answer and PNG give each economy's welfare net of what it pays for
corridors beside the gross change (open markers), and a scenario with shocks besides its
proposals has its welfare figures titled "the scenario against the baseline: its shocks
(...) and proposals together, not the proposals' own effect". The page showed the gross
bars only, under a title that did not say the Afghan instability was in them: for the
Trans-Afghan railway at instability 0.8 it read as the railway's effect.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("plotly", reason="the explorer needs the 'explore' extra")

from scosim.explore.session import View, run_view  # noqa: E402
from scosim.results import read_batches  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
HIGH = "scenarios/corridor_trans_afghan_high.yaml"
NET = "corridor_net_welfare_pct"
#: The CLI's scope line of this scenario (scosim.attribution.scenario_scope).
SCOPE = ("the scenario against the baseline: its shocks (route instability AFG 0.8) and "
         "proposals together, not the proposals' own effect")
NET_LABEL = "welfare change net of corridor payments and risk: median over runs"


def _plain(title: str) -> str:
    """A plotly title as words: its line breaks and superscripts taken out."""
    for tag in ("<sup>", "</sup>"):
        title = title.replace(tag, "")
    return " ".join(title.replace("<br>", " ").split())


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("net")
    shutil.copytree(REPO / "scenarios", work / "scenarios")
    return work


def test_who_gains_marks_the_net_and_says_the_shocks_are_in_it(work: Path) -> None:
    from scosim.explore.figures import who_gains_figure
    from scosim.explore.figures_paths import welfare_paths_figure
    from scosim.run_headline import headline_of_run

    page = run_view(View(str(work / HIGH), replications=3, out=str(work / "page")))
    fig = who_gains_figure(page)
    assert fig is not None
    bars = next(t for t in fig.data if t.type == "bar" and t.name == "median of runs")
    net = [t for t in fig.data if t.name == NET_LABEL]
    assert len(net) == 1 and net[0].marker.symbol == "circle-open"
    # The net's median over runs in the figure's year (the last), economy by economy: the
    # statistic of the bars and of the run's answer.
    ind = read_batches(page.path / "indicators")
    last = ind[(ind["indicator"] == NET) & (ind["year"] == ind["year"].max())]
    median = last.astype({"country": str}).groupby("country")["value"].median()
    assert list(net[0].y) == list(bars.y)
    np.testing.assert_allclose(np.asarray(net[0].x, float), median.reindex(bars.y).to_numpy(),
                               rtol=1e-12, atol=1e-15)
    afg = list(bars.y).index("AFG")
    assert net[0].x[afg] < bars.x[afg] - 0.05  # Afghanistan pays its share of the railway
    title = _plain(fig.layout.title.text)
    assert SCOPE in title and "open markers: net of what the bars do not count" in title
    # The same words as the run's answer, which scosim run prints.
    assert SCOPE in " ".join(headline_of_run(page.path).split())
    paths = welfare_paths_figure(page)
    assert paths is not None and SCOPE in _plain(paths.layout.title.text)


def test_no_scope_line_where_the_proposals_are_the_only_change(work: Path) -> None:
    """INSTC with no shock: the net markers, and no scope line (the bars are the corridor's)."""
    from scosim.explore.figures import who_gains_figure

    page = run_view(View(str(work / "scenarios/corridor_instc.yaml"), replications=2,
                         out=str(work / "page")))
    fig = who_gains_figure(page)
    assert fig is not None and [t.name for t in fig.data].count(NET_LABEL) == 1
    assert "against the baseline" not in fig.layout.title.text


def test_no_net_markers_without_a_corridor(work: Path) -> None:
    """The twin records the net (its welfare) but declares no net column: no markers."""
    from scosim.explore.figures import who_gains_figure

    twin = work / "scenarios/corridor_trans_afghan_high_no_rail.yaml"
    page = run_view(View(str(twin), replications=2, out=str(work / "page")))
    fig = who_gains_figure(page)
    assert fig is not None and NET_LABEL not in [t.name for t in fig.data]
    assert "open markers" not in fig.layout.title.text
    assert "its shocks (route instability AFG 0.8)" not in fig.layout.title.text  # no proposal


def test_page_shows_the_net_and_the_scope(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Streamlit script: the who-gains and paths charts on the page carry both."""
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.chdir(work)
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": HIGH, "scenarios_dir": "scenarios", "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=180).run()
    at.number_input(key="corridor_trans_afghan_high--replications").set_value(2).run()
    at.button(key="run").click().run()
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    gains = next(s for s in specs if s["layout"]["title"]["text"].startswith("Who gains"))
    assert NET_LABEL in [t.get("name") for t in gains["data"]]
    assert SCOPE in _plain(gains["layout"]["title"]["text"])
    paths = next(s for s in specs
                 if s["layout"]["title"]["text"].startswith("Welfare change over time"))
    assert SCOPE in _plain(paths["layout"]["title"]["text"])
