"""Load a script of ``tools/`` as a module, for the tests of what it computes.

The scripts are not a package (they are run as ``python tools/x.py``), so a test imports
one from its file: ``from _tools import load_tool; mod = load_tool("mirror_gaps")``
(tests/ is on sys.path, as for ``_raw``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

__all__ = ["TOOLS", "load_tool"]

#: The repository's tools directory.
TOOLS = Path(__file__).resolve().parents[1] / "tools"


def load_tool(name: str) -> ModuleType:
    """The module of ``tools/<name>.py``, freshly executed."""
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec is not None and spec.loader is not None, name
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
