"""One registry helper for everything a user can plug in: proposal types and mechanisms.

A plug-in is found by the name a scenario gives, in three places, in order:

1. the in-process registry (built-ins and classes registered with ``register``),
2. a dotted import path ``"package.module:Attr"``,
3. installed packages exposing the registry's entry-point group
   (``scosim.proposals`` for proposal types, ``scosim.mechanisms`` for mechanisms),
   under the name the scenario uses.

Every resolved plug-in carries its *origin* (``builtin``, ``path``, ``module`` or the
distribution and version that provided the entry point), which goes into the
run's manifest, with what each proposal type and mechanism declares for the run's
readers (:mod:`scosim.plugin_manifest`): a process that cannot import a plug-in still
reads the run.
A plug-in class is checked when it is registered (OpenFisca habit): a missing
attribute or a name already taken by another class is an error, so results never
depend on which of two clashing plug-ins was imported last.
Decision rules have their own registry (:mod:`scosim.rules.registry`, the
``scosim.rules`` group) with the same three places and the same origins.

Built-ins whose implementation is heavy (pandas, scipy, network tables) are
registered *lazily* (:meth:`Registry.register_lazy`): the registry knows their name,
where they live and a few declared attributes (a proposal type's spec path, a
mechanism's slot), and imports the implementing module only when the plug-in is
used. Validating a scenario therefore reads light spec modules only; the declared
attributes are checked against the class when it loads.
"""

from __future__ import annotations

import difflib
import importlib
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import importlib.metadata

__all__ = ["HEADLINE_KINDS", "PluginError", "Registry", "SweptValues", "blame",
           "call_hook", "check_sweepable", "colon_hint", "decision_rule_names", "did_you_mean",
           "headline_pairs", "headline_problem", "import_path", "indicators_problem",
           "membership_problem", "not_sweepable", "plugin_origins", "recorded_problem",
           "rule_specs"]

T = TypeVar("T")


class PluginError(ValueError):
    """A plug-in that cannot be found, loaded or accepted."""


def colon_hint(spec: str) -> str | None:
    """``" (a dotted path takes a colon: did you mean 'pkg.mod:Name'?)"`` for ``pkg.mod.Name``.

    None when ``spec`` has a colon already or no dot to turn into one.
    """
    module, dot, attr = spec.rpartition(".")
    if not (dot and module and attr) or ":" in spec:
        return None
    return f" (a dotted path takes a colon: did you mean '{module}:{attr}'?)"


