"""Which folder of scenarios the explorer lists, and how the page names it.

``scosim explore`` without ``--scenarios`` listed ``./scenarios``: in a checkout the
shipped scenarios, but after ``pip install scosim`` in a folder of the user's own there
is no such folder and the page refused to start. It now falls back to the scenarios
shipped with the installed package (:func:`scosim.scenario.shipped.shipped_dir`), and
the page says which folder it lists, so that a reader knows whose files she is editing.
Those are listed by their names, ``scosim:customs_union`` (:data:`SHIPPED`), as ``scosim
run``, ``validate`` and ``compare`` take them: their files' paths, deep in
site-packages, were what the page showed and put in the command to copy.
"""

from __future__ import annotations

import os
from pathlib import Path

from scosim.explore.session import list_scenarios

__all__ = ["LOCAL", "SHIPPED", "default_scenarios_dir", "folder_caption", "list_folder",
           "scenario_stem", "shipped_default"]

#: The folder listed when it holds scenario files (a checkout, or a user's own project).
LOCAL = "scenarios"
#: The "folder" of the shipped scenarios, listed by name (``scosim:<name>``).
SHIPPED = "scosim:"


def default_scenarios_dir() -> str:
    """The folder to list when neither ``--scenarios`` nor a SCENARIO names one.

    Returns:
        ``scenarios`` when the current folder's ``scenarios/`` holds scenario files
        (``*.yaml``, ``*.yml``); else :data:`SHIPPED` when scosim has shipped scenarios
        (an installed package, or a checkout run from another folder); else
        ``scenarios``, which the caller reports as holding none.
    """
    from scosim.scenario.shipped import shipped_dir

    if list_scenarios(LOCAL):
        return LOCAL
    return SHIPPED if shipped_dir() is not None else LOCAL


def shipped_default(scenario: str) -> str | None:
    """The folder to list beside a SCENARIO: :data:`SHIPPED` for a ``scosim:<name>``.

    Its own folder (``os.path.dirname``) was the installed package's, listed by path.
    """
    from scosim.scenario.shipped import is_shipped

    return SHIPPED if is_shipped(scenario) else None


def list_folder(folder: str | os.PathLike[str]) -> list[str]:
    """The scenarios the page lists: a folder's files, or :data:`SHIPPED`'s names.

    The shipped ones are those at the top of the folder, as a folder lists its own files
    (``scosim:hindcasts/...`` are the hindcast's 140 records).
    """
    if os.fspath(folder) != SHIPPED:
        return list_scenarios(folder)
    from scosim.scenario.shipped import PREFIX, shipped_names

    return [PREFIX + n for n in shipped_names() if "/" not in n]


def scenario_stem(scenario: str) -> str:
    """A listed scenario's short name (``customs_union``), as its file's stem.

    The page keys its boxes by it, and finds the baseline by it: ``Path`` took
    ``scosim:customs_union`` whole.
    """
    from scosim.scenario.shipped import PREFIX

    return Path(scenario.removeprefix(PREFIX)).stem


def folder_caption(folder: str | os.PathLike[str]) -> str:
    """The page's line saying which folder it lists, and whether those are the shipped ones."""
    from scosim.scenario.shipped import shipped_dir

    shipped = shipped_dir()
    other = "`scosim explore --scenarios DIR` lists another folder."
    if os.fspath(folder) == SHIPPED:
        return ("The scenarios shipped with scosim, named as `scosim run`, `validate` and "
                f"`compare` take them (scosim:<name>; their files: {shipped}); {other}")
    whose = ""
    if shipped is not None and Path(folder).resolve() == shipped.resolve():
        whose = " (the scenarios shipped with scosim)"
    return f"Scenario files in {os.fspath(folder)}{whose}; {other}"
