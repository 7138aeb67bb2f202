"""Why real GDP and welfare move apart: the welfare change's parts and the answer's line.

The parts (scosim.mechanisms.welfare_terms.decompose_welfare, recorded by ge_trade, said by
scosim.welfare_split) are checked against the expenditure identity written out by hand on a
three-economy case, against the national accounts of a solved three-economy union, and on
every year and run of the shipped union; the line against medians of the raw tables.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import scosim
from scosim.mechanisms import customs_union as cu
from scosim.mechanisms import welfare_terms as wt
from scosim.mechanisms.trade import solve_ge
from scosim.model.model import SCOModel
from scosim.plots import load_plot_data
from scosim.results import read_batches
from scosim.run_headline import headline_text
from scosim.runner import run
from scosim.runstats import RunStats
from scosim.welfare_split import PARTS, divergent, split_lines

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
#: 1e-9 of real expenditure, in percent.
TOL_PCT = 1e-7


def test_a_hand_built_three_economy_case_gives_the_formulas_figures() -> None:
    """Accounts chosen by hand; each part worked out from the formula on paper.

    Economy 0 is India's case: it cuts its tariffs, so its consumer prices fall (P 0.98)
    and its real GDP rises, but its tariff revenue falls from 5 to 2.
    """
    y = np.array([80.0, 50.0, 30.0])       # output at factory-gate prices
    r0 = np.array([5.0, 2.0, 1.0])          # tariff revenue
    d0 = np.array([15.0, -10.0, -5.0])      # deficits (sum 0)
    e = y + r0 + d0                         # expenditure 100, 42, 26
    w = np.array([1.00, 1.02, 0.99])        # factory-gate price changes
    p = np.array([0.98, 1.01, 1.00])        # consumer price index changes
    r1 = np.array([2.0, 3.0, 1.5])          # revenue received after the change
    d1 = d0                                 # a level deficit, held
    e1 = w * y + r1 + d1                    # 97, 44, 26.2
    ge = SimpleNamespace(
        baseline_expenditure=e, baseline_output=y, baseline_tariff_revenue=r0,
        baseline_deficits=d0, price_index_change=p, price_change=w,
        tariff_revenue_received=r1, deficits=d1, terms_of_trade_change=np.ones(3),
        welfare_change=e1 / (e * p))
    parts = wt.decompose_welfare(ge, np.eye(3) * 10.0)
    # Economy 0, by hand: real GDP (80/100)(1/0.98 - 1) = 0.8 * 0.020408163 = 0.016326531;
    # revenue (2/0.98 - 5)/100 = -0.029591837; deficit (15/0.98 - 15)/100 = 0.003061224;
    # welfare 97/(100 * 0.98) - 1 = -0.010204082, their sum.
    assert parts["real_gdp"][0] == pytest.approx(0.8 * (1 / 0.98 - 1), abs=1e-15)
    assert parts["real_gdp"][0] == pytest.approx(0.016326531, abs=1e-9)
    assert parts["tariff_revenue"][0] == pytest.approx(-0.029591837, abs=1e-9)
    assert parts["deficit"][0] == pytest.approx(0.003061224, abs=1e-9)
    assert parts["total"][0] == pytest.approx(-0.010204082, abs=1e-9)
    # Economy 1: real GDP (50/42)(1.02/1.01 - 1) = 1.19047619 * 0.00990099 = 0.011786893;
    # revenue (3/1.01 - 2)/42 = 0.97029703/42 = 0.023102310; deficit (-10/1.01 + 10)/42
    # = 0.09900990/42 = 0.002357379; welfare (51 + 3 - 10)/(42 * 1.01) - 1 = 0.037246582.
    assert parts["real_gdp"][1] == pytest.approx(0.011786893, abs=1e-9)
    assert parts["tariff_revenue"][1] == pytest.approx(0.023102310, abs=1e-9)
    assert parts["deficit"][1] == pytest.approx(0.002357379, abs=1e-9)
    assert parts["total"][1] == pytest.approx(0.037246582, abs=1e-9)
    # Economy 2, prices unchanged: real GDP (30/26)(-0.01) = -0.011538462, revenue
    # 0.5/26 = 0.019230769, deficit 0.
    assert parts["real_gdp"][2] == pytest.approx(-0.011538462, abs=1e-9)
    assert parts["tariff_revenue"][2] == pytest.approx(0.019230769, abs=1e-9)
    assert parts["deficit"][2] == pytest.approx(0.0, abs=1e-15)
    total = parts["real_gdp"] + parts["tariff_revenue"] + parts["deficit"]
    np.testing.assert_allclose(total, e1 / (e * p) - 1.0, rtol=0, atol=1e-15)
    # The two groupings of the same change agree: real GDP + deficit = terms of trade + rest.
    np.testing.assert_allclose(parts["real_gdp"] + parts["deficit"],
                               parts["terms_of_trade"] + parts["rest"], rtol=0, atol=1e-15)


def test_a_solved_three_economy_union_splits_by_its_own_national_accounts() -> None:
    """A solve, its parts against accounts rebuilt from the counterfactual flows by hand."""
    flows = np.array([[60.0, 8.0, 6.0],
                      [5.0, 40.0, 4.0],
                      [7.0, 3.0, 30.0]])
    tau = np.array([[0.0, 0.05, 0.05],
                    [0.12, 0.0, 0.05],   # economy 0 charges 12 % on 1 and 2
                    [0.12, 0.05, 0.0]])
    new = tau.copy()
    new[1, 0] = new[2, 0] = 0.04         # economy 0 cuts both to 4 %
    res = solve_ge(flows, sigma=5.0, tariffs=tau, new_tariffs=new[None],
                   revenue_sharing=cu.sharing_matrix(np.zeros((1, 3), bool), "collected"))
    parts = {k: v[0] for k, v in wt.decompose_welfare(res, flows).items()}
    # The accounts, from the matrices: E column sums, Y row sums before tariffs, R the
    # tariffs' share of each column, D the rest.
    e = flows.sum(axis=0)
    y = (flows / (1 + tau)).sum(axis=1)
    r0 = (flows * tau / (1 + tau)).sum(axis=0)
    d0 = e - y - r0
    x1 = res.flows[0]
    e1 = x1.sum(axis=0)
    r1 = (x1 * new / (1 + new)).sum(axis=0)
    w, p = res.price_change[0], res.price_index_change[0]
    np.testing.assert_allclose(r1, res.tariff_revenue_received[0], rtol=1e-10)
    d1 = e1 - w * y - r1
    np.testing.assert_allclose(d1, d0, rtol=0, atol=1e-8)  # the level closure holds D
    np.testing.assert_allclose(parts["real_gdp"], (y / e) * (w / p - 1), rtol=1e-12)
    np.testing.assert_allclose(parts["tariff_revenue"], (r1 / p - r0) / e, rtol=1e-9)
    np.testing.assert_allclose(parts["deficit"], (d1 / p - d0) / e, rtol=0, atol=1e-10)
    welfare = e1 / (e * p) - 1
    assert abs(parts["real_gdp"] + parts["tariff_revenue"] + parts["deficit"]
               - welfare).max() < 1e-9
    # India's case in small: cheaper imports raise its real GDP, the lost duty lowers welfare.
    assert parts["real_gdp"][0] > 0 > parts["tariff_revenue"][0]
    assert res.real_gdp_change[0, 0] > 1.0


def _records(m: SCOModel, name: str) -> np.ndarray:
    return np.asarray(m.records[name], dtype=float)  # (years, R, N)


@pytest.mark.parametrize("scenario", ["customs_union.yaml", "afghan_instability_rats.yaml"])
def test_the_parts_add_up_to_the_welfare_change_in_every_year_and_run(scenario: str) -> None:
    """The four recorded parts are welfare_change_pct, to 1e-9 of real expenditure.

    The RATS scenario has security spending out of income (the other-income part).
    """
    sc = scosim.load_scenario(SCENARIOS / scenario, overrides={
        "replications": 3, "parameters.rules.vote": "always_yes"})
    m = SCOModel(sc)
    m.run_model()
    w = _records(m, "welfare_change_pct")
    parts = sum(_records(m, n) for n in PARTS)
    assert np.isfinite(parts).all()
    assert np.max(np.abs(parts - w)) < TOL_PCT
    assert np.max(np.abs(w)) > 0.1  # a real change, not an empty check
    other = _records(m, "welfare_other_income_pct")
    if scenario.startswith("afghan"):
        assert np.abs(other).max() > 1e-4  # the spending is a part of its own
    else:
        assert not other.any()
    # The real GDP part is the real GDP change weighted by output's share of expenditure
    # (the last year's solve is at hand).
    ge = m.ge
    share = np.asarray(ge.baseline_output) / np.asarray(ge.baseline_expenditure)
    np.testing.assert_allclose(_records(m, "welfare_real_gdp_pct")[-1],
                               share * _records(m, "real_gdp_change_pct")[-1],
                               rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def union_run(tmp_path_factory) -> Path:
    """The shipped union (`scosim run scenarios/customs_union.yaml`), 6 runs, no plots."""
    res = run(SCENARIOS / "customs_union.yaml", replications=6,
              out=tmp_path_factory.mktemp("cu"), progress=False, plots=False)
    return Path(res.path)


def test_the_union_s_parts_add_up_in_its_tables(union_run: Path) -> None:
    """Every year, run and economy of the run's own indicator files."""
    ind = read_batches(union_run / "indicators")
    wide = ind[ind["indicator"].astype(str).isin(["welfare_change_pct", *PARTS])].pivot_table(
        index=["run", "year", "country"], columns="indicator", values="value", observed=True)
    assert len(wide) == 6 * 11 * 28
    gap = wide[list(PARTS)].sum(axis=1) - wide["welfare_change_pct"]
    assert gap.abs().max() < TOL_PCT


