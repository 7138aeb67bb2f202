"""A defaulter's payment to its outside creditors goes down art. 108's ranking.

Directive 2014/59/EU art. 108 (as amended by 2017/2399) ranks covered deposits first,
then uninsured deposits, then ordinary unsecured claims; Russia's insolvency law gives
individuals' deposits, and the Deposit Insurance Agency subrogated to them, first priority
(Federal Law No. 127-FZ art. 189.92; No. 177-FZ art. 12(2)). Until 2026-12-06 the model's
failure path split what a defaulter paid its outside creditors pro rata among insured
deposits, uninsured deposits and ordinary debt. The clearing still decides who fails and
what each pays, outside and interbank (docs/finance.md sections 2 and 5): only the split
of the outside creditors' part among their classes changes.

``_data`` (tests/test_finance_chain.py) gives every system deposits of half its outside
debt ``b``, a quarter insured: insured b/4, uninsured b/4, ordinary debt b/2.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import scosim.finance.system as system
from scosim.finance.clearing import clear
from scosim.finance.liquidation import ClassLosses, outside_losses, ranked_losses
from scosim.finance.shocks import sanctions_matrix
from scosim.finance.system import FinanceSystem
from test_finance_chain import CALM, _data, _outside, _step  # tests/ is on sys.path

SPLIT = ("insured_payout", "depositor_losses", "creditor_losses")
# Money that follows the split: the fund pays the insured depositors' loss, the treasury
# what the fund does not (and, without a fund, all of it).
FOLLOWS_SPLIT = (*SPLIT, "fund_payout", "fund_balance", "fiscal_cost")


def _pro_rata(outside_paid, failed, *, insured, uninsured, ordinary) -> ClassLosses:
    """The failure path's split until 2026-12-06: every outside class the same share."""
    owed = np.asarray(insured) + np.asarray(uninsured) + np.asarray(ordinary)
    share = 1.0 - np.divide(outside_paid, owed, out=np.ones_like(outside_paid),
                            where=owed > 0)
    return ClassLosses.pro_rata(np.where(failed, np.clip(share, 0.0, 1.0), 0.0))


@pytest.mark.parametrize(("loss", "insured", "uninsured", "ordinary", "old"),
                         [(50.0, 0.0, 0.0, 40.0, (10.0, 10.0, 20.0)),
                          (70.0, 0.0, 10.0, 50.0, (15.0, 15.0, 30.0)),
                          (90.0, 5.0, 25.0, 50.0, (20.0, 20.0, 40.0))])
def test_the_ordinary_debt_loses_first_then_the_uninsured_then_the_insured(
        loss, insured, uninsured, ordinary, old, monkeypatch):
    """One system, no interbank debt: external assets 110, outside debt 100 (25 insured,
    25 uninsured, 50 ordinary), capital 10. A loss of 50 leaves 60 to pay 100: the
    deposits are paid in full and the ordinary debt gets 10 of its 50, losing 40 (pro rata
    the three lost 10, 10 and 20). A loss of 70 leaves 40: the insured 25, the uninsured
    15 of 25, the ordinary nothing. A loss of 90 leaves 20: the insured lose 5."""
    data = _data(np.array([110.0]), np.array([100.0]), np.zeros((1, 1)))
    _, ind = _step(data, np.array([[loss]]))
    assert ind["failures"][0, 0] == 1
    got = [ind[k][0, 0] for k in SPLIT]
    np.testing.assert_allclose(got, [insured, uninsured, ordinary], atol=1e-12)
    # Without a fund the treasury backs the insured deposits: 0.045 x 110 recapitalises.
    np.testing.assert_allclose(ind["fiscal_cost"][0, 0], insured + 0.045 * 110.0, atol=1e-12)
    monkeypatch.setattr(system, "outside_losses", _pro_rata)
    _, before = _step(data, np.array([[loss]]))
    np.testing.assert_allclose([before[k][0, 0] for k in SPLIT], old, atol=1e-12)


