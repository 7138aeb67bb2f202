"""What a corridor charges: the risk of its route, and one charge per project and run.

A project's failure risk comes from the economies its edges cross, whoever pays for it
(until 2026-12-05 only economies with a positive cost share counted: the Trans-Afghan
railway paid by Uzbekistan alone lost its Afghan risk). See docs/network.md, "Who pays,
who bears the risk".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.network.projects import project_km_by_economy, project_route_economies
from scosim.network.step import CorridorNetwork
from scosim.scenario import load_scenario

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
TRANS_AFGHAN = SCEN / "corridor_trans_afghan_high.yaml"


def _corridor(scenario: Path, **over: Any) -> tuple[SCOModel, Any]:
    """A model of ``scenario`` (two runs, not run) and its first corridor arrangement."""
    sc = load_scenario(scenario, overrides={"replications": 2, "years.end": 2027, **over})
    m = SCOModel(sc)
    return m, next(a for a in m.arrangements if a.name == "corridor")


def _instability(m: SCOModel, **values: float) -> np.ndarray:
    inst = np.zeros((m.R, m.N))
    for code, v in values.items():
        inst[:, m.codes.index(code)] = v
    return inst


def test_a_project_s_route_is_the_economies_its_edges_cross() -> None:
    net = CorridorNetwork()
    codes = net.graph.economies

    def route(project: str) -> set[str]:
        mask = project_route_economies(net.graph, net.project_ids.index(project))
        return {c for c, on in zip(codes, mask, strict=True) if on}

    # Uzbekistan hosts the Trans-Afghan railway but none of its new track is Uzbek.
    assert route("TRANS_AFGHAN_RAIL") == {"AFG", "PAK"}
    # TAPI's last section ends at the Indian border: India is on it, with no km of its own.
    assert route("TAPI") == {"TKM", "AFG", "PAK", "IND"}
    assert route("INSTC_CHABAHAR") == {"IRN"}


@pytest.mark.parametrize("shares", [{"UZB": 1.0}, {"PAK": 1.0}, {"AFG": 0.5, "UZB": 0.5}])
def test_who_pays_does_not_move_the_route_s_risk(shares: dict[str, float]) -> None:
    # The railway crosses Afghanistan at instability 0.8 whoever pays: the expected loss is
    # the same US$2.24 bn, 60 % of the cost times h / (r + h) at h = 0.09 (2.08 while no
    # failure counted after 20 years, 1.78 at the US$4.6 bn of before the cost covered the
    # Pakistani link). Before, Uzbekistan or Pakistan alone paying cut it to the 1 % base
    # rate's.
    # On its non-recourse loan the bank's loss also counts the failure year's interest at
    # 7 %: the capital lost is the total less 0.07 / 1.07 of the bank's loss. Losses are
    # valued at the members' 7 % cost of funds (until 2026-12-06 at 4 %: US$2.24 bn, h /
    # (r + h) = 0.09 / 0.13; now 1.82, 0.09 / 0.16).
    m, default = _corridor(TRANS_AFGHAN)
    inst = _instability(m, AFG=0.8)
    fin0 = default._finance(m, default._failure_prob(inst))
    expected = fin0.risk.sum(axis=1)
    np.testing.assert_allclose((expected - fin0.bank_loss * 0.07 / 1.07) / 1e9,
                               5.39 * 0.6 * 0.09 / 0.16, rtol=1e-12)
    _, paid_by = _corridor(TRANS_AFGHAN, **{"proposals[0].host_shares": shares})
    fin = paid_by._finance(m, paid_by._failure_prob(inst))
    np.testing.assert_allclose(fin.risk.sum(axis=1), expected, rtol=1e-12)


def test_trans_afghan_cost_per_km_is_the_2025_reports_rate_in_every_host() -> None:
    # projects.csv costs the modelled route (572 km of new Afghan track, the crossing and the
    # Kharlachi-Peshawar link) at the 2025 reports' US$4.6 bn for 647 km. Each host's
    # default share, by its km, must then pay that rate on its own km. Before, US$4.6 bn
    # was spread over 758 km (US$6.07 m/km), Pakistan's 185 km taking 24 % of a costing
    # that stops at the border.
    m, arr = _corridor(TRANS_AFGHAN)
    tables = arr.net.net.tables
    km = project_km_by_economy(tables, "TRANS_AFGHAN_RAIL")
    rate = 4.6e9 / 647
    for code in ("AFG", "PAK"):
        i = m.codes.index(code)
        assert km[i] > 100
        np.testing.assert_allclose(arr.cost_usd * arr.host_shares[i] / km[i], rate, rtol=1e-3)
    # Uzbekistan hosts it (the line starts at Termez) but lays no new track: no share.
    assert arr.host_shares[m.codes.index("UZB")] == 0.0
    # The other sources' "about 760 km and US$5-7 bn" bracket the modelled route.
    assert 740 < km.sum() < 780 and 5e9 <= arr.cost_usd <= 7e9


def test_instability_off_the_route_does_not_raise_the_risk() -> None:
    # Uzbek instability is not on the Trans-Afghan railway's route, even with Uzbekistan
    # paying all of it (before, it was the only instability that counted then).
    m, arr = _corridor(TRANS_AFGHAN, **{"proposals[0].host_shares": {"UZB": 1.0}})
    calm = arr._finance(m, arr._failure_prob(_instability(m))).risk.sum(axis=1)
    off_route = arr._finance(m, arr._failure_prob(_instability(m, UZB=0.8))).risk.sum(axis=1)
    on_route = arr._finance(m, arr._failure_prob(_instability(m, PAK=0.8))).risk.sum(axis=1)
    np.testing.assert_array_equal(off_route, calm)
    assert (on_route > 3 * calm).all()


INSTC = SCEN / "corridor_instc.yaml"
_INSTC = {"type": "corridor", "id": "instc", "year": 2026, "proposer": "IND",
          "project": "INSTC_CHABAHAR", "financing": "budget"}


def _run(proposals: list[dict[str, Any]], **over: Any) -> SCOModel:
    sc = load_scenario(INSTC, overrides={"replications": 2, "years.end": 2029,
                                         "proposals": proposals, **over})
    m = SCOModel(sc)
    m.run_model()
    return m


def _paid(m: SCOModel, code: str) -> np.ndarray:
    """Each run's expected present value paid by ``code`` in the last year (R,)."""
    return np.stack(m.records["corridor_paid_usd"], axis=1)[:, -1, m.codes.index(code)]


