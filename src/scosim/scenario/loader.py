"""Load a scenario file: safe YAML with line numbers, ``extends:``, overrides, validation.

Pipeline (nothing is built until every step passes):

1. Compose each file with :class:`yaml.SafeLoader`, keeping node marks, into
   plain data plus an *origin map* ``{location tuple: (file, line)}``.
   Duplicate keys are rejected (PyYAML would silently keep the last).
2. Resolve ``extends:`` (path relative to the file that names it, or ``scosim:<name>``
   for a shipped scenario: :mod:`scosim.scenario.shipped`; chains allowed, cycles
   rejected). **Merge rule** (JSON Merge Patch, RFC 7396): mappings merge recursively,
   the child's value winning key by key; ``key: null`` removes the parent's key (but
   empties a slot under ``parameters.mechanisms``); lists and scalars replace the
   parent's value whole. Origins follow the value, so an error
   points at the file and line where the offending value (or removing null) was
   written.
3. Apply dotted-path overrides (``{"parameters.trade.sigma": 4}``), shown as
   file ``<override>`` with the override's 1-based position as its line.
4. Validate with the pydantic schema; every error becomes
   ``file:line: dotted.path: message`` in one :class:`ScenarioError`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from scosim.scenario.doc import Loc, Origin, _Doc, _get, _purge
from scosim.scenario.errors import _RESERVED, ErrorItem, ScenarioError, _describe, format_path
from scosim.scenario.overrides import OVERRIDE_FILE, _apply_overrides, parse_overrides
from scosim.scenario.shipped import PREFIX, is_shipped, shipped_hint, shipped_path
from scosim.scenario.slot_settings import (
    displaced_slot_errors,
    displaced_slot_notes,
    emptied_slot_errors,
)
from scosim.scenario.yamlread import (  # noqa: F401  (_FAST_LOADER, _compose_with: tests)
    _FAST_LOADER,
    MAX_DEPTH,
    MAX_NODES,
    _compose,
    _compose_with,
)

if TYPE_CHECKING:
    from scosim.scenario.schema import Scenario

# Split for size: YAML composition in scosim.scenario.yamlread, overrides in
# scosim.scenario.overrides, pydantic errors turned into file:line messages in
# scosim.scenario.messages; names are re-exported here.
__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_EXTENDS",
    "MAX_NODES",
    "OVERRIDE_FILE",
    "Loc",
    "Origin",
    "check_scenario",
    "load_scenario",
    "parse_overrides",
    "scenario_hash",
    "validate_data",
]

#: Largest scenario file read, in bytes (real scenarios: a few kB). The read stops
#: there: ``/dev/zero`` or an endless pipe given as a scenario was read until the
#: machine ran out of memory.
MAX_BYTES = 16 * 2**20
#: Most files an ``extends`` chain may hold (shipped scenarios: 2 or 3).
MAX_EXTENDS = 64


# --------------------------------------------------------------------------- files


def _read(path: Path, file: str, ref: Origin | None) -> tuple[str | None, list[ErrorItem]]:
    """Read a file; on failure report at ``ref`` (the ``extends`` line) or at the file."""
    rfile, rline = ref if ref is not None else (file, None)
    rpath = "extends" if ref is not None else "<root>"
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return None, [ErrorItem(file, None, "<root>", (
                f"more than {MAX_BYTES // 2**20} MiB: not a scenario file (scenarios are a "
                "few kB of YAML); give a scenario YAML file"))]
        return data.decode("utf-8"), []
    except FileNotFoundError:
        return None, [ErrorItem(rfile, rline, rpath, (
            f"file not found: {file!r} (looked for {path.resolve()})"
            # A top-level file too: `scosim run customs_union.yaml` outside the checkout.
            + shipped_hint(path, extends=ref is not None)))]
    except IsADirectoryError:
        return None, [ErrorItem(rfile, rline, rpath, f"{file!r} is a directory, not a file")]
    except UnicodeDecodeError as exc:
        # The line and column of the first bad byte, not only its offset in the file.
        line = exc.object[: exc.start].count(b"\n") + 1
        column = exc.start - (exc.object.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [ErrorItem(file, line, "<syntax>", (
            f"not UTF-8 text: byte 0x{exc.object[exc.start]:02x} at column {column} cannot "
            "be decoded; save the file as UTF-8"))]
    except OSError as exc:
        return None, [ErrorItem(rfile, rline, rpath, f"cannot read {file!r}: {exc.strerror}")]


def _load_chain(
    path: Path, file: str, stack: list[tuple[Path, str]], ref: Origin | None
) -> tuple[_Doc | None, list[ErrorItem]]:
    """Load ``path`` and everything it extends, merged."""
    text, errors = _read(path, file, ref)
    if text is None:
        return None, errors
    doc, errors = _compose(text, file)
    if doc is None:
        return None, errors
    if "extends" not in doc.data:
        return doc, []
    parent = doc.data["extends"]
    ext_origin = doc.origins[("extends",)]
    if not isinstance(parent, str) or not parent.strip():
        return None, [ErrorItem(*ext_origin, "extends", (
            f"must be a file path (string) relative to this file, or scosim:<name> for a "
            f"shipped scenario, got {parent!r}"))]
    if is_shipped(parent):
        try:
            ppath, pfile = shipped_path(parent), parent
        except LookupError as exc:
            return None, [ErrorItem(*ext_origin, "extends", str(exc))]
    else:
        ppath = path.parent / parent
        # A shipped file's own parent (baseline.yaml) is shown as shipped too.
        shipped = file[len(PREFIX):] if is_shipped(file) else None
        pfile = os.path.normpath(os.path.join(os.path.dirname(shipped or file), parent))
        pfile = pfile if shipped is None else PREFIX + pfile
    real = ppath.resolve()
    here = [*stack, (path.resolve(), file)]
    if any(real == p for p, _ in here):
        chain = " -> ".join([f for _, f in here] + [pfile])
        return None, [ErrorItem(*ext_origin, "extends", f"extends cycle: {chain}")]
    if len(here) >= MAX_EXTENDS:
        # Each level is a recursion: 1,500 files ended in a RecursionError traceback.
        return None, [ErrorItem(*ext_origin, "extends", (
            f"more than {MAX_EXTENDS} files extend one another from {here[0][1]} (real "
            "chains: 2 or 3); extend a file nearer the baseline"))]
    base, errors = _load_chain(ppath, pfile, here, ext_origin)
    if base is None:
        return None, errors
    base.data.pop("extends", None)
    base.origins.pop(("extends",), None)
    _merge(base, doc, ())
    base.files = [*doc.files, *base.files]
    return base, []


#: Lists of typed items a child may replace thinking it changes one item (an item's error
#: then names the parent's item of the same ``id``).
_ITEM_LISTS: frozenset[Loc] = frozenset({("proposals",), ("events",)})

#: Mappings whose null values are values, not removals: ``parameters.mechanisms``, where
#: ``null`` empties a slot (removing the parent's choice would give the slot's default,
#: which for growth and trade is not empty).
_NULL_IS_A_VALUE: frozenset[Loc] = frozenset({("parameters", "mechanisms")})


def _merge(base: _Doc, child: _Doc, loc: Loc) -> None:
    """Merge ``child``'s mapping at ``loc`` into ``base`` (in place), as a JSON Merge Patch.

    RFC 7396: a mapping merges into the parent's mapping key by key; ``null`` removes
    the parent's key (except under :data:`_NULL_IS_A_VALUE`); anything else replaces
    the parent's value whole. A ``null`` with no parent key to remove stays, to be
    validated as a value (an error where null is not one), and is noted in
    ``base.unmatched_nulls`` for that error to say so.
    """
    bmap = _get(base.data, loc)
    cmap = _get(child.data, loc)
    parent_keys = [k for k in bmap if isinstance(k, str)]
    for key, value in cmap.items():
        sub = (*loc, key)
        if isinstance(value, dict) and isinstance(bmap.get(key), dict):
            base.origins[sub] = child.origins[sub]
            _merge(base, child, sub)
            continue
        if sub in _ITEM_LISTS and isinstance(value, list) and isinstance(bmap.get(key), list):
            # Kept for the error about a child's item without a type (_replaced_item_hints).
            base.replaced_items[sub] = [
                (item, base.origin((*sub, i))[0]) for i, item in enumerate(bmap[key])]
        # Drop the parent's origins below: its value goes.
        _purge(base.origins, sub)
        if value is None and key in bmap and loc not in _NULL_IS_A_VALUE:
            del bmap[key]
            # Kept: an error about what is now missing (a required key, a default
            # that no longer fits) points at the null that removed it.
            base.origins[sub] = child.origins[sub]
            continue
        bmap[key] = value
        base.origins.update(
            {k: v for k, v in child.origins.items() if k[: len(sub)] == sub}
        )
        _note_nulls(base, value, sub, parent_keys)


def _note_nulls(base: _Doc, value: Any, loc: Loc, around: list[str]) -> None:
    """Note each null of a child's ``value`` at ``loc``: it had no parent key to remove.

    ``around``: the keys the parent wrote beside ``loc`` (what a misspelt key may have
    meant). Noted with the null's origin, so a later file or override writing there
    leaves the note unused. A null in a list is a value, as without ``extends``.
    """
    if value is None and loc[:-1] not in _NULL_IS_A_VALUE:
        base.unmatched_nulls[loc] = (base.origins[loc], base.files[0], around)
    elif isinstance(value, dict):
        for key, item in value.items():
            _note_nulls(base, item, (*loc, key), [])


def validate_data(doc_or_data: Any, source: Path | None = None, file: str = "<data>") -> Scenario:
    """Validate already-parsed data (e.g. a dict built in Python) into a Scenario.

    Errors carry ``file`` (default ``<data>``) and no line numbers.

    Raises:
        ScenarioError: Listing every problem.
    """
    if isinstance(doc_or_data, _Doc):
        doc = doc_or_data
    else:
        if not isinstance(doc_or_data, dict):
            raise ScenarioError(ErrorItem(file, None, "<root>", (
                f"the top level must be a mapping, got {_describe(doc_or_data)}")))
        doc = _Doc(copy.deepcopy(doc_or_data), {(): (file, None)})
    errors: list[ErrorItem] = []
    for key, why in _RESERVED.items():
        if key in doc.data:
            errors.append(ErrorItem(*doc.origin((key,)), key, (
                f"{key!r} cannot be written in a scenario: {why}")))
    if errors:
        raise ScenarioError(errors)
    # Imported here: `scosim validate` accepts most scenarios without pydantic (quick.py).
    from pydantic import ValidationError

    from scosim.scenario.schema import Scenario

    try:
        scenario = Scenario.model_validate({**doc.data, "source": source})
    except ValidationError as exc:
        # Imported on failure only: turning pydantic's errors into file:line messages.
        from scosim.scenario.beside import errors_beside
        from scosim.scenario.messages import _translate

        errors = _replaced_item_hints(_translate(exc, doc), doc)
        # The schema's cross-field checks did not run if a field failed: said beside.
        raise ScenarioError(errors + errors_beside(doc, errors)) from None
    # Needs where each value was written, which the schema does not see.
    errors = (emptied_slot_errors(scenario.parameters, doc)
              + displaced_slot_errors(scenario.parameters, doc))
    if errors:
        raise ScenarioError(errors)
    return scenario


def _replaced_item_hints(errors: list[ErrorItem], doc: _Doc) -> list[ErrorItem]:
    """Say why a child's item has no ``type`` when the parent's item of its ``id`` had one.

    ``proposals: [{id: sco_cu, cet: min}]`` under ``extends: scosim:customs_union`` reads
    as a change of one field, but the merge rule (JSON Merge Patch) replaces the parent's
    list whole; the bare "missing key 'type'" did not say so, nor how to change one field.
    """
    out = []
    for e in errors:
        m = re.fullmatch(r"(proposals|events)\[(\d+)\]", e.path)
        parent = doc.replaced_items.get((m.group(1),)) if m else None
        if not (m and parent and e.message.startswith("missing key 'type'")):
            out.append(e)
            continue
        key, child = m.group(1), _get(doc.data, (m.group(1), int(m.group(2))))
        pid = child.get("id") if isinstance(child, dict) else None
        match = [(item, f) for item, f in parent
                 if isinstance(item, dict) and pid is not None and item.get("id") == pid
                 and isinstance(item.get("type"), str)]
        if len(match) != 1:
            out.append(e)
            continue
        item, pfile = match[0]
        fields = ", ".join(str(k) for k in item if k not in ("type", "id"))
        sets = " ".join(f"--set {key}.{pid}.{k}={_set_value(v)}"
                        for k, v in child.items() if k not in ("type", "id")) or (
            f"--set {key}.{pid}.<field>=<value>")
        what = "one field" if sets.count("--set") == 1 else "those fields"
        out.append(e._replace(message=(
            f"missing key 'type': a {key} list here replaces {pfile}'s whole list (extends "
            f"merges mappings, not lists), whose item {pid!r} is type {item['type']} "
            f"({fields}); copy that item whole and change it there, or change {what} of "
            f"the parent's item with {sets} (docs/scenarios.md, \"Merge rule\")")))
    return out


def _set_value(value: Any) -> str:
    """``value`` as a ``--set`` value a shell passes whole (YAML; quoted when it must be)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and re.fullmatch(r"[\w.+-]+", value):
        return value
    import yaml  # a flow mapping keeps YAML's keys (phase_in: {2027: 1.0}); JSON's are text

    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True,
                          width=2**20).strip().removesuffix("...").strip()
    return text if re.fullmatch(r"[\w.+-]+", text) else "'" + text.replace("'", "'\\''") + "'"


