"""scosim installed from a wheel is not a checkout: no other repository's commit is its own.

Until 2026-12-07 the hindcast's frozen prospective record took the code's commit from git
run at ``Path(__file__).parents[3]``: in a checkout the repository, but for a wheel
installed into a virtualenv inside some other git repository that repository, whose HEAD
was then filed, in a record never edited, as the commit of scosim's code. A root counts
now only when it is scosim's own source tree (:mod:`scosim.checkout`). The git commands
here are the outside check: the commits are git's own answers, not the code's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import scosim
from scosim import checkout

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def _repo(path: Path) -> str:
    """A throwaway git repository with one commit; its HEAD."""
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q")
    _git(path, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q",
         "--allow-empty", "-m", "another project")
    return _git(path, "rev-parse", "HEAD")


def _tree(root: Path, project: str = "scosim") -> Path:
    """``root/pyproject.toml`` naming ``project`` and an (empty) ``root/src/scosim``."""
    package = root / "src" / "scosim"
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "{project}"\nversion = "1"\n')
    return package


@pytest.fixture
def package_at(monkeypatch: pytest.MonkeyPatch):
    """Make :mod:`scosim.checkout` take another folder for the package being run."""
    def use(package: Path) -> None:
        monkeypatch.setattr(checkout, "PACKAGE", package)
        checkout.source_root.cache_clear()

    yield use
    checkout.source_root.cache_clear()


def test_a_wheel_in_a_virtualenv_inside_another_repository_files_no_commit(
        tmp_path: Path) -> None:
    """The package's own code, imported from site-packages inside another project's clone
    (the prospective record's ``commit``, as ``--write`` files it)."""
    head = _repo(tmp_path / "project")
    site = tmp_path / "project" / "venv" / "lib" / "python3.11" / "site-packages"
    shutil.copytree(ROOT / "src" / "scosim", site / "scosim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import scosim; from scosim.hindcast.prospective import _commit; "
            "print(scosim.__file__); print(_commit())")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(site)}, timeout=300)
    assert done.returncode == 0, done.stderr
    where, commit = done.stdout.strip().splitlines()
    assert Path(where).is_relative_to(site)  # the copy ran, not this checkout
    assert head not in commit  # before: exactly the other project's HEAD
    assert commit.startswith("none: installed scosim ")
    assert commit.endswith(", not a git checkout")


def test_in_this_checkout_the_commit_is_gits_head() -> None:
    """The checkout's behaviour is unchanged: git's HEAD, ``+modified`` if src/ changed."""
    assert checkout.source_root() == ROOT
    head = _git(ROOT, "rev-parse", "HEAD")
    dirty = _git(ROOT, "status", "--porcelain", "src")
    assert checkout.code_commit() == head + ("+modified" if dirty else "")
    from scosim.hindcast.prospective import _commit

    assert _commit() == checkout.code_commit()


def test_a_source_tree_counts_only_when_it_is_scosims(tmp_path: Path, package_at) -> None:
    # Its own clone: that clone's HEAD.
    own = tmp_path / "own"
    package_at(_tree(own))
    head = _repo(own)
    assert checkout.source_root() == own
    assert checkout.code_commit() == head
    (own / "src" / "scosim" / "new.py").write_text("x = 1\n")  # an uncommitted change
    assert checkout.code_commit() == head + "+modified"
    # Another project's src/scosim inside its own clone: not scosim's tree.
    other = tmp_path / "other"
    package_at(_tree(other, project="notscosim"))
    _repo(other)
    assert checkout.source_root() is None
    assert checkout.code_commit().startswith("none: installed scosim ")


def test_an_unpacked_source_tree_inside_another_clone_is_no_checkout(
        tmp_path: Path, package_at) -> None:
    """An sdist unpacked in another project's clone: git answers for that project."""
    outer = _repo(tmp_path / "project")
    tree = tmp_path / "project" / "vendor" / "scosim-0.1.0"
    package_at(_tree(tree))
    assert checkout.source_root() == tree
    assert checkout.git_commit(tree) is None
    commit = checkout.code_commit()
    assert outer not in commit
    assert commit == f"none: scosim {scosim.__version__} source tree, not a git checkout"


def test_site_packages_is_no_source_tree(tmp_path: Path) -> None:
    """Three folders up from an installed package (``<venv>/lib``), or a ``pip install
    --target`` folder beside a project's own pyproject.toml, is not a checkout."""
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "scosim"
    site.mkdir(parents=True)
    assert checkout.root_of(site) is None
    target = tmp_path / "mine"
    (target / "vendor" / "scosim").mkdir(parents=True)
    (target / "pyproject.toml").write_text('[project]\nname = "scosim"\n')
    assert checkout.root_of(target / "vendor" / "scosim") is None


def test_shipped_scenarios_of_an_installed_package_come_from_the_package_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package_at) -> None:
    """Not from ``<package>/../../scenarios``: after ``pip install --target vendor`` that
    was the user's own ``./scenarios``."""
    import importlib

    from scosim.scenario import shipped

    package_at(tmp_path / "vendor" / "scosim")
    try:
        reloaded = importlib.reload(shipped)
        assert reloaded.CHECKOUT is None
        monkeypatch.setattr(reloaded, "PACKAGED", tmp_path / "none")
        assert reloaded.shipped_dir() is None
    finally:
        monkeypatch.undo()  # this package again, then the module as imported from it
        checkout.source_root.cache_clear()
        importlib.reload(shipped)
    assert shipped.CHECKOUT == ROOT / "scenarios"


def test_data_rebuild_of_an_installed_package_names_what_to_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, package_at) -> None:
    """Before: the default raw directory was ``<venv>/lib/shared/data/raw``."""
    from scosim.cli import main

    monkeypatch.delenv("SCOSIM_RAW_DIR", raising=False)
    package_at(tmp_path / "site-packages" / "scosim")
    assert main(["data", "rebuild", "--check"]) == 2
    err = capsys.readouterr().err
    assert err == ("scosim: error: no raw data directory: this scosim is installed, not a "
                   "checkout with ../shared/data/raw beside it (pass --raw DIR or set "
                   "$SCOSIM_RAW_DIR)\n")
