"""A freight corridor's break-even fee where another corridor of the run is lent to.

Until 2026-12-07 the answer gave none: a loan puts its expected loss on the lender's
owners (the members by GDP), so every member's ``corridor_cost_usd`` counted it. The
loan's repayments are set by its terms, not by the other project's fee or traffic, so
holding it as the run had it and solving one project's fee is sound; the answer now reads
``corridor_own_cost_usd``, the cost of the corridors an economy pays for. Checked against
identities (the fee times the billed traffic is the payers' own cost; the own cost is the
whole cost less the lent corridor's owners' loss, and equal to it with no loan) and
against the project's run alone (the one-corridor figure of before, within 2 %).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.network.access_answer import _usd
from scosim.results import read_batches
from test_corridor_access_per_project import CORRIDORS, _fees, _run, _said, _scenario

CKU_PAYERS = CORRIDORS["cku"][2]
AFG_PAYERS = CORRIDORS["trans_afghan"][2]


def _rows(run_dir: Path, name: str, hosts: list[str]):
    ind = read_batches(run_dir / "indicators")
    ind = ind[ind["year"] == 2035].assign(country=ind["country"].astype(str))
    one = ind[ind["indicator"].astype(str) == name]
    return one.pivot_table(index="run", columns="country", values="value",
                           aggfunc="first")[hosts]


def test_a_lent_corridor_leaves_the_others_break_even_its_own(tmp_path, capsys) -> None:
    path = _scenario(tmp_path / "lent.yaml", ["trans_afghan", "cku"], "bank_project")
    # The railway's failure hazard at instability 0.8 gives its loan an expected loss (the
    # CKU's route, at instability 0, keeps none).
    path.write_text(path.read_text().replace(", failure_sensitivity: 0", ""))
    lent = _run(tmp_path, capsys, path)
    said = _said(lent, "cku")
    assert "no break-even fee" not in said
    whole, om = _fees(said)
    own = _rows(lent, "corridor_own_cost_usd", CKU_PAYERS).sum(axis=1)
    cost = _rows(lent, "corridor_cost_usd", CKU_PAYERS).sum(axis=1)
    base = _rows(lent, "corridor_fee_base_teu", CKU_PAYERS).sum(axis=1)
    # The owners' share the payers bear on the railway's loan, from the rows: its amount
    # and the fee that also recovers it (fee x billed = the payers' whole cost).
    share = _usd(float(np.median(cost - own)))
    assert (f"takes {share} a year off them as the lender's owners' share (expected loss, interest "
            "subsidy) of trans_afghan's loan") in said
    assert f"US${float(np.median(cost / base)):,.0f} a TEU with it" in said
    # Identity: at the fee, the traffic billed pays the payers' own yearly cost, run by run.
    assert whole == pytest.approx(float(np.median(own / base)), abs=0.5)
    # The CKU's payers bear, as owners, part of the railway's expected loss: left out.
    assert (cost - own > 0).all()
    # The railway's payers pay for no other corridor: their own cost is their whole cost.
    np.testing.assert_array_equal(
        _rows(lent, "corridor_own_cost_usd", AFG_PAYERS).to_numpy(),
        _rows(lent, "corridor_cost_usd", AFG_PAYERS).to_numpy())
    # Outside check: the CKU's run alone, the one-corridor figure of before.
    alone = _run(tmp_path, capsys, _scenario(tmp_path / "cku.yaml", ["cku"]))
    one_whole, one_om = _fees(_said(alone, "cku"))
    assert whole == pytest.approx(one_whole, rel=0.02)
    assert om == pytest.approx(one_om, rel=0.02)


def test_without_a_loan_the_own_cost_is_the_whole_cost(tmp_path, capsys) -> None:
    """With every corridor from budgets no owner bears a loss on another's loan: the own
    cost equals the whole cost to the bit, so the figures are those of before."""
    both = _run(tmp_path, capsys, _scenario(tmp_path / "two.yaml", ["trans_afghan", "cku"]))
    every = sorted(set(CKU_PAYERS) | set(AFG_PAYERS) | {"RUS", "IND", "IRN"})
    np.testing.assert_array_equal(_rows(both, "corridor_own_cost_usd", every).to_numpy(),
                                  _rows(both, "corridor_cost_usd", every).to_numpy())


def test_a_run_made_before_the_own_cost_says_to_re_run_it() -> None:
    from scosim.network.access_answer import _mixed_remedy

    loan = "the expected loss on trans_afghan's loan (its lender's owners bear it)"
    assert "re-run it" in _mixed_remedy(loan, own=False)
    shared = "trans_afghan's cost (AFG pays for it too)"
    assert "without the other corridors" in _mixed_remedy(shared, own=True)
    assert "without the other corridors" in _mixed_remedy(f"{shared}; {loan}", own=False)


def test_a_guaranteed_other_loan_puts_no_share_on_the_owners(tmp_path, capsys) -> None:
    """A guaranteed loan is repaid by its hosts whatever happens: the owners bear no loss on
    it, so the CKU's payers' cost is their own cost and no clause is said (until 2026-12-07
    the clause followed the scenario's financing, not the rows)."""
    path = _scenario(tmp_path / "guaranteed.yaml", ["trans_afghan", "cku"], "bank_guaranteed")
    path.write_text(path.read_text().replace(", failure_sensitivity: 0", ""))
    run = _run(tmp_path, capsys, path)
    said = _said(run, "cku")
    np.testing.assert_allclose(_rows(run, "corridor_own_cost_usd", CKU_PAYERS).to_numpy(),
                               _rows(run, "corridor_cost_usd", CKU_PAYERS).to_numpy(),
                               rtol=0, atol=1.0)
    assert "lender's owners' share" not in said and "trans_afghan's loan" not in said
    assert "no break-even fee" not in said


def test_a_lent_projects_own_loan_on_the_owners_outside_its_hosts(tmp_path, capsys) -> None:
    """The railway lent to, alone, failing at its hazard: its break-even recovers the hosts'
    own cost; its loan also puts an expected loss on the lender's owners outside the hosts
    (members by GDP, China first), said with the fee that recovers it too."""
    path = _scenario(tmp_path / "alone.yaml", ["trans_afghan"], "bank_project")
    path.write_text(path.read_text().replace(", failure_sensitivity: 0", ""))
    run = _run(tmp_path, capsys, path)
    said = _said(run, "trans_afghan")
    ind = read_batches(run / "indicators")
    ind = ind[ind["year"] == 2035].assign(country=ind["country"].astype(str))

    def every(name: str):
        one = ind[ind["indicator"].astype(str) == name]
        return one.pivot_table(index="run", columns="country", values="value",
                               aggfunc="first")

    cost, own = every("corridor_cost_usd"), every("corridor_own_cost_usd")
    base = every("corridor_fee_base_teu")[AFG_PAYERS].sum(axis=1)
    on = base > 0
    hosts = own.loc[on, AFG_PAYERS].sum(axis=1)
    total = cost.loc[on].sum(axis=1)  # the loan's whole cost, over every economy
    outside = total - hosts
    assert (outside > 0).all() and (cost.loc[on, "CHN"] > 0).all()  # China, an owner
    fee, _ = _fees(said)
    # Identities: fee x billed = the hosts' cost; the second fee x billed = the whole cost.
    assert fee == pytest.approx(float(np.median(hosts / base[on])), abs=0.5)
    assert (f"Its loan also puts {_usd(float(np.median(outside)))} a year more on the "
            "members outside the hosts") in said
    assert (f"US${float(np.median(total / base[on])):,.0f} a TEU would recover that too"
            in said)
    assert "would recover the hosts' cost" in said
