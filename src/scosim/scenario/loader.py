"""Load a scenario file: safe YAML with line numbers, ``extends:``, overrides, validation.

Pipeline (nothing is built until every step passes):

1. Compose each file with :class:`yaml.SafeLoader`, keeping node marks, into
   plain data plus an *origin map* ``{location tuple: (file, line)}``.
   Duplicate keys are rejected (PyYAML would silently keep the last).
2. Resolve ``extends:`` (path relative to the file that names it; chains allowed,
   cycles rejected). **Merge rule:** mappings merge recursively, the child's
   value winning key by key; lists and scalars replace the parent's value
   whole. Origins follow the value, so an error points at the file and line
   where the offending value was written.
3. Apply dotted-path overrides (``{"parameters.trade.sigma": 4}``), shown as
   file ``<override>`` with the override's 1-based position as its line.
4. Validate with the pydantic schema; every error becomes
   ``file:line: dotted.path: message`` in one :class:`ScenarioError`.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
import re
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from scosim.scenario.errors import ErrorItem, ScenarioError, format_path
from scosim.scenario.schema import Issues, Scenario

__all__ = ["load_scenario", "parse_overrides", "scenario_hash", "validate_data"]

Loc = tuple[Any, ...]
Origin = tuple[str, int | None]

OVERRIDE_FILE = "<override>"
_RESERVED = {"source": "it is set by the loader to the file read"}


def _proposal_types() -> list[str]:
    from scosim.proposals import available_types

    return available_types()

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_EVENT_TYPES = ("border_clash", "sanctions", "gdp_shock", "trust_shock")

#: Most values a scenario file may hold once aliases (``*name``) are expanded.
#: Real scenarios hold a few hundred; the cap stops "billion laughs" files,
#: whose few hundred bytes expand to billions of values, before they are built.
MAX_NODES = 100_000
#: Deepest nesting of mappings and lists allowed (real scenarios: about 6).
MAX_DEPTH = 64


# --------------------------------------------------------------------------- YAML


class _Doc:
    """Plain data from one or more files, with where each value was written."""

    def __init__(self, data: Any, origins: dict[Loc, Origin]) -> None:
        self.data = data
        self.origins = origins

    def origin(self, loc: Loc) -> Origin:
        """Origin of ``loc`` or of its nearest ancestor that has one."""
        for i in range(len(loc), -1, -1):
            if loc[:i] in self.origins:
                return self.origins[loc[:i]]
        return ("<unknown>", None)


def _check_size(text: str, file: str) -> ErrorItem | None:
    """Reject alias bombs and deep nesting before anything is composed.

    Walks the parser's event stream (PyYAML's scanner and parser are iterative;
    its composer recurses, so 100,000 nested brackets would overflow the stack),
    counting the values each anchored collection expands to.
    """
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[0, None]]  # [expanded size so far, anchor]
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([1, event.anchor])
            if len(stack) - 1 > MAX_DEPTH:
                return ErrorItem(file, line, "<syntax>", (
                    f"nesting deeper than {MAX_DEPTH} levels of mappings and lists; "
                    "a scenario needs fewer than 10"))
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            size, anchor = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
            stack[-1][0] += size
        elif isinstance(event, yaml.AliasEvent):
            # An unknown alias is left for the composer to report.
            stack[-1][0] += sizes.get(event.anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            stack[-1][0] += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        else:
            continue
        if sum(level[0] for level in stack) > MAX_NODES:
            return ErrorItem(file, line, "<syntax>", (
                f"the file expands to more than {MAX_NODES:,} values once aliases (*name) "
                "are expanded; a scenario holds a few hundred (is this a YAML alias bomb?)"))
    return None


def _compose(text: str, file: str) -> tuple[_Doc | None, list[ErrorItem]]:
    """Parse ``text`` into a :class:`_Doc`; return errors instead of raising."""
    loader = yaml.SafeLoader(text)
    errors: list[ErrorItem] = []
    try:
        too_big = _check_size(text, file)
        if too_big is not None:
            return None, [too_big]
        node = loader.get_single_node()
        if node is None:
            return None, [ErrorItem(file, 1, "<root>", (
                "file is empty; a scenario is a mapping with at least 'name'"))]
        origins: dict[Loc, Origin] = {}
        data = _build(loader, node, (), file, origins, errors)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        context = exc.context or ""
        # The parser often notices a problem lines after its cause (an unclosed
        # bracket); say where the construct it was reading began.
        if context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
            context += f" started at line {exc.context_mark.line + 1}"
        what = ": ".join(s for s in (context, exc.problem) if s)
        return None, [ErrorItem(file, line, "<syntax>", f"YAML syntax error: {what}")]
    except yaml.YAMLError as exc:
        return None, [ErrorItem(file, None, "<syntax>", f"YAML error: {exc}")]
    finally:
        loader.dispose()
    if errors:
        return None, errors
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__} ({data!r})"
        return None, [ErrorItem(file, node.start_mark.line + 1, "<root>", (
            f"the top level must be a mapping of keys (name, years, parameters, ...), "
            f"got {kind}"))]
    return _Doc(data, origins), []


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    loc: Loc,
    file: str,
    origins: dict[Loc, Origin],
    errors: list[ErrorItem],
) -> Any:
    origins.setdefault(loc, (file, node.start_mark.line + 1))
    # Collections are walked here, not by the constructor, so check their tags
    # ourselves: only plain mappings and lists (safe YAML, no !!python/...).
    allowed_tag = {yaml.MappingNode: _MAP_TAG, yaml.SequenceNode: _SEQ_TAG}.get(type(node))
    if allowed_tag is not None and node.tag != allowed_tag:
        raise yaml.constructor.ConstructorError(
            None, None, f"unsupported YAML tag {node.tag!r} (only plain YAML is read)",
            node.start_mark)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves "<<: *anchor" merge keys
        out: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for knode, vnode in node.value:
            key = loader.construct_object(knode, deep=True)
            kline = knode.start_mark.line + 1
            try:
                hash(key)
            except TypeError:
                errors.append(ErrorItem(file, kline, format_path(loc), (
                    f"mapping key must be a plain value, got {type(key).__name__}")))
                continue
            if key in out:
                errors.append(ErrorItem(file, kline, format_path((*loc, key)), (
                    f"duplicate key {key!r} (first written at line {first_line[key]}); "
                    "YAML would silently keep only the last, so remove one")))
                continue
            child = (*loc, key)
            origins[child] = (file, kline)
            first_line[key] = kline
            out[key] = _build(loader, vnode, child, file, origins, errors)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*loc, i), file, origins, errors)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


# --------------------------------------------------------------------------- files


def _read(path: Path, file: str, ref: Origin | None) -> tuple[str | None, list[ErrorItem]]:
    """Read a file; on failure report at ``ref`` (the ``extends`` line) or at the file."""
    rfile, rline = ref if ref is not None else (file, None)
    rpath = "extends" if ref is not None else "<root>"
    try:
        return path.read_text(encoding="utf-8"), []
    except FileNotFoundError:
        return None, [ErrorItem(rfile, rline, rpath, (
            f"file not found: {file!r} (looked for {path.resolve()})"))]
    except IsADirectoryError:
        return None, [ErrorItem(rfile, rline, rpath, f"{file!r} is a directory, not a file")]
    except UnicodeDecodeError as exc:
        return None, [ErrorItem(file, None, "<syntax>", f"not UTF-8 text: {exc}")]
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
            f"must be a file path (string) relative to this file, got {parent!r}"))]
    ppath = path.parent / parent
    pfile = os.path.normpath(os.path.join(os.path.dirname(file), parent))
    real = ppath.resolve()
    here = [*stack, (path.resolve(), file)]
    if any(real == p for p, _ in here):
        chain = " -> ".join([f for _, f in here] + [pfile])
        return None, [ErrorItem(*ext_origin, "extends", f"extends cycle: {chain}")]
    base, errors = _load_chain(ppath, pfile, here, ext_origin)
    if base is None:
        return None, errors
    base.data.pop("extends", None)
    base.origins.pop(("extends",), None)
    _merge(base, doc, ())
    return base, []


def _merge(base: _Doc, child: _Doc, loc: Loc) -> None:
    """Merge ``child``'s mapping at ``loc`` into ``base`` (in place)."""
    bmap = _get(base.data, loc)
    cmap = _get(child.data, loc)
    for key, value in cmap.items():
        sub = (*loc, key)
        if isinstance(value, dict) and isinstance(bmap.get(key), dict):
            base.origins[sub] = child.origins[sub]
            _merge(base, child, sub)
        else:
            # Lists and scalars replace whole: drop the parent's origins below.
            _purge(base.origins, sub)
            bmap[key] = value
            base.origins.update(
                {k: v for k, v in child.origins.items() if k[: len(sub)] == sub}
            )


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def _purge(origins: dict[Loc, Origin], loc: Loc) -> None:
    for k in [k for k in origins if k[: len(loc)] == loc]:
        del origins[k]


