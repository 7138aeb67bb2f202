"""Pydantic validation errors as ``file:line: dotted.path: message`` items.

Each pydantic error becomes one :class:`~scosim.scenario.errors.ErrorItem` at the
line where the offending value was written, with a message that says what is
allowed (close matches suggested for unknown keys and values).
"""

from __future__ import annotations

import difflib
import math
import re
import types
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from scosim.scenario.errors import _RESERVED, ErrorItem, _describe, format_path
from scosim.scenario.schema import Issues, Scenario

if TYPE_CHECKING:
    from scosim.scenario.doc import Loc, _Doc

_EVENT_TYPES = ("border_clash", "sanctions", "gdp_shock", "trust_shock")


def _proposal_types() -> list[str]:
    from scosim.proposals import loadable_types

    return loadable_types()

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


def _written_key(mapping: dict[Any, Any], el: Any, refused: bool) -> Any:
    """The key of ``mapping`` that pydantic's location element ``el`` stands for.

    Pydantic writes a key that is neither text nor an integer as text (a ``null:``
    or ``~:`` key as ``'None'``, a date key as its repr). Looked up as written, such
    a key was not found, and its error was placed at the enclosing mapping's line, or
    for a top-level key at the top of the file extended. ``refused``: ``el`` is the
    key the error is about, which is never text, so a text key spelt alike is not it.
    """
    if not refused and el in mapping:
        return el
    if isinstance(el, str):
        for key in mapping:
            if not isinstance(key, str) and el in (str(key), repr(key)):
                return key
    return el


def _clean_loc(loc: Loc, data: Any, bad_key: bool = False) -> tuple[Loc, bool]:
    """Drop union tags from a pydantic location; flag dict-key errors.

    Args:
        loc: Pydantic's location of an error.
        data: The document validated.
        bad_key: The error refuses the last key of ``loc`` as a key (``invalid_key``);
            an element followed by ``[key]`` is refused as well.
    """
    out: list[Any] = []
    cur: Any = data
    is_key = False
    refused = len(loc) - 1 if bad_key else loc.index("[key]") - 1 if "[key]" in loc else -1
    for i, el in enumerate(loc):
        if isinstance(el, str) and el.startswith("__"):
            continue
        if el == "[key]":
            is_key = True
            continue
        if isinstance(cur, dict):
            el = _written_key(cur, el, i == refused)
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


def _range_of(model: type[BaseModel] | None, name: Any) -> str:
    """`` (allowed: 0 <= depth <= 1)`` for a field bounded on both sides, else ``""``.

    An out-of-range value is refused by the one bound it broke; a field with two
    bounds also gets the whole range, so a second try does not break the other.
    """
    field = model.model_fields.get(name) if model is not None and isinstance(name, str) else None
    if field is None:
        return ""
    lo = hi = ""
    for m in field.metadata:
        for attr, op in (("gt", "<"), ("ge", "<=")):
            if getattr(m, attr, None) is not None:
                lo = f"{getattr(m, attr):g} {op} "
        for attr, op in (("lt", "<"), ("le", "<=")):
            if getattr(m, attr, None) is not None:
                hi = f" {op} {getattr(m, attr):g}"
    return f" (allowed: {lo}{name}{hi})" if lo and hi else ""


