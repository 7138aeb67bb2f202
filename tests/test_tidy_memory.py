"""The tidy indicator table of a batch: its values, and what building it costs in memory.

Building it was the default run's peak: three copies of the values and two int64 code
columns at once, about 3.5 times the table itself.
"""

import tracemalloc

import numpy as np

from scosim.runner import run_model, tidy_indicators
from scosim.scenario import load_scenario


def _model(model_fixture):
    return run_model(load_scenario(model_fixture("small_cu.yaml")), runs=range(60))


def test_table_holds_the_records_in_run_year_indicator_country_order(model_fixture):
    model = _model(model_fixture)
    df = tidy_indicators(model)
    names = list(model.records)
    T, R, N = len(model.records[names[0]]), model.R, model.N
    # The records as (indicator, run, year, country), put in the table's order independently.
    ref = np.stack([np.stack(model.records[n], axis=1) for n in names]).transpose(1, 2, 0, 3)
    assert np.array_equal(df["value"].to_numpy(), ref.reshape(-1), equal_nan=True)
    assert list(df["indicator"].cat.categories) == names
    assert list(df["country"].cat.categories) == list(model.codes)
    codes = df["indicator"].cat.codes.to_numpy().reshape(R, T, len(names), N)
    assert (codes == np.arange(len(names))[None, None, :, None]).all()
    cty = df["country"].cat.codes.to_numpy().reshape(R, T, len(names), N)
    assert (cty == np.arange(N)).all()
    assert (df["run"].to_numpy().reshape(R, -1) == np.asarray(model.run_ids)[:, None]).all()
    years = df["year"].to_numpy().reshape(R, T, -1)
    assert (years == np.asarray(model.years[:T])[None, :, None]).all()
    assert df["indicator"].cat.codes.dtype == np.int8  # as pandas keeps them: no wider copy


def test_building_the_table_holds_little_more_than_the_table(model_fixture):
    model = _model(model_fixture)
    tracemalloc.start()
    try:
        df = tidy_indicators(model)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    table = int(df.memory_usage(index=True, deep=False).sum())
    # Was 3.5 times the table (152 MiB for 43 MiB at 250 runs of customs_union.yaml).
    assert peak < 1.25 * table, (peak, table)