def test_a_second_proposal_of_a_project_adopted_is_not_tabled_nor_charged() -> None:
    # Both proposals were adopted and each charged the whole cost: Iran paid US$10.6 bn for
    # one INSTC, its welfare that of one project.
    one = _run([_INSTC])
    two = _run([_INSTC, {**_INSTC, "id": "instc2", "year": 2028}])
    np.testing.assert_array_equal(_paid(one, "IRN"), 5.3e9)
    np.testing.assert_array_equal(_paid(two, "IRN"), _paid(one, "IRN"))
    for name in ("corridor_risk_usd", "welfare_change_pct"):
        np.testing.assert_array_equal(np.stack(two.records[name]), np.stack(one.records[name]))
    second = two.arrangements[1]
    assert not second.adopted.any() and not second.in_force.any()
    assert not [e for e in two.log.records() if e["proposal"] == "instc2"]


def test_a_rejected_project_can_be_proposed_again() -> None:
    # Tajikistan's no under consensus rejects the first proposal; the second, by the
    # corridor's own rule, is adopted without it and charges Iran the cost once.
    m = _run([{**_INSTC, "decision_rule": "consensus"}, {**_INSTC, "id": "instc2",
                                                         "year": 2028}],
             **{"countries.TJK.rules.vote": "always_no"})
    first, second = m.arrangements
    assert not first.adopted.any() and second.in_force.all()
    np.testing.assert_array_equal(_paid(m, "IRN"), 5.3e9)


def test_a_project_is_tabled_again_only_in_the_runs_where_it_was_not_adopted() -> None:
    m, first = _corridor(INSTC, proposals=[_INSTC, {**_INSTC, "id": "instc2", "year": 2027}])
    second = m.arrangements[1]
    np.testing.assert_array_equal(second.eligible_runs(m), [True, True])
    first.adopted[:] = [True, False]
    np.testing.assert_array_equal(second.eligible_runs(m), [False, True])
    # A proposal of another project is not held back.
    m, first = _corridor(INSTC, proposals=[_INSTC, {**_INSTC, "id": "cku", "project": "CKU_RAIL",
                                                   "proposer": "CHN"}])
    first.adopted[:] = True
    np.testing.assert_array_equal(m.arrangements[1].eligible_runs(m), [True, True])


