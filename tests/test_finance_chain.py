"""Money on hand-computable networks: losses counted once, frozen payments kept.

A creditor bank that fails in turn passes on to its own creditors the part of its unpaid
claims that its capital cannot absorb; until 2026-12-05 that part was counted both at the
first debtor (``interbank_unpaid``, "other banks") and again among the second bank's
creditors' losses. Payments frozen by sanctions left the debtor and reached nobody; they
are now parked in blocked accounts as the payee's claim and counted (``frozen_parked``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from scosim.finance.data import BankingData
from scosim.finance.shocks import sanctions_matrix
from scosim.finance.system import FinanceParams, FinanceState, FinanceSystem

# No income, no credit losses, no draws: a year's losses are the capital taken away in the
# initial state (an own loss), so every figure below can be worked out by hand.
CALM = FinanceParams(roa_margin=0.0, idio_sd=0.0, oil_sd=0.0, npl_sensitivity=0.0)


def _data(e: np.ndarray, b: np.ndarray, L: np.ndarray) -> BankingData:
    """Balance sheets with external assets ``e``, external liabilities ``b``, exposures ``L``."""
    n = len(e)
    assets = e + L.sum(axis=0)
    capital = assets - b - L.sum(axis=1)
    return BankingData(
        codes=tuple(f"B{k}" for k in range(n)), gdp=np.full(n, 1e3), assets=assets,
        capital=capital, deposits=b / 2, insured=b / 4, npl=np.zeros(n),
        fuel_exports_gdp=np.zeros(n), L=L, parameters={}, settlement=np.zeros((n, n)))


def _step(data: BankingData, own_loss: np.ndarray, params: FinanceParams = CALM):
    """One year with ``own_loss`` (R, N) taken from capital before clearing."""
    fs = FinanceSystem(data, params)
    R, N = own_loss.shape
    st = fs.initial_state(R)
    st = FinanceState(capital=st.capital - own_loss, npl=st.npl, fund=st.fund,
                      trade_cost_factor=st.trade_cost_factor)
    _, ind = fs.step(st, np.zeros((R, N)), fs.no_sanctions(R), fs.levers(R),
                     np.random.default_rng(0))
    return fs, ind


def _outside(ind: dict[str, np.ndarray]) -> np.ndarray:
    """Outside creditors' losses in default: insured and uninsured depositors, the rest."""
    return ind["insured_payout"] + ind["depositor_losses"] + ind["creditor_losses"]


def test_a_chain_of_three_banks_counts_the_passed_on_loss_once():
    """A owes B 60, B owes C 45. A loses 70 of its 130 external assets and defaults.

    Pari passu, A pays 60 of the 120 it owes: 30 to its outside creditors (who lose 30)
    and 30 to B. B had 20 of equity; with 30 of its 60 claim unpaid it holds 80 against 90
    owed and pays 40 + 40: its outside creditors and C lose 5 each. C absorbs 5. So B's
    capital bears 20 of A's 30 unpaid and passes 10 on (5 + 5, counted at B), and the
    loss borne by everyone is A's hole, 60 (30 + 20 outside A, 5 + 5 at B); the old count
    put all 30 at A and gave 70.
    """
    L = np.zeros((3, 3))
    L[0, 1], L[1, 2] = 60.0, 45.0
    data = _data(np.array([130.0, 50.0, 100.0]), np.array([60.0, 45.0, 50.0]), L)
    _, ind = _step(data, np.array([[70.0, 0.0, 0.0]]))
    assert ind["failures"][0].tolist() == [1.0, 1.0, 0.0]
    np.testing.assert_allclose(_outside(ind)[0], [30.0, 5.0, 0.0], rtol=1e-12)
    np.testing.assert_allclose(ind["interbank_unpaid"][0], [20.0, 5.0, 0.0], rtol=1e-12)
    # What creditors lose by cause is unchanged: B is not paid 30, C is not paid 5.
    np.testing.assert_allclose(ind["loss_contagion"][0], [0.0, 30.0, 5.0], atol=1e-12)
    total = _outside(ind).sum() + ind["interbank_unpaid"].sum()
    assert total == pytest.approx(60.0, rel=1e-12)


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
@pytest.mark.parametrize("cost", [1.0, 0.7])
@pytest.mark.parametrize("seed", range(6))
def test_who_paid_adds_up_to_the_holes_and_the_default_costs(seniority, cost, seed):
    """On random dense networks with large own losses (contagion several rounds deep),
    outside creditors' losses plus what creditor banks' capital bears equal the holes of
    the systems insolvent on their own plus the value destroyed by default costs: every
    unit lost is borne once, by a creditor outside the network or by a bank's capital."""
    rng = np.random.default_rng(seed)
    n, R = 6, 8
    L = rng.uniform(0, 40, (n, n)) * (rng.uniform(size=(n, n)) < 0.7)
    np.fill_diagonal(L, 0.0)
    e = rng.uniform(60, 120, n)
    b = rng.uniform(0.3, 0.8, n) * (e + L.sum(axis=0) - L.sum(axis=1)).clip(1.0)
    data = _data(e, b, L)
    own = rng.uniform(0, 1, (R, n)) ** 4 * e  # a few large losses
    params = CALM.__class__(**{**CALM.__dict__, "seniority": seniority, "alpha": cost,
                               "beta": cost})
    _, ind = _step(data, own, params)
    if seed == 0:
        assert (ind["contagion_round"] >= 2).any(), "the networks must spread defaults"
    hole = np.maximum(own - data.capital, 0.0)  # equity before interbank losses < 0
    total = _outside(ind).sum(axis=1) + ind["interbank_unpaid"].sum(axis=1)
    expect = hole.sum(axis=1) + ind["loss_default_costs"].sum(axis=1)
    np.testing.assert_allclose(total, expect, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("severity", "parked"), [(1.0, [4.0, 0.0, 10.0]),
                                                  (0.5, [2.0, 0.0, 5.0])])
