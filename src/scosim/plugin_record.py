"""The manifest's record of the plug-ins a run used, and the one form every check compares.

A run's ``manifest.json`` has named its plug-ins in ``plugin_versions``, one string
(``"<what>: <origin>, <module> sha256 <prefix>; ..."``, sorted), which is also what reuse,
resume and workers compare. Beside it, ``plugin_record`` now holds the same as a mapping::

    {"mechanism tourism": {"kind": "mechanism", "name": "tourism", "origin":
     "scosim-revext 0.2.0 (entry point scosim_revext.tourism:Tourism)", "distribution":
     "scosim-revext", "version": "0.2.0", "module_hash": "scosim_revext.tourism sha256 ..."}}

so that a reader finds which distribution and version to install without parsing the
string (:func:`install_hint`). :func:`plugins_key` turns either (a manifest written
before the record, or one with it) into the same string; every comparison of plug-ins
goes through it (:func:`scosim.results.version_value`). Standard library only: the
results catalogue imports it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["RECORD_KEY", "STRING_KEY", "distribution_of", "hinted_errors", "install_hint",
           "manifest_key", "plugin_lines", "plugins_hash", "plugins_label", "plugins_key",
           "record_entry"]

#: The manifest's field holding the structured record.
RECORD_KEY = "plugin_record"
#: The manifest's field holding the string (written before the record; still written).
STRING_KEY = "plugin_versions"

# An entry point's origin as the registries write it (scosim.plugins._dist_origin,
# scosim.rules.registry.rule_origin): "<distribution> <version> (entry point <value>)".
_DIST_ORIGIN = re.compile(r"^(?P<dist>\S+) (?P<version>\S+) \(entry point [^)]*\)$")


def distribution_of(origin: str) -> tuple[str, str] | None:
    """``(distribution, version)`` of an entry point's origin; None for another origin."""
    m = _DIST_ORIGIN.match(origin) if isinstance(origin, str) else None
    return (m["dist"], m["version"]) if m else None


def record_entry(kind: str, name: str, origin: str, module_hash: str,
                 hook: str | None = None) -> dict[str, Any]:
    """One plug-in's entry in the record.

    Args:
        kind: ``"proposal type"``, ``"mechanism"``, ``"rule"`` or ``"decision rule"``.
        name: Its name as the scenario resolves it (a rule: the spec the scenario gave).
        origin: Where it came from (``scosim.plugins.plugin_origins``' wording).
        module_hash: Its module and the hash of its code (``"<module> sha256 <prefix>"``).
        hook: A rule's hook.

    Returns:
        ``{"kind", "name", ["hook",] "origin", "distribution", "version", "module_hash"}``;
        distribution and version are None unless an installed package's entry point
        provided it.
    """
    dist = distribution_of(origin)
    out: dict[str, Any] = {"kind": kind, "name": name}
    if hook is not None:
        out["hook"] = hook
    out.update({"origin": origin, "distribution": dist[0] if dist else None,
                "version": dist[1] if dist else None, "module_hash": module_hash})
    return out


