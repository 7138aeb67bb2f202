"""Pydantic v2 schema of a scenario (``extra="forbid"`` and strict types everywhere).

Strict mode on purpose: YAML already types its values, so a quoted ``"5"`` where
a number belongs is a typo to report, not something to coerce silently.

Cross-field checks (years within range, fixed shares naming participants, rule
references, ...) run in model validators that collect every problem at once
and raise :class:`Issues`, which the loader turns into ``file:line`` errors.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from scosim.data.constants import ECONOMIES, MEMBERS, OBSERVERS, OTHERS, PARTNERS

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

# --------------------------------------------------------------------------- constants

# The economies and their statuses are the data layer's (one list for the project).
STATUSES: tuple[str, ...] = ("member", "observer", "partner", "other")
DEFAULT_STATUSES: dict[str, str] = {
    **{c: "member" for c in MEMBERS},
    **{c: "observer" for c in OBSERVERS},
    **{c: "partner" for c in PARTNERS},
    **{c: "other" for c in OTHERS},
    "ROW": "row",
}
#: Rule used for each hook unless a scenario says otherwise.
DEFAULT_RULES: dict[str, str] = {
    "vote": "utility_vote",
    "defect": "threshold_defect",
    "propose": "never_retable",
    "consent": "consent_unless_harmed",
}

_SLUG = re.compile(r"^[a-z0-9_-]+$")

STRICT = ConfigDict(
    extra="forbid", strict=True, allow_inf_nan=False, frozen=False, validate_default=True
)


class Issues(ValueError):
    """Several problems found by one cross-field validator.

    Attributes:
        issues: ``(relative location, message)`` pairs; the location is relative
            to the model whose validator raised.
    """

    def __init__(self, issues: list[tuple[tuple[str | int, ...], str]]) -> None:
        self.issues = issues
        super().__init__(
            "; ".join(f"{'.'.join(map(str, loc)) or '<root>'}: {msg}" for loc, msg in issues)
        )


def _raise_issues(issues: list[tuple[tuple[str | int, ...], str]]) -> None:
    if issues:
        raise Issues(issues)


# --------------------------------------------------------------------------- small types


def _check_code(value: str, *, allow_row: bool) -> str:
    allowed = ECONOMIES if allow_row else ECONOMIES[:-1]
    if value not in allowed:
        if value == "ROW":
            raise ValueError("ROW (Rest of World) is not allowed here; use one of the 27 economies")
        raise ValueError(
            f"unknown country code {value!r}; allowed: {', '.join(allowed)}"
        )
    return value


def _code_validator(allow_row: bool) -> AfterValidator:
    return AfterValidator(lambda v: _check_code(v, allow_row=allow_row))


#: Any of the 28 codes, ROW included.
Code = Annotated[str, _code_validator(True)]
#: One of the 27 real economies (no ROW).
State = Annotated[str, _code_validator(False)]


def _check_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(
            f"{value!r} is not a valid name: use lowercase letters, digits, '_' and '-' only"
        )
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]


def _unique(value: list[str]) -> list[str]:
    dupes = sorted({v for v in value if value.count(v) > 1})
    if dupes:
        raise ValueError(f"duplicate entries {', '.join(dupes)}; list each country once")
    return value


StateList = Annotated[list[State], AfterValidator(_unique)]
CodeList = Annotated[list[Code], AfterValidator(_unique)]


def _kind_tag(keyword_tag: str) -> Any:
    # Callable discriminator: a string goes to the keyword branch, a list to the
    # list branch. Tags start with "__" so the loader drops them from paths.
    def tag(value: Any) -> str | None:
        if isinstance(value, str):
            return keyword_tag
        if isinstance(value, list):
            return "__list__"
        return None

    return tag


def _keyword_or_list(keywords: Any, items: Any, what: str) -> Any:
    return Annotated[
        Union[  # noqa: UP007 - Annotated members need the explicit Union
            Annotated[keywords, Tag("__keyword__")],
            Annotated[items, Tag("__list__")],
        ],
        Discriminator(
            _kind_tag("__keyword__"),
            custom_error_type="keyword_or_list",
            custom_error_message=f"expected {what}",
        ),
    ]


# --------------------------------------------------------------------------- YearValue


class YearValue:
    """A number, or a step function of the calendar year.

    Written in YAML either as a number (constant) or as a mapping
    ``{year: number}``. ``at(year)`` is the value of the latest key ``<= year``;
    before the first key it is ``0.0`` (so a phase-in is off until its first
    year). Year-indexed *parameters* are validated to start at or before the
    scenario's first year, so for them the "before" case never arises.

    Used for: ``proposals[*].phase_in``, ``parameters.growth.rate`` and
    ``parameters.growth.volatility_scale``.
    """

    __slots__ = ("_years", "_vals", "_constant")

    def __init__(self, value: float | int | Mapping[int, float | int] | YearValue) -> None:
        if isinstance(value, YearValue):
            self._constant, self._years, self._vals = value._constant, value._years, value._vals
            return
        if isinstance(value, bool):
            raise ValueError(f"expected a number or a mapping {{year: number}}, got {value!r}")
        if isinstance(value, int | float):
            if not math.isfinite(value):
                raise ValueError(f"expected a finite number, got {value!r}")
            self._constant: float | None = float(value)
            self._years: tuple[int, ...] = ()
            self._vals: tuple[float, ...] = ()
            return
        if isinstance(value, Mapping):
            if not value:
                raise ValueError("empty mapping; give at least one {year: number} entry")
            items: list[tuple[int, float]] = []
            for k, v in value.items():
                # Digit strings are accepted so JSON round trips (keys become strings) load.
                if isinstance(k, str) and k.isdigit():
                    k = int(k)
                if isinstance(k, bool) or not isinstance(k, int):
                    raise ValueError(f"year key {k!r} is not an integer year")
                if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                    raise ValueError(f"value for year {k} must be a finite number, got {v!r}")
                items.append((k, float(v)))
            items.sort()
            self._constant = None
            self._years = tuple(k for k, _ in items)
            self._vals = tuple(v for _, v in items)
            return
        raise ValueError(
            f"expected a number or a mapping {{year: number}}, got {type(value).__name__} {value!r}"
        )

    @property
    def is_constant(self) -> bool:
        """True when written as a single number."""
        return self._constant is not None

    @property
    def years(self) -> tuple[int, ...]:
        """Keys of the mapping, sorted (empty for a constant)."""
        return self._years

    @property
    def points(self) -> tuple[tuple[int, float], ...]:
        """``(year, value)`` pairs, sorted by year (empty for a constant)."""
        return tuple(zip(self._years, self._vals, strict=True))

    def all_values(self) -> tuple[float, ...]:
        """Every number written (the constant, or the mapping's values)."""
        return (self._constant,) if self._constant is not None else self._vals

    def at(self, year: int) -> float:
        """Value in ``year``: latest key ``<= year``, ``0.0`` before the first key."""
        if self._constant is not None:
            return self._constant
        i = bisect.bisect_right(self._years, year) - 1
        return self._vals[i] if i >= 0 else 0.0

    def values(self, years: Iterable[int] | np.ndarray) -> np.ndarray:
        """Vectorised :meth:`at`: float array with one value per year."""
        y = np.asarray(list(years) if not isinstance(years, np.ndarray) else years)
        if self._constant is not None:
            return np.full(y.shape, self._constant, dtype=float)
        table = np.concatenate(([0.0], np.asarray(self._vals, dtype=float)))
        idx = np.searchsorted(np.asarray(self._years), y, side="right")
        return table[idx]

    def to_data(self) -> float | dict[int, float]:
        """Plain data as written in YAML (number or ``{year: number}``)."""
        if self._constant is not None:
            return self._constant
        return dict(zip(self._years, self._vals, strict=True))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, YearValue):
            return self.to_data() == other.to_data()
        if isinstance(other, int | float) and not isinstance(other, bool):
            return self._constant == float(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._constant, self._years, self._vals))

    def __repr__(self) -> str:
        return f"YearValue({self.to_data()!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda v: v.to_data(), when_used="always"
            ),
            json_schema_input_schema=core_schema.union_schema(
                [core_schema.float_schema(), core_schema.dict_schema(
                    core_schema.int_schema(), core_schema.float_schema())]
            ),
        )


