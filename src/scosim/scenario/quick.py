"""A pydantic-free check that accepts common valid scenarios quickly (``scosim validate``).

Importing pydantic and building the scenario's validators is most of what
``scosim validate`` costs at start-up. Most scenarios are written in a small part
of the schema: the scalar parameter blocks, built-in rule names, customs-union
proposals, no events and no per-country overrides. :func:`quick_dump` checks a
resolved document against exactly that part, with the schema's own rules, and
returns what ``Scenario.model_dump(mode="json")`` would (its canonical JSON gives
the same hash).

It only ever *accepts*. Anything outside that part, and anything it finds wrong,
returns ``None`` and the caller validates with the pydantic schema, whose errors
are the ones users see; so a scenario is accepted here only if the schema accepts
it, and every rejection and message comes from the schema. Tests hold the two
equal over the shipped scenarios, the invalid fixtures and mutations of them
(tests/test_quick_check.py), and the defaults below against the schema's.
"""

from __future__ import annotations

import math
import re
from typing import Any

from scosim.data.constants import ECONOMIES, MEMBERS, OBSERVERS
from scosim.model.slots import DEFAULT_MECHANISMS
from scosim.rules.registry import BUILTIN_RULES, DEFAULT_RULES

__all__ = ["quick_dump"]

#: Same pattern as the schema's slug.
_SLUG = re.compile(r"\A[a-z0-9_-]{1,64}\Z")
_STATES = frozenset(ECONOMIES[:-1])
_INT_LIMIT = 2**63  # beyond: left to the schema

# Field specs: (kind, default, *bounds). Bounds are (lower, lower_open, upper, upper_open);
# None: unbounded. They mirror scosim.scenario.blocks; tests compare the defaults.
_F = "float"
_I = "int"
_B = "bool"
_L = "literal"
#: A decision rule's name: asked of the rules' registry, as the schema asks it
#: (:func:`scosim.model.decision_rules.decision_rule_problem`), so a built-in or an
#: installed plug-in's rule is accepted here exactly where the schema accepts it.
_R = "decision_rule"
#: A nested block (parameters.security.hardening, parameters.trade.collection_rates):
#: written, the schema decides; not written, left out of the dump as the schema leaves
#: out its default.
_N = "nested"
_YEARS = {
    "start": (_I, 2025, 1950, False, 2200, False),
    "end": (_I, 2035, 1950, False, 2200, False),
}
_WEIGHTS = {
    "econ": (_F, 1.0, 0, False, None, False),
    "sovereignty": (_F, 0.002, 0, False, None, False),
    "trust": (_F, 0.002, 0, False, None, False),
    "dominance": (_F, 0.5, 0, False, None, False),
    "security": (_F, 0.0, 0, False, None, False),
    # Written, the schema decides; not written, the schema's dump leaves it out (fixed).
    "draw": (_N,),
}
_TRADE = {
    "sigma": (_F, 5.0, 1, True, 50, False),
    "sigma_spread": (_F, 0.0, 0, False, None, False),
    "deficits": (_L, "level", ("level", "ratio", "purged")),
    "baseline": (_L, "actual", ("actual", "fitted")),
    "moving_baseline": (_B, False),
    "short_run_share": (_F, 1.0, 0, True, 1, False),
    "adjustment_years": (_I, 0, 0, False, None, False),
    "collection_rates": (_N,),
    "collection_rate_spread": (_N,),
}
_COUNCIL = {
    "decision_rule": (_R, None),
    "qualified_majority": (_F, 2 / 3, 0.5, True, 1.0, False),
    "ratification_lag": (_I, 1, 0, False, 100, False),
    "defection_years": (_I, 3, 1, False, None, False),
    "exit_threshold": (_F, 0.0, -1.0, True, None, False),
    "vote_noise": (_F, 0.25, 0, False, None, False),
    "trust_gain": (_F, 0.02, 0, False, 1, False),
    "trust_loss": (_F, 0.1, 0, False, None, False),
    "chair_order": (_L, "alphabetical", ("alphabetical",)),
}
# Year values written as one number only (a {year: value} mapping goes to the schema).
_GROWTH = {
    "mode": (_L, "calibrated", ("calibrated", "fixed", "historical")),
    "rate": (_F, 0.03, -1.0, True, 1.0, False),
    "volatility_scale": (_F, 1.0, 0.0, False, 10.0, False),
}
_SECURITY = {
    "instability": (_F, 1.0, 0.0, False, 10.0, False),
    "opiate_supply": (_F, 1.0, 0.0, False, 10.0, False),
    "hardening": (_N,),
}
_OUTPUTS = {
    "indicators": (_L, "all", ("all",)),
    "plots": (_B, True),
    "bilateral": (_B, False),
    "summary": (_L, "plotted", ("plotted", "all")),
}
def _default_network() -> dict[str, Any]:
    from scosim.network.hazard import FAILURE_BASE, FAILURE_SENSITIVITY, RECOVERY

    return {"closures": [], "congestion": True, "failure_base": FAILURE_BASE,
            "failure_sensitivity": FAILURE_SENSITIVITY, "instability": {},
            "recovery": RECOVERY, "sanctions": [], "transit_opened": [],
            "vot_per_day": None}

