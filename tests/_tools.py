"""Load a script of ``tools/`` as a module, for the tests of what it computes.

The scripts are not a package (they are run as ``python tools/x.py``), so a test imports
one from its file: ``from _tools import load_tool; mod = load_tool("mirror_gaps")``
(tests/ is on sys.path, as for ``_raw``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["TOOLS", "load_tool"]

#: The repository's tools directory.
TOOLS = Path(__file__).resolve().parents[1] / "tools"


def load_tool(name: str, register: bool = False) -> ModuleType:
    """The module of ``tools/<name>.py``, freshly executed.

    Args:
        name: The script's name without ``.py``.
        register: Put it in ``sys.modules`` under ``name`` first (a script whose
            dataclasses or pickled objects look their module up there needs it).
    """
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec is not None and spec.loader is not None, name
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
