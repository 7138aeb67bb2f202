"""What a comparison shows a reader: units, good or bad news, totals once, titles, cut tables."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from rich.console import Console  # noqa: E402

from scosim import compare_terminal, report  # noqa: E402
from scosim.api import UNITS  # noqa: E402
from scosim.compare import compare_results  # noqa: E402
from scosim.compare_plots import plot_difference_over_time, plot_final_year  # noqa: E402
from scosim.indicator_display import (  # noqa: E402
    DIRECTION,
    NAMES,
    WELFARE,
    aggregate_indicators,
    declared_units,
    display,
    one_row_each,
    resolve_units,
)
from scosim.scenario.schema import INDICATOR_NAMES, indicator_names  # noqa: E402
from test_compare import COUNTRIES, YEARS, synthetic_pair, write_run  # tests/ is on sys.path


def test_every_indicator_a_run_records_has_a_name_a_direction_and_a_unit():
    """Every indicator the model, its proposal types and mechanisms record (the shipped
    scenarios record all 80 of them) reads with a plain name, a unit and a direction.

    scosim's own: a plug-in installed beside it declares its units, and its names are
    its own (the display falls back to them)."""
    known = own_indicator_names()
    units = resolve_units(known, UNITS)
    missing = {
        "name": [i for i in known if i not in NAMES],
        "direction": [i for i in known if i not in DIRECTION],
        "unit": [i for i in known if not units[i] or units[i].startswith("see ")],
    }
    assert missing == {"name": [], "direction": [], "unit": []}
    assert set(DIRECTION) <= set(known) and set(NAMES) <= set(known), "no stale entries"
    assert set(DIRECTION.values()) == {"higher is better", "higher is worse", "neutral"}
    assert WELFARE <= {i for i, d in DIRECTION.items() if d == "higher is better"}


def own_indicator_names() -> list[str]:
    """The indicators of the model and of scosim's built-in types and mechanisms."""
    from scosim.model.slots import available_mechanisms, get_mechanism, mechanism_origin
    from scosim.proposals import builtin_types, get_type

    mechs = [m for m in available_mechanisms() if mechanism_origin(m) == "builtin"]
    plugins = [*(get_type(t) for t in builtin_types()), *(get_mechanism(m) for m in mechs)]
    return [i for i in indicator_names()
            if i in INDICATOR_NAMES or any(i in p.indicators for p in plugins)]


def test_units_are_those_the_model_declares_and_the_table_only_a_fallback():
    from scosim.model.slots import get_mechanism

    declared = get_mechanism("security").indicators
    units = resolve_units(["incidents", "route_cost_to_pakistan_pct", "exports_usd", "member"],
                          {"incidents": "wrong", "exports_usd": "wrong", "member": "share"})
    assert units["incidents"] == declared["incidents"]  # the declaration wins
    assert units["route_cost_to_pakistan_pct"] == declared["route_cost_to_pakistan_pct"]
    assert units["exports_usd"] == get_mechanism("ge_trade").indicators["exports_usd"]
    assert units["member"] == "share"  # declared by no one: the fallback is used
    assert resolve_units(["made_up"]) == {"made_up": None}


def test_a_difference_of_percentages_is_in_percentage_points():
    assert display("fiscal_cost_pct_gdp", "percent of base-year GDP")[1] == (
        "percentage points of base-year GDP")
    assert display("welfare_change_pct", "percent")[1] == "percentage points"
    assert display("x", "percentage points")[1] == "percentage points"  # not twice
    assert display("ev_world_usd", "US$, world total (same in every column)")[1:] == (
        "US$ bn, world total", 1e9)


