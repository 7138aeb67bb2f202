"""The accession vote sees RATS: the preview's ``security`` term (docs/security.md section 11).

A new member joins RATS, so with the security slot filled each state's ``security`` term
is the damage of the incidents it expects to avoid if the applicant were a member, and
``info["security_index_gain"]`` its expected change of the security index. The checks
against something outside the code path: the index change equals the difference of two
:class:`SecuritySystem` evaluations (the state as it is; the same state with Afghanistan
listed among the calibration's members and pooling at today's level), it is what the run
then realises when the accession passes and efforts stay put, the Council weighs it with
``weights.security`` exactly like any other term (the vote events' ``contrib_*`` add up),
and a run alone equals its row of a batch where the accession passes in some runs only.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.data.constants import ECONOMIES
from scosim.model.gdp_shares import year_gdp_over_expenditure
from scosim.model.model import SCOModel
from scosim.proposals.contract import check_batch_consistency
from scosim.runner import run_model
from scosim.scenario import load_scenario
from scosim.security.calibration import load_security_calibration
from scosim.security.damage import vote_security_term
from scosim.security.model import SecuritySystem

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
AFG = ECONOMIES.index("AFG")
MEMBERS = load_security_calibration().members
RUNS = list(range(12))
# Security slot filled, constant instability; large vote noise under a simple majority so
# that the accession passes in some runs and not in others.
HEAD = f"""extends: {SCENARIOS / "afghan_instability.yaml"}
years: {{start: 2025, end: 2027}}
parameters:
  security: {{instability: 1.3}}
  council: {{vote_noise: 3.0}}
  # Long-run trade from the first year: the 2025 agreements' baseline then stays put from
  # the summit to the run (model.dated_agreements), as the exact checks below need.
  trade: {{short_run_share: 1.0}}
"""
# The same world without the security slot (the weight stays, so a zero term is a zero).
NO_SLOT = f"""extends: {SCENARIOS / "baseline.yaml"}
years: {{start: 2025, end: 2027}}
parameters:
  weights: {{security: 0.01}}
"""
ACCESSION = """proposals:
  - type: accession
    id: afg_accession
    year: 2026
    applicant: AFG
    proposer: UZB
    decision_rule: variable_geometry
"""


def _scenario(tmp_path: Path, name: str, head: str = HEAD, extra: str = ""):
    path = tmp_path / f"{name}.yaml"
    path.write_text(head + extra + f"name: {name}\n" + ACCESSION)
    return load_scenario(path)


def _votes(model: SCOModel) -> pd.DataFrame:
    ev = model.log.to_frame()
    out = ev[(ev["type"] == "vote") & (ev["proposal"] == "afg_accession")]
    return out.sort_values(["run", "country"]).reset_index(drop=True)


def _preview_2026(model: SCOModel):
    """Step 2025, then preview the accession as the 2026 summit does."""
    model.step()
    arr = model.arrangements[0]
    return arr.preview(model, arr.invitees(model))


@pytest.fixture(scope="module")
def stepped(tmp_path_factory):
    """A batch stepped through 2025, its 2026 preview, and the security block's state."""
    sc = _scenario(tmp_path_factory.mktemp("vote"), "afg_vote")
    model = SCOModel(sc, runs=RUNS[:3])
    pv = _preview_2026(model)
    mech = next(m for slot, m in model.mechanisms if slot == "security")
    return model, pv, mech.system, mech.state


def test_security_term_is_the_index_with_the_applicant_minus_without(stepped) -> None:
    _, pv, system, state = stepped
    assert state.members is not None and not state.members[:, AFG].any()
    rats = state.rats.copy()
    rats[:, AFG] = np.asarray(system.params.rats_baseline)  # a member pools at today's level
    # The block with Afghanistan among the calibration's members from the start.
    listed = load_security_calibration()
    listed = SecuritySystem(calibration=replace(listed, members=listed.members | (
        np.arange(len(ECONOMIES)) == AFG)))
    # A new member takes on a member's customary effort: Afghanistan's efforts scale by the
    # members' mean baseline effort over its own (0.5 / 0.2 by default).
    base = system.params.baseline_effort
    scale = np.mean([base[c] for c, m in zip(ECONOMIES, MEMBERS, strict=True) if m]) / base["AFG"]
    efforts = state.efforts.copy()
    efforts[:, AFG] = np.minimum(efforts[:, AFG] * scale, 1.0)
    assert scale == 2.5 and (efforts[:, AFG] > state.efforts[:, AFG]).all()
    with_afg = listed.security(replace(state, rats=rats, members=None, efforts=efforts))
    without = system.security(state)
    np.testing.assert_allclose(pv.info["security_index_gain"], with_afg - without, rtol=0,
                               atol=1e-12)
    # The same through the run's own membership (the way the mechanism sees an accession).
    members = state.members.copy()
    members[:, AFG] = True
    direct = system.security(replace(state, rats=rats, members=members, efforts=efforts))
    np.testing.assert_array_equal(pv.info["security_index_gain"], direct - without)
    # The vote's term is the damage those incidents avoided would do (section 6), in levels:
    # zero for a member that faces no incidents (Kazakhstan) whatever its index gains.
    model = stepped[0]
    np.testing.assert_allclose(
        pv.scores["security"],
        vote_security_term(pv.info["incidents_avoided"], model.population,
                           year_gdp_over_expenditure(model)), rtol=1e-12, atol=0)
    # Kazakhstan faces no incidents of its own: all it expects are groups its neighbours'
    # better protection displaces to it (safe havens, docs/security.md section 4), so its
    # term is at most 0 whatever its index gains.
    kaz = ECONOMIES.index("KAZ")
    assert (pv.scores["security"][:, kaz] <= 0).all()
    assert (pv.info["security_index_gain"][:, kaz] > 0).all()


