"""What differs between a run's replications, and what does not: the answer's "how sure" line.

The answer's 5-95 % bands and shares of runs span the replications, and the replications
differ only in what the scenario draws: the growth shocks, the trade elasticity when
``sigma_spread`` is above zero, the shocks to the states' vote scores, and the draws of
a filled security, network or finance slot. The political weights (unless ``weights.draw`` draws
them, with the vote noise), the exit threshold
and the trade-deficit closure are the same in every run, though the README finds
conclusions turn on them (who vetoes on the dominance weight, who leaves on the
threshold, small importers' signs on the closure). The answer said none of this; it
now says, read from the run's resolved ``scenario.yaml``, and names the commands that
vary the rest.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scosim.model.weight_draw import CONFIDENCE_SET
from scosim.run_outcome import wrap_answer
from scosim.runstats import HIGH, LOW, RunStats

__all__ = ["HAVEN_TYPES", "Spread", "drawn_quantities", "haven_settings", "run_spread",
           "scenario_spread", "spread_lines"]

#: Slots whose mechanism draws random numbers of its own each run, when filled.
DRAWING_SLOTS = ("security", "network", "finance")


@dataclass(frozen=True)
class Spread:
    """What a scenario draws per run and what it holds fixed.

    Attributes:
        growth: Whether GDP growth has random shocks (``volatility_scale`` above zero in
            some year).
        sigma: The trade elasticity (the centre of its draw).
        sigma_spread: The half-width of its uniform draw (0: the same in every run).
        vote_noise: The standard deviation of a vote score's shock, relative to the score.
        slots: Filled slots among :data:`DRAWING_SLOTS`.
        exit_threshold: The scenario-wide exit threshold (a fraction of real expenditure);
            None when the default defect rule never leaves.
        deficits: The trade-deficit closure (``level`` or ``ratio``).
        scenario: The scenario file to name in the commands.
        security_weight: ``weights.security``, the vote's weight on the damage a RATS
            upgrade or an accession avoids (0: no security term in any vote).
        havens: The safe-haven settings and their values (:func:`haven_settings`) when the
            security slot is filled and a proposal is an accession, an application or a
            RATS upgrade (whose incidents, and an accession's verdict, turn on them);
            empty otherwise.
        collection: ``(code, rate, spread)`` of each importer whose collection rate is
            drawn per run (``collection_rate_spread`` above zero).
        weight_draw: Whether each run draws the political weights and the vote noise
            from the hindcasts' confidence set (``weights.draw: confidence_set``).
        vot: The corridor network's value of time, ad valorem per day, ``(low, high)`` of
            its per-run draw (equal: the same in every run); None unless
            ``corridor_network`` is in the network slot.
        network_others: The names of the network slot's other mechanisms (a plug-in such
            as ``visa_mobility``), whose draws are named as a slot's mechanism's are.
        failure_hazard: ``(failure_base, failure_sensitivity)`` when a corridor is proposed
            and its yearly failure hazard can be above zero (each run draws whether and
            when it fails, :mod:`scosim.network.failure_draw`); None otherwise.
        gas_prices: Whether a gas project is proposed with the corridor network in the
            network slot (each run draws the gas border price, supply cost and the
            next-best market's price, :mod:`scosim.network.gas_supply`).
        dominance: ``weights.dominance`` (None: unread, taken as not 0).
        scores_decide: Whether some state's vote rule reads its score (False: every
            vote rule is committed, ``always_yes`` or ``always_no``, so the political
            weights decide no vote and varying them moves no band).
        sets: The run's own ``--set`` overrides, as ``PATH=VALUE``, restated after the
            scenario file in the commands.
    """

    growth: bool
    sigma: float
    sigma_spread: float
    vote_noise: float
    slots: tuple[str, ...]
    exit_threshold: float | None
    deficits: str
    scenario: str
    security_weight: float = 0.0
    havens: tuple[tuple[str, float], ...] = ()
    collection: tuple[tuple[str, float, float], ...] = ()
    weight_draw: bool = False
    vot: tuple[float, float] | None = None
    network_others: tuple[str, ...] = ()
    failure_hazard: tuple[float, float] | None = None
    gas_prices: bool = False
    dominance: float | None = None
    scores_decide: bool = True
    sets: tuple[str, ...] = ()


#: Proposal types whose incidents the safe-haven channel moves (docs/security.md section 4).
HAVEN_TYPES = ("accession", "application", "rats_upgrade")


def haven_settings(written: Mapping[str, Any] | None) -> tuple[tuple[str, float], ...]:
    """The security slot's safe-haven settings and their values, read from its spec.

    ``haven_share`` and ``transnational_share`` and every other setting of
    :class:`scosim.security.spec.SecuritySettings` whose name or description speaks of
    havens (how the displaced groups are shared out), each at the value the scenario
    writes under ``parameters.mechanism_settings.security``, else the spec's default:
    read at run time, so a setting added or renamed there is named here.

    Args:
        written: The scenario's ``mechanism_settings.security`` mapping (None: none).
    """
    from scosim.security.spec import SecuritySettings

    fields = SecuritySettings.model_fields
    first = [n for n in ("haven_share", "transnational_share") if n in fields]
    rest = [n for n, f in fields.items() if n not in first
            and ("haven" in n or "haven" in (f.description or ""))]
    given = written if isinstance(written, Mapping) else {}
    out = []
    for name in first + rest:
        value = given.get(name, fields[name].default)
        try:
            out.append((name, float(value)))
        except (TypeError, ValueError):
            continue
    return tuple(out)


def _weight_default(name: str) -> float:
    """The default of ``parameters.weights.<name>`` (the shipped, published value)."""
    from scosim.scenario.blocks import Weights

    return float(Weights.model_fields[name].default)


def _default(name: str) -> float:
    """The spec's default of a security setting (0.5 where that is 0)."""
    from scosim.security.spec import SecuritySettings

    return float(SecuritySettings.model_fields[name].default) or 0.5


