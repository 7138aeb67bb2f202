"""The finance slot in the model: banking systems, banking union, settlement (issue #15)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scosim.finance.mechanism import FINANCE_INDICATORS, BankingSystems
from scosim.finance.shocks import dollar_channel
from scosim.proposals.contract import check_batch_consistency, check_policy_contract
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BAD = Path(__file__).parent / "fixtures" / "scenarios" / "finance"
MEMBERS = ["CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ", "TJK", "UZB", "BLR"]
CRISIS = ("finance_crisis", "finance_crisis_union", "finance_crisis_settlement")


def _rec(model, name):
    return np.stack(model.records[name], axis=1)  # (R, T, N)


@pytest.fixture(scope="module")
def crisis_pair():
    """The crisis with and without the union, 40 runs each, same seed (common draws)."""
    o = {"replications": 40}
    base = run_model(load_scenario(SCENARIOS / "finance_crisis.yaml", overrides=o))
    union = run_model(load_scenario(SCENARIOS / "finance_crisis_union.yaml", overrides=o))
    return base, union


@pytest.mark.parametrize("name", CRISIS)
def test_crisis_scenarios_validate_and_run(name):
    m = run_model(load_scenario(SCENARIOS / f"{name}.yaml", overrides={"replications": 2}))
    for ind in FINANCE_INDICATORS:
        arr = _rec(m, ind)
        assert arr.shape == (2, len(m.years), m.N) and np.isfinite(arr).all(), ind
    assert (_rec(m, "fund_balance_usd") >= 0).all()


# Tabled in the crisis year and voted on by utility, with a per-run sigma: each run's
# preview (fiscal saving of the union; GE gain of settlement under the sanctions) differs.
VARIED = {"proposals.0.year": 2026, "parameters.rules.vote": "utility_vote",
          "parameters.trade.sigma_spread": 2.0}


def _previews_differ_by_run(sc, runs):
    """The previews' economic terms (vote events), each run alone, are not all the same."""
    ev = pd.concat([run_model(sc, runs=[r]).log.to_frame() for r in runs])
    votes = ev[ev["type"] == "vote"]
    assert set(votes["run"]) == set(runs)
    spread = votes.groupby(["year", "country"])["term_econ"].agg(lambda x: x.max() - x.min())
    # Settlement's gains are capped by what clears (2026-12-06): a spread of 9e-5 there.
    assert spread.max() > 2e-5


def test_contract_kit():
    """check_batch_consistency compares run r alone with row r of a batch; with identical
    runs (the shipped scenarios vote in 2025, when the settlement's preview is 0) a preview
    averaging over the batch passed it, so the settlement's runs here differ in what the
    preview computes."""
    sc = load_scenario(SCENARIOS / "finance_crisis_union.yaml", overrides={"replications": 3})
    check_policy_contract(sc, runs=[0, 1, 2])
    # The union's preview is one ensemble for a set of participants, the same in every
    # run (scosim.finance.union_value; until 2026-12-06 the year's saving, which differed
    # by run): a run alone previews what it does in a batch.
    sc = load_scenario(SCENARIOS / "finance_crisis_union.yaml",
                       overrides={"replications": 6, **VARIED})
    check_batch_consistency(sc, runs=[0, 1, 5])
    sc2 = load_scenario(SCENARIOS / "finance_crisis_settlement.yaml", overrides=VARIED)
    _previews_differ_by_run(sc2, [1, 4])
    check_batch_consistency(sc2, runs=[1, 4])


def test_no_shock_nothing_fails():
    """No GDP volatility, no own shocks, no events: the calibrated systems stay solvent
    (docs/finance.md s.3; the oil shock alone fails none). Since 2026-12-06 the own shock
    (0.16 a year) fails systems by itself, so it is switched off here too."""
    sc = load_scenario(SCENARIOS / "finance_crisis.yaml", overrides={
        "replications": 5, "events": [], "parameters.growth.volatility_scale": 0.0,
        "parameters.finance.idio_sd": 0.0})
    m = run_model(sc)
    assert not _rec(m, "bank_failures").any()
    assert (_rec(m, "fiscal_cost_usd") == 0).all()
    assert (_rec(m, "contagion_round") == 0).all()


