"""Proposal types: one module per kind of proposal, registered by name.

Built-ins: ``customs_union``, ``free_trade_area``, ``accession``, ``application``,
``declaration``, ``development_bank``. A third-party
package adds a type through the entry-point group ``scosim.proposals`` (entry
name = the ``type:`` value), or a scenario names one by dotted path
(``type: "mypkg.visa:VisaFree"``). See docs/proposals.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scosim._lazy import lazy_exports
from scosim.plugins import (
    PluginError,
    Registry,
    headline_problem,
    indicators_problem,
    membership_problem,
    recorded_problem,
    trust_term_problem,
)
from scosim.proposals.specs import OPT_IN_RULES, ProposalSpec

if TYPE_CHECKING:
    from scosim.proposals.base import Preview, ProposalType

# The behaviour half imports numpy: loaded on first use, so validation stays light.
__getattr__, __dir__ = lazy_exports(
    __name__, {"Preview": "base", "ProposalType": "base"}, globals()
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "OPT_IN_RULES",
    "Preview",
    "ProposalSpec",
    "ProposalType",
    "available_types",
    "builtin_types",
    "get_type",
    "loadable_types",
    "register_type",
    "type_check",
    "type_origin",
    "type_reference",
    "type_spec",
]

#: Entry-point group scanned for third-party proposal types.
ENTRY_POINT_GROUP = "scosim.proposals"

_METHODS = (
    "check", "decision_rule", "eligible_runs", "invitees", "voters", "together", "together_leave",
    "on_tabled", "acted_on", "negotiate", "preview", "apply", "phase_at", "enter_into_force",
    "admit_member", "gain_if_member", "joining_with", "record", "recorded_indicators",
)


def _check(cls: Any, name: str) -> None:
    from scosim.proposals.base import ProposalType

    if not (isinstance(cls, type) and issubclass(cls, ProposalType)):
        raise PluginError(
            f"proposal type {name!r} must be a subclass of scosim.proposals.ProposalType, "
            f"got {cls!r}"
        )
    if not cls.name:
        raise PluginError(f"proposal type {cls.__qualname__} has no `name`")
    unknown = [a for a in vars(cls) if not a.startswith("_") and a not in _ALLOWED]
    if unknown:
        import difflib

        # Each name with its near miss in the usual form: "(did you mean 'previw' ->
        # 'preview'?)" read awkwardly (an outside review, 2026-12-07).
        said = []
        for a in sorted(unknown):
            m = difflib.get_close_matches(a, sorted(_ALLOWED), n=1, cutoff=0.75)
            said.append(f"{a!r}" + (f" (did you mean {m[0]!r}?)" if m else ""))
        raise PluginError(
            f"proposal type {cls.name!r} defines {', '.join(said)}, which the "
            f"protocol does not know; allowed: {', '.join(sorted(_ALLOWED))} "
            "(prefix helpers with '_')"
        )
    if problem := indicators_problem(cls.indicators):
        raise PluginError(f"proposal type {cls.name!r}: `indicators` {problem}")
    _check_attributes(cls)
    _check_membership(cls)
    _check_vote_hook(cls)
    if problem := recorded_problem(cls):
        raise PluginError(f"proposal type {cls.name!r}: {problem}")
    problem = trust_term_problem(cls.trust_term)
    if problem:
        raise PluginError(f"proposal type {cls.name!r}: `trust_term` {problem}")
    problem = headline_problem(cls.headline, cls.indicators)
    if problem:
        raise PluginError(f"proposal type {cls.name!r}: `headline` {problem}")
    spec = cls.spec
    if not (isinstance(spec, type) and issubclass(spec, ProposalSpec)) or spec is ProposalSpec:
        raise PluginError(
            f"proposal type {cls.name!r}: `spec` must be a subclass of "
            "scosim.proposals.ProposalSpec with a field `type: Literal[name]`"
        )
    literal = getattr(spec.model_fields["type"].annotation, "__args__", ())
    if tuple(literal) != (cls.name,):
        raise PluginError(
            f"proposal type {cls.name!r}: its spec's `type` field must be "
            f"Literal[{cls.name!r}], got {spec.model_fields['type'].annotation!r}"
        )
    _check_sweepable(cls)


def _check_attributes(cls: Any) -> None:
    """The Council's class attributes: each had a run fail later, or pass silently.

    ``exit_allowed = "no"`` is truthy (exits allowed); ``ratification_lag = "2"`` failed
    in the first adoption year; an unknown ``default_decision_rule`` at the first vote.
    """
    # The registry's names (a plug-in's too); it imports no numpy (registration runs in
    # validate).
    from scosim.model.decision_rules import decision_rule_problem

    where = f"proposal type {cls.name!r}"
    default = cls.default_decision_rule
    problem = (decision_rule_problem(default) if isinstance(default, str)
               else "a decision rule is named by a string")
    if problem:
        raise PluginError(f"{where}: `default_decision_rule` {default!r}: {problem}")
    lag = cls.ratification_lag
    if lag is not None and (isinstance(lag, bool) or not isinstance(lag, int) or lag < 0):
        raise PluginError(f"{where}: `ratification_lag` must be None (the Council's) or a "
                          f"whole number of years >= 0; got {lag!r}")
    for flag in ("exit_allowed", "retable", "record_always"):
        if not isinstance(getattr(cls, flag), bool):
            raise PluginError(f"{where}: `{flag}` must be True or False; got "
                              f"{getattr(cls, flag)!r}")
    setter = next((c for c in cls.__mro__ if vars(c).get("record_always") is True
                   and not _own(c)), None)
    if setter is not None:
        # Recording a type in every run needs it in every process whether a scenario names
        # it or not: a run's columns would depend on which packages happen to be imported.
        # (A subclass of a built-in inherits the built-in's True, harmlessly: only the
        # built-ins are recorded in every run.)
        raise PluginError(f"{where} ({setter.__module__}:{setter.__qualname__}): "
                          "`record_always = True` is "
                          "for scosim's built-in types only; a plug-in type's indicators are "
                          "recorded in every run with a proposal of the type. Remove it (to "
                          "compare runs with and without the proposal, compare the shared "
                          "indicators such as welfare_change_pct)")
    if not isinstance(cls.welfare_excludes, str):  # else the answer fails to read later
        raise PluginError(f"{where}: `welfare_excludes` must be text (a phrase after 'not "
                          f"counting'), got {cls.welfare_excludes!r}")
    from scosim.model.lever_writers import declared_problem

    if problem := declared_problem(cls.writes_levers):  # else validation fails later
        raise PluginError(f"{where}: {problem}")


def _own(cls: Any) -> bool:
    """Whether ``cls`` is scosim's own (a built-in), by the module defining it."""
    module = str(getattr(cls, "__module__", ""))
    return module == "scosim" or module.startswith("scosim.")


