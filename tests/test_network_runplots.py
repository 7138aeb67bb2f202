"""The corridor run figures show the statistic of the run's answer and its other figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.data.constants import ECONOMIES, NAMES
from scosim.runstats import HIGH, LOW, RunStats

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
YEAR = 2035
#: Per run: skewed, so that the mean and the median differ (a change in one run of five).
RUN_SHARE = np.array([1.0, 1.0, 1.0, 1.0, 4.0])


def _skewed_stats() -> RunStats:
    """Five runs of corridor_instc.yaml's network indicators, mean far from median."""
    rows = []
    for run, f in enumerate(RUN_SHARE):
        values = {
            "welfare_change_pct": {"AZE": 0.5 * f, "ARM": 0.2 * f, "IRN": -0.1 * f},
            "corridor_paid_usd": {"IRN": 5.3e9 * f, "AZE": 1.0e9 * f},
            "corridor_risk_usd": {"IRN": 0.4e9 * f},
            "corridor_operating": {"IRN": 1.0},
            "route_instability": {},
            "network_trade_cost_change_pct": {},
        }
        for name, vals in values.items():
            rows += [{"run": run, "year": YEAR, "country": c, "indicator": name,
                      "value": vals.get(c, 0.0)} for c in ECONOMIES]
    events = pd.DataFrame({"run": range(len(RUN_SHARE)), "year": 2026, "type": "adopted",
                           "country": "IND", "proposal": "instc"})
    return RunStats.from_frames(pd.DataFrame(rows), events)


def _bars(ax) -> dict[str, list[float]]:
    """Bar lengths by y tick label (economy name), in drawing order."""
    # The name only: who-pays adds "(not a host)" under it.
    ticks = {round(t, 6): lab.get_text().split("\n")[0]
             for t, lab in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)}
    out: dict[str, list[float]] = {}
    for p in ax.patches:
        y = p.get_y() + p.get_height() / 2
        near = min(ticks, key=lambda t: abs(t - y))
        out.setdefault(ticks[near], []).append(p.get_width())
    return out


def test_network_bar_figures_show_the_answers_statistic(tmp_path, monkeypatch):
    """network_gains.png bars the median over runs, the number the run's welfare table
    (summary.txt) and welfare_final_year.png give (means until 2026-12-06, when the answer
    took the median throughout), and network_who_pays.png the mean, as the answer's
    corridor lines; each says so, and the whiskers span the 5th-95th percentile. Armenia's
    gain in corridor_instc.yaml once read 0.21 in the bar and 0.22 in the text."""
    import matplotlib.pyplot as plt

    from scosim.network import runplots
    from scosim.run_headline import headline_table

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "scenario.yaml").write_text(
        f"extends: {SCEN / 'corridor_instc.yaml'}\nname: x\n")
    st = _skewed_stats()
    kept, close = [], plt.close
    monkeypatch.setattr(plt, "close", kept.append)
    paths = runplots.plot_network_run(run_dir, tmp_path, st, "t")
    figs = {Path(p).name: f for p, f in zip(paths, kept, strict=True)}
    try:
        # Welfare: the answer's rows (headline_table, also welfare_final_year.png's bars).
        concerned, others, year, _, _ = headline_table(st)
        answer = pd.concat([concerned, others])
        assert year == YEAR
        ax = figs["network_gains.png"].axes[0]
        drawn = _bars(ax)
        for code in ("AZE", "ARM", "IRN"):
            median = answer.loc[code, "median"]
            assert abs(median - st.mean("welfare_change_pct").loc[YEAR, code]) > 0.05
            assert drawn[NAMES[code]] == [pytest.approx(median)]
        # The whiskers: from the answer's 5th to its 95th percentile.
        segs = [s for c in ax.collections for s in c.get_segments()]
        spans = {(round(s[0][0], 9), round(s[1][0], 9)) for s in segs if s[0][1] == s[1][1]}
        for code in ("AZE", "ARM", "IRN"):
            lo, hi = answer.loc[code, "low"], answer.loc[code, "high"]
            assert any(a == pytest.approx(lo) and b == pytest.approx(hi) for a, b in spans)
        assert "median of 5 runs" in ax.get_title()
        # The key names the statistic; bars too short to see (2026-12-07) are counted in
        # it, not given a swatch, and the count matches the drawn bars under 0.5 % of the
        # longest.
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        small = [t for t in texts if t.endswith("too small to see")]
        assert all(t.startswith(("median of 5 runs", "5th-95th")) for t in texts
                   if t not in small)
        widths = [abs(p.get_width()) for p in ax.patches]
        tiny = sum(w < 0.005 * max(widths) for w in widths)
        assert len(small) == (tiny > 0)
        if small:
            assert small[0].startswith(f"{tiny} bar")
        # Payments and expected loss: the means the answer's corridor lines print.
        table = st.table().set_index(["indicator", "year", "country"])["mean"]
        ax = figs["network_who_pays.png"].axes[0]
        drawn = _bars(ax)
        assert drawn[NAMES["IRN"]] == [
            pytest.approx(table["corridor_paid_usd", YEAR, "IRN"] / 1e9),
            pytest.approx(table["corridor_risk_usd", YEAR, "IRN"] / 1e9)]
        assert drawn[NAMES["AZE"]][0] == pytest.approx(
            table["corridor_paid_usd", YEAR, "AZE"] / 1e9)
        assert "bars: mean of 5 runs" in ax.get_xlabel()
    finally:
        for f in kept:
            close(f)


