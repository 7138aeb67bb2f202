"""The run's record of the safe-haven channel, ``incidents_haven_arrivals``.

Checked against the channel's own conservation law (docs/security.md section 4), built by
hand from the calibration: what arrives, before the receivers' protection, sums to
``haven_share`` times the transnational incidents that the states with a haven stop, each
state's stopped incidents ``P+ q (1 - exp(-beta (S - S0)))`` computed here from the base
rates, the Afghan spillover and the transnational fraction. A state's hardening scales
what reaches it and moves nothing else. A run records it wherever the security slot is
filled, 0 with ``haven_share`` 0 (a sweep varies the share run by run, and a swept run
records what the run alone records: tests/test_security_sweep_shares.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from _afghan_member import acceded
from scosim.data.constants import ECONOMIES
from scosim.runner import run_model
from scosim.scenario import load_scenario
from scosim.security.haven import haven_targets
from scosim.security.haven_record import HAVEN_INDICATOR, haven_incidents
from scosim.security.mechanism import SecurityMechanism
from scosim.security.threat import transnational_fraction

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
INST = 1.3  # Afghan instability above 2018-2022, so the Afghan spillover is positive
SHARE = 0.25


def test_haven_arrivals_conserve_what_the_states_with_a_haven_stop() -> None:
    s, j = acceded(SHARE)
    p = s.params
    lam = s.expected_incidents(j, j.efforts, INST)
    got = haven_incidents(s, j, j.efforts, INST, None, lam)
    # By hand: own pressure, Afghanistan's scaled by instability, and the Afghan spillover.
    B = np.asarray(s.cal.base_rate, dtype=float)
    own = B.copy()
    own[s.afg] *= INST
    spill = p.afghan_spill * B[s.afg] * (INST - 1.0) * s.afghan_spill_weights
    q = transnational_fraction(own[None], spill[None], p.transnational_share)
    S = s.security(j)
    F = np.exp(-p.beta * (S - s.S0))
    stopped = (own + spill)[None] * q * np.maximum(0.0, 1.0 - F)
    # What crosses each border (blowback included) is all that arrives anywhere.
    crossing = haven_targets(s.haven_capacity, s.haven_onward, slope=p.haven_slope).sum(axis=2)
    assert stopped[0, s.afg] > 5.0 and crossing[0, s.afg] > 0  # Afghanistan, a member
    np.testing.assert_allclose((got / F).sum(), SHARE * (stopped * crossing).sum(), rtol=1e-9)
    assert np.all(got >= 0)
    for code in ("TJK", "TKM", "PAK"):  # Afghanistan's havens, and the blowback's way back
        assert got[0, s.codes.index(code)] > 0.01
    # A state's hardening scales what reaches it and moves nothing else.
    h = np.zeros_like(got)
    h[0, s.codes.index("PAK")] = 1.0
    h[0, s.codes.index("TJK")] = 0.5
    lam_h = s.expected_incidents(j, j.efforts, INST, hardening=h)
    got_h = haven_incidents(s, j, j.efforts, INST, h, lam_h)
    np.testing.assert_allclose(got_h, got * np.exp(-p.beta_defence * h), rtol=1e-9,
                               atol=1e-12)


def _scenario(tmp_path: Path, haven_share: float):
    text = f"""extends: {SCEN / "afghan_instability.yaml"}
name: haven_record_{int(100 * haven_share)}
years: {{start: 2025, end: 2027}}
parameters:
  rules: {{vote: always_yes}}
  security: {{instability: 1.3}}
  mechanism_settings: {{security: {{haven_share: {haven_share}}}}}
proposals:
  - type: accession
    id: afg-accession
    year: 2026
    applicant: AFG
    proposer: UZB
    decision_rule: variable_geometry
"""
    path = tmp_path / f"haven_{int(100 * haven_share)}.yaml"
    path.write_text(text)
    return load_scenario(path)


def test_a_run_records_haven_arrivals(tmp_path) -> None:
    on = _scenario(tmp_path, SHARE)
    assert HAVEN_INDICATOR in SecurityMechanism.recorded_indicators(on)
    off = run_model(_scenario(tmp_path, 0.0), runs=[0, 1]).records[HAVEN_INDICATOR]
    assert not np.any(np.stack(off))  # the channel off: nothing arrives
    rec = np.stack(run_model(on, runs=[0, 1]).records[HAVEN_INDICATOR], axis=1)  # (R, T, N)
    tjk, tkm = ECONOMIES.index("TJK"), ECONOMIES.index("TKM")
    # 2025: Afghanistan outside, nobody's protection above 2018-2022 by much; 2027: a member
    # two years, its protection well above, and its havens receive.
    assert np.all(rec[:, 2, [tjk, tkm]] > 0.01)
    assert np.all(rec[:, 2, [tjk, tkm]] > 10 * rec[:, 0, [tjk, tkm]])
    assert np.all(rec >= 0)
