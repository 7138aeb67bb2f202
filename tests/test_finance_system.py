"""The yearly step: no shock no failure, money accounting, levers act where they should."""

from __future__ import annotations

import numpy as np
import pytest

from scosim.data.constants import MEMBERS
from scosim.finance.ensemble import simulate
from scosim.finance.shocks import sanctions_matrix
from scosim.finance.spec import BankingUnionProposal, SettlementProposal, levers_from
from scosim.finance.system import INDICATORS, FinanceSystem, Levers

FS = FinanceSystem()
# The one-year crisis tests below check the step's accounting in a chosen regime (Russia
# failing in every run, at the edge, deposits not yet reached): their shocks were sized for
# the calibration before 2026-12-06 (npl_sensitivity 0.89, own shock 0.01), kept here; at
# the defaults' own shock (0.16 a year, 0.09 of loans in new NPLs at one standard
# deviation) the regime of each run is a draw. The calibration itself is tested at FS.
STEP = FS.with_params(npl_sensitivity=0.89, idio_sd=0.01)
N = FS.N
RUS = FS.codes.index("RUS")


def _quiet(fs: FinanceSystem) -> FinanceSystem:
    return fs.with_params(idio_sd=0.0, oil_sd=0.0)


def _union(R: int, components=("supervision", "deposit_insurance", "resolution",
                                "information"), **kw) -> Levers:
    part = np.broadcast_to(np.isin(FS.codes, MEMBERS), (R, N))
    return Levers.union(part, FS.data.settlement, components, **kw)


@pytest.mark.parametrize("kernel", ["clearing", "debtrank"])
@pytest.mark.parametrize("union", [False, True])
def test_no_shock_no_failure(kernel, union):
    fs = _quiet(FS).with_params(kernel=kernel)
    R = 2
    state = fs.initial_state(R)
    lev = _union(R) if union else fs.levers(R)
    for _ in range(3):
        state, ind = fs.step(state, np.zeros((R, N)), fs.no_sanctions(R), lev,
                             np.random.default_rng(0))
        assert set(ind) == set(INDICATORS)
        assert all(v.shape == (R, N) for v in ind.values())
        assert ind["failures"].sum() == 0 and ind["resolutions"].sum() == 0
        assert ind["fiscal_cost"].sum() == 0 and ind["depositor_losses"].sum() == 0
        assert ind["contagion_round"].sum() == 0
    # Capital stays at the calibrated level (retained earnings above it are paid out).
    np.testing.assert_allclose(state.capital, np.broadcast_to(FS.data.capital, (R, N)))
    # NPLs stay put; under single supervision they decay geometrically towards
    # (1 - effect) of the calibrated ratio: n_t = n (1 - e) + n e (1 - cure)^t.
    n, c, eff = FS.data.npl, fs.params.cure_rate, 0.3
    member = np.isin(FS.codes, MEMBERS) if union else np.zeros(N, bool)
    expect = np.where(member, n * (1 - eff) + n * eff * (1 - c) ** 3, n)
    np.testing.assert_allclose(state.npl, np.broadcast_to(expect, (R, N)), rtol=1e-12)


def test_fund_accumulates_contributions_exactly():
    fs = _quiet(FS)
    R = 1
    lev = _union(R, ("deposit_insurance",), contribution_bp=12.0)
    state = fs.initial_state(R)
    for _ in range(4):
        state, ind = fs.step(state, np.zeros((R, N)), fs.no_sanctions(R), lev,
                             np.random.default_rng(0))
    member = np.isin(FS.codes, MEMBERS)
    expected = np.where(member, 4 * 12e-4 * FS.data.insured, 0.0)
    np.testing.assert_allclose(ind["fund_balance"][0], expected, rtol=1e-12)


def _crisis(R=64, shock=-0.6, severity=1.0):
    g = np.zeros((R, N))
    g[:, RUS] = shock
    S = sanctions_matrix([("RUS", "ROW", severity)], FS.codes, R)
    return g, S