# --------------------------------------------------------------------------- public


def load_scenario(
    path: str | os.PathLike[str],
    overrides: Mapping[str, Any] | None = None,
    *,
    import_rules: bool = True,
) -> Scenario:
    """Load, resolve and validate a scenario file.

    Args:
        path: YAML file, or ``scosim:<name>`` for a shipped scenario
            (``scosim:customs_union``). Shown in errors exactly as given.
        overrides: Dotted-path assignments applied after ``extends``, e.g.
            ``{"seed": 3, "parameters.trade.sigma": 4, "proposals[0].cet": "max"}``.
            Missing intermediate mappings are created; list items are addressed
            by index. Validated like the file (errors show ``<override>:N``).
        import_rules: Import the modules named in dotted rule paths to check
            them (this runs their code, as running a Python script does). With
            ``False`` they are checked from their source files without importing.

    Returns:
        The validated :class:`Scenario`, with ``source`` set to ``path`` and
        ``overrides`` to the overrides applied.

    Raises:
        ScenarioError: Listing every problem found (a ``ValueError``).
    """
    file = os.fspath(path)
    doc, written, errors = _resolve_collect(file, overrides)
    if errors:
        _raise_with_schema_errors(errors, lambda: _validate(doc, file, import_rules))
    scenario = _validate(doc, file, import_rules)
    if written is not None:
        _check_written(written, doc, lambda: _validate(written, file, import_rules))
    _warn_displaced(scenario, doc)
    if overrides:
        # Carried with the object: a run of it records them, as it records --set.
        scenario._overrides = {str(k): copy.deepcopy(v) for k, v in overrides.items()}
    return scenario


