"""Scenario blocks: years and parameters (parts of :class:`Scenario`).

Re-exported by :mod:`scosim.scenario.schema`; the outputs block is in
:mod:`scosim.scenario.outputs`, the events in :mod:`scosim.scenario.events` and the
Council's and application's blocks in :mod:`scosim.scenario.council_params` (all
re-exported here).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    Field,
    ModelWrapValidatorHandler,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

# The Council's and the application's blocks: scosim.scenario.council_params (split for
# size); CHOICES_KEY, DecisionRuleName, ChairOrder and APPLICATION_HAZARD re-exported.
from scosim.scenario.council_params import (  # noqa: F401
    APPLICATION_HAZARD,
    CHOICES_KEY,
    ApplicationParams,
    ChairOrder,
    CouncilParams,
    DecisionRuleName,
)

# The events (the scenario's ``events`` list): scosim.scenario.events (split for size).
from scosim.scenario.events import (
    BorderClashEvent as BorderClashEvent,
)
from scosim.scenario.events import (
    Event as Event,
)
from scosim.scenario.events import (
    GdpShockEvent as GdpShockEvent,
)
from scosim.scenario.events import (
    SanctionsEvent as SanctionsEvent,
)
from scosim.scenario.events import (
    TrustShockEvent as TrustShockEvent,
)

# The outputs block and the indicator names live in scosim.scenario.outputs (split for
# size); re-exported here, where tests and docs import them from.
from scosim.scenario.outputs import (
    INDICATOR_NAMES as INDICATOR_NAMES,
)
from scosim.scenario.outputs import (
    MODEL_INDICATORS as MODEL_INDICATORS,
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
    _no_repeated_indicator as _no_repeated_indicator,
)
from scosim.scenario.outputs import (
    indicator_issues as indicator_issues,
)
from scosim.scenario.outputs import (
    indicator_names as indicator_names,
)
from scosim.scenario.outputs import (
    recorded_indicators as recorded_indicators,
)

# Settings of empty slots: scosim.scenario.slot_settings (split for size).
from scosim.scenario.slot_settings import (
    SLOT_BLOCKS as SLOT_BLOCKS,
)
from scosim.scenario.slot_settings import (
    unread_settings_issues as unread_settings_issues,
)
from scosim.scenario.values import (
    DEFAULT_RULES,
    STRICT,
    Code,
    CollectionRate,
    CollectionSpread,
    Issues,
    YearValue,
    _raise_issues,
    _yv_check,
    collection_spread_issues,
    not_imported,
)

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
                                    "end must be >= start",
                           [(("start",), f"start {self.start} is after end {self.end}; "
                                         "start must be <= end")])])
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
    econ: float = Field(1.0, ge=0,
                        description="weight on welfare gain (fraction of real expenditure)")
    sovereignty: float = Field(0.002, ge=0, description="weight on sovereignty cost of depth")
    trust: float = Field(0.002, ge=0, description="weight on trust in the proposer")
    dominance: float = Field(
        0.5, ge=0,
        description="weight on the relative-gains gap to the bloc's largest economy "
        "(Powell's k: value of a point of relative loss per point of own gain)")
    security: float = Field(
        0.0, ge=0, description="weight on terrorism damage avoided (1: at face value)")
    # The record does not identify the political weights (docs/hindcasts.md, "What the
    # record identifies"): confidence_set draws them, and the vote noise, in each run.
    draw: Literal["fixed", "confidence_set"] = Field(
        "fixed",
        description="fixed: the weights above in every run; confidence_set: each run draws "
        "sovereignty, trust, dominance and parameters.council.vote_noise from the hindcasts' "
        "confidence set (scosim.model.weight_draw; docs/hindcasts.md), replacing the values "
        "written for them")

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        out = handler(self)
        # Left out at its default: scenarios that do not draw keep their hash.
        if isinstance(out, dict) and self.draw == "fixed":
            out.pop("draw", None)
        return out


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
    un_sanctions: bool = Field(
        False,
        description="under UN Security Council sanctions on the state itself (not only on "
        "listed persons): the SCO's 2010 Regulation on admission bars it from membership",
    )


class TradeParams(BaseModel):
    """Structural gravity settings.

    ``sigma`` to ``moving_baseline`` and ``collection_rates`` define the GE every
    counterfactual solves, read whatever fills the trade slot (previews, other slots'
    costs); ``short_run_share`` and ``adjustment_years`` only by the trade slot's mechanism
    (``slot_settings``).
    """

    model_config = STRICT
    # The cap is σ - 1 = 49, ten times the median structural estimate of the trade
    # elasticity (about 5: Head and Mayer 2014, Handbook of International Economics vol.
    # 4, ch. 3); far beyond it the GE solve stops converging (σ = 1000), which failed every
    # batch with exit status 1 instead of naming the value.
    sigma: float = Field(5.0, gt=1, le=50, description="elasticity of substitution")
    sigma_spread: float = Field(0.0, ge=0, description="half-width of uniform draw of sigma")
    # purged: the base-year flows purged of deficits at each run's sigma, then the level
    # closure (scosim.mechanisms.deficit_purge; docs/trade.md, "Deficit closures")
    deficits: Literal["level", "ratio", "purged"] = "level"
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
    # A sensitivity, not a default: only India and China have a published receipts
    # figure here (docs/trade.md, "Collection rates"); empty = every rate 1.
    collection_rates: dict[Code, CollectionRate] = Field(
        default_factory=dict,
        description="importer code -> duty collected / duty at the statutory rates on the "
        "same imports, in (0, 1]; multiplies every tariff the importer charges",
    )
    collection_rate_spread: dict[Code, CollectionSpread] = Field(
        default_factory=dict,
        description="importer code -> half-width of a per-run uniform draw of its collection "
        "rate around collection_rates (1 where none is written)",
    )

    @model_validator(mode="after")
    def _spread(self) -> TradeParams:
        # Reported where the user wrote the later of the two (Years._order's way), each
        # side saying what it must be given the other.
        s, d = self.sigma, self.sigma_spread
        if s - d <= 1:
            raise Issues([(("sigma_spread",), (
                f"sigma - sigma_spread = {s - d:g} must stay > 1 (sigma is {s:g}); use "
                f"sigma_spread < {s - 1:g}"), [(("sigma",), (
                    f"sigma - sigma_spread = {s - d:g} must stay > 1 (sigma_spread is "
                    f"{d:g}); use sigma > {d + 1:g}"))])])
        if s + d > 50:
            raise Issues([(("sigma_spread",), (
                f"sigma + sigma_spread = {s + d:g} must stay <= 50 (sigma is {s:g}); use "
                f"sigma_spread <= {50 - s:g}"), [(("sigma",), (
                    f"sigma + sigma_spread = {s + d:g} must stay <= 50 (sigma_spread is "
                    f"{d:g}); use sigma <= {50 - d:g}"))])])
        if issues := collection_spread_issues(self.collection_rates, self.collection_rate_spread):
            raise Issues(issues)
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        out = handler(self)
        # Left out when empty: scenarios without collection rates keep their hash.
        for name in ("collection_rates", "collection_rate_spread"):
            if isinstance(out, dict) and not getattr(self, name):
                out.pop(name, None)
        return out


class GrowthParams(BaseModel):
    """GDP growth process."""

    model_config = STRICT
    #: calibrated: each economy's trend and volatility; fixed: one trend (``rate``);
    #: historical: the recorded GDP (``gdp_history``) where there is one, else calibrated.
    mode: Literal["calibrated", "fixed", "historical"] = "calibrated"
    rate: YearValue = Field(YearValue(0.03), description="growth rate when mode=fixed")
    volatility_scale: YearValue = Field(YearValue(1.0), description="multiplies calibrated sd")

    @model_validator(mode="after")
    def _ranges(self) -> GrowthParams:
        # At most 100 % a year: `rate: 3` meant as 3 % ran at 300 % (and 500 overflowed).
        issues = [(("rate",), m) for m in _yv_check(
            self.rate, lo=-1.0, lo_open=True, hi=1.0, hint="a fraction a year: 0.03 means 3 %")]
        issues += [(("volatility_scale",), m) for m in _yv_check(
            self.volatility_scale, lo=0.0, hi=10.0,
            hint="times the calibrated sd of growth; beyond 10, GDP paths overflow")]
        _raise_issues(issues)
        return self


class HardeningParams(BaseModel):
    """Unilateral defensive hardening chosen by every state (docs/security.md section 4).

    ``none`` (the default) hardens nothing; ``nash`` lets each state harden against its own
    expected incident loss, ignoring the attacks it displaces to its neighbours;
    ``cooperative`` is the joint optimum (:mod:`scosim.security.hardening`). Both price an
    incident at the damage the votes use (:mod:`scosim.security.hardening_price`); the old
    ``index_value`` is refused with a message saying so.
    """

    model_config = STRICT
    rule: Literal["none", "nash", "cooperative"] = Field(
        "none", description="none, nash (each state for itself) or cooperative (joint optimum)")
    cost_share_gdp: float = Field(
        0.001, gt=0, le=0.1,
        description="defensive (target-hardening) spending that hardening scales, share of "
        "GDP: hardening h costs d x (exp(h) - 1) a year, d this or, where higher, "
        "beta_defence x the state's expected incident damage at 2018-2022 conditions (so "
        "that h = 0 there, docs/security.md section 4); an assumption")

    @model_validator(mode="before")
    @classmethod
    def _index_value_removed(cls, data: Any) -> Any:
        # Removed 2026-12-07: it priced an incident at index_value / (beta x the incidents a
        # state expects), so the fewer it expected the more each was worth. An override
        # would bring back two prices of one incident (the votes' and the hardening's).
        if isinstance(data, dict) and "index_value" in data:
            raise ValueError(
                "index_value is no longer read (removed 2026-12-07): the hardening rule "
                "prices an incident at the damage the votes use, 160 x GDP per head x "
                "deaths per incident (docs/security.md section 4); delete the line")
        return data


class SecurityScenarioParams(BaseModel):
    """Inputs of the security mechanism (used when ``mechanisms.security`` is filled).

    ``instability`` and ``opiate_supply`` are a number or a year-indexed mapping
    ``{year: value}``; ``hardening`` the states' defensive hardening rule
    (docs/security.md).
    """

    model_config = STRICT
    instability: YearValue = Field(
        YearValue(1.0), description="Afghanistan instability index, 1 = 2018-2022 conditions, "
        "in [0, 10]")
    opiate_supply: YearValue = Field(
        YearValue(1.0), description="Afghan opiate supply relative to 2018-2022 production, "
        "in [0, 10] (after the 2022 ban, UNODC: 0.054 in 2023, 0.070 in 2024, 0.048 in 2025; "
        "routes.SUPPLY_INDEX)")
    hardening: HardeningParams = Field(default_factory=HardeningParams)

    @model_validator(mode="after")
    def _ranges(self) -> SecurityScenarioParams:
        issues = [(("instability",), m) for m in _yv_check(self.instability, lo=0.0, hi=10.0)]
        issues += [(("opiate_supply",), m) for m in _yv_check(self.opiate_supply, lo=0.0, hi=10.0)]
        _raise_issues(issues)
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        out = handler(self)
        # Left out at its default: scenarios without hardening keep their hash.
        if isinstance(out, dict) and self.hardening == HardeningParams():
            out.pop("hardening", None)
        return out


def _slot_issues(slot: str, names: list[str], where: list[tuple[str | int, ...]]
                 ) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems of the mechanisms ``names`` listed in ``slot`` (``where``: each one's place).

    Each must load (its declared slot read without importing a heavy built-in), fill this
    slot, and appear once.
    """
    from scosim.model.slots import mechanism_name, mechanism_slot
    from scosim.plugins import PluginError

    issues: list[tuple[tuple[str | int, ...], str]] = []
    seen: dict[str, str] = {}
    for name, loc in zip(names, where, strict=True):
        if problem := not_imported("mechanism", name):
            issues.append((loc, problem))
            continue
        try:
            fills, own = mechanism_slot(name), mechanism_name(name)
        except PluginError as exc:
            issues.append((loc, str(exc)))
            continue
        if fills != slot:
            issues.append((loc, f"mechanism {name!r} fills slot {fills!r}, not {slot!r}"))
        elif own in seen:
            # Stepped twice, it would apply its trade costs or income twice.
            also = f" (first as {seen[own]!r})" if seen[own] != name else ""
            issues.append((loc, f"mechanism {own!r} is listed twice in the {slot} slot"
                           f"{also}; a mechanism fills a slot once"))
        seen.setdefault(own, name)
    return issues