def test_the_chair_does_not_retable_a_corridor_whose_project_was_built_otherwise() -> None:
    # The first proposal is rejected, the second builds the project; the chair's rule
    # would table the first again every second year. Before, it was "retabled" every
    # year from 2028 and never voted on (table() skips runs its type does not table).
    m = _run([{**_INSTC, "decision_rule": "consensus"}, {**_INSTC, "id": "instc2",
                                                         "year": 2027}],
             **{"countries.TJK.rules.vote": "always_no",
                "parameters.rules.propose": "retable_every_two_years"})
    first, second = m.arrangements
    assert second.in_force.all() and not first.adopted.any()
    assert {e["type"] for e in m.log.records() if e["proposal"] == "instc"} == {
        "vote", "veto", "rejected"}


def test_the_preview_is_the_annualised_expected_npv() -> None:
    # A standard expected NPV, annualised at r = 4 %: -r PV(payments) + the yearly gain times
    # the share of it the project is expected to deliver. Budget financing at Afghan
    # instability 0.8: the hosts pay the cost up front, and the railway fails with
    # probability h = 0.01 + 0.1 x 0.8 = 0.09 a year for as long as it stands, as its
    # benefits run. Before, the gain counted as certain and the expected loss of the sunk
    # cost was subtracted on top of paying it: Afghanistan's cost term was 1.39 times
    # r PV(paid); and until 2026-12-06 no failure counted after 20 years (q = 0.175).
    m, arr = _corridor(TRANS_AFGHAN, **{"proposals[0].financing": "budget"})
    pv = arr.preview(m, arr.invitees(m))
    # Benefits start once it is built (k = 6 years), at the end of each year t >= k it still
    # stands (probability (1 - h)^(t + 1)): q = r sum_{t >= k} x^(t + 1) = r x^(k + 1) /
    # (1 - x), x = (1 - h) / (1 + r). The hazard and the payments count from the start of
    # construction, so a failure while building costs every benefit.
    r, h, build = 0.04, 0.09, arr.years_to_build
    assert build == 6
    x = (1 - h) / (1 + r)
    q = r * x ** (build + 1) / (1 - x)
    assert 0.125 < q < 0.126  # an eighth of a certain gain (0.31 if built at once)
    afg = m.codes.index("AFG")
    paid = arr.cost_usd * arr.host_shares[afg]
    # A failure in year t (probability (1 - h)^t h, valued at the end of the year) gives
    # back 40 % of what was sunk, salvage the hosts keep (the model's recovery), money
    # valued at their cost of funds f = 7 % (until 2026-12-06 at r):
    # 0.4 paid sum_{t >= 0} (1 - h)^t h / (1 + f)^(t + 1) = 0.4 paid h / (f + h).
    salvage = 0.4 * paid * h / (0.07 + h)
    fees = pv.info["transit_fees_share_of_expenditure"][:, afg]
    # The payments annualised at the rate of their present value, the cost of funds
    # (until 2026-12-06 at r, the welfare rate of the benefits).
    # Since 2026-12-06 the hosts' yearly O&M, 2 % of what each pays for (its km), is paid
    # while it operates, weighed by q as the benefits are.
    # The railway's first phase (3 Mt) has its own GE and expenditure, weighted with the
    # full capacity's (since 2026-12-06, network.phased_preview): the O&M over them is
    # within a millionth of it over the full capacity's expenditure.
    upkeep = pv.info["upkeep_share_of_expenditure"][:, afg]
    np.testing.assert_allclose(upkeep, 0.02 * paid / pv.info["expenditure_usd"][:, afg],
                               rtol=1e-6)
    expected = (q * (pv.info["ge_gain"][:, afg] + fees - upkeep)
                - 0.07 * (paid - salvage) / pv.info["expenditure_usd"][:, afg])
    np.testing.assert_allclose(pv.gain[:, afg], expected, rtol=1e-9)
    np.testing.assert_allclose(pv.info["operating_share"][:, afg], q, rtol=1e-12)


