"""The crisis step's account identities at the default calibration.

The one-year crisis tests of ``test_finance_system.py``, ``test_finance_who_paid.py``,
``test_finance_chain.py``, ``test_finance_fund_limits.py``, ``test_finance_brrd_backstop.py``
and ``test_finance_release_tool.py`` pin the calibration before 2026-12-06
(``npl_sensitivity`` 0.89, own shock 0.01) because their shock sizes put every run in one
regime (failing, caught, deposits reached). The identities below do not depend on the
calibration, so they are checked here at the defaults (own shock 0.16, ``npl_sensitivity``
0.565), where which regime a run is in is a draw: each test also checks that its fixed
seeds give both regimes, so that both sides of each identity are exercised.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from _finance_checks import assert_losses_in_legal_order  # tests/ is on sys.path
from scosim.data.constants import MEMBERS
from scosim.finance.shocks import sanctions_matrix
from scosim.finance.system import FinanceSystem, Levers

FS = FinanceSystem()  # the defaults
N = FS.N
RUS = FS.codes.index("RUS")


def _gens(R: int) -> list[np.random.Generator]:
    return [np.random.default_rng(r) for r in range(R)]


def _crisis(fs: FinanceSystem, R: int, shock: float = -0.5,
            levers: Levers | None = None) -> tuple[object, dict[str, np.ndarray]]:
    """Russia's 2026-style year: a GDP shock and full sanctions by the rest of the world."""
    g = np.zeros((R, N))
    g[:, RUS] = shock
    S = sanctions_matrix([("RUS", "ROW", 1.0)], fs.codes, R)
    return fs.step(fs.initial_state(R), g, S, levers if levers is not None else fs.levers(R),
                   _gens(R))


def test_the_defaults_are_not_the_pinned_calibration():
    """Otherwise this file would repeat the pinned tests instead of covering the defaults."""
    pinned = FinanceSystem().with_params(npl_sensitivity=0.89, idio_sd=0.01).params
    assert (FS.params.idio_sd, FS.params.npl_sensitivity) != (pinned.idio_sd,
                                                              pinned.npl_sensitivity)


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
def test_a_failure_s_losses_go_down_the_ranking_and_the_treasury_pays_insured_plus_recap(
        seniority):
    """Art. 108's ranking of what a defaulter pays its outside creditors, and without a
    fund the treasury pays the insured losses and recapitalises the failed system to
    ``recap_ratio`` of its assets; nothing is lost where the system does not fail."""
    fs = FS.with_params(seniority=seniority)
    new, ind = _crisis(fs, 32)
    failed = ind["failures"] > 0
    assert failed[:, RUS].any() and not failed[:, RUS].all()  # both regimes drawn
    d = fs.data
    total = assert_losses_in_legal_order(ind, d)
    assert not total[~failed].any()
    recap = fs.params.recap_ratio * d.assets[RUS]
    hit = failed[:, RUS]
    np.testing.assert_allclose(ind["fiscal_cost"][hit, RUS],
                               ind["insured_payout"][hit, RUS] + recap, rtol=1e-12)
    np.testing.assert_allclose(new.capital[hit, RUS], recap, rtol=1e-12)
    assert not ind["fiscal_cost"][~hit, RUS].any()


def test_what_defaulters_leave_unpaid_is_what_creditor_banks_lose():
    """Clearing: summed over economies, the debtors' side of the interbank losses equals
    the creditors' side (``loss_contagion``), to 1e-9 of the network's claims. At the
    defaults another system fails on its own shock in the same year in some runs; a
    failed creditor bank passes on the part of its unpaid claims its capital cannot absorb
    (counted among its own creditors' losses, ``test_finance_chain.py``), so the debtors'
    side is what creditor banks' capital keeps (``interbank_unpaid``) plus what failed
    ones pass on (``interbank_passed_on``), nothing where a single system fails. Until
    2026-12-06 the second was not recorded and the sides differed by it (seed 14: US$0.18
    bn with India failing beside Russia, ``test_finance_same_year_failures.py``)."""
    _, ind = _crisis(FS, 32)
    failed = ind["failures"] > 0
    assert failed[:, RUS].any() and not failed[:, RUS].all()
    unpaid, passed = ind["interbank_unpaid"], ind["interbank_passed_on"]
    assert (unpaid[failed[:, RUS], RUS] > 0).all()
    assert not unpaid[~failed].any() and not passed[~failed].any()
    alone = failed.sum(axis=1) <= 1
    several = failed.sum(axis=1) >= 2
    assert alone.any() and several.any()  # both cases drawn
    assert not passed[alone].any() and passed[several].sum() > 1e8
    gap = ind["loss_contagion"].sum(axis=1) - unpaid.sum(axis=1) - passed.sum(axis=1)
    np.testing.assert_allclose(gap, 0.0, atol=1e-9 * FS.data.L.sum())


