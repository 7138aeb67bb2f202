"""An accession decided by default says so: the answer, the vote panel, the timeline.

The reviewer's case: with ``type: accession, applicant: TKM`` and no member-wide
arrangement in force, every voter's score terms are 0 (docs/model.md, Known gaps); the
answer said "adopted in every run" with no caveat, the vote_reasons panel had no bars
and no word, and membership_timeline.png showed customs-union membership only.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from scosim.runstats import RunStats

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def _run(tmp_path: Path, extra: str = "", plots: bool = False):
    from scosim.runner import run

    path = tmp_path / "acc.yaml"
    path.write_text(f"extends: {BASELINE}\nname: tkm_accession\nproposals:\n"
                    "  - {type: accession, id: tkm_join, year: 2027, applicant: TKM}\n" + extra)
    res = run(str(path), replications=4, out=tmp_path / "r", progress=False, plots=plots)
    return res, RunStats.from_frames(res.indicators, res.events)


@pytest.fixture(scope="module")
def neutral(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("neutral"), plots=True)  # the answer is written too


def test_the_answer_says_a_vote_that_weighed_nothing_is_no_finding(neutral):
    from scosim.run_outcome import zero_score_lines

    res, st = neutral
    assert st.first_votes["tkm_join"].terms_all_zero
    said = " ".join(zero_score_lines(st))
    assert said.startswith("proposal tkm_join: every voting state's score terms were 0 at its "
                           "2027 vote")
    assert "parameters.weights.trust" in said and "trust_shock" in said
    answer = " ".join((Path(res.path) / "summary.txt").read_text().split())
    assert "adopted in every run proposal tkm_join: every voting state's score terms" in answer


def test_a_trust_shock_gives_the_vote_a_reason_and_the_caveat_goes(tmp_path):
    from scosim.run_outcome import zero_score_lines

    _, st = _run(tmp_path, "events:\n  - {type: trust_shock, year: 2026, countries: [TKM, "
                           "CHN, RUS], size: -0.5}\n")
    assert not st.first_votes["tkm_join"].terms_all_zero
    assert zero_score_lines(st) == []


def test_the_vote_panel_says_in_words_that_every_score_term_is_zero(neutral):
    from scosim.plot_votes import ALL_ZERO_PANEL, _draw_panel, vote_reasons_all

    _, st = neutral
    (data,) = vote_reasons_all(st)
    assert data.contributions.columns.empty  # nothing to draw ...
    fig, ax = plt.subplots()
    _draw_panel(ax, data)
    texts = [" ".join(t.get_text().split()) for t in ax.texts]
    plt.close(fig)
    assert ALL_ZERO_PANEL in texts  # ... and the panel says why
    assert "weights.trust" in ALL_ZERO_PANEL


def test_the_timeline_shows_sco_membership_from_the_accession_s_year(neutral):
    from scosim.plot_membership import sco_membership

    res, st = neutral
    ev = res.events
    joined = ev[(ev["type"] == "accession") & (ev["country"] == "TKM")]
    assert joined["run"].nunique() == 4
    year = int(joined["year"].min())
    sco = sco_membership(st)
    assert list(sco.columns) == ["TKM"]  # the ten members are in throughout: not drawn
    assert (sco.loc[sco.index < year, "TKM"] == 0).all()  # a member from the accession's year
    assert (sco.loc[sco.index >= year, "TKM"] == 1).all()
