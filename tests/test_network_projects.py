"""Corridor projects, insecurity, congestion, energy corridors and the yearly network step."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.network.energy import delivered_flows, energy_indicators, energy_links
from scosim.network.projects import (
    congestion_multiplier,
    insecurity_multiplier,
    project_mask,
    project_operating,
    sanction_multiplier,
)
from scosim.network.step import CorridorNetwork, trade_weighted_change
from scosim.network.tables import load_network


@pytest.fixture(scope="module")
def net():
    return CorridorNetwork()


def ix(code: str) -> int:
    return load_network().economies.index(code)


def test_project_mask_and_operating_years():
    ids = ("A", "B", "C")
    assert project_mask(ids, ["B"]).tolist() == [[False, True, False]]
    with pytest.raises(ValueError, match="unknown project"):
        project_mask(ids, ["D"])
    # Built over 5 years from 2026: operating from 2031, never if not started.
    assert project_operating(2030, [2026, -1], [5, 5]).tolist() == [False, False]
    assert project_operating(2031, [2026, -1], [5, 5]).tolist() == [True, False]


def test_insecurity_and_sanction_multipliers():
    touch = np.array([[True, False, False], [True, True, False], [False, False, False]])
    s = np.array([[0.0, 0.5, 1.0], [0.2, 0.1, 0.0]])
    m = insecurity_multiplier(s, touch, factor=2.0)
    # edge 1 touches economies 0 and 1: the worst instability counts; edge 2 touches none.
    np.testing.assert_allclose(m, [[1.0, 2.0, 1.0], [1.4, 1.4, 1.0]])
    with pytest.raises(ValueError, match=r"instability must be in \[0, 1\]"):
        insecurity_multiplier([[1.5, 0, 0]], touch)
    sm = sanction_multiplier([[1.0, 3.0, 1.0]], touch)
    np.testing.assert_allclose(sm, [[1.0, 3.0, 1.0]])
    with pytest.raises(ValueError, match="finite and >= 1"):
        sanction_multiplier([[0.5, 1, 1]], touch)


def test_congestion_is_bpr_and_monotone():
    c = congestion_multiplier([0.0, 5.0, 10.0, 20.0], [10.0, 10.0, 10.0, np.inf])
    np.testing.assert_allclose(c, [1.0, 1.0 + 0.15 / 16, 1.15, 1.0])
    grid = congestion_multiplier(np.linspace(0, 30, 31), np.full(31, 10.0))
    assert np.all(np.diff(grid) >= 0)
    with pytest.raises(ValueError, match="capacities must be > 0"):
        congestion_multiplier([1.0], [0.0])


def test_baseline_step_gives_t_hat_exactly_one(net):
    out = net.step()
    assert out.t_hat.shape == (1, 28, 28)
    assert np.all(out.t_hat == 1.0)
    assert np.all(out.indicators["trade_cost_change"] == 0.0)


def test_instc_lowers_india_russia_costs_only_downwards(net):
    out = net.step(active_projects=["INSTC_CHABAHAR"])
    t = out.t_hat[0]
    assert t[ix("IND"), ix("RUS")] < 0.999 and t[ix("RUS"), ix("IND")] < 0.999
    # A new link can only lower costs (the old road link over the gap stays open).
    assert np.all(t <= 1.0)
    assert out.indicators["trade_cost_change"][0, ix("IND")] < 0


def test_trans_afghan_rail_and_afghan_instability(net):
    inst = np.zeros((3, 28))
    inst[1, ix("AFG")] = 0.2
    inst[2, ix("AFG")] = 0.9
    out = net.step(inst, active_projects=np.tile(
        [p == "TRANS_AFGHAN_RAIL" for p in net.project_ids], (3, 1)))
    pu = out.t_hat[:, ix("PAK"), ix("UZB")]
    assert pu[0] < 0.99  # the railway cuts Pakistan-Uzbekistan costs
    assert pu[0] < pu[1] <= pu[2]  # instability in Afghanistan erodes the gain
    # Afghanistan's own trade costs rise with its instability (routes cross it).
    afg = out.indicators["trade_cost_change"][:, ix("AFG")]
    assert afg[0] < afg[1] < afg[2]


def test_closing_edges_never_lowers_costs(net):
    rng = np.random.default_rng(7)
    closed = rng.random((2, len(net.edge_ids))) < 0.05
    out = net.step(closed_edges=closed)
    assert np.all(out.t_hat >= 1.0)
    assert np.all(out.t_hat <= net.graph.max_t_hat)


def test_transit_fee_raises_cost_of_corridor_users(net):
    free = net.step(active_projects=["INSTC_CHABAHAR"], congestion=False)
    fee = np.zeros((1, len(net.project_ids)))
    fee[0, net.project_ids.index("INSTC_CHABAHAR")] = 300.0
    paid = net.step(active_projects=["INSTC_CHABAHAR"], transit_fee=fee, congestion=False)
    assert paid.t_hat[0, ix("IND"), ix("RUS")] > free.t_hat[0, ix("IND"), ix("RUS")]
    assert np.all(paid.t_hat <= 1.0 + 1e-15)


def test_trade_weighted_change_identity():
    trade = np.array([[5.0, 1.0, 3.0], [2.0, 5.0, 0.0], [1.0, 0.0, 5.0]])
    t_hat = np.ones((1, 3, 3))
    t_hat[0, 0, 1] = 0.9  # economy 0 -> 1 is 10 % cheaper
    ch = trade_weighted_change(t_hat, trade)
    # economy 0: exports 1 + 3, imports 2 + 1; only the flow of 1 changes by -0.1
    assert ch[0, 0] == pytest.approx(-0.1 * 1 / 7)
    assert ch[0, 1] == pytest.approx(-0.1 * 1 / 3)
    assert ch[0, 2] == 0.0
    # one run given as a plain (N, N) matrix
    np.testing.assert_array_equal(trade_weighted_change(t_hat[0], trade), ch)


def test_energy_links_reproduce_ei_pipeline_imports():
    links = energy_links(load_network())
    flows = delivered_flows(links, np.zeros((1, 6), bool))
    ind = energy_indicators(links, flows)
    # China's 2023 pipeline imports in the EI matrix total 61.34 bcm (Total imports column).
    assert ind["gas_pipeline_imports_bcm"][0, ix("CHN")] == pytest.approx(61.343, abs=0.01)
    # Supplier shares: Turkmenistan 30.5 of China's 61.3 + 97.8 bcm of imports.
    hhi_chn = ind["gas_supplier_hhi"][0, ix("CHN")]
    imports = 61.3433 + 97.8135
    expected = sum((x / imports) ** 2 for x in (30.5058, 1.2299, 4.6393, 21.2942, 3.6740))
    assert hhi_chn == pytest.approx(expected, rel=1e-3)
    # India imports LNG only (counted as diversified): HHI 0, dependence (62.6-31.6)/62.6.
    assert ind["gas_supplier_hhi"][0, ix("IND")] == 0.0
    assert ind["gas_import_dependence"][0, ix("IND")] == pytest.approx(
        (62.6103 - 31.5855) / 62.6103, rel=1e-4)
    # Turkiye's pipeline imports are inside the Review's "Rest of Europe" (Azerbaijan's and
    # Russia's gas with the Balkans'): unknown, so no HHI. Written as 0, its 5.2 bcm from
    # Iran (the one modelled link) made Iran its only supplier, HHI 1.0.
    for code in ("TUR", "UZB", "AZE", "TKM", "IRN"):
        assert np.isnan(links.pipeline_total[ix(code)])
        assert np.isnan(ind["gas_supplier_hhi"][0, ix(code)]), code
    assert ind["gas_pipeline_imports_bcm"][0, ix("TUR")] == pytest.approx(5.2, abs=0.05)


def test_tapi_and_casa_change_energy_indicators_and_insecurity_cuts_them():
    tables = load_network()
    links = energy_links(tables)
    act = np.zeros((3, len(tables.project_ids)), bool)
    act[:, tables.project_ids.index("TAPI")] = True
    act[:, tables.project_ids.index("CASA1000")] = True
    act[0] = False
    inst = np.zeros((3, 28))
    inst[2, ix("AFG")] = 0.5
    ind = energy_indicators(links, delivered_flows(links, act, inst))
    # TAPI brings 13.7 bcm to India: its supplier concentration rises from 0.
    assert ind["gas_supplier_hhi"][1, ix("IND")] > 0.15
    assert ind["gas_pipeline_imports_bcm"][1, ix("PAK")] == pytest.approx(13.695, abs=1e-3)
    # Pakistan: TAPI exceeds its LNG imports, so the excess adds to consumption.
    assert ind["gas_import_dependence"][1, ix("PAK")] > ind["gas_import_dependence"][0, ix("PAK")]
    # CASA-1000 delivers 5.5 TWh a year in all (Pakistan and Afghanistan).
    total = ind["power_imports_twh"][1, ix("PAK")] + ind["power_imports_twh"][1, ix("AFG")]
    assert total == pytest.approx(5.5, abs=0.01)
    # Afghan instability halves what crosses Afghanistan to Pakistan and India.
    assert ind["gas_pipeline_imports_bcm"][2, ix("IND")] == pytest.approx(13.695 / 2, rel=1e-6)
    # ...but not what Afghanistan itself takes (it is the importer, not a transit state).
    assert ind["gas_pipeline_imports_bcm"][2, ix("AFG")] == pytest.approx(5.168, abs=1e-3)


def test_line_d_raises_china_imports_and_supplier_concentration():
    tables = load_network()
    links = energy_links(tables)
    act = np.zeros((2, len(tables.project_ids)), bool)
    act[1, tables.project_ids.index("CAGP_LINE_D")] = True
    ind = energy_indicators(links, delivered_flows(links, act))
    # 30 bcm more from Turkmenistan: China's concentration on Turkmenistan rises.
    assert ind["gas_supplier_hhi"][1, ix("CHN")] > ind["gas_supplier_hhi"][0, ix("CHN")]
    assert ind["gas_pipeline_imports_bcm"][1, ix("CHN")] == pytest.approx(61.343 + 30, abs=0.01)


def test_plot_network_writes_png(net, tmp_path):
    from scosim.network.plot import plot_network

    out = net.step(active_projects=["TRANS_AFGHAN_RAIL"])
    path = plot_network(net.tables, tmp_path / "map.png", highlight=["TRANS_AFGHAN_RAIL"],
                        t_hat=out.t_hat[0], focus="UZB")
    assert path.is_file() and path.stat().st_size > 50_000
    base = plot_network(net.tables, tmp_path / "base.png")
    assert base.is_file()


def _kept_map(monkeypatch, net, tmp_path, projects, focus):
    """Draw the map and return its figure (kept open instead of closed)."""
    from scosim.network import plot

    kept = []
    monkeypatch.setattr(plot.plt, "close", kept.append)
    out = net.step(active_projects=projects)
    plot.plot_network(net.tables, tmp_path / "map.png", highlight=projects,
                      t_hat=out.t_hat[0], focus=focus)
    return kept[-1]


def test_plot_network_gives_each_highlighted_project_its_own_colour_and_key(
        net, tmp_path, monkeypatch):
    """Two projects on one map (TAPI and CASA-1000 in corridor_energy.yaml) were drawn in
    the same orange under one key entry "TAPI, CASA1000": a reader could not tell which
    line was which."""
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    from scosim.network.plot import MODE_STYLE

    fig = _kept_map(monkeypatch, net, tmp_path, ["TAPI", "CASA1000"], "TKM")
    try:
        ax = fig.axes[0]
        thick = {mcolors.to_hex(ln.get_color()) for ln in ax.lines if ln.get_linewidth() == 4.0}
        assert len(thick) == 2, "one line colour per project"
        taken = {mcolors.to_hex(c) for c, _ in MODE_STYLE.values()}
        taken.add(mcolors.to_hex("grey"))
        assert not thick & taken, "a project's colour is neither a mode's nor closed edges'"
        keys = {t.get_text(): mcolors.to_hex(h.get_color())
                for t, h in zip(ax.get_legend().get_texts(),
                                ax.get_legend().legend_handles, strict=True)}
        # Keyed by the projects' names, not their ids (projects.csv).
        assert {keys["TAPI gas pipeline"], keys["CASA-1000 power line"]} == thick
        # Energy projects move no freight cost: no colour scale of +-1e-9 %, no empty key.
        assert len(fig.axes) == 2 and fig.axes[1].get_legend() is None
    finally:
        plt.close(fig)
    # The side panel's bars do not take a project's colour (India's imports were orange,
    # like the INSTC line beside them).
    fig = _kept_map(monkeypatch, net, tmp_path, ["INSTC_CHABAHAR"], "IND")
    try:
        line = {mcolors.to_hex(ln.get_color()) for ln in fig.axes[0].lines
                if ln.get_linewidth() == 4.0}
        bars = {mcolors.to_hex(b.get_facecolor()) for b in fig.axes[-1].patches}
        assert len(bars) == 2 and not bars & line
        # Centres whose cost with India falls are blue, as "better" (red is "worse").
        centres = max(fig.axes[0].collections, key=lambda c: c.get_array() is not None)
        change, colours = centres.get_array(), centres.get_facecolors()
        fell = change < -0.5
        assert fell.any() and (colours[fell, 2] > colours[fell, 0]).all()
    finally:
        plt.close(fig)


def test_ge_check_instc_raises_india_russia_trade(net):
    from scosim.data import load_calibration
    from scosim.mechanisms.trade import solve_ge

    cal = load_calibration()
    x, tau = cal.trade_matrix(), cal.tariff_matrix()
    flows = x * (1 + tau)
    t_hat = net.step(active_projects=["INSTC_CHABAHAR"]).t_hat[0]
    ge = solve_ge(flows, sigma=5.0, tariffs=tau, cost_change=t_hat)
    i, j = ix("IND"), ix("RUS")
    # Gravity: a lower bilateral cost raises the flow ...
    change = ge.flows[i, j] / flows[i, j] - 1
    assert change > 0
    # ... by (1 - sigma) x dlog t_hat once the general-equilibrium terms are divided out:
    # Head and Ries's (2001) index x_ij x_ji / (x_ii x_jj) = (t_ij t_ji)^(1 - sigma) holds
    # exactly in changes (domestic costs and tariffs unchanged). The plain change is 1.18 x
    # -4 dlog t_hat here, too far from it to tell sigma from sigma - 1.
    x_hat = ge.flows / np.where(flows > 0, flows, 1.0)
    phi_hat = x_hat[i, j] * x_hat[j, i] / (x_hat[i, i] * x_hat[j, j])
    assert np.log(t_hat[i, j] * t_hat[j, i]) < -0.01  # a change to measure
    assert np.log(phi_hat) == pytest.approx((1 - 5.0) * np.log(t_hat[i, j] * t_hat[j, i]),
                                            rel=1e-9)


def test_tree_loads_match_path_tracing(net):
    # Two implementations of the all-or-nothing assignment must agree exactly.
    from scosim.network.projects import (
        edge_flows,
        edge_open_mask,
        insecurity_multiplier,
        pair_edge_use,
        transit_value,
        tree_loads,
    )
    from scosim.network.routing import arc_weights, least_cost_routes

    g = net.graph
    act = project_mask(net.project_ids, ["INSTC_CHABAHAR", "TRANS_AFGHAN_RAIL"])
    inst = np.random.default_rng(3).random((2, 28)) * 0.5
    mult = insecurity_multiplier(inst, g.edge_economies)
    routes = least_cost_routes(g, arc_weights(g, mult, mult, edge_open_mask(g, act)))
    use = pair_edge_use(g, routes)
    value, transit = tree_loads(g, routes, net.trade)
    np.testing.assert_allclose(value, edge_flows(g, use, net.trade), rtol=1e-12)
    np.testing.assert_allclose(transit, transit_value(g, use, net.trade), rtol=1e-12)
    assert transit.sum() > 0  # non-vacuous: some trade does transit


def test_interested_economies(net):
    instc = net.interested_economies("INSTC_CHABAHAR")
    assert {"IND", "IRN", "RUS", "AZE"} <= set(instc) and "ROW" not in instc
    assert net.interested_economies("TAPI") == ("IND", "PAK", "AFG", "TKM")


def test_more_capacity_never_raises_costs():
    small = CorridorNetwork()
    big = CorridorNetwork()
    big._capacity_mt = np.where(np.isfinite(big._capacity_mt), 4 * big._capacity_mt, np.inf)
    huge = CorridorNetwork()
    huge._capacity_mt = np.full_like(huge._capacity_mt, np.inf)
    t = [n.step(active_projects=["INSTC_CHABAHAR"]).t_hat[0] for n in (small, big, huge)]
    assert np.all(t[1] <= t[0] + 1e-12) and np.all(t[2] <= t[1] + 1e-12)
    assert t[1][ix("IND"), ix("RUS")] < t[0][ix("IND"), ix("RUS")]  # the constraint binds
    # Without any capacity the step equals the uncapacitated step.
    free = small.step(active_projects=["INSTC_CHABAHAR"], congestion=False).t_hat[0]
    np.testing.assert_allclose(t[2], free, rtol=1e-13)
    # Rationed corridor carries exactly its capacity on the binding edge.
    out = small.step(active_projects=["INSTC_CHABAHAR"])
    assert out.project_flow_mt[0, 0] == pytest.approx(10.0)


def test_closing_iran_land_links_reroutes_india_russia_via_suez(net):
    from scosim.network.projects import edges_touching

    closed = edges_touching(net.graph, ["IRN"])
    out = net.step(closed_edges=closed)
    t = out.t_hat[0]
    # India-Central Asia loses its route through Iran (Pakistan is barred to Indian goods) and
    # goes round by Suez and Russia: dearer, but it has a route (finite, below the cap).
    assert 1.0 < t[ix("IND"), ix("UZB")] < net.graph.max_t_hat
    # With the INSTC built, India-Russia uses it; closing Iran sends it back round by Suez.
    built = net.step(active_projects=["INSTC_CHABAHAR"]).t_hat[0]
    cut = net.step(active_projects=["INSTC_CHABAHAR"], closed_edges=closed).t_hat[0]
    assert built[ix("IND"), ix("RUS")] < cut[ix("IND"), ix("RUS")] < net.graph.max_t_hat
    # Iran itself is still reached by sea; its land neighbours lose their Iranian routes.
    assert t[ix("IND"), ix("IRN")] >= 1.0 and t[ix("TKM"), ix("IRN")] > 1.0


def test_plot_gains_keys_each_bar_colour_and_keeps_the_key_off_the_bars(tmp_path, monkeypatch):
    """Gains and losses get one key entry each in their bar colours (a single entry took the
    first bar's colour), and the key covers no bar: at "lower right" it sat on the losses
    that end at 0 (Myanmar's bar in afghan_corridor.yaml's figure)."""
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    from scosim.data.constants import ECONOMIES
    from scosim.network import plot

    kept = []
    monkeypatch.setattr(plot.plt, "close", kept.append)
    rng = np.random.default_rng(3)
    n = len(ECONOMIES)
    for centre in (np.linspace(-0.004, 0.003, n), np.linspace(-0.004, -0.003, n)):
        change = centre + 0.0002 * rng.standard_normal((20, n))
        plot.plot_gains(change, ECONOMIES, tmp_path / "g.png", title="t")
        fig = kept[-1]
        try:
            ax = fig.axes[0]
            legend = ax.get_legend()
            bars = {mcolors.to_hex(p.get_facecolor()) for p in ax.patches}
            keyed = {t.get_text(): mcolors.to_hex(h.get_facecolor())
                     for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
                     if t.get_text().startswith("mean")}
            assert set(keyed.values()) == bars, "every bar colour keyed, and only those"
            if len(bars) == 2:
                assert keyed == {"mean of 20 runs: gain": mcolors.to_hex("C2"),
                                 "mean of 20 runs: loss": mcolors.to_hex("C3")}
            fig.canvas.draw()
            box = legend.get_window_extent()
            assert not any(box.overlaps(p.get_window_extent()) for p in ax.patches)
        finally:
            plt.close(fig)


def test_plot_network_panel_title_sits_below_a_three_line_figure_title(net, tmp_path, monkeypatch):
    """The run map has a three-line title; the side panel's title sat on its last line and
    read as part of it ("... lines are schematic links Uzbekistan: largest ...")."""
    import matplotlib.pyplot as plt

    from scosim.network import plot

    kept = []
    monkeypatch.setattr(plot.plt, "close", kept.append)
    out = net.step(active_projects=["TRANS_AFGHAN_RAIL"])
    plot.plot_network(net.tables, tmp_path / "map.png", highlight=["TRANS_AFGHAN_RAIL"],
                      t_hat=out.t_hat[0], focus="UZB",
                      title="run: TRANS_AFGHAN_RAIL in 2035\nsecond line\nthird line")
    fig = kept[-1]
    try:
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        top = fig._suptitle.get_window_extent(r)
        panel = fig.axes[-1].title.get_window_extent(r)
        assert panel.y1 < top.y0
    finally:
        plt.close(fig)


def test_a_run_records_not_computed_gas_figures_as_missing_not_zero(tmp_path):
    """Afghanistan imports 5.2 bcm through TAPI but has no gas balance in the Review.

    Its HHI and import dependence are not computed (nan at the network step); the run
    wrote them as 0, which reads as "fully diversified" for a single supplier.
    """
    from scosim.runner import run

    res = run(str(Path(__file__).resolve().parents[1] / "scenarios" / "corridor_energy.yaml"),
              out=str(tmp_path), progress=False,
              plots=True, overrides={"replications": 2})
    ind = res.indicators
    last = ind[ind["year"] == 2035]

    def value(name, code):
        return last[(last["indicator"] == name) & (last["country"] == code)]["value"]

    for name in ("gas_supplier_hhi", "gas_import_dependence"):
        assert value(name, "AFG").isna().all(), name
        assert value(name, "TUR").isna().all(), name
    assert (value("gas_supplier_hhi", "PAK") == 1.0).all()  # TAPI, one supplier
    assert (value("corridor_gas_bcm", "AFG") > 5.0).all()
    summary = (Path(res.path) / "summary.csv").read_text()
    assert "gas_supplier_hhi,2035,AFG" not in summary  # no statistic of no value
    assert "gas_supplier_hhi,2035,PAK" in summary
