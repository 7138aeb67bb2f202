"""What a corridor run's answer and figures say about who pays and what the project bundles.

Two notes, read from a run's resolved ``scenario.yaml`` and the network tables:

* :func:`payer_lines`: for each corridor proposal, the rule that produced its hosts'
  payments: the scenario's ``host_shares``, the published shares of ``projects.csv``
  (TAPI's owners' equity, the CKU joint venture's capital) or, where none is published,
  the length of new line in each host's territory, an assumption.
* :func:`measure_lines`: where a corridor brings measures of ``project_measures.csv`` that
  its build cost does not pay for (``costed: no``: the INSTC's harmonised customs at ports
  and crossings of five states), how much of each economy's trade-cost fall they make
  (:func:`bundled_measures`) and the paired commands that give their part of the welfare
  gain (the same scenario with ``parameters.network.measures: costed``).

docs/network.md, "Who pays" and "The investment without the reforms bundled with it".
"""

from __future__ import annotations

import functools
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scosim.data.constants import NAMES
from scosim.tty_lines import answer_lines

#: Shipped scenarios and their twin without the bundled reforms, by shipped name (a path
#: under scenarios/ named no file after pip install; the name runs from either).
TWINS: dict[str, str] = {"corridor_instc": "scosim:corridor_instc_rail_only"}
#: Largest number of economies a note names.
SHOWN = 6


@dataclass(frozen=True)
class Bundled:
    """Measures a corridor brings that its build cost does not pay for.

    Attributes:
        project: The project id.
        ids: The measure ids (``project_measures.csv``, ``costed: no``) the run keeps.
        economies: Codes of the economies whose ports or crossings they change.
        share: ``{code: (share of its trade-cost fall, full change)}`` for economies whose
            trade-weighted cost falls, largest fall first; the change is a fraction.
    """

    project: str
    ids: tuple[str, ...]
    economies: tuple[str, ...]
    share: dict[str, tuple[float, float]]


def _scenario(run_dir: str | Path) -> Any | None:
    """The run's scenario when it has a corridor proposal and the network slot (else None)."""
    import yaml

    saved = Path(run_dir) / "scenario.yaml"
    if not saved.exists():
        return None
    raw = yaml.safe_load(saved.read_text(encoding="utf-8"))
    if not isinstance(raw, Mapping) or not any(
            isinstance(p, Mapping) and p.get("type") == "corridor"
            for p in raw.get("proposals") or []):
        return None
    from scosim.scenario.loader import load_scenario

    return load_scenario(saved)


def _pct(shares: Mapping[str, float]) -> str:
    ranked = sorted(((c, v) for c, v in shares.items() if v > 0), key=lambda cv: -cv[1])
    return ", ".join(f"{c} {100 * v:.3g} %" for c, v in ranked)


#: The rules in a figure's title.
SHORT_RULES: dict[str, str] = {"scenario": "the scenario's host_shares",
                               "published": "published shares",
                               "partly_published": "partly published, partly by km "
                                                   "(an assumption)",
                               "length": "by km of territory (an assumption)",
                               "single": "its only host pays"}


def payer_rules(scenario: Any) -> list[tuple[str, str, str, dict[str, float]]]:
    """For each corridor proposal: ``(id, rule in words, rule in short, shares)``.

    The rule is the scenario's ``host_shares``, ``projects.csv``'s published shares or
    the length of new line in each host's territory (:func:`~scosim.network.projects.
    default_host_shares`); a project with a single paying host says so.
    """
    from scosim.network.projects import default_host_shares, share_rule_text
    from scosim.network.tables import load_network

    tables = load_network()
    out = []
    for p in scenario.proposals:
        if p.type != "corridor":
            continue
        if p.host_shares:
            rule, shares = "scenario", {c: float(v) for c, v in p.host_shares.items()}
        else:
            arr, rule = default_host_shares(tables, p.project)
            shares = {c: float(v) for c, v in zip(tables.economies, arr, strict=True)}
        paying = [c for c, v in shares.items() if v > 0]
        if len(paying) == 1:
            out.append((p.id, f"its only host, {paying[0]}, pays it all", SHORT_RULES["single"],
                        shares))
            continue
        words = f"the hosts' cost shares are {share_rule_text(tables, p.project, rule)}"
        out.append((p.id, words, SHORT_RULES[rule], shares))
    return out


