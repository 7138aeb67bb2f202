"""``scosim compare``'s notes under the table (audit, 2026-12-07).

The median note ended "pull the mean away from the median run" while the bars and
docs/experiments.md say "median" (with 20 runs it is midway between two runs); at 80
columns, the CI of the mean left out, the note on that CI's precision was still printed.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from scosim import compare_terminal
from scosim.compare import summarise


def _summary() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"run": np.arange(20), "country": "AAA",
                      "indicator": "welfare_change_pct",
                      "diff": rng.normal(0.0035, 0.001, 20)})
    s = summarise(d, level=0.9)
    return s.assign(runs_low=s["low"] - 0.002, runs_high=s["high"] + 0.002)


def test_notes_say_the_median_and_drop_the_ci_note_where_the_ci_is_left_out():
    assert compare_terminal.MEDIAN_NOTE.endswith("pull the mean away from the median.")
    table = compare_terminal.summary_table(_summary(), units={})
    assert compare_terminal.MEDIAN_NOTE in " ".join(table.notes)
    assert compare_terminal.precision_note(0.9) in table.notes
    fitted = compare_terminal.fit_terminal(table, 80)
    assert "90 % CI of the mean (t)" not in fitted.columns
    text = " ".join(fitted.notes)
    assert "precision of the mean" not in text
    assert compare_terminal.spread_note(0.9) in fitted.notes
    assert re.search(r"The 90 % CI of the mean \(t\) is not shown at 80 columns", text)