_CU = {
    "year": (_I, None, None, False, None, False),
    "decision_rule": (_R, None),
    "revenue_sharing": (_L, "collected", ("collected", "gdp", "imports", "population")),
    "depth": (_F, 0.6, 0, False, 1, False),
    "replace_preferences": (_B, False),
    "suspensions": (_L, "lifted", ("lifted", "kept")),
}
_CET_KEYWORDS = ("mean", "weighted_mean", "min", "max", "art_xxiv")


class _Unsure(Exception):
    """Outside what this check covers, or invalid: the schema decides."""


def _scalar(spec: tuple[Any, ...], value: Any) -> Any:
    kind = spec[0]
    if kind == _R:
        if value is None:
            return None
        if type(value) is not str or _decision_rule_problem(value):
            raise _Unsure
        return value
    if kind == _L:
        if not (value is None or isinstance(value, str)) or value not in spec[2]:
            raise _Unsure
        return value
    if kind == _B:
        if type(value) is not bool:
            raise _Unsure
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Unsure
    if kind == _I:
        if type(value) is not int or abs(value) >= _INT_LIMIT:
            raise _Unsure
    elif not math.isfinite(value) or abs(value) >= _INT_LIMIT:
        raise _Unsure
    lo, lo_open, hi, hi_open = spec[2:]
    if lo is not None and (value <= lo if lo_open else value < lo):
        raise _Unsure
    if hi is not None and (value >= hi if hi_open else value > hi):
        raise _Unsure
    return value if kind == _I else float(value)


def _decision_rule_problem(name: str) -> str | None:
    # Imported here: the registry's module is light, but a built-in name never needs it
    # loaded before a scenario names a decision rule.
    from scosim.model.decision_rules import decision_rule_problem

    return decision_rule_problem(name)


def _block(specs: dict[str, tuple[Any, ...]], data: Any) -> dict[str, Any]:
    # A block written as null is an error in the schema (only a missing one defaults).
    if type(data) is not dict or not set(data) <= set(specs):
        raise _Unsure
    if any(specs[k][0] == _N for k in data):
        raise _Unsure
    return {k: _scalar(spec, data[k]) if k in data else spec[1] for k, spec in specs.items()
            if spec[0] != _N}


def _str(value: Any) -> str:
    if type(value) is not str:
        raise _Unsure
    return value


def _slug(value: Any) -> str:
    if not _SLUG.match(_str(value)):
        raise _Unsure
    return value


def _states(value: Any) -> list[str]:
    if type(value) is not list or any(type(v) is not str or v not in _STATES for v in value):
        raise _Unsure
    if len(set(value)) != len(value):
        raise _Unsure
    return list(value)


def _phase_in(value: Any, year: int, years: range) -> dict[str, float] | None:
    if value is None:
        return None
    if type(value) is not dict or not value:
        raise _Unsure  # a single number is a valid phase-in too: left to the schema
    points = []
    for k, v in value.items():
        if type(k) is not int or isinstance(v, bool) or not isinstance(v, int | float):
            raise _Unsure
        if not math.isfinite(v) or not 0.0 <= v <= 1.0 or k < year or k not in years:
            raise _Unsure
        points.append((k, float(v)))
    points.sort()
    if any(b[1] < a[1] for a, b in zip(points, points[1:], strict=False)):
        raise _Unsure
    return {str(k): v for k, v in points}  # JSON mode: year keys as strings


