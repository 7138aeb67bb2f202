"""What a run's manifest records of the plug-ins it used, written and read back.

A run records what each proposal type and mechanism declares for the run's readers
(:func:`declared_types`, :func:`declared_mechanisms`: indicators and units, membership,
headline, trust term, compared indicators, the levers each writes), so that a process
that cannot import a plug-in (one named by dotted path, a run moved to another machine)
still reads the run (:func:`read_declarations`). Each record is checked when it is read
back, with the same rules as a class when it is registered (:mod:`scosim.plugins`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scosim.model.lever_writers import declared_problem
from scosim.plugins import (
    PluginError,
    headline_pairs,
    headline_problem,
    membership_problem,
    trust_term_problem,
)


def declared_types(scenario: Any) -> dict[str, dict[str, Any]]:
    """What each proposal type a scenario uses declares for the readers of its run.

    Recorded in the run manifest (``plugins.declared.proposal_types``), so a process
    that cannot import the type (a plug-in named by dotted path, a run moved to
    another machine) still shows its membership (:func:`scosim.plots.membership_kinds`).

    Returns:
        ``{type name: {"indicators": {name: unit}, "membership": [indicator, heading,
        what] or None, "trust_term": what, "headline": [[name, kind], ...],
        "welfare_excludes": phrase, "writes_levers": [lever, ...] or None}}``
        (``ProposalType.indicators``, ``.membership``, ``.trust_term``, ``.headline``,
        ``.welfare_excludes`` and ``.writes_levers``, None when not declared).
    """
    from scosim.proposals import get_type

    out: dict[str, dict[str, Any]] = {}
    for p in scenario.proposals:
        cls = get_type(p.type)
        m = cls.membership
        out[p.type] = {"indicators": dict(cls.indicators),
                       "membership": None if m is None else list(m),
                       "trust_term": cls.trust_term, "headline": headline_pairs(cls.headline),
                       "welfare_excludes": cls.welfare_excludes,
                       "writes_levers": _levers(cls.writes_levers)}
    return out


def declared_mechanisms(scenario: Any) -> dict[str, dict[str, Any]]:
    """What each mechanism filling a scenario's slots declares, for its run's readers.

    Recorded beside :func:`declared_types` (``plugins.declared.mechanisms``): the run's
    answer names a mechanism's headline indicators and what its welfare changes are
    measured against (:mod:`scosim.mechanism_answer`) without importing it.

    Returns:
        ``{key: {"name": ..., "indicators": {name: unit}, "headline": [[name, kind], ...],
        "compared": [name, ...], "welfare_versus": phrase, "welfare_excludes": phrase,
        "answer_year": [event type, ...], "headline_parts": {part: [whole, what]},
        "passive": bool, "writes_levers": [lever, ...] or None}}`` (``Mechanism``'s
        attributes; ``writes_levers`` None when not
        declared) for every mechanism filling a slot, keyed by
        :func:`scosim.model.slots.keyed` (the slot, ``<slot>[<i>]`` for the one at place
        ``i`` of a slot's list).
    """
    from scosim.model.slots import get_mechanism, keyed

    out: dict[str, dict[str, Any]] = {}
    for key, name in keyed(scenario.parameters.mechanisms).items():
        cls = get_mechanism(name)
        out[key] = {"name": cls.name, "indicators": dict(cls.indicators),
                    "headline": headline_pairs(cls.headline),
                    "compared": list(cls.compared),
                    "welfare_versus": cls.welfare_versus,
                    "welfare_excludes": cls.welfare_excludes,
                    "answer_year": list(cls.answer_year),
                    "headline_parts": {part: list(v) for part, v in cls.headline_parts.items()},
                    "passive": cls.passive,
                    "writes_levers": _levers(cls.writes_levers)}
    return out


def _levers(declared: tuple[str, ...] | None) -> list[str] | None:
    """A ``writes_levers`` as the manifest records it: a list, or None when not declared.

    Recorded so that a reader of a run sees who writes which lever (the run checked
    every write against it: :mod:`scosim.model.lever_writers`).
    """
    return None if declared is None else list(declared)


def _recorded_levers(rec: dict[str, Any], at: str) -> tuple[str, ...] | None:
    """A record's ``writes_levers``: None when not declared or made before it was recorded."""
    value = rec.get("writes_levers")
    if value is None:
        return None
    levers = tuple(value) if isinstance(value, list) else value
    if not isinstance(value, list) or declared_problem(levers):
        raise PluginError(f"{at}.writes_levers must be null (not declared) or a list of lever "
                          f"names (text without spaces, each once), got {value!r}")
    return levers


def _recorded(manifest: Any, where: str, key: str) -> dict[str, Any]:
    """``plugins.declared.<key>`` of a manifest, checked to be a mapping of mappings."""
    plugins = manifest.get("plugins") if isinstance(manifest, dict) else None
    declared = plugins.get("declared") if isinstance(plugins, dict) else None
    section = declared.get(key) if isinstance(declared, dict) else None
    if section is None:
        return {}
    field = f"plugins.declared.{key}"
    if not (isinstance(section, dict) and all(isinstance(r, dict) for r in section.values())):
        raise PluginError(f"{where}: {field} must map names to mappings of what each "
                          f"declares, got {section!r}")
    return section


def _units_and_headline(rec: dict[str, Any], at: str) -> tuple[dict[str, str | None], Any]:
    """A record's indicator units and its headline, checked against each other."""
    units = _units(rec, at)
    headline = _recorded_headline(rec.get("headline"))
    problem = headline_problem(headline, units)
    if problem:
        raise PluginError(f"{at}.headline {problem}")
    return units, headline


def _units(rec: dict[str, Any], at: str) -> dict[str, str | None]:
    units = rec.get("indicators") or {}
    if not (isinstance(units, dict) and all(
            isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in units.items())):
        raise PluginError(f"{at}.indicators must map indicator names to units (text or "
                          f"null), got {units!r}")
    return dict(units)


def _recorded_headline(value: Any) -> Any:
    """A manifest's ``headline`` as a mapping: pairs (in order) or, from older runs, a mapping."""
    if isinstance(value, list) and all(isinstance(x, list | tuple) and len(x) == 2
                                       and all(isinstance(y, str) for y in x) for x in value):
        return {k: v for k, v in value}
    return value or {}


def recorded_types(manifest: Any, where: str) -> dict[str, dict[str, Any]]:
    """The proposal types' declarations a run's manifest records (:func:`declared_types`).

    Args:
        manifest: The run's parsed ``manifest.json``.
        where: The manifest's path, for messages.

    Returns:
        ``{type name: {"indicators": {name: unit}, "membership": (indicator, heading,
        what) or None, "trust_term": what or None, "headline": {name: kind},
        "welfare_excludes": phrase, "writes_levers": (lever, ...) or None}}``; empty for a
        run made before the record existed (``trust_term`` and ``writes_levers`` None,
        ``headline`` and ``welfare_excludes`` empty in a record made before they were
        recorded).

    Raises:
        PluginError: A record that is not what :func:`declared_types` writes, naming
            the file, the field and what is allowed.
    """
    out: dict[str, dict[str, Any]] = {}
    for name, rec in _recorded(manifest, where, "proposal_types").items():
        at = f"{where}: plugins.declared.proposal_types.{name}"
        m = rec.get("membership")
        problem = membership_problem(m)
        if problem:
            raise PluginError(f"{at}.membership (null or [indicator, heading, what]): {problem}")
        trust = rec.get("trust_term")
        problem = None if trust is None else trust_term_problem(trust)
        if problem:
            raise PluginError(f"{at}.trust_term: {problem}")
        units, headline = _units_and_headline(rec, at)
        out[str(name)] = {"indicators": units,
                          "membership": None if m is None else tuple(m),
                          "trust_term": trust, "headline": dict(headline),
                          "welfare_excludes": _phrase(rec, at, "welfare_excludes"),
                          "writes_levers": _recorded_levers(rec, at)}
    return out


def recorded_mechanisms(manifest: Any, where: str) -> dict[str, dict[str, Any]]:
    """The mechanisms' declarations a run's manifest records (:func:`declared_mechanisms`).

    Returns:
        ``{key: {"name", "indicators", "headline", "compared", "welfare_versus",
        "welfare_excludes", "answer_year", "headline_parts", "passive", "writes_levers"}}``
        (``compared``, ``headline_parts``, ``passive`` and ``writes_levers`` None,
        ``welfare_excludes`` and ``answer_year`` empty for a run made before they were
        recorded; ``writes_levers`` None too when not declared); empty for a run made
        before the record existed.

    Raises:
        PluginError: A malformed record, naming the file, the field and what is allowed.
    """
    out: dict[str, dict[str, Any]] = {}
    for slot, rec in _recorded(manifest, where, "mechanisms").items():
        at = f"{where}: plugins.declared.mechanisms.{slot}"
        name, versus = rec.get("name"), rec.get("welfare_versus", "")
        if not (isinstance(name, str) and name):
            raise PluginError(f"{at}.name must be the mechanism's name, got {name!r}")
        units, headline = _units_and_headline(rec, at)
        if not isinstance(versus, str):
            raise PluginError(f"{at}.welfare_versus must be text, got {versus!r}")
        compared = rec.get("compared")
        if compared is not None and not (isinstance(compared, list) and all(
                isinstance(c, str) and c in units for c in compared)):
            raise PluginError(f"{at}.compared must list some of its indicators, got {compared!r}")
        year = rec.get("answer_year") or []
        if not (isinstance(year, list) and all(isinstance(k, str) for k in year)):
            raise PluginError(f"{at}.answer_year must list event types, got {year!r}")
        passive = rec.get("passive")
        if passive is not None and not isinstance(passive, bool):
            raise PluginError(f"{at}.passive must be true or false, got {passive!r}")
        out[str(slot)] = {"name": name, "indicators": units, "headline": dict(headline),
                          "compared": compared, "welfare_versus": versus,
                          "welfare_excludes": _phrase(rec, at, "welfare_excludes"),
                          "answer_year": year,
                          "headline_parts": _recorded_parts(rec, at, units),
                          "passive": passive, "writes_levers": _recorded_levers(rec, at)}
    return out


def _recorded_parts(rec: dict[str, Any], at: str, units: dict[str, str | None]
                    ) -> dict[str, tuple[str, str]] | None:
    """A record's ``headline_parts``: None for a run made before it was recorded.

    Its readers then fall back to the class (:func:`scosim.answer_parts.declared_parts`).
    """
    value = rec.get("headline_parts")
    if value is None:
        return None
    if not (isinstance(value, dict) and all(
            p in units and isinstance(v, list) and len(v) == 2 and v[0] in units
            and isinstance(v[1], str) for p, v in value.items())):
        raise PluginError(f"{at}.headline_parts must map an indicator to [the indicator it is "
                          f"part of, what their equality means], got {value!r}")
    return {str(p): (str(v[0]), v[1]) for p, v in value.items()}


def _phrase(rec: dict[str, Any], at: str, field: str) -> str:
    """A record's text ``field``: empty when absent (a run made before it was recorded)."""
    value = rec.get(field, "")
    if not isinstance(value, str):
        raise PluginError(f"{at}.{field} must be text, got {value!r}")
    return value


def read_declarations(run_dir: str | Path) -> dict[str, dict[str, dict[str, Any]]]:
    """What a run's manifest records its proposal types and mechanisms declare.

    Returns:
        ``{"proposal_types": recorded_types(...), "mechanisms": recorded_mechanisms(...)}``;
        both empty for a run without a manifest or made before the record existed.

    Raises:
        PluginError: A malformed record (names the file and the field).
    """
    path = Path(run_dir) / "manifest.json"
    if not path.is_file():
        return {"proposal_types": {}, "mechanisms": {}}
    manifest = json.loads(path.read_text())
    return {"proposal_types": recorded_types(manifest, str(path)),
            "mechanisms": recorded_mechanisms(manifest, str(path))}
