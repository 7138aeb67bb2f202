"""Settings for an empty mechanism slot, and a union without the trade slot, are refused.

Each was accepted and ran with exit 0, changing nothing: ``parameters.network``,
``parameters.security`` and ``parameters.finance`` are read only by the mechanism
filling their slot, and a customs union or free-trade area only by the trade slot.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scosim.cli import main
from scosim.scenario import ScenarioError, check_scenario, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _child(tmp_path: Path, parent: str, body: str) -> Path:
    for f in SCENARIOS.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "child.yaml"
    path.write_text(f"extends: {parent}\nname: child\n{body}")
    return path


@pytest.mark.parametrize(("body", "where", "fill"), [
    ("parameters: {network: {instability: {AFG: 0.8}}}\n", "parameters.network.instability",
     "{network: corridor_network}"),
    ("parameters: {security: {instability: 2.0}}\n", "parameters.security.instability",
     "{security: security}"),
    ("parameters: {finance: {alpha: 0.5}}\n", "parameters.finance.alpha",
     "{finance: banking_systems}"),
])
@pytest.mark.parametrize("quick", [True, False])
def test_a_setting_of_an_empty_slot_is_refused(tmp_path, body, where, fill, quick):
    path = _child(tmp_path, "baseline.yaml", body)
    with pytest.raises(ScenarioError) as info:
        check_scenario(path, quick=quick)
    assert [(e.file, e.line, e.path) for e in info.value.errors] == [(str(path), 3, where)]
    message = info.value.errors[0].message
    assert "slot is empty, so nothing reads this setting" in message
    assert f"parameters.mechanisms: {fill}" in message


def test_run_refuses_it_with_exit_2_and_writes_nothing(tmp_path, capsys):
    path = _child(tmp_path, "baseline.yaml", "parameters: {security: {instability: 2.0}}\n")
    out = tmp_path / "results"
    assert main(["run", str(path), "--replications", "1", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scosim: error: {path}:3: parameters.security.instability: "), err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.rglob("*"))


def test_settings_at_their_defaults_are_accepted(tmp_path):
    from scosim.finance.spec import FinanceSettings

    alpha = FinanceSettings().alpha
    path = _child(tmp_path, "baseline.yaml", (
        f"parameters: {{security: {{instability: 1.0}}, finance: {{alpha: {alpha}}}, "
        "network: {instability: {}, congestion: true}}\n"))
    load_scenario(path)
    check_scenario(path)


def test_a_slot_emptied_by_name_may_leave_a_parents_settings_unused(tmp_path):
    """Turning a parent's mechanism off (a child, or --set) is a deliberate comparison."""
    parent = tmp_path / "afghan_instability.yaml"
    _child(tmp_path, "baseline.yaml", "")
    assert "instability" in parent.read_text()
    child = tmp_path / "off.yaml"
    child.write_text("extends: afghan_instability.yaml\nname: no-security\n"
                     "parameters: {mechanisms: {security: null}}\n")
    assert load_scenario(child).parameters.mechanisms["security"] is None
    sc = load_scenario(parent, {"parameters.mechanisms.security": None})
    assert sc.parameters.security.instability.at(2030) != 1.0


@pytest.mark.parametrize(("scenario", "what"), [
    ("customs_union.yaml", "a customs union"), ("free_trade_area.yaml", "a free-trade area")])
def test_a_union_needs_the_trade_slot(capsys, scenario, what):
    path = SCENARIOS / scenario
    assert main(["validate", str(path), "--set", "parameters.mechanisms.trade=null"]) == 2
    err = capsys.readouterr().err
    assert f": proposals[0].type: {what} needs the trade slot filled" in err, err
    assert "parameters.mechanisms: {trade: ge_trade}" in err
