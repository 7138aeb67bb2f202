"""solve_ge skips what cannot change the equilibrium, and only that.

Unchanged trade costs (all 1) and identity revenue sharing are recognised before the
checks and leave the computation; ``t_hat`` is computed only on the importers whose
tariffs or costs change in some run. Checked here: the same bits as the explicit
no-change inputs, the batch axes those inputs span, their errors, and that a change
confined to a few columns solves like the same change written as an iceberg cost.
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.trade import solve_ge
from test_trade_ge import scipy_reference  # tests/ is on sys.path (rootdir)


def _problem(seed: int = 3, n: int = 7, runs: int = 4):
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0.0, 1.0, size=(n, n)) + np.eye(n) * 20.0
    tau = rng.uniform(0.0, 0.2, size=(n, n))
    np.fill_diagonal(tau, 0.0)
    sigma = rng.uniform(3.0, 7.0, size=runs)
    return x, tau, sigma


def _fields(res) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in vars(res).items()}


def test_neutral_costs_and_sharing_give_the_bits_of_none() -> None:
    x, tau, sigma = _problem()
    n, runs = x.shape[0], sigma.size
    new = np.broadcast_to(tau, (runs, n, n)).copy()
    new[:, :, 2] = 0.0  # one importer cuts its tariffs
    new[1, :, 5] *= 0.5  # another in one run only
    np.fill_diagonal(new[0], 0.0)
    plain = _fields(solve_ge(x, sigma=sigma, tariffs=tau, new_tariffs=new))
    neutral = _fields(solve_ge(x, sigma=sigma, tariffs=tau, new_tariffs=new,
                               cost_change=np.ones((runs, n, n)),
                               revenue_sharing=np.broadcast_to(np.eye(n), (runs, n, n))))
    assert plain.keys() == neutral.keys()
    for k, v in plain.items():
        np.testing.assert_array_equal(neutral[k], v, err_msg=k)


def test_neutral_inputs_still_span_their_batch_axes() -> None:
    x, tau, _ = _problem()
    n = x.shape[0]
    res = solve_ge(x, sigma=5.0, tariffs=tau, revenue_sharing=np.broadcast_to(np.eye(n),
                                                                          (3, n, n)))
    assert res.welfare_change.shape == (3, n)
    res = solve_ge(x, sigma=5.0, tariffs=tau, cost_change=np.ones((2, 3, n, n)))
    assert res.welfare_change.shape == (2, 3, n)
    with pytest.raises(ValueError, match="do not broadcast"):
        solve_ge(x, sigma=np.full(5, 4.0), revenue_sharing=np.broadcast_to(np.eye(n),
                                                                          (2, n, n)))
    # Integer identity sharing is identity sharing too.
    np.testing.assert_array_equal(
        solve_ge(x, sigma=5.0, tariffs=tau, revenue_sharing=np.eye(n, dtype=int)).flows,
        solve_ge(x, sigma=5.0, tariffs=tau).flows)


@pytest.mark.parametrize("bad, match", [
    (dict(cost_change=np.full((7, 7), np.nan)), "cost_change must be finite"),
    (dict(cost_change=np.ones((6, 6))), "cost_change must be"),
    (dict(revenue_sharing=np.eye(6)), "revenue_sharing must be"),
    (dict(revenue_sharing=np.full((7, 7), np.inf)), "revenue_sharing must be finite"),
])
def test_bad_neutral_looking_inputs_are_still_refused(bad, match) -> None:
    x, tau, _ = _problem()
    with pytest.raises(ValueError, match=match):
        solve_ge(x, sigma=5.0, tariffs=tau, **bad)


@pytest.mark.parametrize("deficits", ["level", "ratio"])
def test_a_change_confined_to_a_few_importers_matches_an_independent_solver(deficits) -> None:
    """Tariffs and costs change on importers 1 and 4 only (the rest keep ``t_hat = 1`` and
    are skipped): the equilibrium is scipy's root of the same equations, written
    independently over every cell (``tests/test_trade_ge.py``)."""
    x, tau, _ = _problem(seed=11)
    n = x.shape[0]
    tau_new = tau.copy()
    tau_new[:, 1] = 0.0
    tau_new[:, 4] *= 1.5
    np.fill_diagonal(tau_new, 0.0)
    d_hat = np.ones((n, n))
    d_hat[2, 4] = 0.8
    w_ref, e_ref = scipy_reference(x, 5.0, tau, tau_new, d_hat, np.eye(n), deficits)
    res = solve_ge(x, sigma=5.0, tariffs=tau, new_tariffs=tau_new, cost_change=d_hat,
                   deficits=deficits)
    np.testing.assert_allclose(res.price_change, w_ref, rtol=1e-9)
    np.testing.assert_allclose(res.expenditure, e_ref, rtol=1e-9)
    # A run's bits do not depend on which columns the other runs of its batch change.
    both = solve_ge(x, sigma=5.0, tariffs=tau, new_tariffs=np.stack([tau, tau_new]),
                    cost_change=np.stack([np.ones((n, n)), d_hat]), deficits=deficits)
    alone = solve_ge(x, sigma=5.0, tariffs=tau, new_tariffs=tau, deficits=deficits)
    np.testing.assert_array_equal(both.flows[1], res.flows)
    np.testing.assert_array_equal(both.flows[0], alone.flows)
    np.testing.assert_array_equal(both.welfare_change[0], alone.welfare_change)