def test_applicant_gains_members_and_its_neighbours_a_little(stepped) -> None:
    _, pv, system, state = stepped
    sec = pv.info["security_index_gain"]
    assert (sec[:, AFG] > 0.05).all()
    # As a member Afghanistan pools intelligence at a member's effort (0.5, was 0.2), which
    # adds to every member's pooled term, and a member whose partners include states below
    # that level gains a little more; Kyrgyzstan, whose partners are all members at 0.5
    # already, gains exactly the change of the pooled term. The pool is a weaker link
    # (pool_rho = -1): n^2 over the sum of 1 / x, x = effort times enforcement capacity
    # (Heritage Rule of Law, scaled as below), written out here.
    assert ((sec[:, MEMBERS] > 0) & (sec[:, MEMBERS] < 0.02)).all()
    assert (sec[:, ECONOMIES.index("PAK")] > sec[:, ECONOMIES.index("KGZ")]).all()
    kgz = ECONOMIES.index("KGZ")
    p = system.params
    assert p.pool_rho == -1.0 and p.enforcement_weight == 1.0
    # Capacity: the Rule of Law score scaled by today's members' mean customary effort over
    # the harmonic mean of their effort times score, so they pool their summed effort.
    k, e0 = system.cal.enforcement, system.e0
    kap = k * e0[MEMBERS].mean() / (1.0 / (1.0 / (e0 * k)[MEMBERS]).mean())
    e = state.efforts[:, :, 0]
    e_in = e.copy()
    e_in[:, AFG] = system.member_effort
    poolers = MEMBERS | (np.arange(len(ECONOMIES)) == AFG)

    def harmonic_pool(eff: np.ndarray, who: np.ndarray) -> np.ndarray:
        return who.sum() ** 2 / (1.0 / (eff * kap)[:, who]).sum(axis=1)

    dz = p.k_pool[0] * p.rats_baseline[0] * (harmonic_pool(e_in, poolers)
                                              - harmonic_pool(e, MEMBERS)) / p.pool_reference
    assert (dz > 0).all()
    before = system.security(state)[:, kgz]
    np.testing.assert_allclose(sec[:, kgz], (1 - before) * -np.expm1(-dz), rtol=0, atol=1e-12)
    # Outside the SCO, only Afghanistan's neighbours gain (Turkmenistan): more effort next door.
    tkm = ECONOMIES.index("TKM")
    others = ~MEMBERS & ~np.isin(np.arange(len(ECONOMIES)), [AFG, tkm])
    assert (sec[:, others] == 0).all() and (sec[:, tkm] > 0).all()
    # Expected incidents avoided go with the index: Afghanistan's and Pakistan's fall.
    avoided = pv.info["incidents_avoided"]
    assert (avoided[:, AFG] > 0).all() and (avoided[:, ECONOMIES.index("PAK")] > 0).all()
    # Had Afghanistan kept its own customary effort (0.2), it would add less to the pool and
    # lower the members' partner averages: every member would gain less; with the weakest
    # link its effective enforcement (0.2 times a capacity of 0.55 of the members' mean) is
    # so far below theirs that the pool falls and every member loses.
    rats, members = state.rats.copy(), state.members.copy()
    rats[:, AFG] = np.asarray(system.params.rats_baseline)
    members[:, AFG] = True
    kept = system.security(replace(state, rats=rats, members=members)) - system.security(state)
    assert ((kept[:, MEMBERS] < 0) & (kept[:, MEMBERS] < sec[:, MEMBERS])).all()


def test_term_is_what_the_run_realises_when_the_accession_passes(tmp_path) -> None:
    """Efforts stay at their baseline here, so the preview's change of the index is the
    change the run records from 2026 to 2027 where Afghanistan acceded (and 0 elsewhere)."""
    model = SCOModel(_scenario(tmp_path, "afg_realised"), runs=RUNS)
    pv = _preview_2026(model)
    while model.running:
        model.step()
    joined = model.is_member()[:, AFG]
    assert joined.any() and not joined.all(), joined
    S = np.stack(model.records["security_index"], axis=1)  # (R, T, N)
    change = S[:, 2] - S[:, 1]
    np.testing.assert_allclose(change[joined], pv.info["security_index_gain"][joined], rtol=0,
                               atol=1e-12)
    assert (change[~joined] == 0).all()