class Parameters(BaseModel):
    """Model parameters."""

    model_config = STRICT
    trade: TradeParams = Field(default_factory=TradeParams)
    growth: GrowthParams = Field(default_factory=GrowthParams)
    council: CouncilParams = Field(default_factory=CouncilParams)
    weights: Weights = Field(default_factory=Weights)
    rules: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_RULES))
    security: SecurityScenarioParams = Field(default_factory=SecurityScenarioParams)
    application: ApplicationParams = Field(
        default_factory=ApplicationParams,
        description="when a state applies for membership (an application proposal): "
        "the yearly hazard; docs/hindcasts.md")
    mechanisms: dict[str, str | list[str] | None] = Field(
        default_factory=dict,
        description="mechanism filling each slot (growth, security, network, finance, trade), "
        "or a list of mechanisms stepped in that order; null empties a slot; unnamed slots "
        "keep their default (docs/mechanisms.md)",
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
            from scosim.scenario.messages import block_message

            # As for parameters.finance: the block's own model names allowed keys.
            raise Issues([(tuple(e["loc"]), block_message(e, NetworkParams).removeprefix(
                "Value error, ")) for e in exc.errors()]) from None

    finance: dict[str, Any] = Field(
        default_factory=dict,
        description="settings of the finance slot's banking_systems (kernel, seniority, "
        "alpha, beta, lgd, ...; scosim.finance.spec.FinanceSettings, docs/finance.md)",
    )

    @field_validator("finance", mode="after")
    @classmethod
    def _finance(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            # Nothing written, nothing to check: the finance package imports numpy.
            return value
        from pydantic import ValidationError

        from scosim.finance.spec import FinanceSettings

        try:
            checked = FinanceSettings.model_validate(value)
            # Only what is written: scenarios without the block keep their hash.
            return {k: getattr(checked, k) for k in value}
        except ValidationError as exc:
            from scosim.scenario.messages import block_message

            _raise_issues([(tuple(e["loc"]), block_message(e, FinanceSettings))
                           for e in exc.errors()])
        return value

    @field_validator("mechanisms", mode="after")
    @classmethod
    def _mechanisms(cls, value: dict[str, str | list[str] | None]
                    ) -> dict[str, str | list[str] | None]:
        from scosim.model.slots import DEFAULT_MECHANISMS, SLOTS, slot_names

        issues: list[tuple[tuple[str | int, ...], str]] = []
        out: dict[str, str | list[str] | None] = {}
        for slot, written in value.items():
            if slot not in SLOTS:
                issues.append(((slot,), f"unknown slot {slot!r}; slots are: {', '.join(SLOTS)}"))
                continue
            names = slot_names(written)
            where = [(slot, i) if isinstance(written, list) else (slot,)
                     for i in range(len(names))]
            issues += _slot_issues(slot, names, where)
            # One name is written as a string, so [x] keeps the scenario hash of x; an
            # empty list is an empty slot, as null.
            out[slot] = None if not names else names[0] if len(names) == 1 else names
        _raise_issues(issues)
        return {**DEFAULT_MECHANISMS, **out}

    @field_validator("rules", mode="after")
    @classmethod
    def _default_rules(cls, value: dict[str, str]) -> dict[str, str]:
        # A partial mapping keeps the defaults for hooks it does not name.
        return {**DEFAULT_RULES, **value}

    mechanism_settings: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="settings of mechanisms that declare a settings_model, keyed by the "
        "mechanism's name (docs/mechanisms.md)",
    )

    @model_validator(mode="after")
    def _mechanism_settings(self) -> Parameters:
        if self.mechanism_settings:
            from scosim.model.slots import settings_issues

            _raise_issues([(("mechanism_settings", *loc), msg) for loc, msg in
                           settings_issues(self.mechanisms, self.mechanism_settings)])
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _settings_read(cls, data: Any, handler: ModelWrapValidatorHandler[Parameters]) -> Any:
        checked = handler(data)
        # The written mechanisms (before the defaults are merged in), to tell a slot
        # emptied on purpose from one left empty.
        written = data.get("mechanisms") if isinstance(data, dict) else None
        _raise_issues(unread_settings_issues(
            checked, set(written) if isinstance(written, dict) else set()))
        return checked

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        out = handler(self)
        if isinstance(out, dict) and isinstance(out.get("mechanism_settings"), dict):
            # A mechanism's empty mapping takes its model's defaults, as no entry does
            # (Mechanism.__init__): left out, so both hash the same.
            out["mechanism_settings"] = {k: v for k, v in out["mechanism_settings"].items()
                                         if v != {}}
        # Left out when empty: scenarios without plug-in settings keep their hash.
        if isinstance(out, dict) and not out.get("mechanism_settings"):
            out.pop("mechanism_settings", None)
        # Left out at its default: scenarios written before the hazard keep their hash.
        if isinstance(out, dict) and self.application == ApplicationParams():
            out.pop("application", None)
        return out
