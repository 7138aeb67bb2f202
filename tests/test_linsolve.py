"""A singular member of a batch leaves the other runs' numbers as they would be alone."""

from __future__ import annotations

import numpy as np

from scosim.mechanisms import baseline_path as bp
from scosim.mechanisms.linsolve import solve_each


def test_solve_each_flags_singular_members_and_keeps_the_others_bits() -> None:
    rng = np.random.default_rng(5)
    a = rng.uniform(0.0, 1.0, (4, 6, 6)) + 3.0 * np.eye(6)
    a[2] = 0.0  # singular: np.linalg.solve raises for the whole stack
    a[3, :, 1] = 0.0  # singular too (a zero column)
    b = rng.normal(size=(4, 6, 2))
    x, singular = solve_each(a, b)
    assert singular.tolist() == [False, False, True, True]
    for k in (0, 1):
        assert np.array_equal(x[k], np.linalg.solve(a[k], b[k]))
    assert np.isnan(x[2:]).all()
    # A regular stack is solved in one call, with the same bits as member by member.
    y, none = solve_each(a[:2], b[:2])
    assert not none.any() and np.array_equal(y, x[:2])


def _disconnected() -> tuple[np.ndarray, np.ndarray]:
    """Flows of two blocks ({0} and {1, 2}) with growth that RAS can still meet.

    Economy 0 trades only with itself, so the Newton system on the scale factors is
    exactly singular (a zero pivot) from the first step; ``x12 == x21`` and one growth
    factor per block keep every block's row and column targets equal.
    """
    x = np.array([[5.0, 0.0, 0.0], [0.0, 2.0, 1.5], [0.0, 1.5, 4.0]])
    return x, np.array([1.3, 1.05, 1.2])


def test_rebase_sends_only_the_singular_run_to_ras_sweeps() -> None:
    rng = np.random.default_rng(11)
    regular = rng.uniform(0.5, 2.0, (3, 3))
    g_regular = rng.uniform(0.9, 1.4, 3)
    block, g_block = _disconnected()
    with np.errstate(divide="ignore"):
        _, singular = solve_each(*_first_newton_system(block, g_block))
    assert singular.all()  # the case this test is about

    both = bp.rebase_flows(np.stack([regular, block]), np.stack([g_regular, g_block]))
    alone = bp.rebase_flows(regular, g_regular)[0]
    assert np.array_equal(both[0], alone)  # bit for bit: not finished by RAS sweeps
    assert np.array_equal(both[1], bp.rebase_flows(block, g_block)[0])
    # The singular run still meets its targets, and keeps its zero pattern.
    rows, cols = block.sum(axis=1) * g_block, block.sum(axis=0) * g_block
    assert np.allclose(both[1].sum(axis=1), rows, rtol=1e-12)
    assert np.allclose(both[1].sum(axis=0), cols, rtol=1e-12)
    assert np.array_equal(both[1] > 0, block > 0)


def _first_newton_system(x0: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pinned Schur system of the rebase's first Newton step (after its pre-scaling)."""
    rows, cols = x0.sum(axis=1) * g, x0.sum(axis=0) * g
    cols = cols * rows.sum() / cols.sum()
    x = x0 * np.sqrt(rows / x0.sum(axis=1))[:, None]
    x = x * np.sqrt(cols / x.sum(axis=0))[None, :]
    rs, cs = x.sum(axis=1), x.sum(axis=0)
    s = np.eye(3) - (x.T @ (x / rs[:, None])) / cs[:, None]
    rhs = np.log(cols / cs) - (x.T @ np.log(rows / rs)) / cs
    return s[None, :-1, :-1], rhs[None, :-1, None]
