"""A state that accedes to the SCO joins RATS in the runs and years where it is a member.

RATS is a permanent body of the SCO (Charter art. 10): its members are the SCO's members.
The checks against something outside the code path: a state that accedes during a run
pools, is partnered and is protected exactly as it would be in a calibration that lists it
among the members from the start, and pools at the same level as an existing member
(Kazakhstan) with the same RATS terms; partner rows sum to 1 (or 0 without partners).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from scosim.data.constants import ECONOMIES
from scosim.model.model import SCOModel
from scosim.proposals.contract import check_batch_consistency
from scosim.runner import run_model
from scosim.scenario import load_scenario
from scosim.security.calibration import load_security_calibration
from scosim.security.mechanism import SecurityMechanism
from scosim.security.model import SecuritySystem
from scosim.security.params import CHANNELS
from scosim.security.proposal import RatsUpgradeProposal, adopt, expected_security_gain

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
AFG, KAZ, PAK = (ECONOMIES.index(c) for c in ("AFG", "KAZ", "PAK"))
RUNS = list(range(12))
# Large vote noise under a simple majority: the accession passes in some runs, not in others.
HEAD = f"""extends: {SCENARIOS / "afghan_instability.yaml"}
years: {{start: 2025, end: 2029}}
parameters:
  security: {{instability: 1.3}}
  council: {{vote_noise: 3.0}}
"""
ACCESSION = """  - type: accession
    id: afg_accession
    year: 2026
    applicant: AFG
    proposer: UZB
    decision_rule: {rule}
"""
UPGRADE = """  - type: rats_upgrade
    id: rats_centre
    year: 2025
    proposer: KAZ
    participants: members
    upgrade_cost_share_gdp: 0.00005
    decision_rule: {rule}
"""


def _scenario(tmp_path: Path, name: str, proposals: str, extra: str = ""):
    text = HEAD + extra + f"name: {name}\n" + ("proposals:\n" + proposals if proposals else "")
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return load_scenario(path)


def _mechanism(model: SCOModel) -> SecurityMechanism:
    return next(m for slot, m in model.mechanisms if slot == "security")


def _with_afg_as_member() -> SecuritySystem:
    """The block with Afghanistan among the calibration's members from the start."""
    cal = load_security_calibration()
    members = cal.members.copy()
    members[AFG] = True
    return SecuritySystem(calibration=replace(cal, members=members))


def _step_years(model: SCOModel) -> list[dict[str, np.ndarray]]:
    """Step the model year by year, keeping what the security slot used each year."""
    mech = _mechanism(model)
    out = []
    while model.running:
        model.step()
        st = mech.state
        out.append({"member": model.is_member()[:, AFG].copy(), "rats": st.rats.copy(),
                    "contribution": st.contribution.copy(),
                    "partners": mech.system.partners_of(st), "state": st,
                    "S": mech.last["security_index"].copy()})
    return out


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("accession")
    sc = _scenario(tmp, "afg_accession", ACCESSION.format(rule="variable_geometry"))
    model = SCOModel(sc, runs=RUNS)
    years = _step_years(model)
    joined = years[-1]["member"]
    # The seed must give both outcomes, or the comparisons below compare nothing.
    assert joined.any() and not joined.all(), joined
    return model, years, joined


def test_new_member_pools_from_its_accession_year(mixed) -> None:
    model, years, joined = mixed
    base = np.asarray(_mechanism(model).system.params.rats_baseline)
    entry = [model.years[k] for k, y in enumerate(years) if y["member"].any()][0]
    assert entry == 2027  # adopted at the 2026 summit, in force at the next (lag 1)
    for year, y in zip(model.years, years, strict=True):
        rats = y["rats"]
        # Existing members pool at today's level in every run, whatever Afghanistan does.
        np.testing.assert_array_equal(rats[:, KAZ], np.broadcast_to(base, rats[:, KAZ].shape))
        if year < entry:
            assert (rats[:, AFG] == 0).all()
        else:
            np.testing.assert_array_equal(rats[joined, AFG], rats[joined, KAZ])
            assert (rats[~joined, AFG] == 0).all()
        np.testing.assert_array_equal(y["member"], joined if year >= entry else False)


