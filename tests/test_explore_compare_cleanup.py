"""The explorer's compare removes the runs it made when it fails, as ``scosim compare`` does.

Before: :func:`scosim.explore.session.compare_view` ran the policy, and when the
baseline then failed at run time, the policy's finished run stayed under the results
root although the compare failed (``scosim compare`` removed it since 45ae1d8).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scosim.explore.session import View, compare_view, run_view


def _views(policy: Path, baseline: Path, out: Path) -> tuple[View, View]:
    return (View(str(policy), replications=2, out=str(out)),
            View(str(baseline), out=str(out)))


def _runs(out: Path) -> list[Path]:
    return sorted(p.parent for p in out.rglob("manifest.json"))


def test_a_compare_view_whose_baseline_fails_leaves_nothing(
    failing_baseline: tuple[Path, Path], tmp_path: Path,
) -> None:
    out = tmp_path / "results"
    with pytest.raises(Exception, match="no vote today") as info:
        compare_view(*_views(*failing_baseline, out))
    assert not out.exists(), sorted(out.rglob("*"))  # the policy's run and its folders
    assert any("the run this compare had finished, " in n and "small_cu" in n
               for n in getattr(info.value, "__notes__", []))


def test_a_compare_view_keeps_a_policy_run_it_resumed(
    failing_baseline: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    count_batches: Any,
) -> None:
    import scosim.runner as runner

    out = tmp_path / "results"
    policy, baseline = _views(*failing_baseline, out)
    # An interrupted run of the page's policy (two batches of one run), resumed by the
    # compare: it holds an earlier command's batch, so it is not the compare's to remove.
    monkeypatch.setattr(runner, "DEFAULT_BATCH_SIZE", 1)
    count_batches(fail_on_call=2)
    with pytest.raises(KeyboardInterrupt):
        run_view(policy)
    count_batches()
    with pytest.raises(Exception, match="no vote today"):
        compare_view(policy, baseline)
    [resumed] = _runs(out)
    assert not resumed.name.startswith(".") and resumed.parent.name == "small_cu"
