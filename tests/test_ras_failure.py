"""When the moving baseline cannot be re-based, the error says which run, year and path.

RAS (biproportional scaling) can only meet row and column targets that the zero pattern of
the base-year flows allows. Two disconnected blocks whose sales grow differently from their
purchases cannot; neither can GDP paths some 10^7 apart, as 50 years of three times the
calibrated volatility draw. The solver names the runs it could not finish, and ``scosim
run`` turns that into one line with the run, the year, the GDP range and what to change.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from scosim.cli import main
from scosim.mechanisms.baseline_path import RASConvergenceError, rebase_flows

SCEN = Path(__file__).resolve().parents[1] / "scenarios"

# Two disconnected blocks: nothing is traded between {0, 1} and {2, 3}.
BLOCKS = np.array([[1.0, 2.0, 0.0, 0.0],
                   [0.0, 1.0, 0.0, 0.0],
                   [0.0, 0.0, 1.0, 1.0],
                   [0.0, 0.0, 1.0, 1.0]])


def test_the_error_names_only_the_runs_that_did_not_converge() -> None:
    # Run 0 grows uniformly (feasible: every sum scales); in run 1 the first block's sales
    # (3 * 1 + 1 * 2 = 5) and purchases (1 * 1 + 3 * 2 = 7) grow apart, which no scaling
    # of rows and columns can meet while the blocks trade nothing with each other.
    growth = np.array([[1.5, 1.5, 1.5, 1.5], [1.0, 2.0, 1.0, 1.0]])
    with pytest.raises(RASConvergenceError) as info:
        rebase_flows(BLOCKS, growth, max_iter=200)
    err = info.value
    assert isinstance(err, ValueError)
    np.testing.assert_array_equal(err.runs, [1])
    assert err.gap > 1e-3
    # The same run alone converges when the blocks' targets agree.
    np.testing.assert_allclose(rebase_flows(BLOCKS, growth[:1]), 1.5 * BLOCKS[None],
                               rtol=1e-12)
    # A worker process sends it back whole.
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is RASConvergenceError and str(back) == str(err)
    np.testing.assert_array_equal(back.runs, err.runs)
    assert back.gap == err.gap


def test_run_says_which_run_and_what_to_change(tmp_path, capsys) -> None:
    """Run 12 of the default scenario draws Turkmenistan's GDP 10^5 times its 2023 level by
    2066 under three times the calibrated volatility: one line, exit 1, nothing kept."""
    out = tmp_path / "results"
    code = main(["run", str(SCEN / "customs_union.yaml"),
                 "--set", "parameters.growth.volatility_scale=3", "--set", "years.end=2075",
                 "--replications", "13", "--no-plots", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    first = err.splitlines()[0]
    assert first.startswith("scosim: error: batch 0 failed: ValueError: the moving baseline "
                            "cannot re-base the 2023 trade pattern to the GDP path of run 12 "
                            "in 2066: GDP relative to 2023 runs from ")
    assert "(TKM)" in first and "parameters.growth.volatility_scale" in first
    assert "parameters.trade.moving_baseline: false" in first
    assert "Traceback" not in err
    assert not out.exists() or not any(p.is_file() for p in out.rglob("*"))
