"""Cross-field checks run beside field errors, so that every problem is said at once.

Pydantic skips a model's after-validator once any of its fields failed, so the
scenario's cross-field checks (:mod:`scosim.scenario.cross`) were said only after every
field had been fixed: one more round of fixes for the user. When validation fails, the
loader asks :func:`errors_beside` for what those checks find in the parts that did
validate, in the schema's words, placed as the schema places its own issues
(:func:`scosim.scenario.messages._place`), and never repeating one already reported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

from scosim.scenario.cross import (
    YEAR_INDEXED,
    _rule_issues,
    chair_issues,
    duplicate_id_issues,
    network_issues,
    proposal_type_issues,
    row_status_issues,
    year_indexed_issues,
)
from scosim.scenario.errors import ErrorItem, format_path
from scosim.scenario.levers import lever_issues
from scosim.scenario.messages import _place
from scosim.scenario.outputs import indicator_issues
from scosim.scenario.schema import Parameters, Proposal, Scenario, Years, outside_years

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

    from scosim.scenario.doc import _Doc
    from scosim.scenario.values import Issue

__all__ = ["cross_errors_beside", "errors_beside", "rule_errors_beside", "year_errors_beside"]


def errors_beside(doc: _Doc, reported: list[ErrorItem]) -> list[ErrorItem]:
    """Every cross-field problem found beside the field errors ``reported``.

    Rule references and the years of proposals and events are checked from the written
    values (finer: a proposal that failed still has its year checked); the other
    cross-field checks on the parts that validated (:func:`cross_errors_beside`).

    Returns:
        The problems, each once and none already among ``reported``.
    """
    out: list[ErrorItem] = []
    for beside in (rule_errors_beside, year_errors_beside, cross_errors_beside):
        out += beside(doc, reported + out)
    return out


# --------------------------------------------------------------------------- the parts


class _Skip(BaseException):
    """A check read a part of the scenario that did not validate.

    Not an Exception: a plug-in's hook that meets a stand-in raises it, and the guard
    that reports what a hook raises (:func:`scosim.plugins.call_hook`) lets it through
    to skip the check, as it skips any other.
    """


class _Invalid:
    """Stands for a part that failed validation: any use of it raises :class:`_Skip`.

    So a check that needs the part is skipped (its input is itself wrong, and said so
    by the schema), rather than run on a default that the file did not write.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        raise _Skip(name)

    def _skip(self, *args: Any, **kwargs: Any) -> Any:
        raise _Skip

    # Dunders are looked up on the type, not through __getattr__: each says "skip" too,
    # so neither iterating, comparing nor formatting the stand-in passes silently.
    __iter__ = __len__ = __contains__ = __getitem__ = __bool__ = _skip
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = _skip  # type: ignore[assignment]
    __str__ = __repr__ = __format__ = __int__ = __float__ = __index__ = __call__ = _skip


_INVALID = _Invalid()


@functools.cache
def _adapter(annotation: Any, metadata: tuple[Any, ...]) -> TypeAdapter[Any]:
    # Strict as the scenario's config: a field is valid here exactly when it is there.
    return TypeAdapter(Annotated[annotation, *metadata] if metadata else annotation,
                       config=ConfigDict(strict=True, allow_inf_nan=False))


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _stray_keys(model: type[BaseModel], data: dict[Any, Any]) -> bool:
    # An unknown key may be a misspelt field (`mechanism:`), so a field left out beside
    # one is not known to be its default: checks that read it are skipped.
    return any(key not in model.model_fields for key in data)


class _Parts:
    """A scenario assembled from the parts of a document that validate on their own.

    A part that fails is :data:`_INVALID`; a block (a parameters model) that fails is
    rebuilt from its fields that validate alone, so ``parameters.trade.sigma: 0.5``
    leaves ``parameters.council.chair_order`` checkable.

    Attributes:
        failed: Some part failed, so the schema's own cross-field checks did not run.
        proposals: ``(index, proposal)`` of each proposal valid on its own.
    """

    def __init__(self) -> None:
        self.failed = False
        self.proposals: list[tuple[int, Any]] = []

    def scenario(self, data: dict[Any, Any]) -> Scenario:
        fields: dict[str, Any] = {}
        stray = _stray_keys(Scenario, data)
        for name, field in Scenario.model_fields.items():
            if name == "source":
                continue
            if name not in data and stray:
                fields[name] = _INVALID
                continue
            value = data[name] if name in data else field.get_default(call_default_factory=True)
            if name == "parameters":
                fields[name] = self._model(Parameters, value)
            else:
                fields[name] = self._field(field, value)
        if fields["proposals"] is not _INVALID:
            self.proposals = list(enumerate(fields["proposals"]))
        elif isinstance(data.get("proposals"), list):
            for i, item in enumerate(data["proposals"]):
                try:
                    self.proposals.append((i, _adapter(Proposal, ()).validate_python(item)))
                except Exception:  # a proposal that fails has no type checks run
                    continue
        return Scenario.model_construct(**fields)

    def _field(self, field: FieldInfo, value: Any) -> Any:
        # A field of Scenario: it has no field validators, so its type is all there is.
        try:
            if value is PydanticUndefined:
                raise _Skip("required")
            if _is_model(field.annotation):
                return field.annotation.model_validate(value)
            return _adapter(field.annotation, tuple(field.metadata)).validate_python(value)
        except (_Skip, Exception):
            # Not only ValidationError: a plug-in's validator may raise anything, and
            # this pass must never turn a malformed document into a traceback.
            self.failed = True
            return _INVALID

    def _model(self, model: type[BaseModel], value: Any) -> Any:
        try:
            return model.model_validate(value)
        except Exception:
            self.failed = True
        if not isinstance(value, dict):
            return _INVALID
        try:
            defaults: BaseModel | None = model.model_validate({})
        except Exception:
            defaults = None
        fields: dict[str, Any] = {}
        stray = _stray_keys(model, value)
        for name, field in model.model_fields.items():
            if name not in value:
                known = defaults is not None and not stray
                fields[name] = getattr(defaults, name) if known else _INVALID
                continue
            try:
                # Through the model, with its field validators (Parameters.mechanisms adds
                # the default slots); the others keep their defaults meanwhile.
                fields[name] = getattr(model.model_validate({name: value[name]}), name)
            except Exception:
                fields[name] = (self._model(field.annotation, value[name])
                                if _is_model(field.annotation) else _INVALID)
        return model.model_construct(**fields)