def payer_lines(run_dir: str | Path) -> list[str]:
    """One wrapped line per corridor proposal: the rule behind its hosts' payments."""
    scenario = _scenario(run_dir)
    if scenario is None:
        return []
    out: list[str] = []
    projects = {p.id: p.project for p in scenario.proposals if p.type == "corridor"}
    for pid, words, short, shares in payer_rules(scenario):
        said = words if short == SHORT_RULES["single"] else f"{words}: {_pct(shares)}"
        text = f"Who pays for {pid} ({projects[pid]}): {said}."
        out += answer_lines(text)
    return out


def lender_name(scenario: Any) -> str | None:
    """Who lends to the scenario's bank-financed corridors, in a figure's words (None: none).

    Without a ``development_bank`` proposal no SCO Development Bank is in force, and the
    loan is the default lender's (:func:`scosim.network.bank_link.lenders`): no
    institution, the members' lending on their own terms, owned by every member by its
    base-year GDP, at the members' cost of funds, with no risk premium. The answer and
    ``network_who_pays.png`` charged "a lending bank's owner" without saying so, while the
    scenario files said no bank is in force (an outside review, 2026-12-07).
    """
    from scosim.network.finance import COST_OF_FUNDS

    if not any(p.type == "corridor" and p.financing != "budget" for p in scenario.proposals):
        return None
    default = (f"a hypothetical members-owned lender, shares by GDP, lending at "
               f"{100 * COST_OF_FUNDS:g} %")
    banks = [p.id for p in scenario.proposals if p.type == "development_bank"]
    if not banks:
        return default
    return f"the scenario's development bank ({', '.join(banks)}) where in force, else {default}"


def lender_lines(run_dir: str | Path) -> list[str]:
    """The answer's line on who lends to each bank-financed corridor, and who owns it."""
    from scosim.network.corridor_financing import _BANK

    scenario = _scenario(run_dir)
    if scenario is None:
        return []
    banks = [p.id for p in scenario.proposals if p.type == "development_bank"]
    out: list[str] = []
    for p in scenario.proposals:
        if p.type != "corridor" or p.financing == "budget":
            continue
        terms = (f"a hypothetical members-owned lender, shares by GDP (every member by its "
                 f"base-year GDP), lending {100 * p.core.bank_share:g} % of the cost at the "
                 f"members' {100 * _BANK['rate']:g} % cost of funds, {_BANK['tenor']} years "
                 f"with {_BANK['grace']} of grace, no risk premium (docs/network.md: it "
                 "stands for lending terms, not an institution)")
        if banks:
            text = (f"Who lends to {p.id} ({p.financing}): the scenario's development bank "
                    f"({', '.join(banks)}) in the runs where it is in force and lends; "
                    f"where none is in force, {terms}; where every bank in force declines, "
                    "the hosts' budgets.")
        else:
            text = (f"Who lends to {p.id} ({p.financing}): no SCO Development Bank is "
                    f"proposed, so it borrows from {terms}.")
        out += answer_lines(text)
    return out


def bundled_measures(scenario: Any) -> list[Bundled]:
    """The uncosted measures each corridor of ``scenario`` brings, and their cost effect.

    For each corridor project with measures the run keeps (``parameters.network.measures``)
    that its build cost does not pay for: the trade-weighted cost change of each economy
    with the project operating alone (no instability, the scenario's congestion setting
    and value of time), with and without those measures, on the packaged calibration's
    trade (as the run's network map). Network steps only, no GE solve; computed once per
    setting in a process (the answer and the gains figure both say it).
    """
    from scosim.network.mechanism import measures_key
    from scosim.network.vot import fixed_vot

    params = scenario.parameters.network
    projects = tuple(dict.fromkeys(p.project for p in scenario.proposals
                                   if p.type == "corridor"))
    # Where each run draws its value of time, at the table's (the middle of the range).
    return list(_bundled(projects, measures_key(params), fixed_vot(params),
                         params.congestion))