def test_every_declared_percent_unit_is_in_points_as_a_difference():
    """route_cost_to_pakistan_pct's differences were in "percent of cargo value": only a
    unit starting with "percent" became points, and this one starts with what it
    measures ("generalised cost of shipping to Pakistan, percent of cargo value"). The
    README itself calls its 1.4 a rise of "1.4 points of cargo value"."""
    from scosim.api import UNITS

    unit = resolve_units(["route_cost_to_pakistan_pct"])["route_cost_to_pakistan_pct"]
    shown = display("route_cost_to_pakistan_pct", unit)[1]
    assert "percentage points of cargo value" in shown and "percent of" not in shown
    # A level (the run's own answer) keeps its percent.
    assert display("route_cost_to_pakistan_pct", unit, difference=False)[1] == unit
    # The network's trade-cost change is a percent change against one fixed reference
    # (the baseline network), so a difference of two is in points of that reference.
    assert display("network_trade_cost_change_pct", "percent (trade-weighted, vs the "
                   "baseline network)")[1] == (
        "percentage points (trade-weighted, vs the baseline network)")
    # Every unit the model declares in percent reads in points as a difference.
    units = resolve_units(list(declared_units()) + list(UNITS), UNITS)
    for name, u in units.items():
        if u and re.search(r"\bpercent\b", u):
            assert "percentage points" in display(name, u)[1], name
    # "percent" inside a description is left alone, and points are not made points twice.
    assert display("x", "count of runs with a loss above 5 percent")[1] == (
        "count of runs with a loss above 5 percent")
    assert display("x", "share, percentage points of GDP")[1] == (
        "share, percentage points of GDP")


# ----------------------------------------------------------------------------- fixtures


def _runs(tmp_path, names: dict[str, float], *, aggregate=()):
    """A policy/baseline pair of results directories with these indicators (effect each);
    ``aggregate`` ones hold one value for every economy (as ev_world_usd does)."""
    pols, bases = [], []
    for k, (name, effect) in enumerate(names.items()):
        pol, base = synthetic_pair(30, seed=10 + k, effect=effect)
        if name in aggregate:
            for df in (pol, base):
                df["value"] = df.groupby(["run", "year"])["value"].transform("first")
        pols.append(pol.assign(indicator=name))
        bases.append(base.assign(indicator=name))
    return (write_run(tmp_path / "p", pd.concat(pols), scenario="pol_scn", seed=7),
            write_run(tmp_path / "b", pd.concat(bases), scenario="base_scn", seed=7))


@pytest.fixture
def security(tmp_path):
    """incidents: CHN, KAZ, RUS rise, IND falls (synthetic_pair's signs)."""
    return compare_results(*_runs(tmp_path, {"incidents": 0.5, "welfare_change_pct": 0.5,
                                             "in_customs_union": 0.5}))


# ----------------------------------------------------------------------------- figures


def _record_jobs(monkeypatch) -> list:
    """The figure jobs a report draws (drawn here, as they would be)."""
    jobs: list = []
    real = report.draw_all

    def record(js, **kw):
        jobs.extend(js)
        return real(js, workers=1)

    monkeypatch.setattr(report, "draw_all", record)
    return jobs


def _bar_colours(fig) -> dict[str, str]:
    ax = fig.axes[0]
    # Keyed by code: a bar is labelled "CHN China".
    labels = [t.get_text().split()[0] for t in ax.get_yticklabels()]
    return {c: mcolors.to_hex(p.get_facecolor()) for c, p in zip(labels, ax.patches,
                                                                 strict=True)}


def test_more_incidents_are_red_and_not_called_a_gain(security):
    kw = {"scenarios": ("pol_scn", "base_scn"), "seed": 7, "title": "terrorist incidents"}
    fig = plot_final_year(security.summary, "incidents", **kw)
    title = fig.axes[0].get_title()
    assert title.startswith("Change in terrorist incidents, 2028")
    assert "gain" not in title.lower()
    assert "pol_scn minus base_scn" in title and "30 paired runs (seed 7)" in title
    colours = _bar_colours(fig)
    red, green = mcolors.to_hex("tab:red"), mcolors.to_hex("tab:green")
    assert colours["CHN"] == red and colours["IND"] == green  # CHN's incidents rise
    keys = [t.get_text() for t in fig.legends[0].get_texts()]
    assert keys == ["rise (worse)", "fall (better)"]
    plt.close(fig)

    fig = plot_final_year(security.summary, "welfare_change_pct", **kw)
    assert fig.axes[0].get_title().startswith("Who gains, who loses in 2028")
    assert _bar_colours(fig)["CHN"] == green and _bar_colours(fig)["IND"] == red
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["gain", "loss"]
    plt.close(fig)

    fig = plot_final_year(security.summary, "in_customs_union", **kw)
    assert len(set(_bar_colours(fig).values())) == 1  # neutral: one colour
    assert "Who gains" not in fig.axes[0].get_title()
    plt.close(fig)


