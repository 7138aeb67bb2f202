"""Why a state votes no (scosim.vote_reasons), against the votes the runs logged.

The checks are outside the module: each vote's terms and shock add up to the ``utility``
the event logged, whose sign is the logged vote (utility_vote: yes iff the score is at
least 0, sponsors apart); the medians are pandas' medians of the raw event columns;
the leader is the voter the Council's gap formula points at (China, the largest
economy, in the shipped union).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.indicator_display import signed
from scosim.results import read_batches
from scosim.runstats import RunStats
from scosim.vote_reasons import TERMS, NoReasons, decompose, leaders, why_no_lines

ROOT = Path(__file__).resolve().parents[1]
RUNS = 200


@pytest.fixture(scope="module")
def consensus_run(tmp_path_factory) -> Path:
    """The README's run: customs_union_consensus.yaml, 200 runs, no plots (about 3 s)."""
    from scosim.runner import run

    res = run(ROOT / "scenarios" / "customs_union_consensus.yaml", replications=RUNS,
              out=tmp_path_factory.mktemp("results"), progress=False, plots=False)
    return Path(res.path)


def _votes(run_dir: Path) -> pd.DataFrame:
    ev = read_batches(run_dir / "events")
    return ev[ev["type"] == "vote"].assign(country=lambda d: d["country"].astype(str),
                                           proposal=lambda d: d["proposal"].astype(str))


def _stats(run_dir: Path) -> RunStats:
    return RunStats.from_run(run_dir, indicators=["member"], event_types=["vote"])


@pytest.mark.parametrize("which", ["consensus_run", "geometry_run"])
def test_terms_and_shock_add_up_to_the_logged_score_and_its_sign_is_the_vote(which, request):
    votes = _votes(request.getfixturevalue(which))
    parts = decompose(votes)
    assert list(parts.columns) == [*TERMS, "other", "shock", "score"]
    # The identity, per voter and run: the logged weighted terms plus the shock are the
    # logged score, so nothing is left for "other" in the Council's own score.
    raw = sum(votes[f"contrib_{t}"].astype(float) for t in TERMS) + votes["noise"].astype(float)
    np.testing.assert_allclose(raw, votes["utility"].astype(float), rtol=0, atol=1e-15)
    # decompose lays out exactly those logged fields: "other" (the remainder) is then 0.
    np.testing.assert_allclose(parts[[*TERMS, "shock"]].sum(axis=1), votes["utility"],
                               rtol=0, atol=1e-15)
    assert (parts["other"].abs() <= 1e-15).all()
    # utility_vote: a non-sponsor votes yes exactly when its score is at least 0.
    scored = (votes["rule"] == "utility_vote") & ~votes["sponsor"].astype(bool)
    assert scored.sum() > 100
    summed = parts.drop(columns="score").sum(axis=1)
    assert ((summed[scored] >= 0) == votes.loc[scored, "yes"].astype(bool)).all()


def test_the_medians_are_the_logged_columns_medians(consensus_run):
    votes = _votes(consensus_run)
    nr = _stats(consensus_run).no_reasons
    cols = {"gain": "term_econ", **{t: f"contrib_{t}" for t in TERMS}, "shock": "noise",
            "score": "utility"}
    no = votes[~votes["yes"].astype(bool)]
    assert no.groupby(["country", "run"]).size().max() == 1  # one vote a run: no choice made
    for code, rows in no.groupby("country"):
        got = nr.medians("sco_cu", code)
        assert nr.no[("sco_cu", code)] == len(rows) == RUNS
        for series, col in cols.items():
            assert got[series] == pytest.approx(100 * rows[col].astype(float).median(),
                                                rel=1e-12, abs=1e-12), (code, series)
    # The proposer votes yes as sponsor: not explained, and not counted as voting.
    assert ("sco_cu", "CHN") not in nr.voted
    assert nr.leader("sco_cu") == "CHN"


def test_the_leader_is_whom_the_gap_formula_points_at():
    rng = np.random.default_rng(3)
    rows = []
    for run in range(20):
        gain = rng.normal(0.0, 0.003, 5)
        lead = run % 5
        gap = np.maximum(gain[lead] - gain, 0.0)
        gap[lead] = 0.0
        rows += [{"run": run, "year": 2026, "proposal": "p", "country": f"C{i}",
                  "term_econ": gain[i], "term_dominance": gap[i]} for i in range(5)]
    table = pd.DataFrame(rows)
    # A leader that gains least leaves no gap to point at it: no leader is named there.
    gapped = sorted(table.loc[table["term_dominance"] > 0, "run"].unique())
    assert 10 < len(gapped) < 20
    found = leaders(table)
    assert sorted(r for r, _, _ in found.index) == gapped
    assert [found[(r, 2026, "p")] for r in gapped] == [f"C{r % 5}" for r in gapped]
    # Without the leader among the voters the gaps point at nobody.
    without = leaders(table[table["country"] != "C0"])
    assert not any(r % 5 == 0 for r, _, _ in without.index)
    assert len(without) > 5


