"""Drug routes: conservation, shares in [0, 1], UNODC exit split and calibration, 2023 collapse."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scosim.data.constants import ECONOMIES, LISTED
from scosim.security.calibration import TABLES_DIR
from scosim.security.model import SecuritySystem, simulate
from scosim.security.routes import (
    EDGES,
    INTERCEPTION_ANCHORS,
    NODE_ORDER,
    RETAIN,
    SUPPLY_BASE_T,
    SUPPLY_INDEX,
    calibrate_hazards,
    corridor_crossings,
    route_flows,
)
from scosim.security.validation import INCIDENT_ECONOMIES, baseline_rows, interception_rows

SYS = SecuritySystem()
N = len(ECONOMIES)
IDX = {c: k for k, c in enumerate(ECONOMIES)}


def _flows(rng, runs=3, rats=None):
    e = rng.random((runs, N))
    # Random route weights too (corridors in operation move flow between crossings).
    w = np.where(rng.random((runs, len(EDGES))) < 0.3, rng.uniform(0, 3, (runs, len(EDGES))), 1.0)
    return route_flows(rng.uniform(0, 900, runs), SYS.hazard0, e, SYS.e0,
                       k_seize=SYS.params.k_seize, k_pool_drug=SYS.params.k_pool_drug,
                       rats_drug=(rng.uniform(0, 2, (runs, N)) * SYS.cal.members
                                  if rats is None else rats), edge_weight=w)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_flow_is_conserved_and_shares_stay_in_unit_interval(seed):
    fl = _flows(np.random.default_rng(seed))
    assert np.all((fl.share_edge >= 0) & (fl.share_edge <= 1))
    # On every crossing: arrivals = departures - seizures.
    np.testing.assert_allclose(fl.arrived, fl.departed - fl.seized_edge, atol=1e-9)
    # At every node: what arrives is either retained locally or moves on.
    for node in NODE_ORDER:
        v = IDX[node]
        arrivals = fl.inflow[:, v] - fl.seized[:, v]
        onward = sum(fl.departed[:, k] for k, ed in enumerate(EDGES) if ed[0] == node)
        np.testing.assert_allclose(arrivals, fl.retained[:, v] + onward, atol=1e-9)
    # Globally: supply = all seizures + all retained + exits.
    exits = sum(fl.arrived[:, k] for k, ed in enumerate(EDGES) if ed[1] == "ROW")
    np.testing.assert_allclose(fl.inflow[:, IDX["AFG"]],
                               fl.seized.sum(axis=1) + fl.retained.sum(axis=1) + exits,
                               rtol=1e-12)


def test_afghan_exit_split_is_unodcs():
    share = {}
    for a, b, s, _, _ in EDGES:
        if a == "AFG":
            share[b] = s
    assert share["PAK"] == pytest.approx(0.40)
    assert share["IRN"] == pytest.approx(0.30)
    assert share["TJK"] + share["UZB"] + share["TKM"] == pytest.approx(0.25)


def test_more_border_effort_seizes_more_and_lets_less_through():
    rng = np.random.default_rng(3)
    e = np.tile(SYS.e0, (2, 1))
    e[1, IDX["TJK"]] = 1.0
    fl = route_flows(np.full(2, SUPPLY_BASE_T), SYS.hazard0, e, SYS.e0,
                     k_seize=SYS.params.k_seize, k_pool_drug=0.0, rats_drug=np.zeros(N))
    del rng
    assert fl.seized[1, IDX["TJK"]] > fl.seized[0, IDX["TJK"]]
    assert fl.inflow[1, IDX["RUS"]] < fl.inflow[0, IDX["RUS"]]


def test_baseline_reproduces_unodc_seizures_where_calibrated():
    target = SYS.cal.seizure_mean_t()
    zero = np.zeros(N)
    fl = route_flows(np.array([SUPPLY_BASE_T]), SYS.hazard0, SYS.e0[None, :], SYS.e0,
                     k_seize=SYS.params.k_seize, k_pool_drug=SYS.params.k_pool_drug,
                     rats_drug=zero)
    for node in NODE_ORDER:
        if node == "TKM" or node in INTERCEPTION_ANCHORS:  # imputed, or set to UNODC's share
            continue
        assert fl.seized[0, IDX[node]] == pytest.approx(target[IDX[node]], rel=1e-9), node


def test_anchored_crossings_seize_unodcs_interception_shares():
    fl = route_flows(np.array([SUPPLY_BASE_T]), SYS.hazard0, SYS.e0[None, :], SYS.e0,
                     k_seize=SYS.params.k_seize, k_pool_drug=0.0, rats_drug=np.zeros(N))
    for code, share in INTERCEPTION_ANCHORS.items():
        v = IDX[code]
        assert fl.seized[0, v] / fl.inflow[0, v] == pytest.approx(share, rel=1e-9)
    # Why Iran is anchored: fitting its 2018-2022 seizures would need a share three
    # times UNODC's, since they are a quarter of the whole modelled supply.
    target = SYS.cal.seizure_mean_t()
    assert target[IDX["IRN"]] / SUPPLY_BASE_T > 0.2
    h_fit, _ = calibrate_hazards(target, anchors={})
    assert -math.expm1(-h_fit[IDX["IRN"]]) > 2.5 * INTERCEPTION_ANCHORS["IRN"]
    # Anchored, Iran still seizes most of the region's opiates (UNODC: about 68 %).
    route = [IDX[c] for c in NODE_ORDER]
    assert fl.seized[0, IDX["IRN"]] == max(fl.seized[0, route])


def test_a_corridor_serves_the_crossings_of_its_hosts_and_moves_flow_onto_them():
    hosts = np.zeros((2, N), bool)
    hosts[0, [IDX["UZB"], IDX["AFG"], IDX["PAK"]]] = True   # the Trans-Afghan railway
    hosts[1, [IDX["CHN"], IDX["KGZ"], IDX["UZB"]]] = True   # CKU: no trafficking crossing
    served = corridor_crossings(hosts, np.array([[True, True], [False, True]]))
    names = [(a, b) for a, b, *_ in EDGES]
    assert {names[k] for k in np.flatnonzero(served[0])} == {("AFG", "PAK"), ("AFG", "UZB")}
    assert not served[1].any()
    w = 1.0 + SYS.params.corridor_route_uplift * served
    base = route_flows(np.full(2, SUPPLY_BASE_T), SYS.hazard0, np.tile(SYS.e0, (2, 1)), SYS.e0,
                       k_seize=0.0, k_pool_drug=0.0, rats_drug=np.zeros(N), edge_weight=w)
    assert base.inflow[0, IDX["UZB"]] > base.inflow[1, IDX["UZB"]]
    assert base.inflow[0, IDX["PAK"]] > base.inflow[1, IDX["PAK"]]
    assert base.inflow[0, IDX["TJK"]] < base.inflow[1, IDX["TJK"]]
    # The Afghan exit shares still sum to one: the same supply leaves Afghanistan.
    out = [k for k, e in enumerate(EDGES) if e[0] == "AFG"]
    np.testing.assert_allclose(base.departed[:, out].sum(axis=1),
                               base.inflow[:, IDX["AFG"]] - base.seized[:, IDX["AFG"]])


def test_pakistan_s_anchored_share_reproduces_its_seizures():
    """Pakistan's 17 % interception share is imposed (INTERCEPTION_ANCHORS), so testing the
    share cannot fail; its seizures in tonnes are not: they are that share of the flow the
    2009 supply and UNODC's 40 % exit split send into Pakistan, against UNODC's 2018-2022
    mean, three independent figures. The model gives 1.3 times the data (docs/security.md
    section 4); a factor of 1.5 either way is the test."""
    rows = {r["economy"]: r for r in interception_rows(SYS)}
    assert rows["PAK"]["share"] == pytest.approx(0.17)  # the anchor, as imposed
    fl = route_flows(np.array([SUPPLY_BASE_T]), SYS.hazard0, SYS.e0[None, :], SYS.e0,
                     k_seize=0.0, k_pool_drug=0.0, rats_drug=np.zeros(N))
    data = SYS.cal.seizure_mean_t()[IDX["PAK"]]
    assert 1 / 1.5 < fl.seized[0, IDX["PAK"]] / data < 1.5


def test_northern_route_seizure_share_misses_the_anchor_as_documented():
    """ANCHORS.md: "only about 2 percent seized". The model seizes 0.8 % of what enters
    Central Asia: the Northern-route states' UNODC 2018-2022 seizures over the flow the 2009
    supply and the 25 % exit split send there. A documented miss (docs/security.md section
    4), by a factor between 2 and 3; this fails if it grows or if the model comes closer,
    and the docs must then change."""
    north = ("TJK", "KGZ", "UZB", "TKM", "KAZ")
    fl = route_flows(np.array([SUPPLY_BASE_T]), SYS.hazard0, SYS.e0[None, :], SYS.e0,
                     k_seize=0.0, k_pool_drug=0.0, rats_drug=np.zeros(N))
    entering = sum(fl.departed[0, k] for k, e in enumerate(EDGES)
                   if e[0] == "AFG" and e[1] in north)
    seized = math.fsum(fl.seized[0, IDX[c]] for c in north)
    assert 0.02 / 3 < seized / entering < 0.02 / 2
    # About three quarters of the Northern-route heroin is bound for Russia (ANCHORS.md).
    assert 0.6 < fl.inflow[0, IDX["RUS"]] / entering < 0.9


def test_northern_route_share_is_2018_2022_seizures_over_the_2009_flow():
    """Why the share misses (docs/security.md section 4): the flow into Central Asia is
    UNODC's 2009 split (25 % of what leaves Afghanistan) of the 2009 supply, the four
    reporting states seize their UNODC 2018-2022 means, and heroin alone (the anchor's
    unit, from the shipped table) misses as much; 2 % with these seizures would need about
    a tenth of Afghan exports entering Central Asia, not a quarter."""
    north = ("TJK", "KGZ", "UZB", "TKM", "KAZ")
    reporting = ("TJK", "KGZ", "UZB", "KAZ")  # Turkmenistan is not in the UNODC annex
    fl = route_flows(np.array([SUPPLY_BASE_T]), SYS.hazard0, SYS.e0[None, :], SYS.e0,
                     k_seize=0.0, k_pool_drug=0.0, rats_drug=np.zeros(N))
    afg = IDX["AFG"]
    exports = fl.inflow[0, afg] - fl.seized[0, afg]
    entering = sum(fl.departed[0, k] for k, e in enumerate(EDGES)
                   if e[0] == "AFG" and e[1] in north)
    assert entering == pytest.approx(0.25 * exports, rel=1e-12)
    data = SYS.cal.seizure_mean_t()
    for c in reporting:
        assert fl.seized[0, IDX[c]] == pytest.approx(data[IDX[c]], rel=1e-9), c
    # Heroin alone: the reporting states' heroin seizures over the heroin (375 of the 465 t)
    # in the flow entering Central Asia.
    frame = pd.read_csv(TABLES_DIR / "seizures.csv")
    heroin_t = math.fsum(frame[frame["iso3"] == c]["heroin_kg"].mean() for c in reporting)
    heroin_in = entering * 375.0 / SUPPLY_BASE_T
    assert 0.02 / 3 < heroin_t / 1000.0 / heroin_in < 0.01
    # 2 % with these seizures needs about a tenth of Afghan exports entering Central Asia.
    seized = math.fsum(fl.seized[0, IDX[c]] for c in north)
    assert 0.09 < seized / 0.02 / exports < 0.12


def test_calibration_baseline_reproduces_gti_rates_and_unodc_seizures():
    """A calibration test, not a comparison with data the model did not see: incident base
    rates ARE the GTI 2018-2022 means and the fitted seizure hazards reproduce UNODC's
    2018-2022 means (docs/security.md section 7). What it checks is that a baseline run
    (efforts kept, instability 1, supply index 1) gives back those targets: expected
    incidents exactly, the drawn counts and seizures within sampling error."""
    n_runs, years = 60, list(range(2018, 2023))
    keep = {c: "keep_effort" for c in LISTED}
    res = simulate(SYS, years, keep, 1.0, n_runs, seed=9)
    rows = {(r["economy"], r["quantity"][:9]): r for r in baseline_rows(SYS, n_runs, seed=9)}
    cal = SYS.cal
    for c in INCIDENT_ECONOMIES:
        i = IDX[c]
        gti = math.fsum(cal.gti_incidents[y][i] for y in years) / len(years)
        assert rows[(c, "terrorist")]["data"] == pytest.approx(gti, rel=1e-12)
        assert cal.base_rate[i] == pytest.approx(gti, rel=1e-12), c  # the fit itself
        # At baseline the expected rate is the base rate in every run and year ...
        np.testing.assert_allclose(res["expected_incidents"][:, :, i], gti, rtol=1e-9,
                                   err_msg=c)
        # ... and the negative-binomial draws average to it: 300 draws, variance
        # mu + alpha mu^2, so 4 standard errors (a false alarm about 1 in 16,000 per row).
        x = res["incidents"][:, :, i]
        se = math.sqrt((gti + cal.overdispersion[i] * gti**2) / x.size)
        assert abs(x.mean() - gti) < 4 * se, (c, x.mean(), gti, se)
    # Seizures where the hazard is fitted: flows are linear in supply, so each fitted
    # economy's simulated mean is its UNODC mean times the runs' mean supply over the
    # 465 t baseline (to 1e-9); that factor is the mean of 300 lognormal draws of mean 1
    # and sd sqrt(exp(0.15^2) - 1) = 0.151, within 4 standard errors of 1.
    target = cal.seizure_mean_t()
    factor = res["inflow_t"][:, :, IDX["AFG"]].mean() / SUPPLY_BASE_T
    sd = math.sqrt(math.expm1(SYS.params.supply_noise**2))
    assert abs(factor - 1.0) < 4 * sd / math.sqrt(n_runs * len(years))
    for c in ("AFG", "TUR", "AZE", "TJK", "KGZ", "UZB", "KAZ", "RUS"):
        model = res["seizures_t"][:, :, IDX[c]].mean()
        assert model == pytest.approx(target[IDX[c]] * factor, rel=1e-9), c
        assert rows[(c, "opiates s")]["model"] == pytest.approx(model, rel=1e-12), c


def test_2023_collapse_scales_flows_and_seizures_down_with_supply():
    keep = {c: "keep_effort" for c in LISTED}
    res = simulate(SYS, [2022, 2023], keep, 1.0, 40, seed=3, supply_index=SUPPLY_INDEX)
    # Flows are linear in supply at given efforts: seizures fall by the supply ratio
    # (supply noise is common to both years' draws only in distribution, so compare means).
    tot = res["seizures_t"].sum(axis=2)
    inflow = res["inflow_t"][:, :, IDX["AFG"]]
    np.testing.assert_allclose(tot[:, 1] / inflow[:, 1], tot[:, 0] / inflow[:, 0], rtol=1e-9)
    ratio = inflow[:, 1].mean() / inflow[:, 0].mean()
    assert ratio == pytest.approx(333 / 6200, rel=0.25)


def test_retention_and_edge_tables_are_consistent():
    assert set(RETAIN) == set(NODE_ORDER)
    assert all(0 <= v <= 1 for v in RETAIN.values())
    for a, b, s, _, _ in EDGES:
        assert a in NODE_ORDER and (b in NODE_ORDER or b == "ROW") and 0 < s <= 1


def test_regional_seizures_fitted_rows_are_the_data_and_iran_misses_as_documented():
    """The shares table of docs/security.md section 4 (``seizure_share_rows``).

    Calibration part: the nine economies whose hazards are fitted seize their UNODC
    2018-2022 means (ratio 1 to 1e-9), so their shares only restate the fit. The
    information is in Iran and Pakistan, whose interception shares are anchored (20 %,
    17 %) instead: their tonnes follow from the 2009 supply (465 t), UNODC's exit split and
    the anchors, and are set beside UNODC's seizures, which the model never saw for them.
    Pakistan's level is tested in ``test_pakistan_s_anchored_share_reproduces_its_seizures``
    (1.3 times the data). Iran's is a documented miss: 0.31 times the data (most of Iran's
    seizures are opium for its own market, section 4), so its share of the route economies'
    seizures is 37 % against UNODC's 68 %. The test holds the level between a quarter and
    0.4 of the data: within about a quarter of the documented 0.31, so a change of the
    supply, the split or the anchors that moves it (or closes the gap) fails, and the docs
    must change with it. Iran is still the largest seizer in both, which nothing imposes
    (Pakistan, also anchored, seizes 31 t)."""
    from scosim.security.validation import seizure_share_rows

    rows = {r["economy"]: r for r in seizure_share_rows(SYS)}
    fitted = [c for c in rows if c not in ("all", *INTERCEPTION_ANCHORS)]
    assert sorted(fitted) == sorted(["AFG", "TUR", "AZE", "TJK", "KGZ", "UZB", "KAZ", "RUS",
                                     "BLR"])
    for c in fitted:
        assert rows[c]["model_t"] == pytest.approx(rows[c]["data_t"], rel=1e-9), c
    irn = rows["IRN"]
    assert 0.25 < irn["model_t"] / irn["data_t"] < 0.4
    assert 0.6 < irn["data_share"] < 0.75  # UNODC: about 68 % of the route economies'
    assert 0.3 < irn["model_share"] < 0.45  # the model: 37 %
    route = [c for c in rows if c != "all"]
    assert max(route, key=lambda c: rows[c]["model_t"]) == "IRN"
    assert max(route, key=lambda c: rows[c]["data_t"]) == "IRN"


def test_an_anchored_note_names_the_docs_file_the_tables_quote() -> None:
    """tools/security_report.py printed "(ANCHORS.md)", a design note outside the repository,
    where docs/security.md's interception table says "(docs/anchors.md)"."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    _, notes = calibrate_hazards(SYS.cal.seizure_mean_t())
    docs = (root / "docs" / "security.md").read_text()
    for code, share in INTERCEPTION_ANCHORS.items():
        note = notes[code]
        assert note == f"anchored: UNODC interception share {share:.2f} (docs/anchors.md)"
        assert f"| {note} |" in docs
    assert (root / "docs" / "anchors.md").is_file()