def test_over_time_title_names_the_scenarios_the_runs_and_the_seed(security):
    fig = plot_difference_over_time(security.summary, "incidents",
                                    scenarios=("pol_scn", "base_scn"), seed=7)
    text = fig._suptitle.get_text()
    assert "pol_scn minus base_scn" in text and "30 paired runs (seed 7)" in text
    assert "higher is worse" in text
    plt.close(fig)


def test_report_figures_carry_units_titles_and_directions(security, tmp_path, monkeypatch):
    jobs = _record_jobs(monkeypatch)
    md = report.write_report(security, tmp_path / "r", title="T", units=UNITS).read_text()
    by = {(name, ind): kw for name, _, ind, kw in jobs}
    kw = by[("plot_final_year", "incidents")]
    assert kw["units"] == "terrorist incidents a year (GTI definition)"
    assert kw["scenarios"] == ("pol_scn", "base_scn") and kw["seed"] == 7
    assert "| terrorist incidents a year (GTI definition) |" in md
    assert "(seed 7)" in md



# ----------------------------------------------------------------------------- totals once


def test_world_totals_are_one_row_one_bar_and_one_panel(tmp_path, monkeypatch):
    comp = compare_results(*_runs(tmp_path, {"ev_world_usd": 0.5, "incidents": 0.5},
                                  aggregate=("ev_world_usd",)))
    assert aggregate_indicators(comp.summary) == {"ev_world_usd": "world"}
    table = report.summary_table(comp, units=UNITS)
    world = table[table["indicator"] == "ev_world_usd"]
    assert list(world["country"]) == ["world"]
    assert (table["indicator"] == "incidents").sum() == len(COUNTRIES)
    jobs = _record_jobs(monkeypatch)
    report.write_report(comp, tmp_path / "r", title="T")
    for name, rows, ind, _ in jobs:
        want = {"world"} if ind == "ev_world_usd" else set(COUNTRIES)
        assert set(rows["country"]) == want, (name, ind)
        assert len(rows) == len(want) * len(YEARS)
    fig = plot_final_year(one_row_each(comp.summary, {"ev_world_usd": "world"}),
                          "ev_world_usd")
    assert len(fig.axes[0].patches) == 1
    plt.close(fig)


# ----------------------------------------------------------------------------- terminal


def test_terminal_rows_put_the_largest_change_first_and_say_what_was_cut(tmp_path):
    comp = compare_results(*_runs(tmp_path, {"incidents": 0.5, "ev_world_usd": 0.3},
                                  aggregate=("ev_world_usd",)))
    rows = compare_terminal.terminal_rows(comp, 2028, ["incidents", "ev_world_usd"])
    inc = rows[rows["indicator"] == "incidents"]
    assert list(inc["mean"]) == sorted(inc["mean"], reverse=True)
    assert list(rows["indicator"])[-1] == "ev_world_usd"  # the order asked for
    assert list(rows.loc[rows["indicator"] == "ev_world_usd", "country"]) == ["world"]
    console = Console(record=True, width=250)
    compare_terminal.print_summary(rows, console=console, units=UNITS, max_rows=2,
                                   full_table="out/report.md")
    out = console.export_text()
    # Two rows, one per indicator: the largest incidents change in absolute value, and
    # the world's; the sorted table's tail used to take the world row and the falls.
    top = inc["mean"].abs().idxmax()
    cut = [c for k, c in zip(inc.index, inc["country"], strict=True) if k != top]
    assert f"3 more rows not shown: incidents: {', '.join(cut)}. Full table" in out
    assert "ev_world_usd" in out.split("more rows not shown")[0]
    assert "Full table: out/report.md" in out
    assert "terrorist incidents a year" in out  # the declared unit


