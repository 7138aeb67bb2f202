"""The Development Bank funds its loans at its own ``funding_rate``, not the borrowers' rate.

Before 2026-12-06 a ``development_bank`` funded at its ``market_rate``, the borrowers'
alternative, so its gains summed to zero over the members and a bank in force charged
its owners a subsidy the default lender does not. A AAA multilateral bank borrows below
its borrowers (the AIIB's USD 5-year at 4.0 % in January 2023, Uzbekistan's at 8.125 %
in October 2023: specs.py, docs/hindcasts.md): the members together gain the value of
that cheaper funding, and lending at its funding cost costs the owners nothing.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.network.finance import capital_shares, interest_subsidy, loan_schedule
from scosim.proposals.development_bank import (
    _yearly_subsidy_and_cost,
    bank_gain,
    effective_funding_rate,
    yearly_subsidy,
)
from scosim.scenario import ScenarioError, load_scenario

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
GDP = np.array([4.0, 1.0, 5.0, 0.5])


def _principal(lending: float, tenor: int, grace: int) -> list[float]:
    """Principal outstanding at the start of each year, in closed form.

    1 for ``grace`` years of interest only, then a level annuity at ``lending`` over the
    rest ``n``: after ``k`` payments the balance is the present value of the ``n - k``
    left, ``a(n - k) / a(n)`` (``a`` the annuity factor at ``lending``).
    """
    n = tenor - grace

    def a(j: int) -> float:
        return (1 - (1 + lending) ** -j) / lending if lending > 0 else float(j)

    return [1.0] * grace + [a(n - k) / a(n) for k in range(n)]


@pytest.mark.parametrize(("lending", "market", "funding"), [
    (0.04, 0.07, 0.04),  # the defaults: lending below the effective cost
    (0.04, 0.07, 0.02),  # funding below lending: the owners earn a margin
    (0.02, 0.07, 0.05),  # funding above lending: the owners pay a subsidy
    (0.04, 0.07, 0.09),  # funding above the market: the members lose together
    (0.0, 0.05, 0.03),
])
@pytest.mark.parametrize(("tenor", "grace"), [(20, 5), (10, 0), (3, 2)])
@pytest.mark.parametrize("paid_in", [0.2, 0.6, 1.0])  # 1.0 / 1.5 > 1: all equity
def test_the_members_gain_together_the_value_of_the_bank_s_cheaper_funding(
        lending: float, market: float, funding: float, tenor: int, grace: int,
        paid_in: float) -> None:
    # sum_i gain_i GDP_i = loans x PV at the market rate of (market - effective funding)
    # on the principal outstanding, spread over the tenor as the module does (a level
    # yearly amount: / the annuity factor at the market rate). The effective funding is
    # funding_rate on the borrowed part of the loans and the owners' market rate on the
    # part their paid-in capital funds, min(paid_in / leverage, 1). The borrowers'
    # subsidy and the owners' share of the bank's cost cancel but for that. Before
    # 2026-12-06: 0 whatever the rates; then (same day) funding_rate on every dollar.
    part = np.array([[True, True, True, False]])
    got = bank_gain(part, GDP, capital=10.0, rule="gdp", leverage=1.5, lending_rate=lending,
                    market_rate=market, funding_rate=funding, paid_in_share=paid_in,
                    tenor=tenor, grace=grace)
    equity = min(paid_in / 1.5, 1.0)
    effective = equity * market + (1 - equity) * funding
    v = 1 / (1 + market)
    pv = math.fsum((market - effective) * o * v ** (t + 1)
                   for t, o in enumerate(_principal(lending, tenor, grace)))
    annuity = (1 - v**tenor) / market
    want = 15.0 * pv / annuity
    assert math.fsum(got[0] * GDP) == pytest.approx(want, rel=1e-12, abs=1e-15)
    assert got[0, 3] == 0.0  # an outsider
    # Sign: the members gain together exactly when the bank's effective funding is below
    # the market (all equity: neither gain nor loss together).
    assert np.sign(round(math.fsum(got[0] * GDP), 12)) == np.sign(round(market - effective,
                                                                        12))


def test_paid_in_capital_costs_the_owners_their_market_rate() -> None:
    # The defaults: 20 % paid in at 1:1 funds a fifth of the loans at 7 %, the rest is
    # borrowed at 4 %: 4.6 %, and the members' joint gain is (7 - 4.6) / (7 - 4) = 0.8 of
    # what it was when paid-in capital was costed at 4 % (as until 2026-12-06).
    assert float(effective_funding_rate(0.04, 0.07, 0.2, 1.0)) == pytest.approx(0.046,
                                                                                rel=1e-12)
    part = np.array([[True, True, True, False]])
    kw = {"capital": 10.0, "rule": "gdp", "leverage": 1.0, "lending_rate": 0.04,
          "market_rate": 0.07, "funding_rate": 0.04, "tenor": 20, "grace": 5}
    joint = {s: math.fsum(bank_gain(part, GDP, paid_in_share=s, **kw)[0] * GDP)
             for s in (1e-300, 0.2)}
    assert joint[0.2] == pytest.approx(0.8 * joint[1e-300], rel=1e-12)
    # Where the bank funds at the market rate the mix does not matter, to the bit.
    at_market = {**kw, "funding_rate": 0.07}
    np.testing.assert_array_equal(bank_gain(part, GDP, paid_in_share=0.2, **at_market),
                                  bank_gain(part, GDP, paid_in_share=0.9, **at_market))


def _old_bank_gain(part: np.ndarray, gdp: np.ndarray, capital: float, rule: str,
                   leverage: float, lending: float, market: float, tenor: int,
                   grace: int) -> np.ndarray:
    """The gain as computed until 2026-12-06, funded at ``market``: the same operations."""
    shares = capital_shares(part, rule, gdp=gdp)
    inv = np.where(part, 1.0 / gdp, 0.0)
    loans = leverage * capital * inv / inv.sum(axis=1, keepdims=True)
    subsidy = np.where(part, loans * yearly_subsidy(lending, market, tenor, grace), 0.0)
    loss = subsidy.sum(axis=1, keepdims=True)
    return np.where(part, (subsidy - shares * loss) / gdp, 0.0)


@pytest.mark.parametrize("rule", ["gdp", "equal"])
@pytest.mark.parametrize(("lending", "market"), [(0.04, 0.07), (0.0, 0.12), (0.03, 0.035)])
def test_funding_at_the_market_rate_gives_the_old_gains_exactly(
        rule: str, lending: float, market: float) -> None:
    part = np.array([[True, True, True, False], [True, False, True, True]])
    got = bank_gain(part, GDP, capital=10e9, rule=rule, leverage=1.0, lending_rate=lending,
                    market_rate=market, funding_rate=market, paid_in_share=0.2, tenor=20,
                    grace=5)
    want = _old_bank_gain(part, GDP, 10e9, rule, 1.0, lending, market, 20, 5)
    np.testing.assert_array_equal(got, want)
    assert np.abs(got).max() > 0


def test_a_swept_funding_rate_is_read_run_by_run() -> None:
    part = np.ones((3, 4), bool)
    kw = {"capital": 10.0, "rule": "gdp", "leverage": 1.0, "lending_rate": 0.04,
          "market_rate": 0.07, "paid_in_share": 0.2, "tenor": 20, "grace": 5}
    swept = bank_gain(part, GDP, funding_rate=np.array([0.02, 0.04, 0.07]), **kw)
    for r, f in enumerate((0.02, 0.04, 0.07)):
        np.testing.assert_array_equal(swept[r], bank_gain(part[:1], GDP, funding_rate=f,
                                                          **kw)[0])
    # Cheaper funding: every owner pays less of the bank's cost, the borrowers' saving
    # is the same.
    assert (np.diff(swept, axis=0) < 0).all()


def _corridor(bank: dict[str, object] | None) -> np.ndarray:
    """Payments (R, N) for the INSTC's guaranteed loan, with or without a bank in force."""
    props: list[dict[str, object]] = [{"type": "corridor", "id": "instc", "year": 2026,
                                       "proposer": "IND", "project": "INSTC_CHABAHAR",
                                       "financing": "bank_guaranteed"}]
    if bank is not None:
        # The funding cost is checked here: the board lends whatever its owners gain
        # (its vote: test_network_bank_board.py).
        props.insert(0, {"type": "development_bank", "id": "bank", "year": 2025,
                         "proposer": "CHN", "board_approval": False, **bank})
    sc = load_scenario(SCEN / "corridor_instc.yaml", overrides={
        "replications": 1, "years": {"start": 2025, "end": 2027}, "proposals": props})
    m = SCOModel(sc)
    m.run_model()
    return next(a for a in m.arrangements if a.pid == "instc").paid


