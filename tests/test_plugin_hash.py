"""A plug-in's recorded hash is the code the process runs, helper modules included."""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path

import pytest

from scosim.experiments import versions


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(versions, "_LOADED", {})
    (tmp_path / "ph_consts.py").write_text("ANSWER = True\n")
    (tmp_path / "ph_rule.py").write_text(
        "from ph_consts import ANSWER\n\n\ndef vote(*args, **kwargs):\n    return ANSWER\n")
    (tmp_path / "ph_alone.py").write_text("def vote(*args, **kwargs):\n    return True\n")
    yield tmp_path
    for m in ("ph_consts", "ph_rule", "ph_alone"):
        sys.modules.pop(m, None)


def _fresh(name: str):
    """The module as a new process would load it (and no hash remembered)."""
    for m in ("ph_consts", "ph_rule", "ph_alone"):
        sys.modules.pop(m, None)
    versions._LOADED.clear()
    importlib.invalidate_caches()
    return importlib.import_module(name)


def test_a_helper_module_s_edit_changes_the_plugin_s_hash(plugin_dir: Path) -> None:
    # Before: only ph_rule.py was hashed, so a run resumed after ph_consts.py changed
    # mixed the two versions' batches.
    before = versions._module_hash(_fresh("ph_rule").vote)
    (plugin_dir / "ph_consts.py").write_text("ANSWER = False\n")
    after = versions._module_hash(_fresh("ph_rule").vote)
    assert before != after and before.startswith("ph_rule sha256 ")
    root, files = versions._plugin_files("ph_rule", str(plugin_dir / "ph_rule.py"))
    assert [f.name for f in files] == ["ph_rule.py", "ph_consts.py"]


def test_a_module_alone_keeps_the_hash_of_its_file(plugin_dir: Path) -> None:
    # the recorded form of earlier runs: the sha256 of the one file
    digest = hashlib.sha256((plugin_dir / "ph_alone.py").read_bytes()).hexdigest()[:12]
    assert versions._module_hash(_fresh("ph_alone").vote) == f"ph_alone sha256 {digest}"


def test_a_process_reports_the_code_it_loaded_not_a_file_edited_since(
    plugin_dir: Path,
) -> None:
    # Before: the file on disk was hashed, so a Dask worker kept running (or a notebook)
    # ran the old code under the new code's hash and mixed versions unseen.
    mod = _fresh("ph_alone")
    loaded = versions._module_hash(mod.vote)
    (plugin_dir / "ph_alone.py").write_text("def vote(*args, **kwargs):\n    return False\n")
    assert versions._module_hash(mod.vote) == loaded  # still the code in memory
    assert versions._module_hash(_fresh("ph_alone").vote) != loaded  # a new process
