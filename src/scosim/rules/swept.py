"""What a decision rule reads of a proposal whose fields a sweep varies.

A sweep (``scosim sweep --param proposals.<id>.<field>=...``) gives each run of a batch
its own value of a proposal's number field, but the scenario's proposal object holds a
single number, the one the scenario wrote. A rule that read ``ctx.proposal.cet`` saw that
number in every run, and nothing said so. Contexts therefore carry the swept values and
``ctx.value(field)`` reads a number field run by run (:func:`proposal_value`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["number_fields", "proposal_value", "rule_proposal"]


def _key(proposal: Any, field: str) -> str:
    # Imported here: scosim.proposals imports the rule contexts' modules in turn.
    from scosim.proposals.sweep import sweep_key

    return sweep_key(str(getattr(proposal, "id", "?")), field)


def _unwrap(proposal: Any) -> Any:
    return proposal


def _plain(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def _is_number(annotation: Any) -> bool:
    """``int``, ``float``, or a union of them with ``str`` (a name) or ``None`` (unset)."""
    annotation = _plain(annotation)
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return False
    args = [_plain(a) for a in typing.get_args(annotation)]
    return (any(a in (int, float) for a in args)
            and all(a in (int, float, str, type(None)) for a in args))


def number_fields(proposal: Any) -> list[str]:
    """Names of the number fields of ``proposal``.

    Fields annotated ``int`` or ``float``, or a union of one with ``str`` (a customs
    union's ``cet``: a rate or a rule's name) or ``None``. Not a pydantic object (a test's
    stand-in): its attributes holding a number.
    """
    proposal = _unwrap(proposal)
    fields = getattr(type(proposal), "model_fields", None)
    if isinstance(fields, Mapping):
        return [n for n, f in fields.items() if _is_number(f.annotation)]
    return [n for n, v in getattr(proposal, "__dict__", {}).items()
            if isinstance(v, int | float) and not isinstance(v, bool)]


def proposal_value(proposal: Any, swept: Mapping[str, Any], field: str, runs: Any) -> Any:
    """A number field of ``proposal`` per run: what ``ctx.value(field)`` gives.

    Args:
        proposal: The context's ``proposal`` (the scenario's object).
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
        ``(proposal, swept)``: the scenario's object and the swept fields' ``(R,)``
        values, read-only (they are the model's own); ``{}`` without a sweep of them.
    """
    swept = {}
    for f, v in arr.swept().items():
        view = np.asarray(v, dtype=float).view()
        view.flags.writeable = False
        swept[f] = view
    return arr.proposal, swept
