"""Security and corridor network together: the afghan_corridor scenarios (docs/security.md 12)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.runner import run_model
from scosim.scenario import load_scenario
from scosim.security.coupling import exit_share
from scosim.security.params import SecurityParams
from scosim.security.routes import EDGES

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
RUNS = [0, 1, 2]


def _run(name: str, **overrides):
    model = run_model(load_scenario(SCENARIOS / f"{name}.yaml", overrides=overrides or None),
                      runs=RUNS)
    rec = {k: np.stack(v, axis=1) for k, v in model.records.items()}
    return model, rec


@pytest.fixture(scope="module")
def runs():
    return {name: _run(name) for name in
            ("afghan_corridor_stable", "afghan_corridor", "afghan_corridor_rats")}


def test_the_network_prices_the_rise_of_expected_insecurity(runs):
    for _model, rec in runs.values():
        # What the network used is what the security slot wrote, clipped at 0.
        np.testing.assert_allclose(rec["route_instability"],
                                   np.clip(rec["insecurity_rise"], 0.0, 1.0), atol=1e-12)
        assert np.isnan(rec["insecurity_rise"]).sum() == 0
    model, rising = runs["afghan_corridor"]
    _, stable = runs["afghan_corridor_stable"]
    afg = model.codes.index("AFG")
    years = list(model.years)
    # 2018-2022 conditions mean no extra risk on Afghan edges; instability 2.5 a clear one.
    assert np.all(stable["route_instability"][:, :, afg] == 0.0)
    assert np.all(rising["route_instability"][:, years.index(2035), afg] > 0.1)


def test_rising_instability_raises_corridor_costs_and_the_railway_lowers_them(runs):
    model, rising = runs["afghan_corridor"]
    _, stable = runs["afghan_corridor_stable"]
    uzb = model.codes.index("UZB")
    years = list(model.years)
    cost_r = rising["route_cost_to_pakistan_pct"][:, :, uzb]
    cost_s = stable["route_cost_to_pakistan_pct"][:, :, uzb]
    late = slice(years.index(2028), None)
    assert np.all(cost_r[:, late] > cost_s[:, late])
    # The railway opens in 2033 (agreed 2026, six years of construction): costs drop.
    t33 = years.index(2033)
    assert np.all(cost_s[:, t33] < cost_s[:, t33 - 1] - 1.0)
    assert np.all(cost_r[:, t33] < cost_r[:, t33 - 1] - 1.0)


def test_rats_upgrade_is_agreed_in_every_run_and_lowers_pakistans_risk(runs):
    model, rats = runs["afghan_corridor_rats"]
    _, rising = runs["afghan_corridor"]
    ev = model.log.to_frame()
    adopted = ev[(ev["type"] == "adopted") & (ev["proposal"] == "rats-universal-centre")]
    assert sorted(adopted["run"].unique()) == RUNS
    pak = model.codes.index("PAK")
    t = list(model.years).index(2035)
    assert np.all(rats["insecurity_rise"][:, t, pak] < rising["insecurity_rise"][:, t, pak])
    assert np.all(rats["expected_incidents"][:, t, pak]
                  < rising["expected_incidents"][:, t, pak])


def test_traffickers_use_the_railways_crossings_from_its_first_year(runs):
    model, rec = runs["afghan_corridor"]
    codes = list(model.codes)
    years = list(model.years)
    # No lag: the crossings are served in exactly the years the corridor type reports the
    # railway operating (the security slot runs before the network in the same year).
    served = rec["corridor_crossings"]
    operating = rec["corridor_operating"]
    for c, n in (("AFG", 2), ("PAK", 1), ("UZB", 1), ("TJK", 0), ("IRN", 0)):
        np.testing.assert_array_equal(served[:, :, codes.index(c)],
                                      n * operating[:, :, codes.index("AFG")])
    assert operating[:, years.index(2032), codes.index("AFG")].max() == 0
    assert operating[:, years.index(2033), codes.index("AFG")].min() == 1
    # Pakistan's share of Afghan exports: 0.40 before; 0.40 x 1.5 over the reweighted total
    # after (AFG -> PAK and AFG -> UZB are served), computed here from the edge table.
    up = SecurityParams().corridor_route_uplift
    afg_out = {b: s for a, b, s, _, _ in EDGES if a == "AFG"}
    total = sum(s * (1 + up * (b in ("PAK", "UZB"))) for b, s in afg_out.items())
    share = exit_share(rec, codes, "PAK")
    np.testing.assert_allclose(share[:, years.index(2032)], afg_out["PAK"])
    np.testing.assert_allclose(share[:, years.index(2033)], afg_out["PAK"] * (1 + up) / total)


def test_report_tables_and_figure_from_the_runs(runs, tmp_path):
    from scosim.security.coupling import difference_rows, plot_coupling, summary_rows

    model, _ = runs["afghan_corridor"]
    years, codes = list(model.years), list(model.codes)
    variants = {name: rec for name, (_, rec) in runs.items()}
    rows = summary_rows(variants, years, codes, 2035)
    assert len(rows) > 10 and all(set(r) == {"indicator", *variants} for r in rows)
    diff = difference_rows(runs["afghan_corridor_rats"][1], runs["afghan_corridor"][1], years,
                           codes, 2035)
    pak = next(r for r in diff if r["indicator"] == "instability index on Pakistani edges")
    assert pak["difference, median [5-95 %]"].startswith("-0.0")
    png = plot_coupling(variants, years, codes, tmp_path / "c.png", opening=2033)
    assert png.stat().st_size > 10_000


def test_coupling_tool_reports_a_wrong_run_directory_without_a_traceback(tmp_path, capsys):
    """A directory that is not a finished afghan_corridor run ends in one "error:" line
    naming it and what is wanted, and exit status 2 (it raised FileNotFoundError)."""
    from scosim.security.coupling import main

    missing = tmp_path / "no_run"
    with pytest.raises(SystemExit) as info:
        main([str(missing), str(missing), str(missing), "--png", str(tmp_path / "x.png")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and str(missing) in err and "afghan_corridor_stable" in err
    assert "Traceback" not in err


def test_the_opening_table_says_uzbekistans_share_includes_transit():
    """Pakistan 40.0, Iran 40.5, Tajikistan 15.0, Uzbekistan 13.1, Turkmenistan 3.8 % added
    to 112 %: Uzbekistan's share counts what comes through Tajikistan, which the figure
    said and the table did not."""
    from scosim.security.coupling import OPENING_NOTE, opening_rows

    codes = ["AFG", "PAK", "IRN", "TJK", "UZB", "TKM"]
    inflow = np.zeros((1, 2, len(codes)))
    # 100 t leave Afghanistan; 15 enter Tajikistan, 13 of them go on to Uzbekistan.
    inflow[0, :, :] = [100.0, 40.0, 40.0, 15.0, 13.0, 5.0]
    res = {"inflow_t": inflow, "seizures_t": np.zeros_like(inflow)}
    rows = opening_rows(res, [2032, 2033], codes, 2033)
    shares = {r["share of Afghan opiate exports entering"]: float(r["2032, %"].split()[0])
              for r in rows}
    assert sum(shares.values()) > 100  # a state reached through another counts in both
    assert shares["Uzbekistan (also via Tajikistan)"] == 13.0
    assert "more than 100 %" in OPENING_NOTE and "Tajikistan" in OPENING_NOTE


def test_welfare_panel_says_it_excludes_lives_saved_and_bars_the_damage_avoided(tmp_path,
                                                                              monkeypatch):
    """An outside referee (2026-12-07): the welfare panel showed members worse off under the
    upgrade without saying welfare leaves out the incidents it avoids. Its title says so, and
    a bar gives the damage avoided at the votes' price: incidents avoided times 160 x GTI
    deaths per incident / population (Pakistan: 1,950 deaths in 1,039 incidents), % of GDP."""
    import matplotlib.pyplot as plt

    from scosim.data.calibration import load_calibration
    from scosim.data.constants import ECONOMIES
    from scosim.security import coupling

    codes, years, r = list(ECONOMIES), [2034, 2035], 5
    def variant(pak_incidents: float) -> dict[str, np.ndarray]:
        res = {k: np.zeros((r, len(years), len(codes))) for k in coupling.INDICATORS}
        res["incidents"][:, :, codes.index("PAK")] = pak_incidents
        return res
    variants = {"stable": variant(200.0), "rising": variant(230.0), "upgraded": variant(227.0)}
    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    coupling.plot_coupling(variants, years, codes, tmp_path / "c.png")
    fig = kept[-1]
    ax = fig.axes[5]
    assert "excludes the harm of incidents avoided" in ax.get_title()
    pop = float(load_calibration().countries.loc["PAK", "population"])
    want = 100.0 * 3.0 * 160.0 * (1950.0 / 1039.0) / pop
    heights = {round(p.get_x() + p.get_width() / 2 - 0.42): p.get_height() for p in ax.patches}
    econ = [*coupling.CENTRAL_ASIA, "AFG", "PAK"]
    np.testing.assert_allclose(heights[econ.index("PAK")], want, rtol=1e-9)
    assert heights[econ.index("KAZ")] == 0.0
    plt.close(fig)
