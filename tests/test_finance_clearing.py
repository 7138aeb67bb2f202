"""Clearing kernels against exact fractions, an LP, brute force and accounting identities."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from scosim.finance.clearing import clear, clearing_map, relative_liabilities

# ANCHORS.md "Financial contagion": three banks, row owes column, no external liabilities.
E3 = [10.0, 10.0, 10.0]
L3 = [[0.0, 20.0, 10.0], [5.0, 0.0, 24.0], [10.0, 0.0, 0.0]]


def _exact_three_bank() -> tuple[Fraction, Fraction, Fraction]:
    """Solve the example by hand in exact arithmetic (banks 1 and 2 default, 3 pays)."""
    # p1 = 10 + 5/29 p2 + p3, p2 = 10 + 20/30 p1, p3 = 10.
    a = Fraction(5, 29)
    c = Fraction(20, 30)
    p3 = Fraction(10)
    p1 = (10 + a * 10 + p3) / (1 - a * c)
    p2 = 10 + c * p1
    return p1, p2, p3


def test_three_bank_anchor_exact():
    p1, p2, p3 = _exact_three_bank()
    assert (p1, p2, p3) == (Fraction(270, 11), Fraction(290, 11), Fraction(10))
    res = clear(E3, L3)
    np.testing.assert_allclose(res.payments, [270 / 11, 290 / 11, 10.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.equity, [-60 / 11, -29 / 11, 30.0], rtol=0, atol=1e-12)
    assert res.default.tolist() == [True, True, False]
    # Bank 1 defaults at full payments; bank 2 only once bank 1 pays less.
    assert res.default_round.tolist() == [1, 2, 0]
    assert int(res.rounds) == 2


def test_three_bank_batched_runs_are_independent():
    e = np.array([E3, [100.0, 100.0, 100.0]])
    res = clear(e, L3)
    np.testing.assert_allclose(res.payments[0], [270 / 11, 290 / 11, 10.0], atol=1e-12)
    np.testing.assert_allclose(res.payments[1], [30.0, 29.0, 10.0], atol=1e-12)
    assert res.rounds.tolist() == [2, 0]


# ------------------------------------------------------------------ random networks
@st.composite
def networks(draw, n_max: int = 4):
    n = draw(st.integers(2, n_max))
    vals = st.floats(0.0, 20.0, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    L = np.array([[draw(vals) if i != j else 0.0 for j in range(n)] for i in range(n)])
    # Sparsify: some links absent, so closed cycles and isolated banks occur.
    mask = np.array([[draw(st.booleans()) for _ in range(n)] for _ in range(n)])
    L = np.where(mask, L, 0.0)
    e = np.array([draw(vals) for _ in range(n)])
    b = np.array([draw(vals) for _ in range(n)])
    return e, L, b


def _ybar_s(L, b, seniority):
    l_out = L.sum(axis=1)
    if seniority == "pari_passu":
        return l_out + b, np.zeros_like(b)
    return l_out, b


def _brute_force_fixed_points(e, L, b, seniority, alpha, beta):
    """Every fixed point of Phi by enumerating solvent / paying / zero status of each bank."""
    n = len(e)
    ybar, s = _ybar_s(L, b, seniority)
    pi = relative_liabilities(L[None], ybar[None])[0]
    scale = max(1.0, float(np.max(np.r_[e, L.sum(1) + b])))
    points = []
    for status in itertools.product("SDZ", repeat=n):
        a = np.eye(n)
        rhs = np.empty(n)
        for i, st_i in enumerate(status):
            if st_i == "S":
                rhs[i] = ybar[i]
            elif st_i == "Z":
                rhs[i] = 0.0
            else:
                a[i] -= beta * pi[:, i]
                rhs[i] = alpha * e[i] - s[i]
        try:
            y = np.linalg.solve(a, rhs)
        except np.linalg.LinAlgError:
            continue
        phi = clearing_map(y, e, L, b, seniority=seniority, alpha=alpha, beta=beta)
        # Absolute tolerance only: numpy's default rtol (1e-5) once accepted a bank
        # paying 6e-5 more than its assets of 7 as a "fixed point". And a tight one: a
        # status guess solves its system to rounding, so a true fixed point's residual is
        # about 1e-15 of the scale, while 1e-8 of it once accepted a bank paying in full
        # a debt of 1.2e-7 with 6e-8 of assets (the second @example).
        if np.all(y >= -1e-9) and np.allclose(phi, y, rtol=0.0, atol=1e-12 * scale):
            points.append(y)
    return points


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
@pytest.mark.parametrize("costs", [(1.0, 1.0), (0.6, 0.8)])
@settings(max_examples=60, deadline=None)
@given(net=networks())
# Found by hypothesis: bank 1 owes 7 outside and 6.1e-5 to bank 0 with assets of 7.
@example(net=(np.array([0.0, 7.0]), np.array([[0.0, 0.0], [2.0**-14, 0.0]]),
              np.array([0.0, 7.0])))
# Found by hypothesis: bank 0 owes 2^-23 to bank 1 and has nothing but what bank 1 pays it.
@example(net=(np.array([0.0, 2.0, 6.0]),
              np.array([[0.0, 2.0**-23, 0.0], [1.0, 0.0, 1.0], [0.0, 6.0, 0.0]]),
              np.array([0.0, 8.0, 0.0])))
def test_greatest_fixed_point_against_brute_force(net, seniority, costs):
    e, L, b = net
    alpha, beta = costs
    res = clear(e, L, b, seniority=seniority, alpha=alpha, beta=beta)
    y = res.payments
    phi = clearing_map(y, e, L, b, seniority=seniority, alpha=alpha, beta=beta)
    scale = max(1.0, float(np.max(np.r_[e, L.sum(1) + b])))
    np.testing.assert_allclose(phi, y, atol=1e-9 * scale)
    pts = _brute_force_fixed_points(e, L, b, seniority, alpha, beta)
    # Where some status systems are singular the enumeration can miss the top fixed
    # point; every fixed point it finds must still lie below ours.
    for p in pts:
        assert np.all(p <= y + 1e-8 * scale)
    if pts:
        top = np.max(np.array(pts), axis=0)
        if np.allclose(clearing_map(top, e, L, b, seniority=seniority, alpha=alpha,
                                    beta=beta), top, rtol=0.0, atol=1e-8 * scale):
            np.testing.assert_allclose(y, top, atol=1e-8 * scale)


@settings(max_examples=80, deadline=None)
@given(net=networks(n_max=6))
def test_eisenberg_noe_equals_lp(net):
    """EN (2001, Lemma 4): the greatest clearing vector maximises sum(p) over p <= Phi(p)."""
    e, L, b = net
    ybar = L.sum(1) + b
    pi = relative_liabilities(L[None], ybar[None])[0]
    n = len(e)
    lp = linprog(
        -np.ones(n),
        A_ub=np.eye(n) - pi.T,
        b_ub=e,
        bounds=list(zip(np.zeros(n), ybar, strict=True)),
        method="highs",
    )
    assert lp.status == 0
    res = clear(e, L, b)
    scale = max(1.0, float(ybar.max()), float(e.max()))
    np.testing.assert_allclose(res.payments, lp.x, atol=1e-7 * scale)


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
@settings(max_examples=60, deadline=None)
@given(net=networks(n_max=6), h=st.floats(0, 1))
def test_payments_never_exceed_obligations(net, h, seniority):
    e, L, b = net
    haircut = np.full(L.shape, h)
    res = clear(e, L, b, seniority=seniority, alpha=0.7, beta=0.9, haircut=haircut)
    tol = 1e-9 * max(1.0, float(L.max(initial=0)), float(b.max()))
    assert np.all(res.payment_matrix <= L + tol)
    assert np.all(res.interbank_paid <= L.sum(1) + tol)
    assert np.all(res.external_paid <= b + tol)
    assert np.all(res.payments >= 0)
    assert np.all(res.external_paid >= 0)


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
@settings(max_examples=60, deadline=None)
@given(net=networks(n_max=6))
def test_identity_external_assets(net, seniority):
    """ANCHORS.md: without default costs, sum e = paid to outside creditors + positive equity."""
    e, L, b = net
    res = clear(e, L, b, seniority=seniority)
    lhs = np.sum(e)
    rhs = np.sum(res.external_paid) + np.sum(np.maximum(res.equity, 0.0))
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
def test_default_costs_break_identity_by_their_amount(seniority):
    b = np.array([5.0, 5.0, 5.0])
    res = clear(E3, L3, b, seniority=seniority, alpha=0.5, beta=0.9)
    lhs = np.sum(E3)
    rhs = np.sum(res.external_paid) + np.sum(np.maximum(res.equity, 0.0))
    assert lhs - rhs == pytest.approx(np.sum(res.default_cost), rel=1e-9)
    assert np.sum(res.default_cost) > 0


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
@settings(max_examples=40, deadline=None)
@given(net=networks(n_max=6))
def test_no_shock_nothing_defaults(net, seniority):
    """Banks whose assets cover their obligations at face value all pay in full."""
    e, L, b = net
    need = L.sum(1) + b - L.sum(0)  # obligations minus interbank claims
    e = np.maximum(e, need)  # every bank starts with non-negative capital
    res = clear(e, L, b, seniority=seniority, alpha=0.5, beta=0.5)
    assert not res.default.any()
    np.testing.assert_allclose(res.payment_matrix, L, atol=1e-12)
    assert int(res.rounds) == 0


def test_seniority_conventions_differ_as_expected():
    """External creditors recover more, interbank creditors less, when external debt is senior."""
    e = np.array([6.0, 20.0])
    L = np.array([[0.0, 10.0], [0.0, 0.0]])
    b = np.array([10.0, 0.0])
    pp = clear(e, L, b, seniority="pari_passu")
    sen = clear(e, L, b, seniority="external_senior")
    # Pari passu: bank 0 pays 6 split 50/50; senior: depositors first.
    np.testing.assert_allclose(pp.external_paid, [3.0, 0.0])
    np.testing.assert_allclose(pp.interbank_paid, [3.0, 0.0])
    np.testing.assert_allclose(sen.external_paid, [6.0, 0.0])
    np.testing.assert_allclose(sen.interbank_paid, [0.0, 0.0])
    assert sen.equity[1] < pp.equity[1]


def test_haircut_freezes_receipts_not_payments():
    res = clear([0.0, 0.0], [[0.0, 10.0], [0.0, 0.0]], [0.0, 5.0],
                haircut=[[0.0, 0.5], [0.0, 0.0]])
    # Bank 0 has nothing to pay with; bank 1 receives nothing and defaults on outsiders.
    assert res.default.tolist() == [True, True]
    res = clear([10.0, 0.0], [[0.0, 10.0], [0.0, 0.0]], [0.0, 8.0],
                haircut=[[0.0, 0.5], [0.0, 0.0]])
    np.testing.assert_allclose(res.received, [0.0, 5.0])
    np.testing.assert_allclose(res.external_paid, [0.0, 5.0])


def test_closed_cycle_without_outside_creditors_uses_greatest_point():
    # Two banks owe each other 10 and have nothing else: any p1 = p2 in [0, 10] is a
    # fixed point; the greatest is full payment.
    res = clear([0.0, 0.0], [[0.0, 10.0], [10.0, 0.0]])
    np.testing.assert_allclose(res.payments, [10.0, 10.0])
    assert not res.default.any()


@pytest.mark.parametrize(
    ("kwargs", "msg"),
    [
        ({"e": [-1.0, 0.0], "L": [[0, 1], [1, 0]]}, "e must be non-negative"),
        ({"e": [1.0, 0.0], "L": [[1, 1], [1, 0]]}, "zero diagonal"),
        ({"e": [1.0, 0.0], "L": [[0, 1, 0], [1, 0, 0]]}, "expected"),
        ({"e": [1.0, 0.0], "L": [[0, 1], [1, 0]], "alpha": 0.0}, "alpha and beta"),
        ({"e": [1.0, 0.0], "L": [[0, 1], [1, 0]], "seniority": "junior"}, "seniority"),
    ],
)
def test_bad_input(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        clear(**kwargs)


def test_iteration_method_on_anchor():
    res = clear(E3, L3, method="iteration")
    np.testing.assert_allclose(res.payments, [270 / 11, 290 / 11, 10.0], rtol=0, atol=1e-10)
    assert res.default.tolist() == [True, True, False]
    assert res.default_round[0] == 1 and res.default_round[1] >= 2


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
@settings(max_examples=40, deadline=None)
@given(net=networks(n_max=6))
def test_both_methods_agree(net, seniority):
    e, L, b = net
    a = clear(e, L, b, seniority=seniority, alpha=0.8, beta=0.9)
    it = clear(e, L, b, seniority=seniority, alpha=0.8, beta=0.9, method="iteration")
    scale = max(1.0, float(np.max(np.r_[e, L.sum(1) + b])))
    np.testing.assert_allclose(it.payments, a.payments, atol=1e-8 * scale)
    assert (it.default == a.default).all()


def test_regression_zero_clamp_solved_from_below():
    """Found by hypothesis: bank 3 looks negative only because bank 1 does; removing both
    at once gave a fixed point below the greatest one, (0, 0, 6, 1.8)."""
    e = np.array([0.0, 0.0, 5.0, 0.0])
    L = np.array([[0, 0, 0, 0], [0, 0, 0, 1.0], [0, 0, 0, 6.0], [0, 0, 5.0, 0]])
    b = np.array([0.0, 3.0, 0.0, 3.0])
    res = clear(e, L, b, seniority="external_senior", alpha=0.6, beta=0.8)
    # Bank 3 realises 0.8 * 6 - 3 = 1.8 > 0; bank 2 then holds 5 + 1.8 >= 6 and pays in full.
    np.testing.assert_allclose(res.payments, [0.0, 0.0, 6.0, 1.8], atol=1e-12)
