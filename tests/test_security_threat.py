"""Threat process: monotone spillovers, displacement, Afghan pressure, draws, free riding."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from scosim.data.constants import ECONOMIES, LISTED
from scosim.security.model import SecuritySystem, simulate
from scosim.security.params import CHANNELS, SecurityParams
from scosim.security.threat import (
    draw_incidents,
    expected_incidents,
    poisson_quantile,
    row_normalise,
)

SYS = SecuritySystem()
# The summation pool of before (no weakest link) and no safe havens: where the monotone
# properties below hold exactly (the weakest link and havens are tested on their own).
SUM = SecuritySystem(params=SecurityParams(pool_rho=1.0, enforcement_weight=0.0))
NO_HAVEN = SecuritySystem(params=SecurityParams(haven_share=0.0))
N, C = len(ECONOMIES), len(CHANNELS)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), who=st.integers(0, N - 2), ch=st.integers(0, C - 1),
       bump=st.floats(0.01, 1.0))
def test_raising_one_states_effort_never_lowers_anyones_security(seed, who, ch, bump):
    rng = np.random.default_rng(seed)
    state = SYS.baseline_state(2)
    e = rng.random((2, N, C))
    e2 = e.copy()
    e2[:, who, ch] = np.minimum(e2[:, who, ch] + bump, 1.0)
    s1, s2 = SYS.security(state, e), SYS.security(state, e2)
    assert np.all(s2 >= s1 - 1e-12)
    inst = rng.uniform(0.5, 3.0, size=2)
    # Without safe havens nobody's expected incidents rise (with them, the groups a state's
    # enforcement displaces raise the threat next door: test_security_haven.py).
    lam1 = NO_HAVEN.expected_incidents(state, e, inst)
    lam2 = NO_HAVEN.expected_incidents(state, e2, inst)
    assert np.all(lam2 <= lam1 + 1e-9)
    # ... and it strictly helps its neighbours when it has some (a real spillover).
    nb = np.flatnonzero(SYS.partners[:, who] > 0)
    if nb.size and e2[0, who, ch] > e[0, who, ch] + 1e-6:
        assert np.all(s2[0, nb] > s1[0, nb])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), who=st.integers(0, N - 2), ch=st.integers(0, C - 1),
       level=st.floats(0.1, 2.0))
def test_a_state_joining_the_rats_pool_never_lowers_anyones_security(seed, who, ch, level):
    """Under summation (pool_rho = 1, capacity ignored) a new pooler adds its effort, however
    small, to what every pooler gets (with the poolers' mean a low-effort joiner diluted it:
    the members lost). With the weakest link (the default) a weak joiner may hold the pool
    back: test_security_weakest_link.py."""
    SYS = SUM  # noqa: N806
    rng = np.random.default_rng(seed)
    state = SYS.baseline_state(2)
    e = rng.random((2, N, C))
    e[:, who, ch] *= 0.05  # a joiner well below the others' efforts
    rats = state.rats.copy()
    rats[:, :, ch] = np.where(rng.random((2, N)) < 0.5, 1.0, 0.0)
    rats[:, who, ch] = 0.0
    joined = rats.copy()
    joined[:, who, ch] = level
    s1 = SYS.security(replace(state, rats=rats), e)
    s2 = SYS.security(replace(state, rats=joined), e)
    others = np.arange(N) != who
    assert np.all(s2[:, others] >= s1[:, others])
    # every other pooler gains exactly its share of the joiner's effort
    p = SYS.params
    dz = p.k_pool[ch] * rats[:, :, ch] * e[:, who, ch][:, None] / p.pool_reference
    np.testing.assert_allclose(s2[:, others], 1 - (1 - s1[:, others]) * np.exp(-dz[:, others]),
                               rtol=0, atol=1e-12)


def test_baseline_rates_are_the_calibrated_gti_means():
    state = SYS.baseline_state(1)
    lam = SYS.expected_incidents(state, state.efforts, np.ones(1))
    np.testing.assert_allclose(lam[0], SYS.cal.base_rate, rtol=1e-12)


def test_hardening_displaces_part_of_the_pressure_to_neighbours():
    p = SYS.params
    base = SYS.cal.base_rate
    S0 = np.broadcast_to(SYS.S0, (1, N))
    pak = ECONOMIES.index("PAK")
    h = np.zeros((1, N))
    h[0, pak] = 0.5
    kw = dict(beta=p.beta, afghan_spill=p.afghan_spill, displacement=p.displacement,
              beta_defence=p.beta_defence)
    lam0 = expected_incidents(base, S0, SYS.S0, np.ones(1), SYS.afg, SYS.Wn, **kw)
    lam1 = expected_incidents(base, S0, SYS.S0, np.ones(1), SYS.afg, SYS.Wn, hardening=h, **kw)
    avoided = base[pak] * (1 - math.exp(-p.beta_defence * 0.5))
    assert lam1[0, pak] == pytest.approx(base[pak] - avoided)
    # To the land neighbours where groups operate (a 2018-2022 rate above 0): not China.
    nbrs = np.flatnonzero(SYS.cal.contiguity[pak] & (base > 0))
    assert ECONOMIES.index("CHN") not in nbrs and len(nbrs) == 3
    assert np.all(lam1[0, nbrs] > lam0[0, nbrs])
    others = np.setdiff1d(np.arange(N), np.append(nbrs, pak))
    np.testing.assert_array_equal(lam1[0, others], lam0[0, others])
    # Geographic transference (Sandler and Siqueira 2006): a share theta moves, the rest is removed.
    assert math.fsum(lam1[0] - lam0[0]) == pytest.approx(-(1 - p.displacement) * avoided)


def test_afghan_instability_raises_rates_of_afghanistan_and_its_neighbours_only():
    state = SYS.baseline_state(1)
    lam1 = SYS.expected_incidents(state, state.efforts, np.array([1.0]))[0]
    lam2 = SYS.expected_incidents(state, state.efforts, np.array([2.0]))[0]
    afg_nbrs = set(np.flatnonzero(SYS.cal.contiguity[SYS.afg])) | {SYS.afg}
    for i in range(N):
        if i in afg_nbrs:
            assert lam2[i] > lam1[i], ECONOMIES[i]
        else:
            assert lam2[i] == pytest.approx(lam1[i]), ECONOMIES[i]
    assert lam2[SYS.afg] == pytest.approx(2 * lam1[SYS.afg])


def test_negative_binomial_draws_have_the_calibrated_mean_and_variance():
    lam = np.full((4000, 2), 50.0)
    alpha = np.array([0.0, 0.3])
    x = draw_incidents(lam, alpha, np.random.default_rng(11))
    m, v = x.mean(axis=0), x.var(axis=0, ddof=1)
    assert m == pytest.approx([50, 50], rel=0.03)
    # Poisson variance = mean; NB variance = mu + alpha mu^2 = 800.
    assert v[0] == pytest.approx(50, rel=0.1)
    assert v[1] == pytest.approx(50 + 0.3 * 2500, rel=0.1)


def test_poisson_quantile_is_the_smallest_count_whose_cdf_reaches_u():
    """Against scipy's Poisson cdf: P(X <= k) >= u > P(X <= k - 1), rates from 0 to 5,000."""
    from scipy.stats import poisson

    rng = np.random.default_rng(3)
    u = rng.random(5000)
    mu = np.concatenate([[0.0, 1e-9], rng.gamma(0.3, 300.0, 4998)])
    k = poisson_quantile(u, mu)
    assert k.dtype == np.int64 and k[0] == 0
    assert np.all(poisson.cdf(k, mu) >= u)
    assert np.all((k == 0) | (poisson.cdf(k - 1, mu) < u))


