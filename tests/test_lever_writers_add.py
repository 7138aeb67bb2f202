"""``add_to_lever``: the easy way to write a welfare lever is the one that adds.

The model cannot tell a write that replaces a welfare lever from one that adds
(docs/mechanisms.md, "What the run cannot check"): both leave a new array, and no writer
reports its increment. So the API gives adding a name, ``policy.add_to_lever``, with the
documented idiom's numbers bit for bit, and refuses the levers that have one writer.
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.model.lever_writers import add_to_lever
from scosim.model.policy import PolicyState
from scosim.plugins import PluginError

R, N = 3, 4


def _policy() -> PolicyState:
    return PolicyState(tariffs=np.zeros((R, N, N)), cost_change=np.ones((R, N, N)))


def test_it_adds_to_what_is_there_as_the_idiom_does_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    first, second = rng.normal(0, 0.01, (R, N)), rng.normal(0, 0.01, (R, N))
    policy = _policy()
    policy.add_to_lever("welfare_income_share", first)
    total = policy.add_to_lever("welfare_income_share", second)
    idiom = np.zeros((R, N)) + first
    idiom = idiom + second
    assert total is policy.levers["welfare_income_share"]
    assert np.array_equal(total, idiom)  # the documented idiom's numbers exactly
    # A number is every economy's share; the other welfare lever is its own total.
    add_to_lever(policy, "welfare_cost_share", 0.002)
    assert np.array_equal(policy.levers["welfare_cost_share"], np.full((R, N), 0.002))
    assert np.array_equal(policy.levers["welfare_income_share"], idiom)


def test_two_writers_through_it_both_count() -> None:
    """The replacement the model cannot see: a second writer that sets the lever."""
    policy = _policy()
    policy.add_to_lever("welfare_income_share", 0.01)   # a proposal type's apply
    policy.add_to_lever("welfare_income_share", 0.002)  # a mechanism's step
    np.testing.assert_allclose(policy.levers["welfare_income_share"], 0.012, rtol=0,
                               atol=1e-17)


def test_a_lever_with_one_writer_is_refused_naming_what_is_allowed() -> None:
    with pytest.raises(PluginError) as err:
        _policy().add_to_lever("insecurity", 0.1)
    assert str(err.value).startswith(
        "add_to_lever adds to the welfare levers (welfare_cost_share, welfare_income_share), "
        "not 'insecurity': every other lever has one writer, which sets it")


@pytest.mark.parametrize("share", [np.zeros((R, N + 1)), np.zeros(R), "a tenth"])
def test_a_share_of_another_shape_is_refused_naming_the_shape_wanted(share) -> None:
    policy = _policy()
    with pytest.raises(PluginError) as err:
        policy.add_to_lever("welfare_cost_share", share)
    assert str(err.value) == (
        "add_to_lever('welfare_cost_share'): the share must be a number or an array that "
        f"broadcasts to ({R}, {N}) (runs x economies, share of GDP), got shape "
        f"{np.shape(share)}")
    assert "welfare_cost_share" not in policy.levers  # nothing written