def _warn_displaced(scenario: Scenario, doc: _Doc) -> None:
    """Warn of a parent's settings that a child or --set left to no mechanism (once a load)."""
    import warnings

    from scosim.errors import ScosimWarning

    for note in displaced_slot_notes(scenario.parameters, doc):
        warnings.warn(note, ScosimWarning, stacklevel=3)


def _validate(doc: _Doc, file: str, import_rules: bool) -> Scenario:
    """The schema's validation of a resolved document (rule paths imported if asked)."""
    from scosim.rules.checks import importing_rules
    from scosim.scenario.values import IMPORT_CODE

    token = IMPORT_CODE.set(bool(import_rules))
    try:
        with importing_rules(import_rules):
            return validate_data(doc, source=Path(file))
    except ScenarioError as exc:
        # A run's saved scenario: a plug-in it used and that is not installed here is
        # named with the distribution and version the run's manifest records.
        from scosim.plugin_record import hinted_errors

        hinted = hinted_errors(exc.errors, doc.data, file)
        if hinted == exc.errors:
            raise
        raise ScenarioError(hinted) from None
    finally:
        IMPORT_CODE.reset(token)


def _resolve(file: str, overrides: Mapping[str, Any] | None) -> _Doc:
    """The file's data with ``extends`` merged and ``overrides`` applied (not validated)."""
    return _resolve_with_written(file, overrides)[0]


