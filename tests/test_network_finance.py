"""SCO Development Bank finance functions and the corridor / bank proposal specs."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from scosim.network.finance import (
    annuity_payment,
    capital_shares,
    failure_probability,
    finance_project,
    host_cost_shares,
    interest_subsidy,
    loan_schedule,
    operating_share,
)
from scosim.network.specs import CorridorSpec


def test_capital_shares_rules():
    members = np.array([True, True, False, True])
    gdp = np.array([10.0, 30.0, 50.0, 60.0])
    np.testing.assert_allclose(capital_shares(members, "gdp", gdp=gdp), [[0.1, 0.3, 0, 0.6]])
    np.testing.assert_allclose(capital_shares(members, "equal"), [[1 / 3, 1 / 3, 0, 1 / 3]])
    with pytest.raises(ValueError, match="unknown capital rule"):
        capital_shares(members, "population")
    with pytest.raises(ValueError, match="at least one member"):
        capital_shares(np.zeros(4, bool), "equal")


def test_annuity_repays_principal_exactly():
    pay, out = loan_schedule([100.0], rate=0.05, tenor=10, grace=2, horizon=12)
    # interest only in the grace years, level payments after, nothing after the tenor
    np.testing.assert_allclose(pay[0, :2], [5.0, 5.0])
    assert np.ptp(pay[0, 2:10]) < 1e-9 and np.all(pay[0, 10:] == 0)
    # present value of the payments at the loan rate equals the principal
    disc = 1.05 ** -(np.arange(12) + 1.0)  # end-of-year payments
    assert (pay[0] * disc).sum() == pytest.approx(100.0 * 1.0)
    assert out[0, 10] == pytest.approx(0.0, abs=1e-9)
    assert annuity_payment(120.0, 0.0, 12) == pytest.approx(10.0)


def test_no_failure_bank_and_budget_cost_the_same_at_equal_rates():
    hs = np.array([0.5, 0.5, 0.0])
    budget = finance_project([1000.0], hs, "budget")
    bank = finance_project([1000.0], hs, "bank_guaranteed", rate=0.04, discount_rate=0.04,
                           tenor=20, grace=5)
    np.testing.assert_allclose(budget.paid, bank.paid)
    assert np.all(budget.risk == 0) and np.all(bank.risk == 0)


def test_project_finance_shifts_risk_from_hosts_to_shareholders():
    hs = np.array([1.0, 0.0, 0.0])  # economy 0 hosts the project
    cap = np.array([[0.2, 0.5, 0.3]])  # economies 1 and 2 own most of the bank
    pf = failure_probability(np.array([0.8]), horizon=20)
    budget = finance_project([1000.0], hs, "budget", failure_prob=pf)
    guaranteed = finance_project([1000.0], hs, "bank_guaranteed", capital=cap, failure_prob=pf)
    project = finance_project([1000.0], hs, "bank_project", capital=cap, failure_prob=pf)
    # Budget and guaranteed loans leave all the risk with the host.
    assert budget.risk[0, 1:].sum() == 0 and guaranteed.risk[0, 1:].sum() == 0
    # Project finance: shareholders 1 and 2 bear part of it in proportion to capital, the
    # host bears less than under budget financing.
    assert project.bank_loss[0] > 0
    assert project.risk[0, 0] < budget.risk[0, 0]
    assert project.risk[0, 1] / project.risk[0, 2] == pytest.approx(0.5 / 0.3)
    # and the host pays less in expectation (repayments stop if the project fails)
    assert project.paid[0, 0] < guaranteed.paid[0, 0]


def test_host_cost_shares():
    np.testing.assert_allclose(host_cost_shares([213.0, 260.0, 50.0]),
                               np.array([213, 260, 50]) / 523)
    with pytest.raises(ValueError, match="no length in any economy"):
        host_cost_shares([0.0, 0.0])


def test_corridor_spec_defaults_and_validation():
    spec = CorridorSpec(project="INSTC_CHABAHAR")
    assert spec.financing == "budget" and spec.participants == "interested"
    with pytest.raises(ValidationError, match="unknown project"):
        CorridorSpec(project="SILK_ROAD")
    with pytest.raises(ValidationError, match="do not host"):
        CorridorSpec(project="CKU_RAIL", host_shares={"CHN": 0.5, "IND": 0.5})
    with pytest.raises(ValidationError, match="sum to 1"):
        CorridorSpec(project="CKU_RAIL", host_shares={"CHN": 0.5, "KGZ": 0.4})
    with pytest.raises(ValidationError, match="bank_share"):
        CorridorSpec(project="TAPI", bank_share=0.5)
    with pytest.raises(ValidationError):
        CorridorSpec(project="TAPI", participants=["XXX"])
    with pytest.raises(ValidationError):
        CorridorSpec(project="TAPI", unknown_field=1)


def test_the_bank_has_one_spec_whose_defaults_its_proposal_reads():
    # Until 2026-12-06 scosim.network also exported a DevelopmentBankSpec that nothing
    # read, lending at 0.04 with no market or funding rate, and docs/network.md pointed
    # to it for the bank's defaults. The development_bank type reads its own spec.
    import scosim.network as network
    from scosim.proposals import get_type
    from scosim.proposals.specs import DevelopmentBankProposal

    assert not hasattr(network, "DevelopmentBankSpec")
    assert "DevelopmentBankSpec" not in network.__all__
    assert get_type("development_bank").spec is DevelopmentBankProposal
    d = DevelopmentBankProposal(type="development_bank", id="b", year=2025)
    assert d.lending_rate > d.funding_rate and d.market_rate > d.lending_rate


def test_project_km_and_who_pays_plot(tmp_path):
    from scosim.data import ECONOMIES, MEMBERS, load_calibration
    from scosim.network.plot import plot_who_pays
    from scosim.network.projects import project_km_by_economy
    from scosim.network.tables import load_network

    net = load_network()
    km = project_km_by_economy(net, "CKU_RAIL")
    # ANCHORS: 213 km in China, 260 in Kyrgyzstan, 50 in Uzbekistan. The Jalal-Abad-Andijan
    # section is the Uzbek one (edges.csv territory_km); only the 1 km border link is split
    # between the two economies it touches. (Split equally, the section used to charge
    # Kyrgyzstan for 25 km of Uzbek line.)
    assert km[ECONOMIES.index("CHN")] == pytest.approx(213.5)
    assert km[ECONOMIES.index("KGZ")] == pytest.approx(260.5)
    assert km[ECONOMIES.index("UZB")] == pytest.approx(50)
    # TAPI ends at Fazilka on the Indian border: India hosts no km of it, Pakistan the
    # Multan-Fazilka section; the lengths still add up to the project's.
    tapi = project_km_by_economy(net, "TAPI")
    assert tapi[ECONOMIES.index("IND")] == 0.0
    edges = net.edges[net.edges["project"] == "TAPI"]
    assert tapi.sum() == pytest.approx(edges["length_km"].sum())
    cap = capital_shares(np.isin(ECONOMIES, MEMBERS), "gdp",
                         gdp=load_calibration().vector("gdp_usd"))
    pf = failure_probability(np.array([0.5]), 20)
    outs = {m: finance_project([8e9], host_cost_shares(km), m, capital=cap, failure_prob=pf)
            for m in ("budget", "bank_guaranteed", "bank_project")}
    path = plot_who_pays(outs, ECONOMIES, tmp_path / "who.png", "CKU railway")
    assert path.is_file() and path.stat().st_size > 20_000


@pytest.mark.parametrize("inst", [0.0, 0.3, 0.8, 1.0])
def test_financing_moves_the_expected_loss_it_does_not_shrink_it(inst):
    # Whoever finances it, a failure in year t loses the whole investment less recovery,
    # valued at the end of that year: the total risk is the same in the three modes, and
    # equals the cost times the present value of a failure. (Before 2026-12-05 project
    # lending lost a quarter of it: the bank's loss alone was discounted, and the hosts'
    # repaid principal did not count.)
    hs = np.array([1.0, 0.0, 0.0])  # economy 0 hosts; the bank's owners are 0, 1 and 2
    cap = np.array([[0.2, 0.5, 0.3]])
    pf = failure_probability(np.array([inst]), horizon=20)
    outs = {m: finance_project([1000.0], hs, m, capital=cap, failure_prob=pf, recovery=0.4)
            for m in ("budget", "bank_guaranteed", "bank_project")}
    # A failure in year t has probability (1 - h)^t h and is valued at the end of the year;
    # the hazard h runs as long as the project stands (not only the 20 years given):
    # sum_{t >= 0} (1 - h)^t h / (1 + r)^(t + 1) = h / (r + h).
    # A non-recourse loan adds that year's interest at 4 % to the bank's loss (the hosts do
    # not pay it): the capital lost is the rest, its loss / 1.04.
    h, r = 0.01 + 0.1 * inst, 0.04
    expected = 1000.0 * 0.6 * h / (r + h)
    for m, out in outs.items():
        interest = out.bank_loss[0] * 0.04 / 1.04
        assert out.risk.sum() - interest == pytest.approx(expected, rel=1e-12), m
    assert outs["bank_project"].bank_loss[0] > 0
    # The owners other than the host bear the bank's loss by their capital shares.
    project = outs["bank_project"]
    assert project.risk[0, 1:].sum() == pytest.approx(0.8 * project.bank_loss[0], rel=1e-12)


@pytest.mark.parametrize("financing", ["budget", "bank_guaranteed", "bank_project"])
def test_a_failure_s_loss_and_salvage_are_the_hosts_stake(financing: str) -> None:
    """What the hosts lose and get back after a failure add up to their stake then, split
    by the recovery rate (the salvage a net value credits, outside review)."""
    pf = np.full((1, 20), 0.05)
    kw = {"capital": [[0.0, 0.0, 1.0]]} if financing == "bank_project" else {}
    out = finance_project([100.0], [[0.6, 0.4, 0.0]], financing, recovery=0.4,
                          failure_prob=pf, **kw)
    hosts_lost = out.risk - out.owners_risk
    np.testing.assert_allclose(out.recovered * 0.6, hosts_lost * 0.4, rtol=1e-12)
    assert out.recovered[0, 2] == 0.0 and out.recovered[0, 0] > 0
    none = finance_project([100.0], [[0.6, 0.4, 0.0]], financing, recovery=0.0,
                           failure_prob=pf, **kw)
    assert (none.recovered == 0).all()


def test_operating_share_is_the_expected_present_value_of_a_perpetual_benefit():
    # No failure risk: a perpetual 1 a year is worth exactly 1 / r.
    assert operating_share(np.zeros((1, 20)), 0.04)[0] == pytest.approx(1.0, rel=1e-12)
    # One year at p = 1: the project never delivers.
    assert operating_share(np.ones((1, 1)), 0.04)[0] == 0.0
    # A constant hazard p forever (a long window): r (1 - p) / (r + p), the geometric sum.
    p, r = 0.09, 0.04
    long = operating_share(np.full((1, 2000), p), r)[0]
    assert long == pytest.approx(r * (1 - p) / (r + p), rel=1e-9)
    # The hazard goes on after the years given: a 20-year table is the same perpetuity.
    # (Until 2026-12-06 no failure counted after them: 0.37 here, against 0.31.)
    short = operating_share(np.full((1, 20), p), r)[0]
    assert short == pytest.approx(long, rel=1e-12)
    # Built over k years: no benefit before, so without risk the share is (1 + r)^-k, and
    # with risk the terms from year k on of the same sum.
    for k in (1, 6, 20, 25):
        assert operating_share(np.zeros((1, 20)), r, first_year=k)[0] == pytest.approx(
            (1 + r) ** -k, rel=1e-12)
    # Built over 6 years at a constant hazard, benefits at the end of years 6, 7, ... if it
    # still stands: r sum_{t >= 6} ((1 - p) / (1 + r))^(t + 1) = r x^7 / (1 - x).
    x = (1 - p) / (1 + r)
    built = r * x**7 / (1 - x)
    assert built == pytest.approx(0.1257, abs=5e-5)
    for years in (1, 6, 20, 40):  # whatever the years tabulated, before or after the build
        assert operating_share(np.full((1, years), p), r, first_year=6)[0] == pytest.approx(
            built, rel=1e-12)
    # A hazard that changes: the table's years as given, then its last year's rate on.
    pf = np.r_[np.full(3, 0.2), np.full(5, 0.05)]
    brute = r * sum(np.prod(1 - np.r_[pf, np.full(max(t + 1 - pf.size, 0), 0.05)][:t + 1])
                    / (1 + r) ** (t + 1) for t in range(2, 3000))
    assert operating_share(pf, r, first_year=2)[0] == pytest.approx(brute, rel=1e-9)
    with pytest.raises(ValueError, match="first_year must be >= 0"):
        operating_share(np.zeros((1, 20)), r, first_year=-1)


@pytest.mark.parametrize("financing", ["budget", "bank_guaranteed", "bank_project"])
@pytest.mark.parametrize("tenor", [10, 20, 30])
def test_the_years_tabulated_do_not_cut_the_hazard(financing: str, tenor: int) -> None:
    # A constant hazard goes on as long as the project stands, so the years of failure
    # probabilities given (10, 20 or 40, shorter or longer than the loan) change nothing:
    # payments, losses and salvage are those of the perpetual hazard. Until 2026-12-06 no
    # failure counted after them: with 10 years the expected loss was 72 % of 40 years'.
    cap = {"capital": [[0.0, 0.3, 0.7]]} if financing == "bank_project" else {}
    outs = [finance_project([1000.0], [[1.0, 0.0, 0.0]], financing, tenor=tenor, grace=5,
                            recovery=0.4, failure_prob=np.full((1, years), 0.09), **cap)
            for years in (10, 20, 40)]
    for out in outs[:2]:
        for field in ("paid", "risk", "owners_risk", "recovered"):
            np.testing.assert_allclose(getattr(out, field), getattr(outs[2], field),
                                       rtol=1e-12, atol=1e-9, err_msg=field)
    # Whoever bears it, a failure loses 60 % of the whole cost: 600 h / (r + h) in all, and
    # under a non-recourse loan the bank also that year's interest at 4 %.
    interest = outs[2].bank_loss[0] * 0.04 / 1.04
    assert outs[2].risk.sum() - interest == pytest.approx(600.0 * 0.09 / 0.13, rel=1e-12)


def test_the_interest_subsidy_is_the_spread_on_the_outstanding_principal() -> None:
    # 100 lent at 0 % for 2 years, 1 of grace (nothing paid, then 100), funded at 10 %:
    # the bank pays 10 a year on 100 for two years, 10 / 1.1 + 10 / 1.21 = 17.355, the
    # grant element 1 - (100 / 1.21) / 100 = 0.17355 times the loan.
    _, out = loan_schedule([100.0], 0.0, 2, 1, 2)
    assert interest_subsidy(out, 0.0, 0.10)[0] == pytest.approx(100 * (1 - 1 / 1.21),
                                                                rel=1e-12)
    # A project loan is written off at the end of the year of a failure: at a hazard of
    # 1/2 the bank funds it in year 0 for certain and in year 1 with probability 1/2,
    # 10 / 1.1 + 10 x 0.5 / 1.21 = 13.2231 valued at 10 %; a corridor values it at its own
    # discount rate, 4 %: 10 / 1.04 + 5 / 1.0816 = 14.2382. (Until 2026-12-06 only the
    # years serviced, 1/2 and 1/4: 6.6116 and 7.1191, the failure year's left out.)
    def owner_pays(discount_rate: float) -> tuple[float, float, float]:
        got = finance_project([100.0], [[1.0, 0.0]], "bank_project", capital=[[0.0, 1.0]],
                              bank_share=1.0, rate=0.0, tenor=2, grace=1,
                              failure_prob=np.full((1, 2), 0.5), funding_rate=0.10,
                              discount_rate=discount_rate)
        return got.owners_subsidy[0, 1], got.owners_subsidy[0, 0], got.paid[0, 1]

    assert owner_pays(0.10)[0] == pytest.approx(13.2231, abs=5e-5)
    subsidy, host, paid = owner_pays(0.04)
    assert subsidy == pytest.approx(14.2382, abs=5e-5)
    assert host == 0.0  # the host owns none of the bank
    assert paid == subsidy  # in what the owner pays: it pays nothing else


def test_a_bank_funding_above_its_rate_charges_its_owners_the_spread() -> None:
    # 1000 at 4 % for 20 years, 5 of grace, funded at 7 %: 700 outstanding for 5 years,
    # then 700 a(15 - k) / a(15) in year 5 + k (a level annuity at 4 %). The owners pay
    # the 3 % spread on it, valued at the corridors' 4 % like the host's service:
    # 21 [a(5) + v^5 (a(15) - 15 v^16) / (0.04 a(15))] = 214.18 (v = 1 / 1.04).
    # Until 2026-12-06 it was valued at 7 %: the grant element 0.252 x 700 = 176.35.
    v = 1 / 1.04

    def a4(n: int) -> float:  # present value of 1 a year for n years at 4 %
        return (1 - v**n) / 0.04

    spread = 21 * (a4(5) + v**5 * (a4(15) - 15 * v**16) / (0.04 * a4(15)))
    assert spread == pytest.approx(214.18, abs=5e-3)
    cap = np.array([[0.0, 0.25, 0.75]])  # economy 0 hosts; 1 and 2 own the bank
    plain = finance_project([1000.0], [[1.0, 0.0, 0.0]], "bank_guaranteed", capital=cap,
                            bank_share=0.7, tenor=20, grace=5)
    lent = finance_project([1000.0], [[1.0, 0.0, 0.0]], "bank_guaranteed", capital=cap,
                           bank_share=0.7, tenor=20, grace=5, funding_rate=0.07)
    np.testing.assert_allclose(lent.owners_subsidy, spread * cap, rtol=1e-12)
    # The host pays what it did (its loan at 4 %, discounted at 4 %: the cost); the owners
    # pay the subsidy on top. Funding at the lending rate, nothing changes.
    assert lent.paid[0, 0] == pytest.approx(1000.0, rel=1e-12)
    np.testing.assert_allclose(lent.paid - plain.paid, lent.owners_subsidy, rtol=1e-12)
    same = finance_project([1000.0], [[1.0, 0.0, 0.0]], "bank_guaranteed", capital=cap,
                           funding_rate=0.04)
    np.testing.assert_array_equal(same.paid, plain.paid)
    with pytest.raises(ValueError, match="capital shares to share its interest subsidy"):
        finance_project([1000.0], [[1.0, 0.0, 0.0]], "bank_guaranteed", funding_rate=0.07)


@pytest.mark.parametrize(("rate", "hosts", "owners"), [
    (0.0, 726.46, 478.69), (0.04, 1000.00, 214.18), (0.07, 1220.49, 0.0),
    (0.10, 1452.66, -226.33)])
def test_the_lending_rate_moves_money_between_hosts_and_owners(
        rate: float, hosts: float, owners: float) -> None:
    # 1000, 70 % lent for 20 years with 5 of grace, funded at 7 %, all valued at 4 %:
    # the reviewer's figures (2026-12-06). Hosts and owners together pay 300 and the
    # bank's 7 % funding cost on the principal outstanding, whose profile alone moves
    # with the lending rate: 1205.15 to 1226.33. Until 2026-12-06 the subsidy was valued
    # at 7 % and the total fell with the rate, 1268.01 at 10 % to 1123.42 at 0 %.
    got = finance_project([1000.0], [[1.0, 0.0]], "bank_guaranteed", capital=[[0.0, 1.0]],
                          rate=rate, funding_rate=0.07)
    np.testing.assert_allclose(got.paid[0], [hosts, owners], atol=5e-3)


def test_the_members_pay_the_same_whatever_the_lending_rate_of_an_interest_only_loan(
        ) -> None:
    # 700 of 1000 lent interest-only for 19 years and repaid in year 20, funded at 7 %,
    # valued at 4 %, repaid whatever happens: the outstanding principal is 700 whatever
    # the lending rate, so hosts and owners together pay 300 + 700 (0.07 a(20) + v^20),
    # v = 1 / 1.04: 1285.40.
    x = 1 / 1.04
    total = 300 + 700 * (0.07 * x * (1 - x**20) / (1 - x) + x**20)
    assert total == pytest.approx(1285.40, abs=5e-3)
    for rate in (0.0, 0.02, 0.04, 0.07, 0.10):
        got = finance_project([1000.0], [[0.6, 0.4, 0.0]], "bank_guaranteed",
                              capital=[[0.1, 0.0, 0.9]], rate=rate, tenor=20, grace=19,
                              failure_prob=np.full((1, 20), 0.05), funding_rate=0.07)
        assert got.paid.sum() == pytest.approx(total, rel=1e-12)


@pytest.mark.parametrize("recovery", [0.0, 0.4])
@pytest.mark.parametrize(("discount_rate", "total"), [(0.04, 1195.16), (0.07, 1000.0)])
def test_a_non_recourse_loan_costs_the_members_its_funding_in_expectation(
        recovery: float, discount_rate: float, total: float) -> None:
    """Hosts' service, owners' subsidy and the bank's exposure at default pay the loan's
    funding, whatever the lending rate (the identity of ``finance_project``).

    700 of 1000 lent interest-only for 19 years, repaid in year 20, funded at f = 7 %,
    valued at r, the project failing at h = 5 % a year. The bank funds 700 in year t if
    the project stands at its start, probability (1 - h)^t, and is repaid at the end of
    year 20 if it still stands, or at the end of the year it fails (the hosts' service,
    or the project's recovery and the bank's loss). In expectation that costs
    300 + 700 [(f + h) sum_{t=0..19} (1 - h)^t / (1 + r)^(t + 1) + ((1 - h) / (1 + r))^20]
    = 300 + 700 [(f + h) / (1 + r) (1 - x^20) / (1 - x) + x^20], x = (1 - h) / (1 + r):
    at r = 4 %, x = 0.913462, 300 + 700 (0.12 / 1.04 x 9.66497 + 0.16361) = 1195.16;
    at r = f, (f + h) / (1 + f) = 1 - x, so 300 + 700 (1 - x^20 + x^20) = 1000, the cost.
    The exposure at default is the bank's loss / (1 - recovery). Until 2026-12-06 the
    failure year's interest and spread were in no one's bill: 0.07 x 700 h sum x^t / (1 + r)
    short, and the total moved with the lending rate once the recovery was counted.
    """
    x = (1 - 0.05) / (1 + discount_rate)
    hand = 300 + 700 * (0.12 / (1 + discount_rate) * (1 - x**20) / (1 - x) + x**20)
    assert hand == pytest.approx(total, abs=5e-3)
    for rate in (0.0, 0.02, 0.04, 0.07, 0.10):
        got = finance_project([1000.0], [[0.6, 0.4, 0.0]], "bank_project",
                              capital=[[0.1, 0.0, 0.9]], rate=rate, tenor=20, grace=19,
                              recovery=recovery, failure_prob=np.full((1, 20), 0.05),
                              funding_rate=0.07, discount_rate=discount_rate)
        exposure = got.bank_loss[0] / (1 - recovery)
        assert got.paid.sum() + exposure == pytest.approx(total, abs=5e-3), rate
        # The owners bear the loss by capital share; the hosts pay none of the subsidy.
        np.testing.assert_allclose(got.owners_risk[0], got.bank_loss[0] * np.r_[0.1, 0, 0.9])
