"""Settings under ``parameters.<slot>`` that nothing reads: their slot is empty or taken.

Split from :mod:`scosim.scenario.blocks` (size). Three checks:

- :func:`unread_settings_issues` (schema): a slot empty by default (network, security,
  finance) with settings other than the defaults.
- :func:`emptied_slot_errors` (loader, which knows where each value was written): a
  slot emptied by name (``parameters.mechanisms: {trade: null}``) in the same file as
  settings only its mechanism reads, or in a file those settings extend. A child
  scenario or ``--set`` emptying a *parent's* slot turns the mechanism off on purpose
  and may leave the parent's settings unused.
- :func:`displaced_slot_errors` and :func:`displaced_slot_notes` (loader): the same
  for a slot filled by another mechanism than the one whose block it is (a plug-in in
  the finance slot leaves ``parameters.finance`` to nobody). Refused where the file
  that fills the slot wrote the settings too (or a file they extend); where a child
  or ``--set`` displaced a parent's mechanism, accepted with a warning naming the
  block, the displaced mechanism and the new one: unlike a slot emptied on purpose,
  the new mechanism may be taken to read the block, which it does not.

A run's resolved scenario, which workers validate again from one file (every value
written "in the same file"), is checked under :func:`resolved_text`: where each value
was written was checked when the run began, on the files as written.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scosim.scenario.errors import ErrorItem, format_path

if TYPE_CHECKING:
    from scosim.scenario.blocks import Parameters
    from scosim.scenario.doc import _Doc
    from scosim.scenario.values import Issue

__all__ = [
    "READ_WITHOUT_SLOT",
    "SLOT_BLOCKS",
    "changed_settings",
    "displaced_slot_errors",
    "displaced_slot_notes",
    "emptied_slot_errors",
    "resolved_text",
    "unread_settings_issues",
]

#: The settings block under ``parameters`` that one slot's mechanism reads:
#: ``{slot: the built-in mechanism that fills the slot and reads the block}``.
SLOT_BLOCKS: dict[str, str] = {
    "network": "corridor_network", "security": "security", "finance": "banking_systems",
    "trade": "ge_trade"}

#: Settings of such a block that the model reads whatever fills the slot. The trade
#: block's elasticity, deficit closure and baseline define the general equilibrium that
#: every preview solves (the Council's gains of a proposal, the finance slot's
#: settlement gains, the network's and security's costs as shares of expenditure):
#: ``SCOModel.solve_policy``. Only ``short_run_share`` and ``adjustment_years`` are the
#: trade slot's own (``GETrade.step``).
READ_WITHOUT_SLOT: dict[str, frozenset[str]] = {
    "trade": frozenset({"sigma", "sigma_spread", "deficits", "baseline", "moving_baseline"}),
}


def _message(slot: str) -> str:
    return (f"the {slot} slot is empty, so nothing reads this setting: fill the slot "
            f"(parameters.mechanisms: {{{slot}: {SLOT_BLOCKS[slot]}}}) or remove the setting")


def changed_settings(params: Parameters, slot: str) -> list[str]:
    """The settings of ``slot``'s block, read only by its mechanism, not at their default."""
    block = getattr(params, slot)
    if slot == "finance":
        if not block:
            return []  # nothing written; and the finance package imports numpy
        from scosim.finance.spec import FinanceSettings

        default: Any = FinanceSettings()
        return [k for k, v in block.items() if v != getattr(default, k)]
    default = type(block)()
    skip = READ_WITHOUT_SLOT.get(slot, frozenset())
    return [k for k in type(block).model_fields
            if k not in skip and getattr(block, k) != getattr(default, k)]


def unread_settings_issues(params: Parameters, named: set[str]) -> list[Issue]:
    """Settings under ``parameters.<slot>`` that nothing reads: the slot is left empty.

    Only values other than the defaults count (a block written at its defaults
    changes nothing), and only for a slot empty by default: a slot emptied by name
    is :func:`emptied_slot_errors`' case (the loader knows who emptied it).

    Args:
        params: The validated parameters.
        named: The slots ``parameters.mechanisms`` names (as written).
    """
    issues: list[Issue] = []
    for slot in SLOT_BLOCKS:
        if params.mechanisms.get(slot) is not None or slot in named:
            continue
        issues += [((slot, key), _message(slot)) for key in changed_settings(params, slot)]
    return issues


