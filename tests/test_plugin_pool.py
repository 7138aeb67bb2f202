"""An installed plug-in that fails to import harms only the runs that use it.

Before, the fork server's preload asked every installed mechanism for its origin, which
loaded every entry point: one package whose mechanism's module failed to import (a
missing optional dependency) killed the worker pool of every ``--executor process`` and
``dask`` run, the baseline's included (``EOFError: unexpected EOF`` after ~120 lines of
traceback). Each test runs ``python -m scosim`` in a fresh interpreter, whose fork
server is its own and sees the broken distribution installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import scosim

TESTS = Path(__file__).resolve().parent
SRC = Path(scosim.__file__).resolve().parents[1]
BASE = TESTS / "fixtures" / "model" / "small_base.yaml"
MESSAGE = ("parameters.mechanisms.finance: mechanism 'remit_needs_dep' from entry point "
           "'needs_dep_mod:Remittances' failed to load: ModuleNotFoundError: No module named "
           "'does_not_exist_pkg'")


@pytest.fixture
def broken_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a process with a broken ``scosim.mechanisms`` plug-in installed."""
    site = tmp_path / "site"
    dist = site / "brokendist-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: brokendist\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[scosim.mechanisms]\nremit_needs_dep = needs_dep_mod:Remittances\n")
    (site / "needs_dep_mod.py").write_text("import does_not_exist_pkg  # noqa\n")
    path = os.pathsep.join([str(SRC), str(site), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    env.pop("SCOSIM_START_METHOD", None)  # the fork server, where the platform has one
    return env


def _run(env: dict[str, str], scenario: Path, out: Path, *extra: str
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scosim", "run", str(scenario), "--replications", "2",
         "--batch-size", "1", "--out", str(out), "--no-plots", "--quiet", *extra],
        capture_output=True, text=True, env=env, cwd=out.parent, timeout=120)


@pytest.mark.parametrize("executor", ["process", "dask"])
def test_a_run_not_using_a_broken_plugin_runs_in_worker_processes(broken_env, tmp_path,
                                                                  executor):
    done = _run(broken_env, BASE, tmp_path / "out", "--executor", executor, "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert list((tmp_path / "out" / "small_base").glob("*/manifest.json"))


@pytest.mark.parametrize("executor", [[], ["--executor", "process", "--workers", "2"]],
                         ids=["local", "process"])
def test_a_run_using_it_fails_with_one_line_naming_it(broken_env, tmp_path, executor):
    uses = tmp_path / "uses.yaml"
    uses.write_text(f"extends: {BASE}\nname: uses\n"
                    "parameters: {mechanisms: {finance: remit_needs_dep}}\n")
    done = _run(broken_env, uses, tmp_path / "out", *executor)
    assert done.returncode == 2
    assert done.stderr == f"scosim: error: {uses}:3: {MESSAGE}\n"