def test_term_is_zero_without_the_security_slot(tmp_path) -> None:
    sc = _scenario(tmp_path, "afg_no_slot", head=NO_SLOT)
    model = SCOModel(sc, runs=RUNS[:2])
    assert not any(slot == "security" for slot, _ in model.mechanisms)
    pv = _preview_2026(model)
    assert (pv.scores["security"] == 0).all() and pv.info == {}
    while model.running:
        model.step()
    votes = _votes(model)
    assert len(votes) == 2 * int(MEMBERS.sum())
    assert (votes["term_security"].to_numpy(dtype=float) == 0).all()
    assert (votes["contrib_security"].to_numpy(dtype=float) == 0).all()


def test_weight_scales_the_members_scores_by_weight_times_term(tmp_path) -> None:
    """The score before the shock is the sum of the signed, weighted terms (``contrib_*``):
    raising ``weights.security`` from 1 to 5 moves each member's score by exactly
    4 x its security term, and nothing else in it."""
    runs = RUNS[:4]
    low = run_model(_scenario(tmp_path, "afg_w01"), runs=runs)
    high = run_model(_scenario(tmp_path, "afg_w05",
                               extra="  weights: {security: 5.0}\n"), runs=runs)
    a, b = _votes(low), _votes(high)
    assert len(a) == len(runs) * int(MEMBERS.sum())
    pd.testing.assert_frame_equal(a[["run", "country"]], b[["run", "country"]])
    term = a["term_security"].to_numpy(dtype=float)
    np.testing.assert_array_equal(term, b["term_security"].to_numpy(dtype=float))
    # The term the voters saw is the preview's, each member's own.
    pv = _preview_2026(SCOModel(_scenario(tmp_path, "afg_w01"), runs=runs))
    col = [ECONOMIES.index(c) for c in a["country"].astype(str)]
    np.testing.assert_array_equal(term, pv.scores["security"][a["run"].to_numpy(int), col])
    # Most members' terms are not zero: incidents avoided (the pool's gain, held back by a
    # weak new member) net of groups displaced to them (safe havens); their signs are the
    # preview's, checked in test_security_weakest_link.py and test_security_haven.py.
    assert (term != 0).mean() > 0.5
    for votes, w in ((a, 1.0), (b, 5.0)):
        np.testing.assert_allclose(votes["contrib_security"].to_numpy(dtype=float), w * term,
                                   rtol=1e-15, atol=0)
    parts = [c for c in a.columns if c.startswith("contrib_")]
    assert len(parts) == 5
    for c in parts:
        if c != "contrib_security":
            np.testing.assert_array_equal(a[c].to_numpy(dtype=float), b[c].to_numpy(dtype=float))
    score_a = a[parts].to_numpy(dtype=float).sum(axis=1)
    score_b = b[parts].to_numpy(dtype=float).sum(axis=1)
    np.testing.assert_allclose(score_b - score_a, 4.0 * term, rtol=1e-12, atol=1e-18)
    # And the score is what the vote rule saw, shock aside.
    for votes in (a, b):
        np.testing.assert_allclose(
            votes[parts].to_numpy(dtype=float).sum(axis=1) + votes["noise"].to_numpy(float),
            votes["utility"].to_numpy(dtype=float), rtol=0, atol=1e-12)


def test_preview_of_a_batch_is_each_run_alone(tmp_path, check_scaled_preview) -> None:
    """Runs with different efforts (halved, kept, raised by half) give different terms, and
    the batch preview equals, row by row, each run's preview alone."""
    check_scaled_preview(_scenario(tmp_path, "afg_rows"))


def test_a_run_alone_equals_its_row_of_a_mixed_batch(tmp_path) -> None:
    """The contract kit where the accession passes in one run and not in the other."""
    sc = _scenario(tmp_path, "afg_mixed")
    model = run_model(sc, runs=RUNS)
    joined = model.is_member()[:, AFG]
    pair = [int(np.flatnonzero(joined)[0]), int(np.flatnonzero(~joined)[0])]
    check_batch_consistency(sc, runs=pair)


def test_runs_where_the_applicant_is_already_a_member_get_zero() -> None:
    """Only the runs still deciding are previewed: where Afghanistan is already a member
    (run 1) the term is 0, and run 0's equals a batch of run 0 alone."""
    from scosim.security.proposal import accession_security_gain

    system = SecuritySystem()
    members = np.broadcast_to(MEMBERS, (2, len(ECONOMIES))).copy()
    members[1, AFG] = True
    state = system.baseline_state(2, members=members)
    got = accession_security_gain(system, state, AFG, 1.3, runs=~members[:, AFG])
    assert (got["gain"][1] == 0).all() and (got["incidents_avoided"][1] == 0).all()
    alone = accession_security_gain(system, system.baseline_state(1, members=members[:1]),
                                    AFG, 1.3)
    np.testing.assert_array_equal(got["gain"][0], alone["gain"][0])
    assert got["gain"][0, AFG] > 0
