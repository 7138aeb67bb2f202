"""Scenario parameters of the network mechanism (``parameters.network`` in a scenario).

Validated lazily by :class:`scosim.scenario.schema.Parameters` so that the scenario schema
does not import the network package at start-up. Every field is documented in
docs/network.md ("Running corridors in a scenario").
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scosim.data.constants import ECONOMIES, ROW
from scosim.scenario.schema import YearValue, empty_list

_STATES = tuple(c for c in ECONOMIES if c != ROW)


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
        from scosim.network.tables import load_network

        rows = load_network().transit_restrictions
        if value not in rows.index:
            listed = ", ".join(f"{k} ({r.origin}-{r.destination} via {r.transit})"
                               for k, r in rows.iterrows())
            raise ValueError(f"unknown transit restriction {value!r}; allowed: {listed}")
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
        vot_per_day: Value of time, ad valorem per day (Hummels and Schaur 2013: 0.006 to
            0.021); None keeps ``params.csv``'s 0.0135.
        congestion: Apply corridor capacities (rationing and the BPR volume-delay factor).
        transit_opened: Transit restrictions lifted in given years (e.g. Pakistan letting
            Indian goods cross to Afghanistan: ``{restriction: T01, year: 2028}``); costs are
            measured against the baseline network with every restriction.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    instability: dict[str, YearValue] = Field(default_factory=dict)
    closures: list[EdgeClosure] = Field(default_factory=empty_list)
    sanctions: list[RouteSanction] = Field(default_factory=empty_list)
    vot_per_day: float | None = Field(None, gt=0.0, le=0.1)
    congestion: bool = True
    transit_opened: list[TransitOpening] = Field(default_factory=empty_list)

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

    @model_validator(mode="after")
    def _years(self) -> NetworkParams:
        for item in [*self.closures, *self.sanctions, *self.transit_opened]:
            if item.until is not None and item.until < item.year:
                raise ValueError(f"until ({item.until}) is before year ({item.year})")
        return self
