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
from scosim.network.finance import COST_OF_FUNDS
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


#: A bank that funds at its lending rate, the members' cost of funds at which corridors
#: value their money flows (until 2026-12-06 the 4 % discount rate): no subsidy (its
#: paid-in capital costs its owners the market rate, here the same).
AT_COST = {"lending_rate": COST_OF_FUNDS, "funding_rate": COST_OF_FUNDS,
           "market_rate": COST_OF_FUNDS}


def test_a_bank_on_the_default_terms_changes_nothing() -> None:
    _, alone = _model(None, "bank_project")
    # 7 %, 20 years, 5 of grace, capital by GDP, all members, funded at 7 % (the default
    # lender lends at the members' cost of funds; until 2026-12-06 at 4 %).
    _, with_bank = _model(AT_COST, "bank_project")
    np.testing.assert_array_equal(with_bank.paid, alone.paid)
    np.testing.assert_array_equal(with_bank.risk, alone.risk)


@pytest.mark.parametrize("tenor", [3, 5, 10, 20, 35])  # 5 or less: a shorter grace
def test_hosts_pay_the_cost_when_the_bank_lends_at_the_discount_rate(tenor: int) -> None:
    _, arr = _model({**AT_COST, "tenor_years": tenor})
    np.testing.assert_allclose(arr.paid.sum(axis=1), arr.cost_usd, rtol=1e-12)


@pytest.mark.parametrize("grace", [0, 15])
def test_corridor_loans_take_the_grace_of_the_bank_in_force(grace: int) -> None:
    # 70 % of the cost lent at 2 % for 20 years, repaid from Iran's budget: interest 0.02
    # a dollar for `grace` years, then the annuity 0.02 / (1 - 1.02^-(20 - grace)) for
    # the rest, valued at the members' cost of funds, the bank's 7 % market rate (the
    # bank's owners, Iran not among them, pay its subsidy). Until 2026-12-06 every
    # corridor loan took 5 years of grace, whatever the bank in force said.
    def a7(n: int) -> float:  # present value of 1 a year for n years at 7 %
        return (1 - 1.07**-n) / 0.07

    level = 0.02 / (1 - 1.02 ** -(20 - grace))
    per_dollar = 0.02 * a7(grace) + level * 1.07**-grace * a7(20 - grace)
    assert per_dollar == pytest.approx({0: 0.6479, 15: 0.4974}[grace], abs=5e-5)
    m, arr = _model({"lending_rate": 0.02, "funding_rate": 0.02, "grace_years": grace,
                     "participants": ["CHN", "RUS", "IND"],
                     "decision_rule": "interested_members"})
    np.testing.assert_allclose(arr.paid[:, m.codes.index("IRN")],
                               arr.cost_usd * (0.3 + 0.7 * per_dollar), rtol=1e-12)


def test_the_owners_pay_the_subsidy_of_a_bank_funding_above_its_lending_rate() -> None:
    # A bank lending at 4 % and funding at 7 % (its market rate, which every bank funded
    # at until 2026-12-06), 20 years with 5 of grace: 1 a dollar lent is outstanding for
    # 5 years, then a4(15 - k) / a4(15) in year 5 + k (a level annuity at 4 %). The
    # owners pay the 3 % spread on it, valued at the members' cost of funds, its 7 %
    # market rate, like the hosts' service: 0.2519 a dollar, the loan's grant element
    # against 7 % (the bank's own preview's), on the 70 % lent, by capital shares fixed
    # at subscription (base-year GDP): Kyrgyzstan, no host, pays only that. Hosts and
    # owners together pay the cost: the loan's funding at 7 %, valued at 7 %. Until
    # 2026-12-06 the spread was valued at the corridors' 4 % (0.3060 a dollar).
    m, arr = _model({"funding_rate": 0.07, "lending_rate": 0.04})

    def a4(n: int) -> float:  # an annuity's factor at the lending rate
        return (1 - 1.04**-n) / 0.04

    left = [1.0] * 5 + [a4(15 - k) / a4(15) for k in range(15)]
    spread = 0.03 * sum(o * 1.07 ** -(t + 1) for t, o in enumerate(left))
    assert spread == pytest.approx(0.2519, abs=5e-5)
    subsidy = spread * 0.7 * arr.cost_usd
    np.testing.assert_allclose(arr.paid.sum(axis=1), arr.cost_usd, rtol=1e-12)
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
    # Iran, the host, is not an owner: its payments alone, against its 7 % cost of funds.
    owners = {"participants": ["CHN", "RUS", "IND"], "decision_rule": "interested_members"}
    m, alone = _model(None)
    irn = m.codes.index("IRN")
    paid = {rate: _model({**owners, "lending_rate": rate})[1].paid[:, irn]
            for rate in (0.0, 0.04, 0.09)}
    cost = alone.cost_usd
    assert (paid[0.0] < paid[0.04]).all() and (paid[0.04] < cost).all()
    assert (paid[0.09] > cost).all()
    # Only the loan's 70 % is cheaper: the hosts' up-front 30 % is paid in full.
    assert (paid[0.0] > 0.3 * cost).all()


