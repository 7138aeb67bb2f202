"""Cross-field checks of a whole scenario (the checks behind ``Scenario._cross_checks``).

Each check is a function of the scenario returning :class:`~scosim.scenario.values.Issues`
entries located from the scenario's root. The schema runs them all once every field is
valid; :mod:`scosim.scenario.beside` runs them again on the parts that did validate when
some field failed (pydantic then skips the schema's after-validator), so each problem is
said in the same words either way. A check reads only the parts it needs: that is what
lets it run beside a failure elsewhere.
"""

from __future__ import annotations

from typing import Any

from scosim.data.constants import ECONOMIES
from scosim.scenario.levers import lever_issues
from scosim.scenario.outputs import indicator_issues
from scosim.scenario.values import Issue, outside_years

__all__ = [
    "YEAR_INDEXED",
    "chair_issues",
    "cross_issues",
    "duplicate_id_issues",
    "network_issues",
    "proposal_type_issues",
    "row_status_issues",
    "rule_issues",
    "year_indexed_issues",
]

#: The year-indexed parameters ``(block, name)`` under ``parameters``.
YEAR_INDEXED: tuple[tuple[str, str], ...] = (
    ("growth", "rate"), ("growth", "volatility_scale"),
    ("security", "instability"), ("security", "opiate_supply"))


def _span(scenario: Any) -> str:
    return f"{scenario.years.start}-{scenario.years.end}"


def row_status_issues(scenario: Any) -> list[Issue]:
    """ROW given a status under ``countries``."""
    return [(("countries", "ROW", "status"), "ROW (Rest of World) has no status; remove this key")
            for code, ov in scenario.countries.items() if code == "ROW" and ov.status is not None]


def _rule_issues(loc: tuple[str | int, ...], rules: dict[str, str]) -> list[Issue]:
    """Rule references of one ``rules`` mapping at ``loc`` that do not resolve."""
    from scosim.rules.checks import check_rule
    from scosim.rules.registry import RuleError

    issues: list[Issue] = []
    for hook, spec in rules.items():
        try:
            check_rule(hook, spec)
        except RuleError as exc:
            issues.append(((*loc, hook), str(exc)))
    return issues


def rule_issues(scenario: Any) -> list[Issue]:
    """Rule references (``parameters.rules``, ``countries.<code>.rules``) that do not resolve.

    Checked at validation so that a typo fails before anything runs.
    """
    issues = _rule_issues(("parameters", "rules"), scenario.parameters.rules)
    for code, ov in scenario.countries.items():
        issues += _rule_issues(("countries", code, "rules"), ov.rules)
    return issues


def year_indexed_issues(scenario: Any, block: str, name: str) -> list[Issue]:
    """Keys of the year-indexed ``parameters.<block>.<name>`` outside the simulated years."""
    yv = getattr(getattr(scenario.parameters, block), name)
    if yv.is_constant:
        return []
    yrs = scenario.years
    issues: list[Issue] = []
    if yv.years[0] > yrs.start:
        issues.append((("parameters", block, name, yv.years[0]), (
            f"first year {yv.years[0]} is after years.start {yrs.start}; a "
            "year-indexed parameter must give a value for the first year")))
    issues += [(("parameters", block, name, y),
                f"year {y} is outside the simulated years {_span(scenario)}")
               for y in yv.years if y not in yrs]
    return issues


def chair_issues(scenario: Any) -> list[Issue]:
    """A chair order that lists a non-member or leaves a member out."""
    chair = scenario.parameters.council.chair_order
    if not isinstance(chair, list):
        return []
    statuses = scenario.statuses()
    members = [c for c in ECONOMIES if statuses[c] == "member"]
    loc = ("parameters", "council", "chair_order")
    issues: list[Issue] = [((*loc, i), f"{c} is not a member (status {statuses[c]!r}); the "
                            "chair rotates among members")
                           for i, c in enumerate(chair) if c not in members]
    missing = [m for m in members if m not in chair]
    if missing:
        issues.append((loc, f"every member must appear once; missing {', '.join(missing)}"))
    return issues


def _duplicate_id(scenario: Any, i: int, p: Any, seen: dict[str, int]) -> list[Issue]:
    if p.id in seen:
        return [(("proposals", i, "id"), f"duplicate proposal id {p.id!r} "
                 f"(also proposals[{seen[p.id]}].id); ids must be unique")]
    seen[p.id] = i
    return []


