"""The figures docs/network.md quotes are the model's: a change that moves them fails here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from scosim.network import CorridorNetwork
from scosim.network.comcec import comcec_comparison

DOC = Path(__file__).resolve().parents[1] / "docs" / "network.md"


@pytest.fixture(scope="module")
def net():
    return CorridorNetwork()


def test_comcec_table_in_docs_matches_model(net):
    text = DOC.read_text()
    table = comcec_comparison(net.graph)
    for route in table.index:
        days = f"{table.loc[route, 'days']:.1f}"
        usd = f"{table.loc[route, 'usd']:,.0f}"
        assert f"| {days} |" in text, (route, days)
        assert f"| {usd} |" in text, (route, usd)


def _without_measures(graph):
    empty = np.zeros(0)
    return dataclasses.replace(graph, measure_arc=empty.astype(np.int64),
                               measure_project=empty.astype(np.int64), measure_money=empty,
                               measure_days=empty)


def test_corridor_figures_in_docs_match_model(net):
    text = " ".join(DOC.read_text().split())
    e = net.tables.economies
    i, r, p, u = e.index("IND"), e.index("RUS"), e.index("PAK"), e.index("UZB")
    n, k, a = e.index("IRN"), e.index("KAZ"), e.index("AFG")
    project = ["INSTC_CHABAHAR"]
    instc = net.step(active_projects=project).t_hat[0]
    free = net.step(active_projects=project, congestion=False).t_hat[0]
    afghan = net.step(active_projects=["TRANS_AFGHAN_RAIL"]).t_hat[0]
    cku = net.step(active_projects=["CKU_RAIL"]).t_hat[0]
    c, g = e.index("CHN"), e.index("KGZ")
    pct = lambda x: f"{100 * (1 - x):.2f} percent"  # noqa: E731
    quoted = {
        "lowers India's trade costs with Russia by": pct(instc[i, r]),
        "with Iran by": pct(instc[i, n]),
        "with Uzbekistan by": pct(instc[i, u]),
        "with Kazakhstan by": pct(instc[i, k]),
        "Indian exports to Afghanistan by": pct(instc[i, a]),
        "India-Russia would fall": f"{100 * (1 - free[i, r]):.1f} percent",
        "the largest fall of any pair is": pct(instc.min()),
        "Pakistan-Uzbekistan costs by": pct(afghan[p, u]),
        "railway** lowers China-Uzbekistan costs by": pct(cku[c, u]),
        "and China-Kyrgyzstan costs by": pct(cku[c, g]),
        "exports cross to Afghanistan) lowers India-Afghanistan costs by":
            pct(net.step(lifted=["T01"]).t_hat[0, i, a]),
    }
    for lead, figure in quoted.items():
        assert f"{lead} {figure}" in text, (lead, figure)
    assert np.all(instc <= 1.0)
    # The decomposition table: rail links only, measures only, the whole project.
    g = net.graph
    net.graph = _without_measures(g)
    try:
        links = net.step(active_projects=project).t_hat[0]
    finally:
        net.graph = g
    own = np.array([x == "INSTC_CHABAHAR" for x in net.tables.edges["project"]])
    measures = net.step(active_projects=project, closed_edges=own[None]).t_hat[0]
    for name, j in (("Iran", n), ("Russia", r), ("Kazakhstan", k), ("Uzbekistan", u)):
        row = " | ".join(f"{100 * (m[i, j] - 1):.2f}".replace("-0.00", "0.00")
                         for m in (links, measures, instc))
        assert f"| {name} | {row} |" in text, (name, row)
