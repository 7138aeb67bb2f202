"""Safe havens and defensive hardening together: one round each, and borders crossed.

Two checks from outside the threat code's own arithmetic, after Afghanistan's accession
(its protection then rises above 2018-2022, so it displaces groups to its havens):

* The haven flow is what each state's enforcement presses out of its own pressure plus the
  Afghan spillover (docs/security.md section 4), so a state's hardening moves no haven
  flow. Hardening moves attacks only to the hardening state's land neighbours, so the
  expected incidents of every other state cannot change with it. Until 2026-12-06 the haven
  flow was computed on the pressure after hardening, so attacks Pakistan's hardening
  deflected into Afghanistan were displaced a second time, to its havens: Pakistan hardening
  by 1 raised Tajikistan's expected incidents by 0.207 a year, Turkmenistan's by 0.133
  (an outside referee's report, 2026-12-06).
* Attacks a neighbour's hardening moves in have crossed a border, so they are all
  transnational and answer to RATS pooling in full, as the run's ``incidents_displaced``
  already counted them: a hardened state's incidents are its own attacks that its hardening
  lets through, at its usual mix of domestic and transnational, plus ``incidents_displaced``.
"""

from __future__ import annotations

import numpy as np

from _afghan_member import acceded
from scosim.security.hardening import displaced_in
from scosim.security.model import SecuritySystem

INST = 1.3  # Afghan instability above 2018-2022, so the Afghan spillover is positive


def _hardening(s: SecuritySystem, levels: dict[str, float]) -> np.ndarray:
    h = np.zeros((1, len(s.codes)))
    for code, v in levels.items():
        h[0, s.codes.index(code)] = v
    return h


def test_a_states_hardening_leaves_states_beyond_its_borders_unchanged() -> None:
    s, j = acceded(0.25)
    pak = s.codes.index("PAK")
    lam0 = s.expected_incidents(j, j.efforts, INST)[0]
    lam1 = s.expected_incidents(j, j.efforts, INST, hardening=_hardening(s, {"PAK": 1.0}))[0]
    # The channel is on where it matters: Tajikistan and Turkmenistan receive groups
    # Afghanistan's enforcement displaces (more than with the channel off).
    s_off, j_off = acceded(0.0)
    off = s_off.expected_incidents(j_off, j_off.efforts, INST)[0]
    for code in ("TJK", "TKM"):  # a tenth of an incident or more a year (0.14 for TJK)
        assert lam0[s.codes.index(code)] - off[s.codes.index(code)] > 0.05
    beyond = np.asarray(s.cal.contiguity)[pak] <= 0
    beyond[pak] = False
    assert {"TJK", "TKM", "KGZ", "UZB", "RUS"} <= {s.codes[k] for k in np.flatnonzero(beyond)}
    np.testing.assert_allclose(lam1[beyond], lam0[beyond], rtol=1e-12, atol=1e-12)
    # Pakistan's hardening does move its neighbours' incidents (Afghanistan receives).
    assert lam1[s.afg] - lam0[s.afg] > 1.0


def test_attacks_moved_in_by_hardening_are_transnational() -> None:
    # Haven channel off, so the identity is the hardening channel's alone.
    s, j = acceded(0.0)
    h = _hardening(s, {"PAK": 1.0, "IRN": 0.5, "TJK": 0.3})
    e = np.exp(-s.params.beta_defence * h)
    lam0 = s.expected_incidents(j, j.efforts, INST)
    lam1 = s.expected_incidents(j, j.efforts, INST, hardening=h)
    full = np.exp(-s.params.beta * (s.security(j) - s.S0))
    moved_in = displaced_in(s, h, INST) * full  # what incidents_displaced records
    # Afghanistan's pooling makes the full index differ from the domestic one there, so
    # the identity would fail if what moved in kept Afghanistan's domestic share.
    dom = np.exp(-s.params.beta * (s.domestic_security(j) - s.S0_domestic))
    assert abs(full[0, s.afg] - dom[0, s.afg]) > 0.1
    assert moved_in[0, s.afg] > 1.0
    np.testing.assert_allclose(lam1, e * lam0 + moved_in, rtol=1e-12, atol=1e-12)
