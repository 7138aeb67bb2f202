"""A Development Bank's board approves each corridor loan, its owners voting by capital.

Before 2026-12-06 a ``development_bank`` in force lent to every corridor within its
lending limit, while its owners bore the interest subsidy and, on a non-recourse loan,
the expected loss without a say: a corridor invites its hosts and the states whose trade
costs it lowers, so an owner that is neither had no vote (docs/network.md, "The bank's
board"). A development bank's Board of Directors approves its operations by a majority
of the votes cast, weighted by capital (AIIB Articles of Agreement, arts. 26 and 28;
IBRD Articles, art. V section 3). Each owner now votes yes where its expected gain from
the loan is at least 0: for a host or an invitee its corridor preview gain, for any
other owner minus its share of the subsidy and the expected loss. A loan the board
rejects falls to the next bank in force, else to the hosts' budgets (the default
lender only lends in runs with no bank in force).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.network.bank_link import MAJORITY, board_yes_share
from scosim.scenario import ScenarioError, load_scenario

INSTC = Path(__file__).resolve().parents[1] / "scenarios" / "corridor_instc.yaml"
#: Owners of a narrow bank: Iran hosts the INSTC and Russia and India gain from it (they
#: are invited); China is neither, and by GDP holds most of the capital.
OWNERS = ["CHN", "RUS", "IND", "IRN"]
NARROW = {"participants": OWNERS, "decision_rule": "interested_members"}


def _run(banks: list[dict[str, Any]], financing: str = "bank_project",
         runs: int = 2) -> tuple[SCOModel, Any]:
    """The INSTC, adopted 2026 (every vote yes) and in force 2027, with ``banks`` from 2025."""
    props: list[dict[str, Any]] = [
        {"type": "development_bank", "id": f"bank{k}", "year": 2025, "proposer": "RUS",
         **bank} for k, bank in enumerate(banks)]
    props.append({"type": "corridor", "id": "instc", "year": 2026, "proposer": "IND",
                  "project": "INSTC_CHABAHAR", "financing": financing})
    sc = load_scenario(INSTC, overrides={"replications": runs,
                                         "years": {"start": 2025, "end": 2027},
                                         "proposals": props})
    m = SCOModel(sc)
    m.run_model()
    return m, next(a for a in m.arrangements if a.pid == "instc")


def _rejected(m: SCOModel) -> list[tuple[int, str, str, str]]:
    return sorted({(int(e["run"]), e["country"], e["proposal"], e["bank"])
                   for e in m.log.records() if e["type"] == "bank_loan_rejected"})


def test_the_board_decides_by_a_majority_of_capital() -> None:
    # Three owners with 0.6, 0.3 and 0.1 of the capital: the loan needs more than half.
    capital = np.array([[0.6, 0.3, 0.1, 0.0]] * 4)
    gain = np.array([[-1.0, 2.0, 2.0, 5.0],  # the largest owner alone against: 0.4
                     [1.0, -2.0, -2.0, -5.0],  # the largest owner alone for: 0.6
                     [0.0, -1e-9, 0.0, -1.0],  # no loss is a yes; a non-owner has no vote
                     [-1.0, 1.0, -1.0, 1.0]])  # exactly 0.3
    share = board_yes_share(capital, gain)
    np.testing.assert_allclose(share, [0.4, 0.6, 0.7, 0.3], rtol=1e-12)
    assert (share > MAJORITY).tolist() == [False, True, True, False]
    # A tie is not a majority of the votes cast.
    assert not board_yes_share(np.array([[0.5, 0.5]]), np.array([[1.0, -1.0]]))[0] > MAJORITY


def test_a_majority_owner_that_bears_the_loss_rejects_a_non_recourse_loan() -> None:
    # By GDP China holds about three quarters of the narrow bank; it is not invited to
    # the INSTC and would bear its share of the non-recourse loan's expected loss, so it
    # votes no: the hosts pay from their budgets, exactly as a budget-financed INSTC
    # beside the same bank. Until 2026-12-06 the bank lent, and China bore the loss
    # without a vote; then (same day) the default lender lent, and China bore it as
    # that lender's owner.
    m, rejected = _run([NARROW])
    _, budget = _run([NARROW], financing="budget")
    chn = m.codes.index("CHN")
    bank = next(a for a in m.arrangements if a.pid == "bank0")
    assert (bank.in_force).all()
    assert _rejected(m) == [(0, "IRN", "instc", "bank0"), (1, "IRN", "instc", "bank0")]
    np.testing.assert_array_equal(rejected.paid, budget.paid)
    np.testing.assert_array_equal(rejected.risk, budget.risk)
    # Nobody but the host bears the loss: the board's no binds.
    assert (rejected.risk[:, ~rejected.hosts] == 0).all()
    assert (rejected.risk[:, rejected.hosts] > 0).all()
    assert not bank.book.exposure.any()  # no loan on its books
    yes = [e["board_yes"] for e in m.log.records() if e["type"] == "bank_loan_rejected"]
    share = m.gdp0[chn] / m.gdp0[[m.codes.index(c) for c in OWNERS]].sum()
    np.testing.assert_allclose(yes, 1.0 - share, rtol=1e-12)  # all but China voted yes
    assert share > MAJORITY


def test_the_hosts_and_gaining_owners_approve_it_when_they_hold_the_majority() -> None:
    # The same owners with equal capital: China holds a quarter, and Iran (the host),
    # Russia and India, who gain from the corridor net of their shares of the loss, carry
    # the vote. The bank lends: its four owners bear its loss, China a quarter of it.
    m, lent = _run([{**NARROW, "capital_rule": "equal"}])
    _, none = _run([])
    assert _rejected(m) == []
    bank = next(a for a in m.arrangements if a.pid == "bank0")
    assert (bank.book.outstanding(2027) > 0).all()
    chn, kgz = m.codes.index("CHN"), m.codes.index("KGZ")
    owners_loss = lent.risk - np.where(lent.hosts, lent.risk, 0.0)
    owners = [m.codes.index(c) for c in OWNERS if c != "IRN"]
    np.testing.assert_allclose(owners_loss[:, owners], lent.risk[:, [chn]] * np.ones(3),
                               rtol=1e-12)
    assert (lent.risk[:, kgz] == 0).all() and (none.risk[:, kgz] > 0).all()


def test_a_loan_at_the_funding_cost_with_no_owner_loss_is_approved() -> None:
    # A guaranteed loan (the hosts repay whatever happens) lent at the bank's funding
    # cost charges the owners nothing: every owner's gain is at least 0, China's exactly
    # 0, and the board approves (funding and paid-in capital both at 4 %). Funded at 5 %
    # the owners pay the spread: China votes no.
    m, at_cost = _run([{**NARROW, "market_rate": 0.04}], financing="bank_guaranteed")
    assert _rejected(m) == []
    bank = next(a for a in m.arrangements if a.pid == "bank0")
    assert (bank.book.outstanding(2027) > 0).all()
    m_dear, _ = _run([{**NARROW, "funding_rate": 0.05}], financing="bank_guaranteed")
    assert {c for _, c, _, _ in _rejected(m_dear)} == {"IRN"}
    np.testing.assert_allclose(at_cost.paid.sum(axis=1), at_cost.cost_usd, rtol=1e-12)


def test_the_corridor_preview_sees_the_budget_its_hosts_would_get() -> None:
    # The hosts' Council vote reads the preview: where the board would reject the loan
    # it values the corridor as financed from their budgets, as a budget-financed one.
    m, rejected = _run([NARROW])
    m_budget, budget = _run([NARROW], financing="budget")
    m.year = m_budget.year = 2027  # the year the corridor entered into force
    parts = rejected.participants
    got = rejected.preview(m, parts)
    want = budget.preview(m_budget, parts)
    np.testing.assert_array_equal(got.gain, want.gain)
    assert (got.info["cost_share_of_expenditure"][:, m.codes.index("CHN")] == 0).all()


def test_no_bank_in_force_keeps_the_default_lender() -> None:
    # A run with no bank in force borrows from the default lender (the shipped corridor
    # scenarios): the SCO members bear the non-recourse loan's loss by GDP.
    m, none = _run([])
    chn = m.codes.index("CHN")
    assert (none.risk[:, chn] > 0).all()


def test_a_rejected_loan_goes_to_the_next_bank_in_force() -> None:
    # China's bank rejects the loan (China bears the subsidy of funding at 5 % and gains
    # nothing from the INSTC); a second bank without China lends on its own terms.
    china = {**NARROW, "funding_rate": 0.05}
    others = {"participants": ["RUS", "IND", "IRN"], "decision_rule": "interested_members",
              "funding_rate": 0.05}
    m, both = _run([china, others], financing="bank_guaranteed")
    _, second = _run([others], financing="bank_guaranteed")
    assert {b for _, _, _, b in _rejected(m)} == {"bank0"}
    np.testing.assert_array_equal(both.paid, second.paid)
    arrs = {a.pid: a for a in m.arrangements}
    assert not arrs["bank0"].book.exposure.any()
    assert (arrs["bank1"].book.outstanding(2027) > 0).all()


def test_the_board_votes_run_by_run() -> None:
    # A swept funding rate, one batch: at 4 % (no subsidy) the board approves, at 5 %
    # China pays the spread and votes no; each run as it is alone.
    from scosim.runner import run_model

    def scenario(**bank: Any) -> Any:
        props = [{"type": "development_bank", "id": "bank", "year": 2025, "proposer": "RUS",
                  **NARROW, **bank},
                 {"type": "corridor", "id": "instc", "year": 2026, "proposer": "IND",
                  "project": "INSTC_CHABAHAR", "financing": "bank_guaranteed"}]
        return load_scenario(INSTC, overrides={"years": {"start": 2025, "end": 2027},
                                               "proposals": props})

    rates = np.array([0.05, 0.04])
    swept = run_model(scenario(), runs=[0, 0], params={"proposals.bank.funding_rate": rates})
    assert _rejected(swept) == [(0, "IRN", "instc", "bank")]
    corridor = next(a for a in swept.arrangements if a.pid == "instc")
    for row, rate in enumerate(rates):
        alone = run_model(scenario(funding_rate=float(rate)), runs=[0])
        one = next(a for a in alone.arrangements if a.pid == "instc")
        np.testing.assert_array_equal(corridor.paid[row], one.paid[0])
        np.testing.assert_array_equal(corridor.risk[row], one.risk[0])


def test_switched_off_the_bank_lends_whatever_its_owners_gain() -> None:
    # board_approval: false is the bank before 2026-12-06: China bears the loss unasked.
    m, lent = _run([{**NARROW, "board_approval": False}])
    _, none = _run([])
    assert _rejected(m) == []
    kgz = m.codes.index("KGZ")
    assert (lent.risk[:, kgz] == 0).all() and (none.risk[:, kgz] > 0).all()


def test_the_shipped_corridor_scenarios_have_no_bank_to_vote() -> None:
    # Without a development_bank in force no board votes, so the shipped corridor scenarios
    # do not move (their indicators were compared with the code before the board's vote).
    m, _ = _run([], runs=1)
    assert _rejected(m) == []


def test_a_bad_board_approval_is_refused_naming_the_field() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(Path(INSTC).parent / "hindcasts" / "bank_2025.yaml",
                      overrides={"proposals.bank_2025.board_approval": "yes"})
    assert "board_approval" in str(err.value)
