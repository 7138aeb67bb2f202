"""The manifest's structured record of plug-ins, compared as the old string, and what it tells.

``plugin_versions`` in ``manifest.json`` was one semicolon-joined string, also the key that
reuse (``find_finished``), resume (``find_resumable``, ``find_superseded``) and workers
compare. A run now writes ``plugin_record`` beside it (what -> origin, distribution,
version, module hash); :func:`scosim.plugin_record.plugins_key` turns either into the same
string, and every comparison goes through it (:func:`scosim.results.version_value`), so a
manifest written by the old code still matches. Re-running a run's saved scenario where a
plug-in it used is not installed says which distribution and version to install.

The manifests under ``tests/fixtures/old_manifests`` were written by scosim at commit
5948ff3 (before the record): ``cu_trust_rule`` with KAZ voting by the dotted-path rule
``trust_rules:trust_or_no`` (tests/plugin_pkgs/trust_rules.py, unchanged since), and
``visa_tiny`` with a reviewer's package ``scosim-revext`` 0.2.0 installed (a proposal type,
a mechanism and a vote rule from entry points), beside the run's saved scenario.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scosim.experiments.versions import plugin_record, plugin_versions, scenario_versions
from scosim.plugin_record import install_hint, plugins_key
from scosim.results import (
    PARTIAL_PREFIX,
    find_resumable,
    find_superseded,
    version_value,
)
from scosim.run_catalogue import ensemble_key, find_finished
from scosim.scenario import ScenarioError, load_scenario

TESTS = Path(__file__).resolve().parent
OLD = TESTS / "fixtures" / "old_manifests"
SMALL_CU = TESTS / "fixtures" / "model" / "small_cu.yaml"
RULE_KEY = "rule vote:trust_rules:trust_or_no"


@pytest.fixture
def trust_rule(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(TESTS / "plugin_pkgs"))
    yield
    sys.modules.pop("trust_rules", None)


def _trust_scenario(tmp_path: Path) -> Any:
    path = tmp_path / "cu_trust_rule.yaml"
    path.write_text(f"extends: {SMALL_CU}\nname: cu_trust_rule\n"
                    "countries:\n  KAZ: {rules: {vote: 'trust_rules:trust_or_no'}}\n")
    return load_scenario(path)


def _old(name: str) -> dict[str, Any]:
    return json.loads((OLD / name / "manifest.json").read_text())


def test_the_record_and_the_old_string_compare_the_same(trust_rule: None,
                                                       tmp_path: Path) -> None:
    old = _old("cu_trust_rule")
    assert "plugin_record" not in old  # written before the record
    sc = _trust_scenario(tmp_path)
    record = plugin_record(sc)
    assert list(record) == [RULE_KEY]
    entry = record[RULE_KEY]
    assert entry["kind"] == "rule" and entry["hook"] == "vote"
    assert entry["name"] == "trust_rules:trust_or_no"
    assert entry["origin"] == "path trust_rules:trust_or_no"
    assert entry["distribution"] is None and entry["version"] is None  # no package
    assert entry["module_hash"].startswith("trust_rules sha256 ")
    # One comparable form: the record gives the string the old code wrote.
    assert plugins_key(record) == plugin_versions(sc) == old["plugin_versions"]
    assert version_value(old, "plugin_versions") == version_value(
        {"plugin_record": record}, "plugin_versions") == old["plugin_versions"]
    # Built-in plug-ins only: "" however it is written.
    assert {plugins_key(v) for v in (None, "", {})} == {""}
    assert plugins_key(["not", "a", "record"]).startswith("malformed")


def _place(root: Path, manifest: dict[str, Any], run_id: str) -> Path:
    d = root / "cu_trust_rule" / run_id
    d.mkdir(parents=True)
    (d / "manifest.json").write_text(json.dumps(manifest))
    return d


def test_a_run_made_by_the_old_code_is_still_reused_and_resumed(trust_rule: None,
                                                               tmp_path: Path) -> None:
    sc = _trust_scenario(tmp_path)
    key = ensemble_key(sc, scenario_versions(sc))
    # The old run differs in its scosim code and data versions only: set to this checkout's,
    # so that the plug-ins alone are compared.
    old = {**_old("cu_trust_rule"), **{k: key[k] for k in (
        "package_version", "code_version", "data_version", "network_version")}}
    root = tmp_path / "results"
    done = _place(root, old, "old-run")
    assert find_finished(root, "cu_trust_rule", key) == done
    # A run with the record and no string (what only the record says) matches too.
    shutil.rmtree(done)
    new = {k: v for k, v in old.items() if k != "plugin_versions"}
    new["plugin_record"] = plugin_record(sc)
    done = _place(root, new, "new-run")
    assert find_finished(root, "cu_trust_rule", key) == done
    # Another hash of the rule's code is another plug-in: not reused.
    shutil.rmtree(done)
    edited = json.loads(json.dumps(new))
    edited["plugin_record"][RULE_KEY]["module_hash"] = "trust_rules sha256 000000000000"
    _place(root, edited, "edited-run")
    assert find_finished(root, "cu_trust_rule", key) is None
    # Interrupted: the old manifest is resumed; the edited one is superseded, and what
    # differs is said in the comparable form.
    shutil.rmtree(root)
    match = {**key, "batch_size": old["batch_size"]}
    partial = {k: v for k, v in old.items() if k not in ("status", "finished")}
    resumable = _place(root, partial, f"{PARTIAL_PREFIX}old")
    assert find_resumable(root, "cu_trust_rule", match) == resumable
    shutil.rmtree(root)
    partial = {k: v for k, v in edited.items() if k not in ("status", "finished")}
    stale = _place(root, partial, f"{PARTIAL_PREFIX}edited")
    assert find_resumable(root, "cu_trust_rule", match) is None
    ((path, differ),) = find_superseded(root, "cu_trust_rule", match)
    assert path == stale
    assert differ == {"plugin_versions": plugins_key(edited["plugin_record"])}


def test_an_old_manifest_names_the_package_to_install() -> None:
    """The run's saved scenario, re-run without scosim-revext, names it and its version."""
    if importlib.util.find_spec("scosim_revext") is not None:
        pytest.skip("scosim-revext is installed here: nothing is unknown")
    with pytest.raises(ScenarioError) as err:
        load_scenario(OLD / "visa_tiny" / "scenario.yaml")
    said = {e.path: e.message for e in err.value.errors}
    hint = (": the run was made with scosim-revext 0.2.0 (the distribution scosim-revext, version "
            "0.2.0: install that version from its source, where the run's maker got it; the "
            "same name on PyPI may be another package)")
    assert said["parameters.mechanisms.finance"].startswith(f"unknown mechanism 'tourism'{hint};")
    assert said["proposals[0].type"].startswith(f"unknown type 'visa_facilitation'{hint};")
    assert said["parameters.rules.vote"].startswith(
        f"unknown vote rule 'trust_weighted_gain'{hint};")
    assert install_hint(OLD / "visa_tiny", "mechanism", "ge_trade") == ""  # built in