def _yv_check(
    yv: YearValue, lo: float | None = None, hi: float | None = None, lo_open: bool = False
) -> list[str]:
    bad = []
    for v in yv.all_values():
        if lo is not None and (v <= lo if lo_open else v < lo):
            bad.append(v)
        elif hi is not None and v > hi:
            bad.append(v)
    if not bad:
        return []
    rng = f"{'>' if lo_open else '>='} {lo:g}" if hi is None else f"in [{lo:g}, {hi:g}]"
    return [f"every value must be {rng}, got {', '.join(f'{b:g}' for b in bad)}"]


# --------------------------------------------------------------------------- blocks


class Years(BaseModel):
    """Simulated calendar years, both ends included."""

    model_config = STRICT
    start: int = Field(2025, ge=1950, le=2200, description="first simulated year")
    end: int = Field(2035, ge=1950, le=2200, description="last simulated year (inclusive)")

    @model_validator(mode="after")
    def _order(self) -> Years:
        if self.end < self.start:
            raise Issues([(("end",), f"end {self.end} is before start {self.start}; "
                                    "end must be >= start")])
        if self.end - self.start + 1 > 100:
            raise Issues([(("end",), f"{self.end - self.start + 1} years; at most 100 allowed")])
        return self

    def range(self) -> range:
        """``range(start, end + 1)``."""
        return range(self.start, self.end + 1)

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.start <= year <= self.end