def test_terminal_colours_more_incidents_red_and_more_welfare_green():
    from scosim.compare_terminal import _news

    assert _news({"indicator": "incidents", "mean": 3.0}) == "red"
    assert _news({"indicator": "incidents", "mean": -3.0}) == "green"
    assert _news({"indicator": "welfare_change_pct", "mean": 0.2}) == "green"
    assert _news({"indicator": "in_customs_union", "mean": 0.2}) == ""


def test_the_report_says_why_ev_is_the_policy_runs_own_or_cannot_be_shown(tmp_path):
    from test_compare_ev import _ev_runs

    for baseline_ev, says in ((0.07, "policy run's own EV"), (5e9, "cannot be differenced")):
        p, b, _ = _ev_runs(tmp_path / str(baseline_ev), baseline_ev=baseline_ev)
        md = report.write_report(compare_results(p, b), tmp_path / f"r{baseline_ev}",
                                 title="T", plot_workers=1).read_text()
        assert says in md
        if baseline_ev < 1:  # the bloc's totals count the bloc's runs, the world's every run
            said = " ".join(md.split())
            assert ("The members' and the outsiders' totals count only the runs in which the "
                    "bloc existed that year (**runs** column: no bloc, no outsiders); the "
                    "world's counts every run.") in said
            assert "A bloc total counts only" not in said


def test_a_figure_with_no_paired_run_says_so(security):
    s = security.summary.copy()
    s.loc[s["indicator"] == "incidents", ["mean", "low", "high"]] = float("nan")
    s.loc[s["indicator"] == "incidents", "n_runs"] = 0
    for plot in (plot_final_year, plot_difference_over_time):
        fig = plot(s, "incidents", seed=7)
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert any("no run has a value in both scenarios" in t for t in texts), plot
        titles = " ".join([fig._suptitle.get_text() if fig._suptitle else "",
                           *(ax.get_title() for ax in fig.axes)])
        assert "no paired run (seed 7)" in titles and "0 paired runs" not in titles
        assert "bars: mean" not in titles
        plt.close(fig)


def test_an_indicator_no_run_changed_is_not_taken_for_a_total():
    """Every economy's change of incidents is 0 (identical rows): still per economy, not
    one row "all"; a declared total all 0 stays a total."""
    import pandas as pd

    rows = [(2030, c, ind, 5, 0.0, 0.0, 0.0, 0.0, 0.0) for c in ("AFG", "PAK", "TJK")
            for ind in ("incidents", "ev_world_usd")]
    summary = pd.DataFrame(rows, columns=["year", "country", "indicator", "n_runs", "mean",
                                          "sd", "low", "high", "share_positive"])
    assert aggregate_indicators(summary) == {"ev_world_usd": "world"}
    moved = summary.assign(mean=0.3, low=0.1, high=0.5)
    assert aggregate_indicators(moved) == {"ev_world_usd": "world", "incidents": "all"}


# ----------------------------------------------------------------------------- unchanged


def _membership(tmp_path, *, moved=("CHN", "RUS"), also_changed_in=None):
    """in_customs_union: ``moved`` economies join in 2027 (policy only); the others never
    differ. ``also_changed_in``: (economy, year) whose difference is 1 that year only."""
    pol, base = synthetic_pair(12, seed=3, effect=0.0)
    for df in (pol, base):
        df["value"] = 0.0
    pol.loc[pol["country"].isin(moved) & (pol["year"] >= 2027), "value"] = 1.0
    if also_changed_in is not None:
        c, y = also_changed_in
        pol.loc[(pol["country"] == c) & (pol["year"] == y), "value"] = 1.0
    pol, base = pol.assign(indicator="in_customs_union"), base.assign(indicator="in_customs_union")
    return compare_results(write_run(tmp_path / "p", pol, scenario="pol_scn", seed=7),
                           write_run(tmp_path / "b", base, scenario="base_scn", seed=7))


