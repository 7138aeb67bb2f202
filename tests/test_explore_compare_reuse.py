"""The explorer's comparison reuses identical finished runs, as ``scosim compare`` does.

Found by a review: :func:`scosim.explore.session.compare_view` ran both sides on every
press of Compare and passed the run directories to ``compare_runs``, so it never reused
a finished run of the same resolved scenario, seed, replications and versions (the same
numbers), unlike the CLI. Both now find it with :func:`scosim.api.finished_run`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scosim.cli import main
from scosim.explore.session import View, compare_view


def _runs(out: Path) -> list[Path]:
    return sorted(p.parent for p in out.rglob("manifest.json") if p.parent.parent.name != "compare")


def _no_run(*args, **kwargs):
    raise AssertionError("the model was run again")


def test_the_page_reuses_its_runs_and_the_clis(tmp_path: Path, model_fixture,
                                               monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    out = tmp_path / "results"
    # An edit on the page: the policy run records it as an override.
    policy = View(str(model_fixture("small_cu.yaml")), {"parameters.trade.sigma": 4.0},
                  replications=2, out=str(out))
    baseline = View(str(model_fixture("small_base.yaml")), out=str(out))
    first, _, pol, base = compare_view(policy, baseline)
    runs = _runs(out)
    assert len(runs) == 2
    told: list[tuple[str, Path]] = []
    with monkeypatch.context() as m:
        m.setattr("scosim.runner.run", _no_run)
        again, report, pol2, base2 = compare_view(policy, baseline,
                                                  on_reuse=lambda w, p: told.append((w, p)))
    assert _runs(out) == runs
    assert told == [("policy", Path(pol.path)), ("baseline", Path(base.path))]
    assert (Path(pol2.path), Path(base2.path)) == (Path(pol.path), Path(base.path))
    pd.testing.assert_frame_equal(first.summary, again.summary)
    assert report.is_dir()
    # Another edit is another scenario: the policy is run, the baseline still reused.
    told.clear()
    compare_view(View(policy.scenario, {"parameters.trade.sigma": 4.5}, replications=2,
                      out=str(out)), baseline, on_reuse=lambda w, p: told.append((w, p)))
    assert told == [("baseline", Path(base.path))]
    assert len(_runs(out)) == 3
    # The same runs for `scosim compare`: the page's baseline (seed 7, 2 replications).
    capsys.readouterr()
    assert main(["compare", str(model_fixture("small_cu.yaml")),
                 str(model_fixture("small_base.yaml")), "--replications", "2", "--out",
                 str(out), "--quiet", "--plot-workers", "1",
                 "--indicator", "welfare_change_pct"]) == 0
    err = capsys.readouterr().err
    assert f"small_base.yaml: reusing the finished run {base.path} " in err
    assert "small_cu.yaml: reusing" not in err  # the page's policy had an edit
