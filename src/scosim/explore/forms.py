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
    "RunForm",
    "changed_overrides",
    "differing_paths",
    "form_of_run",
    "format_set",
    "parse_value",
    "proposal_template",
    "proposal_types",
    "scenario_schema",
    "schema_fields",
    "to_yaml_text",
    "widget_kind",
    "widget_state",
    "widget_value",
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


# --------------------------------------------------------------------------- a run's form


def widget_kind(field: FieldSpec) -> str:
    """The widget the page draws for a field: its kind when its value fits, else ``yaml``."""
    v = field.value
    if field.kind == "int" and isinstance(v, int):
        return "int"
    if field.kind == "float" and isinstance(v, int | float):
        return "float"
    if field.kind == "bool" and isinstance(v, bool):
        return "bool"
    if field.kind == "choice" and v in field.choices:
        return "choice"
    if field.kind == "text" and isinstance(v, str):
        return "text"
    return "yaml"


def widget_value(field: FieldSpec, value: Any) -> Any:
    """What the field's widget gives back when it holds ``value``.

    Raises:
        ValueError: The widget cannot hold ``value`` (a text in a number box, a value
            not among a list's choices).
    """
    kind = widget_kind(field)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "int" and number and float(value).is_integer():
        return int(value)
    if kind == "float" and number:
        return float(value)
    if (kind == "bool" and isinstance(value, bool)) or (
        kind == "text" and isinstance(value, str)):
        return value
    if kind == "choice" and any(_same(value, c) for c in field.choices):
        return value
    if kind == "yaml":
        try:
            back = parse_value(field, to_yaml_text(value))
        except (ValueError, yaml.YAMLError) as exc:
            raise ValueError(f"{field.path}: not writable as YAML ({exc})") from exc
        if _same(back, value):
            return back
    raise ValueError(f"{field.path}: a {kind} box cannot hold {value!r}")


def widget_state(field: FieldSpec, value: Any) -> Any:
    """What to put in the field's widget so that it holds ``value`` (YAML text for ``yaml``).

    Raises:
        ValueError: As :func:`widget_value`.
    """
    back = widget_value(field, value)
    return to_yaml_text(back) if widget_kind(field) == "yaml" else back


@dataclass(frozen=True)
class RunForm:
    """The form filled in with a run's scenario (:func:`form_of_run`).

    Attributes:
        fields: The form's fields: the file's, then those of the proposals added.
        values: Path -> the run's value, for each field where it differs from the file's
            (as its widget gives it back).
        added: Proposals the run has beyond the file's, as the page adds them.
        listed: The file's proposals followed by ``added``.
    """

    fields: list[FieldSpec]
    values: dict[str, Any]
    added: list[dict[str, Any]]
    listed: list[dict[str, Any]]

    def overrides(self) -> dict[str, Any]:
        """What the page sends with this form, as it builds its overrides.

        The proposals' list first if any were added, then each field that differs from
        the file.
        """
        out: dict[str, Any] = {"proposals": self.listed} if self.added else {}
        out.update(changed_overrides(self.fields, self.values))
        return out


def form_of_run(
    schema: dict[str, Any], file_data: dict[str, Any], run_data: dict[str, Any]
) -> RunForm:
    """The page's form showing a run's resolved scenario instead of its file's.

    A run made with ``--set`` (on the command line or by the page) resolves to a
    scenario that differs from its file: each field of the form where it differs takes
    the run's value, and proposals beyond the file's become proposals added on the page.
    What the form cannot show is left as the file has it: proposals removed or of
    another type than the file's, keys outside the form (``name``), values its widget
    cannot hold. Compare the scenario :meth:`RunForm.overrides` resolve to with the run's
    to find them.

    Args:
        schema: JSON schema of a scenario (:func:`scenario_schema`).
        file_data: The scenario file, loaded, as plain data (``model_dump``).
        run_data: The run's scenario (the file with the run's overrides), the same way.
    """
    file_props, run_props = file_data.get("proposals") or [], run_data.get("proposals") or []
    n = len(file_props)
    kept = len(run_props) >= n and all(
        a.get("type") == b.get("type") for a, b in zip(file_props, run_props, strict=False))
    added = list(run_props[n:]) if kept else []
    listed = [*file_props, *added]
    fields = schema_fields(schema, {**file_data, "proposals": listed})
    run_values = {f.path: f.value for f in schema_fields(schema, run_data)}
    values: dict[str, Any] = {}
    for f in fields:
        if f.path not in run_values or _same(run_values[f.path], f.value):
            continue
        if f.path.startswith("proposals[") and not kept:
            continue  # another list of proposals: its items are not the form's
        try:
            values[f.path] = widget_value(f, run_values[f.path])
        except ValueError:
            continue  # left as the file has it; the caller names it
    return RunForm(fields, values, added, listed)


def differing_paths(a: Any, b: Any, path: str = "") -> list[str]:
    """Dotted paths (as ``--set`` writes them) where two scenarios' data differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [p for k in sorted(set(a) | set(b), key=str)
                for p in differing_paths(a.get(k), b.get(k), _join(path, k))]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b, strict=True))
                for p in differing_paths(x, y, _join(path, i))]
    return [] if _same(a, b) else [path]
