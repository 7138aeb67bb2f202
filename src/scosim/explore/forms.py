"""Forms generated from the scenario schema (no hand-written form per proposal type).

The explorer never describes a parameter itself: it walks the JSON schema of
:class:`scosim.scenario.Scenario` (pydantic's ``model_json_schema``) next to the
values of a loaded scenario and turns every leaf into a :class:`FieldSpec`.
Proposals are a discriminated union in the schema; each proposal in the
scenario is matched to its type's sub-schema through the discriminator, so a
proposal type added to the schema (or to a registry that builds the union)
gets a form without any change here.

Edited values go back to the model as dotted-path overrides, the same
``PATH=VALUE`` pairs as ``scosim run --set`` (values written as YAML), so the
explorer and the command line validate and run exactly the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import yaml

from scosim.scenario import parse_overrides

__all__ = [
    "FieldSpec",
    "ParamDoc",
    "changed_overrides",
    "format_set",
    "parse_value",
    "proposal_template",
    "proposal_types",
    "scenario_schema",
    "schema_fields",
    "to_yaml_text",
]

#: Top-level blocks of a scenario shown as forms (run settings are separate).
FORM_ROOTS: tuple[str, ...] = ("years", "parameters", "proposals")


@dataclass(frozen=True)
class FieldSpec:
    """One editable value of a scenario.

    Attributes:
        path: Dotted path as ``--set`` takes it, e.g. ``proposals[0].cet``.
        label: Short label (the key).
        kind: ``int``, ``float``, ``bool``, ``choice``, ``text`` (a plain string)
            or ``yaml`` (anything else, edited as YAML like a ``--set`` value).
        value: Current value (plain Python data).
        section: Dotted path of the block the field belongs to.
        choices: Allowed values for ``choice``.
        help: Description and constraints from the schema.
    """

    path: str
    label: str
    kind: str
    value: Any
    section: str
    choices: tuple[Any, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class ParamDoc:
    """One parameter of a proposal type, as the schema describes it."""

    name: str
    kind: str
    required: bool
    default: Any
    constraints: str
    description: str


def scenario_schema() -> dict[str, Any]:
    """JSON schema of a scenario (built from the pydantic models)."""
    from scosim.scenario import Scenario

    return Scenario.model_json_schema()


# --------------------------------------------------------------------------- schema walking


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` (and a lone ``allOf`` wrapper) to the schema it names."""
    while True:
        if "$ref" in node:
            extra = {k: v for k, v in node.items() if k != "$ref"}
            node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **extra}
        elif "allOf" in node and len(node["allOf"]) == 1:
            extra = {k: v for k, v in node.items() if k != "allOf"}
            node = {**node["allOf"][0], **extra}
        else:
            return node


