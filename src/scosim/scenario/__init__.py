"""Scenarios: YAML files validated into a :class:`Scenario`.

Public API: :func:`load_scenario`, :class:`Scenario`, :class:`ScenarioError`,
:func:`scenario_hash`, :class:`YearValue`.

Names are imported from their modules on first use: ``scosim validate`` reads
scenarios through :func:`check_scenario` without importing pydantic.
"""

from scosim._lazy import lazy_exports

_EXPORTS = {
    "ECONOMIES": "schema",
    "MEMBERS": "schema",
    "ErrorItem": "errors",
    "Scenario": "schema",
    "ScenarioError": "errors",
    "YearValue": "schema",
    "check_scenario": "loader",
    "load_scenario": "loader",
    "parse_overrides": "loader",
    "scenario_hash": "loader",
    "validate_data": "loader",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

__all__ = sorted(_EXPORTS)