def test_gdp_shock_reaches_the_banks():
    """model.gdp_shock = growth draw + log(1 + size) of the year's GDP-shock events."""
    sc = load_scenario(SCENARIOS / "finance_crisis.yaml", overrides={
        "replications": 3, "parameters.growth.volatility_scale": 0.0,
        "parameters.finance.idio_sd": 0.0})
    m = run_model(sc, runs=[0, 1, 2])
    # after the last year (2030, no event) the shock is zero again
    assert np.allclose(m.gdp_shock, 0.0)
    rus = m.codes.index("RUS")
    y25, y26 = m.years.index(2025), m.years.index(2026)
    # The 34 percent fall is Russia's only shock besides the oil price's: its credit loss
    # in 2026 is at least the fall's, lgd x npl_sensitivity x 0.416 of its loans, less
    # what the oil term can offset (until 2026-12-06 it failed Russia in every run; with
    # npl_sensitivity 0.565 it need not, docs/finance.md section 9)
    loss = _rec(m, "loss_credit_usd")[:, :, rus]
    assert (loss[:, y26] > loss[:, y25]).all() and (loss[:, y26] > 0).all()
    assert _rec(m, "bank_failures")[:, y26, rus].any()


def test_dollar_channel_enters_trade_costs():
    """The trade solve sees the dollar channel: Russia's trade with Uzbekistan gets dearer,
    less so when members settle 80 percent in national currencies, as far as the pair's
    trade clears bilaterally (Russia exports more to Uzbekistan than it buys from it);
    with Kazakhstan (EAEU, 84 percent settled in national currencies in 2023) less still,
    and the same with the 80 percent floor."""
    out = {}
    for name in ("finance_crisis", "finance_crisis_settlement"):
        sc = load_scenario(SCENARIOS / f"{name}.yaml", overrides={
            "replications": 1, "years.end": 2026})
        m = run_model(sc)
        out[name] = m
    rus, kaz, uzb = (out["finance_crisis"].codes.index(c) for c in ("RUS", "KAZ", "UZB"))
    f0 = out["finance_crisis"].policy.cost_change[0, rus, uzb]
    f1 = out["finance_crisis_settlement"].policy.cost_change[0, rus, uzb]
    # expected from the core's formula: 1 + cost * (s_RUS + s_UZB) * (1 - n)
    mech = next(m for _, m in out["finance_crisis"].mechanisms if isinstance(m, BankingSystems))
    cost = mech.fs.params.dollar_trade_cost
    assert f0 == pytest.approx(1.0 + cost * 1.0, rel=1e-12)
    m = out["finance_crisis_settlement"]
    x = m.trade_cif0
    clears = 2.0 * min(x[rus, uzb], x[uzb, rus]) / (x[rus, uzb] + x[uzb, rus])
    assert clears < 0.8  # the cap binds: 0.66 in the 2023 data
    assert f1 == pytest.approx(1.0 + cost * (1.0 - clears), rel=1e-12)
    for name in out:  # the EAEU's own 84 percent is above the floor
        f = out[name].policy.cost_change[0, rus, kaz]
        assert f == pytest.approx(1.0 + cost * (1.0 - 0.84), rel=1e-12), name
    # the sanctioner pair keeps the event's own trade cost only (no dollar factor on top)
    row = out["finance_crisis"].codes.index("ROW")
    assert out["finance_crisis"].policy.cost_change[0, rus, row] == pytest.approx(1.2)
    # and the kernel agrees with what the model wrote (an identity, not a copy)
    N = out["finance_crisis"].N
    S = np.zeros((1, N, N))
    S[0, row, rus] = 1.0
    _, factor = dollar_channel(S, mech.fs.data.settlement, dollar_trade_cost=cost)
    assert factor[0, rus, uzb] == pytest.approx(f0)


