"""What a sweep may vary in a plug-in: the ``sweepable`` declaration and its per-run values.

Proposal types (:class:`scosim.proposals.base.ProposalType`) and mechanisms
(:class:`scosim.model.slots.Mechanism`) declare the number fields a sweep may vary
across the runs of one batch and read them through :meth:`SweptValues.value`;
:func:`check_sweepable` refuses a declaration no sweep could honour, and
:func:`not_sweepable` says why a field that is not declared cannot be swept.
:mod:`scosim.plugins` re-exports all three.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

__all__ = ["SWEPT_COLLECTION", "SWEPT_INSTABILITY", "SweptValues", "check_sweepable",
           "not_sweepable"]

#: A sweep's name for one economy's instability on the corridor network (``<prefix><ISO3>``),
#: held over the years in each run: read by ``scosim.network.mechanism.scenario_instability``,
#: checked by ``scosim.sweep_request.instability_param_problem``.
SWEPT_INSTABILITY = "parameters.network.instability."
#: A sweep's name for one importer's collection rate (``<prefix><ISO3>``), each run's rate
#: exactly: read by ``scosim.mechanisms.collection.collection_per_run``, checked by
#: ``scosim.sweep_request.collection_param_problem``.
SWEPT_COLLECTION = "parameters.trade.collection_rates."


def not_sweepable(what: str, reader: str, noun: str, allowed: list[str], where: str) -> str:
    """Why a sweep cannot vary ``what``: a plug-in reads per run only what it declares.

    Args:
        what: The setting or field named, e.g. ``"field 'x' of proposal 'cu' (type cu)"``.
        reader: Who reads it, e.g. ``"its type"``.
        noun: What it has, plural, e.g. ``"fields"``.
        allowed: The sweep keys it does read per run.
        where: The declaration and its documentation.
    """
    return (f"{what} cannot be swept: a sweep varies a value across the runs of one batch, "
            f"and {reader} reads "
            + (f"only these per run: {', '.join(allowed)}" if allowed
               else f"none of its {noun} per run")
            + f" ({where})")


def check_sweepable(what: str, sweepable: Any, fields: dict[str, Any], noun: str,
                    model: str) -> None:
    """Refuse a ``sweepable`` declaration that is not a tuple of number fields.

    A sweep hands the plug-in floats, one per run: only a field that takes a number can
    take them, a number field or one that takes a number or a name (a customs union's
    ``cet``, a rule's name or a rate: a sweep sets the rate, as ``--set`` does).

    Args:
        what: The plug-in, e.g. ``"proposal type 'visa_free'"``.
        sweepable: Its declared ``sweepable``.
        fields: The pydantic fields the names must come from.
        noun: ``"field"`` or ``"setting"``.
        model: Where those fields are declared, e.g. ``"its spec"``.

    Raises:
        PluginError: Naming the number fields that may be swept.
    """
    # here, not at the top: scosim.plugins re-exports this module's names
    from scosim.plugins import PluginError

    if not isinstance(sweepable, tuple):
        raise PluginError(f"{what}: `sweepable` must be a tuple of {noun} names, "
                          f"got {sweepable!r}")
    numeric = [n for n, fi in fields.items() if takes_number(fi.annotation)]
    for f in sweepable:
        if f not in numeric:
            raise PluginError(f"{what}: sweepable {noun} {f!r} is not a number field of "
                              f"{model}; number fields: {', '.join(numeric) or 'none'}")


def takes_number(annotation: Any, *, or_none: bool = False) -> bool:
    """A number field, or one that takes a number or a name (``float | str``).

    Args:
        annotation: A pydantic field's annotation (``Annotated`` metadata is looked through).
        or_none: Accept ``None`` in the union too (an unset number a rule may still read).
    """
    import types
    import typing

    def plain(a: Any) -> Any:
        return typing.get_args(a)[0] if typing.get_origin(a) is typing.Annotated else a

    annotation = plain(annotation)
    if annotation in (float, int):
        return True
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return False
    args = [plain(a) for a in typing.get_args(annotation)]
    allowed = (float, int, str, type(None)) if or_none else (float, int, str)
    return any(a in (float, int) for a in args) and all(a in allowed for a in args)


class SweptValues:
    """Per-run values of the fields a plug-in declares ``sweepable`` (types, mechanisms).

    The subclass names what it is (``_kind``, e.g. ``"mechanism"``) and what its fields
    are called (``_noun``), and fills ``_values`` with :meth:`_read_swept`.
    """

    sweepable: ClassVar[tuple[str, ...]] = ()
    name: ClassVar[str] = ""
    _kind: ClassVar[str] = ""
    _noun: ClassVar[str] = ""
    _values: dict[str, Any]
    _swept: tuple[str, ...] = ()

    def _read_swept(self, model: Any, key: Callable[[str], str], source: Any) -> None:
        # A swept field is an (R,) array of the sweep's values; otherwise the scenario's, as
        # an (R,) array, or as written when it is a name (a CET rule: no number to repeat).
        self._values = {}
        for f in self.sweepable:
            given = getattr(source, f)
            named = isinstance(given, str) and key(f) not in model.params
            self._values[f] = given if named else model._param(key(f), given)
        # Which of them this batch sweeps: decision rules are told (scosim.rules.swept).
        self._swept = tuple(f for f in self.sweepable if key(f) in model.params)

    def swept(self) -> dict[str, Any]:
        """The fields this batch sweeps, each with its ``(R,)`` values (empty without a sweep).

        Unlike :meth:`value`, a field that is not swept is left out: whoever reads the
        scenario's object for it (a decision rule's ``ctx.proposal``) reads the right number.
        """
        return {f: self._values[f] for f in self._swept}

    def value(self, field: str) -> Any:
        """Per-run value ``(R,)`` of a field listed in :attr:`sweepable`.

        The sweep's value of each run when the field is swept, else the scenario's; a field
        that takes a number or a name gives the scenario's name (a ``str``) when it is not
        swept and the scenario names one.

        Raises:
            KeyError: ``field`` is not in :attr:`sweepable`.
        """
        try:
            return self._values[field]
        except KeyError:
            raise KeyError(f"{self._kind} {self.name!r}: {self._noun} {field!r} is not in its "
                           f"`sweepable` ({', '.join(self.sweepable) or 'none'})") from None
