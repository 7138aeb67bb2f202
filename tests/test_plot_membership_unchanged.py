"""No membership figure when nobody's membership changes in any run.

The RATS upgrade of ``afghan_instability_rats.yaml`` is rejected in every run: its
``membership_timeline.png`` was a map of 100 % in every cell (ten members, eleven years)
beside a panel of vetoes, which the answer's "voted no" column already gives per state.
The checks read the run's own indicator and event tables, not the figure's code: the
``member`` indicator is 1 for every member in every run and year, and the only events
against are votes against.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scosim.plot_membership import membership_moved
from scosim.results import read_batches
from scosim.runstats import RunStats

ROOT = Path(__file__).resolve().parents[1]


def test_a_proposal_rejected_everywhere_draws_no_all_100_percent_map(tmp_path: Path) -> None:
    from scosim.runner import run

    res = run(ROOT / "scenarios" / "afghan_instability_rats.yaml", replications=4,
              out=tmp_path, progress=False, plots=True)
    run_dir = Path(res.path)
    ind = read_batches(run_dir / "indicators")
    member = ind[ind["indicator"] == "member"]
    # The outside facts: no one's SCO membership moved in any run, and nobody joined,
    # left or withdrew; every member vetoed.
    assert member.groupby(member["country"].astype(str))["value"].nunique().max() == 1
    ev = read_batches(run_dir / "events")
    kinds = set(ev["type"].astype(str))
    assert "veto" in kinds and not kinds & {"joined", "defection", "bloc_exit", "withdrew",
                                            "accession", "bloc_invited"}
    plots = run_dir / "plots"
    assert (plots / "vote_reasons.png").is_file()  # the vote is still explained
    assert not (plots / "membership_timeline.png").exists()
    text = (run_dir / "summary.txt").read_text()
    assert "voted no" in text  # who said no, per state, in the answer's table


def _frames(member_values: list[float], events: list[dict]) -> RunStats:
    years = [2025, 2026]
    rows = [{"run": r, "year": y, "country": c, "indicator": "member", "value": v}
            for r in range(2) for y, v in zip(years, member_values, strict=True)
            for c in ("AAA",)]
    rows += [{"run": r, "year": y, "country": "BBB", "indicator": "member", "value": 1.0}
             for r in range(2) for y in years]
    rows += [{"run": r, "year": y, "country": c, "indicator": "in_customs_union",
              "value": 0.0} for r in range(2) for y in years for c in ("AAA", "BBB")]
    ind = pd.DataFrame(rows)
    return RunStats.from_frames(ind, pd.DataFrame(events) if events else None)


def _vote(run: int, code: str, yes: bool) -> dict:
    return {"type": "vote", "run": run, "year": 2026, "proposal": "p", "country": code,
            "yes": yes, "rule": "utility_vote", "sponsor": False, "utility": -0.01,
            "noise": 0.0}


def test_only_a_change_or_an_event_beyond_a_no_makes_the_figure() -> None:
    vetoes = [_vote(r, c, False) for r in range(2) for c in ("AAA", "BBB")]
    vetoes += [{"type": "veto", "run": r, "year": 2026, "proposal": "p", "country": "AAA"}
               for r in range(2)]
    assert not membership_moved(_frames([1.0, 1.0], vetoes))
    # AAA accedes in 2026 in both runs: its SCO row changes.
    assert membership_moved(_frames([0.0, 1.0], vetoes))
    # A join is not in the answer's vote columns: the panel shows it.
    joins = [*vetoes, {"type": "joined", "run": 0, "year": 2026, "proposal": "p",
                       "country": "BBB"}]
    assert membership_moved(_frames([1.0, 1.0], joins))


def test_an_invitation_to_a_union_rejected_everywhere_moves_nobody(tmp_path: Path) -> None:
    # The consensus customs union is rejected in every run; Armenia is invited with the
    # EAEU, which used to count as a membership event and drew a map of 100 % everywhere.
    from scosim.plot_membership import membership_data
    from scosim.runner import run

    res = run(ROOT / "scenarios" / "customs_union_consensus.yaml", replications=4,
              out=tmp_path, progress=False, plots=True)
    run_dir = Path(res.path)
    ev = read_batches(run_dir / "events")
    kinds = set(ev["type"].astype(str))
    assert "bloc_invited" in kinds and "rejected" in kinds and "adopted" not in kinds
    ind = read_batches(run_dir / "indicators")
    member = ind[ind["indicator"] == "member"]
    assert member.groupby(member["country"].astype(str))["value"].nunique().max() == 1
    st = RunStats.from_frames(ind, ev)
    assert "invited with its bloc" in membership_data(st)[1].columns  # still counted...
    assert not membership_moved(st)  # ...but moves nobody: no figure
    assert not (run_dir / "plots" / "membership_timeline.png").exists()


def test_an_invitation_to_a_proposal_adopted_somewhere_is_drawn() -> None:
    vetoes = [_vote(r, "BBB", False) for r in range(2)]
    invited = [{"type": "bloc_invited", "run": r, "year": 2026, "proposal": "p",
                "country": "AAA", "bloc": "AAA BBB"} for r in range(2)]
    assert not membership_moved(_frames([1.0, 1.0], vetoes + invited))
    adopted = [{"type": "adopted", "run": 0, "year": 2026, "proposal": "p", "country": ""}]
    assert membership_moved(_frames([1.0, 1.0], vetoes + invited + adopted))


def test_votes_against_are_labelled_voted_no_not_no_vote() -> None:
    from scosim.plot_membership import membership_data

    # A majority vote: a no that is not a veto keeps its own column, named as cast.
    votes = [_vote(r, "AAA", False) for r in range(2)] + [_vote(r, "BBB", True)
                                                           for r in range(2)]
    counts = membership_data(_frames([1.0, 1.0], votes))[1]
    assert list(counts.columns) == ["voted no"]
    assert counts.loc["AAA", "voted no"] == 1.0
