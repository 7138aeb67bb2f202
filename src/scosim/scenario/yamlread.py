"""Compose one scenario file's YAML into plain data and the line of every value.

Split from :mod:`scosim.scenario.loader` (which merges files, applies overrides and
validates): safe YAML only, with size, depth, duplicate-key and recursive-alias checks.
"""

from __future__ import annotations

from typing import Any

import yaml

from scosim.scenario.doc import Loc, Origin, _Doc, _purge
from scosim.scenario.errors import ErrorItem, format_path

#: libyaml's loader, if PyYAML was built with it (see :func:`_compose`).
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
#: Characters the pure-Python reader refuses (libyaml accepts some of them).
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"

#: Most values a scenario file may hold once aliases (``*name``) are expanded.
#: Real scenarios hold a few hundred; the cap stops "billion laughs" files,
#: whose few hundred bytes expand to billions of values, before they are built.
MAX_NODES = 100_000
#: Deepest nesting of mappings and lists allowed (real scenarios: about 6).
MAX_DEPTH = 64


def _check_size(
    text: str,
    file: str,
    loader_cls: Any = yaml.SafeLoader,
    anchors: dict[tuple[int, int], str] | None = None,
) -> ErrorItem | None:
    """Reject alias bombs and deep nesting before anything is composed.

    Walks the parser's event stream (PyYAML's scanner and parser are iterative;
    its composer recurses, so 100,000 nested brackets would overflow the stack),
    counting the values each anchored collection expands to. If ``anchors`` is
    given, it is filled with ``{(line, column): name}`` of every anchored
    collection, so that :func:`_build` can name the anchor of a recursive alias.
    """
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[0, None]]  # [expanded size so far, anchor]
    for event in yaml.parse(text, Loader=loader_cls):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([1, event.anchor])
            if anchors is not None and event.anchor is not None:
                # The composed node starts at the same mark as its anchor's event.
                anchors[(event.start_mark.line, event.start_mark.column)] = event.anchor
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
    """Parse ``text`` into a :class:`_Doc`; return errors instead of raising.

    libyaml's parser (when PyYAML has it) reads a scenario some 40 times faster than
    the pure-Python one, which matters to ``scosim validate``'s start-up. Its error
    messages differ, so a file it rejects, or one holding characters that the
    pure-Python reader refuses, is read again by the pure-Python parser, whose
    messages are the ones users see. Both resolve scalars and build the data here
    alike (same marks, same constructor).
    """
    if _FAST_LOADER is not None and not _NON_PRINTABLE.search(text):
        try:
            return _compose_with(_FAST_LOADER, text, file, report=False)
        except yaml.YAMLError:
            pass
    return _compose_with(yaml.SafeLoader, text, file, report=True)


def _compose_with(
    loader_cls: Any, text: str, file: str, *, report: bool
) -> tuple[_Doc | None, list[ErrorItem]]:
    """:func:`_compose` with one loader; YAML errors are items if ``report``, else raised."""
    try:
        # The reader checks every character as it is made: outside the try, a NUL or
        # another control character in the file went out as a ReaderError traceback.
        loader = loader_cls(text)
    except yaml.reader.ReaderError as exc:
        if not report:
            raise
        before = text[:exc.position]
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return None, [ErrorItem(file, line, "<syntax>", (
            f"character U+{ord(char):04X} at column {column} is not allowed in YAML (of the "
            "control characters, only tab, line feed and carriage return are); remove it"))]
    errors: list[ErrorItem] = []
    try:
        anchors: dict[tuple[int, int], str] = {}
        too_big = _check_size(text, file, loader_cls, anchors)
        if too_big is not None:
            return None, [too_big]
        node = loader.get_single_node()
        if node is None:
            return None, [ErrorItem(file, 1, "<root>", (
                "file is empty; a scenario is a mapping with at least 'name'"))]
        origins: dict[Loc, Origin] = {}
        data = _build(loader, node, (), file, origins, errors, _Walk(anchors))
    except yaml.MarkedYAMLError as exc:
        if not report:
            raise
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
        if not report:
            raise
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


class _Walk:
    """State of one :func:`_build` walk: anchor names and the collections being built."""

    def __init__(self, anchors: dict[tuple[int, int], str]) -> None:
        #: ``{(line, column): name}`` of anchored collections (from :func:`_check_size`).
        self.anchors = anchors
        #: ids of the collection nodes on the path from the root to the current one.
        self.active: set[int] = set()

    def name(self, node: yaml.Node) -> str | None:
        """The anchor ``node`` was written with, if it has one."""
        return self.anchors.get((node.start_mark.line, node.start_mark.column))


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    loc: Loc,
    file: str,
    origins: dict[Loc, Origin],
    errors: list[ErrorItem],
    walk: _Walk,
) -> Any:
    origins.setdefault(loc, (file, node.start_mark.line + 1))
    if not isinstance(node, yaml.CollectionNode):
        return loader.construct_object(node, deep=True)
    # An alias inside its own anchor ("a: &a {b: *a}") composes to a node that
    # contains itself; building it would recurse until Python's stack ran out.
    if id(node) in walk.active:
        errors.append(ErrorItem(file, origins[loc][1], format_path(loc), (
            f"{_recursion(node, walk)}; write the value out instead")))
        return None
    walk.active.add(id(node))
    try:
        return _build_collection(loader, node, loc, file, origins, errors, walk)
    finally:
        walk.active.discard(id(node))


