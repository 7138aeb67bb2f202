"""docs/finance.md section 10's 7 % run keeps out of the results ``compare`` reads.

Before (outside review, 2026-12-06): the documented command set
``MIN_OWN_LOSS_ABSORPTION = 0.07`` for the process and ran ``finance_crisis_union.yaml``
into ``results/``. The threshold is a module constant, not part of the scenario, so the
run had the default's identity, and the README's later ``scosim compare
scenarios/finance_crisis_union.yaml ...`` reused it without a word. The command now sends
the run to its own results root.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "'scenarios/finance_crisis_union.yaml'"


def _documented_command() -> str:
    doc = (ROOT / "docs" / "finance.md").read_text()
    hits = re.findall(r'^python -c "(.*MIN_OWN_LOSS_ABSORPTION = 0\.07.*)"$', doc, re.M)
    assert len(hits) == 1, hits
    return hits[0]


def test_the_7_percent_run_does_not_land_where_compare_looks(tmp_path: Path) -> None:
    code = _documented_command()
    assert SCENARIO in code
    # The same command, cut to one run of one year (the where, not the numbers, is tested).
    small = code.replace(SCENARIO, repr(str(ROOT / "scenarios" / "finance_crisis_union.yaml"))
                         + ", '--replications', '1', '--set', 'years.end=2026', '--no-plots',"
                         " '--quiet'")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", small], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    manifests = list(tmp_path.rglob("manifest.json"))
    assert len(manifests) == 1, manifests  # it ran ...
    # ... and not under results/, the root `scosim compare` (and `run`) use by default.
    assert not (tmp_path / "results").exists()