class Weights(BaseModel):
    """Scoring weights of a state's utility (see MODEL.md section 3)."""

    model_config = STRICT
    econ: float = Field(1.0, ge=0, description="weight on welfare gain (fraction of real income)")
    sovereignty: float = Field(0.002, ge=0, description="weight on sovereignty cost of depth")
    trust: float = Field(0.002, ge=0, description="weight on trust in the proposer")
    dominance: float = Field(
        0.5, ge=0,
        description="weight on the relative-gains gap to the bloc's largest economy "
        "(Powell's k: value of a point of relative loss per point of own gain)")
    security: float = Field(0.0, ge=0, description="weight on security gain")


class CountryWeights(BaseModel):
    """Per-country weights; any left out fall back to ``parameters.weights``."""

    model_config = STRICT
    econ: float | None = Field(None, ge=0)
    sovereignty: float | None = Field(None, ge=0)
    trust: float | None = Field(None, ge=0)
    dominance: float | None = Field(None, ge=0)
    security: float | None = Field(None, ge=0)


class CountryOverride(BaseModel):
    """Per-economy overrides under ``countries.<ISO3>``."""

    model_config = STRICT
    status: Literal["member", "observer", "partner", "other"] | None = None
    weights: CountryWeights = Field(default_factory=CountryWeights)
    rules: dict[str, str] = Field(default_factory=dict)
    exit_threshold: float | None = None


class TradeParams(BaseModel):
    """Structural gravity settings."""

    model_config = STRICT
    sigma: float = Field(5.0, gt=1, description="elasticity of substitution")
    sigma_spread: float = Field(0.0, ge=0, description="half-width of uniform draw of sigma")
    deficits: Literal["level", "ratio"] = "level"
    baseline: Literal["actual", "fitted"] = "actual"
    moving_baseline: bool = Field(
        False,
        description="re-base the year's trade pattern along the GDP path by RAS "
        "(docs/customs_union.md); false: every year against the base year",
    )
    short_run_share: float = Field(
        1.0, gt=0, le=1,
        description="share of the long-run trade response reached in the year a tariff "
        "change enters into force (1: at once)",
    )
    adjustment_years: int = Field(
        0, ge=0, description="years until the full long-run response (0: at once)"
    )

    @model_validator(mode="after")
    def _spread(self) -> TradeParams:
        if self.sigma - self.sigma_spread <= 1:
            raise Issues([(("sigma_spread",), (
                f"sigma - sigma_spread = {self.sigma - self.sigma_spread:g} must stay > 1 "
                f"(sigma is {self.sigma:g}); use sigma_spread < {self.sigma - 1:g}"))])
        return self


