"""Exit thresholds far out of range: most likely a percentage written as a fraction.

The README writes thresholds in percent (-0.55 %); scenarios and ``scosim exits`` take
fractions (-0.0055). Kept free of pydantic: ``scosim validate`` checks most scenarios
without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["PLAUSIBLE_EXIT_THRESHOLD", "exit_threshold_slips", "percent_slip", "scenario_slips"]


#: Largest exit threshold, either way, taken as meant (a fraction of real expenditure):
#: beyond 10 %, far outside any welfare change the model gives, it is most likely a
#: percentage written as a fraction (-0.55 for -0.55 %).
PLAUSIBLE_EXIT_THRESHOLD = 0.1


def percent_slip(value: float, name: str) -> str | None:
    """What to say of an exit threshold ``value`` beyond :data:`PLAUSIBLE_EXIT_THRESHOLD`.

    None for a plausible one. ``name`` says where it was given (a field; "" where the
    context names it, as argparse does an option).
    """
    if abs(value) <= PLAUSIBLE_EXIT_THRESHOLD:
        return None
    # Every digit the user gave: the value itself by repr, what is derived from it to 15
    # significant digits (no float noise). Until 2026-12-06 by %g, so -0.1000001, refused,
    # was printed as the accepted -0.1.
    return (f"{name + ' ' if name else ''}{value!r} is a threshold of {100 * value:.15g} % "
            f"of real expenditure (thresholds are fractions): did you mean "
            f"{value / 100:.15g} ({value!r} %)?")


def exit_threshold_slips(council: float, countries: Mapping[str, float | None]) -> list[str]:
    """:func:`percent_slip` of a scenario's exit thresholds: the Council's and each state's.

    Warnings, not errors: a threshold far out is also a way to keep every state in (or
    make one leave), as some tests do.
    """
    found = [percent_slip(council, "parameters.council.exit_threshold")]
    found += [percent_slip(v, f"countries.{code}.exit_threshold")
              for code, v in countries.items() if v is not None]
    return [f for f in found if f is not None]


def scenario_slips(scenario: Any) -> list[str]:
    """:func:`exit_threshold_slips` of a validated :class:`~scosim.scenario.Scenario`."""
    return exit_threshold_slips(
        scenario.parameters.council.exit_threshold,
        {code: ov.exit_threshold for code, ov in scenario.countries.items()})
