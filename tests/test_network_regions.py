"""Regional centres: cited populations, the weighted-mean identity, what they change.

China, Kyrgyzstan and Uzbekistan have regional centres where the China-Kyrgyzstan-Uzbekistan
railway reaches (docs/network.md, "Regional centres"); with one centre per economy the
railway changed no bilateral cost.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from scosim.network import CorridorNetwork
from scosim.network.routing import arc_weights, least_cost_routes
from scosim.network.tables import TABLES_DIR, load_network, read_network

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "network.md"
#: Regional centre -> its economy's capital centre.
REGIONAL = {"CHN_KASHGAR": "CHN_BEIJING", "KGZ_JALALABAD": "KGZ_BISHKEK",
            "KGZ_OSH": "KGZ_BISHKEK", "UZB_ANDIJAN": "UZB_TASHKENT"}


def _centres(tables) -> list[str]:
    """Centre node ids in the freight graph's centre order."""
    n = tables.nodes
    return list(n[n["kind"].isin(("centre", "gateway")) & n["economy"].isin(tables.economies)]
                .index)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_centre_weights_are_the_populations_their_source_cites():
    """Each weight of a multi-centre economy appears, in thousands, in its cited source.

    The citation also gives the economy's total; the centres' weights must add up to it,
    so no region is counted twice or left out.
    """
    t = load_network()
    nodes = t.nodes
    for economy in ("CHN", "KGZ", "UZB"):
        centres = nodes[(nodes["economy"] == economy) & (nodes["kind"] == "centre")]
        assert len(centres) >= 2, economy
        ids = {s for src in centres["source"] for s in src.split(";") if s.startswith("pop_")}
        assert len(ids) == 1, (economy, ids)
        citation = t.sources.loc[ids.pop(), "citation"]
        cited = {_number(x) for x in re.findall(r"\d[\d,]*\.\d", citation)}
        for node, w in centres["centre_weight"].items():
            assert w in cited, (node, w, sorted(cited))
        totals = [_number(x) for x in re.findall(r"(?:China|total) (\d[\d,]*(?:\.\d)?)",
                                                  citation)]
        assert totals, citation
        # The total is cited in persons or in thousands; the weights are thousands.
        total = totals[0] / 1000.0 if totals[0] > 1e6 else totals[0]
        assert centres["centre_weight"].sum() == pytest.approx(total, abs=0.15), economy


def test_economy_cost_is_the_weighted_mean_over_both_economies_centres():
    """China-Uzbekistan cost = sum over centre pairs of w_a w_b cost(a, b) + endpoints."""
    net = CorridorNetwork()
    g, t = net.graph, net.tables
    routes = least_cost_routes(g, arc_weights(g))
    order = _centres(t)
    i, j = t.economies.index("CHN"), t.economies.index("UZB")
    w = t.nodes.loc[order, "centre_weight"].to_numpy(float)
    econ = t.nodes.loc[order, "economy"].to_numpy()
    share = {n: w[k] / w[econ == econ[k]].sum() for k, n in enumerate(order)}
    a_side = [k for k, n in enumerate(order) if econ[k] == "CHN"]
    b_side = [k for k, n in enumerate(order) if econ[k] == "UZB"]
    assert len(a_side) == 2 and len(b_side) == 2
    by_hand = sum(share[order[a]] * share[order[b]] * routes.centre_cost[0, a, b]
                  for a in a_side for b in b_side)
    by_hand += g.generalized(g.endpoint_money, g.endpoint_days)[i, j]
    assert routes.cost[0, i, j] == pytest.approx(by_hand, rel=1e-12)
    assert share["UZB_ANDIJAN"] == pytest.approx(10_080_960 / 35_271_276, abs=1e-5)


@pytest.fixture(scope="module")
def one_centre(tmp_path_factory: pytest.TempPathFactory):
    """The packaged tables with every regional centre folded back into its capital."""
    d = tmp_path_factory.mktemp("one_centre") / "tables"
    shutil.copytree(TABLES_DIR, d)
    path = d / "nodes.csv"
    lines = path.read_text().split("\n")
    for k, line in enumerate(lines):
        f = line.split(",")
        if f[0] in REGIONAL:
            f[2], f[6] = "junction", ""
        elif f[0] in REGIONAL.values():
            f[6] = "1"
        lines[k] = ",".join(f)
    path.write_text("\n".join(lines))
    return CorridorNetwork(tables=read_network(d))