def _panels(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.get_title()]


def test_economies_no_run_changed_are_named_not_drawn_as_empty_panels(tmp_path):
    """Outsiders never join the union in either run: no flat-zero panels or zero bars for
    them; the figures name them (the known defect: 17 empty panels of 28)."""
    comp = _membership(tmp_path)
    fig = plot_difference_over_time(comp.summary, "in_customs_union", spread=comp.spread,
                                    scenarios=("pol_scn", "base_scn"), seed=7)
    assert _panels(fig) == ["CHN China", "RUS Russian Federation"]
    title = " ".join(fig._suptitle.get_text().split())  # wrapped
    assert "no difference in any of the 12 paired runs in any year 2025-2028: IND, KAZ" in title
    plt.close(fig)
    fig = plot_final_year(comp.summary, "in_customs_union")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["CHN China",
                                                                   "RUS Russian Federation"]
    assert len(fig.axes[0].patches) == 2
    notes = [" ".join(t.get_text().split()) for t in fig.texts]
    assert any("no difference in any of the 12 paired runs in 2028: IND, KAZ" in t
               for t in notes), notes
    plt.close(fig)


def test_an_economy_changed_in_one_year_keeps_its_panel_and_the_bar_chart_its_year(tmp_path):
    """KAZ differs in 2026 only: its panel stays (a change over time); the 2028 bar chart
    leaves it out and names it, as the report's 2028 table does."""
    comp = _membership(tmp_path, also_changed_in=("KAZ", 2026))
    fig = plot_difference_over_time(comp.summary, "in_customs_union")
    assert _panels(fig) == ["CHN China", "KAZ Kazakhstan", "RUS Russian Federation"]
    plt.close(fig)
    fig = plot_final_year(comp.summary, "in_customs_union", year=2028)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["CHN China",
                                                                   "RUS Russian Federation"]
    assert any("in 2028: IND, KAZ" in t.get_text() for t in fig.texts)
    plt.close(fig)
    fig = plot_final_year(comp.summary, "in_customs_union", year=2026)
    assert sorted(t.get_text() for t in fig.axes[0].get_yticklabels()) == ["KAZ Kazakhstan"]
    plt.close(fig)


def test_over_time_panels_are_titled_by_name_as_the_run_s_figures_are(tmp_path):
    """The compare's panels read "IRN" where the run's figures (and the compare's own bar
    chart) read "IRN Iran": a policy reader does not know BHR or KHM by its code."""
    from scosim.data.constants import NAMES as COUNTRY_NAMES

    comp = _membership(tmp_path, moved=("CHN", "KAZ", "RUS"))
    fig = plot_difference_over_time(comp.summary, "in_customs_union")
    panels = _panels(fig)
    assert panels == [f"{c} {COUNTRY_NAMES[c]}" for c in ("CHN", "KAZ", "RUS")]
    assert all(COUNTRY_NAMES[p.split()[0]] in p for p in panels)
    plt.close(fig)
    # One economy left is one panel, named in the title as well.
    fig = plot_difference_over_time(comp.summary, "in_customs_union", countries=["KAZ"])
    assert "in_customs_union, KAZ Kazakhstan" in " ".join(fig._suptitle.get_text().split())
    plt.close(fig)


