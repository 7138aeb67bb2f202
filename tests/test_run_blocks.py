"""Statistics over runs do not depend on how the runs were batched (scosim.run_blocks).

Found by a reproducibility review: a mean's last bit depended on where the batch
boundaries fell, which flipped a printed total (6.34 against 6.35) and moved an axis
limit of a plot by three units in the last place.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.run_blocks import STAT_BLOCK_RUNS, BlockedStats
from scosim.runner import run
from scosim.runstats import RunStats
from scosim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def _fed(ind: pd.DataFrame, events: pd.DataFrame | None, batch: int) -> RunStats:
    """Statistics of the tables added ``batch`` runs at a time, in run order, as a run's
    feed adds its batches."""
    feed = BlockedStats(RunStats())
    runs = np.sort(ind["run"].unique())
    for lo in range(0, len(runs), batch):
        these = runs[lo:lo + batch]
        feed.indicators.add(ind[ind["run"].isin(these)])
        if events is not None:
            feed.events.add(events[events["run"].isin(these)])
    return feed.finish()


def test_a_mean_does_not_depend_on_the_batches():
    value = 1.2690000000000001  # 20 of it: 1.2689999999999995 at once, ...01 one by one
    ind = pd.DataFrame({"run": np.arange(20), "year": 2031, "country": "AFG",
                        "indicator": "x", "value": value})
    means = {b: _fed(ind, None, b).mean("x").iloc[0, 0] for b in (1, 3, 20)}
    assert means[1] == means[3] == means[20]


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    sc = load_scenario(ROOT / "scenarios" / "customs_union.yaml",
                       overrides={"replications": STAT_BLOCK_RUNS + 50})
    res = run(sc, out=tmp_path_factory.mktemp("blocks"), progress=False, plots=False)
    return res.indicators, res.events


@pytest.mark.parametrize("batch", [1, 13, 120, 400])
def test_every_statistic_equals_the_default_batches(tables, batch):
    ind, events = tables
    assert events["type"].isin(["vote", "defection"]).any()
    ref = _fed(ind, events, STAT_BLOCK_RUNS)
    got = _fed(ind, events, batch)
    pd.testing.assert_frame_equal(got.table(), ref.table(), check_exact=True)
    pd.testing.assert_frame_equal(got.vote_terms.table(), ref.vote_terms.table(),
                                  check_exact=True)
    assert {k: (t.runs, t.years, t.median_gain()) for k, t in got.exits.items()} == \
        {k: (t.runs, t.years, t.median_gain()) for k, t in ref.exits.items()}


def test_a_run_answers_the_same_whatever_its_batch_size(tmp_path):
    """The reviewer's case: five years of Afghanistan's energy deliveries, the same in
    every run, summed to a total on a rounding boundary."""
    dirs = []
    for bs in ("250", "1"):
        out = tmp_path / bs
        assert main(["run", str(ROOT / "scenarios" / "corridor_energy.yaml"), "--replications",
                     "20", "--seed", "2", "--batch-size", bs, "--out", str(out),
                     "--quiet"]) == 0
        (d,) = out.glob("*/*/")
        dirs.append(d)
    for name in ("summary.txt", "summary.csv", "votes.csv"):
        if (dirs[0] / name).exists():
            assert filecmp.cmp(dirs[0] / name, dirs[1] / name, shallow=False), name
    for png in (dirs[0] / "plots").glob("*.png"):
        assert filecmp.cmp(png, dirs[1] / "plots" / png.name, shallow=False), png.name


def test_blocks_are_the_default_batches():
    """Runs at the default batch size give the statistics one whole block per batch, as
    before blocks existed (docs/experiments.md): a change to one must be a change to both."""
    from scosim.runner import DEFAULT_BATCH_SIZE

    assert STAT_BLOCK_RUNS == DEFAULT_BATCH_SIZE
