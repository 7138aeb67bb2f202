"""An error on a whole value that a ``--set`` override changed part of is the override's.

``--set proposals.sco_cu.phase_in.2027=x`` was reported at the line of the file's
``phase_in`` (customs_union.yaml:50), which the user did not change; errors raised on a
year-indexed value as a whole, or by a proposal's own validator, took the file's origin.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.cli import main
from scosim.scenario import ScenarioError, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
CU = SCENARIOS / "customs_union.yaml"


@pytest.mark.parametrize(("override", "message"), [
    ("proposals.sco_cu.phase_in.2027=x", "value for year 2027 must be a finite number, got 'x'"),
    ("proposals.sco_cu.phase_in.abc=1", "year key 'abc' is not an integer year"),
    ("proposals.sco_cu.phase_in.2026.5=1", "value for year 2026 must be a finite number"),
])
def test_an_override_inside_a_year_indexed_value_is_the_errors_origin(capsys, override,
                                                                      message):
    # The override is the second: its line is 2.
    assert main(["validate", str(CU), "--set", "seed=3", "--set", override]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scosim: error: <override>:2: proposals[0].phase_in: {message}"), err
    assert len(err.splitlines()) == 1


def test_an_override_inside_a_proposal_is_its_validators_errors_origin():
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIOS / "corridor_energy.yaml",
                      {"proposals.tapi.participants": ["TKM", "PAK", "IND"]})
    (item,) = info.value.errors
    assert (item.file, item.line) == ("<override>", 1), str(info.value)
    assert item.path.startswith("proposals[0]")


def test_an_override_elsewhere_leaves_a_files_error_at_its_line(tmp_path):
    """Only an override at or below the failing value is its origin."""
    path = tmp_path / "cu.yaml"
    path.write_text(f"extends: {CU}\nname: cu\n"
                    "proposals:\n  - {type: customs_union, id: cu, year: 2026, proposer: KAZ,\n"
                    "     phase_in: {2027: x}}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, {"seed": 3, "proposals.cu.depth": 0.5})
    (item,) = info.value.errors
    assert (item.file, item.line, item.path) == (str(path), 5, "proposals[0].phase_in")
