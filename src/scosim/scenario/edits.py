"""What a loaded scenario was changed by in code, as the overrides that reproduce it.

A :class:`~scosim.scenario.schema.Scenario` is a mutable object: a script may load a
file and then set ``sc.parameters.trade.sigma = 5`` before running it. The run's
``scenario.yaml`` holds the whole resolved scenario, but its manifest listed only the
overrides the file was loaded with, so ``scosim show``, ``list`` and ``compare`` by name
took such a run for the file as written. :func:`edits_from_file` finds those changes as
dotted-path overrides (``--set`` syntax) that turn the file, read again, into the object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["edits_from_file"]


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _diff(a: Any, b: Any, loc: tuple[Any, ...], out: dict[str, Any]) -> None:
    """Record in ``out`` the smallest dotted paths at which ``b`` differs from ``a``."""
    # A mapping is entered key by key unless it lost a key (no path removes one: the
    # whole value is set); the scenario itself never loses one (its fields are fixed).
    if isinstance(a, dict) and isinstance(b, dict) and (not loc or set(a) <= set(b)):
        for key in b:
            if a.get(key) != b[key]:
                _diff(a.get(key), b[key], (*loc, key), out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                _diff(x, y, (*loc, i), out)
    elif a != b:
        out[_path(loc)] = b  # a whole value: a key gone, a list of another length


def edits_from_file(scenario: Any) -> dict[str, Any]:
    """Overrides by which ``scenario`` differs from its file read again with its own.

    Args:
        scenario: A loaded :class:`~scosim.scenario.schema.Scenario`.

    Returns:
        ``{dotted path: value}`` (``{}``: none, or no file to compare with). Applied
        after the scenario's :attr:`~scosim.scenario.schema.Scenario.overrides`, they
        give back the same scenario hash (checked; when they would not, the whole
        changed top-level sections are returned instead).
    """
    from scosim.scenario.errors import ScenarioError
    from scosim.scenario.loader import load_scenario, scenario_hash
    from scosim.scenario.shipped import is_shipped

    source = scenario.source
    if source is None or not (is_shipped(str(source)) or Path(source).is_file()):
        return {}
    own = dict(scenario.overrides)
    try:
        fresh = load_scenario(source, overrides=own or None)
    except ScenarioError:  # the file changed since and no longer loads: nothing to say
        return {}
    want = scenario_hash(scenario)
    if scenario_hash(fresh) == want:
        return {}
    dump = {"exclude": {"extends", "source"}, "mode": "json"}
    a, b = fresh.model_dump(**dump), scenario.model_dump(**dump)
    edits: dict[str, Any] = {}
    _diff(a, b, (), edits)
    try:
        again = load_scenario(source, overrides={**own, **edits})
    except ScenarioError:
        again = None
    if again is None or scenario_hash(again) != want:
        edits = {k: b[k] for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
    return edits