def test_the_answer_says_why_india_s_real_gdp_rises_while_its_welfare_falls(
        union_run: Path) -> None:
    ind = read_batches(union_run / "indicators")
    at = ind[ind["year"] == 2035]
    med = at.pivot_table(index="country", columns="indicator", values="value",
                         aggfunc="median", observed=True)
    text = headline_text(load_plot_data(union_run), "customs_union (seed 20250101)")
    said = " ".join(text.split())
    assert "Why real GDP and welfare differ in sign in 2035 (medians over runs; welfare's " \
        "parts in points):" in said
    ind_ = med.loc["IND"]
    assert ind_["real_gdp_change_pct"] > 0 > ind_["welfare_change_pct"]
    assert ind_["welfare_tariff_revenue_pct"] < 0
    assert (f"India: real GDP {ind_['real_gdp_change_pct']:+.2f} % but welfare "
            f"{ind_['welfare_change_pct']:+.2f} %: tariff revenue "
            f"{ind_['welfare_tariff_revenue_pct']:+.2f} points outweighs real GDP's part "
            f"{ind_['welfare_real_gdp_pct']:+.2f} and the deficit's real value "
            f"{ind_['welfare_deficit_pct']:+.2f}") in said
    # Named exactly where the medians of the raw tables have opposite signs.
    members = ["CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ", "TJK", "UZB", "BLR", "ARM"]
    w, g = med.loc[members, "welfare_change_pct"], med.loc[members, "real_gdp_change_pct"]
    apart = {c for c in members if (w[c] > 0) != (g[c] > 0)
             and min(abs(w[c]), abs(g[c])) >= 0.005}
    block = said[said.index("Why real GDP"):said.index("Bloc totals")]
    from scosim.data.constants import NAMES

    named = {c for c in members if re.search(rf"\b({c}|{NAMES[c]})\b", block)}
    assert "IND" in apart and named == apart
    # Those whose welfare or real GDP range of runs spans zero are named as unsettled,
    # not explained: numpy's 5th and 95th percentiles of the raw tables.
    lo, hi = (at.pivot_table(index="country", columns="indicator", values="value",
                             aggfunc=lambda v, q=q: np.percentile(v, q), observed=True)
              for q in (5, 95))
    spans = {c for c in apart if any(lo.at[c, n] < 0 < hi.at[c, n]
                                     for n in ("welfare_change_pct", "real_gdp_change_pct"))}
    tail = block[block.index("Not explained"):] if spans else ""
    assert {c for c in apart if NAMES[c] in tail} == spans
    assert {"PAK", "IRN"} - apart == {"PAK", "IRN"}  # their signs agree: not named


