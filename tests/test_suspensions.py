"""A trade suspension between two participants: lifted by the arrangement, or kept."""

from __future__ import annotations

import numpy as np
import pytest

from scosim.data import load_calibration
from scosim.data.agreements import deepest
from scosim.data.tariffs import SUSPENSION_PAIRS
from scosim.mechanisms.suspensions import (
    banned_pairs,
    hold_suspended,
    lift_bans,
    suspended_pairs,
)
from scosim.mechanisms.trade import solve_ge
from scosim.model.model import SCOModel
from scosim.model.policy import PolicyState
from scosim.scenario import ScenarioError, load_scenario

STAY = {"parameters.rules.defect": "never_defect"}


@pytest.fixture(scope="module")
def cal():
    return load_calibration("2023")


def test_the_suspended_pairs_are_the_cells_the_data_build_set_to_the_suspension(cal) -> None:
    """Read from the provenance, the suspended pairs are India-Pakistan both ways, the
    cells whose tariff the build set to the suspension's equivalent, a barrier well above
    the importer's MFN rate; 2019 records none."""
    codes = list(cal.economies)
    s = suspended_pairs(cal.provenance, codes)
    expected = np.zeros_like(s)
    for exporter, importer in SUSPENSION_PAIRS:
        expected[codes.index(exporter), codes.index(importer)] = True
    np.testing.assert_array_equal(s, expected)
    mfn = cal.countries["tariff_mfn"].to_numpy(dtype=float)
    assert np.all(cal.tariff_matrix()[s] > 5 * np.broadcast_to(mfn, s.shape)[s])
    assert not suspended_pairs(load_calibration("2019").provenance, codes).any()


def test_the_provenance_says_which_measure_is_a_ban_and_which_a_duty(cal) -> None:
    """Pakistan's suspension of trade with India is a ban (no revenue), India's 200 % on
    Pakistani goods a duty: the provenance of each cell says so, and only the ban is read
    as one."""
    codes = list(cal.economies)
    ban = banned_pairs(cal.provenance, codes)
    assert ban.sum() == 1 and ban[codes.index("IND"), codes.index("PAK")]
    assert "[ban: no revenue" in cal.source_of("value", "IND-PAK", table="tariffs")["method"]
    assert "[duty: tariff revenue]" in cal.source_of("value", "PAK-IND",
                                                     table="tariffs")["method"]
    assert not banned_pairs(load_calibration("2019").provenance, codes).any()


def test_the_ban_earns_no_revenue_and_the_duty_its_own_in_the_base_year(cal) -> None:
    """The base year's identity: the model's flows are the data's CIF flows on the ban's
    cell (no duty on top), the cell books no revenue, and India's revenue on Pakistani
    goods is the duty's equivalent times the data's flow, as before. Before the kinds were
    told apart, Pakistan booked US$0.12 bn a year (0.468 x US$258 m) it never collected.
    At sigma 5 exactly (no draw around it): the table's own equivalents."""
    sc = load_scenario("scenarios/baseline.yaml",
                       overrides={"parameters.trade.sigma_spread": 0.0})
    m = SCOModel(sc, runs=range(1), calibration=cal)
    codes = list(m.codes)
    i, p = codes.index("IND"), codes.index("PAK")
    cif = cal.trade.loc[codes, codes].to_numpy(dtype=float)
    assert m.flows0[i, p] == cif[i, p]
    assert m.tau0[i, p] == 0.0
    assert m.tau0[p, i] == cal.tariffs.loc["PAK", "IND"]
    assert m.flows0[p, i] == cif[p, i] * (1.0 + cal.tariffs.loc["PAK", "IND"])
    # the barrier is still there, as a trade cost: the same fall at sigma - 1
    t5 = cal.tariffs.loc["IND", "PAK"]
    assert m.ban_factor[i, p] == pytest.approx((1.0 + t5) ** (5.0 / 4.0), rel=1e-12)
    assert np.count_nonzero(m.ban_factor != 1.0) == 1
    # the base year against itself (its revenue is the baseline's)
    ge = solve_ge(m.flows0, sigma=5.0, tariffs=m.tau0, new_tariffs=m.tau0, deficits="level")
    rev = np.asarray(ge.baseline_tariff_revenue)
    off = ~np.eye(len(codes), dtype=bool)
    by_cell = np.where(off, cif * m.tau0, 0.0)
    assert rev[p] == pytest.approx(by_cell[:, p].sum(), rel=1e-12)
    assert by_cell[i, p] == 0.0
    assert rev[i] == pytest.approx(by_cell[:, i].sum(), rel=1e-12)
    assert by_cell[p, i] == pytest.approx(1.4738 * 7.695e6, rel=1e-4)  # US$0.011 bn


