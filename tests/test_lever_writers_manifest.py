"""The run's manifest records the levers each plug-in declares it writes (``writes_levers``).

Until 2026-12-07 the manifest's ``plugins.declared`` gave a type's and a mechanism's
indicators, headline and membership but not the levers they write, so a reader of a
results directory could not see who wrote which lever, though the run checked every
write against the declarations (:mod:`scosim.model.lever_writers`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scosim.plugin_manifest import (
    declared_mechanisms,
    declared_types,
    read_declarations,
    recorded_mechanisms,
    recorded_types,
)
from scosim.plugins import PluginError
from scosim.scenario import validate_data

PKG = "plugin_pkgs.toy_levers"
FIXTURES = Path(__file__).parent / "fixtures" / "old_manifests"

pytestmark = pytest.mark.usefixtures("forget_test_plugins")


def _scenario() -> object:
    """A declaring type, a declaring mechanism and one that declares nothing."""
    return validate_data({
        "name": "levers", "years": {"start": 2025, "end": 2026}, "replications": 1,
        "seed": 3,
        "parameters": {"mechanisms": {"security": "plugin_pkgs.toy_beside:ToyGate",
                                      "finance": f"{PKG}:SaidGrant"}},
        "proposals": [{"type": f"{PKG}:GatePassSaid", "id": "gate", "year": 2025,
                       "proposer": "KAZ", "participants": ["KAZ", "KGZ", "UZB"]}]})


def test_each_record_names_the_levers_its_plugin_declares() -> None:
    sc = _scenario()
    types, mechs = declared_types(sc), declared_mechanisms(sc)
    assert types["gate_pass_said"]["writes_levers"] == ["toy_gate"]
    assert mechs["finance"]["writes_levers"] == ["welfare_income_share"]
    # Not declared is recorded as such (null), not as "writes none" ([]).
    assert mechs["security"]["writes_levers"] is None
    # Read back as the class declares it: a tuple, None when not declared.
    manifest = json.loads(json.dumps({"plugins": {"declared": {
        "proposal_types": types, "mechanisms": mechs}}}))
    assert recorded_types(manifest, "m.json")["gate_pass_said"]["writes_levers"] == (
        "toy_gate",)
    back = recorded_mechanisms(manifest, "m.json")
    assert back["finance"]["writes_levers"] == ("welfare_income_share",)
    assert back["security"]["writes_levers"] is None


def test_scosim_s_own_plugins_are_recorded_with_their_levers() -> None:
    """The built-ins declare (tests/test_lever_writers.py); the record says what."""
    sc = validate_data({
        "name": "built", "years": {"start": 2025, "end": 2026}, "replications": 1,
        "parameters": {"mechanisms": {"security": "security"}},
        "proposals": [{"type": "rats_upgrade", "id": "rats", "year": 2025,
                       "proposer": "KAZ"}]})
    assert declared_mechanisms(sc)["security"]["writes_levers"] == [
        "insecurity", "insecurity_base", "welfare_cost_share"]
    assert declared_types(sc)["rats_upgrade"]["writes_levers"] == [
        "rats_pooling", "rats_contribution"]


def test_a_run_made_before_the_record_reads_as_not_declared() -> None:
    got = read_declarations(FIXTURES / "visa_tiny")
    assert got["proposal_types"] and got["mechanisms"]
    assert all(r["writes_levers"] is None for r in got["proposal_types"].values())
    assert all(r["writes_levers"] is None for r in got["mechanisms"].values())


@pytest.mark.parametrize("value", ["toy_gate", ["toy gate"], ["toy_gate", "toy_gate"], [1]])
def test_a_malformed_record_names_the_file_the_field_and_what_is_allowed(value) -> None:
    manifest = {"plugins": {"declared": {"mechanisms": {"finance": {
        "name": "said_grant", "indicators": {}, "writes_levers": value}}}}}
    with pytest.raises(PluginError) as err:
        recorded_mechanisms(manifest, "run/manifest.json")
    assert str(err.value) == (
        "run/manifest.json: plugins.declared.mechanisms.finance.writes_levers must be null "
        "(not declared) or a list of lever names (text without spaces, each once), got "
        f"{value!r}")


def test_a_run_s_manifest_says_who_writes_which_lever(tmp_path: Path) -> None:
    """End to end: ``scosim run`` writes the record into the results directory."""
    import scosim

    scen = tmp_path / "grant.yaml"
    scen.write_text("name: grant\nyears: {start: 2025, end: 2025}\nreplications: 1\n"
                    f"parameters:\n  mechanisms:\n    finance: {PKG}:SaidGrant\n")
    tests = Path(__file__).parent
    path = os.pathsep.join([str(tests), str(Path(scosim.__file__).parents[1])])
    r = subprocess.run([sys.executable, "-m", "scosim", "run", str(scen), "--out",
                        str(tmp_path / "out"), "--no-plots", "--quiet"],
                       capture_output=True, text=True, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": path})
    assert r.returncode == 0, r.stderr
    (run_dir,) = (tmp_path / "out" / "grant").iterdir()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["plugins"]["declared"]["mechanisms"]["finance"]["writes_levers"] == [
        "welfare_income_share"]
