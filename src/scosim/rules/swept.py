"""What a decision rule reads of a proposal whose fields a sweep varies.

A sweep (``scosim sweep --param proposals.<id>.<field>=...``) gives each run of a batch
its own value of a proposal's number field, but the scenario's proposal object holds a
single number, the one the scenario wrote. A rule that read ``ctx.proposal.cet`` saw that
number in every run, and nothing said so. Contexts therefore carry the swept values,
``ctx.value(field)`` reads a number field run by run (:func:`proposal_value`), and during
a sweep of its fields ``ctx.proposal`` is a :class:`SweptProposal`: a read-only view that
refuses the swept fields with a :class:`SweptFieldError` saying what to read instead.
Without such a sweep a rule gets the scenario's object itself (:func:`rule_proposal`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from scosim.plugins import PluginError
from scosim.proposals.sweep import sweep_key
from scosim.sweepable import takes_number

__all__ = ["SweptFieldError", "SweptProposal", "number_fields", "proposal_value",
           "rule_proposal"]

#: What reads every field of a pydantic model at once: on the view these would hand out
#: the scenario's values of the swept fields.
_WHOLE = frozenset({"model_dump", "model_dump_json", "dict", "json", "model_copy", "copy",
                    "__dict__"})


class SweptFieldError(PluginError):
    """A decision rule read a field of ``ctx.proposal`` that the sweep varies run by run.

    A :class:`~scosim.plugins.PluginError` (so a ``ValueError``), deliberately not an
    ``AttributeError``: ``getattr(ctx.proposal, "cet", default)`` or ``hasattr`` would
    swallow one and carry on with a wrong number. Raised inside a rule, it reaches the user
    as the rule's :class:`~scosim.rules.context.RuleFailed`, naming the rule and the state.
    """


def _key(proposal: Any, field: str) -> str:
    """``proposals.<id>.<field>``: the name the sweep gives the field."""
    return sweep_key(str(getattr(proposal, "id", "?")), field)


class SweptProposal:
    """Read-only view of a scenario's proposal for rules, during a sweep of its fields.

    Every attribute (``id``, ``type``, ``year``, ``participants``, the fields not swept,
    methods) is the scenario object's own, and ``isinstance`` sees the proposal's class.
    A swept field, and what reads every field at once (``model_dump()``, ``dict()``,
    ``model_copy()``, iteration), raise :class:`SweptFieldError`: the object holds one
    value, the runs each have their own.

    Args:
        proposal: The scenario's proposal (a pydantic object).
        swept: The names of its fields the batch sweeps (at least one).
    """

    __slots__ = ("_proposal", "_swept")

    def __init__(self, proposal: Any, swept: Iterable[str]) -> None:
        object.__setattr__(self, "_proposal", proposal)
        object.__setattr__(self, "_swept", tuple(swept))

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: D105
        # isinstance(ctx.proposal, CustomsUnionProposal) holds during a sweep as without
        # one (isinstance falls back on __class__); type(view) is still the view.
        return type(self._proposal)

    def __getattr__(self, name: str) -> Any:
        # Reached only for what the view lacks itself, so for everything of the proposal.
        if name in ("_proposal", "_swept"):
            raise AttributeError(name)  # not set yet (a half-built copy): no recursion
        if name in self._swept:
            raise SweptFieldError(
                f"{_key(self._proposal, name)} is swept: each run has its own value; "
                f"read ctx.value({name!r}), an (R,) array (in a per_run rule, the run's "
                f"number)")
        if name in _WHOLE:
            raise self._whole(f"{name}()" if name != "__dict__" else "vars()")
        if name.startswith("__") and name.endswith("__"):
            # Protocols (copy's __deepcopy__, ...) are the view's: the proposal's would
            # hand back the bare object.
            raise AttributeError(name)
        return getattr(self._proposal, name)

    def _whole(self, what: str) -> SweptFieldError:
        keys = ", ".join(_key(self._proposal, f) for f in self._swept)
        verb = "is" if len(self._swept) == 1 else "are"
        return SweptFieldError(
            f"{keys} {verb} swept: {what} of ctx.proposal would give the scenario's value, "
            f"not each run's; read a swept field with ctx.value(field), an (R,) array (in a "
            f"per_run rule, the run's number)")

    def __iter__(self) -> Iterator[Any]:
        # A pydantic model iterates over (field, value) pairs: dict(ctx.proposal).
        raise self._whole("iterating over the fields")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ctx.proposal is read-only (setting {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"ctx.proposal is read-only (deleting {name!r})")

    def __reduce__(self) -> tuple[Any, ...]:
        # copy and pickle rebuild the view, not the bare proposal (__setattr__ refuses).
        return (SweptProposal, (self._proposal, self._swept))

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self._proposal)) - set(self._swept))

    def __repr__(self) -> str:
        # Not the proposal's repr: it would print the scenario's values of the swept fields.
        return (f"<proposal {getattr(self._proposal, 'id', '?')!r} "
                f"({getattr(self._proposal, 'type', '?')}) during a sweep of "
                f"{', '.join(self._swept)}>")


def _unwrap(proposal: Any) -> Any:
    return object.__getattribute__(proposal, "_proposal") \
        if isinstance(proposal, SweptProposal) else proposal


def number_fields(proposal: Any) -> list[str]:
    """Names of the number fields of ``proposal`` (a view: of the proposal it shows).

    Fields annotated ``int`` or ``float``, or a union of one with ``str`` (a customs
    union's ``cet``: a rate or a rule's name) or ``None``. Not a pydantic object (a test's
    stand-in): its attributes holding a number.
    """
    proposal = _unwrap(proposal)
    fields = getattr(type(proposal), "model_fields", None)
    if isinstance(fields, Mapping):
        return [n for n, f in fields.items() if takes_number(f.annotation, or_none=True)]
    return [n for n, v in getattr(proposal, "__dict__", {}).items()
            if isinstance(v, int | float) and not isinstance(v, bool)]


def proposal_value(proposal: Any, swept: Mapping[str, Any], field: str, runs: Any) -> Any:
    """A number field of ``proposal`` per run: what ``ctx.value(field)`` gives.

    Args:
        proposal: The context's ``proposal`` (the scenario's object or its view).
        swept: The context's ``swept``: per-run values of the swept fields.
        field: The field's name.
        runs: One of the context's ``(R,)`` fields; a scalar in a context
            :func:`~scosim.rules.context.per_run` sliced to one run.

    Returns:
        Float array ``(R,)``: the swept values, else the scenario's number in every run;
        a ``numpy.float64`` (that run's) when ``runs`` is a scalar. A fresh array: a rule
        may change it without changing the model's.

    Raises:
        KeyError: ``field`` is not a number field of the proposal (names those that are).
        ValueError: The scenario gives a name (a CET rule) or nothing for it, no number.
    """
    if field in swept:
        out = np.array(swept[field], dtype=float)
    else:
        names = number_fields(proposal)
        target = _unwrap(proposal)
        if field not in names:
            raise KeyError(
                f"{field!r} is not a number field of proposal "
                f"{getattr(target, 'id', '?')!r} ({getattr(target, 'type', '?')}); "
                f"its number fields: {', '.join(names) or 'none'}")
        given = getattr(target, field)
        if isinstance(given, str) or given is None:
            what = f"the name {given!r}" if given is not None else "no value"
            raise ValueError(
                f"{_key(target, field)} has {what} in the scenario, not a number "
                f"(ctx.proposal.{field} gives what the scenario wrote)")
        out = np.full(np.shape(runs), float(given))
    return out[()] if out.ndim == 0 else out


def rule_proposal(arr: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """The ``proposal`` and ``swept`` a decision rule's context is given for ``arr``.

    Args:
        arr: The proposal (a :class:`~scosim.proposals.base.ProposalType`).

    Returns:
        ``(proposal, swept)``: the scenario's object itself and ``{}`` when the batch
        sweeps none of its fields; else a :class:`SweptProposal` and the swept fields'
        ``(R,)`` values, read-only (they are the model's own).
    """
    swept = {}
    for f, v in arr.swept().items():
        view = np.asarray(v, dtype=float).view()
        view.flags.writeable = False
        swept[f] = view
    if not swept:
        return arr.proposal, swept
    return SweptProposal(arr.proposal, swept), swept