def test_a_scenario_beside_no_manifest_is_said_as_before(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    shutil.copy(OLD / "visa_tiny" / "scenario.yaml", path)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert "the run was made with" not in str(err.value)
    assert "unknown mechanism 'tourism'; available:" in str(err.value)


def test_a_run_records_its_packages_and_says_them_where_they_are_missing(
        visa_plugin: None, forget_test_plugins: None, tmp_path: Path) -> None:
    from scosim.runner import run

    path = tmp_path / "visa.yaml"
    path.write_text(
        "name: visa\nyears: {start: 2025, end: 2027}\nseed: 7\nreplications: 2\n"
        "countries: {KAZ: {rules: {vote: reciprocal_visa}}}\n"
        "proposals:\n  - {type: visa_free, id: v, year: 2026, proposer: KAZ, "
        "participants: [KAZ, KGZ, TJK, UZB]}\n")
    run_dir = Path(run(path, out=tmp_path / "results", progress=False, plots=False).path)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    record = manifest["plugin_record"]
    assert {k: (e["distribution"], e["version"]) for k, e in record.items()} == {
        "proposal type visa_free": ("scosim_visa", "0.1"),
        "rule vote:reciprocal_visa": ("scosim_visa", "0.1")}
    assert plugins_key(record) == manifest["plugin_versions"]
    # The run moved to where the package is not installed: a process without it on its path.
    moved = tmp_path / "moved"
    moved.mkdir()
    for name in ("scenario.yaml", "manifest.json"):
        shutil.copy(run_dir / name, moved / name)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in sys.path if p and "plugin_pkgs" not in p and "dist-info" not in p
        and not p.startswith(str(tmp_path)))}
    out = subprocess.run([sys.executable, "-m", "scosim", "validate",
                          str(moved / "scenario.yaml")], capture_output=True, text=True,
                         env=env, cwd=moved, timeout=120)  # not beside the dist-info
    assert out.returncode != 0 and "Traceback" not in out.stderr
    hint = (": the run was made with scosim_visa 0.1 (the distribution scosim_visa, version 0.1: "
            "install that version from its source, where the run's maker got it; the same "
            "name on PyPI may be another package)")
    assert f"unknown type 'visa_free'{hint}" in out.stderr
    assert f"unknown vote rule 'reciprocal_visa'{hint}" in out.stderr
