"""A corridor's participant list that leaves out a host: said at ``participants``.

The message was ``proposals[0]: participants: ['AFG'] host TAPI (hosts: [...])``: it did
not say AFG was missing, and pointed at the proposal, not its participants.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.scenario import ScenarioError, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TAIL = ("; a corridor is built on its hosts' territory, so list every host, or use "
        "'interested' (the hosts plus the economies whose trade costs it lowers)")


@pytest.mark.parametrize(("scenario", "pid", "listed", "message"), [
    ("corridor_energy.yaml", "tapi", ["TKM", "PAK", "IND"],
     "missing host(s) AFG of TAPI (hosts: TKM, AFG, PAK, IND)"),
    ("corridor_instc.yaml", "instc", ["IND", "RUS"],
     "missing host(s) IRN of INSTC_CHABAHAR (hosts: IRN)"),
])
def test_missing_hosts_are_named_at_participants(scenario, pid, listed, message):
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIOS / scenario, {f"proposals.{pid}.participants": listed})
    (item,) = info.value.errors
    assert (item.file, item.line, item.path) == ("<override>", 1, "proposals[0].participants")
    assert item.message == message + TAIL


def test_in_a_file_the_participants_line_is_named(tmp_path):
    path = tmp_path / "tapi.yaml"
    path.write_text(
        f"extends: {SCENARIOS / 'corridor_energy.yaml'}\nname: tapi\nproposals:\n"
        "  - type: corridor\n    id: tapi\n    year: 2026\n    proposer: PAK\n"
        "    project: TAPI\n    participants: [TKM, PAK]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (item,) = info.value.errors
    assert (item.file, item.line, item.path) == (str(path), 9, "proposals[0].participants")
    assert item.message.startswith("missing host(s) AFG, IND of TAPI")