def test_partner_rows_gain_the_members(mixed) -> None:
    model, years, joined = mixed
    members0 = load_security_calibration().members
    shared = _mechanism(model).system.partners
    want = _with_afg_as_member().partners
    before, after = years[0]["partners"], years[-1]["partners"]
    # Nobody has acceded in the first year: one shared matrix for the whole batch.
    assert before is shared
    assert after.shape == (len(RUNS), len(ECONOMIES), len(ECONOMIES))
    # Each row sums to 1 (0 for a state with no listed neighbour and outside the SCO).
    sums = after.sum(axis=2)
    assert np.all((np.abs(sums - 1.0) < 1e-12) | (sums == 0.0))
    np.testing.assert_allclose(sums[:, members0 | (np.arange(len(ECONOMIES)) == AFG)], 1.0,
                               rtol=0, atol=1e-12)
    for r in range(len(RUNS)):
        np.testing.assert_array_equal(after[r], want if joined[r] else shared)
    # Afghanistan's row gains every member; every member's row gains Afghanistan.
    assert (after[joined][:, AFG, members0] > 0).all()
    assert (after[joined][:, members0, AFG] > 0).all()
    assert (after[~joined][:, AFG, members0] == shared[AFG, members0]).all()


def test_security_matches_a_calibration_with_the_new_member(mixed) -> None:
    """After accession, each run's security index is what the block gives with Afghanistan a
    member from the start, at the same efforts and RATS levels."""
    _, years, joined = mixed
    st = years[-1]["state"]
    other = _with_afg_as_member()
    S_member = other.security(replace(st, members=None))
    S_now = _mechanism_system().security(st)
    np.testing.assert_allclose(S_now[joined], S_member[joined], rtol=0, atol=1e-15)
    # More pooling, more protection: Afghanistan's index is higher where it acceded.
    S = years[-1]["S"]
    assert S[joined, AFG].min() > S[~joined, AFG].max() + 0.05


def _mechanism_system() -> SecuritySystem:
    from scosim.security.mechanism import _system

    return _system()


def test_expected_incidents_fall_for_the_new_member(mixed) -> None:
    model, _, joined = mixed
    rec = {k: np.stack(v, axis=1) for k, v in model.records.items()}
    lam = rec["expected_incidents"]
    first, last = 0, len(model.years) - 1
    # Same instability every year: Afghanistan's expected incidents drop on accession.
    assert (lam[joined, last, AFG] < 0.9 * lam[joined, first, AFG]).all()
    np.testing.assert_array_equal(lam[~joined, last, AFG], lam[~joined, first, AFG])


def test_new_member_takes_on_a_member_s_customary_effort(mixed) -> None:
    """Conditional cooperation keeps everyone at the customary level (its fixed point), so
    Afghanistan's efforts are 0.2 until it accedes and a member's 0.5 from then on, where it
    acceded; nobody else moves, and its partners do not read the rise as a change of its
    cooperation. Its spending rises by the unit costs times 0.3 (a cost of accession)."""
    model, years, joined = mixed
    params = _mechanism(model).system.params
    entry = [model.years[k] for k, y in enumerate(years) if y["member"].any()][0]
    rec = {k: np.stack(v, axis=1) for k, v in model.records.items()}  # (R, T, N)
    efforts = np.stack([rec[f"effort_{ch}"] for ch in CHANNELS], axis=-1)  # (R, T, N, C)
    after = np.asarray(model.years) >= entry
    member_level = np.mean([params.baseline_effort[c]
                            for c in np.asarray(ECONOMIES)[load_security_calibration().members]])
    assert member_level == 0.5 and params.baseline_effort["AFG"] == 0.2
    np.testing.assert_array_equal(efforts[joined][:, after, AFG], 0.5)
    np.testing.assert_array_equal(efforts[joined][:, ~after, AFG], 0.2)
    np.testing.assert_array_equal(efforts[~joined][:, :, AFG], 0.2)
    others = np.arange(len(ECONOMIES)) != AFG
    np.testing.assert_array_equal(efforts[joined][:, :, others], efforts[~joined][:1, :, others]
                                  .repeat(int(joined.sum()), axis=0))
    spend = rec["spending_share_gdp"][:, :, AFG]  # efforts' costs; no RATS contribution here
    rise = spend[joined][:, after] - spend[~joined][:1, after]
    np.testing.assert_allclose(rise, 0.3 * sum(params.unit_cost), rtol=1e-12, atol=0)