def test_crisis_fails_without_union_and_money_adds_up():
    fs = STEP
    R = 64
    g, S = _crisis(R)
    state = fs.initial_state(R)
    new, ind = fs.step(state, g, S, fs.levers(R), [np.random.default_rng(r) for r in range(R)])
    assert ind["failures"][:, RUS].mean() > 0.9
    assert np.all(ind["loss_sanctions"][:, RUS] > 0)
    # Without a fund, the treasury pays insured losses and recapitalises the failed system.
    failed = ind["failures"][:, RUS] > 0
    recap = fs.params.recap_ratio * fs.data.assets[RUS]
    np.testing.assert_allclose(ind["fiscal_cost"][failed, RUS],
                               ind["insured_payout"][failed, RUS] + recap, rtol=1e-12)
    assert np.all(new.capital[failed, RUS] == pytest.approx(recap))
    # The other debt (US$404 bn) takes the outside creditors' loss before any deposit
    # (art. 108): here it absorbs all of it. Until 2026-12-06 every class lost one share.
    assert (ind["creditor_losses"][failed, RUS] > 0).all()
    assert not ind["depositor_losses"][failed, RUS].any()
    assert not ind["insured_payout"][failed, RUS].any()


def test_resolution_stops_the_failure_before_contagion():
    R = 32
    g, S = _crisis(R)
    state = STEP.initial_state(R)
    gens = [np.random.default_rng(r) for r in range(R)]
    _, ind = STEP.step(state, g, S, _union(R, ("resolution",)), gens)
    assert np.all(ind["resolutions"][:, RUS] == 1)
    assert np.all(ind["failures"][:, RUS] == 0)
    assert np.all(ind["bail_in"][:, RUS] > 0)
    other = STEP.data.external_liabilities[RUS] - STEP.data.deposits[RUS]
    assert np.all(ind["bail_in"][:, RUS] <= 0.5 * other + 1e-3)
    assert np.all(ind["depositor_losses"][:, RUS] == 0)


@pytest.mark.parametrize("kernel", ["clearing", "debtrank"])
# -0.3: a shock near the edge, so that Russia fails in some runs and is caught still
# solvent in others (-0.4 was, with npl_sensitivity 0.5; -0.35 with 0.545; with 0.9 and
# the risk-based margin -0.35 fails in all, -0.3 in 42 of the 48 runs).
@pytest.mark.parametrize(("shock", "some_spared"), [(-0.6, False), (-0.3, True)])
def test_no_creditor_is_worse_off_than_in_liquidation(kernel, shock, some_spared):
    """A bail-in takes at most what the bail-inable creditors lose without a resolution.

    The counterfactual is the same year, draws and state with no union, where the
    non-deposit creditors lose what the deposits, ranked above them, leave them of the
    defaulter's payment to outside creditors (FSB Key Attributes 5.2); one that would not
    have failed (caught early through the information exchange) is recapitalised without
    a bail-in. A resolved system is brought to the ratio
    to which the treasury recapitalises a failed one.
    """
    fs = STEP.with_params(kernel=kernel)
    R = 48
    g, S = _crisis(R, shock=shock)
    state = fs.initial_state(R)
    _, none = fs.step(state, g, S, fs.levers(R), [np.random.default_rng(r) for r in range(R)])
    new, res = fs.step(state, g, S, _union(R, ("resolution", "information")),
                       [np.random.default_rng(r) for r in range(R)])
    liquidation_loss = none["creditor_losses"]
    assert res["bail_in"].sum() > 0 and none["failures"][:, RUS].any()
    assert np.all(res["bail_in"] <= liquidation_loss * (1 + 1e-12) + 1e-3)
    spared = (res["resolutions"] > 0) & (none["failures"] == 0)
    assert spared.any() == some_spared
    assert np.all(res["bail_in"][spared] == 0)
    caught = res["resolutions"][:, RUS] > 0
    assert caught.any()
    # at the target before contagion; what others then fail to pay is a little below it
    ratio = new.capital[caught, RUS] / fs.data.assets[RUS]
    assert np.all(ratio <= fs.params.recap_ratio * (1 + 1e-12))
    assert np.all(ratio > 0.98 * fs.params.recap_ratio)


def test_fund_pays_before_the_treasury():
    R = 16
    g, S = _crisis(R)
    fs = STEP
    lev = _union(R, ("deposit_insurance",), contribution_bp=50.0)
    state = fs.initial_state(R)
    # Ten quiet years fill the fund.
    q = _quiet(fs)
    for _ in range(10):
        state, _ = q.step(state, np.zeros((R, N)), fs.no_sanctions(R), lev,
                          np.random.default_rng(0))
    before = state.fund.sum(axis=1)
    new, ind = fs.step(state, g, S, lev, [np.random.default_rng(r) for r in range(R)])
    failed = ind["failures"][:, RUS] > 0
    assert failed.all()
    contrib = 50e-4 * fs.data.insured[np.isin(fs.codes, MEMBERS)].sum()
    spent = before + contrib - ind["fund_balance"].sum(axis=1)
    np.testing.assert_allclose(spent, ind["fund_payout"].sum(axis=1), rtol=1e-9)
    covered = np.minimum(ind["insured_payout"][:, RUS], before + contrib)
    np.testing.assert_allclose(ind["fund_payout"][:, RUS], covered, rtol=1e-9)


