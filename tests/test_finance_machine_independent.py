"""The finance numbers the Council vote reads have the same bits on every machine.

The clearing's linear solves were LAPACK's, whose last digits depend on the BLAS kernel
OpenBLAS picks for the CPU, and the vote's discount factors were numpy's ``power``, which
rounds differently on CPUs with AVX-512. Both now use fixed-order IEEE arithmetic
(``scosim.finance.fixed_solve``, ``union_value._discount``). The machine-independence
tests run the same computations in subprocesses under another BLAS kernel
(``OPENBLAS_CORETYPE=Haswell``) and with numpy's AVX-512 kernels off
(``NPY_DISABLE_CPU_FEATURES``), and compare every bit.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from scosim.finance.fixed_solve import solve_fixed
from scosim.finance.union_value import _discount

PROBE = Path(__file__).resolve().parent / "_finance_machine_probe.py"
SRC = Path(__file__).resolve().parents[1] / "src"


def _m_matrices(rng: np.random.Generator, K: int, n: int) -> np.ndarray:
    """``I - beta Pi^T`` with Pi's rows summing to at most 1: the clearing's systems."""
    pi = rng.exponential(1.0, (K, n, n)) * (1.0 - np.eye(n))
    pi *= rng.uniform(0.3, 1.0, (K, n, 1)) / pi.sum(axis=2, keepdims=True)
    return np.eye(n) - 0.9 * np.swapaxes(pi, 1, 2)


def test_solve_fixed_agrees_with_lapack():
    """The same solutions as LAPACK to within rounding, on the clearing's M-matrices and on
    general matrices that need row exchanges."""
    rng = np.random.default_rng(1)
    for a in (_m_matrices(rng, 300, 11), rng.standard_normal((300, 7, 7))):
        b = rng.standard_normal(a.shape[:2])
        x, singular = solve_fixed(a, b)
        assert not singular.any()
        ref = np.linalg.solve(a, b[..., None])[..., 0]
        scale = np.abs(ref).max(axis=1, keepdims=True)
        assert np.abs(x - ref).max() / scale.min() < 1e-9
        # The residual is at rounding level.
        resid = np.einsum("kij,kj->ki", a, x) - b
        assert np.abs(resid).max() < 1e-12 * np.abs(a).max() * np.abs(x).max()


def test_solve_fixed_flags_singular_members_alone():
    """A singular member is flagged and NaN; every other member has the bits it has alone."""
    rng = np.random.default_rng(2)
    a = _m_matrices(rng, 6, 5)
    a[3, :, 2] = 0.0  # a zero column: singular
    b = rng.standard_normal((6, 5))
    x, singular = solve_fixed(a, b)
    assert singular.tolist() == [False, False, False, True, False, False]
    assert np.isnan(x[3]).all()
    for k in (0, 1, 2, 4, 5):
        alone, s = solve_fixed(a[k:k + 1], b[k:k + 1])
        assert not s[0] and np.array_equal(alone[0], x[k])
    with pytest.raises(ValueError, match="solve_fixed needs"):
        solve_fixed(a, b[:, :4])


def test_discount_is_the_exact_factor_to_rounding():
    """``(1 + r) ** -(lag + t)`` to within 4 units in the last place of the exact value."""
    d = _discount(0.07, 1, 10)
    for t, x in enumerate(d):
        exact = Fraction(100, 107) ** (1 + t)
        assert abs(Fraction(x) - exact) <= 4 * np.spacing(float(exact))
    assert _discount(0.2, 0, 1).tolist() == [1.0]


def _variants() -> dict[str, dict[str, str]]:
    """The environments to compare with the native one on this machine."""
    out: dict[str, dict[str, str]] = {}
    if platform.machine().lower() in ("x86_64", "amd64"):
        flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
        if " avx2" in flags and " fma" in flags:
            # OpenBLAS picks its kernels by core type; Haswell's differ from later ones.
            out["OPENBLAS_CORETYPE=Haswell"] = {"OPENBLAS_CORETYPE": "Haswell"}
        try:
            from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
        except ImportError:  # numpy's layout of another version: no numpy variant
            __cpu_dispatch__, __cpu_features__ = [], {}
        wide = [f for f in __cpu_dispatch__
                if __cpu_features__.get(f) and ("AVX512" in f or f == "X86_V4")]
        if wide:
            out["numpy without AVX-512"] = {"NPY_DISABLE_CPU_FEATURES": " ".join(wide)}
    return out


def _probe(env: dict[str, str]) -> dict[str, str]:
    full = {k: v for k, v in os.environ.items()
            if k not in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")}
    full["PYTHONPATH"] = os.pathsep.join([str(SRC), full.get("PYTHONPATH", "")])
    full.update(env)
    out = subprocess.run([sys.executable, str(PROBE)], env=full, capture_output=True,
                         text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_vote_term_has_the_same_bits_under_other_kernels():
    """The clearing's payments and equity, every draw of the union's value with a known
    crisis, and the vote's economic term and choices of the shipped union tabled after the
    crisis: bit for bit the same under another BLAS kernel and without numpy's AVX-512
    kernels. (Before this change the clearing differed under the Haswell kernel and the
    value and the vote's term without AVX-512, on a Zen 4 machine.)"""
    variants = _variants()
    if not variants:
        pytest.skip("no other BLAS or numpy kernel to switch to on this machine")
    native = _probe({})
    for name, env in variants.items():
        assert _probe(env) == native, name