def test_admit_scales_efforts_by_the_customary_levels() -> None:
    """A state keeps its effort relative to its customary level, which becomes a member's:
    0.3 (1.5 times its 0.2) becomes 0.75, 0.6 becomes 1 (the cap); runs and states whose
    membership does not change keep theirs; a member from the start starts at 0.5."""
    sys_ = SecuritySystem()
    members = np.broadcast_to(sys_.cal.members, (3, len(ECONOMIES))).copy()
    st = replace(sys_.baseline_state(3), members=members.copy())
    st.efforts[:, AFG] = [[0.3, 0.6, 0.0]] * 3
    members[[0, 2], AFG] = True
    got = sys_.admit(st, members)
    np.testing.assert_allclose(got.efforts[[0, 2], AFG], [[0.75, 1.0, 0.0]] * 2, rtol=1e-15)
    np.testing.assert_array_equal(got.efforts[1], st.efforts[1])
    np.testing.assert_array_equal(got.efforts[:, ~(np.arange(len(ECONOMIES)) == AFG)],
                                  st.efforts[:, ~(np.arange(len(ECONOMIES)) == AFG)])
    np.testing.assert_array_equal(got.members, members)
    # Admitting again (membership unchanged) changes nothing.
    np.testing.assert_array_equal(sys_.admit(got, members).efforts, got.efforts)
    start = sys_.baseline_state(3, members=members)
    np.testing.assert_array_equal(start.efforts[[0, 2], AFG], 0.5)
    np.testing.assert_array_equal(start.efforts[1], sys_.baseline_state(1).efforts[0])


def test_runs_without_accession_equal_a_scenario_without_it(mixed, tmp_path) -> None:
    model, _, joined = mixed
    plain = run_model(_scenario(tmp_path, "no_accession", ""), runs=RUNS)
    assert model.records.keys() >= plain.records.keys()
    for key in plain.records:
        got = np.stack(model.records[key], axis=1)[~joined]
        want = np.stack(plain.records[key], axis=1)[~joined]
        np.testing.assert_array_equal(got, want, err_msg=key)


def test_an_upgrade_in_force_reaches_the_new_member(tmp_path) -> None:
    """The upgrade is adopted in 2025 (in force 2026), Afghanistan accedes in 2027: from then
    on it pools at the upgraded levels and pays the same share of GDP as Kazakhstan."""
    props = UPGRADE.format(rule="consensus") + ACCESSION.format(rule="consensus")
    sc = load_scenario(_write(tmp_path, "upgrade_then_accession", props))
    model = SCOModel(sc, runs=[0, 1])
    years = _step_years(model)
    intel = CHANNELS.index("intel")
    for year, y in zip(model.years, years, strict=True):
        rats, contrib = y["rats"], y["contribution"]
        if year >= 2027:
            np.testing.assert_array_equal(rats[:, AFG], rats[:, KAZ])
            np.testing.assert_array_equal(contrib[:, AFG], contrib[:, KAZ])
            assert (rats[:, AFG, intel] > 1.0).all() and (contrib[:, AFG] > 0).all()
        else:
            assert (rats[:, AFG] == 0).all() and (contrib[:, AFG] == 0).all()
    rec = {k: np.stack(v, axis=1) for k, v in model.records.items()}
    np.testing.assert_array_equal(rec["rats_upgraded"][:, :, AFG],
                                  [[0, 0, 1, 1, 1]] * 2)


