"""Which mechanisms fill the slots, in what order, and under which keys.

The slots and their default fillings (:data:`SLOTS`, :data:`DEFAULT_MECHANISMS`), and
the helpers that read ``parameters.mechanisms`` (a name, a list of names, or None per
slot) without importing any mechanism: the order the mechanisms step in, the key of
each one's random stream and the key its run's manifest records it under. Validating a
scenario uses them, so this module imports nothing but the standard library. The
mechanisms themselves and their registry are :mod:`scosim.model.slots`, which
re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The slots, in the order they run each year, between ``implement`` and ``compliance``.
#: ``growth`` moves the baseline GDP path; ``security``, ``network`` and ``finance``
#: write trade costs and levers into the policy state; ``trade`` solves the GE last,
#: reading the state everything before it wrote.
SLOTS: tuple[str, ...] = ("growth", "security", "network", "finance", "trade")

#: What fills each slot unless the scenario says otherwise (None = empty).
DEFAULT_MECHANISMS: dict[str, str | None] = {
    "growth": "calibrated_growth",
    "security": None,
    "network": None,
    "finance": None,
    "trade": "ge_trade",
}


def plan(choice: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The slots in order with what fills each (for docs and manifests).

    A name, a list of names (stepped in that order), or None for an empty slot; slots
    ``choice`` does not name keep their :data:`DEFAULT_MECHANISMS`.
    """
    chosen = {**DEFAULT_MECHANISMS, **choice}
    return [(slot, chosen.get(slot)) for slot in SLOTS]


def slot_names(value: Any) -> list[str]:
    """The mechanisms one slot of ``parameters.mechanisms`` holds, in the order they step.

    ``None`` (an empty slot) gives none, a name one, a list its names.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def filled(mechanisms: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(slot, name)`` of every mechanism ``parameters.mechanisms`` names, as they step.

    Slots in the order of :data:`SLOTS` (a name outside it last, for messages), each
    slot's mechanisms in the order written.
    """
    order = sorted(mechanisms, key=lambda s: SLOTS.index(s) if s in SLOTS else len(SLOTS))
    return [(slot, name) for slot in order for name in slot_names(mechanisms[slot])]


def holds(mechanisms: Mapping[str, Any], slot: str, name: str) -> bool:
    """Whether ``parameters.mechanisms`` puts mechanism ``name`` in ``slot``.

    What "the corridor network runs" means once a slot can hold several mechanisms: a
    plug-in alone in the network slot routes no freight, so the checks and couplings that
    read the network's routes ask for ``corridor_network`` by name, not for a filled slot.
    """
    return name in slot_names(mechanisms.get(slot))


def stream_key(slot: str, name: str, first: bool) -> str:
    """The key of a mechanism's random stream (:class:`scosim.model.rng.RunStreams`).

    The slot's name for the first mechanism in a slot: every scenario written before a
    slot could hold several draws exactly the numbers it drew then. ``<slot>/<name>``
    for one listed after it: its own stream, so adding it leaves the first's draws as
    they were (a ``/`` is in no slot's name, so no key is another's).
    """
    return slot if first else f"{slot}/{name}"


def keyed(mechanisms: Mapping[str, Any]) -> dict[str, str]:
    """``{key: name}`` of the mechanisms ``parameters.mechanisms`` names, as they step.

    The key under which a run's manifest records each (``plugins.mechanisms``,
    ``plugins.declared.mechanisms``): the slot for its first mechanism, as before a slot
    could hold several (old runs read the same), ``<slot>[<i>]`` for the one at place
    ``i`` of its list. Read from the scenario alone, no plug-in imported.
    """
    out: dict[str, str] = {}
    for slot, name in filled(mechanisms):
        key, i = slot, 0
        while key in out:
            i += 1
            key = f"{slot}[{i}]"
        out[key] = name
    return out


def slot_of(key: str) -> str:
    """The slot of a :func:`keyed` key (``network[1]`` -> ``network``)."""
    return key.split("[", 1)[0]
