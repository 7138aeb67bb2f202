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
    assert "without the expected loss on trans_afghan's loan" in said
    whole, om = _fees(said)
    own = _rows(lent, "corridor_own_cost_usd", CKU_PAYERS).sum(axis=1)
    cost = _rows(lent, "corridor_cost_usd", CKU_PAYERS).sum(axis=1)
    base = _rows(lent, "corridor_fee_base_teu", CKU_PAYERS).sum(axis=1)
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
