"""Safe havens: enforcement displaces transnational groups (docs/security.md section 4).

Checks against things outside the code: the displaced threat is conserved by the move
(what crosses a border arrives somewhere), each border's weight is its length share (CIA
World Factbook, Afghanistan's) times a logistic in the Rule of Law gap (a hand computation),
which tends to the step "only less capable neighbours" as the slope grows, where groups go
does not depend on the security index (which is not comparable across countries) but on
capacity, so China's 91 km Wakhan border draws little of Afghanistan's; blowback sends
its share back to the origin; a small rise of effort moves the outcome a little, not by a
jump; nothing moves at 2018-2022 protection (the calibrated rates stay the GTI means), and
the channel off (``haven_share = 0``) gives the model without it.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from scosim.data.constants import ECONOMIES
from scosim.security.haven import capacity_pull, haven_arrivals, haven_targets, onward_weights
from scosim.security.model import SecuritySystem
from scosim.security.params import SecurityParams

N = len(ECONOMIES)
AFG, PAK, IND, NPL, CHN, TKM, TJK = (ECONOMIES.index(c) for c in
                                     ("AFG", "PAK", "IND", "NPL", "CHN", "TKM", "TJK"))


def _star() -> tuple[np.ndarray, np.ndarray]:
    """State 0 bordering 1, 2, 3 (equal shares); 1-2 border each other too."""
    adj = np.zeros((4, 4), bool)
    for a, b in ((0, 1), (0, 2), (0, 3), (1, 2)):
        adj[a, b] = adj[b, a] = True
    return adj, onward_weights(adj)


def test_weights_are_border_share_times_a_logistic_in_the_capacity_gap() -> None:
    adj, L = _star()
    c = np.array([0.5, 0.3, 0.5, 0.8])
    H = haven_targets(c, L, slope=5.0)[0]
    # By hand: 1/3 of the borders each; gaps +0.2, 0, -0.3.
    want = np.array([0, 1 / (1 + math.exp(-1.0)), 0.5, 1 / (1 + math.exp(1.5))]) / 3
    np.testing.assert_allclose(H[0], want, rtol=1e-12)
    assert (H.sum(axis=1) <= 1 + 1e-12).all() and (np.diag(H) == 0).all()
    # Slope 0: border length alone, half of each share; the limit: the step.
    np.testing.assert_allclose(haven_targets(c, L, slope=0.0)[0, 0], [0, 1 / 6, 1 / 6, 1 / 6])
    np.testing.assert_array_equal(haven_targets(c, L, slope=math.inf)[0, 0],
                                  [0, 1 / 3, 1 / 6, 0])
    np.testing.assert_allclose(haven_targets(c, L, slope=1e6)[0, 0], [0, 1 / 3, 1 / 6, 0],
                               atol=1e-12)
    # The logistic is smooth where the old threshold stepped: a gap of +-1e-6.
    assert abs(capacity_pull(np.array(1e-6), 7.5) - capacity_pull(np.array(-1e-6), 7.5)) < 1e-5


def test_per_run_slope_is_each_run_at_its_value() -> None:
    adj, L = _star()
    c = np.array([0.5, 0.3, 0.5, 0.8])
    both = haven_targets(c, L, r=2, slope=np.array([0.0, 30.0]))
    np.testing.assert_array_equal(both[0], haven_targets(c, L, slope=0.0)[0])
    np.testing.assert_array_equal(both[1], haven_targets(c, L, slope=30.0)[0])
    with pytest.raises(ValueError, match="haven_slope must be a number or one value per run"):
        haven_targets(c, L, r=2, slope=np.array([1.0, 2.0, 3.0]))


def test_afghanistan_sends_by_border_length_and_capacity_not_by_the_index() -> None:
    """The referee's case: once a member, Afghanistan's index (0.748) is above China's
    (0.737), so the old rule sent China 22.6 % of its displaced groups; on the Rule of Law
    Afghanistan (24.8) is below every neighbour and China (58.1) the most capable, behind
    91 of 5,987 km of border."""
    s = SecuritySystem()
    H = haven_targets(s.haven_capacity, s.haven_onward)[0, AFG]
    km = s.cal.afghan_border_km
    assert s.haven_onward[AFG, CHN] == pytest.approx(91 / km.sum(), rel=1e-12)
    assert H[CHN] < 0.1 * s.haven_onward[AFG, CHN]
    # Every neighbour is more capable: each draws under half of its border's share.
    nb = np.flatnonzero(s.cal.contiguity[AFG])
    assert (H[nb] < 0.5 * s.haven_onward[AFG, nb]).all()
    # Turkmenistan (27.2) is nearly as weak: its 744 km draw more than Tajikistan's 1,357.
    assert H[TKM] > H[TJK]


@pytest.mark.parametrize(("slope", "blowback"), [(0.0, 0.5), (7.5, 0.0), (30.0, 1.0),
                                                 (math.inf, 0.5)])
def test_displaced_threat_is_conserved(slope: float, blowback: float) -> None:
    rng = np.random.default_rng(11)
    sys_ = SecuritySystem()
    stopped = rng.uniform(0, 50, (5, N))
    share, spill = 0.3, 0.2
    cap, L = sys_.haven_capacity, sys_.haven_onward
    arr = haven_arrivals(stopped, cap, L, L, share=share, spill=spill, slope=slope,
                         blowback=blowback)
    crosses = haven_targets(cap, L, r=5, slope=slope).sum(axis=2)
    np.testing.assert_allclose(arr.sum(axis=1), share * (stopped * crosses).sum(axis=1),
                               rtol=1e-12)
    assert (arr >= 0).all()
    # Rows sum to 1 for states with a land neighbour (islands such as Sri Lanka: 0).
    has_nb = sys_.cal.contiguity.any(axis=1)
    np.testing.assert_allclose(onward_weights(sys_.cal.contiguity).sum(axis=1),
                               np.where(has_nb, 1.0, 0.0), rtol=1e-12)


def test_blowback_returns_its_share_to_the_origin() -> None:
    adj, L = _star()
    c = np.array([0.5, 0.3, 0.5, 0.8])
    stopped = np.array([[10.0, 0.0, 0.0, 0.0]])
    out = 10 * 0.25 * haven_targets(c, L, slope=7.5)[0, 0]  # what crosses each border
    full = haven_arrivals(stopped, c, L, L, share=0.25, spill=0.1, blowback=1.0)[0]
    np.testing.assert_allclose(full, [out.sum(), 0, 0, 0], rtol=1e-12)
    none = haven_arrivals(stopped, c, L, L, share=0.25, spill=0.1, blowback=0.0)[0]
    # Without blowback the origin gets only the havens' onward spill (0.1, by border share).
    np.testing.assert_allclose(none[0], 0.1 * (out[1] * 0.5 + out[2] * 0.5 + out[3]),
                               rtol=1e-12)
    half = haven_arrivals(stopped, c, L, L, share=0.25, spill=0.1, blowback=0.5)[0]
    np.testing.assert_allclose(half, 0.5 * (full + none), rtol=1e-12)


def test_a_small_rise_of_afghan_effort_moves_members_incidents_smoothly() -> None:
    """The referee's jump: after accession, effort 0.52 -> 0.53 moved the members' avoided
    incidents from -2.95 to -4.23 a year when Iran crossed the threshold. Now each step of
    0.01 changes them by about the same amount (the outcome is smooth in effort)."""
    s = SecuritySystem()
    st = s.baseline_state(1)
    m = s.members_of(st).copy()
    m[0, AFG] = True
    j = s.admit(st, m)
    r = st.rats.copy()
    r[0, AFG] = np.maximum(r[0, AFG], s.params.rats_baseline)
    j = replace(j, rats=r)
    lam0 = s.expected_incidents(st, st.efforts, 1.3)[0]
    mem = np.asarray(s.cal.members)
    avoided = []
    for e in np.arange(0.50, 0.565, 0.01):
        ef = j.efforts.copy()
        ef[0, AFG, :] = e
        avoided.append((lam0 - s.expected_incidents(replace(j, efforts=ef), ef, 1.3)[0])[mem]
                       .sum())
    steps = np.diff(avoided)
    assert steps.max() < 1.5 * steps.min() and steps.min() > 0


def test_nothing_moves_at_2018_2022_protection() -> None:
    sys_ = SecuritySystem()
    st = sys_.baseline_state(1)
    lam = sys_.expected_incidents(st, st.efforts, 1.0)
    np.testing.assert_allclose(lam[0], sys_.cal.base_rate, rtol=1e-12)


def test_upgrade_pushes_threat_into_havens_and_off_is_the_old_model() -> None:
    """A members' RATS upgrade under rising instability: with havens, Afghanistan and
    Nepal (India's less capable neighbour) expect more incidents, the total avoided falls by
    what is displaced, and with haven_share = 0 no state outside the upgrade's reach
    changes."""
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
    assert u_on[members].sum() < b_on[members].sum()
    assert math.fsum(b_on - u_on) < math.fsum(b_off - u_off)


def test_documented_upgrade_table_is_what_the_module_gives() -> None:
    from pathlib import Path

    from scosim.security.haven import HAVEN_BLOWBACKS, HAVEN_SLOPES, upgrade_rows

    text = (Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text()
    rows = upgrade_rows()
    for r in rows:
        assert "| " + " | ".join(r.values()) + " |" in text
    # The sensitivity to the slope and the blowback (python -m scosim.security.haven
    # --slope, --blowback).
    for r in (*upgrade_rows(HAVEN_SLOPES, "haven_slope"),
              *upgrade_rows(HAVEN_BLOWBACKS, "haven_blowback")):
        assert "| " + " | ".join(r.values()) + " |" in text
    # Off, nothing reaches a state outside the upgrade; on, Afghanistan is a haven.
    afg = next(r for r in rows if r["economy"] == "AFG")
    assert afg["haven_share 0"] == "+0.00" and float(afg["haven_share 0.25"]) > 0