class GrowthParams(BaseModel):
    """GDP growth process."""

    model_config = STRICT
    mode: Literal["calibrated", "fixed"] = "calibrated"
    rate: YearValue = Field(YearValue(0.03), description="growth rate when mode=fixed")
    volatility_scale: YearValue = Field(YearValue(1.0), description="multiplies calibrated sd")

    @model_validator(mode="after")
    def _ranges(self) -> GrowthParams:
        issues = [(("rate",), m) for m in _yv_check(self.rate, lo=-1.0, lo_open=True)]
        issues += [(("volatility_scale",), m) for m in _yv_check(self.volatility_scale, lo=0.0)]
        _raise_issues(issues)
        return self


class SecurityScenarioParams(BaseModel):
    """Inputs of the security mechanism (used when ``mechanisms.security`` is filled).

    Both are a number or a year-indexed mapping ``{year: value}`` (docs/security.md).
    """

    model_config = STRICT
    instability: YearValue = Field(
        YearValue(1.0), description="Afghanistan instability index, 1 = 2018-2022 conditions, "
        "in [0, 10]")
    opiate_supply: YearValue = Field(
        YearValue(1.0), description="Afghan opiate supply relative to 2018-2022, in [0, 10] "
        "(after the 2022 ban: 333 / 6200 = 0.054)")

    @model_validator(mode="after")
    def _ranges(self) -> SecurityScenarioParams:
        issues = [(("instability",), m) for m in _yv_check(self.instability, lo=0.0, hi=10.0)]
        issues += [(("opiate_supply",), m) for m in _yv_check(self.opiate_supply, lo=0.0, hi=10.0)]
        _raise_issues(issues)
        return self


#: Decision rules the Council knows (docs/model.md, "Decision rules").
DecisionRuleName = Literal["consensus", "qualified_majority", "variable_geometry",
                           "interested_members"]

ChairOrder = _keyword_or_list(
    Literal["alphabetical"], StateList, "'alphabetical' or a list of member codes"
)


class CouncilParams(BaseModel):
    """Council of Heads of State: decision rule, defection, trust."""

    model_config = STRICT
    decision_rule: DecisionRuleName | None = Field(
        None,
        description="decision rule for every proposal; unset: each proposal type's default "
        "(docs/model.md); a proposal's own decision_rule takes precedence",
    )
    qualified_majority: float = Field(0.667, gt=0.5, le=1.0)
    ratification_lag: int = Field(1, ge=0)
    defection_years: int = Field(3, ge=1)
    exit_threshold: float = Field(0.0, gt=-1.0)
    vote_noise: float = Field(
        0.25, ge=0,
        description="sd of a vote's random shock as a fraction of the size of its score's "
        "terms (sum of absolute weighted terms)")
    trust_gain: float = Field(0.02, ge=0)
    trust_loss: float = Field(0.1, ge=0)
    chair_order: ChairOrder = "alphabetical"