# --------------------------------------------------------------------------- overrides

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


def _apply_overrides(doc: _Doc, overrides: Mapping[str, Any]) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
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
        for depth, part in enumerate(loc[:-1]):
            if isinstance(node, dict):
                if part not in node or node[part] is None:
                    node[part] = {}
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
        ScenarioError: For an item without ``=`` or a value that is not valid YAML.
    """
    out: dict[str, Any] = {}
    errors: list[ErrorItem] = []
    for n, item in enumerate(items, start=1):
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            errors.append(ErrorItem(OVERRIDE_FILE, n, item, "write overrides as dotted.path=value"))
            continue
        try:
            out[key.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            errors.append(
                ErrorItem(OVERRIDE_FILE, n, key.strip(), f"value is not valid YAML: {exc}")
            )
    if errors:
        raise ScenarioError(errors)
    return out


# --------------------------------------------------------------------------- validation


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


_KIND = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "string": "a string",
    "dict": "a mapping",
    "list": "a list",
    "model": "a mapping",
    "model_attributes": "a mapping",
    "literal": "one of the listed values",
    "is_instance_of": "a path",
}


def _clean_loc(loc: Loc, data: Any) -> tuple[Loc, bool]:
    """Drop union tags from a pydantic location; flag dict-key errors."""
    out: list[Any] = []
    cur: Any = data
    is_key = False
    for el in loc:
        if isinstance(el, str) and el.startswith("__"):
            continue
        if el == "[key]":
            is_key = True
            continue
        if isinstance(cur, dict):
            if el in cur:
                cur = cur[el]
            elif isinstance(el, str) and cur.get("type") == el:
                continue  # discriminated-union tag, not a key
            else:
                cur = None
        elif isinstance(cur, list) and isinstance(el, int) and 0 <= el < len(cur):
            cur = cur[el]
        else:
            cur = None
        out.append(el)
    return tuple(out), is_key


def _strip(tp: Any, cur: Any) -> Any:
    """Unwrap Annotated/Optional/Union to the type that applies to ``cur``."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            # A registry-dispatched field (proposals) says which model applies to cur.
            for meta in get_args(tp)[1:]:
                if hasattr(meta, "spec_for") and meta.spec_for(cur) is not None:
                    return meta.spec_for(cur)
            tp = get_args(tp)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [_strip(a, None) for a in get_args(tp) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            if isinstance(cur, dict) and "type" in cur:
                for m in models:
                    if cur["type"] in get_args(_strip(m.model_fields["type"].annotation, None)):
                        return m
            if isinstance(cur, list):
                lists = [a for a in args if get_origin(a) is list]
                if lists:
                    return lists[0]
            if len(models) == 1:
                return models[0]
            return None
        return tp


def _model_at(loc: Loc, data: Any) -> type[BaseModel] | None:
    tp: Any = Scenario
    cur: Any = data
    for el in loc:
        tp = _strip(tp, cur)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(el)
            if field is None:
                return None
            tp = field.annotation
        elif get_origin(tp) is list:
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            return None
        try:
            cur = cur[el]
        except (KeyError, IndexError, TypeError):
            cur = None
    tp = _strip(tp, cur)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _join(words: Any) -> str:
    return ", ".join(str(w) for w in words)


def _message(err: Mapping[str, Any], loc: Loc, data: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    last = loc[-1] if loc else "<root>"
    if kind == "missing":
        return f"required key {last!r} is missing"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1], data)
        allowed = [k for k in (model.model_fields if model else {}) if k != "source"]
        if last in _RESERVED:
            return f"{last!r} cannot be written in a scenario: {_RESERVED[last]}"
        close = difflib.get_close_matches(str(last), allowed, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key {last!r}{hint}; allowed keys: {_join(allowed)}"
    if kind == "value_error":
        exc = ctx.get("error")
        return str(exc) if exc is not None else err["msg"]
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{value!r} is not one of {_join(options)}{hint}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op, bound = {
            "greater_than": (">", ctx.get("gt")),
            "greater_than_equal": (">=", ctx.get("ge")),
            "less_than": ("<", ctx.get("lt")),
            "less_than_equal": ("<=", ctx.get("le")),
        }[kind]
        return f"{value!r} is out of range: must be {op} {bound}"
    if kind in ("too_short", "too_long"):
        n = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        return f"needs {word} {n} item(s), got {ctx.get('actual_length')}"
    if kind == "union_tag_invalid":
        tags = re.sub(r"['\"]", "", str(ctx.get("expected_tags")))
        return f"unknown type {ctx.get('tag')!r}; allowed types: {tags}"
    if kind == "union_tag_not_found":
        types_ = _proposal_types() if loc and loc[0] == "proposals" else _EVENT_TYPES
        return f"missing key 'type'; allowed types: {_join(types_)}"
    if kind == "keyword_or_list":
        return f"{err['msg']}, got {_describe(value)}"
    if kind == "finite_number":
        return f"expected a finite number, got {value!r}"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        base = kind.rsplit("_", 1)[0]
        want = _KIND.get(base, base.replace("_", " "))
        return f"expected {want}, got {_describe(value)}"
    return f"{err['msg']} (got {_describe(value)})"


def _translate(exc: ValidationError, doc: _Doc) -> list[ErrorItem]:
    out: list[ErrorItem] = []
    for err in exc.errors():
        ctx = err.get("ctx") or {}
        inner = ctx.get("error")
        if err["type"] == "value_error" and isinstance(inner, Issues):
            for rel, msg in inner.issues:
                loc, _ = _clean_loc((*err["loc"], *rel), doc.data)
                out.append(ErrorItem(*doc.origin(loc), format_path(loc), msg))
            continue
        loc, _ = _clean_loc(err["loc"], doc.data)
        if err["type"] == "union_tag_invalid":
            loc = (*loc, "type")  # point at the line where the bad type is written
        out.append(ErrorItem(*doc.origin(loc), format_path(loc), _message(err, loc, doc.data)))
    return out


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
    try:
        return Scenario.model_validate({**doc.data, "source": source})
    except ValidationError as exc:
        raise ScenarioError(_translate(exc, doc)) from None


# --------------------------------------------------------------------------- public


def load_scenario(
    path: str | os.PathLike[str],
    overrides: Mapping[str, Any] | None = None,
    *,
    import_rules: bool = True,
) -> Scenario:
    """Load, resolve and validate a scenario file.

    Args:
        path: YAML file. Shown in errors exactly as given.
        overrides: Dotted-path assignments applied after ``extends``, e.g.
            ``{"seed": 3, "parameters.trade.sigma": 4, "proposals[0].cet": "max"}``.
            Missing intermediate mappings are created; list items are addressed
            by index. Validated like the file (errors show ``<override>:N``).
        import_rules: Import the modules named in dotted rule paths to check
            them (this runs their code, as running a Python script does). With
            ``False`` they are checked from their source files without importing.

    Returns:
        The validated :class:`Scenario`, with ``source`` set to ``path``.

    Raises:
        ScenarioError: Listing every problem found (a ``ValueError``).
    """
    file = os.fspath(path)
    doc, errors = _load_chain(Path(file), file, [], None)
    if doc is None:
        raise ScenarioError(errors)
    if overrides:
        if not isinstance(overrides, Mapping):
            raise TypeError(f"overrides must be a mapping of dotted paths to values, "
                            f"got {type(overrides).__name__}")
        errors = _apply_overrides(doc, overrides)
        if errors:
            raise ScenarioError(errors)
    from scosim.rules.checks import importing_rules

    with importing_rules(import_rules):
        return validate_data(doc, source=Path(file))


def _canonical(scenario: Scenario) -> str:
    data = scenario.model_dump(mode="json", exclude={"extends", "source"})
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def scenario_hash(scenario: Scenario) -> str:
    """sha256 (hex) of the canonical JSON of the resolved scenario.

    ``source`` and ``extends`` are excluded, so two files that resolve to the
    same scenario hash the same; defaults are included, so writing a default
    explicitly does not change the hash.
    """
    return hashlib.sha256(_canonical(scenario).encode("utf-8")).hexdigest()
