"""Mechanism figures of a run from statistics merged batch by batch (bounded memory).

The security, network and banking figures of ``scosim run`` used to read every run's
values of their indicators at once: 10,000 replications of ``afghan_corridor_rats.yaml``
peaked at 2.4 GB. They now draw percentiles and counts merged batch by batch; these
tests hold them to the numbers computed from all runs at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scosim.finance.run_summary import RUN_INDICATORS, BankingStream, summarise
from scosim.runstats import ALPHA, RunStats, run_percentiles

CODES = ["AAA", "BBB", "CCC", "DDD"]
YEARS = [2030, 2031, 2032]


def _tidy(arrays: dict[str, np.ndarray], run0: int) -> pd.DataFrame:
    """Tidy rows (run, year, country, indicator, value) of ``{name: (R, T, N)}``."""
    parts = []
    for name, x in arrays.items():
        r, t, n = x.shape
        parts.append(pd.DataFrame({
            "run": np.repeat(np.arange(run0, run0 + r), t * n),
            "year": np.tile(np.repeat(YEARS[:t], n), r),
            "country": np.tile(CODES[:n], r * t),
            "indicator": name,
            "value": x.reshape(-1),
        }))
    out = pd.concat(parts, ignore_index=True)
    return out.astype({"country": "category", "indicator": "category"})


def _finance_runs(rng: np.random.Generator, runs: int, years: int = 3) -> dict[str, np.ndarray]:
    shape = (runs, years, len(CODES))
    out = {name: rng.lognormal(20.0, 1.0, shape) * (rng.random(shape) < 0.3)
           for name in RUN_INDICATORS}
    out["bank_failures"] = (rng.random(shape) < 0.1).astype(float)
    out["bank_resolutions"] = (rng.random(shape) < 0.05).astype(float)
    member = np.zeros(shape)
    member[:, :, [0, 2]] = 1.0  # AAA and CCC are the members
    out["member"] = member
    return out


def _stream(arrays: dict[str, np.ndarray], batch: int) -> BankingStream:
    stream = BankingStream()
    runs = next(iter(arrays.values())).shape[0]
    for start in range(0, runs, batch):
        stream.add(_tidy({k: v[start:start + batch] for k, v in arrays.items()}, start))
    return stream


@pytest.mark.parametrize("batch", [7, 30])
def test_banking_stream_gives_the_summary_of_all_runs_at_once(batch: int) -> None:
    x = _finance_runs(np.random.default_rng(2), 30)
    stream = _stream(x, batch)
    assert stream.group == ["AAA", "CCC"] and stream.years == YEARS
    got = stream.summary()
    keys = {name: x[name] for name in RUN_INDICATORS}
    want = summarise({RUN_INDICATORS[k]: v for k, v in keys.items()}, [0, 2])
    assert got.n_runs == want.n_runs == 30
    np.testing.assert_array_equal(got.failed, want.failed)
    np.testing.assert_array_equal(got.resolved, want.resolved)
    for field in ("cost_mean", "payer_mean"):  # compensated sums against numpy's
        np.testing.assert_allclose(getattr(got, field), getattr(want, field), rtol=1e-13)
    for field in ("cost_band", "fund_median", "fund_band", "payer_band"):
        np.testing.assert_allclose(getattr(got, field), getattr(want, field), rtol=1e-14)
    assert got.fund_any == want.fund_any


def test_banking_stream_holds_no_run_values_beyond_the_exact_size() -> None:
    """Past 2,000 runs the percentiles come from the sketch (within ALPHA), memory flat."""
    x = _finance_runs(np.random.default_rng(4), 2100, years=2)
    stream = _stream(x, 700)
    assert all(s.held_values == 0 for s in (stream._cost, stream._fund, stream._payers))
    got = stream.summary()
    want = summarise({RUN_INDICATORS[k]: x[k] for k in RUN_INDICATORS}, [0, 2])
    np.testing.assert_array_equal(got.failed, want.failed)
    np.testing.assert_allclose(got.payer_band, want.payer_band, rtol=ALPHA * 1.0001)
    np.testing.assert_allclose(got.cost_band, want.cost_band, rtol=ALPHA * 1.0001)


def test_banking_stream_ignores_runs_without_the_finance_slot() -> None:
    stream = BankingStream()
    stream.add(_tidy({"gdp_usd": np.ones((3, 2, 4))}, 0))
    assert stream.summary() is None


def test_run_percentiles_of_batches_are_those_of_every_run() -> None:
    """The security and network figures' bands, merged batch by batch."""
    rng = np.random.default_rng(9)
    x = rng.poisson(4.0, (50, 3, 4)).astype(float)
    st = RunStats()
    for start in range(0, 50, 12):
        st.add_indicators(_tidy({"incidents": x[start:start + 12]}, start))
    got = run_percentiles(st, "incidents", ["DDD", "AAA", "ZZZ"], (5, 50, 95))
    want = np.percentile(x[:, :, [3, 0]], [5, 50, 95], axis=0)
    assert got.shape == (3, 3, 3)
    np.testing.assert_allclose(got[:, :, :2], want, rtol=1e-14)
    assert np.isnan(got[:, :, 2]).all()  # an economy never recorded


