"""``pool_rho`` and ``enforcement_weight`` swept run by run.

Both enter the block's calibration (the pool's capacity weights and the 2018-2022 baseline
index ``S0``), so a sweep builds the ordinary block at each value and computes each group
of runs with its own (``scosim.security.swept_blocks``). Checked against the batch itself:
row ``r`` of a swept batch is, indicator by indicator and bit for bit, the run alone with
the setting at ``v_r`` by override, at the summation (``pool_rho`` 1), the default, the pure
weakest link (``-inf``) and capacity ignored (``enforcement_weight`` 0). Before, a sweep
refused both.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from scosim.api import check_sweep
from scosim.data.constants import ECONOMIES
from scosim.model.model import SCOModel
from scosim.runner import run_model
from scosim.scenario import load_scenario

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
RATS = SCEN / "afghan_instability_rats.yaml"
KEY = "parameters.mechanism_settings.security."
KGZ = ECONOMIES.index("KGZ")


def _records(model: SCOModel) -> dict[str, np.ndarray]:
    return {k: np.stack(v, axis=1) for k, v in model.records.items()}


@pytest.mark.parametrize(("field", "values", "runs"), [
    # Summation, the weakest link, the default; run 1 twice (two values, one seed).
    ("pool_rho", (1.0, -math.inf, -1.0, 1.0), (0, 0, 1, 1)),
    # Capacity ignored, the default, twice the default.
    ("enforcement_weight", (0.0, 2.0, 1.0, 0.0), (0, 0, 1, 1)),
])
def test_a_swept_row_is_the_batch_at_its_value(field: str, values: tuple[float, ...],
                                               runs: tuple[int, ...], tmp_path: Path) -> None:
    # Afghanistan's accession: a pooler of low capacity joins today's members, whose own
    # pool is the calibrated one at every value (docs/security.md section 3), so the
    # setting moves what the new pool gives.
    path = _accession(tmp_path)
    swept = _records(run_model(load_scenario(path), runs=list(runs),
                               params={KEY + field: np.array(values)}))
    for row, (run, v) in enumerate(zip(runs, values, strict=True)):
        alone = _records(run_model(load_scenario(path, overrides={KEY + field: v}),
                                   runs=[run]))
        assert swept.keys() == alone.keys()
        for k in alone:
            np.testing.assert_array_equal(swept[k][row:row + 1], alone[k],
                                          err_msg=f"{field}={v}, row {row}: {k}")
    # The setting moves the run (the comparison compares something).
    S = swept["security_index"][:, -1, :]
    assert not np.array_equal(S[0], S[1])
    if field == "pool_rho":
        # A power mean falls as rho falls: the weakest link pools less than the sum, and
        # Kyrgyzstan's index (its gain is the pooled term) is lower (docs/security.md 3).
        assert S[1, KGZ] < S[0, KGZ]


def test_the_sweep_accepts_them_and_refuses_the_rest_of_the_calibration() -> None:
    for field, vals in (("pool_rho", [-4.0, 1.0]), ("enforcement_weight", [0.0, 2.0])):
        check_sweep(str(RATS), {KEY + field: vals}, ["incidents:PAK"])
    with pytest.raises(ValueError, match=r"'beta'.*cannot be swept.*pool_rho"):
        check_sweep(str(RATS), {KEY + "beta": [1.0, 3.0]}, ["incidents:PAK"])


def test_a_value_the_setting_does_not_allow_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"pool_rho must be in \[-20, 1\]"):
        run_model(load_scenario(RATS), runs=[0, 1],
                  params={KEY + "pool_rho": np.array([-1.0, -30.0])})


def _accession(tmp_path: Path) -> Path:
    # Section 11's accession of docs/security.md: Afghanistan a member from 2027, so runs
    # are also grouped by membership inside each value's block.
    path = tmp_path / "my_afghan_accession.yaml"
    path.write_text(f"extends: {SCEN / 'afghan_instability.yaml'}\nname: my_afghan_accession\n"
                    "proposals:\n  - type: accession\n    id: afg-accession\n    year: 2026\n"
                    "    applicant: AFG\n    proposer: UZB\n"
                    "    decision_rule: variable_geometry\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("scenario", ["hardening", "accession", "voted"])
def test_rows_match_with_hardening_an_accession_and_a_vote(scenario: str,
                                                           tmp_path: Path) -> None:
    # The hardening rule reads S0 (hardening.py); an accession regroups runs by partners;
    # the shipped vote on the upgrade previews its security gain with the swept block.
    path = {"hardening": SCEN / "afghan_instability_hardening.yaml", "voted": RATS,
            "accession": _accession(tmp_path)}[scenario]
    values = (-math.inf, 1.0)
    model = run_model(load_scenario(path), runs=[0, 0],
                      params={KEY + "pool_rho": np.array(values)})
    if scenario == "accession":  # the accession passed: a member at the end in both rows
        assert model.is_member()[:, ECONOMIES.index("AFG")].all()
    swept = _records(model)
    for row, v in enumerate(values):
        alone = _records(run_model(load_scenario(path, overrides={KEY + "pool_rho": v}),
                                   runs=[0]))
        for k in alone:
            np.testing.assert_array_equal(swept[k][row:row + 1], alone[k],
                                          err_msg=f"{scenario}, pool_rho={v}: {k}")
    if scenario == "accession":
        # Today's members pool the calibrated level at every rho, so only a pool with a new
        # member differs between the rows (the hardening and vote cases check the grouping).
        assert not np.array_equal(swept["security_index"][0], swept["security_index"][1])