def _havens(p: Mapping[str, Any], proposals: Any) -> tuple[tuple[str, float], ...]:
    """:func:`haven_settings` where they move the proposals' incidents; else ()."""
    slot = _get(p, "mechanisms", "security")
    names = slot if isinstance(slot, list) else [slot]
    types = {str(pr.get("type")) for pr in proposals or [] if isinstance(pr, Mapping)}
    if "security" not in [str(n) for n in names] or not types & set(HAVEN_TYPES):
        return ()
    return haven_settings(_get(p, "mechanism_settings", "security"))


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        d = d.get(k) if isinstance(d, Mapping) else None
    return d


def _positive(value: Any) -> bool:
    """Whether a number, or a ``{year: number}`` mapping, is above zero somewhere."""
    if isinstance(value, Mapping):
        return any(_positive(v) for v in value.values())
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return True  # unreadable: say it may vary rather than that it does not


def _scores_decide(scenario: Mapping[str, Any]) -> bool:
    """Whether some vote rule, scenario-wide or a state's own, reads the vote score."""
    from scosim.vote_stats import COMMITTED_RULES, rule_name

    rules = [_get(scenario, "parameters", "rules", "vote") or "utility_vote"]
    countries = scenario.get("countries")
    for own in (countries.values() if isinstance(countries, Mapping) else []):
        rules.append(_get(own, "rules", "vote"))
    return any(r is not None and rule_name(str(r)) not in COMMITTED_RULES for r in rules)


