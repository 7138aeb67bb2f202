"""``haven_share``, ``transnational_share``, ``haven_slope``, ``haven_blowback`` swept run by run.

The four settings enter only the year's expected incidents (not the block's calibration:
nothing is displaced at 2018-2022 protection), so a sweep varies them across the runs of
one batch. Checked against the batch itself: row
``r`` of a swept batch is, indicator by indicator and bit for bit, the run alone with the
setting at ``v_r`` by override (the per-run arrays multiply elementwise, as the batch's
number does, so nothing differs in the last bit; a run at ``haven_share`` 0 adds arrivals
of exactly 0 where the batch skips the channel). Before, a sweep refused them (the havens'
``haven_gamma`` and ``haven_floor``, which ``haven_slope`` and ``haven_blowback`` replaced
on 2026-12-06, until that day).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.api import check_sweep
from scosim.data.constants import ECONOMIES
from scosim.model.model import SCOModel
from scosim.runner import run_model
from scosim.scenario import load_scenario
from scosim.security.threat import column, transnational_fraction

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
RATS = SCEN / "afghan_instability_rats.yaml"
KEY = "parameters.mechanism_settings.security."
#: The upgrade voted through in every run: rejected (as shipped) efforts stay at their
#: customary levels, nothing is stopped above 2018-2022 and no haven receives anything.
YES = {"parameters.rules.vote": "always_yes"}
TKM = ECONOMIES.index("TKM")


def _records(model: SCOModel) -> dict[str, np.ndarray]:
    return {k: np.stack(v, axis=1) for k, v in model.records.items()}


@pytest.mark.parametrize(("field", "values", "runs"), [
    # 0 (the channel off in a batch), the default and twice it; run 1 twice.
    ("haven_share", (0.0, 0.5, 0.25, 0.5), (0, 0, 1, 1)),
    ("transnational_share", (0.05, 0.3, 0.15, 0.3), (0, 0, 1, 1)),
    # The logistic's slope in the capacity gap: border length alone, steep, the default.
    ("haven_slope", (0.0, 30.0, 7.5, 30.0), (0, 0, 1, 1)),
    # Blowback: none, all, the default half.
    ("haven_blowback", (0.0, 1.0, 0.5, 1.0), (0, 0, 1, 1)),
])
def test_a_swept_row_is_the_batch_at_its_value(field: str, values: tuple[float, ...],
                                               runs: tuple[int, ...]) -> None:
    swept = _records(run_model(load_scenario(RATS, overrides=YES), runs=list(runs),
                               params={KEY + field: np.array(values)}))
    for row, (run, v) in enumerate(zip(runs, values, strict=True)):
        alone = _records(run_model(load_scenario(RATS, overrides={**YES, KEY + field: v}),
                                   runs=[run]))
        assert swept.keys() == alone.keys()
        for k in alone:
            np.testing.assert_array_equal(swept[k][row:row + 1], alone[k],
                                          err_msg=f"{field}={v}, row {row}: {k}")
    # The setting moves the run (the comparison compares something): in 2035 Turkmenistan
    # expects more incidents where more of the threat is displaced or transnational.
    lam = swept["expected_incidents"][:, -1, :]
    assert not np.array_equal(lam[0], lam[1])
    if field == "haven_share":
        assert lam[1, TKM] > lam[0, TKM]


def test_the_sweep_accepts_them_and_still_refuses_calibration_settings() -> None:
    for field in ("haven_share", "transnational_share", "haven_slope", "haven_blowback"):
        check_sweep(str(RATS), {KEY + field: [0.0, 0.5]}, ["incidents:PAK"])
    # beta enters the calibration and is not swept (pool_rho and enforcement_weight are,
    # by a block per value: tests/test_security_sweep_pool.py).
    with pytest.raises(ValueError, match=r"'beta'.*cannot be swept.*haven_share"):
        check_sweep(str(RATS), {KEY + "beta": [1.0, 3.0]}, ["incidents:PAK"])


def test_per_run_share_is_each_rows_batch_fraction() -> None:
    rng = np.random.default_rng(3)
    own = rng.uniform(0, 5, (3, 6))
    spill = rng.uniform(-1, 1, (3, 6))
    own[1, 2], spill[1, 2] = 0.0, 0.0  # total 0: the share itself
    shares = np.array([0.0, 0.15, 1.0])
    q = transnational_fraction(own, spill, column(shares, 3, "transnational_share"))
    for r, s in enumerate(shares):
        np.testing.assert_array_equal(q[r:r + 1], transnational_fraction(own[r:r + 1],
                                                                         spill[r:r + 1], s))
    assert q[1, 2] == 0.15
    with pytest.raises(ValueError, match="haven_share must be a number or one value per run"):
        column(np.zeros(2), 3, "haven_share")
