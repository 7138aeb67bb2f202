"""Customs-union economics (issue 12): blocs and agreements, one year one state,
explained results, a baseline that moves."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import scosim
from scosim.data import load_calibration
from scosim.mechanisms import customs_union as cu
from scosim.mechanisms import welfare_terms as wt
from scosim.mechanisms.baseline_path import adjustment_share, rebase_flows
from scosim.mechanisms.trade import solve_ge
from scosim.model.model import SCOModel
from scosim.scenario.loader import validate_data

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
EAEU = ("ARM", "BLR", "KAZ", "KGZ", "RUS")


def _run(doc: dict) -> SCOModel:
    m = SCOModel(validate_data(doc))
    m.run_model()
    return m


def _series(m: SCOModel, name: str) -> np.ndarray:
    """(R, years, N) of a recorded indicator."""
    return np.stack(m.records[name], axis=1)


# ------------------------------------------------------------ blocs, agreements
def test_blocs_from_the_2023_agreements_are_the_eaeu_and_the_gcc():
    cal = load_calibration()
    codes = list(cal.countries.index)
    blocs = cu.customs_union_blocs(cal.agreement_spells, codes, int(cal.base_year))
    names = sorted(tuple(sorted(codes[k] for k in g)) for g in blocs)
    assert names == [("ARE", "BHR", "KWT", "QAT", "SAU"), tuple(sorted(EAEU))]


def test_china_belarus_union_keeps_belarus_zero_on_russia_and_brings_the_eaeu():
    m = _run({
        "name": "chn_blr", "years": {"start": 2025, "end": 2028}, "replications": 2,
        "parameters": {"rules": {"vote": "always_yes", "defect": "never_defect"}},
        "proposals": [{"type": "customs_union", "id": "cu", "year": 2025, "proposer": "CHN",
                       "participants": ["CHN", "BLR"], "cet": "max"}],
    })
    blr, rus = m.codes.index("BLR"), m.codes.index("RUS")
    assert m.tau0[rus, blr] == 0.0 and m.tau0[blr, rus] == 0.0
    assert np.all(m.tariffs[:, rus, blr] == 0.0) and np.all(m.tariffs[:, blr, rus] == 0.0)
    inside = _series(m, "in_customs_union")[:, -1]
    for code in EAEU:
        assert inside[:, m.codes.index(code)].all(), code
    ev = m.log.to_frame()
    invited = set(ev.loc[ev["type"] == "bloc_invited", "country"])
    assert invited == {"ARM", "KAZ", "KGZ", "RUS"}


def test_a_bloc_member_saying_no_keeps_the_whole_bloc_out():
    m = _run({
        "name": "vg", "years": {"start": 2025, "end": 2027}, "replications": 1,
        "parameters": {"council": {"decision_rule": "variable_geometry"},
                       "rules": {"vote": "always_yes", "defect": "never_defect"}},
        "countries": {"ARM": {"rules": {"vote": "always_no"}}},
        "proposals": [{"type": "customs_union", "id": "cu", "year": 2025, "proposer": "CHN",
                       "participants": ["CHN", "BLR", "KAZ", "UZB"]}],
    })
    inside = _series(m, "in_customs_union")[0, -1]
    assert inside[m.codes.index("CHN")] and inside[m.codes.index("UZB")]
    assert not any(inside[m.codes.index(c)] for c in EAEU)


@pytest.mark.parametrize("scenario", ["customs_union_variable_geometry.yaml",
                                      "customs_union_central_asia.yaml"])
def test_an_eaeu_member_is_never_in_a_union_without_the_others(scenario):
    # At the shipped vote noise the variable-geometry union never forms (Pakistan withdraws
    # from China alone): louder noise forms unions while the EAEU's votes split.
    loud = scenario == "customs_union_variable_geometry.yaml"
    over = {"replications": 6, **({"parameters.council.vote_noise": 1.0} if loud else {})}
    sc = scosim.load_scenario(SCENARIOS / scenario, overrides=over)
    m = SCOModel(sc)
    m.run_model()
    inside = _series(m, "in_customs_union")
    idx = [m.codes.index(c) for c in EAEU]
    block = inside[:, :, idx]
    assert np.all(block == block[:, :, :1])
    formed = inside.any(axis=(1, 2))
    assert formed.sum() >= 3  # not a check of empty unions
    if loud:  # in runs with a union, some EAEU members said yes where others said no
        ev = m.log.to_frame()
        yes = ev[(ev["type"] == "vote") & ev["country"].isin(EAEU)].groupby("run")["yes"]
        split = (yes.sum() > 0) & (yes.sum() < yes.count())
        assert split[split].index.isin(np.flatnonzero(formed)).sum() >= 3


def test_union_keeps_preferences_with_outsiders_and_never_raises_inside():
    rng = np.random.default_rng(3)
    n = 6
    base = rng.uniform(0.0, 0.2, (n, n))
    np.fill_diagonal(base, 0.0)
    base[0, 1] = 0.0  # a preference: member 1 charges outsider 0 nothing
    keep = np.zeros((n, n), dtype=bool)
    keep[0, 1] = True
    p = np.array([False, True, True, True, False, False])
    for phase in (0.3, 1.0):
        t = cu.union_tariffs(base, p, 0.25, phase, keep=keep)[0]
        assert t[0, 1] == 0.0
        pair = p[:, None] & p[None, :]
        assert np.all(t[pair] <= base[pair])
        t2 = cu.union_tariffs(base, p, 0.25, phase)[0]
        assert t2[0, 1] == pytest.approx(phase * 0.25)


def test_replacing_preferences_is_logged_as_breaking_an_agreement():
    doc = {
        "name": "rep", "years": {"start": 2025, "end": 2026}, "replications": 1,
        "parameters": {"rules": {"vote": "always_yes", "defect": "never_defect"}},
        "proposals": [{"type": "customs_union", "id": "cu", "year": 2025, "proposer": "CHN",
                       "participants": ["CHN", "PAK"], "replace_preferences": True}],
    }
    ev = _run(doc).log.to_frame()
    broken = set(ev.loc[ev["type"] == "breaks_agreement", "country"])
    # Pakistan has agreements in force with non-participants (SAFTA, ECO, ...).
    assert "PAK" in broken
    doc["proposals"][0]["replace_preferences"] = False
    ev = _run(doc).log.to_frame()
    assert not (ev["type"] == "breaks_agreement").any()


# ------------------------------------------------------------ one year, one state
def test_a_defector_is_inside_in_its_last_year_and_outside_from_the_next():
    # Exit at any realised loss (threshold 0), so that the scenario has defections to check.
    sc = scosim.load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 4, "parameters.council.exit_threshold": 0.0})
    m = SCOModel(sc)
    m.run_model()
    inside = _series(m, "in_customs_union")
    ev = m.log.to_frame()
    d = ev[ev["type"] == "defection"]
    assert len(d) > 0  # the shipped scenario has defections to check against
    years = list(m.years)
    for _, row in d.iterrows():
        r, k, y = int(row["run"]), m.codes.index(row["country"]), years.index(int(row["year"]))
        assert inside[r, y, k] == 1.0
        if y + 1 < len(years):
            assert inside[r, y + 1, k] == 0.0


# ------------------------------------------------------------ explained results
def _random_ge(seed: int, n: int = 5, runs: int = 3):
    rng = np.random.default_rng(seed)
    flows = rng.uniform(1.0, 10.0, (n, n)) + np.diag(rng.uniform(30, 60, n))
    tau = rng.uniform(0.0, 0.15, (n, n))
    np.fill_diagonal(tau, 0.0)
    new = rng.uniform(0.0, 0.25, (runs, n, n))
    for r in range(runs):
        np.fill_diagonal(new[r], 0.0)
    share = cu.sharing_matrix(rng.random((runs, n)) < 0.6, "collected")
    return solve_ge(flows, sigma=4.0, tariffs=tau, new_tariffs=new,
                    revenue_sharing=share), flows


@pytest.mark.parametrize("seed", range(5))
def test_welfare_terms_add_up_to_the_solvers_welfare_change(seed):
    res, flows = _random_ge(seed)
    t = wt.decompose_welfare(res, flows)
    total = res.welfare_change - 1.0
    assert np.max(np.abs(t["tariff_revenue"] + t["terms_of_trade"] + t["rest"] - total)) < 1e-9
    assert np.max(np.abs(t["total"])) > 1e-4  # a real change, not an empty check


def test_model_welfare_terms_and_world_ev():
    sc = scosim.load_scenario(SCENARIOS / "customs_union.yaml",
                              overrides={"replications": 2, "years.end": 2030})
    m = SCOModel(sc)
    m.run_model()
    w = _series(m, "welfare_change_pct")
    parts = sum(_series(m, n) for n in ("welfare_tariff_revenue_pct",
                                         "welfare_terms_of_trade_pct", "welfare_rest_pct"))
    assert np.max(np.abs(parts - w)) < 1e-7  # percent: 1e-9 in fractions
    ev = _series(m, "ev_usd")
    world = _series(m, "ev_world_usd")[:, :, 0]
    # the world total is the fixed-order sum of every economy's EV: within a few ulps of
    # the exact sum of the same numbers (math.fsum)
    for r in range(ev.shape[0]):
        for y in range(ev.shape[1]):
            bound = 8 * np.finfo(float).eps * math.fsum(np.abs(ev[r, y]))
            assert abs(world[r, y] - math.fsum(ev[r, y])) <= bound
    members = _series(m, "ev_members_usd")[:, :, 0]
    outsiders = _series(m, "ev_outsiders_usd")[:, :, 0]
    has = ~np.isnan(members)
    assert has[:, -1].all() and not has[:, 0].any()  # in force from 2027 (phase-in), not 2025
    assert np.allclose(members[has] + outsiders[has], world[has], rtol=1e-12, atol=1e-3)
    # No bloc, no outsiders: their total is not the world's (it read as the union's effect
    # on non-members in years and runs without one).
    assert np.isnan(outsiders[~has]).all()


def test_fixed_order_sum_is_close_to_exact_and_independent_of_the_batch():
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 28, 784):
        # wide magnitudes and cancellation, where a careless order loses digits
        x = rng.normal(size=(40, n)) * 10.0 ** rng.integers(-6, 7, (40, n))
        s = wt.fixed_order_sum(x)
        exact = np.array([math.fsum(row) for row in x])
        bound = 2 * np.ceil(np.log2(max(n, 2))) * np.finfo(float).eps * np.abs(x).sum(axis=1)
        assert np.all(np.abs(s - exact) <= bound)
        # a row's sum does not depend on which other rows share the batch
        assert np.array_equal(wt.fixed_order_sum(x[5:9]), s[5:9])
        assert np.array_equal(wt.fixed_order_sum(x[3]), s[3])
    assert wt.fixed_order_sum(np.zeros((2, 0))).tolist() == [0.0, 0.0]
    one = np.ones((3, 1))
    assert not np.shares_memory(wt.fixed_order_sum(one), one)  # a result, not a view


def test_fixed_order_sum_is_the_pairwise_sum_of_the_zero_padded_row():
    # The documented order, written out: pad with zeros to a power of two, halve.
    def padded(row: np.ndarray) -> float:
        width = 1 << (len(row) - 1).bit_length()
        a = np.concatenate([row, np.zeros(width - len(row))])
        while len(a) > 1:
            a = a[: len(a) // 2] + a[len(a) // 2:]
        return float(a[0])

    rng = np.random.default_rng(11)
    for n in (3, 5, 28, 100, 784, 1025):
        x = rng.normal(size=(6, n)) * 10.0 ** rng.integers(-8, 9, (6, n))
        got = wt.fixed_order_sum(x)
        assert [padded(row) for row in x] == got.tolist()


def test_ras_newton_matches_plain_ras_sweeps():
    from scosim.mechanisms import baseline_path as bp

    rng = np.random.default_rng(3)
    x = rng.uniform(0, 10, (12, 12)) * (rng.random((12, 12)) < 0.8)
    x[np.arange(12), (np.arange(12) + 1) % 12] += 1.0  # positive row and column sums
    g = rng.uniform(0.7, 3.0, (6, 12))
    y = bp.rebase_flows(x, g)
    rows = x.sum(axis=1) * g
    cols = x.sum(axis=0) * g
    cols *= (rows.sum(axis=1) / cols.sum(axis=1))[:, None]
    ref = np.broadcast_to(x, y.shape).copy()
    bp._ras(ref, rows, cols, np.arange(6), 1e-13, 5000)
    assert np.allclose(y.sum(axis=2), rows, rtol=1e-12)
    assert np.allclose(y.sum(axis=1), cols, rtol=1e-12)
    assert np.array_equal(y == 0, np.broadcast_to(x == 0, y.shape))  # RAS keeps zeros
    assert np.allclose(y, ref, rtol=1e-9, atol=0)
    # each run converges on its own: a sub-batch gives the same bits
    assert np.array_equal(bp.rebase_flows(x, g[2:4]), y[2:4])
    # started from last year's matrices of the same runs (as the model does): the
    # same matrices, and still each run's own
    last = bp.rebase_flows(x, g / rng.uniform(1.0, 1.5, g.shape))
    warm = bp.rebase_flows(x, g, start=last)
    assert np.allclose(warm, y, rtol=1e-12, atol=0)
    assert np.array_equal(bp.rebase_flows(x, g[2:4], start=last[2:4]), warm[2:4])
    with pytest.raises(ValueError, match="start must be"):
        bp.rebase_flows(x, g, start=last[:2])
    bad = last.copy()
    bad[0, x == 0] = 1.0
    with pytest.raises(ValueError, match="positive exactly where flows are"):
        bp.rebase_flows(x, g, start=bad)


def test_fortress_union_raises_the_external_tariff_art24_flag():
    rng = np.random.default_rng(0)
    n = 4
    tau = rng.uniform(0.02, 0.1, (n, n))
    np.fill_diagonal(tau, 0.0)
    flows = rng.uniform(1, 5, (n, n))
    p = np.array([[True, True, False, False]])
    after = cu.union_tariffs(tau, p, 0.2, 1.0)
    before_avg = wt.average_external_tariff(tau[None], flows, p)[0]
    after_avg = wt.average_external_tariff(after, flows, p)[0]
    ext = [(2, 0), (3, 0), (2, 1), (3, 1)]
    by_hand = sum(tau[i, j] * flows[i, j] for i, j in ext) / sum(flows[i, j] for i, j in ext)
    assert before_avg == pytest.approx(by_hand, rel=1e-12)
    assert after_avg == pytest.approx(0.2, rel=1e-12)


# ------------------------------------------------------------ a baseline that moves
def test_ras_keeps_gravity_odds_ratios_and_scales_uniform_growth():
    rng = np.random.default_rng(1)
    x = rng.uniform(1, 10, (5, 5))
    g = rng.uniform(0.8, 1.6, 5)
    y = rebase_flows(x, g)[0]
    assert np.allclose(y.sum(axis=1), x.sum(axis=1) * g, rtol=1e-10)
    odds = lambda a: a[0, 1] * a[2, 3] / (a[0, 3] * a[2, 1])  # noqa: E731
    assert odds(y) == pytest.approx(odds(x), rel=1e-10)
    assert np.allclose(rebase_flows(x, np.full(5, 1.3))[0], 1.3 * x, rtol=1e-12)


def test_adjustment_share_path():
    a = adjustment_share(np.array([-1, 0, 4, 8, 12]), 0.4, 8)
    assert a.tolist() == pytest.approx([0.0, 0.4, 0.7, 1.0, 1.0])


def _welfare_2030_2035(growth: dict) -> tuple[np.ndarray, np.ndarray]:
    m = _run({
        "name": "path", "years": {"start": 2025, "end": 2035}, "replications": 2,
        "parameters": {"rules": {"vote": "always_yes", "defect": "never_defect"},
                       "trade": {"moving_baseline": True, "short_run_share": 0.4,
                                 "adjustment_years": 2}, "growth": growth},
        "proposals": [{"type": "customs_union", "id": "cu", "year": 2025, "proposer": "CHN",
                       "participants": ["CHN", "PAK", "IND"]}],
    })
    w = _series(m, "welfare_change_pct")
    years = list(m.years)
    return w[:, years.index(2030)], w[:, years.index(2035)]


def test_after_the_phase_in_welfare_moves_only_when_growth_differs():
    same_a, same_b = _welfare_2030_2035({"mode": "fixed", "rate": 0.04, "volatility_scale": 0.0})
    assert np.max(np.abs(same_a)) > 1e-3
    assert np.allclose(same_a, same_b, rtol=1e-9, atol=1e-12)
    diff_a, diff_b = _welfare_2030_2035({"mode": "calibrated", "volatility_scale": 0.0})
    assert np.max(np.abs(diff_a - diff_b)) > 1e-4


def test_a_preview_measures_gains_against_the_policy_in_force():
    """Gains are relative to this year's policy state (docs: ProposalType.preview): with the
    union in force, previewing the union as it is gains nobody anything, and an enlargement
    gains what it adds. Measured against the no-policy state instead (the cached welfare
    never refreshed), every later vote counted the union's own effect; no test saw it."""
    sc = scosim.load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 2, "years.end": 2030, "parameters.rules.defect": "never_defect"})
    m = SCOModel(sc)
    m.run_model()
    arr = m.arrangements[0]
    inside = arr.participants & arr.in_force[:, None]
    assert inside.sum(axis=1).min() == 11  # the ten members and Armenia, fully phased in
    np.testing.assert_allclose(arr.preview(m, inside).gain, 0.0, rtol=0, atol=1e-12)
    # Turkmenistan joining gains it something, and moves the members' welfare by far less,
    # all told, than the union in force does (percent / 100: fractions).
    enlarged = inside.copy()
    tkm = m.codes.index("TKM")
    enlarged[:, tkm] = True
    gain = arr.preview(m, enlarged).gain
    union = _series(m, "welfare_change_pct")[:, -1] / 100
    assert np.all(np.abs(gain[:, tkm]) > 1e-3)
    assert np.abs(gain[inside]).sum() < 0.1 * np.abs(union[inside]).sum()