@pytest.mark.parametrize("kernel", ["clearing", "debtrank"])
def test_the_parked_stock_is_the_frozen_payments_added_up(kernel):
    """Three years of sanctions on Russia (severity 1, 0, 0.5), a crisis in the first: the
    stock parked for each payee is the sum of the years' newly frozen claims, the state
    carries it, and it never falls."""
    fs = FS.with_params(kernel=kernel)
    R = 12
    st = fs.initial_state(R)
    gens = _gens(R)
    total = np.zeros((R, N))
    for year, severity in enumerate((1.0, 0.0, 0.5)):
        g = np.zeros((R, N))
        g[:, RUS] = -0.5 if year == 0 else 0.0
        S = sanctions_matrix([("RUS", "ROW", severity)], fs.codes, R)
        before = st.parked.copy()
        st, ind = fs.step(st, g, S, fs.levers(R), gens)
        if year == 0:
            assert ind["failures"][:, RUS].any() and not ind["failures"][:, RUS].all()
        total += ind["loss_sanctions"]
        np.testing.assert_allclose(ind["frozen_parked"], total, rtol=1e-12)
        np.testing.assert_array_equal(st.parked, ind["frozen_parked"])
        assert (st.parked >= before).all()
    assert (total[:, RUS] > 1e9).all()


def test_the_fund_s_spending_is_its_payouts():
    """A full union of the members with a fund of 2 % of insured deposits: what the fund
    held plus the year's contributions less its balance at the end is what it paid out,
    and it pays only where a system was resolved or failed."""
    R = 32
    part = np.broadcast_to(np.isin(FS.codes, MEMBERS), (R, N))
    lev = Levers.union(part, FS.data.settlement)
    st = FS.initial_state(R)
    st.fund[:] = 0.02 * FS.data.insured * part
    before = st.fund.sum(axis=1)
    g = np.zeros((R, N))
    g[:, RUS] = -0.5
    S = sanctions_matrix([("RUS", "ROW", 1.0)], FS.codes, R)
    _, ind = FS.step(st, g, S, lev, _gens(R))
    acted = (ind["resolutions"] + ind["failures"]) > 0
    assert acted[:, RUS].any() and not acted[:, RUS].all()  # both regimes drawn
    assert ind["fund_payout"][:, RUS].any()
    spent = before + ind["fund_contribution"].sum(axis=1) - ind["fund_balance"].sum(axis=1)
    np.testing.assert_allclose(spent, ind["fund_payout"].sum(axis=1), rtol=1e-9, atol=1e-3)
    assert not ind["fund_payout"][~acted].any()


def _release_tool():
    path = Path(__file__).resolve().parents[1] / "tools" / "finance_release_frozen.py"
    spec = importlib.util.spec_from_file_location("finance_release_frozen", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)  # type: ignore[union-attr]
    return tool


def test_released_claims_first_replace_the_recapitalisation():
    """``tools/finance_release_frozen.py``: released claims stand in for the treasury's
    recapitalisation first (its cost falls by the smaller of the two), and the rest lifts
    capital; the blocked accounts are empty after."""
    from scosim.finance.system import FinanceSystem as _FS

    tool = _release_tool()
    R = 12
    part = np.broadcast_to(np.isin(FS.codes, MEMBERS), (R, N))
    lev = Levers.union(part, FS.data.settlement)
    g = np.zeros((R, N))
    g[:, RUS] = np.linspace(-0.5, -0.1, R)
    S = sanctions_matrix([("RUS", "ROW", 1.0)], FS.codes, R)
    st, ind = _FS.step(FS, FS.initial_state(R), g, S, lev, _gens(R))
    rst, rind = tool.released(_FS.step)(FS, FS.initial_state(R), g, S, lev, _gens(R))
    out = st.frozen.sum(axis=1)
    recapitalised = ind["fiscal_recap"] * out > 0
    assert recapitalised.any() and not recapitalised[:, RUS].all()
    saved = ind["fiscal_cost"] - rind["fiscal_cost"]
    np.testing.assert_allclose(saved, np.minimum(out, ind["fiscal_recap"]), atol=1e-3)
    np.testing.assert_allclose(ind["fiscal_recap"] - rind["fiscal_recap"], saved, atol=1e-3)
    assert ((rst.capital - st.capital) >= -1e-3).all()
    assert not rst.frozen.any() and not rind["frozen_parked"].any()