def test_final_bands_are_percentiles_around_the_mean():
    from scosim.network.runplots import final_bands

    st = _skewed_stats()
    year, bands = final_bands(st, "welfare_change_pct")
    j = ECONOMIES.index("ARM")
    values = 0.2 * RUN_SHARE
    assert year == YEAR
    assert bands[:, j] == pytest.approx([np.percentile(values, LOW), values.mean(),
                                         np.percentile(values, HIGH)])
    # The gains figure's: the median, as the run's welfare table.
    assert final_bands(st, "welfare_change_pct", "median")[1][:, j] == pytest.approx(
        [np.percentile(values, LOW), np.median(values), np.percentile(values, HIGH)])


def test_who_pays_axis_label_is_whole_and_inside_the_figure(tmp_path, monkeypatch):
    """With 200 runs the x label ran off the right edge of network_who_pays.png and ended
    at "...whiskers: 5th-95th percentile" without its closing parenthesis."""
    import matplotlib.pyplot as plt

    from scosim.network.who_pays_run import plot_who_pays_run

    shares = np.resize(RUN_SHARE, 200)
    rows = []
    for run, f in enumerate(shares):
        for name, vals in (("corridor_paid_usd", {"AFG": 3.6e9 * f, "PAK": 1.2e9 * f}),
                           ("corridor_risk_usd", {"CHN": 0.25e9 * f, "AFG": 0.2e9 * f,
                                                  "RUS": 0.02e9 * f, "ARE": 0.01e9 * f})):
            rows += [{"run": run, "year": YEAR, "country": c, "indicator": name,
                      "value": vals.get(c, 0.0)} for c in ECONOMIES]
    st = RunStats.from_frames(pd.DataFrame(rows), pd.DataFrame(
        columns=["run", "year", "type", "country", "proposal"]))
    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    plot_who_pays_run(st, tmp_path / "who.png", "afghan_corridor (seed 20250101)",
                      "Trans-Afghan railway Termez-Naibabad-Logar-Kharlachi", {"AFG", "PAK"},
                      project_finance=True)
    fig = kept[-1]
    try:
        label = fig.axes[0].xaxis.label
        text = label.get_text()
        assert "mean of 200 runs" in text and text.count("(") == text.count(")")
        assert text.rstrip().endswith(")")
        fig.canvas.draw()
        box = label.get_window_extent(fig.canvas.get_renderer())
        page = fig.bbox
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0
    finally:
        plt.close(fig)