def test_settlement_share_shields_the_target():
    R = 8
    g, S = _crisis(R, shock=0.0)
    codes = FS.codes
    base = levers_from(codes, R, FS.data.settlement)
    high = levers_from(codes, R, FS.data.settlement, settlement=SettlementProposal(
        type="national_currency_settlement", id="ncs", year=2026, proposer="RUS", share=0.95))
    gens = lambda: [np.random.default_rng(r) for r in range(R)]  # noqa: E731
    s0, i0 = FS.step(FS.initial_state(R), g, S, base, gens())
    s1, i1 = FS.step(FS.initial_state(R), g, S, high, gens())
    assert np.all(i1["loss_sanctions"][:, RUS] < i0["loss_sanctions"][:, RUS])
    kaz = codes.index("KAZ")
    assert np.all(s1.trade_cost_factor[:, RUS, kaz] < s0.trade_cost_factor[:, RUS, kaz])
    # Trade with a non-participant keeps its dollar exposure.
    tur = codes.index("TUR")
    np.testing.assert_allclose(s1.trade_cost_factor[:, RUS, tur], s0.trade_cost_factor[:, RUS, tur])


def test_external_seniority_protects_depositors():
    R = 16
    # New NPLs of about half the loans (0.9 x 0.55; until 2026-12-06 0.545 x 0.9): the
    # ordinary debt is wiped out, the deposits not yet reached.
    g, S = _crisis(R, shock=-0.55)
    gens = lambda: [np.random.default_rng(r) for r in range(R)]  # noqa: E731
    pp = STEP.with_params(seniority="pari_passu")
    sen = STEP.with_params(seniority="external_senior")
    _, a = pp.step(pp.initial_state(R), g, S, pp.levers(R), gens())
    _, b = sen.step(sen.initial_state(R), g, S, sen.levers(R), gens())
    assert np.all(a["failures"][:, RUS] == 1) and np.all(b["failures"][:, RUS] == 1)
    # Paid before the interbank creditors, the outside ones lose less; the ordinary debt
    # takes all of it either way (art. 108), the deposits nothing.
    assert np.all(b["creditor_losses"][:, RUS] < a["creditor_losses"][:, RUS])
    for ind in (a, b):
        assert not ind["depositor_losses"][:, RUS].any()


def test_spec_levers_match_components():
    u = BankingUnionProposal.model_validate({
        "type": "banking_union", "id": "bu", "year": 2026, "proposer": "KAZ",
        "participants": ["KAZ", "KGZ"], "deposit_insurance": {"contribution_bp": 20},
    })
    lev = levers_from(FS.codes, 2, FS.data.settlement, union=u)
    assert u.components() == ("deposit_insurance",)
    assert lev.deposit_insurance.sum() == 4 and lev.resolution.sum() == 0
    assert lev.contribution_bp == 20.0
    full = BankingUnionProposal.model_validate({
        "type": "banking_union", "id": "bu", "year": 2026, "proposer": "KAZ",
        "supervision": {}, "deposit_insurance": {}, "resolution": {}, "information": {}})
    assert full.depth == pytest.approx(1.0) and u.depth < full.depth
    from scosim.finance.spec import FinanceSettings

    p = FinanceSettings.model_validate({"seniority": "external_senior", "alpha": 0.7}).params()
    assert (p.seniority, p.alpha, p.kernel) == ("external_senior", 0.7, "clearing")
    with pytest.raises(ValueError, match="alpha"):
        FinanceSettings.model_validate({"alpha": 0.0})


def test_simulate_is_reproducible_and_batch_independent():
    years = [2025, 2026]
    a = simulate(FS, years, 3, seed=4)
    b = simulate(FS, years, 1, seed=4)
    c = simulate(FS, years, 3, seed=4)
    for k in ("capital_ratio", "npl_ratio", "loss_credit"):
        np.testing.assert_array_equal(a[k], c[k])
        np.testing.assert_array_equal(a[k][:1], b[k])
    assert a["rounds"].shape == (3, 2)


