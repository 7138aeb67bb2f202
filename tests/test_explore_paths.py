"""The explorer shows welfare and GDP over time, as ``scosim run``'s paths PNGs do.

The page showed the last year only (who gains, who loses). In finance_crisis_union.yaml
the banking crisis hits in 2026 and Mongolia's loss (-0.32 % of real expenditure) is
gone by 2030 (+0.01 %): nothing on the page showed it, while ``welfare_paths.png`` does.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("plotly", reason="the explorer needs the 'explore' extra")

from scosim.explore.session import View, run_view  # noqa: E402
from scosim.results import read_batches  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FINANCE = "scenarios/finance_crisis_union.yaml"
RUNS = 3


@pytest.fixture(scope="module")
def finance(tmp_path_factory: pytest.TempPathFactory):
    """(page run, its indicators table, `scosim run`'s plots/ of the same run)."""
    from scosim.runner import run

    work = tmp_path_factory.mktemp("paths")
    shutil.copytree(REPO / "scenarios", work / "scenarios")
    path = str(work / FINANCE)
    page = run_view(View(path, replications=RUNS, out=str(work / "page")))
    cli = run(path, out=str(work / "cli"), progress=False, plots=True,
              overrides={"replications": RUNS})
    return page, read_batches(page.path / "indicators"), Path(cli.path) / "plots"


def _per_run(ind: pd.DataFrame, name: str) -> pd.DataFrame:
    """Rows (year, country), one column per run."""
    x = ind[ind["indicator"] == name].astype({"country": str})
    return x.pivot_table(index=["year", "country"], columns="run", values="value")


def _lines(fig) -> dict[str, tuple[list, np.ndarray]]:
    """Each economy's line (not its band): name -> (years, values)."""
    return {t.name: (list(t.x), np.asarray(t.y, dtype=float)) for t in fig.data
            if t.fill is None and t.name}


def test_welfare_paths_are_the_median_over_runs_of_the_most_affected(finance) -> None:
    from scosim.explore.figures_paths import welfare_paths_figure

    page, ind, plots = finance
    assert (plots / "welfare_paths.png").exists()
    fig = welfare_paths_figure(page)
    assert fig is not None
    runs = _per_run(ind, "welfare_change_pct")
    # The median, as the run's answer (a mean mixed runs before and after an exit).
    mean = runs.median(axis=1).unstack("country")
    # The eight economies with the largest median effect in any year, largest first.
    expected = list(mean.abs().max().sort_values(ascending=False, kind="stable").index[:8])
    from scosim.mechanism_answer import economy_label

    lines = {k.split(" ")[0]: v for k, v in _lines(fig).items()}
    assert list(_lines(fig)) == [economy_label(c) for c in expected]
    for code, (years, values) in lines.items():
        assert years == [int(y) for y in mean.index]
        np.testing.assert_allclose(values, mean[code].to_numpy(), atol=1e-9)
    # The band: 5th-95th percentile of the runs (exact at this size).
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(bands) == 8
    rus = bands[expected.index("RUS")]
    n = len(mean.index)
    q = runs.xs("RUS", level="country")
    np.testing.assert_allclose(rus.y[:n], q.quantile(0.95, axis=1).to_numpy(), atol=1e-9)
    np.testing.assert_allclose(rus.y[n:][::-1], q.quantile(0.05, axis=1).to_numpy(), atol=1e-9)
    # What the last year cannot show: an economy hit hard in one year and back by the end.
    last = mean.index.max()
    passed = [c for c in expected
              if abs(mean.loc[last, c]) < 0.1 * mean[c].abs().max() and mean[c].abs().max() > 0.1]
    assert passed, "the scenario no longer has a passing crisis loss"
    assert "median of 3 runs" in fig.layout.title.text
    assert "5th-95th percentile" in fig.layout.title.text
    assert "% of real expenditure" in fig.layout.yaxis.title.text


def test_gdp_paths_are_the_median_over_runs_in_us_bn(finance) -> None:
    from scosim.data.constants import MEMBERS
    from scosim.explore.figures_paths import gdp_paths_figure

    page, ind, plots = finance
    assert (plots / "gdp_paths.png").exists()
    fig = gdp_paths_figure(page)
    assert fig is not None
    median = _per_run(ind, "gdp_usd").median(axis=1).unstack("country") / 1e9
    lines = [t for t in fig.data if t.fill is None]
    assert [a.text for a in fig.layout.annotations] == list(MEMBERS)
    assert len(lines) == len(MEMBERS)
    for code, line in zip(MEMBERS, lines, strict=True):
        np.testing.assert_allclose(np.asarray(line.y, dtype=float), median[code].to_numpy(),
                                   rtol=1e-12)
    assert "US$ billion" in fig.layout.title.text and "median of 3 runs" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "US$ bn"


def test_no_welfare_paths_when_scosim_run_draws_none(tmp_path: Path) -> None:
    """The baseline moves no welfare: no figure of flat lines at zero (corridor_energy, the
    case until its deliveries were valued on 2026-12-06, now moves welfare)."""
    from scosim.explore.figures_paths import welfare_paths_figure
    from scosim.runner import run

    shutil.copytree(REPO / "scenarios", tmp_path / "scenarios")
    path = str(tmp_path / "scenarios" / "baseline.yaml")
    page = run_view(View(path, replications=2, out=str(tmp_path / "page")))
    cli = run(path, out=str(tmp_path / "cli"), progress=False, plots=True,
              overrides={"replications": 2})
    assert not (Path(cli.path) / "plots" / "welfare_paths.png").exists()
    assert welfare_paths_figure(page) is None


def test_page_shows_the_paths_of_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Streamlit script: after a run, both paths figures are on the page."""
    testing = pytest.importorskip("streamlit.testing.v1")
    shutil.copytree(REPO / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": FINANCE, "scenarios_dir": "scenarios", "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=180).run()
    at.number_input(key="finance_crisis_union--replications").set_value(2).run()
    at.button(key="run").click().run()
    assert not at.exception
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"]
              for c in at.get("plotly_chart")]
    assert any(t.startswith("Welfare change over time") for t in titles), titles
    assert any(t.startswith("Nominal GDP of each SCO member") for t in titles), titles
