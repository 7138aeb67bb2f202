"""A proposal the SCO adopted, per the hindcast record, is said so under its outcome.

``scosim run scenarios/afghan_instability_rats.yaml`` printed "rejected in every run" with
no hint that the SCO adopted this RATS upgrade at Astana in July 2024 (hindcast record
``rats_2024``, observed 1; the Council gives it p = 0). The match is on what was decided
(the record file's units and participants), checked here against the record file itself,
not on a scenario's name.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from scosim.hindcast.adopted_note import record_notes, run_record_notes
from scosim.hindcast.records import RECORDS
from scosim.run_headline import headline_text
from scosim.runstats import RunStats

REPO = Path(__file__).resolve().parents[1]
KNOWN_MISS = ("The SCO adopted this upgrade in 2024 (hindcast rats_2024); the model's "
              "rejection is a known miss of its Council (docs/security.md, section 11).")


def _recorded() -> dict:
    """The proposal of the hindcast record file, as the record codes the 2024 decision."""
    rec = next(r for r in RECORDS if r.name == "rats_2024")
    assert rec.adopted == 1 and rec.year == 2024  # the record the line cites
    text = (REPO / "scenarios" / "hindcasts" / "rats_2024.yaml").read_text()
    (prop,) = yaml.safe_load(text)["proposals"]
    return prop


def test_the_same_upgrade_matches_whoever_proposes_it_and_whatever_its_id() -> None:
    prop = dict(_recorded(), id="my-centre", proposer="KAZ", year=2030, depth=0.0,
                units=list(reversed(_recorded()["units"])))
    (note,) = record_notes([prop]).values()
    assert (note.record, note.year) == ("rats_2024", 2024)
    assert note.line(0, 20) == KNOWN_MISS
    assert "adopts it in 3 of 20 runs" in note.line(3, 20)
    assert "known miss" not in note.line(20, 20)


def test_another_upgrade_or_type_gets_no_line() -> None:
    assert record_notes([dict(_recorded(), id="x", units=["anti_drug"])]) == {}
    assert record_notes([dict(_recorded(), id="x", participants=["KAZ", "KGZ"])]) == {}
    assert record_notes([{"type": "customs_union", "id": "cu", "participants": "members"}]) == {}


def test_the_shipped_scenarios_that_table_it_get_the_line(tmp_path: Path) -> None:
    # A run's resolved scenario under any name: the match is on its proposal.
    for name in ("afghan_instability_rats", "afghan_corridor_rats"):
        props = yaml.safe_load((REPO / "scenarios" / f"{name}.yaml").read_text())["proposals"]
        run = tmp_path / name
        run.mkdir()
        (run / "scenario.yaml").write_text(yaml.safe_dump({"name": "renamed",
                                                           "proposals": props}))
        assert set(run_record_notes(run)) == {"rats-universal-centre"}, name
    assert run_record_notes(tmp_path) == {}  # no scenario.yaml


def test_the_answer_says_it_under_the_proposals_outcome() -> None:
    rows = [(r, 2035, c, "welfare_change_pct", -0.01 * (r + 1)) for r in range(3)
            for c in ("KAZ", "PAK")]
    events = [(r, 2026, "vote", c, "rats-universal-centre", c == "KAZ") for r in range(3)
              for c in ("KAZ", "PAK")]
    st = RunStats.from_frames(
        pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"]),
        pd.DataFrame(events, columns=["run", "year", "type", "country", "proposal", "yes"]))
    notes = record_notes([dict(_recorded(), id="rats-universal-centre")])
    lines = headline_text(st, "t", records=notes).splitlines()
    k = lines.index("proposal rats-universal-centre: rejected in every run")
    assert " ".join(lines[k + 1:k + 3]) == KNOWN_MISS
    assert all(len(line) <= 80 for line in lines[k + 1:k + 3])
    assert "The SCO adopted" not in headline_text(st, "t")  # no record, no line
