"""The SCO's 2010 Regulation on admission: no accession of a state under UN sanctions."""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.cli import main
from scosim.model.model import SCOModel
from scosim.run_headline import barred_lines
from scosim.runstats import RunStats
from scosim.scenario import load_scenario
from scosim.scenario.errors import ScenarioError

HC = Path(__file__).resolve().parents[1] / "scenarios" / "hindcasts"


def _run(year: int, sanctions: bool | None, runs: int = 3) -> SCOModel:
    """Iran's accession tabled in ``year`` on the 2010 record's era, with or without the bar."""
    over: dict = {"replications": runs, "years": {"start": year, "end": year},
                  "proposals": [{"id": "acc", "year": year, "type": "accession",
                                 "applicant": "IRN"}]}
    if sanctions is not None:
        over["countries.IRN.un_sanctions"] = sanctions
    m = SCOModel(load_scenario(HC / "accession_irn_2010.yaml", overrides=over))
    m.run_model()
    return m


def _events(m: SCOModel, kind: str) -> list[dict]:
    return [e for e in m.log.records() if e["type"] == kind]


def test_a_state_under_un_sanctions_is_not_put_to_the_vote_from_2010() -> None:
    barred = _run(2010, True)
    assert not barred.arrangements[0].adopted.any()
    assert not _events(barred, "vote") and not _events(barred, "application")
    assert sorted(e["run"] for e in _events(barred, "barred")) == list(barred.run_ids)
    assert {e["country"] for e in _events(barred, "barred")} == {"IRN"}
    # The same accession without sanctions is voted on, and adopted in the model (the
    # miss the bar removes from the record), so the bar is what rejects it.
    free = _run(2010, False)
    assert free.arrangements[0].adopted.all()
    assert _events(free, "vote") and not _events(free, "barred")
    # Before the Regulation (June 2010) the bar does not apply.
    before = _run(2009, True)
    assert _events(before, "vote") and not _events(before, "barred")


def test_the_2010_record_sets_the_bar_and_the_2021_one_does_not() -> None:
    assert load_scenario(HC / "accession_irn_2010.yaml").countries["IRN"].un_sanctions
    later = load_scenario(HC / "accession_irn_2021.yaml").countries.get("IRN")
    assert later is None or not later.un_sanctions


def test_the_answer_says_why_the_accession_was_not_voted_on(tmp_path: Path) -> None:
    m = _run(2010, True, runs=2)
    st = RunStats.from_frames(None, m.log.to_frame())
    # One sentence for the one applicant, on lines of at most 80 columns.
    said = barred_lines(st, 2)
    assert max(map(len, said)) <= 80 and "in every run" in said[0]
    assert [line.endswith("from membership.") for line in said] == [False] * (len(said) - 1) + [
        True]
    assert "in 2 of 3 runs" in " ".join(barred_lines(st, 3))
    free = RunStats.from_frames(None, _run(2010, False, runs=2).log.to_frame())
    assert barred_lines(free, 2) == []
    # What `scosim run` prints and keeps: the run has no vote and no welfare change, and
    # used to say only that.
    assert main(["run", str(HC / "accession_irn_2010.yaml"), "--replications", "2",
                 "--out", str(tmp_path), "--quiet"]) == 0
    text = " ".join(next(tmp_path.rglob("summary.txt")).read_text().split())
    assert "IRN Iran: its accession was not put to the vote in every run" in text
    assert "UN Security Council sanctions" in text


def test_a_non_boolean_flag_names_the_field(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(f"extends: {HC / 'accession_irn_2010.yaml'}\n"
                 "countries:\n  IRN: {un_sanctions: maybe}\n")
    with pytest.raises(ScenarioError, match=r"countries\.IRN\.un_sanctions"):
        load_scenario(f)
