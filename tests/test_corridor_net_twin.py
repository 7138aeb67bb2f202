"""A corridor's own net effect: paired with its twin without the corridor.

``corridor_net_welfare_pct`` is the welfare change less what an economy pays for
corridors (annualised as the Council's preview does). A run whose network slot is
filled records it with or without a corridor proposal: without one nothing is paid, so
it is the welfare change. ``scosim compare`` of the Trans-Afghan railway's run with its
shipped twin without the railway then pairs the net, and the paired net difference is
the welfare difference less the railway's annualised cost, economy by economy. Until
2026-12-06 the twin recorded no net and the comparison could give the gross only.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from scosim.compare_read import compare_results
from scosim.model.model import SCOModel
from scosim.network.corridor import Corridor
from scosim.scenario import load_scenario
from scosim.scenario.outputs import recorded_indicators

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
NET, WELFARE = "corridor_net_welfare_pct", "welfare_change_pct"
POLICY, TWIN = "corridor_trans_afghan_high.yaml", "corridor_trans_afghan_high_no_rail.yaml"
#: The railway is agreed in 2026 and operates from 2033: its trade gain shows from then.
LAST = 2033


def _model(name: str, runs: int = 2) -> SCOModel:
    m = SCOModel(load_scenario(SCENARIOS / name, overrides={"replications": runs}))
    while m.year <= LAST:
        m.step()
    return m


def _years(m: SCOModel, name: str) -> np.ndarray:
    """(years, R, N) of an indicator the model recorded."""
    return np.asarray(m.records[name], dtype=float)


def test_a_network_run_without_corridors_records_its_welfare_as_the_net() -> None:
    m = _model(TWIN)
    assert not [a for a in m.arrangements if isinstance(a, Corridor)]
    # Afghan instability moves welfare; the net is that change, to the bit, every year.
    assert np.abs(_years(m, WELFARE)).max() > 1e-3
    assert np.array_equal(_years(m, NET), _years(m, WELFARE))
    # Only the net: the corridor's payments and deliveries stay out of a run without one.
    assert [n for n in m.records if n.startswith("corridor_")] == [NET]
    assert NET in recorded_indicators(m.scenario)


def test_a_run_without_the_network_slot_records_no_net() -> None:
    scenario = load_scenario(SCENARIOS / "baseline.yaml", overrides={"replications": 1})
    assert scenario.parameters.mechanisms.get("network") is None
    assert not {n for n in recorded_indicators(scenario) if n.startswith("corridor_")}
    m = SCOModel(scenario)
    m.step()
    assert not [n for n in m.records if n.startswith("corridor_")]


def test_the_paired_net_is_the_welfare_difference_less_the_railway_s_cost() -> None:
    """Railway and twin at one seed and replications, paired run by run, by hand.

    The railway's annualised cost to each economy: 7 % (the members' cost of funds, the
    rate of the present values; until 2026-12-06 the 4 % welfare rate) of what it pays
    less what it recovers after a failure plus its share of the bank's expected loss,
    over its expenditure in the year, in percent; and, the railway operating, its hosts'
    yearly O&M, 2 % of the US$5.39 bn in their cost shares (since 2026-12-06).
    """
    pol, twin = _model(POLICY), _model(TWIN)
    assert pol.year == twin.year == LAST + 1
    rail = next(a for a in pol.arrangements if isinstance(a, Corridor))
    assert rail.in_force.all()
    expenditure = np.asarray(pol.ge.expenditure, dtype=float)
    # What the run knows in the year (since 2026-12-07 a failure is drawn in each run):
    # paid and lost where the railway has failed, expected given that it stands elsewhere.
    paid, _, recovered, owners = rail.known.at(LAST)
    cost = 100.0 * 0.07 * (paid - recovered + owners) / expenditure
    assert (pol.policy.levers["corridor_operating_year"][:, rail.p_index] <= LAST).all()
    standing = (rail.fail_year < 0) | (rail.fail_year > LAST)
    cost += np.where(standing[:, None], 100.0 * 0.02 * 5.39e9 * rail.host_shares
                     / expenditure, 0.0)  # no O&M for a line that has failed
    net = _years(pol, NET)[-1] - _years(twin, NET)[-1]
    welfare = _years(pol, WELFARE)[-1] - _years(twin, WELFARE)[-1]
    np.testing.assert_allclose(net, welfare - cost, rtol=1e-9, atol=1e-12)
    afg, uzb, pak = (pol.codes.index(c) for c in ("AFG", "UZB", "PAK"))
    # The hosts pay; the railway's own trade gain to Afghanistan shows in operation.
    assert (cost[:, [afg, uzb, pak]] > 0).all()
    assert (welfare[standing, afg] > 0.05).all() and (net[:, afg] < welfare[:, afg]).all()


def test_compare_pairs_the_railway_s_net_with_its_twin(tmp_path: Path) -> None:
    """What ``scosim compare`` reads: the twin's net pairs with the railway's."""
    from scosim.api import run

    kw = {"replications": 2, "seed": 3, "out": tmp_path, "progress": False, "plots": False,
          "overrides": {"years.end": LAST}}
    pol = run(SCENARIOS / POLICY, **kw).path
    base = run(SCENARIOS / TWIN, **kw).path
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no indicator left unpaired
        comp = compare_results(pol, base, indicators=[WELFARE, NET])
    d = comp.diffs.set_index(["run", "year", "country", "indicator"])
    net, welfare = d.xs(NET, level="indicator"), d.xs(WELFARE, level="indicator")
    # The twin's net is its welfare; the railway run's net is its welfare less its cost.
    np.testing.assert_array_equal(net["baseline"], welfare["baseline"])
    cost = welfare["policy"] - net["policy"]
    np.testing.assert_allclose(net["diff"], welfare["diff"] - cost, rtol=0, atol=1e-12)
    # Afghanistan pays from the railway's entry into force (2027), every year of both runs.
    afg = cost.xs("AFG", level="country")
    years = afg.index.get_level_values("year")
    assert len(afg) == 2 * (LAST - 2025 + 1)
    assert (afg[years >= 2027] > 0).all() and (afg[years < 2027] == 0).all()
