"""Physical TEU a year on each edge of a run's freight corridors, and their route's totals.

``python -m scosim.network.report SCENARIO --edges`` prints it (the last year, or
``--year``'s: the answer's break-even line names its own year). The answer's
``corridor_fee_base_teu`` counts whole-route TEU equivalents (a TEU over one edge counts the
edge's share of the route's km); a transport economist wants the containers each section
carries. The network loads each edge with the trade value its least-cost routes carry and
converts it with ``value_per_teu_usd`` (US$54,500, the average value of containerised trade
per TEU in 2020, from UNCTAD's Review of Maritime Transport 2021 via Notteboom, Pallis and
Rodrigue) and ``tonnes_per_teu`` (10 t, a scosim
assumption), both in ``params.csv``: so a TEU here is US$54,500 of trade, and its tonnes
are 10 times it (docs/network.md, "Capacity and congestion"). This reads the TEU back from
the tonnes the step records (``NetworkStep.edge_flow_mt``).

The statistics are over the runs in which the project operates that year (built and not
failed: the network step's ``active`` input), as the answer's break-even is; a run whose
line has failed carries nothing on it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scosim.runstats import HIGH, LOW


def freight_projects(model: Any) -> list[str]:
    """The freight projects the scenario proposes, in proposal order, each once."""
    net = _net(model)
    carrier = net.tables.projects["carrier"]
    out: list[str] = []
    for p in model.scenario.proposals:
        if (p.type == "corridor" and carrier.get(p.project) == "freight"
                and p.project not in out):
            out.append(p.project)
    return [line.rstrip() for line in out]


def _net(model: Any) -> Any:
    from scosim.network.mechanism import shared_network

    return shared_network(model).net


def _active(model: Any) -> np.ndarray:
    """(R, P) bool: the projects the last year's network step had operating."""
    for slot, mech in model.mechanisms:
        if slot == "network" and "active" in getattr(mech, "inputs", {}):
            return np.asarray(mech.inputs["active"], bool)
    raise ValueError("the model has no network step: its scenario needs "
                     "parameters.mechanisms.network (corridor_network)")


