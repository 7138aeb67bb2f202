"""The plug-in references a scenario's hash adds: a type or mechanism named by its path.

A dumped scenario names a proposal type or mechanism by the name it registered under;
the run's ``scenario.yaml`` writes the reference that finds it again
(:meth:`scosim.plugins.Registry.reference`). The hash now reads that reference too.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["plugin_references"]


def plugin_references(data: Mapping[str, Any]) -> dict[str, str]:
    """``{kind/name: module:Class}`` of each proposal type or mechanism named otherwise.

    A dumped scenario names a type or mechanism by the name it registered under, so a
    file naming an entry point's ``energy_club`` and one naming a subclass that inherits
    the name by its dotted path (``dup_plugins:ClubDouble``) hashed the same, and
    ``scosim show NAME`` took the other's run (an outside review, 2026-12-07). Only a
    plug-in whose reference is not its name (a dotted path, a module's registration) is
    listed, so a scenario of built-ins or entry points hashes as before. Nothing is
    imported: a registry not yet imported has registered no plug-in.
    """
    found: dict[str, str] = {}
    types = sys.modules.get("scosim.proposals")
    slots = sys.modules.get("scosim.model.slots")
    if types is not None:
        for p in data.get("proposals") or []:
            name = p.get("type") if isinstance(p, Mapping) else None
            if isinstance(name, str) and (ref := types.type_reference(name)) != name:
                found[f"type/{name}"] = ref
    if slots is not None:
        mechanisms = (data.get("parameters") or {}).get("mechanisms") or {}
        for value in mechanisms.values():
            for name in value if isinstance(value, list) else [value]:
                if isinstance(name, str) and (ref := slots.mechanism_reference(name)) != name:
                    found[f"mechanism/{name}"] = ref
    return found
