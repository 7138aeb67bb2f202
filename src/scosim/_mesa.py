"""mesa, without executing the submodules scosim never uses until something uses them.

mesa's package ``__init__`` imports ``mesa.experimental`` (which pulls in
``scipy.spatial``), ``mesa.space`` (``networkx``) and ``mesa.discrete_space``: about
0.4 s of a 1.3 s ``import scosim.runner`` on a 2-core Xeon, paid by every ``scosim
run`` and by every worker process of a parallel run, although scosim uses only
``mesa.Model`` and ``mesa.Agent``. :func:`load_mesa` registers those submodules as
*deferred* modules before mesa is imported: each is a real module object made from
its own spec (``__spec__``, ``__path__``, ``__file__`` set), whose code runs into that
same object, under a lock of its own, on the first access to a name it does not yet
have (a module ``__getattr__``, PEP 562). Code that uses ``mesa.space.MultiGrid`` or
imports from ``mesa.experimental`` gets the real module, the same object, loaded then.

If mesa is already imported (a plug-in imported it first), or a submodule cannot be
found (another mesa layout), mesa is imported as usual.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
import types
from typing import Any

#: mesa submodules that mesa's ``__init__`` imports and scosim does not use.
DEFERRED = ("mesa.experimental", "mesa.space", "mesa.discrete_space")

_lock = threading.RLock()  # load_mesa's registration


def _deferred(spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
    """A module made from ``spec`` whose code runs on the first missing-name lookup."""
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader
    assert loader is not None  # checked by the caller
    # One lock per module (running one never waits on another's); re-entrant, so the
    # module's own lookups while it runs get plain answers, while other threads wait.
    lock = threading.RLock()
    running = False

    def __getattr__(name: str) -> Any:
        nonlocal running
        with lock:
            if not running and module.__dict__.get("__getattr__") is __getattr__:
                # Run the module's code into this very object, as the import system
                # does; the hook goes once it has run (a failed run is tried again).
                running = True
                try:
                    loader.exec_module(module)
                finally:
                    running = False
                if module.__dict__.get("__getattr__") is __getattr__:
                    del module.__dict__["__getattr__"]
        try:
            return module.__dict__[name]
        except KeyError:
            raise AttributeError(
                f"module {module.__name__!r} has no attribute {name!r}") from None

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module


def load_mesa() -> types.ModuleType:
    """Import mesa with :data:`DEFERRED` registered as deferred modules.

    Returns:
        The ``mesa`` package.
    """
    if "mesa" in sys.modules:
        return sys.modules["mesa"]
    with _lock:
        top = importlib.util.find_spec("mesa")  # finds, does not execute
        where = top.submodule_search_locations if top is not None else None
        added: list[str] = []
        if where is not None:
            specs = [importlib.machinery.PathFinder.find_spec(name, where) for name in DEFERRED]
            if all(s is not None and s.loader is not None for s in specs):
                for name, spec in zip(DEFERRED, specs, strict=True):
                    if name not in sys.modules:
                        sys.modules[name] = _deferred(spec)  # type: ignore[arg-type]
                        added.append(name)
        try:
            import mesa
        except BaseException:
            for name in added:  # leave no half-made modules behind
                sys.modules.pop(name, None)
            raise
    return mesa