def test_calibration_baseline_crisis_frequency_is_laeven_valencias():
    """A calibration check, not a comparison with history: ``npl_sensitivity`` (0.565,
    ``tools/calibrate_finance.py``: 1.929 percent at 4,000 runs, seed 123, with the
    risk-based margin of docs/finance.md section 6 and the own shock ``idio_sd`` 0.16;
    0.89 with the old own shock of 0.01) was chosen so that crises start in the
    no-event baseline as often as in Laeven & Valencia (2018, IMF WP/18/206): 151 systemic
    banking crises in 165 countries x 48 years (1970-2017), 1.907 percent of country-years.
    Neither ANCHORS.md nor the docs give a statistic of theirs the calibration did not
    target, so there is no outside check here.

    The band is three standard errors of the gap between this estimate (500 runs, another
    seed) and the target: binomial, p = 1.907 %, over 500 x 8 x 27 = 108,000 country-years
    (0.042 points) and over the calibration's 864,000 (0.015 points), together 0.044
    points, so 1.78-2.04 percent (the spread of the runs' own shares gives standard errors
    1-5 percent larger); it gives 2.01 (seeds 1-6 gave 1.83-1.98). The margin alone, at the
    old 0.545 and own shock 0.01, gave 0.4 percent; a change of 0.01 in the sensitivity
    moves the frequency by about 0.10 points (1.878 at 0.560, 1.978 at 0.570), so an
    unrecalibrated change of 0.02 fails."""
    from scosim.finance.calibration import CALIBRATION_RUNS, TARGET, baseline_crisis_frequency

    runs = 500
    freq, binomial_se, _ = baseline_crisis_frequency(FS, runs, seed=11)
    n_test, n_calibration = runs * 8 * 27, CALIBRATION_RUNS * 8 * 27
    se = np.sqrt(TARGET * (1 - TARGET) * (1 / n_test + 1 / n_calibration))
    assert binomial_se == pytest.approx(np.sqrt(freq * (1 - freq) / n_test))
    assert abs(freq - TARGET) <= 3 * se, (freq, TARGET, se)


def test_crisis_starts_count_an_episode_once():
    """Laeven & Valencia count crisis episodes: a system failing two years running is one
    crisis, failing again after a year without failure a second one."""
    from scosim.finance.calibration import crisis_starts

    failures = np.array([[[1, 0], [1, 0], [0, 1], [1, 1]]], dtype=float)  # (R=1, T=4, N=2)
    expected = np.array([[[1, 0], [0, 0], [0, 1], [1, 0]]], dtype=float)
    np.testing.assert_array_equal(crisis_starts(failures), expected)


def test_plot_banking_writes_png(tmp_path):
    from matplotlib.image import imread

    from scosim.finance.plots import plot_banking, wilson_interval

    years = [2025, 2026, 2027]
    res = {"none": simulate(FS, years, 6, seed=2), "union": simulate(
        FS, years, 6, seed=2, levers=lambda y, R: _union(R))}
    out = plot_banking(res, years, FS.codes, tmp_path / "b.png", title="t", group=MEMBERS)
    img = imread(out)
    assert img.shape[0] > 400 and img.shape[1] > 1500
    lo, hi = wilson_interval(np.array([0, 5, 10]), 10)
    assert lo[0] == pytest.approx(0.0, abs=1e-12) and hi[2] == pytest.approx(1.0)
    assert lo[1] < 0.5 < hi[1]


def test_the_fund_panel_says_which_percentiles_its_band_draws(tmp_path, kept_figures):
    """The fund panel's band was titled "band" alone (a finance reviewer): its title says
    the 5th-95th percentiles, and the band drawn is those of the members' fund over runs."""
    from scosim.finance.plots import plot_banking

    years = [2025, 2026, 2027]
    # A crisis in Russia in some runs: the fund pays out there, and the runs differ.
    res = simulate(FS, years, 20, seed=3, levers=lambda y, R: _union(R),
                   gdp_shocks={2026: {"RUS": -0.08}}, volatility_scale=2.0)
    plot_banking({"union": res}, years, FS.codes, tmp_path / "b.png", title="t",
                 group=MEMBERS)
    (fig,) = kept_figures
    fund_ax = next(ax for ax in fig.axes if ax.get_title().startswith("Deposit insurance"))
    assert "band 5-95th pct." in fund_ax.get_title()
    idx = [list(FS.codes).index(c) for c in MEMBERS]
    fund = np.asarray(res["fund_balance"])[:, :, idx].sum(axis=2) / 1e9
    assert fund[:, -1].max() > fund[:, -1].min()  # the runs differ: a band to draw
    (band,) = fund_ax.collections
    ys = band.get_paths()[0].vertices[:, 1]
    for q in np.percentile(fund, [5, 95], axis=0).ravel():
        assert np.isclose(ys, q).any(), q


