"""What ``scosim sweep`` checks before it runs (outside review).

An output no mechanism or proposal type of the scenario records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scosim.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"
SIGMA = "parameters.trade.sigma"


@pytest.fixture
def no_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any point of a sweep is run."""
    from scosim.experiments import sweep as sw

    def ran(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a point was run")

    monkeypatch.setattr(sw.ScenarioModelFn, "__call__", ran)


@pytest.mark.parametrize(("output", "owner"), [
    ("incidents:AFG", "mechanism security (slot security)"),
    ("bank_failures:KAZ", "mechanism banking_systems (slot finance)"),
])
def test_an_output_the_scenario_does_not_record_is_refused_before_any_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_runs: None,
        output: str, owner: str) -> None:
    """Any known indicator passed: the size was said, batch 0 ran and failed ("indicator
    'incidents' not in the model", exit 1). Now: exit 2, naming the slot that would
    record it and what this scenario records, before the size line."""
    out = tmp_path / "r"
    code = main(["sweep", str(ROOT / "scenarios" / "customs_union.yaml"), "--method", "lhs",
                 "--n", "4", "--param", f"{SIGMA}=3:8", "--output", output,
                 "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    name = output.split(":")[0]
    assert err.startswith(
        f"scosim: error: --output:1: {output}: {name!r} is not recorded in this scenario: "
        f"it comes from {owner}, which the scenario does not use; this scenario records: "
        "gdp_usd, gdp_baseline_path_usd, welfare_change_pct,"), err
    assert "in_customs_union" in err and "Traceback" not in err
    assert "sweep:" not in err  # refused before the plan is said
    assert not out.exists()


def test_an_indicator_a_mechanism_records_only_in_some_scenarios_is_refused_as_such(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_runs: None) -> None:
    """The mechanism's recorded_indicators(scenario) decides, not its declared names."""
    from scosim.api import check_sweep
    from scosim.scenario import ScenarioError

    monkeypatch.syspath_prepend(str(Path(__file__).parent / "plugin_pkgs"))
    path = tmp_path / "conditional.yaml"
    path.write_text(f"extends: {FIXTURES / 'small_base.yaml'}\nname: conditional\n"
                    "parameters:\n  mechanisms: {finance: 'broken_plugins:ConditionalRecord'}\n")
    check_sweep(str(path), {SIGMA: (3.0, 8.0)}, ["always:KAZ"])  # recorded: accepted
    with pytest.raises(ScenarioError) as err:
        check_sweep(str(path), {SIGMA: (3.0, 8.0)}, ["with_network:KAZ"])
    [item] = err.value.errors
    assert item.message.startswith(
        "'with_network' is not recorded in this scenario: mechanism conditional_record "
        "records it only in some scenarios; it declares it as: share of runs (when the "
        "network slot is filled); this scenario records: "), item.message
    assert "always" in item.message.split("this scenario records: ")[1]
