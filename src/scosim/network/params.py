"""Scenario parameters of the network mechanism (``parameters.network`` in a scenario).

Validated lazily by :class:`scosim.scenario.schema.Parameters` so that the scenario schema
does not import the network package at start-up. Every field is documented in
docs/network.md ("Running corridors in a scenario").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    field_validator,
    model_serializer,
    model_validator,
)

from scosim.data.constants import ECONOMIES, ROW
from scosim.network.hazard import FAILURE_BASE, FAILURE_SENSITIVITY, RECOVERY
from scosim.scenario.schema import YearValue, empty_list
from scosim.scenario.values import Issue

_STATES = tuple(c for c in ECONOMIES if c != ROW)
#: What ``measures`` may say besides a list of measure ids (here: validating stays light).
MEASURE_CHOICES: tuple[str, ...] = ("all", "costed", "none")


def _state(code: str, field: str) -> str:
    if code not in _STATES:
        raise ValueError(f"{field}: unknown economy {code!r}; allowed: {list(_STATES)}")
    return code


class EdgeClosure(BaseModel):
    """An edge closed (sanctions, conflict) from ``year`` until ``until`` (inclusive)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    edge: str
    year: int
    until: int | None = None

    @field_validator("edge")
    @classmethod
    def _known(cls, value: str) -> str:
        from scosim.network.tables import load_network

        ids = load_network().edge_ids
        if value not in ids:
            import difflib

            close = difflib.get_close_matches(value, ids, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"unknown edge {value!r}{hint}; allowed: an edge_id of edges.csv")
        return value


class TransitOpening(BaseModel):
    """A transit restriction (``transit_restrictions.csv``) lifted from ``year`` to ``until``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    restriction: str
    year: int
    until: int | None = None

    @field_validator("restriction")
    @classmethod
    def _known(cls, value: str) -> str:
        import difflib

        from scosim.network.tables import load_network

        rows = load_network().transit_restrictions
        if value not in rows.index:
            # Not the whole list: 115 ids with their pairs buried the line (2026-12-07).
            ids = [str(k) for k in rows.index]
            # "T1" or "t01" means T01 (difflib alone offers T11, as close in its measure).
            digits = value.strip().upper().removeprefix("T")
            padded = f"T{int(digits):02d}" if digits.isdigit() else ""
            close = [padded] if padded in ids else difflib.get_close_matches(value, ids, n=1)
            hint = ""
            if close:
                r = rows.loc[close[0]]
                hint = (f" (did you mean {close[0]!r}: {r.origin}-{r.destination} via "
                        f"{r.transit}?)")
            raise ValueError(
                f"unknown transit restriction {value!r}{hint}; allowed: one of the "
                f"{len(rows)} restriction_id values of transit_restrictions.csv "
                "(src/scosim/network/tables/, one row per origin, destination and transit "
                "economy; docs/network.md, 'Transit restrictions')")
        return value


class RouteSanction(BaseModel):
    """Every edge touching ``target`` costs ``multiplier`` times more from ``year`` to ``until``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    target: str
    year: int
    until: int | None = None
    multiplier: float = Field(1.5, ge=1.0, le=10.0)

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        return _state(value, "target")


