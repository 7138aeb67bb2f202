"""PPML gravity estimation (scosim.mechanisms.gravity)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.mechanisms.gravity import (
    cost_index,
    estimate_trade_costs,
    gravity_frame,
    ppml,
)
from scosim.trade import fitted_baseline

FIXTURE = Path(__file__).parent / "fixtures" / "gegravity" / "sample_data_set.csv"
REGRESSORS = ["lndist", "contiguity", "common_language", "pta", "international"]
# Stata: ppmlhdfe trade lndist contiguity common_language pta international,
#        absorb(exporter importer) vce(robust)   (gegravity 0.3 documentation)
STATA = {
    "lndist": (-0.3898623, 0.0729915),
    "contiguity": (0.891577, 0.1327354),
    "common_language": (0.0326249, 0.0840702),
    "pta": (0.4711383, 0.1076578),
    "international": (-3.412584, 0.2151235),
}
STATA_CONSTANT = 16.32434


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.read_csv(FIXTURE)


@pytest.fixture(scope="module")
def fit(sample):
    return ppml(sample, regressors=REGRESSORS)


def test_reproduces_published_ppmlhdfe_estimates(fit):
    for name, (coef, se) in STATA.items():
        assert fit.coefficients[name] == pytest.approx(coef, rel=1e-5), name
        assert fit.std_errors[name] == pytest.approx(se, rel=1e-5), name
    assert fit.constant == pytest.approx(STATA_CONSTANT, rel=1e-5)
    assert fit.converged and fit.nobs == 900 and fit.dropped == 0


def test_se_conventions(sample, fit):
    hc0 = ppml(sample, regressors=REGRESSORS, se="hc0")
    nonrobust = ppml(sample, regressors=REGRESSORS, se="nonrobust")
    np.testing.assert_allclose(hc0.coefficients, fit.coefficients, rtol=1e-12)
    np.testing.assert_allclose(fit.std_errors / hc0.std_errors, np.sqrt(900 / 899), rtol=1e-10)
    assert not np.allclose(nonrobust.std_errors, fit.std_errors, rtol=1e-2)


def test_poisson_score_conditions(sample, fit):
    """PPML with exporter/importer FE fits each exporter's and importer's total exactly
    (Fally 2015) and makes residuals orthogonal to every regressor."""
    df = fit.frame.assign(mu=fit.fitted)
    np.testing.assert_allclose(df.groupby("exporter").mu.sum(), df.groupby("exporter").trade.sum(),
                               rtol=1e-8)
    np.testing.assert_allclose(df.groupby("importer").mu.sum(), df.groupby("importer").trade.sum(),
                               rtol=1e-8)
    for name in REGRESSORS:
        score = np.sum(df[name] * (df.trade - df.mu)) / np.sum(df[name].abs() * df.trade)
        assert abs(score) < 1e-8, name


def test_fixed_effects_reconstruct_fitted_values(fit):
    df = fit.frame
    lin = (df[REGRESSORS].to_numpy() @ fit.coefficients.to_numpy() + fit.constant
           + fit.exporter_fe.reindex(df.exporter).to_numpy()
           + fit.importer_fe.reindex(df.importer).to_numpy())
    np.testing.assert_allclose(np.exp(lin), fit.fitted, rtol=1e-9)
    w = fit.fitted / fit.fitted.sum()
    assert abs(np.sum(w * fit.exporter_fe.reindex(df.exporter).to_numpy())) < 1e-10
    assert abs(np.sum(w * fit.importer_fe.reindex(df.importer).to_numpy())) < 1e-10


def test_tidy_table(fit):
    t = fit.tidy()
    assert list(t.columns) == ["term", "estimate", "std_error", "statistic", "p_value",
                               "conf_low", "conf_high"]
    assert list(t.term) == REGRESSORS
    np.testing.assert_allclose(t.conf_high - t.conf_low, 2 * 1.959963984540054 * t.std_error,
                               rtol=1e-12)
    assert t.set_index("term").p_value["international"] < 1e-10


def test_recovers_known_parameters_from_simulated_data():
    """Monte Carlo truth: mean estimate within 4 standard errors of the mean; robust SEs of
    the bilateral variables close to the sampling sd."""
    rng = np.random.default_rng(20)
    n = 20
    names = np.array([f"C{i:02d}" for i in range(n)])
    ex, im = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    lndist = rng.uniform(6, 8, (n, n))
    lndist = (lndist + lndist.T) / 2
    contig = (rng.random((n, n)) < 0.15).astype(float)
    contig = np.maximum(contig, contig.T)
    intl = (ex != im).astype(float)
    a, g = rng.normal(3, 0.5, n), rng.normal(3, 0.5, n)
    truth = {"lndist": -0.9, "contig": 0.5, "international": -1.5}
    mu = np.exp(a[ex] + g[im] + truth["lndist"] * lndist + truth["contig"] * contig
                + truth["international"] * intl)
    est, ses = [], []
    for _ in range(30):
        # heteroskedastic with 10 % zeros, mean exactly mu
        y = rng.gamma(shape=2.0, scale=mu / 2.0) * (rng.random((n, n)) < 0.9) / 0.9
        df = pd.DataFrame({"exporter": names[ex.ravel()], "importer": names[im.ravel()],
                           "trade": y.ravel(), "lndist": lndist.ravel(),
                           "contig": contig.ravel(), "international": intl.ravel()})
        r = ppml(df, regressors=list(truth))
        est.append(r.coefficients.to_numpy())
        ses.append(r.std_errors.to_numpy())
    est, ses = np.array(est), np.array(ses)
    b = np.array(list(truth.values()))
    sd = est.std(0, ddof=1)
    assert np.all(np.abs(est.mean(0) - b) < 4.0 * sd / np.sqrt(len(est)))
    # sandwich SEs are biased down in small samples; "international" is identified by
    # only n high-leverage domestic flows, so its SE is left out of this check
    ratio = ses.mean(0)[:2] / sd[:2]
    assert np.all((ratio > 0.6) & (ratio < 1.5))


def test_exporter_without_trade_is_dropped(sample):
    df = sample.copy()
    df.loc[df.exporter == "AUS", "trade"] = 0
    r = ppml(df, regressors=REGRESSORS)
    assert r.dropped == 30 and r.nobs == 870
    assert "AUS" not in r.exporter_fe.index


@pytest.mark.parametrize(
    "mutate, kwargs, match",
    [
        (lambda d: d.drop(columns="pta"), {}, "missing columns"),
        (lambda d: d.assign(trade=-d.trade), {}, "non-negative"),
        (lambda d: d.assign(lndist=np.nan), {}, "finite"),
        (lambda d: pd.concat([d, d.head(1)]), {}, "one row per"),
        (lambda d: d.assign(dup=2 * d.lndist), {"regressors": ["lndist", "dup"]}, "collinear"),
        (lambda d: d, {"se": "cluster"}, "se must be"),
        (lambda d: d, {"regressors": []}, "at least one"),
    ],
)
def test_bad_inputs(sample, mutate, kwargs, match):
    args = {"regressors": REGRESSORS}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        ppml(mutate(sample), **args)


def test_cost_index_matrix(sample, fit):
    c = cost_index(sample, fit.coefficients)
    assert c.shape == (30, 30) and list(c.index) == sorted(sample.exporter.unique())
    row = sample[(sample.exporter == "CAN") & (sample.importer == "JPN")].iloc[0]
    expect = np.exp(sum(row[k] * v for k, v in fit.coefficients.items()))
    assert c.loc["CAN", "JPN"] == pytest.approx(expect, rel=1e-12)
    with pytest.raises(ValueError, match="every exporter-importer pair"):
        cost_index(sample.iloc[1:], fit.coefficients)


def test_cost_index_is_the_pivoted_table_in_any_row_order(sample, fit) -> None:
    # The definition, by pandas: the long table pivoted to exporter x importer.
    lin = sample[list(fit.coefficients.index)].to_numpy(float) @ fit.coefficients.to_numpy()
    want = (sample.assign(c=np.exp(lin)).pivot(index="exporter", columns="importer", values="c")
            .sort_index().sort_index(axis=1))
    shuffled = sample.sample(frac=1.0, random_state=3)
    got = cost_index(shuffled, fit.coefficients)
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
    assert list(got.index) == list(want.index) == list(got.columns)
    assert (got.index.name, got.columns.name) == ("exporter", "importer")
    # laid out as the pivot's values are, so sums over them keep their order, bit for bit
    assert got.to_numpy().flags.c_contiguous == want.to_numpy().flags.c_contiguous
    # an order that leaves countries out keeps only their pairs, in that order
    some = ["JPN", "CAN", "USA"]
    np.testing.assert_array_equal(cost_index(shuffled, fit.coefficients, order=some).to_numpy(),
                                  want.loc[some, some].to_numpy())


def test_cost_index_refuses_repeated_pairs_and_names(sample, fit) -> None:
    with pytest.raises(ValueError, match="pair more than once"):
        cost_index(pd.concat([sample, sample.iloc[:1]]), fit.coefficients)
    with pytest.raises(ValueError, match="more than once"):
        cost_index(sample, fit.coefficients, order=["CAN", "JPN", "CAN"])


# noise-free data fit perfectly, which statsmodels flags as "perfect prediction"
@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_gravity_frame_and_estimate_trade_costs_on_synthetic_matrix():
    rng = np.random.default_rng(21)
    names = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]
    n = len(names)
    dist = rng.uniform(500, 9000, (n, n))
    dist = (dist + dist.T) / 2
    np.fill_diagonal(dist, 300.0)
    contig = np.zeros((n, n))
    contig[0, 1] = contig[1, 0] = 1
    geo = pd.DataFrame([(names[i], names[j], dist[i, j], contig[i, j], 0.0)
                        for i in range(n) for j in range(n)],
                       columns=["exporter", "importer", "dist_km", "contig", "comlang_off"])
    mu = np.exp(rng.normal(0, 0.3, n)[:, None] + rng.normal(0, 0.3, n)[None, :]
                - 1.0 * np.log(dist) + 0.4 * contig - 2.0 * (1 - np.eye(n)) + 20)
    trade = pd.DataFrame(mu, index=names, columns=names)
    frame = gravity_frame(trade, geo)
    assert len(frame) == n * n and frame.international.sum() == n * (n - 1)
    est = estimate_trade_costs(trade, geo, regressors=("ln_dist", "contig", "international"))
    # noise-free data: PPML recovers the parameters exactly
    assert est.result.coefficients["ln_dist"] == pytest.approx(-1.0, abs=1e-6)
    assert est.result.coefficients["international"] == pytest.approx(-2.0, abs=1e-6)
    assert list(est.costs.index) == names
    with pytest.raises(ValueError, match="geography is missing column"):
        gravity_frame(trade, geo.drop(columns="dist_km"))
    with pytest.raises(ValueError, match="lacks distance"):
        gravity_frame(trade, geo.iloc[1:])


def test_estimate_trade_costs_on_scosim_calibration():
    calibration = pytest.importorskip("scosim.data.calibration")
    try:
        cal = calibration.load_calibration()
    except FileNotFoundError:
        pytest.skip("calibration tables not built")
    est = estimate_trade_costs(cal.trade, cal.geography)
    res = est.result
    assert res.converged and res.nobs == len(cal.trade) ** 2
    assert list(est.costs.index) == list(cal.trade.index)
    # robust qualitative facts of gravity: distance and borders reduce trade
    assert res.coefficients["ln_dist"] < 0
    assert res.coefficients["international"] < 0
    y = cal.trade.sum(axis=1).to_numpy()
    e = cal.trade.sum(axis=0).to_numpy()
    fb = fitted_baseline(est.costs.to_numpy(), y, e)
    np.testing.assert_allclose(fb.flows.sum(axis=0), e, rtol=1e-10)
