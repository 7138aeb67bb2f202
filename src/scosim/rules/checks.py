"""Checks of rule references at validation: signature, and a mode that imports nothing.

Validation resolves every rule a scenario names. A dotted path
(``"mypkg.rules:cautious_vote"``) is resolved by importing its module, which
runs that module's code, as running a Python script does. Inside
``importing_rules(False)`` (``scosim validate --no-import``) dotted paths are
checked by locating the module file and reading its source instead, and
entry-point rules are looked up by name without loading them.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import importlib.machinery
import inspect
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from scosim.rules import registry
from scosim.rules.registry import RuleError, resolve_rule

__all__ = ["check_rule", "importing_rules"]

#: Whether validation may import the modules named in dotted rule paths.
_IMPORT_RULES: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "scosim_import_rules", default=True
)

_SIGNATURE_HINT = "a rule is called with one context argument, e.g. def my_rule(ctx): ..."


@contextlib.contextmanager
def importing_rules(allowed: bool) -> Iterator[None]:
    """Within this block, :func:`check_rule` imports rule modules only if ``allowed``."""
    token = _IMPORT_RULES.set(bool(allowed))
    try:
        yield
    finally:
        _IMPORT_RULES.reset(token)


def _check_signature(spec: str, fn: Callable[..., Any]) -> None:
    """A rule is called as ``fn(ctx)``: reject callables that cannot take that."""
    if inspect.isbuiltin(fn) or type(fn).__name__ == "ufunc":
        raise RuleError(
            f"rule {spec!r} is a built-in function ({getattr(fn, '__name__', fn)!s}), not a "
            "rule: a rule is a Python function taking one context argument (e.g. VoteContext) "
            "and returning booleans over runs"
        )
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return  # not introspectable (some C callables): only a call could tell
    try:
        sig.bind(object())
    except TypeError:
        params = ", ".join(str(p) for p in sig.parameters.values())
        raise RuleError(f"rule {spec!r} takes ({params}); {_SIGNATURE_HINT}") from None


def _locate(module_name: str) -> tuple[Path | None, bool]:
    """Find a module's source file without importing it or its parent packages.

    Returns:
        ``(source file or None, found)``.
    """
    paths: list[str] | None = None
    spec = None
    parts = module_name.split(".")
    for i in range(len(parts)):
        spec = importlib.machinery.PathFinder.find_spec(".".join(parts[: i + 1]), paths)
        if spec is None:
            return None, False
        paths = list(spec.submodule_search_locations or [])
    origin = getattr(spec, "origin", None)
    return (Path(origin) if origin and origin.endswith(".py") else None), True


def _top_level_names(tree: ast.Module) -> dict[str, ast.AST]:
    defined: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined[node.name] = node
        elif isinstance(node, ast.Import | ast.ImportFrom):
            defined.update({(a.asname or a.name).split(".")[0]: node for a in node.names})
        elif isinstance(node, ast.Assign):
            defined.update({t.id: node for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined[node.target.id] = node
    return defined


def _check_path_statically(spec: str) -> None:
    module_name, _, attr_path = spec.partition(":")
    names = [*module_name.split("."), *attr_path.split(".")]
    if not module_name or not attr_path or not all(n.isidentifier() for n in names):
        raise RuleError(f"bad rule path {spec!r}: write it as 'package.module:function'")
    source, found = _locate(module_name)
    if not found:
        raise RuleError(
            f"bad rule path {spec!r}: module {module_name!r} not found "
            "(is it installed or on PYTHONPATH?)"
        )
    if source is None or "." in attr_path:
        return  # compiled module or nested attribute: only an import could tell
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError) as exc:
        raise RuleError(f"bad rule path {spec!r}: cannot read {source.name}: {exc}") from None
    defined = _top_level_names(tree)
    if attr_path not in defined:
        funcs = sorted(n for n, d in defined.items() if isinstance(d, ast.FunctionDef))
        hint = f"; functions there: {', '.join(funcs[:20])}" if funcs else ""
        raise RuleError(
            f"bad rule path {spec!r}: {module_name!r} defines no {attr_path!r} "
            f"(checked without importing){hint}"
        )
    node = defined[attr_path]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        required = len(positional) - len(args.defaults)
        takes_one = bool(positional) or args.vararg is not None
        if required > 1 or not takes_one or any(d is None for d in args.kw_defaults):
            raise RuleError(f"rule {spec!r} has the wrong signature; {_SIGNATURE_HINT}")


def check_rule(hook: str, spec: str) -> None:
    """Check a rule reference as validation does.

    The reference must resolve (registered name, dotted path or entry point)
    and the callable must accept being called as ``fn(ctx)``. Inside
    ``importing_rules(False)`` nothing is imported: dotted paths to modules not
    yet imported are checked from the module's source file, entry points by name.

    Raises:
        RuleError: Saying what is wrong and what is allowed.
    """
    if isinstance(spec, str) and spec in registry.BUILTIN_RULES.get(hook, ()):
        # A built-in: its name cannot be taken by another function and its signature is
        # tested, so nothing is imported (the built-ins import numpy).
        return
    if not _IMPORT_RULES.get() and isinstance(spec, str) and spec:
        registry.available_rules(hook)  # loads built-ins, checks the hook
        if ":" in spec and spec.partition(":")[0] not in sys.modules:
            _check_path_statically(spec)
            return
        if spec in registry.available_rules(hook):
            return  # registered, or an entry point (not loaded: that imports its package)
    _check_signature(spec, resolve_rule(hook, spec))
