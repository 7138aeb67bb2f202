"""A trade suspension between two participants: lifted by the arrangement, or kept."""

from __future__ import annotations

import numpy as np
import pytest

from scosim.data import load_calibration
from scosim.data.agreements import deepest
from scosim.data.tariffs import SUSPENSION_PAIRS
from scosim.mechanisms.suspensions import hold_suspended, suspended_pairs
from scosim.model.model import SCOModel
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
    assert np.all(kept.tariffs[:, i, p] == kept.tau0[i, p])
    assert np.all(kept.tariffs[:, p, i] == kept.tau0[p, i])
    assert kept.tau0[i, p] == cal.tariffs.loc["IND", "PAK"]  # sigma 5: the table's
    other = np.ones((len(codes), len(codes)), dtype=bool)
    other[i, p] = other[p, i] = False
    np.testing.assert_array_equal(kept.tariffs[:, other], lifted.tariffs[:, other])
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
        assert np.all(m.tariffs[:, i, p] == cal.tariffs.loc["IND", "PAK"])
        cet = union.terms["cet"]
        assert np.all(m.tariffs[:, codes.index("KAZ"), p] > 0.5 * cet)  # others pay the CET