def _vote(run: int, year: int, code: str, yes: bool, econ: float, dom: float = -0.001,
          rule: str = "utility_vote") -> dict:
    noise = 0.0001 * (run % 3 - 1)
    return {"type": "vote", "run": run, "year": year, "proposal": "p", "country": code,
            "yes": yes, "rule": rule, "sponsor": False, "term_econ": econ,
            "contrib_econ": econ, "contrib_dominance": dom, "contrib_sovereignty": -0.0003,
            "noise": noise, "utility": econ + dom - 0.0003 + noise}


def test_each_run_counts_the_states_first_no_and_committed_votes_are_left_out():
    # A yes in 2026, then a no in 2027 with other terms: the 2027 no is the run's.
    rows = []
    for run in range(5):
        rows += [_vote(run, 2026, "AAA", True, 0.002, dom=0.0),
                 _vote(run, 2027, "AAA", False, 0.0005),
                 _vote(run, 2028, "AAA", False, 0.0009),
                 _vote(run, 2026, "BBB", False, -0.002, rule="always_no")]
    st = RunStats.from_frames(None, pd.DataFrame(rows))
    nr = st.no_reasons
    assert nr.voted == {("p", "AAA"): 5} and nr.no == {("p", "AAA"): 5}
    assert nr.medians("p", "AAA")["gain"] == pytest.approx(0.05)
    assert nr.years == {"p": {2027}}
    text = "\n".join(why_no_lines(st))
    assert "AAA votes no in 5 of 5 runs though it expects to gain +0.050 %" in text
    assert "BBB" not in text


def test_blocks_of_runs_give_the_medians_of_all_runs_at_once(consensus_run):
    votes = read_batches(consensus_run / "events")
    votes = votes[votes["type"] == "vote"]
    whole = RunStats.from_frames(None, votes).no_reasons
    from scosim.model.events import detail_columns

    parts = NoReasons()
    for half in (votes[votes["run"] < 77], votes[votes["run"] >= 77]):
        parts.add(half, detail_columns(half))
    assert parts.voted == whole.voted and parts.no == whole.no
    for key in whole.stats:
        pd.testing.assert_series_equal(parts.medians(*key), whole.medians(*key))


def test_the_answer_says_why_pakistan_vetoes_and_fits_the_terminal(consensus_run):
    votes = _votes(consensus_run)
    lines = why_no_lines(_stats(consensus_run))
    assert lines and max(len(line) for line in lines) <= 95
    text = re.sub(r"\s+", " ", " ".join(lines))
    pak = votes[votes["country"] == "PAK"]

    def med(col: str) -> str:
        return signed(100 * pak[col].astype(float).median(), 3)

    assert (f"Pakistan votes no in {RUNS} of {RUNS} runs though it expects to gain "
            f"{med('term_econ')} %: econ {med('contrib_econ')}, concern at China's lead "
            f"{med('contrib_dominance')}, sovereignty {med('contrib_sovereignty')}") in text
    # Those that lose are listed compactly, China (which votes yes) nowhere.
    assert "India econ -0.38" in text and "China votes" not in text and "CHN" not in text
    # Who proposed (the scenario's proposer, the one sponsor in the log), and what the
    # losers' figures are, in plain words (2026-12-07).
    sponsors = set(votes.loc[votes["sponsor"].fillna(False).astype(bool), "country"])
    assert sponsors == {"CHN"}
    assert text.startswith("Why states vote no (2026 vote): China proposed it; below, ")
    assert ("The others voting no in most runs expect no gain; each is listed with its econ "
            "term and its largest other term against (concern: at China's lead): Iran econ"
            ) in text


def test_the_readme_sentence_is_the_runs_answer(consensus_run):
    votes = _votes(consensus_run)
    pak = votes[votes["country"] == "PAK"]

    def med(col: str) -> str:
        return signed(100 * pak[col].astype(float).median(), 3)

    readme = re.sub(r"\s+", " ", (ROOT / "README.md").read_text())
    assert (f"the {med('term_econ')} % it expects in the 2026 vote is outweighed by its "
            f"concern at China's lead ({med('contrib_dominance')} points) and the union's "
            f"sovereignty cost ({med('contrib_sovereignty')};") in readme


def test_without_the_concern_pakistan_mostly_votes_yes_as_the_readme_says(tmp_path):
    from scosim.runner import run

    res = run(ROOT / "scenarios" / "customs_union_consensus.yaml", replications=RUNS,
              out=tmp_path, progress=False, plots=False,
              overrides={"parameters.weights.dominance": 0})
    pak = _votes(Path(res.path)).query("country == 'PAK'")
    share = 100 * (~pak["yes"].astype(bool)).mean()
    readme = re.sub(r"\s+", " ", (ROOT / "README.md").read_text())
    assert ("`--set parameters.weights.dominance=0` added it votes no in "
            f"{share:.1f} % of runs") in readme
    assert 0 < share < 50
