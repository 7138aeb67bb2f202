"""One rate for a corridor's present values and their annual equivalent; one expenditure.

A corridor's money flows are present values at the members' cost of funds (the
grant-element method). The preview and the run's net welfare turn them into a level yearly
charge at that same rate (``annual_equivalent``: ``rho x PV``), so a payment made every
year is charged as itself; until 2026-12-06 they were annualised at the 4 % welfare rate,
4/7 of it. The run's net takes off the cost share fixed when the corridor entered into
force, over that year's expenditure, as the preview scores it (until the same day over
each year's expenditure, which fell with growth), so in a deterministic run the vote's
expected net is what the run realises (docs/network.md, "One rate for a present value and
its annual equivalent").
"""

from __future__ import annotations

import numpy as np
import pytest

from _corridor_spies import deterministic_instc, run_with_preview_spy  # tests/ is on sys.path
from scosim.model.model import SCOModel
from scosim.network.corridor import Corridor
from scosim.network.finance import (
    COST_OF_FUNDS,
    annual_equivalent,
    finance_project,
    loan_schedule,
)
from scosim.proposals.base import Preview


@pytest.mark.parametrize("rate", [0.03, COST_OF_FUNDS, 0.12])
def test_a_constant_payment_annualises_back_to_itself(rate: float) -> None:
    """``A`` a year for ever, discounted at ``rate``, is ``A`` a year at ``rate``."""
    a = np.array([1.0, 2.5e9])
    years = np.arange(1, 4001)
    pv = (a[:, None] / (1.0 + rate) ** years).sum(axis=1)  # the stream, summed
    np.testing.assert_allclose(annual_equivalent(pv, rate), a, rtol=1e-12)
    # Another rate does not: at 4 % a 7 % present value is 4/7 of the payment.
    if rate != 0.04:
        assert not np.allclose(annual_equivalent(pv, 0.04), a, rtol=1e-3)


def test_rates_per_run_and_a_rate_that_is_not_positive() -> None:
    pv = np.array([[100.0, 0.0], [100.0, 50.0]])
    got = annual_equivalent(pv, np.array([0.07, 0.05])[:, None])
    np.testing.assert_allclose(got, [[7.0, 0.0], [5.0, 2.5]], rtol=1e-15)
    with pytest.raises(ValueError, match="rate must be > 0"):
        annual_equivalent(pv, 0.0)


def _expenditure(n: int) -> np.ndarray:
    return np.array([[2.0e11, 5.0e10, 1.0e12][:n]])


def test_the_corridor_charges_the_interest_a_host_pays_each_year() -> None:
    """A guaranteed loan, interest only for 199 years, at the cost of funds.

    The host pays ``rho x C`` a year; the corridor's cost share (the preview's, and the
    run's net) is that payment over expenditure, the same as paying ``C`` from its budget
    (a loan at the cost of funds has no grant element), and the bank's owners, funding at
    the lending rate, pay no subsidy.
    """
    cost, rho, hs = 5.3e9, COST_OF_FUNDS, np.array([1.0, 0.0, 0.0])
    loan = finance_project(np.array([cost]), hs, "bank_guaranteed", bank_share=1.0, rate=rho,
                           tenor=200, grace=199, discount_rate=rho)
    budget = finance_project(np.array([cost]), hs, "budget", discount_rate=rho)
    pay, _ = loan_schedule(np.array([cost]), rho, 200, 199, 200)
    np.testing.assert_allclose(pay[0, :199], rho * cost, rtol=1e-12)  # what it pays a year
    e = _expenditure(3)
    for fin in (loan, budget):
        np.testing.assert_array_equal(fin.discount_rate, [rho])
        share = Corridor._cost_share(fin, e)
        np.testing.assert_allclose(share[0, 0] * e[0, 0], rho * cost, rtol=1e-9)
        np.testing.assert_array_equal(share[0, 1:], 0.0)
    # No grant element: the loan's annual cost is the budget's; no subsidy to annualise.
    np.testing.assert_allclose(Corridor._cost_share(loan, e), Corridor._cost_share(budget, e),
                               rtol=1e-9)
    owners = finance_project(np.array([cost]), hs, "bank_guaranteed", bank_share=0.7,
                             rate=rho, discount_rate=rho, funding_rate=rho,
                             capital=np.array([0.2, 0.5, 0.3]))
    np.testing.assert_array_equal(owners.owners_subsidy, 0.0)
    np.testing.assert_allclose(Corridor._cost_share(owners, e),
                               Corridor._cost_share(budget, e), rtol=1e-9)