def test_lifting_a_ban_twice_lifts_it_once_as_far_as_the_deeper_goes() -> None:
    """Two arrangements ending the same ban (a union and a free-trade area of both)
    remove the barrier once; a third of the way removes a third of its ad valorem
    equivalent; a ban on an outsider, or in a run where the arrangement is not in force,
    stays."""
    factor = np.ones((3, 3))
    factor[0, 1] = 1.6
    pol = PolicyState(tariffs=np.zeros((3, 3, 3)), cost_change=np.ones((3, 3, 3)))
    part = np.array([[True, True, False], [True, True, False], [True, False, True]])
    active = np.array([True, False, True])
    lift_bans(pol, factor, part, np.array([1.0 / 3.0, 1.0, 1.0]), active)
    np.testing.assert_allclose(pol.ban_change[:, 0, 1], [(1.0 + 0.4) / 1.6, 1.0, 1.0],
                               rtol=1e-15)
    lift_bans(pol, factor, part, np.ones(3), np.ones(3, dtype=bool))
    lift_bans(pol, factor, part, np.ones(3), np.ones(3, dtype=bool))
    np.testing.assert_allclose(pol.ban_change[:, 0, 1], [1.0 / 1.6, 1.0 / 1.6, 1.0],
                               rtol=1e-15)
    moved = np.ones((3, 3), dtype=bool)
    moved[0, 1] = False
    assert np.all(pol.ban_change[:, moved] == 1.0)
    assert np.all(pol.cost_change == 1.0)  # trade policy, not the year's trade costs


def test_the_suspension_overrides_an_agreement_in_force_in_the_base_year(cal) -> None:
    """What ``kept`` mirrors: SAFTA is in force between the two, yet the base tariff is
    the suspension's, not SAFTA's zero."""
    pairs = deepest(cal.agreement_spells, int(cal.base_year))
    assert pairs[("IND", "PAK")][0] == pairs[("PAK", "IND")][0] == "FTA"
    codes = list(cal.economies)
    tau = cal.tariff_matrix()[codes.index("IND"), codes.index("PAK")]
    assert cal.source_of("value", "IND-PAK", table="tariffs")["source_id"] == "ind_pak_suspension"
    assert tau > 5 * cal.countries.loc["PAK", "tariff_mfn"]


def test_hold_suspended_keeps_a_participants_ban_on_an_outsider_always() -> None:
    new = np.zeros((3, 3, 3))
    old = np.full((3, 3, 3), 2.0)
    suspended = np.zeros((3, 3), dtype=bool)
    suspended[0, 1] = suspended[1, 0] = True
    # run 0: both inside; run 1: importer 0 inside, 1 outside; run 2: neither
    part = np.array([[True, True, True], [True, False, True], [False, False, True]])
    lifted = hold_suspended(new, old, part, suspended, internal=False)
    kept = hold_suspended(new, old, part, suspended, internal=True)
    assert lifted[0, 0, 1] == lifted[0, 1, 0] == 0.0
    assert kept[0, 0, 1] == kept[0, 1, 0] == 2.0
    for out in (lifted, kept):
        assert out[1, 1, 0] == 2.0  # the participant's ban on the outsider stays
        assert out[1, 0, 1] == 0.0  # the outsider's own tariff is not the union's to hold
        assert not out[2].any()
        assert out[:, ~suspended].sum() == 0.0


def _run(name: str, mode: str, cal) -> SCOModel:
    sc = load_scenario(f"scenarios/{name}.yaml",
                       overrides={**STAY, "proposals.0.suspensions": mode})
    m = SCOModel(sc, runs=range(6), calibration=cal)
    m.run_model()
    return m