@pytest.mark.parametrize(("runs", "batch"), [(30, 7), (2100, 700)])
def test_banking_stream_gives_the_runs_above_the_band(runs: int, batch: int) -> None:
    """The runs above the 95th percentile where they pull the mean above it, as numpy's."""
    x = _finance_runs(np.random.default_rng(5), runs, years=2)
    x["fiscal_cost_usd"][:, 0, [0, 2]] = 1e9  # every run pays in the first year
    x["fiscal_cost_usd"][:3, 0, 2] = 1e9 * runs * np.array([10.0, 0.1, 0.05])  # three more
    got = _stream(x, batch).summary()
    want = summarise({RUN_INDICATORS[k]: x[k] for k in RUN_INDICATORS}, [0, 2])
    cost = (x["fiscal_cost_usd"][:, 0, [0, 2]].sum(axis=1)) / 1e9
    assert cost.mean() > np.percentile(cost, 95)
    assert len(got.cost_above) == len(want.cost_above) == 2
    assert want.cost_above[0].size >= 1 and cost.max() == want.cost_above[0][-1]
    for g, w in zip(got.cost_above, want.cost_above, strict=True):
        assert g.size == w.size
        # Exact while the runs' values are held, within the sketch's bound beyond.
        np.testing.assert_allclose(g, w, rtol=0 if runs < 2000 else ALPHA * 1.0001)


@pytest.mark.parametrize("batch", [7, 30])
def test_banking_stream_knows_a_part_equal_to_its_whole_everywhere(batch: int) -> None:
    """The who-paid panel's one bar: equal in every run, year and economy, batch by batch."""
    x = _finance_runs(np.random.default_rng(3), 30)
    x["fiscal_recap_usd"] = x["fiscal_cost_usd"].copy()
    keys = {RUN_INDICATORS[k]: x[k] for k in RUN_INDICATORS}
    assert _stream(x, batch).summary().same_as_whole == ("fiscal_recap",)
    assert summarise(keys, [0, 2]).same_as_whole == ("fiscal_recap",)
    # Short by US$1 m in one run of the last batch, in an economy outside the group:
    # summary.txt (every economy) prints both tables, so the panel draws both bars.
    x["fiscal_recap_usd"][29, 1, 3] = max(x["fiscal_cost_usd"][29, 1, 3] - 1e6, 0.0)
    x["fiscal_cost_usd"][29, 1, 3] = max(x["fiscal_cost_usd"][29, 1, 3], 1e6)
    keys = {RUN_INDICATORS[k]: x[k] for k in RUN_INDICATORS}
    assert _stream(x, batch).summary().same_as_whole == ()
    assert summarise(keys, [0, 2]).same_as_whole == ()