# --------------------------------------------------------------------------- the passes


def cross_errors_beside(doc: _Doc, reported: list[ErrorItem]) -> list[ErrorItem]:
    """The scenario's cross-field checks on the parts that validated, beside failures.

    Each check of :mod:`scosim.scenario.cross` runs on a scenario made of the parts that
    validate alone; one that reads a part that failed is skipped. Left to the other
    passes: rule references (:func:`rule_errors_beside`) and the years of proposals and
    events (:func:`year_errors_beside`).

    Returns:
        The problems not already among ``reported``; none when every field was valid
        (the schema's own cross-field checks then ran and said them).
    """
    data = doc.data
    if not isinstance(data, dict):
        return []
    parts = _Parts()
    scenario = parts.scenario(data)
    if not parts.failed:
        return []
    checks: list[Callable[[Any], list[Issue]]] = [row_status_issues]
    checks += [functools.partial(year_indexed_issues, block=b, name=n) for b, n in YEAR_INDEXED]
    checks += [chair_issues, duplicate_id_issues, network_issues, indicator_issues,
               lever_issues]
    checks += [functools.partial(proposal_type_issues, i=i, p=p) for i, p in parts.proposals]
    issues: list[Issue] = []
    for check in checks:
        try:
            issues += check(scenario)
        except (_Skip, Exception):
            # _Skip: it needs a part that failed. Anything else: a check (a plug-in's)
            # meeting a stand-in; either way the schema's errors are what to report.
            continue
    placed = [_place(doc, (), issue) for issue in issues]
    return [e for e in dict.fromkeys(placed) if e not in reported]


def rule_errors_beside(doc: _Doc, reported: list[ErrorItem]) -> list[ErrorItem]:
    """Rule references' problems, checked although other fields failed.

    The schema checks rule references after every field (a plug-in's hook is declared
    when the mechanisms and proposal types are imported), and pydantic skips that check
    when a field failed, so a misspelt rule was reported only once the rest was fixed.
    Here the written references are checked directly. Hooks no module has declared are
    left out: the plug-in that declares one may be what failed.

    Returns:
        The problems not already among ``reported``.
    """
    from scosim.rules import registry

    data = doc.data
    places: list[tuple[tuple[str | int, ...], Any]] = []
    params = data.get("parameters")
    if isinstance(params, dict):
        places.append((("parameters", "rules"), params.get("rules")))
    countries = data.get("countries")
    if isinstance(countries, dict):
        places += [(("countries", code, "rules"), ov.get("rules"))
                   for code, ov in countries.items() if isinstance(ov, dict)]
    seen = {e.path for e in reported}
    out: list[ErrorItem] = []
    for loc, rules in places:
        if not isinstance(rules, dict):
            continue
        known = {h: r for h, r in rules.items()
                 if isinstance(r, str) and h in registry.HOOKS}
        for iloc, msg in _rule_issues(loc, known):
            path = format_path(iloc)
            if path not in seen:
                out.append(ErrorItem(*doc.origin(iloc), path, msg))
    return out


def year_errors_beside(doc: _Doc, reported: list[ErrorItem]) -> list[ErrorItem]:
    """Proposals and events dated outside the simulated years, checked beside failures.

    The scenario checks these dates after every field, and pydantic skips that check
    when a field failed, so ``--set proposals.0.year=2046`` on a union phased in from
    2027 said only that the phase-in came before the tabling, not that 2046 is outside
    the years. Here the written years are checked directly (when ``years`` itself is
    valid), in the schema's words and placed as it places them.

    Returns:
        The problems not already among ``reported``.
    """
    data = doc.data
    if not isinstance(data, dict):
        return []
    try:
        yrs = Years.model_validate(data.get("years", {}))
    except ValidationError:
        return []  # reported as the years' own problem; nothing to compare against
    span = f"{yrs.start}-{yrs.end}"
    issues: list[tuple[Any, ...]] = []
    for key in ("proposals", "events"):
        items = data.get(key)
        for i, item in enumerate(items if isinstance(items, list) else []):
            year = item.get("year") if isinstance(item, dict) else None
            # bool is an int to Python, not a year to the schema
            if type(year) is not int or year in yrs:
                continue
            # named as the schema names them: proposals[0] ('sco_cu'), events[1] (sanctions)
            label = item.get("id" if key == "proposals" else "type")
            what = f"{key}[{i}]"
            if isinstance(label, str):
                what += f" ({label!r})" if key == "proposals" else f" ({label})"
            issues.append(outside_years(
                (key, i, "year"), year, yrs,
                f"year {year} is outside the simulated years {span}", f"{what} in {year}"))
    placed = [_place(doc, (), issue) for issue in issues]
    return [e for e in placed if e not in reported]