def test_union_tariffs_equal_the_docstrings_rule_pair_by_pair() -> None:
    """Every pair of several runs (phases strictly between 0 and 1, a CET schedule, kept
    preferences) equals the rule of union_tariffs' docstring, evaluated pair by pair."""
    rng = np.random.default_rng(41)
    r, n = 4, 7
    base = rng.uniform(0.0, 0.3, (r, n, n))
    base[:, np.arange(n), np.arange(n)] = 0.0
    p = rng.random((r, n)) < 0.5
    p[:, 0] = True
    cet = rng.uniform(0.0, 0.2, r)
    phase = rng.uniform(0.05, 0.95, r)
    factors = rng.uniform(0.5, 1.5, (r, n))
    keep = rng.random((r, n, n)) < 0.3
    out = cu.union_tariffs(base, p, cet, phase, keep=keep, factors=factors)
    for k in range(r):
        for i in range(n):
            for j in range(n):
                t, ph = base[k, i, j], phase[k]
                if i == j:
                    want = 0.0
                elif p[k, i] and p[k, j]:
                    want = (1.0 - ph) * t
                elif p[k, j]:
                    want = t + ph * (cet[k] * factors[k, i] - t)
                    if keep[k, i, j]:
                        want = min(t, want)
                else:
                    want = t
                assert out[k, i, j] == pytest.approx(want, rel=1e-15, abs=1e-17), (k, i, j)
    # the draw exercises both sides of a kept preference: one that binds (the union would
    # raise that tariff) and an external tariff the union raises where nothing is kept
    external = p[:, None, :] & ~p[:, :, None]
    assert np.any(keep & external & (out == base) & (cet[:, None, None] * factors[:, :, None]
                                                     > base))
    assert np.any(~keep & external & (out > base))