class Parameters(BaseModel):
    """Model parameters."""

    model_config = STRICT
    trade: TradeParams = Field(default_factory=TradeParams)
    growth: GrowthParams = Field(default_factory=GrowthParams)
    council: CouncilParams = Field(default_factory=CouncilParams)
    weights: Weights = Field(default_factory=Weights)
    rules: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_RULES))
    security: SecurityScenarioParams = Field(default_factory=SecurityScenarioParams)
    mechanisms: dict[str, str | None] = Field(
        default_factory=dict,
        description="mechanism filling each slot (growth, security, network, finance, trade); "
        "null empties a slot; unnamed slots keep their default (docs/mechanisms.md)",
    )
    network: Any = Field(
        default_factory=dict,
        description="settings of the network mechanism (instability, closures, sanctions on "
        "routes); docs/network.md",
    )

    @field_validator("network", mode="before")
    @classmethod
    def _network(cls, value: Any) -> Any:
        # Imported here: the network package is heavy and imports this module.
        from pydantic import ValidationError

        from scosim.network.params import NetworkParams

        if isinstance(value, NetworkParams):
            return value
        try:
            return NetworkParams.model_validate(value if value is not None else {})
        except ValidationError as exc:
            errs = exc.errors()
            raise Issues(
                [(tuple(e["loc"]), str(e["msg"]).removeprefix("Value error, ")) for e in errs]
            ) from None

    finance: dict[str, Any] = Field(
        default_factory=dict,
        description="settings of the finance slot's banking_systems (kernel, seniority, "
        "alpha, beta, lgd, ...; scosim.finance.spec.FinanceSettings, docs/finance.md)",
    )

    @field_validator("finance", mode="after")
    @classmethod
    def _finance(cls, value: dict[str, Any]) -> dict[str, Any]:
        from pydantic import ValidationError

        from scosim.finance.spec import FinanceSettings

        try:
            checked = FinanceSettings.model_validate(value)
            # Only what is written: scenarios without the block keep their hash.
            return {k: getattr(checked, k) for k in value}
        except ValidationError as exc:
            _raise_issues([(tuple(e["loc"]), e["msg"]) for e in exc.errors()])
        return value

    @field_validator("mechanisms", mode="after")
    @classmethod
    def _mechanisms(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        from scosim.model.slots import DEFAULT_MECHANISMS, SLOTS, mechanism_slot
        from scosim.plugins import PluginError

        issues: list[tuple[tuple[str | int, ...], str]] = []
        for slot, name in value.items():
            if slot not in SLOTS:
                issues.append(((slot,), f"unknown slot {slot!r}; slots are: {', '.join(SLOTS)}"))
            elif name is not None:
                try:
                    # Declared slot: validation does not import a heavy built-in.
                    fills = mechanism_slot(name)
                except PluginError as exc:
                    issues.append(((slot,), str(exc)))
                    continue
                if fills != slot:
                    issues.append(((slot,), f"mechanism {name!r} fills slot {fills!r}, "
                                   f"not {slot!r}"))
        _raise_issues(issues)
        return {**DEFAULT_MECHANISMS, **value}

    @field_validator("rules", mode="after")
    @classmethod
    def _default_rules(cls, value: dict[str, str]) -> dict[str, str]:
        # A partial mapping keeps the defaults for hooks it does not name.
        return {**DEFAULT_RULES, **value}


# --------------------------------------------------------------------------- proposals

CET_KEYWORDS = ("mean", "weighted_mean", "min", "max")


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
        from scosim.proposals import ProposalSpec, available_types, get_type, type_spec

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
                {"tag": repr(name), "expected_tags": ", ".join(available_types())})
        if ":" not in name:
            # A registered or installed name: its spec is enough (heavy built-ins are
            # registered lazily with a light spec module; scosim.proposals.builtin).
            try:
                spec = type_spec(name)
            except PluginError as exc:
                raise PydanticCustomError(
                    "union_tag_invalid", "unknown type {tag}",
                    {"tag": name, "expected_tags": ", ".join(available_types())}) from exc
            if getattr(spec.model_fields["type"].annotation, "__args__", ()) == (name,):
                return spec.model_validate(dict(value))
        try:
            cls = get_type(name)
        except PluginError as exc:
            if ":" in name:
                raise PydanticCustomError("value_error", "{error}", {"error": str(exc)}) from exc
            raise PydanticCustomError(
                "union_tag_invalid", "unknown type {tag}",
                {"tag": name, "expected_tags": ", ".join(available_types())}) from exc
        if name != cls.name:
            # Named by dotted path: register it under its own name and store that.
            from scosim.proposals import register_type

            register_type(cls)
            value = {**value, "type": cls.name}
        return cls.spec.model_validate(dict(value))


PROPOSAL_DISPATCH = _ProposalDispatch()
#: One entry of ``proposals``: dispatched on ``type`` through the proposal-type registry.
Proposal = Annotated[Any, WrapValidator(PROPOSAL_DISPATCH), PROPOSAL_DISPATCH]

# --------------------------------------------------------------------------- events


class BorderClashEvent(BaseModel):
    """Armed clash on a border: trust falls, trade costs rise on the pair."""

    model_config = STRICT
    type: Literal["border_clash"]
    year: int
    countries: Annotated[StateList, Field(min_length=2)]
    severity: float = Field(1.0, ge=0)