def test_a_total_s_one_panel_is_not_named_twice_in_the_title(tmp_path):
    """A bloc total's title named it already: "equivalent variation of the outsiders
    together (ev_outsiders_usd), outsiders"; the panel's title names the total."""
    pol, base = synthetic_pair(6, seed=5)
    pol, base = (d[d["country"] == "CHN"].assign(country="outsiders",
                                                 indicator="ev_outsiders_usd")
                 for d in (pol, base))
    comp = compare_results(write_run(tmp_path / "p", pol, scenario="pol", seed=1),
                           write_run(tmp_path / "b", base, scenario="base", seed=1))
    name, unit, _ = display("ev_outsiders_usd", UNITS.get("ev_outsiders_usd"))
    assert "outsiders" in name
    fig = plot_difference_over_time(comp.summary, "ev_outsiders_usd", title=name, units=unit)
    text = " ".join(fig._suptitle.get_text().split())
    assert text.startswith(f"{name} ") and ", outsiders" not in text, text
    assert _panels(fig) == ["outsiders"]
    plt.close(fig)


@pytest.mark.parametrize("indicator", ["real_gdp_change_pct", "terms_of_trade_change_pct"])
def test_a_change_indicator_s_bar_chart_is_not_titled_change_in_change(tmp_path, indicator):
    """An indicator named as a change ("real GDP change") was titled "Change in real GDP
    change (real_gdp_change_pct), 2035"; one that is not keeps "Change in"."""
    pol, base = synthetic_pair(6, seed=4)
    comp = compare_results(
        write_run(tmp_path / "p", pol.assign(indicator=indicator), scenario="pol", seed=1),
        write_run(tmp_path / "b", base.assign(indicator=indicator), scenario="base", seed=1))
    name, unit, _ = display(indicator, UNITS.get(indicator))
    fig = plot_final_year(comp.summary, indicator, title=name, units=unit)
    title = " ".join(fig.axes[0].get_title().split())
    assert title.startswith(f"{name[:1].upper()}{name[1:]}, 2028"), title
    assert "Change in" not in title and "change" in title
    plt.close(fig)


def test_no_difference_anywhere_is_one_sentence_not_empty_panels(tmp_path):
    comp = _membership(tmp_path, moved=())
    for plot in (plot_difference_over_time, plot_final_year):
        fig = plot(comp.summary, "in_customs_union")
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert any(t.startswith("No difference in any of the 12 paired runs") for t in texts)
        assert not any(ax.patches or ax.lines for ax in fig.axes), plot
        plt.close(fig)


def test_the_report_table_names_unchanged_rows_instead_of_listing_zeros(tmp_path):
    comp = _membership(tmp_path)
    md = report.write_report(comp, tmp_path / "r", title="T", plot_workers=1).read_text()
    rows = [line for line in md.splitlines() if line.startswith("| ") and "in_customs" in line]
    assert [r.split(" | ")[0] for r in rows] == ["| CHN", "| RUS"]
    assert ("**Not in the table**, no difference in any of the 12 paired runs in 2028: "
            "in_customs_union: IND, KAZ.") in md
    assert report.unchanged_economies(comp) == {"in_customs_union": ["IND", "KAZ"]}
    # the CSV keeps every row
    assert len(report.summary_table(comp)) == len(COUNTRIES)


def test_when_most_economies_are_unchanged_the_note_says_every_other_one(tmp_path):
    """One economy moved of four (a crisis in Russia): the figures and the report say
    'every other economy (3)' instead of listing 27 codes."""
    comp = _membership(tmp_path, moved=("RUS",))
    fig = plot_difference_over_time(comp.summary, "in_customs_union")
    assert _panels(fig) == ["RUS Russian Federation"]
    assert ("no difference in any of the 12 paired runs in any year 2025-2028: every other "
            "economy (3)") in " ".join(fig._suptitle.get_text().split())
    plt.close(fig)
    fig = plot_final_year(comp.summary, "in_customs_union")
    assert any("in 2028: every other economy (3)" in " ".join(t.get_text().split())
               for t in fig.texts)
    plt.close(fig)
    md = report.write_report(comp, tmp_path / "r", title="T", plot_workers=1).read_text()
    assert "in_customs_union: every economy not in the table (3)." in md


