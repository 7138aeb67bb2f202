"""mesa, without executing the submodules scosim never uses until something uses them.

mesa's package ``__init__`` imports ``mesa.experimental`` (which pulls in
``scipy.spatial``), ``mesa.space`` (``networkx``) and ``mesa.discrete_space``: about
0.4 s of a 1.3 s ``import scosim.runner`` on a 2-core Xeon, paid by every ``scosim
run`` and by every worker process of a parallel run, although scosim uses only
``mesa.Model`` and ``mesa.Agent``. :func:`load_mesa` registers those submodules as
*deferred* modules before mesa is imported: each is a real module object made from
its own spec (``__spec__``, ``__path__``, ``__file__`` set), whose code runs into that
same object, under a lock of its own, on the first access to a name it does not yet
have (a module ``__getattr__``, PEP 562), or on ``dir()`` of it (a module ``__dir__``,
as tab completion and ``help`` use). Code that uses ``mesa.space.MultiGrid`` or
imports from ``mesa.experimental`` gets the real module, the same object, loaded then.

``mesa.model`` also names its logger and the class its ``__init__`` logging decorator
belongs to by walking the call stack with ``inspect`` (reading the source of every
frame: 0.1-0.2 s). :func:`_named_loggers` loads ``mesa.mesa_logging`` first and gives it
two functions that take the same names from the calling frame instead; the loggers'
names and messages are unchanged.

If mesa is already imported (a plug-in imported it first), or a submodule cannot be
found (another mesa layout), mesa is imported as usual.
"""

from __future__ import annotations

import functools
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
    """A module made from ``spec`` whose code runs on the first missing-name lookup or ``dir()``."""
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader
    assert loader is not None  # checked by the caller
    # One lock per module (running one never waits on another's); re-entrant, so the
    # module's own lookups while it runs get plain answers, while other threads wait.
    lock = threading.RLock()
    running = False

    def run() -> None:
        nonlocal running
        with lock:
            if not running and module.__dict__.get("__getattr__") is __getattr__:
                # Run the module's code into this very object, as the import system
                # does; the hooks go once it has run (a failed run is tried again).
                running = True
                try:
                    loader.exec_module(module)
                finally:
                    running = False
                for hook, fn in (("__getattr__", __getattr__), ("__dir__", __dir__)):
                    if module.__dict__.get(hook) is fn:
                        del module.__dict__[hook]

    def __getattr__(name: str) -> Any:
        run()
        try:
            return module.__dict__[name]
        except KeyError:
            raise AttributeError(
                f"module {module.__name__!r} has no attribute {name!r}") from None

    def __dir__() -> list[str]:
        # dir() (tab completion, help) reads no missing name: it must run the code too.
        run()
        return sorted(module.__dict__)

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__dir__ = __dir__  # type: ignore[method-assign]
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
            if "mesa.mesa_logging" not in sys.modules and _named_loggers(where):
                added.append("mesa.mesa_logging")
        try:
            import mesa
        except BaseException:
            for name in added:  # leave no half-made modules behind
                sys.modules.pop(name, None)
            raise
        logging_module = sys.modules.get("mesa.mesa_logging")
        if logging_module is not None and not hasattr(mesa, "mesa_logging"):
            mesa.mesa_logging = logging_module  # as the import system would have bound it
    return mesa


def _named_loggers(where: Any) -> bool:
    """Load ``mesa.mesa_logging`` with a ``create_module_logger`` that skips ``inspect.stack``.

    mesa's ``create_module_logger()`` without a name finds its caller's module through
    ``inspect.stack()``, which reads the source of every frame on the stack and scans
    ``sys.modules``: 0.1-0.2 s when ``mesa.model`` is imported. The caller's module is
    the ``__name__`` of the calling frame's globals, the same name for a module-level
    call, so the replacement takes it from there and hands it to mesa's own function.

    Returns:
        True if the module was loaded and registered; False if it was not found.
    """
    spec = importlib.machinery.PathFinder.find_spec("mesa.mesa_logging", where)
    if spec is None or spec.loader is None:
        return False
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # logging, inspect, functools: nothing of mesa's
    original = getattr(module, "create_module_logger", None)
    if original is None:
        return False

    def create_module_logger(name: str | None = None) -> Any:
        if name is None:
            name = sys._getframe(1).f_globals.get("__name__")
        return original(name)

    create_module_logger.__doc__ = original.__doc__
    module.create_module_logger = create_module_logger  # type: ignore[attr-defined]
    get_logger = getattr(module, "get_module_logger", None)
    if getattr(module, "method_logger", None) is not None and get_logger is not None:
        # mesa's method_logger names the class it decorates in from
        # inspect.getouterframes() (the same frame walk); the calling frame's code name
        # is that class's name.
        def method_logger(name: str) -> Any:
            logger = get_logger(name)
            classname = sys._getframe(1).f_code.co_name

            def real_decorator(func: Any) -> Any:
                @functools.wraps(func)
                def wrapper(*args: Any, **kwargs: Any) -> Any:
                    logger.debug(f"calling {classname}.{func.__name__} with {args[1::]} "
                                 f"and {kwargs}")
                    return func(*args, **kwargs)

                return wrapper

            return real_decorator

        method_logger.__doc__ = module.method_logger.__doc__
        module.method_logger = method_logger  # type: ignore[attr-defined]
    sys.modules["mesa.mesa_logging"] = module
    return True
