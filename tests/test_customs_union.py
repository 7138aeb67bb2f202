"""Tests for the customs union mechanism (scosim.mechanisms.customs_union)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scosim.mechanisms.customs_union import (
    bloc_summary,
    cet_rate,
    fta_tariffs,
    preview,
    sharing_matrix,
    union_indicators,
    union_tariffs,
)
from scosim.mechanisms.trade import solve_ge

# --------------------------------------------------------------------------
# cet_rate
# --------------------------------------------------------------------------

MFN = np.array([0.10, 0.04, 0.07, 0.20])
IMPORTS = np.array([100.0, 300.0, 50.0, 1000.0])


def test_cet_mean_min_max_exact():
    p = np.array([[True, True, True, False], [False, True, False, True]])
    assert cet_rate(MFN, None, p, "mean") == pytest.approx([0.07, 0.12], abs=1e-15)
    np.testing.assert_array_equal(cet_rate(MFN, None, p, "min"), [0.04, 0.04])
    np.testing.assert_array_equal(cet_rate(MFN, None, p, "max"), [0.10, 0.20])


def test_cet_weighted_mean_by_hand():
    p = np.array([[True, True, True, False]])
    # (100*0.10 + 300*0.04 + 50*0.07) / 450 = (10 + 12 + 3.5) / 450
    assert cet_rate(MFN, IMPORTS, p, "weighted_mean")[0] == pytest.approx(25.5 / 450)


def test_cet_per_run_inputs_and_number_rule():
    mfn = np.array([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]])
    p = np.array([[True, True, False], [True, True, False]])
    np.testing.assert_allclose(cet_rate(mfn, None, p, "mean"), [0.15, 0.25])
    np.testing.assert_array_equal(cet_rate(mfn, None, p, 0.05), [0.05, 0.05])
    np.testing.assert_array_equal(cet_rate(mfn, None, p, 0), [0.0, 0.0])
    # a (N,) participant vector is one run
    assert cet_rate(MFN, None, np.array([True, False, True, False]), "max").shape == (1,)


@pytest.mark.parametrize(
    ("rule", "match"),
    [
        ("median", "unknown CET rule 'median'; allowed: mean, weighted_mean, min, max, art_xxiv"),
        (1.5, r"fraction in \[0, 1\]; got 1.5"),
        (-0.1, r"fraction in \[0, 1\]"),
        (True, "CET rule must be one of"),
        (None, "CET rule must be one of"),
    ],
)
def test_cet_bad_rules(rule, match):
    with pytest.raises(ValueError, match=match):
        cet_rate(MFN, IMPORTS, np.array([[True, True, False, False]]), rule)


def test_cet_empty_participant_set_names_runs():
    p = np.array([[True, False, False, False], [False] * 4, [False] * 4])
    with pytest.raises(ValueError, match=r"empty in run\(s\) \[1, 2\]"):
        cet_rate(MFN, IMPORTS, p, "mean")
    with pytest.raises(ValueError, match="empty"):
        cet_rate(MFN, IMPORTS, p, 0.05)


def test_cet_other_errors():
    p = np.array([[True, True, False, False]])
    with pytest.raises(ValueError, match="needs imports"):
        cet_rate(MFN, None, p, "weighted_mean")
    with pytest.raises(ValueError, match="sum to zero"):
        cet_rate(MFN, np.array([0.0, 0.0, 5.0, 5.0]), p, "weighted_mean")
    with pytest.raises(ValueError, match=r"mfn must have shape \(4,\) or \(1, 4\)"):
        cet_rate(MFN[:3], None, p, "mean")
    with pytest.raises(ValueError, match="mfn tariffs must be >= 0"):
        cet_rate(-MFN, None, p, "mean")
    with pytest.raises(ValueError, match="participants must be boolean"):
        cet_rate(MFN, None, np.array([[0.5, 1, 0, 0]]), "mean")


# --------------------------------------------------------------------------
# union_tariffs
# --------------------------------------------------------------------------


def _random_tariffs(rng: np.random.Generator, r: int, n: int) -> np.ndarray:
    t = rng.uniform(0.0, 0.3, size=(r, n, n))
    t[:, np.arange(n), np.arange(n)] = 0.0
    return t


def test_union_tariffs_phase_zero_is_base_and_phase_one_is_full_union():
    rng = np.random.default_rng(1)
    base = _random_tariffs(rng, 2, 5)
    p = np.array([[True, True, False, True, False], [False, True, True, False, False]])
    cet = np.array([0.08, 0.12])
    np.testing.assert_array_equal(union_tariffs(base, p, cet, 0.0), base)
    full = union_tariffs(base, p, cet, 1.0)
    for r in range(2):
        for i in range(5):
            for j in range(5):
                if i == j:
                    expected = 0.0
                elif p[r, i] and p[r, j]:
                    expected = 0.0
                elif p[r, j]:
                    expected = cet[r]
                else:
                    expected = base[r, i, j]
                assert full[r, i, j] == pytest.approx(expected, abs=1e-15), (r, i, j)


def test_union_tariffs_half_phase_by_hand():
    base = np.array([[0.0, 0.10, 0.20], [0.06, 0.0, 0.30], [0.04, 0.08, 0.0]])
    p = np.array([[True, True, False]])
    out = union_tariffs(base, p, 0.12, 0.5)[0]
    expected = np.array(
        [
            [0.0, 0.05, 0.20],  # to the outsider: its own tariff
            [0.03, 0.0, 0.30],
            [0.08, 0.10, 0.0],  # 0.04 -> halfway to 0.12; 0.08 -> halfway to 0.12
        ]
    )
    np.testing.assert_allclose(out, expected, atol=1e-15)


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    member=hnp.arrays(np.bool_, 6),
    cet=st.floats(0.0, 0.5),
    p1=st.floats(0.0, 1.0),
    p2=st.floats(0.0, 1.0),
)
def test_union_tariffs_monotone_in_phase_and_outsiders_untouched(seed, member, cet, p1, p2):
    base = _random_tariffs(np.random.default_rng(seed), 1, 6)
    lo, hi = sorted((p1, p2))
    a = union_tariffs(base, member[None], cet, lo)[0]
    b = union_tariffs(base, member[None], cet, hi)[0]
    # every tariff moves from base toward its target, never overshooting
    target = union_tariffs(base, member[None], cet, 1.0)[0]
    dist_a = np.abs(a - target)
    dist_b = np.abs(b - target)
    assert np.all(dist_b <= dist_a + 1e-12)
    assert np.all(np.sign(b - a) * np.sign(target - base[0]) >= 0)
    # columns of non-participants (their tariffs) never change
    np.testing.assert_array_equal(a[:, ~member], base[0][:, ~member])
    assert np.all(np.diagonal(a) == 0)


def test_union_tariffs_errors():
    base = np.zeros((3, 3)) + 0.1
    p = np.array([[True, True, False]])
    with pytest.raises(ValueError, match="zero diagonal"):
        union_tariffs(base, p, 0.1, 1.0)
    base[np.arange(3), np.arange(3)] = 0
    with pytest.raises(ValueError, match=r"phase must be in \[0, 1\]; got \[1.5\]"):
        union_tariffs(base, p, 0.1, 1.5)
    with pytest.raises(ValueError, match="cet must be >= 0"):
        union_tariffs(base, p, -0.1, 1.0)
    with pytest.raises(ValueError, match="base tariffs must be >= 0"):
        union_tariffs(-base, p, 0.1, 1.0)
    with pytest.raises(ValueError, match=r"base tariffs must have shape \(3, 3\) or \(1, 3, 3\)"):
        union_tariffs(np.zeros((4, 4)), p, 0.1, 1.0)
    with pytest.raises(ValueError, match=r"phase must be a scalar or have shape \(1,\)"):
        union_tariffs(base, p, 0.1, [0.5, 0.5])
    with pytest.raises(ValueError, match="cet must be finite"):
        union_tariffs(base, p, np.nan, 1.0)


# --------------------------------------------------------------------------
# sharing_matrix
# --------------------------------------------------------------------------

CODES = ["RUS", "KAZ", "BLR", "KGZ", "ARM", "CHN"]
# Illustrative fixed shares, percent: the Eurasian Economic Union's import-duty
# distribution as set on Kyrgyzstan's accession in 2015 (Treaty on the EAEU,
# Annex 5). Later revisions changed them (e.g. KAZ 6.95, BLR 4.86, ARM 1.22 as
# reported in 2023); the test only needs shares that sum to 100.
EAEU_SHARES = {"RUS": 85.32, "KAZ": 7.11, "BLR": 4.56, "KGZ": 1.90, "ARM": 1.11}


def test_sharing_collected_is_identity():
    p = np.array([[True, False, True], [False, False, False]])
    np.testing.assert_array_equal(
        sharing_matrix(p, "collected"), np.broadcast_to(np.eye(3), (2, 3, 3))
    )


def test_sharing_gdp_by_hand():
    p = np.array([[True, True, False, True]])
    gdp = np.array([1.0, 3.0, 100.0, 4.0])
    s = sharing_matrix(p, "gdp", gdp=gdp)[0]
    members = [0, 1, 3]
    for k in members:  # pooled revenue split 1/8, 3/8, 4/8
        np.testing.assert_allclose(s[:, k], [1 / 8, 3 / 8, 0.0, 4 / 8])
    np.testing.assert_array_equal(s[:, 2], [0, 0, 1, 0])  # outsider keeps its own


@settings(max_examples=50, deadline=None)
@given(
    member=hnp.arrays(np.bool_, (3, 5)),
    weights=hnp.arrays(np.float64, 5, elements=st.floats(0.1, 1e6)),
    rule=st.sampled_from(["collected", "gdp", "imports", "population"]),
)
def test_sharing_columns_sum_to_one_and_conserve(member, weights, rule):
    s = sharing_matrix(member, rule, gdp=weights, imports=weights, population=weights)
    assert np.all(s >= 0)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-12)
    collected = np.random.default_rng(0).uniform(0, 10, size=(3, 5))
    received = np.einsum("rjk,rk->rj", s, collected)
    np.testing.assert_allclose(received.sum(axis=1), collected.sum(axis=1), rtol=1e-12)
    # outsiders neither give nor receive
    for r in range(3):
        out = ~member[r]
        np.testing.assert_allclose(received[r, out], collected[r, out])


def test_sharing_fixed_eaeu_shares_by_code():
    p = np.array([[True, True, True, True, True, False]])
    shares = {c: v / 100 for c, v in EAEU_SHARES.items()}
    s = sharing_matrix(p, "fixed", fixed_shares=shares, names=CODES)[0]
    np.testing.assert_allclose(s[:5, 0], [0.8532, 0.0711, 0.0456, 0.0190, 0.0111], rtol=1e-12)
    np.testing.assert_array_equal(s[:, 5], [0, 0, 0, 0, 0, 1])


def test_sharing_fixed_renormalises_when_a_member_departed():
    p = np.array([[True, True, False, True]])
    v = np.array([0.5, 0.2, 0.2, 0.1])
    with pytest.raises(ValueError, match=r"positive share to index 2, which is not a participant"):
        sharing_matrix(p, "fixed", fixed_shares=v)
    s = sharing_matrix(p, "fixed", fixed_shares=v, allow_departed=True)[0]
    np.testing.assert_allclose(s[:, 0], [0.5 / 0.8, 0.2 / 0.8, 0.0, 0.1 / 0.8])


def test_sharing_fixed_errors():
    p = np.array([[True, True, True, True, True, False]])
    with pytest.raises(ValueError, match=r"positive share to CHN \(index 5\)"):
        sharing_matrix(p, "fixed", fixed_shares={"RUS": 0.9, "CHN": 0.1}, names=CODES)
    with pytest.raises(ValueError, match=r"sum to 1; got 100 \(give fractions, not percent\)"):
        sharing_matrix(p, "fixed", fixed_shares=EAEU_SHARES, names=CODES)
    with pytest.raises(ValueError, match="sum to 1; got 0.9"):
        sharing_matrix(p, "fixed", fixed_shares={0: 0.5, 1: 0.4})
    with pytest.raises(ValueError, match="'XXX' is not a known economy"):
        sharing_matrix(p, "fixed", fixed_shares={"XXX": 1.0}, names=CODES)
    with pytest.raises(ValueError, match="index 9 is out of range"):
        sharing_matrix(p, "fixed", fixed_shares={9: 1.0})
    with pytest.raises(ValueError, match="needs fixed_shares"):
        sharing_matrix(p, "fixed")
    with pytest.raises(ValueError, match=r"sums to zero over the participants in run\(s\) \[0\]"):
        sharing_matrix(p, "fixed", fixed_shares={5: 1.0}, allow_departed=True)
    # Each check alone (a share that is negative but finite, or missing but not negative;
    # a key that is a bool or a negative index) was let through by its neighbours' tests.
    for bad in ({0: 1.2, 1: -0.2}, {0: float("nan"), 1: 1.0}):
        with pytest.raises(ValueError, match="fixed_shares must be finite and >= 0"):
            sharing_matrix(p, "fixed", fixed_shares=bad)
    with pytest.raises(ValueError, match="keys must be integer indices or codes; got True"):
        sharing_matrix(p, "fixed", fixed_shares={True: 1.0})
    for k in (-1, 6):
        with pytest.raises(ValueError, match=f"index {k} is out of range 0..5"):
            sharing_matrix(p, "fixed", fixed_shares={k: 1.0})


def test_fta_and_cet_input_checks_at_their_bounds():
    base = np.array([[0.0, 0.1], [0.2, 0.0]])
    p = np.array([True, True])
    for bad in (-0.5, 1.5):
        with pytest.raises(ValueError, match=r"phase must be in \[0, 1\]; got \[" + str(bad)):
            fta_tariffs(base, p, bad)
    np.testing.assert_array_equal(fta_tariffs(base, p, 0.0)[0], base)  # the bounds are allowed
    np.testing.assert_array_equal(fta_tariffs(base, p, 1.0)[0], 0.0)
    # A zero MFN tariff (Hong Kong's, Macao's) is a rate like any other.
    assert cet_rate([0.0, 0.1], None, p, "mean")[0] == pytest.approx(0.05)
    assert cet_rate([0.0, 0.1], None, p, "min")[0] == 0.0
    # So is a zero CET factor: the union lets that exporter's goods in duty-free.
    base3 = np.full((3, 3), 0.2) - 0.2 * np.eye(3)
    out = union_tariffs(base3, [True, True, False], 0.1, 1.0, factors=[1.0, 1.0, 0.0])[0]
    np.testing.assert_array_equal(out[2, :2], 0.0)
    np.testing.assert_array_equal(out[:2, 2], 0.2)  # the outsider's own tariffs stay


def test_sharing_other_errors():
    p = np.array([[True, True, False]])
    with pytest.raises(ValueError, match="unknown sharing rule 'equal'; allowed: collected, gdp"):
        sharing_matrix(p, "equal")
    with pytest.raises(ValueError, match="needs gdp="):
        sharing_matrix(p, "gdp")
    with pytest.raises(ValueError, match="population must be >= 0"):
        sharing_matrix(p, "population", population=[-1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="imports sums to zero"):
        sharing_matrix(p, "imports", imports=[0.0, 0.0, 3.0])


# --------------------------------------------------------------------------
# indicators on hand-made numbers (no solver)
# --------------------------------------------------------------------------

# Three economies, 0 and 1 form a union with CET 20 %; all base tariffs 10 %.
# Flows are chosen so that values before tariffs (CIF) are round numbers.
HAND_X0 = np.array([[50.0, 11.0, 22.0], [33.0, 40.0, 44.0], [55.0, 66.0, 60.0]])
HAND_T0 = np.full((3, 3), 0.1) - np.eye(3) * 0.1
HAND_T1 = np.array([[0.0, 0.0, 0.1], [0.0, 0.0, 0.1], [0.2, 0.2, 0.0]])
# new CIF: [[., 15, 25], [35, ., 45], [40, 48, .]]
HAND_X1 = np.array([[70.0, 15.0, 27.5], [35.0, 45.0, 49.5], [48.0, 57.6, 50.0]])
HAND_P = np.array([[True, True, False]])


def _fake_result() -> SimpleNamespace:
    return SimpleNamespace(
        flows=HAND_X1[None],
        welfare_change=np.array([[1.01, 1.02, 0.99]]),
        real_gdp_change=np.array([[1.0, 1.005, 0.995]]),
        terms_of_trade_change=np.array([[1.02, 1.0, 0.97]]),
        tariff_revenue=np.array([[8.0, 9.6, 7.0]]),
        tariff_revenue_received=np.array([[10.0, 7.6, 7.0]]),
    )


def test_union_indicators_by_hand():
    ind = union_indicators(HAND_X0, _fake_result(), HAND_P, HAND_T0, HAND_T1)
    nan = np.nan
    np.testing.assert_allclose(ind["imports_before"][0], [80, 70, 60])
    np.testing.assert_allclose(ind["imports"][0], [75, 63, 70])
    np.testing.assert_allclose(ind["exports_before"][0], [30, 70, 110])
    np.testing.assert_allclose(ind["exports"][0], [40, 80, 88])
    np.testing.assert_allclose(ind["imports_change_pct"][0], [-6.25, -10, 100 / 6])
    np.testing.assert_allclose(ind["exports_change_pct"][0], [100 / 3, 100 / 7, -20])
    np.testing.assert_allclose(ind["intra_union_imports"][0], [35, 15, nan])
    np.testing.assert_allclose(ind["intra_union_share"][0], [35 / 75, 15 / 63, nan])
    np.testing.assert_allclose(ind["trade_creation"][0], [5, 5, nan])
    np.testing.assert_allclose(ind["trade_diversion"][0], [10, 12, nan])
    np.testing.assert_allclose(ind["tariff_revenue_before"][0], [8, 7, 6])
    np.testing.assert_allclose(ind["tariff_revenue_collected"][0], [8, 9.6, 7])
    np.testing.assert_allclose(ind["tariff_revenue_after_sharing"][0], [10, 7.6, 7])
    np.testing.assert_allclose(ind["welfare_change_pct"][0], [1, 2, -1])
    np.testing.assert_allclose(ind["real_gdp_change_pct"][0], [0, 0.5, -0.5], atol=1e-12)
    np.testing.assert_allclose(ind["terms_of_trade_change_pct"][0], [2, 0, -3], atol=1e-12)
    assert all(v.shape == (1, 3) for v in ind.values())


def test_union_indicators_shared_and_per_run_inputs_give_the_same_bits():
    # A shared (N, N) baseline is worked on once; per-run copies must give the same numbers.
    res = _fake_result()
    two = SimpleNamespace(**{k: np.concatenate([v, v]) for k, v in vars(res).items()})
    p2 = np.concatenate([HAND_P, HAND_P])
    shared = union_indicators(HAND_X0, two, p2, HAND_T0, HAND_T1)
    per_run = union_indicators(np.stack([HAND_X0] * 2), two, p2, np.stack([HAND_T0] * 2),
                               np.stack([HAND_T1] * 2))
    for name, v in shared.items():
        np.testing.assert_array_equal(v, per_run[name], err_msg=name)
    with pytest.raises(ValueError, match="base_tariffs must be finite"):
        union_indicators(HAND_X0, two, p2, np.where(np.eye(3) > 0, np.nan, HAND_T0), HAND_T1)


def test_bloc_summary_by_hand():
    before = bloc_summary(HAND_X0, HAND_T0, HAND_P)
    after = bloc_summary(HAND_X1, HAND_T1, HAND_P)
    np.testing.assert_allclose(before["intra_union_trade"], [40])
    np.testing.assert_allclose(after["intra_union_trade"], [50])
    # participants' exports 30+70 and imports 80+70 before; 40+80 and 75+63 after
    np.testing.assert_allclose(before["intra_union_share"], [80 / 250])
    np.testing.assert_allclose(after["intra_union_share"], [100 / 258])
    nobody = bloc_summary(HAND_X0, HAND_T0, np.array([[False] * 3]))
    assert nobody["intra_union_trade"][0] == 0 and np.isnan(nobody["intra_union_share"][0])


# --------------------------------------------------------------------------
# integration with the GE solver
# --------------------------------------------------------------------------

SIGMA = 5.0  # MODEL.md default (trade elasticity 4)


def _tariffs(n: int, rate: float) -> np.ndarray:
    t = np.full((n, n), rate)
    np.fill_diagonal(t, 0.0)
    return t


def _three_country() -> tuple[np.ndarray, np.ndarray]:
    """Economies 0 and 1 are mirror images; 2 is a larger outsider. 10 % tariffs."""
    x = np.array([[100.0, 20.0, 30.0], [20.0, 100.0, 30.0], [25.0, 25.0, 300.0]])
    return x, _tariffs(3, 0.1)


def _random_world(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(1.0, 20.0, size=(n, n))
    x[np.arange(n), np.arange(n)] = rng.uniform(100.0, 400.0, size=n)
    t = rng.uniform(0.0, 0.25, size=(n, n))
    np.fill_diagonal(t, 0.0)
    return x, t


def _cif_imports(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    v = x / (1 + t)
    np.fill_diagonal(v, 0.0)
    return v.sum(axis=0)


def test_symmetric_members_get_identical_welfare_and_outsider_loses():
    x, t = _three_country()
    mfn = np.full(3, 0.1)
    p = np.array([[True, True, False]])
    res, ind = preview(x, t, mfn, None, p, cet_rule="mean", sharing_rule="imports", sigma=SIGMA)
    w = res.welfare_change[0]
    assert w[0] == pytest.approx(w[1], rel=1e-10)
    np.testing.assert_allclose(ind["trade_creation"][0, 0], ind["trade_creation"][0, 1], rtol=1e-9)
    # a union with a positive CET (here 10 %, the members' MFN) hurts the outsider:
    # its exports to the union face unchanged tariffs while members' goods are freed
    assert w[2] < 1.0
    assert ind["welfare_change_pct"][0, 2] < 0
    assert ind["exports_change_pct"][0, 2] < 0
    # and a union with the outsider's tariff unchanged and no CET hike benefits members
    assert w[0] > 1.0


def test_textbook_creation_and_diversion_signs():
    x, t = _three_country()
    p = np.array([[True, True, False]])
    mfn = np.full(3, 0.1)
    _, ind = preview(x, t, mfn, None, p, cet_rule="mean", sharing_rule="collected", sigma=SIGMA)
    # internal tariffs fall, external stay: imports from partners rise, from outsiders fall
    assert np.all(ind["trade_creation"][0, :2] > 0)
    assert np.all(ind["trade_diversion"][0, :2] > 0)
    # member 0 imported 20 from its partner and 25 from the outsider (before the 10 % duty)
    assert np.all(ind["intra_union_share"][0, :2] > 20 / 45)
    assert np.isnan(ind["trade_creation"][0, 2])
    # a zero CET (below the members' 10 %) frees outsiders' goods too: imports from
    # the outsider rise, i.e. diversion is negative, and the outsider gains
    res0, ind0 = preview(x, t, mfn, None, p, cet_rule=0.0, sharing_rule="collected", sigma=SIGMA)
    assert np.all(ind0["trade_diversion"][0, :2] < 0)
    assert res0.welfare_change[0, 2] > 1.0


def test_union_of_all_with_zero_cet_is_global_free_trade():
    x, t = _random_world(3, 5)
    p = np.ones((1, 5), dtype=bool)
    res, _ = preview(
        x,
        t,
        np.full(5, 0.1),
        None,
        p,
        cet_rule=0.0,
        sharing_rule="gdp",
        sigma=SIGMA,
        gdp=np.arange(1.0, 6.0),
    )
    free = solve_ge(x, sigma=SIGMA, tariffs=t, new_tariffs=np.zeros((5, 5)))
    np.testing.assert_allclose(res.welfare_change[0], free.welfare_change, rtol=1e-9)
    np.testing.assert_allclose(res.flows[0], free.flows, rtol=1e-9)
    np.testing.assert_allclose(res.tariff_revenue[0], 0.0, atol=1e-9)


def test_phase_zero_with_own_revenue_changes_nothing():
    x, t = _random_world(4, 4)
    p = np.array([[True, False, True, True]])
    res, ind = preview(
        x,
        t,
        np.full(4, 0.05),
        None,
        p,
        cet_rule="max",
        sharing_rule="collected",
        sigma=SIGMA,
        phase=0.0,
    )
    np.testing.assert_allclose(res.welfare_change, 1.0, atol=1e-10)
    np.testing.assert_allclose(ind["trade_creation"][0, p[0]], 0.0, atol=1e-8)
    np.testing.assert_allclose(
        ind["tariff_revenue_collected"], ind["tariff_revenue_before"], rtol=1e-9
    )


def test_revenue_pooled_and_conserved_in_ge():
    x, t = _random_world(5, 6)
    p = np.array([[True, True, True, False, False, False], [False, True, False, True, True, True]])
    gdp = np.array([5.0, 1.0, 2.0, 3.0, 1.0, 8.0])
    res, ind = preview(
        x, t, np.full(6, 0.08), None, p, cet_rule="mean", sharing_rule="gdp", sigma=SIGMA, gdp=gdp
    )
    collected = ind["tariff_revenue_collected"]
    received = ind["tariff_revenue_after_sharing"]
    np.testing.assert_allclose(received.sum(axis=1), collected.sum(axis=1), rtol=1e-10)
    for r in range(2):
        m = p[r]
        pool = collected[r, m].sum()
        np.testing.assert_allclose(received[r, m], pool * gdp[m] / gdp[m].sum(), rtol=1e-10)
        np.testing.assert_allclose(received[r, ~m], collected[r, ~m], rtol=1e-12)
    np.testing.assert_allclose(
        ind["tariff_revenue_before"], res.baseline_tariff_revenue, rtol=1e-10
    )


def test_batch_of_participant_sets_equals_separate_solves():
    x, t = _random_world(6, 5)
    mfn = np.array([0.05, 0.12, 0.08, 0.02, 0.20])
    pop = np.array([10.0, 50.0, 5.0, 1.0, 30.0])
    sets = np.array(
        [
            [True, True, False, False, False],
            [False, True, True, True, False],
            [True, True, True, True, True],
            [False, False, False, True, True],
        ]
    )
    phase = np.array([1.0, 0.5, 0.3, 1.0])
    kw = dict(cet_rule="weighted_mean", sharing_rule="population", sigma=SIGMA, population=pop)
    res, ind = preview(x, t, mfn, None, sets, phase=phase, **kw)
    for r in range(len(sets)):
        res_r, ind_r = preview(x, t, mfn, None, sets[r], phase=phase[r], **kw)
        np.testing.assert_allclose(res.welfare_change[r], res_r.welfare_change[0], rtol=1e-9)
        np.testing.assert_allclose(res.flows[r], res_r.flows[0], rtol=1e-9)
        for key, value in ind.items():
            np.testing.assert_allclose(value[r], ind_r[key][0], rtol=1e-8, atol=1e-9, err_msg=key)


def test_preview_weighted_cet_uses_cif_imports_from_base_flows():
    x, t = _random_world(7, 4)
    mfn = np.array([0.1, 0.2, 0.3, 0.4])
    p = np.array([[True, False, True, False]])
    m = _cif_imports(x, t)
    cet = (m[0] * 0.1 + m[2] * 0.3) / (m[0] + m[2])
    res, _ = preview(
        x, t, mfn, None, p, cet_rule="weighted_mean", sharing_rule="collected", sigma=SIGMA
    )
    expected = t.copy()
    expected[0, 2] = expected[2, 0] = 0.0
    expected[[1, 3], 0] = cet
    expected[[1, 3], 2] = cet
    direct = solve_ge(x, sigma=SIGMA, tariffs=t, new_tariffs=expected)
    np.testing.assert_allclose(res.welfare_change[0], direct.welfare_change, rtol=1e-9)


def test_preview_rejects_bad_input_before_solving():
    x, t = _three_country()
    with pytest.raises(ValueError, match="unknown sharing rule"):
        preview(
            x,
            t,
            np.full(3, 0.1),
            None,
            np.array([[True, True, False]]),
            cet_rule="mean",
            sharing_rule="equal",
            sigma=SIGMA,
        )
    with pytest.raises(ValueError, match="empty"):
        preview(
            x,
            t,
            np.full(3, 0.1),
            None,
            np.array([[False] * 3]),
            cet_rule="mean",
            sharing_rule="collected",
            sigma=SIGMA,
        )


def test_indicators_reject_mismatched_shapes():
    with pytest.raises(ValueError, match=r"new_tariffs must have shape \(3, 3\) or \(1, 3, 3\)"):
        union_indicators(HAND_X0, _fake_result(), HAND_P, HAND_T0, np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"result.welfare_change must have shape \(3,\)"):
        bad = _fake_result()
        bad.welfare_change = np.ones((1, 4))
        union_indicators(HAND_X0, bad, HAND_P, HAND_T0, HAND_T1)
