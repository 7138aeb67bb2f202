"""``scosim compare customs_union baseline`` where no such finished run is: one line that helps.

Outside a checkout (an outside review, 2026-12-07) the bare names failed with "no finished
run 'customs_union' under results/ (give a run directory, a run id or a scenario name...)":
not that results/ did not exist, not that the baseline was missing too, and without the
``did you mean scosim:customs_union?`` every other way of naming a missing scenario gives
(``scosim run customs_union.yaml``, ``scosim compare customs_union.yaml ...``). A bare name
is a finished run's scenario name or run id; the error now says so, names both sides and
the results root, lists what is allowed and the shipped scenarios meant.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scosim.cli import main
from scosim.scenario import shipped
from test_compare import synthetic_pair, write_run  # tests/ is on sys.path

SRC = Path(__file__).resolve().parents[1] / "src"
ALLOWED = ("a bare name is the scenario name or run id of a finished run there; give a run "
           "directory, a run id, a scenario YAML file, or scosim:<name> for a shipped "
           "scenario (run first)")


def test_bare_names_outside_a_checkout_say_what_was_looked_for(tmp_path: Path) -> None:
    """As a user types it, in a folder with no results/ and no scenarios/."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-m", "scosim", "compare", "customs_union",
                           "baseline", "--quiet"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    err = done.stderr.strip()
    assert "\n" not in err and "Traceback" not in err and done.stdout == ""
    assert err == ("scosim: error: no finished run 'customs_union' (the policy) or 'baseline' "
                   f"(the baseline) under results/ ({tmp_path.resolve() / 'results'} does not "
                   f"exist): {ALLOWED}; did you mean scosim:customs_union and scosim:baseline?")
    # The names offered are real shipped scenarios, and nothing was left behind.
    assert shipped.shipped_path("scosim:customs_union").is_file()
    assert shipped.shipped_path("scosim:baseline").is_file()
    assert list(tmp_path.iterdir()) == []


def test_one_side_missing_under_a_results_root_that_exists(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = synthetic_pair(3, seed=1)
    run = write_run(tmp_path / "elsewhere" / "base", base, scenario="base")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    assert main(["compare", "customs_union", str(run), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("scosim: error: no finished run 'customs_union' under results/ (the policy; "
                   f"`scosim list --out results` shows what is there): {ALLOWED}; did you "
                   "mean scosim:customs_union?")
    assert list((tmp_path / "results").iterdir()) == []


def test_a_name_no_shipped_scenario_has_gets_no_guess(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["compare", "scosim:customs_union", "nope", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("scosim: error: no finished run 'nope' under results/ (the baseline; ")
    assert err.endswith(f"{ALLOWED}") and "did you mean" not in err
    assert not (tmp_path / "results").exists()  # the policy was not run


def test_in_a_folder_with_the_scenario_file_that_file_is_offered_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "customs_union.yaml").write_text("name: customs_union\n")
    assert main(["compare", "customs_union", "scosim:baseline", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("; did you mean scosim:customs_union (or "
                        f"{Path('scenarios', 'customs_union.yaml')})?")