def _resolve_with_written(
    file: str, overrides: Mapping[str, Any] | None
) -> tuple[_Doc, _Doc | None]:
    """:func:`_resolve`, and the document as written when an override replaced a value.

    The second is None when no override replaced a value the files wrote (nothing of
    the file can be hidden then).
    """
    doc, written, errors = _resolve_collect(file, overrides)
    if errors:
        raise ScenarioError(errors)
    return doc, written


def _resolve_collect(
    file: str, overrides: Mapping[str, Any] | None
) -> tuple[_Doc, _Doc | None, list[ErrorItem]]:
    """:func:`_resolve_with_written`, returning the overrides' errors instead of raising.

    The overrides that failed are left out of the document; the others are applied, so
    the caller can still validate the rest and report every problem at once.
    """
    if is_shipped(file):
        try:
            path = shipped_path(file)
        except LookupError as exc:
            raise ScenarioError(ErrorItem(file, None, "<root>", str(exc))) from None
    else:
        path = Path(file)
    doc, errors = _load_chain(path, file, [], None)
    if doc is None:
        raise ScenarioError(errors)
    if not overrides:
        return doc, None, []
    if not isinstance(overrides, Mapping):
        raise TypeError(f"overrides must be a mapping of dotted paths to values, "
                        f"got {type(overrides).__name__}")
    written = copy.deepcopy(doc)
    errors = _apply_overrides(doc, overrides)
    return doc, (written if _replaced(written, doc) else None), errors