def test_a_bank_s_owners_count_their_share_of_its_loss_and_hosts_their_payments() -> None:
    # Non-recourse bank loan: the hosts' stake lost on failure is money they paid (counted
    # once, as paid); the bank's loss is its owners' cost, not paid by them otherwise.
    m, arr = _corridor(TRANS_AFGHAN)
    pv = arr.preview(m, arr.invitees(m))
    fin = arr._finance(m, arr._failure_prob(_instability(m, AFG=0.8)))
    cost = pv.info["cost_share_of_expenditure"] * pv.info["expenditure_usd"] / 0.07
    afg, chn = m.codes.index("AFG"), m.codes.index("CHN")
    np.testing.assert_allclose(cost[:, afg], fin.paid[:, afg] - fin.recovered[:, afg],
                               rtol=1e-9)
    assert (fin.risk[:, afg] > 0).all()  # it bears a loss, already in what it paid
    assert (fin.recovered[:, afg] > 0).all() and (fin.recovered[:, chn] == 0).all()
    np.testing.assert_allclose(cost[:, chn], fin.risk[:, chn], rtol=1e-9)
    assert (fin.paid[:, chn] == 0).all() and (fin.risk[:, chn] > 0).all()


def test_the_preview_computes_the_failure_probabilities_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The payments, the salvage and the share of the benefits delivered read one set of
    # failure probabilities. Before, the preview computed them twice (once for the
    # financing, once for the operating share), free to drift apart.
    m, arr = _corridor(TRANS_AFGHAN)
    calls: list[np.ndarray] = []
    original = type(arr)._failure_prob

    def counted(self: Any, instability: np.ndarray) -> np.ndarray:
        calls.append(instability)
        return original(self, instability)

    monkeypatch.setattr(type(arr), "_failure_prob", counted)
    arr.preview(m, arr.invitees(m))
    assert len(calls) == 1


def test_joining_a_corridor_in_force_is_free_as_it_is_for_founders_who_host_nothing() -> None:
    # docs/network.md, "Joining a corridor in force": the cost is the hosts', each its own
    # km, and every host is a founder (a host's no stops the project), so a state that joins
    # later hosts nothing and pays nothing, as the founders that host nothing do; and the
    # corridor carries everyone's trade at the same fee, so joining moves no gain either.
    from scosim.runner import run_model

    path = SCEN / "corridor_instc_transit_vote.yaml"
    m = run_model(load_scenario(path, {"years.end": 2028}), runs=[0, 1])
    arr = next(a for a in m.arrangements if a.name == "corridor")
    ev = m.log.to_frame()
    joined = ev[(ev["type"] == "joined") & (ev["proposal"] == "instc")]
    assert len(joined) >= 2  # Turkey in run 0, Afghanistan and Sri Lanka in run 1 (2028)
    paid = np.stack(m.records["corridor_paid_usd"], axis=1)  # (R, T, N)
    risk = np.stack(m.records["corridor_risk_usd"], axis=1)
    irn = m.codes.index("IRN")
    for run, code in zip(joined["run"], joined["country"], strict=True):
        i = m.codes.index(code)
        assert not arr.hosts[i]
        assert (paid[run, :, i] == 0).all() and (risk[run, :, i] == 0).all()
    # Founders that host nothing (India, Russia) pay nothing either; Iran, the host, pays
    # the same before and after others join.
    for code in ("IND", "RUS"):
        assert arr.participants[:, m.codes.index(code)].all()
        assert (paid[:, :, m.codes.index(code)] == 0).all()
    in_force = paid[:, :, irn] > 0
    assert in_force[:, -2:].all()
    for run in (0, 1):
        assert np.ptp(paid[run, in_force[run], irn]) == 0
    # The gain of joining, as the Council's re-vote measures it (the preview with the
    # outsiders in, less the preview as it stands), is zero for everyone.
    outsiders = ~arr.participants
    enlarged = arr.preview(m, arr.participants | outsiders, terms=arr.terms).gain
    as_is = arr.preview(m, arr.participants, terms=arr.terms).gain
    np.testing.assert_array_equal(enlarged, as_is)
