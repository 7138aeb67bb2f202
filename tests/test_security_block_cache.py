"""The security blocks built for a sweep's ``pool_rho`` values are kept in a bounded cache.

``scosim.security.settings_system.system_for`` kept every block it built, for the process's
life: a sweep over many distinct values grew memory without limit. It now keeps at most
``CACHE_SIZE``, the least recently used dropped first. Checked on a real sweep of more
distinct values than the bound (set small here), whose values recur across batches: the
cache never holds more than the bound, blocks dropped are built again, and the sweep's
table is bit for bit the one with room for every block.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scosim.api import sweep
from scosim.security import settings_system
from scosim.security.mechanism import _system

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
KEY = "parameters.mechanism_settings.security."
#: Five distinct values (none the default, -1, whose block is the shared one, not cached),
#: crossed with two sigmas: each value comes back in a later batch.
RHOS = [-4.0, -2.0, -1.5, 0.0, 1.0]


def _sweep(out: Path) -> pd.DataFrame:
    """Afghanistan's accession (2026) with the security slot filled, 2025-2027, over the
    grid in batches of 2 (the pool's exponent moves what a new, weak pooler adds)."""
    out.mkdir()
    (out / "sec.yaml").write_text(
        f"extends: {SCEN / 'baseline.yaml'}\nname: sec\nyears: {{start: 2025, end: 2027}}\n"
        "parameters: {mechanisms: {security: security}, rules: {vote: always_yes}}\n"
        "proposals:\n  - {type: accession, id: afg, year: 2026, applicant: AFG, "
        "proposer: UZB}\n")
    settings_system._CACHE.pop(_system(), None)  # start empty, as a fresh process
    target = sweep(str(out / "sec.yaml"),
                   {"parameters.trade.sigma": [4.5, 5.5], KEY + "pool_rho": RHOS},
                   ["incidents:PAK", "security_index:KGZ"], method="grid",
                   batch_size=2, out=out, progress=False)
    return pd.read_parquet(target / "design_outputs.parquet")


def test_the_cache_stays_within_its_bound_and_the_sweep_is_unchanged(tmp_path, monkeypatch):
    full = _sweep(tmp_path / "full")
    assert len(settings_system._CACHE[_system()]) == len(RHOS)
    assert settings_system.CACHE_SIZE >= len(RHOS)

    bound = 2
    monkeypatch.setattr(settings_system, "CACHE_SIZE", bound)
    held: list[int] = []
    build = settings_system.SecuritySystem

    def counted(*args, **kwargs):
        held.append(len(settings_system._CACHE[_system()]))  # before the new one goes in
        return build(*args, **kwargs)

    monkeypatch.setattr(settings_system, "SecuritySystem", counted)
    small = _sweep(tmp_path / "small")
    assert len(settings_system._CACHE[_system()]) <= bound
    assert max(held) <= bound
    # More builds than distinct values: blocks were dropped and built again.
    assert len(held) > len(RHOS)
    pd.testing.assert_frame_equal(small, full, check_exact=True)
    # The setting moves the outputs compared (the check compares something).
    assert full.filter(like="security_index").nunique().iloc[0] > 1
