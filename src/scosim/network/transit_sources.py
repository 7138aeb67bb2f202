"""Whose instability raises an economy's trade costs, and on which routes.

In ``afghan_corridor.yaml`` against ``afghan_corridor_stable.yaml`` (2035, 200 runs)
Armenia and Azerbaijan lose more welfare than Uzbekistan and Kyrgyzstan, though neither
borders Afghanistan nor has any instability of its own. The network prices an edge at the
instability of the most unstable economy it touches (:func:`scosim.network.projects.\
insecurity_multiplier`), so an economy's trade costs rise with the instability of every
economy its least-cost routes cross. This tool splits a run's rise by source: it reads the
instability the run's network used (``route_instability``, identical across runs: it is
the security mechanism's expected rate), steps the network with all of it and with each
source economy's alone, and gives each economy's trade-weighted cost change (the
``network_trade_cost_change_pct`` indicator) both ways, then the partner flows that carry
most of it and the unstable economies their routes cross.

The network is the run's own (:func:`scenario_network`): the tables its scenario keeps
(``parameters.network.measures``, ``--set`` included) and its value of time where one is
fixed for every run (``vot_per_day``); until 2026-12-07 the packaged defaults whatever the
run. Where each run draws its own value of time (docs/network.md, "How sure: the value of
time") it is the table's, so the totals are near, not equal to, the run's medians. The
parts need not add up to the total: an edge pays only its most unstable economy's rise,
and routes can switch.

Usage::

    python -m scosim.network.transit_sources RUN_DIR [--year YEAR] [--economy ARM ...]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scosim.network.routing import Routes
    from scosim.network.step import CorridorNetwork, NetworkStep

__all__ = ["Flow", "Split", "main", "operating_projects", "run_instability", "scenario_network",
           "split_by_source"]

#: Economies shown by default: those the README discusses.
SHOWN = ("TJK", "TKM", "ARM", "AZE", "IRN", "UZB", "KGZ", "KAZ")


@dataclass(frozen=True)
class Flow:
    """One partner flow's part of an economy's trade-cost rise.

    Attributes:
        partner: The partner's code.
        direction: ``"exports to"`` or ``"imports from"``.
        points: Its contribution to the trade-weighted rise, percentage points.
        share: Its share of the economy's trade (exports plus imports).
        via: The unstable economies (other than the two ends) its routes cross.
    """

    partner: str
    direction: str
    points: float
    share: float
    via: tuple[str, ...]


@dataclass(frozen=True)
class Split:
    """An economy's trade-cost rise, in all and by source of instability.

    Attributes:
        total: The rise with every source's instability, percentage points.
        by_source: ``{source code: rise with that source's instability alone}``.
        flows: The partner flows carrying most of ``total``, largest first.
        openness: Exports plus imports over GDP, base year: how much a given rise of
            trade costs weighs in the economy (Armenia 89 %, Uzbekistan 51 %).
    """

    total: float
    by_source: dict[str, float]
    flows: tuple[Flow, ...]
    openness: float


def run_instability(run_dir: str | Path, year: int | None = None
                    ) -> tuple[int, dict[str, float]]:
    """The year and ``{code: instability}`` the run's network used (mean over runs; > 0 only).

    Raises:
        ValueError: The run records no ``route_instability`` (the network slot empty), or
            does not simulate ``year``.
    """
    from scosim.results import read_wide

    w = read_wide(Path(run_dir) / "indicators", "route_instability")
    if w.empty:
        raise ValueError(f"{run_dir}: no route_instability recorded (a run with the network "
                         "slot filled, such as afghan_corridor, has it)")
    years = sorted(int(y) for y in w.index.get_level_values("year").unique())
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise ValueError(f"--year {year} is not simulated; the run covers "
                         f"{years[0]}-{years[-1]}")
    at = w.xs(year, level="year").mean(axis=0)
    return year, {str(c): float(v) for c, v in at.items() if v > 0}


def _via(net: CorridorNetwork, i: int, j: int, routes: Routes, unstable: set[int]
         ) -> set[int]:
    """Unstable economies (not ``i``, ``j``) on any route from ``i``'s to ``j``'s centres."""
    from scosim.network.routing import route_edges

    g = net.graph
    ce = np.asarray(g.centre_economy)
    out: set[int] = set()
    for a in np.flatnonzero(ce == i):
        for b in np.flatnonzero(ce == j):
            for e in route_edges(g, routes, 0, int(a), int(b)):
                out |= {int(k) for k in np.flatnonzero(g.edge_economies[e])} & unstable
    return out - {i, j}


def _params(scenario: Any) -> Any:
    """The scenario's ``parameters.network`` as :class:`~scosim.network.params.NetworkParams`."""
    from scosim.network.params import NetworkParams

    params = getattr(scenario.parameters, "network", None)
    return params if isinstance(params, NetworkParams) else \
        NetworkParams.model_validate(params or {})


def scenario_network(scenario: Any) -> CorridorNetwork:
    """The network a run of ``scenario`` steps: its kept tables and fixed value of time.

    As :class:`scosim.network.mechanism.CachedNetwork` builds it (``scenario_tables`` of
    ``parameters.network``; ``vot_per_day``, or a ``vot_range`` of one value, where set).
    """
    from scosim.network.mechanism import scenario_tables
    from scosim.network.step import CorridorNetwork
    from scosim.network.vot import fixed_vot

    params = _params(scenario)
    vot = fixed_vot(params)
    return CorridorNetwork(tables=scenario_tables(params),
                           params=None if vot is None else {"vot_per_day": vot})


def split_by_source(instability: dict[str, float], economies: Sequence[str],
                    projects: Sequence[str] = (), flows: int = 3,
                    net: CorridorNetwork | None = None) -> dict[str, Split]:
    """Each economy's trade-cost rise at ``instability``, in all and source by source.

    Args:
        instability: ``{code: index in [0, 1]}``, the sources (others 0).
        economies: Codes of the economies to split.
        projects: Ids of the corridor projects operating (``projects.csv``).
        flows: Partner flows listed per economy.
        net: The network to step (a run's: :func:`scenario_network`); default the packaged
            tables at their value of time.

    Returns:
        ``{code: Split}``, in percentage points of the trade-weighted cost change against
        the same network without instability.
    """
    from scosim.data import load_calibration
    from scosim.network.projects import (
        edge_open_mask,
        insecurity_multiplier,
        project_mask,
    )
    from scosim.network.routing import arc_weights, least_cost_routes
    from scosim.network.step import CorridorNetwork

    net = CorridorNetwork() if net is None else net
    codes = list(net.tables.economies)
    gdp = load_calibration().countries["gdp_usd"].reindex(codes).to_numpy(float)
    n = len(codes)

    def vec(d: dict[str, float]) -> np.ndarray:
        v = np.zeros(n)
        for c, x in d.items():
            v[codes.index(c)] = x
        return v

    def step(d: dict[str, float]) -> NetworkStep:
        return net.step(instability=vec(d), active_projects=list(projects))

    calm = step({})
    every = step(instability)
    rise = 100.0 * (every.indicators["trade_cost_change"][0]
                    - calm.indicators["trade_cost_change"][0])
    alone = {s: 100.0 * (step({s: x}).indicators["trade_cost_change"][0]
                         - calm.indicators["trade_cost_change"][0])
             for s, x in instability.items()}
    g = net.graph
    mult = insecurity_multiplier(vec(instability), g.edge_economies,
                                 net.params["insecurity_cost_factor"])
    act = project_mask(net.project_ids, list(projects))
    routes = least_cost_routes(g, arc_weights(g, mult, mult, edge_open_mask(g, act, None),
                                              None, act))
    unstable = {codes.index(c) for c in instability}
    trade = net.trade.copy()
    np.fill_diagonal(trade, 0.0)
    out: dict[str, Split] = {}
    for code in economies:
        i = codes.index(code)
        # As trade_weighted_change weighs them: the economy's exports and imports.
        w = np.concatenate([trade[i, :], trade[:, i]])
        dt = np.concatenate([every.t_hat[0, i, :] - calm.t_hat[0, i, :],
                             every.t_hat[0, :, i] - calm.t_hat[0, :, i]])
        part = 100.0 * w * dt / w.sum()
        top = [k for k in np.argsort(-part, kind="stable")[:flows] if part[k] > 0]
        listed = []
        for k in top:
            j = int(k % n)
            ends = (i, j) if k < n else (j, i)
            listed.append(Flow(codes[j], "exports to" if k < n else "imports from",
                               float(part[k]), float(w[k] / w.sum()),
                               tuple(codes[v] for v in sorted(_via(net, *ends, routes,
                                                                   unstable)))))
        out[code] = Split(float(rise[i]), {s: float(v[i]) for s, v in alone.items()},
                          tuple(listed), float(w.sum() / gdp[i]))
    return out


def _scenario_projects(run_dir: Path) -> list[str]:
    """The projects of the run's corridor proposals (``scenario.yaml``)."""
    import yaml

    try:
        doc = yaml.safe_load((run_dir / "scenario.yaml").read_text(encoding="utf-8")) or {}
    except OSError:
        return []
    return [str(p["project"]) for p in doc.get("proposals") or []
            if isinstance(p, dict) and p.get("type") == "corridor" and p.get("project")]


def _first_years(run_dir: Path) -> dict[str, int]:
    """``{project: year}`` each corridor of the run first operates.

    The median over the runs that built it (:func:`scosim.network.runplots.\
first_operating_years`); a project no run began is left out.
    """
    from scosim.network.mechanism import scenario_tables
    from scosim.network.runplots import first_operating_years
    from scosim.scenario.loader import load_scenario

    try:
        scenario = load_scenario(run_dir / "scenario.yaml")
    except (OSError, ValueError):
        return {}
    corridors = [p for p in scenario.proposals if p.type == "corridor"]
    return first_operating_years(run_dir, corridors,
                                 scenario_tables(scenario.parameters.network))


def operating_projects(projects: Sequence[str], first: dict[str, int], year: int
                       ) -> tuple[list[str], str]:
    """The projects operating in ``year``, and the words for the list.

    A proposed corridor operates from its first year (``first``); before it, or when no
    run built it, it is named "proposed" and the network is stepped without it (the
    Trans-Afghan railway, opening in 2033, was stepped in as operating in 2026).
    """
    operating = [p for p in projects if p in first and first[p] <= year]
    later = [f"{p} (operating from {first[p]}, median run)" if p in first
             else f"{p} (built in no run)" for p in projects if p not in operating]
    words = f"projects operating in {year}: {', '.join(operating) or 'none'}"
    if later:
        words += f"; proposed, not operating then: {', '.join(later)}"
    return operating, words


def _run_network(run_dir: Path) -> tuple[CorridorNetwork | None, str]:
    """The run's network (:func:`scenario_network`) and the words for its value of time.

    None (the packaged network) where the run has no readable ``scenario.yaml``.
    """
    from scosim.network.vot import fixed_vot
    from scosim.scenario.loader import load_scenario

    try:
        scenario = load_scenario(run_dir / "scenario.yaml")
    except (OSError, ValueError):
        return None, "packaged network tables (no scenario.yaml in the run), default value of time"
    net = scenario_network(scenario)
    vot = net.params["vot_per_day"]
    fixed = fixed_vot(_params(scenario)) is not None
    return net, (f"the run's network tables; value of time {100 * vot:g} % a day"
                 + ("" if fixed else " (the table's; each run draws its own)"))


def main(argv: Sequence[str] | None = None) -> int:
    """Print each economy's trade-cost rise by source of instability, and its routes."""
    from scosim.data.constants import ECONOMIES, NAMES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path, help="run directory with the network slot filled "
                    "(results/afghan_corridor/<run id>)")
    ap.add_argument("--year", type=int, default=None, help="year (default: the last)")
    ap.add_argument("--economy", action="append", default=None,
                    help=f"economy code, repeatable (default: {' '.join(SHOWN)})")
    a = ap.parse_args(argv)
    shown = a.economy or list(SHOWN)
    unknown = [c for c in shown if c not in ECONOMIES]
    if unknown:
        ap.error(f"--economy {', '.join(unknown)}: not an economy code; allowed: "
                 f"{', '.join(ECONOMIES)}")
    try:
        year, inst = run_instability(a.run, a.year)
    except (ValueError, OSError) as exc:
        ap.error(str(exc))
    projects, words = operating_projects(_scenario_projects(a.run), _first_years(a.run), year)
    net, vot_words = _run_network(a.run)
    print(f"Trade-cost rise by whose instability, {year}, percentage points (trade-weighted, "
          f"the network_trade_cost_change_pct indicator; {vot_words}; {words}). "
          "Instability the run's network used: "
          + ", ".join(f"{c} {v:.4f}" for c, v in sorted(inst.items(), key=lambda kv: -kv[1])))
    split = split_by_source(inst, shown, projects, net=net)
    sources = sorted(inst, key=lambda c: -inst[c])
    print(f"\n{'economy':<8}{'all':>8}" + "".join(f"{s + ' alone':>11}" for s in sources)
          + f"{'trade/GDP':>11}")
    for c in shown:
        s = split[c]
        print(f"{c:<8}{s.total:>+8.3f}" + "".join(f"{s.by_source[x]:>+11.3f}" for x in sources)
              + f"{100 * s.openness:>9.0f} %")
    print("trade/GDP: exports plus imports over GDP in the base year (the network's trade "
          "weights): the same rise of trade costs weighs more in a more open economy.")
    print("\nThe partner flows carrying most of it (points; share of the economy's trade; the "
          "unstable economies its routes cross):")
    for c in shown:
        parts = "; ".join(f"{f.direction} {f.partner} {f.points:+.3f} ({100 * f.share:.0f} %"
                          + (f", via {' '.join(f.via)})" if f.via else ")")
                          for f in split[c].flows)
        print(f"  {c} {NAMES.get(c, c)}: {parts or 'none'}")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