def _customs_union(p: Any, years: range) -> dict[str, Any]:
    # ntb_cost_cut is not among them: written, the schema decides; not written, the
    # schema's dump leaves it out (at its default), as this one does.
    allowed = {"type", "id", "proposer", "co_sponsors", "participants", "cet", "phase_in",
               *_CU}
    if type(p) is not dict or p.get("type") != "customs_union" or not set(p) <= allowed:
        raise _Unsure
    if "id" not in p or "year" not in p or "proposer" not in p:
        raise _Unsure
    out = {k: _scalar(spec, p[k]) if k in p else spec[1] for k, spec in _CU.items()}
    out["type"] = "customs_union"
    out["id"] = _slug(p["id"])
    if type(p["proposer"]) is not str or p["proposer"] not in _STATES:
        raise _Unsure
    out["proposer"] = p["proposer"]
    out["co_sponsors"] = _states(p.get("co_sponsors", []))
    parts = p.get("participants", "members")
    if isinstance(parts, str):
        if parts == "members":
            chosen = MEMBERS
        elif parts == "members_and_observers":
            chosen = (*MEMBERS, *OBSERVERS)
        else:
            raise _Unsure
    else:
        chosen = _states(parts)
    if len(chosen) < 2:
        raise _Unsure
    out["participants"] = parts if isinstance(parts, str) else list(parts)
    cet = p.get("cet", "weighted_mean")
    if isinstance(cet, str):
        if cet not in _CET_KEYWORDS:
            raise _Unsure
    elif isinstance(cet, bool) or not isinstance(cet, int | float) or not 0.0 <= cet <= 1.0:
        raise _Unsure
    else:
        cet = float(cet)
    out["cet"] = cet
    out["fixed_shares"] = None
    out["phase_in"] = _phase_in(p.get("phase_in"), out["year"], years)
    if out["year"] not in years:
        raise _Unsure
    return out


def _parameters(data: Any) -> dict[str, Any]:
    allowed = {"trade", "growth", "council", "weights", "rules", "security"}
    if type(data) is not dict or not set(data) <= allowed:
        raise _Unsure
    trade = _block(_TRADE, data.get("trade", {}))
    low, high = (trade["sigma"] + d * trade["sigma_spread"] for d in (-1, 1))
    if not 1 < low <= high <= 50:
        raise _Unsure
    rules = data.get("rules", {})
    if type(rules) is not dict:
        raise _Unsure
    rules = {**DEFAULT_RULES, **rules}
    for hook, name in rules.items():
        # Built-in names are accepted by the schema without importing anything.
        if type(hook) is not str or type(name) is not str or name not in BUILTIN_RULES.get(
                hook, ()):
            raise _Unsure
    security = _block(_SECURITY, data.get("security", {}))
    if security != _block(_SECURITY, {}):
        # The security slot is empty here (mechanisms are not written): the schema
        # refuses a setting that nothing reads.
        raise _Unsure
    return {
        "trade": trade,
        "growth": _block(_GROWTH, data.get("growth", {})),
        "council": _block(_COUNCIL, data.get("council", {})),
        "weights": _block(_WEIGHTS, data.get("weights", {})),
        "rules": rules,
        "security": security,
        "mechanisms": dict(DEFAULT_MECHANISMS),  # accepted only when not written
        "network": _default_network(),
        "finance": {},
    }


def quick_dump(data: Any) -> dict[str, Any] | None:
    """The scenario as ``Scenario.model_dump(mode="json")`` gives it, if surely valid.

    Args:
        data: The resolved document (``extends`` merged, overrides applied).

    Returns:
        The dump (``source`` left out), or ``None`` when this check cannot tell:
        then the pydantic schema must validate ``data``.
    """
    try:
        return _quick(data)
    except _Unsure:
        return None


def _quick(data: Any) -> dict[str, Any]:
    top = {"name", "description", "extends", "years", "seed", "replications", "countries",
           "parameters", "proposals", "events", "outputs"}
    if type(data) is not dict or "name" not in data or not set(data) <= top:
        raise _Unsure
    if data.get("countries", {}) != {} or data.get("events", []) != []:
        raise _Unsure  # per-country overrides and events: left to the schema
    if type(data.get("countries", {})) is not dict or type(data.get("events", [])) is not list:
        raise _Unsure
    years = _block(_YEARS, data.get("years", {}))
    if years["end"] < years["start"] or years["end"] - years["start"] + 1 > 100:
        raise _Unsure
    span = range(years["start"], years["end"] + 1)
    extends = data.get("extends")
    proposals = data.get("proposals", [])
    if type(proposals) is not list:
        raise _Unsure
    out_proposals = [_customs_union(p, span) for p in proposals]
    if len({p["id"] for p in out_proposals}) != len(out_proposals):
        raise _Unsure
    return {
        "name": _slug(data["name"]),
        "description": _str(data.get("description", "")),
        "extends": None if extends is None else _str(extends),
        "years": years,
        "seed": _scalar((_I, 0, 0, False, 2**64, True), data.get("seed", 0)),
        "replications": _scalar((_I, 1, 1, False, None, False), data.get("replications", 1)),
        "countries": {},
        "parameters": _parameters(data.get("parameters", {})),
        "proposals": out_proposals,
        "events": [],
        "outputs": _block(_OUTPUTS, data.get("outputs", {})),
    }