def test_union_lowers_failures_and_fiscal_cost(crisis_pair):
    """Paired over 40 runs with common draws: fewer member failures and lower fiscal cost.

    Statistics: a one-sided exact sign test on runs where the two differ (failures,
    2026-2030 over members) and a one-sided Wilcoxon signed-rank test on the paired
    fiscal cost; both at the 1 percent level.
    """
    base, union = crisis_pair
    idx = [base.codes.index(c) for c in MEMBERS]
    yrs = slice(base.years.index(2026), None)
    f0 = _rec(base, "bank_failures")[:, yrs, idx].sum(axis=(1, 2))
    f1 = _rec(union, "bank_failures")[:, yrs, idx].sum(axis=(1, 2))
    worse, better = int((f1 > f0).sum()), int((f1 < f0).sum())
    assert better > worse
    assert stats.binomtest(better, better + worse, 0.5, alternative="greater").pvalue < 0.01
    c0 = _rec(base, "fiscal_cost_usd")[:, yrs, idx].sum(axis=(1, 2))
    c1 = _rec(union, "fiscal_cost_usd")[:, yrs, idx].sum(axis=(1, 2))
    assert stats.wilcoxon(c1, c0, alternative="less").pvalue < 0.01
    # Russia fails in 2026 in many runs without the union; the union's authority catches
    # it first, and resolves it, except where its shareholders and creditors cannot absorb
    # 8 % of its liabilities: no public money (BRRD art. 37(10), 44(5); and, below its
    # own-funds requirement, no precautionary recapitalisation either, art. 32(4)(d);
    # finance/resolution.py), so it fails if insolvent and goes on with what capital it
    # has, at no public cost, if not
    rus, y26 = base.codes.index("RUS"), base.years.index(2026)
    # (about half the runs since 2026-12-06, 19 of 40; 30 of 40 before, own shock 0.01)
    assert _rec(base, "bank_failures")[:, y26, rus].mean() > 0.25
    refused = _rec(union, "bank_resolutions_refused")[:, y26, rus] > 0
    caught = (_rec(union, "bank_resolutions")[:, y26, rus] > 0) | refused
    assert caught.mean() > 0.5 and refused.any()
    failed = _rec(union, "bank_failures")[:, y26, rus] > 0
    assert (refused[failed]).all() and (refused & ~failed).any()
    assert not _rec(union, "fiscal_cost_usd")[refused & ~failed, y26, rus].any()
    assert not _rec(union, "precautionary_recap_usd").any()
    # the fund is built up only in the union, by its participants, and pays first for
    # Russia's resolution where the BRRD lets it: in the runs where shareholders and
    # creditors have absorbed 8 % of total liabilities (art. 44(5)), which every run that
    # resolves it is (until 2026-12-06 the treasury alone recapitalised a solvent Russia
    # caught early, a "precautionary" case the BRRD does not allow below the requirement)
    fund = _rec(union, "fund_balance_usd")
    assert np.median(fund[:, -1, idx].sum(axis=1)) > 0
    resolved = _rec(union, "bank_resolutions")[:, y26, rus] > 0
    paid = _rec(union, "fund_payout_usd")[resolved, y26, rus]
    assert paid.size and (paid > 0).all()
    assert not _rec(base, "fund_balance_usd").any()
    outside = [i for i, c in enumerate(union.codes) if c not in MEMBERS]
    assert not fund[:, :, outside].any()


def test_union_fund_accounting(crisis_pair):
    """Fund identity: balance(t) = balance(t-1) + contributions - payouts (members, each year)."""
    _, union = crisis_pair
    mech = next(m for _, m in union.mechanisms if isinstance(m, BankingSystems))
    idx = [union.codes.index(c) for c in MEMBERS]
    ins = mech.fs.data.insured[idx]
    fund = _rec(union, "fund_balance_usd")[:, :, idx].sum(axis=2)
    paid = _rec(union, "fund_payout_usd")[:, :, idx].sum(axis=2)
    member_in = _rec(union, "in_banking_union")[:, :, idx]
    contrib = (member_in * 10e-4 * ins).sum(axis=2)
    prev = np.concatenate([np.zeros((fund.shape[0], 1)), fund[:, :-1]], axis=1)
    scale = max(math.fsum(ins), 1.0)
    assert np.allclose(fund, prev + contrib - paid, rtol=0, atol=1e-9 * scale)


