"""solve_fixed's two paths (Python floats for a few members, numpy for a batch) agree bit
for bit, and neither writes to its inputs.

The small-batch path was added on 2026-12-07 to cut numpy's fixed cost per call, which the
vote's ensemble pays on many small batches (docs/finance.md, "Same bits on every
machine"). Its arithmetic is the batch path's, operation for operation; any difference in
order would show here as a differing last bit.
"""

from __future__ import annotations

import numpy as np

from scosim.finance import fixed_solve
from scosim.finance.fixed_solve import solve_fixed


def _cases(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    """The clearing's M-matrices (identity rows off the defaulters), general matrices
    that need row exchanges, small integers (ties in the pivot, exact zeros, singular),
    and a zero first column with a -0.0 (singular, signed zeros)."""
    pi = rng.exponential(1.0, (12, n, n)) * (1.0 - np.eye(n))
    pi *= rng.uniform(0.3, 1.0, (12, n, 1)) / np.maximum(pi.sum(axis=2, keepdims=True), 1e-300)
    act = rng.random((12, n)) < 0.4
    zero_col = rng.standard_normal((12, n, n))
    zero_col[:, :, 0] = 0.0
    zero_col[0, 0, 0] = -0.0
    return [np.eye(n) - 0.9 * act[:, :, None] * np.swapaxes(pi, 1, 2),
            rng.standard_normal((12, n, n)),
            rng.integers(-2, 3, (12, n, n)).astype(float), zero_col]


def test_one_member_alone_has_the_bits_it_has_in_a_batch():
    """Each member solved alone (the Python path) equals its row of the 12-member batch
    (the numpy path), every bit, singular flags included."""
    rng = np.random.default_rng(7)
    assert fixed_solve.SCALAR_UP_TO < 12
    seen_singular = seen_swap = False
    for n in (1, 2, 5, 11):
        for a in _cases(rng, n):
            b = rng.standard_normal((12, n))
            b[0, 0] = -0.0
            x, singular = solve_fixed(a, b)
            seen_singular |= bool(singular.any())
            seen_swap |= bool((np.abs(a[:, :, 0]).argmax(axis=1) > 0).any())
            for k in range(12):
                for size in (1, fixed_solve.SCALAR_UP_TO):
                    part = np.concatenate([a[k:k + 1]] * size)
                    xs, ss = solve_fixed(part, np.concatenate([b[k:k + 1]] * size))
                    assert ss.tolist() == [singular[k]] * size
                    assert xs.tobytes() == np.concatenate([x[k:k + 1]] * size).tobytes(), \
                        (n, k, size)
    assert seen_singular and seen_swap


def test_the_inputs_are_left_as_they_are():
    """Before: with one member the batch layout was a view, and a and b were overwritten."""
    rng = np.random.default_rng(3)
    for K in (1, 2, 9):
        a = rng.standard_normal((K, 6, 6))
        b = rng.standard_normal((K, 6))
        a0, b0 = a.copy(), b.copy()
        solve_fixed(a, b)
        assert np.array_equal(a, a0) and np.array_equal(b, b0)


def _clearing_like(rng: np.random.Generator, K: int, n: int, share: float):
    """``I - beta Pi^T`` on the defaulters' rows (at least one a member), the identity
    elsewhere, as clearing._linear builds them; ``b`` with exact zeros off them."""
    pi = rng.exponential(1.0, (K, n, n)) * (1.0 - np.eye(n))
    pi *= rng.uniform(0.3, 1.0, (K, n, 1)) / pi.sum(axis=2, keepdims=True)
    pi[rng.random((K, n, n)) < 0.3] = 0.0
    act = rng.random((K, n)) < share
    act[np.arange(K), rng.integers(0, n, K)] = True
    a = np.eye(n)[None] - 0.9 * act[:, :, None] * np.swapaxes(pi, 1, 2)
    b = np.where(act, rng.standard_normal((K, n)) * 1e9,
                 np.where(rng.random((K, n)) < 0.3, 0.0, rng.random((K, n)) * 1e10))
    return a, b


def test_the_few_defaulters_paths_have_the_full_elimination_s_bits():
    """Members with one row off the identity (_one_row), a few (_few_rows), and the cases
    they send back to the full elimination (a -0.0, a row exchange due, a zero column, a
    non-finite number), against the full elimination alone, every bit."""
    rng = np.random.default_rng(11)
    for trial in range(600):
        n = int(rng.integers(2, 30))
        a, b = _clearing_like(rng, int(rng.integers(5, 40)), n, [0.0, 0.05, 0.2][trial % 3])
        kind = trial % 6
        i, j = (int(v) for v in rng.integers(0, n, 2))
        if kind == 1:
            a[0, i, j] = -0.0
            b[1, i] = -0.0
        elif kind == 2:
            a[2] *= rng.uniform(0.5, 3.0)
        elif kind == 3:
            a[3, :, i] = 0.0
        elif kind == 4:
            a[4, i, j] = [np.inf, np.nan, 1e308][trial % 3]
        with np.errstate(all="ignore"):
            ref, ref_s = fixed_solve._solve_batch(a, b, *a.shape[:2])
            x, s = solve_fixed(a, b)
        assert np.array_equal(s, ref_s) and x.tobytes() == ref.tobytes(), trial


def test_one_scalar_elimination_does_the_full_and_the_few_rows_work():
    """_eliminate_rows, the one Python elimination since 2026-12-07 (it replaced two
    copies of the same loop), against the numpy full elimination, member by member and
    every bit: with every row live and row exchanges on, on general matrices (exchanges,
    ties, singular, a -0.0); on the live rows alone with exchanges off, on the clearing's
    systems with up to FEW_ROWS defaulters, where it either declines (a row exchange
    due) or gives the full elimination's bits."""
    rng = np.random.default_rng(5)
    solved = declined = exchanged = 0
    for n in (1, 3, 7, 28):
        for a in _cases(rng, n):
            b = rng.standard_normal((12, n))
            b[0, 0] = -0.0
            with np.errstate(all="ignore"):
                ref, ref_s = fixed_solve._solve_batch(a, b, 12, n)
            for k in range(12):
                x, s = fixed_solve._eliminate_rows(dict(enumerate(a[k].tolist())),
                                                   b[k].tolist(), list(range(n)), n,
                                                   exchange=True)
                exchanged += bool(np.abs(a[k, :, 0]).argmax() > 0)
                assert s == ref_s[k] and np.array(x).tobytes() == ref[k].tobytes(), (n, k)
    for trial in range(150):
        n = int(rng.integers(6, 29))
        a, b = _clearing_like(rng, 30, n, 0.2)
        for k in range(3):  # a row exchange due: an entry below the first pivot > 1
            j = int(np.flatnonzero(~(a[k] == np.eye(n)).all(axis=1)).max())
            if j:
                a[k, j, 0] = -3.0
        ref, ref_s = fixed_solve._solve_batch(a, b, 30, n)
        plain = (a == np.eye(n)).all(axis=2)
        for k in np.flatnonzero((~plain).sum(axis=1) <= fixed_solve.FEW_ROWS).tolist():
            rows = np.flatnonzero(~plain[k]).tolist()
            got = fixed_solve._eliminate_rows(
                dict(zip(rows, a[k, rows].tolist(), strict=True)), b[k].tolist(), rows, n,
                exchange=False)
            if got is None:
                declined += 1
                continue
            solved += 1
            assert got[1] == ref_s[k] and np.array(got[0]).tobytes() == ref[k].tobytes(), \
                (trial, k)
    assert exchanged and declined and solved
