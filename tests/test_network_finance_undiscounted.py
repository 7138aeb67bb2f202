"""A corridor's finance at a zero discount rate: finite, with a failure certain some day.

``finance_project``'s docstring said the rate must be > 0 with a positive hazard (an outside
review, 2026-12-06); the code sums the failures after the horizon in closed form, which at
``r = 0`` is the probability the project still stands then.
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.network.finance import finance_project


@pytest.mark.parametrize("years", [5, 20])
def test_at_a_zero_rate_a_failing_project_loses_its_stake_less_the_recovery(years) -> None:
    # A constant hazard goes on as long as the project stands, so it fails with probability
    # 1; undiscounted, the hosts lose the cost less the 40 % recovered, and recover 40 %.
    cost, h = 1000.0, 0.03
    hs = np.array([0.25, 0.75])
    out = finance_project([cost], hs, "budget", recovery=0.4, discount_rate=0.0,
                          failure_prob=np.full((1, years), h))
    np.testing.assert_allclose(out.risk, [0.6 * cost * hs], rtol=1e-12)
    np.testing.assert_allclose(out.recovered, [0.4 * cost * hs], rtol=1e-12)
    np.testing.assert_allclose(out.paid, [cost * hs], rtol=1e-12)


def test_at_a_zero_rate_a_project_without_failure_risk_loses_nothing() -> None:
    out = finance_project([1000.0], np.array([1.0]), "budget", recovery=0.4,
                          discount_rate=0.0, failure_prob=np.zeros((1, 10)))
    assert np.all(out.risk == 0) and np.all(out.recovered == 0)