def emptied_slot_errors(params: Parameters, doc: _Doc) -> list[ErrorItem]:
    """Settings of a slot emptied by name where they were written, or in a parent.

    ``doc`` is the resolved document ``params`` were validated from. A setting is
    refused when the file (or ``--set``) that empties its slot is the one that wrote
    the setting or one the setting's file extends: nothing the scenario writes would be
    read. A parent's settings, left unused by a child or an override that empties the
    slot, are accepted (a deliberate run without the mechanism).
    """
    if _RESOLVED.get():
        return []
    mechanisms = doc.data.get("parameters", {}).get("mechanisms") or {}
    errors: list[ErrorItem] = []
    for slot in SLOT_BLOCKS:
        if params.mechanisms.get(slot) is not None or slot not in mechanisms:
            continue
        # rank: -1 an override (written last), 0 the file validated, larger its parents.
        emptied = doc.rank(doc.origin(("parameters", "mechanisms", slot))[0])
        for key in changed_settings(params, slot):
            loc = ("parameters", slot, key)
            file, line = doc.origin(loc)
            if emptied >= doc.rank(file):  # not emptied after the setting was written
                errors.append(ErrorItem(file, line, format_path(loc), _message(slot)))
    return errors


#: Set while a run's resolved scenario is validated again (:func:`resolved_text`).
_RESOLVED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "scosim_resolved_scenario", default=False)


@contextlib.contextmanager
def resolved_text() -> Iterator[None]:
    """Skip the checks of where settings were written while a resolved scenario is loaded.

    A run's resolved scenario holds a parent's settings and the child's (or ``--set``'s)
    choice of mechanism in one file: checked again, a parent's ``short_run_share``
    that ``--set parameters.mechanisms.trade=null`` leaves unread on purpose was refused
    in every worker process of the run.
    """
    token = _RESOLVED.set(True)
    try:
        yield
    finally:
        _RESOLVED.reset(token)


def _displaced(params: Parameters, doc: _Doc) -> Iterator[tuple[str, str, int, list[str]]]:
    """``(slot, the mechanism filling it, rank where it was chosen, unread settings)``.

    For each slot whose block's own mechanism (:data:`SLOT_BLOCKS`) has been replaced by
    another, with settings in the block other than the defaults.
    """
    from scosim.model.slots import mechanism_name, slot_names
    from scosim.plugins import PluginError
    from scosim.scenario.values import not_imported

    if _RESOLVED.get():
        return
    for slot, own in SLOT_BLOCKS.items():
        # The block's own mechanism anywhere in the slot's list reads it.
        filled = slot_names(params.mechanisms.get(slot))
        if not filled or own in filled or any(not_imported("mechanism", f) for f in filled):
            continue
        try:
            names = [mechanism_name(f) for f in filled]
        except PluginError:  # reported at parameters.mechanisms
            continue
        name = names[0]
        keys = changed_settings(params, slot) if own not in names else []  # own: dotted path
        if keys:
            rank = doc.rank(doc.origin(("parameters", "mechanisms", slot))[0])
            yield slot, name, rank, keys


def _taken_message(slot: str, name: str) -> str:
    own = SLOT_BLOCKS[slot]
    return (f"the {slot} slot is filled by {name!r}, and only {own!r} reads this setting: "
            f"fill the slot with {own} (parameters.mechanisms: {{{slot}: {own}}}) or "
            "remove the setting (a plug-in mechanism takes its settings under "
            "parameters.mechanism_settings)")


def displaced_slot_errors(params: Parameters, doc: _Doc) -> list[ErrorItem]:
    """Settings of a slot's own mechanism, written where another was chosen to fill it.

    Refused, as :func:`emptied_slot_errors` refuses them for an emptied slot, when the
    file (or ``--set``) choosing the other mechanism wrote the setting too, or is one
    the setting's file extends: nothing the scenario writes there would be read.
    """
    errors: list[ErrorItem] = []
    for slot, name, chosen, keys in _displaced(params, doc):
        for key in keys:
            loc = ("parameters", slot, key)
            file, line = doc.origin(loc)
            if chosen >= doc.rank(file):
                errors.append(ErrorItem(file, line, format_path(loc), _taken_message(slot, name)))
    return errors


def displaced_slot_notes(params: Parameters, doc: _Doc) -> list[str]:
    """Warnings for a parent's settings left unread by a child or ``--set`` (one per slot).

    A child scenario or an override that fills a parent's slot with another mechanism
    is accepted (a comparison with a plug-in in its place), but the parent's block is
    then read by nothing, which the user may not expect: said, naming the block, the
    displaced mechanism and the new one.
    """
    notes: list[str] = []
    for slot, name, chosen, keys in _displaced(params, doc):
        left = [k for k in keys if chosen < doc.rank(doc.origin(("parameters", slot, k))[0])]
        if left:
            where = sorted({doc.origin(("parameters", slot, k))[0] for k in left})
            notes.append(
                f"parameters.{slot} ({', '.join(left)}, written in {', '.join(where)}) is "
                f"read only by {SLOT_BLOCKS[slot]!r}, which {name!r} replaces in the {slot} "
                f"slot: these settings are unused in this run")
    return notes