@pytest.mark.parametrize("name", ["customs_union", "free_trade_area"])
def test_kept_holds_india_pakistan_and_changes_nothing_else(name, cal) -> None:
    """At full phase-in, ``lifted`` trades India-Pakistan at zero and ``kept`` at the
    suspension's tariff; every other cell is the same in both; Pakistan gains a little
    from the ended suspension, and loses it when the suspension is kept."""
    codes = list(cal.economies)
    i, p = codes.index("IND"), codes.index("PAK")
    lifted, kept = _run(name, "lifted", cal), _run(name, "kept", cal)
    assert np.all(lifted.tariffs[:, i, p] == 0.0) and np.all(lifted.tariffs[:, p, i] == 0.0)
    # each run's own sigma, drawn in [4, 6]: the table's sigma-5 equivalent re-stated
    assert kept.tau0.shape == (6, len(codes), len(codes))
    t5 = cal.tariffs.loc["PAK", "IND"]
    np.testing.assert_allclose(kept.tau0[:, p, i], (1.0 + t5) ** (5.0 / kept.sigma) - 1.0,
                               rtol=1e-14)
    assert np.all(kept.tariffs[:, p, i] == kept.tau0[:, p, i])
    # Pakistan's ban is a trade cost, not a tariff: its cell is SAFTA's zero either way,
    # and the arrangement removes the barrier (lifted) or leaves it (kept).
    assert np.all(kept.tariffs[:, i, p] == 0.0) and np.all(kept.tau0[:, i, p] == 0.0)
    np.testing.assert_allclose(lifted.policy.ban_change[:, i, p],
                               1.0 / lifted.ban_factor[:, i, p], rtol=1e-15)
    assert kept.policy.ban_change is None
    other = np.ones((len(codes), len(codes)), dtype=bool)
    other[i, p] = other[p, i] = False
    np.testing.assert_array_equal(kept.tariffs[:, other], lifted.tariffs[:, other])
    assert np.all(lifted.policy.ban_change[:, other] == 1.0)
    w_lifted = np.asarray(lifted.records["welfare_change_pct"])[-1]
    w_kept = np.asarray(kept.records["welfare_change_pct"])[-1]
    # Ending the suspension restores about US$2.5 bn of trade a year (its 2016-2018 level,
    # scaled): worth a few hundredths of a point of Pakistan's welfare, not percents.
    gain = w_lifted[:, p] - w_kept[:, p]
    assert np.all(gain > 0.01) and np.all(gain < 0.2)
    # India loses its new access to Pakistan's market too
    assert np.all(w_kept[:, i] < w_lifted[:, i])


def test_a_bad_value_names_the_field_and_what_is_allowed() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario("scenarios/customs_union.yaml",
                      overrides={"proposals.0.suspensions": "ended"})
    text = str(err.value)
    assert "suspensions" in text and "lifted" in text and "kept" in text


def test_a_union_without_the_other_party_does_not_end_the_suspension(cal) -> None:
    """A union of China and Pakistan charges outsiders the CET, but Pakistan's suspension
    of trade with India is not a duty the CET replaces: it stays, under either setting,
    and India's exports to Pakistan do not grow."""
    codes = list(cal.economies)
    i, p = codes.index("IND"), codes.index("PAK")
    for mode in ("lifted", "kept"):
        sc = load_scenario("scenarios/customs_union.yaml", overrides={
            **STAY, "proposals.0.suspensions": mode, "proposals.0.participants": ["CHN", "PAK"]})
        m = SCOModel(sc, runs=range(4), calibration=cal)
        m.run_model()
        union = next(a for a in m.arrangements if a.name == "customs_union")
        assert union.year_participants[:, [codes.index("CHN"), p]].all()
        assert np.all(m.tariffs[:, i, p] == 0.0)  # SAFTA's zero under the ban
        assert m.policy.ban_change is None  # the ban stays
        cet = union.terms["cet"]
        assert np.all(m.tariffs[:, codes.index("KAZ"), p] > 0.5 * cet)  # others pay the CET