def test_a_bank_on_its_defaults_charges_its_owners_the_cost_of_its_paid_in_capital() -> None:
    # Lending at 4 % and funding at 4.6 % (a fifth of its loans paid in at the owners' 7 %,
    # the rest borrowed at 4 %): the owners pay the 0.6-point spread on the INSTC's loan
    # outstanding, valued at the members' 7 % cost of funds (its market rate), by capital
    # share, and the hosts pay the up-front 30 % and the loan's service at 4 %, valued
    # at 7 %. Until 2026-12-06 (same day) the bank funded at 4 % and charged nothing;
    # before, at its 7 % market rate, and its owners paid US$1.13 bn for the INSTC's loan
    # (China 0.83). The lending rate is set: 4 %, the default until 2026-12-06 (now 4.9
    # %, a margin: the next test). Until 2026-12-06 every flow was valued at 4 %.
    at4 = {"lending_rate": 0.04}
    bank = _corridor(at4)
    pay, left = loan_schedule(0.7 * 5.3e9, 0.04, 20, 5, 20)
    spread = interest_subsidy(left, 0.04, 0.046, discount_rate=0.07)[0]
    assert spread > 0
    service = float((pay[0] * 1.07 ** -(np.arange(20) + 1.0)).sum())
    np.testing.assert_allclose(bank.sum(axis=1), 0.3 * 5.3e9 + service + spread, rtol=1e-9)
    # With no paid-in cost of its own (funding and its owners' rate 4 %), no subsidy: the
    # hosts pay the loan valued at 4 %, the cost exactly.
    np.testing.assert_allclose(_corridor({**at4, "market_rate": 0.04}).sum(axis=1), 5.3e9,
                               rtol=1e-12)
    # Dearer funding costs the owners more: a wider spread above its lending rate.
    dear = _corridor({**at4, "funding_rate": 0.05})
    assert (dear.sum(axis=1) > bank.sum(axis=1)).all()