def test_a_sanction_lasting_three_years_parks_the_same_claims_once(severity, parked):
    """A owes C 10 and C owes A 4 (frozen both ways: C sanctions A, no secondary
    sanctions); B owes C 6 (not frozen). Nobody defaults, so in the first year every debtor
    pays all 20: 6 reaches C, 14 is parked, 10 for C and 4 for A (half of each at severity
    0.5: 7). Those claims stay parked (no lifting is modelled) and are out of the network:
    the second and third years of the same sanctions freeze nothing new, and the stock
    stays 14 (7), not 28 and 42. What the payees no longer hold in capital is exactly what
    is parked: their capital plus the parked claims is what they started with, every year
    (money out = money in + parked). Until 2026-12-06 the network was owed and frozen again
    each year: the stock tripled to 42 and the payees' capital fell by 14 a year."""
    L = np.zeros((3, 3))
    L[0, 2], L[2, 0], L[1, 2] = 10.0, 4.0, 6.0
    data = _data(np.array([100.0, 100.0, 100.0]), np.array([50.0, 50.0, 50.0]), L)
    fs = FinanceSystem(data, CALM.__class__(**{**CALM.__dict__, "secondary": 0.0}))
    st = fs.initial_state(1)
    S = sanctions_matrix([("B0", "B2", severity)], data.codes, 1)
    start = st.capital.sum()
    for year in (1, 2, 3):
        held = data.interbank_claims - st.parked[0]  # parked claims are no longer owed
        st, ind = fs.step(st, np.zeros((1, 3)), S, fs.levers(1), np.random.default_rng(0))
        assert not ind["failures"].any()
        np.testing.assert_allclose(ind["loss_sanctions"][0], parked if year == 1 else 0.0,
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ind["frozen_parked"][0], parked, rtol=1e-12)
        received = held - ind["loss_sanctions"][0] - ind["loss_contagion"][0]
        assert held.sum() == pytest.approx(received.sum() + ind["loss_sanctions"].sum())
        assert st.capital.sum() + st.parked.sum() == pytest.approx(start, rel=1e-12)
        np.testing.assert_allclose(st.capital[0], data.capital - np.array(parked), rtol=1e-12)


@pytest.mark.parametrize("kernel", ["clearing", "debtrank"])
def test_the_parked_stock_is_every_year_s_frozen_payments_added_up(kernel):
    """In the packaged network under full sanctions on Russia in some years, with
    failures: the stock held for each payee is the sum of what was frozen for it, never
    falls, and is nothing where nothing was ever frozen."""
    # The shock sizes were chosen for the calibration before 2026-12-06 (npl_sensitivity
    # 0.89, own shock 0.01), kept: at the defaults' own shock of 0.16 a year which regime
    # each run is in is a draw (docs/finance.md section 6).
    fs = FinanceSystem().with_params(kernel=kernel, npl_sensitivity=0.89, idio_sd=0.01)
    R, N = 6, fs.N
    rus = fs.codes.index("RUS")
    st = fs.initial_state(R)
    total = np.zeros((R, N))
    gens = [np.random.default_rng(r) for r in range(R)]
    for year, severity in enumerate((1.0, 0.0, 0.5)):
        g = np.zeros((R, N))
        g[:, rus] = -0.5 if year == 0 else 0.0
        S = sanctions_matrix([("RUS", "ROW", severity)], fs.codes, R)
        before = st.parked.copy()
        st, ind = fs.step(st, g, S, fs.levers(R), gens)
        if year == 0:
            assert ind["failures"][:, rus].all()
        total += ind["loss_sanctions"]
        np.testing.assert_allclose(ind["frozen_parked"], total, rtol=1e-12)
        np.testing.assert_array_equal(st.parked, ind["frozen_parked"])
        assert (st.parked >= before).all()
    assert (total[:, rus] > 1e9).all()