def _raise_with_schema_errors(errors: list[ErrorItem], validate: Any) -> NoReturn:
    """Raise the overrides' errors together with the schema's errors of the rest.

    Without this, ``--set proposals.nope.cet=0.1 --set countries.XYZ.status=member``
    reported only the first, and the unknown country only once that was fixed.
    Schema errors at a failed override's own place (a mapping it created before it
    failed) are left out: the override's own message already names it.
    """
    failed = {(e.file, e.line) for e in errors}
    try:
        validate()
    except ScenarioError as exc:
        rest = [e for e in exc.errors if (e.file, e.line) not in failed]
        raise ScenarioError(errors + rest) from None
    raise ScenarioError(errors)


def _replaced(written: _Doc, doc: _Doc) -> set[Loc]:
    """The places where an override of ``doc`` replaced a value the files wrote."""
    return {loc for loc, (f, _) in doc.origins.items()
            if f == OVERRIDE_FILE and loc in written.origins
            and written.origins[loc][0] != OVERRIDE_FILE}


def _check_written(written: _Doc, doc: _Doc, validate: Any) -> None:
    """Refuse a file that is invalid as written, though its overrides replaced the value.

    ``--replications 3`` over ``replications: twenty`` ran a file that ``scosim
    validate`` refuses: a bad value must be fixed where it is written, whatever a
    command line overrides. ``validate()`` validates ``written`` (raising
    :class:`ScenarioError`); its errors at a replaced place say so.
    """
    try:
        validate()
    except ScenarioError as exc:
        replaced = {format_path(loc) for loc in _replaced(written, doc)}
        raise ScenarioError([
            e._replace(message=e.message + " (an override replaces it in this run, but "
                       "the file must be valid as written: `scosim validate` refuses it)")
            if e.path in replaced else e
            for e in exc.errors
        ]) from None