class SanctionsEvent(BaseModel):
    """Sanctions by ``by`` on ``target`` in one year.

    ``trade_cost``: iceberg trade cost rise (fraction) on the pair's trade.
    ``severity``: share of payments between the pair frozen, in [0, 1]; read by the
    finance slot (dollar channel, docs/finance.md), which also raises the cost of the
    target's dollar-settled trade with third economies; ignored when it is empty.
    """

    model_config = STRICT
    type: Literal["sanctions"]
    year: int
    target: State
    by: Code = "ROW"
    trade_cost: float = Field(0.1, ge=0)
    severity: float = Field(
        1.0, ge=0, le=1,
        description="share of payments between target and sanctioner frozen (finance slot)")

    @model_validator(mode="after")
    def _distinct(self) -> SanctionsEvent:
        if self.target == self.by:
            raise Issues([(("by",), f"a country cannot sanction itself ({self.by})")])
        return self


class GdpShockEvent(BaseModel):
    """One-off proportional GDP shock (-0.05 = 5 percent loss)."""

    model_config = STRICT
    type: Literal["gdp_shock"]
    year: int
    countries: Annotated[CodeList, Field(min_length=1)]
    size: float = Field(gt=-1.0)


class TrustShockEvent(BaseModel):
    """Shift in mutual trust among ``countries`` (added to the trust matrix)."""

    model_config = STRICT
    type: Literal["trust_shock"]
    year: int
    countries: Annotated[StateList, Field(min_length=1)]
    size: float = Field(ge=-1.0, le=1.0)


Event = Annotated[
    Union[BorderClashEvent, SanctionsEvent, GdpShockEvent, TrustShockEvent],  # noqa: UP007
    Field(discriminator="type"),
]

# --------------------------------------------------------------------------- outputs


#: Indicators the model itself records, one value per run, year and economy (docs/model.md;
#: ``scosim.model.phases.record_phase`` writes them and a test keeps the two equal).
#: Proposal types and mechanisms declare theirs; :func:`indicator_names` adds them.
INDICATOR_NAMES: tuple[str, ...] = (
    "gdp_usd",
    "gdp_baseline_path_usd",
    "welfare_change_pct",
    "real_gdp_change_pct",
    "member",
    "in_customs_union",
    "trust_received",
    "exports_usd",
    "imports_usd",
    "exports_change_pct",
    "imports_change_pct",
    "intra_union_imports_usd",
    "intra_union_share",
    "trade_creation_usd",
    "trade_diversion_usd",
    "tariff_revenue_before_usd",
    "tariff_revenue_collected_usd",
    "tariff_revenue_after_sharing_usd",
    "terms_of_trade_change_pct",
    # Explained results of ge_trade (docs/customs_union.md).
    "welfare_tariff_revenue_pct",
    "welfare_terms_of_trade_pct",
    "welfare_rest_pct",
    "ev_usd",
    "ev_members_usd",
    "ev_outsiders_usd",
    "ev_world_usd",
    "union_external_tariff_before_pct",
    "union_external_tariff_after_pct",
    "art24_external_tariff_raised",
    "outsiders_loss_exceeds_members_gain",
    "trade_adjustment_share",
)


def indicator_names() -> tuple[str, ...]:
    """Every indicator a run can record.

    The model's own first, then those that the known proposal types and mechanisms
    (built-in, registered or installed) declare.
    """
    from scosim.model.slots import available_mechanisms, get_mechanism
    from scosim.proposals import available_types, get_type

    names = dict.fromkeys(INDICATOR_NAMES)
    for t in available_types():
        names.update(dict.fromkeys(get_type(t).indicators))
    for m in available_mechanisms():
        names.update(dict.fromkeys(get_mechanism(m).indicators))
    return tuple(names)


def _check_indicator(value: str) -> str:
    known = indicator_names()
    if value not in known:
        import difflib

        close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown indicator {value!r}{hint}; indicators: {', '.join(known)}")
    return value


Indicators = _keyword_or_list(
    Literal["all"],
    Annotated[list[Annotated[str, AfterValidator(_check_indicator)]], Field(min_length=1)],
    "'all' or a list of indicator names",
)


class Outputs(BaseModel):
    """What a run writes."""

    model_config = STRICT
    indicators: Indicators = "all"
    plots: bool = True
    bilateral: bool = False


# --------------------------------------------------------------------------- scenario