def test_a_changed_rate_moves_only_its_own_count_and_in_its_direction():
    """Common random numbers: a variant whose rate differs in one economy draws exactly the
    same counts elsewhere in the run, this year and the next, and a higher rate never gives
    fewer incidents (numpy's Poisson sampler drew a rate-dependent count of numbers, so
    one changed rate shifted every later draw of the run)."""
    alpha = np.array([0.0, 0.4, 0.2])
    lam = np.tile([30.0, 300.0, 5.0], (200, 1))
    up = lam.copy()
    up[:, 1] *= 1.2
    gens = lambda: [np.random.default_rng([9, r]) for r in range(200)]  # noqa: E731
    ga, gb = gens(), gens()
    for _year in range(2):
        a, b = draw_incidents(lam, alpha, ga), draw_incidents(up, alpha, gb)
        np.testing.assert_array_equal(a[:, [0, 2]], b[:, [0, 2]])
        assert np.all(b[:, 1] >= a[:, 1])
        assert 0.1 < (b[:, 1] - a[:, 1]).mean() / a[:, 1].mean() < 0.3


def test_per_run_generators_make_runs_independent_of_batch_size():
    keep = {c: "keep_effort" for c in LISTED}
    a = simulate(SYS, [2025, 2026], keep, 1.5, 3, seed=5)
    b = simulate(SYS, [2025, 2026], keep, 1.5, 7, seed=5)
    np.testing.assert_array_equal(a["incidents"], b["incidents"][:3])


