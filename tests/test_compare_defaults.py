"""What `scosim compare` reports when no --indicator is given.

The trade and welfare indicators, then what the runs' mechanisms and proposal types
name for a comparison (``Mechanism.compared``, else their ``headline``): a RATS upgrade
compared with the same instability without it is about incidents, seizures and
spending, which the default comparison left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from scosim.api import REPORT_INDICATORS, compare_runs
from scosim.cli import main
from scosim.mechanism_answer import run_compared_indicators
from scosim.model.slots import Mechanism, register_mechanism
from scosim.plugins import PluginError, read_declarations
from scosim.results import read_batches
from scosim.runner import run
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SECURITY = ("incidents", "seizures_t", "spending_usd")


@pytest.fixture(scope="module")
def rats_pair(tmp_path_factory) -> tuple[Path, Path]:
    """The RATS upgrade (adopted 2026) and the same instability without it, 3 runs each."""
    out = tmp_path_factory.mktemp("rats")
    dirs = []
    for name in ("afghan_instability_rats.yaml", "afghan_instability.yaml"):
        sc = load_scenario(SCENARIOS / name, overrides={"replications": 3})
        dirs.append(Path(run(sc, out=out, progress=False, plots=False).path))
    return dirs[0], dirs[1]


@pytest.mark.filterwarnings("ignore:.*rows have keys present in only one")
def test_security_runs_are_compared_on_incidents_seizures_and_spending(rats_pair, tmp_path,
                                                                        capsys, monkeypatch):
    pol, base = rats_pair
    assert read_declarations(pol)["mechanisms"]["security"]["compared"] == list(SECURITY)
    comp, report = compare_runs(str(pol), str(base), out=tmp_path, progress=False,
                                plot_workers=1)
    assert comp.report_indicators == (*REPORT_INDICATORS, *SECURITY)
    md = (report / "report.md").read_text()
    for name in SECURITY:
        assert f"plots/{name}_final_year.png" in md
    # The paired difference of India's incidents in the report year, from the raw runs.
    year = comp.report_year

    def incidents(run_dir: Path) -> pd.Series:
        ind = read_batches(run_dir / "indicators")
        ind = ind[(ind["indicator"].astype(str) == "incidents") & (ind["year"] == year)
                  & (ind["country"].astype(str) == "IND")]
        return ind.set_index("run")["value"]

    diff = (incidents(pol) - incidents(base)).mean()
    assert diff < 0  # the upgrade prevents attacks (docs/security.md)
    row = comp.summary[(comp.summary["indicator"] == "incidents")
                       & (comp.summary["country"] == "IND") & (comp.summary["year"] == year)]
    assert float(row["mean"].iloc[0]) == pytest.approx(diff, rel=1e-12)
    # The terminal table shows welfare, then these (the report is the one just made:
    # drawing its 20 figures again would say nothing more).
    monkeypatch.setattr("scosim.api.compare_runs", lambda *a, **k: (comp, report))
    capsys.readouterr()
    assert main(["compare", str(pol), str(base), "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "incidents" in out and "spending_usd" in out and "welfare_change_pct" in out
    assert "terms_of_trade_change_pct" not in out  # the report's other trade figures
    # Asked for one indicator: only that one.
    assert main(["compare", str(pol), str(base), "--out", str(tmp_path), "--quiet",
                 "--indicator", "welfare_change_pct"]) == 0
    assert "incidents" not in capsys.readouterr().out


def test_a_run_recorded_before_compared_falls_back_to_the_headline(rats_pair, tmp_path):
    """An older manifest has no ``compared``: the mechanism's headline is used (the
    security mechanism has none), and what the class says is not read instead."""
    pol, _ = rats_pair
    old = tmp_path / "old"
    old.mkdir()
    manifest = json.loads((pol / "manifest.json").read_text())
    del manifest["plugins"]["declared"]["mechanisms"]["security"]["compared"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    (old / "scenario.yaml").write_text((pol / "scenario.yaml").read_text())
    assert run_compared_indicators(pol)[:3] == list(SECURITY)
    assert not set(SECURITY) & set(run_compared_indicators(old))
    # A malformed record names the field.
    manifest["plugins"]["declared"]["mechanisms"]["security"]["compared"] = ["nope"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(PluginError, match=r"mechanisms\.security\.compared must list"):
        read_declarations(old)


def test_compared_must_name_the_mechanisms_own_indicators():
    class Bad(Mechanism):
        name, slot = "bad_compared", "network"
        indicators = {"x": "US$"}
        compared = ("y",)

    with pytest.raises(PluginError, match=r"`compared` names \['y'\], which are not"):
        register_mechanism(Bad)

    class Listed(Bad):
        name = "bad_compared_list"
        compared = ["x"]  # type: ignore[assignment]

    with pytest.raises(PluginError, match="must be a tuple of indicator names"):
        register_mechanism(Listed)
