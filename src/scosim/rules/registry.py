"""Registry of states' rules: functions chosen by name per hook.

A *hook* is a decision point in the model (how a state votes, when it defects,
...). A *rule* is a function registered under a hook. Scenarios pick rules by
name; three places are searched, in order:

1. the in-process registry (``@rule("vote")`` and the built-ins in
   :mod:`scosim.rules.builtin`),
2. a dotted import path ``"package.module:function"`` (``module:Class.attr``
   also works),
3. installed packages exposing the entry-point group ``scosim.rules`` with
   entry-point names ``"hook.name"`` (e.g. ``vote.hawkish = mypkg.rules:hawk``).

So a user adds a rule without editing scosim's files. These are the rules by which each
state decides (votes, defects, ...); the Council's *decision rules*, which aggregate the
votes, are :mod:`scosim.model.decision_rules`.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import importlib.metadata

__all__ = [
    "BUILTIN_RULES",
    "ENTRY_POINT_GROUP",
    "HOOKS",
    "SHARED_RULES",
    "RuleError",
    "available_rules",
    "register_hook",
    "resolve_rule",
    "rule",
    "rule_origin",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Hooks that exist. Extend with :func:`register_hook`, never by mutation.
HOOKS: tuple[str, ...] = ("vote", "defect", "propose", "consent", "apply", "cooperate")

#: Names of the built-in rules per hook, known without importing them (their module
#: imports numpy): validation accepts these names as they are, and a test keeps this
#: table equal to what :mod:`scosim.rules.builtin` registers.
#: Rule used for each hook unless a scenario says otherwise.
DEFAULT_RULES: dict[str, str] = {
    "vote": "utility_vote",
    "defect": "threshold_defect",
    "propose": "never_retable",
    "consent": "consent_unless_harmed",
}
BUILTIN_RULES: dict[str, tuple[str, ...]] = {
    "vote": ("utility_vote", "score_only_vote", "always_yes", "always_no", "gains_only",
             "no_dominant_partner"),
    "defect": ("threshold_defect", "never_defect"),
    "propose": ("never_retable", "retable_near_miss", "retable_every_two_years"),
    "consent": ("consent_unless_harmed", "always_consent", "never_consent"),
    "cooperate": ("conditional_cooperation", "free_riding", "sovereignty_capped",
                  "keep_effort"),
}
#: Hooks whose rules take another hook's context and may be any of its rules: an
#: applicant decides whether to apply with a vote context, so every vote rule is also an
#: apply rule (rules registered under ``apply`` itself come first).
SHARED_RULES: dict[str, str] = {"apply": "vote"}
BUILTIN_RULES["apply"] = BUILTIN_RULES["vote"]

#: Entry-point group scanned for third-party rules (names "hook.name").
ENTRY_POINT_GROUP = "scosim.rules"

_REGISTRY: dict[str, dict[str, Callable[..., Any]]] = {h: {} for h in HOOKS}
_builtins_loaded = False
_builtins_ready = False


class RuleError(ValueError):
    """A rule reference that cannot be resolved (unknown hook, name or path)."""


def register_hook(hook: str) -> None:
    """Declare a new hook so rules can be registered under it.

    Args:
        hook: Hook name, a Python identifier. Registering an existing hook is a no-op.

    Raises:
        RuleError: If ``hook`` is not an identifier.
    """
    global HOOKS
    if not hook.isidentifier():
        raise RuleError(f"hook name {hook!r} must be a Python identifier")
    if hook not in _REGISTRY:
        _REGISTRY[hook] = {}
        HOOKS = (*HOOKS, hook)


def _check_hook(hook: str) -> None:
    if hook not in _REGISTRY:
        close = difflib.get_close_matches(str(hook), list(_REGISTRY), n=1, cutoff=0.6)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        raise RuleError(f"unknown hook {hook!r}{guess}; hooks are: {', '.join(_REGISTRY)}")


def rule(hook: str, name: str | None = None) -> Callable[[F], F]:
    """Decorator registering a function as rule ``name`` under ``hook``.

    Args:
        hook: One of :data:`HOOKS`.
        name: Name used in scenario files; defaults to the function's ``__name__``.

    Returns:
        The decorator; it returns the function unchanged.

    Raises:
        RuleError: If the hook is unknown, or the name is taken by another function.
    """
    _check_hook(hook)

    def decorator(fn: F) -> F:
        key = name or fn.__name__
        if not key.isidentifier():
            raise RuleError(f"rule name {key!r} must be a Python identifier")
        existing = _REGISTRY[hook].get(key)
        # Re-registering the same function (module reloaded) is harmless; a
        # different function under a taken name would silently change results.
        if existing is not None and _qualname(existing) != _qualname(fn):
            raise RuleError(
                f"rule {hook}/{key} is already registered by {_qualname(existing)}; "
                f"pick another name for {_qualname(fn)}"
            )
        _REGISTRY[hook][key] = fn
        return fn

    return decorator


def _qualname(fn: Any) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def _load_builtins() -> None:
    # Imported lazily: builtin.py imports this module, and callers may resolve
    # rules without ever importing scosim.rules themselves. Under the plug-ins' lock:
    # another thread (a Dask worker's) waits until every built-in is registered.
    global _builtins_loaded, _builtins_ready
    if _builtins_ready:
        return
    from scosim.plugins import LOAD_LOCK

    with LOAD_LOCK:
        if not _builtins_loaded:
            _builtins_loaded = True  # first: builtin.py imports this module
            importlib.import_module("scosim.rules.builtin")
            _builtins_ready = True


def _entry_points(hook: str) -> dict[str, importlib.metadata.EntryPoint]:
    # Imported here: scanning installed distributions costs start-up time, and a
    # scenario naming only built-in or registered rules never needs it.
    import importlib.metadata

    found: dict[str, importlib.metadata.EntryPoint] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        ep_hook, _, ep_name = ep.name.partition(".")
        if ep_hook == hook and ep_name:
            found[ep_name] = ep
        elif not ep_name or ep_hook not in _REGISTRY:
            _warn_malformed(ep, ep_hook, ep_name)
    return found


#: Malformed entry points already warned about, by (distribution, name, value).
_WARNED: set[tuple[str, str, str]] = set()


def _warn_malformed(ep: importlib.metadata.EntryPoint, hook: str, name: str) -> None:
    """Warn once that an entry point of ``scosim.rules`` can never be found.

    Its name must be ``"<hook>.<rule name>"`` with a known hook; before, ``"nohook_rule"``
    and ``"vot.typo_rule"`` were skipped in silence and the package's author was told
    only that the rule was unknown.
    """
    import warnings

    from scosim.errors import ScosimWarning

    dist = getattr(ep, "dist", None)
    who = "an unknown distribution" if dist is None else (
        f"distribution {dist.metadata['Name']} {dist.version}")
    key = (who, ep.name, ep.value)
    if key in _WARNED:
        return
    _WARNED.add(key)
    if not name:
        why = "its name has no hook: write it '<hook>.<rule name>', e.g. 'vote.my_rule'"
    else:
        close = difflib.get_close_matches(hook, list(_REGISTRY), n=1, cutoff=0.6)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        why = (f"unknown hook {hook!r}{guess}; hooks are: {', '.join(_REGISTRY)} (a hook a "
               "plug-in declares with register_hook is known once its module is imported)")
    warnings.warn(f"entry point {ep.name!r} = {ep.value!r} of {who} (group "
                  f"{ENTRY_POINT_GROUP!r}) is ignored: {why}", ScosimWarning, stacklevel=3)


def available_rules(hook: str) -> list[str]:
    """Names usable for ``hook``: registered rules plus entry-point rules, sorted.

    Raises:
        RuleError: If the hook is unknown.
    """
    _load_builtins()
    _check_hook(hook)
    names = set(_REGISTRY[hook]) | set(_entry_points(hook))
    if hook in SHARED_RULES:
        names |= set(available_rules(SHARED_RULES[hook]))
    return sorted(names)


def _resolve_path(spec: str) -> Callable[..., Any]:
    module_name, _, attr_path = spec.partition(":")
    if not module_name or not attr_path:
        raise RuleError(
            f"bad rule path {spec!r}: write it as 'package.module:function'"
        )
    try:
        obj: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # Distinguish "your module does not exist" from "your module imports
        # something that does not exist": the fixes differ.
        missing = exc.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            raise RuleError(
                f"bad rule path {spec!r}: module {module_name!r} not found "
                f"(is it installed or on PYTHONPATH?)"
            ) from exc
        raise RuleError(
            f"bad rule path {spec!r}: importing {module_name!r} failed: {exc}"
        ) from exc
    except Exception as exc:  # noqa: BLE001 - any import-time failure is the user's module
        raise RuleError(
            f"bad rule path {spec!r}: importing {module_name!r} failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    for part in attr_path.split("."):
        if not hasattr(obj, part):
            where = getattr(obj, "__name__", repr(obj))
            # Only list what the module defines itself, not what it imported.
            public = sorted(
                n
                for n in dir(obj)
                if not n.startswith("_")
                and callable(getattr(obj, n, None))
                and getattr(getattr(obj, n), "__module__", where) == where
            )
            hint = f"; callables there: {', '.join(public[:20])}" if public else ""
            raise RuleError(
                f"bad rule path {spec!r}: {where!r} has no attribute {part!r}{hint}"
            )
        obj = getattr(obj, part)
    if not callable(obj):
        raise RuleError(
            f"bad rule path {spec!r}: {attr_path!r} is not callable "
            f"(it is a {type(obj).__name__})"
        )
    return obj


def resolve_rule(hook: str, spec: str) -> Callable[..., Any]:
    """Return the function a scenario names for ``hook``.

    Args:
        hook: One of :data:`HOOKS`.
        spec: A registered name (``"utility_vote"``), a dotted path
            (``"mypkg.rules:cautious_vote"``) or an entry-point rule name.

    Returns:
        The callable.

    Raises:
        RuleError: With a message saying what is available when nothing matches.
    """
    _load_builtins()
    _check_hook(hook)
    if not isinstance(spec, str) or not spec:
        raise RuleError(f"rule for hook {hook!r} must be a non-empty string, got {spec!r}")
    if ":" in spec:
        return _resolve_path(spec)
    if spec in _REGISTRY[hook]:
        return _REGISTRY[hook][spec]
    eps = _entry_points(hook)
    if hook in SHARED_RULES and spec not in eps and spec in available_rules(SHARED_RULES[hook]):
        return resolve_rule(SHARED_RULES[hook], spec)
    if spec in eps:
        try:
            obj = eps[spec].load()
        except Exception as exc:  # noqa: BLE001 - report any plug-in failure plainly
            raise RuleError(
                f"rule {hook}/{spec} from entry point {eps[spec].value!r} failed to load: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if not callable(obj):
            raise RuleError(f"entry point {hook}.{spec} ({eps[spec].value}) is not callable")
        return obj
    avail = available_rules(hook)
    names = ", ".join(avail) or "(none)"
    close = difflib.get_close_matches(spec, avail, n=1, cutoff=0.6)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    hint = (
        "; dotted paths are written 'package.module:function'" if "." in spec else
        "; or give a dotted path 'package.module:function'"
    )
    from scosim.reinstall_hint import reinstall_hint

    raise RuleError(f"unknown {hook} rule {spec!r}{guess}; registered {hook} rules: {names}{hint}"
                    f"{reinstall_hint(f'{hook} rule')}")


def rule_origin(hook: str, spec: str) -> str:
    """Where the rule a scenario names came from (for the run manifest).

    Returns ``builtin``, ``registered <module>``, ``path <spec>``, or the
    distribution that provided the entry point.
    """
    fn = resolve_rule(hook, spec)
    if ":" in spec:
        return f"path {spec}"
    if hook in SHARED_RULES and spec not in _REGISTRY[hook] and spec not in _entry_points(hook):
        return rule_origin(SHARED_RULES[hook], spec)  # a vote rule deciding an application
    if _REGISTRY[hook].get(spec) is fn:
        builtin = fn.__module__ in ("scosim.rules.builtin", "scosim.security.rules")
        return "builtin" if builtin else f"registered {fn.__module__}"
    ep = _entry_points(hook).get(spec)
    dist = getattr(ep, "dist", None)
    if dist is not None:
        return f"{dist.metadata['Name']} {dist.version} (entry point {ep.value})"
    return "unknown"