def scenario_spread(scenario: Mapping[str, Any], source: str,
                    sets: tuple[str, ...] = ()) -> Spread:
    """:class:`Spread` of a resolved scenario (a run's ``scenario.yaml`` as a mapping).

    Args:
        scenario: The resolved scenario.
        source: The scenario file the commands name.
        sets: The run's ``--set`` overrides (``PATH=VALUE``) the commands restate.
    """
    p = scenario.get("parameters") or {}
    growth = _get(p, "growth") or {}
    defect = _get(p, "rules", "defect")
    threshold = _get(p, "council", "exit_threshold")
    slots = _get(p, "mechanisms") or {}
    held = _network_held(p)
    return Spread(
        growth=_positive(growth.get("volatility_scale", 1.0)),
        sigma=float(_get(p, "trade", "sigma") or 0.0),
        sigma_spread=float(_get(p, "trade", "sigma_spread") or 0.0),
        vote_noise=float(_get(p, "council", "vote_noise") or 0.0),
        slots=tuple(s for s in DRAWING_SLOTS if slots.get(s)),
        exit_threshold=(None if defect == "never_defect" or threshold is None
                        else float(threshold)),
        deficits=str(_get(p, "trade", "deficits") or "level"),
        scenario=source,
        security_weight=float(_get(p, "weights", "security") or 0.0),
        havens=_havens(p, scenario.get("proposals")),
        collection=_drawn_collection(_get(p, "trade") or {}),
        weight_draw=_get(p, "weights", "draw") == "confidence_set",
        # Only corridor_network draws the value of time: a plug-in in the slot does not
        # (visa_mobility's runs were said to draw it, an outside review, 2026-12-07).
        vot=_vot(_get(p, "network") or {}) if "corridor_network" in held else None,
        network_others=tuple(n for n in held if n != "corridor_network"),
        dominance=_number(_get(p, "weights", "dominance")),
        scores_decide=_scores_decide(scenario),
        sets=sets,
        **_corridor_draws(p, scenario.get("proposals")),
    )


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _vot(network: Mapping[str, Any]) -> tuple[float, float]:
    """``(low, high)`` of the network's value of time (:mod:`scosim.network.vot`)."""
    from scosim.network.vot import HUMMELS_SCHAUR_RANGE

    fixed = network.get("vot_per_day")
    if fixed is not None:
        return float(fixed), float(fixed)
    low, high = network.get("vot_range") or HUMMELS_SCHAUR_RANGE
    return float(low), float(high)


def _network_held(p: Mapping[str, Any]) -> tuple[str, ...]:
    """The ``name`` of each mechanism the network slot holds, in the order written.

    A name that does not resolve (a plug-in not installed here) is kept as written.
    """
    from scosim.model.slots import mechanism_name, slot_names

    out = []
    for spec in slot_names(_get(p, "mechanisms", "network")):
        try:
            out.append(mechanism_name(spec))
        except Exception:  # an unloadable plug-in: named as the scenario writes it
            out.append(spec)
    return tuple(dict.fromkeys(out))


def _corridor_draws(p: Mapping[str, Any], proposals: Any) -> dict[str, Any]:
    """``failure_hazard`` and ``gas_prices`` of :class:`Spread` (corridor proposals only).

    Since 2026-12-07 these two draws cause most of the spread of a corridor run, but the
    line named only "the network mechanism's draws" (an outside review, 2026-12-07).
    """
    projects = [str(pr.get("project")) for pr in proposals or []
                if isinstance(pr, Mapping) and pr.get("type") == "corridor"]
    if not projects:
        return {}
    from scosim.network.hazard import FAILURE_BASE, FAILURE_SENSITIVITY

    net = _get(p, "network") or {}
    base = float(net.get("failure_base", FAILURE_BASE))
    sens = float(net.get("failure_sensitivity", FAILURE_SENSITIVITY))
    gas = False
    if "corridor_network" in _network_held(p):
        from scosim.network.tables import load_network

        carrier = load_network().projects["carrier"]
        gas = any(carrier.get(code) == "gas" for code in projects)
    return {"failure_hazard": (base, sens) if base > 0 or sens > 0 else None,
            "gas_prices": gas}


