"""Row and column sums through einsum: exact where promised, batch- and layout-independent."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest

from scosim.mechanisms.axis_sums import col_sums, row_sums


def _stack(shape: tuple[int, ...], seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # magnitudes over many orders, as trade flows are: rounding order shows
    return rng.random(shape) * np.exp(rng.normal(0.0, 6.0, shape))


@pytest.mark.parametrize("shape", [(28, 28), (1, 28, 28), (250, 28, 28), (3, 4, 9, 7), (5, 1, 1)])
def test_col_sums_are_numpy_sums_bit_for_bit(shape: tuple[int, ...]) -> None:
    x = _stack(shape)
    assert np.array_equal(col_sums(x), x.sum(axis=-2))


def test_sums_are_exact_sums_within_pairwise_rounding() -> None:
    x = _stack((40, 28, 28))
    exact_rows = np.array([[math.fsum(r) for r in m] for m in x])
    exact_cols = np.array([[math.fsum(c) for c in m.T] for m in x])
    # n = 28 additions of non-negative terms: well within 28 ulps of the exact sum
    assert np.allclose(row_sums(x), exact_rows, rtol=28 * 2.3e-16, atol=0.0)
    assert np.allclose(col_sums(x), exact_cols, rtol=28 * 2.3e-16, atol=0.0)
    # ...and not the same bits as numpy's pairwise row sums for every row: the module's
    # docstring says they differ, and a change of numpy that made them equal is worth knowing
    assert not np.array_equal(row_sums(x), x.sum(axis=-1))


def test_a_runs_sums_do_not_depend_on_its_batch_or_memory_layout() -> None:
    x = _stack((250, 28, 28))
    rows, cols = row_sums(x), col_sums(x)
    for k in (0, 1, 17, 249):
        assert np.array_equal(row_sums(x[k]), rows[k])
        assert np.array_equal(row_sums(x[k:k + 1])[0], rows[k])
        assert np.array_equal(col_sums(x[k:k + 3])[0], cols[k])
    # the same values in a buffer whose rows start off alignment, and as a transposed view
    shifted = np.empty((250, 28, 29))[:, :, 1:]
    shifted[...] = x
    assert np.array_equal(row_sums(shifted), rows)
    assert np.array_equal(col_sums(shifted), cols)
    xt = np.ascontiguousarray(x.swapaxes(1, 2))
    assert np.array_equal(row_sums(xt.swapaxes(1, 2)), rows)
    assert np.array_equal(col_sums(xt.swapaxes(1, 2)), cols)
    # a broadcast (stride-0) stack sums as its copy does
    b = np.broadcast_to(x[3], (5, 28, 28))
    assert np.array_equal(row_sums(b), np.broadcast_to(rows[3], (5, 28)))


@pytest.mark.slow
def test_row_sums_do_not_depend_on_the_cpu_features_numpy_dispatches() -> None:
    """einsum's loops are compiled for numpy's baseline CPU: turning off its run-time
    dispatch targets (AVX2 and up) leaves the bits as they are.

    The input spans 2^-20 to 2^20 through ``np.ldexp``, which is exact: ``np.exp`` is
    dispatched too, and on a CPU with AVX-512 it rounds some values differently, which
    would make the inputs differ, not the sums.
    """
    code = ("import sys, numpy as np; "
            "from scosim.mechanisms.axis_sums import col_sums, row_sums; "
            "rng = np.random.default_rng(3); x = np.ldexp(rng.random((60, 28, 28)), "
            "rng.integers(-20, 21, (60, 28, 28))); "
            "sys.stdout.buffer.write(row_sums(x).tobytes() + row_sums(x.sum(axis=0)).tobytes()"
            " + col_sums(x).tobytes())")
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_dispatch__

    env = dict(os.environ)
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           check=True).stdout
    env["NPY_DISABLE_CPU_FEATURES"] = " ".join(__cpu_dispatch__)
    limited = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             check=True).stdout
    assert len(plain) == 8 * (2 * 60 * 28 + 28)
    assert plain == limited