def _variants(items: dict[str, Any], defs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Tag -> sub-schema of a discriminated union of models (keyed by ``type``)."""
    disc = items.get("discriminator") or {}
    out: dict[str, dict[str, Any]] = {}
    for tag, ref in (disc.get("mapping") or {}).items():
        out[str(tag)] = _resolve({"$ref": ref}, defs)
    key = disc.get("propertyName", "type")
    for alt in items.get("oneOf", []) + items.get("anyOf", []):
        sub = _resolve(alt, defs)
        prop = _resolve((sub.get("properties") or {}).get(key, {}), defs)
        tags = [prop["const"]] if "const" in prop else list(prop.get("enum", []))
        for tag in tags:
            out.setdefault(str(tag), sub)
    return out


def _constraints(node: dict[str, Any]) -> str:
    parts = []
    for key, op in (
        ("minimum", ">="),
        ("exclusiveMinimum", ">"),
        ("maximum", "<="),
        ("exclusiveMaximum", "<"),
        ("minItems", "items >="),
    ):
        if key in node:
            parts.append(f"{op} {node[key]:g}" if isinstance(node[key], float) else
                         f"{op} {node[key]}")
    return ", ".join(parts)


def _installed(node: dict[str, Any]) -> list[Any]:
    """The choices of a field whose values are what is installed (``x-scosim-choices``)."""
    from scosim.scenario.blocks import CHOICES_KEY

    if node.get(CHOICES_KEY) == "decision_rules":
        from scosim.model.decision_rules import available_decision_rules

        return list(available_decision_rules())
    return list(node.get("enum", []))


def _kind(node: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """Widget kind of a leaf schema and its choices."""
    from scosim.scenario.blocks import CHOICES_KEY

    if "enum" in node or CHOICES_KEY in node:
        return "choice", tuple(_installed(node))
    if "const" in node:
        return "choice", (node["const"],)
    alts = node.get("anyOf", [])
    if alts and all("enum" in a or CHOICES_KEY in a or a.get("type") == "null" for a in alts):
        # An optional choice (e.g. a decision rule where null means "the type's default"):
        # the decision rules are the built-ins and the installed plug-ins' (2026-12-06).
        choices = [v for a in alts if a.get("type") != "null" for v in _installed(a)]
        if any(a.get("type") == "null" for a in alts):
            choices.append(None)
        return "choice", tuple(choices)
    t = node.get("type")
    if t == "integer":
        return "int", ()
    if t == "number":
        return "float", ()
    if t == "boolean":
        return "bool", ()
    if t == "string":
        return "text", ()
    return "yaml", ()


def _help(node: dict[str, Any]) -> str:
    bits = [node.get("description", "")]
    c = _constraints(node)
    if c:
        bits.append(f"allowed: {c}")
    if "default" in node:
        bits.append(f"default: {to_yaml_text(node['default'])}")
    return "; ".join(b for b in bits if b)


def _join(prefix: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{prefix}[{name}]"
    return f"{prefix}.{name}" if prefix else name


def _walk(
    node: dict[str, Any], value: Any, path: str, section: str, defs: dict[str, Any]
) -> list[FieldSpec]:
    node = _resolve(node, defs)
    props = node.get("properties")
    if props is not None and isinstance(value, dict):
        out: list[FieldSpec] = []
        for name, sub in props.items():
            sub_r = _resolve(sub, defs)
            if "const" in sub_r and name == "type":
                continue  # the discriminator itself: fixed for this block
            v = value.get(name, sub_r.get("default"))
            out += _walk(sub_r, v, _join(path, name), path, defs)
        return out
    items = node.get("items")
    if node.get("type") == "array" and isinstance(items, dict) and isinstance(value, list):
        variants = _variants(items, defs)
        if variants:
            out = []
            for i, item in enumerate(value):
                sub = variants.get(str(item.get("type"))) if isinstance(item, dict) else None
                if sub is not None:
                    out += _walk(sub, item, _join(path, i), _join(path, i), defs)
            return out
    kind, choices = _kind(node)
    label = path.rsplit(".", 1)[-1]
    return [FieldSpec(path, label, kind, value, section, choices, _help(node))]


def schema_fields(
    schema: dict[str, Any], data: dict[str, Any], roots: tuple[str, ...] = FORM_ROOTS
) -> list[FieldSpec]:
    """Every editable leaf under ``roots``, generated from the schema and the values.

    Args:
        schema: JSON schema of a scenario (:func:`scenario_schema`).
        data: The loaded scenario as plain data (``model_dump(mode="python")``).
        roots: Top-level keys to generate fields for.

    Returns:
        Fields in schema order; a proposal's fields follow its type's sub-schema.
    """
    defs = schema.get("$defs", {})
    out: list[FieldSpec] = []
    for root in roots:
        sub = (schema.get("properties") or {}).get(root)
        if sub is not None:
            out += _walk(sub, data.get(root), root, root, defs)
    return out


def proposal_types(schema: dict[str, Any]) -> dict[str, tuple[str, list[ParamDoc]]]:
    """Proposal types the schema accepts: type -> (description, parameters)."""
    defs = schema.get("$defs", {})
    node = _resolve((schema.get("properties") or {}).get("proposals", {}), defs)
    items = node.get("items")
    if not isinstance(items, dict):
        return {}
    out: dict[str, tuple[str, list[ParamDoc]]] = {}
    for tag, sub in sorted(_variants(items, defs).items()):
        required = set(sub.get("required", []))
        params = []
        for name, p in (sub.get("properties") or {}).items():
            if name == "type":
                continue
            p = _resolve(p, defs)
            kind, choices = _kind(p)
            shown = "one of " + ", ".join(map(str, choices)) if kind == "choice" else kind
            if kind == "yaml":
                alts = [_resolve(a, defs) for a in p.get("anyOf", []) + p.get("oneOf", [])]
                shown = " or ".join(
                    sorted({str(a.get("type", "value")) for a in alts if a.get("type") != "null"})
                ) or "value"
            params.append(
                ParamDoc(
                    name=name,
                    kind=shown,
                    required=name in required,
                    default=p.get("default"),
                    constraints=_constraints(p),
                    description=p.get("description", ""),
                )
            )
        out[tag] = (sub.get("description", ""), params)
    return out


def proposal_template(schema: dict[str, Any], tag: str, index: int, year: int) -> dict[str, Any]:
    """A new proposal of type ``tag``: its type, an id and a year; other keys left to the user.

    Required keys without a value are left out on purpose: validation then names
    each of them (``required key 'proposer' is missing``), as for a YAML file.

    Args:
        schema: JSON schema of a scenario.
        tag: Proposal type (a key of :func:`proposal_types`).
        index: Position the proposal will take (makes the id unique).
        year: Year to table it.
    """
    defs = schema.get("$defs", {})
    node = _resolve((schema.get("properties") or {}).get("proposals", {}), defs)
    variants = _variants(node.get("items") or {}, defs)
    if tag not in variants:
        raise KeyError(f"unknown proposal type {tag!r}; types: {', '.join(sorted(variants))}")
    props = variants[tag].get("properties") or {}
    out: dict[str, Any] = {"type": tag}
    if "id" in props:
        out["id"] = f"new_{tag}_{index}"
    if "year" in props:
        out["year"] = year
    return out


# --------------------------------------------------------------------------- values


def to_yaml_text(value: Any) -> str:
    """One-line YAML of a value, as written after ``--set PATH=``."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6, sort_keys=False)
    text = text.strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    return text.strip()


def format_set(path: str, value: Any) -> str:
    """``PATH=VALUE`` for ``scosim run --set`` (parses back to ``{path: value}``)."""
    return f"{path}={to_yaml_text(value)}"


def parse_value(field: FieldSpec, text: str) -> Any:
    """Parse a YAML field's text exactly as ``--set`` would.

    Raises:
        ScenarioError: The text is not valid YAML (message as the CLI prints it).
    """
    return parse_overrides([f"{field.path}={text}"])[field.path]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def changed_overrides(fields: list[FieldSpec], values: dict[str, Any]) -> dict[str, Any]:
    """Overrides for the values that differ from the scenario's (in field order).

    Args:
        fields: Fields of the form.
        values: Path -> edited value (already parsed; missing paths are unchanged).

    Returns:
        ``{path: value}`` for every changed field, ready for ``load_scenario``.
    """
    out: dict[str, Any] = {}
    for f in fields:
        if f.path in values and not _same(values[f.path], f.value):
            out[f.path] = values[f.path]
    return out