def check_scenario(
    path: str | os.PathLike[str],
    overrides: Mapping[str, Any] | None = None,
    *,
    import_rules: bool = True,
    quick: bool = True,
) -> dict[str, Any]:
    """Validate a scenario file as :func:`load_scenario` does; return its resolved data.

    What ``scosim validate`` runs. A scenario within the part of the schema that
    :mod:`scosim.scenario.quick` covers is accepted without pydantic; any other,
    and every invalid one, is validated by :func:`load_scenario`'s schema, so what
    is accepted, what is refused and every message are the same.

    Args:
        path: YAML file, as for :func:`load_scenario`.
        overrides: Dotted-path assignments, as for :func:`load_scenario`.
        import_rules: As for :func:`load_scenario`.
        quick: Try the pydantic-free check first (``False``: the schema only).

    Returns:
        ``Scenario.model_dump(mode="json")`` of the validated scenario (no ``source``),
        with ``"hash"`` added: :func:`scenario_hash` of it.

    Raises:
        ScenarioError: Listing every problem found.
    """
    file = os.fspath(path)
    doc, written, errors = _resolve_collect(file, overrides)
    if errors:
        _raise_with_schema_errors(errors, lambda: _validate(doc, file, import_rules))
    from scosim.scenario.quick import quick_dump

    data = quick_dump(doc.data) if quick else None
    scenario = None
    if data is None:
        scenario = _validate(doc, file, import_rules)
        data = scenario.model_dump(mode="json", exclude={"source"})
    # After the resolved scenario, as load_scenario does: checked first, a file invalid
    # as written hid its overrides' own errors (--set seed=1e3 went unreported).
    if written is not None:
        _check_written(written, doc, lambda: (quick and quick_dump(written.data) is not None)
                       or _validate(written, file, import_rules))
    if scenario is not None:  # the quick path takes no scenario that names its mechanisms
        _warn_displaced(scenario, doc)
    return {**data, "hash": _hash_data(data)}


def _hash_data(data: Mapping[str, Any]) -> str:
    """sha256 of a dumped scenario's canonical JSON (``extends`` and ``source`` left out).

    A plug-in named by its dotted path adds that path, under ``plugin_references``
    (:func:`scosim.scenario.plugin_refs.plugin_references`).
    """
    kept = {k: v for k, v in data.items() if k not in ("extends", "source")}
    from scosim.scenario.plugin_refs import plugin_references

    refs = plugin_references(data)
    if refs:
        kept["plugin_references"] = refs
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scenario_hash(scenario: Scenario) -> str:
    """sha256 (hex) of the canonical JSON of the resolved scenario.

    ``source`` and ``extends`` are excluded, so two files that resolve to the
    same scenario hash the same; defaults are included, so writing a default
    explicitly does not change the hash. A plug-in named by its dotted path adds
    that path (:mod:`scosim.scenario.plugin_refs`).
    """
    return _hash_data(scenario.model_dump(mode="json", exclude={"extends", "source"}))
