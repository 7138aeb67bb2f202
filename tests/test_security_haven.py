"""Safe havens: enforcement displaces transnational groups (docs/security.md section 4).

Checks against things outside the code: the displaced threat is conserved by the move
(what arrives equals what leaves), the haven is the least-protected neighbour (a hand
computation on a small map), nothing moves at 2018-2022 protection (the calibrated rates
stay the GTI means), and the channel off (``haven_share = 0``) gives the model of before.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scosim.data.constants import ECONOMIES
from scosim.security.haven import haven_arrivals, haven_targets, onward_weights
from scosim.security.model import SecuritySystem
from scosim.security.params import SecurityParams

N = len(ECONOMIES)
AFG, PAK, IND, NPL = (ECONOMIES.index(c) for c in ("AFG", "PAK", "IND", "NPL"))


def test_haven_is_the_least_protected_neighbour_below_the_state() -> None:
    # A line 0 - 1 - 2 - 3 plus 1 - 3: 1's neighbours are 0, 2, 3.
    adj = np.zeros((4, 4), bool)
    for a, b in ((0, 1), (1, 2), (2, 3), (1, 3)):
        adj[a, b] = adj[b, a] = True
    S = np.array([[0.5, 0.6, 0.2, 0.2]])
    H = haven_targets(S, adj)[0]
    np.testing.assert_array_equal(H[1], [0, 0, 0.5, 0.5])  # tie between 2 and 3
    np.testing.assert_array_equal(H[0], [0, 0, 0, 0])  # its only neighbour is safer
    np.testing.assert_array_equal(H[2], [0, 0, 0, 0])  # 3 ties, not below: no haven
    np.testing.assert_array_equal(H[3], [0, 0, 0, 0])


def test_displaced_threat_is_conserved() -> None:
    rng = np.random.default_rng(11)
    sys_ = SecuritySystem()
    S = rng.random((5, N))
    stopped = rng.uniform(0, 50, (5, N))
    share, spill = 0.3, 0.2
    arr = haven_arrivals(stopped, S, sys_.cal.contiguity, sys_.haven_onward,
                         share=share, spill=spill)
    has = haven_targets(S, sys_.cal.contiguity).sum(axis=2) > 0
    np.testing.assert_allclose(arr.sum(axis=1), share * (stopped * has).sum(axis=1),
                               rtol=1e-12)
    assert (arr >= 0).all()
    # Afghanistan's onward shares are its border lengths (CIA World Factbook): Pakistan's
    # 2,670 of the 5,987 km with the listed economies.
    assert sys_.haven_onward[AFG, PAK] == pytest.approx(2670 / 5987, rel=1e-12)
    # Rows sum to 1 for states with a land neighbour (islands such as Sri Lanka: 0).
    has_nb = sys_.cal.contiguity.any(axis=1)
    np.testing.assert_allclose(onward_weights(sys_.cal.contiguity).sum(axis=1),
                               np.where(has_nb, 1.0, 0.0), rtol=1e-12)


def test_nothing_moves_at_2018_2022_protection() -> None:
    sys_ = SecuritySystem()
    st = sys_.baseline_state(1)
    lam = sys_.expected_incidents(st, st.efforts, 1.0)
    np.testing.assert_allclose(lam[0], sys_.cal.base_rate, rtol=1e-12)


def test_upgrade_pushes_threat_into_havens_and_off_is_the_old_model() -> None:
    """A members' RATS upgrade under rising instability: with havens, Afghanistan and
    Nepal (India's least-protected neighbour) expect more incidents, each member fewer
    than before the upgrade; the total avoided falls by what is displaced, and with
    haven_share = 0 no state outside the upgrade's reach changes."""
    on = SecuritySystem()
    off = SecuritySystem(params=SecurityParams(haven_share=0.0))
    out = {}
    for name, s in (("on", on), ("off", off)):
        st = s.baseline_state(1)
        up = s.with_rats(st, (1.5, 1.0, 1.0))
        out[name] = (s.expected_incidents(st, st.efforts, 2.0)[0],
                     s.expected_incidents(up, up.efforts, 2.0)[0])
    b_on, u_on = out["on"]
    b_off, u_off = out["off"]
    np.testing.assert_array_equal(b_on, b_off)  # efforts at baseline: nothing displaced
    assert u_off[AFG] == b_off[AFG] and u_off[NPL] == b_off[NPL]
    assert u_on[AFG] > b_on[AFG] and u_on[NPL] > b_on[NPL]
    members = on.cal.members
    assert (u_on[members] <= b_on[members] + 1e-12).all()
    assert math.fsum(b_on - u_on) < math.fsum(b_off - u_off)


def test_documented_upgrade_table_is_what_the_module_gives() -> None:
    from pathlib import Path

    from scosim.security.haven import upgrade_rows

    text = (Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text()
    rows = upgrade_rows()
    for r in rows:
        assert "| " + " | ".join(r.values()) + " |" in text
    # Off, nothing reaches a state outside the upgrade; on, Afghanistan is a haven.
    afg = next(r for r in rows if r["economy"] == "AFG")
    assert afg["haven_share 0"] == "+0.00" and float(afg["haven_share 0.25"]) > 0
