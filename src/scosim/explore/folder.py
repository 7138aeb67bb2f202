"""Which folder of scenarios the explorer lists, and how the page names it.

``scosim explore`` without ``--scenarios`` listed ``./scenarios``: in a checkout the
shipped scenarios, but after ``pip install scosim`` in a folder of the user's own there
is no such folder and the page refused to start. It now falls back to the scenarios
shipped with the installed package (:func:`scosim.scenario.shipped.shipped_dir`), and
the page says which folder it lists, so that a reader knows whose files she is editing.
"""

from __future__ import annotations

import os
from pathlib import Path

from scosim.explore.session import list_scenarios

__all__ = ["LOCAL", "default_scenarios_dir", "folder_caption", "shipped_file"]

#: The folder listed when it holds scenario files (a checkout, or a user's own project).
LOCAL = "scenarios"


def default_scenarios_dir() -> str:
    """The folder to list when neither ``--scenarios`` nor a SCENARIO names one.

    Returns:
        ``scenarios`` when the current folder's ``scenarios/`` holds scenario files
        (``*.yaml``, ``*.yml``); else the folder of the shipped scenarios; else
        ``scenarios``, which the caller reports as holding none.
    """
    from scosim.scenario.shipped import shipped_dir

    if list_scenarios(LOCAL):
        return LOCAL
    shipped = shipped_dir()
    return os.fspath(shipped) if shipped is not None else LOCAL


def shipped_file(scenario: str) -> str:
    """A SCENARIO given as ``scosim:<name>``, as its shipped file (else ``scenario``).

    The page lists files and shows ``scosim run FILE``: a name would be listed beside
    its own file, and its folder would be taken as ``.``.

    Raises:
        LookupError: No such shipped scenario (the caller has loaded it first, which
            reports that as one line).
    """
    from scosim.scenario.shipped import is_shipped, shipped_path

    return os.fspath(shipped_path(scenario)) if is_shipped(scenario) else scenario


def folder_caption(folder: str | os.PathLike[str]) -> str:
    """The page's line saying which folder it lists, and whether those are the shipped ones."""
    from scosim.scenario.shipped import shipped_dir

    shipped = shipped_dir()
    whose = ""
    if shipped is not None and Path(folder).resolve() == shipped.resolve():
        whose = " (the scenarios shipped with scosim)"
    return (f"Scenario files in {os.fspath(folder)}{whose}; "
            "`scosim explore --scenarios DIR` lists another folder.")