def test_a_bloc_leaves_as_one_only_from_an_arrangement_beyond_it():
    # Two runs: in run 0 the arrangement reaches beyond the bloc (CHN with the EAEU),
    # in run 1 it is the bloc itself. KGZ leaves in both.
    codes = ["CHN", *EAEU]
    bloc = np.array([1, 2, 3, 4, 5])
    leaving = np.zeros((2, 6), bool)
    leaving[:, codes.index("KGZ")] = True
    within = np.ones((2, 6), bool)
    within[1, 0] = False
    out = cu.blocs_move_together(leaving, [bloc], "any", within=within)
    assert out[0, 1:].all() and not out[0, 0]  # the whole EAEU leaves CHN's union
    assert out[1].tolist() == leaving[1].tolist()  # KGZ leaves the EAEU alone
    # Without `within` every bloc moves as one in every run (votes, joining).
    assert cu.blocs_move_together(leaving, [bloc], "any")[:, 1:].all()


def test_a_fixed_share_union_carries_on_after_an_exit_with_renormalised_shares():
    # Leaving at any realised loss after one bad year: members leave while the run goes
    # on. Until 2026-12-05 the first exit stopped the run (a share on a non-participant).
    shares = {"CHN": 0.48, "RUS": 0.1, "KAZ": 0.05, "KGZ": 0.05, "TJK": 0.05, "UZB": 0.05,
              "BLR": 0.05, "IND": 0.05, "PAK": 0.05, "IRN": 0.05, "ARM": 0.02}
    from scosim.scenario import load_scenario

    m = SCOModel(load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "years": {"start": 2026, "end": 2030}, "replications": 2,
        "parameters": {"council": {"exit_threshold": 0.0, "defection_years": 1},
                       "rules": {"vote": "always_yes", "defect": "threshold_defect"}},
        "proposals": [{"type": "customs_union", "id": "sco_cu", "year": 2026,
                       "proposer": "CHN", "participants": sorted(shares), "cet": "weighted_mean",
                       "revenue_sharing": "fixed", "fixed_shares": shares,
                       "phase_in": None}],
    }))
    m.run_model()
    inside = _series(m, "in_customs_union").astype(bool)
    got = _series(m, "tariff_revenue_after_sharing_usd")
    collected = _series(m, "tariff_revenue_collected_usd")
    listed = np.array([c in shares for c in m.codes])
    s = np.array([shares.get(c, 0.0) for c in m.codes])
    checked = 0
    for r in range(m.R):
        for t in range(inside.shape[1]):
            p = inside[r, t]
            if not p.any() or not (listed & ~p).any():
                continue  # the union not in force, or every listed member still in it
            checked += 1
            # The pool is what the remaining members collect, split by their shares only.
            assert got[r, t, p].sum() == pytest.approx(collected[r, t, p].sum(), rel=1e-12)
            np.testing.assert_allclose(got[r, t, ~p], collected[r, t, ~p], rtol=1e-12)
            np.testing.assert_allclose(got[r, t, p], s[p] / s[p].sum()
                                       * collected[r, t, p].sum(), rtol=1e-9)
    assert checked  # some year has the union in force after an exit


