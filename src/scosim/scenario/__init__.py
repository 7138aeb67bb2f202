"""Scenarios: YAML files validated into a :class:`Scenario`.

Public API: :func:`load_scenario`, :class:`Scenario`, :class:`ScenarioError`,
:func:`scenario_hash`, :class:`YearValue`.
"""

from scosim.scenario.errors import ErrorItem, ScenarioError
from scosim.scenario.loader import load_scenario, parse_overrides, scenario_hash, validate_data
from scosim.scenario.schema import ECONOMIES, MEMBERS, Scenario, YearValue

__all__ = [
    "ECONOMIES",
    "MEMBERS",
    "ErrorItem",
    "Scenario",
    "ScenarioError",
    "YearValue",
    "load_scenario",
    "parse_overrides",
    "scenario_hash",
    "validate_data",
]
