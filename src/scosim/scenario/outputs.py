"""The ``outputs`` block of a scenario and the indicator names it may list.

Split from :mod:`scosim.scenario.blocks` (which re-exports these names) for size:
what a run can record, what a given scenario records, and :class:`Outputs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from scosim.scenario.values import STRICT, _keyword_or_list

__all__ = [
    "INDICATOR_NAMES",
    "MODEL_INDICATORS",
    "Indicators",
    "Outputs",
    "indicator_issues",
    "indicator_names",
    "not_recorded_reason",
    "recorded_indicators",
]


#: The core indicators, one value per run, year and economy (docs/model.md): the model
#: records ``member`` and ``trust_received`` itself (:data:`MODEL_INDICATORS`), the
#: customs-union type ``in_customs_union``, the default growth and trade mechanisms the
#: rest (:func:`recorded_indicators`). Other types and mechanisms declare theirs;
#: :func:`indicator_names` adds them.
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
    "welfare_real_gdp_pct",
    "welfare_deficit_pct",
    "welfare_other_income_pct",
    "ev_usd",
    "ev_members_usd",
    "ev_outsiders_usd",
    "ev_world_usd",
    "ev_member_usd",
    "ev_other_members_usd",
    "ev_members_pct",
    "ev_outsiders_pct",
    "ev_world_pct",
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
    from scosim.plugins import PluginError
    from scosim.proposals import available_types, get_type

    names = dict.fromkeys(INDICATOR_NAMES)
    for listed, get in ((available_types(), get_type), (available_mechanisms(), get_mechanism)):
        for name in listed:
            try:
                names.update(dict.fromkeys(get(name).indicators))
            except PluginError:
                # An installed plug-in that fails to load offers no indicators; a scenario
                # that uses it is told why where it names it. Before, every scenario
                # with an outputs.indicators list was refused with that plug-in's error.
                continue
    return tuple(names)


#: Recorded by the model itself every year, whatever fills the slots
#: (``scosim.model.phases.record_phase``); every other indicator is a proposal type's
#: or a mechanism's.
MODEL_INDICATORS: tuple[str, ...] = ("member", "trust_received")


def recorded_indicators(scenario: Any) -> set[str]:
    """Every indicator a run of ``scenario`` records (``outputs.indicators: all``).

    The model's own, those of the built-in proposal types recorded in every run and
    of the scenario's proposal types, and those of the mechanisms filling its slots,
    each's ``recorded_indicators(scenario)`` (``scosim.model.phases.record_phase``;
    tests compare with what a run records).

    Raises:
        PluginError: A plug-in's ``recorded_indicators`` raised, or did not answer
            ``{name: unit}``.
    """
    from scosim.plugins import PluginError

    records, failed = _records(scenario)
    if failed:
        raise PluginError(failed[0][1])
    return set(MODEL_INDICATORS).union(*(names for *_, names in records))


def _records(scenario: Any) -> tuple[list[tuple[str, tuple[str | int, ...], Any, list[str]]],
                                     list[tuple[tuple[str | int, ...], str]]]:
    """What each of :func:`_recording_owners` records, and the owners whose hook failed.

    Returns:
        ``(label, location, class, names)`` of each owner whose ``recorded_indicators``
        answered, and ``(location, message)`` of each whose hook raised or answered
        something other than ``{name: unit}``: a plug-in's own code, reported where the
        scenario names it rather than as a traceback.
    """
    from scosim.plugins import PluginError, call_hook

    records: list[tuple[str, tuple[str | int, ...], Any, list[str]]] = []
    failed: list[tuple[tuple[str | int, ...], str]] = []
    for label, loc, cls in _recording_owners(scenario):
        try:
            names = call_hook(cls.recorded_indicators, scenario)
        except PluginError as exc:
            failed.append((loc, f"{label}: {exc}"))
            continue
        if not isinstance(names, Mapping):
            # The model reads its keys each year (scosim.model.phases); None or a list
            # failed there, or here as list(None), with a traceback.
            failed.append((loc, (
                f"{label}: recorded_indicators(scenario) returned {type(names).__name__} "
                f"{names!r:.60}; it returns {{name: unit}} of the declared indicators it "
                "records")))
            continue
        records.append((label, loc, cls, list(names)))
    return records, failed


def _recording_owners(scenario: Any) -> list[tuple[str, tuple[str | int, ...], Any]]:
    """``(label, location, class)`` of every plug-in recording indicators in ``scenario``.

    scosim's own first (the built-in types recorded in every run, the scenario's types,
    the slots), then the others in the same order.
    """
    from scosim.model.slots import get_mechanism, slot_names
    from scosim.proposals import builtin_types, get_type

    owners: list[tuple[str, tuple[str | int, ...], Any]] = []
    seen: set[str] = set()
    for n in builtin_types():
        if get_type(n).record_always:
            owners.append((f"proposal type {n!r} (recorded in every run)", (), get_type(n)))
            seen.add(n)
    for i, p in enumerate(scenario.proposals):
        if p.type not in seen:
            owners.append((f"proposal type {get_type(p.type).name!r}", ("proposals", i, "type"),
                           get_type(p.type)))
            seen.add(p.type)
    for slot, written in scenario.parameters.mechanisms.items():
        for i, m in enumerate(slot_names(written)):
            cls = get_mechanism(m)
            at = (slot, i) if isinstance(written, list) else (slot,)
            owners.append((f"mechanism {cls.name!r} ({slot} slot)",
                           ("parameters", "mechanisms", *at), cls))
    # scosim's own plug-ins first: a clash is then blamed on the one the user brought.
    return sorted(owners, key=lambda o: not o[2].__module__.startswith("scosim."))


def ownership_issues(scenario: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """Indicators that two plug-ins of ``scenario`` record, or that one records undeclared.

    A run keeps one column per name: a second owner's values silently replaced the
    first's (a type declaring ``welfare_change_pct``, two plug-ins choosing one name). A
    ``recorded_indicators`` naming what ``indicators`` does not declare failed only at
    the first record, blaming ``record``.
    """
    from scosim.model.mechanism_names import LAZY
    from scosim.model.slots import filled
    from scosim.proposals import builtin_types

    # scosim's own plug-ins share no name (tests/test_plugin_ownership.py), and loading
    # them imports numpy: validation looks only when the scenario brings one of its own.
    builtin = set(builtin_types())
    if all(p.type in builtin for p in scenario.proposals) and all(
            m in LAZY for _, m in filled(scenario.parameters.mechanisms)):
        return []
    owner_of = dict.fromkeys(MODEL_INDICATORS, "the model itself")
    records, issues = _records(scenario)
    for label, loc, cls, recorded in records:
        if undeclared := [n for n in recorded if n not in cls.indicators]:
            issues.append((loc, (
                f"{label}: recorded_indicators(scenario) names {', '.join(map(repr, undeclared))}"
                f", which its `indicators` does not declare (declared: "
                f"{', '.join(cls.indicators) or 'none'})")))
        for name in recorded:
            if name in owner_of:
                issues.append((loc, (
                    f"{label} records {name!r}, which {owner_of[name]} records too: a run keeps "
                    "one column per indicator, so one would overwrite the other; give the "
                    "plug-in's indicator another name")))
            else:
                owner_of[name] = label
    return issues


def indicator_issues(scenario: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """Indicators two plug-ins claim, and ``outputs.indicators`` a run would never record.

    The schema accepted any known name; one the scenario does not record was then
    missing from the results (or, when no name was left, every batch failed).
    """
    owned = ownership_issues(scenario)
    wanted = scenario.outputs.indicators
    if wanted == "all":
        return owned
    records, failed = _records(scenario)
    if failed:
        # Which names are recorded is not known: the failure is the error (said once,
        # ownership_issues may have said it).
        return owned + [f for f in failed if f not in owned]
    recorded = set(MODEL_INDICATORS).union(*(names for *_, names in records))
    issues = [(("outputs", "indicators", i), not_recorded_reason(scenario, name))
              for i, name in enumerate(wanted) if name not in recorded]
    return owned + issues


def not_recorded_reason(scenario: Any, name: str) -> str:
    """Why a known indicator ``name`` is not among what a run of ``scenario`` records.

    Used for ``outputs.indicators`` and ``scosim sweep --output`` alike: the mechanism
    or proposal type of the scenario that records it only in some scenarios (its
    ``recorded_indicators``), else the mechanisms (with their slot) and types that
    record it, none of which the scenario uses.

    Args:
        scenario: The loaded scenario.
        name: A name of :func:`indicator_names` that :func:`recorded_indicators` leaves out.

    Returns:
        ``"'<name>' is not recorded in this scenario: ..."``.
    """
    from scosim.model.slots import filled, get_mechanism, loadable_mechanisms
    from scosim.proposals import get_type, loadable_types

    used = [(f"mechanism {get_mechanism(m).name}", get_mechanism(m))
            for _, m in filled(scenario.parameters.mechanisms)]
    used += [(f"proposal type {get_type(p.type).name}", get_type(p.type))
             for p in scenario.proposals]
    if owner := next(((w, c) for w, c in used if name in c.indicators), None):
        # Used, but it records this one only in some scenarios (recorded_indicators).
        return (f"{name!r} is not recorded in this scenario: {owner[0]} records it only in "
                f"some scenarios; it declares it as: {owner[1].indicators[name]}")
    # One entry a class: a mechanism or type also loaded by its dotted path earlier in the
    # process (``scosim.finance.mechanism:BankingSystems``) is listed under its name only.
    mechs = [(m, get_mechanism(m)) for m in loadable_mechanisms()]
    types = [(t, get_type(t)) for t in loadable_types()]
    named = {cls for n, cls in mechs + types if ":" not in n}
    who = [f"mechanism {m} (slot {cls.slot})" for m, cls in mechs
           if name in cls.indicators and (":" not in m or cls not in named)]
    who += [f"proposal type {t}" for t, cls in types
            if name in cls.indicators and (":" not in t or cls not in named)]
    if not who:  # a core indicator whose mechanism a plug-in replaced, say
        return (f"{name!r} is not recorded in this scenario: none of its mechanisms and "
                "proposal types records it")
    return (f"{name!r} is not recorded in this scenario: it comes from {' or '.join(who)}, "
            "which the scenario does not use")


def _check_indicator(value: str) -> str:
    known = indicator_names()
    if value not in known:
        import difflib

        close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown indicator {value!r}{hint}; indicators: {', '.join(known)}")
    return value


def _no_repeated_indicator(value: list[str]) -> list[str]:
    # A repeat would write the same column twice and plot it twice: a typo for another.
    seen: dict[str, int] = {}
    for i, name in enumerate(value):
        if name in seen:
            raise ValueError(f"{name!r} is listed twice (items {seen[name]} and {i}); "
                             "list each indicator once")
        seen[name] = i
    return value


Indicators = _keyword_or_list(
    Literal["all"],
    Annotated[list[Annotated[str, AfterValidator(_check_indicator)]], Field(min_length=1),
              AfterValidator(_no_repeated_indicator)],
    "'all' or a list of indicator names",
)


class Outputs(BaseModel):
    """What a run writes."""

    model_config = STRICT
    indicators: Indicators = "all"
    plots: bool = True
    bilateral: bool = False
    #: What ``summary.csv`` (written with the plots) summarises: the plotted
    #: indicators, or every indicator the run writes (more time and memory).
    summary: Literal["plotted", "all"] = "plotted"