def test_preview_has_a_finance_term():
    """The union's vote term is each member's expected value: positive for Russia, whose
    system is the most fragile (tests/test_finance_union_value.py prices it)."""
    sc = load_scenario(SCENARIOS / "finance_crisis_union.yaml", overrides={
        "replications": 3, "years.end": 2026, "proposals[0].year": 2026})
    m = run_model(sc)
    ev = m.log.to_frame()
    assert (ev["type"] == "vote").any()
    arr = m.arrangements[0]
    # Russia's expected gain is its expected value / GDP, positive
    rus = m.codes.index("RUS")
    assert (arr.expected_gain[:, rus] > 0).all()


def test_settlement_preview_sees_the_dollar_channel():
    """Tabled in the sanctions year, 80 percent settlement promises Uzbekistan a gain.

    Not Kazakhstan: its trade with Russia already settles 84 percent in national
    currencies (EAEU, 2023), above the floor."""
    sc = load_scenario(SCENARIOS / "finance_crisis_settlement.yaml", overrides={
        "replications": 2, "years.end": 2026, "proposals[0].year": 2026})
    m = run_model(sc)
    arr = m.arrangements[0]
    uzb, rus = m.codes.index("UZB"), m.codes.index("RUS")
    assert (arr.expected_gain[:, uzb] > 0).all() and (arr.expected_gain[:, rus] > 0).all()
    # and nothing when there are no sanctions that year (tabled 2025)
    m0 = run_model(load_scenario(SCENARIOS / "finance_crisis_settlement.yaml", overrides={
        "replications": 2, "years.end": 2026}))
    assert not m0.arrangements[0].expected_gain.any()


