"""The payoff function against the Sandler-Arce games in ANCHORS.md (best-response enumeration)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.security.game import (
    HERO,
    PREEMPTION,
    WEAKEST_LINK,
    Technology,
    aggregate,
    payoff,
    payoff_table,
    pure_nash,
)

TWO = np.ones((2, 2))

# ANCHORS.md "Security" (Sandler and Arce 2003; Arce and Sandler 2005): (row, column) payoffs
# keyed by (row acts, column acts).
PD_ANCHOR = {(1, 1): (2, 2), (1, 0): (-2, 4), (0, 1): (4, -2), (0, 0): (0, 0)}
HERO_ANCHOR = {(1, 1): (2, 2), (1, 0): (3, 4), (0, 1): (4, 3), (0, 0): (1, 1)}


@pytest.mark.parametrize("tech, anchor", [(PREEMPTION, PD_ANCHOR), (HERO, HERO_ANCHOR)])
def test_payoffs_equal_the_published_matrices(tech, anchor):
    table = payoff_table(TWO, tech)
    for (a, b), want in anchor.items():
        assert table[(float(a), float(b))] == pytest.approx(want)


def test_preemption_prisoners_dilemma_unique_equilibrium_is_nobody_acts():
    assert pure_nash(TWO, PREEMPTION) == [(0.0, 0.0)]
    # ... although both acting pays each more than the equilibrium (the dilemma).
    table = payoff_table(TWO, PREEMPTION)
    assert np.all(table[(1.0, 1.0)] > table[(0.0, 0.0)])


def test_hero_game_has_two_equilibria_with_exactly_one_gatherer():
    eq = pure_nash(TWO, HERO)
    assert sorted(eq) == [(0.0, 1.0), (1.0, 0.0)]


def test_weakest_link_is_a_coordination_game():
    assert sorted(pure_nash(TWO, WEAKEST_LINK)) == [(0.0, 0.0), (1.0, 1.0)]


def test_nash_enumeration_finds_dominant_strategy_with_three_states():
    # A public good whose private return (4) is below its cost (6) for every state:
    # not acting is dominant whatever the number of players.
    assert pure_nash(np.ones((3, 3)), PREEMPTION) == [(0.0, 0.0, 0.0)]
    # With a private return above cost, acting is dominant.
    assert pure_nash(np.ones((3, 3)), Technology(b_sum=4.0, cost=3.0)) == [(1.0, 1.0, 1.0)]


def test_spillovers_only_reach_connected_states():
    W = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    tech = Technology(b_sum=1.0, b_best=1.0, b_weak=0.5)
    e = np.array([[0.0, 1.0, 0.0]])
    z = aggregate(e, W, tech)
    # State 2 has no tie to state 1: its protection ignores state 1's effort.
    assert z[0, 2] == 0.0
    assert z[0, 0] == pytest.approx(1.0 + 1.0 + 0.0)


def test_pooling_shares_members_mean_effort_with_members_only():
    tech = Technology(b_pool=2.0)
    mask = np.array([True, True, False])
    z = aggregate(np.array([[1.0, 0.0, 1.0]]), np.eye(3), tech, mask)
    assert z[0].tolist() == pytest.approx([1.0, 1.0, 0.0])


def test_payoff_rejects_efforts_outside_unit_interval():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        payoff(np.array([[1.5, 0.0]]), TWO, PREEMPTION)


def _intel_sharing(value: float) -> tuple[list[str], list[str]]:
    """Members who gain from 0.1 more intelligence sharing alone, and who lose when all do."""
    from scosim.data.constants import ECONOMIES, MEMBERS
    from scosim.security.model import SecuritySystem

    sys_ = SecuritySystem()
    st = sys_.baseline_state(1)
    base = sys_.payoff(st, st.efforts, value)[0]
    joint = st.efforts.copy()
    joint[0, sys_.cal.members, 0] += 0.1
    gain_joint = sys_.payoff(st, joint, value)[0] - base
    alone, lose = [], []
    for code in MEMBERS:
        i = ECONOMIES.index(code)
        one = st.efforts.copy()
        one[0, i, 0] += 0.1
        if sys_.payoff(st, one, value)[0, i] > base[i]:
            alone.append(code)
        if gain_joint[i] <= 0:
            lose.append(code)
    return alone, lose


def test_calibrated_model_has_the_prisoners_dilemma_only_in_a_narrow_band_of_values():
    """Sandler's undersupply holds in the model only for a value of full security V between
    about 0.125 % and 0.161 % of GDP (docs/security.md section 3): no member gains from
    sharing 0.1 more intelligence alone, yet every member gains when all do. Below it Russia
    loses even when all share; above it members gain alone (Kazakhstan first)."""
    assert _intel_sharing(0.0015) == ([], [])
    assert _intel_sharing(0.0012) == ([], ["RUS"])
    assert _intel_sharing(0.0017) == (["KAZ"], [])


def test_the_shipped_vote_valuation_is_outside_the_dilemma():
    """The shipped scenarios value a security-index point at weights.security = 0.01 of
    real expenditure (V = 1 % of GDP): there every member gains from sharing more alone, so
    their customary efforts are not a free riders' equilibrium at that valuation (docs)."""
    import yaml

    from scosim.data.constants import MEMBERS

    path = Path(__file__).resolve().parents[1] / "scenarios" / "afghan_instability.yaml"
    value = yaml.safe_load(path.read_text())["parameters"]["weights"]["security"]
    alone, lose = _intel_sharing(value)
    assert sorted(alone) == sorted(MEMBERS) and lose == []
