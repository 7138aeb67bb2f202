"""A stopped sweep keeps its finished batches, and the same command resumes from them.

Before: any failure or interrupt of ``scosim sweep`` threw every finished point away
(a Sobol sweep of hours on a cluster started again from nothing).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from scosim.api import sweep
from scosim.experiments import sweep as sw
from scosim.experiments.executors import BatchError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"
PARAMS = {"parameters.trade.sigma": (3.0, 8.0)}
OUTPUTS = ["welfare_change_pct:PAK", "gdp_usd:KAZ"]


@pytest.fixture
def scen(tmp_path: Path) -> str:
    """small_cu.yaml with committed votes and members, so the union forms and lasts and sigma
    moves welfare."""
    for name in ("small_cu.yaml", "small_base.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    path = tmp_path / "adopted.yaml"
    # Members stay too: since the suspension's recalibration (2026-12-06) the union
    # dissolved within the fixture's years at some points and their welfare was 0.
    path.write_text("extends: small_cu.yaml\nname: adopted\n"
                    "parameters: {rules: {vote: always_yes, defect: never_defect}}\n")
    return str(path)


def _counting(monkeypatch: pytest.MonkeyPatch, fail_at: int | None = None) -> list[int]:
    """Record the first point of every batch run here; raise at the ``fail_at``-th."""
    calls: list[int] = []
    real = sw.ScenarioModelFn.__call__

    def counted(self: Any, params: Any, runs: Any) -> Any:
        calls.append(int(runs[0]))
        if fail_at is not None and len(calls) == fail_at:
            raise RuntimeError("the worker's machine went away")
        return real(self, params, runs)

    monkeypatch.setattr(sw.ScenarioModelFn, "__call__", counted)
    return calls


def _sweep(scen: str, out: Path, **kw: Any) -> Path:
    return sweep(scen, PARAMS, OUTPUTS, method=kw.pop("method", "sobol"), n=kw.pop("n", 8),
                 batch_size=4, out=out, progress=False, **kw)


def _partials(out: Path) -> list[Path]:
    return sorted((out / "adopted" / "sweeps").glob(".*.partial"))


def test_a_stopped_sweep_resumes_and_equals_one_never_stopped(
    scen: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _sweep(scen, tmp_path / "whole")  # 8 * (1 + 2) = 24 points: 6 batches of 4
    calls = _counting(monkeypatch, fail_at=3)
    with pytest.raises(BatchError) as info:
        _sweep(scen, tmp_path / "out")
    [partial] = _partials(tmp_path / "out")
    assert info.value.__notes__ == [
        f"2 of 6 batches had finished and are kept in {partial}; the same command resumes "
        "from them"]
    assert sorted(p.name for p in (partial / "batches").iterdir()) == [
        "batch-00000.parquet", "batch-00001.parquet"]
    calls.clear()
    monkeypatch.undo()
    calls = _counting(monkeypatch)
    done = _sweep(scen, tmp_path / "out")
    assert sorted(calls) == [8, 12, 16, 20]  # only the four batches not finished before
    assert not _partials(tmp_path / "out")
    assert sorted(p.name for p in done.iterdir()) == sorted(p.name for p in whole.iterdir())
    for table in ("design_outputs.parquet",):
        pd.testing.assert_frame_equal(pd.read_parquet(done / table),
                                      pd.read_parquet(whole / table), check_exact=True)
    assert (done / "indices.csv").read_text() == (whole / "indices.csv").read_text()
    first, last = (json.loads((d / "manifest.json").read_text()) for d in (done, whole))
    assert "resumed" in first and "resumed" not in last
    assert first["started"] <= first["resumed"] <= first["finished"]
    assert pd.read_parquet(done / "design_outputs.parquet")["welfare_change_pct:PAK"].abs().min(
    ) > 1e-5  # the points really moved the output (a point near a sign change gives 8e-4)


def test_a_sweep_stopped_before_any_batch_leaves_nothing(
    scen: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _counting(monkeypatch, fail_at=1)
    with pytest.raises(BatchError) as info:
        _sweep(scen, tmp_path / "out")
    assert info.value.__notes__ == ["no batch had finished, so nothing was kept"]
    assert not (tmp_path / "out").exists()


def test_a_resumed_sweep_may_run_on_another_executor(
    scen: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _sweep(scen, tmp_path / "whole", method="lhs", n=10)
    _counting(monkeypatch, fail_at=2)
    with pytest.raises(BatchError):
        _sweep(scen, tmp_path / "out", method="lhs", n=10)
    monkeypatch.undo()
    done = _sweep(scen, tmp_path / "out", method="lhs", n=10, executor="process", workers=2)
    pd.testing.assert_frame_equal(pd.read_parquet(done / "design_outputs.parquet"),
                                  pd.read_parquet(whole / "design_outputs.parquet"),
                                  check_exact=True)


def test_a_stopped_grid_sweep_resumes_under_its_name_without_a_seed(
    scen: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grid's directory no longer names the design seed it never used; it is found by
    its key, so a stopped grid is taken up again all the same, whatever --seed the
    second command gives (a grid draws nothing: its key leaves the seed out)."""
    _counting(monkeypatch, fail_at=2)
    with pytest.raises(BatchError):
        _sweep(scen, tmp_path / "out", method="grid", n=6)  # 6 points: 2 batches of 4
    [stopped] = _partials(tmp_path / "out")
    monkeypatch.undo()
    calls = _counting(monkeypatch)
    done = _sweep(scen, tmp_path / "out", method="grid", n=6, seed=7)
    assert calls == [4] and done.name.endswith("-grid-6")
    assert f".{done.name}.partial" == stopped.name
    assert len(pd.read_parquet(done / "design_outputs.parquet")) == 6