def test_a_hosts_risk_is_drawn_inside_its_payments_an_owners_after_them(tmp_path,
                                                                        monkeypatch):
    """For a host, corridor_risk_usd is the part of its payments a failure loses: drawn
    beside the payments bar it read as a second cost. Each economy now has one bar: a
    host's ends at its payments with the risk hatched inside from 0; a lending bank's
    owner's risk comes after its payments (the two add up)."""
    import matplotlib.pyplot as plt

    from scosim.network.who_pays_run import plot_who_pays_run

    rows = []
    for run, f in enumerate(RUN_SHARE):
        for name, vals in (("corridor_paid_usd", {"AFG": 3.6e9 * f, "PAK": 1.2e9 * f,
                                                  "CHN": 0.05e9}),
                           ("corridor_risk_usd", {"CHN": 0.25e9 * f, "AFG": 0.2e9 * f,
                                                  "PAK": 0.08e9, "UZB": 0.01e9})):
            rows += [{"run": run, "year": YEAR, "country": c, "indicator": name,
                      "value": vals.get(c, 0.0)} for c in ECONOMIES]
    st = RunStats.from_frames(pd.DataFrame(rows), pd.DataFrame(
        columns=["run", "year", "type", "country", "proposal"]))
    table = st.table().set_index(["indicator", "year", "country"])["mean"] / 1e9
    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    # Uzbekistan hosts the railway without paying: its risk cannot be inside payments.
    plot_who_pays_run(st, tmp_path / "who.png", "t", "x", {"AFG", "PAK", "UZB"},
                      lender="a hypothetical members-owned lender, shares by GDP, lending "
                             "at 7 %")
    fig = kept[-1]
    try:
        ax = fig.axes[0]
        ticks = {round(t, 6): lab.get_text().split("\n")[0]
                 for t, lab in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)}
        parts: dict[str, list] = {}
        for p in ax.patches:
            centre = round(p.get_y() + p.get_height() / 2, 6)
            # One bar per economy: every part on the economy's own row, none beside it.
            assert centre in ticks, "a part drawn off its economy's row"
            parts.setdefault(ticks[centre], []).append(
                (p.get_x(), p.get_x() + p.get_width(), p.get_hatch()))
        for code in ("AFG", "PAK"):
            paid, risk = table["corridor_paid_usd", YEAR, code], table[
                "corridor_risk_usd", YEAR, code]
            bar = parts[NAMES[code]]
            # The stacked bar's top is the payments in the table, risk or no risk.
            assert max(b for _, b, _ in bar) == pytest.approx(paid)
            hatched = [(a, b) for a, b, h in bar if h]
            assert hatched == [(0.0, pytest.approx(risk))] and risk < paid
        # A bank owner: payments, then its expected loss on top of them.
        paid, risk = (table["corridor_paid_usd", YEAR, "CHN"],
                      table["corridor_risk_usd", YEAR, "CHN"])
        bar = parts[NAMES["CHN"]]
        assert [(a, b) for a, b, h in bar if h] == [
            (pytest.approx(paid), pytest.approx(paid + risk))]
        assert [(a, b) for a, b, h in parts[NAMES["UZB"]] if h] == [
            (0.0, pytest.approx(table["corridor_risk_usd", YEAR, "UZB"]))]
        keys = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any("inside the payments, not added to them" in k for k in keys)
        assert any("after its payments (they add up)" in k for k in keys)
        # The owners' key names the lender (until 2026-12-07 "a lending bank's owner").
        owners = " ".join(next(k for k in keys if "they add up" in k).split())
        assert owners.startswith("an owner of a hypothetical members-owned lender, shares "
                                 "by GDP, lending at 7 %")
        assert "7 percent" in ax.get_xlabel() and "US$ bn" in ax.get_xlabel()
    finally:
        plt.close(fig)


def test_the_lender_is_named_by_the_scenario():
    """No development_bank proposal: the corridors' loans are the default lender's, owned by
    every member by GDP at the members' 7 % cost of funds (bank_link.lenders, finance.
    COST_OF_FUNDS); with one, that bank where it is in force. A budget corridor has none."""
    from scosim.network.answer_notes import lender_name
    from scosim.scenario.loader import load_scenario

    said = lender_name(load_scenario(SCEN / "corridor_trans_afghan_high.yaml"))
    assert said == "a hypothetical members-owned lender, shares by GDP, lending at 7 %"
    budget = load_scenario(SCEN / "corridor_cku.yaml",
                           overrides={"proposals.0.financing": "budget"})
    assert lender_name(budget) is None
    banked = load_scenario(SCEN / "corridor_trans_afghan_high.yaml", overrides={
        "proposals": [*[p.model_dump(mode="json", exclude_none=True) for p in
                        load_scenario(SCEN / "corridor_trans_afghan_high.yaml").proposals],
                      {"type": "development_bank", "id": "sco_bank", "year": 2026,
                       "proposer": "CHN"}]})
    assert lender_name(banked).startswith("the scenario's development bank (sco_bank) where "
                                          "in force, else a hypothetical members-owned")