def _write(tmp_path: Path, name: str, proposals: str) -> Path:
    # Everyone votes yes: the upgrade and the accession pass in every run.
    text = (HEAD.replace("  council: {vote_noise: 3.0}\n",
                         "  rules: {vote: always_yes}\n")
            + f"name: {name}\nproposals:\n" + proposals)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def test_block_groups_runs_by_membership() -> None:
    """Two runs with one accession share one partner matrix; the other runs keep the
    calibration's, and their security and efforts equal a batch where nobody accedes."""
    sys_ = SecuritySystem()
    members = np.broadcast_to(sys_.cal.members, (4, len(ECONOMIES))).copy()
    members[[1, 3], AFG] = True
    st = sys_.baseline_state(4, members=members)
    groups = sys_.partner_groups(st.members)
    assert len(groups) == 1
    np.testing.assert_array_equal(groups[0][0], [1, 3])
    assert sys_.partner_groups(st.members)[0][1] is groups[0][1]  # cached, not rebuilt
    plain = sys_.baseline_state(4)
    np.testing.assert_array_equal(sys_.security(st)[[0, 2]], sys_.security(plain)[[0, 2]])
    assert (sys_.security(st)[[1, 3], AFG] > sys_.security(plain)[[1, 3], AFG]).all()
    rules = dict.fromkeys(ECONOMIES[:-1], "conditional_cooperation")
    # The calibrated baseline stays the rule's fixed point for the new member too.
    np.testing.assert_array_equal(sys_.choose_efforts(st, rules), st.efforts)
    # A members-wide upgrade put in force by with_rats takes each run's members.
    up = sys_.with_rats(st, (1.5, 1.0, 1.0))
    np.testing.assert_array_equal(up.rats[[1, 3], AFG], [[1.5, 1.0, 1.0]] * 2)
    assert (up.rats[[0, 2], AFG] == 0).all()


def test_upgrade_preview_sees_the_new_member_s_partners() -> None:
    """The security gain a rats_upgrade preview shows after an accession (members in the
    state) equals the gain in a calibration listing the new member from the start."""
    sys_, other = SecuritySystem(), _with_afg_as_member()
    members = np.broadcast_to(other.cal.members, (2, len(ECONOMIES))).copy()
    st = sys_.baseline_state(2, members=members)
    prop = RatsUpgradeProposal(type="rats_upgrade", id="rats-uc", year=2026, proposer="KAZ")
    got = expected_security_gain(sys_, prop, st, 1.3, participants=members)
    want = expected_security_gain(other, prop, replace(st, members=None), 1.3,
                                  participants=members)
    # The index gain and the cost; incidents avoided differ, since that calibration's
    # 2018-2022 reference index S0 has Afghanistan pooling already.
    for key in ("gain", "cost_share_gdp"):
        np.testing.assert_allclose(got[key], want[key], rtol=0, atol=1e-12, err_msg=key)
    assert (got["gain"][:, AFG] > 0).all() and (got["cost_share_gdp"][:, AFG] > 0).all()
    # The same by adopt: a members-wide upgrade takes each run's members.
    up = adopt(sys_, prop, st)
    np.testing.assert_array_equal(up.rats[:, AFG], up.rats[:, KAZ])


def test_a_run_alone_equals_its_row_of_a_mixed_batch(mixed, tmp_path) -> None:
    """The contract kit on the mixed scenario: two runs that differ in whether Afghanistan
    accedes, each alone equals its row of the batch (records and events, exactly)."""
    _, _, joined = mixed
    # Picked from the outcome, not fixed: the votes (and so which runs accede) move when
    # the vote's terms do (the accession's security term, for one).
    pair = [RUNS[int(np.flatnonzero(joined)[0])], RUNS[int(np.flatnonzero(~joined)[0])]]
    sc = _scenario(tmp_path, "afg_accession", ACCESSION.format(rule="variable_geometry"))
    check_batch_consistency(sc, runs=pair)


def test_an_upgrade_does_not_make_a_state_that_is_no_member_pool(tmp_path):
    # Iran is a member in the data; a scenario that makes it an observer must not see it
    # pool intelligence once any upgrade is in force (before, the upgrade's lever started
    # from the calibration's members, and Iran's security index jumped by the pooling term).
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    scen = Path(__file__).resolve().parents[1] / "scenarios"
    # Voted through: at face value the members facing no incidents veto the upgrade.
    over = {"replications": 2, "countries.IRN.status": "observer",
            "parameters.rules.vote": "always_yes"}

    def index(name):
        m = SCOModel(load_scenario(scen / name, overrides=over))
        m.run_model()
        assert not m.is_member()[:, m.codes.index("IRN")].any()
        return np.stack(m.records["security_index"])[:, :, m.codes.index("IRN")], m

    upgraded, m = index("afghan_instability_rats.yaml")
    assert any(a.in_force.any() for a in m.arrangements)
    plain, _ = index("afghan_instability.yaml")
    np.testing.assert_allclose(upgraded, plain, rtol=0, atol=1e-12)