def _drawn_collection(trade: Mapping[str, Any]) -> tuple[tuple[str, float, float], ...]:
    """``(code, rate, spread)`` of each collection rate the scenario draws per run."""
    rates = trade.get("collection_rates") or {}
    spread = trade.get("collection_rate_spread") or {}
    return tuple((str(c), float(rates.get(c, 1.0)), float(d)) for c, d in spread.items()
                 if float(d) > 0)


def run_spread(run_dir: str | Path, manifest: Mapping[str, Any]) -> Spread | None:
    """:func:`scenario_spread` of a finished run; None without its ``scenario.yaml``.

    The commands name the scenario file the run records (``scenario_file`` in its
    manifest) with the run's own ``--set`` overrides restated, so that they repeat the
    run but for the one setting each varies. They named the run's resolved copy
    whenever ``--set`` was given (an outside review, 2026-12-07: not the file the user
    ran); the resolved copy is named only when the manifest records no file.
    """
    import yaml

    from scosim.explore.forms import format_set
    from scosim.run_catalogue import model_overrides

    saved = Path(run_dir) / "scenario.yaml"
    try:
        scenario = yaml.safe_load(saved.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(scenario, Mapping):
        return None
    source = manifest.get("scenario_file")
    if not source:
        final = Path(run_dir).parent / str(manifest.get("run_id") or Path(run_dir).name)
        return scenario_spread(scenario, shlex.quote(str(final / "scenario.yaml")))
    sets = tuple(format_set(str(k), v)
                 for k, v in model_overrides(manifest.get("overrides")).items())
    return scenario_spread(scenario, shlex.quote(str(source)), sets)


def _set(sp: Spread, path: str, value: str) -> str:
    """```--set PATH=VALUE```, said to replace the run's own ``--set`` of that path."""
    own = [x for x in sp.sets if x.split("=", 1)[0] == path]
    instead = f" in place of the run's `{own[0]}`" if own else ""
    return f"`--set {path}={value}`{instead}"


def _vot_ends(vot: tuple[float, float]) -> list[float]:
    """The ends of Hummels and Schaur's range a run's value of time is not fixed at."""
    from scosim.network.vot import HUMMELS_SCHAUR_RANGE

    low, high = vot
    return [v for v in HUMMELS_SCHAUR_RANGE if not low == high == v]


def _plain(x: float) -> str:
    """``x`` without an exponent (0.00001, not 1e-05): a policy reader's form."""
    return np.format_float_positional(x, trim="-")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def drawn_quantities(sp: Spread, *, voted: bool) -> list[tuple[str, str]]:
    """What a scenario's runs draw, each as ``(what, how)``: the answer's list, and the figures'.

    The answer's "how sure" line says ``what (how)``; a figure's caption says ``what``
    alone (``network_gains.png``'s whiskers: until 2026-12-07 "which draw the trade
    elasticity and growth", though its runs drew the value of time, the corridors'
    failures and, with a gas project, the gas prices too).

    Args:
        sp: What the scenario draws (:func:`run_spread`).
        voted: Whether states voted in the run (the weights and the vote shocks count,
            unless every vote is committed: ``sp.scores_decide`` False).

    Returns:
        ``(what, how)`` pairs in the answer's order; ``how`` may be empty.
    """
    out: list[tuple[str, str]] = [("the growth shocks", "")] if sp.growth else []
    # Where every vote is committed the scores decide nothing: neither the drawn weights
    # nor the shocks to the scores move a band or a share.
    scored = voted and sp.scores_decide
    if scored and sp.weight_draw:
        lo, hi = CONFIDENCE_SET["sovereignty"]
        r_lo, r_hi = CONFIDENCE_SET["trust_ratio"]
        d_lo, d_hi = CONFIDENCE_SET["dominance"]
        n_lo, n_hi = CONFIDENCE_SET["vote_noise"]
        out.append((
            "the political weights and the vote noise",
            "drawn from the hindcasts' confidence "
            f"set: sovereignty {_plain(lo)}-{_plain(hi)}, trust {r_lo:g}-{r_hi:g} times it, "
            f"dominance {d_lo:g}-{d_hi:g}, an assumption, noise {n_lo:g}-{n_hi:g}; "
            "docs/hindcasts.md"))
    if sp.sigma_spread > 0:
        out.append(("the trade elasticity sigma", f"drawn in [{sp.sigma - sp.sigma_spread:g}, "
                             f"{sp.sigma + sp.sigma_spread:g}]"))
    out += [(f"{code}'s collection rate", f"drawn in [{c - d:g}, {c + d:g})")
            for code, c, d in sp.collection]
    if scored and sp.vote_noise > 0:
        out.append(("the shocks to the states' vote scores", ""))
    # The network mechanism draws the gas prices where a gas project is proposed; its
    # value of time (scosim.network.vot) is said on its own.
    for s in sp.slots:
        if s == "network":
            if sp.gas_prices:
                out.append(("the gas border price, the gas supply cost and the price in "
                            "the exporter's next-best market",
                            "the network mechanism's draws, each uniform over its range in "
                            "the network tables; docs/network.md"))
            out += [(f"the {name} mechanism's draws", "") for name in sp.network_others]
        else:
            out.append((f"the {s} mechanism's draws", ""))
    if sp.vot is not None and sp.vot[0] < sp.vot[1]:
        out.append(("the value of shipping time", f"drawn in [{100 * sp.vot[0]:g}, "
                                                  f"{100 * sp.vot[1]:g}] % of the cargo's "
                                                  "value a day"))
    if sp.failure_hazard is not None:
        base, sens = sp.failure_hazard
        out.append(("whether and when each corridor fails",
                    f"drawn from its yearly hazard, {_plain(base)} + {_plain(sens)} x its "
                    "route's instability; docs/network.md"))
    return out


def spread_lines(sp: Spread | None, st: RunStats, *, moved: bool, in_arrangement: bool,
                 exits_said: bool) -> list[str]:
    """The answer's line on what its runs vary and what they hold fixed, with commands.

    Args:
        sp: What the scenario draws (:func:`run_spread`); None: no line.
        st: The run's statistics (whether states voted).
        moved: Whether the answer prints welfare (then its band is named).
        in_arrangement: Whether a customs union or free-trade area was in force in the
            table's year in some run (then the exit threshold matters).
        exits_said: Whether the answer already pointed to ``scosim exits``.

    Returns:
        Wrapped lines; none without ``sp``.
    """
    if sp is None:
        return []
    voted = bool(st.votes)
    varied = [f"{short} ({detail})" if detail else short
              for short, detail in drawn_quantities(sp, voted=voted)]
    drawn = voted and sp.weight_draw
    fixed = ["the political weights"] if voted and sp.scores_decide and not drawn else []
    if sp.sigma_spread <= 0:
        fixed.append(f"sigma ({sp.sigma:g})")
    if sp.vot is not None and sp.vot[0] >= sp.vot[1]:
        fixed.append(f"the value of shipping time ({100 * sp.vot[0]:g} % of the cargo's "
                     "value a day)")
    threshold = sp.exit_threshold is not None and in_arrangement
    if threshold:
        fixed.append(f"the exit threshold ({100 * sp.exit_threshold:.2f} %)")
    if sp.havens:
        fixed.append("the safe-haven settings ("
                     + ", ".join(f"{n} {v:g}" for n, v in sp.havens) + ")")
    fixed.append(f"the trade-deficit closure ({sp.deficits})")
    own = "".join(f" --set {shlex.quote(x)}" for x in sp.sets)
    commands = [f"`scosim run {sp.scenario}{own}` with"]
    sets = []
    # Only what would change something: a weight already at the value suggested, or
    # weights no vote reads (every vote committed), are not offered.
    weigh = voted and sp.scores_decide
    # The dominance weight multiplies the relative-gains gap to the leader; where that gap
    # is 0 in every vote the run logged (no state's gain trails the leader's), no weight on
    # it changes a score (afghan_instability_rats.yaml: every state loses, the leader most),
    # nor where the suggested change moves no vote's score by a tenth of its distance from
    # the bar (vote_stats.DECISIVE): a gap of 1e-9 was enough to suggest it.
    published = _weight_default("dominance")
    change = published if sp.dominance == 0 else (sp.dominance or published)
    gap = st.vote_terms.term_decides("dominance", change)
    if weigh and not drawn and gap is not False:
        if sp.dominance == 0:
            sets.append(_set(sp, "parameters.weights.dominance", f"{published:g}")
                        + " (README: who vetoes turns on it; the shipped value, Powell's k)")
        else:
            sets.append(_set(sp, "parameters.weights.dominance", "0")
                        + " (README: who vetoes turns on it)")
    if weigh and not drawn:
        sets.append(_set(sp, "parameters.weights.draw", "confidence_set")
                    + " (draws them in each run from what the SCO record allows, "
                    "docs/hindcasts.md)")
    if weigh:
        if sp.security_weight > 0:
            # The votes' valuation of terrorism damage is an assumption (docs/security.md
            # section 6): ten times it values the indirect costs that deaths leave out.
            sets.append(_set(sp, "parameters.weights.security", f"{10 * sp.security_weight:g}")
                        + " (docs/security.md: the value of the terrorism damage avoided is an "
                        "assumption; a state's stake counts only incidents on its own "
                        "territory in 2018-2022, so attacks on Chinese nationals in Pakistan "
                        "count as Pakistan's, and a state with none gains nothing at any "
                        "weight: at most it loses a little where groups driven from "
                        "elsewhere find a haven, docs/model.md)")
    if sp.havens:
        # An accession's verdict turns on them (docs/security.md section 4).
        names = [n for n, _ in sp.havens]
        # Off where it is on; where it is off, on at the spec's default.
        first = 0.0 if sp.havens[0][1] > 0 else _default(names[0])
        sets.append(_set(sp, f"parameters.mechanism_settings.security.{names[0]}", f"{first:g}")
                    + " and likewise "
                    f"{_join(names[1:]) if len(names) > 1 else 'the others'} "
                    "(docs/security.md section 4: the incidents an accession or a RATS upgrade "
                    "moves, and an accession's verdict, turn on them; a sweep varies them run "
                    "by run)")
    if sp.sigma_spread <= 0:
        sets.append(_set(sp, "parameters.trade.sigma_spread", "1"))
    ends = _vot_ends(sp.vot) if sp.vot is not None else []
    if ends:
        # The corridors' gains and nets turn on it (docs/network.md, "How sure: the value
        # of time"): each end of Hummels and Schaur's range in every run (not the end a
        # run is already fixed at).
        sets.append(_set(sp, "parameters.network.vot_per_day", f"{ends[0]:g}")
                    + "".join(f" or `={v:g}`" for v in ends[1:])
                    + " (docs/network.md: the corridors' gains, and their sign net of what "
                    "a host pays, turn on the value of time)")
    other = "ratio" if sp.deficits == "level" else "level"
    sets.append(_set(sp, "parameters.trade.deficits", other)
                + " (README: it flips small importers' signs)")
    commands.append(_join(sets))
    if threshold and not exits_said:
        commands.append(f"; `scosim exits {sp.scenario}` gives the exits at every threshold")
    what = f"The {LOW}-{HIGH} % band and the shares of runs" if moved else "The shares of runs"
    runs = (f"span runs that differ only in {_join(varied)}" if varied
            else "span runs that draw nothing different")
    text = (f"{what} {runs}; {_join(fixed)} {'are' if len(fixed) > 1 else 'is'} the same in "
            f"every run. To vary {'them' if len(fixed) > 1 else 'it'}: "
            f"{' '.join(commands[:2])}{''.join(commands[2:])}.")
    return wrap_answer(text)