def _message(err: Mapping[str, Any], loc: Loc, data: Any,
             owner: type[BaseModel] | None = None) -> str:
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
    if kind == "invalid_key" or (kind == "string_type" and "[key]" in err["loc"]):
        if owner is None and data is not None:
            owner = _model_at(loc[:-1], data)
        return _key_message(value, owner)
    if kind == "value_error":
        exc = ctx.get("error")
        return str(exc) if exc is not None else err["msg"]
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if err["loc"] and err["loc"][-1] == "__keyword__":
            # A keyword-or-list field given some other text: "is not one of all" did
            # not say that a list was allowed too.
            return _keyword_or_list_message(value, loc, data, hint)
        return f"{value!r} is not one of {_join(options)}{hint}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op, bound = {
            "greater_than": (">", ctx.get("gt")),
            "greater_than_equal": (">=", ctx.get("ge")),
            "less_than": ("<", ctx.get("lt")),
            "less_than_equal": ("<=", ctx.get("le")),
        }[kind]
        if owner is None and data is not None:
            owner = _model_at(loc[:-1], data)
        return f"{value!r} is out of range: must be {op} {bound}{_range_of(owner, last)}"
    if kind in ("too_short", "too_long"):
        n = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        return f"needs {word} {n} item(s), got {ctx.get('actual_length')}"
    if kind == "union_tag_invalid":
        tags = re.sub(r"['\"]", "", str(ctx.get("expected_tags")))
        tag = value.get("type") if isinstance(value, Mapping) else ctx.get("tag")
        if not isinstance(tag, str):  # type: null, type: 3 were "unknown type 'None'"
            return f"expected a type name, got {_describe(tag)}; allowed types: {tags}"
        close = difflib.get_close_matches(tag, tags.split(", "), n=1, cutoff=0.6)
        from scosim.plugins import colon_hint

        hint = colon_hint(tag) or (f" (did you mean {close[0]!r}?)" if close else "")
        return f"unknown type {tag!r}{hint}; allowed types: {tags}{_reinstall_hint()}"
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
        return f"expected {want}, got {_describe(value)}{_number_as_text(base, value)}"
    return f"{err['msg']} (got {_describe(value)})"


#: Said after an unknown type when plug-ins are installed: entry points are read from the
#: metadata written at install time, so an editable install misses a type added since.
REINSTALL_HINT = (" (a type just added to a package's entry points needs "
                  "`pip install -e <package>` again)")


def _reinstall_hint() -> str:
    """:data:`REINSTALL_HINT` when a plug-in package is installed, else empty.

    A plug-in package is a distribution other than scosim with ``scosim.*`` entry points.
    """
    from scosim.reinstall_hint import reinstall_hint

    return reinstall_hint("type")


def _keyword_or_list_message(value: Any, loc: Loc, data: Any, hint: str) -> str:
    """A keyword-or-list field (``'all'`` or a list of names) given other text."""
    owner = _model_at(loc[:-1], data) if loc else None
    field = owner.model_fields.get(loc[-1]) if owner is not None else None
    expected = next((m.custom_error_message for m in (field.metadata if field else ())
                     if getattr(m, "custom_error_message", None)), "expected a keyword or a list")
    single = "" if hint else f" (write one name as a list too: [{value}])"
    return f"{value!r} is not a list{hint}: {expected}{single}"


def _key_message(key: Any, owner: type[BaseModel] | None) -> str:
    """The message of a key that is not a name (``null:``, ``1.5:``), ``owner`` its model.

    Pydantic's "Keys should be strings" did not say what a key may be, nor that a bare
    ``null:`` or ``~:`` is YAML's null rather than a name.
    """
    got = "null (YAML reads a bare null: or ~: key as null, not as a name)" \
        if key is None else _describe(key)
    allowed = [k for k in owner.model_fields if k != "source"] if owner is not None else []
    return f"a key must be a name (text), got {got}" + (
        f"; allowed keys: {_join(allowed)}" if allowed else "")


#: Unquoted numbers YAML 1.1 (PyYAML) reads as text: an exponent without a dot or
#: without a sign (``1e9``, ``1.5e3``), which YAML 1.2 and JSON read as numbers.
_TEXT_NUMBER = re.compile(r"^[-+]?(\d[\d_]*)(\.\d*)?[eE][-+]?\d+$")


def _number_as_text(want: str, value: Any) -> str:
    """A hint when a number was expected and the text looks like one YAML did not read.

    ``sigma: 1e-3`` or ``--set ...=1e9`` were "expected a number, got string '1e9'",
    which reads as nonsense to anyone who has not met YAML 1.1's float rule.
    """
    if want not in ("float", "int") or not isinstance(value, str):
        return ""
    if not _TEXT_NUMBER.match(value.strip()):
        return ""
    number = float(value.replace("_", ""))
    if not math.isfinite(number):
        return ""
    if want == "int" and number.is_integer():
        return f" (YAML reads {value} as text: write {int(number)})"
    return (f" (YAML reads {value} as text: an exponent needs a dot and a sign, e.g. "
            f"{_yaml_float(number)})")


