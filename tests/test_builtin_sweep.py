"""Sweeping the fields the built-in proposal types declare (``ProposalType.sweepable``).

A swept run must give exactly the numbers of a run with the same value set by override
(``scosim run --set``) and the same seed; the swept value must move what it drives (a
deeper union costs more sovereignty in every vote, so it never wins more yes votes); a
value outside the spec's range and a field the type does not read per run are refused
as ``--set`` and the sweep's checks say.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scosim.api import check_sweep, sweep
from scosim.api_sweep import parse_output
from scosim.model.model import SCOModel
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
#: The phase-in of the union and the free-trade area ends in 2029: five years suffice.
SHORT = {"years.end": 2029}
CU, FTA = "proposals.sco_cu", "proposals.sco_fta"
BANK = "proposals.bank_2025"
RATS = "proposals.rats-universal-centre"


def _short(name: str, **overrides: Any) -> Any:
    path = SCEN / name
    # The security scenarios give instability year by year to 2035: they run in full.
    full = "hindcasts" in name or name.startswith("afghan_")
    return load_scenario(path, overrides={**({} if full else SHORT), **overrides})


def _events(model: SCOModel, position: int) -> list[dict[str, Any]]:
    """Every event of the run at batch ``position``, NaN written as None (comparable)."""
    return [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in model.log.records(position)]


def _same_run(swept: SCOModel, row: int, alone: SCOModel) -> None:
    """Row ``row`` of a swept batch has every number of the one-run ``alone``."""
    np.testing.assert_array_equal(np.asarray(swept.welfare)[row], np.asarray(alone.welfare)[0])
    for a, b in zip(swept.arrangements, alone.arrangements, strict=True):
        for attr in ("adopted", "in_force", "participants", "expected_gain", "last_yes_share"):
            np.testing.assert_array_equal(getattr(a, attr)[row], getattr(b, attr)[0], attr)
        assert a.terms.keys() == b.terms.keys()
        for k in a.terms:
            np.testing.assert_array_equal(a.terms[k][row], b.terms[k][0], k)
    # Every vote, with its utility terms, and every other event of the run.
    assert _events(swept, row) == _events(alone, 0)


@pytest.mark.parametrize(("scenario", "key", "values"), [
    ("customs_union.yaml", f"{CU}.depth", [0.1, 0.9]),
    # The scenario names a rule (weighted_mean): a swept rate takes its place, as --set does.
    ("customs_union.yaml", f"{CU}.cet", [0.02, 0.12]),
    ("customs_union_consensus.yaml", f"{CU}.depth", [0.0, 1.0]),
    ("free_trade_area.yaml", f"{FTA}.depth", [0.0, 0.8]),
    ("hindcasts/bank_2025.yaml", f"{BANK}.capital_usd_bn", [2.0, 50.0]),
    ("hindcasts/bank_2025.yaml", f"{BANK}.lending_rate", [0.01, 0.08]),
    ("hindcasts/bank_2025.yaml", f"{BANK}.market_rate", [0.02, 0.12]),  # above 0: a cost of funds
    ("hindcasts/bank_2025.yaml", f"{BANK}.funding_rate", [0.0, 0.12]),
    ("hindcasts/bank_2025.yaml", f"{BANK}.leverage", [0.5, 3.0]),
    ("hindcasts/bank_2025.yaml", f"{BANK}.credit_loss_rate", [0.0, 0.01]),
    ("hindcasts/bank_2025.yaml", f"{BANK}.depth", [0.0, 1.0]),
    ("hindcasts/apply_mng_2015.yaml", "proposals.apply_mng_2015.depth", [0.0, 1.0]),
    ("hindcasts/bri_2022_consensus.yaml", "proposals.bri_2022_consensus.depth", [0.0, 1.0]),
    ("afghan_instability_rats.yaml", f"{RATS}.depth", [0.0, 1.0]),
    ("afghan_instability_rats.yaml", f"{RATS}.intel_gain", [0.0, 2.0]),
    ("afghan_instability_rats.yaml", f"{RATS}.upgrade_cost_share_gdp", [0.0, 0.005]),
])
def test_a_swept_field_gives_each_run_the_numbers_of_its_override(scenario, key, values):
    runs = [0, 0, 1]
    per_run = np.array([values[0], values[1], values[1]])
    swept = run_model(_short(scenario), runs=runs, params={key: per_run})
    for row, (run, v) in enumerate(zip(runs, per_run, strict=True)):
        _same_run(swept, row, run_model(_short(scenario, **{key: float(v)}), runs=[run]))
    # ... and the two values differ somewhere: the field reaches the model.
    assert _events(swept, 0) != _events(swept, 1)


def test_a_deeper_union_never_wins_more_yes_votes_under_consensus():
    # At the default weights only China, the proposer, says yes, at any depth (since the
    # India-Pakistan suspension was calibrated to the trade it cut, 2026-12-06): without
    # the dominance concern Pakistan says yes too, and a sovereignty weight of 0.05 makes
    # depth matter to it.
    weight = 0.05
    sc = _short("customs_union_consensus.yaml", **{"parameters.weights.sovereignty": weight,
                                                   "parameters.weights.dominance": 0.0})
    depths = np.linspace(0.0, 1.0, 6)
    runs = [0] * len(depths) + [1] * len(depths)
    m = run_model(sc, runs=runs, params={f"{CU}.depth": np.tile(depths, 2)})
    yes: dict[int, list[set[str]]] = {0: [], 1: []}
    for pos, run in enumerate(runs):
        votes = [r for r in m.log.records(pos) if r["type"] == "vote" and r["year"] == 2026]
        assert votes
        for r in votes:
            # The vote weighed this run's depth: the sovereignty term is the swept value.
            assert r["term_sovereignty"] == depths[pos % len(depths)]
            assert r["contrib_sovereignty"] == pytest.approx(-weight * r["term_sovereignty"])
        yes[run].append({r["country"] for r in votes if r["yes"]})
    for run, sets in yes.items():
        # Whoever says yes to a deeper union says yes to every shallower one.
        for shallow, deep in zip(sets, sets[1:], strict=False):
            assert deep <= shallow, (run, shallow, deep)
    assert any(len(s[-1]) < len(s[0]) for s in yes.values()), yes


def test_a_swept_cet_is_the_union_s_tariff_in_each_run():
    cets = np.array([0.0, 0.05, 0.15])
    m = run_model(_short("customs_union.yaml"), runs=[0, 0, 0], params={f"{CU}.cet": cets})
    cu = m.arrangements[0]
    assert cu.adopted.all()
    np.testing.assert_array_equal(cu.terms["cet"], cets)
    # Unswept, the scenario's rule (the import-weighted mean MFN tariff) sets it.
    rule = run_model(_short("customs_union.yaml"), runs=[0]).arrangements[0].terms["cet"]
    assert 0.0 < rule[0] < 0.15 and rule[0] not in cets


def test_a_swept_lending_rate_is_the_rate_a_bank_financed_corridor_borrows_at():
    def scenario(**bank: Any) -> Any:
        # The board off: at 1 % China, not invited, would pay the subsidy and reject the
        # loan (tests/test_network_bank_board.py), and the run borrow at the default 4 %.
        props = [{"type": "development_bank", "id": "bank", "year": 2025, "proposer": "CHN",
                  "board_approval": False, **bank},
                 {"type": "corridor", "id": "instc", "year": 2026, "proposer": "IND",
                  "project": "INSTC_CHABAHAR", "financing": "bank_guaranteed"}]
        return load_scenario(SCEN / "corridor_instc.yaml", overrides={
            "years": {"start": 2025, "end": 2027}, "proposals": props})

    rates = np.array([0.01, 0.07])
    swept = run_model(scenario(), runs=[0, 0], params={"proposals.bank.lending_rate": rates})
    corridor = next(a for a in swept.arrangements if a.pid == "instc")
    assert swept.arrangements[0].in_force.all()
    for row, rate in enumerate(rates):
        alone = run_model(scenario(lending_rate=float(rate)), runs=[0])
        one = next(a for a in alone.arrangements if a.pid == "instc")
        np.testing.assert_array_equal(corridor.paid[row], one.paid[0])
    # A dearer loan costs the host, Iran, more (the owners' subsidy, in the other members'
    # payments, moves the other way: funded at 4 %, the bank charges them 3 points at 1 %
    # and earns a margin at 7 %).
    irn = swept.codes.index("IRN")
    assert corridor.paid[1, irn] > corridor.paid[0, irn]


def test_a_swept_rats_upgrade_sets_each_run_s_pooling_and_contribution():
    """Agreed in every run (afghan_corridor_rats.yaml: every state votes yes), a larger
    intelligence gain raises a participant's pooling level and security index run by run,
    and each run's participants pay its contribution share of their GDP."""
    sc = _short("afghan_corridor_rats.yaml")
    gains = np.array([0.0, 0.5, 2.0])
    shares = np.array([0.0, 0.00005, 0.001])
    m = run_model(sc, runs=[0, 0, 0], params={f"{RATS}.intel_gain": gains,
                                              f"{RATS}.upgrade_cost_share_gdp": shares})
    mech = next(x for slot, x in m.mechanisms if slot == "security")
    kaz = m.codes.index("KAZ")
    intel = mech.state.rats[:, kaz, 0]
    # Today's intelligence pooling plus the gain, a quarter more with the organised-crime unit.
    np.testing.assert_allclose(intel - intel[0], 1.25 * gains, rtol=0, atol=1e-12)
    index = np.stack(m.records["security_index"], axis=1)[:, -1, kaz]
    assert index[0] < index[1] < index[2]
    np.testing.assert_array_equal(mech.state.contribution[:, kaz], shares)


