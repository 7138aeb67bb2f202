"""The year of a run's who-gains table when a mechanism's shocks and policies act in one year.

The table (``summary.txt``, ``plots/welfare_final_year.png``, the explorer's figure) shows
the last year by default (:func:`scosim.plots.who_gains_data`). A mechanism may name in
``Mechanism.answer_year`` the types of the scenario's ``events`` it reads; when its slot is
filled and the scenario has such events, the table is shown in the first year of them: the
shock year. The finance slot names ``gdp_shock`` and ``sanctions``: its crisis, a banking
union's cover and national-currency settlement's shield from the dollar channel act in the
crisis year. Until 2026-12-06 the finance scenarios' table showed 2030, when only the
sanctions' lasting trade costs were left, the same with either policy or none. The year is
the scenario's, not a statistic of the runs: a crisis drawn in one run of a few (China's
in 2028 in one of four) would otherwise pick it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["answer_slots", "run_answer_slots", "run_answer_year", "scenario_answer_year"]


def scenario_answer_year(scenario: Mapping[str, Any],
                         declared: Mapping[str, tuple[str, ...]]) -> tuple[int, str] | None:
    """The table's year and the words naming it, from a resolved scenario.

    Args:
        scenario: The run's resolved scenario (``scenario.yaml`` as a mapping).
        declared: ``{slot: event types}`` of the filled slots whose mechanism names any
            (``Mechanism.answer_year``).

    Returns:
        ``(year, when)``: the first year of the scenario's events of those types, inside
        its simulated years, and the words after "welfare change"; None when there are
        none (the default year then).
    """
    end = (scenario.get("years") or {}).get("end")
    for slot, kinds in declared.items():
        hit = _event_years(scenario, kinds)
        if hit:
            named = " and ".join(k.replace("_", " ") for k in kinds)
            last = f"; the last year, {end}, is in summary.csv" if end is not None else ""
            return hit[0], (f"in {hit[0]} (the first year of the scenario's {named} events, "
                            f"when the {slot} slot's shocks and policies act{last})")
    return None


def _event_years(scenario: Mapping[str, Any], kinds: tuple[str, ...]) -> list[int]:
    """The years of the scenario's events of ``kinds`` inside its simulated years, sorted."""
    years = scenario.get("years") or {}
    start, end = years.get("start"), years.get("end")
    return sorted({int(e["year"]) for e in scenario.get("events") or []
                   if isinstance(e, Mapping) and e.get("type") in kinds
                   and e.get("year") is not None
                   and (start is None or int(e["year"]) >= int(start))
                   and (end is None or int(e["year"]) <= int(end))})


def answer_slots(scenario: Mapping[str, Any],
                 declared: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """The slots whose mechanism names an ``answer_year`` the scenario has events of.

    Their blocks of the answer (:func:`scosim.mechanism_answer.mechanism_lines`) are shown
    in the shock year; another slot's (a corridor's fees) in its own largest year. Keys
    ``<slot>[<i>]`` are given as their slot, as the answer's blocks name them.
    """
    from scosim.model.slots import slot_of

    return frozenset(slot_of(key) for key, kinds in declared.items()
                     if _event_years(scenario, kinds))


def run_answer_year(run_dir: str | Path) -> tuple[int, str] | None:
    """:func:`scenario_answer_year` of a run, from its ``scenario.yaml`` and manifest."""
    return scenario_answer_year(*_run_declared(run_dir))


def run_answer_slots(run_dir: str | Path) -> frozenset[str]:
    """:func:`answer_slots` of a run, from its ``scenario.yaml`` and manifest."""
    return answer_slots(*_run_declared(run_dir))


def _run_declared(run_dir: str | Path) -> tuple[Mapping[str, Any], dict[str, tuple[str, ...]]]:
    """A run's resolved scenario and ``{slot: event types}`` its filled slots' mechanisms name.

    What each filled slot's mechanism names is read from the run's record, else from the
    class the registry finds (a mechanism neither knows names nothing).
    """
    from scosim.attribution import _saved_scenario
    from scosim.mechanism_answer import filled_mechanisms
    from scosim.plugin_manifest import read_declarations
    from scosim.plugins import PluginError

    scenario = _saved_scenario(run_dir)
    recorded = read_declarations(run_dir)["mechanisms"]
    declared: dict[str, tuple[str, ...]] = {}
    for slot, name in filled_mechanisms(run_dir).items():
        if slot in recorded:
            kinds = recorded[slot].get("answer_year") or ()
        else:
            from scosim.model.slots import get_mechanism

            try:
                kinds = get_mechanism(name).answer_year
            except (PluginError, ImportError):
                kinds = ()
        if kinds:
            declared[slot] = tuple(kinds)
    return scenario, declared