def _yaml_float(number: float) -> str:
    """``number`` as YAML 1.1 reads a float: ``1.0e+9``, ``2.5e-3``."""
    mantissa, exponent = f"{number:e}".split("e")
    mantissa = mantissa.rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return f"{mantissa}e{exponent[0]}{int(exponent[1:])}"


def block_message(err: Mapping[str, Any], model: type[BaseModel]) -> str:
    """The message of an error found in a free-form block checked by its own ``model``.

    A block typed ``dict`` in the scenario (e.g. ``parameters.finance``, checked by
    ``FinanceSettings``) is invisible to the walk that lists allowed keys; here the
    model is given, so a misspelt key gets the same "did you mean" and allowed keys as
    anywhere else, and a bad value the same wording.
    """
    loc = tuple(err["loc"])
    owner = _block_model_at(model, loc[:-1]) if err["type"] == "extra_forbidden" else None
    if owner is not None:
        allowed = list(owner.model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key {loc[-1]!r}{hint}; allowed keys: {_join(allowed)}"
    return _message(err, loc, None, _block_model_at(model, loc[:-1]))


def _block_model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that holds the mapping at ``loc`` inside ``model`` (None if not one).

    Follows field names through nested models and the items of lists of models
    (``closures[0]`` of ``NetworkParams`` is an ``EdgeClosure``).
    """
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue  # an item of a list: its type is the list's item type, taken below
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = field.annotation
        while get_origin(current) in (list, tuple, Union, types.UnionType):
            models = [a for a in get_args(current)
                      if isinstance(a, type) and issubclass(a, BaseModel)]
            inner = [a for a in get_args(current) if get_origin(a) in (list, tuple)]
            current = models[0] if models else inner[0] if inner else None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _place(doc: _Doc, base: Loc, issue: tuple[Any, ...]) -> ErrorItem:
    """One :class:`Issues` entry of the model at ``base`` as an item at its line.

    A problem between fields (an entry with other sides) is reported where the most
    derived file (or an override) wrote one of them: the line the user changed.
    """
    sides = [(issue[0], issue[1]), *(issue[2] if len(issue) > 2 else ())]
    placed = []
    for rel, msg in sides:
        loc, _ = _clean_loc((*base, *rel), doc.data)
        placed.append((doc.origin(loc), loc, msg))
    origin, loc, msg = min(placed, key=lambda p: doc.rank(p[0][0]))
    return ErrorItem(*origin, format_path(loc), msg)


def _translate(exc: ValidationError, doc: _Doc) -> list[ErrorItem]:
    out: list[ErrorItem] = []
    for err in exc.errors():
        ctx = err.get("ctx") or {}
        inner = ctx.get("error")
        if err["type"] == "value_error" and isinstance(inner, Issues):
            out += [_place(doc, tuple(err["loc"]), issue) for issue in inner.issues]
            continue
        loc, _ = _clean_loc(err["loc"], doc.data, err["type"] == "invalid_key")
        if err["type"] == "union_tag_invalid":
            loc = (*loc, "type")  # point at the line where the bad type is written
        out.append(ErrorItem(*doc.origin(loc), format_path(loc),
                             _message(err, loc, doc.data) + _null_hint(doc, loc)))
    return out


def _null_hint(doc: _Doc, loc: Loc) -> str:
    """Why a null written in a file that extends another was read as a value.

    ``key: null`` there removes the key the extended file wrote (JSON Merge Patch); a
    misspelt key has nothing to remove, and its null was refused only as a value.
    """
    noted = doc.unmatched_nulls.get(loc)
    if noted is None or doc.origins.get(loc) != noted[0]:
        return ""  # not such a null, or a later file or override wrote there
    _, extended, around = noted
    close = difflib.get_close_matches(str(loc[-1]), around, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (f"; null removes a key of the file extended, and {extended} (with the files "
            f"it extends) has no {loc[-1]!r} here{hint}")