def test_the_railway_moves_costs_only_through_the_regions_it_reaches(one_centre):
    """With one centre per economy CKU changed no cost; with regions it lowers CHN-KGZ/UZB.

    Beijing-Tashkent keeps its route through Kazakhstan, so the whole fall is the regional
    centres' (Kashgar, Jalal-Abad, Andijan); Osh keeps the Irkeshtam road.
    """
    e = one_centre.tables.economies
    before = one_centre.step(active_projects=["CKU_RAIL"]).t_hat[0]
    assert np.all(before == 1.0)
    net = CorridorNetwork()
    after = net.step(active_projects=["CKU_RAIL"]).t_hat[0]
    c, k, u = e.index("CHN"), e.index("KGZ"), e.index("UZB")
    for a, b in ((c, u), (u, c), (c, k), (k, c)):
        assert after[a, b] < 0.998, (e[a], e[b])
    assert np.all(after <= 1.0)
    # Centre pairs: which routes the railway changes.
    g, order = net.graph, _centres(net.tables)
    from scosim.network.projects import edge_open_mask

    act = np.array([[p == "CKU_RAIL" for p in net.project_ids]])
    base = least_cost_routes(g, arc_weights(g)).centre_cost[0]
    with_cku = least_cost_routes(g, arc_weights(g, edge_open=edge_open_mask(g, act, None),
                                                active_projects=act)).centre_cost[0]
    pos = {n: order.index(n) for n in order}
    changed = {(a, b) for a in ("CHN_BEIJING", "CHN_KASHGAR")
               for b in ("UZB_TASHKENT", "UZB_ANDIJAN", "KGZ_BISHKEK", "KGZ_OSH",
                         "KGZ_JALALABAD")
               if with_cku[pos[a], pos[b]] < base[pos[a], pos[b]] * (1 - 1e-9)}
    assert ("CHN_BEIJING", "UZB_ANDIJAN") in changed
    assert ("CHN_BEIJING", "KGZ_JALALABAD") in changed
    assert ("CHN_BEIJING", "UZB_TASHKENT") not in changed
    assert ("CHN_BEIJING", "KGZ_OSH") not in changed
    assert ("CHN_BEIJING", "KGZ_BISHKEK") not in changed


def test_other_corridors_keep_their_one_centre_results_where_no_region_is_on_the_route(
        one_centre):
    """INSTC's India-Russia fall does not involve the three economies: identical either way."""
    e = one_centre.tables.economies
    i, r = e.index("IND"), e.index("RUS")
    a = one_centre.step(active_projects=["INSTC_CHABAHAR"]).t_hat[0]
    b = CorridorNetwork().step(active_projects=["INSTC_CHABAHAR"]).t_hat[0]
    assert a[i, r] == b[i, r] < 1.0


def test_corridor_cku_welfare_in_docs_is_what_the_scenario_gives(tmp_path: Path):
    """docs/network.md quotes the 6-run means of `scosim run scenarios/corridor_cku.yaml`."""
    from scosim.runner import run

    res = run(str(ROOT / "scenarios" / "corridor_cku.yaml"), out=str(tmp_path),
              progress=False, plots=False)
    ind = res.indicators
    w = ind[(ind["indicator"] == "welfare_change_pct") & (ind["year"] == 2035)]
    by = w.groupby("country")["value"]
    mean, low, high = by.mean(), by.quantile(0.05), by.quantile(0.95)
    text = " ".join(DOC.read_text().split())
    quoted = (f"Kyrgyzstan's real income rises {mean['KGZ']:.2f} percent ({low['KGZ']:.2f} to "
              f"{high['KGZ']:.2f} over the runs) and Uzbekistan's {mean['UZB']:.2f} "
              f"({low['UZB']:.2f} to {high['UZB']:.2f})")
    assert quoted in text, quoted
    # Positive where the line stands in 2035; where the run's drawn failure stopped it
    # (since 2026-12-07) its gain is gone: here before it opened, so exactly none.
    failed = ind[(ind["indicator"] == "corridor_failed") & (ind["year"] == 2035)
                 & (ind["country"] == "KGZ")].set_index("run")["value"]
    hosts = w[w["country"].isin(["KGZ", "UZB"])].set_index("run")["value"]
    standing = hosts[failed.reindex(hosts.index).to_numpy() == 0]
    assert len(standing) > 0 and (standing > 0).all()
    assert (hosts[failed.reindex(hosts.index).to_numpy() == 1] == 0).all()
    others = mean.drop(["KGZ", "UZB"])
    assert others.abs().max() < 0.005