def import_path(spec: str, what: str = "plug-in") -> Any:
    """Import ``"package.module:Attr"`` (``Attr`` may be dotted) and return the object.

    Args:
        spec: The dotted path.
        what: Word used in error messages (``"proposal type"``, ``"mechanism"``).

    Raises:
        PluginError: With what is wrong and how to write the path.
    """
    module_name, _, attr_path = spec.partition(":")
    if not module_name or not attr_path:
        raise PluginError(f"bad {what} path {spec!r}: write it as 'package.module:Name'")
    try:
        obj: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            raise PluginError(
                f"bad {what} path {spec!r}: module {module_name!r} not found "
                "(is it installed or on PYTHONPATH?)"
            ) from exc
        raise PluginError(
            f"bad {what} path {spec!r}: importing {module_name!r} failed: {exc}"
        ) from exc
    except Exception as exc:  # noqa: BLE001 - any import-time failure is the user's module
        raise PluginError(
            f"bad {what} path {spec!r}: importing {module_name!r} failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    for part in attr_path.split("."):
        if not hasattr(obj, part):
            where = getattr(obj, "__name__", repr(obj))
            # What the module defines itself (not what it imported), as rule paths say.
            own = sorted(n for n in dir(obj) if not n.startswith("_")
                         and isinstance(getattr(obj, n, None), type)
                         and getattr(getattr(obj, n), "__module__", where) == where)
            close = difflib.get_close_matches(part, own, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            hint += f"; classes there: {', '.join(own[:20])}" if own else ""
            raise PluginError(
                f"bad {what} path {spec!r}: {where!r} has no attribute {part!r}{hint}")
        obj = getattr(obj, part)
    return obj


def _dist_origin(ep: importlib.metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return f"entry point {ep.value}"
    return f"{dist.metadata['Name']} {dist.version} (entry point {ep.value})"


#: Held while built-in or lazily registered plug-ins are imported. A Dask worker with
#: several threads runs batches side by side: without it a second thread saw the
#: registry marked loaded but still empty ("unknown type 'customs_union'; allowed
#: types: ..., customs_union, ...") or both deleted the same lazy entry (KeyError).
#: One lock for every registry (and the rules'), so no two can wait on each other;
#: re-entrant, as importing a plug-in's module may register or look up others.
LOAD_LOCK = threading.RLock()


class Registry(Generic[T]):
    """Named plug-ins of one kind, with dotted paths and an entry-point group.

    Args:
        what: What the plug-ins are, for messages (``"proposal type"``).
        group: Entry-point group scanned for third-party plug-ins.
        check: Called on every object before it is accepted; raises
            :class:`PluginError` with what is wrong.
        builtins: Module imported on first use that registers the built-ins.
    """

    def __init__(
        self, what: str, group: str, check: Callable[[Any, str], None], builtins: str
    ) -> None:
        self.what = what
        self.group = group
        self._check = check
        self._builtins = builtins
        self._loaded = False
        self._ready = False  # the built-ins' import has finished (_loaded: it has begun)
        self._items: dict[str, T] = {}
        self._origins: dict[str, str] = {}
        self._lazy: dict[str, tuple[str, dict[str, Any]]] = {}

    def _load_builtins(self) -> None:
        if self._ready:
            return
        with LOAD_LOCK:  # another thread waits here until the import has finished
            if not self._loaded:
                self._loaded = True  # first: the import may come back here (same thread)
                importlib.import_module(self._builtins)
                self._ready = True

    def register(self, name: str, obj: T, origin: str = "builtin") -> T:
        """Accept ``obj`` under ``name`` after checking it.

        Registering the same object again is harmless; another object under a
        taken name is an error.
        """
        if not name.isidentifier():
            raise PluginError(f"{self.what} name {name!r} must be a Python identifier")
        self._check(obj, name)
        if name not in self._origins:
            # Named first by a dotted path, then registered under its own name (the
            # scenario schema stores that name): its origin is still the path.
            origin = next((o for k, o in self._origins.items()
                           if ":" in k and self._items.get(k) is obj), origin)
        existing = self._items.get(name)
        if existing is None and name in self._lazy:
            target = self._lazy[name][0].replace(":", ".")
            if target != _qual(obj):
                raise PluginError(
                    f"{self.what} {name!r} is already registered by {target}; "
                    f"pick another name for {_qual(obj)}"
                )
        if existing is not None and _qual(existing) != _qual(obj):
            raise PluginError(
                f"{self.what} {name!r} is already registered by {_qual(existing)}; "
                f"pick another name for {_qual(obj)}"
            )
        self._items[name] = obj
        self._origins.setdefault(name, origin)
        return obj

    def register_lazy(self, name: str, target: str, /, **declared: Any) -> None:
        """Know ``name`` now, import ``target`` (``"package.module:Attr"``) on first use.

        Args:
            name: The name scenarios use.
            target: Dotted path of the implementing object.
            **declared: Attributes known without importing it (see :meth:`declared`);
                each must equal the loaded object's attribute of the same name, except
                ``*_path`` entries, which name a light module holding that attribute.
        """
        if not name.isidentifier():
            raise PluginError(f"{self.what} name {name!r} must be a Python identifier")
        existing = self._items.get(name)
        if (existing is not None and _qual(existing) != target.replace(":", ".")) or (
            name in self._lazy and self._lazy[name][0] != target
        ):
            raise PluginError(f"{self.what} {name!r} is already registered")
        # Already imported (its module registered it): still check it on first use.
        self._lazy[name] = (target, declared)
        self._origins.setdefault(name, "builtin")

    def _load_lazy(self, name: str) -> T:
        with LOAD_LOCK:
            if name not in self._lazy:  # loaded by another thread meanwhile
                return self._items[name]
            return self._load_lazy_locked(name)

    def _load_lazy_locked(self, name: str) -> T:
        target, declared = self._lazy[name]
        obj = import_path(target, self.what)
        for key, want in declared.items():
            if key.endswith("_path"):
                key, want = key.removesuffix("_path"), import_path(want, self.what)
            have = getattr(obj, key, None)
            if have is not want and have != want:
                raise PluginError(
                    f"{self.what} {name!r}: {target} has {key}={have!r} but was registered "
                    f"with {key}={want!r}"
                )
        # Importing the module usually registers it (decorator); accept it either way.
        self.register(name, obj, self._origins.get(name, "builtin"))
        del self._lazy[name]
        return obj

    def declared(self, name: str, key: str) -> Any:
        """An attribute of the plug-in ``name``, without importing it when it was declared.

        ``key`` is looked up among the attributes given to :meth:`register_lazy`
        (``key`` itself, or ``key + "_path"``, a dotted path to a light object); a
        plug-in already loaded, or one declared without it, is loaded and asked.
        """
        self._load_builtins()
        if name in self._lazy and name not in self._items:
            declared = self._lazy[name][1]
            if key in declared:
                return declared[key]
            if key + "_path" in declared:
                return import_path(declared[key + "_path"], self.what)
        return getattr(self.get(name), key)

    def _entry_points(self) -> dict[str, importlib.metadata.EntryPoint]:
        # Imported here: only a name that is neither registered nor a dotted path
        # (or a listing of what is available) needs the installed distributions.
        import importlib.metadata

        return {ep.name: ep for ep in importlib.metadata.entry_points(group=self.group)}

    def available(self) -> list[str]:
        """Registered names plus installed entry-point names, sorted."""
        self._load_builtins()
        return sorted(set(self._items) | set(self._lazy) | set(self._entry_points()))

    def loadable(self) -> list[str]:
        """:meth:`available` less the installed entry points that fail to load, sorted.

        What lists of plug-ins offered to users and loops over every plug-in use: an
        installed package whose module fails to import (a missing optional dependency)
        is reported only to a scenario that names it, never to everyone else. Registered
        and lazily registered names are kept without being imported.
        """
        self._load_builtins()
        out = []
        for name in self.available():
            if name not in self._items and name not in self._lazy:
                try:
                    self.get(name)
                except PluginError:
                    continue
            out.append(name)
        return out

    def get(self, spec: str) -> T:
        """The plug-in a scenario names: registered name, dotted path or entry point.

        Raises:
            PluginError: Saying what is available when nothing matches.
        """
        self._load_builtins()
        if not isinstance(spec, str) or not spec:
            raise PluginError(f"a {self.what} must be named by a non-empty string, got {spec!r}")
        if spec in self._items:
            if spec in self._lazy:  # loaded by importing another plug-in's module
                return self._load_lazy(spec)
            return self._items[spec]
        if spec in self._lazy:
            return self._load_lazy(spec)
        if ":" in spec:
            obj = import_path(spec, self.what)
            self._check(obj, spec)
            self._items[spec] = obj
            self._origins[spec] = f"path {spec}"
            return obj
        eps = self._entry_points()
        if spec in eps:
            try:
                obj = eps[spec].load()
            except Exception as exc:  # noqa: BLE001 - report any plug-in failure plainly
                raise PluginError(
                    f"{self.what} {spec!r} from entry point {eps[spec].value!r} failed to load: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            own = getattr(obj, "name", None)
            if isinstance(own, str) and own and own != spec:
                # Scenarios are resolved to the class's name, which worker processes then
                # look up: under another entry-point name they would not find it.
                raise PluginError(
                    f"{self.what} {spec!r}: entry point {spec} = {eps[spec].value!r} (group "
                    f"{self.group!r}) loads a class whose name is {own!r}; name the entry "
                    f"point {own!r}, as scenarios write it"
                )
            return self.register(spec, obj, _dist_origin(eps[spec]))
        # Offered: what loads (an installed plug-in whose import fails is no choice);
        # guessed from: everything installed, so that its misspelt name still finds it.
        avail = self.loadable()
        close = difflib.get_close_matches(spec, self.available(), n=1, cutoff=0.6)
        guess = colon_hint(spec) or (f" (did you mean {close[0]!r}?)" if close else "")
        from scosim.reinstall_hint import reinstall_hint

        raise PluginError(
            f"unknown {self.what} {spec!r}{guess}; available: {', '.join(avail) or '(none)'} "
            f"(or a dotted path 'package.module:Name', or a package exposing the "
            f"{self.group!r} entry-point group){reinstall_hint(self.what)}"
        )

    def reference(self, name: str) -> str:
        """What finds the plug-in registered as ``name`` again in another process.

        Its dotted path when a scenario named it by one, or when a module outside scosim
        registered it (``register_type`` or ``@register_mechanism`` in the user's
        module): a worker process, or a later run of the resolved scenario, has not
        imported that module. Else ``name``. Nothing is imported.
        """
        origin = self._origins.get(name, "")
        if origin.startswith("path "):
            return origin.removeprefix("path ")
        module = origin.removeprefix("module ")
        if origin.startswith("module ") and module != "__main__" and name in self._items:
            return f"{module}:{getattr(self._items[name], '__qualname__', name)}"
        return name

    def origin(self, name: str) -> str:
        """Where the plug-in registered as ``name`` came from (for the run manifest)."""
        self.get(name)
        return self._origins[name]


def _qual(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def plugin_origins(scenario: Any) -> dict[str, dict[str, str]]:
    """Where every plug-in a scenario uses came from, and what its types declare (manifest).

    Returns:
        ``{"proposal_types": {name: origin}, "mechanisms": {slot: "name (origin)"},
        "rules": {spec: origin}, "decision_rules": {name: origin}, "declared":
        {"proposal_types": ...}}`` (``decision_rules``: :func:`decision_rule_names`);
        an origin is
        ``builtin``, ``path ...``, ``module ...`` (a class registered by a module the
        user imported) or the distribution and version that provided the entry point;
        ``declared`` is what the run's readers need of each type and mechanism
        (:func:`scosim.plugin_manifest.declared_types`, ``declared_mechanisms``).
    """
    from scosim.model.decision_rules import decision_rule_origin
    from scosim.model.slots import keyed, mechanism_origin
    from scosim.plugin_manifest import declared_mechanisms, declared_types
    from scosim.proposals import type_origin
    from scosim.rules.registry import rule_origin

    types = {p.type: type_origin(p.type) for p in scenario.proposals}
    mechs = {key: f"{name} ({mechanism_origin(name)})"
             for key, name in keyed(scenario.parameters.mechanisms).items()}
    rules = {f"{h}:{s}" if ":" not in s else s: rule_origin(h, s)
             for h, s in rule_specs(scenario)}
    decisions = {n: decision_rule_origin(n) for n in decision_rule_names(scenario)}
    return {"proposal_types": types, "mechanisms": mechs, "rules": rules,
            "decision_rules": decisions,
            "declared": {"proposal_types": declared_types(scenario),
                         "mechanisms": declared_mechanisms(scenario)}}


def decision_rule_names(scenario: Any) -> list[str]:
    """The Council decision rules a scenario's proposals are decided by, sorted.

    Each proposal's own ``decision_rule``, else ``parameters.council.decision_rule``, else
    its type's ``default_decision_rule``: the rules as named, before a type translates
    one (an accession's variable geometry is decided as a majority by the built-in code).
    """
    from scosim.proposals import get_type

    council = scenario.parameters.council.decision_rule
    return sorted({p.decision_rule or council or get_type(p.type).default_decision_rule
                   for p in scenario.proposals})


def rule_specs(scenario: Any) -> list[tuple[str, str]]:
    """Every ``(hook, rule)`` a scenario names, its own and its economies', sorted."""
    specs = set(scenario.parameters.rules.items())
    for ov in scenario.countries.values():
        specs |= set(ov.rules.items())
    return sorted(specs)


def membership_problem(m: Any) -> str | None:
    """What is wrong with a ``ProposalType.membership`` value (None: nothing).

    One rule for a class when it is registered and for a run manifest's record of it:
    None, or ``(indicator, heading, what)``, three non-empty strings, the heading at
    most 8 characters (the column of the run's answer).
    """
    if m is None:
        return None
    if not (isinstance(m, list | tuple) and len(m) == 3
            and all(isinstance(x, str) and x for x in m)):
        return f"must be None or (indicator, heading, what), three non-empty strings; got {m!r}"
    if len(m[1]) > 8:
        return (f"heading {m[1]!r} is longer than 8 characters (the column of the run's "
                "answer)")
    return None


#: How a headline indicator is summarised in the run's answer (``Mechanism.headline``,
#: ``ProposalType.headline``; :mod:`scosim.mechanism_answer`): ``share`` (1 when something
#: happens), ``total`` (a yearly flow: also summed over the years), ``level`` (a stock or a
#: present value: never summed over the years), ``final`` (a level as known at the end: shown
#: in the run's last year, e.g. payments that a drawn failure settles in some runs and
#: years), ``net`` (the welfare change, percent of real expenditure, less what the owner's
#: ``welfare_excludes`` names: shown beside the welfare change in the answer's who-gains
#: table, not in a block of its own).
HEADLINE_KINDS: tuple[str, ...] = ("share", "total", "level", "final", "net")


def headline_pairs(headline: dict[str, str]) -> list[list[str]]:
    """A ``headline`` as the manifest records it: ``[[name, kind], ...]`` in declared order.

    A list, because the manifest is written with sorted keys and the answer lists the
    indicators in the order their owner declares them (a bank failure before its bail-in).
    """
    return [[str(k), str(v)] for k, v in headline.items()]


def recorded_problem(cls: Any) -> str | None:
    """What is wrong with a plug-in's ``recorded_indicators``, or None.

    It is read when a scenario is validated, before any model or instance exists, so it
    must be a classmethod.
    """
    import inspect

    if not isinstance(inspect.getattr_static(cls, "recorded_indicators"), classmethod):
        return ("`recorded_indicators` must be a classmethod: it is called with the "
                "scenario when the scenario is validated, before any instance exists")
    return None


def indicators_problem(indicators: Any) -> str | None:
    """What is wrong with a plug-in's ``indicators`` declaration (None: nothing).

    A mapping of indicator names (identifiers, the tables' values) to their units (text
    for the tables, the answer and the figures). A list passed registration and stopped
    the run with a bare ``dictionary update sequence`` error.
    """
    if not isinstance(indicators, dict):
        return (f"must map each indicator's name to its unit, e.g. {{'visa_cost_pct': "
                f"'percent'}}; got {type(indicators).__name__} {indicators!r}")
    for name, unit in indicators.items():
        if not (isinstance(name, str) and name.isidentifier()):
            return f"name {name!r} must be a Python identifier (a column value of the tables)"
        if not (isinstance(unit, str) and unit.strip()):
            return f"indicator {name!r} has unit {unit!r}; a unit is a non-empty string"
    return None


def did_you_mean(value: Any, allowed: Sequence[str]) -> str:
    """`` (did you mean 'total'?)`` for a near miss of one of ``allowed``, else ``""``."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def headline_problem(headline: Any, indicators: Any) -> str | None:
    """What is wrong with a ``headline`` declaration (None: nothing).

    One rule for a class when it is registered and for a run manifest's record of it:
    a mapping of some of ``indicators`` to one of :data:`HEADLINE_KINDS` each.
    """
    if not isinstance(headline, dict):
        return f"must map some of its indicators to a kind, got {headline!r}"
    for ind, kind in headline.items():
        # A misspelt name would otherwise vanish from the answer.
        if ind not in indicators:
            return (f"indicator {ind!r} is not one of its indicators "
                    f"({', '.join(sorted(indicators)) or 'none'})")
        if kind not in HEADLINE_KINDS:
            return (f"indicator {ind!r} has kind {kind!r}{did_you_mean(kind, HEADLINE_KINDS)}; "
                    f"kinds are: {', '.join(HEADLINE_KINDS)}")
    return None


#: What the trust term of a vote measures unless its proposal type says otherwise.
DEFAULT_TRUST_TERM = "trust in the proposer"


def trust_term_problem(t: Any) -> str | None:
    """What is wrong with a ``ProposalType.trust_term`` value (None: nothing)."""
    if isinstance(t, str) and t.strip() and len(t) <= 60:
        return None
    return f"must be a non-empty phrase of at most 60 characters (a figure's legend); got {t!r}"


def call_hook(fn: Callable[..., Any], *args: Any,
              keep: tuple[type[BaseException], ...] = ()) -> Any:
    """Call a plug-in's hook while a scenario is validated; any failure is a PluginError.

    Validation calls plug-in code (``recorded_indicators(scenario)``, a proposal type's
    ``check``, a settings or spec model's validators). Pydantic turns only a ValueError
    into a validation error: a KeyError or AttributeError in a user's hook reached the
    user as a traceback. Its callers report the error at the scenario's line naming the
    plug-in, as any other problem of the file.

    Args:
        fn: The hook, e.g. ``cls.recorded_indicators`` (a bound classmethod).
        *args: Passed to it.
        keep: Exception types raised as they are (a model's ``ValidationError``, which
            the caller turns into located messages).

    Raises:
        PluginError: Naming the class and method, the exception and, when it was raised
            in the plug-in's own module, its line there (no traceback is shown).
    """
    try:
        return fn(*args)
    except keep:
        raise
    except Exception as exc:
        owner = getattr(fn, "__self__", None)
        name = (f"{_qual(owner)}.{getattr(fn, '__name__', '?')}" if isinstance(owner, type)
                else _qual(fn))
        raise PluginError(f"{name} raised {type(exc).__name__}: {exc}"
                          f"{_raised_at(exc, owner if isinstance(owner, type) else fn)}"
                          ) from exc


def _raised_at(exc: BaseException, obj: Any) -> str:
    """``" (at file:line)"``: the deepest line of ``exc``'s traceback in ``obj``'s module."""
    import sys
    import traceback

    file = getattr(sys.modules.get(getattr(obj, "__module__", "")), "__file__", None)
    # The user's own file is what they edit; a library frame below it says little.
    lines = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == file]
    return f" (at {lines[-1].filename}:{lines[-1].lineno})" if lines else ""


#: Manifest records of what plug-ins declare, kept in :mod:`scosim.plugin_manifest` and
#: importable from here as before.
_MANIFEST = ("declared_types", "declared_mechanisms", "recorded_types", "recorded_mechanisms",
             "read_declarations")


def __getattr__(name: str) -> Any:
    # Lazily, because scosim.plugin_manifest imports the checks above from this module.
    if name in _MANIFEST:
        from scosim import plugin_manifest

        return getattr(plugin_manifest, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The sweep helpers and the note naming the plug-in a run-time error came from live in
# their own modules; types and mechanisms import them from here.
from scosim.plugin_blame import blame  # noqa: E402
from scosim.sweepable import SweptValues, check_sweepable, not_sweepable  # noqa: E402