def test_information_exchange_alone_means_early_national_recapitalisation():
    R = 8
    g, S = _crisis(R)
    gens = [np.random.default_rng(r) for r in range(R)]
    _, ind = FS.step(FS.initial_state(R), g, S, _union(R, ("information",)), gens)
    assert np.all(ind["resolutions"][:, RUS] == 1) and np.all(ind["failures"][:, RUS] == 0)
    assert np.all(ind["bail_in"] == 0)  # no bail-in powers without a resolution authority
    assert np.all(ind["fiscal_cost"][:, RUS] > 0)


@pytest.mark.parametrize(("trigger", "recap_ratio"), [(0.1, 0.045), (0.2, 0.001)])
def test_a_trigger_above_the_recap_ratio_resolves_nothing_in_quiet_years(trigger, recap_ratio):
    """No shock: members sit at their calibrated ratios (4.8-20.9 percent), above the
    ratio a resolution restores (a trigger above it, or a very low ratio). Information
    exchange sees some below its trigger (China, 7.8 percent, below 10), but there is
    nothing to restore: no resolution, no money. Until 2026-12-05 each such system was
    a 'resolution' every year."""
    fs = _quiet(FS).with_params(recap_ratio=recap_ratio)
    R = 2
    lev = _union(R, ("resolution", "information"), trigger_info=trigger)
    state = fs.initial_state(R)
    ratio = fs.data.capital / fs.data.assets
    member = np.isin(FS.codes, MEMBERS)
    assert (ratio[member] > recap_ratio).all()
    assert (ratio[member] < trigger).any()
    for _ in range(3):
        state, ind = fs.step(state, np.zeros((R, N)), fs.no_sanctions(R), lev,
                             np.random.default_rng(0))
        assert not ind["resolutions"].any()
        assert not ind["fiscal_cost"].any() and not ind["bail_in"].any()


def test_every_resolution_moves_money():
    """In a crisis with a high trigger, each resolution is a bail-in or an injection
    that brings the system to the recapitalisation ratio before contagion."""
    R = 32
    g, S = _crisis(R, shock=-0.3)
    lev = _union(R, ("resolution", "information"), trigger_info=0.2)
    new, ind = STEP.step(STEP.initial_state(R), g, S, lev,
                       [np.random.default_rng(r) for r in range(R)])
    caught = ind["resolutions"] > 0
    # Caught by the authority: resolved, or refused public money short of the 8 %.
    assert (caught | (ind["resolution_refused"] > 0))[:, RUS].all() and caught.any()
    moved = ind["bail_in"] + ind["fiscal_cost"] + ind["fund_payout"]
    assert (moved[caught] > 0).all()


def test_mutual_backstop_shares_by_gdp():
    R = 4
    g, S = _crisis(R)
    gens = lambda: [np.random.default_rng(r) for r in range(R)]  # noqa: E731
    nat = _union(R, ("deposit_insurance",), backstop="national")
    mut = _union(R, ("deposit_insurance",), backstop="mutual")
    _, a = FS.step(FS.initial_state(R), g, S, nat, gens())
    _, b = FS.step(FS.initial_state(R), g, S, mut, gens())
    member = np.isin(FS.codes, MEMBERS)
    # Same total treasury money; under "mutual" the insured shortfall is spread by GDP.
    np.testing.assert_allclose(a["fiscal_cost"].sum(1), b["fiscal_cost"].sum(1), rtol=1e-12)
    recap = FS.params.recap_ratio * FS.data.assets[RUS]
    shortfall = a["fiscal_cost"][:, RUS] - recap
    w = FS.data.gdp * member / (FS.data.gdp * member).sum()
    expect = shortfall[:, None] * w[None, :]
    expect[:, RUS] += recap
    np.testing.assert_allclose(b["fiscal_cost"], expect, rtol=1e-9, atol=1e-3)


