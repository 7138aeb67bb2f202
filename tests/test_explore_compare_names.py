"""The explorer names two runs of one scenario as ``scosim compare`` does.

Its comparison was headed "X minus Y" from the scenario names alone, so a policy edited on
the page and compared with another file of the same scenario name read "small_base minus
small_base" (an outside review, 2026-12-07); ``scosim compare`` labels each side by its
overrides (:func:`scosim.compare_names.side_names`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "src" / "scosim" / "explore" / "app.py"
#: Another file of the same scenario name: the page offers it as the baseline.
TWIN = "extends: small_base.yaml\nname: small_base\n"


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small four-year baseline and its twin in a scenarios/ folder, the working dir."""
    (tmp_path / "scenarios").mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "model" / "small_base.yaml",
                tmp_path / "scenarios")
    (tmp_path / "scenarios" / "twin.yaml").write_text(TWIN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": "scenarios/twin.yaml", "scenarios_dir": "scenarios", "out": "results"}))
    return tmp_path


def test_page_compare_of_one_scenario_names_each_side_by_its_edits(workdir: Path) -> None:
    testing = pytest.importorskip("streamlit.testing.v1")
    from scosim.compare_names import side_names

    at = testing.AppTest.from_file(str(APP), default_timeout=180).run()
    assert not at.exception
    at.number_input(key="twin--replications").set_value(2).run()
    at.number_input(key="twin--parameters.trade.sigma").set_value(4.5).run()
    at.selectbox(key="baseline").set_value("scenarios/small_base.yaml").run()
    at.button(key="compare").click().run()
    assert not at.exception
    heads = [h.value for h in at.subheader if h.value.startswith("Comparison:")]
    policy, baseline = "small_base (--set parameters.trade.sigma=4.5)", "small_base (as written)"
    assert heads == [f"Comparison: {policy} minus {baseline}"], heads
    # The labels scosim compare gives the same two runs (its terminal, report and figures).
    info = at.session_state["last_compare"]
    manifests = [json.loads((Path(info[w]) / "manifest.json").read_text())
                 for w in ("policy", "baseline")]
    assert side_names(*manifests) == (policy, baseline)
    # The report's folder tells the two apart too: each side tagged by its run id's hash.
    tags = [m["run_id"].split("-")[1] for m in manifests]
    assert Path(info["report"]).name.startswith(
        f"small_base-{tags[0]}_vs_small_base-{tags[1]}_"), info["report"]