def _stats(welfare: dict[str, float], real_gdp: dict[str, float],
           parts: dict[str, dict[str, float]] | None = None) -> RunStats:
    """Three runs of the same values; every economy a member."""
    rows = []
    for r in range(3):
        for c in welfare:
            rows += [(r, 2035, c, "welfare_change_pct", welfare[c]),
                     (r, 2035, c, "real_gdp_change_pct", real_gdp[c]),
                     (r, 2035, c, "member", 1.0)]
            for n, v in (parts or {}).get(c, {}).items():
                rows.append((r, 2035, c, n, v))
    return RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))


def test_no_line_where_the_signs_agree_or_a_figure_prints_as_zero() -> None:
    parts = {c: {"welfare_real_gdp_pct": 0.3, "welfare_tariff_revenue_pct": -0.1,
                 "welfare_deficit_pct": 0.0, "welfare_other_income_pct": 0.0}
             for c in ("KAZ", "UZB", "CHN")}
    st = _stats({"KAZ": 0.2, "UZB": -0.004, "CHN": -0.3},
                {"KAZ": 0.3, "UZB": 0.5, "CHN": -0.2}, parts)
    assert divergent(st, 2035, ["KAZ", "UZB", "CHN"]).empty
    assert split_lines(st, 2035, ["KAZ", "UZB", "CHN"]) == []
    assert "Why real GDP" not in headline_text(st, "t (seed 1)")