def test_fixed_shares_that_leave_out_a_state_its_bloc_brings_in_are_refused():
    from scosim.scenario import ScenarioError, load_scenario

    shares = {"CHN": 0.5, "RUS": 0.2, "KAZ": 0.1, "KGZ": 0.1, "BLR": 0.1}
    # Armenia comes in with the EAEU and would pool its duties for nothing: refused when
    # the scenario is validated (before 2026-12-05, only when the model was set up).
    with pytest.raises(ScenarioError, match=r"proposals\[0\]\.fixed_shares: no share for ARM"):
        load_scenario(SCENARIOS / "customs_union.yaml", overrides={
            "proposals": [{"type": "customs_union", "id": "cu", "year": 2026, "proposer": "CHN",
                           "participants": sorted(shares), "revenue_sharing": "fixed",
                           "fixed_shares": shares}]})
    # With a share (0 included) it is accepted, and need not be listed.
    ok = load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "proposals": [{"type": "customs_union", "id": "cu", "year": 2026, "proposer": "CHN",
                       "participants": sorted(shares), "revenue_sharing": "fixed",
                       "fixed_shares": {**shares, "ARM": 0.0}}]})
    SCOModel(ok)


def test_the_cli_names_the_missing_share_and_leaves_nothing(tmp_path, capsys):
    from scosim.cli import main

    f = tmp_path / "fixed.yaml"
    f.write_text(f"extends: {SCENARIOS / 'customs_union.yaml'}\n"
                 "proposals:\n"
                 "  - {type: customs_union, id: cu, year: 2026, proposer: CHN,\n"
                 "     participants: [CHN, KAZ, UZB], revenue_sharing: fixed,\n"
                 "     fixed_shares: {CHN: 0.8, KAZ: 0.1, UZB: 0.1}}\n")
    out = tmp_path / "results"
    assert main(["run", str(f), "--replications", "2", "--out", str(out), "--quiet"]) != 0
    err = capsys.readouterr().err
    assert "no share for RUS, KGZ, BLR, ARM" in err and "Traceback" not in err
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()]


