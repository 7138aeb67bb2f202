"""Whether this scosim is imported from a source checkout, and which commit it is.

Several places found the repository from the package's own file
(``Path(__file__).parents[3]``): in a checkout, ``<repo>/src/scosim/<sub>/<module>.py``.
Installed from a wheel, the same expression names ``<venv>/lib/python3.X``, and git run
there answers for whatever repository holds the virtualenv: the hindcast's frozen
prospective record then filed another project's HEAD as scosim's commit. Here the root
counts only when it really is scosim's: its ``pyproject.toml`` names the project
``scosim`` and its ``src/scosim`` is the package being run.
"""

from __future__ import annotations

import functools
from pathlib import Path

__all__ = ["PACKAGE", "code_commit", "git_commit", "root_of", "source_root"]

#: The directory of the scosim package being run (``.../src/scosim`` in a checkout).
PACKAGE = Path(__file__).resolve().parent


def _is_scosim_project(pyproject: Path) -> bool:
    """Whether ``pyproject`` declares the project ``scosim`` (``[project] name``)."""
    import tomllib

    try:
        with pyproject.open("rb") as fh:
            project = tomllib.load(fh).get("project")
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return isinstance(project, dict) and project.get("name") == "scosim"


def root_of(package: Path) -> Path | None:
    """The source tree ``package`` sits in (``<root>/src/scosim``), if it is scosim's, else None.

    Args:
        package: A ``scosim`` package directory.
    """
    src = package.parent
    root = src.parent
    if package.name != "scosim" or src.name != "src":
        return None  # site-packages/scosim, or a copy of the package elsewhere
    if not _is_scosim_project(root / "pyproject.toml"):
        return None
    return root if (root / "src" / "scosim").resolve() == package.resolve() else None


@functools.cache
def source_root() -> Path | None:
    """The root of the scosim source tree this package is imported from; None if installed.

    A git clone, an unpacked sdist or an editable install: ``<root>/src/scosim`` is this
    package and ``<root>/pyproject.toml`` names the project ``scosim``. A wheel installed
    anywhere (a virtualenv inside another project's repository included) is not one.
    """
    return root_of(PACKAGE)


def git_commit(root: Path) -> str | None:
    """``root``'s git HEAD (``+modified`` if ``src/`` has changes), if ``root`` is a clone's top.

    None when git is missing, ``root`` is in no repository, or the repository git finds
    has another top (an unpacked sdist inside another project's clone): the commit would
    be that project's.
    """
    import subprocess  # here: shipped.py imports this module on every start

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], check=True,
                              capture_output=True, text=True).stdout.strip()

    try:
        top = git("rev-parse", "--show-toplevel")
        if Path(top).resolve() != root.resolve():
            return None
        head = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "src")
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+modified" if dirty else "")


def code_commit() -> str:
    """What code this is, for a record that is never edited.

    Returns:
        The checkout's commit (``+modified`` if its ``src/`` has changes); ``unknown``
        in a checkout where git does not answer; else ``none: installed scosim
        <version>, not a git checkout`` (or ``none: scosim <version> source tree, not a
        git checkout`` for a source tree outside git, an unpacked sdist).
    """
    root = source_root()
    if root is None:
        return f"none: installed scosim {_version()}, not a git checkout"
    commit = git_commit(root)
    if commit is not None:
        return commit
    if (root / ".git").exists():
        return "unknown"  # a clone, but git is missing or failed: as before
    from scosim import __version__

    # Not the installed distribution's version: another scosim may be installed.
    return f"none: scosim {__version__} source tree, not a git checkout"


def _version() -> str:
    """The installed distribution's version (importlib.metadata), else the package's own."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scosim")
    except PackageNotFoundError:
        from scosim import __version__

        return str(__version__)