def test_map_flow_label_sits_on_the_edge_whose_flow_it_gives(tmp_path, monkeypatch):
    """corridor_instc's map wrote "INSTC_CHABAHAR: 10.0 Mt/yr carried" on the longest
    edge, Chabahar-Zahedan, whose capacity is 7 Mt: the 10 Mt is Rasht-Astara's. The label
    now sits on the busiest edge, names it and its capacity, and the project by name."""
    import matplotlib.pyplot as plt

    from scosim.network import runplots
    from scosim.network.plot import plot_network
    from scosim.network.step import CorridorNetwork

    pid = "INSTC_CHABAHAR"
    net = CorridorNetwork()
    step = net.step(active_projects=[pid])
    flows, at = runplots._flow_labels(net, step, [pid], YEAR)
    edges, nodes = net.tables.edges, net.tables.nodes
    e = edges.loc[at[pid]]
    carried = step.edge_flow_mt[0, net.edge_ids.index(at[pid])]
    assert e["project"] == pid
    # The busiest of the project's edges: the number project_flow_mt reports.
    assert carried == pytest.approx(step.project_flow_mt[0, net.project_ids.index(pid)])
    assert carried > 0 and carried <= e["capacity"] + 1e-9
    assert f"{carried:.1f} Mt/yr carried in {YEAR}" in flows[pid]
    assert f"capacity {e['capacity']:g} Mt/yr" in flows[pid]
    for end in (e["from_node"], e["to_node"]):
        assert str(nodes.loc[end, "name"]).split(" (")[0] in flows[pid]
    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    plot_network(net.tables, tmp_path / "map.png", highlight=[pid], flows=flows,
                 flow_edges=at)
    fig = kept[-1]
    try:
        labels = [t for t in fig.axes[0].texts
                  if t.get_text().startswith(net.tables.projects.loc[pid, "name"] + ": ")]
        assert len(labels) == 1
        a, b = nodes.loc[e["from_node"]], nodes.loc[e["to_node"]]
        assert labels[0].xy == pytest.approx((0.5 * (a["lon"] + b["lon"]),
                                              0.5 * (a["lat"] + b["lat"])))
        assert pid not in fig.texts[0].get_text()  # the title names it, not its id
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="flow_edges: 'X999' is not an edge of"):
        plot_network(net.tables, tmp_path / "bad.png", highlight=[pid], flows=flows,
                     flow_edges={pid: "X999"})


def test_who_pays_says_the_payments_are_as_known_and_counts_the_failed_runs(tmp_path,
                                                                          monkeypatch):
    """Since each run draws its corridor's failure (2026-12-07) the bars are means of what
    each run knows in the last year (paid and lost where the line failed), not expected
    payments: the legend and axis say so, and the title counts the runs in which the
    corridor has failed (from corridor_failed, 1 for its hosts in such a run)."""
    import matplotlib.pyplot as plt

    from scosim.network.runplots import _failed_runs
    from scosim.network.who_pays_run import plot_who_pays_run

    failed = [1, 0, 1, 0, 1, 1, 0]  # 4 of 7 runs
    rows = []
    for run, down in enumerate(failed):
        for name, vals in (("corridor_paid_usd", {"AFG": 1.5e9 if down else 3.5e9}),
                           ("corridor_risk_usd", {"AFG": 1.5e9 if down else 0.4e9}),
                           ("corridor_failed", {"AFG": float(down), "PAK": float(down)})):
            rows += [{"run": run, "year": YEAR, "country": c, "indicator": name,
                      "value": vals.get(c, 0.0)} for c in ECONOMIES]
    st = RunStats.from_frames(pd.DataFrame(rows), pd.DataFrame(
        columns=["run", "year", "type", "country", "proposal"]))
    assert _failed_runs(st, ["one corridor"], {"AFG", "PAK"}) == 4
    # Two corridors: a host's flag does not say which failed, so the title says nothing.
    assert _failed_runs(st, ["one", "two"], {"AFG", "PAK"}) is None
    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    plot_who_pays_run(st, tmp_path / "who.png", "t", "railway", {"AFG", "PAK"},
                      failed_runs=4)
    fig = kept[-1]
    try:
        ax = fig.axes[0]
        keys = [t.get_text() for t in ax.get_legend().get_texts()]
        assert not any("expected payments" in k for k in keys)
        assert keys[0] == f"payments (present value, as known in {YEAR})"
        assert any("lost (failed)" in k for k in keys)
        assert f"as known in {YEAR}: paid and lost where a corridor has failed" in \
            ax.get_xlabel()
        assert f"failed by {YEAR} in 4 of 7 runs" in ax.get_title()
    finally:
        plt.close(fig)


