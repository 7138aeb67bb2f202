"""The hardening solvers: exact to their tolerance, fast, and independent of the batch.

A run's hardening must be the same whether it is solved alone or with other runs (the
executors split an ensemble into batches of any size) and on any machine (no BLAS
reduction, no optimiser that stops at a tolerance of the objective). The cooperative
levels are checked here against the first-order conditions of the joint loss with its
analytic gradient (itself tested against finite differences in
``test_security_hardening.py``), much tighter than a finite-difference check can be.
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.security.hardening import (
    _root,
    cooperative_hardening,
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


@pytest.mark.parametrize("rule", ["nash"])
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
