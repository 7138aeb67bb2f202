"""Levers two plug-ins of a scenario both write, refused when the scenario is validated.

A lever other than the two welfare levers has one writer in a scenario: its proposal
types, or one mechanism (:mod:`scosim.model.lever_writers`). Until 2026-12-07 two
mechanisms previewing one lever were refused only at the first Council preview, after
the run had started, and a mechanism writing a lever a proposal's ``apply`` wrote
replaced its value unseen. Here the plug-ins' declared levers (``writes_levers``) are
compared before anything runs; a plug-in that declares none is checked at run time.
Built-ins declare theirs in the registries, so nothing here imports numpy.
"""

from __future__ import annotations

from typing import Any

from scosim.model.lever_writers import ADDITIVE_LEVERS
from scosim.plugins import PluginError

__all__ = ["lever_issues"]

Issue = tuple[tuple[str | int, ...], str]


def _writers(scenario: Any) -> tuple[list[tuple[str, tuple[str | int, ...], tuple[str, ...]]],
                                     list[tuple[str, tuple[str | int, ...], tuple[str, ...]]]]:
    """``(label, location, levers)`` of the scenario's declaring proposal types and mechanisms."""
    from scosim.model.slots import _REGISTRY as MECHANISMS
    from scosim.model.slots import slot_names
    from scosim.proposals import _REGISTRY as TYPES

    types: list[tuple[str, tuple[str | int, ...], tuple[str, ...]]] = []
    seen: set[str] = set()
    for i, p in enumerate(scenario.proposals):
        try:
            name = TYPES.declared(p.type, "name") if p.type not in seen else None
            levers = TYPES.declared(p.type, "writes_levers")
        except PluginError:
            continue  # reported where the type is named
        if name is not None and levers is not None:
            types.append((f"proposal type {name!r} (proposals[{i}], id {p.id!r})",
                          ("proposals", i, "type"), tuple(levers)))
        seen.add(p.type)
    mechanisms = []
    for slot, written in scenario.parameters.mechanisms.items():
        for i, m in enumerate(slot_names(written)):
            try:
                name, levers = (MECHANISMS.declared(m, "name"),
                                MECHANISMS.declared(m, "writes_levers"))
            except PluginError:
                continue  # reported by parameters.mechanisms
            if levers is not None:
                at = (slot, i) if isinstance(written, list) else (slot,)
                mechanisms.append((f"mechanism {name!r} ({slot} slot)",
                                   ("parameters", "mechanisms", *at), tuple(levers)))
    return types, mechanisms


def lever_issues(scenario: Any) -> list[Issue]:
    """Levers a mechanism of ``scenario`` writes that another of its plug-ins writes too.

    Each problem is placed at the later writer in the year's order (proposals' ``apply``
    first, then the slots in order): the mechanism.

    Returns:
        ``(location, message)`` pairs naming both plug-ins and the lever.
    """
    types, mechanisms = _writers(scenario)
    owner: dict[str, str] = {}
    for label, _, levers in types:
        for lever in levers:
            owner.setdefault(lever, label)  # several types may compose one lever
    issues: list[Issue] = []
    for label, loc, levers in mechanisms:
        for lever in levers:
            if lever in ADDITIVE_LEVERS:
                continue  # every writer adds its share
            first = owner.get(lever)
            if first is None:
                owner[lever] = label
                continue
            how = "in apply" if first.startswith("proposal type") else "in its step"
            issues.append((loc, (
                f"{label} writes the lever {lever!r}, which {first} writes too ({how}; both "
                "declare it in `writes_levers`): the later one's value would replace the "
                "other's unseen, in the year's state and in Council previews; let one of "
                "them write it, or give one lever another name (docs/mechanisms.md, 'Who "
                "writes a lever')")))
    return issues
