"""A run's warnings travel with it: kept in its manifest, shown wherever the run is read.

Until 2026-12-06 a run's warnings ("parameters.network.instability.AFG 0.8 is above
0.332 ...: a stress test") were printed once, by the command that made the run: the
explorer opening the run from the results folder, ``scosim compare`` of finished runs and
the comparison's report said nothing of them.
"""

from __future__ import annotations

import html
import json
import shutil
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: small_cu.yaml with the network slot and Afghan instability above its ceiling (0.332).
UNSTABLE = """extends: small_cu.yaml
name: small_unstable
parameters:
  mechanisms: {network: corridor_network}
  network:
    instability: {AFG: 0.8}
"""


@pytest.fixture()
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """small_base, small_cu and small_unstable in tmp_path/scenarios, the working directory."""
    (tmp_path / "scenarios").mkdir()
    for name in ("small_base.yaml", "small_cu.yaml"):
        shutil.copy(REPO / "tests" / "fixtures" / "model" / name, tmp_path / "scenarios")
    (tmp_path / "scenarios" / "small_unstable.yaml").write_text(UNSTABLE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _ceiling_note() -> str:
    """The ceiling's warning, as the check that finds it words it (not the run)."""
    from scosim.network.params import instability_notes
    from scosim.scenario import load_scenario

    (note,) = instability_notes(load_scenario("scenarios/small_unstable.yaml"))
    assert "is above 0.332" in note and "a stress test" in note
    return note


@pytest.fixture()
def scosim_run_pair(scenarios: Path) -> tuple[Path, Path, str]:
    """Two runs of small_unstable (2 replications), the second with warnings ignored."""
    from scosim.api import run

    note = _ceiling_note()
    with pytest.warns(UserWarning, match="is above 0.332"):
        first = run("scenarios/small_unstable.yaml", replications=2, out="results",
                    progress=False).path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        second = run("scenarios/small_unstable.yaml", replications=2, seed=3,
                     out="results", progress=False).path
    return Path(first), Path(second), note


def test_a_run_keeps_its_warning_whatever_the_filters_and_the_explorer_opens_it(
        scosim_run_pair: tuple[Path, Path, str]) -> None:
    from scosim.explore.session import latest_run, list_scenarios, run_warnings_shown

    first, second, note = scosim_run_pair
    kept = json.loads((first / "manifest.json").read_text())["warnings"]
    assert kept == [{"message": note, "category": "ScosimWarning",
                     "module": "scosim.network.params", "count": 1}]
    # The second run was made with every warning ignored: its manifest keeps the same
    # entries, written byte for byte as the first's.
    again = json.loads((second / "manifest.json").read_text())["warnings"]
    assert json.dumps(again) == json.dumps(kept)
    # The page opening the results folder (a new session): the run it opens, and the
    # warnings it shows under it, read from the manifest (nothing is raised on reading).
    found = latest_run("results", list_scenarios("scenarios"))
    assert found is not None and found.path in (first, second)  # finished in one second
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run_warnings_shown(found.manifest) == [note]
    # Said once even when the page also kept it while making the run.
    assert run_warnings_shown(found.manifest, [note, "other"]) == [note, "other"]


def test_a_run_without_warnings_keeps_an_empty_list(scenarios: Path) -> None:
    from scosim.api import run
    from scosim.run_warnings import run_warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing to say
        res = run("scenarios/small_cu.yaml", replications=1, out="results", progress=False)
    manifest = json.loads((Path(res.path) / "manifest.json").read_text())
    assert manifest["warnings"] == [] and run_warnings(manifest) == []
    # A run made before 2026-12-06 has no field: nothing to say, no error.
    assert run_warnings({k: v for k, v in manifest.items() if k != "warnings"}) == []


def test_compare_and_its_report_say_the_runs_warnings(
        scenarios: Path, capsys: pytest.CaptureFixture) -> None:
    """Runs compared by directory are read, not run: their warnings come from manifests."""
    from scosim.api import run
    from scosim.cli import main

    note = _ceiling_note()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pol = run("scenarios/small_unstable.yaml", replications=2, out="results",
                  progress=False).path
        base = run("scenarios/small_cu.yaml", replications=2, out="results",
                   progress=False).path
    capsys.readouterr()
    assert main(["compare", str(pol), str(base), "--out", "results", "--quiet",
                 "--plot-workers", "1", "--indicator", "welfare_change_pct"]) == 0
    err = capsys.readouterr().err
    # One line for the policy's warning; none for the baseline, which has none.
    assert err.count(f"scosim: warning: policy run: {note}\n") == 1, err
    assert "baseline run:" not in err
    (report,) = Path("results/compare").glob("*/report.md")
    md = report.read_text()
    assert "## Warnings" in md and f"- policy run: {note}" in md
    page = report.with_name("report.html").read_text()
    assert "<h2>Warnings</h2>" in page and f"<li>policy run: {html.escape(note)}</li>" in page


def test_a_malformed_field_is_named_with_what_is_allowed() -> None:
    from scosim.run_warnings import run_warnings

    with pytest.raises(ValueError, match=r"r/manifest\.json: field 'warnings' must be a list"):
        run_warnings({"warnings": "none"}, "r/manifest.json")
    bad = {"warnings": [{"message": "m", "category": "ScosimWarning", "module": "x",
                         "count": 0}]}
    with pytest.raises(ValueError, match=r"field 'warnings', entry 0: .* is not allowed"):
        run_warnings(bad, "r/manifest.json")


def test_stored_counts_repeats_in_the_order_first_raised() -> None:
    from scosim.run_warnings import stored

    kept = [("b", "ScosimWarning", "m"), ("a", "ScosimWarning", "m"),
            ("b", "ScosimWarning", "m")]
    assert stored(kept) == [
        {"message": "b", "category": "ScosimWarning", "module": "m", "count": 2},
        {"message": "a", "category": "ScosimWarning", "module": "m", "count": 1}]


def test_only_scosims_own_warnings_are_its_own() -> None:
    import scosim.compare
    from scosim.errors import ScosimWarning
    from scosim.run_warnings import is_own

    assert is_own(ScosimWarning, __file__)  # its class, wherever stacklevel points
    assert is_own(UserWarning, scosim.compare.__file__)  # raised from the package
    assert not is_own(UserWarning, __file__)  # a library's, or a user's script's
    assert not is_own(UserWarning, shutil.__file__)
    assert not is_own(UserWarning, "<string>")