def test_an_over_time_figure_s_long_unit_stays_on_the_page(tmp_path):
    """One panel left (the rest unchanged) and a long declared unit: the shared y label
    ran off the top and bottom of the figure."""
    from test_sweep_sensitivity import _overlaps

    comp = _membership(tmp_path, moved=("RUS",))
    unit = "percentage points of the year's baseline real expenditure (long unit)"
    over_time = plot_difference_over_time(comp.summary, "in_customs_union", units=unit,
                                          spread=comp.spread)
    final_year = plot_final_year(comp.summary, "in_customs_union", units=unit)
    for fig in (over_time, final_year):
        assert _overlaps(fig) == []
        plt.close(fig)


def test_the_report_names_rows_without_a_pair_and_counts_the_runs_compared(tmp_path):
    """Trade creation against a baseline without the bloc (NaN there): 4 rows of
    '– | – to – | 0' and an introduction 'over 0 paired runs' when no indicator shown
    had a pair; now one line names them and the runs are the manifests'."""
    pol, base = synthetic_pair(12, seed=3, effect=0.5)
    base["value"] = float("nan")
    p = write_run(tmp_path / "p", pol.assign(indicator="trade_creation_usd"),
                  scenario="pol_scn", seed=7)
    b = write_run(tmp_path / "b", base.assign(indicator="trade_creation_usd"),
                  scenario="base_scn", seed=7)
    comp = compare_results(p, b)
    md = report.write_report(comp, tmp_path / "r", title="T", plot_workers=1).read_text()
    assert "over 12 paired runs" in md
    assert not [x for x in md.splitlines() if x.startswith("| ") and "trade_creation" in x]
    assert ("**Not in the table**, no run has a value in both scenarios in 2028 (e.g. a "
            "bloc's figure against a baseline without the bloc): trade_creation_usd: "
            "every economy.") in md
    assert "– with 0 runs" not in md
    html = (tmp_path / "r" / "report.html").read_text()
    assert "no run has a value in both scenarios in 2028" in html


def test_terminal_leaves_out_rows_without_a_pair_and_says_how_many(tmp_path):
    pol, base = synthetic_pair(12, seed=3, effect=0.5)
    base.loc[base["country"] != "CHN", "value"] = float("nan")
    comp = compare_results(write_run(tmp_path / "p", pol.assign(indicator="incidents"), seed=7),
                           write_run(tmp_path / "b", base.assign(indicator="incidents"), seed=7))
    console = Console(record=True, width=250)
    compare_terminal.print_summary(compare_terminal.terminal_rows(comp, 2028, ["incidents"]),
                                   console=console, units=UNITS)
    out = console.export_text()
    assert "CHN" in out and "IND" not in out and "– to –" not in out
    assert "3 rows without a paired run (no value in both scenarios) not shown" in out


def test_year_ticks_of_the_over_time_panels_do_not_run_together():
    """Nine years under 4 panels a row (trade creation from 2027): a tick a year and the
    labels overlapped."""
    import numpy as np

    from test_sweep_sensitivity import _overlaps

    rng = np.random.default_rng(1)
    rows = [(y, c, "trade_creation_usd", 40, m, 1.0, m - 0.1, m + 0.1, 1.0, "t", 0.9,
             "90 % CI of the mean (t)")
            for c in ("ARM", "BLR", "CHN", "IND", "IRN", "KAZ", "KGZ", "PAK", "RUS")
            for y, m in zip(range(2027, 2036), np.cumsum(rng.uniform(0, 10, 9)), strict=True)]
    s = pd.DataFrame(rows, columns=["year", "country", "indicator", "n_runs", "mean", "sd",
                                    "low", "high", "share_positive", "method", "level",
                                    "interval"])
    fig = plot_difference_over_time(s, "trade_creation_usd", units="US$ bn")
    assert _overlaps(fig) == []
    plt.close(fig)


