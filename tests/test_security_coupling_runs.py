"""``python -m scosim.security.coupling`` refuses runs it cannot pair run by run.

Until 2026-12-07 three run directories with 3, 3 and 2 runs ended in a numpy broadcast
ValueError traceback (the paired differences subtract run by run).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.data.constants import ECONOMIES
from scosim.security.coupling import INDICATORS, main


def _run_dir(root: Path, name: str, runs: list[int], years=(2025, 2026)) -> Path:
    """A run directory holding every indicator the tool reads, for ``runs``."""
    rng = np.random.default_rng(len(runs))
    rows = [(ind, r, y, c) for ind in INDICATORS for r in runs for y in years for c in ECONOMIES]
    df = pd.DataFrame(rows, columns=["indicator", "run", "year", "country"])
    df["value"] = rng.random(len(df))
    df.loc[df["indicator"] == "corridor_operating", "value"] = 0.0  # no opening year
    d = root / name / "indicators"
    d.mkdir(parents=True)
    df.to_parquet(d / "batch-00000.parquet", index=False)
    return d.parent


@pytest.mark.parametrize("rats_runs", [[0, 1], [3, 4, 5]])
def test_runs_with_other_run_ids_are_one_line_exit_2(tmp_path: Path, capsys,
                                                     rats_runs: list[int]) -> None:
    dirs = [_run_dir(tmp_path, "stable", [0, 1, 2]), _run_dir(tmp_path, "rising", [0, 1, 2]),
            _run_dir(tmp_path, "rats", rats_runs)]
    with pytest.raises(SystemExit) as ex:
        main([*map(str, dirs), "--png", str(tmp_path / "f.png")])
    assert ex.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "the three runs must hold the same run ids" in err
    assert f"they hold 3, 3, {len(rats_runs)} runs" in err
    assert "same --replications and seed" in err


def test_runs_with_the_same_run_ids_are_paired(tmp_path: Path, capsys) -> None:
    """No false alarm: three runs of the same ids print the paired tables."""
    dirs = [_run_dir(tmp_path, n, [0, 1, 2]) for n in ("stable", "rising", "rats")]
    assert main([*map(str, dirs), "--png", str(tmp_path / "f.png")]) == 0
    assert "RATS upgrade: rising, RATS upgraded minus rising instability" in \
        capsys.readouterr().out
