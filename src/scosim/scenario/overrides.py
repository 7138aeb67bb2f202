"""Dotted-path overrides of a scenario (``--set parameters.trade.sigma=4``).

Applied after ``extends:`` is resolved; each is shown in errors as file
``<override>`` with its 1-based position as the line.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import yaml

from scosim.scenario.doc import _purge
from scosim.scenario.errors import ErrorItem, ScenarioError, _describe, format_path

if TYPE_CHECKING:
    from scosim.scenario.doc import Loc, _Doc

__all__ = ["OVERRIDE_FILE", "parse_overrides"]

OVERRIDE_FILE = "<override>"

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _parse_dotted(path: str) -> Loc | None:
    """``"proposals[0].cet"`` or ``"proposals.0.cet"`` -> ``("proposals", 0, "cet")``."""
    if not isinstance(path, str) or not path or path.startswith(".") or path.endswith("."):
        return None
    out: list[Any] = []
    pos = 0
    while pos < len(path):
        if path[pos] == "." and out:
            pos += 1
        m = _SEGMENT.match(path, pos)
        if m is None:
            return None
        name, index = m.groups()
        if index is not None:
            out.append(int(index))
        elif name.isdigit():
            out.append(int(name))
        else:
            out.append(name)
        pos = m.end()
    return tuple(out)


def _item_with_id(items: list[Any], name: str) -> int | str:
    """The index of the one item of ``items`` whose ``id`` is ``name``, or what is wrong.

    Lets ``proposals.sco_cu.cet`` name a proposal by its id, as a reader of the
    scenario would, instead of by its position.
    """
    ids = [it.get("id") if isinstance(it, dict) else None for it in items]
    index = "the index 0" if len(items) == 1 else f"an index 0-{len(items) - 1}"
    hits = [i for i, v in enumerate(ids) if v == name]
    if len(hits) == 1:
        return hits[0]
    named = [str(v) for v in ids if v is not None]
    if not named:
        return (f"a list of {len(items)} item(s) without ids: give {index}"
                if items else "an empty list: nothing to set")
    if hits:
        return f"{len(hits)} items have id {name!r}: give {index}"
    return f"no item has id {name!r}; ids: {', '.join(named)} (or give {index})"


def _apply_overrides(doc: _Doc, overrides: Mapping[str, Any]) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    seen: dict[Loc, int] = {}
    for n, (key, value) in enumerate(overrides.items(), start=1):
        loc = _parse_dotted(key)
        if loc is None or not loc or not isinstance(loc[0], str):
            errors.append(ErrorItem(OVERRIDE_FILE, n, str(key), (
                "bad override path; write dotted keys like 'parameters.trade.sigma' "
                "or 'proposals[0].year'")))
            continue
        if loc[0] == "extends":
            errors.append(ErrorItem(OVERRIDE_FILE, n, key, (
                "extends cannot be overridden: it is resolved before overrides apply")))
            continue
        node: Any = doc.data
        ok = True
        resolved: list[Any] = []
        for depth, part in enumerate(loc[:-1]):
            if isinstance(node, list) and isinstance(part, str):
                found = _item_with_id(node, part)
                if isinstance(found, str):
                    errors.append(ErrorItem(OVERRIDE_FILE, n, format_path(loc[: depth + 1]),
                                            found))
                    ok = False
                    break
                part = found
            resolved.append(part)
            if isinstance(node, dict):
                if part not in node or node[part] is None:
                    node[part] = {}
                    # A mapping the override creates is the override's: an error about
                    # it (an unknown key) points at the --set, not at the file.
                    doc.origins[tuple(resolved)] = (OVERRIDE_FILE, n)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int):
                if not 0 <= part < len(node):
                    errors.append(ErrorItem(OVERRIDE_FILE, n, format_path(loc[: depth + 1]), (
                        f"index {part} out of range: the list has {len(node)} items")))
                    ok = False
                    break
                node = node[part]
            else:
                errors.append(ErrorItem(OVERRIDE_FILE, n, format_path(loc[: depth + 1]), (
                    f"cannot go into {_describe(node)}: it is not a mapping or list")))
                ok = False
                break
        if not ok:
            continue
        last = loc[-1]
        if isinstance(node, list) and isinstance(last, str):
            found = _item_with_id(node, last)
            if isinstance(found, str):
                errors.append(ErrorItem(OVERRIDE_FILE, n, format_path(loc), found))
                continue
            last = found
        loc = (*resolved, last)
        if loc in seen:
            # proposals.0.cet and proposals.sco_cu.cet are one field: the last would win.
            errors.append(ErrorItem(OVERRIDE_FILE, n, str(key), (
                f"sets {format_path(loc)} again (first as override {seen[loc]}); give each "
                "path once")))
            continue
        # parameters.trade.sigma=4, then parameters.trade={sigma: 5}: the later mapping
        # would silently discard the earlier value. (A part after its whole refines it:
        # proposals=[...] then proposals[0].applicant=TUR, as the explorer writes them.)
        inside = next(((k, m) for k, m in seen.items()
                       if len(k) > len(loc) and k[:len(loc)] == loc), None)
        if inside is not None:
            k, m = inside
            errors.append(ErrorItem(OVERRIDE_FILE, n, str(key), (
                f"would discard override {m} ({format_path(k)}), which is inside "
                f"{format_path(loc)}; set {format_path(loc)} first, or put the value "
                "in it")))
            continue
        seen[loc] = n
        if isinstance(node, list):
            if not isinstance(last, int) or not 0 <= last < len(node):
                errors.append(ErrorItem(OVERRIDE_FILE, n, format_path(loc), (
                    f"index {last!r} out of range: the list has {len(node)} items")))
                continue
        elif not isinstance(node, dict):
            errors.append(ErrorItem(OVERRIDE_FILE, n, format_path(loc[:-1]), (
                f"cannot set a key inside {_describe(node)}")))
            continue
        node[last] = copy.deepcopy(value)
        _purge(doc.origins, loc)
        doc.origins[loc] = (OVERRIDE_FILE, n)
    return errors


def parse_overrides(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Parse ``["seed=3", "parameters.trade.sigma=4"]`` (e.g. from a CLI).

    Values are parsed as YAML (safely), so ``4`` is a number, ``[CHN, RUS]`` a
    list and ``true`` a boolean; quote a string that looks like something else.

    Raises:
        ScenarioError: For an item without ``=``, a value that is not valid YAML, or a
            path given twice.
    """
    out: dict[str, Any] = {}
    errors: list[ErrorItem] = []
    first: dict[Any, int] = {}  # path (as parsed: proposals[0] is proposals.0) -> position
    for n, item in enumerate(items, start=1):
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            errors.append(ErrorItem(OVERRIDE_FILE, n, item, "write overrides as dotted.path=value"))
            continue
        # The same path twice would silently keep the last value, as duplicate YAML keys
        # would: refused like them.
        path = _parse_dotted(key.strip()) or key.strip()
        if path in first:
            errors.append(ErrorItem(OVERRIDE_FILE, n, key.strip(), (
                f"set again (first as override {first[path]}, "
                f"{items[first[path] - 1]!r}); give each path once")))
            continue
        first[path] = n
        try:
            out[key.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            errors.append(
                ErrorItem(OVERRIDE_FILE, n, key.strip(), f"value is not valid YAML: {exc}")
            )
        except RecursionError:  # thousands of brackets: PyYAML recurses once per level
            from scosim.scenario.loader import MAX_DEPTH

            errors.append(ErrorItem(OVERRIDE_FILE, n, key.strip(), (
                "value nests lists or mappings too deeply; a scenario nests at most "
                f"{MAX_DEPTH} levels")))
    if errors:
        raise ScenarioError(errors)
    return out
