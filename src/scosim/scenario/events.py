"""Scenario events: border clashes, sanctions, GDP and trust shocks (the ``events`` list).

Split from :mod:`scosim.scenario.blocks` (size), which re-exports these names, as does
:mod:`scosim.scenario.schema`.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, Field, model_validator

from scosim.scenario.values import STRICT, Code, CodeList, Issues, State, StateList, _raise_issues

__all__ = ["BorderClashEvent", "Event", "GdpShockEvent", "SanctionsEvent", "TrustShockEvent"]


class BorderClashEvent(BaseModel):
    """Armed clash on a border: trust among ``countries`` falls (trade costs do not move).

    ``severity`` scales ``parameters.council.trust_loss``. For a clash that also raises
    trade costs, add a ``sanctions`` event on the pair (docs/model.md, known gaps).
    """

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

    @model_validator(mode="after")
    def _at_most_doubling(self) -> GdpShockEvent:
        # `size: 5` meant as 5 % was a sixfold GDP (and 1e300 overflowed the run).
        if self.size > 1.0:
            _raise_issues([(("size",), f"{self.size:g} is out of range: must be <= 1 (a "
                            "doubling); size is a fraction: 0.05 means 5 %")])
        return self


class TrustShockEvent(BaseModel):
    """Shift in mutual trust among ``countries`` (added to the trust matrix).

    Each listed state's trust in each other listed state moves by ``size``, so one
    state alone would change nothing: at least two are required.
    """

    model_config = STRICT
    type: Literal["trust_shock"]
    year: int
    countries: StateList
    size: float = Field(ge=-1.0, le=1.0)

    @model_validator(mode="after")
    def _two_or_more(self) -> TrustShockEvent:
        if len(self.countries) < 2:
            raise Issues([(("countries",), (
                f"a trust_shock moves the trust of each listed state in the others, so "
                f"{' '.join(self.countries) + ' alone' if self.countries else 'an empty list'}"
                " would change nothing: list at least "
                "two states (to move the members' trust in one state, list it with them)"))])
        return self


Event = Annotated[
    Union[BorderClashEvent, SanctionsEvent, GdpShockEvent, TrustShockEvent],  # noqa: UP007
    Field(discriminator="type"),
]
