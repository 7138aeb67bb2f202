"""The RATS upgrade's verdict turns on its ``depth`` (the sovereignty cost of pooling), and
a figure of a run whose upgrade was rejected in every run says so in its title.

An outside referee (2026-12-07): the shipped verdict, rejected in every one of 40 runs, is
decided by the unsourced ``depth: 0.3``; at depth 0 the members adopt it (39 of 40 runs,
seed 1: only China's vote noise, in one run, says no). And
``security_incidents_routes.png`` of a run with the upgrade rejected everywhere looked
like a figure of the upgrade; ``vote_reasons.png`` already said it was rejected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.cli import main
from scosim.security import plots

SCEN = Path(__file__).resolve().parents[1] / "scenarios" / "afghan_instability_rats.yaml"
DEPTH = "proposals.rats-universal-centre.depth"
RUNS = 3


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         depth: float) -> tuple[str, str, Path]:
    """The run's answer, the suptitle of its security figure and the run's directory."""
    import matplotlib.pyplot as plt

    kept: list = []
    real_close = plt.close

    def keep(fig=None) -> None:
        if fig is not None and getattr(fig, "_suptitle", None) is not None and (
                "Afghan opiate flows" in fig._suptitle.get_text()):
            kept.append(fig._suptitle.get_text())
        real_close(fig)

    monkeypatch.setattr(plots.plt, "close", keep)
    assert main(["run", str(SCEN), "--replications", str(RUNS), "--seed", "1", "--set",
                 f"{DEPTH}={depth}", "--out", str(tmp_path), "--quiet"]) == 0
    (run_dir,) = (tmp_path / "afghan_instability_rats").iterdir()
    assert len(kept) == 1
    return (run_dir / "summary.txt").read_text(), kept[0], run_dir


def test_at_depth_0_the_members_adopt_it_and_the_title_says_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answer, title, run_dir = _run(tmp_path, monkeypatch, 0.0)
    assert "proposal rats-universal-centre: adopted in every run" in answer
    assert "rejected" not in title
    # What carries it (an outside review, 2026-12-07; README, docs/security.md section 11):
    # every member expects an economic loss, the security gain is far smaller, and trust in
    # the proposer alone turns each score positive. The terms add up to the score (an
    # identity of votes.csv) and without the trust term every score would be below 0.
    import pandas as pd

    v = pd.read_csv(run_dir / "votes.csv").set_index("country")
    terms = v[[c for c in v.columns if c.startswith("contrib_")]]
    assert (terms.sum(axis=1) - v["score_pp"]).abs().max() < 1e-6
    assert (v["contrib_sovereignty_pp"] == 0).all()
    assert (v["contrib_econ_pp"] < 0).all()
    assert (v["contrib_security_pp"] < -0.25 * v["contrib_econ_pp"]).all()
    assert (v["contrib_trust_pp"] > 0).all()
    assert (v["score_pp"] > 0).all() and (v["score_pp"] - v["contrib_trust_pp"] < 0).all()


def test_at_the_shipped_depth_it_is_rejected_and_the_title_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answer, title, _ = _run(tmp_path, monkeypatch, 0.3)
    assert "proposal rats-universal-centre: rejected in every run" in answer
    # Where the answer explains the security term, it says whose incidents count.
    said = " ".join(answer.split())
    assert ("a state's stake counts only incidents on its own territory in 2018-2022, so "
            "attacks on Chinese nationals in Pakistan count as Pakistan's") in said
    assert (f"proposal rats-universal-centre rejected in {RUNS} of {RUNS} runs: not in force "
            "in any run") in title
