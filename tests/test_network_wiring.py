"""The network wired into the model: corridor proposals, the corridor_network slot, scenarios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scosim.data.constants import ECONOMIES
from scosim.network.step import CorridorNetwork
from scosim.proposals.contract import check_batch_consistency, check_policy_contract
from scosim.runner import run_model
from scosim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
CORRIDOR_SCENARIOS = ["corridor_instc", "corridor_instc_transit_vote", "corridor_cku",
                      "corridor_trans_afghan_low", "corridor_trans_afghan_high", "corridor_energy"]
IND, RUS, AFG = (ECONOMIES.index(c) for c in ("IND", "RUS", "AFG"))


def _short(name: str, end: int = 2033, **over):
    """A shipped scenario cut to fewer years (the project operates from 2032)."""
    return load_scenario(SCEN / f"{name}.yaml", {"years.end": end, **over})


@pytest.mark.parametrize("name", CORRIDOR_SCENARIOS)
def test_shipped_corridor_scenarios_validate(name):
    sc = load_scenario(SCEN / f"{name}.yaml")
    assert sc.parameters.mechanisms["network"] == "corridor_network"
    assert any(p.type == "corridor" for p in sc.proposals)


@pytest.fixture(scope="module")
def instc():
    return run_model(_short("corridor_instc"), runs=[0, 1])


def test_slot_t_hat_equals_the_core(instc):
    model = instc
    # The year's inputs: INSTC in its first phase (2033), loaded with the trade the model
    # solved in 2032 (network.loads; until 2026-12-06 the base year's in every year).
    inp = dict(model.mechanisms)["network"].inputs
    p = model._corridor_network.net.project_ids.index("INSTC_CHABAHAR")
    assert inp["initial_phase"][:, p].all()
    # Each run at its own value of time (scosim.network.vot; 0.0135 in every run until
    # 2026-12-07).
    for r, vot in enumerate(model._corridor_network.vot):
        core = CorridorNetwork(trade=model.trade_cif0, params={"vot_per_day": float(vot)}).step(
            active_projects=inp["active"][r:r + 1],
            initial_phase=inp["initial_phase"][r:r + 1], trade=inp["trade"][r:r + 1])
        assert np.array_equal(model.network_step.t_hat[r], core.t_hat[0])
    t_hat = model.network_step.t_hat
    assert not np.array_equal(inp["trade"], np.broadcast_to(model.trade_cif0, inp["trade"].shape))
    # and the policy state the trade solve read carries it
    assert np.allclose(model.policy.cost_change, model.cost_change * t_hat)


def test_instc_lowers_india_russia_costs_and_changes_trade(instc):
    model = instc
    assert model.network_step.t_hat[0, IND, RUS] < 0.999
    assert model.network_step.t_hat[0, RUS, IND] < 0.999
    # India's exports to Russia rise against the same year without the corridor.
    from scosim.model.policy import build_policy

    policy = build_policy(model)
    without = model.solve_policy(policy)
    assert np.all(model.ge.flows[:, IND, RUS] > without.flows[:, IND, RUS] * 1.001)
    rec = np.stack(model.records["network_trade_cost_change_pct"], axis=1)
    assert np.all(rec[:, -1, RUS] < 0) and np.all(rec[:, 0, :] == 0)  # nothing before it operates


def test_corridor_operates_after_construction(instc):
    op = np.stack(instc.records["corridor_operating"], axis=1)  # (R, T, N)
    years = instc.years
    iran = ECONOMIES.index("IRN")
    # adopted 2026, in force 2027, five years to build: operating from 2032
    assert [y for y, v in zip(years, op[0, :, iran], strict=True) if v] == [2032, 2033]
    paid = np.stack(instc.records["corridor_paid_usd"], axis=1)
    assert paid[0, -1, iran] > 4e9 and paid[0, -1].sum() == pytest.approx(paid[0, -1, iran])


def test_instability_series_and_the_insecurity_lever():
    """The scenario series raises Afghan costs; a security lever takes precedence."""
    from scosim.model.policy import build_policy
    from scosim.network.mechanism import network_inputs

    low = run_model(_short("corridor_trans_afghan_low", end=2026), runs=[0])
    high = run_model(_short("corridor_trans_afghan_high", end=2026), runs=[0])
    assert high.network_step.t_hat[0, AFG, IND] > low.network_step.t_hat[0, AFG, IND] > 1.0
    policy = build_policy(low)
    assert network_inputs(low, policy, 2026)["instability"][0, AFG] == pytest.approx(0.2)
    policy.levers["insecurity"] = np.full((1, 28), 0.3)
    assert np.all(network_inputs(low, policy, 2026)["instability"] == 0.3)


def test_route_sanction_raises_costs():
    base = run_model(_short("corridor_cku", end=2026), runs=[0])
    sanc = run_model(_short("corridor_cku", end=2026, **{
        "parameters.network.sanctions": [{"target": "IRN", "year": 2025, "multiplier": 2.0}]}),
        runs=[0])
    assert np.all(base.network_step.t_hat == 1.0)
    iran = ECONOMIES.index("IRN")
    assert sanc.network_step.t_hat[0, IND, iran] > 1.01
    assert np.all(sanc.network_step.t_hat >= 1.0)


def test_contract_kit():
    sc = _short("corridor_trans_afghan_high", end=2033)
    check_policy_contract(sc, runs=[0, 1])
    # The batch check sees run-mixing in the preview only if the runs' previews differ: here
    # they do (each run's GDP path, from baseline.yaml's growth volatility, and its sigma),
    # asserted so that the check keeps its power (a preview averaging over the batch fails).
    econ = [run_model(sc, runs=[r]).log.to_frame().query("type == 'vote'")
            .set_index("country")["term_econ"] for r in (0, 2)]
    assert (econ[0] - econ[1]).abs().max() > 1e-5
    check_batch_consistency(sc, runs=[0, 2])


def test_corridor_without_network_slot_is_an_error(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(f"extends: {SCEN / 'corridor_cku.yaml'}\nname: x\n"
                 "parameters:\n  mechanisms: {network: null}\n")
    r = subprocess.run([sys.executable, "-m", "scosim.cli", "validate", str(f)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "network slot" in r.stderr and "proposals[0]" in r.stderr


@pytest.mark.parametrize("body,needle", [
    ("parameters:\n  network:\n    instability: {AFG: 1.5}\n", "must stay in [0, 1]"),
    ("parameters:\n  network:\n    closures: [{edge: NOPE, year: 2030}]\n", "unknown edge"),
    ("parameters:\n  network:\n    transit_opened: [{restriction: T1, year: 2030}]\n",
     "unknown transit restriction 'T1' (did you mean 'T01': IND-AFG via PAK?); allowed: one "
     "of the 115 restriction_id values of transit_restrictions.csv"),
    ("parameters:\n  network:\n    transit_opened: [{restriction: T01, year: 2030, "
     "until: 2029}]\n", "is before year"),
    ("proposals:\n  - {type: corridor, id: c, year: 2026, project: INSTC}\n",
     "unknown project 'INSTC'"),
    # The block's own model names the allowed keys, nested ones too (pydantic's raw text
    # said "Extra inputs are not permitted"), and a bound is said as one.
    ("parameters:\n  network: {vot_per_dy: 0.01}\n",
     "unknown key 'vot_per_dy' (did you mean 'vot_per_day'?); allowed keys: instability,"),
    ("parameters:\n  network:\n    closures: [{edge: E001, yaer: 2030}]\n",
     "unknown key 'yaer' (did you mean 'year'?); allowed keys: edge, year, until"),
    ("parameters:\n  network: {vot_per_day: 0.5}\n", "0.5 is out of range: must be <= 0.1"),
])
def test_bad_network_scenario_input(tmp_path, body, needle):
    f = tmp_path / "bad.yaml"
    f.write_text(f"extends: {SCEN / 'corridor_cku.yaml'}\nname: x\n{body}")
    r = subprocess.run([sys.executable, "-m", "scosim.cli", "validate", str(f)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert needle in r.stderr and "bad.yaml:" in r.stderr


def test_unknown_transit_restriction_is_one_short_line():
    """The error listed all 115 ids with their pairs (about 3,000 characters on one line):
    now a suggestion, the count and where the list is (an outside review, 2026-12-07)."""
    from pydantic import ValidationError

    from scosim.network.params import TransitOpening
    from scosim.network.tables import load_network

    rows = load_network().transit_restrictions
    with pytest.raises(ValidationError) as exc:
        TransitOpening(restriction="T1", year=2030)
    msg = exc.value.errors()[0]["msg"]
    assert f"one of the {len(rows)} restriction_id values of transit_restrictions.csv" in msg
    r = rows.loc["T01"]
    assert f"(did you mean 'T01': {r.origin}-{r.destination} via {r.transit}?)" in msg
    assert "T02" not in msg and len(msg) < 400
    with pytest.raises(ValidationError) as exc:  # nothing close: no suggestion
        TransitOpening(restriction="T999", year=2030)
    assert "did you mean" not in exc.value.errors()[0]["msg"]


def test_instc_raises_india_central_asia_trade_in_the_model(instc):
    """The scenario itself: India's costs with Iran, Russia and Central Asia fall and its trade
    with Central Asia rises against the same year without the corridor (the report's figures)."""
    from scosim.network.report import bilateral_report

    table = bilateral_report(instc)
    med = table.xs("median", level="stat")
    # Runs 0 and 1 draw values of time near 1 % a day (scosim.network.vot): Iran's import
    # cost, the smallest fall, is 0.29 percent there (0.36 at 0.0135 in every run).
    for code in ("IRN", "RUS", "KAZ", "KGZ", "TJK", "TKM", "UZB", "CA5"):
        assert med.loc[code, "cost_out_pct"] < -0.2 and med.loc[code, "cost_in_pct"] < -0.2
    low = table.xs("min", level="stat")
    assert low.loc["CA5", "exports_pct"] > 1.0 and low.loc["CA5", "imports_pct"] > 1.0


def test_run_writes_network_plots(tmp_path):
    from scosim.cli import main

    code = main(["run", str(SCEN / "corridor_instc.yaml"), "--out", str(tmp_path), "--quiet",
                 "--replications", "2", "--set", "years.end=2032"])
    assert code == 0
    plots = {p.name: p for p in tmp_path.rglob("*.png")}
    for name in ("network_map.png", "network_gains.png", "network_who_pays.png"):
        assert name in plots and plots[name].stat().st_size > 10_000


@pytest.mark.parametrize(("args", "words"), [
    (["corridor_instc.yaml", "--proposer", "XXX"], ("--proposer 'XXX'", "allowed: CHN")),
    (["afghan_instability.yaml"], ("network slot does not hold corridor_network",)),
    (["corridor_instc.yaml", "--set", "proposals[0].project=NOPE"], ("unknown project 'NOPE'",)),
])
def test_report_tool_reports_bad_input_without_a_traceback(args, words, capsys):
    """A bad proposer, a scenario without the network slot or a bad scenario value end in
    one "error:" line and exit status 2 (they raised ValueError, AttributeError and
    ScenarioError)."""
    from scosim.network.report import main

    scen = Path(__file__).resolve().parents[1] / "scenarios"
    with pytest.raises(SystemExit) as info:
        main([str(scen / args[0]), *args[1:]])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and all(w in err for w in words), err


def test_network_steps_are_shared_by_the_later_models_of_a_process(monkeypatch):
    """Models of one process reuse the network steps earlier ones computed, with the same bits.

    Runs made one by one then route once per distinct network input, as a batch does, and
    the batches of a worker share their steps; a congestion setting never takes the other's.
    """
    import copy

    import scosim.network.step as ns
    from scosim.data import load_calibration
    from scosim.model.model import SCOModel

    cal = copy.copy(load_calibration())  # an object of its own: an empty memo
    calls: list[bool] = []
    real = ns.CorridorNetwork.step

    def counted(self, *args, **kwargs):  # noqa: ANN001, ANN202
        calls.append(kwargs["congestion"])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ns.CorridorNetwork, "step", counted)

    def run(scenario, runs, calibration=cal):  # noqa: ANN001, ANN202
        model = SCOModel(scenario, runs=runs, calibration=calibration)
        model.run_model()
        return {k: np.stack(v) for k, v in model.records.items()}

    sc = _short("corridor_instc")
    alone = run(sc, [1])
    first = len(calls)
    assert first > 0
    run(sc, [1])  # the same run in a model of its own: no routing of its own
    assert len(calls) == first
    # Another run draws another GDP path, so routes other trade (network.loads; until
    # 2026-12-06 every run routed the base year's and shared run 1's steps): its own steps,
    # which a batch of both then shares with the two models before it.
    run(sc, [0])
    assert len(calls) > first
    first = len(calls)
    batch = run(sc, [0, 1])
    assert len(calls) == first
    for name, values in alone.items():
        assert np.array_equal(values[:, 0], batch[name][:, 1], equal_nan=True), name
    # Without congestion: steps of its own, equal to those of a model with an empty memo,
    # and different from the congested ones (so sharing them would show).
    free = _short("corridor_instc", **{"parameters.network.congestion": False})
    shared = run(free, [1])
    assert len(calls) > first and not any(calls[first:])
    fresh = run(free, [1], copy.copy(load_calibration()))
    for name, values in fresh.items():
        assert np.array_equal(values, shared[name], equal_nan=True), name
    assert not np.array_equal(shared["network_trade_cost_change_pct"],
                              alone["network_trade_cost_change_pct"])


