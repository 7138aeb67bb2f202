"""Public money in resolution under the BRRD's conditions (docs/finance.md section 5).

The 8 % of total liabilities including own funds (TLOF) that shareholders and creditors
must absorb (art. 44(5)(a)) conditions the government stabilisation tools too (art.
37(10)(a)), not only the resolution fund. The shareholders' part is this year's loss of
their own funds, counted after the deposit insurance contributions, which are a cost of
the year and not a loss absorbed in resolution.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from scosim.finance.system import FinanceState, FinanceSystem, Levers
from test_finance_chain import CALM, _data  # tests/ is on sys.path (rootdir)

# A's loss falls within the year (lgd 1, one unit of new NPLs per unit of negative
# shock, no income): tests/test_finance_fund_limits.py.
IN_YEAR = replace(CALM, lgd=1.0, npl_sensitivity=1.0)


def _chain(capital_a: float = 10.0) -> FinanceSystem:
    """The chain A owes B 60, B owes C 45; A: 130 of assets, 60 of outside debt (30
    deposits, 15 of them insured, 30 other), ``capital_a`` of capital."""
    L = np.zeros((3, 3))
    L[0, 1], L[1, 2] = 60.0, 45.0
    data = _data(np.array([130.0, 50.0, 100.0]), np.array([60.0, 45.0, 50.0]), L)
    return FinanceSystem(data, IN_YEAR)


def _step_a(losses: list[float], *, capital: float, fund: float, bp: float,
            **kw: object) -> dict[str, np.ndarray]:
    """One year, one run per loss of A; A alone in a full union."""
    fs = _chain()
    R = len(losses)
    st = fs.initial_state(R)
    cap = st.capital.copy()
    cap[:, 0] = capital
    st = FinanceState(capital=cap, npl=st.npl, fund=np.tile([fund, 0.0, 0.0], (R, 1)),
                      trade_cost_factor=st.trade_cost_factor)
    a = np.broadcast_to([True, False, False], (R, 3))
    levers = Levers(np.zeros((R, 3), bool), a, a, a, np.zeros((R, 3, 3)), contribution_bp=bp,
                    **kw)  # type: ignore[arg-type]
    g = np.zeros((R, 3))
    g[:, 0] = -np.asarray(losses) / 130.0
    _, ind = fs.step(st, g, fs.no_sanctions(R), levers, np.random.default_rng(0))
    return ind


def test_contributions_are_not_the_shareholders_loss():
    """Paying 500 bp of A's 15 of insured deposits (0.75) into the fund out of its capital
    of 10 is the same as starting the year with 9.25 and a fund 0.75 richer: the
    shareholders then lose 9.25 in a deep loss, short of 8 % of TLOF (9.6), where the
    capital of 10 would have met it. Until 2026-12-06 the contribution counted as their
    loss, and the first case met the 8 % while the second did not."""
    losses = [65.0, 26.0, 13.0]
    paid = _step_a(losses, capital=10.0, fund=60.0, bp=500.0, bail_in_share=0.0)
    same = _step_a(losses, capital=9.25, fund=60.75, bp=0.0, bail_in_share=0.0)
    for k in paid:
        np.testing.assert_allclose(paid[k], same[k], atol=1e-9, err_msg=k)
