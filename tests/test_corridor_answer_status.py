"""A corridor's outcome line says in how many runs it operates, and has failed, in the year.

A new user's review (2026-12-07): ``corridor_trans_afghan_high``'s answer read "proposal
trans_afghan: adopted in every run" above the welfare table while the railway had failed
by 2035 in 3 of 6 runs (said only deep in the fee paragraph). The counts are checked here
against the run's own failure events (``corridor_failed`` in events/, dated), not the
indicators the line is read from.
"""

from __future__ import annotations

from pathlib import Path

from scosim.cli import main
from scosim.network.corridor_status import status_text
from scosim.results import read_batches
from scosim.run_outcome import outcome_lines

ROOT = Path(__file__).resolve().parents[1]
HIGH = ROOT / "scenarios" / "corridor_trans_afghan_high.yaml"


def test_the_outcome_line_says_operating_and_failed_runs(tmp_path, capsys):
    assert main(["run", str(HIGH), "--replications", "6", "--seed", "20250101", "--out",
                 str(tmp_path), "--quiet", "--no-plots"]) == 0
    (run_dir,) = (tmp_path / "corridor_trans_afghan_high").iterdir()
    capsys.readouterr()
    assert main(["show", str(run_dir)]) == 0
    answer = capsys.readouterr().out
    ev = read_batches(run_dir / "events")
    failed = ev[(ev["type"].astype(str) == "corridor_failed") & (ev["year"] <= 2035)]
    n_failed = failed["run"].nunique()
    started = ev[ev["type"].astype(str) == "construction_start"]["run"].nunique()
    assert 0 < n_failed < 6 and started == 6  # a seed where the line fails in some runs
    flat = " ".join(answer.split())
    # Every run built the line (its first phase opens well before 2035): the rest operate.
    said = (f"proposal trans_afghan: adopted in every run; operating in 2035 in "
            f"{6 - n_failed} of 6 (failed in {n_failed})")
    assert said in flat
    # Above the welfare table, and within the answer's 80 columns.
    lines = answer.splitlines()
    at = next(i for i, x in enumerate(lines) if x.startswith("proposal trans_afghan:"))
    assert lines[at + 2].split()[:2] == ["economy", "welfare"]
    assert all(len(x) <= 80 for x in lines[at:at + 2])


def test_status_text_counts_runs_not_yet_open():
    assert status_text(2035, 3, 3, 6) == "operating in 2035 in 3 of 6 (failed in 3)"
    assert status_text(2028, 0, 1, 6) == ("operating in 2028 in 0 of 6 (failed in 1; not "
                                          "yet open in 5)")


def test_outcome_lines_say_status_only_of_adopted_proposals():
    status = {"a": "operating in 2035 in 2 of 4 (failed in 2)",
              "b": "operating in 2035 in 0 of 4 (failed in 0; not yet open in 4)"}
    lines = outcome_lines({"a", "b"}, {"a": 4}, 4, status)
    assert lines == ["proposal a: adopted in every run; operating in 2035 in 2 of 4 "
                     "(failed in 2)", "proposal b: rejected in every run"]
    assert outcome_lines({"a"}, {"a": 4}, 4) == ["proposal a: adopted in every run"]
