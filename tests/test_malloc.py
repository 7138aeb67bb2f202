"""scosim._malloc: processes that run batches keep freed pages instead of faulting them in again."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

import scosim.runner as runner

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="the settings are glibc's",
)

CHURN = """
import resource, sys
import numpy as np
from scosim._malloc import keep_freed_memory
applied = keep_freed_memory()
def churn():
    # what a batch does every Newton step: many temporaries of ~1.6 MB, then freed
    arrays = [np.ones(200_000) for _ in range(16)]
    del arrays
churn(); churn()
f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    churn()
print(applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
"""


def churn_faults(**env: str) -> tuple[bool, int]:
    """Page faults of 20 rounds of 16 arrays of 1.6 MB allocated and freed, in a new process."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | env
    out = subprocess.run([sys.executable, "-c", CHURN], capture_output=True, text=True,
                         env=full, check=True).stdout.split()
    return out[0] == "True", int(out[1])


@glibc
def test_freed_arrays_are_reused_without_page_faults() -> None:
    applied, kept = churn_faults()
    off, default = churn_faults(SCOSIM_MALLOC="default")
    assert applied and not off
    # glibc's default trims the freed heap top and faults every page in again
    # (about 390 pages per array); kept, the pages are reused.
    assert default > 20 * 16 * 100
    assert kept < default / 50


@glibc
def test_a_small_trim_threshold_in_the_environment_is_overridden() -> None:
    # Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536.
    applied, kept = churn_faults(MALLOC_TRIM_THRESHOLD_="65536")
    assert applied
    assert kept < 20 * 16 * 2


def test_run_batch_sets_it_in_every_process_that_runs_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []

    class Stop(Exception):
        pass

    def fake_keep() -> bool:
        calls.append(1)
        raise Stop  # the batch itself is not needed

    monkeypatch.setattr(runner, "keep_freed_memory", fake_keep)
    with pytest.raises(Stop):
        runner.run_batch(runner.BatchSpec("", runs=(0,)))
    assert calls == [1]
