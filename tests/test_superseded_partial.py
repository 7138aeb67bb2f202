"""An interrupted run that a plug-in edit keeps from resuming is replaced, not left listed.

Before: a run of the same scenario, seed, replications and batch size started afresh
(the plug-in's hash no longer matched), and the old ``.partial-*`` directory stayed for
good, listed by ``scosim list`` as ``interrupted`` although no command resumed it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scosim.experiments import versions
from scosim.results import PARTIAL_PREFIX, _lock
from scosim.run_catalogue import catalogue
from scosim.runner import run

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"
MODULE = "sp_rule"
RULE = ("from scosim.rules.builtin import utility_vote\n\n\n"
        "def vote(*args, **kwargs):\n    return utility_vote(*args, **kwargs){tail}\n")


@pytest.fixture
def plugin_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """small_base.yaml voting by ``sp_rule:vote``, a rule module in ``tmp_path``."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(versions, "_LOADED", {})
    (tmp_path / f"{MODULE}.py").write_text(RULE.format(tail=""))
    scen = tmp_path / "small_base.yaml"
    text = (FIXTURES / "small_base.yaml").read_text()
    assert text.count("\nparameters:\n") == 1  # the rule joins the fixture's own mapping
    scen.write_text(text.replace("\nparameters:\n",
                                 f"\nparameters:\n  rules: {{vote: '{MODULE}:vote'}}\n"))
    yield scen
    sys.modules.pop(MODULE, None)


def _edit_plugin(where: Path, tail: str) -> None:
    """Change the plug-in's code, as a new process would then load it."""
    (where / f"{MODULE}.py").write_text(RULE.format(tail=tail))
    sys.modules.pop(MODULE, None)
    versions._LOADED.clear()
    importlib.invalidate_caches()


def _partials(out: Path) -> list[Path]:
    return sorted((out / "small_base").glob(f"{PARTIAL_PREFIX}*"))


def _interrupted(scen: Path, out: Path, count_batches: Any, progress: bool = False) -> None:
    count_batches(fail_on_call=2)  # Ctrl-C during batch 1: batch 0 is kept
    with pytest.raises(KeyboardInterrupt):
        run(scen, out=out, progress=progress, plots=False, batch_size=2)


def test_a_run_started_afresh_after_a_plugin_edit_replaces_the_interrupted_one(
    plugin_scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    count_batches: Any,
) -> None:
    out = tmp_path / "results"
    _interrupted(plugin_scenario, out, count_batches)
    (old,) = _partials(out)
    _edit_plugin(tmp_path, "  # edited")

    # The fresh run is interrupted too: the old run is kept until one replaces it.
    _interrupted(plugin_scenario, out, count_batches, progress=True)
    err = capsys.readouterr().err
    assert f"the interrupted run {old} was made with other plug-ins" in err
    assert "so it is not resumed; it is removed once this run is complete" in err
    assert old in _partials(out) and len(_partials(out)) == 2

    calls = count_batches()
    res = run(plugin_scenario, out=out, progress=False, plots=False, batch_size=2)
    assert res.manifest["resumed"] is True and calls == [1, 2]  # the fresh run, resumed
    assert _partials(out) == []  # the old one is gone with it
    assert list(catalogue(out)["status"]) == ["complete"]


def test_a_superseded_run_held_by_a_live_process_or_kept_by_no_resume_stays(
    plugin_scenario: Path, tmp_path: Path, count_batches: Any,
) -> None:
    out = tmp_path / "results"
    _interrupted(plugin_scenario, out, count_batches)
    (old,) = _partials(out)
    _edit_plugin(tmp_path, "  # edited")
    count_batches()
    # --no-resume leaves every interrupted run as it is
    run(plugin_scenario, out=out, progress=False, plots=False, batch_size=2, resume=False)
    assert _partials(out) == [old]
    held = _lock(old)  # a process with the old code is writing it
    assert held is not None
    try:
        run(plugin_scenario, out=out, progress=False, plots=False, batch_size=2)
    finally:
        held.close()
    assert _partials(out) == [old]
