"""The hosts' cost of funds: a corridor loan is worth its grant element against it.

Until 2026-12-06 a corridor valued every flow at the members' 4 % discount rate, so any
loan above 4 % cost its host more than paying from its budget (Iran US$5.64 bn for the
INSTC from a bank lending at 4.9 %, against 5.30), while the bank's own preview valued
its loans by their grant element against its ``market_rate``, 7 %. A corridor's money
flows are now valued at the members' cost of funds, the lending bank's ``market_rate``
(docs/network.md, "The hosts' cost of funds"), and its preview asks the banks expected
in force when it enters into force and borrows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.network.finance import COST_OF_FUNDS
from scosim.proposals.development_bank import grant_element
from scosim.proposals.specs import DevelopmentBankProposal
from scosim.scenario import load_scenario

INSTC = Path(__file__).resolve().parents[1] / "scenarios" / "corridor_instc.yaml"
#: Owners that do not host the INSTC, so Iran's payments are the host's alone.
OWNERS = {"participants": ["CHN", "RUS", "IND"], "decision_rule": "interested_members",
          "board_approval": False}


def _run(banks: list[dict[str, Any]], financing: str = "bank_guaranteed",
         bank_year: int = 2025) -> tuple[SCOModel, Any]:
    """The INSTC voted in 2026 (every vote yes), in force 2027, after ``banks``."""
    props: list[dict[str, Any]] = [
        {"type": "development_bank", "id": f"bank{k}", "year": bank_year, "proposer": "RUS",
         **bank} for k, bank in enumerate(banks)]
    props.append({"type": "corridor", "id": "instc", "year": 2026, "proposer": "IND",
                  "project": "INSTC_CHABAHAR", "financing": financing})
    sc = load_scenario(INSTC, overrides={"replications": 1,
                                         "years": {"start": 2025, "end": 2027},
                                         "proposals": props})
    m = SCOModel(sc)
    m.run_model()
    return m, next(a for a in m.arrangements if a.pid == "instc")


def _loan_pv(rate: float, at: float, tenor: int, grace: int) -> float:
    """Present value at ``at`` of servicing 1 lent at ``rate``: interest, then an annuity."""
    n = tenor - grace
    level = rate / (1.0 - (1.0 + rate) ** -n) if rate > 0 else 1.0 / n
    annuity = (1.0 - (1.0 + at) ** -n) / at
    interest = (1.0 - (1.0 + at) ** -grace) / at
    return rate * interest + level * annuity * (1.0 + at) ** -grace


def test_the_default_cost_of_funds_is_the_banks_default_market_rate() -> None:
    assert COST_OF_FUNDS == DevelopmentBankProposal.model_fields["market_rate"].default


@pytest.mark.parametrize("lending", [0.049, 0.09])
def test_a_bank_loan_is_cheaper_than_the_budget_below_the_hosts_rate(lending: float) -> None:
    # Iran hosts the whole INSTC: from its budget it pays the cost; on a guaranteed loan
    # the up-front 30 % and the service of 70 % lent at `lending`, valued at its cost of
    # funds, 7 %: the closed form of the grace years' interest and the annuity. Below
    # 7 % the loan saves it money, above it costs more. Until 2026-12-06, valued at 4 %,
    # the loan at 4.9 % cost Iran 6 % more than its budget.
    m, lent = _run([{**OWNERS, "lending_rate": lending}])
    _, budget = _run([OWNERS], financing="budget")
    irn = m.codes.index("IRN")
    cost, share = lent.cost_usd, lent._bank_share()
    expected = cost * ((1.0 - share) + share * _loan_pv(lending, 0.07, 20, 5))
    np.testing.assert_allclose(lent.paid[0, irn], expected, rtol=1e-9)
    np.testing.assert_allclose(budget.paid[0, irn], cost, rtol=1e-12)
    assert (lent.paid[0, irn] < cost) == (lending < 0.07)


def test_the_hosts_saving_is_the_banks_grant_element_at_its_market_rate() -> None:
    # The bank's accession preview values its loans by their grant element against its
    # market_rate (development_bank.grant_element); a corridor's host saves exactly that
    # on the part lent, at the same rate: here a market_rate of 6 %, not the default.
    bank = {**OWNERS, "market_rate": 0.06}
    m, lent = _run([bank])
    irn = m.codes.index("IRN")
    cost, share = lent.cost_usd, lent._bank_share()
    saving = cost - lent.paid[0, irn]
    np.testing.assert_allclose(saving, cost * share * grant_element(0.049, 0.06, 20, 5),
                               rtol=1e-9)


def test_the_preview_asks_the_bank_that_will_lend_when_the_corridor_borrows() -> None:
    # A bank adopted in the corridor's vote year (listed first) enters into force with
    # it, a year later, and lends to it. Until 2026-12-06 the corridor's preview asked
    # the banks in force in the vote year, none, and valued the default lender's loan:
    # the Council voted on one loan and the run made another. Now Iran's expected gain
    # is the same as with the bank in force a year earlier, which lends the same loan.
    early, lent_early = _run([OWNERS], bank_year=2025)
    late, lent_late = _run([OWNERS], bank_year=2026)
    _, alone = _run([])
    irn = early.codes.index("IRN")
    bank = next(a for a in late.arrangements if a.pid == "bank0")
    assert bank.entry_year[0] == 2027 and lent_late.entry_year[0] == 2027
    np.testing.assert_array_equal(lent_late.paid, lent_early.paid)
    assert lent_late.paid[0, irn] < alone.paid[0, irn]  # the bank lent in the run
    np.testing.assert_allclose(lent_late.expected_gain[0, irn],
                               lent_early.expected_gain[0, irn], rtol=1e-12)
    assert lent_late.expected_gain[0, irn] > alone.expected_gain[0, irn]