@pytest.mark.parametrize("kernel", ["clearing", "debtrank"])
def test_the_parked_stock_never_exceeds_the_frozen_claims(kernel):
    """Full sanctions on Russia by the rest of the world for three years, with a crisis in
    the first (Russia fails, pays part of what it owes, part of that is parked): each
    pair's parked claims stay within what the pair owes (the old count went up to three
    times Russia's claims), and the second and third years freeze at most what was not
    paid into a blocked account in the first."""
    fs = FinanceSystem().with_params(kernel=kernel)
    R, N = 4, fs.N
    rus, row = fs.codes.index("RUS"), fs.codes.index("ROW")
    st = fs.initial_state(R)
    gens = [np.random.default_rng(r) for r in range(R)]
    S = sanctions_matrix([("RUS", "ROW", 1.0)], fs.codes, R)
    first = None
    for year in range(3):
        g = np.zeros((R, N))
        g[:, rus] = -0.5 if year == 0 else 0.0
        st, ind = fs.step(st, g, S, fs.levers(R), gens)
        first = st.frozen.copy() if first is None else first
        assert (st.frozen <= fs.data.L[None] * (1 + 1e-12)).all()
    L = fs.data.L
    pair = L[rus, row] + L[row, rus]
    stock = st.frozen[:, rus, row] + st.frozen[:, row, rus]
    assert (stock <= pair * (1 + 1e-12)).all() and (stock > 0.5 * pair).all()
    assert (st.frozen - first <= L[None] - first + 1e-6).all()


@pytest.mark.parametrize("kernel", ["clearing", "debtrank"])
def test_a_claim_lost_in_default_under_sanctions_is_not_written_off_again(kernel):
    """A owes C 10 and C sanctions A (severity 1, no secondary sanctions) for three years.
    In the first A loses 70 of its 100 external assets: it holds 30 against 60 owed (50
    outside, 10 to C) and pays each creditor half, so 5 reaches C's blocked account
    (parked) and 5 is lost in default; C's capital, 60, falls by its whole claim to 50.
    The calibrated balance sheets come back each year, and A, recapitalised, would owe the
    unpaid 5 again, pay it into the blocked account and C write it off a second time
    (capital 45 and 15 written off on a claim of 10, until 2026-12-06). The claim is out
    of the network: in the next two years C loses nothing more, the parked stock stays 5,
    and C's capital plus what is parked is its start less what A did not pay, 60 - 5.
    DebtRank's failed debtor pays the same share (its recovery, 1/2), so the same holds."""
    L = np.zeros((3, 3))
    L[0, 2] = 10.0
    data = _data(np.array([100.0, 100.0, 100.0]), np.array([50.0, 50.0, 50.0]), L)
    fs = FinanceSystem(data, replace(CALM, secondary=0.0, kernel=kernel))
    st = fs.initial_state(1)
    st = FinanceState(capital=st.capital - np.array([[70.0, 0.0, 0.0]]), npl=st.npl,
                      fund=st.fund, trade_cost_factor=st.trade_cost_factor)
    S = sanctions_matrix([("B0", "B2", 1.0)], data.codes, 1)
    lost = 0.0
    for year in (1, 2, 3):
        st, ind = fs.step(st, np.zeros((1, 3)), S, fs.levers(1), np.random.default_rng(0))
        assert ind["failures"][0, 0] == (year == 1) and not ind["failures"][0, 1:].any()
        lost += ind["loss_sanctions"][0, 2] + ind["loss_contagion"][0, 2]
        np.testing.assert_allclose(ind["frozen_parked"][0], [0.0, 0.0, 5.0], atol=1e-12)
        assert st.capital[0, 2] == pytest.approx(50.0, rel=1e-12)
        assert st.capital[0, 2] + st.parked[0, 2] == pytest.approx(60.0 - 5.0, rel=1e-12)
    assert lost == pytest.approx(10.0, rel=1e-12)