class NetworkParams(BaseModel):
    """Settings of the ``corridor_network`` mechanism.

    Attributes:
        instability: Instability index in [0, 1] per economy, a number or ``{year: number}``
            (e.g. ``{AFG: 0.5}``). Used unless a security mechanism writes the lever
            ``policy.levers["insecurity"]`` (R, N); economies not named are 0.
        closures: Edges closed in given years (sanctions, conflict).
        sanctions: Economies whose edges cost more in given years (sanctions on routes).
        vot_per_day: Value of time, ad valorem per day, the same in every run (Hummels and
            Schaur 2013: 0.006 to 0.021); None draws each run's from ``vot_range``
            (:mod:`scosim.network.vot`).
        vot_range: ``[low, high]`` of the per-run uniform draw of the value of time where
            ``vot_per_day`` is None; None: Hummels and Schaur's ``[0.006, 0.021]``;
            ``[x, x]`` fixes it at ``x``. Until 2026-12-07 every run had 0.0135.
        congestion: Apply corridor capacities (rationing and the BPR volume-delay factor).
        loads: The trade the corridors carry each year: ``solved``, the trade the model
            last solved (:func:`scosim.network.loads.network_trade`); ``base_year``, the
            base-year trade matrix in every year (the rule until 2026-12-06: runs then
            share the network's steps, much faster for large ensembles, and a vote's
            preview and the years it foresees route the same trade).
        transit_opened: Transit restrictions lifted in given years (e.g. Pakistan letting
            Indian goods cross to Afghanistan: ``{restriction: T01, year: 2028}``); costs are
            measured against the baseline network with every restriction.
        failure_base: Yearly failure probability of a corridor project whose route is at
            its base-year risk (instability 0); sourced range 0.002-0.03
            (:data:`~scosim.network.hazard.FAILURE_BASE`).
        failure_sensitivity: Extra yearly failure probability at route instability 1; a
            modelling choice in 0.02-1 (:data:`~scosim.network.hazard.FAILURE_SENSITIVITY`).
            ``failure_base + failure_sensitivity x`` the largest instability a route can
            have in the run must stay <= 1 (:func:`hazard_issues`).
        recovery: Share of what a corridor's failure sinks that is recovered; sourced
            range 0.4-0.5 (:data:`~scosim.network.hazard.RECOVERY`).
        measures: Which rows of ``project_measures.csv`` the corridors bring with them:
            ``all``, ``costed`` (only those their build cost pays for, e.g. Chabahar's
            terminal equipment: the investment without the customs reforms bundled with
            it), ``none`` (track and pipes only) or a list of measure ids
            (:func:`~scosim.network.rules.select_measures`).
        om_share: Yearly operation and maintenance of every corridor project as a share of
            its build cost, paid by its hosts while it operates; None takes each
            project's carrier's from ``params.csv`` (rail and power lines 0.02, pipelines
            0.015; :mod:`scosim.network.upkeep`).
        lng_price_usd_mmbtu: The LNG import price, US$ per million Btu, that the energy
            corridors' gas replaces and their power is generated from otherwise; None takes
            ``params.csv``'s 10.754, the 2014-2023 mean of the Energy Institute's LNG
            Japan CIF (low 6.73 in 2016, high 16.98 in 2022;
            :mod:`scosim.network.energy_value`).
        fee_split: How a freight route's transit fee is split over its edges: ``km``, by
            length (the default, an assumption: no source gives these lines' transit
            tariffs), or ``freight_rate``, by km x the edge's freight rate per TEU-km,
            what the shipper pays, not the hosts' cost (:mod:`scosim.network.fee_split`);
            the sensitivity of the break-even fee.
        stress_test: The scenario sets ``instability`` above what any incident level gives
            on purpose (``corridor_trans_afghan_high.yaml``'s 0.8): the run says so in a
            one-line note, not a warning (:func:`instability_series_notes`), and its
            answer still says it is a stress test.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    instability: dict[str, YearValue] = Field(default_factory=dict)
    closures: list[EdgeClosure] = Field(default_factory=empty_list)
    sanctions: list[RouteSanction] = Field(default_factory=empty_list)
    vot_per_day: float | None = Field(None, gt=0.0, le=0.1)
    vot_range: tuple[float, float] | None = Field(
        None, description="[low, high] of the per-run draw of the value of time, ad valorem "
        "per day (default Hummels and Schaur's [0.006, 0.021]; [x, x] fixes it)")
    congestion: bool = True
    loads: Literal["solved", "base_year"] = Field(
        "solved", description="trade the corridors carry: the model's last solved year's "
        "(solved) or the base year's in every year (base_year)")
    transit_opened: list[TransitOpening] = Field(default_factory=empty_list)
    # The corridor failure hazard and recovery: every corridor reads them, whoever lends
    # (docs/network.md, "Where the failure hazard and the recovery come from").
    failure_base: float = Field(
        FAILURE_BASE, ge=0.0, le=1.0,
        description="yearly failure probability of a corridor at route instability 0")
    failure_sensitivity: float = Field(
        FAILURE_SENSITIVITY, ge=0.0, le=1.0,
        description="extra yearly failure probability of a corridor at route instability 1")
    recovery: float = Field(
        RECOVERY, ge=0.0, le=1.0,
        description="share of what a corridor's failure sinks that is recovered")
    # The reforms of procedures bundled with a project cost nothing in projects.csv: a
    # scenario appraises the investment without them with `costed` (docs/network.md).
    measures: str | list[str] = "all"
    # The hosts' yearly O&M of a corridor (docs/network.md, "Who pays for the line's
    # upkeep"); None: each carrier's share in params.csv. Bound: OM_SHARE_MAX.
    om_share: float | None = Field(
        None, ge=0.0, le=0.2,
        description="yearly O&M of a corridor project as a share of its build cost")
    # What the energy corridors' deliveries are worth moves with it (docs/network.md,
    # "What the energy deliveries are worth"); None: params.csv's.
    lng_price_usd_mmbtu: float | None = Field(
        None, gt=0.0, le=100.0,
        description="LNG import price, US$/MMBtu, the energy corridors' deliveries replace")
    # By km is an assumption; freight_rate is its sensitivity (docs/network.md, "What the answer
    # says at fee 0").
    fee_split: Literal["km", "freight_rate"] = Field(
        "km", description="how a route's transit fee is split over its edges: by km, or by "
        "km x the edge's freight rate per TEU-km (freight_rate)")
    # Strict: a quoted "false" or a 1 is refused, not read as a boolean (a typo would turn
    # the warning off). Left out of the dump at False: every scenario keeps its hash.
    stress_test: StrictBool = Field(
        False, description="instability above any incident level is meant: a stress test "
        "(noted, not warned)")

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        out = handler(self)
        # Left out at their defaults (2026-12-06's fields): every scenario kept its hash,
        # so a finished run is still found, as for the security slot's hardening.
        if isinstance(out, dict):
            if out.get("measures") == "all":
                out.pop("measures")
            if out.get("loads") == "solved":
                out.pop("loads")
            if out.get("om_share") is None:
                out.pop("om_share", None)
            if out.get("lng_price_usd_mmbtu") is None:
                out.pop("lng_price_usd_mmbtu", None)
            if out.get("vot_range") is None:
                out.pop("vot_range", None)
            if out.get("fee_split") == "km":
                out.pop("fee_split")
            if out.get("stress_test") is False:
                out.pop("stress_test")
        return out

    @field_validator("instability")
    @classmethod
    def _instability(cls, value: dict[str, YearValue]) -> dict[str, YearValue]:
        out: dict[str, YearValue] = {}
        for code, yv in value.items():
            _state(str(code), "instability")
            vals = [yv.at(y) for y in range(1990, 2101)]
            if min(vals) < 0.0 or max(vals) > 1.0:
                raise ValueError(f"instability: {code} must stay in [0, 1]")
            out[str(code)] = yv
        return out

    @field_validator("vot_range")
    @classmethod
    def _vot_range(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        from scosim.network.vot import vot_range_problem

        if value is not None and (problem := vot_range_problem(*value)):
            raise ValueError(problem)
        return value

    @field_validator("measures")
    @classmethod
    def _measures(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, str):
            if value not in MEASURE_CHOICES:
                raise ValueError(f"unknown choice {value!r}; allowed: "
                                 f"{', '.join(MEASURE_CHOICES)} or a list of measure ids "
                                 "of project_measures.csv")
            return value
        from scosim.network.rules import select_measures
        from scosim.network.tables import load_network

        if len(set(value)) != len(value):
            raise ValueError(f"duplicate measure ids in {value}")
        select_measures(load_network().measures, value)  # unknown ids: its message
        return value

    @model_validator(mode="after")
    def _years(self) -> NetworkParams:
        if self.vot_per_day is not None and self.vot_range is not None:
            said = (f"vot_per_day ({self.vot_per_day:g}, one value for every run) and "
                    f"vot_range ({list(self.vot_range)}, drawn per run) are both set; "
                    "allowed: one of them")
            raise ValueError(said)
        for item in [*self.closures, *self.sanctions, *self.transit_opened]:
            if item.until is not None and item.until < item.year:
                raise ValueError(f"until ({item.until}) is before year ({item.year})")
        return self


def largest_instability(scenario: Any) -> tuple[float, str, tuple[str | int, ...] | None]:
    """The largest route instability a scenario's corridors can meet, and where it is set.

    With the security slot filled the network takes its instability from that slot, which
    may write anything in [0, 1], so 1; otherwise the largest value of
    ``parameters.network.instability`` in a simulated year (0 when none is written), of
    any economy: a bound that holds whichever corridor the scenario builds.

    Returns:
        ``(value, said, loc)``: the value, how a message says where it comes from, and
        its location under ``parameters.network`` (None when the security slot sets it).
    """
    if scenario.parameters.mechanisms.get("security") is not None:
        return 1.0, "1 (the security slot sets the routes' instability, in [0, 1])", None
    best: tuple[float, str, tuple[str | int, ...] | None] = (0.0, "0", None)
    for code, series in scenario.parameters.network.instability.items():
        for year in scenario.years.range():
            value = series.at(year)
            if value > best[0]:
                # The key that sets the value (a constant has none).
                key = max((y for y in series.years if y <= year), default=None)
                loc = ("instability", code) if key is None else ("instability", code, key)
                best = (value, f"{value:g} ({code} in {year})", loc)
    return best


def instability_notes(scenario: Any) -> list[str]:
    """Messages for a ``parameters.network.instability`` above what incidents can reach.

    The network's instability is the rise of the insecurity index above its 2018-2022
    level, which stays below ``1 - iota(x0)`` at any incident level
    (:func:`scosim.security.scale.instability_ceiling`: 0.332 for Afghanistan). A value
    above it is accepted, as a stress test of the routes' costs and failure hazard
    (``corridor_trans_afghan_high.yaml``'s 0.8), but said: read as a level of violence it
    would be one the security model has never seen (docs/security.md, "One instability
    scale").

    Args:
        scenario: A validated :class:`~scosim.scenario.Scenario`.

    Returns:
        One message per economy whose series goes above its ceiling in a simulated year
        (a note's words where ``parameters.network.stress_test`` is set:
        :func:`is_stress_test`); none when the security slot sets the instability (it
        stays below the ceiling).
    """
    if scenario.parameters.mechanisms.get("security") is not None:
        return []
    network = scenario.parameters.network
    return instability_series_notes(network.instability, scenario.years.range(),
                                    stress_test=network.stress_test)


def is_stress_test(network: Mapping[str, Any] | None) -> bool:
    """Whether a dumped ``parameters.network`` declares its instability a stress test.

    Its messages (:func:`instability_notes`) are then notes (``scosim: note:``), not
    warnings.
    """
    return bool((network or {}).get("stress_test"))


def dumped_instability_notes(data: Mapping[str, Any]) -> list[str]:
    """:func:`instability_notes` of a scenario as ``scosim validate`` holds it (a JSON dump).

    Args:
        data: ``Scenario.model_dump(mode="json")`` (:func:`scosim.scenario.check_scenario`).

    Returns:
        The messages a run of it gives, word for word.
    """
    params = data.get("parameters") or {}
    if (params.get("mechanisms") or {}).get("security") is not None:
        return []
    network = params.get("network") or {}
    series = network.get("instability") or {}
    years = range(data["years"]["start"], data["years"]["end"] + 1)
    return instability_series_notes({code: YearValue(v) for code, v in series.items()}, years,
                                    stress_test=is_stress_test(network))


def instability_series_notes(series: Mapping[str, YearValue], years: Iterable[int], *,
                             stress_test: bool = False) -> list[str]:
    """What :func:`instability_notes` says of ``{economy: instability}`` over ``years``.

    One function for a run and for ``scosim validate``: both say the same words of the
    same numbers. The ceilings are read without numpy
    (:func:`scosim.security.ceiling.economy_ceilings`).

    Args:
        series: ``parameters.network.instability``: ``{ISO3: YearValue}``.
        years: The simulated years.
        stress_test: The scenario says the level is meant (``parameters.network.
            stress_test``): one short sentence that keeps the level and the ceiling, for a
            note; else the warning's full explanation.

    Returns:
        One message per economy whose series goes above its ceiling in one of ``years``.
    """
    if not series:
        return []
    from scosim.security.ceiling import economy_ceilings

    ceilings = economy_ceilings()
    years = list(years)
    notes = []
    for code, values in series.items():
        # The largest value and the first year it is reached.
        top, year = max((values.at(y), -y) for y in years)
        ceiling = ceilings[code]
        if top <= ceiling:
            continue
        when = "" if values.is_constant else f" in {-year}"
        shown = f"{ceiling:.3f}"
        if float(shown) >= top:  # a ceiling near 1 (few incidents): "1 is above 1.000"
            shown = f"{ceiling:.6g}"
        if stress_test:
            notes.append(
                f"parameters.network.instability.{code} {top:g}{when} is above {shown}, the "
                f"most any incident level gives {code}: a stress test of the routes, as "
                "parameters.network.stress_test says")
            continue
        notes.append(
            f"parameters.network.instability.{code} {top:g}{when} is above {shown}, the "
            f"most {code}'s instability reaches at any incident level (1 - iota of its "
            "2018-2022 incident rate; docs/security.md, \"One instability scale\"): beyond "
            "any incident level the security model has seen: a stress test of the routes' "
            "costs and failure hazard, not a level of violence")
    return notes


def hazard_issues(scenario: Any) -> list[Issue]:
    """``failure_base + failure_sensitivity x`` the largest route instability above 1.

    The yearly failure probability of a corridor must stay a probability in every year
    the run can reach (:func:`largest_instability`); :func:`~scosim.network.finance.
    failure_probability` would otherwise cut it at 1 without a word.
    """
    network = scenario.parameters.network
    top, said, at = largest_instability(scenario)
    hazard = network.failure_base + network.failure_sensitivity * top
    if hazard <= 1.0:
        return []
    base = ("parameters", "network")
    message = (f"failure_base + failure_sensitivity x the largest route instability = "
               f"{network.failure_base:g} + {network.failure_sensitivity:g} x {said} = "
               f"{hazard:g} must stay <= 1 (a yearly failure probability); allowed: "
               f"failure_sensitivity <= {(1.0 - network.failure_base) / top:g}")
    others = [((*base, "failure_base"), message)]
    if at is not None:
        others.append(((*base, *at), message))
    return [((*base, "failure_sensitivity"), message, others)]


def hazard_param_problem(scenario: Any) -> str | None:
    """What stops a sweep of the corridor failure hazard, recovery or O&M (None: nothing).

    Only corridor proposals read them (:data:`~scosim.network.hazard.SWEPT_HAZARD`,
    :data:`~scosim.network.upkeep.SWEPT_UPKEEP`).
    """
    if any(p.type == "corridor" for p in scenario.proposals):
        return None
    return ("no corridor proposal in this scenario reads the failure hazard, the recovery "
            "or the O&M share")


def hazard_corner_problem(scenario_path: str,
                          params: dict[str, Any]) -> tuple[int, str, str] | None:
    """The sweep's highest hazard and instability together, if it is no probability.

    ``failure_base + failure_sensitivity x instability`` rises with each, so where a sweep
    varies two of them the point with each at its highest is the one to check
    (:func:`hazard_issues`); one swept alone is checked at its bounds like any parameter.

    Args:
        scenario_path: The scenario swept.
        params: The sweep's ``name -> (low, high)`` or grid values.

    Returns:
        ``(position of the first such --param, names, message)``, or None.
    """
    from scosim.network.hazard import SWEPT_HAZARD
    from scosim.scenario import ScenarioError, load_scenario
    from scosim.sweepable import SWEPT_INSTABILITY

    names = [k for k in params if k in SWEPT_HAZARD[:2] or k.startswith(SWEPT_INSTABILITY)]
    if len(names) < 2 or not any(k in SWEPT_HAZARD for k in names):
        return None
    corner = {k: max(float(v) for v in params[k]) for k in names}
    try:
        load_scenario(scenario_path, overrides=corner)
    except ScenarioError as exc:
        said = ", ".join(f"{k.rsplit('.', 1)[1]} {v:g}" for k, v in corner.items())
        return (list(params).index(names[0]) + 1, ", ".join(names),
                f"at the highest values swept together ({said}): "
                + "; ".join(e.message for e in exc.errors))
    return None