def test_a_truncated_table_keeps_the_largest_falls_and_every_indicator():
    """afghan_corridor_rats vs afghan_corridor: Pakistan's -38 incidents was cut (review)."""
    import pandas as pd

    from scosim.compare_terminal import _truncate

    rows = pd.DataFrame({
        "indicator": ["welfare"] * 6 + ["incidents"] * 6,
        "country": list("ABCDEF") * 2,
        "mean": [0.3, 0.2, 0.1, 0.0, -0.1, -0.9, 1.0, 0.5, -0.1, -2.0, -38.0, -53.0],
    })
    kept, rest = _truncate(rows, 6)
    assert len(kept) == 6 and len(rest) == 6
    assert set(kept.index) == {0, 1, 5, 9, 10, 11}  # the 3 largest |mean| of each
    assert list(kept.index) == sorted(kept.index)  # the table's own order
    kept, rest = _truncate(rows.iloc[:8], 6)  # welfare 6 rows, incidents 2: 4 + 2
    assert set(kept["indicator"]) == {"welfare", "incidents"}
    assert (kept["indicator"] == "incidents").sum() == 2
    assert _truncate(rows, 50)[1].empty


def test_a_percent_unit_is_known_wherever_its_percent_is_said() -> None:
    """The answer adds economies' values into "SCO members together" only when they add
    up: not for a percent of each economy's own income or cargo value, whether the unit
    starts with "percent" or says it after what it measures."""
    from scosim.indicator_display import in_percent

    assert in_percent("percent of the year's GDP")
    assert in_percent("generalised cost of shipping to Pakistan, percent of cargo value")
    assert in_percent("percentage points of real expenditure: the year's welfare with ...")
    assert not in_percent("percentage of runs")
    assert not in_percent("US$ (a loss above 5 percent is written off)")
    assert not in_percent(None) and not in_percent("US$")


def test_every_us_dollar_row_of_the_trade_solve_says_current_dollars_on_the_gdp_path():
    """compare labelled ev_usd "US$ bn (current, the year's baseline)" but the bloc rows
    (ev_members_usd, ev_outsiders_usd, ev_world_usd) and GDP only "US$ bn" (user report):
    every US$ amount of the GE solve is nominal dollars of its year on the model's GDP
    path, and every such row now says so."""
    from scosim.model.slots import get_mechanism

    usd = {name: unit for m in ("ge_trade", "calibrated_growth")
           for name, unit in get_mechanism(m).indicators.items() if unit.startswith("US$")}
    assert {"ev_usd", "ev_members_usd", "ev_outsiders_usd", "ev_world_usd", "gdp_usd",
            "exports_usd"} <= set(usd)
    for name, unit in resolve_units(usd).items():
        shown = display(name, unit)[1]
        assert shown.startswith("US$ bn (current, of the year on the model's GDP path"), name
        assert "same in every column" not in shown


def test_a_bound_or_mean_that_rounds_to_zero_keeps_its_sign():
    """Turkmenistan's "0.0000 to 0.0048" hid whether its interval includes zero: a nonzero
    bound or mean that rounds to zero prints its sign, and a gain its "+", as the run's
    answer (indicator_display.signed); an exact zero prints "0", without decimals."""
    summary = pd.DataFrame({
        "country": ["TKM", "KAZ", "UZB"], "indicator": "welfare_change_pct",
        "n_runs": 20, "mean": [0.00003, -0.00002, 0.5], "sd": 0.01,
        "low": [-0.00004, -0.0048, 0.0], "high": [0.0048, 0.00001, 1.0],
        "share_positive": 0.5, "interval": "t"})
    table = compare_terminal.summary_table(summary, units=UNITS)
    rows = {r[0]: r for r in table.rows}
    n_keys = len(table.columns) - compare_terminal.N_STATS
    assert rows["TKM"][n_keys:n_keys + 2] == ("+0.0000", "-0.0000 to +0.0048")
    assert rows["KAZ"][n_keys:n_keys + 2] == ("-0.0000", "-0.0048 to +0.0000")
    # An exact zero: "0"; UZB at the column's decimals, those TKM's and KAZ's CIs want.
    assert rows["UZB"][n_keys:n_keys + 2] == ("+0.5000", "0 to +1.0000")