def _check_sweepable(cls: Any) -> None:
    from scosim.plugins import check_sweepable

    check_sweepable(f"proposal type {cls.name!r}", cls.sweepable, cls.spec.model_fields,
                    "field", "its spec")
    if "year" in cls.sweepable:
        # The Council tables a proposal in one year for every run of a batch: a per-run
        # value would be accepted and ignored.
        raise PluginError(f"proposal type {cls.name!r}: sweepable field 'year' is read once "
                          "for every run (the year the Council tables it), so a sweep cannot "
                          "vary it across runs; run one scenario per year instead "
                          "(--set proposals.0.year=...)")


def _check_vote_hook(cls: Any) -> None:
    from scosim.rules.registry import SHARED_RULES

    # The voters' rules are called with a vote context: only hooks whose rules take one.
    allowed = ["vote", *sorted(h for h, shared in SHARED_RULES.items() if shared == "vote")]
    if cls.vote_hook not in allowed:
        raise PluginError(f"proposal type {cls.name!r}: `vote_hook` {cls.vote_hook!r} is not "
                          f"a hook whose rules take a vote context; allowed: "
                          f"{', '.join(allowed)}")


def _check_membership(cls: Any) -> None:
    m = cls.membership
    # A tuple on the class (readers compare memberships as tuples); a manifest's is a list.
    problem = (f"must be a tuple (indicator, heading, what), not a list: {m!r}"
               if isinstance(m, list) else membership_problem(m))
    if problem:
        raise PluginError(f"proposal type {cls.name!r}: `membership` {problem}")
    if m is not None and m[0] not in cls.indicators:
        raise PluginError(f"proposal type {cls.name!r}: membership indicator {m[0]!r} is not "
                          f"one of its indicators ({', '.join(sorted(cls.indicators)) or 'none'})")


_ALLOWED = {
    *_METHODS, "name", "spec", "default_decision_rule", "ratification_lag", "exit_allowed",
    "retable", "indicators", "record_always", "event_fields", "membership", "vote_hook",
    "sweepable", "trust_term", "headline", "welfare_excludes", "writes_levers",
}

_REGISTRY: Registry[type[ProposalType]] = Registry(
    "proposal type", ENTRY_POINT_GROUP, _check, "scosim.proposals.builtin"
)


def register_type(cls: type[ProposalType]) -> type[ProposalType]:
    """Class decorator registering a proposal type under ``cls.name``.

    Its origin (the run manifest's) is ``builtin`` for scosim's own types, else
    ``module <name>`` of the module defining it (a type first named by dotted path
    keeps ``path ...``).
    """
    module = str(getattr(cls, "__module__", ""))
    return _REGISTRY.register(cls.name, cls, "builtin" if _own(cls) else f"module {module}")


def get_type(name: str) -> type[ProposalType]:
    """The proposal type a scenario's ``type:`` names (name, dotted path or entry point)."""
    return _REGISTRY.get(name)


def type_spec(name: str) -> type[ProposalSpec]:
    """The scenario spec of a proposal type, without importing a lazily registered one.

    Validation needs only the fields: built-in types with heavy implementations
    declare their spec's light module (:mod:`scosim.proposals.builtin`), so checking a
    scenario does not import pandas or scipy. Other types are loaded and asked.
    """
    return _REGISTRY.declared(name, "spec")


def type_check(name: str) -> Any:
    """A proposal type's ``check(proposal, scenario)``, without importing a lazy built-in.

    Built-in types declare their checks' light module (:mod:`scosim.proposals.builtin`);
    other types are loaded and asked.
    """
    return _REGISTRY.declared(name, "check")


def available_types() -> list[str]:
    """Names of the known proposal types (registered and installed)."""
    return _REGISTRY.available()


def loadable_types() -> list[str]:
    """:func:`available_types` less installed ones that fail to load (what errors offer)."""
    return _REGISTRY.loadable()


def builtin_types() -> list[str]:
    """Names of the proposal types shipped with scosim, sorted."""
    _REGISTRY._load_builtins()
    return sorted(n for n, o in _REGISTRY._origins.items() if o == "builtin")


def type_reference(name: str) -> str:
    """The ``type:`` a resolved scenario writes for the type registered as ``name``.

    The dotted path it was named by, else ``name``
    (:meth:`scosim.plugins.Registry.reference`).
    """
    return _REGISTRY.reference(name)


def type_origin(name: str) -> str:
    """Where a proposal type came from (``builtin``, a path, or a distribution)."""
    return _REGISTRY.origin(name)