def test_a_sweep_point_gives_the_numbers_of_a_run_with_its_set(tmp_path):
    short = tmp_path / "cu_short.yaml"
    short.write_text(f"extends: {SCEN / 'customs_union.yaml'}\nname: cu_short\n"
                     "years: {start: 2025, end: 2029}\nreplications: 2\n")
    out = "welfare_change_pct:KAZ"
    target = sweep(str(short), {f"{CU}.cet": [0.03, 0.1], f"{CU}.depth": [0.6]}, [out],
                   method="grid", replications=2, out=tmp_path / "results", progress=False)
    table = pd.read_parquet(target / "design_outputs.parquet")
    assert table[f"{CU}.cet"].tolist() == [0.03, 0.1]
    for cet, got in zip(table[f"{CU}.cet"], table[out], strict=True):
        sc = load_scenario(short, overrides={f"{CU}.cet": cet})
        want = parse_output(out).from_model(run_model(sc, runs=[0, 1])).mean()
        assert got == want
    assert table[out].iloc[0] != table[out].iloc[1]


@pytest.mark.parametrize(("key", "value", "says"), [
    (f"{CU}.depth", 1.5, "1.5 is out of range: must be <= 1.0 (allowed: 0 <= depth <= 1)"),
    (f"{CU}.depth", -0.2, "-0.2 is out of range: must be >= 0.0 (allowed: 0 <= depth <= 1)"),
    (f"{CU}.cet", 1.5, "1.5 is out of range: a number CET is a fraction in [0, 1] "
     "(0.05 means 5 percent)"),
])
def test_a_value_outside_the_spec_s_range_is_refused_as_set_refuses_it(key, value, says):
    with pytest.raises(ScenarioError) as err:
        check_sweep(str(SCEN / "customs_union.yaml"), {key: [0.5, value]},
                    ["welfare_change_pct:KAZ"])
    assert str(err.value) == f"--param:1: {key}: {says}"
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCEN / "customs_union.yaml", overrides={key: value})
    assert str(err.value).endswith(says)


