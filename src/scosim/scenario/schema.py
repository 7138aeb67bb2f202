"""Pydantic v2 schema of a scenario (``extra="forbid"`` and strict types everywhere).

Strict mode on purpose: YAML already types its values, so a quoted ``"5"`` where
a number belongs is a typo to report, not something to coerce silently.

Cross-field checks (years within range, fixed shares naming participants, rule
references, ...) run in model validators that collect every problem at once
and raise :class:`Issues`, which the loader turns into ``file:line`` errors. The
scenario's own are in :mod:`scosim.scenario.cross`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from scosim.data.constants import ECONOMIES, MEMBERS, OBSERVERS, OTHERS, PARTNERS
from scosim.scenario.blocks import (  # re-exported: the schema's public names
    BorderClashEvent as BorderClashEvent,
)
from scosim.scenario.blocks import (
    ChairOrder as ChairOrder,
)
from scosim.scenario.blocks import (
    CouncilParams as CouncilParams,
)
from scosim.scenario.blocks import (
    CountryOverride as CountryOverride,
)
from scosim.scenario.blocks import (
    CountryWeights as CountryWeights,
)
from scosim.scenario.blocks import (
    DecisionRuleName as DecisionRuleName,
)
from scosim.scenario.blocks import (
    Event as Event,
)
from scosim.scenario.blocks import (
    GdpShockEvent as GdpShockEvent,
)
from scosim.scenario.blocks import (
    GrowthParams as GrowthParams,
)
from scosim.scenario.blocks import (
    Parameters as Parameters,
)
from scosim.scenario.blocks import (
    SanctionsEvent as SanctionsEvent,
)
from scosim.scenario.blocks import (
    SecurityScenarioParams as SecurityScenarioParams,
)
from scosim.scenario.blocks import (
    TradeParams as TradeParams,
)
from scosim.scenario.blocks import (
    TrustShockEvent as TrustShockEvent,
)
from scosim.scenario.blocks import (
    Weights as Weights,
)
from scosim.scenario.blocks import (
    Years as Years,
)
from scosim.scenario.cross import cross_issues
from scosim.scenario.outputs import (
    INDICATOR_NAMES as INDICATOR_NAMES,
)
from scosim.scenario.outputs import (
    Indicators as Indicators,
)
from scosim.scenario.outputs import (
    Outputs as Outputs,
)
from scosim.scenario.outputs import (
    _check_indicator as _check_indicator,
)
from scosim.scenario.outputs import (
    indicator_names as indicator_names,
)
from scosim.scenario.values import (
    _SLUG as _SLUG,
)
from scosim.scenario.values import (
    DEFAULT_RULES as DEFAULT_RULES,
)
from scosim.scenario.values import (
    DEFAULT_STATUSES as DEFAULT_STATUSES,
)
from scosim.scenario.values import (
    STATUSES as STATUSES,
)
from scosim.scenario.values import (
    STRICT as STRICT,
)
from scosim.scenario.values import (  # re-exported: the schema's public names
    Code as Code,
)
from scosim.scenario.values import (
    CodeList as CodeList,
)
from scosim.scenario.values import (
    Issues as Issues,
)
from scosim.scenario.values import (
    Slug as Slug,
)
from scosim.scenario.values import (
    State as State,
)
from scosim.scenario.values import (
    StateList as StateList,
)
from scosim.scenario.values import (
    YearValue as YearValue,
)
from scosim.scenario.values import (
    _check_code as _check_code,
)
from scosim.scenario.values import (
    _check_slug as _check_slug,
)
from scosim.scenario.values import (
    _code_validator as _code_validator,
)
from scosim.scenario.values import (
    _keyword_or_list as _keyword_or_list,
)
from scosim.scenario.values import (
    _kind_tag as _kind_tag,
)
from scosim.scenario.values import (
    _raise_issues as _raise_issues,
)
from scosim.scenario.values import (
    _unique as _unique,
)
from scosim.scenario.values import (
    _yv_check as _yv_check,
)
from scosim.scenario.values import (
    empty_list as empty_list,
)
from scosim.scenario.values import not_imported
from scosim.scenario.values import (
    outside_years as outside_years,
)

__all__ = [
    "ECONOMIES",
    "MEMBERS",
    "OBSERVERS",
    "PARTNERS",
    "OTHERS",
    "DEFAULT_STATUSES",
    "STATUSES",
    "DEFAULT_RULES",
    "Issues",
    "YearValue",
    "Years",
    "Weights",
    "CountryWeights",
    "CountryOverride",
    "TradeParams",
    "GrowthParams",
    "CouncilParams",
    "SecurityScenarioParams",
    "Parameters",
    "DecisionRuleName",
    "Proposal",
    "BorderClashEvent",
    "SanctionsEvent",
    "GdpShockEvent",
    "TrustShockEvent",
    "Event",
    "Outputs",
    "Scenario",
    "INDICATOR_NAMES",
    "indicator_names",
]


# --------------------------------------------------------------------------- proposals

CET_KEYWORDS = ("mean", "weighted_mean", "min", "max", "art_xxiv")


def check_cet(value: Any) -> Any:
    if isinstance(value, str):
        if value not in CET_KEYWORDS:
            raise ValueError(
                f"{value!r} is not one of {', '.join(CET_KEYWORDS)} or a number in [0, 1]"
            )
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not (0.0 <= value <= 1.0):
            raise ValueError(
                f"{value!r} is out of range: a number CET is a fraction in [0, 1] "
                "(0.05 means 5 percent)"
            )
        return float(value)
    raise ValueError(
        f"expected one of {', '.join(CET_KEYWORDS)} or a number in [0, 1], got {value!r}"
    )


Participants = _keyword_or_list(
    Literal["members", "members_and_observers"],
    StateList,
    "'members', 'members_and_observers' or a list of country codes",
)


class _ProposalDispatch:
    """Validates one entry of ``proposals`` with the schema of the type it names.

    The ``type:`` value is looked up in the proposal-type registry (built-ins,
    dotted paths ``package.module:Class``, the ``scosim.proposals`` entry-point
    group), so a plug-in type validates like a built-in one, with the same
    file:line errors. The loader asks :meth:`spec_for` which model applies at a
    location (for "allowed keys" hints).
    """

    def spec_for(self, data: Any) -> Any:
        from scosim.plugins import PluginError
        from scosim.proposals import type_spec

        if isinstance(data, BaseModel):
            return type(data)
        if not isinstance(data, Mapping) or not isinstance(data.get("type"), str):
            return None
        try:
            return type_spec(data["type"])
        except PluginError:
            return None

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        """JSON schema: one entry per known proposal type, discriminated on ``type``.

        Built from the registry at the time of asking, so forms generated from the
        scenario schema (the browser explorer) list plug-in types too.
        """
        from scosim.plugins import PluginError
        from scosim.proposals import available_types, type_spec

        refs: dict[str, Any] = {}
        for name in available_types():
            try:
                spec = type_spec(name)
            except PluginError:  # an installed plug-in that fails to load is not offered
                continue
            refs[name] = handler(spec.__pydantic_core_schema__)
        mapping = {n: r["$ref"] for n, r in refs.items() if "$ref" in r}
        disc: dict[str, Any] = {"propertyName": "type"}
        if len(mapping) == len(refs):
            disc["mapping"] = mapping
        return {"oneOf": list(refs.values()), "discriminator": disc}

    def __call__(self, value: Any, handler: Any) -> Any:
        from scosim.plugins import PluginError
        from scosim.proposals import (
            ProposalSpec,
            available_types,
            get_type,
            loadable_types,
            type_spec,
        )

        if isinstance(value, ProposalSpec):
            return value
        if not isinstance(value, Mapping):
            raise PydanticCustomError(
                "model_type", "expected a mapping with a 'type' key, got {got}",
                {"got": type(value).__name__})
        if "type" not in value:
            raise PydanticCustomError(
                "union_tag_not_found", "missing key 'type'", {"discriminator": "'type'"})
        name = value["type"]
        if not isinstance(name, str):
            raise PydanticCustomError(
                "union_tag_invalid", "unknown type {tag}",
                {"tag": repr(name), "expected_tags": ", ".join(loadable_types())})
        problem = not_imported("proposal type", name)
        if problem:
            raise PydanticCustomError("value_error", "{error}", {"error": problem})
        if ":" not in name:
            # A registered or installed name: its spec is enough (heavy built-ins are
            # registered lazily with a light spec module; scosim.proposals.builtin).
            try:
                spec = type_spec(name)
            except PluginError as exc:
                if name in available_types():
                    # Installed but broken (its import fails, a misnamed entry point): say
                    # why, not "unknown type 'x' (did you mean 'x'?)".
                    raise PydanticCustomError("value_error", "{error}",
                                              {"error": str(exc)}) from exc
                raise PydanticCustomError(
                    "union_tag_invalid", "unknown type {tag}",
                    {"tag": name, "expected_tags": ", ".join(loadable_types())}) from exc
            if getattr(spec.model_fields["type"].annotation, "__args__", ()) == (name,):
                return _validate_spec(spec, value)
        try:
            cls = get_type(name)
        except PluginError as exc:
            if ":" in name:
                raise PydanticCustomError("value_error", "{error}", {"error": str(exc)}) from exc
            raise PydanticCustomError(
                "union_tag_invalid", "unknown type {tag}",
                {"tag": name, "expected_tags": ", ".join(loadable_types())}) from exc
        if name != cls.name:
            # Named by dotted path: register it under its own name and store that.
            from scosim.proposals import register_type

            register_type(cls)
            value = {**value, "type": cls.name}
        return _validate_spec(cls.spec, value)


def _validate_spec(spec: Any, value: Mapping[str, Any]) -> Any:
    """``spec.model_validate(value)``; what a plug-in spec's own validator raises is an error.

    Pydantic reports a validator's ValueError; a KeyError or TypeError in a plug-in's
    spec ended validation in a traceback (:func:`scosim.plugins.call_hook`).
    """
    from pydantic import ValidationError

    from scosim.plugins import PluginError, call_hook

    try:
        return call_hook(spec.model_validate, dict(value), keep=(ValidationError,))
    except PluginError as exc:
        raise PydanticCustomError("value_error", "{error}", {"error": str(exc)}) from exc


PROPOSAL_DISPATCH = _ProposalDispatch()
#: One entry of ``proposals``: dispatched on ``type`` through the proposal-type registry.
Proposal = Annotated[Any, WrapValidator(PROPOSAL_DISPATCH), PROPOSAL_DISPATCH]

# --------------------------------------------------------------------------- scenario


class Scenario(BaseModel):
    """A fully resolved scenario (``extends`` merged, overrides applied, validated)."""

    model_config = STRICT
    name: Slug
    description: str = ""
    extends: str | None = Field(None, description="parent file as written (kept for reference)")
    years: Years = Field(default_factory=Years)
    seed: int = Field(0, ge=0, lt=2**64)
    replications: int = Field(1, ge=1)
    countries: dict[Code, CountryOverride] = Field(default_factory=dict)
    parameters: Parameters = Field(default_factory=Parameters)
    proposals: list[Proposal] = Field(default_factory=empty_list)
    events: list[Event] = Field(default_factory=empty_list)
    outputs: Outputs = Field(default_factory=Outputs)
    source: Path | None = Field(None, exclude=True, description="file loaded (not hashed)")
    # Private, so neither a key a file may write nor in the dump: the hash sees the
    # values the overrides set, and run() records the overrides themselves.
    _overrides: dict[str, Any] = PrivateAttr(default_factory=dict)

    # ---------------------------------------------------------------- validation
    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        # In scosim.scenario.cross: the loader also runs them on the parts that
        # validated when a field failed (pydantic then skips this validator).
        _raise_issues(cross_issues(self))
        return self

    # ---------------------------------------------------------------- convenience
    @property
    def overrides(self) -> dict[str, Any]:
        """Dotted-path overrides :func:`~scosim.scenario.load_scenario` applied (``{}``: none).

        In the order given. :func:`scosim.run` records them in the run's manifest, as it
        does ``--set``, so a run of this object is not taken for the file as written.
        """
        return dict(self._overrides)

    def statuses(self) -> dict[str, str]:
        """Status of each of the 28 economies after overrides (ROW is ``"row"``)."""
        out = dict(DEFAULT_STATUSES)
        for code, ov in self.countries.items():
            if ov.status is not None and code != "ROW":
                out[code] = ov.status
        return {c: out[c] for c in ECONOMIES}

    def members(self) -> list[str]:
        """Member codes after overrides, in canonical order."""
        return [c for c, s in self.statuses().items() if s == "member"]

    def weights_for(self, iso3: str) -> Weights:
        """Scoring weights of ``iso3``: country overrides over ``parameters.weights``."""
        _known(iso3)
        base = self.parameters.weights.model_dump()
        ov = self.countries.get(iso3)
        if ov is not None:
            base.update({k: v for k, v in ov.weights.model_dump().items() if v is not None})
        return Weights(**base)

    def rules_for(self, iso3: str) -> dict[str, str]:
        """Rule per hook for ``iso3``: defaults, then ``parameters.rules``, then the country's."""
        _known(iso3)
        out = dict(self.parameters.rules)
        ov = self.countries.get(iso3)
        if ov is not None:
            out.update(ov.rules)
        return out

    def exit_threshold_for(self, iso3: str) -> float:
        """Exit threshold of ``iso3`` (country override, else the council's)."""
        _known(iso3)
        ov = self.countries.get(iso3)
        if ov is not None and ov.exit_threshold is not None:
            return ov.exit_threshold
        return self.parameters.council.exit_threshold

    def participants_of(self, proposal: Any) -> list[str]:
        """Participant codes of a proposal with ``participants`` (object or id), canonical order.

        ``"members"`` and ``"members_and_observers"`` expand using :meth:`statuses`
        (so they follow status overrides).
        """
        if isinstance(proposal, str):
            found = [p for p in self.proposals if p.id == proposal]
            if not found:
                ids = ", ".join(p.id for p in self.proposals) or "(none)"
                raise KeyError(f"no proposal with id {proposal!r}; ids: {ids}")
            proposal = found[0]  # type: ignore[assignment]
        parts = getattr(proposal, "participants", None)
        if parts is None:
            raise TypeError(f"proposal {proposal.id!r} ({proposal.type}) has no participants")
        st = self.statuses()
        if parts == "members":
            keep = {"member"}
        elif parts == "members_and_observers":
            keep = {"member", "observer"}
        else:
            chosen = set(parts)
            return [c for c in ECONOMIES if c in chosen]
        return [c for c in ECONOMIES if st[c] in keep]

    def year_range(self) -> range:
        """Simulated years as a ``range``."""
        return self.years.range()

    def resolved_yaml(self) -> str:
        """The resolved scenario as YAML (``extends`` and ``source`` dropped).

        A proposal type or mechanism named by dotted path, or registered by a module
        outside scosim, is written by its path, not by the name it registered under: a
        worker process (or a later run of this text) finds it only by the path.
        """
        import yaml

        from scosim.model.slots import mechanism_reference
        from scosim.proposals import type_reference

        data = self.model_dump(mode="python", exclude={"extends"})
        for p in data.get("proposals") or []:
            p["type"] = type_reference(p["type"])
        mechanisms = data.get("parameters", {}).get("mechanisms") or {}
        for slot, name in mechanisms.items():
            if isinstance(name, list):
                mechanisms[slot] = [mechanism_reference(n) for n in name]
            elif name is not None:
                mechanisms[slot] = mechanism_reference(name)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _known(iso3: str) -> None:
    if iso3 not in ECONOMIES:
        raise KeyError(f"unknown country code {iso3!r}; allowed: {', '.join(ECONOMIES)}")