def test_no_line_for_a_run_that_did_not_record_the_parts() -> None:
    st = _stats({"IND": -0.4}, {"IND": 0.6})  # a run made before the parts were recorded
    assert split_lines(st, 2035, ["IND"]) == []


def test_members_lost_revenue_share_one_line_and_the_other_way_its_own() -> None:
    parts = {
        "IND": {"welfare_real_gdp_pct": 0.6, "welfare_tariff_revenue_pct": -1.3,
                "welfare_deficit_pct": 0.35, "welfare_other_income_pct": 0.0},
        "KGZ": {"welfare_real_gdp_pct": 0.2, "welfare_tariff_revenue_pct": -1.4,
                "welfare_deficit_pct": 0.9, "welfare_other_income_pct": 0.0},
        "CHN": {"welfare_real_gdp_pct": -0.04, "welfare_tariff_revenue_pct": 0.14,
                "welfare_deficit_pct": 0.04, "welfare_other_income_pct": 0.0},
        "IRN": {"welfare_real_gdp_pct": 0.2, "welfare_tariff_revenue_pct": 0.01,
                "welfare_deficit_pct": 0.0, "welfare_other_income_pct": -0.5},
    }
    st = _stats({"IND": -0.35, "KGZ": -0.3, "CHN": 0.15, "IRN": -0.29},
                {"IND": 0.63, "KGZ": 0.3, "CHN": -0.03, "IRN": 0.2}, parts)
    lines = split_lines(st, 2035, ["CHN", "IRN", "KGZ", "IND"])
    said = " ".join(" ".join(lines).split())
    assert " ".join(" ".join(lines[:2]).split()) == (
        "Why real GDP and welfare differ in sign in 2035 (medians over runs; welfare's parts "
        "in points):")
    # India's gap is the largest of the revenue group: it leads, Kyrgyzstan follows.
    assert ("India: real GDP +0.63 % but welfare -0.35 %: tariff revenue -1.30 points "
            "outweighs real GDP's part +0.60 and the deficit's real value +0.35; likewise, "
            "tariff revenue alone outweighing the parts against it: KGZ -1.40.") in said
    assert ("China: real GDP -0.03 % but welfare +0.15 %: tariff revenue +0.14 points and "
            "the deficit's real value +0.04 outweigh real GDP's part -0.04.") in said
    # Security spending or a transfer out of income is its own part.
    assert ("Iran: real GDP +0.20 % but welfare -0.29 %: income and costs outside trade "
            "-0.50 points outweighs real GDP's part +0.20 and tariff revenue +0.01.") in said
    assert said.index("India") < said.index("Iran") < said.index("China")  # by the gap
    assert all(len(line) <= 80 for line in lines)


def _spread_stats(welfare: dict[str, list[float]], real_gdp: dict[str, float],
                  parts: dict[str, dict[str, float]]) -> RunStats:
    """One run per welfare value given; real GDP and the parts the same in every run."""
    rows = []
    for c, ws in welfare.items():
        for r, w in enumerate(ws):
            rows += [(r, 2035, c, "welfare_change_pct", w),
                     (r, 2035, c, "real_gdp_change_pct", real_gdp[c]),
                     (r, 2035, c, "member", 1.0)]
            rows += [(r, 2035, c, n, v) for n, v in parts[c].items()]
    return RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))


#: customs_union.yaml's India and Russia in 2035 (medians of 20 runs, rounded).
IND_PARTS = {"welfare_real_gdp_pct": 0.58, "welfare_tariff_revenue_pct": -1.30,
             "welfare_deficit_pct": 0.38, "welfare_other_income_pct": 0.0}
