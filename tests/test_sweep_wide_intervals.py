"""A Sobol sweep warns when an index's confidence interval is wider than the index.

A reviewer's sweep at n = 8 printed indices whose 95 % half-widths exceeded the indices
themselves, with no word that they could not be told from zero. Since 2026-12-06 the
terminal and the sweep's figures say which, and suggest a larger ``--n``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scosim.sweep_text import indices_text, wide_intervals_note

META = {"method": "sobol", "n": 8, "replications_per_point": 1, "scenario_seed": 1}


def _indices(s1_conf: float, st_conf: float) -> pd.DataFrame:
    return pd.DataFrame({
        "parameter": ["parameters.trade.sigma", "parameters.growth.volatility_scale"],
        "output": ["welfare_change_pct:KAZ"] * 2,
        "S1": [0.10, 0.60], "S1_conf": [s1_conf, 0.05],
        "ST": [0.20, 0.70], "ST_conf": [st_conf, 0.05], "conf_level": [0.95] * 2})


def test_wide_intervals_are_named_with_a_larger_n() -> None:
    text = indices_text(_indices(0.31, 0.25), META, points=32)
    flat = " ".join(text.split())
    assert "warning: 2 of 4 indices have a confidence interval wider than the index" in flat
    assert "S1 of parameters.trade.sigma on welfare_change_pct:KAZ: 0.100 +/- 0.310" in flat
    assert "ST of parameters.trade.sigma on welfare_change_pct:KAZ: 0.200 +/- 0.250" in flat
    assert "volatility_scale on" not in flat  # its intervals are narrow
    assert "--n 32" in flat


def test_narrow_intervals_and_undefined_indices_give_no_warning() -> None:
    assert wide_intervals_note(_indices(0.09, 0.19), 8) is None
    undefined = _indices(0.0, 0.0).assign(S1=np.nan, S1_conf=np.nan)
    assert wide_intervals_note(undefined, 8) is None
    assert "warning" not in indices_text(_indices(0.09, 0.19), META, points=32)


def test_an_interval_just_wider_than_a_negative_index_counts() -> None:
    """Sobol estimates can come out negative at small n; the interval is then judged
    against the index's size."""
    neg = _indices(0.05, 0.05).assign(S1=[-0.04, 0.6])
    assert "S1 of parameters.trade.sigma" in (wide_intervals_note(neg, 8) or "")
