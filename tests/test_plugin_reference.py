"""A type or mechanism registered by the user's module is found again in a worker process.

A worker reads the run's resolved scenario and has not imported the module that called
``register_type`` or ``@register_mechanism``: written by its bare name, the batch failed
with "unknown mechanism" under the process and Dask executors (found by a review).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
MODULE = '''from plugin_pkgs.toy_security import ToyInsecurity
from scosim.model.slots import register_mechanism


@register_mechanism
class RegToy(ToyInsecurity):
    name = "reg_toy_insecurity"
'''


def test_a_mechanism_registered_by_a_module_is_written_by_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scosim.model.slots import mechanism_origin, mechanism_reference
    from scosim.scenario import validate_data

    (tmp_path / "regtoy_mod.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(TESTS))
    import regtoy_mod  # noqa: F401  - registers reg_toy_insecurity, as a user's script would

    # its origin is the user's module, not "builtin" (the version check hashes it)
    assert mechanism_origin("reg_toy_insecurity") == "module regtoy_mod"
    assert mechanism_reference("reg_toy_insecurity") == "regtoy_mod:RegToy"
    sc = validate_data({"name": "regtoy", "years": {"start": 2025, "end": 2026},
                        "replications": 2,
                        "parameters": {"mechanisms": {"security": "reg_toy_insecurity"}}})
    text = sc.resolved_yaml()
    assert "security: regtoy_mod:RegToy" in text
    # a fresh process that never imported the module (a worker) loads the resolved text
    (tmp_path / "resolved.yaml").write_text(text)
    code = ("from scosim.scenario import load_scenario; from scosim.runner import run_model;"
            f"m = run_model(load_scenario({str(tmp_path / 'resolved.yaml')!r}));"
            "print(sorted(m.records)[:1])")
    env_path = f"{tmp_path}:{TESTS}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"}, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
