"""Digests of the finance numbers the Council vote reads, printed as JSON.

Run in a subprocess under another BLAS kernel (``OPENBLAS_CORETYPE``) or with numpy's
AVX-512 kernels switched off (``NPY_DISABLE_CPU_FEATURES``) by
tests/test_finance_machine_independent.py: the digests must not change.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = ["CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ", "TJK", "UZB", "BLR"]


def _digest(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype=float).tobytes())
    return h.hexdigest()


def clearing() -> str:
    """Payments and equity of 400 random 11-system networks with many defaulters."""
    from scosim.finance.clearing import clear

    rng = np.random.default_rng(5)
    R, N = 400, 11
    L = rng.exponential(1.0, (R, N, N)) * (1.0 - np.eye(N))
    e = rng.exponential(1.5, (R, N))
    b = rng.exponential(3.0, (R, N))
    out = [clear(e, L, b, seniority=s, alpha=0.9, beta=0.8)
           for s in ("external_senior", "pari_passu")]
    return _digest(*(x for r in out for x in (r.payments, r.equity, r.default)))


def union_value() -> str:
    """Every draw's value of the shipped union, with the 2026 Russian crisis known."""
    from scosim.finance.system import FinanceSystem, Levers
    from scosim.finance.union_value import staged_events
    from scosim.finance.union_value import union_value as value

    fs = FinanceSystem()
    mask = np.array([c in MEMBERS for c in fs.codes])

    def with_(R: int) -> Levers:
        return Levers.union(np.broadcast_to(mask, (R, fs.N)), fs.data.settlement,
                            contribution_bp=10.0, mutualisation=1.0, supervision_effect=0.3,
                            bail_in_share=0.5, trigger_info=0.03)

    events = [SimpleNamespace(type="gdp_shock", year=2026, countries=["RUS"], size=-0.34),
              SimpleNamespace(type="sanctions", year=2026, target="RUS", by="ROW",
                              severity=1.0)]
    v = value(fs, fs.levers, with_, seed=11, draws=40, horizon=3,
              events=staged_events(events, 2026, known_only=True))
    return _digest(v.value_draws, v.value, v.value_se)


def vote() -> str:
    """The vote events of the shipped union tabled in 2027, after the crisis (2 runs)."""
    from scosim.runner import run_model
    from scosim.scenario import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "finance_crisis_union.yaml", overrides={
        "replications": 2, "years.end": 2027, "parameters.rules.vote": "utility_vote",
        "proposals.0.year": 2027})
    ev = run_model(sc).log.to_frame()
    v = ev[ev["type"] == "vote"].sort_values(["run", "country"])
    # The finance term and the choice; the other terms (dominance reads GDP from the
    # trade model, whose LAPACK solves are not the finance mechanism's) are left out.
    return _digest(np.asarray(v["term_econ"], float), np.asarray(v["contrib_econ"], float),
                   np.asarray(v["yes"], float))


if __name__ == "__main__":
    names = sys.argv[1:] or ["clearing", "union_value", "vote"]
    print(json.dumps({n: globals()[n]() for n in names}))