def duplicate_id_issues(scenario: Any) -> list[Issue]:
    """Proposal ids given twice (each repeat at its own ``id``)."""
    seen: dict[str, int] = {}
    return [issue for i, p in enumerate(scenario.proposals)
            for issue in _duplicate_id(scenario, i, p, seen)]


def _proposal_year(scenario: Any, i: int, p: Any) -> list[Issue]:
    if p.year in scenario.years:
        return []
    return [outside_years(("proposals", i, "year"), p.year, scenario.years,
                          f"year {p.year} is outside the simulated years {_span(scenario)}",
                          f"proposals[{i}] ({p.id!r}) in {p.year}")]


def proposal_type_issues(scenario: Any, i: int, p: Any) -> list[Issue]:
    """The checks ``proposals[i]``'s type makes against the whole scenario (the registry's).

    Located in the proposal; alternative sides (third element) name other parts of the
    scenario and stay as they are. A check that raises is itself the problem, said at
    the proposal's ``type``.
    """
    from scosim.plugins import PluginError, call_hook
    from scosim.proposals import type_check

    try:
        found = call_hook(type_check(p.type), p, scenario)
    except PluginError as exc:
        return [(("proposals", i, "type"), f"proposal type {p.type!r}: {exc}")]
    out: list[Issue] = []
    for loc, message, *sides in found:
        if sides:
            sides = [[(_keys(where), said) for where, said in sides[0]]]
        out.append((("proposals", i, *_keys(loc)), message, *sides))
    return out


def _keys(loc: Any) -> tuple[Any, ...]:
    """A check's location as a tuple of keys: a bare key (``"participants"``) is one key.

    Unpacked as it was, a string was read letter by letter
    (``proposals[0].p.a.r.t.i.c.i.p.a.n.t.s``; an outside review, 2026-12-07).
    """
    return (loc,) if isinstance(loc, str | int) else tuple(loc)


def _event_years(scenario: Any) -> list[Issue]:
    return [outside_years(("events", i, "year"), e.year, scenario.years,
                          f"year {e.year} is outside the simulated years {_span(scenario)}",
                          f"events[{i}] ({e.type}) in {e.year}")
            for i, e in enumerate(scenario.events) if e.year not in scenario.years]


def network_issues(scenario: Any) -> list[Issue]:
    """Settings of ``parameters.network`` that no simulated year reaches.

    A closure, route sanction or transit opening wholly after (or, with ``until``, wholly
    before) the simulated years, or an instability key after the last one, was accepted
    and changed nothing. One that starts earlier and is still in force is kept: it is
    in force from the first year (sanctions in place since 2022). Also a corridor failure
    hazard that the route instability would take above 1
    (:func:`scosim.network.params.hazard_issues`).
    """
    network, yrs, span = scenario.parameters.network, scenario.years, _span(scenario)
    base = ("parameters", "network")
    issues: list[Issue] = []
    for field in ("closures", "sanctions", "transit_opened"):
        for i, item in enumerate(getattr(network, field, ())):
            if item.year > yrs.end:
                issues.append(((*base, field, i, "year"), f"year {item.year} is after the "
                               f"simulated years {span}, so it would change nothing"))
            elif item.until is not None and item.until < yrs.start:
                issues.append(((*base, field, i, "until"), f"until {item.until} is before the "
                               f"simulated years {span}, so it would change nothing"))
    for code, yv in getattr(network, "instability", {}).items():
        for y in yv.years:
            if y > yrs.end:
                issues.append(((*base, "instability", code, y), f"year {y} is after the "
                               f"simulated years {span}, so it would change nothing"))
    if hasattr(network, "failure_base"):  # the network block validated
        from scosim.network.params import hazard_issues

        issues += hazard_issues(scenario)
    return issues


def cross_issues(scenario: Any) -> list[Issue]:
    """Every cross-field problem of a scenario whose fields are each valid, in report order."""
    issues = row_status_issues(scenario) + rule_issues(scenario)
    for block, name in YEAR_INDEXED:
        issues += year_indexed_issues(scenario, block, name)
    issues += chair_issues(scenario)
    seen: dict[str, int] = {}
    for i, p in enumerate(scenario.proposals):
        issues += _duplicate_id(scenario, i, p, seen) + _proposal_year(scenario, i, p)
        issues += proposal_type_issues(scenario, i, p)
    issues += _event_years(scenario)
    issues += network_issues(scenario)
    issues += indicator_issues(scenario)
    issues += lever_issues(scenario)
    return issues
