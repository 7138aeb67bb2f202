"""A sweep's request checked before anything runs: its outputs and its parameters.

:func:`check_sweep` validates every swept value as an override of the scenario and every
``--output`` against what the scenario records, its economies and its years;
:func:`parse_output` reads an output; :func:`closest_economy` and
:func:`instability_param_problem` say what is wrong with a code or a swept instability.
Kept apart from :mod:`scosim.api_sweep` (which re-exports them) for size.
"""

from __future__ import annotations

import re
from typing import Any

from scosim.cli_experiments import SWEEPABLE
from scosim.scenario import load_scenario
from scosim.sweep_text import _OUT
from scosim.sweepable import SWEPT_COLLECTION, SWEPT_INSTABILITY

__all__ = ["check_sweep", "closest_economy", "collection_param_problem",
           "instability_param_problem", "parse_output", "set_conflicts"]

#: The same shape with any code and year, so that their errors say what is wrong with them.
_OUT_LOOSE = re.compile(r"\A(?P<ind>[A-Za-z][A-Za-z0-9_]*):(?P<c>[A-Za-z]+)(?::(?P<y>\d+))?\Z")


def parse_output(spec: str) -> Any:
    """``indicator:COUNTRY[:YEAR]`` -> an :class:`~scosim.experiments.sweep.Outcome`."""
    from scosim.experiments.sweep import Outcome

    m = _OUT.match(spec)
    if not m:
        raise ValueError(
            f"output {spec!r} is not INDICATOR:COUNTRY[:YEAR], e.g. welfare_change_pct:KAZ:2035"
        )
    return Outcome(m["ind"], year=int(m["y"]) if m["y"] else None, countries=(m["c"],))


def closest_economy(code: str) -> str | None:
    """The economy code meant by an unknown ``code``, for a did-you-mean (None: none near).

    The same letters in another case (``kaz``), else a code one slip away, a swap of
    neighbours counting as one (``KZA`` -> ``KAZ``, where difflib's nearest spelling was
    ``LKA``), else difflib's nearest spelling.
    """
    import difflib

    from scosim.model.slots import _typo
    from scosim.scenario.schema import ECONOMIES

    code = code.upper()
    if code in ECONOMIES:
        return code
    slips = [c for c in ECONOMIES if _typo(code, c)]
    close = slips or difflib.get_close_matches(code, ECONOMIES, n=1, cutoff=0.5)
    return close[0] if close else None


def instability_param_problem(sc: Any, name: str) -> str | None:
    """What stops a sweep of ``parameters.network.instability.<ISO3>`` (None: nothing).

    The corridor network reads it (held over the years, replacing the economy's series);
    with the security slot filled the network takes its instability from that slot, so
    the value would change nothing.
    """
    from scosim.model.slots import holds
    from scosim.scenario.schema import ECONOMIES

    code = name.removeprefix(SWEPT_INSTABILITY)
    if code not in ECONOMIES:
        close = closest_economy(code)
        hint = f" (did you mean {close!r}?)" if close else ""
        return f"{code!r} is not an economy of the model{hint}"
    slots = sc.parameters.mechanisms
    if not holds(slots, "network", "corridor_network"):
        return ("the network slot does not hold corridor_network (parameters.mechanisms.network: "
                "corridor_network): nothing reads this instability")
    if slots.get("security") is not None:
        return ("the security slot sets the network's instability in this scenario; sweep "
                "parameters.mechanism_settings.security.instability_change_scale instead")
    return None


def collection_param_problem(name: str) -> str | None:
    """What stops a sweep of ``parameters.trade.collection_rates.<ISO3>`` (None: nothing).

    Every scenario's general equilibrium reads it, so only the code can be wrong; the
    values are checked as a rate written in the scenario, in (0, 1].
    """
    from scosim.scenario.schema import ECONOMIES

    code = name.removeprefix(SWEPT_COLLECTION)
    if code not in ECONOMIES:
        close = closest_economy(code)
        hint = f" (did you mean {close!r}?)" if close else ""
        return (f"{code!r} is not an economy of the model{hint}; allowed: "
                f"{', '.join(ECONOMIES)}")
    return None


def _path(sc: Any, key: str) -> tuple[Any, ...]:
    """A dotted path as the scenario reads it: a proposal by its position, not its id."""
    from scosim.scenario.overrides import _parse_dotted

    loc = list(_parse_dotted(key) or (key,))
    if len(loc) > 1 and loc[0] == "proposals" and isinstance(loc[1], str):
        ids = [p.id for p in sc.proposals]
        if loc[1] in ids:
            loc[1] = ids.index(loc[1])
    return tuple(loc)


