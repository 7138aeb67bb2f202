"""scosim's code has a version of its own: the hash of its source, recorded and compared.

Found by an outside review: ``package_version`` stays ``0.1.0`` from one commit to the
next, and ``scosim compare`` did not even check it, so runs made before and after a
change to the model were paired without a word. Now every run records ``code_version``
(the hash of the package's source and tables), compare warns when the two runs' code or
package version differ (or cannot tell, for runs made before the field), workers refuse
batches from other code, and a finished or interrupted run is reused or resumed only
with the same code.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest

import scosim
from scosim.cli import main
from scosim.compare_pairs import check_pairable
from scosim.experiments import versions

PACKAGE = Path(scosim.__file__).parent


def _copy_package(to: Path) -> Path:
    """The files :func:`versions.tree_hash` reads, copied to ``to`` (no caches)."""
    shutil.copytree(PACKAGE, to, ignore=shutil.ignore_patterns("__pycache__"))
    return to


def test_the_code_version_is_the_same_for_the_same_code_wherever_it_is(tmp_path: Path) -> None:
    here = versions.code_version()
    assert here.startswith("sha256 ") and len(here) == len("sha256 ") + 12
    assert versions.versions()["code"] == here
    assert versions.tree_hash(PACKAGE) == here
    copy = _copy_package(tmp_path / "elsewhere" / "scosim")
    assert versions.tree_hash(copy) == here  # no absolute paths
    # A Windows checkout (CRLF), a compiled cache and an editor's backup: the same code.
    init = copy / "__init__.py"
    init.write_bytes(init.read_bytes().replace(b"\n", b"\r\n"))
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "x.cpython-312.pyc").write_bytes(b"\0")
    (copy / "runner.py.orig").write_text("old")
    assert versions.tree_hash(copy) == here


@pytest.mark.parametrize("edit", ["model/agents.py", "security/tables/threat.csv", "new.py"])
def test_an_edit_to_the_source_or_a_packaged_table_changes_it(tmp_path: Path, edit: str) -> None:
    copy = _copy_package(tmp_path / "scosim")
    target = copy / edit
    if target.exists():
        target.write_text(target.read_text() + "\n# edited\n")
    else:
        target.write_text("X = 1\n")
    assert versions.tree_hash(copy) != versions.code_version()


def test_a_worker_with_other_code_refuses_saying_so() -> None:
    client = {**versions.versions(), "code": "sha256 000000000000"}
    said = versions.version_difference(client, versions.versions())
    assert "code version" in said and "sha256 000000000000" in said
    assert "the same source files" in said
    with pytest.raises(versions.VersionMismatch, match="refuses the batch: code version"):
        versions.check_versions(client)


BASE = {"scenario": "b", "status": "complete", "seed": 1, "replications": 4, "data_version": "d",
        "package_version": "0.1.0", "code_version": "sha256 aaaaaaaaaaaa"}


@pytest.mark.parametrize(("key", "other", "said"), [
    ("package_version", "0.0.9", r"different scosim versions \(0\.0\.9 vs 0\.1\.0\)"),
    ("code_version", "sha256 bbbbbbbbbbbb",
     r"different code \(sha256 bbbbbbbbbbbb vs sha256 aaaaaaaaaaaa\)"),
])
def test_compare_warns_when_the_two_runs_code_differs(key: str, other: str, said: str) -> None:
    with pytest.warns(UserWarning, match=said + "; differences mix the policy with the code"):
        check_pairable({**BASE, key: other}, BASE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_pairable(dict(BASE), BASE)


def test_a_run_made_before_the_code_was_recorded_is_said_once() -> None:
    old = {k: v for k, v in BASE.items() if k != "code_version"}
    with pytest.warns(UserWarning) as said:
        check_pairable(BASE, old)
    assert [str(w.message) for w in said] == [
        "the code version of the baseline run is unknown (its manifest predates "
        "code_version), so whether both runs were made with the same scosim code cannot "
        "be checked"]
    with pytest.warns(UserWarning, match="the code version of both runs is unknown"):
        check_pairable(old, old)


def test_runs_record_it_and_compare_warns_of_another_version(
        tmp_path: Path, model_fixture, capsys: pytest.CaptureFixture[str]) -> None:
    """The review's case: a finished baseline's manifest given package_version 0.0.9."""
    out = tmp_path / "results"
    for name in ("small_cu", "small_base"):
        assert main(["run", str(model_fixture(f"{name}.yaml")), "--replications", "3",
                     "--out", str(out), "--no-plots", "--quiet"]) == 0
    (base,) = (out / "small_base").iterdir()
    manifest = json.loads((base / "manifest.json").read_text())
    assert manifest["code_version"] == versions.code_version()
    old = base.with_name("older")
    shutil.copytree(base, old)
    (old / "manifest.json").write_text(json.dumps({**manifest, "package_version": "0.0.9"}))
    capsys.readouterr()
    assert main(["compare", "small_cu", str(old), "--out", str(out), "--quiet",
                 "--indicator", "welfare_change_pct", "--plot-workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "different scosim versions (0.1.0 vs 0.0.9)" in err
    # The copy is not reused for the baseline file either: made with another scosim.
    assert main(["compare", str(model_fixture("small_cu.yaml")),
                 str(model_fixture("small_base.yaml")), "--out", str(out), "--quiet",
                 "--replications", "3", "--indicator", "welfare_change_pct",
                 "--plot-workers", "1"]) == 0
    err = capsys.readouterr().err
    # "warning:" as the CLI prints it: a bare "warning" also matched a checkout path.
    assert f"reusing the finished run {base} " in err and "warning:" not in err.lower()


def test_a_finished_run_of_other_code_is_not_reused(
        tmp_path: Path, model_fixture, capsys: pytest.CaptureFixture[str]) -> None:
    from scosim.api import finished_run

    out = tmp_path / "results"
    scenario = model_fixture("small_base.yaml")
    assert main(["run", str(scenario), "--replications", "3", "--out", str(out),
                 "--no-plots", "--quiet"]) == 0
    (run,) = (out / "small_base").iterdir()
    given = {"replications": 3}
    assert finished_run(scenario, out, given) == run
    manifest = run / "manifest.json"
    m = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**m, "code_version": "sha256 000000000000"}))
    assert finished_run(scenario, out, given) is None
    manifest.write_text(json.dumps({k: v for k, v in m.items() if k != "code_version"}))
    assert finished_run(scenario, out, given) is None  # made before it was recorded


def test_version_and_list_do_not_hash_the_code(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    """Start-up stays fast: only commands that run or compare pay for the hash."""
    versions.code_version.cache_clear()
    with pytest.raises(SystemExit):
        main(["--version"])
    assert main(["list", "--out", str(tmp_path)]) in (0, 1)
    assert versions.code_version.cache_info().misses == 0
