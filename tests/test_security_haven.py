"""Safe havens: enforcement displaces transnational groups (docs/security.md section 4).

Checks against things outside the code: the displaced threat is conserved by the move
(what arrives equals what leaves), the havens' weights ``(B + b0) exp(-gamma S)`` tend to
the single least-protected neighbour of the model before 2026-12-06 as ``gamma`` grows (the
old argmin, kept here as the reference) and to shares in proportion to ``B + b0`` at
``gamma = 0`` (a hand computation), a tiny change of ``S`` moves the flow a little, not all
of it, nothing moves at 2018-2022 protection (the calibrated rates stay the GTI means), and
the channel off (``haven_share = 0``) gives the model of before.
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
    H = haven_targets(S, adj, gamma=math.inf)[0]  # the limit: the least protected alone
    np.testing.assert_array_equal(H[1], [0, 0, 0.5, 0.5])  # tie between 2 and 3
    np.testing.assert_array_equal(H[0], [0, 0, 0, 0])  # its only neighbour is safer
    np.testing.assert_array_equal(H[2], [0, 0, 0, 0])  # 3 ties, not below: no haven
    np.testing.assert_array_equal(H[3], [0, 0, 0, 0])


def _argmin_targets(S: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """The haven rule before 2026-12-06: the least-protected neighbour below the state."""
    nb = (np.asarray(reach) > 0) & ~np.eye(S.shape[1], dtype=bool)
    cand = np.where(nb[None, :, :], S[:, None, :], np.inf)
    low = cand.min(axis=2, keepdims=True)
    pick = nb[None] & (cand <= low) & (low < S[:, :, None])
    cnt = pick.sum(axis=2, keepdims=True)
    return np.divide(pick.astype(float), cnt, out=np.zeros(pick.shape), where=cnt > 0)


def test_large_gamma_is_the_least_protected_neighbour() -> None:
    sys_ = SecuritySystem()
    S = np.random.default_rng(3).random((20, N))  # no ties
    B = sys_.cal.base_rate
    old = _argmin_targets(S, sys_.cal.contiguity)
    # Whatever the floor, gamma -> inf gives the old argmin; at gamma = inf exactly.
    for floor in (0.01, 1.0, 100.0):
        np.testing.assert_array_equal(
            haven_targets(S, sys_.cal.contiguity, B, gamma=math.inf, floor=floor), old)
        np.testing.assert_allclose(
            haven_targets(S, sys_.cal.contiguity, B, gamma=1e5, floor=floor), old, atol=1e-9)
    # The default gamma does not: flows are shared.
    mid = haven_targets(S, sys_.cal.contiguity, B, gamma=2.0, floor=1.0)
    assert ((mid > 0) & (mid < 1)).any()
    np.testing.assert_allclose(mid.sum(axis=2), old.sum(axis=2), rtol=1e-12)


def test_gamma_0_spreads_by_base_rate_and_the_floor() -> None:
    # State 0 (S 0.9) has neighbours 1, 2, 3 below it, with rates 0, 10 and 30, and 4 above.
    adj = np.zeros((5, 5), bool)
    adj[0, 1:] = adj[1:, 0] = True
    S = np.array([[0.9, 0.1, 0.5, 0.8, 0.95]])
    B = np.array([0.0, 0.0, 10.0, 30.0, 100.0])
    H = haven_targets(S, adj, B, gamma=0.0, floor=1.0)[0, 0]
    np.testing.assert_allclose(H, [0, 1 / 43, 11 / 43, 31 / 43, 0], rtol=1e-12)
    # A zero-history neighbour gets little, not nothing; with b0 = 0 nothing.
    assert haven_targets(S, adj, B, gamma=0.0, floor=0.0)[0, 0, 1] == 0.0
    # gamma 2: (B + 1) exp(-2 S) by hand.
    w = np.array([0, np.exp(-0.2), 11 * np.exp(-1.0), 31 * np.exp(-1.6), 0])
    np.testing.assert_allclose(haven_targets(S, adj, B, gamma=2.0)[0, 0], w / w.sum(),
                               rtol=1e-12)


def test_a_tiny_change_of_s_moves_the_flow_a_little() -> None:
    """The knife-edge of the argmin: two havens 1e-6 apart in S swap the whole flow there."""
    adj = np.zeros((3, 3), bool)
    adj[0, 1:] = adj[1:, 0] = True
    B = np.array([0.0, 5.0, 5.0])
    a = np.array([[0.9, 0.3, 0.3 + 1e-6]])
    b = np.array([[0.9, 0.3 + 1e-6, 0.3]])
    assert np.abs(_argmin_targets(a, adj) - _argmin_targets(b, adj)).max() == 1.0
    jump = np.abs(haven_targets(a, adj, B, gamma=2.0) - haven_targets(b, adj, B, gamma=2.0))
    assert jump.max() < 1e-5


@pytest.mark.parametrize(("gamma", "floor"), [(0.0, 1.0), (2.0, 1.0), (10.0, 0.0),
                                              (math.inf, 1.0)])
def test_displaced_threat_is_conserved(gamma: float, floor: float) -> None:
    rng = np.random.default_rng(11)
    sys_ = SecuritySystem()
    S = rng.random((5, N))
    stopped = rng.uniform(0, 50, (5, N))
    share, spill = 0.3, 0.2
    B = sys_.cal.base_rate
    arr = haven_arrivals(stopped, S, sys_.cal.contiguity, sys_.haven_onward,
                         share=share, spill=spill, base=B, gamma=gamma, floor=floor)
    has = haven_targets(S, sys_.cal.contiguity, B, gamma=gamma, floor=floor).sum(axis=2) > 0
    assert has.any() and not has.all()
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
    Nepal (one of India's less-protected neighbours) expect more incidents, each member with
    incidents fewer than before the upgrade; the total avoided falls by what is displaced, and with
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
    # Members with incidents of their own expect fewer; those with none in 2018-2022
    # (Kazakhstan, Kyrgyzstan, Belarus) receive, through the floor b0, a little of what
    # their more protected neighbours displace: less than 0.01 a year.
    had = members & (b_on > 0)
    assert (u_on[had] < b_on[had]).all()
    assert (u_on[members & ~had] < 0.01).all()
    assert u_on[members].sum() < b_on[members].sum()
    assert math.fsum(b_on - u_on) < math.fsum(b_off - u_off)


def test_documented_upgrade_table_is_what_the_module_gives() -> None:
    from pathlib import Path

    from scosim.security.haven import upgrade_rows

    text = (Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text()
    rows = upgrade_rows()
    for r in rows:
        assert "| " + " | ".join(r.values()) + " |" in text
    # The sensitivity to gamma (python -m scosim.security.haven --gamma).
    from scosim.security.haven import HAVEN_GAMMAS

    for r in upgrade_rows(HAVEN_GAMMAS, "haven_gamma"):
        assert "| " + " | ".join(r.values()) + " |" in text
    # Off, nothing reaches a state outside the upgrade; on, Afghanistan is a haven.
    afg = next(r for r in rows if r["economy"] == "AFG")
    assert afg["haven_share 0"] == "+0.00" and float(afg["haven_share 0.25"]) > 0
