"""The hardening solvers: exact to their tolerance, fast, and independent of the batch.

A run's hardening must be the same whether it is solved alone or with other runs (the
executors split an ensemble into batches of any size) and on any machine (no BLAS
reduction, no optimiser that stops at a tolerance of the objective). The cooperative
levels are checked here against the first-order conditions of the joint loss with its
analytic gradient (itself tested against finite differences in
``test_security_hardening.py``), much tighter than a finite-difference check can be.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from scosim.security.hardening import (
    HardeningConvergenceError,
    _root,
    cooperative_hardening,
    joint_loss,
    nash_hardening,
    pressure_before_hardening,
)
from scosim.security.model import SecuritySystem
from scosim.security.params import SecurityParams

D = 0.001
INST = np.array([1.0, 2.5, 0.5, 1.5, 1.2])


def _inputs(seed: int = 3) -> tuple[SecuritySystem, np.ndarray, np.ndarray]:
    """The shipped block, five runs at different instability, random valuations."""
    sys_ = SecuritySystem(params=SecurityParams(displacement=0.5))
    A = pressure_before_hardening(sys_, INST, INST.size)
    v = np.random.default_rng(seed).uniform(0.002, 0.03, A.shape)
    return sys_, A, v


def _kw(sys_: SecuritySystem) -> dict[str, float]:
    p = sys_.params
    return {"beta": p.beta, "beta_defence": p.beta_defence, "displacement": p.displacement,
            "cost_share_gdp": D}


@pytest.mark.parametrize("rule", ["nash", "cooperative"])
def test_a_run_alone_equals_its_row_of_a_batch(rule: str) -> None:
    # Bit for bit: each run stops when it has converged, whatever the others still do.
    sys_, A, v = _inputs()
    B, Wn, y = sys_.cal.base_rate, sys_.Wn, sys_.cal.gdp_usd

    def solve(rows: list[int]) -> np.ndarray:
        if rule == "nash":
            return nash_hardening(B, A[rows], v[rows], Wn, **_kw(sys_))
        return cooperative_hardening(B, A[rows], v[rows], Wn, y, **_kw(sys_))

    batch = solve(list(range(INST.size)))
    for r in range(INST.size):
        np.testing.assert_array_equal(solve([r])[0], batch[r])
    np.testing.assert_array_equal(solve([3, 0])[1], batch[0])


def test_cooperative_levels_meet_the_first_order_conditions_to_rounding() -> None:
    # Analytic projected gradient of the joint loss, per US$ of GDP x d: 0 where h > 0,
    # >= 0 where h = 0. (L-BFGS-B with polishing stopped at 1e-6.)
    sys_, A, v = _inputs(seed=4)
    y = sys_.cal.gdp_usd
    h = cooperative_hardening(sys_.cal.base_rate, A, v, sys_.Wn, y, **_kw(sys_))
    p = sys_.params
    m = np.where(A > 0, v / (p.beta * np.where(A > 0, A, 1.0)), 0.0)
    _, g = joint_loss(h, sys_.cal.base_rate, A, m, sys_.Wn, y, beta_defence=p.beta_defence,
                      displacement=p.displacement, cost_share_gdp=D)
    free = (A > 0) & (y > 0)
    rel = g[free] / np.broadcast_to(y * D, A.shape)[free]
    on = h[free] > 0
    assert on.sum() >= 40 and (~on).sum() >= 3
    assert np.max(np.abs(rel[on])) < 1e-10
    assert np.min(rel[~on]) > -1e-10
    assert np.all(h[~free] == 0)


def test_the_hardening_solvers_use_no_optimiser_and_no_blas() -> None:
    # scipy.optimize (L-BFGS-B calls BLAS ddot/daxpy) would make the levels depend on the
    # CPU's BLAS kernel; the solvers are elementwise numpy.
    code = ("import sys, numpy as np\n"
            "from scosim.security.hardening import cooperative_hardening\n"
            "from scosim.security.model import SecuritySystem\n"
            "from scosim.security.hardening import pressure_before_hardening\n"
            "s = SecuritySystem(); A = pressure_before_hardening(s, np.ones(2), 2)\n"
            "cooperative_hardening(s.cal.base_rate, A, 0.01, s.Wn, s.cal.gdp_usd, beta=2.0,\n"
            "    beta_defence=1.0, displacement=0.5, cost_share_gdp=0.001)\n"
            "print(sorted(k for k in sys.modules if k.startswith('scipy.optimize')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_safeguarded_newton_is_fast_and_exact_even_at_a_bracket_end() -> None:
    # g(x) = e^x - c, root ln c; one bracket's lower end is the root to an ulp (the case
    # where plain Newton-or-bisection stalls into halving the bracket, about 50 steps).
    c = np.array([2.0, 50.0, 1.0 + 1e-9, 3.0])
    root = np.log(c)
    lo = np.array([0.0, 0.0, 0.0, np.nextafter(root[3], -1.0)])
    hi = np.full(4, 10.0)
    calls = []

    def fun(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        calls.append(1)
        return np.exp(x) - c, np.exp(x)

    x = _root(fun, np.array([9.0, 9.0, 9.0, 9.0]), lo, hi, np.zeros(4, bool))
    # To a few ulps of max(1, x) (h is a log change: an absolute 1e-15 is below any use).
    assert np.all(np.abs(x - root) <= 4 * np.finfo(float).eps * np.maximum(1.0, root))
    assert len(calls) <= 20  # bisection alone: about 60


def test_cooperative_sweeps_that_do_not_converge_raise() -> None:
    sys_, A, v = _inputs()
    with pytest.raises(HardeningConvergenceError, match="did not converge in 1 coordinate"):
        cooperative_hardening(sys_.cal.base_rate, A, v, sys_.Wn, sys_.cal.gdp_usd,
                              max_sweeps=1, **_kw(sys_))


def test_a_hardening_that_does_not_converge_is_a_one_line_error() -> None:
    # As a GE solve that does not converge: the CLI prints the message, exit 2, no traceback.
    from scosim.errors import USER_ERRORS
    from scosim.security.hardening import HardeningConvergenceError

    assert issubclass(HardeningConvergenceError, USER_ERRORS)
