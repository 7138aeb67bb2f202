"""The run's feed gives the heap its batches freed back to the system (scosim.stats_feed).

glibc keeps up to 256 MiB of freed heap in a process that runs batches
(:mod:`scosim._malloc`). What a run's batches had freed stayed resident under the
figures drawn at its end, and the exact phase's arrays (the largest the feed holds)
stayed resident under every batch after it: at 10,000 replications of
``customs_union.yaml`` 160 MiB of the 243 MiB heap was free while the figures were drawn.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import scosim.stats_feed as stats_feed
from scosim.runstats import EXACT_RUNS
from scosim.stats_feed import RELEASE_EVERY, StatsFeed

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="the kept heap is glibc's",
)


def _batch(first_run: int, runs: int, rng: np.random.Generator) -> pd.DataFrame:
    """A tidy indicator table of ``runs`` runs, 3 years, 2 economies, one indicator."""
    run = np.repeat(np.arange(first_run, first_run + runs, dtype=np.int32), 6)
    n = run.size
    return pd.DataFrame({
        "run": run,
        "year": np.tile(np.repeat(np.array([2025, 2026, 2027], dtype=np.int16), 2), runs),
        "country": pd.Categorical(np.tile(["AAA", "BBB"], n // 2)),
        "indicator": pd.Categorical(["x"] * n),
        "value": rng.lognormal(size=n),
    })


FREED = """
import sys
from pathlib import Path
import numpy as np
import pandas as pd
sys.path.insert(0, sys.argv[1])
from test_stats_feed_memory import _batch
from scosim._malloc import keep_freed_memory
from scosim.stats_feed import StatsFeed

def rss_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024

assert keep_freed_memory()
rng = np.random.default_rng(1)
feed = StatsFeed(Path(sys.argv[2]), 2, set(), ["x"], [])
feed.tables(0, _batch(0, 50, rng), pd.DataFrame())
# What a batch's solver steps leave: 160 arrays of 1 MiB (below the mmap threshold, so
# from the heap) freed, under a small array allocated after them.
arrays = [np.ones(1 << 17) for _ in range(160)]
late = np.ones(2000)
del arrays
before = rss_mib()
feed.tables(1, _batch(50, 50, rng), pd.DataFrame())
feed.result()
print(before - rss_mib())
"""


@glibc
def test_the_heap_the_batches_freed_is_returned_before_the_figures(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MALLOC_") and k != "SCOSIM_MALLOC"}
    out = subprocess.run([sys.executable, "-c", FREED, os.path.dirname(__file__),
                          str(tmp_path)], capture_output=True, text=True, env=env, check=True)
    dropped = float(out.stdout.split()[-1])
    # 160 MiB were free in the heap; kept (the code before), resident memory did not move.
    assert dropped > 120, out.stdout


def test_returned_when_the_exact_phase_ends_then_every_few_batches(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(stats_feed, "release_freed_memory", lambda: calls.append(feed.next))
    rng = np.random.default_rng(2)
    per = EXACT_RUNS // 4  # the exact phase ends with the 5th batch (a cell past EXACT_RUNS)
    n = 5 + 2 * RELEASE_EVERY + 3
    feed = StatsFeed(tmp_path, n, set(), ["x"], [])
    held = []
    for b in range(n):
        feed.tables(b, _batch(b * per, per, rng), pd.DataFrame())
        held.append(feed.stats.indicators["x"].held_values > 0)
    end = held.index(False) + 1  # batches in when the values were dropped into the sketch
    assert all(held[: end - 1]) and not any(held[end - 1:])
    assert calls == [end, end + RELEASE_EVERY, end + 2 * RELEASE_EVERY]
    stats = feed.result()
    assert calls[-1] == n and feed.releases == len(calls) == 4
    # The statistics are those of the batches, whatever was returned when.
    assert stats.indicators["x"].count.sum() == n * per * 6


def _reference_bins(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...]:
    """The bins of every value at once: each code once, sorted, with its count."""
    from scosim.sketch import _SPAN, bin_keys

    cells = np.concatenate([c for c, _ in parts])
    vals = np.concatenate([v for _, v in parts])
    ok = ~np.isnan(vals)
    codes = cells[ok].astype(np.int64) * _SPAN + bin_keys(vals[ok]) + _SPAN // 2
    return np.unique(codes, return_counts=True)


def test_a_grown_sketch_keeps_the_bins_of_every_value_added_in_any_merges() -> None:
    from scosim.sketch import _MAPPED_BINS, Sketch

    rng = np.random.default_rng(4)
    sk, parts = Sketch(500), []
    for i in range(40):
        n = int(rng.integers(1, 30_000))
        cells = rng.integers(0, 500, n)
        vals = rng.standard_t(3, n) * 10.0 ** int(rng.integers(-3, 4))
        vals[rng.random(n) < 0.05] = np.nan
        vals[rng.random(n) < 0.05] = 0.0
        sk.add(cells, vals)
        parts.append((cells, vals))
        if i % 9 == 0:  # merged now, then more added: later merges into mapped arrays
            codes, counts = _reference_bins(parts)
            assert np.array_equal(sk.codes, codes) and np.array_equal(sk.counts, counts)
    codes, counts = _reference_bins(parts)
    assert np.array_equal(sk.codes, codes) and np.array_equal(sk.counts, counts)
    assert sk.codes.size > 10 * _MAPPED_BINS  # the merges above were into mapped arrays


@glibc
def test_a_sketchs_bins_take_no_heap() -> None:
    # Kept for the whole run and reallocated larger at each merge, from the heap they sat
    # among a batch's temporaries; now their pages are their own.
    script = """
import ctypes
import numpy as np
from scosim._malloc import keep_freed_memory
from scosim.sketch import Sketch

assert keep_freed_memory()  # as in a process that runs batches: arrays from the heap

class MI2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks",
                "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
info = ctypes.CDLL(None).mallinfo2
info.restype = MI2
rng = np.random.default_rng(0)
sk = Sketch(2000)
sk.add(rng.integers(0, 2000, 10), rng.normal(size=10))
before = info().uordblks
for _ in range(12):
    sk.add(rng.integers(0, 2000, 200_000), rng.lognormal(sigma=3, size=200_000))
bins = sk.codes.size
print(bins, (info().uordblks - before) / (16 * bins))
"""
    try:
        import ctypes

        ctypes.CDLL(None).mallinfo2  # noqa: B018 (glibc 2.33 or later)
    except AttributeError:
        pytest.skip("glibc without mallinfo2")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MALLOC_") and k != "SCOSIM_MALLOC"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    bins, heap_per_bin = int(out[0]), float(out[1])
    assert bins > 500_000
    # From the heap (the code before), the bins' 16 bytes each were in use there.
    assert heap_per_bin < 0.1