def test_a_new_member_in_another_customs_union_brings_its_bloc_into_the_union():
    from scosim.scenario import load_scenario

    base = load_scenario(SCENARIOS / "customs_union.yaml")
    sc = load_scenario(SCENARIOS / "customs_union.yaml", overrides={
        "replications": 2, "years.end": 2030,
        "proposals": [*[p.model_dump(exclude_none=True) for p in base.proposals],
                      {"type": "accession", "id": "sau", "year": 2029, "applicant": "SAU"}]})
    m = SCOModel(sc)
    m.run_model()
    gcc = ["ARE", "BHR", "KWT", "QAT", "SAU"]
    inside = _series(m, "in_customs_union")[:, -1]
    assert all(inside[:, m.codes.index(c)].all() for c in gcc)  # the GCC whole, not SAU alone
    ev = m.log.to_frame()
    got = ev[(ev["year"] == 2030) & ev["type"].isin(["joined", "bloc_invited"])]
    assert set(got.loc[got["type"] == "joined", "country"]) == set(gcc)
    assert set(got.loc[got["type"] == "bloc_invited", "country"]) == set(gcc) - {"SAU"}
    # What the accession vote weighed: the union enlarged by the whole bloc.
    cu_arr = next(a for a in m.arrangements if a.pid == "sco_cu")
    idx = [m.codes.index(c) for c in gcc]
    without = cu_arr.participants.copy()
    without[:, idx] = False
    cu_arr.participants = without

    def gain(extra: list[int]) -> np.ndarray:
        p = without.copy()
        p[:, extra] = True
        return cu_arr.preview(m, p, terms=cu_arr.terms).gain

    whole = cu_arr.gain_if_member(m, m.codes.index("SAU"))
    np.testing.assert_allclose(whole, gain(idx))
    assert not np.allclose(whole, gain([m.codes.index("SAU")]))


