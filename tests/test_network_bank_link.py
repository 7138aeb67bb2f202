"""Corridors borrow on the terms of the scenario's own Development Bank when it is in force.

Before, a corridor financed by the SCO Development Bank used the default bank's terms
(4 %, 20 years, capital by members' GDP) even in runs where the scenario's own
``development_bank`` proposal, on other terms, was in force (docs/network.md, "Not done
yet"). The checks rest on an identity of loan arithmetic: a loan repaid at the rate that
discounts it has a present value equal to its principal, whatever its tenor, so hosts
repaying a ``bank_guaranteed`` loan at 4 % (the discount rate) pay exactly the project's
cost; a cheaper loan costs them less.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.network.bank_link import lenders
from scosim.network.corridor import DISCOUNT_RATE
from scosim.scenario import load_scenario

INSTC = Path(__file__).resolve().parents[1] / "scenarios" / "corridor_instc.yaml"
#: Members that own the narrow bank below; Iran hosts the corridor, Kyrgyzstan does neither.
OWNERS = ["CHN", "RUS", "IND", "IRN"]


def _model(bank: dict[str, Any] | None, financing: str = "bank_guaranteed",
           run: bool = True) -> tuple[SCOModel, Any]:
    props: list[dict[str, Any]] = [{"type": "corridor", "id": "instc", "year": 2026,
                                    "proposer": "IND", "project": "INSTC_CHABAHAR",
                                    "financing": financing}]
    if bank is not None:
        # The loan's terms are checked here: the board lends whatever its owners gain
        # (its vote: test_network_bank_board.py).
        props.insert(0, {"type": "development_bank", "id": "bank", "year": 2025,
                         "proposer": "CHN", "board_approval": False, **bank})
    sc = load_scenario(INSTC, overrides={"replications": 2, "years": {"start": 2025,
                                                                      "end": 2027},
                                         "proposals": props})
    m = SCOModel(sc)
    if run:
        m.run_model()
    return m, next(a for a in m.arrangements if a.pid == "instc")


#: A bank that funds at its lending rate, the corridors' discount rate: no subsidy (its
#: paid-in capital costs its owners the market rate, here the same).
AT_COST = {"lending_rate": DISCOUNT_RATE, "funding_rate": DISCOUNT_RATE,
           "market_rate": DISCOUNT_RATE}


def test_a_bank_on_the_default_terms_changes_nothing() -> None:
    _, alone = _model(None, "bank_project")
    # 4 %, 20 years, 5 of grace, capital by GDP, all members, funded at 4 %.
    _, with_bank = _model(AT_COST, "bank_project")
    np.testing.assert_array_equal(with_bank.paid, alone.paid)
    np.testing.assert_array_equal(with_bank.risk, alone.risk)


@pytest.mark.parametrize("tenor", [3, 5, 10, 20, 35])  # 5 or less: a shorter grace
def test_hosts_pay_the_cost_when_the_bank_lends_at_the_discount_rate(tenor: int) -> None:
    _, arr = _model({**AT_COST, "tenor_years": tenor})
    np.testing.assert_allclose(arr.paid.sum(axis=1), arr.cost_usd, rtol=1e-12)


@pytest.mark.parametrize("grace", [0, 15])
def test_corridor_loans_take_the_grace_of_the_bank_in_force(grace: int) -> None:
    # 70 % of the cost lent at 2 % for 20 years (funded at 2 %: no subsidy), repaid from
    # Iran's budget: interest 0.02 a dollar for `grace` years, then the annuity
    # 0.02 / (1 - 1.02^-(20 - grace)) for the rest, discounted at 4 %. Until 2026-12-06
    # every corridor loan took 5 years of grace, whatever the bank in force said.
    def a4(n: int) -> float:  # present value of 1 a year for n years at 4 %
        return (1 - 1.04**-n) / 0.04

    level = 0.02 / (1 - 1.02 ** -(20 - grace))
    per_dollar = 0.02 * a4(grace) + level * 1.04**-grace * a4(20 - grace)
    assert per_dollar == pytest.approx({0: 0.8311, 15: 0.7468}[grace], abs=5e-5)
    _, arr = _model({"lending_rate": 0.02, "funding_rate": 0.02, "market_rate": 0.02,
                     "grace_years": grace})
    np.testing.assert_allclose(arr.paid.sum(axis=1),
                               arr.cost_usd * (0.3 + 0.7 * per_dollar), rtol=1e-12)


def test_the_owners_pay_the_subsidy_of_a_bank_funding_above_its_lending_rate() -> None:
    # A bank lending at 4 % and funding at 7 % (its market rate, which every bank funded
    # at until 2026-12-06), 20 years with 5 of grace: 1 a
    # dollar lent is outstanding for 5 years, then a(15 - k) / a(15) in year 5 + k (a
    # level annuity at 4 %). The owners pay the 3 % spread on it, valued at the
    # corridors' 4 % like the hosts' service, 0.03 [a(5) + v^5 (a(15) - 15 v^16) /
    # (0.04 a(15))] = 0.3060 a dollar (v = 1 / 1.04), on the 70 % lent, by capital shares
    # fixed at subscription (base-year GDP): Kyrgyzstan, no host, pays only that. Until
    # 2026-12-06 the owners paid nothing for it, then the spread valued at 7 % (0.2519).
    m, arr = _model({"funding_rate": 0.07, "lending_rate": 0.04})
    v = 1 / 1.04

    def a4(n: int) -> float:  # present value of 1 a year for n years at 4 %
        return (1 - v**n) / 0.04

    spread = 0.03 * (a4(5) + v**5 * (a4(15) - 15 * v**16) / (0.04 * a4(15)))
    assert spread == pytest.approx(0.3060, abs=5e-5)
    subsidy = spread * 0.7 * arr.cost_usd
    np.testing.assert_allclose(arr.paid.sum(axis=1), arr.cost_usd + subsidy, rtol=1e-12)
    kgz = m.codes.index("KGZ")
    members = m.is_member()[0]
    share = m.gdp0[kgz] / m.gdp0[members].sum()
    np.testing.assert_allclose(arr.paid[:, kgz], share * subsidy, rtol=1e-12)


def test_owners_bear_a_project_loss_by_base_year_gdp() -> None:
    # Capital is subscribed once: two owners bear a failed loan in the ratio of their
    # base-year GDP, as in the bank's own preview, not of the GDP of the year a corridor
    # borrows (which it was until 2026-12-06).
    m, arr = _model(None, "bank_project")
    chn, kgz = m.codes.index("CHN"), m.codes.index("KGZ")
    np.testing.assert_allclose(arr.risk[:, chn] / arr.risk[:, kgz],
                               m.gdp0[chn] / m.gdp0[kgz], rtol=1e-12)


def test_a_cheaper_bank_loan_costs_the_hosts_less_and_a_dearer_one_more() -> None:
    # Each bank funds at its lending rate: the hosts' payments alone.
    paid = {rate: _model({"lending_rate": rate, "funding_rate": rate})[1].paid.sum(axis=1)
            for rate in (0.0, 0.02, 0.06)}
    cost = _model(None)[1].cost_usd
    assert (paid[0.0] < paid[0.02]).all() and (paid[0.02] < cost).all()
    assert (paid[0.06] > cost).all()
    # Only the loan's 70 % is cheaper: the hosts' up-front 30 % is paid in full.
    assert (paid[0.0] > 0.3 * cost).all()


def test_a_failed_project_loan_is_borne_by_the_banks_owners() -> None:
    m, default = _model(None, "bank_project")
    _, narrow = _model({"participants": OWNERS, "decision_rule": "interested_members",
                        "lending_rate": 0.04},
                       "bank_project")
    kgz, chn = m.codes.index("KGZ"), m.codes.index("CHN")
    assert (default.risk[:, kgz] > 0).all()  # the default bank: every member owns a share
    assert (narrow.risk[:, kgz] == 0).all()  # not an owner, not a host
    assert (narrow.risk[:, chn] > default.risk[:, chn]).all()  # fewer owners, larger shares
    # What the owners bear adds up to the same expected loss of the bank.
    np.testing.assert_allclose(narrow.risk.sum(axis=1), default.risk.sum(axis=1), rtol=1e-12)


def test_each_run_borrows_from_the_bank_in_force_in_it() -> None:
    m, arr = _model({"lending_rate": 0.0, "funding_rate": 0.0}, run=False)
    bank = next(a for a in m.arrangements if a.pid == "bank")
    bank.participants[:] = m.is_member()
    bank.in_force[:] = [True, False]
    found = lenders(m, 0.04, 20, 5)
    assert [(lend.pid, lend.runs.tolist()) for lend in found] == [
        ("bank", [True, False]), (None, [False, True])]
    paid = arr._finance(m, arr._failure_prob(np.zeros((m.R, m.N)))).paid.sum(axis=1)
    assert paid[0] < paid[1]
    np.testing.assert_allclose(paid[1], arr.cost_usd, rtol=1e-12)  # the default, at 4 %


@pytest.mark.parametrize("tenor", [10, 30])
def test_a_bank_in_force_does_not_change_a_budget_project_s_risk(tenor: int) -> None:
    # The failure window of a project paid from budgets is its own; it used to be the
    # tenor of whatever bank was in force (30 years raised the expected loss by a tenth).
    _, alone = _model(None, "budget")
    _, with_bank = _model({"tenor_years": tenor}, "budget")
    np.testing.assert_array_equal(with_bank.paid, alone.paid)
    np.testing.assert_array_equal(with_bank.risk, alone.risk)
    assert alone.risk.sum() > 0


@pytest.mark.parametrize("tenor", [10, 30])
def test_a_bank_s_tenor_does_not_change_how_long_the_project_can_fail(tenor: int) -> None:
    # The project's failure window is its own (FAILURE_WINDOW_YEARS): a bank lending over
    # 10 or 30 years moves the expected loss between hosts and owners, it does not shrink
    # or grow it. Before, the window was the loan's tenor: a 10-year bank cut the expected
    # loss of a bank-financed INSTC by 38 % (US$0.40 to 0.25 bn), a 30-year one raised it by
    # 23 %. The bank's loss at a failure also counts that year's interest at 4 %, which
    # the hosts do not pay: the capital lost is the total less 0.04 / 1.04 of the bank's
    # loss (which the owners bear by capital, Iran, the host, among them).
    _, budget = _model(None, "budget")
    m_default, default = _model(None, "bank_project")
    m_lent, lent = _model({"tenor_years": tenor, "lending_rate": 0.04}, "bank_project")
    owners = lent.risk.sum(axis=1) - (lent.risk * lent.hosts).sum(axis=1)
    owners_default = default.risk.sum(axis=1) - (default.risk * default.hosts).sum(axis=1)
    for m, out, own in ((m_lent, lent, owners), (m_default, default, owners_default)):
        (lender,) = lenders(m, 0.04, 20, 5)
        bank_loss = own / (1.0 - (lender.capital * out.hosts).sum(axis=1))
        capital_lost = out.risk.sum(axis=1) - bank_loss * 0.04 / 1.04
        np.testing.assert_allclose(capital_lost, budget.risk.sum(axis=1), rtol=1e-12)
    # The longer or shorter loan still moves it: the owners bear more the longer it runs.
    assert ((owners > owners_default) if tenor > 20 else (owners < owners_default)).all()


def test_a_loan_longer_than_the_failure_window_is_repaid_in_full() -> None:
    # A 30-year loan against a 20-year window: the payments of years 21-30 count (at no
    # failure risk), so at a lending rate equal to the discount rate the hosts pay the cost.
    from scosim.network.finance import failure_probability, finance_project

    pf = failure_probability(np.array([0.0]), 20, base=0.0)
    out = finance_project([1000.0], [1.0], "bank_guaranteed", tenor=30, failure_prob=pf,
                          rate=DISCOUNT_RATE, discount_rate=DISCOUNT_RATE)
    np.testing.assert_allclose(out.paid.sum(), 1000.0, rtol=1e-12)