@pytest.mark.parametrize(("value", "says"), [
    (-0.01, "allowed: 0 <= funding_rate <= 0.5"),
    (0.6, "allowed: 0 <= funding_rate <= 0.5"),
    ("low", "funding_rate: expected a number"),
])
def test_a_bad_funding_rate_is_refused_naming_the_field(value: object, says: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCEN / "hindcasts" / "bank_2025.yaml",
                      overrides={"proposals.bank_2025.funding_rate": value})
    assert says in str(err.value)


def test_the_default_lending_rate_is_funding_plus_the_aiib_spread_for_its_average_life():
    """lending_rate = funding_rate + the AIIB's sovereign-backed spread over its funding.

    AIIB, "Sovereign-backed loan and guarantee pricing" (January 2016): contractual lending
    spread 0.50 %, a maturity premium and a risk premium by the loan's average maturity
    (the projected funding spread, the fourth component, is the bank's own funding cost,
    here funding_rate; the front-end fee is left out). The band is that of the default
    loan's principal-weighted average life, from loan_schedule; and at the defaults the
    bank lends above its effective funding rate (its owners earn a margin).
    """
    from scosim.proposals.specs import DevelopmentBankProposal

    d = DevelopmentBankProposal(type="development_bank", id="b", year=2025)
    _, out = loan_schedule(1.0, d.lending_rate, d.tenor_years, d.grace_years, d.tenor_years)
    life = float(out.sum())  # a dollar outstanding a year each year: the average life
    # Upper bounds of the average-maturity bands (years), maturity and risk premia (points).
    bands = [(8, 0.0, 0.10), (10, 0.10, 0.10), (12, 0.20, 0.10), (15, 0.30, 0.10),
             (18, 0.40, 0.15), (20, 0.50, 0.15)]
    maturity, risk = next((m, r) for top, m, r in bands if life <= top)
    spread = (0.50 + maturity + risk) / 100
    assert d.lending_rate == pytest.approx(d.funding_rate + spread, abs=1e-12)
    # The band does not hang on the rate the schedule is drawn at.
    _, at_funding = loan_schedule(1.0, d.funding_rate, d.tenor_years, d.grace_years,
                                  d.tenor_years)
    assert 12 < float(at_funding.sum()) <= 15 and 12 < life <= 15
    effective = float(effective_funding_rate(d.funding_rate, d.market_rate, d.paid_in_share,
                                             d.leverage))
    assert d.lending_rate > effective
    # The owners' yearly cost per dollar lent is negative: a margin they earn.
    _, cost = _yearly_subsidy_and_cost(d.lending_rate, d.market_rate, effective,
                                       d.tenor_years, d.grace_years)
    assert cost < 0
