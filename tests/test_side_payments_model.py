"""Side payments priced at the expenditure the Council's preview is a share of.

The econ term of a vote is the preview's welfare gain, a share of the expenditure of the
year's baseline (with a moving baseline, the base flows re-based to the run's GDP path of
the year before the vote). Pricing a transfer in US$ needs that expenditure: here the US$
gain ``scosim transfers`` uses (term_econ x its expenditure) is compared with the model's
own US$ gain of the preview, the welfare change times the baseline expenditure of the
GE solve, in a model stepped to the vote (an identity: equal to 1e-9).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"


@pytest.fixture(scope="module")
def moving_run(tmp_path_factory):
    from scosim.runner import run

    out = tmp_path_factory.mktemp("results")
    return Path(run(FIXTURES / "small_cu_moving.yaml", replications=3, out=out,
                    progress=False, plots=False).path)


def test_us_dollar_gain_is_the_models_own_preview_gain_on_the_moving_baseline(moving_run):
    from scosim.model.council import welfare_now
    from scosim.model.model import SCOModel
    from scosim.model.phases import agreements_phase, events_phase
    from scosim.result_tables import open_result
    from scosim.runner import _scenario_from_text
    from scosim.side_payments import price_run

    table = price_run(moving_run)
    result = open_result(moving_run)
    model = SCOModel(_scenario_from_text(result.scenario_yaml), runs=np.arange(3))
    for _ in (2025, 2026):
        model.step()
    # The 2027 summit: the year's agreements and events, then the preview as tabled.
    agreements_phase(model, 2027)
    events_phase(model, 2027)
    arr = model.arrangements[0]
    pv = arr.preview(model, arr.invitees(model))
    before = welfare_now(model)
    usd = (pv.info["welfare_change"] - before) * model.welfare_now_ge.baseline_expenditure
    col = {c: i for i, c in enumerate(model.codes)}
    k = table["run"].to_numpy()
    j = table["country"].map(col).to_numpy()
    votes = result.events.query("type == 'vote'").set_index(["run", "country"])
    logged = votes.loc[list(zip(k, table["country"], strict=True)), "term_econ"].to_numpy()
    assert logged == pytest.approx(pv.gain[k, j], rel=1e-12)  # the model is the run's
    assert table["gain_usd"].to_numpy() == pytest.approx(usd[k, j], rel=1e-9)
    # The path moved: the 2023 expenditure would be off by more than the tolerance.
    e0 = np.broadcast_to(model.expenditure0, (model.R, model.N))[k, j]
    assert np.abs(table["expenditure_usd"].to_numpy() / e0 - 1.0).max() > 0.01


def test_armenia_is_priced_with_the_eaeu_it_would_keep_out(moving_run):
    from scosim.side_payments import price_run

    table = price_run(moving_run)
    assert {"ARM", "RUS", "KAZ"} <= set(table["country"])
    arm = table[table["country"] == "ARM"]
    assert not arm["counted"].any()  # not a member: no veto, but its no removes the EAEU
    plans = table[(table["status"] == "plan") & ~table["voted_yes"]]
    if not plans.empty:
        assert (plans.loc[plans["country"] == "ARM", "transfer_usd"] > 0).all()


def test_expenditure_of_a_chunk_of_runs_is_those_runs_rows_of_the_whole(moving_run):
    # price_run builds the model 1,000 runs at a time while the GDP path read holds every
    # run: a model of some runs must take their rows (it failed with an IndexError).
    from scosim.model.model import SCOModel
    from scosim.result_tables import open_result, read_batches
    from scosim.runner import _scenario_from_text
    from scosim.side_payments import vote_expenditure

    result = open_result(moving_run)
    scenario = _scenario_from_text(result.scenario_yaml)
    path = read_batches(result.table_dir("indicators"), indicators=["gdp_baseline_path_usd"])
    whole = vote_expenditure(SCOModel(scenario, runs=np.arange(3)), [2026, 2027], path)
    part = vote_expenditure(SCOModel(scenario, runs=np.array([1, 2])), [2026, 2027], path)
    for year in (2026, 2027):
        assert np.array_equal(part[year], whole[year][1:])