@pytest.mark.parametrize(("seniority", "ordinary", "unpaid"),
                         [("pari_passu", 40.0, 8.0), ("external_senior", 28.0, 20.0)])
def test_the_clearing_s_seniority_sets_the_outside_part_the_ranking_splits_it(
        seniority, ordinary, unpaid):
    """A owes B 20 and 100 outside (25 insured, 25 uninsured, 50 ordinary) and has 72 of
    external assets after its loss. Pari passu it pays every creditor 72 / 120: 60 to the
    outside creditors (its deposits in full, 10 of the ordinary 50) and 12 of B's 20.
    External-senior it pays the outside creditors first, all 72 (the ordinary debt 22),
    and B nothing. B (capital 70) survives either way."""
    L = np.zeros((2, 2))
    L[0, 1] = 20.0
    data = _data(np.array([130.0, 100.0]), np.array([100.0, 50.0]), L)
    _, ind = _step(data, np.array([[58.0, 0.0]]), replace(CALM, seniority=seniority))
    assert ind["failures"][0].tolist() == [1.0, 0.0]
    np.testing.assert_allclose([ind[k][0, 0] for k in SPLIT], [0.0, 0.0, ordinary],
                               atol=1e-12)
    np.testing.assert_allclose(ind["interbank_unpaid"][0, 0], unpaid, atol=1e-12)