@pytest.mark.parametrize(("scenario", "key", "allowed"), [
    ("customs_union.yaml", f"{CU}.phase_in", [f"{CU}.depth", f"{CU}.cet"]),
    ("free_trade_area.yaml", f"{FTA}.phase_in", [f"{FTA}.depth"]),
    ("hindcasts/bank_2025.yaml", f"{BANK}.tenor_years",
     [f"{BANK}.{f}" for f in ("capital_usd_bn", "leverage", "lending_rate", "market_rate",
                              "funding_rate", "paid_in_share", "credit_loss_rate",
                              "depth")]),
])
def test_a_field_the_type_does_not_read_per_run_is_refused_with_the_ones_it_does(
        scenario, key, allowed):
    with pytest.raises(ScenarioError) as err:
        check_sweep(str(SCEN / scenario), {key: (0.1, 0.2)}, ["welfare_change_pct:KAZ"])
    field = key.rsplit(".", 1)[1]
    assert f"field {field!r} of proposal" in str(err.value)
    assert f"its type reads only these per run: {', '.join(allowed)} (" in str(err.value)


def test_every_declared_field_is_documented():
    from scosim.proposals import builtin_types, get_type

    doc = (ROOT / "docs" / "proposals.md").read_text()
    section = doc.split("### Sweeping a field of a proposal", 1)[1].split("\n## ", 1)[0]
    for name in builtin_types():
        for field in get_type(name).sweepable:
            assert re.search(rf"`{name}`.*`{field}`", section), (name, field)


def test_a_swept_weight_keeps_a_country_s_own_weight_as_a_set_value_does():
    # A sweep of parameters.weights.sovereignty replaced Russia's own sovereignty weight
    # (0.004 in the file) with the swept value, so a sweep point was not the scenario with
    # that value written in (Russia's veto changed).
    from scosim.model.model import SCOModel
    from scosim.runner import run_model
    from scosim.scenario import load_scenario

    path = Path(__file__).parents[1] / "scenarios" / "customs_union_consensus.yaml"
    over = {"replications": 2, "countries.RUS.weights.sovereignty": 0.004}
    written = load_scenario(path, overrides={**over, "parameters.weights.sovereignty": 0.0005})
    swept = run_model(load_scenario(path, overrides=over), runs=[0, 1],
                      params={"parameters.weights.sovereignty": np.full(2, 0.0005)})
    plain = SCOModel(written)
    for code in ("RUS", "KAZ"):
        a = np.broadcast_to(swept.agents_by_code[code].weights["sovereignty"], (2,))
        assert np.all(a == plain.agents_by_code[code].weights["sovereignty"])
    assert plain.agents_by_code["RUS"].weights["sovereignty"] == 0.004