def test_debtrank_kernel_in_step():
    R = 8
    g, S = _crisis(R)
    fs = STEP.with_params(kernel="debtrank")
    _, ind = fs.step(fs.initial_state(R), g, S, fs.levers(R),
                     [np.random.default_rng(r) for r in range(R)])
    assert ind["failures"][:, RUS].mean() > 0.9
    assert np.all(ind["loss_contagion"] >= -1e-6)
    assert np.all(ind["creditor_losses"][:, RUS] > 0)



def _drawn(monkeypatch, res, years, path):
    """The figure plot_banking draws, kept open (it would close it)."""
    import matplotlib.pyplot as plt

    from scosim.finance import plots as fplots

    kept: list = []
    with monkeypatch.context() as m:
        m.setattr(fplots.plt, "close", kept.append)
        fplots.plot_banking(res, years, FS.codes, path, title="t", group=MEMBERS)
    title, key = kept[0]._suptitle.get_text(), kept[0].legends[0]
    labels = (key.get_title().get_text(), [t.get_text() for t in key.get_texts()])
    plt.close(kept[0])
    return title, labels


def test_plot_banking_of_one_run_names_no_variants(tmp_path, monkeypatch):
    """A run's own banking figure has one variant: its title and key do not speak of
    variants (they did: '40 runs per variant', 'colour = variant', 'this scenario: ...')."""
    years = [2025, 2026]
    from scosim.finance.plots import OUTCOMES
    from scosim.finance.run_summary import outcomes

    # Unconstrained: its solvent systems caught early are resolved, so the key has both.
    one = {"this scenario": simulate(FS, years, 4, seed=2, levers=lambda y, R: _union(
        R, public_backstop="unconstrained"))}
    title, (key, labels) = _drawn(monkeypatch, one, years, tmp_path / "b.png")
    assert "variant" not in title and "4 runs;" in title
    # The outcomes of a run, each run once at its worst (one was missing: runs caught and
    # left undercapitalised were drawn nowhere), those some run had (since 2026-12-07).
    res = one["this scenario"]
    idx = [list(FS.codes).index(c) for c in MEMBERS if c in FS.codes]
    had = [f.any() for f in outcomes(*(np.asarray(res[k])[:, :, idx] for k in (
        "failures", "resolutions", "resolution_refused")))]
    assert any(had) and "variant" not in key
    assert labels == [name for (_, name, _), h in zip(OUTCOMES, had, strict=True) if h]
    assert set(labels) <= {"failure (default in clearing)",
                           "caught, refused public money,\nleft undercapitalised", "resolved"}
    two = {**one, "other": one["this scenario"]}
    title, (key, labels) = _drawn(monkeypatch, two, years, tmp_path / "c.png")
    assert "4 runs per variant" in title and key.startswith("colour = variant")
    # Colour says the variant, shading the outcome (not variants x outcomes entries).
    assert labels[:2] == ["this scenario", "other"]
    assert labels[2:] == [f"first panel: {name}"
                          for (_, name, _), h in zip(OUTCOMES, had, strict=True) if h]


def test_losses_by_cause_add_up_to_what_a_creditor_of_a_sanctioned_defaulter_loses():
    # Russia fails under full sanctions by the rest of the world (its payments to ROW are
    # frozen, h = 1): ROW receives nothing of its claim. The frozen part of what Russia
    # pays (loss_sanctions) and what it does not pay (loss_contagion) must add up to the
    # claim; the shortfall used to be counted only where unfrozen, losing h (L - P).
    fs = STEP
    codes = list(fs.codes)
    rus, row = codes.index("RUS"), codes.index("ROW")
    g = np.zeros((1, fs.N))
    g[:, rus] = np.log(0.66)
    s = sanctions_matrix([("RUS", "ROW", 1.0)], codes, 1)
    _, ind = fs.step(fs.initial_state(1), g, s, fs.levers(1), [np.random.default_rng(0)])
    assert ind["failures"][0, rus] == 1.0
    assert ind["failures"].sum() == 1.0  # the only defaulter
    lost = ind["loss_sanctions"][0, row] + ind["loss_contagion"][0, row]
    assert lost == pytest.approx(fs.data.L[rus, row], rel=1e-9)
    assert ind["loss_contagion"][0, row] > 0.0  # Russia does not pay in full