def _random(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A dense random network with large own losses (tests/test_finance_chain.py)."""
    rng = np.random.default_rng(seed)
    n, R = 6, 8
    L = rng.uniform(0, 40, (n, n)) * (rng.uniform(size=(n, n)) < 0.7)
    np.fill_diagonal(L, 0.0)
    e = rng.uniform(60, 120, n)
    b = rng.uniform(0.3, 0.8, n) * (e + L.sum(axis=0) - L.sum(axis=1)).clip(1.0)
    own = rng.uniform(0, 1, (R, n)) ** 4 * e
    return e, b, L, own


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
@pytest.mark.parametrize("cost", [1.0, 0.7])
@pytest.mark.parametrize("seed", range(4))
def test_only_the_split_among_outside_classes_changes(seniority, cost, seed, monkeypatch):
    """On random networks (contagion several rounds deep, with and without default
    costs): who fails, what each pays and every other indicator are bit-identical to the
    pro rata split's; what the outside creditors lose in all is the same; the classes
    add up to it; and a class loses only once every class ranked below it has lost all."""
    e, b, L, own = _random(seed)
    data = _data(e, b, L)
    params = replace(CALM, seniority=seniority, alpha=cost, beta=cost)
    _, ind = _step(data, own, params)
    monkeypatch.setattr(system, "outside_losses", _pro_rata)
    _, old = _step(data, own, params)
    assert (ind["failures"] > 0).any()
    if seed == 0:
        assert (ind["contagion_round"] >= 2).any(), "the networks must spread defaults"
    for k in ind:
        if k not in FOLLOWS_SPLIT:
            np.testing.assert_array_equal(ind[k], old[k], err_msg=k)
    # The pro rata split lost the share 1 - external_paid / b of every class: the classes
    # add up to the defaulter's shortfall to its outside creditors, ranked or not.
    np.testing.assert_allclose(_outside(ind), _outside(old), rtol=1e-12, atol=1e-12)
    failed = ind["failures"] > 0
    np.testing.assert_allclose(_outside(ind)[~failed], 0.0, atol=0.0)
    ordinary, uninsured, insured = b / 2, b / 4, b / 4
    tol = 1e-9 * b
    wiped = ind["creditor_losses"] >= ordinary - tol
    assert not ind["depositor_losses"][~wiped].any()
    assert not ind["insured_payout"][ind["depositor_losses"] < uninsured - tol].any()
    assert (ind["insured_payout"] <= insured + tol).all()
    # Ranked, the deposits together and the insured ones lose no more than pro rata, the
    # ordinary debt no less (the uninsured alone may lose more, once it is wiped out).
    deposits = ind["insured_payout"] + ind["depositor_losses"]
    assert (deposits <= old["insured_payout"] + old["depositor_losses"] + tol).all()
    assert (ind["insured_payout"] <= old["insured_payout"] + tol).all()
    assert (ind["creditor_losses"] >= old["creditor_losses"] - tol).all()


def test_without_a_union_years_of_crisis_keep_the_clearing(monkeypatch):
    """Russia's crisis on the packaged tables, three years, no union: every year's
    failures, payments, capital and contagion are bit-identical to the pro rata split's;
    in default the ordinary debt takes Russia's whole outside loss and the deposit
    insurance (here the treasury) pays nothing."""
    fs = FinanceSystem()
    R, rus = 12, fs.codes.index("RUS")
    S = sanctions_matrix([("RUS", "ROW", 1.0)], fs.codes, R)

    def years() -> list[dict[str, np.ndarray]]:
        st, out = fs.initial_state(R), []
        for shock in (-0.5, 0.0, -0.1):
            g = np.zeros((R, fs.N))
            g[:, rus] = shock
            st, ind = fs.step(st, g, S, fs.levers(R),
                              [np.random.default_rng(r) for r in range(R)])
            out.append(ind)
        return out

    new = years()
    monkeypatch.setattr(system, "outside_losses", _pro_rata)
    old = years()
    failed = new[0]["failures"][:, rus] > 0
    assert failed.mean() > 0.5
    for ind, before in zip(new, old, strict=True):
        for k in ind:
            if k not in FOLLOWS_SPLIT:
                np.testing.assert_array_equal(ind[k], before[k], err_msg=k)
        np.testing.assert_allclose(_outside(ind), _outside(before), rtol=1e-12)
    first = new[0]
    assert not first["insured_payout"][failed, rus].any()
    assert not first["depositor_losses"][failed, rus].any()
    np.testing.assert_allclose(first["creditor_losses"][failed, rus],
                               _outside(old[0])[failed, rus], rtol=1e-12)
    assert (old[0]["insured_payout"][failed, rus] > 1e9).all()  # pro rata: US$ bn a run


@pytest.mark.parametrize("seed", range(6))
def test_the_bound_is_the_ranked_loss_pari_passu_and_the_failure_path_s_senior(seed):
    """The bound of a resolution holds each class to the smaller of its loss with the whole
    estate laid down art. 108 (interbank pari passu with ordinary debt) and its loss in the
    failure path. Pari passu the clearing gives the interbank creditors their pro rata
    share of the estate, more than the ranking would, so the outside classes lose more in
    the failure path: the ranked loss is the bound. External-senior it gives them what
    the outside creditors leave, less: the failure path's loss is."""
    rng = np.random.default_rng(seed)
    n, R = 5, 16
    L = rng.uniform(0, 40, (n, n)) * (rng.uniform(size=(n, n)) < 0.7)
    np.fill_diagonal(L, 0.0)
    b = rng.uniform(20, 120, (R, n))
    dep = rng.uniform(0.2, 1.0, (R, n)) * b
    ins = rng.uniform(0.0, 1.0, (R, n)) * dep
    e = rng.uniform(0, 1.2, (R, n)) * (b + L.sum(axis=1))
    for seniority, ranked_smaller in (("pari_passu", True), ("external_senior", False)):
        c = clear(e, L, b, seniority=seniority)
        paid_out = c.external_paid
        estate = paid_out + c.payment_matrix.sum(axis=2)
        whole = ranked_losses(estate, c.default, insured=ins, uninsured=dep - ins,
                              ordinary=b - dep, interbank=L.sum(axis=1))
        failure = outside_losses(paid_out, c.default, insured=ins, uninsured=dep - ins,
                                 ordinary=b - dep)
        assert c.default.any()
        for cls in ("insured", "uninsured", "ordinary"):
            lo, hi = getattr(whole, cls), getattr(failure, cls)
            if not ranked_smaller:
                lo, hi = hi, lo
            assert (lo <= hi + 1e-12).all(), (seniority, cls)