def plugins_key(value: Any) -> str:
    """The comparable form of a run's plug-ins: the ``plugin_versions`` string.

    Args:
        value: The string (a manifest written before the record, a worker's versions),
            the record (``{what: entry}``), or None / ``""`` (built-in plug-ins only).

    Returns:
        ``"<what>: <origin>, <module_hash>; ..."`` sorted, as ``plugin_versions`` has
        always been written; ``""`` for none. A value that is neither gives a string no
        real record gives (``"malformed ..."``), so a damaged manifest matches nothing.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and all(
            isinstance(e, Mapping) and isinstance(e.get("origin"), str)
            and isinstance(e.get("module_hash"), str) for e in value.values()):
        return "; ".join(sorted(f"{what}: {e['origin']}, {e['module_hash']}"
                                for what, e in value.items()))
    return f"malformed {value!r}"


def manifest_key(manifest: Mapping[str, Any]) -> str:
    """:func:`plugins_key` of a manifest (or a run's key): its record, else its string."""
    record = manifest.get(RECORD_KEY)
    return plugins_key(record if record is not None else manifest.get(STRING_KEY))


def plugins_hash(manifest: Mapping[str, Any]) -> str:
    """A short hash of a run's plug-ins and their code: ``""`` when it used built-ins only.

    Eight hex digits of the SHA-256 of :func:`manifest_key` (every plug-in's origin and
    code hash), so two runs of a scenario whose plug-in code differed, even at one
    version number (an editable install edited between them), show different hashes.
    """
    import hashlib

    key = manifest_key(manifest)
    return hashlib.sha256(key.encode()).hexdigest()[:8] if key else ""


def plugins_label(manifest: Mapping[str, Any]) -> str:
    """What ``scosim list`` shows of a run's plug-ins: ``"scosim-energy 0.3.0, code 1a2b3c4d"``.

    Each distribution with its version (a plug-in given by dotted path or registered by
    a module: its origin), then :func:`plugins_hash`; ``""`` for built-ins only.
    """
    code = plugins_hash(manifest)
    if not code:
        return ""
    names = []
    for e in _entries(manifest):
        dist = e.get("distribution")
        names.append(f"{dist} {e.get('version') or '?'}" if dist else str(e.get("origin")))
    shown = ", ".join(dict.fromkeys(n for n in names if n and n != "builtin"))
    return f"{shown}, code {code}" if shown else f"code {code}"


def plugin_lines(manifest: Mapping[str, Any]) -> list[str]:
    """Each plug-in a run used, for a report's provenance: what, where from, code hash.

    ``"mechanism power_pool: scosim-energy 0.3.0, scosim_energy.pool sha256
    f6f2a7e9433c"`` (an origin other than a distribution's is given as it is); empty for
    built-ins only.
    """
    out = []
    for e in _entries(manifest):
        if e.get("origin") == "builtin":
            continue
        hook = f"{e['hook']}:" if e.get("hook") else ""
        where = (f"{e['distribution']} {e.get('version') or '?'}" if e.get("distribution")
                 else str(e.get("origin")))
        code = e.get("module_hash") or "code not recorded"
        out.append(f"{e.get('kind')} {hook}{e.get('name')}: {where}, {code}")
    return sorted(out)


def _entries(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The record's entries; for a manifest written before it, those its origins give."""
    record = manifest.get(RECORD_KEY)
    if isinstance(record, Mapping):
        return [dict(e) for e in record.values() if isinstance(e, Mapping)]
    # An older manifest: "plugins" maps types, mechanisms ("name (origin)") and rules
    # ("hook:spec") to their origins.
    plugins = manifest.get("plugins")
    plugins = plugins if isinstance(plugins, Mapping) else {}
    out: list[dict[str, Any]] = []
    for name, origin in (plugins.get("proposal_types") or {}).items():
        out.append(record_entry("proposal type", str(name), str(origin), ""))
    for text in (plugins.get("mechanisms") or {}).values():
        name, _, rest = str(text).partition(" (")
        out.append(record_entry("mechanism", name, rest[:-1] if rest.endswith(")") else rest,
                                ""))
    for spec, origin in (plugins.get("rules") or {}).items():
        hook, _, rule = str(spec).partition(":")
        out.append(record_entry("rule", rule, str(origin), "", hook=hook))
    for name, origin in (plugins.get("decision_rules") or {}).items():
        out.append(record_entry("decision rule", str(name), str(origin), ""))
    return out


def install_hint(manifest: Mapping[str, Any] | str | Path, kind: str, name: str) -> str:
    """What the run says of a plug-in it used that this process cannot find.

    Args:
        manifest: The run's parsed manifest, or its path (or the run's directory).
        kind: ``"proposal type"``, ``"mechanism"``, ``"rule"`` or ``"decision rule"``.
        name: The name the scenario gives it (a rule: its name under any hook).

    Returns:
        ``"the run was made with scosim-revext 0.2.0 (the distribution scosim-revext,
        version 0.2.0: install that version from its source, where the run's maker got
        it; the same name on PyPI may be another package)"`` when an installed package
        provided it; ``""`` when the run does not record it (or it came from a dotted
        path, which names its module already). No ``pip install`` command: the package
        may exist only on its maker's machine or index, and pip would install whatever
        has that name on PyPI.
    """
    if not isinstance(manifest, Mapping):
        path = Path(manifest)
        path = path / "manifest.json" if path.is_dir() else path
        try:
            manifest = json.loads(path.read_text())
        except (OSError, ValueError):
            return ""
        if not isinstance(manifest, Mapping):
            return ""
    for e in _entries(manifest):
        if e.get("kind") == kind and e.get("name") == name and e.get("distribution"):
            dist, version = e["distribution"], e.get("version")
            which = f"version {version}" if version else "the version it had"
            return (f"the run was made with {dist}{' ' + version if version else ''} "
                    f"(the distribution {dist}, {which}: install that version from its "
                    "source, where the run's maker got it; the same name on PyPI may be "
                    "another package)")
    return ""


# Where a scenario names a plug-in, as validation errors give the path: the kind of
# plug-in, and the hook of a rule.
_NAMED_AT = (
    (re.compile(r"^proposals\[(?P<i>\d+)\]\.type$"), "proposal type"),
    (re.compile(r"^proposals\[(?P<i>\d+)\]\.decision_rule$"), "decision rule"),
    (re.compile(r"^parameters\.council\.decision_rule$"), "decision rule"),
    (re.compile(r"^parameters\.mechanisms\.(?P<slot>[^.\[]+)(?:\[(?P<at>\d+)\])?$"),
     "mechanism"),
    (re.compile(r"^(?:parameters|countries\.[^.]+)\.rules\.(?P<hook>[^.]+)$"), "rule"),
)


def _named(data: Mapping[str, Any], path: str) -> tuple[str, str, str | None] | None:
    """``(kind, name, hook)`` of the plug-in a scenario names at ``path``; None if none."""
    for pattern, kind in _NAMED_AT:
        m = pattern.match(path)
        if not m:
            continue
        try:
            if "i" in m.groupdict():
                value = data["proposals"][int(m["i"])][path.rpartition(".")[2]]
            else:
                node: Any = data
                for key in path.split(".")[:-1]:
                    node = node[key]
                # The last key, a mechanism's place in its slot's list when it has one.
                node = node[m["slot"]] if m.groupdict().get("slot") else node[
                    path.rpartition(".")[2]]
                value = node[int(m["at"])] if m.groupdict().get("at") else node
        except (KeyError, IndexError, TypeError):
            return None
        return (kind, value, m.groupdict().get("hook")) if isinstance(value, str) else None
    return None


def hinted_errors(errors: list[Any], data: Mapping[str, Any], file: str) -> list[Any]:
    """Scenario errors with what to install added to each unknown plug-in a run used.

    A run's saved ``scenario.yaml`` sits beside its ``manifest.json``; where validation
    says ``unknown mechanism 'tourism'`` (type, rule, decision rule) and the run's record
    says an installed package provided it, the message says which distribution and version
    (:func:`install_hint`). Other files and errors are returned as they are.

    Args:
        errors: The :class:`scosim.scenario.errors.ErrorItem` list.
        data: The resolved scenario's data (the values at the errors' paths).
        file: The scenario file as given.
    """
    manifest_path = Path(file).parent / "manifest.json"
    if not manifest_path.is_file():
        return errors
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        return errors
    if not isinstance(manifest, Mapping):
        return errors
    out = []
    for e in errors:
        named = _named(data, e.path) if e.message.startswith("unknown ") else None
        hint = install_hint(manifest, named[0], named[1]) if named else ""
        if hint:
            # Right after the name: "unknown mechanism 'tourism': the run was made with ...".
            at = e.message.find(repr(named[1]))
            cut = at + len(repr(named[1])) if at >= 0 else len(e.message)
            e = e._replace(message=f"{e.message[:cut]}: {hint}{e.message[cut:]}")
        out.append(e)
    return out
