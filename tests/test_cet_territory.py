"""A union that adds no one to an existing customs union keeps that union's schedule."""

from __future__ import annotations

import numpy as np
import pytest

from scosim.mechanisms import customs_union as cu
from scosim.mechanisms.cet_schedule import cet_factors

EAEU = ["ARM", "BLR", "KAZ", "KGZ", "RUS"]



def _run(participants: list[str]):
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    sc = load_scenario("scenarios/customs_union.yaml", overrides={
        "parameters.rules.defect": "never_defect", "parameters.rules.vote": "always_yes",
        "years.end": 2029, "proposals.0.participants": participants})
    m = SCOModel(sc, runs=[0, 1])
    m.run_model()
    return m


def test_within_one_bloc() -> None:
    from scosim.mechanisms.blocs import within_one_bloc

    blocs = [np.array([1, 2, 3]), np.array([5, 6])]
    p = np.zeros((6, 7), dtype=bool)
    p[0, 4] = True  # one economy
    p[1, [1, 2, 3]] = True  # the whole bloc
    p[2, [2, 3]] = True  # part of it (a member left the bloc's own union)
    p[3, [1, 2, 3, 0]] = True  # the bloc and one more
    p[4, [0, 4]] = True  # two economies outside any bloc
    # p[5]: nobody
    assert within_one_bloc(p, blocs).tolist() == [True, True, True, False, False, False]


def test_a_union_of_exactly_the_eaeu_changes_no_tariff(cal) -> None:
    """The EAEU already has a common external tariff: a union of its members at its own
    rate (every CET rule gives Russia's 5.11 %) is a no-op for every tariff, bit for bit.
    Pooling the members' normalisers moved them by up to 0.92 percentage points."""
    m = _run(EAEU)
    union = m.arrangements[0]
    codes = list(m.codes)
    assert union.participants[:, [codes.index(c) for c in EAEU]].all()
    assert union.participants.sum(axis=1).tolist() == [5, 5]
    assert np.all(union.terms["cet"] == cal.countries.loc["RUS", "tariff_mfn"])
    assert union.in_force.all()
    for t, base in zip(m.tariffs, m.tariffs_base(), strict=True):
        assert np.array_equal(t, base)


def test_a_union_of_the_eaeu_and_china_charges_one_schedule(cal, weights) -> None:
    """Adding one economy makes a new schedule: every member charges an outsider without
    a preference the same rate, cet x kappa with the union's pooled normaliser, though
    the EAEU members charged it different rates before."""
    m = _run([*EAEU, "CHN"])
    union = m.arrangements[0]
    codes = list(m.codes)
    members = [codes.index(c) for c in [*EAEU, "CHN"]]
    k = cet_factors(union.participants[0], *weights)[0]
    cet = union.terms["cet"][0]
    spells = cal.agreement_spells
    # The agreements in force in the last year run: China-Maldives (2025) is one since
    # 2026-12-06, which the union keeps (scosim.model.dated_agreements).
    pref = cu.preference_pairs(spells, codes, m.years[-1])
    eaeu = [codes.index(c) for c in EAEU]
    plain = [i for i in range(len(codes)) if i not in members and codes[i] != "ROW"
             and not pref[i, members].any()]
    assert len(plain) >= 5
    before = m.tariffs_base()[0][np.ix_(plain, eaeu)]
    assert (before.max(axis=1) - before.min(axis=1)).max() > 0.005  # up to 0.9 points apart
    for t in m.tariffs:
        np.testing.assert_allclose(t[np.ix_(plain, members)],
                                   np.repeat((cet * k[plain])[:, None], len(members), axis=1),
                                   rtol=1e-12)


def test_schedule_factors_pool_unless_the_run_is_one_territory(cal, weights) -> None:
    from scosim.mechanisms.cet_schedule import schedule_factors

    codes = list(cal.economies)
    p = np.array([[c in EAEU for c in codes], [c in [*EAEU, "CHN"] for c in codes]])
    k = schedule_factors(p, *weights, np.array([True, False]))
    _, norm, nonfuel = weights
    np.testing.assert_array_equal(k[0], nonfuel[:, None] / norm[None, :])
    pooled = cet_factors(p[1], *weights)[0]
    np.testing.assert_array_equal(k[1], np.repeat(pooled[:, None], len(codes), axis=1))
    # No run one territory: the pooled factors by exporter, as cet_factors gives them.
    np.testing.assert_array_equal(schedule_factors(p, *weights, np.array([False, False])),
                                  cet_factors(p, *weights))
    with pytest.raises(ValueError, match="territory"):
        schedule_factors(p, *weights, np.array([True]))


def test_union_tariffs_take_pair_factors_and_keep_a_base_they_reproduce() -> None:
    """Factors by pair apply to each importer; a target equal to the base to the
    tables' 15 digits is the base itself, one further off is not."""
    base = np.array([[0.0, 0.0, 0.03], [0.0, 0.0, 0.05], [0.06, 0.04, 0.0]])
    p = np.array([True, True, False])
    k = np.ones((3, 3))
    k[2, 0], k[2, 1] = 0.5, 0.4
    out = cu.union_tariffs(base, p, 0.10, 1.0, factors=k[None])[0]
    assert out[2, 0] == pytest.approx(0.05) and out[2, 1] == pytest.approx(0.04)
    assert out[0, 2] == 0.03 and out[1, 0] == 0.0
    near = cu.union_tariffs(base, p, 0.04 * (1 + 4e-15), 1.0, factors=np.ones(3))[0]
    assert near[2, 1] == 0.04  # the base, not 0.04 (1 + 4e-15)
    off = cu.union_tariffs(base, p, 0.04 * (1 + 1e-9), 1.0, factors=np.ones(3))[0]
    assert off[2, 1] == pytest.approx(0.04 * (1 + 1e-9), rel=1e-15)