def _deterministic(growth: float, runs: int = 2) -> SCOModel:
    """INSTC with nothing random, no failure, entry in the vote year, one growth for all."""
    return deterministic_instc({"replications": runs, "parameters.growth.rate": growth})


def _run(m: SCOModel, last: int) -> tuple[Preview, dict[int, tuple[np.ndarray, ...]], int]:
    """The vote's preview; by year, (welfare, net) as fractions and E' in US$; Iran's column."""
    arr, seen, out = run_with_preview_spy(m, last)
    vote_year, pv = seen[0]
    assert vote_year == 2026 and (arr.entry_year == 2026).all()
    # The cost is the members' 7 % yearly charge on what Iran pays less its salvage.
    irn = m.codes.index("IRN")
    fin = arr.paid - arr.recovered
    np.testing.assert_allclose(pv.info["cost_share_of_expenditure"][:, irn]
                               * pv.info["expenditure_usd"][:, irn],
                               COST_OF_FUNDS * fin[:, irn], rtol=1e-9)
    return pv, out, irn


def test_the_vote_s_expected_net_is_the_realised_net_in_a_deterministic_run() -> None:
    """INSTC voted and in force in 2026, built 2026-2030, operating from 2031; no growth.

    The vote's preview expects, of each year, the benefit ``B`` once the project operates
    (``q`` is the annual equivalent of it from 2031, at the welfare rate) less the cost
    share ``c``: the run realises ``B - c`` in each operating year, and in each
    construction year no benefit and ``c`` over the expenditure without the project
    (0.2 % larger than with it for Iran). The vote's expected net is then the annual
    equivalent, at the welfare rate, of the nets the run realises.
    """
    pv, years, _ = _run(_deterministic(0.0), 2033)
    c, q = pv.info["cost_share_of_expenditure"], pv.info["operating_share"]
    u = pv.info["upkeep_share_of_expenditure"]  # the O&M, paid while it operates
    np.testing.assert_allclose(q, 1.04 ** -5, rtol=1e-12)  # five years, no failure
    benefit = (pv.gain + c) / q  # what the vote expects of an operating year, net of O&M
    for year, (w, n, _) in years.items():
        if year < 2026:
            continue
        if year < 2031:  # building: no benefit, the cost over E' without the project
            assert np.array_equal(w, np.zeros_like(w))
            np.testing.assert_allclose(w - n, c, rtol=1e-2, atol=1e-18)
        else:
            np.testing.assert_allclose(w - n, c + u, rtol=1e-9, atol=1e-18)
            np.testing.assert_allclose(n, benefit - c, rtol=1e-9, atol=1e-15)
    n_op = years[2033][1]
    np.testing.assert_allclose(pv.gain, q * (n_op + c) - c, rtol=1e-9, atol=1e-15)


def test_with_growth_the_yearly_charge_stays_level_in_dollars() -> None:
    """3 % growth for all: Iran's charge is the same US$ each year, a falling share.

    The run's net takes the level yearly charge over each year's expenditure, the burden
    the year bears; the vote's preview, which holds its year's economy, expects the share
    of its own year (docs/network.md, "One rate for a present value and its annual
    equivalent").
    """
    pv, years, m_irn = _run(_deterministic(0.03), 2033)
    usd = {y: ((w - n) * e)[:, m_irn] for y, (w, n, e) in years.items() if y >= 2031}
    for y in (2032, 2033):
        np.testing.assert_allclose(usd[y], usd[2031], rtol=1e-9)
    share = {y: (w - n)[:, m_irn] for y, (w, n, _) in years.items()}
    assert (share[2033] < share[2031]).all()
    vote = pv.info["cost_share_of_expenditure"] + pv.info["upkeep_share_of_expenditure"]
    assert (share[2031] < vote[:, m_irn]).all()