@pytest.mark.parametrize(("fixture", "line", "path", "words"), [
    ("bad_target", 6, "events[0].target", ("unknown country code 'RUZ'",)),
    ("bad_severity", 9, "events[0].severity", ("1.5", "<= 1")),
    ("two_unions", 5, "proposals[1].type", ("only one banking_union", "bu_a")),
    ("bad_component", 8, "proposals[0].deposit_insurance.backstop", ("national, mutual",)),
    ("bad_seniority", 6, "parameters.finance.seniority", ("pari_passu", "external_senior")),
    # The settings block is a free-form mapping checked by FinanceSettings: its errors
    # read like every other block's (did you mean, allowed keys, the bound).
    ("bad_setting_key", 6, "parameters.finance.alpah",
     ("unknown key 'alpah' (did you mean 'alpha'?)", "allowed keys: kernel, seniority")),
    ("bad_setting_range", 6, "parameters.finance.lgd", ("2 is out of range: must be <= 1",)),
    # Unbounded until 2026-12-05: 5 (for 5 percent) ran, raising a sanctioned economy's
    # dollar-settled trade costs with third economies sixfold.
    ("bad_dollar_trade_cost", 6, "parameters.finance.dollar_trade_cost",
     ("5 is out of range: must be <= 1",)),
])
def test_bad_inputs_name_file_and_line(fixture, line, path, words):
    given = str(BAD / f"{fixture}.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(given)
    err = info.value
    assert f"{given}:{line}: {path}: " in str(err), str(err)
    for w in words:
        assert w in str(err)


def test_validate_refuses_a_dollar_trade_cost_above_one(capsys):
    """`scosim validate` names the field and its range and exits 2, without a traceback,
    for a value in the file or set on the command line; the bound itself is allowed."""
    from scosim.cli import main

    given = str(BAD / "bad_dollar_trade_cost.yaml")
    assert main(["validate", given]) == 2
    err = capsys.readouterr().err
    assert "parameters.finance.dollar_trade_cost" in err and "must be <= 1" in err
    assert "Traceback" not in err
    sc = str(SCENARIOS / "finance_crisis.yaml")
    assert main(["validate", sc, "--set", "parameters.finance.dollar_trade_cost=1.5"]) == 2
    assert "parameters.finance.dollar_trade_cost" in capsys.readouterr().err
    assert main(["validate", sc, "--set", "parameters.finance.dollar_trade_cost=1"]) == 0


def test_run_writes_banking_plot_and_cli_errors(tmp_path, capsys):
    """`scosim run` draws banking.png when the finance slot is filled; bad input exits 2."""
    from scosim.cli import main

    sc = SCENARIOS / "finance_crisis_union.yaml"
    code = main(["run", str(sc), "--out", str(tmp_path), "--quiet", "--replications", "3",
                 "--set", "years.end=2027"])
    assert code == 0
    pngs = list(tmp_path.glob("finance_crisis_union/*/plots/banking.png"))
    assert len(pngs) == 1 and pngs[0].stat().st_size > 10_000
    # without the finance slot a banking union would decide nothing: refused, nothing written
    code = main(["run", str(sc), "--out", str(tmp_path / "off"), "--quiet", "--replications",
                 "2", "--set", "years.end=2026", "--set", "parameters.mechanisms.finance=null"])
    assert code == 2
    assert "a banking union needs the finance slot filled" in capsys.readouterr().err
    assert not (tmp_path / "off").exists()
    assert main(["validate", str(BAD / "bad_severity.yaml")]) == 2
    err = capsys.readouterr().err
    assert "bad_severity.yaml:9: events[0].severity" in err and "Traceback" not in err


def test_finance_settings_reach_the_core():
    """parameters.finance sets the kernel parameters; with default costs (alpha, beta < 1)
    losses to default costs appear in the crisis, and none without them."""
    o = {"replications": 2, "years.end": 2026}
    plain = run_model(load_scenario(SCENARIOS / "finance_crisis.yaml", overrides=o))
    costly = run_model(load_scenario(SCENARIOS / "finance_crisis.yaml", overrides={
        **o, "parameters.finance": {"alpha": 0.5, "beta": 0.5, "seniority": "external_senior"}}))
    mech = next(m for _, m in costly.mechanisms if isinstance(m, BankingSystems))
    assert mech.fs.params.seniority == "external_senior" and mech.fs.params.alpha == 0.5
    assert not _rec(plain, "loss_default_costs_usd").any()
    rus, y26 = costly.codes.index("RUS"), costly.years.index(2026)
    fails = _rec(costly, "bank_failures")[:, y26, rus] > 0
    assert fails.any()
    assert (_rec(costly, "loss_default_costs_usd")[:, y26, rus][fails] > 0).all()


def _fixed_growth(name: str, rate: float, **o) -> object:
    """A crisis scenario run with one trend growth rate for every economy."""
    return run_model(load_scenario(SCENARIOS / f"{name}.yaml", overrides={
        "replications": 2, "parameters.growth.mode": "fixed", "parameters.growth.rate": rate,
        **o}))


def test_fiscal_cost_share_is_of_the_base_year_gdp():
    """The balance sheets stay in base-year US$, so the fiscal cost's share of GDP is of
    the base-year GDP: the same whatever path GDP takes. Until 2026-12-05 it divided by
    the year's GDP path, which understated it as GDP grew (China's path 1.9 times its
    2023 level by 2030) and overstated it after Russia's 2026 fall."""
    slow, fast = (_fixed_growth("finance_crisis", r, **{"years.end": 2027}) for r in (0.0, 0.2))
    assert not np.allclose(slow.gdp, fast.gdp)  # the paths differ...
    usd = _rec(slow, "fiscal_cost_usd")
    np.testing.assert_array_equal(usd, _rec(fast, "fiscal_cost_usd"))  # ...the banks do not
    rus, y26 = slow.codes.index("RUS"), slow.years.index(2026)
    assert (usd[:, y26, rus] > 0).any()
    mech = next(m for _, m in slow.mechanisms if isinstance(m, BankingSystems))
    pct = _rec(slow, "fiscal_cost_pct_gdp")
    np.testing.assert_allclose(pct, 100.0 * usd / mech.fs.data.gdp, rtol=1e-12)
    np.testing.assert_allclose(_rec(fast, "fiscal_cost_pct_gdp"), pct, rtol=1e-12)


def test_union_vote_gain_is_a_share_of_the_base_year_gdp():
    """The union's economic term, its expected treasury saving, is base-year money: as a
    share of the base-year GDP it does not move with the GDP path."""
    o = {"years.end": 2026, "proposals[0].year": 2026}
    slow, fast = (_fixed_growth("finance_crisis_union", r, **o) for r in (0.0, 0.2))
    rus = slow.codes.index("RUS")
    gain = slow.arrangements[0].expected_gain
    assert (gain[:, rus] > 0).all()
    np.testing.assert_allclose(fast.arrangements[0].expected_gain, gain, rtol=1e-12)