@pytest.mark.parametrize("change", ["seed", "no-resume", "locked"])
def test_only_the_same_sweep_nobody_is_writing_is_resumed(
    scen: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    from scosim.results import _lock

    _counting(monkeypatch, fail_at=2)
    with pytest.raises(BatchError):
        _sweep(scen, tmp_path / "out")
    [stopped] = _partials(tmp_path / "out")
    monkeypatch.undo()
    calls = _counting(monkeypatch)
    held = _lock(stopped) if change == "locked" else None
    try:
        kw = {"seed": 1} if change == "seed" else {"resume": False} if change == "no-resume" else {}
        _sweep(scen, tmp_path / "out", **kw)
    finally:
        if held is not None:
            held.close()
    assert len(calls) == 6  # every batch ran again: nothing was taken from the stopped one
    assert _partials(tmp_path / "out") == [stopped]  # which is left as it was
    assert len(list((stopped / "batches").iterdir())) == 1


def test_a_failed_analysis_keeps_nothing_to_resume(
    scen: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every point ran and Sobol refused the outputs: the same command would fail again.

    The note said "no batch had finished, so nothing was kept" after all 24 points had
    run: it says now that they ran, that the analysis failed and what to change.
    """
    from scosim.experiments import sensitivity

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("output welfare_change_pct:PAK is not finite at 3 points")

    monkeypatch.setattr(sensitivity, "_checked_y", refuse)
    with pytest.raises(ValueError) as info:
        _sweep(scen, tmp_path / "out", replications=2)
    [note] = info.value.__notes__
    assert note.startswith("all 24 points ran (48 model runs), then the Sobol analysis of "
                           "their outputs (or writing its files) failed"), note
    assert "nothing was kept, since the same command would fail the same way" in note
    assert "an --output defined at every point, or --method lhs or grid" in note
    assert "no batch had finished" not in note
    assert not (tmp_path / "out").exists()


def test_a_stop_after_the_last_point_keeps_the_batches(
    scen: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C once every point ran is not the analysis failing: the batches are kept."""
    from scosim.experiments import sensitivity

    def stop(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(sensitivity, "_checked_y", stop)
    with pytest.raises(KeyboardInterrupt) as info:
        _sweep(scen, tmp_path / "out")
    [partial] = _partials(tmp_path / "out")
    assert info.value.__notes__ == [
        f"all 6 batches had finished and are kept in {partial}; the same command finishes "
        "the sweep without running them again"]


@pytest.mark.parametrize("size", ["0", "-3"])
def test_a_batch_size_below_one_is_refused_before_anything_runs(
    scen: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], size: str
) -> None:
    from scosim.cli import main

    out = tmp_path / "out"
    code = main(["sweep", scen, "--param", "parameters.trade.sigma=3:5", "--output",
                 "gdp_usd:KAZ", "--batch-size", size, "--out", str(out), "--quiet"])
    assert code == 2
    assert capsys.readouterr().err == (
        f"scosim: error: --batch-size must be a whole number >= 1, got {size}\n")
    assert not out.exists()