def test_row_normalise_keeps_isolated_rows_zero():
    w = row_normalise(np.array([[0, 2.0], [0, 0]]))
    assert w.tolist() == [[0, 1.0], [0, 0]]


def test_free_riding_everywhere_raises_incidents_over_conditional_cooperation():
    """Paired runs (seed 2026, 200 runs, 5 years): one-sided 99 % t-interval of the difference."""
    years = list(range(2025, 2030))
    runs = 200
    free = simulate(SYS, years, {c: "free_riding" for c in LISTED}, 1.0, runs, seed=2026)
    coop = simulate(SYS, years, {c: "conditional_cooperation" for c in LISTED}, 1.0, runs,
                    seed=2026)
    d = free["incidents"].sum(axis=(1, 2)) - coop["incidents"].sum(axis=(1, 2))
    se = d.std(ddof=1) / math.sqrt(runs)
    lower = d.mean() - stats.t.ppf(0.99, runs - 1) * se
    assert lower > 0, (d.mean(), se)


def test_params_reject_out_of_range_values():
    with pytest.raises(ValueError, match="displacement"):
        SecurityParams(displacement=1.5)
    with pytest.raises(ValueError, match="k_channel"):
        SecurityParams(k_channel=(0.1, 0.2))


def test_default_afghan_spill_is_the_gti_estimate_which_cannot_tell_it_from_zero():
    from scosim.security.validation import afghan_spill_estimate

    est, se = afghan_spill_estimate(SYS.cal)
    # The default is the point estimate, rounded to three places (the docstring's claim).
    assert SecurityParams().afghan_spill == round(est, 3)
    # ... and the history cannot tell it from zero: the estimate is within 2 s.e. of 0.
    assert 0 < se and abs(est) < 2 * se


#: Afghanistan's land borders, km, as printed in CIA, The World Factbook (online edition
#: 2021), Afghanistan, Geography, "Land boundaries": total 5,987 km.
FACTBOOK_AFG_KM = {"CHN": 91, "IRN": 921, "PAK": 2670, "TJK": 1357, "TKM": 804, "UZB": 144}


def test_afghan_border_table_holds_the_factbook_lengths():
    import csv

    from scosim.security.calibration import TABLES_DIR

    with (TABLES_DIR / "afghan_borders.csv").open(newline="") as fh:
        rows = {r["iso3"]: float(r["border_km"]) for r in csv.DictReader(fh)}
    assert rows == FACTBOOK_AFG_KM
    assert math.fsum(rows.values()) == 5987.0  # the Factbook's total
    nbrs = {ECONOMIES[i] for i in np.flatnonzero(SYS.cal.contiguity[SYS.afg])}
    assert nbrs == set(rows)  # the same neighbours as CEPII contiguity


def test_afghan_spillover_is_shared_by_border_length():
    """Rates rise by ``afghan_spill * B[AFG] * (I - 1) * km / 5,987`` in each neighbour."""
    state = SYS.baseline_state(1)
    lam1 = SYS.expected_incidents(state, state.efforts, np.array([1.0]))[0]
    lam2 = SYS.expected_incidents(state, state.efforts, np.array([2.0]))[0]
    total = SYS.params.afghan_spill * SYS.cal.base_rate[SYS.afg]
    rise = {c: lam2[ECONOMIES.index(c)] - lam1[ECONOMIES.index(c)] for c in FACTBOOK_AFG_KM}
    assert math.fsum(rise.values()) == pytest.approx(total)  # the share is unchanged
    for c, km in FACTBOOK_AFG_KM.items():
        assert rise[c] == pytest.approx(total * km / 5987.0), c
    assert rise["CHN"] < rise["UZB"] < rise["TKM"] < rise["IRN"] < rise["TJK"] < rise["PAK"]


def test_equal_shares_reproduce_the_total_spillover_estimate():
    from scosim.security.validation import afghan_spill_estimate, afghan_spill_weighting_fit

    fit = afghan_spill_weighting_fit(SYS.cal)
    assert fit["equal"]["s"] == pytest.approx(afghan_spill_estimate(SYS.cal)[0], rel=1e-9)
    assert set(fit["slopes"]) == set(FACTBOOK_AFG_KM)
