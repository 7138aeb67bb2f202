"""Parameter model of the corridor proposal type.

A standalone pydantic model (fields, validation, defaults, documentation) written so that the
proposal-type plug-in protocol can wrap it without change: a scenario's proposal block
``{type: corridor, project: INSTC_CHABAHAR, financing: bank_project, ...}`` validates into
:class:`CorridorSpec`. Every default is documented in docs/network.md. A ``{type:
development_bank, ...}`` block validates into
:class:`scosim.proposals.specs.DevelopmentBankProposal`, the one source of the bank's
defaults (until 2026-12-06 a second, unused ``DevelopmentBankSpec`` stood here, lending at
0.04 with no market or funding rate).
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scosim.data.constants import ECONOMIES, ROW
from scosim.proposals.specs import ProposalSpec
from scosim.scenario.schema import DecisionRuleName, Issues
from scosim.scenario.values import StateList, _keyword_or_list

#: Economies that can take part (Rest of World never decides).
_PARTIES = tuple(c for c in ECONOMIES if c != ROW)


def _check_codes(codes: list[str], field: str) -> list[str]:
    unknown = [c for c in codes if c not in _PARTIES]
    if unknown:
        raise ValueError(f"{field}: unknown economy code(s) {unknown}; allowed: {list(_PARTIES)}")
    if len(set(codes)) != len(codes):
        raise ValueError(f"{field}: duplicate economy codes")
    return codes


class CorridorSpec(BaseModel):
    """A connectivity corridor proposal: build one project of ``projects.csv``.

    Attributes:
        type: Always ``"corridor"``.
        project: A project id of the network tables (e.g. ``INSTC_CHABAHAR``, ``CKU_RAIL``,
            ``TRANS_AFGHAN_RAIL``, ``TAPI``, ``CASA1000``, ``CAGP_LINE_D``).
        start_year: Year construction starts; ``None`` = the year the proposal is adopted.
        construction_years: Override of the table's construction time (years >= 1).
        cost_case: ``central`` or ``high`` build cost of the table.
        build_cost_usd_bn: Explicit build cost (overrides ``cost_case``).
        financing: ``budget`` (hosts pay), ``bank_guaranteed`` (SCO Development Bank loan
            repaid from budgets) or ``bank_project`` (loan repaid from the project, written
            off if it fails).
        bank_share: Share of the cost lent by the bank (bank financing only).
        transit_fee_usd_per_teu: Fee a transit economy charges per TEU crossing it on the
            corridor (revenue for transit states; a cost added to the corridor's edges).
        participants: ``"interested"`` (the hosts plus every economy whose trade costs fall
            when the project operates, decided at wiring time) or an explicit list, which
            must name every host.
        decision_rule: Override of the scenario's decision rule for this proposal: any
            name :func:`scosim.model.decision_rules.available_decision_rules` lists.
        host_shares: Cost shares of the hosts. Default: the published shares of
            ``projects.csv`` where it gives them (TAPI's owners' equity, the CKU joint
            venture's capital), else in proportion to the project's length in each host
            territory (an assumption). Must sum to 1 and name only hosts.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["corridor"] = "corridor"
    project: str
    start_year: int | None = Field(default=None, ge=2000, le=2100)
    construction_years: int | None = Field(default=None, ge=1, le=30)
    cost_case: Literal["central", "high"] = "central"
    build_cost_usd_bn: float | None = Field(default=None, gt=0)
    financing: Literal["budget", "bank_guaranteed", "bank_project"] = "budget"
    bank_share: float = Field(default=0.7, ge=0.0, le=1.0)
    transit_fee_usd_per_teu: float = Field(default=0.0, ge=0.0, le=5000.0)
    participants: Literal["interested"] | list[str] = "interested"
    # Any rule the registry knows, as a proposal's decision_rule (it listed three built-ins,
    # not even the corridor's own default, interested_members, nor a plug-in's).
    decision_rule: DecisionRuleName | None = None
    host_shares: dict[str, float] | None = None

    @field_validator("project")
    @classmethod
    def _known_project(cls, value: str) -> str:
        ids = project_ids()  # without pandas: validating a scenario stays light
        if value not in ids:
            raise ValueError(f"unknown project {value!r}; allowed: {list(ids)}")
        return value

    @field_validator("participants")
    @classmethod
    def _participants(cls, value: Literal["interested"] | list[str]):
        if isinstance(value, list):
            if not value:
                raise ValueError("participants: an empty list; give codes or 'interested'")
            _check_codes(value, "participants")
        return value

    @model_validator(mode="after")
    def _hosts(self) -> CorridorSpec:
        hosts = project_hosts()[self.project]
        if isinstance(self.participants, list):
            missing = [c for c in hosts if c not in self.participants]
            if missing:
                raise ValueError(
                    f"participants: missing host(s) {', '.join(missing)} of {self.project} "
                    f"(hosts: {', '.join(hosts)}); a corridor is built on its hosts' "
                    "territory, so list every host, or use 'interested' (the hosts plus "
                    "the economies whose trade costs it lowers)")
        if self.host_shares is not None:
            extra = [c for c in self.host_shares if c not in hosts]
            if extra:
                raise ValueError(f"host_shares: {extra} do not host {self.project} "
                                 f"(hosts: {list(hosts)})")
            if any(v < 0 for v in self.host_shares.values()):
                raise ValueError("host_shares: shares must be >= 0")
            if abs(sum(self.host_shares.values()) - 1.0) > 1e-6:
                raise ValueError("host_shares: shares must sum to 1")
        if self.financing == "budget" and "bank_share" in self.model_fields_set:
            raise ValueError("bank_share is only used with bank financing")
        return self


@functools.cache
def project_hosts() -> dict[str, tuple[str, ...]]:
    """Host economies of each project of the packaged ``projects.csv``, read without pandas.

    Validation needs only the id and host columns; :func:`scosim.network.tables.load_network`
    reads and checks the whole table when a run starts (a test keeps the two equal).
    """
    path = Path(__file__).with_name("tables") / "projects.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["project_id"]: tuple(row["host_economies"].split(";"))
                for row in csv.DictReader(fh) if row.get("project_id")}


def project_ids() -> tuple[str, ...]:
    """Ids of the packaged ``projects.csv``, in table order (:func:`project_hosts`)."""
    return tuple(project_hosts())


# The corridor proposal type's scenario spec lives here, apart from its heavy implementation
# (scosim.network.corridor), so that validating a scenario imports no pandas or scipy.
_CORRIDOR_FIELDS = ("project", "start_year", "construction_years", "cost_case",
                    "build_cost_usd_bn", "financing", "bank_share", "transit_fee_usd_per_teu",
                    "participants", "host_shares")


# Tagged, as the other proposals' participants: a bad value gets one error at the field,
# not two at pydantic's union branches ("participants.literal['interested']", ".list[str]").
CorridorParticipants = _keyword_or_list(Literal["interested"], StateList,
                                        "'interested' or a list of country codes")


class CorridorProposal(ProposalSpec):
    """A corridor proposal in a scenario (fields of :class:`CorridorSpec`)."""

    type: Literal["corridor"]
    project: str
    start_year: int | None = Field(None, ge=2000, le=2100)
    construction_years: int | None = Field(None, ge=1, le=30)
    cost_case: Literal["central", "high"] = "central"
    build_cost_usd_bn: float | None = Field(None, gt=0)
    financing: Literal["budget", "bank_guaranteed", "bank_project"] = "budget"
    bank_share: float | None = Field(
        None, ge=0.0, le=1.0, description="share lent by the bank (bank financing; default 0.7)")
    transit_fee_usd_per_teu: float = Field(0.0, ge=0.0, le=5000.0)
    participants: CorridorParticipants = "interested"
    host_shares: dict[str, float] | None = None
    depth: float = Field(0.1, ge=0, le=1, description="sovereignty cost of a transit route")

    @field_validator("project")
    @classmethod
    def _project(cls, value: str) -> str:
        ids = project_ids()
        if value not in ids:
            import difflib

            close = difflib.get_close_matches(value, ids, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"unknown project {value!r}{hint}; allowed: {list(ids)}")
        return value

    @model_validator(mode="after")
    def _core(self) -> CorridorProposal:
        # The core spec holds the cross-field checks (host shares, bank share).
        data = {k: getattr(self, k) for k in _CORRIDOR_FIELDS if getattr(self, k) is not None}
        try:
            CorridorSpec(**data)
        except ValueError as exc:
            errs = getattr(exc, "errors", None)
            if callable(errs):
                raise Issues([_at_field(tuple(e["loc"]), str(e["msg"]).removeprefix(
                    "Value error, ")) for e in errs()]) from None
            raise Issues([((), str(exc))]) from None
        return self

    @property
    def core(self) -> CorridorSpec:
        """The equivalent :class:`CorridorSpec`."""
        data = {k: getattr(self, k) for k in _CORRIDOR_FIELDS if getattr(self, k) is not None}
        return CorridorSpec(**data)


def _at_field(loc: tuple[Any, ...], msg: str) -> tuple[tuple[Any, ...], str]:
    """A cross-field error of the core spec ("host_shares: ...") located at its field."""
    field, sep, rest = msg.partition(": ")
    if not loc and sep and field in ("host_shares", "bank_share", "participants"):
        return (field,), rest
    if not loc and msg.startswith("bank_share "):
        return ("bank_share",), msg
    return loc, msg


def check_corridor(proposal: Any, scenario: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """The corridor type's scenario check: the network slot, and a start the run can hold.

    Construction cannot start before the proposal is tabled (the project would operate
    years early), and a start after the last simulated year changes nothing in the run.
    """
    from scosim.model.slots import holds

    if not holds(dict(scenario.parameters.mechanisms), "network", "corridor_network"):
        return [(("type",), "a corridor needs the corridor network in the network slot: "
                 "parameters.mechanisms: {network: corridor_network} (or a list that "
                 "holds it)")]
    start, end = proposal.start_year, scenario.years.end
    if start is not None and not proposal.year <= start <= end:
        when = ("before the proposal is tabled" if start < proposal.year
                else "after the last simulated year")
        return [(("start_year",), (
            f"{start} is {when}: construction starts from {proposal.year} (the proposal's "
            f"year) to {end}, or leave start_year out to start in the year it is adopted"))]
    return []