def test_a_host_that_says_no_stops_its_corridor():
    # Pakistan hosts the Trans-Afghan railway's southern end. Before, its no left it out
    # of the participants while it was charged its length share and the line was built
    # on its territory.
    from scosim.model.model import SCOModel

    def run(**over):
        m = SCOModel(load_scenario(SCEN / "corridor_trans_afghan_high.yaml",
                                   overrides={"replications": 3, "years.end": 2030, **over}))
        m.run_model()
        return m

    m = run(**{"countries.PAK.rules.vote": "always_no"})
    arr = m.arrangements[0]
    assert not arr.adopted.any() and not arr.participants.any()
    assert not [e for e in m.log.records() if e["type"] == "construction_start"]
    assert not np.stack(m.records["corridor_paid_usd"]).any()
    # A non-host's no does not: Tajikistan is invited (its costs fall) and stays out.
    m = run(**{"countries.TJK.rules.vote": "always_no"})
    arr = m.arrangements[0]
    tjk = m.codes.index("TJK")
    assert arr.adopted.all() and not arr.participants[:, tjk].any()
    assert any(e["type"] == "vote" and e["country"] == "TJK" for e in m.log.records())


def test_an_explicit_participant_list_names_every_host():
    from pydantic import ValidationError

    from scosim.network.specs import CorridorSpec

    with pytest.raises(ValidationError, match=r"missing host\(s\) AFG of TAPI"):
        CorridorSpec(project="TAPI", participants=["TKM", "PAK", "IND"])
    CorridorSpec(project="TAPI", participants=["TKM", "AFG", "PAK", "IND", "CHN"])


def test_no_gains_figure_when_no_welfare_moved(tmp_path):
    """corridor_energy with nothing built by 2035 moves no welfare: the figure was twelve
    zero bars under a gain key. (Operating, its deliveries move welfare since 2026-12-06:
    network.energy_value.)"""
    from scosim.cli import main

    code = main(["run", str(SCEN / "corridor_energy.yaml"), "--out", str(tmp_path), "--quiet",
                 "--replications", "2", "--set", "proposals.0.construction_years=20",
                 "--set", "proposals.1.construction_years=20"])
    assert code == 0
    plots = {p.name for p in tmp_path.rglob("*.png")}
    assert "network_gains.png" not in plots and "welfare_final_year.png" not in plots
    assert {"network_map.png", "network_who_pays.png"} <= plots