def test_gains_caption_lists_what_an_energy_runs_draws(tmp_path):
    """network_gains.png's whiskers said "over runs, which draw the trade elasticity and
    growth" whatever the run drew (an outside review, 2026-12-07): an energy corridor's runs
    draw the value of time, each corridor's failure and the gas prices as well. The caption
    now lists the answer's own drawn quantities, read from the run's scenario."""
    import yaml

    from scosim.network.runplots import whisker_caption
    from scosim.run_spread import drawn_quantities, scenario_spread
    from scosim.runstats import RunStats
    from scosim.scenario.loader import load_scenario

    scenario = load_scenario(SCEN / "corridor_energy.yaml")
    (tmp_path / "scenario.yaml").write_text(scenario.resolved_yaml())
    said = " ".join(whisker_caption(tmp_path, RunStats()).split())
    sp = scenario_spread(yaml.safe_load((tmp_path / "scenario.yaml").read_text()), "x")
    # What an energy run draws, independently of the list the caption is built from.
    for words in ("the growth shocks", "the trade elasticity sigma",
                  "the gas border price, the gas supply cost and the price in the "
                  "exporter's next-best market", "the value of shipping time",
                  "whether and when each corridor fails"):
        assert words in said
    assert [w for w, _ in drawn_quantities(sp, voted=False)] and "growth)" not in said
    assert said.startswith("whiskers: 5th-95th percentile over runs, which differ only in")


def test_map_states_the_capacity_of_its_year(tmp_path):
    """afghan_corridor's map said "capacity 15 Mt/yr (3 in its first 3 years of operation)"
    in 2035, the line's third year (built 2027-2032, operating from 2033: the scenario's
    description), when 3 binds (an outside review, 2026-12-07). It now gives the year's
    capacity, the first operating year read from the run's construction_start events."""
    from types import SimpleNamespace

    import pyarrow as pa
    import pyarrow.parquet as pq

    from scosim.network import runplots
    from scosim.network.step import CorridorNetwork
    from scosim.network.tables import load_network

    pid = "TRANS_AFGHAN_RAIL"
    # A run's events: construction starts in 2027 in three runs, 2028 in one (a lag).
    (tmp_path / "events").mkdir()
    rows = [(r, y, "construction_start", c, "trans_afghan")
            for r, y in ((0, 2027), (1, 2027), (2, 2028), (3, 2027)) for c in ("AFG", "PAK")]
    names = ("run", "year", "type", "country", "proposal")
    pq.write_table(pa.table({n: [r[k] for r in rows] for k, n in enumerate(names)}),
                   tmp_path / "events" / "batch-00000.parquet")
    corridor = SimpleNamespace(id="trans_afghan", project=pid, construction_years=None)
    first = runplots.first_operating_years(tmp_path, [corridor], load_network())
    assert first == {pid: 2027 + 6}  # projects.csv: 6 years to build; the median start
    net = CorridorNetwork()
    phase = np.array([[p == pid for p in net.project_ids]])
    step = net.step(active_projects=[pid], initial_phase=phase)
    said = {y: runplots._flow_labels(net, step, [pid], y, first)[0][pid].replace("\n", " ")
            for y in (2032, 2035, 2036)}
    # 3 Mt of 15 (projects.csv capacity_initial / capacity) in 2033-2035, 15 from 2036.
    assert "capacity 3 Mt/yr in 2035, its third year of operation (15 from 2036)" in said[2035]
    assert "capacity 15 Mt/yr in 2036 (3 in its first 3 years, 2033-2035)" in said[2036]
    assert "capacity 3 Mt/yr from 2033" in said[2032]
    assert all("capacity 15 Mt/yr (3 in its first" not in s for s in said.values())
    # The map's flow in a first-phase year is the run's: at most the phase's capacity.
    assert step.project_flow_mt[0, net.project_ids.index(pid)] <= 3.0 + 1e-9


def test_two_map_callouts_are_parked_apart():
    """corridor_energy's map drew CASA-1000's box on TAPI's: the boxes' frames were read
    before they were drawn (every one the same unit square), so the parking never saw two
    overlap. Two long callouts on one point now end apart, checked on the drawn figure."""
    import matplotlib.pyplot as plt

    from scosim.network.plot import park_callouts

    fig, ax = plt.subplots(figsize=(8, 5))
    try:
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 10)
        notes = [ax.annotate(f"{name}: capacity 33 bcm/yr in 2035 (11 in its first years)",
                             (5, 5), xytext=(8, -12), textcoords="offset points",
                             bbox=dict(boxstyle="round", fc="white"),
                             arrowprops=dict(arrowstyle="->"))
                 for name in ("TAPI gas pipeline", "CASA-1000 power line")]
        renderer = fig.canvas.get_renderer()
        park_callouts(ax, notes, renderer)
        fig.canvas.draw()  # the frames as drawn
        a, b = (n.get_bbox_patch().get_window_extent(renderer) for n in notes)
        assert a.width > 100 and not a.overlaps(b)
    finally:
        plt.close(fig)


