"""External assets less the claims a system has parked stay non-negative, or are refused.

``contagion.unfrozen_network`` takes the claims parked in earlier years out of the year's
network: the debtor's external assets fall by what it paid into blocked accounts. Until
2026-12-06 the result was floored at 0, which would have created assets (and equity) from
nothing. The floor never bound: the calibrated tables keep ``(1 - lgd) e0 - K0 - l_out -
contributions`` positive in every economy (docs/finance.md section 4, "A claim is frozen
once"), so a negative value is now refused with an error naming the economy and the run.
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.finance.contagion import LGD_SAFE, unfrozen_network
from scosim.finance.shocks import sanctions_matrix
from scosim.finance.spec import DepositInsurance
from scosim.finance.system import FinanceState, FinanceSystem, Levers

# The largest contribution a scenario may set (spec.DepositInsurance, bp of insured deposits).
MAX_BP = float(next(m.le for m in DepositInsurance.model_fields["contribution_bp"].metadata
                    if hasattr(m, "le")))


def test_the_bound_holds_on_the_calibrated_tables() -> None:
    """e - out_of + into >= (1 - lgd) e0 - K0 - l_out - contributions > 0 in every economy.

    Parked claims are at most ``L`` (so what a debtor paid out is at most ``l_out``), new NPLs
    at most all loans (a year's credit loss at most ``lgd e0``) and capital starts a year at
    0 or more, so this margin bounds the debtor's external assets after parking from below.
    """
    fs = FinanceSystem()
    d, lgd = fs.data, fs.params.lgd
    margin = ((1 - lgd) * d.external_assets - d.capital - d.interbank_liabilities
              - MAX_BP * 1e-4 * d.insured)
    assert (margin > 0).all(), dict(zip(d.codes, margin, strict=True))
    # The lgd at which the bound is lost: above 0.69 (Tajikistan's, the smallest), the
    # setting the error tells a user to stay at or below (contagion.LGD_SAFE).
    lgd_max = 1 - (d.capital + d.interbank_liabilities + MAX_BP * 1e-4 * d.insured) \
        / d.external_assets
    assert lgd_max.min() > LGD_SAFE
    assert lgd_max.min() - LGD_SAFE < 0.01  # the advice is not needlessly strict


def _worst_year(fs: FinanceSystem, R: int = 3) -> tuple[FinanceState, np.ndarray, np.ndarray,
                                                       Levers]:
    """Capital 0, every claim already parked, all loans turning bad, full sanctions on all."""
    N = fs.N
    st = fs.initial_state(R)
    L = np.broadcast_to(fs.data.L, (R, N, N)).copy()
    st = FinanceState(capital=np.zeros((R, N)), npl=st.npl, fund=st.fund,
                      trade_cost_factor=st.trade_cost_factor, parked=L.sum(axis=1),
                      frozen=L, written_off=np.zeros((R, N, N)))
    g = np.full((R, N), -50.0)  # new NPLs are clipped at 1: every loan goes bad
    row = fs.codes.index("ROW")
    S = sanctions_matrix([(c, "ROW", 1.0) for c in fs.codes if c != "ROW"], fs.codes, R)
    S[:, :, row] = 1.0  # and everyone on the rest of the world
    S[:, row, row] = 0.0
    lev = Levers.union(np.ones((R, N), bool), fs.data.settlement, contribution_bp=MAX_BP)
    return st, g, S, lev


def test_the_worst_year_the_tables_allow_passes_at_the_default_lgd(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound at work: in the worst year it allows, the debtor's assets stay above it."""
    import scosim.finance.system as system

    seen: list[np.ndarray] = []

    def recording(*args: object, **kw: object) -> object:
        net = unfrozen_network(*args, **kw)  # type: ignore[arg-type]
        seen.append(net.e)
        return net

    monkeypatch.setattr(system, "unfrozen_network", recording)
    fs = FinanceSystem()
    st, g, S, lev = _worst_year(fs)
    fs.step(st, g, S, lev, [np.random.default_rng(r) for r in range(3)])
    d = fs.data
    margin = ((1 - fs.params.lgd) * d.external_assets - d.capital - d.interbank_liabilities
              - MAX_BP * 1e-4 * d.insured)
    assert seen and (seen[0] >= margin[None]).all()
    # With capital 0, every loan bad, the largest contribution and every claim parked the
    # bound is reached but for the year's income and what is parked for the system.
    p = fs.params
    income = (p.lgd * p.cure_rate * d.npl + p.roa_margin + fs.premium) * d.external_assets
    into = st.frozen.sum(axis=1)
    np.testing.assert_allclose(seen[0], margin[None] + income[None] + into, rtol=1e-9)


def test_negative_external_assets_are_refused_naming_the_economy() -> None:
    """A debtor that parked more than its external assets: an error, not assets from nothing.

    A owes B 10, all parked; A's external assets are 4 in run 1. The floor (before
    2026-12-06) returned 0 there, so A's equity rose by 6.
    """
    L = np.array([[0.0, 10.0], [0.0, 0.0]])
    parked = np.broadcast_to(L, (2, 2, 2)).copy()
    e = np.array([[20.0, 5.0], [4.0, 5.0]])
    c_in, l_out = L.sum(axis=0)[None], L.sum(axis=1)[None]
    with pytest.raises(ValueError, match=r"banking system of A \(run row 1\).*lgd"):
        unfrozen_network(L, np.ones((2, 2, 2)), parked, e, c_in, l_out, codes=["A", "B"])
    # At the boundary it passes, and the payee's and debtor's equities are unchanged.
    e[1, 0] = 10.0
    net = unfrozen_network(L, np.ones((2, 2, 2)), parked, e, c_in, l_out, codes=["A", "B"])
    equity_before = e + c_in - l_out
    equity_after = net.e + net.c_in - net.l_out
    np.testing.assert_allclose(equity_after, equity_before, rtol=0, atol=1e-12)
    assert net.e[1, 0] == 0.0


def test_a_loss_beyond_the_bound_is_refused_in_the_step() -> None:
    """With lgd 1 the worst year takes a system's assets below what it parked: refused.

    Before 2026-12-06 the step floored them at 0 and went on, the debtor's equity raised.
    """
    fs = FinanceSystem().with_params(lgd=1.0)
    st, g, S, lev = _worst_year(fs)
    with pytest.raises(ValueError, match=r"banking system of [A-Z]{3} \(run row 0\)"):
        fs.step(st, g, S, lev, [np.random.default_rng(r) for r in range(3)])