def set_conflicts(sc: Any, overrides: dict[str, Any], params: dict[str, Any]) -> list[Any]:
    """Each ``--set`` that sets a swept parameter, or a mapping or list holding one.

    The sweep's value would replace it at every point (or it would replace the
    sweep's), so the command says which to drop instead of running something else.
    ``proposals.sco_cu.cet`` and ``proposals[0].cet`` are the same field.

    Returns:
        One ``--set:N`` :class:`~scosim.scenario.ErrorItem` per clash ([]: none).
    """
    from scosim.scenario import ErrorItem

    swept = {name: _path(sc, name) for name in params}
    errors = []
    for i, key in enumerate(overrides, start=1):
        loc = _path(sc, key)
        for name, p in swept.items():
            if p[:len(loc)] == loc or loc[:len(p)] == p:
                what = f"sets {name}" if len(loc) >= len(p) else f"sets {key}, which holds {name}"
                errors.append(ErrorItem("--set", i, key, (
                    f"{what}, which --param sweeps; a value given with --set would be "
                    "replaced at every point: leave it out of --set (to fix it at one value, "
                    f"sweep --method grid --param {name}=VALUE, or leave out --param)")))
                break
    return errors


def check_sweep(
    scenario_path: str,
    params: dict[str, Any],
    outputs: list[str],
    *,
    replications: int = 1,
    n: int = 1,
    seed: int = 0,
    overrides: dict[str, Any] | None = None,
) -> Any:
    """Check a sweep against the scenario schema before anything runs.

    Every sweep bound (or grid value) is validated as an override of the
    scenario, so it obeys the same ranges as a value written in the file;
    every output names an indicator this scenario records (its mechanisms' and
    proposal types' ``recorded_indicators``), an economy and a simulated year.
    ``overrides`` (``--set``) are applied first, as ``scosim run`` applies them, and
    may not set a swept parameter (:func:`set_conflicts`).

    Returns:
        The loaded scenario, with ``overrides`` applied.

    Raises:
        ScenarioError: One ``--param:N`` / ``--output:N`` line per problem.
        ValueError: Non-positive replications or ``n``, a negative design seed.
    """
    import difflib

    from scosim.model.slots import SETTING_PREFIX, setting_param_problem
    from scosim.network.hazard import SWEPT_HAZARD
    from scosim.network.params import hazard_corner_problem, hazard_param_problem
    from scosim.network.upkeep import SWEPT_UPKEEP
    from scosim.proposals.sweep import PREFIX, proposal_param_problem
    from scosim.run_limits import check_replications
    from scosim.scenario import ErrorItem, ScenarioError
    from scosim.scenario.outputs import not_recorded_reason, recorded_indicators
    from scosim.scenario.schema import ECONOMIES, indicator_names

    overrides = dict(overrides or {})
    sc = load_scenario(scenario_path, overrides=overrides or None)
    clashes = set_conflicts(sc, overrides, params)
    if clashes:
        raise ScenarioError(clashes)
    years = sc.years.end - sc.years.start + 1
    check_replications(replications, years, what="--replications (runs per point)")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"--n must be a whole number >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        # numpy's own message ("expected non-negative integer") names no option.
        raise ValueError(f"--seed (the design's seed) must be a whole number >= 0, got {seed!r}")
    errors: list[ErrorItem] = []
    for i, (name, v) in enumerate(params.items(), start=1):
        if (name.startswith((PREFIX, SETTING_PREFIX))) and name not in SWEEPABLE:
            # A proposal's field or a mechanism's setting, which its type or mechanism
            # must read per run (ProposalType.sweepable, Mechanism.sweepable).
            problem = (setting_param_problem(sc, name) if name.startswith(SETTING_PREFIX)
                       else proposal_param_problem(sc, name))
            if problem:
                errors.append(ErrorItem("--param", i, name, problem))
                continue
        elif name.startswith(SWEPT_COLLECTION):
            problem = collection_param_problem(name)
            if problem:
                errors.append(ErrorItem("--param", i, name, problem))
                continue
        elif name.startswith(SWEPT_INSTABILITY) or name in (*SWEPT_HAZARD, SWEPT_UPKEEP):
            problem = (instability_param_problem(sc, name) if name.startswith(SWEPT_INSTABILITY)
                       else hazard_param_problem(sc))
            if problem:
                errors.append(ErrorItem("--param", i, name, problem))
                continue
        elif name not in SWEEPABLE:
            # "sigma" for parameters.trade.sigma: a last part naming one parameter is meant
            known = (*SWEEPABLE, *SWEPT_HAZARD, SWEPT_UPKEEP)
            ends = [p for p in known if p.endswith("." + name.split(".")[-1])]
            close = (ends if len(ends) == 1
                     else difflib.get_close_matches(name, known, n=1, cutoff=0.6))
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            errors.append(ErrorItem("--param", i, name, (
                f"cannot be swept{hint}; sweepable: {', '.join(SWEEPABLE)}, "
                f"{SWEPT_COLLECTION}<ISO3> (a collection rate in (0, 1]), "
                f"{SWEPT_INSTABILITY}<ISO3> (with the network slot filled), "
                f"{', '.join((*SWEPT_HAZARD, SWEPT_UPKEEP))} (with a corridor proposal), and "
                "proposals.<id>.<field> or parameters.mechanism_settings.<name>.<field> for "
                "a field its type or mechanism declares sweepable")))
            continue
        if isinstance(v, list):
            repeated = sorted({float(x) for x in v if v.count(x) > 1})
            if repeated:
                # each grid point would run twice: a typo for another value
                errors.append(ErrorItem("--param", i, name, (
                    f"grid value(s) {', '.join(f'{x:g}' for x in repeated)} given twice; "
                    "give each value once")))
        # A swept sigma runs without the scenario's per-run spread (SCOModel), so its
        # bounds are checked as the model uses them: sigma - spread > 1 does not apply.
        extra = {"parameters.trade.sigma_spread": 0.0} if name == "parameters.trade.sigma" else {}
        if name.startswith(SWEPT_COLLECTION):  # likewise a swept collection rate's spread
            extra = {"parameters.trade.collection_rate_spread."
                     + name.removeprefix(SWEPT_COLLECTION): 0.0}
        for value in v:
            try:
                load_scenario(scenario_path,
                              overrides={**overrides, **extra, name: float(value)})
            except ScenarioError as exc:
                errors += [ErrorItem("--param", i, name, e.message)
                           for e in exc.errors]
    corner = hazard_corner_problem(scenario_path, params) if not errors else None
    if corner:  # the hazard at the highest values swept together must stay a probability
        errors.append(ErrorItem("--param", *corner))
    wanted = sc.outputs.indicators
    # What the scenario's mechanisms and proposal types record (each plug-in's
    # recorded_indicators), as a run checks it: any known name is not enough.
    recorded = recorded_indicators(sc)
    seen: dict[tuple[str, str, int], int] = {}
    for i, spec in enumerate(outputs, start=1):
        m = _OUT.match(spec) or _OUT_LOOSE.match(spec)
        if not m:
            errors.append(ErrorItem("--output", i, spec, (
                "write INDICATOR:COUNTRY[:YEAR], e.g. welfare_change_pct:KAZ:2035")))
            continue
        ind, code, year = m["ind"], m["c"], m["y"]
        if ind not in indicator_names():
            from scosim.api import _closest_indicator  # api re-exports this module

            close = _closest_indicator(ind, indicator_names())
            hint = f" (did you mean {close!r}?)" if close else ""
            errors.append(ErrorItem("--output", i, spec, (
                f"unknown indicator {ind!r}{hint}; indicators: {', '.join(indicator_names())}")))
        elif ind not in recorded:
            # Known, but nothing this scenario uses records it: every batch failed with
            # "indicator ... not in the model" after the size was said and batch 0 ran.
            errors.append(ErrorItem("--output", i, spec, (
                f"{not_recorded_reason(sc, ind)}; this scenario records: "
                f"{', '.join(n for n in indicator_names() if n in recorded)}")))
        elif wanted != "all" and ind not in wanted:
            errors.append(ErrorItem("--output", i, spec, (
                f"{ind!r} is not among the scenario's outputs.indicators ({', '.join(wanted)})")))
        if code not in ECONOMIES:
            close = closest_economy(code)
            hint = f" (did you mean {close!r}?)" if close else ""
            errors.append(ErrorItem("--output", i, spec, (
                f"unknown country code {code!r}{hint}; allowed: {', '.join(ECONOMIES)}")))
        if year is not None and int(year) not in sc.years:
            errors.append(ErrorItem("--output", i, spec, (
                f"year {year} is outside the simulated years {sc.years.start}-{sc.years.end}")))
        # the same output twice (the default year is the last) would be one column twice
        key = (ind, code.upper(), sc.years.end if year is None else int(year))
        if key in seen:
            errors.append(ErrorItem("--output", i, spec, (
                f"the same output as --output {seen[key]} ({outputs[seen[key] - 1]}); "
                "give each output once")))
        else:
            seen[key] = i
    if errors:
        raise ScenarioError(errors)
    return sc