def test_terms_of_trade_net_out_across_the_world():
    # One economy's dearer exports are another's dearer imports: in US$ the terms-of-trade
    # effects sum to zero over the world (the import price index is weighted by the same
    # baseline flows). Weighted by all output, as until 2026-12-05, they did not, and were
    # five to ten times larger than trade can carry.
    m = SCOModel(scosim.load_scenario(SCENARIOS / "customs_union.yaml",
                                      overrides={"replications": 2, "years.end": 2030}))
    m.run_model()
    tot = _series(m, "welfare_terms_of_trade_pct") / 100.0
    ev = _series(m, "ev_usd")
    total = _series(m, "welfare_change_pct") / 100.0
    expenditure = np.divide(ev, total, out=np.zeros_like(ev), where=np.abs(total) > 1e-9)
    usd = tot * expenditure
    moved = np.abs(total).max(axis=2) > 1e-6
    world = usd.sum(axis=2)[moved]
    scale = np.abs(usd).sum(axis=2)[moved]
    assert (np.abs(world) <= 1e-9 * scale).all()
    chn = m.codes.index("CHN")
    assert np.abs(tot[:, -1, chn]).max() < 0.01  # a fraction of a point, not +1.25


def test_the_art24_average_is_of_the_legal_schedule_while_trade_adjusts():
    # In 2029 the fortress union's CET is fully in force but trade has made 55 % of its
    # long-run response. Until 2026-12-05 the year's trade solve used partly adjusted
    # tariffs and the Art. XXIV average was theirs (8.6 % against the schedule's 12.0 %);
    # the solve now uses the legal ones (tests/test_short_run.py).
    sc = scosim.load_scenario(SCENARIOS / "customs_union_fortress.yaml",
                              overrides={"replications": 2})
    m = SCOModel(sc)
    while m.year < 2029:
        m.step()
    assert m.year == 2029 and 0 < m.records["trade_adjustment_share"][-1][0, 0] < 1
    bloc = m.policy.bloc_or_none()
    imports = m.baseline_flows() / (1.0 + m.tau0)
    legal, base = wt.average_external_tariffs([m.tariffs, m.tau0], imports, bloc)
    after = np.asarray(m.records["union_external_tariff_after_pct"][-1])[:, 0]
    np.testing.assert_allclose(after, legal * 100.0, rtol=1e-12)
    assert (legal > base + 0.01).all()
