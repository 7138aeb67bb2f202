"""The Development Bank lends within its lending limit, ``leverage`` x subscribed capital.

Before, a ``development_bank`` in force lent to every corridor whatever its capital
(docs/network.md, "Not done yet"), and its preview lent the whole limit to its members
on top of its corridor loans. A development bank's charter caps its loans outstanding at
its capital (AIIB Articles of Agreement, art. 12.1: 100 percent of unimpaired subscribed
capital, reserves and retained earnings): a loan that does not fit is not approved, and
the corridor's hosts pay from their budgets, as they would without the bank (until
2026-12-06 the default lender lent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scosim.model.model import SCOModel
from scosim.network.bank_book import LoanBook
from scosim.network.finance import loan_schedule
from scosim.proposals.development_bank import bank_gain
from scosim.proposals.specs import DevelopmentBankProposal
from scosim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
INSTC = ROOT / "scenarios" / "corridor_instc.yaml"
#: The loans asked for, 70 percent of the central build costs (projects.csv).
INSTC_LOAN = 0.7 * 5.3e9
CASA_LOAN = 0.7 * 1.2e9


def _run(bank: dict[str, Any] | None, casa_year: int = 2026, end: int = 2028,
         casa: str = "bank_guaranteed") -> tuple[SCOModel, dict[str, Any]]:
    """INSTC (adopted 2026, in force 2027) then CASA-1000, both on bank loans (always yes)."""
    props: list[dict[str, Any]] = [
        {"type": "corridor", "id": "instc", "year": 2026, "proposer": "IND",
         "project": "INSTC_CHABAHAR", "financing": "bank_guaranteed"},
        {"type": "corridor", "id": "casa", "year": casa_year, "proposer": "PAK",
         "project": "CASA1000", "financing": casa}]
    if bank is not None:
        # The lending limit is checked here: the board lends whatever its owners gain
        # (its vote: test_network_bank_board.py).
        props.insert(0, {"type": "development_bank", "id": "bank", "year": 2025,
                         "proposer": "CHN", "board_approval": False, **bank})
    sc = load_scenario(INSTC, overrides={"replications": 2, "years": {"start": 2025,
                                                                      "end": end},
                                         "proposals": props})
    m = SCOModel(sc)
    m.run_model()
    return m, {a.pid: a for a in m.arrangements}


def _declined(m: SCOModel) -> list[tuple[int, int, str, str]]:
    return sorted({(int(e["run"]), int(e["year"]), e["proposal"], e["bank"])
                   for e in m.log.records() if e["type"] == "bank_loan_declined"})


def test_a_small_bank_declines_the_loan_that_does_not_fit_and_the_corridor_falls_back() -> None:
    # US$4 bn of capital at 1:1 holds the INSTC's 3.71 bn but not CASA-1000's 0.84 bn on
    # top (4.55 bn): CASA-1000's hosts pay from their budgets, as a budget-financed
    # CASA-1000 beside the same bank (until 2026-12-06 the default lender lent).
    # Funded at 7 % (above its 4 % lending rate) the bank's loans cost its owners a
    # subsidy, which tells them from the default lender's.
    dear = {"funding_rate": 0.07}
    m, small = _run({"capital_usd_bn": 4.0, **dear})
    _, big = _run(dear)  # US$10 bn: both fit
    _, none = _run(None)
    _, budget = _run({"capital_usd_bn": 4.0, **dear}, casa="budget")
    assert _declined(m) == [(0, 2027, "casa", "bank"), (1, 2027, "casa", "bank")]
    np.testing.assert_array_equal(small["casa"].paid, budget["casa"].paid)
    np.testing.assert_array_equal(small["casa"].risk, budget["casa"].risk)
    np.testing.assert_array_equal(small["instc"].paid, big["instc"].paid)
    # The bank's own loan costs its owners its subsidy; the default lender's does not.
    assert (big["casa"].paid.sum(axis=1) > none["casa"].paid.sum(axis=1)).all()
    # The book holds the INSTC's loan alone: committed in 2027, interest only in 2028.
    book = small["bank"].book
    np.testing.assert_allclose(book.exposure, [[0, 0, INSTC_LOAN, INSTC_LOAN]] * 2,
                               rtol=1e-12)
    np.testing.assert_allclose(big["bank"].book.outstanding(2028),
                               INSTC_LOAN + CASA_LOAN, rtol=1e-12)


def test_first_come_first_served_within_a_year_in_scenario_order() -> None:
    # Capital that holds either loan but not both: the INSTC, listed first, gets it.
    m, arrs = _run({"capital_usd_bn": 4.0, "leverage": 1.0})
    assert {p for _, _, p, _ in _declined(m)} == {"casa"}
    np.testing.assert_allclose(arrs["bank"].book.outstanding(2027), INSTC_LOAN, rtol=1e-12)


def test_repayment_frees_room_for_a_later_corridor() -> None:
    # A 2-year loan without grace: half the INSTC's loan is repaid a year after it is
    # disbursed (2027), so CASA-1000, in force in 2028, fits beside the rest; on the bank's
    # 20-year profile (5 years of interest only) nothing is repaid by then, and it does not.
    fast, fast_arrs = _run({"capital_usd_bn": 4.0, "tenor_years": 2, "grace_years": 0},
                           casa_year=2027)
    slow, _ = _run({"capital_usd_bn": 4.0}, casa_year=2027)
    assert _declined(fast) == []
    assert _declined(slow) == [(0, 2028, "casa", "bank"), (1, 2028, "casa", "bank")]
    # At the bank's default lending rate (4.9 % since 2026-12-06, 4 % before).
    rate = DevelopmentBankProposal.model_fields["lending_rate"].default
    _, left = loan_schedule(INSTC_LOAN, rate, 2, 0, 2)
    assert left[0, 1] + CASA_LOAN <= 4e9 < INSTC_LOAN + CASA_LOAN
    np.testing.assert_allclose(fast_arrs["bank"].book.outstanding(2028),
                               left[0, 1] + CASA_LOAN, rtol=1e-12)


def test_the_book_commits_a_loan_until_construction_starts_then_follows_its_repayment() -> None:
    book = LoanBook(3, list(range(2025, 2035)), np.full(3, 100.0))
    _, sched = loan_schedule(np.full(3, 60.0), 0.05, 4, 1, 4)
    runs = np.array([True, True, False])
    book.book(runs, 2026, np.array([2026, 2028, 2026]), sched)
    # Run 0: disbursed at once; run 1: committed 2026-2027, disbursed in 2028; run 2: none.
    np.testing.assert_allclose(book.exposure[0, 1:6], sched[0].tolist() + [0.0])
    np.testing.assert_allclose(book.exposure[1, 1:8], [60.0, 60.0] + sched[1].tolist() + [0.0])
    assert not book.exposure[2].any() and not book.exposure[:, 0].any()
    assert book.fits(np.full(3, 40.0), 2026).tolist() == [True, True, True]
    assert book.fits(np.full(3, 41.0), 2026).tolist() == [False, False, True]
    # Repaid: room frees year by year.
    assert book.fits(np.full(3, 100.0), 2030).tolist() == [True, False, True]


def test_the_limit_never_binds_at_the_default_capital_on_the_shipped_scenarios() -> None:
    # Every bank-financed corridor loan of every shipped scenario, added up per scenario,
    # fits a bank on its defaults (US$10 bn at 1:1), so adding one to them (as
    # docs/network.md does for its figures) declines nothing.
    default = DevelopmentBankProposal(type="development_bank", id="b", year=2025)
    limit = default.capital_usd_bn * 1e9 * default.leverage
    costs = pd.read_csv(ROOT / "src" / "scosim" / "network" / "tables" / "projects.csv",
                        index_col="project_id", comment="#")
    seen = 0
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        sc = load_scenario(path)
        loans = []
        for p in sc.proposals:
            if p.type != "corridor" or p.financing == "budget":
                continue
            col = "build_cost_high_usd_bn" if p.cost_case == "high" else "build_cost_usd_bn"
            cost = p.build_cost_usd_bn or float(costs.loc[p.project, col])
            loans.append(p.core.bank_share * cost * 1e9)
        seen += len(loans)
        assert sum(loans) <= limit, path.name
    assert seen >= 5  # the INSTC, Trans-Afghan and CASA-1000 scenarios


def test_the_bank_preview_lends_only_the_room_its_corridor_loans_leave() -> None:
    # Twice the INSTC's loan as capital: once the INSTC and CASA-1000 borrow, what is left
    # of the limit is the general lending of the preview, which is then the preview of a
    # bank with that capital (the gain is linear in the loans). Before, the preview lent
    # the whole limit whatever the corridors had borrowed.
    m, arrs = _run({"capital_usd_bn": 2 * INSTC_LOAN / 1e9}, end=2027)
    bank = arrs["bank"]
    m.year = 2027  # the run's last year (run_model leaves the year after it)
    p = bank.proposal
    room = bank_gain(bank.participants, np.asarray(m.gdp0, float),
                     capital=INSTC_LOAN - CASA_LOAN, rule=p.capital_rule, leverage=1.0,
                     lending_rate=p.lending_rate, market_rate=p.market_rate,
                     funding_rate=p.funding_rate, paid_in_share=p.paid_in_share,
                     loss_rate=p.credit_loss_rate, tenor=p.tenor_years,
                     grace=p.grace_years)
    gain = bank.preview(m, bank.participants).gain
    assert np.abs(room).max() > 0
    np.testing.assert_allclose(gain, room, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(bank.book.outstanding(2027), INSTC_LOAN + CASA_LOAN,
                               rtol=1e-12)


@pytest.mark.parametrize("committed", [0.0, 5e9, 20e9])
def test_the_general_lending_is_the_limit_less_the_corridor_loans(committed: float) -> None:
    part = np.ones((1, 3), bool)
    gdp = np.array([1e12, 2e11, 5e10])
    terms = {"rule": "gdp", "lending_rate": 0.04, "market_rate": 0.07, "funding_rate": 0.04,
             "paid_in_share": 0.2, "tenor": 20, "grace": 5}
    got = bank_gain(part, gdp, capital=10e9, leverage=1.0, committed=committed, **terms)
    want = bank_gain(part, gdp, capital=max(10e9 - committed, 0.0), leverage=1.0, **terms)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0.0)
