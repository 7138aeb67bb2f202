"""`scosim compare` says when the two runs are not what their scenarios' names say.

A run changed with ``--set`` was said only in report.md, and a policy at ``sigma = 4``
was paired with a baseline at ``sigma = 8`` without a word: the difference mixed the
policy with the elasticity. The economy's parameters are checked; the decision rules
and mechanisms, which are the policy, are not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scosim.cli import main
from scosim.compare_setup import economy_differences, economy_note, overrides_note

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _run_dir(root: Path, name: str, scenario: dict) -> Path:
    d = root / name
    d.mkdir()
    (d / "scenario.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return d


def test_only_the_economys_parameters_count_as_a_difference(tmp_path):
    base = {"parameters": {"trade": {"sigma": 5.0, "deficits": "level"},
                           "growth": {"rate": 0.03},
                           "council": {"decision_rule": "consensus"},
                           "rules": {"vote": "myopic"}}}
    pol = yaml.safe_load(yaml.safe_dump(base))
    pol["parameters"]["council"]["decision_rule"] = "majority"  # the policy's own rule
    pol["parameters"]["rules"]["vote"] = "committed"
    a, b = _run_dir(tmp_path, "pol", pol), _run_dir(tmp_path, "base", base)
    assert economy_differences(a, b) == []
    assert economy_note(a, b) is None

    pol["parameters"]["trade"]["sigma"] = 4.0
    pol["parameters"]["growth"]["rate"] = 0.05
    c = _run_dir(tmp_path, "pol2", pol)
    assert economy_differences(c, b) == ["parameters.trade.sigma: 4.0 vs 5.0",
                                         "parameters.growth.rate: 0.05 vs 0.03"]
    note = economy_note(c, b)
    assert note is not None and "parameters.trade.sigma: 4.0 vs 5.0" in note
    # A key one side lacks (an older run's scenario) is a difference too, shown as null.
    del pol["parameters"]["growth"]["rate"]
    d = _run_dir(tmp_path, "pol3", pol)
    assert "parameters.growth.rate: null vs 0.03" in economy_differences(d, b)
    # No resolved scenario (tables in memory, a run by hand): nothing to say.
    assert economy_differences(None, b) == []
    assert economy_differences(tmp_path, b) == []


def test_overrides_note_names_each_changed_run():
    assert overrides_note({}, {}) is None
    note = overrides_note({"overrides": {"parameters.trade.sigma": 4}},
                          {"overrides": {"replications": 3}})
    assert note == ("the policy run was changed with --set parameters.trade.sigma=4; "
                    "the baseline run was changed with --set replications=3")


@pytest.mark.filterwarnings("ignore:(.*rows have keys|not compared, as expected)")
def test_compare_of_runs_of_different_economies_says_so(tmp_path, capsys):
    common = ["--replications", "2", "--set", "years.end=2029", "--quiet", "--no-plots",
              "--out", str(tmp_path)]
    assert main(["run", str(SCENARIOS / "customs_union.yaml"), *common,
                 "--set", "parameters.trade.sigma=4"]) == 0
    assert main(["run", str(SCENARIOS / "baseline.yaml"), *common]) == 0
    runs = sorted(p.parent for p in tmp_path.glob("*/*/manifest.json"))
    pol = next(r for r in runs if r.parent.name == "customs_union")
    base = next(r for r in runs if r.parent.name == "baseline")
    capsys.readouterr()
    assert main(["compare", str(pol), str(base), "--out", str(tmp_path / "cmp"),
                 "--indicator", "welfare_change_pct", "--plot-workers", "1"]) == 0
    captured = capsys.readouterr()
    err = " ".join(captured.err.split())
    assert err.count("simulate different economies") == 1
    assert "warning: policy and baseline simulate different economies (parameters.trade." \
           "sigma: 4.0 vs 5.0, policy vs baseline)" in err
    out = " ".join(captured.out.split())
    assert "Note: the policy run was changed with --set parameters.trade.sigma=4" in out
    md = next((tmp_path / "cmp").rglob("report.md")).read_text(encoding="utf-8")
    md = " ".join(md.split())
    assert "the policy run was changed with --set" in md
    assert "simulate different economies (parameters.trade.sigma: 4.0 vs 5.0" in md
