"""The numerically tightest tests pass with numpy's other CPU kernels too.

On CPUs with AVX-512, numpy computes exp, log, log1p, expm1 and pow of float64 arrays
with kernels of its own, elsewhere with the C library's functions; the two round a few
per cent of values differently in the last bit. A test that only passes with one of
them fails on a contributor's machine of the other kind (a root-finder asked for 1e-14
did, until its tolerance was set within reach of both). Where this process uses the
AVX-512 kernels, the tests below run again in a process that does not
(``NPY_DISABLE_CPU_FEATURES``, read by numpy when it is imported); where it does not,
the suite itself already runs them that way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Tests that solve to tolerances near double precision (GE solves, a peer package's
#: system, market clearing to 1e-12).
TIGHT = ("tests/test_trade_gegravity.py", "tests/test_trade_ge.py")

#: numpy's names of its AVX-512 dispatch groups (numpy >= 2.4, then before).
AVX512_GROUPS = {
    "X86_V4": "X86_V4 AVX512_ICL AVX512_SPR",
    "AVX512_SKX": ("AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL "
                   "AVX512_ICL AVX512_SPR"),
}


def _features() -> dict[str, bool]:
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__
    return dict(__cpu_features__)


def _active_avx512_group() -> str | None:
    """The AVX-512 dispatch group numpy uses in this process, if any."""
    features = _features()
    group = "X86_V4" if "X86_V4" in features else "AVX512_SKX"
    return group if features.get(group) else None


def _exp_bits(env: dict[str, str]) -> bytes:
    code = ("import numpy as np, sys; x = np.arange(-4000, 4001) / 200.0; "
            "sys.stdout.buffer.write(np.exp(x).tobytes())")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          check=True).stdout


@pytest.mark.slow
def test_tight_tests_pass_without_numpy_avx512_kernels() -> None:
    group = _active_avx512_group()
    if group is None:
        pytest.skip("numpy uses no AVX-512 kernels here: the suite already runs without them")
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": AVX512_GROUPS[group]}
    # The variable must change what numpy computes, or this test would test nothing.
    x = np.arange(-4000, 4001) / 200.0
    assert _exp_bits(env) != np.exp(x).tobytes()
    assert _exp_bits(dict(os.environ)) == np.exp(x).tobytes()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TIGHT],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
