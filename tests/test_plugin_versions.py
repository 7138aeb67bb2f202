"""A scenario's own plug-ins are the same code on every worker, or the batch is refused.

scosim's package and data versions were checked on every worker, but a plug-in the
scenario names (a rule by dotted path, an entry point of another distribution) was
not: a worker with another copy of it ran its batches with other numbers, unseen.
Workers here are Dask worker processes whose ``sys.path`` finds *their own* copy of
the plug-in module, as on another machine.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from scosim.experiments.executors import BatchError, ExecutorError
from scosim.experiments.versions import plugin_versions
from scosim.runner import run
from scosim.scenario import load_scenario

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"

distributed = pytest.importorskip("distributed")

RULE = ("from scosim.rules.builtin import utility_vote\n\n\n"
        "def vote(*args, **kwargs):\n    {body}\n")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cl, Client(cl) as client:
        yield cl, client


def _plugin_scenario(client_dir: Path, module: str) -> Path:
    """small_cu.yaml voting by ``<module>:vote``, a rule module next to the client."""
    for name in ("small_cu.yaml", "small_base.yaml"):
        shutil.copy(FIXTURES / name, client_dir / name)
    scen = client_dir / "small_cu.yaml"
    with scen.open("a") as f:
        f.write(f"parameters:\n  rules: {{vote: '{module}:vote'}}\n")
    return scen


def _copy_for(where: Path, module: str, body: str) -> Path:
    where.mkdir(exist_ok=True)
    path = where / f"{module}.py"
    path.write_text(RULE.format(body=body))
    return path


def _on_workers(client: Any, where: Path) -> None:
    # A lambda travels by value and runs on the worker's own sys.path (sys.path.insert
    # would be pickled with a copy of this process's list).
    client.run(lambda p: sys.path.insert(0, p), str(where))


def test_a_builtin_scenario_names_no_plugins() -> None:
    assert plugin_versions(load_scenario(FIXTURES / "small_cu.yaml")) == ""


def test_the_same_plugin_everywhere_runs_and_is_recorded(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cl, client = cluster
    module = "pv_same_rule"
    body = "return utility_vote(*args, **kwargs)"
    mine = _copy_for(tmp_path / "client", module, body)
    _copy_for(tmp_path / "worker", module, body)
    monkeypatch.syspath_prepend(str(tmp_path / "client"))
    _on_workers(client, tmp_path / "worker")
    scen = _plugin_scenario(tmp_path / "client", module)
    local = run(scen, out=tmp_path / "local", replications=4, progress=False, plots=False)
    remote = run(scen, out=tmp_path / "remote", replications=4, executor="dask",
                 scheduler=cl.scheduler_address, batch_size=2, progress=False, plots=False)
    pd.testing.assert_frame_equal(remote.indicators, local.indicators, check_exact=True)
    digest = hashlib.sha256(mine.read_bytes()).hexdigest()[:12]
    recorded = json.loads((remote.path / "manifest.json").read_text())["plugin_versions"]
    assert recorded == (f"rule vote:{module}:vote: path {module}:vote, "
                        f"{module} sha256 {digest}")


def test_a_worker_with_another_copy_of_a_plugin_is_refused(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the worker's copy (here: one that votes no) ran the batches, unseen."""
    cl, client = cluster
    module = "pv_other_rule"
    mine = _copy_for(tmp_path / "client", module, "return utility_vote(*args, **kwargs)")
    theirs = _copy_for(tmp_path / "worker", module, "return utility_vote(*args, **kwargs) * 0")
    monkeypatch.syspath_prepend(str(tmp_path / "client"))
    _on_workers(client, tmp_path / "worker")
    scen = _plugin_scenario(tmp_path / "client", module)
    with pytest.raises((BatchError, ExecutorError)) as info:
        run(scen, out=tmp_path / "remote", replications=4, executor="dask",
            scheduler=cl.scheduler_address, batch_size=2, progress=False, plots=False)
    msg = str(info.value)
    h_mine, h_theirs = (hashlib.sha256(p.read_bytes()).hexdigest()[:12] for p in (mine, theirs))
    assert "refuses the batch: the scenario's plug-ins are" in msg, msg
    assert f"{module} sha256 {h_theirs}" in msg and f"{module} sha256 {h_mine}" in msg
    assert "install the same plug-in versions" in msg
    assert not list((tmp_path / "remote").rglob("batch-*.parquet"))


def test_a_sweep_on_a_worker_with_another_copy_of_a_plugin_is_refused(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scosim.experiments.sweep import Outcome, ScenarioModelFn, evaluate, grid

    cl, client = cluster
    module = "pv_sweep_rule"
    _copy_for(tmp_path / "client", module, "return utility_vote(*args, **kwargs)")
    _copy_for(tmp_path / "worker", module, "return utility_vote(*args, **kwargs)  # edited")
    monkeypatch.syspath_prepend(str(tmp_path / "client"))
    _on_workers(client, tmp_path / "worker")
    fn = ScenarioModelFn(str(_plugin_scenario(tmp_path / "client", module)),
                         {"w": Outcome("welfare_change_pct", how="sum")},
                         common_random_numbers=True)
    design = grid({"parameters.trade.sigma": [3.0, 5.0]})
    assert len(evaluate(fn, design, progress=False)) == 2  # here, the client's copy runs
    with pytest.raises((BatchError, ExecutorError), match="the scenario's plug-ins are"):
        evaluate(fn, design, executor="dask", scheduler=cl.scheduler_address, progress=False)