@functools.lru_cache(maxsize=8)
def _bundled(projects: tuple[str, ...], measures: tuple[str, ...], vot_per_day: float | None,
             congestion: bool) -> tuple[Bundled, ...]:
    import dataclasses

    from scosim.data import load_calibration
    from scosim.data.calibration import derived
    from scosim.network.mechanism import network_key, scenario_tables
    from scosim.network.params import NetworkParams
    from scosim.network.step import CorridorNetwork

    choice = measures[0] if measures and measures[0] in ("all", "costed", "none") else list(
        measures)
    params = NetworkParams(measures=choice, vot_per_day=vot_per_day, congestion=congestion)
    tables = scenario_tables(params)
    kept = tables.measures
    out: list[Bundled] = []
    over = {} if params.vot_per_day is None else {"vot_per_day": params.vot_per_day}
    full_net = without_net = None
    for project in projects:
        rows = kept[(kept["project"] == project) & ~kept["costed"].astype(bool)]
        if rows.empty:
            continue
        if full_net is None:
            # The network with the measures the run keeps is the run's own when the run
            # used the packaged calibration and its trade (the same key in the
            # calibration's memo, scosim.network.mechanism.CachedNetwork): taken from
            # there, not built again. Only the network without the reforms is new.
            cal = load_calibration()
            trade = cal.trade_matrix()
            key = network_key(tables.economies, params.vot_per_day, trade, measures)
            full_net = derived(cal, key, functools.partial(
                CorridorNetwork, tables=tables, trade=trade, params=over,
                economies=tables.economies))
        without = dataclasses.replace(tables, measures=kept.drop(index=rows.index))
        without_net = CorridorNetwork(tables=without, params=over)
        full = full_net.step(active_projects=[project], congestion=params.congestion)
        less = without_net.step(active_projects=[project], congestion=params.congestion)
        a = full.indicators["trade_cost_change"][0]
        b = less.indicators["trade_cost_change"][0]
        order = sorted(range(len(a)), key=lambda k: a[k])
        share = {tables.economies[k]: (float((a[k] - b[k]) / a[k]), float(a[k]))
                 for k in order if a[k] < -1e-4}
        econ = []
        for target in rows["target"]:
            if target in tables.nodes.index:
                econ.append(tables.nodes.loc[target, "economy"])
            else:
                econ += list(tables.edges.loc[target, "economies"])
        out.append(Bundled(project, tuple(rows.index),
                           tuple(c for c in tables.economies if c in set(econ)), share))
    return tuple(out)


def _shares_text(b: Bundled, n: int = SHOWN) -> str:
    return ", ".join(f"{NAMES.get(c, c)} {100 * s:.0f} % (of {100 * v:+.2f} %)"
                     for c, (s, v) in list(b.share.items())[:n])


def measure_lines(run_dir: str | Path, manifest: Mapping[str, Any]) -> list[str]:
    """What the uncosted measures of a run's corridors make of its gains, and how to pair it.

    Args:
        run_dir: The run's directory (its ``scenario.yaml``).
        manifest: The run's manifest: seed, replications, run id, scenario file, overrides.

    Returns:
        Wrapped lines; none when no corridor of the run brings such measures.
    """
    from scosim.attribution import rerun_scenario

    scenario = _scenario(run_dir)
    if scenario is None:
        return []
    bundled = bundled_measures(scenario)
    if not bundled:
        return []
    seed, reps = manifest.get("seed"), manifest.get("replications")
    final = Path(run_dir).parent / str(manifest.get("run_id") or Path(run_dir).name)
    # The file the user ran, with the run's own --set (its measures= set replaced).
    path, dropped = rerun_scenario(run_dir, manifest, "parameters.network.measures")
    lines: list[str] = []
    for b in bundled:
        names = ", ".join(NAMES.get(c, c) for c in b.economies)
        text = (f"{b.project} brings {len(b.ids)} reforms of customs procedures that its "
                f"build cost does not pay for and no state is charged for "
                f"(project_measures.csv, costed: no) in {names}. They make this share of "
                f"each economy's trade-weighted cost fall (the project alone): "
                f"{_shares_text(b)}.")
        lines += answer_lines(text)
    twin = TWINS.get(scenario.name)
    text = ("Their part of the welfare gain is the paired difference against the same "
            "scenario without them, at the same seed and replications: "
            f"`scosim run {path} --set parameters.network.measures=costed --seed {seed} "
            f"--replications {reps}`"
            + (f" (in place of the run's `--set {dropped[0]}`)" if dropped else "")
            + f", then `scosim compare {shlex.quote(str(final))} "
            "<that run's directory>`"
            + (f" (the shipped twin is {twin})." if twin else "."))
    return lines + answer_lines(text)