def test_the_answer_says_who_lends_and_who_owns_it(tmp_path):
    """The answer charged China, India and Russia "a lending bank's owners" losses while the
    scenario says no SCO Development Bank is in force (an outside review, 2026-12-07): it
    now names the default lender, its owners and its terms."""
    from scosim.network.answer_notes import lender_lines
    from scosim.scenario.loader import load_scenario

    scenario = load_scenario(SCEN / "corridor_trans_afghan_high.yaml")
    (tmp_path / "scenario.yaml").write_text(scenario.resolved_yaml())
    said = " ".join(lender_lines(tmp_path))
    assert said.startswith("Who lends to trans_afghan (bank_project): no SCO Development "
                           "Bank is proposed, so it borrows from a hypothetical "
                           "members-owned lender, shares by GDP")
    # The spec's bank_share default and the default terms (corridor_financing._BANK).
    assert "lending 70 % of the cost at the members' 7 % cost of funds" in said
    assert "no risk premium" in said
    # A circular gloss ('"A lending bank's owners" in this answer are its owners') followed
    # the terms until an audit (2026-12-07): the terms name the owners, the gloss went.
    assert "its owners." not in said and "lending bank" not in said


def test_the_corridor_type_names_the_lenders_owners() -> None:
    """The indicators' descriptions and the welfare heading said "a lending bank's owners"
    of a lender that need not be a bank in force (audit, 2026-12-07): they say whose."""
    from scosim.network.corridor import Corridor

    owners = "the lender's owners (the members, by GDP, or a proposed development bank's)"
    assert owners in Corridor.indicators["corridor_paid_usd"]
    assert owners in Corridor.welfare_excludes
    said = " ".join([Corridor.welfare_excludes, *Corridor.indicators.values()])
    assert "lending bank" not in said and "bank owners" not in said


def test_map_label_gives_the_runs_median_over_operating_runs(monkeypatch):
    """network_map.png's "1.1 Mt/yr carried in 2035 on Kharlachi-Peshawar" was one network
    state (median instability, 2025 trade) where --edges gave the runs' median 1.39 Mt: the
    label now gives the route's whole-route TEU equivalents, median over the runs in which
    the line carries traffic (the hosts' corridor_fee_base_teu summed, as --edges's route
    row and the answer's break-even), with the count."""
    from types import SimpleNamespace

    from scosim.network import access_answer, runplots
    from scosim.network.step import CorridorNetwork

    pid = "TRANS_AFGHAN_RAIL"
    net = CorridorNetwork()
    hosts = list(net.tables.projects.loc[pid, "host_economies"])
    # Six runs: three failed (nothing carried), three carrying 90, 96 and 120 thousand.
    base = pd.DataFrame(0.0, index=range(6), columns=[*hosts, "CHN"])
    for run, teu in zip((0, 4, 5), (90e3, 96e3, 120e3), strict=True):
        base.loc[run, hosts[0]], base.loc[run, hosts[1]] = 0.75 * teu, 0.25 * teu
    monkeypatch.setattr(access_answer, "run_rows",
                        lambda run_dir, names, year: (year, {"corridor_fee_base_teu": base}))
    routes = runplots.route_medians(Path("."), [SimpleNamespace(project=pid)], net.tables, YEAR)
    assert routes == {pid: (pytest.approx(96e3), 3, 6)}
    step = net.step(active_projects=[pid])
    flows, _ = runplots._flow_labels(net, step, [pid], YEAR, None, routes)
    said = flows[pid].replace("\n", " ")
    # 96 thousand TEU at 10 t a TEU (params.csv tonnes_per_teu) is 0.96 Mt.
    assert said.startswith("96 thousand TEU (0.96 Mt) a year along the route in 2035 "
                           "(km-weighted; median of the 3 of 6 runs it operates in) "
                           "busiest link ")
    assert "Mt/yr carried" not in said
    # Without the run's records (a project sharing a host), the map's state, said as before.
    assert "Mt/yr carried in 2035" in runplots._flow_labels(net, step, [pid], YEAR)[0][pid]
