"""Settings under ``parameters.<slot>`` that nothing reads because their slot is empty.

Split from :mod:`scosim.scenario.blocks` (size). Two checks:

- :func:`unread_settings_issues` (schema): a slot empty by default (network, security,
  finance) with settings other than the defaults.
- :func:`emptied_slot_errors` (loader, which knows where each value was written): a
  slot emptied by name (``parameters.mechanisms: {trade: null}``) in the same file as
  settings only its mechanism reads, or in a file those settings extend. A child
  scenario or ``--set`` emptying a *parent's* slot turns the mechanism off on purpose
  and may leave the parent's settings unused.
"""

from __future__ import annotations

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
    "emptied_slot_errors",
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
