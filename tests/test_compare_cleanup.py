"""A failed ``scosim compare`` removes the runs it wrote, and only those.

Before: with a policy given as a scenario file, its finished run stayed under the
results root when the baseline failed afterwards (a plug-in that raises only once the
model runs), although the command failed and the same command would run it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scosim.cli import main
from scosim.runner import run

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"


def _compare(policy: Any, baseline: Path, out: Path, *extra: str) -> int:
    return main(["compare", str(policy), str(baseline), "--out", str(out), "--quiet", *extra])


def _runs(out: Path) -> list[Path]:
    return sorted(p.parent for p in out.rglob("manifest.json"))


def test_a_compare_whose_baseline_fails_when_run_leaves_nothing(
    failing_baseline: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    policy, broken = failing_baseline
    out = tmp_path / "results"
    assert _compare(policy, broken, out, "--replications", "2") == 1
    assert not out.exists(), sorted(out.rglob("*"))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "vote rule 'cc_failing_rule:vote' of CHN in 2025 raised ValueError" in err
    assert "the run this compare had finished, " in err and "small_cu" in err


def test_a_failed_report_removes_both_runs_it_made(
    failing_baseline: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import scosim.report

    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    policy, _ = failing_baseline
    monkeypatch.setattr(scosim.report, "write_report", full_disk)
    out = tmp_path / "results"
    out.mkdir()  # the results root existed before: it stays
    assert _compare(policy, FIXTURES / "small_base.yaml", out, "--replications", "2") == 2
    assert list(out.iterdir()) == []
    assert "runs this compare had finished" in capsys.readouterr().err


def test_a_failed_compare_keeps_the_runs_that_were_there_before_it(
    failing_baseline: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    count_batches: Any,
) -> None:
    import scosim.runner as runner

    policy, broken = failing_baseline
    out = tmp_path / "results"
    earlier = run(policy, out=out, replications=2, progress=False, plots=False).path
    assert _compare("small_cu", broken, out) == 1  # a finished run, given by name
    assert _runs(out) == [earlier]
    # The policy file, whose finished run the compare reuses instead of running it.
    assert _compare(policy, broken, out, "--replications", "2") == 1
    assert _runs(out) == [earlier]

    # An interrupted run the compare resumes holds an earlier command's batches: kept too
    # (--rerun: else the compare would reuse the earlier finished run).
    monkeypatch.setattr(runner, "DEFAULT_BATCH_SIZE", 1)  # two batches of one run each
    count_batches(fail_on_call=2)
    with pytest.raises(KeyboardInterrupt):
        run(policy, out=out, replications=2, progress=False, plots=False)
    count_batches()
    assert _compare(policy, broken, out, "--replications", "2", "--rerun") == 1
    resumed = [r for r in _runs(out) if r != earlier]
    assert len(resumed) == 1 and not resumed[0].name.startswith(".")