RUS_PARTS = {"welfare_real_gdp_pct": 0.487, "welfare_tariff_revenue_pct": -0.470,
             "welfare_deficit_pct": -0.030, "welfare_other_income_pct": 0.0}


def test_an_economy_is_listed_by_a_part_only_where_that_part_alone_outweighs_the_rest() -> None:
    """The answer listed Russia "likewise, by tariff revenue: ... RUS -0.47" after India,
    though Russia's revenue part (-0.470) is smaller than its real GDP part (+0.487): the
    sign flips only with the deficit's -0.030 (a new user's finding, 2026-12-07). Listed
    with India only where that part alone outweighs the parts against it; otherwise said
    in full, naming the parts that flip it."""
    kgz = {**IND_PARTS, "welfare_tariff_revenue_pct": -1.41, "welfare_real_gdp_pct": 0.18,
           "welfare_deficit_pct": 0.94}
    st = _spread_stats({"IND": [-0.36] * 3, "RUS": [-0.02] * 3, "KGZ": [-0.34] * 3},
                       {"IND": 0.63, "RUS": 0.46, "KGZ": 0.30},
                       {"IND": IND_PARTS, "RUS": RUS_PARTS, "KGZ": kgz})
    said = " ".join(" ".join(split_lines(st, 2035, ["IND", "RUS", "KGZ"])).split())
    # 1.41 > 0.18 + 0.94: Kyrgyzstan with India; 0.470 < 0.487: Russia on its own line.
    assert ("likewise, tariff revenue alone outweighing the parts against it: KGZ -1.41.") in said
    assert ("Russian Federation: real GDP +0.46 % but welfare -0.02 %: tariff revenue -0.47 "
            "points and the deficit's real value -0.03 outweigh real GDP's part +0.49.") in said
    assert "RUS -0.47" not in said


def test_medians_of_parts_that_do_not_outweigh_are_not_said_to() -> None:
    """Medians of parts need not add up: where those with the welfare's sign do not
    outweigh those against, the line does not say they do."""
    parts = {**RUS_PARTS, "welfare_deficit_pct": -0.010}  # -0.48 against +0.487
    st = _spread_stats({"RUS": [-0.02] * 3}, {"RUS": 0.46}, {"RUS": parts})
    said = " ".join(" ".join(split_lines(st, 2035, ["RUS"])).split())
    assert ("tariff revenue -0.47 points and the deficit's real value -0.01, against real "
            "GDP's part +0.49 (medians of the parts need not add up).") in said
    assert "outweigh" not in said


def test_an_economy_whose_range_of_runs_spans_zero_is_named_not_explained() -> None:
    """customs_union.yaml's Russia: welfare -0.02 % in the median but -0.04 to +0.02 over
    runs (a gain in 40 % of runs): what "turns" its sign is not said, only that it is not
    settled, with the range; the others are explained as before."""
    rus = [-0.045, -0.03, -0.02, -0.015, -0.01, 0.01, 0.02, 0.03]
    st = _spread_stats({"IND": [-0.36] * 8, "RUS": rus}, {"IND": 0.63, "RUS": 0.46},
                       {"IND": IND_PARTS, "RUS": RUS_PARTS})
    lo, hi = np.percentile(rus, [5, 95])
    assert lo < 0 < hi and np.median(rus) < 0
    lines = split_lines(st, 2035, ["IND", "RUS"])
    said = " ".join(" ".join(lines).split())
    assert "India: real GDP +0.63 % but welfare -0.36 %" in said
    assert "Russian Federation: real GDP" not in said
    assert ("Not explained, the sign not settled (the 5-95 % range of runs spans zero): "
            f"Russian Federation, welfare {lo:+.2f} to {hi:+.2f}.") in said
    assert all(len(line) <= 80 for line in lines)
    # Settled (every run loses): explained again.
    st = _spread_stats({"IND": [-0.36] * 8, "RUS": [w - 0.05 for w in rus]},
                       {"IND": 0.63, "RUS": 0.46}, {"IND": IND_PARTS, "RUS": RUS_PARTS})
    said = " ".join(" ".join(split_lines(st, 2035, ["IND", "RUS"])).split())
    assert "Not explained" not in said and "Russian Federation: real GDP +0.46 %" in said
