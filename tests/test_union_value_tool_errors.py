"""tools/union_value.py on a scenario without a banking union: one line, exit 2.

Until 2026-12-07 it ended in a StopIteration traceback (``next`` over the scenario's
proposals in ``priced`` and for ``--year``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import scosim

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("extra", [[], ["--year", "2026"]])
def test_a_scenario_without_a_banking_union_is_one_line_exit_2(extra: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(scosim.__file__).parents[1])}
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "union_value.py"),
                        "scenarios/customs_union.yaml", *extra],
                       capture_output=True, text=True, cwd=ROOT, env=env)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip() == (
        "scenarios/customs_union.yaml: no proposal of type banking_union; this tool prices "
        "a banking union (e.g. scenarios/finance_crisis_union.yaml)")


def test_priced_names_the_scenario_when_it_has_no_union() -> None:
    from _tools import load_tool
    from scosim.scenario import load_scenario

    tool = load_tool("union_value")
    with pytest.raises(tool.NoUnion, match="no proposal of type banking_union"):
        tool.priced(load_scenario(ROOT / "scenarios" / "customs_union.yaml"))