class Scenario(BaseModel):
    """A fully resolved scenario (``extends`` merged, overrides applied, validated)."""

    model_config = STRICT
    name: Slug
    description: str = ""
    extends: str | None = Field(None, description="parent file as written (kept for reference)")
    years: Years = Field(default_factory=Years)
    seed: int = Field(0, ge=0)
    replications: int = Field(1, ge=1)
    countries: dict[Code, CountryOverride] = Field(default_factory=dict)
    parameters: Parameters = Field(default_factory=Parameters)
    proposals: list[Proposal] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    outputs: Outputs = Field(default_factory=Outputs)
    source: Path | None = Field(None, exclude=True, description="file loaded (not hashed)")

    # ---------------------------------------------------------------- validation
    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        issues: list[tuple[tuple[str | int, ...], str]] = []
        yrs = self.years
        span = f"{yrs.start}-{yrs.end}"

        for code, ov in self.countries.items():
            if code == "ROW" and ov.status is not None:
                issues.append((("countries", "ROW", "status"),
                               "ROW (Rest of World) has no status; remove this key"))
        statuses = self.statuses()
        members = [c for c in ECONOMIES if statuses[c] == "member"]

        # Rule references: checked now so a typo fails before anything runs.
        issues += _rule_issues(("parameters", "rules"), self.parameters.rules)
        for code, ov in self.countries.items():
            issues += _rule_issues(("countries", code, "rules"), ov.rules)

        year_indexed = [("growth", n, getattr(self.parameters.growth, n))
                        for n in ("rate", "volatility_scale")]
        year_indexed += [("security", n, getattr(self.parameters.security, n))
                         for n in ("instability", "opiate_supply")]
        for block, name, yv in year_indexed:
            if not yv.is_constant:
                if yv.years[0] > yrs.start:
                    issues.append((("parameters", block, name, yv.years[0]), (
                        f"first year {yv.years[0]} is after years.start {yrs.start}; a "
                        "year-indexed parameter must give a value for the first year")))
                for y in yv.years:
                    if y not in yrs:
                        issues.append((("parameters", block, name, y),
                                       f"year {y} is outside the simulated years {span}"))

        chair = self.parameters.council.chair_order
        if isinstance(chair, list):
            loc = ("parameters", "council", "chair_order")
            for i, c in enumerate(chair):
                if c not in members:
                    issues.append(((*loc, i), f"{c} is not a member (status "
                                   f"{statuses[c]!r}); the chair rotates among members"))
            missing = [m for m in members if m not in chair]
            if missing:
                issues.append((loc, f"every member must appear once; missing {', '.join(missing)}"))

        seen: dict[str, int] = {}
        for i, p in enumerate(self.proposals):
            loc = ("proposals", i)
            if p.id in seen:
                issues.append(((*loc, "id"), f"duplicate proposal id {p.id!r} "
                               f"(also proposals[{seen[p.id]}].id); ids must be unique"))
            else:
                seen[p.id] = i
            if p.year not in yrs:
                issues.append(((*loc, "year"), f"year {p.year} is outside the simulated "
                               f"years {span}"))
            # Type-specific checks against the whole scenario, through the registry.
            from scosim.proposals import get_type

            issues += [((*loc, *rel), msg) for rel, msg in get_type(p.type).check(p, self)]

        for i, e in enumerate(self.events):
            if e.year not in yrs:
                issues.append((("events", i, "year"), f"year {e.year} is outside the "
                               f"simulated years {span}"))
        _raise_issues(issues)
        return self

    # ---------------------------------------------------------------- convenience
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
        """The resolved scenario as YAML (``extends`` and ``source`` dropped)."""
        import yaml

        data = self.model_dump(mode="python", exclude={"extends"})
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _known(iso3: str) -> None:
    if iso3 not in ECONOMIES:
        raise KeyError(f"unknown country code {iso3!r}; allowed: {', '.join(ECONOMIES)}")


def _rule_issues(loc: tuple[str | int, ...], rules: dict[str, str]) -> list[
        tuple[tuple[str | int, ...], str]]:
    from scosim.rules.checks import check_rule
    from scosim.rules.registry import RuleError

    issues = []
    for hook, spec in rules.items():
        try:
            check_rule(hook, spec)
        except RuleError as exc:
            issues.append(((*loc, hook), str(exc)))
    return issues