def edge_teu_runs(model: Any, project: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Each of ``project``'s edges' TEU a year in every run, and the runs it operates in.

    Args:
        model: A stepped model with the network slot filled (``run_model``).
        project: A project id of the network's tables.

    Returns:
        ``(runs x edges TEU a year, (R,) bool operating)``; edge columns in the table's
        order.
    """
    net = _net(model)
    p = net.project_ids.index(project)
    cols = np.flatnonzero(net.graph.edge_project == p)
    mt = np.asarray(model.network_step.edge_flow_mt, float)[:, cols]
    teu = mt * 1e6 / float(net.params["tonnes_per_teu"])
    frame = pd.DataFrame(teu, columns=[net.edge_ids[c] for c in cols])
    return frame, _active(model)[:, p]


def route_totals(model: Any, project: str, teu: pd.DataFrame) -> pd.DataFrame:
    """Per run: whole-route TEU equivalents and TEU-km a year on ``project``'s route.

    The equivalents weigh each edge's TEU by its part of the route's fee, as the network
    splits it (its share of the route's km, or with ``fee_split: freight_rate`` of km x rate;
    :mod:`scosim.network.fee_split`): what ``corridor_fee_base_teu`` sums over the
    economies. TEU-km is each edge's TEU times its km.
    """
    net = _net(model)
    edges = net.tables.edges.loc[list(teu.columns)]
    km = edges["length_km"].to_numpy(float)
    share = net.fee_weights[[net.edge_ids.index(e) for e in teu.columns]]
    values = teu.to_numpy(float)
    return pd.DataFrame({"route_teu_equivalents": values @ share,
                         "teu_km": values @ km}, index=teu.index)


def edge_teu_table(model: Any, project: str) -> tuple[pd.DataFrame, int, int]:
    """``project``'s edges: km and TEU a year, median and 5-95 % over its operating runs.

    Returns:
        The table (one row per edge: ``from``, ``to``, ``km``, ``teu``, ``teu_low``,
        ``teu_high``, ``mt``; then a ``route`` row of whole-route TEU equivalents, whose km
        is the route's), the runs it operates in and the runs.
    """
    teu, on = edge_teu_runs(model, project)
    edges = _net(model).tables.edges.loc[list(teu.columns)]
    n_on, n_all = int(on.sum()), len(on)
    if not n_on:
        return pd.DataFrame(), 0, n_all
    tonnes = float(_net(model).params["tonnes_per_teu"])
    rows = []
    for e in teu.columns:
        v = teu.loc[on, e].to_numpy(float)
        low, high = np.percentile(v, [LOW, HIGH])
        rows.append({"edge": e, "from": edges.at[e, "from_node"],
                     "to": edges.at[e, "to_node"], "km": float(edges.at[e, "length_km"]),
                     "teu": float(np.median(v)), "teu_low": float(low),
                     "teu_high": float(high), "mt": float(np.median(v)) * tonnes / 1e6})
    route = route_totals(model, project, teu).loc[on]
    v = route["route_teu_equivalents"].to_numpy(float)
    low, high = np.percentile(v, [LOW, HIGH])
    # No tonnes for the equivalents: they are a fee's base, not a load.
    rows.append({"edge": "route", "from": "whole-route", "to": "TEU equivalents",
                 "km": float(edges["length_km"].sum()), "teu": float(np.median(v)),
                 "teu_low": float(low), "teu_high": float(high), "mt": np.nan})
    table = pd.DataFrame(rows).set_index("edge")
    table.attrs["teu_km"] = float(np.median(route["teu_km"]))
    return table, n_on, n_all


def edge_lines(model: Any, year: int | None = None) -> list[str]:
    """The ``--edges`` report: a table per freight project of the scenario, 80 columns.

    Args:
        model: A model stepped through ``year`` and no further (the step's state is that
            year's).
        year: The year it was stepped to; None: its last.
    """
    net = _net(model)
    year = model.years[-1] if year is None else int(year)
    value = float(net.params["value_per_teu_usd"])
    tonnes = float(net.params["tonnes_per_teu"])
    out = [f"{model.scenario.name}: seed {model.scenario.seed}, {model.R} runs, year {year}.",
           f"TEU a year on each edge (a TEU is US${value:,.0f} of trade, "
           f"{tonnes:g} t: params.csv);",
           "median and 5-95 % over the runs in which the line operates."]
    projects = freight_projects(model)
    if not projects:
        return [*out, "The scenario proposes no freight corridor."]
    for project in projects:
        table, n_on, n_all = edge_teu_table(model, project)
        out += ["", f"{project}: operates in {n_on} of {n_all} runs in {year}"]
        if table.empty:
            out.append("  it carries nothing in any run")
            continue
        out.append(f"{'edge':<6}{'from -> to':<32}{'km':>6}{'TEU, thousand':>14}"
                   f"{'5-95 %':>14}{'Mt':>7}")
        for e, r in table.iterrows():
            where = (f"{r['from']} -> {r['to']}" if e != "route"
                     else "whole route (TEU equivalents)")
            # The band at the median's precision: "8.5" beside "8-8" hid the spread.
            band = f"{r['teu_low'] / 1e3:,.1f}-{r['teu_high'] / 1e3:,.1f}"
            mt = "" if np.isnan(r["mt"]) else f"{r['mt']:.2f}"
            out.append(f"{e:<6}{where[:31]:<32}{r['km']:>6,.0f}{r['teu'] / 1e3:>14,.1f}"
                       f"{band:>14}{mt:>7}")
        out.append(f"  TEU-km on the route: {table.attrs['teu_km'] / 1e6:,.0f} million a year "
                   "(median; each edge's TEU x its km)")
        out += _fee_parts(net, list(table.index[:-1]))
    out += ["", *_split_note(net.fee_split)]
    return [line.rstrip() for line in out]


def _fee_parts(net: Any, edges: list[str]) -> list[str]:
    """Each edge's part of its route's fee, in percent, as the run splits it (wrapped)."""
    import textwrap

    how = "km x freight rate" if net.fee_split == "freight_rate" else "km"
    # A no-break space holds each edge's figure on one line (textwrap breaks on ASCII ones).
    parts = ", ".join(f"{e}\xa0{100 * net.fee_weights[net.edge_ids.index(e)]:.1f}\xa0%"
                      for e in edges)
    return [line.replace("\xa0", " ") for line in textwrap.wrap(
        f"Each edge's part of the route's fee (by {how}): {parts}", width=80,
        initial_indent="  ", subsequent_indent="  ")]


def _split_note(split: str) -> list[str]:
    """What the whole-route row weighs each edge's TEU by; by km, said as the assumption."""
    if split == "freight_rate":
        return ["Whole-route TEU equivalents weigh each edge's TEU by its share of the",
                "route's km x freight rate (fee_split: freight_rate): summed over the",
                "economies, the answer's corridor_fee_base_teu (docs/network.md, \"What the",
                "answer says at fee 0\")."]
    return ["Whole-route TEU equivalents weigh each edge's TEU by its share of the",
            "route's km: summed over the economies, the answer's corridor_fee_base_teu",
            "(docs/network.md, \"What the answer says at fee 0\"). By km is an assumption",
            "(no source gives these lines' transit tariffs); --set",
            "parameters.network.fee_split=freight_rate splits by km x the edge's freight",
            "rate instead."]