def test_a_failed_project_loan_is_borne_by_the_banks_owners() -> None:
    m, default = _model(None, "bank_project")
    _, narrow = _model({"participants": OWNERS, "decision_rule": "interested_members",
                        "lending_rate": COST_OF_FUNDS},
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
    found = lenders(m, COST_OF_FUNDS, 20, 5)
    assert [(lend.pid, lend.runs.tolist()) for lend in found] == [
        ("bank", [True, False]), (None, [False, True])]
    paid = arr._finance(m, arr._failure_prob(np.zeros((m.R, m.N)))).paid.sum(axis=1)
    assert paid[0] < paid[1]
    # The default lender, at the cost of funds (4 % until 2026-12-06).
    np.testing.assert_allclose(paid[1], arr.cost_usd, rtol=1e-12)


@pytest.mark.parametrize("tenor", [10, 30])
def test_a_bank_in_force_does_not_change_a_budget_project_s_risk(tenor: int) -> None:
    # The failure window of a project paid from budgets is its own; it used to be the
    # tenor of whatever bank was in force (30 years raised the expected loss by a tenth).
    _, alone = _model(None, "budget")
    _, with_bank = _model({"tenor_years": tenor}, "budget")
    np.testing.assert_array_equal(with_bank.paid, alone.paid)
    # The same sums over a 30-year table or a 20-year one and its closed-form tail.
    np.testing.assert_allclose(with_bank.risk, alone.risk, rtol=1e-14)
    assert alone.risk.sum() > 0


@pytest.mark.parametrize("tenor", [10, 30])
def test_a_bank_s_tenor_does_not_change_how_long_the_project_can_fail(tenor: int) -> None:
    # The project's failure window is its own (FAILURE_WINDOW_YEARS): a bank lending over
    # 10 or 30 years moves the expected loss between hosts and owners, it does not shrink
    # or grow it. Before, the window was the loan's tenor: a 10-year bank cut the expected
    # loss of a bank-financed INSTC by 38 % (US$0.40 to 0.25 bn), a 30-year one raised it by
    # 23 %. The bank's loss at a failure also counts that year's interest at 7 %, which
    # the hosts do not pay: the capital lost is the total less 0.07 / 1.07 of the bank's
    # loss (which the owners bear by capital, Iran, the host, among them).
    _, budget = _model(None, "budget")
    m_default, default = _model(None, "bank_project")
    m_lent, lent = _model({"tenor_years": tenor, "lending_rate": COST_OF_FUNDS},
                          "bank_project")
    owners = lent.risk.sum(axis=1) - (lent.risk * lent.hosts).sum(axis=1)
    owners_default = default.risk.sum(axis=1) - (default.risk * default.hosts).sum(axis=1)
    for m, out, own in ((m_lent, lent, owners), (m_default, default, owners_default)):
        (lender,) = lenders(m, COST_OF_FUNDS, 20, 5)
        bank_loss = own / (1.0 - (lender.capital * out.hosts).sum(axis=1))
        capital_lost = out.risk.sum(axis=1) - bank_loss * 0.07 / 1.07
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