def _recursion(node: yaml.Node, walk: _Walk, where: str = "") -> str:
    """What is wrong with ``node``, found inside itself (``where``: e.g. " in a mapping key")."""
    name, at = walk.name(node), node.start_mark.line + 1
    if name is not None:
        return (f"recursive YAML alias '*{name}'{where} (an anchor cannot contain itself: "
                f"'&{name}' at line {at} encloses it)")
    # e.g. a "<<: *a" merge inside a's own value
    kind = "mapping" if isinstance(node, yaml.MappingNode) else "list"
    return (f"recursive YAML value{where}: the {kind} at line {at} contains itself "
            "through an alias or a '<<' merge")


def _first_cycle(node: yaml.Node, active: set[int]) -> yaml.Node | None:
    """The first collection under ``node`` (or ``node``) that is already in ``active``.

    ``active`` holds the ids of the collections on the path from the root (they are
    added and removed as the walk goes). Depth is bounded by :data:`MAX_DEPTH`.
    """
    if not isinstance(node, yaml.CollectionNode):
        return None
    if id(node) in active:
        return node
    children = ([n for pair in node.value for n in pair]
                if isinstance(node, yaml.MappingNode) else node.value)
    active.add(id(node))
    try:
        for child in children:
            cycle = _first_cycle(child, active)
            if cycle is not None:
                return cycle
        return None
    finally:
        active.discard(id(node))


def _build_collection(
    loader: yaml.SafeLoader,
    node: yaml.CollectionNode,
    loc: Loc,
    file: str,
    origins: dict[Loc, Origin],
    errors: list[ErrorItem],
    walk: _Walk,
) -> Any:
    """:func:`_build` for a mapping or a list, whose children are built in turn."""
    # Collections are walked here, not by the constructor, so check their tags
    # ourselves: only plain mappings and lists (safe YAML, no !!python/...).
    allowed_tag = _MAP_TAG if isinstance(node, yaml.MappingNode) else _SEQ_TAG
    if node.tag != allowed_tag:
        raise yaml.constructor.ConstructorError(
            None, None, f"unsupported YAML tag {node.tag!r} (only plain YAML is read)",
            node.start_mark)
    if isinstance(node, yaml.MappingNode):
        # Keys written here, as opposed to those a "<<: *anchor" merge key brings in.
        written = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
        loader.flatten_mapping(node)  # merged keys first, then the written ones
        out: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        merged: set[Any] = set()
        for knode, vnode in node.value:
            kline = knode.start_mark.line + 1
            # Keys are built by PyYAML's constructor, which raises a bare "found
            # unconstructable recursive node" on a key that contains itself (or an
            # enclosing mapping): find the cycle first and say which anchor it is.
            cycle = _first_cycle(knode, set(walk.active))
            if cycle is not None:
                errors.append(ErrorItem(file, kline, format_path(loc), (
                    f"{_recursion(cycle, walk, ' in a mapping key')}; a mapping key "
                    "must be a plain value (a name or a number)")))
                continue
            key = loader.construct_object(knode, deep=True)
            try:
                hash(key)
            except TypeError:
                errors.append(ErrorItem(file, kline, format_path(loc), (
                    f"mapping key must be a plain value, got {type(key).__name__}")))
                continue
            if key in out and key not in merged:
                errors.append(ErrorItem(file, kline, format_path((*loc, key)), (
                    f"duplicate key {key!r} (first written at line {first_line[key]}); "
                    "YAML would silently keep only the last, so remove one")))
                continue
            # A key a merge brought in is overridden by a later one, as PyYAML's own
            # constructor does (a written key overrides the anchor's): not a duplicate.
            (merged.add if id(knode) not in written else merged.discard)(key)
            child = (*loc, key)
            _purge(origins, child)
            origins[child] = (file, kline)
            first_line[key] = kline
            out[key] = _build(loader, vnode, child, file, origins, errors, walk)
        return out
    return [  # a SequenceNode, the other kind of collection
        _build(loader, item, (*loc, i), file, origins, errors, walk)
        for i, item in enumerate(node.value)
    ]
